/**
 * The spec's per-class attribute tables, as rules: which attributes an object
 * of a class may have, which a template must or must not carry, their defaults,
 * which may change later and how, and which are secret (footnote 7).
 */
import { createHash } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import { valuesEqual, type AttributeMap, type StoredValue } from '../pkcs11/attributes.js';
import { constantName } from '../pkcs11/names.js';

/** How a value may change after creation (footnotes 8, 11, 12). */
export type Change = 'never' | 'free' | 'onlyToTrue' | 'onlyToFalse';

export interface AttributeRule {
  /** On C_CreateObject: must be given (1), may be given, or must not be given (2). */
  create: 'required' | 'optional' | 'forbidden';
  /** C_SetAttributeValue. */
  set: Change;
  /** C_CopyObject templates; defaults to `set`. */
  copy?: Change;
  /** Footnote 7: never revealed while the key is sensitive or not extractable. */
  secret?: boolean;
  /** Footnote 10: only the SO may set it to CK_TRUE. */
  soOnlyTrue?: boolean;
  default?: StoredValue | ((attrs: AttributeMap) => StoredValue | undefined);
}

type Rules = Record<number, AttributeRule>;

const EMPTY = Buffer.alloc(0);
const fixed = (create: AttributeRule['create'] = 'optional'): AttributeRule => ({ create, set: 'never' });
const free = (dflt?: AttributeRule['default']): AttributeRule => ({ create: 'optional', set: 'free', default: dflt });
const computed: AttributeRule = { create: 'forbidden', set: 'never' };

const COMMON: Rules = {
  [K.CKA_CLASS]: fixed('required'),
  [K.CKA_UNIQUE_ID]: computed,
};

const STORAGE: Rules = {
  [K.CKA_TOKEN]: { create: 'optional', set: 'never', copy: 'free', default: false },
  [K.CKA_PRIVATE]: { create: 'optional', set: 'never', copy: 'free' },
  [K.CKA_MODIFIABLE]: { create: 'optional', set: 'never', copy: 'onlyToFalse', default: true },
  [K.CKA_LABEL]: free(EMPTY),
  [K.CKA_COPYABLE]: { create: 'optional', set: 'onlyToFalse', default: true },
  [K.CKA_DESTROYABLE]: free(true),
};

const DATA: Rules = {
  [K.CKA_APPLICATION]: free(EMPTY),
  [K.CKA_OBJECT_ID]: free(EMPTY),
  [K.CKA_VALUE]: free(EMPTY),
};

const CERTIFICATE: Rules = {
  [K.CKA_CERTIFICATE_TYPE]: fixed('required'),
  [K.CKA_TRUSTED]: { create: 'optional', set: 'never', soOnlyTrue: true, default: false },
  [K.CKA_CERTIFICATE_CATEGORY]: { create: 'optional', set: 'never', default: K.CK_CERTIFICATE_CATEGORY_UNSPECIFIED },
  [K.CKA_CHECK_VALUE]: fixed(),
  [K.CKA_START_DATE]: { create: 'optional', set: 'never', default: EMPTY },
  [K.CKA_END_DATE]: { create: 'optional', set: 'never', default: EMPTY },
  [K.CKA_PUBLIC_KEY_INFO]: { create: 'optional', set: 'never', default: EMPTY },
};

// Only CKA_ID, CKA_ISSUER and CKA_SERIAL_NUMBER of an X.509 certificate may change.
const X509_CERTIFICATE: Rules = {
  [K.CKA_SUBJECT]: fixed('required'),
  [K.CKA_ID]: free(EMPTY),
  [K.CKA_ISSUER]: free(EMPTY),
  [K.CKA_SERIAL_NUMBER]: free(EMPTY),
  [K.CKA_VALUE]: fixed('required'),
  [K.CKA_URL]: { create: 'optional', set: 'never', default: EMPTY },
  [K.CKA_HASH_OF_SUBJECT_PUBLIC_KEY]: { create: 'optional', set: 'never', default: EMPTY },
  [K.CKA_HASH_OF_ISSUER_PUBLIC_KEY]: { create: 'optional', set: 'never', default: EMPTY },
  [K.CKA_JAVA_MIDP_SECURITY_DOMAIN]: { create: 'optional', set: 'never', default: K.CK_SECURITY_DOMAIN_UNSPECIFIED },
  [K.CKA_NAME_HASH_ALGORITHM]: fixed(),
};

