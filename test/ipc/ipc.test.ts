// IPC validation without the Electron binary: the bridge main installs (electron/main/ipcBridge.ts)
// driven through a fake ipcMain with fake senders, in front of the real service. Unknown
// channels, foreign or sub-frames and bad argument shapes are refused; our page gets answers,
// cancellation and only the events it subscribed to.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CallOutcome } from '../../shared/contract.ts';
import { APP_ORIGIN, IPC } from '../../electron/ipc/channels.ts';
import { installIpcBridge, type BridgeEvent, type SenderLike } from '../../electron/main/ipcBridge.ts';
import { IpcRefusal, parseInvoke, validateChannel, validatedIpcMain, validateSender, type IpcMainLike } from '../../electron/main/ipcValidation.ts';
import { RestoreService } from '../../electron/service/service.ts';
import { tempDir } from '../helpers/tmp.ts';

class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  listeners = new Map<string, Array<(event: unknown, ...args: unknown[]) => void>>();
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }
  removeAllListeners(channel: string): this {
    this.listeners.delete(channel);
    return this;
  }
  /** What Electron does for ipcRenderer.invoke: the handler's value, or a rejection. */
  async invoke(event: BridgeEvent, channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h(event, ...args);
  }
  send(event: BridgeEvent, channel: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(channel) ?? []) l(event, ...args);
  }
}

let senders = 0;
function fakeSender(): SenderLike & { sent: unknown[][]; destroy(): void } {
  let destroyed = false;
  const onDestroyed: Array<() => void> = [];
  return {
    id: ++senders,
    sent: [],
    send(channel, ...args) {
      this.sent.push([channel, ...args]);
    },
    isDestroyed: () => destroyed,
    once(_e, l) {
      onDestroyed.push(l);
    },
    destroy() {
      destroyed = true;
      for (const l of onDestroyed) l();
    },
  };
}

const frame = (url: string, parent: unknown = null) => ({ url, parent });
const ours = (sender = fakeSender()): BridgeEvent => ({ senderFrame: frame(`${APP_ORIGIN}/index.html`), sender });

const service = await RestoreService.create({ dataDir: join(await tempDir(), 'data'), demo: false });
const ipc = new FakeIpcMain();
const refusals: string[] = [];
let dialogCalls = 0;
const bridge = installIpcBridge({
  ipcMain: ipc,
  service,
  appOrigin: APP_ORIGIN,
  onRefusal: (m) => refusals.push(m),
  shell: {
    'shell.chooseTargetFile': async (args) => {
      dialogCalls++;
      return `/chosen/${args.defaultName ?? 'disk.raw'}`;
    },
  },
});
after(async () => {
  bridge.dispose();
  await service.close();
});

test('our page calls commands and gets outcomes', async () => {
  const r = (await ipc.invoke(ours(), IPC.invoke, null, 'settings.get', {})) as CallOutcome<{ maxRunningJobs: number }>;
  assert.equal(r.ok, true);
  assert.equal(r.ok && r.value.maxRunningJobs, 4);
  const shell = (await ipc.invoke(ours(), IPC.invoke, null, 'shell.chooseTargetFile', { defaultName: 'x.raw' })) as CallOutcome<string>;
  assert.deepEqual(shell, { ok: true, value: '/chosen/x.raw' });
  const noDialog = (await ipc.invoke(ours(), IPC.invoke, null, 'shell.chooseDatastoreFolder', {})) as CallOutcome<unknown>;
  assert.equal(!noDialog.ok && noDialog.error.code, 'NOT_SUPPORTED');
});

test('unknown channels are refused', async () => {
  assert.throws(() => validateChannel('restore-console:evil'), IpcRefusal);
  assert.throws(() => validateChannel(IPC.event), IpcRefusal, 'main never receives on the event channel');
  assert.throws(() => validateSender('vscode:hello', ours(), APP_ORIGIN), /unknown channel/);
  await assert.rejects(ipc.invoke(ours(), 'restore-console:evil', null, 'settings.get', {}), /No handler/);
  assert.deepEqual([...ipc.handlers.keys()], [IPC.invoke]);
  assert.deepEqual([...ipc.listeners.keys()].sort(), [IPC.cancel, IPC.subscribe, IPC.unsubscribe].sort());
});

