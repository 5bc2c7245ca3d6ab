// Start-up, as a user meets it: `restore-console list` on a small datastore against `node -e 0`
// (the same Node), the same list from the TypeScript sources, and the time from starting a
// `restore-console restore` to its first chunk landing in the target. Each runs as a real CLI
// process; runs are interleaved and the median kept, so a busy spell of a shared machine hits
// all of them alike.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEntry } from '../electron/cli/runtime.mjs';
import { backupTimeName } from '../electron/pbs/names.ts';
import { BENCH_TIME, type BenchImage } from './dataset.ts';

const BIN = fileURLToPath(new URL('../electron/cli/bin.mjs', import.meta.url));

export interface StartupResult {
  nodeMs: number;
  listMs: number;
  listSourcesMs: number;
  /** From spawning `restore` to the first data in the target file. */
  firstChunkMs: number;
  /** The same restore's whole run (process start to exit). */
  restoreMs: number;
}

function run(args: string[], env: Record<string, string> = {}, watch?: string): Promise<{ ms: number; firstMs?: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let firstMs: number | undefined;
    // Polls the partial file for its first allocated block: a sparse target has none before the
    // first chunk's write. 1 ms polls of one stat cost the child next to nothing.
    const poll = watch
      ? setInterval(() => {
          if (firstMs !== undefined) return;
          const st = statSync(`${watch}.partial`, { throwIfNoEntry: false }) ?? statSync(watch, { throwIfNoEntry: false });
          if (st && st.blocks > 0) firstMs = performance.now() - t0;
        }, 1)
      : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      if (code !== 0) return reject(new Error(`${args.slice(1, 3).join(' ')} exited with ${code}: ${stderr}`));
      resolve({ ms: performance.now() - t0, ...(firstMs !== undefined ? { firstMs } : {}) });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function measureStartup(smallStore: string, store: string, image: BenchImage, targetDir: string, reps = 7): Promise<StartupResult> {
  // A fresh bundle (rebuilt now if the sources changed) and a warm compile cache, outside the timing.
  cliEntry();
  const list = ['list', '--datastore', smallStore];
  await run([BIN, ...list]);
  await run([BIN, ...list], { RESTORE_CONSOLE_FROM_SOURCE: '1' });
  const node: number[] = [];
  const bundled: number[] = [];
  const sources: number[] = [];
  for (let i = 0; i < reps; i++) {
    node.push((await run(['-e', '0'])).ms);
    bundled.push((await run([BIN, ...list])).ms);
    sources.push((await run([BIN, ...list], { RESTORE_CONSOLE_FROM_SOURCE: '1' })).ms);
  }
  const first: number[] = [];
  const whole: number[] = [];
  const target = join(targetDir, 'startup.raw');
  for (let i = 0; i < 3; i++) {
    const snapshot = `vm/${image.id}/${backupTimeName(BENCH_TIME)}`;
    const r = await run([BIN, 'restore', '--datastore', store, '--snapshot', snapshot, '--archive', image.archive, '--target', target, '--json'], {}, target);
    await rm(target, { force: true });
    if (r.firstMs !== undefined) first.push(r.firstMs);
    whole.push(r.ms);
  }
  return { nodeMs: median(node), listMs: median(bundled), listSourcesMs: median(sources), firstChunkMs: first.length ? median(first) : NaN, restoreMs: median(whole) };
}
