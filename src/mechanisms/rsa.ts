/**
 * RSA (spec section "RSA"): key pair generation, PKCS #1 v1.5, OAEP, PSS and
 * raw (X.509) encryption and signatures, the hash-and-sign mechanisms, and
 * key wrapping with PKCS #1 v1.5 and OAEP.
 *
 * OpenSSL does the RSA arithmetic (with blinding) and what node:crypto
 * offers whole: PKCS #1 v1.5 encryption and signing, OAEP with one hash, and
 * hash-then-PKCS #1 v1.5 signatures. The rest is put together from raw RSA
 * and the encodings in rsa-pkcs1.ts: PKCS #1 v1.5 decryption (decoded in
 * constant time, so that it is no padding oracle), PSS (the caller may supply
 * the hash, and the MGF1 hash may differ), OAEP with an MGF1 hash other than
 * the OAEP hash, and everything raw.
 *
 * Files: rsa-keys.ts (key material, generation, raw RSA, the PKCS #8 codec),
 * rsa-pkcs1.ts (the encodings), rsa-params.ts (mechanism parameters),
 * rsa-schemes.ts (the schemes on whole inputs); here, the operation objects
 * the core drives and the registrations.
 */
import { constants, createHash, createSign, createVerify } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError, isCKRError } from '../pkcs11/error.js';
import { DIGESTS } from '../core/digest.js';
import type { Cipher, KeyObject, Mechanism, Recoverer, Signer, Verifier } from './mechanism.js';
import { registerMechanism } from './registry.js';
import { generateRsaKeyPair, MAX_MODULUS_BITS, MIN_MODULUS_BITS, modulusBits, rsaKey, type RsaKey } from './rsa-keys.js';
import { oaepCapacity } from './rsa-pkcs1.js';
import { noParameter, oaepParameters, pssParameters } from './rsa-params.js';
import { checkHashLength, OAEP, PKCS1, PKCS1_OVERHEAD, PSS, signatureInvalid, X509 } from './rsa-schemes.js';

// ---- operation objects ------------------------------------------------------------------------

const singlePartOnly = () => new CKRError(K.CKR_FUNCTION_NOT_SUPPORTED, 'this mechanism is single-part only');

function singlePartCipher(outputBound: number, run: (data: Buffer) => Buffer): Cipher {
  return {
    updateLength: () => 0,
    update: () => { throw singlePartOnly(); },
    finalLength: () => 0,
    final: () => { throw singlePartOnly(); },
    oneShotLength: () => outputBound,
    oneShot: run,
  };
}

interface Stream {
  update(data: Buffer): unknown;
}

