// Command-line parsing shared by the commands (node:util parseArgs, strict: unknown flags fail).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RestoreError } from '../../shared/errors.ts';
import { isConcurrencyLimit, MAX_CONCURRENCY, MIN_CONCURRENCY } from '../../shared/limits.ts';

export type Flags = Record<string, string | boolean | undefined>;
export type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;

export function parse(argv: string[], options: ParseArgsOptions): { flags: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { flags: values as Flags, positionals };
  } catch (e) {
    throw new RestoreError('USAGE', (e as Error).message);
  }
}

export function required(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || v === '') throw new RestoreError('USAGE', `--${name} is required`);
  return v;
}

export function optional(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function parseConcurrency(v: string | undefined): number | 'auto' | undefined {
  if (v === undefined) return undefined;
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!isConcurrencyLimit(n)) {
    throw new RestoreError('USAGE', `--concurrency must be auto or an integer from ${MIN_CONCURRENCY} to ${MAX_CONCURRENCY}, got ${JSON.stringify(v)}`);
  }
  return n;
}

const RATE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/**
 * A rate as proxmox-backup-client's --rate takes it: bytes per second, plain (`1048576`) or with a
 * unit (`50MB` = 50·10^6, `20MiB` = 20·2^20, `1.5GB`; a trailing "/s" is allowed). 0 means no cap.
 */
export function parseRate(v: string | undefined, flag = 'rate'): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)(?:\/s)?\s*$/i.exec(v);
  const unit = m ? RATE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new RestoreError('USAGE', `--${flag} must be bytes per second, plain or with a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 50MB or 20MiB; got ${JSON.stringify(v)}`);
  }
  const bytes = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw new RestoreError('USAGE', `--${flag} ${v} is too large`);
  return bytes;
}

/** Whole seconds >= 0 (0: never). */
export function parseSeconds(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new RestoreError('USAGE', `--${flag} must be a whole number of seconds (0: never), got ${JSON.stringify(v)}`);
  return n;
}
