// Jobs that end badly, through the page (issue 14, flows 3, 4 and 5): a restore whose index is
// damaged fails while opening, and the job page says so (not "Opening the archive…") → the index
// is repaired and Retry starts the same restore again, bit-exact → a cancelled restore is retried
// from the jobs list: it asks, deletes the partial file, and restores → a key file of another
// backup is refused in the restore dialog, under the key field, before any job starts; the right
// one restores, and its end is notified through the Notification API while the page is hidden.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { access, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { DemoArchive, DemoResult } from '../../electron/demo/demoDatastore.ts';
import { createKeyConfig, serializeKeyConfig } from '../../electron/pbs/keyFile.ts';
import { smallDemo, snapshotDir } from '../helpers/demo.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';
import { buildUi, openBrowser, screenshots, requireChromium, SKIP_WITHOUT_CHROMIUM, startServe, type BrowserSession, type Served, walkSteps } from './harness.ts';

/** Every chunk read waits this long: vm/100's 40 fetched chunks at concurrency 1 take ~8 s, time to cancel. */
const CHUNK_DELAY_MS = 200;

function newest(demo: DemoResult, id: string): DemoArchive {
  const all = demo.archives.filter((a) => a.id === id && a.archive === 'drive-scsi0.img.fidx' && a.ns === '').sort((a, b) => b.time - a.time);
  assert.ok(all[0]);
  return all[0];
}

const rowName = (a: DemoArchive): string => `${a.type}/${a.id} ${new Date(a.time * 1000).toISOString().slice(0, 19).replace('T', ' ')}`;

