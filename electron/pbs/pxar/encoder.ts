// A pxar encoder for trees held in memory: the demo datastore's container backups and the tests'
// archives. It follows upstream's encoder (proxmox/pxar src/encoder/mod.rs) step for step, so the
// bytes are what proxmox-backup-client writes for the same tree: entries sorted by name bytes (as
// pbs-client's create.rs sorts them), metadata items in upstream's order, goodbye tables as an
// array BST of SipHash keys with offsets relative to the table, hardlinks pointing back to the
// target's FILENAME, and in format 2 the contents in a separate payload stream with PAYLOAD_REF
// items (and upstream's goodbye size quirk for such files, see goodbye.ts).
//
// Item order of an entry: FILENAME (not for the root), ENTRY, XATTR*, ACL_USER*, ACL_GROUP*,
// ACL_GROUP_OBJ?, ACL_DEFAULT?, ACL_DEFAULT_USER*, ACL_DEFAULT_GROUP*, FCAPS?, QUOTA_PROJID?, then
// PAYLOAD | PAYLOAD_REF | SYMLINK | DEVICE | (children, GOODBYE) | nothing (fifo, socket). A
// hardlink is FILENAME then HARDLINK, with no ENTRY of its own.
import { encodeHeader } from './header.ts';
import { encodeDevice, encodeFilename, encodeFormatVersion, encodeHardlink, encodePayloadRef, encodeSymlink } from './entryItems.ts';
import { encodeGoodbye, type GoodbyeItem } from './goodbye.ts';
import {
  hashFilename,
  PXAR_ACL_DEFAULT,
  PXAR_ACL_DEFAULT_GROUP,
  PXAR_ACL_DEFAULT_USER,
  PXAR_ACL_GROUP,
  PXAR_ACL_GROUP_OBJ,
  PXAR_ACL_USER,
  PXAR_DEVICE,
  PXAR_ENTRY,
  PXAR_FCAPS,
  PXAR_FILENAME,
  PXAR_FORMAT_VERSION,
  PXAR_HARDLINK,
  PXAR_PAYLOAD,
  PXAR_PAYLOAD_REF,
  PXAR_PAYLOAD_START_MARKER,
  PXAR_PAYLOAD_TAIL_MARKER,
  PXAR_PRELUDE,
  PXAR_QUOTA_PROJID,
  PXAR_SYMLINK,
  PXAR_XATTR,
} from './magic.ts';
import { encodeStat, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, S_IFSOCK } from './stat.ts';

/** Stat data and optional attributes of an entry; `mode` holds the permission bits only. */
export interface PxarMeta {
  mode: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  mtimeNanos?: number;
  flags?: bigint;
  xattrs?: Array<[name: string, value: Uint8Array | string]>;
  acl?: {
    users?: Array<{ uid: number; permissions: number }>;
    groups?: Array<{ gid: number; permissions: number }>;
    groupObj?: number;
    default?: [user: number, group: number, other: number, mask: number];
    defaultUsers?: Array<{ uid: number; permissions: number }>;
    defaultGroups?: Array<{ gid: number; permissions: number }>;
  };
  fcaps?: Uint8Array;
  quotaProjectId?: number;
}

export type PxarNode =
  | (PxarMeta & { kind: 'dir'; name: string; children: PxarNode[] })
  | (PxarMeta & { kind: 'file'; name: string; data: Uint8Array })
  | (PxarMeta & { kind: 'symlink'; name: string; target: string })
  | (PxarMeta & { kind: 'device'; name: string; block?: boolean; major: number; minor: number })
  | (PxarMeta & { kind: 'fifo' | 'socket'; name: string })
  /** `target`: path of a file earlier in the archive, relative to the root ('etc/hosts'). */
  | { kind: 'hardlink'; name: string; target: string };

