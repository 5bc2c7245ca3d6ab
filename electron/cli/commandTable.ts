// The commands of `restore-console`: how each is typed, its usage lines (each written next to its
// parser, in commands/*), what it does, and the words its help adds to usage.ts's. main.ts
// dispatches through this table and builds every help page from it, so a command is listed, runs
// and answers `--help` from one entry. A page lists the options the command's own parser accepts
// (optionsOf), never a copy of them.
import { HelpRequested, type ParseArgsOptions } from './args.ts';
import { DEMO_USAGE, demoCommand } from './commands/demo.ts';
import { FILES_GET_USAGE, FILES_LS_USAGE, filesGetCommand, filesLsCommand } from './commands/files.ts';
import { LIST_USAGE, listCommand } from './commands/list.ts';
import { RESTORE_USAGE, VERIFY_USAGE, restoreCommand } from './commands/restore.ts';
import { RESTORE_DISKS_USAGE, VERIFY_DISKS_USAGE, isDisksForm, restoreDisksCommand } from './commands/restoreDisks.ts';
import { SERVE_USAGE, serveCommand } from './commands/serve.ts';
import { optionsHelp } from './usage.ts';

type Run = (argv: string[]) => Promise<number>;

export interface CliCommand {
  /** As typed after `restore-console`: one word, or a group and a word (`files ls`). */
  name: string;
  /** What it does, one line. */
  summary: string;
  /** Usage lines, without the leading `restore-console `. */
  usage: string[];
  run: Run;
  /** The parsers whose options the help lists (default: run's); a command with two forms has two. */
  forms?: Run[];
  /** What this command says of an option beyond usage.ts's words. */
  words?: Record<string, string>;
  /** A paragraph after the options. */
  notes?: string;
}

const FILES_ARCHIVE = `root.pxar (a container or host backup: root.pxar.didx, or the
root.mpxar.didx + root.ppxar.didx pair) or a disk image, drive-scsi0.img`;

export const COMMANDS: CliCommand[] = [
  {
    name: 'list',
    summary: 'list the snapshots of a datastore or a PBS server, every namespace or one',
    usage: [LIST_USAGE],
    run: listCommand,
    words: { json: 'print the snapshots as a JSON array', ns: 'only this namespace (default: every namespace)' },
  },
  {
    name: 'restore',
    summary: 'restore a disk image of a snapshot to a file or block device, or several disks to a folder',
    usage: [RESTORE_USAGE, RESTORE_DISKS_USAGE],
    // Several disks, all of a snapshot's, or a target folder: the whole-VM form.
    run: (argv) => (isDisksForm(argv) ? restoreDisksCommand(argv, 'restore') : restoreCommand(argv, 'restore')),
    forms: [(argv) => restoreCommand(argv, 'restore'), (argv) => restoreDisksCommand(argv, 'restore')],
  },
  {
    name: 'verify',
    summary: 'read and check disk images of a snapshot as a restore would, writing nothing',
    usage: [VERIFY_USAGE, VERIFY_DISKS_USAGE],
    run: (argv) => (isDisksForm(argv) ? restoreDisksCommand(argv, 'verify') : restoreCommand(argv, 'verify')),
    forms: [(argv) => restoreCommand(argv, 'verify'), (argv) => restoreDisksCommand(argv, 'verify')],
  },
  {
    name: 'files ls',
    summary: 'list a folder of a file archive or a disk image, reading only the chunks that hold it',
    usage: [FILES_LS_USAGE],
    run: filesLsCommand,
    words: { archive: FILES_ARCHIVE, json: 'a JSON array of {name, type, size, mode, mtime, target?, fs?}' },
    notes: `Prints one entry per line: type, size, modification time (UTC), name; a symlink shows
"-> target", a hardlink "=> target" (the path it shares its contents with), a partition
its filesystem in brackets. Notes on the disk's layout (a partition table oddity) go
to stderr.`,
  },
  {
    name: 'files get',
    summary: 'get a file, a folder (extracted or as a zip) out of a file archive or a disk image',
    usage: [FILES_GET_USAGE],
    run: filesGetCommand,
    words: {
      archive: FILES_ARCHIVE,
      force: 'replace existing files (never a folder; symlinks are replaced, not followed)',
      json: 'a JSON summary {status, files, bytes, skipped, seconds} as the last line',
    },
    notes: `Entries that cannot be written (devices, FIFOs, sockets, names or symlinks that would
leave DIR) or read (a missing chunk) are skipped and named on stderr; the rest is
written, and the exit code is 1.`,
  },
  {
    name: 'demo',
    summary: 'write the demo datastore (several VMs, one encrypted, file archives) into a new folder',
    usage: [DEMO_USAGE],
    run: demoCommand,
    notes: 'The key file of the encrypted VM goes next to DIR as DIR.key.json (password restore-console-demo).',
  },
  {
    name: 'serve',
    summary: 'browser mode: the app on http://127.0.0.1, opened with the printed address',
    usage: [SERVE_USAGE],
    run: serveCommand,
    words: { datastore: 'a datastore directory to offer as a source (repeat it for several)' },
  },
];

/** The command the arguments name, and the arguments after its name. */
export function findCommand(argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  for (const command of COMMANDS) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** The commands of a group (`files`), when the arguments name the group alone or a wrong word in it. */
export function groupOf(word: string | undefined): CliCommand[] {
  return word === undefined ? [] : COMMANDS.filter((c) => c.name.startsWith(`${word} `));
}

/** The options a parser accepts: it is asked for help and answers with them (args.ts). */
export async function optionsOf(run: Run): Promise<ParseArgsOptions> {
  try {
    await run(['--help']);
  } catch (e) {
    if (e instanceof HelpRequested) return e.options;
    throw e;
  }
  throw new Error('the command ran without asking its parser for help');
}

/** The options of every form of a command, merged in the order they are met. */
export async function commandOptions(command: CliCommand): Promise<ParseArgsOptions> {
  const all: ParseArgsOptions = {};
  for (const form of command.forms ?? [command.run]) Object.assign(all, await optionsOf(form));
  return all;
}

const usageLines = (commands: CliCommand[]): string => commands.flatMap((c) => c.usage.map((u) => `  restore-console ${u}`)).join('\n');

/** A command's help page: what it does, its usage, its options and notes. */
export async function commandHelp(command: CliCommand): Promise<string> {
  const parts = [`restore-console ${command.name}: ${command.summary}`, `usage:\n${usageLines([command])}`, `options:\n${optionsHelp(await commandOptions(command), command.words)}`];
  if (command.notes) parts.push(command.notes);
  return `${parts.join('\n\n')}\n`;
}

/** A group's page (`restore-console files`): its commands and how to get their help. */
export function groupHelp(group: string, commands: CliCommand[]): string {
  return `${commands.map((c) => `restore-console ${c.name}: ${c.summary}`).join('\n')}\n\nusage:\n${usageLines(commands)}\n\nrun "restore-console ${group} COMMAND --help" for a command's options\n`;
}

/** The top-level page: every command's usage, then the options of all of them. */
export async function mainHelp(): Promise<string> {
  const all: ParseArgsOptions = {};
  for (const c of COMMANDS) Object.assign(all, await commandOptions(c));
  return `restore-console: restore Proxmox Backup Server disk images fast, and files out of backups

usage:
${usageLines(COMMANDS)}

options (each command's --help lists its own, e.g. "restore-console restore --help"):
${optionsHelp(all)}
`;
}
