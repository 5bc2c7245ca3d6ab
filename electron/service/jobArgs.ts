// The rules of jobs.start and jobs.startBatch beyond the argument shapes (schema.ts): which fields
// go together for one disk, for several disks of a snapshot, and for a verify; paths made
// absolute; a batch turned into one whole-VM job per snapshot, each into its own sub-folder.
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { StartBatchArgs, StartJobArgs } from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';
import { backupTimeName, checkBackupId } from '../pbs/names.ts';
import type { BackupSource } from '../source/chunkSource.ts';

const bad = (message: string): never => {
  throw new RestoreError('BAD_ARGUMENTS', message);
};

/** Refuses a relative path: the service has no working folder a person would know, so it does not guess. */
function absolute(what: string, path: string): string {
  if (!isAbsolute(path)) throw new RestoreError('TARGET_NOT_ABSOLUTE', `the ${what} ${JSON.stringify(path)} is not an absolute path`);
  return resolve(path);
}

/** Every path the job may write: its target or each disk's, its folder, its guest config. */
export function writtenPaths(args: StartJobArgs): string[] {
  const disks = Array.isArray(args.disks) ? args.disks.flatMap((d) => (d.target ? [d.target] : [])) : [];
  return [args.target, args.targetDir, args.config, ...disks].filter((p): p is string => p !== undefined);
}

/** The request checked, its paths absolute and normalised. */
export function checkStartArgs(args: StartJobArgs): StartJobArgs {
  const restore = args.mode === 'restore';
  if (args.archive !== undefined && args.disks !== undefined) bad('give either archive or disks, not both');
  if (args.archive === undefined && args.disks === undefined) bad('archive or disks: required');
  if (args.createTargetDir && !args.targetDir) bad('createTargetDir: needs a targetDir');
  if (!restore) {
    const disks = Array.isArray(args.disks) ? args.disks : [];
    const writes = args.target || args.targetDir || args.config || args.force !== undefined || args.sparse !== undefined || args.createTargetDir !== undefined || args.resume !== undefined;
    if (writes || disks.some((d) => d.target || d.force !== undefined || d.sparse !== undefined)) bad('a verify job takes no target, target folder, config, force, sparse or resume');
  } else if (args.archive !== undefined) {
    if (!args.target) bad('target: required for a restore');
    if (args.targetDir || args.config || args.createTargetDir !== undefined) bad('targetDir, createTargetDir and config go with disks, not with a single archive');
  } else {
    if (args.target) bad('target goes with a single archive; give each disk a target, or a targetDir');
    const untargeted = args.disks === 'all' || args.disks!.some((d) => !d.target);
    if (untargeted && !args.targetDir) bad(`targetDir: required for ${args.disks === 'all' ? 'all disks' : 'disks without a target'}`);
  }
  const out: StartJobArgs = { ...args };
  if (args.target) out.target = absolute('target', args.target);
  if (args.targetDir) out.targetDir = absolute('target folder', args.targetDir);
  if (args.config) out.config = absolute('guest config target', args.config);
  if (args.keyfile) out.keyfile = resolve(args.keyfile);
  if (Array.isArray(args.disks)) out.disks = args.disks.map((d) => ({ ...d, ...(d.target ? { target: absolute(`target of ${d.archive}`, d.target) } : {}) }));
  return out;
}

/**
 * One whole-VM restore per snapshot, each into `<targetDir>/<type>-<id>/` (created when it starts),
 * with the image bytes of each (for the batch's total progress before its jobs run). Every
 * snapshot is looked up first: one that is gone or has no disk image fails the whole batch.
 */
export async function batchJobs(args: StartBatchArgs, source: BackupSource): Promise<{ folder: string; jobs: Array<{ args: StartJobArgs; bytes: number }> }> {
  const folder = absolute('target folder', args.targetDir);
  const st = await stat(folder).catch(() => undefined);
  if (!st?.isDirectory()) throw new RestoreError('TARGET_NOT_WRITABLE', `the folder ${folder} does not exist`);
  const seen = new Set<string>();
  const jobs = [];
  for (const snapshot of args.snapshots) {
    const sub = `${snapshot.type}-${checkBackupId(snapshot.id)}`;
    if (seen.has(sub)) bad(`two snapshots would be restored into ${join(folder, sub)}: pick one snapshot per VM`);
    seen.add(sub);
    const name = `${snapshot.ns ? `${snapshot.ns}/` : ''}${snapshot.type}/${snapshot.id}/${backupTimeName(snapshot.time)}`;
    const info = (await source.listSnapshots(snapshot.ns, { type: snapshot.type, id: snapshot.id })).find((x) => x.backupTime === snapshot.time);
    if (!info) throw new RestoreError('SNAPSHOT_NOT_FOUND', `snapshot ${name} not found in ${source.label}`);
    const bytes = info.files.filter((f) => f.filename.endsWith('.img.fidx')).reduce((n, f) => n + f.size, 0);
    if (!info.files.some((f) => f.filename.endsWith('.img.fidx'))) throw new RestoreError('ARCHIVE_NOT_FOUND', `snapshot ${name} has no disk images (*.img.fidx)`);
    const job: StartJobArgs = {
      mode: 'restore',
      sourceId: args.sourceId,
      snapshot,
      disks: 'all',
      targetDir: join(folder, sub),
      createTargetDir: true,
      ...(args.force !== undefined ? { force: args.force } : {}),
      ...(args.sparse !== undefined ? { sparse: args.sparse } : {}),
      ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
      ...(args.keyfile ? { keyfile: resolve(args.keyfile) } : {}),
      ...(args.password !== undefined ? { password: args.password } : {}),
    };
    jobs.push({ args: job, bytes });
  }
  return { folder, jobs };
}
