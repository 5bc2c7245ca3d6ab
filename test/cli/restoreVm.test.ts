// The whole-VM form of the CLI: --all / repeated --archive with --target-dir, each disk bit-exact
// and sparse, the guest config written as the backup holds it, the JSON summary's shape, the
// usage rules, never an existing file replaced without --force, and verify --all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFixedIndex, digestAt } from '../../electron/pbs/fixedIndex.ts';
import { zeroChunkDigest } from '../../electron/pbs/dataBlob.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { lastJson, runCli } from '../helpers/cli.ts';
import { demoVm, smallDemo, snapshotDir } from '../helpers/demo.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';

const demo = await smallDemo();
const work = await tempDir();
const env = { PBS_ENCRYPTION_PASSWORD: demo.keyPassword };
const vm = await demoVm(demo, 'vm', '102');
const exists = (p: string) => access(p).then(() => true, () => false);
let n = 0;

async function freshDir(): Promise<string> {
  const d = join(work, `vm-${++n}`);
  await mkdir(d);
  return d;
}

const base = (v: typeof vm, store = demo.dir) => ['--datastore', store, '--snapshot', v.snapshot, ...(v.ns ? ['--ns', v.ns] : [])];

test('the demo VM used here has two disks and a guest config', () => {
  assert.deepEqual(vm.disks.map((d) => d.archive), ['drive-scsi0.img.fidx', 'drive-efidisk0.img.fidx']);
  assert.equal(vm.configName, 'qemu-server.conf');
  assert.match(vm.configText, /efidisk0:/);
});

