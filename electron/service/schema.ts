// The argument shape of every command, checked at runtime before the service acts, whichever
// transport the call came through (IPC, HTTP, direct). Objects are exact: unknown keys are refused,
// as are wrong types, non-finite numbers and over-long strings, so nothing unexpected reaches the
// engine or a file path. The table is typed against the contract: adding a command without a
// schema, or a schema that disagrees with the contract's args, fails the type check.
import type { CommandArgs, CommandName, EventName } from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';
import { MAX_CHUNK_BUDGET, MAX_CONCURRENCY, MIN_CONCURRENCY } from '../../shared/limits.ts';

// The combinators are exported for the persisted records (records.ts), checked the same way.
export type Check<T> = (v: unknown, path: string) => T;

const MAX_STRING = 4096;

export function fail(path: string, expected: string, v: unknown): never {
  const got = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `a string of ${v.length} characters` : typeof v;
  throw new RestoreError('BAD_ARGUMENTS', `${path || 'arguments'}: expected ${expected}, got ${got}`);
}

export const str =
  (opts: { min?: number; max?: number } = {}): Check<string> =>
  (v, path) => {
    if (typeof v !== 'string') return fail(path, 'a string', v);
    const min = opts.min ?? 0;
    const max = opts.max ?? MAX_STRING;
    if (v.length < min || v.length > max) return fail(path, `a string of ${min}–${max} characters`, v);
    if (v.includes('\0')) return fail(path, 'a string without NUL characters', v);
    return v;
  };

export const int =
  (min: number, max: number): Check<number> =>
  (v, path) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fail(path, `an integer from ${min} to ${max}`, v);

/** A finite number from min to max, fractions allowed. */
export const num =
  (min: number, max: number): Check<number> =>
  (v, path) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fail(path, `a number from ${min} to ${max}`, v);

export const bool: Check<boolean> = (v, path) => (typeof v === 'boolean' ? v : fail(path, 'true or false', v));

export const literal =
  <const L extends readonly string[]>(...values: L): Check<L[number]> =>
  (v, path) =>
    typeof v === 'string' && values.includes(v) ? (v as L[number]) : fail(path, values.map((x) => JSON.stringify(x)).join(' or '), v);

type Field<T> = { check: Check<T>; optional: boolean };
export const opt = <T,>(check: Check<T>): Field<T> => ({ check, optional: true });
export const req = <T,>(check: Check<T>): Field<T> => ({ check, optional: false });

type Shape = Record<string, Field<unknown>>;
type Out<S extends Shape> = { [K in keyof S as S[K]['optional'] extends true ? never : K]: S[K] extends Field<infer T> ? T : never } & {
  [K in keyof S as S[K]['optional'] extends true ? K : never]?: S[K] extends Field<infer T> ? T : never;
};

/**
 * An exact object; with `unknown: 'keep'` (records another version may have written) other keys
 * are kept as they are instead of refused: only the known ones are checked.
 */
export function obj<S extends Shape>(shape: S, opts: { unknown?: 'refuse' | 'keep' } = {}): Check<Out<S>> {
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, 'an object', v);
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return fail(path, 'a plain object', v);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      if (Object.hasOwn(shape, key)) continue;
      if (opts.unknown !== 'keep') throw new RestoreError('BAD_ARGUMENTS', `${path ? `${path}.` : ''}${key}: unknown field`);
      out[key] = (v as Record<string, unknown>)[key];
    }
    for (const [key, field] of Object.entries(shape)) {
      const value = (v as Record<string, unknown>)[key];
      const p = path ? `${path}.${key}` : key;
      if (value === undefined) {
        if (!field.optional) throw new RestoreError('BAD_ARGUMENTS', `${p}: required`);
        continue;
      }
      out[key] = field.check(value, p);
    }
    return out as Out<S>;
  };
}

export const list =
  <T,>(item: Check<T>, min: number, max: number): Check<T[]> =>
  (v, path) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) return fail(path, `a list of ${min}–${max} items`, v);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };

/** Tries each alternative; the error names the first's problem when none fits. */
export function oneOf<A, B>(a: Check<A>, b: Check<B>, what: string): Check<A | B> {
  return (v, path) => {
    try {
      return a(v, path);
    } catch {
      try {
        return b(v, path);
      } catch (e) {
        throw new RestoreError('BAD_ARGUMENTS', `${path || 'arguments'}: expected ${what} (${(e as Error).message})`);
      }
    }
  };
}

