// The `.chunks` directory of the demo datastore, written as PBS's chunk store does: one DataBlob
// file per digest at `.chunks/<first 4 hex>/<64 hex>`, zstd-compressed, and never rewritten once
// present. That deduplication is what makes three 256 MiB snapshots cost little more than one,
// and it is what the restore engine's caching and zero-chunk skipping are measured against.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeChunkDigest, encodeBlob } from '../pbs/dataBlob.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import { toHex } from '../pbs/hex.ts';

/** PBS's `unprotected.chunk_upload_stats` for one snapshot. */
export interface UploadStats {
  count: number;
  size: number;
  compressed_size: number;
  duplicates: number;
}

const emptyStats = (): UploadStats => ({ count: 0, size: 0, compressed_size: 0, duplicates: 0 });

export class ChunkStore {
  readonly dir: string;
  /** Digests already on disk (hex): the demo owns the directory, so memory is the truth. */
  private readonly present = new Set<string>();
  /** PBS pre-creates 65536 prefix directories; creating them lazily keeps the demo small. */
  private readonly prefixes = new Set<string>();
  /**
   * Digest per content id and key: later snapshots regenerate the same chunks, and hashing
   * 4 MiB again to learn a digest we already know would double the generation time.
   */
  private readonly digests = new Map<string, Buffer>();
  private stats = emptyStats();
  /** Bytes of all chunk files written. */
  storedBytes = 0;

  constructor(root: string) {
    this.dir = join(root, '.chunks');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /**
   * Store one chunk (unless its digest is present) and return its digest. `contentId` must
   * identify the bytes exactly; the key (if any) is added to it here.
   */
  async put(contentId: string, data: Uint8Array, crypt?: CryptConfig): Promise<Buffer> {
    const memoKey = `${crypt ? toHex(crypt.fingerprint) : 'plain'}|${contentId}`;
    let digest = this.digests.get(memoKey);
    if (!digest) {
      digest = computeChunkDigest(data, crypt);
      this.digests.set(memoKey, digest);
    }
    const hex = toHex(digest);
    if (this.present.has(hex)) {
      this.stats.duplicates++;
      return digest;
    }
    const prefix = hex.slice(0, 4);
    if (!this.prefixes.has(prefix)) {
      await mkdir(join(this.dir, prefix), { recursive: true });
      this.prefixes.add(prefix);
    }
    // Compress only what is new: like a PBS client, a known digest is never encoded again.
    const blob = encodeBlob(data, { compress: true, crypt });
    await writeFile(join(this.dir, prefix, hex), blob, { flag: 'wx' });
    this.present.add(hex);
    this.stats.count++;
    this.stats.size += data.length;
    this.stats.compressed_size += blob.length;
    this.storedBytes += blob.length;
    return digest;
  }

  /** The upload statistics since the last call, for the next snapshot's manifest. */
  takeStats(): UploadStats {
    const s = this.stats;
    this.stats = emptyStats();
    return s;
  }
}
