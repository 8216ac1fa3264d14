/**
 * The RPC server: the dispatcher's semantics (output buffers, in-band
 * C_GetAttributeValue, dialects), connections (handshake, framing, one
 * application context each, finalized at the end), both executors, the unix
 * socket transport (mode 0600, stale sockets, clean shutdown), stdio, logging
 * and the `cryptoki serve` command.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { Cryptoki } from '../src/core/cryptoki.js';
import { sessionsOpenOn } from '../src/core/application.js';
import * as K from '../src/pkcs11/constants.js';
import { rvName } from '../src/pkcs11/names.js';
import { MemoryStore } from '../src/store/memory.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { CALLS, callByName } from '../src/rpc/calls.js';
import {
  decodeBody, encodeBody, ProtocolError, tokenize, type ByteBuffer, type Dialect, type FieldValue, type UlongBuffer,
  type WireAttribute,
} from '../src/rpc/codec.js';
import { Dispatcher, HANDSHAKE } from '../src/rpc/dispatch.js';
import { encodeFrame, FrameReader } from '../src/rpc/frame.js';
import { createLogger, silentLogger } from '../src/rpc/log.js';
import { inProcessExecutors, RpcServer, serverAddress, workerExecutors } from '../src/rpc/server.js';
import { defaultSocketPath, serveCommand, startupBanner } from '../src/cli/serve.js';
import { ProtocolClient } from './rpc-support.js';
import { FAST_KDF } from './helpers.js';

const SO_PIN = 'so-pin-1234';
const USER_PIN = 'user-pin-1234';
const RW = K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION;
const distRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distUrl = (p: string) => pathToFileURL(join(distRoot, p)).href;
const commanderUrl = pathToFileURL(createRequire(import.meta.url).resolve('commander')).href;

function token(store = new MemoryStore(), kdf = FAST_KDF): { store: MemoryStore | SqliteStore; slot: number } {
  const p11 = new Cryptoki({ store, kdf });
  p11.C_Initialize();
  const slot = p11.C_GetSlotList(true)[0]!;
  p11.C_InitToken(slot, SO_PIN, 'rpc test');
  const h = p11.C_OpenSession(slot, RW);
  p11.C_Login(h, K.CKU_SO, SO_PIN);
  p11.C_InitPIN(h, USER_PIN);
  p11.C_Finalize();
  return { store, slot };
}

const init = () => encodeBody(1, 'ayyay', [{ data: HANDSHAKE, length: 41 }, 0, { data: Buffer.of(0), length: 1 }], { dialect: 0 });
const bytes = (s: string | Buffer): ByteBuffer => {
  const data = typeof s === 'string' ? Buffer.from(s) : s;
  return { data, length: data.length };
};

/** Calls by name straight into a dispatcher; the decoded answer. */
function rpc(d: Dispatcher, name: string, values: FieldValue[], opts: { mechanism?: number } = {}) {
  const spec = callByName(name);
  const out = d.handle(encodeBody(spec.id, spec.request!, values, { dialect: d.dialect }));
  const decoded = decodeBody(out, { dialect: d.dialect, ...opts });
  if (decoded.callId === 0) return { error: rvName(decoded.fields[0] as number), fields: [] as FieldValue[] };
  assert.equal(decoded.callId, spec.id);
  assert.equal(decoded.signature, spec.response);
  return { error: undefined, fields: decoded.fields };
}

function ok(d: Dispatcher, name: string, values: FieldValue[]): FieldValue[] {
  const r = rpc(d, name, values);
  assert.equal(r.error, undefined, `${name} failed with ${r.error}`);
  return r.fields;
}

function loggedIn(dialect: Dialect = 0, t = token()) {
  const d = new Dispatcher(new Cryptoki({ store: t.store, kdf: FAST_KDF }), dialect);
  assert.equal(decodeBody(d.handle(init()), { dialect }).callId, 1);
  const [h] = ok(d, 'C_OpenSession', [t.slot, RW]) as number[];
  ok(d, 'C_Login', [h!, K.CKU_USER, bytes(USER_PIN)]);
  return { d, h: h!, ...t };
}

// ---- a client that speaks the protocol ---------------------------------------------

class TestClient extends ProtocolClient {
  async call(name: string, values: FieldValue[], dialect: Dialect = 0, code = 0x10) {
    const spec = callByName(name);
    this.socket.write(encodeFrame(code, encodeBody(spec.id, spec.request!, values, { dialect }), Buffer.from('client')));
    const f = await this.next();
    assert.ok(f, `${name}: the connection was closed`);
    assert.equal(f.code, code);
    const d = decodeBody(f.body, { dialect });
    return d.callId === 0 ? { error: rvName(d.fields[0] as number), fields: [] as FieldValue[] } : { error: undefined, fields: d.fields };
  }

  async open(offer: Dialect = 0): Promise<void> {
    assert.equal(await this.handshake(offer), offer);
    const r = await this.call('C_Initialize', [{ data: HANDSHAKE, length: 41 }, 0, { data: Buffer.of(0), length: 1 }], offer);
    assert.equal(r.error, undefined);
  }
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cryptoki-rpc-'));
}

// ---- the dispatcher ---------------------------------------------------------------------

