// Browser mode's folder picker (targets.folders): only folders, only under the allowed roots (the
// home folder, the suggested restore folder, earlier targets' folders), never out of them through
// `..` or a symlink, hidden folders only when asked, and a bounded answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listFolders } from '../../electron/service/folders.ts';
import { RestoreService } from '../../electron/service/service.ts';
import { smallDemo, snapshotDir } from '../helpers/demo.ts';
import { EventRecorder } from '../helpers/events.ts';
import { archiveOf, sel } from './scenarios.ts';
import { tempDir } from '../helpers/tmp.ts';

async function tree(): Promise<{ dir: string; home: string; outside: string }> {
  const dir = await tempDir();
  const home = join(dir, 'home');
  const outside = join(dir, 'outside');
  for (const d of ['Downloads', 'vm images', '.config/restore-console', 'Documents/Projects']) await mkdir(join(home, d), { recursive: true });
  await mkdir(join(outside, 'secret'), { recursive: true });
  await writeFile(join(home, 'notes.txt'), 'not a folder');
  await symlink(join(home, 'Documents'), join(home, 'docs-link'));
  await symlink(outside, join(home, 'escape'));
  return { dir, home, outside };
}

const names = (l: { folders: Array<{ name: string }> }): string[] => l.folders.map((f) => f.name);

test('lists the folders of the home folder, sorted, without files, hidden folders or symlinks that lead out', async () => {
  const { home } = await tree();
  const l = await listFolders({ roots: [home] });
  assert.equal(l.path, home);
  assert.equal(l.parent, undefined, 'a root has no parent to go up to');
  assert.deepEqual(names(l), ['docs-link', 'Documents', 'Downloads', 'vm images']);
  assert.equal(l.truncated, false);
  assert.deepEqual(l.folders.find((f) => f.name === 'vm images'), { name: 'vm images', path: join(home, 'vm images') });
  const hidden = await listFolders({ roots: [home], hidden: true });
  assert.deepEqual(names(hidden), ['.config', 'docs-link', 'Documents', 'Downloads', 'vm images']);
  const sub = await listFolders({ roots: [home], path: join(home, 'Documents') });
  assert.equal(sub.parent, home);
  assert.deepEqual(names(sub), ['Projects']);
});

test('never lists outside the roots: not by path, not through .., not through a symlink', async () => {
  const { home, outside } = await tree();
  await assert.rejects(listFolders({ roots: [home], path: outside }), { code: 'FOLDER_NOT_ALLOWED' });
  await assert.rejects(listFolders({ roots: [home], path: '/' }), { code: 'FOLDER_NOT_ALLOWED' });
  await assert.rejects(listFolders({ roots: [home], path: join(home, '..', 'outside') }), { code: 'FOLDER_NOT_ALLOWED' });
  await assert.rejects(listFolders({ roots: [home], path: join(home, 'escape') }), { code: 'FOLDER_NOT_ALLOWED' });
  await assert.rejects(listFolders({ roots: [home], path: join(home, 'escape', 'secret') }), { code: 'FOLDER_NOT_ALLOWED' });
  await assert.rejects(listFolders({ roots: [home], path: 'Downloads' }), { code: 'TARGET_NOT_ABSOLUTE' });
  await assert.rejects(listFolders({ roots: [home], path: join(home, 'nothing') }), { code: 'PATH_NOT_FOUND' });
  await assert.rejects(listFolders({ roots: [home], path: join(home, 'notes.txt') }), { code: 'NOT_A_DIRECTORY' });
  // A symlink inside that stays inside is a folder like any other; its real path is what is listed.
  const viaLink = await listFolders({ roots: [home], path: join(home, 'docs-link') });
  assert.equal(viaLink.path, join(home, 'Documents'));
  // A second root (an earlier target's folder) may be listed, and its parent may not.
  const two = await listFolders({ roots: [home, outside], path: outside });
  assert.deepEqual(names(two), ['secret']);
  assert.equal(two.parent, undefined);
});

test('a folder with more sub-folders than the bound says that it was cut', async () => {
  const { home } = await tree();
  const many = join(home, 'many');
  for (let i = 0; i < 30; i++) await mkdir(join(many, `d${i}`), { recursive: true });
  const l = await listFolders({ roots: [home], path: many, max: 10 });
  assert.equal(l.folders.length, 10);
  assert.equal(l.truncated, true);
  const all = await listFolders({ roots: [home], path: many, max: 30 });
  assert.equal(all.folders.length, 30);
  assert.equal(all.truncated, false);
  assert.deepEqual(names(all).slice(0, 3), ['d0', 'd1', 'd2'], 'numbers sort as numbers');
});

test('the service: targets.folders under its home, refused elsewhere; targets.check names a folder inside a datastore', async () => {
  const { dir, home, outside } = await tree();
  const demo = await smallDemo();
  const s = await RestoreService.create({ dataDir: join(dir, 'data'), demo: false, home, datastores: [demo.dir] });
  try {
    const l = await s.invoke('targets.folders', {});
    assert.equal(l.path, home);
    assert.deepEqual(l.roots, [home], 'Downloads lies in home: one root');
    await assert.rejects(s.invoke('targets.folders', { path: outside }), { code: 'FOLDER_NOT_ALLOWED' });
    await assert.rejects(s.invoke('targets.folders', { path: home, extra: 1 } as never), { code: 'BAD_ARGUMENTS' });
    // A relative target is refused with its code; a folder or a file inside the datastore says why.
    await assert.rejects(s.invoke('targets.check', { path: 'disk.raw' }), { code: 'TARGET_NOT_ABSOLUTE' });
    assert.equal((await s.invoke('targets.check', { path: demo.dir })).problem?.code, 'TARGET_IN_DATASTORE');
    assert.equal((await s.invoke('targets.check', { path: join(demo.dir, 'disk.raw'), imageSize: 1 })).problem?.code, 'TARGET_IN_DATASTORE');
    // Before any other problem: an existing file there, or a file in a folder that does not exist yet.
    const manifest = join(snapshotDir(demo, archiveOf(demo, 'vm', '102', 'drive-efidisk0.img.fidx')), 'index.json.blob');
    const existing = await s.invoke('targets.check', { path: manifest, imageSize: 1 });
    assert.equal(existing.kind, 'file');
    assert.equal(existing.problem?.code, 'TARGET_IN_DATASTORE');
    assert.equal((await s.invoke('targets.check', { path: join(demo.dir, 'new', 'disk.raw'), imageSize: 1 })).problem?.code, 'TARGET_IN_DATASTORE');
    assert.equal((await s.invoke('targets.check', { path: join(home, 'disk.raw') })).problem, undefined);
    // An earlier restore's folder outside home becomes listable (to restore there again).
    const events = new EventRecorder(s);
    const a = archiveOf(demo, 'vm', '102', 'drive-efidisk0.img.fidx');
    const job = await s.invoke('jobs.start', { mode: 'restore', sourceId: (await s.invoke('sources.list', {}))[0]!.id, snapshot: sel(a), archive: a.archive, target: join(outside, 'efi.raw') });
    assert.equal((await events.finalJob(job.id)).state, 'succeeded');
    events.close();
    const there = await s.invoke('targets.folders', { path: outside });
    assert.deepEqual(names(there), ['secret']);
    assert.deepEqual(there.roots, [home, outside].sort());
  } finally {
    await s.close();
  }
});
