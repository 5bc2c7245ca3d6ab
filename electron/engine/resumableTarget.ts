// Opening a restore target with its resume state (docs/resume.md): a fresh restore replaces any old
// state with an empty one before its partial target is created or replaced, so at every moment
// the state on disk describes the partial target beside it or names nothing; a resume (`resume: true`) reads the state, refuses it when it describes another restore
// (RESUME_MISMATCH, naming what differs) and continues the partial target with the chunks it
// records. Asked to resume where there is nothing to resume, it starts fresh; a partial file
// without a state cannot be trusted and is refused (RESUME_STATE_MISSING).
// A whole-VM job resumes each of its disks this way; a disk an earlier run of the job already
// finished (its file in place, no partial file beside it) is found by finishedTarget and skipped.
import { access, lstat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import { toHex } from '../pbs/hex.ts';
import { formatSnapshotRef, type SnapshotRef } from '../pbs/names.ts';
import type { ArchivePlan } from './archivePlan.ts';
import { ResumeRecorder, type RecorderOptions } from './resumeRecorder.ts';
import { ChunkSet } from './chunkSet.ts';
import { differences, readState, removeState, statePathFor, writeState, type ResumeIdentity } from './resumeState.ts';
import { openTarget, type Target } from './target.ts';

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

/** A target with its resume state's place. */
export interface ResumableTarget extends Target {
  readonly statePath: string;
}

export interface OpenedResumable {
  target: ResumableTarget;
  /** The chunks the earlier run wrote and synced; undefined for a fresh restore. */
  resumed?: ChunkSet;
  /** Why a resume that was asked for starts fresh (for the log), if it does. */
  freshBecause?: string;
  /** An earlier run finished this target: every chunk is in `resumed`, nothing is written. */
  finished?: boolean;
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** What a restore of `plan` is, as its resume state records it (the target is added on opening). */
export function restoreIdentity(sourceLabel: string, ref: SnapshotRef, plan: Pick<ArchivePlan, 'archive' | 'index' | 'crypt'>): ResumableTargetRequest['identity'] {
  return {
    source: sourceLabel,
    snapshot: formatSnapshotRef(ref),
    ns: ref.ns,
    archive: plan.archive,
    indexCsum: toHex(plan.index.csum),
    size: plan.index.size,
    chunkSize: plan.index.chunkSize,
    chunkCount: plan.index.count,
    keyFingerprint: plan.crypt?.fingerprintText() ?? null,
  };
}

/** A file an earlier run finished and moved into place: nothing is written to it again. */
class FinishedTarget implements ResumableTarget {
  readonly kind = 'file';
  readonly writesZeros = false;
  readonly path: string;
  readonly writePath: string;
  readonly statePath: string;

  constructor(path: string, statePath: string) {
    this.path = path;
    this.writePath = path;
    this.statePath = statePath;
  }

  write(): Promise<void> {
    return Promise.reject(new RestoreError('INTERNAL', `${this.path} was finished by an earlier run and is not written again`));
  }

  async sync(): Promise<void> {}
  async commit(): Promise<void> {}
  async abandon(): Promise<void> {}
}

/**
 * On resuming a whole-VM job: the disk whose target an earlier run finished (a regular file of the
 * image's size, no `.partial` beside it), or undefined when it is not (it is then opened with
 * openResumableTarget). A state left beside it (a crash between the rename and the state's
 * removal) must describe this restore, and is removed. Never for a block device: nothing marks
 * one as finished, so it is restored again (or resumed from its state).
 */
export async function finishedTarget(req: Pick<ResumableTargetRequest, 'path' | 'identity'>): Promise<OpenedResumable | undefined> {
  const path = resolve(req.path);
  const st = await lstat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return undefined;
    throw toRestoreError(e, `checking ${path}`);
  });
  if (!st?.isFile() || (await exists(`${path}.partial`))) return undefined;
  const { size, chunkCount } = req.identity;
  if (st.size !== size) throw new RestoreError('RESUME_MISMATCH', `${path} has ${st.size} bytes, the image ${size}: it is not this disk finished by an earlier run (move it away, or pass --force without --resume to replace it)`);
  const statePath = statePathFor({ path, kind: 'file' }, req.identity.archive);
  const saved = await readState(statePath);
  if (saved) {
    const diff = differences(saved.identity, { ...req.identity, target: path, kind: 'file' });
    if (diff.length) throw new RestoreError('RESUME_MISMATCH', `${statePath} records another restore: ${diff.join('; ')}`);
    await removeState(statePath);
  }
  return { target: new FinishedTarget(path, statePath), resumed: ChunkSet.all(chunkCount), finished: true };
}

export async function openResumableTarget(req: ResumableTargetRequest): Promise<OpenedResumable & { target: ResumeRecorder }> {
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
