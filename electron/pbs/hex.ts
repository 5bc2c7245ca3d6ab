// Digest and fingerprint text forms used throughout PBS.

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parse lowercase or uppercase hex of an exact byte length; returns undefined when malformed. */
export function parseHex(text: string, bytes: number): Buffer | undefined {
  if (text.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  return Buffer.from(text, 'hex');
}

/** `aa:bb:…` lowercase, as PBS serialises a key Fingerprint. */
export function toColonHex(bytes: Uint8Array): string {
  return toHex(bytes).replace(/(..)(?!$)/g, '$1:');
}

/** Accepts `aa:bb:…` in any case (PVE writes fingerprints in upper case). */
export function parseColonHex(text: string, bytes: number): Buffer | undefined {
  return parseHex(text.replaceAll(':', ''), bytes);
}
