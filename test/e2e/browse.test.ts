// Browse and the restore targets in a browser, against `restore-console serve` with a small demo
// datastore added as a folder source:
//   the namespace tree (children under parents, counts that follow the filter, the keyboard, a
//   parent without groups of its own pointing to its children) → the backup table with the keyboard only (one
//   tab stop, ↑/↓/Home/End between rows, Enter opens, the selection announced) → the snapshot
//   pane widened with its handle's arrow keys (kept after a reload), config lines wrapped, names
//   broken at separators → the restore dialog: the suggested target in ~/Downloads, a relative
//   path and a path inside the datastore refused with the reason before starting, the folder
//   picker (folders only, no hidden ones unless asked) picking the target's folder → Verify… of
//   an encrypted image with its key (a wrong password said in the dialog).
// Every wait is on what the page shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createKeyConfig, serializeKeyConfig } from '../../electron/pbs/keyFile.ts';
import { snapshotDir, smallDemo } from '../helpers/demo.ts';
import { tempDir } from '../helpers/tmp.ts';
import { buildUi, openBrowser, requireChromium, screenshots, SCREENSHOTS, SKIP_WITHOUT_CHROMIUM, startServe, type BrowserSession, type Served, walkSteps } from './harness.ts';

const rowName = (a: { type: string; id: string; time: number }): string => `${a.type}/${a.id} ${new Date(a.time * 1000).toISOString().slice(0, 19).replace('T', ' ')}`;

/** The data-row of the focused element (a row button of the backup table), or null. */
const focusedRow = (page: Page): Promise<string | null> => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('data-row') ?? null);

