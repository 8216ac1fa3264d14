/**
 * Message-based encryption and decryption (PKCS#11 3.0): CKM_AES_GCM with
 * CK_GCM_MESSAGE_PARAMS, CKM_AES_CCM with CK_CCM_MESSAGE_PARAMS and
 * CKM_CHACHA20_POLY1305 with CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS.
 *
 * The calls go through `api`, which has the Cryptoki method names and
 * signatures; until the Cryptoki class wires them, it calls the core's
 * functions (src/core/fns/message.ts) on the Application behind the Cryptoki
 * instance.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../src/pkcs11/error.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../src/pkcs11/types.js';
import { sharedUserSession, throwsCKR } from './helpers.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** One logged-in RW user session for the whole file. */
const t = sharedUserSession();

/** The message-based Cryptoki functions, by their spec names. */

function secretKey(keyType: number, value: Buffer | string, extra: CK_ATTRIBUTE[] = []): number {
  return t.p11.C_CreateObject(t.session, [
    { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: keyType },
    { type: K.CKA_VALUE, value: typeof value === 'string' ? hex(value) : value }, ...extra,
  ]);
}
const aesKey = (value: Buffer | string, extra: CK_ATTRIBUTE[] = []) => secretKey(K.CKK_AES, value, extra);
const chachaKey = (value: Buffer | string) => secretKey(K.CKK_CHACHA20, value);

const GCM: CK_MECHANISM = { mechanism: K.CKM_AES_GCM };
const CCM: CK_MECHANISM = { mechanism: K.CKM_AES_CCM };
const CHACHA: CK_MECHANISM = { mechanism: K.CKM_CHACHA20_POLY1305 };

/** CK_GCM_MESSAGE_PARAMS; pTag is a fresh buffer of the tag's size. */
function gcmParams(iv: Buffer | string, ulTagBits = 128, generator = K.CKG_NO_GENERATE, ulIvFixedBits = 0) {
  return { pIv: typeof iv === 'string' ? hex(iv) : iv, ulIvFixedBits, ivGenerator: generator, pTag: Buffer.alloc(ulTagBits / 8), ulTagBits };
}
/** CK_CCM_MESSAGE_PARAMS. */
function ccmParams(nonce: Buffer | string, ulDataLen: number, ulMACLen: number, generator = K.CKG_NO_GENERATE, ulNonceFixedBits = 0) {
  return { ulDataLen, pNonce: typeof nonce === 'string' ? hex(nonce) : nonce, ulNonceFixedBits, nonceGenerator: generator, pMAC: Buffer.alloc(ulMACLen), ulMACLen };
}
/** CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS. */
function chachaParams(nonce: Buffer | string) {
  return { pNonce: typeof nonce === 'string' ? hex(nonce) : nonce, pTag: Buffer.alloc(16) };
}
type Params = { pTag?: Buffer; pMAC?: Buffer };
const tagOf = (p: Params) => (p.pTag ?? p.pMAC)!;

const buf = (r: Buffer | number) => r as Buffer;

/** Encrypts one message in a single call (the operation must be initialised). */
function encryptMessage(parameter: Params, aad: Buffer, data: Buffer): { ct: Buffer; tag: Buffer } {
  const ct = buf(t.p11.C_EncryptMessage(t.session, parameter, aad, data));
  return { ct, tag: Buffer.from(tagOf(parameter)) };
}

/** Encrypts one message with Begin and Next, in parts of the given sizes (the rest in the last). */
function encryptInParts(parameter: Params, aad: Buffer, data: Buffer, sizes: number[]): { ct: Buffer; tag: Buffer; outputs: Buffer[] } {
  t.p11.C_EncryptMessageBegin(t.session, parameter, aad);
  const outputs = eachPart(data, sizes, (part, last) => buf(t.p11.C_EncryptMessageNext(t.session, parameter, part, last ? K.CKF_END_OF_MESSAGE : 0)));
  return { ct: Buffer.concat(outputs), tag: Buffer.from(tagOf(parameter)), outputs };
}

function decryptInParts(parameter: unknown, aad: Buffer, data: Buffer, sizes: number[]): Buffer[] {
  t.p11.C_DecryptMessageBegin(t.session, parameter, aad);
  return eachPart(data, sizes, (part, last) => buf(t.p11.C_DecryptMessageNext(t.session, parameter, part, last ? K.CKF_END_OF_MESSAGE : 0)));
}

function eachPart(data: Buffer, sizes: number[], run: (part: Buffer, last: boolean) => Buffer): Buffer[] {
  const outputs: Buffer[] = [];
  let offset = 0;
  for (const size of sizes) {
    const end = Math.min(data.length, offset + size);
    outputs.push(run(data.subarray(offset, end), false));
    offset = end;
  }
  outputs.push(run(data.subarray(offset), true));
  return outputs;
}

// ---- published vectors ----------------------------------------------------------------

/**
 * NIST CAVP gcmDecrypt128.rsp, [Keylen = 128] [IVlen = 96] [PTlen = 128]
 * [AADlen = 128] [Taglen = 128], Counts 0-2 (Count 1 is a FAIL case).
 */
const GCM_DECRYPT = [
  { count: 0, key: '816e39070410cf2184904da03ea5075a', iv: '32c367a3362613b27fc3e67e', aad: 'f2a30728ed874ee02983c294435d3c16', ct: '552ebe012e7bcf90fcef712f8344e8f1', tag: 'ecaae9fc68276a45ab0ca3cb9dd9539f', pt: 'ecafe96c67a1646744f1c891f5e69427' },
  { count: 1, key: '867fc5d5476d5008f0703d81e3622255', iv: '22945529dff947c3c9264df7', aad: '261a9efd4f32bc3d07c115b4edcf8adf', ct: '1c785025e5a2678e4b29b29276e395bb', tag: '87fdf1261846164a950c37a3f2eea17d', pt: undefined },
  { count: 2, key: '3d17f97bf1dae4268b6610dc90c70b28', iv: 'ebcd88fc18d4c99d28524d41', aad: '681a4feac147ee2d25e9191aaa4c8830', ct: '0128a239bb43c12885f9591386ecac0f', tag: '144def0210af9348f07afe27e65bdc7e', pt: 'ec18a057c22d12373b5efe4d177eb068' },
];

