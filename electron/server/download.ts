// GET /api/files/download/<job id>: the browser fetches a files job started with output
// 'download' (files.start) as a plain download, so it can be saved where the browser saves. The
// token is checked before this runs (guard.ts; ?token= since a download link cannot set headers),
// and each download can be fetched once. The body is streamed as the job produces it: a failure
// or a cancel destroys the connection, so the browser marks the download failed rather than
// keeping a short file; a browser that stops the download cancels the job.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toContractError } from '../../shared/errors.ts';
import type { DownloadStream } from '../service/filesJobs.ts';

export const DOWNLOAD_PREFIX = '/api/files/download/';
const JOB_ID = /^[A-Za-z0-9-]{1,128}$/;

export interface DownloadSource {
  takeDownload(jobId: string): DownloadStream;
}

/** `attachment` with an ASCII fallback name and the UTF-8 one (RFC 6266, RFC 8187). */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const utf8 = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

export async function serveDownload(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  source: DownloadSource,
  headers: Readonly<Record<string, string>>,
  sendError: (status: number, error: ReturnType<typeof toContractError>) => void,
): Promise<void> {
  if (req.method !== 'GET') return sendError(405, { code: 'BAD_ARGUMENTS', message: 'a download is fetched with GET' });
  const id = pathname.slice(DOWNLOAD_PREFIX.length);
  if (!JOB_ID.test(id)) return sendError(400, { code: 'BAD_ARGUMENTS', message: 'not a download id' });
  let dl: DownloadStream;
  try {
    dl = source.takeDownload(id);
  } catch (e) {
    const error = toContractError(e);
    return sendError(error.code === 'JOB_NOT_FOUND' ? 404 : 409, error);
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': dl.contentType,
    'Content-Disposition': contentDisposition(dl.name),
    'Cache-Control': 'no-store',
    ...(dl.size !== undefined ? { 'Content-Length': String(dl.size) } : {}),
  });
  res.on('close', () => {
    if (!res.writableFinished) dl.cancel();
  });
  await dl.run(res);
}
