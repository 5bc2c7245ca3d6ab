// What the end-to-end tests share: Debian's Chromium (or CHROMIUM_PATH) driven by playwright-core,
// the UI built into a temporary folder, and `restore-console serve` started as a user starts it,
// its address read from stdout. Serve runs with test hooks only the tests set
// (electron/service/testHooks.ts): a per-chunk delay, so a restore of the small demo runs long
// enough to be steered from the page on a loaded machine, and a small-scale demo datastore.
//
// Without Chromium the tests skip with a message on a developer's machine, and fail under CI
// (env CI set), where Chromium must be installed (.ci/run installs it).
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildRenderer } from '../../scripts/build.ts';
import { BIN } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

export const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));

/** The `skip` option of an e2e test: a reason off CI without Chromium, else false (CI then fails in requireChromium). */
export const SKIP_WITHOUT_CHROMIUM: string | false =
  CHROMIUM || process.env.CI ? false : 'Chromium not found (apt-get install chromium, or set CHROMIUM_PATH): the browser end-to-end tests are skipped';

export function requireChromium(): string {
  assert.ok(CHROMIUM, 'Chromium is required for the end-to-end tests under CI: apt-get install -y chromium (or set CHROMIUM_PATH)');
  return CHROMIUM;
}

export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

/** Builds the UI once per test file into a temporary folder; returns the folder serve should use. */
export async function buildUi(): Promise<string> {
  const out = await tempDir('rc-e2e-ui-');
  await buildRenderer({ outDir: out });
  return join(out, 'renderer');
}

export interface Served {
  url: string;
  dataDir: string;
  home: string;
  /** Everything serve wrote to stderr so far (its log). */
  stderr(): string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  uiDir: string;
  /** Milliseconds every chunk read waits (RESTORE_CONSOLE_TEST_CHUNK_DELAY_MS). */
  chunkDelayMs?: number;
  /** Generate the small demo datastore on first start (else --no-demo). */
  demo?: boolean;
  datastores?: string[];
  /** Start again on the data folder (and home) of an earlier serve: a restart. */
  after?: Served;
  /** Start as a user does, without --port: the port of the last start when it is free. Default: --port 0. */
  keptPort?: boolean;
  /** More arguments for serve (--new-token). */
  args?: string[];
}

export async function startServe(o: ServeOptions): Promise<Served> {
  const root = o.after ? undefined : await tempDir('rc-e2e-serve-');
  const home = o.after?.home ?? join(root!, 'home');
  const dataDir = o.after?.dataDir ?? join(root!, 'data');
  // A home of its own: the suggested restore folder (~/Downloads) lands in the test's folder.
  await mkdir(join(home, 'Downloads'), { recursive: true });
  const args = [
    BIN,
    'serve',
    ...(o.keptPort ? [] : ['--port', '0']),
    '--data',
    dataDir,
    ...(o.demo ? [] : ['--no-demo']),
    ...(o.datastores ?? []).flatMap((d) => ['--datastore', d]),
    ...(o.args ?? []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      RESTORE_CONSOLE_TEST_UI_DIR: o.uiDir,
      ...(o.chunkDelayMs ? { RESTORE_CONSOLE_TEST_CHUNK_DELAY_MS: String(o.chunkDelayMs) } : {}),
      ...(o.demo ? { RESTORE_CONSOLE_TEST_DEMO_SCALE: 'small' } : {}),
    },
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      const m = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`serve exited early:\n${stdout}${stderr}`)));
  });
  return {
    url,
    dataDir,
    home,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await exited;
      assert.equal(code, 0, `serve did not stop cleanly:\n${stderr.slice(-2000)}`);
    },
  };
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and warnings, page errors and failed responses seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Collects the page's console errors and warnings, page errors and failed responses from now on. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${new URL(r.url()).pathname}`);
  });
  return problems;
}

export async function openBrowser(url: string): Promise<BrowserSession> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: requireChromium(),
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  // A fixed zone and size: times and screenshots read the same on every machine.
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, timezoneId: 'UTC', colorScheme: 'light', locale: 'en-US' });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(url);
  return { browser, context, page, problems, close: () => browser.close() };
}

/** Resolves after two animation frames (canvases draw in the frame after a change). */
export async function nextFrames(page: Page): Promise<void> {
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
}

/** Saves the page in light and dark as test-output/screenshots/<name>-light.png and -dark.png. */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const paths: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // Two frames: the canvases redraw on the colour-scheme change in the next animation frame.
    await nextFrames(page);
    const path = join(SCREENSHOTS, `${name}-${scheme}.png`);
    await page.screenshot({ path, fullPage: true });
    paths.push(path);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return paths;
}

/**
 * The steps of one browser walk, as subtests: each builds on the ones before, so after a failure
 * the rest are skipped; with `failureShot` the page at the failure is saved under that name in
 * SCREENSHOTS. `skip` on a step skips it alone.
 */
export function walkSteps(t: TestContext, page: Page, failureShot?: string) {
  let failed = false;
  return (name: string, fn: () => Promise<void>, skip: string | false = false) =>
    t.test(name, { skip: failed ? 'an earlier step failed' : skip }, async () => {
      try {
        await fn();
      } catch (e) {
        failed = true;
        if (failureShot) await page.screenshot({ path: join(SCREENSHOTS, failureShot), fullPage: true }).catch(() => {});
        throw e;
      }
    });
}
