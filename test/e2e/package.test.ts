// The package as a user gets it (test/helpers/packed.ts): packed, installed with --ignore-scripts
// into a new "type": "commonjs" project outside the checkout. From there: `sls-play init`, tsc over
// the scaffolded playbook and hand-written ones (zero errors; a misspelt option caught), and
// deploys of a user playbook (.ts, .mts, .cts) and the bundled SLS playbook to simulated hosts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { installPacked, runBin, runProgram, type InstalledProject } from '../helpers/packed.ts';
import { readFile } from './module-helpers.ts';

let project: InstalledProject;
let fleet: Fleet;
const sls = (args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) =>
  runBin(project.dir, 'sls-play', args, options);
const tsc = (args: string[], cwd = project.dir) => runBin(project.dir, 'tsc', args, { cwd });
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(project.dir, path)), { recursive: true });
  writeFileSync(join(project.dir, path), text);
};
const fleetArgs = () => [fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath];

const TOKEN = 'user-playbook-token-7Hq2Vw9Kx4Ld';
// A playbook as a user writes it: ES module syntax whatever the file's extension or package type.
const userPlaybook = (name: string) => `import { file, playbook, registerSecret, type Host } from 'sls-play';

// a secret the playbook registers itself: the CLI masks it, so they share one sls-play
registerSecret('${TOKEN}');
const target = (host: Host) => \`/etc/sophos/\${String(host.vars.out)}.conf\`;

export default playbook({
  name: '${name}',
  tasks: [file({ name: 'settings', path: target, content: 'motto = ${TOKEN}\\n', mode: 0o600, notify: 'show it' })],
  handlers: [file({ name: 'show it', path: (host) => \`\${target(host)}.seen\`, content: 'seen\\n' })],
});
`;

before(
  async () => {
    [project, fleet] = await Promise.all([
      installPacked(),
      startFleet(
        [
          { name: 'pk-01', config: OPERATOR_CONFIG },
          { name: 'pk-02', config: OPERATOR_CONFIG },
        ],
        { subnet: 190 },
      ),
    ]);
    for (const ext of ['ts', 'mts', 'cts']) write(`playbooks/user.${ext}`, userPlaybook(`user .${ext}`));
  },
  { timeout: 600_000 },
);

after(async () => {
  await fleet?.stop();
  if (project) rmSync(project.dir, { recursive: true, force: true });
  if (project) rmSync(dirname(project.packed.tarball), { recursive: true, force: true });
});

