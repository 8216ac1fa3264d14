/**
 * Edwards curves (src/mechanisms/eddsa.ts) through the Cryptoki API: key pair
 * generation, CKM_EDDSA in the five RFC 8032 schemes against the RFC's test
 * vectors, CK_EDDSA_PARAMS checking, PKCS #8 wrapping, and cross-checks with
 * the openssl command-line tool in both directions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createPrivateKey, createPublicKey, randomBytes, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../src/pkcs11/error.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../src/pkcs11/types.js';
import { RW, setup, STORE_KINDS, throwsCKR, USER_PIN, type Fixture } from './helpers.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** CKA_EC_PARAMS: the RFC 8410 OIDs and the RFC 8032 curve names as PrintableStrings. */
const ED25519_OID = hex('06032b6570');
const ED448_OID = hex('06032b6571');
const nameParams = (name: string): Buffer => Buffer.concat([Buffer.from([0x13, name.length]), Buffer.from(name, 'latin1')]);

// ---- RFC 8032 section 7 test vectors -------------------------------------------------------------------
type Scheme = 'Ed25519' | 'Ed25519ctx' | 'Ed25519ph' | 'Ed448' | 'Ed448ph';
interface Vector { scheme: Scheme; section: string; secret: string; public: string; message: string; context?: string; signature: string }
const VECTORS: Vector[] = [
  { scheme: 'Ed25519', section: '7.1 TEST 1',
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b' },
  { scheme: 'Ed25519', section: '7.1 TEST 2',
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00' },
  { scheme: 'Ed25519', section: '7.1 TEST 3',
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a' },
  { scheme: 'Ed25519ctx', section: '7.2 foo',
    secret: '0305334e381af78f141cb666f6199f57bc3495335a256a95bd2a55bf546663f6',
    public: 'dfc9425e4f968f7f0c29f0259cf5f9aed6851c2bb4ad8bfb860cfee0ab248292',
    message: 'f726936d19c800494e3fdaff20b276a8', context: '666f6f',
    signature: '55a4cc2f70a54e04288c5f4cd1e45a7bb520b36292911876cada7323198dd87a8b36950b95130022907a7fb7c4e9b2d5f6cca685a587b4b21f4b888e4e7edb0d' },
  { scheme: 'Ed25519ctx', section: '7.2 bar',
    secret: '0305334e381af78f141cb666f6199f57bc3495335a256a95bd2a55bf546663f6',
    public: 'dfc9425e4f968f7f0c29f0259cf5f9aed6851c2bb4ad8bfb860cfee0ab248292',
    message: 'f726936d19c800494e3fdaff20b276a8', context: '626172',
    signature: 'fc60d5872fc46b3aa69f8b5b4351d5808f92bcc044606db097abab6dbcb1aee3216c48e8b3b66431b5b186d1d28f8ee15a5ca2df6668346291c2043d4eb3e90d' },
  { scheme: 'Ed25519ph', section: '7.3 abc',
    secret: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    public: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    message: '616263',
    signature: '98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406' },
  { scheme: 'Ed448', section: '7.4 Blank',
    secret: '6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b',
    public: '5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180',
    message: '',
    signature: '533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600' },
  { scheme: 'Ed448', section: '7.4 1 octet (with context)',
    secret: 'c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e3bc397a659949ef8021e954e0a12274e',
    public: '43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8438ea4cb82169c235160627b4c3a9480',
    message: '03', context: '666f6f',
    signature: 'd4f8f6131770dd46f40867d6fd5d5055de43541f8c5e35abbcd001b32a89f7d2151f7647f11d8ca2ae279fb842d607217fce6e042f6815ea000c85741de5c8da1144a6a1aba7f96de42505d7a7298524fda538fccbbb754f578c1cad10d54d0d5428407e85dcbc98a49155c13764e66c3c00' },
  { scheme: 'Ed448ph', section: '7.5 abc',
    secret: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42ef7822e0d5104127dc05d6dbefde69e3ab2cec7c867c6e2c49',
    public: '259b71c19f83ef77a7abd26524cbdb3161b590a48f7d17de3ee0ba9c52beb743c09428a131d6b1b57303d90d8132c276d5ed3d5d01c0f53880',
    message: '616263',
    signature: '822f6901f7480f3d5f562c592994d9693602875614483256505600bbc281ae381f54d6bce2ea911574932f52a4e6cadd78769375ec3ffd1b801a0d9b3f4030cd433964b6457ea39476511214f97469b57dd32dbc560a9a94d00bff07620464a3ad203df7dc7ce360c3cd3696d9d9fab90f00' },
  { scheme: 'Ed448ph', section: '7.5 abc (with context)',
    secret: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42ef7822e0d5104127dc05d6dbefde69e3ab2cec7c867c6e2c49',
    public: '259b71c19f83ef77a7abd26524cbdb3161b590a48f7d17de3ee0ba9c52beb743c09428a131d6b1b57303d90d8132c276d5ed3d5d01c0f53880',
    message: '616263', context: '666f6f',
    signature: 'c32299d46ec8ff02b54540982814dce9a05812f81962b649d528095916a2aa481065b1580423ef927ecf0af5888f90da0f6a9a85ad5dc3f280d91224ba9911a3653d00e484e2ce232521481c8658df304bb7745a73514cdb9bf3e15784ab71284f8d0704a608c54a6b62d97beb511d132100' },
];

/** The CK_MECHANISM of a scheme: pure Ed25519 takes no parameter; the others CK_EDDSA_PARAMS. */
function mechanismFor(scheme: Scheme, context?: string): CK_MECHANISM {
  if (scheme === 'Ed25519') return { mechanism: K.CKM_EDDSA };
  return { mechanism: K.CKM_EDDSA, parameter: { phFlag: scheme.endsWith('ph'), pContextData: context ? hex(context) : null } };
}

// ---- helpers ---------------------------------------------------------------------------------------------

let f: Fixture;
let h: number;

const readable: CK_ATTRIBUTE[] = [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }];

function generate(params: Buffer, privateExtra: CK_ATTRIBUTE[] = []): [number, number] {
  return f.p11.C_GenerateKeyPair(h, { mechanism: K.CKM_EC_EDWARDS_KEY_PAIR_GEN }, [{ type: K.CKA_EC_PARAMS, value: params }], privateExtra);
}

function attribute(hObject: number, type: number): Buffer {
  return f.p11.C_GetAttributeValue(h, hObject, [{ type }])[0]!.value as Buffer;
}

function importKeys(params: Buffer, secret: Buffer, publicKey: Buffer): [number, number] {
  const common = [{ type: K.CKA_KEY_TYPE, value: K.CKK_EC_EDWARDS }, { type: K.CKA_EC_PARAMS, value: params }];
  return [
    f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_PUBLIC_KEY }, ...common, { type: K.CKA_EC_POINT, value: publicKey }]),
    f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_PRIVATE_KEY }, ...common, { type: K.CKA_VALUE, value: secret }]),
  ];
}

