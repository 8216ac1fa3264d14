import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../src/pkcs11/error.js';
import type { CK_ATTRIBUTE } from '../src/pkcs11/types.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN, type Fixture } from './helpers.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const ascii = (s: string) => Buffer.from(s, 'latin1');
const fill = (length: number, byte: number) => Buffer.alloc(length, byte);
const range = (from: number, to: number) => Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i));

interface Vector {
  key: Buffer;
  data: Buffer;
  mac: string;
}

/** RFC 2202 section 2 (HMAC-MD5), test cases 1-7. */
const RFC2202_MD5: Vector[] = [
  { key: fill(16, 0x0b), data: ascii('Hi There'), mac: '9294727a3638bb1c13f48ef8158bfc9d' },
  { key: ascii('Jefe'), data: ascii('what do ya want for nothing?'), mac: '750c783e6ab0b503eaa86e310a5db738' },
  { key: fill(16, 0xaa), data: fill(50, 0xdd), mac: '56be34521d144c88dbb8c733f0e8b3f6' },
  { key: range(0x01, 0x19), data: fill(50, 0xcd), mac: '697eaf0aca3a3aea3a75164746ffaa79' },
  { key: fill(16, 0x0c), data: ascii('Test With Truncation'), mac: '56461ef2342edc00f9bab995690efd4c' },
  { key: fill(80, 0xaa), data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'), mac: '6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd' },
  {
    key: fill(80, 0xaa), data: ascii('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'),
    mac: '6f630fad67cda0ee1fb1f562db3aa53e',
  },
];

/** RFC 2202 section 3 (HMAC-SHA-1), test cases 1-7. */
const RFC2202_SHA1: Vector[] = [
  { key: fill(20, 0x0b), data: ascii('Hi There'), mac: 'b617318655057264e28bc0b6fb378c8ef146be00' },
  { key: ascii('Jefe'), data: ascii('what do ya want for nothing?'), mac: 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79' },
  { key: fill(20, 0xaa), data: fill(50, 0xdd), mac: '125d7342b9ac11cd91a39af48aa17b4f63f175d3' },
  { key: range(0x01, 0x19), data: fill(50, 0xcd), mac: '4c9007f4026250c6bc8414f9bf50c86c2d7235da' },
  { key: fill(20, 0x0c), data: ascii('Test With Truncation'), mac: '4c1a03424b55e07fe7f27be1d58bb9324a9a5a04' },
  { key: fill(80, 0xaa), data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'), mac: 'aa4ae5e15272d00e95705637ce8a3b55ed402112' },
  {
    key: fill(80, 0xaa), data: ascii('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'),
    mac: 'e8e99d0f45237d786d6bbaa7965c7808bbff1a91',
  },
];

/** RFC 4231 section 4, test cases 1-4, 6 and 7: [key, data, HMAC-SHA-224, -256, -384, -512]. */
const RFC4231: [Buffer, Buffer, string, string, string, string][] = [
  [fill(20, 0x0b), ascii('Hi There'),
    '896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22',
    'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
    '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854'],
  [ascii('Jefe'), ascii('what do ya want for nothing?'),
    'a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44',
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
    '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737'],
  [fill(20, 0xaa), fill(50, 0xdd),
    '7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea',
    '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27',
    'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb'],
  [range(0x01, 0x19), fill(50, 0xcd),
    '6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a',
    '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    '3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb',
    'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd'],
  [fill(131, 0xaa), ascii('Test Using Larger Than Block-Size Key - Hash Key First'),
    '95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e',
    '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
    '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598'],
  [fill(131, 0xaa), ascii('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
    '3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1',
    '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    '6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e',
    'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58'],
];
const RFC4231_MECHANISMS = [K.CKM_SHA224_HMAC, K.CKM_SHA256_HMAC, K.CKM_SHA384_HMAC, K.CKM_SHA512_HMAC];

/** RFC 4231 test case 5: the output truncated to 128 bits (the _HMAC_GENERAL mechanisms with 16). */
const RFC4231_TRUNCATED: [number, string][] = [
  [K.CKM_SHA224_HMAC_GENERAL, '0e2aea68a90c8d37c988bcdb9fca6fa8'],
  [K.CKM_SHA256_HMAC_GENERAL, 'a3b6167473100ee06e0c796c2955552b'],
  [K.CKM_SHA384_HMAC_GENERAL, '3abf34c3503b2a23a46efc619baef897'],
  [K.CKM_SHA512_HMAC_GENERAL, '415fad6271580a531d4179bc891d87a6'],
];

/** NIST CSRC "Examples with Intermediate Values", HMAC_SHA3-224/256/384/512.pdf, sample #1 (keylen < blocklen). */
const NIST_SHA3: [number, Buffer, string][] = [
  [K.CKM_SHA3_224_HMAC, range(0x00, 0x1b), '332cfd59347fdb8e576e77260be4aba2d6dc53117b3bfb52c6d18c04'],
  [K.CKM_SHA3_256_HMAC, range(0x00, 0x1f), '4fe8e202c4f058e8dddc23d8c34e467343e23555e24fc2f025d598f558f67205'],
  [K.CKM_SHA3_384_HMAC, range(0x00, 0x2f), 'd588a3c51f3f2d906e8298c1199aa8ff6296218127f6b38a90b6afe2c5617725bc99987f79b22a557b6520db710b7f42'],
  [K.CKM_SHA3_512_HMAC, range(0x00, 0x3f), '4efd629d6c71bf86162658f29943b1c308ce27cdfa6db0d9c3ce81763f9cbce5f7ebe9868031db1a8f8eb7b6b95e5c5e3f657a8996c86a2f6527e307f0213196'],
];
const NIST_SHA3_MESSAGE = ascii('Sample message for keylen<blocklen');

const openssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('HMAC mechanisms', () => {
  let f: Fixture;
  let h: number;

  before(() => {
    f = setup(STORE_KINDS[0]!);
    h = f.p11.C_OpenSession(f.slot, RW);
    f.p11.C_Login(h, K.CKU_USER, USER_PIN);
  });
  after(() => f.cleanup());

  function secretKey(value: Buffer, keyType: number = K.CKK_GENERIC_SECRET, extra: CK_ATTRIBUTE[] = []): number {
    return f.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: keyType },
      { type: K.CKA_VALUE, value }, { type: K.CKA_SIGN, value: true }, { type: K.CKA_VERIFY, value: true }, ...extra,
    ]);
  }

  function sign(mechanism: number, key: number, data: Buffer, parameter?: unknown): Buffer {
    f.p11.C_SignInit(h, { mechanism, parameter }, key);
    return f.p11.C_Sign(h, data);
  }

  function signInParts(mechanism: number, key: number, data: Buffer, parameter?: unknown): Buffer {
    f.p11.C_SignInit(h, { mechanism, parameter }, key);
    const cut = Math.floor(data.length / 3);
    for (const part of [data.subarray(0, cut), data.subarray(cut, 2 * cut), data.subarray(2 * cut)]) f.p11.C_SignUpdate(h, part);
    return f.p11.C_SignFinal(h);
  }

  function verify(mechanism: number, key: number, data: Buffer, mac: Buffer, parameter?: unknown): void {
    f.p11.C_VerifyInit(h, { mechanism, parameter }, key);
    f.p11.C_Verify(h, data, mac);
  }

  function verifyInParts(mechanism: number, key: number, data: Buffer, mac: Buffer, parameter?: unknown): void {
    f.p11.C_VerifyInit(h, { mechanism, parameter }, key);
    f.p11.C_VerifyUpdate(h, data.subarray(0, 5));
    f.p11.C_VerifyUpdate(h, data.subarray(5));
    f.p11.C_VerifyFinal(h, mac);
  }

  /** Signs and verifies, single-part and multi-part. */
  function checkVector(mechanism: number, key: Buffer, data: Buffer, mac: string, parameter?: unknown): void {
    const k = secretKey(key);
    assert.equal(sign(mechanism, k, data, parameter).toString('hex'), mac);
    assert.equal(signInParts(mechanism, k, data, parameter).toString('hex'), mac);
    verify(mechanism, k, data, hex(mac), parameter);
    verifyInParts(mechanism, k, data, hex(mac), parameter);
  }

  it('HMAC-MD5 and HMAC-SHA-1 match RFC 2202', () => {
    for (const v of RFC2202_MD5) checkVector(K.CKM_MD5_HMAC, v.key, v.data, v.mac);
    for (const v of RFC2202_SHA1) checkVector(K.CKM_SHA_1_HMAC, v.key, v.data, v.mac);
  });

  it('HMAC-SHA-224/256/384/512 match RFC 4231', () => {
    for (const [key, data, ...macs] of RFC4231) {
      RFC4231_MECHANISMS.forEach((mechanism, i) => checkVector(mechanism, key, data, macs[i]!));
    }
  });

  it('the _HMAC_GENERAL mechanisms truncate as RFC 4231 test case 5 does', () => {
    for (const [mechanism, mac] of RFC4231_TRUNCATED) checkVector(mechanism, fill(20, 0x0c), ascii('Test With Truncation'), mac, 16);
    // RFC 2202 test case 5 gives HMAC-SHA-1-96 and HMAC-MD5-96 too.
    checkVector(K.CKM_SHA_1_HMAC_GENERAL, fill(20, 0x0c), ascii('Test With Truncation'), '4c1a03424b55e07fe7f27be1', 12);
    checkVector(K.CKM_MD5_HMAC_GENERAL, fill(16, 0x0c), ascii('Test With Truncation'), '56461ef2342edc00f9bab995', 12);
    // The full length is allowed, and is the full HMAC.
    checkVector(K.CKM_SHA256_HMAC_GENERAL, RFC4231[0]![0], RFC4231[0]![1], RFC4231[0]![3], 32);
  });

  it('HMAC-SHA3 matches the NIST examples, full and general length', () => {
    for (const [mechanism, key, mac] of NIST_SHA3) {
      checkVector(mechanism, key, NIST_SHA3_MESSAGE, mac);
      checkVector(mechanism + 1, key, NIST_SHA3_MESSAGE, mac.slice(0, 20), 10); // _HMAC_GENERAL follows _HMAC
    }
  });

  it('HMAC-SHA-512/224 and /256 agree with the openssl command', { skip: !openssl && 'no openssl command' }, () => {
    const key = range(0x10, 0x4f);
    const data = ascii('cross-checked with OpenSSL');
    for (const [mechanism, general, digest] of [
      [K.CKM_SHA512_224_HMAC, K.CKM_SHA512_224_HMAC_GENERAL, 'sha512-224'],
      [K.CKM_SHA512_256_HMAC, K.CKM_SHA512_256_HMAC_GENERAL, 'sha512-256'],
    ] as const) {
      const out = execFileSync('openssl', ['dgst', `-${digest}`, '-mac', 'HMAC', '-macopt', `hexkey:${key.toString('hex')}`, '-r'], { input: data });
      const expected = out.toString().split(' ')[0]!;
      checkVector(mechanism, key, data, expected);
      checkVector(general, key, data, expected.slice(0, 16), 8);
    }
  });

  it('refuses a tampered message, another key, and a signature of the wrong length', () => {
    const [key, data, , mac256] = RFC4231[1]!;
    const k = secretKey(key);
    const other = secretKey(ascii('Jeff'));
    throwsCKR(() => verify(K.CKM_SHA256_HMAC, k, ascii('what do ya want for nothing!'), hex(mac256)), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(K.CKM_SHA256_HMAC, other, data, hex(mac256)), K.CKR_SIGNATURE_INVALID);
    const flipped = hex(mac256);
    flipped[31]! ^= 1;
    throwsCKR(() => verify(K.CKM_SHA256_HMAC, k, data, flipped), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verifyInParts(K.CKM_SHA256_HMAC, k, data, flipped), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(K.CKM_SHA256_HMAC, k, data, hex(mac256).subarray(0, 31)), K.CKR_SIGNATURE_LEN_RANGE);
    throwsCKR(() => verify(K.CKM_SHA256_HMAC, k, data, Buffer.concat([hex(mac256), Buffer.of(0)])), K.CKR_SIGNATURE_LEN_RANGE);
    throwsCKR(() => verifyInParts(K.CKM_SHA256_HMAC, k, data, Buffer.alloc(0)), K.CKR_SIGNATURE_LEN_RANGE);
    // A general-length verification wants exactly the parameter's length, not the full MAC.
    throwsCKR(() => verify(K.CKM_SHA256_HMAC_GENERAL, k, data, hex(mac256), 16), K.CKR_SIGNATURE_LEN_RANGE);
    verify(K.CKM_SHA256_HMAC_GENERAL, k, data, hex(mac256).subarray(0, 16), 16);
    // The failed verification ended the operation.
    f.p11.C_VerifyInit(h, { mechanism: K.CKM_SHA256_HMAC }, k);
    throwsCKR(() => f.p11.C_Verify(h, data, flipped), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => f.p11.C_Verify(h, data, hex(mac256)), K.CKR_OPERATION_NOT_INITIALIZED);
  });

  it('checks the parameter: none for full length, a CK_MAC_GENERAL_PARAMS of 1..digest size for general', () => {
    const k = secretKey(fill(32, 7));
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_HMAC, parameter: 16 }, k), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_HMAC, parameter: Buffer.of(1) }, k), K.CKR_MECHANISM_PARAM_INVALID);
    for (const bad of [undefined, 0, 33, 1.5, -1, '16', Buffer.alloc(8)]) {
      throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_HMAC_GENERAL, parameter: bad }, k), K.CKR_MECHANISM_PARAM_INVALID, String(bad));
      throwsCKR(() => f.p11.C_VerifyInit(h, { mechanism: K.CKM_SHA256_HMAC_GENERAL, parameter: bad }, k), K.CKR_MECHANISM_PARAM_INVALID, String(bad));
    }
    // An empty byte string counts as no parameter.
    assert.equal(sign(K.CKM_SHA256_HMAC, k, ascii('x'), Buffer.alloc(0)).length, 32);
    assert.equal(sign(K.CKM_SHA256_HMAC_GENERAL, k, ascii('x'), 1).length, 1);
  });

  it('answers length queries, and CKR_BUFFER_TOO_SMALL leaves the operation going', () => {
    const [key, data, , mac256] = RFC4231[0]!;
    const k = secretKey(key);
    f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_HMAC }, k);
    assert.equal(f.p11.C_Sign(h, data, null), 32);
    const e = throwsCKR(() => f.p11.C_Sign(h, data, Buffer.alloc(31)), K.CKR_BUFFER_TOO_SMALL);
    assert.ok(e instanceof BufferTooSmallError && e.required === 32);
    const out = Buffer.alloc(40);
    assert.equal(f.p11.C_Sign(h, data, out), 32);
    assert.equal(out.subarray(0, 32).toString('hex'), mac256);
    throwsCKR(() => f.p11.C_Sign(h, data), K.CKR_OPERATION_NOT_INITIALIZED);

    f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_HMAC_GENERAL, parameter: 20 }, k);
    f.p11.C_SignUpdate(h, data);
    assert.equal(f.p11.C_SignFinal(h, null), 20);
    throwsCKR(() => f.p11.C_SignFinal(h, Buffer.alloc(19)), K.CKR_BUFFER_TOO_SMALL);
    assert.equal(f.p11.C_SignFinal(h).toString('hex'), mac256!.slice(0, 40));
  });

  it('takes generic secrets and the hash\'s own HMAC key type, nothing else', () => {
    const [key, data, , mac256, mac384] = RFC4231[0]!;
    const sha256Key = secretKey(key, K.CKK_SHA256_HMAC);
    assert.equal(sign(K.CKM_SHA256_HMAC, sha256Key, data).toString('hex'), mac256);
    assert.equal(sign(K.CKM_SHA384_HMAC, secretKey(key, K.CKK_SHA384_HMAC), data).toString('hex'), mac384);
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_SHA384_HMAC }, sha256Key), K.CKR_KEY_TYPE_INCONSISTENT);
    const aes = secretKey(fill(16, 1), K.CKK_AES);
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_HMAC }, aes), K.CKR_KEY_TYPE_INCONSISTENT);
    const noSign = f.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET },
      { type: K.CKA_VALUE, value: key }, { type: K.CKA_SIGN, value: false },
    ]);
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_SHA256_HMAC }, noSign), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
  });

  it('a multi-part HMAC saved with C_GetOperationState finishes in another session', () => {
    const [key, data, , , , mac512] = RFC4231[5]!;
    const k = secretKey(key);
    f.p11.C_SignInit(h, { mechanism: K.CKM_SHA512_HMAC }, k);
    f.p11.C_SignUpdate(h, data.subarray(0, 40));
    const state = f.p11.C_GetOperationState(h);
    f.p11.C_SignFinal(h);
    const other = f.p11.C_OpenSession(f.slot, RW);
    f.p11.C_SetOperationState(other, state, 0, k);
    f.p11.C_SignUpdate(other, data.subarray(40));
    assert.equal(f.p11.C_SignFinal(other).toString('hex'), mac512);

    f.p11.C_VerifyInit(h, { mechanism: K.CKM_SHA512_HMAC_GENERAL, parameter: 32 }, k);
    f.p11.C_VerifyUpdate(h, data.subarray(0, 7));
    f.p11.C_SetOperationState(other, f.p11.C_GetOperationState(h), 0, k);
    f.p11.C_VerifyUpdate(other, data.subarray(7));
    f.p11.C_VerifyFinal(other, hex(mac512!).subarray(0, 32));
    f.p11.C_CloseSession(other);
  });

  it('reports sign/verify and key sizes in bytes', () => {
    for (const mechanism of [K.CKM_SHA_1_HMAC, K.CKM_SHA256_HMAC_GENERAL, K.CKM_SHA3_512_HMAC, K.CKM_MD5_HMAC]) {
      const info = f.p11.C_GetMechanismInfo(f.slot, mechanism);
      assert.equal(info.flags & (K.CKF_SIGN | K.CKF_VERIFY), K.CKF_SIGN | K.CKF_VERIFY);
      assert.equal(info.flags & (K.CKF_ENCRYPT | K.CKF_DERIVE | K.CKF_GENERATE), 0);
      assert.equal(info.ulMinKeySize, 1);
      assert.ok(info.ulMaxKeySize >= 64);
    }
  });
});

