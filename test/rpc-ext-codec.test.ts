/**
 * Our protocol extension's `X` codec (docs/protocol.md) on both sides: the
 * server's reader and writer, and the module's encoder (native/src/params.c)
 * read back by the server into the objects our mechanisms take.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import { ProtocolError, WireReader, WireWriter, readMechanism, writeMechanism, EXT_DIALECT } from '../src/rpc/codec.js';
import { readParamValue, writeParamValue, X_MAX_DEPTH, type ParamValue } from '../src/rpc/param-value.js';
import { buildNative } from './native-support.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/** Structures come back without a prototype; compare them as plain objects. */
function plain(v: ParamValue): unknown {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(plain);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

function decode(bytes: Buffer): unknown {
  const r = new WireReader(bytes);
  const v = readParamValue(r);
  assert.equal(r.remaining, 0, 'the whole value is read');
  return plain(v);
}

function encode(v: unknown): Buffer {
  const w = new WireWriter();
  writeParamValue(w, v);
  return w.finish();
}

describe('X parameter values (server side)', () => {
  it('round-trips every kind of value', () => {
    const v = { pIv: b('iv'), ulTagBits: 128, phFlag: true, list: [1, b('x'), null, { a: false }], none: null };
    assert.deepEqual(decode(encode(v)), v);
    assert.equal(decode(encode(null)), null);
    assert.deepEqual(decode(encode(b('raw'))), b('raw'));
    assert.equal(decode(encode(7)), 7);
  });

  it('writes the documented bytes', () => {
    assert.equal(encode({ ulTagBits: 128 }).toString('hex'), '04' + '00000001' + '00000009' + b('ulTagBits').toString('hex') + '02' + '0000000000000080');
    assert.equal(encode(b('ab')).toString('hex'), '01000000026162');
    assert.equal(encode(true).toString('hex'), '0301');
    assert.equal(encode([]).toString('hex'), '0500000000');
  });

  it('refuses malformed values with a protocol error', () => {
    const bad = (hex: string) => assert.throws(() => readParamValue(new WireReader(Buffer.from(hex, 'hex'))), ProtocolError, hex);
    bad('09'); // unknown tag
    bad('0302'); // a CK_BBOOL of 2
    bad('0100000005616263'); // bytes cut short
    bad('02000000'); // a u64 cut short
    bad('04000000010000000131' + '00'); // field name "1"
    bad('0400000001000000095f5f70726f746f5f5f00'); // field name "__proto__"
    bad('04000000020000000161000000000161' + '00'); // the same field twice
    bad('05ffffffff'); // a count beyond the message
    bad('0400000001'); // a structure cut short
    // Nesting deeper than X_MAX_DEPTH.
    bad('0500000001'.repeat(X_MAX_DEPTH + 2) + '00');
  });

  it("carries the extension's mechanisms: NULL, a parameter, no parameter", () => {
    const w = new WireWriter();
    writeMechanism(w, { mechanism: K.CKM_AES_GCM, parameter: { pIv: b('123456789012'), ulTagBits: 96 } }, EXT_DIALECT);
    writeMechanism(w, { mechanism: K.CKM_SHA256, parameter: null }, EXT_DIALECT);
    writeMechanism(w, null, EXT_DIALECT);
    const r = new WireReader(w.finish());
    const gcm = readMechanism(r, EXT_DIALECT)!;
    assert.equal(gcm.mechanism, K.CKM_AES_GCM);
    assert.deepEqual(plain(gcm.parameter as ParamValue), { pIv: b('123456789012'), ulTagBits: 96 });
    assert.deepEqual(readMechanism(r, EXT_DIALECT), { mechanism: K.CKM_SHA256, parameter: null });
    assert.equal(readMechanism(r, EXT_DIALECT), null);
    assert.equal(r.remaining, 0);
  });
});

describe('X parameter values (module side, native/src/params.c)', () => {
  let program = '';
  before(() => {
    program = join(buildNative('', ['test_codec']), 'test_codec');
  });

  it('encodes each C parameter structure as the object our mechanisms take', () => {
    const lines = execFileSync(program, ['encode']).toString().trim().split('\n');
    const got = new Map(lines.map((l) => l.split(' ') as [string, string]));
    const iv = Buffer.from('0102030405060708090a0b0c', 'hex');
    const expected: Record<string, unknown> = {
      gcm: { pIv: iv, ulIvBits: 96, pAAD: Buffer.from('aabbcc', 'hex'), ulTagBits: 128 },
      'gcm-no-aad': { pIv: iv, ulIvBits: 96, pAAD: Buffer.alloc(0), ulTagBits: 96 },
      ctr: { ulCounterBits: 32, cb: Buffer.from('00000000000000000000000000000001', 'hex') },
      'cbc-iv': Buffer.from('ff000000000000000000000000000000', 'hex'),
      none: null,
      'mac-general': 20,
      eddsa: { phFlag: true, pContextData: b('ctx') },
      ecdh1: { kdf: K.CKD_NULL, pSharedData: Buffer.alloc(0), pPublicData: Buffer.from('0401', 'hex') },
      oaep: { hashAlg: K.CKM_SHA256, mgf: K.CKG_MGF1_SHA256, source: K.CKZ_DATA_SPECIFIED, pSourceData: b('L') },
      pss: { hashAlg: K.CKM_SHA256, mgf: K.CKG_MGF1_SHA256, sLen: 32 },
      ccm: { ulDataLen: 5, pNonce: iv, pAAD: Buffer.from('aabbcc', 'hex'), ulMACLen: 16 },
      'chacha20-poly1305': { pNonce: iv, pAAD: Buffer.alloc(0) },
      hkdf: {
        bExtract: true, bExpand: false, prfHashMechanism: K.CKM_SHA256, ulSaltType: K.CKF_HKDF_SALT_DATA,
        pSalt: b('salt'), hSaltKey: 0, pInfo: Buffer.alloc(0),
      },
      pbkdf2: {
        saltSource: K.CKZ_SALT_SPECIFIED, pSaltSourceData: b('NaCl'), iterations: 1000, prf: K.CKP_PKCS5_PBKD2_HMAC_SHA256,
        pPrfData: Buffer.alloc(0), pPassword: b('pw'),
      },
      'sp800-108': {
        prfType: K.CKM_SHA256_HMAC,
        pDataParams: [
          { type: K.CK_SP800_108_ITERATION_VARIABLE, pValue: { bLittleEndian: false, ulWidthInBits: 32 } },
          { type: K.CK_SP800_108_BYTE_ARRAY, pValue: b('label') },
          { type: K.CK_SP800_108_DKM_LENGTH, pValue: { dkmLengthMethod: K.CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, bLittleEndian: true, ulWidthInBits: 16 } },
        ],
        ulAdditionalDerivedKeys: 0,
      },
      'ml-dsa': { hedgeVariant: K.CKH_DETERMINISTIC_REQUIRED, pContext: b('ctx') },
      'hash-ml-dsa': { hedgeVariant: K.CKH_HEDGE_PREFERRED, pContext: Buffer.alloc(0), hash: K.CKM_SHA3_256 },
      'string-data': { pData: b('xyz') },
    };
    for (const [name, value] of Object.entries(expected)) {
      const hex = got.get(name);
      assert.ok(hex, `the module encoded ${name}`);
      assert.deepEqual(decode(Buffer.from(hex, 'hex')), value, name);
    }
    // A structure of the wrong size is refused before anything is sent.
    assert.equal(got.get('gcm-wrong-size'), `rv=0x${K.CKR_MECHANISM_PARAM_INVALID.toString(16)}`);
  });

  it("copies the server's output fields back into the application's structure, and nothing malformed", () => {
    const iv = Buffer.from('a1a2a3a4a5a6a7a8a9aaabac', 'hex');
    const tag = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const answer = encode({ pIv: iv, ulIvFixedBits: 0, ivGenerator: K.CKG_GENERATE_RANDOM, pTag: tag, ulTagBits: 128 });
    assert.equal(execFileSync(program, ['decode', answer.toString('hex')]).toString().trim(), `ok iv=${iv.toString('hex')} tag=${tag.toString('hex')}`);
    // A tag of the wrong length is not copied; a cut answer is malformed.
    const short = encode({ pIv: iv, pTag: tag.subarray(0, 8) });
    assert.equal(execFileSync(program, ['decode', short.toString('hex')]).toString().trim(), `ok iv=${iv.toString('hex')} tag=${'00'.repeat(16)}`);
    const cut = answer.subarray(0, answer.length - 3);
    assert.match(execFileSync(program, ['decode', cut.toString('hex')]).toString(), /^malformed/);
  });
});
