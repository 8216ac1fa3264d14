/**
 * The miscellaneous simple key derivations (spec "Miscellaneous simple key
 * derivation mechanisms"): concatenation with data, XOR with data, and
 * extraction of bits. Their output reveals the base key to whoever knows the
 * data, so the new key is sensitive if the base key is, and unextractable if
 * the base key is.
 */
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { MAX_SECRET_KEY_BYTES } from './generic-secret.js';
import {
  baseKeyValue, bytesField, derivedKeyAttributes, derivedKeyShape, parameterObject, type LengthRules,
} from './kdf-derived-key.js';
import type { KeyObject } from './mechanism.js';
import { registerMechanism } from './registry.js';

/** The spec's sensitivity rules: a sensitive base makes a sensitive key, an unextractable one an unextractable key. */
export function inheritProtection(base: AttributeMap, computed: AttributeMap): AttributeMap {
  if (base.get(K.CKA_SENSITIVE) === true) computed.set(K.CKA_SENSITIVE, true);
  if (base.get(K.CKA_EXTRACTABLE) !== true) computed.set(K.CKA_EXTRACTABLE, false);
  return computed;
}

/** CK_KEY_DERIVATION_STRING_DATA { pData }. */
function derivationData(parameter: unknown): Buffer {
  const data = bytesField(parameterObject(parameter, 'CK_KEY_DERIVATION_STRING_DATA'), 'pData');
  if (data.length === 0) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'pData must not be empty');
  return data;
}

/** A derivation whose material is computed up front; the key takes its first bytes. */
function deriveFromMaterial(
  material: (base: Buffer, parameter: unknown) => Buffer, rules: (material: Buffer) => LengthRules,
) {
  return (baseKey: KeyObject, parameter: unknown, template: AttributeMap): AttributeMap => {
    const bytes = material(baseKeyValue(baseKey.attrs), parameter);
    const shape = derivedKeyShape(template, rules(bytes));
    return inheritProtection(baseKey.attrs, derivedKeyAttributes(shape, bytes.subarray(0, shape.length), template));
  };
}

const wholeMaterial = (bytes: Buffer): LengthRules => ({ natural: bytes.length, available: bytes.length });

function xor(base: Buffer, data: Buffer): Buffer {
  const out = Buffer.alloc(Math.min(base.length, data.length));
  for (let i = 0; i < out.length; i++) out[i] = base[i]! ^ data[i]!;
  return out;
}

/**
 * The key's bits from bit `first` on, wrapping around the end (the spec's
 * example numbers bits from the most significant bit of the first byte).
 */
function rotateBits(base: Buffer, first: number): Buffer {
  const bits = base.length * 8;
  const bitAt = (i: number) => (base[Math.floor((i % bits) / 8)]! >> (7 - ((i % bits) % 8))) & 1;
  const out = Buffer.alloc(base.length);
  for (let i = 0; i < bits; i++) out[i >> 3]! |= bitAt(first + i) << (7 - (i % 8));
  return out;
}

/** CK_EXTRACT_PARAMS: the index of the first bit, within the key. */
function extractParams(parameter: unknown, base: Buffer): number {
  if (typeof parameter !== 'number' || !Number.isInteger(parameter) || parameter < 0 || parameter >= base.length * 8) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'CK_EXTRACT_PARAMS must be a bit index within the key');
  }
  return parameter;
}

const common = {
  minKeySize: 1,
  maxKeySize: MAX_SECRET_KEY_BYTES,
  keySize: (attrs: AttributeMap) => (attrs.get(K.CKA_VALUE) as Buffer | undefined)?.length ?? 0,
};

registerMechanism({
  type: K.CKM_CONCATENATE_BASE_AND_DATA,
  ...common,
  derive: deriveFromMaterial((base, p) => Buffer.concat([base, derivationData(p)]), wholeMaterial),
});

registerMechanism({
  type: K.CKM_CONCATENATE_DATA_AND_BASE,
  ...common,
  derive: deriveFromMaterial((base, p) => Buffer.concat([derivationData(p), base]), wholeMaterial),
});

registerMechanism({
  type: K.CKM_XOR_BASE_AND_DATA,
  ...common,
  derive: deriveFromMaterial((base, p) => xor(base, derivationData(p)), wholeMaterial),
});

// Without a length or key type in the template the spec makes this an error: no natural length.
registerMechanism({
  type: K.CKM_EXTRACT_KEY_FROM_KEY,
  ...common,
  derive: deriveFromMaterial((base, p) => rotateBits(base, extractParams(p, base)), (bytes) => ({ available: bytes.length })),
});

/**
 * CKM_CONCATENATE_BASE_AND_KEY: the base key's value, then the value of the
 * key named by the parameter (a handle). The new key is as protected as the
 * more protected of the two.
 */
registerMechanism({
  type: K.CKM_CONCATENATE_BASE_AND_KEY,
  ...common,
  derive: (baseKey, parameter, template, otherKey) => {
    const other = otherKey(parameter);
    const bytes = Buffer.concat([baseKeyValue(baseKey.attrs), baseKeyValue(other.attrs)]);
    const shape = derivedKeyShape(template, wholeMaterial(bytes));
    const computed = derivedKeyAttributes(shape, bytes.subarray(0, shape.length), template);
    return inheritProtection(other.attrs, inheritProtection(baseKey.attrs, computed));
  },
});
