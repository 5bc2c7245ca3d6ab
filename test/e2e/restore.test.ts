// The restore console end to end, in Debian's Chromium against browser mode: `restore-console
// serve` started as a user starts it (small demo datastore, every chunk read slowed by a test hook
// so a restore can be steered), driven only through the page, the way a person would:
//   add a datastore folder as a source → browse to a snapshot (filter, encrypted config with the
//   key) → restore it: watch the counters rise, move the concurrency slider with the keyboard and
//   see the limit in force follow, pause, switch auto on and off, resume, cancel ("cancelled",
//   target partial) → restore another and check its SHA-256 against the demo's → refuse an
//   existing target → an encrypted restore, first with a wrong password (the error and the next
//   step are shown), then the right one → the jobs list, also after a restart of serve → resume
//   the cancelled restore after that restart, change its rate cap while it runs, and check the
//   SHA-256 of the result → the settings screen (default and global rate caps).
// Screenshots of each main screen, light and dark, go to test-output/screenshots/.
// Every wait is on what the page shows (playwright's auto-waiting locators and waitForFunction).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { DemoArchive, DemoResult } from '../../electron/demo/demoDatastore.ts';
import { smallDemo } from '../helpers/demo.ts';
import { sha256File } from '../helpers/tmp.ts';
import { buildUi, openBrowser, screenshots, SCREENSHOTS, requireChromium, SKIP_WITHOUT_CHROMIUM, startServe, type BrowserSession, type Served, walkSteps } from './harness.ts';

/**
 * Every chunk read waits this long. vm/100's small image has 40 chunks to fetch (25 are zero and
 * never fetched): at concurrency 1 or 2 that is 10–20 s, ample time to steer it on a loaded
 * machine; at 16 the other restores take a second or two.
 */
const CHUNK_DELAY_MS = 500;

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

/**
 * An unattached loop device (capacity 0), to see the block-device confirmation with no risk: a
 * device smaller than the image cannot be confirmed, and the engine would refuse it too.
 */
async function emptyLoopDevice(): Promise<string | undefined> {
  for (const name of await readdir('/sys/block').catch(() => [] as string[])) {
    if (!/^loop\d+$/.test(name)) continue;
    const size = Number((await readFile(`/sys/block/${name}/size`, 'utf8').catch(() => 'x')).trim());
    if (size === 0 && (await stat(`/dev/${name}`).catch(() => undefined))?.isBlockDevice()) return `/dev/${name}`;
  }
  return undefined;
}

function newest(demo: DemoResult, id: string, archive = 'drive-scsi0.img.fidx'): DemoArchive {
  const all = demo.archives.filter((a) => a.id === id && a.archive === archive && a.ns === '').sort((a, b) => b.time - a.time);
  assert.ok(all[0]);
  return all[0];
}

/** The snapshot row button's name, as the page writes the time (UTC in this browser context). */
const rowName = (a: DemoArchive): string => `${a.type}/${a.id} ${new Date(a.time * 1000).toISOString().slice(0, 19).replace('T', ' ')}`;

/**
 * Records, in the page, every value the job view's counters take (a MutationObserver on their
 * data-value attributes), so the test can check afterwards that none ever went backwards.
 */
const COUNTER_RECORDER = `(() => {
  const ids = ['done-bytes', 'done-chunks', 'source-bytes'];
  window.__counters = Object.fromEntries(ids.map((id) => [id, []]));
  const record = () => {
    for (const id of ids) {
      const el = document.querySelector('[data-testid="' + id + '"]');
      if (!el) continue;
      const v = Number(el.getAttribute('data-value'));
      const seen = window.__counters[id];
      if (seen[seen.length - 1] !== v) seen.push(v);
    }
  };
  window.__counterObserver?.disconnect();
  window.__counterObserver = new MutationObserver(record);
  window.__counterObserver.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-value'] });
  record();
})()`;