const KEY: Rules = {
  [K.CKA_KEY_TYPE]: fixed('required'),
  [K.CKA_ID]: free(EMPTY),
  [K.CKA_START_DATE]: free(EMPTY),
  [K.CKA_END_DATE]: free(EMPTY),
  [K.CKA_DERIVE]: free(false),
  [K.CKA_LOCAL]: computed,
  [K.CKA_KEY_GEN_MECHANISM]: computed,
  [K.CKA_ALLOWED_MECHANISMS]: fixed(),
};

/**
 * A key that wraps or unwraps may not also encrypt or decrypt (Clulow's
 * wrap-then-decrypt attack), so those usages default to off when the template
 * asks for wrapping.
 */
const wrapsKeys = (a: AttributeMap) => a.get(K.CKA_WRAP) === true || a.get(K.CKA_UNWRAP) === true;
const unlessWrapping = (a: AttributeMap) => !wrapsKeys(a);

const SECRET_KEY: Rules = {
  [K.CKA_SENSITIVE]: { create: 'optional', set: 'onlyToTrue', default: false },
  [K.CKA_ENCRYPT]: free(unlessWrapping),
  [K.CKA_DECRYPT]: free(unlessWrapping),
  [K.CKA_SIGN]: free(true),
  [K.CKA_VERIFY]: free(true),
  [K.CKA_WRAP]: free(false),
  [K.CKA_UNWRAP]: free(false),
  [K.CKA_EXTRACTABLE]: { create: 'optional', set: 'onlyToFalse', default: false },
  [K.CKA_ALWAYS_SENSITIVE]: computed,
  [K.CKA_NEVER_EXTRACTABLE]: computed,
  [K.CKA_CHECK_VALUE]: fixed(),
  [K.CKA_WRAP_WITH_TRUSTED]: { create: 'optional', set: 'onlyToTrue', default: false },
  [K.CKA_TRUSTED]: { create: 'optional', set: 'free', soOnlyTrue: true, default: false },
  [K.CKA_WRAP_TEMPLATE]: fixed(),
  [K.CKA_UNWRAP_TEMPLATE]: fixed(),
  [K.CKA_DERIVE_TEMPLATE]: fixed(),
};

/**
 * What each asymmetric key type has mechanisms for. A usage attribute defaults
 * to true only where the key type can be used so (an EC key does not encrypt,
 * an ML-KEM key does not sign); the template decides everything else.
 */
const ASYMMETRIC_USES: Record<number, readonly number[]> = {
  [K.CKK_RSA]: [K.CKA_ENCRYPT, K.CKA_DECRYPT, K.CKA_SIGN, K.CKA_VERIFY, K.CKA_SIGN_RECOVER, K.CKA_VERIFY_RECOVER],
  [K.CKK_EC]: [K.CKA_SIGN, K.CKA_VERIFY],
  [K.CKK_EC_EDWARDS]: [K.CKA_SIGN, K.CKA_VERIFY],
  [K.CKK_EC_MONTGOMERY]: [],
  [K.CKK_ML_DSA]: [K.CKA_SIGN, K.CKA_VERIFY],
  [K.CKK_SLH_DSA]: [K.CKA_SIGN, K.CKA_VERIFY],
  [K.CKK_ML_KEM]: [K.CKA_ENCAPSULATE, K.CKA_DECAPSULATE],
};

/** Whether a key of this type has use `type`; for key types not in the table, `unknown`. */
function hasUse(a: AttributeMap, type: number, unknown: boolean): boolean {
  const uses = ASYMMETRIC_USES[a.get(K.CKA_KEY_TYPE) as number];
  return uses === undefined ? unknown : uses.includes(type);
}

const PUBLIC_KEY: Rules = {
  [K.CKA_SUBJECT]: free(EMPTY),
  [K.CKA_ENCRYPT]: free((a) => hasUse(a, K.CKA_ENCRYPT, true) && unlessWrapping(a)),
  [K.CKA_VERIFY]: free((a) => hasUse(a, K.CKA_VERIFY, true)),
  [K.CKA_VERIFY_RECOVER]: free((a) => hasUse(a, K.CKA_VERIFY_RECOVER, true)),
  [K.CKA_WRAP]: free(false),
  [K.CKA_ENCAPSULATE]: free((a) => hasUse(a, K.CKA_ENCAPSULATE, false)),
  [K.CKA_TRUSTED]: { create: 'optional', set: 'free', soOnlyTrue: true, default: false },
  [K.CKA_WRAP_TEMPLATE]: fixed(),
  [K.CKA_ENCAPSULATE_TEMPLATE]: fixed(),
  [K.CKA_PUBLIC_KEY_INFO]: fixed(),
};

