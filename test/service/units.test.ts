// Small parts of the service: argument schemas, the chunk map codec (service encodes, renderer
// decodes), atomic JSON files, and compile-time checks that the contract types both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandArgs, CommandResult, RestoreConsoleApi, RestoreConsoleBridge } from '../../shared/contract.ts';
import { decodeChunkMap, encodeChunkMap } from '../../shared/chunkMap.ts';
import { JsonFile } from '../../electron/service/jsonFile.ts';
import { RestoreService } from '../../electron/service/service.ts';
import type { RestoreError } from '../../shared/errors.ts';
import { COMMAND_NAMES, validateCall } from '../../electron/service/schema.ts';
import { redact } from '../../electron/service/secrets.ts';
import { SseParser, type SseMessage } from '../../renderer/api/sseReader.ts';
import { tempDir } from '../helpers/tmp.ts';

test('schemas accept the contract shapes and refuse anything else with BAD_ARGUMENTS', () => {
  const snapshot = { ns: '', type: 'vm', id: '100', time: 1768183205 };
  assert.deepEqual(validateCall('jobs.setConcurrency', { id: 'j', concurrency: 'auto' }), { id: 'j', concurrency: 'auto' });
  assert.deepEqual(validateCall('jobs.start', { mode: 'verify', sourceId: 's', snapshot, archive: 'a.img' }), { mode: 'verify', sourceId: 's', snapshot, archive: 'a.img' });
  assert.deepEqual(validateCall('sources.test', { id: 'x' }), { id: 'x' });
  assert.deepEqual(validateCall('sources.test', { config: { kind: 'datastore', path: '/d' } }), { config: { kind: 'datastore', path: '/d' } });
  const bad: Array<[string, unknown, RegExp]> = [
    ['jobs.get', undefined, /expected an object/],
    ['jobs.get', [], /expected an object/],
    ['jobs.get', { id: '' }, /id: expected a string of 1/],
    ['jobs.get', { id: 'x', more: 1 }, /more: unknown field/],
    ['jobs.get', { id: 'a\0b' }, /without NUL/],
    ['jobs.setConcurrency', { id: 'x', concurrency: 0 }, /concurrency/],
    ['jobs.setConcurrency', { id: 'x', concurrency: 2.5 }, /concurrency/],
    ['jobs.setConcurrency', { id: 'x', concurrency: 'fast' }, /concurrency/],
    ['jobs.start', { mode: 'restore', sourceId: 's', snapshot: { ...snapshot, type: 'vz' }, archive: 'a' }, /snapshot\.type/],
    ['jobs.start', { mode: 'restore', sourceId: 's', snapshot, archive: 'a', force: 'yes' }, /force: expected true or false/],
    ['sources.add', { config: { kind: 'nfs', path: '/x' } }, /config\.kind/],
    ['sources.add', { config: { kind: 'pbs', host: 'h', datastore: 'd', authId: 'a', port: 70000 } }, /port/],
    ['sources.test', { id: 'x', config: {} }, /\{ id \} or \{ config \}/],
    ['settings.set', { maxRunningJobs: 100 }, /maxRunningJobs/],
    ['logs.get', { limit: -1 }, /limit/],
    ['jobs.get', Object.create({ id: 'x' }), /plain object|required/],
  ];
  for (const [cmd, args, msg] of bad) {
    assert.throws(() => validateCall(cmd, args), (e: { code: string; message: string }) => {
      assert.equal(e.code, 'BAD_ARGUMENTS', `${cmd} ${JSON.stringify(args)}`);
      assert.match(e.message, msg);
      return true;
    });
  }
  assert.throws(() => validateCall('__proto__', {}), { code: 'UNKNOWN_COMMAND' });
  assert.throws(() => validateCall('toString', {}), { code: 'UNKNOWN_COMMAND' });
  assert.ok(COMMAND_NAMES.includes('jobs.start') && COMMAND_NAMES.length >= 28);
});

test('chunk maps round-trip through both encodings, failed chunks included', () => {
  const runsy = new Uint8Array(1000);
  runsy.fill(2, 0, 400);
  runsy.fill(3, 400, 410);
  runsy.fill(1, 410, 414);
  const m1 = encodeChunkMap(runsy);
  assert.equal(m1.encoding, 'runs');
  assert.deepEqual(decodeChunkMap(m1), runsy);

  const frag = new Uint8Array(5001);
  for (let i = 0; i < frag.length; i++) frag[i] = (i * 7 + (i >> 3)) % 4;
  frag[17] = 4;
  frag[5000] = 4;
  const m2 = encodeChunkMap(frag);
  assert.equal(m2.encoding, 'packed2');
  assert.deepEqual(decodeChunkMap(m2), frag);
  assert.ok(JSON.stringify(m2).length < frag.length / 2, 'packed map is not compact');
  assert.deepEqual(decodeChunkMap(encodeChunkMap(new Uint8Array(0))), new Uint8Array(0));
});

