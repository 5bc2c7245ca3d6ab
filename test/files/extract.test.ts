// Extraction into a folder: contents, modes, times and symlinks come out; names and links that
// would leave the folder, and symlinks already in it, never lead a write outside; existing files
// stay without force; an unreadable entry is skipped and listed while the rest goes on; cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFilesJob } from '../../electron/files/filesJob.ts';
import { FilesTally } from '../../electron/files/filesTally.ts';
import { normalizeTreePath, relocateAbsoluteTarget, safeSymlinkTarget } from '../../electron/files/treePaths.ts';
import { isRestoreError } from '../../shared/errors.ts';
import { MemTree, type MemSpec } from '../helpers/memTree.ts';
import { tempDir } from '../helpers/tmp.ts';

const base = await tempDir('rc-extract-');
let n = 0;
/** A sandbox with the extraction folder inside it and a folder "outside" next to it. */
async function sandbox(): Promise<{ dest: string; outside: string }> {
  const box = join(base, `box${n++}`);
  await mkdir(join(box, 'dest'), { recursive: true });
  await mkdir(join(box, 'outside'));
  await writeFile(join(box, 'outside', 'victim'), 'keep me\n');
  return { dest: join(box, 'dest'), outside: join(box, 'outside') };
}
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff));

async function listAll(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix + e.name;
    out.push(e.isDirectory() ? `${rel}/` : rel);
    if (e.isDirectory()) out.push(...(await listAll(join(dir, e.name), `${rel}/`)));
  }
  return out.sort();
}

const big = bytes(700 * 1024 + 3, 1);
const etc: MemSpec[] = [
  { dir: '/', name: 'etc', type: 'dir', mode: 0o40750, mtime: 1_500_000_000 },
  { dir: '/etc', name: 'hosts', type: 'file', data: Buffer.from('127.0.0.1 localhost\n'), mode: 0o100640, mtime: 1_600_000_001 },
  { dir: '/etc', name: 'big.bin', type: 'file', data: big, mode: 0o104755, mtime: 1_600_000_002 },
  { dir: '/etc', name: 'nginx', type: 'dir', mtime: 1_500_000_100 },
  { dir: '/etc/nginx', name: 'sites-available', type: 'dir' },
  { dir: '/etc/nginx/sites-available', name: 'default', type: 'file', data: Buffer.from('server {}\n') },
  { dir: '/etc/nginx', name: 'sites-enabled', type: 'dir' },
  { dir: '/etc/nginx/sites-enabled', name: 'default', type: 'symlink', target: '../sites-available/default', mtime: 1_600_000_003 },
  { dir: '/etc/nginx/sites-enabled', name: 'absolute', type: 'symlink', target: '/etc/nginx/sites-available/default' },
  { dir: '/etc/nginx', name: 'empty', type: 'dir', mode: 0o40700 },
  { dir: '/etc', name: 'localtime', type: 'symlink', target: '/usr/share/zoneinfo/UTC' },
  { dir: '/etc', name: 'up', type: 'symlink', target: '../../outside/victim' },
  { dir: '/etc', name: 'hosts.link', type: 'hardlink', target: '/etc/hosts' },
  { dir: '/etc', name: 'initctl', type: 'fifo' },
  { dir: '/etc', name: 'Grüße ファイル', type: 'file', data: Buffer.from('unicode\n') },
  { dir: '/etc', name: 'zeros.img', type: 'file', zeros: 3 * 1024 * 1024 },
];

