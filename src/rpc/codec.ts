/**
 * The p11-kit RPC message body (protocol reference §2): a bounds-checked
 * reader and a writer for every signature field type, in the three dialects a
 * client can speak (negotiated protocol version 0, 1 or 2).
 *
 * Every read checks the bytes are there before taking them, and every count
 * is checked against the bytes left before anything is allocated for it, so a
 * length that lies is an error (ProtocolError), never a huge allocation.
 *
 * Wire forms used below: BA = u32 length + bytes, with 0xffffffff for a NULL
 * pointer; `u` = u64; everything big-endian.
 */
import * as K from '../pkcs11/constants.js';
import { isTemplateType, wireClass } from './attributes.js';
import { readParamValue, writeParamValue, type ParamValue } from './param-value.js';

/**
 * The negotiated protocol version, which decides the dialect of a client.
 * 3 is our own extension (docs/protocol.md, wire byte EXT_VERSION): version 2
 * plus `X` parameter values in `M` and the extension's calls.
 */
export type Dialect = 0 | 1 | 2 | 3;

/** Our extension's dialect; only our module offers it. */
export const EXT_DIALECT = 3;

/** The highest protocol version we speak. */
export const MAX_DIALECT: Dialect = 2;

/** A malformed message: the connection it came on cannot be trusted to stay in step. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** A response that would be larger than we are willing to send. */
export class ResponseTooLargeError extends Error {}

/** Most attributes, template entries and list items one message may hold. */
export const MAX_ITEMS = 65_536;
/** Nesting limit of attribute arrays (p11-kit 0.26.3 uses the same). */
export const MAX_DEPTH = 8;
/** Byte arrays must be shorter than this (p11-kit's own limit). */
const MAX_BA = 0x7fff_ffff;
const NULL_BA = 0xffff_ffff;
const ALL_ONES = 0xffff_ffff_ffff_ffffn;

// ---- field values -----------------------------------------------------------

/** `ay`: data, or a NULL pointer with a length (a size answer, or a NULL input). */
export interface ByteBuffer { data: Buffer | null; length: number }
/** `au`: items, or none with a count (a size answer). */
export interface UlongBuffer { data: number[] | null; count: number }
/** One entry of an `fA` template: the caller's buffer size, and for templates the nested request. */
export interface BufferSpec { type: number; length: number; nested?: BufferSpec[] }
export interface Version { major: number; minor: number }

/**
 * One attribute inside `aA`. ulValueLen -1 is validity 0 (CK_UNAVAILABLE_INFORMATION).
 * The value's form follows the type's class (attributes.ts): byte and ulong a
 * number, array WireAttribute[], mechanisms number[], date and bytes a Buffer.
 * A null value is the "length only" form.
 */
export interface WireAttribute { type: number; ulValueLen: number; value?: WireAttributeValue }
export type WireAttributeValue = number | Buffer | number[] | WireAttribute[] | null;

/** `M`. The parameter is a plain object with the C field names, a Buffer, a number, or null. */
export interface WireMechanism { mechanism: number; parameter: MechanismParameter | null }
export type MechanismParameter =
  | Buffer | number
  | { hashAlg: number; mgf: number; sLen: number }
  | { hashAlg: number; mgf: number; source: number; pSourceData: Buffer | null }
  | { kdf: number; pSharedData: Buffer | null; pPublicData: Buffer | null }
  | { ulCounterBits: number; cb: Buffer | null }
  | { pIv: Buffer | null; ulIvBits: number; pAAD: Buffer | null; ulTagBits: number }
  | { [field: string]: number | Buffer | null }
  | ParamValue;

/** `P` (C_DeriveKey2 response): the mechanism it is about, and whether it had a parameter. */
export interface ParamUpdate { mechanism: number; hasParameter: boolean }

export type FieldValue =
  | ParamValue | number | Buffer | Version | ByteBuffer | UlongBuffer | BufferSpec[] | WireAttribute[] | WireMechanism | ParamUpdate | null;

/** How `fA` nests templates: never (0.24, 0.25.0-0.25.3), when the length is not 0 (0.25.4+), always (the 0.25.4-0.25.5 bug). */
export type NestMode = 'never' | 'nonzero' | 'always';

export interface CodecOptions {
  dialect: Dialect;
  /** For `fA`; the dialect's usual mode when not given (v1: 'nonzero'). */
  nest?: NestMode;
  /** For reading `P`: the mechanism of the request. */
  mechanism?: number;
}

export function defaultNestMode(dialect: Dialect): NestMode {
  return dialect === 0 ? 'never' : 'nonzero';
}