/**
 * GCM encryption with a fixed IV: the gcmEncryptExtIV256.rsp sample
 * ([Keylen = 256] [IVlen = 96] [PTlen = 128] [AADlen = 128] [Taglen = 120],
 * Count = 0) that NIST's GCMVS document shows, and test case 4 of the GCM
 * specification (McGrew and Viega, revised 2005, appendix B).
 */
const GCM_ENCRYPT = [
  {
    name: 'GCMVS gcmEncryptExtIV256 sample', key: '7f7168a406e7c1ef0fd47ac922c5ec5f659765fb6aaa048f7056f6c6b5d8513d', iv: 'b8b5e407adc0e293e3e7e991',
    aad: 'ff7628f6427fbcef1f3b82b37404e116', pt: 'b706194bb0b10c474e1b2d7b2278224c', ct: '8fada0b8e777a829ca9680d3bf4f3574', tag: 'daca354277f6335fc8bec90886da70', tagBits: 120,
  },
  {
    name: 'GCM spec test case 4', key: 'feffe9928665731c6d6a8f9467308308', iv: 'cafebabefacedbaddecaf888', aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    pt: `d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
         1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39`,
    ct: `42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
         21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091`,
    tag: '5bc94fbc3221a5db94fae95ae7121a47', tagBits: 128,
  },
];

/** RFC 3610 packet vector #1 and NIST SP 800-38C appendix C examples 1-3: the output is ciphertext || MAC. */
const CCM_KEY_38C = '404142434445464748494a4b4c4d4e4f';
const CCM_VECTORS = [
  {
    name: 'RFC 3610 packet vector #1', key: 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecf', nonce: '00000003020100a0a1a2a3a4a5', aad: '0001020304050607',
    pt: '08090a0b0c0d0e0f101112131415161718191a1b1c1d1e', mac: 8, out: '588c979a61c663d2f066d0c2c0f989806d5f6b61dac384 17e8d12cfdf926e0',
  },
  { name: 'SP 800-38C example 1', key: CCM_KEY_38C, nonce: '10111213141516', aad: '0001020304050607', pt: '20212223', mac: 4, out: '7162015b 4dac255d' },
  {
    name: 'SP 800-38C example 2', key: CCM_KEY_38C, nonce: '1011121314151617', aad: '000102030405060708090a0b0c0d0e0f',
    pt: '202122232425262728292a2b2c2d2e2f', mac: 6, out: 'd2a1f0e051ea5f62081a7792073d593d 1fc64fbfaccd',
  },
  {
    name: 'SP 800-38C example 3', key: CCM_KEY_38C, nonce: '101112131415161718191a1b', aad: '000102030405060708090a0b0c0d0e0f10111213',
    pt: '202122232425262728292a2b2c2d2e2f3031323334353637', mac: 8, out: 'e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5 484392fbc1b09951',
  },
];

/** RFC 8439 section 2.8.2: the AEAD_CHACHA20_POLY1305 example. */
const RFC8439 = {
  key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
  nonce: '070000004041424344454647',
  aad: '50515253c0c1c2c3c4c5c6c7',
  pt: Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."),
  ct: `d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6
       3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36
       92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
       3ff4def08e4b7a9de576d26586cec64b6116`,
  tag: '1ae10b594f09e26a7e902ecbd0600691',
};

describe('message-based mechanisms', () => {
  it('are offered with CKF_MESSAGE_ENCRYPT, CKF_MESSAGE_DECRYPT and CKF_MULTI_MESSAGE', () => {
    const all = K.CKF_MESSAGE_ENCRYPT | K.CKF_MESSAGE_DECRYPT | K.CKF_MULTI_MESSAGE;
    for (const type of [K.CKM_AES_GCM, K.CKM_AES_CCM, K.CKM_CHACHA20_POLY1305]) {
      assert.equal(t.p11.C_GetMechanismInfo(t.slot, type).flags & all, all);
    }
    for (const type of [K.CKM_AES_GMAC, K.CKM_AES_ECB]) {
      assert.equal(t.p11.C_GetMechanismInfo(t.slot, type).flags & all, 0);
    }
  });
});

