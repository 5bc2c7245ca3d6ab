// Byte sequences written out by hand from upstream's format (proxmox/pxar src/format/mod.rs,
// encoder/mod.rs), so the encoder and the decoder are each checked against the spec rather than
// only against each other. The tree: a root directory (0755, uid/gid 1000, mtime 0x65000000 s +
// 5 ns) holding one file "a" (0644, same owner and mtime) with the contents "hi".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePxar } from '../../../electron/pbs/pxar/encoder.ts';
import { hashFilename } from '../../../electron/pbs/pxar/magic.ts';
import { PxarAccessor } from '../../../electron/pbs/pxar/accessor.ts';
import { memInput } from './helpers.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');

const ROOT_ENTRY = `
  efac88e5746495d5 3800000000000000   # ENTRY header, full size 16 + 40
  ed41000000000000                    # mode 0o040755
  0000000000000000                    # flags
  e8030000 e8030000                   # uid 1000, gid 1000
  0000006500000000 05000000 00000000  # mtime secs, nanos, padding`;
const FILE_A = `
  b317390621117016 1200000000000000 6100   # FILENAME "a\\0"
  efac88e5746495d5 3800000000000000        # ENTRY
  a481000000000000 0000000000000000 e8030000 e8030000 0000006500000000 05000000 00000000`;
const TAIL_MARKER = '55153e755bed5eef';
// SipHash-2-4("a") under the pxar keys is 0x0c26e9067c2c7bcf (keys and SipHash are checked
// against their own references in magic.test.ts).
const HASH_A = 'cf7b2c7c06e9260c';

const V1 = hex(`${ROOT_ENTRY}
  ${FILE_A}                                  # FILENAME at 56, ENTRY at 74
  251a7c0b1b7a1428 1200000000000000 6869     # PAYLOAD at 130: "hi"
  1d73d542a64fec2f 4000000000000000          # GOODBYE at 148: 16 + 2 * 24
  ${HASH_A} 5c00000000000000 5c00000000000000  # "a": 148 - 56 back, 92 bytes (FILENAME to end of PAYLOAD)
  ${TAIL_MARKER} 9400000000000000 4000000000000000  # tail: 148 back to the root ENTRY at 0, table size 64
`);

const V2_META = hex(`
  0da416df756c0f73 1800000000000000 0200000000000000   # FORMAT_VERSION 2
  ${ROOT_ENTRY}                              # root ENTRY at 24
  ${FILE_A}                                  # FILENAME at 80, ENTRY at 98
  7e97bac46b3d9d41 2000000000000000 1000000000000000 0200000000000000  # PAYLOAD_REF at 154: offset 16, size 2
  1d73d542a64fec2f 4000000000000000          # GOODBYE at 186
  ${HASH_A} 6a00000000000000 6c00000000000000  # "a": 186 - 80 = 106 back; size 106 + 2 (upstream counts the payload)
  ${TAIL_MARKER} ba00000000000000 4000000000000000  # tail: 186 back to offset 0 (the root state's entry offset)
`);
const V2_PAYLOAD = hex(`
  d24e4a19c2684c83 1000000000000000          # PAYLOAD_START_MARKER
  251a7c0b1b7a1428 1200000000000000 6869     # PAYLOAD at 16: "hi"
  b5814c988bb7726c 1000000000000000          # PAYLOAD_TAIL_MARKER
`);

const TREE = {
  mode: 0o755, uid: 1000, gid: 1000, mtime: 0x65000000, mtimeNanos: 5,
  children: [{ kind: 'file' as const, name: 'a', mode: 0o644, uid: 1000, gid: 1000, mtime: 0x65000000, mtimeNanos: 5, data: Buffer.from('hi') }],
};

test('format 1: the encoder writes the hand-derived bytes', () => {
  assert.equal(V1.length, 212);
  assert.deepEqual(encodePxar(TREE, { format: 1 }), { meta: V1 });
});

test('format 2: the encoder writes the hand-derived metadata and payload streams', () => {
  assert.equal(V2_META.length, 250);
  assert.deepEqual(encodePxar(TREE, { format: 2 }), { meta: V2_META, payload: V2_PAYLOAD });
});

for (const [format, meta, payload] of [[1, V1, undefined], [2, V2_META, V2_PAYLOAD]] as const) {
  test(`format ${format}: the decoder reads the hand-derived bytes`, async () => {
    const acc = await PxarAccessor.open(memInput(meta), payload && memInput(payload));
    assert.equal(acc.format, format);
    assert.equal(acc.root.stat!.mode, 0o040755);
    const [a, ...rest] = await acc.list(acc.root);
    assert.equal(rest.length, 0);
    assert.equal(a!.name, 'a');
    assert.equal(a!.kind, 'file');
    assert.equal(a!.size, 2);
    assert.deepEqual(a!.stat, { mode: 0o100644, flags: 0n, uid: 1000, gid: 1000, mtimeSecs: 0x65000000, mtimeNanos: 5 });
    const c = await acc.contents(a!);
    assert.equal(Buffer.from(await c.input.read(c.start, c.end - c.start)).toString(), 'hi');
  });
}

test('a goodbye table holds its items sorted by hash in upstream\'s BST order [3, 1, 4, 0, 2]', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const tree = { mode: 0o755, children: names.map((name) => ({ kind: 'fifo' as const, name, mode: 0o600 })) };
  const { meta } = encodePxar(tree, { format: 1 });
  // Each fifo entry: FILENAME (16 + 2) + ENTRY (56) = 74 bytes, after the root ENTRY (56).
  const table = meta.subarray(56 + 5 * 74);
  assert.equal(table.readBigUInt64LE(8), BigInt(16 + 6 * 24));
  const sorted = names.map((n, i) => ({ hash: hashFilename(Buffer.from(n)), fileOffset: 56 + i * 74 })).sort((x, y) => (x.hash < y.hash ? -1 : 1));
  const goodbyeOffset = 56 + 5 * 74;
  [3, 1, 4, 0, 2].forEach((src, slot) => {
    const at = 16 + slot * 24;
    assert.equal(table.readBigUInt64LE(at), sorted[src]!.hash, `slot ${slot}`);
    assert.equal(table.readBigUInt64LE(at + 8), BigInt(goodbyeOffset - sorted[src]!.fileOffset));
    assert.equal(table.readBigUInt64LE(at + 16), 74n);
  });
  assert.equal(table.readBigUInt64LE(16 + 5 * 24), 0xef5eed5b753e1555n);
});

test('format 2 with a PRELUDE after FORMAT_VERSION decodes', async () => {
  const enc = encodePxar(TREE, { format: 2, prelude: Buffer.from('prelude data') });
  assert.deepEqual(enc.meta.subarray(24, 32), Buffer.from('1b777b9f9dd709e3', 'hex'), 'PRELUDE header type');
  const acc = await PxarAccessor.open(memInput(enc.meta), memInput(enc.payload!));
  const [a] = await acc.list(acc.root);
  const c = await acc.contents(a!);
  assert.equal(Buffer.from(await c.input.read(c.start, c.end - c.start)).toString(), 'hi');
});
