/**
 * The p11-kit RPC codec: every signature field type round-trips in all three
 * dialects, the exact bytes of known encodings, and rejection of truncated or
 * lying input (an error, never a large allocation). Also the frame reader and
 * the attribute value classes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import { CKRError } from '../src/pkcs11/error.js';
import { attributeFromWire, attributeToWire, wireClass } from '../src/rpc/attributes.js';
import { CALLS, callById, callByName, MAX_CALL_ID } from '../src/rpc/calls.js';
import {
  CKM_IBM, decodeBody, encodeBody, errorBody, MAX_ITEMS, mechanismHasNoParameter, ProtocolError, readBodyHeader, tokenize,
  WireReader, WireWriter, type BufferSpec, type Dialect, type FieldValue, type WireAttribute, type WireMechanism,
} from '../src/rpc/codec.js';
import { encodeFrame, FrameReader, MAX_BODY, MAX_OPTIONS } from '../src/rpc/frame.js';

const DIALECTS: Dialect[] = [0, 1, 2];
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function roundTrip(sig: string, values: FieldValue[], dialect: Dialect, extra: { mechanism?: number } = {}): FieldValue[] {
  const body = encodeBody(0x1234, sig, values, { dialect });
  const back = decodeBody(body, { dialect, ...extra });
  assert.equal(back.callId, 0x1234);
  assert.equal(back.signature, sig);
  assert.equal(back.rest, 0, `${sig}: the whole body is read`);
  // Encoding what was decoded gives the same bytes.
  assert.deepEqual(encodeBody(0x1234, sig, back.fields, { dialect }), body);
  return back.fields;
}

/** Every proper prefix of a body must be refused with ProtocolError. */
function assertPrefixesRejected(body: Buffer, dialect: Dialect, headerOnly = 0): void {
  for (let n = headerOnly; n < body.length; n++) {
    assert.throws(() => decodeBody(body.subarray(0, n), { dialect }), ProtocolError, `prefix of ${n}/${body.length} bytes`);
  }
}

const attr = (type: number, ulValueLen: number, value?: WireAttribute['value']): WireAttribute =>
  value === undefined ? { type, ulValueLen } : { type, ulValueLen, value };

describe('rpc call table', () => {
  it('has the 90 calls of p11-kit 0.26 with their signatures', () => {
    assert.equal(CALLS.length, 90);
    assert.equal(MAX_CALL_ID, 89);
    CALLS.forEach((c, i) => assert.equal(c.id, i));
    assert.deepEqual(callByName('C_GetAttributeValue'), { id: 24, name: 'C_GetAttributeValue', request: 'uufA', response: 'aAu', since: 0 });
    assert.equal(callById(65)!.name, 'C_WaitForSlotEvent');
    assert.equal(callById(66)!.since, 1);
    assert.equal(callById(88)!.request, 'uays');
    assert.equal(callById(89)!.response, 'uPu');
    assert.equal(callById(89)!.since, 2);
    assert.equal(callById(90), undefined);
    for (const c of CALLS) {
      if (c.request !== null) tokenize(c.request);
      tokenize(c.response);
    }
  });

  it('tokenizes signatures', () => {
    assert.deepEqual(tokenize('uMuayaA'), ['u', 'M', 'u', 'ay', 'aA']);
    assert.deepEqual(tokenize('ssssuuuuuuuuuuuvvs').length, 18);
    assert.deepEqual(tokenize(''), []);
    assert.throws(() => tokenize('ax'));
    assert.throws(() => tokenize('q'));
  });
});

