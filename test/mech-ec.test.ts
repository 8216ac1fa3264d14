/**
 * Short Weierstrass and Montgomery curves (src/mechanisms/ec*.ts,
 * montgomery.ts) through the Cryptoki API: key pair generation on every
 * curve, ECDSA with and without hashing against RFC 6979's published
 * signatures, ECDH with the X9.63 and SP 800-56A KDFs (NIST CAVS vectors),
 * X25519/X448 against RFC 7748, PKCS#8 wrapping, and cross-checks with the
 * openssl command-line tool in both directions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import {
  ECDH, createCipheriv, createDecipheriv, createECDH, createHash, createPrivateKey, createPublicKey, diffieHellman, randomBytes,
  sign as nodeSign, verify as nodeVerify, type KeyObject,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../src/pkcs11/error.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../src/pkcs11/types.js';
import { hashKdf } from '../src/mechanisms/ec-ecdh.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN, type Fixture } from './helpers.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const sha = (name: string, data: Buffer): Buffer => createHash(name).update(data).digest();

/** DER of an OBJECT IDENTIFIER and of a PrintableString, the two CKA_EC_PARAMS forms offered. */
function oidParams(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const body = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk = [arc & 0x7f];
    for (let n = arc >> 7; n > 0; n >>= 7) chunk.unshift(0x80 | (n & 0x7f));
    body.push(...chunk);
  }
  return Buffer.from([0x06, body.length, ...body]);
}
const nameParams = (name: string): Buffer => Buffer.concat([Buffer.from([0x13, name.length]), Buffer.from(name, 'latin1')]);

interface CurveCase { name: string; oid: string; printable: string; opensslName: string; fieldBytes: number; orderBytes: number }
const CURVES: CurveCase[] = [
  { name: 'P-256', oid: '1.2.840.10045.3.1.7', printable: 'prime256v1', opensslName: 'prime256v1', fieldBytes: 32, orderBytes: 32 },
  { name: 'P-384', oid: '1.3.132.0.34', printable: 'secp384r1', opensslName: 'secp384r1', fieldBytes: 48, orderBytes: 48 },
  { name: 'P-521', oid: '1.3.132.0.35', printable: 'secp521r1', opensslName: 'secp521r1', fieldBytes: 66, orderBytes: 66 },
  { name: 'secp256k1', oid: '1.3.132.0.10', printable: 'secp256k1', opensslName: 'secp256k1', fieldBytes: 32, orderBytes: 32 },
  { name: 'brainpoolP256r1', oid: '1.3.36.3.3.2.8.1.1.7', printable: 'brainpoolP256r1', opensslName: 'brainpoolP256r1', fieldBytes: 32, orderBytes: 32 },
  { name: 'brainpoolP384r1', oid: '1.3.36.3.3.2.8.1.1.11', printable: 'brainpoolP384r1', opensslName: 'brainpoolP384r1', fieldBytes: 48, orderBytes: 48 },
  { name: 'brainpoolP512r1', oid: '1.3.36.3.3.2.8.1.1.13', printable: 'brainpoolP512r1', opensslName: 'brainpoolP512r1', fieldBytes: 64, orderBytes: 64 },
  { name: 'brainpoolP256t1', oid: '1.3.36.3.3.2.8.1.1.8', printable: 'brainpoolP256t1', opensslName: 'brainpoolP256t1', fieldBytes: 32, orderBytes: 32 },
  { name: 'brainpoolP320r1', oid: '1.3.36.3.3.2.8.1.1.9', printable: 'brainpoolP320r1', opensslName: 'brainpoolP320r1', fieldBytes: 40, orderBytes: 40 },
  { name: 'brainpoolP320t1', oid: '1.3.36.3.3.2.8.1.1.10', printable: 'brainpoolP320t1', opensslName: 'brainpoolP320t1', fieldBytes: 40, orderBytes: 40 },
  { name: 'brainpoolP384t1', oid: '1.3.36.3.3.2.8.1.1.12', printable: 'brainpoolP384t1', opensslName: 'brainpoolP384t1', fieldBytes: 48, orderBytes: 48 },
  { name: 'brainpoolP512t1', oid: '1.3.36.3.3.2.8.1.1.14', printable: 'brainpoolP512t1', opensslName: 'brainpoolP512t1', fieldBytes: 64, orderBytes: 64 },
];
const curve = (name: string): CurveCase => CURVES.find((c) => c.name === name)!;

const ECDSA_HASHED: [number, string][] = [
  [K.CKM_ECDSA_SHA1, 'sha1'], [K.CKM_ECDSA_SHA224, 'sha224'], [K.CKM_ECDSA_SHA256, 'sha256'], [K.CKM_ECDSA_SHA384, 'sha384'],
  [K.CKM_ECDSA_SHA512, 'sha512'], [K.CKM_ECDSA_SHA3_224, 'sha3-224'], [K.CKM_ECDSA_SHA3_256, 'sha3-256'],
  [K.CKM_ECDSA_SHA3_384, 'sha3-384'], [K.CKM_ECDSA_SHA3_512, 'sha3-512'],
];

