/**
 * `sls_mcs_extra`: keys merged into the `mcs` entry, so users can follow Sophos's newer page (a
 * tenant id, event export) before sls-play knows those keys by name. Values are scalars; a vaulted
 * value, or a key whose name is secret by the one rule (secrets/secret-names.ts), is secret: registered for masking in every
 * output and masked on both sides of a diff.
 */
import type { Vars } from '../inventory/types.ts';
import { PlaybookInputError } from '../playbook/types.ts';
import { registerSecret } from '../report/secrets.ts';
import { isSecret } from '../secrets/secret.ts';
import { isSecretName } from '../secrets/secret-names.ts';
import { checkCredentialText, typeOfValue } from './setting-values.ts';

/** One extra key's value, as it is written into the entry. */
export type McsExtraValue = string | number | boolean;

/** The extra keys by name, and which of them are secret. */
export interface McsExtra {
  /** Each key's value, as it goes into the `mcs` entry. */
  values: Record<string, McsExtraValue>;
  /** The keys whose values are masked in every output. */
  secretKeys: string[];
}

/** Keys other variables own: setting them here would fight `sls_region` / `sls_api_key`. */
const OWNED = new Set(['type', 'enabled', 'url', 'api_key']);
const KEY_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function extraValue(name: string, value: unknown): { value: McsExtraValue; secret: boolean } {
  const where = `sls_mcs_extra.${name}`;
  if (isSecret(value)) {
    const text = value.reveal();
    checkCredentialText(text, where);
    return { value: text, secret: true };
  }
  if (typeof value === 'string') {
    if (isSecretName(name)) checkCredentialText(value, where);
    return { value, secret: isSecretName(name) };
  }
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
    return { value, secret: isSecretName(name) };
  throw new PlaybookInputError(`${where} is ${typeOfValue(value)}; give text, a number or true/false`);
}

/** The checked mapping from `sls_mcs_extra` (empty when unset); secret values are registered for masking. */
export function mcsExtraOf(vars: Vars): McsExtra {
  const given = vars.sls_mcs_extra;
  if (given === undefined || given === null || given === '') return { values: {}, secretKeys: [] };
  if (typeof given !== 'object' || Array.isArray(given) || isSecret(given))
    throw new PlaybookInputError(
      `sls_mcs_extra is ${typeOfValue(given)}; give a mapping of keys to add to the mcs entry, e.g. {tenant_id: "…"}`,
    );
  const out: McsExtra = { values: {}, secretKeys: [] };
  for (const [name, raw] of Object.entries(given as Record<string, unknown>)) {
    if (!KEY_NAME.test(name))
      throw new PlaybookInputError(`sls_mcs_extra: "${name}" is not a plain key name (letters, digits, _ . -)`);
    if (OWNED.has(name))
      throw new PlaybookInputError(
        `sls_mcs_extra.${name}: ${name} is set by sls-play itself (sls_region / sls_mcs_url, SLS_API_KEY); remove it from sls_mcs_extra`,
      );
    const { value, secret } = extraValue(name, raw);
    out.values[name] = value;
    if (secret) {
      out.secretKeys.push(name);
      // text only: a secret number or boolean is masked in diffs by its key, never everywhere
      if (typeof value === 'string') registerSecret(value);
    }
  }
  return out;
}