test('JSON files are replaced atomically, writes are serialised, and a corrupt file is set aside', async () => {
  const dir = await tempDir();
  const f = new JsonFile<{ n: number }>(join(dir, 'x.json'));
  assert.equal(await f.read(), undefined);
  await Promise.all(Array.from({ length: 20 }, (_, n) => f.write({ n })));
  assert.deepEqual(await f.read(), { n: 19 });
  assert.deepEqual(await readdir(dir), ['x.json']);
  await writeFile(join(dir, 'x.json'), '{"n":');
  const notes: string[] = [];
  assert.equal(await f.read((m) => notes.push(m)), undefined);
  assert.equal(notes.length, 1);
  const names = await readdir(dir);
  assert.ok(names.some((n) => n.startsWith('x.json.corrupt-')) && !names.includes('x.json'));
  await f.write({ n: 1 });
  assert.equal(JSON.parse(await readFile(join(dir, 'x.json'), 'utf8')).n, 1);
});

test('redaction hides every known secret', () => {
  assert.equal(redact('token abcd1234 and abcd1234 again, short ab', ['abcd1234', 'ab']), 'token *** and *** again, short ab');
});

test('the SSE parser handles split lines, CRLF, comments and multi-line data', () => {
  const got: SseMessage[] = [];
  const p = new SseParser((m) => got.push(m));
  const text = ': hello\r\nretry: 1000\r\n\r\nid: 1\nevent: job\ndata: {"a":\ndata: 1}\n\nid: 2\r\nevent: log\r\ndata: x\r\n\r\n';
  for (const ch of text) p.push(ch);
  assert.deepEqual(got, [
    { id: '1', event: 'job', data: '{"a":\n1}' },
    { id: '2', event: 'log', data: 'x' },
  ]);
});

test('the contract types both sides, and what the types refuse the service refuses at run time', async () => {
  // Each @ts-expect-error line fails `npm run typecheck` if the contract stops refusing it; each
  // assertion fails here if the service lets through what the types refuse.
  const service = await RestoreService.create({ dataDir: join(await tempDir(), 'data'), demo: false });
  const api: RestoreConsoleApi = service;
  try {
    const jobs: CommandResult<'jobs.list'> = await api.invoke('jobs.list', {});
    assert.deepEqual(jobs, []);
    const id = 'job-none';
    await assert.rejects(api.invoke('jobs.setConcurrency', { id, concurrency: 'auto' }), { code: 'JOB_NOT_FOUND' });
    // @ts-expect-error: concurrency is a number or 'auto'
    await assert.rejects(api.invoke('jobs.setConcurrency', { id, concurrency: 'fast' }), { code: 'BAD_ARGUMENTS' });
    // @ts-expect-error: unknown command
    await assert.rejects(api.invoke('jobs.explode', {}), { code: 'UNKNOWN_COMMAND' });
    // @ts-expect-error: jobs.get needs an id
    await assert.rejects(api.invoke('jobs.get', {}), { code: 'BAD_ARGUMENTS' });
    const args: CommandArgs<'jobs.start'> = { mode: 'verify', sourceId: 'none', snapshot: { ns: '', type: 'vm', id: '1', time: 0 }, archive: 'a' };
    await assert.rejects(api.invoke('jobs.start', args), { code: 'SOURCE_NOT_FOUND' });

    const limits: number[] = [];
    const off: () => void = api.on('settings', (st) => void limits.push(st.historyLimit satisfies number));
    // @ts-expect-error: unknown event
    api.on('explosion', () => {});
    await api.invoke('settings.set', { historyLimit: 42 });
    off();
    await api.invoke('settings.set', { historyLimit: 43 });
    assert.deepEqual(limits, [42], 'unsubscribing did not stop the events');

    // The preload's shape: outcomes instead of rejections, narrowed by `ok`.
    const bridge: RestoreConsoleBridge = {
      invoke: (command, a) => service.invoke(command, a).then((value) => ({ ok: true as const, value }), (e: RestoreError) => ({ ok: false as const, error: e.toInfo() })),
      cancel: () => {},
      on: (event, listener) => service.on(event, listener),
    };
    const outcome = await bridge.invoke('sources.list', {});
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.value.map((src) => src.label satisfies string), []);
    const refused = await bridge.invoke('sources.remove', { id: 'none' });
    assert.equal(!refused.ok && refused.error.code, 'SOURCE_NOT_FOUND');
  } finally {
    await service.close();
  }
});
