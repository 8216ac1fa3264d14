/**
 * Attribute values: what type each CKA_* carries, how an input value is checked
 * and normalised, its length as C sees it, and a compact binary form for storage
 * and saved operation state.
 */
import { CONSTANTS, CKR_ARGUMENTS_BAD, CKR_ATTRIBUTE_VALUE_INVALID, CKR_TEMPLATE_INCONSISTENT } from './constants.js';
import { CKRError } from './error.js';
import type { AttributeValue, CK_ATTRIBUTE } from './types.js';


export type AttributeKind = 'bool' | 'ulong' | 'bytes' | 'utf8' | 'date' | 'template' | 'mechanisms';

/** A value as the token holds it, after normalisation. */
export type StoredValue = boolean | number | Buffer | number[] | StoredAttribute[];
export interface StoredAttribute { type: number; value: StoredValue }
export type AttributeMap = Map<number, StoredValue>;

/** sizeof(CK_ULONG) and sizeof(CK_ATTRIBUTE) on the LP64 platforms we serve. */
export const ULONG_SIZE = 8;
export const ATTRIBUTE_STRUCT_SIZE = 24;

const KIND_NAMES: Record<Exclude<AttributeKind, 'bytes'>, string[]> = {
  bool: [
    'CKA_TOKEN', 'CKA_PRIVATE', 'CKA_TRUSTED', 'CKA_SENSITIVE', 'CKA_ENCRYPT', 'CKA_DECRYPT', 'CKA_WRAP',
    'CKA_UNWRAP', 'CKA_SIGN', 'CKA_SIGN_RECOVER', 'CKA_VERIFY', 'CKA_VERIFY_RECOVER', 'CKA_DERIVE',
    'CKA_EXTRACTABLE', 'CKA_LOCAL', 'CKA_NEVER_EXTRACTABLE', 'CKA_ALWAYS_SENSITIVE', 'CKA_MODIFIABLE',
    'CKA_COPYABLE', 'CKA_DESTROYABLE', 'CKA_ALWAYS_AUTHENTICATE', 'CKA_WRAP_WITH_TRUSTED', 'CKA_RESET_ON_INIT',
    'CKA_HAS_RESET', 'CKA_COLOR', 'CKA_OTP_USER_FRIENDLY_MODE', 'CKA_ENCAPSULATE', 'CKA_DECAPSULATE',
  ],
  ulong: [
    'CKA_CLASS', 'CKA_CERTIFICATE_TYPE', 'CKA_KEY_TYPE', 'CKA_MODULUS_BITS', 'CKA_PRIME_BITS', 'CKA_SUBPRIME_BITS',
    'CKA_VALUE_BITS', 'CKA_VALUE_LEN', 'CKA_KEY_GEN_MECHANISM', 'CKA_CERTIFICATE_CATEGORY',
    'CKA_JAVA_MIDP_SECURITY_DOMAIN', 'CKA_NAME_HASH_ALGORITHM', 'CKA_MECHANISM_TYPE', 'CKA_HW_FEATURE_TYPE',
    'CKA_PROFILE_ID', 'CKA_PARAMETER_SET', 'CKA_OBJECT_VALIDATION_FLAGS', 'CKA_VALIDATION_TYPE',
    'CKA_VALIDATION_LEVEL', 'CKA_VALIDATION_FLAG', 'CKA_VALIDATION_AUTHORITY_TYPE', 'CKA_OTP_FORMAT',
    'CKA_OTP_LENGTH', 'CKA_OTP_TIME_INTERVAL', 'CKA_OTP_CHALLENGE_REQUIREMENT', 'CKA_OTP_TIME_REQUIREMENT',
    'CKA_OTP_COUNTER_REQUIREMENT', 'CKA_OTP_PIN_REQUIREMENT', 'CKA_PIXEL_X', 'CKA_PIXEL_Y', 'CKA_RESOLUTION',
    'CKA_CHAR_ROWS', 'CKA_CHAR_COLUMNS', 'CKA_BITS_PER_PIXEL', 'CKA_HSS_LEVELS', 'CKA_HSS_LMS_TYPE',
    'CKA_HSS_LMOTS_TYPE', 'CKA_HSS_KEYS_REMAINING', 'CKA_TRUST_SERVER_AUTH', 'CKA_TRUST_CLIENT_AUTH',
    'CKA_TRUST_CODE_SIGNING', 'CKA_TRUST_EMAIL_PROTECTION', 'CKA_TRUST_IPSEC_IKE', 'CKA_TRUST_TIME_STAMPING',
    'CKA_TRUST_OCSP_SIGNING',
  ],
  utf8: [
    'CKA_LABEL', 'CKA_APPLICATION', 'CKA_URL', 'CKA_UNIQUE_ID', 'CKA_OTP_SERVICE_IDENTIFIER',
    'CKA_OTP_SERVICE_LOGO_TYPE', 'CKA_OTP_USER_IDENTIFIER', 'CKA_CHAR_SETS', 'CKA_ENCODING_METHODS',
    'CKA_MIME_TYPES', 'CKA_OTP_TIME',
  ],
  date: ['CKA_START_DATE', 'CKA_END_DATE'],
  template: [
    'CKA_WRAP_TEMPLATE', 'CKA_UNWRAP_TEMPLATE', 'CKA_DERIVE_TEMPLATE', 'CKA_ENCAPSULATE_TEMPLATE',
    'CKA_DECAPSULATE_TEMPLATE',
  ],
  mechanisms: ['CKA_ALLOWED_MECHANISMS'],
};

