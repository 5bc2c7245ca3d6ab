// SipHash-2-4 with 64-bit output (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012),
// as the `siphasher` crate's SipHasher24 computes it over the bytes given to `write`.
// pxar hashes every file name with it under fixed keys (goodbye tables are sorted by this hash),
// and its item type constants are the hashes of fixed strings (see magic.ts).
//
// Keys: k0 and k1 are u64; the 128-bit key is k0 (LE) || k1 (LE). The message is read as u64 LE
// words; the last word holds the remaining 0-7 bytes with (length mod 256) in its top byte.

const MASK = (1n << 64n) - 1n;

const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & MASK;

function sipRound(v: [bigint, bigint, bigint, bigint]): void {
  v[0] = (v[0] + v[1]) & MASK;
  v[1] = rotl(v[1], 13n) ^ v[0];
  v[0] = rotl(v[0], 32n);
  v[2] = (v[2] + v[3]) & MASK;
  v[3] = rotl(v[3], 16n) ^ v[2];
  v[0] = (v[0] + v[3]) & MASK;
  v[3] = rotl(v[3], 21n) ^ v[0];
  v[2] = (v[2] + v[1]) & MASK;
  v[1] = rotl(v[1], 17n) ^ v[2];
  v[2] = rotl(v[2], 32n);
}

/** SipHash-2-4 of `data` under the keys (k0, k1), as an unsigned 64-bit bigint. */
export function sipHash24(k0: bigint, k1: bigint, data: Uint8Array): bigint {
  const v: [bigint, bigint, bigint, bigint] = [
    k0 ^ 0x736f6d6570736575n,
    k1 ^ 0x646f72616e646f6dn,
    k0 ^ 0x6c7967656e657261n,
    k1 ^ 0x7465646279746573n,
  ];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const whole = data.length - (data.length % 8);
  const compress = (m: bigint): void => {
    v[3] ^= m;
    sipRound(v);
    sipRound(v);
    v[0] ^= m;
  };
  for (let i = 0; i < whole; i += 8) compress(view.getBigUint64(i, true));
  let last = BigInt(data.length & 0xff) << 56n;
  for (let i = whole; i < data.length; i++) last |= BigInt(data[i]!) << BigInt(8 * (i - whole));
  compress(last);
  v[2] ^= 0xffn;
  for (let i = 0; i < 4; i++) sipRound(v);
  return v[0] ^ v[1] ^ v[2] ^ v[3];
}
