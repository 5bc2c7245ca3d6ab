// Resume, rate and stall through the service (what the app does): a cancelled restore offers to
// continue and finishes bit-exact with its resumed bytes counted apart; so does one the app was
// stopped in the middle of (an interrupted job after a restart); what a job left can be deleted;
// a stall shows in progress and the log and clears, and the stall timeout fails the job
// resumably; the rate cap is set per job while it runs, by default and across jobs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StartJobArgs } from '../../shared/contract.ts';
import { RestoreService } from '../../electron/service/service.ts';
import { smallDemo } from '../helpers/demo.ts';
import { EventRecorder } from '../helpers/events.ts';
import { startService } from '../helpers/harness.ts';
import { sha256File } from '../helpers/tmp.ts';
import { archiveOf, sel } from '../service/scenarios.ts';

const demo = await smallDemo();
const web = archiveOf(demo, 'vm', '100', 'drive-scsi0.img.fidx');
const exists = (p: string) => access(p).then(() => true, () => false);
const FINAL = ['succeeded', 'failed', 'cancelled'];

async function setup(extra: Parameters<typeof startService>[1] = {}) {
  const { service, gate, dir } = await startService(demo, { recorder: { saveAfterChunks: 1 }, ...extra });
  const events = new EventRecorder(service);
  const sourceId = (await service.invoke('sources.list', {}))[0]!.id;
  const args = (name: string, over: Partial<StartJobArgs> = {}): StartJobArgs & { target: string } => ({
    mode: 'restore',
    sourceId,
    snapshot: sel(web),
    archive: web.archive,
    target: join(dir, name),
    concurrency: 2,
    ...over,
  });
  return { service, gate, dir, events, sourceId, args };
}

