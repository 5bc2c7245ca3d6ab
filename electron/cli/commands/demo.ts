// `restore-console demo DIR [--small]`: writes the demo datastore and its key file.
import { DEMO_KEY_PASSWORD, writeDemoDatastore } from '../../demo/demoDatastore.ts';
import { parse } from '../args.ts';
import { RestoreError } from '../../../shared/errors.ts';
import { formatBytes } from '../../../shared/units.ts';

export const DEMO_USAGE = 'demo DIR [--small]';

export async function demoCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parse(argv, { small: { type: 'boolean' } });
  if (positionals.length !== 1) throw new RestoreError('USAGE', 'demo needs exactly one DIR');
  const dir = positionals[0]!;
  const tty = process.stderr.isTTY;
  const result = await writeDemoDatastore(dir, {
    scale: flags.small ? 'small' : 'full',
    onProgress: tty ? (done, total) => process.stderr.write(`\r\x1b[2Kwriting demo datastore ${((100 * done) / total).toFixed(0)}%`) : () => {},
  });
  if (tty) process.stderr.write('\n');
  const total = result.archives.reduce((s, a) => s + a.size, 0);
  process.stdout.write(`demo datastore written to ${result.dir}: ${result.archives.length} disk images, ${formatBytes(total, 'iec')} in all\n`);
  process.stdout.write(`key file for the encrypted VM: ${result.keyFile} (password: ${DEMO_KEY_PASSWORD})\n`);
  return 0;
}