export interface EncodeOptions {
  /** 1: one stream (`*.pxar`); 2: metadata (`*.mpxar`) and payload (`*.ppxar`) streams. */
  format: 1 | 2;
  /** Format 2 only: a PRELUDE item after FORMAT_VERSION (PBS stores nothing there today). */
  prelude?: Uint8Array;
  /**
   * Format 2 only: filler bytes before each file's PAYLOAD header, as PBS leaves between payloads
   * when it reuses chunks of an earlier snapshot (the references skip them).
   */
  payloadGap?: number;
}

export interface EncodedPxar {
  /** The archive (format 1) or its metadata stream (format 2). */
  meta: Buffer;
  /** Format 2: the payload stream. */
  payload?: Buffer;
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

class Stream {
  readonly parts: Buffer[] = [];
  pos = 0;
  put(b: Buffer): void {
    this.parts.push(b);
    this.pos += b.length;
  }
  item(htype: bigint, content: Buffer): void {
    this.put(encodeHeader(htype, content.length));
    this.put(content);
  }
}

const u64s = (...values: number[]): Buffer => {
  const out = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => out.writeBigUInt64LE(BigInt(v), 8 * i));
  return out;
};

class Encoder {
  readonly meta = new Stream();
  readonly payload: Stream | undefined;
  /** FILENAME offsets of files written so far, by path, for hardlinks. */
  private readonly files = new Map<string, number>();
  private readonly opts: EncodeOptions;

  constructor(opts: EncodeOptions) {
    this.opts = opts;
    if (opts.format === 2) {
      this.payload = new Stream();
      this.payload.put(encodeHeader(PXAR_PAYLOAD_START_MARKER, 0));
    }
  }

  private metadata(node: PxarMeta, typeBits: number): void {
    const m = this.meta;
    m.item(PXAR_ENTRY, encodeStat({
      mode: typeBits | (node.mode & 0o7777),
      flags: node.flags ?? 0n,
      uid: node.uid ?? 0,
      gid: node.gid ?? 0,
      mtimeSecs: node.mtime ?? 0,
      mtimeNanos: node.mtimeNanos ?? 0,
    }));
    for (const [name, value] of node.xattrs ?? []) m.item(PXAR_XATTR, Buffer.concat([utf8(name), Buffer.of(0), typeof value === 'string' ? utf8(value) : value]));
    const acl = node.acl ?? {};
    for (const u of acl.users ?? []) m.item(PXAR_ACL_USER, u64s(u.uid, u.permissions));
    for (const g of acl.groups ?? []) m.item(PXAR_ACL_GROUP, u64s(g.gid, g.permissions));
    if (acl.groupObj !== undefined) m.item(PXAR_ACL_GROUP_OBJ, u64s(acl.groupObj));
    if (acl.default) m.item(PXAR_ACL_DEFAULT, u64s(...acl.default));
    for (const u of acl.defaultUsers ?? []) m.item(PXAR_ACL_DEFAULT_USER, u64s(u.uid, u.permissions));
    for (const g of acl.defaultGroups ?? []) m.item(PXAR_ACL_DEFAULT_GROUP, u64s(g.gid, g.permissions));
    if (node.fcaps) m.item(PXAR_FCAPS, Buffer.from(node.fcaps));
    if (node.quotaProjectId !== undefined) m.item(PXAR_QUOTA_PROJID, u64s(node.quotaProjectId));
  }

  /** The root directory: FORMAT_VERSION and PRELUDE (format 2), its metadata, children, goodbye table. */
  root(node: PxarMeta & { children: PxarNode[] }): void {
    if (this.payload) {
      this.meta.item(PXAR_FORMAT_VERSION, encodeFormatVersion(2));
      if (this.opts.prelude) this.meta.item(PXAR_PRELUDE, Buffer.from(this.opts.prelude));
    } else if (this.opts.prelude) {
      throw new Error('a prelude needs format 2');
    }
    this.metadata(node, S_IFDIR);
    // Upstream's root state keeps entry_offset 0, so the root's tail points at the archive start.
    this.children(node.children, '', 0);
    this.payload?.item(PXAR_PAYLOAD_TAIL_MARKER, Buffer.alloc(0));
  }

