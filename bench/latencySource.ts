// Wraps a source so every chunk read waits a fixed time first: a stand-in for network or disk
// latency (a PBS server across a WAN, spinning disks), in the same process and without noise.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BackupSource, SnapshotReader } from '../electron/source/chunkSource.ts';
import type { SnapshotRef } from '../electron/pbs/names.ts';

export function withLatency(source: BackupSource, ms: number): BackupSource {
  return {
    label: `${source.label} +${ms} ms`,
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
          await sleep(ms, undefined, { signal });
          return r.readChunk(digest, signal);
        },
      };
    },
  };
}