describe('rpc dispatcher', () => {
  it('answers size queries without ending the operation, and CKR_BUFFER_TOO_SMALL in-band with the size', () => {
    const { d, h } = loggedIn();
    const data = bytes('hello world');
    const digest = createHash('sha256').update('hello world').digest();
    ok(d, 'C_DigestInit', [h, { mechanism: K.CKM_SHA256, parameter: null }]);
    assert.deepEqual(ok(d, 'C_Digest', [h, data, 0]), [{ data: null, length: 32 }], 'a size query');
    assert.deepEqual(ok(d, 'C_Digest', [h, data, 16]), [{ data: null, length: 32 }], 'too small: the size, as a normal answer');
    assert.deepEqual(ok(d, 'C_Digest', [h, data, 0x7fff_0000]), [{ data: digest, length: 32 }], 'a huge capacity allocates no more than needed');
    assert.equal(rpc(d, 'C_Digest', [h, data, 64]).error, 'CKR_OPERATION_NOT_INITIALIZED', 'the digest is over');
  });

  it('takes 0xffffffff as a real buffer of capacity 0 from version 1 on, and as a capacity in version 0', () => {
    const v1 = loggedIn(1);
    ok(v1.d, 'C_DigestInit', [v1.h, { mechanism: K.CKM_SHA256, parameter: null }]);
    ok(v1.d, 'C_DigestUpdate', [v1.h, bytes('abc')]);
    assert.deepEqual(ok(v1.d, 'C_DigestFinal', [v1.h, 0xffff_ffff]), [{ data: null, length: 32 }]);
    const [out] = ok(v1.d, 'C_DigestFinal', [v1.h, 32]) as ByteBuffer[];
    assert.deepEqual(out!.data, createHash('sha256').update('abc').digest());
    const v0 = loggedIn(0);
    ok(v0.d, 'C_DigestInit', [v0.h, { mechanism: K.CKM_SHA256, parameter: null }]);
    assert.equal((ok(v0.d, 'C_Digest', [v0.h, bytes('abc'), 0xffff_ffff])[0] as ByteBuffer).length, 32);
  });

  it('encrypts and decrypts with mechanism parameters from every dialect', () => {
    for (const dialect of [0, 1, 2] as Dialect[]) {
      const { d, h } = loggedIn(dialect);
      const [key] = ok(d, 'C_GenerateKey', [h, { mechanism: K.CKM_AES_KEY_GEN, parameter: null }, [
        { type: K.CKA_VALUE_LEN, ulValueLen: 8, value: 16 }, { type: K.CKA_ENCRYPT, ulValueLen: 1, value: 1 },
        { type: K.CKA_DECRYPT, ulValueLen: 1, value: 1 }, { type: K.CKA_LABEL, ulValueLen: 3, value: Buffer.from('aes') },
      ]]) as number[];
      const plain = Buffer.from('sixteen byte msgand some more');
      // Version 0 clients only know parameterless AES; 0.25+ serialize the CBC IV and GCM.
      const mechanisms = dialect === 0
        ? [{ mechanism: K.CKM_AES_ECB, parameter: null }]
        : [{ mechanism: K.CKM_AES_CBC_PAD, parameter: Buffer.alloc(16, 9) },
          { mechanism: K.CKM_AES_GCM, parameter: { pIv: Buffer.alloc(12, 1), ulIvBits: 96, pAAD: Buffer.from('aad'), ulTagBits: 128 } }];
      for (const m of mechanisms) {
        const input = m.mechanism === K.CKM_AES_ECB ? plain.subarray(0, 16) : plain;
        ok(d, 'C_EncryptInit', [h, m, key!]);
        const [size] = ok(d, 'C_Encrypt', [h, bytes(input), 0]) as ByteBuffer[];
        const [ct] = ok(d, 'C_Encrypt', [h, bytes(input), size!.length]) as ByteBuffer[];
        assert.ok(ct!.data);
        ok(d, 'C_DecryptInit', [h, m, key!]);
        const [pt] = ok(d, 'C_Decrypt', [h, bytes(ct!.data!), 4096]) as ByteBuffer[];
        assert.deepEqual(pt!.data, input, `${rvName(m.mechanism)} dialect ${dialect}`);
      }
    }
  });

  it('answers C_GetAttributeValue with values, length-only forms and the rv in-band', () => {
    const { d, h } = loggedIn();
    const [obj] = ok(d, 'C_CreateObject', [h, [
      { type: K.CKA_CLASS, ulValueLen: 8, value: K.CKO_DATA }, { type: K.CKA_LABEL, ulValueLen: 5, value: Buffer.from('hello') },
      { type: K.CKA_VALUE, ulValueLen: 4, value: Buffer.from('abcd') }, { type: K.CKA_PRIVATE, ulValueLen: 1, value: 0 },
    ]]) as number[];
    const get = (specs: { type: number; length: number }[]) => ok(d, 'C_GetAttributeValue', [h, obj!, specs]);
    assert.deepEqual(get([{ type: K.CKA_CLASS, length: 0 }, { type: K.CKA_LABEL, length: 0 }, { type: K.CKA_PRIVATE, length: 0 }]), [[
      { type: K.CKA_CLASS, ulValueLen: 8, value: 0 }, { type: K.CKA_LABEL, ulValueLen: 5, value: null },
      { type: K.CKA_PRIVATE, ulValueLen: 1, value: 0 },
    ], K.CKR_OK]);
    assert.deepEqual(get([{ type: K.CKA_CLASS, length: 8 }, { type: K.CKA_LABEL, length: 64 }, { type: K.CKA_TOKEN, length: 1 }]), [[
      { type: K.CKA_CLASS, ulValueLen: 8, value: K.CKO_DATA }, { type: K.CKA_LABEL, ulValueLen: 5, value: Buffer.from('hello') },
      { type: K.CKA_TOKEN, ulValueLen: 1, value: 0 },
    ], K.CKR_OK]);
    assert.deepEqual(get([{ type: K.CKA_VALUE, length: 2 }, { type: K.CKA_MODULUS, length: 0 }, { type: K.CKA_LABEL, length: 5 }]), [[
      { type: K.CKA_VALUE, ulValueLen: -1 }, { type: K.CKA_MODULUS, ulValueLen: -1 },
      { type: K.CKA_LABEL, ulValueLen: 5, value: Buffer.from('hello') },
    ], K.CKR_BUFFER_TOO_SMALL], 'too small and unknown: unavailable, the first problem is the rv');
    assert.deepEqual(get([{ type: K.CKA_MODULUS, length: 8 }]), [[{ type: K.CKA_MODULUS, ulValueLen: -1 }], K.CKR_ATTRIBUTE_TYPE_INVALID]);

    const [secret] = ok(d, 'C_GenerateKey', [h, { mechanism: K.CKM_AES_KEY_GEN, parameter: null }, [
      { type: K.CKA_VALUE_LEN, ulValueLen: 8, value: 32 }, { type: K.CKA_SENSITIVE, ulValueLen: 1, value: 1 },
    ]]) as number[];
    assert.deepEqual(ok(d, 'C_GetAttributeValue', [h, secret!, [{ type: K.CKA_VALUE, length: 32 }, { type: K.CKA_VALUE_LEN, length: 8 }]]),
      [[{ type: K.CKA_VALUE, ulValueLen: -1 }, { type: K.CKA_VALUE_LEN, ulValueLen: 8, value: 32 }], K.CKR_ATTRIBUTE_SENSITIVE]);
    // Not in-band: an ERROR frame.
    assert.equal(rpc(d, 'C_GetAttributeValue', [h, 0x7777, [{ type: K.CKA_CLASS, length: 8 }]]).error, 'CKR_OBJECT_HANDLE_INVALID');
  });

  it('carries templates nested in attributes to and from a version 2 client', () => {
    const { d, h } = loggedIn(2);
    const wrapTemplate: WireAttribute = { type: K.CKA_WRAP_TEMPLATE, ulValueLen: 24, value: [{ type: K.CKA_EXTRACTABLE, ulValueLen: 1, value: 1 }] };
    const [key] = ok(d, 'C_GenerateKey', [h, { mechanism: K.CKM_AES_KEY_GEN, parameter: null }, [
      { type: K.CKA_VALUE_LEN, ulValueLen: 8, value: 16 }, { type: K.CKA_WRAP, ulValueLen: 1, value: 1 }, wrapTemplate,
    ]]) as number[];
    const [attrs, rv] = ok(d, 'C_GetAttributeValue', [h, key!, [
      { type: K.CKA_WRAP_TEMPLATE, length: 0 },
      { type: K.CKA_WRAP_TEMPLATE, length: 24, nested: [{ type: K.CKA_EXTRACTABLE, length: 1 }] },
    ]]) as [WireAttribute[], number];
    assert.equal(rv, K.CKR_OK);
    assert.deepEqual(attrs[0], { type: K.CKA_WRAP_TEMPLATE, ulValueLen: 24, value: [] });
    assert.deepEqual(attrs[1], wrapTemplate);
  });

  it('reads the fA of every version 1 client, whether it nests or not', () => {
    const { d, h } = loggedIn(1);
    const [obj] = ok(d, 'C_CreateObject', [h, [{ type: K.CKA_CLASS, ulValueLen: 8, value: K.CKO_DATA }]]) as number[];
    const specs = [{ type: K.CKA_WRAP_TEMPLATE, length: 24, nested: [{ type: K.CKA_CLASS, length: 8 }] }, { type: K.CKA_CLASS, length: 8 }];
    for (const nest of ['nonzero', 'never', 'always'] as const) {
      const body = encodeBody(24, 'uufA', [h, obj!, specs], { dialect: 1, nest });
      const out = decodeBody(d.handle(body), { dialect: 1 });
      assert.equal(out.callId, 24, nest);
      assert.deepEqual((out.fields[0] as WireAttribute[]).map((a) => a.type), [K.CKA_WRAP_TEMPLATE, K.CKA_CLASS], nest);
    }
  });

  it('refuses a 0.24 client\'s raw CKA_DERIVE_TEMPLATE', () => {
    const { d, h } = loggedIn(0);
    assert.equal(rpc(d, 'C_CreateObject', [h, [
      { type: K.CKA_CLASS, ulValueLen: 8, value: K.CKO_DATA }, { type: K.CKA_DERIVE_TEMPLATE, ulValueLen: 24, value: Buffer.alloc(24, 0x55) },
    ]]).error, 'CKR_ATTRIBUTE_VALUE_INVALID');
  });

  it('cancels an operation for the NULL mechanism of 0.25.3+', () => {
    const { d, h } = loggedIn(2);
    ok(d, 'C_DigestInit', [h, { mechanism: K.CKM_SHA256, parameter: null }]);
    assert.equal(rpc(d, 'C_DigestInit', [h, { mechanism: K.CKM_SHA256, parameter: null }]).error, 'CKR_OPERATION_ACTIVE');
    ok(d, 'C_DigestInit', [h, null]);
    ok(d, 'C_DigestInit', [h, { mechanism: K.CKM_SHA256, parameter: null }]);
    assert.equal(rpc(d, 'C_GenerateKey', [h, null, []]).error, 'CKR_ARGUMENTS_BAD');
  });

  it('serves slots, tokens, sessions, random bytes and slot events', () => {
    const t = token();
    const d = new Dispatcher(new Cryptoki({ store: t.store, kdf: FAST_KDF }), 0);
    assert.equal(rpc(d, 'C_GetInfo', []).error, 'CKR_CRYPTOKI_NOT_INITIALIZED');
    d.handle(init());
    const [version, manufacturer] = ok(d, 'C_GetInfo', []);
    assert.deepEqual(version, { major: 2, minor: 40 }, 'a version 0 client has a 2.40 function list');
    assert.equal((manufacturer as Buffer).length, 32);
    assert.deepEqual(ok(d, 'C_GetSlotList', [1, 0]), [{ data: null, count: 2 }]);
    assert.deepEqual(ok(d, 'C_GetSlotList', [1, 1]), [{ data: null, count: 2 }], 'too small');
    const [slots] = ok(d, 'C_GetSlotList', [1, 8]) as UlongBuffer[];
    assert.deepEqual(slots!.data, [t.slot, t.slot + 1]);
    const info = ok(d, 'C_GetTokenInfo', [t.slot]);
    assert.equal(info.length, 18);
    assert.equal((info[0] as Buffer).toString().trimEnd(), 'rpc test');
    assert.deepEqual(info.map((f, i) => (Buffer.isBuffer(f) ? [i, f.length] : null)).filter(Boolean), [[0, 32], [1, 32], [2, 16], [3, 16], [17, 16]]);
    assert.equal(ok(d, 'C_GetSlotInfo', [t.slot]).length, 5);
    const [count] = ok(d, 'C_GetMechanismList', [t.slot, 0]) as UlongBuffer[];
    const [mechs] = ok(d, 'C_GetMechanismList', [t.slot, count!.count]) as UlongBuffer[];
    assert.ok(mechs!.data!.includes(K.CKM_SHA256));
    assert.equal(ok(d, 'C_GetMechanismInfo', [t.slot, K.CKM_SHA256]).length, 3);
    const [h] = ok(d, 'C_OpenSession', [t.slot, K.CKF_SERIAL_SESSION]) as number[];
    assert.deepEqual(ok(d, 'C_GetSessionInfo', [h!]), [t.slot, K.CKS_RO_PUBLIC_SESSION, K.CKF_SERIAL_SESSION, 0]);
    const [random] = ok(d, 'C_GenerateRandom', [h!, 32]) as ByteBuffer[];
    assert.equal(random!.data!.length, 32);
    assert.deepEqual(ok(d, 'C_GenerateRandom', [h!, 0]), [{ data: Buffer.alloc(0), length: 0 }], 'data, or a client with a buffer sees CKR_BUFFER_TOO_SMALL');
    assert.equal(rpc(d, 'C_GenerateRandom', [h!, 0x7fff_ffff]).error, 'CKR_DEVICE_MEMORY');
    assert.equal(rpc(d, 'C_SeedRandom', [h!, bytes('seed')]).error, 'CKR_RANDOM_SEED_NOT_SUPPORTED');
    assert.equal(rpc(d, 'C_WaitForSlotEvent', [K.CKF_DONT_BLOCK]).error, 'CKR_NO_EVENT');
    assert.equal(rpc(d, 'C_WaitForSlotEvent', [0]).error, 'CKR_FUNCTION_NOT_SUPPORTED', 'a blocking wait would hold the connection');
    ok(d, 'C_FindObjectsInit', [h!, []]);
    assert.deepEqual(ok(d, 'C_FindObjects', [h!, 0]), [{ data: [], count: 0 }]);
    ok(d, 'C_FindObjectsFinal', [h!]);
    assert.equal(rpc(d, 'C_Login', [h!, K.CKU_USER, { data: null, length: 0 }]).error, 'CKR_ARGUMENTS_BAD', 'a NULL PIN');
    assert.equal(rpc(d, 'C_Login', [h!, K.CKU_USER, bytes('wrong-pin')]).error, 'CKR_PIN_INCORRECT');
    ok(d, 'C_CloseAllSessions', [t.slot]);
    assert.equal(rpc(d, 'C_GetSessionInfo', [h!]).error, 'CKR_SESSION_HANDLE_INVALID');
  });

  it('reports the real cryptoki version to version 2 clients', () => {
    const d = new Dispatcher(new Cryptoki({ kdf: FAST_KDF }), 2);
    d.handle(init());
    assert.deepEqual(ok(d, 'C_GetInfo', [])[0], { major: 3, minor: 2 });
  });

  it('initializes tokens with C_InitToken (label cut at 32 bytes) and C_InitToken2', () => {
    const d = new Dispatcher(new Cryptoki({ kdf: FAST_KDF }), 1);
    d.handle(init());
    const [slots] = ok(d, 'C_GetSlotList', [0, 8]) as UlongBuffer[];
    const free = slots!.data![0]!;
    const long = Buffer.concat([Buffer.from('first token'), Buffer.alloc(21, 0x20), Buffer.from('junk past the label')]);
    ok(d, 'C_InitToken', [free, bytes(SO_PIN), long]);
    assert.equal((ok(d, 'C_GetTokenInfo', [free])[0] as Buffer).toString(), 'first token' + ' '.repeat(21));
    const [after] = ok(d, 'C_GetSlotList', [0, 8]) as UlongBuffer[];
    const next = after!.data![1]!;
    assert.equal(rpc(d, 'C_InitToken2', [next, bytes(SO_PIN), Buffer.from('short')]).error, 'CKR_ARGUMENTS_BAD');
    ok(d, 'C_InitToken2', [next, bytes(SO_PIN), Buffer.from('second token'.padEnd(32))]);
    assert.equal((ok(d, 'C_GetTokenInfo', [next])[0] as Buffer).toString().trimEnd(), 'second token');
  });

  it('counts C_Initialize as p11-kit\'s proxy does, and finalizes the context on close', () => {
    const t = token();
    const p11 = new Cryptoki({ store: t.store, kdf: FAST_KDF });
    const d = new Dispatcher(p11, 0);
    d.handle(init());
    d.handle(init());
    ok(d, 'C_Finalize', []);
    assert.ok(p11.app.initialized, 'one C_Initialize is still counted');
    ok(d, 'C_GetInfo', []);
    const [h] = ok(d, 'C_OpenSession', [t.slot, RW]) as number[];
    ok(d, 'C_Login', [h!, K.CKU_USER, bytes(USER_PIN)]);
    const tokenId = t.store.listTokens()[0]!.tokenId;
    assert.equal(sessionsOpenOn(t.store, tokenId), 1);
    d.close();
    assert.equal(p11.app.initialized, false);
    assert.equal(sessionsOpenOn(t.store, tokenId), 0, 'the sessions are closed');
    assert.equal(p11.app.logins.size, 0, 'logged out');
    assert.equal(rpc(d, 'C_Finalize', []).error, 'CKR_CRYPTOKI_NOT_INITIALIZED');
  });

  it('has a handler for every call, and refuses the message-based ones, whose parameters cannot cross', () => {
    for (const dialect of [0, 1, 2] as Dialect[]) {
      const internal: string[] = [];
      const { store, slot } = token();
      const d = new Dispatcher(new Cryptoki({ store, kdf: FAST_KDF }), dialect, { onInternalError: (call) => internal.push(call) });
      d.handle(init());
      const [h] = ok(d, 'C_OpenSession', [slot, RW]) as number[];
      for (const c of CALLS) {
        if (c.request === null || c.name === 'C_Finalize') continue;
        const values = tokenize(c.request).map((tok): FieldValue => ({
          y: 0, u: h!, v: { major: 0, minor: 0 }, s: Buffer.alloc(32, 0x20), z: Buffer.from('x'), ay: bytes('1234'),
          fy: 16, fu: 4, fA: [{ type: K.CKA_CLASS, length: 8 }], aA: [], M: { mechanism: K.CKM_SHA256, parameter: null },
        } as Record<string, FieldValue>)[tok]!);
        const r = rpc(d, c.name, values);
        if (/Message/.test(c.name)) assert.equal(r.error, 'CKR_FUNCTION_NOT_SUPPORTED', c.name);
      }
      assert.deepEqual(internal, [], `dialect ${dialect}`);
    }
  });

  it('checks the handshake string, call ids and signatures', () => {
    const d = new Dispatcher(new Cryptoki({ kdf: FAST_KDF }), 0);
    const wrong = encodeBody(1, 'ayyay', [bytes('PRIVATE-GNOME-KEYRING-PKCS11-PROTOCOL-V-2'), 0, { data: Buffer.of(0), length: 1 }], { dialect: 0 });
    assert.deepEqual(decodeBody(d.handle(wrong), { dialect: 0 }).fields, [K.CKR_GENERAL_ERROR]);
    assert.deepEqual(decodeBody(d.handle(encodeBody(90, '', [], { dialect: 0 })), { dialect: 0 }).fields, [K.CKR_FUNCTION_NOT_SUPPORTED]);
    assert.deepEqual(decodeBody(d.handle(encodeBody(0x7fff_ffff, 'u', [1], { dialect: 0 })), { dialect: 0 }).fields, [K.CKR_FUNCTION_NOT_SUPPORTED]);
    assert.throws(() => d.handle(encodeBody(0, 'u', [5], { dialect: 0 })), ProtocolError, 'call id 0 is no request');
    assert.throws(() => d.handle(encodeBody(3, 'u', [5], { dialect: 0 })), ProtocolError, 'wrong signature');
    assert.throws(() => d.handle(init().subarray(0, 30)), ProtocolError, 'truncated');
    // Bytes after the last field are ignored, as p11-kit does.
    assert.equal(decodeBody(d.handle(Buffer.concat([init(), Buffer.from('extra')])), { dialect: 0 }).callId, 1);
  });
});

