// The service's own duties beyond the shared contract scenarios: files that survive restarts,
// secrets kept only as allowed and never logged, the demo on a first start, the job queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceConfig } from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';
import type { OpenedSource } from '../../electron/service/openSource.ts';
import { RestoreService } from '../../electron/service/service.ts';
import type { SecretBox } from '../../electron/service/secrets.ts';
import { smallDemo } from '../helpers/demo.ts';
import { EventRecorder } from '../helpers/events.ts';
import { startService } from '../helpers/harness.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';
import { archiveOf, sel } from './scenarios.ts';

const demo = await smallDemo();
const web = archiveOf(demo, 'vm', '100', 'drive-scsi0.img.fidx');

/** A reversible stand-in for safeStorage: the "ciphertext" is the reversed, prefixed text. */
const fakeBox = (available = true): SecretBox => ({
  isAvailable: () => available,
  encrypt: (s) => Buffer.from(`enc:${[...s].reverse().join('')}`),
  decrypt: (b) => [...b.toString().slice(4)].reverse().join(''),
});

/** A PBS "server" that accepts one secret and lists nothing; refuses others with a message echoing the secret. */
function fakePbs(goodSecret: string): (c: SourceConfig) => Promise<OpenedSource> {
  return async (c) => {
    if (c.kind !== 'pbs') throw new Error('datastore not expected');
    if (c.secret !== goodSecret) throw new RestoreError('AUTH_FAILED', `authentication failed for ${c.authId} with secret ${c.secret}`);
    return {
      label: `${c.authId}@${c.host}:${c.datastore}`,
      source: { label: c.host, listNamespaces: async () => [''], listGroups: async () => [], listSnapshots: async () => [], openSnapshot: async () => Promise.reject(new Error('none')) },
      listDatastores: async () => [{ name: c.datastore }],
      close: async () => {},
    };
  };
}

const pbsConfig = (secret?: string): SourceConfig => ({ kind: 'pbs', host: 'pbs.example', datastore: 'store1', authId: 'root@pam!console', ...(secret ? { secret } : {}) });
const SECRET = 'f00dfeed-1234-5678-9abc-secretsecret';

test('sources, settings and job history survive a restart; an interrupted job reads failed', async () => {
  const dir = await tempDir();
  const first = await RestoreService.create({ dataDir: dir, demo: false });
  const src = await first.invoke('sources.add', { config: { kind: 'datastore', path: demo.dir }, label: 'my store' });
  await first.invoke('settings.set', { defaultConcurrency: 'auto', maxRunningJobs: 2 });
  const events = new EventRecorder(first);
  const job = await first.invoke('jobs.start', { mode: 'verify', sourceId: src.id, snapshot: sel(web), archive: web.archive });
  assert.equal(job.concurrency, 'auto');
  assert.equal((await events.finalJob(job.id)).state, 'succeeded');
  await first.close();

  // A job the app did not finish (it crashed): written as running, read back as failed.
  const jobsFile = join(dir, 'jobs.json');
  const saved = JSON.parse(await readFile(jobsFile, 'utf8'));
  const ghost = { ...saved.jobs[0], id: 'job-ghost', state: 'running', mode: 'restore', request: { ...saved.jobs[0].request, mode: 'restore', target: '/tmp/x.raw' }, summary: undefined };
  saved.jobs.push(ghost);
  await writeFile(jobsFile, JSON.stringify(saved));

  const second = await RestoreService.create({ dataDir: dir, demo: false });
  try {
    const sources = await second.invoke('sources.list', {});
    assert.deepEqual(sources.map((s) => [s.id, s.label]), [[src.id, 'my store']]);
    const settings = await second.invoke('settings.get', {});
    assert.equal(settings.defaultConcurrency, 'auto');
    assert.equal(settings.maxRunningJobs, 2);
    const old = await second.invoke('jobs.get', { id: job.id });
    assert.equal(old.state, 'succeeded');
    assert.equal(old.summary?.mode, 'verify');
    const ghostNow = await second.invoke('jobs.get', { id: 'job-ghost' });
    assert.equal(ghostNow.state, 'failed');
    assert.equal(ghostNow.error?.code, 'INTERRUPTED');
    assert.match(ghostNow.message ?? '', /target is partial: \/tmp\/x\.raw\.partial/);
    assert.ok((await second.invoke('logs.get', { jobId: job.id })).length > 0, 'the job log was not kept');
    // The final chunk map is kept with the job (test/service/jobHistory.test.ts checks it closely).
    assert.equal((await second.invoke('jobs.chunkMap', { id: job.id }))?.total, web.chunks);
    // Files are written whole: no temporary files are left next to them.
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
  } finally {
    await second.close();
  }
});

