/**
 * Key management (spec 5.18): generation, wrapping, unwrapping, derivation and
 * key encapsulation. The defences against the published PKCS#11 API attacks
 * live here: wrapping honours CKA_EXTRACTABLE, CKA_WRAP_WITH_TRUSTED and
 * CKA_WRAP_TEMPLATE and never wraps under a weaker key; unwrapped keys are
 * sensitive and unextractable unless the unwrapping key's template says
 * otherwise, so a key cannot be re-imported with weaker attributes.
 */
import * as K from '../../pkcs11/constants.js';
import { CKRError } from '../../pkcs11/error.js';
import { normalizeTemplate, valuesEqual, type AttributeMap, type StoredAttribute } from '../../pkcs11/attributes.js';
import type { CK_ATTRIBUTE, CK_MECHANISM } from '../../pkcs11/types.js';
import { mechanismFor } from '../../mechanisms/index.js';
import { privateKeyFromPkcs8, privateKeyToPkcs8 } from '../../mechanisms/key-codec.js';
import type { Application, Session } from '../application.js';
import { keyStrength } from '../key-strength.js';
import { completeNewObject, type CreationContext } from '../object-policy.js';
import { checkMayHold } from './objects.js';
import { deliverSized } from '../output.js';
import { usableKey } from './crypto.js';

function templateArg(template: CK_ATTRIBUTE[] | undefined): AttributeMap {
  return normalizeTemplate(template ?? []);
}

function isSO(app: Application, s: Session): boolean {
  return app.loginOf(s.tokenId)?.role === 'so';
}

/** Completes and checks a new key; nothing is stored yet. */
function prepareKey(app: Application, s: Session, template: AttributeMap, ctx: Omit<CreationContext, 'isSO'>): AttributeMap {
  if (template.get(K.CKA_TOKEN) === true && !s.rw) throw new CKRError(K.CKR_SESSION_READ_ONLY);
  const attrs = completeNewObject(template, { ...ctx, isSO: isSO(app, s), lenientKeyPolicy: app.lenientKeyPolicy });
  checkMayHold(app, s, attrs);
  return attrs;
}

/** Applies a key's CKA_*_TEMPLATE to a creation template; a contradiction is CKR_TEMPLATE_INCONSISTENT. */
function withKeyTemplate(template: AttributeMap, imposed: unknown): AttributeMap {
  const merged: AttributeMap = new Map(template);
  for (const { type, value } of (Array.isArray(imposed) ? imposed : []) as StoredAttribute[]) {
    const asked = template.get(type);
    if (asked !== undefined && !valuesEqual(asked, value)) {
      throw new CKRError(K.CKR_TEMPLATE_INCONSISTENT, 'the template contradicts the key\'s template');
    }
    merged.set(type, value);
  }
  return merged;
}

function defaultClass(template: AttributeMap, cls: number): AttributeMap {
  const given = template.get(K.CKA_CLASS);
  if (given !== undefined && given !== cls) throw new CKRError(K.CKR_TEMPLATE_INCONSISTENT, 'wrong object class for this function');
  const out: AttributeMap = new Map(template);
  out.set(K.CKA_CLASS, cls);
  return out;
}

export function generateKey(app: Application, hSession: number, mechanism: CK_MECHANISM, template: CK_ATTRIBUTE[]): number {
  const s = app.session(hSession);
  const m = mechanismFor(mechanism, 'generateKey');
  const t = defaultClass(templateArg(template), K.CKO_SECRET_KEY);
  if (t.get(K.CKA_TOKEN) === true && !s.rw) throw new CKRError(K.CKR_SESSION_READ_ONLY);
  const computed = m.generateKey(mechanism.parameter, t);
  const attrs = prepareKey(app, s, t, { origin: 'generate', mechanism: m.type, computed });
  return app.objects.create(s, attrs);
}

