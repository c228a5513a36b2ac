/**
 * Sophos Central MCS hosts by region (sls.md), and turning what a user typed (`sls_region` or
 * `sls_mcs_url`) into the https URL the sensor's mcs output needs.
 */

export interface McsRegion {
  /** Short id shown in lists and status. */
  id: string;
  /** Sophos's own name for the region. */
  name: string;
  host: string;
  /** Other accepted spellings; compared after normalising (see `normalise`). */
  aliases: string[];
}

// AWS-style codes are accepted only where exactly one listed region sits in that AWS region
// (the stn100 hosts are named after the airport of the city: YUL Montreal = ca-central-1,
// SYD = ap-southeast-2, HND Tokyo = ap-northeast-1, GRU Sao Paulo = sa-east-1). Codes of other
// AWS regions in the same country (ca-west-1, ap-southeast-4, ap-northeast-3) are not accepted:
// guessing there would send alerts to the wrong tenant region.
export const MCS_REGIONS: readonly McsRegion[] = [
  {
    id: 'us-west-2',
    name: 'United States (Oregon)',
    host: 'mcs2-cloudstation-us-west-2.prod.hydra.sophos.com',
    aliases: ['Oregon', 'US West 2', 'US Oregon', 'US (Oregon)'],
  },
  {
    id: 'us-east-2',
    name: 'United States (Ohio)',
    host: 'mcs2-cloudstation-us-east-2.prod.hydra.sophos.com',
    aliases: ['Ohio', 'US East 2', 'US Ohio', 'US (Ohio)'],
  },
  {
    id: 'eu-west-1',
    name: 'Ireland',
    host: 'mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com',
    aliases: ['EU West 1', 'Europe (Ireland)'],
  },
  {
    id: 'eu-central-1',
    name: 'Germany',
    host: 'mcs2-cloudstation-eu-central-1.prod.hydra.sophos.com',
    aliases: ['EU Central 1', 'Europe (Frankfurt)', 'Frankfurt'],
  },
  {
    id: 'canada',
    name: 'Canada',
    host: 'mcs2.stn100yul.ctr.sophos.com',
    aliases: ['ca-central-1', 'Canada (Central)'],
  },
  {
    id: 'australia',
    name: 'Australia',
    host: 'mcs2.stn100syd.ctr.sophos.com',
    aliases: ['ap-southeast-2', 'Sydney', 'Asia Pacific (Sydney)'],
  },
  {
    id: 'tokyo',
    name: 'Asia Pacific (Tokyo)',
    host: 'mcs2.stn100hnd.ctr.sophos.com',
    aliases: ['ap-northeast-1', 'Tokyo', 'Japan'],
  },
  {
    id: 'sao-paulo',
    name: 'South America (Sao Paulo)',
    host: 'mcs2.stn100gru.ctr.sophos.com',
    aliases: ['sa-east-1', 'Sao Paulo', 'Brazil'],
  },
  {
    id: 'other',
    name: 'any region not listed',
    host: 'mcs2.stn100bom.ctr.sophos.com',
    aliases: ['other', 'not listed', 'any other region', 'other region'],
  },
];

/** Case, accents, spaces, dashes, brackets and the like do not matter: "São Paulo" = "sao-paulo". */
function normalise(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const BY_NAME = new Map<string, McsRegion>();
for (const region of MCS_REGIONS) {
  for (const name of [region.id, region.name, ...region.aliases]) BY_NAME.set(normalise(name), region);
}

export function findRegion(name: string): McsRegion | undefined {
  return BY_NAME.get(normalise(name));
}

/** The names to offer when a region is not recognised. */
export function regionNames(): string {
  return MCS_REGIONS.map((r) => (r.id === 'other' ? `other (${r.name})` : `${r.id} (${r.name})`)).join(', ');
}

/**
 * Checks an explicit MCS URL: https only (the sensor refuses anything else); a bare host gets
 * `https://`. A trailing "/" is dropped so the same URL written two ways is not a config change.
 */
export function normaliseMcsUrl(input: string): string {
  const text = input.trim();
  if (!text) throw new Error('sls_mcs_url is empty: give an https URL such as https://mcs2.stn100bom.ctr.sophos.com');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme && scheme !== 'https') {
    throw new Error(`sls_mcs_url "${text}" uses ${scheme}://; Sophos Central only accepts https:// URLs`);
  }
  let url: URL;
  try {
    url = new URL(scheme ? text : `https://${text}`);
  } catch {
    throw new Error(`sls_mcs_url "${text}" is not a URL or host name`);
  }
  if (!url.hostname || /\s/.test(text)) throw new Error(`sls_mcs_url "${text}" is not a URL or host name`);
  if (url.username || url.password) throw new Error('sls_mcs_url must not carry a user name or password');
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `https://${url.host}${path}${url.search}`;
}

/**
 * The https URL of the mcs output. `url` (sls_mcs_url) wins over `region` when both are set:
 * it is the more specific of the two, e.g. a host_vars URL under a group-wide region.
 * Throws an Error with a user-facing message when neither is usable.
 */
export function resolveMcsUrl(input: { region?: string; url?: string }): string {
  if (input.url !== undefined && input.url.trim() !== '') return normaliseMcsUrl(input.url);
  const name = input.region?.trim();
  if (!name) throw new Error('no Sophos Central region: set sls_region (e.g. eu-west-1) or sls_mcs_url');
  const region = findRegion(name);
  if (!region) {
    const hint = /^(us|usa|unitedstates|america)$/.test(normalise(name))
      ? ' ("US" is two regions: us-west-2 is Oregon, us-east-2 is Ohio)'
      : '';
    throw new Error(`unknown Sophos Central region "${name}"${hint}; valid regions: ${regionNames()}`);
  }
  return `https://${region.host}`;
}

/** The region an MCS URL belongs to, for status displays; undefined for a host not in the table. */
export function regionOfUrl(url: string): McsRegion | undefined {
  let host: string;
  try {
    host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim()) ? url.trim() : `https://${url.trim()}`).hostname;
  } catch {
    return undefined;
  }
  return MCS_REGIONS.find((r) => r.host === host.toLowerCase());
}
