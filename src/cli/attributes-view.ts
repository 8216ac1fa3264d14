/**
 * An object's attributes as people and programs read them: names instead of
 * numbers (CKO_, CKK_, CKM_, CKC_, CKP_), curve names, modulus sizes, usage
 * flags, dates, and SHA-256 fingerprints of public keys and certificates.
 * Key material is never read here.
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CONSTANTS } from '../pkcs11/constants.js';
import { attributeKind } from '../pkcs11/attributes.js';
import { attributeName, constantName, keyTypeName, mechanismName, objectClassName } from '../pkcs11/names.js';
import type { Cryptoki } from '../core/cryptoki.js';
import type { CK_ATTRIBUTE } from '../pkcs11/types.js';
import { curveOfParams } from '../mechanisms/ec-curves.js';
import { formatUri, type Pkcs11Uri, type UriObjectType } from './uri.js';

/** What list and show ask for. Values of keys (CKA_VALUE, private exponents...) are not among them. */
const SHOWN = [
  K.CKA_CLASS, K.CKA_KEY_TYPE, K.CKA_CERTIFICATE_TYPE, K.CKA_LABEL, K.CKA_ID, K.CKA_UNIQUE_ID,
  K.CKA_TOKEN, K.CKA_PRIVATE, K.CKA_MODIFIABLE, K.CKA_COPYABLE, K.CKA_DESTROYABLE,
  K.CKA_SENSITIVE, K.CKA_EXTRACTABLE, K.CKA_ALWAYS_SENSITIVE, K.CKA_NEVER_EXTRACTABLE, K.CKA_LOCAL,
  K.CKA_ALWAYS_AUTHENTICATE, K.CKA_TRUSTED, K.CKA_WRAP_WITH_TRUSTED,
  K.CKA_ENCRYPT, K.CKA_DECRYPT, K.CKA_SIGN, K.CKA_SIGN_RECOVER, K.CKA_VERIFY, K.CKA_VERIFY_RECOVER,
  K.CKA_WRAP, K.CKA_UNWRAP, K.CKA_DERIVE, K.CKA_ENCAPSULATE, K.CKA_DECAPSULATE,
  K.CKA_START_DATE, K.CKA_END_DATE, K.CKA_KEY_GEN_MECHANISM,
  K.CKA_MODULUS_BITS, K.CKA_PUBLIC_EXPONENT, K.CKA_EC_PARAMS, K.CKA_PARAMETER_SET, K.CKA_VALUE_LEN,
  K.CKA_PUBLIC_KEY_INFO, K.CKA_SUBJECT, K.CKA_ISSUER, K.CKA_SERIAL_NUMBER, K.CKA_CERTIFICATE_CATEGORY,
  K.CKA_CHECK_VALUE, K.CKA_APPLICATION, K.CKA_OBJECT_ID,
];

/** The usage attributes, by the word the command uses for each. */
export const USAGE: Record<string, number> = {
  encrypt: K.CKA_ENCRYPT, decrypt: K.CKA_DECRYPT, sign: K.CKA_SIGN, verify: K.CKA_VERIFY,
  'sign-recover': K.CKA_SIGN_RECOVER, 'verify-recover': K.CKA_VERIFY_RECOVER, wrap: K.CKA_WRAP, unwrap: K.CKA_UNWRAP,
  derive: K.CKA_DERIVE, encapsulate: K.CKA_ENCAPSULATE, decapsulate: K.CKA_DECAPSULATE,
};

/** Reads what is there of `types`; absent and hidden attributes are left out. */
export function readAttributes(p11: Cryptoki, session: number, handle: number, types: number[]): Map<number, unknown> {
  const template: CK_ATTRIBUTE[] = types.map((type) => ({ type }));
  try {
    p11.C_GetAttributeValue(session, handle, template);
  } catch {
    // Unknown or sensitive attributes are marked unavailable; the rest are filled in.
  }
  const out = new Map<number, unknown>();
  for (const a of template) if (a.ulValueLen !== K.CK_UNAVAILABLE_INFORMATION && a.value !== undefined) out.set(a.type, a.value);
  return out;
}

export const URI_TYPE_OF_CLASS: Record<number, UriObjectType> = {
  [K.CKO_PUBLIC_KEY]: 'public', [K.CKO_PRIVATE_KEY]: 'private', [K.CKO_CERTIFICATE]: 'cert',
  [K.CKO_SECRET_KEY]: 'secret-key', [K.CKO_DATA]: 'data',
};

export interface ObjectView {
  uri: string;
  class: string;
  type: UriObjectType | 'other';
  label: string;
  id: string;
  keyType?: string;
  /** e.g. "EC P-256", "RSA 2048", "AES 256", "ML-DSA-65", "X.509". */
  kind: string;
  curve?: string;
  modulusBits?: number;
  parameterSet?: string;
  valueBits?: number;
  usage: string[];
  fingerprint?: string;
  subject?: string;
  issuer?: string;
  notBefore?: string;
  notAfter?: string;
  /** Every attribute read, by name, decoded. */
  attributes: Record<string, unknown>;
}

const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

function curveName(params: Buffer): string {
  try {
    return curveOfParams(params).name;
  } catch {
    return 'unknown curve ' + params.toString('hex');
  }
}

