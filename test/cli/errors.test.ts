// Each kind of bad input fails through the CLI with its own code, a one-line message naming the
// cause (and the chunk where one is involved), exit code 1, and no target that looks complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, cp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseFixedIndex, digestAt } from '../../electron/pbs/fixedIndex.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { zeroChunkDigest } from '../../electron/pbs/dataBlob.ts';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { createKeyConfig, serializeKeyConfig } from '../../electron/pbs/keyFile.ts';
import { lastJson, runCli } from '../helpers/cli.ts';
import { selectors, smallDemo } from '../helpers/demo.ts';
import { tempDir } from '../helpers/tmp.ts';
import type { DemoArchive, DemoResult } from '../../electron/demo/demoDatastore.ts';

const demo = await smallDemo();
const work = await tempDir();
const plain = demo.archives.find((a) => !a.encrypted && a.chunks - a.zeroChunks >= 4)!;
const encrypted = demo.archives.find((a) => a.encrypted)!;
let n = 0;

/** A private copy of the demo datastore to damage. */
async function copyDemo(): Promise<DemoResult> {
  const dir = join(work, `store-${++n}`);
  await cp(demo.dir, dir, { recursive: true });
  return { ...demo, dir };
}

function snapDir(d: DemoResult, a: DemoArchive): string {
  return join(d.dir, ...(a.ns ? a.ns.split('/').flatMap((c) => ['ns', c]) : []), a.type, a.id, backupTimeName(a.time));
}

/** Index position, offset and digest of the k-th chunk that is not a zero chunk. */
async function dataChunk(d: DemoResult, a: DemoArchive, k: number): Promise<{ i: number; hex: string; path: string }> {
  const index = parseFixedIndex(await readFile(join(snapDir(d, a), a.archive)));
  const zero = zeroChunkDigest(index.chunkSize);
  let seen = 0;
  for (let i = 0; i < index.count; i++) {
    const dg = digestAt(index, i);
    if (dg.equals(zero)) continue;
    if (seen++ === k) {
      const hex = toHex(dg);
      return { i, hex, path: join(d.dir, '.chunks', hex.slice(0, 4), hex) };
    }
  }
  throw new Error('not enough data chunks');
}

