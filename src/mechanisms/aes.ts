/**
 * AES (spec sections "AES", "AES with Counter", "AES CBC with CipherText
 * Stealing CTS", "AES XTS"): key generation (AES and AES-XTS keys), check values, and the block
 * cipher modes for encryption, decryption and key wrapping.
 *
 * The block-mode machinery here (ECB, CBC, CBC with PKCS#7 padding, saved
 * states, wrapping by encryption) is shared with the triple-DES family.
 * node:crypto does the cipher work; only ciphertext stealing (CBC-CS3) is put
 * together here, from CBC and single-block ECB.
 */
import { createCipheriv, createDecipheriv, randomBytes, type Cipher as NodeCipher, type Decipher as NodeDecipher } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import { Reader, type AttributeMap } from '../pkcs11/attributes.js';
import type { Cipher, KeyObject } from './mechanism.js';
import { registerCheckValue } from '../core/object-policy.js';
import { registerMechanism } from './registry.js';

export type Direction = 'encrypt' | 'decrypt';

/** A block cipher as node:crypto names it. */
export interface BlockCipher {
  blockSize: number;
  /** node:crypto's name of this cipher in `mode` for a key of this many bytes. */
  nodeName(keyLength: number, mode: string): string;
}

export const AES: BlockCipher = { blockSize: 16, nodeName: (keyLength, mode) => `aes-${keyLength * 8}-${mode}` };

const AES_KEY_LENGTHS = [16, 24, 32];
const EMPTY: Buffer = Buffer.alloc(0);

// ---- parameters and errors ---------------------------------------------------

/** The spec's input-length error for the direction. */
export function lengthError(direction: Direction, detail = 'input length does not fit the mode'): CKRError {
  return new CKRError(direction === 'encrypt' ? K.CKR_DATA_LEN_RANGE : K.CKR_ENCRYPTED_DATA_LEN_RANGE, detail);
}

/** Mechanisms "without a parameter" accept NULL or an empty byte string. */
export function noParameter(parameter: unknown): void {
  if (parameter === undefined || parameter === null) return;
  if (parameter instanceof Uint8Array && parameter.length === 0) return;
  throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'this mechanism takes no parameter');
}

/** A parameter that is a bare byte string of a fixed length (an IV, a tweak). */
export function bytesParameter(parameter: unknown, length: number, what = 'IV'): Buffer {
  if (!(parameter instanceof Uint8Array) || parameter.length !== length) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, `the ${what} must be ${length} bytes`);
  }
  return Buffer.from(parameter);
}

export function keyValue(key: KeyObject): Buffer {
  const value = key.attrs.get(K.CKA_VALUE);
  if (!Buffer.isBuffer(value)) throw new CKRError(K.CKR_KEY_TYPE_INCONSISTENT, 'the key has no value');
  return value;
}

export const valueLength = (attrs: AttributeMap): number => {
  const value = attrs.get(K.CKA_VALUE);
  return Buffer.isBuffer(value) ? value.length : 0;
};

// ---- node:crypto engines -------------------------------------------------------

type Engine = NodeCipher | NodeDecipher;

/** A node:crypto cipher without padding: it returns whatever whole blocks it is given. */
function engine(cipher: BlockCipher, key: Buffer, mode: string, direction: Direction, iv: Buffer | null): Engine {
  const name = cipher.nodeName(key.length, mode);
  const e = direction === 'encrypt' ? createCipheriv(name, key, iv) : createDecipheriv(name, key, iv);
  e.setAutoPadding(false);
  return e;
}

/** One raw block through the cipher (no chaining). */
function ecbBlock(cipher: BlockCipher, key: Buffer, direction: Direction, block: Buffer): Buffer {
  return engine(cipher, key, 'ecb', direction, null).update(block);
}

/** The spec's check value: the first 3 bytes of the ECB encryption of a zero block. */
export function checkValue(cipher: BlockCipher, key: Buffer): Buffer {
  return ecbBlock(cipher, key, 'encrypt', Buffer.alloc(cipher.blockSize)).subarray(0, 3);
}

export const aesCheckValue = (key: Buffer): Buffer => checkValue(AES, key);
registerCheckValue(K.CKK_AES, aesCheckValue);

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * ECB or CBC over whole blocks. The CBC chaining value is kept here, so a
 * saved state can carry it and no half-block ever sits inside node:crypto.
 */
