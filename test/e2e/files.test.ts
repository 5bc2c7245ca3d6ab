// Files out of backups in a browser, against `restore-console serve` with its demo datastore:
// open the host backup's file archive from the snapshot detail, open folders, filter, tick a file
// and a folder, download them as the page's download (one file as itself, then a zip read back by
// Python), extract them into a typed folder, and open a VM disk image's partitions (swap: said in
// words, not openable). Contents are
// compared by SHA-256 with the same archive read directly from a demo generated here (the demo is
// deterministic). Every wait is on what the page shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openFileTree } from '../../electron/files/openFiles.ts';
import type { FileTree } from '../../electron/files/fileTree.ts';
import { LocalDatastore } from '../../electron/source/localDatastore.ts';
import { smallDemo } from '../helpers/demo.ts';
import { pyZip } from '../helpers/zipRead.ts';
import { buildUi, openBrowser, requireChromium, screenshots, SCREENSHOTS, SKIP_WITHOUT_CHROMIUM, startServe, type BrowserSession, type Served, walkSteps } from './harness.ts';

const HOST_TIME = Date.UTC(2026, 0, 14, 3, 0, 0) / 1000;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function readAll(tree: FileTree, path: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of tree.read(path)) parts.push(p);
  return Buffer.concat(parts);
}

test('files in a browser: browse a file archive, filter, download a file and a zip, extract, a disk image', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 240_000 }, async (t) => {
  requireChromium();
  await rm(join(SCREENSHOTS, 'files-failure.png'), { force: true });
  const demo = await smallDemo();
  const store = await LocalDatastore.open(demo.dir);
  const expected = await openFileTree(store, { ns: 'infra', type: 'host', id: 'backup-server', time: HOST_TIME }, 'root.pxar');
  const uiDir = await buildUi();
  const served: Served = await startServe({ uiDir, demo: true });
  let session: BrowserSession | undefined;
  try {
    session = await openBrowser(served.url);
    const { page, problems } = session;
    const step = walkSteps(t, page, 'files-failure.png');
    const dialog = page.getByRole('dialog', { name: 'Files in root.pxar' });
    const etcFiles = ['hostname', 'hosts', 'os-release'];

    await step('opens the file archive of the host backup from its snapshot', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Browse/ }).click();
      // The host backup has its own namespace (the root one starts with a VM).
      await page.getByRole('navigation', { name: 'Namespaces' }).getByRole('button', { name: /^infra/ }).click();
      await page.getByRole('button', { name: 'host/backup-server 2026-01-14 03:00:00' }).click();
      await page.getByRole('button', { name: 'Browse files of root.pxar' }).click();
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Open etc' }).click();
      for (const name of etcFiles) await dialog.getByRole('checkbox', { name: `Select ${name}`, exact: true }).waitFor();
      await dialog.getByText('→ /usr/share/zoneinfo/Europe/Vienna').waitFor();
      // The filter keeps matching names (and the open folders).
      const filter = dialog.getByRole('searchbox', { name: 'Filter' });
      await filter.fill('host');
      await dialog.getByRole('checkbox', { name: 'Select os-release' }).waitFor({ state: 'detached' });
      await dialog.getByRole('checkbox', { name: 'Select hostname', exact: true }).waitFor();
      await filter.fill('');
      await dialog.getByRole('button', { name: 'Open proxmox-backup' }).click();
      await dialog.getByRole('checkbox', { name: 'Select datastore.cfg' }).waitFor();
      await screenshots(page, 'files');
    });

    await step('downloads one file as itself through the page', async () => {
      await dialog.getByRole('checkbox', { name: 'Select hostname', exact: true }).check();
      const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download file' }).click()]);
      assert.equal(download.suggestedFilename(), 'hostname');
      const path = join(served.home, 'hostname');
      await download.saveAs(path);
      assert.equal(sha(await readFile(path)), sha(await readAll(expected.tree, '/etc/hostname')));
      await dialog.getByRole('listitem', { name: /^Files job download hostname/ }).getByText('succeeded').waitFor();
    });

    await step('downloads a file and a folder as a zip', async () => {
      await dialog.getByRole('checkbox', { name: 'Select proxmox-backup' }).check();
      const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download .zip' }).click()]);
      assert.equal(download.suggestedFilename(), 'root-files.zip');
      const path = join(served.home, 'files.zip');
      await download.saveAs(path);
      const entries = await pyZip(path);
      assert.deepEqual(entries.map((e) => e.name), ['hostname', 'proxmox-backup/', 'proxmox-backup/datastore.cfg', 'proxmox-backup/user.cfg', 'proxmox-backup/verification.cfg']);
      for (const e of entries.filter((x) => !x.name.endsWith('/'))) {
        assert.equal(e.sha256, sha(await readAll(expected.tree, `/etc/${e.name}`)), e.name);
      }
      assert.equal(entries.find((e) => e.name === 'proxmox-backup/')!.mode, 0o40700);
    });

    await step('extracts the selection into a typed folder', async () => {
      const dest = join(served.home, 'extracted');
      await dialog.getByRole('textbox', { name: 'Folder to extract into' }).fill(dest);
      await dialog.getByRole('button', { name: 'Extract here' }).click();
      const job = dialog.getByRole('listitem', { name: `Files job into ${dest}` });
      await job.getByText('succeeded').waitFor();
      await job.getByText(/^5 entries, /).waitFor();
      for (const rel of ['hostname', 'proxmox-backup/user.cfg']) {
        assert.equal(sha(await readFile(join(dest, rel))), sha(await readAll(expected.tree, `/etc/${rel}`)), rel);
      }
      await dialog.getByRole('button', { name: 'Close' }).last().click();
      await dialog.waitFor({ state: 'detached' });
    });

    await step("a VM disk image shows its partitions and the files of its ext4 root", async () => {
      await page.getByRole('navigation', { name: 'Namespaces' }).getByRole('button', { name: /^\(root\)/ }).click();
      await page.getByRole('button', { name: 'vm/100 2026-01-14 02:00:06' }).click();
      await page.getByRole('button', { name: 'Browse files of drive-scsi0.img' }).click();
      const disk = page.getByRole('dialog', { name: 'Files in drive-scsi0.img' });
      await disk.getByText(/ext4 · Linux filesystem/).waitFor();
      await disk.getByText(/swap · .*holds no files/).waitFor();
      await disk.getByRole('button', { name: 'Open part1' }).click();
      await disk.getByRole('button', { name: 'Open etc' }).click();
      await disk.getByRole('checkbox', { name: 'Select hostname', exact: true }).waitFor();
      // Swap holds no files: its row says so in words, and there is nothing to open or take.
      assert.equal(await disk.getByRole('button', { name: 'Open part2' }).count(), 0);
      assert.equal(await disk.getByRole('checkbox', { name: 'Select part2' }).isDisabled(), true);
      await screenshots(page, 'files-disk');
    });

    assert.deepEqual(problems, []);
  } finally {
    await expected.close();
    await session?.close();
    await served.stop();
  }
});
