/**
 * Attribute values on the p11-kit wire (protocol reference §2.3).
 *
 * How a value travels depends only on its attribute type, through a table
 * compiled into the client: one byte, a u64, a nested attribute array, a
 * mechanism list, a date, or (the default, for every type the table does not
 * list) the raw bytes of the value as they sit in the client's memory. The
 * table grew with p11-kit releases, so it is chosen by the negotiated protocol
 * version. This file holds that table and converts between the wire form and
 * the typed values of our API (src/pkcs11/attributes.ts).
 */
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import { attributeKind, ATTRIBUTE_STRUCT_SIZE, ULONG_SIZE } from '../pkcs11/attributes.js';
import type { AttributeValue, CK_ATTRIBUTE } from '../pkcs11/types.js';
import type { Dialect, WireAttribute, WireAttributeValue } from './codec.js';

/** The value classes of §2.3. */
export type WireClass = 'byte' | 'ulong' | 'array' | 'mechanisms' | 'date' | 'bytes';

function code(name: string): number {
  const v = K.CONSTANTS[name];
  if (v === undefined) throw new Error(`unknown constant ${name}`);
  return v;
}

const VD = 0x8000_0000; // CKA_VENDOR_DEFINED
// IBM vendor attributes that p11-kit 0.25+ knows (common/pkcs11x.h).
const CKA_IBM_RESTRICTABLE = VD + 0x10001;
const CKA_IBM_NEVER_MODIFIABLE = VD + 0x10002;
const CKA_IBM_RETAINKEY = VD + 0x10003;
const CKA_IBM_ATTRBOUND = VD + 0x10004;
const CKA_IBM_KEYTYPE = VD + 0x10005;
const CKA_IBM_USE_AS_DATA = VD + 0x10008;
const CKA_IBM_STD_COMPLIANCE1 = VD + 0x1000a;
const CKA_IBM_PROTKEY_EXTRACTABLE = VD + 0x1000c;
const CKA_IBM_PROTKEY_NEVER_EXTRACTABLE = VD + 0x1000d;
const CKA_IBM_DILITHIUM_KEYFORM = VD + 0xd0001;
const CKA_IBM_KYBER_KEYFORM = VD + 0xd0009;
const CKA_IBM_CCA_AES_KEY_MODE = VD + 0xd0101;

const BYTE_V0 = [
  'CKA_TOKEN', 'CKA_PRIVATE', 'CKA_TRUSTED', 'CKA_SENSITIVE', 'CKA_ENCRYPT', 'CKA_DECRYPT', 'CKA_WRAP', 'CKA_UNWRAP',
  'CKA_SIGN', 'CKA_SIGN_RECOVER', 'CKA_VERIFY', 'CKA_VERIFY_RECOVER', 'CKA_DERIVE', 'CKA_EXTRACTABLE', 'CKA_LOCAL',
  'CKA_NEVER_EXTRACTABLE', 'CKA_ALWAYS_SENSITIVE', 'CKA_MODIFIABLE', 'CKA_COPYABLE', 'CKA_SECONDARY_AUTH',
  'CKA_ALWAYS_AUTHENTICATE', 'CKA_WRAP_WITH_TRUSTED', 'CKA_RESET_ON_INIT', 'CKA_HAS_RESET', 'CKA_COLOR',
].map(code);
const ULONG_V0 = [
  'CKA_CLASS', 'CKA_CERTIFICATE_TYPE', 'CKA_CERTIFICATE_CATEGORY', 'CKA_JAVA_MIDP_SECURITY_DOMAIN', 'CKA_KEY_TYPE',
  'CKA_MODULUS_BITS', 'CKA_PRIME_BITS', 'CKA_SUB_PRIME_BITS', 'CKA_VALUE_BITS', 'CKA_VALUE_LEN', 'CKA_KEY_GEN_MECHANISM',
  'CKA_AUTH_PIN_FLAGS', 'CKA_HW_FEATURE_TYPE', 'CKA_PIXEL_X', 'CKA_PIXEL_Y', 'CKA_RESOLUTION', 'CKA_CHAR_ROWS',
  'CKA_CHAR_COLUMNS', 'CKA_BITS_PER_PIXEL', 'CKA_MECHANISM_TYPE',
].map(code);

