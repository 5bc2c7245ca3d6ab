// Child-process entry for the remote scenario: the PBS test server runs in its own process, as a
// real server would, so its TLS and HTTP/2 work does not share the restoring process's main thread.
// Prints one JSON line (port, fingerprint, store) and exits when its stdin closes.
import { startPbsTestServer } from '../test/pbsServer/server.ts';

const [datastore, latency, authId, secret] = process.argv.slice(2);
const server = await startPbsTestServer({ datastore: datastore!, latencyMs: Number(latency), tokens: { [authId!]: secret! } });
process.stdout.write(`${JSON.stringify({ port: server.port, fingerprint: server.fingerprint, store: server.store })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