test('a folder comes out with contents, modes, times and the symlinks that stay inside', async () => {
  const { dest, outside } = await sandbox();
  const tree = new MemTree(etc);
  const s = await runFilesJob({ tree, paths: ['/etc'], output: { kind: 'folder', path: dest } });
  assert.equal(s.status, 'partial', JSON.stringify(s));
  assert.deepEqual(
    s.skipped.map((x) => [x.path, x.code]),
    [
      ['/etc/localtime', 'UNSAFE_PATH'],
      ['/etc/up', 'UNSAFE_PATH'],
      ['/etc/initctl', 'SPECIAL_FILE'],
    ],
  );
  assert.match(s.skipped[0]!.message, /\/usr\/share\/zoneinfo\/UTC/);
  assert.deepEqual(await listAll(dest), [
    'etc/',
    'etc/Grüße ファイル',
    'etc/big.bin',
    'etc/hosts',
    'etc/hosts.link',
    'etc/nginx/',
    'etc/nginx/empty/',
    'etc/nginx/sites-available/',
    'etc/nginx/sites-available/default',
    'etc/nginx/sites-enabled/',
    'etc/nginx/sites-enabled/absolute',
    'etc/nginx/sites-enabled/default',
    'etc/zeros.img',
  ]);
  const e = join(dest, 'etc');
  assert.equal(sha(await readFile(join(e, 'big.bin'))), sha(big));
  assert.equal(await readFile(join(e, 'hosts.link'), 'utf8'), '127.0.0.1 localhost\n');
  assert.equal((await readFile(join(e, 'zeros.img'))).length, 3 * 1024 * 1024);
  assert.equal(await readlink(join(e, 'nginx/sites-enabled/default')), '../sites-available/default');
  assert.equal(await readFile(join(e, 'nginx/sites-enabled/default'), 'utf8'), 'server {}\n');
  // An absolute link to something extracted points at the copy.
  assert.equal(await readlink(join(e, 'nginx/sites-enabled/absolute')), '../sites-available/default');
  assert.equal(await readFile(join(e, 'nginx/sites-enabled/absolute'), 'utf8'), 'server {}\n');
  // Permission bits without setuid; folder modes and times set after their contents.
  assert.equal((await stat(join(e, 'hosts'))).mode & 0o7777, 0o640);
  assert.equal((await stat(join(e, 'big.bin'))).mode & 0o7777, 0o755);
  assert.equal((await stat(e)).mode & 0o7777, 0o750);
  assert.equal((await stat(join(e, 'nginx/empty'))).mode & 0o7777, 0o700);
  assert.equal(Math.round((await stat(join(e, 'hosts'))).mtimeMs / 1000), 1_600_000_001);
  assert.equal(Math.round((await stat(e)).mtimeMs / 1000), 1_500_000_000);
  assert.equal(Math.round((await stat(join(e, 'nginx'))).mtimeMs / 1000), 1_500_000_100);
  assert.equal(Math.round((await lstat(join(e, 'nginx/sites-enabled/default'))).mtimeMs / 1000), 1_600_000_003);
  // Counters: every entry written, every content byte.
  assert.equal(s.files, 13);
  assert.equal(s.bytes, 20 + big.length + 10 + 20 + 8 + 3 * 1024 * 1024);
  assert.equal(await readFile(join(outside, 'victim'), 'utf8'), 'keep me\n');
});

test('names that are not one path segment are left out, and nothing appears outside', async () => {
  const { dest, outside } = await sandbox();
  const tree = new MemTree([
    { dir: '/', name: 'd', type: 'dir' },
    { dir: '/d', name: '..', type: 'file', data: Buffer.from('dotdot') },
    { dir: '/d', name: '.', type: 'dir' },
    { dir: '/d', name: '../../outside/x', type: 'file', data: Buffer.from('slash') },
    { dir: '/d', name: 'nul\0name', type: 'file', data: Buffer.from('nul') },
    { dir: '/d', name: '', type: 'file', data: Buffer.from('empty') },
    { dir: '/d', name: 'ok', type: 'file', data: Buffer.from('ok') },
  ]);
  const s = await runFilesJob({ tree, paths: ['/d'], output: { kind: 'folder', path: dest } });
  assert.equal(s.status, 'partial');
  assert.equal(s.skippedCount, 5);
  assert.ok(s.skipped.every((x) => x.code === 'UNSAFE_PATH'));
  assert.deepEqual(await listAll(dest), ['d/', 'd/ok']);
  assert.deepEqual(await listAll(outside), ['victim']);
  assert.deepEqual(await listAll(join(dest, '..')), ['dest/', 'dest/d/', 'dest/d/ok', 'outside/', 'outside/victim']);
});