describe('rpc codec: scalar and buffer fields', () => {
  for (const dialect of DIALECTS) {
    it(`round-trips y u v s z ay au fy fu (dialect ${dialect})`, () => {
      const values: FieldValue[] = [
        0, 255, 0, 1, 0x1234_5678_9abc, Number.MAX_SAFE_INTEGER, -1, { major: 3, minor: 2 },
        Buffer.alloc(32, 0x41), Buffer.from('a label'),
        { data: Buffer.from('data'), length: 4 }, { data: Buffer.alloc(0), length: 0 }, { data: null, length: 77 },
        { data: [1, 2, 0xffff_fffe, -1], count: 4 }, { data: null, count: 9 }, { data: [], count: 0 },
        0, 128, 0xffff_ffff, 0, 12,
      ];
      roundTrip('yyuuuuuvszayayayauauaufyfyfyfufu', values, dialect);
    });
  }

  it('writes the bytes of the protocol reference', () => {
    // §2.7: the ERROR response for CKR_USER_ALREADY_LOGGED_IN.
    assert.deepEqual(errorBody(K.CKR_USER_ALREADY_LOGGED_IN), hex('00000000 00000001 75 0000000000000100'));
    // ay with data, ay as a length only, au with items (transcript #8, #38).
    assert.deepEqual(encodeBody(43, 'ay', [{ data: null, length: 64 }], { dialect: 0 }), hex('0000002b 00000002 6179 00 00000040'));
    assert.deepEqual(encodeBody(4, 'au', [{ data: [0x11], count: 1 }], { dialect: 0 }),
      hex('00000004 00000002 6175 01 00000001 0000000000000011'));
    // u is 8 bytes; CK_UNAVAILABLE_INFORMATION is all ones; v is two bytes; s a BA.
    assert.deepEqual(encodeBody(1, 'uvs', [-1, { major: 2, minor: 40 }, Buffer.from('ab')], { dialect: 0 }),
      hex('00000001 00000003 757673 ffffffffffffffff 0228 00000002 6162'));
  });

  it('reads the NULL forms of ay as NULL with their length', () => {
    for (const dialect of DIALECTS) {
      const [a, b, c] = decodeBody(hex('00000001 00000006 617961796179 00 00000000 01 ffffffff 01 00000000'), { dialect }).fields;
      assert.deepEqual(a, { data: null, length: 0 });
      assert.deepEqual(b, { data: null, length: 0 });
      assert.deepEqual(c, { data: Buffer.alloc(0), length: 0 });
    }
  });

  it('reads the 32-bit form of ~0 as CK_UNAVAILABLE_INFORMATION', () => {
    assert.deepEqual(decodeBody(hex('00000001 00000001 75 00000000ffffffff'), { dialect: 0 }).fields, [-1]);
  });
});

