// `restore-console list --datastore DIR | --repository REPO [--ns NS] [--json]`
// Without --ns, every namespace of the datastore; with it, that namespace only.
import type { SnapshotInfo } from '../../../shared/catalog.ts';
import { backupTimeName, checkNamespace } from '../../pbs/names.ts';
import type { BackupSource } from '../../source/chunkSource.ts';
import { optional, parse, type Flags } from '../args.ts';
import { archiveName } from '../../../shared/jobNames.ts';
import { formatBytes } from '../../../shared/units.ts';
import { clean, cleanJson, printWarning } from '../output.ts';
import { openSource, SOURCE_OPTIONS, SOURCE_USAGE } from '../sourceArgs.ts';

export const LIST_USAGE = `list ${SOURCE_USAGE} [--ns NS] [--json]`;

export async function listCommand(argv: string[]): Promise<number> {
  const { flags } = parse(argv, { ...SOURCE_OPTIONS, ns: { type: 'string' }, json: { type: 'boolean' } });
  const opened = await openSource(flags);
  try {
    return await list(opened.source, flags);
  } finally {
    await opened.close();
  }
}

async function list(store: BackupSource, flags: Flags): Promise<number> {
  const ns = optional(flags, 'ns');
  if (ns !== undefined) checkNamespace(ns);
  const namespaces = ns !== undefined ? [ns] : await store.listNamespaces('');
  const snapshots: SnapshotInfo[] = [];
  for (const n of namespaces) snapshots.push(...(await store.listSnapshots(n)));
  // One line for whatever the source skipped (names the datastore rules refuse), text or JSON alike.
  const skipped = store.skippedNames ?? [];
  if (skipped.length) printWarning(`skipped ${skipped.length} listed ${skipped.length === 1 ? 'entry' : 'entries'} with invalid names: ${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ', …' : ''}`);
  if (flags.json) {
    const out = snapshots.map((s) => ({ snapshot: `${s.backupType}/${s.backupId}/${backupTimeName(s.backupTime)}`, time: backupTimeName(s.backupTime), ...s }));
    process.stdout.write(`${cleanJson(out, 2)}\n`);
    return 0;
  }
  if (snapshots.length === 0) {
    process.stdout.write('no snapshots\n');
    return 0;
  }
  const rows = snapshots.map((s) => {
    const flagsText = [
      s.files.some((f) => f.cryptMode === 'encrypt') ? 'encrypted' : s.keyFingerprint ? 'signed' : '',
      s.protected ? 'protected' : '',
      s.verifyState ? `verify:${s.verifyState}` : '',
    ].filter(Boolean);
    const images = s.files.filter((f) => f.filename.endsWith('.img.fidx')).map((f) => `${archiveName(f.filename)} (${formatBytes(f.size, 'iec')})`);
    const row = [s.ns || '/', `${s.backupType}/${s.backupId}/${backupTimeName(s.backupTime)}`, formatBytes(s.size, 'iec'), images.join(', ') || '-', flagsText.join(' '), s.comment ?? ''];
    // Names and comments come from the datastore or server: printed with control characters escaped.
    return row.map(clean);
  });
  const head = ['NAMESPACE', 'SNAPSHOT', 'SIZE', 'IMAGES', 'FLAGS', 'COMMENT'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  return 0;
}
