// The contract scenarios, written once against RestoreConsoleApi and run twice: against the
// service called directly (test/service/contract.test.ts) and through the HTTP + SSE transport
// with the renderer's client (test/server/contract.test.ts). Jobs are steered by events and by a
// gate that holds chunk reads; nothing waits on wall-clock time.
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobInfo, RestoreConsoleApi, SnapshotSelector, StartJobArgs } from '../../shared/contract.ts';
import type { ProgressCounters } from '../../shared/progress.ts';
import type { DemoArchive, DemoResult } from '../../electron/demo/demoDatastore.ts';
import { decodeChunkMap } from '../../shared/chunkMap.ts';
import type { EventRecorder } from '../helpers/events.ts';
import type { Gate } from '../helpers/gate.ts';
import { sha256File } from '../helpers/tmp.ts';

export interface Harness {
  api: RestoreConsoleApi;
  events: EventRecorder;
  gate: Gate;
  demo: DemoResult;
  /** The demo datastore's source id. */
  sourceId: string;
  /** A folder for restore targets. */
  out: string;
  /** The service's chunk map (and heartbeat) period. */
  mapMs: number;
}

export interface Scenario {
  name: string;
  run(h: Harness): Promise<void>;
}

const FINAL = ['succeeded', 'failed', 'cancelled'];

export const sel = (a: DemoArchive): SnapshotSelector => ({ ns: a.ns, type: a.type, id: a.id, time: a.time });

/** The newest snapshot's archive of a group, e.g. ('vm', '100', 'drive-scsi0.img.fidx'). */
export function archiveOf(demo: DemoResult, type: string, id: string, archive: string): DemoArchive {
  const all = demo.archives.filter((a) => a.type === type && a.id === id && a.archive === archive).sort((a, b) => b.time - a.time);
  assert.ok(all[0], `demo has no ${type}/${id} ${archive}`);
  return all[0];
}

const web = (h: Harness): DemoArchive => archiveOf(h.demo, 'vm', '100', 'drive-scsi0.img.fidx');
const db = (h: Harness): DemoArchive => archiveOf(h.demo, 'vm', '101', 'drive-scsi0.img.fidx');
const efi = (h: Harness): DemoArchive => archiveOf(h.demo, 'vm', '102', 'drive-efidisk0.img.fidx');

let targets = 0;
function restoreArgs(h: Harness, a: DemoArchive, extra: Partial<StartJobArgs> = {}): StartJobArgs & { target: string } {
  const target = join(h.out, `t${++targets}-${a.type}-${a.id}.raw`);
  return { mode: 'restore', sourceId: h.sourceId, snapshot: sel(a), archive: a.archive, target, ...(a.encrypted ? { keyfile: h.demo.keyFile, password: h.demo.keyPassword } : {}), ...extra };
}

function progressOf(h: Harness, jobId: string): ProgressCounters[] {
  return h.events.of('progress', (p) => p.jobId === jobId).map((p) => p.progress);
}

/** Counters never go backwards, never pass the total, and samples come at most about 10 a second. */
function checkProgressStream(samples: ProgressCounters[], total: { bytes: number; chunks: number }): void {
  assert.ok(samples.length > 0, 'no progress events');
  for (const [i, p] of samples.entries()) {
    assert.equal(p.totalBytes, total.bytes);
    assert.equal(p.totalChunks, total.chunks);
    assert.ok(p.doneBytes <= p.totalBytes && p.doneChunks <= p.totalChunks, `sample ${i} passes the total`);
    const prev = samples[i - 1];
    if (!prev) continue;
    for (const k of ['doneBytes', 'doneChunks', 'zeroBytes', 'zeroChunks', 'sourceBytes', 'elapsedMs'] as const) {
      assert.ok(p[k] >= prev[k], `${k} went backwards at sample ${i}: ${prev[k]} → ${p[k]}`);
    }
  }
  // At most about 10 a second. The spacing itself is Throttle's (test/service/throttle.test.ts, on a
  // mocked clock); here the samples' wall-clock stamps can step under load, so only a loose count.
  const spanMs = samples.at(-1)!.at - samples[0]!.at;
  assert.ok(samples.length <= spanMs / 50 + 3, `${samples.length} samples in ${spanMs} ms`);
}

/** After the job's final state, neither progress nor chunk map events for it. */
function nothingAfterFinal(h: Harness, jobId: string): number {
  const idx = h.events.all.findIndex((r) => r.event === 'job' && r.payload.id === jobId && FINAL.includes(r.payload.state));
  assert.ok(idx >= 0, 'no final state recorded');
  const late = h.events.all.slice(idx + 1).filter((r) => (r.event === 'progress' || r.event === 'chunkMap') && r.payload.jobId === jobId);
  assert.deepEqual(late, [], 'events after the final state');
  return idx;
}