describe('CKM_AES_GCM messages', () => {
  it('decrypts the CAVP gcmDecrypt128 vectors (caller\'s IV), single-part and in parts, and refuses the FAIL case', () => {
    for (const v of GCM_DECRYPT) {
      const key = aesKey(v.key);
      t.p11.C_MessageDecryptInit(t.session, GCM, key);
      const p = { ...gcmParams(v.iv), pTag: hex(v.tag) };
      if (v.pt === undefined) {
        throwsCKR(() => t.p11.C_DecryptMessage(t.session, p, hex(v.aad), hex(v.ct)), K.CKR_AEAD_DECRYPT_FAILED, `count ${v.count}`);
        throwsCKR(() => decryptInParts(p, hex(v.aad), hex(v.ct), [5]), K.CKR_AEAD_DECRYPT_FAILED, `count ${v.count} in parts`);
      } else {
        assert.equal(buf(t.p11.C_DecryptMessage(t.session, p, hex(v.aad), hex(v.ct))).toString('hex'), v.pt, `count ${v.count}`);
        const outputs = decryptInParts(p, hex(v.aad), hex(v.ct), [1, 7]);
        assert.deepEqual(outputs.slice(0, -1).map((o) => o.length), [0, 0], 'nothing before the tag has checked');
        assert.equal(outputs.at(-1)!.toString('hex'), v.pt);
      }
      t.p11.C_MessageDecryptFinal(t.session);
    }
  });

  it('encrypts with a fixed IV (CKG_NO_GENERATE) to the published ciphertext and tag, single-part and in parts', () => {
    for (const v of GCM_ENCRYPT) {
      const key = aesKey(v.key);
      t.p11.C_MessageEncryptInit(t.session, GCM, key);
      const pt = hex(v.pt);
      const p = gcmParams(v.iv, v.tagBits);
      const one = encryptMessage(p, hex(v.aad), pt);
      assert.equal(one.ct.toString('hex'), hex(v.ct).toString('hex'), v.name);
      assert.equal(one.tag.toString('hex'), v.tag, v.name);
      assert.equal(p.pIv.toString('hex'), v.iv, 'CKG_NO_GENERATE leaves the IV alone');
      for (const sizes of [[], [1], [16, 16], [3, 0, 29]]) {
        const q = gcmParams(v.iv, v.tagBits);
        const parts = encryptInParts(q, hex(v.aad), pt, sizes);
        assert.equal(parts.ct.toString('hex'), hex(v.ct).toString('hex'), `${v.name} in parts ${sizes}`);
        assert.equal(parts.tag.toString('hex'), v.tag);
        // GCM streams: each part's ciphertext comes with it.
        assert.deepEqual(parts.outputs.map((o) => o.length), eachPart(pt, sizes, (part) => part).map((o) => o.length));
      }
      t.p11.C_MessageEncryptFinal(t.session);
    }
  });

  it('generates 1000 distinct IVs with CKG_GENERATE_COUNTER, keeping the fixed bits, and each message decrypts', () => {
    const key = aesKey(randomBytes(32));
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    t.p11.C_MessageDecryptInit(t.session, GCM, key);
    const fixedBits = 36; // not a whole number of bytes: the fifth byte is half fixed, half counter
    const seen = new Set<string>();
    const fixed = hex('cafebabef0');
    for (let i = 0; i < 1000; i++) {
      const p = gcmParams(Buffer.concat([fixed, Buffer.alloc(7, 0xff)]), 128, K.CKG_GENERATE_COUNTER, fixedBits);
      const pt = Buffer.from(`message ${i}`);
      const { ct, tag } = i % 2 === 0 ? encryptMessage(p, Buffer.from('hdr'), pt) : encryptInParts(p, Buffer.from('hdr'), pt, [3]);
      const iv = p.pIv;
      assert.deepEqual(iv.subarray(0, 4), fixed.subarray(0, 4));
      assert.equal(iv[4]! & 0xf0, 0xf0, 'the fixed half byte is kept');
      assert.equal(BigInt('0x' + iv.toString('hex')) & ((1n << 60n) - 1n), BigInt(i), 'the counter runs from zero');
      seen.add(iv.toString('hex'));
      const q = { ...gcmParams(iv), pTag: tag };
      assert.deepEqual(buf(t.p11.C_DecryptMessage(t.session, q, Buffer.from('hdr'), ct)), pt);
    }
    assert.equal(seen.size, 1000);
    t.p11.C_MessageEncryptFinal(t.session);
    t.p11.C_MessageDecryptFinal(t.session);
  });

  it('generates random IVs for CKG_GENERATE and CKG_GENERATE_RANDOM, keeping the fixed bits', () => {
    const key = aesKey(randomBytes(16));
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    for (const generator of [K.CKG_GENERATE, K.CKG_GENERATE_RANDOM]) {
      const seen = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const p = gcmParams(Buffer.concat([hex('a5a5a5a5'), Buffer.alloc(12)]), 128, generator, 32);
        encryptMessage(p, Buffer.alloc(0), Buffer.from('x'));
        assert.equal(p.pIv.subarray(0, 4).toString('hex'), 'a5a5a5a5');
        seen.add(p.pIv.toString('hex'));
      }
      assert.equal(seen.size, 50);
    }
    t.p11.C_MessageEncryptFinal(t.session);
  });

  it('XORs a counter into the caller\'s IV for CKG_GENERATE_COUNTER_XOR, which must not vary', () => {
    const key = aesKey(randomBytes(16));
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    const base = hex('000000001111111122222222');
    for (let i = 0; i < 3; i++) {
      const p = gcmParams(Buffer.from(base), 128, K.CKG_GENERATE_COUNTER_XOR, 32);
      encryptMessage(p, Buffer.alloc(0), Buffer.from('x'));
      assert.equal(p.pIv.toString('hex'), (BigInt('0x' + base.toString('hex')) ^ BigInt(i)).toString(16).padStart(24, '0'));
    }
    const changed = gcmParams(hex('000000001111111122222223'), 128, K.CKG_GENERATE_COUNTER_XOR, 32);
    throwsCKR(() => t.p11.C_EncryptMessage(t.session, changed, null, Buffer.from('x')), K.CKR_MECHANISM_PARAM_INVALID);
    const mixed = gcmParams(Buffer.from(base), 128, K.CKG_GENERATE_COUNTER, 32);
    throwsCKR(() => t.p11.C_EncryptMessage(t.session, mixed, null, Buffer.from('x')), K.CKR_MECHANISM_PARAM_INVALID, 'a plain counter could meet the XORed one');
    t.p11.C_MessageEncryptFinal(t.session);
  });

  it('refuses to repeat a counter: a counter of two free bits gives four IVs', () => {
    const key = aesKey(randomBytes(16));
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    const ivs = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const p = gcmParams(Buffer.alloc(12, 0x77), 128, K.CKG_GENERATE_COUNTER, 94);
      encryptMessage(p, Buffer.alloc(0), Buffer.from('x'));
      ivs.add(p.pIv.toString('hex'));
    }
    assert.equal(ivs.size, 4);
    const p = gcmParams(Buffer.alloc(12, 0x77), 128, K.CKG_GENERATE_COUNTER, 94);
    throwsCKR(() => t.p11.C_EncryptMessage(t.session, p, null, Buffer.from('x')), K.CKR_MECHANISM_PARAM_INVALID);
    assert.equal(p.pIv.toString('hex'), '77'.repeat(12), 'the caller\'s IV is left alone on failure');
    // Another fixed field has its own counter.
    const other = gcmParams(Buffer.alloc(12, 0x33), 128, K.CKG_GENERATE_COUNTER, 94);
    encryptMessage(other, Buffer.alloc(0), Buffer.from('x'));
    assert.equal(other.pIv.toString('hex'), '33'.repeat(11) + '30');
    t.p11.C_MessageEncryptFinal(t.session);
  });

  it('refuses a tampered tag, ciphertext, associated data or IV with CKR_AEAD_DECRYPT_FAILED, releasing nothing', () => {
    const v = GCM_DECRYPT[0]!;
    const key = aesKey(v.key);
    t.p11.C_MessageDecryptInit(t.session, GCM, key);
    const flip = (b: Buffer, i = 0) => { const c = Buffer.from(b); c[i]! ^= 1; return c; };
    const cases = [
      { name: 'tag', p: { ...gcmParams(v.iv), pTag: flip(hex(v.tag), 15) }, aad: hex(v.aad), ct: hex(v.ct) },
      { name: 'ciphertext', p: { ...gcmParams(v.iv), pTag: hex(v.tag) }, aad: hex(v.aad), ct: flip(hex(v.ct), 3) },
      { name: 'aad', p: { ...gcmParams(v.iv), pTag: hex(v.tag) }, aad: flip(hex(v.aad)), ct: hex(v.ct) },
      { name: 'no aad', p: { ...gcmParams(v.iv), pTag: hex(v.tag) }, aad: null, ct: hex(v.ct) },
      { name: 'iv', p: { ...gcmParams(flip(hex(v.iv))), pTag: hex(v.tag) }, aad: hex(v.aad), ct: hex(v.ct) },
    ];
    for (const c of cases) {
      const out = Buffer.alloc(16, 0xee);
      throwsCKR(() => t.p11.C_DecryptMessage(t.session, c.p, c.aad, c.ct, out), K.CKR_AEAD_DECRYPT_FAILED, c.name);
      assert.ok(out.equals(Buffer.alloc(16, 0xee)), `no plaintext written (${c.name})`);
      t.p11.C_DecryptMessageBegin(t.session, c.p, c.aad);
      assert.equal(t.p11.C_DecryptMessageNext(t.session, c.p, c.ct.subarray(0, 10), 0, out), 0);
      throwsCKR(() => t.p11.C_DecryptMessageNext(t.session, c.p, c.ct.subarray(10), K.CKF_END_OF_MESSAGE, out), K.CKR_AEAD_DECRYPT_FAILED, c.name);
      assert.ok(out.equals(Buffer.alloc(16, 0xee)));
      throwsCKR(() => t.p11.C_DecryptMessageNext(t.session, c.p, c.ct, K.CKF_END_OF_MESSAGE), K.CKR_OPERATION_NOT_INITIALIZED, 'the failure ended the message');
    }
    // The operation goes on: the genuine message still decrypts.
    const good = { ...gcmParams(v.iv), pTag: hex(v.tag) };
    assert.equal(buf(t.p11.C_DecryptMessage(t.session, good, hex(v.aad), hex(v.ct))).toString('hex'), v.pt);
    t.p11.C_MessageDecryptFinal(t.session);
    // A wrong key fails the same way.
    t.p11.C_MessageDecryptInit(t.session, GCM, aesKey(GCM_DECRYPT[2]!.key));
    throwsCKR(() => t.p11.C_DecryptMessage(t.session, good, hex(v.aad), hex(v.ct)), K.CKR_AEAD_DECRYPT_FAILED);
    t.p11.C_MessageDecryptFinal(t.session);
  });

  it('refuses bad parameters with CKR_MECHANISM_PARAM_INVALID, also on a length query', () => {
    const key = aesKey(randomBytes(16));
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    t.p11.C_MessageDecryptInit(t.session, GCM, key);
    const good = gcmParams(Buffer.alloc(12));
    const bad: [string, unknown][] = [
      ['no parameter', undefined],
      ['bytes', Buffer.alloc(12)],
      ['no IV', { ...good, pIv: undefined }],
      ['empty IV', { ...good, pIv: Buffer.alloc(0) }],
      ['tag bits 0', { ...good, ulTagBits: 0 }],
      ['tag bits 100', { ...good, ulTagBits: 100 }],
      ['tag bits 136', { ...good, ulTagBits: 136, pTag: Buffer.alloc(17) }],
      ['no tag buffer', { ...good, pTag: undefined }],
      ['short tag buffer', { ...good, pTag: Buffer.alloc(15) }],
    ];
    for (const [name, parameter] of bad) {
      throwsCKR(() => t.p11.C_EncryptMessage(t.session, parameter, null, Buffer.alloc(4)), K.CKR_MECHANISM_PARAM_INVALID, `encrypt: ${name}`);
      throwsCKR(() => t.p11.C_EncryptMessage(t.session, parameter, null, Buffer.alloc(4), null), K.CKR_MECHANISM_PARAM_INVALID, `length query: ${name}`);
      throwsCKR(() => t.p11.C_DecryptMessage(t.session, parameter, null, Buffer.alloc(4)), K.CKR_MECHANISM_PARAM_INVALID, `decrypt: ${name}`);
    }
    const badGenerators: [string, unknown][] = [
      ['unknown generator', { ...good, ivGenerator: 99 }],
      ['fixed bits beyond the IV', { ...good, ivGenerator: K.CKG_GENERATE, ulIvFixedBits: 97 }],
      ['nothing left to generate', { ...good, ivGenerator: K.CKG_GENERATE_COUNTER, ulIvFixedBits: 96 }],
      ['random IV with fewer than 96 free bits', { ...good, ivGenerator: K.CKG_GENERATE_RANDOM, ulIvFixedBits: 8 }],
    ];
    for (const [name, parameter] of badGenerators) {
      throwsCKR(() => t.p11.C_EncryptMessage(t.session, parameter, null, Buffer.alloc(4)), K.CKR_MECHANISM_PARAM_INVALID, name);
      throwsCKR(() => t.p11.C_EncryptMessageBegin(t.session, parameter, null), K.CKR_MECHANISM_PARAM_INVALID, name);
    }
    // Decryption ignores the generator fields, as the spec says.
    const ct = buf(t.p11.C_EncryptMessage(t.session, good, null, Buffer.from('data')));
    assert.deepEqual(buf(t.p11.C_DecryptMessage(t.session, { ...good, ivGenerator: 99, ulIvFixedBits: 1000 }, null, ct)), Buffer.from('data'));
    // CKG_GENERATE with fewer than 96 free bits falls back to a counter rather than refuse.
    const short = gcmParams(Buffer.alloc(8), 128, K.CKG_GENERATE);
    t.p11.C_EncryptMessage(t.session, short, null, Buffer.from('x'));
    assert.equal(short.pIv.toString('hex'), '0000000000000000');
    t.p11.C_EncryptMessage(t.session, short, null, Buffer.from('x'));
    assert.equal(short.pIv.toString('hex'), '0000000000000001');
    t.p11.C_MessageEncryptFinal(t.session);
    t.p11.C_MessageDecryptFinal(t.session);
    // The Init parameter, if any, is a structure.
    throwsCKR(() => t.p11.C_MessageEncryptInit(t.session, { mechanism: K.CKM_AES_GCM, parameter: Buffer.alloc(12) }, key), K.CKR_MECHANISM_PARAM_INVALID);
    t.p11.C_MessageEncryptInit(t.session, { mechanism: K.CKM_AES_GCM, parameter: good }, key);
    t.p11.C_MessageEncryptFinal(t.session);
  });

  it('needs the same message\'s parameter on each Next, and 0 or CKF_END_OF_MESSAGE as flags', () => {
    const key = aesKey(randomBytes(16));
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    const p = gcmParams(Buffer.alloc(12, 1));
    t.p11.C_EncryptMessageBegin(t.session, p, null);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, gcmParams(Buffer.alloc(12, 2)), Buffer.alloc(4), 0), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(4), 0), K.CKR_OPERATION_NOT_INITIALIZED, 'the error ended the message');
    t.p11.C_EncryptMessageBegin(t.session, p, null);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, gcmParams(Buffer.alloc(12, 1), 96), Buffer.alloc(4), K.CKF_END_OF_MESSAGE), K.CKR_MECHANISM_PARAM_INVALID, 'another tag length');
    t.p11.C_EncryptMessageBegin(t.session, p, null);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(4), 2), K.CKR_ARGUMENTS_BAD);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(4), 0), K.CKR_OPERATION_NOT_INITIALIZED);
    // With a generated IV, the caller passes the structure Begin filled in.
    const g = gcmParams(Buffer.alloc(12), 128, K.CKG_GENERATE);
    const parts = encryptInParts(g, Buffer.from('aad'), Buffer.from('generated IV, in parts'), [5]);
    t.p11.C_MessageDecryptInit(t.session, GCM, key);
    assert.equal(buf(t.p11.C_DecryptMessage(t.session, { ...gcmParams(g.pIv), pTag: parts.tag }, Buffer.from('aad'), parts.ct)).toString(), 'generated IV, in parts');
    t.p11.C_MessageEncryptFinal(t.session);
    t.p11.C_MessageDecryptFinal(t.session);
  });

  it('answers length queries and CKR_BUFFER_TOO_SMALL without generating an IV or ending anything', () => {
    const key = aesKey(randomBytes(16));
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    t.p11.C_MessageDecryptInit(t.session, GCM, key);
    const data = Buffer.from('twenty-one bytes long');
    const p = gcmParams(Buffer.alloc(12, 0xab), 128, K.CKG_GENERATE_COUNTER, 64);
    assert.equal(t.p11.C_EncryptMessage(t.session, p, null, data, null), data.length);
    const e = throwsCKR(() => t.p11.C_EncryptMessage(t.session, p, null, data, Buffer.alloc(20)), K.CKR_BUFFER_TOO_SMALL);
    assert.ok(e instanceof BufferTooSmallError && e.required === data.length);
    assert.equal(p.pIv.toString('hex'), 'ab'.repeat(12), 'no IV was generated');
    assert.ok(p.pTag.equals(Buffer.alloc(16)), 'no tag was written');
    const ct = Buffer.alloc(30);
    assert.equal(t.p11.C_EncryptMessage(t.session, p, null, data, ct), data.length);
    assert.equal(p.pIv.toString('hex'), 'ab'.repeat(8) + '00000000', 'the first IV has counter 0: the queries took none');

    const q = { ...gcmParams(p.pIv), pTag: Buffer.from(p.pTag) };
    t.p11.C_DecryptMessageBegin(t.session, q, null);
    assert.equal(t.p11.C_DecryptMessageNext(t.session, q, ct.subarray(0, 10), 0, null), 0);
    assert.equal(t.p11.C_DecryptMessageNext(t.session, q, ct.subarray(0, 10), 0, Buffer.alloc(0)), 0);
    const last = ct.subarray(10, data.length);
    assert.equal(t.p11.C_DecryptMessageNext(t.session, q, last, K.CKF_END_OF_MESSAGE, null), data.length, 'the last part returns the whole plaintext');
    throwsCKR(() => t.p11.C_DecryptMessageNext(t.session, q, last, K.CKF_END_OF_MESSAGE, Buffer.alloc(data.length - 1)), K.CKR_BUFFER_TOO_SMALL);
    const out = Buffer.alloc(data.length);
    assert.equal(t.p11.C_DecryptMessageNext(t.session, q, last, K.CKF_END_OF_MESSAGE, out), data.length);
    assert.deepEqual(out, data);
    throwsCKR(() => t.p11.C_DecryptMessageNext(t.session, q, last, K.CKF_END_OF_MESSAGE), K.CKR_OPERATION_NOT_INITIALIZED, 'the delivered last part ended the message');

    // Encryption's last part: the query and the too-small buffer leave the tag unwritten.
    const r = gcmParams(Buffer.alloc(12, 5));
    t.p11.C_EncryptMessageBegin(t.session, r, null);
    assert.equal(t.p11.C_EncryptMessageNext(t.session, r, data, K.CKF_END_OF_MESSAGE, null), data.length);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, r, data, K.CKF_END_OF_MESSAGE, Buffer.alloc(1)), K.CKR_BUFFER_TOO_SMALL);
    assert.ok(r.pTag.equals(Buffer.alloc(16)));
    assert.equal(buf(t.p11.C_EncryptMessageNext(t.session, r, data, K.CKF_END_OF_MESSAGE)).length, data.length);
    assert.ok(!r.pTag.equals(Buffer.alloc(16)));
    t.p11.C_MessageEncryptFinal(t.session);
    t.p11.C_MessageDecryptFinal(t.session);
  });

  it('round-trips random messages of many lengths, in parts, in both directions', () => {
    const key = aesKey(randomBytes(24));
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    t.p11.C_MessageDecryptInit(t.session, GCM, key);
    for (const length of [0, 1, 15, 16, 17, 100, 1000]) {
      const data = randomBytes(length);
      const aad = randomBytes(length % 40);
      const p = gcmParams(Buffer.alloc(12), 104, K.CKG_GENERATE);
      const { ct, tag } = encryptInParts(p, aad, data, [length >> 2, length >> 1]);
      const q = { ...gcmParams(p.pIv, 104), pTag: tag };
      assert.deepEqual(Buffer.concat(decryptInParts(q, aad, ct, [1, length >> 1])), data, `length ${length}`);
    }
    t.p11.C_MessageEncryptFinal(t.session);
    t.p11.C_MessageDecryptFinal(t.session);
  });
});

