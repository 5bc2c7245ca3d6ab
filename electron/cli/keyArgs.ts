// --keyfile for every command that reads encrypted archives: the key's password comes from
// PBS_ENCRYPTION_PASSWORD or a terminal prompt, as with proxmox-backup-client, and only when the
// key file has one.
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import { loadKey } from '../service/keys.ts';
import { keepSecret } from './output.ts';
import { promptPassword } from './prompt.ts';

/** The password is kept out of every line the CLI prints (keepSecret); the signal ends a slow KDF. */
export function keyFor(path: string | undefined, signal?: AbortSignal): Promise<CryptConfig | undefined> {
  if (!path) return Promise.resolve(undefined);
  return loadKey(
    path,
    async () => {
      const password = process.env.PBS_ENCRYPTION_PASSWORD ?? (await promptPassword(`Password for ${path}: `));
      keepSecret(password);
      return password;
    },
    signal,
  );
}
