// The service's own files, damaged: a malformed record in jobs.json or sources.json, or bad values
// in settings.json, never stop the service from starting. Each bad record is skipped and logged
// (checked with the contract's schemas), the good ones are kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RestoreService } from '../../electron/service/service.ts';
import { smallDemo } from '../helpers/demo.ts';
import { EventRecorder } from '../helpers/events.ts';
import { tempDir } from '../helpers/tmp.ts';
import { archiveOf, sel } from './scenarios.ts';

const demo = await smallDemo();
const web = archiveOf(demo, 'vm', '100', 'drive-scsi0.img.fidx');

test('malformed job, source and settings records are skipped and logged; the rest is kept and the service starts', async () => {
  const dataDir = join(await tempDir(), 'data');
  // A real history first: one source, one finished job.
  const s1 = await RestoreService.create({ dataDir, demo: false, datastores: [demo.dir] });
  const events = new EventRecorder(s1);
  const [src] = await s1.invoke('sources.list', {});
  const job = await s1.invoke('jobs.start', { mode: 'verify', sourceId: src!.id, snapshot: sel(web), archive: web.archive });
  await events.finalJob(job.id);
  await s1.close();
  const jobs = JSON.parse(await readFile(join(dataDir, 'jobs.json'), 'utf8'));
  const sources = JSON.parse(await readFile(join(dataDir, 'sources.json'), 'utf8'));
  const good = jobs.jobs[0];
  jobs.jobs.push(
    { id: 'no-request', state: 'running', mode: 'restore', startedAt: 5, createdAt: 1, concurrency: 4, log: [] },
    { ...good, id: 'null-request', request: null },
    { ...good, id: 'bad-progress', progress: { doneBytes: 'lots' } },
    { ...good, id: 'bad-code', error: { code: 'NOT_A_CODE', message: 'x' } },
    { ...good, id: 'bad-log', log: [null, 5, { seq: 1 }, good.log[0]] },
    null,
    'job',
    good,
  );
  sources.sources.push({ id: 'src-bad', label: 'x', addedAt: 1, config: { kind: 'datastore', path: 5 } }, { id: 'src-str', config: 'x' }, null);
  await writeFile(join(dataDir, 'jobs.json'), JSON.stringify(jobs));
  await writeFile(join(dataDir, 'sources.json'), JSON.stringify(sources));
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ version: 1, settings: { maxRunningJobs: 'x', historyLimit: -1, sparseByDefault: false } }));

  const s2 = await RestoreService.create({ dataDir, demo: false });
  try {
    const list = await s2.invoke('jobs.list', {});
    assert.deepEqual(list.map((j) => j.id).sort(), [good.id, 'bad-log'].sort());
    assert.equal((await s2.invoke('jobs.get', { id: 'bad-log' })).state, 'succeeded');
    assert.deepEqual((await s2.invoke('logs.get', { jobId: 'bad-log' })).map((e) => e.seq), [good.log[0].seq], 'only the valid log entry is kept');
    assert.deepEqual((await s2.invoke('sources.list', {})).map((x) => x.id), [src!.id]);
    const settings = await s2.invoke('settings.get', {});
    assert.equal(settings.maxRunningJobs, 4);
    assert.equal(settings.sparseByDefault, false, 'a good value beside bad ones is kept');
    const warnings = (await s2.invoke('logs.get', {})).filter((e) => e.level === 'warn').map((e) => e.message);
    for (const what of ['job record 1 ', 'job record 2 ', 'job record 3 ', 'job record 4 ', 'job record 6 ', 'job record 7 ', 'job record 8 ', 'source record 1 ', 'source record 2 ', 'source record 3 ']) {
      assert.ok(warnings.some((w) => w.includes(`skipped ${what}`)), `no warning for ${what}: ${warnings.join(' | ')}`);
    }
  } finally {
    await s2.close();
  }
});