/**
 * Proves, by events only, that enough time passed for any timer a finished job might have left
 * behind to fire: a job held at the gate sends a heartbeat sample every chunk-map period, so wait
 * for one stamped two periods after `since`.
 */
async function fence(h: Harness, since: number): Promise<void> {
  h.gate.hold();
  const a = web(h);
  const job = await h.api.invoke('jobs.start', { mode: 'verify', sourceId: h.sourceId, snapshot: sel(a), archive: a.archive, concurrency: 1 });
  await h.events.waitFor('progress', (p) => p.jobId === job.id && p.progress.at >= since + 2 * h.mapMs);
  await h.api.invoke('jobs.cancel', { id: job.id });
  await h.events.finalJob(job.id);
  h.gate.release();
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${(e as Error).message}`);
    return true;
  });
}

export const scenarios: Scenario[] = [
  {
    name: 'lists the demo: sources, namespaces, groups, snapshots, and a snapshot with its config text',
    async run(h) {
      const sources = await h.api.invoke('sources.list', {});
      assert.equal(sources.length, 1);
      assert.equal(sources[0]!.config.kind, 'datastore');
      assert.equal(sources[0]!.secret, 'none');
      const ns = await h.api.invoke('catalog.namespaces', { sourceId: h.sourceId });
      assert.deepEqual(ns, ['', 'infra', 'lab', 'lab/staging']);
      const groups = await h.api.invoke('catalog.groups', { sourceId: h.sourceId, ns: '' });
      assert.ok(groups.some((g) => g.backupType === 'vm' && g.backupId === '100'));
      const snaps = await h.api.invoke('catalog.snapshots', { sourceId: h.sourceId, ns: '', group: { type: 'vm', id: '100' } });
      assert.equal(snaps.length, 3);
      const detail = await h.api.invoke('catalog.snapshot', { sourceId: h.sourceId, snapshot: sel(web(h)) });
      assert.equal(detail.config?.filename, 'qemu-server.conf.blob');
      assert.match(detail.config?.text ?? '', /^name: web01$/m);
      assert.ok(detail.files.some((f) => f.filename === 'drive-scsi0.img.fidx' && f.kind === 'image' && f.restorable));
      const ds = await h.api.invoke('catalog.datastores', { sourceId: h.sourceId });
      assert.equal(ds.length, 1);
    },
  },
  {
    name: 'restores an image, progress to the end, target bit-exact by SHA-256',
    async run(h) {
      const a = web(h);
      const args = restoreArgs(h, a, { concurrency: 4 });
      const started = await h.api.invoke('jobs.start', args);
      assert.equal(started.state, 'queued');
      assert.equal(started.concurrency, 4);
      const final = await h.events.finalJob(started.id);
      assert.equal(final.state, 'succeeded', final.message);
      assert.equal(await sha256File(args.target), a.sha256);
      const states = h.events.of('job', (j) => j.id === started.id).map((j) => j.state);
      assert.deepEqual(states, ['queued', 'running', 'succeeded']);
      const samples = progressOf(h, started.id);
      checkProgressStream(samples, { bytes: a.size, chunks: a.chunks });
      const last = samples.at(-1)!;
      assert.equal(last.doneBytes, a.size);
      assert.equal(last.doneChunks, a.chunks);
      assert.equal(last.zeroChunks, a.zeroChunks);
      assert.equal(last.inFlight, 0);
      assert.equal(final.summary?.bytes, a.size);
      assert.equal(final.summary?.partial, false);
      const map = h.events.of('chunkMap', (m) => m.jobId === started.id).at(-1);
      assert.ok(map, 'no chunk map');
      const decoded = decodeChunkMap(map.map);
      assert.equal(decoded.length, a.chunks);
      assert.equal(decoded.filter((s) => s === 3).length, a.zeroChunks);
      assert.ok(decoded.every((s) => s === 2 || s === 3));
      nothingAfterFinal(h, started.id);
      const listed = await h.api.invoke('jobs.list', {});
      assert.equal(listed.find((j) => j.id === started.id)?.state, 'succeeded');
      const log = await h.api.invoke('logs.get', { jobId: started.id });
      assert.ok(log.some((l) => /restored/.test(l.message)));
    },
  },
  {
    name: 'changes the concurrency mid-job, and the engine limit follows in the progress events',
    async run(h) {
      const a = web(h);
      const args = restoreArgs(h, a, { concurrency: 2 });
      h.gate.hold();
      const job = await h.api.invoke('jobs.start', args);
      await h.events.waitFor('progress', (p) => p.jobId === job.id && p.progress.inFlight === 2 && p.progress.limit === 2);
      const changed = await h.api.invoke('jobs.setConcurrency', { id: job.id, concurrency: 5 });
      assert.equal(changed.concurrency, 5);
      await h.events.waitFor('progress', (p) => p.jobId === job.id && p.progress.limit === 5 && p.progress.inFlight === 5 && !p.progress.auto);
      assert.ok(h.gate.maxWaiting <= 5, `${h.gate.maxWaiting} reads held at once with a limit of 5`);
      await h.api.invoke('jobs.setConcurrency', { id: job.id, concurrency: 'auto' });
      await h.events.waitFor('progress', (p) => p.jobId === job.id && p.progress.auto);
      await h.api.invoke('jobs.setConcurrency', { id: job.id, concurrency: 3 });
      await h.events.waitFor('progress', (p) => p.jobId === job.id && p.progress.limit === 3 && !p.progress.auto && p.progress.limitReason === 'user');
      h.gate.release();
      const final = await h.events.finalJob(job.id);
      assert.equal(final.state, 'succeeded', final.message);
      assert.equal(final.concurrency, 3);
      assert.equal(await sha256File(args.target), a.sha256);
      checkProgressStream(progressOf(h, job.id), { bytes: a.size, chunks: a.chunks });
    },
  },
  {
    name: 'pauses (no new chunk starts, in-flight ones finish) and resumes to a bit-exact end',
    async run(h) {
      const a = web(h);
      const args = restoreArgs(h, a, { concurrency: 3 });
      h.gate.hold();
      const job = await h.api.invoke('jobs.start', args);
      await h.events.waitFor('progress', (p) => p.jobId === job.id && p.progress.inFlight === 3);
      const paused = await h.api.invoke('jobs.pause', { id: job.id });
      assert.equal(paused.state, 'paused');
      await h.events.waitFor('job', (j) => j.id === job.id && j.state === 'paused');
      const readsAtPause = h.gate.started;
      h.gate.release();
      const drained = await h.events.waitFor('progress', (p) => p.jobId === job.id && p.progress.paused && p.progress.inFlight === 0 && p.progress.writing === 0);
      assert.ok(drained.progress.doneChunks < a.chunks, 'the job finished while paused');
      assert.equal(h.gate.started, readsAtPause, 'a chunk read started while paused');
      await expectCode(h.api.invoke('jobs.pause', { id: 'job-unknown' }), 'JOB_NOT_FOUND');
      const resumed = await h.api.invoke('jobs.resume', { id: job.id });
      assert.equal(resumed.state, 'running');
      const final = await h.events.finalJob(job.id);
      assert.equal(final.state, 'succeeded', final.message);
      assert.equal(await sha256File(args.target), a.sha256);
      const states = h.events.of('job', (j) => j.id === job.id).map((j) => j.state);
      assert.deepEqual(states, ['queued', 'running', 'paused', 'running', 'succeeded']);
      await expectCode(h.api.invoke('jobs.resume', { id: job.id }), 'INVALID_STATE');
    },
  },
  {
    name: 'cancels: the job reads "cancelled", says the target is partial, and sends no progress after',
    async run(h) {
      const a = web(h);
      const args = restoreArgs(h, a, { concurrency: 4 });
      h.gate.hold();
      const job = await h.api.invoke('jobs.start', args);
      await h.events.waitFor('progress', (p) => p.jobId === job.id && p.progress.inFlight === 4);
      const cancelling = await h.api.invoke('jobs.cancel', { id: job.id });
      assert.ok(['cancelling', 'cancelled'].includes(cancelling.state), cancelling.state);
      const final = await h.events.finalJob(job.id);
      assert.equal(final.state, 'cancelled');
      assert.equal(final.error?.code, 'CANCELLED');
      assert.equal(final.summary?.status, 'cancelled');
      assert.equal(final.summary?.partial, true);
      assert.equal(final.partialPath, `${args.target}.partial`);
      assert.match(final.message ?? '', /^cancelled; the target is partial: .*\.partial$/);
      await access(`${args.target}.partial`);
      await assert.rejects(access(args.target), 'a cancelled restore left a complete-looking target');
      nothingAfterFinal(h, job.id);
      await fence(h, final.endedAt!);
      nothingAfterFinal(h, job.id);
      const states = h.events.of('job', (j) => j.id === job.id).map((j) => j.state);
      assert.deepEqual(states, ['queued', 'running', 'cancelling', 'cancelled']);
      await expectCode(h.api.invoke('jobs.cancel', { id: job.id }), 'INVALID_STATE');
      await h.api.invoke('jobs.forget', { id: job.id });
      await expectCode(h.api.invoke('jobs.get', { id: job.id }), 'JOB_NOT_FOUND');
    },
  },
  {
    name: 'restores an encrypted image with the key file and its password',
    async run(h) {
      const a = db(h);
      assert.ok(a.encrypted);
      const detail = await h.api.invoke('catalog.snapshot', { sourceId: h.sourceId, snapshot: sel(a), key: { keyfile: h.demo.keyFile, password: h.demo.keyPassword } });
      assert.equal(detail.encrypted, true);
      assert.match(detail.config?.text ?? '', /^name: db01$/m);
      const locked = await h.api.invoke('catalog.snapshot', { sourceId: h.sourceId, snapshot: sel(a) });
      assert.equal(locked.config?.text, undefined);
      assert.equal(locked.config?.error?.code, 'MISSING_KEY');
      const key = await h.api.invoke('keys.check', { keyfile: h.demo.keyFile });
      assert.deepEqual({ needsPassword: key.needsPassword, unlocked: key.unlocked }, { needsPassword: true, unlocked: false });
      await expectCode(h.api.invoke('keys.check', { keyfile: h.demo.keyFile, password: 'not-the-password' }), 'WRONG_PASSWORD');

      const args = restoreArgs(h, a, { concurrency: 'auto' });
      const job = await h.api.invoke('jobs.start', args);
      assert.equal((job.request as Record<string, unknown>).password, undefined, 'the password came back');
      const final = await h.events.finalJob(job.id);
      assert.equal(final.state, 'succeeded', final.message);
      assert.equal(await sha256File(args.target), a.sha256);

      const wrong = await h.api.invoke('jobs.start', restoreArgs(h, a, { password: 'not-the-password' }));
      const failed = await h.events.finalJob(wrong.id);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error?.code, 'WRONG_PASSWORD');
    },
  },
  {
    name: 'runs two jobs at once, each with its own engine',
    async run(h) {
      const a = web(h);
      const b = db(h);
      h.gate.hold();
      const ja = await h.api.invoke('jobs.start', restoreArgs(h, a, { concurrency: 2 }));
      const argsB = restoreArgs(h, b, { concurrency: 3 });
      const jb = await h.api.invoke('jobs.start', argsB);
      await h.events.waitFor('progress', (p) => p.jobId === ja.id && p.progress.inFlight === 2 && p.progress.limit === 2);
      await h.events.waitFor('progress', (p) => p.jobId === jb.id && p.progress.inFlight === 3 && p.progress.limit === 3);
      const running = (await h.api.invoke('jobs.list', {})).filter((j: JobInfo) => j.state === 'running').map((j) => j.id);
      assert.deepEqual(new Set(running), new Set([ja.id, jb.id]));
      h.gate.release();
      assert.equal((await h.events.finalJob(ja.id)).state, 'succeeded');
      assert.equal((await h.events.finalJob(jb.id)).state, 'succeeded');
      assert.equal(await sha256File(argsB.target), b.sha256);
    },
  },
  {
    name: 'verifies an image without writing anything',
    async run(h) {
      const a = efi(h);
      const job = await h.api.invoke('jobs.start', { mode: 'verify', sourceId: h.sourceId, snapshot: sel(a), archive: a.archive.replace(/\.fidx$/, '') });
      const final = await h.events.finalJob(job.id);
      assert.equal(final.state, 'succeeded', final.message);
      assert.equal(final.summary?.mode, 'verify');
      assert.equal(final.summary?.target, undefined);
      assert.match(final.message ?? '', /^verified/);
    },
  },
  {
    name: 'refuses bad arguments, unknown ids and failing jobs with stable codes',
    async run(h) {
      await expectCode(h.api.invoke('jobs.get', { id: 'nope' }), 'JOB_NOT_FOUND');
      await expectCode(h.api.invoke('catalog.groups', { sourceId: 'src-nope', ns: '' }), 'SOURCE_NOT_FOUND');
      await expectCode(h.api.invoke('jobs.get', { id: 42 } as never), 'BAD_ARGUMENTS');
      await expectCode(h.api.invoke('jobs.list', { extra: true } as never), 'BAD_ARGUMENTS');
      await expectCode(h.api.invoke('jobs.setConcurrency', { id: 'x', concurrency: 65 }), 'BAD_ARGUMENTS');
      await expectCode(h.api.invoke('no.such.command' as never, {} as never), 'UNKNOWN_COMMAND');
      await expectCode(h.api.invoke('jobs.start', { mode: 'restore', sourceId: h.sourceId, snapshot: sel(web(h)), archive: 'drive-scsi0.img' }), 'BAD_ARGUMENTS');
      await expectCode(h.api.invoke('sources.add', { config: { kind: 'datastore', path: h.out } }), 'DATASTORE_NOT_FOUND');
      await expectCode(h.api.invoke('shell.chooseTargetFile', {}), 'NOT_SUPPORTED');
      const missing = await h.api.invoke('jobs.start', restoreArgs(h, web(h), { archive: 'drive-virtio9.img' }));
      const failed = await h.events.finalJob(missing.id);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error?.code, 'ARCHIVE_NOT_FOUND');
      assert.match(failed.message ?? '', /^failed \[ARCHIVE_NOT_FOUND\]/);
    },
  },
];
