// Random access into a pxar archive, as upstream's accessor does it (proxmox/pxar
// src/accessor/mod.rs): a directory is found from its end, where the tail of its goodbye table
// gives the table and the directory's start; each table item points back at an entry's FILENAME.
// Listing a directory therefore reads its goodbye table and the first items of each entry, and
// looking a name up reads one table and follows the SipHash BST, never what lies in between.
//
// Format 1 (`*.pxar`): one stream, contents inline (PAYLOAD items).
// Format 2 (`*.mpxar` + `*.ppxar`): FORMAT_VERSION first; contents in the payload stream, reached
// through PAYLOAD_REF items (payload.ts).
import { binaryTreeArraySearch } from './binaryTreeArray.ts';
import { decodeName } from './entryItems.ts';
import { decodeEntry, ItemCursor, readFilename, type DecodedEntry, type PxarInput } from './entry.ts';
import { directoryBounds, GOODBYE_ITEM_SIZE, parseGoodbyeItem, type DirectoryBounds, type GoodbyeItem } from './goodbye.ts';
import { HEADER_SIZE, parseHeader, pxarInvalid } from './header.ts';
import { hashFilename, PXAR_FORMAT_VERSION, PXAR_GOODBYE } from './magic.ts';
import { checkPayloadHeader, checkPayloadStream } from './payload.ts';

export type { PxarInput, PxarKind } from './entry.ts';

/** An entry found in the archive, with what is needed to go further from it. */
export interface PxarEntry extends DecodedEntry {
  /** '' for the root. */
  name: string;
  /** Offset of its FILENAME header (absent for the root). */
  filenameOffset?: number;
  /** Directories: the offset of their end, where the goodbye tail is. */
  endOffset?: number;
}

/** Largest goodbye table read at once (about 2.8 million entries in one directory). */
const MAX_TABLE_BYTES = 64 * 1024 * 1024;
/** Entries of a directory decoded concurrently while listing (their chunks are fetched in parallel). */
const LIST_CONCURRENCY = 8;
/** Goodbye tables kept, by directory end offset (upstream keeps a cache too). */
const TABLE_CACHE = 32;

interface Table {
  bounds: DirectoryBounds;
  items: GoodbyeItem[];
}

const utf8 = new TextEncoder();

export class PxarAccessor {
  /** 1 or 2. */
  readonly format: number;
  readonly meta: PxarInput;
  readonly payload: PxarInput | undefined;
  private readonly tables = new Map<number, Table>();
  private rootEntry!: PxarEntry;

  private constructor(meta: PxarInput, payload: PxarInput | undefined, format: number) {
    this.meta = meta;
    this.payload = payload;
    this.format = format;
  }

  /** Open an archive (format 1) or a metadata and payload stream pair (format 2). */
  static async open(meta: PxarInput, payload?: PxarInput, signal?: AbortSignal): Promise<PxarAccessor> {
    if (meta.size < HEADER_SIZE + GOODBYE_ITEM_SIZE) throw pxarInvalid(`${meta.size} bytes are too few for an archive`);
    const first = parseHeader(await meta.read(0, HEADER_SIZE, signal), 0, 0);
    const split = first.htype === PXAR_FORMAT_VERSION;
    if (split && !payload) throw pxarInvalid('this is the metadata of a split archive (format 2); its payload stream (.ppxar) is needed too');
    if (!split && payload) throw pxarInvalid('a payload stream was given for an archive that has none (format 1)');
    if (payload) {
      const last = payload.size >= HEADER_SIZE ? await payload.read(payload.size - HEADER_SIZE, HEADER_SIZE, signal) : new Uint8Array(0);
      checkPayloadStream(await payload.read(0, HEADER_SIZE, signal), last, payload.size);
    }
    const accessor = new PxarAccessor(meta, payload, split ? 2 : 1);
    const table = await accessor.table(meta.size, signal);
    if (table.bounds.entryOffset !== 0) throw pxarInvalid(`the root directory's goodbye table points at offset ${table.bounds.entryOffset}, not the archive start`);
    const cur = new ItemCursor(meta, table.bounds.goodbyeOffset, signal);
    const root = await decodeEntry(cur, 0, { root: true, split });
    if (root.kind !== 'dir') throw pxarInvalid(`the root entry is a ${root.kind}, not a directory`);
    accessor.rootEntry = { ...root, name: '', endOffset: meta.size };
    return accessor;
  }

