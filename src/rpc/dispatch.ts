/**
 * Executes one request body against a Cryptoki instance and encodes the
 * response body (protocol reference §3 and §4).
 *
 * - A request is parsed by its call's signature; a wrong signature, a
 *   truncated body or a lying length is a ProtocolError: the caller closes the
 *   connection, as p11-kit's server does.
 * - A call id we do not know gets an ERROR frame with CKR_FUNCTION_NOT_SUPPORTED.
 * - A CKRError becomes an ERROR frame (call id 0, "u", rv); CKR_BUFFER_TOO_SMALL
 *   of an output buffer, and the in-band codes of C_GetAttributeValue, are
 *   normal responses (§4.1).
 * - Output buffers (§4.2): the client sends only a capacity. A capacity of 0
 *   is a size query, answered without finishing the operation; otherwise the
 *   call runs with a buffer of min(capacity, the size the operation needs), so
 *   an announced capacity never becomes an allocation of its own.
 * - The PKCS#11 3.0 message-based calls answer CKR_FUNCTION_NOT_SUPPORTED:
 *   their parameters cannot cross this protocol.
 */
import type { Cryptoki } from '../core/cryptoki.js';
import * as K from '../pkcs11/constants.js';
import { BufferTooSmallError, CKRError } from '../pkcs11/error.js';
import type { CK_ATTRIBUTE, CK_MECHANISM, CK_VERSION, Pin } from '../pkcs11/types.js';
import { attributeToWire, templateFromWire } from './attributes.js';
import { CALL_C_GET_ATTRIBUTE_VALUE, CALL_ERROR, callById, type CallSpec } from './calls.js';
import {
  EXT_DIALECT, encodeBody, errorBody, ProtocolError, readBodyHeader, readFields, ResponseTooLargeError, WireReader,
  type BufferSpec, type ByteBuffer, type Dialect, type FieldValue, type NestMode, type UlongBuffer, type Version,
  type WireAttribute, type WireMechanism,
} from './codec.js';
import { MAX_BODY } from './frame.js';
import { EXT_FIRST_CALL, extCallById } from './ext-calls.js';
import { extHandlers, extMechanism } from './ext-dispatch.js';

/** The handshake string of C_Initialize (§4.4). */
export const HANDSHAKE = Buffer.from('PRIVATE-GNOME-KEYRING-PKCS11-PROTOCOL-V-1', 'latin1');

export interface DispatchOptions {
  /** Largest output buffer a call may produce (default 16 MiB). */
  maxOutput?: number;
  /** Called with errors that are neither CKRError nor protocol errors (bugs); the client gets CKR_GENERAL_ERROR. */
  onInternalError?: (call: string, error: unknown) => void;
}

type Args = FieldValue[];
type Handler = (a: Args) => FieldValue[];

const MESSAGE_CALLS = [
  'C_MessageEncryptInit', 'C_EncryptMessage', 'C_EncryptMessageBegin', 'C_EncryptMessageNext', 'C_MessageEncryptFinal',
  'C_MessageDecryptInit', 'C_DecryptMessage', 'C_DecryptMessageBegin', 'C_DecryptMessageNext', 'C_MessageDecryptFinal',
  'C_MessageSignInit', 'C_SignMessage', 'C_SignMessageBegin', 'C_SignMessageNext', 'C_MessageSignFinal',
  'C_MessageVerifyInit', 'C_VerifyMessage', 'C_VerifyMessageBegin', 'C_VerifyMessageNext', 'C_MessageVerifyFinal',
];

const notOverRpc: Handler = () => {
  throw new CKRError(K.CKR_FUNCTION_NOT_SUPPORTED, 'message-based functions cannot cross the p11-kit protocol');
};

const IN_BAND_GET_ATTRIBUTE = new Set([K.CKR_ATTRIBUTE_SENSITIVE, K.CKR_ATTRIBUTE_TYPE_INVALID, K.CKR_BUFFER_TOO_SMALL]);

