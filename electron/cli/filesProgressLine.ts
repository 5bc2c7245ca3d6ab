// The live progress line of `files get` on a terminal: entries and bytes against the totals of
// the counting pass, the percentage by bytes, and the path being copied (shortened from the left).
import type { FilesProgress } from '../../shared/files.ts';
import { formatBytes } from '../../shared/units.ts';

const WIDTH = 100;

export class FilesProgressLine {
  readonly #stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  line(p: FilesProgress): string {
    if (p.phase === 'scan') return 'counting entries…';
    const of = (n: number, total: number | undefined, f: (x: number) => string): string => (total === undefined ? f(n) : `${f(n)}/${f(total)}`);
    const pct = p.totalBytes ? `${((100 * Math.min(p.bytes, p.totalBytes)) / p.totalBytes).toFixed(1).padStart(5)}%  ` : '';
    const head = `${pct}${of(p.files, p.totalFiles, String)} entries  ${of(p.bytes, p.totalBytes, (b) => formatBytes(b, 'iec'))}${p.skipped ? `  ${p.skipped} skipped` : ''}`;
    const room = Math.max(10, WIDTH - head.length - 2);
    const current = p.current ?? '';
    return `${head}  ${current.length > room ? `…${current.slice(-(room - 1))}` : current}`;
  }

  update(p: FilesProgress): void {
    this.#stream.write(`\r\x1b[2K${this.line(p)}`);
  }

  end(): void {
    this.#stream.write('\n');
  }
}
