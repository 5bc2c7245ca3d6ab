// The service's files commands over an in-memory archive: open, list, close; files jobs to a zip,
// a folder and one file with progress and a summary; cancel; and browser mode's download route
// (token, once only, headers, a zip read back by Python).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FilesJobInfo } from '../../shared/contract.ts';
import { isRestoreError } from '../../shared/errors.ts';
import { RestoreService } from '../../electron/service/service.ts';
import { startHttpServer } from '../../electron/server/httpServer.ts';
import { damagePrimaryGpt, smallDemo } from '../helpers/demo.ts';
import { EventRecorder } from '../helpers/events.ts';
import { Gate } from '../helpers/gate.ts';
import { MemTree, type MemSpec } from '../helpers/memTree.ts';
import { tempDir } from '../helpers/tmp.ts';
import { pyZip } from '../helpers/zipRead.ts';

const specs: MemSpec[] = [
  { dir: '/', name: 'etc', type: 'dir' },
  { dir: '/etc', name: 'hosts', type: 'file', data: Buffer.from('127.0.0.1 localhost\n') },
  { dir: '/etc', name: 'motd', type: 'file', data: Buffer.from('Grüße\n'.repeat(50_000)) },
  { dir: '/etc', name: 'initctl', type: 'fifo' },
  { dir: '/', name: 'Grüße.txt', type: 'file', data: Buffer.from('unicode name\n') },
];

async function setup(): Promise<{ service: RestoreService; events: EventRecorder; sourceId: string; dir: string; tree: MemTree; closed: () => number }> {
  const dir = await tempDir('rc-svc-files-');
  await mkdir(join(dir, 'store', '.chunks'), { recursive: true });
  const tree = new MemTree(specs);
  let closed = 0;
  const service = await RestoreService.create({
    dataDir: join(dir, 'data'),
    demo: false,
    datastores: [join(dir, 'store')],
    progressIntervalMs: 20,
    openFiles: async (_source, ref, archive) => {
      assert.equal(ref.type, 'ct');
      return { tree, archives: [`${archive}.didx`], chunksFetched: 0, close: async () => void closed++ };
    },
  });
  const events = new EventRecorder(service);
  const sourceId = (await service.invoke('sources.list', {}))[0]!.id;
  return { service, events, sourceId, dir, tree, closed: () => closed };
}

const snapshot = { ns: '', type: 'ct' as const, id: '300', time: 1_700_000_000 };
const final = (j: FilesJobInfo): boolean => ['succeeded', 'partial', 'failed', 'cancelled'].includes(j.state);

test('open, list and close an archive; arguments are checked', async () => {
  const { service, sourceId, closed } = await setup();
  try {
    const b = await service.invoke('files.open', { sourceId, snapshot, archive: 'root.pxar' });
    assert.equal(b.root.type, 'dir');
    assert.deepEqual(b.archives, ['root.pxar.didx']);
    assert.deepEqual((await service.invoke('files.list', { browseId: b.id, path: '/' })).map((e) => [e.name, e.type]), [
      ['etc', 'dir'],
      ['Grüße.txt', 'file'],
    ]);
    assert.deepEqual((await service.invoke('files.list', { browseId: b.id, path: '/etc/' })).map((e) => e.name), ['hosts', 'motd', 'initctl']);
    await assert.rejects(service.invoke('files.list', { browseId: b.id, path: '/nope' }), (e) => isRestoreError(e, 'PATH_NOT_FOUND'));
    await assert.rejects(service.invoke('files.list', { browseId: b.id, path: 'etc' }), (e) => isRestoreError(e, 'BAD_ARGUMENTS'));
    await assert.rejects(service.invoke('files.list', { browseId: b.id, path: '/etc/../..' }), (e) => isRestoreError(e, 'BAD_ARGUMENTS'));
    await assert.rejects(service.invoke('files.start', { browseId: b.id, paths: [], output: { kind: 'download' } }), (e) => isRestoreError(e, 'BAD_ARGUMENTS'));
    await assert.rejects(service.invoke('files.start', { browseId: b.id, paths: ['/etc'], output: { kind: 'zip' } } as never), (e) => isRestoreError(e, 'BAD_ARGUMENTS'));
    await assert.rejects(service.invoke('files.start', { browseId: b.id, paths: ['/etc'], output: { kind: 'tar', path: '/tmp/x' } } as never), (e) => isRestoreError(e, 'BAD_ARGUMENTS'));
    await service.invoke('files.close', { browseId: b.id });
    assert.equal(closed(), 1);
    await assert.rejects(service.invoke('files.list', { browseId: b.id, path: '/' }), (e) => isRestoreError(e, 'INVALID_STATE'));
  } finally {
    await service.close();
  }
});

