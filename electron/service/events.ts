// A typed event hub for the contract's events. Listeners are isolated: one that throws is
// reported and does not stop the others or the emitter (a job must not fail because a window
// went away mid-event).
import type { EventName, Events, Listener, Unsubscribe } from '../../shared/contract.ts';

export type AnyListener = <E extends EventName>(event: E, payload: Events[E]) => void;

export class EventHub {
  readonly #byName = new Map<EventName, Set<(payload: never) => void>>();
  readonly #any = new Set<AnyListener>();
  readonly #onListenerError: (e: unknown) => void;

  constructor(onListenerError: (e: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  on<E extends EventName>(event: E, listener: Listener<E>): Unsubscribe {
    let set = this.#byName.get(event);
    if (!set) this.#byName.set(event, (set = new Set()));
    // Each subscription is its own entry, so subscribing the same function twice needs two unsubscribes.
    const entry = (payload: Events[E]): void => listener(payload);
    set.add(entry as (payload: never) => void);
    return () => void set.delete(entry as (payload: never) => void);
  }

  /** Every event, in emission order (the transports forward them). */
  onAny(listener: AnyListener): Unsubscribe {
    const entry: AnyListener = (event, payload) => listener(event, payload);
    this.#any.add(entry);
    return () => void this.#any.delete(entry);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of [...(this.#byName.get(event) ?? [])]) {
      try {
        (l as (p: Events[E]) => void)(payload);
      } catch (e) {
        this.#onListenerError(e);
      }
    }
    for (const l of [...this.#any]) {
      try {
        l(event, payload);
      } catch (e) {
        this.#onListenerError(e);
      }
    }
  }
}
