// Independent zip readers for the tests: Info-ZIP's unzip and Python's zipfile (both Debian
// packages CI installs). Our writer is only trusted as far as these read back what it wrote.
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface PyZipEntry {
  name: string;
  size: number;
  compressedSize: number;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  /** external_attr >> 16: the Unix st_mode. */
  mode: number;
  dateTime: [number, number, number, number, number, number];
  headerOffset: number;
  flags: number;
  /** Unix mtime from the extended timestamp extra (0x5455), if present. */
  utime?: number;
  /** SHA-256 and length of the content as zipfile decompresses it (CRC checked by zipfile). */
  sha256?: string;
  read?: number;
}

const PY = `
import hashlib, json, struct, sys, zipfile
path, hash_arg, count_arg = sys.argv[1], sys.argv[2], sys.argv[3]
only = None if hash_arg == '*' else set(json.loads(hash_arg))
count_only = set(json.loads(count_arg))
out = []
with zipfile.ZipFile(path) as z:
    for i in z.infolist():
        e = dict(name=i.filename, size=i.file_size, compressedSize=i.compress_size, method=i.compress_type,
                 crc=i.CRC, mode=i.external_attr >> 16, dateTime=list(i.date_time), headerOffset=i.header_offset,
                 flags=i.flag_bits)
        x = i.extra
        while len(x) >= 4:
            tag, n = struct.unpack('<HH', x[:4])
            if tag == 0x5455 and n >= 5 and x[4] & 1:
                e['utime'] = struct.unpack('<i', x[5:9])[0]
            x = x[4 + n:]
        counting = i.filename in count_only
        if not i.is_dir() and (only is None or i.filename in only or counting):
            h = hashlib.sha256(); n = 0
            with z.open(i) as f:
                while True:
                    b = f.read(1 << 22)
                    if not b: break
                    if not counting: h.update(b)
                    n += len(b)
            if not counting: e['sha256'] = h.hexdigest()
            e['read'] = n
        out.append(e)
print(json.dumps(out))
`;

/**
 * Python's view of a zip. Reads the members named in `read` (all with '*') and gives their SHA-256;
 * members in `countOnly` are read and counted only (zipfile still checks their CRC-32 at the end).
 */
export async function pyZip(path: string, read: string[] | '*' = '*', countOnly: string[] = []): Promise<PyZipEntry[]> {
  const r = await run('python3', ['-c', PY, path, read === '*' ? '*' : JSON.stringify(read), JSON.stringify(countOnly)]);
  if (r.code !== 0) throw new Error(`python zipfile failed on ${path}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as PyZipEntry[];
}
