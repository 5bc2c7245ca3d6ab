// Finds the concurrency limit while the job runs, by maximising measured throughput directly.
//
// Why not a latency formula alone: with decode and writes inside a chunk's slot, the latency a
// chunk sees grows with the limit once the CPU or the disk is the bottleneck, so "gain × bandwidth ×
// latency" keeps growing (the runaway BBR avoids with PROBE_RTT). Throughput, in contrast, stops
// rising at the knee. So (perf-anchors.md §3, .NET hill climbing and the BBR startup):
//   STARTUP  double the limit each period while throughput rises by more than 15 %; two periods
//            without that gain end it, keeping the best limit seen.
//   STEADY   probe one step up; keep it only if throughput rises by more than 5 %. Otherwise probe
//            one step down and keep it if throughput does not fall by more than 3 % (the smallest
//            limit that reaches the plateau wins: less memory, no queueing). Hold, then repeat.
//   RESTART  a throughput drop of more than 30 % at an unchanged limit (latency stepped up, the
//            bottleneck moved) re-enters STARTUP from the current limit.
// The limit is never raised while the job leaves it unused (in flight below half the limit over a
// period: the consumer or the source is the bottleneck, or the job is paused).
// A period lasts at least `periodMs` and `minCompletions` chunks, and starts after a settle time so
// the chunks started under the previous limit do not count.
import type { ProgressCounters } from '../../shared/progress.ts';
import { MAX_CONCURRENCY } from './restoreEngine.ts';

export interface TunableEngine {
  readonly limit: number;
  setConcurrency(n: number, reason: string): void;
  setAuto(auto: boolean): void;
  progress(): ProgressCounters;
}

export interface AutoTunerOptions {
  now?: () => number;
  periodMs?: number;
  settleMs?: number;
  minCompletions?: number;
  /** Upper bound, e.g. from memory (limit × chunk size). */
  maxLimit?: number;
  /** Tick interval of the internal timer; 0 disables the timer (tests call tick()). */
  tickMs?: number;
}

type Phase = 'startup' | 'probe-up' | 'probe-down' | 'hold';

interface Window {
  t0: number;
  work0: number;
  chunks0: number;
  inFlightSum: number;
  ticks: number;
}

/** Image bytes that needed work (zero chunks skipped without I/O do not measure anything). */
const workBytes = (p: ProgressCounters): number => p.doneBytes - p.zeroBytes;
const workChunks = (p: ProgressCounters): number => p.doneChunks - p.zeroChunks;

export class AutoTuner {
  static readonly INITIAL_LIMIT = 4;
  readonly #engine: TunableEngine;
  readonly #o: Required<AutoTunerOptions>;
  #timer: NodeJS.Timeout | undefined;
  #enabled = false;
  #phase: Phase = 'startup';
  #settleUntil = 0;
  #win: Window | undefined;
  /** Throughput (bytes/s) at the accepted limit, the reference probes are compared with. */
  #base = 0;
  #baseLimit = 0;
  #stalls = 0;
  #holdPeriods = 0;

  constructor(engine: TunableEngine, opts: AutoTunerOptions = {}) {
    this.#engine = engine;
    this.#o = {
      now: opts.now ?? (() => performance.now()),
      periodMs: opts.periodMs ?? 300,
      settleMs: opts.settleMs ?? 100,
      minCompletions: opts.minCompletions ?? 8,
      maxLimit: Math.min(opts.maxLimit ?? MAX_CONCURRENCY, MAX_CONCURRENCY),
      tickMs: opts.tickMs ?? 50,
    };
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  get phase(): Phase {
    return this.#phase;
  }

