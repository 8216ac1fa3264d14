/**
 * AES authenticated encryption (spec "Additional AES mechanisms"): CKM_AES_GCM
 * and CKM_AES_CCM for C_Encrypt/C_Decrypt and C_WrapKey/C_UnwrapKey, and
 * CKM_AES_GMAC for C_Sign/C_Verify, all on node:crypto.
 *
 * GCM and CCM also serve the message-based functions (C_MessageEncryptInit
 * and kin) with CK_GCM_MESSAGE_PARAMS and CK_CCM_MESSAGE_PARAMS: the schemes
 * here supply the cryptography, message.ts the message machinery.
 *
 * Decryption never releases plaintext before the tag is checked: Update only
 * collects the ciphertext, and Decrypt or DecryptFinal returns the plaintext
 * once the whole message has authenticated. The AEAD machinery here is also
 * used by chacha20.ts.
 */
import {
  createCipheriv, createDecipheriv, randomFillSync, timingSafeEqual,
  type CipherCCMTypes, type CipherGCM, type CipherGCMTypes,
} from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import type { Cipher, KeyObject, Signer, Verifier } from './mechanism.js';
import {
  decryptMessages, encryptMessages, ivGeneration, NO_IV_GENERATION,
  type AeadScheme, type MessageParameter, type Sealer,
} from './message.js';
import { registerMechanism } from './registry.js';

const EMPTY = Buffer.alloc(0);

// ---- reading mechanism parameters ------------------------------------------------

function paramInvalid(detail: string): CKRError {
  return new CKRError(K.CKR_MECHANISM_PARAM_INVALID, detail);
}

/** A structure parameter: a plain object, not bytes or a number. */
export function paramStruct(parameter: unknown, name: string): Record<string, unknown> {
  if (typeof parameter !== 'object' || parameter === null || parameter instanceof Uint8Array || Array.isArray(parameter)) {
    throw paramInvalid(`${name} expected`);
  }
  return parameter as Record<string, unknown>;
}

/**
 * A byte-string field. The Buffer shares the caller's memory, so a field the
 * token fills in (a generated IV) reaches the caller. A missing optional field
 * (C's NULL pointer with length 0) is empty.
 */
