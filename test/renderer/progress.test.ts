// The renderer's rules for progress, as plain functions: counters only go up and never pass the
// total, stale job views never replace newer ones, and nothing moves after a final state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProgressEvent, mergeJob, mergeProgress } from '../../renderer/store/progressMerge.ts';
import { createJobsSlice, type JobsSlice } from '../../renderer/store/jobsSlice.ts';
import { forgetSamples, recordSample, samplesOf } from '../../renderer/store/samples.ts';
import type { RestoreConsoleApi } from '../../shared/contract.ts';
import { job, sample } from './fixtures.ts';

test('counters never go backwards and never pass the total', () => {
  const a = sample({ at: 1000, doneBytes: 500, doneChunks: 5, sourceBytes: 300 });
  const b = mergeProgress(a, sample({ at: 1100, doneBytes: 400, doneChunks: 6, sourceBytes: 200, inFlight: 3 }));
  assert.equal(b.doneBytes, 500);
  assert.equal(b.doneChunks, 6);
  assert.equal(b.sourceBytes, 300);
  assert.equal(b.inFlight, 3, 'gauges follow the newest sample');
  assert.equal(mergeProgress(b, sample({ at: 900, doneBytes: 900 })), b, 'an older sample is dropped');
  const over = mergeProgress(undefined, sample({ doneBytes: 1200, doneChunks: 11 }));
  assert.equal(over.doneBytes, 1000);
  assert.equal(over.doneChunks, 10);
});

test('a stale job view never replaces a newer one', () => {
  const running = job({ state: 'running', progress: sample({ at: 2000, doneBytes: 100 }) });
  // jobs.start answered "queued" after the event that said "running".
  assert.equal(mergeJob(running, job({ state: 'queued' })).state, 'running');
  // A pause answered after the resume event: the later progress sample wins.
  const resumed = job({ state: 'running', progress: sample({ at: 3000, doneBytes: 200 }) });
  const lateAnswer = job({ state: 'paused', progress: sample({ at: 2500, paused: true, doneBytes: 150 }) });
  assert.equal(mergeJob(resumed, lateAnswer).state, 'running');
  assert.equal(mergeJob(resumed, lateAnswer).progress?.doneBytes, 200);
  // In order, states move on.
  assert.equal(mergeJob(running, job({ state: 'paused', progress: sample({ at: 2100, paused: true }) })).state, 'paused');
  // Final is final.
  const done = job({ state: 'cancelled', progress: sample({ at: 4000, doneBytes: 300 }) });
  assert.equal(mergeJob(done, job({ state: 'running', progress: sample({ at: 5000, doneBytes: 900 }) })), done);
  assert.equal(applyProgressEvent(done, sample({ at: 5000, doneBytes: 900 })), done, 'progress after a final state was applied');
});

test('the jobs slice merges events, keeps logs in order and forgets removed jobs', () => {
  let state = {} as JobsSlice;
  const set = (p: Partial<JobsSlice> | ((s: JobsSlice) => Partial<JobsSlice>)): void => {
    state = { ...state, ...(typeof p === 'function' ? p(state) : p) };
  };
  state = (createJobsSlice as unknown as (s: typeof set, g: () => JobsSlice) => JobsSlice)(set, () => state);
  state.upsertJobs([job({ progress: sample({ at: 1000, doneBytes: 10 }) })]);
  state.applyProgress('j1', sample({ at: 1100, doneBytes: 20 }));
  state.applyProgress('j1', sample({ at: 1050, doneBytes: 15 }));
  state.applyProgress('nope', sample());
  assert.equal(state.jobs.j1!.progress!.doneBytes, 20);
  state.addLogLines('j1', [{ seq: 3, at: 3, level: 'info', message: 'c' }]);
  state.addLogLines('j1', [
    { seq: 1, at: 1, level: 'info', message: 'a' },
    { seq: 3, at: 3, level: 'info', message: 'c' },
  ]);
  assert.deepEqual(state.jobLogs.j1!.map((l) => l.message), ['a', 'c']);
  state.setRequested('j1', 8);
  assert.equal(state.requested.j1, 8);
  state.setRequested('j1', undefined);
  assert.equal('j1' in state.requested, false);
  state.removeJob('j1');
  assert.deepEqual(state.jobs, {});
  assert.deepEqual(state.jobLogs, {});
});

test('the sample history drops repeats and thins out long runs', () => {
  forgetSamples('h');
  recordSample('h', sample({ at: 1 }));
  recordSample('h', sample({ at: 1 }));
  assert.equal(samplesOf('h').length, 1);
  for (let i = 2; i <= 12_500; i++) recordSample('h', sample({ at: i, elapsedMs: i }));
  const h = samplesOf('h');
  assert.ok(h.length <= 12_000 && h.length > 6000, `${h.length} samples kept`);
  assert.equal(h[0]!.at, 1, 'the start of the run was dropped');
  assert.equal(h.at(-1)!.at, 12_500);
  for (let i = 1; i < h.length; i++) assert.ok(h[i]!.at > h[i - 1]!.at);
  forgetSamples('h');
});

test('a removed job leaves no samples behind: the listener forgets them on job.removed', async () => {
  const { startListener } = await import('../../renderer/store/listener.ts');
  const { useStore } = await import('../../renderer/store/index.ts');
  const listeners = new Map<string, (payload: unknown) => void>();
  const api = {
    on: (event: string, l: (payload: unknown) => void) => {
      listeners.set(event, l);
      return () => listeners.delete(event);
    },
    invoke: () => Promise.reject(new Error('not used')),
  } as unknown as RestoreConsoleApi;
  const stop = startListener(api);
  try {
    listeners.get('job')!(job({ id: 'gone', state: 'running', progress: sample({ at: 10 }) }));
    listeners.get('progress')!({ jobId: 'gone', progress: sample({ at: 20 }) });
    assert.equal(samplesOf('gone').length, 2);
    listeners.get('job.removed')!({ id: 'gone' });
    assert.equal(samplesOf('gone').length, 0, 'the samples of a removed job stayed in memory');
    assert.equal(useStore.getState().jobs.gone, undefined);
  } finally {
    stop();
  }
});
