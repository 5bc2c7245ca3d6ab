// Picks the transport for this page: the desktop app's preload bridge when present, otherwise
// browser mode's HTTP server that served the page, with the token it printed. The token arrives
// once in the address (?token=…); it is kept in localStorage and removed from the address bar at
// once, so it does not stay in history or get copied around with the URL. serve keeps its token
// and port across restarts, so the page's address (a bookmark, a tab left open) keeps working;
// after `serve --new-token` the page says the token was refused (onRefused).
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
    localStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  return localStorage.getItem(TOKEN_KEY) ?? undefined;
}

let retry: (() => void) | undefined;

/** Browser mode: try reaching the service again now (the stream also retries by itself every second). */
export function reconnectNow(): void {
  retry?.();
}

/**
 * `onReconnect`: the browser-mode event stream is back after a drop (reload what the page shows);
 * `onRefused`: the service refused the token.
 */
export function connect(onConnection?: (connected: boolean) => void, onReconnect?: () => void, onRefused?: () => void): RestoreConsoleApi {
  const bridge = desktopBridge();
  if (bridge) {
    onConnection?.(true);
    return bridgeClient(bridge);
  }
  const token = pageToken();
  if (!token) throw new Error('This page needs the address that "restore-console serve" printed (it ends with ?token=…).');
  const client = httpClient({ baseUrl: window.location.origin, token, ...(onConnection ? { onConnection } : {}), ...(onReconnect ? { onReconnect } : {}), ...(onRefused ? { onRefused } : {}) });
  retry = () => client.retryNow();
  return client;
}
