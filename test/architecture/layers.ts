// The layering of docs/architecture.md, checked mechanically: each layer imports only the layers
// below it; `electron` only in the Electron shell; no Node modules in renderer/ or shared/.
// shared/ holds the contract's types and pure code (rate windows, formatting, limits, error words)
// that every layer and the renderer may import: it imports nothing but shared/, and uses no
// runtime's globals (process, Buffer, window, document …). Its files also compile under both
// tsconfigs (Node types without DOM, DOM without Node types), which catches any global this text
// check misses. Used by layers.test.ts on the real tree and on synthetic cases.
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
  ['electron/ipc/', 'transport'],
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
      if (to === 'renderer' || to === 'shared') continue;
      problems.push(`${where}: renderer/ may import only from renderer/ and shared/`);
      continue;
    }
    if (to === 'renderer') {
      problems.push(`${where}: only the renderer imports renderer/`);
      continue;
    }
    if (RANK[to] > RANK[layer]) problems.push(`${where}: ${layer} may not import ${to}`);
  }
  if (layer === 'shared') problems.push(...runtimeGlobals(text).map((g) => `${file} uses ${g}: shared/ holds pure code only`));
  return problems;
}

/** Globals of one runtime (Node, the DOM, Electron's renderer) that pure code must not touch. */
const RUNTIME_GLOBALS = /(?<![.$#\w])(process|Buffer|require|module|__dirname|__filename|window|document|navigator|localStorage|sessionStorage|location|HTMLElement)\b(?!\s*\??:)/g;

/** Runtime globals a source text uses outside comments and string literals. */
export function runtimeGlobals(text: string): string[] {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, "''")
    .replace(/\/\/.*$/gm, ' ');
  return [...new Set([...code.matchAll(RUNTIME_GLOBALS)].map((m) => m[1]!))];
}
