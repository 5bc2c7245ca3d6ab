// Builds the desktop app into out/:
//   out/main/index.mjs          Electron main process (ESM), electron/main/index.ts + everything it imports
//   out/preload/index.cjs       the preload, ONE CommonJS file (a sandboxed preload cannot require files)
//   out/worker/decodeWorker.mjs the decode worker (worker_threads), its own entry; unpacked from
//                               the asar archive when packaged (electron-builder.yml asarUnpack)
//   out/renderer/               the React UI, built by vite (relative asset paths, so the same build
//                               serves restore-console://app/ and browser mode's http://127.0.0.1)
//   out/cli/                    the command line's own bundles (scripts/buildRuntime.ts)
// Usage: node scripts/build.ts [--skip-renderer] [--skip-electron] [--dev]   (npm run build)
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild, type BuildOptions } from 'esbuild';
import { build as viteBuild } from 'vite';
import { buildRuntime } from './buildRuntime.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OUT = join(ROOT, 'out');

/** Node inside Electron 45; the main process and the worker run there. */
const NODE_TARGET = 'node22';

// Bundled CommonJS dependencies (undici) call require(); ESM output has none of its own.
const REQUIRE_SHIM = "import { createRequire as __rcCreateRequire } from 'node:module'; const require = __rcCreateRequire(import.meta.url);";

export interface BuildFlags {
  /** Default out/ of the checkout. */
  outDir?: string;
  renderer?: boolean;
  electron?: boolean;
  /** Unminified, inline source maps. */
  dev?: boolean;
}

export async function buildElectron(flags: BuildFlags = {}): Promise<void> {
  const out = flags.outDir ?? OUT;
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    sourcemap: flags.dev ? 'inline' : 'linked',
    minify: !flags.dev,
    legalComments: 'linked',
    logLevel: 'warning',
    absWorkingDir: ROOT,
  };
  for (const dir of ['main', 'preload', 'worker']) await rm(join(out, dir), { recursive: true, force: true });
  await Promise.all([
    esbuild({
      ...common,
      entryPoints: ['electron/main/index.ts'],
      outfile: join(out, 'main', 'index.mjs'),
      format: 'esm',
      target: NODE_TARGET,
      external: ['electron'],
      banner: { js: REQUIRE_SHIM },
    }),
    esbuild({
      ...common,
      entryPoints: ['electron/preload/index.ts'],
      outfile: join(out, 'preload', 'index.cjs'),
      format: 'cjs',
      target: 'chrome130',
      external: ['electron'],
    }),
    esbuild({
      ...common,
      entryPoints: ['electron/engine/decodeWorker.ts'],
      outfile: join(out, 'worker', 'decodeWorker.mjs'),
      format: 'esm',
      target: NODE_TARGET,
      banner: { js: REQUIRE_SHIM },
    }),
  ]);
}

export async function buildRenderer(flags: BuildFlags = {}): Promise<void> {
  await viteBuild({
    configFile: false,
    root: join(ROOT, 'renderer'),
    base: './',
    logLevel: 'warn',
    mode: flags.dev ? 'development' : 'production',
    build: {
      outDir: join(flags.outDir ?? OUT, 'renderer'),
      emptyOutDir: true,
      sourcemap: true,
      target: 'chrome130',
      // Inline scripts would need 'unsafe-inline' in the CSP; keep everything in files.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
    },
  });
}

export async function buildAll(flags: BuildFlags = {}): Promise<void> {
  const jobs: Array<Promise<void>> = [];
  if (flags.electron !== false) jobs.push(buildElectron(flags), buildRuntime(join(flags.outDir ?? OUT, 'cli')).then(() => {}));
  if (flags.renderer !== false) jobs.push(buildRenderer(flags));
  await Promise.all(jobs);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = new Set(process.argv.slice(2));
  const started = performance.now();
  await buildAll({ renderer: !args.has('--skip-renderer'), electron: !args.has('--skip-electron'), dev: args.has('--dev') });
  process.stdout.write(`built into ${OUT} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
