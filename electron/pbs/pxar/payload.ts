// The payload stream of a split archive (`*.ppxar`, format 2). Upstream: proxmox/pxar
// src/encoder/mod.rs (new, create_file, close), accessor/mod.rs (FileContentsImpl).
//
//   PAYLOAD_START_MARKER header (full_size 16, no content)
//   { PAYLOAD header (full_size 16 + size) || file bytes } per file, in the order the metadata
//       stream's PAYLOAD_REF items name them; bytes may lie between two of them (PBS reuses chunks
//       of the previous snapshot's payload, so a reference may skip over data no entry uses)
//   PAYLOAD_TAIL_MARKER header (full_size 16, no content)
// A PAYLOAD_REF {offset, size} in the metadata stream points at a PAYLOAD header, whose content
// size must equal `size`; the file's bytes are at offset + 16.
import { HEADER_SIZE, parseHeader, pxarInvalid } from './header.ts';
import type { PayloadRef } from './entryItems.ts';
import { itemTypeName, PXAR_PAYLOAD, PXAR_PAYLOAD_START_MARKER, PXAR_PAYLOAD_TAIL_MARKER } from './magic.ts';

/** Check the first and last 16 bytes of a payload stream of `size` bytes. */
export function checkPayloadStream(first: Uint8Array, last: Uint8Array, size: number): void {
  if (size < 2 * HEADER_SIZE) throw pxarInvalid(`payload stream of ${size} bytes is too small for its start and tail markers`);
  const start = parseHeader(first, 0, 0);
  if (start.htype !== PXAR_PAYLOAD_START_MARKER || start.fullSize !== HEADER_SIZE) {
    throw pxarInvalid(`payload stream starts with ${itemTypeName(start.htype)}, not the payload start marker`);
  }
  const tail = parseHeader(last, 0, size - HEADER_SIZE);
  if (tail.htype !== PXAR_PAYLOAD_TAIL_MARKER || tail.fullSize !== HEADER_SIZE) {
    throw pxarInvalid(`payload stream does not end with the payload tail marker (truncated?)`);
  }
}

/** Check the PAYLOAD header a reference points at; returns the range of the file's bytes. */
export function checkPayloadHeader(header: Uint8Array, ref: PayloadRef, streamSize: number): { start: number; end: number } {
  const h = parseHeader(header, 0, ref.offset);
  if (h.htype !== PXAR_PAYLOAD) throw pxarInvalid(`payload reference to offset ${ref.offset} finds ${itemTypeName(h.htype)}, not PAYLOAD`);
  if (h.contentSize !== ref.size) throw pxarInvalid(`payload at offset ${ref.offset} has ${h.contentSize} bytes, the reference says ${ref.size}`);
  const start = ref.offset + HEADER_SIZE;
  const end = start + ref.size;
  // The tail marker follows the last payload.
  if (end > streamSize - HEADER_SIZE) throw pxarInvalid(`payload at offset ${ref.offset} (${ref.size} bytes) runs past the payload stream's end`);
  return { start, end };
}
