/**
 * Message-based encryption and decryption (PKCS#11 3.0) as a mechanism sees
 * it. C_MessageEncryptInit fixes the mechanism and the key;
 * each message then brings its own parameter (CK_GCM_MESSAGE_PARAMS and
 * kin): the IV or nonce, and a tag field that encryption writes and
 * decryption reads. The core (core/fns/message.ts) runs the session state;
 * this file turns one AEAD scheme into the message streams, and makes IVs.
 *
 * Decryption releases no plaintext before the tag has checked: every part is
 * kept until the last one, and only then is the message opened.
 */
import { randomFillSync } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';

const EMPTY = Buffer.alloc(0);

// ---- what the core calls -----------------------------------------------------------

/** One message in progress (between C_*MessageBegin and the last C_*MessageNext). */
export interface MessageStream {
  /**
   * Exact output of next() for a part of `length` bytes; checks the call's
   * parameter and lengths as next() would, and changes nothing.
   */
  nextLength(parameter: unknown, length: number, last: boolean): number;
  /**
   * Takes one part. The last part finishes the message: encryption writes the
   * tag into the parameter's tag field, decryption checks the tag there and
   * only then returns the plaintext (CKR_AEAD_DECRYPT_FAILED otherwise).
   */
  next(parameter: unknown, part: Buffer, last: boolean): Buffer;
}

/** What C_MessageEncryptInit or C_MessageDecryptInit makes: it lives until C_Message*Final. */
export interface MessageCipher {
  /** Exact output of a single-part message of `length` bytes; checks the parameter, changes nothing. */
  messageLength(parameter: unknown, length: number): number;
  /**
   * Starts one message. When encrypting with an IV generator, the new IV is
   * written into the caller's IV buffer here (the caller reads it back).
   */
  begin(parameter: unknown, associatedData: Buffer): MessageStream;
}

// ---- what a mechanism supplies ---------------------------------------------------------

/** A per-message parameter, read and checked, without side effects. */
export interface MessageParameter {
  /** The IV or nonce field: the caller's own Buffer, so a generated IV reaches the caller. */
  iv: Buffer;
  tagLength: number;
  /** The tag field (the caller's Buffer), empty when not given; checked where it is used. */
  tag: Buffer;
  /** The generator fields; CKG_NO_GENERATE and 0 when decrypting (the spec has them ignored). */
  generator: number;
  fixedBits: number;
  /** CCM: the message length the parameter announces; undefined where the scheme has none. */
  dataLength?: number;
}

/** Encryption of one message. */
export interface Sealer {
  /** True when update() returns the ciphertext of its input at once (GCM, ChaCha20); false when all comes at the end (CCM). */
  readonly streams: boolean;
  update(data: Buffer): Buffer;
  /** The rest of the ciphertext, and the tag. Called once. */
  final(): { rest: Buffer; tag: Buffer };
}

/** An AEAD as the message functions use it. */
export interface AeadScheme {
  /** Reads a per-message parameter; throws CKR_MECHANISM_PARAM_INVALID. */
  read(parameter: unknown, encrypting: boolean): MessageParameter;
  sealer(iv: Buffer, associatedData: Buffer, parameter: MessageParameter): Sealer;
  /** Returns the plaintext, or throws CKRError(CKR_AEAD_DECRYPT_FAILED) having released nothing. */
  open(iv: Buffer, associatedData: Buffer, parameter: MessageParameter, ciphertext: Buffer, tag: Buffer): Buffer;
}

function paramInvalid(detail: string): CKRError {
  return new CKRError(K.CKR_MECHANISM_PARAM_INVALID, detail);
}

/**
 * The parameter of C_MessageEncryptInit/C_MessageDecryptInit. Each message
 * brings its own, so the Init one is not used: none is needed (the spec's
 * ChaCha20 steps pass none), and a structure is accepted (its GCM example
 * passes the message parameter). Anything else is refused.
 */
