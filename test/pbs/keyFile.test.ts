import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createKeyConfig,
  decryptKeyConfig,
  keyNeedsPassword,
  parseKeyFile,
  serializeKeyConfig,
  type KeyConfig,
} from '../../electron/pbs/keyFile.ts';
import { hasCode, seq } from './helpers.ts';

const T1_FP = '0e:ab:d4:46:0b:6e:b9:ca:34:50:23:de:e2:b7:78:c7:90:e5:4a:16:83:b9:65:9c:0a:57:ae:19:90:90:15:9b';
const ZERO_FP = Array(32).fill('00').join(':');
const V4 =
  '{"kdf":{"PBKDF2":{"iter":65535,"salt":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}},"created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z","data":"qqqqqqqqqqqqqqqqqqqqqoTsThuU56t7M8J2zXwz8jCvwKlXkXDm9ETKj0zbYPRfholuLA/IBUsNezOpyX8t9A==","fingerprint":"0e:ab:d4:46:0b:6e:b9:ca:34:50:23:de:e2:b7:78:c7:90:e5:4a:16:83:b9:65:9c:0a:57:ae:19:90:90:15:9b"}';

const rawKeyFile = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ kdf: null, created: '2024-01-01T10:00:00+01:00', modified: '2024-01-01T10:00:00+01:00', data: seq(32).toString('base64'), ...extra });

test('T1: kdf-null key file with the wrong fingerprint fails with KEYFILE_INVALID', async () => {
  const kc = parseKeyFile(rawKeyFile({ fingerprint: ZERO_FP }));
  assert.equal(keyNeedsPassword(kc), false);
  await assert.rejects(decryptKeyConfig(kc), hasCode('KEYFILE_INVALID'));
});

test('T1: kdf-null key file without a fingerprint loads and yields T1\'s fingerprint', async () => {
  const c = await decryptKeyConfig(parseKeyFile(rawKeyFile()));
  assert.deepEqual(c.encKey, seq(32));
  assert.equal(c.fingerprintText(), T1_FP);
  // with the right fingerprint (uppercase, as PVE writes it) it loads too
  const c2 = await decryptKeyConfig(parseKeyFile(rawKeyFile({ fingerprint: T1_FP.toUpperCase() })));
  assert.equal(c2.fingerprintText(), T1_FP);
});

test('a key file without "kdf" is a raw key (serde reads a missing Option as None)', async () => {
  const kc = parseKeyFile(JSON.stringify({ created: 'x', modified: 'x', data: seq(32).toString('base64') }));
  assert.equal(kc.kdf, null);
  assert.equal(keyNeedsPassword(kc), false);
  assert.equal((await decryptKeyConfig(kc)).fingerprintText(), T1_FP);
  const withNullFp = parseKeyFile(rawKeyFile({ fingerprint: null }));
  assert.equal((await decryptKeyConfig(withNullFp)).fingerprintText(), T1_FP);
});

test('kdf-null data that is not 32 bytes is KEYFILE_INVALID', async () => {
  await assert.rejects(decryptKeyConfig(parseKeyFile(rawKeyFile({ data: seq(31).toString('base64') }))), hasCode('KEYFILE_INVALID'));
  await assert.rejects(decryptKeyConfig(parseKeyFile(rawKeyFile({ fingerprint: 'zz:00' }))), hasCode('KEYFILE_INVALID'));
});

test('V4: the PBKDF2 key file decrypts to 00..1f', async () => {
  const kc = parseKeyFile(V4);
  assert.equal(keyNeedsPassword(kc), true);
  const c = await decryptKeyConfig(kc, 'testpassword');
  assert.deepEqual(c.encKey, seq(32));
  assert.equal(c.fingerprintText(), T1_FP);
});

test('V4: createKeyConfig with the same salt, IV and date writes the vector byte-exactly', async () => {
  const kc = await createKeyConfig(seq(32), {
    password: 'testpassword',
    kdf: 'pbkdf2',
    salt: seq(32),
    iv: Buffer.alloc(16, 0xaa),
    created: '2024-01-01T00:00:00Z',
  });
  assert.equal(serializeKeyConfig(kc), V4);
});

test('wrong, short and missing passwords', async () => {
  const kc = parseKeyFile(V4);
  await assert.rejects(decryptKeyConfig(kc, 'wrongpassword'), hasCode('WRONG_PASSWORD'));
  await assert.rejects(decryptKeyConfig(kc, 'test'), hasCode('WRONG_PASSWORD'));
  await assert.rejects(decryptKeyConfig(kc), hasCode('KEY_PASSWORD_REQUIRED'));
  // a wrong fingerprint in a password-protected file is caught after unwrapping
  const badFp = parseKeyFile(V4.replace(T1_FP, ZERO_FP));
  await assert.rejects(decryptKeyConfig(badFp, 'testpassword'), hasCode('KEYFILE_INVALID'));
});

