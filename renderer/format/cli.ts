// The command line that does what the restore dialog is about to do (KopiaUI's "CLI equivalent"):
// people trust a GUI they can reproduce in a script. The password never appears; the CLI reads it
// from PBS_ENCRYPTION_PASSWORD or a prompt.
import type { DiskChoice, PublicSourceConfig, StartJobArgs } from '../../shared/contract.ts';
import { archiveName, diskFileName } from '../../shared/jobNames.ts';
import { joinPath } from './targetName.ts';
import { rateText } from './rate.ts';

const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/** An IPv6 address goes in brackets in a repository, or its colons would read as the port's. */
function repositoryHost(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare.includes(':') ? `[${bare}]` : bare;
}

export function snapshotPath(type: string, id: string, time: number): string {
  return `${type}/${id}/${new Date(time * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}

/**
 * One command per line. A whole-VM job is one `--target-dir` command for the disks that go to
 * `<folder>/<disk>.raw` (with `mkdir` first when the job creates the folder), and a single-archive
 * command for each disk sent elsewhere (a block device, a path of its own), which the CLI's
 * whole-VM form cannot express.
 */
export function cliEquivalent(source: PublicSourceConfig, a: StartJobArgs): string {
  if (a.disks === undefined) return command(source, a, ['--archive', archiveArg(a.archive ?? '')], { target: a.target, force: a.force, sparse: a.sparse, resume: a.resume });
  if (a.mode === 'verify') return command(source, a, a.disks === 'all' ? ['--all'] : a.disks.flatMap((d) => ['--archive', archiveArg(d.archive)]), {});
  const dir = a.targetDir;
  const inDir = (d: DiskChoice): boolean =>
    !!dir && (!d.target || d.target === joinPath(dir, diskFileName(d.archive))) && (d.force ?? a.force) === a.force && (d.sparse ?? a.sparse) === a.sparse;
  const disks = a.disks === 'all' ? 'all' : { together: a.disks.filter(inDir), apart: a.disks.filter((d) => !inDir(d)) };
  const lines: string[] = [];
  if (dir && a.createTargetDir) lines.push(`mkdir ${quote(dir)}`);
  const selection = disks === 'all' ? ['--all'] : disks.together.flatMap((d) => ['--archive', archiveArg(d.archive)]);
  if (selection.length) lines.push(command(source, a, [...selection, '--target-dir', quote(dir ?? '.')], { force: a.force, sparse: a.sparse }));
  if (disks !== 'all') {
    for (const d of disks.apart) lines.push(command(source, a, ['--archive', archiveArg(d.archive)], { target: d.target ?? joinPath(dir ?? '.', diskFileName(d.archive)), force: d.force ?? a.force, sparse: d.sparse ?? a.sparse }));
  }
  return lines.join('\n');
}

const archiveArg = (archive: string): string => quote(archiveName(archive));

function command(source: PublicSourceConfig, a: StartJobArgs, selection: string[], t: { target?: string | undefined; force?: boolean | undefined; sparse?: boolean | undefined; resume?: boolean | undefined }): string {
  const parts = ['restore-console', a.mode];
  if (source.kind === 'datastore') parts.push('--datastore', quote(source.path));
  else parts.push('--repository', quote(`${source.authId}@${repositoryHost(source.host)}${source.port && source.port !== 8007 ? `:${source.port}` : ''}:${source.datastore}`));
  if (source.kind === 'pbs' && source.fingerprint) parts.push('--fingerprint', source.fingerprint);
  if (a.snapshot.ns) parts.push('--ns', quote(a.snapshot.ns));
  parts.push('--snapshot', snapshotPath(a.snapshot.type, a.snapshot.id, a.snapshot.time));
  parts.push(...selection);
  if (t.target) parts.push('--target', quote(t.target));
  if (a.concurrency !== undefined) parts.push('--concurrency', String(a.concurrency));
  if (a.rate) parts.push('--rate', rateText(a.rate));
  if (a.keyfile) parts.push('--keyfile', quote(a.keyfile));
  if (t.force) parts.push('--force');
  if (t.sparse === false) parts.push('--no-sparse');
  if (t.resume) parts.push('--resume');
  return parts.join(' ');
}
