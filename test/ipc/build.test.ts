// The desktop build (scripts/build.ts) into a temporary folder: the preload is one CommonJS file
// that requires nothing but electron, the main bundle needs only electron and Node built-ins, the
// decode worker runs as its own entry (the Electron main points the pool at it), and the renderer
// has no inline script for the CSP to forbid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildElectron, buildRenderer } from '../../scripts/build.ts';
import { DecodePool, setDecodeWorkerUrl } from '../../electron/engine/decodePool.ts';
import { buildImage, testImage } from '../helpers/memSource.ts';
import { digestAt } from '../../electron/pbs/fixedIndex.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { tempDir } from '../helpers/tmp.ts';

const out = await tempDir('rc-build-');
await Promise.all([buildElectron({ outDir: out }), buildRenderer({ outDir: out })]);

/** Every module a bundle loads at run time: static imports, dynamic imports, require calls. */
function specifiers(code: string): Set<string> {
  const found = new Set<string>();
  const spec = `["']([\\w@./:-]+)["']`;
  const re = new RegExp(`\\bfrom\\s*${spec}|\\bimport\\s*\\(\\s*${spec}\\s*\\)|\\brequire\\s*\\(\\s*${spec}\\s*\\)|^import\\s*${spec}`, 'gm');
  for (const m of code.matchAll(re)) {
    found.add((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  }
  return found;
}
const builtin = (s: string): boolean => s.startsWith('node:') || builtinModules.includes(s.split('/')[0]!);

test('the preload is one CommonJS file that requires only electron', async () => {
  assert.deepEqual(await readdir(join(out, 'preload')), ['index.cjs', 'index.cjs.map']);
  const code = await readFile(join(out, 'preload', 'index.cjs'), 'utf8');
  assert.deepEqual([...specifiers(code)], ['electron']);
  assert.match(code, /exposeInMainWorld\("restoreConsole"/);
  assert.doesNotMatch(code, /exposeInMainWorld\("[^"]+",\s*\w+\.ipcRenderer\)/);
  assert.ok(code.length < 4000, `preload is ${code.length} bytes`);
});

test('the main bundle needs only electron and Node built-ins', async () => {
  const code = await readFile(join(out, 'main', 'index.mjs'), 'utf8');
  const external = [...specifiers(code)].filter((s) => !builtin(s));
  assert.deepEqual(external, ['electron']);
  assert.match(code, /decodeWorker\.mjs/);
});

test('the bundled decode worker decodes for the pool', async () => {
  const worker = join(out, 'worker', 'decodeWorker.mjs');
  assert.deepEqual([...specifiers(await readFile(worker, 'utf8'))].filter((s) => !builtin(s)), []);
  setDecodeWorkerUrl(pathToFileURL(worker));
  const pool = new DecodePool(1);
  try {
    const chunkSize = 64 * 1024;
    const img = testImage(chunkSize, 3, 100);
    const b = buildImage(img, chunkSize);
    const digest = digestAt(b.index, 0);
    const raw = b.source.chunks.get(toHex(digest))!;
    const data = await pool.decode(Buffer.from(raw), { expectedDigest: digest, expectedSize: chunkSize, cryptMode: 'none' });
    assert.ok(data.equals(img.subarray(0, chunkSize)));
  } finally {
    await pool.close();
    setDecodeWorkerUrl(new URL('../../electron/engine/decodeWorker.ts', import.meta.url));
  }
});

test('the renderer build loads only files: no inline script, CSP meta kept', async () => {
  const html = await readFile(join(out, 'renderer', 'index.html'), 'utf8');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self';/);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length >= 1);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs!, /src="\.\/assets\/[^"]+\.js"/, 'scripts come from relative files');
    assert.equal(body!.trim(), '', 'inline script');
  }
  assert.doesNotMatch(html, /\sstyle="/);
  const assets = await readdir(join(out, 'renderer', 'assets'));
  assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')));
});
