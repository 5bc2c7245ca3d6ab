// The small items of an entry, after its header (header.ts). Upstream: proxmox/pxar
// src/format/mod.rs, encoder/mod.rs, decoder/mod.rs. All integers little-endian.
//
// FORMAT_VERSION  content: version u64 (2). Only format 2 writes it, as the archive's first item.
// FILENAME        content: name bytes || 0. Not empty, no '/', not '.' or '..', at most 4096 bytes.
// SYMLINK         content: target bytes || 0 (at most 4096 bytes before the zero).
// HARDLINK        content: offset u64 || target path bytes || 0. The offset counts back from this
//                 entry's FILENAME to the FILENAME of the file it links to; the path is that file's
//                 path relative to the archive root, as the creating client recorded it.
// DEVICE          content: major u64 || minor u64.
// PAYLOAD_REF     content: offset u64 || size u64: the file's PAYLOAD header in the payload stream
//                 (payload.ts) starts at `offset` and carries `size` content bytes. Format 2 only.
import { pxarInvalid } from './header.ts';

const decoder = new TextDecoder('utf-8');

/** Raw bytes of a zero-terminated item content, without the zero. */
function zeroTerminated(content: Uint8Array, what: string, at: number): Uint8Array {
  if (content.length === 0 || content[content.length - 1] !== 0) throw pxarInvalid(`${what} at offset ${at} is not zero-terminated`);
  const bytes = content.subarray(0, content.length - 1);
  if (bytes.includes(0)) throw pxarInvalid(`${what} at offset ${at} contains a zero byte`);
  return bytes;
}

export function parseFormatVersion(content: Uint8Array, at: number): number {
  if (content.length !== 8) throw pxarInvalid(`FORMAT_VERSION at offset ${at} has ${content.length} bytes, expected 8`);
  const v = new DataView(content.buffer, content.byteOffset, 8).getBigUint64(0, true);
  if (v !== 1n && v !== 2n) throw pxarInvalid(`unknown format version ${v}`);
  return Number(v);
}

/** A FILENAME's raw bytes, checked as upstream's validate_filename does (a name never escapes its directory). */
export function parseFilename(content: Uint8Array, at: number): Uint8Array {
  const name = zeroTerminated(content, 'FILENAME', at);
  if (name.length === 0) throw pxarInvalid(`empty file name at offset ${at}`);
  if (name.includes(0x2f)) throw pxarInvalid(`file name with a '/' at offset ${at}`);
  if ((name.length === 1 && name[0] === 0x2e) || (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e)) {
    throw pxarInvalid(`file name '${decoder.decode(name)}' at offset ${at}`);
  }
  return name;
}

export function decodeName(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function parseSymlink(content: Uint8Array, at: number): string {
  return decoder.decode(zeroTerminated(content, 'SYMLINK', at));
}

export interface Hardlink {
  /** Bytes from this entry's FILENAME back to the target's FILENAME. */
  offset: number;
  /** The target's path relative to the archive root. */
  target: string;
}

export function parseHardlink(content: Uint8Array, at: number): Hardlink {
  if (content.length <= 8) throw pxarInvalid(`HARDLINK at offset ${at} is too small`);
  const offset = new DataView(content.buffer, content.byteOffset, 8).getBigUint64(0, true);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw pxarInvalid(`HARDLINK at offset ${at} has impossible offset ${offset}`);
  return { offset: Number(offset), target: decoder.decode(zeroTerminated(content.subarray(8), 'HARDLINK', at)) };
}

export interface Device {
  major: number;
  minor: number;
}

export function parseDevice(content: Uint8Array, at: number): Device {
  if (content.length !== 16) throw pxarInvalid(`DEVICE at offset ${at} has ${content.length} bytes, expected 16`);
  const v = new DataView(content.buffer, content.byteOffset, 16);
  return { major: Number(v.getBigUint64(0, true)), minor: Number(v.getBigUint64(8, true)) };
}

export interface PayloadRef {
  offset: number;
  size: number;
}

export function parsePayloadRef(content: Uint8Array, at: number): PayloadRef {
  if (content.length !== 16) throw pxarInvalid(`PAYLOAD_REF at offset ${at} has ${content.length} bytes, expected 16`);
  const v = new DataView(content.buffer, content.byteOffset, 16);
  const offset = v.getBigUint64(0, true);
  const size = v.getBigUint64(8, true);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER) || size > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw pxarInvalid(`PAYLOAD_REF at offset ${at} points outside any payload (offset ${offset}, size ${size})`);
  }
  return { offset: Number(offset), size: Number(size) };
}

const u64s = (...values: number[]): Buffer => {
  const out = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => out.writeBigUInt64LE(BigInt(v), 8 * i));
  return out;
};
const withZero = (bytes: Uint8Array): Buffer => Buffer.concat([bytes, Buffer.of(0)]);

export const encodeFormatVersion = (version: number): Buffer => u64s(version);
export const encodeFilename = (name: Uint8Array): Buffer => withZero(name);
export const encodeSymlink = (target: Uint8Array): Buffer => withZero(target);
export const encodeHardlink = (offset: number, target: Uint8Array): Buffer => Buffer.concat([u64s(offset), withZero(target)]);
export const encodeDevice = (d: Device): Buffer => u64s(d.major, d.minor);
export const encodePayloadRef = (r: PayloadRef): Buffer => u64s(r.offset, r.size);
