/**
 * AES MACs built on the block cipher: CKM_AES_CMAC and CKM_AES_CMAC_GENERAL
 * (NIST SP 800-38B, RFC 4493) and CKM_AES_MAC and CKM_AES_MAC_GENERAL (the
 * CBC-MAC of FIPS PUB 113 with AES: zero IV, zero padding). node:crypto has
 * no CMAC, so both are written here on its AES-ECB, one block at a time.
 */
import { createCipheriv, type Cipher as NodeCipher } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { KeyObject, Signer, Verifier } from './mechanism.js';
import { registerMechanism } from './registry.js';
import { AES_KEYS, checkMac, isUlong, keyValue, noParameter } from './aes-aead.js';

const BLOCK = 16;

/** E(K, block): AES-ECB without padding returns each block as it goes in. */
class AesBlock {
  private readonly ecb: NodeCipher;
  constructor(key: Buffer) {
    this.ecb = createCipheriv(`aes-${key.length * 8}-ecb`, key, null).setAutoPadding(false);
  }
  encrypt(block: Buffer): Buffer {
    return this.ecb.update(block);
  }
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Multiplication by x in GF(2^128) (SP 800-38B 6.1): shift left, reduce by R = 0^120 || 10000111. */
function double(block: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = ((block[i]! << 1) | ((block[i + 1] ?? 0) >> 7)) & 0xff;
  if (block[0]! & 0x80) out[BLOCK - 1]! ^= 0x87;
  return out;
}

/**
 * CBC chaining from a zero IV. The last block is held back until the end
 * because CMAC treats it differently, so the chain can be finished (and
 * finished again) without being disturbed.
 */
abstract class CbcChain {
  protected readonly cipher: AesBlock;
  private chain: Buffer = Buffer.alloc(BLOCK);
  private pending: Buffer = Buffer.alloc(0);
  constructor(key: Buffer) {
    this.cipher = new AesBlock(key);
  }

  update(data: Buffer): this {
    let buffered: Buffer = Buffer.concat([this.pending, data]);
    while (buffered.length > BLOCK) {
      this.chain = this.cipher.encrypt(xor(this.chain, buffered.subarray(0, BLOCK)));
      buffered = buffered.subarray(BLOCK);
    }
    // A copy: the caller may reuse its buffer.
    this.pending = Buffer.from(buffered);
    return this;
  }

  /** The full-block MAC; the state is left as it was. */
  digest(): Buffer {
    return this.cipher.encrypt(xor(this.chain, this.lastBlock(this.pending)));
  }

  /** The final block to chain, made from the held-back 0..16 bytes. */
  protected abstract lastBlock(rest: Buffer): Buffer;
}

/** SP 800-38B 6.2: a complete last block is masked with K1, a padded one (10...0) with K2. */
export class AesCmac extends CbcChain {
  private readonly k1: Buffer;
  private readonly k2: Buffer;
  constructor(key: Buffer) {
    super(key);
    this.k1 = double(this.cipher.encrypt(Buffer.alloc(BLOCK)));
    this.k2 = double(this.k1);
  }
  protected lastBlock(rest: Buffer): Buffer {
    if (rest.length === BLOCK) return xor(rest, this.k1);
    const padded = Buffer.alloc(BLOCK);
    rest.copy(padded);
    padded[rest.length] = 0x80;
    return xor(padded, this.k2);
  }
}

/**
 * FIPS PUB 113 CBC-MAC: the last partial block is padded with zero bytes. An
 * empty message is one zero block, as in ISO/IEC 9797-1 padding method 1
 * (padding to a positive number of blocks), so no message has the constant MAC
 * of the bare IV.
 */
export class AesCbcMac extends CbcChain {
  protected lastBlock(rest: Buffer): Buffer {
    const padded = Buffer.alloc(BLOCK);
    rest.copy(padded);
    return padded;
  }
}

type MacFactory = (key: Buffer) => CbcChain;

/** The leftmost `length` bytes of the last block are the MAC (spec: "taken from the start"). */
function macSigner(make: () => CbcChain, length: number): Signer {
  const running = make();
  let mac: Buffer | undefined;
  return {
    signatureLength: () => length,
    update: (data) => void running.update(data),
    final: () => (mac ??= running.digest().subarray(0, length)),
    oneShot: (data) => make().update(data).digest().subarray(0, length),
  };
}

function macVerifier(make: () => CbcChain, length: number): Verifier {
  const running = make();
  return {
    update: (data) => void running.update(data),
    final: (signature) => checkMac(running.digest().subarray(0, length), signature),
    oneShot: (data, signature) => checkMac(make().update(data).digest().subarray(0, length), signature),
  };
}

/** CK_MAC_GENERAL_PARAMS: a CK_ULONG, the MAC length in bytes, 1 to the block size. */
function generalLength(parameter: unknown): number {
  if (!isUlong(parameter) || parameter < 1 || parameter > BLOCK) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'CK_MAC_GENERAL_PARAMS must be 1 to 16');
  }
  return parameter;
}

function fixedLength(length: number): (parameter: unknown) => number {
  return (parameter) => {
    noParameter(parameter);
    return length;
  };
}

function registerMac(type: number, factory: MacFactory, lengthOf: (parameter: unknown) => number): void {
  const maker = (key: KeyObject) => {
    const value = keyValue(key);
    return () => factory(value);
  };
  registerMechanism({
    type,
    ...AES_KEYS,
    sign: (key, parameter) => macSigner(maker(key), lengthOf(parameter)),
    verify: (key, parameter) => macVerifier(maker(key), lengthOf(parameter)),
  });
}

const cmac: MacFactory = (key) => new AesCmac(key);
const cbcMac: MacFactory = (key) => new AesCbcMac(key);

registerMac(K.CKM_AES_CMAC, cmac, fixedLength(BLOCK));
registerMac(K.CKM_AES_CMAC_GENERAL, cmac, generalLength);
// CKM_AES_MAC: half a block, as the spec's AES-MAC section says.
registerMac(K.CKM_AES_MAC, cbcMac, fixedLength(BLOCK / 2));
registerMac(K.CKM_AES_MAC_GENERAL, cbcMac, generalLength);
