// Finds the concurrency limit while the job runs, by maximising measured throughput directly.
//
// Why not a latency formula alone: with decode and writes inside a chunk's slot, the latency a
// chunk sees grows with the limit once the CPU or the disk is the bottleneck, so "gain × bandwidth ×
// latency" keeps growing (the runaway BBR avoids with PROBE_RTT). Throughput, in contrast, stops
// rising at the knee. So (docs/performance.md; .NET's PortableThreadPool.HillClimbing and BBR's startup):
//   STARTUP  double the limit each period while throughput rises by more than 15 %. A period without
//            that gain is measured once more at the same limit (noise); a second one ends it, keeping
//            the best limit seen. The first period after enable() or a restart always doubles.
//   STEADY   probe one step up; keep it only if throughput rises by more than 5 % (by more than 15 %:
//            back to STARTUP, the bottleneck moved away). Otherwise probe one step down and keep it
//            if throughput does not fall by more than 3 % from the plateau (the smallest limit that
//            reaches the plateau wins: less memory, no queueing). Hold, then repeat; every probe
//            cycle that changes nothing doubles the hold, up to MAX_HOLD periods.
//   RESTART  a throughput drop of more than 30 % at an unchanged limit (latency stepped up, the
//            bottleneck moved) re-enters STARTUP at the current limit, after one clean period.
// Raises are capped at 2 × the Little's-law need, ⌈2 · X̂max · R̂min⌉ chunks, with X̂ the completion
// rate and R̂ = mean in flight / X̂ of each of the last few periods (BBR's cwnd = 2 · btl_bw ·
// min_rtt). Throughput X at limit L is at most L / R̂min, so the cap never stops a raise that could
// pay; it stops STARTUP from doubling far past the knee when latency is the bottleneck.
// The limit is never raised while the job leaves it unused (in flight below half the limit over a
// period: the consumer or the source is the bottleneck, or the job is paused), and a lower limit the
// job leaves unused is kept (it cannot be what bounds throughput).
// A period lasts at least `periodMs` and `minCompletions` chunks, and starts after a settle time so
// the chunks started under the previous limit do not count; a pause discards the period, and so
// does a period the rate cap held back for most of its ticks: its throughput is the cap's, so
// "no gain" there says nothing about the limit (the tuner holds its limit under a binding cap).
//
// It also reads the machine, because throughput alone is noisy on a shared machine and a raise that
// "gained" 15 % by chance costs memory and CPU for nothing (the bench saw auto climb to ~60 streams
// against a server on the same cores, at 0.6-0.9 of a fixed 16):
//   CPU-bound  the decode workers were busy ≥ 90 % of the period, or the process used ≥ 90 % of the
//              cores: more chunks in flight cannot go faster, so no raise (probing down goes on).
//   queueing   a raise counts only if the source kept up: the fetch stage's implied gain, the limit
//              ratio times the ratio of mean fetch times (time from asking the source for a chunk to
//              having it), must pass the same threshold as the throughput. A server that serves a
//              fixed number of requests at a time, or a saturated link or disk, makes fetch times
//              grow with the limit: that is "no gain" however the throughput reads.
//   short jobs nothing is raised or probed when the job would end within a few periods at its
//              current rate: a probe needs a settle and a period to pay, and the job is gone.
//   noise      how much periods at one limit differ (a moving average of their relative spread)
//              raises the bar: a raise must gain more than twice that, a drop must exceed three
//              times that to restart. On a machine shared with other work the spread reached
//              30 % and more, and fixed thresholds read noise as gains and drops.
//
// Tested against a simulated system on a fake clock in test/engine/autoTuner.test.ts. Changes found
// there: STARTUP re-measures instead of doubling a second time past the knee (it reached 4 × the
// need), the Little's-law cap, a drop while the limit is unused no longer raises it (a job whose
// source runs dry doubled its limit), pauses no longer read as drops, probing backs off (a
// fixed cycle cost 6 % of throughput at the plateau), and a restart no longer takes the period that
// straddled the change as its reference.
//
// What it says (autoWords.ts): every decision goes to its listeners with the limit, the measured
// rate and why (the job logs them in words); the engine's limit reason is a calm status that
// changes only when the tuner settles somewhere else or starts looking again (probes leave it as it
// is); summary() tells at the end where it settled, after how long, and where the best rate was.
import { availableParallelism } from 'node:os';
import type { ProgressCounters } from '../../shared/progress.ts';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '../../shared/limits.ts';
import { statusText, summaryText, type Decision, type DecisionKind, type SettleWhy } from './autoWords.ts';

