// The remote scenario: the PBS test server (test/pbsServer/) over TLS loopback, with the same
// 20 ms per-chunk latency as the local +20 ms scenario, read through the real HTTP/2 reader client.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchImage } from './dataset.ts';
import type { Scenario } from './report.ts';

const SERVER = new URL('../test/pbsServer/server.ts', import.meta.url);
const CLIENT = new URL('../electron/source/pbs/pbsSource.ts', import.meta.url);

export async function remoteScenario(root: string, image: BenchImage): Promise<{ scenario: Scenario; close(): Promise<void> } | undefined> {
  if (!existsSync(fileURLToPath(SERVER)) || !existsSync(fileURLToPath(CLIENT))) return undefined;
  const { startPbsTestServer } = await import(SERVER.href);
  const { PbsSource } = await import(CLIENT.href);
  const authId = 'bench@pbs!restore';
  const secret = 'bench-secret';
  const server = await startPbsTestServer({ datastore: root, tokens: { [authId]: secret }, latencyMs: 20 });
  const source = await PbsSource.connect({ host: '127.0.0.1', port: server.port, datastore: server.datastoreName ?? 'store', authId, secret, fingerprint: server.fingerprint });
  return {
    scenario: { name: 'remote TLS +20 ms/chunk', image, source },
    async close() {
      await source.close();
      await server.close();
    },
  };
}
