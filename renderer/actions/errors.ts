// Any thrown value as the contract's serialisable error (what the store keeps to show later).
import type { ContractError, ContractErrorCode } from '../../shared/contract.ts';

export function toContractError(e: unknown): ContractError {
  const err = (e ?? {}) as { code?: unknown; message?: unknown; fingerprint?: unknown; chunk?: ContractError['chunk'] };
  return {
    code: (typeof err.code === 'string' ? err.code : 'INTERNAL') as ContractErrorCode,
    message: typeof err.message === 'string' ? err.message : String(e),
    ...(err.chunk ? { chunk: err.chunk } : {}),
    ...(typeof err.fingerprint === 'string' ? { fingerprint: err.fingerprint } : {}),
  };
}
