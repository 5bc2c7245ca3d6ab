// The restore dialog's "command line equivalent" is only worth showing if it does what the dialog
// does: each one is split by a real shell (as a person pasting it would run it) and parsed back by
// the CLI's own option parser, and every field must come back as the dialog had it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PublicSourceConfig, StartJobArgs } from '../../shared/contract.ts';
import { optional, parse, parseConcurrency } from '../../electron/cli/args.ts';
import { restoreOptions } from '../../electron/cli/commands/restore.ts';
import { DEFAULT_AUTH_ID } from '../../electron/cli/sourceArgs.ts';
import { parseSnapshotRef } from '../../electron/pbs/names.ts';
import { parseRepository } from '../../electron/source/pbs/repository.ts';
import { cliEquivalent } from '../../renderer/format/cli.ts';

const run = promisify(execFile);

/** The words a POSIX shell makes of the text (no expansion happens inside the quotes). */
async function shellWords(text: string): Promise<string[]> {
  const { stdout } = await run('sh', ['-c', `printf '%s\\0' ${text}`], { env: { PATH: process.env.PATH, HOME: '/nonexistent' } });
  return stdout.split('\0').slice(0, -1);
}

const t = Date.UTC(2026, 0, 14, 2, 0, 6) / 1000;
const base: StartJobArgs = { mode: 'restore', sourceId: 's', snapshot: { ns: '', type: 'vm', id: '100', time: t }, archive: 'drive-scsi0.img.fidx', target: '/tmp/x.raw' };

const cases: Array<[string, PublicSourceConfig, StartJobArgs]> = [
  ['a datastore folder, defaults', { kind: 'datastore', path: '/mnt/usb/datastore' }, base],
  [
    "paths with spaces, quotes and what a shell would expand",
    { kind: 'datastore', path: "/mnt/Bob's disk/store" },
    { ...base, target: '/tmp/$HOME `id` "x" !1 *.raw', keyfile: "/keys/it's.json", password: 'never shown', concurrency: 'auto', force: true, sparse: false },
  ],
  [
    'a PBS server with an API token, another port, a nested namespace',
    { kind: 'pbs', host: 'pbs.example.com', port: 8008, datastore: 'store1', authId: 'restore@pbs!console', fingerprint: `${'ab:'.repeat(31)}ab` },
    { ...base, mode: 'verify', snapshot: { ns: 'lab/staging', type: 'ct', id: '200', time: t }, archive: 'drive-efidisk0.img.fidx', target: undefined, concurrency: 7 } as StartJobArgs,
  ],
  // An IPv6 host needs brackets in a repository (the equivalent once lacked them: "too many ':'").
  ['a PBS server on the default port, an IPv6 address', { kind: 'pbs', host: 'fd00::1', datastore: 'store1', authId: 'root@pam' }, base],
  ['an IPv6 address given in brackets, another port', { kind: 'pbs', host: '[fd00::2]', port: 8443, datastore: 'store1', authId: 'root@pam' }, base],
];

for (const [what, source, args] of cases) {
  test(`the command line equivalent parses back to the dialog's request: ${what}`, async () => {
    const text = cliEquivalent(source, args);
    assert.doesNotMatch(text, /never shown/, 'the password appeared');
    const words = await shellWords(text);
    assert.deepEqual(words.slice(0, 2), ['restore-console', args.mode]);
    const { flags, positionals } = parse(words.slice(2), restoreOptions(args.mode));
    assert.deepEqual(positionals, []);
    if (source.kind === 'datastore') {
      assert.equal(flags.datastore, source.path);
      assert.equal(flags.repository, undefined);
    } else {
      const repo = parseRepository(optional(flags, 'repository')!);
      const host = source.host.replace(/^\[(.*)\]$/, '$1');
      assert.deepEqual({ ...repo, authId: repo.authId ?? DEFAULT_AUTH_ID }, { authId: source.authId, host, port: source.port ?? 8007, datastore: source.datastore });
      assert.equal(flags.fingerprint, source.fingerprint);
    }
    assert.deepEqual(parseSnapshotRef(optional(flags, 'snapshot')!, optional(flags, 'ns') ?? ''), args.snapshot);
    assert.equal(`${optional(flags, 'archive')}.fidx`, args.archive);
    assert.equal(flags.target, args.target);
    assert.equal(parseConcurrency(optional(flags, 'concurrency')), args.concurrency);
    assert.equal(flags.keyfile, args.keyfile);
    assert.equal(flags.force === true, args.force === true);
    assert.equal(flags['no-sparse'] === true, args.sparse === false);
  });
}