test('symlink targets are normalised, so a chain of links cannot climb out', () => {
  assert.equal(safeSymlinkTarget('', 'a/b'), 'a/b');
  assert.equal(safeSymlinkTarget('etc/nginx', '../x'), '../x');
  assert.equal(safeSymlinkTarget('etc', 'sub/../../x'), '../x');
  assert.equal(safeSymlinkTarget('', 'r/..'), '.');
  assert.equal(safeSymlinkTarget('a', '..'), '..');
  assert.equal(safeSymlinkTarget('a', '../..'), undefined);
  assert.equal(safeSymlinkTarget('', '..'), undefined);
  assert.equal(safeSymlinkTarget('', '/etc'), undefined);
  assert.equal(safeSymlinkTarget('a/b', '../../../x'), undefined);
  assert.equal(safeSymlinkTarget('', ''), undefined);
  const nginx = [{ path: '/etc/nginx', rel: 'nginx' }];
  assert.equal(relocateAbsoluteTarget('/etc/nginx/sites-available/default', '', 'nginx/sites-enabled', nginx), '../sites-available/default');
  assert.equal(relocateAbsoluteTarget('/etc/nginx', '', 'nginx/a/b', nginx), '../..');
  assert.equal(relocateAbsoluteTarget('/usr/share/zoneinfo/UTC', '', 'nginx', nginx), undefined);
  assert.equal(relocateAbsoluteTarget('/etc/nginx-other/x', '', 'nginx', nginx), undefined);
  assert.equal(relocateAbsoluteTarget('/usr/bin', '', 'etc', [{ path: '/', rel: '' }]), '../usr/bin');
  // In a disk image, an absolute target starts at its partition's root; '..' cannot leave it.
  assert.equal(relocateAbsoluteTarget('/../etc/hosts', '/part1', 'etc', [{ path: '/part1/etc', rel: 'etc' }]), 'hosts');
  assert.equal(relocateAbsoluteTarget('/etc/hosts', '/part1', 'part1/etc/x', [{ path: '/part1', rel: 'part1' }]), '../hosts');
  assert.equal(relocateAbsoluteTarget('/part2/etc/hosts', '/part1', 'part1', [{ path: '/', rel: '' }]), 'part2/etc/hosts');
  assert.equal(normalizeTreePath('etc//nginx/'), '/etc/nginx');
  assert.equal(normalizeTreePath('/'), '/');
  assert.throws(() => normalizeTreePath('/etc/../root'), (e) => isRestoreError(e, 'USAGE'));
});

test('a link to the folder itself and a link through it stay inside', async () => {
  const { dest } = await sandbox();
  const tree = new MemTree([
    { dir: '/', name: 'r', type: 'symlink', target: '.' },
    { dir: '/', name: 'e', type: 'symlink', target: 'r/..' },
    { dir: '/', name: 'f', type: 'symlink', target: 'r/../r/../x' },
  ]);
  const s = await runFilesJob({ tree, paths: ['/'], output: { kind: 'folder', path: dest } });
  assert.equal(s.status, 'succeeded', JSON.stringify(s.skipped));
  assert.equal(await readlink(join(dest, 'e')), '.');
  assert.equal(await readlink(join(dest, 'f')), 'x');
  assert.equal(await realpath(join(dest, 'e')), await realpath(dest));
});

test('symlinks already in the folder are never followed; existing entries need force', async () => {
  const { dest, outside } = await sandbox();
  await symlink(outside, join(dest, 'evil'));
  await symlink(join(outside, 'victim'), join(dest, 'f'));
  const tree = new MemTree([
    { dir: '/', name: 'evil', type: 'dir' },
    { dir: '/evil', name: 'victim', type: 'file', data: Buffer.from('overwritten\n') },
    { dir: '/', name: 'f', type: 'file', data: Buffer.from('replaced\n') },
  ]);
  const first = await runFilesJob({ tree, paths: ['/'], output: { kind: 'folder', path: dest } });
  assert.equal(first.status, 'partial');
  assert.deepEqual(first.skipped.map((x) => [x.path, x.code]), [
    ['/evil', 'TARGET_EXISTS'],
    ['/f', 'TARGET_EXISTS'],
  ]);
  assert.equal(await readFile(join(outside, 'victim'), 'utf8'), 'keep me\n');

  const forced = await runFilesJob({ tree, paths: ['/'], output: { kind: 'folder', path: dest, force: true } });
  assert.equal(forced.status, 'succeeded', JSON.stringify(forced.skipped));
  assert.equal(await readFile(join(outside, 'victim'), 'utf8'), 'keep me\n');
  assert.deepEqual(await listAll(outside), ['victim']);
  assert.ok((await lstat(join(dest, 'evil'))).isDirectory());
  assert.equal(await readFile(join(dest, 'evil', 'victim'), 'utf8'), 'overwritten\n');
  assert.ok((await lstat(join(dest, 'f'))).isFile());
  assert.equal(await readFile(join(dest, 'f'), 'utf8'), 'replaced\n');
});

