/**
 * node-webcrypto-p11 (from npm, unchanged) on our token through
 * cryptoki-ts/pkcs11js, exercising what its own suite (test/*.ts upstream, not
 * in the npm package) does against SoftHSM: digests, HMAC, AES, RSA, ECDSA,
 * ECDH, key export/import, and the key and certificate storages.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compatRequire, prepareToken, USER_PIN } from './fixtures/compat/token.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const require = compatRequire();
const { Crypto } = require('node-webcrypto-p11');
const crypto: Any = new Crypto({ library: prepareToken('webcrypto-suite', 'webcrypto'), name: 'cryptoki-ts', slot: 0, readWrite: true, pin: USER_PIN });
const subtle = crypto.subtle;
const data = Buffer.from('hello');
const text = (b: ArrayBuffer) => Buffer.from(b).toString();

describe('node-webcrypto-p11 on cryptoki-ts', () => {
  after(() => crypto.close());

  it('digest and getRandomValues', async () => {
    assert.equal(Buffer.from(await subtle.digest('SHA-256', data)).toString('hex'),
      '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    assert.equal(crypto.getRandomValues(new Uint8Array(8)).length, 8);
  });

  it('HMAC: generate, sign, verify, export raw and JWK', async () => {
    for (const hash of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']) {
      const key = await subtle.generateKey({ name: 'HMAC', hash }, true, ['sign', 'verify']);
      const signature = await subtle.sign('HMAC', key, data);
      assert.ok(await subtle.verify('HMAC', key, signature, data), hash);
      assert.ok((await subtle.exportKey('raw', key)).byteLength > 0);
      assert.equal((await subtle.exportKey('jwk', key)).kty, 'oct');
    }
  });

  it('AES-CBC, AES-GCM, AES-ECB: round trips, raw export and import', async () => {
    for (const name of ['AES-CBC', 'AES-GCM', 'AES-ECB']) {
      const key = await subtle.generateKey({ name, length: 256 }, true, ['encrypt', 'decrypt']);
      const alg = { name, iv: Buffer.alloc(name === 'AES-GCM' ? 12 : 16, 3) };
      assert.equal(text(await subtle.decrypt(alg, key, await subtle.encrypt(alg, key, data))), 'hello', name);
      const imported = await subtle.importKey('raw', await subtle.exportKey('raw', key), name, true, ['encrypt', 'decrypt']);
      assert.equal(text(await subtle.decrypt(alg, imported, await subtle.encrypt(alg, key, data))), 'hello', name);
    }
  });

  it('RSASSA-PKCS1-v1_5, RSA-PSS, RSA-OAEP: generate, use, export spki/pkcs8/jwk and import', async () => {
    for (const name of ['RSASSA-PKCS1-v1_5', 'RSA-PSS', 'RSA-OAEP']) {
      const oaep = name === 'RSA-OAEP';
      const keys = await subtle.generateKey({ name, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
        true, oaep ? ['encrypt', 'decrypt'] : ['sign', 'verify']);
      if (oaep) {
        const alg = { name, label: Buffer.from('label') };
        assert.equal(text(await subtle.decrypt(alg, keys.privateKey, await subtle.encrypt(alg, keys.publicKey, data))), 'hello');
      } else {
        const alg = { name, saltLength: 32 };
        assert.ok(await subtle.verify(alg, keys.publicKey, await subtle.sign(alg, keys.privateKey, data), data), name);
      }
      const spki = await subtle.exportKey('spki', keys.publicKey);
      const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
      assert.equal((await subtle.exportKey('jwk', keys.privateKey)).kty, 'RSA');
      await subtle.importKey('spki', spki, { name, hash: 'SHA-256' }, true, [oaep ? 'encrypt' : 'verify']);
      await subtle.importKey('pkcs8', pkcs8, { name, hash: 'SHA-256' }, true, [oaep ? 'decrypt' : 'sign']);
    }
  });

  it('ECDSA on P-256, P-384, P-521 and K-256: sign, verify, export and import', async () => {
    for (const namedCurve of ['P-256', 'P-384', 'P-521', 'K-256']) {
      const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve }, true, ['sign', 'verify']);
      const alg = { name: 'ECDSA', hash: 'SHA-256' };
      assert.ok(await subtle.verify(alg, keys.publicKey, await subtle.sign(alg, keys.privateKey, data), data), namedCurve);
      await subtle.exportKey('pkcs8', keys.privateKey);
      assert.equal((await subtle.exportKey('jwk', keys.publicKey)).crv, namedCurve);
      const raw = await subtle.importKey('raw', await subtle.exportKey('raw', keys.publicKey), { name: 'ECDSA', namedCurve }, true, ['verify']);
      assert.ok(await subtle.verify(alg, raw, await subtle.sign(alg, keys.privateKey, data), data));
      await subtle.importKey('spki', await subtle.exportKey('spki', keys.publicKey), { name: 'ECDSA', namedCurve }, true, ['verify']);
    }
  });

  it('ECDH: both sides derive the same bits, and an AES key', async () => {
    const a = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits', 'deriveKey']);
    const b = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits', 'deriveKey']);
    const x = await subtle.deriveBits({ name: 'ECDH', public: b.publicKey }, a.privateKey, 256);
    const y = await subtle.deriveBits({ name: 'ECDH', public: a.publicKey }, b.privateKey, 256);
    assert.deepEqual(Buffer.from(x), Buffer.from(y));
    const key = await subtle.deriveKey({ name: 'ECDH', public: b.publicKey }, a.privateKey, { name: 'AES-GCM', length: 128 }, true, ['encrypt']);
    assert.equal(key.algorithm.length, 128);
  });

  it('keyStorage keeps a key on the token, finds it again and removes it', async () => {
    const key = await subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt']);
    const index = await crypto.keyStorage.setItem(key);
    assert.ok((await crypto.keyStorage.keys()).includes(index));
    assert.ok(await crypto.keyStorage.getItem(index));
    await crypto.keyStorage.removeItem(index);
    assert.ok(!(await crypto.keyStorage.keys()).includes(index));
  });

  it('certStorage imports a self-signed certificate, stores it and gives it back', async () => {
    const x509: Any = require('@peculiar/x509');
    x509.cryptoProvider.set(crypto);
    const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=Test',
      notBefore: new Date('2020/01/01'), notAfter: new Date('2030/01/02'), signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' }, keys });
    const item = await crypto.certStorage.importCert('raw', cert.rawData, { name: 'ECDSA', namedCurve: 'P-256' }, ['verify']);
    const index = await crypto.certStorage.setItem(item);
    const stored = await crypto.certStorage.getItem(index);
    assert.deepEqual(Buffer.from(await crypto.certStorage.exportCert('raw', stored)), Buffer.from(cert.rawData));
    await crypto.certStorage.removeItem(index);
  });
});

describe('node-webcrypto-p11 with SoftHSM\'s key rules (load "…?lenientKeyPolicy")', () => {
  it('RSA-OAEP keys for both encryption and key wrapping: refused by default, usable with the option', async () => {
    const alg = { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    const usages = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'];
    // node-webcrypto-p11 reports our CKR_TEMPLATE_INCONSISTENT in its own words.
    await assert.rejects(subtle.generateKey(alg, false, usages), /Can not generate new key/);
    const lenient: Any = new Crypto({ library: `${prepareToken('webcrypto-lenient')}?lenientKeyPolicy`, name: 'cryptoki-ts', slot: 0,
      readWrite: true, pin: USER_PIN });
    try {
      const keys = await lenient.subtle.generateKey(alg, false, usages);
      const aes = await lenient.subtle.generateKey({ name: 'AES-GCM', length: 128 }, true, ['encrypt']);
      const wrapped = await lenient.subtle.wrapKey('raw', aes, keys.publicKey, { name: 'RSA-OAEP' });
      const unwrapped = await lenient.subtle.unwrapKey('raw', wrapped, keys.privateKey, { name: 'RSA-OAEP' }, 'AES-GCM', true, ['encrypt']);
      assert.deepEqual(Buffer.from(await lenient.subtle.exportKey('raw', unwrapped)), Buffer.from(await lenient.subtle.exportKey('raw', aes)));
      const text = await lenient.subtle.decrypt({ name: 'RSA-OAEP' }, keys.privateKey, await lenient.subtle.encrypt({ name: 'RSA-OAEP' }, keys.publicKey, data));
      assert.equal(Buffer.from(text).toString(), 'hello');
    } finally {
      lenient.close();
    }
  });
});

describe('the README', () => {
  it('graphene example, then the node-webcrypto-p11 example on the token it made, run as written', () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Use cryptoki-ts as your HSM in Node tests'));
    const [graphene, webcrypto] = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    // Inside the package, so that require() finds graphene-pk11 and node-webcrypto-p11; pkcs11js is ours through the hook.
    const file = join(root, 'dist', 'readme-compat.cjs');
    writeFileSync(file, `(async () => {\n${graphene}\n${webcrypto}\nconsole.log(sig.byteLength);\ncrypto.close();\n})();\n`);
    try {
      const hook = join(root, 'test/fixtures/compat/pkcs11js-resolves-to-cryptoki.cjs');
      const out = execFileSync(process.execPath, ['--require', hook, file], { encoding: 'utf8' });
      assert.equal(out.trim(), '64');
    } finally {
      rmSync(file, { force: true });
    }
  });
});
