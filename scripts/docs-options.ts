// npm run docs:options: writes docs/coming-from-ansible.md from the option definitions.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { comingFromAnsible, PAGE } from '../src/cli/coming-from-ansible.ts';
import { buildProgram } from '../src/cli/main.ts';

const root = join(import.meta.dirname, '..');
writeFileSync(join(root, PAGE), comingFromAnsible(buildProgram(() => undefined)));
process.stdout.write(`wrote ${PAGE}\n`);