test('an existing file stays without force, and a failed read never costs it even with force', async () => {
  const { dest } = await sandbox();
  await writeFile(join(dest, 'a.txt'), 'mine\n');
  await writeFile(join(dest, 'b.txt'), 'mine too\n');
  const tree = new MemTree([
    { dir: '/', name: 'a.txt', type: 'file', data: Buffer.from('archive a\n') },
    { dir: '/', name: 'b.txt', type: 'file', data: bytes(300 * 1024, 2), failAfter: 150 * 1024 },
    { dir: '/', name: 'c.txt', type: 'file', data: Buffer.from('archive c\n') },
  ]);
  const s = await runFilesJob({ tree, paths: ['/'], output: { kind: 'folder', path: dest } });
  assert.deepEqual(s.skipped.map((x) => [x.path, x.code]), [
    ['/a.txt', 'TARGET_EXISTS'],
    ['/b.txt', 'TARGET_EXISTS'],
  ]);
  assert.equal(await readFile(join(dest, 'a.txt'), 'utf8'), 'mine\n');
  const f = await runFilesJob({ tree, paths: ['/'], output: { kind: 'folder', path: dest, force: true } });
  assert.equal(f.status, 'partial');
  assert.deepEqual(f.skipped.map((x) => [x.path, x.code]), [['/b.txt', 'CHUNK_MISSING']]);
  assert.match(f.skipped[0]!.message, /chunk 7 is missing/);
  assert.equal(await readFile(join(dest, 'a.txt'), 'utf8'), 'archive a\n');
  assert.equal(await readFile(join(dest, 'b.txt'), 'utf8'), 'mine too\n');
  assert.equal(await readFile(join(dest, 'c.txt'), 'utf8'), 'archive c\n');
  assert.deepEqual(await listAll(dest), ['a.txt', 'b.txt', 'c.txt'], 'no temporary files left');
});

test('an unreadable file or folder is skipped with its error; the rest comes out', async () => {
  const { dest } = await sandbox();
  const tree = new MemTree([
    { dir: '/', name: 'bad.bin', type: 'file', data: bytes(400 * 1024, 3), failAfter: 200 * 1024 },
    { dir: '/', name: 'lost', type: 'dir', failList: true },
    { dir: '/', name: 'good.txt', type: 'file', data: Buffer.from('fine\n') },
  ]);
  const s = await runFilesJob({ tree, paths: ['/'], output: { kind: 'folder', path: dest } });
  assert.equal(s.status, 'partial');
  assert.deepEqual(s.skipped.map((x) => [x.path, x.code]), [
    ['/bad.bin', 'CHUNK_MISSING'],
    ['/lost', 'CHUNK_MISSING'],
  ]);
  assert.deepEqual(await listAll(dest), ['good.txt', 'lost/']);
});

test('the selection itself must exist; several selections keep their names', async () => {
  const { dest } = await sandbox();
  const tree = new MemTree(etc);
  const missing = await runFilesJob({ tree, paths: ['/nope'], output: { kind: 'folder', path: dest } });
  assert.equal(missing.status, 'failed');
  assert.equal(missing.error?.code, 'PATH_NOT_FOUND');
  const two = await runFilesJob({ tree, paths: ['/etc/hosts', '/etc/nginx/sites-available', '/etc/nginx/sites-available/default'], output: { kind: 'folder', path: dest } });
  assert.equal(two.status, 'succeeded', JSON.stringify(two));
  assert.deepEqual(await listAll(dest), ['hosts', 'sites-available/', 'sites-available/default']);
  const clash = await runFilesJob({ tree, paths: ['/etc/nginx/sites-available/default', '/etc/nginx/sites-enabled/default'], output: { kind: 'folder', path: dest } });
  assert.equal(clash.error?.code, 'USAGE');
});

test('cancel stops the extraction and leaves no temporary file', async () => {
  const { dest } = await sandbox();
  const specs: MemSpec[] = [];
  for (let i = 0; i < 20; i++) specs.push({ dir: '/', name: `f${String(i).padStart(2, '0')}`, type: 'file', data: Buffer.alloc(300 * 1024, i + 1) });
  const tree = new MemTree(specs);
  const abort = new AbortController();
  let seen = 0;
  tree.onPiece = () => {
    if (++seen === 12) abort.abort();
  };
  const s = await runFilesJob({ tree, paths: ['/'], output: { kind: 'folder', path: dest }, signal: abort.signal });
  assert.equal(s.status, 'cancelled');
  assert.equal(s.error?.code, 'CANCELLED');
  const left = await listAll(dest);
  assert.ok(left.length > 0 && left.length < 20, `${left.length} files placed`);
  assert.ok(left.every((f) => /^f\d\d$/.test(f)), `no temporary files: ${left}`);
});

test('the counting pass gives totals that the copy then reaches', async () => {
  const { dest } = await sandbox();
  const tree = new MemTree(etc);
  const tally = new FilesTally();
  const phases: string[] = [];
  const s = await runFilesJob({ tree, paths: ['/etc/nginx', '/etc/hosts'], output: { kind: 'folder', path: dest }, tally });
  phases.push(tally.progress().phase);
  assert.equal(s.status, 'succeeded');
  const p = tally.progress();
  assert.equal(p.totalFiles, 8);
  assert.equal(p.files, 8);
  assert.equal(p.totalBytes, p.bytes);
  assert.deepEqual(phases, ['copy']);
});