  get root(): PxarEntry {
    return this.rootEntry;
  }

  /** The goodbye table of the directory ending at `endOffset`. */
  private async table(endOffset: number, signal?: AbortSignal): Promise<Table> {
    const cached = this.tables.get(endOffset);
    if (cached) {
      this.tables.delete(endOffset);
      this.tables.set(endOffset, cached);
      return cached;
    }
    if (endOffset < HEADER_SIZE + GOODBYE_ITEM_SIZE || endOffset > this.meta.size) throw pxarInvalid(`no directory can end at offset ${endOffset}`);
    const tailBytes = await this.meta.read(endOffset - GOODBYE_ITEM_SIZE, GOODBYE_ITEM_SIZE, signal);
    if (tailBytes.length < GOODBYE_ITEM_SIZE) throw pxarInvalid(`goodbye tail before offset ${endOffset} is cut off`);
    const bounds = directoryBounds(tailBytes, endOffset);
    const tableBytes = bounds.endOffset - bounds.goodbyeOffset;
    if (tableBytes > MAX_TABLE_BYTES) throw pxarInvalid(`directory ending at offset ${endOffset} has ${bounds.count} entries, more than this reader supports`);
    const raw = await this.meta.read(bounds.goodbyeOffset, tableBytes, signal);
    if (raw.length < tableBytes) throw pxarInvalid(`goodbye table at offset ${bounds.goodbyeOffset} is cut off`);
    const h = parseHeader(raw, 0, bounds.goodbyeOffset);
    if (h.htype !== PXAR_GOODBYE || h.fullSize !== tableBytes) throw pxarInvalid(`no GOODBYE header at offset ${bounds.goodbyeOffset} where the tail says the table starts`);
    const items: GoodbyeItem[] = [];
    for (let i = 0; i < bounds.count; i++) items.push(parseGoodbyeItem(raw, HEADER_SIZE + i * GOODBYE_ITEM_SIZE));
    const table = { bounds, items };
    this.tables.set(endOffset, table);
    if (this.tables.size > TABLE_CACHE) this.tables.delete(this.tables.keys().next().value!);
    return table;
  }

  private async dirTable(dir: PxarEntry, signal?: AbortSignal): Promise<Table> {
    if (dir.kind !== 'dir' || dir.endOffset === undefined) throw new Error(`internal: ${dir.name} is not a directory entry`);
    return this.table(dir.endOffset, signal);
  }

  /** Where the entry of a table item starts and the furthest it may reach. */
  private itemRange(table: Table, item: GoodbyeItem): { start: number; end: number } {
    const { goodbyeOffset, entryOffset } = table.bounds;
    if (item.offset > goodbyeOffset) throw pxarInvalid(`goodbye item at offset ${goodbyeOffset} points before the archive start`);
    const start = goodbyeOffset - item.offset;
    if (start <= entryOffset) throw pxarInvalid(`goodbye item of the table at offset ${goodbyeOffset} points outside its directory (offset ${start})`);
    // Clamped to the table: in format 2 a file's recorded size overshoots (see goodbye.ts).
    return { start, end: Math.min(start + item.size, goodbyeOffset) };
  }

  /** Decode the entry of one table item. */
  private async entryAt(table: Table, item: GoodbyeItem, signal?: AbortSignal): Promise<PxarEntry> {
    const { start, end } = this.itemRange(table, item);
    const cur = new ItemCursor(this.meta, end, signal);
    const { name, next } = await readFilename(cur, start);
    if (hashFilename(name) !== item.hash) throw pxarInvalid(`entry at offset ${start} is filed under another name's hash in its goodbye table`);
    const decoded = await decodeEntry(cur, next, { split: this.payload !== undefined });
    const entry: PxarEntry = { ...decoded, name: decodeName(name), filenameOffset: start };
    if (decoded.kind === 'dir') {
      const dirEnd = start + item.size;
      if (dirEnd > table.bounds.goodbyeOffset) throw pxarInvalid(`directory at offset ${start} runs past its parent's goodbye table`);
      entry.endOffset = dirEnd;
    }
    return entry;
  }

