// The crash test for a whole-VM job (two disks, one folder): the restore is killed with SIGKILL at
// several points (during the first chunks, with one disk finished and the other partial, half
// way, near the end, right after a save, and twice in a row), then continued with the real CLI's
// `--all --target-dir DIR --resume`. Every disk must end with the backup's SHA-256; the source is
// asked only for the chunks the resume states did not record (per disk, by the bytes read); a
// disk finished before the crash is neither fetched nor written again (same inode, same mtime).
// The kills happen in a child (vmCrashChild.ts) at points it reaches by itself: no timing here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkRange, digestAt, parseFixedIndex } from '../../electron/pbs/fixedIndex.ts';
import { zeroChunkDigest } from '../../electron/pbs/dataBlob.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { readState } from '../../electron/engine/resumeState.ts';
import { lastJson, runCli } from '../helpers/cli.ts';
import { demoVm, smallDemo, snapshotDir } from '../helpers/demo.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';

const CHILD = fileURLToPath(new URL('./vmCrashChild.ts', import.meta.url));
const demo = await smallDemo();
const vm = await demoVm(demo, 'vm', '102');
const out = await tempDir('rc-vmcrash-');
const exists = (p: string) => access(p).then(() => true, () => false);
const raw = (archive: string) => archive.replace('.img.fidx', '.raw');
const indexes = await Promise.all(vm.disks.map(async (d) => parseFixedIndex(await readFile(join(snapshotDir(demo, d), d.archive)))));
const dataChunks = vm.disks.reduce((s, d) => s + d.chunks - d.zeroChunks, 0);

function crash(dir: string, point: string): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, demo.dir, vm.snapshot, dir, point], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stdout }));
  });
}

/** What the crash left for each disk: finished (and its file's identity), or the chunks still to fetch and their source bytes. */
async function leftOver(dir: string) {
  return Promise.all(
    vm.disks.map(async (d, i) => {
      const index = indexes[i]!;
      const path = join(dir, raw(d.archive));
      if ((await exists(path)) && !(await exists(`${path}.partial`))) {
        const st = await stat(path);
        return { finished: true, ino: st.ino, mtimeMs: st.mtimeMs, resumedBytes: d.size, sourceBytes: 0 };
      }
      const state = await readState(`${path}.partial.state`);
      const zero = zeroChunkDigest(index.chunkSize);
      let resumedBytes = 0;
      const missing = new Set<string>();
      for (let c = 0; c < index.count; c++) {
        const { start, end } = chunkRange(index, c);
        if (state?.done.has(c)) resumedBytes += end - start;
        else if (!(end - start === index.chunkSize && digestAt(index, c).equals(zero))) missing.add(toHex(digestAt(index, c)));
      }
      // Each missing digest is read once, as stored in the datastore.
      let sourceBytes = 0;
      for (const hex of missing) sourceBytes += (await stat(join(demo.dir, '.chunks', hex.slice(0, 4), hex))).size;
      return { finished: false, resumedBytes, sourceBytes, ino: 0, mtimeMs: 0 };
    }),
  );
}

