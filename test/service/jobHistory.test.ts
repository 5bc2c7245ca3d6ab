// What the job page reads agrees with itself, live and after a restart: the chunk map goes out with
// the progress samples (so the map and the counters come from the same instant, and the last map
// equals the last counters), and a finished job keeps a thinned throughput history and its final
// map in its record, so its chart and map are there after a restart. Also auto's words in the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChunkMap } from '../../shared/contract.ts';
import { ChunkState, countStates, decodeChunkMap } from '../../shared/chunkMap.ts';
import type { ProgressCounters } from '../../shared/progress.ts';
import { MAX_KEPT_SAMPLES, SampleSeries } from '../../shared/sampleSeries.ts';
import { RestoreService } from '../../electron/service/service.ts';
import { smallDemo } from '../helpers/demo.ts';
import { EventRecorder } from '../helpers/events.ts';
import { tempDir } from '../helpers/tmp.ts';
import { sample } from '../renderer/fixtures.ts';
import { archiveOf, sel } from './scenarios.ts';

const demo = await smallDemo();
const web = archiveOf(demo, 'vm', '100', 'drive-scsi0.img.fidx');

/** The map's counts as the progress counts them: chunks done (zero included), zero, in flight or writing. */
function mapCounts(map: ChunkMap): { done: number; zero: number; busy: number; total: number } {
  const n = countStates(decodeChunkMap(map));
  return { done: n[ChunkState.done]! + n[ChunkState.zero]!, zero: n[ChunkState.zero]!, busy: n[ChunkState.inFlight]!, total: map.total };
}

test('the chunk map keeps step with the counters, and a finished job keeps its chart and map across a restart', async () => {
  const dir = await tempDir();
  const first = await RestoreService.create({ dataDir: dir, demo: false });
  const src = await first.invoke('sources.add', { config: { kind: 'datastore', path: demo.dir }, label: 'store' });
  const events = new EventRecorder(first);
  const job = await first.invoke('jobs.start', { mode: 'verify', sourceId: src.id, snapshot: sel(web), archive: web.archive, concurrency: 'auto' });
  // While it runs (or, on a fast machine, once it ended): the series so far, for a page opened late.
  await events.waitFor('progress', (p) => p.jobId === job.id);
  const during = await first.invoke('jobs.samples', { id: job.id });
  assert.ok(during.length >= 1 && during.every((p) => p.totalChunks === web.chunks));
  const final = await events.finalJob(job.id);
  assert.equal(final.state, 'succeeded');

  // Every progress sample follows a map read in the same instant: their counts agree exactly.
  let map: ChunkMap | undefined;
  let checked = 0;
  let last: ProgressCounters | undefined;
  for (const r of events.all) {
    if (r.event === 'chunkMap' && r.payload.jobId === job.id) map = r.payload.map;
    if (r.event !== 'progress' || r.payload.jobId !== job.id) continue;
    const p = r.payload.progress;
    last = p;
    assert.ok(map, 'a progress sample before any map');
    const c = mapCounts(map);
    assert.deepEqual([c.done, c.zero, c.total], [p.doneChunks, p.zeroChunks, p.totalChunks], `the map disagrees with the counters at ${p.elapsedMs} ms`);
    assert.equal(c.busy, p.inFlight + p.writing, `in flight on the map vs the counters at ${p.elapsedMs} ms`);
    checked++;
  }
  assert.ok(checked >= 2 && last);
  // The last word: all done, nothing in flight, map and counters equal.
  const end = mapCounts(map!);
  assert.deepEqual([end.done, end.busy, last.doneChunks, last.inFlight], [last.totalChunks, 0, last.totalChunks, 0]);
  // Auto said what it did, in words, and ended with a summary in the log and the job's summary.
  assert.match(final.summary?.auto ?? '', /^auto (settled at \d+ after [\d.]+ s|did not settle before the job ended)/);
  const log = (await first.invoke('logs.get', { jobId: job.id })).map((e) => e.message);
  assert.ok(log.includes(final.summary!.auto!), 'the auto summary is not in the job log');
  assert.ok(!log.some((m) => /probe|paid|Little/.test(m)), `jargon in the log:\n${log.join('\n')}`);
  const samplesBefore = await first.invoke('jobs.samples', { id: job.id });
  const mapBefore = await first.invoke('jobs.chunkMap', { id: job.id });
  await first.close();

  const second = await RestoreService.create({ dataDir: dir, demo: false });
  try {
    // The chart's samples and the final map, as they were before the restart.
    const samples = await second.invoke('jobs.samples', { id: job.id });
    assert.ok(samples.length >= 2 && samples.length <= MAX_KEPT_SAMPLES, `${samples.length} samples kept`);
    assert.deepEqual(samples, samplesBefore);
    const lastKept = samples.at(-1)!;
    assert.deepEqual([lastKept.doneBytes, lastKept.elapsedMs], [last.doneBytes, last.elapsedMs], 'the kept history does not end where the job did');
    for (let i = 1; i < samples.length; i++) assert.ok(samples[i]!.elapsedMs >= samples[i - 1]!.elapsedMs && samples[i]!.doneBytes >= samples[i - 1]!.doneBytes);
    const kept = await second.invoke('jobs.chunkMap', { id: job.id });
    assert.deepEqual(kept, mapBefore);
    assert.deepEqual(mapCounts(kept!), end);
  } finally {
    await second.close();
  }

  // A damaged history (edited by hand, another version) loses the chart and the map, not the job.
  const file = join(dir, 'jobs.json');
  const saved = JSON.parse(await readFile(file, 'utf8'));
  saved.jobs[0].samples = [[1, 2, 'x']];
  saved.jobs[0].maps = [{ total: 3, encoding: 'packed2', data: '<script>', failed: [] }];
  await writeFile(file, JSON.stringify(saved));
  const third = await RestoreService.create({ dataDir: dir, demo: false });
  try {
    assert.equal((await third.invoke('jobs.get', { id: job.id })).state, 'succeeded');
    assert.deepEqual(await third.invoke('jobs.samples', { id: job.id }), []);
    assert.equal(await third.invoke('jobs.chunkMap', { id: job.id }), null);
  } finally {
    await third.close();
  }
});

test('the kept history is bounded, spans the whole run and keeps where pauses began and ended', () => {
  const series = new SampleSeries(300);
  // 20 minutes at 10 Hz with a pause from 600 s to 660 s.
  for (let t = 0; t <= 1_200_000; t += 100) series.add(sample({ at: t, elapsedMs: t, doneBytes: t * 1000, paused: t >= 600_000 && t < 660_000 }));
  const kept = series.samples;
  assert.ok(kept.length <= 300 && kept.length >= 100, `${kept.length} kept`);
  assert.equal(kept[0]![0], 0);
  assert.equal(kept.at(-1)![0], 1_200_000, 'the last sample is not the end of the run');
  const edges = kept.filter((s, i) => i > 0 && s[5] !== kept[i - 1]![5]).map((s) => s[0]);
  assert.deepEqual(edges, [600_000, 660_000]);
  // Evenly thinned: no gap much wider than the run over the points.
  const gaps = kept.slice(1).map((s, i) => s[0] - kept[i]![0]);
  assert.ok(Math.max(...gaps) <= (4 * 1_200_000) / kept.length, `widest gap ${Math.max(...gaps)} ms`);
});