const KINDS = new Map<number, AttributeKind>();
for (const [kind, names] of Object.entries(KIND_NAMES) as [AttributeKind, string[]][]) {
  for (const name of names) {
    const code = CONSTANTS[name];
    if (code !== undefined) KINDS.set(code, kind);
  }
}

export function attributeKind(type: number): AttributeKind {
  return KINDS.get(type) ?? 'bytes';
}

function invalid(detail: string): CKRError {
  return new CKRError(CKR_ATTRIBUTE_VALUE_INVALID, detail);
}

function isByteArray(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

const MAX_ULONG = Number.MAX_SAFE_INTEGER;
/** Nested templates may not nest further: a template inside a template is refused. */
const MAX_TEMPLATE_DEPTH = 1;

/**
 * Checks an input value against its attribute's type and returns the stored
 * form (a private copy: the caller may reuse its buffers).
 */
export function normalizeValue(type: number, value: AttributeValue | null | undefined, depth = 0): StoredValue {
  const kind = attributeKind(type);
  if (value === null || value === undefined) throw invalid(`attribute 0x${type.toString(16)} has no value`);
  switch (kind) {
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (isByteArray(value) && value.length === 1 && value[0]! <= 1) return value[0] === 1;
      if (value === 0 || value === 1) return value === 1;
      throw invalid(`attribute 0x${type.toString(16)} must be a CK_BBOOL`);
    case 'ulong':
      // -1 stands for CK_UNAVAILABLE_INFORMATION (~0 in C).
      if (typeof value === 'number' && Number.isInteger(value) && value >= -1 && value <= MAX_ULONG) return value;
      if (isByteArray(value) && value.length === ULONG_SIZE) {
        const n = Buffer.from(value).readBigUInt64LE(0);
        if (n <= BigInt(MAX_ULONG)) return Number(n);
      }
      throw invalid(`attribute 0x${type.toString(16)} must be a CK_ULONG`);
    case 'date': {
      const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : isByteArray(value) ? Buffer.from(value) : null;
      if (bytes && (bytes.length === 0 || isValidDate(bytes))) return bytes;
      throw invalid(`attribute 0x${type.toString(16)} must be a CK_DATE (YYYYMMDD) or empty`);
    }
    case 'utf8':
      if (typeof value === 'string') return Buffer.from(value, 'utf8');
      if (isByteArray(value)) return Buffer.from(value);
      throw invalid(`attribute 0x${type.toString(16)} must be a string`);
    case 'bytes':
      if (isByteArray(value)) return Buffer.from(value);
      throw invalid(`attribute 0x${type.toString(16)} must be a byte array`);
    case 'mechanisms':
      if (Array.isArray(value) && value.every((m) => typeof m === 'number' && Number.isInteger(m) && m >= 0)) {
        return [...(value as number[])];
      }
      throw invalid(`attribute 0x${type.toString(16)} must be an array of mechanism types`);
    case 'template': {
      if (!Array.isArray(value) || depth >= MAX_TEMPLATE_DEPTH) {
        throw invalid(`attribute 0x${type.toString(16)} must be an attribute template`);
      }
      const out: StoredAttribute[] = [];
      for (const entry of value as unknown[]) {
        if (!entry || typeof entry !== 'object' || typeof (entry as CK_ATTRIBUTE).type !== 'number') {
          throw invalid('template entries must be {type, value}');
        }
        const a = entry as CK_ATTRIBUTE;
        out.push({ type: a.type, value: normalizeValue(a.type, a.value, depth + 1) });
      }
      return out;
    }
  }
}

function isValidDate(b: Buffer): boolean {
  if (b.length !== 8 || !/^[0-9]{8}$/.test(b.toString('latin1'))) return false;
  const month = Number(b.toString('latin1', 4, 6));
  const day = Number(b.toString('latin1', 6, 8));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** ulValueLen of a stored value, as a C caller would see it. */
export function valueLength(value: StoredValue): number {
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'number') return ULONG_SIZE;
  if (Buffer.isBuffer(value)) return value.length;
  if (value.length === 0) return 0;
  return typeof value[0] === 'number' ? value.length * ULONG_SIZE : value.length * ATTRIBUTE_STRUCT_SIZE;
}

/** A caller's copy of a stored value (buffers are never shared with the token). */
export function exportValue(value: StoredValue): boolean | number | Buffer | number[] | CK_ATTRIBUTE[] {
  if (typeof value === 'boolean' || typeof value === 'number') return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value.length === 0) return [];
  if (typeof value[0] === 'number') return [...(value as number[])];
  return (value as StoredAttribute[]).map((a) => ({ type: a.type, value: exportValue(a.value), ulValueLen: valueLength(a.value) }));
}

