// The sources registry: the user's datastore folders and PBS servers, kept in sources.json, each
// opened on first use and kept open. Secrets follow secrets.ts; the configuration written to disk
// and every SourceInfo returned carry no secret.
import { randomBytes } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { PbsSourceConfig, PublicSourceConfig, SecretKeeping, SourceConfig, SourceInfo, SourceTestResult } from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';
import type { JsonFile } from './jsonFile.ts';
import { validSourceRecords } from './records.ts';
import type { OpenedSource, SourceOpener } from './openSource.ts';
import { openSecret, sealSecret, type SecretBox, type StoredSecret } from './secrets.ts';

export interface SourceRecord {
  id: string;
  label: string;
  config: PublicSourceConfig;
  addedAt: number;
  demo?: { keyFile: string; keyPassword: string };
  secret?: StoredSecret;
}

export interface SourcesFile {
  version: 1;
  sources: SourceRecord[];
}

export interface AddOptions {
  label?: string;
  rememberSecret?: boolean;
  demo?: { keyFile: string; keyPassword: string };
}

function publicConfig(c: SourceConfig): PublicSourceConfig {
  if (c.kind === 'datastore') return { kind: 'datastore', path: resolve(c.path) };
  const { secret: _secret, ...rest } = c;
  return { ...rest, kind: 'pbs' };
}

function defaultLabel(c: PublicSourceConfig): string {
  return c.kind === 'datastore' ? basename(c.path) || c.path : `${c.datastore} on ${c.host}${c.port && c.port !== 8007 ? `:${c.port}` : ''}`;
}

/** Two configurations name the same source (same folder; same server, datastore and user). */
function sameSource(a: PublicSourceConfig, b: PublicSourceConfig): boolean {
  if (a.kind === 'datastore') return b.kind === 'datastore' && a.path === b.path;
  if (b.kind === 'datastore') return false;
  return a.host === b.host && (a.port ?? 8007) === (b.port ?? 8007) && a.datastore === b.datastore && a.authId === b.authId;
}

export class SourceRegistry {
  readonly #file: JsonFile<SourcesFile>;
  readonly #box: SecretBox | undefined;
  readonly #opener: SourceOpener;
  readonly #onChange: (list: SourceInfo[]) => void;
  #records: SourceRecord[] = [];
  /** Secrets known in this run (typed in, or opened from disk). */
  readonly #secrets = new Map<string, string>();
  readonly #open = new Map<string, Promise<OpenedSource>>();

  constructor(opts: { file: JsonFile<SourcesFile>; secrets?: SecretBox; opener: SourceOpener; onChange: (list: SourceInfo[]) => void }) {
    this.#file = opts.file;
    this.#box = opts.secrets;
    this.#opener = opts.opener;
    this.#onChange = opts.onChange;
  }

