// The zip writer read back by Info-ZIP's unzip and Python's zipfile: every kind of entry, store and
// deflate chosen per entry, zero runs, UTF-8 names, modes and times, an entry over 4 GiB, a central
// directory past 4 GiB, more than 65535 entries, a spilled central directory, a failing entry,
// backpressure and a closed output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { lstat, open, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import { ZipWriter, type ZipMethod } from '../../electron/files/zipWriter.ts';
import { CentralDirectory } from '../../electron/files/centralDirectory.ts';
import { ZERO_SEGMENT } from '../../electron/files/entryEncoder.ts';
import { isRestoreError } from '../../shared/errors.ts';
import { tempDir } from '../helpers/tmp.ts';
import { pyZip, run } from '../helpers/zipRead.ts';

const dir = await tempDir('rc-zip-');
const KiB = 1024;
const GiB = 1024 * 1024 * 1024;

function text(n: number, seed = 0): Buffer {
  const lines: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const l = `${seed}: line ${i} of a log file, status ${(i * 7919) % 503} ok\n`;
    lines.push(l);
    len += l.length;
  }
  return Buffer.from(lines.join('')).subarray(0, n);
}

function noise(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Yields the buffer in pieces of an odd size, so pieces straddle the encoder's 64 KiB steps. */
async function* pieces(b: Buffer, size = 100 * KiB + 1): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function* zeros(n: number, tail: Uint8Array = new Uint8Array(0)): AsyncGenerator<Uint8Array> {
  const piece = Buffer.alloc(4 * 1024 * 1024);
  for (let done = 0; done < n; done += piece.length) yield piece.subarray(0, Math.min(piece.length, n - done));
  if (tail.length) yield tail;
}

async function zipTo(path: string, fill: (z: ZipWriter) => Promise<void>, opts: { centralDirectory?: CentralDirectory } = {}): Promise<void> {
  const z = new ZipWriter(createWriteStream(path, { highWaterMark: 1024 * 1024 }), opts);
  await fill(z);
  await z.finish();
}

test('the zero segment is a repeatable, byte-aligned deflate piece of 64 KiB of zeros', () => {
  const stream = Buffer.concat([ZERO_SEGMENT, ZERO_SEGMENT, ZERO_SEGMENT, Uint8Array.of(0x03, 0x00)]);
  const out = inflateRawSync(stream);
  assert.equal(out.length, 3 * 64 * KiB);
  assert.ok(out.every((b) => b === 0));
  assert.ok(ZERO_SEGMENT.length < 200);
});

test('files, folders and symlinks read back by unzip and Python zipfile, method chosen per entry', async () => {
  const files: Array<{ name: string; data: Buffer; method?: ZipMethod; want: number; mode?: number; mtime?: number; chunk?: number }> = [
    { name: 'docs/text.txt', data: text(300 * KiB), want: 8, mode: 0o640, mtime: 1_700_000_000 },
    { name: 'docs/noise.bin', data: noise(200 * KiB), want: 0 },
    { name: 'docs/zeros.img', data: Buffer.alloc(200 * KiB), want: 8 },
    { name: 'docs/mixed.img', data: Buffer.concat([text(70 * KiB, 2), Buffer.alloc(192 * KiB), text(10 * KiB, 3), Buffer.alloc(128 * KiB)]), want: 8 },
    // Aligned pieces: zero segments between fflate streams, and the end is an empty final block.
    { name: 'docs/zero-tail.img', data: Buffer.concat([text(64 * KiB, 6), Buffer.alloc(64 * KiB), text(64 * KiB, 7), Buffer.alloc(128 * KiB)]), want: 8, chunk: 64 * KiB },
    { name: 'docs/sparse-noise.bin', data: Buffer.concat([Buffer.alloc(128 * KiB), noise(100 * KiB, 7)]), want: 0 },
    { name: 'docs/forced.bin', data: noise(90 * KiB, 9), method: 'deflate', want: 8 },
    { name: 'docs/stored.txt', data: text(90 * KiB, 4), method: 'store', want: 0 },
    { name: 'empty', data: Buffer.alloc(0), want: 0 },
    { name: 'tiny', data: Buffer.from('hi\n'), want: 0 },
    { name: 'Grüße/日本語 ファイル.txt', data: text(5 * KiB, 5), want: 8, mtime: 100 },
  ];
  const path = join(dir, 'mixed.zip');
  await zipTo(path, async (z) => {
    await z.addDirectory('docs', { mode: 0o750, mtime: 1_600_000_000 });
    await z.addDirectory('Grüße');
    for (const f of files) await z.addFile(f.name, pieces(f.data, f.chunk), { ...(f.method ? { method: f.method } : {}), ...(f.mode ? { mode: f.mode } : {}), mtime: f.mtime ?? 1_650_000_000 });
    await z.addSymlink('docs/link', 'text.txt', { mtime: 1_650_000_000 });
  });

  const t = await run('unzip', ['-t', path]);
  assert.equal(t.code, 0, t.stdout + t.stderr);
  assert.match(t.stdout, /No errors detected/);

  const py = await pyZip(path);
  const byName = new Map(py.map((e) => [e.name, e]));
  assert.deepEqual(py.map((e) => e.name), ['docs/', 'Grüße/', ...files.map((f) => f.name), 'docs/link']);
  for (const f of files) {
    const e = byName.get(f.name)!;
    assert.equal(e.size, f.data.length, f.name);
    assert.equal(e.read, f.data.length, f.name);
    assert.equal(e.sha256, sha(f.data), f.name);
    assert.equal(e.method, f.want, `${f.name}: method`);
    assert.equal(e.mode, 0o100000 | (f.mode ?? 0o644), `${f.name}: mode`);
    assert.ok(e.flags & (1 << 11), `${f.name}: UTF-8 flag`);
  }
  assert.ok(byName.get('docs/zeros.img')!.compressedSize < 1 * KiB, 'zeros deflate to almost nothing');
  assert.ok(byName.get('docs/text.txt')!.compressedSize < 300 * KiB * 0.3);
  assert.equal(byName.get('docs/')!.mode, 0o040750);
  assert.equal(byName.get('Grüße/')!.mode, 0o040755);
  assert.equal(byName.get('docs/link')!.mode, 0o120777);
  assert.equal(byName.get('docs/link')!.sha256, sha(Buffer.from('text.txt')));
  // DOS time in UTC and the exact second in the extended timestamp; before 1980 the DOS field clamps.
  assert.deepEqual(byName.get('docs/text.txt')!.dateTime, [2023, 11, 14, 22, 13, 20]);
  assert.equal(byName.get('docs/text.txt')!.utime, 1_700_000_000);
  assert.deepEqual(byName.get('Grüße/日本語 ファイル.txt')!.dateTime, [1980, 1, 1, 0, 0, 0]);
  assert.equal(byName.get('Grüße/日本語 ファイル.txt')!.utime, 100);

  // unzip restores what the attributes say: a symlink, permissions, the mtime.
  const x = join(dir, 'mixed-out');
  const u = await run('unzip', ['-q', path, '-d', x]);
  assert.equal(u.code, 0, u.stderr);
  assert.equal(await readlink(join(x, 'docs/link')), 'text.txt');
  assert.ok((await lstat(join(x, 'docs/link'))).isSymbolicLink());
  const st = await stat(join(x, 'docs/text.txt'));
  assert.equal(st.mode & 0o777, 0o640);
  assert.equal(Math.floor(st.mtimeMs / 1000), 1_700_000_000);
  assert.equal(sha(await readFile(join(x, 'Grüße/日本語 ファイル.txt'))), sha(files.at(-1)!.data));
});

test('an entry of more than 4 GiB of zeros (deflated) reads back whole', async () => {
  const size = 4 * GiB + 3 * 64 * KiB + 5;
  const tail = text(64 * KiB + 3, 8);
  const path = join(dir, 'big.zip');
  let added = { size: 0, compressedSize: 0 };
  await zipTo(path, async (z) => {
    await z.addFile('small-before.txt', pieces(text(1000, 1)));
    added = await z.addFile('disk.img', zeros(size - tail.length, tail), { mtime: 1_700_000_000 });
    await z.addFile('small-after.txt', pieces(text(1000, 2)));
  });
  assert.equal(added.size, size);
  assert.ok(added.compressedSize < size / 500);

  // unzip parses the zip64 sizes and tests the entries around the big one; Python decompresses the
  // big one whole and checks it against the CRC-32 we computed from the input (one full pass of
  // 4 GiB is ~20 s of CPU per reader, so only one reader makes it).
  const l = await run('unzip', ['-l', path]);
  assert.equal(l.code, 0, l.stderr);
  assert.match(l.stdout, new RegExp(`\\b${size}\\b.*disk\\.img`));
  const t = await run('unzip', ['-t', path, 'small-before.txt', 'small-after.txt']);
  assert.equal(t.code, 0, t.stdout + t.stderr);
  assert.match(t.stdout, /No errors detected/);

  const py = await pyZip(path, ['small-before.txt', 'small-after.txt'], ['disk.img']);
  const big = py.find((e) => e.name === 'disk.img')!;
  assert.equal(big.size, size);
  assert.equal(big.read, size);
  let want = 0;
  for await (const p of zeros(size - tail.length, tail)) want = crc32(p, want);
  assert.equal(big.crc, want);
  assert.equal(big.method, 8);
  assert.equal(py.find((e) => e.name === 'small-after.txt')!.sha256, sha(text(1000, 2)));
});

/** A file output that leaves zero pieces as holes, so a 4 GiB stored entry costs no disk. */
function sparseFile(path: string): Writable {
  const fh = open(path, 'w');
  let pos = 0;
  const zero = Buffer.alloc(64 * KiB);
  return new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _enc, cb) {
      const start = pos;
      pos += chunk.length;
      if (chunk.length === zero.length && chunk.equals(zero)) return cb();
      fh.then((f) => f.write(chunk, 0, chunk.length, start)).then(() => cb(), cb);
    },
    final(cb) {
      fh.then(async (f) => {
        await f.truncate(pos);
        await f.close();
      }).then(() => cb(), cb);
    },
  });
}

