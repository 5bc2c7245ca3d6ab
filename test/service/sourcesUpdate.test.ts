// Editing a saved source (sources.update) against the PBS test server: the arguments are checked,
// a wrong port is refused with words that name the port tried, the right one saves in place (same
// id, the secret kept and never returned or logged), and a server whose certificate changed is
// trusted again by pinning the fingerprint it presents now.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { RestoreService } from '../../electron/service/service.ts';
import { validateCall } from '../../electron/service/schema.ts';
import { explainError } from '../../shared/errorText.ts';
import type { ContractError } from '../../shared/errors.ts';
import { smallDemo } from '../helpers/demo.ts';
import { tempDir } from '../helpers/tmp.ts';
import { startPbsTestServer } from '../pbsServer/server.ts';

const demo = await smallDemo();
const TOKEN = 'restore@pbs!console';
const SECRET = '5d2e8a41-7c3b-4f9e-a0d6-1b8c2e4f6a90';
const server = await startPbsTestServer({ datastore: demo.dir, tokens: { [TOKEN]: SECRET } });
after(() => server.close());

/** A port nothing listens on (taken, then given back). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

const refusal = (p: Promise<unknown>): Promise<ContractError> =>
  p.then(
    () => assert.fail('accepted'),
    (e: ContractError) => e,
  );

test('sources.update: its arguments are checked like sources.add', () => {
  const config = { kind: 'pbs', host: 'h', datastore: 'd', authId: 'a@pbs!t' };
  assert.deepEqual(validateCall('sources.update', { id: 's', config, label: 'x' }), { id: 's', config, label: 'x' });
  for (const [args, why] of [
    [{ config }, /id: required/],
    [{ id: 's' }, /config: required/],
    [{ id: 's', config: { ...config, port: 0 } }, /port/],
    [{ id: 's', config: { ...config, secret: 5 } }, /secret/],
    [{ id: 's', config: { ...config, fingerprint: 'x'.repeat(200) } }, /fingerprint/],
    [{ id: 's', config, label: '' }, /label/],
    [{ id: 's', config, extra: true }, /extra: unknown field/],
    [{ id: 's', config: { kind: 'nfs', path: '/x' } }, /config\.kind/],
  ] as const) {
    assert.throws(() => validateCall('sources.update', args), (e: ContractError) => e.code === 'BAD_ARGUMENTS' && why.test(e.message));
  }
});

test('sources.update: a new port, a wrong one named in the words, a changed certificate trusted again', { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  const s = await RestoreService.create({ dataDir: dir, demo: false });
  try {
    const logs: string[] = [];
    s.on('log', (e) => logs.push(e.message));
    const base = { kind: 'pbs' as const, host: '127.0.0.1', datastore: server.store, authId: TOKEN, fingerprint: server.fingerprint };
    const src = await s.invoke('sources.add', { config: { ...base, port: server.port, secret: SECRET } });
    assert.match(src.label, new RegExp(`:${server.port}$`));

    // A port nothing listens on: refused, nothing saved, and the words name that port.
    const wrong = await closedPort();
    const e = await refusal(s.invoke('sources.update', { id: src.id, config: { ...base, port: wrong } }));
    assert.equal(e.code, 'CONNECTION_FAILED');
    assert.equal(explainError(e).next, `Check the host name, the port (${wrong}) and the network.`);
    assert.equal(((await s.invoke('sources.list', {}))[0]!.config as { port?: number }).port, server.port);

    // Kind changes and a duplicate of another source are refused.
    await assert.rejects(s.invoke('sources.update', { id: src.id, config: { kind: 'datastore', path: demo.dir } }), { code: 'INVALID_STATE' });
    const empty = await tempDir();
    await mkdir(join(empty, '.chunks'));
    const local = await s.invoke('sources.add', { config: { kind: 'datastore', path: empty } });
    await s.invoke('sources.add', { config: { kind: 'datastore', path: demo.dir } });
    await assert.rejects(s.invoke('sources.update', { id: local.id, config: { kind: 'datastore', path: join(demo.dir, '.') } }), { code: 'INVALID_STATE' });

    // The server comes back on another port with a renewed certificate.
    await server.close();
    const renewed = await startPbsTestServer({ datastore: demo.dir, tokens: { [TOKEN]: SECRET }, certificate: 'renewed' });
    try {
      assert.notEqual(renewed.fingerprint, server.fingerprint);
      // The new port, no secret given: the known one is used; the pinned certificate is not the one presented.
      const changed = await refusal(s.invoke('sources.update', { id: src.id, config: { ...base, port: renewed.port } }));
      assert.equal(changed.code, 'TLS_FINGERPRINT_MISMATCH');
      assert.equal(changed.fingerprint, renewed.fingerprint);
      // Trusting it: the same call with the fingerprint presented. Same id; the default label follows the port.
      const updated = await s.invoke('sources.update', { id: src.id, config: { ...base, port: renewed.port, fingerprint: changed.fingerprint! } });
      assert.equal(updated.id, src.id);
      assert.equal(updated.secret, 'session');
      assert.equal((updated.config as { fingerprint?: string }).fingerprint, renewed.fingerprint);
      assert.match(updated.label, new RegExp(`:${renewed.port}$`));
      assert.equal((updated.config as Record<string, unknown>).secret, undefined);
      assert.deepEqual(await s.invoke('catalog.namespaces', { sourceId: src.id }), ['', 'infra', 'lab', 'lab/staging']);

      // A label given is kept; a wrong secret is refused and the right one stays in use.
      const named = await s.invoke('sources.update', { id: src.id, config: { ...base, port: renewed.port, fingerprint: renewed.fingerprint }, label: 'office pbs' });
      assert.equal(named.label, 'office pbs');
      await assert.rejects(s.invoke('sources.update', { id: src.id, config: { ...base, port: renewed.port, fingerprint: renewed.fingerprint, secret: 'wrong' } }), { code: 'AUTH_FAILED' });
      assert.equal((await s.invoke('catalog.groups', { sourceId: src.id, ns: '' })).length > 0, true);
    } finally {
      await renewed.close();
    }
    const onDisk = await readFile(join(dir, 'sources.json'), 'utf8');
    assert.ok(!onDisk.includes(SECRET), 'the secret was written to disk');
    assert.ok(!logs.join('\n').includes(SECRET), 'the secret reached the log');
    assert.ok(logs.some((l) => l.includes('source office pbs changed')), logs.join('\n'));
  } finally {
    await s.close();
  }
});
