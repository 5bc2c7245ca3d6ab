#!/usr/bin/env node
// Entry point of `restore-console`. The code needs Node >= 24 (zstd in node:zlib). On Node 24 it
// runs in this process, from the bundle of scripts/buildRuntime.ts (one file to load instead of
// ~150 TypeScript modules; runtime.mjs decides, and rebuilds it after a change to the sources),
// with V8's compile cache on and stack traces mapped back to the sources. Only when started by an
// older system Node does it re-run with the Node 24 that `npm install` put into node_modules, so
// `./electron/cli/bin.mjs` works from any shell.
//
// Re-running must not make this process a bystander: stopping it stops the restore (see
// stop.ts). SIGTERM and SIGHUP are forwarded to the child as they are; SIGINT as SIGUSR2, because
// a Ctrl-C on the terminal also reaches the child directly, which then ignores its own SIGINT
// (RESTORE_CONSOLE_SUPERVISED=1), so one Ctrl-C counts once. This process waits for the child and
// exits with its status.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
// A default import: Node 20 has no enableCompileCache export, and a named import would not link.
import nodeModule from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  nodeModule.enableCompileCache();
  process.setSourceMapsEnabled(true);
  const { cliEntry } = await import('./runtime.mjs');
  await import(cliEntry());
} else {
  const local = fileURLToPath(new URL('../../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(local)) {
    console.error(`restore-console: needs Node.js 24 or newer (this is ${process.version}); run npm install first`);
    process.exit(2);
  }
  const child = spawn(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, RESTORE_CONSOLE_SUPERVISED: '1' },
  });
  let interrupted = false;
  const forward = (signal) => () => {
    if (signal !== 'SIGINT') return void child.kill(signal);
    interrupted = true;
    // Windows delivers a console Ctrl-C to every process on the console: nothing to forward.
    if (process.platform !== 'win32') child.kill('SIGUSR2');
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward(signal));
  child.on('error', (e) => {
    console.error(`restore-console: cannot start ${local}: ${e.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (code !== null) process.exit(code);
    // Killed before it could handle the signal (still starting): report what this process got.
    process.exit(signal === 'SIGUSR2' && interrupted ? 130 : 128 + (constants.signals[signal] ?? 0));
  });
}
