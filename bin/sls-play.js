#!/usr/bin/env node
// Starts the CLI precompiled to JavaScript (bin/compiled.mjs: built by `npm ci` or on the first
// run after a source change), so `--help` or an `exec` does not compile TypeScript first. tsx is
// registered only when TypeScript must be loaded at run time (a playbook, a TypeScript
// inventory), and then a playbook's `import 'sls-play'` resolves to the same compiled modules as
// the CLI's (bin/resolve-hook.mjs). When no build can be made (a read-only install, no esbuild)
// or SLS_PLAY_TSX=1 is set, the sources run through tsx as before.
import { readFileSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { needsTypeScript } from './needs-typescript.mjs';

const argv = process.argv.slice(2);

async function compiledMain() {
  if (process.env.SLS_PLAY_TSX === '1') return undefined;
  try {
    const { compiledCli } = await import('./compiled.mjs');
    const dir = await compiledCli();
    if (needsTypeScript(argv)) {
      const specifiers = JSON.parse(readFileSync(`${dir}/exports.json`, 'utf8'));
      const { register } = await import('tsx/esm/api');
      register();
      // registered last, so it runs first: `sls-play` is the compiled modules, not src/ through tsx
      registerHooks('./resolve-hook.mjs', { parentURL: import.meta.url, data: { specifiers } });
    }
    return (await import(`${dir}/cli/main.js`)).main;
  } catch (error) {
    if (process.env.SLS_PLAY_DEBUG) process.stderr.write(`sls-play: running the sources through tsx: ${error?.message ?? error}\n`);
    return undefined;
  }
}

let main = await compiledMain();
if (!main) {
  const { register } = await import('tsx/esm/api');
  register();
  main = (await import('../src/cli/main.ts')).main;
}
process.exitCode = await main(argv);
