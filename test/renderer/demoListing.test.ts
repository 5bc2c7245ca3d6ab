// The demo datastore is offered while it is still being written: each snapshot it announces
// reloads Browse's listing when Browse shows the demo, and only then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DemoStatus, RestoreConsoleApi } from '../../shared/contract.ts';

test('Browse reloads the demo listing on each snapshot the generator announces', async () => {
  const { startListener } = await import('../../renderer/store/listener.ts');
  const { useStore } = await import('../../renderer/store/index.ts');
  const { setApi } = await import('../../renderer/api/current.ts');
  const listeners = new Map<string, (payload: unknown) => void>();
  const listed: string[] = [];
  const api = {
    on: (event: string, l: (payload: unknown) => void) => {
      listeners.set(event, l);
      return () => listeners.delete(event);
    },
    invoke: (command: string, args: { sourceId?: string }) => {
      if (command === 'catalog.groups') listed.push(args.sourceId!);
      return Promise.resolve(command === 'catalog.namespaces' ? [''] : []);
    },
  } as unknown as RestoreConsoleApi;
  setApi(api);
  const stop = startListener(api);
  const demo = (d: Partial<DemoStatus>): void => listeners.get('demo')!({ state: 'generating', doneBytes: 1, totalBytes: 10, ...d });
  try {
    useStore.getState().patchCatalog({ sourceId: 'src-demo' });
    demo({});
    assert.deepEqual(listed, [], 'nothing to reload before the first snapshot');
    demo({ sourceId: 'src-demo', snapshotsDone: 1, snapshotsTotal: 3 });
    demo({ sourceId: 'src-demo', snapshotsDone: 1, snapshotsTotal: 3, doneBytes: 2 });
    demo({ sourceId: 'src-demo', snapshotsDone: 2, snapshotsTotal: 3 });
    assert.deepEqual(listed, ['src-demo', 'src-demo'], 'one reload per announced snapshot');
    // Browse shows another source: the demo's progress does not touch it.
    useStore.getState().patchCatalog({ sourceId: 'src-other' });
    demo({ sourceId: 'src-demo', snapshotsDone: 3, snapshotsTotal: 3 });
    assert.deepEqual(listed, ['src-demo', 'src-demo']);
  } finally {
    stop();
  }
});
