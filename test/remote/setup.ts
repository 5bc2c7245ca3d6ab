// Shared set-up of the remote tests: the small demo datastore behind the PBS test server, credentials
// it accepts, and a restore through the engine with a SHA-256 check of the result.
import { after } from 'node:test';
import { join } from 'node:path';
import type { DemoArchive, DemoResult } from '../../electron/demo/demoDatastore.ts';
import { prepareRestore } from '../../electron/engine/restoreJob.ts';
import type { RestoreSummary } from '../../shared/progress.ts';
import type { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import type { BackupSource } from '../../electron/source/chunkSource.ts';
import { PbsSource, type PbsConnectOptions, type PbsTuning } from '../../electron/source/pbs/pbsSource.ts';
import { smallDemo } from '../helpers/demo.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';
import { startPbsTestServer, type PbsTestServer, type PbsTestServerOptions } from '../pbsServer/server.ts';

export const TOKEN_ID = 'restore@pbs!console';
export const TOKEN_SECRET = '8d1f6c2e-0b7a-4c55-9e3d-2f4a6b8c0d1e';
export const USER_ID = 'admin@pbs';
export const PASSWORD = 'correct horse battery staple';

export interface Remote {
  demo: DemoResult;
  out: string;
  /** Starts a server on the demo datastore (closed after the test file). */
  server(opts?: Omit<PbsTestServerOptions, 'datastore'>): Promise<PbsTestServer>;
  /** Connects with the API token and the server's fingerprint, plus any overrides. */
  connect(srv: PbsTestServer, opts?: Partial<PbsConnectOptions>, tuning?: PbsTuning): Promise<PbsSource>;
}

export async function remoteSetup(): Promise<Remote> {
  const demo = await smallDemo();
  const out = await tempDir('rc-remote-');
  const servers: PbsTestServer[] = [];
  const sources: PbsSource[] = [];
  after(async () => {
    await Promise.all(sources.map((s) => s.close()));
    await Promise.all(servers.map((s) => s.close()));
  });
  return {
    demo,
    out,
    async server(opts = {}) {
      const srv = await startPbsTestServer({ datastore: demo.dir, tokens: { [TOKEN_ID]: TOKEN_SECRET }, users: { [USER_ID]: PASSWORD }, ...opts });
      servers.push(srv);
      return srv;
    },
    async connect(srv, opts = {}, tuning = {}) {
      const src = await PbsSource.connect({ host: '127.0.0.1', port: srv.port, datastore: srv.store, authId: TOKEN_ID, secret: TOKEN_SECRET, fingerprint: srv.fingerprint, ...opts }, tuning);
      sources.push(src);
      return src;
    },
  };
}

export const refOf = (a: DemoArchive) => ({ ns: a.ns, type: a.type, id: a.id, time: a.time });

let n = 0;

/** Restores an archive to a new file; returns the summary and whether the file's SHA-256 matches. */
export async function restoreVia(source: BackupSource, a: DemoArchive, out: string, opts: { crypt?: CryptConfig; concurrency?: number } = {}): Promise<{ summary: RestoreSummary; exact: boolean }> {
  const path = join(out, `restore-${++n}.raw`);
  const job = await prepareRestore({
    source,
    ref: refOf(a),
    archive: a.archive,
    ...(opts.crypt ? { crypt: opts.crypt } : {}),
    target: { path },
    concurrency: opts.concurrency ?? 16,
  });
  const summary = await job.run();
  return { summary, exact: summary.status === 'succeeded' && (await sha256File(path)) === a.sha256 };
}

/** Non-zero chunks of an archive: the chunks a restore fetches. */
export const dataChunks = (a: DemoArchive): number => a.chunks - a.zeroChunks;
