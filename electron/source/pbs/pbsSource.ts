// A live Proxmox Backup Server as a BackupSource: listings through the JSON API (apiClient.ts),
// snapshots read through the HTTP/2 reader protocol (remoteReader.ts), both over TLS with the
// fingerprint pin of proxmox-backup-client (tlsPin.ts). Upstream client: pbs-client/src/
// http_client.rs, backup_reader.rs, remote_chunk_reader.rs; server: src/api2/admin/datastore.rs,
// src/api2/reader/mod.rs. See docs/pbs-formats.md.
//
// An auth id with `!` is an API token (secret = token secret); otherwise a user whose password is
// exchanged for a ticket. The secret never appears in `label`, messages or logs.
import type { GroupInfo, SnapshotInfo } from '../../../shared/catalog.ts';
import { RestoreError } from '../../../shared/errors.ts';
import { checkBackupId, checkBackupType, checkNamespace, isSafeId, type SnapshotRef } from '../../pbs/names.ts';
import type { BackupSource, SnapshotReader } from '../chunkSource.ts';
import { PbsApiClient } from './apiClient.ts';
import { toDatastores, toGroupInfos, toNamespaces, toSnapshotInfos } from './apiCatalog.ts';
import { PbsAuth, TICKET_RENEW_MS } from './auth.ts';
import { bareHost, checkAuthId, DEFAULT_PBS_PORT } from './repository.ts';
import { RemoteSnapshotReader } from './remoteReader.ts';
import { normalizeFingerprint } from './tlsPin.ts';
import { DEFAULT_RATE_FLOOR, type RateFloorOptions } from './rateFloor.ts';

export interface PbsConnectOptions {
  host: string;
  port?: number;
  datastore: string;
  authId: string;
  secret: string;
  fingerprint?: string;
}

/** Limits and test hooks; the defaults suit a desktop app on a LAN or WAN. */
export interface PbsTuning {
  connectTimeoutMs?: number;
  /** JSON API: headers, and each gap in a body. */
  requestTimeoutMs?: number;
  /** Reader upgrade answer and the first HTTP/2 SETTINGS. */
  upgradeTimeoutMs?: number;
  /** Longest gap without data on one /download or /chunk stream. */
  stallTimeoutMs?: number;
  /** Every request's overall deadline: this average rate after a grace period (rateFloor.ts). */
  rate?: RateFloorOptions;
  /** The largest JSON answer accepted (default 64 MiB). */
  maxJsonBytes?: number;
  ticketRenewMs?: number;
  /** Extra trusted CA certificates (PEM), on top of the system store. */
  ca?: string | Buffer | Array<string | Buffer>;
}

const DEFAULTS = { connectTimeoutMs: 15_000, requestTimeoutMs: 60_000, upgradeTimeoutMs: 30_000, stallTimeoutMs: 30_000 };

export class PbsSource implements BackupSource {
  readonly label: string;
  readonly datastore: string;
  readonly #api: PbsApiClient;
  readonly #tuning: Required<Pick<PbsTuning, 'upgradeTimeoutMs' | 'stallTimeoutMs' | 'rate'>>;
  readonly #readers = new Set<RemoteSnapshotReader>();
  readonly #skipped: string[] = [];
  readonly #onSkip = (what: string, name: string): void => void this.#skipped.push(`${what} ${JSON.stringify(name)}`);

  private constructor(api: PbsApiClient, datastore: string, tuning: Required<Pick<PbsTuning, 'upgradeTimeoutMs' | 'stallTimeoutMs' | 'rate'>>) {
    this.#api = api;
    this.datastore = datastore;
    this.#tuning = tuning;
    this.label = `${api.auth.authId}@${api.where}:${datastore}`;
  }

