import { shellQuote } from '../remote/quote.ts';
import { planFailed, planOk, resolve, task } from '../tasks/task.ts';
import type { Applied, ApplyContext, Host, Param, Plan, Task, TaskOptions } from '../tasks/types.ts';
import type { Fact } from '../remote/facts.ts';
import { lastLine } from './last-line.ts';

/** The package managers `package` knows. */
export type PackageManager = 'apt' | 'dnf' | 'yum' | 'zypper';

/** Parameters of `package`. */
export interface PackageParams extends Omit<TaskOptions, 'name'> {
  /** The package's name as its package manager knows it (e.g. `nginx`), or a list; not the task's name. */
  name: Param<string | readonly string[]>;
  /** The task's name (default `package <name>`): `name` is the package's, as in Ansible's module. */
  taskName?: string;
  /** Default `present`; `latest`: the newest version the package manager offers; `absent`: removed. */
  state?: 'present' | 'absent' | 'latest';
  /** present: an older installed version is upgraded, and the task fails when none new enough is offered. */
  minVersion?: Param<string>;
}

/** What the package manager says about one package. */
export interface PackageState {
  /** The host's package manager (`none`: it has none of them). */
  manager: PackageManager | 'none';
  /** The installed version, or null. */
  installed: string | null;
  /** The newest version the package manager would install, or null when it offers none. */
  candidate: string | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9.+_@~-]*$/;

/**
 * One read-only command: which package manager the host has (apt, dnf, yum, zypper, in that
 * order), the package's installed version (dpkg-query / rpm -q), and the version it would install
 * (apt-cache policy's Candidate, dnf repoquery, yum list, zypper info).
 */
export function packageFact(name: string): Fact<PackageState> {
  const script = [
    `n=${shellQuote(name)}`,
    'if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then m=apt',
    'elif command -v dnf >/dev/null 2>&1; then m=dnf',
    'elif command -v yum >/dev/null 2>&1; then m=yum',
    'elif command -v zypper >/dev/null 2>&1; then m=zypper',
    'else echo manager:none; exit 0; fi',
    'echo "manager:$m"',
    'case $m in',
    // dpkg's own abbreviation: "ii " is installed; "rc " (config files left) is not
    `apt) s=$(dpkg-query -W -f='\${db:Status-Abbrev}|\${Version}' "$n" 2>/dev/null); case "$s" in ii*) echo "installed:\${s#*|}";; esac`,
    `  c=$(LC_ALL=C apt-cache policy "$n" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | head -n 1); [ -n "$c" ] && [ "$c" != '(none)' ] && echo "candidate:$c";;`,
    // rpm -q prints "package x is not installed" on stdout, with exit 1: only its exit status tells
    `*) if v=$(rpm -q --qf '%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n' "$n" 2>/dev/null); then v=$(printf '%s\\n' "$v" | tail -n 1); echo "installed:\${v#0:}"; else v=; fi`,
    '  case $m in',
    `  dnf) c=$(dnf -q repoquery --latest-limit=1 --qf '%{epoch}:%{version}-%{release}\\n' "$n" 2>/dev/null | tail -n 1); c=\${c#0:};;`,
    `  yum) c=$(yum -q list available "$n" 2>/dev/null | awk 'NF>=3 && $1 != "Available" {v=$2} END {print v}'); [ -n "$c" ] || { [ -n "$v" ] && c=\${v#0:}; };;`,
    `  zypper) c=$(LC_ALL=C zypper -n -q info "$n" 2>/dev/null | sed -n 's/^Version *: *//p' | head -n 1);;`,
    '  esac; [ -n "$c" ] && echo "candidate:$c";;',
    'esac',
    'true',
  ].join('\n');
  return {
    command: script,
    parse(output, code, stderr) {
      if (code !== 0)
        throw new Error(
          `cannot ask the package manager about ${name}: ${stderr.trim().split('\n').pop() || `exit ${code}`}`,
        );
      const field = (key: string) => new RegExp(`^${key}:(.*)$`, 'm').exec(output)?.[1]?.trim() || null;
      const manager = (field('manager') ?? 'none') as PackageState['manager'];
      return { manager, installed: field('installed'), candidate: field('candidate') };
    },
  };
}

// --- version comparison, as dpkg does it (epoch, then upstream version, then revision) ---

const order = (c: string) =>
  c === '~' ? -1 : c === '' ? 0 : /[A-Za-z]/.test(c) ? c.charCodeAt(0) : c.charCodeAt(0) + 256;

