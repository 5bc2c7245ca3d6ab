// What the catalog commands add to BackupSource: one snapshot in detail, with its files sorted
// by kind, its notes and verify state from the manifest, and the guest configuration decoded as
// text (qemu-server.conf.blob for VMs, pct.conf.blob for containers), with the key when the
// snapshot is encrypted.
import type { ContractError, GuestConfig, SnapshotDetail, SnapshotFileDetail, SnapshotSelector } from '../../shared/contract.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import { decodeBlob } from '../pbs/dataBlob.ts';
import { RestoreError, toContractError } from '../../shared/errors.ts';
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES } from '../../shared/limits.ts';
import { guestConfigEntry } from '../engine/guestConfig.ts';
import { checkManifestKey, decodeManifestBlob, MANIFEST_BLOB_NAME } from '../pbs/manifest.ts';
import { formatSnapshotRef, type SnapshotRef } from '../pbs/names.ts';
import type { BackupSource } from '../source/chunkSource.ts';

/** The most of a guest configuration shown (marked truncated beyond). */
export const SHOWN_CONFIG_BYTES = 1024 * 1024;

export function fileKind(filename: string): SnapshotFileDetail['kind'] {
  if (filename.endsWith('.fidx')) return 'image';
  if (filename.endsWith('.didx')) return 'archive';
  return 'blob';
}

export function toRef(s: SnapshotSelector): SnapshotRef {
  return { ns: s.ns, type: s.type, id: s.id, time: s.time };
}

export interface KeyState {
  crypt?: CryptConfig;
  /** Why the given key could not be used (wrong password, unreadable file). */
  error?: ContractError;
}

export async function snapshotDetail(source: BackupSource, sourceId: string, sel: SnapshotSelector, key: KeyState): Promise<SnapshotDetail> {
  const ref = toRef(sel);
  const info = (await source.listSnapshots(sel.ns, { type: sel.type, id: sel.id })).find((s) => s.backupTime === sel.time);
  if (!info) {
    throw new RestoreError('SNAPSHOT_NOT_FOUND', `snapshot ${formatSnapshotRef(ref)}${sel.ns ? ` in namespace ${sel.ns}` : ''} not found in ${source.label}`);
  }
  const reader = await source.openSnapshot(ref);
  try {
    const manifest = decodeManifestBlob(await reader.readFile(MANIFEST_BLOB_NAME, undefined, MAX_MANIFEST_BYTES));
    const files: SnapshotFileDetail[] = info.files.map((f) => ({ ...f, kind: fileKind(f.filename), restorable: fileKind(f.filename) === 'image' }));
    const verify = manifest.unprotected.verify_state as { state?: unknown; upid?: unknown } | undefined;
    const notes = manifest.unprotected.notes;
    let config: GuestConfig | undefined;
    const entry = guestConfigEntry(manifest);
    if (entry) {
      const encrypted = entry.cryptMode === 'encrypt';
      config = { filename: entry.filename, encrypted };
      try {
        if (encrypted && !key.crypt) {
          throw key.error
            ? Object.assign(new RestoreError('MISSING_KEY', key.error.message), { info: key.error })
            : new RestoreError('MISSING_KEY', 'the configuration is encrypted: give the key file (and its password) to show it');
        }
        if (key.crypt) checkManifestKey(manifest, key.crypt, encrypted);
        const raw = await reader.readFile(entry.filename, undefined, MAX_CONFIG_BYTES);
        const text = decodeBlob(raw, { maxSize: MAX_CONFIG_BYTES, ...(encrypted ? { crypt: key.crypt!, cryptMode: 'encrypt' as const } : {}) });
        // What the UI shows is capped: a real configuration is a few KiB.
        if (text.length > SHOWN_CONFIG_BYTES) {
          config.text = text.subarray(0, SHOWN_CONFIG_BYTES).toString('utf8');
          config.truncated = true;
        } else config.text = text.toString('utf8');
      } catch (e) {
        config.error = (e as { info?: ContractError }).info ?? toContractError(e);
      }
    }
    return {
      sourceId,
      info,
      files,
      encrypted: manifest.files.some((f) => f.cryptMode === 'encrypt'),
      signed: manifest.signature !== null,
      ...(typeof notes === 'string' && notes.trim() ? { notes } : {}),
      ...(verify?.state === 'ok' || verify?.state === 'failed'
        ? { verify: { state: verify.state, ...(typeof verify.upid === 'string' ? { upid: verify.upid } : {}) } }
        : {}),
      ...(config ? { config } : {}),
    };
  } finally {
    await reader.close();
  }
}
