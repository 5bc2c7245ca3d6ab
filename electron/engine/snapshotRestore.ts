// A whole-VM restore or verify from request to summary: open the snapshot once, pick its disk
// images (all, or the ones named), plan each (index checked against the manifest), read the guest
// config, check and open every target, and run all disks as one job (multiRestore.ts). Shared by
// the CLI (`--all`, repeated `--archive`, `--target-dir`) and the service, whose every job runs
// this way (one disk or several), so both behave the same.
//
// Targets: each disk to its own (a file, sparse by default, or a block device, with the rules of
// target.ts), or `<dir>/<disk>.raw` (drive-scsi0.img.fidx → drive-scsi0.raw). The guest config
// goes to `<dir>/qemu-server.conf` (`pct.conf`) or where asked, and is written only once every
// disk has succeeded, so a config beside the disks means the restore is complete.
//
// Resume (docs/resume.md, docs/jobs.md): every disk keeps its own resume state beside its own
// partial target, exactly as a single-disk restore does (resumableTarget.ts). Resuming the job
// skips the disks an earlier run finished (reported done, their bytes as resumed), continues the
// others from their states, and writes the config only when it is missing (or with force).
import { mkdir, rm, rmdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { diskFileName } from '../../shared/jobNames.ts';
import type { RestoreSummary } from '../../shared/progress.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import { decodeManifestBlob, MANIFEST_BLOB_NAME, type Manifest } from '../pbs/manifest.ts';
import { formatSnapshotRef, type SnapshotRef } from '../pbs/names.ts';
import type { BackupSource, SnapshotReader } from '../source/chunkSource.ts';
import { imageArchiveName, planImageArchive, type ArchivePlan } from './archivePlan.ts';
import { AutoTuner } from './autoTuner.ts';
import type { ChunkDecoder } from './decoder.ts';
import { sharedDecodePool } from './decodePool.ts';
import { checkConfigTarget, readGuestConfig, writeGuestConfig } from './guestConfig.ts';
import { LiveLimiter } from './liveLimiter.ts';
import type { JobSlotsLike } from './slotBudget.ts';
import { MultiRestore } from './multiRestore.ts';
import { clampConcurrency, DEFAULT_CONCURRENCY, MAX_MANIFEST_BYTES } from '../../shared/limits.ts';
import { checkTargetOutside } from './target.ts';
import { finishedTarget, openResumableTarget, restoreIdentity, type OpenedResumable, type ResumableTargetRequest } from './resumableTarget.ts';
import { removeState } from './resumeState.ts';
import type { StallOptions } from './stallWatch.ts';
import { RateGate, rateLimitedSource } from '../source/rateLimitedSource.ts';
import type { TokenBucket } from '../source/tokenBucket.ts';

/** Where one disk goes; force and sparse default to the request's. */
export interface DiskTarget {
  path: string;
  force?: boolean;
  sparse?: boolean;
}

export interface DiskChoice {
  archive: string;
  /** Without one, the disk goes to `<dir>/<disk>.raw`. */
  target?: DiskTarget;
}


export interface SnapshotRestoreRequest {
  source: BackupSource;
  ref: SnapshotRef;
  /** 'all': every disk image of the snapshot (`*.img.fidx`, in its order); or the disks named. */
  disks: 'all' | DiskChoice[];
  crypt?: CryptConfig;
  /** 'verify': decode and check every chunk, write nothing. */
  mode: 'restore' | 'verify';
  /** Restore: the folder for disks without a target of their own, and for the guest config. */
  dir?: string;
  /** Create `dir` (one level: its parent must exist) when it is missing. */
  createDir?: boolean;
  /** Restore: where the guest config goes. Default `<dir>/<qemu-server|pct>.conf` with a dir; false: not written. */
  config?: string | false;
  force?: boolean;
  sparse?: boolean;
  /** Continue what an earlier run of this job left: finished disks are skipped, the others resumed from their states. */
  resume?: boolean;
  /** The data folder: disks on block devices keep their resume state there. */
  stateDir?: string;
  /** How often each disk's resume state is saved, and hooks for tests. */
  recorder?: ResumableTargetRequest['recorder'];
  concurrency?: number | 'auto';
  /** The job's slots (closed when the job ends or fails to start); default a limiter of its own. Its limit is set from `concurrency`. */
  slots?: JobSlotsLike;
  /** The job's cap on source bytes per second over all its disks (0 or absent: none); changeable later through `gate`. */
  rate?: number;
  /** Caps shared with other jobs (the service's cap across all jobs). */
  sharedRates?: readonly TokenBucket[];
  stall?: StallOptions;
  /** Defaults to the process's shared worker pool. */
  decoder?: ChunkDecoder;
  signal?: AbortSignal;
}

export interface PreparedSnapshotRestore {
  /** The disks in the job's order, each with its plan and (restore) its target path and resumable target. */
  disks: Array<{ archive: string; plan: ArchivePlan; target?: string; opened?: OpenedResumable }>;
  multi: MultiRestore;
  /** Owns the job's limit while enabled ("auto"); a user's limit disables it. */
  tuner: AutoTuner;
  /** The job's rate cap over all its disks: `gate.rate = bytesPerSecond` changes it while the job runs. */
  gate: RateGate;
  /** Where the guest config will be written once every disk succeeded; undefined: none. */
  config?: string;
  /** Runs to the end, writes the config, releases the source and the slots; never throws. */
  run(): Promise<RestoreSummary>;
}

/** The snapshot's disk images, or the named ones checked and put in the snapshot's order. */
export function selectDisks(m: Manifest, ref: SnapshotRef, disks: 'all' | DiskChoice[]): DiskChoice[] {
  const images = m.files.map((f) => f.filename).filter((f) => f.endsWith('.img.fidx'));
  if (disks === 'all') {
    if (!images.length) throw new RestoreError('ARCHIVE_NOT_FOUND', `snapshot ${formatSnapshotRef(ref)} has no disk images (*.img.fidx)`);
    return images.map((archive) => ({ archive }));
  }
  if (!disks.length) throw new RestoreError('USAGE', 'no disk image chosen');
  const seen = new Set<string>();
  const out = disks.map((d) => {
    const archive = imageArchiveName(d.archive);
    if (seen.has(archive)) throw new RestoreError('USAGE', `${archive} is given twice`);
    seen.add(archive);
    return { ...d, archive };
  });
  const pos = (a: string): number => {
    const i = images.indexOf(a);
    return i < 0 ? Infinity : i;
  };
  return out.sort((a, b) => pos(a.archive) - pos(b.archive));
}

/** Checks everything that can be checked before the first chunk; throws RestoreError on problems. */
export async function prepareSnapshotRestore(req: SnapshotRestoreRequest): Promise<PreparedSnapshotRestore> {
  const restore = req.mode === 'restore';
  const force = req.force ?? false;
  const dir = req.dir === undefined ? undefined : resolve(req.dir);
  let madeDir = false;
  let reader: SnapshotReader | undefined;
  const targets: OpenedResumable[] = [];
  try {
    if (restore && dir) {
      // Checked before the folder is made: never a folder inside the datastore being read.
      if (req.source.localPath !== undefined) await checkTargetOutside(dir, [req.source.localPath]);
      if (req.createDir) madeDir = await makeDir(dir);
      await checkDir(dir);
    }
    reader = await req.source.openSnapshot(req.ref, req.signal);
    const manifest = decodeManifestBlob(await reader.readFile(MANIFEST_BLOB_NAME, req.signal, MAX_MANIFEST_BYTES));
    const chosen = selectDisks(manifest, req.ref, req.disks);
    const plans: ArchivePlan[] = [];
    for (const d of chosen) plans.push(await planImageArchive(reader, d.archive, req.crypt, req.signal, manifest));

    let config: { path: string; text: string; keep?: boolean } | undefined;
    const paths: Array<DiskTarget | undefined> = chosen.map((d) => {
      if (!restore) return undefined;
      if (d.target) return { ...d.target, path: resolve(d.target.path) };
      if (!dir) throw new RestoreError('USAGE', `no target for ${d.archive}: give it a target or a target folder`);
      return { path: join(dir, diskFileName(d.archive)) };
    });
    if (restore) {
      const seen = new Set<string>();
      for (const t of paths) {
        if (seen.has(t!.path)) throw new RestoreError('USAGE', `two disks would be written to ${t!.path}`);
        seen.add(t!.path);
      }
      const g = req.config === false ? undefined : await readGuestConfig(reader, manifest, req.crypt, req.signal);
      const configPath = g && (req.config ? resolve(req.config) : dir ? join(dir, g.filename) : undefined);
      if (g && configPath) {
        if (seen.has(configPath)) throw new RestoreError('USAGE', `the guest config and a disk would both be written to ${configPath}`);
        // Resuming: a config already there (a job that got that far) is kept, unless forced.
        const keep = req.resume === true && !force && (await stat(configPath).then((st) => st.isFile(), () => false));
        if (!keep) await checkConfigTarget(configPath, force);
        if (req.source.localPath !== undefined) await checkTargetOutside(configPath, [req.source.localPath]);
        config = { path: configPath, text: g.text, ...(keep ? { keep } : {}) };
      }
      for (const [i, t] of paths.entries()) {
        const identity = restoreIdentity(req.source.label, req.ref, plans[i]!);
        const finished = req.resume ? await finishedTarget({ path: t!.path, identity }) : undefined;
        targets.push(
          finished ??
            (await openResumableTarget({
              path: t!.path,
              identity,
              force: t!.force ?? force,
              sparse: t!.sparse ?? req.sparse ?? true,
              resume: req.resume === true,
              // Never inside the datastore being read (target.ts).
              ...(req.source.localPath !== undefined ? { forbidden: [req.source.localPath] } : {}),
              ...(req.stateDir ? { stateDir: req.stateDir } : {}),
              ...(req.recorder ? { recorder: req.recorder } : {}),
            })),
        );
      }
    }

    const auto = req.concurrency === 'auto';
    const slots: JobSlotsLike = req.slots ?? new LiveLimiter(DEFAULT_CONCURRENCY);
    slots.limit = clampConcurrency(typeof req.concurrency === 'number' ? req.concurrency : auto ? AutoTuner.INITIAL_LIMIT : DEFAULT_CONCURRENCY);
    // One gate for the job: its cap counts the source bytes of every disk.
    const gate = new RateGate(req.rate ?? 0, { shared: req.sharedRates ?? [], estimate: plans[0]!.index.chunkSize });
    const source = rateLimitedSource(reader, gate);
    const multi = new MultiRestore(
      plans.map((p, i) => ({
        archive: p.archive,
        input: { index: p.index, source, cryptMode: p.cryptMode, zeroDigest: p.zeroDigest, ...(p.crypt ? { crypt: p.crypt } : {}) },
        ...(targets[i] ? { target: targets[i].target } : {}),
        ...(targets[i]?.resumed ? { resumed: targets[i].resumed } : {}),
      })),
      { slots, decoder: req.decoder ?? sharedDecodePool(), rate: gate, ...(req.stall ? { stall: req.stall } : {}), ...(req.signal ? { signal: req.signal } : {}) },
    );
    const tuner = new AutoTuner(multi, slots.ceiling ? { maxLimit: () => slots.ceiling!() } : {});
    if (auto) tuner.enable();
    const open = reader;
    return {
      disks: plans.map((p, i) => ({ archive: p.archive, plan: p, ...(targets[i] ? { target: targets[i].target.path, opened: targets[i] } : {}) })),
      multi,
      tuner,
      gate,
      ...(config ? { config: config.path } : {}),
      async run() {
        try {
          let s = await multi.run();
          if (config && s.status === 'succeeded') {
            try {
              if (!config.keep) await writeGuestConfig(config.path, config.text, force);
              s = { ...s, config: config.path };
            } catch (e) {
              s = { ...s, status: 'failed', error: toRestoreError(e, `writing ${config.path}`).toInfo() };
            }
          }
          return s;
        } finally {
          tuner.disable();
          slots.close?.();
          await open.close();
        }
      },
    };
  } catch (e) {
    for (const t of targets) await discard(t);
    req.slots?.close?.();
    await reader?.close().catch(() => {});
    if (madeDir) await rmdir(dir!).catch(() => {});
    throw e;
  }
}

/**
 * A target opened before the job could start. Nothing was written: a fresh `.partial` goes with
 * its (empty) state; a resumed one stays as the earlier run left it, with its state.
 */
async function discard(o: OpenedResumable): Promise<void> {
  const t = o.target;
  await t.abandon().catch(() => {});
  if (o.resumed) return;
  if (t.kind === 'file' && t.writePath !== t.path) await rm(t.writePath, { force: true }).catch(() => {});
  await removeState(t.statePath).catch(() => {});
}

async function checkDir(dir: string): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new RestoreError('TARGET_NOT_WRITABLE', `the folder ${dir} does not exist`);
}

/** Creates the folder (not its parents); true when this call created it. */
async function makeDir(dir: string): Promise<boolean> {
  try {
    await mkdir(dir);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw toRestoreError(e, `creating the folder ${dir}`);
  }
}