test('secrets: encrypted with safeStorage, written plain only when asked, never in results or logs', async () => {
  // With a keychain: encrypted on disk, readable after a restart.
  const dir1 = await tempDir();
  const a = await RestoreService.create({ dataDir: dir1, demo: false, secrets: fakeBox(), openSource: fakePbs(SECRET) });
  const info = await a.invoke('sources.add', { config: pbsConfig(SECRET) });
  assert.equal(info.secret, 'encrypted');
  assert.equal((info.config as Record<string, unknown>).secret, undefined);
  await a.close();
  const onDisk = await readFile(join(dir1, 'sources.json'), 'utf8');
  assert.ok(!onDisk.includes(SECRET), 'secret written in plain text');
  const a2 = await RestoreService.create({ dataDir: dir1, demo: false, secrets: fakeBox(), openSource: fakePbs(SECRET) });
  assert.equal((await a2.invoke('sources.test', { id: info.id })).datastores[0]?.name, 'store1');
  await a2.close();

  // No keychain, not asked to remember: memory only; after a restart the secret is missing.
  const dir2 = await tempDir();
  const b = await RestoreService.create({ dataDir: dir2, demo: false, secrets: fakeBox(false), openSource: fakePbs(SECRET) });
  const bi = await b.invoke('sources.add', { config: pbsConfig(SECRET) });
  assert.equal(bi.secret, 'session');
  await b.close();
  assert.ok(!(await readFile(join(dir2, 'sources.json'), 'utf8')).includes(SECRET));
  const b2 = await RestoreService.create({ dataDir: dir2, demo: false, openSource: fakePbs(SECRET) });
  assert.equal((await b2.invoke('sources.list', {}))[0]?.secret, 'missing');
  await assert.rejects(b2.invoke('catalog.groups', { sourceId: bi.id, ns: '' }), { code: 'SECRET_REQUIRED' });
  assert.equal((await b2.invoke('sources.setSecret', { id: bi.id, secret: SECRET, rememberSecret: true })).secret, 'plain');
  assert.deepEqual(await b2.invoke('catalog.groups', { sourceId: bi.id, ns: '' }), []);
  await b2.close();
  assert.ok((await readFile(join(dir2, 'sources.json'), 'utf8')).includes(SECRET), 'rememberSecret did not keep it');

  // A wrong secret echoed by the server never reaches the log as typed.
  const dir3 = await tempDir();
  const c = await RestoreService.create({ dataDir: dir3, demo: false, openSource: fakePbs(SECRET) });
  await c.invoke('sources.add', { config: pbsConfig(SECRET) });
  const logged: string[] = [];
  c.on('log', (e) => logged.push(e.message));
  const wrong = `${SECRET}-x`;
  await assert.rejects(c.invoke('sources.setSecret', { id: (await c.invoke('sources.list', {}))[0]!.id, secret: wrong }), { code: 'AUTH_FAILED' });
  const job = await c.invoke('jobs.start', { mode: 'verify', sourceId: (await c.invoke('sources.list', {}))[0]!.id, snapshot: sel(web), archive: web.archive });
  const events = new EventRecorder(c);
  await events.finalJob(job.id);
  const all = (await c.invoke('logs.get', {})).map((e) => e.message).join('\n') + logged.join('\n');
  assert.ok(!all.includes(SECRET), 'a secret reached the log');
  await c.close();
});