describe('CKM_AES_CCM messages', () => {
  it('matches RFC 3610 and SP 800-38C, single-part and in parts, both directions', () => {
    for (const v of CCM_VECTORS) {
      const key = aesKey(v.key);
      const pt = hex(v.pt);
      const expected = hex(v.out);
      const ct = expected.subarray(0, pt.length);
      const mac = expected.subarray(pt.length);
      t.p11.C_MessageEncryptInit(t.session, CCM, key);
      t.p11.C_MessageDecryptInit(t.session, CCM, key);
      const one = encryptMessage(ccmParams(v.nonce, pt.length, v.mac), hex(v.aad), pt);
      assert.deepEqual([one.ct, one.tag], [ct, mac], v.name);
      const parts = encryptInParts(ccmParams(v.nonce, pt.length, v.mac), hex(v.aad), pt, [1, 2]);
      assert.deepEqual([parts.ct, parts.tag], [ct, mac], `${v.name} in parts`);
      assert.deepEqual(parts.outputs.slice(0, -1).map((o) => o.length), [0, 0], 'CCM encryption gives its ciphertext with the last part');
      const q = { ...ccmParams(v.nonce, pt.length, v.mac), pMAC: mac };
      assert.deepEqual(buf(t.p11.C_DecryptMessage(t.session, q, hex(v.aad), ct)), pt, v.name);
      assert.deepEqual(Buffer.concat(decryptInParts(q, hex(v.aad), ct, [2])), pt, `${v.name} in parts`);
      const forged = { ...q, pMAC: Buffer.from(mac).fill(0) };
      throwsCKR(() => t.p11.C_DecryptMessage(t.session, forged, hex(v.aad), ct), K.CKR_AEAD_DECRYPT_FAILED, v.name);
      t.p11.C_MessageEncryptFinal(t.session);
      t.p11.C_MessageDecryptFinal(t.session);
    }
  });

  it('needs exactly ulDataLen bytes, and refuses bad parameters', () => {
    const key = aesKey(randomBytes(16));
    t.p11.C_MessageEncryptInit(t.session, CCM, key);
    t.p11.C_MessageDecryptInit(t.session, CCM, key);
    const p = ccmParams('00112233445566778899aabb', 10, 16);
    throwsCKR(() => t.p11.C_EncryptMessage(t.session, p, null, Buffer.alloc(9)), K.CKR_DATA_LEN_RANGE);
    throwsCKR(() => t.p11.C_EncryptMessage(t.session, p, null, Buffer.alloc(11), null), K.CKR_DATA_LEN_RANGE, 'a length query checks it too');
    throwsCKR(() => t.p11.C_DecryptMessage(t.session, p, null, Buffer.alloc(11)), K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    t.p11.C_EncryptMessageBegin(t.session, p, null);
    t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(6), 0);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(5), 0), K.CKR_DATA_LEN_RANGE, 'past ulDataLen');
    t.p11.C_EncryptMessageBegin(t.session, p, null);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(9), K.CKF_END_OF_MESSAGE), K.CKR_DATA_LEN_RANGE, 'short of ulDataLen');
    const good = ccmParams('00112233445566778899aabb', 4, 8);
    const bad: [string, unknown][] = [
      ['nonce of 6 bytes', { ...good, pNonce: Buffer.alloc(6) }],
      ['nonce of 14 bytes', { ...good, pNonce: Buffer.alloc(14) }],
      ['odd MAC length', { ...good, ulMACLen: 5, pMAC: Buffer.alloc(5) }],
      ['MAC of 18 bytes', { ...good, ulMACLen: 18, pMAC: Buffer.alloc(18) }],
      ['short MAC buffer', { ...good, pMAC: Buffer.alloc(7) }],
      ['no data length', { ...good, ulDataLen: undefined }],
      ['data too long for the nonce', { ...good, pNonce: Buffer.alloc(13), ulDataLen: 65536 }],
      ['unknown generator', { ...good, nonceGenerator: 7 }],
    ];
    for (const [name, parameter] of bad) {
      throwsCKR(() => t.p11.C_EncryptMessage(t.session, parameter, null, Buffer.alloc(4)), K.CKR_MECHANISM_PARAM_INVALID, name);
    }
    t.p11.C_MessageEncryptFinal(t.session);
    t.p11.C_MessageDecryptFinal(t.session);
  });

  it('generates distinct nonces with CKG_GENERATE_COUNTER, keeping the fixed bits', () => {
    const key = aesKey(randomBytes(16));
    t.p11.C_MessageEncryptInit(t.session, CCM, key);
    t.p11.C_MessageDecryptInit(t.session, CCM, key);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const p = ccmParams(hex('0102030405060000'), 3, 8, K.CKG_GENERATE_COUNTER, 48);
      const { ct, tag } = encryptMessage(p, Buffer.from('a'), Buffer.from('abc'));
      assert.equal(p.pNonce.subarray(0, 6).toString('hex'), '010203040506');
      assert.equal(p.pNonce.readUInt16BE(6), i);
      seen.add(p.pNonce.toString('hex'));
      assert.equal(buf(t.p11.C_DecryptMessage(t.session, { ...ccmParams(p.pNonce, 3, 8), pMAC: tag }, Buffer.from('a'), ct)).toString(), 'abc');
    }
    assert.equal(seen.size, 300);
    t.p11.C_MessageEncryptFinal(t.session);
    t.p11.C_MessageDecryptFinal(t.session);
  });

  it('answers a length query and CKR_BUFFER_TOO_SMALL on the last part, which carries the whole ciphertext', () => {
    const key = aesKey(randomBytes(32));
    t.p11.C_MessageEncryptInit(t.session, CCM, key);
    const data = randomBytes(40);
    const p = ccmParams(randomBytes(11), 40, 16);
    t.p11.C_EncryptMessageBegin(t.session, p, Buffer.from('x'));
    assert.equal(t.p11.C_EncryptMessageNext(t.session, p, data.subarray(0, 30), 0, null), 0);
    assert.equal(t.p11.C_EncryptMessageNext(t.session, p, data.subarray(0, 30), 0, Buffer.alloc(0)), 0);
    assert.equal(t.p11.C_EncryptMessageNext(t.session, p, data.subarray(30), K.CKF_END_OF_MESSAGE, null), 40);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, p, data.subarray(30), K.CKF_END_OF_MESSAGE, Buffer.alloc(39)), K.CKR_BUFFER_TOO_SMALL);
    const ct = buf(t.p11.C_EncryptMessageNext(t.session, p, data.subarray(30), K.CKF_END_OF_MESSAGE));
    t.p11.C_MessageDecryptInit(t.session, CCM, key);
    assert.deepEqual(buf(t.p11.C_DecryptMessage(t.session, { ...ccmParams(p.pNonce, 40, 16), pMAC: p.pMAC }, Buffer.from('x'), ct)), data);
    t.p11.C_MessageEncryptFinal(t.session);
    t.p11.C_MessageDecryptFinal(t.session);
  });
});

