// The preload: the one object the page gets, `window.restoreConsole`, typed by the contract
// (RestoreConsoleBridge). It never exposes ipcRenderer or any Electron object: only invoke,
// cancel and on, each checking its arguments' types before anything crosses to main (which checks
// them again, with the command schemas). Bundled into one CommonJS file, because a sandboxed
// preload can require nothing but a few Electron modules (electron-vite docs, "limitations of
// sandboxing"). Keep it as small as Kopia's app/public/preload.js.
import { contextBridge, ipcRenderer } from 'electron';
import type { CallOutcome, CommandArgs, CommandName, CommandResult, EventName, Events, Listener, RestoreConsoleBridge } from '../../shared/contract.ts';
import { IPC } from '../ipc/channels.ts';

const listeners = new Map<string, Set<(payload: unknown) => void>>();

ipcRenderer.on(IPC.event, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const l of [...(listeners.get(name) ?? [])]) {
    try {
      l(payload);
    } catch (e) {
      console.error(`restoreConsole: a listener for "${name}" failed`, e);
    }
  }
});

const api: RestoreConsoleBridge = {
  invoke<C extends CommandName>(command: C, args: CommandArgs<C>, callId?: string): Promise<CallOutcome<CommandResult<C>>> {
    if (typeof command !== 'string') return Promise.reject(new TypeError('command must be a string'));
    if (callId !== undefined && typeof callId !== 'string') return Promise.reject(new TypeError('callId must be a string'));
    return ipcRenderer.invoke(IPC.invoke, callId ?? null, command, args ?? {});
  },
  cancel(callId: string): void {
    if (typeof callId === 'string') ipcRenderer.send(IPC.cancel, callId);
  },
  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    if (typeof event !== 'string' || typeof listener !== 'function') throw new TypeError('on(event: string, listener: function)');
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const entry = (payload: unknown): void => listener(payload as Events[E]);
    set.add(entry);
    // Main forwards an event only to windows that asked for it: ask on the first listener.
    if (set.size === 1) ipcRenderer.send(IPC.subscribe, event);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      set.delete(entry);
      if (set.size === 0) ipcRenderer.send(IPC.unsubscribe, event);
    };
  },
};

if (process.contextIsolated) contextBridge.exposeInMainWorld('restoreConsole', api);
else throw new Error('Restore Console needs contextIsolation');
