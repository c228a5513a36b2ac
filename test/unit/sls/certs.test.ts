import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseCerts, certListingCommand } from '../../../src/sls/certs.ts';

const STANDARD = ['runtimedetections.yaml', 'sophosca1.crt', 'sophosca1.crl', 'sophosca2.crt', 'sophosca2.crl'];

test('the two pairs of 5.5.2.22 are ok', () => {
  const r = analyseCerts(STANDARD, '/etc/sophos');
  assert.deepEqual(r.pairs, [1, 2]);
  assert.deepEqual(r.orphans, []);
  assert.equal(r.status, 'ok');
  assert.equal(r.message, '2 certificate pairs (sophosca1, sophosca2) in /etc/sophos');
});

test('any number of pairs works, numbered in order', () => {
  const names = [
    'sophosca4.crl',
    'sophosca10.crt',
    'sophosca3.crt',
    'sophosca10.crl',
    'sophosca4.crt',
    'sophosca3.crl',
  ];
  const r = analyseCerts(names);
  assert.deepEqual(r.pairs, [3, 4, 10]);
  assert.equal(r.status, 'ok');
  assert.equal(
    analyseCerts([...STANDARD, 'sophosca3.crt', 'sophosca3.crl', 'sophosca4.crt', 'sophosca4.crl']).pairs.length,
    4,
  );
});

test('one pair is a warning, not a failure', () => {
  const r = analyseCerts(['sophosca1.crt', 'sophosca1.crl'], '/etc/sophos');
  assert.equal(r.status, 'warning');
  assert.deepEqual(r.pairs, [1]);
  assert.match(r.message, /^only one certificate pair \(sophosca1\) in \/etc\/sophos: .*without fail-over/);
});

test('half pairs are orphans and are named', () => {
  const r = analyseCerts(['sophosca1.crt', 'sophosca1.crl', 'sophosca2.crt', 'sophosca3.crl'], '/etc/sophos');
  assert.equal(r.status, 'warning');
  assert.deepEqual(r.orphans, ['sophosca2.crt', 'sophosca3.crl']);
  assert.match(r.message, /sophosca2\.crt has no \.crl, sophosca3\.crl has no \.crt/);
});

test('no complete pair fails and says what to do', () => {
  for (const names of [[], ['runtimedetections.yaml'], ['sophosca1.crt', 'sophosca2.crt']]) {
    const r = analyseCerts(names, '/etc/sophos-certs');
    assert.equal(r.status, 'failed');
    assert.deepEqual(r.pairs, []);
    assert.match(
      r.message,
      /^no complete certificate pair \(sophosca<N>\.crt with sophosca<N>\.crl\) in \/etc\/sophos-certs/,
    );
    assert.match(r.message, /install or upgrade to SLS 5\.5\.2\.22 or later/);
  }
});

test('names are matched exactly; paths, blanks and CRs from ls output are tolerated', () => {
  const r = analyseCerts([
    ' /etc/sophos/sophosca1.crt',
    'sophosca1.crl\r',
    'SOPHOSCA2.CRT',
    'sophosca2.crl.bak',
    'sophosca02.crt',
    'sophosca2.crl',
    '',
  ]);
  assert.deepEqual(r.pairs, [1]);
  assert.deepEqual(r.orphans, ['sophosca2.crl']);
});

test('certListingCommand lists one directory, quoted, and takes an exec prefix', () => {
  assert.equal(certListingCommand('/etc/sophos'), 'ls -1A -- /etc/sophos');
  assert.equal(certListingCommand("/srv/it's here"), `ls -1A -- '/srv/it'\\''s here'`);
  assert.equal(
    certListingCommand('/etc/sophos-certs', 'docker exec sls'),
    'docker exec sls ls -1A -- /etc/sophos-certs',
  );
  assert.equal(certListingCommand('$(reboot)'), `ls -1A -- '$(reboot)'`);
});
