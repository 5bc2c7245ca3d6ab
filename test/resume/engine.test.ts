// Resume at the engine level: a restore stopped part way (cancel, a full disk, a source that drops)
// leaves a partial target and a state that records only synced chunks; resuming skips them,
// finishes bit-exact, and counts the resumed bytes apart. A state of another restore, a damaged
// state and a partial file without a state are refused with their own codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RestoreEngine, type ChunkEvent } from '../../electron/engine/restoreEngine.ts';
import { openResumableTarget, type ResumableTargetRequest } from '../../electron/engine/resumableTarget.ts';
import { readState } from '../../electron/engine/resumeState.ts';
import type { Target } from '../../electron/engine/target.ts';
import { RestoreError } from '../../shared/errors.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { buildImage, testImage, type Built } from '../helpers/memSource.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';

const CS = 64 * 1024;
const img = testImage(CS, 48, 1000);

function identity(b: Built, over: Partial<ResumableTargetRequest['identity']> = {}): ResumableTargetRequest['identity'] {
  return {
    source: 'memory',
    snapshot: 'vm/100/2026-01-14T02:00:06Z',
    ns: '',
    archive: 'drive-scsi0.img.fidx',
    indexCsum: toHex(b.index.csum),
    size: b.index.size,
    chunkSize: b.index.chunkSize,
    chunkCount: b.index.count,
    keyFingerprint: null,
    ...over,
  };
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** A first run stopped after `stopAfter` written chunks by `how`; returns its summary and what it read. */
async function firstRun(path: string, b: Built, stopAfter: number, how: 'cancel' | 'enospc') {
  const opened = await openResumableTarget({ path, identity: identity(b), recorder: { saveAfterChunks: 3 } });
  const ac = new AbortController();
  let target: Target = opened.target;
  if (how === 'enospc') {
    let writes = 0;
    const inner = opened.target;
    target = {
      get path() { return inner.path; },
      get writePath() { return inner.writePath; },
      kind: inner.kind,
      writesZeros: inner.writesZeros,
      write: async (buf, off) => {
        if (++writes > stopAfter) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        return inner.write(buf, off);
      },
      sync: () => inner.sync(),
      commit: () => inner.commit(),
      abandon: () => inner.abandon(),
    };
  }
  const engine = new RestoreEngine(b.input, { target, concurrency: 4, signal: ac.signal });
  let written = 0;
  engine.on('chunk', (e: ChunkEvent) => e.state === 2 && ++written === stopAfter && how === 'cancel' && ac.abort(new RestoreError('CANCELLED', 'test')));
  const summary = await engine.run();
  return { summary, reads: b.source.reads.length, recorded: opened.target.recorded, statePath: opened.target.statePath };
}

async function resumeRun(path: string, b: Built) {
  const opened = await openResumableTarget({ path, resume: true, identity: identity(b) });
  const engine = new RestoreEngine(b.input, { target: opened.target, concurrency: 4, ...(opened.resumed ? { resumed: opened.resumed } : {}) });
  const before = b.source.reads.length;
  const summary = await engine.run();
  return { summary, opened, reads: b.source.reads.length - before, progress: engine.progress() };
}

for (const how of ['cancel', 'enospc'] as const) {
  test(`a restore stopped by ${how === 'cancel' ? 'a cancel' : 'a full disk (then cleared)'} resumes bit-exact, fetching only what was not recorded`, async () => {
    const dir = await tempDir();
    const path = join(dir, 'disk.raw');
    const b = buildImage(img, CS);
    const first = await firstRun(path, b, 12, how);
    assert.equal(first.summary.status, how === 'cancel' ? 'cancelled' : 'failed');
    if (how === 'enospc') assert.equal(first.summary.error?.code, 'ENOSPC');
    const saved = await readState(first.statePath);
    assert.ok(saved, 'no state after the first run');
    // The last save on the way out recorded every chunk the first run wrote.
    assert.ok(saved.done.size >= 12, `only ${saved.done.size} chunks recorded`);
    assert.equal(saved.done.size, first.recorded);

    const second = await resumeRun(path, b);
    assert.equal(second.summary.status, 'succeeded', JSON.stringify(second.summary.error));
    assert.equal(await sha256File(path), b.sha256);
    assert.equal(await exists(`${path}.partial`), false);
    assert.equal(await exists(first.statePath), false, 'the state outlived the restore');
    // Recorded chunks were not fetched again; resumed bytes are counted apart.
    const resumedData = [...Array(b.index.count).keys()].filter((i) => saved.done.has(i)).length;
    assert.ok(second.reads <= b.index.count - resumedData, `${second.reads} reads after resuming ${resumedData} chunks`);
    assert.ok((second.summary.resumedBytes ?? 0) >= 12 * CS);
    assert.equal(second.progress.resumedChunks, saved.done.size);
    assert.equal(second.summary.bytes, img.length);
    assert.equal(second.summary.chunks, b.index.count);
    assert.equal(second.summary.zeroChunks, 16);
  });
}

test('a state of another restore is refused with RESUME_MISMATCH naming what differs', async () => {
  const dir = await tempDir();
  const path = join(dir, 'disk.raw');
  const b = buildImage(img, CS);
  await firstRun(path, b, 6, 'cancel');
  const other = buildImage(testImage(CS, 48, 1001), CS);
  await assert.rejects(openResumableTarget({ path, resume: true, identity: identity(other) }), (e: RestoreError) => {
    assert.equal(e.code, 'RESUME_MISMATCH');
    assert.match(e.message, /indexCsum: [0-9a-f]{64} in the resume state, [0-9a-f]{64} now/);
    assert.match(e.message, /size: 3146728 in the resume state, 3146729 now/);
    return true;
  });
  await assert.rejects(openResumableTarget({ path, resume: true, identity: identity(b, { snapshot: 'vm/100/2026-01-13T02:00:04Z' }) }), /snapshot: vm\/100\/2026-01-14T02:00:06Z in the resume state, vm\/100\/2026-01-13T02:00:04Z now/);
  await assert.rejects(openResumableTarget({ path, resume: true, identity: identity(b, { keyFingerprint: 'aa:bb' }) }), /keyFingerprint: none in the resume state, aa:bb now/);
  // Refusing touched nothing: the right restore still resumes.
  const ok = await resumeRun(path, b);
  assert.equal(ok.summary.status, 'succeeded');
  assert.equal(await sha256File(path), b.sha256);
});

test('a damaged state is RESUME_STATE_INVALID; a partial file without a state is RESUME_STATE_MISSING; nothing to resume starts fresh', async () => {
  const dir = await tempDir();
  const path = join(dir, 'disk.raw');
  const b = buildImage(img, CS);
  const first = await firstRun(path, b, 6, 'cancel');
  const text = await readFile(first.statePath, 'utf8');
  // One chunk more in the bitmap, checksum left alone: refused, not trusted.
  const doctored = JSON.parse(text);
  doctored.done = Buffer.alloc(Buffer.from(doctored.done, 'base64').length, 0xff).toString('base64');
  await writeFile(first.statePath, JSON.stringify(doctored));
  await assert.rejects(openResumableTarget({ path, resume: true, identity: identity(b) }), { code: 'RESUME_STATE_INVALID' });
  await writeFile(first.statePath, text.slice(0, text.length / 2));
  await assert.rejects(openResumableTarget({ path, resume: true, identity: identity(b) }), { code: 'RESUME_STATE_INVALID' });
  await writeFile(first.statePath, '');
  await assert.rejects(openResumableTarget({ path, resume: true, identity: identity(b) }), { code: 'RESUME_STATE_INVALID' });

  const bare = join(dir, 'bare.raw');
  await writeFile(`${bare}.partial`, Buffer.alloc(b.index.size));
  await assert.rejects(openResumableTarget({ path: bare, resume: true, identity: identity(b) }), { code: 'RESUME_STATE_MISSING' });

  const fresh = join(dir, 'fresh.raw');
  const opened = await openResumableTarget({ path: fresh, resume: true, identity: identity(b) });
  assert.equal(opened.resumed, undefined);
  assert.match(opened.freshBecause ?? '', /no .*fresh\.raw\.partial to continue/);
  const s = await new RestoreEngine(b.input, { target: opened.target, concurrency: 4 }).run();
  assert.equal(s.status, 'succeeded');
  assert.equal(s.resumedBytes, 0);
  assert.equal(await sha256File(fresh), b.sha256);
});

test('a partial file of the wrong size is not resumed', async () => {
  const dir = await tempDir();
  const path = join(dir, 'disk.raw');
  const b = buildImage(img, CS);
  const first = await firstRun(path, b, 6, 'cancel');
  await writeFile(`${path}.partial`, Buffer.alloc(10));
  await assert.rejects(openResumableTarget({ path, resume: true, identity: identity(b) }), (e: RestoreError) => e.code === 'RESUME_MISMATCH' && /has 10 bytes/.test(e.message));
  assert.ok(await exists(first.statePath));
});

test('without --resume an existing partial file is refused and keeps its state; --force starts over with an empty state first', async () => {
  const dir = await tempDir();
  const path = join(dir, 'disk.raw');
  const b = buildImage(img, CS);
  const first = await firstRun(path, b, 12, 'cancel');
  const before = await readState(first.statePath);
  assert.ok(before && before.done.size >= 12);
  await assert.rejects(openResumableTarget({ path, identity: identity(b) }), (e: RestoreError) => e.code === 'TARGET_PARTIAL_EXISTS' && /--resume/.test(e.message));
  assert.equal((await readState(first.statePath))?.done.size, before.done.size, 'a refused start touched the state');
  const fresh = await openResumableTarget({ path, force: true, identity: identity(b) });
  // Before the first chunk of the new run, the old record is gone: nothing of the old partial is trusted.
  assert.equal((await readState(first.statePath))?.done.size, 0);
  assert.equal(fresh.resumed, undefined);
  const s = await new RestoreEngine(b.input, { target: fresh.target, concurrency: 4 }).run();
  assert.equal(s.status, 'succeeded');
  assert.equal(await sha256File(path), b.sha256);
});
