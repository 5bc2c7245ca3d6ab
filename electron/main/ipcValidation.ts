// Every IPC message is checked before it reaches the service, after VS Code's validated ipcMain
// (src/vs/base/parts/ipc/electron-main/ipcMain.ts, validateEvent) and Electron's advice to
// validate senderFrame (GHSA-mq8j-3h7h-p8g7):
//   1. the channel is one of ours;
//   2. the sender frame still exists, is a main frame (no sub-frames: an embedded page could
//      otherwise talk to us), and its URL is our app's origin (restore-console://app);
//   3. the arguments have the shape the contract gives (count, types, the command's schema).
// A failure of 1–2 is a refusal: logged, never answered with data. A failure of 3 from our own
// page is answered with a BAD_ARGUMENTS / UNKNOWN_COMMAND outcome. Checks 1–2 are built into
// validatedIpcMain, the only way the bridge registers handlers, so no handler can skip them. Pure
// code, no electron import: test/ipc/ checks it without the Electron binary.
import type { CommandArgs, CommandName, EventName } from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';
import { isEventName, validateCall } from '../service/schema.ts';
import { INBOUND_CHANNELS } from '../ipc/channels.ts';

/** What validation needs of Electron's WebFrameMain. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/** What validation needs of Electron's IpcMainEvent / IpcMainInvokeEvent. */
export interface IpcEventLike {
  readonly senderFrame: FrameLike | null;
}

export class IpcRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpcRefusal';
  }
}

/** Electron's ipcMain, as far as the bridge uses it. */
export interface IpcMainLike {
  // `any` for the event: Electron's handler types name their own event classes.
  handle(channel: string, listener: (event: any, ...args: any[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: any, ...args: any[]) => void): unknown;
  removeAllListeners(channel: string): unknown;
}

/** ipcMain with checks 1 and 2 in front of every handler and listener registered through it. */
export interface ValidatedIpcMain<E extends IpcEventLike> {
  /** invoke: a refused sender gets a rejection that says nothing, never an outcome. */
  handle(channel: string, handler: (event: E, ...raw: unknown[]) => Promise<unknown>): void;
  /** send: a refused sender is ignored; errors of the listener are refusals too. */
  on(channel: string, listener: (event: E, ...raw: unknown[]) => void): void;
  /** Removes everything registered through it. */
  dispose(): void;
}

/** After VS Code's validatedIpcMain: one wrapper, so a new handler cannot forget the sender check. */
export function validatedIpcMain<E extends IpcEventLike>(ipcMain: IpcMainLike, appOrigin: string, onRefusal: (e: unknown) => void): ValidatedIpcMain<E> {
  const handled = new Set<string>();
  const listened = new Set<string>();
  return {
    handle(channel, handler) {
      handled.add(channel);
      ipcMain.handle(channel, (event: E, ...raw: unknown[]) => {
        try {
          validateSender(channel, event, appOrigin);
        } catch (e) {
          onRefusal(e);
          // Rejecting tells a foreign frame nothing; an outcome would be an answer.
          return Promise.reject(new Error('refused'));
        }
        return handler(event, ...raw);
      });
    },
    on(channel, listener) {
      listened.add(channel);
      ipcMain.on(channel, (event: E, ...raw: unknown[]) => {
        try {
          validateSender(channel, event, appOrigin);
          listener(event, ...raw);
        } catch (e) {
          onRefusal(e);
        }
      });
    },
    dispose() {
      for (const c of handled) ipcMain.removeHandler(c);
      for (const c of listened) ipcMain.removeAllListeners(c);
    },
  };
}

export function validateChannel(channel: unknown): void {
  if (typeof channel !== 'string' || !INBOUND_CHANNELS.includes(channel)) {
    throw new IpcRefusal(`IPC refused: unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}`);
  }
}

/** Checks 1 and 2; throws IpcRefusal. */
export function validateSender(channel: unknown, event: IpcEventLike, appOrigin: string): void {
  validateChannel(channel);
  const frame = event?.senderFrame;
  if (!frame) throw new IpcRefusal(`IPC refused on ${channel}: the sender frame is gone`);
  if (frame.parent !== null) throw new IpcRefusal(`IPC refused on ${channel}: sent from a sub-frame (${frame.url})`);
  let origin: string;
  try {
    const u = new URL(frame.url);
    origin = `${u.protocol}//${u.host}`;
  } catch {
    throw new IpcRefusal(`IPC refused on ${channel}: sender URL ${JSON.stringify(frame.url)} is not a URL`);
  }
  if (origin !== appOrigin) throw new IpcRefusal(`IPC refused on ${channel}: sender ${origin} is not the app (${appOrigin})`);
}

const CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

function badArgs(message: string): never {
  throw new RestoreError('BAD_ARGUMENTS', message);
}

export interface ParsedInvoke<C extends CommandName = CommandName> {
  callId: string | undefined;
  command: C;
  args: CommandArgs<C>;
}

/** invoke: exactly (callId | null, command, args); the args must fit the command's schema. */
export function parseInvoke(raw: readonly unknown[]): ParsedInvoke {
  if (raw.length !== 3) badArgs(`invoke takes 3 arguments (callId, command, args), got ${raw.length}`);
  const [callId, command, args] = raw;
  if (callId !== null && (typeof callId !== 'string' || !CALL_ID.test(callId))) badArgs('callId: expected null or a short id');
  const clean = validateCall(command, args);
  return { callId: callId ?? undefined, command: command as CommandName, args: clean };
}

/** cancel: exactly (callId). */
export function parseCancel(raw: readonly unknown[]): string {
  if (raw.length !== 1 || typeof raw[0] !== 'string' || !CALL_ID.test(raw[0])) badArgs('cancel takes one call id');
  return raw[0];
}

/** subscribe / unsubscribe: exactly (eventName). */
export function parseSubscription(raw: readonly unknown[]): EventName {
  if (raw.length !== 1 || !isEventName(raw[0])) badArgs(`expected one event name, got ${JSON.stringify(raw).slice(0, 80)}`);
  return raw[0];
}
