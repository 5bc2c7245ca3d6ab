// The file trees inside the demo's file archives (root.pxar.didx), so a new user can browse a
// container backup at once: a small Debian container root (ct/300, a staging database server that
// also runs nginx) and the /etc and /root of the PBS host. Each has config files to read, symlinks
// (/bin -> usr/bin, the nginx site, /etc/localtime), empty directories, a hardlink (perl and
// perl5.36.0 are one inode on Debian), and files larger than a chunk (a database relation, a
// rotated log). Contents are pure functions of the names and the generation, like the disks'.
import type { PxarMeta, PxarNode } from '../pbs/pxar/encoder.ts';
import { fillRandom, unit } from './diskContent.ts';
import { fillText } from './textContent.ts';

export type DemoFileTree = 'ct' | 'host';

type Meta = Omit<PxarMeta, 'mode'>;

interface Ctx {
  /** Average chunk size of the archive: the large files span a few chunks. */
  chunk: number;
  seed: string;
}

const dir = (name: string, children: PxarNode[], mode = 0o755, meta: Meta = {}): PxarNode => ({ kind: 'dir', name, mode, ...meta, children });

function text(name: string, content: string, mode = 0o644, meta: Meta = {}): PxarNode {
  return { kind: 'file', name, mode, ...meta, data: Buffer.from(content) };
}

function generated(ctx: Ctx, name: string, kind: 'text' | 'random', length: number, mode = 0o644, meta: Meta = {}): PxarNode {
  const id = `${ctx.seed}:${name}:${length}`;
  return { kind: 'file', name, mode, ...meta, data: kind === 'text' ? fillText(id, length) : fillRandom(id, length) };
}

const link = (name: string, target: string): PxarNode => ({ kind: 'symlink', name, mode: 0o777, target });

const NGINX_CONF = `user www-data;
worker_processes auto;
pid /run/nginx.pid;
include /etc/nginx/modules-enabled/*.conf;

events {
\tworker_connections 768;
}

http {
\tsendfile on;
\ttcp_nopush on;
\ttypes_hash_max_size 2048;
\tinclude /etc/nginx/mime.types;
\tdefault_type application/octet-stream;
\tssl_protocols TLSv1.2 TLSv1.3;
\taccess_log /var/log/nginx/access.log;
\terror_log /var/log/nginx/error.log;
\tgzip on;
\tinclude /etc/nginx/conf.d/*.conf;
\tinclude /etc/nginx/sites-enabled/*;
}
`;

const SITE = `server {
\tlisten 80 default_server;
\tlisten [::]:80 default_server;
\troot /var/www/html;
\tindex index.html;
\tserver_name _;
\tlocation / {
\t\ttry_files $uri $uri/ =404;
\t}
}
`;

const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

