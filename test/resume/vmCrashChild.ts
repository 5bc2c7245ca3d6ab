// A whole-VM restore (every disk of a snapshot into a folder, resuming what an earlier run left)
// that kills itself with SIGKILL at a chosen point, for vmCrash.test.ts. Usage:
// vmCrashChild.ts DATASTORE TYPE/ID/TIME DIR POINT, where POINT is `chunks:N` (after the N-th
// chunk written over all disks), `disk:K` (right after the K-th disk finished: moved into place,
// its state removed) or `saved:K` (right after the K-th state save over all disks). As in
// crashChild.ts, chunks are read one at a time and each read waits until every chunk written so
// far is on record, so every point is reached whatever the machine's speed.
import { prepareSnapshotRestore } from '../../electron/engine/snapshotRestore.ts';
import type { DiskChunkEvent } from '../../electron/engine/multiRestore.ts';
import { parseSnapshotRef } from '../../electron/pbs/names.ts';
import { beforeEachChunk } from '../../electron/source/delayedSource.ts';
import { LocalDatastore } from '../../electron/source/localDatastore.ts';

const [store, snapshot, dir, point] = process.argv.slice(2) as [string, string, string, string];
const [what, nText] = point.split(':') as [string, string];
const n = Number(nText);
const die = (): void => void process.kill(process.pid, 'SIGKILL');

let saves = 0;
let disksEnded = 0;
let written = 0;
const writtenBy: number[] = [];
/** Chunks on record per state file; finished disks count whole from the start. */
const recorded = new Map<string, number>();
let already = 0;
let waiting: (() => void) | undefined;
const onRecord = (): number => [...recorded.values()].reduce((s, x) => s + x, 0);
const settled = (): boolean => onRecord() === already + written && job.multi.progress().writing === 0;
const recheck = (): void => {
  if (waiting && settled()) {
    const go = waiting;
    waiting = undefined;
    go();
  }
};

const job = await prepareSnapshotRestore({
  source: beforeEachChunk(await LocalDatastore.open(store), () => (settled() ? Promise.resolve() : new Promise<void>((r) => (waiting = r)))),
  ref: parseSnapshotRef(snapshot, ''),
  mode: 'restore',
  disks: 'all',
  dir,
  resume: true,
  concurrency: 1,
  recorder: {
    saveAfterChunks: 1,
    onSaved: (done, statePath) => {
      recorded.set(statePath, done.size);
      if (what === 'saved' && ++saves === n) die();
      recheck();
    },
  },
});
for (const d of job.disks) {
  const size = d.opened?.resumed?.size ?? 0;
  already += size;
  recorded.set(d.opened!.target.statePath, size);
}
job.multi.on('chunk', (e: DiskChunkEvent) => {
  if (e.state !== 2) return;
  written++;
  writtenBy[e.disk] = (writtenBy[e.disk] ?? 0) + 1;
  if (what === 'chunks' && written === n) die();
  recheck();
});
job.multi.on('disk', (i, s) => {
  if (s.status !== 'succeeded') return;
  if (what === 'disk' && ++disksEnded === n) die();
  // A finished disk is durable whole (synced, in place) though its last chunks were never saved
  // in its state (the state is removed instead).
  const o = job.disks[i]!.opened!;
  recorded.set(o.target.statePath, (o.resumed?.size ?? 0) + (writtenBy[i] ?? 0));
  recheck();
});
const s = await job.run();
// Reaching the end means the point was never reached: the test treats that as a failure.
process.stdout.write(`${JSON.stringify({ finished: s.status })}\n`);
