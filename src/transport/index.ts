/** The transport's public face: connect to a host (SSH or local) and work out how to reach it. */
export { connect } from './connect.ts';
export { connectLocal, LocalConnection } from './local.ts';
export { resolveConnectOptions, type ResolveSettings, type ResolvedConnectOptions } from './resolve.ts';
export { CHANNELS_PER_CONNECTION } from './ssh_connection.ts';
export { shellQuote } from './quote.ts';
export * from './types.ts';