test('a central directory and an entry beyond 4 GiB (stored data, zip64 offsets and end records)', async () => {
  const path = join(dir, 'far.zip');
  const size = 4 * GiB + 64 * KiB;
  const z = new ZipWriter(sparseFile(path));
  await z.addFile('a.txt', pieces(text(5000, 1)));
  await z.addFile('stored-zeros.img', zeros(size), { method: 'store' });
  await z.addFile('far.txt', pieces(text(7000, 2)), { mtime: 1_700_000_000 });
  await z.addSymlink('far-link', 'far.txt');
  await z.finish();
  assert.ok((await stat(path)).size > 4 * GiB);

  const l = await run('unzip', ['-l', path]);
  assert.equal(l.code, 0, l.stderr);
  assert.match(l.stdout, new RegExp(`\\b${size}\\b.*stored-zeros\\.img`));
  assert.match(l.stdout, /far\.txt/);
  const t = await run('unzip', ['-t', path, 'far.txt', 'a.txt']);
  assert.equal(t.code, 0, t.stdout + t.stderr);
  assert.match(t.stdout, /No errors detected/);

  const py = await pyZip(path, ['far.txt', 'a.txt']);
  const far = py.find((e) => e.name === 'far.txt')!;
  assert.ok(far.headerOffset > 4 * GiB, `far.txt starts at ${far.headerOffset}`);
  assert.equal(far.sha256, sha(text(7000, 2)));
  assert.equal(py.find((e) => e.name === 'stored-zeros.img')!.size, size);
  assert.equal(py.find((e) => e.name === 'stored-zeros.img')!.method, 0);
  assert.equal(py.find((e) => e.name === 'far-link')!.mode, 0o120777);
  // The end records: zip64 end record and locator before the plain end record.
  const fh = await open(path, 'r');
  const tailBuf = Buffer.alloc(22 + 20 + 56);
  await fh.read(tailBuf, 0, tailBuf.length, (await fh.stat()).size - tailBuf.length);
  await fh.close();
  assert.equal(tailBuf.readUInt32LE(0), 0x06064b50);
  assert.equal(tailBuf.readUInt32LE(56), 0x07064b50);
  assert.equal(tailBuf.readUInt32LE(76), 0x06054b50);
  assert.equal(tailBuf.readUInt32LE(76 + 16), 0xffffffff);
  assert.ok(Number(tailBuf.readBigUInt64LE(48)) > 4 * GiB);
});