const noArgs = obj({});
export const id = str({ min: 1, max: 128 });
export const path = str({ min: 1 });
const backupType = literal('vm', 'ct', 'host');
export const concurrency = oneOf(int(MIN_CONCURRENCY, MAX_CONCURRENCY), literal('auto'), `an integer from ${MIN_CONCURRENCY} to ${MAX_CONCURRENCY} or "auto"`);
/** Bytes per second, 0 for none; up to 1 PB/s. */
export const rate = int(0, 1e15);

const datastoreConfig = obj({ kind: req(literal('datastore')), path: req(path) });
const pbsConfig = obj({
  kind: req(literal('pbs')),
  host: req(str({ min: 1, max: 255 })),
  port: opt(int(1, 65535)),
  datastore: req(str({ min: 1, max: 128 })),
  authId: req(str({ min: 1, max: 256 })),
  secret: opt(str({ max: 4096 })),
  fingerprint: opt(str({ max: 128 })),
});
export const sourceConfig: Check<CommandArgs<'sources.add'>['config']> = (v, p) => {
  const kind = (v as { kind?: unknown } | null)?.kind;
  if (kind === 'datastore') return datastoreConfig(v, p);
  if (kind === 'pbs') return pbsConfig(v, p);
  return fail(`${p}.kind`, '"datastore" or "pbs"', kind);
};

export const snapshot = obj({ ns: req(str({ max: 256 })), type: req(backupType), id: req(str({ min: 1, max: 128 })), time: req(int(0, 2 ** 40)) });
const keyArgs = obj({ keyfile: req(path), password: opt(str({ max: 1024 })) });
const jobRef = obj({ id: req(id) });

const archiveName = str({ min: 1, max: 256 });
/** A VM has at most a few dozen disks (PVE: 31 SCSI, 16 VirtIO, 6 SATA, 4 IDE, EFI, TPM). */
const MAX_DISKS = 64;
const diskChoice = obj({ archive: req(archiveName), target: opt(path), force: opt(bool), sparse: opt(bool) });

const startJob = obj({
  mode: req(literal('restore', 'verify')),
  sourceId: req(id),
  snapshot: req(snapshot),
  archive: opt(archiveName),
  disks: opt(oneOf(literal('all'), list(diskChoice, 1, MAX_DISKS), `"all" or a list of 1–${MAX_DISKS} disks`)),
  targetDir: opt(path),
  createTargetDir: opt(bool),
  config: opt(path),
  target: opt(path),
  force: opt(bool),
  sparse: opt(bool),
  concurrency: opt(concurrency),
  rate: opt(rate),
  resume: opt(bool),
  keyfile: opt(path),
  password: opt(str({ max: 1024 })),
});

/** An absolute path in an archive: '/' or '/a/b' (no '.' or '..' segments). */
const treePath: Check<string> = (v, p) => {
  const s = str({ min: 1 })(v, p);
  if (!s.startsWith('/') || s.split('/').some((seg) => seg === '.' || seg === '..')) return fail(p, "an absolute archive path ('/etc/hosts')", v);
  return s;
};
const filesOutput: Check<CommandArgs<'files.start'>['output']> = (v, p) => {
  const kind = (v as { kind?: unknown } | null)?.kind;
  if (kind === 'download') return obj({ kind: req(literal('download')) })(v, p);
  if (kind === 'file' || kind === 'zip' || kind === 'folder') return obj({ kind: req(literal('file', 'zip', 'folder')), path: req(path), force: opt(bool) })(v, p);
  return fail(`${p}.kind`, '"file", "zip", "folder" or "download"', kind);
};

const settingsPatch = obj({
  defaultConcurrency: opt(concurrency),
  defaultRate: opt(rate),
  globalRate: opt(rate),
  maxRunningJobs: opt(int(1, 16)),
  notifications: opt(literal('all', 'errors', 'off')),
  sparseByDefault: opt(bool),
  historyLimit: opt(int(1, 10000)),
  chunkBudget: opt(int(1, MAX_CHUNK_BUDGET)),
  demoDismissed: opt(bool),
});

/** A batch restores at most this many VMs at once (each a job in the history). */
const MAX_BATCH = 200;
const startBatch = obj({
  sourceId: req(id),
  snapshots: req(list(snapshot, 1, MAX_BATCH)),
  targetDir: req(path),
  force: opt(bool),
  sparse: opt(bool),
  concurrency: opt(concurrency),
  keyfile: opt(path),
  password: opt(str({ max: 1024 })),
});

