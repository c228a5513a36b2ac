import { registerSecret } from '../report/secrets.ts';
import { CentralInputError } from './errors.ts';
import type { CentralSettings } from './types.ts';

export const DEFAULT_ID_URL = 'https://id.sophos.com';
export const DEFAULT_API_URL = 'https://api.central.sophos.com';

/** An https:// base URL without its trailing slash; anything else is a one-line error naming the variable. */
export function httpsBase(value: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CentralInputError(
      `${variable}=${value} is not a URL: give an https:// URL such as ${variable === 'SOPHOS_CENTRAL_ID_URL' ? DEFAULT_ID_URL : DEFAULT_API_URL}`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new CentralInputError(
      `${variable}=${value}: Sophos Central is reached over HTTPS only; use an https:// URL (a private CA goes in NODE_EXTRA_CA_CERTS)`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * The Central settings from the environment: credentials from SOPHOS_CLIENT_ID and
 * SOPHOS_CLIENT_SECRET only (registered as secrets at once), endpoints overridable.
 */
export function readCentralSettings(env: NodeJS.ProcessEnv, tenantId?: string): CentralSettings {
  const clientId = env.SOPHOS_CLIENT_ID?.trim() ?? '';
  const clientSecret = env.SOPHOS_CLIENT_SECRET?.trim() ?? '';
  registerSecret(clientId);
  registerSecret(clientSecret);
  const missing = [!clientId && 'SOPHOS_CLIENT_ID', !clientSecret && 'SOPHOS_CLIENT_SECRET'].filter(Boolean);
  if (missing.length) {
    throw new CentralInputError(
      `--central needs a Sophos Central API credential: set ${missing.join(' and ')} in the environment (Sophos Central: Global settings → API Credentials Management)`,
    );
  }
  if (tenantId !== undefined && !/^[0-9a-zA-Z-]{8,64}$/.test(tenantId)) {
    throw new CentralInputError(`--tenant ${tenantId}: expected a tenant id (a UUID as Sophos Central shows it)`);
  }
  return {
    idUrl: httpsBase(env.SOPHOS_CENTRAL_ID_URL || DEFAULT_ID_URL, 'SOPHOS_CENTRAL_ID_URL'),
    apiUrl: httpsBase(env.SOPHOS_CENTRAL_API_URL || DEFAULT_API_URL, 'SOPHOS_CENTRAL_API_URL'),
    clientId,
    clientSecret,
    ...(tenantId ? { tenantId } : {}),
  };
}
