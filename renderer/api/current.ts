// The one RestoreConsoleApi of this page, set once by main.tsx. Actions and the event listener
// reach the contract through it; components never hold the api themselves.
import type { RestoreConsoleApi } from '../../shared/contract.ts';

let current: RestoreConsoleApi | undefined;

export function setApi(api: RestoreConsoleApi): void {
  current = api;
}

export function api(): RestoreConsoleApi {
  if (!current) throw new Error('the contract client is not connected yet');
  return current;
}
