// restore-console command line: dispatches to the commands and maps errors to one line and an
// exit code (0 ok, 1 failed, 2 usage, 130/143/129 stopped by SIGINT/SIGTERM/SIGHUP).
import { toRestoreError } from '../../shared/errors.ts';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, MIN_CONCURRENCY } from '../../shared/limits.ts';
import { DEMO_USAGE, demoCommand } from './commands/demo.ts';
import { FILES_GET_USAGE, FILES_LS_USAGE, filesCommand } from './commands/files.ts';
import { LIST_USAGE, listCommand } from './commands/list.ts';
import { RESTORE_USAGE, VERIFY_USAGE, restoreCommand } from './commands/restore.ts';
import { RESTORE_DISKS_USAGE, VERIFY_DISKS_USAGE, isDisksForm, restoreDisksCommand } from './commands/restoreDisks.ts';
import { SERVE_USAGE, serveCommand } from './commands/serve.ts';
import { printError } from './output.ts';

const HELP = `restore-console: restore Proxmox Backup Server disk images fast, and files out of backups

usage:
  restore-console ${LIST_USAGE}
  restore-console ${RESTORE_USAGE}
  restore-console ${RESTORE_DISKS_USAGE}
  restore-console ${VERIFY_USAGE}
  restore-console ${VERIFY_DISKS_USAGE}
  restore-console ${FILES_LS_USAGE}
  restore-console ${FILES_GET_USAGE}
  restore-console ${DEMO_USAGE}
  restore-console ${SERVE_USAGE}

  --datastore DIR    a PBS datastore directory (USB disk, NFS mount, the PBS host itself)
  --repository REPO  a PBS server instead, as [[AUTHID@]HOST[:PORT]:]STORE (default from
                     PBS_REPOSITORY; auth id root@pam, port 8007); AUTHID USER@REALM!TOKEN is an
                     API token. The password or token secret comes from PBS_PASSWORD or a prompt
  --fingerprint FP   SHA-256 fingerprint of the server certificate (or PBS_FINGERPRINT); needed
                     unless the certificate is trusted by the system
  --archive NAME     image archive, e.g. drive-scsi0.img (".fidx" may be omitted); repeat it to
                     restore several disks of the snapshot in one job; for files, also a file
                     archive, root.pxar (see "restore-console files --help")
  --all              every disk image of the snapshot (a whole VM) in one job
  --target-dir DIR   an existing folder: each disk goes to DIR/<disk>.raw (drive-scsi0.img →
                     drive-scsi0.raw), the guest config to DIR/qemu-server.conf (pct.conf)
  --concurrency N    chunks in flight, ${MIN_CONCURRENCY}-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY}), or "auto" to tune while running;
                     with several disks, counted over all of them
  --rate RATE        cap on bytes read from the source per second: 50MB, 20MiB, 1.5GB or
                     plain bytes (proxmox-backup-client's option); 0 or absent: no cap
  --keyfile FILE     key file of an encrypted backup; its password comes from
                     PBS_ENCRYPTION_PASSWORD or a prompt
  --force            replace an existing file (or the TARGET.partial an earlier restore left), or
                     write to an unmounted block device of at least the image size
  --no-sparse        write zero chunks as zeros instead of leaving holes
  --resume           continue TARGET.partial where an earlier run of the same restore stopped
                     (cancel, failure, crash): chunks it wrote and synced are not fetched again;
                     with --target-dir, each unfinished disk, skipping the disks already finished
  --stall-timeout S  fail (resumably, STALLED) when the source sent nothing for S seconds while
                     chunks were in flight (default 300; 0: never). After 10 s it says "stalled"
  --json             print a JSON summary as the last line of stdout
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'list':
      return listCommand(rest);
    // Several disks, all of a snapshot's, or a target folder: the whole-VM form.
    case 'restore':
      return isDisksForm(rest) ? restoreDisksCommand(rest, 'restore') : restoreCommand(rest, 'restore');
    case 'verify':
      return isDisksForm(rest) ? restoreDisksCommand(rest, 'verify') : restoreCommand(rest, 'verify');
    case 'files':
      return filesCommand(rest);
    case 'demo':
      return demoCommand(rest);
    case 'serve':
      return serveCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`restore-console: unknown command ${JSON.stringify(cmd)}\n\n${HELP}`);
      return 2;
  }
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
  if (err.code === 'USAGE') process.stderr.write(`run "restore-console --help" for usage\n`);
  process.exitCode = err.code === 'USAGE' ? 2 : 1;
}
