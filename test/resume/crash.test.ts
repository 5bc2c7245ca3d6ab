// The crash test: a restore killed with SIGKILL at many points (after N chunks, half way through
// writing the state file, right after a save, and twice in a row), then continued with the real
// CLI's --resume, always ends with an image whose SHA-256 is the backup's. Each kill happens in a
// child process (crashChild.ts) at a point it reaches by itself, so nothing here waits on time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { lastJson, runCli } from '../helpers/cli.ts';
import { selectors, smallDemo } from '../helpers/demo.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';

const CHILD = fileURLToPath(new URL('./crashChild.ts', import.meta.url));
const demo = await smallDemo();
const out = await tempDir('rc-crash-');
// The archive with the most chunks to fetch.
const a = demo.archives.filter((x) => !x.encrypted && x.ns === '').sort((x, y) => y.chunks - y.zeroChunks - (x.chunks - x.zeroChunks))[0]!;
const data = a.chunks - a.zeroChunks;
const exists = (p: string) => access(p).then(() => true, () => false);

function crash(target: string, point: string): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, demo.dir, `${a.type}/${a.id}/${backupTimeName(a.time)}`, a.archive, target, point], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stdout }));
  });
}

async function resumeWithCli(target: string) {
  const r = await runCli(['restore', ...selectors(demo, a), '--target', target, '--resume', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = lastJson(r.stdout);
  assert.equal(s.status, 'succeeded');
  assert.equal(await sha256File(target), a.sha256, `${target} differs from the backup`);
  assert.equal(await exists(`${target}.partial.state`), false);
  assert.equal(await exists(`${target}.partial.state.tmp`), false);
  return s;
}

// Before the first chunk (the first state write), early, half way, near the end, in the middle of
// a later state write, and right after a save.
const points = ['midwrite:1', 'chunks:1', `chunks:${Math.floor(data / 2)}`, `chunks:${data - 2}`, 'midwrite:4', 'saved:3'];

test(`the demo archive used has enough chunks (${data} to fetch)`, () => {
  assert.ok(data >= 24, `${a.archive} has only ${data} chunks to fetch`);
});

for (const point of points) {
  test(`killed at ${point}, resumed with the CLI: bit-exact`, async () => {
    const target = join(out, `crash-${point.replace(':', '-')}.raw`);
    const c = await crash(target, point);
    assert.equal(c.signal, 'SIGKILL', `the child was not killed at ${point}: ${c.stdout}`);
    assert.equal(await exists(target), false, 'a killed restore left a complete-looking target');
    const s = await resumeWithCli(target);
    // After a save, what it recorded is not fetched again.
    if (point.startsWith('saved:')) assert.ok((s.resumedBytes as number) > 0, 'nothing was resumed after a save');
    assert.ok((s.resumedBytes as number) <= a.size);
  });
}

test('killed again while resuming, then resumed: bit-exact', async () => {
  const target = join(out, 'crash-twice.raw');
  for (const point of [`chunks:${Math.floor(data / 3)}`, 'midwrite:3', 'saved:2']) {
    assert.equal((await crash(target, point)).signal, 'SIGKILL', point);
  }
  const s = await resumeWithCli(target);
  assert.ok((s.resumedBytes as number) > 0);
});

test('bad --rate and --stall-timeout values are usage errors', async () => {
  for (const [flag, value] of [['--rate', 'fast'], ['--rate', '-5MB'], ['--stall-timeout', '1.5'], ['--stall-timeout', 'never']]) {
    const r = await runCli(['restore', ...selectors(demo, a), '--target', join(out, 'usage.raw'), flag!, value!]);
    assert.equal(r.code, 2, `${flag} ${value}: ${r.stderr}`);
    assert.match(r.stderr, /\[USAGE\]: .*--(rate|stall-timeout)/);
  }
  const v = await runCli(['verify', ...selectors(demo, a), '--rate', '100MiB', '--json']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(lastJson(v.stdout).status, 'succeeded');
});
