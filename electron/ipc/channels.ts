// What the preload and the main process agree on: the IPC channels (the only ones either side
// uses) and the origin our pages are served from, which main checks every sender against. In a
// folder of its own so the preload bundle imports these constants and nothing of main's.
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

/** Channels main accepts messages on. */
export const INBOUND_CHANNELS: readonly string[] = [IPC.invoke, IPC.cancel, IPC.subscribe, IPC.unsubscribe];

/** The app's own pages are served from this scheme and host (electron/main/protocol.ts). */
export const APP_SCHEME = 'restore-console';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