// ---- connections over a unix socket ---------------------------------------------------------

describe('rpc server over a unix socket (in-process executor)', () => {
  let dir: string;
  let path: string;
  let server: RpcServer;
  let t: ReturnType<typeof token>;
  const lines: string[] = [];

  before(async () => {
    dir = tempDir();
    path = join(dir, 'sub', 'pkcs11.sock');
    t = token();
    server = new RpcServer({
      createExecutor: inProcessExecutors(() => new Cryptoki({ store: t.store, kdf: FAST_KDF })),
      logger: createLogger('debug', (line) => lines.push(line)),
    });
    await server.listen(path);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes the socket 0600 in a 0700 directory', () => {
    assert.ok(statSync(path).isSocket());
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
  });

  it('answers the version byte with min(offer, 2)', async () => {
    for (const [offer, answer] of [[0, 0], [1, 1], [2, 2], [7, 2], [255, 2]]) {
      const c = await TestClient.connect(path);
      assert.equal(await c.handshake(offer), answer);
      c.end();
    }
  });

  it('echoes message codes, answers pipelined requests in order, and ignores options', async () => {
    const c = await TestClient.connect(path);
    await c.handshake(0);
    const frames = [
      encodeFrame(0xdeadbeef, init(), Buffer.from('anything-goes')),
      encodeFrame(5, encodeBody(3, '', [], { dialect: 0 })),
      encodeFrame(0x10, encodeBody(4, 'yfu', [1, 0], { dialect: 0 }), Buffer.from('client')),
    ];
    c.socket.write(Buffer.concat(frames));
    const answers = [await c.next(), await c.next(), await c.next()];
    assert.deepEqual(answers.map((f) => f?.code), [0xdeadbeef, 5, 0x10]);
    assert.deepEqual(answers.map((f) => decodeBody(f!.body, { dialect: 0 }).callId), [1, 3, 4]);
    c.end();
  });

  it('answers an unknown call id with CKR_FUNCTION_NOT_SUPPORTED and keeps the connection', async () => {
    const c = await TestClient.connect(path);
    await c.open();
    c.socket.write(encodeFrame(0x11, encodeBody(150, 'uu', [1, 2], { dialect: 0 })));
    const f = await c.next();
    assert.deepEqual(decodeBody(f!.body, { dialect: 0 }).fields, [K.CKR_FUNCTION_NOT_SUPPORTED]);
    assert.equal((await c.call('C_GetInfo', [])).error, undefined);
    c.end();
  });

  for (const [what, frame] of [
    ['a wrong signature', encodeFrame(0x11, encodeBody(3, 'u', [1], { dialect: 0 }))],
    ['a truncated body', encodeFrame(0x11, encodeBody(5, 'u', [1], { dialect: 0 }).subarray(0, 13))],
    ['a body over the limit', Buffer.from('000000110000000001000001', 'hex')],
    ['options over the limit', Buffer.from('000000110000100100000000', 'hex')],
  ] as const) {
    it(`closes the connection on ${what}`, async () => {
      const c = await TestClient.connect(path);
      await c.open();
      c.socket.write(frame);
      assert.equal(await c.next(), null, 'closed without an answer');
    });
  }

  it('gives each connection its own application context, finalized when it ends', async () => {
    const a = await TestClient.connect(path);
    const b = await TestClient.connect(path);
    await a.open();
    await b.open();
    const [ha] = (await a.call('C_OpenSession', [t.slot, RW])).fields as number[];
    assert.equal((await a.call('C_Login', [ha!, K.CKU_USER, bytes(USER_PIN)])).error, undefined);
    const [hb] = (await b.call('C_OpenSession', [t.slot, RW])).fields as number[];
    const state = async (c: TestClient, h: number) => (await c.call('C_GetSessionInfo', [h])).fields[1];
    assert.equal(await state(a, ha!), K.CKS_RW_USER_FUNCTIONS);
    assert.equal(await state(b, hb!), K.CKS_RW_PUBLIC_SESSION, 'a login on one connection does not log in another');
    assert.equal((await b.call('C_GetSessionInfo', [ha! + 1000])).error, 'CKR_SESSION_HANDLE_INVALID');
    // Token objects are shared, session objects are not.
    const [obj] = (await a.call('C_CreateObject', [ha!, [{ type: K.CKA_CLASS, ulValueLen: 8, value: K.CKO_DATA }]])).fields as number[];
    assert.equal((await b.call('C_GetObjectSize', [hb!, obj!])).error, 'CKR_OBJECT_HANDLE_INVALID');
    const tokenId = t.store.listTokens()[0]!.tokenId;
    assert.equal(sessionsOpenOn(t.store, tokenId), 2);
    b.end();
    a.socket.destroy(); // broken rather than closed: the same end
    for (let i = 0; i < 100 && sessionsOpenOn(t.store, tokenId) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sessionsOpenOn(t.store, tokenId), 0, 'both contexts finalized');
  });

  it('logs connections and failed calls with the CKR name, never a PIN', async () => {
    const c = await TestClient.connect(path);
    await c.open();
    const [h] = (await c.call('C_OpenSession', [t.slot, RW])).fields as number[];
    assert.equal((await c.call('C_Login', [h!, K.CKU_USER, bytes('not-the-pin-4321')])).error, 'CKR_PIN_INCORRECT');
    c.end();
    for (let i = 0; i < 100 && !lines.some((l) => /closed after/.test(l)); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(lines.some((l) => /connection \d+ open .*protocol version 0/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /C_Login failed: CKR_PIN_INCORRECT/.test(l)));
    assert.ok(lines.some((l) => /connection \d+ closed after \d+ calls/.test(l)));
    assert.ok(!lines.some((l) => l.includes('not-the-pin-4321') || l.includes(USER_PIN) || l.includes(SO_PIN)));
  });

  it('refuses to take over a live socket, and leaves other files alone', async () => {
    const other = new RpcServer({ createExecutor: inProcessExecutors(() => new Cryptoki()), logger: silentLogger });
    await assert.rejects(other.listen(path), /another server is listening/);
    const file = join(dir, 'not-a-socket');
    writeFileSync(file, 'data');
    await assert.rejects(other.listen(file), /not a socket/);
    assert.ok(existsSync(file));
  });
});

describe('rpc server: stale sockets and shutdown', () => {
  it('removes the socket file of a dead server', async () => {
    const dir = tempDir();
    const path = join(dir, 'stale.sock');
    // A server killed with SIGKILL leaves its socket file behind.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`]);
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(existsSync(path));
    const server = new RpcServer({ createExecutor: inProcessExecutors(() => new Cryptoki({ kdf: FAST_KDF })), logger: silentLogger });
    await server.listen(path);
    const c = await TestClient.connect(path);
    await c.open();
    c.end();
    await server.close();
    assert.ok(!existsSync(path), 'removed at shutdown');
    rmSync(dir, { recursive: true, force: true });
  });
});

// ---- the worker executor --------------------------------------------------------------------

describe('rpc server with the worker executor (a worker thread and a SqliteStore per connection)', () => {
  // A PIN whose verification takes long: the stand-in for RSA-4096 key generation.
  const SLOW_KDF = { name: 'scrypt' as const, N: 1 << 17, r: 8, p: 1 };
  let dir: string;
  let path: string;
  let dbPath: string;
  let slot: number;
  let server: RpcServer;

  before(async () => {
    dir = tempDir();
    path = join(dir, 'w.sock');
    dbPath = join(dir, 'tokens.db');
    const store = new SqliteStore(dbPath);
    slot = token(store as unknown as MemoryStore, SLOW_KDF).slot;
    store.close();
    server = new RpcServer({ createExecutor: workerExecutors({ storePath: dbPath, cryptoki: { kdf: FAST_KDF } }), logger: silentLogger });
    await server.listen(path);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves calls from a worker thread', async () => {
    const c = await TestClient.connect(path);
    await c.open(2);
    const [, manufacturer] = (await c.call('C_GetInfo', [], 2)).fields;
    assert.equal((manufacturer as Buffer).toString().trimEnd(), 'cryptoki-ts');
    const [h] = (await c.call('C_OpenSession', [slot, RW], 2)).fields as number[];
    const [random] = (await c.call('C_GenerateRandom', [h!, 20], 2)).fields as ByteBuffer[];
    assert.equal(random!.data!.length, 20);
    c.end();
  });

  it('lets other connections go on while one is in a slow call', async () => {
    const a = await TestClient.connect(path);
    const b = await TestClient.connect(path);
    await a.open();
    await b.open();
    const [h] = (await a.call('C_OpenSession', [slot, RW])).fields as number[];
    const events: string[] = [];
    const slow = a.call('C_Login', [h!, K.CKU_USER, bytes(USER_PIN)]).then((r) => {
      events.push('slow login answered');
      return r;
    });
    for (let i = 0; i < 10; i++) {
      assert.equal((await b.call('C_GetTokenInfo', [slot])).error, undefined);
      events.push(`quick call ${i}`);
    }
    assert.equal((await slow).error, undefined);
    assert.equal(events[0], 'quick call 0');
    assert.equal(events.indexOf('slow login answered'), 10, events.join(', '));
    a.end();
    b.end();
  });

  it('finishes a call in flight at shutdown, then closes and removes the socket', async () => {
    const c = await TestClient.connect(path);
    await c.open();
    const [h] = (await c.call('C_OpenSession', [slot, RW])).fields as number[];
    const login = c.call('C_Login', [h!, K.CKU_USER, bytes(USER_PIN)]);
    await new Promise((r) => setTimeout(r, 50));
    const closing = server.close();
    assert.equal((await login).error, undefined, 'the call in flight was answered');
    assert.ok(await c.closedByServer(), 'then the connection closed');
    await closing;
    assert.ok(!existsSync(path));
    await assert.rejects(TestClient.connect(path));
  });
});

// ---- stdio -------------------------------------------------------------------------------------

function stdioScript(dir: string): string {
  const file = join(dir, 'stdio-server.mjs');
  writeFileSync(file, `
import { Cryptoki } from ${JSON.stringify(distUrl('src/core/cryptoki.js'))};
import { RpcServer, inProcessExecutors, serveStdio } from ${JSON.stringify(distUrl('src/rpc/server.js'))};
import { createLogger } from ${JSON.stringify(distUrl('src/rpc/log.js'))};
const server = new RpcServer({ createExecutor: inProcessExecutors(() => new Cryptoki()), logger: createLogger('info') });
await serveStdio(server);
process.exit(0);
`);
  return file;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
}

describe('rpc server over stdio', () => {
  it('speaks the protocol on stdin/stdout pipes, logs on stderr only, and exits on EOF', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [stdioScript(dir)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = Buffer.alloc(0);
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout = Buffer.concat([stdout, d])));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.stdin!.write(Buffer.concat([Buffer.of(0), encodeFrame(0x10, init(), Buffer.from('viaexec')), encodeFrame(0x11, encodeBody(3, '', [], { dialect: 0 }))]));
    for (let i = 0; i < 500 && stdout.length < 1 + 20 + 12 + 97; i++) await new Promise((r) => setTimeout(r, 10));
    child.stdin!.end();
    assert.equal(await exited(child), 0);
    assert.equal(stdout[0], 0, 'the version byte');
    const frames = new FrameReader().push(stdout.subarray(1));
    assert.deepEqual(frames.map((f) => f.code), [0x10, 0x11]);
    assert.equal(decodeBody(frames[1]!.body, { dialect: 0 }).signature, 'vsusv');
    assert.equal(1 + frames.reduce((n, f) => n + 12 + f.body.length, 0), stdout.length, 'nothing but protocol on stdout');
    assert.match(stderr, /connection 1 open \(stdio\)/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses fd 0 as a socket when the client gives one (p11-kit\'s remote: |command)', async () => {
    const dir = tempDir();
    const path = join(dir, 'pair.sock');
    const listener = net.createServer();
    await new Promise<void>((r) => listener.listen(path, r));
    const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
    const client = await TestClient.connect(path);
    const serverEnd = await accepted;
    const child = spawn(process.execPath, [stdioScript(dir)], { stdio: [serverEnd, serverEnd, 'pipe'] });
    serverEnd.destroy(); // the child has its own copy
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    await client.open(1);
    assert.equal((await client.call('C_GetSlotList', [1, 0], 1)).error, undefined);
    client.end();
    assert.equal(await exited(child), 0);
    assert.match(stderr, /stdio socket/);
    listener.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

// ---- the command -------------------------------------------------------------------------------

describe('cryptoki serve', () => {
  it('prints the address to export, an example and how to make the first token', () => {
    const lines = startupBanner({
      socket: '/run/user/1000/cryptoki/pkcs11 sock', storePath: '/home/u/.local/share/cryptoki/tokens.db',
      clientModule: '/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so', tokenCount: 0, freeSlot: 1, stdioCommand: [],
    });
    assert.ok(lines.includes('export P11_KIT_SERVER_ADDRESS=unix:path=/run/user/1000/cryptoki/pkcs11%20sock'));
    assert.ok(lines.includes('  pkcs11-tool --module /usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so -L'));
    assert.ok(lines.some((l) => /--init-token --slot 1 --label mytoken --so-pin <choose one>$/.test(l)));
    const withToken = startupBanner({ socket: '/s', storePath: '/x', clientModule: undefined, tokenCount: 1, freeSlot: 2, stdioCommand: [] });
    assert.ok(!withToken.some((l) => l.includes('--init-token')));
    assert.ok(withToken.some((l) => l.includes('p11-kit-modules')), 'says what to install when the client is missing');
    const stdio = startupBanner({ socket: null, storePath: '/x', clientModule: '/m.so', tokenCount: 1, freeSlot: 2, stdioCommand: ['/usr/bin/node', '/opt/my app/main.js', 'serve', '--stdio'] });
    assert.ok(stdio.includes(`export P11_KIT_SERVER_ADDRESS='|/usr/bin/node "/opt/my app/main.js" serve --stdio'`));
  });

  it('defaults the socket to $XDG_RUNTIME_DIR/cryptoki/pkcs11.sock, else beside the store', () => {
    assert.equal(defaultSocketPath({ storePath: '/d/tokens.db' }, { XDG_RUNTIME_DIR: '/run/user/7' }), '/run/user/7/cryptoki/pkcs11.sock');
    assert.equal(defaultSocketPath({ storePath: '/d/tokens.db' }, {}), '/d/pkcs11.sock');
    assert.equal(defaultSocketPath({ storePath: '/d/tokens.db' }, { XDG_RUNTIME_DIR: 'relative' }), '/d/pkcs11.sock');
    assert.equal(serverAddress('/a/b-c_d.e'), 'unix:path=/a/b-c_d.e');
    assert.equal(serverAddress('/ä'), 'unix:path=/%c3%a4');
  });

  it('adds the serve command with its options', () => {
    const program = new Command('cryptoki');
    const serve = serveCommand(program);
    assert.equal(serve.name(), 'serve');
    assert.deepEqual(serve.options.map((o) => o.long), ['--socket', '--stdio', '--log-level']);
    assert.ok(program.commands.includes(serve));
  });

  it('runs on the configured store, prints the export line, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const conf = join(dir, 'conf.json');
    writeFileSync(conf, JSON.stringify({ storePath: join(dir, 'store', 'tokens.db'), kdf: { N: 1024, r: 8, p: 1 } }));
    const script = join(dir, 'cli.mjs');
    writeFileSync(script, `
import { Command } from ${JSON.stringify(commanderUrl)};
import { serveCommand } from ${JSON.stringify(distUrl('src/cli/serve.js'))};
const program = new Command('cryptoki');
serveCommand(program);
await program.parseAsync(process.argv);
`);
    const sock = join(dir, 'run', 'p.sock');
    const child = spawn(process.execPath, [script, 'serve', '--socket', sock], { env: { ...process.env, CRYPTOKI_CONF: conf }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', () => {});
    for (let i = 0; i < 1000 && !/--init-token/.test(stdout); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(stdout.split('\n').includes(`export P11_KIT_SERVER_ADDRESS=${serverAddress(sock)}`), stdout);
    assert.match(stdout, /--init-token --slot 1 --label mytoken --so-pin <choose one>/);
    const c = await TestClient.connect(sock);
    await c.open();
    const [slots] = (await c.call('C_GetSlotList', [1, 8])).fields as UlongBuffer[];
    assert.deepEqual(slots!.data, [1], 'the free slot of an empty store');
    c.end();
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
    assert.ok(!existsSync(sock), 'the socket file is removed');
    rmSync(dir, { recursive: true, force: true });
  });
});