export function valuesEqual(a: StoredValue, b: StoredValue): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x === 'number' || typeof y === 'number') {
      if (x !== y) return false;
    } else if (x.type !== y.type || !valuesEqual(x.value, y.value)) {
      return false;
    }
  }
  return true;
}

/** Normalises a whole input template; a repeated type is refused (C callers mean one value). */
export function normalizeTemplate(template: readonly CK_ATTRIBUTE[]): AttributeMap {
  if (!Array.isArray(template)) throw new CKRError(CKR_ARGUMENTS_BAD, 'template must be an array');
  const map: AttributeMap = new Map();
  for (const entry of template) {
    if (!entry || typeof entry !== 'object' || typeof entry.type !== 'number' || !Number.isInteger(entry.type) || entry.type < 0) {
      throw new CKRError(CKR_ARGUMENTS_BAD, 'template entries must be {type, value}');
    }
    const value = normalizeValue(entry.type, entry.value);
    const seen = map.get(entry.type);
    if (seen !== undefined && !valuesEqual(seen, value)) {
      throw new CKRError(CKR_TEMPLATE_INCONSISTENT, `attribute 0x${entry.type.toString(16)} given twice`);
    }
    map.set(entry.type, value);
  }
  return map;
}

// ---- binary form ---------------------------------------------------------
// [u32 count] then per attribute [u32 type][u8 tag][payload]; payloads:
// bool u8, ulong u64, bytes u32 length + bytes, mechanisms u32 n + n u64,
// template [u32 count] + entries (recursively).

