// Shared assertions for the PBS format tests (not a test file itself).
import assert from 'node:assert/strict';
import type { ErrorCode } from '../../shared/errors.ts';
import { RestoreError } from '../../shared/errors.ts';

/** Validator for assert.throws / assert.rejects: a RestoreError with exactly this stable code. */
export function hasCode(code: ErrorCode): (e: unknown) => true {
  return (e: unknown) => {
    assert.ok(e instanceof RestoreError, `expected a RestoreError with code ${code}, got ${String(e)}`);
    assert.equal(e.code, code, `wrong code; message: ${e.message}`);
    return true;
  };
}

export const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** Bytes 00 01 02 … (n-1). */
export const seq = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => i));

/** The 50-byte data D of upstream's round-trip tests (pbs-datastore/src/data_blob.rs): 00×10 01×10 02×10 03×10 04×10. */
export const D = Buffer.concat([0, 1, 2, 3, 4].map((b) => Buffer.alloc(10, b)));
