// DataBlob: the container of every chunk file and every *.blob file.
// Upstream: pbs-datastore/src/data_blob.rs, file_formats.rs.
//
// Unencrypted (12-byte header):   MAGIC[8] || CRC32[4, LE] || data (raw, or one zstd stream)
// Encrypted   (44-byte header):   MAGIC[8] || CRC32[4, LE] || IV[16] || TAG[16] || ciphertext
//
// The CRC covers everything after the header (for encrypted blobs: the ciphertext only) and is an
// untrusted integrity check. Compression happens before encryption, so decoding decrypts first.
// Decoding means verifying: CRC, then decrypt (GCM tag), decompress, SHA-256 digest and length.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { constants as zc, crc32, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { RestoreError } from '../../shared/errors.ts';
import type { CryptConfig } from './cryptConfig.ts';
import { toHex } from './hex.ts';
import {
  COMPRESSED_BLOB_MAGIC,
  ENCR_COMPR_BLOB_MAGIC,
  ENCRYPTED_BLOB_MAGIC,
  UNCOMPRESSED_BLOB_MAGIC,
  magicEquals,
} from './magic.ts';
import { zstdDecompressInto } from './zstdInto.ts';

export const BLOB_HEADER_SIZE = 12;
export const ENCRYPTED_BLOB_HEADER_SIZE = 44;
/** Upstream MAX_BLOB_SIZE applies to the input of encode. */
export const MAX_BLOB_SIZE = 128 * 1024 * 1024;

export type BlobKind = 'uncompressed' | 'compressed' | 'encrypted' | 'encrypted-compressed';
/** The manifest's per-file crypt mode; `sign-only` files carry plain chunks. */
export type CryptMode = 'none' | 'encrypt' | 'sign-only';

export function blobKind(raw: Uint8Array): BlobKind {
  if (raw.length < BLOB_HEADER_SIZE) throw new RestoreError('BLOB_TOO_SMALL', `blob too small (${raw.length} bytes, a header needs ${BLOB_HEADER_SIZE})`);
  let kind: BlobKind;
  if (magicEquals(raw, UNCOMPRESSED_BLOB_MAGIC)) kind = 'uncompressed';
  else if (magicEquals(raw, COMPRESSED_BLOB_MAGIC)) kind = 'compressed';
  else if (magicEquals(raw, ENCRYPTED_BLOB_MAGIC)) kind = 'encrypted';
  else if (magicEquals(raw, ENCR_COMPR_BLOB_MAGIC)) kind = 'encrypted-compressed';
  else throw new RestoreError('BLOB_BAD_MAGIC', `wrong blob magic ${toHex(raw.subarray(0, 8))}`);
  if (isEncryptedKind(kind) && raw.length < ENCRYPTED_BLOB_HEADER_SIZE) {
    throw new RestoreError('BLOB_TOO_SMALL', `encrypted blob too small (${raw.length} bytes, its header needs ${ENCRYPTED_BLOB_HEADER_SIZE})`);
  }
  return kind;
}

export function isEncryptedKind(kind: BlobKind): boolean {
  return kind === 'encrypted' || kind === 'encrypted-compressed';
}

function headerSize(kind: BlobKind): number {
  return isEncryptedKind(kind) ? ENCRYPTED_BLOB_HEADER_SIZE : BLOB_HEADER_SIZE;
}

