/**
 * Key derivation by data encryption (spec "Key derivation by data encryption –
 * DES & AES"): the new key's value is the base key's ECB or CBC encryption of
 * the caller's data, cut from the trailing end to the length the template
 * asks for. The data must fill whole blocks (no padding). Protection is
 * inherited as in the SHA-1 key derivation: a sensitive base makes a sensitive
 * key, an unextractable base an unextractable one.
 */
import { createCipheriv } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { AES, type BlockCipher } from './aes.js';
import { DES3 } from './des3.js';
import { baseKeyValue, bytesField, derivedKeyAttributes, derivedKeyShape, parameterObject } from './kdf-derived-key.js';
import { inheritProtection } from './kdf-simple.js';
import type { KeyObject } from './mechanism.js';
import { registerMechanism } from './registry.js';

function paramInvalid(detail: string): CKRError {
  return new CKRError(K.CKR_MECHANISM_PARAM_INVALID, detail);
}

function wholeBlocks(data: Buffer, block: number): Buffer {
  if (data.length === 0 || data.length % block !== 0) throw paramInvalid(`the data must be a non-empty multiple of ${block} bytes`);
  return data;
}

/** ECB: CK_KEY_DERIVATION_STRING_DATA { pData }. */
function ecbInput(parameter: unknown, block: number): { iv: null; data: Buffer } {
  return { iv: null, data: wholeBlocks(bytesField(parameterObject(parameter, 'CK_KEY_DERIVATION_STRING_DATA'), 'pData'), block) };
}

/** CBC: CK_AES_CBC_ENCRYPT_DATA_PARAMS / CK_DES_CBC_ENCRYPT_DATA_PARAMS { iv, pData }. */
function cbcInput(parameter: unknown, block: number): { iv: Buffer; data: Buffer } {
  const p = parameterObject(parameter, block === 16 ? 'CK_AES_CBC_ENCRYPT_DATA_PARAMS' : 'CK_DES_CBC_ENCRYPT_DATA_PARAMS');
  const iv = bytesField(p, 'iv');
  if (iv.length !== block) throw paramInvalid(`iv must be ${block} bytes`);
  return { iv, data: wholeBlocks(bytesField(p, 'pData'), block) };
}

function register(type: number, keyType: number, cipher: BlockCipher, mode: 'ecb' | 'cbc', keySizes: [number, number]): void {
  const input = mode === 'ecb' ? ecbInput : cbcInput;
  registerMechanism({
    type,
    minKeySize: keySizes[0],
    maxKeySize: keySizes[1],
    keyTypes: [keyType],
    keySize: (attrs: AttributeMap) => (attrs.get(K.CKA_VALUE) as Buffer | undefined)?.length ?? 0,
    derive(baseKey: KeyObject, parameter: unknown, template: AttributeMap): AttributeMap {
      const key = baseKeyValue(baseKey.attrs);
      const { iv, data } = input(parameter, cipher.blockSize);
      const encryptor = createCipheriv(cipher.nodeName(key.length, mode), key, iv).setAutoPadding(false);
      const material = Buffer.concat([encryptor.update(data), encryptor.final()]);
      const shape = derivedKeyShape(template, { natural: material.length, available: material.length });
      return inheritProtection(baseKey.attrs, derivedKeyAttributes(shape, material.subarray(0, shape.length), template));
    },
  });
}

register(K.CKM_AES_ECB_ENCRYPT_DATA, K.CKK_AES, AES, 'ecb', [16, 32]);
register(K.CKM_AES_CBC_ENCRYPT_DATA, K.CKK_AES, AES, 'cbc', [16, 32]);
register(K.CKM_DES3_ECB_ENCRYPT_DATA, K.CKK_DES3, DES3, 'ecb', [24, 24]);
register(K.CKM_DES3_CBC_ENCRYPT_DATA, K.CKK_DES3, DES3, 'cbc', [24, 24]);
