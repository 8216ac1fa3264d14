/**
 * The RSA schemes on whole inputs: PKCS #1 v1.5, raw (X.509), PSS and OAEP
 * encryption and signatures, from node:crypto where it has them whole and
 * from raw RSA and the encodings in rsa-pkcs1.ts otherwise. Each checks the
 * input lengths the spec's tables give and answers with the spec's codes.
 */
import { constants, createHash, privateDecrypt, privateEncrypt, publicEncrypt, randomBytes, timingSafeEqual } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import { belowModulus, rawPrivate, rawPublic, toModulusLength, type RsaKey } from './rsa-keys.js';
import {
  emeOaepDecode, emeOaepEncode, emePkcs1Decode, emsaPkcs1Encode, emsaPkcs1Recover, emsaPssEncode, emsaPssVerify,
  malformedCiphertext, oaepCapacity, pssEncodedLength, type OaepOptions, type PssOptions,
} from './rsa-pkcs1.js';
import type { PssParameters } from './rsa-params.js';

/** PKCS #1 v1.5 padding takes at least 11 bytes of the block. */
export const PKCS1_OVERHEAD = 11;

/** The raw private operation on a ciphertext; its length and range are public, what comes out is not. */
function decryptBlock(key: RsaKey, ciphertext: Buffer): Buffer {
  if (ciphertext.length !== key.k) throw new CKRError(K.CKR_ENCRYPTED_DATA_LEN_RANGE, 'the ciphertext must be as long as the modulus');
  if (!belowModulus(key, ciphertext)) throw malformedCiphertext();
  try {
    return rawPrivate(key, ciphertext);
  } catch {
    throw malformedCiphertext();
  }
}

/** The raw public operation on a signature: s^e mod n. */
function signatureBlock(key: RsaKey, signature: Buffer): Buffer {
  if (signature.length !== key.k) throw new CKRError(K.CKR_SIGNATURE_LEN_RANGE, 'the signature must be as long as the modulus');
  if (!belowModulus(key, signature)) throw new CKRError(K.CKR_SIGNATURE_INVALID);
  return rawPublic(key, signature);
}

/** Raw RSA input: at most k bytes, left-padded with zeros, below the modulus. */
function rawInput(key: RsaKey, data: Buffer): Buffer {
  if (data.length > key.k) throw new CKRError(K.CKR_DATA_LEN_RANGE, 'the data is longer than the modulus');
  const block = toModulusLength(data, key.k);
  if (!belowModulus(key, block)) throw new CKRError(K.CKR_DATA_INVALID, 'the data is not below the modulus');
  return block;
}

function checkLength(data: Buffer, max: number): void {
  if (data.length > max) throw new CKRError(K.CKR_DATA_LEN_RANGE, `the data may be at most ${max} bytes`);
}

export const signatureInvalid = () => new CKRError(K.CKR_SIGNATURE_INVALID);

export const PKCS1 = {
  encrypt(key: RsaKey, data: Buffer): Buffer {
    checkLength(data, key.k - PKCS1_OVERHEAD);
    return publicEncrypt({ key: key.key, padding: constants.RSA_PKCS1_PADDING }, data);
  },
  decrypt(key: RsaKey, ciphertext: Buffer): Buffer {
    return emePkcs1Decode(decryptBlock(key, ciphertext));
  },
  /** Signs the caller's DigestInfo (or any data up to k - 11 bytes), block type 01. */
  sign(key: RsaKey, data: Buffer): Buffer {
    checkLength(data, key.k - PKCS1_OVERHEAD);
    return privateEncrypt({ key: key.key, padding: constants.RSA_PKCS1_PADDING }, data);
  },
  /** Compares whole blocks: the expected encoding against the recovered one. */
  verify(key: RsaKey, data: Buffer, signature: Buffer): void {
    checkLength(data, key.k - PKCS1_OVERHEAD);
    const block = signatureBlock(key, signature);
    if (!timingSafeEqual(block, emsaPkcs1Encode(data, key.k))) throw signatureInvalid();
  },
  recover(key: RsaKey, signature: Buffer): Buffer {
    const data = emsaPkcs1Recover(signatureBlock(key, signature));
    if (!data) throw signatureInvalid();
    return data;
  },
};

export const X509 = {
  encrypt: (key: RsaKey, data: Buffer): Buffer => rawPublic(key, rawInput(key, data)),
  decrypt: (key: RsaKey, ciphertext: Buffer): Buffer => decryptBlock(key, ciphertext),
  sign: (key: RsaKey, data: Buffer): Buffer => rawPrivate(key, rawInput(key, data)),
  verify(key: RsaKey, data: Buffer, signature: Buffer): void {
    if (data.length > key.k) throw new CKRError(K.CKR_DATA_LEN_RANGE, 'the data is longer than the modulus');
    if (!timingSafeEqual(signatureBlock(key, signature), toModulusLength(data, key.k))) throw signatureInvalid();
  },
  recover: (key: RsaKey, signature: Buffer): Buffer => signatureBlock(key, signature),
};

export const PSS = {
  sign(key: RsaKey, mHash: Buffer, options: PssOptions): Buffer {
    const em = emsaPssEncode(mHash, key.bits, options, randomBytes(options.saltLength));
    return rawPrivate(key, toModulusLength(em, key.k));
  },
  verify(key: RsaKey, mHash: Buffer, signature: Buffer, options: PssOptions): void {
    const block = signatureBlock(key, signature);
    // With modBits = 8(k-1) + 1 the encoding is one byte shorter than the block.
    const emLen = pssEncodedLength(key.bits);
    const head = block.subarray(0, key.k - emLen);
    if (head.some((b) => b !== 0) || !emsaPssVerify(mHash, block.subarray(key.k - emLen), key.bits, options)) throw signatureInvalid();
  },
};

/** The caller's hash for raw PSS must have the hash's length. */
export function checkHashLength(mHash: Buffer, options: PssParameters): void {
  if (mHash.length !== options.hashLength) throw new CKRError(K.CKR_DATA_LEN_RANGE, `the hash must be ${options.hashLength} bytes`);
}

export const OAEP = {
  encrypt(key: RsaKey, data: Buffer, options: OaepOptions): Buffer {
    checkLength(data, oaepCapacity(key.k, options.hash));
    if (options.hash === options.mgfHash) {
      return publicEncrypt({ key: key.key, padding: constants.RSA_PKCS1_OAEP_PADDING, ...nodeOaep(options) }, data);
    }
    const seed = randomBytes(createHash(options.hash).digest().length);
    return rawPublic(key, emeOaepEncode(data, key.k, options, seed));
  },
  /** OpenSSL's OAEP decoding (constant time) where it applies, ours otherwise; one answer to any failure. */
  decrypt(key: RsaKey, ciphertext: Buffer, options: OaepOptions): Buffer {
    if (options.hash !== options.mgfHash) return emeOaepDecode(decryptBlock(key, ciphertext), options);
    if (ciphertext.length !== key.k) throw new CKRError(K.CKR_ENCRYPTED_DATA_LEN_RANGE, 'the ciphertext must be as long as the modulus');
    try {
      return privateDecrypt({ key: key.key, padding: constants.RSA_PKCS1_OAEP_PADDING, ...nodeOaep(options) }, ciphertext);
    } catch {
      throw malformedCiphertext();
    }
  },
};

function nodeOaep(options: OaepOptions): { oaepHash: string; oaepLabel?: Buffer } {
  return options.label.length > 0 ? { oaepHash: options.hash, oaepLabel: options.label } : { oaepHash: options.hash };
}
