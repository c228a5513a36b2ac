/** What sls-play reads from Sophos Central's public API (shared/central-api.md). */

/** Where the API lives and who is asking; built from the environment by `readCentralSettings`. */
export interface CentralSettings {
  /** e.g. https://id.sophos.com (no trailing slash) */
  idUrl: string;
  /** e.g. https://api.central.sophos.com (no trailing slash) */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** `--tenant <id>` for partner or organization credentials */
  tenantId?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in?: number;
}

export interface WhoAmI {
  id: string;
  idType: 'tenant' | 'partner' | 'organization' | string;
  apiHosts?: { global?: string; dataRegion?: string };
}

/** A detections query run: pending → finished, then succeeded (results usable) or failed. */
export interface QueryRun {
  id: string;
  status: 'pending' | 'finished' | string;
  result?: 'notAvailable' | 'succeeded' | 'failed' | string;
  resultCount?: number;
  createdAt?: string;
  expiresAt?: string;
}

export interface ResultsPage {
  items: Detection[];
  pages?: { current?: number; size?: number; total?: number; items?: number; maxSize?: number };
}

/**
 * A detection record. Only some fields are confirmed (id, time, severity, type, detectionRule,
 * sensor, device, mitreAttacks, rawData); the record is kept whole so matching can look anywhere.
 */
export interface Detection {
  id?: string;
  time?: string;
  sensorGeneratedAt?: string;
  detectionRule?: string;
  ruleDescription?: string;
  detectionDescription?: string;
  device?: { entity?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** The tenant every data call goes to. */
export interface Tenant {
  id: string;
  dataRegion: string;
}
