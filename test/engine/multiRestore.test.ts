// One job over several disks: all disks at once under one limit counted over all of them, each
// bit-exact; a failing disk fails the job (finished disks stay, the others are left .partial);
// cancel leaves every unfinished disk .partial; several jobs under one budget never exceed it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { MultiRestore, type DiskChunkEvent } from '../../electron/engine/multiRestore.ts';
import { LiveLimiter } from '../../electron/engine/liveLimiter.ts';
import { SlotBudget } from '../../electron/engine/slotBudget.ts';
import { openTarget } from '../../electron/engine/target.ts';
import { RestoreError } from '../../shared/errors.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { digestAt } from '../../electron/pbs/fixedIndex.ts';
import { buildImage, deferred, testImage, type Built } from '../helpers/memSource.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';

const CS = 64 * 1024;
const exists = (p: string) => access(p).then(() => true, () => false);

/** Reads over every source in flight now, and the most ever; reads held while `held` is set. */
class Counter {
  active = 0;
  max = 0;
  held = false;
  #waiting: Array<() => void> = [];
  #watch: Array<{ n: number; resolve: () => void }> = [];
  perDisk = new Map<string, number>();

  attach(b: Built, name: string): void {
    b.source.hook = async () => {
      this.active++;
      this.perDisk.set(name, (this.perDisk.get(name) ?? 0) + 1);
      this.max = Math.max(this.max, this.active);
      try {
        if (this.held) {
          await new Promise<void>((r) => {
            this.#waiting.push(r);
            this.#watch = this.#watch.filter((w) => (this.#waiting.length >= w.n ? (w.resolve(), false) : true));
          });
        }
      } finally {
        this.active--;
        this.perDisk.set(name, this.perDisk.get(name)! - 1);
      }
    };
  }