  private children(children: PxarNode[], dirPath: string, entryOffset: number): void {
    const sorted = children.map((c) => ({ c, name: utf8(c.name) })).sort((a, b) => Buffer.compare(a.name, b.name));
    const items: GoodbyeItem[] = [];
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.name.equals(sorted[i - 1]!.name)) throw new Error(`duplicate name ${sorted[i]!.c.name} in ${dirPath || '/'}`);
    }
    for (const { c, name } of sorted) {
      const path = dirPath ? `${dirPath}/${c.name}` : c.name;
      const fileOffset = this.meta.pos;
      const size = this.child(c, name, path, fileOffset);
      items.push({ hash: hashFilename(name), offset: fileOffset, size });
    }
    const goodbyeOffset = this.meta.pos;
    this.meta.put(encodeGoodbye(items, goodbyeOffset, entryOffset));
  }

  /** Writes one entry; returns the size its goodbye item records. */
  private child(c: PxarNode, name: Buffer, path: string, fileOffset: number): number {
    const m = this.meta;
    if (name.length === 0 || name.includes(0x2f) || name.includes(0) || c.name === '.' || c.name === '..') throw new Error(`invalid file name ${JSON.stringify(c.name)}`);
    m.item(PXAR_FILENAME, encodeFilename(name));
    switch (c.kind) {
      case 'hardlink': {
        const target = c.target.replace(/^\/+/, '');
        const targetOffset = this.files.get(target);
        if (targetOffset === undefined) throw new Error(`hardlink ${path}: no earlier file ${target}`);
        m.item(PXAR_HARDLINK, encodeHardlink(fileOffset - targetOffset, utf8(target)));
        return m.pos - fileOffset;
      }
      case 'dir': {
        const entryOffset = m.pos;
        this.metadata(c, S_IFDIR);
        this.children(c.children, path, entryOffset);
        return m.pos - fileOffset;
      }
      case 'file': {
        this.files.set(path, fileOffset);
        this.metadata(c, S_IFREG);
        const size = c.data.length;
        if (this.payload) {
          if (this.opts.payloadGap) this.payload.put(Buffer.alloc(this.opts.payloadGap, 0xee));
          const ref = { offset: this.payload.pos, size };
          this.payload.put(encodeHeader(PXAR_PAYLOAD, size));
          m.item(PXAR_PAYLOAD_REF, encodePayloadRef(ref));
          const metaSize = m.pos - fileOffset;
          this.payload.put(Buffer.from(c.data));
          // Upstream's create_file records file size + metadata size here, also in split archives.
          return size + metaSize;
        }
        m.put(encodeHeader(PXAR_PAYLOAD, size));
        m.put(Buffer.from(c.data));
        return m.pos - fileOffset;
      }
      case 'symlink':
        this.metadata(c, S_IFLNK);
        m.item(PXAR_SYMLINK, encodeSymlink(utf8(c.target)));
        return m.pos - fileOffset;
      case 'device':
        this.metadata(c, c.block ? S_IFBLK : S_IFCHR);
        m.item(PXAR_DEVICE, encodeDevice(c));
        return m.pos - fileOffset;
      case 'fifo':
      case 'socket':
        this.metadata(c, c.kind === 'fifo' ? S_IFIFO : S_IFSOCK);
        return m.pos - fileOffset;
    }
  }
}

/** Encode a directory tree as a pxar archive of the given format. */
export function encodePxar(root: PxarMeta & { children: PxarNode[] }, opts: EncodeOptions): EncodedPxar {
  const enc = new Encoder(opts);
  enc.root(root);
  const meta = Buffer.concat(enc.meta.parts);
  return enc.payload ? { meta, payload: Buffer.concat(enc.payload.parts) } : { meta };
}