function sign(mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  f.p11.C_SignInit(h, mechanism, key);
  return f.p11.C_Sign(h, data);
}

function signInParts(mechanism: CK_MECHANISM, key: number, data: Buffer): Buffer {
  f.p11.C_SignInit(h, mechanism, key);
  for (let i = 0; i < data.length; i += 2) f.p11.C_SignUpdate(h, data.subarray(i, i + 2));
  return f.p11.C_SignFinal(h);
}

function verify(mechanism: CK_MECHANISM, key: number, data: Buffer, signature: Buffer): void {
  f.p11.C_VerifyInit(h, mechanism, key);
  f.p11.C_Verify(h, data, signature);
}

function verifyInParts(mechanism: CK_MECHANISM, key: number, data: Buffer, signature: Buffer): void {
  f.p11.C_VerifyInit(h, mechanism, key);
  f.p11.C_VerifyUpdate(h, data.subarray(0, 1));
  f.p11.C_VerifyUpdate(h, data.subarray(1));
  f.p11.C_VerifyFinal(h, signature);
}

/** DER OCTET STRING around a raw public key: the PKCS #11 3.0 form of CKA_EC_POINT. */
const octetString = (raw: Buffer): Buffer => Buffer.concat([Buffer.from([0x04, raw.length]), raw]);

