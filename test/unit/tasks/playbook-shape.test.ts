import { test } from 'node:test';
import assert from 'node:assert/strict';
import { playbook } from '../../../src/playbook/define.ts';
import { custom, planOk } from '../../../src/tasks/task.ts';
import { selectedByTags } from '../../../src/runner/tags.ts';
import { adhocTask } from '../../../src/cli/adhoc-modules.ts';
import { listTasks } from '../../../src/cli/list-tasks.ts';

const noop = (name: string, extra: Parameters<typeof custom>[0] extends infer O ? Partial<O> : never = {}) =>
  custom({ name, plan: async () => planOk('fine'), ...extra });

test('a notify that names no handler is an error when the playbook loads, naming both', () => {
  assert.throws(
    () =>
      playbook({ name: 'web', tasks: [noop('motd', { notify: 'restart ngnix' })], handlers: [noop('restart nginx')] }),
    /task "motd" notifies "restart ngnix", which no handler is named or listens to \(handlers: "restart nginx"\)/,
  );
});

test('a handler answers to its name and to its listen topics', () => {
  const handler = noop('restart nginx (systemd)', { listen: 'restart web' });
  assert.doesNotThrow(() =>
    playbook({
      name: 'web',
      tasks: [noop('a', { notify: 'restart web' }), noop('b', { notify: 'restart nginx (systemd)' })],
      handlers: [handler],
    }),
  );
});

test('two handlers of one name, or a restore of a task outside the playbook, are errors', () => {
  assert.throws(() => playbook({ name: 'p', tasks: [], handlers: [noop('h'), noop('h')] }), /two handlers named "h"/);
  const stranger = noop('elsewhere');
  assert.throws(
    () => playbook({ name: 'p', tasks: [noop('restart', { onFailure: { restore: stranger } })] }),
    /restores "elsewhere" on failure, which is not a task of this playbook/,
  );
});

test('--tags and --skip-tags select as Ansible does (always, never, all)', () => {
  assert.equal(selectedByTags([], {}), true);
  assert.equal(selectedByTags(['config'], { tags: ['config'] }), true);
  assert.equal(selectedByTags(['restart'], { tags: ['config'] }), false);
  assert.equal(selectedByTags([], { tags: ['config'] }), false);
  assert.equal(selectedByTags(['always'], { tags: ['config'] }), true);
  assert.equal(selectedByTags(['config'], { skipTags: ['config'] }), false);
  assert.equal(selectedByTags(['always'], { skipTags: ['always'] }), false);
  assert.equal(selectedByTags(['never', 'debug'], {}), false);
  assert.equal(selectedByTags(['never', 'debug'], { tags: ['debug'] }), true);
  assert.equal(selectedByTags(['x'], { tags: ['all'] }), true);
});

test('run: key=value words become checked module parameters; mistakes name the word', () => {
  const task = adhocTask('service', ['unit=sophoslinuxsensor', 'state=restarted']);
  assert.equal(task.module, 'service');
  assert.equal(task.name, 'service sophoslinuxsensor restarted');
  assert.equal(adhocTask('file', ['path=/etc/motd', 'content=hi there', 'mode=0644']).name, 'file /etc/motd');
  assert.equal(adhocTask('command', ['cmd=uptime', 'read_only=true']).module, 'command');
  assert.throws(() => adhocTask('serivce', ['unit=x']), /no module "serivce"; modules: .*service/);
  assert.throws(
    () => adhocTask('service', ['unit=x', 'state=bounced']),
    /state=bounced; choose one of started, stopped, restarted, reloaded/,
  );
  assert.throws(() => adhocTask('file', ['path=/x', 'mode=rw']), /mode=rw is not an octal mode/);
  assert.throws(() => adhocTask('file', ['content=hi']), /path=… is required/);
  assert.throws(() => adhocTask('file', ['path=/x', 'colour=red']), /no parameter "colour"/);
  assert.throws(() => adhocTask('file', ['path']), /"path" is not key=value/);
});

test("--list-tasks lists tasks with their tags in ansible-playbook's layout, then handlers, after the tag filter", () => {
  const restart = noop('restart sensor');
  const book = playbook({
    name: 'demo',
    facts: () => ({}),
    tasks: [noop('motd', { tags: ['motd'], notify: 'restart sensor' }), noop('config', { tags: ['config'] })],
    handlers: [restart],
  });
  const text = listTasks('playbooks/demo.ts', book, [{ name: 'web-01', vars: {} }], { skipTags: ['motd'] });
  assert.equal(
    text,
    '\nplaybook: playbooks/demo.ts\n\n  play #1 (all): demo\tTAGS: []\n    tasks:\n      config\tTAGS: [config]\n    handlers:\n      restart sensor\n',
  );
});

test('run knows lineinfile, package (a comma list) and wait_for too', () => {
  assert.equal(
    adhocTask('lineinfile', ['path=/etc/ssh/sshd_config', 'regexp=^PermitRootLogin', 'line=PermitRootLogin no']).module,
    'lineInFile',
  );
  assert.equal(adhocTask('package', ['name=curl,jq', 'state=present']).module, 'package');
  assert.equal(adhocTask('wait_for', ['port=22', 'timeout=5']).module, 'waitFor');
  assert.throws(() => adhocTask('package', ['name=curl', 'state=newest']), /choose one of present, absent, latest/);
});

test('a when that throws fails that host with the reason; the run goes on', async () => {
  const { runHost } = await import('../../../src/runner/host-run.ts');
  const { Redactor } = await import('../../../src/secrets/redactor.ts');
  const events: string[] = [];
  const connection = { exec: async () => ({ code: 0, stdout: '', stderr: '' }), close: async () => undefined } as never;
  const book = playbook({
    name: 'p',
    tasks: [
      noop('picky', {
        when: () => {
          throw new Error('sls_deployment is a mapping; set it to package or container');
        },
      }),
      noop('later'),
    ],
  });
  const report = await runHost(
    { name: 'web-01', vars: {} },
    book,
    async () => connection,
    { check: false, diff: false, become: false, redactor: new Redactor() },
    (e) => events.push(e.type),
    () => false,
  );
  assert.equal(report.status, 'failed');
  assert.deepEqual(
    report.steps.map((s) => [s.name, s.status]),
    [['picky', 'failed']],
  );
  assert.match(report.steps[0]!.message, /sls_deployment is a mapping/);
});
