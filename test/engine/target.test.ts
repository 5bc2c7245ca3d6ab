// The target writer's safety rules (electron/engine/target.ts): one restore per target at a time,
// a `.partial` never followed or silently reused, nothing existing touched before the final
// rename, never a target inside the datastore being read, and folder paths named as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { access, link, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RestoreEngine } from '../../electron/engine/restoreEngine.ts';
import { openTarget } from '../../electron/engine/target.ts';
import { buildImage, testImage } from '../helpers/memSource.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';

const CS = 64 * 1024;
const img = testImage(CS, 12, 100);
const exists = (p: string) => access(p).then(() => true, () => false);

async function restore(path: string, force = false): Promise<{ status: string; sha: string | undefined }> {
  const b = buildImage(img, CS);
  const target = await openTarget({ path, size: b.index.size, force });
  const s = await new RestoreEngine(b.input, { target, concurrency: 4 }).run();
  return { status: s.status, sha: s.status === 'succeeded' ? await sha256File(path) : undefined };
}

const expected = buildImage(img, CS).sha256;

test('two restores to one target: the second fails at once with TARGET_BUSY and touches nothing; the first is bit-exact', async () => {
  const dir = await tempDir();
  const path = join(dir, 'disk.raw');
  const b = buildImage(img, CS);
  const first = await openTarget({ path, size: b.index.size });
  // With and without force: the lock is what decides, not the flags.
  await assert.rejects(openTarget({ path, size: b.index.size }), { code: 'TARGET_BUSY' });
  await assert.rejects(openTarget({ path, size: b.index.size, force: true }), (e: Error & { code: string }) => {
    assert.equal(e.code, 'TARGET_BUSY');
    assert.match(e.message, new RegExp(`process ${process.pid} on `));
    return true;
  });
  const s = await new RestoreEngine(b.input, { target: first, concurrency: 4 }).run();
  assert.equal(s.status, 'succeeded');
  assert.equal(await sha256File(path), expected);
  // The lock went with the job: the folder holds the target only, and a new restore may start.
  assert.deepEqual(await readdir(dir), ['disk.raw']);
  assert.equal((await restore(path, true)).sha, expected);
});

test('a lock left by a process that no longer runs is taken over; one of a live process is not', async () => {
  const dir = await tempDir();
  const path = join(dir, 'disk.raw');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  const lock = (pid: number) => JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00Z', nonce: 'x' });
  await writeFile(`${path}.lock`, lock(Number(dead)));
  assert.equal((await restore(path)).sha, expected);
  assert.equal(await exists(`${path}.lock`), false);
  // A live pid (our parent), another host, or a lock that cannot be read: busy.
  for (const text of [lock(process.ppid), JSON.stringify({ pid: Number(dead), host: 'elsewhere', nonce: 'y' }), '']) {
    await writeFile(`${path}.lock`, text);
    await assert.rejects(openTarget({ path: join(dir, 'disk.raw'), size: img.length, force: true }), { code: 'TARGET_BUSY' });
    assert.equal(await readFile(`${path}.lock`, 'utf8'), text, 'a live lock was removed');
  }
});

test('an existing .partial is refused without force (TARGET_PARTIAL_EXISTS) and replaced with it', async () => {
  const dir = await tempDir();
  const path = join(dir, 'disk.raw');
  await writeFile(`${path}.partial`, 'left by a cancelled restore');
  await assert.rejects(openTarget({ path, size: img.length }), (e: Error & { code: string }) => {
    assert.equal(e.code, 'TARGET_PARTIAL_EXISTS');
    assert.match(e.message, /--force/);
    return true;
  });
  assert.equal(await readFile(`${path}.partial`, 'utf8'), 'left by a cancelled restore');
  assert.equal(await exists(`${path}.lock`), false, 'a refused restore kept its lock');
  assert.equal((await restore(path, true)).sha, expected);
});

test('a .partial that is a symlink is never followed: its target keeps its bytes, with and without force', async () => {
  const dir = await tempDir();
  const path = join(dir, 'disk.raw');
  const victim = join(dir, 'precious.img');
  await writeFile(victim, 'precious bytes');
  await symlink(victim, `${path}.partial`);
  await assert.rejects(openTarget({ path, size: img.length }), { code: 'TARGET_PARTIAL_EXISTS' });
  assert.equal((await restore(path, true)).sha, expected);
  assert.equal(await readFile(victim, 'utf8'), 'precious bytes');
  // A dangling link is refused the same way (O_EXCL never creates through a link).
  await symlink(join(dir, 'nowhere.img'), join(dir, 'other.raw.partial'));
  await assert.rejects(openTarget({ path: join(dir, 'other.raw'), size: img.length }), { code: 'TARGET_PARTIAL_EXISTS' });
  assert.equal(await exists(join(dir, 'nowhere.img')), false);
});