// ---- mechanisms ---------------------------------------------------------------

const VD = 0x8000_0000; // CKM_VENDOR_DEFINED
export const CKM_IBM = {
  SHA3_224: VD + 0x10001, SHA3_256: VD + 0x10002, SHA3_384: VD + 0x10003, SHA3_512: VD + 0x10004,
  CMAC: VD + 0x10007, EC_X25519: VD + 0x1001b, ED25519_SHA512: VD + 0x1001c, EC_X448: VD + 0x1001e,
  ED448_SHA3: VD + 0x1001f, DILITHIUM: VD + 0x10023, KYBER: VD + 0x10024,
  SHA3_224_HMAC: VD + 0x10025, SHA3_256_HMAC: VD + 0x10026, SHA3_384_HMAC: VD + 0x10027, SHA3_512_HMAC: VD + 0x10028,
  ECDSA_OTHER: VD + 0x10031, ATTRIBUTEBOUND_WRAP: VD + 0x20004, BTC_DERIVE: VD + 0x70001,
} as const;

function mech(name: string): number {
  const v = K.CONSTANTS[name];
  if (v === undefined) throw new Error(`unknown constant ${name}`);
  return v;
}

/** Mechanisms p11-kit 0.24.1 sends without a parameter (its mechanism_has_no_parameters). */
const NO_PARAM_V0: readonly number[] = [
  'CKM_AES_ECB', 'CKM_AES_KEY_GEN', 'CKM_AES_MAC', 'CKM_BATON_KEY_GEN', 'CKM_BATON_WRAP', 'CKM_CAST128_ECB',
  'CKM_CAST128_KEY_GEN', 'CKM_CAST3_ECB', 'CKM_CAST3_KEY_GEN', 'CKM_CAST3_MAC', 'CKM_CAST_ECB', 'CKM_CAST_KEY_GEN',
  'CKM_CAST_MAC', 'CKM_CDMF_ECB', 'CKM_CDMF_KEY_GEN', 'CKM_CDMF_MAC', 'CKM_DES2_KEY_GEN', 'CKM_DES3_ECB',
  'CKM_DES3_KEY_GEN', 'CKM_DES3_MAC', 'CKM_DES_ECB', 'CKM_DES_KEY_GEN', 'CKM_DES_MAC', 'CKM_DH_PKCS_KEY_PAIR_GEN',
  'CKM_DH_PKCS_PARAMETER_GEN', 'CKM_DSA', 'CKM_DSA_KEY_PAIR_GEN', 'CKM_DSA_PARAMETER_GEN', 'CKM_DSA_SHA1',
  'CKM_ECDSA', 'CKM_ECDSA_SHA1', 'CKM_EC_KEY_PAIR_GEN', 'CKM_FASTHASH', 'CKM_FORTEZZA_TIMESTAMP',
  'CKM_GENERIC_SECRET_KEY_GEN', 'CKM_IDEA_ECB', 'CKM_IDEA_KEY_GEN', 'CKM_IDEA_MAC', 'CKM_JUNIPER_KEY_GEN',
  'CKM_JUNIPER_WRAP', 'CKM_KEA_KEY_PAIR_GEN', 'CKM_KEY_WRAP_LYNKS', 'CKM_MD2', 'CKM_MD2_HMAC', 'CKM_MD2_RSA_PKCS',
  'CKM_MD5', 'CKM_MD5_HMAC', 'CKM_MD5_RSA_PKCS', 'CKM_RC2_ECB', 'CKM_RC2_KEY_GEN', 'CKM_RC2_MAC', 'CKM_RC4',
  'CKM_RC4_KEY_GEN', 'CKM_RC5_ECB', 'CKM_RC5_KEY_GEN', 'CKM_RC5_MAC', 'CKM_RIPEMD128', 'CKM_RIPEMD128_HMAC',
  'CKM_RIPEMD128_RSA_PKCS', 'CKM_RIPEMD160', 'CKM_RIPEMD160_HMAC', 'CKM_RIPEMD160_RSA_PKCS', 'CKM_RSA_9796',
  'CKM_RSA_PKCS', 'CKM_RSA_PKCS_KEY_PAIR_GEN', 'CKM_RSA_X9_31', 'CKM_RSA_X9_31_KEY_PAIR_GEN', 'CKM_RSA_X_509',
  'CKM_SHA1_RSA_PKCS', 'CKM_SHA1_RSA_X9_31', 'CKM_SHA256', 'CKM_SHA256_HMAC', 'CKM_SHA256_RSA_PKCS', 'CKM_SHA384',
  'CKM_SHA384_HMAC', 'CKM_SHA384_RSA_PKCS', 'CKM_SHA512', 'CKM_SHA512_HMAC', 'CKM_SHA512_RSA_PKCS', 'CKM_SHA_1',
  'CKM_SHA_1_HMAC', 'CKM_SKIPJACK_KEY_GEN', 'CKM_SKIPJACK_WRAP', 'CKM_SSL3_MD5_MAC', 'CKM_SSL3_PRE_MASTER_KEY_GEN',
  'CKM_SSL3_SHA1_MAC', 'CKM_TLS_PRE_MASTER_KEY_GEN', 'CKM_X9_42_DH_KEY_PAIR_GEN', 'CKM_X9_42_DH_PARAMETER_GEN',
].map(mech);

