// `docker` on a simulated host: a container deployment runs the sensor in container `sls`.
// `exec` runs the command in the host's own namespace with the container's sensor on PATH;
// `restart` restarts the sensor with the daemon's config checks.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { insidePaths, readHost } from './host.mjs';
import { readEntries } from './journal.mjs';
import { readService, restart, start, stop } from './service.mjs';

const CONTAINER = 'sls';
const paths = insidePaths();
const host = readHost(paths);
const hasContainer = host.installed && host.deployment === 'container';
const [verb, ...rest] = process.argv.slice(2);
const err = (s) => process.stderr.write(s);

// options of `docker exec` that take a value
const EXEC_VALUED = new Set(['-u', '--user', '-e', '--env', '-w', '--workdir', '--env-file']);

function containerName(args) {
  const name = args.find((a) => !a.startsWith('-'));
  if (name === undefined) {
    err(`"docker ${verb}" requires at least 1 argument.\n`);
    process.exit(1);
  }
  if (!hasContainer || name !== CONTAINER) {
    err(`Error response from daemon: No such container: ${name}\n`);
    process.exit(1);
  }
  return name;
}

async function main() {
  switch (verb) {
    case 'exec': {
      let i = 0;
      for (; i < rest.length && rest[i].startsWith('-'); i++) if (EXEC_VALUED.has(rest[i])) i++;
      containerName(rest.slice(i, i + 1));
      const cmd = rest.slice(i + 1);
      if (cmd.length === 0) {
        err('"docker exec" requires at least 2 arguments.\n');
        return 1;
      }
      if (readService(paths).state !== 'active') {
        err(`Error response from daemon: container ${CONTAINER} is not running\n`);
        return 1;
      }
      const env = { ...process.env, PATH: `${join(paths.state, 'container-bin')}:${process.env.PATH}` };
      const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env });
      if (r.error) {
        err(`OCI runtime exec failed: exec: "${cmd[0]}": executable file not found in $PATH: unknown\n`);
        return 126;
      }
      return r.status ?? 128 + 1;
    }
    case 'restart':
    case 'start': {
      const name = containerName(rest);
      const problems = verb === 'restart' ? await restart(paths, host) : await start(paths, host);
      if (problems.length > 0) {
        err(`Error response from daemon: container ${name} exited (1): ${problems[0]}\n`);
        return 1;
      }
      process.stdout.write(`${name}\n`);
      return 0;
    }
    case 'stop': {
      const name = containerName(rest);
      stop(paths);
      process.stdout.write(`${name}\n`);
      return 0;
    }
    case 'logs': {
      containerName(rest);
      for (const e of readEntries(paths)) if (e.ident !== 'systemd') process.stdout.write(`${e.msg}\n`);
      return 0;
    }
    case 'inspect': {
      // `-f '{{.State.StartedAt}}'` asks for the start time; anything else gets the state
      const at = rest.findIndex((a) => a === '-f' || a === '--format');
      const format = at >= 0 ? rest[at + 1] : undefined;
      containerName(at >= 0 ? rest.filter((_, i) => i !== at && i !== at + 1) : rest);
      const service = readService(paths);
      if (format === '{{.State.StartedAt}}') {
        process.stdout.write(`${service.since ? new Date(service.since).toISOString() : '0001-01-01T00:00:00Z'}\n`);
        return 0;
      }
      process.stdout.write(`${service.state === 'active' ? 'running' : 'exited'}\n`);
      return 0;
    }
    case 'ps': {
      process.stdout.write('CONTAINER ID   IMAGE                 STATUS    NAMES\n');
      if (hasContainer && readService(paths).state === 'active')
        process.stdout.write(`5e1b0c2d9a7f   sophos/sls:${host.version}   Up        ${CONTAINER}\n`);
      return 0;
    }
    default:
      err(`docker: '${verb}' is not a docker command.\n`);
      return 1;
  }
}

process.exit(await main());
