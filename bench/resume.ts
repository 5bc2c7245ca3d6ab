// The resume scenario: one restore run through, then the same restore killed with SIGKILL half way
// (once the server has sent half the chunk bytes of the full run) and resumed with --resume. The
// real CLI runs in a child process against the PBS test server in this process, whose own count of
// chunk bytes sent is the measure: the killed run plus the resumed run against the full run (goal
// ≤ 1.1: what a crash costs is the chunks written since the last save of the resume state, and the
// chunks in flight). Also checks that the resumed image equals the uninterrupted one.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backupTimeName } from '../electron/pbs/names.ts';
import { startPbsTestServer } from '../test/pbsServer/server.ts';
import { BENCH_TIME, type BenchImage } from './dataset.ts';

const BIN = fileURLToPath(new URL('../electron/cli/bin.mjs', import.meta.url));

export interface ResumeResult {
  /** Chunk bytes the server sent for one uninterrupted restore. */
  fullBytes: number;
  /** … for the run killed half way, and for the run that resumed it. */
  killedBytes: number;
  resumeBytes: number;
  /** (killed + resume) / full. */
  ratio: number;
  /** Chunk requests of the killed run, of the resumed one, and of a full run. */
  killedRequests: number;
  resumeRequests: number;
  fullRequests: number;
  /** Image bytes the resumed run found already written (its summary's resumedBytes). */
  resumedBytes: number;
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

export async function resumeScenario(root: string, image: BenchImage, targetDir: string): Promise<ResumeResult> {
  const authId = 'bench@pbs!resume';
  const secret = 'bench-resume-secret';
  const srv = await startPbsTestServer({ datastore: root, tokens: { [authId]: secret } });
  const env = { ...process.env, PBS_PASSWORD: secret, PBS_REPOSITORY: '', PBS_FINGERPRINT: '', XDG_CONFIG_HOME: join(targetDir, 'resume-config') };
  const args = (target: string): string[] => [
    BIN, 'restore', '--repository', `${authId}@127.0.0.1:${srv.port}:${srv.store}`, '--fingerprint', srv.fingerprint,
    '--snapshot', `vm/${image.id}/${backupTimeName(BENCH_TIME)}`, '--archive', image.archive, '--target', target, '--json',
  ];
  /** Runs the CLI; `killAt`: SIGKILL it once the server has sent that many chunk bytes to it. */
  const run = (argv: string[], killAt?: number): Promise<{ bytes: number; requests: number; code: number | null; signal: NodeJS.Signals | null; stdout: string }> =>
    new Promise((resolve, reject) => {
      const bytes0 = srv.stats.sentBytes;
      const requests0 = srv.stats.chunkRequests;
      const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      const onChunk = (): void => {
        if (killAt !== undefined && srv.stats.sentBytes - bytes0 >= killAt) child.kill('SIGKILL');
      };
      srv.events.on('sent', onChunk);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        srv.events.off('sent', onChunk);
        resolve({ bytes: srv.stats.sentBytes - bytes0, requests: srv.stats.chunkRequests - requests0, code, signal, stdout });
      });
    });
  const full = join(targetDir, 'resume-full.raw');
  const resumed = join(targetDir, 'resume-killed.raw');
  try {
    const first = await run(args(full));
    if (first.code !== 0) throw new Error(`the uninterrupted restore failed: ${first.stdout}`);
    const killAt = Math.floor(first.bytes / 2);
    const killed = await run(args(resumed), killAt);
    if (killed.signal !== 'SIGKILL') throw new Error('the restore to kill ended before it was killed');
    const again = await run([...args(resumed), '--resume']);
    if (again.code !== 0) throw new Error(`the resumed restore failed: ${again.stdout}`);
    if ((await sha256(resumed)) !== (await sha256(full))) throw new Error('the resumed image differs from the uninterrupted one');
    const summary = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as { resumedBytes: number };
    return {
      fullBytes: first.bytes,
      killedBytes: killed.bytes,
      resumeBytes: again.bytes,
      ratio: (killed.bytes + again.bytes) / first.bytes,
      killedRequests: killed.requests,
      resumeRequests: again.requests,
      fullRequests: first.requests,
      resumedBytes: summary.resumedBytes,
    };
  } finally {
    await srv.close();
    await rm(full, { force: true });
    await rm(resumed, { force: true });
    await rm(`${resumed}.partial`, { force: true });
    await rm(`${resumed}.partial.state`, { force: true });
  }
}
