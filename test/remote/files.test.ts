// Browsing archives on a PBS server (the test server over TLS loopback): every index is downloaded
// on the reader session before its chunks are asked for (the server refuses others, as PBS does),
// listings fetch few chunks, and contents arrive bit for bit. The demo's container backup, a
// split and encrypted archive, and a disk image read at random through the same chunk reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openArchiveBytes } from '../../electron/files/archiveBytes.ts';
import { openPxarArchive } from '../../electron/files/pxarArchive.ts';
import type { FileTree } from '../../electron/files/fileTree.ts';
import { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { startPbsTestServer } from '../pbsServer/server.ts';
import { loadKeyForTest } from '../helpers/key.ts';
import { pxarDatastore } from '../helpers/pxarStore.ts';
import { pseudoRandom, testTree } from '../helpers/pxarTree.ts';
import { refOf, remoteSetup, TOKEN_ID, TOKEN_SECRET } from './setup.ts';

const r = await remoteSetup();
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function readAll(tree: FileTree, path: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of tree.read(path)) parts.push(p);
  return Buffer.concat(parts);
}

test("the demo container's files, browsed over the reader protocol", async () => {
  const srv = await r.server();
  const source = await r.connect(srv);
  const ct = (await source.listSnapshots('lab/staging'))[0]!;
  const ref = { ns: 'lab/staging', type: 'ct' as const, id: '300', time: ct.backupTime };
  let downloadsAtFirstChunk = -1;
  srv.events.once('chunk', () => (downloadsAtFirstChunk = srv.stats.downloads.length));
  const a = await openPxarArchive(source, ref, 'root.pxar');
  try {
    assert.deepEqual(srv.stats.downloads.slice(-2), ['index.json.blob', 'root.pxar.didx']);
    assert.ok(downloadsAtFirstChunk >= 2 && srv.stats.downloads[downloadsAtFirstChunk - 1] === 'root.pxar.didx', 'the index came before any chunk');
    assert.deepEqual((await a.tree.list('/etc/nginx')).map((e) => e.name), ['conf.d', 'nginx.conf', 'sites-available', 'sites-enabled']);
    assert.equal((await readAll(a.tree, '/etc/hostname')).toString(), 'staging-db\n');
    assert.ok(a.chunksFetched <= 3, `${a.chunksFetched} chunks`);
    assert.equal(srv.stats.refusedChunks, 0);
  } finally {
    await a.close();
  }
});

test('a split, encrypted archive: both indexes registered first, contents bit-exact', async () => {
  const crypt = new CryptConfig(Buffer.alloc(32, 0x33));
  const { dir, snapshots } = await pxarDatastore([{ id: '900', format: 2, tree: testTree(60_000), crypt }]);
  const srv = await startPbsTestServer({ datastore: dir, tokens: { [TOKEN_ID]: TOKEN_SECRET } });
  try {
    const source = await r.connect(srv);
    const a = await openPxarArchive(source, snapshots.get('900')!.ref, 'root.pxar', crypt);
    try {
      assert.deepEqual(srv.stats.downloads, ['index.json.blob', 'root.mpxar.didx', 'root.ppxar.didx']);
      assert.equal(sha(await readAll(a.tree, '/var/big.link')), sha(pseudoRandom('big', 60_000)));
      assert.equal(srv.stats.refusedChunks, 0);
    } finally {
      await a.close();
    }
  } finally {
    await srv.close();
  }
});

test('a disk image read at random through openArchiveBytes: zero chunks not fetched, bytes exact', async () => {
  const srv = await r.server();
  const source = await r.connect(srv);
  const image = r.demo.archives.find((x) => x.encrypted && x.zeroChunks > 0)!;
  const crypt = await loadKeyForTest(r.demo.keyFile, r.demo.keyPassword);
  const reader = await source.openSnapshot(refOf(image));
  try {
    const bytes = await openArchiveBytes(reader, image.archive, crypt);
    assert.equal(bytes.size, image.size);
    const hash = createHash('sha256');
    for (let at = 0; at < bytes.size; at += 1_000_003) hash.update(await bytes.read(at, 1_000_003));
    assert.equal(hash.digest('hex'), image.sha256);
    assert.ok(bytes.chunksFetched > 0 && bytes.chunksFetched <= image.chunks - image.zeroChunks, `${bytes.chunksFetched} chunks fetched`);
    assert.equal(srv.stats.refusedChunks, 0);
  } finally {
    await reader.close();
  }
});