test('more than 65535 entries, with the central directory spilled to a temporary file', async () => {
  const path = join(dir, 'many.zip');
  const cd = new CentralDirectory(64 * KiB);
  const n = 65_540;
  await zipTo(path, async (z) => {
    for (let i = 0; i < n; i++) await z.addDirectory(`d/${String(i).padStart(5, '0')}`);
    await z.addFile('last.txt', pieces(Buffer.from('last\n')));
    assert.ok(cd.spilled);
  }, { centralDirectory: cd });
  const py = await pyZip(path, ['last.txt']);
  assert.equal(py.length, n + 1);
  assert.equal(py[12_345]!.name, 'd/12345/');
  assert.equal(py.at(-1)!.sha256, sha(Buffer.from('last\n')));
  const t = await run('unzip', ['-tq', path]);
  assert.equal(t.code, 0, t.stdout + t.stderr);
});

test('a file whose content fails is left out of the zip; the rest is valid', async () => {
  const path = join(dir, 'partial.zip');
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield text(150 * KiB, 3);
    throw new Error('chunk 7 missing');
  }
  await zipTo(path, async (z) => {
    await z.addFile('good1.txt', pieces(text(2000, 1)));
    await assert.rejects(z.addFile('bad.txt', failing()), /chunk 7 missing/);
    await z.addFile('good2.txt', pieces(text(3000, 2)));
  });
  const py = await pyZip(path);
  assert.deepEqual(py.map((e) => [e.name, e.sha256]), [
    ['good1.txt', sha(text(2000, 1))],
    ['good2.txt', sha(text(3000, 2))],
  ]);
  const t = await run('unzip', ['-t', path]);
  assert.equal(t.code, 0, t.stdout + t.stderr);
});

