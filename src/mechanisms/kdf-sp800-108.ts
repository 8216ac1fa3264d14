/**
 * NIST SP 800-108 key derivation in counter, feedback and double-pipeline mode
 * (spec "SP800-108 Key Derivation"), with HMAC or CMAC as the PRF. The PRF
 * input is the CK_PRF_DATA_PARAM list in order, each entry becoming bytes.
 *
 * Data of type CK_SP800_108_KEY_HANDLE puts another key's value into the PRF
 * input; additional derived keys (pAdditionalDerivedKeys) each take whole PRF
 * blocks after the primary key's, and their handles are written into the
 * caller's CK_DERIVED_KEY entries (phKey), as C writes through the pointer.
 */
import { createCipheriv, createHmac } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { AesCmac } from './cmac.js';
import { MAX_SECRET_KEY_BYTES } from './generic-secret.js';
import { HMAC_ALGORITHMS } from './hmac.js';
import { baseKeyValue, bytesField, derivedKeyAttributes, derivedKeyShape, parameterObject, ulongField } from './kdf-derived-key.js';
import type { AdditionalDerivedKey, DerivedKeys, KeyObject } from './mechanism.js';
import { registerMechanism } from './registry.js';

type Mode = 'counter' | 'feedback' | 'pipeline';

interface IntegerFormat {
  littleEndian: boolean;
  widthBits: number;
}

type DataSegment =
  | { type: 'iteration'; format?: IntegerFormat }
  | { type: 'counter'; format: IntegerFormat }
  | { type: 'dkm'; format: IntegerFormat; sumOfSegments: boolean }
  | { type: 'bytes'; value: Buffer };

/** Looks up a key handle of the parameter (the core checks it like the base key). */
type KeyLookup = (handle: unknown) => KeyObject;

interface Prf {
  size: number;
  mac(data: Buffer): Buffer;
}

// ---- PRFs -------------------------------------------------------------------------

/** The HMAC PRFs the spec lists (SHA-1, SHA-2 and SHA-3 HMACs). */
const HMAC_PRFS = [
  K.CKM_SHA_1_HMAC, K.CKM_SHA224_HMAC, K.CKM_SHA256_HMAC, K.CKM_SHA384_HMAC, K.CKM_SHA512_HMAC,
  K.CKM_SHA3_224_HMAC, K.CKM_SHA3_256_HMAC, K.CKM_SHA3_384_HMAC, K.CKM_SHA3_512_HMAC,
];

/** Doubling in GF(2^64) (SP 800-38B subkey generation): shift left, fold the carry back with R64 = 0x1b. */
function dbl(block: Buffer): Buffer {
  const out = Buffer.alloc(block.length);
  for (let i = 0; i < block.length; i++) out[i] = ((block[i]! << 1) | (i + 1 < block.length ? block[i + 1]! >> 7 : 0)) & 0xff;
  if (block[0]! & 0x80) out[block.length - 1]! ^= 0x1b;
  return out;
}

/**
 * CMAC (NIST SP 800-38B) over a 64-bit block cipher (TDEA) in CBC mode with a
 * zero IV: the last block, once the final block is masked with subkey K1
 * (complete) or padded 10* and masked with K2. AES-CMAC is cmac.ts's.
 */
function tdeaCmac(cbcCipher: string, key: Buffer, data: Buffer): Buffer {
  const blockSize = 8;
  const cbcLastBlock = (message: Buffer) => {
    const c = createCipheriv(cbcCipher, key, Buffer.alloc(blockSize)).setAutoPadding(false);
    return Buffer.concat([c.update(message), c.final()]).subarray(message.length - blockSize);
  };
  const k1 = dbl(cbcLastBlock(Buffer.alloc(blockSize)));
  const complete = data.length > 0 && data.length % blockSize === 0;
  const lastStart = complete ? data.length - blockSize : data.length - (data.length % blockSize);
  const last = Buffer.alloc(blockSize);
  data.copy(last, 0, lastStart);
  if (!complete) last[data.length - lastStart] = 0x80;
  const mask = complete ? k1 : dbl(k1);
  for (let i = 0; i < blockSize; i++) last[i]! ^= mask[i]!;
  return cbcLastBlock(Buffer.concat([data.subarray(0, lastStart), last]));
}

const DES_CBC: Record<number, string> = { 16: 'des-ede-cbc', 24: 'des-ede3-cbc' };