async function expectFailure(d: DemoResult, a: DemoArchive, code: string, env: Record<string, string> = {}, extra: string[] = []) {
  const target = join(work, `t-${++n}.raw`);
  const r = await runCli(['restore', ...selectors(d, a), '--target', target, '--json', ...extra], { PBS_ENCRYPTION_PASSWORD: demo.keyPassword, ...env });
  assert.equal(r.code, 1, `expected failure, got ${r.code}: ${r.stdout} ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `not one line: ${r.stderr}`);
  assert.match(lines[0]!, new RegExp(`^restore-console: error \\[${code}\\]: `));
  const s = lastJson(r.stdout);
  assert.equal(s.status, 'failed');
  assert.equal((s.error as { code: string }).code, code);
  await assert.rejects(access(target), 'a failed restore left a file at the target path');
  return { stderr: lines[0]!, summary: s, target };
}

test('a corrupt chunk fails with BLOB_CRC_MISMATCH and names the chunk', async () => {
  const d = await copyDemo();
  const c = await dataChunk(d, plain, 2);
  const raw = await readFile(c.path);
  raw[raw.length - 3]! ^= 0x40;
  await writeFile(c.path, raw);
  const { stderr, summary } = await expectFailure(d, plain, 'BLOB_CRC_MISMATCH');
  assert.match(stderr, new RegExp(`chunk ${c.i} at offset ${c.i * plain.chunkSize} \\(digest ${c.hex}\\)`));
  assert.deepEqual((summary.error as { chunk: unknown }).chunk, { index: c.i, offset: c.i * plain.chunkSize, digest: c.hex });
  assert.equal(summary.partial, true);
});

test('a missing chunk fails with CHUNK_MISSING and names the chunk file', async () => {
  const d = await copyDemo();
  const c = await dataChunk(d, plain, 1);
  await rm(c.path);
  const { stderr } = await expectFailure(d, plain, 'CHUNK_MISSING');
  assert.match(stderr, new RegExp(`chunk ${c.i} at offset ${c.i * plain.chunkSize}`));
  assert.ok(stderr.includes(c.hex));
});

test('a chunk with other content (valid CRC) fails with CHUNK_DIGEST_MISMATCH', async () => {
  const d = await copyDemo();
  const a = await dataChunk(d, plain, 0);
  const b = await dataChunk(d, plain, 3);
  await writeFile(b.path, await readFile(a.path));
  const { stderr } = await expectFailure(d, plain, 'CHUNK_DIGEST_MISMATCH');
  assert.match(stderr, new RegExp(`chunk ${b.i} at offset ${b.i * plain.chunkSize} \\(digest ${b.hex}\\)`));
});

test('a truncated index fails with INDEX_TRUNCATED and names the archive', async () => {
  const d = await copyDemo();
  const p = join(snapDir(d, plain), plain.archive);
  const buf = await readFile(p);
  await truncate(p, buf.length - 7);
  const { stderr } = await expectFailure(d, plain, 'INDEX_TRUNCATED');
  assert.ok(stderr.includes(plain.archive));
});

test('an index with an impossible chunk size fails with INDEX_INVALID', async () => {
  const d = await copyDemo();
  const p = join(snapDir(d, plain), plain.archive);
  const buf = await readFile(p);
  buf.writeBigUInt64LE(BigInt(plain.chunkSize + 1), 72);
  await writeFile(p, buf);
  await expectFailure(d, plain, 'INDEX_INVALID');
});

test('an index whose digests differ from the manifest fails with INDEX_CSUM_MISMATCH', async () => {
  const d = await copyDemo();
  const p = join(snapDir(d, plain), plain.archive);
  const buf = await readFile(p);
  buf[4096 + 5]! ^= 1;
  await writeFile(p, buf);
  await expectFailure(d, plain, 'INDEX_CSUM_MISMATCH');
});

test('an encrypted archive with another key fails with WRONG_KEY before any write', async () => {
  const other = join(work, 'other.key.json');
  await writeFile(other, serializeKeyConfig(await createKeyConfig(randomBytes(32))));
  const r = await expectFailure(demo, encrypted, 'WRONG_KEY', {}, ['--keyfile', other]);
  assert.match(r.stderr, /wrong key/);
});

test('a wrong key file password fails with WRONG_PASSWORD', async () => {
  await expectFailure(demo, encrypted, 'WRONG_PASSWORD', { PBS_ENCRYPTION_PASSWORD: 'not-the-password' });
});

test('an encrypted archive without a key fails with MISSING_KEY', async () => {
  const target = join(work, 'nokey.raw');
  const args = selectors(demo, encrypted).filter((x, i, all) => x !== '--keyfile' && all[i - 1] !== '--keyfile');
  const r = await runCli(['restore', ...args, '--target', target]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[MISSING_KEY\].*--keyfile/);
});

test('an unknown snapshot, an unknown archive and a path in a name each have their own code', async () => {
  const base = ['restore', '--datastore', demo.dir, '--target', join(work, 'x.raw')];
  const r1 = await runCli([...base, '--snapshot', 'vm/999/2026-01-01T00:00:00Z', '--archive', 'drive-scsi0.img']);
  assert.equal(r1.code, 1);
  assert.match(r1.stderr, /\[SNAPSHOT_NOT_FOUND\].*vm\/999/);
  const snap = `${plain.type}/${plain.id}/${backupTimeName(plain.time)}`;
  const ns = plain.ns ? ['--ns', plain.ns] : [];
  const r2 = await runCli([...base, ...ns, '--snapshot', snap, '--archive', 'drive-virtio7.img']);
  assert.match(r2.stderr, /\[ARCHIVE_NOT_FOUND\].*drive-virtio7\.img\.fidx/);
  const r3 = await runCli([...base, '--snapshot', 'vm/../../etc/2026-01-01T00:00:00Z', '--archive', 'x.img']);
  assert.match(r3.stderr, /\[INVALID_NAME\]/);
  const r4 = await runCli([...base, ...ns, '--snapshot', snap, '--archive', '../../../etc/passwd.blob']);
  assert.match(r4.stderr, /\[INVALID_NAME\]/);
  const r5 = await runCli(['restore', '--datastore', demo.dir]);
  assert.equal(r5.code, 2);
  assert.match(r5.stderr, /\[USAGE\]/);
});
