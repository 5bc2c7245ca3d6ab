import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as magic from '../../../electron/pbs/pxar/magic.ts';
import { hashFilename, PXAR_HASH_KEY_1, PXAR_HASH_KEY_2, PXAR_ITEM_TYPES } from '../../../electron/pbs/pxar/magic.ts';
import { sipHash24 } from '../../../electron/pbs/pxar/sipHash.ts';

test('SipHash-2-4 matches the reference vectors (key 00..0f, message 00..n-1)', () => {
  // From the SipHash paper's reference implementation (vectors.h), read as u64 LE.
  const key = Buffer.from([...Array(16).keys()]);
  const k0 = key.readBigUInt64LE(0);
  const k1 = key.readBigUInt64LE(8);
  const expected: Array<[number, bigint]> = [
    [0, 0x726fdb47dd0e0e31n],
    [1, 0x74f839c593dc67fdn],
    [7, 0xab0200f58b01d137n],
    [8, 0x93f5f5799a932462n],
    [15, 0xa129ca6149be45e5n],
  ];
  for (const [n, h] of expected) assert.equal(sipHash24(k0, k1, Buffer.from([...Array(n).keys()])), h, `${n} bytes`);
});

test('the file name hash keys are SHA-1("PROXMOX ARCHIVE FORMAT") split in two u64', () => {
  const sha1 = createHash('sha1').update('PROXMOX ARCHIVE FORMAT').digest();
  assert.equal(PXAR_HASH_KEY_1, sha1.readBigUInt64BE(0));
  assert.equal(PXAR_HASH_KEY_2, sha1.readBigUInt64BE(8));
});

test('every item type is the SipHash of its derivation string (upstream mk-format-hashes)', () => {
  assert.equal(PXAR_ITEM_TYPES.length, 23);
  for (const [value, name, source] of PXAR_ITEM_TYPES) {
    assert.equal(hashFilename(Buffer.from(source, 'ascii')), value, name);
  }
});

test('PXAR_ITEM_TYPES lists every exported item type exactly once', () => {
  const exported = Object.entries(magic)
    .filter(([k, v]) => k.startsWith('PXAR_') && !k.startsWith('PXAR_HASH_KEY') && typeof v === 'bigint')
    .map(([, v]) => v as bigint);
  assert.equal(exported.length, 23);
  assert.deepEqual(new Set(PXAR_ITEM_TYPES.map(([v]) => v)), new Set(exported));
});

test('the constants equal upstream src/format/mod.rs as written there', () => {
  // Spot checks against the hex literals in proxmox/pxar, independent of the derivation.
  assert.equal(magic.PXAR_ENTRY, 0xd5956474e588acefn);
  assert.equal(magic.PXAR_GOODBYE_TAIL_MARKER, 0xef5eed5b753e1555n);
  assert.equal(magic.PXAR_PAYLOAD_REF, 0x419d3d6bc4ba977en);
  assert.equal(magic.itemTypeName(magic.PXAR_FILENAME), 'FILENAME header (16701121063917b3)');
  assert.equal(magic.itemTypeName(42n), 'unknown header (000000000000002a)');
});
