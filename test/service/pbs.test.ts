// A PBS server as a service source, against the PBS test server: trust on first use (the
// fingerprint comes back with the refusal), then catalog and a restore through the service.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RestoreService } from '../../electron/service/service.ts';
import { smallDemo } from '../helpers/demo.ts';
import { EventRecorder } from '../helpers/events.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';
import { startPbsTestServer } from '../pbsServer/server.ts';
import { archiveOf, sel } from './scenarios.ts';

const demo = await smallDemo();
const TOKEN = 'restore@pbs!console';
const SECRET = '0b7a4c55-9e3d-2f4a-6b8c-0d1e8d1f6c2e';
const server = await startPbsTestServer({ datastore: demo.dir, tokens: { [TOKEN]: SECRET } });
after(() => server.close());

test('adds a PBS server after trusting its fingerprint, lists it and restores from it', { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  const s = await RestoreService.create({ dataDir: dir, demo: false });
  try {
    assert.equal((await s.invoke('app.info', {})).pbs, true);
    const config = { kind: 'pbs' as const, host: '127.0.0.1', port: server.port, datastore: server.store, authId: TOKEN, secret: SECRET };
    const refused = await s.invoke('sources.test', { config }).then(
      () => assert.fail('an unpinned self-signed certificate was accepted'),
      (e: { code: string; fingerprint?: string }) => e,
    );
    assert.equal(refused.code, 'TLS_FINGERPRINT_MISMATCH');
    assert.equal(refused.fingerprint, server.fingerprint);

    await assert.rejects(s.invoke('sources.add', { config: { ...config, fingerprint: server.fingerprint, secret: 'wrong-secret' } }), { code: 'AUTH_FAILED' });
    const src = await s.invoke('sources.add', { config: { ...config, fingerprint: server.fingerprint } });
    assert.equal(src.secret, 'session');
    assert.equal((src.config as { fingerprint?: string }).fingerprint, server.fingerprint);
    assert.deepEqual((await s.invoke('catalog.datastores', { sourceId: src.id })).map((d) => d.name), [server.store]);
    assert.deepEqual(await s.invoke('catalog.namespaces', { sourceId: src.id }), ['', 'infra', 'lab', 'lab/staging']);

    const a = archiveOf(demo, 'vm', '100', 'drive-scsi0.img.fidx');
    const detail = await s.invoke('catalog.snapshot', { sourceId: src.id, snapshot: sel(a) });
    assert.match(detail.config?.text ?? '', /^name: web01$/m);
    const events = new EventRecorder(s);
    const target = join(dir, 'web.raw');
    const job = await s.invoke('jobs.start', { mode: 'restore', sourceId: src.id, snapshot: sel(a), archive: a.archive, target, concurrency: 4 });
    const final = await events.finalJob(job.id);
    assert.equal(final.state, 'succeeded', final.message);
    assert.equal(await sha256File(target), a.sha256);
  } finally {
    await s.close();
  }
});
