// The service's target rules on top of the engine's: one job per target (a second one is refused
// at start, also when it names the target another way), absolute paths only, and never a target
// inside any datastore source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { smallDemo } from '../helpers/demo.ts';
import { EventRecorder } from '../helpers/events.ts';
import { startService } from '../helpers/harness.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';
import { archiveOf, sel } from './scenarios.ts';

const demo = await smallDemo();
const web = archiveOf(demo, 'vm', '100', 'drive-scsi0.img.fidx');
const exists = (p: string) => access(p).then(() => true, () => false);

test('a second job for a target a job writes is refused with TARGET_BUSY; the first ends bit-exact', async () => {
  const { service, gate, dir } = await startService(demo);
  try {
    const events = new EventRecorder(service);
    const [src] = await service.invoke('sources.list', {});
    const out = join(dir, 'out');
    await mkdir(out);
    await symlink(out, join(dir, 'alias'));
    gate.hold();
    const target = join(out, 'web.raw');
    const args = { mode: 'restore' as const, sourceId: src!.id, snapshot: sel(web), archive: web.archive, concurrency: 2 };
    const first = await service.invoke('jobs.start', { ...args, target });
    await events.waitFor('progress', (p) => p.jobId === first.id && p.progress.inFlight === 2);
    for (const other of [target, join(dir, 'alias', 'web.raw'), `${out}/./web.raw`]) {
      await assert.rejects(service.invoke('jobs.start', { ...args, target: other, force: true }), { code: 'TARGET_BUSY' }, other);
    }
    // A queued job holds its target too.
    await service.invoke('settings.set', { maxRunningJobs: 1 });
    const queued = await service.invoke('jobs.start', { ...args, target: join(out, 'second.raw') });
    await assert.rejects(service.invoke('jobs.start', { ...args, target: join(out, 'second.raw') }), { code: 'TARGET_BUSY' });
    await service.invoke('jobs.cancel', { id: queued.id });
    gate.release();
    assert.equal((await events.finalJob(first.id)).state, 'succeeded');
    assert.equal(await sha256File(target), web.sha256);
    assert.equal(events.of('job').filter((j) => j.state === 'running').length, 1, 'a refused job ran');
    // Once the first has ended, the target may be written again.
    const again = await service.invoke('jobs.start', { ...args, target, force: true });
    assert.equal((await events.finalJob(again.id)).state, 'succeeded');
  } finally {
    gate.release();
    await service.close();
  }
});

test('relative targets are refused (TARGET_NOT_ABSOLUTE), as are targets inside any datastore source (TARGET_IN_DATASTORE)', async () => {
  const other = join(await tempDir(), 'other-store');
  await mkdir(join(other, '.chunks'), { recursive: true });
  const { service } = await startService(demo, { datastores: [demo.dir, other] });
  try {
    const sources = await service.invoke('sources.list', {});
    const src = sources.find((s) => s.config.kind === 'datastore' && s.config.path === demo.dir)!;
    const args = { mode: 'restore' as const, sourceId: src.id, snapshot: sel(web), archive: web.archive };
    await assert.rejects(service.invoke('jobs.start', { ...args, target: 'web.raw' }), { code: 'TARGET_NOT_ABSOLUTE' });
    await assert.rejects(service.invoke('targets.check', { path: '../web.raw' }), { code: 'TARGET_NOT_ABSOLUTE' });
    const before = await readdir(join(demo.dir, '.chunks'));
    for (const target of [join(demo.dir, '.chunks', 'x.raw'), join(demo.dir, 'vm', 'x.raw'), join(other, 'x.raw')]) {
      await assert.rejects(service.invoke('jobs.start', { ...args, target, force: true }), { code: 'TARGET_IN_DATASTORE' }, target);
      assert.equal(await exists(`${target}.partial`), false);
    }
    assert.deepEqual(await readdir(join(demo.dir, '.chunks')), before);
    assert.deepEqual(await service.invoke('jobs.list', {}), []);
  } finally {
    await service.close();
  }
});