// ---- RFC 6979 appendix A.2.5-A.2.7: keys and deterministic ECDSA signatures (verify-only here) ---------
interface Rfc6979Key { curve: string; x: string; ux: string; uy: string }
const RFC6979_P256: Rfc6979Key = {
  curve: 'P-256',
  x: 'C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721',
  ux: '60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6',
  uy: '7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299',
};
const RFC6979_P384: Rfc6979Key = {
  curve: 'P-384',
  x: '6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5',
  ux: 'EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13',
  uy: '8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720',
};
const RFC6979_P521: Rfc6979Key = {
  curve: 'P-521',
  x: '0FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75CAA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB89EC0C08B0E996B83538',
  ux: '1894550D0785932E00EAA23B694F213F8C3121F86DC97A04E5A7167DB4E5BCD371123D46E45DB6B5D5370A7F20FB633155D38FFA16D2BD761DCAC474B9A2F5023A4',
  uy: '0493101C962CD4D2FDDF782285E64584139C2F91B47F87FF82354D6630F746A28A0DB25741B5B34A828008B22ACC23F924FAAFBD4D33F81EA66956DFEAA2BFDFCF5',
};
interface Rfc6979Sig { key: Rfc6979Key; hash: string; mechanism: number; message: string; r: string; s: string }
const RFC6979_SIGNATURES: Rfc6979Sig[] = [
  // A.2.5: a hash as long as n, one longer (truncated) and one shorter.
  { key: RFC6979_P256, hash: 'sha256', mechanism: K.CKM_ECDSA_SHA256, message: 'sample',
    r: 'EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716', s: 'F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8' },
  { key: RFC6979_P256, hash: 'sha512', mechanism: K.CKM_ECDSA_SHA512, message: 'sample',
    r: '8496A60B5E9B47C825488827E0495B0E3FA109EC4568FD3F8D1097678EB97F00', s: '2362AB1ADBE2B8ADF9CB9EDAB740EA6049C028114F2460F96554F61FAE3302FE' },
  { key: RFC6979_P256, hash: 'sha1', mechanism: K.CKM_ECDSA_SHA1, message: 'test',
    r: '0CBCC86FD6ABD1D99E703E1EC50069EE5C0B4BA4B9AC60E409E8EC5910D81A89', s: '01B9D7B73DFAA60D5651EC4591A0136F87653E0FD780C3B1BC872FFDEAE479B1' },
  // A.2.6
  { key: RFC6979_P384, hash: 'sha384', mechanism: K.CKM_ECDSA_SHA384, message: 'sample',
    r: '94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46',
    s: '99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8' },
  { key: RFC6979_P384, hash: 'sha256', mechanism: K.CKM_ECDSA_SHA256, message: 'sample',
    r: '21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD',
    s: 'F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0AB0' },
  // A.2.7: r and s print as 131 hex digits; their 66-byte forms start with a zero byte.
  { key: RFC6979_P521, hash: 'sha512', mechanism: K.CKM_ECDSA_SHA512, message: 'sample',
    r: '0C328FAFCBD79DD77850370C46325D987CB525569FB63C5D3BC53950E6D4C5F174E25A1EE9017B5D450606ADD152B534931D7D4E8455CC91F9B15BF05EC36E377FA',
    s: '0617CCE7CF5064806C467F678D3B4080D6F1CC50AF26CA209417308281B68AF282623EAA63E5B5C0723D8B8C37FF0777B1A20F8CCB1DCCC43997F1EE0E44DA4A67A' },
  { key: RFC6979_P521, hash: 'sha1', mechanism: K.CKM_ECDSA_SHA1, message: 'sample',
    r: '0343B6EC45728975EA5CBA6659BBB6062A5FF89EEA58BE3C80B619F322C87910FE092F7D45BB0F8EEE01ED3F20BABEC079D202AE677B243AB40B5431D497C55D75D',
    s: '0E7B0E675A9B24413D448B8CC119D2BF7B2D2DF032741C096634D6D65D0DBE3D5694625FB9E8104D3B842C1B0E2D0B98BEA19341E8676AEF66AE4EBA3D5475D5D16' },
];

/** A big-endian number in hex, left-padded to `bytes`. */
const fixed = (hexDigits: string, bytes: number): Buffer => hex(hexDigits.padStart(bytes * 2, '0'));

// ---- NIST CAVS 12.0, SP 800-135 ANSI X9.63 KDF vectors (ansx963_2001.rsp) --------------------------------
const X963_VECTORS: { hash: string; z: string; info: string; key: string }[] = [
  // [SHA-1] [shared secret length = 192] [SharedInfo length = 0] [key data length = 128], COUNT = 0
  { hash: 'sha1', z: '1c7d7b5f0597b03d06a018466ed1a93e30ed4b04dc64ccdd', info: '', key: 'bf71dffd8f4d99223936beb46fee8ccc' },
  // [SHA-256] [shared secret length = 192] [SharedInfo length = 0] [key data length = 128], COUNT = 0
  { hash: 'sha256', z: '96c05619d56c328ab95fe84b18264b08725b85e33fd34f08', info: '', key: '443024c3dae66b95e6f5670601558f71' },
  // [SHA-256] [shared secret length = 192] [SharedInfo length = 128] [key data length = 1024], COUNT = 0
  { hash: 'sha256', z: '22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d', info: '75eef81aa3041e33b80971203d2c0c52',
    key: Buffer.from('xJivdxYcxZ8pYrmnE+KyFRUtE5dmzjSndt8Rhmppvy5SoT2cfG/IeMUMXqC8ewDg2iRHz9h09s+S8w0AlxEUhVAMkMOvi0h4ctBGhdFMjR3I1/oIvrDOCrq8EfC9SWJpFC1DUlp45bx5oX9ZZ2pXBtxU1U1NHwvX44YSjsJq/CE=', 'base64').toString('hex') },
];

// ---- RFC 7748 ----------------------------------------------------------------------------------------------
/** Section 6.1 (X25519) and 6.2 (X448): Alice's and Bob's keys and their shared secret. */
const RFC7748_AGREEMENT = [
  { curve: 'curve25519', oid: '1.3.101.110',
    aPriv: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
    aPub: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    bPriv: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
    bPub: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742' },
  { curve: 'curve448', oid: '1.3.101.111',
    aPriv: '9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b',
    aPub: '9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0',
    bPriv: '1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d',
    bPub: '3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609',
    shared: '07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d' },
];
/** Section 5.2, first X25519 vector: a scalar and a u-coordinate with its top bit set. */
const RFC7748_X25519_SCALAR = {
  scalar: 'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
  u: 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
  out: 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
};

// ---- helpers -----------------------------------------------------------------------------------------------

let f: Fixture;
let h: number;

const readable: CK_ATTRIBUTE[] = [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }];

function generate(params: Buffer, publicExtra: CK_ATTRIBUTE[] = [], privateExtra: CK_ATTRIBUTE[] = [], mechanism = K.CKM_EC_KEY_PAIR_GEN): [number, number] {
  return f.p11.C_GenerateKeyPair(h, { mechanism }, [{ type: K.CKA_EC_PARAMS, value: params }, ...publicExtra], privateExtra);
}

function attribute(hObject: number, type: number): Buffer {
  return f.p11.C_GetAttributeValue(h, hObject, [{ type }])[0]!.value as Buffer;
}

function ulong(hObject: number, type: number): number | boolean {
  return f.p11.C_GetAttributeValue(h, hObject, [{ type }])[0]!.value as number | boolean;
}

function importPrivate(keyType: number, params: Buffer, value: Buffer, extra: CK_ATTRIBUTE[] = []): number {
  return f.p11.C_CreateObject(h, [
    { type: K.CKA_CLASS, value: K.CKO_PRIVATE_KEY }, { type: K.CKA_KEY_TYPE, value: keyType },
    { type: K.CKA_EC_PARAMS, value: params }, { type: K.CKA_VALUE, value }, ...extra,
  ]);
}

function importPublic(keyType: number, params: Buffer, point: Buffer, extra: CK_ATTRIBUTE[] = []): number {
  return f.p11.C_CreateObject(h, [
    { type: K.CKA_CLASS, value: K.CKO_PUBLIC_KEY }, { type: K.CKA_KEY_TYPE, value: keyType },
    { type: K.CKA_EC_PARAMS, value: params }, { type: K.CKA_EC_POINT, value: point }, ...extra,
  ]);
}

/** CKA_EC_POINT of a short Weierstrass key: a DER OCTET STRING around the point. */
function octetString(point: Buffer): Buffer {
  const length = point.length < 0x80 ? Buffer.from([point.length]) : Buffer.from([0x81, point.length]);
  return Buffer.concat([Buffer.from([0x04]), length, point]);
}

/** The X9.62 point inside a CKA_EC_POINT. */
function pointOf(ecPoint: Buffer): Buffer {
  return ecPoint[1]! & 0x80 ? ecPoint.subarray(3) : ecPoint.subarray(2);
}

