import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { packageName, scaffoldFiles, type ScaffoldVersions } from '../../init/scaffold.ts';
import { CliError, EXIT } from '../errors.ts';
import { packageRoot } from '../../base/package-root.ts';

/** The versions a new project asks for: this sls-play, and the TypeScript it is checked with. */
function versions(): ScaffoldVersions {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string;
    devDependencies?: Record<string, string>;
  };
  return {
    slsPlay: manifest.version,
    typescript: manifest.devDependencies?.typescript ?? 'latest',
    typesNode: manifest.devDependencies?.['@types/node'] ?? 'latest',
  };
}

/** Writes the project's files into dir; writes nothing if any of them exists. */
export function initProject(dir: string): string[] {
  const root = resolve(dir);
  const files = scaffoldFiles(packageName(basename(root)), versions());
  const existing = Object.keys(files).filter((file) => existsSync(join(root, file)));
  if (existing.length > 0) {
    const where = relative(process.cwd(), root) || '.';
    throw new CliError(
      `init: ${where} already has ${existing.join(', ')}; sls-play init never overwrites a file: choose another directory, or move them away`,
      EXIT.badOptions,
    );
  }
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content, { flag: 'wx' });
  }
  return Object.keys(files);
}

/** `sls-play init [dir]`: a new project for the user's playbooks, as `cdk init` or `pulumi new`. */
export function registerInit(program: Command, done: (code: number) => void): void {
  program
    .command('init')
    .description(
      'create a project for your own playbooks: package.json, tsconfig.json, an example playbook and inventory (never overwrites)',
    )
    .argument('[dir]', 'the project directory (created if missing)', '.')
    .action((dir: string) => {
      const written = initProject(dir);
      const cd = resolve(dir) === process.cwd() ? '' : `cd ${dir} && `;
      process.stdout.write(
        `${written.map((file) => `created ${join(dir, file)}`).join('\n')}\n\nNext:\n  ${cd}npm install\n  npm run check\n  npx sls-play deploy inventory/prod -p playbooks/example.ts --check --diff\n`,
      );
      done(EXIT.ok);
    });
}
