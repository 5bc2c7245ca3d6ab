// Builds the command line's runtime: the CLI and its decode worker as two esbuild bundles, so a
// `restore-console` call loads one file instead of type-stripping ~150 TypeScript modules (about
// 0.1 s instead of 0.5 s here; every decode worker paid the same again inside a restore).
//   out/cli/main.mjs           electron/cli/main.ts and everything it imports
//   out/cli/decodeWorker.mjs   the decode worker, found by the pool next to main.mjs
//   out/cli/chunks/            code both share, and what main.mjs loads only when needed (undici)
//   out/cli/inputs.json        the source files both were built from and when, written last
// The TypeScript sources stay the truth: electron/cli/bin.mjs runs the bundle only while no input
// changed since the build started, rebuilds it otherwise (running this file), and falls back to the
// sources when it cannot. Built by `npm install` (the prepare script), `npm run build`, or the
// first CLI call after a change. Writes go to temporary names and are renamed into place, so CLI
// calls running at the same time never load a half-written bundle.
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RUNTIME_DIR = join(ROOT, 'out', 'cli');
/** Written after the bundles (electron/cli/runtime.mjs reads it). */
export const INPUTS_FILE = 'inputs.json';

// Bundled CommonJS dependencies (undici) call require(); ESM output has none of its own.
const REQUIRE_SHIM = "import { createRequire as __rcCreateRequire } from 'node:module'; const require = __rcCreateRequire(import.meta.url);";

const ENTRIES = { main: 'electron/cli/main.ts', decodeWorker: 'electron/engine/decodeWorker.ts' };

export interface RuntimeManifest {
  /** When the build started (ms since the epoch): an input modified later makes the bundles stale. */
  started: number;
  /** Paths relative to the repository root. */
  inputs: string[];
}

export async function buildRuntime(outDir = RUNTIME_DIR): Promise<RuntimeManifest> {
  // Before reading any source: an edit during the build must count as newer than the build.
  const started = Date.now();
  const options: BuildOptions = {
    entryPoints: ENTRIES,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    // Dynamic imports become files of their own, loaded only when reached.
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The CLI only runs on Node 24 (bin.mjs re-executes older ones with the pinned Node 24).
    target: 'node24',
    sourcemap: 'linked',
    sourcesContent: false,
    // Less to read and parse at every start; the source maps keep stack traces readable.
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: ROOT,
    banner: { js: REQUIRE_SHIM },
    // The decode pool starts its worker from this file, next to the CLI bundle.
    define: { RESTORE_CONSOLE_WORKER: JSON.stringify('./decodeWorker.mjs') },
    metafile: true,
    write: false,
  };
  const result = await build(options);
  await mkdir(join(outDir, 'chunks'), { recursive: true });
  const tag = `.${process.pid}.tmp`;
  const files = result.outputFiles ?? [];
  await Promise.all(files.map((f) => writeFile(f.path + tag, f.contents)));
  // Chunks and maps first, then the worker, then the CLI: whoever sees the new CLI sees the rest.
  files.sort((a, b) => rank(a.path) - rank(b.path));
  for (const f of files) await rename(f.path + tag, f.path);
  // Chunks of earlier builds (their names carry a content hash); a CLI still running from one of
  // them has loaded what it needs at its start.
  const current = new Set(files.map((f) => f.path));
  for (const name of await readdir(join(outDir, 'chunks'))) {
    const path = join(outDir, 'chunks', name);
    if (!current.has(path) && !name.endsWith('.tmp')) await rm(path, { force: true });
  }
  const manifest: RuntimeManifest = { started, inputs: inputsOf(result.metafile!) };
  const inputsPath = join(outDir, INPUTS_FILE);
  await writeFile(inputsPath + tag, `${JSON.stringify(manifest, null, 1)}\n`);
  await rename(inputsPath + tag, inputsPath);
  return manifest;
}

function rank(path: string): number {
  if (path.endsWith('.map') || path.includes('/chunks/')) return 0;
  return path.endsWith('decodeWorker.mjs') ? 1 : 2;
}

/** The repository's own files among the bundles' inputs (node_modules changes come with installs). */
function inputsOf(meta: Metafile): string[] {
  const all = new Set<string>();
  for (const p of Object.keys(meta.inputs)) if (!p.includes('node_modules/')) all.add(p);
  // The bundler's own inputs that are not modules: this file decides how the bundles look.
  all.add(relative(ROOT, fileURLToPath(import.meta.url)));
  all.add('package.json');
  return [...all].sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const m = await buildRuntime();
  process.stdout.write(`built the CLI runtime (${m.inputs.length} inputs) into ${relative(ROOT, RUNTIME_DIR)} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
