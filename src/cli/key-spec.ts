/**
 * Key specifications of `cryptoki key generate`: aes[:BITS], generic[:BITS],
 * rsa[:BITS], ec:CURVE, ed25519, ed448, x25519, x448, ml-dsa-44|65|87,
 * ml-kem-512|768|1024, slh-dsa-sha2-128s ... — turned into the mechanism and
 * the templates of C_GenerateKey / C_GenerateKeyPair.
 */
import * as K from '../pkcs11/constants.js';
import { CONSTANTS } from '../pkcs11/constants.js';
import { OCTET_CURVES, WEIERSTRASS_CURVES } from '../mechanisms/ec-curves.js';
import type { CK_ATTRIBUTE } from '../pkcs11/types.js';
import { UsageError } from './errors.js';

export interface KeySpec {
  /** The spec as the user would write it, normalised ("ec:P-256", "rsa:3072"). */
  name: string;
  mechanism: number;
  pair: boolean;
  /** Attributes of the public (pair) or secret key that fix the key's kind and size. */
  publicAttrs: CK_ATTRIBUTE[];
  /** The usage a key of this kind gets when --usage is not given. */
  defaultUsage: string[];
  /** Usage words this kind of key can have. */
  possibleUsage: string[];
  /** Slow enough to show progress for. */
  slow: boolean;
}

const SIGN = ['sign', 'verify'];
const CIPHER = ['encrypt', 'decrypt'];
const WRAP = ['wrap', 'unwrap'];

/** The parameter sets of a family by the names people write: "ml-dsa-65", "slh-dsa-sha2-128s". */
function parameterSets(prefix: string): Map<string, number> {
  const sets = new Map<string, number>();
  for (const [name, value] of Object.entries(CONSTANTS)) {
    if (name.startsWith(`CKP_${prefix}_`)) sets.set(name.slice(4).toLowerCase().replace(/_/g, '-'), value);
  }
  return sets;
}
const PQC = [
  { prefix: 'ML_DSA', mechanism: K.CKM_ML_DSA_KEY_PAIR_GEN, usage: SIGN, possible: SIGN },
  { prefix: 'SLH_DSA', mechanism: K.CKM_SLH_DSA_KEY_PAIR_GEN, usage: SIGN, possible: SIGN },
  { prefix: 'ML_KEM', mechanism: K.CKM_ML_KEM_KEY_PAIR_GEN, usage: ['encapsulate', 'decapsulate'], possible: ['encapsulate', 'decapsulate'] },
].map((f) => ({ ...f, sets: parameterSets(f.prefix) }));

function bitsOf(arg: string | undefined, fallback: number, what: string): number {
  if (arg === undefined || arg === '') return fallback;
  if (!/^\d+$/.test(arg)) throw new UsageError(`${what}: the size must be a number of bits`);
  return Number(arg);
}

/** Every curve name that ec: accepts, for help and errors. */
export function curveNames(): string[] {
  return WEIERSTRASS_CURVES.map((c) => c.name);
}

/** All key spec forms, for --help. */
export function keySpecForms(): string[] {
  return [
    'aes[:128|192|256]', 'generic[:BITS]', 'rsa[:BITS] (default 2048)', `ec:CURVE (${curveNames().join(', ')})`,
    'ed25519', 'ed448', 'x25519', 'x448', ...PQC.map((f) => [...f.sets.keys()].join(', ')),
  ];
}

