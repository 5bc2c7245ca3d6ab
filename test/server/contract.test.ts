// The contract scenarios through browser mode's transport: the HTTP + SSE server in front of the
// service, and the renderer's own client module (the same list runs directly in
// test/service/contract.test.ts).
import { test } from 'node:test';
import { startHttpServer } from '../../electron/server/httpServer.ts';
import { httpClient } from '../../renderer/api/httpClient.ts';
import { smallDemo } from '../helpers/demo.ts';
import { makeHarness, startService } from '../helpers/harness.ts';
import { scenarios } from '../service/scenarios.ts';

const demo = await smallDemo();

for (const s of scenarios) {
  test(`[http] ${s.name}`, { timeout: 60_000 }, async () => {
    const { service, gate, dir } = await startService(demo);
    const server = await startHttpServer({ service, staticDir: dir });
    const client = httpClient({ baseUrl: server.origin, token: server.token, reconnectMs: 50 });
    const h = await makeHarness(client, demo, gate, dir);
    try {
      await s.run(h);
    } finally {
      gate.release();
      h.events.close();
      client.close();
      await server.close();
      await service.close();
    }
  });
}
