/**
 * What the key derivation mechanisms share about the key they make: its type
 * (CKA_KEY_TYPE of the template, else a generic secret), its length (the
 * template's CKA_VALUE_LEN, else the key type's only length, else the
 * mechanism's natural output), DES parity, and the computed attributes.
 */
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { setOddParity } from './des3.js';
import { MAX_SECRET_KEY_BYTES, requestedValueLen, secretKeyAttributes } from './generic-secret.js';

/** The lengths a key type allows, where it restricts them. */
const KEY_TYPE_LENGTHS: Record<number, readonly number[]> = {
  [K.CKK_AES]: [16, 24, 32],
  [K.CKK_DES2]: [16],
  [K.CKK_DES3]: [24],
  [K.CKK_CHACHA20]: [32],
  [K.CKK_POLY1305]: [32],
};

export interface DerivedKeyShape {
  keyType: number;
  length: number;
}

export interface LengthRules {
  /** The length when the template names neither a length nor a key type. */
  natural?: number;
  /** True where the natural length applies whatever the key type (HKDF without expansion). */
  naturalForAnyType?: boolean;
  /** The most bytes the mechanism can supply. */
  available?: number;
}

/**
 * The derived key's type and length, per the rules the spec repeats for each
 * derivation mechanism: a length and type must agree; a type alone must have
 * one well-defined length; with neither, the mechanism's natural length.
 */
export function derivedKeyShape(template: AttributeMap, rules: LengthRules = {}): DerivedKeyShape {
  const askedType = template.get(K.CKA_KEY_TYPE);
  if (askedType !== undefined && typeof askedType !== 'number') throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID);
  const keyType = askedType ?? K.CKK_GENERIC_SECRET;
  const allowed = KEY_TYPE_LENGTHS[keyType];
  const asked = requestedValueLen(template);
  const { natural } = rules;
  const naturalFits = natural !== undefined && (askedType === undefined || (rules.naturalForAnyType === true && (!allowed || allowed.includes(natural))));
  let length: number;
  if (asked !== undefined) {
    if (allowed && !allowed.includes(asked)) {
      throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_VALUE_LEN does not fit the key type');
    }
    length = asked;
  } else if (allowed?.length === 1) {
    length = allowed[0]!;
  } else if (naturalFits) {
    length = natural!;
  } else {
    throw new CKRError(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_VALUE_LEN is required for this key type');
  }
  if (length > Math.min(rules.available ?? Infinity, MAX_SECRET_KEY_BYTES)) {
    throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_VALUE_LEN is more than the mechanism can derive');
  }
  return { keyType, length };
}

/** The computed attributes of a derived secret key made from `material` (exactly shape.length bytes). */
export function derivedKeyAttributes(shape: DerivedKeyShape, material: Buffer, template: AttributeMap): AttributeMap {
  const isDes = shape.keyType === K.CKK_DES2 || shape.keyType === K.CKK_DES3;
  return secretKeyAttributes(shape.keyType, isDes ? setOddParity(Buffer.from(material)) : material, template);
}

/** The base key's secret bytes; only secret keys have them. */
export function baseKeyValue(attrs: AttributeMap): Buffer {
  const value = attrs.get(K.CKA_VALUE);
  if (attrs.get(K.CKA_CLASS) !== K.CKO_SECRET_KEY || !Buffer.isBuffer(value)) {
    throw new CKRError(K.CKR_KEY_TYPE_INCONSISTENT, 'the base key must be a secret key');
  }
  return value;
}

/** A byte string field of a mechanism parameter; `optional` lets it be absent (then empty). */
export function bytesField(parameter: Record<string, unknown>, name: string, optional = false): Buffer {
  const v = parameter[name];
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (optional && (v === undefined || v === null)) return Buffer.alloc(0);
  throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, `${name} must be a byte string`);
}

/** The parameter as an object, or CKR_MECHANISM_PARAM_INVALID. */
export function parameterObject(parameter: unknown, structName: string): Record<string, unknown> {
  if (!parameter || typeof parameter !== 'object' || parameter instanceof Uint8Array || Array.isArray(parameter)) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, `the parameter must be a ${structName}`);
  }
  return parameter as Record<string, unknown>;
}

/** A CK_ULONG field: a non-negative integer. */
export function ulongField(parameter: Record<string, unknown>, name: string): number {
  const v = parameter[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, `${name} must be a CK_ULONG`);
  }
  return v;
}
