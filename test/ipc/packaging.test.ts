// The packaging configuration as electron-builder itself reads and validates it (its own loader
// and schema, not a YAML parse of ours): `npm run package` exists, and the packaged app's Electron
// fuses close what an installed app must not offer (running as plain Node, NODE_OPTIONS, inspect
// arguments, code outside app.asar) and encrypt cookies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(`${root}package.json`);

test('electron-builder reads a valid configuration with the fuses set, and npm run package uses it', async () => {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
  const { DebugLogger } = require('builder-util');
  const config = await getConfig(root, null, null);
  await validateConfiguration(config, new DebugLogger(false));
  assert.deepEqual(config.electronFuses, {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
  });
  // The decode worker cannot load from inside the asar: it stays unpacked beside it.
  assert.deepEqual(config.asarUnpack, ['out/worker/**']);
  const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8'));
  assert.ok(pkg.devDependencies['electron-builder'], 'electron-builder is a dev dependency');
  assert.match(pkg.scripts.package, /scripts\/build\.ts && electron-builder --config electron-builder\.yml/);
});
