/** ansible.cfg and ANSIBLE_*: found and read as the real Ansible reads them (ansible-config dump). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AnsibleCfgError, findAnsibleCfg, parseAnsibleCfg, readAnsibleCfg } from '../../../src/config/ansible-cfg.ts';
import { ansibleSettings, AnsibleSettingError } from '../../../src/config/ansible-settings.ts';
import { python } from '../inventory/ansible-reference.ts';

const run = promisify(execFile);
let dir: string;

const CFG = `# a project's ansible.cfg
[defaults]
inventory = ./inventory/prod, other
remote_user: deploy ; an inline comment
private_key_file = ~/.ssh/id_prod
host_key_checking = False
forks=7
timeout = 33
vault_password_file = secrets/vault.pass

[privilege_escalation]
become = yes
become_user = admin

[ssh_connection]
ssh_args = -C -o ControlMaster=auto
  -o ProxyJump=bastion
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sls-ansible-cfg-'));
  writeFileSync(join(dir, 'ansible.cfg'), CFG);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** What `ansible-config dump --only-changed` says Ansible read, by setting name. */
async function ansibleDump(env: Record<string, string>): Promise<Record<string, unknown>> {
  const { stdout } = await run('ansible-config', ['dump', '--only-changed', '-f', 'json'], {
    env: { ...process.env, ...env },
    cwd: dir,
  });
  return Object.fromEntries(
    (JSON.parse(stdout) as Array<{ name: string; value: unknown }>).map((s) => [s.name, s.value]),
  );
}

describe('ansible.cfg', () => {
  it('reads the settings sls-play honours as Ansible does (ansible-config dump), the environment winning', {
    skip: python === undefined ? 'ansible is not installed' : false,
  }, async () => {
    const env = { ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_FORKS: '9', HOME: '/home/someone' };
    const theirs = await ansibleDump(env);
    const ours = ansibleSettings(readAnsibleCfg(join(dir, 'ansible.cfg')), env, '/home/someone');
    assert.deepEqual(
      {
        DEFAULT_HOST_LIST: ours.inventory,
        DEFAULT_REMOTE_USER: ours.remoteUser,
        DEFAULT_PRIVATE_KEY_FILE: ours.privateKeyFile,
        HOST_KEY_CHECKING: ours.hostKeyChecking,
        DEFAULT_FORKS: ours.forks,
        DEFAULT_TIMEOUT: ours.timeout,
        DEFAULT_BECOME: ours.become,
        DEFAULT_BECOME_USER: ours.becomeUser,
        DEFAULT_VAULT_PASSWORD_FILE: ours.vaultPasswordFile,
      },
      {
        DEFAULT_HOST_LIST: theirs.DEFAULT_HOST_LIST,
        DEFAULT_REMOTE_USER: theirs.DEFAULT_REMOTE_USER,
        DEFAULT_PRIVATE_KEY_FILE: theirs.DEFAULT_PRIVATE_KEY_FILE,
        HOST_KEY_CHECKING: theirs.HOST_KEY_CHECKING,
        DEFAULT_FORKS: theirs.DEFAULT_FORKS,
        DEFAULT_TIMEOUT: theirs.DEFAULT_TIMEOUT,
        DEFAULT_BECOME: theirs.DEFAULT_BECOME,
        DEFAULT_BECOME_USER: theirs.DEFAULT_BECOME_USER,
        DEFAULT_VAULT_PASSWORD_FILE: theirs.DEFAULT_VAULT_PASSWORD_FILE,
      },
    );
    assert.equal(ours.forks, 9);
    assert.equal(ours.origin.forks, 'ANSIBLE_FORKS');
    assert.equal(ours.origin.remoteUser, `${join(dir, 'ansible.cfg')}:4`);
    assert.equal(ours.sshArgs, '-C -o ControlMaster=auto\n-o ProxyJump=bastion');
  });

  it('is found as Ansible finds it: ANSIBLE_CONFIG (file or directory), ./ansible.cfg, ~/.ansible.cfg', () => {
    const home = join(dir, 'home');
    const project = join(dir, 'project');
    mkdirSync(home, { recursive: true });
    mkdirSync(project, { recursive: true });
    assert.equal(findAnsibleCfg({ env: {}, cwd: project, home }), undefined);
    writeFileSync(join(home, '.ansible.cfg'), '');
    assert.equal(findAnsibleCfg({ env: {}, cwd: project, home }), join(home, '.ansible.cfg'));
    writeFileSync(join(project, 'ansible.cfg'), '');
    assert.equal(findAnsibleCfg({ env: {}, cwd: project, home }), join(project, 'ansible.cfg'));
    assert.equal(findAnsibleCfg({ env: { ANSIBLE_CONFIG: dir }, cwd: project, home }), join(dir, 'ansible.cfg'));
    assert.equal(
      findAnsibleCfg({ env: { ANSIBLE_CONFIG: join(dir, 'ansible.cfg') }, cwd: project, home }),
      join(dir, 'ansible.cfg'),
    );
    // a world-writable directory's ansible.cfg is skipped, as Ansible skips it
    chmodSync(project, 0o777);
    assert.equal(findAnsibleCfg({ env: {}, cwd: project, home }), join(home, '.ansible.cfg'));
  });

  it('a line that is not configparser syntax, or a value of the wrong type, names file and line', () => {
    assert.throws(
      () => parseAnsibleCfg('[defaults]\nforks 5\n', 'a.cfg'),
      (e: unknown) => e instanceof AnsibleCfgError && e.message.startsWith('a.cfg:2: '),
    );
    assert.throws(() => parseAnsibleCfg('forks = 5\n', 'a.cfg'), /a.cfg:1: a setting before any \[section\]/);
    assert.throws(
      () => ansibleSettings(parseAnsibleCfg('[defaults]\nforks = many\n', 'a.cfg'), {}, '/h'),
      (e: unknown) => e instanceof AnsibleSettingError && /a.cfg:2: "many" is not a whole number/.test(e.message),
    );
    assert.throws(
      () => ansibleSettings(undefined, { ANSIBLE_HOST_KEY_CHECKING: 'maybe' }, '/h'),
      /ANSIBLE_HOST_KEY_CHECKING: "maybe" is not a boolean/,
    );
  });
});
