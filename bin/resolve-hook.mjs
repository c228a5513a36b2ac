// Module resolution hook for the compiled CLI: a playbook's `import … from 'sls-play'` (or
// 'sls-play/sls') gets the very modules the CLI runs, not a second copy compiled from src/, so
// what the CLI and the playbook share (registered secrets, classes checked with instanceof) is one.
let specifiers = {};

export function initialize(data) {
  specifiers = data.specifiers;
}

export function resolve(specifier, context, nextResolve) {
  const url = specifiers[specifier];
  return url ? { url, shortCircuit: true } : nextResolve(specifier, context);
}
