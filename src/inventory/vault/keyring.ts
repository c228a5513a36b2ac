/**
 * The vault passwords of a run, tried as Ansible tries them: those whose label matches the
 * envelope's vault id first, then every other one in the order given.
 */
import { decryptEnvelope, parseEnvelope, VaultFormatError } from './envelope.ts';

export interface VaultSecret {
  /** `default` when none was given, as in Ansible. */
  label: string;
  password: Buffer;
  /** Where it came from, for messages (`--vault-password-file ~/.vault`); never the password. */
  source: string;
}

export const HOW_TO_GIVE_PASSWORD =
  'give the password with --vault-password-file FILE, --vault-id [label@]FILE, --ask-vault-pass or ANSIBLE_VAULT_PASSWORD_FILE';

/** Vault-encrypted data that could not be opened: `where` says which file or variable. */
export class VaultError extends Error {
  constructor(
    readonly where: string,
    readonly reason: 'no-password' | 'wrong-password' | 'damaged',
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'VaultError';
  }
}

export class VaultKeyring {
  /** A group's vaulted value is opened once, not once per host (PBKDF2 is slow on purpose). */
  private readonly opened = new Map<string, string>();

  constructor(readonly secrets: readonly VaultSecret[] = []) {}

  get empty(): boolean {
    return this.secrets.length === 0;
  }

  /** Decrypts a vault envelope (a whole file, or an inline `!vault` value) to its text. */
  decrypt(text: string, where: string): string {
    const known = this.opened.get(text);
    if (known !== undefined) return known;
    if (this.empty) {
      // the password is missing whatever else may be wrong: say that first
      const id = /^\s*\$ANSIBLE_VAULT;1\.2;[^;\n]*;([^\s;]+)/.exec(text)?.[1];
      throw new VaultError(
        where,
        'no-password',
        `vault-encrypted${id ? ` (vault id ${id})` : ''} and no vault password was given; ${HOW_TO_GIVE_PASSWORD}`,
      );
    }
    let envelope: ReturnType<typeof parseEnvelope>;
    try {
      envelope = parseEnvelope(text);
    } catch (error) {
      if (error instanceof VaultFormatError)
        throw new VaultError(where, 'damaged', `vault-encrypted, but ${error.message}`);
      throw error;
    }
    const label = envelope.vaultId ? ` (vault id ${envelope.vaultId})` : '';
    const ordered = [
      ...this.secrets.filter((s) => s.label === envelope.vaultId),
      ...this.secrets.filter((s) => s.label !== envelope.vaultId),
    ];
    for (const secret of ordered) {
      const plain = decryptEnvelope(envelope, secret.password);
      if (plain) {
        const textOut = plain.toString('utf8');
        this.opened.set(text, textOut);
        return textOut;
      }
    }
    const tried = ordered.map((s) => `${s.label}@${s.source}`).join(', ');
    throw new VaultError(
      where,
      'wrong-password',
      `vault-encrypted${label}, and none of the vault passwords given opens it (tried ${tried}); check the password or the vault id`,
    );
  }
}
