// The machine-wide budget of chunks in flight, shared by every running job (docs/jobs.md).
//
// Each job borrows its slots through a JobSlots lender: a slot is granted only while
//   the job holds fewer than its own limit (the slider, or auto),
//   the job holds fewer than its fair share of the budget, and
//   all jobs together hold fewer than the budget.
// The fair share is max-min fair ("water-filling"): a job that wants less than an equal part
// (a low limit, or nothing more to start) keeps what it wants, and the rest is split among the
// others. A job wants its whole limit while one of its engines still has chunks to start (or a
// chunk waits for a slot), else only what it holds: a job near its end, paused, or not started
// yet leaves its part to the others.
// Nothing running is taken back: a job above its share (it started alone) gets no new slot until
// it is below it, the way LiveLimiter lowers a limit. The whole-VM job shares one lender among its
// disks, so its limit counts over all of them; waiters are served first come, first served, which
// alternates between the disks.
import { RestoreError } from '../../shared/errors.ts';
import { DEFAULT_CHUNK_BUDGET, MAX_CHUNK_BUDGET } from '../../shared/limits.ts';
import { LiveLimiter, type Slots } from './liveLimiter.ts';


/** Slots a job may be given: a JobSlots has all of these, a plain LiveLimiter the first part. */
export type JobSlotsLike = Slots & { ceiling?(): number; close?(): void };

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class SlotBudget {
  #total: number;
  #active = 0;
  #maxActive = 0;
  readonly #lenders: JobSlots[] = [];
  /** Where the next grant round starts, so no job is always served first. */
  #next = 0;

  constructor(total = DEFAULT_CHUNK_BUDGET) {
    this.#total = SlotBudget.check(total);
  }

  static check(total: number): number {
    if (!Number.isInteger(total) || total < 1 || total > MAX_CHUNK_BUDGET) throw new RangeError(`the chunk budget must be an integer from 1 to ${MAX_CHUNK_BUDGET}, got ${total}`);
    return total;
  }

  get total(): number {
    return this.#total;
  }

  /** A smaller budget lets running chunks finish; a larger one admits waiters at once. */
  set total(n: number) {
    this.#total = SlotBudget.check(n);
    this.drain();
  }

  /** Slots held by all jobs now, and the most ever held at once. */
  get active(): number {
    return this.#active;
  }

  get maxActive(): number {
    return this.#maxActive;
  }

  get jobs(): number {
    return this.#lenders.length;
  }

  /** A new job's lender with its own limit; close() it when the job has ended. */
  lender(limit: number): JobSlots {
    const l = new JobSlots(this, limit);
    this.#lenders.push(l);
    return l;
  }

  /** @internal */
  remove(l: JobSlots): void {
    const i = this.#lenders.indexOf(l);
    if (i >= 0) this.#lenders.splice(i, 1);
    this.drain();
  }

  /** @internal */
  taken(): void {
    this.#active++;
    this.#maxActive = Math.max(this.#maxActive, this.#active);
  }

  /** @internal */
  returned(): void {
    this.#active--;
    this.drain();
  }

  /** Each job's fair share now (water-filling the budget over what each job wants). */
  shares(override?: { lender: JobSlots; wants: number }): Map<JobSlots, number> {
    const wants = this.#lenders.map((l) => ({ l, w: override?.lender === l ? override.wants : l.wants() }));
    // Smallest demands first; ties keep the order the jobs started in, so the shares are stable.
    wants.sort((a, b) => a.w - b.w);
    const out = new Map<JobSlots, number>();
    let left = this.#total;
    wants.forEach(({ l, w }, i) => {
      const even = Math.floor(left / (wants.length - i));
      const share = Math.min(w, i === wants.length - 1 ? left : even);
      out.set(l, share);
      left -= share;
    });
    return out;
  }

  /** The most a job could hold if it wanted everything, the others wanting what they want now. */
  ceilingFor(l: JobSlots): number {
    return Math.max(1, this.shares({ lender: l, wants: this.#total }).get(l) ?? this.#total);
  }

  /** Grants slots while some waiting job may take one; round-robin over the jobs. */
  drain(): void {
    for (;;) {
      if (this.#active >= this.#total) return;
      const n = this.#lenders.length;
      if (n === 0) return;
      const shares = n > 1 ? this.shares() : undefined;
      let granted = false;
      for (let k = 0; k < n; k++) {
        const l = this.#lenders[(this.#next + k) % n]!;
        if (l.canTake(shares?.get(l) ?? this.#total)) {
          l.grant();
          this.#next = (this.#next + k + 1) % n;
          granted = true;
          break;
        }
      }
      if (!granted) return;
    }
  }
}

/** One job's slots: its own limit inside the machine's budget. Usable wherever a LiveLimiter is. */
export class JobSlots implements Slots {
  readonly #budget: SlotBudget;
  #limit: number;
  #active = 0;
  #paused = false;
  #closed = false;
  /** Engines that still have chunks to start. */
  #asking = 0;
  #waiters: Waiter[] = [];

  constructor(budget: SlotBudget, limit: number) {
    this.#budget = budget;
    this.#limit = LiveLimiter.check(limit);
  }

  get limit(): number {
    return this.#limit;
  }

  set limit(n: number) {
    this.#limit = LiveLimiter.check(n);
    this.#budget.drain();
  }

  get active(): number {
    return this.#active;
  }

  get paused(): boolean {
    return this.#paused;
  }

  pause(): void {
    this.#paused = true;
    this.#budget.drain();
  }

  resume(): void {
    this.#paused = false;
    this.#budget.drain();
  }

  /** This job's fair share of the budget now. */
  share(): number {
    return this.#budget.shares().get(this) ?? 0;
  }

  /** The highest limit that could pay now: the share this job would get if it wanted everything. */
  ceiling(): number {
    return this.#budget.ceilingFor(this);
  }

  /** What this job asks of the budget: its limit while it has chunks to start, else what it holds. */
  wants(): number {
    return (this.#asking > 0 || this.#waiters.length > 0) && !this.#paused ? Math.max(this.#active, this.#limit) : this.#active;
  }

  join(): void {
    this.#asking++;
  }

  leave(): void {
    this.#asking = Math.max(0, this.#asking - 1);
    this.#budget.drain();
  }

  acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#closed) return Promise.reject(new RestoreError('INTERNAL', 'the job has ended: no more slots'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, ...(signal ? { signal } : {}) };
      if (signal) {
        waiter.onAbort = () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(signal.reason);
          this.#budget.drain();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#budget.drain();
    });
  }

  release(): void {
    if (this.#active <= 0) throw new Error('release() without acquire()');
    this.#active--;
    this.#budget.returned();
  }

  /** Leaves the budget; call once nothing is held or waiting (the job's engines have settled). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) {
      if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
      w.reject(new RestoreError('INTERNAL', 'the job has ended: no more slots'));
    }
    this.#budget.remove(this);
  }

  /** @internal */
  canTake(share: number): boolean {
    return !this.#paused && this.#waiters.length > 0 && this.#active < this.#limit && this.#active < share;
  }

  /** @internal */
  grant(): void {
    const w = this.#waiters.shift()!;
    if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
    this.#active++;
    this.#budget.taken();
    w.resolve();
  }
}
