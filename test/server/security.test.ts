// Browser mode refuses what is not its own page: no or wrong token (401), another Host (DNS
// rebinding) or another Origin (403), and serves only the UI's files, with a strict CSP.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { META_CONTENT_SECURITY_POLICY } from '../../electron/server/csp.ts';
import { startHttpServer } from '../../electron/server/httpServer.ts';
import { RestoreService } from '../../electron/service/service.ts';
import { tempDir } from '../helpers/tmp.ts';

const dir = await tempDir();
const ui = join(dir, 'ui');
await mkdir(join(ui, 'assets'), { recursive: true });
await writeFile(join(ui, 'index.html'), '<!doctype html><title>t</title>');
await writeFile(join(ui, 'assets', 'app.js'), 'console.log(1)');
await writeFile(join(dir, 'secret.txt'), 'outside');
const service = await RestoreService.create({ dataDir: join(dir, 'data'), demo: false });
const server = await startHttpServer({ service, staticDir: ui });
after(async () => {
  await server.close();
  await service.close();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so Host and Origin can be anything (fetch forbids setting Host). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path, headers, setHost: !('Host' in headers) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = { 'Content-Type': 'application/json' };
const auth = { Authorization: `Bearer ${server.token}` };
const call = (headers: Record<string, string>, body = '{}') => raw('POST', '/api/sources.list', { ...json, ...headers }, body);

test('the printed URL carries the token, on 127.0.0.1', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  assert.ok(server.url.endsWith(server.token));
});

test('a call with the token is answered', async () => {
  const r = await call(auth);
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { ok: true, value: [] });
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.equal(r.headers['access-control-allow-origin'], undefined);
});

test('calls without the token, or with a wrong one, are refused with 401', async () => {
  const wrong: Array<Record<string, string>> = [{}, { Authorization: 'Bearer nope' }, { Authorization: `Bearer ${server.token}x` }, { Authorization: `Basic ${server.token}` }, { Authorization: server.token }];
  for (const headers of wrong) {
    const r = await call(headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.equal(JSON.parse(r.body).error.code, 'UNAUTHORIZED');
  }
  assert.equal((await raw('POST', `/api/sources.list?token=${server.token.slice(1)}`, json, '{}')).status, 401);
  assert.equal((await raw('GET', '/api/events', {})).status, 401);
});

test('another Origin or Host is refused with 403, even with the token', async () => {
  for (const origin of ['http://evil.example', 'https://127.0.0.1:' + server.port, 'http://127.0.0.1:1', 'null', `http://127.0.0.1:${server.port}/x`]) {
    const r = await call({ ...auth, Origin: origin });
    assert.equal(r.status, 403, origin);
    assert.equal(JSON.parse(r.body).error.code, 'FORBIDDEN');
  }
  for (const host of ['evil.example', `evil.example:${server.port}`, '127.0.0.1', `127.0.0.2:${server.port}`, '']) {
    assert.equal((await call({ ...auth, Host: host })).status, 403, `Host ${host}`);
    assert.equal((await raw('GET', '/', { Host: host })).status, 403, `page, Host ${host}`);
  }
  assert.equal((await call({ ...auth, 'Sec-Fetch-Site': 'cross-site' })).status, 403);
  // Our own origin and the localhost alias pass.
  assert.equal((await call({ ...auth, Origin: server.origin })).status, 200);
  assert.equal((await call({ ...auth, Host: `localhost:${server.port}`, Origin: `http://localhost:${server.port}` })).status, 200);
});

test('commands need POST with JSON, bounded in size', async () => {
  assert.equal((await raw('GET', '/api/sources.list', auth)).status, 405);
  assert.equal((await raw('POST', '/api/sources.list', { ...auth, 'Content-Type': 'text/plain' }, '{}')).status, 415);
  assert.equal((await raw('POST', '/api/sources.list', { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, 'a=b')).status, 415);
  const notJson = await call(auth, '{');
  assert.equal(notJson.status, 400);
  assert.equal(JSON.parse(notJson.body).error.code, 'BAD_ARGUMENTS');
  assert.equal((await call(auth, JSON.stringify({ pad: 'x'.repeat(1100 * 1024) }))).status, 413);
  const unknown = await raw('POST', '/api/evil', { ...auth, ...json }, '{}');
  assert.equal(JSON.parse(unknown.body).error.code, 'UNKNOWN_COMMAND');
});

test('the UI is served without the token, only from its folder, with a strict CSP', async () => {
  const page = await raw('GET', '/', {});
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>t<\/title>/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'none'.*script-src 'self'.*frame-ancestors 'none'/);
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  const js = await raw('GET', '/assets/app.js', {});
  assert.equal(js.status, 200);
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/.hidden', '/assets/%00', '/nope.js', '/..\\secret.txt']) {
    const r = await raw('GET', path, {});
    assert.ok(r.status === 404 || r.status === 400, `${path} → ${r.status}`);
    assert.ok(!r.body.includes('outside'), `${path} leaked a file`);
  }
  assert.equal((await raw('POST', '/', json, '{}')).status, 405);
});

test('the event stream needs the token, resumes after Last-Event-ID, and carries events in order', async () => {
  await service.invoke('settings.set', { historyLimit: 100 });
  await service.invoke('settings.set', { historyLimit: 101 });
  const got = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: { 'Last-Event-ID': '0' } }, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
        if ((text.match(/event: settings/g) ?? []).length >= 2) {
          req.destroy();
          resolve(text);
        }
      });
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    req.end();
  });
  const limits = [...got.matchAll(/event: settings\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!).historyLimit);
  assert.deepEqual(limits, [100, 101]);
});

test('renderer/index.html declares the same CSP as the headers', async () => {
  const html = await readFile(new URL('../../renderer/index.html', import.meta.url), 'utf8');
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
  assert.ok(m, 'no CSP meta tag');
  assert.equal(m[1], META_CONTENT_SECURITY_POLICY);
});
