// The demo datastore as the default source of a first start: generated in the background into
// the user data folder, with progress reported like a job ('demo' events). One small VM snapshot
// is written first, and the datastore is added as a source as soon as that snapshot is complete,
// so a new user can browse and restore something within seconds while the rest is written; every
// finished snapshot is announced (Browse reloads on it). Until the last snapshot is written the
// folder holds a marker: a generation stopped midway (quit, crash) is started again on the next
// start, and only an unmarked folder is taken as it is.
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { raceAbort } from '../../shared/abort.ts';
import type { DemoStatus } from '../../shared/contract.ts';
import { DEMO_KEY_PASSWORD, writeDemoDatastore, type DemoScale } from '../demo/demoDatastore.ts';
import { toContractError } from '../../shared/errors.ts';
import { Throttle } from './throttle.ts';

/** Present in `<dir>/ready` while the demo there is still being written. */
const UNFINISHED = '.unfinished';

export interface DemoLocation {
  store: string;
  keyFile: string;
  keyPassword: string;
}

export interface DemoOptions {
  /** The folder that holds the demo (`<user data>/demo`). */
  dir: string;
  scale: DemoScale;
  emit(status: DemoStatus): void;
  log(level: 'info' | 'error', message: string): void;
  /** Adds the datastore as a source (once its first snapshot is complete); returns its id. */
  onReady(loc: DemoLocation): Promise<string>;
  /** Tests: awaited once the first snapshot is offered, before the rest is written. */
  holdAfterFirst?: () => Promise<void>;
}

export class DemoProvider {
  readonly #o: DemoOptions;
  #status: DemoStatus = { state: 'absent', doneBytes: 0, totalBytes: 0 };
  #running: Promise<void> | undefined;
  #abort: AbortController | undefined;
  /** Set by cancel(): remove what was written (the user removed the demo source). */
  #discard = false;

  constructor(opts: DemoOptions) {
    this.#o = opts;
  }

  get location(): DemoLocation {
    const store = join(this.#o.dir, 'ready', 'store');
    return { store, keyFile: `${store}.key.json`, keyPassword: DEMO_KEY_PASSWORD };
  }

  status(): DemoStatus {
    return structuredClone(this.#status);
  }

  /** Resolves when a generation under way has ended (at once otherwise). */
  whenIdle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  /** The demo from an earlier run, if it was completed. */
  async existing(): Promise<DemoLocation | undefined> {
    const loc = this.location;
    if (await this.unfinished()) return undefined;
    try {
      await access(join(loc.store, '.chunks'));
      await access(loc.keyFile);
      return loc;
    } catch {
      return undefined;
    }
  }

  /** An earlier generation stopped before its end (its folder is still marked). */
  async unfinished(): Promise<boolean> {
    return access(join(this.#o.dir, 'ready', UNFINISHED)).then(() => true, () => false);
  }

  /** Uses a completed demo, or generates one in the background; returns the status now. */
  start(): DemoStatus {
    if (!this.#running) {
      this.#running = this.#run().finally(() => (this.#running = undefined));
    }
    return this.status();
  }

  /**
   * Stops a generation under way. `discard`: the user removed the demo source, so what was
   * written goes too; otherwise (the service closes) it stays marked, to be written again.
   */
  cancel(discard: boolean): void {
    if (!this.#abort || this.#abort.signal.aborted) return;
    this.#discard = discard;
    this.#abort.abort();
  }

  async #run(): Promise<void> {
    try {
      const found = await this.existing();
      if (found) return await this.#ready(found);
    } catch (e) {
      const error = toContractError(e);
      this.#o.log('error', `the demo datastore could not be opened: ${error.message}`);
      return this.#set({ ...this.#status, state: 'failed', error });
    }
    const ready = join(this.#o.dir, 'ready');
    const abort = (this.#abort = new AbortController());
    this.#discard = false;
    this.#set({ state: 'generating', doneBytes: 0, totalBytes: 0 });
    this.#o.log('info', `generating the demo datastore in ${ready}`);
    const throttle = new Throttle(100, () => this.#o.emit(this.status()));
    let sourceId: string | undefined;
    try {
      // `.building`: where versions before this one wrote (an interrupted run's leftovers).
      await rm(join(this.#o.dir, '.building'), { recursive: true, force: true });
      await rm(ready, { recursive: true, force: true });
      await mkdir(ready, { recursive: true });
      await writeFile(join(ready, UNFINISHED), '');
      await writeDemoDatastore(this.location.store, {
        scale: this.#o.scale,
        signal: abort.signal,
        onProgress: (doneBytes, totalBytes) => {
          this.#status = { ...this.#status, doneBytes, totalBytes };
          throttle.poke();
        },
        onSnapshot: async (w) => {
          if (!sourceId) {
            sourceId = await this.#o.onReady(this.location);
            this.#o.log('info', `the demo's first snapshot (${w.ns ? `${w.ns}/` : ''}${w.type}/${w.id}) can be browsed and restored; writing the other ${w.total - w.done}`);
          }
          this.#status = { ...this.#status, sourceId, snapshotsDone: w.done, snapshotsTotal: w.total };
          // At once, not throttled: Browse reloads on it.
          throttle.flush();
          if (w.done === 1 && this.#o.holdAfterFirst) await raceAbort(this.#o.holdAfterFirst(), abort.signal);
        },
      });
      throttle.stop();
      await rm(join(ready, UNFINISHED));
      this.#o.log('info', `the demo datastore is complete (${this.#status.snapshotsTotal ?? 0} snapshots)`);
      this.#set({ ...this.#status, state: 'ready', doneBytes: this.#status.totalBytes });
    } catch (e) {
      throttle.stop();
      if (abort.signal.aborted) {
        this.#o.log('info', this.#discard ? 'the demo datastore was removed before it was complete' : 'the demo datastore is incomplete: it is written again on the next start');
        if (this.#discard) await rm(ready, { recursive: true, force: true }).catch(() => {});
        return this.#set({ state: 'absent', doneBytes: 0, totalBytes: 0 });
      }
      // The folder stays marked unfinished: the next start writes it again.
      const error = toContractError(e);
      this.#o.log('error', `the demo datastore could not be generated: ${error.message}`);
      this.#set({ ...this.#status, state: 'failed', error });
    } finally {
      this.#abort = undefined;
    }
  }

  async #ready(loc: DemoLocation): Promise<void> {
    const sourceId = await this.#o.onReady(loc);
    this.#set({ state: 'ready', doneBytes: this.#status.totalBytes, totalBytes: this.#status.totalBytes, sourceId });
  }

  #set(s: DemoStatus): void {
    this.#status = s;
    this.#o.emit(this.status());
  }
}
