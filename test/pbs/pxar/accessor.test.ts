import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PxarAccessor, type PxarEntry, type PxarInput } from '../../../electron/pbs/pxar/accessor.ts';
import { encodePxar } from '../../../electron/pbs/pxar/encoder.ts';
import { isRestoreError } from '../../../shared/errors.ts';
import { LONG_NAME, MTIME, pseudoRandom, testTree, UTF8_NAME, wideDir } from '../../helpers/pxarTree.ts';
import { memInput } from './helpers.ts';

const BIG = 300_000;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function open(format: 1 | 2, tree = testTree(BIG)): Promise<PxarAccessor> {
  const enc = encodePxar(tree, { format, ...(format === 2 ? { payloadGap: 7 } : {}) });
  return PxarAccessor.open(memInput(enc.meta), enc.payload && memInput(enc.payload));
}

async function at(acc: PxarAccessor, path: string): Promise<PxarEntry> {
  let e = acc.root;
  for (const name of path.split('/').filter(Boolean)) {
    const next = await acc.lookup(e, name);
    assert.ok(next, `${path}: ${name} not found`);
    e = next;
  }
  return e;
}

async function contents(acc: PxarAccessor, e: PxarEntry): Promise<Buffer> {
  const c = await acc.contents(e);
  return Buffer.from(await c.input.read(c.start, c.end - c.start));
}

/** Every path with its kind and, for files, the SHA-256 of the contents. */
async function walk(acc: PxarAccessor, dir = acc.root, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await acc.list(dir)) {
    const path = `${prefix}/${e.name}`;
    if (e.kind === 'dir') out.push(`${path}/`, ...(await walk(acc, e, path)));
    else if (e.kind === 'file') out.push(`${path} ${sha(await contents(acc, e))}`);
    else if (e.kind === 'hardlink') out.push(`${path} -> ${(await acc.hardlinkTarget(e)).name}`);
    else out.push(`${path} ${e.kind}`);
  }
  return out;
}

for (const format of [1, 2] as const) {
  describe(`pxar accessor, format ${format}`, () => {
    it('lists the root in archive order (sorted by name bytes) with each entry type', async () => {
      const acc = await open(format);
      assert.equal(acc.format, format);
      const root = await acc.list(acc.root);
      assert.deepEqual(root.map((e) => [e.name, e.kind]), [
        [UTF8_NAME, 'file'], ['dev', 'dir'], ['empty', 'dir'], ['etc', 'dir'], [LONG_NAME, 'file'], ['var', 'dir'],
      ]);
      assert.deepEqual(await acc.list(root[2]!), [], 'empty directory');
    });

    it('decodes stat, symlink, device, fifo, socket and hardlink entries, skipping attributes', async () => {
      const acc = await open(format);
      const etc = await acc.list(await at(acc, '/etc'));
      assert.deepEqual(etc.map((e) => e.name), ['hostname', 'hosts', 'localtime', 'nginx']);
      assert.deepEqual(etc[1]!.stat, { mode: 0o100644, flags: 0n, uid: 0, gid: 0, mtimeSecs: MTIME, mtimeNanos: 250_000_000 });
      assert.equal(etc[2]!.symlinkTarget, '/usr/share/zoneinfo/Europe/Vienna');
      assert.equal(etc[2]!.stat!.mode, 0o120777);
      assert.equal(etc[3]!.kind, 'dir', 'a directory with ACL items');
      const conf = (await acc.list(etc[3]!))[0]!;
      assert.equal((await contents(acc, conf)).toString(), 'worker_processes auto;\nevents { worker_connections 768; }\n');
      assert.equal(conf.stat!.uid, 33);

      const dev = await acc.list(await at(acc, '/dev'));
      assert.deepEqual(dev.map((e) => [e.name, e.kind, e.stat!.mode, e.device]), [
        ['null', 'device', 0o020666, { major: 1, minor: 3 }],
        ['sda', 'device', 0o060660, { major: 8, minor: 0 }],
      ]);

      const v = await acc.list(await at(acc, '/var'));
      assert.deepEqual(v.map((e) => [e.name, e.kind, e.size]), [
        ['big.bin', 'file', BIG], ['big.link', 'hardlink', 0], ['empty.txt', 'file', 0], ['fifo', 'fifo', 0], ['sock', 'socket', 0],
      ]);
      assert.equal(v[1]!.hardlink!.target, 'var/big.bin');
      assert.equal(v[1]!.stat, undefined, 'a hardlink has no metadata of its own');
      const target = await acc.hardlinkTarget(v[1]!);
      assert.equal(target.name, 'big.bin');
      assert.equal(target.filenameOffset, v[0]!.filenameOffset);
      assert.equal(sha(await contents(acc, target)), sha(pseudoRandom('big', BIG)));
      assert.equal((await contents(acc, v[2]!)).length, 0);
    });

    it('finds every name of a 300-entry directory through the goodbye BST, and misses others', async () => {
      const tree = testTree(10);
      tree.children.push(wideDir(300));
      const acc = await open(format, tree);
      const wide = await at(acc, '/wide');
      for (let i = 0; i < 300; i++) {
        const e = await acc.lookup(wide, `f${i}`);
        assert.equal(e?.name, `f${i}`);
        assert.equal((await contents(acc, e!)).toString(), `file ${i}\n`);
      }
      assert.equal(await acc.lookup(wide, 'f300'), undefined);
      assert.equal(await acc.lookup(wide, ''), undefined);
      const listed = await acc.list(wide);
      assert.deepEqual(listed.map((e) => e.name), Array.from({ length: 300 }, (_, i) => `f${i}`).sort());
    });

    it('lists /etc without reading the large file stored before it', async () => {
      const tree = testTree(2_000_000);
      const enc = encodePxar(tree, { format });
      const meta = memInput(enc.meta);
      const acc = await PxarAccessor.open(meta, enc.payload && memInput(enc.payload));
      const before = meta.bytesRead;
      await acc.list(await at(acc, '/etc'));
      assert.ok(meta.bytesRead - before < 64 * 1024, `read ${meta.bytesRead - before} bytes`);
    });
  });
}

