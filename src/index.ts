/** The playbook API: what `import { … } from 'sls-play'` gives a playbook author. */
export { playbook } from './playbook/define.ts';
export type { Playbook, StepResult, StepStatus, HostStatus, FactSet } from './playbook/types.ts';
export type { Vars } from './inventory/types.ts';
export type { ExecOptions, ExecResult, CommandTimeoutError } from './transport/types.ts';
export { PlaybookInputError } from './base/input-error.ts';
export { shellQuote, sh, ShellCommand } from './remote/quote.ts';
export type {
  Host,
  Param,
  Plan,
  PlanContext,
  ApplyContext,
  Applied,
  Task,
  TaskOptions,
  FileDiff,
  RemoteChange,
  PlanBase,
  Written,
} from './tasks/types.ts';
export { custom, planOk, planFailed, planSkipped, resolve, remoteChange, type PlanExtra } from './tasks/task.ts';
export type { WriteResult, WriteRecord } from './remote/write-file.ts';
export { fileFact, outputFact, type Fact, type FactValues, type FileState } from './remote/facts.ts';
export { pathFact, type PathState, type FileMode, type OctalDigit } from './modules/path-fact.ts';
export { file, type FileParams } from './modules/file.ts';
export { fileEdit, type FileEditParams, type TextEdit } from './modules/file-edit.ts';
export { yamlEdit, type YamlEditParams } from './modules/yaml-edit.ts';
export { command, type CommandParams } from './modules/command.ts';
export { service, type ServiceParams, type ServiceState } from './modules/service.ts';
export { assert, type AssertParams, type Verdict } from './modules/assert.ts';
export { secret, Secret } from './secrets/secret.ts';
export { registerSecret } from './report/secrets.ts';
// lineInFile, waitFor, package (`package` is a reserved word in strict code: import it as
// `import { package as pkg } from 'sls-play'`, or use the `pkg` alias).
export { lineInFile, lineEdit, type LineInFileParams, type LineEditSpec } from './modules/line-in-file.ts';
export { waitFor, type WaitForParams } from './modules/wait-for.ts';
export {
  package,
  packageTask as pkg,
  packageFact,
  comparePackageVersions,
  type PackageParams,
  type PackageState,
  type PackageManager,
} from './modules/package.ts';