test('the tarball holds the compiled package, its declarations, the bin and the bundled playbooks, and nothing else', () => {
  const files = project.packed.files;
  for (const file of [
    'package.json',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'bin/sls-play.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/sls/index.js',
    'dist/sls/index.d.ts',
    'dist/cli/main.js',
    'playbooks/sls-central.ts',
  ]) {
    assert.ok(files.includes(file), `${file} is in the tarball`);
  }
  const stray = files.filter(
    (f) =>
      !/^(dist\/.+\.(js|d\.ts)|bin\/sls-play\.js|playbooks\/[\w-]+\.ts|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(
        f,
      ),
  );
  assert.deepEqual(stray, []);
  assert.ok(
    !files.some((f) => /(^|\/)(test|bench|fixtures|src)\//.test(f)),
    'no tests, benchmarks, fixtures or sources',
  );
  const manifest = JSON.parse(readFileSync(join(project.dir, 'node_modules', 'sls-play', 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
    exports: unknown;
  };
  assert.deepEqual(
    Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?install$|^prepare$/.test(s)),
    [],
    'nothing to run at install time',
  );
  assert.deepEqual(manifest.exports, {
    '.': { types: './dist/index.d.ts', import: './dist/index.js' },
    './sls': { types: './dist/sls/index.d.ts', import: './dist/sls/index.js' },
  });
});

/**
 * Public names without a JSDoc comment in the installed declaration files: every name
 * `sls-play` and `sls-play/sls` export, and every member of the interfaces among them (what an
 * editor shows on hover).
 */
function undocumented(dist: string): string[] {
  const missing: string[] = [];
  for (const entry of ['index.d.ts', 'sls/index.d.ts']) {
    const text = readFileSync(join(dist, entry), 'utf8');
    for (const [, names, from] of text.matchAll(/export (?:type )?\{([^}]*)\} from '([^']+)'/g)) {
      const file = join(dirname(join(dist, entry)), from!.replace(/\.js$/, '.d.ts'));
      const lines = readFileSync(file, 'utf8').split('\n');
      const documented = (i: number) => /\*\/\s*$/.test(lines[i - 1] ?? '');
      for (const name of names!
        .split(',')
        .map((n) =>
          n
            .replace(/^\s*type\s+/, '')
            .split(' as ')[0]!
            .trim(),
        )
        .filter(Boolean)) {
        const at = lines.findIndex((l) =>
          new RegExp(`^export (declare )?(function|const|class|interface|type|abstract class) ${name}\\b`).test(l),
        );
        if (at < 0) continue; // re-exported under another name (`package`), or from elsewhere: documented there
        if (!documented(at)) missing.push(name);
        if (!/^export (declare )?interface /.test(lines[at]!)) continue;
        for (let i = at + 1; i < lines.length && lines[i] !== '}'; i++) {
          const member = /^ {4}(?:readonly )?([A-Za-z_$][\w$]*)\??[(:]/.exec(lines[i]!);
          if (member && !documented(i)) missing.push(`${name}.${member[1]}`);
        }
      }
    }
  }
  return missing;
}

test('every export of sls-play and sls-play/sls, and every option of them, has JSDoc', () => {
  assert.deepEqual(undocumented(join(project.dir, 'node_modules', 'sls-play', 'dist')), []);
});

test('--version and --help work from the installed package', async () => {
  const version = await sls(['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(
    version.stdout.trim(),
    JSON.parse(readFileSync(join(project.dir, 'node_modules', 'sls-play', 'package.json'), 'utf8')).version,
  );
  const help = await sls(['--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^ {2}init \[dir\] +create a project for your own playbooks/m);
});

test('sls-play init scaffolds a project that type-checks, and never overwrites a file', async () => {
  const init = await runProgram('npx', ['--no-install', 'sls-play', 'init', 'ops'], { cwd: project.dir });
  assert.equal(init.code, 0, init.stderr);
  for (const file of [
    'package.json',
    'tsconfig.json',
    'playbooks/example.ts',
    'inventory/prod/hosts.yml',
    'inventory/prod/group_vars/all.yml',
    '.gitignore',
    'README.md',
  ]) {
    assert.ok(existsSync(join(project.dir, 'ops', file)), `ops/${file} written`);
  }
  const pkg = JSON.parse(readFileSync(join(project.dir, 'ops', 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  assert.ok(
    pkg.devDependencies['sls-play'] && pkg.devDependencies.typescript,
    'package.json asks for sls-play and typescript',
  );
  const vars = readFileSync(join(project.dir, 'ops', 'inventory/prod/group_vars/all.yml'), 'utf8');
  assert.match(vars, /^# sls_region: /m);
  assert.match(vars, /SLS_API_KEY/);
  const checked = await tsc(['-p', 'ops']);
  assert.equal(checked.code, 0, `tsc over the scaffolded project:\n${checked.stdout}`);

  writeFileSync(join(project.dir, 'ops', 'README.md'), 'mine\n');
  const again = await sls(['init', 'ops']);
  assert.equal(again.code, 5);
  assert.match(
    again.stderr,
    /^sls-play: init: ops already has package\.json, tsconfig\.json, playbooks\/example\.ts, .*README\.md; sls-play init never overwrites/,
  );
  assert.equal(readFileSync(join(project.dir, 'ops', 'README.md'), 'utf8'), 'mine\n');
});

test('a hand-written playbook type-checks under tsc --init defaults and under nodenext + strict with the declarations checked too', async () => {
  // tsc --init's own defaults, in an ES module directory
  write('init-defaults/package.json', '{ "type": "module" }\n');
  write('init-defaults/playbooks/user.ts', userPlaybook('user'));
  const init = await tsc(['--init'], join(project.dir, 'init-defaults'));
  assert.equal(init.code, 0, init.stdout);
  const defaults = await tsc(['-p', 'init-defaults']);
  assert.equal(defaults.code, 0, `tsc --init defaults:\n${defaults.stdout}`);

  // nodenext, strict, and sls-play's own declaration files checked (no skipLibCheck), over the
  // playbooks (.ts, .mts, .cts) of the "type": "commonjs" project npm init made
  write(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: { module: 'nodenext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
      include: ['playbooks'],
    }),
  );
  const strict = await tsc(['-p', '.']);
  assert.equal(strict.code, 0, `tsc nodenext + strict:\n${strict.stdout}`);
});

test('a wrong parameter is a compile error that names it', async () => {
  write(
    'bad/tsconfig.json',
    JSON.stringify({
      compilerOptions: { module: 'nodenext', strict: true, noEmit: true, skipLibCheck: true },
      include: ['*.ts'],
    }),
  );
  write('bad/package.json', '{ "type": "module" }\n');
  write(
    'bad/bad.ts',
    `import { file, playbook, service } from 'sls-play';
export default playbook({
  name: 'bad',
  tasks: [file({ path: '/etc/motd', contnet: 'hello\\n' }), service({ unit: 'ssh', state: 'started', waitActive: '20' }), file({ path: '/etc/issue', content: 'x', mode: 'rw-r--r--' }), file({ path: '/etc/issue.net', content: 'x', mode: '0644' })],
});
`,
  );
  const run = await tsc(['-p', 'bad']);
  assert.notEqual(run.code, 0, run.stdout);
  assert.match(
    run.stdout,
    /bad\.ts\(4,\d+\): error TS2561: Object literal may only specify known properties, but 'contnet' does not exist in type 'FileParams'\. Did you mean to write 'content'\?/,
  );
  assert.match(
    run.stdout,
    /bad\.ts\(4,\d+\): error TS2322: Type 'string' is not assignable to type 'Param<number> \| undefined'/,
  );
  // a mode as Ansible writes it ('0644') is fine; one that is not octal is named
  assert.match(
    run.stdout,
    /bad\.ts\(4,\d+\): error TS2322: Type '"rw-r--r--"' is not assignable to type 'Param<FileMode> \| undefined'/,
  );
  assert.equal(run.stdout.match(/error TS/g)?.length, 3, run.stdout);
});

test('a user playbook deploys from the commonjs project as .ts, .mts and .cts, its secret masked by the CLI', async () => {
  for (const ext of ['ts', 'mts', 'cts']) {
    const run = await sls([
      'deploy',
      ...fleetArgs(),
      '-p',
      `playbooks/user.${ext}`,
      '-e',
      `out=user-${ext}`,
      '--diff',
      '-v',
    ]);
    assert.equal(run.code, 0, `.${ext}: ${run.stderr}`);
    const output = run.stdout + run.stderr;
    assert.ok(!output.includes(TOKEN), `.${ext}: the playbook's secret is masked`);
    assert.match(output, /^\+motto = \*{8}$/m, `.${ext}: the diff shows the mask`);
    for (const name of ['pk-01', 'pk-02']) {
      assert.equal(readFile(fleet.host(name), `user-${ext}.conf`), `motto = ${TOKEN}\n`);
      assert.equal(readFile(fleet.host(name), `user-${ext}.conf.seen`), 'seen\n', 'the handler ran');
    }
  }
});

test('the scaffolded example playbook deploys, and runs its handler only when something changed', async () => {
  const args = [
    'deploy',
    ...fleetArgs(),
    '-p',
    'playbooks/example.ts',
    '-e',
    'motd_path=/etc/sophos/motd',
    '-e',
    'team=platform',
    '--json',
  ];
  const first = await sls(args, { cwd: join(project.dir, 'ops') });
  assert.equal(first.code, 0, first.stderr);
  const doc = JSON.parse(first.stdout) as {
    tool: { name: string; version: string };
    format: number;
    summary: Record<string, number>;
    hosts: Record<string, { steps: { name: string }[] }>;
  };
  assert.deepEqual(doc.summary, { ok: 0, changed: 2, failed: 0, unreachable: 0, skipped: 0 });
  assert.equal(doc.tool.name, 'sls-play');
  assert.equal(doc.format, 1);
  assert.ok(
    doc.hosts['pk-01']!.steps.some((s) => s.name === 'print the new message'),
    'the handler ran',
  );
  assert.equal(readFile(fleet.host('pk-01'), 'motd'), 'Managed by sls-play for platform.\n');
  const again = await sls(args, { cwd: join(project.dir, 'ops') });
  const second = JSON.parse(again.stdout) as typeof doc;
  assert.deepEqual(second.summary, { ok: 2, changed: 0, failed: 0, unreachable: 0, skipped: 0 });
  assert.ok(!second.hosts['pk-01']!.steps.some((s) => s.name === 'print the new message'), 'no change, no handler');
});

test('the bundled SLS playbook deploys from the installed package, the API key in no output', async () => {
  const key = 'e2e-package-key-5Tz8Qw1Nb6Rc';
  const args = ['deploy', ...fleetArgs(), '-e', 'sls_region=eu-west-1', '--json'];
  const check = await sls([...args, '--check', '--diff'], { env: { SLS_API_KEY: key } });
  assert.equal(check.code, 0, check.stderr);
  assert.ok(!check.stdout.includes(key) && !check.stderr.includes(key), 'the key is masked in the diff');
  const deploy = await sls(args, { env: { SLS_API_KEY: key } });
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.deepEqual(JSON.parse(deploy.stdout).summary, { ok: 0, changed: 2, failed: 0, unreachable: 0, skipped: 0 });
  assert.ok(!deploy.stdout.includes(key) && !deploy.stderr.includes(key));
  assert.match(readFile(fleet.host('pk-01'), 'runtimedetections.yaml'), /mcs/);
});

test('a TypeScript inventory module loads in the commonjs project', async () => {
  write('inventory/ts/hosts.ts', `export default { all: { hosts: { 'ts-01': { ansible_host: '127.0.0.1' } } } };\n`);
  const run = await sls(['inventory', 'inventory/ts', '--list']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout)._meta.hostvars['ts-01'], { ansible_host: '127.0.0.1' });
});