describe('rpc codec: attribute arrays (aA)', () => {
  for (const dialect of DIALECTS) {
    it(`round-trips every value class, validity 0 and the length-only forms (dialect ${dialect})`, () => {
      const list: WireAttribute[] = [
        attr(K.CKA_TOKEN, 1, 1),
        attr(K.CKA_CLASS, 8, K.CKO_SECRET_KEY),
        attr(K.CKA_VALUE_LEN, 8, 0x1_0000_0000),
        attr(K.CKA_LABEL, 5, Buffer.from('hello')),
        attr(K.CKA_ID, 0, Buffer.alloc(0)),
        attr(K.CKA_VALUE, 16, null),
        attr(K.CKA_START_DATE, 8, Buffer.from('20240229')),
        attr(K.CKA_END_DATE, 0, Buffer.alloc(0)),
        attr(K.CKA_END_DATE, 8, null),
        attr(K.CKA_ALLOWED_MECHANISMS, 16, [K.CKM_AES_ECB, K.CKM_AES_CBC]),
        attr(K.CKA_ALLOWED_MECHANISMS, 16, []),
        attr(K.CKA_WRAP_TEMPLATE, 48, [attr(K.CKA_CLASS, 8, K.CKO_SECRET_KEY), attr(K.CKA_EXTRACTABLE, 1, 0)]),
        attr(K.CKA_UNWRAP_TEMPLATE, 24, [attr(K.CKA_WRAP_TEMPLATE, 24, [attr(K.CKA_LABEL, 1, Buffer.from('x'))])]),
        attr(K.CKA_SENSITIVE, -1),
        attr(0x8000_1234, 8, Buffer.from('0100000000000000', 'hex')),
      ];
      if (dialect >= 1) list.push(attr(K.CKA_DERIVE_TEMPLATE, 24, [attr(K.CKA_TOKEN, 1, 0)]));
      else list.push(attr(K.CKA_DERIVE_TEMPLATE, 3, Buffer.from('raw')));
      const [back] = roundTrip('aA', [list], dialect);
      // The length-only forms come back in their wire shape.
      const expected = list.map((a) => {
        if (a.ulValueLen !== -1 && a.value === null && wireClass(a.type, dialect) === 'mechanisms') return { ...a, value: [] };
        return a;
      });
      assert.deepEqual(back, expected);
    });
  }

  it('encodes the observed C_GetAttributeValue length answer byte for byte (§2.3)', () => {
    const body = encodeBody(24, 'aAu', [[attr(K.CKA_EC_POINT, 67, null), attr(K.CKA_KEY_TYPE, 8, 0), attr(K.CKA_VERIFY, 1, 0)], 0], { dialect: 0 });
    assert.deepEqual(body, hex(`00000018 00000003 614175 00000003
      00000181 01 00000043 ffffffff  00000100 01 00000008 0000000000000000  0000010a 01 00000001 00
      0000000000000000`));
  });

  it('writes the length-only form of a mechanism array as count 0, not the count without items', () => {
    const body = encodeBody(24, 'aAu', [[attr(K.CKA_ALLOWED_MECHANISMS, 16, null)], 0], { dialect: 0 });
    assert.deepEqual(body, hex('00000018 00000003 614175 00000001 40000600 01 00000010 00000000 0000000000000000'));
  });

  it('classes attributes by the client table of each version', () => {
    assert.equal(wireClass(K.CKA_DERIVE_TEMPLATE, 0), 'bytes');
    assert.equal(wireClass(K.CKA_DERIVE_TEMPLATE, 1), 'array');
    assert.equal(wireClass(K.CKA_DESTROYABLE, 2), 'bytes', 'unknown to p11-kit: raw host bytes');
    assert.equal(wireClass(K.CKA_PROFILE_ID, 2), 'bytes');
    assert.equal(wireClass(K.CKA_COPYABLE, 0), 'byte');
    assert.equal(wireClass(K.CKA_MECHANISM_TYPE, 0), 'ulong');
    assert.equal(wireClass(0x8000_0000 + 0x10001, 0), 'bytes');
    assert.equal(wireClass(0x8000_0000 + 0x10001, 1), 'byte', 'CKA_IBM_RESTRICTABLE from 0.25.0');
    assert.equal(wireClass(0x8000_0000 + 0xd0009, 1), 'bytes');
    assert.equal(wireClass(0x8000_0000 + 0xd0009, 2), 'ulong', 'CKA_IBM_KYBER_KEYFORM from 0.25.6');
  });
});

describe('rpc codec: templates with buffer sizes (fA)', () => {
  const flat: BufferSpec[] = [{ type: K.CKA_CLASS, length: 8 }, { type: K.CKA_VALUE, length: 0 }, { type: K.CKA_WRAP_TEMPLATE, length: 0 }];
  for (const dialect of DIALECTS) {
    it(`round-trips a flat template (dialect ${dialect})`, () => {
      assert.deepEqual(roundTrip('fA', [flat], dialect), [flat]);
    });
  }

  it('nests templates only from version 1 on, and only for a non-zero length', () => {
    const nested: BufferSpec[] = [
      { type: K.CKA_LABEL, length: 3 },
      { type: K.CKA_UNWRAP_TEMPLATE, length: 48, nested: [{ type: K.CKA_CLASS, length: 8 }, { type: K.CKA_DERIVE_TEMPLATE, length: 24, nested: [{ type: K.CKA_TOKEN, length: 1 }] }] },
      { type: K.CKA_DERIVE_TEMPLATE, length: 0 },
    ];
    for (const dialect of [1, 2] as Dialect[]) assert.deepEqual(roundTrip('fA', [nested], dialect), [nested]);
    // Version 0 never nests: the same entries are written flat.
    const v0 = encodeBody(24, 'fA', [nested], { dialect: 0 });
    assert.deepEqual(decodeBody(v0, { dialect: 0 }).fields[0], nested.map(({ type, length }) => ({ type, length })));
    // The 0.25.4/0.25.5 form: an empty nested count even for length 0.
    const always = encodeBody(24, 'fA', [[{ type: K.CKA_WRAP_TEMPLATE, length: 0, nested: [] }]], { dialect: 1, nest: 'always' });
    assert.deepEqual(always, hex('00000018 00000002 6641 00000001 40000211 00000000 00000000'));
  });
});

