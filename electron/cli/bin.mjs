#!/usr/bin/env node
// Entry point of `restore-console`. The code needs Node >= 24 (zstd in node:zlib, TypeScript type
// stripping). When started by an older system Node, re-run with the Node 24 that `npm install`
// put into node_modules, so `./electron/cli/bin.mjs` works from any shell.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  await import('./main.ts');
} else {
  const local = fileURLToPath(new URL('../../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(local)) {
    console.error(`restore-console: needs Node.js 24 or newer (this is ${process.version}); run npm install first`);
    process.exit(2);
  }
  const r = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