describe('CKM_CHACHA20_POLY1305 messages', () => {
  it('matches RFC 8439 section 2.8.2, single-part and in parts, both directions', () => {
    const key = chachaKey(RFC8439.key);
    t.p11.C_MessageEncryptInit(t.session, CHACHA, key);
    t.p11.C_MessageDecryptInit(t.session, CHACHA, key);
    const one = encryptMessage(chachaParams(RFC8439.nonce), hex(RFC8439.aad), RFC8439.pt);
    assert.equal(one.ct.toString('hex'), hex(RFC8439.ct).toString('hex'));
    assert.equal(one.tag.toString('hex'), RFC8439.tag);
    const parts = encryptInParts(chachaParams(RFC8439.nonce), hex(RFC8439.aad), RFC8439.pt, [64, 1]);
    assert.equal(parts.ct.toString('hex'), hex(RFC8439.ct).toString('hex'));
    assert.equal(parts.tag.toString('hex'), RFC8439.tag);
    const q = { ...chachaParams(RFC8439.nonce), pTag: hex(RFC8439.tag) };
    assert.deepEqual(buf(t.p11.C_DecryptMessage(t.session, q, hex(RFC8439.aad), hex(RFC8439.ct))), RFC8439.pt);
    assert.deepEqual(Buffer.concat(decryptInParts(q, hex(RFC8439.aad), hex(RFC8439.ct), [10, 50])), RFC8439.pt);
    t.p11.C_MessageEncryptFinal(t.session);
    t.p11.C_MessageDecryptFinal(t.session);
  });

  it('refuses a tampered tag or data, bad parameters and AES keys', () => {
    const key = chachaKey(RFC8439.key);
    t.p11.C_MessageDecryptInit(t.session, CHACHA, key);
    const q = { ...chachaParams(RFC8439.nonce), pTag: hex(RFC8439.tag) };
    const badTag = { ...q, pTag: Buffer.from(q.pTag).fill(1, 0, 1) };
    throwsCKR(() => t.p11.C_DecryptMessage(t.session, badTag, hex(RFC8439.aad), hex(RFC8439.ct)), K.CKR_AEAD_DECRYPT_FAILED);
    throwsCKR(() => t.p11.C_DecryptMessage(t.session, q, Buffer.from('other'), hex(RFC8439.ct)), K.CKR_AEAD_DECRYPT_FAILED);
    for (const parameter of [undefined, { pNonce: Buffer.alloc(8), pTag: Buffer.alloc(16) }, { pNonce: Buffer.alloc(24), pTag: Buffer.alloc(16) },
      { pNonce: Buffer.alloc(12), pTag: Buffer.alloc(15) }, { pNonce: Buffer.alloc(12) }]) {
      throwsCKR(() => t.p11.C_DecryptMessage(t.session, parameter, null, Buffer.alloc(4)), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(parameter));
    }
    t.p11.C_MessageDecryptFinal(t.session);
    throwsCKR(() => t.p11.C_MessageEncryptInit(t.session, CHACHA, aesKey(randomBytes(32))), K.CKR_KEY_TYPE_INCONSISTENT);
    throwsCKR(() => t.p11.C_MessageEncryptInit(t.session, GCM, key), K.CKR_KEY_TYPE_INCONSISTENT);
  });
});