describe('generic secret and HMAC key generation', () => {
  let f: Fixture;
  let h: number;

  before(() => {
    f = setup(STORE_KINDS[0]!);
    h = f.p11.C_OpenSession(f.slot, RW);
    f.p11.C_Login(h, K.CKU_USER, USER_PIN);
  });
  after(() => f.cleanup());

  const readable: CK_ATTRIBUTE[] = [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }];
  const attribute = (o: number, type: number) => f.p11.C_GetAttributeValue(h, o, [{ type }])[0]!.value;

  it('CKM_GENERIC_SECRET_KEY_GEN makes a key of CKA_VALUE_LEN bytes, with its check value, usable for HMAC', () => {
    const k = f.p11.C_GenerateKey(h, { mechanism: K.CKM_GENERIC_SECRET_KEY_GEN }, [{ type: K.CKA_VALUE_LEN, value: 48 }, ...readable]);
    const value = attribute(k, K.CKA_VALUE) as Buffer;
    assert.equal(value.length, 48);
    assert.equal(attribute(k, K.CKA_VALUE_LEN), 48);
    assert.equal(attribute(k, K.CKA_KEY_TYPE), K.CKK_GENERIC_SECRET);
    assert.equal(attribute(k, K.CKA_LOCAL), true);
    assert.equal(attribute(k, K.CKA_KEY_GEN_MECHANISM), K.CKM_GENERIC_SECRET_KEY_GEN);
    assert.deepEqual(attribute(k, K.CKA_CHECK_VALUE), createHash('sha1').update(value).digest().subarray(0, 3));
    f.p11.C_SignInit(h, { mechanism: K.CKM_SHA384_HMAC }, k);
    const mac = f.p11.C_Sign(h, ascii('round trip'));
    f.p11.C_VerifyInit(h, { mechanism: K.CKM_SHA384_HMAC }, k);
    f.p11.C_Verify(h, ascii('round trip'), mac);
    const other = f.p11.C_GenerateKey(h, { mechanism: K.CKM_GENERIC_SECRET_KEY_GEN }, [{ type: K.CKA_VALUE_LEN, value: 48 }]);
    f.p11.C_VerifyInit(h, { mechanism: K.CKM_SHA384_HMAC }, other);
    throwsCKR(() => f.p11.C_Verify(h, ascii('round trip'), mac), K.CKR_SIGNATURE_INVALID);
  });

  it('CKM_GENERIC_SECRET_KEY_GEN checks its template and parameter', () => {
    const gen = (template: CK_ATTRIBUTE[], parameter?: unknown) => f.p11.C_GenerateKey(h, { mechanism: K.CKM_GENERIC_SECRET_KEY_GEN, parameter }, template);
    throwsCKR(() => gen([]), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => gen([{ type: K.CKA_VALUE_LEN, value: 0 }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => gen([{ type: K.CKA_VALUE_LEN, value: 1 << 20 }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => gen([{ type: K.CKA_VALUE_LEN, value: 16 }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }]), K.CKR_TEMPLATE_INCONSISTENT);
    throwsCKR(() => gen([{ type: K.CKA_VALUE_LEN, value: 16 }, { type: K.CKA_CLASS, value: K.CKO_DATA }]), K.CKR_TEMPLATE_INCONSISTENT);
    throwsCKR(() => gen([{ type: K.CKA_VALUE_LEN, value: 16 }], Buffer.of(1)), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => gen([{ type: K.CKA_VALUE_LEN, value: 16 }, { type: K.CKA_CHECK_VALUE, value: Buffer.of(1, 2, 3) }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    // The key type may be given if it is the right one; the sizes are reported in bits.
    gen([{ type: K.CKA_VALUE_LEN, value: 1 }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET }]);
    const info = f.p11.C_GetMechanismInfo(f.slot, K.CKM_GENERIC_SECRET_KEY_GEN);
    assert.equal(info.flags & K.CKF_GENERATE, K.CKF_GENERATE);
    assert.equal(info.ulMinKeySize, 8);
  });

  it('CKM_<hash>_KEY_GEN makes keys of the hash\'s HMAC key type, which its HMAC takes', () => {
    for (const [mechanism, keyType, hmac] of [
      [K.CKM_SHA_1_KEY_GEN, K.CKK_SHA_1_HMAC, K.CKM_SHA_1_HMAC],
      [K.CKM_SHA256_KEY_GEN, K.CKK_SHA256_HMAC, K.CKM_SHA256_HMAC],
      [K.CKM_SHA512_KEY_GEN, K.CKK_SHA512_HMAC, K.CKM_SHA512_HMAC_GENERAL],
      [K.CKM_SHA3_256_KEY_GEN, K.CKK_SHA3_256_HMAC, K.CKM_SHA3_256_HMAC],
    ] as const) {
      const k = f.p11.C_GenerateKey(h, { mechanism }, [{ type: K.CKA_VALUE_LEN, value: 32 }]);
      assert.equal(attribute(k, K.CKA_KEY_TYPE), keyType);
      assert.equal(attribute(k, K.CKA_VALUE_LEN), 32);
      const parameter = hmac === K.CKM_SHA512_HMAC_GENERAL ? 24 : undefined;
      f.p11.C_SignInit(h, { mechanism: hmac, parameter }, k);
      const mac = f.p11.C_Sign(h, ascii('data'));
      f.p11.C_VerifyInit(h, { mechanism: hmac, parameter }, k);
      f.p11.C_Verify(h, ascii('data'), mac);
      throwsCKR(() => f.p11.C_GenerateKey(h, { mechanism }, []), K.CKR_TEMPLATE_INCOMPLETE);
    }
    const sha256Key = f.p11.C_GenerateKey(h, { mechanism: K.CKM_SHA256_KEY_GEN }, [{ type: K.CKA_VALUE_LEN, value: 32 }]);
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_SHA512_HMAC }, sha256Key), K.CKR_KEY_TYPE_INCONSISTENT);
  });
});
