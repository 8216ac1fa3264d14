/**
 * AES family (src/mechanisms/aes.ts) and AES key wrap (src/mechanisms/aes-wrap.ts),
 * through the Cryptoki API. Vectors are quoted from their sources, named at each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCipheriv } from 'node:crypto';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError, CKRError } from '../src/pkcs11/error.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../src/pkcs11/types.js';
import type { Cryptoki } from '../src/core/cryptoki.js';
import { mechanismFor } from '../src/mechanisms/index.js';
import { restoreCipher } from '../src/mechanisms/aes.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN } from './helpers.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// ---- NIST SP 800-38A, Appendix F ----------------------------------------------------
const SP800_38A = {
  key128: hex('2b7e151628aed2a6abf7158809cf4f3c'),
  key192: hex('8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b'),
  key256: hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'),
  iv: hex('000102030405060708090a0b0c0d0e0f'),
  counter: hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'),
  plaintext: hex(`6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
                  30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`),
};

interface Vector { name: string; mechanism: CK_MECHANISM; key: Buffer; plaintext: Buffer; ciphertext: Buffer }

const VECTORS: Vector[] = [
  { name: 'F.1.1 ECB-AES128', mechanism: { mechanism: K.CKM_AES_ECB }, key: SP800_38A.key128, plaintext: SP800_38A.plaintext,
    ciphertext: hex('3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf 43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4') },
  { name: 'F.1.3 ECB-AES192', mechanism: { mechanism: K.CKM_AES_ECB }, key: SP800_38A.key192, plaintext: SP800_38A.plaintext,
    ciphertext: hex('bd334f1d6e45f25ff712a214571fa5cc 974104846d0ad3ad7734ecb3ecee4eef ef7afd2270e2e60adce0ba2face6444e 9a4b41ba738d6c72fb16691603c18e0e') },
  { name: 'F.1.5 ECB-AES256', mechanism: { mechanism: K.CKM_AES_ECB }, key: SP800_38A.key256, plaintext: SP800_38A.plaintext,
    ciphertext: hex('f3eed1bdb5d2a03c064b5a7e3db181f8 591ccb10d410ed26dc5ba74a31362870 b6ed21b99ca6f4f9f153e7b1beafed1d 23304b7a39f9f3ff067d8d8f9e24ecc7') },
  { name: 'F.2.1 CBC-AES128', mechanism: { mechanism: K.CKM_AES_CBC, parameter: SP800_38A.iv }, key: SP800_38A.key128, plaintext: SP800_38A.plaintext,
    ciphertext: hex('7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7') },
  { name: 'F.2.5 CBC-AES256', mechanism: { mechanism: K.CKM_AES_CBC, parameter: SP800_38A.iv }, key: SP800_38A.key256, plaintext: SP800_38A.plaintext,
    ciphertext: hex('f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d 39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b') },
  { name: 'F.3.7 CFB8-AES128', mechanism: { mechanism: K.CKM_AES_CFB8, parameter: SP800_38A.iv }, key: SP800_38A.key128,
    plaintext: hex('6bc1bee22e409f96e93d7e117393172aae2d'), ciphertext: hex('3b79424c9c0dd436bace9e0ed4586a4f32b9') },
  { name: 'F.3.13 CFB128-AES128', mechanism: { mechanism: K.CKM_AES_CFB128, parameter: SP800_38A.iv }, key: SP800_38A.key128, plaintext: SP800_38A.plaintext,
    ciphertext: hex('3b3fd92eb72dad20333449f8e83cfb4a c8a64537a0b3a93fcde3cdad9f1ce58b 26751f67a3cbb140b1808cf187a4f4df c04b05357c5d1c0eeac4c66f9ff7f2e6') },
  { name: 'F.4.1 OFB-AES128', mechanism: { mechanism: K.CKM_AES_OFB, parameter: SP800_38A.iv }, key: SP800_38A.key128, plaintext: SP800_38A.plaintext,
    ciphertext: hex('3b3fd92eb72dad20333449f8e83cfb4a 7789508d16918f03f53c52dac54ed825 9740051e9c5fecf64344f7a82260edcc 304c6528f659c77866a510d9c1d6ae5e') },
  { name: 'F.5.1 CTR-AES128', mechanism: { mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 128, cb: SP800_38A.counter } }, key: SP800_38A.key128,
    plaintext: SP800_38A.plaintext,
    ciphertext: hex('874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff 5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee') },
  { name: 'F.5.5 CTR-AES256', mechanism: { mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 128, cb: SP800_38A.counter } }, key: SP800_38A.key256,
    plaintext: SP800_38A.plaintext,
    ciphertext: hex('601ec313775789a5b7a7f504bbf3d228 f443e3ca4d62b59aca84e990cacaf5c5 2b0930daa23de94ce87017ba2d84988d dfc9c58db67aada613c2dd08457941a6') },
  // RFC 3686 section 6, test vector #2: a 32-bit block counter after nonce and IV.
  { name: 'RFC 3686 #2 CTR-AES128', mechanism: { mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 32, cb: hex('006cb6dbc0543b59da48d90b00000001') } },
    key: hex('7e24067817fae0d743d6ce1f32539163'), plaintext: hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
    ciphertext: hex('5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28') },
];

// ---- RFC 3962 Appendix B: AES-128 CTS (the CBC-CS3 variant), key "chicken teriyaki", IV 0 --------
const CTS_KEY = hex('636869636b656e207465726979616b69');
const CTS_INPUT = hex(`4920776f756c64206c696b65207468652047656e6572616c20476175277320
                       436869636b656e2c20706c656173652c20616e6420776f6e746f6e20736f75702e`);
const CTS_VECTORS: [number, Buffer][] = [
  [17, hex('c6353568f2bf8cb4d8a580362da7ff7f97')],
  [31, hex('fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5')],
  [32, hex('39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584')],
  [47, hex('97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98ebf5')],
  [48, hex('97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98ebf5a8')],
  [64, hex(`97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a8
            4807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8`)],
];

// ---- IEEE 1619-2007 Annex B: XTS-AES vectors 2, 15, 16 and the start of 10 --------------
const XTS_VECTORS: { name: string; key: Buffer; tweak: Buffer; plaintext: Buffer; ciphertext: Buffer }[] = [
  { name: 'vector 2', key: hex('11111111111111111111111111111111 22222222222222222222222222222222'),
    tweak: hex('33333333330000000000000000000000'), plaintext: Buffer.alloc(32, 0x44),
    ciphertext: hex('c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0') },
  { name: 'vector 15 (17 bytes, stealing)', key: hex('fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0 bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0'),
    tweak: hex('9a785634120000000000000000000000'), plaintext: hex('000102030405060708090a0b0c0d0e0f10'),
    ciphertext: hex('6c1625db4671522d3d7599601de7ca09ed') },
  { name: 'vector 16 (18 bytes, stealing)', key: hex('fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0 bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0'),
    tweak: hex('9a785634120000000000000000000000'), plaintext: hex('000102030405060708090a0b0c0d0e0f1011'),
    ciphertext: hex('d069444b7a7e0cab09e24447d24deb1fedbf') },
];
// Vector 10 (XTS-AES-256, 512 bytes): blocks are independent without stealing, so its first 64 bytes are checked.
const XTS_10 = {
  key: hex(`2718281828459045235360287471352662497757247093699959574966967627
            3141592653589793238462643383279502884197169399375105820974944592`),
  tweak: hex('ff000000000000000000000000000000'),
  plaintext: Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256)),
  ciphertextStart: hex(`1c3b3a102f770386e4836c99e370cf9bea00803f5e482357a4ae12d414a3e63b
                        5d31e276f8fe4a8d66b317f9ac683f44680a86ac35adfc3345befecb4bb188fd`),
};

// ---- RFC 3394 section 4 and RFC 5649 section 6 ------------------------------------------
const KEK = (bytes: number) => Buffer.from(Array.from({ length: bytes }, (_, i) => i));
const KEY_DATA = hex('00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f');
const RFC3394: { section: string; kek: Buffer; data: Buffer; wrapped: Buffer }[] = [
  { section: '4.1', kek: KEK(16), data: KEY_DATA.subarray(0, 16), wrapped: hex('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5') },
  { section: '4.2', kek: KEK(24), data: KEY_DATA.subarray(0, 16), wrapped: hex('96778b25ae6ca435f92b5b97c050aed2468ab8a17ad84e5d') },
  { section: '4.3', kek: KEK(32), data: KEY_DATA.subarray(0, 16), wrapped: hex('64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7') },
  { section: '4.4', kek: KEK(24), data: KEY_DATA.subarray(0, 24), wrapped: hex('031d33264e15d33268f24ec260743edce1c6c7ddee725a936ba814915c6762d2') },
  { section: '4.5', kek: KEK(32), data: KEY_DATA.subarray(0, 24), wrapped: hex('a8f9bc1612c68b3ff6e6f4fbe30e71e4769c8b80a32cb8958cd5d17d6b254da1') },
  { section: '4.6', kek: KEK(32), data: KEY_DATA, wrapped: hex('28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21') },
];
const RFC5649 = {
  kek: hex('5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8'),
  cases: [
    { key: hex('c37b7e6492584340bed12207808941155068f738'), wrapped: hex('138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a') },
    { key: hex('466f7250617369'), wrapped: hex('afbeb0f07dfbf5419200f2ccb50bb24f') },
  ],
};

// ---- helpers -----------------------------------------------------------------------------

interface Ctx { p11: Cryptoki; h: number; done(): void }

function open(): Ctx {
  const f = setup(STORE_KINDS[0]!);
  const h = f.p11.C_OpenSession(f.slot, RW);
  f.p11.C_Login(h, K.CKU_USER, USER_PIN);
  return { p11: f.p11, h, done: () => f.cleanup() };
}

function secretKey(c: Ctx, keyType: number, value: Buffer, extra: CK_ATTRIBUTE[] = []): number {
  return c.p11.C_CreateObject(c.h, [
    { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: keyType },
    { type: K.CKA_VALUE, value }, ...extra,
  ]);
}

const aesKey = (c: Ctx, value: Buffer, extra: CK_ATTRIBUTE[] = []) => secretKey(c, K.CKK_AES, value, extra);
const wrappingKey = (c: Ctx, value: Buffer, extra: CK_ATTRIBUTE[] = []) =>
  aesKey(c, value, [{ type: K.CKA_WRAP, value: true }, { type: K.CKA_UNWRAP, value: true }, ...extra]);

function encrypt(c: Ctx, mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  c.p11.C_EncryptInit(c.h, mechanism, key);
  return c.p11.C_Encrypt(c.h, data);
}

function decrypt(c: Ctx, mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  c.p11.C_DecryptInit(c.h, mechanism, key);
  return c.p11.C_Decrypt(c.h, data);
}

/** Multi-part, cutting the input at the given sizes (the rest goes in a last part). */
function inParts(c: Ctx, kind: 'encrypt' | 'decrypt', mechanism: CK_MECHANISM, key: number, data: Buffer, sizes: number[]): Buffer {
  const p11 = c.p11;
  if (kind === 'encrypt') p11.C_EncryptInit(c.h, mechanism, key);
  else p11.C_DecryptInit(c.h, mechanism, key);
  const out: Buffer[] = [];
  let at = 0;
  for (const size of [...sizes, data.length]) {
    const part = data.subarray(at, Math.min(data.length, at + size));
    at += part.length;
    const expected = kind === 'encrypt' ? p11.C_EncryptUpdate(c.h, part, null) : p11.C_DecryptUpdate(c.h, part, null);
    const got = kind === 'encrypt' ? p11.C_EncryptUpdate(c.h, part) : p11.C_DecryptUpdate(c.h, part);
    assert.equal(got.length, expected, 'an update gives exactly the length it announced');
    out.push(got);
  }
  out.push(kind === 'encrypt' ? p11.C_EncryptFinal(c.h) : p11.C_DecryptFinal(c.h));
  return Buffer.concat(out);
}