function sign(mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  f.p11.C_SignInit(h, mechanism, key);
  return f.p11.C_Sign(h, data);
}

function verify(mechanism: CK_MECHANISM, key: number, data: Buffer, signature: Buffer): void {
  f.p11.C_VerifyInit(h, mechanism, key);
  f.p11.C_Verify(h, data, signature);
}

function derive(base: number, parameter: unknown, template: CK_ATTRIBUTE[] = [], mechanism = K.CKM_ECDH1_DERIVE): number {
  return f.p11.C_DeriveKey(h, { mechanism, parameter }, base, [
    { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET }, ...readable, ...template,
  ]);
}

const ecdh = (pPublicData: Buffer, kdf = K.CKD_NULL, pSharedData: Buffer | null = null) => ({ kdf, pSharedData, pPublicData });

/** A node:crypto public key from the token's CKA_PUBLIC_KEY_INFO. */
const nodePublic = (hKey: number) => createPublicKey({ key: attribute(hKey, K.CKA_PUBLIC_KEY_INFO), format: 'der', type: 'spki' });

/** r || s to the DER ECDSA-Sig-Value openssl reads, and back. */
function derSignature(p1363: Buffer): Buffer {
  const int = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b[i]! & 0x80 ? Buffer.concat([Buffer.from([0]), b.subarray(i)]) : b.subarray(i);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const half = p1363.length / 2;
  const body = Buffer.concat([int(p1363.subarray(0, half)), int(p1363.subarray(half))]);
  const length = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), length, body]);
}

function p1363Signature(der: Buffer, orderBytes: number): Buffer {
  let offset = der[1]! & 0x80 ? 3 : 2;
  const parts: Buffer[] = [];
  for (let i = 0; i < 2; i++) {
    const length = der[offset + 1]!;
    parts.push(fixed(der.subarray(offset + 2, offset + 2 + length).toString('hex').replace(/^(00)+/, ''), orderBytes));
    offset += 2 + length;
  }
  return Buffer.concat(parts);
}

// ---- the tests ---------------------------------------------------------------------------------------------