function containerRoot(ctx: Ctx, hostname: string): PxarNode[] {
  const pg = { uid: 105, gid: 111 };
  const perl = generated(ctx, 'perl', 'random', 3 * 1024 + 517, 0o755);
  return [
    link('bin', 'usr/bin'),
    dir('dev', []),
    dir('etc', [
      text('fstab', '# UNCONFIGURED FSTAB FOR BASE SYSTEM\n'),
      text('hostname', `${hostname}\n`),
      text('hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`),
      link('localtime', '/usr/share/zoneinfo/Europe/Vienna'),
      dir('nginx', [
        dir('conf.d', []),
        text('nginx.conf', NGINX_CONF),
        dir('sites-available', [text('default', SITE)]),
        dir('sites-enabled', [link('default', '/etc/nginx/sites-available/default')]),
      ]),
      text('os-release', OS_RELEASE),
      text('passwd', `root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\npostgres:x:105:111:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n`),
      dir('postgresql', [dir('15', [dir('main', [
        text('pg_hba.conf', 'local   all             postgres                                peer\nhost    all             all             10.0.0.0/16             scram-sha-256\n', 0o640, pg),
        text('postgresql.conf', "data_directory = '/var/lib/postgresql/15/main'\nlisten_addresses = '*'\nport = 5432\nmax_connections = 100\nshared_buffers = 512MB\n", 0o644, pg),
      ], 0o755, pg)], 0o755, pg)]),
      text('shadow', 'root:*:19700:0:99999:7:::\n', 0o640, { gid: 42 }),
    ]),
    link('lib', 'usr/lib'),
    dir('root', [
      text('.bashrc', "export LS_OPTIONS='--color=auto'\nalias ls='ls $LS_OPTIONS'\n"),
      dir('.ssh', [text('authorized_keys', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKeyNotARealKey admin@pve1\n', 0o600)], 0o700),
    ], 0o700),
    dir('run', []),
    dir('tmp', [], 0o1777),
    dir('usr', [
      dir('bin', [perl, { kind: 'hardlink', name: 'perl5.36.0', target: 'usr/bin/perl' }]),
      dir('lib', []),
      dir('share', [dir('zoneinfo', [dir('Europe', [generated(ctx, 'Vienna', 'random', 2200)])])]),
    ]),
    dir('var', [
      dir('lib', [dir('postgresql', [dir('15', [dir('main', [
        text('PG_VERSION', '15\n', 0o600, pg),
        dir('base', [dir('16384', [
          // A table's first segment: larger than a chunk, so reading it fetches several.
          generated(ctx, '16385', 'random', Math.round(2.5 * ctx.chunk), 0o600, pg),
          generated(ctx, '16385_fsm', 'random', Math.round(0.1 * ctx.chunk), 0o600, pg),
        ], 0o700, pg)], 0o700, pg),
      ], 0o700, pg)], 0o755, pg)], 0o755, pg)]),
      dir('log', [
        dir('nginx', [generated(ctx, 'access.log', 'text', Math.round(0.4 * ctx.chunk), 0o640, { uid: 33, gid: 4 })]),
        generated(ctx, 'syslog', 'text', Math.round(1.2 * ctx.chunk), 0o640, { gid: 4 }),
      ]),
      dir('www', [dir('html', [text('index.html', `<!doctype html>\n<title>${hostname}</title>\n<h1>It works</h1>\n`)])]),
    ]),
  ];
}

function hostRoot(ctx: Ctx, hostname: string): PxarNode[] {
  return [
    dir('etc', [
      text('hostname', `${hostname}\n`),
      text('hosts', `127.0.0.1 localhost\n10.0.0.5 ${hostname}.lab.example ${hostname}\n`),
      link('localtime', '/usr/share/zoneinfo/Europe/Vienna'),
      text('os-release', OS_RELEASE),
      dir('proxmox-backup', [
        text('datastore.cfg', 'datastore: store1\n\tcomment main datastore\n\tgc-schedule daily\n\tpath /mnt/datastore/store1\n', 0o640, { uid: 34, gid: 34 }),
        text('user.cfg', 'user: root@pam\n\tcomment Superuser\n\tenable true\n\texpire 0\n', 0o640, { uid: 34, gid: 34 }),
        text('verification.cfg', 'verification: v-3f2a1b7c-9d4e\n\tignore-verified true\n\tns \n\toutdated-after 30\n\tschedule daily\n\tstore store1\n', 0o640, { uid: 34, gid: 34 }),
      ], 0o700, { uid: 34, gid: 34 }),
      dir('ssh', [text('sshd_config', 'Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\nPermitRootLogin prohibit-password\n')]),
    ]),
    dir('root', [
      text('.bashrc', "export LS_OPTIONS='--color=auto'\n"),
      dir('.ssh', [], 0o700),
      // A config export kept on the host: larger than a chunk.
      generated(ctx, 'pbs-config-2026-01-13.tar.zst', 'random', Math.round(2.2 * ctx.chunk), 0o600),
      generated(ctx, 'gc-2026-01-13.log', 'text', Math.round(0.9 * ctx.chunk)),
    ], 0o700),
  ];
}

/** The demo tree of a container ('ct') or host ('host') backup. */
export function demoFileTree(kind: DemoFileTree, opts: { hostname: string; mtime: number; chunkSize: number; generation: number }): PxarMeta & { children: PxarNode[] } {
  const ctx: Ctx = { chunk: opts.chunkSize, seed: `${kind}:${opts.hostname}:g${opts.generation}` };
  const children = kind === 'ct' ? containerRoot(ctx, opts.hostname) : hostRoot(ctx, opts.hostname);
  return { mode: 0o755, mtime: opts.mtime, children: stamp(children, opts.mtime, '') };
}

/** Modification times spread over the 90 days before the backup, fixed per path. */
function stamp(nodes: PxarNode[], backupTime: number, parent: string): PxarNode[] {
  return nodes.map((n) => {
    if (n.kind === 'hardlink') return n;
    const path = `${parent}/${n.name}`;
    const withTime = { ...n, mtime: backupTime - Math.floor(unit('demo-mtime', path) * 90 * 86400) };
    return withTime.kind === 'dir' ? { ...withTime, children: stamp(withTime.children, backupTime, path) } : withTime;
  });
}
