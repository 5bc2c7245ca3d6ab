// The benchmark tables and the ratios of the performance goals (docs/performance.md), each with its
// goal, whether this run met it and the previous run's value, as text, markdown and JSON.
import type { CryptConfig } from '../electron/pbs/cryptConfig.ts';
import type { BackupSource } from '../electron/source/chunkSource.ts';
import type { NativeCeiling } from './ceilings.ts';
import type { BenchImage } from './dataset.ts';
import type { RunResult } from './measure.ts';
import type { ResumeResult } from './resume.ts';
import type { StartupResult } from './startup.ts';
import type { TwoDiskResult } from './twoDisks.ts';

export interface Scenario {
  name: string;
  /** Where this scenario's restores write (default: the run's target folder). */
  targetDir?: string;
  image: BenchImage;
  source: BackupSource;
  crypt?: CryptConfig;
  /** Part of the decode-bound goals (local, page cache, no added latency). */
  decodeBound?: boolean;
}

export interface ScenarioResult {
  scenario: Scenario;
  runs: RunResult[];
}

export interface Ceilings {
  cores: number;
  native: NativeCeiling;
  nativeEncrypted: NativeCeiling;
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
  startup?: StartupResult;
  /** 1-minute load averages when the run started and ended. */
  load: { start: number; end: number };
  /** Ratio values of the previous run, by name. */
  previous?: Record<string, number>;
  /** The resume scenario (bench/resume.ts), when it ran. */
  resume?: ResumeResult;
  /** The whole-VM scenario (twoDisks.ts). */
  twoDisks?: TwoDiskResult;
}

export interface Ratio {
  name: string;
  value: number;
  goal: string;
  /** Whether the goal was met; undefined for context lines without a goal. */
  met?: boolean;
}

const f = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : '–');
const r2 = (n: number): string => f(n, 2);

function byMode(r: ScenarioResult, mode: number | 'auto'): RunResult {
  return r.runs.find((x) => x.mode === mode)!;
}

function bestFixed(r: ScenarioResult): RunResult {
  return r.runs.filter((x) => x.mode !== 'auto').reduce((a, b) => (b.mbps > a.mbps ? b : a));
}

const atMost = (name: string, value: number, limit: number): Ratio => ({ name, value, goal: `≤ ${limit.toFixed(2)}`, met: value <= limit });
const atLeast = (name: string, value: number, limit: number): Ratio => ({ name, value, goal: `≥ ${limit.toFixed(2)}`, met: value >= limit });

