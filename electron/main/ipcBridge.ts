// The service on the IPC boundary: commands from the preload run on the service (or, for native
// dialogs, on the shell), with per-call cancellation; events go to the windows that subscribed to
// them. Every message passes ipcValidation.ts first. No electron import: main passes its ipcMain
// in, tests pass a fake (test/ipc/).
import type { CallOutcome, CommandArgs, CommandName, CommandResult, EventName, Events } from '../../shared/contract.ts';
import { toContractError } from '../../shared/errors.ts';
import type { AnyListener } from '../service/events.ts';
import type { RestoreConsoleApi } from '../../shared/contract.ts';
import { IPC } from '../ipc/channels.ts';
import { parseCancel, parseInvoke, parseSubscription, validatedIpcMain, type IpcEventLike, type IpcMainLike } from './ipcValidation.ts';

/** What the bridge needs of a renderer's WebContents. */
export interface SenderLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface BridgeEvent extends IpcEventLike {
  readonly sender: SenderLike;
}

export type ShellCommand = Extract<CommandName, `shell.${string}`>;
/** The commands the Electron shell answers itself (native dialogs), given the calling sender. */
export type ShellHandlers = { [C in ShellCommand]: (args: CommandArgs<C>, sender: SenderLike) => Promise<CommandResult<C>> };

export interface BridgeOptions {
  ipcMain: IpcMainLike;
  service: RestoreConsoleApi & { onAny(listener: AnyListener): () => void };
  /** Where our pages come from (restore-console://app). */
  appOrigin: string;
  shell?: Partial<ShellHandlers>;
  /** Told about refused messages (foreign frames, unknown channels). Never given their arguments. */
  onRefusal?: (message: string) => void;
}

const isShellCommand = (c: CommandName): c is ShellCommand => c.startsWith('shell.');

export function installIpcBridge(o: BridgeOptions): { dispose(): void } {
  const refuse = (e: unknown): void => o.onRefusal?.((e as Error).message);
  // Every handler below is registered through this, so each message passes the sender check first.
  const ipc = validatedIpcMain<BridgeEvent>(o.ipcMain, o.appOrigin, refuse);
  /** Running calls that can be cancelled, per sender: `${senderId}:${callId}`. */
  const calls = new Map<string, AbortController>();
  /** Event names each sender subscribed to. */
  const subs = new Map<number, { sender: SenderLike; events: Map<EventName, number> }>();

  ipc.handle(IPC.invoke, async (event, ...raw): Promise<CallOutcome<unknown>> => {
    let key: string | undefined;
    try {
      const call = parseInvoke(raw);
      if (isShellCommand(call.command)) {
        const handler = o.shell?.[call.command] as ((a: unknown, s: SenderLike) => Promise<unknown>) | undefined;
        if (handler) return { ok: true, value: await handler(call.args, event.sender) };
      }
      const ac = new AbortController();
      if (call.callId) {
        key = `${event.sender.id}:${call.callId}`;
        calls.get(key)?.abort();
        calls.set(key, ac);
      }
      const value = await o.service.invoke(call.command, call.args as never, { signal: ac.signal });
      return { ok: true, value };
    } catch (e) {
      return { ok: false, error: toContractError(e) };
    } finally {
      if (key) calls.delete(key);
    }
  });

  ipc.on(IPC.cancel, (event, ...raw) => {
    calls.get(`${event.sender.id}:${parseCancel(raw)}`)?.abort();
  });

  const subscription = (channel: typeof IPC.subscribe | typeof IPC.unsubscribe) => (event: BridgeEvent, ...raw: unknown[]) => {
    const name = parseSubscription(raw);
    const sender = event.sender;
    let entry = subs.get(sender.id);
    if (!entry) {
      if (channel === IPC.unsubscribe) return;
      entry = { sender, events: new Map() };
      subs.set(sender.id, entry);
      sender.once('destroyed', () => {
        subs.delete(sender.id);
        for (const k of [...calls.keys()]) if (k.startsWith(`${sender.id}:`)) calls.get(k)?.abort();
      });
    }
    const n = (entry.events.get(name) ?? 0) + (channel === IPC.subscribe ? 1 : -1);
    if (n > 0) entry.events.set(name, n);
    else entry.events.delete(name);
  };
  ipc.on(IPC.subscribe, subscription(IPC.subscribe));
  ipc.on(IPC.unsubscribe, subscription(IPC.unsubscribe));

  const unsubscribe = o.service.onAny(<E extends EventName>(name: E, payload: Events[E]) => {
    for (const { sender, events } of subs.values()) {
      if (!events.has(name) || sender.isDestroyed()) continue;
      sender.send(IPC.event, name, payload);
    }
  });

  return {
    dispose() {
      unsubscribe();
      ipc.dispose();
      for (const ac of calls.values()) ac.abort();
      calls.clear();
      subs.clear();
    },
  };
}
