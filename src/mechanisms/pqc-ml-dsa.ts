/**
 * ML-DSA (FIPS 204) parameter sets: what differs between ML-DSA-44, -65 and
 * -87. The PKCS#11 side (templates, parameters, errors) is in pqc.ts.
 */
import { createHash, type Hash } from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import * as K from '../pkcs11/constants.js';
import type { MessageSigner, MessageVerifier, SignatureParameterSet } from './pqc.js';

type NobleDsa = typeof ml_dsa44;

/** FIPS 204: tr and μ are 64-byte SHAKE256 outputs. */
const TR_LENGTH = 64;
const MU_LENGTH = 64;
/** skEncode starts ρ (32) || K (32) || tr (64). */
const TR_OFFSET = 64;

function shake256(outputLength: number): Hash {
  return createHash('shake256', { outputLength });
}

/**
 * μ = H(tr || M′, 64) (FIPS 204 Algorithm 7 step 6, Algorithm 8 step 7),
 * computed as M′ arrives, so a multi-part operation never holds the message.
 */
class MuHash {
  private readonly hash: Hash;
  constructor(tr: Uint8Array) {
    this.hash = shake256(MU_LENGTH).update(tr);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  /** Leaves the running hash as it is, so it may be asked again. */
  mu(): Buffer {
    // A copy forgets the XOF output length unless told again.
    return this.hash.copy({ outputLength: MU_LENGTH }).digest();
  }
}

function dsaSet(name: string, oidArc: number, dsa: NobleDsa): SignatureParameterSet {
  return {
    name,
    oid: `2.16.840.1.101.3.4.3.${oidArc}`,
    publicKeyLength: dsa.lengths.publicKey!,
    privateKeyLength: dsa.lengths.secretKey!,
    // ξ: the seed of FIPS 204 ML-DSA.KeyGen_internal, and what CKA_SEED holds.
    seedLength: dsa.lengths.seed!,
    seedIsAttribute: true,
    signatureLength: dsa.lengths.signature!,
    keygen(seed) {
      const { publicKey, secretKey } = dsa.keygen(seed);
      return { publicKey: Buffer.from(publicKey), privateKey: Buffer.from(secretKey) };
    },
    startSigning(privateKey): MessageSigner {
      const mu = new MuHash(privateKey.subarray(TR_OFFSET, TR_OFFSET + TR_LENGTH));
      return {
        update: (data) => mu.update(data),
        sign: (deterministic) => Buffer.from(dsa.internal.sign(mu.mu(), privateKey, {
          externalMu: true,
          // FIPS 204 Algorithm 2: rnd is 32 zero bytes for the deterministic variant.
          extraEntropy: deterministic ? false : undefined,
        })),
      };
    },
    startVerifying(publicKey): MessageVerifier {
      const mu = new MuHash(shake256(TR_LENGTH).update(publicKey).digest());
      return {
        update: (data) => mu.update(data),
        verify: (signature) => dsa.internal.verify(signature, mu.mu(), publicKey, { externalMu: true }),
      };
    },
  };
}

/** By CKA_PARAMETER_SET (CK_ML_DSA_PARAMETER_SET_TYPE); OIDs from NIST's CSOR sigAlgs arc. */
export const ML_DSA_SETS: ReadonlyMap<number, SignatureParameterSet> = new Map([
  [K.CKP_ML_DSA_44, dsaSet('ML-DSA-44', 17, ml_dsa44)],
  [K.CKP_ML_DSA_65, dsaSet('ML-DSA-65', 18, ml_dsa65)],
  [K.CKP_ML_DSA_87, dsaSet('ML-DSA-87', 19, ml_dsa87)],
]);
