import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MCS_REGIONS, findRegion, normaliseMcsUrl, regionOfUrl, resolveMcsUrl } from '../../../src/sls/regions.ts';

const url = (region: string) => resolveMcsUrl({ region });

test('the table holds the nine hosts of sls.md, each once', () => {
  assert.deepEqual(
    MCS_REGIONS.map((r) => r.host),
    [
      'mcs2-cloudstation-us-west-2.prod.hydra.sophos.com',
      'mcs2-cloudstation-us-east-2.prod.hydra.sophos.com',
      'mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com',
      'mcs2-cloudstation-eu-central-1.prod.hydra.sophos.com',
      'mcs2.stn100yul.ctr.sophos.com',
      'mcs2.stn100syd.ctr.sophos.com',
      'mcs2.stn100hnd.ctr.sophos.com',
      'mcs2.stn100gru.ctr.sophos.com',
      'mcs2.stn100bom.ctr.sophos.com',
    ],
  );
});

/** Each mcs host, and the spellings of its region that name it. */
const SPELLINGS: [host: string, names: string[]][] = [
  [
    'mcs2-cloudstation-us-west-2.prod.hydra.sophos.com',
    ['us-west-2', 'US-WEST-2', 'US West 2', 'us_west_2', 'Oregon', 'United States (Oregon)', 'united states oregon'],
  ],
  ['mcs2-cloudstation-us-east-2.prod.hydra.sophos.com', ['us-east-2', 'Ohio', 'United States (Ohio)', 'US East 2']],
  [
    'mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com',
    ['Ireland', 'ireland', 'eu-west-1', 'EU West 1', 'Europe (Ireland)'],
  ],
  ['mcs2-cloudstation-eu-central-1.prod.hydra.sophos.com', ['Germany', 'eu-central-1', 'Frankfurt']],
  // Canada, Australia, Tokyo, Sao Paulo, with their unambiguous AWS codes
  ['mcs2.stn100yul.ctr.sophos.com', ['Canada', 'CANADA', 'ca-central-1']],
  ['mcs2.stn100syd.ctr.sophos.com', ['Australia', 'ap-southeast-2', 'Sydney']],
  ['mcs2.stn100hnd.ctr.sophos.com', ['Tokyo', 'tokyo', 'Asia Pacific (Tokyo)', 'ap-northeast-1', 'Japan']],
  [
    'mcs2.stn100gru.ctr.sophos.com',
    [
      'Sao Paulo',
      'São Paulo',
      'sao-paulo',
      'SÃO PAULO',
      'South America (Sao Paulo)',
      'South America (São Paulo)',
      'sa-east-1',
    ],
  ],
  // "other" / "any region not listed" is the bom host, named explicitly
  ['mcs2.stn100bom.ctr.sophos.com', ['other', 'Other', 'any region not listed', 'not listed']],
];

for (const [host, names] of SPELLINGS) {
  test(`${host}: ${names.join(', ')}`, () => {
    for (const name of names) assert.equal(url(name), `https://${host}`, name);
  });
}

test('AWS codes of other regions in the same countries are not guessed', () => {
  for (const name of ['ca-west-1', 'ap-southeast-4', 'ap-northeast-3', 'us-west-1', 'eu-west-2']) {
    assert.throws(() => url(name), /unknown Sophos Central region/, name);
  }
});

test('an unknown region is an error listing the valid names, never a silent fallback', () => {
  assert.throws(
    () => url('Atlantis'),
    (error: Error) => {
      assert.match(error.message, /^unknown Sophos Central region "Atlantis"; valid regions: /);
      for (const id of [
        'us-west-2',
        'us-east-2',
        'eu-west-1',
        'eu-central-1',
        'canada',
        'australia',
        'tokyo',
        'sao-paulo',
        'other',
      ]) {
        assert.ok(error.message.includes(id), id);
      }
      assert.ok(error.message.includes('Ireland') && error.message.includes('South America (Sao Paulo)'));
      return true;
    },
  );
});

test('"US" alone is ambiguous and says why', () => {
  assert.throws(() => url('US'), /"US" is two regions: us-west-2 is Oregon, us-east-2 is Ohio/);
});

test('neither region nor URL, or blank ones, is an error', () => {
  assert.throws(() => resolveMcsUrl({}), /set sls_region .* or sls_mcs_url/);
  assert.throws(() => resolveMcsUrl({ region: '  ', url: '' }), /set sls_region/);
});

test('sls_mcs_url: https kept, bare host gets https://, trailing slash dropped', () => {
  assert.equal(
    resolveMcsUrl({ url: 'https://mcs2.stn100bom.ctr.sophos.com' }),
    'https://mcs2.stn100bom.ctr.sophos.com',
  );
  assert.equal(resolveMcsUrl({ url: 'mcs2.stn100bom.ctr.sophos.com' }), 'https://mcs2.stn100bom.ctr.sophos.com');
  assert.equal(resolveMcsUrl({ url: ' HTTPS://MCS.example.com/ ' }), 'https://mcs.example.com');
  assert.equal(resolveMcsUrl({ url: 'mcs.example.com:8443/central' }), 'https://mcs.example.com:8443/central');
});

test('sls_mcs_url wins over sls_region when both are set', () => {
  assert.equal(resolveMcsUrl({ region: 'Ireland', url: 'mcs.example.com' }), 'https://mcs.example.com');
});

test('sls_mcs_url: http and other schemes are refused', () => {
  assert.throws(
    () => resolveMcsUrl({ url: 'http://mcs2.stn100bom.ctr.sophos.com' }),
    /uses http:\/\/; Sophos Central only accepts https:\/\//,
  );
  assert.throws(() => resolveMcsUrl({ url: 'ftp://x.example.com' }), /uses ftp:\/\//);
  assert.throws(() => normaliseMcsUrl('not a host'), /is not a URL or host name/);
  assert.throws(() => normaliseMcsUrl('https://user:pw@mcs.example.com'), /must not carry a user name or password/);
});

test('findRegion returns the table entry', () => {
  assert.equal(findRegion('eu-west-1')?.name, 'Ireland');
  assert.equal(findRegion('nowhere'), undefined);
});

test('regionOfUrl names the region of a known host', () => {
  assert.equal(regionOfUrl('https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com')?.name, 'Ireland');
  assert.equal(regionOfUrl('https://MCS2.STN100HND.CTR.SOPHOS.COM/')?.id, 'tokyo');
  assert.equal(regionOfUrl('mcs2.stn100bom.ctr.sophos.com')?.name, 'any region not listed');
  assert.equal(regionOfUrl('https://mcs.example.com'), undefined);
  assert.equal(regionOfUrl('::not a url::'), undefined);
});

test('every region resolves to a URL that maps back to it', () => {
  for (const region of MCS_REGIONS) {
    assert.equal(regionOfUrl(url(region.id)), region);
    assert.equal(regionOfUrl(url(region.name)), region);
  }
});
