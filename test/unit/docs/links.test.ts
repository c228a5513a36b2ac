// Every relative link in the README and docs/ leads somewhere: the file exists and, where the link
// names a #anchor, the page has a heading with that anchor (as GitHub makes anchors). Web links
// are not followed (the tests use no network); docs/api/ is generated and not checked.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { anchors, brokenLinks, documentationPages, slug } from './markdown.ts';

test('every relative link in README.md and docs/**/*.md resolves, #anchors included', () => {
  const pages = documentationPages();
  assert.ok(pages.length > 10, `only ${pages.length} pages found`);
  assert.deepEqual(
    pages.flatMap((page) => brokenLinks(page)),
    [],
  );
});

test('anchors are made as GitHub makes them', () => {
  assert.equal(
    slug('Proving the alerts reached Sophos Central (`--central`)'),
    'proving-the-alerts-reached-sophos-central---central',
  );
  assert.equal(slug('ansible.cfg and ANSIBLE_* settings'), 'ansiblecfg-and-ansible_-settings');
  assert.equal(slug('Handlers, rollback, tags, secrets'), 'handlers-rollback-tags-secrets');
  assert.deepEqual([...anchors('# A\n## Use\n```\n# not a heading\n```\n### Use\n')], ['a', 'use', 'use-1']);
});

test('the check finds a missing page, a missing anchor, and ignores web links and docs/api/', () => {
  const root = mkdtempSync(join(tmpdir(), 'docs-links-'));
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'docs', 'here.md'), '# Here\n## Present heading\n');
  writeFileSync(
    join(root, 'README.md'),
    [
      '# Front',
      '[ok](docs/here.md#present-heading) [self](#front) [web](https://example.com/x.md) [api](docs/api/index.html)',
      '[gone](docs/gone.md) and [no anchor](docs/here.md#absent)',
      '`[in code](docs/also-gone.md)`',
      '```',
      '[in a block](docs/also-gone.md)',
      '```',
    ].join('\n'),
  );
  assert.deepEqual(brokenLinks(join(root, 'README.md'), root), [
    'README.md:3: docs/gone.md: no such file',
    'README.md:3: docs/here.md#absent: docs/here.md has no heading with the anchor #absent',
  ]);
});
