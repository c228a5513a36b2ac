import { existsSync } from 'node:fs';

/** Whether the user seems to hold a Kerberos ticket: KRB5CCNAME set, or the default cache file there. */
export function kerberosTicketPresent(uid: number | undefined): boolean {
  if (process.env.KRB5CCNAME) return true;
  return uid !== undefined && existsSync(`/tmp/krb5cc_${uid}`);
}