test("a call whose caller gives up ends at once with the caller's reason (CANCELLED without one)", async () => {
  const entered = Promise.withResolvers<void>();
  // A server that never answers: only the caller's signal can end the call.
  const opener = (): Promise<OpenedSource> => (entered.resolve(), new Promise<OpenedSource>(() => {}));
  const s = await RestoreService.create({ dataDir: await tempDir(), demo: false, openSource: opener });
  try {
    const timedOut = new AbortController();
    const call = s.invoke('sources.test', { config: pbsConfig(SECRET) }, { signal: timedOut.signal });
    await entered.promise;
    timedOut.abort(new RestoreError('TIMEOUT', 'the page stopped waiting'));
    await assert.rejects(call, (e: RestoreError) => e.code === 'TIMEOUT' && e.message === 'the page stopped waiting');
    const gone = new AbortController();
    const second = s.invoke('sources.test', { config: pbsConfig(SECRET) }, { signal: gone.signal });
    gone.abort();
    await assert.rejects(second, { code: 'CANCELLED' });
  } finally {
    await s.close();
  }
});

test('a TLS fingerprint mismatch carries the fingerprint seen, for the user to trust', async () => {
  const fp = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0')).join(':');
  const opener = async (): Promise<OpenedSource> => {
    throw Object.assign(new RestoreError('TLS_FINGERPRINT_MISMATCH', 'certificate fingerprint not trusted'), { fingerprint: fp });
  };
  const s = await RestoreService.create({ dataDir: await tempDir(), demo: false, openSource: opener });
  try {
    await assert.rejects(s.invoke('sources.test', { config: pbsConfig(SECRET) }), (e: { code: string; fingerprint?: string }) => {
      assert.equal(e.code, 'TLS_FINGERPRINT_MISMATCH');
      assert.equal(e.fingerprint, fp);
      return true;
    });
  } finally {
    await s.close();
  }
});

test('first start: the demo datastore is generated in the background and offered as the source', { timeout: 120_000 }, async () => {
  const dir = await tempDir();
  const s = await RestoreService.create({ dataDir: dir, demo: { scale: 'small' } });
  const events = new EventRecorder(s);
  const ready = await events.waitFor('demo', (d) => d.state === 'ready' || d.state === 'failed');
  assert.equal(ready.state, 'ready', ready.error?.message);
  assert.ok(events.of('demo', (d) => d.state === 'generating').length >= 1, 'no generating event');
  const sources = await s.invoke('sources.list', {});
  assert.equal(sources.length, 1);
  assert.equal(sources[0]!.id, ready.sourceId);
  assert.ok(sources[0]!.demo?.keyFile.startsWith(dir));
  assert.equal(sources[0]!.demo?.keyPassword, demo.keyPassword);
  // Restorable at once, the encrypted VM too, with the key the demo hands out.
  const db = archiveOf(demo, 'vm', '101', 'drive-scsi0.img.fidx');
  const target = join(dir, 'db.raw');
  const job = await s.invoke('jobs.start', { mode: 'restore', sourceId: ready.sourceId!, snapshot: sel(db), archive: db.archive, target, keyfile: sources[0]!.demo!.keyFile, password: sources[0]!.demo!.keyPassword });
  assert.equal((await events.finalJob(job.id)).state, 'succeeded');
  assert.equal(await sha256File(target), db.sha256);
  await s.close();

  // A restart reuses the demo; removing it means it is not offered again.
  const s2 = await RestoreService.create({ dataDir: dir, demo: { scale: 'small' } });
  assert.equal((await s2.invoke('demo.status', {})).state, 'absent');
  await s2.invoke('sources.remove', { id: ready.sourceId! });
  assert.equal((await s2.invoke('settings.get', {})).demoDismissed, true);
  await s2.close();
  const s3 = await RestoreService.create({ dataDir: dir, demo: { scale: 'small' } });
  assert.equal((await s3.invoke('demo.status', {})).state, 'absent');
  assert.deepEqual(await s3.invoke('sources.list', {}), []);
  await s3.close();
});