describe('rpc codec: mechanisms (M) and parameter updates (P)', () => {
  const ecdsa: WireMechanism = { mechanism: K.CKM_ECDSA, parameter: null };
  const pss: WireMechanism = { mechanism: K.CKM_RSA_PKCS_PSS, parameter: { hashAlg: K.CKM_SHA256, mgf: K.CKG_MGF1_SHA256, sLen: 32 } };
  const oaep: WireMechanism = { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: { hashAlg: K.CKM_SHA_1, mgf: K.CKG_MGF1_SHA1, source: 1, pSourceData: Buffer.from('label') } };

  it('writes v0/v1 and v2 forms as the reference says (§2.5)', () => {
    const m = (v: WireMechanism | null, dialect: Dialect) => encodeBody(42, 'M', [v], { dialect }).subarray(9);
    assert.deepEqual(m(ecdsa, 0), hex('00001041 ffffffff'));
    assert.deepEqual(m(ecdsa, 1), hex('00001041 ffffffff'));
    assert.deepEqual(m(ecdsa, 2), hex('00001041'));
    const pssBytes = '0000000000000250 0000000000000002 0000000000000020';
    assert.deepEqual(m(pss, 0), hex(`0000000d ${pssBytes}`));
    assert.deepEqual(m(pss, 2), hex(`0000000d 01 ${pssBytes}`));
    assert.deepEqual(m({ mechanism: K.CKM_RSA_PKCS_PSS, parameter: null }, 2), hex('0000000d 00'));
    assert.deepEqual(m(null, 1), hex('ffffffff'));
    assert.deepEqual(m(null, 2), hex('ffffffff'));
    // An IV is a BA in every version; in v0 because AES_CBC has no serializer, after that by its serializer.
    const iv = Buffer.alloc(16, 7);
    assert.deepEqual(m({ mechanism: K.CKM_AES_CBC, parameter: iv }, 0), Buffer.concat([hex('00001082 00000010'), iv]));
    assert.deepEqual(m({ mechanism: K.CKM_AES_CBC, parameter: iv }, 2), Buffer.concat([hex('00001082 01 00000010'), iv]));
    // CK_MAC_GENERAL_PARAMS is a u64 from 0.25 on.
    assert.deepEqual(m({ mechanism: K.CKM_SHA256_HMAC_GENERAL, parameter: 16 }, 1), hex('00000252 0000000000000010'));
  });

  for (const dialect of DIALECTS) {
    it(`round-trips every parameter serializer (dialect ${dialect})`, () => {
      const cases: (WireMechanism | null)[] = [ecdsa, pss, oaep, { mechanism: K.CKM_SHA256, parameter: null },
        { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: { hashAlg: 0x250, mgf: 2, source: 1, pSourceData: null } }];
      if (dialect >= 1) {
        cases.push(
          { mechanism: K.CKM_SHA384_RSA_PKCS_PSS, parameter: { hashAlg: 0x260, mgf: 3, sLen: 48 } },
          { mechanism: K.CKM_ECDH1_DERIVE, parameter: { kdf: 1, pSharedData: null, pPublicData: Buffer.alloc(65, 4) } },
          { mechanism: CKM_IBM.EC_X25519, parameter: { kdf: 1, pSharedData: Buffer.from('s'), pPublicData: Buffer.alloc(32, 9) } },
          { mechanism: K.CKM_AES_CBC_PAD, parameter: Buffer.alloc(16, 1) },
          { mechanism: K.CKM_AES_CTR, parameter: { ulCounterBits: 128, cb: Buffer.alloc(16, 2) } },
          { mechanism: K.CKM_AES_GCM, parameter: { pIv: Buffer.alloc(12, 3), ulIvBits: 96, pAAD: Buffer.from('aad'), ulTagBits: 128 } },
          { mechanism: K.CKM_AES_GCM, parameter: { pIv: Buffer.alloc(12, 3), ulIvBits: 96, pAAD: null, ulTagBits: 128 } },
          { mechanism: K.CKM_DES3_CBC, parameter: Buffer.alloc(8, 5) },
          { mechanism: K.CKM_AES_CMAC_GENERAL, parameter: 8 },
          { mechanism: K.CKM_DH_PKCS_DERIVE, parameter: Buffer.alloc(128, 6) },
          { mechanism: CKM_IBM.ATTRIBUTEBOUND_WRAP, parameter: { hSignVerifyKey: 5 } },
          { mechanism: K.CKM_AES_KEY_WRAP, parameter: Buffer.alloc(8, 0xa6) },
          { mechanism: K.CKM_AES_KEY_WRAP, parameter: null },
          null,
        );
      }
      if (dialect === 2) {
        cases.push(
          { mechanism: K.CKM_AES_GCM, parameter: null },
          { mechanism: CKM_IBM.ECDSA_OTHER, parameter: { submechanism: 3 } },
          { mechanism: CKM_IBM.BTC_DERIVE, parameter: { type: 1, childKeyIndex: 0x8000_0000, pChainCode: Buffer.alloc(32), version: 1 } },
          { mechanism: CKM_IBM.KYBER, parameter: { ulVersion: 0, mode: 1, kdf: 1, bPrepend: 0, pCipher: null, pSharedData: Buffer.from('x'), hSecret: 0 } },
        );
      }
      for (const m of cases) assert.deepEqual(roundTrip('M', [m], dialect), [m], JSON.stringify(m));
      // A mechanism without a serializer carries raw bytes (or NULL).
      assert.deepEqual(roundTrip('M', [{ mechanism: 0x8000_7777, parameter: Buffer.from('raw') }], dialect),
        [{ mechanism: 0x8000_7777, parameter: Buffer.from('raw') }]);
    });
  }

  it('knows the no-parameter lists of 0.24.1 and 0.25+', () => {
    assert.ok(mechanismHasNoParameter(K.CKM_ECDSA, 0));
    assert.ok(!mechanismHasNoParameter(K.CKM_ECDSA_SHA256, 0));
    assert.ok(mechanismHasNoParameter(K.CKM_ECDSA_SHA256, 2));
    assert.ok(mechanismHasNoParameter(K.CKM_SHA512_T_HMAC, 2));
    assert.ok(mechanismHasNoParameter(CKM_IBM.SHA3_512_HMAC, 2));
    assert.ok(!mechanismHasNoParameter(K.CKM_EDDSA, 2), 'no client sends CKM_EDDSA');
    assert.ok(!mechanismHasNoParameter(K.CKM_RSA_PKCS_PSS, 2));
  });

  it('round-trips P (C_DeriveKey2 answer) in version 2', () => {
    const body = encodeBody(89, 'uPu', [0, { mechanism: K.CKM_ECDH1_DERIVE, hasParameter: true }, 7], { dialect: 2 });
    assert.deepEqual(body.subarray(11), hex('0000000000000000 01 0000000000000007'));
    assert.deepEqual(decodeBody(body, { dialect: 2, mechanism: K.CKM_ECDH1_DERIVE }).fields,
      [0, { mechanism: K.CKM_ECDH1_DERIVE, hasParameter: true }, 7]);
    const none = encodeBody(89, 'uPu', [0, { mechanism: K.CKM_SHA256_KEY_DERIVATION, hasParameter: false }, 7], { dialect: 2 });
    assert.equal(none.length, 11 + 16, 'nothing for a no-parameter mechanism');
  });
});

