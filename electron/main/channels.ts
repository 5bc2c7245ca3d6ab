// The IPC channels between the preload and the main process: the only ones either side uses.
// Kept apart so the preload bundle imports these constants and nothing else from main.
export const IPC = {
  /** renderer → main, invoke: (callId | null, command, args) → CallOutcome */
  invoke: 'restore-console:invoke',
  /** renderer → main, send: (callId) */
  cancel: 'restore-console:cancel',
  /** renderer → main, send: (eventName) */
  subscribe: 'restore-console:subscribe',
  /** renderer → main, send: (eventName) */
  unsubscribe: 'restore-console:unsubscribe',
  /** main → renderer: (eventName, payload) */
  event: 'restore-console:event',
} as const;

export type IpcChannel = (typeof IPC)[Exclude<keyof typeof IPC, 'event'>];

/** Channels main accepts messages on. */
export const INBOUND_CHANNELS: readonly string[] = [IPC.invoke, IPC.cancel, IPC.subscribe, IPC.unsubscribe];

/** The app's own pages are served from this scheme and host (electron/main/protocol.ts). */
export const APP_SCHEME = 'restore-console';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
