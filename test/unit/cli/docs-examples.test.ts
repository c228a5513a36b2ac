// The distributed-run examples in docs/ stay consistent: every slice 1..n is run once, with the
// same n as the --slice argument, and the results are merged.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import YAML from 'yaml';
import { parseSlice } from '../../../src/runner/slice.ts';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

test('the Kubernetes Indexed Job runs slices 1..n, n = completions = parallelism', () => {
  const docs = YAML.parseAllDocuments(read('docs/kubernetes/sls-play-indexed-job.yaml')).map((d) => d.toJS());
  const job = docs.find((d) => d.kind === 'Job');
  assert.equal(job.spec.completionMode, 'Indexed');
  const script: string = job.spec.template.spec.containers[0].args[0];
  const n = Number(/--slice "\$slice\/(\d+)"/.exec(script)?.[1]);
  assert.equal(job.spec.completions, n);
  assert.equal(job.spec.parallelism, n);
  assert.match(script, /slice=\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)/);
  assert.match(script, /--json-out "\/results\/slice-\$slice\.json"/);
  const env = job.spec.template.spec.containers[0].env;
  assert.deepEqual(env[0], {
    name: 'SLS_API_KEY',
    valueFrom: { secretKeyRef: { name: 'sls-central', key: 'api-key' } },
  });
  const merge = YAML.parse(read('docs/kubernetes/sls-play-merge-job.yaml'));
  assert.match(merge.spec.template.spec.containers[0].args[0], /report merge \/results\/slice-\*\.json/);
});

test('the GitHub Actions matrix runs slices 1..n and merges them', () => {
  const workflow = YAML.parse(read('docs/github-actions/sls-play-sliced.yml'));
  const matrix: number[] = workflow.jobs.slice.strategy.matrix.slice;
  const deploy = workflow.jobs.slice.steps.find((s: { name?: string }) => s.name?.startsWith('deploy'));
  const n = Number(/--slice \$\{\{ matrix\.slice \}\}\/(\d+)/.exec(deploy.run)?.[1]);
  assert.deepEqual(
    matrix,
    Array.from({ length: n }, (_, i) => i + 1),
  );
  for (const k of matrix) parseSlice(`${k}/${n}`);
  assert.equal(deploy.env.SLS_API_KEY, '${{ secrets.SLS_API_KEY }}');
  const merge = workflow.jobs.merge.steps.map((s: { run?: string }) => s.run ?? '').join('\n');
  assert.match(merge, /report merge results\/slice-\*\.json/);
});