  whenHeld(n: number): Promise<void> {
    if (this.#waiting.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#watch.push({ n, resolve }));
  }

  release(): void {
    this.held = false;
    for (const r of this.#waiting.splice(0)) r();
  }
}

/** The test image with every non-zero chunk marked by `seed`, so disks do not share chunks. */
function variant(img: Buffer, seed: number): Buffer {
  const out = Buffer.from(img);
  for (let off = 0; off < out.length; off += CS) {
    const end = Math.min(off + CS, out.length);
    if (out.subarray(off, end).some((b) => b !== 0)) out[off] = seed;
  }
  return out;
}

async function disks(dir: string, images: Array<{ name: string; img: Buffer }>) {
  const out = [];
  for (const { name, img } of images) {
    const b = buildImage(img, CS);
    const path = join(dir, `${name}.raw`);
    out.push({ name, b, path, target: await openTarget({ path, size: b.index.size }) });
  }
  return out;
}

test('two disks restore at once, bit-exact, under one limit counted over both', async () => {
  const dir = await tempDir();
  const ds = await disks(dir, [
    { name: 'scsi0', img: testImage(CS, 30, 500) },
    { name: 'scsi1', img: testImage(CS, 12, 0) },
  ]);
  const c = new Counter();
  for (const d of ds) c.attach(d.b, d.name);
  c.held = true;
  const slots = new LiveLimiter(4);
  const job = new MultiRestore(ds.map((d) => ({ archive: d.name, input: d.b.input, target: d.target })), { slots });
  const seen = new Set<number>();
  job.on('chunk', (e: DiskChunkEvent) => seen.add(e.disk));
  const run = job.run();
  await c.whenHeld(4);
  // Both disks hold part of the one limit: the job's limit, not a limit per disk.
  assert.equal(c.active, 4);
  assert.ok(c.perDisk.get('scsi0')! >= 1 && c.perDisk.get('scsi1')! >= 1, `per disk: ${[...c.perDisk]}`);
  assert.equal(job.progress().inFlight, 4);
  assert.equal(job.progress().disks?.length, 2);
  c.release();
  const s = await run;
  assert.equal(s.status, 'succeeded', JSON.stringify(s.error));
  assert.ok(c.max <= 4, `${c.max} reads in flight over both disks with a limit of 4`);
  for (const d of ds) assert.equal(await sha256File(d.path), d.b.sha256, d.name);
  assert.deepEqual([...seen].sort(), [0, 1]);
  assert.deepEqual(
    s.archives?.map((a) => [a.archive, a.status, a.target, a.bytes]),
    ds.map((d) => [d.name, 'succeeded', d.path, d.b.index.size]),
  );
  assert.equal(s.bytes, ds[0]!.b.index.size + ds[1]!.b.index.size);
  assert.equal(s.chunks, ds[0]!.b.index.count + ds[1]!.b.index.count);
  assert.equal(s.zeroChunks, s.archives!.reduce((n, a) => n + a.zeroChunks, 0));
  const p = job.progress();
  assert.deepEqual(p.disks?.map((x) => [x.state, x.doneBytes === x.totalBytes]), [['succeeded', true], ['succeeded', true]]);
});

test('a failing disk fails the job: the finished disk stays, the failed and the unfinished ones stay .partial', async () => {
  const dir = await tempDir();
  const ds = await disks(dir, [
    { name: 'efi', img: variant(testImage(CS, 2, 100), 1) },
    { name: 'scsi0', img: variant(testImage(CS, 24, 0), 2) },
    { name: 'scsi1', img: variant(testImage(CS, 24, 7), 3) },
  ]);
  const [efi, scsi0, scsi1] = ds as [(typeof ds)[0], (typeof ds)[0], (typeof ds)[0]];
  const efiDone = deferred();
  // scsi0 and scsi1 wait until efi has finished; then a chunk of scsi0 turns out missing.
  const victim = toHex(digestAt(scsi0.b.index, 9));
  for (const d of [scsi0, scsi1]) {
    d.b.source.hook = async (hex) => {
      await efiDone.promise;
      if (hex === victim) throw new RestoreError('CHUNK_MISSING', 'gone');
    };
  }
  const job = new MultiRestore(ds.map((d) => ({ archive: d.name, input: d.b.input, target: d.target })), { slots: new LiveLimiter(4) });
  job.on('disk', (i: number) => i === 0 && efiDone.resolve());
  const s = await job.run();
  assert.equal(s.status, 'failed');
  assert.equal(s.error?.code, 'CHUNK_MISSING');
  assert.match(s.error!.message, /^scsi0: chunk 9 at offset/);
  assert.deepEqual(s.archives?.map((a) => [a.archive, a.status, a.partial]), [['efi', 'succeeded', false], ['scsi0', 'failed', true], ['scsi1', 'cancelled', true]]);
  assert.equal(s.archives![2]!.error?.code, 'CANCELLED');
  assert.match(s.archives![2]!.error!.message, /scsi0 failed/);
  assert.equal(await sha256File(efi.path), efi.b.sha256);
  for (const d of [scsi0, scsi1]) {
    assert.equal(await exists(d.path), false, `${d.name} looks complete`);
    assert.equal(await exists(`${d.path}.partial`), true, `${d.name} left no .partial`);
  }
  assert.equal(s.archives![1]!.target, `${scsi0.path}.partial`);
});

test('cancel leaves every unfinished disk .partial; a finished one stays', async () => {
  const dir = await tempDir();
  const ds = await disks(dir, [
    { name: 'efi', img: testImage(CS, 1, 0) },
    { name: 'scsi0', img: testImage(CS, 20, 0) },
    { name: 'scsi1', img: testImage(CS, 20, 0) },
  ]);
  const c = new Counter();
  for (const d of ds.slice(1)) c.attach(d.b, d.name);
  c.held = true;
  const ac = new AbortController();
  const job = new MultiRestore(ds.map((d) => ({ archive: d.name, input: d.b.input, target: d.target })), { slots: new LiveLimiter(6), signal: ac.signal });
  const efiDone = deferred();
  job.on('disk', (i: number) => i === 0 && efiDone.resolve());
  const run = job.run();
  await efiDone.promise;
  await c.whenHeld(5);
  job.cancel('cancelled by the test');
  c.release();
  const s = await run;
  assert.equal(s.status, 'cancelled');
  assert.equal(s.error?.code, 'CANCELLED');
  assert.deepEqual(s.archives?.map((a) => a.status), ['succeeded', 'cancelled', 'cancelled']);
  assert.equal(await sha256File(ds[0]!.path), ds[0]!.b.sha256);
  for (const d of ds.slice(1)) {
    assert.equal(await exists(d.path), false);
    assert.equal(await exists(`${d.path}.partial`), true);
  }
});

test('pause and the limit act on the job as a whole', async () => {
  const ds = [buildImage(testImage(CS, 16, 0), CS), buildImage(testImage(CS, 16, 3), CS)];
  const c = new Counter();
  ds.forEach((b, i) => c.attach(b, `d${i}`));
  c.held = true;
  const job = new MultiRestore(ds.map((b, i) => ({ archive: `d${i}`, input: b.input })), { slots: new LiveLimiter(2) });
  const limits: number[] = [];
  job.on('limit', (n: number) => limits.push(n));
  const run = job.run();
  await c.whenHeld(2);
  job.setConcurrency(6, 'user');
  await c.whenHeld(6);
  job.pause();
  assert.equal(job.progress().paused, true);
  const started = ds[0]!.source.reads.length + ds[1]!.source.reads.length;
  c.release();
  // Paused: the six in flight finish (six chunk events), then the job is idle.
  const idle = deferred();
  let finished = 0;
  job.on('chunk', (e: DiskChunkEvent) => e.state === 2 && ++finished === 6 && idle.resolve());
  await idle.promise;
  await new Promise((r) => setImmediate(r));
  assert.equal(job.progress().inFlight, 0);
  assert.equal(ds[0]!.source.reads.length + ds[1]!.source.reads.length, started);
  job.resume();
  const s = await run;
  assert.equal(s.status, 'succeeded');
  assert.equal(s.mode, 'verify');
  assert.deepEqual(limits, [6]);
  assert.ok(c.max <= 6);
});

test('two jobs of two disks each under a budget of 6: never more than 6 chunks in flight over both', async () => {
  const budget = new SlotBudget(6);
  const c = new Counter();
  const jobs = [0, 1].map((j) => {
    const bs = [buildImage(testImage(CS, 20, j), CS), buildImage(testImage(CS, 9, 40), CS)];
    bs.forEach((b, i) => c.attach(b, `job${j}-d${i}`));
    return new MultiRestore(bs.map((b, i) => ({ archive: `d${i}`, input: b.input })), { slots: budget.lender(16) });
  });
  c.held = true;
  const runs = jobs.map((j) => j.run());
  await c.whenHeld(6);
  // Both jobs wanting everything: each holds its fair half.
  assert.deepEqual(jobs.map((j) => j.progress().inFlight), [3, 3]);
  c.release();
  const results = await Promise.all(runs);
  assert.deepEqual(results.map((s) => s.status), ['succeeded', 'succeeded']);
  assert.equal(c.max, 6, `${c.max} chunks in flight at most over both jobs`);
  assert.ok(budget.maxActive <= 6);
});
