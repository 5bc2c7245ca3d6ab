// What the renderer decides for the flows of issue 14 without a browser: what Retry starts (the
// same request and settings, not the old job's label, batch or resume), which jobs get it, and
// the notification words shared with the desktop app.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canRetry, retryArgs } from '../../renderer/format/retryArgs.ts';
import { jobEndNotice } from '../../shared/jobNames.ts';
import { validateCall } from '../../electron/service/schema.ts';
import { job } from './fixtures.ts';

test('Retry starts the same request with the same settings, from the beginning', () => {
  const snapshot = { ns: 'lab', type: 'vm' as const, id: '100', time: 1768183205 };
  const failed = job({
    state: 'failed',
    concurrency: 'auto',
    rate: 20_000_000,
    request: { mode: 'restore', sourceId: 'src-1', sourceLabel: 'office', snapshot, archive: 'drive-scsi0.img.fidx', target: '/t/a.raw', sparse: false, resume: true, keyfile: '/k.json', batch: { id: 'b', index: 0, count: 2, folder: '/t', bytes: 5 } },
  });
  const args = retryArgs(failed, 'pw');
  assert.deepEqual(args, {
    mode: 'restore',
    sourceId: 'src-1',
    snapshot,
    archive: 'drive-scsi0.img.fidx',
    target: '/t/a.raw',
    sparse: false,
    keyfile: '/k.json',
    concurrency: 'auto',
    rate: 20_000_000,
    password: 'pw',
  });
  // What it sends is a valid jobs.start (the schema refuses unknown fields such as sourceLabel).
  assert.deepEqual(validateCall('jobs.start', args), args);
  // A whole-VM verify keeps its disks; no rate asked: none sent.
  const vm = job({ mode: 'verify', state: 'cancelled', concurrency: 4, request: { mode: 'verify', sourceId: 's', sourceLabel: 'x', snapshot, disks: [{ archive: 'drive-scsi0.img.fidx' }] } });
  assert.deepEqual(retryArgs(vm), { mode: 'verify', sourceId: 's', snapshot, disks: [{ archive: 'drive-scsi0.img.fidx' }], concurrency: 4 });
  assert.deepEqual(['failed', 'cancelled', 'succeeded', 'running', 'queued'].map((state) => canRetry({ state: state as never })), [true, true, false, false, false]);
});

test('job-end notifications: the same words in both shells, as the setting allows', () => {
  const done = job({ state: 'succeeded', message: 'restored 4 GB' });
  assert.deepEqual(jobEndNotice(done, 'all'), { title: 'Restore finished: drive-scsi0.img', body: 'restored 4 GB' });
  assert.equal(jobEndNotice(done, 'errors'), undefined);
  assert.equal(jobEndNotice(job({ state: 'failed' }), 'off'), undefined);
  assert.match(jobEndNotice(job({ state: 'failed' }), 'errors')!.title, /^Restore failed: /);
  assert.equal(jobEndNotice(job({ state: 'running' }), 'all'), undefined);
});
