// Whole-VM resume through the service (what the app does): a cancelled two-disk job offers to
// continue, and the job that continues it skips the disk already finished (not read, not written
// again: same inode and mtime), resumes the other from its state and ends bit-exact with the
// config; an interrupted whole-VM job (the app stopped) is resumable after a restart; what a
// whole-VM job left can be deleted, every partial disk and its state, never a finished disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobInfo, StartJobArgs } from '../../shared/contract.ts';
import { RestoreService } from '../../electron/service/service.ts';
import { demoVm, smallDemo } from '../helpers/demo.ts';
import { EventRecorder } from '../helpers/events.ts';
import { startService } from '../helpers/harness.ts';
import { sha256File } from '../helpers/tmp.ts';
import { sel } from '../service/scenarios.ts';

const demo = await smallDemo();
const vm = await demoVm(demo, 'vm', '102');
const exists = (p: string) => access(p).then(() => true, () => false);
const [scsi0, efi] = vm.disks as [(typeof vm.disks)[0], (typeof vm.disks)[0]];

async function setup() {
  const { service, gate, dir } = await startService(demo, { recorder: { saveAfterChunks: 1 } });
  const events = new EventRecorder(service);
  const sourceId = (await service.invoke('sources.list', {}))[0]!.id;
  const args = async (name: string): Promise<StartJobArgs & { targetDir: string }> => {
    const targetDir = join(dir, name);
    await mkdir(targetDir);
    return { mode: 'restore', sourceId, snapshot: sel(scsi0), disks: 'all', targetDir, concurrency: 2 };
  };
  return { service, gate, dir, events, sourceId, args };
}

/** Starts a whole-VM job and stops it (cancel) once the EFI disk finished and scsi0 has some chunks on record. */
async function cancelHalfWay(h: Awaited<ReturnType<typeof setup>>, a: StartJobArgs): Promise<JobInfo> {
  h.gate.hold();
  h.gate.allow(8);
  const job = await h.service.invoke('jobs.start', a);
  await h.events.waitFor('progress', (p) => p.jobId === job.id && p.progress.disks?.[1]?.state === 'succeeded');
  await h.gate.whenWaiting(2);
  await h.service.invoke('jobs.cancel', { id: job.id });
  const end = await h.events.finalJob(job.id);
  h.gate.release();
  return end;
}

