// File archives in a datastore, browsed through the FileTree: format 1 and 2, plain and
// encrypted; listings compared entry by entry, contents by SHA-256 against the tree the archive
// was built from, the chunks a listing fetches counted, and damaged archives refused with codes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openPxarArchive, type PxarArchive } from '../../electron/files/pxarArchive.ts';
import type { FileEntry, FileTree } from '../../electron/files/fileTree.ts';
import { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { parseDynamicIndex, dynamicDigestAt } from '../../electron/pbs/dynamicIndex.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import type { PxarNode } from '../../electron/pbs/pxar/encoder.ts';
import { LocalDatastore } from '../../electron/source/localDatastore.ts';
import { isRestoreError, type ContractErrorCode } from '../../shared/errors.ts';
import { pxarDatastore } from '../helpers/pxarStore.ts';
import { LONG_NAME, MTIME, testTree, UTF8_NAME } from '../helpers/pxarTree.ts';

const BIG = 100_000;
const crypt = new CryptConfig(Buffer.alloc(32, 0x5a));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

// Built at load time, not in before(): tempDir's cleanup hook must belong to the file, not a hook.
const tree = testTree(BIG);
const { dir, snapshots: snaps } = await pxarDatastore([
  { id: '1', format: 1, tree },
  { id: '2', format: 2, tree },
  { id: '11', format: 1, tree, crypt },
  { id: '12', format: 2, tree, crypt },
  { id: '21', format: 1, tree, mangle: (e) => ({ meta: e.meta.subarray(0, e.meta.length - 10) }) },
  { id: '22', format: 2, tree, mangle: (e) => ({ meta: e.meta, payload: e.payload!.subarray(0, e.payload!.length - 16) }) },
  { id: '31', format: 1, tree },
]);
const ds = await LocalDatastore.open(dir);

const open = (id: string, key: CryptConfig | undefined = snaps.get(id)!.encrypted ? crypt : undefined, name = 'root.pxar'): Promise<PxarArchive> =>
  openPxarArchive(ds, snaps.get(id)!.ref, name, key);

async function readAll(tree: FileTree, path: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of tree.read(path)) parts.push(p);
  return Buffer.concat(parts);
}

/** path → data of every file of the source tree; hardlinks map to their target's data. */
function sourceFiles(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (nodes: PxarNode[], prefix: string): void => {
    for (const n of nodes) {
      const path = `${prefix}/${n.name}`;
      if (n.kind === 'file') out.set(path, Buffer.from(n.data));
      if (n.kind === 'hardlink') out.set(path, out.get(`/${n.target}`)!);
      if (n.kind === 'dir') walk(n.children, path);
    }
  };
  walk(testTree(BIG).children, '');
  return out;
}

const f = (name: string, type: FileEntry['type'], size: number, mode: number, extra: Partial<FileEntry> = {}): FileEntry => ({ name, type, size, mode, mtime: MTIME, uid: 0, gid: 0, ...extra });

const EXPECTED: Record<string, FileEntry[]> = {
  '/': [
    f(UTF8_NAME, 'file', 6, 0o100644),
    f('dev', 'dir', 0, 0o040755),
    f('empty', 'dir', 0, 0o040700),
    f('etc', 'dir', 0, 0o040755),
    f(LONG_NAME, 'file', 12, 0o100644),
    f('var', 'dir', 0, 0o040755),
  ],
  '/etc': [
    f('hostname', 'file', 6, 0o100644),
    f('hosts', 'file', 34, 0o100644, { mtime: MTIME + 0.25 }),
    f('localtime', 'symlink', 0, 0o120777, { target: '/usr/share/zoneinfo/Europe/Vienna' }),
    f('nginx', 'dir', 0, 0o040755),
  ],
  '/var': [
    f('big.bin', 'file', BIG, 0o100600),
    f('big.link', 'hardlink', BIG, 0o100600, { target: '/var/big.bin' }),
    f('empty.txt', 'file', 0, 0o100644),
    f('fifo', 'fifo', 0, 0o010600),
    f('sock', 'socket', 0, 0o140755),
  ],
  '/dev': [f('null', 'device', 0, 0o020666), f('sda', 'device', 0, 0o060660, { gid: 6 })],
  '/empty': [],
};

