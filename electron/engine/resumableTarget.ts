// Opening a restore target with its resume state (docs/resume.md): a fresh restore replaces any old
// state with an empty one before its partial target is created or replaced, so at every moment
// the state on disk describes the partial target beside it or names nothing; a resume (`resume: true`) reads the state, refuses it when it describes another restore
// (RESUME_MISMATCH, naming what differs) and continues the partial target with the chunks it
// records. Asked to resume where there is nothing to resume, it starts fresh; a partial file
// without a state cannot be trusted and is refused (RESUME_STATE_MISSING).
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RestoreError } from '../../shared/errors.ts';
import { ResumeRecorder, type RecorderOptions } from './resumeRecorder.ts';
import { ChunkSet } from './chunkSet.ts';
import { differences, readState, statePathFor, writeState, type ResumeIdentity } from './resumeState.ts';
import { openTarget } from './target.ts';

export interface ResumableTargetRequest {
  path: string;
  force?: boolean;
  sparse?: boolean;
  /** Continue the partial target of an earlier run when there is one. */
  resume?: boolean;
  /** Folders the target must not lie in (the datastore being read). */
  forbidden?: string[];
  /** What is restored (the target's path and kind are filled in here). */
  identity: Omit<ResumeIdentity, 'target' | 'kind'>;
  /** The data folder, for block devices' state files. */
  stateDir?: string;
  recorder?: Pick<RecorderOptions, 'saveAfterMs' | 'saveAfterChunks' | 'onSaved' | 'onSaveError' | 'hooks'>;
}

export interface OpenedResumable {
  target: ResumeRecorder;
  /** The chunks the earlier run wrote and synced; undefined for a fresh restore. */
  resumed?: ChunkSet;
  /** Why a resume that was asked for starts fresh (for the log), if it does. */
  freshBecause?: string;
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

export async function openResumableTarget(req: ResumableTargetRequest): Promise<OpenedResumable> {
  const path = resolve(req.path);
  let identity: ResumeIdentity | undefined;
  let statePath = '';
  let resumed: ChunkSet | undefined;
  let freshBecause: string | undefined;
  const target = await openTarget({
    path,
    size: req.identity.size,
    ...(req.force !== undefined ? { force: req.force } : {}),
    ...(req.sparse !== undefined ? { sparse: req.sparse } : {}),
    ...(req.forbidden ? { forbidden: req.forbidden } : {}),
    prepare: async (kind) => {
      identity = { ...req.identity, target: path, kind };
      statePath = statePathFor({ path, kind }, req.identity.archive, req.stateDir);
      const partial = kind === 'device' || (await exists(`${path}.partial`));
      if (req.resume) {
        const saved = await readState(statePath);
        if (saved) {
          const diff = differences(saved.identity, identity);
          if (diff.length) throw new RestoreError('RESUME_MISMATCH', `${statePath} records another restore: ${diff.join('; ')}`);
          if (partial) {
            resumed = saved.done;
            return 'resume';
          }
          freshBecause = `${path}.partial is gone (its state was left over)`;
        } else if (partial) {
          throw new RestoreError(
            'RESUME_STATE_MISSING',
            `${path}.partial exists but there is no resume state (${statePath}), so which of its parts are good is unknown: delete it, or pass --force instead of --resume to restore from the start`,
          );
        } else {
          freshBecause = `there is no ${kind === 'file' ? `${path}.partial` : 'resume state for this device'} to continue`;
        }
      }
      // A fresh restore: the old record must go before its partial target is replaced, or a crash in
      // between would leave it beside new data. An empty state in its place (atomic) also means a
      // crash right after creating the partial target still leaves something to resume. A partial
      // file that stays (no force) is refused by openTarget, and keeps its state.
      if (kind === 'device' || req.force || !partial) {
        await writeState(statePath, { identity, done: new ChunkSet(identity.chunkCount), savedAt: Date.now() }, req.recorder?.hooks);
      }
      return 'create';
    },
  });
  try {
    const recorder = new ResumeRecorder(target, { ...req.recorder, statePath, identity: identity!, ...(resumed ? { done: resumed } : {}) });
    return { target: recorder, ...(resumed ? { resumed } : {}), ...(freshBecause ? { freshBecause } : {}) };
  } catch (e) {
    await target.abandon();
    throw e;
  }
}