describe('rpc codec: hostile input', () => {
  const requests: [string, FieldValue[]][] = [
    ['ayyay', [{ data: Buffer.from('PRIVATE'), length: 7 }, 0, { data: Buffer.of(0), length: 1 }]],
    ['yfu', [1, 8]],
    ['uayz', [1, { data: Buffer.from('1234'), length: 4 }, Buffer.from('label')]],
    ['uufA', [1, 2, [{ type: K.CKA_CLASS, length: 8 }, { type: K.CKA_LABEL, length: 0 }]]],
    ['uaA', [1, [attr(K.CKA_CLASS, 8, 4), attr(K.CKA_LABEL, 2, Buffer.from('k1')), attr(K.CKA_ALLOWED_MECHANISMS, 8, [1]), attr(K.CKA_WRAP_TEMPLATE, 24, [attr(K.CKA_TOKEN, 1, 1)])]]],
    ['uMaAaA', [1, { mechanism: K.CKM_RSA_PKCS_OAEP, parameter: { hashAlg: 0x220, mgf: 1, source: 1, pSourceData: Buffer.from('L') } }, [], [attr(K.CKA_SIGN, 1, 1)]]],
    ['uays', [1, { data: Buffer.from('pin'), length: 3 }, Buffer.alloc(32, 0x20)]],
  ];
  for (const dialect of DIALECTS) {
    it(`refuses every truncation of a request (dialect ${dialect})`, () => {
      for (const [sig, values] of requests) {
        const body = encodeBody(1, sig, values, { dialect });
        assertPrefixesRejected(body, dialect);
      }
    });
  }

  it('refuses lengths and counts that lie, without allocating for them', () => {
    const cases: [string, string][] = [
      ['ay: BA length past the end', '00000001 00000002 6179 01 7ffffff0 0102'],
      ['ay: BA length at the protocol limit', '00000001 00000002 6179 01 7fffffff'],
      ['z: BA length past the end', '00000001 00000001 7a 00001000 41'],
      ['s: NULL', '00000001 00000001 73 ffffffff'],
      ['aA: count past the end', '00000001 00000002 6141 ffffffff 00000000 00'],
      ['aA: value longer than ulValueLen', '00000001 00000002 6141 00000001 00000003 01 00000001 00000002 6b31'],
      ['aA: mechanism count past the end', '00000001 00000002 6141 00000001 40000600 01 00000010 7fffffff 0000000000001081'],
      ['aA: nested count past the end', '00000001 00000002 6141 00000001 40000211 01 00000018 fffffff0'],
      ['fA: count past the end', '00000001 00000002 6641 10000000 00000000 00000000'],
      ['au: count past the end', '00000001 00000002 6175 01 20000000 0000000000000001'],
      ['M: parameter BA past the end', '00000001 00000001 4d 00000350 00100000 00'],
      ['signature: longer than the body', '00000001 00001000 7575'],
      ['signature: NULL', '00000001 ffffffff'],
      ['call id cut', '000000'],
    ];
    for (const [what, bytes] of cases) {
      const before = process.memoryUsage().arrayBuffers;
      assert.throws(() => decodeBody(hex(bytes), { dialect: 1 }), ProtocolError, what);
      assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20, `${what}: no large allocation`);
    }
  });

  it('refuses more than MAX_ITEMS attributes in one message, even when the bytes are there', () => {
    const many = Buffer.alloc(5 * (MAX_ITEMS + 1));
    for (let i = 0; i <= MAX_ITEMS; i++) many.writeUInt32BE(K.CKA_LABEL, i * 5); // validity 0 each
    const head = hex(`00000014 00000003 756141 0000000000000001 ${(MAX_ITEMS + 1).toString(16).padStart(8, '0')}`);
    assert.throws(() => decodeBody(Buffer.concat([head, many]), { dialect: 0 }), /more than 65536 items/);
    const fits = hex(`00000014 00000003 756141 0000000000000001 ${MAX_ITEMS.toString(16).padStart(8, '0')}`);
    assert.equal((decodeBody(Buffer.concat([fits, many.subarray(5)]), { dialect: 0 }).fields[1] as WireAttribute[]).length, MAX_ITEMS);
  });

  it('refuses attribute arrays nested deeper than 8', () => {
    let inner: WireAttribute[] = [attr(K.CKA_TOKEN, 1, 1)];
    for (let i = 0; i < 8; i++) inner = [attr(K.CKA_WRAP_TEMPLATE, 24, inner)];
    const w = new WireWriter();
    w.u32(1).byteArray(Buffer.from('aA'));
    // Write 9 levels by hand (the writer itself refuses to go that deep).
    const depth9: Buffer[] = [];
    for (let i = 0; i < 9; i++) depth9.push(hex('00000001 40000211 01 00000018'));
    const body = Buffer.concat([w.finish(), ...depth9, hex('00000001 00000001 01 00000001 01')]);
    assert.throws(() => decodeBody(body, { dialect: 0 }), /nested too deep/);
    const ok = encodeBody(1, 'aA', [inner], { dialect: 0 });
    assert.equal(decodeBody(ok, { dialect: 0 }).rest, 0);
  });

  it('reads with bounds checks only', () => {
    const r = new WireReader(hex('0102'));
    assert.equal(r.byte(), 1);
    assert.throws(() => r.u32(), ProtocolError);
    assert.throws(() => r.bytes(-1), ProtocolError);
    assert.throws(() => readBodyHeader(hex('00000001 00000050')), ProtocolError);
  });
});

