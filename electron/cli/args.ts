// Command-line parsing shared by the commands (node:util parseArgs, strict: unknown flags fail).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseRate } from '../../shared/units.ts';
import { RestoreError } from '../../shared/errors.ts';
import { isConcurrencyLimit, MAX_CONCURRENCY, MIN_CONCURRENCY } from '../../shared/limits.ts';

export type Flags = Record<string, string | boolean | string[] | undefined>;
export type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * Thrown by parse() when the arguments ask for help, whatever else they hold: it carries the
 * options the command accepts, which its help lists (commandTable.ts).
 */
export class HelpRequested extends Error {
  readonly options: ParseArgsOptions;
  constructor(options: ParseArgsOptions) {
    super('help requested');
    this.options = options;
  }
}

/** `--help` or `-h` among the arguments (before a `--`). Never an option's value: parseArgs refuses a value starting with a dash unless written `--opt=-h`. */
export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export function parse(argv: string[], options: ParseArgsOptions): { flags: Flags; positionals: string[] } {
  if (wantsHelp(argv)) throw new HelpRequested(options);
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

/** `--rate`: bytes per second as shared/units.ts parseRate reads them (50MB, 20MiB, 1.5GB, plain bytes). */
export function parseRateFlag(v: string | undefined, flag = 'rate'): number | undefined {
  if (v === undefined) return undefined;
  const bytes = parseRate(v);
  if (bytes === undefined) {
    throw new RestoreError('USAGE', `--${flag} must be bytes per second, plain or with a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 50MB or 20MiB; got ${JSON.stringify(v)}`);
  }
  return bytes;
}

/** Whole seconds >= 0 (0: never). */
export function parseSeconds(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new RestoreError('USAGE', `--${flag} must be a whole number of seconds (0: never), got ${JSON.stringify(v)}`);
  return n;
}
