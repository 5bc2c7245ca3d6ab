// Every command answers --help (or -h) with its own page and exit 0, whatever else is on the line,
// and the page names every option the command's parser accepts, each with words. The commands
// come from the CLI's own table, so a new command (or option) without help fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, commandOptions } from '../../electron/cli/commandTable.ts';
import { undescribed } from '../../electron/cli/usage.ts';
import { runCli } from '../helpers/cli.ts';

const top = await runCli(['--help']);

test('the top-level help lists every command of the table and exits 0', () => {
  assert.equal(top.code, 0, top.stderr);
  for (const c of COMMANDS) assert.match(top.stdout, new RegExp(`^  restore-console ${c.name} `, 'm'), c.name);
  // And nothing the table does not hold.
  const listed = new Set([...top.stdout.matchAll(/^  restore-console (\S+)/gm)].map((m) => m[1]));
  assert.deepEqual([...listed].sort(), [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]))].sort());
});

for (const c of COMMANDS) {
  test(`${c.name} --help: its usage and every option it accepts, with words, exit 0 despite a bad option`, async () => {
    const options = Object.keys(await commandOptions(c));
    assert.ok(options.length > 0);
    assert.deepEqual(undescribed(await commandOptions(c)), [], 'options without words in usage.ts');
    // The usage lines name exactly the options the parser accepts.
    const inUsage = new Set(c.usage.flatMap((u) => [...u.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!)));
    assert.deepEqual([...inUsage].sort(), [...options].sort(), 'usage lines and parser disagree');
    const flag = c.name === 'demo' ? '-h' : '--help';
    const r = await runCli([...c.name.split(' '), '--no-such-option', flag, 'stray']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.ok(r.stdout.startsWith(`restore-console ${c.name}: `), r.stdout.slice(0, 80));
    for (const u of c.usage) assert.ok(r.stdout.includes(`restore-console ${u}`), `usage line of ${c.name}`);
    for (const o of options) assert.match(r.stdout, new RegExp(`^  --${o}\\b.*\\S`, 'm'), `--${o} is not listed with words`);
    assert.doesNotMatch(r.stdout, /not described/);
  });
}

test('a group alone lists its commands; a wrong command in it is a usage error', async () => {
  const files = await runCli(['files', '--help']);
  assert.equal(files.code, 0);
  assert.match(files.stdout, /restore-console files ls /);
  assert.match(files.stdout, /restore-console files get /);
  const wrong = await runCli(['files', 'cat']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /unknown files command "cat"/);
});