test('a handler registered through validatedIpcMain never runs for a refused sender', async () => {
  const fake = new FakeIpcMain();
  const seen: string[] = [];
  const refused: string[] = [];
  const v = validatedIpcMain<BridgeEvent>(fake, APP_ORIGIN, (e) => refused.push((e as Error).message));
  v.handle(IPC.invoke, async (_e, ...raw) => seen.push(`invoke ${String(raw[0])}`));
  v.on(IPC.cancel, (_e, ...raw) => {
    seen.push(`cancel ${String(raw[0])}`);
    if (raw[0] === 'bad') throw new Error('listener failed');
  });
  v.handle('restore-console:new', async () => seen.push('a new channel'));
  const foreign: BridgeEvent = { senderFrame: frame('https://evil.example/'), sender: fakeSender() };
  await assert.rejects(fake.invoke(foreign, IPC.invoke, 'x'), /^Error: refused$/);
  fake.send(foreign, IPC.cancel, 'y');
  // A channel main does not list is refused even from our page: adding one is a decision.
  await assert.rejects(fake.invoke(ours(), 'restore-console:new'), /refused/);
  assert.deepEqual(seen, []);
  assert.equal(refused.length, 3);
  await fake.invoke(ours(), IPC.invoke, 'a');
  fake.send(ours(), IPC.cancel, 'b');
  fake.send(ours(), IPC.cancel, 'bad');
  assert.deepEqual(seen, ['invoke a', 'cancel b', 'cancel bad']);
  assert.match(refused.at(-1)!, /listener failed/, "a listener's error is reported as a refusal");
  v.dispose();
  assert.equal(fake.handlers.size + fake.listeners.size, 0);
});

test('foreign frames are refused without an answer, and their arguments are not logged', async () => {
  const foreign: Array<[string, BridgeEvent['senderFrame']]> = [
    ['another site', frame('https://evil.example/')],
    ['a look-alike scheme', frame('restore-console-evil://app/index.html')],
    ['another host of our scheme', frame('restore-console://evil/index.html')],
    ['a file URL', frame('file:///tmp/page.html')],
    ['a sub-frame of our page', frame(`${APP_ORIGIN}/index.html`, frame(`${APP_ORIGIN}/index.html`))],
    ['a gone frame', null],
    ['a non-URL', frame('not a url')],
  ];
  for (const [what, senderFrame] of foreign) {
    const before = refusals.length;
    const sender = fakeSender();
    await assert.rejects(ipc.invoke({ senderFrame, sender }, IPC.invoke, null, 'shell.chooseTargetFile', { defaultName: 'SECRET-ARG' }), /refused/, what);
    ipc.send({ senderFrame, sender }, IPC.subscribe, 'settings');
    assert.equal(refusals.length, before + 2, what);
    assert.ok(!refusals.join().includes('SECRET-ARG'));
  }
  assert.equal(dialogCalls, 1, 'a refused call reached a dialog');
  // A refused subscription receives nothing.
  const sender = fakeSender();
  ipc.send({ senderFrame: frame('https://evil.example/'), sender }, IPC.subscribe, 'settings');
  await service.invoke('settings.set', { historyLimit: 150 });
  assert.deepEqual(sender.sent, []);
});