export function checkInitParameter(parameter: unknown): void {
  if (parameter === undefined || parameter === null) return;
  if (parameter instanceof Uint8Array) {
    if (parameter.length === 0) return;
    throw paramInvalid('the Init parameter, if any, is the message parameter structure');
  }
  if (typeof parameter !== 'object' || Array.isArray(parameter)) throw paramInvalid('the Init parameter, if any, is the message parameter structure');
}

export function encryptMessages(scheme: AeadScheme, initParameter: unknown): MessageCipher {
  checkInitParameter(initParameter);
  return new MessageEncryption(scheme);
}

export function decryptMessages(scheme: AeadScheme, initParameter: unknown): MessageCipher {
  checkInitParameter(initParameter);
  return new MessageDecryption(scheme);
}

/** The tag field must hold the tag where it is written or read. */
function requireTag(p: MessageParameter): void {
  if (p.tag.length < p.tagLength) throw paramInvalid(`the tag field must hold ${p.tagLength} bytes`);
}

/**
 * Where the parameter announces the message length (CCM), the parts may not
 * pass it, and the last part must reach it.
 */
function checkTotal(p: MessageParameter, total: number, last: boolean, code: number): void {
  if (p.dataLength === undefined) return;
  if (total > p.dataLength || (last && total !== p.dataLength)) {
    throw new CKRError(code, `the message must be ${p.dataLength} bytes, as the parameter says`);
  }
}

/**
 * The spec passes the parameter to every call of a message; a later call's
 * must describe the message begun (same IV, which the caller's buffer holds
 * once generated; same tag and data lengths).
 */
function checkSameMessage(begun: MessageParameter, iv: Buffer, p: MessageParameter): void {
  if (!p.iv.equals(iv) || p.tagLength !== begun.tagLength || p.dataLength !== begun.dataLength) {
    throw paramInvalid('the parameter does not describe the message begun');
  }
}

class MessageEncryption implements MessageCipher {
  private readonly ivs = new IvGenerator();
  constructor(private readonly scheme: AeadScheme) {}

  messageLength(parameter: unknown, length: number): number {
    const p = this.scheme.read(parameter, true);
    requireTag(p);
    checkTotal(p, length, true, K.CKR_DATA_LEN_RANGE);
    return length;
  }

  begin(parameter: unknown, associatedData: Buffer): MessageStream {
    const p = this.scheme.read(parameter, true);
    const iv = this.ivs.next(p.iv, p.generator, p.fixedBits);
    const sealer = this.scheme.sealer(iv, Buffer.from(associatedData), p);
    // Only once everything is in order does the caller's buffer change.
    iv.copy(p.iv);
    return new SealStream(this.scheme, p, iv, sealer);
  }
}

class SealStream implements MessageStream {
  private received = 0;
  constructor(
    private readonly scheme: AeadScheme,
    private readonly begun: MessageParameter,
    private readonly iv: Buffer,
    private readonly sealer: Sealer,
  ) {}

  private check(parameter: unknown, length: number, last: boolean): MessageParameter {
    const p = this.scheme.read(parameter, true);
    checkSameMessage(this.begun, this.iv, p);
    if (last) requireTag(p);
    checkTotal(this.begun, this.received + length, last, K.CKR_DATA_LEN_RANGE);
    return p;
  }

  nextLength(parameter: unknown, length: number, last: boolean): number {
    this.check(parameter, length, last);
    if (this.sealer.streams) return length;
    return last ? this.received + length : 0;
  }

  next(parameter: unknown, part: Buffer, last: boolean): Buffer {
    const p = this.check(parameter, part.length, last);
    const output = this.sealer.update(part);
    this.received += part.length;
    if (!last) return output;
    const { rest, tag } = this.sealer.final();
    tag.copy(p.tag);
    return Buffer.concat([output, rest]);
  }
}

class MessageDecryption implements MessageCipher {
  constructor(private readonly scheme: AeadScheme) {}

