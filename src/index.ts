/** The playbook API: what `import { … } from 'sls-play'` gives a playbook author. */
export { playbook, step, ok, changed, failed, skipped } from './playbook/define.ts';
export type { HostContext, Playbook, StepDefinition, StepResult } from './playbook/types.ts';
export { PlaybookInputError } from './playbook/types.ts';
export { shellQuote } from './playbook/quote.ts';
export { gatherFacts, fileFact, type Fact, type FileState } from './modules/facts.ts';
export { writeFileAtomic, restoreBackup } from './modules/write-file.ts';
export { registerSecret } from './report/secrets.ts';
export { unifiedDiff } from './report/diff.ts';
