// Every archive of the demo datastore restored through the CLI, bit-exact by SHA-256 and sparse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalDatastore } from '../../electron/source/localDatastore.ts';
import { prepareRestore } from '../../electron/engine/restoreJob.ts';
import { loadKeyForTest } from '../helpers/key.ts';
import { lastJson, runCli } from '../helpers/cli.ts';
import { selectors, smallDemo } from '../helpers/demo.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';
import type { ChunkEvent } from '../../electron/engine/restoreEngine.ts';

const demo = await smallDemo();
const out = await tempDir();
const env = { PBS_ENCRYPTION_PASSWORD: demo.keyPassword };

test('the demo has images with zero chunks, short last chunks and encryption', () => {
  assert.ok(demo.archives.length >= 8);
  assert.ok(demo.archives.some((a) => a.encrypted));
  assert.ok(demo.archives.some((a) => a.size % a.chunkSize !== 0));
  assert.ok(demo.archives.some((a) => a.zeroChunks > 0));
});

for (const concurrency of ['1', '16', 'auto']) {
  test(`CLI restores every demo archive bit-exact with --concurrency ${concurrency}`, async () => {
    for (const a of demo.archives) {
      const target = join(out, `${a.type}-${a.id}-${a.time}-${a.archive}-${concurrency}.raw`);
      const r = await runCli(['restore', ...selectors(demo, a), '--target', target, '--concurrency', concurrency, '--json'], env);
      assert.equal(r.code, 0, `${a.archive} of ${a.type}/${a.id}: ${r.stderr}`);
      // Auto ends with its summary in words (as in the app's job log); a fixed limit says nothing of it.
      if (concurrency === 'auto') assert.match(r.stderr, /^restore-console: auto (settled at \d+ after [\d.]+ s|did not settle before the job ended)/m);
      else assert.doesNotMatch(r.stderr, /restore-console: auto/);
      const s = lastJson(r.stdout);
      assert.equal(s.status, 'succeeded');
      assert.equal(s.bytes, a.size);
      assert.equal(s.chunks, a.chunks);
      assert.equal(s.zeroChunks, a.zeroChunks);
      assert.equal(s.zeroBytes, a.zeroChunks * a.chunkSize);
      assert.equal(await sha256File(target), a.sha256, `${target} differs from the backed-up image`);
      const st = await stat(target);
      assert.equal(st.size, a.size);
      if (a.zeroChunks >= 4) {
        // Zero chunks are holes: allocated space stays below the size by most of the zero bytes.
        assert.ok(st.blocks * 512 <= a.size - (a.zeroChunks * a.chunkSize) / 2, `${target} is not sparse`);
      }
    }
  });
}

test('every demo archive restores bit-exact while the limit changes mid-job', async () => {
  const store = await LocalDatastore.open(demo.dir);
  const crypt = await loadKeyForTest(demo.keyFile, demo.keyPassword);
  for (const a of demo.archives) {
    const target = join(out, `${a.type}-${a.id}-${a.time}-${a.archive}-live.raw`);
    const job = await prepareRestore({
      source: store,
      ref: { ns: a.ns, type: a.type, id: a.id, time: a.time },
      archive: a.archive,
      ...(a.encrypted ? { crypt } : {}),
      target: { path: target },
      concurrency: 2,
    });
    const limits: number[] = [];
    let n = 0;
    job.engine.on('chunk', (e: ChunkEvent) => {
      if (e.state !== 2) return;
      n++;
      // Up after the first chunk, down after the third, up again after the fifth.
      if (n === 1) job.engine.setConcurrency(12);
      if (n === 3) job.engine.setConcurrency(1);
      if (n === 5) job.engine.setConcurrency(7);
      limits.push(job.engine.limit);
    });
    const s = await job.run();
    assert.equal(s.status, 'succeeded', JSON.stringify(s.error));
    assert.equal(await sha256File(target), a.sha256);
    if (a.chunks - a.zeroChunks >= 5) assert.deepEqual([limits[0], limits[2], limits[4]], [12, 1, 7]);
  }
});

test('verify checks an archive without writing; list --json describes the snapshots', async () => {
  const a = demo.archives.find((x) => x.encrypted)!;
  const r = await runCli(['verify', ...selectors(demo, a), '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const s = lastJson(r.stdout);
  assert.equal(s.status, 'succeeded');
  assert.equal(s.mode, 'verify');
  assert.equal(s.bytes, a.size);
  const l = await runCli(['list', '--datastore', demo.dir, '--json']);
  assert.equal(l.code, 0, l.stderr);
  const list = JSON.parse(l.stdout) as Array<Record<string, unknown>>;
  const enc = list.find((x) => x.backupId === a.id && x.backupTime === a.time)!;
  assert.equal(enc.backupType, 'vm');
  assert.equal(enc.ns, a.ns);
  assert.ok((enc.files as Array<{ filename: string; cryptMode: string; size: number }>).some((f) => f.filename === a.archive && f.cryptMode === 'encrypt' && f.size === a.size));
  assert.equal(typeof enc.protected, 'boolean');
  assert.ok(list.some((x) => x.ns === 'lab'));
  const lab = await runCli(['list', '--datastore', demo.dir, '--ns', 'lab', '--json']);
  assert.ok((JSON.parse(lab.stdout) as Array<{ ns: string }>).every((x) => x.ns === 'lab'));
});

test('an existing target is refused without --force and replaced with it', async () => {
  const a = demo.archives[0]!;
  const target = join(out, 'exists.raw');
  const first = await runCli(['restore', ...selectors(demo, a), '--target', target], env);
  assert.equal(first.code, 0, first.stderr);
  const again = await runCli(['restore', ...selectors(demo, a), '--target', target, '--json'], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /\[TARGET_EXISTS\]/);
  const forced = await runCli(['restore', ...selectors(demo, a), '--target', target, '--force'], env);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await sha256File(target), a.sha256);
  await assert.rejects(access(`${target}.partial`));
});