test('a cancelled restore continues to a bit-exact end, counting the resumed bytes apart', async () => {
  const { service, gate, events, args } = await setup();
  try {
    const a = args('cancelled.raw');
    // Ten reads go through; once the next two wait (the limit is 2), those ten are done.
    gate.hold();
    gate.allow(10);
    const job = await service.invoke('jobs.start', a);
    await gate.whenWaiting(2);
    await service.invoke('jobs.cancel', { id: job.id });
    const cancelled = await events.finalJob(job.id);
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(cancelled.resumable, true);
    assert.equal(cancelled.partialPath, `${a.target}.partial`);
    gate.release();

    const next = await service.invoke('jobs.continue', { id: job.id });
    assert.equal(next.resumedFrom, job.id);
    assert.equal(next.request.resume, true);
    assert.equal(next.concurrency, 2);
    const old = await service.invoke('jobs.get', { id: job.id });
    assert.equal(old.resumable, false);
    assert.equal(old.continuedBy, next.id);
    await assert.rejects(service.invoke('jobs.continue', { id: job.id }), { code: 'INVALID_STATE' });

    const done = await events.finalJob(next.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.equal(await sha256File(a.target), web.sha256);
    assert.ok((done.summary?.resumedBytes ?? 0) >= 8 * web.chunkSize, `resumed ${done.summary?.resumedBytes}`);
    assert.equal(done.summary?.bytes, web.size);
    // Progress counted the resumed bytes from the first sample on: rates never saw them arrive.
    const first = events.of('progress', (p) => p.jobId === next.id)[0]!.progress;
    assert.equal(first.resumedBytes, done.summary?.resumedBytes);
    assert.ok(first.doneBytes >= first.resumedBytes!);
    assert.ok((await service.invoke('logs.get', { jobId: next.id })).some((l) => /resuming: \d+ of \d+ chunks/.test(l.message)));
    assert.equal(await exists(`${a.target}.partial.state`), false);
    await assert.rejects(service.invoke('jobs.continue', { id: next.id }), { code: 'INVALID_STATE' });
  } finally {
    gate.release();
    events.close();
    await service.close();
  }
});

test('after an app restart, an interrupted restore is resumable and continues bit-exact', async () => {
  const first = await setup();
  const a = first.args('interrupted.raw');
  let jobId = '';
  try {
    first.gate.hold();
    first.gate.allow(6);
    const job = await first.service.invoke('jobs.start', a);
    jobId = job.id;
    await first.gate.whenWaiting(2);
  } finally {
    first.events.close();
    await first.service.close();
  }
  // As if the app had died while the job ran: the history still says running.
  const file = join(first.dir, 'data', 'jobs.json');
  const saved = JSON.parse(await readFile(file, 'utf8'));
  const rec = saved.jobs.find((j: { id: string }) => j.id === jobId);
  Object.assign(rec, { state: 'running', resumable: undefined, summary: undefined, error: undefined, partialPath: undefined });
  await writeFile(file, JSON.stringify(saved));

  const service = await RestoreService.create({ dataDir: join(first.dir, 'data'), demo: false });
  const events = new EventRecorder(service);
  try {
    const back = await service.invoke('jobs.get', { id: jobId });
    assert.equal(back.state, 'failed');
    assert.equal(back.error?.code, 'INTERRUPTED');
    assert.equal(back.resumable, true);
    assert.equal(back.partialPath, `${a.target}.partial`);
    const next = await service.invoke('jobs.continue', { id: jobId });
    const done = await events.finalJob(next.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.equal(await sha256File(a.target), web.sha256);
    assert.ok((done.summary?.resumedBytes ?? 0) > 0);
  } finally {
    events.close();
    await service.close();
  }
});

test('what a restore left can be deleted; a job without a partial target cannot continue', async () => {
  const { service, gate, events, args } = await setup();
  try {
    const a = args('deleted.raw');
    gate.hold();
    const job = await service.invoke('jobs.start', a);
    await events.waitFor('progress', (p) => p.jobId === job.id && p.progress.inFlight === 2);
    await service.invoke('jobs.cancel', { id: job.id });
    await events.finalJob(job.id);
    assert.ok(await exists(`${a.target}.partial`));
    // What the restore dialog learns about the target: a partial file, how far it got, and that
    // starting again needs resume or overwrite.
    const check = await service.invoke('targets.check', { path: a.target, imageSize: web.size });
    assert.equal(check.kind, 'missing');
    assert.deepEqual({ ...check.partial, doneChunks: undefined }, { path: `${a.target}.partial`, resumable: true, snapshot: `vm/100/${new Date(web.time * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')}`, archive: web.archive, doneChunks: undefined, chunkCount: web.chunks });
    assert.equal(check.problem?.code, 'TARGET_PARTIAL_EXISTS');
    assert.equal((await service.invoke('targets.check', { path: a.target, imageSize: web.size, resume: true })).problem, undefined);
    assert.equal((await service.invoke('targets.check', { path: a.target, imageSize: web.size, overwrite: 'file' })).problem, undefined);
    const after = await service.invoke('jobs.deletePartial', { id: job.id });
    assert.equal(after.resumable, false);
    assert.equal(after.partialPath, undefined);
    assert.equal(await exists(`${a.target}.partial`), false);
    assert.equal(await exists(`${a.target}.partial.state`), false);
    await assert.rejects(service.invoke('jobs.continue', { id: job.id }), { code: 'INVALID_STATE' });
    await assert.rejects(service.invoke('jobs.deletePartial', { id: job.id }), { code: 'INVALID_STATE' });
    // A partial file without a state is shown, and cannot be resumed.
    await writeFile(`${a.target}.partial`, 'left by someone');
    const bare = await service.invoke('targets.check', { path: a.target, imageSize: web.size, resume: true });
    assert.equal(bare.partial?.resumable, false);
    assert.equal(bare.problem?.code, 'RESUME_STATE_MISSING');
    gate.release();
    const ok = await service.invoke('jobs.start', args('whole.raw'));
    assert.equal((await events.finalJob(ok.id)).state, 'succeeded');
    await assert.rejects(service.invoke('jobs.continue', { id: ok.id }), { code: 'INVALID_STATE' });
  } finally {
    gate.release();
    events.close();
    await service.close();
  }
});

test('a stall shows in progress and the log, and clears when data flows', async () => {
  const { service, gate, events, args } = await setup({ stall: { afterMs: 50, tickMs: 10, timeoutMs: 0 } });
  try {
    gate.hold();
    const job = await service.invoke('jobs.start', args('stall.raw'));
    const stalled = await events.waitFor('progress', (p) => p.jobId === job.id && p.progress.stalledSince !== undefined);
    assert.ok(stalled.progress.inFlight > 0);
    const at = events.all.length;
    gate.release();
    await events.waitFor('progress', (p) => p.jobId === job.id && p.progress.stalledSince === undefined, at);
    const final = await events.finalJob(job.id);
    assert.equal(final.state, 'succeeded');
    const log = (await service.invoke('logs.get', { jobId: job.id })).map((l) => l.message);
    assert.ok(log.some((m) => /^stalled: no data from the source since /.test(m)), log.join('\n'));
    assert.ok(log.some((m) => /^the stall is over/.test(m)), log.join('\n'));
  } finally {
    gate.release();
    events.close();
    await service.close();
  }
});

test('the stall timeout fails the job with STALLED, resumably', async () => {
  // Read by each job as it starts: the continuing job gets no timeout, so a slow moment of a loaded
  // machine cannot fail it too.
  const stall = { afterMs: 30, timeoutMs: 60, tickMs: 10 };
  const { service, gate, events, args } = await setup({ stall });
  try {
    const a = args('timeout.raw');
    gate.hold();
    const job = await service.invoke('jobs.start', a);
    const failed = await events.finalJob(job.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.code, 'STALLED');
    assert.equal(failed.resumable, true);
    gate.release();
    Object.assign(stall, { afterMs: 10_000, timeoutMs: 0 });
    const next = await service.invoke('jobs.continue', { id: job.id });
    const done = await events.finalJob(next.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.equal(await sha256File(a.target), web.sha256);
  } finally {
    gate.release();
    events.close();
    await service.close();
  }
});

test('the rate cap: per job while it runs, from the settings by default, and across jobs', async () => {
  const { service, gate, events, args } = await setup();
  try {
    await service.invoke('settings.set', { defaultRate: 5_000_000 });
    gate.hold();
    const job = await service.invoke('jobs.start', args('rate.raw'));
    assert.equal(job.rate, 5_000_000);
    await events.waitFor('progress', (p) => p.jobId === job.id && p.progress.rateLimit === 5_000_000);
    const changed = await service.invoke('jobs.setRate', { id: job.id, rate: 2_000_000 });
    assert.equal(changed.rate, 2_000_000);
    await events.waitFor('progress', (p) => p.jobId === job.id && p.progress.rateLimit === 2_000_000);
    // A global cap below the job's own is the one in force.
    await service.invoke('settings.set', { globalRate: 1_000_000 });
    await events.waitFor('progress', (p) => p.jobId === job.id && p.progress.rateLimit === 1_000_000);
    await service.invoke('settings.set', { globalRate: 0 });
    await service.invoke('jobs.setRate', { id: job.id, rate: 0 });
    await events.waitFor('progress', (p) => p.jobId === job.id && !p.progress.rateLimit);
    gate.release();
    const final = await events.finalJob(job.id);
    assert.equal(final.state, 'succeeded');
    assert.ok((await service.invoke('logs.get', { jobId: job.id })).some((l) => l.message === 'rate cap set to 2.00 MB/s'));
    await assert.rejects(service.invoke('jobs.setRate', { id: job.id, rate: 1 }), { code: 'INVALID_STATE' });
    await assert.rejects(service.invoke('jobs.setRate', { id: job.id, rate: -1 }), { code: 'BAD_ARGUMENTS' });
    const { target: _t, ...verify } = args('none.raw', { mode: 'verify', resume: true });
    await assert.rejects(service.invoke('jobs.start', verify), { code: 'BAD_ARGUMENTS' });
    const settings = await service.invoke('settings.get', {});
    assert.equal(settings.defaultRate, 5_000_000);
    assert.ok(FINAL.includes(final.state));
  } finally {
    gate.release();
    events.close();
    await service.close();
  }
});