class BlockChain {
  private readonly engine: Engine;
  constructor(
    private readonly cipher: BlockCipher, key: Buffer, private readonly mode: 'ecb' | 'cbc',
    private readonly direction: Direction, public chain: Buffer,
  ) {
    this.engine = engine(cipher, key, mode, direction, mode === 'cbc' ? chain : null);
  }

  run(blocks: Buffer): Buffer {
    if (blocks.length === 0) return EMPTY;
    const out = this.engine.update(blocks);
    if (this.mode === 'cbc') {
      const ciphertext = this.direction === 'encrypt' ? out : blocks;
      this.chain = Buffer.from(ciphertext.subarray(ciphertext.length - this.cipher.blockSize));
    }
    return out;
  }
}

// ---- saved states --------------------------------------------------------------
// [u8 version][u32 mechanism][u8 direction][u8 n] then n times [u32 length][bytes].
// The key is never in a state: restoring takes it from the key handle again.

const STATE_VERSION = 1;

function packState(mechanism: number, direction: Direction, parts: Buffer[]): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(STATE_VERSION, 0);
  head.writeUInt32BE(mechanism, 1);
  head.writeUInt8(direction === 'encrypt' ? 0 : 1, 5);
  head.writeUInt8(parts.length, 6);
  const body = parts.flatMap((p) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(p.length);
    return [len, p];
  });
  return Buffer.concat([head, ...body]);
}

interface UnpackedState { mechanism: number; direction: Direction; parts: Buffer[] }

function unpackState(state: Buffer): UnpackedState {
  try {
    const r = new Reader(state);
    if (r.u8() !== STATE_VERSION) throw new Error('version');
    const mechanism = r.u32();
    const dir = r.u8();
    if (dir > 1) throw new Error('direction');
    const parts: Buffer[] = [];
    for (let n = r.u8(); n > 0; n--) parts.push(r.bytes(r.u32()));
    if (!r.done()) throw new Error('trailing bytes');
    return { mechanism, direction: dir === 0 ? 'encrypt' : 'decrypt', parts };
  } catch {
    throw new CKRError(K.CKR_SAVED_STATE_INVALID);
  }
}

type Restorer = (key: Buffer, direction: Direction, parts: Buffer[]) => Cipher;
const RESTORERS = new Map<number, Restorer>();

/**
 * Rebuilds an encryption or decryption from Cipher.saveState() and its key
 * (for C_SetOperationState). A state that does not parse, or whose parts do
 * not fit its mechanism, is CKR_SAVED_STATE_INVALID.
 */
export function restoreCipher(key: KeyObject, state: Buffer): { mechanism: number; direction: Direction; cipher: Cipher } {
  const { mechanism, direction, parts } = unpackState(state);
  const restore = RESTORERS.get(mechanism);
  if (!restore) throw new CKRError(K.CKR_SAVED_STATE_INVALID);
  try {
    return { mechanism, direction, cipher: restore(keyValue(key), direction, parts) };
  } catch {
    throw new CKRError(K.CKR_SAVED_STATE_INVALID);
  }
}

// ---- ECB, CBC and CBC with PKCS#7 padding --------------------------------------------

export interface BlockModeSpec {
  mechanism: number;
  cipher: BlockCipher;
  mode: 'ecb' | 'cbc';
  /** PKCS#7 padding (the *_CBC_PAD mechanisms). */
  padded: boolean;
}

function pkcs7Pad(tail: Buffer, blockSize: number): Buffer {
  const n = blockSize - tail.length;
  return Buffer.concat([tail, Buffer.alloc(n, n)]);
}

/** Strips PKCS#7 padding; every malformed padding is the same error, found without an early exit. */
function pkcs7Unpad(block: Buffer): Buffer {
  const size = block.length;
  const n = block[size - 1]!;
  let bad = (n === 0 ? 1 : 0) | (n > size ? 1 : 0);
  for (let i = 0; i < size; i++) {
    const inPadding = i >= size - n ? 1 : 0;
    bad |= inPadding & (block[i] === n ? 0 : 1);
  }
  if (bad) throw new CKRError(K.CKR_ENCRYPTED_DATA_INVALID, 'bad padding');
  return block.subarray(0, size - n);
}