export function bytesField(struct: Record<string, unknown>, field: string, optional = false): Buffer {
  const value = struct[field];
  if ((value === undefined || value === null) && optional) return EMPTY;
  if (!(value instanceof Uint8Array)) throw paramInvalid(`${field} must be a byte string`);
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** A CK_ULONG field. */
export function ulongField(struct: Record<string, unknown>, field: string, optional = false): number | undefined {
  const value = struct[field];
  if (value === undefined && optional) return undefined;
  if (!isUlong(value)) throw paramInvalid(`${field} must be a CK_ULONG`);
  return value;
}

export function isUlong(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Mechanisms without a parameter accept none (C's NULL, or a zero-length one). */
export function noParameter(parameter: unknown): void {
  if (parameter === undefined || parameter === null) return;
  if (parameter instanceof Uint8Array && parameter.length === 0) return;
  throw paramInvalid('this mechanism takes no parameter');
}

// ---- keys --------------------------------------------------------------------------

export function keyValue(key: KeyObject): Buffer {
  const value = key.attrs.get(K.CKA_VALUE);
  if (!Buffer.isBuffer(value)) throw new CKRError(K.CKR_KEY_TYPE_INCONSISTENT, 'the key has no value');
  return value;
}

/** What every AES mechanism shares: AES keys of 16, 24 or 32 bytes, sized in bytes. */
export const AES_KEYS = {
  keyTypes: [K.CKK_AES],
  minKeySize: 16,
  maxKeySize: 32,
  keySize: (attrs: AttributeMap) => (Buffer.isBuffer(attrs.get(K.CKA_VALUE)) ? (attrs.get(K.CKA_VALUE) as Buffer).length : 0),
} as const;

function aesBits(key: Buffer): 128 | 192 | 256 {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new CKRError(K.CKR_KEY_SIZE_RANGE);
  return (key.length * 8) as 128 | 192 | 256;
}

// ---- one AEAD message --------------------------------------------------------------

/** One message of a stream AEAD node:crypto runs (GCM, ChaCha20-Poly1305): everything but the data. */
export interface AeadMessage {
  algorithm: CipherGCMTypes | 'chacha20-poly1305';
  key: Buffer;
  iv: Buffer;
  aad: Buffer;
  /** Bytes of tag appended to the ciphertext. */
  tagLength: number;
}

function encryptor(m: AeadMessage) {
  // Node computes the full 16-byte tag; a shorter GCM tag is its leftmost bytes (SP 800-38D 7.1).
  const cipher = m.algorithm === 'chacha20-poly1305'
    ? createCipheriv(m.algorithm, m.key, m.iv, { authTagLength: 16 })
    : createCipheriv(m.algorithm, m.key, m.iv);
  cipher.setAAD(m.aad);
  return cipher;
}

function decryptor(m: AeadMessage) {
  // Two calls only so that TypeScript picks each algorithm's overload.
  return m.algorithm === 'chacha20-poly1305'
    ? createDecipheriv(m.algorithm, m.key, m.iv, { authTagLength: m.tagLength })
    : createDecipheriv(m.algorithm, m.key, m.iv, { authTagLength: m.tagLength });
}

export function seal(m: AeadMessage, plaintext: Buffer): Buffer {
  const cipher = encryptor(m);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag().subarray(0, m.tagLength)]);
}

/** The ciphertext's last tagLength bytes are the tag; any mismatch is CKR_ENCRYPTED_DATA_INVALID. */
export function open(m: AeadMessage, input: Buffer): Buffer {
  if (input.length < m.tagLength) throw new CKRError(K.CKR_ENCRYPTED_DATA_LEN_RANGE, 'shorter than the tag');
  const split = input.length - m.tagLength;
  return openDetached(m, input.subarray(0, split), input.subarray(split), K.CKR_ENCRYPTED_DATA_INVALID);
}

/**
 * Checks `tag` over the ciphertext and returns the plaintext; a mismatch is
 * `failure` (C_Decrypt and C_DecryptMessage name it differently), and the
 * plaintext computed is wiped, never returned.
 */
export function openDetached(m: AeadMessage, body: Buffer, tag: Buffer, failure: number): Buffer {
  const decipher = decryptor(m);
  decipher.setAAD(m.aad);
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(body);
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    throw new CKRError(failure, 'the tag does not match');
  }
  return plaintext;
}

/**
 * Encryption with a stream AEAD: Update returns ciphertext as it comes (the
 * output is as long as the input), Final returns the tag.
 */
export class StreamingSeal implements Cipher {
  private cipher?: ReturnType<typeof encryptor>;
  private tag?: Buffer;
  constructor(private readonly message: AeadMessage) {}

  updateLength(length: number): number {
    return length;
  }
  update(data: Buffer): Buffer {
    this.cipher ??= encryptor(this.message);
    return this.cipher.update(data);
  }
  finalLength(): number {
    return this.message.tagLength;
  }
  final(): Buffer {
    if (!this.tag) {
      this.cipher ??= encryptor(this.message);
      const rest = this.cipher.final(); // empty for a stream mode
      this.tag = Buffer.concat([rest, this.cipher.getAuthTag().subarray(0, this.message.tagLength)]);
    }
    return this.tag;
  }
  oneShotLength(length: number): number {
    return length + this.message.tagLength;
  }
  oneShot(data: Buffer): Buffer {
    return seal(this.message, data);
  }
}

/** One direction of an AEAD whose output comes only once all input is in. */
export interface WholeMessage {
  /** Output length for `length` bytes of input; a bound where the input is too short. */
  outputLength(length: number): number;
  /** Runs on a fresh cipher each time, so a repeated call gives the same answer. */
  run(input: Buffer): Buffer;
  /** Refuses input already longer than the message can be (CCM knows its length). */
  checkLength?(length: number): void;
}

/**
 * Update collects the input and returns nothing; Final runs the whole message.
 * For decryption that is what keeps unauthenticated plaintext in: the tag is
 * the input's end, so nothing is known good before Final.
 */
export class WholeMessageCipher implements Cipher {
  private parts: Buffer[] = [];
  private received = 0;
  private result?: Buffer;
  constructor(private readonly message: WholeMessage) {}

