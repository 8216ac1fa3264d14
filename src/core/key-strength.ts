/**
 * The security strength of a key in bits (NIST SP 800-57 part 1, table 2),
 * so that no key is ever wrapped under a weaker one.
 */
import * as K from '../pkcs11/constants.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { bitLength } from './object-policy.js';

/** Named curves by the DER of their OID (and the PrintableString names some callers use). */
const CURVE_STRENGTH = new Map<string, number>([
  ['06082a8648ce3d030107', 128], // P-256
  ['06052b81040022', 192], // P-384
  ['06052b81040023', 256], // P-521
  ['06052b8104000a', 128], // secp256k1
  ['06092b2403030208010107', 128], // brainpoolP256r1
  ['06092b240303020801010b', 192], // brainpoolP384r1
  ['06092b240303020801010d', 256], // brainpoolP512r1
  ['06092b2403030208010108', 128], // brainpoolP256t1
  ['06092b2403030208010109', 128], // brainpoolP320r1
  ['06092b240303020801010a', 128], // brainpoolP320t1
  ['06092b240303020801010c', 192], // brainpoolP384t1
  ['06092b240303020801010e', 256], // brainpoolP512t1
  ['06032b6570', 128], // Ed25519
  ['06032b6571', 224], // Ed448
  ['06032b656e', 128], // X25519
  ['06032b656f', 224], // X448
]);
/** Curve names as CKA_EC_PARAMS may carry them, lower-cased: every alias the EC family accepts. */
const CURVE_NAME_STRENGTH: Record<string, number> = {
  'prime256v1': 128, 'secp256r1': 128, 'p-256': 128, 'nistp256': 128,
  'secp384r1': 192, 'p-384': 192, 'nistp384': 192,
  'secp521r1': 256, 'p-521': 256, 'nistp521': 256,
  'secp256k1': 128,
  'brainpoolp256r1': 128, 'brainpoolp384r1': 192, 'brainpoolp512r1': 256,
  'brainpoolp256t1': 128, 'brainpoolp320r1': 128, 'brainpoolp320t1': 128, 'brainpoolp384t1': 192, 'brainpoolp512t1': 256,
  'edwards25519': 128, 'ed25519': 128, 'edwards448': 224, 'ed448': 224,
  'curve25519': 128, 'x25519': 128, 'curve448': 224, 'x448': 224,
};

function rsaStrength(modulusBits: number): number {
  if (modulusBits < 1024) return 0;
  if (modulusBits < 2048) return 80;
  if (modulusBits < 3072) return 112;
  if (modulusBits < 7680) return 128;
  if (modulusBits < 15360) return 192;
  return 256;
}

function curveStrength(params: unknown): number {
  if (!Buffer.isBuffer(params)) return 0;
  const byOid = CURVE_STRENGTH.get(params.toString('hex'));
  if (byOid !== undefined) return byOid;
  // A PrintableString: tag 0x13, short length, the name.
  if (params[0] === 0x13) return CURVE_NAME_STRENGTH[params.subarray(2).toString('latin1').toLowerCase()] ?? 0;
  return 0;
}

/** NIST categories of the post-quantum parameter sets, as strengths. */
function parameterSetStrength(keyType: number, set: number): number {
  if (keyType === K.CKK_ML_KEM) return ({ [K.CKP_ML_KEM_512]: 128, [K.CKP_ML_KEM_768]: 192, [K.CKP_ML_KEM_1024]: 256 } as Record<number, number>)[set] ?? 0;
  if (keyType === K.CKK_ML_DSA) return ({ [K.CKP_ML_DSA_44]: 128, [K.CKP_ML_DSA_65]: 192, [K.CKP_ML_DSA_87]: 256 } as Record<number, number>)[set] ?? 0;
  // SLH-DSA sets come in pairs per strength: 128s/f (1-4), 192 (5-8), 256 (9-12).
  if (keyType === K.CKK_SLH_DSA) return set >= 1 && set <= 12 ? [128, 192, 256][Math.floor((set - 1) / 4)]! : 0;
  return 0;
}

export function keyStrength(attrs: AttributeMap): number {
  const keyType = attrs.get(K.CKA_KEY_TYPE) as number;
  const value = attrs.get(K.CKA_VALUE);
  switch (keyType) {
    case K.CKK_DES3: return 112;
    case K.CKK_DES2: return 80;
    // Two AES keys, one for the data and one for the tweak: the strength of one.
    case K.CKK_AES_XTS: return Buffer.isBuffer(value) ? Math.min(value.length * 4, 256) : 0;
    case K.CKK_RSA: {
      const modulus = attrs.get(K.CKA_MODULUS);
      return Buffer.isBuffer(modulus) ? rsaStrength(bitLength(modulus)) : 0;
    }
    case K.CKK_EC:
    case K.CKK_EC_EDWARDS:
    case K.CKK_EC_MONTGOMERY:
      return curveStrength(attrs.get(K.CKA_EC_PARAMS));
    case K.CKK_ML_KEM:
    case K.CKK_ML_DSA:
    case K.CKK_SLH_DSA:
      return parameterSetStrength(keyType, attrs.get(K.CKA_PARAMETER_SET) as number);
    default:
      // Symmetric keys: their length, up to the 256 bits no attack reaches.
      return Buffer.isBuffer(value) ? Math.min(value.length * 8, 256) : 0;
  }
}
