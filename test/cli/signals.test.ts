// Stopping the documented entry point stops the restore. bin.mjs started by an older Node re-runs
// itself under the Node 24 that npm installed; SIGTERM, SIGHUP and SIGINT sent to it reach the
// restore, which cancels cleanly (its line, the --json summary, .partial left, no target) and
// exits 143, 129 or 130; no child keeps running. A Ctrl-C on the terminal (SIGINT to the whole
// process group) counts once. The restore is held mid-way by the PBS test server, which answers
// no chunk until released, so every step waits on an event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { lastJson, olderNode, startCli } from '../helpers/cli.ts';
import { sha256File } from '../helpers/tmp.ts';
import { releaseHeld } from '../pbsServer/hostile.ts';
import { remoteSetup, TOKEN_ID, TOKEN_SECRET } from '../remote/setup.ts';

const r = await remoteSetup();
const a = r.demo.archives.find((x) => !x.encrypted && x.ns === '' && x.chunks - x.zeroChunks >= 2)!;
const node20 = olderNode();
const exists = (p: string) => access(p).then(() => true, () => false);
let n = 0;

async function restoreArgs(): Promise<{ args: string[]; env: Record<string, string>; srv: Awaited<ReturnType<typeof r.server>> }> {
  const srv = await r.server({ hostile: { chunk: 'hold' } });
  const args = ['restore', '--repository', `${TOKEN_ID}@127.0.0.1:${srv.port}:${srv.store}`, '--snapshot', `${a.type}/${a.id}/${backupTimeName(a.time)}`, '--archive', a.archive, '--json'];
  return { args, env: { PBS_PASSWORD: TOKEN_SECRET, PBS_FINGERPRINT: srv.fingerprint, PBS_REPOSITORY: '' }, srv };
}

/** Pids of the processes whose parent is `pid` (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(name));
  }
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const cases = [
  { signal: 'SIGTERM', code: 143, reason: /terminated \(SIGTERM\)/ },
  { signal: 'SIGHUP', code: 129, reason: /hangup \(SIGHUP\)/ },
  { signal: 'SIGINT', code: 130, reason: /interrupted/ },
  { signal: 'SIGINT', code: 130, reason: /interrupted/, group: true },
] as const;

for (const c of cases) {
  const what = 'group' in c ? 'a Ctrl-C on the terminal (SIGINT to the process group) counts once' : `${c.signal} to bin.mjs under an older Node`;
  test(`${what}: cancelled cleanly, exit ${c.code}, .partial left, no target, no child left running`, { skip: node20 ? false : 'no Node older than 24 on PATH', timeout: 60_000 }, async () => {
    const { args, env, srv } = await restoreArgs();
    const target = join(r.out, `signal-${++n}.raw`);
    const chunkAsked = once(srv.events, 'chunk');
    const cli = startCli([...args, '--target', target], env, { node: node20!, detached: 'group' in c });
    await chunkAsked;
    const kids = await childrenOf(cli.child.pid!);
    assert.equal(kids.length, 1, 'bin.mjs re-ran itself in one child');
    if ('group' in c) process.kill(-cli.child.pid!, c.signal);
    else cli.child.kill(c.signal);
    const res = await cli.done;
    assert.equal(res.code, c.code, res.stderr);
    const lines = res.stderr.trim().split('\n');
    assert.equal(lines.length, 1, res.stderr);
    assert.match(lines[0]!, new RegExp(`^restore-console: cancelled \\[CANCELLED\\]: ${c.reason.source} \\(partial data left in `));
    const s = lastJson(res.stdout);
    assert.equal(s.status, 'cancelled');
    assert.equal(s.partial, true);
    assert.equal(await exists(target), false, 'a cancelled restore produced the target');
    assert.equal(await exists(`${target}.partial`), true);
    assert.equal(await exists(`${target}.lock`), false, 'the lock outlived the job');
    for (const k of kids) assert.equal(alive(k), false, `child ${k} still runs`);
  });
}

test('two restores to one target through the CLI: one TARGET_BUSY at once, one success bit-exact', { timeout: 60_000 }, async () => {
  const { args, env, srv } = await restoreArgs();
  const target = join(r.out, 'twice.raw');
  const chunkAsked = once(srv.events, 'chunk');
  const first = startCli([...args, '--target', target], env);
  await chunkAsked;
  const second = await startCli([...args, '--target', target, '--force'], env).done;
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stderr, /^restore-console: error \[TARGET_BUSY\]: /);
  assert.equal(lastJson(second.stdout).partial, undefined, 'the loser claimed a .partial');
  releaseHeld(srv.hostile);
  const res = await first.done;
  assert.equal(res.code, 0, res.stderr);
  assert.equal(await sha256File(target), a.sha256);
  assert.deepEqual((await readdir(r.out)).filter((f) => f.startsWith('twice')), ['twice.raw']);
});
