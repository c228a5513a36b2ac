// ssh2 is CommonJS and Node's ESM loader cannot see its named exports; take them from the
// default export once, here, with their declared types.
import ssh2 from 'ssh2';
import type { Client as ClientInstance } from 'ssh2';

export const Client: typeof ClientInstance = ssh2.Client;
export type Client = ClientInstance;
export const parseKey: typeof ssh2.utils.parseKey = ssh2.utils.parseKey;
