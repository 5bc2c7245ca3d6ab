// Browser mode's kept address (electron/server/serveState.ts): the token file is owner-only and
// gives the same token on every start until --new-token; a damaged file gives a new token; the
// last port is used again when free, and a free one otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { listenPreferring, loadServeState, saveServePort, serveStateFile } from '../../electron/server/serveState.ts';
import { tempDir } from '../helpers/tmp.ts';

const mode = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

test('the token is kept owner-only across starts, rotated on request, made anew when unreadable', { skip: process.platform === 'win32' && 'POSIX modes' }, async () => {
  const dir = await tempDir();
  const first = await loadServeState(dir);
  assert.equal(first.made, 'first');
  assert.match(first.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(await mode(serveStateFile(dir)), 0o600);

  await saveServePort(dir, first.token, 48123);
  const again = await loadServeState(dir);
  assert.deepEqual(again, { token: first.token, lastPort: 48123 });

  // Made readable by others: owner-only again, same token.
  await chmod(serveStateFile(dir), 0o644);
  assert.equal((await loadServeState(dir)).token, first.token);
  assert.equal(await mode(serveStateFile(dir)), 0o600);

  const rotated = await loadServeState(dir, { rotate: true });
  assert.equal(rotated.made, 'rotated');
  assert.notEqual(rotated.token, first.token);
  assert.equal(rotated.lastPort, 48123, 'a new token keeps the port');
  assert.equal((await loadServeState(dir)).token, rotated.token);

  // A token that is not one serve makes (short, edited by hand) is not used.
  await writeFile(serveStateFile(dir), JSON.stringify({ version: 1, token: 'abc', port: 48123 }));
  const remade = await loadServeState(dir);
  assert.equal(remade.made, 'unreadable');
  assert.notEqual(remade.token, 'abc');
  assert.ok(JSON.parse(await readFile(serveStateFile(dir), 'utf8')).token === remade.token);

  await writeFile(serveStateFile(dir), '{ not json');
  assert.equal((await loadServeState(dir)).made, 'unreadable');
});

function listenOn(port: number): Promise<Server & { port: number }> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(Object.assign(s, { port: (s.address() as { port: number }).port })));
  });
}

test('the last port is used again when free; when taken, a free one instead', async () => {
  const free = await listenPreferring(undefined, listenOn);
  assert.equal(free.moved, false);
  const port = free.server.port;
  // Taken (by the first server): another port, and it says so.
  const moved = await listenPreferring(port, listenOn);
  assert.equal(moved.moved, true);
  assert.notEqual(moved.server.port, port);
  await new Promise((r) => moved.server.close(r));
  await new Promise((r) => free.server.close(r));
  // Free again: the same port.
  const same = await listenPreferring(port, listenOn);
  assert.deepEqual([same.moved, same.server.port], [false, port]);
  await new Promise((r) => same.server.close(r));
});
