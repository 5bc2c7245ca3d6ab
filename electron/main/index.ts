// The Electron main process: one instance, one window, the service in this process, IPC through
// the validated bridge. Order matters: the scheme and hardening before `ready`, the decode
// worker's location before any job, IPC before the window loads.
import { app, BrowserWindow, dialog, ipcMain, Menu } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setDecodeWorkerUrl } from '../engine/decodePool.ts';
import { RestoreService } from '../service/service.ts';
import { APP_ORIGIN } from '../ipc/channels.ts';
import { installIpcBridge } from './ipcBridge.ts';
import { buildMenu } from './menu.ts';
import { notifyWhenJobsEnd } from './notifications.ts';
import { registerAppScheme, serveAppScheme } from './protocol.ts';
import { safeStorageBox } from './secretBox.ts';
import { hardenApp, hardenSession } from './security.ts';
import { shellCommands } from './shellCommands.ts';
import { createMainWindow } from './window.ts';

// Layout of the build (scripts/build.ts): out/main/index.mjs, out/preload/index.cjs,
// out/worker/decodeWorker.mjs, out/renderer/. In a packaged app the worker is unpacked from the
// asar archive (electron-builder.yml asarUnpack): worker_threads cannot load from inside it.
const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
const unpacked = (path: string): string => path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');

setDecodeWorkerUrl(pathToFileURL(unpacked(here('../worker/decodeWorker.mjs'))));
// The same data folder as browser mode (`restore-console serve`), whatever productName the
// packager gives the app.
app.setPath('userData', join(app.getPath('appData'), 'restore-console'));
registerAppScheme();
hardenApp();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void main().catch((e) => {
    dialog.showErrorBox('Restore Console could not start', (e as Error)?.stack ?? String(e));
    app.exit(1);
  });
}

async function main(): Promise<void> {
  await app.whenReady();
  hardenSession();
  serveAppScheme(here('../renderer/'));

  const service = await RestoreService.create({
    dataDir: app.getPath('userData'),
    shell: 'electron',
    version: app.getVersion(),
    secrets: safeStorageBox(),
    onLog: (line) => console.log(line),
  });
  installIpcBridge({ ipcMain, service, appOrigin: APP_ORIGIN, shell: shellCommands, onRefusal: (m) => console.warn(m) });

  const active = new Set<string>();
  service.on('job', (j) => (['queued', 'running', 'paused', 'cancelling'].includes(j.state) ? active.add(j.id) : active.delete(j.id)));

  let win: BrowserWindow | undefined;
  const focus = (): void => {
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  const open = async (): Promise<void> => {
    win = await createMainWindow({
      dataDir: app.getPath('userData'),
      preload: here('../preload/index.cjs'),
      // Closing with jobs running cancels them (their targets stay .partial): ask first.
      beforeClose: (w) =>
        active.size === 0 ||
        dialog.showMessageBoxSync(w, {
          type: 'warning',
          buttons: ['Cancel the jobs and quit', 'Keep running'],
          defaultId: 1,
          cancelId: 1,
          message: `${active.size} job${active.size === 1 ? ' is' : 's are'} still running`,
          detail: 'Quitting cancels them; restored files stay partial (named .partial).',
        }) === 0,
    });
  };

  notifyWhenJobsEnd(service, focus);
  Menu.setApplicationMenu(buildMenu(service, () => win));
  app.on('second-instance', focus);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void open();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    void service.close().finally(() => {
      closed = true;
      app.quit();
    });
  });
  await open();
}
