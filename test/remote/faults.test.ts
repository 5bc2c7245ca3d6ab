// What goes wrong between a client and a PBS server, and what the client makes of it: dropped
// connections and 5xx are survived (bit-exact results), TLS and credential problems, missing
// snapshots, archives and refused chunks fail with their own codes, stalls time out, aborts stop.
// Every wait is on an event (a server 'chunk' event, a promise), never on a sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestAt, parseFixedIndex } from '../../electron/pbs/fixedIndex.ts';
import { zeroChunkDigest } from '../../electron/pbs/dataBlob.ts';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { RestoreError } from '../../shared/errors.ts';
import { dataChunks, PASSWORD, refOf, remoteSetup, restoreVia, USER_ID } from './setup.ts';

const r = await remoteSetup();
const { demo } = r;
const plain = demo.archives.find((a) => !a.encrypted && a.ns === '' && dataChunks(a) >= 20)!;
const other = demo.archives.find((a) => a !== plain && !a.encrypted && a.time !== plain.time)!;

/** The first non-zero digest of an archive's index. */
async function firstDataDigest(a: typeof plain): Promise<Buffer> {
  const index = parseFixedIndex(await readFile(join(demo.dir, a.type, a.id, backupTimeName(a.time), a.archive)));
  const zero = zeroChunkDigest(index.chunkSize);
  for (let i = 0; i < index.count; i++) if (!digestAt(index, i).equals(zero)) return digestAt(index, i);
  throw new Error('no data chunk');
}

test('a connection dropped mid-restore is re-opened, the index registered again, and the result is bit-exact', async () => {
  const srv = await r.server({ dropAfterChunks: 6 });
  const source = await r.connect(srv);
  const { summary, exact } = await restoreVia(source, plain, r.out, { concurrency: 4 });
  assert.equal(summary.status, 'succeeded', JSON.stringify(summary.error));
  assert.ok(exact);
  assert.equal(srv.stats.sessions, 2, 'a second reader session after the drop');
  // The index was downloaded on both sessions before their chunks, so nothing was refused.
  assert.equal(srv.stats.downloads.filter((d) => d === plain.archive).length, 2);
  assert.equal(srv.stats.refusedChunks, 0);
});

test('5xx answers are retried', async () => {
  const srv = await r.server({ fail5xxChunks: 3 });
  const requested: string[] = [];
  srv.events.on('chunk', (digest: string) => requested.push(digest));
  const source = await r.connect(srv);
  const { summary, exact } = await restoreVia(source, plain, r.out, { concurrency: 8 });
  assert.equal(summary.status, 'succeeded', JSON.stringify(summary.error));
  assert.ok(exact);
  // Each chunk that got a 503 was asked for again later, on the same session.
  for (const d of requested.slice(0, 3)) assert.ok(requested.indexOf(d, 3) > 0, `chunk ${d} was not retried`);
  assert.equal(srv.stats.sessions, 1);
});

test('a 5xx is a transient SERVER_ERROR carrying the server text', async () => {
  const srv = await r.server({ fail5xxChunks: 1 });
  const reader = await (await r.connect(srv)).openSnapshot(refOf(plain));
  await reader.readFile(plain.archive);
  await assert.rejects(reader.readChunk(await firstDataDigest(plain)), (e: RestoreError) => {
    assert.equal(e.code, 'SERVER_ERROR');
    assert.equal(e.transient, true);
    assert.match(e.message, /HTTP 503: service unavailable \(injected by the test server\)/);
    return true;
  });
  await reader.close();
});

test('a wrong fingerprint fails with TLS_FINGERPRINT_MISMATCH and shows the fingerprint seen', async () => {
  const srv = await r.server();
  const wrong = `${'AB:'.repeat(31)}AB`;
  await assert.rejects(r.connect(srv, { fingerprint: wrong }), (e: RestoreError) => {
    assert.ok(e instanceof RestoreError);
    assert.equal(e.code, 'TLS_FINGERPRINT_MISMATCH');
    assert.equal(e.fingerprint, srv.fingerprint);
    assert.ok(e.message.includes(srv.fingerprint), e.message);
    return true;
  });
  // Without a pin, an untrusted (self-signed) certificate fails the same way.
  await assert.rejects(r.connect(srv, { fingerprint: '' }), (e: RestoreError) => e.code === 'TLS_FINGERPRINT_MISMATCH' && e.fingerprint === srv.fingerprint);
  // The pin is compared case-insensitively, as PVE writes it in upper case.
  const ok = await r.connect(srv, { fingerprint: srv.fingerprint.toUpperCase() });
  assert.ok((await ok.listDatastores()).length === 1);
});

test('a certificate that passes normal verification is accepted whatever the pin says', async () => {
  const srv = await r.server();
  const source = await r.connect(srv, { fingerprint: `${'00:'.repeat(31)}00` }, { ca: srv.cert });
  assert.deepEqual((await source.listDatastores()).map((d) => d.store), [srv.store]);
});

test('bad credentials fail with AUTH_FAILED and never show the secret', async () => {
  const srv = await r.server();
  await assert.rejects(r.connect(srv, { secret: 'not-the-secret' }), (e: RestoreError) => e.code === 'AUTH_FAILED' && !e.message.includes('not-the-secret'));
  await assert.rejects(r.connect(srv, { authId: 'nobody@pbs!t', secret: 'x-secret-x' }), (e: RestoreError) => e.code === 'AUTH_FAILED' && !e.message.includes('x-secret-x'));
  await assert.rejects(r.connect(srv, { authId: USER_ID, secret: 'wrong password' }), (e: RestoreError) => e.code === 'AUTH_FAILED' && !e.message.includes('wrong password'));
  const source = await r.connect(srv, { authId: USER_ID, secret: PASSWORD });
  assert.ok(!source.label.includes(PASSWORD) && source.label.includes(USER_ID));
});

