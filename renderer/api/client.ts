// The renderer's one way to the contract. In the desktop app the preload exposes
// window.restoreConsole (a RestoreConsoleBridge); in browser mode there is none and the client
// speaks HTTP + Server-Sent Events to the server that served the page. Either way the UI gets the
// same RestoreConsoleApi and cannot tell them apart.
import type { RestoreConsoleApi, RestoreConsoleBridge } from '../../shared/contract.ts';
import { bridgeClient } from './bridgeClient.ts';
import { httpClient, type HttpClientOptions } from './httpClient.ts';

export { bridgeClient } from './bridgeClient.ts';
export { httpClient } from './httpClient.ts';

/** The preload's object, when this page runs inside the desktop app. */
export function desktopBridge(): RestoreConsoleBridge | undefined {
  return (globalThis as { restoreConsole?: RestoreConsoleBridge }).restoreConsole;
}

export function createClient(opts: { bridge?: RestoreConsoleBridge; http?: HttpClientOptions } = {}): RestoreConsoleApi {
  const bridge = opts.bridge ?? desktopBridge();
  if (bridge) return bridgeClient(bridge);
  if (!opts.http) throw new Error('no desktop bridge and no server address: cannot reach the service');
  return httpClient(opts.http);
}