/** p11-kit 0.25.0 added these; the list is unchanged up to 0.26.4, and it is what a v2 client uses. */
const NO_PARAM_V1_ADDED: readonly number[] = [
  ...[
    'CKM_AES_CMAC', 'CKM_DES3_CMAC', 'CKM_ECDSA_SHA224', 'CKM_ECDSA_SHA256', 'CKM_ECDSA_SHA384', 'CKM_ECDSA_SHA512',
    'CKM_SHA1_KEY_DERIVATION', 'CKM_SHA224', 'CKM_SHA224_HMAC', 'CKM_SHA224_KEY_DERIVATION', 'CKM_SHA224_RSA_PKCS',
    'CKM_SHA256_KEY_DERIVATION', 'CKM_SHA384_KEY_DERIVATION', 'CKM_SHA512_224', 'CKM_SHA512_224_HMAC',
    'CKM_SHA512_224_KEY_DERIVATION', 'CKM_SHA512_256', 'CKM_SHA512_256_HMAC', 'CKM_SHA512_256_KEY_DERIVATION',
    'CKM_SHA512_KEY_DERIVATION', 'CKM_SHA512_T', 'CKM_SHA512_T_HMAC', 'CKM_SHA512_T_KEY_DERIVATION',
  ].map(mech),
  CKM_IBM.SHA3_224, CKM_IBM.SHA3_256, CKM_IBM.SHA3_384, CKM_IBM.SHA3_512, CKM_IBM.CMAC, CKM_IBM.DILITHIUM,
  CKM_IBM.SHA3_224_HMAC, CKM_IBM.SHA3_256_HMAC, CKM_IBM.SHA3_384_HMAC, CKM_IBM.SHA3_512_HMAC,
  CKM_IBM.ED25519_SHA512, CKM_IBM.ED448_SHA3,
];

const NO_PARAM = [new Set(NO_PARAM_V0), new Set([...NO_PARAM_V0, ...NO_PARAM_V1_ADDED])];

/** True when a client of this dialect sends the mechanism without a parameter (what decides the v2 format). */
export function mechanismHasNoParameter(type: number, dialect: Dialect): boolean {
  return NO_PARAM[dialect === 0 ? 0 : 1]!.has(type);
}

type SerializerName =
  | 'pss' | 'oaep' | 'ecdh' | 'aesIv' | 'aesCtr' | 'gcm' | 'desIv' | 'macGeneral' | 'dhDerive'
  | 'ibmAttrBoundWrap' | 'ibmEcdsaOther' | 'ibmBtcDerive' | 'ibmKyber';

function serializers(kind: SerializerName, names: string[]): [number, SerializerName][] {
  return names.map((n) => [mech(n), kind]);
}

