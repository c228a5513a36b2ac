// docs/coming-from-ansible.md is what the option definitions say, and explains every option
// the installed ansible-playbook and ansible offer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANSIBLE_OPTIONS, longFlags } from '../../../src/cli/ansible-option-map.ts';
import { comingFromAnsible, ourOptions, PAGE } from '../../../src/cli/coming-from-ansible.ts';
import { buildProgram } from '../../../src/cli/main.ts';
import { REPO } from '../../helpers/cli.ts';
import { ansibleCommand, python } from '../inventory/ansible-reference.ts';

const skipAnsible = python === undefined ? 'ansible-core is not installed' : false;
const program = () => buildProgram(() => undefined);

test(`${PAGE} is up to date (npm run docs:options writes it)`, () => {
  assert.equal(readFileSync(join(REPO, PAGE), 'utf8'), comingFromAnsible(program()));
});

test('every option the table maps exists in sls-play, and every sls-play long flag of it answers', () => {
  const ours = ourOptions(program());
  for (const option of ANSIBLE_OPTIONS) {
    if (option.verdict === 'not applicable') {
      assert.equal(option.ours, undefined, option.flags);
      assert.ok(option.note.length > 10, `${option.flags}: say why it does not apply`);
    } else {
      assert.ok(option.ours && ours.has(option.ours), `${option.flags}: no sls-play option ${option.ours}`);
      if (option.verdict === 'different') assert.ok(option.note.length > 10, `${option.flags}: say how it differs`);
    }
  }
  // the same spelling as Ansible wherever sls-play has the option
  for (const option of ANSIBLE_OPTIONS.filter((o) => o.ours && o.ours !== '--help' && o.ours !== '--version')) {
    for (const flag of longFlags(option).filter((f) => f !== '--inventory-file' && f !== '--ask-vault-password'))
      assert.ok(ours.has(flag), `${option.flags}: sls-play does not answer to ${flag}`);
  }
});

/** The long flags of every option an Ansible program's --help shows. */
async function helpFlags(command: string): Promise<Set<string>> {
  const help = await ansibleCommand(command, ['--help']);
  const flags = new Set<string>();
  for (const line of help.split('\n')) {
    const m = /^ {2}(-\S.*?)(?: {2,}|$)/.exec(line);
    if (!m) continue;
    for (const flag of m[1]!.matchAll(/--[a-z][a-z-]*/g)) flags.add(flag[0]);
  }
  return flags;
}

test('every option of ansible-playbook --help and ansible --help is mapped or explained', {
  skip: skipAnsible,
}, async () => {
  for (const command of ['ansible-playbook', 'ansible'] as const) {
    const flags = await helpFlags(command);
    assert.ok(flags.has('--limit') && flags.has('--become'), `${command} --help was read (${[...flags].join(' ')})`);
    const explained = new Set(ANSIBLE_OPTIONS.filter((o) => o.in.includes(command)).flatMap(longFlags));
    const missing = [...flags].filter((flag) => !explained.has(flag));
    assert.deepEqual(missing, [], `${command} options neither mapped nor explained in ansible-option-map.ts`);
  }
});
