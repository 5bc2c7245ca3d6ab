// Writes backup groups and snapshots of the demo datastore in PBS's on-disk layout:
//   [ns/<a>/[ns/<b>/]]<type>/<id>/{owner,notes}
//   …/<type>/<id>/<YYYY-MM-DDTHH:MM:SSZ>/{*.img.fidx,*.didx,*.blob,index.json.blob,.protected}
// Each archive is recorded for the manifest as PBS's backup writer does (pbs-client/src/backup_writer.rs; docs/pbs-formats.md, Manifest): index
// files with the index checksum and image size, blobs with the SHA-256 and length of the encoded
// file. The manifest is written last, because its presence is what marks a snapshot finished.
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeBlob, zeroChunkDigest } from '../pbs/dataBlob.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import { writeDynamicIndex } from '../pbs/dynamicIndex.ts';
import { writeFixedIndex } from '../pbs/fixedIndex.ts';
import { encodeManifestBlob, MANIFEST_BLOB_NAME, type ManifestFile } from '../pbs/manifest.ts';
import { backupTimeName } from '../pbs/names.ts';
import type { ChunkStore } from './chunkStore.ts';
import { generateChunk, planChunks, unit, type DiskSpec } from './diskContent.ts';

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

/** Namespace string form (`lab/staging`) to its directory (`ns/lab/ns/staging`). */
export function namespaceDir(root: string, ns: string): string {
  return join(root, ...(ns === '' ? [] : ns.split('/').flatMap((c) => ['ns', c])));
}

/** Create a backup group with its owner (every PVE-made group has one) and optional notes. */
export async function writeGroup(root: string, ns: string, type: string, id: string, notes?: string): Promise<string> {
  const dir = join(namespaceDir(root, ns), type, id);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'owner'), 'root@pam\n');
  if (notes !== undefined) await writeFile(join(dir, 'notes'), notes);
  return dir;
}

/** What a restore needs to check an image against the generator: see DemoArchive. */
export interface ImageResult {
  sha256: string;
  chunks: number;
  zeroChunks: number;
}

/** Deterministic per-archive UUIDs, so unencrypted runs produce identical index files. */
const uuidFor = (what: string): Buffer => sha256(Buffer.from(`restore-console-demo-uuid\0${what}`)).subarray(0, 16);

export class SnapshotWriter {
  readonly dir: string;
  readonly time: number;
  /** `ns/type/id/time`, independent of where the datastore lives. */
  private readonly label: string;
  private readonly store: ChunkStore;
  private readonly crypt: CryptConfig | undefined;
  private readonly files: ManifestFile[] = [];

  /** `crypt` set means every archive of the snapshot is encrypted (crypt-mode `encrypt`). */
  constructor(root: string, group: { ns: string; type: string; id: string }, time: number, store: ChunkStore, crypt?: CryptConfig) {
    this.dir = join(namespaceDir(root, group.ns), group.type, group.id, backupTimeName(time));
    this.label = `${group.ns}/${group.type}/${group.id}/${backupTimeName(time)}`;
    this.time = time;
    this.store = store;
    this.crypt = crypt;
  }