/**
 * Multi-part ECB/CBC: input is buffered up to a whole block; a padded
 * decryption also holds back its last whole block, which may be all padding.
 */
export class BlockModeCipher implements Cipher {
  private readonly chain: BlockChain;
  private pending: Buffer;
  private finished?: Buffer;

  constructor(
    private readonly spec: BlockModeSpec, private readonly key: Buffer, private readonly direction: Direction,
    private readonly iv: Buffer, resume?: { chain: Buffer; pending: Buffer },
  ) {
    this.chain = new BlockChain(spec.cipher, key, spec.mode, direction, resume?.chain ?? iv);
    this.pending = resume?.pending ?? EMPTY;
  }

  private get blockSize(): number {
    return this.spec.cipher.blockSize;
  }

  /** How much of `total` buffered bytes can be processed now. */
  private processable(total: number): number {
    const whole = total - (total % this.blockSize);
    const holdBack = this.spec.padded && this.direction === 'decrypt' && whole === total && whole > 0;
    return holdBack ? whole - this.blockSize : whole;
  }

  updateLength(length: number): number {
    return this.processable(this.pending.length + length);
  }

  update(data: Buffer): Buffer {
    const total = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    const n = this.processable(total.length);
    const out = this.chain.run(total.subarray(0, n));
    this.pending = Buffer.from(total.subarray(n));
    return out;
  }

  finalLength(): number {
    // After final() (a retry following CKR_BUFFER_TOO_SMALL) the answer is the result's length.
    if (this.finished) return this.finished.length;
    if (!this.spec.padded) {
      if (this.pending.length !== 0) throw lengthError(this.direction, 'input is not a whole number of blocks');
      return 0;
    }
    if (this.direction === 'decrypt' && this.pending.length !== this.blockSize) {
      throw lengthError('decrypt', 'ciphertext is not a whole number of blocks');
    }
    // Encryption adds one block of padding; decryption gives at most a block back.
    return this.blockSize;
  }

  final(): Buffer {
    if (this.finished) return this.finished;
    this.finalLength();
    let out = EMPTY;
    if (this.spec.padded) {
      out = this.direction === 'encrypt'
        ? this.chain.run(pkcs7Pad(this.pending, this.blockSize))
        : pkcs7Unpad(this.chain.run(this.pending));
    }
    this.pending = EMPTY;
    this.finished = out;
    return out;
  }

  oneShotLength(length: number): number {
    const blocks = length % this.blockSize === 0;
    if (this.direction === 'decrypt') {
      if (!blocks || (this.spec.padded && length === 0)) throw lengthError('decrypt', 'ciphertext is not a whole number of blocks');
      return length;
    }
    if (!this.spec.padded && !blocks) throw lengthError('encrypt', 'input is not a whole number of blocks');
    return this.spec.padded ? length - (length % this.blockSize) + this.blockSize : length;
  }

  /** Starts again from the IV every time, so a retry after CKR_BUFFER_TOO_SMALL gives the same bytes. */
  oneShot(data: Buffer): Buffer {
    this.oneShotLength(data.length);
    const fresh = new BlockModeCipher(this.spec, this.key, this.direction, this.iv);
    return Buffer.concat([fresh.update(data), fresh.final()]);
  }

  saveState(): Buffer {
    return packState(this.spec.mechanism, this.direction, [this.iv, this.chain.chain, this.pending]);
  }

  static restorer(spec: BlockModeSpec): Restorer {
    return (key, direction, parts) => {
      const [iv, chain, pending] = parts;
      const size = spec.mode === 'cbc' ? spec.cipher.blockSize : 0;
      if (parts.length !== 3 || iv!.length !== size || chain!.length !== size || pending!.length > spec.cipher.blockSize) {
        throw new Error('malformed state');
      }
      return new BlockModeCipher(spec, key, direction, iv!, { chain: chain!, pending: pending! });
    };
  }
}

// ---- stream modes: OFB, CFB8, CFB128, CTR -----------------------------------------------

/** OFB and CFB as node:crypto runs them: output byte for input byte. */
class StreamCipher implements Cipher {
  private readonly engine: Engine;
  constructor(private readonly key: Buffer, private readonly mode: string, private readonly direction: Direction, private readonly iv: Buffer) {
    this.engine = engine(AES, key, mode, direction, iv);
  }
  updateLength(length: number): number { return length; }
  update(data: Buffer): Buffer { return this.engine.update(data); }
  finalLength(): number { return 0; }
  final(): Buffer { return EMPTY; }
  oneShotLength(length: number): number { return length; }
  oneShot(data: Buffer): Buffer {
    return engine(AES, this.key, this.mode, this.direction, this.iv).update(data);
  }
}