export function generateKeyPair(
  app: Application, hSession: number, mechanism: CK_MECHANISM, publicTemplate: CK_ATTRIBUTE[], privateTemplate: CK_ATTRIBUTE[],
): [number, number] {
  const s = app.session(hSession);
  const m = mechanismFor(mechanism, 'generateKeyPair');
  const pubT = defaultClass(templateArg(publicTemplate), K.CKO_PUBLIC_KEY);
  const privT = defaultClass(templateArg(privateTemplate), K.CKO_PRIVATE_KEY);
  for (const t of [pubT, privT]) if (t.get(K.CKA_TOKEN) === true && !s.rw) throw new CKRError(K.CKR_SESSION_READ_ONLY);
  const pair = m.generateKeyPair(mechanism.parameter, pubT, privT);
  const pub = prepareKey(app, s, pubT, { origin: 'generate', mechanism: m.type, computed: pair.publicKey });
  const priv = prepareKey(app, s, privT, { origin: 'generate', mechanism: m.type, computed: pair.privateKey });
  const hPublic = app.objects.create(s, pub);
  try {
    return [hPublic, app.objects.create(s, priv)];
  } catch (e) {
    app.objects.destroy(app.objects.get(s, hPublic));
    throw e;
  }
}

/** The bytes a key is wrapped as: a secret key's value, a private key's PKCS#8. */
function keyBytes(attrs: AttributeMap): Buffer {
  const cls = attrs.get(K.CKA_CLASS);
  if (cls === K.CKO_SECRET_KEY) return attrs.get(K.CKA_VALUE) as Buffer;
  if (cls === K.CKO_PRIVATE_KEY) return privateKeyToPkcs8(attrs);
  throw new CKRError(K.CKR_KEY_NOT_WRAPPABLE);
}

function matchesTemplate(attrs: AttributeMap, template: unknown): boolean {
  if (!Array.isArray(template)) return true;
  return (template as StoredAttribute[]).every(({ type, value }) => {
    const have = attrs.get(type);
    return have !== undefined && valuesEqual(have, value);
  });
}

/**
 * A wrapping key must be as strong as the key it wraps, or at least as strong
 * as NIST's current minimum (SP 800-131A: 112 bits), beyond which a brute-force
 * attack on the wrapping key is out of reach anyway. So RSA-2048 may wrap an
 * AES-256 key, but an 80-bit key never wraps anything stronger than itself.
 */
const ACCEPTABLE_STRENGTH = 112;

/** The spec has codes of its own for the wrapping and unwrapping key. */
const WRAPPING_CODES = new Map([
  [K.CKR_KEY_HANDLE_INVALID, K.CKR_WRAPPING_KEY_HANDLE_INVALID],
  [K.CKR_KEY_TYPE_INCONSISTENT, K.CKR_WRAPPING_KEY_TYPE_INCONSISTENT],
  [K.CKR_KEY_SIZE_RANGE, K.CKR_WRAPPING_KEY_SIZE_RANGE],
]);
const UNWRAPPING_CODES = new Map([
  [K.CKR_KEY_HANDLE_INVALID, K.CKR_UNWRAPPING_KEY_HANDLE_INVALID],
  [K.CKR_KEY_TYPE_INCONSISTENT, K.CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT],
  [K.CKR_KEY_SIZE_RANGE, K.CKR_UNWRAPPING_KEY_SIZE_RANGE],
]);

function wrappingKey<T>(find: () => T, codes: Map<number, number>): T {
  try {
    return find();
  } catch (e) {
    const code = e instanceof CKRError ? codes.get(e.code) : undefined;
    throw code === undefined ? e : new CKRError(code);
  }
}

