// TEST HOOKS for the end-to-end tests (test/e2e/): read from the environment by `restore-console
// serve` only, never set in normal use, not in any usage text. Each one that is active is named on
// stderr at start, so it can never be on silently.
//
//   RESTORE_CONSOLE_TEST_CHUNK_DELAY_MS=N   every chunk read waits N ms first, so a small demo
//                                           restore runs long enough to be steered from a browser
//                                           on a loaded machine (the latency a slow disk or WAN adds)
//   RESTORE_CONSOLE_TEST_DEMO_SCALE=small   a first start generates the 4 MiB demo, not the full one
//   RESTORE_CONSOLE_TEST_UI_DIR=DIR         serve the UI built into DIR instead of out/renderer
import { withChunkDelay as delayChunks } from '../source/delayedSource.ts';
import type { DemoScale } from '../demo/demoDatastore.ts';
import { openSource, type SourceOpener } from './openSource.ts';

export interface TestHooks {
  openSource?: SourceOpener;
  demoScale?: DemoScale;
  uiDir?: string;
  /** One line per active hook, for stderr. */
  active: string[];
}

export function testHooksFromEnv(env: NodeJS.ProcessEnv): TestHooks {
  const hooks: TestHooks = { active: [] };
  const delay = env.RESTORE_CONSOLE_TEST_CHUNK_DELAY_MS;
  if (delay) {
    const ms = Number(delay);
    if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) throw new Error(`RESTORE_CONSOLE_TEST_CHUNK_DELAY_MS must be 0-60000, got ${JSON.stringify(delay)}`);
    hooks.openSource = withChunkDelay(openSource, ms);
    hooks.active.push(`every chunk read is delayed by ${ms} ms (RESTORE_CONSOLE_TEST_CHUNK_DELAY_MS)`);
  }
  if (env.RESTORE_CONSOLE_TEST_DEMO_SCALE === 'small') {
    hooks.demoScale = 'small';
    hooks.active.push('the demo datastore is generated at small scale (RESTORE_CONSOLE_TEST_DEMO_SCALE)');
  }
  if (env.RESTORE_CONSOLE_TEST_UI_DIR) {
    hooks.uiDir = env.RESTORE_CONSOLE_TEST_UI_DIR;
    hooks.active.push(`the UI is served from ${hooks.uiDir} (RESTORE_CONSOLE_TEST_UI_DIR)`);
  }
  return hooks;
}

/** Opens sources as `opener` does, with every chunk read waiting `ms` first (abortable). */
export function withChunkDelay(opener: SourceOpener, ms: number): SourceOpener {
  return async (config) => {
    const opened = await opener(config);
    return { ...opened, source: delayChunks(opened.source, ms) };
  };
}
