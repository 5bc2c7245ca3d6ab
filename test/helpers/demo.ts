// One small demo datastore per test file, generated once.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeChunkDigest, decodeBlob, encodeBlob } from '../../electron/pbs/dataBlob.ts';
import { digestAt, parseFixedIndex, writeFixedIndex } from '../../electron/pbs/fixedIndex.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { decryptKeyConfig, parseKeyFile } from '../../electron/pbs/keyFile.ts';
import { decodeManifestBlob, encodeManifestBlob } from '../../electron/pbs/manifest.ts';
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

/**
 * Damages the primary GPT of an unencrypted demo disk in place, the way a bad sector would: its
 * partition entries no longer match their checksum, so readers fall back to the backup copy at
 * the end of the disk and say so. The chunk, the index and the manifest are written anew, so
 * everything else about the snapshot stays valid.
 */
export async function damagePrimaryGpt(demo: DemoResult, a: DemoArchive): Promise<void> {
  const dir = snapshotDir(demo, a);
  const idx = parseFixedIndex(await readFile(join(dir, a.archive)), a.archive);
  const chunkPath = (d: Uint8Array): string => join(demo.dir, '.chunks', toHex(d).slice(0, 4), toHex(d));
  const data = Buffer.from(decodeBlob(await readFile(chunkPath(digestAt(idx, 0))), { cryptMode: 'none' }));
  data[1024]! ^= 0xff; // the first partition entry (LBA 2 of 512-byte sectors)
  const digest = computeChunkDigest(data);
  await mkdir(join(demo.dir, '.chunks', toHex(digest).slice(0, 4)), { recursive: true });
  await writeFile(chunkPath(digest), encodeBlob(data, { compress: true }));
  const digests = Array.from({ length: idx.count }, (_, i) => (i === 0 ? digest : digestAt(idx, i)));
  const fidx = writeFixedIndex({ size: idx.size, chunkSize: idx.chunkSize, digests, ctime: idx.ctime, uuid: idx.uuid });
  await writeFile(join(dir, a.archive), fidx);
  const m = decodeManifestBlob(await readFile(join(dir, 'index.json.blob')));
  const files = m.files.map((f) => (f.filename === a.archive ? { ...f, csum: parseFixedIndex(fidx).csum } : f));
  await writeFile(join(dir, 'index.json.blob'), encodeManifestBlob({ backupType: m.backupType, backupId: m.backupId, backupTime: m.backupTime, files, unprotected: m.unprotected }));
}
