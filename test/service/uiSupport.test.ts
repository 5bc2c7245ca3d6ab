// What the service adds for the UI: targets.check (what a target path is now, a device's
// capacity for the confirmation), AppInfo.targetDir (where restores are suggested), the peak
// speed in a job's summary, and the test hooks `serve` reads for the browser tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openSource } from '../../electron/service/openSource.ts';
import { PeakRate } from '../../shared/rates.ts';
import { RestoreService } from '../../electron/service/service.ts';
import { targetProblem } from '../../electron/service/targets.ts';
import { testHooksFromEnv, withChunkDelay } from '../../electron/service/testHooks.ts';
import { smallDemo } from '../helpers/demo.ts';
import { EventRecorder } from '../helpers/events.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';
import { archiveOf, sel } from './scenarios.ts';

const demo = await smallDemo();

test('targets.check says what a path is, without touching it', async () => {
  const dir = await tempDir();
  const s = await RestoreService.create({ dataDir: join(dir, 'data'), demo: false });
  try {
    await writeFile(join(dir, 'old.raw'), 'x'.repeat(1234));
    assert.deepEqual(await s.invoke('targets.check', { path: join(dir, 'new.raw') }), { path: join(dir, 'new.raw'), kind: 'missing', folderExists: true });
    assert.deepEqual(await s.invoke('targets.check', { path: join(dir, 'no', 'new.raw') }), { path: join(dir, 'no', 'new.raw'), kind: 'missing', folderExists: false });
    assert.deepEqual(await s.invoke('targets.check', { path: join(dir, 'old.raw') }), { path: join(dir, 'old.raw'), kind: 'file', size: 1234 });
    assert.deepEqual(await s.invoke('targets.check', { path: dir }), { path: dir, kind: 'directory' });
    assert.equal((await s.invoke('targets.check', { path: '/dev/null' })).kind, 'other');
    await assert.rejects(s.invoke('targets.check', { path: '' } as never), { code: 'BAD_ARGUMENTS' });
  } finally {
    await s.close();
  }
});

test('targets.check with an image size says what would stop that restore: the dialog\'s rules', async () => {
  const dir = await tempDir();
  const s = await RestoreService.create({ dataDir: join(dir, 'data'), demo: false });
  try {
    await writeFile(join(dir, 'old.raw'), 'x'.repeat(1234));
    const problem = async (path: string, overwrite?: 'file' | 'device'): Promise<string | undefined> =>
      (await s.invoke('targets.check', { path, imageSize: 4096, ...(overwrite ? { overwrite } : {}) })).problem?.code;
    assert.equal(await problem(join(dir, 'new.raw')), undefined);
    assert.equal(await problem(join(dir, 'no', 'new.raw')), 'TARGET_NOT_WRITABLE');
    assert.equal(await problem(dir), 'TARGET_NOT_WRITABLE');
    assert.equal(await problem('/dev/null'), 'TARGET_NOT_WRITABLE');
    assert.equal(await problem(join(dir, 'old.raw')), 'TARGET_EXISTS');
    assert.equal(await problem(join(dir, 'old.raw'), 'device'), 'TARGET_EXISTS', 'a device confirmation does not allow replacing a file');
    assert.equal(await problem(join(dir, 'old.raw'), 'file'), undefined);
    const file = await s.invoke('targets.check', { path: join(dir, 'old.raw'), imageSize: 1 });
    assert.deepEqual(file.problem, { code: 'TARGET_EXISTS', message: `${join(dir, 'old.raw')} already exists` });
    // Block devices (none to stat here): too small cannot be confirmed at all; otherwise only a confirmation allows it.
    const dev = { path: '/dev/sdx', kind: 'device', size: 4096 } as const;
    assert.equal(targetProblem({ ...dev, size: 4095 }, { imageSize: 4096, overwrite: 'device' })?.code, 'TARGET_TOO_SMALL');
    assert.equal(targetProblem(dev, { imageSize: 4096 })?.code, 'TARGET_EXISTS');
    assert.equal(targetProblem(dev, { imageSize: 4096, overwrite: 'file' })?.code, 'TARGET_EXISTS');
    assert.equal(targetProblem(dev, { imageSize: 4096, overwrite: 'device' }), undefined);
    assert.equal(targetProblem({ path: '/dev/sdy', kind: 'device' }, { imageSize: 4096, overwrite: 'device' }), undefined, 'a capacity that cannot be read is left to the engine');
    await assert.rejects(s.invoke('targets.check', { path: dir, imageSize: -1 }), { code: 'BAD_ARGUMENTS' });
    await assert.rejects(s.invoke('targets.check', { path: dir, imageSize: 1, overwrite: 'all' } as never), { code: 'BAD_ARGUMENTS' });
  } finally {
    await s.close();
  }
});

