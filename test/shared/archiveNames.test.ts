// Archive names as the user sees them and as files are named after them: one helper
// (shared/jobNames.ts) for the CLI, the service and the page, so the page's download name and the
// service's agree for every archive kind (the page named root.ppxar.didx's zip root.ppxar-files.zip).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SnapshotDetail } from '../../shared/contract.ts';
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

test("the page names a download of a whole archive as the service does, split archives too", async () => {
  const { useStore } = await import('../../renderer/store/index.ts');
  const { downloadShape } = await import('../../renderer/actions/files.ts');
  for (const archive of ['root.pxar.didx', 'root.mpxar.didx', 'root.ppxar.didx', 'drive-scsi0.img.fidx']) {
    useStore.getState().setBrowser({ sourceId: 's', detail: {} as SnapshotDetail, archive, opening: false, folders: {}, expanded: {}, selected: {}, filter: '', jobIds: [] });
    assert.equal(downloadShape().name, `${archiveBase(archive)}-files.zip`, archive);
    assert.doesNotMatch(downloadShape().name, /pxar|img/);
  }
});
