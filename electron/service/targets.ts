// Looks at a restore target before a job starts (targets.check), so the UI can say what will
// happen: a new file, a file that would be replaced, or a block device that would be overwritten
// (named, with its capacity, for the confirmation), an unfinished restore's `.partial` file and how
// far its resume state says it got, and, for a restore of a given size, what would stop it. It
// only stats and reads; opening and the real checks stay in the engine's target writer
// (electron/engine/target.ts, resumableTarget.ts), which decides at start.
import { lstat, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ContractError, PartialTarget, TargetCheck, TargetOverwrite } from '../../shared/contract.ts';
import { toContractError } from '../../shared/errors.ts';
import { readState, statePathFor } from '../engine/resumeState.ts';
import { blockDeviceSize } from '../engine/target.ts';

export interface RestoreIntent {
  imageSize: number;
  /** What the person allowed to be overwritten; nothing existing is, without it. */
  overwrite?: TargetOverwrite;
  /** Continue an unfinished restore's partial file (when there is one). */
  resume?: boolean;
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
    const partial = folder?.isDirectory() ? await partialAt(abs) : undefined;
    return { path: abs, kind: 'missing', folderExists: !!folder?.isDirectory(), ...(partial ? { partial } : {}) };
  }
  if (st.isBlockDevice()) {
    const size = await blockDeviceSize(st.rdev);
    return { path: abs, kind: 'device', ...(size !== undefined ? { size } : {}) };
  }
  if (st.isFile()) {
    const partial = await partialAt(abs);
    return { path: abs, kind: 'file', size: st.size, ...(partial ? { partial } : {}) };
  }
  if (st.isDirectory()) return { path: abs, kind: 'directory' };
  return { path: abs, kind: 'other' };
}

/** The partial file an unfinished restore to `abs` left, with what its resume state says. */
async function partialAt(abs: string): Promise<PartialTarget | undefined> {
  const path = `${abs}.partial`;
  if (!(await lstat(path).catch(() => undefined))) return undefined;
  const statePath = statePathFor({ path: abs, kind: 'file' }, '');
  try {
    const s = await readState(statePath);
    if (!s) return { path, resumable: false, error: { code: 'RESUME_STATE_MISSING', message: `${path} has no resume state (${statePath})` } };
    return { path, resumable: true, snapshot: s.identity.snapshot, archive: s.identity.archive, doneChunks: s.done.size, chunkCount: s.identity.chunkCount };
  } catch (e) {
    return { path, resumable: false, error: toContractError(e) };
  }
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
      return t.folderExists ? partialProblem(t, intent) : { code: 'TARGET_NOT_WRITABLE', message: `the folder of ${p} does not exist` };
    case 'file':
      return intent.overwrite === 'file' ? partialProblem(t, intent) : { code: 'TARGET_EXISTS', message: `${p} already exists` };
    case 'device':
      if (t.size !== undefined && t.size < intent.imageSize) return { code: 'TARGET_TOO_SMALL', message: `${p} has ${t.size} bytes, the image needs ${intent.imageSize}` };
      return intent.overwrite === 'device' ? undefined : { code: 'TARGET_EXISTS', message: `${p} is a block device: confirm that it may be overwritten` };
  }
}

/** A partial file is continued (resume: only when its state is readable) or replaced (overwrite), never written over silently. */
function partialProblem(t: TargetCheck, intent: RestoreIntent): ContractError | undefined {
  const partial = t.partial;
  if (!partial) return undefined;
  if (intent.resume) return partial.resumable ? undefined : partial.error;
  if (intent.overwrite === 'file') return undefined;
  return { code: 'TARGET_PARTIAL_EXISTS', message: `${partial.path} exists: an earlier restore to this target did not finish; resume it, or allow overwriting to start over` };
}
