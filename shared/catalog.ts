// What a source (datastore directory or PBS server) says about its backups. Types only.

export type BackupType = 'vm' | 'ct' | 'host';
export type CryptMode = 'none' | 'encrypt' | 'sign-only';

export interface SnapshotFile {
  filename: string;
  /** Image or archive size for indexes, encoded file size for blobs. */
  size: number;
  cryptMode: CryptMode;
}

export interface SnapshotInfo {
  /** Namespace in string form, "" for the root. */
  ns: string;
  backupType: BackupType;
  backupId: string;
  /** Epoch seconds. */
  backupTime: number;
  files: SnapshotFile[];
  /** Sum of the file sizes. */
  size: number;
  protected: boolean;
  verifyState?: 'ok' | 'failed';
  /** Colon-hex fingerprint of the key the snapshot was made with. */
  keyFingerprint?: string;
  /** First line of the notes. */
  comment?: string;
  owner?: string;
}

export interface GroupInfo {
  ns: string;
  backupType: BackupType;
  backupId: string;
  lastBackup: number;
  backupCount: number;
  owner?: string;
  comment?: string;
}