interface CtrParams { counterBits: number; cb: Buffer }

function ctrParameter(parameter: unknown): CtrParams {
  const p = parameter as { ulCounterBits?: unknown; cb?: unknown } | null;
  if (!p || typeof p !== 'object' || p instanceof Uint8Array) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'CKM_AES_CTR takes a CK_AES_CTR_PARAMS');
  }
  const bits = p.ulCounterBits;
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 1 || bits > 128) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'ulCounterBits must be 1 to 128');
  }
  return { counterBits: bits, cb: bytesParameter(p.cb, 16, 'counter block') };
}

const toBigInt = (b: Buffer): bigint => BigInt('0x' + b.toString('hex'));
const fromBigInt = (n: bigint): Buffer => Buffer.from(n.toString(16).padStart(32, '0'), 'hex');

/**
 * CTR as in SP 800-38A, counting in the low `counterBits` bits of the counter
 * block. node:crypto counts in all 128 bits, which is the same as long as the
 * counter never wraps; the spec makes wrapping an error (CKR_DATA_LEN_RANGE),
 * so the limit is checked before every step.
 */
class CtrCipher implements Cipher {
  private readonly engine: Engine;
  /** Bytes the counter allows in all, from the initial counter block. */
  private readonly limit: bigint;

  constructor(private readonly key: Buffer, private readonly direction: Direction, private readonly params: CtrParams, private processed = 0n) {
    const modulus = 1n << BigInt(params.counterBits);
    const initial = toBigInt(params.cb);
    this.limit = (modulus - (initial % modulus)) * 16n;
    if (processed > this.limit) throw new Error('state beyond the counter');
    // Resume at the block holding the next byte, and skip what of it was used.
    const block = processed / 16n;
    const counter = (initial - (initial % modulus)) + ((initial + block) % modulus);
    this.engine = engine(AES, key, 'ctr', direction, fromBigInt(counter));
    this.engine.update(Buffer.alloc(Number(processed % 16n)));
  }

  private check(length: number): void {
    if (this.processed + BigInt(length) > this.limit) {
      throw new CKRError(K.CKR_DATA_LEN_RANGE, 'the counter would wrap around');
    }
  }

  updateLength(length: number): number { return length; }
  update(data: Buffer): Buffer {
    this.check(data.length);
    this.processed += BigInt(data.length);
    return this.engine.update(data);
  }
  finalLength(): number { return 0; }
  final(): Buffer { return EMPTY; }
  oneShotLength(length: number): number {
    this.check(length);
    return length;
  }
  oneShot(data: Buffer): Buffer {
    this.check(data.length);
    return new CtrCipher(this.key, this.direction, this.params).update(data);
  }

  saveState(): Buffer {
    const bits = Buffer.alloc(1, this.params.counterBits - 1);
    const processed = Buffer.alloc(8);
    processed.writeBigUInt64BE(this.processed);
    return packState(K.CKM_AES_CTR, this.direction, [bits, this.params.cb, processed]);
  }

  static restore(key: Buffer, direction: Direction, parts: Buffer[]): Cipher {
    const [bits, cb, processed] = parts;
    if (parts.length !== 3 || bits!.length !== 1 || cb!.length !== 16 || processed!.length !== 8) throw new Error('malformed state');
    return new CtrCipher(key, direction, { counterBits: bits![0]! + 1, cb: cb! }, processed!.readBigUInt64BE(0));
  }
}

// ---- CTS (CBC-CS3) -------------------------------------------------------------------

/**
 * CBC with ciphertext stealing, variant CS3 of the SP 800-38A addendum (as in
 * Kerberos, RFC 3962): the last two blocks are always swapped, the last one
 * cut to the length of the final partial block. Multi-part work holds back
 * the last 17 to 32 bytes, since only the end of the input tells how to steal.
 */
class CtsCipher implements Cipher {
  private readonly chain: BlockChain;
  private pending = EMPTY;
  private finished?: Buffer;

