// `npm start`: builds, then opens the desktop app. Where the Electron binary or a display is
// missing (CI, containers, a server over SSH), it says so and starts browser mode instead
// (`restore-console serve`), printing the address to open. `--browser` forces browser mode;
// other arguments go to `serve` (e.g. npm start -- --datastore ./demo-datastore --port 8080).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildAll, ROOT } from './build.ts';

/**
 * The Electron binary, or why it cannot be used. Looked up as the electron package's index.js does
 * (path.txt, dist/, ELECTRON_OVERRIDE_DIST_PATH), but without its side effect: requiring the
 * package downloads a missing binary, and `npm start` must not reach for the network.
 */
export function electronBinary(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): { path: string } | { why: string } {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { why: 'the electron package is not installed (npm install)' };
  }
  const pathFile = join(dir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const path = env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, rel || 'electron') : rel ? join(dir, 'dist', rel) : undefined;
  if (!path || !existsSync(path)) {
    return { why: 'the Electron binary is not installed (it was skipped with ELECTRON_SKIP_BINARY_DOWNLOAD; "npx install-electron" downloads it)' };
  }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { why: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  return { path };
}

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', cwd: ROOT });
    const forward = (s: NodeJS.Signals): void => void child.kill(s);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

const args = process.argv.slice(2);
const forceBrowser = args.includes('--browser');
const serveArgs = args.filter((a) => a !== '--browser');

await buildAll();
const electron = forceBrowser ? { why: '--browser was given' } : electronBinary();
if ('path' in electron) {
  process.exitCode = await run(electron.path, [ROOT]);
} else {
  process.stderr.write(`restore-console: not opening the desktop app: ${electron.why}.\nrestore-console: starting browser mode instead.\n`);
  process.exitCode = await run(process.execPath, [join(ROOT, 'electron', 'cli', 'bin.mjs'), 'serve', ...serveArgs]);
}
