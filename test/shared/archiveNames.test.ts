// Archive names as the user sees them and as files are named after them: one helper
// (shared/jobNames.ts) for the CLI, the service and the page, and one download name
// (shared/files.ts) the page and the service share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downloadName } from '../../shared/files.ts';
import { archiveBase, archiveName, diskFileName } from '../../shared/jobNames.ts';

test('archiveName drops the index suffix, archiveBase every suffix', () => {
  assert.equal(archiveName('drive-scsi0.img.fidx'), 'drive-scsi0.img');
  assert.equal(archiveName('root.pxar.didx'), 'root.pxar');
  assert.equal(archiveName('drive-scsi0.img'), 'drive-scsi0.img');
  assert.equal(archiveName('qemu-server.conf.blob'), 'qemu-server.conf.blob');
  for (const [a, b] of [['drive-scsi0.img.fidx', 'drive-scsi0'], ['root.pxar.didx', 'root'], ['root.mpxar.didx', 'root'], ['root.ppxar.didx', 'root'], ['drive-efidisk0.img', 'drive-efidisk0']]) {
    assert.equal(archiveBase(a!), b, a);
  }
  assert.equal(diskFileName('drive-scsi0.img.fidx'), 'drive-scsi0.raw');
});

test('a download is named after the file, the folder, or the archive (split archives too)', () => {
  assert.equal(downloadName('root.pxar.didx', { name: 'hosts', type: 'file' }), 'hosts');
  assert.equal(downloadName('root.pxar.didx', { name: 'perl', type: 'hardlink' }), 'perl');
  assert.equal(downloadName('root.pxar.didx', { name: 'etc', type: 'dir' }), 'etc.zip');
  assert.equal(downloadName('drive-scsi0.img.fidx', { name: 'part1', type: 'partition' }), 'part1.zip');
  for (const archive of ['root.pxar.didx', 'root.mpxar.didx', 'root.ppxar.didx']) {
    assert.equal(downloadName(archive, undefined), 'root-files.zip', archive);
    // The root itself (an entry without a name) is the whole archive.
    assert.equal(downloadName(archive, { name: '', type: 'dir' }), 'root-files.zip', archive);
  }
  assert.equal(downloadName('drive-scsi0.img.fidx', undefined), 'drive-scsi0-files.zip');
});
