// The application menu: standard roles, plus the app's own entries (add a datastore folder,
// generate the demo, open the data folder). DevTools only in unpackaged builds.
import { app, dialog, Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { RestoreService } from '../service/service.ts';
import { chooseDatastoreFolder } from './shellCommands.ts';

export function buildMenu(service: RestoreService, window: () => BrowserWindow | undefined): Menu {
  const failed = (what: string) => (e: unknown) => dialog.showErrorBox(`Restore Console: ${what}`, (e as Error)?.message ?? String(e));
  const mac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Add Datastore Folder…',
          accelerator: 'CmdOrCtrl+O',
          click: () => {
            chooseDatastoreFolder(window() ?? null)
              .then((path) => (path ? service.invoke('sources.add', { config: { kind: 'datastore', path } }) : null))
              .catch(failed('cannot add the datastore'));
          },
        },
        { label: 'Generate Demo Datastore', click: () => void service.invoke('demo.create', {}).catch(failed('cannot generate the demo')) },
        { type: 'separator' },
        { label: 'Open Data Folder', click: () => void shell.openPath(service.dataDir) },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        {
          label: 'About Restore Console',
          click: () =>
            void dialog.showMessageBox({
              type: 'info',
              title: 'About Restore Console',
              message: `Restore Console ${app.getVersion()}`,
              detail: `Restores Proxmox Backup Server disk images fast.\nElectron ${process.versions.electron}, Node ${process.versions.node}\nData: ${service.dataDir}`,
            }),
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
