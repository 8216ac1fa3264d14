/**
 * graphene-pk11 (from npm, unchanged) on our token through cryptoki-ts/pkcs11js,
 * exercising what graphene's own suite (test/*.ts upstream, not in the npm
 * package) does against SoftHSM: module and slot info, sessions and login,
 * objects, AES, RSA, EC, digests, wrapping. Also the README's overrides recipe:
 * a project whose node_modules/pkcs11js is this package.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compatRequire, prepareToken, USER_PIN } from './fixtures/compat/token.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const require = compatRequire();
const graphene: Any = require('graphene-pk11');
const LIB = prepareToken('graphene-suite');
const MSG = '1234567890123456';

describe('graphene-pk11 on cryptoki-ts', () => {
  let mod: Any;
  let slot: Any;
  let session: Any;

  before(() => {
    mod = graphene.Module.load(LIB, 'cryptoki-ts');
    mod.initialize();
    slot = mod.getSlots(0);
    session = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
    session.login(USER_PIN);
  });
  after(() => {
    session.logout();
    mod.finalize();
  });

  it('module, slot and token info', () => {
    assert.equal(mod.manufacturerID, 'cryptoki-ts');
    assert.ok(mod.getSlots().length >= 1);
    assert.ok(mod.getSlots(true).length >= 1);
    const token = slot.getToken();
    assert.equal(token.label, 'My slot 0');
    assert.ok(token.flags & graphene.TokenFlag.TOKEN_INITIALIZED);
    assert.ok(slot.getMechanisms().length > 100);
    assert.ok(slot.getMechanisms().items(0).name);
  });

  it('a wrong PIN is a Pkcs11Error with CKR_PIN_INCORRECT', () => {
    session.logout();
    assert.throws(() => session.login('wrong-pin'), (e: Any) => e.message === 'CKR_PIN_INCORRECT' && e.code === 0xa0);
    session.login(USER_PIN);
  });

  it('data objects: create, find by template, read, change, destroy', () => {
    const obj = session.create({ class: graphene.ObjectClass.DATA, label: 'graphene data', application: 'app', value: Buffer.from('x'), token: true });
    const found = session.find({ class: graphene.ObjectClass.DATA, label: 'graphene data' });
    assert.equal(found.length, 1);
    const data = found.items(0).toType();
    assert.equal(data.application, 'app');
    assert.deepEqual(data.value, Buffer.from('x'));
    data.label = 'renamed';
    assert.equal(session.find({ label: 'renamed' }).length, 1);
    obj.destroy();
    assert.equal(session.find({ label: 'renamed' }).length, 0);
  });

  it('AES: generate 128/192/256, ECB, CBC-PAD and GCM round trips, key attributes', () => {
    for (const bits of [128, 192, 256]) {
      const key = session.generateKey(graphene.KeyGenMechanism.AES, { keyType: graphene.KeyType.AES, valueLen: bits / 8,
        encrypt: true, decrypt: true, token: false });
      assert.deepEqual(key.getAttribute({ valueLen: null, encrypt: null, keyType: null }), { valueLen: bits / 8, encrypt: true, keyType: graphene.KeyType.AES });
      for (const alg of [{ name: 'AES_ECB', params: null }, { name: 'AES_CBC_PAD', params: Buffer.alloc(16, 1) },
        { name: 'AES_GCM', params: new graphene.AesGcmParams(Buffer.alloc(12, 1), Buffer.from('aad'), 128) }]) {
        const cipher = session.createCipher(alg, key);
        const enc = Buffer.concat([cipher.update(MSG), cipher.final()]);
        const decipher = session.createDecipher(alg, key);
        assert.equal(Buffer.concat([decipher.update(enc), decipher.final()]).toString(), MSG, alg.name);
      }
    }
  });

  it('AES key wrap (AES_KEY_WRAP_PAD) of an extractable key', () => {
    const kek = session.generateKey(graphene.KeyGenMechanism.AES, { keyType: graphene.KeyType.AES, valueLen: 32, wrap: true, unwrap: true, token: false });
    const key = session.generateKey(graphene.KeyGenMechanism.AES, { keyType: graphene.KeyType.AES, valueLen: 16, encrypt: true, extractable: true, token: false });
    const wrapped = session.wrapKey('AES_KEY_WRAP_PAD', kek, key);
    const unwrapped = session.unwrapKey('AES_KEY_WRAP_PAD', kek, wrapped, { class: graphene.ObjectClass.SECRET_KEY,
      keyType: graphene.KeyType.AES, token: false, encrypt: true });
    assert.equal(unwrapped.getAttribute({ valueLen: null }).valueLen, 16);
  });

  it('RSA: generate, PKCS#1 v1.5 and PSS signatures, OAEP encryption, the callback form', async () => {
    const keys = session.generateKeyPair(graphene.KeyGenMechanism.RSA, { keyType: graphene.KeyType.RSA, modulusBits: 2048,
      publicExponent: Buffer.from([1, 0, 1]), token: false, verify: true, encrypt: true },
    { keyType: graphene.KeyType.RSA, token: false, sign: true, decrypt: true });
    for (const alg of ['SHA1_RSA_PKCS', 'SHA256_RSA_PKCS', 'SHA512_RSA_PKCS',
      { name: 'SHA1_RSA_PKCS_PSS', params: new graphene.RsaPssParams(graphene.MechanismEnum.SHA1, graphene.RsaMgf.MGF1_SHA1, 20) }]) {
      const signature = session.createSign(alg, keys.privateKey).once(MSG);
      assert.ok(session.createVerify(alg, keys.publicKey).once(MSG, signature));
    }
    const oaep = { name: 'RSA_PKCS_OAEP', params: new graphene.RsaOaepParams() };
    const enc = session.createCipher(oaep, keys.publicKey).once(MSG, Buffer.alloc(512));
    assert.equal(session.createDecipher(oaep, keys.privateKey).once(enc, Buffer.alloc(512)).toString(), MSG);
    const signature = await new Promise<Buffer>((resolve, reject) =>
      session.createSign('SHA256_RSA_PKCS', keys.privateKey).once(MSG, (e: Any, sig: Buffer) => (e ? reject(e) : resolve(sig))));
    assert.ok(session.createVerify('SHA256_RSA_PKCS', keys.publicKey).once(MSG, signature));
  });

  it('EC: generate on named curves, ECDSA, ECDH derivation', () => {
    for (const curve of ['secp256r1', 'secp384r1', 'secp256k1']) {
      const keys = session.generateKeyPair(graphene.KeyGenMechanism.EC, { keyType: graphene.KeyType.ECDSA, token: false, verify: true,
        derive: true, paramsEC: graphene.NamedCurve.getByName(curve).value }, { keyType: graphene.KeyType.ECDSA, token: false, sign: true, derive: true });
      for (const alg of ['ECDSA_SHA1', 'ECDSA_SHA256']) {
        const signature = session.createSign(alg, keys.privateKey).once(MSG);
        assert.ok(session.createVerify(alg, keys.publicKey).once(MSG, signature), `${curve} ${alg}`);
      }
      const secret = session.deriveKey({ name: 'ECDH1_DERIVE', params: new graphene.EcdhParams(graphene.EcKdf.NULL, null,
        keys.publicKey.getAttribute({ pointEC: null }).pointEC) }, keys.privateKey, { class: graphene.ObjectClass.SECRET_KEY,
        token: false, keyType: graphene.KeyType.GENERIC_SECRET, extractable: true, encrypt: true, decrypt: true, valueLen: 32 });
      assert.equal(secret.getAttribute({ value: null }).value.length, 32);
    }
  });

  it('digests and random bytes', () => {
    assert.equal(session.createDigest('SHA256').once('hello').toString('hex'),
      '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    const digest = session.createDigest('SHA1');
    digest.update('hel');
    digest.update('lo');
    assert.equal(digest.final().toString('hex'), 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d');
    assert.equal(session.generateRandom(10).length, 10);
  });
});

describe('the README recipe: node_modules/pkcs11js is cryptoki-ts', () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  let dir: string;
  before(() => {
    // The layout `"overrides": { "pkcs11js": "npm:cryptoki-ts@…" }` installs: graphene-pk11
    // and its tslib beside a pkcs11js folder holding this package.
    dir = mkdtempSync(join(tmpdir(), 'cryptoki-recipe-'));
    const modules = join(dir, 'node_modules');
    mkdirSync(modules);
    for (const pkg of ['graphene-pk11', 'tslib']) cpSync(join(root, 'node_modules', pkg), join(modules, pkg), { recursive: true });
    symlinkSync(root, join(modules, 'pkcs11js'), 'dir');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('graphene-pk11 requires pkcs11js and gets our token', () => {
    const script = `
      const graphene = require('graphene-pk11');
      const mod = graphene.Module.load('memory', 'cryptoki-ts');
      mod.initialize();
      const slot = mod.getSlots(0);
      slot.initToken('so-pin-1');
      const session = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
      session.login('so-pin-1', graphene.UserType.SO);
      session.initPin('user-pin-1');
      session.logout();
      session.login('user-pin-1');
      const key = session.generateKey(graphene.KeyGenMechanism.AES, { keyType: graphene.KeyType.AES, valueLen: 32, encrypt: true, decrypt: true, token: false });
      const enc = session.createCipher({ name: 'AES_CBC_PAD', params: Buffer.alloc(16) }, key).once('hi', Buffer.alloc(32));
      console.log(mod.manufacturerID, enc.length);
      mod.finalize();`;
    writeFileSync(join(dir, 'main.cjs'), script);
    const out = execFileSync(process.execPath, ['main.cjs'], { cwd: dir, encoding: 'utf8' });
    assert.equal(out.trim(), 'cryptoki-ts 16');
  });

  it('the README\'s graphene example runs as written', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = /## Use cryptoki-ts as your HSM in Node tests[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)![1]!;
    writeFileSync(join(dir, 'readme.cjs'), `${example}\nconsole.log(signature.length);\n`);
    const out = execFileSync(process.execPath, ['readme.cjs'], { cwd: dir, encoding: 'utf8' });
    assert.equal(out.trim(), '64'); // r and s of P-256, as PKCS#11 gives them
  });
});
