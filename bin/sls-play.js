#!/usr/bin/env node
// Runs the compiled CLI in dist/. An installed package ships dist/ built; in a checkout of the
// sources, dist/ is built first when a source changed since (bin/build.mjs, esbuild: about a
// second), so `node bin/sls-play.js` always runs the sources as they are. The user's playbooks
// are loaded by the CLI through tsx (src/base/ts-import.ts).
import { existsSync } from 'node:fs';

if (existsSync(new URL('../src/cli/main.ts', import.meta.url))) {
  const { isFresh, buildJavaScript } = await import('./build.mjs');
  if (!isFresh()) await buildJavaScript();
}
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
