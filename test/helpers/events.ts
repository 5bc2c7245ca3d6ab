// Records every contract event from the moment a test starts, so waiting for an event can never
// miss one that arrived before the wait began, and orders can be checked afterwards.
import type { EventName, Events, RestoreConsoleApi } from '../../shared/contract.ts';
import { EVENT_NAMES } from '../../electron/service/schema.ts';

export type Recorded = { [E in EventName]: { event: E; payload: Events[E] } }[EventName];

export class EventRecorder {
  readonly all: Recorded[] = [];
  #waits: Array<{ test: (r: Recorded) => boolean; resolve: (r: Recorded) => void }> = [];
  readonly #unsubscribe: Array<() => void> = [];

  constructor(api: RestoreConsoleApi) {
    for (const event of EVENT_NAMES) {
      this.#unsubscribe.push(api.on(event, (payload) => this.#add({ event, payload } as Recorded)));
    }
  }

  #add(r: Recorded): void {
    this.all.push(r);
    this.#waits = this.#waits.filter((w) => (w.test(r) ? (w.resolve(r), false) : true));
  }

  /** The first recorded event (past or future) of this name that satisfies the predicate. */
  waitFor<E extends EventName>(event: E, pred: (p: Events[E]) => boolean = () => true, from = 0): Promise<Events[E]> {
    const test = (r: Recorded): boolean => r.event === event && pred(r.payload as Events[E]);
    const past = this.all.slice(from).find(test);
    if (past) return Promise.resolve(past.payload as Events[E]);
    return new Promise((resolve) => this.#waits.push({ test, resolve: (r) => resolve(r.payload as Events[E]) }));
  }

  /** Waits for the job to reach a final state. */
  finalJob(jobId: string): Promise<Events['job']> {
    return this.waitFor('job', (j) => j.id === jobId && ['succeeded', 'failed', 'cancelled'].includes(j.state));
  }

  of<E extends EventName>(event: E, pred: (p: Events[E]) => boolean = () => true): Array<Events[E]> {
    return this.all.filter((r) => r.event === event && pred(r.payload as Events[E])).map((r) => r.payload as Events[E]);
  }

  close(): void {
    for (const u of this.#unsubscribe) u();
  }
}