test('names that could escape are refused', async () => {
  const z = new ZipWriter(new Writable({ write: (_c, _e, cb) => cb() }));
  for (const bad of ['', '/etc/passwd', '../up', 'a/../b', 'a//b', './a', 'nul\0byte', 'a/']) {
    await assert.rejects(z.addFile(bad, pieces(Buffer.from('x'))), (e) => isRestoreError(e, 'INVALID_NAME'), JSON.stringify(bad));
  }
  await z.dispose();
});

test('the writer waits for a slow output: what is read ahead stays bounded', async () => {
  const held: Array<() => void> = [];
  let accepted = 0;
  const out = new Writable({
    highWaterMark: 64 * KiB,
    write(chunk: Buffer, _enc, cb) {
      held.push(() => {
        accepted += chunk.length;
        cb();
      });
      out.emit('held');
    },
  });
  let pulled = 0;
  async function* content(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < 64; i++) {
      const b = noise(256 * KiB, i + 1);
      pulled += b.length;
      yield b;
    }
  }
  const z = new ZipWriter(out);
  const done = z.addFile('noise.bin', content());
  let maxAhead = 0;
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    const ready = held.length ? Promise.resolve() : Promise.race([once(out, 'held'), done]);
    await ready;
    maxAhead = Math.max(maxAhead, pulled - accepted);
    held.shift()?.();
  }
  await done;
  assert.equal(pulled, 64 * 256 * KiB);
  assert.ok(maxAhead <= 1024 * KiB, `read ${maxAhead} bytes ahead of the output`);
  await z.dispose();
});

test('an output closed early fails the writer with IO_ERROR instead of hanging', async () => {
  const out = new Writable({ highWaterMark: 16 * KiB, write: (_c, _e, cb) => setImmediate(cb) });
  const z = new ZipWriter(out);
  async function* endless(): AsyncGenerator<Uint8Array> {
    for (let i = 0; ; i++) {
      if (i === 3) out.destroy();
      yield noise(128 * KiB, i + 1);
    }
  }
  await assert.rejects(z.addFile('x.bin', endless()), (e) => isRestoreError(e, 'IO_ERROR'));
  await assert.rejects(z.finish(), (e) => isRestoreError(e, 'INTERNAL'));
  await z.dispose();
});