  /**
   * Connects and authenticates (a ticket login for users, a cheap authenticated call for tokens),
   * so wrong credentials or an untrusted certificate fail here, not in the middle of a listing.
   */
  static async connect(opts: PbsConnectOptions, tuning: PbsTuning = {}): Promise<PbsSource> {
    const host = bareHost(opts.host);
    const port = opts.port ?? DEFAULT_PBS_PORT;
    if (!isSafeId(opts.datastore)) throw new RestoreError('INVALID_NAME', `invalid datastore name ${JSON.stringify(opts.datastore)}`);
    checkAuthId(opts.authId);
    if (!opts.secret) throw new RestoreError('AUTH_FAILED', `no ${opts.authId.includes('!') ? 'API token secret' : 'password'} given for ${opts.authId}`);
    const t = { ...DEFAULTS, ...tuning };
    const api = new PbsApiClient(
      {
        host,
        port,
        ...(opts.fingerprint ? { fingerprint: normalizeFingerprint(opts.fingerprint) } : {}),
        ...(t.ca ? { ca: t.ca } : {}),
        connectTimeoutMs: t.connectTimeoutMs,
        requestTimeoutMs: t.requestTimeoutMs,
        rate: t.rate ?? DEFAULT_RATE_FLOOR,
        ...(t.maxJsonBytes !== undefined ? { maxJsonBytes: t.maxJsonBytes } : {}),
      },
      new PbsAuth(opts.authId, opts.secret, t.ticketRenewMs ?? TICKET_RENEW_MS),
    );
    try {
      await api.start();
    } catch (e) {
      await api.close();
      throw e;
    }
    return new PbsSource(api, opts.datastore, { upgradeTimeoutMs: t.upgradeTimeoutMs, stallTimeoutMs: t.stallTimeoutMs, rate: t.rate ?? DEFAULT_RATE_FLOOR });
  }

  get #storePath(): string {
    return `/admin/datastore/${encodeURIComponent(this.datastore)}`;
  }

  async listDatastores(): Promise<Array<{ store: string; comment?: string }>> {
    return toDatastores(await this.#api.get('/admin/datastore'));
  }

  /** The namespace and all below it, the anchor first (LocalDatastore's order). */
  async listNamespaces(parent = ''): Promise<string[]> {
    checkNamespace(parent);
    try {
      return toNamespaces(await this.#api.get(`${this.#storePath}/namespace`, { parent: parent || undefined }), parent, this.#onSkip);
    } catch (e) {
      // Servers before PBS 2.2 have no namespaces (and no such endpoint): only the root exists.
      if (parent === '' && e instanceof RestoreError && /HTTP 404/.test(e.message) && e.code === 'SERVER_ERROR') return [''];
      throw e;
    }
  }

  async listGroups(ns: string): Promise<GroupInfo[]> {
    checkNamespace(ns);
    return toGroupInfos(await this.#api.get(`${this.#storePath}/groups`, { ns: ns || undefined }), ns, this.#onSkip);
  }

  async listSnapshots(ns: string, group?: { type: string; id: string }): Promise<SnapshotInfo[]> {
    checkNamespace(ns);
    const query = {
      ns: ns || undefined,
      ...(group ? { 'backup-type': checkBackupType(group.type), 'backup-id': checkBackupId(group.id) } : {}),
    };
    return toSnapshotInfos(await this.#api.get(`${this.#storePath}/snapshots`, query), ns, this.#onSkip);
  }

  /** Opens a reader session on the snapshot; fails here when it does not exist or is not allowed. */
  async openSnapshot(ref: SnapshotRef, signal?: AbortSignal): Promise<SnapshotReader> {
    checkNamespace(ref.ns);
    checkBackupType(ref.type);
    checkBackupId(ref.id);
    const target = this.#api.target;
    // Not a const: a failing open calls onClose before the assignment.
    let reader: RemoteSnapshotReader | undefined = undefined;
    reader = await RemoteSnapshotReader.open(
      ref,
      {
        target: { ...target, store: this.datastore, upgradeTimeoutMs: this.#tuning.upgradeTimeoutMs },
        authHeaders: () => this.#api.authHeaders(),
        stallTimeoutMs: this.#tuning.stallTimeoutMs,
        rate: this.#tuning.rate,
        redact: (text) => this.#api.auth.redact(text),
        onClose: () => {
          if (reader) this.#readers.delete(reader);
        },
      },
      signal,
    );
    this.#readers.add(reader);
    return reader;
  }

  /** Entries the server listed with names the datastore rules refuse, skipped so far ("snapshot \"../x\""). */
  get skippedNames(): readonly string[] {
    return this.#skipped;
  }

  /** Body bytes the JSON API received so far (what a refused answer cost). */
  get apiBytesReceived(): number {
    return this.#api.bytesReceived;
  }

  /** Closes open readers and the API connections. */
  async close(): Promise<void> {
    await Promise.all([...this.#readers].map((r) => r.close()));
    await this.#api.close();
  }

  toString(): string {
    return `PBS ${this.label}`;
  }
}
