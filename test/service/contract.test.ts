// The contract scenarios against the service called directly (the same list runs over HTTP in
// test/server/contract.test.ts).
import { test } from 'node:test';
import { smallDemo } from '../helpers/demo.ts';
import { makeHarness, startService } from '../helpers/harness.ts';
import { scenarios } from './scenarios.ts';

const demo = await smallDemo();

for (const s of scenarios) {
  test(`[direct] ${s.name}`, { timeout: 60_000 }, async () => {
    const { service, gate, dir } = await startService(demo);
    const h = await makeHarness(service, demo, gate, dir);
    try {
      await s.run(h);
    } finally {
      gate.release();
      h.events.close();
      await service.close();
    }
  });
}