export const COMMAND_SCHEMAS: { [C in CommandName]: Check<CommandArgs<C>> } = {
  'app.info': noArgs,
  'sources.list': noArgs,
  'sources.add': obj({ config: req(sourceConfig), label: opt(str({ min: 1, max: 200 })), rememberSecret: opt(bool) }),
  'sources.test': oneOf(obj({ id: req(id) }), obj({ config: req(sourceConfig) }), '{ id } or { config }'),
  'sources.update': obj({ id: req(id), config: req(sourceConfig), label: opt(str({ min: 1, max: 200 })), rememberSecret: opt(bool) }),
  'sources.setSecret': obj({ id: req(id), secret: req(str({ min: 1, max: 4096 })), rememberSecret: opt(bool) }),
  'sources.remove': obj({ id: req(id) }),
  'catalog.datastores': obj({ sourceId: req(id) }),
  'catalog.namespaces': obj({ sourceId: req(id), parent: opt(str({ max: 256 })) }),
  'catalog.groups': obj({ sourceId: req(id), ns: req(str({ max: 256 })) }),
  'catalog.snapshots': obj({ sourceId: req(id), ns: req(str({ max: 256 })), group: opt(obj({ type: req(backupType), id: req(str({ min: 1, max: 128 })) })) }),
  'catalog.snapshot': obj({ sourceId: req(id), snapshot: req(snapshot), key: opt(keyArgs) }),
  'keys.check': keyArgs,
  'targets.check': obj({ path: req(path), imageSize: opt(int(0, Number.MAX_SAFE_INTEGER)), overwrite: opt(literal('file', 'device')), resume: opt(bool) }),
  'targets.folders': obj({ path: opt(path), hidden: opt(bool) }),
  'jobs.start': startJob,
  'jobs.pause': jobRef,
  'jobs.resume': jobRef,
  'jobs.cancel': jobRef,
  'jobs.setConcurrency': obj({ id: req(id), concurrency: req(concurrency) }),
  'jobs.setRate': obj({ id: req(id), rate: req(rate) }),
  'jobs.continue': obj({ id: req(id), password: opt(str({ max: 1024 })) }),
  'jobs.deletePartial': jobRef,
  'jobs.list': noArgs,
  'jobs.get': jobRef,
  'jobs.chunkMap': obj({ id: req(id), disk: opt(int(0, MAX_DISKS - 1)) }),
  'jobs.startBatch': startBatch,
  'jobs.forget': jobRef,
  'logs.get': obj({ jobId: opt(id), afterSeq: opt(int(0, Number.MAX_SAFE_INTEGER)), limit: opt(int(1, 10000)) }),
  'settings.get': noArgs,
  'settings.set': settingsPatch,
  'demo.status': noArgs,
  'demo.create': noArgs,
  'files.open': obj({ sourceId: req(id), snapshot: req(snapshot), archive: req(str({ min: 1, max: 256 })), key: opt(keyArgs) }),
  'files.list': obj({ browseId: req(id), path: req(treePath) }),
  'files.close': obj({ browseId: req(id) }),
  'files.start': obj({ browseId: req(id), paths: req(list(treePath, 1, 10_000)), output: req(filesOutput) }),
  'files.cancel': jobRef,
  'files.jobs': noArgs,
  'shell.chooseDatastoreFolder': noArgs,
  'shell.chooseTargetFile': obj({ defaultName: opt(str({ max: 255 })) }),
  'shell.showInFolder': obj({ path: req(path) }),
  'shell.chooseSaveFile': obj({ defaultName: req(str({ min: 1, max: 255 })) }),
  'shell.chooseFolder': noArgs,
};

const EVENTS: { [E in EventName]: true } = {
  job: true,
  'job.removed': true,
  progress: true,
  chunkMap: true,
  log: true,
  sources: true,
  settings: true,
  demo: true,
  filesJob: true,
  filesProgress: true,
};
export const EVENT_NAMES = Object.freeze(Object.keys(EVENTS) as EventName[]);
export const COMMAND_NAMES = Object.freeze(Object.keys(COMMAND_SCHEMAS) as CommandName[]);

export function isCommandName(v: unknown): v is CommandName {
  return typeof v === 'string' && Object.hasOwn(COMMAND_SCHEMAS, v);
}

export function isEventName(v: unknown): v is EventName {
  return typeof v === 'string' && Object.hasOwn(EVENTS, v);
}

/** Checks a call; throws RestoreError UNKNOWN_COMMAND or BAD_ARGUMENTS, returns a clean copy of the args. */
export function validateCall<C extends CommandName>(command: C, args: unknown): CommandArgs<C>;
export function validateCall(command: unknown, args: unknown): CommandArgs<CommandName>;
export function validateCall(command: unknown, args: unknown): unknown {
  if (!isCommandName(command)) {
    throw new RestoreError('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(String(command)).slice(0, 80)}`);
  }
  return (COMMAND_SCHEMAS[command] as Check<unknown>)(args, '');
}