/** A fixed-width blank-padded CK_UTF8CHAR field of exactly `width` bytes. */
function fixed(text: string, width: number): Buffer {
  const out = Buffer.alloc(width, 0x20);
  const bytes = Buffer.from(text, 'utf8');
  let n = Math.min(bytes.length, width);
  // Do not cut a UTF-8 sequence in two.
  if (n < bytes.length) while (n > 0 && (bytes[n]! & 0xc0) === 0x80) n--;
  bytes.copy(out, 0, 0, n);
  return out;
}

function cap(v: CK_VERSION, max: CK_VERSION): Version {
  return v.major > max.major || (v.major === max.major && v.minor > max.minor) ? { ...max } : { major: v.major, minor: v.minor };
}

const u = (v: FieldValue): number => v as number;
const mech = (v: FieldValue): WireMechanism | null => v as WireMechanism | null;
const attrs = (v: FieldValue): WireAttribute[] => v as WireAttribute[];

/** Input bytes: a NULL pointer with length 0 is an empty input (§2.2). */
function input(v: FieldValue): Uint8Array {
  const b = v as ByteBuffer;
  if (b.data) return b.data;
  // NULL with a non-zero length: the core refuses it (CKR_ARGUMENTS_BAD).
  return (b.length === 0 ? Buffer.alloc(0) : null) as unknown as Uint8Array;
}

/** A PIN: NULL stays NULL (a protected authentication path, which we refuse). */
function pin(v: FieldValue): Pin {
  return (v as ByteBuffer).data as unknown as Pin;
}

/**
 * Mechanism parameters as the mechanism families take them: NULL byte strings
 * become empty Buffers, and every Buffer is a copy of its own (an operation
 * may keep its parameter, and must not keep the whole request alive with it).
 */
function ckMechanism(m: WireMechanism): CK_MECHANISM {
  const p = m.parameter;
  if (p === null || p === undefined) return { mechanism: m.mechanism };
  if (typeof p === 'number') return { mechanism: m.mechanism, parameter: p };
  if (Buffer.isBuffer(p)) return { mechanism: m.mechanism, parameter: Buffer.from(p) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) out[k] = v === null ? Buffer.alloc(0) : Buffer.isBuffer(v) ? Buffer.from(v) : v;
  return { mechanism: m.mechanism, parameter: out };
}

/** Runs a call that takes PINs, then wipes them from the request (the core keeps copies of its own). */
function withPins<T>(pins: FieldValue[], run: () => T): T {
  try {
    return run();
  } finally {
    for (const p of pins) (p as ByteBuffer).data?.fill(0);
  }
}

export class Dispatcher {
  private initCount = 0;
  private readonly maxOutput: number;
  private readonly handlers: Record<string, Handler>;
  /** Our extension's calls (ids from EXT_FIRST_CALL), whose names repeat some of p11-kit's. */
  private readonly extCalls: Record<string, Handler>;

  constructor(readonly p11: Cryptoki, readonly dialect: Dialect, private readonly options: DispatchOptions = {}) {
    this.maxOutput = options.maxOutput ?? MAX_BODY;
    const ext = this.dialect === EXT_DIALECT
      ? extHandlers({ p11, output: (c, run) => this.output(c, run), template: (v) => templateFromWire(v as WireAttribute[], dialect),
        mechanism: (v) => extMechanism(v as WireMechanism | null) })
      : { calls: {}, replaced: {} };
    this.extCalls = ext.calls;
    this.handlers = { ...this.makeHandlers(), ...ext.replaced };
  }