export function parseKeySpec(text: string): KeySpec {
  const spec = text.trim().toLowerCase();
  const [family, arg] = spec.split(':', 2) as [string, string | undefined];
  const secret = (mechanism: number, name: string, bits: number, usage: string[], possible: string[]): KeySpec => {
    if (bits % 8 !== 0 || bits === 0) throw new UsageError(`${text}: the size must be a whole number of bytes, in bits (e.g. 256)`);
    return { name: `${name}:${bits}`, mechanism, pair: false, publicAttrs: [{ type: K.CKA_VALUE_LEN, value: bits / 8 }], defaultUsage: usage, possibleUsage: possible, slow: false };
  };
  switch (family) {
    case 'aes':
      return secret(K.CKM_AES_KEY_GEN, 'aes', bitsOf(arg, 256, text), CIPHER, [...CIPHER, ...WRAP, ...SIGN, 'derive']);
    case 'generic':
    case 'generic-secret':
    case 'hmac':
      return secret(K.CKM_GENERIC_SECRET_KEY_GEN, 'generic', bitsOf(arg, 256, text), [...SIGN, 'derive'], [...SIGN, 'derive']);
    case 'rsa': {
      const bits = bitsOf(arg, 2048, text);
      return {
        name: `rsa:${bits}`, mechanism: K.CKM_RSA_PKCS_KEY_PAIR_GEN, pair: true,
        publicAttrs: [{ type: K.CKA_MODULUS_BITS, value: bits }, { type: K.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }],
        defaultUsage: [...SIGN, ...CIPHER], possibleUsage: [...SIGN, ...CIPHER, ...WRAP, 'sign-recover', 'verify-recover'], slow: bits >= 3072,
      };
    }
    case 'ec': {
      if (!arg) throw new UsageError(`ec needs a curve: ec:CURVE, CURVE one of ${curveNames().join(', ')}`);
      const curve = WEIERSTRASS_CURVES.find((c) => c.names.some((n) => n.toLowerCase() === arg) || c.name.toLowerCase() === arg);
      if (!curve) throw new UsageError(`unknown curve "${arg}": use one of ${curveNames().join(', ')}`);
      return {
        name: `ec:${curve.name}`, mechanism: K.CKM_EC_KEY_PAIR_GEN, pair: true, publicAttrs: [{ type: K.CKA_EC_PARAMS, value: curve.oid }],
        defaultUsage: SIGN, possibleUsage: [...SIGN, 'derive'], slow: false,
      };
    }
  }
  const octet = OCTET_CURVES.find((c) => c.name.toLowerCase() === spec);
  if (octet) {
    const edwards = octet.kind === 'edwards';
    return {
      name: octet.name.toLowerCase(), mechanism: edwards ? K.CKM_EC_EDWARDS_KEY_PAIR_GEN : K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN, pair: true,
      publicAttrs: [{ type: K.CKA_EC_PARAMS, value: octet.oid }],
      defaultUsage: edwards ? SIGN : ['derive'], possibleUsage: edwards ? SIGN : ['derive'], slow: false,
    };
  }
  for (const f of PQC) {
    const set = f.sets.get(spec);
    if (set !== undefined) {
      return {
        name: spec, mechanism: f.mechanism, pair: true, publicAttrs: [{ type: K.CKA_PARAMETER_SET, value: set }],
        defaultUsage: f.usage, possibleUsage: f.possible, slow: f.prefix === 'SLH_DSA',
      };
    }
  }
  throw new UsageError(`unknown key specification "${text}": use one of ${keySpecForms().join('; ')}`);
}

/** The usage attributes each kind of object gets, false unless chosen (the token's defaults are generous). */
const PUBLIC_USAGE = ['encrypt', 'verify', 'verify-recover', 'wrap'];
const PRIVATE_USAGE = ['decrypt', 'sign', 'sign-recover', 'unwrap', 'derive'];
const SECRET_USAGE = ['encrypt', 'decrypt', 'sign', 'verify', 'wrap', 'unwrap', 'derive'];

/** The usage attributes for each half (or the one secret key), true for the words chosen and false for the others. */
export function usageTemplates(spec: KeySpec, words: string[], usageAttr: Record<string, number>): { pub: CK_ATTRIBUTE[]; priv: CK_ATTRIBUTE[] } {
  for (const w of words) {
    if (!(w in usageAttr)) throw new UsageError(`unknown usage "${w}": use ${Object.keys(usageAttr).join(', ')}`);
    if (!spec.possibleUsage.includes(w)) throw new UsageError(`a ${spec.name} key cannot ${w}: it can ${spec.possibleUsage.join(', ')}`);
  }
  const kem = spec.possibleUsage.includes('encapsulate');
  const attrs = (list: string[]) => list.map((w) => ({ type: usageAttr[w]!, value: words.includes(w) }));
  if (!spec.pair) return { pub: attrs(SECRET_USAGE), priv: [] };
  return { pub: attrs(kem ? [...PUBLIC_USAGE, 'encapsulate'] : PUBLIC_USAGE), priv: attrs(kem ? [...PRIVATE_USAGE, 'decapsulate'] : PRIVATE_USAGE) };
}