test('with force over an existing target, the target is untouched until the final rename, whatever .partial was', async () => {
  const dir = await tempDir();
  const path = join(dir, 'disk.raw');
  await writeFile(path, 'old contents');
  // `.partial` as a second name of the target itself: truncating it would destroy the target.
  await link(path, `${path}.partial`);
  const b = buildImage(img, CS);
  const victim = [...b.source.chunks.keys()][0]!;
  b.source.chunks.delete(victim);
  const target = await openTarget({ path, size: b.index.size, force: true });
  const s = await new RestoreEngine(b.input, { target, concurrency: 4 }).run();
  assert.equal(s.status, 'failed');
  assert.equal(await readFile(path, 'utf8'), 'old contents', 'the existing target was touched');
});

test('a target inside the datastore being read is refused (TARGET_IN_DATASTORE), also through a link', async () => {
  const dir = await tempDir();
  const store = join(dir, 'store');
  await mkdir(join(store, '.chunks', 'abcd'), { recursive: true });
  const chunk = join(store, '.chunks', 'abcd', 'abcd'.padEnd(64, '0'));
  await writeFile(chunk, 'a chunk');
  await symlink(join(store, '.chunks'), join(dir, 'innocent'));
  await symlink(chunk, join(dir, 'link.raw'));
  for (const path of [chunk, join(dir, 'innocent', 'abcd', 'new.raw'), join(dir, 'link.raw'), store]) {
    await assert.rejects(openTarget({ path, size: img.length, force: true, forbidden: [store] }), { code: 'TARGET_IN_DATASTORE' }, path);
  }
  assert.equal(await readFile(chunk, 'utf8'), 'a chunk');
  // Beside the datastore is fine.
  const ok = await openTarget({ path: join(dir, 'store-copy.raw'), size: 10, forbidden: [store] });
  await ok.abandon();
});

test('a missing folder written with a trailing slash is TARGET_NOT_WRITABLE, as is a folder', async () => {
  const dir = await tempDir();
  for (const path of [join(dir, 'missing') + '/', dir + '/', dir]) {
    await assert.rejects(openTarget({ path, size: 10 }), { code: 'TARGET_NOT_WRITABLE' }, path);
  }
  assert.deepEqual(await readdir(dir), []);
});

/** A loop device over an 8 MiB file with an ext4 file system, mounted; undefined where that is not possible (not root). */
function mountedLoop(dir: string): { dev: string; cleanup: () => void } | string {
  if (process.getuid?.() !== 0) return 'needs root (losetup, mount)';
  const run = (cmd: string, ...args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });
  const file = join(dir, 'fs.img');
  if (run('truncate', '-s', '8M', file).status !== 0 || run('mkfs.ext4', '-q', file).status !== 0) return 'no mkfs.ext4';
  const l = run('losetup', '-f', '--show', file);
  if (l.status !== 0) return `no loop device: ${l.stderr.trim()}`;
  const dev = l.stdout.trim();
  const mnt = join(dir, 'mnt');
  spawnSync('mkdir', [mnt]);
  if (run('mount', dev, mnt).status !== 0) {
    run('losetup', '-d', dev);
    return 'cannot mount here';
  }
  return {
    dev,
    cleanup: () => {
      run('umount', mnt);
      run('losetup', '-d', dev);
    },
  };
}

test('a mounted block device is never written: TARGET_BUSY naming it, its bytes unchanged', async (t) => {
  const dir = await tempDir();
  const loop = mountedLoop(dir);
  if (typeof loop === 'string') return t.skip(loop);
  try {
    const before = await sha256File(loop.dev);
    await assert.rejects(openTarget({ path: loop.dev, size: 1024 * 1024, force: true }), (e: Error & { code: string }) => {
      assert.equal(e.code, 'TARGET_BUSY');
      assert.ok(e.message.includes(loop.dev), e.message);
      return true;
    });
    assert.equal(await sha256File(loop.dev), before);
  } finally {
    loop.cleanup();
  }
});
