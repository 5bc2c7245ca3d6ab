// The built UI (out/renderer) as static files. Only files under the root, only GET and HEAD;
// `..`, encoded separators and dotfiles are refused before touching the disk.
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Restore Console</title>
<p>The UI is not built yet. Run <code>npm run build</code>, then reload this page (keep the token in the URL).</p>`;

export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The file for a URL path, or undefined when the path is not acceptable. */
export function staticPath(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const parts = decoded.split('/').filter(Boolean);
  if (parts.some((p) => p === '..' || p.startsWith('.'))) return undefined;
  const base = resolve(root);
  const file = resolve(base, ...(parts.length ? parts : ['index.html']));
  return file === base || file.startsWith(base + sep) ? file : undefined;
}

export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string | undefined, pathname: string, headers: Record<string, string>): Promise<void> {
  const file = root ? staticPath(root, pathname) : undefined;
  let body: Buffer | undefined;
  if (file) {
    try {
      if ((await stat(file)).isFile()) body = await readFile(file);
    } catch {
      body = undefined;
    }
  }
  if (!body && (pathname === '/' || pathname === '/index.html')) {
    res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT);
    return;
  }
  if (!body || !file) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
    return;
  }
  const type = contentType(file);
  // Hashed asset names may be cached; the page itself is always fetched fresh.
  const cache = file.endsWith('.html') ? 'no-store' : 'public, max-age=31536000, immutable';
  res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(body.length), 'Cache-Control': cache });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function defaultStaticRoot(): string {
  return join(import.meta.dirname, '..', '..', 'out', 'renderer');
}
