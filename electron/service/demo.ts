// The demo datastore as the default source of a first start: generated in the background into
// the user data folder, with progress reported like a job ('demo' events), then added as a
// source so a new user can restore something at once. Generation writes into `.building` and
// renames it to `ready` when complete, so an interrupted run leaves nothing that looks usable.
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoStatus } from '../../shared/contract.ts';
import { DEMO_KEY_PASSWORD, writeDemoDatastore, type DemoScale } from '../demo/demoDatastore.ts';
import { toContractError } from '../../shared/errors.ts';
import { Throttle } from './throttle.ts';

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
  /** Adds the ready datastore as a source; returns its id. */
  onReady(loc: DemoLocation): Promise<string>;
}

export class DemoProvider {
  readonly #o: DemoOptions;
  #status: DemoStatus = { state: 'absent', doneBytes: 0, totalBytes: 0 };
  #running: Promise<void> | undefined;

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
    try {
      await access(join(loc.store, '.chunks'));
      await access(loc.keyFile);
      return loc;
    } catch {
      return undefined;
    }
  }

  /** Uses a completed demo, or generates one in the background; returns the status now. */
  start(): DemoStatus {
    if (!this.#running) {
      this.#running = this.#run().finally(() => (this.#running = undefined));
    }
    return this.status();
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
    const building = join(this.#o.dir, '.building');
    this.#set({ state: 'generating', doneBytes: 0, totalBytes: 0 });
    this.#o.log('info', `generating the demo datastore in ${join(this.#o.dir, 'ready')}`);
    const throttle = new Throttle(100, () => this.#o.emit(this.status()));
    try {
      await rm(building, { recursive: true, force: true });
      await mkdir(building, { recursive: true });
      await writeDemoDatastore(join(building, 'store'), {
        scale: this.#o.scale,
        onProgress: (doneBytes, totalBytes) => {
          this.#status = { state: 'generating', doneBytes, totalBytes };
          throttle.poke();
        },
      });
      throttle.stop();
      await rm(join(this.#o.dir, 'ready'), { recursive: true, force: true });
      await rename(building, join(this.#o.dir, 'ready'));
      await this.#ready(this.location);
    } catch (e) {
      throttle.stop();
      const error = toContractError(e);
      this.#o.log('error', `the demo datastore could not be generated: ${error.message}`);
      this.#set({ ...this.#status, state: 'failed', error });
      await rm(building, { recursive: true, force: true }).catch(() => {});
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