  constructor(private readonly key: Buffer, private readonly direction: Direction, private readonly iv: Buffer) {
    this.chain = new BlockChain(AES, key, 'cbc', direction, iv);
  }

  private static bulk(total: number): number {
    return total >= 17 ? Math.floor((total - 17) / 16) * 16 : 0;
  }

  updateLength(length: number): number {
    return CtsCipher.bulk(this.pending.length + length);
  }

  update(data: Buffer): Buffer {
    const total = Buffer.concat([this.pending, data]);
    const n = CtsCipher.bulk(total.length);
    const out = this.chain.run(total.subarray(0, n));
    this.pending = Buffer.from(total.subarray(n));
    return out;
  }

  finalLength(): number {
    if (this.pending.length < 16) throw lengthError(this.direction, 'CTS needs at least one block');
    return this.pending.length;
  }

  final(): Buffer {
    if (this.finished) return this.finished;
    this.finalLength();
    this.finished = this.direction === 'encrypt' ? this.encryptTail(this.pending) : this.decryptTail(this.pending);
    return this.finished;
  }

  /** The last 16 to 32 bytes of plaintext. */
  private encryptTail(tail: Buffer): Buffer {
    if (tail.length === 16) return this.chain.run(tail);
    const d = tail.length - 16;
    const penultimate = this.chain.run(tail.subarray(0, 16));
    const last = this.chain.run(Buffer.concat([tail.subarray(16), Buffer.alloc(16 - d)]));
    return Buffer.concat([last, penultimate.subarray(0, d)]);
  }

  /** The last 16 to 32 bytes of ciphertext: a whole block, then the stolen part. */
  private decryptTail(tail: Buffer): Buffer {
    if (tail.length === 16) return this.chain.run(tail);
    const d = tail.length - 16;
    const stolen = tail.subarray(16);
    const z = ecbBlock(AES, this.key, 'decrypt', tail.subarray(0, 16));
    const penultimate = Buffer.concat([stolen, z.subarray(d)]);
    const first = this.chain.run(penultimate);
    return Buffer.concat([first, xor(z.subarray(0, d), stolen)]);
  }

  oneShotLength(length: number): number {
    if (length < 16) throw lengthError(this.direction, 'CTS needs at least one block');
    return length;
  }

  oneShot(data: Buffer): Buffer {
    this.oneShotLength(data.length);
    const fresh = new CtsCipher(this.key, this.direction, this.iv);
    return Buffer.concat([fresh.update(data), fresh.final()]);
  }
}

// ---- XTS -----------------------------------------------------------------------------

/** SP 800-38E limits a data unit to 2^20 blocks. */
const XTS_MAX_LENGTH = 16 * 2 ** 20;

/**
 * XTS over one data unit, whose tweak is the 16-byte parameter (the data unit
 * sequence number as IEEE 1619 encodes it). Ciphertext stealing needs the
 * end of the unit, so multi-part input is collected and processed at Final.
 */
class XtsCipher implements Cipher {
  private parts: Buffer[] = [];
  private length = 0;
  private finished?: Buffer;

  constructor(private readonly key: Buffer, private readonly direction: Direction, private readonly tweak: Buffer) {
    if (key.length !== 32 && key.length !== 64) throw new CKRError(K.CKR_KEY_SIZE_RANGE, 'XTS keys are 32 or 64 bytes');
    const half = key.length / 2;
    // SP 800-38E: the two halves must differ (equal halves void the proof of security).
    if (key.subarray(0, half).equals(key.subarray(half))) {
      throw new CKRError(K.CKR_KEY_FUNCTION_NOT_PERMITTED, 'the XTS key halves are equal');
    }
  }

  private checkLength(length: number): void {
    if (length < 16) throw lengthError(this.direction, 'XTS needs at least one block');
    if (length > XTS_MAX_LENGTH) throw lengthError(this.direction, 'an XTS data unit is at most 2^20 blocks');
  }

  private run(data: Buffer): Buffer {
    // node:crypto names XTS by the size of one half: aes-128-xts takes 32 bytes.
    const name = `aes-${this.key.length * 4}-xts`;
    const e = this.direction === 'encrypt' ? createCipheriv(name, this.key, this.tweak) : createDecipheriv(name, this.key, this.tweak);
    return Buffer.concat([e.update(data), e.final()]);
  }

