// The contract's shell.* commands, answered by the desktop shell itself: native dialogs to pick
// a datastore folder, a target file, where to save a download or a folder to extract into, and
// "show in folder". Browser mode answers NOT_SUPPORTED.
import { app, BrowserWindow, dialog, shell, type WebContents } from 'electron';
import { basename, join } from 'node:path';
import type { SenderLike, ShellHandlers } from './ipcBridge.ts';

const windowOf = (sender: SenderLike): BrowserWindow | null => BrowserWindow.fromWebContents(sender as unknown as WebContents);

export function chooseDatastoreFolder(win: BrowserWindow | null): Promise<string | null> {
  const options = {
    title: 'Choose a PBS datastore folder',
    buttonLabel: 'Use this datastore',
    properties: ['openDirectory', 'dontAddToRecent'] as Array<'openDirectory' | 'dontAddToRecent'>,
  };
  return (win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options)).then((r) => (r.canceled ? null : (r.filePaths[0] ?? null)));
}

export const shellCommands: ShellHandlers = {
  'shell.chooseDatastoreFolder': (_args, sender) => chooseDatastoreFolder(windowOf(sender)),
  'shell.chooseTargetFile': async ({ defaultName }, sender) => {
    const win = windowOf(sender);
    const options = {
      title: 'Restore the disk image to…',
      buttonLabel: 'Restore here',
      defaultPath: join(app.getPath('documents'), defaultName ?? 'disk.raw'),
      properties: ['createDirectory', 'showOverwriteConfirmation', 'dontAddToRecent'] as Array<'createDirectory' | 'showOverwriteConfirmation' | 'dontAddToRecent'>,
    };
    const r = await (win ? dialog.showSaveDialog(win, options) : dialog.showSaveDialog(options));
    return r.canceled || !r.filePath ? null : r.filePath;
  },
  'shell.chooseSaveFile': async ({ defaultName }, sender) => {
    const win = windowOf(sender);
    const options = {
      title: 'Save the files as…',
      buttonLabel: 'Save',
      // Only the last segment of what the renderer proposes: the folder is the user's Downloads.
      defaultPath: join(app.getPath('downloads'), basename(defaultName)),
      properties: ['createDirectory', 'showOverwriteConfirmation', 'dontAddToRecent'] as Array<'createDirectory' | 'showOverwriteConfirmation' | 'dontAddToRecent'>,
    };
    const r = await (win ? dialog.showSaveDialog(win, options) : dialog.showSaveDialog(options));
    return r.canceled || !r.filePath ? null : r.filePath;
  },
  'shell.chooseFolder': async (_args, sender) => {
    const win = windowOf(sender);
    const options = {
      title: 'Extract the files into…',
      buttonLabel: 'Extract here',
      defaultPath: app.getPath('downloads'),
      properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'] as Array<'openDirectory' | 'createDirectory' | 'dontAddToRecent'>,
    };
    const r = await (win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options));
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  'shell.showInFolder': async ({ path }) => {
    shell.showItemInFolder(path);
    return null;
  },
};
