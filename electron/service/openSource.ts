// The one place that turns a source configuration into an open BackupSource, for the service (saved
// sources) and the CLI (its flags, see cli/sourceArgs.ts). The rest sees only BackupSource
// (electron/source/chunkSource.ts) and this small wrapper.
import { basename } from 'node:path';
import type { DatastoreInfo, SourceConfig } from '../../shared/contract.ts';
import type { BackupSource } from '../source/chunkSource.ts';
import { LocalDatastore } from '../source/localDatastore.ts';
import { PbsSource, type PbsTuning } from '../source/pbs/pbsSource.ts';
import { isApiToken } from '../source/pbs/repository.ts';
import { RestoreError } from '../../shared/errors.ts';

export interface OpenedSource {
  source: BackupSource;
  /** Where it is, for people: a path, or host:port/datastore. */
  label: string;
  listDatastores(): Promise<DatastoreInfo[]>;
  close(): Promise<void>;
}

export type SourceOpener = (config: SourceConfig) => Promise<OpenedSource>;

/** Opens a datastore folder or connects to a PBS server (tuning: timeouts and extra CAs, for tests). */
export async function openSource(config: SourceConfig, tuning: PbsTuning = {}): Promise<OpenedSource> {
  if (config.kind === 'datastore') {
    const store = await LocalDatastore.open(config.path);
    return {
      source: store,
      label: store.root,
      listDatastores: async () => [{ name: basename(store.root), path: store.root }],
      close: async () => {},
    };
  }
  return openPbs(config, tuning);
}

/**
 * Connects and authenticates at once, so a wrong secret or an untrusted certificate fails when
 * the source is added or tested (TLS_FINGERPRINT_MISMATCH carries the fingerprint seen, for a
 * trust-on-first-use prompt), not in the middle of a listing.
 */
async function openPbs(config: Extract<SourceConfig, { kind: 'pbs' }>, tuning: PbsTuning): Promise<OpenedSource> {
  if (!config.secret) throw new RestoreError('SECRET_REQUIRED', `enter the ${isApiToken(config.authId) ? 'API token secret' : 'password'} for ${config.authId}`);
  const pbs = await PbsSource.connect(
    {
      host: config.host,
      datastore: config.datastore,
      authId: config.authId,
      secret: config.secret,
      ...(config.port !== undefined ? { port: config.port } : {}),
      ...(config.fingerprint ? { fingerprint: config.fingerprint } : {}),
    },
    tuning,
  );
  return {
    source: pbs,
    label: pbs.label,
    listDatastores: async () => (await pbs.listDatastores()).map((d) => ({ name: d.store, ...(d.comment ? { comment: d.comment } : {}) })),
    close: () => pbs.close(),
  };
}
