// Durable renames (electron/engine/durable.ts), used for restore targets and the service's JSON
// files: the folder is synced after the rename; on Windows a rename that fails for a moment with
// EPERM/EBUSY is retried, and nowhere else. Platforms are stood in for by injected calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renameDurable, type DurableOps } from '../../electron/engine/durable.ts';
import { tempDir } from '../helpers/tmp.ts';

function fakeOps(platform: NodeJS.Platform, failures: string[]): DurableOps & { calls: string[] } {
  const calls: string[] = [];
  return {
    platform,
    calls,
    async rename(from, to) {
      calls.push(`rename ${from} ${to}`);
      const code = failures.shift();
      if (code) throw Object.assign(new Error(code), { code });
    },
    async syncDir(dir) {
      calls.push(`syncDir ${dir}`);
    },
    async sleep(ms) {
      calls.push(`sleep ${ms}`);
    },
  };
}

test('the folder is synced after the rename, on the real file system too', async () => {
  const ops = fakeOps('linux', []);
  await renameDurable('/data/a.tmp', '/data/sub/a.json', ops);
  assert.deepEqual(ops.calls, ['rename /data/a.tmp /data/sub/a.json', 'syncDir /data/sub']);
  const dir = await tempDir();
  await writeFile(join(dir, 'x.tmp'), 'new');
  await renameDurable(join(dir, 'x.tmp'), join(dir, 'x'));
  assert.equal(await readFile(join(dir, 'x'), 'utf8'), 'new');
});

test('on Windows a rename refused for a moment is retried (no folder sync there); elsewhere it fails at once', async () => {
  const win = fakeOps('win32', ['EPERM', 'EBUSY', 'EACCES']);
  await renameDurable('C:\\t\\a.partial', 'C:\\t\\a', win);
  assert.equal(win.calls.filter((c) => c.startsWith('rename')).length, 4);
  assert.equal(win.calls.filter((c) => c.startsWith('syncDir')).length, 0);
  const stuck = fakeOps('win32', Array(50).fill('EBUSY'));
  await assert.rejects(renameDurable('C:\\t\\a.partial', 'C:\\t\\a', stuck), { code: 'EBUSY' });
  const waited = stuck.calls.filter((c) => c.startsWith('sleep')).reduce((s, c) => s + Number(c.split(' ')[1]), 0);
  assert.ok(waited >= 1000 && waited <= 5000, `retried for ${waited} ms`);
  const linux = fakeOps('linux', ['EPERM']);
  await assert.rejects(renameDurable('/t/a.partial', '/t/a', linux), { code: 'EPERM' });
  assert.deepEqual(linux.calls, ['rename /t/a.partial /t/a']);
});
