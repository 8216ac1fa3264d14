/**
 * Authenticated encryption: CKM_AES_GCM, CKM_AES_GMAC, CKM_AES_CCM,
 * CKM_CHACHA20_KEY_GEN and CKM_CHACHA20_POLY1305, through the Cryptoki API.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../src/pkcs11/error.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../src/pkcs11/types.js';
import { sharedUserSession, throwsCKR } from './helpers.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/**
 * The GCM specification's test cases (McGrew and Viega, "The Galois/Counter
 * Mode of Operation", revised 2005, appendix B): cases 1-6 (AES-128) and 16
 * (AES-256), and one sample of NIST CAVP gcmEncryptExtIV128.rsp
 * ([Keylen = 128] [IVlen = 96] [PTlen = 0] [AADlen = 0] [Taglen = 128], Count = 0).
 */
const GCM_P = hex(`d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
  1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255`);
const GCM_K = 'feffe9928665731c6d6a8f9467308308';
const GCM_A = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
const GCM_VECTORS = [
  { name: 'GCM spec case 1', key: '00'.repeat(16), iv: '00'.repeat(12), aad: '', p: Buffer.alloc(0), c: '', t: '58e2fccefa7e3061367f1d57a4e7455a' },
  { name: 'GCM spec case 2', key: '00'.repeat(16), iv: '00'.repeat(12), aad: '', p: Buffer.alloc(16), c: '0388dace60b6a392f328c2b971b2fe78', t: 'ab6e47d42cec13bdf53a67b21257bddf' },
  {
    name: 'GCM spec case 3', key: GCM_K, iv: 'cafebabefacedbaddecaf888', aad: '', p: GCM_P,
    c: `42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
        21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985`,
    t: '4d5c2af327cd64a62cf35abd2ba6fab4',
  },
  {
    name: 'GCM spec case 4', key: GCM_K, iv: 'cafebabefacedbaddecaf888', aad: GCM_A, p: GCM_P.subarray(0, 60),
    c: `42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
        21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091`,
    t: '5bc94fbc3221a5db94fae95ae7121a47',
  },
  {
    name: 'GCM spec case 5 (64-bit IV)', key: GCM_K, iv: 'cafebabefacedbad', aad: GCM_A, p: GCM_P.subarray(0, 60),
    c: `61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c7423
        73806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598`,
    t: '3612d2e79e3b0785561be14aaca2fccb',
  },
  {
    name: 'GCM spec case 6 (480-bit IV)', key: GCM_K, aad: GCM_A, p: GCM_P.subarray(0, 60),
    iv: `9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728
         c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b`,
    c: `8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca7
        01e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5`,
    t: '619cc5aefffe0bfa462af43c1699d050',
  },
  {
    name: 'GCM spec case 16 (AES-256)', key: GCM_K + GCM_K, iv: 'cafebabefacedbaddecaf888', aad: GCM_A, p: GCM_P.subarray(0, 60),
    c: `522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
        8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662`,
    t: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
  { name: 'CAVP gcmEncryptExtIV128 count 0', key: '11754cd72aec309bf52f7687212e8957', iv: '3c819d9a9bed087615030b65', aad: '', p: Buffer.alloc(0), c: '', t: '250327c674aaf477aef2675748cf6971' },
];

/** NIST CAVP gcmEncryptExtIV128.rsp, [PTlen = 0] [AADlen = 128] [Taglen = 128], Count = 0: a GMAC. */
const GMAC_VECTOR = { key: '77be63708971c4e240d1cb79e8d77feb', iv: 'e0e00f19fed7ba0136a797f3', data: '7a43ec1d9c0a5a78a0b16533a6213cab', t: '209fcc8d3675ed938e9c7166709dd946' };

/** RFC 3610 packet vector #1 and NIST SP 800-38C appendix C examples 1-3. */
const CCM_KEY_38C = '404142434445464748494a4b4c4d4e4f';
const CCM_VECTORS = [
  {
    name: 'RFC 3610 packet vector #1', key: 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecf', nonce: '00000003020100a0a1a2a3a4a5', aad: '0001020304050607',
    p: '08090a0b0c0d0e0f101112131415161718191a1b1c1d1e', mac: 8,
    out: '588c979a61c663d2f066d0c2c0f989806d5f6b61dac384 17e8d12cfdf926e0',
  },
  { name: 'SP 800-38C example 1', key: CCM_KEY_38C, nonce: '10111213141516', aad: '0001020304050607', p: '20212223', mac: 4, out: '7162015b 4dac255d' },
  {
    name: 'SP 800-38C example 2', key: CCM_KEY_38C, nonce: '1011121314151617', aad: '000102030405060708090a0b0c0d0e0f',
    p: '202122232425262728292a2b2c2d2e2f', mac: 6, out: 'd2a1f0e051ea5f62081a7792073d593d 1fc64fbfaccd',
  },
  {
    name: 'SP 800-38C example 3', key: CCM_KEY_38C, nonce: '101112131415161718191a1b', aad: '000102030405060708090a0b0c0d0e0f10111213',
    p: '202122232425262728292a2b2c2d2e2f3031323334353637', mac: 8, out: 'e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5 484392fbc1b09951',
  },
];

/** RFC 8439 section 2.8.2: the AEAD_CHACHA20_POLY1305 example. */
const RFC8439 = {
  key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
  nonce: '070000004041424344454647',
  aad: '50515253c0c1c2c3c4c5c6c7',
  p: Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."),
  c: `d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6
      3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36
      92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
      3ff4def08e4b7a9de576d26586cec64b6116`,
  t: '1ae10b594f09e26a7e902ecbd0600691',
};

/** One logged-in RW user session for the whole file. */
const t = sharedUserSession();

function secretKey(keyType: number, value: Buffer | string, extra: CK_ATTRIBUTE[] = []): number {
  return t.p11.C_CreateObject(t.session, [
    { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: keyType },
    { type: K.CKA_VALUE, value: typeof value === 'string' ? hex(value) : value }, ...extra,
  ]);
}
const aesKey = (value: Buffer | string, extra: CK_ATTRIBUTE[] = []) => secretKey(K.CKK_AES, value, extra);
const wrappingKey = (value: string) => aesKey(value, [{ type: K.CKA_WRAP, value: true }, { type: K.CKA_UNWRAP, value: true }]);
const extractable = (value: string) => aesKey(value, [{ type: K.CKA_EXTRACTABLE, value: true }]);

function encrypt(mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  t.p11.C_EncryptInit(t.session, mechanism, key);
  return t.p11.C_Encrypt(t.session, data);
}
function decrypt(mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  t.p11.C_DecryptInit(t.session, mechanism, key);
  return t.p11.C_Decrypt(t.session, data);
}

/** Runs an Init'ed operation in parts of the given sizes (the rest in the last), collecting all output. */
function inParts(update: (part: Buffer) => Buffer, final: () => Buffer, data: Buffer, sizes: number[]): { updates: Buffer[]; final: Buffer } {
  const updates: Buffer[] = [];
  let offset = 0;
  for (const size of [...sizes, data.length]) {
    const end = Math.min(data.length, offset + size);
    updates.push(update(data.subarray(offset, end)));
    offset = end;
    if (offset === data.length) break;
  }
  return { updates, final: final() };
}
function encryptParts(mechanism: CK_MECHANISM, key: number, data: Buffer, sizes: number[]) {
  t.p11.C_EncryptInit(t.session, mechanism, key);
  return inParts((p) => t.p11.C_EncryptUpdate(t.session, p), () => t.p11.C_EncryptFinal(t.session), data, sizes);
}
function decryptParts(mechanism: CK_MECHANISM, key: number, data: Buffer, sizes: number[]) {
  t.p11.C_DecryptInit(t.session, mechanism, key);
  return inParts((p) => t.p11.C_DecryptUpdate(t.session, p), () => t.p11.C_DecryptFinal(t.session), data, sizes);
}
const joined = (r: { updates: Buffer[]; final: Buffer }) => Buffer.concat([...r.updates, r.final]);

const gcm = (iv: string | Buffer, aad: string | Buffer, ulTagBits = 128): CK_MECHANISM => ({
  mechanism: K.CKM_AES_GCM,
  parameter: { pIv: typeof iv === 'string' ? hex(iv) : iv, ulIvBits: 0, pAAD: typeof aad === 'string' ? hex(aad) : aad, ulTagBits },
});

describe('CKM_AES_GCM', () => {
  it('matches the GCM specification and CAVP vectors, single-part and multi-part', () => {
    for (const v of GCM_VECTORS) {
      const key = aesKey(v.key);
      const mech = gcm(v.iv, v.aad);
      const expected = Buffer.concat([hex(v.c), hex(v.t)]);
      assert.deepEqual(encrypt(mech, key, v.p), expected, v.name);
      assert.deepEqual(decrypt(mech, key, expected), v.p, v.name);

      const enc = encryptParts(mech, key, v.p, [1, 16, 7]);
      assert.deepEqual(Buffer.concat(enc.updates), hex(v.c), `${v.name}: Update streams the ciphertext`);
      assert.deepEqual(enc.final, hex(v.t), `${v.name}: Final gives the tag`);
      const dec = decryptParts(mech, key, expected, [5, 30]);
      assert.ok(dec.updates.every((u) => u.length === 0), `${v.name}: no plaintext before the tag is checked`);
      assert.deepEqual(dec.final, v.p, v.name);
    }
  });

  it('truncates the tag to ulTagBits (its leftmost bytes) and checks the truncated tag', () => {
    const v = GCM_VECTORS[3]!;
    const key = aesKey(v.key);
    for (const bits of [32, 64, 96, 104, 112, 120]) {
      const out = encrypt(gcm(v.iv, v.aad, bits), key, v.p);
      assert.deepEqual(out, Buffer.concat([hex(v.c), hex(v.t).subarray(0, bits / 8)]), `${bits}-bit tag`);
      assert.deepEqual(decrypt(gcm(v.iv, v.aad, bits), key, out), v.p);
      throwsCKR(() => decrypt(gcm(v.iv, v.aad, 128), key, out), K.CKR_ENCRYPTED_DATA_INVALID, 'read with a longer tag');
    }
  });

  it('refuses tampered data, a wrong AAD, IV or key with CKR_ENCRYPTED_DATA_INVALID and releases nothing', () => {
    const v = GCM_VECTORS[3]!;
    const key = aesKey(v.key);
    const good = Buffer.concat([hex(v.c), hex(v.t)]);
    for (const i of [0, 30, good.length - 1]) {
      const bad = Buffer.from(good);
      bad[i]! ^= 0x01;
      throwsCKR(() => decrypt(gcm(v.iv, v.aad), key, bad), K.CKR_ENCRYPTED_DATA_INVALID, `bit flipped at ${i}`);
      t.p11.C_DecryptInit(t.session, gcm(v.iv, v.aad), key);
      assert.equal(t.p11.C_DecryptUpdate(t.session, bad).length, 0);
      throwsCKR(() => t.p11.C_DecryptFinal(t.session), K.CKR_ENCRYPTED_DATA_INVALID);
      throwsCKR(() => t.p11.C_DecryptFinal(t.session), K.CKR_OPERATION_NOT_INITIALIZED, 'the failure ended the operation');
    }
    throwsCKR(() => decrypt(gcm(v.iv, 'feedface'), key, good), K.CKR_ENCRYPTED_DATA_INVALID, 'wrong AAD');
    throwsCKR(() => decrypt(gcm('cafebabefacedbaddecaf889', v.aad), key, good), K.CKR_ENCRYPTED_DATA_INVALID, 'wrong IV');
    throwsCKR(() => decrypt(gcm(v.iv, v.aad), aesKey('00'.repeat(16)), good), K.CKR_ENCRYPTED_DATA_INVALID, 'wrong key');
    throwsCKR(() => decrypt(gcm(v.iv, v.aad), key, good.subarray(0, 15)), K.CKR_ENCRYPTED_DATA_LEN_RANGE, 'shorter than the tag');
  });

  it('refuses bad parameters with CKR_MECHANISM_PARAM_INVALID', () => {
    const key = aesKey(GCM_K);
    const iv = hex('cafebabefacedbaddecaf888');
    const bad: unknown[] = [
      undefined, iv, 12, { pIv: iv }, { pIv: iv, ulTagBits: 0 }, { pIv: iv, ulTagBits: 100 }, { pIv: iv, ulTagBits: 136 },
      { pIv: iv, ulTagBits: 8 }, { pIv: Buffer.alloc(0), ulTagBits: 128 }, { pIv: 'cafebabe', ulTagBits: 128 },
      { pIv: iv, pAAD: 'text', ulTagBits: 128 }, { pIv: iv, ulTagBits: -128 }, { pIv: iv, ulTagBits: 128, ulIvBits: 'x' },
    ];
    for (const parameter of bad) {
      throwsCKR(() => t.p11.C_EncryptInit(t.session, { mechanism: K.CKM_AES_GCM, parameter }, key), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(parameter));
      throwsCKR(() => t.p11.C_DecryptInit(t.session, { mechanism: K.CKM_AES_GCM, parameter }, key), K.CKR_MECHANISM_PARAM_INVALID);
    }
    // A missing pAAD is C's NULL with ulAADLen 0; the obsolete ulIvBits is not needed.
    assert.equal(encrypt({ mechanism: K.CKM_AES_GCM, parameter: { pIv: iv, pAAD: null, ulTagBits: 128 } }, key, Buffer.alloc(3)).length, 19);
    assert.equal(encrypt({ mechanism: K.CKM_AES_GCM, parameter: { pIv: iv, ulTagBits: 96 } }, key, Buffer.alloc(3)).length, 15);
  });

  it('takes the parameter at Init: changing the caller\'s buffers afterwards changes nothing', () => {
    const v = GCM_VECTORS[3]!;
    const key = aesKey(v.key);
    const iv = hex(v.iv);
    const aad = hex(v.aad);
    t.p11.C_EncryptInit(t.session, gcm(iv, aad), key);
    iv.fill(0);
    aad.fill(0);
    assert.deepEqual(t.p11.C_Encrypt(t.session, v.p), Buffer.concat([hex(v.c), hex(v.t)]));
  });

  it('answers length queries and CKR_BUFFER_TOO_SMALL without ending the operation', () => {
    const v = GCM_VECTORS[2]!;
    const key = aesKey(v.key);
    const expected = Buffer.concat([hex(v.c), hex(v.t)]);
    t.p11.C_EncryptInit(t.session, gcm(v.iv, v.aad), key);
    assert.equal(t.p11.C_Encrypt(t.session, v.p, null), 80);
    const e = throwsCKR(() => t.p11.C_Encrypt(t.session, v.p, Buffer.alloc(79)), K.CKR_BUFFER_TOO_SMALL);
    assert.ok(e instanceof BufferTooSmallError && e.required === 80);
    const out = Buffer.alloc(90);
    assert.equal(t.p11.C_Encrypt(t.session, v.p, out), 80);
    assert.deepEqual(out.subarray(0, 80), expected);

    t.p11.C_EncryptInit(t.session, gcm(v.iv, v.aad), key);
    assert.equal(t.p11.C_EncryptUpdate(t.session, v.p.subarray(0, 20), null), 20);
    throwsCKR(() => t.p11.C_EncryptUpdate(t.session, v.p.subarray(0, 20), Buffer.alloc(19)), K.CKR_BUFFER_TOO_SMALL);
    const first = t.p11.C_EncryptUpdate(t.session, v.p.subarray(0, 20));
    const second = t.p11.C_EncryptUpdate(t.session, v.p.subarray(20));
    assert.equal(t.p11.C_EncryptFinal(t.session, null), 16);
    throwsCKR(() => t.p11.C_EncryptFinal(t.session, Buffer.alloc(15)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(Buffer.concat([first, second, t.p11.C_EncryptFinal(t.session)]), expected);

    t.p11.C_DecryptInit(t.session, gcm(v.iv, v.aad), key);
    assert.equal(t.p11.C_Decrypt(t.session, expected, null), 64);
    throwsCKR(() => t.p11.C_Decrypt(t.session, expected, Buffer.alloc(63)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(t.p11.C_Decrypt(t.session, expected), v.p);

    t.p11.C_DecryptInit(t.session, gcm(v.iv, v.aad), key);
    assert.equal(t.p11.C_DecryptUpdate(t.session, expected, null), 0);
    t.p11.C_DecryptUpdate(t.session, expected);
    assert.equal(t.p11.C_DecryptFinal(t.session, null), 64);
    throwsCKR(() => t.p11.C_DecryptFinal(t.session, Buffer.alloc(10)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(t.p11.C_DecryptFinal(t.session), v.p);
  });

  it('round-trips random data of many lengths', () => {
    const key = aesKey(hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'));
    for (const length of [0, 1, 15, 16, 17, 100, 4096]) {
      const data = t.p11.C_GenerateRandom(t.session, Math.max(length, 1)).subarray(0, length);
      const iv = t.p11.C_GenerateRandom(t.session, 12);
      const ct = encrypt(gcm(iv, 'aa'), key, data);
      assert.equal(ct.length, length + 16);
      assert.deepEqual(decrypt(gcm(iv, 'aa'), key, ct), data);
      assert.deepEqual(joined(decryptParts(gcm(iv, 'aa'), key, ct, [3, 50])), data);
    }
  });

  it('is offered for encryption and wrapping with 16- to 32-byte AES keys only', () => {
    const info = t.p11.C_GetMechanismInfo(t.slot, K.CKM_AES_GCM);
    assert.equal(info.ulMinKeySize, 16);
    assert.equal(info.ulMaxKeySize, 32);
    const flags = K.CKF_ENCRYPT | K.CKF_DECRYPT | K.CKF_WRAP | K.CKF_UNWRAP;
    assert.equal(info.flags & flags, flags);
    assert.equal(info.flags & K.CKF_SIGN, 0);
    const chacha = secretKey(K.CKK_CHACHA20, RFC8439.key);
    throwsCKR(() => t.p11.C_EncryptInit(t.session, gcm('00'.repeat(12), ''), chacha), K.CKR_KEY_TYPE_INCONSISTENT);
  });
});

describe('CKM_AES_GCM key wrapping', () => {
  /** Wrapping the all-zero key under the all-zero key with a zero IV is GCM spec case 2. */
  const ZERO_WRAPPED = '0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf';
  const AES_TEMPLATE = [{ type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }];

  it('wraps a key as GCM encryption of its value, and unwraps it', () => {
    const kek = wrappingKey('00'.repeat(16));
    const target = extractable('00'.repeat(16));
    const mech = gcm('00'.repeat(12), '');
    assert.equal(t.p11.C_WrapKey(t.session, mech, kek, target, null), 32);
    throwsCKR(() => t.p11.C_WrapKey(t.session, mech, kek, target, Buffer.alloc(31)), K.CKR_BUFFER_TOO_SMALL);
    const wrapped = t.p11.C_WrapKey(t.session, mech, kek, target);
    assert.equal(wrapped.toString('hex'), ZERO_WRAPPED);

    const unwrapped = t.p11.C_UnwrapKey(t.session, mech, kek, wrapped, AES_TEMPLATE);
    // The unwrapped key encrypts like the original: spec case 2 again.
    assert.equal(encrypt(mech, unwrapped, Buffer.alloc(16)).toString('hex'), ZERO_WRAPPED);
  });

  it('refuses a tampered or truncated wrapped key and a wrong AAD', () => {
    const kek = wrappingKey('00'.repeat(16));
    const wrapped = hex(ZERO_WRAPPED);
    const mech = gcm('00'.repeat(12), '');
    for (const i of [0, 20, 31]) {
      const bad = Buffer.from(wrapped);
      bad[i]! ^= 0x80;
      throwsCKR(() => t.p11.C_UnwrapKey(t.session, mech, kek, bad, AES_TEMPLATE), K.CKR_WRAPPED_KEY_INVALID);
    }
    throwsCKR(() => t.p11.C_UnwrapKey(t.session, mech, kek, wrapped.subarray(0, 16), AES_TEMPLATE), K.CKR_WRAPPED_KEY_LEN_RANGE);
    throwsCKR(() => t.p11.C_UnwrapKey(t.session, gcm('00'.repeat(12), 'aa'), kek, wrapped, AES_TEMPLATE), K.CKR_WRAPPED_KEY_INVALID);
    throwsCKR(() => t.p11.C_UnwrapKey(t.session, { mechanism: K.CKM_AES_GCM, parameter: { pIv: Buffer.alloc(12), ulTagBits: 7 } }, kek, wrapped, AES_TEMPLATE), K.CKR_MECHANISM_PARAM_INVALID);
  });

  it('generates the IV into the caller\'s pIv for CK_GCM_WRAP_PARAMS with CKG_GENERATE, keeping the fixed bits', () => {
    const kek = wrappingKey(GCM_K);
    const target = extractable('000102030405060708090a0b0c0d0e0f');
    const pIv = Buffer.alloc(16, 0xa5);
    const parameter = { pIv, ulIvFixedBits: 28, ivGenerator: K.CKG_GENERATE, pAAD: Buffer.from('label'), ulTagBits: 128 };
    const wrapped = t.p11.C_WrapKey(t.session, { mechanism: K.CKM_AES_GCM, parameter }, kek, target);
    assert.deepEqual(pIv.subarray(0, 3), Buffer.alloc(3, 0xa5), 'the first 24 fixed bits are kept');
    assert.equal(pIv[3]! >> 4, 0xa, 'and the next 4');
    assert.notDeepEqual(pIv.subarray(4), Buffer.alloc(12, 0xa5), 'the rest is generated');
    const first = Buffer.from(pIv);

    // Unwrapping ignores the generator fields and uses the IV as given.
    const unwrapped = t.p11.C_UnwrapKey(t.session, { mechanism: K.CKM_AES_GCM, parameter }, kek, wrapped, AES_TEMPLATE);
    assert.deepEqual(pIv, first);
    const probe = gcm('00'.repeat(12), '');
    assert.deepEqual(encrypt(probe, unwrapped, Buffer.alloc(16)), encrypt(probe, target, Buffer.alloc(16)));

    t.p11.C_WrapKey(t.session, { mechanism: K.CKM_AES_GCM, parameter: { ...parameter, ivGenerator: K.CKG_GENERATE_RANDOM } }, kek, target);
    assert.notDeepEqual(pIv, first, 'a fresh IV each time');
    const noGenerate = { ...parameter, pIv: Buffer.from(first), ivGenerator: K.CKG_NO_GENERATE };
    assert.deepEqual(t.p11.C_WrapKey(t.session, { mechanism: K.CKM_AES_GCM, parameter: noGenerate }, kek, target), wrapped);
    assert.deepEqual(noGenerate.pIv, first);
  });

  it('refuses IV generation it cannot do safely with CKR_MECHANISM_PARAM_INVALID', () => {
    const kek = wrappingKey(GCM_K);
    const target = extractable('000102030405060708090a0b0c0d0e0f');
    const base = { pIv: Buffer.alloc(12), ulIvFixedBits: 0, ivGenerator: K.CKG_GENERATE, pAAD: null, ulTagBits: 128 };
    const bad = [
      { ...base, ivGenerator: K.CKG_GENERATE_COUNTER }, { ...base, ivGenerator: K.CKG_GENERATE_COUNTER_XOR },
      { ...base, ivGenerator: 99 }, { ...base, ulIvFixedBits: 8 } /* fewer than 96 generated bits */,
      { ...base, pIv: Buffer.alloc(16), ulIvFixedBits: 129 },
      { ...base, ulTagBits: 0 },
    ];
    for (const parameter of bad) {
      const before = Buffer.from(parameter.pIv);
      throwsCKR(() => t.p11.C_WrapKey(t.session, { mechanism: K.CKM_AES_GCM, parameter }, kek, target), K.CKR_MECHANISM_PARAM_INVALID);
      assert.deepEqual(parameter.pIv, before, 'a refused parameter is left as it was');
    }
  });
});

describe('CKM_AES_GMAC', () => {
  const gmac = (iv: string, ulTagBits = 128, pAAD?: Buffer): CK_MECHANISM => ({ mechanism: K.CKM_AES_GMAC, parameter: { pIv: hex(iv), pAAD, ulTagBits } });

  it('matches the CAVP vector, single-part and multi-part, and verifies it', () => {
    const key = aesKey(GMAC_VECTOR.key);
    const data = hex(GMAC_VECTOR.data);
    t.p11.C_SignInit(t.session, gmac(GMAC_VECTOR.iv), key);
    assert.equal(t.p11.C_Sign(t.session, data).toString('hex'), GMAC_VECTOR.t);
    t.p11.C_SignInit(t.session, gmac(GMAC_VECTOR.iv), key);
    t.p11.C_SignUpdate(t.session, data.subarray(0, 3));
    t.p11.C_SignUpdate(t.session, data.subarray(3));
    assert.equal(t.p11.C_SignFinal(t.session).toString('hex'), GMAC_VECTOR.t);
    // PKCS#11 2.40 form: the parameter is the bare IV and the tag is 128 bits.
    t.p11.C_SignInit(t.session, { mechanism: K.CKM_AES_GMAC, parameter: hex(GMAC_VECTOR.iv) }, key);
    assert.equal(t.p11.C_Sign(t.session, data).toString('hex'), GMAC_VECTOR.t);

    t.p11.C_VerifyInit(t.session, gmac(GMAC_VECTOR.iv), key);
    t.p11.C_Verify(t.session, data, hex(GMAC_VECTOR.t));
    t.p11.C_VerifyInit(t.session, gmac(GMAC_VECTOR.iv), key);
    t.p11.C_VerifyUpdate(t.session, data.subarray(0, 10));
    t.p11.C_VerifyUpdate(t.session, data.subarray(10));
    t.p11.C_VerifyFinal(t.session, hex(GMAC_VECTOR.t));
  });

  it('agrees with GCM over an empty plaintext, and truncates to ulTagBits', () => {
    const key = aesKey(GCM_K);
    const data = hex(GCM_A);
    const gcmTag = encrypt(gcm('cafebabefacedbaddecaf888', GCM_A), key, Buffer.alloc(0));
    t.p11.C_SignInit(t.session, gmac('cafebabefacedbaddecaf888'), key);
    assert.deepEqual(t.p11.C_Sign(t.session, data), gcmTag);
    t.p11.C_SignInit(t.session, gmac('cafebabefacedbaddecaf888', 64), key);
    assert.deepEqual(t.p11.C_Sign(t.session, data), gcmTag.subarray(0, 8));
  });

  it('refuses a wrong MAC, data or key, and a MAC of the wrong length', () => {
    const key = aesKey(GMAC_VECTOR.key);
    const data = hex(GMAC_VECTOR.data);
    const tag = hex(GMAC_VECTOR.t);
    const verify = (k: number, d: Buffer, s: Buffer) => {
      t.p11.C_VerifyInit(t.session, gmac(GMAC_VECTOR.iv), k);
      t.p11.C_Verify(t.session, d, s);
    };
    const badTag = Buffer.from(tag);
    badTag[15]! ^= 1;
    throwsCKR(() => verify(key, data, badTag), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(key, Buffer.concat([data, Buffer.of(0)]), tag), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(aesKey(GCM_K), data, tag), K.CKR_SIGNATURE_INVALID);
    throwsCKR(() => verify(key, data, tag.subarray(0, 12)), K.CKR_SIGNATURE_LEN_RANGE);
    t.p11.C_VerifyInit(t.session, gmac(GMAC_VECTOR.iv), key);
    t.p11.C_VerifyUpdate(t.session, data);
    throwsCKR(() => t.p11.C_VerifyFinal(t.session, Buffer.concat([tag, Buffer.of(0)])), K.CKR_SIGNATURE_LEN_RANGE);
  });

  it('refuses bad parameters, and AAD in the parameter (the data is the AAD)', () => {
    const key = aesKey(GMAC_VECTOR.key);
    for (const parameter of [undefined, Buffer.alloc(0), { pIv: hex(GMAC_VECTOR.iv), ulTagBits: 100 }, { pIv: hex(GMAC_VECTOR.iv), pAAD: Buffer.of(1), ulTagBits: 128 }]) {
      throwsCKR(() => t.p11.C_SignInit(t.session, { mechanism: K.CKM_AES_GMAC, parameter }, key), K.CKR_MECHANISM_PARAM_INVALID);
      throwsCKR(() => t.p11.C_VerifyInit(t.session, { mechanism: K.CKM_AES_GMAC, parameter }, key), K.CKR_MECHANISM_PARAM_INVALID);
    }
  });

  it('answers length queries and CKR_BUFFER_TOO_SMALL without ending the operation', () => {
    const key = aesKey(GMAC_VECTOR.key);
    const data = hex(GMAC_VECTOR.data);
    t.p11.C_SignInit(t.session, gmac(GMAC_VECTOR.iv, 96), key);
    assert.equal(t.p11.C_Sign(t.session, data, null), 12);
    throwsCKR(() => t.p11.C_Sign(t.session, data, Buffer.alloc(11)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(t.p11.C_Sign(t.session, data), hex(GMAC_VECTOR.t).subarray(0, 12));
    t.p11.C_SignInit(t.session, gmac(GMAC_VECTOR.iv), key);
    t.p11.C_SignUpdate(t.session, data);
    assert.equal(t.p11.C_SignFinal(t.session, null), 16);
    throwsCKR(() => t.p11.C_SignFinal(t.session, Buffer.alloc(8)), K.CKR_BUFFER_TOO_SMALL);
    assert.equal(t.p11.C_SignFinal(t.session).toString('hex'), GMAC_VECTOR.t);
  });
});

describe('CKM_AES_CCM', () => {
  const ccm = (nonce: string, aad: string, ulDataLen: number, ulMACLen: number): CK_MECHANISM => ({
    mechanism: K.CKM_AES_CCM, parameter: { ulDataLen, pNonce: hex(nonce), pAAD: hex(aad), ulMACLen },
  });

  it('matches RFC 3610 and SP 800-38C, single-part and multi-part', () => {
    for (const v of CCM_VECTORS) {
      const key = aesKey(v.key);
      const p = hex(v.p);
      const out = hex(v.out);
      const mech = ccm(v.nonce, v.aad, p.length, v.mac);
      assert.deepEqual(encrypt(mech, key, p), out, v.name);
      assert.deepEqual(decrypt(mech, key, out), p, v.name);
      const enc = encryptParts(mech, key, p, [1, 2]);
      assert.ok(enc.updates.every((u) => u.length === 0), 'CCM output comes from Final');
      assert.deepEqual(enc.final, out, v.name);
      const dec = decryptParts(mech, key, out, [2, 9]);
      assert.ok(dec.updates.every((u) => u.length === 0), 'no plaintext before the MAC is checked');
      assert.deepEqual(dec.final, p, v.name);
    }
  });

  it('needs exactly ulDataLen bytes of data (plus the MAC when decrypting)', () => {
    const v = CCM_VECTORS[0]!;
    const key = aesKey(v.key);
    const p = hex(v.p);
    const out = hex(v.out);
    const mech = ccm(v.nonce, v.aad, p.length, v.mac);
    throwsCKR(() => encrypt(mech, key, p.subarray(1)), K.CKR_DATA_LEN_RANGE);
    throwsCKR(() => encrypt(mech, key, Buffer.concat([p, Buffer.of(0)])), K.CKR_DATA_LEN_RANGE);
    throwsCKR(() => decrypt(mech, key, out.subarray(1)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    t.p11.C_EncryptInit(t.session, mech, key);
    t.p11.C_EncryptUpdate(t.session, p);
    throwsCKR(() => t.p11.C_EncryptUpdate(t.session, Buffer.of(1)), K.CKR_DATA_LEN_RANGE, 'more than ulDataLen is refused at once');
    t.p11.C_EncryptInit(t.session, mech, key);
    t.p11.C_EncryptUpdate(t.session, p.subarray(3));
    throwsCKR(() => t.p11.C_EncryptFinal(t.session), K.CKR_DATA_LEN_RANGE);
    t.p11.C_DecryptInit(t.session, mech, key);
    throwsCKR(() => t.p11.C_DecryptUpdate(t.session, Buffer.concat([out, Buffer.of(0)])), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
  });

  it('refuses tampered data, a wrong AAD or key with CKR_ENCRYPTED_DATA_INVALID', () => {
    const v = CCM_VECTORS[3]!;
    const key = aesKey(v.key);
    const p = hex(v.p);
    const out = hex(v.out);
    for (const i of [0, p.length, out.length - 1]) {
      const bad = Buffer.from(out);
      bad[i]! ^= 4;
      throwsCKR(() => decrypt(ccm(v.nonce, v.aad, p.length, v.mac), key, bad), K.CKR_ENCRYPTED_DATA_INVALID, `byte ${i}`);
    }
    throwsCKR(() => decrypt(ccm(v.nonce, '00', p.length, v.mac), key, out), K.CKR_ENCRYPTED_DATA_INVALID);
    throwsCKR(() => decrypt(ccm(v.nonce, v.aad, p.length, v.mac), aesKey(GCM_K), out), K.CKR_ENCRYPTED_DATA_INVALID);
  });

  it('refuses bad parameters with CKR_MECHANISM_PARAM_INVALID', () => {
    const key = aesKey(CCM_KEY_38C);
    const good = { ulDataLen: 4, pNonce: hex('10111213141516'), pAAD: Buffer.alloc(0), ulMACLen: 4 };
    const bad: unknown[] = [
      undefined, Buffer.alloc(16), { ...good, ulMACLen: 5 }, { ...good, ulMACLen: 2 }, { ...good, ulMACLen: 18 },
      { ...good, pNonce: Buffer.alloc(6) }, { ...good, pNonce: Buffer.alloc(14) }, { ...good, ulDataLen: undefined },
      { ...good, ulDataLen: -1 },
      // A 13-byte nonce leaves 2 bytes for the length: at most 65535 bytes.
      { ...good, pNonce: Buffer.alloc(13), ulDataLen: 65536 },
    ];
    for (const parameter of bad) {
      throwsCKR(() => t.p11.C_EncryptInit(t.session, { mechanism: K.CKM_AES_CCM, parameter }, key), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(parameter));
    }
    t.p11.C_EncryptInit(t.session, { mechanism: K.CKM_AES_CCM, parameter: { ...good, pNonce: Buffer.alloc(13), ulDataLen: 65535, pAAD: undefined } }, key);
    assert.equal(t.p11.C_Encrypt(t.session, Buffer.alloc(65535)).length, 65539);
  });

  it('answers length queries and CKR_BUFFER_TOO_SMALL without ending the operation', () => {
    const v = CCM_VECTORS[2]!;
    const key = aesKey(v.key);
    const p = hex(v.p);
    const out = hex(v.out);
    const mech = ccm(v.nonce, v.aad, p.length, v.mac);
    t.p11.C_EncryptInit(t.session, mech, key);
    assert.equal(t.p11.C_Encrypt(t.session, p, null), 22);
    throwsCKR(() => t.p11.C_Encrypt(t.session, p, Buffer.alloc(21)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(t.p11.C_Encrypt(t.session, p), out);
    t.p11.C_DecryptInit(t.session, mech, key);
    t.p11.C_DecryptUpdate(t.session, out);
    assert.equal(t.p11.C_DecryptFinal(t.session, null), 16);
    throwsCKR(() => t.p11.C_DecryptFinal(t.session, Buffer.alloc(15)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(t.p11.C_DecryptFinal(t.session), p);
  });

  it('wraps and unwraps keys with CK_CCM_WRAP_PARAMS, generating the nonce on request', () => {
    const kek = wrappingKey(CCM_KEY_38C);
    const target = extractable('000102030405060708090a0b0c0d0e0f');
    const parameter = { ulDataLen: 0, pNonce: Buffer.alloc(13), ulNonceFixedBits: 0, nonceGenerator: K.CKG_GENERATE, pAAD: Buffer.from('hdr'), ulMACLen: 16 };
    const wrapped = t.p11.C_WrapKey(t.session, { mechanism: K.CKM_AES_CCM, parameter }, kek, target);
    assert.equal(wrapped.length, 32);
    assert.notDeepEqual(parameter.pNonce, Buffer.alloc(13));
    const template = [{ type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }];
    const unwrapped = t.p11.C_UnwrapKey(t.session, { mechanism: K.CKM_AES_CCM, parameter }, kek, wrapped, template);
    const probe = gcm('00'.repeat(12), '');
    assert.deepEqual(encrypt(probe, unwrapped, Buffer.alloc(16)), encrypt(probe, target, Buffer.alloc(16)));
    wrapped[3]! ^= 1;
    throwsCKR(() => t.p11.C_UnwrapKey(t.session, { mechanism: K.CKM_AES_CCM, parameter }, kek, wrapped, template), K.CKR_WRAPPED_KEY_INVALID);
  });
});

describe('CKM_CHACHA20_POLY1305', () => {
  const aead = (nonce: string | Buffer, aad: string | Buffer): CK_MECHANISM => ({
    mechanism: K.CKM_CHACHA20_POLY1305,
    parameter: { pNonce: typeof nonce === 'string' ? hex(nonce) : nonce, pAAD: typeof aad === 'string' ? hex(aad) : aad },
  });

  it('matches RFC 8439 section 2.8.2, single-part and multi-part', () => {
    const key = secretKey(K.CKK_CHACHA20, RFC8439.key);
    const mech = aead(RFC8439.nonce, RFC8439.aad);
    const expected = Buffer.concat([hex(RFC8439.c), hex(RFC8439.t)]);
    assert.deepEqual(encrypt(mech, key, RFC8439.p), expected);
    assert.deepEqual(decrypt(mech, key, expected), RFC8439.p);
    const enc = encryptParts(mech, key, RFC8439.p, [1, 63, 2]);
    assert.deepEqual(Buffer.concat(enc.updates), hex(RFC8439.c));
    assert.deepEqual(enc.final, hex(RFC8439.t));
    const dec = decryptParts(mech, key, expected, [100]);
    assert.ok(dec.updates.every((u) => u.length === 0));
    assert.deepEqual(dec.final, RFC8439.p);
  });

  it('refuses tampered data, a wrong AAD or key, bad parameters and AES keys', () => {
    const key = secretKey(K.CKK_CHACHA20, RFC8439.key);
    const expected = Buffer.concat([hex(RFC8439.c), hex(RFC8439.t)]);
    const bad = Buffer.from(expected);
    bad[bad.length - 1]! ^= 1;
    throwsCKR(() => decrypt(aead(RFC8439.nonce, RFC8439.aad), key, bad), K.CKR_ENCRYPTED_DATA_INVALID);
    throwsCKR(() => decrypt(aead(RFC8439.nonce, ''), key, expected), K.CKR_ENCRYPTED_DATA_INVALID);
    throwsCKR(() => decrypt(aead(RFC8439.nonce, RFC8439.aad), secretKey(K.CKK_CHACHA20, Buffer.alloc(32)), expected), K.CKR_ENCRYPTED_DATA_INVALID);
    throwsCKR(() => decrypt(aead(RFC8439.nonce, RFC8439.aad), key, expected.subarray(0, 10)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    for (const parameter of [undefined, hex(RFC8439.nonce), { pNonce: Buffer.alloc(8) }, { pNonce: Buffer.alloc(24) }, { pAAD: Buffer.alloc(1) }]) {
      throwsCKR(() => t.p11.C_EncryptInit(t.session, { mechanism: K.CKM_CHACHA20_POLY1305, parameter }, key), K.CKR_MECHANISM_PARAM_INVALID);
    }
    throwsCKR(() => t.p11.C_EncryptInit(t.session, aead(RFC8439.nonce, ''), aesKey(GCM_K + GCM_K)), K.CKR_KEY_TYPE_INCONSISTENT);
  });

  it('answers length queries and CKR_BUFFER_TOO_SMALL without ending the operation', () => {
    const key = secretKey(K.CKK_CHACHA20, RFC8439.key);
    const mech = aead(RFC8439.nonce, RFC8439.aad);
    t.p11.C_EncryptInit(t.session, mech, key);
    assert.equal(t.p11.C_Encrypt(t.session, RFC8439.p, null), RFC8439.p.length + 16);
    throwsCKR(() => t.p11.C_Encrypt(t.session, RFC8439.p, Buffer.alloc(RFC8439.p.length)), K.CKR_BUFFER_TOO_SMALL);
    const ct = t.p11.C_Encrypt(t.session, RFC8439.p);
    t.p11.C_DecryptInit(t.session, mech, key);
    assert.equal(t.p11.C_Decrypt(t.session, ct, null), RFC8439.p.length);
    throwsCKR(() => t.p11.C_Decrypt(t.session, ct, Buffer.alloc(1)), K.CKR_BUFFER_TOO_SMALL);
    assert.deepEqual(t.p11.C_Decrypt(t.session, ct), RFC8439.p);
  });
});

describe('CKM_CHACHA20_KEY_GEN', () => {
  const readable = [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }];

  it('makes 32-byte ChaCha20 keys with the SHA-1 check value, usable for ChaCha20-Poly1305', () => {
    const key = t.p11.C_GenerateKey(t.session, { mechanism: K.CKM_CHACHA20_KEY_GEN }, readable);
    const [type, value, length, check, local, mechanism] = t.p11.C_GetAttributeValue(t.session, key, [
      { type: K.CKA_KEY_TYPE }, { type: K.CKA_VALUE }, { type: K.CKA_VALUE_LEN }, { type: K.CKA_CHECK_VALUE },
      { type: K.CKA_LOCAL }, { type: K.CKA_KEY_GEN_MECHANISM },
    ]).map((a) => a.value);
    assert.equal(type, K.CKK_CHACHA20);
    assert.equal((value as Buffer).length, 32);
    assert.equal(length, 32);
    assert.deepEqual(check, createHash('sha1').update(value as Buffer).digest().subarray(0, 3));
    assert.equal(local, true);
    assert.equal(mechanism, K.CKM_CHACHA20_KEY_GEN);

    const other = t.p11.C_GenerateKey(t.session, { mechanism: K.CKM_CHACHA20_KEY_GEN }, [{ type: K.CKA_VALUE_LEN, value: 32 }, ...readable]);
    assert.notDeepEqual(t.p11.C_GetAttributeValue(t.session, other, [{ type: K.CKA_VALUE }])[0]!.value, value);

    const nonce = t.p11.C_GenerateRandom(t.session, 12);
    const mech: CK_MECHANISM = { mechanism: K.CKM_CHACHA20_POLY1305, parameter: { pNonce: nonce, pAAD: Buffer.from('a') } };
    const data = Buffer.from('round trip');
    assert.deepEqual(decrypt(mech, key, encrypt(mech, key, data)), data);
    throwsCKR(() => decrypt(mech, other, encrypt(mech, key, data)), K.CKR_ENCRYPTED_DATA_INVALID);
  });

  it('refuses another length, a parameter and a contradicting key type', () => {
    throwsCKR(() => t.p11.C_GenerateKey(t.session, { mechanism: K.CKM_CHACHA20_KEY_GEN }, [{ type: K.CKA_VALUE_LEN, value: 16 }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => t.p11.C_GenerateKey(t.session, { mechanism: K.CKM_CHACHA20_KEY_GEN, parameter: Buffer.alloc(4) }, []), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => t.p11.C_GenerateKey(t.session, { mechanism: K.CKM_CHACHA20_KEY_GEN }, [{ type: K.CKA_KEY_TYPE, value: K.CKK_AES }]), K.CKR_TEMPLATE_INCONSISTENT);
    const info = t.p11.C_GetMechanismInfo(t.slot, K.CKM_CHACHA20_KEY_GEN);
    assert.deepEqual([info.ulMinKeySize, info.ulMaxKeySize, info.flags & K.CKF_GENERATE], [32, 32, K.CKF_GENERATE]);
  });
});
