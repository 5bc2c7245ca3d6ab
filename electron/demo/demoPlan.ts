// What the demo datastore contains: the groups, snapshots and disks of a small PVE cluster backed
// up to PBS, chosen so every feature of Restore Console has something to show: deduplicated daily
// snapshots (vm/100), an encrypted VM (vm/101), a VM with two disks including a tiny EFI vars disk
// (vm/102), a host backup, nested namespaces with a container, a protected snapshot, verify
// results (one failed) and snapshot notes. Times are fixed 2026 epochs so runs are reproducible.
//
// The order matters to a new user: the host backup (file archives only) lives in the namespace
// `infra`, so the first row of the root namespace in Browse is a VM with a disk image (groups list
// as PBS lists them: ct, host, vm). And one small VM snapshot is written first (writeOrder), so
// it can be browsed and restored within seconds while the rest is written.
//
// Sizes are given for the full scale (4 MiB chunks, as PBS writes them for VMs); the small scale
// divides every size by 64 (64 KiB chunks), which keeps the chunk counts and therefore the chunk
// layout (zeros, repeats, short last chunks) identical while the whole datastore stays tiny.
import type { DemoFileTree } from './fileTrees.ts';
import type { VmGuest } from './guestConfigs.ts';

export type DemoScale = 'full' | 'small';

const MiB = 2 ** 20;
const KiB = 2 ** 10;
const FULL_CHUNK_SIZE = 4 * MiB;
const SMALL_DIVISOR = 64;

export interface PlannedSnapshot {
  time: number;
  protected?: boolean;
  verify?: 'ok' | 'failed';
  /** Snapshot notes (unprotected.notes); the first line is the comment lists show. */
  notes?: string;
}

export interface PlannedGroup {
  ns: string;
  type: 'vm' | 'ct' | 'host';
  id: string;
  /** Group notes; the first line is the group's comment. */
  notes?: string;
  encrypted?: boolean;
  /** Disks of one family share repeated blocks (VMs cloned from one template). */
  family: string;
  vm?: VmGuest;
  ct?: { hostname: string; memory: number; rootfsSize: number; mac: string };
  /** Container and host backups: the tree their root.pxar.didx holds (fileTrees.ts). */
  files?: { tree: DemoFileTree; hostname: string };
  /** Also upload the vzdump log as client.log.blob, as PVE does. */
  clientLog?: boolean;
  /** Oldest first; snapshot n is generation n of the group's disks. */
  snapshots: PlannedSnapshot[];
  /**
   * Written before everything else (its oldest snapshot): an unencrypted VM of the root namespace
   * with a small partitioned boot disk, so a first snapshot is browsable and restorable at once.
   */
  writtenFirst?: boolean;
}

/** One snapshot to write: the group and which of its snapshots (the disks' generation). */
export interface PlannedWrite {
  group: PlannedGroup;
  generation: number;
}

const at = (month: number, day: number, h: number, m: number, s: number): number => Date.UTC(2026, month - 1, day, h, m, s) / 1000;