function decodeDate(b: Buffer): string {
  const s = b.toString('latin1');
  return s.length === 8 ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}` : '';
}

/** One attribute value in readable form. */
export function decodeAttribute(type: number, value: unknown): unknown {
  switch (type) {
    case K.CKA_CLASS: return objectClassName(value as number);
    case K.CKA_KEY_TYPE: return keyTypeName(value as number);
    case K.CKA_KEY_GEN_MECHANISM: return value === K.CK_UNAVAILABLE_INFORMATION ? 'unavailable' : mechanismName(value as number);
    case K.CKA_CERTIFICATE_TYPE: return constantName('CKC', value as number) ?? value;
    case K.CKA_EC_PARAMS: return curveName(value as Buffer);
    case K.CKA_PUBLIC_KEY_INFO: return (value as Buffer).length ? sha256(value as Buffer) : '';
  }
  switch (attributeKind(type)) {
    case 'utf8': return (value as Buffer).toString('utf8');
    case 'date': return decodeDate(value as Buffer);
    case 'bytes': return (value as Buffer).toString('hex');
    default: return value;
  }
}

/** A readable view of one object, with its URI. */
export function viewObject(p11: Cryptoki, session: number, handle: number, token: Pkcs11Uri): ObjectView {
  const a = readAttributes(p11, session, handle, SHOWN);
  const cls = a.get(K.CKA_CLASS) as number;
  const type: UriObjectType | 'other' = (URI_TYPE_OF_CLASS[cls] as UriObjectType | undefined) ?? 'other';
  const label = ((a.get(K.CKA_LABEL) as Buffer | undefined) ?? Buffer.alloc(0)).toString('utf8');
  const id = (a.get(K.CKA_ID) as Buffer | undefined) ?? Buffer.alloc(0);
  const uriParts: Pkcs11Uri = { ...token, id };
  if (label) uriParts.object = label;
  if (type !== 'other') uriParts.type = type;
  const attributes: Record<string, unknown> = {};
  for (const [t, v] of a) attributes[attributeName(t)] = decodeAttribute(t, v);
  const view: ObjectView = {
    uri: '', class: objectClassName(cls), type, label, id: id.toString('hex'), kind: '', usage: [], attributes,
  };
  view.uri = formatUri(uriParts);
  for (const [word, attr] of Object.entries(USAGE)) if (a.get(attr) === true) view.usage.push(word);
  describeKey(p11, session, handle, a, view);
  if (cls === K.CKO_CERTIFICATE) describeCertificate(p11, session, handle, view);
  return view;
}

function describeKey(p11: Cryptoki, session: number, handle: number, a: Map<number, unknown>, view: ObjectView): void {
  const keyType = a.get(K.CKA_KEY_TYPE) as number | undefined;
  if (keyType === undefined) return;
  view.keyType = keyTypeName(keyType);
  const family = view.keyType.replace(/^CKK_/, '');
  const params = a.get(K.CKA_EC_PARAMS) as Buffer | undefined;
  if (params) view.curve = curveName(params);
  let bits = a.get(K.CKA_MODULUS_BITS) as number | undefined;
  if (keyType === K.CKK_RSA && bits === undefined) {
    const modulus = readAttributes(p11, session, handle, [K.CKA_MODULUS]).get(K.CKA_MODULUS) as Buffer | undefined;
    if (modulus) bits = modulusBits(modulus);
  }
  if (bits !== undefined) view.modulusBits = bits;
  const set = a.get(K.CKA_PARAMETER_SET) as number | undefined;
  if (set !== undefined) {
    view.parameterSet = parameterSetName(family, set);
    view.attributes.CKA_PARAMETER_SET = `CKP_${view.parameterSet.replace(/-/g, '_')}`;
  }
  const len = a.get(K.CKA_VALUE_LEN) as number | undefined;
  if (len !== undefined) view.valueBits = len * 8;
  const info = a.get(K.CKA_PUBLIC_KEY_INFO) as Buffer | undefined;
  if (info && info.length) view.fingerprint = sha256(info);
  const size = view.curve ?? view.parameterSet ?? (bits ?? view.valueBits)?.toString();
  view.kind = view.parameterSet ?? (size ? `${family} ${size}` : family);
}

/** CKP_ values repeat across families (profiles, PBKDF2 PRFs...): the name is looked up within the key's family. */
function parameterSetName(family: string, value: number): string {
  const name = Object.entries(CONSTANTS).find(([n, v]) => v === value && n.startsWith(`CKP_${family}_`))?.[0];
  return (name ?? `CKP_${family}_0x${value.toString(16)}`).replace(/^CKP_/, '').replace(/_/g, '-');
}

function modulusBits(modulus: Buffer): number {
  let i = 0;
  while (i < modulus.length && modulus[i] === 0) i++;
  return i === modulus.length ? 0 : (modulus.length - i - 1) * 8 + modulus[i]!.toString(2).length;
}

function describeCertificate(p11: Cryptoki, session: number, handle: number, view: ObjectView): void {
  view.kind = 'X.509';
  const der = readAttributes(p11, session, handle, [K.CKA_VALUE]).get(K.CKA_VALUE) as Buffer | undefined;
  if (!der || der.length === 0) return;
  view.fingerprint = sha256(der);
  try {
    const cert = new X509Certificate(der);
    view.subject = cert.subject.replace(/\n/g, ', ');
    view.issuer = cert.issuer.replace(/\n/g, ', ');
    view.notBefore = new Date(cert.validFrom).toISOString();
    view.notAfter = new Date(cert.validTo).toISOString();
  } catch {
    // Not a certificate OpenSSL reads: the fingerprint is all there is to show.
  }
}
