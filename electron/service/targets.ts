// Looks at a restore target before a job starts (targets.check), so the UI can say what will
// happen: a new file, a file that would be replaced, or a block device that would be overwritten
// (named, with its capacity, for the confirmation), and, for a restore of a given size, what would
// stop it. It only stats; opening and the real checks stay in the engine's target writer
// (electron/engine/target.ts), which decides at start.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ContractError, TargetCheck, TargetOverwrite } from '../../shared/contract.ts';
import { blockDeviceSize } from '../engine/target.ts';

export interface RestoreIntent {
  imageSize: number;
  /** What the person allowed to be overwritten; nothing existing is, without it. */
  overwrite?: TargetOverwrite;
}

export async function checkTarget(path: string, intent?: RestoreIntent): Promise<TargetCheck> {
  const check = await look(path);
  const problem = intent && targetProblem(check, intent);
  return problem ? { ...check, problem } : check;
}

async function look(path: string): Promise<TargetCheck> {
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

/**
 * The rules a restore dialog applies before starting: a folder that must exist, an existing file
 * only when overwriting files was allowed, a block device only when it was confirmed and only when
 * it holds the image.
 */
export function targetProblem(t: TargetCheck, intent: RestoreIntent): ContractError | undefined {
  const p = t.path;
  switch (t.kind) {
    case 'directory':
      return { code: 'TARGET_NOT_WRITABLE', message: `${p} is a folder` };
    case 'other':
      return { code: 'TARGET_NOT_WRITABLE', message: `${p} is neither a file nor a block device` };
    case 'missing':
      return t.folderExists ? undefined : { code: 'TARGET_NOT_WRITABLE', message: `the folder of ${p} does not exist` };
    case 'file':
      return intent.overwrite === 'file' ? undefined : { code: 'TARGET_EXISTS', message: `${p} already exists` };
    case 'device':
      if (t.size !== undefined && t.size < intent.imageSize) return { code: 'TARGET_TOO_SMALL', message: `${p} has ${t.size} bytes, the image needs ${intent.imageSize}` };
      return intent.overwrite === 'device' ? undefined : { code: 'TARGET_EXISTS', message: `${p} is a block device: confirm that it may be overwritten` };
  }
}
