// Looks at a restore target before a job starts (targets.check), so the UI can say what will
// happen: a new file, a file that would be replaced, or a block device that would be overwritten
// (named, with its capacity, for the confirmation). It only stats; opening and the real checks
// stay in the engine's target writer (electron/engine/target.ts), which decides at start.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { TargetCheck } from '../../shared/contract.ts';
import { blockDeviceSize } from '../engine/target.ts';

export async function checkTarget(path: string): Promise<TargetCheck> {
  const abs = resolve(path);
  const st = await stat(abs).catch(() => undefined);
  if (!st) {
    const folder = await stat(dirname(abs)).catch(() => undefined);
    return { path: abs, kind: 'missing', folderExists: !!folder?.isDirectory() };
  }
  if (st.isBlockDevice()) {
    const size = await blockDeviceSize(st.rdev);
    return { path: abs, kind: 'device', ...(size !== undefined ? { size } : {}) };
  }
  if (st.isFile()) return { path: abs, kind: 'file', size: st.size };
  if (st.isDirectory()) return { path: abs, kind: 'directory' };
  return { path: abs, kind: 'other' };
}
