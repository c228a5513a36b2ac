// The docs state the rule for secret names once, in docs/security.md, and it is the code's rule:
// every name the page gives as secret is masked, every name it gives as not secret is not, and no
// other page describes the rule its own way (with globs such as `*password*`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { isSecretName } from '../../../src/secrets/secret-names.ts';
import { documentationPages, REPO } from './markdown.ts';

const security = () => readFileSync(join(REPO, 'docs', 'security.md'), 'utf8');

function examples(label: string): string[] {
  const line = security()
    .split('\n')
    .find((l) => l.startsWith(`- ${label}: `));
  assert.ok(line, `docs/security.md lists "- ${label}: …" names`);
  return [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

test('the names docs/security.md gives as secret are secret to the code, and the others are not', () => {
  const secret = examples('secret');
  const notSecret = examples('not secret');
  assert.ok(secret.length >= 5 && notSecret.length >= 3);
  assert.deepEqual(
    secret.filter((name) => !isSecretName(name)),
    [],
    'documented as secret but not masked',
  );
  assert.deepEqual(notSecret.filter(isSecretName), [], 'documented as not secret but masked');
  for (const word of ['api_key', 'password', 'pass', 'passphrase', 'token', 'secret'])
    assert.ok(security().includes(`\`${word}\``), `docs/security.md names the word ${word}`);
});

test('no other page describes the secret-name rule with globs of its own', () => {
  const glob =
    /`[^`\n]*\*[^`\n]*(api_key|password|pass|passphrase|token|secret)[^`\n]*`|`[^`\n]*(api_key|password|pass|passphrase|token|secret)\*[^`\n]*`/i;
  const offenders = documentationPages()
    .filter((page) => glob.test(readFileSync(page, 'utf8')))
    .map((page) => relative(REPO, page));
  assert.deepEqual(offenders, []);
});
