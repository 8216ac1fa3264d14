import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import type { CK_ATTRIBUTE } from '../src/pkcs11/types.js';
import { sharedUserSession, throwsCKR } from './helpers.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const ascii = (s: string) => Buffer.from(s, 'latin1');
const range = (from: number, to: number) => Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i));

/** A derived key we may read back. */
const READABLE: CK_ATTRIBUTE[] = [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }];
const valueLen = (n: number): CK_ATTRIBUTE => ({ type: K.CKA_VALUE_LEN, value: n });
const keyType = (t: number): CK_ATTRIBUTE => ({ type: K.CKA_KEY_TYPE, value: t });

const openssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** `openssl kdf` output (colon-separated hex) as bytes. */
function opensslKdf(args: string[]): Buffer {
  return hex(execFileSync('openssl', ['kdf', ...args]).toString().trim().replace(/:/g, ''));
}

/** One logged-in RW user session for the whole file. */
const t = sharedUserSession();

/** A secret key for derivation; readable unless `extra` says otherwise. */
function baseKey(value: Buffer, type: number = K.CKK_GENERIC_SECRET, extra: CK_ATTRIBUTE[] = []): number {
  const given = new Set(extra.map((a) => a.type));
  return t.p11.C_CreateObject(t.session, [
    { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, keyType(type), { type: K.CKA_VALUE, value },
    { type: K.CKA_DERIVE, value: true }, ...READABLE.filter((a) => !given.has(a.type)), ...extra,
  ]);
}

function derive(mechanism: number, parameter: unknown, base: number, template: CK_ATTRIBUTE[] = []): number {
  return t.p11.C_DeriveKey(t.session, { mechanism, parameter }, base, [...READABLE, ...template]);
}

function attr(o: number, type: number): unknown {
  return t.p11.C_GetAttributeValue(t.session, o, [{ type }])[0]!.value;
}

const value = (o: number) => attr(o, K.CKA_VALUE) as Buffer;
const derivedValue = (mechanism: number, parameter: unknown, base: number, template: CK_ATTRIBUTE[] = []) =>
  value(derive(mechanism, parameter, base, template)).toString('hex');

// ---- HKDF -------------------------------------------------------------------------------

/** RFC 5869 appendix A, test cases 1-7: [hash, IKM, salt (null: none), info, L, PRK, OKM]. */
const RFC5869: [number, Buffer, Buffer | null, Buffer, number, string, string][] = [
  [K.CKM_SHA256, Buffer.alloc(22, 0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42,
    '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
    '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'],
  [K.CKM_SHA256, range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82,
    '06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244',
    'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87'],
  [K.CKM_SHA256, Buffer.alloc(22, 0x0b), Buffer.alloc(0), Buffer.alloc(0), 42,
    '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04',
    '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8'],
  [K.CKM_SHA_1, Buffer.alloc(11, 0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42,
    '9b6c18c432a7bf8f0e71c8eb88f4b30baa2ba243',
    '085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896'],
  [K.CKM_SHA_1, range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82,
    '8adae09a2a307059478d309b26c4115a224cfaf6',
    '0bd770a74d1160f7c9f12cd5912a06ebff6adcae899d92191fe4305673ba2ffe8fa3f1a4e5ad79f3f334b3b202b2173c486ea37ce3d397ed034c7f9dfeb15c5e927336d0441f4c4300e2cff0d0900b52d3b4'],
  [K.CKM_SHA_1, Buffer.alloc(22, 0x0b), Buffer.alloc(0), Buffer.alloc(0), 42,
    'da8c8a73c7fa77288ec6f5e7c297786aa0d32d01',
    '0ac1af7002b3d761d1e55298da9d0506b9ae52057220a306e07b6b87e8df21d0ea00033de03984d34918'],
  [K.CKM_SHA_1, Buffer.alloc(22, 0x0c), null, Buffer.alloc(0), 42,
    '2adccada18779e7c2077ad2eb19d3f3e731385dd',
    '2c91117204d745f3500d636a62f64f0ab3bae548aa53d423b0d1f27ebba6f5e5673a081d70cce7acfc48'],
];

function hkdfParams(hash: number, salt: Buffer | null, info: Buffer, extract = true, expand = true): unknown {
  return {
    bExtract: extract, bExpand: expand, prfHashMechanism: hash,
    ulSaltType: salt ? K.CKF_HKDF_SALT_DATA : K.CKF_HKDF_SALT_NULL, pSalt: salt ?? undefined, hSaltKey: 0, pInfo: info,
  };
}

describe('CKM_HKDF_DERIVE', () => {
  it('matches RFC 5869: extract and expand, extract only, expand only', () => {
    for (const [hash, ikm, salt, info, length, prk, okm] of RFC5869) {
      const base = baseKey(ikm);
      assert.equal(derivedValue(K.CKM_HKDF_DERIVE, hkdfParams(hash, salt, info), base, [valueLen(length)]), okm);
      // Extraction alone makes a key of the hash length, CKA_VALUE_LEN or not.
      assert.equal(derivedValue(K.CKM_HKDF_DERIVE, hkdfParams(hash, salt, info, true, false), base), prk);
      assert.equal(derivedValue(K.CKM_HKDF_DERIVE, hkdfParams(hash, salt, info, true, false), base, [valueLen(prk.length / 2)]), prk);
      // Expansion alone starts from the PRK, as an HKDF key.
      const prkKey = baseKey(hex(prk), K.CKK_HKDF);
      assert.equal(derivedValue(K.CKM_HKDF_DERIVE, hkdfParams(hash, null, info, false, true), prkKey, [valueLen(length)]), okm);
    }
  });

  it('an empty salt is the all-zero salt; the salt is ignored without extraction, the info without expansion', () => {
    const [hash, ikm, , , length, , okm] = RFC5869[2]!;
    const base = baseKey(ikm);
    assert.equal(derivedValue(K.CKM_HKDF_DERIVE, hkdfParams(hash, null, Buffer.alloc(0)), base, [valueLen(length)]), okm);
    assert.equal(derivedValue(K.CKM_HKDF_DERIVE, hkdfParams(hash, Buffer.alloc(32), Buffer.alloc(0)), base, [valueLen(length)]), okm);
    const prk = RFC5869[0]![5];
    const ignoredSalt = { ...(hkdfParams(K.CKM_SHA256, null, RFC5869[0]![3], false, true) as object), ulSaltType: K.CKF_HKDF_SALT_KEY };
    assert.equal(derivedValue(K.CKM_HKDF_DERIVE, ignoredSalt, baseKey(hex(prk)), [valueLen(42)]), RFC5869[0]![6]);
    const ignoredInfo = { ...(hkdfParams(K.CKM_SHA256, RFC5869[0]![2], Buffer.alloc(0), true, false) as object), pInfo: 'not bytes' };
    assert.equal(derivedValue(K.CKM_HKDF_DERIVE, ignoredInfo, baseKey(RFC5869[0]![1])), prk);
  });

  it('takes the salt from another key (CKF_HKDF_SALT_KEY)', () => {
    const [hash, ikm, salt, info, length, , okm] = RFC5869[0]!;
    const saltKey = baseKey(salt!);
    const parameter = { ...(hkdfParams(hash, null, info) as object), ulSaltType: K.CKF_HKDF_SALT_KEY, hSaltKey: saltKey };
    assert.equal(derivedValue(K.CKM_HKDF_DERIVE, parameter, baseKey(ikm), [valueLen(length)]), okm);
  });

  it('CKM_HKDF_DATA makes a data object from an expansion, never the PRK', () => {
    const [hash, ikm, salt, info, length, , okm] = RFC5869[0]!;
    const base = baseKey(ikm, K.CKK_GENERIC_SECRET, [{ type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_EXTRACTABLE, value: false }]);
    const data = t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_HKDF_DATA, parameter: hkdfParams(hash, salt, info) }, base, [valueLen(length)]);
    assert.equal(attr(data, K.CKA_CLASS), K.CKO_DATA);
    assert.equal(value(data).toString('hex'), okm);
    throwsCKR(() => t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_HKDF_DATA, parameter: hkdfParams(hash, salt, info, true, false) }, base, [valueLen(32)]),
      K.CKR_MECHANISM_PARAM_INVALID, 'extract only would reveal the PRK');
    throwsCKR(() => t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_HKDF_DATA, parameter: hkdfParams(hash, salt, info) }, base, []), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_HKDF_DATA, parameter: hkdfParams(hash, salt, info) }, base,
      [valueLen(16), { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }]), K.CKR_TEMPLATE_INCONSISTENT);
  });

  it('makes keys of the template\'s type, with their check value', () => {
    const [hash, ikm, salt, info] = RFC5869[0]!;
    const aes = derive(K.CKM_HKDF_DERIVE, hkdfParams(hash, salt, info), baseKey(ikm), [keyType(K.CKK_AES), valueLen(16)]);
    const key = value(aes);
    assert.equal(key.toString('hex'), RFC5869[0]![6].slice(0, 32));
    assert.equal(attr(aes, K.CKA_KEY_TYPE), K.CKK_AES);
    assert.equal(attr(aes, K.CKA_VALUE_LEN), 16);
    const zeroBlock = createCipheriv('aes-128-ecb', key, null).update(Buffer.alloc(16));
    assert.deepEqual(attr(aes, K.CKA_CHECK_VALUE), zeroBlock.subarray(0, 3));
    const generic = derive(K.CKM_HKDF_DERIVE, hkdfParams(hash, salt, info), baseKey(ikm), [valueLen(20)]);
    assert.deepEqual(attr(generic, K.CKA_CHECK_VALUE), createHash('sha1').update(value(generic)).digest().subarray(0, 3));
    // The derived key is no more "always sensitive" than a readable base key.
    assert.equal(attr(generic, K.CKA_ALWAYS_SENSITIVE), false);
    assert.equal(attr(generic, K.CKA_LOCAL), false);
  });

  it('refuses bad parameters, lengths and base keys', () => {
    const [hash, ikm, salt, info] = RFC5869[0]!;
    const base = baseKey(ikm);
    const good = hkdfParams(hash, salt, info) as Record<string, unknown>;
    const run = (parameter: unknown, template: CK_ATTRIBUTE[] = [valueLen(32)], key = base) => derive(K.CKM_HKDF_DERIVE, parameter, key, template);
    for (const bad of [
      undefined, null, Buffer.alloc(8), { ...good, bExtract: false, bExpand: false }, { ...good, bExpand: 1 },
      { ...good, ulSaltType: K.CKF_HKDF_SALT_KEY, hSaltKey: 'not a handle' }, { ...good, ulSaltType: 0 },
      { ...good, ulSaltType: K.CKF_HKDF_SALT_DATA | K.CKF_HKDF_SALT_NULL }, { ...good, pSalt: undefined },
      { ...good, prfHashMechanism: K.CKM_MD5 }, { ...good, prfHashMechanism: K.CKM_SHA256_HMAC }, { ...good, pInfo: 'info' },
    ]) {
      throwsCKR(() => run(bad), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(bad));
    }
    throwsCKR(() => run(good, []), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => run(good, [keyType(K.CKK_AES)]), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => run(good, [valueLen(255 * 32 + 1)]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => run(good, [keyType(K.CKK_AES), valueLen(20)]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => run({ ...good, bExtract: false }, [valueLen(32)], baseKey(Buffer.alloc(31, 1))), K.CKR_KEY_SIZE_RANGE);
    throwsCKR(() => run(good, [valueLen(32)], baseKey(Buffer.alloc(16, 1), K.CKK_AES)), K.CKR_KEY_TYPE_INCONSISTENT);
    const noDerive = t.p11.C_CreateObject(t.session, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, keyType(K.CKK_GENERIC_SECRET), { type: K.CKA_VALUE, value: ikm },
    ]);
    throwsCKR(() => run(good, [valueLen(32)], noDerive), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
  });

  it('CKM_HKDF_KEY_GEN makes HKDF keys of CKA_VALUE_LEN bytes that HKDF derives from', () => {
    const k = t.p11.C_GenerateKey(t.session, { mechanism: K.CKM_HKDF_KEY_GEN }, [valueLen(32), { type: K.CKA_DERIVE, value: true }, ...READABLE]);
    assert.equal(attr(k, K.CKA_KEY_TYPE), K.CKK_HKDF);
    const ikm = value(k);
    assert.equal(ikm.length, 32);
    const okm = derivedValue(K.CKM_HKDF_DERIVE, hkdfParams(K.CKM_SHA256, null, ascii('ctx')), k, [valueLen(32)]);
    const prk = createHmac('sha256', Buffer.alloc(32)).update(ikm).digest();
    assert.equal(okm, createHmac('sha256', prk).update(Buffer.concat([ascii('ctx'), Buffer.of(1)])).digest('hex'));
    throwsCKR(() => t.p11.C_GenerateKey(t.session, { mechanism: K.CKM_HKDF_KEY_GEN }, []), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => t.p11.C_GenerateKey(t.session, { mechanism: K.CKM_HKDF_KEY_GEN }, [valueLen(32), keyType(K.CKK_GENERIC_SECRET)]), K.CKR_TEMPLATE_INCONSISTENT);
  });

  it('CKM_HKDF_DATA and CKM_HKDF_DERIVE are listed as derive mechanisms', () => {
    assert.equal(t.p11.C_GetMechanismInfo(t.slot, K.CKM_HKDF_DATA).flags & K.CKF_DERIVE, K.CKF_DERIVE);
    assert.equal(t.p11.C_GetMechanismInfo(t.slot, K.CKM_HKDF_DERIVE).flags & K.CKF_DERIVE, K.CKF_DERIVE);
  });
});

