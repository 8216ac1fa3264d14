/**
 * Double- and triple-length DES (spec section "Double and Triple-length DES"):
 * key generation with odd parity, check values, and ECB, CBC and CBC with
 * PKCS#7 padding for encryption and key wrapping. node:crypto (OpenSSL 3's
 * default provider) still has des-ede3 and des-ede; the block-mode machinery
 * is the AES family's.
 */
import { randomBytes } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { checkValue, generatedSecretKey, noParameter, registerBlockModes, type BlockCipher } from './aes.js';
import { registerCheckValue, registerImportCheck } from '../core/object-policy.js';
import { registerMechanism } from './registry.js';

/** Three-key TDEA for 24-byte keys, two-key (K1 = K3) for 16-byte DES2 keys. */
export const DES3: BlockCipher = {
  blockSize: 8,
  nodeName(keyLength, mode) {
    const base = keyLength === 16 ? 'des-ede' : 'des-ede3';
    return `${base}-${mode}`;
  },
};

/** FIPS 46-3: the low bit of each byte makes the count of ones odd. */
export function setOddParity(key: Buffer): Buffer {
  for (let i = 0; i < key.length; i++) {
    const high = key[i]! & 0xfe;
    let ones = 0;
    for (let b = high; b; b >>= 1) ones += b & 1;
    key[i] = high | (ones % 2 === 0 ? 1 : 0);
  }
  return key;
}

/**
 * A random key of `parts` DES keys with odd parity. Equal neighbouring parts
 * would collapse the triple encryption to single DES, so they are drawn again.
 */
function randomDesKey(parts: number): Buffer {
  for (;;) {
    const key = setOddParity(randomBytes(parts * 8));
    const part = (i: number) => key.subarray(i * 8, i * 8 + 8);
    let degenerate = false;
    for (let i = 1; i < parts; i++) degenerate ||= part(i).equals(part(i - 1));
    if (!degenerate) return key;
  }
}

export const des3CheckValue = (key: Buffer): Buffer => checkValue(DES3, key);
registerCheckValue(K.CKK_DES3, des3CheckValue);
registerCheckValue(K.CKK_DES2, des3CheckValue);

/** The spec: "Attempting to create or unwrap a DES2 [DES3] key with incorrect parity will return an error." */
function checkParity(attrs: AttributeMap): void {
  const value = attrs.get(K.CKA_VALUE);
  if (Buffer.isBuffer(value) && !setOddParity(Buffer.from(value)).equals(value)) {
    throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'every byte of a DES key must have odd parity');
  }
}
registerImportCheck(K.CKK_DES3, checkParity);
registerImportCheck(K.CKK_DES2, checkParity);

function keyGenerator(keyType: number, parts: number) {
  return (parameter: unknown, template: AttributeMap): AttributeMap => {
    noParameter(parameter);
    const value = randomDesKey(parts);
    return generatedSecretKey(keyType, value, template, des3CheckValue(value));
  };
}

// Key sizes in bytes, as for AES: a DES2 key is 16, a DES3 key 24.
registerMechanism({ type: K.CKM_DES3_KEY_GEN, minKeySize: 24, maxKeySize: 24, generateKey: keyGenerator(K.CKK_DES3, 3) });
registerMechanism({ type: K.CKM_DES2_KEY_GEN, minKeySize: 16, maxKeySize: 16, generateKey: keyGenerator(K.CKK_DES2, 2) });

registerBlockModes(DES3, [K.CKK_DES3, K.CKK_DES2], 16, 24, { ecb: K.CKM_DES3_ECB, cbc: K.CKM_DES3_CBC, cbcPad: K.CKM_DES3_CBC_PAD });