async function nav(page: Page, screen: 'Sources' | 'Browse' | 'Jobs'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${screen}`) }).click();
}

async function waitState(page: Page, state: string): Promise<void> {
  await page.getByTestId('job-state').filter({ hasText: new RegExp(`^\\W*${state}$`) }).waitFor();
}

/** Opens the restore dialog of `a` with this target at concurrency 1. */
async function restoreDialog(page: Page, a: DemoArchive, target: string) {
  await nav(page, 'Browse');
  await page.getByRole('button', { name: rowName(a) }).click();
  await page.getByRole('button', { name: `Restore ${a.archive.replace(/\.fidx$/, '')}` }).click();
  const dialog = page.getByRole('dialog', { name: `Restore ${a.type}/${a.id}` });
  await dialog.getByLabel('Restore to').fill(target);
  await dialog.getByText('A new file.').waitFor();
  await dialog.getByRole('slider', { name: 'Concurrency: chunks in flight' }).focus();
  await page.keyboard.press('Home');
  return dialog;
}

test('jobs that end badly: the failure shown, Retry, a cancelled restore retried, a wrong key caught in the dialog', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 240_000 }, async (t) => {
  requireChromium();
  const demo = await smallDemo();
  const web = newest(demo, '100');
  const db = newest(demo, '101');
  const index = join(snapshotDir(demo, web), web.archive);
  const good = await readFile(index);
  const uiDir = await buildUi();
  const served: Served = await startServe({ uiDir, chunkDelayMs: CHUNK_DELAY_MS, datastores: [demo.dir] });
  const downloads = join(served.home, 'Downloads');
  let session: BrowserSession | undefined;
  try {
    session = await openBrowser(served.url);
    const { page } = session;
    const step = walkSteps(t, page);

    const first = join(downloads, 'first.raw');
    await step('a restore that fails while opening its index says so, with Retry and the path', async () => {
      // The index's magic number damaged: the job fails before its first chunk.
      const fh = await open(index, 'r+');
      await fh.write(Buffer.from('XXXXXXXX'), 0, 8, 0);
      await fh.close();
      const dialog = await restoreDialog(page, web, first);
      await dialog.getByRole('button', { name: 'Start restore' }).click();
      await waitState(page, 'failed');
      await page.getByTestId('ended-early').getByText('It failed before any data was read: The archive index of this backup is damaged.').waitFor();
      await page.getByRole('alert').filter({ hasText: 'The job failed' }).getByText('Restore another snapshot, and run a verify job on the PBS server.').waitFor();
      assert.equal(await page.getByText('Opening the archive…').count(), 0);
      // Nothing was read: no empty chart or chunk map under the failure.
      assert.equal(await page.getByRole('heading', { name: 'Throughput and concurrency' }).count(), 0);
      assert.equal(await page.getByRole('heading', { name: /^Chunk map/ }).count(), 0);
      const actions = page.getByTestId('job-actions');
      await actions.getByRole('button', { name: 'Retry' }).waitFor();
      // Browser mode: where the target is, to copy (the page cannot open the service's folders).
      assert.equal(await actions.getByTestId('target-path').textContent(), first);
      await actions.getByRole('button', { name: 'Copy path' }).waitFor();
      await screenshots(page, 'job-failed-opening');
    });

    await step('Retry starts the same restore again: a new job, bit-exact', async () => {
      await writeFile(index, good);
      const failedUrl = page.url();
      await page.getByTestId('job-actions').getByRole('button', { name: 'Retry' }).click();
      await page.waitForURL((u) => u.href !== failedUrl);
      await waitState(page, 'succeeded');
      assert.equal(await sha256File(first), web.sha256);
    });

    const second = join(downloads, 'second.raw');
    await step('a cancelled restore is retried from the jobs list: it asks, deletes the partial file, restores', async () => {
      const dialog = await restoreDialog(page, web, second);
      await dialog.getByRole('button', { name: 'Start restore' }).click();
      await waitState(page, 'running');
      // A function, not a string: the page's CSP forbids eval.
      await page.waitForFunction(() => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document;
        return Number(doc.querySelector('[data-testid="done-bytes"]')?.getAttribute('data-value') ?? 0) > 0;
      });
      await page.getByRole('button', { name: 'Cancel restore' }).click();
      await page.getByRole('dialog', { name: 'Cancel this restore?' }).getByRole('button', { name: 'Cancel restore' }).click();
      await waitState(page, 'cancelled');
      await access(`${second}.partial`);
      await nav(page, 'Jobs');
      const row = page.getByRole('row').filter({ hasText: 'second.raw' });
      await row.getByRole('button', { name: /^Retry/ }).waitFor();
      await row.getByRole('button', { name: /^Resume/ }).waitFor();
      await row.getByRole('button', { name: /^Copy path/ }).waitFor();
      await screenshots(page, 'jobs-actions');
      await row.getByRole('button', { name: /^Retry/ }).click();
      const confirm = page.getByRole('dialog', { name: 'Retry from the beginning?' });
      await confirm.getByText(`${second}.partial`).waitFor();
      await screenshots(page, 'retry-confirm');
      await confirm.getByRole('button', { name: 'Delete partial file and retry' }).click();
      await waitState(page, 'succeeded');
      assert.equal(await sha256File(second), web.sha256);
    });

    await step('a key file of another backup is refused under the key field, before any job', async () => {
      const other = join(await tempDir(), 'other.key.json');
      await writeFile(other, serializeKeyConfig(await createKeyConfig(randomBytes(32), { password: 'other' })));
      await nav(page, 'Jobs');
      const jobsBefore = await page.getByRole('row').count();
      const dialog = await restoreDialog(page, db, join(downloads, 'db.raw'));
      const key = dialog.getByLabel('Key file', { exact: true });
      await key.fill(other);
      await dialog.getByLabel('Key file password').fill('other');
      await dialog.getByRole('button', { name: 'Start restore' }).click();
      await dialog.getByTestId('key-error').getByText('This key file does not belong to this backup.').waitFor();
      assert.equal(await key.getAttribute('aria-invalid'), 'true');
      assert.equal(await page.evaluate('document.activeElement?.id'), await key.getAttribute('id'), 'focus did not go to the key file');
      await screenshots(page, 'restore-wrong-key');
      // The demo's own key passes the check. While it restores, the page is "in the background":
      // the end is notified through the Notification API (recorded by a stand-in, permission given).
      await key.fill(demo.keyFile);
      await dialog.getByLabel('Key file password').fill(demo.keyPassword);
      await page.evaluate(() => {
        const g = globalThis as unknown as Record<string, unknown> & { document: object };
        const shown: Array<{ title: string; body: string }> = [];
        g.shownNotifications = shown;
        g.Notification = Object.assign(
          function Stand(this: object, title: string, o: { body: string }) {
            shown.push({ title, body: o.body });
          },
          { permission: 'granted' },
        );
        Object.defineProperty(g.document, 'hidden', { configurable: true, get: () => true });
      });
      await dialog.getByRole('button', { name: 'Start restore' }).click();
      await waitState(page, 'succeeded');
      const shown = await page.waitForFunction(() => {
        const list = (globalThis as unknown as { shownNotifications: Array<{ title: string }> }).shownNotifications;
        return list.length > 0 && list;
      });
      assert.deepEqual(
        ((await shown.jsonValue()) as Array<{ title: string }>).map((n) => n.title),
        ['Restore finished: drive-scsi0.img'],
      );
      await nav(page, 'Jobs');
      assert.equal(await page.getByRole('row').count(), jobsBefore + 1, 'the refused key started a job');
    });
  } finally {
    await session?.close();
    await served.stop();
  }
});