// ---- PBKDF2 ---------------------------------------------------------------------------------

function pbkdf2Params(password: Buffer | string, salt: Buffer, iterations: number, prf = K.CKP_PKCS5_PBKD2_HMAC_SHA1): Record<string, unknown> {
  return { saltSource: K.CKZ_SALT_SPECIFIED, pSaltSourceData: salt, iterations, prf, pPrfData: null, pPassword: password };
}

function pbkdf2(parameter: unknown, template: CK_ATTRIBUTE[]): number {
  return t.p11.C_GenerateKey(t.session, { mechanism: K.CKM_PKCS5_PBKD2, parameter }, [...READABLE, ...template]);
}

/** RFC 6070 section 2 (PBKDF2-HMAC-SHA1), all but the 16777216-iteration case. */
const RFC6070: [string, string, number, string][] = [
  ['password', 'salt', 1, '0c60c80f961f0e71f3a9b524af6012062fe037a6'],
  ['password', 'salt', 2, 'ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957'],
  ['password', 'salt', 4096, '4b007901b765489abead49d926f721d065a429c1'],
  ['passwordPASSWORDpassword', 'saltSALTsaltSALTsaltSALTsaltSALTsalt', 4096, '3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038'],
  ['pass\0word', 'sa\0lt', 4096, '56fa6aa75548099dcc37d7f03425e0c3'],
];

