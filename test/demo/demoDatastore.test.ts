// The demo datastore must be a valid PBS datastore: the local reader lists it as expected, and
// every image restores (index → manifest check → chunk decode) to exactly the bytes the generator
// hashed. The small scale is generated once; the checks decode it the way a restore would.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_KEY_PASSWORD, writeDemoDatastore, type DemoArchive, type DemoResult, type DemoSnapshotWritten } from '../../electron/demo/demoDatastore.ts';
import type { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { decodeBlob, zeroChunkDigest } from '../../electron/pbs/dataBlob.ts';
import { parseDynamicIndex } from '../../electron/pbs/dynamicIndex.ts';
import { chunkRange, digestAt, parseFixedIndex } from '../../electron/pbs/fixedIndex.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { decryptKeyConfig, parseKeyFile } from '../../electron/pbs/keyFile.ts';
import { checkManifestKey, verifyManifestFile } from '../../electron/pbs/manifest.ts';
import { LocalDatastore } from '../../electron/source/localDatastore.ts';
import { demoFileTree } from '../../electron/demo/fileTrees.ts';
import type { PxarNode } from '../../electron/pbs/pxar/encoder.ts';
import { openPxarArchive } from '../../electron/files/pxarArchive.ts';

let tmp: string;
let result: DemoResult;
let ds: LocalDatastore;
let crypt: CryptConfig;
const progress: Array<[number, number]> = [];
const written: DemoSnapshotWritten[] = [];
let order: string[] = [];

const refOf = (a: Pick<DemoArchive, 'ns' | 'type' | 'id' | 'time'>) => ({ ns: a.ns, type: a.type, id: a.id, time: a.time });
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rc-demo-test-'));
  result = await writeDemoDatastore(join(tmp, 'store'), {
    scale: 'small',
    onProgress: (d, t) => progress.push([d, t]),
    onSnapshot: async (w) => void written.push(w),
  });
  ds = await LocalDatastore.open(result.dir);
  order = (await ds.listGroups('')).map((g) => `${g.backupType}/${g.backupId}`);
  crypt = await decryptKeyConfig(parseKeyFile(await readFile(result.keyFile, 'utf8')), DEMO_KEY_PASSWORD);
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('demo datastore listing', () => {
  it('has the root namespace, infra, lab and lab/staging', async () => {
    assert.deepEqual(await ds.listNamespaces(''), ['', 'infra', 'lab', 'lab/staging']);
    assert.equal(result.keyFile, `${result.dir}.key.json`);
    assert.equal(result.keyPassword, DEMO_KEY_PASSWORD);
  });

  it('lists the groups with owner and comment', async () => {
    const groups = await ds.listGroups('');
    assert.deepEqual(groups.map((g) => `${g.backupType}/${g.backupId}:${g.backupCount}`).sort(), ['vm/100:3', 'vm/101:2', 'vm/102:1']);
    const web = groups.find((g) => g.backupId === '100')!;
    assert.equal(web.comment, 'web server');
    assert.equal(web.owner, 'root@pam');
    assert.deepEqual((await ds.listGroups('lab')).map((g) => `${g.backupType}/${g.backupId}`), ['vm/200']);
    assert.deepEqual((await ds.listGroups('infra')).map((g) => `${g.backupType}/${g.backupId}`), ['host/backup-server']);
    assert.deepEqual((await ds.listGroups('lab/staging')).map((g) => `${g.backupType}/${g.backupId}`), ['ct/300']);
  });

  it('lists the snapshots with crypt modes, flags, verify states, notes and key', async () => {
    const snaps = await ds.listSnapshots('');
    const of = (type: string, id: string) => snaps.filter((s) => s.backupType === type && s.backupId === id);
    const [web1, web2, web3] = of('vm', '100');
    assert.equal(of('vm', '100').length, 3);
    assert.deepEqual([web1!.protected, web2!.protected, web3!.protected], [true, false, false]);
    assert.deepEqual([web1!.verifyState, web2!.verifyState, web3!.verifyState], ['ok', 'ok', undefined]);
    assert.equal(web2!.backupTime - web1!.backupTime, 86399, 'daily snapshots');
    assert.ok(snaps.every((s) => new Date(s.backupTime * 1000).getUTCFullYear() === 2026));

    const db = of('vm', '101');
    assert.equal(db.length, 2);
    for (const s of db) {
      assert.deepEqual(s.files.map((f) => f.cryptMode), ['encrypt', 'encrypt']);
      assert.equal(s.keyFingerprint, crypt.fingerprintText());
    }
    assert.equal(db[1]!.comment, 'before PostgreSQL 17 upgrade');
    for (const s of snaps.filter((x) => x.backupId !== '101')) {
      assert.ok(s.files.every((f) => f.cryptMode === 'none'), `${s.backupType}/${s.backupId} is unencrypted`);
      assert.equal(s.keyFingerprint, undefined);
    }
    assert.deepEqual(of('vm', '102')[0]!.files.map((f) => f.filename), ['qemu-server.conf.blob', 'drive-scsi0.img.fidx', 'drive-efidisk0.img.fidx']);
    assert.deepEqual((await ds.listSnapshots('infra', { type: 'host', id: 'backup-server' }))[0]!.files.map((f) => f.filename), ['root.pxar.didx']);

    const lab = await ds.listSnapshots('lab');
    assert.deepEqual(lab.map((s) => s.verifyState), ['failed', undefined]);
    const staging = await ds.listSnapshots('lab/staging');
    assert.deepEqual(staging[0]!.files.map((f) => f.filename), ['pct.conf.blob', 'root.pxar.didx']);
  });
});

describe('demo datastore content', () => {
  it('restores every image byte for byte', async () => {
    assert.equal(result.archives.length, 9);
    for (const a of result.archives) {
      const ref = refOf(a);
      const key = a.encrypted ? crypt : undefined;
      const m = await ds.readManifest(ref);
      checkManifestKey(m, key, a.encrypted); // fingerprint and signature with the key
      if (a.encrypted) assert.match(m.signature ?? '', /^[0-9a-f]{64}$/);
      const idx = parseFixedIndex(await ds.readSnapshotFile(ref, a.archive), a.archive);
      const entry = verifyManifestFile(m, a.archive, idx.csum, idx.size);
      assert.equal(entry.cryptMode, a.encrypted ? 'encrypt' : 'none');
      assert.ok(idx.headerCsum.equals(idx.csum));
      assert.deepEqual([idx.size, idx.chunkSize, idx.count], [a.size, a.chunkSize, a.chunks]);

      const zero = zeroChunkDigest(idx.chunkSize, key);
      const image = createHash('sha256');
      let zeros = 0;
      for (let i = 0; i < idx.count; i++) {
        const digest = digestAt(idx, i);
        const { start, end } = chunkRange(idx, i);
        const opts = { crypt: key, expectedDigest: digest, expectedSize: end - start, cryptMode: entry.cryptMode };
        if (digest.equals(zero)) {
          zeros++;
          image.update(Buffer.alloc(idx.chunkSize));
        } else {
          image.update(decodeBlob(await ds.readChunk(digest), opts));
        }
      }
      assert.equal(image.digest('hex'), a.sha256, `${a.ns}/${a.type}/${a.id}/${a.time}/${a.archive}`);
      assert.equal(zeros, a.zeroChunks);
      if (zeros > 0) {
        // The zero chunk is stored too (as PBS clients upload it), under the keyed digest when encrypted.
        const z = decodeBlob(await ds.readChunk(zero), { crypt: key, expectedDigest: zero, expectedSize: idx.chunkSize });
        assert.ok(z.every((b) => b === 0));
      }
    }
  });

  it('has zero chunks, short last chunks, repeated blocks and shared snapshots', async () => {
    let zeroChunks = 0;
    let chunks = 0;
    let repeated = 0;
    const indexes = new Map<string, Buffer[]>();
    for (const a of result.archives) {
      const idx = parseFixedIndex(await ds.readSnapshotFile(refOf(a), a.archive));
      const zero = zeroChunkDigest(idx.chunkSize, a.encrypted ? crypt : undefined);
      const digests = Array.from({ length: idx.count }, (_, i) => digestAt(idx, i));
      const seen = new Map<string, number>();
      for (const d of digests.filter((d) => !d.equals(zero))) seen.set(toHex(d), (seen.get(toHex(d)) ?? 0) + 1);
      if ([...seen.values()].some((n) => n >= 2)) repeated++;
      zeroChunks += a.zeroChunks;
      chunks += a.chunks;
      indexes.set(`${a.id}/${a.archive}/${a.time}`, digests);
    }
    assert.ok(repeated >= 3, 'some images repeat a non-zero chunk at two positions');
    assert.ok(zeroChunks / chunks > 0.3 && zeroChunks / chunks < 0.5, `zero share ${zeroChunks / chunks}`);
    assert.ok(result.archives.filter((a) => a.size % a.chunkSize !== 0).length >= 3, 'short last chunks');
    const efi = result.archives.find((a) => a.archive === 'drive-efidisk0.img.fidx')!;
    assert.deepEqual([efi.chunks, efi.size < efi.chunkSize], [1, true]);

    // Later snapshots of vm/100 share most chunks with the first and change a few.
    const web = result.archives.filter((a) => a.id === '100').map((a) => indexes.get(`${a.id}/${a.archive}/${a.time}`)!);
    for (const later of web.slice(1)) {
      const same = later.filter((d, i) => d.equals(web[0]![i]!)).length;
      assert.ok(same < later.length && same >= later.length * 0.8, `${same} of ${later.length} chunks unchanged`);
    }
    assert.notEqual(new Set(result.archives.filter((a) => a.id === '100').map((a) => a.sha256)).size, 1);
  });

  it('stores config blobs that match the manifest', async () => {
    for (const s of [...(await ds.listSnapshots('')), ...(await ds.listSnapshots('lab')), ...(await ds.listSnapshots('lab/staging'))]) {
      const ref = { ns: s.ns, type: s.backupType, id: s.backupId, time: s.backupTime };
      const m = await ds.readManifest(ref);
      for (const f of m.files.filter((x) => x.filename.endsWith('.blob'))) {
        const raw = await ds.readSnapshotFile(ref, f.filename);
        verifyManifestFile(m, f.filename, Buffer.from(sha256(raw), 'hex'), raw.length);
        const text = decodeBlob(raw, { crypt: f.cryptMode === 'encrypt' ? crypt : undefined, cryptMode: f.cryptMode }).toString();
        if (s.backupType === 'vm') assert.match(text, /^scsihw: virtio-scsi-single$/m);
        if (s.backupId === '100') assert.match(text, /^name: web01$/m);
        if (s.backupType === 'ct') assert.match(text, /^hostname: staging-db$/m);
      }
    }
  });

  it('writes root.pxar.didx archives that match the manifest', async () => {
    for (const [ns, type, id] of [['infra', 'host', 'backup-server'], ['lab/staging', 'ct', '300']] as const) {
      const [snap] = await ds.listSnapshots(ns, { type, id });
      const ref = { ns, type, id, time: snap!.backupTime };
      const idx = parseDynamicIndex(await ds.readSnapshotFile(ref, 'root.pxar.didx'));
      verifyManifestFile(await ds.readManifest(ref), 'root.pxar.didx', idx.csum, idx.size);
      assert.ok(idx.count >= 3, `${idx.count} chunks: the archive spans several`);
      for (let i = 0; i < idx.count; i++) {
        const digest = idx.entries.subarray(i * 40 + 8, i * 40 + 40);
        decodeBlob(await ds.readChunk(digest), { expectedDigest: digest, cryptMode: 'none' });
      }
    }
  });

  it('holds real pxar archives: a container root and the host /etc and /root, browsable', async () => {
    const ctRef = { ns: 'lab/staging', type: 'ct' as const, id: '300', time: (await ds.listSnapshots('lab/staging'))[0]!.backupTime };
    const ct = await openPxarArchive(ds, ctRef, 'root.pxar');
    try {
      assert.deepEqual((await ct.tree.list('/')).map((e) => `${e.type} ${e.name}`), [
        'symlink bin', 'dir dev', 'dir etc', 'symlink lib', 'dir root', 'dir run', 'dir tmp', 'dir usr', 'dir var',
      ]);
      const read = async (path: string): Promise<Buffer> => {
        const parts: Uint8Array[] = [];
        for await (const p of ct.tree.read(path)) parts.push(p);
        return Buffer.concat(parts);
      };
      assert.equal((await read('/etc/hostname')).toString(), 'staging-db\n');
      assert.match((await read('/etc/nginx/nginx.conf')).toString(), /^\tinclude \/etc\/nginx\/sites-enabled\/\*;$/m);
      assert.equal((await ct.tree.stat('/etc/nginx/sites-enabled/default')).target, '/etc/nginx/sites-available/default');
      assert.deepEqual(await ct.tree.stat('/usr/bin/perl5.36.0').then((e) => [e.type, e.target]), ['hardlink', '/usr/bin/perl']);
      // The table file spans several chunks; its bytes are the generator's, bit for bit.
      const big = '/var/lib/postgresql/15/main/base/16384/16385';
      let node: PxarNode = { kind: 'dir', name: '', ...demoFileTree('ct', { hostname: 'staging-db', mtime: ctRef.time, chunkSize: 65536, generation: 0 }) };
      for (const name of big.split('/').slice(1)) node = (node as Extract<PxarNode, { kind: 'dir' }>).children.find((c) => c.name === name)!;
      const generated = (node as Extract<PxarNode, { kind: 'file' }>).data;
      assert.ok(generated.length > 2 * 65536);
      assert.equal(sha256(await read(big)), sha256(generated));
    } finally {
      await ct.close();
    }
    const hostRef = { ns: 'infra', type: 'host' as const, id: 'backup-server', time: (await ds.listSnapshots('infra', { type: 'host', id: 'backup-server' }))[0]!.backupTime };
    const host = await openPxarArchive(ds, hostRef, 'root.pxar');
    try {
      assert.deepEqual((await host.tree.list('/etc/proxmox-backup')).map((e) => e.name), ['datastore.cfg', 'user.cfg', 'verification.cfg']);
    } finally {
      await host.close();
    }
  });

  it('reports progress up to the total, the fraction never falling', () => {
    assert.ok(progress.length > 10);
    // The total grows as file archives are encoded (by the same amount as what is done).
    assert.ok(progress.every(([d, t], i) => d <= t && (i === 0 || (d > progress[i - 1]![0] && d / t >= progress[i - 1]![0] / progress[i - 1]![1]))));
    assert.equal(progress.at(-1)![0], progress.at(-1)![1]);
  });

  it('writes a small VM snapshot of the root namespace first, then the rest; the first row of the root namespace has a disk image', () => {
    const [first, ...rest] = written;
    assert.deepEqual(first && [first.ns, first.type, first.id, first.done], ['', 'vm', '102', 1]);
    assert.equal(rest.length, first!.total - 1);
    assert.deepEqual(written.map((w) => w.done), written.map((_, i) => i + 1));
    // Its boot disk is unencrypted, partitioned and the smallest of the root namespace's boot disks.
    const boot = (id: string) => result.archives.find((a) => a.id === id && a.archive === 'drive-scsi0.img.fidx')!;
    assert.equal(boot('102').encrypted, false);
    assert.ok(boot('102').size < boot('100').size);
    // Groups list as PBS lists them (ct, host, vm): the first in the root namespace is a VM.
    assert.equal(order[0], 'vm/100');
  });
});

describe('demo datastore target directory', () => {
  it('refuses a directory that is not empty', async () => {
    const dir = join(tmp, 'busy');
    await mkdir(dir);
    await writeFile(join(dir, 'something'), 'x');
    await assert.rejects(writeDemoDatastore(dir, { scale: 'small' }), /not empty/);
  });

  it('refuses a path that is a file', async () => {
    await assert.rejects(writeDemoDatastore(join(tmp, 'busy', 'something'), { scale: 'small' }), /not a directory/);
  });

  it('writes into an existing empty directory, with the same images as before', async () => {
    const dir = join(tmp, 'again');
    await mkdir(dir);
    const again = await writeDemoDatastore(dir, { scale: 'small' });
    assert.deepEqual(again.archives, result.archives);
  });
});