export function wrapKey(
  app: Application, hSession: number, mechanism: CK_MECHANISM, hWrappingKey: number, hKey: number, out?: Buffer | null,
): Buffer | number {
  const s = app.session(hSession);
  const m = mechanismFor(mechanism, 'wrap');
  const wrapping = wrappingKey(() => usableKey(app, s, hWrappingKey, m, 'wrap'), WRAPPING_CODES);
  const key = app.objects.getKey(s, hKey);
  if (key.locked) throw new CKRError(K.CKR_USER_NOT_LOGGED_IN);
  if (key.attrs.get(K.CKA_EXTRACTABLE) !== true) throw new CKRError(K.CKR_KEY_UNEXTRACTABLE);
  if (key.attrs.get(K.CKA_WRAP_WITH_TRUSTED) === true && wrapping.attrs.get(K.CKA_TRUSTED) !== true) {
    throw new CKRError(K.CKR_KEY_NOT_WRAPPABLE, 'this key may only be wrapped by a trusted key');
  }
  if (!matchesTemplate(key.attrs, wrapping.attrs.get(K.CKA_WRAP_TEMPLATE))) {
    throw new CKRError(K.CKR_KEY_NOT_WRAPPABLE, 'the key does not match the wrapping key\'s template');
  }
  if (keyStrength(wrapping.attrs) < Math.min(keyStrength(key.attrs), ACCEPTABLE_STRENGTH)) {
    throw new CKRError(K.CKR_WRAPPING_KEY_SIZE_RANGE, 'a key is never wrapped under a weaker one');
  }
  // Wrapping has no side effects, so a length query may simply do it.
  const wrapped = m.wrap({ attrs: wrapping.attrs }, mechanism.parameter, keyBytes(key.attrs));
  return deliverSized(wrapped.length, out, () => wrapped);
}

/**
 * Unwrapped keys default to sensitive and unextractable, and may only be made
 * less so when the unwrapping key's own CKA_UNWRAP_TEMPLATE says so: otherwise
 * wrapping a sensitive key and unwrapping it as non-sensitive would reveal it.
 */
function unwrapDefaults(template: AttributeMap, imposedByKey: AttributeMap, lenient: boolean): AttributeMap {
  const t: AttributeMap = new Map(template);
  // SoftHSM's rule (CryptokiOptions.lenientKeyPolicy): the template decides.
  if (lenient) return t;
  for (const [type, safe] of [[K.CKA_SENSITIVE, true], [K.CKA_EXTRACTABLE, false]] as const) {
    const asked = t.get(type);
    if (asked === undefined) t.set(type, imposedByKey.get(type) ?? safe);
    else if (asked !== safe && imposedByKey.get(type) !== asked) {
      throw new CKRError(K.CKR_TEMPLATE_INCONSISTENT, 'an unwrapped key is sensitive and unextractable unless the unwrapping key allows otherwise');
    }
  }
  return t;
}

