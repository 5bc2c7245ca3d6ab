// The resume state file: what a restore is, and which of its chunks are written and synced in the
// partial target. Format and crash-safety argument: docs/resume.md.
//   file target    TARGET.partial.state, beside TARGET.partial
//   block device   <data folder>/resume/<device name>-<hash of device path and archive>.state
// It is replaced atomically (temporary file, fsync, rename, fsync of the folder) and carries a
// SHA-256 of its own content, so a reader sees a whole earlier or a whole later version, and a
// damaged file is refused (RESUME_STATE_INVALID) instead of trusted.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import { ChunkSet } from './chunkSet.ts';
import { defaultDurableOps, renameDurable } from './durable.ts';

export const STATE_FORMAT = 'restore-console-resume';
export const STATE_VERSION = 1;

/** What a restore is: resuming is refused when any of these but `source` and `target` differs. */
export interface ResumeIdentity {
  /** Where the chunks come from (a datastore folder, user@host:port:store); informational. */
  source: string;
  /** TYPE/ID/TIME and its namespace ("" for the root). */
  snapshot: string;
  ns: string;
  archive: string;
  /** The index's SHA-256 checksum (hex), as the manifest records it. */
  indexCsum: string;
  size: number;
  chunkSize: number;
  chunkCount: number;
  /** Colon-hex fingerprint of the key the chunks are encrypted with; null for unencrypted chunks. */
  keyFingerprint: string | null;
  /** The final target path, and whether it is a file (written as .partial) or a block device. */
  target: string;
  kind: 'file' | 'device';
}

export interface ResumeState {
  identity: ResumeIdentity;
  /** Chunks written and synced. */
  done: ChunkSet;
  /** Epoch ms of the save. */
  savedAt: number;
}

/** Fields compared on resume, in the order a mismatch names them. */
// Not the source: chunks are addressed by their digest and each is verified, so the same index read
// from another copy of the datastore (a sync target, a remote instead of the folder) gives the same
// bytes. Not the target path: the state is found through it (beside it, or keyed by it).
const COMPARED: Array<keyof ResumeIdentity> = ['snapshot', 'ns', 'archive', 'indexCsum', 'size', 'chunkSize', 'chunkCount', 'keyFingerprint', 'kind'];

/** Where a restore to `target` keeps its state. Devices need the data folder (`stateDir`). */
export function statePathFor(target: { path: string; kind: 'file' | 'device' }, archive: string, stateDir?: string): string {
  if (target.kind === 'file') return `${target.path}.partial.state`;
  if (!stateDir) throw new RestoreError('INTERNAL', `a restore to block device ${target.path} needs a data folder for its resume state`);
  const key = createHash('sha256').update(`${target.path}\n${archive}`).digest('hex').slice(0, 16);
  const name = basename(target.path).replace(/[^A-Za-z0-9._-]/g, '_') || 'device';
  return join(stateDir, 'resume', `${name}-${key}.state`);
}

/** The differences between a saved restore and the one asked for now, one phrase each; empty when they match. */
export function differences(saved: ResumeIdentity, now: ResumeIdentity): string[] {
  const out: string[] = [];
  for (const k of COMPARED) {
    if (saved[k] === now[k]) continue;
    const show = (v: unknown): string => (v === null ? 'none' : v === '' ? '(root)' : String(v));
    out.push(`${k}: ${show(saved[k])} in the resume state, ${show(now[k])} now`);
  }
  return out;
}

export function serializeState(s: ResumeState): string {
  const body = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    ...s.identity,
    doneChunks: s.done.size,
    done: s.done.toBase64(),
    savedAt: new Date(s.savedAt).toISOString(),
  };
  const text = JSON.stringify(body);
  return `${JSON.stringify({ ...body, checksum: sha256(text) }, null, 1)}\n`;
}

export function parseState(text: string, where: string): ResumeState {
  const bad = (why: string): never => {
    throw new RestoreError('RESUME_STATE_INVALID', `resume state ${where} is damaged (${why}); delete it and the partial target, then restore again`);
  };
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    return bad(`not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('not an object');
  if (raw.format !== STATE_FORMAT) return bad(`format ${JSON.stringify(raw.format)}`);
  if (raw.version !== STATE_VERSION) return bad(`version ${JSON.stringify(raw.version)}, this program writes ${STATE_VERSION}`);
  const { checksum, ...body } = raw;
  if (typeof checksum !== 'string' || checksum !== sha256(JSON.stringify(body))) return bad('its checksum does not match its content');
  const str = (k: string): string => (typeof raw[k] === 'string' ? (raw[k] as string) : bad(`${k} is not text`));
  const int = (k: string): number => (Number.isSafeInteger(raw[k]) && (raw[k] as number) >= 0 ? (raw[k] as number) : bad(`${k} is not a count`));
  const kind = str('kind');
  if (kind !== 'file' && kind !== 'device') return bad(`kind ${kind}`);
  const fp = raw.keyFingerprint;
  if (fp !== null && typeof fp !== 'string') return bad('keyFingerprint');
  const identity: ResumeIdentity = {
    source: str('source'),
    snapshot: str('snapshot'),
    ns: str('ns'),
    archive: str('archive'),
    indexCsum: str('indexCsum'),
    size: int('size'),
    chunkSize: int('chunkSize'),
    chunkCount: int('chunkCount'),
    keyFingerprint: fp,
    target: str('target'),
    kind,
  };
  let done: ChunkSet;
  try {
    done = ChunkSet.fromBase64(identity.chunkCount, str('done'));
  } catch (e) {
    return bad(`the chunk bitmap: ${(e as Error).message}`);
  }
  if (done.size !== int('doneChunks')) return bad('the chunk count does not match the bitmap');
  const savedAt = Date.parse(str('savedAt'));
  if (!Number.isFinite(savedAt)) return bad('savedAt');
  return { identity, done, savedAt };
}

/** The saved state, or undefined when there is none. */
export async function readState(path: string): Promise<ResumeState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw toRestoreError(e, `reading resume state ${path}`);
  }
  return parseState(text, path);
}

/** Test seam: called with the temporary file's handle half written (crash tests kill the process there). */
export interface StateWriteHooks {
  midWrite?: () => void | Promise<void>;
}

/** Replaces the state file atomically and durably. */
export async function writeState(path: string, s: ResumeState, hooks: StateWriteHooks = {}): Promise<void> {
  const text = serializeState(s);
  const tmp = `${path}.tmp`;
  try {
    // A device's state lives in the data folder, which may not have its resume/ folder yet.
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(tmp, 'w', 0o600);
    try {
      const half = Math.floor(text.length / 2);
      await fh.writeFile(text.slice(0, half));
      await hooks.midWrite?.();
      await fh.writeFile(text.slice(half));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await renameDurable(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw toRestoreError(e, `saving resume state ${path}`);
  }
}

/** Removes a state file (and a temporary one a crash may have left); durable before it returns. */
export async function removeState(path: string): Promise<void> {
  try {
    await rm(`${path}.tmp`, { force: true });
    await rm(path, { force: true });
    if (process.platform !== 'win32') await defaultDurableOps.syncDir(dirname(path));
  } catch (e) {
    throw toRestoreError(e, `removing resume state ${path}`);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
