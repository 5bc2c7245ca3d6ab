// Compressible, text-like chunk content for the demo disks: syslog, web server and database logs,
// package histories and config lines with varying numbers. Real guest disks are full of such
// files, and they make zstd earn its keep (a few times smaller), unlike the random chunks.
// The text is a pure function of the content id, so every run writes the same bytes.
import { createHash } from 'node:crypto';

/** mulberry32: a tiny, fast PRNG; quality is irrelevant, determinism is what matters. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HOSTS = ['web01', 'db01', 'app02', 'k8s-test', 'staging-db', 'backup-server'];
const UNITS = ['cron', 'sshd', 'systemd', 'postfix/smtpd', 'dhclient', 'chronyd', 'nginx', 'php-fpm8.2'];
const PATHS = ['/api/v1/items', '/api/v1/orders', '/static/app.js', '/login', '/index.php', '/healthz', '/img/logo.png'];
const PACKAGES = ['libssl3:amd64', 'openssh-server:amd64', 'nginx:amd64', 'postgresql-15:amd64', 'tzdata:all', 'linux-image-amd64:amd64'];
const SYSCTL = ['net.ipv4.ip_forward', 'vm.swappiness', 'fs.inotify.max_user_watches', 'net.core.somaxconn', 'kernel.pid_max'];

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** One plausible line; `r` picks the template and every number in it. */
function line(r: () => number): string {
  const int = (n: number): number => Math.floor(r() * n);
  const time = `${pad2(int(24))}:${pad2(int(60))}:${pad2(int(60))}`;
  const host = HOSTS[int(HOSTS.length)]!;
  const ip = `10.0.${int(8)}.${1 + int(250)}`;
  switch (int(6)) {
    case 0:
      return `${MONTHS[int(12)]} ${1 + int(28)} ${time} ${host} ${UNITS[int(UNITS.length)]}[${100 + int(60000)}]: session ${int(99999)} opened for user root by (uid=0)\n`;
    case 1:
      return `${ip} - - [${1 + int(28)}/Jan/2026:${time} +0000] "GET ${PATHS[int(PATHS.length)]}/${int(100000)} HTTP/1.1" ${r() < 0.9 ? 200 : 404} ${int(60000)} "-" "Mozilla/5.0 (X11; Linux x86_64)"\n`;
    case 2:
      return `2026-01-${pad2(1 + int(28))} ${time}.${int(1000)} UTC [${1000 + int(9000)}] LOG:  checkpoint complete: wrote ${int(5000)} buffers (${(r() * 10).toFixed(1)}%); 0 WAL file(s) added, ${int(4)} removed\n`;
    case 3:
      return `2026-01-${pad2(1 + int(28))} ${time} status installed ${PACKAGES[int(PACKAGES.length)]} ${1 + int(3)}.${int(20)}.${int(40)}-${1 + int(5)}+deb12u${1 + int(9)}\n`;
    case 4:
      return `${SYSCTL[int(SYSCTL.length)]} = ${int(65536)}\n`;
    default:
      return `[${String(int(99999)).padStart(5)}.${String(int(1000000)).padStart(6, '0')}] EXT4-fs (sda${1 + int(3)}): mounted filesystem with ordered data mode. Quota mode: none.\n`;
  }
}

/** `length` bytes of log-like text, derived from the content id alone. */
export function fillText(contentId: string, length: number): Buffer {
  const r = prng(createHash('sha256').update(`restore-console-demo-text\0${contentId}`).digest().readUInt32LE(0));
  const out = Buffer.allocUnsafe(length);
  let off = 0;
  // Lines are batched into one string per ~64 KiB: few Buffer writes, little garbage.
  while (off < length) {
    const parts: string[] = [];
    let n = 0;
    while (n < 65536) {
      const l = line(r);
      parts.push(l);
      n += l.length;
    }
    off += out.write(parts.join(''), off, 'latin1');
  }
  return out;
}