  messageLength(parameter: unknown, length: number): number {
    const p = this.scheme.read(parameter, false);
    requireTag(p);
    checkTotal(p, length, true, K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    return length;
  }

  begin(parameter: unknown, associatedData: Buffer): MessageStream {
    const p = this.scheme.read(parameter, false);
    // Copies: the message must not change if the caller reuses its buffers.
    return new OpenStream(this.scheme, p, Buffer.from(p.iv), Buffer.from(associatedData));
  }
}

/** Keeps every part until the last: the tag covers the whole message. */
class OpenStream implements MessageStream {
  private readonly parts: Buffer[] = [];
  private received = 0;
  constructor(
    private readonly scheme: AeadScheme,
    private readonly begun: MessageParameter,
    private readonly iv: Buffer,
    private readonly associatedData: Buffer,
  ) {}

  private check(parameter: unknown, length: number, last: boolean): MessageParameter {
    const p = this.scheme.read(parameter, false);
    checkSameMessage(this.begun, this.iv, p);
    if (last) requireTag(p);
    checkTotal(this.begun, this.received + length, last, K.CKR_ENCRYPTED_DATA_LEN_RANGE);
    return p;
  }

  nextLength(parameter: unknown, length: number, last: boolean): number {
    this.check(parameter, length, last);
    return last ? this.received + length : 0;
  }

  next(parameter: unknown, part: Buffer, last: boolean): Buffer {
    const p = this.check(parameter, part.length, last);
    // A copy: the caller may reuse its buffer between calls.
    this.parts.push(Buffer.from(part));
    this.received += part.length;
    if (!last) return EMPTY;
    const ciphertext = Buffer.concat(this.parts, this.received);
    const tag = Buffer.from(p.tag.subarray(0, this.begun.tagLength));
    return this.scheme.open(this.iv, this.associatedData, this.begun, ciphertext, tag);
  }
}

// ---- IV generation -------------------------------------------------------------------

/** SP 800-38D 8.2.2: a random IV needs a random field of at least 96 bits. */
export const MIN_RANDOM_IV_BITS = 96;

const GENERATORS = new Set([
  K.CKG_NO_GENERATE, K.CKG_GENERATE, K.CKG_GENERATE_COUNTER, K.CKG_GENERATE_RANDOM, K.CKG_GENERATE_COUNTER_XOR,
]);

/**
 * Reads the generator fields of an encryption parameter (raw field values;
 * a missing field reads as C's zero: CKG_NO_GENERATE, no fixed bits) and
 * checks that the generator can make an IV of this length.
 */
export function ivGeneration(generatorField: unknown, fixedBitsField: unknown, ivLength: number): { generator: number; fixedBits: number } {
  const generator = generatorField ?? K.CKG_NO_GENERATE;
  const fixedBits = fixedBitsField ?? 0;
  if (typeof generator !== 'number' || !GENERATORS.has(generator)) throw paramInvalid('unknown IV generator');
  if (typeof fixedBits !== 'number' || !Number.isSafeInteger(fixedBits) || fixedBits < 0) throw paramInvalid('the fixed bits must be a CK_ULONG');
  if (fixedBits > ivLength * 8) throw paramInvalid('the fixed bits are more than the IV has');
  const freeBits = ivLength * 8 - fixedBits;
  if (generator === K.CKG_NO_GENERATE) return { generator, fixedBits };
  if (freeBits < 1) throw paramInvalid('the fixed bits leave nothing to generate');
  if (generator === K.CKG_GENERATE_RANDOM && freeBits < MIN_RANDOM_IV_BITS) {
    throw paramInvalid(`a random IV needs at least ${MIN_RANDOM_IV_BITS} free bits`);
  }
  return { generator, fixedBits };
}

/** Decryption ignores the generator fields (the spec says so): the IV is always the caller's. */
export const NO_IV_GENERATION = { generator: K.CKG_NO_GENERATE, fixedBits: 0 } as const;

/** A copy of `iv` whose free (rightmost) bits come from `source`, of the same length; the fixed bits stay. */
function withFreeBits(iv: Buffer, fixedBits: number, source: Buffer): Buffer {
  const out = Buffer.from(source);
  const fixedBytes = fixedBits >> 3;
  iv.copy(out, 0, 0, fixedBytes);
  const keepBits = fixedBits & 7;
  if (keepBits > 0) {
    const keep = (0xff << (8 - keepBits)) & 0xff;
    out[fixedBytes] = (iv[fixedBytes]! & keep) | (source[fixedBytes]! & ~keep & 0xff);
  }
  return out;
}

function toBytes(value: bigint, length: number): Buffer {
  const out = Buffer.alloc(length);
  let v = value;
  for (let i = length - 1; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function toBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + bytes.toString('hex'));
}

/** The free bits of an IV, as a number. */
function freeValue(iv: Buffer, fixedBits: number): bigint {
  return toBigInt(withFreeBits(Buffer.alloc(iv.length), fixedBits, iv));
}

interface CounterState {
  /** COUNTER_XOR masks a value the caller gives; a plain counter does not. Mixing both could repeat an IV. */
  xorBase?: bigint;
  next: bigint;
}

/**
 * The IVs of one message-based encryption operation. A counter runs per IV
 * layout (length, fixed bits and their value), from zero as the spec says,
 * and is never reused within the operation: when its free bits run out the
 * generator refuses. Uniqueness across operations, sessions or tokens that use
 * the same key is the fixed field's job (SP 800-38D 8.2.1), or use random IVs.
 */
export class IvGenerator {
  private readonly counters = new Map<string, CounterState>();