test('files jobs write a zip, a folder and one file, with progress and a summary', async () => {
  const { service, events, sourceId, dir } = await setup();
  try {
    const b = await service.invoke('files.open', { sourceId, snapshot, archive: 'root.pxar' });
    const zip = join(dir, 'etc.zip');
    const job = await service.invoke('files.start', { browseId: b.id, paths: ['/etc'], output: { kind: 'zip', path: zip } });
    assert.equal(job.state, 'running');
    const end = await events.waitFor('filesJob', (j) => j.id === job.id && final(j));
    assert.equal(end.state, 'partial');
    assert.equal(end.summary?.files, 3);
    assert.deepEqual(end.summary?.skipped.map((s) => [s.path, s.code]), [['/etc/initctl', 'SPECIAL_FILE']]);
    const progress = events.of('filesProgress', (p) => p.jobId === job.id);
    assert.ok(progress.length > 0);
    const last = progress.at(-1)!.progress;
    assert.equal(last.bytes, 20 + Buffer.byteLength('Grüße\n') * 50_000);
    assert.equal(last.totalBytes, last.bytes);
    assert.deepEqual((await pyZip(zip)).map((e) => e.name), ['etc/', 'etc/hosts', 'etc/motd']);
    assert.ok(events.of('log').some((l) => l.jobId === job.id && l.level === 'warn' && /initctl/.test(l.message)));

    const out = join(dir, 'out');
    const x = await service.invoke('files.start', { browseId: b.id, paths: ['/etc/hosts', '/Grüße.txt'], output: { kind: 'folder', path: out } });
    assert.equal((await events.waitFor('filesJob', (j) => j.id === x.id && final(j))).state, 'succeeded');
    assert.deepEqual((await readdir(out)).sort(), ['Grüße.txt', 'hosts']);

    await writeFile(join(dir, 'hosts'), 'mine');
    const f = await service.invoke('files.start', { browseId: b.id, paths: ['/etc/hosts'], output: { kind: 'file', path: join(dir, 'hosts') } });
    const fe = await events.waitFor('filesJob', (j) => j.id === f.id && final(j));
    assert.equal(fe.state, 'failed');
    assert.equal(fe.error?.code, 'TARGET_EXISTS');
    assert.equal(await readFile(join(dir, 'hosts'), 'utf8'), 'mine');
    const jobs = await service.invoke('files.jobs', {});
    assert.deepEqual(jobs.map((j) => j.id), [f.id, x.id, job.id]);
  } finally {
    await service.close();
  }
});

test('cancel stops a files job; the archive stays open until the job ended', async () => {
  const { service, events, sourceId, dir, tree, closed } = await setup();
  const gate = new Gate();
  tree.onPiece = () => gate.pass();
  try {
    const b = await service.invoke('files.open', { sourceId, snapshot, archive: 'root.pxar' });
    gate.hold();
    const job = await service.invoke('files.start', { browseId: b.id, paths: ['/etc'], output: { kind: 'zip', path: join(dir, 'c.zip') } });
    await gate.whenWaiting(1);
    await assert.rejects(service.invoke('sources.remove', { id: sourceId }), (e) => isRestoreError(e, 'INVALID_STATE'));
    await service.invoke('files.close', { browseId: b.id });
    assert.equal(closed(), 0, 'a job still reads from it');
    assert.equal((await service.invoke('files.cancel', { id: job.id })).state, 'cancelling');
    gate.release();
    const end = await events.waitFor('filesJob', (j) => j.id === job.id && final(j));
    assert.equal(end.state, 'cancelled');
    assert.equal(end.error?.code, 'CANCELLED');
    assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.zip') || n.endsWith('.tmp')), []);
    assert.equal(closed(), 1);
    await assert.rejects(service.invoke('files.cancel', { id: job.id }), (e) => isRestoreError(e, 'INVALID_STATE'));
    // With no job reading, removing the source closes what is open of it.
    const again = await service.invoke('files.open', { sourceId, snapshot, archive: 'root.pxar' });
    await service.invoke('sources.remove', { id: sourceId });
    assert.equal(closed(), 2);
    await assert.rejects(service.invoke('files.list', { browseId: again.id, path: '/' }), (e) => isRestoreError(e, 'INVALID_STATE'));
  } finally {
    gate.release();
    await service.close();
  }
});