export function ratiosOf(input: Input): Ratio[] {
  const { ceilings: c, results, startup } = input;
  const out: Ratio[] = [];
  const autoRatios = results.map((r) => ({ r, v: byMode(r, 'auto').mbps / bestFixed(r).mbps }));
  const worstAuto = autoRatios.reduce((a, b) => (b.v < a.v ? b : a));
  out.push(atLeast(`auto / best fixed limit, worst scenario (${worstAuto.r.scenario.name})`, worstAuto.v, 0.9));
  for (const r of results.filter((x) => x.scenario.decodeBound)) {
    out.push(atLeast(`16 / 1, ${r.scenario.name} (decode-bound)`, byMode(r, 16).mbps / byMode(r, 1).mbps, 1.3));
  }
  for (const r of results.filter((x) => x.scenario.name.includes('20 ms'))) {
    out.push(atLeast(`16 / 1, ${r.scenario.name}`, byMode(r, 16).mbps / byMode(r, 1).mbps, 5));
  }
  for (const r of results.filter((x) => x.scenario.decodeBound)) {
    const ceiling = r.scenario.crypt ? c.nativeEncrypted : c.native;
    const best = bestFixed(r);
    out.push(atMost(`CPU-s per GB / native ceiling (${f(ceiling.cpuSecPerGB, 2)} CPU-s/GB), ${r.scenario.name} at ${best.mode}`, best.cpuSecPerGB / ceiling.cpuSecPerGB, 1.15));
    out.push(atLeast(`work MB/s / (${c.cores} cores × ${f(ceiling.mbps)} MB/s native), ${r.scenario.name} at ${best.mode}`, best.workMbps / (c.cores * ceiling.mbps), 0.8));
  }
  const disk = results.find((r) => r.scenario.targetDir !== undefined);
  if (disk) {
    out.push(atLeast(`I/O-bound (target on disk): work MB/s / min(read ${f(c.readMBps)}, disk write ${f(c.diskWriteMBps)})`, bestFixed(disk).workMbps / Math.min(c.readMBps, c.diskWriteMBps), 0.85));
  }
  const zero = results.find((r) => r.scenario.name.startsWith('zero-heavy'));
  const local = results.find((r) => r.scenario.decodeBound && !r.scenario.crypt);
  if (zero && local) {
    const v = byMode(zero, 16).seconds / zero.scenario.image.workBytes / (byMode(local, 16).seconds / local.scenario.image.workBytes);
    out.push(atMost('zero-heavy: seconds per non-zero byte / mixed image (16)', v, 1.1));
  }
  if (startup) {
    out.push(atMost(`start-up: list ${f(startup.listMs)} ms / node -e 0 ${f(startup.nodeMs)} ms`, startup.listMs / startup.nodeMs, 3));
    out.push({ name: `start-up from the TypeScript sources: list ${f(startup.listSourcesMs)} ms / node -e 0`, value: startup.listSourcesMs / startup.nodeMs, goal: '(before the bundle)' });
    out.push({ name: `restore: first chunk written after ${f(startup.firstChunkMs)} ms (whole CLI restore ${f(startup.restoreMs)} ms), / node -e 0`, value: startup.firstChunkMs / startup.nodeMs, goal: '(context)' });
  }
  if (input.twoDisks) {
    const t = input.twoDisks;
    out.push(atLeast(`two disks +${t.delayMs} ms/chunk at limit ${t.limit}: one job ${f(t.oneJobMBps)} MB/s / one after another ${f(t.oneByOneMBps)} MB/s`, t.ratio, 1));
  }
  if (input.resume) {
    const r = input.resume;
    out.push(
      atMost(
        `resume: source bytes of a restore killed half way (SIGKILL) + its resume / one uninterrupted run (chunk requests ${r.killedRequests} + ${r.resumeRequests} against ${r.fullRequests})`,
        r.ratio,
        1.1,
      ),
    );
  }
  const all = results.flatMap((r) => r.runs.map((x) => ({ s: r.scenario.name, x })));
  out.push(atMost('main-thread event-loop utilisation, worst run', Math.max(...all.map((a) => a.x.elu)), 0.5));
  out.push({ name: 'main-thread CPU time / wall time, worst run (what the main thread really uses)', value: Math.max(...all.map((a) => a.x.mainCpu)), goal: '(context)' });
  const rss = all.map((a) => ({ ...a, over: a.x.rssPeakMiB - a.x.rssBaseMiB, allowed: (3 * a.x.maxLimit * input.chunkSize) / 2 ** 20 }));
  const worst = rss.reduce((a, b) => (b.over / b.allowed > a.over / a.allowed ? b : a));
  out.push(atMost(`RSS growth / (3 × limit × chunk), worst run (${worst.s}, ${worst.x.mode}: ${f(worst.over)} of ${f(worst.allowed)} MiB)`, worst.over / worst.allowed, 1));
  return out;
}

