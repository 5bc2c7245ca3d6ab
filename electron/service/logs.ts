// The service log: a bounded ring of entries in memory, readable with logs.get and pushed as
// 'log' events; each job also keeps its own last lines in its history record. Every message
// passes the redactor first, so a secret that reached an error text (an auth header echoed by a
// server, say) is never shown or stored.
import type { ContractErrorCode, LogEntry, LogLevel } from '../../shared/contract.ts';

export interface LogInput {
  jobId?: string;
  sourceId?: string;
  code?: ContractErrorCode;
}

export class LogBook {
  readonly #entries: LogEntry[] = [];
  readonly #capacity: number;
  readonly #redact: (text: string) => string;
  readonly #onEntry: (e: LogEntry) => void;
  #seq = 0;

  constructor(opts: { capacity?: number; redact: (text: string) => string; onEntry: (e: LogEntry) => void }) {
    this.#capacity = opts.capacity ?? 2000;
    this.#redact = opts.redact;
    this.#onEntry = opts.onEntry;
  }

  add(level: LogLevel, message: string, ctx: LogInput = {}): LogEntry {
    const entry: LogEntry = {
      seq: ++this.#seq,
      at: Date.now(),
      level,
      message: this.#redact(message),
      ...(ctx.jobId ? { jobId: ctx.jobId } : {}),
      ...(ctx.sourceId ? { sourceId: ctx.sourceId } : {}),
      ...(ctx.code ? { code: ctx.code } : {}),
    };
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity);
    this.#onEntry(entry);
    return entry;
  }

  get(q: { jobId?: string; afterSeq?: number; limit?: number }): LogEntry[] {
    const after = q.afterSeq ?? 0;
    const matching = this.#entries.filter((e) => e.seq > after && (!q.jobId || e.jobId === q.jobId));
    const limit = q.limit ?? 500;
    return matching.slice(0, limit);
  }
}
