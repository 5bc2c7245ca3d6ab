import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  CATALOG_MAGIC,
  COMPRESSED_BLOB_MAGIC,
  DYNAMIC_INDEX_MAGIC,
  ENCR_COMPR_BLOB_MAGIC,
  ENCRYPTED_BLOB_MAGIC,
  FIXED_INDEX_MAGIC,
  MAGIC_SOURCES,
  UNCOMPRESSED_BLOB_MAGIC,
  magicEquals,
} from '../../electron/pbs/magic.ts';
import { FINGERPRINT_INPUT_BYTES } from '../../electron/pbs/cryptConfig.ts';

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'ascii').digest();

test('every magic equals the first 8 bytes of SHA-256 of its derivation string', () => {
  assert.equal(MAGIC_SOURCES.length, 7);
  for (const [magic, source] of MAGIC_SOURCES) {
    assert.equal(magic.length, 8, source);
    assert.deepEqual(Buffer.from(magic), sha256(source).subarray(0, 8), source);
  }
});

test('MAGIC_SOURCES covers every exported magic exactly once', () => {
  const all = [
    UNCOMPRESSED_BLOB_MAGIC,
    COMPRESSED_BLOB_MAGIC,
    ENCRYPTED_BLOB_MAGIC,
    ENCR_COMPR_BLOB_MAGIC,
    FIXED_INDEX_MAGIC,
    DYNAMIC_INDEX_MAGIC,
    CATALOG_MAGIC,
  ];
  assert.deepEqual(new Set(MAGIC_SOURCES.map(([m]) => m)), new Set(all));
});

test('magics match the bytes of upstream file_formats.rs, in hex', () => {
  const expected: Array<[Uint8Array, string]> = [
    [UNCOMPRESSED_BLOB_MAGIC, '42ab3807be8370a1'],
    [COMPRESSED_BLOB_MAGIC, '31b958426fb6a37f'],
    [ENCRYPTED_BLOB_MAGIC, '7b6785be222d4cf0'],
    [ENCR_COMPR_BLOB_MAGIC, 'e6591bbf0bbfd80b'],
    [FIXED_INDEX_MAGIC, '2f7f41ed91fd0fcd'],
    [DYNAMIC_INDEX_MAGIC, '1c914ea519bab3cd'],
    [CATALOG_MAGIC, '91fd60f9c46758d5'],
  ];
  for (const [magic, h] of expected) assert.equal(Buffer.from(magic).toString('hex'), h);
});

test('FINGERPRINT_INPUT is SHA-256 of "Proxmox Backup Encryption Key Fingerprint"', () => {
  const expectedHex = '6ed0ef77471fff4d55c7a8fe4a9db62161407f134c725ddf30992d25ec45ed26';
  assert.equal(Buffer.from(FINGERPRINT_INPUT_BYTES).toString('hex'), expectedHex);
  assert.deepEqual(Buffer.from(FINGERPRINT_INPUT_BYTES), sha256('Proxmox Backup Encryption Key Fingerprint'));
});

test('magicEquals compares the first 8 bytes only and rejects short input', () => {
  const withTail = Buffer.concat([FIXED_INDEX_MAGIC, Buffer.from('anything')]);
  assert.equal(magicEquals(withTail, FIXED_INDEX_MAGIC), true);
  assert.equal(magicEquals(withTail, DYNAMIC_INDEX_MAGIC), false);
  assert.equal(magicEquals(FIXED_INDEX_MAGIC.subarray(0, 7), FIXED_INDEX_MAGIC), false);
  const flipped = Buffer.from(FIXED_INDEX_MAGIC);
  flipped[7]! ^= 1;
  assert.equal(magicEquals(flipped, FIXED_INDEX_MAGIC), false);
});
