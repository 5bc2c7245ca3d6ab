// PBS magic numbers. Each is the first 8 bytes of SHA-256 of an ASCII string; the derivation is
// written next to each constant and re-computed by test/pbs/magic.test.ts.
// Upstream: proxmox-backup pbs-datastore/src/file_formats.rs ("PLEASE DO NOT MODIFY THOSE MAGIC VALUES").

const m = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

/** sha256("Proxmox Backup uncompressed blob v1.0")[0..8] */
export const UNCOMPRESSED_BLOB_MAGIC = m(66, 171, 56, 7, 190, 131, 112, 161);
/** sha256("Proxmox Backup zstd compressed blob v1.0")[0..8] */
export const COMPRESSED_BLOB_MAGIC = m(49, 185, 88, 66, 111, 182, 163, 127);
/** sha256("Proxmox Backup encrypted blob v1.0")[0..8] */
export const ENCRYPTED_BLOB_MAGIC = m(123, 103, 133, 190, 34, 45, 76, 240);
/** sha256("Proxmox Backup zstd compressed encrypted blob v1.0")[0..8] */
export const ENCR_COMPR_BLOB_MAGIC = m(230, 89, 27, 191, 11, 191, 216, 11);
/** sha256("Proxmox Backup fixed sized chunk index v1.0")[0..8] */
export const FIXED_INDEX_MAGIC = m(47, 127, 65, 237, 145, 253, 15, 205);
/** sha256("Proxmox Backup dynamic sized chunk index v1.0")[0..8] */
export const DYNAMIC_INDEX_MAGIC = m(28, 145, 78, 165, 25, 186, 179, 205);
/** sha256("Proxmox Backup Catalog file v1.0")[0..8]; starts the decoded content of catalog.pcat1.didx */
export const CATALOG_MAGIC = m(145, 253, 96, 249, 196, 103, 88, 213);

/** The strings behind each magic, for the derivation test. */
export const MAGIC_SOURCES: ReadonlyArray<readonly [Uint8Array, string]> = [
  [UNCOMPRESSED_BLOB_MAGIC, 'Proxmox Backup uncompressed blob v1.0'],
  [COMPRESSED_BLOB_MAGIC, 'Proxmox Backup zstd compressed blob v1.0'],
  [ENCRYPTED_BLOB_MAGIC, 'Proxmox Backup encrypted blob v1.0'],
  [ENCR_COMPR_BLOB_MAGIC, 'Proxmox Backup zstd compressed encrypted blob v1.0'],
  [FIXED_INDEX_MAGIC, 'Proxmox Backup fixed sized chunk index v1.0'],
  [DYNAMIC_INDEX_MAGIC, 'Proxmox Backup dynamic sized chunk index v1.0'],
  [CATALOG_MAGIC, 'Proxmox Backup Catalog file v1.0'],
];

export function magicEquals(buf: Uint8Array, magic: Uint8Array): boolean {
  if (buf.length < 8) return false;
  for (let i = 0; i < 8; i++) if (buf[i] !== magic[i]) return false;
  return true;
}
