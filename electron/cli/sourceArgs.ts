// Which source a command reads: `--datastore DIR` (a datastore directory) or
// `--repository [AUTHID@]HOST[:PORT]:STORE` (a PBS server), with the environment variables of
// proxmox-backup-client (pbs-client/src/tools/mod.rs; docs/pbs-formats.md):
//   PBS_REPOSITORY   the repository when neither flag is given
//   PBS_PASSWORD     the password, or the API token secret when the auth id is USER@REALM!TOKEN
//   PBS_FINGERPRINT  the server certificate's SHA-256 fingerprint (also --fingerprint)
// As in the official client, the auth id defaults to root@pam, and without PBS_PASSWORD the password
// is asked for on the terminal. Secrets are never printed: messages name the auth id only. The flags
// become a SourceConfig, opened by the service's openSource like a saved source.
import { raceAbort } from '../../shared/abort.ts';
import { isRestoreError, RestoreError } from '../../shared/errors.ts';
import { openSource as openConfig, type OpenedSource } from '../service/openSource.ts';
import { isApiToken, parseRepository } from '../source/pbs/repository.ts';
import type { Flags } from './args.ts';
import { keepSecret } from './output.ts';
import { promptPassword } from './prompt.ts';

/** parseArgs options every command that reads a source accepts. */
export const SOURCE_OPTIONS = {
  datastore: { type: 'string' },
  repository: { type: 'string' },
  fingerprint: { type: 'string' },
} as const;

export const SOURCE_USAGE = '(--datastore DIR | --repository [AUTHID@]HOST[:PORT]:STORE [--fingerprint FP])';

export const DEFAULT_AUTH_ID = 'root@pam';

type Env = Record<string, string | undefined>;

async function secretFor(authId: string, env: Env): Promise<string> {
  const secret = await askSecret(authId, env);
  // Whatever a server echoes back, this never reaches the terminal (output.ts).
  keepSecret(secret);
  return secret;
}

async function askSecret(authId: string, env: Env): Promise<string> {
  const fromEnv = env.PBS_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const what = isApiToken(authId) ? 'API token secret' : 'password';
  if (!process.stdin.isTTY) {
    throw new RestoreError('AUTH_FAILED', `no ${what} for ${authId}: set PBS_PASSWORD (no terminal to ask on)`);
  }
  return promptPassword(`${isApiToken(authId) ? 'API token secret' : 'Password'} for "${authId}": `);
}

/** Opens the source the flags (or PBS_REPOSITORY) name; the caller closes it. */
export async function openSource(flags: Flags, env: Env = process.env): Promise<OpenedSource> {
  const dir = typeof flags.datastore === 'string' ? flags.datastore : undefined;
  const repoFlag = typeof flags.repository === 'string' ? flags.repository : undefined;
  if (dir !== undefined && repoFlag !== undefined) throw new RestoreError('USAGE', 'give either --datastore or --repository, not both');
  if (dir !== undefined) {
    if (dir === '') throw new RestoreError('USAGE', '--datastore needs a directory');
    if (typeof flags.fingerprint === 'string') throw new RestoreError('USAGE', '--fingerprint only applies to --repository');
    return openConfig({ kind: 'datastore', path: dir });
  }
  const spec = repoFlag ?? env.PBS_REPOSITORY;
  if (!spec) throw new RestoreError('USAGE', '--datastore DIR or --repository [AUTHID@]HOST[:PORT]:STORE is required (or set PBS_REPOSITORY)');
  const repo = parseRepository(spec);
  const authId = repo.authId ?? DEFAULT_AUTH_ID;
  const fingerprint = (typeof flags.fingerprint === 'string' ? flags.fingerprint : undefined) ?? (env.PBS_FINGERPRINT || undefined);
  const secret = await secretFor(authId, env);
  try {
    return await openConfig({ kind: 'pbs', host: repo.host, port: repo.port, datastore: repo.datastore, authId, secret, ...(fingerprint ? { fingerprint } : {}) });
  } catch (e) {
    if (isRestoreError(e, 'TLS_FINGERPRINT_MISMATCH') && e.fingerprint) {
      // Non-interactive like proxmox-backup-client without a terminal: show what to pin instead.
      const hint = `If this is the right server, pass --fingerprint ${e.fingerprint} (or set PBS_FINGERPRINT)`;
      throw new RestoreError(e.code, `${e.message}. ${hint}`, { fingerprint: e.fingerprint });
    }
    throw e;
  }
}

/**
 * openSource, given up when `signal` aborts: a connection attempt cannot be stopped half-way,
 * only no longer waited for (main.ts then exits without waiting for it either), so a stop ends
 * the command at once; a source that opens after that is closed.
 */
export function openSourceUnlessStopped(flags: Flags, signal: AbortSignal): Promise<OpenedSource> {
  const opening = openSource(flags);
  opening.then(
    (o) => {
      if (signal.aborted) void o.close().catch(() => {});
    },
    () => {},
  );
  return raceAbort(opening, signal);
}