/** RFC 7914 section 11 (PBKDF2-HMAC-SHA256). */
const RFC7914: [string, string, number, string][] = [
  ['passwd', 'salt', 1, '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783'],
  ['Password', 'NaCl', 80000, '4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d'],
];

describe('CKM_PKCS5_PBKD2', () => {
  it('matches RFC 6070 (HMAC-SHA1) and RFC 7914 (HMAC-SHA256)', () => {
    for (const [password, salt, iterations, dk] of RFC6070) {
      const k = pbkdf2(pbkdf2Params(ascii(password), ascii(salt), iterations), [keyType(K.CKK_GENERIC_SECRET), valueLen(dk.length / 2)]);
      assert.equal(value(k).toString('hex'), dk);
    }
    for (const [password, salt, iterations, dk] of RFC7914) {
      const p = pbkdf2Params(password, ascii(salt), iterations, K.CKP_PKCS5_PBKD2_HMAC_SHA256);
      assert.equal(value(pbkdf2(p, [keyType(K.CKK_GENERIC_SECRET), valueLen(64)])).toString('hex'), dk);
    }
  });

  it('makes keys of any type; fixed-length types need no CKA_VALUE_LEN', () => {
    const p = pbkdf2Params('passwd', ascii('salt'), 1, K.CKP_PKCS5_PBKD2_HMAC_SHA256);
    const expected = hex(RFC7914[0]![3]);
    const aes = pbkdf2(p, [keyType(K.CKK_AES), valueLen(32)]);
    assert.deepEqual(value(aes), expected.subarray(0, 32));
    assert.equal(attr(aes, K.CKA_KEY_GEN_MECHANISM), K.CKM_PKCS5_PBKD2);
    const des3 = value(pbkdf2(p, [keyType(K.CKK_DES3)]));
    assert.equal(des3.length, 24);
    des3.forEach((byte, i) => {
      assert.equal(byte >> 1, expected[i]! >> 1, 'the key bits are the PBKDF2 output');
      assert.equal(byte.toString(2).split('1').length % 2, 0, 'each byte has odd parity');
    });
    const hmacKey = pbkdf2(p, [keyType(K.CKK_SHA256_HMAC), valueLen(20)]);
    assert.deepEqual(value(hmacKey), expected.subarray(0, 20));
  });

  it('refuses bad parameters and incomplete templates', () => {
    const good = pbkdf2Params('password', ascii('salt'), 2);
    const template = [keyType(K.CKK_GENERIC_SECRET), valueLen(20)];
    for (const bad of [
      undefined, Buffer.from('password'), { ...good, saltSource: 2 }, { ...good, pSaltSourceData: undefined },
      { ...good, iterations: 0 }, { ...good, iterations: -1 }, { ...good, prf: K.CKP_PKCS5_PBKD2_HMAC_GOSTR3411 },
      { ...good, prf: 99 }, { ...good, pPrfData: Buffer.of(1) }, { ...good, pPassword: undefined },
    ]) {
      throwsCKR(() => pbkdf2(bad, template), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(bad));
    }
    throwsCKR(() => pbkdf2(good, [valueLen(20)]), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => pbkdf2(good, [keyType(K.CKK_GENERIC_SECRET)]), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => pbkdf2(good, [keyType(K.CKK_AES), valueLen(20)]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => pbkdf2(good, [keyType(K.CKK_GENERIC_SECRET), valueLen(1 << 20)]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    assert.equal(t.p11.C_GetMechanismInfo(t.slot, K.CKM_PKCS5_PBKD2).flags & K.CKF_GENERATE, K.CKF_GENERATE);
  });
});

// ---- SP 800-108 ------------------------------------------------------------------------------

const iteration = (widthBits: number, littleEndian = false) =>
  ({ type: K.CK_SP800_108_ITERATION_VARIABLE, pValue: { bLittleEndian: littleEndian, ulWidthInBits: widthBits } });
const feedbackIteration = { type: K.CK_SP800_108_ITERATION_VARIABLE, pValue: null };
const counter = (widthBits: number, littleEndian = false) =>
  ({ type: K.CK_SP800_108_COUNTER, pValue: { bLittleEndian: littleEndian, ulWidthInBits: widthBits } });
const bytes = (b: Buffer) => ({ type: K.CK_SP800_108_BYTE_ARRAY, pValue: b });
const dkm = (method: number, widthBits: number, littleEndian = false) =>
  ({ type: K.CK_SP800_108_DKM_LENGTH, pValue: { dkmLengthMethod: method, bLittleEndian: littleEndian, ulWidthInBits: widthBits } });

/**
 * NIST CAVP SP 800-108 KDFCTR test vectors (KDFCTR_gen.txt), COUNT=0, L=128:
 * [PRF, counter location, r, KI, fixed data (before, after the counter), KO].
 */
const KDFCTR: [number, string, number, string, string, string, string][] = [
  [K.CKM_SHA256_HMAC, 'BEFORE_FIXED', 8, '3edc6b5b8f7aadbd713732b482b8f979286e1ea3b8f8f99c30c884cfe3349b83', '',
    '98e9988bb4cc8b34d7922e1c68ad692ba2a1d9ae15149571675f17a77ad49e80c8d2a85e831a26445b1f0ff44d7084a17206b4896c8112daad18605a',
    '6c037652990674a07844732d0ad985f9'],
  [K.CKM_SHA256_HMAC, 'BEFORE_FIXED', 16, '743434c930fe923c350ec202bef28b768cd6062cf233324e21a86c31f9406583', '',
    '9bdb8a454bd55ab30ced3fd420fde6d946252c875bfe986ed34927c7f7f0b106dab9cc85b4c702804965eb24c37ad883a8f695587a7b6094d3335bbc',
    '19c8a56db1d2a9afb793dc96fbde4c31'],
  [K.CKM_SHA256_HMAC, 'BEFORE_FIXED', 24, '388e93e0273e62f086f52f6f5369d9e4626d143dce3b6afc7caf2c6e7344276b', '',
    '697bb34b3fbe6853864cac3e1bc6c8c44a4335565479403d949fcbb5e2c1795f9a3849df743389d1a99fe75ef566e6227c591104122a6477dd8e8c8e',
    'd697442b3dd51f96cae949586357b9a6'],
  [K.CKM_SHA256_HMAC, 'BEFORE_FIXED', 32, 'dd1d91b7d90b2bd3138533ce92b272fbf8a369316aefe242e659cc0ae238afe0', '',
    '01322b96b30acd197979444e468e1c5c6859bf1b1cf951b7e725303e237e46b864a145fab25e517b08f8683d0315bb2911d80a0e8aba17f3b413faac',
    '10621342bfb0fd40046c0e29f2cfdbf0'],
  [K.CKM_AES_CMAC, 'BEFORE_FIXED', 8, 'dff1e50ac0b69dc40f1051d46c2b069c', '',
    'c16e6e02c5a3dcc8d78b9ac1306877761310455b4e41469951d9e6c2245a064b33fd8c3b01203a7824485bf0a64060c4648b707d2607935699316ea5',
    '8be8f0869b3c0ba97b71863d1b9f7813'],
  [K.CKM_AES_CMAC, 'AFTER_FIXED', 8, 'e61a51e1633e7d0de704dcebbd8f962f',
    '5eef88f8cb188e63e08e23c957ee424a3345da88400c567548b57693931a847501f8e1bce1c37a09ef8c6e2ad553dd0f603b52cc6d4e4cbb76eb6c8f', '',
    '63a5647d0fe69d21fc420b1a8ce34cc1'],
  [K.CKM_AES_CMAC, 'MIDDLE_FIXED', 16, '63cf79372dbe425d2c5832603fb96d93',
    '91f5b0021524e8f85dc4af0bb83a9386e89635d19f9e4652d8d1837d2cdcd0b20fa50c1397ed450410cc9109b2ae1bad0b85', '81205d2dc8429ce7e428',
    '50569fc30e309a6337c14c5ba320271f'],
  [K.CKM_AES_CMAC, 'BEFORE_FIXED', 32, 'c10b152e8c97b77e18704e0f0bd38305', '',
    '98cd4cbbbebe15d17dc86e6dbad800a2dcbd64f7c7ad0e78e9cf94ffdba89d03e97eadf6c4f7b806caf52aa38f09d0eb71d71f497bcc6906b48d36c4',
    '26faf61908ad9ee881b8305c221db53f'],
];

/** Data params with the counter between the fixed data before and after it. */
function counterData(r: number, before: string, afterCounter: string): unknown[] {
  return [
    ...(before ? [bytes(hex(before))] : []), iteration(r), ...(afterCounter ? [bytes(hex(afterCounter))] : []),
  ];
}

const KEY_FOR_PRF = (prf: number) => (prf === K.CKM_AES_CMAC ? K.CKK_AES : prf === K.CKM_DES3_CMAC ? K.CKK_DES3 : K.CKK_GENERIC_SECRET);

describe('CKM_SP800_108_COUNTER_KDF', () => {
  it('matches the NIST CAVP KDFCTR samples (HMAC-SHA256 and AES-CMAC, counter before, after and amid the data)', () => {
    for (const [prf, , r, ki, beforeData, afterData, ko] of KDFCTR) {
      const base = baseKey(hex(ki), KEY_FOR_PRF(prf));
      const params = { prfType: prf, pDataParams: counterData(r, beforeData, afterData) };
      assert.equal(derivedValue(K.CKM_SP800_108_COUNTER_KDF, params, base, [valueLen(16)]), ko);
    }
  });

  it('agrees with the openssl command over several blocks, label || 0x00 || context || [L]', { skip: !openssl && 'no openssl command' }, () => {
    const key = range(0x40, 0x5f);
    const label = ascii('label');
    const context = ascii('context');
    const pDataParams = [iteration(32), bytes(label), bytes(Buffer.of(0)), bytes(context), dkm(K.CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 32)];
    for (const [prf, keyT, macArgs] of [
      [K.CKM_SHA256_HMAC, K.CKK_GENERIC_SECRET, ['mac:HMAC', 'digest:SHA256']],
      [K.CKM_SHA3_512_HMAC, K.CKK_SHA3_512_HMAC, ['mac:HMAC', 'digest:SHA3-512']],
      [K.CKM_AES_CMAC, K.CKK_AES, ['mac:CMAC', 'cipher:AES-256-CBC']],
    ] as const) {
      const expected = opensslKdf(['-keylen', '70', ...macArgs.flatMap((a) => ['-kdfopt', a]), '-kdfopt', `hexkey:${key.toString('hex')}`,
        '-kdfopt', `hexsalt:${label.toString('hex')}`, '-kdfopt', `hexinfo:${context.toString('hex')}`, 'KBKDF']);
      const got = derivedValue(K.CKM_SP800_108_COUNTER_KDF, { prfType: prf, pDataParams }, baseKey(key, keyT), [valueLen(70)]);
      assert.equal(got, expected.toString('hex'));
    }
  });

  it('encodes the DKM length by keys or by segments, big- or little-endian', () => {
    const base = baseKey(range(1, 32));
    const run = (data: unknown[]) => derivedValue(K.CKM_SP800_108_COUNTER_KDF, { prfType: K.CKM_SHA256_HMAC, pDataParams: [iteration(8), ...data] }, base, [valueLen(40)]);
    assert.equal(run([dkm(K.CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 16)]), run([bytes(Buffer.of(0x01, 0x40))]));
    assert.equal(run([dkm(K.CK_SP800_108_DKM_LENGTH_SUM_OF_SEGMENTS, 16)]), run([bytes(Buffer.of(0x02, 0x00))]));
    assert.equal(run([dkm(K.CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 24, true)]), run([bytes(Buffer.of(0x40, 0x01, 0x00))]));
    // A little-endian counter: the first block is PRF([1]) whatever the endianness at width 8 ...
    const le = derivedValue(K.CKM_SP800_108_COUNTER_KDF, { prfType: K.CKM_SHA256_HMAC, pDataParams: [iteration(16, true)] }, base, [valueLen(64)]);
    const block = (i: Buffer) => createHmac('sha256', range(1, 32)).update(i).digest('hex');
    assert.equal(le, block(Buffer.of(1, 0)) + block(Buffer.of(2, 0)));
  });

  it('derives keys of the template\'s type, inheriting sensitivity and extractability the spec\'s way', () => {
    const [, , r, ki, b, a, ko] = KDFCTR[4]!;
    const params = { prfType: K.CKM_AES_CMAC, pDataParams: counterData(r, b, a) };
    const aes = derive(K.CKM_SP800_108_COUNTER_KDF, params, baseKey(hex(ki), K.CKK_AES), [keyType(K.CKK_AES), valueLen(16)]);
    assert.equal(value(aes).toString('hex'), ko);
    assert.equal(attr(aes, K.CKA_KEY_TYPE), K.CKK_AES);
    // Omitted CKA_SENSITIVE / CKA_EXTRACTABLE take the base key's values.
    const sensitiveBase = baseKey(hex(ki), K.CKK_AES, [{ type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_EXTRACTABLE, value: false }]);
    const inherited = t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_SP800_108_COUNTER_KDF, parameter: params }, sensitiveBase, [valueLen(16)]);
    assert.equal(attr(inherited, K.CKA_SENSITIVE), true);
    assert.equal(attr(inherited, K.CKA_EXTRACTABLE), false);
    throwsCKR(() => attr(inherited, K.CKA_VALUE), K.CKR_ATTRIBUTE_SENSITIVE);
    // ... and the template may say otherwise.
    assert.equal(value(derive(K.CKM_SP800_108_COUNTER_KDF, params, sensitiveBase, [valueLen(16)])).toString('hex'), ko);
  });

  it('refuses bad parameters, base keys and lengths', () => {
    const base = baseKey(range(1, 32));
    const run = (parameter: unknown, template: CK_ATTRIBUTE[] = [valueLen(32)], key = base) =>
      derive(K.CKM_SP800_108_COUNTER_KDF, parameter, key, template);
    const ok = { prfType: K.CKM_SHA256_HMAC, pDataParams: [iteration(8), bytes(ascii('label'))] };
    for (const bad of [
      undefined, Buffer.alloc(4), { ...ok, prfType: K.CKM_SHA512_224_HMAC }, { ...ok, prfType: K.CKM_AES_ECB },
      { ...ok, pDataParams: [] }, { ...ok, pDataParams: [bytes(ascii('no iteration variable'))] },
      { ...ok, pDataParams: [iteration(8), iteration(8)] }, { ...ok, pDataParams: [iteration(8), counter(8)] },
      { ...ok, pDataParams: [iteration(12)] }, { ...ok, pDataParams: [iteration(40)] }, { ...ok, pDataParams: [iteration(0)] },
      { ...ok, pDataParams: [{ type: K.CK_SP800_108_ITERATION_VARIABLE, pValue: null }] },
      { ...ok, pDataParams: [iteration(8), bytes(Buffer.alloc(0))] }, { ...ok, pDataParams: [iteration(8), { type: 99, pValue: null }] },
      { ...ok, pDataParams: [iteration(8), { type: K.CK_SP800_108_KEY_HANDLE, pValue: 'not a handle' }] },
      { ...ok, pDataParams: [iteration(8), dkm(7, 16)] },
      { ...ok, pDataParams: [iteration(8), dkm(K.CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 16), dkm(K.CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 16)] },
      { ...ok, pDataParams: [iteration(8), dkm(K.CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 8)] }, // 256 bits do not fit 8
      { ...ok, pAdditionalDerivedKeys: { pTemplate: [] } }, { ...ok, pAdditionalDerivedKeys: [{ phKey: 0 }] },
      { ...ok, pAdditionalDerivedKeys: [null] }, { ...ok, ulAdditionalDerivedKeys: 1 },
    ]) {
      throwsCKR(() => run(bad), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(bad));
    }
    throwsCKR(() => run(ok, []), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => run(ok, [keyType(K.CKK_AES)]), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => run({ ...ok, prfType: K.CKM_AES_CMAC }), K.CKR_KEY_TYPE_INCONSISTENT);
    throwsCKR(() => run(ok, [valueLen(32)], baseKey(range(1, 16), K.CKK_AES)), K.CKR_KEY_TYPE_INCONSISTENT);
    throwsCKR(() => run(ok, [valueLen(32)], baseKey(range(1, 32), K.CKK_SHA512_HMAC)), K.CKR_KEY_TYPE_INCONSISTENT);
    throwsCKR(() => run(ok, [valueLen(16)], baseKey(range(1, 16), K.CKK_HKDF)), K.CKR_KEY_TYPE_INCONSISTENT);
    // An 8-bit counter counts 255 blocks: 255 CMAC blocks are 4080 bytes, 4081 need a 256th.
    const cmac = { prfType: K.CKM_AES_CMAC, pDataParams: [iteration(8)] };
    const aesBase = baseKey(range(1, 16), K.CKK_AES);
    assert.equal(value(run(cmac, [valueLen(4080)], aesBase)).length, 4080);
    throwsCKR(() => run(cmac, [valueLen(4081)], aesBase), K.CKR_MECHANISM_PARAM_INVALID);
  });
  it('puts another key\'s value into the PRF input for CK_SP800_108_KEY_HANDLE', () => {
    const key = range(1, 32);
    const other = baseKey(range(100, 115));
    const parameter = { prfType: K.CKM_SHA256_HMAC, pDataParams: [iteration(8), { type: K.CK_SP800_108_KEY_HANDLE, pValue: other }, bytes(ascii('ctx'))] };
    const expected = createHmac('sha256', key).update(Buffer.concat([Buffer.of(1), range(100, 115), ascii('ctx')])).digest();
    assert.equal(derivedValue(K.CKM_SP800_108_COUNTER_KDF, parameter, baseKey(key), [valueLen(32)]), expected.toString('hex'));
    const notDerive = baseKey(range(100, 115));
    t.p11.C_SetAttributeValue(t.session, notDerive, [{ type: K.CKA_DERIVE, value: false }]);
    const withKey = (handle: number) => ({ ...parameter, pDataParams: [iteration(8), { type: K.CK_SP800_108_KEY_HANDLE, pValue: handle }] });
    throwsCKR(() => derive(K.CKM_SP800_108_COUNTER_KDF, withKey(notDerive), baseKey(key), [valueLen(32)]), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
    throwsCKR(() => derive(K.CKM_SP800_108_COUNTER_KDF, withKey(987654), baseKey(key), [valueLen(32)]), K.CKR_KEY_HANDLE_INVALID);
  });

  it('derives additional keys from disjoint PRF segments, after C_DeriveKey\'s own key (spec "Deriving Additional Keys")', () => {
    // The spec's example: a 48-byte key and a 16-byte key under HMAC-SHA256 take three 32-byte segments;
    // the DKM length is 512 bits summing keys, 768 summing segments.
    const key = range(1, 32);
    const prf = (i: number, L: number) =>
      createHmac('sha256', key).update(Buffer.concat([Buffer.of(i), ascii('label'), Buffer.from([L >> 8, L & 0xff])])).digest();
    for (const [method, L] of [[K.CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 512], [K.CK_SP800_108_DKM_LENGTH_SUM_OF_SEGMENTS, 768]] as const) {
      const extra = { pTemplate: [...READABLE, valueLen(16)], phKey: 0 };
      const parameter = {
        prfType: K.CKM_SHA256_HMAC, pDataParams: [iteration(8), bytes(ascii('label')), dkm(method, 16)], pAdditionalDerivedKeys: [extra],
      };
      const primary = derive(K.CKM_SP800_108_COUNTER_KDF, parameter, baseKey(key), [valueLen(48)]);
      assert.deepEqual(value(primary), Buffer.concat([prf(1, L), prf(2, L)]).subarray(0, 48));
      assert.notEqual(extra.phKey, 0);
      assert.notEqual(extra.phKey, primary);
      assert.deepEqual(value(extra.phKey), prf(3, L).subarray(0, 16));
      assert.equal(attr(extra.phKey, K.CKA_CLASS), K.CKO_SECRET_KEY);
      assert.equal(attr(extra.phKey, K.CKA_LOCAL), false);
    }
  });

  it('makes all the keys or none, and marks the additional key whose template failed', () => {
    const base = baseKey(range(1, 32));
    const objects = () => { t.p11.C_FindObjectsInit(t.session, []); const found = t.p11.C_FindObjects(t.session, 10000); t.p11.C_FindObjectsFinal(t.session); return found.length; };
    const before = objects();
    const good = { pTemplate: [...READABLE, valueLen(16)], phKey: 0 };
    const bad = { pTemplate: [keyType(K.CKK_AES), valueLen(17)], phKey: 77 };
    const parameter = { prfType: K.CKM_SHA256_HMAC, pDataParams: [iteration(8)], pAdditionalDerivedKeys: [good, bad] };
    throwsCKR(() => derive(K.CKM_SP800_108_COUNTER_KDF, parameter, base, [valueLen(16)]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    assert.equal(bad.phKey, K.CK_INVALID_HANDLE);
    assert.equal(good.phKey, 0);
    // A template the core refuses (an attribute the token sets) marks its entry the same way.
    const readOnly = { pTemplate: [valueLen(16), { type: K.CKA_LOCAL, value: true }], phKey: 77 };
    throwsCKR(() => derive(K.CKM_SP800_108_COUNTER_KDF, { ...parameter, pAdditionalDerivedKeys: [readOnly] }, base, [valueLen(16)]), K.CKR_ATTRIBUTE_READ_ONLY);
    assert.equal(readOnly.phKey, K.CK_INVALID_HANDLE);
    assert.equal(objects(), before);
  });

  it('gives the additional keys the base key\'s derive template and history', () => {
    const sealed = baseKey(range(1, 32), K.CKK_GENERIC_SECRET, [
      { type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_EXTRACTABLE, value: false },
      { type: K.CKA_DERIVE_TEMPLATE, value: [{ type: K.CKA_SENSITIVE, value: true }] },
    ]);
    const extra = { pTemplate: [valueLen(16)], phKey: 0 };
    const parameter = { prfType: K.CKM_SHA256_HMAC, pDataParams: [iteration(8)], pAdditionalDerivedKeys: [extra] };
    t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_SP800_108_COUNTER_KDF, parameter }, sealed, [valueLen(16)]);
    assert.equal(attr(extra.phKey, K.CKA_SENSITIVE), true);
    assert.equal(attr(extra.phKey, K.CKA_EXTRACTABLE), false);
    const contradicting = { pTemplate: [valueLen(16), { type: K.CKA_SENSITIVE, value: false }], phKey: 0 };
    throwsCKR(() => t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_SP800_108_COUNTER_KDF, parameter: { ...parameter, pAdditionalDerivedKeys: [contradicting] } }, sealed, [valueLen(16)]),
      K.CKR_TEMPLATE_INCONSISTENT);
    assert.equal(contradicting.phKey, K.CK_INVALID_HANDLE);
  });
});

