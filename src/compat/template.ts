/**
 * Attribute templates between pkcs11js's form and our core's.
 *
 * pkcs11js turns every input value into the bytes C would see (a number is a
 * CK_ULONG, a boolean a CK_BBOOL, a string its UTF-8) and hands back every
 * attribute value as those raw bytes. We do the same on both sides, so the
 * token checks lengths exactly as a C token would.
 */
import { attributeKind } from '../pkcs11/attributes.js';
import { CKA_END_DATE, CKA_START_DATE } from '../pkcs11/constants.js';
import type { AttributeValue, CK_ATTRIBUTE } from '../pkcs11/types.js';
import { typeError, type Args } from './args.js';

const ULONG_BYTES = 8;
/** sizeof(CK_ATTRIBUTE) on LP64: type, pointer, length. */
const ATTRIBUTE_STRUCT_BYTES = 24;

/** One attribute as pkcs11js callers write it. */
export interface CompatAttribute {
  type: number;
  value?: number | boolean | string | Buffer | Date | null;
}

function hex8(type: number): string {
  return `0x${type.toString(16).toUpperCase().padStart(8, '0')}`;
}

function isDateType(type: number): boolean {
  return type === CKA_START_DATE || type === CKA_END_DATE;
}

/** pkcs11js's JavaScript layer turns Date values into YYYYMMDD for the object-writing calls. */
export function datesToText(template: unknown): void {
  if (!Array.isArray(template)) return;
  for (const attr of template as { type?: unknown; value?: unknown }[]) {
    if (attr && (attr.type === CKA_START_DATE || attr.type === CKA_END_DATE) && attr.value instanceof Date) {
      attr.value = Buffer.from(attr.value.toISOString().slice(0, 10).replace(/-/g, ''));
    }
  }
}

function cBytes(value: unknown, index: number): Buffer {
  if (value === undefined || value === null) return Buffer.alloc(0);
  if (typeof value === 'number') {
    const b = Buffer.alloc(ULONG_BYTES);
    b.writeUInt32LE(value >>> 0);
    return b;
  }
  if (typeof value === 'boolean') return Buffer.from([value ? 1 : 0]);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  throw typeError(`Element ${index} has wrong type. Property 'value' should be a Number, Boolean, String or Buffer`);
}

function dateBytes(type: number, value: unknown): Buffer | undefined {
  if (value === undefined || value === null) return undefined;
  let bytes: Buffer;
  if (typeof value === 'string') bytes = Buffer.from(value, 'utf8');
  else if (Buffer.isBuffer(value)) bytes = value;
  else throw typeError(`Attribute with type ${hex8(type)} is not convertible to CK_DATE. Should be a String, Buffer or Date`);
  if (bytes.length < 8) {
    throw typeError(`Attribute with type ${hex8(type)} is not convertible to CK_DATE. The length of the data should be at least 8 bytes.`);
  }
  return Buffer.from(bytes.subarray(0, 8));
}

/** Packed CK_ULONGs (CKA_ALLOWED_MECHANISMS as C passes it) as numbers; undefined if not a whole array. */
function ulongList(bytes: Buffer): number[] | undefined {
  if (bytes.length % ULONG_BYTES !== 0) return undefined;
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += ULONG_BYTES) {
    const n = bytes.readBigUInt64LE(i);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    out.push(Number(n));
  }
  return out;
}

/** Reads the template argument at `index` as our core's template of C-layout values. */
export function readTemplate(args: Args, index: number): CK_ATTRIBUTE[] {
  const list = args[index];
  if (!Array.isArray(list)) throw typeError(`Argument ${index} has wrong type. Should be an Array`);
  return list.map((element: unknown, i: number): CK_ATTRIBUTE => {
    if (typeof element !== 'object' || element === null) throw typeError(`Element ${i} has wrong type. Should be an Object`);
    const { type, value } = element as { type?: unknown; value?: unknown };
    if (typeof type !== 'number') throw typeError(`Element ${i} has wrong type. Property 'type' should be a Number`);
    const t = type >>> 0;
    const bytes = isDateType(t) ? dateBytes(t, value) ?? cBytes(value, i) : cBytes(value, i);
    let coreValue: AttributeValue = bytes;
    if (attributeKind(t) === 'mechanisms') coreValue = ulongList(bytes) ?? bytes;
    return { type: t, value: coreValue };
  });
}

function ulongBytes(n: number): Buffer {
  const b = Buffer.alloc(ULONG_BYTES);
  b.writeBigUInt64LE(n < 0 ? 0xffff_ffff_ffff_ffffn : BigInt(n));
  return b;
}

/** An attribute value from our core as the bytes a C caller's buffer would hold. */
export function valueToCBytes(value: CK_ATTRIBUTE['value']): Buffer {
  if (typeof value === 'boolean') return Buffer.from([value ? 1 : 0]);
  if (typeof value === 'number') return ulongBytes(value);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number')) return Buffer.concat((value as number[]).map(ulongBytes));
    // A nested template: C would get CK_ATTRIBUTE structs whose pointers mean nothing here,
    // so each entry is its type and length with a null pointer.
    return Buffer.concat((value as CK_ATTRIBUTE[]).map((a) => {
      const b = Buffer.alloc(ATTRIBUTE_STRUCT_BYTES);
      b.writeBigUInt64LE(BigInt(a.type));
      b.writeBigUInt64LE(BigInt(valueToCBytes(a.value).length), 16);
      return b;
    }));
  }
  return Buffer.alloc(0);
}

/** Checks what pkcs11js checks of a value it hands back (a CK_DATE must be 8 bytes). */
export function checkReturnedValue(type: number, bytes: Buffer): void {
  if (isDateType(type) && bytes.length !== 8) {
    throw typeError(`Attribute ${hex8(type)} has wrong length. Should be 8, but is ${bytes.length}`);
  }
}