test('first start: a first VM snapshot is browsable and restorable before the rest of the demo is written', { timeout: 120_000 }, async () => {
  const dir = await tempDir();
  const reached = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  // The generator waits here after offering its first snapshot, until the test has used it.
  const holdAfterFirst = (): Promise<void> => (reached.resolve(), release.promise);
  const s = await RestoreService.create({ dataDir: dir, demo: { scale: 'small', holdAfterFirst } });
  const events = new EventRecorder(s);
  try {
    await reached.promise;
    const status = await s.invoke('demo.status', {});
    assert.equal(status.state, 'generating');
    assert.equal(status.snapshotsDone, 1);
    assert.ok(status.snapshotsTotal! > 5, `${status.snapshotsTotal} snapshots planned`);
    const sources = await s.invoke('sources.list', {});
    assert.deepEqual(sources.map((x) => x.id), [status.sourceId]);
    assert.ok(sources[0]!.demo);
    // Browse shows exactly that one snapshot: a VM of the root namespace with a disk image.
    const groups = await s.invoke('catalog.groups', { sourceId: status.sourceId!, ns: '' });
    assert.deepEqual(groups.map((g) => `${g.backupType}/${g.backupId}`), ['vm/102']);
    const snaps = await s.invoke('catalog.snapshots', { sourceId: status.sourceId!, ns: '' });
    assert.equal(snaps.length, 1);
    const boot = archiveOf(demo, 'vm', '102', 'drive-scsi0.img.fidx');
    assert.equal(snaps[0]!.backupTime, boot.time);
    const detail = await s.invoke('catalog.snapshot', { sourceId: status.sourceId!, snapshot: sel(boot) });
    assert.ok(detail.files.some((f) => f.filename === boot.archive && f.restorable));
    // Restored bit-exact while the rest waits (the generator is the same as the fixture's).
    const target = join(dir, 'first.raw');
    const job = await s.invoke('jobs.start', { mode: 'restore', sourceId: status.sourceId!, snapshot: sel(boot), archive: boot.archive, target });
    assert.equal((await events.finalJob(job.id)).state, 'succeeded');
    assert.equal(await sha256File(target), boot.sha256);
    assert.equal((await s.invoke('catalog.snapshots', { sourceId: status.sourceId!, ns: '' })).length, 1, 'more was written while held');
  } finally {
    release.resolve();
  }
  // Then the rest, announced snapshot by snapshot, and the same source stays.
  const ready = await events.waitFor('demo', (d) => d.state === 'ready' || d.state === 'failed');
  assert.equal(ready.state, 'ready', ready.error?.message);
  const counts = events.of('demo', (d) => (d.snapshotsDone ?? 0) > 1).map((d) => d.snapshotsDone!);
  assert.deepEqual([...new Set(counts)], Array.from({ length: ready.snapshotsTotal! - 1 }, (_, i) => i + 2), 'every snapshot after the first announced, in order');
  assert.equal((await s.invoke('sources.list', {})).length, 1);
  const all = await s.invoke('catalog.groups', { sourceId: ready.sourceId!, ns: '' });
  assert.deepEqual(all.map((g) => `${g.backupType}/${g.backupId}`), ['vm/100', 'vm/101', 'vm/102']);
  await s.close();
});

test('a demo generation stopped midway is written again on the next start; removing the demo source mid-way stops it', { timeout: 120_000 }, async () => {
  const dir = await tempDir();
  const reached = Promise.withResolvers<void>();
  const s = await RestoreService.create({ dataDir: dir, demo: { scale: 'small', holdAfterFirst: () => (reached.resolve(), new Promise<void>(() => {})) } });
  await reached.promise;
  const sourceId = (await s.invoke('demo.status', {})).sourceId!;
  // Closing cancels the generation (the held one gives up at its next chunk).
  const closed = s.close();
  await closed;
  const s2 = await RestoreService.create({ dataDir: dir, demo: { scale: 'small' } });
  const events = new EventRecorder(s2);
  const ready = await events.waitFor('demo', (d) => d.state === 'ready' || d.state === 'failed');
  assert.equal(ready.state, 'ready', ready.error?.message);
  assert.equal(ready.sourceId, sourceId, 'the same source, not a second one');
  assert.equal((await s2.invoke('catalog.snapshots', { sourceId, ns: '' })).length, 6);
  await s2.close();
  // Removed while generating: the generation stops, nothing is offered again.
  const dir3 = await tempDir();
  const reached3 = Promise.withResolvers<void>();
  const release3 = Promise.withResolvers<void>();
  const s3 = await RestoreService.create({ dataDir: dir3, demo: { scale: 'small', holdAfterFirst: () => (reached3.resolve(), release3.promise) } });
  const events3 = new EventRecorder(s3);
  await reached3.promise;
  await s3.invoke('sources.remove', { id: (await s3.invoke('demo.status', {})).sourceId! });
  release3.resolve();
  assert.equal((await events3.waitFor('demo', (d) => d.state !== 'generating')).state, 'absent');
  assert.deepEqual(await s3.invoke('sources.list', {}), []);
  await assert.rejects(readdir(join(dir3, 'demo', 'ready')), { code: 'ENOENT' });
  await s3.close();
});

