// How the command line is told to stop: SIGINT (Ctrl-C), SIGTERM (`kill`), SIGHUP (the terminal
// went away). Each cancels cleanly, like the first Ctrl-C: a cancelled line, the --json summary,
// `.partial` left; the exit status is 128 + the signal's number (130, 143, 129). Only a second
// Ctrl-C ends the process at once; repeated SIGTERM or SIGHUP change nothing.
//
// When bin.mjs re-runs the CLI under the Node it brings (RESTORE_CONSOLE_SUPERVISED=1), a Ctrl-C on
// the terminal reaches both processes, and bin.mjs forwards what it gets. So that one Ctrl-C
// counts once, the child ignores its own SIGINT and takes Ctrl-C from bin.mjs as SIGUSR2, a
// signal no terminal sends; SIGTERM and SIGHUP are forwarded as themselves.
import { RestoreError } from '../../shared/errors.ts';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

const EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 };

const SUPERVISED = process.env.RESTORE_CONSOLE_SUPERVISED === '1' && process.platform !== 'win32';

export function stopExitCode(signal: StopSignal): number {
  return EXIT_CODES[signal];
}

export function stopReason(signal: StopSignal): string {
  return signal === 'SIGINT' ? 'interrupted' : signal === 'SIGTERM' ? 'terminated (SIGTERM)' : 'hangup (SIGHUP)';
}

/** Calls `handler` for each stop request until the returned function is called. */
export function onStop(handler: (signal: StopSignal) => void): () => void {
  const listeners: Array<[NodeJS.Signals, () => void]> = [
    [SUPERVISED ? 'SIGUSR2' : 'SIGINT', () => handler('SIGINT')],
    ['SIGTERM', () => handler('SIGTERM')],
    ['SIGHUP', () => handler('SIGHUP')],
  ];
  if (SUPERVISED) listeners.push(['SIGINT', () => {}]);
  for (const [s, l] of listeners) process.on(s, l);
  return () => {
    for (const [s, l] of listeners) process.off(s, l);
  };
}

/**
 * A command's stop handling: the first stop aborts `abort` (the job ends "cancelled", its partial
 * data stays named .partial); a second Ctrl-C exits at once. `exitCode()` is a cancelled run's status.
 */
export function cancelOnStop(abort: AbortController): { off(): void; exitCode(): number } {
  let stopped: StopSignal | undefined;
  const off = onStop((signal) => {
    if (stopped === 'SIGINT' && signal === 'SIGINT') process.exit(130);
    if (stopped) return;
    stopped = signal;
    abort.abort(new RestoreError('CANCELLED', stopReason(signal)));
  });
  return { off, exitCode: () => stopExitCode(stopped ?? 'SIGINT') };
}