  updateLength(): number {
    return 0;
  }
  update(data: Buffer): Buffer {
    this.message.checkLength?.(this.received + data.length);
    // A copy: the caller may reuse its buffer between calls.
    this.parts.push(Buffer.from(data));
    this.received += data.length;
    return EMPTY;
  }
  finalLength(): number {
    return this.message.outputLength(this.received);
  }
  final(): Buffer {
    this.result ??= this.message.run(Buffer.concat(this.parts, this.received));
    return this.result;
  }
  oneShotLength(length: number): number {
    return this.message.outputLength(length);
  }
  oneShot(data: Buffer): Buffer {
    return this.message.run(data);
  }
}

/** Message-based encryption with a stream AEAD: the ciphertext comes as the data does, the tag at the end. */
export function streamSealer(message: AeadMessage): Sealer {
  const cipher = encryptor(message);
  return {
    streams: true,
    update: (data) => cipher.update(data),
    final: () => {
      const rest = cipher.final(); // empty for a stream mode
      return { rest, tag: cipher.getAuthTag().subarray(0, message.tagLength) };
    },
  };
}

export function streamingOpen(message: AeadMessage): Cipher {
  return new WholeMessageCipher({
    outputLength: (length) => Math.max(0, length - message.tagLength),
    run: (input) => open(message, input),
  });
}

// ---- GCM ---------------------------------------------------------------------------

/** SP 800-38D 5.2.1.2: tags of 128, 120, 112, 104 or 96 bits, and 64 or 32 for special uses. */
const GCM_TAG_BITS = new Set([32, 64, 96, 104, 112, 120, 128]);

/** The spec allows IVs of 1 to 2^32 - 1 bytes. */
const MAX_GCM_IV = 2 ** 32 - 1;

function gcmTagLength(struct: Record<string, unknown>): number {
  const bits = ulongField(struct, 'ulTagBits')!;
  if (!GCM_TAG_BITS.has(bits)) throw paramInvalid('ulTagBits must be 32, 64 or 96 to 128 in steps of 8');
  return bits / 8;
}

function gcmIv(struct: Record<string, unknown>): Buffer {
  const iv = bytesField(struct, 'pIv');
  if (iv.length < 1 || iv.length > MAX_GCM_IV) throw paramInvalid('the IV must be 1 to 2^32-1 bytes');
  // ulIvBits is obsolete (the spec says to use ulIvLen); checked for type only.
  ulongField(struct, 'ulIvBits', true);
  return iv;
}

function gcmMessage(key: KeyObject, struct: Record<string, unknown>, iv: Buffer): AeadMessage {
  const value = keyValue(key);
  return {
    algorithm: `aes-${aesBits(value)}-gcm` as CipherGCMTypes,
    key: value,
    // Copies: the operation must not change if the caller reuses its buffers.
    iv: Buffer.from(iv),
    aad: Buffer.from(bytesField(struct, 'pAAD', true)),
    tagLength: gcmTagLength(struct),
  };
}

/** CK_GCM_PARAMS { pIv, ulIvBits, pAAD, ulTagBits }. */
function gcmParams(key: KeyObject, parameter: unknown): AeadMessage {
  const struct = paramStruct(parameter, 'CK_GCM_PARAMS');
  return gcmMessage(key, struct, gcmIv(struct));
}

// ---- IV generation for C_WrapKey ------------------------------------------------------

/** SP 800-38D 8.2.2: a random IV needs a random field of at least 96 bits. */
const MIN_RANDOM_IV_BITS = 96;

/**
 * CK_GCM_WRAP_PARAMS and CK_CCM_WRAP_PARAMS let the token make the IV: it keeps
 * the ulIvFixedBits leading bits of the caller's buffer, fills the rest, and
 * the caller reads the whole IV back from that buffer. Counter generators need
 * a counter kept per key across calls, which a C_WrapKey call does not have.
 */
function generateIv(iv: Buffer, generator: number, fixedBits: number): void {
  if (generator === K.CKG_NO_GENERATE) return;
  if (generator !== K.CKG_GENERATE && generator !== K.CKG_GENERATE_RANDOM) {
    throw paramInvalid('only CKG_NO_GENERATE, CKG_GENERATE and CKG_GENERATE_RANDOM are supported here');
  }
  if (iv.length * 8 - fixedBits < MIN_RANDOM_IV_BITS) throw paramInvalid('a generated IV needs at least 96 free bits');
  const fixedBytes = Math.floor(fixedBits / 8);
  const keepBits = fixedBits % 8;
  const random = randomFillSync(Buffer.alloc(iv.length - fixedBytes));
  if (keepBits > 0) {
    const keepMask = (0xff << (8 - keepBits)) & 0xff;
    random[0] = (iv[fixedBytes]! & keepMask) | (random[0]! & ~keepMask & 0xff);
  }
  random.copy(iv, fixedBytes);
}