  /** The entries of a directory in archive order (sorted by name bytes, as they were written). */
  async list(dir: PxarEntry, signal?: AbortSignal): Promise<PxarEntry[]> {
    const table = await this.dirTable(dir, signal);
    const items = [...table.items].sort((a, b) => b.offset - a.offset);
    for (let i = 1; i < items.length; i++) {
      if (items[i]!.offset === items[i - 1]!.offset) throw pxarInvalid(`two goodbye items of the table at offset ${table.bounds.goodbyeOffset} point at one entry`);
    }
    const out: PxarEntry[] = new Array(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const i = next++;
        out[i] = await this.entryAt(table, items[i]!, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, items.length) }, worker));
    return out;
  }

  /** The entry called `name` in a directory, found through the goodbye table's hash BST. */
  async lookup(dir: PxarEntry, name: string, signal?: AbortSignal): Promise<PxarEntry | undefined> {
    const table = await this.dirTable(dir, signal);
    const bytes = utf8.encode(name);
    const hash = hashFilename(bytes);
    const cmp = (item: GoodbyeItem): number => (hash < item.hash ? -1 : hash > item.hash ? 1 : 0);
    const first = binaryTreeArraySearch(table.items, 0, 0, cmp);
    if (first === undefined) return undefined;
    // Names whose hashes collide: check each candidate's FILENAME.
    for (let dup = 0; dup < table.items.length; dup++) {
      const i = binaryTreeArraySearch(table.items, first, dup, cmp);
      if (i === undefined) return undefined;
      const { start, end } = this.itemRange(table, table.items[i]!);
      const { name: found } = await readFilename(new ItemCursor(this.meta, end, signal), start);
      if (Buffer.from(found).equals(bytes)) return this.entryAt(table, table.items[i]!, signal);
    }
    return undefined;
  }

  /** The regular file a hardlink entry points to (its offset counts back from the link's FILENAME). */
  async hardlinkTarget(link: PxarEntry, signal?: AbortSignal): Promise<PxarEntry> {
    const hl = link.hardlink;
    if (link.kind !== 'hardlink' || !hl || link.filenameOffset === undefined) throw new Error('internal: not a hardlink entry');
    if (hl.offset === 0 || hl.offset > link.filenameOffset) throw pxarInvalid(`hardlink at offset ${link.filenameOffset} points at offset -${hl.offset}`);
    const start = link.filenameOffset - hl.offset;
    // The target's own end is unknown from here; its items stop at its PAYLOAD or PAYLOAD_REF.
    const cur = new ItemCursor(this.meta, this.meta.size, signal);
    const { name, next } = await readFilename(cur, start);
    const target = await decodeEntry(cur, next, { split: this.payload !== undefined });
    if (target.kind !== 'file') throw pxarInvalid(`hardlink at offset ${link.filenameOffset} points at a ${target.kind}, not a regular file`);
    return { ...target, name: decodeName(name), filenameOffset: start };
  }

  /** Where a regular file's contents are: in the archive (format 1) or the payload stream (format 2). */
  async contents(file: PxarEntry, signal?: AbortSignal): Promise<{ input: PxarInput; start: number; end: number }> {
    if (file.kind !== 'file') throw new Error('internal: contents of a non-file');
    if (file.payloadRef) {
      const payload = this.payload!;
      const ref = file.payloadRef;
      if (ref.offset + HEADER_SIZE > payload.size) throw pxarInvalid(`payload reference to offset ${ref.offset} lies past the payload stream's end`);
      const header = await payload.read(ref.offset, HEADER_SIZE, signal);
      return { input: payload, ...checkPayloadHeader(header, ref, payload.size) };
    }
    const start = file.contentOffset!;
    return { input: this.meta, start, end: start + file.size };
  }
}
