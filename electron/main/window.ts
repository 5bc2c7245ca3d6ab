// The main window: sandboxed, context-isolated, no Node in the page; its bounds are remembered in
// window-state.json (user data folder) and restored when they still fit the displays.
import { BrowserWindow, screen } from 'electron';
import { join } from 'node:path';
import { JsonFile } from '../service/jsonFile.ts';
import { APP_ORIGIN } from '../ipc/channels.ts';
import { fitWindow, type WindowState } from './windowState.ts';

export async function createMainWindow(opts: { dataDir: string; preload: string; beforeClose?: (win: BrowserWindow) => boolean }): Promise<BrowserWindow> {
  const stateFile = new JsonFile<WindowState>(join(opts.dataDir, 'window-state.json'));
  const primary = screen.getPrimaryDisplay().workArea;
  const others = screen.getAllDisplays().map((d) => d.workArea);
  const state = fitWindow(await stateFile.read(), [primary, ...others]);
  const win = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Restore Console',
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  let saveTimer: NodeJS.Timeout | undefined;
  const save = (): void => {
    if (win.isDestroyed()) return;
    void stateFile.write({ ...win.getNormalBounds(), maximized: win.isMaximized() }).catch(() => {});
  };
  const saveSoon = (): void => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 500);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('close', (event) => {
    if (opts.beforeClose && !opts.beforeClose(win)) {
      event.preventDefault();
      return;
    }
    clearTimeout(saveTimer);
    save();
  });
  await win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}
