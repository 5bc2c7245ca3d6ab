// Snapshot manifest (index.json.blob): an unencrypted DataBlob holding pretty-printed JSON.
// Upstream: pbs-datastore/src/manifest.rs.
//
// { "backup-type", "backup-id", "backup-time" (epoch integer), "files": [{filename, crypt-mode,
//   size, csum}], "unprotected": {key-fingerprint, verify_state, notes, …}, "signature": hex | null }
// signature = hex(HMAC-SHA256(id_key, canonical JSON of the manifest without unprotected/signature)).
// For .fidx/.didx, csum = SHA256(digest or entry array) and size = image/archive size;
// for .blob, csum = SHA256(file bytes) and size = file size.
import { RestoreError } from '../../shared/errors.ts';
import { decodeBlob, encodeBlob, type CryptMode } from './dataBlob.ts';
import type { CryptConfig } from './cryptConfig.ts';
import { toCanonicalJson } from './canonicalJson.ts';
import { parseColonHex, parseHex, toHex } from './hex.ts';
import { MAX_MANIFEST_BYTES } from '../../shared/limits.ts';

export const MANIFEST_BLOB_NAME = 'index.json.blob';

export interface ManifestFile {
  filename: string;
  cryptMode: CryptMode;
  size: number;
  csum: Buffer;
}

export interface Manifest {
  backupType: string;
  backupId: string;
  backupTime: number;
  files: ManifestFile[];
  unprotected: Record<string, unknown>;
  signature: string | null;
  /** The parsed JSON as stored, the input of the signature check. */
  json: Record<string, unknown>;
}

const invalid = (what: string): never => {
  throw new RestoreError('MANIFEST_INVALID', `manifest is invalid: ${what}`);
};

function parseFile(v: unknown, i: number): ManifestFile {
  const f = v as Record<string, unknown>;
  if (typeof f !== 'object' || f === null) invalid(`files[${i}] is not an object`);
  if (typeof f.filename !== 'string') invalid(`files[${i}].filename is missing`);
  const cryptMode = (f['crypt-mode'] ?? 'none') as CryptMode;
  if (!['none', 'encrypt', 'sign-only'].includes(cryptMode)) invalid(`files[${i}] has unknown crypt-mode ${String(cryptMode)}`);
  if (!Number.isSafeInteger(f.size) || (f.size as number) < 0) invalid(`files[${i}].size is not a size`);
  const csum = typeof f.csum === 'string' ? parseHex(f.csum, 32) : undefined;
  if (!csum) invalid(`files[${i}].csum is not 64 hex digits`);
  return { filename: f.filename as string, cryptMode, size: f.size as number, csum: csum! };
}

