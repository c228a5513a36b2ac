/**
 * `sls-play init`: the files of a new project holding the user's own playbooks and inventories,
 * as pure data (path → content), so the command only has to write them.
 */

/** Versions the new project's package.json asks for. */
export interface ScaffoldVersions {
  /** sls-play's own version: the project asks for this release or a compatible later one. */
  slsPlay: string;
  /** Version ranges of typescript and @types/node sls-play is checked with. */
  typescript: string;
  typesNode: string;
}

/** A package name npm accepts, from the directory's name. */
export function packageName(dir: string): string {
  const name = dir
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '');
  return name || 'playbooks';
}

const packageJson = (name: string, v: ScaffoldVersions) =>
  `${JSON.stringify(
    {
      name,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: {
        check: 'tsc',
        deploy: 'sls-play deploy inventory/prod -p playbooks/example.ts',
      },
      devDependencies: {
        '@types/node': v.typesNode,
        'sls-play': `^${v.slsPlay}`,
        typescript: v.typescript,
      },
    },
    null,
    2,
  )}\n`;

const TSCONFIG = `{
  // Type-checks the playbooks (npm run check); sls-play runs them itself, nothing is emitted.
  "compilerOptions": {
    "target": "ES2022",
    "module": "nodenext",
    "strict": true,
    "noEmit": true,
    // playbooks may import each other as './lib.ts', as sls-play loads them
    "allowImportingTsExtensions": true,
    "verbatimModuleSyntax": true,
    "skipLibCheck": true,
    "types": ["node"]
  },
  "include": ["playbooks", "inventory"]
}
`;

const EXAMPLE = `/**
 * An example playbook: a message of the day on every host, printed again whenever it changes.
 *   npx sls-play deploy inventory/prod -p playbooks/example.ts --check --diff
 * Hover over a module or an option in your editor for what it does; sls-play's own SLS playbook
 * is node_modules/sls-play/playbooks/sls-central.ts.
 */
import { command, file, playbook, sh, type Host } from 'sls-play';

// Variables come from the inventory (group_vars/all.yml, host_vars/<host>.yml) and -e.
const motdPath = (host: Host) => String(host.vars.motd_path ?? '/etc/motd');
const team = (host: Host) => String(host.vars.team ?? 'ops');

export default playbook({
  name: 'example',
  tasks: [
    file({
      name: 'message of the day',
      path: motdPath,
      content: (host) => \`Managed by sls-play for \${team(host)}.\\n\`,
      mode: 0o644,
      notify: 'print the new message',
    }),
  ],
  // A handler runs once, after the tasks, on the hosts where a task that notifies it changed something.
  handlers: [command({ name: 'print the new message', cmd: (host) => sh\`cat \${motdPath(host)}\` })],
});
`;

const HOSTS = `# The hosts of this inventory, in Ansible's YAML layout: groups, their hosts, per-host settings.
# https://docs.ansible.com/ansible/latest/inventory_guide/intro_inventory.html
all:
  children:
    web:
      hosts:
        web-01.example.com:
        web-02.example.com:
          ansible_port: 2222
`;

const GROUP_VARS = `# Variables for every host of inventory/prod (host_vars/<host>.yml and -e take precedence).

# Log in as this user and become root through sudo (answer -K for a sudo password).
ansible_user: deploy
ansible_become: true

# For the Sophos Linux Sensor playbook (npx sls-play deploy inventory/prod): the Sophos Central
# region of your tenant (eu-west-1, Germany, us-west-2, …), or sls_mcs_url instead.
# sls_region: eu-west-1
#
# The API key is never kept here: sls-play takes it from the environment when it runs,
#   SLS_API_KEY=… npx sls-play deploy inventory/prod
# and never prints it or puts it on a command line.
`;

const GITIGNORE = `node_modules/
*.log
# result files of runs (--json-out, --junit)
results/
`;

const README = (name: string) => `# ${name}

Playbooks and inventories for [sls-play](https://www.npmjs.com/package/sls-play).

\`\`\`sh
npm install                                                        # sls-play and TypeScript
npm run check                                                      # type-check the playbooks
npx sls-play deploy inventory/prod -p playbooks/example.ts --check --diff   # what would change
\`\`\`

Then deploy without \`--check\`. The Sophos Linux Sensor playbook needs \`sls_region\` in
\`inventory/prod/group_vars/all.yml\` and the key in the environment:
\`SLS_API_KEY=… npx sls-play deploy inventory/prod\`.
`;

/** The new project's files, path (relative to its directory) → content. */
export function scaffoldFiles(name: string, versions: ScaffoldVersions): Record<string, string> {
  return {
    'package.json': packageJson(name, versions),
    'tsconfig.json': TSCONFIG,
    'playbooks/example.ts': EXAMPLE,
    'inventory/prod/hosts.yml': HOSTS,
    'inventory/prod/group_vars/all.yml': GROUP_VARS,
    '.gitignore': GITIGNORE,
    'README.md': README(name),
  };
}
