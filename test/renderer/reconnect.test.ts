// Browser mode after its event stream drops: the server keeps only its last 1000 events, and a
// restarted one has none, so what was missed may be gone for good. The client says when the stream
// is back after a drop, and the page then loads jobs, sources, settings and the demo status again:
// a job that was "running" when the server went away shows its real end, one the server no
// longer has goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandName, RestoreConsoleApi } from '../../shared/contract.ts';
import { httpClient } from '../../renderer/api/httpClient.ts';
import { reloadAfterReconnect } from '../../renderer/store/listener.ts';
import { useStore } from '../../renderer/store/index.ts';
import { job, sample } from './fixtures.ts';

/** An event stream that ends at once (a drop), then one that stays open until the client closes. */
function fakeServer(): { fetch: typeof fetch; streams: number } {
  const state = { streams: 0, fetch: undefined as unknown as typeof fetch };
  state.fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    if (!String(url).endsWith('/api/events')) return new Response(JSON.stringify({ ok: true, value: null }));
    const n = ++state.streams;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(`id: ${n}\nevent: settings\ndata: {}\n\n`));
        if (n === 1) c.close();
        else init?.signal?.addEventListener('abort', () => c.error(new Error('closed')));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
  return state;
}

test('the HTTP client tells when its event stream is back after a drop, not on the first connection', async () => {
  const server = fakeServer();
  let reconnects = 0;
  let connections = 0;
  const back = new Promise<void>((resolve) => {
    const client = httpClient({
      baseUrl: 'http://127.0.0.1:1',
      token: 't',
      fetch: server.fetch,
      reconnectMs: 0,
      onConnection: (up) => void (up && connections++),
      onReconnect: () => {
        reconnects++;
        client.close();
        resolve();
      },
    });
  });
  await back;
  assert.equal(server.streams, 2);
  assert.equal(connections, 2);
  assert.equal(reconnects, 1);
});

test('after a reconnect the page reloads its state: a stale running job shows its end, a vanished one goes', async () => {
  const st = useStore.getState();
  st.upsertJobs([job({ id: 'was-running', state: 'running', progress: sample({ at: 5000, doneBytes: 400 }) }), job({ id: 'gone', state: 'succeeded' })]);
  const failed = job({ id: 'was-running', state: 'failed', error: { code: 'INTERRUPTED', message: 'the app stopped while this job ran' } });
  const answers: Partial<Record<CommandName, unknown>> = {
    'jobs.list': [failed],
    'sources.list': [{ id: 'src-1', label: 'store', config: { kind: 'datastore', path: '/s' }, secret: 'none', addedAt: 1 }],
    'settings.get': { ...st.settings, maxRunningJobs: 7 },
    'demo.status': { state: 'ready', doneBytes: 1, totalBytes: 1 },
    'files.jobs': [],
  };
  const asked: string[] = [];
  const api = {
    invoke: async (command: CommandName) => {
      asked.push(command);
      return answers[command];
    },
    on: () => () => {},
  } as unknown as RestoreConsoleApi;
  await reloadAfterReconnect(api);
  assert.deepEqual(asked.sort(), ['demo.status', 'files.jobs', 'jobs.list', 'settings.get', 'sources.list']);
  const now = useStore.getState();
  assert.deepEqual(Object.keys(now.jobs), ['was-running']);
  assert.equal(now.jobs['was-running']!.state, 'failed');
  assert.equal(now.settings?.maxRunningJobs, 7);
  assert.equal(now.demo?.state, 'ready');
  assert.deepEqual(now.sources?.map((s) => s.id), ['src-1']);
});

test('Reconnect tries the stream again at once; a refused token stops it and says so', async () => {
  // The stream drops at once every time; the wait before trying again is an hour, so only
  // retryNow can bring the second attempt.
  let attempts = 0;
  let second!: () => void;
  const secondSeen = new Promise<void>((r) => (second = r));
  const dropping = (async () => {
    if (++attempts === 2) second();
    return new Response(new ReadableStream({ start: (c) => c.close() }), { headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
  let down!: () => void;
  const wentDown = new Promise<void>((r) => (down = r));
  const client = httpClient({ baseUrl: 'http://127.0.0.1:1', token: 't', fetch: dropping, reconnectMs: 3_600_000, onConnection: (up) => void (up || down()) });
  await wentDown;
  client.retryNow();
  await secondSeen;
  client.close();
  assert.equal(attempts, 2);

  // 401: the token was rotated; told once, and no more attempts.
  let refusedCalls = 0;
  let refused!: () => void;
  const wasRefused = new Promise<void>((r) => (refused = r));
  const tries: number[] = [];
  const refusing = (async () => {
    tries.push(1);
    return new Response('{}', { status: 401 });
  }) as typeof fetch;
  const c2 = httpClient({ baseUrl: 'http://127.0.0.1:1', token: 'old', fetch: refusing, reconnectMs: 0, onRefused: () => (refusedCalls++, refused()) });
  await wasRefused;
  c2.retryNow();
  await new Promise((r) => setImmediate(r));
  c2.close();
  assert.deepEqual([refusedCalls, tries.length], [1, 1]);
});