/** Cumulative counters the tuner reads the machine from (all optional to provide). */
export interface TuningCounters {
  /** Sum of fetch times (ms) and the number of fetches: the source's latency. */
  fetchMs: number;
  fetches: number;
  /** Sum over the decode workers of the time each had work (ms), and how many there are (0: none). */
  decodeBusyMs: number;
  decodeWorkers: number;
}

export interface TunableEngine {
  readonly limit: number;
  setConcurrency(n: number, reason: string): void;
  setAuto(auto: boolean): void;
  progress(): ProgressCounters;
  tuning?(): TuningCounters;
}

export interface AutoTunerOptions {
  now?: () => number;
  periodMs?: number;
  settleMs?: number;
  minCompletions?: number;
  /**
   * Upper bound, e.g. from memory (limit × chunk size), or read at each decision: a job under the
   * machine's chunk budget passes the share it could get (slotBudget.ts), so two auto jobs never
   * each grow past what the budget can give them.
   */
  maxLimit?: number | (() => number);
  /** Tick interval of the internal timer; 0 disables the timer (tests call tick()). */
  tickMs?: number;
  /** The process's CPU time so far (ms, all threads) and its cores: the CPU-bound test. */
  cpuMs?: () => number;
  cores?: number;
}

type Phase = 'startup' | 'probe-up' | 'probe-down' | 'hold';

interface Window {
  t0: number;
  /** Image bytes done (zero chunks included): how fast the job moves towards its end. */
  image0: number;
  work0: number;
  chunks0: number;
  inFlightSum: number;
  ticks: number;
  /** Ticks at which the rate cap was holding reads back. */
  capped: number;
  cpu0: number;
  tuning0: TuningCounters;
}

/** What one period measured. */
interface Period {
  /** Work bytes per second. */
  rate: number;
  /** In flight below half the limit: the job does not use its limit. */
  underused: boolean;
  cpuBound: boolean;
  /** Mean fetch time (ms); 0 when nothing was fetched. */
  fetchMs: number;
  /** Mean chunks in flight. */
  inFlight: number;
  /** Mean time a chunk held its slot (ms, Little's law: in flight / completion rate); 0 = none completed. */
  slotMs: number;
  /** The job would end within a few periods at this rate. */
  ending: boolean;
}

const NO_TUNING: TuningCounters = { fetchMs: 0, fetches: 0, decodeBusyMs: 0, decodeWorkers: 0 };
/** Busy share of the decode workers, or of the process's cores, that counts as CPU-bound. */
const CPU_BOUND = 0.9;
/** A job ending within this many periods is not probed any more. */
const ENDING_PERIODS = 5;

/** One measured period: completion rate (chunks/s) and Little's-law latency (s). */
interface Sample {
  x: number;
  r: number;
}

/** Image bytes that needed work (zero chunks skipped without I/O do not measure anything). */
const workBytes = (p: ProgressCounters): number => p.doneBytes - p.zeroBytes;
const workChunks = (p: ProgressCounters): number => p.doneChunks - p.zeroChunks;

/** Periods the Little's-law cap looks back over (BBR: 10 rounds). */
const CAP_SAMPLES = 8;
/** Hold periods between probe cycles: 2 at first, doubled by each cycle that changes nothing. */
const MIN_HOLD = 2;
const MAX_HOLD = 8;
/** Raises up to this limit are always allowed, whatever the estimate of the need says. */
const RAISE_FLOOR = 4;