const PRIVATE_KEY: Rules = {
  [K.CKA_SUBJECT]: free(EMPTY),
  [K.CKA_SENSITIVE]: { create: 'optional', set: 'onlyToTrue', default: true },
  [K.CKA_DECRYPT]: free((a) => hasUse(a, K.CKA_DECRYPT, true) && unlessWrapping(a)),
  [K.CKA_SIGN]: free((a) => hasUse(a, K.CKA_SIGN, true)),
  [K.CKA_SIGN_RECOVER]: free((a) => hasUse(a, K.CKA_SIGN_RECOVER, true)),
  [K.CKA_UNWRAP]: free(false),
  [K.CKA_DECAPSULATE]: free((a) => hasUse(a, K.CKA_DECAPSULATE, false)),
  [K.CKA_EXTRACTABLE]: { create: 'optional', set: 'onlyToFalse', default: false },
  [K.CKA_ALWAYS_SENSITIVE]: computed,
  [K.CKA_NEVER_EXTRACTABLE]: computed,
  [K.CKA_WRAP_WITH_TRUSTED]: { create: 'optional', set: 'onlyToTrue', default: false },
  [K.CKA_UNWRAP_TEMPLATE]: fixed(),
  [K.CKA_DECAPSULATE_TEMPLATE]: fixed(),
  [K.CKA_DERIVE_TEMPLATE]: fixed(),
  [K.CKA_ALWAYS_AUTHENTICATE]: { create: 'optional', set: 'never', default: false },
  [K.CKA_PUBLIC_KEY_INFO]: fixed(),
};

const PROFILE: Rules = {
  [K.CKA_PROFILE_ID]: fixed('required'),
};

const secretPart: AttributeRule = { create: 'optional', set: 'never', secret: true };
const requiredSecret: AttributeRule = { create: 'required', set: 'never', secret: true };

/** Key material attributes per key type and class. */
const SECRET_VALUE: Rules = { [K.CKA_VALUE]: requiredSecret, [K.CKA_VALUE_LEN]: computed };
const KEY_MATERIAL: Record<number, { public?: Rules; private?: Rules; secret?: Rules }> = {
  [K.CKK_RSA]: {
    public: { [K.CKA_MODULUS]: fixed('required'), [K.CKA_MODULUS_BITS]: computed, [K.CKA_PUBLIC_EXPONENT]: fixed('required') },
    private: {
      [K.CKA_MODULUS]: fixed('required'),
      [K.CKA_PUBLIC_EXPONENT]: fixed('required'),
      [K.CKA_PRIVATE_EXPONENT]: requiredSecret,
      [K.CKA_PRIME_1]: secretPart,
      [K.CKA_PRIME_2]: secretPart,
      [K.CKA_EXPONENT_1]: secretPart,
      [K.CKA_EXPONENT_2]: secretPart,
      [K.CKA_COEFFICIENT]: secretPart,
    },
  },
  [K.CKK_GENERIC_SECRET]: { secret: SECRET_VALUE },
  [K.CKK_AES]: { secret: SECRET_VALUE },
  [K.CKK_AES_XTS]: { secret: SECRET_VALUE },
  [K.CKK_DES3]: { secret: { [K.CKA_VALUE]: requiredSecret } },
  [K.CKK_DES2]: { secret: { [K.CKA_VALUE]: requiredSecret } },
  [K.CKK_CHACHA20]: { secret: SECRET_VALUE },
  [K.CKK_POLY1305]: { secret: SECRET_VALUE },
  [K.CKK_HKDF]: { secret: SECRET_VALUE },
  [K.CKK_SHA_1_HMAC]: { secret: SECRET_VALUE },
  [K.CKK_SHA224_HMAC]: { secret: SECRET_VALUE },
  [K.CKK_SHA256_HMAC]: { secret: SECRET_VALUE },
  [K.CKK_SHA384_HMAC]: { secret: SECRET_VALUE },
  [K.CKK_SHA512_HMAC]: { secret: SECRET_VALUE },
  [K.CKK_SHA3_224_HMAC]: { secret: SECRET_VALUE },
  [K.CKK_SHA3_256_HMAC]: { secret: SECRET_VALUE },
  [K.CKK_SHA3_384_HMAC]: { secret: SECRET_VALUE },
  [K.CKK_SHA3_512_HMAC]: { secret: SECRET_VALUE },
};
for (const kt of [K.CKK_EC, K.CKK_EC_EDWARDS, K.CKK_EC_MONTGOMERY]) {
  KEY_MATERIAL[kt] = {
    public: { [K.CKA_EC_PARAMS]: fixed('required'), [K.CKA_EC_POINT]: fixed('required') },
    private: { [K.CKA_EC_PARAMS]: fixed('required'), [K.CKA_VALUE]: requiredSecret },
  };
}
for (const kt of [K.CKK_ML_KEM, K.CKK_ML_DSA, K.CKK_SLH_DSA]) {
  KEY_MATERIAL[kt] = {
    public: { [K.CKA_PARAMETER_SET]: fixed('required'), [K.CKA_VALUE]: fixed('required') },
    private: { [K.CKA_PARAMETER_SET]: fixed('required'), [K.CKA_VALUE]: requiredSecret, [K.CKA_SEED]: secretPart },
  };
}