  /** Reads sources.json; returns whether the file existed (a first start has none). */
  async load(onCorrupt?: (message: string) => void): Promise<boolean> {
    const data = await this.#file.read(onCorrupt);
    if (!data) return false;
    this.#records = validSourceRecords((data as { sources?: unknown }).sources, (m) => onCorrupt?.(`sources.json: ${m}`));
    for (const r of this.#records) {
      const s = openSecret(r.secret, this.#box);
      if (s !== undefined) this.#secrets.set(r.id, s);
    }
    return true;
  }

  get size(): number {
    return this.#records.length;
  }

  list(): SourceInfo[] {
    return this.#records.map((r) => this.#info(r));
  }

  get(id: string): SourceInfo {
    return this.#info(this.#record(id));
  }

  /** The folders of every datastore source (a restore target must lie outside all of them). */
  datastorePaths(): string[] {
    return this.#records.flatMap((r) => (r.config.kind === 'datastore' ? [r.config.path] : []));
  }

  /** Every secret known in this run, for the log redactor. */
  knownSecrets(): string[] {
    return [...this.#secrets.values()];
  }

  findByConfig(config: SourceConfig): SourceInfo | undefined {
    const pub = publicConfig(config);
    const r = this.#records.find((x) => sameSource(x.config, pub));
    return r && this.#info(r);
  }

  /** Checks the source can be opened, then saves it (or updates the same source already saved). */
  async add(config: SourceConfig, opts: AddOptions = {}): Promise<SourceInfo> {
    const pub = publicConfig(config);
    const existing = this.#records.find((r) => sameSource(r.config, pub));
    const secret = config.kind === 'pbs' ? (config.secret ?? (existing ? this.#secrets.get(existing.id) : undefined)) : undefined;
    const full = this.#fullConfig(pub, secret);
    const opened = await this.#opener(full);
    const id = existing?.id ?? `src-${randomBytes(6).toString('hex')}`;
    const record: SourceRecord = {
      id,
      label: opts.label ?? existing?.label ?? defaultLabel(pub),
      config: pub,
      addedAt: existing?.addedAt ?? Date.now(),
      ...((opts.demo ?? existing?.demo) ? { demo: opts.demo ?? existing!.demo! } : {}),
    };
    if (secret !== undefined) {
      this.#secrets.set(id, secret);
      const sealed = sealSecret(secret, this.#box, opts.rememberSecret ?? false);
      if (sealed) record.secret = sealed;
    }
    this.#keepOpen(id, opened);
    if (existing) this.#records[this.#records.indexOf(existing)] = record;
    else this.#records.push(record);
    await this.#save();
    return this.#info(record);
  }

  /**
   * Changes a saved source in place (same id, so its jobs and history keep pointing at it): the
   * new configuration is opened first, and only saved when that works. Without a secret in
   * `config` the one known is kept; the kind cannot change. A label that was the default follows
   * the new configuration. Trusting a server's new certificate is this with the new fingerprint.
   */
  async update(id: string, config: SourceConfig, opts: { label?: string; rememberSecret?: boolean } = {}): Promise<SourceInfo> {
    const r = this.#record(id);
    if (config.kind !== r.config.kind) throw new RestoreError('INVALID_STATE', `${r.label} is a ${r.config.kind === 'pbs' ? 'PBS server' : 'datastore folder'}; remove it and add the other kind`);
    const pub = publicConfig(config);
    const other = this.#records.find((x) => x !== r && sameSource(x.config, pub));
    if (other) throw new RestoreError('INVALID_STATE', `the source ${JSON.stringify(other.label)} already reads from there`);
    const given = config.kind === 'pbs' ? config.secret : undefined;
    const secret = config.kind === 'pbs' ? (given ?? this.#secrets.get(id)) : undefined;
    const opened = await this.#opener(this.#fullConfig(pub, secret));
    const label = opts.label ?? (r.label === defaultLabel(r.config) ? defaultLabel(pub) : r.label);
    const next: SourceRecord = { ...r, label, config: pub };
    delete next.secret;
    if (secret !== undefined) {
      this.#secrets.set(id, secret);
      // A secret typed in now is kept as asked; the one already known stays kept as it was.
      const sealed = given !== undefined || opts.rememberSecret !== undefined ? sealSecret(secret, this.#box, opts.rememberSecret ?? r.secret?.kind === 'plain') : r.secret;
      if (sealed) next.secret = sealed;
    }
    // The old connection reads the old place (or trusts the old certificate): replaced.
    await this.#closeOpen(id);
    this.#open.set(id, Promise.resolve(opened));
    this.#records[this.#records.indexOf(r)] = next;
    await this.#save();
    return this.#info(next);
  }

  async setSecret(id: string, secret: string, rememberSecret: boolean): Promise<SourceInfo> {
    const r = this.#record(id);
    if (r.config.kind !== 'pbs') throw new RestoreError('INVALID_STATE', `${r.label} is a datastore folder; it has no secret`);
    const opened = await this.#opener(this.#fullConfig(r.config, secret));
    this.#secrets.set(id, secret);
    const sealed = sealSecret(secret, this.#box, rememberSecret);
    if (sealed) r.secret = sealed;
    else delete r.secret;
    this.#keepOpen(id, opened);
    await this.#save();
    return this.#info(r);
  }

  async remove(id: string): Promise<SourceRecord> {
    const r = this.#record(id);
    this.#records = this.#records.filter((x) => x !== r);
    this.#secrets.delete(id);
    await this.#closeOpen(id);
    await this.#save();
    return r;
  }

  /** The open source, opening it on first use. */
  open(id: string): Promise<OpenedSource> {
    const r = this.#record(id);
    let p = this.#open.get(id);
    if (!p) {
      p = this.#opener(this.#fullConfig(r.config, this.#secrets.get(id)));
      this.#open.set(id, p);
      // A failed open is not cached: the folder may be mounted or the server back later.
      p.catch(() => {
        if (this.#open.get(id) === p) this.#open.delete(id);
      });
    }
    return p;
  }

  async test(target: { id: string } | { config: SourceConfig }): Promise<SourceTestResult> {
    if ('id' in target) {
      const opened = await this.open(target.id);
      return { label: opened.label, datastores: await opened.listDatastores() };
    }
    const opened = await this.#opener(target.config);
    try {
      return { label: opened.label, datastores: await opened.listDatastores() };
    } finally {
      await opened.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#open.keys()].map((id) => this.#closeOpen(id)));
    await this.#file.flush();
  }

  #record(id: string): SourceRecord {
    const r = this.#records.find((x) => x.id === id);
    if (!r) throw new RestoreError('SOURCE_NOT_FOUND', `no source with id ${JSON.stringify(id)}`);
    return r;
  }

  #fullConfig(pub: PublicSourceConfig, secret: string | undefined): SourceConfig {
    if (pub.kind === 'datastore') return pub;
    if (secret === undefined) {
      throw new RestoreError('SECRET_REQUIRED', `the secret for ${pub.authId} on ${pub.host} was not kept: enter it again`);
    }
    return { ...pub, secret } satisfies PbsSourceConfig;
  }

  #keeping(r: SourceRecord): SecretKeeping {
    if (r.config.kind !== 'pbs') return 'none';
    if (r.secret) return r.secret.kind;
    return this.#secrets.has(r.id) ? 'session' : 'missing';
  }

  #info(r: SourceRecord): SourceInfo {
    return {
      id: r.id,
      label: r.label,
      config: r.config,
      secret: this.#keeping(r),
      addedAt: r.addedAt,
      ...(r.demo ? { demo: r.demo } : {}),
    };
  }

  /**
   * Caches a source just opened to check it, unless one is open already: running jobs read from
   * that one, so it stays and the new connection is closed.
   */
  #keepOpen(id: string, opened: OpenedSource): void {
    if (this.#open.has(id)) void opened.close().catch(() => {});
    else this.#open.set(id, Promise.resolve(opened));
  }

  async #closeOpen(id: string): Promise<void> {
    const p = this.#open.get(id);
    this.#open.delete(id);
    if (p) await p.then((o) => o.close()).catch(() => {});
  }

  async #save(): Promise<void> {
    await this.#file.write({ version: 1, sources: this.#records });
    this.#onChange(this.list());
  }
}
