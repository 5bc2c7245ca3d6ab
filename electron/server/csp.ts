// The Content-Security-Policy of the UI, one string for every shell: sent as a header by the
// Electron protocol handler and session, and by the browser-mode server, and repeated in
// renderer/index.html's meta tag (a test keeps them equal). Scripts and styles only from the app
// itself; no eval, no inline code, no plugins, no framing; the renderer talks only to its own
// origin (IPC needs no network at all).
export const CSP_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['object-src', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** As an HTTP header. */
export const CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.map(([k, v]) => `${k} ${v}`).join('; ');

/** As a meta tag: frame-ancestors is ignored there (browsers warn), so it is left out. */
export const META_CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.filter(([k]) => k !== 'frame-ancestors')
  .map(([k, v]) => `${k} ${v}`)
  .join('; ');

/** Headers every UI response carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  // The page URL carries the token once (browser mode): never send it on as a referrer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
