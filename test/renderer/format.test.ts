// Words and numbers for people: units, durations, every error code explained with a next step,
// the suggested target name, the command line equivalent, PBS snapshot facts, routes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateText, readRate } from '../../renderer/format/rate.ts';
import { cliEquivalent, snapshotPath } from '../../renderer/format/cli.ts';
import { explainCode, explainError } from '../../shared/errorText.ts';
import { jobDuration, jobTitle, jobWhere } from '../../renderer/format/jobText.ts';
import { reasonText, settlingText } from '../../renderer/format/concurrency.ts';
import { encryptionOf, snapshotMatches, upidStart } from '../../renderer/format/snapshot.ts';
import { defaultTargetName, joinPath, numbered } from '../../renderer/format/targetName.ts';
import { formatAge, formatBytes, formatDuration, formatPercent, formatRate } from '../../shared/units.ts';
import { MAX_NOTICES, routeFromHash, routeToHash, withNotice } from '../../renderer/store/appSlice.ts';
import { job } from './fixtures.ts';

// Dates in names and labels are local: fix the zone.
process.env.TZ = 'UTC';

test('bytes, rates, durations, ages, percentages', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(4_240_000), '4.24 MB');
  assert.equal(formatBytes(1024 ** 3, 'iec'), '1.00 GiB');
  assert.equal(formatBytes(123_456_789_012), '123 GB');
  assert.equal(formatRate(-5), '0 B/s');
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(12_340), '12.3 s');
  assert.equal(formatDuration(245_000), '4 min 05 s');
  assert.equal(formatDuration(7_380_000), '2 h 03 min');
  assert.equal(formatAge(0, 30_000), 'just now');
  assert.equal(formatAge(0, 3 * 86_400_000), '3 days ago');
  assert.equal(formatAge(0, 3 * 86_400_000, true), '3d ago');
  assert.equal(formatPercent(5, 4), '100.0%', 'a percentage over 100');
  assert.equal(formatPercent(1, 0), '0%');
});

test('every error code has words and a next step; the ones the brief names say what to do', () => {
  assert.equal(explainCode('WRONG_PASSWORD').next, 'Check the key file password and try again.');
  assert.equal(explainCode('TARGET_EXISTS').next, 'Choose another file or allow overwriting.');
  const x = explainError({ code: 'CHUNK_MISSING', message: 'chunk 3 missing' });
  assert.equal(x.code, 'CHUNK_MISSING');
  assert.equal(x.detail, 'chunk 3 missing');
  assert.match(x.next, /verify/);
  assert.equal(explainError(new Error('boom')).detail, 'boom');
  assert.equal(explainError({ code: 'NOT_A_CODE', message: 'm' }).code, undefined);
});

test('the suggested target is named after the VM, the disk and the snapshot date', () => {
  const t = Date.UTC(2026, 0, 14, 2, 0, 6) / 1000;
  assert.equal(defaultTargetName({ ns: '', type: 'vm', id: '100', time: t }, 'drive-scsi0.img.fidx'), '100-drive-scsi0-2026-01-14.raw');
  assert.equal(defaultTargetName({ ns: 'lab/staging', type: 'ct', id: '200', time: t }, 'drive-efidisk0.img.fidx'), 'lab-staging-200-drive-efidisk0-2026-01-14.raw');
  assert.equal(joinPath('/home/a/Downloads', 'x.raw'), '/home/a/Downloads/x.raw');
  assert.equal(joinPath('/home/a/Downloads/', 'x.raw'), '/home/a/Downloads/x.raw');
  assert.equal(joinPath('C:\\Users\\a\\Downloads', 'x.raw'), 'C:\\Users\\a\\Downloads\\x.raw');
  assert.equal(numbered('/d/x.raw', 1), '/d/x.raw');
  assert.equal(numbered('/d/x.raw', 3), '/d/x-3.raw');
  assert.equal(numbered('/d.v/x', 2), '/d.v/x-2');
});

test('the command line equivalent reproduces the dialog, without the password', () => {
  const t = Date.UTC(2026, 0, 14, 2, 0, 6) / 1000;
  assert.equal(snapshotPath('vm', '100', t), 'vm/100/2026-01-14T02:00:06Z');
  const cmd = cliEquivalent(
    { kind: 'pbs', host: 'pbs.lan', datastore: 'store1', authId: 'restore@pbs!console', fingerprint: 'ab:cd' },
    { mode: 'restore', sourceId: 's', snapshot: { ns: 'lab', type: 'vm', id: '101', time: t }, archive: 'drive-scsi0.img.fidx', target: '/tmp/my disk.raw', concurrency: 'auto', keyfile: '/k.json', password: 'secret', force: true, sparse: false },
  );
  assert.equal(
    cmd,
    // The "!" of a token id is quoted: bash would expand it.
    "restore-console restore --repository 'restore@pbs!console@pbs.lan:store1' --fingerprint ab:cd --ns lab --snapshot vm/101/2026-01-14T02:00:06Z --archive drive-scsi0.img --target '/tmp/my disk.raw' --concurrency auto --keyfile /k.json --force --no-sparse",
  );
  assert.doesNotMatch(cmd, /secret/);
});

