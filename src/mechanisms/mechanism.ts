/**
 * What a mechanism family implements. The core does everything generic (the
 * session state machine, key lookup and usage checks, templates, output length
 * conventions); a mechanism only turns parameters, key attributes and bytes
 * into bytes, and throws CKRError for what is wrong with them.
 *
 * Mechanism parameters are plain objects whose fields carry the C structure's
 * field names (CK_GCM_PARAMS -> { pIv, ulIvBits, pAAD, ulTagBits }); byte
 * strings are Buffers, and a length field that only gives a Buffer's length is
 * left out. A parameter that is a bare byte string in C (an IV) is a Buffer.
 * An output field of a parameter (a generated IV, a tag) is written into the
 * caller's Buffer in place, as C writes through the pointer.
 *
 * The core may call oneShot(), final() and the *Length() methods again after
 * answering CKR_BUFFER_TOO_SMALL, so they must not consume state they need.
 */
import type { AttributeMap } from '../pkcs11/attributes.js';
import type { MessageCipher } from './message.js';

/** A key as a mechanism sees it: every attribute, key material included. */
export interface KeyObject {
  attrs: AttributeMap;
}

/** An encryption or decryption in progress. */
export interface Cipher {
  /** Exact output of update() for `length` more bytes of input. */
  updateLength(length: number): number;
  update(data: Buffer): Buffer;
  /** Output of final(); an upper bound where only decrypting tells (padding). */
  finalLength(): number;
  /** Must be repeatable: after CKR_BUFFER_TOO_SMALL the caller calls it again. */
  final(): Buffer;
  /** Single-part output bound for `length` bytes of input (for length queries). */
  oneShotLength(length: number): number;
  oneShot(data: Buffer): Buffer;
  saveState?(): Buffer;
}

export interface Signer {
  /** Exact length of the signature or MAC. */
  signatureLength(): number;
  update(data: Buffer): void;
  /** Must be repeatable (see Cipher.final). */
  final(): Buffer;
  oneShot(data: Buffer): Buffer;
  saveState?(): Buffer;
}

export interface Verifier {
  update(data: Buffer): void;
  /** Throws CKRError(CKR_SIGNATURE_INVALID) or (CKR_SIGNATURE_LEN_RANGE). */
  final(signature: Buffer): void;
  oneShot(data: Buffer, signature: Buffer): void;
  saveState?(): Buffer;
}

/** Sign with recovery / verify with recovery: single-part only. */
export interface Recoverer {
  /** Upper bound of the output. */
  outputLength(): number;
  run(input: Buffer): Buffer;
}

export interface KeyPair {
  publicKey: AttributeMap;
  privateKey: AttributeMap;
}

/** A key derived beside C_DeriveKey's own, from a template in the parameter (SP 800-108's CK_DERIVED_KEY). */
export interface AdditionalDerivedKey {
  /** Its template, completed by the `keyTemplate` the core gave derive(). */
  template: AttributeMap;
  computed: AttributeMap;
  /** Hands the new key's handle back to the caller (CK_INVALID_HANDLE marks a template that failed). */
  deliver(handle: number): void;
}

/** What derive() returns when the parameter asks for more than one key. */
export interface DerivedKeys {
  key: AttributeMap;
  additional: AdditionalDerivedKey[];
}

export interface Mechanism {
  type: number;
  /** C_GetMechanismInfo key sizes, in the unit the spec gives for this mechanism (bits or bytes). */
  minKeySize: number;
  maxKeySize: number;
  /** Flags beyond those the functions below imply (CKF_EC_*, CKF_MULTI_MESSAGE...). */
  extraFlags?: number;
  /** Key types it works with; another gives CKR_KEY_TYPE_INCONSISTENT. */
  keyTypes?: readonly number[];
  /** A key's size in the unit of minKeySize/maxKeySize; outside the range gives CKR_KEY_SIZE_RANGE. */
  keySize?(key: AttributeMap): number;
  /** False for mechanisms the spec allows only single-part (raw RSA, CKM_ECDSA...). Default true. */
  multiPart?: boolean;
  /** Decryption releases no plaintext before its final step (AEAD): no dual-function decryption. */
  authenticatesAtFinal?: true;

  encrypt?(key: KeyObject, parameter: unknown): Cipher;
  decrypt?(key: KeyObject, parameter: unknown): Cipher;
  sign?(key: KeyObject, parameter: unknown): Signer;
  verify?(key: KeyObject, parameter: unknown): Verifier;
  signRecover?(key: KeyObject, parameter: unknown): Recoverer;
  verifyRecover?(key: KeyObject, parameter: unknown): Recoverer;
  digest?: true;
  /**
   * C_MessageEncryptInit / C_MessageDecryptInit: the Init parameter is given
   * for checking; each message brings its own (see message.ts). A mechanism
   * that also takes C_Encrypt/DecryptMessageBegin says CKF_MULTI_MESSAGE in extraFlags.
   */
  messageEncrypt?(key: KeyObject, parameter: unknown): MessageCipher;
  messageDecrypt?(key: KeyObject, parameter: unknown): MessageCipher;

  /**
   * C_GenerateKey: the attributes the mechanism computes (CKA_VALUE,
   * CKA_VALUE_LEN, CKA_KEY_TYPE, CKA_CHECK_VALUE...), from the template's
   * requests (CKA_VALUE_LEN...). The core completes and stores the object.
   */
  generateKey?(parameter: unknown, template: AttributeMap): AttributeMap;
  generateKeyPair?(parameter: unknown, publicTemplate: AttributeMap, privateTemplate: AttributeMap): KeyPair;
  /** Encrypts a key's bytes (its CKA_VALUE, or PKCS#8 for private keys: the core encodes). */
  wrap?(wrappingKey: KeyObject, parameter: unknown, keyBytes: Buffer): Buffer;
  unwrap?(unwrappingKey: KeyObject, parameter: unknown, wrapped: Buffer): Buffer;
  /**
   * C_DeriveKey: the new key's computed attributes (CKA_VALUE at least), or
   * those of several keys. `otherKey` resolves a key handle found in the
   * parameter (checked by the core like the base key: visible, a secret key
   * with CKA_DERIVE); `keyTemplate` completes a template found in the parameter
   * as the core completes C_DeriveKey's own (class, the base key's CKA_DERIVE_TEMPLATE).
   */
  derive?(
    baseKey: KeyObject, parameter: unknown, template: AttributeMap,
    otherKey: (handle: unknown) => KeyObject, keyTemplate: (raw: unknown) => AttributeMap,
  ): AttributeMap | DerivedKeys;
  /** The derivation makes a data object (CKO_DATA with the result as CKA_VALUE), not a key: CKM_HKDF_DATA. */
  derivesData?: true;
  encapsulate?(publicKey: KeyObject, parameter: unknown): { ciphertext: Buffer; secret: Buffer };
  decapsulate?(privateKey: KeyObject, parameter: unknown, ciphertext: Buffer): Buffer;
}
