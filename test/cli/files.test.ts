// `restore-console files ls` and `files get` on archives built here (pxar format 1 plain, format 2
// encrypted with the demo's key file) and on the demo's partitioned disk image: listings, every
// file out bit-exact by SHA-256 (folder, zip, one file), what is skipped and why, exit codes and
// the --json shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { PxarNode } from '../../electron/pbs/pxar/encoder.ts';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { lastJson, runCli } from '../helpers/cli.ts';
import { damagePrimaryGpt, smallDemo } from '../helpers/demo.ts';
import { loadKeyForTest } from '../helpers/key.ts';
import { pxarDatastore, SNAPSHOT_TIME } from '../helpers/pxarStore.ts';
import { LONG_NAME, testTree, UTF8_NAME } from '../helpers/pxarTree.ts';
import { tempDir } from '../helpers/tmp.ts';
import { pyZip, run } from '../helpers/zipRead.ts';

const BIG = 150_000;
const demo = await smallDemo();
const crypt = await loadKeyForTest(demo.keyFile, demo.keyPassword);
const tree = testTree(BIG);
const { dir: store } = await pxarDatastore([
  { id: '1', format: 1, tree },
  { id: '2', format: 2, tree, crypt },
]);
const out = await tempDir('rc-cli-files-');
const env = { PBS_ENCRYPTION_PASSWORD: demo.keyPassword };
const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
const snap = (id: string): string[] => ['--datastore', store, '--snapshot', `ct/${id}/${backupTimeName(SNAPSHOT_TIME)}`, '--archive', 'root.pxar'];
const encrypted = [...snap('2'), '--keyfile', demo.keyFile];

/** path → data of every regular file of the archived tree (hardlinks: their target's data). */
function sourceFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (nodes: PxarNode[], prefix: string): void => {
    for (const n of nodes) {
      const path = `${prefix}/${n.name}`;
      if (n.kind === 'file') files.set(path, Buffer.from(n.data));
      if (n.kind === 'hardlink') files.set(path, files.get(`/${n.target}`)!);
      if (n.kind === 'dir') walk(n.children, path);
    }
  };
  walk(tree.children, '');
  return files;
}

