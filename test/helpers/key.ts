import { readFile } from 'node:fs/promises';
import { decryptKeyConfig, parseKeyFile } from '../../electron/pbs/keyFile.ts';
import type { CryptConfig } from '../../electron/pbs/cryptConfig.ts';

export async function loadKeyForTest(path: string, password: string): Promise<CryptConfig> {
  return decryptKeyConfig(parseKeyFile(await readFile(path, 'utf8')), password);
}
