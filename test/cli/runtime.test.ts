// The CLI's bundled runtime (scripts/buildRuntime.ts, electron/cli/runtime.mjs): the bundles restore
// bit-exact with their own decode worker, they are used only while no source changed since they
// were built, and the sources stay one environment variable away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildRuntime } from '../../scripts/buildRuntime.ts';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { bundleIsFresh, cliEntry } from '../../electron/cli/runtime.mjs';
import { lastJson, type CliResult } from '../helpers/cli.ts';
import { selectors, smallDemo } from '../helpers/demo.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';

function run(script: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the bundled CLI lists and restores bit-exact with its bundled decode worker', async () => {
  const dir = await tempDir('rc-runtime-');
  const manifest = await buildRuntime(dir);
  assert.ok(manifest.inputs.includes('electron/cli/main.ts'));
  assert.ok(manifest.inputs.includes('electron/engine/decodeWorker.ts'));
  // undici is loaded only for a PBS server: it is a chunk of its own, not part of main.mjs.
  assert.ok((await readdir(join(dir, 'chunks'))).some((n) => n.startsWith('undici-') && n.endsWith('.mjs')));
  const demo = await smallDemo();
  const main = join(dir, 'main.mjs');
  const list = await run(main, ['list', '--datastore', demo.dir, '--json']);
  assert.equal(list.code, 0, list.stderr);
  const listed = new Set((JSON.parse(list.stdout) as Array<{ ns: string; snapshot: string }>).map((s) => `${s.ns}:${s.snapshot}`));
  for (const a of demo.archives) assert.ok(listed.has(`${a.ns}:${a.type}/${a.id}/${backupTimeName(a.time)}`), `${a.type}/${a.id} is listed`);
  const out = await tempDir();
  // Plain and encrypted, so the worker runs AES-GCM and zstd.
  for (const a of [demo.archives.find((x) => !x.encrypted && x.chunks > 4)!, demo.archives.find((x) => x.encrypted)!]) {
    const target = join(out, `${a.id}-${a.archive}.raw`);
    const r = await run(main, ['restore', ...selectors(demo, a), '--target', target, '--json'], { PBS_ENCRYPTION_PASSWORD: demo.keyPassword });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(lastJson(r.stdout).status, 'succeeded');
    assert.equal(await sha256File(target), a.sha256);
  }
});

test('a bundle counts as fresh only while every input is older than its build and both files exist', async () => {
  const root = await tempDir('rc-fresh-root-');
  const dir = join(root, 'out');
  await mkdir(join(root, 'src'), { recursive: true });
  await mkdir(dir);
  const started = Date.now();
  const past = new Date(started - 60_000);
  await writeFile(join(root, 'src', 'a.ts'), 'export {};\n');
  await utimes(join(root, 'src', 'a.ts'), past, past);
  await writeFile(join(dir, 'inputs.json'), JSON.stringify({ started, inputs: ['src/a.ts'] }));
  await writeFile(join(dir, 'main.mjs'), '');
  await writeFile(join(dir, 'decodeWorker.mjs'), '');
  const url = pathToFileURL(`${dir}/`);
  assert.equal(bundleIsFresh(url, root), true);

  const later = new Date(started + 5_000);
  await utimes(join(root, 'src', 'a.ts'), later, later);
  assert.equal(bundleIsFresh(url, root), false, 'a changed source makes the bundle stale');
  await utimes(join(root, 'src', 'a.ts'), past, past);
  assert.equal(bundleIsFresh(url, root), true);

  await rm(join(root, 'src', 'a.ts'));
  assert.equal(bundleIsFresh(url, root), false, 'a source that vanished makes the bundle stale');
  await writeFile(join(root, 'src', 'a.ts'), '');
  await utimes(join(root, 'src', 'a.ts'), past, past);
  await rm(join(dir, 'decodeWorker.mjs'));
  assert.equal(bundleIsFresh(url, root), false, 'no worker bundle, no bundle');
  await writeFile(join(dir, 'decodeWorker.mjs'), '');
  await writeFile(join(dir, 'inputs.json'), '{"inputs": []}');
  assert.equal(bundleIsFresh(url, root), false, 'a manifest without a build time is stale');
});

test('the CLI runs the checkout\'s bundle, rebuilt when stale, or the sources when asked', async () => {
  const bundle = cliEntry({});
  assert.match(bundle, /\/out\/cli\/main\.mjs$/);
  assert.equal(bundleIsFresh(), true);
  assert.match(cliEntry({ RESTORE_CONSOLE_FROM_SOURCE: '1' }), /\/electron\/cli\/main\.ts$/);
});