/** Generates the IV into the caller's buffer when the wrapping parameter asks for it. */
function wrapIv(struct: Record<string, unknown>, iv: Buffer, fixedField: string, generatorField: string): void {
  const generator = ulongField(struct, generatorField, true);
  if (generator === undefined) return;
  const fixedBits = ulongField(struct, fixedField, true) ?? 0;
  if (fixedBits > iv.length * 8) throw paramInvalid(`${fixedField} is longer than the IV`);
  generateIv(iv, generator, fixedBits);
}

/**
 * C_WrapKey takes CK_GCM_WRAP_PARAMS { pIv, ulIvFixedBits, ivGenerator, pAAD,
 * ulTagBits }; a CK_GCM_PARAMS (no generator) is taken too, as before 3.0.
 * C_UnwrapKey ignores the generator fields, as the spec says.
 */
function gcmWrap(key: KeyObject, parameter: unknown, keyBytes: Buffer): Buffer {
  const struct = paramStruct(parameter, 'CK_GCM_WRAP_PARAMS');
  const iv = gcmIv(struct);
  const message = gcmMessage(key, struct, iv);
  // Only once the whole parameter is valid is the caller's IV buffer written.
  wrapIv(struct, iv, 'ulIvFixedBits', 'ivGenerator');
  return seal({ ...message, iv: Buffer.from(iv) }, keyBytes);
}

/** A wrapped key too short to hold a tag is a length error, not a forgery. */
function gcmUnwrap(key: KeyObject, parameter: unknown, wrapped: Buffer): Buffer {
  const struct = paramStruct(parameter, 'CK_GCM_WRAP_PARAMS');
  const message = gcmMessage(key, struct, gcmIv(struct));
  if (wrapped.length <= message.tagLength) throw new CKRError(K.CKR_WRAPPED_KEY_LEN_RANGE);
  return open(message, wrapped);
}

/**
 * Message-based GCM. CK_GCM_MESSAGE_PARAMS { pIv, ulIvFixedBits, ivGenerator,
 * pTag, ulTagBits } comes with each message; the AAD comes as the message's
 * associated data. Encryption may have the token make the IV (message.ts).
 */
function gcmMessageScheme(key: KeyObject): AeadScheme {
  const value = keyValue(key);
  const algorithm = `aes-${aesBits(value)}-gcm` as CipherGCMTypes;
  const message = (iv: Buffer, aad: Buffer, p: MessageParameter): AeadMessage => ({ algorithm, key: value, iv, aad, tagLength: p.tagLength });
  return {
    read(parameter, encrypting) {
      const struct = paramStruct(parameter, 'CK_GCM_MESSAGE_PARAMS');
      const iv = bytesField(struct, 'pIv');
      if (iv.length < 1 || iv.length > MAX_GCM_IV) throw paramInvalid('the IV must be 1 to 2^32-1 bytes');
      const generation = encrypting ? ivGeneration(struct['ivGenerator'], struct['ulIvFixedBits'], iv.length) : NO_IV_GENERATION;
      return { iv, tagLength: gcmTagLength(struct), tag: bytesField(struct, 'pTag', true), ...generation };
    },
    sealer: (iv, aad, p) => streamSealer(message(iv, aad, p)),
    open: (iv, aad, p, ciphertext, tag) => openDetached(message(iv, aad, p), ciphertext, tag, K.CKR_AEAD_DECRYPT_FAILED),
  };
}

registerMechanism({
  type: K.CKM_AES_GCM,
  authenticatesAtFinal: true,
  ...AES_KEYS,
  extraFlags: K.CKF_MULTI_MESSAGE,
  encrypt: (key, parameter) => new StreamingSeal(gcmParams(key, parameter)),
  decrypt: (key, parameter) => streamingOpen(gcmParams(key, parameter)),
  messageEncrypt: (key, parameter) => encryptMessages(gcmMessageScheme(key), parameter),
  messageDecrypt: (key, parameter) => decryptMessages(gcmMessageScheme(key), parameter),
  wrap: gcmWrap,
  unwrap: gcmUnwrap,
});