export class AutoTuner {
  // PBS's default (PBS_RESTORE_FETCH_CONCURRENCY): auto starts where a fixed restore would, so its
  // first seconds are never worse than the default, and probes from there.
  static readonly INITIAL_LIMIT = DEFAULT_CONCURRENCY;
  readonly #engine: TunableEngine;
  readonly #o: Required<Omit<AutoTunerOptions, 'maxLimit'>>;
  readonly #maxLimit: () => number;
  #timer: NodeJS.Timeout | undefined;
  #enabled = false;
  #phase: Phase = 'startup';
  #settleUntil = 0;
  #win: Window | undefined;
  /** Throughput (bytes/s) at the accepted limit, the reference probes are compared with; 0 = none. */
  #base = 0;
  #baseLimit = 0;
  #stalls = 0;
  #holdPeriods = 0;
  #holdNeeded = MIN_HOLD;
  #samples: Sample[] = [];
  /** Mean fetch time (ms) and chunks in flight at the base limit; 0 = unknown. */
  #baseFetch = 0;
  #baseInFlight = 0;
  /** Relative spread of periods at one limit (moving average); 0 until measured. */
  #noise = 0;
  /** Startup's first limit was measured once and is being measured again. */
  #twice = false;
  // What it says about itself (autoWords.ts).
  readonly #listeners: Array<(d: Decision) => void> = [];
  #enabledAt = 0;
  #settled: { limit: number; why: SettleWhy; atMs: number } | undefined;
  #best = { rate: 0, limit: 0 };
  #checks = 0;
  #ever = false;
  /** Periods left out because the rate cap set the pace (the summary says so). */
  #cappedPeriods = 0;
  /** The rate of the period the current decision is about. */
  #rate = 0;

  constructor(engine: TunableEngine, opts: AutoTunerOptions = {}) {
    this.#engine = engine;
    this.#o = {
      now: opts.now ?? (() => performance.now()),
      periodMs: opts.periodMs ?? 300,
      settleMs: opts.settleMs ?? 100,
      minCompletions: opts.minCompletions ?? 8,
      tickMs: opts.tickMs ?? 50,
      cpuMs:
        opts.cpuMs ??
        (() => {
          const u = process.cpuUsage();
          return (u.user + u.system) / 1000;
        }),
      cores: opts.cores ?? availableParallelism(),
    };
    const max = opts.maxLimit ?? MAX_CONCURRENCY;
    this.#maxLimit = typeof max === 'function' ? () => Math.max(1, Math.min(max(), MAX_CONCURRENCY)) : () => Math.min(max, MAX_CONCURRENCY);
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** Tells `listener` of every decision (the job logs them). */
  onDecision(listener: (d: Decision) => void): void {
    this.#listeners.push(listener);
  }