function view(raw: Uint8Array): DataView {
  return new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** Verify the stored CRC32 (LE, over the payload after the header). Returns the blob kind. */
export function checkBlobCrc(raw: Uint8Array): BlobKind {
  const kind = blobKind(raw);
  const stored = view(raw).getUint32(8, true);
  const computed = crc32(raw.subarray(headerSize(kind)));
  if (stored !== computed) {
    throw new RestoreError('BLOB_CRC_MISMATCH', `blob has wrong CRC checksum (stored ${hex32(stored)}, computed ${hex32(computed)})`);
  }
  return kind;
}

const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

export interface DecodeOptions {
  /** Required for encrypted blobs. */
  crypt?: CryptConfig;
  /** When given, SHA-256 of the plaintext (keyed when encrypted) must equal it. */
  expectedDigest?: Uint8Array;
  /** When given, the plaintext must have exactly this length (the chunk's range in the image). */
  expectedSize?: number;
  /** When given, the blob's encryption must match it (upstream "Index and chunk CryptMode don't match"). */
  cryptMode?: CryptMode;
  /**
   * Where a compressed blob's plaintext goes (at least `expectedSize` bytes), so chunks decode
   * into buffers that are used again and again instead of a fresh allocation each.
   */
  into?: Uint8Array;
  /** The caller is done with `raw`: an encrypted blob is decrypted in place there. */
  reuseRaw?: boolean;
  /**
   * The most plaintext accepted (BLOB_TOO_LARGE beyond): every blob that is not a chunk gets one
   * (limits.ts), so a small compressed blob cannot inflate without bound.
   */
  maxSize?: number;
}

/** True when `raw` holds zstd data, i.e. decoding it needs a buffer for the plaintext. */
export function isCompressedBlob(raw: Uint8Array): boolean {
  return raw.length >= 8 && (magicEquals(raw, COMPRESSED_BLOB_MAGIC) || magicEquals(raw, ENCR_COMPR_BLOB_MAGIC));
}

/** AES-256-GCM fed in slices of this size: about 1.7x faster than one 4 MiB update() (measured). */
const DECRYPT_SLICE = 64 * 1024;

/** Decrypts and authenticates the ciphertext after the 44-byte header, into `out` (may be `ct` itself). */
function decrypt(raw: Uint8Array, ct: Uint8Array, crypt: CryptConfig, out: Uint8Array): void {
  try {
    const decipher = createDecipheriv('aes-256-gcm', crypt.encKey, raw.subarray(12, 28));
    decipher.setAuthTag(raw.subarray(28, 44));
    let written = 0;
    for (let off = 0; off < ct.length; off += DECRYPT_SLICE) {
      // A slice is read before its plaintext lands on it, so `out` may be `ct` (in place).
      const part = decipher.update(ct.subarray(off, off + DECRYPT_SLICE));
      out.set(part, written);
      written += part.length;
    }
    out.set(decipher.final(), written);
  } catch (e) {
    throw new RestoreError('DECRYPT_FAILED', 'unable to decrypt blob: authentication failed (wrong key or corrupt data)', { cause: e });
  }
}

function decompressError(e: unknown, opts: DecodeOptions): RestoreError {
  if (e instanceof RestoreError) return e;
  if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
    if (opts.expectedSize === undefined) return new RestoreError('BLOB_TOO_LARGE', `blob decompresses to more than ${opts.maxSize} bytes`, { cause: e });
    return new RestoreError('CHUNK_SIZE_MISMATCH', `decompressed data is larger than the expected ${opts.expectedSize} bytes`, { cause: e });
  }
  return new RestoreError('BLOB_DECOMPRESS_FAILED', `zstd decompression failed: ${(e as Error).message}`, { cause: e });
}

/**
 * zstd into `into` or a buffer of the expected size when the size is known (a chunk): output is
 * bounded by it, so a corrupt or hostile frame cannot balloon memory. Otherwise (manifests and
 * other blobs) into a buffer of the frame's size, at most `maxSize`.
 */
function decompress(payload: Uint8Array, opts: DecodeOptions): Buffer {
  const size = opts.expectedSize ?? opts.into?.length;
  if (size === undefined) {
    try {
      return zstdDecompressSync(payload, opts.maxSize !== undefined ? { maxOutputLength: Math.max(opts.maxSize, 1) } : {});
    } catch (e) {
      throw decompressError(e, opts);
    }
  }
  if (opts.into && opts.into.length < size) throw new RangeError(`decode buffer has ${opts.into.length} bytes, the chunk needs ${size}`);
  const out = opts.into ? opts.into.subarray(0, size) : Buffer.allocUnsafe(size);
  const n = zstdDecompressInto(payload, out);
  return Buffer.from(out.buffer, out.byteOffset, n);
}

/** An uncompressed payload is its own plaintext: refuse it above the bound as well. */
function checkPlainSize(payload: Uint8Array, opts: DecodeOptions): void {
  if (opts.maxSize !== undefined && opts.expectedSize === undefined && payload.length > opts.maxSize) {
    throw new RestoreError('BLOB_TOO_LARGE', `blob holds ${payload.length} bytes, more than the ${opts.maxSize} accepted`);
  }
}

/** Length and digest checks after the plaintext is known. */
function verifyPlain(data: Uint8Array, encrypted: boolean, opts: DecodeOptions): void {
  if (opts.expectedSize !== undefined && data.length !== opts.expectedSize) {
    throw new RestoreError('CHUNK_SIZE_MISMATCH', `decoded chunk has ${data.length} bytes, expected ${opts.expectedSize}`);
  }
  if (opts.expectedDigest) {
    const digest = computeChunkDigest(data, encrypted ? opts.crypt : undefined);
    if (!digest.equals(opts.expectedDigest)) {
      throw new RestoreError('CHUNK_DIGEST_MISMATCH', `detected chunk with wrong digest (expected ${toHex(opts.expectedDigest)}, got ${toHex(digest)})`);
    }
  }
}

/**
 * Decode and verify: CRC, crypt mode, decrypt (GCM tag), decompress, length, digest. The one path
 * for every blob; the result is a view of `raw` (plain, or decrypted in place), of `opts.into`, or
 * a buffer of its own. Synchronous: the engine runs it on decode workers.
 */