async function recordedCounters(page: Page): Promise<Record<string, number[]>> {
  return (await page.evaluate('window.__counters')) as Record<string, number[]>;
}

/** Waits until the job view's counter `testid` shows more than `min`; returns the value seen. */
async function counterAbove(page: Page, testid: string, min: number): Promise<number> {
  // A function, not a string: the page's CSP forbids eval, which string predicates need.
  const handle = await page.waitForFunction(
    ([id, above]) => {
      const el = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document.querySelector(`[data-testid="${id}"]`);
      const v = Number(el?.getAttribute('data-value') ?? -1);
      return v > Number(above) ? v : false;
    },
    [testid, min] as const,
  );
  return Number(await handle.jsonValue());
}

/** Waits until an input's value is `value` (React may apply it a moment after the key press). */
async function valueIs(page: Page, input: Locator, value: string): Promise<void> {
  const handle = await input.elementHandle();
  await page.waitForFunction(([el, v]) => (el as unknown as { value: string }).value === v, [handle, value] as const);
}

async function counter(page: Page, testid: string): Promise<number> {
  return Number(await page.getByTestId(testid).getAttribute('data-value'));
}

/** Goes to a screen through the sidebar. */
async function nav(page: Page, screen: 'Sources' | 'Browse' | 'Jobs' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${screen}`) }).click();
}

async function waitState(page: Page, state: string): Promise<void> {
  await page.getByTestId('job-state').filter({ hasText: new RegExp(`^\\W*${state}$`) }).waitFor();
}

async function openSnapshot(page: Page, a: DemoArchive): Promise<void> {
  await nav(page, 'Browse');
  await page.getByRole('button', { name: rowName(a) }).click();
  await page.getByRole('heading', { name: new RegExp(`^${a.type}/${a.id}`) }).waitFor();
}

/** Opens the restore dialog for the image `a`; returns the dialog. */
async function openRestore(page: Page, a: DemoArchive) {
  await openSnapshot(page, a);
  await page.getByRole('button', { name: `Restore ${a.archive.replace(/\.fidx$/, '')}` }).click();
  const dialog = page.getByRole('dialog', { name: `Restore ${a.type}/${a.id}` });
  await dialog.waitFor();
  return dialog;
}

test('the restore console in a browser: sources, browse, restore, steer, cancel, errors, history', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 240_000 }, async (t) => {
  requireChromium(); // under CI, fail here at once rather than after the setup
  await rm(join(SCREENSHOTS, 'failure.png'), { force: true });
  const demo = await smallDemo();
  const uiDir = await buildUi();
  let served: Served = await startServe({ uiDir, chunkDelayMs: CHUNK_DELAY_MS, demo: true });
  let session: BrowserSession | undefined;
  try {
    session = await openBrowser(served.url);
    const { page, problems } = session;
    const downloads = join(served.home, 'Downloads');
    const web = newest(demo, '100');
    const webOlder = demo.archives.filter((a) => a.id === '100' && a.archive === web.archive).sort((a, b) => a.time - b.time)[1]!;
    const db = newest(demo, '101');
    let targetA = '';
    const loop = await emptyLoopDevice();
    // Steps build on each other: after a failure the rest are skipped, not failed again.
    const step = walkSteps(t, page, 'failure.png');

    await step('opens with the token, forgets it from the address, offers the demo with its key', async () => {
      await nav(page, 'Sources');
      await page.getByRole('heading', { name: 'Sources', level: 1 }).waitFor();
      assert.equal(new URL(page.url()).searchParams.get('token'), null, 'the token stayed in the address bar');
      // The demo datastore (generated by serve on this first start) shows its key file and password.
      const demoCard = page.getByRole('listitem').filter({ hasText: 'Demo datastore' });
      await demoCard.getByText('restore-console-demo').waitFor();
      await demoCard.getByText(/store\.key\.json/).waitFor();
    });

    await step('adds a datastore folder through the form (test, then add)', async () => {
      await page.getByRole('textbox', { name: 'Datastore folder' }).fill(demo.dir);
      await page.getByLabel('Name (optional)').fill('USB store');
      await page.getByRole('button', { name: 'Test', exact: true }).click();
      await page.getByText(`Reachable: ${demo.dir}`).waitFor();
      await page.getByRole('button', { name: 'Add source' }).click();
      // Adding goes to Browse with the new source selected.
      await page.getByRole('heading', { name: 'Browse', level: 1 }).waitFor();
      await page.getByLabel('Source', { exact: true }).locator('option:checked', { hasText: 'USB store' }).waitFor({ state: 'attached' });
      await nav(page, 'Sources');
      await page.getByRole('heading', { name: 'USB store' }).waitFor();
      await screenshots(page, 'sources');
    });

    await step('browses to snapshots: facts, filter, the encrypted config with the key', async () => {
      await page.getByRole('button', { name: 'Browse USB store' }).click();
      await page.getByRole('heading', { name: 'Browse', level: 1 }).waitFor();
      // The filter narrows groups and snapshots.
      const filter = page.getByRole('searchbox', { name: 'Filter backups' });
      await filter.fill('database');
      await page.getByRole('button', { name: rowName(db) }).waitFor();
      assert.equal(await page.getByRole('button', { name: rowName(web) }).count(), 0, 'the filter kept vm/100');
      await filter.fill('');
      // The oldest vm/100 snapshot is protected and verified.
      const oldest = demo.archives.filter((a) => a.id === '100' && a.archive === web.archive).sort((a, b) => a.time - b.time)[0]!;
      const oldestRow = page.getByRole('row').filter({ has: page.getByRole('button', { name: rowName(oldest) }) });
      await oldestRow.getByText('protected').waitFor();
      await oldestRow.getByText('ok').waitFor();
      // The encrypted VM: its config needs the key; a wrong password says so, the right one shows it.
      await openSnapshot(page, db);
      const detail = page.getByRole('complementary');
      await detail.getByText('before PostgreSQL 17 upgrade').first().waitFor();
      await detail.getByLabel('Key file', { exact: true }).fill(demo.keyFile);
      await detail.getByLabel('Key file password').fill('not-the-password');
      await detail.getByRole('button', { name: 'Show config' }).click();
      await detail.getByText('The key file password is wrong.').waitFor();
      await detail.getByLabel('Key file password').fill(demo.keyPassword);
      await detail.getByRole('button', { name: 'Show config' }).click();
      await detail.getByText(/name: db01/).waitFor();
      // vm/100: verified, with its config as text, for the screenshot.
      await openSnapshot(page, web);
      await detail.getByText(/name: web01/).waitFor();
      await screenshots(page, 'browse');
    });

    await step('restores: counters rise, the keyboard slider sets the limit in force, pause, auto, resume, cancel', async () => {
      const dialog = await openRestore(page, web);
      // The suggested target: <vmid>-<disk>-<snapshot date>.raw in ~/Downloads.
      const target = dialog.getByLabel('Restore to');
      await valueIs(page, target, join(downloads, '100-drive-scsi0-2026-01-14.raw'));
      await dialog.getByText('A new file.').waitFor();
      // Concurrency 2, set with the keyboard: Home (1), then one step right.
      const slider = dialog.getByRole('slider', { name: 'Concurrency: chunks in flight' });
      await slider.focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowRight');
      await valueIs(page, slider, '2');
      await screenshots(page, 'restore-dialog');
      targetA = await target.inputValue();
      await dialog.getByRole('button', { name: 'Start restore' }).click();

      await waitState(page, 'running');
      await page.evaluate(COUNTER_RECORDER);
      await page.getByTestId('effective').filter({ hasText: /^2$/ }).waitFor();
      const first = await counterAbove(page, 'done-chunks', 0);
      await counterAbove(page, 'done-chunks', first);

      // Down to 1 with the arrow key: requested at once, and the engine's limit follows.
      const live = page.getByRole('slider', { name: 'Concurrency', exact: true });
      await live.focus();
      await page.keyboard.press('ArrowLeft');
      await page.getByTestId('requested').filter({ hasText: /^1$/ }).waitFor();
      await page.getByTestId('effective').filter({ hasText: /^1$/ }).waitFor();
      await page.getByTestId('in-flight').filter({ hasText: /of 1 ·/ }).waitFor();
      // The speed now and the average apart; the chunk map says what a cell shows.
      await page.getByTestId('average-speed').filter({ hasText: /B\/s$/ }).waitFor();
      await page.getByTestId('cell-rule').filter({ hasText: '1 cell = 1 chunk' }).waitFor();
      // The chart's readout, from the keyboard: one moment in words.
      await page.getByTestId('throughput-chart').focus();
      await page.keyboard.press('End');
      await page.getByTestId('chart-readout').filter({ hasText: /s · throughput .* · source .* · limit \d+ chunks? in flight · rate cap none/ }).waitFor();
      await screenshots(page, 'job-running');

      // Pause: the chunks in flight finish, then nothing is in flight.
      await page.getByRole('button', { name: 'Pause' }).click();
      await waitState(page, 'paused');
      await page.getByTestId('in-flight').filter({ hasText: /^0 of/ }).waitFor();
      await page.getByTestId('eta').filter({ hasText: 'paused' }).waitFor();
      // The speed now reads "paused", not the last value.
      await page.getByTestId('speed').filter({ hasText: /^paused$/ }).waitFor();
      // Auto on and off while paused (so the job does not race ahead): the slider gives way to
      // the tuner, then takes over again and goes back to 1 with the Home key.
      const auto = page.getByRole('checkbox', { name: 'Auto' });
      await auto.check();
      await page.getByTestId('requested').filter({ hasText: /^auto$/ }).waitFor();
      // The engine reports the limit as the tuner's (progress.auto) once the service applied it.
      await page.locator('[data-testid="concurrency-state"][data-tuned="true"]').waitFor();
      assert.equal(await live.isDisabled(), true, 'the slider stays enabled under auto');
      await auto.uncheck();
      await page.getByTestId('requested').filter({ hasText: /^\d+$/ }).waitFor();
      await page.locator('[data-testid="concurrency-state"][data-tuned="false"]').waitFor();
      await live.focus();
      await page.keyboard.press('Home');
      await page.getByTestId('requested').filter({ hasText: /^1$/ }).waitFor();
      await page.getByTestId('effective').filter({ hasText: /^1$/ }).waitFor();

      // Resume: counters rise again.
      const atResume = await counter(page, 'done-chunks');
      await page.getByRole('button', { name: 'Resume' }).click();
      await waitState(page, 'running');
      await counterAbove(page, 'done-chunks', atResume);

      // Cancel, after a confirmation that says the target stays partial.
      await page.getByRole('button', { name: 'Cancel restore' }).click();
      const confirm = page.getByRole('dialog', { name: 'Cancel this restore?' });
      await confirm.getByText(`${targetA}.partial`).waitFor();
      await confirm.getByRole('button', { name: 'Cancel restore' }).click();
      await waitState(page, 'cancelled');
      await page.getByTestId('outcome').getByText('The target is partial').waitFor();
      await page.getByTestId('outcome').getByText(`${targetA}.partial`).waitFor();
      assert.equal(await exists(`${targetA}.partial`), true, 'the partial file is missing');
      assert.equal(await exists(targetA), false, 'a cancelled restore left a complete-looking target');
      const done = await counter(page, 'done-chunks');
      assert.ok(done < web.chunks, `the cancelled job claims ${done} of ${web.chunks} chunks`);

      // The counters never went backwards.
      for (const [id, seen] of Object.entries(await recordedCounters(page))) {
        assert.ok(seen.length >= 3, `${id}: only ${seen.length} values seen`);
        for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!, `${id} went backwards: ${seen.join(', ')}`);
      }
      await screenshots(page, 'job-cancelled');
    });

    await step('refuses an existing target with the next step, then restores bit-exact', async () => {
      const existing = join(downloads, 'existing.raw');
      await writeFile(existing, 'keep me');
      const dialog = await openRestore(page, webOlder);
      await dialog.getByLabel('Restore to').fill(existing);
      await dialog.getByText('This file exists').waitFor();
      await dialog.getByRole('button', { name: 'Start restore' }).click();
      await dialog.getByRole('alert').getByText('The target already exists.').waitFor();
      await dialog.getByRole('alert').getByText('Choose another file or allow overwriting.').waitFor();
      const target = join(downloads, 'web01-older.raw');
      await dialog.getByLabel('Restore to').fill(target);
      await dialog.getByText('A new file.').waitFor();
      await dialog.getByRole('button', { name: 'Start restore' }).click();
      await waitState(page, 'succeeded');
      await page.getByTestId('outcome').getByText(/Average .* · peak .* zero chunks/).waitFor();
      await page.getByTestId('done-chunks').filter({ hasText: `${webOlder.chunks} of ${webOlder.chunks}` }).waitFor();
      assert.equal(await sha256File(target), webOlder.sha256);
      assert.equal(await sha256File(existing), (await import('node:crypto')).createHash('sha256').update('keep me').digest('hex'));
      await screenshots(page, 'job-succeeded');
    });

    await step(
      'a block device target is named with its capacity; one smaller than the image cannot be confirmed',
      async () => {
        const dialog = await openRestore(page, web);
        await dialog.getByLabel('Restore to').fill(loop!);
        await dialog.getByText(`${loop} is a block device of 0 B.`).waitFor();
        await dialog.getByText('It is smaller than the image: choose a device').waitFor();
        assert.equal(await dialog.getByRole('button', { name: `Overwrite ${loop}` }).isDisabled(), true);
        assert.equal(await dialog.getByRole('checkbox', { name: new RegExp(`Overwrite ${loop}`) }).count(), 0);
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
      },
      loop ? false : 'no unattached loop device here (/dev/loopN of size 0)',
    );

    await step('encrypted: a wrong key password is refused before starting, the right one restores', async () => {
      const dialog = await openRestore(page, db);
      await dialog.getByLabel('Key file', { exact: true }).fill(demo.keyFile);
      const password = dialog.getByLabel('Key file password');
      await password.fill('wrong password');
      const slider = dialog.getByRole('slider', { name: 'Concurrency: chunks in flight' });
      await slider.focus();
      await page.keyboard.press('End');
      await valueIs(page, slider, '64');
      await dialog.getByRole('button', { name: 'Start restore' }).click();
      const alert = dialog.getByRole('alert');
      await alert.getByText('The key file password is wrong.').waitFor();
      await alert.getByText('Check the key file password and try again.').waitFor();
      assert.equal(await page.evaluate('document.activeElement?.id'), await password.getAttribute('id'), 'focus did not go back to the password');
      await screenshots(page, 'restore-wrong-password');
      await password.fill(demo.keyPassword);
      const target = join(downloads, '101-drive-scsi0-2026-01-14.raw');
      await valueIs(page, dialog.getByLabel('Restore to'), target);
      await dialog.getByRole('button', { name: 'Start restore' }).click();
      await waitState(page, 'succeeded');
      assert.equal(await sha256File(target), db.sha256);
    });

    await step('the jobs list shows every job with its result, also after serve restarts', async () => {
      await nav(page, 'Jobs');
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
      const rows = page.getByRole('table').getByRole('row');
      await rows.filter({ hasText: 'cancelled' }).filter({ hasText: 'target partial' }).waitFor();
      await rows.filter({ hasText: 'succeeded' }).filter({ hasText: /avg .* peak/ }).first().waitFor();
      assert.equal(await rows.filter({ hasText: 'succeeded' }).count(), 2);
      await screenshots(page, 'jobs');

      // Leave the page first: while serve is down on purpose, its reconnecting event stream would
      // log refused connections (a slow restart on a loaded machine takes longer than one retry).
      await page.goto('about:blank');
      await served.stop();
      served = await startServe({ uiDir, chunkDelayMs: CHUNK_DELAY_MS, demo: true, after: served });
      await page.goto(served.url);
      await nav(page, 'Jobs');
      await rows.filter({ hasText: 'cancelled' }).waitFor();
      assert.equal(await rows.filter({ hasText: 'succeeded' }).count(), 2);
      // The log of a finished job is kept with it.
      await rows.filter({ hasText: 'cancelled' }).getByRole('link').click();
      await page.getByRole('list', { name: 'Job log' }).getByText('cancelling').waitFor();
    });

    await step('after the restart the cancelled restore resumes bit-exact; its rate cap changes while it runs', async () => {
      // The cancelled job's view (opened from the list above) offers to resume it.
      await waitState(page, 'cancelled');
      // Its chart and chunk map were kept with it across the restart.
      await page.getByTestId('cell-rule').filter({ hasText: '1 cell = 1 chunk' }).waitFor();
      await page.getByTestId('throughput-chart').focus();
      await page.keyboard.press('End');
      await page.getByTestId('chart-readout').filter({ hasText: /limit 1 chunk in flight/ }).waitFor();
      await page.getByTestId('outcome').getByRole('button', { name: 'Delete partial file' }).waitFor();
      await page.getByTestId('outcome').getByRole('button', { name: 'Resume' }).click();
      await waitState(page, 'running');
      // What the cancelled run wrote is counted apart, never as speed.
      assert.ok((await counter(page, 'resumed-bytes')) > 0, 'nothing resumed');
      const cap = page.getByRole('textbox', { name: 'Rate cap' });
      await cap.fill('20MB');
      await cap.press('Enter');
      await page.getByTestId('rate-in-force').filter({ hasText: /^20(\.0)? MB\/s$/ }).waitFor();
      await page.getByRole('list', { name: 'Job log' }).getByText('rate cap set to 20.0 MB/s').waitFor();
      // Faster to the end: the highest concurrency (End key).
      await page.getByRole('slider', { name: 'Concurrency', exact: true }).focus();
      await page.keyboard.press('End');
      await waitState(page, 'succeeded');
      assert.equal(await sha256File(targetA), web.sha256);
      assert.equal(await exists(`${targetA}.partial`), false);
      assert.equal(await exists(`${targetA}.partial.state`), false);
      await screenshots(page, 'job-resumed');
    });

    await step('settings: a default rate cap for new restores and one for all jobs', async () => {
      await nav(page, 'Settings');
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      const perJob = page.getByRole('textbox', { name: 'Rate cap of a new restore' });
      await perJob.fill('fast');
      await perJob.press('Enter');
      await page.getByText('Not a rate: write e.g. 50MB').waitFor();
      await perJob.fill('50MB');
      await perJob.press('Enter');
      await page.getByText('Not a rate: write e.g. 50MB').waitFor({ state: 'detached' });
      const all = page.getByRole('textbox', { name: 'Rate cap for all running jobs' });
      await all.fill('1GiB');
      await all.press('Enter');
      // Saved by the service (bytes per second): the field shows it back in the units it was typed in.
      await valueIs(page, all, '1GiB');
      await screenshots(page, 'settings');
      const dialog = await openRestore(page, webOlder);
      await valueIs(page, dialog.getByLabel('Rate cap'), '50MB');
      await dialog.getByText('Command line equivalent').click();
      await dialog.getByText(/--rate 50MB/).waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    });

    assert.deepEqual(problems, []);
  } finally {
    await session?.close();
    await served.stop();
  }
});
