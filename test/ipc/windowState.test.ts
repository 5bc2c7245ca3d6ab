// Remembered window bounds come back only where they still fit the displays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SIZE, fitWindow } from '../../electron/main/windowState.ts';

const primary = { x: 0, y: 0, width: 1920, height: 1040 };
const right = { x: 1920, y: 0, width: 2560, height: 1400 };

test('saved bounds on a connected display are kept', () => {
  assert.deepEqual(fitWindow({ x: 2000, y: 100, width: 1400, height: 900, maximized: true }, [primary, right]), { x: 2000, y: 100, width: 1400, height: 900, maximized: true });
});

test('bounds on a display that is gone are centred on the primary one', () => {
  const w = fitWindow({ x: 2000, y: 100, width: 1400, height: 900, maximized: false }, [primary]);
  assert.deepEqual(w, { x: 260, y: 70, width: 1400, height: 900, maximized: false });
});

test('nothing saved, or garbage, gives the default size; too large is clamped', () => {
  assert.deepEqual(fitWindow(undefined, [primary]), { x: 360, y: 120, ...DEFAULT_SIZE, maximized: false });
  assert.deepEqual(fitWindow({ x: 'a' }, [primary]), fitWindow(undefined, [primary]));
  assert.deepEqual(fitWindow({ x: 0, y: 0, width: 5000, height: 5000 }, [primary]), { x: 0, y: 0, width: 1920, height: 1040, maximized: false });
  assert.deepEqual(fitWindow({ x: 10, y: 10, width: 10, height: 10 }, [primary]), { x: 10, y: 10, width: 640, height: 480, maximized: false });
});
