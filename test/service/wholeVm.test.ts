// Whole-VM jobs through the service: every disk of a snapshot in one job with a progress row and a
// chunk map per disk, the guest config written once all succeeded; cancel and a failing disk leave
// the right files and states; two jobs under a budget never have more chunks in flight than it
// (counted at the source); a batch is one job per VM in its own sub-folder; the argument rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobInfo, StartJobArgs } from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';
import { decodeChunkMap } from '../../shared/chunkMap.ts';
import { openSource } from '../../electron/service/openSource.ts';
import { RestoreService } from '../../electron/service/service.ts';
import type { BackupSource } from '../../electron/source/chunkSource.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { demoVm, smallDemo, snapshotDir } from '../helpers/demo.ts';
import { deferred } from '../helpers/memSource.ts';
import { digestAt, parseFixedIndex } from '../../electron/pbs/fixedIndex.ts';
import { EventRecorder } from '../helpers/events.ts';
import { Gate } from '../helpers/gate.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';
import { sel } from './scenarios.ts';

const demo = await smallDemo();
const vm = await demoVm(demo, 'vm', '102');
const web = await demoVm(demo, 'vm', '100');
const exists = (p: string) => access(p).then(() => true, () => false);
// One folder for the file, removed after it: a test's service may still write while its own
// clean-up hooks run.
const root = await tempDir('rc-vm-');

/** Chunk reads over every job: in flight now and the most at once (from the call to its answer). */
class ReadCounter {
  active = 0;
  max = 0;
  /** Digests that fail with CHUNK_MISSING when read, once `failAfter` has resolved. */
  readonly failing = new Set<string>();
  failAfter: Promise<void> = Promise.resolve();

  wrap(source: BackupSource, gate: Gate): BackupSource {
    return {
      label: source.label,
      listNamespaces: (p) => source.listNamespaces(p),
      listGroups: (ns) => source.listGroups(ns),
      listSnapshots: (ns, g) => source.listSnapshots(ns, g),
      openSnapshot: async (ref) => {
        const r = await source.openSnapshot(ref);
        return {
          ref: r.ref,
          readFile: (n, s) => r.readFile(n, s),
          close: () => r.close(),
          readChunk: async (digest, signal) => {
            this.active++;
            this.max = Math.max(this.max, this.active);
            try {
              await gate.pass(signal);
              if (this.failing.has(toHex(digest))) {
                await this.failAfter;
                throw new RestoreError('CHUNK_MISSING', `chunk ${toHex(digest)} is missing`);
              }
              return await r.readChunk(digest, signal);
            } finally {
              this.active--;
            }
          },
        };
      },
    };
  }
}

async function start() {
  const dir = await mkdtemp(join(root, 't-'));
  const gate = new Gate();
  const counter = new ReadCounter();
  const service = await RestoreService.create({
    dataDir: join(dir, 'data'),
    demo: false,
    datastores: [demo.dir],
    chunkMapIntervalMs: 100,
    openSource: async (config) => {
      const opened = await openSource(config);
      return { ...opened, source: counter.wrap(opened.source, gate) };
    },
  });
  const events = new EventRecorder(service);
  const sourceId = (await service.invoke('sources.list', {}))[0]!.id;
  const folder = async (name: string): Promise<string> => {
    const d = join(dir, name);
    await mkdir(d);
    return d;
  };
  return { service, events, gate, counter, sourceId, dir, folder };
}

const snap = (v: typeof vm) => sel(v.disks[0]!);

