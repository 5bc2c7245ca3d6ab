// The benchmark table and the ratios of the performance goals (docs/performance.md), as text, markdown and JSON.
import type { CryptConfig } from '../electron/pbs/cryptConfig.ts';
import type { BackupSource } from '../electron/source/chunkSource.ts';
import type { BenchImage } from './dataset.ts';
import type { RunResult } from './measure.ts';
import type { ResumeResult } from './resume.ts';
import type { TwoDiskResult } from './twoDisks.ts';

export interface Scenario {
  name: string;
  /** Where this scenario's restores write (default: the run's target folder). */
  targetDir?: string;
  image: BenchImage;
  source: BackupSource;
  crypt?: CryptConfig;
}

export interface ScenarioResult {
  scenario: Scenario;
  runs: RunResult[];
}

export interface Ceilings {
  workers: number;
  decodeMBps: number;
  decodeEncryptedMBps: number;
  readMBps: number;
  writeMBps: number;
  /** Positional writes + fsync on the disk holding the bench's work folder. */
  diskWriteMBps: number;
}

interface Input {
  targetDir: string;
  machine: string;
  date: string;
  sizeMiB: number;
  reps: number;
  chunkSize: number;
  ceilings: Ceilings;
  results: ScenarioResult[];
  /** The resume scenario (bench/resume.ts), when it ran. */
  resume?: ResumeResult;
  /** The whole-VM scenario (twoDisks.ts). */
  twoDisks?: TwoDiskResult;
}

const f = (n: number, d = 0): string => n.toFixed(d);
const ratio = (n: number): string => `${n.toFixed(2)}`;

function byMode(r: ScenarioResult, mode: number | 'auto'): RunResult {
  return r.runs.find((x) => x.mode === mode)!;
}

function bestFixed(r: ScenarioResult): RunResult {
  return r.runs.filter((x) => x.mode !== 'auto').reduce((a, b) => (b.mbps > a.mbps ? b : a));
}