function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // non-digits: letters sort before other characters, `~` before everything, even the end
    while ((i < a.length && !/\d/.test(a[i]!)) || (j < b.length && !/\d/.test(b[j]!))) {
      const x = i < a.length && !/\d/.test(a[i]!) ? a[i]! : '';
      const y = j < b.length && !/\d/.test(b[j]!) ? b[j]! : '';
      const d = order(x) - order(y);
      if (d !== 0) return d < 0 ? -1 : 1;
      if (x) i++;
      if (y) j++;
    }
    let x = '';
    let y = '';
    while (i < a.length && /\d/.test(a[i]!)) x += a[i++];
    while (j < b.length && /\d/.test(b[j]!)) y += b[j++];
    const d = BigInt(x || '0') - BigInt(y || '0');
    if (d !== 0n) return d < 0n ? -1 : 1;
  }
  return 0;
}

function splitVersion(v: string): [number, string, string] {
  const colon = v.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? Number(v.slice(0, colon)) : 0;
  const rest = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, ''];
}

/** -1, 0 or 1: package versions compared as dpkg does (`1:2.0-1` > `1.9`, `1.10` > `1.9`, `1.0~rc1` < `1.0`). */
export function comparePackageVersions(a: string, b: string): -1 | 0 | 1 {
  const [ea, ua, ra] = splitVersion(a.trim());
  const [eb, ub, rb] = splitVersion(b.trim());
  if (ea !== eb) return ea < eb ? -1 : 1;
  const u = comparePart(ua, ub);
  if (u !== 0) return u < 0 ? -1 : 1;
  const r = comparePart(ra, rb);
  return r < 0 ? -1 : r > 0 ? 1 : 0;
}

// --- apply ---

const APT =
  'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';

/** The non-interactive command that installs, upgrades or removes one package. */
export function packageCommand(
  manager: PackageManager,
  action: 'install' | 'upgrade' | 'remove',
  list: readonly string[],
): string {
  const n = list.map(shellQuote).join(' ');
  switch (manager) {
    case 'apt':
      return action === 'remove'
        ? `${APT} remove ${n}`
        : action === 'upgrade'
          ? `${APT} install --only-upgrade ${n}`
          : `${APT} install ${n}`;
    case 'dnf':
    case 'yum':
      return `${manager} -y ${action} ${n}`;
    case 'zypper':
      return `zypper --non-interactive ${action === 'upgrade' ? 'update' : action} ${n}`;
  }
}

const QUERY: Record<PackageManager, (name: string) => string> = {
  apt: (n) => `apt-cache policy ${n}`,
  dnf: (n) => `dnf repoquery ${n}`,
  yum: (n) => `yum list available ${n}`,
  zypper: (n) => `zypper info ${n}`,
};

/** What one package needs: nothing, a change, or it cannot be done (the message says why). */
type Need =
  | { kind: 'ok'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'change'; action: Action; message: string };

type Action = 'install' | 'upgrade' | 'remove';

function need(
  name: string,
  pkg: PackageState,
  manager: PackageManager,
  state: 'present' | 'absent' | 'latest',
  minVersion: string | undefined,
): Need {
  const query = QUERY[manager](name);
  const enough = (v: string | null) =>
    v !== null && (minVersion === undefined || comparePackageVersions(v, minVersion) >= 0);
  if (state === 'absent') {
    return pkg.installed === null
      ? { kind: 'ok', message: `${name} is not installed` }
      : { kind: 'change', action: 'remove', message: `remove ${name} ${pkg.installed}` };
  }
  if (pkg.installed === null) {
    if (pkg.candidate === null)
      return {
        kind: 'failed',
        message: `package ${name} is not installed and ${manager} offers no version of it (\`${query}\`): check the name, or add its repository and refresh the package lists`,
      };
    if (!enough(pkg.candidate))
      return {
        kind: 'failed',
        message: `package ${name}: ${manager} offers ${pkg.candidate}, older than minVersion ${minVersion} (\`${query}\`): add a repository that has ${minVersion} or later`,
      };
    return { kind: 'change', action: 'install', message: `install ${name} ${pkg.candidate}` };
  }
  if (!enough(pkg.installed)) {
    if (!enough(pkg.candidate)) {
      return {
        kind: 'failed',
        message: `package ${name} ${pkg.installed} is older than minVersion ${minVersion} and ${manager} offers ${pkg.candidate ?? 'nothing newer'} (\`${query}\`): add a repository that has ${minVersion} or later`,
      };
    }
    return { kind: 'change', action: 'upgrade', message: `upgrade ${name} ${pkg.installed} → ${pkg.candidate}` };
  }
  if (state === 'latest' && pkg.candidate !== null && comparePackageVersions(pkg.candidate, pkg.installed) > 0) {
    return { kind: 'change', action: 'upgrade', message: `upgrade ${name} ${pkg.installed} → ${pkg.candidate}` };
  }
  const latest = state === 'latest' ? ', the newest offered' : '';
  return {
    kind: 'ok',
    message: `${name} ${pkg.installed} is installed${latest}${minVersion !== undefined ? ` (minVersion ${minVersion})` : ''}`,
  };
}

const names = (value: string | readonly string[]): readonly string[] => (typeof value === 'string' ? [value] : value);