test('files ls lists a folder as text and as JSON; an encrypted archive needs its key', async () => {
  const text = await runCli(['files', 'ls', ...encrypted, '--path', '/var'], env);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trim().split('\n');
  assert.deepEqual(lines.map((l) => l.split(/\s+/)[0]), ['file', 'hardlink', 'file', 'fifo', 'socket']);
  assert.match(lines[0]!, new RegExp(`^file\\s+${BIG}\\s+2026-01-01 00:00:00\\s+big\\.bin$`));
  assert.match(lines[1]!, /big\.link => \/var\/big\.bin$/);

  const json = await runCli(['files', 'ls', ...encrypted, '--path', '/etc', '--json'], env);
  assert.equal(json.code, 0, json.stderr);
  const entries = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
  assert.deepEqual(entries.map((e) => Object.keys(e).sort()), [
    ['mode', 'mtime', 'name', 'size', 'type'],
    ['mode', 'mtime', 'name', 'size', 'type'],
    ['mode', 'mtime', 'name', 'size', 'target', 'type'],
    ['mode', 'mtime', 'name', 'size', 'type'],
  ]);
  assert.deepEqual(entries[2], { name: 'localtime', type: 'symlink', size: 0, mode: 0o120777, mtime: 1767225600, target: '/usr/share/zoneinfo/Europe/Vienna' });

  const root = await runCli(['files', 'ls', ...snap('1')]);
  assert.equal(root.code, 0, root.stderr);
  assert.ok(root.stdout.includes(`  ${LONG_NAME}\n`) && root.stdout.includes(`  ${UTF8_NAME}\n`), root.stdout);

  const noKey = await runCli(['files', 'ls', ...snap('2')]);
  assert.equal(noKey.code, 1);
  assert.match(noKey.stderr, /^restore-console: error \[MISSING_KEY\]: /);
  const missing = await runCli(['files', 'ls', ...snap('1'), '--path', '/etc/nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\[PATH_NOT_FOUND\]/);
  const usage = await runCli(['files', 'ls', ...snap('1'), '--path', '/etc/../..']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /\[USAGE\]/);
});

test('files get --out-dir extracts an encrypted split archive bit-exact; special files are skipped and named', async () => {
  const dest = join(out, 'extracted');
  const r = await runCli(['files', 'get', ...encrypted, '--path', '/', '--out-dir', dest, '--json'], env);
  assert.equal(r.code, 1, 'something was skipped');
  const s = lastJson(r.stdout);
  assert.equal(s.status, 'partial');
  const skipped = (s.skipped as Array<{ path: string; code: string }>).map((x) => [x.path, x.code]);
  assert.deepEqual(skipped, [
    ['/dev/null', 'SPECIAL_FILE'],
    ['/dev/sda', 'SPECIAL_FILE'],
    ['/var/fifo', 'SPECIAL_FILE'],
    ['/var/sock', 'SPECIAL_FILE'],
  ]);
  assert.equal(s.skippedCount, 4);
  for (const [path, code] of skipped) assert.ok(r.stderr.includes(`restore-console: skipped ${path} [${code}]: `), r.stderr);
  assert.match(r.stderr, /partial: 4 entries were skipped/);
  // The whole root is extracted, so an absolute link points into the copy (here at nothing).
  assert.equal(await readlink(join(dest, 'etc/localtime')), '../usr/share/zoneinfo/Europe/Vienna');
  let bytes = 0;
  for (const [path, data] of sourceFiles()) {
    assert.equal(sha(await readFile(join(dest, path))), sha(data), path);
    bytes += data.length;
  }
  assert.equal(s.bytes, bytes);
  assert.equal(typeof s.seconds, 'number');
  assert.equal(s.target, dest);
  assert.equal((await lstat(join(dest, 'var/big.bin'))).mode & 0o777, 0o600);
  assert.equal((await lstat(join(dest, 'empty'))).mode & 0o777, 0o700);
});

test('an absolute symlink to what is not extracted is skipped and named', async () => {
  const r = await runCli(['files', 'get', ...snap('1'), '--path', '/etc', '--out-dir', join(out, 'etc-only'), '--json']);
  assert.equal(r.code, 1);
  assert.deepEqual((lastJson(r.stdout).skipped as Array<{ path: string; code: string }>).map((x) => [x.path, x.code]), [['/etc/localtime', 'UNSAFE_PATH']]);
  assert.match(r.stderr, /skipped \/etc\/localtime \[UNSAFE_PATH\]: symlink to "\/usr\/share\/zoneinfo\/Europe\/Vienna" points outside what is extracted/);
});

test('files get --out X.zip writes a folder as a zip that unzip and Python read back', async () => {
  const zip = join(out, 'var.zip');
  const r = await runCli(['files', 'get', ...snap('1'), '--path', '/var', '--out', zip, '--json']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(lastJson(r.stdout).status, 'partial');
  const files = sourceFiles();
  const py = await pyZip(zip);
  assert.deepEqual(py.map((e) => e.name), ['var/', 'var/big.bin', 'var/big.link', 'var/empty.txt']);
  for (const e of py.filter((x) => !x.name.endsWith('/'))) assert.equal(e.sha256, sha(files.get(`/${e.name}`)!), e.name);
  const t = await run('unzip', ['-t', zip]);
  assert.equal(t.code, 0, t.stdout);
});

test('files get --out writes one file as itself; folders, existing files and bad flags are refused', async () => {
  const file = join(out, 'hosts');
  const r = await runCli(['files', 'get', ...encrypted, '--path', '/etc/hosts', '--out', file], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^wrote \/etc\/hosts \(/);
  assert.equal(await readFile(file, 'utf8'), '127.0.0.1 localhost\n::1 localhost\n');
  const again = await runCli(['files', 'get', ...encrypted, '--path', '/etc/hostname', '--out', file, '--json'], env);
  assert.equal(again.code, 1);
  assert.equal((lastJson(again.stdout).error as { code: string }).code, 'TARGET_EXISTS');
  const forced = await runCli(['files', 'get', ...encrypted, '--path', '/etc/hostname', '--out', file, '--force'], env);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await readFile(file, 'utf8'), 'ct300\n');
  const folder = await runCli(['files', 'get', ...snap('1'), '--path', '/etc', '--out', join(out, 'etc-as-file')]);
  assert.equal(folder.code, 1);
  assert.match(folder.stderr, /\[NOT_A_FILE\]/);
  const both = await runCli(['files', 'get', ...snap('1'), '--path', '/etc', '--out', join(out, 'a'), '--out-dir', out]);
  assert.equal(both.code, 2);
  const help = await runCli(['files', 'get', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--out-dir DIR/);
});

test('a disk image: partitions at /, files inside a partition', async () => {
  const a = demo.archives.find((x) => x.type === 'vm' && x.archive === 'drive-scsi0.img.fidx' && !x.encrypted)!;
  const sel = ['--datastore', demo.dir, '--snapshot', `${a.type}/${a.id}/${backupTimeName(a.time)}`, ...(a.ns ? ['--ns', a.ns] : []), '--archive', 'drive-scsi0.img'];
  const parts = await runCli(['files', 'ls', ...sel, '--json']);
  assert.equal(parts.code, 0, parts.stderr);
  const list = JSON.parse(parts.stdout) as Array<{ name: string; type: string; fs: string }>;
  assert.deepEqual(list.map((p) => [p.name, p.type, p.fs]), [
    ['part1', 'partition', 'ext4'],
    ['part2', 'partition', 'swap'],
  ]);
  const etc = await runCli(['files', 'ls', ...sel, '--path', '/part1/etc', '--json']);
  const hostname = (JSON.parse(etc.stdout) as Array<{ name: string; size: number }>).find((e) => e.name === 'hostname')!;
  const file = join(out, 'vm-hostname');
  const got = await runCli(['files', 'get', ...sel, '--path', '/part1/etc/hostname', '--out', file]);
  assert.equal(got.code, 0, got.stderr);
  const text = await readFile(file, 'utf8');
  assert.equal(text.length, hostname.size);
  assert.match(text, /^[a-z0-9-]+\n$/);
  const swap = await runCli(['files', 'ls', ...sel, '--path', '/part2']);
  assert.equal(swap.code, 1);
  assert.match(swap.stderr, /\[FS_UNSUPPORTED\]/);
});

test("files ls names a disk's layout notes (a damaged primary GPT) on stderr and lists from the backup copy", async () => {
  const a = demo.archives.filter((x) => x.id === '100' && x.archive === 'drive-scsi0.img.fidx').sort((x, y) => x.time - y.time)[0]!;
  const sel = ['--datastore', demo.dir, '--snapshot', `${a.type}/${a.id}/${backupTimeName(a.time)}`, '--archive', 'drive-scsi0.img'];
  const clean = await runCli(['files', 'ls', ...sel]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.equal(clean.stderr, '');
  await damagePrimaryGpt(demo, a);
  const r = await runCli(['files', 'ls', ...sel, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^restore-console: warning: drive-scsi0\.img: the primary GPT is damaged \(.*\); using the backup copy at the end of the disk\n$/);
  assert.deepEqual((JSON.parse(r.stdout) as Array<{ name: string }>).map((p) => p.name), ['part1', 'part2']);
});