/** Collects the input of a mechanism that signs it whole (the raw ones are single-part, which the core enforces). */
class Collector implements Stream {
  private readonly parts: Buffer[] = [];
  update(data: Buffer): void {
    this.parts.push(Buffer.from(data));
  }
  all(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Signs what a stream took in; the signature is kept, so final() can be repeated. */
class StreamSigner implements Signer {
  private signature: Buffer | undefined;
  constructor(private readonly length: number, private readonly stream: Stream, private readonly finish: () => Buffer) {}
  signatureLength(): number {
    return this.length;
  }
  update(data: Buffer): void {
    this.stream.update(data);
  }
  final(): Buffer {
    this.signature ??= this.finish();
    return Buffer.from(this.signature);
  }
  oneShot(data: Buffer): Buffer {
    this.update(data);
    return this.final();
  }
}

class StreamVerifier implements Verifier {
  constructor(private readonly stream: Stream, private readonly check: (signature: Buffer) => void) {}
  update(data: Buffer): void {
    this.stream.update(data);
  }
  final(signature: Buffer): void {
    this.check(signature);
  }
  oneShot(data: Buffer, signature: Buffer): void {
    this.update(data);
    this.final(signature);
  }
}

function wholeInputSigner(key: RsaKey, sign: (data: Buffer) => Buffer): Signer {
  const input = new Collector();
  return new StreamSigner(key.k, input, () => sign(input.all()));
}

function wholeInputVerifier(verify: (data: Buffer, signature: Buffer) => void): Verifier {
  const input = new Collector();
  return new StreamVerifier(input, (signature) => verify(input.all(), signature));
}

function recoverer(outputBound: number, run: (input: Buffer) => Buffer): Recoverer {
  return { outputLength: () => outputBound, run };
}

/** A key whose data is too long for the wrapping key is CKR_KEY_SIZE_RANGE (C_WrapKey). */
function asWrap(encrypt: () => Buffer): Buffer {
  try {
    return encrypt();
  } catch (e) {
    if (isCKRError(e, K.CKR_DATA_LEN_RANGE)) throw new CKRError(K.CKR_KEY_SIZE_RANGE, 'the key is too long for this wrapping key');
    throw e;
  }
}

/** Wrapped bytes of the wrong length are CKR_WRAPPED_KEY_LEN_RANGE; the core makes any other failure CKR_WRAPPED_KEY_INVALID. */
function asUnwrap(decrypt: () => Buffer): Buffer {
  try {
    return decrypt();
  } catch (e) {
    if (isCKRError(e, K.CKR_ENCRYPTED_DATA_LEN_RANGE)) throw new CKRError(K.CKR_WRAPPED_KEY_LEN_RANGE);
    throw e;
  }
}

// ---- registration ---------------------------------------------------------------------------

const publicKey = (key: KeyObject) => rsaKey(key.attrs, 'public');
const privateKey = (key: KeyObject) => rsaKey(key.attrs, 'private');

/** Key sizes in bits, for RSA keys only. */
const RSA_KEYS: Pick<Mechanism, 'minKeySize' | 'maxKeySize' | 'keyTypes' | 'keySize'> = {
  minKeySize: MIN_MODULUS_BITS, maxKeySize: MAX_MODULUS_BITS, keyTypes: [K.CKK_RSA], keySize: modulusBits,
};

registerMechanism({
  type: K.CKM_RSA_PKCS_KEY_PAIR_GEN,
  minKeySize: MIN_MODULUS_BITS,
  maxKeySize: MAX_MODULUS_BITS,
  generateKeyPair(parameter, publicTemplate) {
    noParameter(parameter);
    return generateRsaKeyPair(publicTemplate);
  },
});

/** The mechanisms whose parameter is none, built from an encoding's operations. */
function registerParameterless(type: number, scheme: typeof PKCS1 | typeof X509, decryptBound: (k: number) => number, wraps: boolean): void {
  const withPublic = (key: KeyObject, parameter: unknown) => {
    noParameter(parameter);
    return publicKey(key);
  };
  const withPrivate = (key: KeyObject, parameter: unknown) => {
    noParameter(parameter);
    return privateKey(key);
  };
  registerMechanism({
    type, ...RSA_KEYS, multiPart: false,
    encrypt(key, parameter) {
      const k = withPublic(key, parameter);
      return singlePartCipher(k.k, (data) => scheme.encrypt(k, data));
    },
    decrypt(key, parameter) {
      const k = withPrivate(key, parameter);
      return singlePartCipher(decryptBound(k.k), (data) => scheme.decrypt(k, data));
    },
    sign(key, parameter) {
      const k = withPrivate(key, parameter);
      return wholeInputSigner(k, (data) => scheme.sign(k, data));
    },
    verify(key, parameter) {
      const k = withPublic(key, parameter);
      return wholeInputVerifier((data, signature) => scheme.verify(k, data, signature));
    },
    signRecover(key, parameter) {
      const k = withPrivate(key, parameter);
      return recoverer(k.k, (data) => scheme.sign(k, data));
    },
    verifyRecover(key, parameter) {
      const k = withPublic(key, parameter);
      return recoverer(decryptBound(k.k), (signature) => scheme.recover(k, signature));
    },
    ...(wraps ? {
      wrap: (key: KeyObject, parameter: unknown, keyBytes: Buffer) => asWrap(() => scheme.encrypt(withPublic(key, parameter), keyBytes)),
      unwrap: (key: KeyObject, parameter: unknown, wrapped: Buffer) => asUnwrap(() => scheme.decrypt(withPrivate(key, parameter), wrapped)),
    } : {}),
  });
}

registerParameterless(K.CKM_RSA_PKCS, PKCS1, (k) => k - PKCS1_OVERHEAD, true);
registerParameterless(K.CKM_RSA_X_509, X509, (k) => k, false);

registerMechanism({
  type: K.CKM_RSA_PKCS_OAEP, ...RSA_KEYS, multiPart: false,
  encrypt(key, parameter) {
    const k = publicKey(key);
    const options = oaepParameters(parameter, k);
    return singlePartCipher(k.k, (data) => OAEP.encrypt(k, data, options));
  },
  decrypt(key, parameter) {
    const k = privateKey(key);
    const options = oaepParameters(parameter, k);
    return singlePartCipher(oaepCapacity(k.k, options.hash), (data) => OAEP.decrypt(k, data, options));
  },
  wrap(key, parameter, keyBytes) {
    const k = publicKey(key);
    const options = oaepParameters(parameter, k);
    return asWrap(() => OAEP.encrypt(k, keyBytes, options));
  },
  unwrap(key, parameter, wrapped) {
    const k = privateKey(key);
    const options = oaepParameters(parameter, k);
    return asUnwrap(() => OAEP.decrypt(k, wrapped, options));
  },
});

registerMechanism({
  type: K.CKM_RSA_PKCS_PSS, ...RSA_KEYS, multiPart: false,
  sign(key, parameter) {
    const k = privateKey(key);
    const options = pssParameters(parameter, k);
    return wholeInputSigner(k, (mHash) => {
      checkHashLength(mHash, options);
      return PSS.sign(k, mHash, options);
    });
  },
  verify(key, parameter) {
    const k = publicKey(key);
    const options = pssParameters(parameter, k);
    return wholeInputVerifier((mHash, signature) => {
      checkHashLength(mHash, options);
      PSS.verify(k, mHash, signature, options);
    });
  },
});

/** The hash-and-sign mechanisms and their hash. */
const HASH_AND_SIGN: { pkcs1: number; pss: number; hash: number }[] = [
  { pkcs1: K.CKM_SHA1_RSA_PKCS, pss: K.CKM_SHA1_RSA_PKCS_PSS, hash: K.CKM_SHA_1 },
  { pkcs1: K.CKM_SHA224_RSA_PKCS, pss: K.CKM_SHA224_RSA_PKCS_PSS, hash: K.CKM_SHA224 },
  { pkcs1: K.CKM_SHA256_RSA_PKCS, pss: K.CKM_SHA256_RSA_PKCS_PSS, hash: K.CKM_SHA256 },
  { pkcs1: K.CKM_SHA384_RSA_PKCS, pss: K.CKM_SHA384_RSA_PKCS_PSS, hash: K.CKM_SHA384 },
  { pkcs1: K.CKM_SHA512_RSA_PKCS, pss: K.CKM_SHA512_RSA_PKCS_PSS, hash: K.CKM_SHA512 },
  { pkcs1: K.CKM_SHA3_224_RSA_PKCS, pss: K.CKM_SHA3_224_RSA_PKCS_PSS, hash: K.CKM_SHA3_224 },
  { pkcs1: K.CKM_SHA3_256_RSA_PKCS, pss: K.CKM_SHA3_256_RSA_PKCS_PSS, hash: K.CKM_SHA3_256 },
  { pkcs1: K.CKM_SHA3_384_RSA_PKCS, pss: K.CKM_SHA3_384_RSA_PKCS_PSS, hash: K.CKM_SHA3_384 },
  { pkcs1: K.CKM_SHA3_512_RSA_PKCS, pss: K.CKM_SHA3_512_RSA_PKCS_PSS, hash: K.CKM_SHA3_512 },
];

for (const { pkcs1, pss, hash } of HASH_AND_SIGN) {
  const name = DIGESTS.get(hash)!.name;
  registerMechanism({
    type: pkcs1, ...RSA_KEYS,
    sign(key, parameter) {
      noParameter(parameter);
      const k = privateKey(key);
      // OpenSSL hashes, builds the DigestInfo and pads.
      const signer = createSign(name);
      return new StreamSigner(k.k, signer, () => signer.sign({ key: k.key, padding: constants.RSA_PKCS1_PADDING }));
    },
    verify(key, parameter) {
      noParameter(parameter);
      const k = publicKey(key);
      const verifier = createVerify(name);
      return new StreamVerifier(verifier, (signature) => {
        if (signature.length !== k.k) throw new CKRError(K.CKR_SIGNATURE_LEN_RANGE, 'the signature must be as long as the modulus');
        let valid = false;
        try {
          valid = verifier.verify({ key: k.key, padding: constants.RSA_PKCS1_PADDING }, signature);
        } catch {
          valid = false;
        }
        if (!valid) throw signatureInvalid();
      });
    },
  });
  registerMechanism({
    type: pss, ...RSA_KEYS,
    sign(key, parameter) {
      const k = privateKey(key);
      const options = pssParameters(parameter, k, hash);
      const hasher = createHash(name);
      return new StreamSigner(k.k, hasher, () => PSS.sign(k, hasher.digest(), options));
    },
    verify(key, parameter) {
      const k = publicKey(key);
      const options = pssParameters(parameter, k, hash);
      const hasher = createHash(name);
      return new StreamVerifier(hasher, (signature) => PSS.verify(k, hasher.digest(), signature, options));
    },
  });
}
