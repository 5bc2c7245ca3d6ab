// The key material derived from a 32-byte encryption key, as PBS's CryptConfig does
// (pbs-tools/src/crypt_config.rs):
//   id_key      = PBKDF2-HMAC-SHA256(enc_key, "_id_key", 10 iterations, 32 bytes)
//   digest(d)   = SHA256(d || id_key)          (id_key after the data against length extension)
//   authTag(d)  = HMAC-SHA256(id_key, d)       (manifest signature)
//   fingerprint = digest(FINGERPRINT_INPUT), FINGERPRINT_INPUT = SHA256("Proxmox Backup Encryption Key Fingerprint")
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { toColonHex } from './hex.ts';

const FINGERPRINT_INPUT = createHash('sha256').update('Proxmox Backup Encryption Key Fingerprint').digest();

export class CryptConfig {
  readonly encKey: Buffer;
  readonly idKey: Buffer;
  readonly fingerprint: Buffer;

  constructor(encKey: Uint8Array) {
    if (encKey.length !== 32) throw new Error(`encryption key must be 32 bytes, got ${encKey.length}`);
    this.encKey = Buffer.from(encKey);
    this.idKey = pbkdf2Sync(this.encKey, '_id_key', 10, 32, 'sha256');
    this.fingerprint = this.computeDigest(FINGERPRINT_INPUT);
  }

  computeDigest(data: Uint8Array): Buffer {
    return createHash('sha256').update(data).update(this.idKey).digest();
  }

  computeAuthTag(data: Uint8Array | string): Buffer {
    return createHmac('sha256', this.idKey).update(data).digest();
  }

  /** Full colon-hex fingerprint, as stored in manifests and key files. */
  fingerprintText(): string {
    return toColonHex(this.fingerprint);
  }

  /** The first 8 bytes, PBS's "short key ID" used in messages. */
  shortId(): string {
    return toColonHex(this.fingerprint.subarray(0, 8));
  }
}

export const FINGERPRINT_INPUT_BYTES: Readonly<Buffer> = FINGERPRINT_INPUT;