test('browse and targets in a browser: namespace tree, keyboard rows, wide pane, refused targets, folder picker, verify encrypted', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 240_000 }, async (t) => {
  requireChromium();
  await rm(join(SCREENSHOTS, 'browse-failure.png'), { force: true });
  const demo = await smallDemo();
  // A parent namespace with no groups of its own, its VM in a child namespace (the chunks are shared).
  await cp(join(demo.dir, 'vm', '102'), join(demo.dir, 'ns', 'archive', 'ns', '2025', 'vm', '102'), { recursive: true });
  const uiDir = await buildUi();
  const served: Served = await startServe({ uiDir, datastores: [demo.dir] });
  const downloads = join(served.home, 'Downloads');
  await mkdir(join(downloads, 'vm images'), { recursive: true });
  await mkdir(join(served.home, '.cache', 'thing'), { recursive: true });
  let session: BrowserSession | undefined;
  try {
    session = await openBrowser(served.url);
    const { page, problems } = session;
    const step = walkSteps(t, page, 'browse-failure.png');
    const web = demo.archives.filter((a) => a.id === '100' && a.ns === '' && a.archive === 'drive-scsi0.img.fidx').sort((a, b) => b.time - a.time)[0]!;
    const db = demo.archives.filter((a) => a.id === '101' && a.archive === 'drive-scsi0.img.fidx').sort((a, b) => b.time - a.time)[0]!;
    const tree = page.getByRole('navigation', { name: 'Namespaces' });

    await step('the namespaces are a tree; counts follow the filter; a namespace leads to its children', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Browse/ }).click();
      await page.getByRole('button', { name: rowName(web) }).waitFor();
      // lab/staging sits under lab, one level deeper.
      const lab = tree.getByRole('listitem').filter({ has: page.getByRole('button', { name: /^lab/ }) });
      const staging = tree.getByRole('listitem').filter({ has: page.getByRole('button', { name: /^staging/ }) });
      const indent = async (l: typeof lab): Promise<number> => Number.parseFloat(await l.evaluate((el) => (el as unknown as { style: { paddingLeft: string } }).style.paddingLeft));
      assert.ok((await indent(staging)) > (await indent(lab)), 'staging is not indented under lab');
      // Counts: the root's groups (as listed), lab's one VM; the filter changes them.
      await tree.getByRole('button', { name: 'lab 1 group', exact: true }).waitFor();
      await tree.getByRole('button', { name: '(root) 3 groups', exact: true }).waitFor();
      const filter = page.getByRole('searchbox', { name: 'Filter backups' });
      await filter.fill('vm/200');
      await tree.getByRole('button', { name: '(root) 0 groups', exact: true }).waitFor();
      await tree.getByRole('button', { name: 'lab 1 group', exact: true }).waitFor();
      await tree.getByRole('button', { name: 'staging 0 groups', exact: true }).waitFor();
      await filter.fill('');
      // The keyboard: the tree is one tab stop (the namespace shown); ↓ moves (archive, its child 2025, infra, lab), ← closes lab (hiding staging), → opens it.
      assert.equal(await tree.locator('button[tabindex="0"]').count(), 1);
      await tree.getByRole('button', { name: /^\(root\)/ }).focus();
      await page.keyboard.press('ArrowDown');
      await tree.getByRole('button', { name: /^archive/ }).and(page.locator(':focus')).waitFor();
      await page.keyboard.press('ArrowDown');
      await tree.getByRole('button', { name: /^2025/ }).and(page.locator(':focus')).waitFor();
      await page.keyboard.press('ArrowDown');
      await tree.getByRole('button', { name: /^infra/ }).and(page.locator(':focus')).waitFor();
      await page.keyboard.press('ArrowDown');
      await tree.getByRole('button', { name: /^lab/ }).and(page.locator(':focus')).waitFor();
      await page.keyboard.press('ArrowLeft');
      await staging.waitFor({ state: 'detached' });
      await page.keyboard.press('ArrowRight');
      await staging.waitFor();
      // The arrow beside it does the same with the mouse.
      await tree.getByRole('button', { name: 'Close lab' }).click();
      await staging.waitFor({ state: 'detached' });
      await tree.getByRole('button', { name: 'Open lab' }).click();
      await tree.getByRole('button', { name: /^staging/ }).click();
      await page.getByRole('button', { name: /^ct\/300 / }).first().waitFor();
      // A parent without groups of its own says where its backups are, and leads there.
      await tree.getByRole('button', { name: /^archive/ }).click();
      const empty = page.getByTestId('empty-namespace');
      await empty.getByText('No backups directly in archive: its backups are in its child namespaces.').waitFor();
      await screenshots(page, 'browse-empty-parent');
      await empty.getByRole('button', { name: 'archive/2025' }).click();
      await page.getByRole('button', { name: /^vm\/102 / }).first().waitFor();
      await tree.getByRole('button', { name: /^\(root\)/ }).click();
      await page.getByRole('button', { name: rowName(web) }).waitFor();
    });

    await step('the backup table is one tab stop; arrows move between rows, Enter opens, the choice is announced', async () => {
      const table = page.getByRole('table');
      assert.equal(await table.locator('button[data-row][tabindex="0"]').count(), 1, 'more or less than one tab stop in the table');
      // Tab from the filter reaches the table's one row (after the toolbar, the namespace tree and the pick-all box).
      await page.getByRole('searchbox', { name: 'Filter backups' }).focus();
      for (let i = 0; i < 20 && !(await focusedRow(page)); i++) await page.keyboard.press('Tab');
      const first = await focusedRow(page);
      assert.ok(first, 'Tab never reached a row of the table');
      const rows = await table.locator('button[data-row]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-row')));
      assert.equal(first, rows[0]);
      await page.keyboard.press('ArrowDown');
      assert.equal(await focusedRow(page), rows[1]);
      await page.keyboard.press('End');
      assert.equal(await focusedRow(page), rows[rows.length - 1]);
      await page.keyboard.press('Home');
      assert.equal(await focusedRow(page), rows[0]);
      // Down to vm/100's newest snapshot (the group comes first, then its snapshots, newest first).
      const target = `vm/100/${web.time}`;
      for (let i = 0; i < rows.length && (await focusedRow(page)) !== target; i++) await page.keyboard.press('ArrowDown');
      assert.equal(await focusedRow(page), target);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: /^vm\/100/ }).waitFor();
      await page.getByTestId('selection-status').filter({ hasText: `Selected ${rowName(web)}` }).waitFor();
      // The row stays the table's tab stop; ← goes to its group.
      assert.equal(await table.locator('button[data-row][tabindex="0"]').getAttribute('data-row'), target);
      await page.keyboard.press('ArrowLeft');
      assert.equal(await focusedRow(page), '|vm/100');
    });

    await step('the snapshot pane widens with its handle, keeps the width, wraps the config, breaks names at separators', async () => {
      const pane = page.locator('#snapshot-pane');
      await pane.getByText(/name: web01/).waitFor();
      const before = (await pane.boundingBox())!.width;
      const handle = page.getByRole('separator', { name: 'Width of the snapshot pane' });
      await handle.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
      await page.waitForFunction((w) => ((globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): { width: number } } } }).document.querySelector('#snapshot-pane').getBoundingClientRect().width >= w + 60), before);
      const value = Number(await handle.getAttribute('aria-valuenow'));
      // Kept in the prefs: the same width after a reload.
      await page.reload();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Browse/ }).click();
      await page.getByRole('button', { name: rowName(web) }).click();
      await pane.getByText(/name: web01/).waitFor();
      assert.equal(Number(await page.getByRole('separator', { name: 'Width of the snapshot pane' }).getAttribute('aria-valuenow')), value);
      // No config line is clipped: the block is no wider inside than it shows.
      const config = pane.locator('pre.config');
      const [scroll, client] = await config.evaluate((el) => [(el as unknown as { scrollWidth: number }).scrollWidth, (el as unknown as { clientWidth: number }).clientWidth]);
      assert.ok(scroll <= client, `the config is clipped: ${scroll} > ${client}`);
      // Archive names may break only after their separators.
      const name = pane.locator('.file-name .mono').first();
      assert.ok((await name.locator('wbr').count()) >= 2, 'no break opportunities in the archive name');
      await screenshots(page, 'browse-tree-wide');
    });

    await step('the restore dialog: the suggested target, relative and in-datastore targets refused with the reason', async () => {
      await page.getByRole('button', { name: 'Restore drive-scsi0.img' }).click();
      const dialog = page.getByRole('dialog', { name: 'Restore vm/100' });
      const target = dialog.getByLabel('Restore to');
      await page.waitForFunction(([el, dir]) => (el as unknown as { value: string }).value.startsWith(`${dir}/100-drive-scsi0-`), [await target.elementHandle(), downloads] as const);
      await dialog.getByText('A new file.').waitFor();
      await target.fill('restored/disk.raw');
      await dialog.getByTestId('target-refused').getByText('The target path is not absolute.').waitFor();
      await dialog.getByRole('button', { name: 'Start restore' }).click();
      await dialog.getByRole('alert').getByText('The target path is not absolute.').waitFor();
      const inside = join(snapshotDir(demo, web), 'restored.raw');
      await target.fill(inside);
      await dialog.getByTestId('target-refused').getByText('The target lies inside a datastore.').waitFor();
      assert.equal(await dialog.getByText('A new file.').count(), 0, 'a path inside the datastore reads as a new file');
      await dialog.getByRole('button', { name: 'Start restore' }).click();
      await dialog.getByRole('alert').getByText('The target lies inside a datastore.').waitFor();
      await screenshots(page, 'restore-refused');
    });

    await step('the folder picker lists folders (no hidden ones unless asked) and picks the target folder', async () => {
      const dialog = page.getByRole('dialog', { name: 'Restore vm/100' });
      const target = dialog.getByLabel('Restore to');
      await target.fill(join(downloads, 'web.raw'));
      await dialog.getByRole('button', { name: 'Folder…' }).click();
      const picker = page.getByRole('dialog', { name: 'Restore into the folder' });
      await picker.getByTestId('picker-path').filter({ hasText: downloads }).waitFor();
      await picker.getByRole('button', { name: 'Open vm images' }).waitFor();
      await screenshots(page, 'folder-picker');
      // Up to home: folders only, the hidden .cache only when asked.
      await picker.getByRole('button', { name: /^Up to/ }).click();
      await picker.getByTestId('picker-path').filter({ hasText: new RegExp(`^${served.home}$`) }).waitFor();
      await picker.getByRole('button', { name: 'Open Downloads' }).waitFor();
      assert.equal(await picker.getByRole('button', { name: 'Open .cache' }).count(), 0, 'a hidden folder is listed');
      await picker.getByLabel('Show hidden folders').check();
      await picker.getByRole('button', { name: 'Open .cache' }).waitFor();
      await picker.getByRole('button', { name: 'Open Downloads' }).click();
      await picker.getByRole('button', { name: 'Open vm images' }).click();
      await picker.getByTestId('picker-path').filter({ hasText: join(downloads, 'vm images') }).waitFor();
      await picker.getByRole('button', { name: 'Choose this folder' }).click();
      await picker.waitFor({ state: 'detached' });
      assert.equal(await target.inputValue(), join(downloads, 'vm images', 'web.raw'));
      await dialog.getByText('A new file.').waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    });

    await step('an encrypted image is verified with its key; a key of another backup and a wrong password are said in the dialog', async () => {
      await page.getByRole('button', { name: rowName(db) }).click();
      await page.getByRole('heading', { name: /^vm\/101/ }).waitFor();
      await page.getByRole('button', { name: 'Verify drive-scsi0.img' }).click();
      const dialog = page.getByRole('dialog', { name: 'Verify drive-scsi0.img' });
      const other = join(await tempDir(), 'other.key.json');
      await writeFile(other, serializeKeyConfig(await createKeyConfig(randomBytes(32), { password: 'other' })));
      await dialog.getByLabel('Key file', { exact: true }).fill(other);
      await dialog.getByLabel('Key file password').fill('other');
      await dialog.getByRole('button', { name: 'Start verify' }).click();
      await dialog.getByTestId('key-error').getByText('This key file does not belong to this backup.').waitFor();
      await dialog.getByLabel('Key file', { exact: true }).fill(demo.keyFile);
      await dialog.getByLabel('Key file password').fill('not the password');
      await dialog.getByRole('button', { name: 'Start verify' }).click();
      await dialog.getByRole('alert').getByText('The key file password is wrong.').waitFor();
      await screenshots(page, 'verify-encrypted');
      await dialog.getByLabel('Key file password').fill(demo.keyPassword);
      await dialog.getByRole('button', { name: 'Start verify' }).click();
      await page.getByTestId('job-state').filter({ hasText: /succeeded$/ }).waitFor();
    });

    assert.deepEqual(problems, []);
  } finally {
    await session?.close();
    await served.stop();
  }
});
