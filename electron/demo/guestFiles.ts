// The files inside the demo VMs' boot disks: enough of a Debian or Ubuntu root filesystem that
// "browse files" on a demo disk shows something a person recognises (/etc/hostname, /etc/fstab,
// a config of the VM's role, an admin's notes), all derived from the VM's name and family.
import type { GuestFile } from './extWriter.ts';

export interface GuestSpec {
  hostname: string;
  /** The demo family ('debian12', 'debian12-db', 'ubuntu24', …): decides the OS and the role. */
  family: string;
}

const DEBIAN = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

const UBUNTU = `PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
`;

/** What each role adds: a config file or two and the admin's notes. */
function roleFiles(spec: GuestSpec): { files: GuestFile[]; notes: string } {
  const { hostname } = spec;
  if (spec.family.includes('-db')) {
    return {
      files: [
        { path: '/etc/postgresql/15/main/postgresql.conf', kind: 'file', data: "listen_addresses = '10.0.1.11'\nshared_buffers = 2GB\nwork_mem = 32MB\nmax_connections = 200\nwal_level = replica\n", uid: 106, gid: 113 },
        { path: '/etc/postgresql/15/main/pg_hba.conf', kind: 'file', data: 'local all postgres peer\nhost app app 10.0.1.0/24 scram-sha-256\n', perm: 0o640, uid: 106, gid: 113 },
      ],
      notes: `${hostname}: PostgreSQL 15, data in /var/lib/postgresql/15/main\n- nightly pg_dump to /srv/dumps at 01:30, before the 02:10 backup\n- upgrade to 17: pg_upgradecluster 15 main, then drop the old cluster\n`,
    };
  }
  if (hostname.startsWith('k8s')) {
    return {
      files: [{ path: '/etc/rancher/k3s/config.yaml', kind: 'file', data: 'write-kubeconfig-mode: "0644"\ndisable:\n  - traefik\ncluster-cidr: 10.42.0.0/16\n' }],
      notes: `${hostname}: single-node k3s for testing charts\n- kubeconfig: /etc/rancher/k3s/k3s.yaml\n- wiped and rebuilt every Monday\n`,
    };
  }
  if (spec.family.startsWith('ubuntu')) {
    return {
      files: [{ path: '/opt/app/config.yaml', kind: 'file', data: 'listen: 0.0.0.0:8080\ndatabase: postgres://app@db01/app\nlog_level: info\n', uid: 1000, gid: 1000 }],
      notes: `${hostname}: the app server (systemd unit app.service)\n- config in /opt/app/config.yaml, secrets in /etc/app/env (not in git)\n- UEFI guest: the EFI vars live on efidisk0\n`,
    };
  }
  return {
    files: [
      { path: '/etc/nginx/sites-available/default', kind: 'file', data: 'server {\n    listen 80 default_server;\n    root /var/www/html;\n    index index.php index.html;\n    location ~ \\.php$ { fastcgi_pass unix:/run/php/php8.2-fpm.sock; include snippets/fastcgi-php.conf; }\n}\n' },
      { path: '/etc/nginx/sites-enabled/default', kind: 'symlink', data: '/etc/nginx/sites-available/default' },
      { path: '/var/www/html/index.html', kind: 'file', data: `<!doctype html>\n<title>${hostname}</title>\n<h1>It works.</h1>\n`, uid: 33, gid: 33 },
    ],
    notes: `${hostname}: public web server (nginx + php-fpm)\n- certificates renew via certbot.timer\n- site content is deployed from git, only uploads/ needs the backup\n`,
  };
}

/** The guest's files; `rootUuid` and `swapUuid` go into its fstab as the installer writes it. */
export function guestFiles(spec: GuestSpec, rootUuid: string, swapUuid: string): GuestFile[] {
  const { files, notes } = roleFiles(spec);
  return [
    { path: '/etc/hostname', kind: 'file', data: `${spec.hostname}\n` },
    { path: '/etc/hosts', kind: 'file', data: `127.0.0.1\tlocalhost\n127.0.1.1\t${spec.hostname}.lab.example\t${spec.hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n` },
    {
      path: '/etc/fstab',
      kind: 'file',
      data: `# /etc/fstab: static file system information.\n# <file system> <mount point> <type> <options> <dump> <pass>\nUUID=${rootUuid} / ext4 errors=remount-ro 0 1\nUUID=${swapUuid} none swap sw 0 0\n`,
    },
    { path: '/etc/os-release', kind: 'file', data: spec.family.startsWith('ubuntu') ? UBUNTU : DEBIAN },
    { path: '/etc/localtime', kind: 'symlink', data: '/usr/share/zoneinfo/Etc/UTC' },
    { path: '/etc/motd', kind: 'file', data: `\n${spec.hostname} — managed by the ops team. Backups nightly to PBS.\n\n` },
    { path: '/home/admin', kind: 'dir', uid: 1000, gid: 1000 },
    { path: '/home/admin/notes.txt', kind: 'file', data: notes, uid: 1000, gid: 1000 },
    { path: '/home/admin/.profile', kind: 'file', data: 'if [ -n "$BASH_VERSION" ] && [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi\n', uid: 1000, gid: 1000 },
    { path: '/root/.bash_history', kind: 'file', data: 'apt update && apt full-upgrade\nsystemctl status\ndf -h\njournalctl -p err -b\n', perm: 0o600 },
    { path: '/tmp', kind: 'dir', perm: 0o1777 },
    { path: '/var/log', kind: 'dir' },
    ...files,
  ];
}