// ---- GMAC --------------------------------------------------------------------------

/**
 * The GMAC parameter: CK_GCM_PARAMS whose pAAD stays empty (the data to sign
 * is the AAD), or, as in PKCS#11 2.40, a bare IV with a 128-bit tag.
 */
function gmacParams(key: KeyObject, parameter: unknown): AeadMessage {
  if (parameter instanceof Uint8Array) {
    return gcmMessage(key, { ulTagBits: 128 }, gcmIv({ pIv: parameter }));
  }
  const message = gcmParams(key, parameter);
  if (message.aad.length > 0) throw paramInvalid('GMAC authenticates the data given to C_Sign, not pAAD');
  return message;
}

/** GMAC is GCM with an empty plaintext: the data goes in as AAD, and the tag is the MAC. */
class Gmac {
  private readonly cipher: CipherGCM;
  constructor(private readonly message: AeadMessage) {
    this.cipher = createCipheriv(message.algorithm as CipherGCMTypes, message.key, message.iv);
  }
  update(data: Buffer): void {
    this.cipher.setAAD(data);
  }
  /** Ends the computation: call once. */
  tag(): Buffer {
    this.cipher.final();
    return this.cipher.getAuthTag().subarray(0, this.message.tagLength);
  }
}

function gmacOnce(message: AeadMessage, data: Buffer): Buffer {
  const gmac = new Gmac(message);
  gmac.update(data);
  return gmac.tag();
}

/** Constant-time MAC comparison; a signature of the wrong length is CKR_SIGNATURE_LEN_RANGE. */
export function checkMac(expected: Buffer, signature: Buffer): void {
  if (signature.length !== expected.length) throw new CKRError(K.CKR_SIGNATURE_LEN_RANGE);
  if (!timingSafeEqual(expected, signature)) throw new CKRError(K.CKR_SIGNATURE_INVALID);
}

function gmacSigner(message: AeadMessage): Signer {
  const gmac = new Gmac(message);
  let tag: Buffer | undefined;
  return {
    signatureLength: () => message.tagLength,
    update: (data) => gmac.update(data),
    final: () => (tag ??= gmac.tag()),
    oneShot: (data) => gmacOnce(message, data),
  };
}

function gmacVerifier(message: AeadMessage): Verifier {
  const gmac = new Gmac(message);
  return {
    update: (data) => gmac.update(data),
    final: (signature) => checkMac(gmac.tag(), signature),
    oneShot: (data, signature) => checkMac(gmacOnce(message, data), signature),
  };
}

registerMechanism({
  type: K.CKM_AES_GMAC,
  ...AES_KEYS,
  sign: (key, parameter) => gmacSigner(gmacParams(key, parameter)),
  verify: (key, parameter) => gmacVerifier(gmacParams(key, parameter)),
});

// ---- CCM ---------------------------------------------------------------------------

/** RFC 3610 / SP 800-38C as the spec restricts them: MACs of 4 to 16 bytes, even; nonces of 7 to 13 bytes. */
const CCM_MAC_LENGTHS = new Set([4, 6, 8, 10, 12, 14, 16]);

interface CcmMessage {
  algorithm: CipherCCMTypes;
  key: Buffer;
  nonce: Buffer;
  aad: Buffer;
  macLength: number;
}

function ccmNonce(struct: Record<string, unknown>): Buffer {
  const nonce = bytesField(struct, 'pNonce');
  if (nonce.length < 7 || nonce.length > 13) throw paramInvalid('the nonce must be 7 to 13 bytes');
  return nonce;
}

function ccmMacLength(struct: Record<string, unknown>): number {
  const macLength = ulongField(struct, 'ulMACLen')!;
  if (!CCM_MAC_LENGTHS.has(macLength)) throw paramInvalid('ulMACLen must be 4, 6, 8, 10, 12, 14 or 16');
  return macLength;
}

function ccmMessage(key: KeyObject, struct: Record<string, unknown>, nonce: Buffer): CcmMessage {
  const value = keyValue(key);
  const macLength = ccmMacLength(struct);
  return {
    algorithm: `aes-${aesBits(value)}-ccm` as CipherCCMTypes,
    key: value,
    // Copies: the operation must not change if the caller reuses its buffers.
    nonce: Buffer.from(nonce),
    aad: Buffer.from(bytesField(struct, 'pAAD', true)),
    macLength,
  };
}