test('restore --all --target-dir writes every disk bit-exact and sparse, and the config; the JSON summary has the contract shape', async () => {
  const dir = await freshDir();
  const r = await runCli(['restore', ...base(vm), '--all', '--target-dir', dir, '--concurrency', '8', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const s = lastJson(r.stdout);
  assert.deepEqual(Object.keys(s).sort(), ['MB/s', 'archives', 'bytes', 'chunks', 'config', 'mode', 'resumedBytes', 'seconds', 'sourceBytes', 'status', 'zeroBytes', 'zeroChunks'].sort());
  assert.equal(s.status, 'succeeded');
  assert.equal(s.mode, 'restore');
  assert.equal(s.resumedBytes, 0);
  const sum = (k: 'size' | 'chunks' | 'zeroChunks') => vm.disks.reduce((t, d) => t + d[k], 0);
  assert.equal(s.bytes, sum('size'));
  assert.equal(s.chunks, sum('chunks'));
  assert.equal(s.zeroChunks, sum('zeroChunks'));
  assert.equal(s.zeroBytes, vm.disks.reduce((t, d) => t + d.zeroChunks * d.chunkSize, 0));
  assert.ok((s.sourceBytes as number) > 0);
  const archives = s.archives as Array<Record<string, unknown>>;
  assert.ok(archives.every((a) => (a.sourceBytes as number) > 0));
  assert.equal(archives.reduce((t, a) => t + (a.sourceBytes as number), 0), s.sourceBytes);
  assert.deepEqual(
    archives.map(({ sourceBytes: _s, ...a }) => a),
    vm.disks.map((d) => ({
      archive: d.archive,
      target: join(dir, d.archive.replace('.img.fidx', '.raw')),
      status: 'succeeded',
      bytes: d.size,
      zeroBytes: d.zeroChunks * d.chunkSize,
      chunks: d.chunks,
      zeroChunks: d.zeroChunks,
      resumedBytes: 0,
    })),
  );
  assert.equal(s.config, join(dir, 'qemu-server.conf'));
  assert.equal(await readFile(join(dir, 'qemu-server.conf'), 'utf8'), vm.configText);
  for (const d of vm.disks) {
    const path = join(dir, d.archive.replace('.img.fidx', '.raw'));
    assert.equal(await sha256File(path), d.sha256, `${d.archive} differs from the backed-up image`);
    const st = await stat(path);
    assert.equal(st.size, d.size);
    if (d.zeroChunks >= 4) assert.ok(st.blocks * 512 <= d.size - (d.zeroChunks * d.chunkSize) / 2, `${path} is not sparse`);
  }
  assert.deepEqual((await readdir(dir)).sort(), ['drive-efidisk0.raw', 'drive-scsi0.raw', 'qemu-server.conf']);
});

test('repeated --archive selects those disks; the order is the snapshot\'s; an encrypted VM\'s config is decoded with the key', async () => {
  const dir = await freshDir();
  const r = await runCli(['restore', ...base(vm), '--archive', 'drive-efidisk0.img', '--archive', 'drive-scsi0.img', '--target-dir', dir, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const s = lastJson(r.stdout);
  assert.deepEqual((s.archives as Array<{ archive: string }>).map((a) => a.archive), vm.disks.map((d) => d.archive));
  for (const d of vm.disks) assert.equal(await sha256File(join(dir, d.archive.replace('.img.fidx', '.raw'))), d.sha256);

  const enc = await demoVm(demo, 'vm', '101');
  assert.ok(enc.disks[0]!.encrypted);
  const edir = await freshDir();
  const e = await runCli(['restore', ...base(enc), '--all', '--keyfile', demo.keyFile, '--target-dir', edir, '--json'], env);
  assert.equal(e.code, 0, e.stderr);
  assert.equal(await readFile(join(edir, 'qemu-server.conf'), 'utf8'), enc.configText);
  assert.equal(await sha256File(join(edir, 'drive-scsi0.raw')), enc.disks[0]!.sha256);
  const nokey = await runCli(['restore', ...base(enc), '--all', '--target-dir', await freshDir(), '--json'], env);
  assert.equal(nokey.code, 1);
  assert.equal((lastJson(nokey.stdout).error as { code: string }).code, 'MISSING_KEY');
});

test('an existing disk file or config is never replaced without --force, and nothing is written then', async () => {
  const dir = await freshDir();
  await writeFile(join(dir, 'qemu-server.conf'), 'mine\n');
  const r = await runCli(['restore', ...base(vm), '--all', '--target-dir', dir, '--json'], env);
  assert.equal(r.code, 1);
  assert.equal((lastJson(r.stdout).error as { code: string }).code, 'TARGET_EXISTS');
  assert.equal(await readFile(join(dir, 'qemu-server.conf'), 'utf8'), 'mine\n');
  for (const d of vm.disks) {
    const path = join(dir, d.archive.replace('.img.fidx', '.raw'));
    assert.equal(await exists(path), false);
    assert.equal(await exists(`${path}.partial`), false, 'a .partial was left although nothing started');
  }
  await rm(join(dir, 'qemu-server.conf'));
  await writeFile(join(dir, 'drive-efidisk0.raw'), 'old disk');
  const again = await runCli(['restore', ...base(vm), '--all', '--target-dir', dir, '--json'], env);
  assert.equal(again.code, 1);
  assert.equal((lastJson(again.stdout).error as { code: string }).code, 'TARGET_EXISTS');
  assert.equal(await readFile(join(dir, 'drive-efidisk0.raw'), 'utf8'), 'old disk');
  assert.equal(await exists(join(dir, 'drive-scsi0.raw.partial')), false);
  const forced = await runCli(['restore', ...base(vm), '--all', '--target-dir', dir, '--force', '--json'], env);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await sha256File(join(dir, 'drive-efidisk0.raw')), vm.disks[1]!.sha256);
  assert.equal(await readFile(join(dir, 'qemu-server.conf'), 'utf8'), vm.configText);
});

test('usage: --target with several archives or --all, --all with --archive, no --target-dir; a missing folder', async () => {
  const dir = await freshDir();
  const cases: Array<[string[], RegExp]> = [
    [['--archive', 'drive-scsi0.img', '--archive', 'drive-efidisk0', '--target', join(dir, 'x.raw')], /--target takes a single --archive/],
    [['--all', '--target', join(dir, 'x.raw')], /--target takes a single --archive/],
    [['--all', '--archive', 'drive-scsi0.img', '--target-dir', dir], /either --all or --archive/],
    [['--all'], /--target-dir is required/],
    [['--archive', 'drive-scsi0.img', '--target', join(dir, 'x.raw'), '--target-dir', dir], /cannot be combined/],
    [['--archive', 'drive-scsi0.img', '--archive', 'drive-scsi0.img', '--target-dir', dir], /given twice/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['restore', ...base(vm), ...args], env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /\[USAGE\]/);
    assert.match(r.stderr, message);
  }
  const missing = await runCli(['restore', ...base(vm), '--all', '--target-dir', join(dir, 'nope'), '--json'], env);
  assert.equal(missing.code, 1);
  assert.equal((lastJson(missing.stdout).error as { code: string }).code, 'TARGET_NOT_WRITABLE');
  assert.equal(await exists(join(dir, 'nope')), false, 'the CLI created the folder');
});

test('the single-archive form is unchanged: --archive with --target, no archives in its summary', async () => {
  const dir = await freshDir();
  const d = vm.disks[0]!;
  const r = await runCli(['restore', ...base(vm), '--archive', 'drive-scsi0.img', '--target', join(dir, 'one.raw'), '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const s = lastJson(r.stdout);
  assert.equal(s.target, join(dir, 'one.raw'));
  assert.equal(s.archives, undefined);
  assert.equal(s.config, undefined);
  assert.equal(await sha256File(join(dir, 'one.raw')), d.sha256);
  assert.equal(await exists(join(dir, 'qemu-server.conf')), false);
});

test('verify --all checks every disk, writes nothing; a damaged chunk fails the job and names the disk', async () => {
  const r = await runCli(['verify', ...base(vm), '--all', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const s = lastJson(r.stdout);
  assert.equal(s.mode, 'verify');
  assert.equal(s.config, undefined);
  assert.deepEqual((s.archives as Array<Record<string, unknown>>).map((a) => [a.archive, a.status, a.target]), vm.disks.map((d) => [d.archive, 'succeeded', undefined]));

  // A copy of the datastore with one data chunk of scsi0 damaged.
  const store = join(work, 'damaged');
  await cp(demo.dir, store, { recursive: true });
  const scsi0 = vm.disks[0]!;
  const index = parseFixedIndex(await readFile(join(snapshotDir({ ...demo, dir: store }, scsi0), scsi0.archive)));
  const zero = zeroChunkDigest(index.chunkSize);
  let victim = -1;
  for (let i = index.count - 1; i >= 0 && victim < 0; i--) if (!digestAt(index, i).equals(zero)) victim = i;
  const hex = toHex(digestAt(index, victim));
  const chunkPath = join(store, '.chunks', hex.slice(0, 4), hex);
  const raw = await readFile(chunkPath);
  raw[raw.length - 1]! ^= 0xff;
  await writeFile(chunkPath, raw);
  const bad = await runCli(['verify', ...base(vm, store), '--all', '--json'], env);
  assert.equal(bad.code, 1);
  const b = lastJson(bad.stdout);
  assert.equal(b.status, 'failed');
  assert.match((b.error as { message: string }).message, new RegExp(`^drive-scsi0.img.fidx: chunk ${victim} `));
  assert.equal((b.archives as Array<{ status: string }>)[0]!.status, 'failed');

  // Restoring from it: scsi0 stays .partial, no config is written, the summary matches the files.
  const dir = await freshDir();
  const rr = await runCli(['restore', ...base(vm, store), '--all', '--target-dir', dir, '--json'], env);
  assert.equal(rr.code, 1);
  const f = lastJson(rr.stdout);
  assert.equal(f.status, 'failed');
  assert.equal(f.config, undefined);
  assert.equal(await exists(join(dir, 'qemu-server.conf')), false, 'the config of a failed restore was written');
  const [a0, a1] = f.archives as Array<{ status: string; target: string; partial?: boolean }>;
  assert.deepEqual([a0!.status, a0!.partial, a0!.target], ['failed', true, join(dir, 'drive-scsi0.raw.partial')]);
  assert.equal(await exists(join(dir, 'drive-scsi0.raw')), false);
  assert.equal(await exists(join(dir, 'drive-scsi0.raw.partial')), true);
  // The tiny EFI disk may finish before the failure or be stopped by it: either way the file says so.
  if (a1!.status === 'succeeded') assert.equal(await sha256File(join(dir, 'drive-efidisk0.raw')), vm.disks[1]!.sha256);
  else assert.deepEqual([a1!.status, await exists(join(dir, 'drive-efidisk0.raw.partial'))], ['cancelled', true]);
});