describe('the message-based operation', () => {
  it('needs C_Message*Init, takes one at a time per direction, and lasts until C_Message*Final', () => {
    const key = aesKey(randomBytes(16));
    const p = gcmParams(Buffer.alloc(12));
    throwsCKR(() => t.p11.C_EncryptMessage(t.session, p, null, Buffer.alloc(1)), K.CKR_OPERATION_NOT_INITIALIZED);
    throwsCKR(() => t.p11.C_EncryptMessageBegin(t.session, p, null), K.CKR_OPERATION_NOT_INITIALIZED);
    throwsCKR(() => t.p11.C_MessageEncryptFinal(t.session), K.CKR_OPERATION_NOT_INITIALIZED);
    throwsCKR(() => t.p11.C_MessageDecryptFinal(t.session), K.CKR_OPERATION_NOT_INITIALIZED);
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    throwsCKR(() => t.p11.C_MessageEncryptInit(t.session, GCM, key), K.CKR_OPERATION_ACTIVE);
    // The other direction and the single-message functions are separate operations.
    t.p11.C_MessageDecryptInit(t.session, GCM, key);
    t.p11.C_EncryptInit(t.session, { mechanism: K.CKM_AES_GCM, parameter: { pIv: Buffer.alloc(12), ulIvBits: 96, ulTagBits: 128 } }, key);
    t.p11.C_Encrypt(t.session, Buffer.alloc(1));
    // Many messages, one after another.
    for (let i = 0; i < 3; i++) t.p11.C_EncryptMessage(t.session, p, null, Buffer.alloc(i));
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(1), 0), K.CKR_OPERATION_NOT_INITIALIZED, 'no message begun');
    t.p11.C_EncryptMessageBegin(t.session, p, null);
    throwsCKR(() => t.p11.C_EncryptMessageBegin(t.session, p, null), K.CKR_OPERATION_ACTIVE, 'one message at a time');
    throwsCKR(() => t.p11.C_EncryptMessage(t.session, p, null, Buffer.alloc(1)), K.CKR_OPERATION_ACTIVE, 'not in the middle of a message');
    t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(1), 0);
    t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(1), K.CKF_END_OF_MESSAGE);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(1), 0), K.CKR_OPERATION_NOT_INITIALIZED, 'the message ended');
    t.p11.C_EncryptMessageBegin(t.session, p, null);
    t.p11.C_MessageEncryptFinal(t.session);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(1), K.CKF_END_OF_MESSAGE), K.CKR_OPERATION_NOT_INITIALIZED, 'Final dropped the message');
    throwsCKR(() => t.p11.C_EncryptMessage(t.session, p, null, Buffer.alloc(1)), K.CKR_OPERATION_NOT_INITIALIZED);
    t.p11.C_MessageDecryptFinal(t.session);
  });

  it('ends with Init(NULL mechanism) or C_SessionCancel, and its state cannot be saved', () => {
    const key = aesKey(randomBytes(16));
    const p = gcmParams(Buffer.alloc(12));
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    t.p11.C_EncryptMessageBegin(t.session, p, null);
    t.p11.C_MessageEncryptInit(t.session, null, 0);
    throwsCKR(() => t.p11.C_EncryptMessageNext(t.session, p, Buffer.alloc(1), 0), K.CKR_OPERATION_NOT_INITIALIZED);
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    t.p11.C_MessageDecryptInit(t.session, GCM, key);
    throwsCKR(() => t.p11.C_GetOperationState(t.session), K.CKR_STATE_UNSAVEABLE);
    t.p11.C_SessionCancel(t.session, K.CKF_MESSAGE_ENCRYPT);
    throwsCKR(() => t.p11.C_EncryptMessage(t.session, p, null, Buffer.alloc(1)), K.CKR_OPERATION_NOT_INITIALIZED);
    t.p11.C_DecryptMessageBegin(t.session, p, null);
    t.p11.C_SessionCancel(t.session, K.CKF_MESSAGE_DECRYPT);
    throwsCKR(() => t.p11.C_DecryptMessageNext(t.session, p, Buffer.alloc(1), 0), K.CKR_OPERATION_NOT_INITIALIZED);
  });

  it('checks the key and the mechanism at Init', () => {
    const noEncrypt = aesKey(randomBytes(16), [{ type: K.CKA_ENCRYPT, value: false }, { type: K.CKA_DECRYPT, value: false }]);
    throwsCKR(() => t.p11.C_MessageEncryptInit(t.session, GCM, noEncrypt), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
    throwsCKR(() => t.p11.C_MessageDecryptInit(t.session, CCM, noEncrypt), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
    const onlyCcm = aesKey(randomBytes(16), [{ type: K.CKA_ALLOWED_MECHANISMS, value: [K.CKM_AES_CCM] }]);
    throwsCKR(() => t.p11.C_MessageEncryptInit(t.session, GCM, onlyCcm), K.CKR_MECHANISM_INVALID);
    t.p11.C_MessageEncryptInit(t.session, CCM, onlyCcm);
    t.p11.C_MessageEncryptFinal(t.session);
    const key = aesKey(randomBytes(16));
    throwsCKR(() => t.p11.C_MessageEncryptInit(t.session, { mechanism: K.CKM_AES_ECB }, key), K.CKR_MECHANISM_INVALID);
    throwsCKR(() => t.p11.C_MessageEncryptInit(t.session, { mechanism: K.CKM_AES_GMAC }, key), K.CKR_MECHANISM_INVALID);
    throwsCKR(() => t.p11.C_MessageEncryptInit(t.session, GCM, 0xdead), K.CKR_KEY_HANDLE_INVALID);
    throwsCKR(() => t.p11.C_MessageEncryptInit(t.session, { mechanism: K.CKM_AES_GCM, parameter: 5 }, key), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => t.p11.C_MessageEncryptInit(0xbad, GCM, key), K.CKR_SESSION_HANDLE_INVALID);
    // Bad arguments to a message are CKR_ARGUMENTS_BAD.
    t.p11.C_MessageEncryptInit(t.session, GCM, key);
    throwsCKR(() => t.p11.C_EncryptMessage(t.session, gcmParams(Buffer.alloc(12)), null, 'text' as unknown as Buffer), K.CKR_ARGUMENTS_BAD);
    throwsCKR(() => t.p11.C_EncryptMessage(t.session, gcmParams(Buffer.alloc(12)), 'aad' as unknown as Buffer, Buffer.alloc(1)), K.CKR_ARGUMENTS_BAD);
    t.p11.C_MessageEncryptFinal(t.session);
  });
});
