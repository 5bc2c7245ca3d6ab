// A restore that kills itself (SIGKILL, no cleanup of any kind) at a chosen point, for the crash
// tests in crash.test.ts. Usage: crashChild.ts DATASTORE TYPE/ID/TIME ARCHIVE TARGET POINT, where
// POINT is `chunks:N` (after the N-th chunk was written), `midwrite:K` (half way through writing
// the K-th state file, the first being the one written before any chunk) or `saved:K` (right
// after the K-th save). To reach every K whatever the machine's speed, chunks are read one at a
// time and each read waits until every chunk written so far is on record: one save per chunk.
import { prepareRestore } from '../../electron/engine/restoreJob.ts';
import type { ChunkEvent } from '../../electron/engine/restoreEngine.ts';
import { parseSnapshotRef } from '../../electron/pbs/names.ts';
import { beforeEachChunk } from '../../electron/source/delayedSource.ts';
import { LocalDatastore } from '../../electron/source/localDatastore.ts';

const [store, snapshot, archive, target, point] = process.argv.slice(2) as [string, string, string, string, string];
const [what, nText] = point.split(':') as [string, string];
const n = Number(nText);
const die = (): void => void process.kill(process.pid, 'SIGKILL');

let stateWrites = 0;
let saves = 0;
let written = 0;
let recorded = -1;
let waiting: (() => void) | undefined;
const settled = (): boolean => recorded === written + (job.target?.resumed?.size ?? 0) && job.engine.progress().writing === 0;
const recheck = (): void => {
  if (waiting && settled()) {
    const go = waiting;
    waiting = undefined;
    go();
  }
};

const job = await prepareRestore({
  source: beforeEachChunk(await LocalDatastore.open(store), () => (settled() ? Promise.resolve() : new Promise<void>((r) => (waiting = r)))),
  ref: parseSnapshotRef(snapshot, ''),
  archive,
  target: { path: target, resume: true },
  concurrency: 1,
  recorder: {
    saveAfterChunks: 1,
    hooks: { midWrite: () => (what === 'midwrite' && ++stateWrites === n ? die() : undefined) },
    onSaved: (done) => {
      recorded = done.size;
      if (what === 'saved' && ++saves === n) die();
      recheck();
    },
  },
});
recorded = job.target?.resumed?.size ?? 0;
job.engine.on('chunk', (e: ChunkEvent) => {
  if (e.state !== 2) return;
  written++;
  if (what === 'chunks' && written === n) die();
  recheck();
});
const s = await job.run();
// Reaching the end means the point was never reached: the test treats that as a failure.
process.stdout.write(`${JSON.stringify({ finished: s.status })}\n`);
