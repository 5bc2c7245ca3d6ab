// Password prompt on the terminal with echo off; refuses when there is no terminal, so scripts
// get a clear error instead of a hang.
import { RestoreError } from '../../shared/errors.ts';

export async function promptPassword(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw new RestoreError('KEY_PASSWORD_REQUIRED', 'the key file is password protected: set PBS_ENCRYPTION_PASSWORD (no terminal to ask on)');
  }
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  let text = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (chunk: string): void => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            return resolve(text);
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            return reject(new RestoreError('CANCELLED', 'password prompt cancelled'));
          }
          if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
          else text += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
