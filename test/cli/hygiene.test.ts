// What the CLI prints when a server is hostile: names and comments with terminal control
// sequences are printed escaped, every error stays one line, invalid names are skipped with one
// warning line (text and --json alike), and no secret is printed even when the server echoes the
// Authorization header or the password back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { RestoreError } from '../../shared/errors.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { PASSWORD, remoteSetup, TOKEN_ID, TOKEN_SECRET, USER_ID } from '../remote/setup.ts';

const r = await remoteSetup();
const a = r.demo.archives.find((x) => !x.encrypted && x.ns === '')!;
const clean = { PBS_REPOSITORY: '', PBS_PASSWORD: '', PBS_FINGERPRINT: '' };
// Terminal controls: ESC, BEL, CR, DEL, C1 CSI, bidi override.
const RAW_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

function noSecrets(res: CliResult): void {
  for (const s of [TOKEN_SECRET, PASSWORD, 'wrong-password-42']) assert.ok(!res.stdout.includes(s) && !res.stderr.includes(s), `a secret was printed: ${res.stderr}`);
}

test('list from a server with control characters and invalid names: escaped, skipped, one warning line, text and --json', async () => {
  const srv = await r.server({ hostile: { badNames: true } });
  const repo = ['--repository', `${TOKEN_ID}@127.0.0.1:${srv.port}:${srv.store}`];
  const env = { ...clean, PBS_PASSWORD: TOKEN_SECRET, PBS_FINGERPRINT: srv.fingerprint };
  const text = await runCli(['list', ...repo], env);
  assert.equal(text.code, 0, text.stderr);
  assert.ok(!RAW_CONTROLS.test(text.stdout), `raw control characters printed: ${JSON.stringify(text.stdout.slice(0, 300))}`);
  // The comment's first line (up to its \r\n), escaped: the spoofed error line after it never starts a line.
  assert.match(text.stdout, /\\x1b\[2J\\x1b\]0;pwned\\x07note(\\r)?\n/, 'the comment is shown escaped');
  assert.ok(!/^restore-console: error \[FAKE\]/m.test(text.stdout + text.stderr), 'a server line passed for one of ours');
  assert.ok(!text.stdout.includes('../'), 'an invalid name was listed');
  const warnings = text.stderr.trim().split('\n');
  assert.equal(warnings.length, 1, text.stderr);
  assert.match(warnings[0]!, /^restore-console: warning: skipped \d+ listed entries with invalid names: /);
  const json = await runCli(['list', ...repo, '--json'], env);
  assert.equal(json.code, 0, json.stderr);
  assert.ok(!RAW_CONTROLS.test(json.stdout));
  const list = JSON.parse(json.stdout) as Array<{ backupId: string; comment?: string; files: Array<{ filename: string }> }>;
  assert.ok(list.length > 0 && list.every((s) => /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(s.backupId)));
  assert.ok(list.every((s) => s.files.every((f) => !f.filename.includes('/'))));
  assert.ok(list.some((s) => s.comment?.startsWith('\u001b[2J')), 'JSON carries the comment itself, escaped by JSON');
  assert.equal(json.stderr.trim().split('\n').length, 1, json.stderr);
  assert.match(json.stderr, /warning: skipped/);
});

test('a server echoing the Authorization header, the ticket or the password gets none of them printed', async () => {
  const srv = await r.server({ hostile: { echoAuth: true } });
  const port = `127.0.0.1:${srv.port}:${srv.store}`;
  const token = await runCli(['list', '--repository', `${TOKEN_ID}@${port}`], { ...clean, PBS_PASSWORD: TOKEN_SECRET, PBS_FINGERPRINT: srv.fingerprint });
  assert.equal(token.code, 1);
  assert.equal(token.stderr.trim().split('\n').length, 1, token.stderr);
  assert.match(token.stderr, /authorization: PBSAPIToken restore@pbs!console:\*\*\*/);
  noSecrets(token);
  const user = await runCli(['list', '--repository', `${USER_ID}@${port}`], { ...clean, PBS_PASSWORD: PASSWORD, PBS_FINGERPRINT: srv.fingerprint });
  assert.equal(user.code, 1);
  assert.match(user.stderr, /PBSAuthCookie=\*\*\*/, 'the ticket is redacted');
  noSecrets(user);
  const wrong = await runCli(['list', '--repository', `${USER_ID}@${port}`], { ...clean, PBS_PASSWORD: 'wrong-password-42', PBS_FINGERPRINT: srv.fingerprint });
  assert.match(wrong.stderr, /\[AUTH_FAILED\].*with password \*\*\*/);
  noSecrets(wrong);
  const snap = ['--snapshot', `${a.type}/${a.id}/${backupTimeName(a.time)}`, '--archive', a.archive, '--target', `${r.out}/echo.raw`, '--json'];
  const restore = await runCli(['restore', '--repository', `${TOKEN_ID}@${port}`, ...snap], { ...clean, PBS_PASSWORD: TOKEN_SECRET, PBS_FINGERPRINT: srv.fingerprint });
  assert.equal(restore.code, 1);
  noSecrets(restore);
  // The source itself redacts (the service's messages and logs get no secret either).
  const src = await r.connect(srv);
  await assert.rejects(src.listGroups(''), (e: RestoreError) => e.message.includes('***') && !e.message.includes(TOKEN_SECRET));
});