describe('rpc frames', () => {
  const frameOf = (code: number, body: string, options = '') => encodeFrame(code, hex(body), Buffer.from(options));

  it('reassembles frames split anywhere and joined in any way', () => {
    const frames = [frameOf(0x10, '00000003 00000000', 'client'), frameOf(0x11, '00000001 00000000'), frameOf(0xdeadbeef, '')];
    const stream = Buffer.concat(frames);
    for (const size of [1, 2, 5, 12, 13, 100]) {
      const reader = new FrameReader();
      const got = [];
      for (let i = 0; i < stream.length; i += size) got.push(...reader.push(stream.subarray(i, i + size)));
      assert.equal(got.length, 3, `chunks of ${size}`);
      assert.deepEqual(got.map((f) => f.code), [0x10, 0x11, 0xdeadbeef]);
      assert.equal(got[0]!.options.toString(), 'client');
      assert.deepEqual(got[0]!.body, hex('00000003 00000000'));
      assert.equal(got[2]!.body.length, 0);
      assert.equal(reader.pending, 0);
    }
    const reader = new FrameReader();
    assert.deepEqual(reader.push(stream.subarray(0, 30)).length, 1);
    assert.ok(reader.pending > 0, 'a cut frame stays pending');
  });

  it('refuses headers past the limits before allocating', () => {
    const header = (opt: number, body: number) => {
      const h = Buffer.alloc(12);
      h.writeUInt32BE(1, 0);
      h.writeUInt32BE(opt, 4);
      h.writeUInt32BE(body, 8);
      return h;
    };
    assert.throws(() => new FrameReader().push(header(0, MAX_BODY + 1)), ProtocolError);
    assert.throws(() => new FrameReader().push(header(0, 0xffffffff)), ProtocolError);
    assert.throws(() => new FrameReader().push(header(MAX_OPTIONS + 1, 0)), ProtocolError);
    assert.deepEqual(new FrameReader().push(header(0, MAX_BODY)), [], 'the largest body is awaited');
    assert.throws(() => new FrameReader({ maxBody: 10 }).push(header(0, 11)), ProtocolError);
  });

  it('encodes frames with the code echoed and no options', () => {
    assert.deepEqual(encodeFrame(0x10, hex('00000001 00000000')), hex('00000010 00000000 00000008 00000001 00000000'));
  });
});

