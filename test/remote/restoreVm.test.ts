// A whole VM from a live PBS server (the test server over TLS loopback): both disks of the demo's
// two-disk VM in one job, bit-exact and sparse, the guest config equal to the backup's, all from
// one reader session (every index downloaded in it, so no chunk is refused); the same through the
// CLI with --repository; an encrypted VM with its key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareSnapshotRestore } from '../../electron/engine/snapshotRestore.ts';
import { loadKeyForTest } from '../helpers/key.ts';
import { lastJson, runCli } from '../helpers/cli.ts';
import { demoVm } from '../helpers/demo.ts';
import { sha256File } from '../helpers/tmp.ts';
import { releaseHeld } from '../pbsServer/hostile.ts';
import { refOf, remoteSetup, TOKEN_ID, TOKEN_SECRET } from './setup.ts';

const r = await remoteSetup();
const { demo } = r;
const srv = await r.server();
const vm = await demoVm(demo, 'vm', '102');
let n = 0;

async function folder(): Promise<string> {
  const d = join(r.out, `vm-${++n}`);
  await mkdir(d);
  return d;
}

test('both disks of a VM restore in one job from one reader session, bit-exact and sparse, with the config', async () => {
  const source = await r.connect(srv);
  const dir = await folder();
  const sessions = srv.stats.sessions;
  const job = await prepareSnapshotRestore({ source, ref: refOf(vm.disks[0]!), mode: 'restore', disks: 'all', dir, concurrency: 8 });
  const s = await job.run();
  assert.equal(s.status, 'succeeded', JSON.stringify(s.error));
  assert.equal(srv.stats.sessions - sessions, 1, 'one reader session for every disk');
  assert.equal(srv.stats.refusedChunks, 0);
  assert.deepEqual(s.archives?.map((a) => [a.archive, a.status]), vm.disks.map((d) => [d.archive, 'succeeded']));
  for (const d of vm.disks) {
    const path = join(dir, d.archive.replace('.img.fidx', '.raw'));
    assert.equal(await sha256File(path), d.sha256, `${d.archive} differs`);
    const st = await stat(path);
    if (d.zeroChunks >= 4) assert.ok(st.blocks * 512 <= d.size - (d.zeroChunks * d.chunkSize) / 2, `${path} is not sparse`);
  }
  assert.equal(s.config, join(dir, 'qemu-server.conf'));
  assert.equal(await readFile(s.config, 'utf8'), vm.configText);
});

test('an encrypted VM restores with its key; the config is decoded with it', async () => {
  const source = await r.connect(srv);
  const enc = await demoVm(demo, 'vm', '101');
  const crypt = await loadKeyForTest(demo.keyFile, demo.keyPassword);
  const dir = await folder();
  const s = await (await prepareSnapshotRestore({ source, ref: refOf(enc.disks[0]!), mode: 'restore', disks: 'all', dir, crypt })).run();
  assert.equal(s.status, 'succeeded', JSON.stringify(s.error));
  assert.equal(await sha256File(join(dir, 'drive-scsi0.raw')), enc.disks[0]!.sha256);
  assert.equal(await readFile(join(dir, 'qemu-server.conf'), 'utf8'), enc.configText);
  await assert.rejects(prepareSnapshotRestore({ source, ref: refOf(enc.disks[0]!), mode: 'restore', disks: 'all', dir: await folder() }), { code: 'MISSING_KEY' });
});

test('the CLI with --repository: restore --all --target-dir and verify --all', async () => {
  const repo = `${TOKEN_ID}@127.0.0.1:${srv.port}:${srv.store}`;
  const env = { PBS_REPOSITORY: '', PBS_PASSWORD: TOKEN_SECRET, PBS_FINGERPRINT: srv.fingerprint };
  const dir = await folder();
  const res = await runCli(['restore', '--repository', repo, '--snapshot', vm.snapshot, '--all', '--target-dir', dir, '--json'], env);
  assert.equal(res.code, 0, res.stderr);
  const s = lastJson(res.stdout);
  assert.equal(s.config, join(dir, 'qemu-server.conf'));
  for (const d of vm.disks) assert.equal(await sha256File(join(dir, d.archive.replace('.img.fidx', '.raw'))), d.sha256);
  assert.equal(await readFile(join(dir, 'qemu-server.conf'), 'utf8'), vm.configText);
  const v = await runCli(['verify', '--repository', repo, '--snapshot', vm.snapshot, '--all', '--json'], env);
  assert.equal(v.code, 0, v.stderr);
  assert.deepEqual((lastJson(v.stdout).archives as Array<{ status: string }>).map((a) => a.status), ['succeeded', 'succeeded']);
});

test('the CLI whole-VM form: a server that stops sending is "stalled", --stall-timeout fails it with STALLED, and --resume then finishes it', { timeout: 120_000 }, async () => {
  const held = await r.server({ hostile: { chunk: 'hold' } });
  const repo = `${TOKEN_ID}@127.0.0.1:${held.port}:${held.store}`;
  const env = { PBS_REPOSITORY: '', PBS_PASSWORD: TOKEN_SECRET, PBS_FINGERPRINT: held.fingerprint };
  const dir = await folder();
  // No chunk is answered: a timeout shorter than the 10 s stall threshold stalls and fails at once.
  const res = await runCli(['restore', '--repository', repo, '--snapshot', vm.snapshot, '--all', '--target-dir', dir, '--stall-timeout', '1', '--json'], env);
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, /stalled: no data from the source since/);
  assert.match(res.stderr, /giving up \(stall timeout\)/);
  const s = lastJson(res.stdout);
  assert.equal(s.status, 'failed');
  assert.equal((s.error as { code: string }).code, 'STALLED');
  releaseHeld(held.hostile);
  const again = await runCli(['restore', '--repository', repo, '--snapshot', vm.snapshot, '--all', '--target-dir', dir, '--resume', '--json'], env);
  assert.equal(again.code, 0, again.stderr);
  for (const d of vm.disks) assert.equal(await sha256File(join(dir, d.archive.replace('.img.fidx', '.raw'))), d.sha256);
  await held.close();
});
