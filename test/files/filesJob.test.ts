// Files jobs that write a zip or one file, to a path or a stream, read back by Python's zipfile
// and unzip: the selection's layout, hardlinks as copies, symlinks as links, what is skipped and
// why, existing targets, and a failed stream that must not look complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { runFilesJob } from '../../electron/files/filesJob.ts';
import { MemTree, type MemSpec } from '../helpers/memTree.ts';
import { tempDir } from '../helpers/tmp.ts';
import { pyZip, run } from '../helpers/zipRead.ts';

const dir = await tempDir('rc-files-job-');
const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
const text = (n: number): Buffer => Buffer.from('backup line of text\n'.repeat(Math.ceil(n / 20))).subarray(0, n);

const specs: MemSpec[] = [
  { dir: '/', name: 'etc', type: 'dir', mode: 0o40750, mtime: 1_500_000_000 },
  { dir: '/etc', name: 'hosts', type: 'file', data: Buffer.from('127.0.0.1 localhost\n'), mode: 0o100640, mtime: 1_700_000_000 },
  { dir: '/etc', name: 'log.txt', type: 'file', data: text(500 * 1024) },
  { dir: '/etc', name: 'ssl', type: 'dir' },
  { dir: '/etc/ssl', name: 'cert.pem', type: 'symlink', target: '/usr/share/ca/cert.pem' },
  { dir: '/etc', name: 'hosts.bak', type: 'hardlink', target: '/etc/hosts' },
  { dir: '/etc', name: 'null', type: 'device' },
  { dir: '/etc', name: 'broken.db', type: 'file', data: text(300 * 1024), failAfter: 200 * 1024 },
  { dir: '/etc', name: 'empty', type: 'dir' },
  { dir: '/', name: 'root.txt', type: 'file', data: Buffer.from('at the top\n') },
];

test('a folder as a zip: layout, contents, modes, hardlinks as copies, symlinks, skipped entries', async () => {
  const tree = new MemTree(specs);
  const out = join(dir, 'etc.zip');
  const s = await runFilesJob({ tree, paths: ['/etc'], output: { kind: 'zip', path: out } });
  assert.equal(s.status, 'partial', JSON.stringify(s));
  assert.equal(s.target, out);
  assert.deepEqual(s.skipped.map((x) => [x.path, x.code]), [
    ['/etc/null', 'SPECIAL_FILE'],
    ['/etc/broken.db', 'CHUNK_MISSING'],
  ]);
  assert.equal(s.files, 7);
  const py = await pyZip(out);
  assert.deepEqual(py.map((e) => e.name), ['etc/', 'etc/hosts', 'etc/log.txt', 'etc/ssl/', 'etc/ssl/cert.pem', 'etc/hosts.bak', 'etc/empty/']);
  const by = new Map(py.map((e) => [e.name, e]));
  assert.equal(by.get('etc/hosts')!.sha256, sha('127.0.0.1 localhost\n'));
  assert.equal(by.get('etc/hosts.bak')!.sha256, sha('127.0.0.1 localhost\n'));
  assert.equal(by.get('etc/log.txt')!.sha256, sha(text(500 * 1024)));
  assert.equal(by.get('etc/ssl/cert.pem')!.mode, 0o120777);
  assert.equal(by.get('etc/ssl/cert.pem')!.sha256, sha('/usr/share/ca/cert.pem'));
  assert.equal(by.get('etc/hosts')!.mode, 0o100640);
  assert.equal(by.get('etc/')!.mode, 0o40750);
  assert.equal(by.get('etc/hosts')!.utime, 1_700_000_000);
  const t = await run('unzip', ['-t', out]);
  assert.equal(t.code, 0, t.stdout);
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('.')), [], 'no temporary file left');
});

test('the root as a zip puts its children at the top; an existing zip needs force', async () => {
  const tree = new MemTree(specs.filter((s) => s.name !== 'broken.db' && s.type !== 'device'));
  const out = join(dir, 'root.zip');
  await writeFile(out, 'an older zip');
  const refused = await runFilesJob({ tree, paths: ['/'], output: { kind: 'zip', path: out } });
  assert.equal(refused.status, 'failed');
  assert.equal(refused.error?.code, 'TARGET_EXISTS');
  assert.equal(await readFile(out, 'utf8'), 'an older zip');
  const s = await runFilesJob({ tree, paths: ['/'], output: { kind: 'zip', path: out, force: true } });
  assert.equal(s.status, 'succeeded', JSON.stringify(s));
  const names = (await pyZip(out)).map((e) => e.name);
  assert.equal(names[0], 'etc/');
  assert.equal(names.at(-1), 'root.txt');
});

test('one file written as itself, with its mode and time; a folder cannot be', async () => {
  const tree = new MemTree(specs);
  const out = join(dir, 'hosts');
  const s = await runFilesJob({ tree, paths: ['/etc/hosts.bak'], output: { kind: 'file', path: out } });
  assert.equal(s.status, 'succeeded', JSON.stringify(s));
  assert.equal(s.bytes, 20);
  assert.equal(await readFile(out, 'utf8'), '127.0.0.1 localhost\n');
  const big = await runFilesJob({ tree, paths: ['/etc/log.txt'], output: { kind: 'file', path: join(dir, 'log.txt') } });
  assert.equal(big.status, 'succeeded');
  assert.equal(sha(await readFile(join(dir, 'log.txt'))), sha(text(500 * 1024)));
  assert.equal(Math.round((await stat(join(dir, 'log.txt'))).mtimeMs / 1000), 1_650_000_000);
  const folder = await runFilesJob({ tree, paths: ['/etc'], output: { kind: 'file', path: join(dir, 'x') } });
  assert.equal(folder.error?.code, 'NOT_A_FILE');
  const broken = await runFilesJob({ tree, paths: ['/etc/broken.db'], output: { kind: 'file', path: join(dir, 'broken.db') } });
  assert.equal(broken.status, 'failed');
  assert.equal(broken.error?.code, 'CHUNK_MISSING');
  await assert.rejects(stat(join(dir, 'broken.db')), 'a failed file is not left under its name');
});

test('a zip to a stream, and a stream that fails is destroyed rather than ended', async () => {
  const tree = new MemTree(specs);
  const path = join(dir, 'stream.zip');
  const pass = new PassThrough();
  const file = createWriteStream(path);
  pass.pipe(file);
  const closed = new Promise<void>((r) => file.on('close', () => r()));
  const s = await runFilesJob({ tree, paths: ['/etc/ssl', '/root.txt'], output: { kind: 'stream', format: 'zip', out: pass } });
  await closed;
  assert.equal(s.status, 'succeeded', JSON.stringify(s));
  assert.deepEqual((await pyZip(path)).map((e) => e.name), ['ssl/', 'ssl/cert.pem', 'root.txt']);

  let ended = false;
  const sink = new Writable({ write: (_c, _e, cb) => cb(), final: (cb) => ((ended = true), cb()) });
  const failed = await runFilesJob({ tree, paths: ['/etc/broken.db'], output: { kind: 'stream', format: 'file', out: sink } });
  assert.equal(failed.error?.code, 'CHUNK_MISSING');
  assert.equal(ended, false);
  assert.equal(sink.destroyed, true);
});