/** Fixed sizes of secret key values, where the key type has one. */
const SECRET_KEY_LENGTHS: Record<number, readonly number[]> = {
  [K.CKK_AES]: [16, 24, 32],
  [K.CKK_AES_XTS]: [32, 64],
  [K.CKK_DES3]: [24],
  [K.CKK_DES2]: [16],
  [K.CKK_CHACHA20]: [32],
  [K.CKK_POLY1305]: [32],
};

const invalid = (code: number, detail: string) => new CKRError(code, detail);

/**
 * Spec 4.1.1: an attribute Cryptoki defines, but not for this kind of object
 * (CKA_MODULUS on a secret key), makes the template inconsistent; one that
 * neither Cryptoki nor this token defines is an invalid attribute type.
 */
function notForThisObject(type: number): CKRError {
  return constantName('CKA', type) !== undefined
    ? invalid(K.CKR_TEMPLATE_INCONSISTENT, `attribute ${hex(type)} does not belong to this kind of object`)
    : invalid(K.CKR_ATTRIBUTE_TYPE_INVALID, `attribute ${hex(type)} is not a known attribute`);
}

/**
 * Checks of key material that comes from outside (C_CreateObject, C_UnwrapKey),
 * by key type, registered by the mechanism families: they refuse inconsistent
 * material with CKR_ATTRIBUTE_VALUE_INVALID and fill in what follows from it
 * (CKA_PUBLIC_KEY_INFO).
 */
const IMPORT_CHECKS = new Map<number, (attrs: AttributeMap) => void>();

export function registerImportCheck(keyType: number, check: (attrs: AttributeMap) => void): void {
  IMPORT_CHECKS.set(keyType, check);
}

/** Key check values (CKA_CHECK_VALUE) by key type, registered by the mechanism families that define them. */
const CHECK_VALUES = new Map<number, (value: Buffer) => Buffer>();

export function registerCheckValue(keyType: number, compute: (value: Buffer) => Buffer): void {
  CHECK_VALUES.set(keyType, compute);
}

/**
 * The spec's rule for CKA_CHECK_VALUE of a secret key: computed by the token;
 * an empty value in the template asks for none (and stays empty); any other must be right.
 */
