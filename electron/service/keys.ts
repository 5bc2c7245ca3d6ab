// Key files for encrypted backups, read per call, for the service and the CLI alike. The password
// is used and dropped: it is never stored, logged or returned.
import { readFile } from 'node:fs/promises';
import type { KeyCheckResult } from '../../shared/contract.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import { RestoreError } from '../../shared/errors.ts';
import { decryptKeyConfig, keyNeedsPassword, parseKeyFile, type KeyConfig } from '../pbs/keyFile.ts';

async function readKeyConfig(path: string): Promise<KeyConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new RestoreError('KEYFILE_INVALID', `cannot read key file ${path}: ${(e as Error).message}`, { cause: e });
  }
  return parseKeyFile(text);
}

/** The password as given, or a way to ask for it that runs only when the key file has one. */
export type KeyPassword = string | undefined | (() => Promise<string>);

/**
 * Unwraps the key; KEY_PASSWORD_REQUIRED, WRONG_PASSWORD or KEYFILE_INVALID on problems. An
 * aborted signal ends the wait for the key derivation at once (CANCELLED).
 */
export async function loadKey(path: string, password: KeyPassword, signal?: AbortSignal): Promise<CryptConfig> {
  const kc = await readKeyConfig(path);
  const given = typeof password === 'function' ? (keyNeedsPassword(kc) ? await password() : undefined) : password;
  return decryptKeyConfig(kc, given, signal);
}

export async function checkKey(path: string, password: string | undefined): Promise<KeyCheckResult> {
  const kc = await readKeyConfig(path);
  const needsPassword = keyNeedsPassword(kc);
  const base = {
    needsPassword,
    ...(kc.fingerprint ? { fingerprint: kc.fingerprint } : {}),
    ...(typeof kc.hint === 'string' && kc.hint ? { hint: kc.hint } : {}),
  };
  if (needsPassword && password === undefined) return { ...base, unlocked: false };
  const crypt = await decryptKeyConfig(kc, password);
  // A key file may lack the fingerprint field; the unlocked key has one (what manifests record).
  return { ...base, fingerprint: kc.fingerprint ?? crypt.fingerprintText(), unlocked: true };
}
