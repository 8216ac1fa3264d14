/**
 * ChaCha20 keys and the ChaCha20-Poly1305 AEAD (spec "ChaCha20" and
 * "ChaCha20/Poly1305 and Salsa20/Poly1305"): CKM_CHACHA20_KEY_GEN and
 * CKM_CHACHA20_POLY1305 for C_Encrypt/C_Decrypt, on node:crypto's RFC 8439
 * construction, also for the message-based functions with
 * CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS. Like GCM, encryption streams and
 * decryption returns plaintext only once the tag has checked.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import type { KeyObject } from './mechanism.js';
import { decryptMessages, encryptMessages, NO_IV_GENERATION, type AeadScheme } from './message.js';
import { registerMechanism } from './registry.js';
import {
  bytesField, keyValue, noParameter, openDetached, paramStruct, StreamingSeal, streamingOpen, streamSealer, type AeadMessage,
} from './aes-aead.js';

/** The key length is fixed at 256 bits. */
const KEY_BYTES = 32;
const TAG_BYTES = 16;
/** RFC 8439 (the spec's "IETF" variant) has a 96-bit nonce; node:crypto has only that variant. */
const NONCE_BYTES = 12;

const CHACHA20_KEYS = {
  keyTypes: [K.CKK_CHACHA20],
  minKeySize: KEY_BYTES,
  maxKeySize: KEY_BYTES,
  keySize: (attrs: AttributeMap) => (Buffer.isBuffer(attrs.get(K.CKA_VALUE)) ? (attrs.get(K.CKA_VALUE) as Buffer).length : 0),
} as const;

/** CKA_CHECK_VALUE of a ChaCha20 key: the first three bytes of SHA-1 of its value. */
function checkValue(value: Buffer): Buffer {
  return createHash('sha1').update(value).digest().subarray(0, 3);
}

function generateKey(parameter: unknown, template: AttributeMap): AttributeMap {
  noParameter(parameter);
  const asked = template.get(K.CKA_VALUE_LEN);
  if (asked !== undefined && asked !== KEY_BYTES) {
    throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'ChaCha20 keys are 32 bytes');
  }
  const value = randomBytes(KEY_BYTES);
  return new Map<number, Buffer | number>([
    [K.CKA_KEY_TYPE, K.CKK_CHACHA20],
    [K.CKA_VALUE, value],
    // CKA_VALUE_LEN is the token's to set: echoed so a template that names it is accepted.
    [K.CKA_VALUE_LEN, KEY_BYTES],
    [K.CKA_CHECK_VALUE, checkValue(value)],
  ]);
}

registerMechanism({
  type: K.CKM_CHACHA20_KEY_GEN,
  minKeySize: KEY_BYTES,
  maxKeySize: KEY_BYTES,
  generateKey,
});

/**
 * CK_SALSA20_CHACHA20_POLY1305_PARAMS { pNonce, pAAD }. The spec lets the
 * nonce length pick a variant (64-bit original, 96-bit IETF, 192-bit
 * XChaCha20); only the IETF one is offered.
 */
function poly1305Params(key: KeyObject, parameter: unknown): AeadMessage {
  const struct = paramStruct(parameter, 'CK_SALSA20_CHACHA20_POLY1305_PARAMS');
  const nonce = poly1305Nonce(struct);
  // Copies: the operation must not change if the caller reuses its buffers.
  const aad = Buffer.from(bytesField(struct, 'pAAD', true));
  return { algorithm: 'chacha20-poly1305', key: chachaKey(key), iv: Buffer.from(nonce), aad, tagLength: TAG_BYTES };
}

function poly1305Nonce(struct: Record<string, unknown>): Buffer {
  const nonce = bytesField(struct, 'pNonce');
  if (nonce.length !== NONCE_BYTES) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'only the 96-bit (RFC 8439) nonce is supported');
  }
  return nonce;
}

function chachaKey(key: KeyObject): Buffer {
  const value = keyValue(key);
  if (value.length !== KEY_BYTES) throw new CKRError(K.CKR_KEY_SIZE_RANGE);
  return value;
}

/**
 * Message-based ChaCha20-Poly1305: CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS
 * { pNonce, pTag } comes with each message (the nonce is always the caller's:
 * the structure has no generator), the AAD as the message's associated data,
 * and the 16-byte tag goes to or comes from pTag.
 */
function poly1305MessageScheme(key: KeyObject): AeadScheme {
  const value = chachaKey(key);
  return {
    read(parameter) {
      const struct = paramStruct(parameter, 'CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS');
      return { iv: poly1305Nonce(struct), tagLength: TAG_BYTES, tag: bytesField(struct, 'pTag', true), ...NO_IV_GENERATION };
    },
    sealer: (nonce, aad) => streamSealer({ algorithm: 'chacha20-poly1305', key: value, iv: nonce, aad, tagLength: TAG_BYTES }),
    open: (nonce, aad, _p, ciphertext, tag) =>
      openDetached({ algorithm: 'chacha20-poly1305', key: value, iv: nonce, aad, tagLength: TAG_BYTES }, ciphertext, tag, K.CKR_AEAD_DECRYPT_FAILED),
  };
}

registerMechanism({
  type: K.CKM_CHACHA20_POLY1305,
  authenticatesAtFinal: true,
  ...CHACHA20_KEYS,
  extraFlags: K.CKF_MULTI_MESSAGE,
  encrypt: (key, parameter) => new StreamingSeal(poly1305Params(key, parameter)),
  decrypt: (key, parameter) => streamingOpen(poly1305Params(key, parameter)),
  messageEncrypt: (key, parameter) => encryptMessages(poly1305MessageScheme(key), parameter),
  messageDecrypt: (key, parameter) => decryptMessages(poly1305MessageScheme(key), parameter),
});
