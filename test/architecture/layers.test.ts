import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile } from './layers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile() && /\.(ts|tsx|mts|mjs|js)$/.test(e.name) && !e.parentPath.includes('node_modules')) {
      out.push(relative(ROOT, join(e.parentPath, e.name)).split(sep).join('/'));
    }
  }
  return out;
}

test('every file keeps the layering of docs/architecture.md', async () => {
  const files = [...(await sources('shared')), ...(await sources('electron')), ...(await sources('renderer'))];
  assert.ok(files.length > 20, `only ${files.length} files found`);
  const problems: string[] = [];
  for (const f of files) problems.push(...checkFile(f, await readFile(join(ROOT, f), 'utf8')));
  assert.deepEqual(problems, []);
});

test('the check catches each kind of violation', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['electron/engine/x.ts', "import { app } from 'electron';", /electron outside the Electron shell/],
    ['electron/pbs/x.ts', "import { RestoreEngine } from '../engine/restoreEngine.ts';", /formats may not import engine/],
    ['electron/engine/x.ts', "export { x } from '../service/y.ts';", /engine may not import service/],
    ['renderer/x.tsx', "import { readFile } from 'node:fs';", /Node module in renderer/],
    ['renderer/x.tsx', "import fs from 'fs';", /Node module in renderer/],
    ['renderer/x.tsx', "import { RestoreError } from '../electron/service/x.ts';", /renderer\/ may import only from renderer\/ and shared\//],
    ['renderer/x.tsx', "import type { JobInfo } from '../electron/engine/x.ts';", /renderer\/ may import only from renderer\/ and shared\//],
    ['shared/x.ts', "import { createHash } from 'node:crypto';", /Node module in shared/],
    ['shared/x.ts', "import { create } from 'zustand';", /shared\/ imports no packages/],
    ['shared/x.ts', "import { y } from '../electron/pbs/y.ts';", /shared may not import formats/],
    ['shared/x.ts', "import type { Y } from '../electron/engine/y.ts';", /shared may not import engine/],
    ['shared/x.ts', "export const b = Buffer.from('x');", /uses Buffer: shared\/ holds pure code only/],
    ['shared/x.ts', 'export const p = process.platform;', /uses process: shared\/ holds pure code only/],
    ['shared/x.ts', 'export const w = () => window.innerWidth;', /uses window: shared\/ holds pure code only/],
    ['shared/x.ts', 'export function el(): unknown {\n  return document.body; // the page\n}', /uses document: shared\/ holds pure code only/],
    ['electron/cli/x.ts', "const m = await import('../../renderer/app.tsx');", /only the renderer imports renderer/],
    ['electron/newdir/x.ts', '', /has no layer/],
  ];
  for (const [file, text, expected] of cases) {
    const problems = checkFile(file, text);
    assert.equal(problems.length, 1, `${file}: ${text} → ${JSON.stringify(problems)}`);
    assert.match(problems[0]!, expected);
  }
  assert.deepEqual(checkFile('electron/main/x.ts', "import { app } from 'electron';\nimport { y } from '../service/y.ts';"), []);
  assert.deepEqual(checkFile('renderer/x.tsx', "import type { ErrorCode } from '../shared/errors.ts';\nimport { create } from 'zustand';"), []);
  // Pure code in shared/ may be imported by every layer, the renderer included, and may import shared/.
  assert.deepEqual(checkFile('renderer/x.tsx', "import { RestoreError } from '../shared/errors.ts';"), []);
  assert.deepEqual(checkFile('electron/engine/x.ts', "import { MAX_CONCURRENCY } from '../../shared/limits.ts';"), []);
  assert.deepEqual(checkFile('shared/x.ts', "import { formatBytes } from './units.ts';\nexport type { Y } from './y.ts';"), []);
  // The names of runtime globals in comments, strings and property names are no use of them.
  const mentions = "// the process boundary, a Buffer, the window\n/* document */\nexport const s = 'process.env';\nexport const o = { window: 1 };\nexport const f = (e: { module?: string }) => e.module;\nclass C { #window = 1; }";
  assert.deepEqual(checkFile('shared/x.ts', mentions), []);
});