  /** Where auto settled, after how long, and where the best rate was; undefined if it never ran. */
  summary(): string | undefined {
    if (!this.#ever) return undefined;
    const s = this.#settled;
    return summaryText({
      limit: this.#engine.limit,
      checks: this.#checks,
      capped: this.#cappedPeriods > 0,
      ...(s ? { settledAt: s.limit, afterMs: s.atMs } : {}),
      ...(this.#best.rate > 0 ? { bestLimit: this.#best.limit, bestRate: this.#best.rate } : {}),
    });
  }

  enable(): void {
    if (this.#enabled) return;
    this.#enabled = true;
    this.#ever = true;
    this.#enabledAt = this.#o.now();
    this.#settled = undefined;
    this.#engine.setAuto(true);
    this.#engine.setConcurrency(this.#engine.limit, statusText(undefined, undefined));
    this.#phase = 'startup';
    this.#base = 0;
    this.#stalls = 0;
    this.#holdNeeded = MIN_HOLD;
    this.#samples = [];
    this.#noise = 0;
    this.#twice = false;
    this.#startWindow();
    // Warm-up: the first period starts once `limit` chunks have completed, i.e. the pipeline was
    // full once. Measured from an empty pipeline (cold workers, JIT), the first period reads low,
    // and the doubling after it then "gains" 15 % from noise and runs to the maximum (seen in the
    // bench's CPU-bound encrypted scenario: 16 → 32 → 62 at half the speed).
    const p = this.#engine.progress();
    this.#warmUntilChunks = workChunks(p) + this.#engine.limit;
    if (this.#o.tickMs > 0) {
      this.#timer = setInterval(() => this.tick(), this.#o.tickMs);
      this.#timer.unref();
    }
  }

  disable(): void {
    this.#enabled = false;
    this.#engine.setAuto(false);
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Moves to `limit` for `kind`: tells the listeners, and updates the engine's status when it
   * changed (a probe keeps the status of the limit it probes from).
   */
  #set(limit: number, kind: DecisionKind, why?: SettleWhy): void {
    const from = this.#engine.limit;
    const next = Math.max(1, Math.min(this.#maxLimit(), Math.round(limit)));
    const atMs = this.#o.now() - this.#enabledAt;
    const before = this.#settled;
    if (kind === 'settle') {
      if (before?.limit !== next || before.why !== why) this.#settled = { limit: next, why: why ?? 'best', atMs };
    } else if (kind !== 'probe-up' && kind !== 'probe-down') this.#settled = undefined;
    const status = statusText(this.#settled?.limit, this.#settled?.why);
    if (next !== from || status !== this.#engine.progress().limitReason) this.#engine.setConcurrency(next, status);
    // Probes, and a probe cycle that ends where it began, change nothing worth a log line.
    const quiet = kind === 'probe-up' || kind === 'probe-down' || (kind === 'settle' && before !== undefined && before === this.#settled);
    const decision: Decision = { kind, from, to: next, rate: this.#rate, atMs, quiet, ...(why ? { why } : {}) };
    for (const l of this.#listeners) l(decision);
    this.#startWindow();
  }

  /** A probe cycle ended where it started: counted for the summary. */
  #checked(): void {
    this.#checks++;
  }

  #warmUntilChunks = 0;

  #startWindow(): void {
    this.#settleUntil = this.#o.now() + this.#o.settleMs;
    this.#win = undefined;
  }

  #step(limit: number): number {
    return Math.max(1, Math.round(limit / 4));
  }

  /** The highest limit a raise may reach: 2 × the Little's-law need, never below a small floor. */
  #cap(): number {
    let x = 0;
    let r = Infinity;
    for (const s of this.#samples) {
      x = Math.max(x, s.x);
      r = Math.min(r, s.r);
    }
    const need = r === Infinity ? 0 : Math.ceil(2 * x * r - 1e-9);
    return Math.min(this.#maxLimit(), Math.max(RAISE_FLOOR, need));
  }

  /** Samples the engine; call every few tens of milliseconds. */
  tick(): void {
    if (!this.#enabled) return;
    const now = this.#o.now();
    const p = this.#engine.progress();
    // A pause would read as a throughput drop: drop the period and settle again after it.
    if (p.paused) return this.#startWindow();
    if (now < this.#settleUntil || workChunks(p) < this.#warmUntilChunks) return;
    if (!this.#win) {
      this.#win = { t0: now, image0: p.doneBytes, work0: workBytes(p), chunks0: workChunks(p), inFlightSum: 0, ticks: 0, capped: 0, cpu0: this.#o.cpuMs(), tuning0: this.#tuning() };
      return;
    }
    const w = this.#win;
    w.inFlightSum += p.inFlight;
    w.ticks++;
    if (p.rateLimited) w.capped++;
    const dt = now - w.t0;
    const chunks = workChunks(p) - w.chunks0;
    if (dt < this.#o.periodMs || (chunks < this.#o.minCompletions && dt < 10 * this.#o.periodMs)) return;
    if (w.capped * 2 > w.ticks) {
      this.#cappedPeriods++;
      return this.#startWindow();
    }
    const rate = ((workBytes(p) - w.work0) / dt) * 1000;
    const inFlight = w.inFlightSum / w.ticks;
    if (chunks > 0) {
      const x = (chunks / dt) * 1000;
      this.#samples.push({ x, r: inFlight / x });
      if (this.#samples.length > CAP_SAMPLES) this.#samples.shift();
    }
    const t = this.#tuning();
    const busy = t.decodeWorkers > 0 ? (t.decodeBusyMs - w.tuning0.decodeBusyMs) / (dt * t.decodeWorkers) : 0;
    const cpu = (this.#o.cpuMs() - w.cpu0) / (dt * this.#o.cores);
    const fetches = t.fetches - w.tuning0.fetches;
    const imageRate = (p.doneBytes - w.image0) / dt;
    this.#decide({
      rate,
      underused: inFlight < this.#engine.limit / 2,
      cpuBound: busy >= CPU_BOUND || cpu >= CPU_BOUND,
      fetchMs: fetches > 0 ? (t.fetchMs - w.tuning0.fetchMs) / fetches : 0,
      inFlight,
      slotMs: chunks > 0 ? (inFlight / chunks) * dt : 0,
      ending: imageRate > 0 && (p.totalBytes - p.doneBytes) / imageRate < ENDING_PERIODS * (this.#o.periodMs + this.#o.settleMs),
    });
  }

  #tuning(): TuningCounters {
    return this.#engine.tuning?.() ?? NO_TUNING;
  }

  /** A period measured at the same limit as the base: how far apart two such readings fall. */
  #sampleNoise(rate: number): void {
    if (this.#base <= 0) return;
    const dev = Math.abs(rate - this.#base) / this.#base;
    this.#noise = this.#noise > 0 ? this.#noise * 0.7 + dev * 0.3 : dev;
  }

  /** The factor a raise must beat: `least` (15 % for a doubling, 5 % for a step) or twice the noise. */
  #gain(least: number): number {
    return 1 + Math.max(least, 2 * this.#noise);
  }

  /** Sets the reference a later raise is compared with. */
  #setBase(m: Period, limit: number): void {
    this.#base = m.rate;
    this.#baseLimit = limit;
    this.#baseFetch = m.fetchMs;
    this.#baseInFlight = m.inFlight;
  }

  /**
   * What the source delivers at this period's concurrency relative to the base (Little's law for
   * the fetch stage: chunks in flight over fetch time), or undefined when not measured.
   */
  #fetchRatio(m: Period): number | undefined {
    if (this.#baseFetch <= 0 || m.fetchMs <= 0 || this.#baseInFlight <= 0) return undefined;
    return (m.inFlight / this.#baseInFlight) * (this.#baseFetch / m.fetchMs);
  }

  /**
   * Whether a raise from the base limit paid: throughput rose by more than `threshold`, and so did
   * what the source could deliver, when known.
   */
  #paid(m: Period, limit: number, threshold: number): boolean {
    if (m.rate <= this.#base * threshold) return false;
    const fetch = limit > this.#baseLimit ? this.#fetchRatio(m) : undefined;
    return fetch === undefined || fetch > threshold;
  }

  #decide(m: Period): void {
    const { rate, underused } = m;
    this.#rate = rate;
    if (rate > this.#best.rate) this.#best = { rate, limit: this.#engine.limit };
    const limit = this.#engine.limit;
    const cap = this.#cap();
    // Raising cannot help a job whose CPU is the limit, and cannot pay back on one about to end.
    const noRaise: SettleWhy | undefined = m.cpuBound ? 'cpu' : m.ending ? 'ending' : undefined;
    if (m.ending && (this.#phase === 'probe-up' || this.#phase === 'probe-down')) {
      // A probe that cannot pay back any more: stay where it is, one step off at worst.
      this.#phase = 'hold';
      this.#holdPeriods = 0;
      return this.#startWindow();
    }
    switch (this.#phase) {
      case 'startup': {
        const first = this.#base === 0;
        if (first && !underused && !this.#twice) {
          // The limit it starts at is measured twice before any raise: the two readings are the
          // first sample of the noise every later gain must beat.
          this.#setBase(m, limit);
          this.#twice = true;
          return this.#startWindow();
        }
        if (this.#twice) {
          this.#twice = false;
          this.#sampleNoise(m.rate);
          const agreed = { ...m, rate: (m.rate + this.#base) / 2 };
          this.#setBase(agreed, limit);
          this.#stalls = 0;
          if (underused) return this.#toHold(limit, 'unused');
          if (noRaise) return this.#toHold(limit, noRaise);
          if (limit < cap) return this.#set(Math.min(limit * 2, cap), 'double');
          return this.#toHold(limit, 'cap');
        }
        if ((first || this.#paid(m, limit, this.#gain(0.15))) && !underused) {
          this.#setBase(m, limit);
          this.#stalls = 0;
          if (noRaise) return this.#toHold(limit, noRaise);
          if (limit < cap) return this.#set(Math.min(limit * 2, cap), 'double');
          return this.#toHold(limit, 'cap');
        }
        if (first) this.#setBase(m, limit);
        else if (limit === this.#baseLimit) this.#sampleNoise(rate);
        // One period without gain may be noise: measure the same limit once more.
        if (++this.#stalls < 2 && !underused) return this.#startWindow();
        return this.#toHold(this.#baseLimit, 'best');
      }
      case 'hold': {
        if (this.#base > 0 && rate < this.#base * (1 - Math.min(0.9, Math.max(0.3, 3 * this.#noise)))) {
          this.#holdNeeded = MIN_HOLD;
          // More in flight answers a source that got slower per chunk (latency stepped up); a drop
          // with unchanged fetch times came from elsewhere (a throttled disk, other work on the
          // CPU, noise), where doubling only adds load.
          const slower = this.#baseFetch <= 0 || m.fetchMs <= 0 || m.fetchMs > this.#baseFetch * 1.3;
          if (underused || !slower) {
            // A higher limit cannot help (the job does not use it: its source ran dry, the
            // consumer is slow; or fetching did not slow down). Take the new level as the plateau
            // and let the probes find the limit for it.
            this.#base = rate;
            this.#holdPeriods = this.#holdNeeded;
          } else {
            // The period that saw the drop straddles the change; the next one is the reference.
            this.#phase = 'startup';
            this.#stalls = 0;
            this.#base = 0;
            this.#samples = [];
            return this.#set(limit, 'restart');
          }
        } else {
          this.#sampleNoise(rate);
          // Track slow drifts of the plateau so later comparisons are fair.
          this.#base = this.#base * 0.5 + rate * 0.5;
        }
        this.#baseLimit = limit;
        if (m.fetchMs > 0) this.#baseFetch = this.#baseFetch > 0 ? this.#baseFetch * 0.5 + m.fetchMs * 0.5 : m.fetchMs;
        this.#baseInFlight = this.#baseInFlight > 0 ? this.#baseInFlight * 0.5 + m.inFlight * 0.5 : m.inFlight;
        if (++this.#holdPeriods < this.#holdNeeded) return this.#startWindow();
        if (m.ending) return this.#startWindow();
        if (underused || limit >= cap || m.cpuBound) {
          if (limit <= 1) return this.#toHold(limit, 'lowest');
          this.#phase = 'probe-down';
          return this.#set(limit - this.#step(limit), 'probe-down');
        }
        this.#phase = 'probe-up';
        return this.#set(Math.min(limit + this.#step(limit), cap), 'probe-up');
      }
      case 'probe-up': {
        if (this.#paid(m, limit, this.#gain(0.05)) && !underused) {
          this.#holdNeeded = MIN_HOLD;
          const well = this.#paid(m, limit, this.#gain(0.15));
          this.#setBase(m, limit);
          if (noRaise) return this.#toHold(limit, noRaise);
          if (well && limit < cap) {
            // A big gain: the bottleneck moved away, find the new knee fast.
            this.#phase = 'startup';
            this.#stalls = 0;
            return this.#set(Math.min(limit * 2, cap), 'double-again');
          }
          // Keep climbing while it pays.
          if (limit < cap) return this.#set(Math.min(limit + this.#step(limit), cap), 'step-up');
          return this.#toHold(limit, 'cap');
        }
        const down = this.#baseLimit - this.#step(this.#baseLimit);
        if (down < 1) return this.#toHold(this.#baseLimit, 'more-not-faster', true);
        this.#phase = 'probe-down';
        return this.#set(down, 'probe-down');
      }
      case 'probe-down': {
        // Compared with the plateau, not with the previous step: a chain of small losses would
        // otherwise walk the limit down the slope. The 3 % a lower limit may lose shrinks as the
        // noise grows: with noisy readings, a lucky period would otherwise walk the limit down as
        // surely as unlucky ones keep raises out.
        if ((rate >= this.#base * (1 - Math.max(0, 0.03 - this.#noise)) || underused) && limit < this.#baseLimit) {
          this.#holdNeeded = MIN_HOLD;
          this.#baseLimit = limit;
          if (m.fetchMs > 0) this.#baseFetch = m.fetchMs;
          this.#baseInFlight = m.inFlight;
          const down = limit - this.#step(limit);
          if (down >= 1) return this.#set(down, 'step-down');
          return this.#toHold(limit, 'fewer-as-fast');
        }
        return this.#toHold(this.#baseLimit, 'fewer-slower', true);
      }
    }
  }

  /** Settles at `limit`; `idle` (a probe cycle that changed nothing) doubles the next hold. */
  #toHold(limit: number, why: SettleWhy, idle = false): void {
    this.#phase = 'hold';
    this.#holdPeriods = 0;
    if (idle) {
      this.#holdNeeded = Math.min(MAX_HOLD, this.#holdNeeded * 2);
      this.#checked();
    }
    // Back where a probe started: the settled limit and its reason stay as they were.
    const s = this.#settled;
    if (idle && s?.limit === Math.max(1, Math.min(this.#maxLimit(), Math.round(limit)))) return this.#set(limit, 'settle', s.why);
    this.#set(limit, 'settle', why);
  }
}