function keyTypeMismatch(): CKRError {
  return new CKRError(K.CKR_KEY_TYPE_INCONSISTENT, 'the base key does not fit the PRF');
}

/** The PRF named by prfType, keyed with the base key; the key's type must suit it. */
function prfFor(prfType: unknown, keyAttrs: AttributeMap): Prf {
  const key = baseKeyValue(keyAttrs);
  const keyType = keyAttrs.get(K.CKA_KEY_TYPE);
  const hmacAlg = typeof prfType === 'number' && HMAC_PRFS.includes(prfType) ? HMAC_ALGORITHMS.get(prfType) : undefined;
  if (hmacAlg) {
    if (keyType !== K.CKK_GENERIC_SECRET && keyType !== hmacAlg.keyType) throw keyTypeMismatch();
    return { size: hmacAlg.size, mac: (data) => createHmac(hmacAlg.hash, key).update(data).digest() };
  }
  if (prfType === K.CKM_AES_CMAC) {
    if (keyType !== K.CKK_AES || ![16, 24, 32].includes(key.length)) throw keyTypeMismatch();
    return { size: 16, mac: (data) => new AesCmac(key).update(data).digest() };
  }
  if (prfType === K.CKM_DES3_CMAC) {
    if ((keyType !== K.CKK_DES3 && keyType !== K.CKK_DES2) || !DES_CBC[key.length]) throw keyTypeMismatch();
    return { size: 8, mac: (data) => tdeaCmac(DES_CBC[key.length]!, key, data) };
  }
  throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'unsupported prfType');
}

// ---- parameters -------------------------------------------------------------------

/** CK_SP800_108_COUNTER_FORMAT { bLittleEndian, ulWidthInBits }; whole bytes up to 32 bits. */
function counterFormat(value: unknown): IntegerFormat {
  const f = parameterObject(value, 'CK_SP800_108_COUNTER_FORMAT');
  return integerFormat(f, 32);
}

function integerFormat(f: Record<string, unknown>, maxBits: number): IntegerFormat {
  const widthBits = ulongField(f, 'ulWidthInBits');
  if (typeof f.bLittleEndian !== 'boolean' || widthBits === 0 || widthBits % 8 !== 0 || widthBits > maxBits) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, `a counter or length is 8 to ${maxBits} bits, in whole bytes`);
  }
  return { littleEndian: f.bLittleEndian, widthBits };
}

/** CK_SP800_108_DKM_LENGTH_FORMAT { dkmLengthMethod, bLittleEndian, ulWidthInBits }. */
function dkmFormat(value: unknown): DataSegment {
  const f = parameterObject(value, 'CK_SP800_108_DKM_LENGTH_FORMAT');
  const method = f.dkmLengthMethod;
  if (method !== K.CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS && method !== K.CK_SP800_108_DKM_LENGTH_SUM_OF_SEGMENTS) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'unknown dkmLengthMethod');
  }
  return { type: 'dkm', format: integerFormat(f, 64), sumOfSegments: method === K.CK_SP800_108_DKM_LENGTH_SUM_OF_SEGMENTS };
}

/** One CK_PRF_DATA_PARAM { type, pValue }. */
function dataSegment(entry: unknown, mode: Mode, otherKey: KeyLookup): DataSegment {
  const e = parameterObject(entry, 'CK_PRF_DATA_PARAM');
  switch (e.type) {
    case K.CK_SP800_108_ITERATION_VARIABLE:
      // In counter mode the iteration variable is the counter; otherwise it is a PRF output, and pValue is NULL.
      if (mode === 'counter') return { type: 'iteration', format: counterFormat(e.pValue) };
      if (e.pValue !== undefined && e.pValue !== null) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'this iteration variable takes no pValue');
      return { type: 'iteration' };
    case K.CK_SP800_108_COUNTER:
      if (mode === 'counter') throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'counter mode has no separate counter');
      return { type: 'counter', format: counterFormat(e.pValue) };
    case K.CK_SP800_108_DKM_LENGTH:
      return dkmFormat(e.pValue);
    case K.CK_SP800_108_BYTE_ARRAY: {
      const value = bytesField(e, 'pValue');
      if (value.length === 0) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'a byte array must not be empty');
      return { type: 'bytes', value };
    }
    case K.CK_SP800_108_KEY_HANDLE:
      // pValue points to a CK_OBJECT_HANDLE: here, the handle itself.
      return { type: 'bytes', value: baseKeyValue(otherKey(e.pValue).attrs) };
    default:
      throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'unknown CK_PRF_DATA_TYPE');
  }
}