// ---- the tests --------------------------------------------------------------------------------------------

describe('EdDSA mechanisms', () => {
  before(() => {
    f = setup(STORE_KINDS[0]!);
    h = f.p11.C_OpenSession(f.slot, RW);
    f.p11.C_Login(h, K.CKU_USER, USER_PIN);
  });
  after(() => f.cleanup());

  it('lists CKM_EDDSA and CKM_EC_EDWARDS_KEY_PAIR_GEN with field sizes 255 and 448', () => {
    const flags = K.CKF_EC_F_P | K.CKF_EC_OID | K.CKF_EC_CURVENAME;
    assert.deepEqual(f.p11.C_GetMechanismInfo(f.slot, K.CKM_EDDSA), { ulMinKeySize: 255, ulMaxKeySize: 448, flags: flags | K.CKF_SIGN | K.CKF_VERIFY });
    assert.deepEqual(f.p11.C_GetMechanismInfo(f.slot, K.CKM_EC_EDWARDS_KEY_PAIR_GEN),
      { ulMinKeySize: 255, ulMaxKeySize: 448, flags: flags | K.CKF_GENERATE_KEY_PAIR });
  });

  it('generates Ed25519 and Ed448 pairs, by OID or by name, that sign pure EdDSA as node:crypto verifies', () => {
    for (const [params, length, type] of [
      [ED25519_OID, 32, 'ed25519'], [nameParams('edwards25519'), 32, 'ed25519'], [ED448_OID, 57, 'ed448'], [nameParams('edwards448'), 57, 'ed448'],
    ] as const) {
      const [pub, priv] = generate(params, readable);
      const raw = attribute(pub, K.CKA_EC_POINT);
      assert.equal(raw.length, length, 'CKA_EC_POINT is the raw public key (PKCS #11 3.2)');
      assert.equal(attribute(priv, K.CKA_VALUE).length, length);
      for (const k of [pub, priv]) {
        assert.deepEqual(attribute(k, K.CKA_EC_PARAMS), params);
        assert.equal(f.p11.C_GetAttributeValue(h, k, [{ type: K.CKA_KEY_TYPE }])[0]!.value, K.CKK_EC_EDWARDS);
      }
      const info = attribute(pub, K.CKA_PUBLIC_KEY_INFO);
      assert.deepEqual(attribute(priv, K.CKA_PUBLIC_KEY_INFO), info);
      const publicKey = createPublicKey({ key: info, format: 'der', type: 'spki' });
      assert.equal(publicKey.asymmetricKeyType, type);
      assert.equal(publicKey.export({ format: 'jwk' }).x, raw.toString('base64url'));
      const nodeKey = createPrivateKey({ key: { kty: 'OKP', crv: type === 'ed25519' ? 'Ed25519' : 'Ed448',
        d: attribute(priv, K.CKA_VALUE).toString('base64url'), x: raw.toString('base64url') }, format: 'jwk' });
      assert.deepEqual(createPublicKey(nodeKey).export({ format: 'der', type: 'spki' }), info, 'the public key belongs to the private value');
      const message = randomBytes(100);
      const signature = sign({ mechanism: K.CKM_EDDSA }, priv, message);
      assert.equal(signature.length, 2 * length);
      assert.ok(nodeVerify(null, message, publicKey, signature));
      verify({ mechanism: K.CKM_EDDSA }, pub, message, signature);
    }
    throwsCKR(() => generate(hex('06082a8648ce3d030107')), K.CKR_CURVE_NOT_SUPPORTED, 'P-256 needs CKM_EC_KEY_PAIR_GEN');
    throwsCKR(() => generate(nameParams('curve25519')), K.CKR_CURVE_NOT_SUPPORTED);
    throwsCKR(() => generate(nameParams('edwards1234')), K.CKR_CURVE_NOT_SUPPORTED);
    throwsCKR(() => f.p11.C_GenerateKeyPair(h, { mechanism: K.CKM_EC_EDWARDS_KEY_PAIR_GEN }, [], []), K.CKR_TEMPLATE_INCOMPLETE);
  });

  it('produces and verifies the RFC 8032 signatures of all five schemes, single- and multi-part', () => {
    for (const v of VECTORS) {
      const params = v.scheme.startsWith('Ed25519') ? nameParams('edwards25519') : ED448_OID;
      const [pub, priv] = importKeys(params, hex(v.secret), hex(v.public));
      const mechanism = mechanismFor(v.scheme, v.context);
      const message = hex(v.message);
      assert.equal(sign(mechanism, priv, message).toString('hex'), v.signature, v.section);
      assert.equal(signInParts(mechanism, priv, message).toString('hex'), v.signature, `${v.section}, multi-part`);
      verify(mechanism, pub, message, hex(v.signature));
      verifyInParts(mechanism, pub, Buffer.concat([message]), hex(v.signature));
      const tampered = hex(v.signature);
      tampered[5]! ^= 0x40;
      throwsCKR(() => verify(mechanism, pub, message, tampered), K.CKR_SIGNATURE_INVALID, v.section);
      throwsCKR(() => verify(mechanism, pub, Buffer.concat([message, Buffer.from('!')]), hex(v.signature)), K.CKR_SIGNATURE_INVALID);
      // The scheme is part of what is signed: another context or phFlag does not verify.
      const other: CK_MECHANISM = { mechanism: K.CKM_EDDSA, parameter: { phFlag: !v.scheme.endsWith('ph'), pContextData: hex('7a7a') } };
      throwsCKR(() => verify(other, pub, message, hex(v.signature)), K.CKR_SIGNATURE_INVALID, `${v.section}: another scheme`);
    }
  });

  it('reads a public key given as a DER OCTET STRING (PKCS #11 3.0) too', () => {
    const v = VECTORS[1]!;
    const [pub] = importKeys(ED25519_OID, hex(v.secret), octetString(hex(v.public)));
    verify({ mechanism: K.CKM_EDDSA }, pub, hex(v.message), hex(v.signature));
    const ctx = VECTORS.find((x) => x.scheme === 'Ed25519ctx')!;
    const [ctxPub] = importKeys(ED25519_OID, hex(ctx.secret), octetString(hex(ctx.public)));
    verify(mechanismFor('Ed25519ctx', ctx.context), ctxPub, hex(ctx.message), hex(ctx.signature));
  });

  it('takes Ed25519 with phFlag false and no context as pure Ed25519, and Ed448 without a parameter as an empty context', () => {
    const v = VECTORS[0]!;
    const [pub, priv] = importKeys(ED25519_OID, hex(v.secret), hex(v.public));
    for (const parameter of [{ phFlag: false, pContextData: null }, { phFlag: 0, pContextData: Buffer.alloc(0) }, null]) {
      assert.equal(sign({ mechanism: K.CKM_EDDSA, parameter }, priv, hex(v.message)).toString('hex'), v.signature);
      verify({ mechanism: K.CKM_EDDSA, parameter }, pub, hex(v.message), hex(v.signature));
    }
    const blank = VECTORS.find((x) => x.section === '7.4 Blank')!;
    const [pub448, priv448] = importKeys(ED448_OID, hex(blank.secret), hex(blank.public));
    assert.equal(sign({ mechanism: K.CKM_EDDSA }, priv448, Buffer.alloc(0)).toString('hex'), blank.signature);
    verify({ mechanism: K.CKM_EDDSA, parameter: { phFlag: false, pContextData: null } }, pub448, Buffer.alloc(0), hex(blank.signature));
  });

  it('refuses bad parameters, wrong signature lengths and other key types', () => {
    const [pub, priv] = generate(ED25519_OID);
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_EDDSA, parameter: { phFlag: 'yes', pContextData: null } }, priv), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_EDDSA, parameter: { phFlag: false, pContextData: Buffer.alloc(256) } }, priv),
      K.CKR_MECHANISM_PARAM_INVALID, 'a context is at most 255 bytes');
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_EDDSA, parameter: { phFlag: false, pContextData: 'ctx' } }, priv), K.CKR_MECHANISM_PARAM_INVALID);
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_EDDSA, parameter: Buffer.from([1]) }, priv), K.CKR_MECHANISM_PARAM_INVALID);
    const signature = sign({ mechanism: K.CKM_EDDSA, parameter: { phFlag: false, pContextData: Buffer.alloc(255, 1) } }, priv, Buffer.from('m'));
    verify({ mechanism: K.CKM_EDDSA, parameter: { phFlag: false, pContextData: Buffer.alloc(255, 1) } }, pub, Buffer.from('m'), signature);
    const pure = sign({ mechanism: K.CKM_EDDSA }, priv, Buffer.from('m'));
    throwsCKR(() => verify({ mechanism: K.CKM_EDDSA }, pub, Buffer.from('m'), pure.subarray(1)), K.CKR_SIGNATURE_LEN_RANGE);
    throwsCKR(() => verify({ mechanism: K.CKM_EDDSA }, pub, Buffer.from('m'), Buffer.concat([pure, Buffer.alloc(1)])), K.CKR_SIGNATURE_LEN_RANGE);
    throwsCKR(() => verify({ mechanism: K.CKM_EDDSA }, pub, Buffer.from('m'), Buffer.alloc(64, 0xff)), K.CKR_SIGNATURE_INVALID);
    const [otherPub] = generate(ED25519_OID);
    throwsCKR(() => verify({ mechanism: K.CKM_EDDSA }, otherPub, Buffer.from('m'), pure), K.CKR_SIGNATURE_INVALID, 'another key');
    const [ecPub, ecPriv] = f.p11.C_GenerateKeyPair(h, { mechanism: K.CKM_EC_KEY_PAIR_GEN }, [{ type: K.CKA_EC_PARAMS, value: hex('06082a8648ce3d030107') }], []);
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_EDDSA }, ecPriv), K.CKR_KEY_TYPE_INCONSISTENT);
    throwsCKR(() => f.p11.C_VerifyInit(h, { mechanism: K.CKM_EDDSA }, ecPub), K.CKR_KEY_TYPE_INCONSISTENT);
    throwsCKR(() => f.p11.C_SignInit(h, { mechanism: K.CKM_ECDSA }, priv), K.CKR_KEY_TYPE_INCONSISTENT);
    throwsCKR(() => importKeys(ED25519_OID, randomBytes(32), randomBytes(31)), K.CKR_ATTRIBUTE_VALUE_INVALID, 'a public key of the wrong length');
  });

  it('answers length queries, and CKR_BUFFER_TOO_SMALL keeps the operation', () => {
    const [pub, priv] = generate(ED448_OID);
    const message = Buffer.from('length');
    f.p11.C_SignInit(h, { mechanism: K.CKM_EDDSA }, priv);
    assert.equal(f.p11.C_Sign(h, message, null), 114);
    const e = throwsCKR(() => f.p11.C_Sign(h, message, Buffer.alloc(113)), K.CKR_BUFFER_TOO_SMALL);
    assert.ok(e instanceof BufferTooSmallError && e.required === 114);
    const out = Buffer.alloc(114);
    assert.equal(f.p11.C_Sign(h, message, out), 114);
    verify({ mechanism: K.CKM_EDDSA }, pub, message, out);

    const ph = { mechanism: K.CKM_EDDSA, parameter: { phFlag: true, pContextData: null } };
    f.p11.C_SignInit(h, ph, priv);
    f.p11.C_SignUpdate(h, message);
    assert.equal(f.p11.C_SignFinal(h, null), 114);
    throwsCKR(() => f.p11.C_SignFinal(h, Buffer.alloc(1)), K.CKR_BUFFER_TOO_SMALL);
    const final = f.p11.C_SignFinal(h);
    verify(ph, pub, message, final);
  });

  it('wraps Edwards private keys as PKCS #8 and unwraps them to keys that sign alike', () => {
    const kek = randomBytes(32);
    const aes = f.p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_VALUE, value: kek },
      { type: K.CKA_WRAP, value: true }, { type: K.CKA_UNWRAP, value: true },
    ]);
    const mechanism = { mechanism: K.CKM_AES_KEY_WRAP_KWP };
    for (const params of [ED25519_OID, nameParams('edwards448')]) {
      const [pub, priv] = generate(params, [{ type: K.CKA_EXTRACTABLE, value: true }]);
      const wrapped = f.p11.C_WrapKey(h, mechanism, aes, priv);
      const d = createDecipheriv('id-aes256-wrap-pad', kek, hex('a65959a6'));
      const nodeKey = createPrivateKey({ key: Buffer.concat([d.update(wrapped), d.final()]), format: 'der', type: 'pkcs8' });
      assert.deepEqual(createPublicKey(nodeKey).export({ format: 'der', type: 'spki' }), attribute(pub, K.CKA_PUBLIC_KEY_INFO));
      const back = f.p11.C_UnwrapKey(h, mechanism, aes, wrapped,
        [{ type: K.CKA_CLASS, value: K.CKO_PRIVATE_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_EC_EDWARDS }]);
      const message = Buffer.from('deterministic');
      assert.deepEqual(sign({ mechanism: K.CKM_EDDSA }, back, message), sign({ mechanism: K.CKM_EDDSA }, priv, message));
      const ctx = { mechanism: K.CKM_EDDSA, parameter: { phFlag: true, pContextData: Buffer.from('c') } };
      assert.deepEqual(sign(ctx, back, message), sign(ctx, priv, message));
      assert.deepEqual(attribute(back, K.CKA_PUBLIC_KEY_INFO), attribute(pub, K.CKA_PUBLIC_KEY_INFO));
    }
  });

  describe('openssl cross-checks', () => {
    let dir: string;
    const file = (name: string, content?: Buffer | string): string => {
      const path = join(dir, name);
      if (content !== undefined) writeFileSync(path, content);
      return path;
    };
    const openssl = (...args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const pem = (der: Buffer) => `-----BEGIN PUBLIC KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PUBLIC KEY-----\n`;

    before(() => { dir = mkdtempSync(join(tmpdir(), 'eddsa-openssl-')); });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('openssl verifies the token\'s Ed25519 and Ed448 signatures, and the token openssl\'s', () => {
      const data = randomBytes(500);
      const dataFile = file('data.bin', data);
      for (const [params, algorithm, length] of [[ED25519_OID, 'ED25519', 32], [ED448_OID, 'ED448', 57]] as const) {
        const [pub, priv] = generate(params);
        const pubPem = file(`${algorithm}.pub.pem`, pem(attribute(pub, K.CKA_PUBLIC_KEY_INFO)));
        const signature = file('sig.bin', sign({ mechanism: K.CKM_EDDSA }, priv, data));
        openssl('pkeyutl', '-verify', '-pubin', '-inkey', pubPem, '-rawin', '-in', dataFile, '-sigfile', signature);
        assert.throws(() => openssl('pkeyutl', '-verify', '-pubin', '-inkey', pubPem, '-rawin', '-in', file('other.bin', randomBytes(5)),
          '-sigfile', signature), 'openssl rejects it for other data');

        const keyPem = file(`${algorithm}.key.pem`);
        openssl('genpkey', '-algorithm', algorithm, '-out', keyPem);
        const spki = createPublicKey(createPrivateKey(readFileSync(keyPem))).export({ format: 'der', type: 'spki' });
        const [theirPub] = importKeys(params, randomBytes(length), spki.subarray(spki.length - length));
        const theirSignature = file('theirs.bin');
        openssl('pkeyutl', '-sign', '-inkey', keyPem, '-rawin', '-in', dataFile, '-out', theirSignature);
        verify({ mechanism: K.CKM_EDDSA }, theirPub, data, readFileSync(theirSignature));
      }
    });
  });
});
