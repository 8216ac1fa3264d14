/**
 * ML-KEM (FIPS 203) parameter sets: what differs between ML-KEM-512, -768 and
 * -1024. The PKCS#11 side (templates, parameters, errors) is in pqc.ts.
 */
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import * as K from '../pkcs11/constants.js';
import type { ParameterSet } from './pqc.js';

export interface KemParameterSet extends ParameterSet {
  ciphertextLength: number;
  /** ML-KEM.Encaps; throws if the encapsulation key fails the FIPS 203 7.2 modulus check. */
  encapsulate(publicKey: Uint8Array): { ciphertext: Buffer; secret: Buffer };
  /**
   * ML-KEM.Decaps; a ciphertext that does not re-encrypt gives the implicit
   * rejection secret, never an error. Throws if the decapsulation key fails
   * the FIPS 203 7.3 hash check.
   */
  decapsulate(ciphertext: Uint8Array, privateKey: Uint8Array): Buffer;
}

type NobleKem = typeof ml_kem512;

function kemSet(name: string, oidArc: number, kem: NobleKem): KemParameterSet {
  return {
    name,
    oid: `2.16.840.1.101.3.4.4.${oidArc}`,
    publicKeyLength: kem.lengths.publicKey!,
    privateKeyLength: kem.lengths.secretKey!,
    // d || z: the seed FIPS 203 ML-KEM.KeyGen_internal takes, and what CKA_SEED holds.
    seedLength: kem.lengths.seed!,
    seedIsAttribute: true,
    ciphertextLength: kem.lengths.cipherText!,
    keygen(seed) {
      const { publicKey, secretKey } = kem.keygen(seed);
      return { publicKey: Buffer.from(publicKey), privateKey: Buffer.from(secretKey) };
    },
    encapsulate(publicKey) {
      const { cipherText, sharedSecret } = kem.encapsulate(publicKey);
      return { ciphertext: Buffer.from(cipherText), secret: Buffer.from(sharedSecret) };
    },
    decapsulate(ciphertext, privateKey) {
      return Buffer.from(kem.decapsulate(ciphertext, privateKey));
    },
  };
}

/** By CKA_PARAMETER_SET (CK_ML_KEM_PARAMETER_SET_TYPE); OIDs from NIST's CSOR kems arc. */
export const ML_KEM_SETS: ReadonlyMap<number, KemParameterSet> = new Map([
  [K.CKP_ML_KEM_512, kemSet('ML-KEM-512', 1, ml_kem512)],
  [K.CKP_ML_KEM_768, kemSet('ML-KEM-768', 2, ml_kem768)],
  [K.CKP_ML_KEM_1024, kemSet('ML-KEM-1024', 3, ml_kem1024)],
]);