function table(dialect: Dialect): Map<number, WireClass> {
  const t = new Map<number, WireClass>();
  for (const a of BYTE_V0) t.set(a, 'byte');
  for (const a of ULONG_V0) t.set(a, 'ulong');
  t.set(K.CKA_WRAP_TEMPLATE, 'array');
  t.set(K.CKA_UNWRAP_TEMPLATE, 'array');
  t.set(K.CKA_ALLOWED_MECHANISMS, 'mechanisms');
  t.set(K.CKA_START_DATE, 'date');
  t.set(K.CKA_END_DATE, 'date');
  if (dialect >= 1) {
    // p11-kit 0.25.0
    for (const a of [CKA_IBM_RESTRICTABLE, CKA_IBM_NEVER_MODIFIABLE, CKA_IBM_RETAINKEY, CKA_IBM_ATTRBOUND,
      CKA_IBM_USE_AS_DATA, CKA_IBM_PROTKEY_EXTRACTABLE, CKA_IBM_PROTKEY_NEVER_EXTRACTABLE]) t.set(a, 'byte');
    for (const a of [CKA_IBM_DILITHIUM_KEYFORM, CKA_IBM_STD_COMPLIANCE1, CKA_IBM_KEYTYPE]) t.set(a, 'ulong');
    t.set(K.CKA_DERIVE_TEMPLATE, 'array');
  }
  if (dialect >= 2) {
    // p11-kit 0.25.6
    t.set(CKA_IBM_CCA_AES_KEY_MODE, 'ulong');
    t.set(CKA_IBM_KYBER_KEYFORM, 'ulong');
  }
  return t;
}

const TABLES: readonly Map<number, WireClass>[] = [table(0), table(1), table(2), table(3)];

/** The value class of an attribute type for a client of this protocol version. */
export function wireClass(type: number, dialect: Dialect): WireClass {
  return TABLES[dialect]!.get(type) ?? 'bytes';
}

/** True for the types whose buffers nest in a C_GetAttributeValue request (IS_ATTRIBUTE_ARRAY in p11-kit). */
export function isTemplateType(type: number): boolean {
  return type === K.CKA_WRAP_TEMPLATE || type === K.CKA_UNWRAP_TEMPLATE || type === K.CKA_DERIVE_TEMPLATE;
}

function invalid(type: number, why: string): CKRError {
  return new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, `attribute 0x${type.toString(16)}: ${why}`);
}

/** A CK_ULONG as the bytes of a little-endian 64-bit client's memory. */
function hostUlong(n: number): Buffer {
  const b = Buffer.alloc(ULONG_SIZE);
  b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(n)));
  return b;
}

/**
 * One attribute of a request template (C_CreateObject, C_FindObjectsInit...)
 * as our API takes it. What is wrong with a value is the core's to say
 * (CKR_ATTRIBUTE_VALUE_INVALID and friends); here only what cannot be a value
 * at all is refused: raw pointers to nested templates, which 0.24.1 sends for
 * CKA_DERIVE_TEMPLATE and every client sends for templates it has no class for.
 */
export function attributeFromWire(a: WireAttribute, dialect: Dialect): CK_ATTRIBUTE {
  const type = a.type;
  if (a.ulValueLen === -1) return { type }; // validity 0: no value
  const cls = wireClass(type, dialect);
  const kind = attributeKind(type);
  // ulValueLen 0: the C server hands the module pValue NULL, length 0.
  if (a.ulValueLen === 0) {
    if (kind === 'template' || kind === 'mechanisms') return { type, value: [] };
    return { type, value: Buffer.alloc(0) };
  }
  const v = a.value;
  let value: AttributeValue;
  switch (cls) {
    case 'byte':
      value = Buffer.of(v as number);
      break;
    case 'ulong':
      value = kind === 'ulong' ? (v as number) : hostUlong(v as number);
      break;
    case 'array':
      if (kind !== 'template') throw invalid(type, 'an attribute array for a type that is no template');
      value = ((v as WireAttribute[] | null) ?? []).map((x) => attributeFromWire(x, dialect));
      break;
    case 'mechanisms':
      value = [...((v as number[] | null) ?? [])];
      break;
    case 'date':
    case 'bytes':
      if (kind === 'template') throw invalid(type, 'a nested template cannot travel as raw bytes in this protocol version');
      if (kind === 'mechanisms') throw invalid(type, 'a mechanism list cannot travel as raw bytes');
      value = (v as Buffer | null) ?? Buffer.alloc(0);
      break;
  }
  return { type, value };
}