/**
 * System packages, through the host's own package manager (apt, dnf, yum or zypper, detected).
 * The plan asks the package manager what is installed and what it would install, and changes
 * nothing (so `--check` says "would install nginx 1.24.0-2"); the apply runs it non-interactively
 * (one command for all the packages of a task) and checks the result with the package manager
 * again. The package lists are not refreshed (no `apt-get update`): `latest` means the newest in
 * the lists the host has; refresh them with a `command` task first when that matters. `name` is
 * the package's name (or a list of names); the task's own name, when the default
 * `package <name>` will not do, is `taskName`.
 */
export function packageTask(params: PackageParams): Task {
  const state = params.state ?? 'present';
  const namesOf = (host: Host) => names(resolve(params.name, host));
  const facts = (list: readonly string[]) =>
    Object.fromEntries(list.filter((n) => NAME.test(n)).map((n) => [n, packageFact(n)]));
  const shown = typeof params.name === 'function' ? '' : names(params.name).join(', ');
  return task(
    { ...params, name: params.taskName },
    {
      module: 'package',
      defaultName: `package ${shown}${state === 'present' ? '' : ` ${state}`}`.trim(),
      facts: (host): Record<string, Fact<unknown>> => facts(namesOf(host)),
      async plan(ctx): Promise<Plan> {
        const list = namesOf(ctx);
        if (list.length === 0) return planFailed('package: no package name given');
        const bad = list.find((n) => !NAME.test(n));
        if (bad !== undefined)
          return planFailed(
            `package name "${bad}" is not a package name (letters, digits and . + _ @ ~ -): give the name alone, without a version or options`,
          );
        const minVersion = resolve(params.minVersion, ctx);
        const found = await ctx.gather(facts(list));
        const manager = found[list[0]!]!.manager;
        if (manager === 'none')
          return planFailed(
            `no package manager on ${ctx.name} (looked for apt-get, dnf, yum, zypper): install ${list.join(', ')} another way`,
          );
        const needs = list.map((n) => ({ name: n, ...need(n, found[n]!, manager, state, minVersion) }));
        const failed = needs.filter((x) => x.kind === 'failed');
        if (failed.length) return planFailed(failed.map((x) => x.message).join('; '));
        const changes = needs.filter((x): x is typeof x & { kind: 'change'; action: Action } => x.kind === 'change');
        if (changes.length === 0) return planOk(needs.map((x) => x.message).join('; '));
        return {
          status: 'change',
          message: changes.map((x) => x.message).join(', '),
          async apply(actx) {
            const done: string[] = [];
            for (const action of ['remove', 'install', 'upgrade'] as const) {
              const these = changes.filter((x) => x.action === action).map((x) => x.name);
              if (these.length === 0) continue;
              const outcome = await applyAction(actx, manager, action, these, minVersion);
              if (outcome.failed)
                return {
                  ...outcome,
                  ...(done.length ? { failed: `${outcome.failed} (already done: ${done.join(', ')})` } : {}),
                };
              done.push(outcome.message!);
            }
            return { message: done.join(', ') };
          },
        };
      },
    },
  );
}

/** Runs one install/upgrade/remove of some packages, then asks the package manager how they are. */
async function applyAction(
  ctx: ApplyContext,
  manager: PackageManager,
  action: Action,
  list: readonly string[],
  minVersion: string | undefined,
): Promise<Applied> {
  const command = packageCommand(manager, action, list);
  const result = await ctx.exec(command);
  const shown = command.replace(/^DEBIAN_FRONTEND=noninteractive /, '');
  if (result.code !== 0) {
    return {
      rc: result.code,
      stdout: result.stdout,
      stderr: result.stderr,
      failed: `\`${shown}\` failed (exit ${result.code}: ${lastLine(result.stderr || result.stdout)}): run it on the host to see why, fix that, then rerun`,
    };
  }
  // The package manager's word after the fact, not the command's exit status alone.
  const words: string[] = [];
  for (const name of list) {
    const fact = packageFact(name);
    const check = await ctx.read(fact.command);
    const after = fact.parse(check.stdout, check.code, check.stderr);
    if (action === 'remove') {
      if (after.installed !== null)
        return { failed: `\`${shown}\` succeeded but ${name} ${after.installed} is still installed: look at the host` };
      words.push(`removed ${name}`);
      continue;
    }
    if (after.installed === null)
      return { failed: `\`${shown}\` succeeded but ${name} is not installed: look at the host` };
    if (minVersion && comparePackageVersions(after.installed, minVersion) < 0) {
      return {
        failed: `${name} ${after.installed} is installed, older than minVersion ${minVersion}: add a repository that has ${minVersion} or later`,
      };
    }
    words.push(`${action === 'upgrade' ? 'upgraded' : 'installed'} ${name} ${after.installed}`);
  }
  return { message: words.join(', ') };
}

/** `package` is a reserved word in strict mode; the module is exported as `package` from `sls-play`. */
export { packageTask as package };
