// Restores and listings from a live PBS server (the test server over TLS loopback): bit-exact by
// SHA-256 with an API token and with a password ticket, encrypted and in a namespace, and listings
// equal to what LocalDatastore reads from the same directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalDatastore } from '../../electron/source/localDatastore.ts';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { loadKeyForTest } from '../helpers/key.ts';
import { dataChunks, PASSWORD, remoteSetup, restoreVia, USER_ID } from './setup.ts';

const r = await remoteSetup();
const { demo } = r;
const srv = await r.server();
const local = await LocalDatastore.open(demo.dir);
const crypt = await loadKeyForTest(demo.keyFile, demo.keyPassword);
/** As the values cross IPC or JSON: LocalDatastore.listGroups keeps `comment: undefined` keys. */
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v));

test('every demo archive restores bit-exact with an API token', async () => {
  const source = await r.connect(srv);
  const before = srv.stats.chunkRequests;
  let fetched = 0;
  for (const a of demo.archives) {
    const { summary, exact } = await restoreVia(source, a, r.out, a.encrypted ? { crypt } : {});
    assert.equal(summary.status, 'succeeded', `${a.type}/${a.id} ${a.archive}: ${JSON.stringify(summary.error)}`);
    assert.ok(exact, `${a.type}/${a.id} ${a.archive} differs from the backed-up image`);
    assert.equal(summary.chunks, a.chunks);
    assert.equal(summary.zeroChunks, a.zeroChunks);
    fetched += dataChunks(a);
  }
  // Zero chunks never cross the network; other chunks at most once each (repeats may be shared).
  const requested = srv.stats.chunkRequests - before;
  assert.ok(requested > 0 && requested <= fetched, `${requested} chunk requests for ${fetched} non-zero chunks`);
  assert.equal(srv.stats.refusedChunks, 0);
  assert.ok(demo.archives.some((a) => a.encrypted) && demo.archives.some((a) => a.ns !== ''));
});

test('a user with a password restores bit-exact through a ticket', async () => {
  const logins = srv.auth.logins;
  const source = await r.connect(srv, { authId: USER_ID, secret: PASSWORD });
  assert.equal(srv.auth.logins, logins + 1);
  const a = demo.archives.find((x) => !x.encrypted && x.ns === '' && dataChunks(x) >= 8)!;
  const { summary, exact } = await restoreVia(source, a, r.out, { concurrency: 4 });
  assert.equal(summary.status, 'succeeded', JSON.stringify(summary.error));
  assert.ok(exact);
});

test('an encrypted snapshot restores bit-exact with its key, and fails without it', async () => {
  const source = await r.connect(srv);
  const a = demo.archives.find((x) => x.encrypted)!;
  const { summary, exact } = await restoreVia(source, a, r.out, { crypt });
  assert.equal(summary.status, 'succeeded', JSON.stringify(summary.error));
  assert.ok(exact);
  await assert.rejects(restoreVia(source, a, r.out), { code: 'MISSING_KEY' });
});

test('a snapshot in a namespace restores bit-exact', async () => {
  const source = await r.connect(srv, { authId: USER_ID, secret: PASSWORD });
  const a = demo.archives.find((x) => x.ns !== '')!;
  const { summary, exact } = await restoreVia(source, a, r.out);
  assert.equal(summary.status, 'succeeded', JSON.stringify(summary.error));
  assert.ok(exact);
});

test('listings through the API equal what LocalDatastore reads from the same directory', async () => {
  const source = await r.connect(srv);
  assert.deepEqual(await source.listDatastores(), [{ store: srv.store, comment: 'restore-console test datastore' }]);
  const namespaces = await local.listNamespaces('');
  assert.deepEqual(await source.listNamespaces(''), namespaces);
  assert.ok(namespaces.length >= 3, `namespaces: ${namespaces.join(', ')}`);
  assert.deepEqual(await source.listNamespaces('lab'), await local.listNamespaces('lab'));
  for (const ns of namespaces) {
    assert.deepEqual(await source.listGroups(ns), plain(await local.listGroups(ns)), `groups of "${ns}"`);
    assert.deepEqual(await source.listSnapshots(ns), await local.listSnapshots(ns), `snapshots of "${ns}"`);
  }
  assert.deepEqual(await source.listSnapshots('', { type: 'vm', id: '101' }), await local.listSnapshots('', { type: 'vm', id: '101' }));

  // An unfinished backup (no manifest yet) is listed by PBS but cannot be restored: both sources skip it.
  const a = demo.archives[0]!;
  const unfinished = join(demo.dir, a.type, a.id, backupTimeName(a.time + 86400 * 30));
  await mkdir(unfinished);
  await writeFile(join(unfinished, a.archive), '');
  const remote = await source.listSnapshots('');
  assert.deepEqual(remote, await local.listSnapshots(''));
  assert.ok(!remote.some((s) => s.backupTime === a.time + 86400 * 30));
});

test('a slow link (per-chunk latency, a bandwidth throttle) changes nothing in the result', async () => {
  const slow = await r.server({ latencyMs: 5, throttleBytesPerSec: 64 * 1024 * 1024 });
  const source = await r.connect(slow);
  const a = demo.archives.find((x) => !x.encrypted && dataChunks(x) >= 8)!;
  const { summary, exact } = await restoreVia(source, a, r.out, { concurrency: 8 });
  assert.equal(summary.status, 'succeeded', JSON.stringify(summary.error));
  assert.ok(exact);
  assert.equal(slow.stats.sessions, 1);
});