/** The demo's groups at the given scale. */
export function demoPlan(scale: DemoScale): { chunkSize: number; groups: PlannedGroup[] } {
  const div = scale === 'full' ? 1 : SMALL_DIVISOR;
  const size = (bytes: number): number => bytes / div;
  const groups: PlannedGroup[] = [
    {
      ns: '', type: 'vm', id: '100', notes: 'web server\nnginx + php-fpm, public site', family: 'debian12', clientLog: true,
      // A 3 MiB tail makes the last chunk short. At full scale this disk is 1 GiB (+3 MiB) so that a
      // restore takes a few seconds and the live view has something to show; small scale keeps the
      // /64 layout of a 259 MiB disk so tests stay quick.
      vm: { vmid: 100, name: 'web01', cores: 2, memory: 4096, ostype: 'l26', mac: '5A:3F:10', disks: [{ device: 'scsi0', size: scale === 'full' ? 1027 * MiB : size(259 * MiB), options: 'iothread=1' }] },
      snapshots: [
        { time: at(1, 12, 2, 0, 5), protected: true, verify: 'ok' },
        { time: at(1, 13, 2, 0, 4), verify: 'ok' },
        { time: at(1, 14, 2, 0, 6) },
      ],
    },
    {
      ns: '', type: 'vm', id: '101', notes: 'database (encrypted backups)', family: 'debian12-db', encrypted: true,
      vm: { vmid: 101, name: 'db01', cores: 4, memory: 8192, ostype: 'l26', mac: '5A:3F:11', disks: [{ device: 'scsi0', size: size(128 * MiB), options: 'iothread=1' }] },
      snapshots: [
        { time: at(1, 13, 2, 10, 11), verify: 'ok' },
        { time: at(1, 14, 2, 10, 9), notes: 'before PostgreSQL 17 upgrade\nrun pg_upgradecluster 15 main afterwards' },
      ],
    },
    {
      ns: '', type: 'vm', id: '102', family: 'ubuntu24', writtenFirst: true,
      // OVMF guest: the EFI vars disk of efitype=4m is 528 KiB, a single short chunk.
      vm: {
        vmid: 102, name: 'app02', cores: 2, memory: 4096, ostype: 'l26', mac: '5A:3F:12', ovmf: true,
        description: 'app server (UEFI)',
        disks: [
          { device: 'scsi0', size: size(162 * MiB), options: 'discard=on,iothread=1,ssd=1' },
          { device: 'efidisk0', size: size(528 * KiB), options: 'efitype=4m,pre-enrolled-keys=1' },
        ],
      },
      snapshots: [{ time: at(1, 14, 2, 20, 31), verify: 'ok' }],
    },
    {
      ns: 'infra', type: 'host', id: 'backup-server', notes: 'PBS host /etc and /root', family: 'pbs-host',
      files: { tree: 'host', hostname: 'backup-server' },
      snapshots: [{ time: at(1, 14, 3, 0, 0), verify: 'ok' }],
    },
    {
      ns: 'lab', type: 'vm', id: '200', family: 'debian12',
      vm: { vmid: 200, name: 'k8s-test', cores: 4, memory: 6144, ostype: 'l26', mac: '5A:3F:20', disks: [{ device: 'scsi0', size: size(64 * MiB), options: 'iothread=1' }] },
      snapshots: [
        { time: at(1, 10, 22, 0, 2), verify: 'failed' },
        { time: at(1, 14, 22, 0, 3) },
      ],
    },
    {
      ns: 'lab/staging', type: 'ct', id: '300', notes: 'staging database container', family: 'debian12-ct',
      ct: { hostname: 'staging-db', memory: 2048, rootfsSize: 8 * 2 ** 30, mac: '5A:3F:30' },
      files: { tree: 'ct', hostname: 'staging-db' },
      snapshots: [{ time: at(1, 14, 23, 30, 0) }],
    },
  ];
  return { chunkSize: FULL_CHUNK_SIZE / div, groups };
}

/**
 * The order snapshots are written in: the group marked `writtenFirst` (its oldest snapshot) first,
 * then the rest in plan order, each group's snapshots oldest first (as PBS receives them).
 */
export function writeOrder(groups: PlannedGroup[]): PlannedWrite[] {
  const all = groups.flatMap((group) => group.snapshots.map((_, generation) => ({ group, generation })));
  const first = all.findIndex((w) => w.group.writtenFirst && w.generation === 0);
  return first < 0 ? all : [all[first]!, ...all.slice(0, first), ...all.slice(first + 1)];
}

/** Image bytes the generator will produce, for progress (file archives are added as built). */
export function plannedImageBytes(groups: PlannedGroup[]): number {
  let total = 0;
  for (const g of groups) total += (g.vm?.disks ?? []).reduce((s, d) => s + d.size, 0) * g.snapshots.length;
  return total;
}
