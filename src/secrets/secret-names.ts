/** Names of variables and YAML keys whose values are always secret. */
const SECRET_NAME = /(^|_)(api_key|password|pass|passphrase|token|secret)$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}
