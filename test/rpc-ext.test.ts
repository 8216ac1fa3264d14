/**
 * The server side of our protocol extension (docs/protocol.md): the version
 * handshake, the extension's calls, and message-based parameters that come
 * back with their output fields. The p11-kit dialects stay as they were.
 */
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cryptoki } from '../src/core/cryptoki.js';
import * as K from '../src/pkcs11/constants.js';
import { MemoryStore } from '../src/store/memory.js';
import { callByName } from '../src/rpc/calls.js';
import { decodeBody, encodeBody, EXT_DIALECT, type ByteBuffer, type Dialect, type FieldValue } from '../src/rpc/codec.js';
import { Dispatcher, HANDSHAKE } from '../src/rpc/dispatch.js';
import { EXT_CALLS, EXT_VERSION } from '../src/rpc/ext-calls.js';
import { silentLogger } from '../src/rpc/log.js';
import { inProcessExecutors, RpcServer } from '../src/rpc/server.js';
import { ProtocolClient } from './rpc-support.js';
import { FAST_KDF } from './helpers.js';

const SO_PIN = 'so-pin-ext-1';
const PIN = 'user-pin-ext-1';
const bytes = (b: Buffer | string): ByteBuffer => {
  const data = Buffer.isBuffer(b) ? b : Buffer.from(b);
  return { data, length: data.length };
};
const ext = (name: string) => EXT_CALLS.find((c) => c.name === name)!;
const std = (name: string) => callByName(name);

/** A dispatcher of the given dialect on a fresh token, initialized and logged in. */
function session(dialect: Dialect) {
  const p11 = new Cryptoki({ store: new MemoryStore(), kdf: FAST_KDF });
  p11.C_Initialize();
  const slot = p11.C_GetSlotList(true)[0]!;
  p11.C_InitToken(slot, SO_PIN, 'ext');
  const so = p11.C_OpenSession(slot, K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION);
  p11.C_Login(so, K.CKU_SO, SO_PIN);
  p11.C_InitPIN(so, PIN);
  p11.C_Finalize();
  const d = new Dispatcher(p11, dialect);
  const call = (spec: { id: number; request: string | null; response: string }, values: FieldValue[]) => {
    const body = d.handle(encodeBody(spec.id, spec.request!, values, { dialect }));
    const r = decodeBody(body, { dialect });
    if (r.callId === 0) return { rv: r.fields[0] as number, fields: [] as FieldValue[] };
    assert.equal(r.callId, spec.id);
    assert.equal(r.signature, spec.response);
    return { rv: K.CKR_OK, fields: r.fields };
  };
  call(std('C_Initialize'), [bytes(HANDSHAKE), 0, bytes(Buffer.of(0))]);
  const h = call(std('C_OpenSession'), [slot + 1 - 1, K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION]).fields[0] as number;
  assert.equal(call(std('C_Login'), [h, K.CKU_USER, bytes(PIN)]).rv, K.CKR_OK);
  return { p11, d, call, h };
}

describe('protocol extension: handshake', () => {
  let dir: string;
  let server: RpcServer;
  let path: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rpc-ext-'));
    path = join(dir, 's.sock');
    server = new RpcServer({ createExecutor: inProcessExecutors(() => new Cryptoki({ store: new MemoryStore(), kdf: FAST_KDF })), logger: silentLogger });
    await server.listen(path);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [offer, answer] of [[EXT_VERSION, EXT_VERSION], [2, 2], [0, 0], [EXT_VERSION + 1, 2], [0xff, 2]] as const) {
    it(`answers an offer of 0x${offer.toString(16)} with 0x${answer.toString(16)}`, async () => {
      const c = await ProtocolClient.connect(path);
      assert.equal(await c.handshake(offer), answer);
      c.end();
    });
  }
});