  /** The IV for the next message (a new Buffer); the caller's buffer is not written here. */
  next(callerIv: Buffer, generator: number, fixedBits: number): Buffer {
    const freeBits = callerIv.length * 8 - fixedBits;
    switch (generator) {
      case K.CKG_NO_GENERATE:
        return Buffer.from(callerIv);
      case K.CKG_GENERATE:
        // The method is ours to choose: random when there is room for it, else a counter.
        return freeBits >= MIN_RANDOM_IV_BITS ? this.random(callerIv, fixedBits) : this.counter(callerIv, fixedBits, undefined);
      case K.CKG_GENERATE_RANDOM:
        return this.random(callerIv, fixedBits);
      case K.CKG_GENERATE_COUNTER:
        return this.counter(callerIv, fixedBits, undefined);
      case K.CKG_GENERATE_COUNTER_XOR:
        return this.counter(callerIv, fixedBits, freeValue(callerIv, fixedBits));
      default:
        throw paramInvalid('unknown IV generator');
    }
  }

  private random(callerIv: Buffer, fixedBits: number): Buffer {
    return withFreeBits(callerIv, fixedBits, randomFillSync(Buffer.alloc(callerIv.length)));
  }

  private counter(callerIv: Buffer, fixedBits: number, xorBase: bigint | undefined): Buffer {
    const layout = `${fixedBits}:${withFreeBits(callerIv, fixedBits, Buffer.alloc(callerIv.length)).toString('hex')}`;
    let state = this.counters.get(layout);
    if (!state) this.counters.set(layout, (state = { xorBase, next: 0n }));
    if ((state.xorBase === undefined) !== (xorBase === undefined)) {
      throw paramInvalid('one fixed field cannot take both CKG_GENERATE_COUNTER_XOR and a plain counter');
    }
    if (xorBase !== undefined && xorBase !== state.xorBase) {
      throw paramInvalid('CKG_GENERATE_COUNTER_XOR needs the same non-fixed IV bits on every message');
    }
    const limit = 1n << BigInt(callerIv.length * 8 - fixedBits);
    if (state.next >= limit) throw paramInvalid('the IV counter is exhausted for this fixed field');
    const value = xorBase === undefined ? state.next : state.next ^ xorBase;
    state.next += 1n;
    return withFreeBits(callerIv, fixedBits, toBytes(value, callerIv.length));
  }
}
