// Hardening of every web contents and of the session, applied before any window exists:
// no navigation away from the app, no new windows, no <webview>, no permissions, the CSP on every
// response. Electron's security checklist (docs/tutorial/security.md) items 4, 7, 11–15.
import { app, session, type Session, type WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../server/csp.ts';
import { APP_ORIGIN } from '../ipc/channels.ts';

export function hardenWebContents(contents: WebContents): void {
  const sameApp = (url: string): boolean => {
    try {
      return new URL(url).origin === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
    } catch {
      return false;
    }
  };
  contents.on('will-navigate', (event, url) => {
    // The UI is one page; a reload of it is the only navigation allowed.
    if (!(sameApp(url) && url === contents.getURL())) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenSession(ses: Session = session.defaultSession): void {
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] };
    callback({ responseHeaders: headers });
  });
}

/** Called once, before `ready`. */
export function hardenApp(): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}
