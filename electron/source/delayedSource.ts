// Sources whose every chunk read first awaits something: a fixed delay, a stand-in for network or
// disk latency (a PBS server across a WAN, spinning disks) without noise, used by the benchmark's
// latency scenarios and serve's test hook that slows restores for the browser tests; or any wait a
// test controls (test/helpers/gate.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { SnapshotRef } from '../pbs/names.ts';
import type { BackupSource, SnapshotReader } from './chunkSource.ts';

/** `source`, with `wait(signal)` awaited before every chunk read; everything else passes through. */
export function beforeEachChunk(source: BackupSource, wait: (signal?: AbortSignal) => Promise<void>): BackupSource {
  return {
    label: source.label,
    ...(source.localPath !== undefined ? { localPath: source.localPath } : {}),
    listNamespaces: (p) => source.listNamespaces(p),
    listGroups: (ns) => source.listGroups(ns),
    listSnapshots: (ns, g) => source.listSnapshots(ns, g),
    async openSnapshot(ref: SnapshotRef, signal?: AbortSignal): Promise<SnapshotReader> {
      const r = await source.openSnapshot(ref, signal);
      return {
        ref: r.ref,
        readFile: (n, s, max) => r.readFile(n, s, max),
        close: () => r.close(),
        async readChunk(digest, signal, max, alloc) {
          await wait(signal);
          return r.readChunk(digest, signal, max, alloc);
        },
      };
    },
  };
}

export function withChunkDelay(source: BackupSource, ms: number): BackupSource {
  return beforeEachChunk(source, (signal) => sleep(ms, undefined, signal ? { signal } : {}));
}
