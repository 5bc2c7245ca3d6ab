// Everything the command line prints that may carry text it did not write: error messages (which
// quote servers and files), listings (names, comments, owners), warnings. Such text is printed with
// control characters escaped (shared/printable.ts), so every line stays one line, and with every
// secret the CLI was given replaced by "***", whatever a server echoed back.
import { printable, printableJson } from '../../shared/printable.ts';
import { redact } from '../pbs/redact.ts';

const secrets = new Set<string>();

/** A password, token secret or key password this run knows: never printed. */
export function keepSecret(secret: string | undefined): void {
  if (secret) secrets.add(secret);
}

/** Foreign text as it may be printed: redacted, on one line, controls escaped. */
export function clean(text: string): string {
  return printable(redact(text, secrets));
}

/** JSON for stdout: redacted (also where JSON escaped a secret's characters), every control character escaped. */
export function cleanJson(value: unknown, space?: number): string {
  const forms = [...secrets].flatMap((s) => [s, printableJson(s).slice(1, -1)]);
  return redact(printableJson(value, space), forms);
}

/** `restore-console: <label> [CODE]: message` on stderr, one line. */
export function printError(label: string, code: string, message: string): void {
  process.stderr.write(`restore-console: ${label} [${code}]: ${clean(message)}\n`);
}

export function printWarning(message: string): void {
  process.stderr.write(`restore-console: warning: ${clean(message)}\n`);
}
