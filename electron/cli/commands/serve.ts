// `restore-console serve`: browser mode. Runs the same service as the desktop app and serves
// the built UI on 127.0.0.1 with a random token, for headless hosts and browser tests. Prints the
// address to open (with ?token=…); stops cleanly on Ctrl-C (running jobs are cancelled, their
// targets stay .partial). The token and the port are kept in the data folder (serveState.ts), so
// the address stays the same from one start to the next; --new-token makes a new token.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RestoreError } from '../../../shared/errors.ts';
import { startHttpServer } from '../../server/httpServer.ts';
import { listenPreferring, loadServeState, saveServePort, serveStateFile } from '../../server/serveState.ts';
import { RestoreService } from '../../service/service.ts';
import { testHooksFromEnv } from '../../service/testHooks.ts';
import { optional, parse } from '../args.ts';
import { defaultDataDir } from '../dataDir.ts';
import { clean } from '../output.ts';
import { onStop, type StopSignal } from '../stop.ts';

export const SERVE_USAGE = 'serve [--host 127.0.0.1] [--port N] [--new-token] [--datastore DIR]… [--data DIR] [--no-demo]';

/**
 * The project's version, from the nearest package.json named restore-console above this code: it
 * runs from electron/cli/commands/ and from the bundle in out/cli/ alike.
 */
async function version(): Promise<string> {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'restore-console') return pkg.version ?? '0.0.0';
    } catch {
      // no package.json here
    }
    if (dirname(dir) === dir) return '0.0.0';
  }
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parse(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    datastore: { type: 'string', multiple: true },
    data: { type: 'string' },
    'no-demo': { type: 'boolean' },
    'new-token': { type: 'boolean' },
  });
  if (positionals.length) throw new RestoreError('USAGE', `serve takes no positional arguments (got ${positionals.join(' ')})`);
  const host = optional(flags, 'host') ?? '127.0.0.1';
  const portText = optional(flags, 'port');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new RestoreError('USAGE', `--port must be 0-65535, got ${JSON.stringify(portText)}`);
  const datastores = (flags.datastore as unknown as string[] | undefined) ?? [];
  const dataDir = optional(flags, 'data') ?? defaultDataDir();
  // Only the end-to-end tests set these (see testHooks.ts); each active one is named on stderr.
  const hooks = testHooksFromEnv(process.env);
  for (const line of hooks.active) process.stderr.write(`restore-console: TEST HOOK: ${line}\n`);

  const service = await RestoreService.create({
    dataDir,
    shell: 'browser',
    version: await version(),
    datastores,
    ...(flags['no-demo'] ? { demo: false as const } : hooks.demoScale ? { demo: { scale: hooks.demoScale } } : {}),
    ...(hooks.openSource ? { openSource: hooks.openSource } : {}),
    // Log lines quote servers and files: printed with control characters escaped.
    onLog: (line) => process.stderr.write(`${clean(line)}\n`),
  });
  let server;
  let state;
  try {
    state = await loadServeState(dataDir, { rotate: !!flags['new-token'] });
    // --port as given (busy: an error); without it, the last start's port when it is free.
    const listen = (p: number) => startHttpServer({ service, host, port: p, token: state!.token, ...(hooks.uiDir ? { staticDir: hooks.uiDir } : {}) });
    const got = port !== undefined ? { server: await listen(port), moved: false } : await listenPreferring(state.lastPort, listen);
    server = got.server;
    if (got.moved) process.stderr.write(`restore-console: port ${state.lastPort} is in use by another program; listening on ${server.port} this time (addresses with ${state.lastPort} do not work until it is free)\n`);
    if (server.port !== state.lastPort) await saveServePort(dataDir, state.token, server.port);
  } catch (e) {
    await server?.close();
    await service.close();
    throw new RestoreError('USAGE', `cannot listen on ${host}:${port ?? state?.lastPort ?? 0}: ${(e as Error).message}`, { cause: e });
  }
  if (state.made === 'rotated') process.stderr.write('restore-console: a new token was made; addresses printed before no longer work\n');
  if (state.made === 'unreadable') process.stderr.write(`restore-console: the kept token was unreadable; a new one was made (${serveStateFile(dataDir)})\n`);
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
  if (!loopback) process.stderr.write(`restore-console: warning: listening on ${host}, not only this machine; anyone with the token can restore and write files as you\n`);
  process.stdout.write(`Restore Console is running in browser mode (data in ${dataDir}).\nOpen ${server.url}\nPress Ctrl-C to stop.\n`);

  let offStop = (): void => {};
  const signal = await new Promise<StopSignal>((resolve) => (offStop = onStop(resolve)));
  offStop();
  process.stderr.write(`restore-console: stopping (${signal})…\n`);
  await server.close();
  await service.close();
  return 0;
}
