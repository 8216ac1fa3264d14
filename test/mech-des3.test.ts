/** Triple-DES family (src/mechanisms/des3.ts), through the Cryptoki API. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../src/pkcs11/error.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../src/pkcs11/types.js';
import type { Cryptoki } from '../src/core/cryptoki.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN } from './helpers.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// NIST SP 800-67 Rev. 1, Appendix B: TDEA ECB with three distinct keys (the typo in "qufck" is the vector's).
const SP800_67 = {
  key: hex('0123456789abcdef 23456789abcdef01 456789abcdef0123'),
  plaintext: Buffer.from('The qufck brown fox jump', 'latin1'),
  ciphertext: hex('a826fd8ce53b855f cce21c8112256fe6 68d5c05dd9b6b900'),
};
const IV = hex('0001020304050607');

interface Ctx { p11: Cryptoki; h: number; done(): void }

function open(): Ctx {
  const f = setup(STORE_KINDS[0]!);
  const h = f.p11.C_OpenSession(f.slot, RW);
  f.p11.C_Login(h, K.CKU_USER, USER_PIN);
  return { p11: f.p11, h, done: () => f.cleanup() };
}

function secretKey(c: Ctx, keyType: number, value: Buffer, extra: CK_ATTRIBUTE[] = []): number {
  return c.p11.C_CreateObject(c.h, [
    { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: keyType }, { type: K.CKA_VALUE, value }, ...extra,
  ]);
}

function encrypt(c: Ctx, mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  c.p11.C_EncryptInit(c.h, mechanism, key);
  return c.p11.C_Encrypt(c.h, data);
}

function decrypt(c: Ctx, mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  c.p11.C_DecryptInit(c.h, mechanism, key);
  return c.p11.C_Decrypt(c.h, data);
}

function encryptInParts(c: Ctx, mechanism: CK_MECHANISM, key: number, data: Buffer, cut: number): Buffer {
  c.p11.C_EncryptInit(c.h, mechanism, key);
  return Buffer.concat([c.p11.C_EncryptUpdate(c.h, data.subarray(0, cut)), c.p11.C_EncryptUpdate(c.h, data.subarray(cut)), c.p11.C_EncryptFinal(c.h)]);
}

function decryptInParts(c: Ctx, mechanism: CK_MECHANISM, key: number, data: Buffer, cut: number): Buffer {
  c.p11.C_DecryptInit(c.h, mechanism, key);
  return Buffer.concat([c.p11.C_DecryptUpdate(c.h, data.subarray(0, cut)), c.p11.C_DecryptUpdate(c.h, data.subarray(cut)), c.p11.C_DecryptFinal(c.h)]);
}

function attribute(c: Ctx, object: number, type: number): unknown {
  return c.p11.C_GetAttributeValue(c.h, object, [{ type }])[0]!.value;
}

function oddParity(byte: number): boolean {
  let ones = 0;
  for (let b = byte; b; b >>= 1) ones += b & 1;
  return ones % 2 === 1;
}

/** The openssl command line as an independent implementation, through temp files. */
function openssl(cipher: string, decrypting: boolean, key: Buffer, iv: Buffer, data: Buffer, pad: boolean): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'des3-'));
  try {
    const input = join(dir, 'in');
    const output = join(dir, 'out');
    writeFileSync(input, data);
    const args = ['enc', `-${cipher}`, '-K', key.toString('hex'), '-iv', iv.toString('hex'), '-in', input, '-out', output];
    if (decrypting) args.push('-d');
    if (!pad) args.push('-nopad');
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return readFileSync(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('triple-DES mechanisms', () => {
  it('reports mechanism info in bytes', () => {
    const c = open();
    const slot = c.p11.C_GetSlotList(true)[0]!;
    const gen = c.p11.C_GetMechanismInfo(slot, K.CKM_DES3_KEY_GEN);
    assert.deepEqual([gen.ulMinKeySize, gen.ulMaxKeySize, gen.flags], [24, 24, K.CKF_GENERATE]);
    const gen2 = c.p11.C_GetMechanismInfo(slot, K.CKM_DES2_KEY_GEN);
    assert.deepEqual([gen2.ulMinKeySize, gen2.ulMaxKeySize], [16, 16]);
    for (const m of [K.CKM_DES3_ECB, K.CKM_DES3_CBC, K.CKM_DES3_CBC_PAD]) {
      const info = c.p11.C_GetMechanismInfo(slot, m);
      assert.deepEqual([info.ulMinKeySize, info.ulMaxKeySize, info.flags], [16, 24, K.CKF_ENCRYPT | K.CKF_DECRYPT | K.CKF_WRAP | K.CKF_UNWRAP]);
    }
    c.done();
  });

  it('refuses DES3 and DES2 keys with a wrong parity bit, created or unwrapped', () => {
    const c = open();
    const badParity = Buffer.from(SP800_67.key);
    badParity[5]! ^= 1;
    throwsCKR(() => secretKey(c, K.CKK_DES3, badParity), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => secretKey(c, K.CKK_DES2, badParity.subarray(0, 16)), K.CKR_ATTRIBUTE_VALUE_INVALID);
    assert.ok(secretKey(c, K.CKK_DES3, SP800_67.key) > 0, 'the same key with odd parity is accepted');
    // Wrapped outside the token, the bad key unwraps to the one answer for any bad wrapped key.
    const kekValue = Buffer.alloc(32, 9);
    const kek = c.p11.C_CreateObject(c.h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_VALUE, value: kekValue },
      { type: K.CKA_UNWRAP, value: true },
    ]);
    const wrapped = createCipheriv('aes-256-cbc', kekValue, Buffer.alloc(16)).update(Buffer.concat([badParity, Buffer.alloc(8, 8)]));
    throwsCKR(() => c.p11.C_UnwrapKey(c.h, { mechanism: K.CKM_AES_CBC_PAD, parameter: Buffer.alloc(16) }, kek, wrapped, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_DES3 },
    ]), K.CKR_WRAPPED_KEY_INVALID);
    c.done();
  });

  it('generates DES3 and DES2 keys with odd parity and the spec\'s check value', () => {
    const c = open();
    for (const [mechanism, keyType, length, nodeName] of [
      [K.CKM_DES3_KEY_GEN, K.CKK_DES3, 24, 'des-ede3-ecb'], [K.CKM_DES2_KEY_GEN, K.CKK_DES2, 16, 'des-ede-ecb'],
    ] as const) {
      for (let i = 0; i < 5; i++) {
        const key = c.p11.C_GenerateKey(c.h, { mechanism }, [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }]);
        const value = attribute(c, key, K.CKA_VALUE) as Buffer;
        assert.equal(value.length, length);
        assert.ok([...value].every(oddParity), 'every byte has odd parity');
        assert.equal(attribute(c, key, K.CKA_KEY_TYPE), keyType);
        const zeroBlock = createCipheriv(nodeName, value, null).update(Buffer.alloc(8));
        assert.deepEqual(attribute(c, key, K.CKA_CHECK_VALUE), zeroBlock.subarray(0, 3));
      }
    }
    throwsCKR(() => c.p11.C_GenerateKey(c.h, { mechanism: K.CKM_DES3_KEY_GEN, parameter: IV }, []), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => c.p11.C_GenerateKey(c.h, { mechanism: K.CKM_DES3_KEY_GEN }, [{ type: K.CKA_CHECK_VALUE, value: hex('010203') }]),
      K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => c.p11.C_GenerateKey(c.h, { mechanism: K.CKM_DES3_KEY_GEN }, [{ type: K.CKA_KEY_TYPE, value: K.CKK_DES2 }]),
      K.CKR_TEMPLATE_INCONSISTENT);
    c.done();
  });

  it('matches the SP 800-67 vector in ECB, single-part and multi-part; a DES2 key is K1 K2 K1', () => {
    const c = open();
    const key = secretKey(c, K.CKK_DES3, SP800_67.key);
    const ecb = { mechanism: K.CKM_DES3_ECB };
    assert.deepEqual(encrypt(c, ecb, key, SP800_67.plaintext), SP800_67.ciphertext);
    assert.deepEqual(decrypt(c, ecb, key, SP800_67.ciphertext), SP800_67.plaintext);
    assert.deepEqual(encryptInParts(c, ecb, key, SP800_67.plaintext, 3), SP800_67.ciphertext);
    assert.deepEqual(decryptInParts(c, ecb, key, SP800_67.ciphertext, 13), SP800_67.plaintext);
    // The first CBC block under a zero IV is the first ECB block.
    assert.deepEqual(encrypt(c, { mechanism: K.CKM_DES3_CBC, parameter: Buffer.alloc(8) }, key, SP800_67.plaintext.subarray(0, 8)),
      SP800_67.ciphertext.subarray(0, 8));

    const k1k2 = SP800_67.key.subarray(0, 16);
    const des2 = secretKey(c, K.CKK_DES2, k1k2);
    const asDes3 = secretKey(c, K.CKK_DES3, Buffer.concat([k1k2, SP800_67.key.subarray(0, 8)]));
    assert.deepEqual(encrypt(c, ecb, des2, SP800_67.plaintext), encrypt(c, ecb, asDes3, SP800_67.plaintext));
    c.done();
  });

  it('agrees with the openssl command line in CBC and CBC_PAD, both ways', () => {
    const c = open();
    const keys: [Buffer, string][] = [[SP800_67.key, 'des-ede3-cbc'], [SP800_67.key.subarray(0, 16), 'des-ede-cbc']];
    for (const [value, cipher] of keys) {
      const key = secretKey(c, value.length === 24 ? K.CKK_DES3 : K.CKK_DES2, value);
      const cbc = { mechanism: K.CKM_DES3_CBC, parameter: IV };
      const pad = { mechanism: K.CKM_DES3_CBC_PAD, parameter: IV };
      const ours = encrypt(c, cbc, key, SP800_67.plaintext);
      assert.deepEqual(openssl(cipher, true, value, IV, ours, false), SP800_67.plaintext, `${cipher} token -> openssl`);
      assert.deepEqual(decrypt(c, cbc, key, openssl(cipher, false, value, IV, SP800_67.plaintext, false)), SP800_67.plaintext);
      for (const length of [0, 5, 8, 21]) {
        const data = SP800_67.plaintext.subarray(0, length);
        const padded = encrypt(c, pad, key, data);
        assert.equal(padded.length, (Math.floor(length / 8) + 1) * 8);
        assert.deepEqual(openssl(cipher, true, value, IV, padded, true), data, `${cipher} padded ${length}`);
        const theirs = openssl(cipher, false, value, IV, data, true);
        assert.deepEqual(theirs, padded);
        assert.deepEqual(decryptInParts(c, pad, key, theirs, 8), data);
      }
    }
    c.done();
  });

  it('refuses bad lengths, parameters, key types and tampered padding', () => {
    const c = open();
    const key = secretKey(c, K.CKK_DES3, SP800_67.key);
    for (const mechanism of [{ mechanism: K.CKM_DES3_ECB }, { mechanism: K.CKM_DES3_CBC, parameter: IV }]) {
      c.p11.C_EncryptInit(c.h, mechanism, key);
      throwsCKR(() => c.p11.C_Encrypt(c.h, Buffer.alloc(7)), K.CKR_DATA_LEN_RANGE);
      c.p11.C_DecryptInit(c.h, mechanism, key);
      throwsCKR(() => c.p11.C_Decrypt(c.h, Buffer.alloc(9)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    }
    for (const mechanism of [
      { mechanism: K.CKM_DES3_ECB, parameter: IV }, { mechanism: K.CKM_DES3_CBC, parameter: Buffer.alloc(16) },
      { mechanism: K.CKM_DES3_CBC_PAD }, { mechanism: K.CKM_DES3_CBC_PAD, parameter: Buffer.alloc(7) },
    ]) {
      throwsCKR(() => c.p11.C_EncryptInit(c.h, mechanism, key), K.CKR_MECHANISM_PARAM_INVALID);
    }
    const aes = secretKey(c, K.CKK_AES, Buffer.alloc(24, 1));
    throwsCKR(() => c.p11.C_EncryptInit(c.h, { mechanism: K.CKM_DES3_ECB }, aes), K.CKR_KEY_TYPE_INCONSISTENT);

    const pad = { mechanism: K.CKM_DES3_CBC_PAD, parameter: IV };
    const ciphertext = encrypt(c, pad, key, Buffer.from('nine byte'));
    const tampered = Buffer.from(ciphertext);
    tampered[7]! ^= 7; // the pad length 7 becomes 0
    c.p11.C_DecryptInit(c.h, pad, key);
    throwsCKR(() => c.p11.C_Decrypt(c.h, tampered), K.CKR_ENCRYPTED_DATA_INVALID);
    // Another key never yields the plaintext.
    const other = secretKey(c, K.CKK_DES3, Buffer.concat([SP800_67.key.subarray(8), SP800_67.key.subarray(0, 8)]));
    assert.notDeepEqual(decrypt(c, { mechanism: K.CKM_DES3_ECB }, other, SP800_67.ciphertext), SP800_67.plaintext);
    c.done();
  });

  it('answers length queries and CKR_BUFFER_TOO_SMALL without ending the operation', () => {
    const c = open();
    const key = secretKey(c, K.CKK_DES3, SP800_67.key);
    const pad = { mechanism: K.CKM_DES3_CBC_PAD, parameter: IV };
    const data = SP800_67.plaintext.subarray(0, 13);
    c.p11.C_EncryptInit(c.h, pad, key);
    assert.equal(c.p11.C_Encrypt(c.h, data, null), 16);
    const e = throwsCKR(() => c.p11.C_Encrypt(c.h, data, Buffer.alloc(15)), K.CKR_BUFFER_TOO_SMALL);
    assert.ok(e instanceof BufferTooSmallError && e.required === 16);
    const ciphertext = c.p11.C_Encrypt(c.h, data);
    c.p11.C_DecryptInit(c.h, pad, key);
    assert.equal(c.p11.C_DecryptUpdate(c.h, ciphertext, null), 8);
    const head = c.p11.C_DecryptUpdate(c.h, ciphertext);
    assert.equal(c.p11.C_DecryptFinal(c.h, null), 8);
    throwsCKR(() => c.p11.C_DecryptFinal(c.h, Buffer.alloc(4)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(Buffer.concat([head, c.p11.C_DecryptFinal(c.h)]), data);
    c.done();
  });

  it('wraps and unwraps keys, never under a weaker key', () => {
    const c = open();
    const wrapping = (value: Buffer, keyType: number) =>
      secretKey(c, keyType, value, [{ type: K.CKA_WRAP, value: true }, { type: K.CKA_UNWRAP, value: true }]);
    const des3Kek = wrapping(SP800_67.key, K.CKK_DES3);
    const aesKek = wrapping(Buffer.alloc(32, 9), K.CKK_AES);
    const des3 = secretKey(c, K.CKK_DES3, SP800_67.key, [{ type: K.CKA_EXTRACTABLE, value: true }]);
    const des2 = secretKey(c, K.CKK_DES2, SP800_67.key.subarray(0, 16), [{ type: K.CKA_EXTRACTABLE, value: true }]);
    const aes128 = secretKey(c, K.CKK_AES, Buffer.alloc(16, 5), [{ type: K.CKA_EXTRACTABLE, value: true }]);
    const probe = (key: number) => encrypt(c, { mechanism: K.CKM_DES3_ECB }, key, SP800_67.plaintext);
    const cases: [CK_MECHANISM, number, number, number][] = [
      [{ mechanism: K.CKM_DES3_ECB }, des3Kek, des2, K.CKK_DES2],
      [{ mechanism: K.CKM_DES3_CBC, parameter: IV }, des3Kek, des3, K.CKK_DES3],
      [{ mechanism: K.CKM_DES3_CBC_PAD, parameter: IV }, des3Kek, des3, K.CKK_DES3],
      [{ mechanism: K.CKM_AES_CBC_PAD, parameter: Buffer.alloc(16) }, aesKek, des3, K.CKK_DES3],
      [{ mechanism: K.CKM_AES_KEY_WRAP }, aesKek, des2, K.CKK_DES2],
    ];
    for (const [mechanism, kek, target, keyType] of cases) {
      const wrapped = c.p11.C_WrapKey(c.h, mechanism, kek, target);
      const unwrapped = c.p11.C_UnwrapKey(c.h, mechanism, kek, wrapped, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: keyType }, { type: K.CKA_ENCRYPT, value: true },
      ]);
      assert.deepEqual(probe(unwrapped), probe(target), `0x${mechanism.mechanism.toString(16)}`);
    }
    const pad = { mechanism: K.CKM_DES3_CBC_PAD, parameter: IV };
    // Triple DES (112 bits) meets the 112-bit floor; two-key DES (80 bits) does not.
    assert.ok(c.p11.C_WrapKey(c.h, pad, des3Kek, aes128).length > 16);
    const des2Kek = wrapping(SP800_67.key.subarray(0, 16), K.CKK_DES2);
    throwsCKR(() => c.p11.C_WrapKey(c.h, pad, des2Kek, aes128), K.CKR_WRAPPING_KEY_SIZE_RANGE);
    const wrapped = c.p11.C_WrapKey(c.h, pad, des3Kek, des3);
    const tampered = Buffer.from(wrapped);
    tampered[wrapped.length - 9]! ^= 8; // a full block of padding 8 becomes 0
    const template = [{ type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_DES3 }];
    throwsCKR(() => c.p11.C_UnwrapKey(c.h, pad, des3Kek, tampered, template), K.CKR_WRAPPED_KEY_INVALID);
    throwsCKR(() => c.p11.C_UnwrapKey(c.h, pad, des3Kek, wrapped.subarray(3), template), K.CKR_WRAPPED_KEY_LEN_RANGE);
    c.done();
  });
});