test('PBKDF2 key created with createKeyConfig decrypts again', async () => {
  const raw = Buffer.alloc(32, 0x42);
  const kc = await createKeyConfig(raw, { password: 'correct horse', kdf: 'pbkdf2' });
  assert.ok(kc.kdf && 'PBKDF2' in kc.kdf);
  assert.equal(kc.kdf.PBKDF2.iter, 65535);
  assert.equal(Buffer.from(kc.kdf.PBKDF2.salt, 'base64').length, 32);
  const reread = parseKeyFile(serializeKeyConfig(kc));
  assert.deepEqual((await decryptKeyConfig(reread, 'correct horse')).encKey, raw);
  await assert.rejects(decryptKeyConfig(reread, 'correct horsE'), hasCode('WRONG_PASSWORD'));
});

test('Scrypt key created with createKeyConfig (n=65536 r=8 p=1) decrypts again', async () => {
  const raw = Buffer.alloc(32, 0x17);
  const kc = await createKeyConfig(raw, { password: 'hunter22' });
  assert.ok(kc.kdf && 'Scrypt' in kc.kdf);
  assert.deepEqual({ ...kc.kdf.Scrypt, salt: undefined }, { n: 65536, r: 8, p: 1, salt: undefined });
  const c = await decryptKeyConfig(parseKeyFile(serializeKeyConfig(kc)), 'hunter22');
  assert.deepEqual(c.encKey, raw);
  assert.equal(kc.fingerprint, c.fingerprintText());
});

test('an unprotected key created with createKeyConfig has kdf null and the raw key as data', async () => {
  const kc = await createKeyConfig(seq(32), { created: '2024-01-01T00:00:00Z' });
  assert.equal(
    serializeKeyConfig(kc),
    `{"kdf":null,"created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z","data":"${seq(32).toString('base64')}","fingerprint":"${T1_FP}"}`,
  );
  assert.equal((await decryptKeyConfig(kc)).fingerprintText(), T1_FP);
});

test('malformed key files are KEYFILE_INVALID', async () => {
  const bad = (text: string) => assert.throws(() => parseKeyFile(text), hasCode('KEYFILE_INVALID'), text);
  bad('{"kdf": null, "data": ');
  bad('');
  bad('null');
  bad('42');
  bad('[]');
  bad('{"kdf":null}');
  bad('{"kdf":null,"data":5}');
  bad('{"kdf":{"Argon2":{}},"data":"AA=="}');
  bad('{"kdf":"Scrypt","data":"AA=="}');
  bad('{"kdf":{"Scrypt":{"n":"65536","r":8,"p":1,"salt":""}},"data":"AA=="}');
  bad('{"kdf":{"PBKDF2":{"iter":65535}},"data":"AA=="}');
  bad(rawKeyFile({ fingerprint: 5 }));
  // wrapped data too short to hold iv, tag and key
  const short: KeyConfig = { ...parseKeyFile(V4), data: Buffer.alloc(40).toString('base64') };
  await assert.rejects(decryptKeyConfig(short, 'testpassword'), hasCode('KEYFILE_INVALID'));
});

test('KDF parameters beyond what PBS writes are refused at once (no hours-long derivation): KEYFILE_INVALID', async () => {
  const data = Buffer.alloc(64).toString('base64');
  const scrypt = (n: number, r: number, p: number) => JSON.stringify({ kdf: { Scrypt: { n, r, p, salt: '' } }, data });
  const pbkdf2 = (iter: number) => JSON.stringify({ kdf: { PBKDF2: { iter, salt: '' } }, data });
  for (const text of [scrypt(65536, 8, 100000), scrypt(2 ** 24, 8, 1), scrypt(1000, 8, 1), scrypt(65536, 1024, 1), scrypt(2 ** 20, 16, 1), scrypt(65536, 8, 0), pbkdf2(2 ** 31 - 1), pbkdf2(0)]) {
    assert.throws(() => parseKeyFile(text), (e: unknown) => {
      hasCode('KEYFILE_INVALID')(e);
      assert.match((e as Error).message, /KDF parameters out of range/);
      return true;
    }, text);
  }
  // A parsed key config changed afterwards is checked again before the derivation runs.
  const kc = parseKeyFile(scrypt(65536, 8, 1));
  await assert.rejects(decryptKeyConfig({ ...kc, kdf: { Scrypt: { n: 65536, r: 8, p: 100000, salt: '' } } }, 'password'), hasCode('KEYFILE_INVALID'));
  // What PBS writes passes.
  assert.doesNotThrow(() => parseKeyFile(pbkdf2(65535)));
});

test('a derivation under way does not hold a cancel: an aborted signal ends the wait with CANCELLED', async () => {
  const kc = await createKeyConfig(seq(32), { password: 'password', kdf: 'pbkdf2' });
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(decryptKeyConfig(kc, 'password', abort.signal), hasCode('CANCELLED'));
});

test('key errors never echo the file: a file that is not JSON says so, without quoting it', () => {
  for (const text of ['password=hunter2-very-secret', '{"data": "hunter2-very-secret", ', 'hunter2-very-secret\n']) {
    assert.throws(() => parseKeyFile(text), (e: unknown) => {
      hasCode('KEYFILE_INVALID')(e);
      assert.ok(!(e as Error).message.includes('hunter2'), (e as Error).message);
      return true;
    });
  }
  assert.throws(() => parseKeyFile('{"kdf":{"Argon2":{"secret":"hunter2-very-secret"}},"data":"AA=="}'), (e: Error) => !e.message.includes('hunter2'));
});
