// How source secrets (API token secrets, passwords) are kept. The Electron shell injects a
// SecretBox backed by safeStorage (the OS keychain); browser mode and tests have none. Rules:
//   - with a SecretBox, secrets are written encrypted;
//   - without one, a secret is written (plain, in an owner-only file) only when the user asked
//     with rememberSecret; otherwise it lives in memory until the service stops;
//   - secrets never appear in logs, events or results (the registry redacts known secrets from
//     any message that passes through the log).

/** Encryption by the operating system's keychain (Electron's safeStorage); the service never imports electron. */
export interface SecretBox {
  /** False when the OS offers no real protection (e.g. Linux without a keyring). */
  isAvailable(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

/** A secret as stored in sources.json. */
export type StoredSecret = { kind: 'encrypted'; data: string } | { kind: 'plain'; value: string };

export function sealSecret(secret: string, box: SecretBox | undefined, rememberPlain: boolean): StoredSecret | undefined {
  if (box?.isAvailable()) return { kind: 'encrypted', data: box.encrypt(secret).toString('base64') };
  if (rememberPlain) return { kind: 'plain', value: secret };
  return undefined;
}

/** The secret, or undefined when it cannot be opened (keychain gone, data damaged). */
export function openSecret(stored: StoredSecret | undefined, box: SecretBox | undefined): string | undefined {
  if (!stored) return undefined;
  if (stored.kind === 'plain') return typeof stored.value === 'string' ? stored.value : undefined;
  if (!box?.isAvailable() || typeof stored.data !== 'string') return undefined;
  try {
    return box.decrypt(Buffer.from(stored.data, 'base64'));
  } catch {
    return undefined;
  }
}

export { redact } from '../pbs/redact.ts';
