// The built UI in a real browser through browser mode: the page keeps the token, passes its own
// CSP, lists the source over HTTP, starts a verify job and follows it to the end over Server-Sent
// Events. (The whole UI is driven end to end by test/e2e/.)
// Needs a Chromium (Debian: apt-get install chromium; or CHROMIUM_PATH) and the built UI
// (npm run build); skipped, saying why, when either is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startHttpServer } from '../../electron/server/httpServer.ts';
import { RestoreService } from '../../electron/service/service.ts';
import { buildRenderer } from '../../scripts/build.ts';
import { smallDemo } from '../helpers/demo.ts';
import { tempDir } from '../helpers/tmp.ts';
import { CHROMIUM, watchProblems } from '../e2e/harness.ts';

const chromiumPath = CHROMIUM;

test('the UI works in a browser over HTTP + SSE under its CSP', { skip: chromiumPath ? false : 'no Chromium installed', timeout: 120_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const dir = await tempDir('rc-browser-');
  await buildRenderer({ outDir: dir });
  const demo = await smallDemo();
  const service = await RestoreService.create({ dataDir: join(dir, 'data'), demo: false, datastores: [demo.dir], shell: 'browser' });
  const server = await startHttpServer({ service, staticDir: join(dir, 'renderer') });
  const browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox', '--headless', '--disable-gpu'] });
  const context = await browser.newContext({ timezoneId: 'UTC' });
  try {
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(server.url);
    await page.getByText('Browser mode').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('token'), null, 'the token stayed in the address bar');
    // The source is listed, its newest unencrypted image verifies over HTTP, the end comes over SSE.
    await page.getByRole('heading', { name: 'Browse', level: 1 }).waitFor();
    const newest = demo.archives.filter((a) => a.id === '100' && a.archive === 'drive-scsi0.img.fidx').sort((a, b) => b.time - a.time)[0]!;
    await page.getByRole('button', { name: `vm/100 ${new Date(newest.time * 1000).toISOString().slice(0, 19).replace('T', ' ')}` }).click();
    await page.getByRole('button', { name: 'Verify drive-scsi0.img' }).click();
    await page.getByTestId('job-state').filter({ hasText: /succeeded$/ }).waitFor();
    assert.match((await page.textContent('main')) ?? '', /Verified .* every chunk is intact/);
    // A reload finds the token kept by the page, and the job from the service.
    await page.reload();
    await page.getByTestId('job-state').filter({ hasText: /succeeded$/ }).waitFor();
    // Without the token (a new tab from the bare address), the page says what to do.
    const bare = await browser.newPage();
    await bare.goto(server.origin);
    await bare.getByText('restore-console serve').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await server.close();
    await service.close();
  }
});
