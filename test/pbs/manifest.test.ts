import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, scryptSync } from 'node:crypto';
import { toCanonicalJson } from '../../electron/pbs/canonicalJson.ts';
import { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { blobKind } from '../../electron/pbs/dataBlob.ts';
import { writeFixedIndex, parseFixedIndex } from '../../electron/pbs/fixedIndex.ts';
import {
  checkManifestKey,
  decodeManifestBlob,
  encodeManifestBlob,
  findManifestFile,
  manifestKeyFingerprint,
  manifestSignature,
  parseManifestJson,
  verifyManifestFile,
  writeManifestJson,
  type ManifestInput,
} from '../../electron/pbs/manifest.ts';
import { hasCode } from './helpers.ts';

// T2: Scrypt("test", empty salt, n=65536, r=8, p=1); derived once (~0.2 s).
const T2_KEY = scryptSync('test', Buffer.alloc(0), 32, { N: 65536, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
const T2 = new CryptConfig(T2_KEY);
const T2_SIGNATURE = 'd7b446fb7db081662081d4b40fedd858a1d6307a5aff4ecff7d5bf4fd35679e9';
const T2_CANONICAL =
  '{"backup-id":"elsa","backup-time":1593179765,"backup-type":"host","files":[{"crypt-mode":"encrypt","csum":"0101010101010101010101010101010101010101010101010101010101010101","filename":"test1.img.fidx","size":200},{"crypt-mode":"none","csum":"0202020202020202020202020202020202020202020202020202020202020202","filename":"abc.blob","size":200}]}';
const T2_INPUT: ManifestInput = {
  backupType: 'host',
  backupId: 'elsa',
  backupTime: 1593179765,
  files: [
    { filename: 'test1.img.fidx', cryptMode: 'encrypt', size: 200, csum: Buffer.alloc(32, 1) },
    { filename: 'abc.blob', cryptMode: 'none', size: 200, csum: Buffer.alloc(32, 2) },
  ],
  unprotected: { note: 'This is not protected by the signature.' },
};
const OTHER = new CryptConfig(Buffer.alloc(32, 9));

test('T2: the Scrypt key and its fingerprint', () => {
  assert.equal(T2_KEY.toString('hex'), '28cdb1a3bef39396c3860e00d448fe7a0efd8244486ab6feb30457681d31597e');
  assert.equal(T2.fingerprint.toString('hex'), '12b9b774bb3d89952b97cbc282f00c142b83ba7f96626aa15a449a63e891fe25');
});

test('T2: HMAC over exactly the canonical bytes is the upstream signature', () => {
  assert.equal(T2.computeAuthTag(Buffer.from(T2_CANONICAL, 'utf8')).toString('hex'), T2_SIGNATURE);
});

test('T2: toCanonicalJson of the signed manifest gives exactly those bytes', () => {
  const json = JSON.parse(writeManifestJson(T2_INPUT, T2)) as Record<string, unknown>;
  const { unprotected: _u, signature: _s, ...signed } = json;
  assert.equal(toCanonicalJson(signed), T2_CANONICAL);
});

test('T2: writeManifestJson signs with the upstream signature and records the fingerprint', () => {
  const text = writeManifestJson(T2_INPUT, T2);
  assert.match(text, /\n  "backup-type": "host",\n/, 'pretty-printed like serde_json::to_string_pretty');
  const m = parseManifestJson(text);
  assert.equal(m.signature, T2_SIGNATURE);
  assert.equal(manifestSignature(m.json, T2), T2_SIGNATURE);
  assert.equal(m.unprotected['key-fingerprint'], T2.fingerprintText());
  assert.deepEqual(manifestKeyFingerprint(m), T2.fingerprint);
  assert.equal(m.unprotected.note, 'This is not protected by the signature.');
  checkManifestKey(m, T2, true);
});

test('T2: the unprotected part is not covered by the signature', () => {
  const json = JSON.parse(writeManifestJson(T2_INPUT, T2));
  json.unprotected.note = 'changed';
  json.unprotected.verify_state = { state: 'ok', upid: 'UPID:x' };
  const m = parseManifestJson(JSON.stringify(json));
  assert.equal(manifestSignature(m.json, T2), T2_SIGNATURE);
  checkManifestKey(m, T2, true);
});

test('parse: fields, crypt-mode default, unknown fields ignored, unsigned manifest', () => {
  const text = JSON.stringify({
    'backup-type': 'vm',
    'backup-id': '100',
    'backup-time': 1752502802,
    files: [
      { filename: 'qemu-server.conf.blob', size: 688, csum: 'AB'.repeat(32) },
      { filename: 'drive-scsi0.img.fidx', 'crypt-mode': 'sign-only', size: 34359738368, csum: 'cd'.repeat(32), extra: 1 },
    ],
    unprotected: { notes: 'n' },
    future: { anything: true },
  });
  const m = parseManifestJson(text);
  assert.equal(m.backupType, 'vm');
  assert.equal(m.backupId, '100');
  assert.equal(m.backupTime, 1752502802);
  assert.equal(m.signature, null);
  assert.equal(m.files.length, 2);
  assert.deepEqual(m.files[0], { filename: 'qemu-server.conf.blob', cryptMode: 'none', size: 688, csum: Buffer.alloc(32, 0xab) });
  assert.equal(m.files[1]!.cryptMode, 'sign-only');
  assert.equal(m.files[1]!.size, 34359738368);
  assert.equal(findManifestFile(m, 'drive-scsi0.img.fidx'), m.files[1]);
  assert.equal(findManifestFile(m, 'nope.fidx'), undefined);
  assert.equal(manifestKeyFingerprint(m), undefined);
  // an unsigned manifest is accepted with a key, and without one
  checkManifestKey(m, T2, true);
  checkManifestKey(m, undefined, false);
});

test('parse: malformed manifests are MANIFEST_INVALID', () => {
  const good = { 'backup-type': 'vm', 'backup-id': '100', 'backup-time': 1, files: [] as unknown[] };
  const bad = (v: unknown) => assert.throws(() => parseManifestJson(typeof v === 'string' ? v : JSON.stringify(v)), hasCode('MANIFEST_INVALID'));
  parseManifestJson(JSON.stringify(good));
  bad('{not json');
  bad('[]');
  bad('null');
  bad({ ...good, 'backup-time': '1' });
  bad({ ...good, 'backup-id': undefined });
  bad({ ...good, files: {} });
  bad({ ...good, signature: 5 });
  bad({ ...good, files: [{ filename: 'a.blob', size: 1, csum: '00' }] });
  bad({ ...good, files: [{ filename: 'a.blob', size: -1, csum: '00'.repeat(32) }] });
  bad({ ...good, files: [{ filename: 'a.blob', size: 1, csum: 'zz'.repeat(32) }] });
  bad({ ...good, files: [{ filename: 'a.blob', size: 1, csum: '00'.repeat(32), 'crypt-mode': 'maybe' }] });
  bad({ ...good, files: [{ size: 1, csum: '00'.repeat(32) }] });
  bad({ ...good, files: [null] });
});

test('encodeManifestBlob → decodeManifestBlob round trip (compressed, unencrypted blob)', () => {
  const blob = encodeManifestBlob(T2_INPUT, T2);
  assert.equal(blobKind(blob), 'compressed');
  const m = decodeManifestBlob(blob);
  assert.equal(m.signature, T2_SIGNATURE);
  assert.equal(m.backupId, 'elsa');
  checkManifestKey(m, T2, true);
  const flipped = Buffer.from(blob);
  flipped[flipped.length - 1]! ^= 1;
  assert.throws(() => decodeManifestBlob(flipped), hasCode('BLOB_CRC_MISMATCH'));
});

test('verifyManifestFile: the recomputed index csum and size must match the entry', () => {
  const digests = [Buffer.alloc(32, 7), Buffer.alloc(32, 8)];
  const ix = parseFixedIndex(writeFixedIndex({ size: 65536 + 10, chunkSize: 65536, digests }));
  const input: ManifestInput = {
    backupType: 'vm',
    backupId: '100',
    backupTime: 1752502802,
    files: [{ filename: 'drive-scsi0.img.fidx', cryptMode: 'none', size: ix.size, csum: ix.csum }],
  };
  const m = parseManifestJson(writeManifestJson(input));
  assert.equal(verifyManifestFile(m, 'drive-scsi0.img.fidx', ix.csum, ix.size), m.files[0]);
  const otherCsum = createHash('sha256').update('x').digest();
  assert.throws(() => verifyManifestFile(m, 'drive-scsi0.img.fidx', otherCsum, ix.size), hasCode('INDEX_CSUM_MISMATCH'));
  assert.throws(() => verifyManifestFile(m, 'drive-scsi0.img.fidx', ix.csum, ix.size + 1), hasCode('INDEX_CSUM_MISMATCH'));
  assert.throws(() => verifyManifestFile(m, 'drive-scsi1.img.fidx', ix.csum, ix.size), hasCode('ARCHIVE_NOT_FOUND'));
});

test('checkManifestKey: MISSING_KEY when an encrypted archive needs the key and none is given', () => {
  const m = parseManifestJson(writeManifestJson(T2_INPUT, T2));
  assert.throws(() => checkManifestKey(m, undefined, true), (e: unknown) => {
    hasCode('MISSING_KEY')(e);
    assert.match((e as Error).message, /12:b9:b7:74:bb:3d:89:95/, 'names the short key id');
    return true;
  });
  // plain archives of the same snapshot can be read without the key
  checkManifestKey(m, undefined, false);
});

test('checkManifestKey: WRONG_KEY when the recorded fingerprint is not the key\'s', () => {
  const m = parseManifestJson(writeManifestJson(T2_INPUT, T2));
  assert.throws(() => checkManifestKey(m, OTHER, true), hasCode('WRONG_KEY'));
  assert.throws(() => checkManifestKey(m, OTHER, false), hasCode('WRONG_KEY'));
});

test('checkManifestKey: a tampered file size in the signed JSON is MANIFEST_SIGNATURE_MISMATCH', () => {
  const json = JSON.parse(writeManifestJson(T2_INPUT, T2));
  json.files[1].size = 201;
  const m = parseManifestJson(JSON.stringify(json, null, 2));
  assert.throws(() => checkManifestKey(m, T2, true), hasCode('MANIFEST_SIGNATURE_MISMATCH'));
  // a signature made with another key, no fingerprint recorded
  const other = JSON.parse(writeManifestJson(T2_INPUT, OTHER));
  delete other.unprotected['key-fingerprint'];
  assert.throws(() => checkManifestKey(parseManifestJson(JSON.stringify(other)), T2, true), hasCode('MANIFEST_SIGNATURE_MISMATCH'));
});

test('a signed manifest written by writeManifestJson verifies; uppercase signature hex is accepted', () => {
  const input: ManifestInput = {
    backupType: 'vm',
    backupId: '100',
    backupTime: 1752502802,
    files: [{ filename: 'drive-scsi0.img.fidx', cryptMode: 'encrypt', size: 1 << 30, csum: Buffer.alloc(32, 0x33) }],
    unprotected: { notes: 'grüße' },
  };
  const m = parseManifestJson(writeManifestJson(input, OTHER));
  assert.match(m.signature!, /^[0-9a-f]{64}$/);
  checkManifestKey(m, OTHER, true);
  const upper = parseManifestJson(JSON.stringify({ ...m.json, signature: m.signature!.toUpperCase() }));
  checkManifestKey(upper, OTHER, true);
});

test('a null inside the signed part cannot be verified: MANIFEST_INVALID', () => {
  const json = JSON.parse(writeManifestJson(T2_INPUT, T2));
  json['new-field'] = null;
  const m = parseManifestJson(JSON.stringify(json));
  assert.throws(() => checkManifestKey(m, T2, true), hasCode('MANIFEST_INVALID'));
});
