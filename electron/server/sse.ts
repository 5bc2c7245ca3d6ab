// Server-Sent Events for browser mode: every contract event, in the order the service emitted
// it, as `id: <seq>` / `event: <name>` / `data: <json>`. The last events are kept so a client
// that reconnects with Last-Event-ID misses nothing that is still in the buffer. A client that
// stops reading is dropped once its backlog is large (it reconnects and catches up), so one
// stuck tab cannot grow the server's memory.
import type { ServerResponse } from 'node:http';
import type { EventName, Events } from '../../shared/contract.ts';

interface Stored {
  id: number;
  text: string;
}

const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

export class SseHub {
  readonly #clients = new Set<ServerResponse>();
  readonly #buffer: Stored[] = [];
  readonly #capacity: number;
  readonly #heartbeat: NodeJS.Timeout;
  #seq = 0;

  constructor(opts: { capacity?: number; heartbeatMs?: number } = {}) {
    this.#capacity = opts.capacity ?? 1000;
    this.#heartbeat = setInterval(() => this.#write(': ping\n\n'), opts.heartbeatMs ?? 15000);
    this.#heartbeat.unref();
  }

  get clients(): number {
    return this.#clients.size;
  }

  publish<E extends EventName>(event: E, payload: Events[E]): void {
    const id = ++this.#seq;
    const text = `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    this.#buffer.push({ id, text });
    if (this.#buffer.length > this.#capacity) this.#buffer.shift();
    this.#write(text);
  }

  /** Starts a stream; replays what followed `lastEventId` when it is still buffered. */
  attach(res: ServerResponse, lastEventId: string | undefined, headers: Record<string, string>): void {
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n: connected\n\n');
    const last = Number(lastEventId);
    if (lastEventId !== undefined && Number.isInteger(last)) {
      for (const s of this.#buffer) if (s.id > last) res.write(s.text);
    }
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
  }

  close(): void {
    clearInterval(this.#heartbeat);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #write(text: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > MAX_BACKLOG_BYTES) {
        this.#clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }
}