/** The parameter serializers of p11-kit 0.24.1. */
const SERIALIZERS_V0: ReadonlyArray<[number, SerializerName]> = [
  ...serializers('pss', ['CKM_RSA_PKCS_PSS']),
  ...serializers('oaep', ['CKM_RSA_PKCS_OAEP']),
];
/** ... of 0.25.0 to 0.25.5. */
const SERIALIZERS_V1: ReadonlyArray<[number, SerializerName]> = [
  ...SERIALIZERS_V0,
  ...serializers('pss', [
    'CKM_SHA1_RSA_PKCS_PSS', 'CKM_SHA224_RSA_PKCS_PSS', 'CKM_SHA256_RSA_PKCS_PSS', 'CKM_SHA384_RSA_PKCS_PSS',
    'CKM_SHA512_RSA_PKCS_PSS',
  ]),
  ...serializers('ecdh', ['CKM_ECDH1_DERIVE']),
  [CKM_IBM.EC_X25519, 'ecdh'], [CKM_IBM.EC_X448, 'ecdh'], [CKM_IBM.ATTRIBUTEBOUND_WRAP, 'ibmAttrBoundWrap'],
  ...serializers('aesIv', [
    'CKM_AES_CBC', 'CKM_AES_CBC_PAD', 'CKM_AES_OFB', 'CKM_AES_CFB1', 'CKM_AES_CFB8', 'CKM_AES_CFB64', 'CKM_AES_CFB128',
    'CKM_AES_CTS',
  ]),
  ...serializers('aesCtr', ['CKM_AES_CTR']),
  ...serializers('gcm', ['CKM_AES_GCM']),
  ...serializers('desIv', [
    'CKM_DES_CBC', 'CKM_DES_CBC_PAD', 'CKM_DES3_CBC', 'CKM_DES3_CBC_PAD', 'CKM_DES_CFB8', 'CKM_DES_CFB64', 'CKM_DES_OFB64',
  ]),
  ...serializers('macGeneral', [
    'CKM_SHA_1_HMAC_GENERAL', 'CKM_SHA224_HMAC_GENERAL', 'CKM_SHA256_HMAC_GENERAL', 'CKM_SHA384_HMAC_GENERAL',
    'CKM_SHA512_HMAC_GENERAL', 'CKM_SHA512_224_HMAC_GENERAL', 'CKM_SHA512_256_HMAC_GENERAL', 'CKM_AES_MAC_GENERAL',
    'CKM_AES_CMAC_GENERAL', 'CKM_DES3_MAC_GENERAL', 'CKM_DES3_CMAC_GENERAL',
  ]),
  ...serializers('dhDerive', ['CKM_DH_PKCS_DERIVE']),
];
/** ... of 0.25.6 and later. */
const SERIALIZERS_V2: ReadonlyArray<[number, SerializerName]> = [
  ...SERIALIZERS_V1,
  [CKM_IBM.ECDSA_OTHER, 'ibmEcdsaOther'], [CKM_IBM.BTC_DERIVE, 'ibmBtcDerive'], [CKM_IBM.KYBER, 'ibmKyber'],
];
const SERIALIZERS = [new Map(SERIALIZERS_V0), new Map(SERIALIZERS_V1), new Map(SERIALIZERS_V2)];

/** The parameter serializer a client of this dialect uses for a mechanism, if any (§2.5.3). */
export function mechanismSerializer(type: number, dialect: Dialect): SerializerName | undefined {
  return SERIALIZERS[Math.min(dialect, 2)]!.get(type);
}

/** The NULL mechanism marker (0.25.3+): cancels an operation in C_xxxInit. */
export const NULL_MECHANISM = 0xffff_ffff;

// ---- reader -------------------------------------------------------------------

export class WireReader {
  private pos: number;
  private items = 0;
  constructor(readonly buf: Buffer, start = 0) {
    this.pos = start;
  }

  get offset(): number { return this.pos; }
  get remaining(): number { return this.buf.length - this.pos; }

  /** Fails unless n more bytes are there. */
  need(n: number, what = 'field'): void {
    if (!(n >= 0) || n > this.buf.length - this.pos) throw new ProtocolError(`message truncated in ${what}`);
  }

  /**
   * Fails unless `count` items of at least `size` bytes each can still follow,
   * and unless the message stays within MAX_ITEMS items in all (attributes,
   * template entries, list items): a 16 MiB body must not become millions of
   * objects.
   */
  needItems(count: number, size: number, what: string): void {
    if (count * size > this.buf.length - this.pos) throw new ProtocolError(`${what}: count ${count} exceeds the message`);
    this.items += count;
    if (this.items > MAX_ITEMS) throw new ProtocolError(`${what}: more than ${MAX_ITEMS} items in one message`);
  }

