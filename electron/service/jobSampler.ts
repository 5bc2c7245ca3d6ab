// Turns a running engine's counters into the contract's events for one job:
//   progress: the engine's cumulative counters, sampled when something happened (a chunk finished,
//     the limit changed, pause/resume) but at most once per `progressMs` (10 Hz), plus a heartbeat
//     each `mapMs` while work is under way;
//   chunkMap: only when it changed (each disk's of a whole-VM job, marked with the disk's index):
//     with every progress sample, just before it, while the map is small (MAP_WITH_SAMPLE chunks:
//     the page's counters and map then come from the same instant, where a map once a second lagged
//     the counters by up to ~900 chunks), and at most once per `mapMs` for bigger ones;
//   the peak speed for the summary, and a bounded series of samples kept with the job's record
//     (shared/sampleSeries.ts), from the same samples.
// finish() sends the last map and sample and stops: the job's final state comes after them, and
// nothing follows it; the final maps and counters are read at the same instant, so they agree.
import type { ChunkMap, Events } from '../../shared/contract.ts';
import type { ProgressCounters } from '../../shared/progress.ts';
import { encodeChunkMap } from '../../shared/chunkMap.ts';
import { PeakRate } from '../../shared/rates.ts';
import { SampleSeries, type PackedSample } from '../../shared/sampleSeries.ts';
import { Throttle } from './throttle.ts';

export interface SamplerOptions {
  jobId: string;
  emit<E extends 'progress' | 'chunkMap'>(event: E, payload: Events[E]): void;
  /** Called with each sample before it is sent (the job keeps the last one). */
  onSample(progress: ProgressCounters): void;
  progressMs: number;
  mapMs: number;
}

/** Maps up to this many chunks go out with every progress sample (about 1 MB/s of events at most). */
export const MAP_WITH_SAMPLE = 16_384;

type SampledEvent = 'chunk' | 'limit' | 'pause' | 'resume';

/** What is sampled: a single disk's engine, or a whole-VM job's coordinator (multiRestore.ts). */
export interface SampledJob {
  progress(): ProgressCounters;
  chunkStates(disk?: number): Uint8Array;
  on(event: SampledEvent, listener: () => void): unknown;
  off(event: SampledEvent, listener: () => void): unknown;
}

export class JobSampler {
  readonly #engine: SampledJob;
  readonly #disks: number;
  readonly #o: SamplerOptions;
  readonly #progress: Throttle;
  readonly #mapTimer: NodeJS.Timeout;
  readonly #peak = new PeakRate();
  readonly #series = new SampleSeries();
  readonly #poke = (): void => this.#progress.poke();
  readonly #lastMap: string[] = [];
  #running = true;

  /** `disks`: how many chunk maps the job has (one per disk). */
  constructor(engine: SampledJob, disks: number, o: SamplerOptions) {
    this.#engine = engine;
    this.#disks = disks;
    this.#o = o;
    this.#progress = new Throttle(o.progressMs, () => this.#sample());
    engine.on('chunk', this.#poke);
    engine.on('limit', this.#poke);
    engine.on('pause', this.#poke);
    engine.on('resume', this.#poke);
    this.#mapTimer = setInterval(() => {
      this.#emitMap();
      const p = engine.progress();
      if (!p.paused || p.inFlight > 0) this.#poke();
    }, o.mapMs);
    this.#mapTimer.unref();
    this.#poke();
  }

  /** The thinned series so far (a page that opens the job while it runs draws its chart from it). */
  get samples(): PackedSample[] {
    return this.#series.samples;
  }

  /** A sample soon (the concurrency changed). */
  poke(): void {
    this.#poke();
  }

  /**
   * The last sample and map go out now; then silence. Returns the final map and counters, and the
   * peak image rate in bytes per second (`average` when the job never ran a whole window).
   */
  finish(average: number): { maps: ChunkMap[]; progress: ProgressCounters; peak: number; samples: PackedSample[] } {
    clearInterval(this.#mapTimer);
    this.#progress.stop();
    // The last map and sample: the engine has stopped, and both are read now, one after the other.
    this.#emitMap();
    this.#sample(false);
    this.#running = false;
    for (const name of ['chunk', 'limit', 'pause', 'resume'] as const) this.#engine.off(name, this.#poke);
    const maps = Array.from({ length: this.#disks }, (_, i) => encodeChunkMap(this.#engine.chunkStates(i)));
    return { maps, progress: this.#engine.progress(), peak: this.#peak.peak(average), samples: this.#series.samples };
  }

  #sample(withMap = true): void {
    if (!this.#running) return;
    // A small map goes first, read in the same turn as the counters: the page shows both alike.
    if (withMap) this.#emitMap(MAP_WITH_SAMPLE);
    const progress = this.#engine.progress();
    this.#peak.add(progress.at, progress.doneBytes);
    this.#series.add(progress);
    this.#o.onSample(progress);
    this.#o.emit('progress', { jobId: this.#o.jobId, progress });
  }

  /** Each disk's map that changed since it last went out (only maps up to `maxChunks` chunks). */
  #emitMap(maxChunks = Infinity): void {
    if (!this.#running) return;
    for (let disk = 0; disk < this.#disks; disk++) {
      const states = this.#engine.chunkStates(disk);
      if (states.length > maxChunks) continue;
      const map = encodeChunkMap(states);
      const key = JSON.stringify(map);
      if (key === this.#lastMap[disk]) continue;
      this.#lastMap[disk] = key;
      this.#o.emit('chunkMap', { jobId: this.#o.jobId, map, ...(this.#disks > 1 ? { disk } : {}) });
    }
  }
}