/** pDataParams: one iteration variable, at most one counter and one DKM length. */
function dataSegments(value: unknown, mode: Mode, otherKey: KeyLookup): DataSegment[] {
  if (!Array.isArray(value) || value.length === 0) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'pDataParams must be a list');
  const segments = value.map((entry) => dataSegment(entry, mode, otherKey));
  const count = (type: DataSegment['type']) => segments.filter((s) => s.type === type).length;
  if (count('iteration') !== 1) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'exactly one iteration variable is required');
  if (count('counter') > 1 || count('dkm') > 1) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'a counter or DKM length may appear once');
  return segments;
}

interface KdfParams {
  prfType: unknown;
  segments: DataSegment[];
  iv: Buffer;
  /** The CK_DERIVED_KEY entries, as the caller gave them (their phKey receives the handle). */
  additionalKeys: Record<string, unknown>[];
}

/**
 * pAdditionalDerivedKeys: absent, null or a list of CK_DERIVED_KEY { pTemplate, phKey };
 * ulAdditionalDerivedKeys, where given, must count it.
 */
function additionalKeyEntries(p: Record<string, unknown>): Record<string, unknown>[] {
  const value = p.pAdditionalDerivedKeys ?? [];
  if (!Array.isArray(value)) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'pAdditionalDerivedKeys must be a list');
  if (p.ulAdditionalDerivedKeys !== undefined && p.ulAdditionalDerivedKeys !== value.length) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'ulAdditionalDerivedKeys does not count pAdditionalDerivedKeys');
  }
  return value.map((entry) => {
    const e = parameterObject(entry, 'CK_DERIVED_KEY');
    if (!Array.isArray(e.pTemplate)) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'a CK_DERIVED_KEY needs a template');
    return e;
  });
}

/** CK_SP800_108_KDF_PARAMS, or CK_SP800_108_FEEDBACK_KDF_PARAMS (which adds pIV) in feedback mode. */
function kdfParams(parameter: unknown, mode: Mode, otherKey: KeyLookup): KdfParams {
  const p = parameterObject(parameter, mode === 'feedback' ? 'CK_SP800_108_FEEDBACK_KDF_PARAMS' : 'CK_SP800_108_KDF_PARAMS');
  return {
    prfType: p.prfType,
    segments: dataSegments(p.pDataParams, mode, otherKey),
    iv: mode === 'feedback' ? bytesField(p, 'pIV', true) : Buffer.alloc(0),
    additionalKeys: additionalKeyEntries(p),
  };
}

// ---- the KDF ------------------------------------------------------------------------

/** An integer in `format`; one that does not fit means the requested length is too long for it. */
function encodeInteger(value: number, format: IntegerFormat): Buffer {
  const bytes = format.widthBits / 8;
  if (BigInt(value) >= 1n << BigInt(format.widthBits)) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'a counter or length does not fit its width for this key length');
  }
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(value));
  const big = out.subarray(8 - bytes);
  return format.littleEndian ? Buffer.from(big).reverse() : big;
}

/**
 * The keying material of each key in `lengths`, from PRF blocks K(1..n), where
 * K(i) = PRF(key, the data with the iteration variable and counter of step i).
 * Each key starts on a fresh block: no two keys share a PRF output segment.
 */