describe('pxar accessor on damaged input', () => {
  const expectInvalid = async (fn: () => Promise<unknown>, pattern?: RegExp): Promise<void> => {
    await assert.rejects(fn, (e: unknown) => {
      assert.ok(isRestoreError(e, 'PXAR_INVALID'), `got ${String(e)}`);
      if (pattern) assert.match((e as Error).message, pattern);
      return true;
    });
  };
  const v1 = encodePxar(testTree(5000), { format: 1 }).meta;
  const v2 = encodePxar(testTree(5000), { format: 2 });

  it('refuses a truncated archive, a missing or unexpected payload stream, and a truncated payload', async () => {
    await expectInvalid(() => PxarAccessor.open(memInput(v1.subarray(0, v1.length - 1))), /goodbye tail/);
    await expectInvalid(() => PxarAccessor.open(memInput(v1.subarray(0, 40))));
    await expectInvalid(() => PxarAccessor.open(memInput(v2.meta)), /payload stream \(\.ppxar\) is needed/);
    await expectInvalid(() => PxarAccessor.open(memInput(v1), memInput(v2.payload!)), /has none/);
    await expectInvalid(() => PxarAccessor.open(memInput(v2.meta), memInput(v2.payload!.subarray(0, v2.payload!.length - 16))), /tail marker/);
  });

  it('refuses a payload reference whose PAYLOAD header disagrees', async () => {
    const payload = Buffer.from(v2.payload!);
    // The first PAYLOAD header follows the 16-byte start marker; change its size.
    payload.writeBigUInt64LE(payload.readBigUInt64LE(24) + 1n, 24);
    const acc = await PxarAccessor.open(memInput(v2.meta), memInput(payload));
    // The first file in archive order owns the first payload.
    const first = (await acc.list(acc.root))[0]!;
    assert.equal(first.name, UTF8_NAME);
    await expectInvalid(() => acc.contents(first), /reference says/);
  });

  it('refuses a goodbye item pointing outside its directory and an impossible item size', async () => {
    const bad = Buffer.from(v1);
    // The root table's first item: 16 header bytes after the GOODBYE header start.
    const goodbyeOffset = bad.length - Number(bad.readBigUInt64LE(bad.length - 8));
    bad.writeBigUInt64LE(BigInt(goodbyeOffset + 100), goodbyeOffset + 16 + 8);
    const acc = await PxarAccessor.open(memInput(bad));
    await expectInvalid(() => acc.list(acc.root), /points before the archive start/);

    const huge = Buffer.from(v1);
    huge.writeBigUInt64LE(1n << 62n, 8); // the root ENTRY's full_size
    await expectInvalid(() => PxarAccessor.open(memInput(huge)), /impossible size|more than/);
  });

  it('survives 300 random corruptions: each walk succeeds or fails with PXAR_INVALID, in bounded reads', async () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const outcomes = { ok: 0, invalid: 0 };
    for (let round = 0; round < 300; round++) {
      const split = round % 2 === 1;
      const meta = Buffer.from(split ? v2.meta : v1);
      for (let k = 0; k < 1 + rand(4); k++) {
        const i = rand(meta.length);
        meta[i] = meta[i]! ^ (1 << rand(8));
      }
      const metaIn = memInput(meta);
      const payloadIn = split ? memInput(v2.payload!) : undefined;
      try {
        const acc = await PxarAccessor.open(metaIn, payloadIn as PxarInput | undefined);
        await walk(acc);
        outcomes.ok++;
      } catch (e) {
        assert.ok(isRestoreError(e, 'PXAR_INVALID'), `round ${round}: ${(e as Error).stack}`);
        outcomes.invalid++;
      }
      assert.ok(metaIn.reads < 2000, `round ${round}: ${metaIn.reads} reads`);
    }
    assert.ok(outcomes.invalid > 100, JSON.stringify(outcomes));
  });
});
