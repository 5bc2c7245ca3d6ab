// What a job keeps so that a restore that did not finish can be continued or cleaned up
// (docs/resume.md): the partial target and resume state of a single-disk job, or of each disk a
// whole-VM job was writing, and how a job the app stopped in the middle reads back (failed,
// INTERRUPTED, resumable while its files are there).
import { access } from 'node:fs/promises';
import type { JobInfo } from '../../shared/contract.ts';
import type { PreparedSnapshotRestore } from '../engine/snapshotRestore.ts';
import { describeInterrupted } from './jobText.ts';

/** The files a restore that did not finish leaves: its partial target and its resume state. */
export interface ResumeFiles {
  writePath: string;
  statePath: string;
}

/** Codes after which the partial target cannot be continued as it is. */
export const NOT_RESUMABLE = new Set(['RESUME_MISMATCH', 'RESUME_STATE_MISSING', 'RESUME_STATE_INVALID']);

export const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** A job the history says was running when the app stopped: failed now, and resumable if it kept its files. */
export function markInterrupted(info: JobInfo, resumeFiles: ResumeFiles | undefined, resumeDisks: ResumeFiles[] | undefined): void {
  const r = info.request;
  const started = info.mode === 'restore' && info.startedAt !== undefined;
  const legacy = started && r.target ? `${r.target}.partial` : undefined;
  const partial = resumeFiles?.writePath ?? legacy;
  // A whole-VM job's disks were listed with their targets once its snapshot was open.
  const partials = partial ? [partial] : resumeDisks?.length ? resumeDisks.map((d) => d.writePath) : started && Array.isArray(r.disks) ? r.disks.flatMap((d) => (d.target ? [`${d.target}.partial`] : [])) : [];
  info.state = 'failed';
  info.error = { code: 'INTERRUPTED', message: 'the app stopped while this job ran' };
  info.message = describeInterrupted(partials);
  if (partial) info.partialPath = partial;
  if (resumeFiles || resumeDisks?.length) info.resumable = true;
  // Which disks are still partial is known once checkResumable has looked.
  if (resumeDisks?.length) info.partialPaths = resumeDisks.map((d) => d.writePath);
}

/** Once the disks are open: the files of each disk being written (not those found finished), and what to log about resuming. */
export function vmResume(vm: PreparedSnapshotRestore, resume: boolean): { files: ResumeFiles[]; notes: string[] } {
  const files: ResumeFiles[] = [];
  const notes: string[] = [];
  for (const d of vm.disks) {
    const o = d.opened;
    if (!o) continue;
    if (!o.finished) files.push({ writePath: o.target.writePath, statePath: o.target.statePath });
    if (o.finished) notes.push(`${d.archive}: finished by an earlier run, kept as it is (${o.target.path})`);
    else if (o.freshBecause && resume) notes.push(`${d.archive}: nothing to resume (${o.freshBecause}); restoring it from the start`);
    else if (o.resumed?.size) notes.push(`${d.archive}: resuming: ${o.resumed.size} of ${d.plan.index.count} chunks are already written and synced`);
  }
  return { files, notes };
}

/**
 * Whether a whole-VM job's disks can be continued: at least one partial target with its state, and
 * no partial target without one (RESUME_STATE_MISSING). Also the disks still partial.
 */
export async function vmLeftovers(disks: ResumeFiles[]): Promise<{ resumable: boolean; partial: ResumeFiles[] }> {
  const partial: ResumeFiles[] = [];
  let orphan = false;
  for (const d of disks) {
    if (!(await exists(d.writePath))) continue;
    partial.push(d);
    if (!(await exists(d.statePath))) orphan = true;
  }
  return { resumable: partial.length > 0 && !orphan, partial };
}