  /**
   * One request body in, one response body out. Throws ProtocolError when the
   * request cannot be parsed: the connection must then be closed.
   */
  handle(body: Buffer): Buffer {
    const { callId, signature, reader } = readBodyHeader(body);
    if (callId === CALL_ERROR) throw new ProtocolError('a request with call id 0 (ERROR)');
    const spec = callById(callId) ?? (this.dialect === EXT_DIALECT ? extCallById(callId) : undefined);
    if (!spec || spec.request === null) return errorBody(K.CKR_FUNCTION_NOT_SUPPORTED);
    if (signature !== spec.request) {
      throw new ProtocolError(`${spec.name}: signature ${JSON.stringify(signature)} where ${JSON.stringify(spec.request)} was expected`);
    }
    const args = this.readArgs(spec, body, reader);
    try {
      const values = (spec.id >= EXT_FIRST_CALL ? this.extCalls : this.handlers)[spec.name]!(args);
      return encodeBody(callId, spec.response, values, { dialect: this.dialect }, this.maxOutput + 4096);
    } catch (e) {
      if (e instanceof CKRError) return errorBody(e.code);
      if (e instanceof ResponseTooLargeError) return errorBody(K.CKR_DEVICE_MEMORY);
      if (e instanceof ProtocolError) throw e;
      this.options.onInternalError?.(spec.name, e);
      return errorBody(K.CKR_GENERAL_ERROR);
    }
  }

  /** Ends the application context as C_Finalize would: sessions closed, logins forgotten. */
  close(): void {
    this.initCount = 0;
    try {
      if (this.p11.app.initialized) this.p11.C_Finalize();
    } catch {
      // Nothing left to report to: the client is gone.
    }
  }

  private readArgs(spec: CallSpec, body: Buffer, reader: WireReader): Args {
    const sig = spec.request!;
    if (spec.id !== CALL_C_GET_ATTRIBUTE_VALUE || this.dialect !== 1) {
      // Bytes after the last field are ignored, as p11-kit does.
      return readFields(reader, sig, { dialect: this.dialect });
    }
    // Version 1 clients disagree on nested templates in `fA` (§2.4): 0.25.0-0.25.3 never
    // nest, 0.25.4+ nest, 0.25.4-0.25.5 also for empty ones. fA is the last field, so the
    // reading that ends exactly at the end of the body is the one the client wrote.
    const start = reader.offset;
    let fallback: Args | undefined;
    let failure: unknown;
    for (const nest of ['nonzero', 'never', 'always'] as NestMode[]) {
      const r = new WireReader(body, start);
      try {
        const args = readFields(r, sig, { dialect: 1, nest });
        if (r.remaining === 0) return args;
        fallback ??= args;
      } catch (e) {
        failure ??= e;
      }
    }
    if (fallback) return fallback;
    throw failure;
  }

  // ---- output conventions -------------------------------------------------------

  /** An `fy` capacity and the call that fills it -> the `ay` answer. */
  private output(capacity: number, run: (out: Buffer | null) => Buffer | number): ByteBuffer {
    // 0 is a NULL buffer: a size query. (For a 0.24 client it may also be a real buffer of
    // capacity 0; it cannot tell us, and a size query is the harmless reading.)
    if (capacity === 0) return { data: null, length: run(null) as number };
    // 0xffffffff from a 0.25+ client is a real buffer of capacity 0.
    const real = this.dialect >= 1 && capacity === 0xffff_ffff ? 0 : capacity;
    let size = real;
    if (real > 0) size = Math.min(real, run(null) as number);
    if (size > this.maxOutput) throw new CKRError(K.CKR_DEVICE_MEMORY, 'output too large for the protocol');
    const buf = Buffer.alloc(size);
    try {
      const n = run(buf) as number;
      return { data: buf.subarray(0, n), length: n };
    } catch (e) {
      if (e instanceof BufferTooSmallError) return { data: null, length: e.required };
      throw e;
    }
  }

  /** An `fu` capacity and the call that lists -> the `au` answer. */
  private list(capacity: number, run: (capacity: number | null) => number[] | number): UlongBuffer {
    if (capacity === 0) return { data: null, count: run(null) as number };
    try {
      const data = run(capacity) as number[];
      return { data, count: data.length };
    } catch (e) {
      if (e instanceof BufferTooSmallError) return { data: null, count: e.required };
      throw e;
    }
  }

  // ---- the calls ------------------------------------------------------------------

