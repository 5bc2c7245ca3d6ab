// h2Get, the reader protocol's one request, against a bare HTTP/2 server: a body is assembled
// whole whichever order Node delivers the answer's parts in (it emits 'response' on the next tick,
// so data read in the same burst as the headers comes first), into the caller's buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect, createServer, type ClientHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { BufferPool } from '../../electron/engine/bufferPool.ts';
import { h2Get } from '../../electron/source/pbs/readerSession.ts';

test('bodies sent in one burst with their headers arrive whole, in pooled buffers, every time', async () => {
  const bodies = Array.from({ length: 8 }, (_, i) => createHash('sha512').update(`body ${i}`).digest().toString('hex').repeat(100 + i * 37));
  const server = createServer((req, res) => {
    const body = Buffer.from(bodies[Number(new URL(req.url, 'http://x').searchParams.get('i'))]!);
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const pool = new BufferPool(64 * 1024, 64);
  try {
    for (let round = 0; round < 10; round++) {
      const got = await Promise.all(
        bodies.map((_, i) => h2Get(session, `/chunk?i=${i}`, { kind: 'chunk', what: `body ${i}`, stallTimeoutMs: 10_000, alloc: (n) => pool.take(n) })),
      );
      got.forEach((b, i) => {
        assert.ok(b.toString() === bodies[i], `round ${round}: body ${i} differs`);
        assert.equal(b.buffer.byteLength, pool.capacity, 'assembled in a pooled buffer');
        pool.give(b.buffer);
      });
    }
  } finally {
    session.close();
    await new Promise((r) => server.close(r));
  }
});

/** A session whose one stream delivers its answer in the order given (what Node may do). */
function scriptedSession(events: Array<[string, ...unknown[]]>): ClientHttp2Session {
  const stream = Object.assign(new EventEmitter(), { closed: false, rstCode: 0, setTimeout: () => {}, close: () => {} });
  setImmediate(() => {
    for (const [name, ...args] of events) stream.emit(name, ...args);
    stream.emit('close');
  });
  return { request: () => stream } as unknown as ClientHttp2Session;
}

test('data that comes before its response headers is kept, at the start of the body', async () => {
  const body = Buffer.from('0123456789'.repeat(1000));
  const pool = new BufferPool(64 * 1024, 4);
  const session = scriptedSession([
    ['data', body.subarray(0, 3000)],
    ['data', body.subarray(3000, 4000)],
    ['response', { ':status': 200, 'content-length': String(body.length) }],
    ['data', body.subarray(4000)],
    ['end'],
  ]);
  const got = await h2Get(session, '/chunk', { kind: 'chunk', what: 'a chunk', stallTimeoutMs: 10_000, alloc: (n) => pool.take(n) });
  assert.ok(got.equals(body), 'the body differs');
  assert.equal(got.buffer.byteLength, pool.capacity);
  // And an answer that runs past its content-length is refused, not cut.
  const long = scriptedSession([['response', { ':status': 200, 'content-length': '10' }], ['data', body.subarray(0, 11)], ['end']]);
  await assert.rejects(h2Get(long, '/chunk', { kind: 'chunk', what: 'a chunk', stallTimeoutMs: 10_000 }), { code: 'CONNECTION_FAILED' });
});
