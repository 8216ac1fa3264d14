/**
 * SLH-DSA (FIPS 205) parameter sets: what differs between the twelve sets.
 * The PKCS#11 side (templates, parameters, errors) is in pqc.ts.
 */
import * as slh from '@noble/post-quantum/slh-dsa.js';
import * as K from '../pkcs11/constants.js';
import type { MessageSigner, MessageVerifier, SignatureParameterSet } from './pqc.js';

type NobleSlh = typeof slh.slh_dsa_sha2_128s;

/**
 * M′ kept whole: slh_sign_internal reads the message twice (PRF_msg, then
 * H_msg with the randomizer that PRF_msg produced), so it cannot be hashed
 * as it comes.
 */
class MessageBuffer {
  private readonly parts: Buffer[] = [];
  update(data: Uint8Array): void {
    this.parts.push(Buffer.from(data));
  }
  whole(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function slhSet(name: string, oidArc: number, impl: NobleSlh): SignatureParameterSet {
  return {
    name,
    oid: `2.16.840.1.101.3.4.3.${oidArc}`,
    publicKeyLength: impl.lengths.publicKey!,
    privateKeyLength: impl.lengths.secretKey!,
    // SK.seed || SK.prf || PK.seed (FIPS 205 Algorithm 21); the private key holds them all.
    seedLength: impl.lengths.seed!,
    seedIsAttribute: false,
    signatureLength: impl.lengths.signature!,
    keygen(seed) {
      const { publicKey, secretKey } = impl.internal.keygen(seed);
      return { publicKey: Buffer.from(publicKey), privateKey: Buffer.from(secretKey) };
    },
    startSigning(privateKey): MessageSigner {
      const message = new MessageBuffer();
      return {
        update: (data) => message.update(data),
        // FIPS 205 Algorithm 22: the deterministic variant takes PK.seed as opt_rand.
        sign: (deterministic) => Buffer.from(impl.internal.sign(message.whole(), privateKey, {
          extraEntropy: deterministic ? false : undefined,
        })),
      };
    },
    startVerifying(publicKey): MessageVerifier {
      const message = new MessageBuffer();
      return {
        update: (data) => message.update(data),
        verify: (signature) => impl.internal.verify(signature, message.whole(), publicKey),
      };
    },
  };
}

/** By CKA_PARAMETER_SET (CK_SLH_DSA_PARAMETER_SET_TYPE); OIDs from NIST's CSOR sigAlgs arc (RFC 9909). */
export const SLH_DSA_SETS: ReadonlyMap<number, SignatureParameterSet> = new Map([
  [K.CKP_SLH_DSA_SHA2_128S, slhSet('SLH-DSA-SHA2-128s', 20, slh.slh_dsa_sha2_128s)],
  [K.CKP_SLH_DSA_SHA2_128F, slhSet('SLH-DSA-SHA2-128f', 21, slh.slh_dsa_sha2_128f)],
  [K.CKP_SLH_DSA_SHA2_192S, slhSet('SLH-DSA-SHA2-192s', 22, slh.slh_dsa_sha2_192s)],
  [K.CKP_SLH_DSA_SHA2_192F, slhSet('SLH-DSA-SHA2-192f', 23, slh.slh_dsa_sha2_192f)],
  [K.CKP_SLH_DSA_SHA2_256S, slhSet('SLH-DSA-SHA2-256s', 24, slh.slh_dsa_sha2_256s)],
  [K.CKP_SLH_DSA_SHA2_256F, slhSet('SLH-DSA-SHA2-256f', 25, slh.slh_dsa_sha2_256f)],
  [K.CKP_SLH_DSA_SHAKE_128S, slhSet('SLH-DSA-SHAKE-128s', 26, slh.slh_dsa_shake_128s)],
  [K.CKP_SLH_DSA_SHAKE_128F, slhSet('SLH-DSA-SHAKE-128f', 27, slh.slh_dsa_shake_128f)],
  [K.CKP_SLH_DSA_SHAKE_192S, slhSet('SLH-DSA-SHAKE-192s', 28, slh.slh_dsa_shake_192s)],
  [K.CKP_SLH_DSA_SHAKE_192F, slhSet('SLH-DSA-SHAKE-192f', 29, slh.slh_dsa_shake_192f)],
  [K.CKP_SLH_DSA_SHAKE_256S, slhSet('SLH-DSA-SHAKE-256s', 30, slh.slh_dsa_shake_256s)],
  [K.CKP_SLH_DSA_SHAKE_256F, slhSet('SLH-DSA-SHAKE-256f', 31, slh.slh_dsa_shake_256f)],
]);