  updateLength(): number { return 0; }
  update(data: Buffer): Buffer {
    if (this.length + data.length > XTS_MAX_LENGTH) throw lengthError(this.direction, 'an XTS data unit is at most 2^20 blocks');
    this.parts.push(Buffer.from(data));
    this.length += data.length;
    return EMPTY;
  }
  finalLength(): number {
    this.checkLength(this.length);
    return this.length;
  }
  final(): Buffer {
    if (this.finished) return this.finished;
    this.checkLength(this.length);
    this.finished = this.run(Buffer.concat(this.parts));
    this.parts = [];
    return this.finished;
  }
  oneShotLength(length: number): number {
    this.checkLength(length);
    return length;
  }
  oneShot(data: Buffer): Buffer {
    this.checkLength(data.length);
    return this.run(data);
  }
}

// ---- registration --------------------------------------------------------------------

export type CipherFactory = (key: Buffer, direction: Direction, parameter: unknown) => Cipher;

export interface CipherMechanism {
  type: number;
  keyTypes: readonly number[];
  minKeySize: number;
  maxKeySize: number;
  cipher: CipherFactory;
  /** Key lengths this mode can wrap without padding it (which unwrapping could not undo). */
  wrappable(length: number): boolean;
}

/**
 * Registers an encryption mode that also wraps keys by encrypting their bytes
 * (and unwraps by decrypting), as the spec's tables allow for these modes.
 */
export function registerCipherMechanism(m: CipherMechanism): void {
  registerMechanism({
    type: m.type, minKeySize: m.minKeySize, maxKeySize: m.maxKeySize, keyTypes: m.keyTypes, keySize: valueLength,
    encrypt: (key, parameter) => m.cipher(keyValue(key), 'encrypt', parameter),
    decrypt: (key, parameter) => m.cipher(keyValue(key), 'decrypt', parameter),
    wrap(key, parameter, keyBytes) {
      const cipher = m.cipher(keyValue(key), 'encrypt', parameter);
      // The spec answers CKR_KEY_SIZE_RANGE when only the length stands in the way.
      if (!m.wrappable(keyBytes.length)) throw new CKRError(K.CKR_KEY_SIZE_RANGE, 'this mode cannot wrap a key of this length');
      return cipher.oneShot(keyBytes);
    },
    unwrap(key, parameter, wrapped) {
      const cipher = m.cipher(keyValue(key), 'decrypt', parameter);
      try {
        return cipher.oneShot(wrapped);
      } catch (e) {
        // The length is public; anything else wrong with the bytes is one answer.
        if (e instanceof CKRError && e.code === K.CKR_ENCRYPTED_DATA_LEN_RANGE) throw new CKRError(K.CKR_WRAPPED_KEY_LEN_RANGE);
        throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
      }
    },
  });
}

/** ECB, CBC and CBC_PAD of a block cipher: mechanism, cipher, wrapping, and restoring saved states. */
export function registerBlockModes(
  cipher: BlockCipher, keyTypes: readonly number[], minKeySize: number, maxKeySize: number,
  types: { ecb: number; cbc: number; cbcPad: number },
): void {
  const bs = cipher.blockSize;
  const modes: [number, 'ecb' | 'cbc', boolean][] = [[types.ecb, 'ecb', false], [types.cbc, 'cbc', false], [types.cbcPad, 'cbc', true]];
  for (const [type, mode, padded] of modes) {
    const spec: BlockModeSpec = { mechanism: type, cipher, mode, padded };
    RESTORERS.set(type, BlockModeCipher.restorer(spec));
    registerCipherMechanism({
      type, keyTypes, minKeySize, maxKeySize,
      cipher(key, direction, parameter) {
        let iv = EMPTY;
        if (mode === 'ecb') noParameter(parameter);
        else iv = bytesParameter(parameter, bs);
        return new BlockModeCipher(spec, key, direction, iv);
      },
      wrappable: (length) => padded || (length > 0 && length % bs === 0),
    });
  }
}

