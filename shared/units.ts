// Numbers for people, in every shell: bytes, rates, durations, times and ages. Base-10 units by
// default (MB = 10^6 bytes, as the CLI's MB/s and the summary's mbPerSec), base-2 on request (the
// UI's units setting, as KopiaUI offers it; the CLI lists sizes in base 2, as PBS does). Pure code.
export type Units = 'si' | 'iec';

const SI = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(n: number, units: Units = 'si'): string {
  if (!Number.isFinite(n)) return '–';
  const base = units === 'si' ? 1000 : 1024;
  const names = units === 'si' ? SI : IEC;
  let v = Math.abs(n);
  let i = 0;
  while (v >= base && i < names.length - 1) {
    v /= base;
    i++;
  }
  const digits = i === 0 ? 0 : v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${n < 0 ? '-' : ''}${v.toFixed(digits)} ${names[i]}`;
}

export function formatRate(bytesPerSec: number, units: Units = 'si'): string {
  return `${formatBytes(Math.max(0, bytesPerSec), units)}/s`;
}

/** 850 ms, 12.3 s, 4 min 05 s, 2 h 03 min. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A terminal clock for an ETA: 4:05, 2:03:00; "--:--" when there is none (Infinity, NaN, undefined). */
export function formatClock(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** "just now", "5 min ago", "3 h ago", "12 days ago"; short: "5m ago", "3h ago", "12d ago" (for tables). */
export function formatAge(epochMs: number, now: number = Date.now(), short = false): string {
  const s = Math.max(0, (now - epochMs) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return short ? `${Math.floor(s / 60)}m ago` : `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return short ? `${Math.floor(s / 3600)}h ago` : `${Math.floor(s / 3600)} h ago`;
  const d = Math.floor(s / 86400);
  if (short) return `${d}d ago`;
  return d === 1 ? '1 day ago' : `${d} days ago`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local time as YYYY-MM-DD HH:MM:SS (sortable, unambiguous, as PBS lists snapshots). */
export function formatTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local date as YYYY-MM-DD. */
export function formatDate(epochMs: number): string {
  return formatTime(epochMs).slice(0, 10);
}

export function formatPercent(part: number, whole: number, digits = 1): string {
  if (!(whole > 0)) return '0%';
  return `${Math.min(100, (part / whole) * 100).toFixed(digits)}%`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

const RATE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * A rate as proxmox-backup-client's --rate takes it, in bytes per second: plain (`1048576`) or with
 * a unit (`50MB` = 50·10^6, `20MiB` = 20·2^20, `1.5GB`, `50 MB/s`), units in any case. 0 is no cap.
 * Undefined when the text is none of these. The CLI's --rate and the app's rate fields read it.
 */
export function parseRate(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)(?:\/s)?\s*$/i.exec(text);
  const unit = m ? RATE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
