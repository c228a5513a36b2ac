// ed25519 keys in OpenSSH format, made in-process (no ssh-keygen start per host).
import ssh2 from 'ssh2';
import { writeFileSync } from 'node:fs';

export interface KeyPair {
  privateKey: string;
  /** `ssh-ed25519 AAAA…` without a comment */
  publicKey: string;
}

export function newKeyPair(comment: string): KeyPair {
  // About 1 in 100 ed25519 keys ssh2 makes is malformed ("error in libcrypto" in sshd, and ssh2's
  // own parseKey refuses it): make another until it reads back.
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
    if (ssh2.utils.parseKey(pair.private) instanceof Error) continue;
    return { privateKey: pair.private, publicKey: pair.public.split(' ').slice(0, 2).join(' ') };
  }
}

/** Writes a private key as ssh and sshd insist: readable by its owner only. */
export function writePrivateKey(path: string, pair: KeyPair): void {
  writeFileSync(path, pair.privateKey, { mode: 0o600 });
  writeFileSync(`${path}.pub`, `${pair.publicKey}\n`);
}
