// The built UI in a real browser through browser mode: the page keeps the token, passes its own
// CSP, lists the source over HTTP, starts a job and follows it to the end over Server-Sent Events.
// Needs a Chromium (Debian: apt-get install chromium; or CHROMIUM_PATH) and the built UI
// (npm run build); skipped, saying why, when either is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startHttpServer } from '../../electron/server/httpServer.ts';
import { RestoreService } from '../../electron/service/service.ts';
import { buildRenderer } from '../../scripts/build.ts';
import { smallDemo } from '../helpers/demo.ts';
import { tempDir } from '../helpers/tmp.ts';

const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));

test('the UI works in a browser over HTTP + SSE under its CSP', { skip: chromiumPath ? false : 'no Chromium installed', timeout: 120_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const dir = await tempDir('rc-browser-');
  await buildRenderer({ outDir: dir });
  const demo = await smallDemo();
  const service = await RestoreService.create({ dataDir: join(dir, 'data'), demo: false, datastores: [demo.dir], shell: 'browser' });
  const server = await startHttpServer({ service, staticDir: join(dir, 'renderer') });
  const browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${new URL(r.url()).pathname}`);
    });
    await page.goto(server.url);
    await page.getByText('Browser mode').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('token'), null, 'the token stayed in the address bar');
    await page.getByRole('cell', { name: 'store', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Verify newest image' }).click();
    await page.getByRole('cell', { name: 'succeeded', exact: true }).waitFor();
    assert.match((await page.textContent('main')) ?? '', /verified .* every chunk ok/);
    // A reload finds the token kept by the page, and the history from the service.
    await page.reload();
    await page.getByRole('cell', { name: 'succeeded', exact: true }).waitFor();
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