/** The length field takes the L = 15 - nonce length bytes the nonce leaves: the data must fit in it. */
function checkCcmDataLength(nonce: Buffer, dataLength: number, code: number): void {
  const lengthBytes = 15 - nonce.length;
  if (lengthBytes < 7 && dataLength >= 2 ** (8 * lengthBytes)) {
    throw new CKRError(code, 'the data is too long for this nonce length');
  }
}

function ccmSealDetached(m: CcmMessage, plaintext: Buffer): { body: Buffer; mac: Buffer } {
  const cipher = createCipheriv(m.algorithm, m.key, m.nonce, { authTagLength: m.macLength });
  cipher.setAAD(m.aad, { plaintextLength: plaintext.length });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { body, mac: cipher.getAuthTag() };
}

function ccmSeal(m: CcmMessage, plaintext: Buffer): Buffer {
  const { body, mac } = ccmSealDetached(m, plaintext);
  return Buffer.concat([body, mac]);
}

/** As openDetached: a mismatch is `failure`, and no plaintext leaves. */
function ccmOpenDetached(m: CcmMessage, body: Buffer, mac: Buffer, failure: number): Buffer {
  const decipher = createDecipheriv(m.algorithm, m.key, m.nonce, { authTagLength: m.macLength });
  decipher.setAuthTag(mac);
  decipher.setAAD(m.aad, { plaintextLength: body.length });
  const plaintext = decipher.update(body);
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    throw new CKRError(failure, 'the MAC does not match');
  }
  return plaintext;
}

function ccmOpen(m: CcmMessage, input: Buffer): Buffer {
  const split = input.length - m.macLength;
  return ccmOpenDetached(m, input.subarray(0, split), input.subarray(split), K.CKR_ENCRYPTED_DATA_INVALID);
}

/**
 * CK_CCM_PARAMS { ulDataLen, pNonce, pAAD, ulMACLen }. CCM needs the data
 * length before it starts, so the total input must be exactly ulDataLen
 * (plus the MAC when decrypting); all output comes from Final.
 */
function ccmParams(key: KeyObject, parameter: unknown): { message: CcmMessage; dataLength: number } {
  const struct = paramStruct(parameter, 'CK_CCM_PARAMS');
  const dataLength = ulongField(struct, 'ulDataLen')!;
  const message = ccmMessage(key, struct, ccmNonce(struct));
  checkCcmDataLength(message.nonce, dataLength, K.CKR_MECHANISM_PARAM_INVALID);
  return { message, dataLength };
}

function ccmExactly(expected: number, code: number): (length: number) => void {
  return (length) => {
    if (length !== expected) throw new CKRError(code, `the message must be ${expected} bytes, as the parameter says`);
  };
}

function ccmAtMost(limit: number, code: number): (length: number) => void {
  return (length) => {
    if (length > limit) throw new CKRError(code, `the message must be ${limit} bytes, as the parameter says`);
  };
}

function ccmEncrypt(key: KeyObject, parameter: unknown): Cipher {
  const { message, dataLength } = ccmParams(key, parameter);
  const exact = ccmExactly(dataLength, K.CKR_DATA_LEN_RANGE);
  return new WholeMessageCipher({
    outputLength: (length) => length + message.macLength,
    checkLength: ccmAtMost(dataLength, K.CKR_DATA_LEN_RANGE),
    run: (input) => {
      exact(input.length);
      return ccmSeal(message, input);
    },
  });
}

function ccmDecrypt(key: KeyObject, parameter: unknown): Cipher {
  const { message, dataLength } = ccmParams(key, parameter);
  const total = dataLength + message.macLength;
  const exact = ccmExactly(total, K.CKR_ENCRYPTED_DATA_LEN_RANGE);
  return new WholeMessageCipher({
    outputLength: (length) => Math.max(0, length - message.macLength),
    checkLength: ccmAtMost(total, K.CKR_ENCRYPTED_DATA_LEN_RANGE),
    run: (input) => {
      exact(input.length);
      return ccmOpen(message, input);
    },
  });
}

