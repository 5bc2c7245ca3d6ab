// Whole VMs in a browser (Debian's Chromium against `restore-console serve`), driven through the
// page only: "Restore VM…" on a two-disk snapshot (the dialog lists each disk with its size,
// target and sparse, the config line, the total and the command line; the job shows a row per
// disk and switches the chunk map between them; every disk bit-exact, the config as the backup
// holds it), then several VMs at once from Browse ("Restore latest snapshots…": one job per VM
// into <type>-<id>/, the batch and its total progress in the jobs view).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { demoVm, smallDemo } from '../helpers/demo.ts';
import { sha256File } from '../helpers/tmp.ts';
import { buildUi, openBrowser, screenshots, SCREENSHOTS, requireChromium, SKIP_WITHOUT_CHROMIUM, startServe, type BrowserSession, type Served, walkSteps } from './harness.ts';

/** Slow enough to see both disks under way, quick enough for a loaded machine. */
const CHUNK_DELAY_MS = 40;

async function nav(page: Page, screen: 'Sources' | 'Browse' | 'Jobs'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${screen}`) }).click();
}

const rowName = (type: string, id: string, time: number): string => `${type}/${id} ${new Date(time * 1000).toISOString().slice(0, 19).replace('T', ' ')}`;

test('whole VMs in a browser: Restore VM… and Restore latest snapshots…', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 240_000 }, async (t) => {
  requireChromium();
  await rm(join(SCREENSHOTS, 'failure-vm.png'), { force: true });
  const demo = await smallDemo();
  const vm = await demoVm(demo, 'vm', '102');
  const web = await demoVm(demo, 'vm', '100');
  const uiDir = await buildUi();
  const served: Served = await startServe({ uiDir, chunkDelayMs: CHUNK_DELAY_MS, datastores: [demo.dir] });
  let session: BrowserSession | undefined;
  try {
    session = await openBrowser(served.url);
    const { page, problems } = session;
    const downloads = join(served.home, 'Downloads');
    const step = walkSteps(t, page, 'failure-vm.png');

    await step('Restore VM…: each disk with its size, target and sparse, the config line, the total, the CLI', async () => {
      await nav(page, 'Browse');
      const time = vm.disks[0]!.time;
      await page.getByRole('button', { name: rowName('vm', '102', time) }).click();
      await page.getByRole('heading', { name: /^vm\/102/ }).waitFor();
      await page.getByRole('button', { name: 'Restore VM…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Restore VM vm/102' });
      await dialog.waitFor();
      const folder = join(downloads, '102-2026-01-14');
      const folderInput = dialog.getByLabel('Folder', { exact: true });
      const fh = await folderInput.elementHandle();
      await page.waitForFunction(([el, v]) => (el as unknown as { value: string }).value === v, [fh, folder] as const);
      await dialog.getByText('A new folder, created when the restore starts.').waitFor();
      for (const d of vm.disks) {
        const name = d.archive.replace(/\.fidx$/, '');
        const row = dialog.getByRole('listitem', { name });
        await row.getByLabel(`Restore ${name} to`).waitFor();
        assert.equal(await row.getByLabel(`Restore ${name} to`).inputValue(), join(folder, name.replace(/\.img$/, '.raw')));
        await row.getByRole('checkbox', { name: 'Sparse file' }).waitFor();
      }
      await dialog.getByText(/Disks · 2 of 2, .* in total/).waitFor();
      assert.equal(await dialog.getByLabel(/^Guest configuration/).inputValue(), join(folder, 'qemu-server.conf'));
      await dialog.getByText('Command line equivalent').click();
      const cli = await dialog.locator('.cli pre').innerText();
      assert.match(cli, new RegExp(`^mkdir ${folder.replaceAll('/', '\\/')}\\nrestore-console restore --datastore \\S+ --snapshot vm/102/${backupTimeName(time)} --all --target-dir ${folder.replaceAll('/', '\\/')}`));
      await screenshots(page, 'restore-vm-dialog');
      await dialog.getByRole('button', { name: 'Restore 2 disks' }).click();

      // The job: a row per disk, both under way, then done; the chunk map follows the disk picked.
      await page.getByRole('heading', { name: /^Restore vm\/102 2 disks$/ }).waitFor();
      const rows = page.getByTestId('disk-row');
      await rows.nth(1).waitFor();
      assert.equal(await rows.count(), 2);
      await page.getByTestId('job-state').filter({ hasText: /succeeded$/ }).waitFor();
      await page.getByTestId('outcome').getByText(/Restored 2 disks/).waitFor();
      await page.getByTestId('outcome').getByText(join(folder, 'qemu-server.conf')).waitFor();
      assert.deepEqual(await page.getByTestId('disk-state').allInnerTexts(), ['✓ done', '✓ done']);
      await page.getByRole('button', { name: 'Show the chunk map of drive-efidisk0.img' }).click();
      await page.getByRole('heading', { name: /Chunk map drive-efidisk0.img/ }).waitFor();
      await page.getByRole('img', { name: /^Chunk map of 1 chunks/ }).waitFor();
      await screenshots(page, 'job-vm');
      for (const d of vm.disks) assert.equal(await sha256File(join(folder, d.archive.replace('.img.fidx', '.raw'))), d.sha256, d.archive);
      assert.equal(await readFile(join(folder, 'qemu-server.conf'), 'utf8'), vm.configText);
    });

    await step('Restore latest snapshots…: one job per VM into <type>-<id>/, the batch with its total progress', async () => {
      await nav(page, 'Browse');
      // A host backup has no disk images: it cannot be picked (it lives in the namespace infra).
      const tree = page.getByRole('navigation', { name: 'Namespaces' });
      await tree.getByRole('button', { name: /^infra/ }).click();
      assert.equal(await page.getByRole('checkbox', { name: 'Pick host/backup-server for restoring its newest snapshot' }).isDisabled(), true);
      await tree.getByRole('button', { name: /^\(root\)/ }).click();
      await page.getByRole('checkbox', { name: 'Pick vm/100 for restoring its newest snapshot' }).check();
      await page.getByRole('checkbox', { name: 'Pick vm/102 for restoring its newest snapshot' }).check();
      await page.getByRole('button', { name: 'Restore latest snapshots… (2)' }).click();
      const dialog = page.getByRole('dialog', { name: 'Restore the latest snapshots of 2 VMs' });
      await dialog.getByRole('list', { name: 'VMs to restore' }).getByText('vm/100').waitFor();
      await dialog.getByLabel('Into the folder').fill(downloads);
      await dialog.getByRole('button', { name: 'Restore 2 VMs' }).click();
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
      const batch = page.getByTestId('batch-row');
      await batch.getByText('2 VMs').waitFor();
      await batch.getByTestId('batch-percent').filter({ hasText: /^100\s?%$/ }).waitFor();
      await batch.getByText('2 done').waitFor();
      await screenshots(page, 'jobs-batch');
      assert.deepEqual((await readdir(downloads)).filter((n) => n.startsWith('vm-')).sort(), ['vm-100', 'vm-102']);
      for (const [v, sub] of [[vm, 'vm-102'], [web, 'vm-100']] as const) {
        for (const d of v.disks) assert.equal(await sha256File(join(downloads, sub, d.archive.replace('.img.fidx', '.raw'))), d.sha256);
        assert.equal(await readFile(join(downloads, sub, 'qemu-server.conf'), 'utf8'), v.configText);
      }
    });

    assert.deepEqual(problems, []);
  } finally {
    await session?.close();
    await served.stop();
  }
});