  enable(): void {
    if (this.#enabled) return;
    this.#enabled = true;
    this.#engine.setAuto(true);
    this.#phase = 'startup';
    this.#base = 0;
    this.#stalls = 0;
    this.#startWindow();
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

  #set(limit: number, reason: string): void {
    const next = Math.max(1, Math.min(this.#o.maxLimit, Math.round(limit)));
    this.#engine.setConcurrency(next, `auto: ${reason}`);
    this.#startWindow();
  }

  #startWindow(): void {
    this.#settleUntil = this.#o.now() + this.#o.settleMs;
    this.#win = undefined;
  }

  #step(limit: number): number {
    return Math.max(1, Math.round(limit / 4));
  }

  /** Samples the engine; call every few tens of milliseconds. */
  tick(): void {
    if (!this.#enabled) return;
    const now = this.#o.now();
    const p = this.#engine.progress();
    if (p.paused || now < this.#settleUntil) return;
    if (!this.#win) {
      this.#win = { t0: now, work0: workBytes(p), chunks0: workChunks(p), inFlightSum: 0, ticks: 0 };
      return;
    }
    const w = this.#win;
    w.inFlightSum += p.inFlight;
    w.ticks++;
    const dt = now - w.t0;
    if (dt < this.#o.periodMs || (workChunks(p) - w.chunks0 < this.#o.minCompletions && dt < 10 * this.#o.periodMs)) return;
    const rate = ((workBytes(p) - w.work0) / dt) * 1000;
    const underused = w.inFlightSum / w.ticks < this.#engine.limit / 2;
    this.#decide(rate, underused);
  }

  #decide(rate: number, underused: boolean): void {
    const limit = this.#engine.limit;
    switch (this.#phase) {
      case 'startup': {
        if (rate > this.#base * 1.15 && !underused && limit < this.#o.maxLimit) {
          this.#base = rate;
          this.#baseLimit = limit;
          this.#stalls = 0;
          return this.#set(limit * 2, 'startup, doubling');
        }
        if (rate > this.#base) {
          this.#base = rate;
          this.#baseLimit = limit;
        }
        if (++this.#stalls < 2 && !underused && limit < this.#o.maxLimit) return this.#set(limit * 2, 'startup, doubling');
        this.#phase = 'hold';
        this.#holdPeriods = 0;
        return this.#set(this.#baseLimit, 'startup done, best limit');
      }
      case 'hold': {
        if (this.#base > 0 && rate < this.#base * 0.7) {
          this.#phase = 'startup';
          this.#stalls = 0;
          this.#base = rate;
          this.#baseLimit = limit;
          return this.#set(limit * 2, 'throughput dropped, re-probing');
        }
        // Track slow drifts of the plateau so later comparisons are fair.
        this.#base = this.#base * 0.5 + rate * 0.5;
        this.#baseLimit = limit;
        if (++this.#holdPeriods < 2) return this.#startWindow();
        if (underused || limit >= this.#o.maxLimit) {
          this.#phase = 'probe-down';
          return this.#set(limit - this.#step(limit), underused ? 'limit unused, probing down' : 'probing down');
        }
        this.#phase = 'probe-up';
        return this.#set(limit + this.#step(limit), 'probing up');
      }
      case 'probe-up': {
        if (rate > this.#base * 1.05 && !underused) {
          this.#base = rate;
          this.#baseLimit = limit;
          // Keep climbing while it pays.
          return this.#set(limit + this.#step(limit), 'probe up paid, probing further');
        }
        this.#phase = 'probe-down';
        const down = this.#baseLimit - this.#step(this.#baseLimit);
        if (down < 1) return this.#toHold(this.#baseLimit, 'probe up did not pay');
        return this.#set(down, 'probe up did not pay, probing down');
      }
      case 'probe-down': {
        if (rate >= this.#base * 0.97 && limit < this.#baseLimit) {
          this.#base = Math.max(rate, this.#base * 0.97);
          this.#baseLimit = limit;
          const down = limit - this.#step(limit);
          if (down >= 1) return this.#set(down, 'lower limit kept throughput, probing further');
        }
        return this.#toHold(this.#baseLimit, 'kept the best limit');
      }
    }
  }

  #toHold(limit: number, reason: string): void {
    this.#phase = 'hold';
    this.#holdPeriods = 0;
    this.#set(limit, reason);
  }
}
