/**
 * cryptoki-ts/pkcs11js against the behaviour pkcs11js 2.1's own test suite
 * checks (test/test.js upstream, run there against SoftHSM; the suite is not
 * in the npm package, so these tests re-state what it exercises): argument
 * forms, result shapes, caller buffers, callback and promise forms, errors.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as pkcs11 from '../src/compat/index.js';
import { PKCS11, Pkcs11Error, NativeError } from '../src/compat/index.js';
import * as root from '../src/index.js';
import { prepareToken, USER_PIN } from './fixtures/compat/token.js';

const LIB = prepareToken('pkcs11js-suite');
const RW = pkcs11.CKF_RW_SESSION | pkcs11.CKF_SERIAL_SESSION;

function rejectsWithCode(code: number) {
  return (e: unknown) => e instanceof Pkcs11Error && e.code === code;
}

describe('pkcs11js: load', () => {
  it('loads through the constructor or load(), and remembers what it loaded', () => {
    assert.equal(new PKCS11(LIB).libPath, LIB);
    const token = new PKCS11();
    token.load(LIB);
    assert.equal(token.libPath, LIB);
  });

  it('refuses a path whose directory does not exist, as a missing .so', () => {
    assert.throws(() => new PKCS11().load('/tmp/wrong/file/path.net'), /no such directory/);
  });

  it('opens a SQLite store at a path, shared by instances that load it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cryptoki-compat-'));
    try {
      const path = join(dir, 'tokens.db');
      const a = new PKCS11(path);
      a.C_Initialize();
      const [slot] = a.C_GetSlotList();
      a.C_InitToken(slot!, 'so-pin-1', 'on disk');
      a.C_Finalize();
      a.close();
      assert.ok(existsSync(path));
      const b = new PKCS11(path);
      b.C_Initialize();
      assert.equal(b.C_GetTokenInfo(b.C_GetSlotList(true)[0]!).label.trim(), 'on disk');
      b.C_Finalize();
      b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails every call before load() with NativeError "PKCS11 module not loaded yet"', () => {
    assert.throws(() => new PKCS11().C_GetInfo(), (e: unknown) => e instanceof NativeError && e.message === 'PKCS11 module not loaded yet');
  });

  it('C_Initialize takes nothing, {flags} or NSS-style libraryParameters; refuses a non-object', () => {
    const token = new PKCS11(LIB);
    token.C_Initialize();
    token.C_Finalize();
    token.C_Initialize({ flags: 0 });
    token.C_Finalize();
    token.C_Initialize({ libraryParameters: 'ignored' });
    token.C_Finalize();
    assert.throws(() => (token.C_Initialize as (a: unknown) => void)('wrong'),
      (e: unknown) => e instanceof TypeError && e.message === 'Argument 0 has wrong type. Should be an Object');
  });
});

describe('pkcs11js: constants and errors', () => {
  it('exports the spec constants with pkcs11js values, the CK_PARAMS_* types and the error classes, also from the package root', () => {
    assert.equal(pkcs11.CKA_CLASS, 0);
    assert.equal(pkcs11.CKM_AES_KEY_WRAP_PAD, 0x210a);
    assert.equal(pkcs11.CK_PARAMS_RSA_OAEP, 4);
    assert.equal(pkcs11.CK_PARAM_GOSTR3410_KEY_WRAP, 28);
    assert.equal(root.PKCS11, PKCS11);
    assert.equal(root.Pkcs11Error, Pkcs11Error);
    assert.equal(root.CK_PARAMS_EC_DH, 6);
  });

  it('a failed call throws Pkcs11Error with the CKR name as message, the code, the method and a stack naming it', () => {
    const token = new PKCS11(LIB);
    assert.throws(() => token.C_Finalize(), (e: unknown) => {
      assert.ok(e instanceof Pkcs11Error);
      assert.equal(e.name, 'Pkcs11Error');
      assert.equal(e.message, 'CKR_CRYPTOKI_NOT_INITIALIZED');
      assert.equal(e.code, pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED);
      assert.equal(e.method, 'C_Finalize');
      assert.match(e.nativeStack, /C_Finalize/);
      return true;
    });
  });

  it('Pkcs11Error parses "NAME:code" messages as pkcs11js does', () => {
    const e = new Pkcs11Error('CKR_PIN_INCORRECT:160');
    assert.equal(e.message, 'CKR_PIN_INCORRECT');
    assert.equal(e.code, 160);
    assert.ok(Pkcs11Error.isPkcs11('CKR_X:1'));
  });
});

describe('pkcs11js: API', () => {
  let token: PKCS11;
  let slot: Buffer;
  let session: Buffer;

  before(() => {
    token = new PKCS11(LIB);
    token.C_Initialize();
    slot = token.C_GetSlotList()[0]!;
    session = token.C_OpenSession(slot, RW);
    token.C_Login(session, pkcs11.CKU_USER, USER_PIN);
  });
  after(() => {
    token.C_Finalize();
    token.close();
  });

  it('C_WaitForSlotEvent with CKF_DONT_BLOCK and nothing to report is null', () => {
    assert.equal(token.C_WaitForSlotEvent(pkcs11.CKF_DONT_BLOCK), null);
  });

  it('info structs have pkcs11js keys in its order; handles are 8-byte Buffers', () => {
    assert.deepEqual(Object.keys(token.C_GetInfo()), ['cryptokiVersion', 'manufacturerID', 'flags', 'libraryDescription', 'libraryVersion']);
    assert.deepEqual(Object.keys(token.C_GetSlotInfo(slot)), ['slotDescription', 'manufacturerID', 'flags', 'hardwareVersion', 'firmwareVersion']);
    const info = token.C_GetTokenInfo(slot);
    assert.deepEqual(Object.keys(info), ['label', 'manufacturerID', 'model', 'serialNumber', 'flags', 'maxSessionCount',
      'sessionCount', 'maxRwSessionCount', 'rwSessionCount', 'maxPinLen', 'minPinLen', 'hardwareVersion', 'firmwareVersion',
      'utcTime', 'totalPublicMemory', 'freePublicMemory', 'totalPrivateMemory', 'freePrivateMemory']);
    assert.equal(info.utcTime.length, 16);
    assert.equal(typeof info.totalPublicMemory, 'bigint');
    assert.equal(info.label.trim(), 'My slot 0');
    const mechanisms = token.C_GetMechanismList(slot);
    assert.ok(mechanisms.includes(pkcs11.CKM_AES_ECB));
    assert.deepEqual(Object.keys(token.C_GetMechanismInfo(slot, mechanisms[0]!)), ['minKeySize', 'maxKeySize', 'flags']);
    const sessionInfo = token.C_GetSessionInfo(session);
    assert.deepEqual(Object.keys(sessionInfo), ['slotID', 'state', 'flags', 'deviceError']);
    assert.deepEqual(sessionInfo.slotID, slot);
    assert.equal(slot.length, 8);
  });

  it('bad arguments are TypeErrors with pkcs11js wording', () => {
    const call = token as unknown as Record<string, (...a: unknown[]) => unknown>;
    assert.throws(() => call.C_GetSlotInfo!(), { name: 'TypeError', message: 'Parameters are required. Expected 1 arguments, but received 0.' });
    assert.throws(() => call.C_GetSlotInfo!('wrong'), { name: 'TypeError', message: 'Argument 0 has wrong type. Should be a Buffer' });
    assert.throws(() => call.C_GetSlotInfo!(Buffer.alloc(0)), { name: 'TypeError', message: 'Argument 0 has wrong length. Should be 8 bytes.' });
    assert.throws(() => call.C_CreateObject!(session, 'x'), { name: 'TypeError', message: 'Argument 1 has wrong type. Should be an Array' });
    assert.throws(() => call.C_DigestInit!(session, { mechanism: 'x' }), { name: 'TypeError', message: "Argument 1 has wrong type. Property 'mechanism' should be a Number" });
  });

  it('C_GenerateRandom fills and returns the caller\'s Buffer; C_SeedRandom answers as the token does', () => {
    const buf = Buffer.alloc(10);
    assert.equal(token.C_GenerateRandom(session, buf), buf);
    assert.notEqual(buf.toString('hex'), '00'.repeat(10));
    assert.throws(() => token.C_SeedRandom(session, Buffer.alloc(10)), rejectsWithCode(pkcs11.CKR_RANDOM_SEED_NOT_SUPPORTED));
  });

  it('C_FindObjects without a count returns one handle at a time, then null; with a count, up to that many', () => {
    const label = Buffer.from('Find');
    for (let i = 0; i < 3; i++) {
      token.C_CreateObject(session, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_DATA }, { type: pkcs11.CKA_LABEL, value: label },
        { type: pkcs11.CKA_VALUE, value: Buffer.from('data') }]);
    }
    const query = [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_DATA }, { type: pkcs11.CKA_LABEL, value: label }];
    token.C_FindObjectsInit(session, query);
    for (let i = 0; i < 3; i++) assert.ok(Buffer.isBuffer(token.C_FindObjects(session)));
    assert.equal(token.C_FindObjects(session), null);
    token.C_FindObjectsFinal(session);
    token.C_FindObjectsInit(session, query);
    assert.equal(token.C_FindObjects(session, 2).length, 2);
    assert.equal(token.C_FindObjects(session, 2).length, 1);
    token.C_FindObjectsFinal(session);
  });

  it('attribute values come back as the raw C bytes; values go in as C would see them', () => {
    const obj = token.C_CreateObject(session, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_DATA },
      { type: pkcs11.CKA_LABEL, value: 'Attribute' }, { type: pkcs11.CKA_VALUE, value: Buffer.from('data') }]);
    const copy = token.C_CopyObject(session, obj, [{ type: pkcs11.CKA_LABEL, value: 'Copy' }]);
    assert.notDeepEqual(copy, obj);
    const attrs = token.C_GetAttributeValue(session, obj, [{ type: pkcs11.CKA_CLASS }, { type: pkcs11.CKA_LABEL },
      { type: pkcs11.CKA_VALUE }, { type: pkcs11.CKA_TOKEN }]);
    assert.deepEqual(attrs.map((a) => a.value.toString('hex')),
      ['0000000000000000', Buffer.from('Attribute').toString('hex'), Buffer.from('data').toString('hex'), '00']);
    const label = (value: pkcs11.Attribute['value']) => {
      token.C_SetAttributeValue(session, obj, [{ type: pkcs11.CKA_LABEL, value }]);
      return token.C_GetAttributeValue(session, obj, [{ type: pkcs11.CKA_LABEL }])[0]!.value.toString('hex');
    };
    assert.equal(label(true), '01');
    assert.equal(label(1), '0100000000000000');
    assert.equal(label('new label'), Buffer.from('new label').toString('hex'));
    assert.equal(label(Buffer.from('buf')), Buffer.from('buf').toString('hex'));
    assert.throws(() => token.C_GetAttributeValue(session, obj, [{ type: pkcs11.CKA_MODULUS }]),
      rejectsWithCode(pkcs11.CKR_ATTRIBUTE_TYPE_INVALID));
  });

  it('CK_DATE attributes take a string, a Buffer or a Date and come back as YYYYMMDD', () => {
    const withDates = (start: unknown, end: unknown) => token.C_CreateObject(session, [
      { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY }, { type: pkcs11.CKA_KEY_TYPE, value: pkcs11.CKK_GENERIC_SECRET },
      { type: pkcs11.CKA_VALUE, value: Buffer.alloc(16, 7) }, { type: pkcs11.CKA_TOKEN, value: false },
      { type: pkcs11.CKA_START_DATE, value: start as string }, { type: pkcs11.CKA_END_DATE, value: end as string }]);
    for (const [start, end] of [['20200102', '20200103'], [Buffer.from('20200102'), Buffer.from('20200103')],
      [new Date('2020-01-02'), new Date('2020-01-03')]] as const) {
      const key = withDates(start, end);
      const [s, e] = token.C_GetAttributeValue(session, key, [{ type: pkcs11.CKA_START_DATE }, { type: pkcs11.CKA_END_DATE }]);
      assert.equal(s!.value.toString(), '20200102');
      assert.equal(e!.value.toString(), '20200103');
    }
    assert.throws(() => withDates(123, 123), { name: 'TypeError',
      message: 'Attribute with type 0x00000110 is not convertible to CK_DATE. Should be a String, Buffer or Date' });
    assert.throws(() => withDates('123', '123'), { name: 'TypeError',
      message: 'Attribute with type 0x00000110 is not convertible to CK_DATE. The length of the data should be at least 8 bytes.' });
  });

  it('C_GenerateKey: sync, callback and promise forms return a handle', async () => {
    const template = [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY }, { type: pkcs11.CKA_KEY_TYPE, value: pkcs11.CKK_AES },
      { type: pkcs11.CKA_VALUE_LEN, value: 16 }, { type: pkcs11.CKA_ENCRYPT, value: true }, { type: pkcs11.CKA_DECRYPT, value: true }];
    const mech = { mechanism: pkcs11.CKM_AES_KEY_GEN };
    assert.equal(token.C_GenerateKey(session, mech, template).length, 8);
    const viaCallback = await new Promise<Buffer>((resolve, reject) => {
      let returned = false;
      token.C_GenerateKey(session, mech, template, (error, key) => {
        assert.ok(returned, 'the callback runs after the call returns');
        if (error) reject(error); else resolve(key);
      });
      returned = true;
    });
    assert.equal(viaCallback.length, 8);
    assert.equal((await token.C_GenerateKeyAsync(session, mech, template)).length, 8);
  });

  it('errors reach the callback as Pkcs11Error and the promise as a rejection; TypeErrors reject too', async () => {
    const mech = { mechanism: pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN };
    const error = await new Promise<Error | null>((resolve) => token.C_GenerateKeyPair(session, mech, [], [], (e, keys) => {
      assert.equal(keys, null);
      resolve(e);
    }));
    assert.ok(error instanceof Pkcs11Error && error.code === pkcs11.CKR_TEMPLATE_INCOMPLETE);
    await assert.rejects(token.C_GenerateKeyPairAsync(session, mech, [], []), rejectsWithCode(pkcs11.CKR_TEMPLATE_INCOMPLETE));
    await assert.rejects(token.C_GenerateKeyPairAsync(session, mech, [], 'wrong' as unknown as []), TypeError);
  });

  it('digests into the caller\'s buffer and returns it cut to length, in all three forms', async () => {
    const data = Buffer.from('message');
    const sha256 = 'ab530a13e45914982b79f9b7e3fba994cfd1f3fb22f71cea1afbf02b460c6d1d';
    const out = Buffer.alloc(40);
    token.C_DigestInit(session, { mechanism: pkcs11.CKM_SHA256 });
    assert.equal(token.C_Digest(session, data, out).toString('hex'), sha256);
    assert.equal(out.toString('hex'), sha256 + '00'.repeat(8));
    token.C_DigestInit(session, { mechanism: pkcs11.CKM_SHA256 });
    token.C_DigestUpdate(session, data);
    assert.equal((await token.C_DigestFinalAsync(session, Buffer.alloc(40))).toString('hex'), sha256);
    token.C_DigestInit(session, { mechanism: pkcs11.CKM_SHA256 });
    const viaCallback = await new Promise<Buffer>((resolve, reject) =>
      token.C_Digest(session, data, Buffer.alloc(40), (e, r) => (e ? reject(e) : resolve(r))));
    assert.equal(viaCallback.toString('hex'), sha256);
  });

  it('a caller buffer too small is CKR_BUFFER_TOO_SMALL, and the operation stays active', async () => {
    token.C_DigestInit(session, { mechanism: pkcs11.CKM_SHA256 });
    token.C_DigestUpdate(session, Buffer.from('message'));
    const error = await new Promise<Error | null>((resolve) => token.C_DigestFinalCallback(session, Buffer.alloc(4), (e, r) => {
      assert.equal(r, null);
      resolve(e);
    }));
    assert.ok(error instanceof Pkcs11Error);
    assert.equal(error.message, 'CKR_BUFFER_TOO_SMALL');
    assert.equal(token.C_DigestFinal(session, Buffer.alloc(32)).length, 32);
  });

  it('the dual-function calls need their operations (our token has them; SoftHSM answers CKR_FUNCTION_NOT_SUPPORTED)', async () => {
    for (const name of ['C_DigestEncryptUpdate', 'C_DecryptDigestUpdate', 'C_SignEncryptUpdate', 'C_DecryptVerifyUpdate'] as const) {
      assert.throws(() => token[name](session, Buffer.from('message'), Buffer.alloc(40)), rejectsWithCode(pkcs11.CKR_OPERATION_NOT_INITIALIZED));
      await assert.rejects(token[`${name}Async`](session, Buffer.from('message'), Buffer.alloc(40)), rejectsWithCode(pkcs11.CKR_OPERATION_NOT_INITIALIZED));
    }
  });

  describe('with an RSA key pair', () => {
    let keys: pkcs11.KeyPair;
    const data = Buffer.from('12345678901234567890');
    before(async () => {
      keys = await token.C_GenerateKeyPairAsync(session, { mechanism: pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN }, [
        { type: pkcs11.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }, { type: pkcs11.CKA_MODULUS_BITS, value: 2048 },
        { type: pkcs11.CKA_ENCRYPT, value: true }, { type: pkcs11.CKA_VERIFY, value: true }, { type: pkcs11.CKA_TOKEN, value: false },
      ], [{ type: pkcs11.CKA_DECRYPT, value: true }, { type: pkcs11.CKA_SIGN, value: true }, { type: pkcs11.CKA_TOKEN, value: false }]);
    });

    it('signs and verifies one-shot and multi-part, sync and async; a bad signature is CKR_SIGNATURE_INVALID', async () => {
      token.C_SignInit(session, { mechanism: pkcs11.CKM_SHA256_RSA_PKCS }, keys.privateKey);
      const out = Buffer.alloc(1024);
      const signature = token.C_Sign(session, data, out);
      assert.equal(signature.length, 256);
      assert.deepEqual(out.subarray(0, 256), signature);
      token.C_VerifyInit(session, { mechanism: pkcs11.CKM_SHA256_RSA_PKCS }, keys.publicKey);
      assert.equal(token.C_Verify(session, data, signature), true);
      token.C_SignInit(session, { mechanism: pkcs11.CKM_SHA256_RSA_PKCS }, keys.privateKey);
      token.C_SignUpdate(session, data);
      assert.deepEqual(await token.C_SignFinalAsync(session, Buffer.alloc(1024)), signature);
      token.C_VerifyInit(session, { mechanism: pkcs11.CKM_SHA256_RSA_PKCS }, keys.publicKey);
      token.C_VerifyUpdate(session, data);
      assert.equal(await token.C_VerifyFinalAsync(session, signature), true);
      token.C_VerifyInit(session, { mechanism: pkcs11.CKM_SHA256_RSA_PKCS }, keys.publicKey);
      await assert.rejects(token.C_VerifyAsync(session, Buffer.from('other'), signature), rejectsWithCode(pkcs11.CKR_SIGNATURE_INVALID));
    });

    it('RSA-OAEP takes a CK_PARAMS_RSA_OAEP object parameter, with or without a label', () => {
      for (const sourceData of [null, Buffer.from('label')]) {
        const mechanism = { mechanism: pkcs11.CKM_RSA_PKCS_OAEP, parameter: { type: pkcs11.CK_PARAMS_RSA_OAEP,
          hashAlg: pkcs11.CKM_SHA_1, mgf: pkcs11.CKG_MGF1_SHA1, source: pkcs11.CKZ_DATA_SPECIFIED, sourceData } };
        const plain = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
        token.C_EncryptInit(session, mechanism, keys.publicKey);
        const enc = token.C_Encrypt(session, plain, Buffer.alloc(4098));
        token.C_DecryptInit(session, mechanism, keys.privateKey);
        assert.deepEqual(token.C_Decrypt(session, enc, Buffer.alloc(1024)), plain);
      }
    });
  });

  it('AES-CBC-PAD with a raw Buffer parameter, one-shot and multi-part', async () => {
    const key = token.C_CreateObject(session, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY },
      { type: pkcs11.CKA_KEY_TYPE, value: pkcs11.CKK_AES }, { type: pkcs11.CKA_VALUE, value: Buffer.alloc(32, 1) },
      { type: pkcs11.CKA_ENCRYPT, value: true }, { type: pkcs11.CKA_DECRYPT, value: true }, { type: pkcs11.CKA_TOKEN, value: false }]);
    const mechanism = { mechanism: pkcs11.CKM_AES_CBC_PAD, parameter: Buffer.from('1234567890abcdef') };
    const data = Buffer.from('12345678901234567890');
    token.C_EncryptInit(session, mechanism, key);
    const encrypted = Buffer.from(await token.C_EncryptAsync(session, data, Buffer.alloc(1024)));
    assert.equal(encrypted.length, 32);
    token.C_EncryptInit(session, mechanism, key);
    const parts = Buffer.concat([token.C_EncryptUpdate(session, data, Buffer.alloc(128)), token.C_EncryptFinal(session, Buffer.alloc(128))]);
    assert.deepEqual(parts, encrypted);
    token.C_DecryptInit(session, mechanism, key);
    const dec = Buffer.concat([token.C_DecryptUpdate(session, encrypted, Buffer.alloc(128)), await token.C_DecryptFinalAsync(session, Buffer.alloc(128))]);
    assert.deepEqual(dec, data);
  });

  it('ECDH1 derive with a CK_PARAMS_EC_DH object, in all three forms', async () => {
    const keys = token.C_GenerateKeyPair(session, { mechanism: pkcs11.CKM_EC_KEY_PAIR_GEN }, [
      { type: pkcs11.CKA_EC_PARAMS, value: Buffer.from('06052b8104000a', 'hex') }, { type: pkcs11.CKA_TOKEN, value: false }],
    [{ type: pkcs11.CKA_DERIVE, value: true }, { type: pkcs11.CKA_TOKEN, value: false }]);
    const publicData = token.C_GetAttributeValue(session, keys.publicKey, [{ type: pkcs11.CKA_EC_POINT }])[0]!.value;
    const mechanism = { mechanism: pkcs11.CKM_ECDH1_DERIVE, parameter: { type: pkcs11.CK_PARAMS_EC_DH, kdf: pkcs11.CKD_NULL, publicData } };
    const template = () => [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY }, { type: pkcs11.CKA_TOKEN, value: false },
      { type: pkcs11.CKA_KEY_TYPE, value: pkcs11.CKK_AES }, { type: pkcs11.CKA_VALUE_LEN, value: 32 }, { type: pkcs11.CKA_EXTRACTABLE, value: true },
      { type: pkcs11.CKA_ENCRYPT, value: true }];
    const a = token.C_DeriveKey(session, mechanism, keys.privateKey, template());
    const b = await token.C_DeriveKeyAsync(session, mechanism, keys.privateKey, template());
    const value = (k: Buffer) => token.C_GetAttributeValue(session, k, [{ type: pkcs11.CKA_VALUE }])[0]!.value;
    assert.deepEqual(value(a), value(b));
    assert.equal(value(a).length, 32);
  });

  it('C_WrapKey / C_UnwrapKey with CKM_AES_KEY_WRAP_PAD (RFC 5649, as CKM_AES_KEY_WRAP_KWP), sync and async', async () => {
    const kek = token.C_GenerateKey(session, { mechanism: pkcs11.CKM_AES_KEY_GEN }, [{ type: pkcs11.CKA_VALUE_LEN, value: 32 },
      { type: pkcs11.CKA_WRAP, value: true }, { type: pkcs11.CKA_UNWRAP, value: true }, { type: pkcs11.CKA_TOKEN, value: false }]);
    const key = token.C_GenerateKey(session, { mechanism: pkcs11.CKM_AES_KEY_GEN }, [{ type: pkcs11.CKA_VALUE_LEN, value: 16 },
      { type: pkcs11.CKA_EXTRACTABLE, value: true }, { type: pkcs11.CKA_TOKEN, value: false }]);
    const pad = { mechanism: pkcs11.CKM_AES_KEY_WRAP_PAD };
    const wrapped = token.C_WrapKey(session, pad, kek, key, Buffer.alloc(1024));
    assert.equal(wrapped.length, 24);
    assert.deepEqual(await token.C_WrapKeyAsync(session, { mechanism: pkcs11.CKM_AES_KEY_WRAP_KWP }, kek, key, Buffer.alloc(1024)), wrapped);
    const unwrapped = await token.C_UnwrapKeyAsync(session, pad, kek, wrapped, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY },
      { type: pkcs11.CKA_KEY_TYPE, value: pkcs11.CKK_AES }, { type: pkcs11.CKA_TOKEN, value: false }, { type: pkcs11.CKA_ENCRYPT, value: true }]);
    assert.equal(token.C_GetAttributeValue(session, unwrapped, [{ type: pkcs11.CKA_VALUE_LEN }])[0]!.value.readUInt32LE(0), 16);
  });

  it('C_GetOperationState returns a Buffer; C_SetOperationState with a bad state is a Pkcs11Error', () => {
    token.C_DigestInit(session, { mechanism: pkcs11.CKM_SHA256 });
    token.C_DigestUpdate(session, Buffer.from('mess'));
    const state = token.C_GetOperationState(session);
    assert.ok(Buffer.isBuffer(state));
    token.C_DigestFinal(session, Buffer.alloc(32));
    token.C_SetOperationState(session, state, Buffer.alloc(8), Buffer.alloc(8));
    token.C_DigestUpdate(session, Buffer.from('age'));
    assert.equal(token.C_DigestFinal(session, Buffer.alloc(32)).toString('hex'), 'ab530a13e45914982b79f9b7e3fba994cfd1f3fb22f71cea1afbf02b460c6d1d');
    assert.throws(() => token.C_SetOperationState(session, Buffer.alloc(8), Buffer.alloc(8), Buffer.alloc(8)), Pkcs11Error);
  });
});

describe('SoftHSM\'s key rules, which suites written for it rely on', () => {
  const aes = [{ type: pkcs11.CKA_VALUE_LEN, value: 16 }, { type: pkcs11.CKA_TOKEN, value: false }, { type: pkcs11.CKA_EXTRACTABLE, value: true },
    { type: pkcs11.CKA_ENCRYPT, value: true }, { type: pkcs11.CKA_DECRYPT, value: true }, { type: pkcs11.CKA_WRAP, value: true },
    { type: pkcs11.CKA_UNWRAP, value: true }];

  function openUserSession(lib: string): [PKCS11, Buffer] {
    const token = new PKCS11(lib);
    token.C_Initialize();
    const session = token.C_OpenSession(token.C_GetSlotList(true)[0]!, RW);
    token.C_Login(session, pkcs11.CKU_USER, USER_PIN);
    return [token, session];
  }

  it('by default, a key may not both wrap and encrypt: not in C_GenerateKey, C_CreateObject, C_SetAttributeValue, C_CopyObject', () => {
    const [token, session] = openUserSession(LIB);
    try {
      assert.throws(() => token.C_GenerateKey(session, { mechanism: pkcs11.CKM_AES_KEY_GEN }, aes), rejectsWithCode(pkcs11.CKR_TEMPLATE_INCONSISTENT));
      const base = [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY }, { type: pkcs11.CKA_KEY_TYPE, value: pkcs11.CKK_AES },
        { type: pkcs11.CKA_VALUE, value: Buffer.alloc(16, 2) }, { type: pkcs11.CKA_TOKEN, value: false }, { type: pkcs11.CKA_ENCRYPT, value: true }];
      assert.throws(() => token.C_CreateObject(session, [...base, { type: pkcs11.CKA_WRAP, value: true }]), rejectsWithCode(pkcs11.CKR_TEMPLATE_INCONSISTENT));
      const key = token.C_CreateObject(session, base);
      assert.throws(() => token.C_SetAttributeValue(session, key, [{ type: pkcs11.CKA_WRAP, value: true }]), rejectsWithCode(pkcs11.CKR_TEMPLATE_INCONSISTENT));
      assert.throws(() => token.C_CopyObject(session, key, [{ type: pkcs11.CKA_UNWRAP, value: true }]), rejectsWithCode(pkcs11.CKR_TEMPLATE_INCONSISTENT));
      const kek = token.C_GenerateKey(session, { mechanism: pkcs11.CKM_AES_KEY_GEN }, [{ type: pkcs11.CKA_VALUE_LEN, value: 16 },
        { type: pkcs11.CKA_TOKEN, value: false }, { type: pkcs11.CKA_WRAP, value: true }, { type: pkcs11.CKA_UNWRAP, value: true }]);
      const extractable = token.C_GenerateKey(session, { mechanism: pkcs11.CKM_AES_KEY_GEN }, [{ type: pkcs11.CKA_VALUE_LEN, value: 16 },
        { type: pkcs11.CKA_TOKEN, value: false }, { type: pkcs11.CKA_EXTRACTABLE, value: true }]);
      const wrapped = token.C_WrapKey(session, { mechanism: pkcs11.CKM_AES_KEY_WRAP_PAD }, kek, extractable, Buffer.alloc(64));
      assert.throws(() => token.C_UnwrapKey(session, { mechanism: pkcs11.CKM_AES_KEY_WRAP_PAD }, kek, wrapped, [
        { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY }, { type: pkcs11.CKA_KEY_TYPE, value: pkcs11.CKK_AES },
        { type: pkcs11.CKA_TOKEN, value: false }, { type: pkcs11.CKA_EXTRACTABLE, value: true }]), rejectsWithCode(pkcs11.CKR_TEMPLATE_INCONSISTENT),
      'by default an unwrapped key is unextractable unless the unwrapping key allows otherwise');
    } finally {
      token.C_Finalize();
    }
  });

  it('with load("…?lenientKeyPolicy"), such a key wraps itself, as pkcs11js\'s suite does, and unwraps an extractable key', () => {
    const [token, session] = openUserSession(`${LIB}?lenientKeyPolicy`);
    try {
      const key = token.C_GenerateKey(session, { mechanism: pkcs11.CKM_AES_KEY_GEN }, aes);
      const mechanism = { mechanism: pkcs11.CKM_AES_KEY_WRAP_PAD };
      const wrapped = token.C_WrapKey(session, mechanism, key, key, Buffer.alloc(1024));
      const unwrapped = token.C_UnwrapKey(session, mechanism, key, wrapped, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY },
        { type: pkcs11.CKA_KEY_TYPE, value: pkcs11.CKK_AES }, { type: pkcs11.CKA_ENCRYPT, value: true }, { type: pkcs11.CKA_DECRYPT, value: true },
        { type: pkcs11.CKA_TOKEN, value: false }, { type: pkcs11.CKA_EXTRACTABLE, value: true }]);
      assert.equal(token.C_GetAttributeValue(session, unwrapped, [{ type: pkcs11.CKA_VALUE }])[0]!.value.length, 16);
      token.C_SetAttributeValue(session, unwrapped, [{ type: pkcs11.CKA_WRAP, value: true }]);
      assert.equal(token.C_GetAttributeValue(session, unwrapped, [{ type: pkcs11.CKA_WRAP }])[0]!.value[0], 1);
    } finally {
      token.C_Finalize();
    }
  });

  it('is the only option load() knows', () => {
    assert.throws(() => new PKCS11(`${LIB}?permissive`), /unknown option "permissive"/);
  });
});
