// Whether a command line will load TypeScript of the user's at run time (a playbook, a
// TypeScript inventory), so the compiled CLI must register tsx before it starts.
import { readdirSync, statSync } from 'node:fs';

// Commands that load no TypeScript unless an argument names a .ts file or the inventory
// directory holds a TypeScript inventory module; anything else (deploy, new commands) gets tsx.
const PLAIN_COMMANDS = new Set(['status', 'exec', 'run', 'test-alert', 'inventory', 'report', 'help']);
const TYPESCRIPT = /\.[cm]?ts$/;

function holdsTypeScript(path) {
  try {
    return statSync(path).isDirectory() && readdirSync(path).some((f) => TYPESCRIPT.test(f));
  } catch {
    return false;
  }
}

/** @param {string[]} args the CLI's arguments @returns {boolean} */
export function needsTypeScript(args) {
  if (args.includes('--help') || args.includes('-h')) return false; // help loads nothing
  if (args.some((a) => TYPESCRIPT.test(a))) return true;
  const positional = args.filter((a) => !a.startsWith('-'));
  const command = positional[0];
  if (command === undefined) return false; // --help, --version
  if (!PLAIN_COMMANDS.has(command)) return true;
  // any positional argument, since an option's value (`-l web`) may come before the inventory
  return positional.slice(1).some(holdsTypeScript);
}