test('AppInfo.targetDir: the given folder, else ~/Downloads when it exists, else the home folder (never the data folder)', async () => {
  const dir = await tempDir();
  const home = process.env.HOME;
  try {
    process.env.HOME = join(dir, 'home');
    await mkdir(join(dir, 'home'));
    // A file named Downloads is not a folder to restore into.
    await writeFile(join(dir, 'home', 'Downloads'), '');
    const a = await RestoreService.create({ dataDir: join(dir, 'home', '.config', 'a'), demo: false });
    assert.equal((await a.invoke('app.info', {})).targetDir, join(dir, 'home'));
    await a.close();
    await rm(join(dir, 'home', 'Downloads'));
    const a2 = await RestoreService.create({ dataDir: join(dir, 'home', '.config', 'a'), demo: false });
    assert.equal((await a2.invoke('app.info', {})).targetDir, join(dir, 'home'));
    await a2.close();
    // The service's own home option wins over $HOME (the tests of the folder picker use it).
    const a3 = await RestoreService.create({ dataDir: join(dir, 'a3'), demo: false, home: join(dir, 'other') });
    assert.equal((await a3.invoke('app.info', {})).targetDir, join(dir, 'other'));
    await a3.close();
    await mkdir(join(dir, 'home', 'Downloads'), { recursive: true });
    const b = await RestoreService.create({ dataDir: join(dir, 'b'), demo: false });
    assert.equal((await b.invoke('app.info', {})).targetDir, join(dir, 'home', 'Downloads'));
    await b.close();
    const c = await RestoreService.create({ dataDir: join(dir, 'c'), demo: false, targetDir: join(dir, 'elsewhere') });
    assert.equal((await c.invoke('app.info', {})).targetDir, join(dir, 'elsewhere'));
    await c.close();
  } finally {
    process.env.HOME = home;
  }
});

test('the peak rate is the best window of about a second, never below the average', () => {
  const p = new PeakRate(1000);
  assert.equal(p.peak(5), 5, 'a job shorter than the window reports its average');
  // 1 MB/s for 2 s, then 4 MB/s for 2 s, samples every 100 ms.
  let bytes = 0;
  for (let t = 0; t <= 4000; t += 100) {
    p.add(t, bytes);
    bytes += t < 2000 ? 1e5 : 4e5;
  }
  assert.ok(Math.abs(p.peak(0) - 4e6) < 1, `${p.peak(0)}`);
  assert.equal(p.peak(5e6), 5e6);
});

test('a restore slowed by the chunk-delay hook reports its peak speed and stays bit-exact', { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  const s = await RestoreService.create({ dataDir: join(dir, 'data'), demo: false, datastores: [demo.dir], openSource: withChunkDelay(openSource, 40) });
  try {
    const events = new EventRecorder(s);
    const [src] = await s.invoke('sources.list', {});
    const a = archiveOf(demo, 'vm', '100', 'drive-scsi0.img.fidx');
    const target = join(dir, 'web.raw');
    const job = await s.invoke('jobs.start', { mode: 'restore', sourceId: src!.id, snapshot: sel(a), archive: a.archive, target, concurrency: 1 });
    const final = await events.finalJob(job.id);
    assert.equal(final.state, 'succeeded', final.message);
    const sum = final.summary!;
    // 40 chunks to fetch, one at a time, 40 ms each: well over a second.
    assert.ok(sum.seconds > 1.2, `${sum.seconds} s`);
    assert.ok(sum.peakMbPerSec !== undefined && sum.peakMbPerSec >= sum.mbPerSec * 0.99, JSON.stringify(sum));
    assert.equal(await sha256File(target), a.sha256);
  } finally {
    await s.close();
  }
});

test('serve reads its test hooks from the environment only when set, and refuses bad values', async () => {
  assert.deepEqual(testHooksFromEnv({}), { active: [] });
  const h = testHooksFromEnv({ RESTORE_CONSOLE_TEST_CHUNK_DELAY_MS: '25', RESTORE_CONSOLE_TEST_DEMO_SCALE: 'small', RESTORE_CONSOLE_TEST_UI_DIR: '/ui' });
  assert.equal(h.active.length, 3);
  assert.equal(h.demoScale, 'small');
  assert.equal(h.uiDir, '/ui');
  assert.ok(h.openSource);
  assert.throws(() => testHooksFromEnv({ RESTORE_CONSOLE_TEST_CHUNK_DELAY_MS: 'soon' }), /0-60000/);
  // The delay applies to chunk reads only, and an abort ends the wait at once.
  const opened = await h.openSource!({ kind: 'datastore', path: demo.dir });
  const a = archiveOf(demo, 'vm', '100', 'drive-scsi0.img.fidx');
  const reader = await opened.source.openSnapshot(sel(a));
  const ac = new AbortController();
  const read = reader.readChunk(new Uint8Array(32), ac.signal);
  ac.abort();
  await assert.rejects(read, { name: 'AbortError' });
  await reader.close();
  await opened.close();
});
