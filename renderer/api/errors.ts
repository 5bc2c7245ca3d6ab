// What a client call rejects with when its AbortSignal fired: the contract's CANCELLED, as the
// service would say it, whichever transport carried the call. Every other failure is a
// RestoreError rebuilt from the ContractError the service sent (RestoreError.from).
import { RestoreError } from '../../shared/errors.ts';

export const cancelledError = (): RestoreError => new RestoreError('CANCELLED', 'the call was cancelled');