test('a whole-VM job: both disks bit-exact, a progress row and a chunk map per disk, the config written', async (t) => {
  const h = await start();
  t.after(() => h.service.close());
  const dir = await h.folder('vm102');
  const job = await h.service.invoke('jobs.start', { mode: 'restore', sourceId: h.sourceId, snapshot: snap(vm), disks: 'all', targetDir: dir, concurrency: 4 });
  const end = await h.events.finalJob(job.id);
  assert.equal(end.state, 'succeeded', end.message);
  assert.deepEqual(end.request.disks, vm.disks.map((d) => ({ archive: d.archive, target: join(dir, d.archive.replace('.img.fidx', '.raw')) })));
  assert.equal(end.request.config, join(dir, 'qemu-server.conf'));
  assert.deepEqual(end.summary?.archives?.map((a) => [a.archive, a.status, a.bytes]), vm.disks.map((d) => [d.archive, 'succeeded', d.size]));
  assert.equal(end.summary?.config, join(dir, 'qemu-server.conf'));
  assert.equal(end.partialPath, undefined);
  for (const d of vm.disks) assert.equal(await sha256File(join(dir, d.archive.replace('.img.fidx', '.raw'))), d.sha256);
  assert.equal(await readFile(join(dir, 'qemu-server.conf'), 'utf8'), vm.configText);
  // Progress: totals over both disks, and a row per disk that ends done.
  const last = h.events.of('progress', (p) => p.jobId === job.id).at(-1)!.progress;
  assert.equal(last.totalBytes, vm.disks[0]!.size + vm.disks[1]!.size);
  assert.deepEqual(last.disks?.map((d) => [d.archive, d.doneBytes, d.totalBytes, d.state]), vm.disks.map((d) => [d.archive, d.size, d.size, 'succeeded']));
  // A chunk map per disk, as events and on request.
  const maps = h.events.of('chunkMap', (m) => m.jobId === job.id);
  assert.deepEqual([...new Set(maps.map((m) => m.disk))].sort(), [0, 1]);
  for (const [i, d] of vm.disks.entries()) {
    const map = await h.service.invoke('jobs.chunkMap', { id: job.id, disk: i });
    const states = decodeChunkMap(map!);
    assert.equal(states.length, d.chunks);
    assert.ok(states.every((s) => s === 2 || s === 3), `disk ${i} not all written or zero`);
  }
  assert.match(end.message!, /^restored 2 disks, .* with the guest config/);
});

test('cancel: every unfinished disk stays .partial, no config; the job says which targets are partial', async (t) => {
  const h = await start();
  t.after(() => h.service.close());
  const dir = await h.folder('cancel');
  h.gate.hold();
  const job = await h.service.invoke('jobs.start', { mode: 'restore', sourceId: h.sourceId, snapshot: snap(vm), disks: 'all', targetDir: dir, concurrency: 4 });
  await h.gate.whenWaiting(4);
  await h.service.invoke('jobs.cancel', { id: job.id });
  h.gate.release();
  const end = await h.events.finalJob(job.id);
  assert.equal(end.state, 'cancelled');
  assert.equal(await exists(join(dir, 'qemu-server.conf')), false);
  for (const a of end.summary!.archives!) {
    const final = join(dir, a.archive.replace('.img.fidx', '.raw'));
    if (a.status === 'succeeded') assert.equal(await exists(final), true);
    else {
      assert.equal(a.status, 'cancelled');
      assert.equal(a.target, `${final}.partial`);
      assert.equal(await exists(final), false);
      assert.equal(await exists(`${final}.partial`), true);
      assert.ok(end.message!.includes(`${final}.partial`), end.message);
    }
  }
  assert.ok(end.summary!.archives!.some((a) => a.status === 'cancelled'));
});

test('a failing disk fails the job: its target stays .partial, the finished disk stays, no config', async (t) => {
  const h = await start();
  t.after(() => h.service.close());
  const dir = await h.folder('fail');
  // Every data chunk of scsi0 waits, then turns out missing, once the EFI disk has finished.
  const scsi0 = vm.disks.find((d) => d.archive === 'drive-scsi0.img.fidx')!;
  const index = parseFixedIndex(await readFile(join(snapshotDir(demo, scsi0), scsi0.archive)));
  for (let i = 0; i < index.count; i++) h.counter.failing.add(toHex(digestAt(index, i)));
  const efiDone = deferred();
  h.counter.failAfter = efiDone.promise;
  const job = await h.service.invoke('jobs.start', { mode: 'restore', sourceId: h.sourceId, snapshot: snap(vm), disks: 'all', targetDir: dir, concurrency: 4 });
  await h.events.waitFor('progress', (p) => p.jobId === job.id && p.progress.disks?.[1]?.state === 'succeeded');
  efiDone.resolve();
  const end = await h.events.finalJob(job.id);
  assert.equal(end.state, 'failed');
  assert.equal(end.error?.code, 'CHUNK_MISSING');
  assert.match(end.error!.message, /^drive-scsi0.img.fidx: chunk \d+ at offset/);
  assert.deepEqual(end.summary!.archives!.map((a) => [a.archive, a.status, a.partial]), [['drive-scsi0.img.fidx', 'failed', true], ['drive-efidisk0.img.fidx', 'succeeded', false]]);
  assert.equal(await exists(join(dir, 'drive-scsi0.raw')), false);
  assert.equal(await exists(join(dir, 'drive-scsi0.raw.partial')), true);
  assert.equal(await sha256File(join(dir, 'drive-efidisk0.raw')), vm.disks[1]!.sha256);
  assert.equal(await exists(join(dir, 'qemu-server.conf')), false);
  assert.match(end.message!, /the target is partial: .*drive-scsi0.raw.partial; finished: .*drive-efidisk0.raw/);
});

