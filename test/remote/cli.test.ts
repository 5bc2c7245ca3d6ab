// The CLI against a live PBS server: `list`, `restore` and `verify` with --repository or
// PBS_REPOSITORY, PBS_PASSWORD and PBS_FINGERPRINT / --fingerprint, as proxmox-backup-client reads
// them. Results are bit-exact, listings equal the datastore-directory ones, failures carry their
// code, and no secret ever reaches stdout or stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { backupTimeName } from '../../electron/pbs/names.ts';
import type { DemoArchive } from '../../electron/demo/demoDatastore.ts';
import { lastJson, runCli, type CliResult } from '../helpers/cli.ts';
import { sha256File } from '../helpers/tmp.ts';
import { PASSWORD, remoteSetup, TOKEN_ID, TOKEN_SECRET, USER_ID } from './setup.ts';

const r = await remoteSetup();
const { demo } = r;
const srv = await r.server();
const userRepo = `${USER_ID}@127.0.0.1:${srv.port}:${srv.store}`;
const tokenRepo = `${TOKEN_ID}@127.0.0.1:${srv.port}:${srv.store}`;
// Only what the tests set: a PBS_* variable of the developer's shell must not leak in.
const clean = { PBS_REPOSITORY: '', PBS_PASSWORD: '', PBS_FINGERPRINT: '', PBS_ENCRYPTION_PASSWORD: demo.keyPassword };
let n = 0;

function snapshotArgs(a: DemoArchive): string[] {
  return ['--snapshot', `${a.type}/${a.id}/${backupTimeName(a.time)}`, ...(a.ns ? ['--ns', a.ns] : []), '--archive', a.archive.replace(/\.fidx$/, ''), ...(a.encrypted ? ['--keyfile', demo.keyFile] : [])];
}

function noSecrets(res: CliResult): void {
  for (const s of [PASSWORD, TOKEN_SECRET]) assert.ok(!res.stdout.includes(s) && !res.stderr.includes(s), 'a secret was printed');
}

test('list --repository with PBS_PASSWORD and PBS_FINGERPRINT prints what list --datastore prints', async () => {
  const remote = await runCli(['list', '--repository', userRepo, '--json'], { ...clean, PBS_PASSWORD: PASSWORD, PBS_FINGERPRINT: srv.fingerprint });
  assert.equal(remote.code, 0, remote.stderr);
  noSecrets(remote);
  const local = await runCli(['list', '--datastore', demo.dir, '--json'], clean);
  assert.equal(local.code, 0, local.stderr);
  assert.deepEqual(JSON.parse(remote.stdout), JSON.parse(local.stdout));
  const table = await runCli(['list', '--repository', tokenRepo, '--ns', 'lab', '--fingerprint', srv.fingerprint.toUpperCase()], { ...clean, PBS_PASSWORD: TOKEN_SECRET });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^NAMESPACE +SNAPSHOT/);
  assert.ok(table.stdout.trim().split('\n').slice(1).every((l) => l.startsWith('lab ')), table.stdout);
});

test('restore --repository is bit-exact, for a plain, an encrypted and a namespaced archive', async () => {
  const picks = [demo.archives.find((a) => !a.encrypted && a.ns === '')!, demo.archives.find((a) => a.encrypted)!, demo.archives.find((a) => a.ns !== '')!];
  for (const a of picks) {
    const target = join(r.out, `cli-${++n}.raw`);
    const res = await runCli(['restore', '--repository', tokenRepo, ...snapshotArgs(a), '--target', target, '--json'], { ...clean, PBS_PASSWORD: TOKEN_SECRET, PBS_FINGERPRINT: srv.fingerprint });
    assert.equal(res.code, 0, `${a.type}/${a.id}: ${res.stderr}`);
    noSecrets(res);
    const s = lastJson(res.stdout);
    assert.equal(s.status, 'succeeded');
    assert.equal(s.bytes, a.size);
    assert.equal(await sha256File(target), a.sha256);
  }
});

test('PBS_REPOSITORY stands in for --repository; verify works the same way', async () => {
  const a = demo.archives.find((x) => !x.encrypted && x.ns === '')!;
  const res = await runCli(['verify', ...snapshotArgs(a), '--json'], { ...clean, PBS_REPOSITORY: userRepo, PBS_PASSWORD: PASSWORD, PBS_FINGERPRINT: srv.fingerprint });
  assert.equal(res.code, 0, res.stderr);
  const s = lastJson(res.stdout);
  assert.equal(s.status, 'succeeded');
  assert.equal(s.mode, 'verify');
  assert.equal(s.bytes, a.size);
});

test('failures through the CLI: wrong fingerprint, bad password, missing password, unknown snapshot, both sources', async () => {
  const a = demo.archives.find((x) => !x.encrypted && x.ns === '')!;
  const wrongFp = await runCli(['list', '--repository', userRepo, '--fingerprint', `${'12:'.repeat(31)}12`], { ...clean, PBS_PASSWORD: PASSWORD });
  assert.equal(wrongFp.code, 1);
  assert.match(wrongFp.stderr, /^restore-console: error \[TLS_FINGERPRINT_MISMATCH\]: /);
  assert.ok(wrongFp.stderr.includes(`--fingerprint ${srv.fingerprint}`), wrongFp.stderr);

  const badPw = await runCli(['restore', '--repository', userRepo, ...snapshotArgs(a), '--target', join(r.out, `cli-${++n}.raw`), '--json'], { ...clean, PBS_PASSWORD: `${PASSWORD}!`, PBS_FINGERPRINT: srv.fingerprint });
  assert.equal(badPw.code, 1);
  assert.match(badPw.stderr, /\[AUTH_FAILED\]/);
  assert.equal((lastJson(badPw.stdout).error as { code: string }).code, 'AUTH_FAILED');
  noSecrets(badPw);
  assert.ok(!badPw.stderr.includes(`${PASSWORD}!`));

  const noPw = await runCli(['list', '--repository', userRepo], { ...clean, PBS_FINGERPRINT: srv.fingerprint });
  assert.equal(noPw.code, 1);
  assert.match(noPw.stderr, /\[AUTH_FAILED\]: no password for admin@pbs: set PBS_PASSWORD/);

  const missing = await runCli(['restore', '--repository', tokenRepo, ...snapshotArgs({ ...a, time: a.time + 1 }), '--target', join(r.out, `cli-${++n}.raw`)], { ...clean, PBS_PASSWORD: TOKEN_SECRET, PBS_FINGERPRINT: srv.fingerprint });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\[SNAPSHOT_NOT_FOUND\]/);

  const both = await runCli(['list', '--repository', tokenRepo, '--datastore', demo.dir], clean);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /\[USAGE\]: give either --datastore or --repository/);
  const none = await runCli(['list'], clean);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /PBS_REPOSITORY/);
});