test('jobs beyond maxRunningJobs wait queued; a queued job cancels at once without writing', async () => {
  const { service, gate, dir } = await startService(demo);
  try {
    await service.invoke('settings.set', { maxRunningJobs: 1 });
    const events = new EventRecorder(service);
    const [src] = await service.invoke('sources.list', {});
    gate.hold();
    const first = await service.invoke('jobs.start', { mode: 'verify', sourceId: src!.id, snapshot: sel(web), archive: web.archive, concurrency: 2 });
    const second = await service.invoke('jobs.start', { mode: 'verify', sourceId: src!.id, snapshot: sel(web), archive: web.archive });
    const third = await service.invoke('jobs.start', { mode: 'restore', sourceId: src!.id, snapshot: sel(web), archive: web.archive, target: join(dir, 'q.raw') });
    await events.waitFor('progress', (p) => p.jobId === first.id && p.progress.inFlight === 2);
    assert.equal((await service.invoke('jobs.get', { id: second.id })).state, 'queued');
    await assert.rejects(service.invoke('jobs.pause', { id: second.id }), { code: 'INVALID_STATE' });
    const cancelled = await service.invoke('jobs.cancel', { id: third.id });
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(cancelled.message, 'cancelled before it started; nothing was written');
    assert.equal(cancelled.partialPath, undefined);
    await assert.rejects(service.invoke('sources.remove', { id: src!.id }), { code: 'INVALID_STATE' });
    gate.release();
    assert.equal((await events.finalJob(first.id)).state, 'succeeded');
    assert.equal((await events.finalJob(second.id)).state, 'succeeded');
    const order = events.of('job').filter((j) => j.state === 'running').map((j) => j.id);
    assert.deepEqual(order, [first.id, second.id]);
  } finally {
    gate.release();
    await service.close();
  }
});

test('closing the service cancels running jobs and leaves their targets partial', async () => {
  const { service, gate, dir } = await startService(demo);
  const events = new EventRecorder(service);
  const [src] = await service.invoke('sources.list', {});
  gate.hold();
  const target = join(dir, 'closing.raw');
  const job = await service.invoke('jobs.start', { mode: 'restore', sourceId: src!.id, snapshot: sel(web), archive: web.archive, target, concurrency: 2 });
  await events.waitFor('progress', (p) => p.jobId === job.id && p.progress.inFlight === 2);
  await service.close();
  const final = await events.finalJob(job.id);
  assert.equal(final.state, 'cancelled');
  assert.equal(final.partialPath, `${target}.partial`);
  await assert.rejects(service.invoke('jobs.list', {}), { code: 'INVALID_STATE' });
});

test('a corrupt settings file is set aside, not fatal', async () => {
  const dir = await tempDir();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'settings.json'), '{ not json');
  const s = await RestoreService.create({ dataDir: dir, demo: false });
  try {
    assert.equal((await s.invoke('settings.get', {})).defaultConcurrency, 16);
    assert.ok((await readdir(dir)).some((f) => f.startsWith('settings.json.corrupt-')));
    assert.ok((await s.invoke('logs.get', {})).some((e) => e.level === 'warn' && /settings\.json/.test(e.message)));
  } finally {
    await s.close();
  }
});