export function renderReport(input: Input): { text: string; markdown: string; json: unknown; ratios: Ratio[] } {
  const { ceilings: c, results } = input;
  const head = ['scenario', '1', '4', '8', '16', '32', 'auto (end limit)', 'auto / best fixed', '16 / 1'];
  const rows = results.map((r) => {
    const auto = byMode(r, 'auto');
    return [
      r.scenario.name,
      ...[1, 4, 8, 16, 32].map((m) => f(byMode(r, m).mbps)),
      `${f(auto.mbps)} (${auto.finalLimit})`,
      r2(auto.mbps / bestFixed(r).mbps),
      r2(byMode(r, 16).mbps / byMode(r, 1).mbps),
    ];
  });
  const costHead = ['scenario (at 16)', 'CPU-s / GB', '× native', 'page faults / GB', 'GC ms / GB', 'RSS growth MiB'];
  const costRows = results.map((r) => {
    const x = byMode(r, 16);
    const ceiling = r.scenario.crypt ? c.nativeEncrypted : c.native;
    return [r.scenario.name, f(x.cpuSecPerGB, 2), r2(x.cpuSecPerGB / ceiling.cpuSecPerGB), f(x.faultsPerGB), f(x.gcMsPerGB), f(x.rssPeakMiB - x.rssBaseMiB)];
  });
  const ratios = ratiosOf(input);
  const prev = (r: Ratio): string => {
    const p = input.previous?.[r.name];
    return p === undefined ? '' : r2(p);
  };
  const metText = (r: Ratio): string => (r.met === undefined ? '' : r.met ? 'met' : 'missed');
  const table = (h: string[], rs: string[][]): string[] => [`| ${h.join(' | ')} |`, `|${h.map(() => '---').join('|')}|`, ...rs.map((x) => `| ${x.join(' | ')} |`)];
  const ceilingsLine = `Ceilings in the same run: native primitives in one thread ${f(c.native.mbps)} MB/s (${f(c.native.cpuSecPerGB, 2)} CPU-s/GB), encrypted ${f(c.nativeEncrypted.mbps)} MB/s (${f(c.nativeEncrypted.cpuSecPerGB, 2)} CPU-s/GB), ${c.cores} cores; raw parallel read ${f(c.readMBps)} MB/s; raw positional write ${f(c.writeMBps)} MB/s to the target folder, ${f(c.diskWriteMBps)} MB/s to disk with fsync (work bytes).`;
  const loadLine = `Machine load (1-minute average) at the start ${f(input.load.start, 2)}, at the end ${f(input.load.end, 2)}, on ${c.cores} cores.`;
  const md = [
    `Machine: ${input.machine}. ${input.date.slice(0, 10)}; images of ${input.sizeMiB} MiB in 4 MiB chunks; best of ${input.reps}; MB/s of image bytes (10^6); targets in ${input.targetDir.replace(/\/rc-bench-target-.*$/, '')}.`,
    loadLine,
    '',
    ...table(head, rows),
    '',
    ...table(costHead, costRows),
    '',
    ceilingsLine,
    '',
    ...table(['ratio', 'measured', 'goal', '', 'previous run'], ratios.map((r) => [r.name, r2(r.value), r.goal, metText(r), prev(r)])),
    '',
  ].join('\n');
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const cw = costHead.map((h, i) => Math.max(h.length, ...costRows.map((r) => r[i]!.length)));
  const pad = (rs: string[][], w: number[]): string => rs.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(w[i]!) : cell.padStart(w[i]!))).join('  ')).join('\n');
  const text = [
    `${input.machine}; targets in ${input.targetDir}`,
    loadLine,
    '',
    pad([head, ...rows], widths),
    '',
    pad([costHead, ...costRows], cw),
    '',
    ceilingsLine,
    '',
    ...ratios.map((r) => `${r2(r.value).padStart(6)}  ${r.name}  (goal ${r.goal}${r.met === undefined ? '' : `: ${metText(r)}`}${prev(r) ? `; previous ${prev(r)}` : ''})`),
    '',
  ].join('\n');
  const json = {
    machine: input.machine,
    targetDir: input.targetDir,
    date: input.date,
    load: input.load,
    sizeMiB: input.sizeMiB,
    reps: input.reps,
    ceilings: c,
    startup: input.startup,
    results: results.map((r) => ({ scenario: r.scenario.name, image: r.scenario.image, runs: r.runs })),
    ...(input.resume ? { resume: input.resume } : {}),
    ...(input.twoDisks ? { twoDisks: input.twoDisks } : {}),
    ratios,
  };
  return { text, markdown: md, json, ratios };
}