describe('protocol extension: calls', () => {
  it('are unknown to the p11-kit dialects (CKR_FUNCTION_NOT_SUPPORTED), known to ours', () => {
    const v2 = session(2);
    const spec = ext('C_GetSessionValidationFlags');
    assert.equal(v2.call(spec, [v2.h, K.CKS_LAST_VALIDATION_OK]).rv, K.CKR_FUNCTION_NOT_SUPPORTED);
    const ours = session(EXT_DIALECT);
    const r = ours.call(spec, [ours.h, K.CKS_LAST_VALIDATION_OK]);
    assert.equal(r.rv, K.CKR_OK);
    assert.equal(typeof r.fields[0], 'number');
  });

  it('the message-based p11-kit calls stay unsupported; ours carry the tag back in the parameter', () => {
    const { call, h, p11 } = session(EXT_DIALECT);
    const value = Buffer.alloc(16, 7);
    const key = p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES },
      { type: K.CKA_VALUE, value }, { type: K.CKA_ENCRYPT, value: true }, { type: K.CKA_DECRYPT, value: true },
    ]);
    assert.equal(call(std('C_MessageEncryptInit'), [h, { mechanism: K.CKM_AES_GCM, parameter: null }, key]).rv, K.CKR_OK);
    // p11-kit's own id for C_EncryptMessage: raw C structures, refused.
    assert.equal(call(std('C_EncryptMessage'), [h, bytes('x'), bytes(''), bytes('p'), 16]).rv, K.CKR_FUNCTION_NOT_SUPPORTED);
    const iv = Buffer.alloc(12, 1);
    const param = { pIv: iv, ulIvFixedBits: 0, ivGenerator: K.CKG_NO_GENERATE, pTag: Buffer.alloc(16), ulTagBits: 128 };
    const r = call(ext('C_EncryptMessage'), [h, param, bytes('aad'), bytes('plaintext'), 64]);
    assert.equal(r.rv, K.CKR_OK);
    const back = r.fields[0] as { pTag: Buffer; pIv: Buffer };
    const c = createCipheriv('aes-128-gcm', value, iv);
    c.setAAD(Buffer.from('aad'));
    const ct = Buffer.concat([c.update('plaintext'), c.final()]);
    assert.deepEqual((r.fields[1] as ByteBuffer).data, ct);
    assert.deepEqual(back.pTag, c.getAuthTag());
    assert.deepEqual(back.pIv, iv);
    // A length query answers the length and leaves the parameter as it was.
    const q = call(ext('C_EncryptMessage'), [h, { ...param, pTag: Buffer.alloc(16) }, bytes('aad'), bytes('plaintext'), 0]);
    assert.deepEqual(q.fields[1], { data: null, length: 9 });
    assert.deepEqual((q.fields[0] as { pTag: Buffer }).pTag, Buffer.alloc(16));
  });

  it('C_EncapsulateKey / C_DecapsulateKey: a length query creates no key; both sides agree', () => {
    const { call, h, p11 } = session(EXT_DIALECT);
    const [pub, priv] = p11.C_GenerateKeyPair(h, { mechanism: K.CKM_ML_KEM_KEY_PAIR_GEN },
      [{ type: K.CKA_PARAMETER_SET, value: K.CKP_ML_KEM_512 }, { type: K.CKA_ENCAPSULATE, value: true }],
      [{ type: K.CKA_DECAPSULATE, value: true }]);
    const template = [{ type: K.CKA_CLASS, ulValueLen: 8, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, ulValueLen: 8, value: K.CKK_GENERIC_SECRET },
      { type: K.CKA_SENSITIVE, ulValueLen: 1, value: 0 }, { type: K.CKA_EXTRACTABLE, ulValueLen: 1, value: 1 }];
    const m = { mechanism: K.CKM_ML_KEM, parameter: null };
    const q = call(ext("C_EncapsulateKey"), [h, m, pub, template, 0]);
    assert.equal(q.rv, K.CKR_OK);
    assert.deepEqual(q.fields, [{ data: null, length: 768 }, K.CK_INVALID_HANDLE]);
    const small = call(ext('C_EncapsulateKey'), [h, m, pub, template, 10]);
    assert.deepEqual(small.fields, [{ data: null, length: 768 }, K.CK_INVALID_HANDLE]);
    const e = call(ext('C_EncapsulateKey'), [h, m, pub, template, 2000]);
    const ct = (e.fields[0] as ByteBuffer).data!;
    assert.equal(ct.length, 768);
    const k1 = e.fields[1] as number;
    const k2 = call(ext('C_DecapsulateKey'), [h, m, priv, template, bytes(ct)]).fields[0] as number;
    const value = (k: number) => p11.C_GetAttributeValue(h, k, [{ type: K.CKA_VALUE }])[0]!.value as Buffer;
    assert.deepEqual(value(k1), value(k2));
  });

  it('C_VerifySignature*: the signature with the Init, then the data', () => {
    const { call, h, p11 } = session(EXT_DIALECT);
    const [pub, priv] = p11.C_GenerateKeyPair(h, { mechanism: K.CKM_EC_KEY_PAIR_GEN },
      [{ type: K.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') }], []);
    p11.C_SignInit(h, { mechanism: K.CKM_ECDSA_SHA256 }, priv);
    const sig = p11.C_Sign(h, Buffer.from('data'));
    const m = { mechanism: K.CKM_ECDSA_SHA256, parameter: null };
    assert.equal(call(ext('C_VerifySignatureInit'), [h, m, pub, bytes(sig)]).rv, K.CKR_OK);
    assert.equal(call(ext('C_VerifySignature'), [h, bytes('data')]).rv, K.CKR_OK);
    assert.equal(call(ext('C_VerifySignatureInit'), [h, m, pub, bytes(sig)]).rv, K.CKR_OK);
    assert.equal(call(ext('C_VerifySignatureUpdate'), [h, bytes('dat')]).rv, K.CKR_OK);
    assert.equal(call(ext('C_VerifySignatureUpdate'), [h, bytes('x')]).rv, K.CKR_OK);
    assert.equal(call(ext('C_VerifySignatureFinal'), [h]).rv, K.CKR_SIGNATURE_INVALID);
  });

  it('a mechanism parameter of the wrong shape is CKR_MECHANISM_PARAM_INVALID, not a crash', () => {
    const { call, h, p11 } = session(EXT_DIALECT);
    const key = p11.C_CreateObject(h, [
      { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES },
      { type: K.CKA_VALUE, value: Buffer.alloc(16) }, { type: K.CKA_ENCRYPT, value: true },
    ]);
    for (const parameter of [[1, 2], true, 5, { pIv: 7 }, { pIv: [Buffer.alloc(12)] }]) {
      const r = call(std('C_EncryptInit'), [h, { mechanism: K.CKM_AES_GCM, parameter } as unknown as FieldValue, key]);
      assert.equal(r.rv, K.CKR_MECHANISM_PARAM_INVALID, JSON.stringify(parameter));
    }
  });
});