test('two jobs under a budget of 6: never more than 6 chunks in flight over both', async (t) => {
  const h = await start();
  t.after(() => h.service.close());
  await h.service.invoke('settings.set', { chunkBudget: 6 });
  h.gate.hold();
  const a = await h.service.invoke('jobs.start', { mode: 'restore', sourceId: h.sourceId, snapshot: snap(vm), disks: 'all', targetDir: await h.folder('b1'), concurrency: 16 });
  const b = await h.service.invoke('jobs.start', { mode: 'verify', sourceId: h.sourceId, snapshot: snap(web), disks: 'all', concurrency: 'auto' });
  await h.gate.whenWaiting(6);
  // Whichever job opened its snapshot first holds the slots; the other waits for its share as
  // they come back (the split itself: test/engine/slotBudget.test.ts and multiRestore.test.ts).
  const inFlight = async (id: string) => (await h.service.invoke('jobs.get', { id })).progress?.inFlight ?? 0;
  assert.equal((await inFlight(a.id)) + (await inFlight(b.id)), 6);
  h.gate.release();
  const [ea, eb] = [await h.events.finalJob(a.id), await h.events.finalJob(b.id)];
  assert.deepEqual([ea.state, eb.state], ['succeeded', 'succeeded']);
  assert.ok(h.counter.max <= 6, `${h.counter.max} chunk reads in flight over two jobs with a budget of 6`);
  assert.equal(h.counter.max, 6);
  // Raising the budget lets a new job use it again.
  await h.service.invoke('settings.set', { chunkBudget: 64 });
  assert.equal((await h.service.invoke('settings.get', {})).chunkBudget, 64);
});

test('a batch: one job per VM, each into its own <type>-<id>/ folder, with its disks and config', async (t) => {
  const h = await start();
  t.after(() => h.service.close());
  const dir = await h.folder('batch');
  const res = await h.service.invoke('jobs.startBatch', { sourceId: h.sourceId, snapshots: [snap(vm), snap(web)], targetDir: dir, concurrency: 4 });
  assert.equal(res.jobs.length, 2);
  assert.match(res.batch, /^batch-/);
  assert.deepEqual(res.jobs.map((j) => [j.request.batch?.id, j.request.batch?.index, j.request.batch?.count, j.request.targetDir]), [
    [res.batch, 0, 2, join(dir, 'vm-102')],
    [res.batch, 1, 2, join(dir, 'vm-100')],
  ]);
  const ends = await Promise.all(res.jobs.map((j) => h.events.finalJob(j.id)));
  assert.deepEqual(ends.map((e) => e.state), ['succeeded', 'succeeded']);
  assert.deepEqual((await readdir(dir)).sort(), ['vm-100', 'vm-102']);
  for (const [v, sub] of [[vm, 'vm-102'], [web, 'vm-100']] as const) {
    for (const d of v.disks) assert.equal(await sha256File(join(dir, sub, d.archive.replace('.img.fidx', '.raw'))), d.sha256);
    assert.equal(await readFile(join(dir, sub, 'qemu-server.conf'), 'utf8'), v.configText);
  }
  // A folder that does not exist; two snapshots of one VM.
  await assert.rejects(h.service.invoke('jobs.startBatch', { sourceId: h.sourceId, snapshots: [snap(vm)], targetDir: join(dir, 'nope') }), { code: 'TARGET_NOT_WRITABLE' });
  await assert.rejects(h.service.invoke('jobs.startBatch', { sourceId: h.sourceId, snapshots: [snap(vm), snap(vm)], targetDir: dir }), { code: 'BAD_ARGUMENTS' });
  // A batch job cancelled while queued creates no folder.
  await h.service.invoke('settings.set', { maxRunningJobs: 1 });
  h.gate.hold();
  const dir2 = await h.folder('batch2');
  const two = await h.service.invoke('jobs.startBatch', { sourceId: h.sourceId, snapshots: [snap(web), snap(vm)], targetDir: dir2 });
  assert.equal((await h.service.invoke('jobs.get', { id: two.jobs[1]!.id })).state, 'queued');
  await h.service.invoke('jobs.cancel', { id: two.jobs[1]!.id });
  await h.service.invoke('jobs.cancel', { id: two.jobs[0]!.id });
  h.gate.release();
  await Promise.all(two.jobs.map((j) => h.events.finalJob(j.id)));
  assert.equal(await exists(join(dir2, 'vm-102')), false, 'a job cancelled while queued created its folder');
});

