// Encryption key files (KeyConfig JSON), as proxmox-backup-client writes them.
// Upstream: pbs-key-config/src/lib.rs, pbs-api-types/src/crypto.rs.
//
// { "kdf": null | {"Scrypt": {n, r, p, salt}} | {"PBKDF2": {iter, salt}}, "created", "modified",
//   "data": base64, "fingerprint"?: "aa:bb:…", "hint"?: string }
// kdf null: data is the raw 32-byte key. Otherwise derived = KDF(password, salt) (32 bytes) and
// data = iv[16] || tag[16] || AES-256-GCM(derived, iv, aad "")(raw key).
import { createCipheriv, createDecipheriv, pbkdf2, randomBytes, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { raceAbort } from '../../shared/abort.ts';
import { RestoreError } from '../../shared/errors.ts';
import { CryptConfig } from './cryptConfig.ts';
import { parseColonHex, toColonHex } from './hex.ts';

const scryptAsync = promisify(scrypt) as (pw: string | Buffer, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);

export type Kdf = null | { Scrypt: { n: number; r: number; p: number; salt: string } } | { PBKDF2: { iter: number; salt: string } };

export interface KeyConfig {
  kdf: Kdf;
  created: string;
  modified: string;
  data: string;
  fingerprint?: string;
  hint?: string;
}

const invalid = (what: string): never => {
  throw new RestoreError('KEYFILE_INVALID', `key file is invalid: ${what}`);
};

/**
 * The KDF parameters accepted, far above what PBS writes (Scrypt n=65536 r=8 p=1, PBKDF2
 * iter=65535) and far below what would take minutes or gigabytes: a key file is input too.
 * Scrypt needs 128·n·r bytes and time in proportion to n·r·p.
 */
export const KDF_BOUNDS = {
  scrypt: { minN: 2 ** 10, maxN: 2 ** 20, maxR: 32, maxP: 16, maxMemory: 1024 * 1024 * 1024, maxWork: 2 ** 24 },
  pbkdf2: { maxIter: 2 ** 22 },
  maxSaltChars: 1024,
} as const;

function checkKdfBounds(kdf: Exclude<Kdf, null>): void {
  const out = (): never => invalid('KDF parameters out of range');
  if ('Scrypt' in kdf) {
    const { n, r, p, salt } = kdf.Scrypt;
    const b = KDF_BOUNDS.scrypt;
    if (n < b.minN || n > b.maxN || (n & (n - 1)) !== 0 || r < 1 || r > b.maxR || p < 1 || p > b.maxP) out();
    if (128 * n * r > b.maxMemory || n * r * p > b.maxWork || salt.length > KDF_BOUNDS.maxSaltChars) out();
  } else {
    const { iter, salt } = kdf.PBKDF2;
    if (iter < 1 || iter > KDF_BOUNDS.pbkdf2.maxIter || salt.length > KDF_BOUNDS.maxSaltChars) out();
  }
}

export function parseKeyFile(text: string): KeyConfig {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // Never the parser's message: it quotes the text, and a file given as a key may hold secrets.
    throw new RestoreError('KEYFILE_INVALID', 'key file is not JSON (is this a PBS key file?)', { cause: e });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid('not a JSON object');
  if (typeof v.data !== 'string') invalid('"data" is missing');
  // serde reads an absent or null Option as None: no kdf means a raw key, no fingerprint means unchecked.
  const kdf = v.kdf ?? null;
  const fingerprint = v.fingerprint ?? undefined;
  if (fingerprint !== undefined && typeof fingerprint !== 'string') invalid('"fingerprint" is not a string');
  if (kdf !== null) {
    const k = kdf as Record<string, Record<string, unknown>>;
    if (k.Scrypt) {
      const { n, r, p, salt } = k.Scrypt;
      if (![n, r, p].every(Number.isSafeInteger) || typeof salt !== 'string') invalid('Scrypt parameters are malformed');
    } else if (k.PBKDF2) {
      if (!Number.isSafeInteger(k.PBKDF2.iter) || typeof k.PBKDF2.salt !== 'string') invalid('PBKDF2 parameters are malformed');
    } else {
      invalid('unknown kdf');
    }
    checkKdfBounds(kdf as Exclude<Kdf, null>);
  }
  const kc = { ...v, kdf } as Record<string, unknown>;
  if (fingerprint === undefined) delete kc.fingerprint;
  return kc as unknown as KeyConfig;
}

export function keyNeedsPassword(kc: KeyConfig): boolean {
  return kc.kdf !== null;
}

async function deriveKey(kdf: Exclude<Kdf, null>, password: string): Promise<Buffer> {
  if ('Scrypt' in kdf) {
    const { n, r, p, salt } = kdf.Scrypt;
    // Node's default maxmem (32 MiB) is below what PBS's n=65536, r=8 needs (64 MiB); upstream allows ~1 GiB.
    return scryptAsync(password, Buffer.from(salt, 'base64'), 32, { N: n, r, p, maxmem: 1025 * 1024 * 1024 });
  }
  return pbkdf2Async(password, Buffer.from(kdf.PBKDF2.salt, 'base64'), kdf.PBKDF2.iter, 32, 'sha256');
}

/**
 * KeyConfig::decrypt: unwrap the raw key, check its fingerprint, return the derived key material.
 * The KDF runs on libuv's pool and cannot be stopped; an aborted `signal` stops the wait for it.
 */
export async function decryptKeyConfig(kc: KeyConfig, password?: string, signal?: AbortSignal): Promise<CryptConfig> {
  const data = Buffer.from(kc.data, 'base64');
  let raw: Buffer;
  if (kc.kdf === null) {
    raw = data;
  } else {
    if (password === undefined) throw new RestoreError('KEY_PASSWORD_REQUIRED', 'the key file is password protected: set PBS_ENCRYPTION_PASSWORD or enter the password');
    if (Buffer.byteLength(password) < 5) throw new RestoreError('WRONG_PASSWORD', 'key file password is too short (at least 5 bytes)');
    if (data.length < 32 + 32) invalid(`wrapped key data is ${data.length} bytes, expected 64`);
    checkKdfBounds(kc.kdf);
    let derived: Buffer;
    try {
      derived = await raceAbort(deriveKey(kc.kdf, password), signal);
    } catch (e) {
      if (e instanceof RestoreError) throw e;
      // Node rejects impossible parameters (N not a power of two, memory above maxmem, …).
      throw new RestoreError('KEYFILE_INVALID', `key file is invalid: key derivation failed: ${(e as Error).message}`, { cause: e });
    }
    try {
      const d = createDecipheriv('aes-256-gcm', derived, data.subarray(0, 16));
      d.setAuthTag(data.subarray(16, 32));
      raw = Buffer.concat([d.update(data.subarray(32)), d.final()]);
    } catch (e) {
      throw new RestoreError('WRONG_PASSWORD', 'unable to decrypt the key file: wrong password', { cause: e });
    }
  }
  if (raw.length !== 32) invalid(`key is ${raw.length} bytes, expected 32`);
  const crypt = new CryptConfig(raw);
  if (kc.fingerprint !== undefined) {
    const expected = parseColonHex(kc.fingerprint, 32);
    if (!expected) invalid('its fingerprint is malformed');
    if (!expected!.equals(crypt.fingerprint)) {
      invalid(`KeyConfig contains wrong fingerprint ${kc.fingerprint}, the key's is ${crypt.fingerprintText()}`);
    }
  }
  return crypt;
}

export interface CreateKeyOptions {
  /** Omit for an unprotected key file (kdf null). */
  password?: string;
  kdf?: 'scrypt' | 'pbkdf2';
  salt?: Buffer;
  iv?: Buffer;
  created?: string;
}

/** KeyConfig::with_key with upstream defaults (Scrypt n=65536 r=8 p=1, or PBKDF2 iter=65535). */
export async function createKeyConfig(rawKey: Buffer, opts: CreateKeyOptions = {}): Promise<KeyConfig> {
  const crypt = new CryptConfig(rawKey);
  const created = opts.created ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  // Field order as upstream's serde struct writes it: kdf, created, modified, data, fingerprint.
  const fingerprint = toColonHex(crypt.fingerprint);
  if (opts.password === undefined) return { kdf: null, created, modified: created, data: rawKey.toString('base64'), fingerprint };
  const salt = opts.salt ?? randomBytes(32);
  const kdf: Exclude<Kdf, null> =
    opts.kdf === 'pbkdf2'
      ? { PBKDF2: { iter: 65535, salt: salt.toString('base64') } }
      : { Scrypt: { n: 65536, r: 8, p: 1, salt: salt.toString('base64') } };
  const derived = await deriveKey(kdf, opts.password);
  const iv = opts.iv ?? randomBytes(16);
  const c = createCipheriv('aes-256-gcm', derived, iv);
  const ct = Buffer.concat([c.update(rawKey), c.final()]);
  return { kdf, created, modified: created, data: Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64'), fingerprint };
}

export function serializeKeyConfig(kc: KeyConfig): string {
  return JSON.stringify(kc);
}
