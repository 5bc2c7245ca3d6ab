// Which code a `restore-console` call runs: the bundles of scripts/buildRuntime.ts while they are
// fresh, else the TypeScript sources. Plain JavaScript with no imports of the project's own, so
// deciding costs nothing but one stat per input (~150 files, about 1 ms).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RUNTIME_DIR = new URL('../../out/cli/', import.meta.url);

/**
 * True when `dir` holds both bundles and none of the sources they were built from changed (or
 * vanished) since that build started.
 */
export function bundleIsFresh(dir = RUNTIME_DIR, root = ROOT) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('inputs.json', dir), 'utf8'));
    statSync(new URL('main.mjs', dir));
    statSync(new URL('decodeWorker.mjs', dir));
  } catch {
    return false;
  }
  if (!Number.isFinite(manifest?.started) || !Array.isArray(manifest.inputs)) return false;
  for (const input of manifest.inputs) {
    const st = statSync(`${root}/${input}`, { throwIfNoEntry: false });
    if (!st || st.mtimeMs > manifest.started) return false;
  }
  return true;
}

/**
 * The module to import for the CLI: the fresh bundle, a bundle rebuilt now (after a change to the
 * sources; about a second), or the sources themselves when no bundle can be built (no esbuild, no
 * scripts/, a read-only install) or RESTORE_CONSOLE_FROM_SOURCE is set. The build runs as a tool
 * in a child process, silently: this process's output belongs to the command.
 */
export function cliEntry(env = process.env) {
  const sources = new URL('./main.ts', import.meta.url).href;
  if (env.RESTORE_CONSOLE_FROM_SOURCE) return sources;
  if (bundleIsFresh()) return new URL('main.mjs', RUNTIME_DIR).href;
  const script = fileURLToPath(new URL('../../scripts/buildRuntime.ts', import.meta.url));
  if (!existsSync(script)) return sources;
  const r = spawnSync(process.execPath, [script], { stdio: 'ignore' });
  return r.status === 0 && bundleIsFresh() ? new URL('main.mjs', RUNTIME_DIR).href : sources;
}
