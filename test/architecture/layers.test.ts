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

test('every file keeps the layering of design.md', async () => {
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
    ['renderer/x.tsx', "import { RestoreError } from '../electron/pbs/errors.ts';", /renderer\/ may import only types/],
    ['renderer/x.tsx', "import { X } from '../shared/errors.ts';", /renderer\/ may import only types/],
    ['shared/x.ts', "import { createHash } from 'node:crypto';", /Node module in shared/],
    ['shared/x.ts', "import { y } from './y.ts';", /types only/],
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
});
