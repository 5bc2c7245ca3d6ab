// Settings: defaults, and the stored file read field by field, so one bad value (an edited file,
// an older version) falls back to its default instead of discarding the rest.
import type { Settings } from '../../shared/contract.ts';
import { DEFAULT_CHUNK_BUDGET, DEFAULT_CONCURRENCY } from '../../shared/limits.ts';
import { COMMAND_SCHEMAS } from './schema.ts';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  defaultConcurrency: DEFAULT_CONCURRENCY,
  defaultRate: 0,
  globalRate: 0,
  maxRunningJobs: 4,
  notifications: 'all',
  sparseByDefault: true,
  historyLimit: 200,
  chunkBudget: DEFAULT_CHUNK_BUDGET,
  demoDismissed: false,
});

export interface SettingsFile {
  version: 1;
  settings: Partial<Settings>;
}

export function mergeSettings(stored: unknown): Settings {
  const out: Settings = { ...DEFAULT_SETTINGS };
  if (typeof stored !== 'object' || stored === null) return out;
  for (const [key, value] of Object.entries(stored)) {
    try {
      Object.assign(out, COMMAND_SCHEMAS['settings.set']({ [key]: value }, 'settings'));
    } catch {
      // unknown or invalid: keep the default
    }
  }
  return out;
}
