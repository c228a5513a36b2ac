#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step), so `npx sls-play` works after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