  private get cryptMode(): 'encrypt' | 'none' {
    return this.crypt ? 'encrypt' : 'none';
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** A config or log blob, compressed and (for encrypted snapshots) encrypted, listed in the manifest. */
  async writeBlob(name: string, text: string): Promise<void> {
    const blob = encodeBlob(Buffer.from(text), { compress: true, crypt: this.crypt });
    await writeFile(join(this.dir, name), blob);
    this.files.push({ filename: name, cryptMode: this.cryptMode, size: blob.length, csum: sha256(blob) });
  }

  /**
   * A disk image as a fixed index. The SHA-256 of the image is computed from the generated
   * plaintext in the same pass, so a test can compare a restore with it without trusting the
   * decoder. `onBytes` reports progress after every chunk.
   */
  async writeImage(name: string, disk: DiskSpec, onBytes: (n: number) => void): Promise<ImageResult> {
    const image = createHash('sha256');
    const digests: Buffer[] = [];
    const zero = zeroChunkDigest(disk.chunkSize, this.crypt);
    let zeroChunks = 0;
    for (const chunk of planChunks(disk)) {
      const data = generateChunk(chunk);
      image.update(data);
      digests.push(await this.store.put(chunk.contentId, data, this.crypt));
      // Entries equal to the (keyed) zero digest are what restores skip instead of fetching.
      if (digests.at(-1)!.equals(zero)) zeroChunks++;
      onBytes(data.length);
    }
    const fidx = writeFixedIndex({ size: disk.size, chunkSize: disk.chunkSize, digests, ctime: this.time, uuid: uuidFor(`${this.label}/${name}`) });
    await writeFile(join(this.dir, name), fidx);
    this.files.push({ filename: name, cryptMode: this.cryptMode, size: disk.size, csum: sha256(fidx.subarray(4096)) });
    return { sha256: image.digest('hex'), chunks: digests.length, zeroChunks };
  }

  /**
   * A stream archive as a dynamic index (a pxar archive, or either half of a split one), cut into
   * chunks of the given lengths, which must add up to the data's length.
   */
  async writeArchive(name: string, data: Uint8Array, chunkLengths: number[], onBytes: (n: number) => void = () => {}): Promise<void> {
    const entries: Array<{ end: number; digest: Buffer }> = [];
    let end = 0;
    for (const length of chunkLengths) {
      const chunk = data.subarray(end, end + length);
      end += length;
      // The bytes' own hash names them: equal chunks of two snapshots are stored once.
      entries.push({ end, digest: await this.store.put(`stream:${sha256(chunk).toString('hex')}`, chunk, this.crypt) });
      onBytes(length);
    }
    if (end !== data.length) throw new RangeError(`chunk lengths add up to ${end}, not ${data.length}`);
    const didx = writeDynamicIndex(entries, this.time);
    // writeDynamicIndex draws a random UUID; a fixed one keeps the datastore reproducible
    // (the UUID is not covered by the index checksum).
    didx.set(uuidFor(`${this.label}/${name}`), 8);
    await writeFile(join(this.dir, name), didx);
    this.files.push({ filename: name, cryptMode: this.cryptMode, size: end, csum: sha256(didx.subarray(4096)) });
  }

  /** A file next to the archives that the manifest does not list (PVE's client.log.blob). */
  async writeUnlisted(name: string, data: Uint8Array): Promise<void> {
    await writeFile(join(this.dir, name), data);
  }

  /**
   * The manifest (signed with the key for encrypted snapshots, which also records the key's
   * fingerprint), written last so the snapshot only counts as finished when complete. It appears
   * at once (written aside, then renamed, as PBS replaces files): the service offers the demo
   * while it is still being written, and a reader must never see half a manifest.
   */
  async finish(info: { type: string; id: string; unprotected: Record<string, unknown>; protected?: boolean }): Promise<void> {
    if (info.protected) await writeFile(join(this.dir, '.protected'), '');
    const unprotected = { ...info.unprotected, chunk_upload_stats: this.store.takeStats() };
    const manifest = encodeManifestBlob({ backupType: info.type, backupId: info.id, backupTime: this.time, files: this.files, unprotected }, this.crypt);
    await writeFile(join(this.dir, `${MANIFEST_BLOB_NAME}.tmp`), manifest);
    await rename(join(this.dir, `${MANIFEST_BLOB_NAME}.tmp`), join(this.dir, MANIFEST_BLOB_NAME));
  }
}

/**
 * Chunk lengths for a stream of `total` bytes averaging `average` (between half and one and a half
 * of it), fixed by `seed`: dynamic indexes have variable chunks, as PBS's content-defined chunker
 * makes them.
 */
export function streamChunkLengths(total: number, average: number, seed: string): number[] {
  const out: number[] = [];
  for (let done = 0, i = 0; done < total; i++) {
    const length = Math.min(total - done, Math.max(1, Math.round(average * (0.5 + unit(seed, 'cut', i)))));
    out.push(length);
    done += length;
  }
  return out;
}