const TAG = { bool: 1, ulong: 2, bytes: 3, mechanisms: 4, template: 5 } as const;

export function encodeAttributes(attrs: Iterable<[number, StoredValue]>): Buffer {
  const parts: Buffer[] = [];
  let count = 0;
  for (const [type, value] of attrs) {
    count++;
    encodeOne(parts, type, value);
  }
  const head = Buffer.alloc(4);
  head.writeUInt32BE(count);
  return Buffer.concat([head, ...parts]);
}

function encodeOne(parts: Buffer[], type: number, value: StoredValue): void {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(type >>> 0);
  if (typeof value === 'boolean') {
    h[4] = TAG.bool;
    parts.push(h, Buffer.from([value ? 1 : 0]));
  } else if (typeof value === 'number') {
    h[4] = TAG.ulong;
    parts.push(h, u64(value));
  } else if (Buffer.isBuffer(value)) {
    h[4] = TAG.bytes;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(value.length);
    parts.push(h, len, value);
  } else if (attributeKind(type) === 'mechanisms') {
    h[4] = TAG.mechanisms;
    const n = Buffer.alloc(4);
    n.writeUInt32BE(value.length);
    parts.push(h, n, ...(value as number[]).map(u64));
  } else {
    h[4] = TAG.template;
    const n = Buffer.alloc(4);
    n.writeUInt32BE(value.length);
    parts.push(h, n);
    for (const a of value as StoredAttribute[]) encodeOne(parts, a.type, a.value);
  }
}

const ALL_ONES = 0xffff_ffff_ffff_ffffn;

/** A CK_ULONG in 8 bytes; -1 is ~0. */
function u64(value: number): Buffer {
  const v = Buffer.alloc(8);
  v.writeBigUInt64BE(value === -1 ? ALL_ONES : BigInt(value));
  return v;
}

/** Thrown by decodeAttributes on malformed input; callers map it to their own CKR. */
export class MalformedEncodingError extends Error {}

export function decodeAttributes(buf: Buffer): AttributeMap {
  const r = new Reader(buf);
  const map: AttributeMap = new Map();
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const [type, value] = decodeOne(r, 0);
    map.set(type, value);
  }
  if (!r.done()) throw new MalformedEncodingError('trailing bytes');
  return map;
}

function decodeOne(r: Reader, depth: number): [number, StoredValue] {
  const type = r.u32();
  const tag = r.u8();
  switch (tag) {
    case TAG.bool: return [type, r.u8() === 1];
    case TAG.ulong: return [type, r.u64()];
    case TAG.bytes: return [type, r.bytes(r.u32())];
    case TAG.mechanisms: {
      const n = r.u32();
      r.need(n * 8);
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(r.u64());
      return [type, out];
    }
    case TAG.template: {
      if (depth > MAX_TEMPLATE_DEPTH) throw new MalformedEncodingError('template nested too deep');
      const n = r.u32();
      r.need(n * 5);
      const out: StoredAttribute[] = [];
      for (let i = 0; i < n; i++) {
        const [t, v] = decodeOne(r, depth + 1);
        out.push({ type: t, value: v });
      }
      return [type, out];
    }
    default:
      throw new MalformedEncodingError(`unknown tag ${tag}`);
  }
}

/** A bounds-checked big-endian reader. */
export class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new MalformedEncodingError('truncated');
  }
  u8(): number { this.need(1); return this.buf[this.pos++]!; }
  u32(): number { this.need(4); const v = this.buf.readUInt32BE(this.pos); this.pos += 4; return v; }
  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    if (v === ALL_ONES) return -1;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedEncodingError('integer out of range');
    return Number(v);
  }
  bytes(n: number): Buffer { this.need(n); const v = Buffer.from(this.buf.subarray(this.pos, this.pos + n)); this.pos += n; return v; }
  done(): boolean { return this.pos === this.buf.length; }
}