async function resumeWithCli(dir: string) {
  const before = await leftOver(dir);
  const r = await runCli(['restore', '--datastore', demo.dir, '--snapshot', vm.snapshot, '--all', '--target-dir', dir, '--resume', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = lastJson(r.stdout);
  assert.equal(s.status, 'succeeded');
  const archives = s.archives as Array<{ archive: string; status: string; resumedBytes: number; sourceBytes: number }>;
  for (const [i, d] of vm.disks.entries()) {
    const path = join(dir, raw(d.archive));
    assert.equal(await sha256File(path), d.sha256, `${d.archive} differs from the backup`);
    const a = archives[i]!;
    assert.equal(a.status, 'succeeded');
    assert.equal(a.resumedBytes, before[i]!.resumedBytes, `${d.archive}: resumed bytes`);
    assert.equal(a.sourceBytes, before[i]!.sourceBytes, `${d.archive}: the source was asked for more (or less) than the chunks not on record`);
    if (before[i]!.finished) {
      const st = await stat(path);
      assert.deepEqual([st.ino, st.mtimeMs], [before[i]!.ino, before[i]!.mtimeMs], `${d.archive} was finished before the crash and was written again`);
    }
  }
  assert.equal(s.resumedBytes, before.reduce((t, b) => t + b.resumedBytes, 0));
  assert.equal(await readFile(join(dir, 'qemu-server.conf'), 'utf8'), vm.configText);
  // Nothing left over: no partial file, no state, no temporary state.
  assert.deepEqual((await readdir(dir)).sort(), ['drive-efidisk0.raw', 'drive-scsi0.raw', 'qemu-server.conf']);
  return { s, before };
}

let n = 0;
async function freshDir(): Promise<string> {
  const d = join(out, `vm-${++n}`);
  await mkdir(d);
  return d;
}

test(`the demo VM has two disks, one of them done after its first chunk (${dataChunks} chunks to fetch)`, () => {
  assert.deepEqual(vm.disks.map((d) => d.archive), ['drive-scsi0.img.fidx', 'drive-efidisk0.img.fidx']);
  assert.equal(vm.disks[1]!.chunks, 1);
  assert.ok(dataChunks >= 20);
});

// One chunk at a time, the disks take turns for the slot: scsi0's first chunk, then the EFI disk's
// only one, then the rest of scsi0. `disk:1` is the EFI disk finished (renamed, state removed) with
// scsi0 partial.
const points = ['chunks:1', 'chunks:2', 'disk:1', `chunks:${Math.floor(dataChunks / 2)}`, `chunks:${dataChunks - 1}`, 'saved:6'];

for (const point of points) {
  test(`whole VM killed at ${point}, resumed with the CLI: every disk bit-exact, only missing chunks read`, async () => {
    const dir = await freshDir();
    const c = await crash(dir, point);
    assert.equal(c.signal, 'SIGKILL', `the child was not killed at ${point}: ${c.stdout}`);
    assert.equal(await exists(join(dir, 'qemu-server.conf')), false, 'a killed job wrote the guest config');
    assert.equal(await exists(join(dir, 'drive-scsi0.raw')), false, 'a killed restore left a complete-looking target');
    if (point === 'disk:1') assert.equal(await sha256File(join(dir, 'drive-efidisk0.raw')), vm.disks[1]!.sha256);
    // Without --resume the partial files are refused, and left as they are.
    const partial = join(dir, 'drive-scsi0.raw.partial');
    const sum = await sha256File(partial);
    const refused = await runCli(['restore', '--datastore', demo.dir, '--snapshot', vm.snapshot, '--all', '--target-dir', dir, '--json']);
    assert.equal(refused.code, 1);
    assert.equal((lastJson(refused.stdout).error as { code: string }).code, 'TARGET_PARTIAL_EXISTS');
    assert.equal(await sha256File(partial), sum);
    assert.ok(await exists(`${partial}.state`));
    const { s, before } = await resumeWithCli(dir);
    if (point !== 'chunks:1' && point !== 'chunks:2') assert.ok((s.resumedBytes as number) > 0, 'nothing was resumed');
    if (point === 'disk:1') assert.equal(before[1]!.finished, true);
  });
}

test('whole VM killed three times in a row, then resumed: bit-exact', async () => {
  const dir = await freshDir();
  for (const point of ['chunks:3', 'saved:4', `chunks:${Math.floor(dataChunks / 3)}`]) {
    assert.equal((await crash(dir, point)).signal, 'SIGKILL', point);
  }
  const { s } = await resumeWithCli(dir);
  assert.ok((s.resumedBytes as number) > 0);
});

test('a partial disk without its state is refused with RESUME_STATE_MISSING; nothing is touched', async () => {
  const dir = await freshDir();
  assert.equal((await crash(dir, 'disk:1')).signal, 'SIGKILL');
  const partial = join(dir, 'drive-scsi0.raw.partial');
  await rm(`${partial}.state`);
  const sum = await sha256File(partial);
  const efi = await stat(join(dir, 'drive-efidisk0.raw'));
  const r = await runCli(['restore', '--datastore', demo.dir, '--snapshot', vm.snapshot, '--all', '--target-dir', dir, '--resume', '--json']);
  assert.equal(r.code, 1);
  const s = lastJson(r.stdout);
  assert.equal((s.error as { code: string }).code, 'RESUME_STATE_MISSING');
  assert.match((s.error as { message: string }).message, /drive-scsi0\.raw\.partial exists but there is no resume state/);
  assert.equal(await sha256File(partial), sum);
  assert.equal((await stat(join(dir, 'drive-efidisk0.raw'))).mtimeMs, efi.mtimeMs);
  assert.equal(await exists(join(dir, 'qemu-server.conf')), false);
});
