// A source whose every chunk read waits a fixed time first: a stand-in for network or disk latency
// (a PBS server across a WAN, spinning disks) without noise. Used by the benchmark's latency
// scenarios and by serve's test hook that slows restores down for the browser tests.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SnapshotRef } from '../pbs/names.ts';
import type { BackupSource, SnapshotReader } from './chunkSource.ts';

export function withChunkDelay(source: BackupSource, ms: number): BackupSource {
  return {
    label: source.label,
    listNamespaces: (p) => source.listNamespaces(p),
    listGroups: (ns) => source.listGroups(ns),
    listSnapshots: (ns, g) => source.listSnapshots(ns, g),
    async openSnapshot(ref: SnapshotRef): Promise<SnapshotReader> {
      const r = await source.openSnapshot(ref);
      return {
        ref: r.ref,
        readFile: (n, s) => r.readFile(n, s),
        close: () => r.close(),
        async readChunk(digest, signal) {
          await sleep(ms, undefined, signal ? { signal } : {});
          return r.readChunk(digest, signal);
        },
      };
    },
  };
}
