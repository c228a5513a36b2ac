import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from './package-root.ts';

// Module hooks, run before tsx's:
// - `sls-play` and `sls-play/sls` are this CLI's own modules, whichever copy the user's project
//   holds, so a playbook and the CLI share one instance (a secret the playbook registers is masked);
// - the user's TypeScript loads as an ES module whatever their package.json's "type": in a
//   "commonjs" project tsx would load `import … from` as CommonJS, which cannot require() the
//   ES module sls-play is.
const HOOKS = `
let own = {};
export function initialize(data) { own = data.own; }
const USER_TYPESCRIPT = /^file:(?!.*\\/node_modules\\/)[^?#]*\\.[cm]?ts(?:[?#]|$)/;
export async function resolve(specifier, context, nextResolve) {
  if (Object.hasOwn(own, specifier)) return { url: own[specifier], format: 'module', shortCircuit: true };
  const resolved = await nextResolve(specifier, context);
  return USER_TYPESCRIPT.test(resolved.url) ? { ...resolved, format: 'module' } : resolved;
}
`;

/** The package's exports as the files this running CLI is made of: dist/, or src/ when run from the sources. */
function ownSpecifiers(): Record<string, string> {
  const root = packageRoot();
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, { import: string }>;
  };
  const fromSources = import.meta.url.endsWith('.ts');
  return Object.fromEntries(
    Object.entries(manifest.exports).map(([subpath, target]) => {
      const file = fromSources ? target.import.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts') : target.import;
      return [`sls-play${subpath.slice(1)}`, pathToFileURL(join(root, file)).href];
    }),
  );
}

let registered: Promise<void> | undefined;

/** tsx and the hooks above, registered once, on the first TypeScript file the CLI loads. */
function registerTypeScript(): Promise<void> {
  registered ??= (async () => {
    const tsx = await import('tsx/esm/api');
    tsx.register();
    register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { own: ownSpecifiers() } });
  })();
  return registered;
}

/** Imports a module of the user's (a playbook, an inventory module), TypeScript or JavaScript. */
export async function importUserModule(path: string): Promise<{ default?: unknown }> {
  if (/\.[cm]?ts$/.test(path)) await registerTypeScript();
  return (await import(pathToFileURL(path).href)) as { default?: unknown };
}
