// The data folder the command line shares with the app: settings and history for `serve`, and the
// resume state of restores to block devices (docs/resume.md).
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The folder Electron's app.getPath('userData') names for this app, so both shells share it. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'restore-console');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'restore-console');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'restore-console');
}
