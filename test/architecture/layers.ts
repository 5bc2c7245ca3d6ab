// The layering of design.md, checked mechanically: each layer imports only the layers below it;
// `electron` only in the Electron shell; no Node modules in renderer/ or shared/; shared/ holds
// types only. Used by layers.test.ts on the real tree and on synthetic cases.
import { builtinModules } from 'node:module';
import { posix } from 'node:path';

export type Layer = 'shared' | 'formats' | 'engine' | 'service' | 'transport' | 'renderer';

const RANK: Record<Exclude<Layer, 'renderer'>, number> = { shared: 0, formats: 1, engine: 2, service: 3, transport: 4 };

/** Directory → layer. A new directory must be placed here, or the check fails. */
const DIRS: Array<[string, Layer]> = [
  ['shared/', 'shared'],
  ['electron/pbs/', 'formats'],
  ['electron/source/', 'formats'],
  ['electron/demo/', 'formats'],
  ['electron/engine/', 'engine'],
  ['electron/files/', 'engine'],
  ['electron/service/', 'service'],
  ['electron/cli/', 'transport'],
  ['electron/server/', 'transport'],
  ['electron/main/', 'transport'],
  ['electron/preload/', 'transport'],
  ['renderer/', 'renderer'],
];

const ELECTRON_ALLOWED = ['electron/main/', 'electron/preload/'];

export function layerOf(file: string): Layer | undefined {
  return DIRS.find(([dir]) => file.startsWith(dir))?.[1];
}

export interface ImportRef {
  spec: string;
  typeOnly: boolean;
}

/** Static imports and re-exports, dynamic import() and require() of a source text. */
export function importsOf(text: string): ImportRef[] {
  const out: ImportRef[] = [];
  const stat = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(stat)) out.push({ spec: m[3]!, typeOnly: Boolean(m[2]) });
  for (const m of text.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, typeOnly: false });
  return out;
}

const isBuiltin = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!);

/** Problems with one file's imports; an empty list means the file keeps the layering. */
export function checkFile(file: string, text: string): string[] {
  const layer = layerOf(file);
  if (!layer) return [`${file}: directory has no layer; add it to test/architecture/layers.ts`];
  const problems: string[] = [];
  for (const { spec, typeOnly } of importsOf(text)) {
    const where = `${file} imports ${spec}`;
    if (spec === 'electron' || spec.startsWith('electron/')) {
      if (!ELECTRON_ALLOWED.some((d) => file.startsWith(d))) problems.push(`${where}: electron outside the Electron shell`);
      continue;
    }
    if (isBuiltin(spec)) {
      if (layer === 'renderer' || layer === 'shared') problems.push(`${where}: Node module in ${layer}/`);
      continue;
    }
    if (!spec.startsWith('.')) {
      if (layer === 'shared') problems.push(`${where}: shared/ imports no packages`);
      continue;
    }
    const resolved = posix.normalize(posix.join(posix.dirname(file), spec));
    const to = layerOf(resolved);
    if (!to) {
      problems.push(`${where}: target ${resolved} is in no layer`);
      continue;
    }
    if (layer === 'renderer') {
      if (to === 'renderer') continue;
      if (to === 'shared' && typeOnly) continue;
      problems.push(`${where}: renderer/ may import only types from shared/`);
      continue;
    }
    if (to === 'renderer') {
      problems.push(`${where}: only the renderer imports renderer/`);
      continue;
    }
    if (layer === 'shared' && !typeOnly) {
      problems.push(`${where}: shared/ holds types only (use import type)`);
      continue;
    }
    if (RANK[to] > RANK[layer]) problems.push(`${where}: ${layer} may not import ${to}`);
  }
  return problems;
}
