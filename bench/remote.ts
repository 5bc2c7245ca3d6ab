// The remote scenario: the PBS test server (test/pbsServer/) in a child process over TLS loopback,
// with the same 20 ms per-chunk latency as the local +20 ms scenario, read through the real
// HTTP/2 reader client.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PbsSource } from '../electron/source/pbs/pbsSource.ts';
import type { BenchImage } from './dataset.ts';
import type { Scenario } from './report.ts';

export async function remoteScenario(root: string, image: BenchImage, latencyMs = 20): Promise<{ scenario: Scenario; close(): Promise<void> }> {
  const authId = 'bench@pbs!restore';
  const secret = 'bench-secret';
  const child = spawn(process.execPath, [fileURLToPath(new URL('./remoteServer.ts', import.meta.url)), root, String(latencyMs), authId, secret], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench PBS server exited with ${code}`)));
  });
  const { port, fingerprint, store } = JSON.parse(first) as { port: number; fingerprint: string; store: string };
  const source = await PbsSource.connect({ host: '127.0.0.1', port, datastore: store, authId, secret, fingerprint });
  return {
    scenario: { name: `remote TLS +${latencyMs} ms/chunk`, image, source },
    async close() {
      await source.close();
      child.stdin!.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
}
