// What every FileTree does the same way: split a path into names, and stream a file's content in
// pieces of bounded size with the next piece already on its way (a remote chunk fetch overlaps the
// caller's work on the current piece). pxar archives and filesystems in disk images both use it.
import { RestoreError } from '../../shared/errors.ts';

/** Largest piece a file's content is handed out in: memory stays bounded whatever the file's size. */
export const PIECE = 1024 * 1024;

/** CANCELLED when the signal has fired (checked in every loop over archive or image data). */
export function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new RestoreError('CANCELLED', 'cancelled', { cause: signal.reason });
}

/** The names of an absolute path; '.' and empty components are ignored, '..' is refused. */
export function pathNames(path: string): string[] {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new RestoreError('PATH_NOT_FOUND', `${JSON.stringify(path)} is not an absolute path`);
  const names = path.split('/').filter((c) => c !== '' && c !== '.');
  if (names.includes('..')) throw new RestoreError('PATH_NOT_FOUND', `${JSON.stringify(path)}: '..' is not allowed in archive paths`);
  if (names.some((n) => n.includes('\0'))) throw new RestoreError('PATH_NOT_FOUND', `${JSON.stringify(path)}: a name holds a NUL byte`);
  return names;
}

/** A stretch of a file's content: `length` bytes at `offset` of the underlying reader, or a hole of zeros. */
export type Span = { offset: number; length: number } | { zeros: number };

type Piece = { offset: number; length: number } | { zeros: number };

async function* pieces(spans: AsyncIterable<Span> | Iterable<Span>): AsyncGenerator<Piece> {
  for await (const s of spans) {
    if ('zeros' in s) {
      for (let left = s.zeros; left > 0; left -= PIECE) yield { zeros: Math.min(PIECE, left) };
    } else {
      for (let at = 0; at < s.length; at += PIECE) yield { offset: s.offset + at, length: Math.min(PIECE, s.length - at) };
    }
  }
}

/**
 * The bytes of `spans`, in order, in pieces of at most PIECE bytes, one piece read ahead.
 * `read` must return exactly the bytes asked for; `onShort` names the error when it does not.
 */
export async function* readSpans(
  read: (offset: number, length: number, signal?: AbortSignal) => Promise<Uint8Array>,
  spans: AsyncIterable<Span> | Iterable<Span>,
  onShort: (got: number, wanted: number, offset: number) => Error,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const it = pieces(spans);
  type Next = { done: true } | { done: false; data: Promise<Uint8Array> };
  const fetchNext = (): Promise<Next> => {
    const next = (async (): Promise<Next> => {
      const r = await it.next();
      if (r.done) return { done: true };
      const p = r.value;
      if ('zeros' in p) return { done: false, data: Promise.resolve(new Uint8Array(p.zeros)) };
      const data = read(p.offset, p.length, signal).then((b) => {
        if (b.length !== p.length) throw onShort(b.length, p.length, p.offset);
        return b;
      });
      // A consumer that stops early leaves the piece read ahead unawaited: not an unhandled rejection.
      data.catch(() => {});
      return { done: false, data };
    })();
    next.catch(() => {});
    return next;
  };
  let ahead = fetchNext();
  try {
    while (true) {
      checkAbort(signal);
      const cur = await ahead;
      if (cur.done) return;
      ahead = fetchNext();
      yield await cur.data;
    }
  } finally {
    // Let the span walk end once the read ahead (if any) has settled.
    void ahead.then(() => it.return(undefined), () => it.return(undefined));
  }
}