const SPLITS = [[1], [15, 1, 17], [16, 16], [31, 2, 3], [7, 0, 40]];

function attribute(c: Ctx, object: number, type: number): unknown {
  return c.p11.C_GetAttributeValue(c.h, object, [{ type }])[0]!.value;
}

/** The token's view of a key, by what it encrypts: keys are equal if they encrypt a block alike. */
function fingerprint(c: Ctx, key: number): Buffer {
  return encrypt(c, { mechanism: K.CKM_AES_ECB }, key, Buffer.alloc(16, 0x5a));
}

const UNWRAP_AES: CK_ATTRIBUTE[] = [
  { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES },
  { type: K.CKA_ENCRYPT, value: true }, { type: K.CKA_DECRYPT, value: true },
];

// ---- tests -------------------------------------------------------------------------------

describe('AES mechanisms', () => {
  it('reports mechanism info in bytes, with the functions each implements', () => {
    const c = open();
    const slot = c.p11.C_GetSlotList(true)[0]!;
    const gen = c.p11.C_GetMechanismInfo(slot, K.CKM_AES_KEY_GEN);
    assert.deepEqual([gen.ulMinKeySize, gen.ulMaxKeySize, gen.flags], [16, 32, K.CKF_GENERATE]);
    const cipherAndWrap = K.CKF_ENCRYPT | K.CKF_DECRYPT | K.CKF_WRAP | K.CKF_UNWRAP;
    for (const m of [K.CKM_AES_ECB, K.CKM_AES_CBC, K.CKM_AES_CBC_PAD, K.CKM_AES_CTR, K.CKM_AES_CTS, K.CKM_AES_OFB,
      K.CKM_AES_CFB8, K.CKM_AES_CFB128, K.CKM_AES_KEY_WRAP, K.CKM_AES_KEY_WRAP_KWP]) {
      const info = c.p11.C_GetMechanismInfo(slot, m);
      assert.equal(info.flags, cipherAndWrap, `flags of 0x${m.toString(16)}`);
      assert.deepEqual([info.ulMinKeySize, info.ulMaxKeySize], [16, 32]);
    }
    const xts = c.p11.C_GetMechanismInfo(slot, K.CKM_AES_XTS);
    assert.deepEqual([xts.ulMinKeySize, xts.ulMaxKeySize], [32, 64]);
    c.done();
  });

  it('generates keys of each size with the spec\'s check value', () => {
    const c = open();
    for (const length of [16, 24, 32]) {
      const key = c.p11.C_GenerateKey(c.h, { mechanism: K.CKM_AES_KEY_GEN }, [
        { type: K.CKA_VALUE_LEN, value: length }, { type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true },
      ]);
      const value = attribute(c, key, K.CKA_VALUE) as Buffer;
      assert.equal(value.length, length);
      assert.equal(attribute(c, key, K.CKA_VALUE_LEN), length);
      assert.equal(attribute(c, key, K.CKA_KEY_TYPE), K.CKK_AES);
      assert.equal(attribute(c, key, K.CKA_LOCAL), true);
      assert.equal(attribute(c, key, K.CKA_KEY_GEN_MECHANISM), K.CKM_AES_KEY_GEN);
      // The rule of the spec's secret key section, computed here with node:crypto directly.
      const zeroBlock = createCipheriv(`aes-${length * 8}-ecb`, value, null).update(Buffer.alloc(16));
      assert.deepEqual(attribute(c, key, K.CKA_CHECK_VALUE), zeroBlock.subarray(0, 3));
      assert.deepEqual(encrypt(c, { mechanism: K.CKM_AES_ECB }, key, Buffer.alloc(16)).subarray(0, 3), zeroBlock.subarray(0, 3));
    }
    // A sensitive key has a check value as well, and it gives nothing away by itself.
    const sensitive = c.p11.C_GenerateKey(c.h, { mechanism: K.CKM_AES_KEY_GEN }, [{ type: K.CKA_VALUE_LEN, value: 32 }]);
    assert.equal((attribute(c, sensitive, K.CKA_CHECK_VALUE) as Buffer).length, 3);
    throwsCKR(() => attribute(c, sensitive, K.CKA_VALUE), K.CKR_ATTRIBUTE_SENSITIVE);
    c.done();
  });

  it('refuses key generation without a valid CKA_VALUE_LEN, with a parameter, or with a wrong check value', () => {
    const c = open();
    const gen = (template: CK_ATTRIBUTE[], parameter?: unknown) =>
      c.p11.C_GenerateKey(c.h, { mechanism: K.CKM_AES_KEY_GEN, parameter }, template);
    throwsCKR(() => gen([]), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => gen([{ type: K.CKA_VALUE_LEN, value: 20 }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => gen([{ type: K.CKA_VALUE_LEN, value: 64 }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => gen([{ type: K.CKA_VALUE_LEN, value: 16 }], Buffer.alloc(16)), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => gen([{ type: K.CKA_VALUE_LEN, value: 16 }, { type: K.CKA_KEY_TYPE, value: K.CKK_DES3 }]), K.CKR_TEMPLATE_INCONSISTENT);
    throwsCKR(() => gen([{ type: K.CKA_VALUE_LEN, value: 16 }, { type: K.CKA_CHECK_VALUE, value: hex('000000') }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    // An empty CKA_CHECK_VALUE asks for none (spec: "the generation of the KCV may be prevented").
    const key = gen([{ type: K.CKA_VALUE_LEN, value: 16 }, { type: K.CKA_CHECK_VALUE, value: Buffer.alloc(0) }]);
    assert.equal((attribute(c, key, K.CKA_CHECK_VALUE) as Buffer).length, 0);
    c.done();
  });

  it('matches the SP 800-38A and RFC 3686 vectors, single-part and multi-part, both ways', () => {
    const c = open();
    for (const v of VECTORS) {
      const key = aesKey(c, v.key);
      assert.deepEqual(encrypt(c, v.mechanism, key, v.plaintext), v.ciphertext, `${v.name} encrypt`);
      assert.deepEqual(decrypt(c, v.mechanism, key, v.ciphertext), v.plaintext, `${v.name} decrypt`);
      const blockMode = v.mechanism.mechanism === K.CKM_AES_ECB || v.mechanism.mechanism === K.CKM_AES_CBC;
      for (const split of SPLITS) {
        // ECB and CBC without padding still take any cut, as long as the whole is whole blocks.
        assert.deepEqual(inParts(c, 'encrypt', v.mechanism, key, v.plaintext, split), v.ciphertext, `${v.name} encrypt ${split}`);
        assert.deepEqual(inParts(c, 'decrypt', v.mechanism, key, v.ciphertext, split), v.plaintext, `${v.name} decrypt ${split}`);
        if (blockMode) break;
      }
    }
    c.done();
  });

  it('refuses ECB and CBC input that is not whole blocks', () => {
    const c = open();
    const key = aesKey(c, SP800_38A.key128);
    for (const mechanism of [{ mechanism: K.CKM_AES_ECB }, { mechanism: K.CKM_AES_CBC, parameter: SP800_38A.iv }]) {
      c.p11.C_EncryptInit(c.h, mechanism, key);
      throwsCKR(() => c.p11.C_Encrypt(c.h, Buffer.alloc(15)), K.CKR_DATA_LEN_RANGE);
      throwsCKR(() => c.p11.C_Encrypt(c.h, Buffer.alloc(15)), K.CKR_OPERATION_NOT_INITIALIZED, 'the error ended it');
      c.p11.C_DecryptInit(c.h, mechanism, key);
      throwsCKR(() => c.p11.C_Decrypt(c.h, Buffer.alloc(33)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
      c.p11.C_EncryptInit(c.h, mechanism, key);
      assert.equal(c.p11.C_EncryptUpdate(c.h, Buffer.alloc(20)).length, 16);
      throwsCKR(() => c.p11.C_EncryptFinal(c.h), K.CKR_DATA_LEN_RANGE);
      c.p11.C_DecryptInit(c.h, mechanism, key);
      assert.equal(c.p11.C_DecryptUpdate(c.h, Buffer.alloc(8)).length, 0);
      throwsCKR(() => c.p11.C_DecryptFinal(c.h), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    }
    c.done();
  });

  it('pads CBC_PAD with PKCS#7, and decryption holds back the last block across updates', () => {
    const c = open();
    const key = aesKey(c, SP800_38A.key128);
    const mechanism = { mechanism: K.CKM_AES_CBC_PAD, parameter: SP800_38A.iv };
    for (let length = 0; length <= 49; length++) {
      const data = SP800_38A.plaintext.subarray(0, length);
      // node:crypto's own PKCS#7 padding is the reference.
      const reference = createCipheriv('aes-128-cbc', SP800_38A.key128, SP800_38A.iv);
      const expected = Buffer.concat([reference.update(data), reference.final()]);
      assert.equal(expected.length, (Math.floor(length / 16) + 1) * 16);
      assert.deepEqual(encrypt(c, mechanism, key, data), expected, `encrypt ${length}`);
      assert.deepEqual(decrypt(c, mechanism, key, expected), data, `decrypt ${length}`);
      assert.deepEqual(inParts(c, 'encrypt', mechanism, key, data, [5, 16]), expected);
      assert.deepEqual(inParts(c, 'decrypt', mechanism, key, expected, [16, 3]), data);
    }
    // The first 64 bytes are plain CBC: the SP 800-38A vector, then one block of padding.
    const whole = encrypt(c, mechanism, key, SP800_38A.plaintext);
    assert.deepEqual(whole.subarray(0, 64), VECTORS[3]!.ciphertext);

    c.p11.C_DecryptInit(c.h, mechanism, key);
    assert.equal(c.p11.C_DecryptUpdate(c.h, whole.subarray(0, 16)).length, 0, 'one block may be all padding');
    assert.equal(c.p11.C_DecryptUpdate(c.h, whole.subarray(16, 64)).length, 48);
    assert.equal(c.p11.C_DecryptUpdate(c.h, whole.subarray(64)).length, 16);
    assert.equal(c.p11.C_DecryptFinal(c.h).length, 0, 'the last block was all padding');
    c.done();
  });

  it('refuses bad CBC_PAD ciphertext: tampered padding, wrong lengths, a wrong key', () => {
    const c = open();
    const key = aesKey(c, SP800_38A.key128);
    const mechanism = { mechanism: K.CKM_AES_CBC_PAD, parameter: SP800_38A.iv };
    const ciphertext = encrypt(c, mechanism, key, Buffer.from('seventeen bytes!!'));
    // The last plaintext byte is the pad length 15; flipping the previous ciphertext byte by 15 makes it 0.
    const tampered = Buffer.from(ciphertext);
    tampered[15]! ^= 15;
    c.p11.C_DecryptInit(c.h, mechanism, key);
    throwsCKR(() => c.p11.C_Decrypt(c.h, tampered), K.CKR_ENCRYPTED_DATA_INVALID);
    c.p11.C_DecryptInit(c.h, mechanism, key);
    c.p11.C_DecryptUpdate(c.h, tampered);
    throwsCKR(() => c.p11.C_DecryptFinal(c.h), K.CKR_ENCRYPTED_DATA_INVALID);
    c.p11.C_DecryptInit(c.h, mechanism, key);
    throwsCKR(() => c.p11.C_Decrypt(c.h, ciphertext.subarray(1)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    c.p11.C_DecryptInit(c.h, mechanism, key);
    throwsCKR(() => c.p11.C_Decrypt(c.h, Buffer.alloc(0)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    c.p11.C_DecryptInit(c.h, mechanism, key);
    c.p11.C_DecryptUpdate(c.h, ciphertext.subarray(0, 20));
    throwsCKR(() => c.p11.C_DecryptFinal(c.h), K.CKR_ENCRYPTED_DATA_LEN_RANGE);

    // Another key decrypts to noise: whatever the padding check says, never the plaintext.
    const other = aesKey(c, SP800_38A.key256);
    const ecb = { mechanism: K.CKM_AES_CBC, parameter: SP800_38A.iv };
    assert.notDeepEqual(decrypt(c, ecb, other, VECTORS[3]!.ciphertext), SP800_38A.plaintext);
    c.done();
  });

  it('checks parameters: IV length, CTR parameters, no parameter for ECB, key types', () => {
    const c = open();
    const key = aesKey(c, SP800_38A.key128);
    const bad: CK_MECHANISM[] = [
      { mechanism: K.CKM_AES_ECB, parameter: SP800_38A.iv },
      { mechanism: K.CKM_AES_CBC }, { mechanism: K.CKM_AES_CBC, parameter: Buffer.alloc(15) },
      { mechanism: K.CKM_AES_CBC_PAD, parameter: Buffer.alloc(17) }, { mechanism: K.CKM_AES_OFB, parameter: Buffer.alloc(8) },
      { mechanism: K.CKM_AES_CFB8, parameter: null }, { mechanism: K.CKM_AES_CFB128, parameter: 'iv' },
      { mechanism: K.CKM_AES_CTS, parameter: Buffer.alloc(0) },
      { mechanism: K.CKM_AES_CTR, parameter: SP800_38A.counter },
      { mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 0, cb: SP800_38A.counter } },
      { mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 129, cb: SP800_38A.counter } },
      { mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 32, cb: Buffer.alloc(12) } },
      { mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 1.5, cb: SP800_38A.counter } },
    ];
    for (const mechanism of bad) {
      throwsCKR(() => c.p11.C_EncryptInit(c.h, mechanism, key), K.CKR_MECHANISM_PARAM_INVALID, `0x${mechanism.mechanism.toString(16)}`);
      throwsCKR(() => c.p11.C_DecryptInit(c.h, mechanism, key), K.CKR_MECHANISM_PARAM_INVALID);
    }
    const generic = secretKey(c, K.CKK_GENERIC_SECRET, Buffer.alloc(16, 1));
    throwsCKR(() => c.p11.C_EncryptInit(c.h, { mechanism: K.CKM_AES_ECB }, generic), K.CKR_KEY_TYPE_INCONSISTENT);
    const wrapOnly = wrappingKey(c, SP800_38A.key256);
    throwsCKR(() => c.p11.C_EncryptInit(c.h, { mechanism: K.CKM_AES_ECB }, wrapOnly), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
    c.done();
  });

  it('stops CTR before the counter bits wrap (CKR_DATA_LEN_RANGE)', () => {
    const c = open();
    const key = aesKey(c, SP800_38A.key128);
    // The spec's example: 2 counter bits starting at 1 allow 3 blocks.
    const mechanism = { mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 2, cb: hex('ffffffffffffffffffffffffffffff01') } };
    const three = encrypt(c, mechanism, key, Buffer.alloc(48));
    assert.equal(three.length, 48);
    c.p11.C_EncryptInit(c.h, mechanism, key);
    throwsCKR(() => c.p11.C_Encrypt(c.h, Buffer.alloc(49)), K.CKR_DATA_LEN_RANGE);
    c.p11.C_EncryptInit(c.h, mechanism, key);
    assert.deepEqual(Buffer.concat([c.p11.C_EncryptUpdate(c.h, Buffer.alloc(40)), c.p11.C_EncryptUpdate(c.h, Buffer.alloc(8))]), three);
    throwsCKR(() => c.p11.C_EncryptUpdate(c.h, Buffer.alloc(1)), K.CKR_DATA_LEN_RANGE);
    // The counter bits count up from 1 without touching the rest: blocks 1, 2, 3 of the counter.
    const reference = createCipheriv('aes-128-ecb', SP800_38A.key128, null);
    const counters = Buffer.concat([1, 2, 3].map((n) => hex('ffffffffffffffffffffffffffffff0' + n)));
    assert.deepEqual(three, reference.update(counters));
    c.done();
  });

  it('does CBC-CS3 ciphertext stealing as in RFC 3962, single- and multi-part', () => {
    const c = open();
    const key = aesKey(c, CTS_KEY);
    const mechanism = { mechanism: K.CKM_AES_CTS, parameter: Buffer.alloc(16) };
    for (const [length, expected] of CTS_VECTORS) {
      const input = CTS_INPUT.subarray(0, length);
      assert.deepEqual(encrypt(c, mechanism, key, input), expected, `encrypt ${length}`);
      assert.deepEqual(decrypt(c, mechanism, key, expected), input, `decrypt ${length}`);
      for (const split of SPLITS) {
        assert.deepEqual(inParts(c, 'encrypt', mechanism, key, input, split), expected, `encrypt ${length} ${split}`);
        assert.deepEqual(inParts(c, 'decrypt', mechanism, key, expected, split), input, `decrypt ${length} ${split}`);
      }
    }
    // One block is plain CBC.
    const block = CTS_INPUT.subarray(0, 16);
    assert.deepEqual(encrypt(c, mechanism, key, block), createCipheriv('aes-128-ecb', CTS_KEY, null).update(block));
    c.p11.C_EncryptInit(c.h, mechanism, key);
    throwsCKR(() => c.p11.C_Encrypt(c.h, Buffer.alloc(15)), K.CKR_DATA_LEN_RANGE);
    c.p11.C_DecryptInit(c.h, mechanism, key);
    c.p11.C_DecryptUpdate(c.h, Buffer.alloc(10));
    throwsCKR(() => c.p11.C_DecryptFinal(c.h), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    c.done();
  });

  it('answers length queries and CKR_BUFFER_TOO_SMALL without ending the operation', () => {
    const c = open();
    const key = aesKey(c, SP800_38A.key128);
    const cbcPad = { mechanism: K.CKM_AES_CBC_PAD, parameter: SP800_38A.iv };
    const data = SP800_38A.plaintext.subarray(0, 40);
    const expected = encrypt(c, cbcPad, key, data);

    c.p11.C_EncryptInit(c.h, cbcPad, key);
    assert.equal(c.p11.C_Encrypt(c.h, data, null), 48);
    const e = throwsCKR(() => c.p11.C_Encrypt(c.h, data, Buffer.alloc(47)), K.CKR_BUFFER_TOO_SMALL);
    assert.ok(e instanceof BufferTooSmallError && e.required === 48);
    const out = Buffer.alloc(64);
    assert.equal(c.p11.C_Encrypt(c.h, data, out), 48);
    assert.deepEqual(out.subarray(0, 48), expected);

    c.p11.C_EncryptInit(c.h, cbcPad, key);
    assert.equal(c.p11.C_EncryptUpdate(c.h, data, null), 32);
    throwsCKR(() => c.p11.C_EncryptUpdate(c.h, data, Buffer.alloc(31)), K.CKR_BUFFER_TOO_SMALL);
    const first = c.p11.C_EncryptUpdate(c.h, data);
    assert.equal(c.p11.C_EncryptFinal(c.h, null), 16);
    throwsCKR(() => c.p11.C_EncryptFinal(c.h, Buffer.alloc(15)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(Buffer.concat([first, c.p11.C_EncryptFinal(c.h)]), expected);

    // Decryption can only bound its final part before it sees the padding.
    c.p11.C_DecryptInit(c.h, cbcPad, key);
    assert.equal(c.p11.C_Decrypt(c.h, expected, null), 48);
    throwsCKR(() => c.p11.C_Decrypt(c.h, expected, Buffer.alloc(39)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(c.p11.C_Decrypt(c.h, expected), data);
    c.p11.C_DecryptInit(c.h, cbcPad, key);
    const plain = c.p11.C_DecryptUpdate(c.h, expected);
    assert.ok(c.p11.C_DecryptFinal(c.h, null) >= 8);
    throwsCKR(() => c.p11.C_DecryptFinal(c.h, Buffer.alloc(7)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(Buffer.concat([plain, c.p11.C_DecryptFinal(c.h)]), data);

    // The stealing modes repeat their final part after a too-small buffer.
    const cts = { mechanism: K.CKM_AES_CTS, parameter: Buffer.alloc(16) };
    const ctsKey = aesKey(c, CTS_KEY);
    c.p11.C_EncryptInit(c.h, cts, ctsKey);
    const head = c.p11.C_EncryptUpdate(c.h, CTS_INPUT.subarray(0, 47));
    assert.equal(c.p11.C_EncryptFinal(c.h, null), 47 - head.length);
    throwsCKR(() => c.p11.C_EncryptFinal(c.h, Buffer.alloc(1)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(Buffer.concat([head, c.p11.C_EncryptFinal(c.h)]), CTS_VECTORS[3]![1]);
    c.done();
  });

  it('does XTS as in IEEE 1619 (CKK_AES_XTS keys)', () => {
    const c = open();
    // Through the token when it takes CKK_AES_XTS keys; the mechanism itself in any case.
    let apiKey: ((value: Buffer) => number) | undefined = (value) => secretKey(c, K.CKK_AES_XTS, value);
    try {
      apiKey(XTS_VECTORS[0]!.key);
    } catch (e) {
      assert.ok(e instanceof CKRError && e.code === K.CKR_ATTRIBUTE_VALUE_INVALID);
      apiKey = undefined;
    }
    const xts = mechanismFor({ mechanism: K.CKM_AES_XTS }, 'encrypt');
    const direct = (kind: 'encrypt' | 'decrypt', key: Buffer, tweak: Buffer, data: Buffer) =>
      xts[kind]!({ attrs: new Map([[K.CKA_VALUE, key]]) }, tweak).oneShot(data);
    for (const v of XTS_VECTORS) {
      assert.deepEqual(direct('encrypt', v.key, v.tweak, v.plaintext), v.ciphertext, v.name);
      assert.deepEqual(direct('decrypt', v.key, v.tweak, v.ciphertext), v.plaintext, v.name);
      if (apiKey) {
        const key = apiKey(v.key);
        const mechanism = { mechanism: K.CKM_AES_XTS, parameter: v.tweak };
        assert.deepEqual(encrypt(c, mechanism, key, v.plaintext), v.ciphertext);
        assert.deepEqual(inParts(c, 'decrypt', mechanism, key, v.ciphertext, [5, 7]), v.plaintext);
      }
    }
    assert.deepEqual(direct('encrypt', XTS_10.key, XTS_10.tweak, XTS_10.plaintext).subarray(0, 64), XTS_10.ciphertextStart);

    const cipher = xts.encrypt!({ attrs: new Map([[K.CKA_VALUE, XTS_VECTORS[1]!.key]]) }, XTS_VECTORS[1]!.tweak);
    assert.equal(cipher.update(XTS_VECTORS[1]!.plaintext.subarray(0, 9)).length, 0, 'a data unit is processed whole, at Final');
    cipher.update(XTS_VECTORS[1]!.plaintext.subarray(9));
    assert.deepEqual(cipher.final(), XTS_VECTORS[1]!.ciphertext);
    assert.deepEqual(cipher.final(), XTS_VECTORS[1]!.ciphertext, 'Final is repeatable');

    const keyOf = (value: Buffer) => ({ attrs: new Map([[K.CKA_VALUE, value]]) });
    throwsCKR(() => xts.encrypt!(keyOf(XTS_VECTORS[0]!.key), Buffer.alloc(8)), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => xts.encrypt!(keyOf(Buffer.alloc(32, 7)), XTS_VECTORS[0]!.tweak), K.CKR_KEY_FUNCTION_NOT_PERMITTED, 'equal halves');
    throwsCKR(() => direct('encrypt', XTS_VECTORS[0]!.key, XTS_VECTORS[0]!.tweak, Buffer.alloc(15)), K.CKR_DATA_LEN_RANGE);
    throwsCKR(() => direct('decrypt', XTS_VECTORS[0]!.key, XTS_VECTORS[0]!.tweak, Buffer.alloc(15)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    // Another tweak gives another ciphertext: the tweak is what makes each data unit different.
    assert.notDeepEqual(direct('encrypt', XTS_VECTORS[0]!.key, Buffer.alloc(16), XTS_VECTORS[0]!.plaintext), XTS_VECTORS[0]!.ciphertext);
    c.done();
  });

  it('saves ECB, CBC, CBC_PAD and CTR states without key bytes, and resumes from them', () => {
    const attrs = { attrs: new Map([[K.CKA_VALUE, SP800_38A.key128]]) };
    const cases: [CK_MECHANISM, Buffer][] = [
      [{ mechanism: K.CKM_AES_ECB }, VECTORS[0]!.ciphertext],
      [{ mechanism: K.CKM_AES_CBC, parameter: SP800_38A.iv }, VECTORS[3]!.ciphertext],
      [{ mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 128, cb: SP800_38A.counter } }, VECTORS[8]!.ciphertext],
    ];
    for (const [mechanism, ciphertext] of cases) {
      for (const [kind, input, output] of [['encrypt', SP800_38A.plaintext, ciphertext], ['decrypt', ciphertext, SP800_38A.plaintext]] as const) {
        const cipher = mechanismFor(mechanism, kind)[kind]!(attrs, mechanism.parameter);
        const first = cipher.update(input.subarray(0, 21));
        const state = cipher.saveState!();
        assert.equal(state.includes(SP800_38A.key128.subarray(0, 8)), false, 'no key bytes in the state');
        const restored = restoreCipher(attrs, state);
        assert.equal(restored.mechanism, mechanism.mechanism);
        assert.equal(restored.direction, kind);
        const rest = Buffer.concat([restored.cipher.update(input.subarray(21)), restored.cipher.final()]);
        assert.deepEqual(Buffer.concat([first, rest]), output, `0x${mechanism.mechanism.toString(16)} ${kind}`);
      }
    }
    const pad = { mechanism: K.CKM_AES_CBC_PAD, parameter: SP800_38A.iv };
    const padded = mechanismFor(pad, 'encrypt').encrypt!(attrs, pad.parameter).oneShot(SP800_38A.plaintext);
    const decrypting = mechanismFor(pad, 'decrypt').decrypt!(attrs, pad.parameter);
    const head = decrypting.update(padded.subarray(0, 80));
    assert.equal(head.length, 64, 'the last block is held back');
    const resumed = restoreCipher(attrs, decrypting.saveState!()).cipher;
    assert.equal(resumed.update(Buffer.alloc(0)).length, 0);
    assert.deepEqual(Buffer.concat([head, resumed.final()]), SP800_38A.plaintext);

    const state = mechanismFor(cases[1]![0], 'encrypt').encrypt!(attrs, SP800_38A.iv).saveState!();
    throwsCKR(() => restoreCipher(attrs, state.subarray(0, state.length - 1)), K.CKR_SAVED_STATE_INVALID);
    const wrongMechanism = Buffer.from(state);
    wrongMechanism.writeUInt32BE(K.CKM_AES_ECB, 1);
    throwsCKR(() => restoreCipher(attrs, wrongMechanism), K.CKR_SAVED_STATE_INVALID, 'a CBC state is not an ECB state');
    throwsCKR(() => restoreCipher(attrs, Buffer.alloc(7)), K.CKR_SAVED_STATE_INVALID);
  });
});

describe('AES wrapping', () => {
  it('wraps and unwraps an AES key under an AES-256 key with every wrapping mechanism', () => {
    const c = open();
    const kek = wrappingKey(c, KEK(32));
    const target = aesKey(c, KEY_DATA.subarray(0, 16), [{ type: K.CKA_EXTRACTABLE, value: true }]);
    const mechanisms: CK_MECHANISM[] = [
      { mechanism: K.CKM_AES_ECB }, { mechanism: K.CKM_AES_CBC, parameter: SP800_38A.iv },
      { mechanism: K.CKM_AES_CBC_PAD, parameter: SP800_38A.iv }, { mechanism: K.CKM_AES_OFB, parameter: SP800_38A.iv },
      { mechanism: K.CKM_AES_CFB8, parameter: SP800_38A.iv }, { mechanism: K.CKM_AES_CFB128, parameter: SP800_38A.iv },
      { mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 32, cb: SP800_38A.counter } },
      { mechanism: K.CKM_AES_CTS, parameter: SP800_38A.iv },
      { mechanism: K.CKM_AES_KEY_WRAP }, { mechanism: K.CKM_AES_KEY_WRAP, parameter: hex('0123456789abcdef') },
      { mechanism: K.CKM_AES_KEY_WRAP_KWP }, { mechanism: K.CKM_AES_KEY_WRAP_KWP, parameter: hex('01234567') },
    ];
    for (const mechanism of mechanisms) {
      const name = `0x${mechanism.mechanism.toString(16)}`;
      const length = c.p11.C_WrapKey(c.h, mechanism, kek, target, null);
      throwsCKR(() => c.p11.C_WrapKey(c.h, mechanism, kek, target, Buffer.alloc(length - 1)), K.CKR_BUFFER_TOO_SMALL);
      const wrapped = c.p11.C_WrapKey(c.h, mechanism, kek, target);
      assert.equal(wrapped.length, length, name);
      assert.equal(wrapped.includes(KEY_DATA.subarray(0, 8)), false, `${name}: the key is not in the clear`);
      const unwrapped = c.p11.C_UnwrapKey(c.h, mechanism, kek, wrapped, UNWRAP_AES);
      assert.deepEqual(fingerprint(c, unwrapped), fingerprint(c, target), name);
      assert.equal(attribute(c, unwrapped, K.CKA_SENSITIVE), true, 'unwrapped keys default to sensitive');
      assert.equal(attribute(c, unwrapped, K.CKA_EXTRACTABLE), false);
    }
    c.done();
  });

  it('matches RFC 3394 (KW) and RFC 5649 (KWP), through C_WrapKey and C_Encrypt', () => {
    const c = open();
    for (const v of RFC3394) {
      const kek = wrappingKey(c, v.kek);
      const keyType = v.data.length === 24 || v.data.length === 32 || v.data.length === 16 ? K.CKK_AES : K.CKK_GENERIC_SECRET;
      const target = secretKey(c, keyType, v.data, [{ type: K.CKA_EXTRACTABLE, value: true }]);
      assert.deepEqual(c.p11.C_WrapKey(c.h, { mechanism: K.CKM_AES_KEY_WRAP }, kek, target), v.wrapped, `RFC 3394 ${v.section}`);
      const encryptingKek = aesKey(c, v.kek);
      assert.deepEqual(encrypt(c, { mechanism: K.CKM_AES_KEY_WRAP }, encryptingKek, v.data), v.wrapped);
      assert.deepEqual(decrypt(c, { mechanism: K.CKM_AES_KEY_WRAP }, encryptingKek, v.wrapped), v.data);
    }
    const kek = wrappingKey(c, RFC5649.kek);
    const encryptingKek = aesKey(c, RFC5649.kek);
    for (const v of RFC5649.cases) {
      const target = secretKey(c, K.CKK_GENERIC_SECRET, v.key, [{ type: K.CKA_EXTRACTABLE, value: true }]);
      assert.deepEqual(c.p11.C_WrapKey(c.h, { mechanism: K.CKM_AES_KEY_WRAP_KWP }, kek, target), v.wrapped, 'RFC 5649');
      assert.deepEqual(encrypt(c, { mechanism: K.CKM_AES_KEY_WRAP_KWP }, encryptingKek, v.key), v.wrapped);
      assert.deepEqual(decrypt(c, { mechanism: K.CKM_AES_KEY_WRAP_KWP }, encryptingKek, v.wrapped), v.key);
      const unwrapped = c.p11.C_UnwrapKey(c.h, { mechanism: K.CKM_AES_KEY_WRAP_KWP }, kek, v.wrapped, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET },
      ]);
      assert.equal(attribute(c, unwrapped, K.CKA_VALUE_LEN), v.key.length);
    }
    c.done();
  });

  it('is single-part, checks lengths and parameters, and refuses tampered data', () => {
    const c = open();
    const kek = aesKey(c, KEK(16));
    const kw = { mechanism: K.CKM_AES_KEY_WRAP };
    const kwp = { mechanism: K.CKM_AES_KEY_WRAP_KWP };
    c.p11.C_EncryptInit(c.h, kw, kek);
    throwsCKR(() => c.p11.C_EncryptUpdate(c.h, Buffer.alloc(16)), K.CKR_FUNCTION_NOT_SUPPORTED);
    for (const length of [0, 8, 20]) {
      c.p11.C_EncryptInit(c.h, kw, kek);
      throwsCKR(() => c.p11.C_Encrypt(c.h, Buffer.alloc(length)), K.CKR_DATA_LEN_RANGE, `KW of ${length} bytes`);
    }
    c.p11.C_EncryptInit(c.h, kwp, kek);
    throwsCKR(() => c.p11.C_Encrypt(c.h, Buffer.alloc(0)), K.CKR_DATA_LEN_RANGE);
    for (const [mechanism, length] of [[kw, 16], [kw, 20], [kwp, 8], [kwp, 17]] as const) {
      c.p11.C_DecryptInit(c.h, mechanism, kek);
      throwsCKR(() => c.p11.C_Decrypt(c.h, Buffer.alloc(length)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    }
    for (const parameter of [Buffer.alloc(7), Buffer.alloc(4), { iv: Buffer.alloc(8) }]) {
      throwsCKR(() => c.p11.C_EncryptInit(c.h, { mechanism: K.CKM_AES_KEY_WRAP, parameter }, kek), K.CKR_MECHANISM_PARAM_INVALID);
    }
    throwsCKR(() => c.p11.C_EncryptInit(c.h, { mechanism: K.CKM_AES_KEY_WRAP_KWP, parameter: Buffer.alloc(8) }, kek), K.CKR_MECHANISM_PARAM_INVALID);

    for (const mechanism of [kw, kwp]) {
      const wrapped = encrypt(c, mechanism, kek, KEY_DATA);
      c.p11.C_DecryptInit(c.h, mechanism, kek);
      assert.equal(c.p11.C_Decrypt(c.h, wrapped, null), wrapped.length - 8);
      assert.deepEqual(c.p11.C_Decrypt(c.h, wrapped), KEY_DATA);
      const tampered = Buffer.from(wrapped);
      tampered[wrapped.length - 1]! ^= 1;
      c.p11.C_DecryptInit(c.h, mechanism, kek);
      throwsCKR(() => c.p11.C_Decrypt(c.h, tampered), K.CKR_ENCRYPTED_DATA_INVALID);
      // Another initial value fails the integrity check too.
      const otherIv = { ...mechanism, parameter: mechanism === kw ? hex('0123456789abcdef') : hex('01234567') };
      c.p11.C_DecryptInit(c.h, otherIv, kek);
      throwsCKR(() => c.p11.C_Decrypt(c.h, wrapped), K.CKR_ENCRYPTED_DATA_INVALID);
    }
    c.done();
  });

  it('wraps under any AES key (all meet the 112-bit floor), and refuses keys a mode cannot wrap', () => {
    const c = open();
    const kek128 = wrappingKey(c, KEK(16));
    const aes256 = aesKey(c, KEY_DATA, [{ type: K.CKA_EXTRACTABLE, value: true }]);
    for (const mechanism of [{ mechanism: K.CKM_AES_KEY_WRAP }, { mechanism: K.CKM_AES_CBC_PAD, parameter: SP800_38A.iv }]) {
      assert.ok(c.p11.C_WrapKey(c.h, mechanism, kek128, aes256).length >= 40);
    }
    const kek256 = wrappingKey(c, KEK(32));
    const odd = secretKey(c, K.CKK_GENERIC_SECRET, Buffer.alloc(20, 3), [{ type: K.CKA_EXTRACTABLE, value: true }]);
    for (const mechanism of [{ mechanism: K.CKM_AES_ECB }, { mechanism: K.CKM_AES_CBC, parameter: SP800_38A.iv }, { mechanism: K.CKM_AES_KEY_WRAP }]) {
      throwsCKR(() => c.p11.C_WrapKey(c.h, mechanism, kek256, odd), K.CKR_KEY_SIZE_RANGE, 'zero padding could not be undone');
    }
    const short = secretKey(c, K.CKK_GENERIC_SECRET, Buffer.alloc(10, 3), [{ type: K.CKA_EXTRACTABLE, value: true }]);
    throwsCKR(() => c.p11.C_WrapKey(c.h, { mechanism: K.CKM_AES_CTS, parameter: SP800_38A.iv }, kek256, short), K.CKR_KEY_SIZE_RANGE);
    assert.equal(c.p11.C_WrapKey(c.h, { mechanism: K.CKM_AES_CBC_PAD, parameter: SP800_38A.iv }, kek256, odd).length, 32);
    assert.equal(c.p11.C_WrapKey(c.h, { mechanism: K.CKM_AES_KEY_WRAP_KWP }, kek256, odd).length, 32);
    const unextractable = aesKey(c, KEY_DATA.subarray(0, 16));
    throwsCKR(() => c.p11.C_WrapKey(c.h, { mechanism: K.CKM_AES_KEY_WRAP }, kek256, unextractable), K.CKR_KEY_UNEXTRACTABLE);
    const dataKey = aesKey(c, KEK(32));
    throwsCKR(() => c.p11.C_WrapKey(c.h, { mechanism: K.CKM_AES_KEY_WRAP }, dataKey, odd), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
    c.done();
  });

  it('refuses tampered or mis-sized wrapped keys with one answer', () => {
    const c = open();
    const kek = wrappingKey(c, KEK(32));
    const target = aesKey(c, KEY_DATA.subarray(0, 16), [{ type: K.CKA_EXTRACTABLE, value: true }]);
    const cbcPad = { mechanism: K.CKM_AES_CBC_PAD, parameter: SP800_38A.iv };
    for (const mechanism of [{ mechanism: K.CKM_AES_KEY_WRAP }, { mechanism: K.CKM_AES_KEY_WRAP_KWP }, cbcPad]) {
      const wrapped = c.p11.C_WrapKey(c.h, mechanism, kek, target);
      const tampered = Buffer.from(wrapped);
      // For CBC_PAD this turns the last plaintext byte (a full block of padding, 16) into 0.
      tampered[wrapped.length - 17]! ^= 16;
      throwsCKR(() => c.p11.C_UnwrapKey(c.h, mechanism, kek, tampered, UNWRAP_AES), K.CKR_WRAPPED_KEY_INVALID);
      throwsCKR(() => c.p11.C_UnwrapKey(c.h, mechanism, kek, wrapped.subarray(1), UNWRAP_AES), K.CKR_WRAPPED_KEY_LEN_RANGE);
    }
    throwsCKR(() => c.p11.C_UnwrapKey(c.h, { mechanism: K.CKM_AES_CBC, parameter: Buffer.alloc(3) }, kek, Buffer.alloc(16), UNWRAP_AES),
      K.CKR_MECHANISM_PARAM_INVALID);
    // Plain CBC has no integrity: a wrong IV unwraps some other key, which must not be the original.
    const wrapped = c.p11.C_WrapKey(c.h, { mechanism: K.CKM_AES_CBC, parameter: SP800_38A.iv }, kek, target);
    const other = c.p11.C_UnwrapKey(c.h, { mechanism: K.CKM_AES_CBC, parameter: Buffer.alloc(16) }, kek, wrapped, UNWRAP_AES);
    assert.notDeepEqual(fingerprint(c, other), fingerprint(c, target));
    c.done();
  });

  it('unwraps a key non-sensitive only when the unwrapping key\'s CKA_UNWRAP_TEMPLATE allows it', () => {
    const c = open();
    const value = KEY_DATA.subarray(0, 16);
    const target = aesKey(c, value, [{ type: K.CKA_EXTRACTABLE, value: true }]);
    const readable: CK_ATTRIBUTE[] = [...UNWRAP_AES, { type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }];
    const strict = wrappingKey(c, KEK(32));
    const mechanism = { mechanism: K.CKM_AES_KEY_WRAP_KWP };
    const wrapped = c.p11.C_WrapKey(c.h, mechanism, strict, target);
    throwsCKR(() => c.p11.C_UnwrapKey(c.h, mechanism, strict, wrapped, readable), K.CKR_TEMPLATE_INCONSISTENT);
    throwsCKR(() => c.p11.C_UnwrapKey(c.h, mechanism, strict, wrapped, [...UNWRAP_AES, { type: K.CKA_EXTRACTABLE, value: true }]),
      K.CKR_TEMPLATE_INCONSISTENT);

    const lenient = wrappingKey(c, KEK(32), [{
      type: K.CKA_UNWRAP_TEMPLATE, value: [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }],
    }]);
    const unwrapped = c.p11.C_UnwrapKey(c.h, mechanism, lenient, wrapped, readable);
    assert.deepEqual(attribute(c, unwrapped, K.CKA_VALUE), value);
    assert.equal(attribute(c, unwrapped, K.CKA_ALWAYS_SENSITIVE), false);
    c.done();
  });
});
