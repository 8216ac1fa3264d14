/**
 * Block-cipher MACs: CKM_AES_CMAC, CKM_AES_CMAC_GENERAL, CKM_AES_MAC and
 * CKM_AES_MAC_GENERAL, through the Cryptoki API.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCipheriv } from 'node:crypto';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../src/pkcs11/error.js';
import type { CK_MECHANISM } from '../src/pkcs11/types.js';
import { sharedUserSession, throwsCKR } from './helpers.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** The SP 800-38A sample plaintext that RFC 4493 and SP 800-38B use, cut to 0, 16, 40 and 64 bytes. */
const M = hex(`6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
  30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);
const LENGTHS = [0, 16, 40, 64];

/**
 * RFC 4493 section 4 (AES-128) and NIST SP 800-38B appendix D.2/D.3 examples
 * (AES-192 and AES-256, Mlen 0, 128, 320 and 512 bits).
 */
const CMAC_VECTORS = [
  {
    name: 'RFC 4493 AES-128', key: '2b7e151628aed2a6abf7158809cf4f3c',
    macs: ['bb1d6929e95937287fa37d129b756746', '070a16b46b4d4144f79bdd9dd04a287c', 'dfa66747de9ae63030ca32611497c827', '51f0bebf7e3b9d92fc49741779363cfe'],
  },
  {
    name: 'SP 800-38B AES-192', key: '8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b',
    macs: ['d17ddf46adaacde531cac483de7a9367', '9e99a7bf31e710900662f65e617c5184', '8a1de5be2eb31aad089a82e6ee908b0e', 'a1d5df0eed790f794d77589659f39a11'],
  },
  {
    name: 'SP 800-38B AES-256', key: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
    macs: ['028962f61b7bf89efc6b551f4667d983', '28a7023f452e8f82bd4bf28d8c37c35c', 'aaf3d8f1de5640c232f5b169b9c911e6', 'e1992190549f6ed5696a2c056c315410'],
  },
];

/** One logged-in RW user session for the whole file. */
const t = sharedUserSession();

function aesKey(value: string | Buffer): number {
  return t.p11.C_CreateObject(t.session, [
    { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES },
    { type: K.CKA_VALUE, value: typeof value === 'string' ? hex(value) : value },
  ]);
}

function sign(mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  t.p11.C_SignInit(t.session, mechanism, key);
  return t.p11.C_Sign(t.session, data);
}

/** Multi-part signing in the given part sizes (the rest in the last part). */
function signParts(mechanism: CK_MECHANISM, key: number, data: Buffer, sizes: number[]): Buffer {
  t.p11.C_SignInit(t.session, mechanism, key);
  let offset = 0;
  for (const size of [...sizes, data.length]) {
    const end = Math.min(data.length, offset + size);
    t.p11.C_SignUpdate(t.session, data.subarray(offset, end));
    offset = end;
  }
  return t.p11.C_SignFinal(t.session);
}

function verify(mechanism: CK_MECHANISM, key: number, data: Buffer, mac: Buffer): void {
  t.p11.C_VerifyInit(t.session, mechanism, key);
  t.p11.C_Verify(t.session, data, mac);
}

function verifyParts(mechanism: CK_MECHANISM, key: number, data: Buffer, mac: Buffer, split: number): void {
  t.p11.C_VerifyInit(t.session, mechanism, key);
  t.p11.C_VerifyUpdate(t.session, data.subarray(0, split));
  t.p11.C_VerifyUpdate(t.session, data.subarray(split));
  t.p11.C_VerifyFinal(t.session, mac);
}

const CMAC: CK_MECHANISM = { mechanism: K.CKM_AES_CMAC };
const cmacGeneral = (length: unknown): CK_MECHANISM => ({ mechanism: K.CKM_AES_CMAC_GENERAL, parameter: length });
const AES_MAC: CK_MECHANISM = { mechanism: K.CKM_AES_MAC };
const macGeneral = (length: unknown): CK_MECHANISM => ({ mechanism: K.CKM_AES_MAC_GENERAL, parameter: length });

/**
 * The CBC-MAC computed another way, for cross-checking: node's AES-CBC with a
 * zero IV over the zero-padded data (at least one block), last block.
 */
function cbcMacByCbc(key: Buffer, data: Buffer): Buffer {
  const padded = Buffer.alloc(Math.max(16, Math.ceil(data.length / 16) * 16));
  data.copy(padded);
  const cbc = createCipheriv(`aes-${key.length * 8}-cbc`, key, Buffer.alloc(16)).setAutoPadding(false);
  const out = Buffer.concat([cbc.update(padded), cbc.final()]);
  return out.subarray(out.length - 16);
}

describe('CKM_AES_CMAC', () => {
  it('matches RFC 4493 and SP 800-38B, single-part and in odd-sized parts', () => {
    for (const v of CMAC_VECTORS) {
      const key = aesKey(v.key);
      LENGTHS.forEach((length, i) => {
        const data = M.subarray(0, length);
        const mac = hex(v.macs[i]!);
        assert.deepEqual(sign(CMAC, key, data), mac, `${v.name}, ${length} bytes`);
        for (const sizes of [[1], [15, 1], [16], [17, 3], [7, 9, 16]]) {
          assert.deepEqual(signParts(CMAC, key, data, sizes), mac, `${v.name}, ${length} bytes in parts ${sizes.join('+')}`);
        }
        verify(CMAC, key, data, mac);
        verifyParts(CMAC, key, data, mac, Math.floor(length / 2) + 1);
      });
    }
  });

  it('CKM_AES_CMAC_GENERAL gives the leftmost 1 to 16 bytes', () => {
    const v = CMAC_VECTORS[0]!;
    const key = aesKey(v.key);
    const data = M.subarray(0, 40);
    const full = hex(v.macs[2]!);
    for (const length of [1, 4, 8, 12, 15, 16]) {
      assert.deepEqual(sign(cmacGeneral(length), key, data), full.subarray(0, length));
      assert.deepEqual(signParts(cmacGeneral(length), key, data, [33]), full.subarray(0, length));
      verify(cmacGeneral(length), key, data, full.subarray(0, length));
    }
    throwsCKR(() => verify(cmacGeneral(8), key, data, full), K.CKR_SIGNATURE_LEN_RANGE, 'the full MAC is not an 8-byte MAC');
  });

  it('refuses a wrong MAC, data or key, and a MAC of the wrong length', () => {
    const v = CMAC_VECTORS[1]!;
    const key = aesKey(v.key);
    const data = M.subarray(0, 64);
    const mac = hex(v.macs[3]!);
    const bad = Buffer.from(mac);
    bad[0]! ^= 0x80;
    throwsCKR(() => verify(CMAC, key, data, bad), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verifyParts(CMAC, key, data, bad, 30), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(CMAC, key, data.subarray(0, 63), mac), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(CMAC, aesKey(CMAC_VECTORS[0]!.key), data, mac), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(CMAC, key, data, mac.subarray(0, 15)), K.CKR_SIGNATURE_LEN_RANGE);
    throwsCKR(() => verifyParts(CMAC, key, data, Buffer.concat([mac, Buffer.of(0)]), 5), K.CKR_SIGNATURE_LEN_RANGE);
    throwsCKR(() => verify(CMAC, key, data, Buffer.alloc(0)), K.CKR_SIGNATURE_LEN_RANGE);
  });

  it('refuses bad parameters with CKR_MECHANISM_PARAM_INVALID', () => {
    const key = aesKey(CMAC_VECTORS[0]!.key);
    for (const mechanism of [
      cmacGeneral(0), cmacGeneral(17), cmacGeneral(undefined), cmacGeneral(8.5), cmacGeneral(-1), cmacGeneral('8'),
      cmacGeneral(Buffer.of(8)), { mechanism: K.CKM_AES_CMAC, parameter: 16 }, { mechanism: K.CKM_AES_CMAC, parameter: Buffer.alloc(8) },
    ]) {
      throwsCKR(() => t.p11.C_SignInit(t.session, mechanism, key), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(mechanism.parameter));
      throwsCKR(() => t.p11.C_VerifyInit(t.session, mechanism, key), K.CKR_MECHANISM_PARAM_INVALID);
    }
  });

  it('answers length queries and CKR_BUFFER_TOO_SMALL without ending the operation', () => {
    const v = CMAC_VECTORS[2]!;
    const key = aesKey(v.key);
    const data = M.subarray(0, 40);
    t.p11.C_SignInit(t.session, CMAC, key);
    assert.equal(t.p11.C_Sign(t.session, data, null), 16);
    const e = throwsCKR(() => t.p11.C_Sign(t.session, data, Buffer.alloc(15)), K.CKR_BUFFER_TOO_SMALL);
    assert.ok(e instanceof BufferTooSmallError && e.required === 16);
    const out = Buffer.alloc(20);
    assert.equal(t.p11.C_Sign(t.session, data, out), 16);
    assert.equal(out.subarray(0, 16).toString('hex'), v.macs[2]);

    t.p11.C_SignInit(t.session, cmacGeneral(10), key);
    t.p11.C_SignUpdate(t.session, data);
    assert.equal(t.p11.C_SignFinal(t.session, null), 10);
    throwsCKR(() => t.p11.C_SignFinal(t.session, Buffer.alloc(9)), K.CKR_BUFFER_TOO_SMALL);
    assert.equal(t.p11.C_SignFinal(t.session).toString('hex'), v.macs[2]!.slice(0, 20));
    throwsCKR(() => t.p11.C_SignFinal(t.session), K.CKR_OPERATION_NOT_INITIALIZED);
  });

  it('is offered for signing and verifying with 16- to 32-byte AES keys', () => {
    for (const type of [K.CKM_AES_CMAC, K.CKM_AES_CMAC_GENERAL, K.CKM_AES_MAC, K.CKM_AES_MAC_GENERAL]) {
      const info = t.p11.C_GetMechanismInfo(t.slot, type);
      assert.deepEqual([info.ulMinKeySize, info.ulMaxKeySize], [16, 32]);
      assert.equal(info.flags & (K.CKF_SIGN | K.CKF_VERIFY), K.CKF_SIGN | K.CKF_VERIFY);
      assert.equal(info.flags & (K.CKF_ENCRYPT | K.CKF_DECRYPT), 0);
    }
    const generic = t.p11.C_CreateObject(t.session, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET },
      { type: K.CKA_VALUE, value: Buffer.alloc(16, 1) },
    ]);
    throwsCKR(() => t.p11.C_SignInit(t.session, CMAC, generic), K.CKR_KEY_TYPE_INCONSISTENT);
  });
});

describe('CKM_AES_MAC and CKM_AES_MAC_GENERAL', () => {
  const keys = ['2b7e151628aed2a6abf7158809cf4f3c', '8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b',
    '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'];

  it('is the zero-IV, zero-padded CBC-MAC: half a block by default, 1 to 16 bytes in general', () => {
    for (const keyHex of keys) {
      const key = aesKey(keyHex);
      for (const length of [0, 1, 15, 16, 17, 40, 64]) {
        const data = M.subarray(0, length);
        const expected = cbcMacByCbc(hex(keyHex), data);
        assert.deepEqual(sign(AES_MAC, key, data), expected.subarray(0, 8), `${length} bytes`);
        assert.deepEqual(signParts(AES_MAC, key, data, [3, 16]), expected.subarray(0, 8));
        assert.deepEqual(sign(macGeneral(16), key, data), expected);
        assert.deepEqual(sign(macGeneral(5), key, data), expected.subarray(0, 5));
        verify(AES_MAC, key, data, expected.subarray(0, 8));
        verifyParts(macGeneral(16), key, data, expected, 9);
      }
    }
  });

  it('zero padding: data and data with trailing zero bytes up to the block share a MAC; the empty message is one zero block', () => {
    const key = aesKey(keys[0]!);
    const data = M.subarray(0, 20);
    assert.deepEqual(sign(AES_MAC, key, data), sign(AES_MAC, key, Buffer.concat([data, Buffer.alloc(12)])));
    const zeroBlock = createCipheriv('aes-128-ecb', hex(keys[0]!), null).setAutoPadding(false).update(Buffer.alloc(16));
    assert.deepEqual(sign(macGeneral(16), key, Buffer.alloc(0)), zeroBlock);
    assert.notDeepEqual(sign(AES_MAC, key, Buffer.alloc(0)), Buffer.alloc(8), 'the empty message does not get the bare zero IV as MAC');
  });

  it('refuses a wrong MAC or key, a wrong length and bad parameters', () => {
    const key = aesKey(keys[2]!);
    const data = M.subarray(0, 33);
    const mac = sign(AES_MAC, key, data);
    const bad = Buffer.from(mac);
    bad[7]! ^= 1;
    throwsCKR(() => verify(AES_MAC, key, data, bad), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(AES_MAC, aesKey(keys[0]!), data, mac), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(AES_MAC, key, data, sign(macGeneral(16), key, data)), K.CKR_SIGNATURE_LEN_RANGE);
    for (const mechanism of [macGeneral(0), macGeneral(17), macGeneral(null), { mechanism: K.CKM_AES_MAC, parameter: 8 }]) {
      throwsCKR(() => t.p11.C_SignInit(t.session, mechanism, key), K.CKR_MECHANISM_PARAM_INVALID);
    }
  });

  it('answers length queries and CKR_BUFFER_TOO_SMALL without ending the operation', () => {
    const key = aesKey(keys[1]!);
    const data = M.subarray(0, 50);
    const expected = cbcMacByCbc(hex(keys[1]!), data);
    t.p11.C_SignInit(t.session, AES_MAC, key);
    assert.equal(t.p11.C_Sign(t.session, data, null), 8);
    throwsCKR(() => t.p11.C_Sign(t.session, data, Buffer.alloc(7)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(t.p11.C_Sign(t.session, data), expected.subarray(0, 8));
    t.p11.C_SignInit(t.session, macGeneral(13), key);
    t.p11.C_SignUpdate(t.session, data);
    assert.equal(t.p11.C_SignFinal(t.session, null), 13);
    throwsCKR(() => t.p11.C_SignFinal(t.session, Buffer.alloc(12)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(t.p11.C_SignFinal(t.session), expected.subarray(0, 13));
  });
});
