/**
 * AES key wrap (spec section "AES Key Wrap"): CKM_AES_KEY_WRAP (SP 800-38F
 * KW, RFC 3394) and CKM_AES_KEY_WRAP_KWP (KWP, RFC 5649; also under its deprecated
 * name CKM_AES_KEY_WRAP_PAD), for wrapping and
 * unwrapping keys and for single-part encryption and decryption. node:crypto
 * has both as the id-aesNNN-wrap and id-aesNNN-wrap-pad ciphers.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { Cipher } from './mechanism.js';
import { keyValue, lengthError, valueLength, type Direction } from './aes.js';
import { registerMechanism } from './registry.js';

interface WrapVariant {
  type: number;
  /** node:crypto's name suffix: id-aes128-wrap, id-aes128-wrap-pad. */
  suffix: string;
  /** The default initial value (RFC 3394 section 2.2.3.1, RFC 5649 section 3), and so the length of an explicit one. */
  defaultIv: Buffer;
  /** Whether a plaintext of this length can be wrapped. */
  plaintextFits(length: number): boolean;
  /** Whether a ciphertext of this length can be unwrapped. */
  ciphertextFits(length: number): boolean;
  wrappedLength(length: number): number;
}

const KW: WrapVariant = {
  type: K.CKM_AES_KEY_WRAP,
  suffix: 'wrap',
  defaultIv: Buffer.from('a6a6a6a6a6a6a6a6', 'hex'),
  // At least two semiblocks, whole semiblocks only.
  plaintextFits: (length) => length >= 16 && length % 8 === 0,
  ciphertextFits: (length) => length >= 24 && length % 8 === 0,
  wrappedLength: (length) => length + 8,
};

/** RFC 5649 carries the length in 32 bits. */
const KWP_MAX = 0xffff_ffff;

const KWP: WrapVariant = {
  type: K.CKM_AES_KEY_WRAP_KWP,
  suffix: 'wrap-pad',
  defaultIv: Buffer.from('a65959a6', 'hex'),
  plaintextFits: (length) => length >= 1 && length <= KWP_MAX,
  ciphertextFits: (length) => length >= 16 && length % 8 === 0,
  wrappedLength: (length) => Math.ceil(length / 8) * 8 + 8,
};

/** The optional parameter: NULL for the default initial value, else exactly its length. */
function initialValue(variant: WrapVariant, parameter: unknown): Buffer {
  if (parameter === undefined || parameter === null) return variant.defaultIv;
  if (parameter instanceof Uint8Array) {
    if (parameter.length === 0) return variant.defaultIv;
    if (parameter.length === variant.defaultIv.length) return Buffer.from(parameter);
  }
  throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, `the initial value must be ${variant.defaultIv.length} bytes`);
}

const singlePartOnly = (): never => {
  throw new CKRError(K.CKR_FUNCTION_NOT_SUPPORTED, 'AES key wrap is single-part only');
};

/** Single-part only (the spec says so); the core refuses Update/Final before they get here. */
class KeyWrapCipher implements Cipher {
  constructor(
    private readonly variant: WrapVariant, private readonly key: Buffer, private readonly direction: Direction,
    private readonly iv: Buffer,
  ) {}

  updateLength = singlePartOnly;
  update = singlePartOnly;
  finalLength = singlePartOnly;
  final = singlePartOnly;

  oneShotLength(length: number): number {
    if (this.direction === 'encrypt') {
      if (!this.variant.plaintextFits(length)) throw lengthError('encrypt');
      return this.variant.wrappedLength(length);
    }
    if (!this.variant.ciphertextFits(length)) throw lengthError('decrypt');
    // KWP: an upper bound; the padding length is known only after unwrapping.
    return length - 8;
  }

  oneShot(data: Buffer): Buffer {
    this.oneShotLength(data.length);
    const name = `id-aes${this.key.length * 8}-${this.variant.suffix}`;
    try {
      const c = this.direction === 'encrypt' ? createCipheriv(name, this.key, this.iv) : createDecipheriv(name, this.key, this.iv);
      return Buffer.concat([c.update(data), c.final()]);
    } catch {
      // The integrity check or the padding failed: one answer for all of it.
      throw new CKRError(this.direction === 'encrypt' ? K.CKR_FUNCTION_FAILED : K.CKR_ENCRYPTED_DATA_INVALID);
    }
  }
}

function registerWrap(variant: WrapVariant): void {
  const cipher = (key: Buffer, direction: Direction, parameter: unknown) =>
    new KeyWrapCipher(variant, key, direction, initialValue(variant, parameter));
  registerMechanism({
    type: variant.type, minKeySize: 16, maxKeySize: 32, keyTypes: [K.CKK_AES], keySize: valueLength, multiPart: false,
    encrypt: (key, parameter) => cipher(keyValue(key), 'encrypt', parameter),
    decrypt: (key, parameter) => cipher(keyValue(key), 'decrypt', parameter),
    wrap(key, parameter, keyBytes) {
      const c = cipher(keyValue(key), 'encrypt', parameter);
      // Zero-padding a key to a semiblock could not be undone on unwrap, so KW takes only whole semiblocks.
      if (!variant.plaintextFits(keyBytes.length)) throw new CKRError(K.CKR_KEY_SIZE_RANGE, 'this mechanism cannot wrap a key of this length');
      return c.oneShot(keyBytes);
    },
    unwrap(key, parameter, wrapped) {
      const c = cipher(keyValue(key), 'decrypt', parameter);
      if (!variant.ciphertextFits(wrapped.length)) throw new CKRError(K.CKR_WRAPPED_KEY_LEN_RANGE);
      try {
        return c.oneShot(wrapped);
      } catch {
        throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
      }
    },
  });
}

registerWrap(KW);
registerWrap(KWP);
// Deprecated in 3.x for its ambiguity; SoftHSM and the Node libraries over it (pkcs11js,
// graphene-pk11) use it as RFC 5649, which is what KWP is.
registerWrap({ ...KWP, type: K.CKM_AES_KEY_WRAP_PAD });
