// The guest configuration and task log texts that Proxmox VE stores next to the disk images:
// qemu-server.conf.blob (VMs), pct.conf.blob (containers) and client.log.blob (the vzdump log).
// Restore Console shows the config to help pick the right snapshot, so it should read like the
// real thing: PVE writes the notes as `#` lines, then the keys sorted, and vzdump appends one
// `#qmdump#map:` line per backed-up disk (PVE::VZDump::QemuServer).
import { createHash } from 'node:crypto';
import { backupTimeName } from '../pbs/names.ts';

/** PVE::JSONSchema::format_size: the largest unit that divides the size exactly. */
export function pveSize(bytes: number): string {
  for (const [unit, factor] of [['T', 2 ** 40], ['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) {
    if (bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

export interface VmDisk {
  /** PVE device name: `scsi0`, `efidisk0`, …; the archive is `drive-<device>.img.fidx`. */
  device: string;
  size: number;
  /** Extra drive options, e.g. `iothread=1` or `efitype=4m,pre-enrolled-keys=1`. */
  options?: string;
}

export interface VmGuest {
  vmid: number;
  name: string;
  cores: number;
  memory: number;
  ostype: string;
  /** Last two octets of the Proxmox-OUI MAC (BC:24:11:…). */
  mac: string;
  disks: VmDisk[];
  ovmf?: boolean;
  description?: string;
}

/** A stable, UUID-shaped id (smbios1, vmgenid): real ones are random, the demo's must not be. */
const uuidOf = (vmid: number, what: string): string => {
  const h = createHash('sha256').update(`${what}:${vmid}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** The VM's config as vzdump stores it in qemu-server.conf.blob. */
export function qemuConfig(vm: VmGuest): string {
  const keys: Record<string, string> = {
    boot: 'order=scsi0;net0',
    cores: String(vm.cores),
    cpu: 'x86-64-v2-AES',
    memory: String(vm.memory),
    meta: 'creation-qemu=9.0.2,ctime=1764547200',
    name: vm.name,
    net0: `virtio=BC:24:11:${vm.mac},bridge=vmbr0,firewall=1`,
    numa: '0',
    ostype: vm.ostype,
    scsihw: 'virtio-scsi-single',
    smbios1: `uuid=${uuidOf(vm.vmid, 'smbios')}`,
    sockets: '1',
    vmgenid: uuidOf(vm.vmid, 'vmgen'),
  };
  if (vm.ovmf) {
    keys.bios = 'ovmf';
    keys.machine = 'pc-q35-9.0';
  }
  for (const d of vm.disks) {
    keys[d.device] = `local-lvm:vm-${vm.vmid}-disk-${vm.disks.indexOf(d)},${d.options ? `${d.options},` : ''}size=${pveSize(d.size)}`;
  }
  const notes = (vm.description ?? '').split('\n').filter(Boolean).map((l) => `#${l}\n`).join('');
  const body = Object.keys(keys).sort().map((k) => `${k}: ${keys[k]}\n`).join('');
  const maps = vm.disks.map((d) => `#qmdump#map:${d.device}:drive-${d.device}:local-lvm:raw:\n`).join('');
  return notes + body + maps;
}

/** A container's config as vzdump stores it in pct.conf.blob. */
export function lxcConfig(ct: { vmid: number; hostname: string; memory: number; rootfsSize: number; mac: string }): string {
  return [
    'arch: amd64',
    'cores: 2',
    'features: nesting=1',
    `hostname: ${ct.hostname}`,
    `memory: ${ct.memory}`,
    `net0: name=eth0,bridge=vmbr0,firewall=1,hwaddr=BC:24:11:${ct.mac},ip=dhcp,type=veth`,
    'ostype: debian',
    `rootfs: local-lvm:vm-${ct.vmid}-disk-0,size=${pveSize(ct.rootfsSize)}`,
    'swap: 512',
    'unprivileged: 1',
    '',
  ].join('\n');
}

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** The vzdump task log PVE uploads as client.log.blob after a VM backup. */
export function vzdumpLog(vm: VmGuest, time: number, reusedBytes: number): string {
  const total = vm.disks.reduce((s, d) => s + d.size, 0);
  const stamp = new Date(time * 1000).toISOString().replace('T', ' ').slice(0, 19);
  return [
    `INFO: starting new backup job: vzdump ${vm.vmid} --storage pbs-demo --mode snapshot --node pve1`,
    `INFO: Starting Backup of VM ${vm.vmid} (qemu)`,
    `INFO: Backup started at ${stamp}`,
    'INFO: status = running',
    `INFO: VM Name: ${vm.name}`,
    ...vm.disks.map((d) => `INFO: include disk '${d.device}' 'local-lvm:vm-${vm.vmid}-disk-${vm.disks.indexOf(d)}' ${pveSize(d.size)}`),
    'INFO: backup mode: snapshot',
    `INFO: creating Proxmox Backup Server archive 'vm/${vm.vmid}/${backupTimeName(time)}'`,
    // A later backup only reads what the dirty bitmap marks as changed since the previous one.
    ...vm.disks.map((d) => `INFO: ${d.device}: dirty-bitmap status: ${reusedBytes > 0 ? `OK (${mib(d.size * (1 - reusedBytes / total))} of ${mib(d.size)} dirty)` : 'created new'}`),
    `INFO: 100% (${mib(total)} of ${mib(total)}) in 3s, read: ${mib(total / 3)}/s, write: ${mib((total - reusedBytes) / 3)}/s`,
    `INFO: backup was done incrementally, reused ${mib(reusedBytes)} (${Math.round((100 * reusedBytes) / total)}%)`,
    `INFO: Finished Backup of VM ${vm.vmid} (00:00:04)`,
    '',
  ].join('\n');
}
