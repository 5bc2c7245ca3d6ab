// prepareSnapshotRestore's own rules: the disks picked and put in the snapshot's order, every
// target opened or none (a failure before the first chunk leaves no .partial and no folder it
// made), and the job's slots handed back to the budget however the job ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareRestore } from '../../electron/engine/restoreJob.ts';
import { SlotBudget } from '../../electron/engine/slotBudget.ts';
import { prepareSnapshotRestore } from '../../electron/engine/snapshotRestore.ts';
import { diskFileName } from '../../shared/jobNames.ts';
import { LocalDatastore } from '../../electron/source/localDatastore.ts';
import { demoVm, smallDemo } from '../helpers/demo.ts';
import { tempDir } from '../helpers/tmp.ts';

const demo = await smallDemo();
const store = await LocalDatastore.open(demo.dir);
const vm = await demoVm(demo, 'vm', '102');
const ref = { ns: vm.disks[0]!.ns, type: 'vm' as const, id: '102', time: vm.disks[0]!.time };
const work = await tempDir();
const exists = (p: string) => access(p).then(() => true, () => false);

test('disk file names: drive-scsi0.img.fidx → drive-scsi0.raw', () => {
  assert.equal(diskFileName('drive-scsi0.img.fidx'), 'drive-scsi0.raw');
  assert.equal(diskFileName('drive-efidisk0.img'), 'drive-efidisk0.raw');
  assert.equal(diskFileName('disk.fidx'), 'disk.raw');
});

test('named disks are checked and put in the snapshot order; unknown, duplicate and non-image names are refused', async () => {
  const p = await prepareSnapshotRestore({ source: store, ref, mode: 'verify', disks: [{ archive: 'drive-efidisk0.img' }, { archive: 'drive-scsi0.img.fidx' }] });
  assert.deepEqual(p.disks.map((d) => d.archive), ['drive-scsi0.img.fidx', 'drive-efidisk0.img.fidx']);
  assert.equal((await p.run()).status, 'succeeded');
  await assert.rejects(prepareSnapshotRestore({ source: store, ref, mode: 'verify', disks: [{ archive: 'drive-scsi9.img' }] }), { code: 'ARCHIVE_NOT_FOUND' });
  await assert.rejects(prepareSnapshotRestore({ source: store, ref, mode: 'verify', disks: [{ archive: 'drive-scsi0.img' }, { archive: 'drive-scsi0.img.fidx' }] }), { code: 'USAGE' });
  await assert.rejects(prepareSnapshotRestore({ source: store, ref, mode: 'verify', disks: [{ archive: 'root.pxar.didx' }] }), { code: 'ARCHIVE_NOT_IMAGE' });
  // A container backup holds file archives only.
  const ct = { ns: 'lab/staging', type: 'ct' as const, id: '300', time: (await store.listSnapshots('lab/staging'))[0]!.backupTime };
  await assert.rejects(prepareSnapshotRestore({ source: store, ref: ct, mode: 'verify', disks: 'all' }), { code: 'ARCHIVE_NOT_FOUND' });
});

test('a target that cannot be used stops the job before any chunk: no .partial, no folder it made, slots returned', async () => {
  const budget = new SlotBudget(8);
  const dir = join(work, 'new-folder');
  const blocker = join(work, 'taken');
  await mkdir(blocker);
  await writeFile(join(blocker, 'x'), '');
  // The second disk's own target is a folder: refused after the first disk's target was opened.
  const bad = prepareSnapshotRestore({
    source: store,
    ref,
    mode: 'restore',
    disks: [{ archive: 'drive-scsi0.img' }, { archive: 'drive-efidisk0.img', target: { path: blocker } }],
    dir,
    createDir: true,
    slots: budget.lender(16),
  });
  await assert.rejects(bad, { code: 'TARGET_NOT_WRITABLE' });
  assert.equal(await exists(dir), false, 'the folder it made is still there');
  assert.equal(budget.jobs, 0, 'the job kept its place in the budget');
  // A snapshot that does not exist: the single-disk path hands its slots back too.
  await assert.rejects(prepareRestore({ source: store, ref: { ...ref, time: 1 }, archive: 'drive-scsi0.img', slots: budget.lender(16) }), { code: 'SNAPSHOT_NOT_FOUND' });
  assert.equal(budget.jobs, 0);
  const ok = await prepareSnapshotRestore({ source: store, ref, mode: 'restore', disks: 'all', dir: join(work, 'ok'), createDir: true, slots: budget.lender(16) });
  assert.equal(budget.jobs, 1);
  assert.equal((await ok.run()).status, 'succeeded');
  assert.equal(budget.jobs, 0, 'a finished job still holds its place in the budget');
  assert.deepEqual((await readdir(join(work, 'ok'))).sort(), ['drive-efidisk0.raw', 'drive-scsi0.raw', 'qemu-server.conf']);
});
