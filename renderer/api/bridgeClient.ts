// The contract over the Electron preload (window.restoreConsole): outcomes become results or
// RestoreErrors, AbortSignals become call ids the main process cancels.
import type { CallOptions, CommandArgs, CommandName, CommandResult, EventName, Listener, RestoreConsoleApi, RestoreConsoleBridge, Unsubscribe } from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';
import { cancelledError } from './errors.ts';

let nextCall = 0;

export function bridgeClient(bridge: RestoreConsoleBridge): RestoreConsoleApi {
  return {
    async invoke<C extends CommandName>(command: C, args: CommandArgs<C>, opts: CallOptions = {}): Promise<CommandResult<C>> {
      const { signal } = opts;
      if (signal?.aborted) throw cancelledError();
      const callId = signal ? `c${++nextCall}` : undefined;
      const onAbort = (): void => bridge.cancel(callId!);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const outcome = await bridge.invoke(command, args, callId);
        if (!outcome.ok) throw RestoreError.from(outcome.error);
        return outcome.value;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    on<E extends EventName>(event: E, listener: Listener<E>): Unsubscribe {
      return bridge.on(event, listener);
    },
  };
}