export function decodeBlob(raw: Uint8Array, opts: DecodeOptions = {}): Buffer {
  const kind = checkBlobCrc(raw);
  const encrypted = isEncryptedKind(kind);
  if (opts.cryptMode !== undefined && encrypted !== (opts.cryptMode === 'encrypt')) {
    throw new RestoreError(
      'CHUNK_CRYPT_MODE_MISMATCH',
      `index and chunk crypt mode don't match (index says ${opts.cryptMode}, chunk is ${encrypted ? 'encrypted' : 'not encrypted'})`,
    );
  }
  let payload: Uint8Array = raw.subarray(headerSize(kind));
  if (encrypted) {
    if (!opts.crypt) throw new RestoreError('MISSING_KEY', 'unable to decrypt blob: it is encrypted and no key was given');
    const plain = opts.reuseRaw ? payload : Buffer.allocUnsafe(payload.length);
    decrypt(raw, payload, opts.crypt, plain);
    payload = plain;
  }
  const compressed = kind === 'compressed' || kind === 'encrypted-compressed';
  if (!compressed) checkPlainSize(payload, opts);
  const data = compressed ? decompress(payload, opts) : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  verifyPlain(data, encrypted, opts);
  return data;
}

/** SHA256(data), or SHA256(data || id_key) for encrypted backups. */
export function computeChunkDigest(data: Uint8Array, crypt?: CryptConfig): Buffer {
  return crypt ? crypt.computeDigest(data) : createHash('sha256').update(data).digest();
}

export interface EncodeOptions {
  compress?: boolean;
  crypt?: CryptConfig;
  /** Fixed IV for reproducible test vectors; PBS always uses a random one. */
  iv?: Uint8Array;
}

function zstdCompressLevel1(data: Uint8Array): Buffer {
  return zstdCompressSync(data, { params: { [zc.ZSTD_c_compressionLevel]: 1 } });
}

/**
 * Encode like DataBlob::encode in PBS 4.x: zstd level 1, kept only when it is not larger than the
 * input (upstream compresses into a buffer of data.len() bytes); then AES-256-GCM with a 16-byte IV.
 */
export function encodeBlob(data: Uint8Array, opts: EncodeOptions = {}): Buffer {
  if (data.length > MAX_BLOB_SIZE) throw new RangeError(`blob data too large (${data.length} > ${MAX_BLOB_SIZE})`);
  let payload: Uint8Array = data;
  let compressed = false;
  if (opts.compress) {
    const z = zstdCompressLevel1(data);
    if (z.length <= data.length) {
      payload = z;
      compressed = true;
    }
  }
  if (!opts.crypt) {
    const out = Buffer.allocUnsafe(BLOB_HEADER_SIZE + payload.length);
    out.set(compressed ? COMPRESSED_BLOB_MAGIC : UNCOMPRESSED_BLOB_MAGIC, 0);
    out.writeUInt32LE(crc32(payload), 8);
    out.set(payload, BLOB_HEADER_SIZE);
    return out;
  }
  const iv = opts.iv ?? randomBytes(16);
  if (iv.length !== 16) throw new RangeError('the blob IV must be 16 bytes');
  const cipher = createCipheriv('aes-256-gcm', opts.crypt.encKey, iv);
  const ct = Buffer.concat([cipher.update(payload), cipher.final()]);
  const out = Buffer.allocUnsafe(ENCRYPTED_BLOB_HEADER_SIZE + ct.length);
  out.set(compressed ? ENCR_COMPR_BLOB_MAGIC : ENCRYPTED_BLOB_MAGIC, 0);
  out.writeUInt32LE(crc32(ct), 8);
  out.set(iv, 12);
  out.set(cipher.getAuthTag(), 28);
  out.set(ct, ENCRYPTED_BLOB_HEADER_SIZE);
  return out;
}

/** DataChunkBuilder: the chunk's content address plus its stored bytes. */
export function buildChunk(data: Uint8Array, opts: EncodeOptions = {}): { digest: Buffer; blob: Buffer } {
  return { digest: computeChunkDigest(data, opts.crypt), blob: encodeBlob(data, opts) };
}

const zeroDigestCache = new Map<string, Buffer>();

/**
 * Digest of an all-zero chunk of `chunkSize` bytes, keyed when encrypted, as proxmox-backup-qemu's
 * restore computes it with build_zero_chunk. Index entries equal to it are never fetched.
 */
export function zeroChunkDigest(chunkSize: number, crypt?: CryptConfig): Buffer {
  const cacheKey = `${chunkSize}:${crypt ? toHex(crypt.fingerprint) : ''}`;
  let digest = zeroDigestCache.get(cacheKey);
  if (!digest) {
    digest = computeChunkDigest(new Uint8Array(chunkSize), crypt);
    zeroDigestCache.set(cacheKey, digest);
  }
  return digest;
}
