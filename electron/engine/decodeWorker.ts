// Decode worker: CRC, AES-256-GCM, zstd, SHA-256 and length checks off the main thread.
// Buffers arrive and leave through transfer lists (a 4 MiB copy costs ~2.4 ms each way, a
// transfer ~0.1 ms; docs/performance.md), so the main thread only schedules and writes.
import { parentPort } from 'node:worker_threads';
import { CryptConfig } from '../pbs/cryptConfig.ts';
import { decodeBlob } from '../pbs/dataBlob.ts';
import { RestoreError } from '../../shared/errors.ts';
import type { DecodeRequest, DecodeResponse } from './decodeMessages.ts';
import { transferList } from './decodeMessages.ts';

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

parentPort!.on('message', (m: DecodeRequest) => {
  let reply: DecodeResponse;
  try {
    const raw = new Uint8Array(m.raw, m.offset, m.length);
    const crypt = cryptFor(m.key);
    const data = decodeBlob(raw, {
      expectedDigest: m.digest,
      expectedSize: m.size,
      cryptMode: m.cryptMode,
      ...(crypt ? { crypt } : {}),
    });
    reply = { id: m.id, data: data.buffer as ArrayBuffer, offset: data.byteOffset, length: data.byteLength };
    parentPort!.postMessage(reply, transferList(data));
  } catch (e) {
    const err = e instanceof RestoreError ? e : new RestoreError('INTERNAL', `decode worker: ${(e as Error)?.message ?? String(e)}`);
    reply = { id: m.id, error: { code: err.code, message: err.message } };
    parentPort!.postMessage(reply);
  }
});