function sp800108(mode: Mode, prf: Prf, params: KdfParams, lengths: number[]): Buffer[] {
  const blocksOf = lengths.map((length) => Math.ceil(length / prf.size));
  const blocks = blocksOf.reduce((a, b) => a + b, 0);
  const sumOfKeys = lengths.reduce((a, b) => a + b, 0);
  const dkmBits = (s: { sumOfSegments: boolean }) => (s.sumOfSegments ? blocks * prf.size : sumOfKeys) * 8;
  // The PRF input of step i; without `iteration`, the fixed data alone (no iteration variable, no counter).
  const input = (i: number, iteration: Buffer | null) => Buffer.concat(params.segments.flatMap((s) => {
    switch (s.type) {
      case 'bytes': return [s.value];
      case 'dkm': return [encodeInteger(dkmBits(s), s.format)];
      case 'counter': return iteration ? [encodeInteger(i, s.format)] : [];
      case 'iteration': return iteration ? [iteration] : [];
    }
  }));
  const out: Buffer[] = [];
  // Feedback: the iteration variable is the previous block (the IV first). Double
  // pipeline: it is A(i) = PRF(A(i-1)), with A(0) the fixed data.
  let chained = mode === 'feedback' ? params.iv : input(0, null);
  // In counter mode the iteration variable has a counter format (dataSegment made sure).
  const iterationVariable = params.segments.find((s) => s.type === 'iteration') as { format?: IntegerFormat };
  for (let i = 1; i <= blocks; i++) {
    let iteration: Buffer;
    if (mode === 'counter') {
      iteration = encodeInteger(i, iterationVariable.format!);
    } else if (mode === 'feedback') {
      iteration = chained;
    } else {
      chained = prf.mac(chained);
      iteration = chained;
    }
    const block = prf.mac(input(i, iteration));
    if (mode === 'feedback') chained = block;
    out.push(block);
  }
  let next = 0;
  return lengths.map((length, k) => {
    const keyBlocks = out.slice(next, next + blocksOf[k]!);
    next += blocksOf[k]!;
    return Buffer.concat(keyBlocks).subarray(0, length);
  });
}

/**
 * The spec's attribute rules for these KDFs: CKA_SENSITIVE and CKA_EXTRACTABLE
 * not in the template take the base key's values.
 */
function inheritFromBase(base: AttributeMap, template: AttributeMap, computed: AttributeMap): AttributeMap {
  for (const type of [K.CKA_SENSITIVE, K.CKA_EXTRACTABLE]) {
    const value = base.get(type);
    if (!template.has(type) && typeof value === 'boolean') computed.set(type, value);
  }
  return computed;
}

function derive(mode: Mode) {
  return (
    baseKey: KeyObject, parameter: unknown, template: AttributeMap,
    otherKey: KeyLookup, keyTemplate: (raw: unknown) => AttributeMap,
  ): DerivedKeys => {
    const params = kdfParams(parameter, mode, otherKey);
    const prf = prfFor(params.prfType, baseKey.attrs);
    const shape = derivedKeyShape(template);
    // A template that cannot be met marks its own entry, so the caller can tell which one failed.
    const additional = params.additionalKeys.map((entry) => {
      const deliver = (handle: number) => { entry.phKey = handle; };
      try {
        const keyTemplateOf = keyTemplate(entry.pTemplate);
        return { entry, deliver, template: keyTemplateOf, shape: derivedKeyShape(keyTemplateOf) };
      } catch (err) {
        deliver(K.CK_INVALID_HANDLE);
        throw err;
      }
    });
    const [material, ...extra] = sp800108(mode, prf, params, [shape.length, ...additional.map((a) => a.shape.length)]);
    const made = (keyShape: typeof shape, bytes: Buffer, keyTemplateOf: AttributeMap) =>
      inheritFromBase(baseKey.attrs, keyTemplateOf, derivedKeyAttributes(keyShape, bytes, keyTemplateOf));
    return {
      key: made(shape, material!, template),
      additional: additional.map((a, k): AdditionalDerivedKey => ({
        template: a.template,
        computed: made(a.shape, extra[k]!, a.template),
        deliver: a.deliver,
      })),
    };
  };
}

const BASE_KEY_TYPES = [
  K.CKK_GENERIC_SECRET, K.CKK_AES, K.CKK_DES2, K.CKK_DES3,
  ...HMAC_PRFS.map((m) => HMAC_ALGORITHMS.get(m)!.keyType),
];

for (const [type, mode] of [
  [K.CKM_SP800_108_COUNTER_KDF, 'counter'],
  [K.CKM_SP800_108_FEEDBACK_KDF, 'feedback'],
  [K.CKM_SP800_108_DOUBLE_PIPELINE_KDF, 'pipeline'],
] as const) {
  registerMechanism({
    type,
    // The spec gives these base key sizes in bits.
    minKeySize: 8,
    maxKeySize: MAX_SECRET_KEY_BYTES * 8,
    keyTypes: BASE_KEY_TYPES,
    keySize: (attrs) => ((attrs.get(K.CKA_VALUE) as Buffer | undefined)?.length ?? 0) * 8,
    derive: derive(mode),
  });
}