describe('rpc attribute values', () => {
  it('turns wire attributes into template entries of our API', () => {
    assert.deepEqual(attributeFromWire(attr(K.CKA_TOKEN, 1, 1), 0), { type: K.CKA_TOKEN, value: Buffer.of(1) });
    assert.deepEqual(attributeFromWire(attr(K.CKA_CLASS, 8, 3), 0), { type: K.CKA_CLASS, value: 3 });
    assert.deepEqual(attributeFromWire(attr(K.CKA_LABEL, 2, Buffer.from('k1')), 0), { type: K.CKA_LABEL, value: Buffer.from('k1') });
    assert.deepEqual(attributeFromWire(attr(K.CKA_ALLOWED_MECHANISMS, 16, [1, 2]), 0), { type: K.CKA_ALLOWED_MECHANISMS, value: [1, 2] });
    assert.deepEqual(attributeFromWire(attr(K.CKA_WRAP_TEMPLATE, 24, [attr(K.CKA_EXTRACTABLE, 1, 0)]), 0),
      { type: K.CKA_WRAP_TEMPLATE, value: [{ type: K.CKA_EXTRACTABLE, value: Buffer.of(0) }] });
    // Raw host bytes of types p11-kit has no class for: a CK_BBOOL and a little-endian CK_ULONG.
    assert.deepEqual(attributeFromWire(attr(K.CKA_DESTROYABLE, 1, Buffer.of(0)), 2), { type: K.CKA_DESTROYABLE, value: Buffer.of(0) });
    // validity 0 is an entry without a value; length 0 is an empty value.
    assert.deepEqual(attributeFromWire(attr(K.CKA_LABEL, -1), 0), { type: K.CKA_LABEL });
    assert.deepEqual(attributeFromWire(attr(K.CKA_LABEL, 0, Buffer.alloc(0)), 0), { type: K.CKA_LABEL, value: Buffer.alloc(0) });
    // 0.24.1 sends CKA_DERIVE_TEMPLATE as the raw bytes of its C structures: refused.
    assert.throws(() => attributeFromWire(attr(K.CKA_DERIVE_TEMPLATE, 24, Buffer.alloc(24)), 0),
      (e: unknown) => e instanceof CKRError && e.code === K.CKR_ATTRIBUTE_VALUE_INVALID);
  });

  it('turns filled-in entries into wire attributes by the client class', () => {
    assert.deepEqual(attributeToWire({ type: K.CKA_SIGN, value: true, ulValueLen: 1 }, 0, false), attr(K.CKA_SIGN, 1, 1));
    assert.deepEqual(attributeToWire({ type: K.CKA_CLASS, value: 4, ulValueLen: 8 }, 0, false), attr(K.CKA_CLASS, 8, 4));
    assert.deepEqual(attributeToWire({ type: K.CKA_CLASS, value: null, ulValueLen: 8 }, 0, true), attr(K.CKA_CLASS, 8, null));
    assert.deepEqual(attributeToWire({ type: K.CKA_VALUE, ulValueLen: -1 }, 0, false), attr(K.CKA_VALUE, -1));
    assert.deepEqual(attributeToWire({ type: K.CKA_DESTROYABLE, value: true, ulValueLen: 1 }, 0, false), attr(K.CKA_DESTROYABLE, 1, Buffer.of(1)));
    assert.deepEqual(attributeToWire({ type: K.CKA_PROFILE_ID, value: 3, ulValueLen: 8 }, 0, false),
      attr(K.CKA_PROFILE_ID, 8, Buffer.from('0300000000000000', 'hex')));
    assert.deepEqual(attributeToWire({ type: K.CKA_ALLOWED_MECHANISMS, value: [0x1081], ulValueLen: 8 }, 0, false),
      attr(K.CKA_ALLOWED_MECHANISMS, 8, [0x1081]));
    assert.deepEqual(
      attributeToWire({ type: K.CKA_WRAP_TEMPLATE, value: [{ type: K.CKA_TOKEN, value: true, ulValueLen: 1 }], ulValueLen: 24 }, 0, false),
      attr(K.CKA_WRAP_TEMPLATE, 24, [attr(K.CKA_TOKEN, 1, 1)]),
    );
    // A template cannot travel as raw bytes (CKA_DERIVE_TEMPLATE to a 0.24 client).
    assert.equal(attributeToWire({ type: K.CKA_DERIVE_TEMPLATE, value: [], ulValueLen: 0 }, 0, false), null);
    assert.deepEqual(attributeToWire({ type: K.CKA_DERIVE_TEMPLATE, value: [], ulValueLen: 0 }, 1, false), attr(K.CKA_DERIVE_TEMPLATE, 0, []));
  });
});
