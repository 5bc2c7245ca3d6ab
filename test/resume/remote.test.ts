// Resume and the rate cap against the PBS test server: a server gone for good (beyond the
// retries) fails the restore with its partial target kept, and a later run against the server
// back (on another port) finishes it bit-exact, fetching only the rest; the real CLI killed with
// SIGKILL while chunks arrive resumes bit-exact; and a --rate cap holds within ±15 % over a window
// measured on the server's own clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareRestore } from '../../electron/engine/restoreJob.ts';
import { zeroChunkDigest } from '../../electron/pbs/dataBlob.ts';
import { digestAt, parseFixedIndex } from '../../electron/pbs/fixedIndex.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { BIN, lastJson, runCli } from '../helpers/cli.ts';
import { sha256File } from '../helpers/tmp.ts';
import { dataChunks, refOf, remoteSetup, TOKEN_ID, TOKEN_SECRET } from '../remote/setup.ts';

const r = await remoteSetup();
const { demo } = r;
const a = demo.archives.filter((x) => !x.encrypted && x.ns === '').sort((x, y) => dataChunks(y) - dataChunks(x))[0]!;
const clean = { PBS_REPOSITORY: '', PBS_PASSWORD: TOKEN_SECRET, PBS_FINGERPRINT: '', XDG_CONFIG_HOME: join(r.out, 'config') };
const exists = (p: string) => access(p).then(() => true, () => false);
let n = 0;

function cliArgs(port: number, store: string, fingerprint: string, target: string): string[] {
  return ['restore', '--repository', `${TOKEN_ID}@127.0.0.1:${port}:${store}`, '--fingerprint', fingerprint, '--snapshot', `${a.type}/${a.id}/${backupTimeName(a.time)}`, '--archive', a.archive, '--target', target];
}

/** Encoded bytes of the distinct non-zero chunks of the archive: what a restore reads. */
async function sourceBytesOf(): Promise<number> {
  const index = parseFixedIndex(await readFile(join(demo.dir, a.type, a.id, backupTimeName(a.time), a.archive)));
  const zero = zeroChunkDigest(index.chunkSize);
  const seen = new Set<string>();
  let total = 0;
  for (let i = 0; i < index.count; i++) {
    const d = digestAt(index, i);
    const hex = toHex(d);
    if (d.equals(zero) || seen.has(hex)) continue;
    seen.add(hex);
    total += (await stat(join(demo.dir, '.chunks', hex.slice(0, 4), hex))).size;
  }
  return total;
}

test('a server gone beyond the retries fails the restore resumably; against the server back, it finishes bit-exact', async () => {
  const first = await r.server({ latencyMs: 5 });
  const target = join(r.out, `gone-${++n}.raw`);
  const job = await prepareRestore({
    source: await r.connect(first),
    ref: refOf(a),
    archive: a.archive,
    target: { path: target },
    concurrency: 2,
    retry: { retries: 2, baseMs: 1, maxMs: 4 },
    recorder: { saveAfterChunks: 2 },
  });
  let served = 0;
  first.events.on('chunk', () => ++served === 12 && void first.close());
  const failed = await job.run();
  assert.equal(failed.status, 'failed');
  assert.ok(['CONNECTION_FAILED', 'SERVER_ERROR', 'TIMEOUT'].includes(failed.error!.code), failed.error!.code);
  assert.equal(failed.partial, true);
  assert.ok(await exists(`${target}.partial.state`));

  const back = await r.server();
  const again = await prepareRestore({ source: await r.connect(back), ref: refOf(a), archive: a.archive, target: { path: target, resume: true }, concurrency: 4 });
  assert.ok((again.target?.resumed?.size ?? 0) > 0, 'nothing recorded before the server went');
  const s = await again.run();
  assert.equal(s.status, 'succeeded', JSON.stringify(s.error));
  assert.equal(await sha256File(target), a.sha256);
  assert.ok((s.resumedBytes ?? 0) > 0);
  assert.ok(back.stats.chunkRequests < dataChunks(a), `${back.stats.chunkRequests} chunks fetched again of ${dataChunks(a)}`);
});

for (const killAt of [4, Math.floor(dataChunks(a) / 2)]) {
  test(`the CLI killed (SIGKILL) after ${killAt} chunk requests resumes bit-exact with --resume`, async () => {
    const srv = await r.server({ latencyMs: 10 });
    const target = join(r.out, `kill-${++n}.raw`);
    const child = spawn(process.execPath, [BIN, ...cliArgs(srv.port, srv.store, srv.fingerprint, target), '--concurrency', '2'], {
      env: { ...process.env, ...clean },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = 0;
    srv.events.on('chunk', () => ++seen === killAt && child.kill('SIGKILL'));
    const [, signal] = (await new Promise((resolve) => child.on('close', (...args) => resolve(args)))) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, 'SIGKILL', 'the restore ended before it was killed');
    assert.equal(await exists(target), false);
    const res = await runCli([...cliArgs(srv.port, srv.store, srv.fingerprint, target), '--resume', '--json'], clean);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(lastJson(res.stdout).status, 'succeeded');
    assert.equal(await sha256File(target), a.sha256);
    assert.equal(await exists(`${target}.partial.state`), false);
  });
}

test('--rate holds the source rate under the cap (+15 %) on the server clock, and near it', async (t) => {
  const total = await sourceBytesOf();
  // About 4 s at the cap, whatever the demo's chunks compress to.
  const rate = Math.round(total / 4);
  const srv = await r.server();
  const target = join(r.out, `rate-${++n}.raw`);
  const res = await runCli([...cliArgs(srv.port, srv.store, srv.fingerprint, target), '--rate', String(rate), '--concurrency', '8', '--json'], clean);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(await sha256File(target), a.sha256);
  const sent = srv.stats.sent;
  assert.ok(sent.length >= 20, `${sent.length} chunks sent`);
  // From the first chunk sent a second in (the CLI's decode workers have started) to the last one.
  const t0 = sent.find((x) => x.at >= sent[0]!.at + 1000)!.at;
  const t1 = sent.at(-1)!.at;
  const bytes = sent.filter((x) => x.at > t0).reduce((s, x) => s + x.bytes, 0);
  const measured = bytes / ((t1 - t0) / 1000);
  t.diagnostic(`cap ${rate} B/s, measured ${measured.toFixed(0)} B/s over ${(t1 - t0).toFixed(0)} ms (${((measured / rate - 1) * 100).toFixed(1)} %)`);
  assert.ok(t1 - t0 >= 1500, `a window of only ${(t1 - t0).toFixed(0)} ms`);
  // The cap is never passed (slowness cannot make that happen). Below it, a loaded machine may not
  // keep up (-26 % seen at a load of 8 on 2 cores), so only a gross under-run fails here (a cap
  // charged twice reads -50 %); the bucket's exactness both ways is tested on a fake clock in
  // rate.test.ts.
  assert.ok(measured / rate - 1 <= 0.15, `measured ${measured.toFixed(0)} B/s against a cap of ${rate} B/s`);
  assert.ok(measured / rate >= 0.6, `measured ${measured.toFixed(0)} B/s, far under the cap of ${rate} B/s`);
});