function applyCheckValue(attrs: AttributeMap, keyType: number, value: Buffer): void {
  const compute = CHECK_VALUES.get(keyType);
  if (!compute) return;
  const kcv = compute(value);
  const asked = attrs.get(K.CKA_CHECK_VALUE);
  if (asked === undefined) attrs.set(K.CKA_CHECK_VALUE, kcv);
  else if (Buffer.isBuffer(asked) && asked.length === 0) return;
  else if (!valuesEqual(asked, kcv)) throw invalid(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_CHECK_VALUE does not match the key');
}
const hex = (n: number) => `0x${n.toString(16)}`;

/** Every rule that applies to an object of this class (and key or certificate type). */
export function rulesFor(attrs: AttributeMap): Map<number, AttributeRule> {
  const cls = attrs.get(K.CKA_CLASS);
  if (typeof cls !== 'number') throw invalid(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_CLASS missing');
  const groups: Rules[] = [COMMON];
  switch (cls) {
    case K.CKO_DATA:
      groups.push(STORAGE, DATA);
      break;
    case K.CKO_CERTIFICATE: {
      const type = attrs.get(K.CKA_CERTIFICATE_TYPE);
      if (type === undefined) throw invalid(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_CERTIFICATE_TYPE missing');
      if (type !== K.CKC_X_509) throw invalid(K.CKR_ATTRIBUTE_VALUE_INVALID, `certificate type ${hex(type as number)} not supported`);
      groups.push(STORAGE, CERTIFICATE, X509_CERTIFICATE);
      break;
    }
    case K.CKO_SECRET_KEY:
    case K.CKO_PUBLIC_KEY:
    case K.CKO_PRIVATE_KEY: {
      const keyType = attrs.get(K.CKA_KEY_TYPE);
      if (keyType === undefined) throw invalid(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_KEY_TYPE missing');
      const part = cls === K.CKO_SECRET_KEY ? 'secret' : cls === K.CKO_PUBLIC_KEY ? 'public' : 'private';
      const material = KEY_MATERIAL[keyType as number]?.[part];
      if (!material) throw invalid(K.CKR_ATTRIBUTE_VALUE_INVALID, `key type ${hex(keyType as number)} not supported for this class`);
      const classRules = cls === K.CKO_SECRET_KEY ? SECRET_KEY : cls === K.CKO_PUBLIC_KEY ? PUBLIC_KEY : PRIVATE_KEY;
      groups.push(STORAGE, KEY, classRules, material);
      break;
    }
    case K.CKO_PROFILE:
      groups.push(STORAGE, PROFILE);
      break;
    default:
      throw invalid(K.CKR_ATTRIBUTE_VALUE_INVALID, `object class ${hex(cls)} not supported`);
  }
  const rules = new Map<number, AttributeRule>();
  for (const g of groups) for (const [t, r] of Object.entries(g)) rules.set(Number(t), r);
  return rules;
}

export function isKeyClass(cls: StoredValue | undefined): boolean {
  return cls === K.CKO_SECRET_KEY || cls === K.CKO_PRIVATE_KEY || cls === K.CKO_PUBLIC_KEY;
}

/** Footnote 7: a secret attribute of a sensitive or unextractable key is never revealed. */
export function isHidden(attrs: AttributeMap, type: number): boolean {
  const rule = rulesFor(attrs).get(type);
  if (!rule?.secret) return false;
  return attrs.get(K.CKA_SENSITIVE) === true || attrs.get(K.CKA_EXTRACTABLE) !== true;
}

export function secretAttributeTypes(attrs: AttributeMap): Set<number> {
  const out = new Set<number>();
  for (const [t, r] of rulesFor(attrs)) if (r.secret) out.add(t);
  return out;
}

/** 'encapsulate': a KEM's shared secret (C_EncapsulateKey / C_DecapsulateKey), which another party holds too. */
export type CreationOrigin = 'create' | 'generate' | 'unwrap' | 'derive' | 'encapsulate';

export interface CreationContext {
  origin: CreationOrigin;
  isSO: boolean;
  /** For generated, derived or unwrapped keys: the mechanism that made them. */
  mechanism?: number;
  /** Attributes the mechanism computed (CKA_VALUE_LEN, CKA_MODULUS ...): allowed despite 'forbidden'. */
  computed?: AttributeMap;
  /** For derived keys: the base key, whose history the new key inherits. */
  base?: AttributeMap;
  /** Keys may both wrap and encrypt (CryptokiOptions.lenientKeyPolicy). */
  lenientKeyPolicy?: boolean;
}

/**
 * Checks a creation template against the class rules and returns the complete
 * attribute set of the new object: defaults filled in, computed attributes set.
 */
export function completeNewObject(template: AttributeMap, ctx: CreationContext): AttributeMap {
  const attrs: AttributeMap = new Map(template);
  for (const [t, v] of ctx.computed ?? []) {
    const asked = template.get(t);
    if (asked !== undefined && !valuesEqual(asked, v)) {
      throw invalid(K.CKR_TEMPLATE_INCONSISTENT, `attribute ${hex(t)} is set by the mechanism`);
    }
    attrs.set(t, v);
  }
  const rules = rulesFor(attrs);

  for (const type of template.keys()) {
    const rule = rules.get(type);
    if (!rule) throw notForThisObject(type);
    if (rule.create === 'forbidden' && !ctx.computed?.has(type)) {
      throw invalid(K.CKR_ATTRIBUTE_READ_ONLY, `attribute ${hex(type)} is set by the token`);
    }
    if (rule.soOnlyTrue && template.get(type) === true && !ctx.isSO) {
      throw invalid(K.CKR_ATTRIBUTE_READ_ONLY, `only the SO may set attribute ${hex(type)}`);
    }
  }
  if (ctx.origin === 'create') {
    for (const [type, rule] of rules) {
      if (rule.create === 'required' && !attrs.has(type)) {
        throw invalid(K.CKR_TEMPLATE_INCOMPLETE, `attribute ${hex(type)} is required`);
      }
    }
  }
  for (const [type, rule] of rules) {
    if (attrs.has(type) || rule.default === undefined) continue;
    const value = typeof rule.default === 'function' ? rule.default(attrs) : rule.default;
    if (value !== undefined) attrs.set(type, value);
  }
  const cls = attrs.get(K.CKA_CLASS);
  if (!attrs.has(K.CKA_PRIVATE)) attrs.set(K.CKA_PRIVATE, cls === K.CKO_SECRET_KEY || cls === K.CKO_PRIVATE_KEY);

  if (isKeyClass(cls)) completeKey(attrs, ctx);
  if (cls === K.CKO_CERTIFICATE) checkCertificate(attrs);
  checkConsistency(attrs, ctx.lenientKeyPolicy);
  return attrs;
}

function completeKey(attrs: AttributeMap, ctx: CreationContext): void {
  const cls = attrs.get(K.CKA_CLASS);
  const local = ctx.origin === 'generate';
  attrs.set(K.CKA_LOCAL, local);
  attrs.set(K.CKA_KEY_GEN_MECHANISM, local && ctx.mechanism !== undefined ? ctx.mechanism : K.CK_UNAVAILABLE_INFORMATION);
  if (cls !== K.CKO_PUBLIC_KEY) {
    // A key whose value was ever outside the token was never "always sensitive";
    // a derived key is only as clean as the key it came from.
    const outside = ctx.origin === 'create' || ctx.origin === 'unwrap' || ctx.origin === 'encapsulate';
    const baseSensitive = ctx.base ? ctx.base.get(K.CKA_ALWAYS_SENSITIVE) === true : true;
    const baseNeverExtractable = ctx.base ? ctx.base.get(K.CKA_NEVER_EXTRACTABLE) === true : true;
    attrs.set(K.CKA_ALWAYS_SENSITIVE, !outside && baseSensitive && attrs.get(K.CKA_SENSITIVE) === true);
    attrs.set(K.CKA_NEVER_EXTRACTABLE, !outside && baseNeverExtractable && attrs.get(K.CKA_EXTRACTABLE) === false);
  }
  const keyType = attrs.get(K.CKA_KEY_TYPE) as number;
  if (cls === K.CKO_SECRET_KEY) {
    const value = attrs.get(K.CKA_VALUE);
    if (!Buffer.isBuffer(value) || value.length === 0) throw invalid(K.CKR_ATTRIBUTE_VALUE_INVALID, 'key value must not be empty');
    const sizes = SECRET_KEY_LENGTHS[keyType];
    if (sizes && !sizes.includes(value.length)) throw invalid(K.CKR_ATTRIBUTE_VALUE_INVALID, 'key value has the wrong length');
    if (rulesFor(attrs).has(K.CKA_VALUE_LEN)) attrs.set(K.CKA_VALUE_LEN, value.length);
    applyCheckValue(attrs, keyType, value);
  }
  if (keyType === K.CKK_RSA) {
    const modulus = attrs.get(K.CKA_MODULUS);
    if (!Buffer.isBuffer(modulus) || bitLength(modulus) === 0) throw invalid(K.CKR_ATTRIBUTE_VALUE_INVALID, 'RSA modulus must not be empty');
    const e = attrs.get(K.CKA_PUBLIC_EXPONENT);
    if (!Buffer.isBuffer(e) || bitLength(e) === 0) throw invalid(K.CKR_ATTRIBUTE_VALUE_INVALID, 'RSA public exponent must not be empty');
    if (cls === K.CKO_PUBLIC_KEY) attrs.set(K.CKA_MODULUS_BITS, bitLength(modulus));
  }
  if (keyType === K.CKK_EC || keyType === K.CKK_EC_EDWARDS || keyType === K.CKK_EC_MONTGOMERY) {
    const params = attrs.get(K.CKA_EC_PARAMS);
    // DER: an OBJECT IDENTIFIER, a PrintableString curve name, or explicit parameters.
    if (!Buffer.isBuffer(params) || params.length < 2 || ![0x06, 0x13, 0x30].includes(params[0]!)) {
      throw invalid(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_EC_PARAMS must be DER');
    }
  }
  if (ctx.origin === 'create' || ctx.origin === 'unwrap') IMPORT_CHECKS.get(keyType)?.(attrs);
}

export function bitLength(bigEndian: Buffer): number {
  let i = 0;
  while (i < bigEndian.length && bigEndian[i] === 0) i++;
  if (i === bigEndian.length) return 0;
  return (bigEndian.length - i - 1) * 8 + (32 - Math.clz32(bigEndian[i]!));
}

/** The spec's certificate check value: the first 3 bytes of the SHA-1 of CKA_VALUE. */
function certificateCheckValue(value: Buffer): Buffer {
  return createHash('sha1').update(value).digest().subarray(0, 3);
}

function checkCertificate(attrs: AttributeMap): void {
  const value = attrs.get(K.CKA_VALUE) as Buffer;
  const url = attrs.get(K.CKA_URL) as Buffer;
  if (value.length === 0 && url.length === 0) {
    throw invalid(K.CKR_TEMPLATE_INCONSISTENT, 'a certificate needs CKA_VALUE or CKA_URL');
  }
  if (value.length === 0) return;
  const check = certificateCheckValue(value);
  const given = attrs.get(K.CKA_CHECK_VALUE);
  if (given !== undefined && !valuesEqual(given, check)) throw invalid(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_CHECK_VALUE does not match CKA_VALUE');
  attrs.set(K.CKA_CHECK_VALUE, check);
}

/** Rules that span attributes: the attack-resistant usage combinations. */
export function checkConsistency(attrs: AttributeMap, lenientKeyPolicy = false): void {
  if (!isKeyClass(attrs.get(K.CKA_CLASS)) || lenientKeyPolicy) return;
  const on = (t: number) => attrs.get(t) === true;
  if ((on(K.CKA_WRAP) || on(K.CKA_UNWRAP)) && (on(K.CKA_ENCRYPT) || on(K.CKA_DECRYPT))) {
    throw invalid(K.CKR_TEMPLATE_INCONSISTENT, 'a key may not both wrap keys and encrypt data');
  }
}

/**
 * Checks changes to an existing object (C_SetAttributeValue, or the template
 * of C_CopyObject) and returns the attribute set after them.
 */
export function applyChanges(
  current: AttributeMap, changes: AttributeMap, mode: 'set' | 'copy', isSO: boolean, lenientKeyPolicy = false,
): AttributeMap {
  const rules = rulesFor(current);
  const next: AttributeMap = new Map(current);
  for (const [type, value] of changes) {
    const rule = rules.get(type);
    if (!rule) throw notForThisObject(type);
    const old = current.get(type);
    const change = (mode === 'copy' ? rule.copy : undefined) ?? rule.set;
    const same = old !== undefined && valuesEqual(old, value);
    if (!same) {
      const allowed =
        change === 'free' ||
        (change === 'onlyToTrue' && value === true) ||
        (change === 'onlyToFalse' && value === false);
      if (!allowed) throw invalid(K.CKR_ATTRIBUTE_READ_ONLY, `attribute ${hex(type)} may not change this way`);
    }
    if (rule.soOnlyTrue && value === true && !same && !isSO) {
      throw invalid(K.CKR_ATTRIBUTE_READ_ONLY, `only the SO may set attribute ${hex(type)}`);
    }
    next.set(type, value);
  }
  checkConsistency(next, lenientKeyPolicy);
  return next;
}
