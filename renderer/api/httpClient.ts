// The contract over browser mode's HTTP transport (electron/server/httpServer.ts): commands are
// POST /api/<command> with the token in an Authorization header, events come from one
// Server-Sent Events stream opened at once and kept open (reconnecting with Last-Event-ID).
//
// Every command waits until the event stream is connected, so an event caused by a command is
// never missed by a listener registered before the command was sent: the same guarantee the
// service gives when called directly, and IPC gives by ordering its messages.
import type {
  CallOptions,
  CallOutcome,
  CommandArgs,
  CommandName,
  CommandResult,
  EventName,
  Events,
  Listener,
  RestoreConsoleApi,
  Unsubscribe,
} from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';
import { cancelledError } from './errors.ts';
import { SseParser } from './sseReader.ts';

export interface HttpClientOptions {
  /** The server's origin, e.g. http://127.0.0.1:8123 (location.origin in the page). */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Wait before reconnecting the event stream (default 1000 ms). */
  reconnectMs?: number;
  /** Told when the event stream connects or drops (for a status line). */
  onConnection?: (connected: boolean) => void;
  /**
   * Told when the event stream connects again after a drop. Events of the gap may be lost for good
   * (the server keeps the last 1000; a restarted one has none), so the page loads its state anew.
   */
  onReconnect?: () => void;
  /** Told when the server refuses the token (401/403): it was rotated (`serve --new-token`); the stream stops. */
  onRefused?: () => void;
}

export interface HttpClient extends RestoreConsoleApi {
  /** Stops the event stream; later calls still work but see no events. */
  close(): void;
  /** Tries the event stream again now instead of after the wait (a Reconnect button). */
  retryNow(): void;
}

type AnyListener = (payload: unknown) => void;

export function httpClient(opts: HttpClientOptions): HttpClient {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const auth = `Bearer ${opts.token}`;
  const listeners = new Map<string, Set<AnyListener>>();
  const stop = new AbortController();
  let lastEventId: string | undefined;
  let connectedBefore = false;
  // retryNow between two waits: the next wait is skipped.
  let retryAsked = false;
  const askRetry = (): void => void (retryAsked = true);
  let wake = askRetry;
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));

  const dispatch = (event: string, data: string): void => {
    const set = listeners.get(event);
    if (!set?.size) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    for (const l of [...set]) {
      try {
        l(payload);
      } catch (e) {
        // A failing listener must not stop the stream or the other listeners.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  };

  async function streamOnce(): Promise<'retry' | 'stop'> {
    let res: Response;
    try {
      res = await doFetch(`${base}/api/events`, {
        headers: { Authorization: auth, Accept: 'text/event-stream', ...(lastEventId !== undefined ? { 'Last-Event-ID': lastEventId } : {}) },
        signal: stop.signal,
      });
    } catch {
      return 'retry';
    } finally {
      // Commands wait for the first attempt only, whatever its outcome (they report their own errors).
      markReady();
    }
    if (res.status === 401 || res.status === 403) {
      opts.onRefused?.();
      return 'stop';
    }
    if (!res.ok || !res.body) return 'retry';
    opts.onConnection?.(true);
    if (connectedBefore) opts.onReconnect?.();
    connectedBefore = true;
    const parser = new SseParser((m) => {
      if (m.id !== undefined) lastEventId = m.id;
      dispatch(m.event, m.data);
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch {
      // dropped: reconnect
    } finally {
      opts.onConnection?.(false);
    }
    return 'retry';
  }

  void (async () => {
    while (!stop.signal.aborted) {
      const next = await streamOnce();
      if (next === 'stop' || stop.signal.aborted) break;
      await new Promise<void>((r) => {
        if (retryAsked) return r();
        const t = setTimeout(r, opts.reconnectMs ?? 1000);
        wake = () => (clearTimeout(t), r());
      });
      retryAsked = false;
      wake = askRetry;
    }
  })();

  return {
    async invoke<C extends CommandName>(command: C, args: CommandArgs<C>, callOpts: CallOptions = {}): Promise<CommandResult<C>> {
      const { signal } = callOpts;
      if (signal?.aborted) throw cancelledError();
      await ready;
      let res: Response;
      try {
        res = await doFetch(`${base}/api/${encodeURIComponent(command)}`, {
          method: 'POST',
          headers: { Authorization: auth, 'Content-Type': 'application/json' },
          body: JSON.stringify(args ?? {}),
          ...(signal ? { signal } : {}),
        });
      } catch (e) {
        if (signal?.aborted) throw cancelledError();
        throw new RestoreError('TRANSPORT', `cannot reach the Restore Console server: ${(e as Error).message}`);
      }
      let outcome: CallOutcome<CommandResult<C>> | undefined;
      try {
        outcome = (await res.json()) as CallOutcome<CommandResult<C>>;
      } catch (e) {
        if (signal?.aborted) throw cancelledError();
        outcome = undefined;
      }
      if (!outcome || typeof outcome !== 'object' || typeof outcome.ok !== 'boolean') {
        throw new RestoreError('TRANSPORT', `the server answered HTTP ${res.status} without a contract outcome`);
      }
      if (!outcome.ok) throw RestoreError.from(outcome.error);
      return outcome.value;
    },

    on<E extends EventName>(event: E, listener: Listener<E>): Unsubscribe {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const entry: AnyListener = (payload) => listener(payload as Events[E]);
      set.add(entry);
      return () => void set.delete(entry);
    },

    close() {
      stop.abort();
      // No timer left waiting to try again.
      wake();
    },

    retryNow() {
      wake();
    },
  };
}