test('bad argument shapes are answered with BAD_ARGUMENTS or UNKNOWN_COMMAND', async () => {
  const cases: Array<[unknown[], string]> = [
    [[null, 'settings.get'], 'BAD_ARGUMENTS'],
    [[null, 'settings.get', {}, 'extra'], 'BAD_ARGUMENTS'],
    [[42, 'settings.get', {}], 'BAD_ARGUMENTS'],
    [['id with spaces', 'settings.get', {}], 'BAD_ARGUMENTS'],
    [[null, 'settings.explode', {}], 'UNKNOWN_COMMAND'],
    [[null, 7, {}], 'UNKNOWN_COMMAND'],
    [[null, 'constructor', {}], 'UNKNOWN_COMMAND'],
    [[null, 'jobs.get', { id: 1 }], 'BAD_ARGUMENTS'],
    [[null, 'jobs.get', { id: 'x', extra: 1 }], 'BAD_ARGUMENTS'],
    [[null, 'jobs.get', 'x'], 'BAD_ARGUMENTS'],
    [[null, 'settings.set', { maxRunningJobs: '4' }], 'BAD_ARGUMENTS'],
    [[null, 'sources.add', { config: { kind: 'datastore', path: '' } }], 'BAD_ARGUMENTS'],
    [[null, 'shell.chooseTargetFile', { defaultName: 5 }], 'BAD_ARGUMENTS'],
  ];
  for (const [args, code] of cases) {
    const r = (await ipc.invoke(ours(), IPC.invoke, ...args)) as CallOutcome<unknown>;
    assert.equal(r.ok, false, JSON.stringify(args));
    assert.equal(!r.ok && r.error.code, code, JSON.stringify(args));
  }
  assert.equal(dialogCalls, 1, 'a bad call reached a dialog');
  assert.throws(() => parseInvoke([null, 'jobs.get', { id: 'x' }, 1]), { code: 'BAD_ARGUMENTS' });
  // Bad shapes on the send channels are dropped (and reported), never thrown into main.
  const before = refusals.length;
  ipc.send(ours(), IPC.subscribe, 'no-such-event');
  ipc.send(ours(), IPC.subscribe);
  ipc.send(ours(), IPC.cancel, { id: 1 });
  assert.equal(refusals.length, before + 3);
});

test('events reach only the windows that subscribed, until they unsubscribe or close', async () => {
  const a = fakeSender();
  const b = fakeSender();
  ipc.send(ours(a), IPC.subscribe, 'settings');
  ipc.send(ours(b), IPC.subscribe, 'sources');
  await service.invoke('settings.set', { historyLimit: 120 });
  assert.equal(a.sent.length, 1);
  assert.deepEqual(a.sent[0]!.slice(0, 2), [IPC.event, 'settings']);
  assert.equal((a.sent[0]![2] as { historyLimit: number }).historyLimit, 120);
  assert.deepEqual(b.sent, []);
  ipc.send(ours(a), IPC.unsubscribe, 'settings');
  await service.invoke('settings.set', { historyLimit: 121 });
  assert.equal(a.sent.length, 1);
  ipc.send(ours(b), IPC.subscribe, 'settings');
  b.destroy();
  await service.invoke('settings.set', { historyLimit: 122 });
  assert.deepEqual(b.sent, []);
});

test('a call with an id can be cancelled by its sender only', async () => {
  const sender = fakeSender();
  const other = fakeSender();
  const args = { keyfile: '/nonexistent/key.json', password: 'x' };
  // Another window's cancel with the same id does not touch this call: it runs to its own answer.
  const first = ipc.invoke(ours(sender), IPC.invoke, 'c1', 'keys.check', args);
  ipc.send(ours(other), IPC.cancel, 'c1');
  const r1 = (await first) as CallOutcome<unknown>;
  assert.equal(!r1.ok && r1.error.code, 'KEYFILE_INVALID');
  // Its own cancel, sent before the answer, ends it as CANCELLED.
  const second = ipc.invoke(ours(sender), IPC.invoke, 'c2', 'keys.check', args);
  ipc.send(ours(sender), IPC.cancel, 'c2');
  const r2 = (await second) as CallOutcome<unknown>;
  assert.equal(!r2.ok && r2.error.code, 'CANCELLED');
});
