// The small pure parts of the PBS client: repository syntax, fingerprints, percent-encoding, the
// mapping of PBS's HTTP answers to error codes, and the exact reader-upgrade query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRepository, hostPort } from '../../electron/source/pbs/repository.ts';
import { normalizeFingerprint } from '../../electron/source/pbs/tlsPin.ts';
import { percentEncode } from '../../electron/source/pbs/auth.ts';
import { httpError } from '../../electron/source/pbs/httpErrors.ts';
import { readerPath } from '../../electron/source/pbs/readerSession.ts';

test('parseRepository reads [[AUTHID@]HOST[:PORT]:]STORE as proxmox-backup-client does', () => {
  assert.deepEqual(parseRepository('store1'), { host: 'localhost', port: 8007, datastore: 'store1' });
  assert.deepEqual(parseRepository('pbs.example.com:store1'), { host: 'pbs.example.com', port: 8007, datastore: 'store1' });
  assert.deepEqual(parseRepository('10.0.0.5:8008:store1'), { host: '10.0.0.5', port: 8008, datastore: 'store1' });
  assert.deepEqual(parseRepository('root@pam@pbs:store1'), { authId: 'root@pam', host: 'pbs', port: 8007, datastore: 'store1' });
  assert.deepEqual(parseRepository('backup@pbs!restore@pbs.lan:8007:tank-2'), { authId: 'backup@pbs!restore', host: 'pbs.lan', port: 8007, datastore: 'tank-2' });
  assert.deepEqual(parseRepository('root@pam@[fd00::1]:store1'), { authId: 'root@pam', host: 'fd00::1', port: 8007, datastore: 'store1' });
  assert.deepEqual(parseRepository('[::1]:9000:store1'), { host: '::1', port: 9000, datastore: 'store1' });
  // A user name may itself contain "@": the auth id ends at the last one.
  assert.deepEqual(parseRepository('j.doe@corp.com@ldap@pbs:store1'), { authId: 'j.doe@corp.com@ldap', host: 'pbs', port: 8007, datastore: 'store1' });
  for (const bad of ['', 'st', 'root@pam@store1', 'host:0:store1', 'host:70000:store1', '[::1:store1', '[zz]:store1', 'a:b:c:d', 'host:store/x', 'root@pam!@h:store1', 'ho st:store1']) {
    assert.throws(() => parseRepository(bad), { code: 'INVALID_NAME' }, bad);
  }
  assert.equal(hostPort('::1', 8007), '[::1]:8007');
  assert.equal(hostPort('pbs', 8007), 'pbs:8007');
});

test('fingerprints are accepted in any case, with or without colons, and shown as lowercase colon hex', () => {
  const lower = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0')).join(':');
  assert.equal(normalizeFingerprint(lower.toUpperCase()), lower);
  assert.equal(normalizeFingerprint(lower.replaceAll(':', '')), lower);
  assert.throws(() => normalizeFingerprint('12:34'), { code: 'USAGE' });
});

test('secrets and tickets are percent-encoded with the official client encode set', () => {
  assert.equal(percentEncode('8d1f6c2e-0b7a-4c55'), '8d1f6c2e-0b7a-4c55');
  assert.equal(percentEncode('a b"#<>?`{}\u007f%é'), 'a%20b%22%23%3C%3E%3F%60%7B%7D%7F%%C3%A9');
  assert.equal(percentEncode('PBS:root@pam:65A1B2C3::a+b/c'), 'PBS:root@pam:65A1B2C3::a+b/c');
});

test('PBS answers map to stable codes; the server text goes into the message', () => {
  const code = (status: number, body: string, kind: Parameters<typeof httpError>[2]) => httpError(status, body, kind, 'x').code;
  assert.equal(code(401, 'authentication failed - invalid ticket', 'api'), 'AUTH_FAILED');
  assert.equal(code(401, 'download chunk 00 not allowed', 'chunk'), 'CHUNK_REFUSED');
  assert.equal(code(403, 'permission check failed', 'api'), 'PERMISSION_DENIED');
  assert.equal(code(400, 'no permissions on /datastore/store1', 'upgrade'), 'PERMISSION_DENIED');
  assert.equal(code(400, 'backup owner check failed!', 'upgrade'), 'PERMISSION_DENIED');
  assert.equal(code(400, 'snapshot vm/100/2026-01-12T02:00:05Z does not exist.', 'upgrade'), 'SNAPSHOT_NOT_FOUND');
  assert.equal(code(404, 'not found', 'upgrade'), 'SNAPSHOT_NOT_FOUND');
  assert.equal(code(400, "no such datastore 'x'", 'upgrade'), 'DATASTORE_NOT_FOUND');
  assert.equal(code(404, 'open file "/x/a.blob" failed - not found', 'download'), 'ARCHIVE_NOT_FOUND');
  assert.equal(code(400, 'Unable to open fixed index "/x/a.fidx" - No such file or directory (os error 2)', 'download'), 'ARCHIVE_NOT_FOUND');
  assert.equal(code(400, 'reading file "/x/.chunks/ab/abcd" failed: No such file or directory (os error 2)', 'chunk'), 'CHUNK_MISSING');
  const e = httpError(502, '<html>\n bad   gateway </html>', 'chunk', 'downloading chunk ab');
  assert.equal(e.code, 'SERVER_ERROR');
  assert.equal(e.transient, true);
  assert.equal(e.message, 'downloading chunk ab: HTTP 502: <html> bad gateway </html>');
  assert.equal(httpError(400, 'parameter verification failed', 'api', 'x').transient, false);
});

test('the reader upgrade sends exactly the parameters of API_METHOD_UPGRADE_BACKUP', () => {
  assert.equal(
    readerPath('store1', { ns: '', type: 'vm', id: '100', time: 1752502802 }),
    '/api2/json/reader?backup-type=vm&backup-id=100&backup-time=1752502802&store=store1&debug=false',
  );
  assert.equal(
    readerPath('store1', { ns: 'a/b', type: 'ct', id: '300', time: 1 }),
    '/api2/json/reader?backup-type=ct&backup-id=300&backup-time=1&store=store1&debug=false&ns=a%2Fb',
  );
});
