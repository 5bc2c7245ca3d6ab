import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { CryptConfig, FINGERPRINT_INPUT_BYTES } from '../../electron/pbs/cryptConfig.ts';
import { seq } from './helpers.ts';

test('T1: key 00..1f gives the upstream fingerprint and the derived id_key', () => {
  const c = new CryptConfig(seq(32));
  assert.equal(c.idKey.toString('hex'), '7c2c013efd07f3b25717a485263343cd4d292a4b65c200bb3b18ea227abe225c');
  assert.deepEqual(
    [...c.fingerprint],
    [14, 171, 212, 70, 11, 110, 185, 202, 52, 80, 35, 222, 226, 183, 120, 199, 144, 229, 74, 22, 131, 185, 101, 156, 10, 87, 174, 25, 144, 144, 21, 155],
  );
  assert.equal(c.fingerprintText(), '0e:ab:d4:46:0b:6e:b9:ca:34:50:23:de:e2:b7:78:c7:90:e5:4a:16:83:b9:65:9c:0a:57:ae:19:90:90:15:9b');
  assert.equal(c.shortId(), '0e:ab:d4:46:0b:6e:b9:ca');
});

test('V2: key [9;32] gives the derived id_key and fingerprint', () => {
  const c = new CryptConfig(Buffer.alloc(32, 9));
  assert.equal(c.idKey.toString('hex'), 'd8574fc7e9bcffc3127c21c78bebf73504a3be683e4dba652865f23435609353');
  assert.equal(c.fingerprint.toString('hex'), '1ac82c72fbbb6206ec158977f8f9e8743fbe4f783f314f45c82fa087f9b5cd8a');
});

test('id_key, digest, auth tag and fingerprint follow the derivations of crypt_config.rs', () => {
  const key = Buffer.alloc(32, 0x5a);
  const c = new CryptConfig(key);
  const idKey = pbkdf2Sync(key, Buffer.from('5f69645f6b6579', 'hex'), 10, 32, 'sha256');
  assert.deepEqual(c.idKey, idKey);
  assert.deepEqual(c.encKey, key);
  const data = Buffer.from('some chunk data');
  // id_key goes after the data
  assert.deepEqual(c.computeDigest(data), createHash('sha256').update(Buffer.concat([data, idKey])).digest());
  assert.notDeepEqual(c.computeDigest(data), createHash('sha256').update(Buffer.concat([idKey, data])).digest());
  assert.deepEqual(c.computeAuthTag(data), createHmac('sha256', idKey).update(data).digest());
  assert.deepEqual(c.fingerprint, c.computeDigest(FINGERPRINT_INPUT_BYTES));
});

test('CryptConfig refuses keys that are not 32 bytes', () => {
  assert.throws(() => new CryptConfig(Buffer.alloc(31)), /32 bytes/);
  assert.throws(() => new CryptConfig(Buffer.alloc(33)), /32 bytes/);
});