for (const [id, label] of [['1', 'format 1'], ['2', 'format 2 (split)'], ['11', 'format 1, encrypted'], ['12', 'format 2, encrypted']] as const) {
  describe(`pxar archive in a datastore: ${label}`, () => {
    it('opens the archive the name stands for', async () => {
      const a = await open(id);
      await a.close();
      assert.deepEqual(a.archives, id.endsWith('1') ? ['root.pxar.didx'] : ['root.mpxar.didx', 'root.ppxar.didx']);
    });

    it('lists folders exactly', async () => {
      const a = await open(id);
      try {
        for (const [path, entries] of Object.entries(EXPECTED)) assert.deepEqual(await a.tree.list(path), entries, path);
        assert.deepEqual(await a.tree.stat('/'), f('', 'dir', 0, 0o040755));
        assert.deepEqual(await a.tree.stat('/etc/nginx/nginx.conf'), f('nginx.conf', 'file', 58, 0o100644, { uid: 33, gid: 33 }));
      } finally {
        await a.close();
      }
    });

    it('reads every file bit for bit, a hardlink as its target', async () => {
      const a = await open(id);
      try {
        const files = sourceFiles();
        assert.equal(files.size, 8);
        for (const [path, data] of files) assert.equal(sha(await readAll(a.tree, path)), sha(data), path);
      } finally {
        await a.close();
      }
    });

    it('lists /etc fetching a few chunks of many', async () => {
      const a = await open(id);
      try {
        await a.tree.list('/etc');
        const total = snaps.get(id)!.chunks;
        assert.ok(total >= 20, `${total} chunks in the archive`);
        assert.ok(a.chunksFetched <= 4, `${a.chunksFetched} of ${total} chunks fetched to list /etc`);
      } finally {
        await a.close();
      }
    });

    it('answers bad paths with PATH_NOT_FOUND, NOT_A_DIRECTORY and NOT_A_FILE', async () => {
      const a = await open(id);
      const code = (c: ContractErrorCode) => (e: unknown) => isRestoreError(e, c);
      try {
        await assert.rejects(a.tree.list('/nope'), code('PATH_NOT_FOUND'));
        await assert.rejects(a.tree.stat('/etc/../etc'), code('PATH_NOT_FOUND'));
        await assert.rejects(a.tree.list('relative'), code('PATH_NOT_FOUND'));
        await assert.rejects(a.tree.list('/etc/hostname'), code('NOT_A_DIRECTORY'));
        await assert.rejects(a.tree.stat('/etc/hostname/x'), code('NOT_A_DIRECTORY'));
        await assert.rejects(readAll(a.tree, '/etc'), code('NOT_A_FILE'));
        await assert.rejects(readAll(a.tree, '/etc/localtime'), code('NOT_A_FILE'));
        assert.deepEqual(await readAll(a.tree, '/var/empty.txt'), Buffer.alloc(0));
      } finally {
        await a.close();
      }
    });
  });
}

describe('pxar archives that cannot be opened', () => {
  it('needs the right key for an encrypted archive', async () => {
    await assert.rejects(openPxarArchive(ds, snaps.get('11')!.ref, 'root.pxar'), (e: unknown) => isRestoreError(e, 'MISSING_KEY'));
    await assert.rejects(open('12', new CryptConfig(Buffer.alloc(32, 1))), (e: unknown) => isRestoreError(e, 'WRONG_KEY'));
  });

  it('refuses names that are no file archive of the snapshot', async () => {
    await assert.rejects(open('1', undefined, 'drive-scsi0.img'), (e: unknown) => isRestoreError(e, 'ARCHIVE_NOT_FOUND'));
    await assert.rejects(open('1', undefined, 'etc.pxar'), (e: unknown) => isRestoreError(e, 'ARCHIVE_NOT_FOUND') && /root\.pxar\.didx/.test((e as Error).message));
    await assert.rejects(open('2', undefined, 'root.ppxar/x'), (e: unknown) => isRestoreError(e, 'INVALID_NAME'));
    const a = await open('2', undefined, 'root.mpxar.didx');
    await a.close();
    assert.deepEqual(a.archives, ['root.mpxar.didx', 'root.ppxar.didx']);
  });

  it('refuses a truncated archive or payload stream with PXAR_INVALID', async () => {
    await assert.rejects(open('21'), (e: unknown) => isRestoreError(e, 'PXAR_INVALID') && /goodbye tail/.test((e as Error).message));
    await assert.rejects(open('22'), (e: unknown) => isRestoreError(e, 'PXAR_INVALID') && /tail marker/.test((e as Error).message));
  });

  it('reads every metadata file of the snapshot with a size bound (an oversized manifest is refused unread)', async () => {
    // Each file read through the snapshot reader, with the bound it was given.
    const reads: Array<[string, number | undefined]> = [];
    const counting = {
      ...ds,
      label: ds.label,
      openSnapshot: async (ref: Parameters<typeof ds.openSnapshot>[0]) => {
        const r = await ds.openSnapshot(ref);
        return Object.assign(Object.create(r) as typeof r, {
          readFile: (name: string, signal?: AbortSignal, maxBytes?: number) => (reads.push([name, maxBytes]), r.readFile(name, signal, maxBytes)),
        });
      },
    } as typeof ds;
    for (const id of ['1', '2']) await (await openPxarArchive(counting, snaps.get(id)!.ref, 'root.pxar')).close();
    assert.ok(reads.some(([name]) => name === 'index.json.blob'));
    assert.deepEqual(reads.filter(([, max]) => max === undefined), [], 'read without a bound');
    const path = join(ds.snapshotDir(snaps.get('31')!.ref), 'index.json.blob');
    const original = await readFile(path);
    // A sparse 64 MiB file: it costs no disk; read whole it would cost 64 MiB of memory.
    await truncate(path, 64 * 2 ** 20);
    try {
      await assert.rejects(open('31'), (e: unknown) => isRestoreError(e, 'BLOB_TOO_LARGE') && /index\.json\.blob/.test((e as Error).message));
    } finally {
      await writeFile(path, original);
    }
  });

  it('names the missing chunk when one the listing needs is gone', async () => {
    const snap = snaps.get('31')!;
    const snapDir = ds.snapshotDir(snap.ref);
    const index = parseDynamicIndex(await readFile(join(snapDir, 'root.pxar.didx')));
    const last = dynamicDigestAt(index, index.count - 1);
    await rm(ds.chunkPath(last));
    await assert.rejects(open('31'), (e: unknown) => {
      assert.ok(isRestoreError(e, 'CHUNK_MISSING'), String(e));
      assert.equal(e.chunk?.digest, toHex(last));
      assert.equal(e.chunk?.index, index.count - 1);
      return true;
    });
  });
});