export function unwrapKey(
  app: Application, hSession: number, mechanism: CK_MECHANISM, hUnwrappingKey: number, wrapped: Uint8Array, template: CK_ATTRIBUTE[],
): number {
  const s = app.session(hSession);
  const m = mechanismFor(mechanism, 'unwrap');
  const unwrapping = wrappingKey(() => usableKey(app, s, hUnwrappingKey, m, 'unwrap'), UNWRAPPING_CODES);
  if (!(wrapped instanceof Uint8Array)) throw new CKRError(K.CKR_ARGUMENTS_BAD);
  const imposed = normalizeTemplateFromStored(unwrapping.attrs.get(K.CKA_UNWRAP_TEMPLATE));
  const t = unwrapDefaults(withKeyTemplate(templateArg(template), unwrapping.attrs.get(K.CKA_UNWRAP_TEMPLATE)), imposed, app.lenientKeyPolicy);
  const cls = t.get(K.CKA_CLASS);
  if (cls === undefined) throw new CKRError(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_CLASS is required');
  if (t.get(K.CKA_TOKEN) === true && !s.rw) throw new CKRError(K.CKR_SESSION_READ_ONLY);
  // Every way the wrapped bytes can be wrong is one answer, so unwrapping is no padding oracle.
  let plain: Buffer;
  try {
    plain = m.unwrap({ attrs: unwrapping.attrs }, mechanism.parameter, Buffer.from(wrapped));
  } catch (e) {
    if (e instanceof CKRError && (e.code === K.CKR_MECHANISM_PARAM_INVALID || e.code === K.CKR_WRAPPED_KEY_LEN_RANGE)) throw e;
    throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
  }
  let computed: AttributeMap;
  if (cls === K.CKO_SECRET_KEY) {
    // Mechanisms that pad (ECB, CBC, KW) leave the length to the template's CKA_VALUE_LEN.
    const length = t.get(K.CKA_VALUE_LEN);
    if (length !== undefined) {
      if (typeof length !== 'number' || length < 1 || length > plain.length) throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
      plain = plain.subarray(0, length);
      t.delete(K.CKA_VALUE_LEN);
    }
    computed = new Map([[K.CKA_VALUE, plain]]);
  } else if (cls === K.CKO_PRIVATE_KEY) {
    computed = privateKeyFromPkcs8(plain);
  } else {
    throw new CKRError(K.CKR_TEMPLATE_INCONSISTENT, 'only secret and private keys can be unwrapped');
  }
  let attrs: AttributeMap;
  try {
    attrs = prepareKey(app, s, t, { origin: 'unwrap', computed });
  } catch (e) {
    // The unwrapped bytes decide whether the key material is acceptable (its length after
    // CBC_PAD padding, DES parity, an RSA key's consistency): answering that differently
    // from a bad padding would make unwrapping a padding oracle again.
    if (e instanceof CKRError && e.code === K.CKR_ATTRIBUTE_VALUE_INVALID) throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
    throw e;
  }
  return app.objects.create(s, attrs);
}

function normalizeTemplateFromStored(stored: unknown): AttributeMap {
  const map: AttributeMap = new Map();
  for (const { type, value } of (Array.isArray(stored) ? stored : []) as StoredAttribute[]) map.set(type, value);
  return map;
}

export function deriveKey(app: Application, hSession: number, mechanism: CK_MECHANISM, hBaseKey: number, template: CK_ATTRIBUTE[]): number {
  const s = app.session(hSession);
  const m = mechanismFor(mechanism, 'derive');
  const base = usableKey(app, s, hBaseKey, m, 'derive');
  const completeTemplate = (t: AttributeMap) =>
    defaultClass(withKeyTemplate(t, base.attrs.get(K.CKA_DERIVE_TEMPLATE)), m.derivesData ? K.CKO_DATA : K.CKO_SECRET_KEY);
  const t = completeTemplate(templateArg(template));
  if (t.get(K.CKA_TOKEN) === true && !s.rw) throw new CKRError(K.CKR_SESSION_READ_ONLY);
  // Every key that feeds the derivation; the new keys are only as clean as all of them.
  const sources: AttributeMap[] = [base.attrs];
  const otherKey = (handle: unknown) => {
    if (typeof handle !== 'number' || !Number.isInteger(handle)) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'a key handle is expected');
    const key = app.objects.getKey(s, handle);
    if (key.locked) throw new CKRError(K.CKR_USER_NOT_LOGGED_IN);
    if (key.attrs.get(K.CKA_CLASS) !== K.CKO_SECRET_KEY) throw new CKRError(K.CKR_KEY_TYPE_INCONSISTENT);
    if (key.attrs.get(K.CKA_DERIVE) !== true) throw new CKRError(K.CKR_KEY_FUNCTION_NOT_PERMITTED);
    sources.push(key.attrs);
    return { attrs: key.attrs };
  };
  const parameterTemplate = (raw: unknown) => {
    if (!Array.isArray(raw)) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'a template is expected');
    return completeTemplate(templateArg(raw as CK_ATTRIBUTE[]));
  };
  const result = m.derive({ attrs: base.attrs }, mechanism.parameter, t, otherKey, parameterTemplate);
  const { key: computed, additional } = result instanceof Map ? { key: result, additional: [] } : result;
  // A data object has no CKA_VALUE_LEN: the template only used it to ask for the length.
  if (m.derivesData) t.delete(K.CKA_VALUE_LEN);
  const lineage = lineageOf(sources);
  const attrs = prepareKey(app, s, t, { origin: 'derive', computed, base: lineage });
  const more = additional.map((k) => {
    try {
      return prepareKey(app, s, k.template, { origin: 'derive', computed: k.computed, base: lineage });
    } catch (err) {
      k.deliver(K.CK_INVALID_HANDLE);
      throw err;
    }
  });
  // All the keys or none (spec, "Deriving Additional Keys").
  const created: number[] = [];
  try {
    for (const a of [attrs, ...more]) created.push(app.objects.create(s, a));
  } catch (err) {
    for (const h of created) app.objects.destroy(app.objects.get(s, h));
    throw err;
  }
  additional.forEach((k, i) => k.deliver(created[i + 1]!));
  return created[0]!;
}

