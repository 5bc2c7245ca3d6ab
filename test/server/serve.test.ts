// `restore-console serve` as a user runs it: prints the address with the token, answers the
// contract over HTTP with it, refuses without it, and stops cleanly on Ctrl-C.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultDataDir } from '../../electron/cli/dataDir.ts';
import { BIN } from '../helpers/cli.ts';
import { smallDemo } from '../helpers/demo.ts';
import { tempDir } from '../helpers/tmp.ts';

test('serve prints a tokened URL, serves the contract, and stops on SIGINT', { timeout: 60_000 }, async () => {
  const demo = await smallDemo();
  const data = join(await tempDir(), 'data');
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', data, '--no-demo', '--datastore', demo.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<URL>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout);
      if (m) resolve(new URL(m[1]!));
    });
    child.on('exit', () => reject(new Error(`serve exited early: ${stdout}${stderr}`)));
  });
  try {
    const token = url.searchParams.get('token')!;
    const post = (headers: Record<string, string>) => fetch(new URL('/api/sources.list', url), { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });
    const ok = await post({ Authorization: `Bearer ${token}` });
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { ok: boolean; value: Array<{ config: { path: string } }> };
    assert.equal(body.ok, true);
    assert.deepEqual(body.value.map((s) => s.config.path), [demo.dir]);
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ Authorization: `Bearer ${token}`, Origin: 'http://evil.example' })).status, 403);
    const info = (await (await fetch(new URL('/api/app.info', url), { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: '{}' })).json()) as { value: { shell: string; dataDir: string; version: string } };
    assert.equal(info.value.shell, 'browser');
    assert.equal(info.value.dataDir, data);
    // The CLI runs from its bundle in out/cli/: the version still comes from the project's package.json.
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(info.value.version, pkg.version);
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, /stopping \(SIGINT\)/);
});

test('the default data folder is the one Electron uses for this app', () => {
  assert.equal(defaultDataDir({ XDG_CONFIG_HOME: '/x/config' }, 'linux'), '/x/config/restore-console');
  assert.equal(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32'), join('C:\\Users\\a\\AppData\\Roaming', 'restore-console'));
  assert.match(defaultDataDir({}, 'darwin'), /Library\/Application Support\/restore-console$/);
});