describe('EC mechanisms', () => {
  before(() => {
    f = setup(STORE_KINDS[0]!);
    h = f.p11.C_OpenSession(f.slot, RW);
    f.p11.C_Login(h, K.CKU_USER, USER_PIN);
  });
  after(() => f.cleanup());

  it('lists the mechanisms with field sizes in bits and the EC flags', () => {
    const list = f.p11.C_GetMechanismList(f.slot);
    const base = K.CKF_EC_F_P | K.CKF_EC_OID | K.CKF_EC_CURVENAME | K.CKF_EC_UNCOMPRESS;
    const expect: [number, number, number, number][] = [
      [K.CKM_EC_KEY_PAIR_GEN, 256, 521, K.CKF_GENERATE_KEY_PAIR | base],
      [K.CKM_ECDSA, 256, 521, K.CKF_SIGN | K.CKF_VERIFY | base | K.CKF_EC_COMPRESS],
      ...ECDSA_HASHED.map(([m]): [number, number, number, number] => [m, 256, 521, K.CKF_SIGN | K.CKF_VERIFY | base | K.CKF_EC_COMPRESS]),
      [K.CKM_ECDH1_DERIVE, 255, 521, K.CKF_DERIVE | base | K.CKF_EC_COMPRESS],
      [K.CKM_ECDH1_COFACTOR_DERIVE, 256, 521, K.CKF_DERIVE | base | K.CKF_EC_COMPRESS],
      [K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN, 255, 448, K.CKF_GENERATE_KEY_PAIR | K.CKF_EC_F_P | K.CKF_EC_OID | K.CKF_EC_CURVENAME],
    ];
    for (const [mechanism, min, max, flags] of expect) {
      assert.ok(list.includes(mechanism), `0x${mechanism.toString(16)} listed`);
      assert.deepEqual(f.p11.C_GetMechanismInfo(f.slot, mechanism), { ulMinKeySize: min, ulMaxKeySize: max, flags });
    }
  });

  describe('key pair generation', () => {
    it('generates on every curve, named by OID or by name, with the computed attributes', () => {
      for (const c of CURVES) {
        for (const params of [oidParams(c.oid), nameParams(c.printable)]) {
          const [pub, priv] = generate(params, [], readable);
          const ecPoint = attribute(pub, K.CKA_EC_POINT);
          const point = pointOf(ecPoint);
          assert.deepEqual(ecPoint, octetString(point), `${c.name}: CKA_EC_POINT is a DER OCTET STRING`);
          assert.equal(point.length, 1 + 2 * c.fieldBytes, `${c.name}: uncompressed point`);
          assert.equal(point[0], 0x04);
          const d = attribute(priv, K.CKA_VALUE);
          assert.equal(d.length, c.orderBytes, `${c.name}: fixed-length private value`);
          const ecdhKey = createECDH(c.opensslName);
          ecdhKey.setPrivateKey(d);
          assert.deepEqual(ecdhKey.getPublicKey(), point, `${c.name}: Q = dG`);
          for (const k of [pub, priv]) {
            assert.deepEqual(attribute(k, K.CKA_EC_PARAMS), params);
            assert.equal(ulong(k, K.CKA_KEY_TYPE), K.CKK_EC);
            assert.equal(ulong(k, K.CKA_LOCAL), true);
            assert.equal(ulong(k, K.CKA_KEY_GEN_MECHANISM), K.CKM_EC_KEY_PAIR_GEN);
          }
          const info = attribute(pub, K.CKA_PUBLIC_KEY_INFO);
          assert.deepEqual(attribute(priv, K.CKA_PUBLIC_KEY_INFO), info);
          const spkiKey = createPublicKey({ key: info, format: 'der', type: 'spki' });
          assert.equal(spkiKey.asymmetricKeyDetails?.namedCurve, c.opensslName);
          assert.deepEqual(info.subarray(info.length - point.length), point, `${c.name}: the SPKI holds the point`);
        }
      }
    });

    it('refuses unknown curves, other kinds of curve, explicit and malformed parameters', () => {
      throwsCKR(() => generate(oidParams('1.3.132.0.33')), K.CKR_CURVE_NOT_SUPPORTED, 'secp224r1 is not offered');
      throwsCKR(() => generate(nameParams('nosuchcurve')), K.CKR_CURVE_NOT_SUPPORTED);
      throwsCKR(() => generate(oidParams('1.3.101.112')), K.CKR_CURVE_NOT_SUPPORTED, 'Ed25519 needs CKM_EC_EDWARDS_KEY_PAIR_GEN');
      throwsCKR(() => generate(nameParams('curve25519')), K.CKR_CURVE_NOT_SUPPORTED);
      throwsCKR(() => generate(hex('3003020101')), K.CKR_DOMAIN_PARAMS_INVALID, 'explicit parameters are not offered');
      throwsCKR(() => generate(hex('06082a8648ce3d0301')), K.CKR_DOMAIN_PARAMS_INVALID, 'truncated DER');
      throwsCKR(() => f.p11.C_GenerateKeyPair(h, { mechanism: K.CKM_EC_KEY_PAIR_GEN }, [], []), K.CKR_TEMPLATE_INCOMPLETE);
      throwsCKR(() => f.p11.C_GenerateKeyPair(h, { mechanism: K.CKM_EC_KEY_PAIR_GEN, parameter: Buffer.alloc(1) },
        [{ type: K.CKA_EC_PARAMS, value: oidParams(CURVES[0]!.oid) }], []), K.CKR_MECHANISM_PARAM_INVALID);
      throwsCKR(() => generate(oidParams(CURVES[0]!.oid), [], [{ type: K.CKA_EC_PARAMS, value: oidParams(CURVES[1]!.oid) }]),
        K.CKR_TEMPLATE_INCONSISTENT, 'the private template may not name another curve');
    });
  });

  describe('ECDSA', () => {
    it('verifies the RFC 6979 signatures, hashed by the token and by the caller (CKM_ECDSA)', () => {
      for (const v of RFC6979_SIGNATURES) {
        const c = curve(v.key.curve);
        const pub = importPublic(K.CKK_EC, oidParams(c.oid),
          octetString(Buffer.concat([Buffer.from([4]), fixed(v.key.ux, c.fieldBytes), fixed(v.key.uy, c.fieldBytes)])));
        const signature = Buffer.concat([fixed(v.r, c.orderBytes), fixed(v.s, c.orderBytes)]);
        const message = Buffer.from(v.message);
        verify({ mechanism: v.mechanism }, pub, message, signature);
        verify({ mechanism: K.CKM_ECDSA }, pub, sha(v.hash, message), signature);
        const tampered = Buffer.from(signature);
        tampered[tampered.length - 1]! ^= 1;
        throwsCKR(() => verify({ mechanism: v.mechanism }, pub, message, tampered), K.CKR_SIGNATURE_INVALID);
        throwsCKR(() => verify({ mechanism: K.CKM_ECDSA }, pub, sha(v.hash, message), tampered), K.CKR_SIGNATURE_INVALID);
        throwsCKR(() => verify({ mechanism: K.CKM_ECDSA }, pub, sha(v.hash, Buffer.from('other')), signature), K.CKR_SIGNATURE_INVALID);
      }
    });

    it('accepts halves shorter than nLen (the spec allows it) and refuses odd, empty and long signatures', () => {
      const v = RFC6979_SIGNATURES.find((s) => s.key === RFC6979_P521 && s.hash === 'sha512')!;
      const c = curve('P-521');
      const pub = importPublic(K.CKK_EC, oidParams(c.oid),
        octetString(Buffer.concat([Buffer.from([4]), fixed(v.key.ux, c.fieldBytes), fixed(v.key.uy, c.fieldBytes)])));
      const r = fixed(v.r, c.orderBytes);
      const s = fixed(v.s, c.orderBytes);
      assert.ok(r[0] === 0 && s[0] === 0);
      const short = Buffer.concat([r.subarray(1), s.subarray(1)]);
      const message = Buffer.from(v.message);
      verify({ mechanism: K.CKM_ECDSA_SHA512 }, pub, message, short);
      verify({ mechanism: K.CKM_ECDSA }, pub, sha('sha512', message), short);
      for (const mechanism of [K.CKM_ECDSA_SHA512, K.CKM_ECDSA]) {
        const data = mechanism === K.CKM_ECDSA ? sha('sha512', message) : message;
        const full = Buffer.concat([r, s]);
        throwsCKR(() => verify({ mechanism }, pub, data, full.subarray(1)), K.CKR_SIGNATURE_LEN_RANGE, 'odd length');
        throwsCKR(() => verify({ mechanism }, pub, data, Buffer.alloc(0)), K.CKR_SIGNATURE_LEN_RANGE, 'empty');
        throwsCKR(() => verify({ mechanism }, pub, data, Buffer.concat([full, Buffer.alloc(2)])), K.CKR_SIGNATURE_LEN_RANGE, 'too long');
        throwsCKR(() => verify({ mechanism }, pub, data, Buffer.concat([Buffer.alloc(66), s])), K.CKR_SIGNATURE_INVALID, 'r = 0');
        throwsCKR(() => verify({ mechanism }, pub, data, Buffer.concat([Buffer.alloc(66, 0xff), s])), K.CKR_SIGNATURE_INVALID, 'r >= n');
      }
    });

    it('signs with an imported RFC 6979 private key what node:crypto and the token verify', () => {
      for (const key of [RFC6979_P256, RFC6979_P384, RFC6979_P521]) {
        const c = curve(key.curve);
        const priv = importPrivate(K.CKK_EC, oidParams(c.oid), fixed(key.x, c.orderBytes));
        const point = Buffer.concat([Buffer.from([4]), fixed(key.ux, c.fieldBytes), fixed(key.uy, c.fieldBytes)]);
        const pub = importPublic(K.CKK_EC, nameParams(c.printable), octetString(point));
        const spkiKey = createPublicKey({ key: { kty: 'EC', crv: c.name, x: point.subarray(1, 1 + c.fieldBytes).toString('base64url'),
          y: point.subarray(1 + c.fieldBytes).toString('base64url') }, format: 'jwk' });
        const message = Buffer.from('sample');
        for (const hash of ['sha256', 'sha512']) {
          const raw = sign({ mechanism: K.CKM_ECDSA }, priv, sha(hash, message));
          assert.equal(raw.length, 2 * c.orderBytes);
          assert.ok(nodeVerify(hash, message, { key: spkiKey, dsaEncoding: 'ieee-p1363' }, raw), `${c.name} CKM_ECDSA over ${hash}`);
          verify({ mechanism: K.CKM_ECDSA }, pub, sha(hash, message), raw);
        }
      }
    });

    it('signs and verifies on every curve with every hash, single- and multi-part, as node:crypto does', () => {
      const message = randomBytes(300);
      for (const c of CURVES) {
        const [pub, priv] = generate(oidParams(c.oid), [], readable);
        const publicKey = nodePublic(pub);
        const privateKey = nodePrivate(c.oid, attribute(priv, K.CKA_VALUE));
        for (const [mechanism, hash] of ECDSA_HASHED) {
          const single = sign({ mechanism }, priv, message);
          assert.equal(single.length, 2 * c.orderBytes);
          assert.ok(nodeVerify(hash, message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, single), `${c.name} ${hash}`);
          f.p11.C_SignInit(h, { mechanism }, priv);
          f.p11.C_SignUpdate(h, message.subarray(0, 100));
          f.p11.C_SignUpdate(h, message.subarray(100));
          const multi = f.p11.C_SignFinal(h);
          verify({ mechanism }, pub, message, multi);
          f.p11.C_VerifyInit(h, { mechanism }, pub);
          f.p11.C_VerifyUpdate(h, message.subarray(0, 7));
          f.p11.C_VerifyUpdate(h, message.subarray(7));
          f.p11.C_VerifyFinal(h, single);
          // CKM_ECDSA over the same hash: what node:crypto signs, the token verifies, and back.
          const digest = sha(hash, message);
          const theirs = nodeSign(hash, message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
          verify({ mechanism: K.CKM_ECDSA }, pub, digest, theirs);
          assert.ok(nodeVerify(hash, message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sign({ mechanism: K.CKM_ECDSA }, priv, digest)));
        }
      }
    });

    it('hashes of any length go to CKM_ECDSA: empty, one byte, longer than any hash', () => {
      const c = curve('P-256');
      const [pub, priv] = generate(oidParams(c.oid));
      for (const length of [0, 1, 20, 31, 33, 100, 200]) {
        const input = randomBytes(length);
        verify({ mechanism: K.CKM_ECDSA }, pub, input, sign({ mechanism: K.CKM_ECDSA }, priv, input));
      }
    });

    it('answers length queries, CKR_BUFFER_TOO_SMALL keeps the operation', () => {
      const [pub, priv] = generate(oidParams(curve('P-384').oid));
      const digest = sha('sha384', Buffer.from('x'));
      f.p11.C_SignInit(h, { mechanism: K.CKM_ECDSA }, priv);
      assert.equal(f.p11.C_Sign(h, digest, null), 96);
      const e = throwsCKR(() => f.p11.C_Sign(h, digest, Buffer.alloc(95)), K.CKR_BUFFER_TOO_SMALL);
      assert.ok(e instanceof BufferTooSmallError && e.required === 96);
      const out = Buffer.alloc(100);
      assert.equal(f.p11.C_Sign(h, digest, out), 96);
      verify({ mechanism: K.CKM_ECDSA }, pub, digest, out.subarray(0, 96));
      throwsCKR(() => f.p11.C_Sign(h, digest), K.CKR_OPERATION_NOT_INITIALIZED, 'the signature ended the operation');

      f.p11.C_SignInit(h, { mechanism: K.CKM_ECDSA_SHA3_384 }, priv);
      f.p11.C_SignUpdate(h, Buffer.from('x'));
      assert.equal(f.p11.C_SignFinal(h, null), 96);
      throwsCKR(() => f.p11.C_SignFinal(h, Buffer.alloc(10)), K.CKR_BUFFER_TOO_SMALL);
      const final = Buffer.alloc(96);
      assert.equal(f.p11.C_SignFinal(h, final), 96);
      verify({ mechanism: K.CKM_ECDSA_SHA3_384 }, pub, Buffer.from('x'), final);
    });

    it('refuses multi-part CKM_ECDSA, parameters, other keys and other key types', () => {
      const [pub, priv] = generate(oidParams(curve('P-256').oid));
      const [otherPub] = generate(oidParams(curve('P-256').oid));
      f.p11.C_SignInit(h, { mechanism: K.CKM_ECDSA }, priv);
      throwsCKR(() => f.p11.C_SignUpdate(h, Buffer.alloc(32)), K.CKR_FUNCTION_NOT_SUPPORTED);
      throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_ECDSA, parameter: Buffer.alloc(0) }, priv), K.CKR_MECHANISM_PARAM_INVALID);
      throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_ECDSA_SHA256, parameter: { hashAlg: 1 } }, priv), K.CKR_MECHANISM_PARAM_INVALID);
      const digest = sha('sha256', Buffer.from('m'));
      const signature = sign({ mechanism: K.CKM_ECDSA }, priv, digest);
      throwsCKR(() => verify({ mechanism: K.CKM_ECDSA }, otherPub, digest, signature), K.CKR_SIGNATURE_INVALID, 'another key');
      throwsCKR(() => verify({ mechanism: K.CKM_ECDSA_SHA256 }, otherPub, Buffer.from('m'), sign({ mechanism: K.CKM_ECDSA_SHA256 }, priv, Buffer.from('m'))),
        K.CKR_SIGNATURE_INVALID);
      const [, x25519] = generate(nameParams('curve25519'), [], [], K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN);
      throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_ECDSA }, x25519), K.CKR_KEY_TYPE_INCONSISTENT);
      throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_ECDSA }, pub), K.CKR_KEY_TYPE_INCONSISTENT, 'a public key does not sign');
      // Bad key material is refused when it is imported.
      throwsCKR(() => importPrivate(K.CKK_EC, oidParams(curve('P-256').oid), Buffer.alloc(32, 0xff)), K.CKR_ATTRIBUTE_VALUE_INVALID, 'd >= n');
      throwsCKR(() => importPublic(K.CKK_EC, oidParams(curve('P-256').oid), octetString(Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]))),
        K.CKR_ATTRIBUTE_VALUE_INVALID, 'a point off the curve');
      throwsCKR(() => importPrivate(K.CKK_EC, oidParams('1.3.132.0.33'), Buffer.alloc(28, 1)), K.CKR_CURVE_NOT_SUPPORTED);
      const good = importPublic(K.CKK_EC, oidParams(curve('P-256').oid), attribute(pub, K.CKA_EC_POINT));
      assert.deepEqual(attribute(good, K.CKA_PUBLIC_KEY_INFO), attribute(pub, K.CKA_PUBLIC_KEY_INFO), 'and the SPKI follows from it');
    });

    it('reads public points given raw or compressed as well', () => {
      const c = curve('secp256k1');
      const [pub, priv] = generate(oidParams(c.oid));
      const point = pointOf(attribute(pub, K.CKA_EC_POINT));
      const compressedPoint = compress(point, c);
      const digest = sha('sha256', Buffer.from('forms'));
      const signature = sign({ mechanism: K.CKM_ECDSA }, priv, digest);
      for (const form of [point, compressedPoint, octetString(compressedPoint)]) {
        const other = importPublic(K.CKK_EC, oidParams(c.oid), form);
        verify({ mechanism: K.CKM_ECDSA }, other, digest, signature);
        verify({ mechanism: K.CKM_ECDSA_SHA256 }, other, Buffer.from('forms'), sign({ mechanism: K.CKM_ECDSA_SHA256 }, priv, Buffer.from('forms')));
      }
    });
  });

  describe('ECDH', () => {
    it('agrees on both sides, with the public data raw, DER-wrapped or compressed, and as node:crypto computes it', () => {
      for (const c of CURVES) {
        const [pubA, privA] = generate(oidParams(c.oid), [], [{ type: K.CKA_DERIVE, value: true }, ...readable]);
        const [pubB, privB] = generate(oidParams(c.oid), [], [{ type: K.CKA_DERIVE, value: true }]);
        const pointB = pointOf(attribute(pubB, K.CKA_EC_POINT));
        const ab = attribute(derive(privA, ecdh(pointB)), K.CKA_VALUE);
        const ba = attribute(derive(privB, ecdh(attribute(pubA, K.CKA_EC_POINT))), K.CKA_VALUE);
        assert.deepEqual(ab, ba, c.name);
        assert.equal(ab.length, c.fieldBytes);
        const a = createECDH(c.opensslName);
        a.setPrivateKey(attribute(privA, K.CKA_VALUE));
        assert.deepEqual(a.computeSecret(pointB), ab, `${c.name}: node:crypto agrees`);
        const compressedB = compress(pointB, c);
        assert.deepEqual(attribute(derive(privA, ecdh(compressedB)), K.CKA_VALUE), ab);
        assert.deepEqual(attribute(derive(privA, ecdh(pointB), [], K.CKM_ECDH1_COFACTOR_DERIVE), K.CKA_VALUE), ab, 'cofactor 1');
      }
    });

    it('truncates by CKA_VALUE_LEN or the key type, keeping the last bytes with CKD_NULL', () => {
      const c = curve('P-384');
      const [, privA] = generate(oidParams(c.oid), [], [{ type: K.CKA_DERIVE, value: true }]);
      const [pubB] = generate(oidParams(c.oid));
      const pointB = pointOf(attribute(pubB, K.CKA_EC_POINT));
      const z = attribute(derive(privA, ecdh(pointB)), K.CKA_VALUE);
      assert.equal(z.length, 48);
      const short = derive(privA, ecdh(pointB), [{ type: K.CKA_VALUE_LEN, value: 20 }]);
      assert.deepEqual(attribute(short, K.CKA_VALUE), z.subarray(28));
      assert.equal(ulong(short, K.CKA_VALUE_LEN), 20);
      const aes = f.p11.C_DeriveKey(h, { mechanism: K.CKM_ECDH1_DERIVE, parameter: ecdh(pointB) }, privA, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_VALUE_LEN, value: 32 }, ...readable,
      ]);
      assert.deepEqual(attribute(aes, K.CKA_VALUE), z.subarray(16));
      throwsCKR(() => derive(privA, ecdh(pointB), [{ type: K.CKA_VALUE_LEN, value: 49 }]), K.CKR_ATTRIBUTE_VALUE_INVALID, 'longer than Z');
      throwsCKR(() => f.p11.C_DeriveKey(h, { mechanism: K.CKM_ECDH1_DERIVE, parameter: ecdh(pointB) }, privA, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES },
      ]), K.CKR_TEMPLATE_INCOMPLETE, 'an AES key needs its length');
    });

    it('applies the X9.63 and SP 800-56A KDFs as openssl does', () => {
      const c = curve('P-256');
      const [, privA] = generate(oidParams(c.oid), [], [{ type: K.CKA_DERIVE, value: true }, ...readable]);
      const [pubB] = generate(oidParams(c.oid));
      const pointB = pointOf(attribute(pubB, K.CKA_EC_POINT));
      const z = attribute(derive(privA, ecdh(pointB)), K.CKA_VALUE);
      const info = Buffer.from('shared info');
      const openssl = (kdf: string, digest: string, length: number, withInfo: boolean) => hex(execFileSync('openssl', [
        'kdf', '-keylen', String(length), '-kdfopt', `digest:${digest}`, '-kdfopt', `hexsecret:${z.toString('hex')}`,
        ...(withInfo ? ['-kdfopt', `hexinfo:${info.toString('hex')}`] : []), kdf,
      ]).toString().replace(/:/g, '').trim());
      const cases: [number, string, string][] = [
        [K.CKD_SHA1_KDF, 'X963KDF', 'SHA1'], [K.CKD_SHA224_KDF, 'X963KDF', 'SHA224'], [K.CKD_SHA256_KDF, 'X963KDF', 'SHA256'],
        [K.CKD_SHA384_KDF, 'X963KDF', 'SHA384'], [K.CKD_SHA512_KDF, 'X963KDF', 'SHA512'], [K.CKD_SHA3_256_KDF, 'X963KDF', 'SHA3-256'],
        [K.CKD_SHA3_512_KDF, 'X963KDF', 'SHA3-512'], [K.CKD_SHA256_KDF_SP800, 'SSKDF', 'SHA256'], [K.CKD_SHA3_384_KDF_SP800, 'SSKDF', 'SHA3-384'],
      ];
      for (const [kdf, name, digest] of cases) {
        const derived = attribute(derive(privA, ecdh(pointB, kdf, info), [{ type: K.CKA_VALUE_LEN, value: 70 }]), K.CKA_VALUE);
        assert.deepEqual(derived, openssl(name, digest, 70, true), `${name} ${digest}`);
      }
      // Without shared data, and the default length (that of Z).
      const plain = attribute(derive(privA, ecdh(pointB, K.CKD_SHA256_KDF)), K.CKA_VALUE);
      assert.deepEqual(plain, openssl('X963KDF', 'SHA256', 32, false));
    });

    it('matches the NIST CAVS X9.63 KDF vectors', () => {
      for (const v of X963_VECTORS) {
        assert.equal(hashKdf(v.hash, 'x963', hex(v.z), hex(v.info), v.key.length / 2).toString('hex'), v.key);
      }
    });

    it('refuses bad parameters and bad public data', () => {
      const c = curve('P-256');
      const [, priv] = generate(oidParams(c.oid), [], [{ type: K.CKA_DERIVE, value: true }]);
      const [pub] = generate(oidParams(c.oid));
      const point = pointOf(attribute(pub, K.CKA_EC_POINT));
      const offCurve = Buffer.from(point);
      offCurve[64]! ^= 1;
      throwsCKR(() => derive(priv, ecdh(offCurve)), K.CKR_MECHANISM_PARAM_INVALID, 'a point off the curve');
      throwsCKR(() => derive(priv, ecdh(point.subarray(1))), K.CKR_MECHANISM_PARAM_INVALID, 'a wrong length');
      throwsCKR(() => derive(priv, ecdh(pointOf(attribute(generate(oidParams(curve('P-384').oid))[0], K.CKA_EC_POINT)))),
        K.CKR_MECHANISM_PARAM_INVALID, 'a point of another curve');
      throwsCKR(() => derive(priv, ecdh(point, K.CKD_NULL, Buffer.from('x'))), K.CKR_MECHANISM_PARAM_INVALID, 'CKD_NULL with shared data');
      throwsCKR(() => derive(priv, ecdh(point, K.CKD_BLAKE2B_256_KDF)), K.CKR_MECHANISM_PARAM_INVALID, 'an unsupported KDF');
      throwsCKR(() => derive(priv, ecdh(point, 0x7777)), K.CKR_MECHANISM_PARAM_INVALID);
      throwsCKR(() => derive(priv, undefined), K.CKR_MECHANISM_PARAM_INVALID);
      throwsCKR(() => derive(priv, point), K.CKR_MECHANISM_PARAM_INVALID, 'bytes instead of the structure');
      throwsCKR(() => derive(priv, { kdf: K.CKD_NULL, pSharedData: null, pPublicData: null }), K.CKR_MECHANISM_PARAM_INVALID);
      const [, noDerive] = generate(oidParams(c.oid));
      throwsCKR(() => derive(noDerive, ecdh(point)), K.CKR_KEY_FUNCTION_NOT_PERMITTED);
    });
  });

  describe('X25519 and X448', () => {
    it('agree as RFC 7748 section 6 says, with the curve by OID or by name and the public data raw or DER', () => {
      for (const v of RFC7748_AGREEMENT) {
        for (const params of [oidParams(v.oid), nameParams(v.curve)]) {
          const alice = importPrivate(K.CKK_EC_MONTGOMERY, params, hex(v.aPriv), [{ type: K.CKA_DERIVE, value: true }]);
          const bob = importPrivate(K.CKK_EC_MONTGOMERY, params, hex(v.bPriv), [{ type: K.CKA_DERIVE, value: true }]);
          assert.equal(attribute(derive(alice, ecdh(hex(v.bPub))), K.CKA_VALUE).toString('hex'), v.shared);
          assert.equal(attribute(derive(bob, ecdh(octetString(hex(v.aPub)))), K.CKA_VALUE).toString('hex'), v.shared);
        }
      }
    });

    it('computes the RFC 7748 section 5.2 X25519 vector', () => {
      const k = importPrivate(K.CKK_EC_MONTGOMERY, oidParams('1.3.101.110'), hex(RFC7748_X25519_SCALAR.scalar), [{ type: K.CKA_DERIVE, value: true }]);
      assert.equal(attribute(derive(k, ecdh(hex(RFC7748_X25519_SCALAR.u))), K.CKA_VALUE).toString('hex'), RFC7748_X25519_SCALAR.out);
    });

    it('generates key pairs whose public key is the raw RFC 7748 encoding, and refuses other curves', () => {
      for (const [params, length, type] of [[nameParams('curve25519'), 32, 'x25519'], [oidParams('1.3.101.111'), 56, 'x448']] as const) {
        const [pubA, privA] = generate(params, [], [{ type: K.CKA_DERIVE, value: true }, ...readable], K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN);
        const [pubB, privB] = generate(params, [], [{ type: K.CKA_DERIVE, value: true }], K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN);
        const rawA = attribute(pubA, K.CKA_EC_POINT);
        assert.equal(rawA.length, length, 'CKA_EC_POINT is the raw public key (PKCS #11 3.2)');
        assert.equal(ulong(pubA, K.CKA_KEY_TYPE), K.CKK_EC_MONTGOMERY);
        assert.deepEqual(attribute(privA, K.CKA_EC_PARAMS), params);
        const value = attribute(privA, K.CKA_VALUE);
        assert.equal(value.length, length);
        const nodeKey = createPrivateKey({ key: { kty: 'OKP', crv: type === 'x25519' ? 'X25519' : 'X448', d: value.toString('base64url'),
          x: rawA.toString('base64url') }, format: 'jwk' });
        assert.deepEqual(createPublicKey(nodeKey).export({ format: 'der', type: 'spki' }), attribute(pubA, K.CKA_PUBLIC_KEY_INFO));
        const ab = attribute(derive(privA, ecdh(attribute(pubB, K.CKA_EC_POINT))), K.CKA_VALUE);
        assert.deepEqual(attribute(derive(privB, ecdh(rawA)), K.CKA_VALUE), ab);
        assert.deepEqual(diffieHellman({ privateKey: nodeKey, publicKey: nodePublic(pubB) }), ab);
      }
      throwsCKR(() => generate(nameParams('edwards25519'), [], [], K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN), K.CKR_CURVE_NOT_SUPPORTED);
      throwsCKR(() => generate(oidParams(CURVES[0]!.oid), [], [], K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN), K.CKR_CURVE_NOT_SUPPORTED);
    });

    it('refuses a small-order public key, a wrong length and the cofactor mechanism', () => {
      const k = importPrivate(K.CKK_EC_MONTGOMERY, oidParams('1.3.101.110'), randomBytes(32), [{ type: K.CKA_DERIVE, value: true }]);
      throwsCKR(() => derive(k, ecdh(Buffer.alloc(32))), K.CKR_MECHANISM_PARAM_INVALID, 'u = 0 gives an all-zero secret');
      throwsCKR(() => derive(k, ecdh(Buffer.alloc(31, 9))), K.CKR_MECHANISM_PARAM_INVALID);
      throwsCKR(() => derive(k, ecdh(hex(RFC7748_X25519_SCALAR.u)), [], K.CKM_ECDH1_COFACTOR_DERIVE), K.CKR_KEY_TYPE_INCONSISTENT);
    });
  });

  describe('PKCS #8 wrapping', () => {
    it('wraps EC and Montgomery private keys under AES key wrap and unwraps them to working keys', () => {
      const kek = randomBytes(32);
      const aes = f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_VALUE, value: kek },
        { type: K.CKA_WRAP, value: true }, { type: K.CKA_UNWRAP, value: true },
      ]);
      const mechanism = { mechanism: K.CKM_AES_KEY_WRAP_KWP };
      const unwrap = (wrapped: Buffer, keyType: number, extra: CK_ATTRIBUTE[] = []) => f.p11.C_UnwrapKey(h, mechanism, aes, wrapped, [
        { type: K.CKA_CLASS, value: K.CKO_PRIVATE_KEY }, { type: K.CKA_KEY_TYPE, value: keyType }, ...extra,
      ]);
      const pkcs8Of = (wrapped: Buffer) => {
        const d = createDecipheriv('id-aes256-wrap-pad', kek, hex('a65959a6'));
        return Buffer.concat([d.update(wrapped), d.final()]);
      };

      for (const c of [curve('P-384'), curve('brainpoolP256r1')]) {
        const [pub, priv] = generate(nameParams(c.printable), [], [{ type: K.CKA_EXTRACTABLE, value: true }]);
        const wrapped = f.p11.C_WrapKey(h, mechanism, aes, priv);
        const nodeKey = createPrivateKey({ key: pkcs8Of(wrapped), format: 'der', type: 'pkcs8' });
        assert.equal(nodeKey.asymmetricKeyDetails?.namedCurve, c.opensslName);
        assert.deepEqual(createPublicKey(nodeKey).export({ format: 'der', type: 'spki' }), attribute(pub, K.CKA_PUBLIC_KEY_INFO),
          'the PKCS #8 carries the public key too');
        const back = unwrap(wrapped, K.CKK_EC);
        assert.deepEqual(attribute(back, K.CKA_EC_PARAMS), oidParams(c.oid), 'an unwrapped key names its curve by OID');
        assert.deepEqual(attribute(back, K.CKA_PUBLIC_KEY_INFO), attribute(pub, K.CKA_PUBLIC_KEY_INFO));
        const digest = sha('sha256', Buffer.from('wrapped'));
        verify({ mechanism: K.CKM_ECDSA }, pub, digest, sign({ mechanism: K.CKM_ECDSA }, back, digest));
      }

      const [pubX, privX] = generate(oidParams('1.3.101.111'), [], [{ type: K.CKA_EXTRACTABLE, value: true }, { type: K.CKA_DERIVE, value: true }],
        K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN);
      const wrappedX = f.p11.C_WrapKey(h, mechanism, aes, privX);
      assert.equal(createPrivateKey({ key: pkcs8Of(wrappedX), format: 'der', type: 'pkcs8' }).asymmetricKeyType, 'x448');
      const backX = unwrap(wrappedX, K.CKK_EC_MONTGOMERY, [{ type: K.CKA_DERIVE, value: true }]);
      const [peer] = generate(oidParams('1.3.101.111'), [], [], K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN);
      const peerPoint = attribute(peer, K.CKA_EC_POINT);
      assert.deepEqual(attribute(derive(backX, ecdh(peerPoint)), K.CKA_VALUE), attribute(derive(privX, ecdh(peerPoint)), K.CKA_VALUE));
      assert.deepEqual(attribute(backX, K.CKA_PUBLIC_KEY_INFO), attribute(pubX, K.CKA_PUBLIC_KEY_INFO));

      // A PKCS #8 key on a curve the token does not offer.
      const p224Key = nodePrivate('1.3.132.0.33', randomBytes(27));
      const c = createCipheriv('id-aes256-wrap-pad', kek, hex('a65959a6'));
      const wrappedP224 = Buffer.concat([c.update(p224Key.export({ format: 'der', type: 'pkcs8' })), c.final()]);
      throwsCKR(() => unwrap(wrappedP224, K.CKK_EC), K.CKR_CURVE_NOT_SUPPORTED);
    });
  });

  describe('openssl cross-checks', () => {
    let dir: string;
    const file = (name: string, content?: Buffer | string): string => {
      const path = join(dir, name);
      if (content !== undefined) writeFileSync(path, content);
      return path;
    };
    const openssl = (...args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const pem = (der: Buffer, label: string) => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;

    before(() => { dir = mkdtempSync(join(tmpdir(), 'ec-openssl-')); });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('openssl verifies the token\'s ECDSA signatures (hashed by either side)', () => {
      const data = file('data.bin', randomBytes(1000));
      for (const c of [curve('P-256'), curve('secp256k1'), curve('brainpoolP384r1'), curve('P-521')]) {
        const [pub, priv] = generate(oidParams(c.oid));
        const pubPem = file(`${c.name}.pub.pem`, pem(attribute(pub, K.CKA_PUBLIC_KEY_INFO), 'PUBLIC KEY'));
        const content = readFileSync(data);
        const hashed = sign({ mechanism: K.CKM_ECDSA_SHA384 }, priv, content);
        openssl('dgst', '-sha384', '-verify', pubPem, '-signature', file('sig.der', derSignature(hashed)), data);
        const digest = sha('sha512', content);
        const raw = sign({ mechanism: K.CKM_ECDSA }, priv, digest);
        openssl('pkeyutl', '-verify', '-pubin', '-inkey', pubPem, '-in', file('digest.bin', digest), '-sigfile', file('raw.der', derSignature(raw)));
        assert.throws(() => openssl('dgst', '-sha256', '-verify', pubPem, '-signature', file('sig.der', derSignature(hashed)), data),
          'openssl rejects it under another hash');
      }
    });

    it('the token verifies openssl\'s signatures and agrees with openssl on ECDH', () => {
      const data = file('data.bin', randomBytes(777));
      for (const c of [curve('P-384'), curve('brainpoolP512r1')]) {
        const keyPem = file(`${c.name}.key.pem`);
        openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${c.opensslName}`, '-pkeyopt', 'ec_param_enc:named_curve', '-out', keyPem);
        const theirs = createPrivateKey(readFileSync(keyPem));
        const theirSpki = createPublicKey(theirs).export({ format: 'der', type: 'spki' });
        const theirPoint = theirSpki.subarray(theirSpki.length - (1 + 2 * c.fieldBytes));
        const pub = importPublic(K.CKK_EC, oidParams(c.oid), octetString(theirPoint));
        const sigFile = file('sig.der');
        openssl('dgst', '-sha3-256', '-sign', keyPem, '-out', sigFile, data);
        verify({ mechanism: K.CKM_ECDSA_SHA3_256 }, pub, readFileSync(data), p1363Signature(readFileSync(sigFile), c.orderBytes));
        const digest = sha('sha224', readFileSync(data));
        openssl('pkeyutl', '-sign', '-inkey', keyPem, '-in', file('digest.bin', digest), '-out', sigFile);
        verify({ mechanism: K.CKM_ECDSA }, pub, digest, p1363Signature(readFileSync(sigFile), c.orderBytes));

        const [ourPub, ourPriv] = generate(oidParams(c.oid), [], [{ type: K.CKA_DERIVE, value: true }]);
        const ourPem = file('ours.pub.pem', pem(attribute(ourPub, K.CKA_PUBLIC_KEY_INFO), 'PUBLIC KEY'));
        const opensslSecret = openssl('pkeyutl', '-derive', '-inkey', keyPem, '-peerkey', ourPem);
        assert.deepEqual(attribute(derive(ourPriv, ecdh(theirPoint)), K.CKA_VALUE), opensslSecret, c.name);
      }
      for (const algorithm of ['X25519', 'X448']) {
        const keyPem = file(`${algorithm}.key.pem`);
        openssl('genpkey', '-algorithm', algorithm, '-out', keyPem);
        const theirSpki = createPublicKey(createPrivateKey(readFileSync(keyPem))).export({ format: 'der', type: 'spki' });
        const length = algorithm === 'X25519' ? 32 : 56;
        const [ourPub, ourPriv] = generate(nameParams(algorithm === 'X25519' ? 'curve25519' : 'curve448'), [],
          [{ type: K.CKA_DERIVE, value: true }], K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN);
        const ourPem = file('ours.pub.pem', pem(attribute(ourPub, K.CKA_PUBLIC_KEY_INFO), 'PUBLIC KEY'));
        const opensslSecret = openssl('pkeyutl', '-derive', '-inkey', keyPem, '-peerkey', ourPem);
        assert.deepEqual(attribute(derive(ourPriv, ecdh(theirSpki.subarray(theirSpki.length - length))), K.CKA_VALUE), opensslSecret, algorithm);
      }
    });
  });
});

/** A node:crypto private key from a scalar: SEC 1 ECPrivateKey without the public key (OpenSSL computes it). */
function nodePrivate(curveOid: string, d: Buffer): KeyObject {
  const tlv = (tag: number, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts);
    return Buffer.concat([Buffer.from([tag, body.length]), body]);
  };
  const der = tlv(0x30, tlv(0x02, Buffer.from([1])), tlv(0x04, d), tlv(0xa0, oidParams(curveOid)));
  return createPrivateKey({ key: der, format: 'der', type: 'sec1' });
}

const compress = (point: Buffer, c: CurveCase): Buffer =>
  ECDH.convertKey(point, c.opensslName, undefined, undefined, 'compressed') as Buffer;
