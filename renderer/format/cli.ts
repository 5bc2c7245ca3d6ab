// The command line that does what the restore dialog is about to do (KopiaUI's "CLI equivalent"):
// people trust a GUI they can reproduce in a script. The password never appears; the CLI reads it
// from PBS_ENCRYPTION_PASSWORD or a prompt.
import type { PublicSourceConfig, StartJobArgs } from '../../shared/contract.ts';
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

export function cliEquivalent(source: PublicSourceConfig, a: StartJobArgs): string {
  const parts = ['restore-console', a.mode];
  if (source.kind === 'datastore') parts.push('--datastore', quote(source.path));
  else parts.push('--repository', quote(`${source.authId}@${repositoryHost(source.host)}${source.port && source.port !== 8007 ? `:${source.port}` : ''}:${source.datastore}`));
  if (source.kind === 'pbs' && source.fingerprint) parts.push('--fingerprint', source.fingerprint);
  if (a.snapshot.ns) parts.push('--ns', quote(a.snapshot.ns));
  parts.push('--snapshot', snapshotPath(a.snapshot.type, a.snapshot.id, a.snapshot.time));
  parts.push('--archive', quote(a.archive.replace(/\.fidx$/, '')));
  if (a.target) parts.push('--target', quote(a.target));
  if (a.concurrency !== undefined) parts.push('--concurrency', String(a.concurrency));
  if (a.rate) parts.push('--rate', rateText(a.rate));
  if (a.keyfile) parts.push('--keyfile', quote(a.keyfile));
  if (a.force) parts.push('--force');
  if (a.sparse === false) parts.push('--no-sparse');
  if (a.resume) parts.push('--resume');
  return parts.join(' ');
}