test('an unknown snapshot is SNAPSHOT_NOT_FOUND, an unknown archive ARCHIVE_NOT_FOUND, an unknown store DATASTORE_NOT_FOUND', async () => {
  const srv = await r.server();
  const source = await r.connect(srv);
  await assert.rejects(source.openSnapshot({ ...refOf(plain), time: plain.time + 1 }), { code: 'SNAPSHOT_NOT_FOUND' });
  await assert.rejects(source.openSnapshot({ ...refOf(plain), ns: 'nowhere' }), { code: 'SNAPSHOT_NOT_FOUND' });
  const reader = await source.openSnapshot(refOf(plain));
  await assert.rejects(reader.readFile('drive-nope.img.fidx'), { code: 'ARCHIVE_NOT_FOUND' });
  await assert.rejects(reader.readFile('nope.conf.blob'), { code: 'ARCHIVE_NOT_FOUND' });
  await reader.close();
  const elsewhere = await r.connect(srv, { datastore: 'other-store' });
  await assert.rejects(elsewhere.listSnapshots(''), { code: 'DATASTORE_NOT_FOUND' });
  await assert.rejects(elsewhere.openSnapshot(refOf(plain)), { code: 'DATASTORE_NOT_FOUND' });
});

test('a chunk the session may not download is CHUNK_REFUSED', async () => {
  const srv = await r.server();
  const reader = await (await r.connect(srv)).openSnapshot(refOf(plain));
  // Before its index was downloaded in this session, the server refuses (401) even a valid chunk.
  await assert.rejects(reader.readChunk(await firstDataDigest(plain)), (e: RestoreError) => e.code === 'CHUNK_REFUSED' && !e.transient);
  await reader.readFile(plain.archive);
  assert.ok((await reader.readChunk(await firstDataDigest(plain))).length > 0);
  // A chunk of another snapshot's index stays refused.
  const foreign = await firstDataDigest(other);
  const index = parseFixedIndex(await reader.readFile(plain.archive));
  const inPlain = Array.from({ length: index.count }, (_, i) => digestAt(index, i)).some((d) => d.equals(foreign));
  if (!inPlain) await assert.rejects(reader.readChunk(foreign), { code: 'CHUNK_REFUSED' });
  assert.ok(srv.stats.refusedChunks >= 1);
  await reader.close();
});

test('a stalled stream times out as a transient TIMEOUT, and the next request gets a new session', async () => {
  const srv = await r.server({ latencyMs: 600_000 });
  // The server holds every chunk for 10 minutes; only the chunk can stall, not the index download.
  const source = await r.connect(srv, {}, { stallTimeoutMs: 500 });
  const reader = await source.openSnapshot(refOf(plain));
  await reader.readFile(plain.archive);
  await assert.rejects(reader.readChunk(await firstDataDigest(plain)), (e: RestoreError) => e.code === 'TIMEOUT' && e.transient);
  assert.ok((await reader.readFile('index.json.blob')).length > 0);
  assert.ok(srv.stats.sessions >= 2, `${srv.stats.sessions} sessions`);
  // The new session registered the index before anything else.
  assert.deepEqual(srv.stats.downloads.slice(-2), [plain.archive, 'index.json.blob']);
  await reader.close();
});

test('an abort stops a chunk request at once', async () => {
  const srv = await r.server({ latencyMs: 600_000 });
  const reader = await (await r.connect(srv)).openSnapshot(refOf(plain));
  await reader.readFile(plain.archive);
  const ac = new AbortController();
  const arrived = once(srv.events, 'chunk');
  const pending = reader.readChunk(await firstDataDigest(plain), ac.signal);
  await arrived;
  ac.abort(new RestoreError('CANCELLED', 'stopped by the test'));
  await assert.rejects(pending, { code: 'CANCELLED', message: 'stopped by the test' });
  await reader.close();
  await assert.rejects(reader.readChunk(await firstDataDigest(plain)), { code: 'CANCELLED' });
});

test('a ticket is renewed before it expires, and an expired one is replaced by a new login', async () => {
  const srv = await r.server();
  const source = await r.connect(srv, { authId: USER_ID, secret: PASSWORD }, { ticketRenewMs: 0 });
  await source.listGroups('');
  assert.ok(srv.auth.renewals >= 1, 'renewed with the old ticket');
  const slow = await r.connect(srv, { authId: USER_ID, secret: PASSWORD });
  const logins = srv.auth.logins;
  srv.auth.clockSkew = 3 * 3600; // every ticket issued so far is now older than 2 hours
  assert.ok((await slow.listSnapshots('')).length > 0);
  assert.equal(srv.auth.logins, logins + 1, 'logged in again with the password after a 401');
  srv.auth.clockSkew = 0;
});

test('a server that does not answer is a transient CONNECTION_FAILED', async () => {
  const probe = createServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((ok) => probe.close(() => ok()));
  const srv = await r.server();
  await assert.rejects(r.connect({ ...srv, port }), (e: RestoreError) => e.code === 'CONNECTION_FAILED' && e.transient);
});
