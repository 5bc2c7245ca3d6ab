// The app's pages come from restore-console://app/…, mapped onto the built renderer folder
// (out/renderer). A custom scheme, not file://, so the renderer has a real origin that IPC
// validation can check (any local file would share file://), and so every response carries the
// CSP and security headers. Paths are checked by the same function as browser mode's server.
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { SECURITY_HEADERS } from '../server/csp.ts';
import { contentType, staticPath } from '../server/static.ts';
import { APP_HOST, APP_SCHEME } from '../ipc/channels.ts';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  ]);
}

export function serveAppScheme(root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST && request.method === 'GET' ? staticPath(root, url.pathname) : undefined;
    if (!file) return new Response('not found', { status: 404, headers: SECURITY_HEADERS });
    try {
      const body = await readFile(file);
      return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': contentType(file) } });
    } catch {
      return new Response('not found', { status: 404, headers: SECURITY_HEADERS });
    }
  });
}