export function renderReport(input: Input): { text: string; markdown: string; json: unknown } {
  const { ceilings: c, results } = input;
  const head = ['scenario', '1', '4', '8', '16', '32', 'auto (end limit)', 'auto / best fixed', '16 / 1'];
  const rows = results.map((r) => {
    const auto = byMode(r, 'auto');
    return [
      r.scenario.name,
      ...[1, 4, 8, 16, 32].map((m) => f(byMode(r, m).mbps)),
      `${f(auto.mbps)} (${auto.finalLimit})`,
      ratio(auto.mbps / bestFixed(r).mbps),
      ratio(byMode(r, 16).mbps / byMode(r, 1).mbps),
    ];
  });
  const local = results[0]!;
  const localBest = bestFixed(local);
  const zero = results.find((r) => r.scenario.name.startsWith('zero-heavy'));
  const enc = results.find((r) => r.scenario.name === 'encrypted');
  const disk = results.find((r) => r.scenario.targetDir !== undefined);
  const maxElu = Math.max(...results.flatMap((r) => r.runs.map((x) => x.elu)));
  const maxMainCpu = Math.max(...results.flatMap((r) => r.runs.map((x) => x.mainCpu)));
  const rssRows = results.flatMap((r) =>
    r.runs.map((x) => ({ s: r.scenario.name, mode: x.mode, over: x.rssPeakMiB - x.rssBaseMiB, allowed: (3 * x.finalLimit * input.chunkSize) / 2 ** 20 })),
  );
  const worstRss = rssRows.reduce((a, b) => (b.over / b.allowed > a.over / a.allowed ? b : a));
  const ratios: Array<[string, string, string]> = [
    ['auto ≥ 0.9 × best fixed (worst scenario)', ratio(Math.min(...results.map((r) => byMode(r, 'auto').mbps / bestFixed(r).mbps))), '≥ 0.90'],
    ...results
      .filter((r) => r.scenario.name.includes('20 ms'))
      .map((r): [string, string, string] => [`16 / one at a time, ${r.scenario.name}`, ratio(byMode(r, 16).mbps / byMode(r, 1).mbps), '≥ 5'],),
    [`decode-bound: local best work MB/s / (${c.workers} workers × ${f(c.decodeMBps)} MB/s single-worker ceiling)`, ratio(localBest.workMbps / (c.workers * c.decodeMBps)), '≥ 0.80'],
    ...(enc ? [[`encrypted: best work MB/s / (${c.workers} × ${f(c.decodeEncryptedMBps)} MB/s)`, ratio(bestFixed(enc).workMbps / (c.workers * c.decodeEncryptedMBps)), '≥ 0.80'] as [string, string, string]] : []),
    ...(disk
      ? [[
          `I/O-bound (target on disk): best work MB/s / min(read ${f(c.readMBps)}, disk write ${f(c.diskWriteMBps)}) ceiling`,
          ratio(bestFixed(disk).workMbps / Math.min(c.readMBps, c.diskWriteMBps)),
          '≥ 0.85',
        ] as [string, string, string]]
      : []),
    ...(zero
      ? [[
          'zero-heavy: seconds per non-zero byte / mixed image (concurrency 16)',
          ratio((byMode(zero, 16).seconds / zero.scenario.image.workBytes) / (byMode(local, 16).seconds / local.scenario.image.workBytes)),
          '≈ 1 (time ∝ non-zero part)',
        ] as [string, string, string]]
      : []),
    ...(input.twoDisks
      ? [[
          `two disks +${input.twoDisks.delayMs} ms/chunk at limit ${input.twoDisks.limit}: one job ${f(input.twoDisks.oneJobMBps)} MB/s / one after another ${f(input.twoDisks.oneByOneMBps)} MB/s`,
          ratio(input.twoDisks.ratio),
          '≥ 1 (the link never idles between disks)',
        ] as [string, string, string]]
      : []),
    ['main-thread event-loop utilisation, worst run', ratio(maxElu), '≤ 0.50'],
    ['main-thread CPU time / wall time, worst run (what the main thread really uses)', ratio(maxMainCpu), '(context for the line above)'],
    ...(input.resume
      ? [[
          `resume: source bytes of a restore killed half way (SIGKILL) + its resume / one uninterrupted run (chunk requests ${input.resume.killedRequests} + ${input.resume.resumeRequests} against ${input.resume.fullRequests})`,
          ratio(input.resume.ratio),
          '≤ 1.10',
        ] as [string, string, string]]
      : []),
    [`RSS growth / (3 × limit × chunk), worst run (${worstRss.s}, ${worstRss.mode}: ${f(worstRss.over)} of ${f(worstRss.allowed)} MiB)`, ratio(worstRss.over / worstRss.allowed), '≤ 1'],
  ];
  const md = [
    `Machine: ${input.machine}. ${input.date.slice(0, 10)}; images of ${input.sizeMiB} MiB in 4 MiB chunks; best of ${input.reps}; MB/s of image bytes (10^6); targets in ${input.targetDir.replace(/\/rc-bench-target-.*$/, '')}.`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `Ceilings in the same run: single-worker decode ${f(c.decodeMBps)} MB/s (encrypted ${f(c.decodeEncryptedMBps)}), ${c.workers} workers; raw parallel read ${f(c.readMBps)} MB/s; raw positional write ${f(c.writeMBps)} MB/s to the target folder, ${f(c.diskWriteMBps)} MB/s to disk with fsync (work bytes).`,
    '',
    '| ratio | measured | goal |',
    '|---|---|---|',
    ...ratios.map((r) => `| ${r.join(' | ')} |`),
    '',
  ].join('\n');
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const text = [
    `${input.machine}; targets in ${input.targetDir}`,
    '',
    [head, ...rows].map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n'),
    '',
    ...ratios.map(([k, v, g]) => `${v.padStart(6)}  ${k}  (goal ${g})`),
    '',
  ].join('\n');
  const json = {
    machine: input.machine,
    targetDir: input.targetDir,
    date: input.date,
    sizeMiB: input.sizeMiB,
    reps: input.reps,
    ceilings: c,
    results: results.map((r) => ({ scenario: r.scenario.name, image: r.scenario.image, runs: r.runs })),
    ...(input.resume ? { resume: input.resume } : {}),
    ...(input.twoDisks ? { twoDisks: input.twoDisks } : {}),
    ratios: ratios.map(([name, value, goal]) => ({ name, value: Number(value), goal })),
  };
  return { text, markdown: md, json };
}