test('a cancelled whole-VM job continues: the finished disk is kept as it is, the other resumes, both bit-exact', async () => {
  const h = await setup();
  try {
    const a = await h.args('cancel');
    const [scsiPath, efiPath] = [join(a.targetDir, 'drive-scsi0.raw'), join(a.targetDir, 'drive-efidisk0.raw')];
    const end = await cancelHalfWay(h, a);
    assert.equal(end.state, 'cancelled');
    assert.equal(end.resumable, true);
    assert.deepEqual(end.partialPaths, [`${scsiPath}.partial`]);
    assert.ok(await exists(`${scsiPath}.partial.state`));
    assert.equal(await sha256File(efiPath), efi.sha256);
    const efiBefore = await stat(efiPath);

    const next = await h.service.invoke('jobs.continue', { id: end.id });
    assert.equal(next.resumedFrom, end.id);
    assert.equal(next.request.resume, true);
    assert.equal((await h.service.invoke('jobs.get', { id: end.id })).continuedBy, next.id);
    const done = await h.events.finalJob(next.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.equal(await sha256File(scsiPath), scsi0.sha256);
    assert.equal(await sha256File(efiPath), efi.sha256);
    const efiAfter = await stat(efiPath);
    assert.deepEqual([efiAfter.ino, efiAfter.mtimeMs], [efiBefore.ino, efiBefore.mtimeMs], 'the finished disk was written again');
    assert.equal(await readFile(join(a.targetDir, 'qemu-server.conf'), 'utf8'), vm.configText);
    const [s0, s1] = done.summary!.archives!;
    assert.ok((s0!.resumedBytes ?? 0) > 0, 'nothing of scsi0 was resumed');
    assert.deepEqual([s1!.status, s1!.resumedBytes, s1!.sourceBytes], ['succeeded', efi.size, 0]);
    assert.equal(done.summary!.resumedBytes, (s0!.resumedBytes ?? 0) + efi.size);
    // Resumed bytes count from the first sample on, so rates never see them arrive.
    const first = h.events.of('progress', (p) => p.jobId === next.id)[0]!.progress;
    assert.equal(first.resumedBytes, done.summary!.resumedBytes);
    const log = (await h.service.invoke('logs.get', { jobId: next.id })).map((l) => l.message);
    assert.ok(log.some((m) => /^drive-efidisk0.img.fidx: finished by an earlier run/.test(m)), log.join('\n'));
    assert.ok(log.some((m) => /^drive-scsi0.img.fidx: resuming: \d+ of 41 chunks/.test(m)), log.join('\n'));
    assert.deepEqual((await readdir(a.targetDir)).sort(), ['drive-efidisk0.raw', 'drive-scsi0.raw', 'qemu-server.conf']);
    assert.equal(done.resumable, undefined);
    await assert.rejects(h.service.invoke('jobs.continue', { id: next.id }), { code: 'INVALID_STATE' });
    await assert.rejects(h.service.invoke('jobs.continue', { id: end.id }), { code: 'INVALID_STATE' });
  } finally {
    h.gate.release();
    h.events.close();
    await h.service.close();
  }
});

test('after an app restart, an interrupted whole-VM job is resumable and continues bit-exact', async () => {
  const first = await setup();
  const a = await first.args('interrupted');
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
  Object.assign(rec, { state: 'running', resumable: undefined, summary: undefined, error: undefined, partialPaths: undefined });
  await writeFile(file, JSON.stringify(saved));

  const service = await RestoreService.create({ dataDir: join(first.dir, 'data'), demo: false });
  const events = new EventRecorder(service);
  try {
    const back = await service.invoke('jobs.get', { id: jobId });
    assert.equal(back.state, 'failed');
    assert.equal(back.error?.code, 'INTERRUPTED');
    assert.equal(back.resumable, true);
    assert.ok(back.partialPaths?.includes(join(a.targetDir, 'drive-scsi0.raw.partial')), String(back.partialPaths));
    const next = await service.invoke('jobs.continue', { id: jobId });
    const done = await events.finalJob(next.id);
    assert.equal(done.state, 'succeeded', done.message);
    for (const d of vm.disks) assert.equal(await sha256File(join(a.targetDir, d.archive.replace('.img.fidx', '.raw'))), d.sha256);
    assert.ok((done.summary?.resumedBytes ?? 0) > 0);
    assert.equal(await readFile(join(a.targetDir, 'qemu-server.conf'), 'utf8'), vm.configText);
  } finally {
    events.close();
    await service.close();
  }
});

test('deletePartial for a whole-VM job removes every partial disk and its state, never a finished disk', async () => {
  const h = await setup();
  try {
    const a = await h.args('delete');
    const [scsiPath, efiPath] = [join(a.targetDir, 'drive-scsi0.raw'), join(a.targetDir, 'drive-efidisk0.raw')];
    const end = await cancelHalfWay(h, a);
    assert.equal(end.resumable, true);
    const after = await h.service.invoke('jobs.deletePartial', { id: end.id });
    assert.equal(after.resumable, false);
    assert.equal(after.partialPaths, undefined);
    assert.match(after.message!, /the partial target was deleted$/);
    assert.equal(await exists(`${scsiPath}.partial`), false);
    assert.equal(await exists(`${scsiPath}.partial.state`), false);
    assert.equal(await sha256File(efiPath), efi.sha256, 'the finished disk was touched');
    assert.deepEqual((await readdir(a.targetDir)).sort(), ['drive-efidisk0.raw']);
    await assert.rejects(h.service.invoke('jobs.continue', { id: end.id }), { code: 'INVALID_STATE' });
    await assert.rejects(h.service.invoke('jobs.deletePartial', { id: end.id }), { code: 'INVALID_STATE' });
    // The same request with resume: the finished disk is kept, scsi0 starts from the beginning.
    const again = await h.service.invoke('jobs.start', { ...a, resume: true });
    const done = await h.events.finalJob(again.id);
    assert.equal(done.state, 'succeeded', done.message);
    assert.equal(await sha256File(scsiPath), scsi0.sha256);
    assert.deepEqual(done.summary!.archives!.map((x) => x.resumedBytes), [0, efi.size]);
  } finally {
    h.gate.release();
    h.events.close();
    await h.service.close();
  }
});