  private makeHandlers(): Record<string, Handler> {
    const p11 = this.p11;
    const d = this.dialect;
    /** C_xxxInit, where a NULL mechanism (0.25.3+) cancels the active operation. */
    // Our extension's parameters arrive as our mechanisms take them (param-value.ts).
    const ckMech = d === EXT_DIALECT ? (m: WireMechanism) => extMechanism(m)! : ckMechanism;
    const init = (flag: number, start: (h: number, m: CK_MECHANISM, key: number) => void): Handler => (a) => {
      const m = mech(a[1]!);
      if (m === null) p11.C_SessionCancel(u(a[0]!), flag);
      else start(u(a[0]!), ckMech(m), u(a[2]!));
      return [];
    };
    const required = (m: WireMechanism | null): CK_MECHANISM => {
      if (m === null) throw new CKRError(K.CKR_ARGUMENTS_BAD, 'no mechanism');
      return ckMech(m);
    };
    const template = (v: FieldValue) => templateFromWire(attrs(v), d);
    const out = (v: FieldValue, run: (out: Buffer | null) => Buffer | number) => [this.output(u(v), run)];
    const none = (): FieldValue[] => [];

    return {
      C_Initialize: (a) => {
        const handshake = (a[0] as ByteBuffer).data;
        if (!handshake || !handshake.equals(HANDSHAKE)) throw new CKRError(K.CKR_GENERAL_ERROR, 'wrong handshake string');
        // pReserved (a[2]) carries p11-kit configuration; we have none to take.
        // C_Initialize on a connection already initialized counts, as p11-kit's proxy does;
        // the context ends with the last C_Finalize (or the connection).
        if (this.initCount === 0 && !p11.app.initialized) p11.C_Initialize();
        this.initCount++;
        return [];
      },
      C_Finalize: () => {
        if (this.initCount <= 1) {
          p11.C_Finalize();
          this.initCount = 0;
        } else {
          this.initCount--;
        }
        return [];
      },
      C_GetInfo: () => {
        const info = p11.C_GetInfo();
        // The function list a client hands its application is 2.40 for version 0 and
        // 3.0 for version 1; do not claim more than the application can call.
        const max: CK_VERSION = d === 0 ? { major: 2, minor: 40 } : d === 1 ? { major: 3, minor: 0 } : info.cryptokiVersion;
        return [
          cap(info.cryptokiVersion, max), fixed(info.manufacturerID, 32), info.flags,
          fixed(info.libraryDescription, 32), { ...info.libraryVersion },
        ];
      },
      C_GetSlotList: (a) => [this.list(u(a[1]!), (c) => p11.C_GetSlotList(u(a[0]!) !== 0, c as number))],
      C_GetSlotInfo: (a) => {
        const i = p11.C_GetSlotInfo(u(a[0]!));
        return [fixed(i.slotDescription, 64), fixed(i.manufacturerID, 32), i.flags, { ...i.hardwareVersion }, { ...i.firmwareVersion }];
      },
      C_GetTokenInfo: (a) => {
        const t = p11.C_GetTokenInfo(u(a[0]!));
        return [
          fixed(t.label, 32), fixed(t.manufacturerID, 32), fixed(t.model, 16), fixed(t.serialNumber, 16), t.flags,
          t.ulMaxSessionCount, t.ulSessionCount, t.ulMaxRwSessionCount, t.ulRwSessionCount, t.ulMaxPinLen, t.ulMinPinLen,
          t.ulTotalPublicMemory, t.ulFreePublicMemory, t.ulTotalPrivateMemory, t.ulFreePrivateMemory,
          { ...t.hardwareVersion }, { ...t.firmwareVersion }, fixed(t.utcTime, 16),
        ];
      },
      C_GetMechanismList: (a) => [this.list(u(a[1]!), (c) => p11.C_GetMechanismList(u(a[0]!), c as number))],
      C_GetMechanismInfo: (a) => {
        const i = p11.C_GetMechanismInfo(u(a[0]!), u(a[1]!));
        return [i.ulMinKeySize, i.ulMaxKeySize, i.flags];
      },
      C_InitToken: (a) => {
        // The client sends strlen(label) bytes; a label is 32 blank-padded bytes and often
        // has no NUL, so anything past 32 bytes is not the label (§6.10).
        const label = (a[2] as Buffer).subarray(0, 32);
        withPins([a[1]!], () => p11.C_InitToken(u(a[0]!), pin(a[1]!), label));
        return [];
      },
      C_InitToken2: (a) => {
        const label = a[2] as Buffer;
        if (label.length !== 32) throw new CKRError(K.CKR_ARGUMENTS_BAD, 'a token label has 32 bytes');
        withPins([a[1]!], () => p11.C_InitToken(u(a[0]!), pin(a[1]!), label));
        return [];
      },
      C_OpenSession: (a) => [p11.C_OpenSession(u(a[0]!), u(a[1]!))],
      C_CloseSession: (a) => (p11.C_CloseSession(u(a[0]!)), none()),
      C_CloseAllSessions: (a) => (p11.C_CloseAllSessions(u(a[0]!)), none()),
      C_GetSessionInfo: (a) => {
        const i = p11.C_GetSessionInfo(u(a[0]!));
        return [i.slotID, i.state, i.flags, i.ulDeviceError];
      },
      C_InitPIN: (a) => withPins([a[1]!], () => (p11.C_InitPIN(u(a[0]!), pin(a[1]!)), none())),
      C_SetPIN: (a) => withPins([a[1]!, a[2]!], () => (p11.C_SetPIN(u(a[0]!), pin(a[1]!), pin(a[2]!)), none())),
      C_GetOperationState: (a) => out(a[1]!, (o) => p11.C_GetOperationState(u(a[0]!), o)),
      C_SetOperationState: (a) => {
        p11.C_SetOperationState(u(a[0]!), (a[1] as ByteBuffer).data as Uint8Array, u(a[2]!), u(a[3]!));
        return [];
      },
      C_Login: (a) => withPins([a[2]!], () => (p11.C_Login(u(a[0]!), u(a[1]!), pin(a[2]!)), none())),
      C_LoginUser: (a) => {
        const name = (a[3] as ByteBuffer).data ?? undefined;
        withPins([a[2]!], () => p11.C_LoginUser(u(a[0]!), u(a[1]!), pin(a[2]!), name));
        return [];
      },
      C_Logout: (a) => (p11.C_Logout(u(a[0]!)), none()),
      C_SessionCancel: (a) => (p11.C_SessionCancel(u(a[0]!), u(a[1]!)), none()),

      C_CreateObject: (a) => [p11.C_CreateObject(u(a[0]!), template(a[1]!))],
      C_CopyObject: (a) => [p11.C_CopyObject(u(a[0]!), u(a[1]!), template(a[2]!))],
      C_DestroyObject: (a) => (p11.C_DestroyObject(u(a[0]!), u(a[1]!)), none()),
      C_GetObjectSize: (a) => [p11.C_GetObjectSize(u(a[0]!), u(a[1]!))],
      C_GetAttributeValue: (a) => this.getAttributeValue(u(a[0]!), u(a[1]!), a[2] as BufferSpec[]),
      C_SetAttributeValue: (a) => (p11.C_SetAttributeValue(u(a[0]!), u(a[1]!), template(a[2]!)), none()),
      C_FindObjectsInit: (a) => (p11.C_FindObjectsInit(u(a[0]!), template(a[1]!)), none()),
      C_FindObjects: (a) => {
        // ulMaxObjectCount travels as the capacity; the answer is what was found (§4.2).
        const found = p11.C_FindObjects(u(a[0]!), u(a[1]!));
        return [{ data: found, count: found.length }];
      },
      C_FindObjectsFinal: (a) => (p11.C_FindObjectsFinal(u(a[0]!)), none()),

      C_EncryptInit: init(K.CKF_ENCRYPT, (h, m, k) => p11.C_EncryptInit(h, m, k)),
      C_Encrypt: (a) => out(a[2]!, (o) => p11.C_Encrypt(u(a[0]!), input(a[1]!), o)),
      C_EncryptUpdate: (a) => out(a[2]!, (o) => p11.C_EncryptUpdate(u(a[0]!), input(a[1]!), o)),
      C_EncryptFinal: (a) => out(a[1]!, (o) => p11.C_EncryptFinal(u(a[0]!), o)),
      C_DecryptInit: init(K.CKF_DECRYPT, (h, m, k) => p11.C_DecryptInit(h, m, k)),
      C_Decrypt: (a) => out(a[2]!, (o) => p11.C_Decrypt(u(a[0]!), input(a[1]!), o)),
      C_DecryptUpdate: (a) => out(a[2]!, (o) => p11.C_DecryptUpdate(u(a[0]!), input(a[1]!), o)),
      C_DecryptFinal: (a) => out(a[1]!, (o) => p11.C_DecryptFinal(u(a[0]!), o)),
      C_DigestInit: (a) => {
        const m = mech(a[1]!);
        if (m === null) p11.C_SessionCancel(u(a[0]!), K.CKF_DIGEST);
        else p11.C_DigestInit(u(a[0]!), ckMech(m));
        return [];
      },
      C_Digest: (a) => out(a[2]!, (o) => p11.C_Digest(u(a[0]!), input(a[1]!), o)),
      C_DigestUpdate: (a) => (p11.C_DigestUpdate(u(a[0]!), input(a[1]!)), none()),
      C_DigestKey: (a) => (p11.C_DigestKey(u(a[0]!), u(a[1]!)), none()),
      C_DigestFinal: (a) => out(a[1]!, (o) => p11.C_DigestFinal(u(a[0]!), o)),
      C_SignInit: init(K.CKF_SIGN, (h, m, k) => p11.C_SignInit(h, m, k)),
      C_Sign: (a) => out(a[2]!, (o) => p11.C_Sign(u(a[0]!), input(a[1]!), o)),
      C_SignUpdate: (a) => (p11.C_SignUpdate(u(a[0]!), input(a[1]!)), none()),
      C_SignFinal: (a) => out(a[1]!, (o) => p11.C_SignFinal(u(a[0]!), o)),
      C_SignRecoverInit: init(K.CKF_SIGN_RECOVER, (h, m, k) => p11.C_SignRecoverInit(h, m, k)),
      C_SignRecover: (a) => out(a[2]!, (o) => p11.C_SignRecover(u(a[0]!), input(a[1]!), o)),
      C_VerifyInit: init(K.CKF_VERIFY, (h, m, k) => p11.C_VerifyInit(h, m, k)),
      C_Verify: (a) => (p11.C_Verify(u(a[0]!), input(a[1]!), input(a[2]!)), none()),
      C_VerifyUpdate: (a) => (p11.C_VerifyUpdate(u(a[0]!), input(a[1]!)), none()),
      C_VerifyFinal: (a) => (p11.C_VerifyFinal(u(a[0]!), input(a[1]!)), none()),
      C_VerifyRecoverInit: init(K.CKF_VERIFY_RECOVER, (h, m, k) => p11.C_VerifyRecoverInit(h, m, k)),
      C_VerifyRecover: (a) => out(a[2]!, (o) => p11.C_VerifyRecover(u(a[0]!), input(a[1]!), o)),
      C_DigestEncryptUpdate: (a) => out(a[2]!, (o) => p11.C_DigestEncryptUpdate(u(a[0]!), input(a[1]!), o)),
      C_DecryptDigestUpdate: (a) => out(a[2]!, (o) => p11.C_DecryptDigestUpdate(u(a[0]!), input(a[1]!), o)),
      C_SignEncryptUpdate: (a) => out(a[2]!, (o) => p11.C_SignEncryptUpdate(u(a[0]!), input(a[1]!), o)),
      C_DecryptVerifyUpdate: (a) => out(a[2]!, (o) => p11.C_DecryptVerifyUpdate(u(a[0]!), input(a[1]!), o)),

      C_GenerateKey: (a) => [p11.C_GenerateKey(u(a[0]!), required(mech(a[1]!)), template(a[2]!))],
      C_GenerateKeyPair: (a) => p11.C_GenerateKeyPair(u(a[0]!), required(mech(a[1]!)), template(a[2]!), template(a[3]!)),
      C_WrapKey: (a) => {
        const m = required(mech(a[1]!));
        return out(a[4]!, (o) => p11.C_WrapKey(u(a[0]!), m, u(a[2]!), u(a[3]!), o));
      },
      C_UnwrapKey: (a) => [p11.C_UnwrapKey(u(a[0]!), required(mech(a[1]!)), u(a[2]!), input(a[3]!), template(a[4]!))],
      C_DeriveKey: (a) => [p11.C_DeriveKey(u(a[0]!), required(mech(a[1]!)), u(a[2]!), template(a[3]!))],
      C_DeriveKey2: (a) => {
        const m = mech(a[1]!);
        const key = p11.C_DeriveKey(u(a[0]!), required(m), u(a[2]!), template(a[3]!));
        // rv, then the parameter update (none of our mechanisms updates its parameter), then the key.
        return [K.CKR_OK, { mechanism: m!.mechanism, hasParameter: m!.parameter !== null }, key];
      },
      C_SeedRandom: (a) => (p11.C_SeedRandom(u(a[0]!), input(a[1]!)), none()),
      C_GenerateRandom: (a) => {
        // The capacity is the number of bytes asked for; never a size query. Even 0 bytes are
        // answered as data: "00 + length" would be CKR_BUFFER_TOO_SMALL to a client with a
        // buffer (pkcs11-tool --test asks for 0 bytes).
        const n = u(a[1]!);
        const length = d >= 1 && n === 0xffff_ffff ? 0 : n;
        if (length > this.maxOutput) throw new CKRError(K.CKR_DEVICE_MEMORY, 'too many random bytes for one call');
        const data = p11.C_GenerateRandom(u(a[0]!), length);
        return [{ data, length: data.length }];
      },
      C_WaitForSlotEvent: (a) => {
        const flags = u(a[0]!);
        p11.app.requireInitialized();
        // A blocking wait would hold the whole connection (§4.6); p11-kit's own server refuses it too.
        if ((flags & K.CKF_DONT_BLOCK) === 0) throw new CKRError(K.CKR_FUNCTION_NOT_SUPPORTED);
        return [p11.C_WaitForSlotEvent(flags)];
      },

      // PKCS#11 3.0 message-based functions: their per-message parameters travel as the raw
      // bytes of the client's C structures (pointers included) and their output fields
      // (generated IVs, tags) never come back (§3, notes on 66-89), so they cannot work
      // over this protocol. The request is still parsed (a malformed one closes the
      // connection like any other); the answer is CKR_FUNCTION_NOT_SUPPORTED.
      // (Our extension serves them, with parameters that can cross: ext-dispatch.ts.)
      ...Object.fromEntries(MESSAGE_CALLS.map((name) => [name, notOverRpc])),
    };
  }

  /** C_GetAttributeValue answers values and the function's rv in one response (§4.3). */
  private getAttributeValue(hSession: number, hObject: number, specs: BufferSpec[]): FieldValue[] {
    const entries: CK_ATTRIBUTE[] = specs.map((s) =>
      s.length === 0 ? { type: s.type, value: null } : { type: s.type, ulValueLen: s.length },
    );
    let rv = K.CKR_OK;
    try {
      this.p11.C_GetAttributeValue(hSession, hObject, entries);
    } catch (e) {
      if (!(e instanceof CKRError) || !IN_BAND_GET_ATTRIBUTE.has(e.code)) throw e;
      rv = e.code;
    }
    const values = entries.map((entry, i) => {
      const w = attributeToWire(entry, this.dialect, specs[i]!.length === 0);
      if (w !== null) return w;
      // A value this client has no way to receive (a template as raw bytes).
      if (rv === K.CKR_OK) rv = K.CKR_ATTRIBUTE_TYPE_INVALID;
      return { type: entry.type, ulValueLen: -1 };
    });
    return [values, rv];
  }
}
