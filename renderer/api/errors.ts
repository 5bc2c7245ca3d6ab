// The error every client call rejects with, whichever transport carried it: the contract's
// ContractError as an Error, so `catch (e) { e.code }` works the same in the app and the browser.
import type { ChunkLocation } from '../../shared/errors.ts';
import type { ContractError, ContractErrorCode } from '../../shared/contract.ts';

export class ContractCallError extends Error {
  readonly code: ContractErrorCode;
  readonly chunk?: ChunkLocation;
  readonly fingerprint?: string;

  constructor(info: ContractError) {
    super(info.message);
    this.name = 'ContractCallError';
    this.code = info.code;
    if (info.chunk) this.chunk = info.chunk;
    if (info.fingerprint) this.fingerprint = info.fingerprint;
  }

  toInfo(): ContractError {
    return {
      code: this.code,
      message: this.message,
      ...(this.chunk ? { chunk: this.chunk } : {}),
      ...(this.fingerprint ? { fingerprint: this.fingerprint } : {}),
    };
  }
}

export const cancelledError = (): ContractCallError => new ContractCallError({ code: 'CANCELLED', message: 'the call was cancelled' });
