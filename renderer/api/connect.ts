// Picks the transport for this page: the desktop app's preload bridge when present, otherwise
// browser mode's HTTP server that served the page, with the token it printed. The token arrives
// once in the address (?token=…); it is kept in sessionStorage for reloads and removed from the
// address bar at once, so it does not stay in history or get copied around with the URL.
import type { RestoreConsoleApi, RestoreConsoleBridge } from '../../shared/contract.ts';
import { bridgeClient } from './bridgeClient.ts';
import { httpClient } from './httpClient.ts';

const TOKEN_KEY = 'restore-console-token';

/** The preload's object, when this page runs inside the desktop app. */
function desktopBridge(): RestoreConsoleBridge | undefined {
  return (globalThis as { restoreConsole?: RestoreConsoleBridge }).restoreConsole;
}

export function pageToken(): string | undefined {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** `onReconnect`: the browser-mode event stream is back after a drop (reload what the page shows). */
export function connect(onConnection?: (connected: boolean) => void, onReconnect?: () => void): RestoreConsoleApi {
  const bridge = desktopBridge();
  if (bridge) {
    onConnection?.(true);
    return bridgeClient(bridge);
  }
  const token = pageToken();
  if (!token) throw new Error('This page needs the address that "restore-console serve" printed (it ends with ?token=…).');
  return httpClient({ baseUrl: window.location.origin, token, ...(onConnection ? { onConnection } : {}), ...(onReconnect ? { onReconnect } : {}) });
}