/** The attributes a key generation computes, CKA_CHECK_VALUE included unless the template asks for none. */
export function generatedSecretKey(keyType: number, value: Buffer, template: AttributeMap, kcv: Buffer): AttributeMap {
  const computed: AttributeMap = new Map();
  computed.set(K.CKA_KEY_TYPE, keyType);
  computed.set(K.CKA_VALUE, value);
  const asked = template.get(K.CKA_CHECK_VALUE);
  if (asked === undefined) {
    computed.set(K.CKA_CHECK_VALUE, kcv);
  } else if (!(Buffer.isBuffer(asked) && asked.length === 0)) {
    // An empty value asks for no check value; any other must be the right one.
    if (!Buffer.isBuffer(asked) || !asked.equals(kcv)) throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_CHECK_VALUE does not match the key');
    computed.set(K.CKA_CHECK_VALUE, kcv);
  }
  return computed;
}

function generateAesKey(parameter: unknown, template: AttributeMap): AttributeMap {
  noParameter(parameter);
  const length = template.get(K.CKA_VALUE_LEN);
  if (length === undefined) throw new CKRError(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_VALUE_LEN is required');
  if (typeof length !== 'number' || !AES_KEY_LENGTHS.includes(length)) {
    throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_VALUE_LEN must be 16, 24 or 32');
  }
  const value = randomBytes(length);
  const computed = generatedSecretKey(K.CKK_AES, value, template, aesCheckValue(value));
  computed.set(K.CKA_VALUE_LEN, length);
  return computed;
}

registerMechanism({ type: K.CKM_AES_KEY_GEN, minKeySize: 16, maxKeySize: 32, generateKey: generateAesKey });

/**
 * CKM_AES_XTS_KEY_GEN: an XTS key is two AES keys in one value of CKA_VALUE_LEN
 * 32 or 64 bytes. CKM_AES_XTS refuses equal halves (SP 800-38E), so a draw
 * with equal halves is drawn again.
 */
function generateXtsKey(parameter: unknown, template: AttributeMap): AttributeMap {
  noParameter(parameter);
  const length = template.get(K.CKA_VALUE_LEN);
  if (length === undefined) throw new CKRError(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_VALUE_LEN is required');
  if (length !== 32 && length !== 64) throw new CKRError(K.CKR_ATTRIBUTE_VALUE_INVALID, 'CKA_VALUE_LEN must be 32 or 64');
  let value: Buffer;
  do value = randomBytes(length);
  while (value.subarray(0, length / 2).equals(value.subarray(length / 2)));
  return new Map<number, number | Buffer>([[K.CKA_KEY_TYPE, K.CKK_AES_XTS], [K.CKA_VALUE, value], [K.CKA_VALUE_LEN, length]]);
}

registerMechanism({ type: K.CKM_AES_XTS_KEY_GEN, minKeySize: 32, maxKeySize: 64, generateKey: generateXtsKey });

registerBlockModes(AES, [K.CKK_AES], 16, 32, { ecb: K.CKM_AES_ECB, cbc: K.CKM_AES_CBC, cbcPad: K.CKM_AES_CBC_PAD });

const anyLength = (length: number): boolean => length > 0;

for (const [type, mode] of [[K.CKM_AES_OFB, 'ofb'], [K.CKM_AES_CFB8, 'cfb8'], [K.CKM_AES_CFB128, 'cfb']] as const) {
  registerCipherMechanism({
    type, keyTypes: [K.CKK_AES], minKeySize: 16, maxKeySize: 32, wrappable: anyLength,
    cipher: (key, direction, parameter) => new StreamCipher(key, mode, direction, bytesParameter(parameter, 16)),
  });
}

RESTORERS.set(K.CKM_AES_CTR, CtrCipher.restore);
registerCipherMechanism({
  type: K.CKM_AES_CTR, keyTypes: [K.CKK_AES], minKeySize: 16, maxKeySize: 32, wrappable: anyLength,
  cipher: (key, direction, parameter) => new CtrCipher(key, direction, ctrParameter(parameter)),
});

registerCipherMechanism({
  type: K.CKM_AES_CTS, keyTypes: [K.CKK_AES], minKeySize: 16, maxKeySize: 32, wrappable: (length) => length >= 16,
  cipher: (key, direction, parameter) => new CtsCipher(key, direction, bytesParameter(parameter, 16)),
});

registerCipherMechanism({
  type: K.CKM_AES_XTS, keyTypes: [K.CKK_AES_XTS], minKeySize: 32, maxKeySize: 64, wrappable: (length) => length >= 16,
  cipher: (key, direction, parameter) => new XtsCipher(key, direction, bytesParameter(parameter, 16, 'data unit sequence number')),
});