export function templateFromWire(list: readonly WireAttribute[], dialect: Dialect): CK_ATTRIBUTE[] {
  return list.map((a) => attributeFromWire(a, dialect));
}

/** What C_GetAttributeValue filled in, per entry, ready for attributeToWire. */
export interface FilledAttribute {
  type: number;
  value?: AttributeValue | null;
  ulValueLen?: number;
}

/** The C length of a value as the client's class sees it, or undefined when the class cannot carry it. */
function wireLength(cls: WireClass, value: unknown): number | undefined {
  switch (cls) {
    case 'byte': return 1;
    case 'ulong': return ULONG_SIZE;
    case 'array': return Array.isArray(value) ? value.length * ATTRIBUTE_STRUCT_SIZE : undefined;
    case 'mechanisms': return Array.isArray(value) ? value.length * ULONG_SIZE : undefined;
    default: return undefined;
  }
}

/**
 * The wire form of one filled-in entry of a C_GetAttributeValue answer.
 * `lengthOnly` is a size query (the client's buffer was NULL): the real length
 * goes with the "length only" value form. Returns null for a value this
 * client cannot be sent (a template as raw bytes): the caller marks it
 * unavailable.
 */
export function attributeToWire(entry: FilledAttribute, dialect: Dialect, lengthOnly: boolean, depth = 0): WireAttribute | null {
  const type = entry.type;
  if (entry.ulValueLen === -1) return { type, ulValueLen: -1 };
  const cls = wireClass(type, dialect);
  const kind = attributeKind(type);
  if ((cls === 'bytes' || cls === 'date') && (kind === 'template' || kind === 'mechanisms')) return null;
  if (lengthOnly) {
    const len = entry.ulValueLen;
    if (len === undefined || len < 0) return null;
    return { type, ulValueLen: len, value: null };
  }
  const v = entry.value;
  if (v === undefined || v === null) return null;
  let value: WireAttributeValue;
  switch (cls) {
    case 'byte':
      if (typeof v === 'boolean') value = v ? 1 : 0;
      else if (typeof v === 'number') value = v & 0xff;
      else if (v instanceof Uint8Array && v.length === 1) value = v[0]!;
      else return null;
      break;
    case 'ulong':
      if (typeof v === 'number') value = v;
      else if (v instanceof Uint8Array && v.length === ULONG_SIZE) value = Number(Buffer.from(v).readBigUInt64LE(0));
      else return null;
      break;
    case 'array': {
      if (!Array.isArray(v) || depth >= 8) return null;
      const inner: WireAttribute[] = [];
      for (const x of v as CK_ATTRIBUTE[]) {
        const w = attributeToWire(x, dialect, false, depth + 1);
        inner.push(w ?? { type: x.type, ulValueLen: -1 });
      }
      value = inner;
      break;
    }
    case 'mechanisms':
      if (!Array.isArray(v)) return null;
      value = [...(v as number[])];
      break;
    case 'date':
    case 'bytes':
      if (typeof v === 'boolean') value = Buffer.of(v ? 1 : 0);
      else if (typeof v === 'number') value = hostUlong(v);
      else if (typeof v === 'string') value = Buffer.from(v, 'utf8');
      else if (v instanceof Uint8Array) value = Buffer.from(v.buffer, v.byteOffset, v.length);
      else return null;
      break;
  }
  const len = wireLength(cls, value) ?? (value as Buffer).length;
  return { type, ulValueLen: len, value };
}