export function parseManifestJson(text: string): Manifest {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RestoreError('MANIFEST_INVALID', `manifest is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) invalid('not a JSON object');
  const type = json['backup-type'];
  const id = json['backup-id'];
  const time = json['backup-time'];
  if (typeof type !== 'string' || typeof id !== 'string') invalid('backup-type or backup-id missing');
  if (!Number.isSafeInteger(time)) invalid('backup-time is not an integer');
  if (!Array.isArray(json.files)) invalid('files is not an array');
  const sig = json.signature ?? null;
  if (sig !== null && typeof sig !== 'string') invalid('signature is not a string');
  const unprotected = (json.unprotected ?? {}) as Record<string, unknown>;
  return {
    backupType: type as string,
    backupId: id as string,
    backupTime: time as number,
    files: (json.files as unknown[]).map(parseFile),
    unprotected: typeof unprotected === 'object' && unprotected !== null ? unprotected : {},
    signature: sig as string | null,
    json,
  };
}

/** Decode index.json.blob (CRC checked, never encrypted, at most 16 MiB decoded) and parse it. */
export function decodeManifestBlob(raw: Buffer): Manifest {
  return parseManifestJson(decodeBlob(raw, { maxSize: MAX_MANIFEST_BYTES }).toString('utf8'));
}

export function manifestSignature(json: Record<string, unknown>, crypt: CryptConfig): string {
  const { unprotected: _u, signature: _s, ...signed } = json;
  let canonical: string;
  try {
    canonical = toCanonicalJson(signed);
  } catch (e) {
    // Upstream refuses to sign or verify JSON containing null; keep a stable code for it.
    throw new RestoreError('MANIFEST_INVALID', `manifest cannot be signed or verified: ${(e as Error).message}`, { cause: e });
  }
  return toHex(crypt.computeAuthTag(canonical));
}

/** The key fingerprint recorded in the manifest, if any (colon hex). */
export function manifestKeyFingerprint(m: Manifest): Buffer | undefined {
  const fp = m.unprotected['key-fingerprint'];
  return typeof fp === 'string' ? parseColonHex(fp, 32) : undefined;
}

const shortFp = (fp: Buffer): string => toHex(fp.subarray(0, 8)).replace(/(..)(?!$)/g, '$1:');

/**
 * The client checks of BackupManifest::from_data + check_fingerprint: with a key, the recorded
 * fingerprint must be the key's and the signature (when present) must verify; without a key, a
 * manifest created with a key is refused when `needKey` (its archive is encrypted).
 */
export function checkManifestKey(m: Manifest, crypt: CryptConfig | undefined, needKey: boolean): void {
  const fp = manifestKeyFingerprint(m);
  if (!crypt) {
    if (needKey) {
      throw new RestoreError('MISSING_KEY', `missing key - manifest was created with key ${fp ? shortFp(fp) : '(unknown)'}; pass --keyfile`);
    }
    return;
  }
  if (fp && !fp.equals(crypt.fingerprint)) {
    throw new RestoreError('WRONG_KEY', `wrong key - manifest's key ${shortFp(fp)} does not match provided key ${crypt.shortId()}`);
  }
  if (m.signature !== null && manifestSignature(m.json, crypt) !== m.signature.toLowerCase()) {
    throw new RestoreError('MANIFEST_SIGNATURE_MISMATCH', 'manifest signature does not verify with the given key (the manifest was changed)');
  }
}

export function findManifestFile(m: Manifest, filename: string): ManifestFile | undefined {
  return m.files.find((f) => f.filename === filename);
}

/** verify_file: the index's recomputed checksum and size must match the manifest entry. */
export function verifyManifestFile(m: Manifest, filename: string, csum: Uint8Array, size: number): ManifestFile {
  const f = findManifestFile(m, filename);
  if (!f) throw new RestoreError('ARCHIVE_NOT_FOUND', `manifest does not list ${filename}`);
  if (!f.csum.equals(csum)) {
    throw new RestoreError('INDEX_CSUM_MISMATCH', `${filename}: checksum ${toHex(csum)} does not match the manifest's ${toHex(f.csum)}`);
  }
  if (f.size !== size) throw new RestoreError('INDEX_CSUM_MISMATCH', `${filename}: size ${size} does not match the manifest's ${f.size}`);
  return f;
}

export interface ManifestInput {
  backupType: string;
  backupId: string;
  backupTime: number;
  files: ManifestFile[];
  unprotected?: Record<string, unknown>;
}

/** Build manifest JSON as PBS writes it (pretty), signed when a key is given. */
export function writeManifestJson(input: ManifestInput, crypt?: CryptConfig): string {
  const json: Record<string, unknown> = {
    'backup-type': input.backupType,
    'backup-id': input.backupId,
    'backup-time': input.backupTime,
    files: input.files.map((f) => ({ filename: f.filename, 'crypt-mode': f.cryptMode, size: f.size, csum: toHex(f.csum) })),
    unprotected: { ...(input.unprotected ?? {}) },
    signature: null,
  };
  if (crypt) {
    json.signature = manifestSignature(json, crypt);
    (json.unprotected as Record<string, unknown>)['key-fingerprint'] = crypt.fingerprintText();
  }
  return JSON.stringify(json, null, 2);
}

export function encodeManifestBlob(input: ManifestInput, crypt?: CryptConfig): Buffer {
  return encodeBlob(Buffer.from(writeManifestJson(input, crypt)), { compress: true });
}
