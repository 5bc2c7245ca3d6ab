// One small demo datastore per test file, generated once.
import { join } from 'node:path';
import { writeDemoDatastore, type DemoResult } from '../../electron/demo/demoDatastore.ts';
import { backupTimeName } from '../../electron/pbs/names.ts';
import type { DemoArchive } from '../../electron/demo/demoDatastore.ts';
import { tempDir } from './tmp.ts';

export async function smallDemo(): Promise<DemoResult> {
  return writeDemoDatastore(join(await tempDir('rc-demo-'), 'store'), { scale: 'small' });
}

/** CLI selectors for an archive of the demo. */
export function selectors(demo: DemoResult, a: DemoArchive): string[] {
  return [
    '--datastore', demo.dir,
    '--snapshot', `${a.type}/${a.id}/${backupTimeName(a.time)}`,
    ...(a.ns ? ['--ns', a.ns] : []),
    '--archive', a.archive.replace(/\.fidx$/, ''),
    ...(a.encrypted ? ['--keyfile', demo.keyFile] : []),
  ];
}
