// `npm run bench`: the benchmark suite. Not a test: it prints a table of throughput per scenario
// and concurrency mode, what each costs per GB, the ceilings measured in the same run, start-up,
// and the ratios the performance goals of docs/performance.md are stated in (each marked met or
// missed, next to the previous run's value); it writes everything to bench/results/ (latest.json
// and latest.md; the run before is kept as previous.json and previous.md).
// Options: --size-mib N (image size, default 1024), --reps N (best of N, default 2), --quick,
// --target-dir DIR (default /dev/shm when it has room: restores then measure the engine, not the
// writeback and fsync of a shared disk, which varied 3x between identical runs here).
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { LocalDatastore } from '../electron/source/localDatastore.ts';
import { writeDemoDatastore } from '../electron/demo/demoDatastore.ts';
import { benchKey, CHUNK, writeBenchDatastore, writeTwoDiskVm } from './dataset.ts';
import { nativeCeiling, readCeiling, writeCeiling } from './ceilings.ts';
import { withChunkDelay } from '../electron/source/delayedSource.ts';
import { runOne, type Mode, type RunResult } from './measure.ts';
import { remoteScenario } from './remote.ts';
import { resumeScenario } from './resume.ts';
import { renderReport, type Ratio, type Scenario, type ScenarioResult } from './report.ts';
import { measureStartup } from './startup.ts';
import { runTwoDisks, TWO_DISK_DELAY_MS } from './twoDisks.ts';

const { values } = parseArgs({ options: { 'size-mib': { type: 'string' }, reps: { type: 'string' }, quick: { type: 'boolean' }, 'target-dir': { type: 'string' } } });
const quick = values.quick === true;
const sizeMiB = Number(values['size-mib'] ?? (quick ? 128 : 1024));
const reps = Number(values.reps ?? (quick ? 1 : 2));
const MODES: Mode[] = [1, 4, 8, 16, 32, 'auto'];

const work = await mkdtemp(join(tmpdir(), 'rc-bench-'));
const targetDir = await mkdtemp(join(values['target-dir'] ?? (await shmHasRoom(sizeMiB)) ?? tmpdir(), 'rc-bench-target-'));

/** /dev/shm when it exists and holds two images with room to spare. */
async function shmHasRoom(mib: number): Promise<string | undefined> {
  try {
    const st = await statfs('/dev/shm');
    return st.bavail * st.bsize > 3 * mib * 2 ** 20 ? '/dev/shm' : undefined;
  } catch {
    return undefined;
  }
}

const loadStart = loadavg()[0]!;
try {
  process.stderr.write(`writing bench datastore (${sizeMiB} MiB images) in ${work}\n`);
  const root = join(work, 'store');
  const ds = await writeBenchDatastore(root, sizeMiB);
  const vm = await writeTwoDiskVm(root, sizeMiB);
  // Flush the freshly written chunks now: writeback running under the first measurements slowed
  // them by up to 2x.
  spawnSync('sync');
  const local = await LocalDatastore.open(root);
  const scenarios: Scenario[] = [
    { name: 'local (page cache)', image: ds.mixed, source: local, decodeBound: true },
    { name: 'local +5 ms/chunk', image: ds.mixed, source: withChunkDelay(local, 5) },
    { name: 'local +20 ms/chunk', image: ds.mixed, source: withChunkDelay(local, 20) },
    { name: 'zero-heavy (90 % zero)', image: ds.zeroHeavy, source: local },
    { name: 'encrypted', image: ds.encrypted, source: local, crypt: benchKey, decodeBound: true },
    // The same restore onto the disk under the work folder, synced at the end: I/O-bound here.
    { name: 'local → disk (fsync)', image: ds.mixed, source: local, targetDir: work },
  ];
  const remote = await remoteScenario(root, ds.mixed);
  if (remote) scenarios.push(remote.scenario);

  process.stderr.write('measuring ceilings\n');
  const ceilings = {
    cores: availableParallelism(),
    native: await nativeCeiling(root, ds.mixed),
    nativeEncrypted: await nativeCeiling(root, ds.encrypted, benchKey),
    readMBps: await readCeiling(root, ds.mixed),
    writeMBps: await writeCeiling(targetDir, ds.mixed),
    diskWriteMBps: await writeCeiling(work, ds.mixed),
  };

  // Warm up: start the decode workers and JIT the hot paths outside any measurement, the AES path
  // included (its first run grew RSS by its first-use allocations in each worker).
  await runOne(local, ds.mixed, 16, join(targetDir, 'target.raw'));
  await runOne(local, ds.encrypted, 16, join(targetDir, 'target.raw'), benchKey);
  const results: ScenarioResult[] = [];
  for (const sc of scenarios) {
    const runs: RunResult[] = [];
    for (const mode of MODES) {
      let best: RunResult | undefined;
      for (let r = 0; r < reps; r++) {
        process.stderr.write(`\r\x1b[2K${sc.name}: concurrency ${mode}, run ${r + 1}/${reps}`);
        const res = await runOne(sc.source, sc.image, mode, join(sc.targetDir ?? targetDir, 'target.raw'), sc.crypt);
        if (!best || res.mbps > best.mbps) best = res;
      }
      runs.push(best!);
    }
    results.push({ scenario: sc, runs });
  }
  const vmDir = join(targetDir, 'vm');
  await mkdir(vmDir);
  const twoDisks = await runTwoDisks(withChunkDelay(local, TWO_DISK_DELAY_MS), vm, vmDir, reps, (what) => process.stderr.write(`\r\x1b[2K${what}`));
  process.stderr.write('\r\x1b[2K');
  await remote?.close();
  process.stderr.write('resume: a restore killed half way, then resumed\n');
  const resume = await resumeScenario(root, ds.mixed, targetDir);

  process.stderr.write('measuring start-up\n');
  const small = (await writeDemoDatastore(join(work, 'small'), { scale: 'small' })).dir;
  const startup = await measureStartup(small, root, ds.mixed, targetDir, quick ? 3 : 7);

  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const previous = await readFile(join(dir, 'latest.json'), 'utf8').then(
    (t) => Object.fromEntries(((JSON.parse(t) as { ratios?: Ratio[] }).ratios ?? []).map((r) => [r.name, r.value])),
    () => undefined,
  );
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
  const load = { start: loadStart, end: loadavg()[0]! };
  const report = renderReport({ targetDir, machine, date: new Date().toISOString(), sizeMiB, reps, chunkSize: CHUNK, ceilings, results, startup, load, resume, twoDisks, ...(previous ? { previous } : {}) });
  process.stdout.write(report.text);
  // The run before this one stays next to it for comparison.
  for (const ext of ['json', 'md']) await rename(join(dir, `latest.${ext}`), join(dir, `previous.${ext}`)).catch(() => {});
  await writeFile(join(dir, 'latest.json'), `${JSON.stringify(report.json, null, 2)}\n`);
  await writeFile(join(dir, 'latest.md'), report.markdown);
  process.stderr.write('results written to bench/results/latest.{json,md}; the run before is in bench/results/previous.{json,md}\n');
} finally {
  await rm(work, { recursive: true, force: true });
  await rm(targetDir, { recursive: true, force: true });
}