test('browser mode: a download is streamed once, with the token, as a zip or the file itself', async () => {
  const { service, events, sourceId, dir } = await setup();
  const server = await startHttpServer({ service, staticDir: dir });
  try {
    const b = await service.invoke('files.open', { sourceId, snapshot, archive: 'root.pxar' });
    const job = await service.invoke('files.start', { browseId: b.id, paths: ['/etc'], output: { kind: 'download' } });
    assert.equal(job.state, 'waiting');
    assert.deepEqual(job.download, { path: `/api/files/download/${job.id}`, name: 'etc.zip' });
    // The whole archive is named after it, as the page names it (it was root.zip here, root-files.zip there).
    const whole = await service.invoke('files.start', { browseId: b.id, paths: ['/'], output: { kind: 'download' } });
    assert.equal(whole.download!.name, 'root-files.zip');
    await service.invoke('files.cancel', { id: whole.id });
    const url = `${server.origin}${job.download!.path}`;
    assert.equal((await fetch(url)).status, 401);
    const res = await fetch(`${url}?token=${server.token}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="etc.zip"; filename*=UTF-8''etc.zip`);
    assert.ok(res.headers.get('content-security-policy'));
    const zip = join(dir, 'dl.zip');
    await writeFile(zip, Buffer.from(await res.arrayBuffer()));
    assert.deepEqual((await pyZip(zip)).map((e) => e.name), ['etc/', 'etc/hosts', 'etc/motd']);
    assert.equal((await events.waitFor('filesJob', (j) => j.id === job.id && final(j))).state, 'partial');
    const again = await fetch(`${url}?token=${server.token}`);
    assert.equal(again.status, 404);

    const one = await service.invoke('files.start', { browseId: b.id, paths: ['/Grüße.txt'], output: { kind: 'download' } });
    const r1 = await fetch(`${server.origin}${one.download!.path}`, { headers: { authorization: `Bearer ${server.token}` } });
    assert.equal(r1.headers.get('content-disposition'), `attachment; filename="Gr__e.txt"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt`);
    assert.equal(r1.headers.get('content-length'), '13');
    assert.equal(await r1.text(), 'unicode name\n');
    assert.equal((await fetch(`${server.origin}/api/files/download/..%2F..%2Fetc?token=${server.token}`)).status, 400);
  } finally {
    await server.close();
    await service.close();
  }
});

test("a disk image's layout notes (a damaged primary GPT) come with the opened archive", async () => {
  const demo = await smallDemo();
  const a = demo.archives.find((x) => x.id === '100' && x.archive === 'drive-scsi0.img.fidx')!;
  const snap = { ns: a.ns, type: a.type, id: a.id, time: a.time };
  const service = await RestoreService.create({ dataDir: join(await tempDir('rc-svc-gpt-'), 'data'), demo: false, datastores: [demo.dir] });
  try {
    const sourceId = (await service.invoke('sources.list', {}))[0]!.id;
    const intact = await service.invoke('files.open', { sourceId, snapshot: snap, archive: 'drive-scsi0.img' });
    assert.equal(intact.warnings, undefined);
    await service.invoke('files.close', { browseId: intact.id });
    await damagePrimaryGpt(demo, a);
    const b = await service.invoke('files.open', { sourceId, snapshot: snap, archive: 'drive-scsi0.img' });
    assert.equal(b.warnings?.length, 1);
    assert.match(b.warnings![0]!, /^the primary GPT is damaged \(.*\); using the backup copy at the end of the disk$/);
    assert.deepEqual((await service.invoke('files.list', { browseId: b.id, path: '/' })).map((e) => e.name), ['part1', 'part2']);
    await service.invoke('files.close', { browseId: b.id });
  } finally {
    await service.close();
  }
});