test('snapshot facts: encryption, the verify time from its UPID, the filter', () => {
  const files = (modes: Array<'none' | 'encrypt' | 'sign-only'>) => modes.map((m, i) => ({ filename: `f${i}`, size: 1, cryptMode: m }));
  assert.equal(encryptionOf({ files: files(['encrypt', 'encrypt']) }), 'encrypted');
  assert.equal(encryptionOf({ files: files(['sign-only']) }), 'signed');
  assert.equal(encryptionOf({ files: files(['none', 'encrypt']) }), 'mixed');
  assert.equal(encryptionOf({ files: [] }), 'none');
  assert.equal(upidStart('UPID:pbs:00001A2B:0003F2C1:00000A1B:6966F9C0:verificationjob:x:root@pam:'), 0x6966f9c0 * 1000);
  assert.equal(upidStart('nonsense'), undefined);
  const snap = { ns: '', backupType: 'vm' as const, backupId: '101', backupTime: 1, files: files(['encrypt']), size: 1, protected: true, comment: 'before upgrade' };
  assert.equal(snapshotMatches(snap, 'database', '2026-01-14 02:10:09', 'VM/101 upgrade'), true);
  assert.equal(snapshotMatches(snap, 'database', '2026-01-14 02:10:09', 'protected encrypted 2026-01-14'), true);
  assert.equal(snapshotMatches(snap, 'database', '2026-01-14 02:10:09', 'web'), false);
  assert.equal(snapshotMatches(snap, undefined, '', '  '), true);
});

test('job durations read like a task list; routes survive the address bar', () => {
  assert.equal(jobDuration(job({ state: 'queued' })), 'Queued');
  assert.equal(jobDuration(job({ state: 'running', startedAt: 0 }), 2000), 'Running for 2.0 s');
  assert.equal(jobDuration(job({ state: 'succeeded', startedAt: 0, endedAt: 12_000 })), 'Finished in 12.0 s');
  assert.equal(jobDuration(job({ state: 'cancelled', startedAt: 0, endedAt: 1500 })), 'Cancelled after 1.5 s');
  for (const r of [{ view: 'sources' }, { view: 'browse' }, { view: 'jobs' }, { view: 'job', id: 'job-a b' }, { view: 'settings' }] as const) assert.deepEqual(routeFromHash(routeToHash(r)), r);
  assert.equal(routeFromHash('#/nowhere'), undefined);
});

test('two running jobs of one disk read apart: where each writes (or the snapshot a verify reads)', () => {
  const a = job({ id: 'a' });
  const b = job({ id: 'b', request: { ...job().request, target: '/restores/other.raw' } });
  assert.equal(jobTitle(a), jobTitle(b));
  assert.deepEqual([jobWhere(a), jobWhere(b)], ['→ t.raw', '→ other.raw']);
  assert.equal(jobWhere(job({ request: { ...job().request, target: undefined, targetDir: '/restores/vm-100/' } })), '→ vm-100/');
  assert.equal(jobWhere(job({ mode: 'verify', request: { ...job().request, mode: 'verify', target: undefined } })), 'snapshot 1970-01-01 00:00:01');
});

test('the concurrency words: auto in plain words, and the lowering hint only when lowering', () => {
  assert.equal(reasonText('user', false), 'set by you');
  assert.equal(reasonText('auto: settled at 24, more was not faster', true), 'settled at 24, more was not faster');
  assert.equal(reasonText('auto: finding the best limit', true), 'finding the best limit');
  assert.equal(settlingText(8, 16), 'lowering lets the chunks in flight finish first');
  assert.equal(settlingText(24, 16), undefined, 'raising showed the lowering hint');
  assert.equal(settlingText(16, 16), undefined);
  assert.equal(settlingText('auto', 16), undefined);
});

test('notices: the same message again replaces its copy, and only the newest few stay', () => {
  let list = withNotice([], { id: 1, kind: 'error', text: 'Cannot connect' });
  list = withNotice(list, { id: 2, kind: 'error', text: 'Cannot connect' });
  assert.deepEqual(list.map((n) => n.id), [2]);
  for (let id = 3; id < 10; id++) list = withNotice(list, { id, kind: 'info', text: `done ${id}` });
  assert.equal(list.length, MAX_NOTICES);
  assert.deepEqual(list.map((n) => n.id), [7, 8, 9]);
});

test('a rate cap reads back exactly: binary units kept, decimal ones in GB or MB, odd counts in bytes, and --rate parses it to the same bytes', () => {
  const cases: Array<[string, string]> = [
    ['1GiB', '1GiB'],
    ['20MiB', '20MiB'],
    ['1.5GiB', '1536MiB'],
    ['2GB', '2GB'],
    ['50MB', '50MB'],
    ['1.5GB', '1500MB'],
    ['123456', '123456'],
    ['2.5MB', '2.5MB'],
  ];
  for (const [typed, shown] of cases) {
    const bytes = readRate(typed)!;
    assert.equal(rateText(bytes), shown, typed);
    assert.equal(readRate(rateText(bytes)), bytes, `${typed} does not read back`);
  }
  assert.equal(rateText(0), '');
  assert.equal(rateText(undefined), '');
});
