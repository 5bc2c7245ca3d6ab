// One small demo datastore per test file, generated once.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeBlob } from '../../electron/pbs/dataBlob.ts';
import { decryptKeyConfig, parseKeyFile } from '../../electron/pbs/keyFile.ts';
import { decodeManifestBlob } from '../../electron/pbs/manifest.ts';
import { writeDemoDatastore, type DemoResult } from '../../electron/demo/demoDatastore.ts';
import { backupTimeName } from '../../electron/pbs/names.ts';
import type { DemoArchive } from '../../electron/demo/demoDatastore.ts';
import { tempDir } from './tmp.ts';

export async function smallDemo(): Promise<DemoResult> {
  return writeDemoDatastore(join(await tempDir('rc-demo-'), 'store'), { scale: 'small' });
}

/** CLI selectors for an archive of the demo. */
export function selectors(demo: DemoResult, a: DemoArchive): string[] {
  return [
    '--datastore', demo.dir,
    '--snapshot', `${a.type}/${a.id}/${backupTimeName(a.time)}`,
    ...(a.ns ? ['--ns', a.ns] : []),
    '--archive', a.archive.replace(/\.fidx$/, ''),
    ...(a.encrypted ? ['--keyfile', demo.keyFile] : []),
  ];
}

/** The demo's snapshot folder of an archive. */
export function snapshotDir(demo: DemoResult, a: Pick<DemoArchive, 'ns' | 'type' | 'id' | 'time'>): string {
  return join(demo.dir, ...(a.ns ? a.ns.split('/').flatMap((c) => ['ns', c]) : []), a.type, a.id, backupTimeName(a.time));
}

/** The newest snapshot of a demo group: its disks in the manifest's order, and its guest config as the backup holds it. */
export async function demoVm(demo: DemoResult, type: string, id: string): Promise<{ disks: DemoArchive[]; configName: string; configText: string; snapshot: string; ns: string }> {
  const all = demo.archives.filter((a) => a.type === type && a.id === id);
  const time = Math.max(...all.map((a) => a.time));
  const first = all.find((a) => a.time === time)!;
  const dir = snapshotDir(demo, first);
  const manifest = decodeManifestBlob(await readFile(join(dir, 'index.json.blob')));
  const order = manifest.files.map((f) => f.filename);
  const disks = all.filter((a) => a.time === time).sort((a, b) => order.indexOf(a.archive) - order.indexOf(b.archive));
  const entry = manifest.files.find((f) => f.filename.endsWith('.conf.blob'))!;
  const raw = await readFile(join(dir, entry.filename));
  const crypt = entry.cryptMode === 'encrypt' ? await decryptKeyConfig(parseKeyFile(await readFile(demo.keyFile, 'utf8')), demo.keyPassword) : undefined;
  const configText = decodeBlob(raw, crypt ? { crypt, cryptMode: 'encrypt' } : {}).toString('utf8');
  return { disks, configName: entry.filename.replace(/\.blob$/, ''), configText, snapshot: `${type}/${id}/${backupTimeName(time)}`, ns: first.ns };
}