  byte(): number {
    this.need(1, 'a byte');
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4, 'a u32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /**
   * A CK_ULONG (u64). ~0 comes back as -1 (CK_UNAVAILABLE_INFORMATION), also
   * in its 32-bit form 0xffffffff; values past 2^53 lose precision, which
   * only makes an invalid handle or value another invalid one.
   */
  u64(): number {
    this.need(8, 'a u64');
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    if (v === ALL_ONES || v === 0xffff_ffffn) return -1;
    return Number(v);
  }

  bytes(n: number): Buffer {
    this.need(n, 'bytes');
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** BA: null for a NULL pointer. */
  byteArray(): Buffer | null {
    const len = this.u32();
    if (len === NULL_BA) return null;
    if (len >= MAX_BA) throw new ProtocolError(`byte array length 0x${len.toString(16)} is out of range`);
    this.need(len, 'a byte array');
    return this.bytes(len);
  }
}

// ---- writer -------------------------------------------------------------------

export class WireWriter {
  private buf: Buffer;
  private len = 0;
  constructor(private readonly limit = Infinity, initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private reserve(n: number): void {
    const need = this.len + n;
    if (need > this.limit) throw new ResponseTooLargeError(`message of more than ${this.limit} bytes`);
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  get length(): number { return this.len; }

  byte(v: number): this {
    this.reserve(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.reserve(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  /** A CK_ULONG; negative numbers are two's complement (-1 is ~0). */
  u64(v: number): this {
    if (!Number.isInteger(v)) throw new TypeError(`not a CK_ULONG: ${v}`);
    this.reserve(8);
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, BigInt(v)), this.len);
    this.len += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** BA; null writes the NULL marker. */
  byteArray(b: Uint8Array | null | undefined): this {
    if (b === null || b === undefined) return this.u32(NULL_BA);
    if (b.length >= MAX_BA) throw new ResponseTooLargeError('byte array too long for the protocol');
    return this.u32(b.length).bytes(b);
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

// ---- signatures ---------------------------------------------------------------

const TOKENS = new Set(['y', 'u', 'v', 's', 'z', 'ay', 'au', 'aA', 'fy', 'fu', 'fA', 'M', 'P', 'X']);
const tokenCache = new Map<string, string[]>();

/** Splits a signature into field tokens ("uayfy" -> u, ay, fy). */
export function tokenize(signature: string): string[] {
  const cached = tokenCache.get(signature);
  if (cached) return cached;
  const out: string[] = [];
  for (let i = 0; i < signature.length; i++) {
    const c = signature[i]!;
    const tok = c === 'a' || c === 'f' ? c + (signature[i + 1] ?? '') : c;
    if (!TOKENS.has(tok)) throw new Error(`bad signature ${JSON.stringify(signature)}`);
    out.push(tok);
    i += tok.length - 1;
  }
  if (tokenCache.size < 256) tokenCache.set(signature, out);
  return out;
}

// ---- attributes -----------------------------------------------------------------

function readAttribute(r: WireReader, dialect: Dialect, depth: number): WireAttribute {
  const type = r.u32();
  const validity = r.byte();
  if (validity === 0) return { type, ulValueLen: -1 };
  const ulValueLen = r.u32();
  let value: WireAttributeValue;
  let decodedLength: number;
  switch (wireClass(type, dialect)) {
    case 'byte':
      value = r.byte();
      decodedLength = 1;
      break;
    case 'ulong':
      value = r.u64();
      decodedLength = 8;
      break;
    case 'array': {
      if (depth >= MAX_DEPTH) throw new ProtocolError('attribute arrays nested too deep');
      const count = r.u32();
      r.needItems(count, 5, 'nested attribute array');
      const inner: WireAttribute[] = [];
      for (let i = 0; i < count; i++) inner.push(readAttribute(r, dialect, depth + 1));
      value = inner;
      decodedLength = count * 24;
      break;
    }
    case 'mechanisms': {
      const count = r.u32();
      r.needItems(count, 8, 'mechanism array');
      const mechs: number[] = [];
      for (let i = 0; i < count; i++) mechs.push(r.u64());
      value = mechs;
      decodedLength = count * 8;
      break;
    }
    case 'date':
    case 'bytes':
      value = r.byteArray();
      decodedLength = value?.length ?? 0;
      break;
  }
  // The receiver copies the value into a buffer of ulValueLen bytes (p11-kit checks this too).
  if (ulValueLen !== 0 && decodedLength > ulValueLen) {
    throw new ProtocolError(`attribute 0x${type.toString(16)}: value longer than its length`);
  }
  return { type, ulValueLen, value };
}

function writeAttribute(w: WireWriter, a: WireAttribute, dialect: Dialect, depth: number): void {
  w.u32(a.type);
  if (a.ulValueLen === -1 || a.ulValueLen === undefined) {
    w.byte(0);
    return;
  }
  w.byte(1).u32(a.ulValueLen);
  const v = a.value;
  switch (wireClass(a.type, dialect)) {
    case 'byte':
      w.byte(typeof v === 'number' ? v : 0);
      break;
    case 'ulong':
      w.u64(typeof v === 'number' ? v : 0);
      break;
    case 'array': {
      if (depth >= MAX_DEPTH) throw new ResponseTooLargeError('attribute arrays nested too deep');
      const inner = Array.isArray(v) ? (v as WireAttribute[]) : [];
      w.u32(inner.length);
      for (const x of inner) writeAttribute(w, x, dialect, depth + 1);
      break;
    }
    case 'mechanisms': {
      // The length-only form is count 0: p11-kit's servers write the real count and no
      // items, which its own client cannot read (transcript, connection 11).
      const mechs = Array.isArray(v) ? (v as number[]) : [];
      w.u32(mechs.length);
      for (const m of mechs) w.u64(m);
      break;
    }
    case 'date':
    case 'bytes':
      w.byteArray(Buffer.isBuffer(v) ? v : null);
      break;
  }
}

export function readAttributeArray(r: WireReader, dialect: Dialect): WireAttribute[] {
  const count = r.u32();
  r.needItems(count, 5, 'attribute array');
  const out: WireAttribute[] = [];
  for (let i = 0; i < count; i++) out.push(readAttribute(r, dialect, 0));
  return out;
}

export function writeAttributeArray(w: WireWriter, list: readonly WireAttribute[], dialect: Dialect): void {
  w.u32(list.length);
  for (const a of list) writeAttribute(w, a, dialect, 0);
}

function readBufferTemplate(r: WireReader, mode: NestMode, depth: number): BufferSpec[] {
  if (depth > MAX_DEPTH) throw new ProtocolError('attribute templates nested too deep');
  const count = r.u32();
  r.needItems(count, 8, 'attribute template');
  const out: BufferSpec[] = [];
  for (let i = 0; i < count; i++) {
    const type = r.u32();
    const length = r.u32();
    const nests = isTemplateType(type) && (mode === 'always' || (mode === 'nonzero' && length !== 0));
    out.push(nests ? { type, length, nested: readBufferTemplate(r, mode, depth + 1) } : { type, length });
  }
  return out;
}

function writeBufferTemplate(w: WireWriter, list: readonly BufferSpec[], mode: NestMode, depth: number): void {
  w.u32(list.length);
  for (const a of list) {
    w.u32(a.type).u32(a.length);
    if (isTemplateType(a.type) && (mode === 'always' || (mode === 'nonzero' && a.length !== 0))) {
      writeBufferTemplate(w, a.nested ?? [], mode, depth + 1);
    }
  }
}

// ---- mechanism parameters -------------------------------------------------------

function readParameter(r: WireReader, kind: SerializerName): MechanismParameter {
  switch (kind) {
    case 'pss':
      return { hashAlg: r.u64(), mgf: r.u64(), sLen: r.u64() };
    case 'oaep':
      return { hashAlg: r.u64(), mgf: r.u64(), source: r.u64(), pSourceData: r.byteArray() };
    case 'ecdh':
      return { kdf: r.u64(), pSharedData: r.byteArray(), pPublicData: r.byteArray() };
    case 'aesIv':
    case 'desIv':
    case 'dhDerive':
      // Raw bytes; their length is checked by whoever uses them.
      return r.byteArray() ?? Buffer.alloc(0);
    case 'aesCtr':
      return { ulCounterBits: r.u64(), cb: r.byteArray() };
    case 'gcm':
      return { pIv: r.byteArray(), ulIvBits: r.u64(), pAAD: r.byteArray(), ulTagBits: r.u64() };
    case 'macGeneral':
      return r.u64();
    case 'ibmAttrBoundWrap':
      return { hSignVerifyKey: r.u64() };
    case 'ibmEcdsaOther':
      return { submechanism: r.u64() };
    case 'ibmBtcDerive':
      return { type: r.u64(), childKeyIndex: r.u64(), pChainCode: r.byteArray(), version: r.u64() };
    case 'ibmKyber':
      return {
        ulVersion: r.u64(), mode: r.u64(), kdf: r.u64(), bPrepend: r.byte(),
        pCipher: r.byteArray(), pSharedData: r.byteArray(), hSecret: r.u64(),
      };
  }
}

type Fields = Record<string, number | Buffer | null | undefined>;

function writeParameter(w: WireWriter, kind: SerializerName, p: MechanismParameter): void {
  const f = (typeof p === 'object' && p !== null && !Buffer.isBuffer(p) ? p : {}) as Fields;
  const n = (name: string) => (typeof f[name] === 'number' ? (f[name] as number) : 0);
  const b = (name: string) => (Buffer.isBuffer(f[name]) ? (f[name] as Buffer) : null);
  switch (kind) {
    case 'pss':
      w.u64(n('hashAlg')).u64(n('mgf')).u64(n('sLen'));
      break;
    case 'oaep':
      w.u64(n('hashAlg')).u64(n('mgf')).u64(n('source')).byteArray(b('pSourceData'));
      break;
    case 'ecdh':
      w.u64(n('kdf')).byteArray(b('pSharedData')).byteArray(b('pPublicData'));
      break;
    case 'aesIv':
    case 'desIv':
    case 'dhDerive':
      w.byteArray(Buffer.isBuffer(p) ? p : null);
      break;
    case 'aesCtr':
      w.u64(n('ulCounterBits')).byteArray(b('cb'));
      break;
    case 'gcm':
      w.byteArray(b('pIv')).u64(n('ulIvBits')).byteArray(b('pAAD')).u64(n('ulTagBits'));
      break;
    case 'macGeneral':
      w.u64(typeof p === 'number' ? p : 0);
      break;
    case 'ibmAttrBoundWrap':
      w.u64(n('hSignVerifyKey'));
      break;
    case 'ibmEcdsaOther':
      w.u64(n('submechanism'));
      break;
    case 'ibmBtcDerive':
      w.u64(n('type')).u64(n('childKeyIndex')).byteArray(b('pChainCode')).u64(n('version'));
      break;
    case 'ibmKyber':
      w.u64(n('ulVersion')).u64(n('mode')).u64(n('kdf')).byte(n('bPrepend'))
        .byteArray(b('pCipher')).byteArray(b('pSharedData')).u64(n('hSecret'));
      break;
  }
}

/** `M` (§2.5): null is the NULL mechanism (0.25.3+). */
export function readMechanism(r: WireReader, dialect: Dialect): WireMechanism | null {
  const mechanism = r.u32();
  if (dialect >= 1 && mechanism === NULL_MECHANISM) return null;
  if (dialect === EXT_DIALECT) return { mechanism, parameter: readParamValue(r) as MechanismParameter | null };
  const serializer = mechanismSerializer(mechanism, dialect);
  if (dialect === 2) {
    if (mechanismHasNoParameter(mechanism, dialect)) return { mechanism, parameter: null };
    if (r.byte() === 0) return { mechanism, parameter: null };
    return { mechanism, parameter: serializer ? readParameter(r, serializer) : r.byteArray() };
  }
  // v0/v1: the parameter is always there: the serializer's bytes, else a BA.
  return { mechanism, parameter: serializer ? readParameter(r, serializer) : r.byteArray() };
}

export function writeMechanism(w: WireWriter, m: WireMechanism | null, dialect: Dialect): void {
  if (m === null) {
    if (dialect === 0) throw new TypeError('protocol version 0 has no NULL mechanism');
    w.u32(NULL_MECHANISM);
    return;
  }
  w.u32(m.mechanism);
  if (dialect === EXT_DIALECT) {
    writeParamValue(w, m.parameter);
    return;
  }
  const serializer = mechanismSerializer(m.mechanism, dialect);
  if (dialect === 2) {
    if (mechanismHasNoParameter(m.mechanism, dialect)) return;
    if (m.parameter === null || m.parameter === undefined) {
      w.byte(0);
      return;
    }
    w.byte(1);
  }
  if (serializer) {
    // v0/v1 always carry the serializer's bytes; a missing parameter is its zero form.
    writeParameter(w, serializer, m.parameter ?? Buffer.alloc(0));
  } else {
    w.byteArray(Buffer.isBuffer(m.parameter) ? m.parameter : null);
  }
}

/** `P` (§2.5.4). The IBM update formats are never written: we implement none of those mechanisms. */
function writeParamUpdate(w: WireWriter, p: ParamUpdate, dialect: Dialect): void {
  if (mechanismHasNoParameter(p.mechanism, dialect)) return;
  w.byte(p.hasParameter ? 1 : 0);
}

function readParamUpdate(r: WireReader, dialect: Dialect, mechanism: number | undefined): ParamUpdate {
  if (mechanism === undefined) throw new TypeError('reading P needs the mechanism of the request');
  if (mechanismHasNoParameter(mechanism, dialect)) return { mechanism, hasParameter: false };
  return { mechanism, hasParameter: r.byte() !== 0 };
}

// ---- fields -----------------------------------------------------------------------

function readField(r: WireReader, tok: string, o: CodecOptions): FieldValue {
  switch (tok) {
    case 'y': return r.byte();
    case 'u': return r.u64();
    case 'v': return { major: r.byte(), minor: r.byte() };
    case 's': {
      const s = r.byteArray();
      if (s === null) throw new ProtocolError('a fixed-width string is NULL');
      return s;
    }
    case 'z': return r.byteArray() ?? Buffer.alloc(0);
    case 'ay': {
      if (r.byte() === 0) return { data: null, length: r.u32() };
      const data = r.byteArray();
      return { data, length: data?.length ?? 0 };
    }
    case 'au': {
      const present = r.byte() !== 0;
      const count = r.u32();
      if (!present) return { data: null, count };
      r.needItems(count, 8, 'ulong array');
      const data: number[] = [];
      for (let i = 0; i < count; i++) data.push(r.u64());
      return { data, count };
    }
    case 'fy':
    case 'fu':
      return r.u32();
    case 'fA':
      return readBufferTemplate(r, o.nest ?? defaultNestMode(o.dialect), 0);
    case 'aA':
      return readAttributeArray(r, o.dialect);
    case 'M':
      return readMechanism(r, o.dialect);
    case 'P':
      return readParamUpdate(r, o.dialect, o.mechanism);
    case 'X':
      return readParamValue(r) as FieldValue;
    default:
      throw new Error(`bad field ${tok}`);
  }
}

function writeField(w: WireWriter, tok: string, v: FieldValue, o: CodecOptions): void {
  switch (tok) {
    case 'y':
      w.byte(v as number);
      break;
    case 'u':
      w.u64(v as number);
      break;
    case 'v': {
      const ver = v as Version;
      w.byte(ver.major).byte(ver.minor);
      break;
    }
    case 's':
      w.byteArray(v as Buffer);
      break;
    case 'z':
      w.byteArray((v as Buffer | null) ?? Buffer.alloc(0));
      break;
    case 'ay': {
      const b = v as ByteBuffer;
      if (b.data === null) w.byte(0).u32(b.length);
      else w.byte(1).byteArray(b.data);
      break;
    }
    case 'au': {
      const a = v as UlongBuffer;
      if (a.data === null) {
        w.byte(0).u32(a.count);
      } else {
        w.byte(1).u32(a.data.length);
        for (const x of a.data) w.u64(x);
      }
      break;
    }
    case 'fy':
    case 'fu':
      w.u32(v as number);
      break;
    case 'fA':
      writeBufferTemplate(w, v as BufferSpec[], o.nest ?? defaultNestMode(o.dialect), 0);
      break;
    case 'aA':
      writeAttributeArray(w, v as WireAttribute[], o.dialect);
      break;
    case 'M':
      writeMechanism(w, v as WireMechanism | null, o.dialect);
      break;
    case 'P':
      writeParamUpdate(w, v as ParamUpdate, o.dialect);
      break;
    case 'X':
      writeParamValue(w, v);
      break;
    default:
      throw new Error(`bad field ${tok}`);
  }
}

export function readFields(r: WireReader, signature: string, o: CodecOptions): FieldValue[] {
  return tokenize(signature).map((tok) => readField(r, tok, o));
}

export function writeFields(w: WireWriter, signature: string, values: readonly FieldValue[], o: CodecOptions): void {
  const toks = tokenize(signature);
  if (toks.length !== values.length) throw new TypeError(`signature ${signature} has ${toks.length} fields, got ${values.length}`);
  toks.forEach((tok, i) => writeField(w, tok, values[i]!, o));
}

// ---- bodies -------------------------------------------------------------------------

export interface BodyHeader {
  callId: number;
  signature: string;
  /** Positioned at the first field. */
  reader: WireReader;
}

/** Reads the call id and the signature string of a body. */
export function readBodyHeader(body: Buffer): BodyHeader {
  const reader = new WireReader(body);
  const callId = reader.u32();
  const sig = reader.byteArray();
  if (sig === null) throw new ProtocolError('NULL signature');
  if (sig.length > 64) throw new ProtocolError('signature too long');
  return { callId, signature: sig.toString('latin1'), reader };
}

/** A whole body: call id, signature, fields. */
export function encodeBody(callId: number, signature: string, values: readonly FieldValue[], o: CodecOptions, limit = Infinity): Buffer {
  const w = new WireWriter(limit);
  w.u32(callId).byteArray(Buffer.from(signature, 'latin1'));
  writeFields(w, signature, values, o);
  return w.finish();
}

export function decodeBody(body: Buffer, o: CodecOptions): { callId: number; signature: string; fields: FieldValue[]; rest: number } {
  const { callId, signature, reader } = readBodyHeader(body);
  const fields = readFields(reader, signature, o);
  return { callId, signature, fields, rest: reader.remaining };
}

/** The ERROR response body (§2.7): call id 0, signature "u", the CK_RV. */
export function errorBody(rv: number): Buffer {
  return encodeBody(0, 'u', [rv >>> 0], { dialect: 0 });
}
