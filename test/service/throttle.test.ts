// The progress throttle: at most one run per interval however often it is poked, the first poke
// after a quiet interval served at once, later pokes coalesced into one run at the interval's end.
// On mocked timers and clock, so the spacing is exact and nothing waits on real time.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Throttle } from '../../electron/service/throttle.ts';

function harness() {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const runs: number[] = [];
  const t = new Throttle(100, () => runs.push(Date.now()), () => Date.now());
  return { t, runs, tick: (ms: number) => mock.timers.tick(ms) };
}

test('a storm of pokes runs at most once per interval, each run at least the interval apart', () => {
  const { t, runs, tick } = harness();
  try {
    for (let ms = 0; ms < 1000; ms++) {
      t.poke();
      t.poke();
      tick(1);
    }
    tick(200);
    assert.ok(runs.length >= 9 && runs.length <= 11, `${runs.length} runs`);
    for (let i = 1; i < runs.length; i++) assert.ok(runs[i]! - runs[i - 1]! >= 100, `runs ${i - 1} and ${i}: ${runs[i - 1]} → ${runs[i]}`);
  } finally {
    mock.timers.reset();
  }
});

test('the first poke after a quiet interval runs on the next turn; a poke inside the interval waits for its end', () => {
  const { t, runs, tick } = harness();
  try {
    tick(500);
    t.poke();
    tick(0);
    assert.deepEqual(runs, [500]);
    tick(30);
    t.poke();
    tick(69);
    assert.deepEqual(runs, [500], 'ran inside the interval');
    tick(1);
    assert.deepEqual(runs, [500, 600]);
  } finally {
    mock.timers.reset();
  }
});

test('flush runs now and cancels the pending run; after stop nothing runs', () => {
  const { t, runs, tick } = harness();
  try {
    t.poke();
    tick(0);
    t.poke();
    tick(10);
    t.flush();
    assert.deepEqual(runs, [0, 10]);
    tick(200);
    assert.deepEqual(runs, [0, 10], 'the cancelled run still ran');
    t.poke();
    t.stop();
    tick(500);
    t.poke();
    t.flush();
    tick(500);
    assert.deepEqual(runs, [0, 10]);
  } finally {
    mock.timers.reset();
  }
});
