// The words of the command line's help: what each option means (one entry per option, shared by
// every command that takes it; a command may say more of one, commandTable.ts) and how a help page
// is laid out. Which options a command lists is not written here: its help asks the command's own
// parser (args.ts HelpRequested), so a new option shows up in its help by itself, and an option
// without words here is listed as such (test/cli/help.test.ts fails on it).
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, MIN_CONCURRENCY } from '../../shared/limits.ts';
import type { ParseArgsOptions } from './args.ts';

/** Each option's argument name (none for a switch) and its words; lines after the first are continued. */
export const OPTION_WORDS: Record<string, { arg?: string; text: string }> = {
  datastore: { arg: 'DIR', text: 'a PBS datastore directory (USB disk, NFS mount, the PBS host itself)' },
  repository: {
    arg: 'REPO',
    text: `a PBS server instead, as [[AUTHID@]HOST[:PORT]:]STORE (default from
PBS_REPOSITORY; auth id root@pam, port 8007); AUTHID USER@REALM!TOKEN is an
API token. The password or token secret comes from PBS_PASSWORD or a prompt`,
  },
  fingerprint: {
    arg: 'FP',
    text: `SHA-256 fingerprint of the server certificate (or PBS_FINGERPRINT); needed
unless the certificate is trusted by the system`,
  },
  snapshot: { arg: 'TYPE/ID/TIME', text: 'the snapshot, e.g. vm/100/2026-01-14T02:00:06Z' },
  ns: { arg: 'NS', text: 'the namespace of the snapshot, e.g. lab/staging (default: the root)' },
  archive: {
    arg: 'NAME',
    text: `image archive, e.g. drive-scsi0.img (".fidx" may be omitted); repeat it to
restore several disks of the snapshot in one job`,
  },
  all: { text: 'every disk image of the snapshot (a whole VM) in one job' },
  target: { arg: 'PATH', text: 'the file or block device to write the image to' },
  'target-dir': {
    arg: 'DIR',
    text: `an existing folder: each disk goes to DIR/<disk>.raw (drive-scsi0.img →
drive-scsi0.raw), the guest config to DIR/qemu-server.conf (pct.conf)`,
  },
  concurrency: {
    arg: 'N',
    text: `chunks in flight, ${MIN_CONCURRENCY}-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY}), or "auto" to tune while running;
with several disks, counted over all of them`,
  },
  rate: {
    arg: 'RATE',
    text: `cap on bytes read from the source per second: 50MB, 20MiB, 1.5GB or
plain bytes (proxmox-backup-client's option); 0 or absent: no cap`,
  },
  keyfile: {
    arg: 'FILE',
    text: `key file of an encrypted backup; its password comes from
PBS_ENCRYPTION_PASSWORD or a prompt`,
  },
  force: {
    text: `replace an existing file (or the TARGET.partial an earlier restore left), or
write to an unmounted block device of at least the image size`,
  },
  'no-sparse': { text: 'write zero chunks as zeros instead of leaving holes' },
  resume: {
    text: `continue TARGET.partial where an earlier run of the same restore stopped
(cancel, failure, crash): chunks it wrote and synced are not fetched again;
with --target-dir, each unfinished disk, skipping the disks already finished`,
  },
  'stall-timeout': {
    arg: 'S',
    text: `fail (resumably, STALLED) when the source sent nothing for S seconds while
chunks were in flight (default 300; 0: never). After 10 s it says "stalled"`,
  },
  json: { text: 'print a JSON summary as the last line of stdout' },
  path: {
    arg: 'P',
    text: `a path from the archive's root, /etc/nginx (default /). In a disk image
/ lists the partitions as part1, part2, … (their number in the table) and
/part2/etc is inside partition 2; an image without a partition table
shows its filesystem at /`,
  },
  out: {
    arg: 'FILE',
    text: `write the regular file P as itself; a name ending in .zip writes P (a file
or a folder, recursively) as a zip`,
  },
  'out-dir': { arg: 'DIR', text: 'extract P into DIR (created if missing): a folder keeps its name' },
  small: { text: 'a 4 MiB datastore with 64 KiB chunks (for tests) instead of ~450 MiB' },
  host: { arg: 'ADDR', text: 'the address to listen on (default 127.0.0.1: this machine only)' },
  port: { arg: 'N', text: 'the port to listen on' },
  data: { arg: 'DIR', text: `the data folder: settings, sources, job history, the demo
(default ~/.config/restore-console on Linux)` },
  'no-demo': { text: 'never generate the demo datastore on a first start' },
  'new-token': { text: 'make a new access token (addresses printed before stop working)' },
};

/** One help page entry: the option as typed, padded, then its words. */
function optionLine(name: string, opt: ParseArgsOptions[string], words: string | undefined): string {
  const known = OPTION_WORDS[name];
  const flag = `--${name}${opt.type === 'string' && known?.arg ? ` ${known.arg}` : opt.type === 'string' ? ' VALUE' : ''}`;
  const text = (words ?? known?.text ?? '(not described)').split('\n');
  const head = flag.length < 19 ? `  ${flag.padEnd(19)}${text[0]}` : `  ${flag}\n${' '.repeat(21)}${text[0]}`;
  return [head, ...text.slice(1).map((l) => `${' '.repeat(21)}${l}`)].join('\n');
}

/** The options part of a help page, in the order the parser lists them, then --help. */
export function optionsHelp(options: ParseArgsOptions, words: Record<string, string> = {}): string {
  const lines = Object.entries(options).map(([name, opt]) => optionLine(name, opt, words[name]));
  lines.push(`  ${'-h, --help'.padEnd(19)}print this help and exit`);
  return lines.join('\n');
}

/** Options no words are written for (the help test fails on them). */
export function undescribed(options: ParseArgsOptions): string[] {
  return Object.keys(options).filter((name) => !OPTION_WORDS[name]);
}
