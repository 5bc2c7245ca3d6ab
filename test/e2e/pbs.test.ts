// A PBS server as a source, through the page, against the PBS test server (self-signed
// certificate, API token): the fingerprint the server presented is shown for a trust-on-first-use
// decision, a wrong token secret is explained with the next step, then the source browses
// (namespaces, the guest config) and restores bit-exact; removing it asks first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { smallDemo } from '../helpers/demo.ts';
import { sha256File } from '../helpers/tmp.ts';
import { startPbsTestServer } from '../pbsServer/server.ts';
import { buildUi, openBrowser, screenshots, requireChromium, SKIP_WITHOUT_CHROMIUM, startServe, type BrowserSession } from './harness.ts';

const TOKEN = 'restore@pbs!console';
const SECRET = '6b8c0d1e-8d1f-6c2e-0b7a-4c559e3d2f4a';

test('a PBS server: trust its fingerprint on first use, fix a wrong secret, browse and restore', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 120_000 }, async () => {
  requireChromium(); // under CI, fail here at once rather than after the setup
  const demo = await smallDemo();
  const pbs = await startPbsTestServer({ datastore: demo.dir, tokens: { [TOKEN]: SECRET } });
  const uiDir = await buildUi();
  const served = await startServe({ uiDir });
  let session: BrowserSession | undefined;
  try {
    session = await openBrowser(served.url);
    const { page, problems } = session;
    // No sources yet: the app opens on Sources and says what to do.
    await page.getByRole('heading', { name: 'Sources', level: 1 }).waitFor();
    await page.getByText('No sources yet.').waitFor();

    await page.getByRole('radio', { name: 'PBS server' }).check();
    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(pbs.port));
    await page.getByLabel('Datastore', { exact: true }).fill(pbs.store);
    await page.getByLabel('Token ID').fill(TOKEN);
    await page.getByLabel('Token secret').fill('not-the-secret');
    await page.getByLabel('Name (optional)').fill('pbs-test');
    await page.getByRole('button', { name: 'Add source' }).click();

    // The certificate is self-signed: the page shows the fingerprint the server presented.
    const prompt = page.getByRole('dialog', { name: "Trust this server's certificate?" });
    await prompt.waitFor();
    assert.equal(await prompt.getByTestId('presented-fingerprint').textContent(), pbs.fingerprint);
    await screenshots(page, 'sources-fingerprint');
    await prompt.getByRole('button', { name: 'Trust this fingerprint' }).click();
    // Trusted: the next refusal is the wrong secret, with what to do, and the field holds the pin.
    const alert = page.getByRole('alert');
    await alert.getByText('The server refused the login.').waitFor();
    await alert.getByText('Check the user or API token and its secret.').waitFor();
    assert.equal(await page.getByLabel('Certificate fingerprint (optional)').inputValue(), pbs.fingerprint);

    await page.getByLabel('Token secret').fill(SECRET);
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.getByRole('heading', { name: 'Browse', level: 1 }).waitFor();
    // Namespaces come from the server, as a tree: lab/staging under lab.
    const tree = page.getByRole('navigation', { name: 'Namespaces' });
    await tree.getByRole('button', { name: /^staging/ }).waitFor();

    const a = demo.archives.filter((x) => x.id === '100' && x.archive === 'drive-scsi0.img.fidx').sort((x, y) => y.time - x.time)[0]!;
    const name = `vm/100 ${new Date(a.time * 1000).toISOString().slice(0, 19).replace('T', ' ')}`;
    await page.getByRole('button', { name }).click();
    await page.getByRole('complementary').getByText(/name: web01/).waitFor();
    await page.getByRole('button', { name: 'Restore drive-scsi0.img' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore vm/100' });
    const target = join(served.home, 'Downloads', 'from-pbs.raw');
    await dialog.getByLabel('Restore to').fill(target);
    await dialog.getByText('A new file.').waitFor();
    await dialog.getByRole('button', { name: 'Start restore' }).click();
    await page.getByTestId('job-state').filter({ hasText: /succeeded$/ }).waitFor();
    assert.equal(await sha256File(target), a.sha256);

    // Removing asks first, and says the backups stay.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Sources/ }).click();
    await page.getByRole('button', { name: 'Remove pbs-test' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove pbs-test?' });
    await confirm.getByText('The backups themselves are not touched.').waitFor();
    await confirm.getByRole('button', { name: 'Remove source' }).click();
    await page.getByText('No sources yet.').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await session?.close();
    await served.stop();
    await pbs.close();
  }
});