describe('CKM_SP800_108_FEEDBACK_KDF', () => {
  it('with only the IV as PRF input, its first block is the PRF itself: RFC 4231, RFC 4493 and SP 800-38B MACs', () => {
    const feedbackMac = (prf: number, key: Buffer, type: number, message: Buffer | undefined, length: number) =>
      derivedValue(K.CKM_SP800_108_FEEDBACK_KDF, { prfType: prf, pDataParams: [feedbackIteration], pIV: message }, baseKey(key, type), [valueLen(length)]);
    // RFC 4231 test case 1.
    assert.equal(feedbackMac(K.CKM_SHA256_HMAC, Buffer.alloc(20, 0x0b), K.CKK_GENERIC_SECRET, ascii('Hi There'), 32),
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    // RFC 4493 section 4, examples 1-3 (AES-128 CMAC: empty, one block, a partial last block).
    const aesKey = hex('2b7e151628aed2a6abf7158809cf4f3c');
    const message = hex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411');
    assert.equal(feedbackMac(K.CKM_AES_CMAC, aesKey, K.CKK_AES, undefined, 16), 'bb1d6929e95937287fa37d129b756746');
    assert.equal(feedbackMac(K.CKM_AES_CMAC, aesKey, K.CKK_AES, message.subarray(0, 16), 16), '070a16b46b4d4144f79bdd9dd04a287c');
    assert.equal(feedbackMac(K.CKM_AES_CMAC, aesKey, K.CKK_AES, message, 16), 'dfa66747de9ae63030ca32611497c827');
    // NIST SP 800-38B appendix D.4, examples 13-16 (three-key TDEA CMAC).
    const tdeaKey = hex('8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5');
    const tdeaMessage = hex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51');
    for (const [length, mac] of [[0, 'b7a688e122ffaf95'], [8, '8e8f293136283797'], [20, '743ddbe0ce2dc2ed'], [32, '33e6b1092400eae5']] as const) {
      assert.equal(feedbackMac(K.CKM_DES3_CMAC, tdeaKey, K.CKK_DES3, length ? tdeaMessage.subarray(0, length) : undefined, 8), mac);
    }
  });

  it('agrees with the openssl command: K(i-1) || [i] || label || 0x00 || context || [L]', { skip: !openssl && 'no openssl command' }, () => {
    const key = range(0x00, 0x0f);
    const label = ascii('label');
    const context = ascii('context');
    const pDataParams = [feedbackIteration, counter(32), bytes(label), bytes(Buffer.of(0)), bytes(context), dkm(K.CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 32)];
    const common = ['-keylen', '72', '-kdfopt', 'mode:FEEDBACK', '-kdfopt', 'mac:HMAC', '-kdfopt', 'digest:SHA256',
      '-kdfopt', `hexkey:${key.toString('hex')}`, '-kdfopt', `hexsalt:${label.toString('hex')}`, '-kdfopt', `hexinfo:${context.toString('hex')}`];
    const iv = range(0xa0, 0xbf);
    const base = baseKey(key);
    const run = (pIV?: Buffer) => derivedValue(K.CKM_SP800_108_FEEDBACK_KDF, { prfType: K.CKM_SHA256_HMAC, pDataParams, pIV }, base, [valueLen(72)]);
    assert.equal(run(iv), opensslKdf([...common, '-kdfopt', `hexseed:${iv.toString('hex')}`, 'KBKDF']).toString('hex'));
    assert.equal(run(), opensslKdf([...common, 'KBKDF']).toString('hex'));
  });

  it('refuses a counter-format iteration variable and a miscounted list of additional keys', () => {
    const base = baseKey(range(1, 32));
    const run = (parameter: unknown) => derive(K.CKM_SP800_108_FEEDBACK_KDF, parameter, base, [valueLen(16)]);
    for (const bad of [
      { prfType: K.CKM_SHA256_HMAC, pDataParams: [iteration(8)] },
      { prfType: K.CKM_SHA256_HMAC, pDataParams: [feedbackIteration, counter(8), counter(8)] },
      { prfType: K.CKM_SHA256_HMAC, pDataParams: [feedbackIteration], pIV: 'iv' },
      { prfType: K.CKM_SHA256_HMAC, pDataParams: [feedbackIteration], ulAdditionalDerivedKeys: 1 },
    ]) {
      throwsCKR(() => run(bad), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(bad));
    }
  });
});

describe('CKM_SP800_108_DOUBLE_PIPELINE_KDF', () => {
  it('follows SP 800-108 section 5.3: A(i) = PRF(A(i-1)), K(i) = PRF(A(i) || [i] || fixed data)', () => {
    // No published vectors for this mode: the expected value is computed here from the definition.
    const key = range(0x20, 0x3f);
    const fixed = Buffer.concat([ascii('label'), Buffer.of(0), ascii('context'), Buffer.of(0x01, 0x40)]);
    const prf = (data: Buffer) => createHmac('sha256', key).update(data).digest();
    let a = fixed;
    const blocks: Buffer[] = [];
    for (let i = 1; i <= 2; i++) {
      a = prf(a);
      blocks.push(prf(Buffer.concat([a, Buffer.of(0, i), fixed])));
    }
    const pDataParams = [
      feedbackIteration, counter(16), bytes(ascii('label')), bytes(Buffer.of(0)), bytes(ascii('context')),
      dkm(K.CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 16),
    ];
    const got = derivedValue(K.CKM_SP800_108_DOUBLE_PIPELINE_KDF, { prfType: K.CKM_SHA256_HMAC, pDataParams }, baseKey(key), [valueLen(40)]);
    assert.equal(got, Buffer.concat(blocks).subarray(0, 40).toString('hex'));
    throwsCKR(() => derive(K.CKM_SP800_108_DOUBLE_PIPELINE_KDF, { prfType: K.CKM_SHA256_HMAC, pDataParams: [iteration(8)] }, baseKey(key), [valueLen(16)]),
      K.CKR_MECHANISM_PARAM_INVALID);
  });
});

// ---- simple derivations ---------------------------------------------------------------------

describe('simple key derivations', () => {
  const data = (d: Buffer) => ({ pData: d });

  it('concatenate, XOR and extract as the spec\'s examples show', () => {
    const base = baseKey(hex('01234567'));
    assert.equal(derivedValue(K.CKM_CONCATENATE_BASE_AND_DATA, data(hex('89abcdef')), base), '0123456789abcdef');
    assert.equal(derivedValue(K.CKM_CONCATENATE_DATA_AND_BASE, data(hex('89abcdef')), base), '89abcdef01234567');
    assert.equal(derivedValue(K.CKM_XOR_BASE_AND_DATA, data(hex('89abcdef')), base), '88888888');
    // XOR takes the shorter of key and data.
    assert.equal(derivedValue(K.CKM_XOR_BASE_AND_DATA, data(hex('89ab')), base), '8888');
    assert.equal(derivedValue(K.CKM_XOR_BASE_AND_DATA, data(hex('89abcdef0000')), base), '88888888');
    // Extraction: 16 bits of 0x329F84A9 from bit 21 on, wrapping around, are 0x9526.
    assert.equal(derivedValue(K.CKM_EXTRACT_KEY_FROM_KEY, 21, baseKey(hex('329f84a9')), [valueLen(2)]), '9526');
    assert.equal(derivedValue(K.CKM_EXTRACT_KEY_FROM_KEY, 0, baseKey(hex('329f84a9')), [valueLen(4)]), '329f84a9');
    assert.equal(derivedValue(K.CKM_EXTRACT_KEY_FROM_KEY, 4, baseKey(hex('329f84a9')), [valueLen(4)]), '29f84a93');
  });

  it('follow the template\'s length and type, with DES parity and check values', () => {
    const base = baseKey(range(0x10, 0x1f));
    assert.equal(derivedValue(K.CKM_CONCATENATE_BASE_AND_DATA, data(hex('aabb')), base, [valueLen(3)]), '101112');
    const des2 = value(derive(K.CKM_CONCATENATE_BASE_AND_DATA, data(hex('aabb')), base, [keyType(K.CKK_DES2)]));
    assert.equal(des2.toString('hex'), '101013131515161619191a1a1c1c1f1f');
    const aes = derive(K.CKM_CONCATENATE_DATA_AND_BASE, data(range(0, 15)), base, [keyType(K.CKK_AES), valueLen(32)]);
    const aesValue = value(aes);
    assert.deepEqual(attr(aes, K.CKA_CHECK_VALUE), createCipheriv('aes-256-ecb', aesValue, null).update(Buffer.alloc(16)).subarray(0, 3));
    throwsCKR(() => derive(K.CKM_CONCATENATE_BASE_AND_DATA, data(hex('aabb')), base, [keyType(K.CKK_AES)]), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => derive(K.CKM_CONCATENATE_BASE_AND_DATA, data(hex('aabb')), base, [valueLen(19)]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => derive(K.CKM_XOR_BASE_AND_DATA, data(hex('aabb')), base, [keyType(K.CKK_AES), valueLen(16)]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => derive(K.CKM_EXTRACT_KEY_FROM_KEY, 3, base), K.CKR_TEMPLATE_INCOMPLETE);
    throwsCKR(() => derive(K.CKM_EXTRACT_KEY_FROM_KEY, 3, base, [valueLen(17)]), K.CKR_ATTRIBUTE_VALUE_INVALID);
    throwsCKR(() => derive(K.CKM_CONCATENATE_BASE_AND_DATA, data(hex('aabb')), base, [{ type: K.CKA_CHECK_VALUE, value: Buffer.of(0, 0, 0) }]),
      K.CKR_ATTRIBUTE_VALUE_INVALID);
  });

  it('keep a sensitive base key sensitive and an unextractable one unextractable', () => {
    const sensitive = baseKey(range(1, 16), K.CKK_GENERIC_SECRET, [{ type: K.CKA_SENSITIVE, value: true }]);
    const fromSensitive = t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_XOR_BASE_AND_DATA, parameter: data(Buffer.alloc(16)) }, sensitive, []);
    assert.equal(attr(fromSensitive, K.CKA_SENSITIVE), true);
    throwsCKR(() => attr(fromSensitive, K.CKA_VALUE), K.CKR_ATTRIBUTE_SENSITIVE);
    // XOR with zeros would otherwise reveal the key.
    throwsCKR(() => derive(K.CKM_XOR_BASE_AND_DATA, data(Buffer.alloc(16)), sensitive), K.CKR_TEMPLATE_INCONSISTENT);
    throwsCKR(() => derive(K.CKM_EXTRACT_KEY_FROM_KEY, 0, sensitive, [valueLen(16)]), K.CKR_TEMPLATE_INCONSISTENT);
    const locked = baseKey(range(1, 16), K.CKK_GENERIC_SECRET, [{ type: K.CKA_EXTRACTABLE, value: false }]);
    throwsCKR(() => derive(K.CKM_CONCATENATE_DATA_AND_BASE, data(Buffer.of(1)), locked), K.CKR_TEMPLATE_INCONSISTENT);
    const fromLocked = t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_CONCATENATE_DATA_AND_BASE, parameter: data(Buffer.of(1)) }, locked, []);
    assert.equal(attr(fromLocked, K.CKA_EXTRACTABLE), false);
  });

  it('concatenate the base key and a second key named by handle, as protected as either', () => {
    const base = baseKey(range(1, 8));
    const other = baseKey(range(9, 16));
    assert.equal(derivedValue(K.CKM_CONCATENATE_BASE_AND_KEY, other, base), Buffer.concat([range(1, 8), range(9, 16)]).toString('hex'));
    const hidden = baseKey(range(9, 16), K.CKK_GENERIC_SECRET, [{ type: K.CKA_SENSITIVE, value: true }]);
    throwsCKR(() => derive(K.CKM_CONCATENATE_BASE_AND_KEY, hidden, base), K.CKR_TEMPLATE_INCONSISTENT, 'a readable key from a sensitive one');
    const fromHidden = t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_CONCATENATE_BASE_AND_KEY, parameter: hidden }, base, []);
    assert.equal(attr(fromHidden, K.CKA_SENSITIVE), true);
  });

  it('give a key made from two keys the history of both: always sensitive only if both always were', () => {
    const generated = () => t.p11.C_GenerateKey(t.session, { mechanism: K.CKM_GENERIC_SECRET_KEY_GEN }, [
      valueLen(16), { type: K.CKA_DERIVE, value: true }, { type: K.CKA_SENSITIVE, value: true },
    ]);
    const clean = generated();
    assert.equal(attr(clean, K.CKA_ALWAYS_SENSITIVE), true);
    const imported = baseKey(range(9, 24), K.CKK_GENERIC_SECRET, [{ type: K.CKA_SENSITIVE, value: true }]);
    const concat = (other: number) => t.p11.C_DeriveKey(t.session, { mechanism: K.CKM_CONCATENATE_BASE_AND_KEY, parameter: other }, clean, []);
    assert.equal(attr(concat(generated()), K.CKA_ALWAYS_SENSITIVE), true);
    assert.equal(attr(concat(imported), K.CKA_ALWAYS_SENSITIVE), false);
  });

  it('refuse bad parameters, a bad second key, and non-secret base keys', () => {
    const base = baseKey(range(1, 16));
    for (const mechanism of [K.CKM_CONCATENATE_BASE_AND_DATA, K.CKM_CONCATENATE_DATA_AND_BASE, K.CKM_XOR_BASE_AND_DATA]) {
      for (const bad of [undefined, hex('aabb'), {}, { pData: 'aabb' }, { pData: Buffer.alloc(0) }]) {
        throwsCKR(() => derive(mechanism, bad, base), K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(bad));
      }
    }
    for (const bad of [undefined, -1, 128, 1.5, '3']) {
      throwsCKR(() => derive(K.CKM_EXTRACT_KEY_FROM_KEY, bad, base, [valueLen(4)]), K.CKR_MECHANISM_PARAM_INVALID, String(bad));
    }
    throwsCKR(() => derive(K.CKM_CONCATENATE_BASE_AND_KEY, 'not a handle', base), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => derive(K.CKM_CONCATENATE_BASE_AND_KEY, 987654, base), K.CKR_KEY_HANDLE_INVALID);
    const noDerive = t.p11.C_CreateObject(t.session, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, keyType(K.CKK_GENERIC_SECRET), { type: K.CKA_VALUE, value: range(1, 4) },
    ]);
    throwsCKR(() => derive(K.CKM_CONCATENATE_BASE_AND_KEY, noDerive, base), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
    for (const mechanism of [K.CKM_CONCATENATE_BASE_AND_DATA, K.CKM_XOR_BASE_AND_DATA, K.CKM_EXTRACT_KEY_FROM_KEY, K.CKM_HKDF_DERIVE]) {
      assert.equal(t.p11.C_GetMechanismInfo(t.slot, mechanism).flags & K.CKF_DERIVE, K.CKF_DERIVE);
    }
  });
});