/**
 * C_WrapKey and C_UnwrapKey take CK_CCM_WRAP_PARAMS { ulDataLen, pNonce,
 * ulNonceFixedBits, nonceGenerator, pAAD, ulMACLen }; the spec has tokens
 * ignore ulDataLen and take the length from the key or the wrapped bytes.
 */
function ccmWrapParams(key: KeyObject, parameter: unknown): { message: CcmMessage; struct: Record<string, unknown>; nonce: Buffer } {
  const struct = paramStruct(parameter, 'CK_CCM_WRAP_PARAMS');
  const nonce = ccmNonce(struct);
  return { message: ccmMessage(key, struct, nonce), struct, nonce };
}

function ccmWrap(key: KeyObject, parameter: unknown, keyBytes: Buffer): Buffer {
  const { message, struct, nonce } = ccmWrapParams(key, parameter);
  checkCcmDataLength(message.nonce, keyBytes.length, K.CKR_MECHANISM_PARAM_INVALID);
  // Only once the whole parameter is valid is the caller's nonce buffer written.
  wrapIv(struct, nonce, 'ulNonceFixedBits', 'nonceGenerator');
  return ccmSeal({ ...message, nonce: Buffer.from(nonce) }, keyBytes);
}

function ccmUnwrap(key: KeyObject, parameter: unknown, wrapped: Buffer): Buffer {
  const { message } = ccmWrapParams(key, parameter);
  if (wrapped.length <= message.macLength) throw new CKRError(K.CKR_WRAPPED_KEY_LEN_RANGE);
  checkCcmDataLength(message.nonce, wrapped.length - message.macLength, K.CKR_WRAPPED_KEY_LEN_RANGE);
  return ccmOpen(message, wrapped);
}

/**
 * Message-based CCM. CK_CCM_MESSAGE_PARAMS { ulDataLen, pNonce,
 * ulNonceFixedBits, nonceGenerator, pMAC, ulMACLen } comes with each message;
 * the AAD comes as the message's associated data. The ciphertext is exactly
 * ulDataLen bytes (the MAC travels in pMAC). Node's CCM takes the whole
 * message at once, so encryption returns its ciphertext with the last part.
 */
function ccmMessageScheme(key: KeyObject): AeadScheme {
  const value = keyValue(key);
  const algorithm = `aes-${aesBits(value)}-ccm` as CipherCCMTypes;
  const message = (nonce: Buffer, aad: Buffer, p: MessageParameter): CcmMessage => ({ algorithm, key: value, nonce, aad, macLength: p.tagLength });
  return {
    read(parameter, encrypting) {
      const struct = paramStruct(parameter, 'CK_CCM_MESSAGE_PARAMS');
      const nonce = ccmNonce(struct);
      const macLength = ccmMacLength(struct);
      const dataLength = ulongField(struct, 'ulDataLen')!;
      checkCcmDataLength(nonce, dataLength, K.CKR_MECHANISM_PARAM_INVALID);
      const generation = encrypting ? ivGeneration(struct['nonceGenerator'], struct['ulNonceFixedBits'], nonce.length) : NO_IV_GENERATION;
      return { iv: nonce, tagLength: macLength, tag: bytesField(struct, 'pMAC', true), dataLength, ...generation };
    },
    sealer(nonce, aad, p): Sealer {
      const parts: Buffer[] = [];
      return {
        streams: false,
        update: (data) => {
          // A copy: the caller may reuse its buffer between calls.
          parts.push(Buffer.from(data));
          return EMPTY;
        },
        final: () => {
          const { body, mac } = ccmSealDetached(message(nonce, aad, p), Buffer.concat(parts));
          return { rest: body, tag: mac };
        },
      };
    },
    open: (nonce, aad, p, ciphertext, mac) => ccmOpenDetached(message(nonce, aad, p), ciphertext, mac, K.CKR_AEAD_DECRYPT_FAILED),
  };
}

registerMechanism({
  type: K.CKM_AES_CCM,
  authenticatesAtFinal: true,
  ...AES_KEYS,
  extraFlags: K.CKF_MULTI_MESSAGE,
  encrypt: ccmEncrypt,
  decrypt: ccmDecrypt,
  messageEncrypt: (key, parameter) => encryptMessages(ccmMessageScheme(key), parameter),
  messageDecrypt: (key, parameter) => decryptMessages(ccmMessageScheme(key), parameter),
  wrap: ccmWrap,
  unwrap: ccmUnwrap,
});