test('the argument rules: archive or disks, targets, target folder, verify without targets', async (t) => {
  const h = await start();
  t.after(() => h.service.close());
  const dir = await h.folder('args');
  const base = { sourceId: h.sourceId, snapshot: snap(vm) };
  const bad: Array<[StartJobArgs, RegExp]> = [
    [{ ...base, mode: 'restore', archive: 'drive-scsi0.img', disks: 'all', targetDir: dir }, /either archive or disks/],
    [{ ...base, mode: 'restore' } as StartJobArgs, /archive or disks: required/],
    [{ ...base, mode: 'restore', disks: 'all' }, /targetDir: required/],
    [{ ...base, mode: 'restore', disks: [{ archive: 'drive-scsi0.img' }] }, /targetDir: required/],
    [{ ...base, mode: 'restore', disks: 'all', target: join(dir, 'x.raw'), targetDir: dir }, /target goes with a single archive/],
    [{ ...base, mode: 'restore', archive: 'drive-scsi0.img', target: join(dir, 'x.raw'), targetDir: dir }, /go with disks/],
    [{ ...base, mode: 'verify', disks: 'all', targetDir: dir }, /a verify job takes no target/],
    [{ ...base, mode: 'verify', disks: [{ archive: 'drive-scsi0.img', target: join(dir, 'x') }] }, /a verify job takes no target/],
    [{ ...base, mode: 'restore', disks: 'all', createTargetDir: true }, /createTargetDir: needs a targetDir/],
    [{ ...base, mode: 'restore', disks: [], targetDir: dir }, /1–64 items/],
  ];
  for (const [args, message] of bad) {
    await assert.rejects(h.service.invoke('jobs.start', args), (e: RestoreError) => e.code === 'BAD_ARGUMENTS' && message.test(e.message), JSON.stringify(args));
  }
  // Per-disk targets, no folder: the config is not written (nowhere to put it) unless asked.
  const own = join(dir, 'own.raw');
  const job = await h.service.invoke('jobs.start', { ...base, mode: 'restore', disks: [{ archive: 'drive-efidisk0.img', target: own }], config: join(dir, 'vm.conf') });
  const end = await h.events.finalJob(job.id);
  assert.equal(end.state, 'succeeded', end.message);
  assert.equal(await sha256File(own), vm.disks[1]!.sha256);
  assert.equal(await readFile(join(dir, 'vm.conf'), 'utf8'), vm.configText);
  assert.deepEqual(end.request.disks, [{ archive: 'drive-efidisk0.img.fidx', target: own }]);
  // A target folder created by the job (one level), and an existing config refused before anything is written.
  const made = join(dir, 'made');
  const created = await h.service.invoke('jobs.start', { ...base, mode: 'restore', disks: 'all', targetDir: made, createTargetDir: true });
  assert.equal((await h.events.finalJob(created.id)).state, 'succeeded');
  const again = await h.service.invoke('jobs.start', { ...base, mode: 'restore', disks: 'all', targetDir: made });
  const refused: JobInfo = await h.events.finalJob(again.id);
  assert.equal(refused.error?.code, 'TARGET_EXISTS');
  assert.deepEqual((await readdir(made)).sort(), ['drive-efidisk0.raw', 'drive-scsi0.raw', 'qemu-server.conf']);
});
