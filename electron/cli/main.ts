// restore-console command line: dispatches to the commands and maps errors to one line and an
// exit code (0 ok, 1 failed, 2 usage, 130/143/129 stopped by SIGINT/SIGTERM/SIGHUP).
import { toRestoreError } from '../../shared/errors.ts';
import { wantsHelp } from './args.ts';
import { commandHelp, findCommand, groupHelp, groupOf, mainHelp, type CliCommand } from './commandTable.ts';
import { printError } from './output.ts';

/** The command being run, for the hint after a usage error. */
let running: CliCommand | undefined;

async function main(argv: string[]): Promise<number> {
  const [cmd, sub] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(await mainHelp());
    return cmd === undefined ? 2 : 0;
  }
  const found = findCommand(argv);
  if (found) {
    running = found.command;
    // Before the command sees its arguments: help is printed whatever else they hold.
    if (wantsHelp(found.rest)) {
      process.stdout.write(await commandHelp(found.command));
      return 0;
    }
    return found.command.run(found.rest);
  }
  const group = groupOf(cmd);
  if (group.length) {
    const asked = sub === undefined || sub === 'help' || wantsHelp([sub]);
    if (!asked) process.stderr.write(`restore-console: unknown ${cmd} command ${JSON.stringify(sub)}\n\n`);
    process.stdout.write(groupHelp(cmd, group));
    return asked && sub !== undefined ? 0 : 2;
  }
  process.stderr.write(`restore-console: unknown command ${JSON.stringify(cmd)}\n\n${await mainHelp()}`);
  return 2;
}

try {
  const code = await main(process.argv.slice(2));
  // Stopped by a signal: everything that matters is closed and reported; what may still run (a key
  // derivation on libuv's pool, a connection attempt) must not keep the process.
  if (code === 129 || code === 130 || code === 143) process.exit(code);
  process.exitCode = code;
} catch (e) {
  const err = toRestoreError(e, 'restore-console');
  printError('error', err.code, err.message);
  if (err.code === 'USAGE') process.stderr.write(`run "restore-console ${running ? `${running.name} ` : ''}--help" for usage\n`);
  process.exitCode = err.code === 'USAGE' ? 2 : 1;
}
