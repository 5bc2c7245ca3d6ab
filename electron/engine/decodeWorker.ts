// Decode worker: CRC, AES-256-GCM, zstd, SHA-256 and length checks off the main thread.
// Buffers arrive and leave through transfer lists (a 4 MiB copy costs ~2.4 ms each way, a
// transfer ~0.1 ms; docs/performance.md), so the main thread only schedules and writes. The
// stored chunk is decrypted in place and decompressed into the buffer that came with it; both go
// back to the pool.
import { PerformanceObserver } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { CryptConfig } from '../pbs/cryptConfig.ts';
import { decodeBlob } from '../pbs/dataBlob.ts';
import { RestoreError } from '../../shared/errors.ts';
import type { DecodeRequest, DecodeResponse } from './decodeMessages.ts';
import { transferable } from './decodeMessages.ts';

// Deriving id_key costs a PBKDF2 run: keep one CryptConfig per key for the worker's lifetime.
const cryptByKey = new Map<string, CryptConfig>();

function cryptFor(key: Uint8Array | undefined): CryptConfig | undefined {
  if (!key) return undefined;
  const k = Buffer.from(key).toString('hex');
  let c = cryptByKey.get(k);
  if (!c) {
    c = new CryptConfig(key);
    cryptByKey.set(k, c);
  }
  return c;
}

// This thread's garbage-collection time so far, sent with every reply (the pool sums it for the
// bench and for diagnosis: with pooled buffers a worker should hardly collect at all).
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

parentPort!.on('message', (m: DecodeRequest) => {
  const buffers = m.out ? [m.raw, m.out] : [m.raw];
  let reply: DecodeResponse;
  try {
    const raw = new Uint8Array(m.raw, m.offset, m.length);
    const crypt = cryptFor(m.key);
    const data = decodeBlob(raw, {
      expectedDigest: m.digest,
      expectedSize: m.size,
      cryptMode: m.cryptMode,
      ...(crypt ? { crypt } : {}),
      ...(m.out && m.size !== undefined ? { into: new Uint8Array(m.out, 0, m.size) } : {}),
      reuseRaw: true,
    });
    let index = buffers.indexOf(data.buffer as ArrayBuffer);
    if (index < 0) index = buffers.push(data.buffer as ArrayBuffer) - 1;
    reply = { id: m.id, gcMs, buffers, data: { index, offset: data.byteOffset, length: data.byteLength } };
  } catch (e) {
    const err = e instanceof RestoreError ? e : new RestoreError('INTERNAL', `decode worker: ${(e as Error)?.message ?? String(e)}`);
    reply = { id: m.id, gcMs, buffers, error: { code: err.code, message: err.message } };
  }
  parentPort!.postMessage(reply, transferable(reply.buffers));
});