/**
 * The history that keys derived from `sources` inherit: always sensitive and
 * never extractable only if every source key is.
 */
function lineageOf(sources: AttributeMap[]): AttributeMap {
  return new Map([
    [K.CKA_ALWAYS_SENSITIVE, sources.every((a) => a.get(K.CKA_ALWAYS_SENSITIVE) === true)],
    [K.CKA_NEVER_EXTRACTABLE, sources.every((a) => a.get(K.CKA_NEVER_EXTRACTABLE) === true)],
  ]);
}

/**
 * The shared secret becomes a secret key; CKA_VALUE_LEN, if asked, takes its
 * first bytes. Returns the template without CKA_VALUE_LEN (the core sets it)
 * and the computed value. Unlike other secret keys, a KEM's key is extractable
 * unless the template says otherwise (spec: C_EncapsulateKey, C_DecapsulateKey).
 */
function secretKeyFrom(secret: Buffer, template: AttributeMap): [AttributeMap, AttributeMap] {
  const want = template.get(K.CKA_VALUE_LEN);
  if (want !== undefined && (typeof want !== 'number' || want < 1 || want > secret.length)) {
    throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_VALUE_LEN is longer than the shared secret');
  }
  const rest: AttributeMap = new Map(template);
  rest.delete(K.CKA_VALUE_LEN);
  if (!rest.has(K.CKA_EXTRACTABLE)) rest.set(K.CKA_EXTRACTABLE, true);
  const value = want === undefined ? secret : secret.subarray(0, want as number);
  return [rest, new Map([[K.CKA_VALUE, Buffer.from(value)]])];
}

export function encapsulateKey(
  app: Application, hSession: number, mechanism: CK_MECHANISM, hPublicKey: number, template: CK_ATTRIBUTE[], out?: Buffer | null,
): { ciphertext: Buffer | number; hKey: number } {
  const s = app.session(hSession);
  const m = mechanismFor(mechanism, 'encapsulate');
  const pub = usableKey(app, s, hPublicKey, m, 'encapsulate');
  const t = defaultClass(withKeyTemplate(templateArg(template), pub.attrs.get(K.CKA_ENCAPSULATE_TEMPLATE)), K.CKO_SECRET_KEY);
  const { ciphertext, secret } = m.encapsulate({ attrs: pub.attrs }, mechanism.parameter);
  if (out === null) return { ciphertext: ciphertext.length, hKey: K.CK_INVALID_HANDLE };
  const [rest, computed] = secretKeyFrom(secret, t);
  const attrs = prepareKey(app, s, rest, { origin: 'encapsulate', computed });
  const delivered = deliverSized(ciphertext.length, out, () => ciphertext);
  return { ciphertext: delivered, hKey: app.objects.create(s, attrs) };
}

export function decapsulateKey(
  app: Application, hSession: number, mechanism: CK_MECHANISM, hPrivateKey: number, template: CK_ATTRIBUTE[], ciphertext: Uint8Array,
): number {
  const s = app.session(hSession);
  const m = mechanismFor(mechanism, 'decapsulate');
  // The spec's return values for C_DecapsulateKey are those of unwrapping: CKR_UNWRAPPING_KEY_*.
  const priv = wrappingKey(() => usableKey(app, s, hPrivateKey, m, 'decapsulate'), UNWRAPPING_CODES);
  if (!(ciphertext instanceof Uint8Array)) throw new CKRError(K.CKR_ARGUMENTS_BAD);
  const t = defaultClass(withKeyTemplate(templateArg(template), priv.attrs.get(K.CKA_DECAPSULATE_TEMPLATE)), K.CKO_SECRET_KEY);
  const secret = m.decapsulate({ attrs: priv.attrs }, mechanism.parameter, Buffer.from(ciphertext));
  const [rest, computed] = secretKeyFrom(secret, t);
  const attrs = prepareKey(app, s, rest, { origin: 'encapsulate', computed });
  return app.objects.create(s, attrs);
}
