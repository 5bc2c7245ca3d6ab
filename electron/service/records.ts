// The records the service keeps in its JSON files (jobs.json, sources.json), checked with the same
// combinators as the contract's arguments (schema.ts) before anything uses them. A file edited by
// hand, written by another version or damaged on disk may hold a record that would otherwise
// crash the start-up ("Cannot read properties of undefined") or the UI later: each bad record is
// skipped and logged, the others are kept, and the service always starts. Keys these shapes do
// not know are kept as they are rather than refused (a newer version may have written them);
// every field the service reads is checked here.
import type { ContractErrorCode } from '../../shared/contract.ts';
import { isContractErrorCode } from '../../shared/errorText.ts';
import type { JobRecord } from './job.ts';
import { bool, concurrency, fail, id, int, list, literal, num, obj, oneOf, opt, path, rate, req, snapshot, sourceConfig, str, type Check } from './schema.ts';
import type { SourceRecord } from './sources.ts';

const keepOthers = { unknown: 'keep' } as const;
const text = str({ max: 64 * 1024 });
const count = num(0, Number.MAX_SAFE_INTEGER);
const epochMs = int(0, Number.MAX_SAFE_INTEGER);
const errorCode: Check<ContractErrorCode> = (v, p) => (isContractErrorCode(v) ? v : fail(p, 'an error code of the contract', v));

const errorInfo = obj(
  {
    code: req(errorCode),
    message: req(text),
    chunk: opt(obj({ index: req(int(0, Number.MAX_SAFE_INTEGER)), offset: req(int(0, Number.MAX_SAFE_INTEGER)), digest: req(str({ max: 64 })) }, keepOthers)),
    fingerprint: opt(str({ max: 128 })),
  },
  keepOthers,
);

const progress = obj(
  {
    at: req(count),
    elapsedMs: req(count),
    totalBytes: req(count),
    totalChunks: req(count),
    doneBytes: req(count),
    doneChunks: req(count),
    zeroBytes: req(count),
    zeroChunks: req(count),
    sourceBytes: req(count),
    reusedChunks: req(count),
    inFlight: req(count),
    writing: req(count),
    limit: req(count),
    auto: req(bool),
    limitReason: req(str({ max: 256 })),
    paused: req(bool),
    resumedBytes: opt(count),
    resumedChunks: opt(count),
    rateLimit: opt(count),
    rateLimited: opt(bool),
    stalledSince: opt(epochMs),
  },
  keepOthers,
);

const summary = obj(
  {
    status: req(literal('succeeded', 'failed', 'cancelled')),
    mode: req(literal('restore', 'verify')),
    bytes: req(count),
    zeroBytes: req(count),
    sourceBytes: req(count),
    chunks: req(count),
    zeroChunks: req(count),
    seconds: req(count),
    mbPerSec: req(count),
    peakMbPerSec: opt(count),
    resumedBytes: opt(count),
    target: opt(path),
    partial: opt(bool),
    error: opt(errorInfo),
  },
  keepOthers,
);

const request = obj(
  {
    mode: req(literal('restore', 'verify')),
    sourceId: req(id),
    snapshot: req(snapshot),
    // A whole-VM job has disks instead of an archive.
    archive: opt(str({ min: 1, max: 256 })),
    disks: opt(oneOf(literal('all'), list(obj({ archive: req(str({ min: 1, max: 256 })), target: opt(path) }, keepOthers), 0, 1024), '"all" or a list of disks')),
    targetDir: opt(path),
    config: opt(path),
    target: opt(path),
    force: opt(bool),
    sparse: opt(bool),
    rate: opt(rate),
    resume: opt(bool),
    keyfile: opt(path),
    sourceLabel: req(str({ max: 1024 })),
  },
  keepOthers,
);

const logEntry = obj(
  {
    seq: req(int(0, Number.MAX_SAFE_INTEGER)),
    at: req(epochMs),
    level: req(literal('debug', 'info', 'warn', 'error')),
    message: req(text),
    jobId: opt(id),
    sourceId: opt(id),
    code: opt(errorCode),
  },
  keepOthers,
);

/** A log kept with a job: entries that do not pass are left out, the job stays. */
const jobLog: Check<JobRecord['log']> = (v, p) => (Array.isArray(v) ? v.flatMap((e) => attempt(logEntry, e)) : fail(p, 'a list', v));

const resumeFiles = obj({ writePath: req(path), statePath: req(path) }, keepOthers);

const jobRecord = obj(
  {
    id: req(id),
    mode: req(literal('restore', 'verify')),
    state: req(literal('queued', 'running', 'paused', 'cancelling', 'cancelled', 'failed', 'succeeded')),
    request: req(request),
    concurrency: req(concurrency),
    rate: opt(rate),
    createdAt: req(epochMs),
    startedAt: opt(epochMs),
    endedAt: opt(epochMs),
    progress: opt(progress),
    summary: opt(summary),
    error: opt(errorInfo),
    message: opt(text),
    partialPath: opt(path),
    resumable: opt(bool),
    resumedFrom: opt(id),
    continuedBy: opt(id),
    log: req(jobLog),
    resumeFiles: opt(resumeFiles),
    partialPaths: opt(list(path, 0, 1024)),
    resumeDisks: opt(list(resumeFiles, 0, 1024)),
  },
  keepOthers,
);

const storedSecret = oneOf(
  obj({ kind: req(literal('encrypted')), data: req(str({ max: 64 * 1024 })) }),
  obj({ kind: req(literal('plain')), value: req(str({ max: 4096 })) }),
  'an encrypted or a plain secret',
);

const sourceRecord = obj(
  {
    id: req(id),
    label: req(str({ min: 1, max: 200 })),
    config: req(sourceConfig),
    addedAt: req(epochMs),
    demo: opt(obj({ keyFile: req(path), keyPassword: req(str({ max: 1024 })) }, keepOthers)),
    secret: opt(storedSecret),
  },
  keepOthers,
);

function attempt<T>(check: Check<T>, v: unknown): T[] {
  try {
    return [check(v, '')];
  } catch {
    return [];
  }
}

/**
 * The records of `list` that pass `check`, each once by id; `onBad` is told of every other one
 * (what it was and why), so the service can log it.
 */
function validRecords<T extends { id: string }>(list: unknown, check: Check<T>, what: string, onBad: (message: string) => void): T[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    onBad(`the ${what} list is not a list; starting without it`);
    return [];
  }
  const out: T[] = [];
  const seen = new Set<string>();
  list.forEach((v, i) => {
    try {
      const r = check(v, `${what}[${i}]`);
      if (seen.has(r.id)) throw new Error(`id ${r.id} appears twice`);
      seen.add(r.id);
      out.push(r);
    } catch (e) {
      onBad(`skipped ${what} record ${i} (${(e as Error).message.slice(0, 300)})`);
    }
  });
  return out;
}

export function validJobRecords(list: unknown, onBad: (message: string) => void): JobRecord[] {
  return validRecords<JobRecord>(list, jobRecord, 'job', onBad);
}

export function validSourceRecords(list: unknown, onBad: (message: string) => void): SourceRecord[] {
  return validRecords<SourceRecord>(list, sourceRecord, 'source', onBad);
}
