/**
 * The PKCS #1 (RFC 8017) encodings that node:crypto does not offer on their
 * own: EME-PKCS1-v1_5 decoding (Node 20 refuses PKCS #1 v1.5 private
 * decryption), EMSA-PSS for a hash the caller computed (node hashes its input
 * for PSS), and EME-OAEP with an MGF1 hash other than the OAEP hash.
 *
 * Decoding after a private-key operation handles secret bytes, so it runs in
 * constant time: every byte of the block is looked at, conditions are folded
 * into 0/1 masks instead of branches, and there is one branch at the end, on
 * the combined verdict. Every malformed block gives the same error, so the
 * answer reveals nothing about where the block went wrong (no padding oracle).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';

// ---- constant-time helpers -------------------------------------------------------
// For integers 0 <= x, y < 2^31 (bytes and indices); results are 0 or 1.

/** 1 when x is 0: x - 1 is negative (top bit set) only then. */
const isZero = (x: number): number => (x - 1) >>> 31;
const isEqual = (x: number, y: number): number => isZero(x ^ y);
/** 1 when x < y. */
const isLess = (x: number, y: number): number => (x - y) >>> 31;
/** `value` where bit is 1, else 0 (-1 is all ones). */
const maskIf = (bit: number, value: number): number => -bit & value;

/** 1 when two equally long byte strings are equal, looking at every byte. */
function bytesEqual(a: Buffer, b: Buffer): number {
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return isZero(diff);
}

/** The one answer to every malformed ciphertext. */
export function malformedCiphertext(): CKRError {
  return new CKRError(K.CKR_ENCRYPTED_DATA_INVALID, 'the ciphertext does not decrypt');
}

// ---- MGF1 -------------------------------------------------------------------------

/** MGF1 (RFC 8017 B.2.1) with a node:crypto hash. */
export function mgf1(hash: string, seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let produced = 0;
  const counter = Buffer.alloc(4);
  for (let i = 0; produced < length; i++) {
    counter.writeUInt32BE(i);
    const block = createHash(hash).update(seed).update(counter).digest();
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xorInto(target: Buffer, mask: Buffer): void {
  for (let i = 0; i < target.length; i++) target[i]! ^= mask[i]!;
}

// ---- EME-PKCS1-v1_5 ---------------------------------------------------------------

/** Shortest padding string the encoding allows (RFC 8017 7.2.1). */
const MIN_PS = 8;

/**
 * EME-PKCS1-v1_5 decoding (RFC 8017 7.2.2 step 3) of the k-byte block
 * 0x00 || 0x02 || PS (>= 8 nonzero bytes) || 0x00 || M, in constant time.
 */
export function emePkcs1Decode(em: Buffer): Buffer {
  let good = isZero(em[0]!) & isEqual(em[1]!, 2);
  let looking = 1;
  let separator = 0;
  for (let i = 2; i < em.length; i++) {
    const zero = isZero(em[i]!);
    separator |= maskIf(looking & zero, i);
    looking &= zero ^ 1;
  }
  good &= looking ^ 1;
  good &= isLess(separator, 2 + MIN_PS) ^ 1;
  if (good !== 1) throw malformedCiphertext();
  return Buffer.from(em.subarray(separator + 1));
}

// ---- EMSA-PKCS1-v1_5 (block type 01) ------------------------------------------------

/** 0x00 || 0x01 || 0xff... || 0x00 || T, k bytes (RFC 8017 9.2 steps 4-5); T is at most k - 11 bytes. */
export function emsaPkcs1Encode(t: Buffer, k: number): Buffer {
  const em = Buffer.alloc(k, 0xff);
  em[0] = 0;
  em[1] = 1;
  em[k - t.length - 1] = 0;
  t.copy(em, k - t.length);
  return em;
}

/** T of a block type 01 block, for verification with recovery; undefined when the block is not one. Public data. */
export function emsaPkcs1Recover(em: Buffer): Buffer | undefined {
  if (em[0] !== 0 || em[1] !== 1) return undefined;
  let i = 2;
  while (i < em.length && em[i] === 0xff) i++;
  if (i === em.length || em[i] !== 0 || i - 2 < MIN_PS) return undefined;
  return Buffer.from(em.subarray(i + 1));
}

// ---- EMSA-PSS ---------------------------------------------------------------------

export interface PssOptions {
  /** node:crypto names of the hash (of M') and of the MGF1 hash. */
  hash: string;
  mgfHash: string;
  saltLength: number;
}

/** emLen for a modulus of this many bits: the encoding has modBits - 1 bits. */
export function pssEncodedLength(modulusBits: number): number {
  return Math.ceil((modulusBits - 1) / 8);
}

function pssHash(hash: string, mHash: Buffer, salt: Buffer): Buffer {
  return createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
}

/**
 * EMSA-PSS encoding (RFC 8017 9.1.1) of a message hash, with the given salt;
 * emLen bytes. The caller checked that emLen >= hLen + sLen + 2.
 */
export function emsaPssEncode(mHash: Buffer, modulusBits: number, options: PssOptions, salt: Buffer): Buffer {
  const emBits = modulusBits - 1;
  const emLen = pssEncodedLength(modulusBits);
  const h = pssHash(options.hash, mHash, salt);
  // DB = PS (zeros) || 0x01 || salt, masked; the bits above emBits cleared.
  const db = Buffer.alloc(emLen - h.length - 1);
  db[db.length - salt.length - 1] = 0x01;
  salt.copy(db, db.length - salt.length);
  xorInto(db, mgf1(options.mgfHash, h, db.length));
  db[0]! &= 0xff >>> (8 * emLen - emBits);
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

/**
 * EMSA-PSS verification (RFC 8017 9.1.2) of an emLen-byte block against a
 * message hash, for exactly the given salt length.
 */
export function emsaPssVerify(mHash: Buffer, em: Buffer, modulusBits: number, options: PssOptions): boolean {
  const emBits = modulusBits - 1;
  const emLen = pssEncodedLength(modulusBits);
  const hLen = mHash.length;
  const sLen = options.saltLength;
  const unusedBits = 8 * emLen - emBits;
  if (em.length !== emLen || emLen < hLen + sLen + 2 || em[emLen - 1] !== 0xbc) return false;
  if ((em[0]! & ~(0xff >>> unusedBits) & 0xff) !== 0) return false;
  const db = Buffer.from(em.subarray(0, emLen - hLen - 1));
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  xorInto(db, mgf1(options.mgfHash, h, db.length));
  db[0]! &= 0xff >>> unusedBits;
  // DB = PS (zeros) || 0x01 || salt.
  const psLength = emLen - hLen - sLen - 2;
  let bad = db[psLength]! ^ 0x01;
  for (let i = 0; i < psLength; i++) bad |= db[i]!;
  const expected = pssHash(options.hash, mHash, db.subarray(db.length - sLen));
  return timingSafeEqual(expected, h) && bad === 0;
}

// ---- EME-OAEP -----------------------------------------------------------------------

export interface OaepOptions {
  hash: string;
  mgfHash: string;
  label: Buffer;
}

function hashLength(hash: string): number {
  return createHash(hash).digest().length;
}

/** The longest message OAEP fits in k bytes: k - 2hLen - 2 (negative when none fits). */
export function oaepCapacity(k: number, hash: string): number {
  return k - 2 * hashLength(hash) - 2;
}

/** EME-OAEP encoding (RFC 8017 7.1.1 step 2) with the given seed; k bytes. The caller checked the length. */
export function emeOaepEncode(message: Buffer, k: number, options: OaepOptions, seed: Buffer): Buffer {
  const lHash = createHash(options.hash).update(options.label).digest();
  const hLen = lHash.length;
  const db = Buffer.alloc(k - hLen - 1);
  lHash.copy(db);
  db[db.length - message.length - 1] = 0x01;
  message.copy(db, db.length - message.length);
  xorInto(db, mgf1(options.mgfHash, seed, db.length));
  const maskedSeed = Buffer.from(seed);
  xorInto(maskedSeed, mgf1(options.mgfHash, db, hLen));
  return Buffer.concat([Buffer.from([0]), maskedSeed, db]);
}

/**
 * EME-OAEP decoding (RFC 8017 7.1.2 step 3) of a k-byte block, in constant
 * time: Y = 0, lHash' = lHash, and DB = lHash' || 0x00... || 0x01 || M are
 * checked together, and every failure is the same error.
 */
export function emeOaepDecode(em: Buffer, options: OaepOptions): Buffer {
  const lHash = createHash(options.hash).update(options.label).digest();
  const hLen = lHash.length;
  if (em.length < 2 * hLen + 2) throw malformedCiphertext();
  const seed = Buffer.from(em.subarray(1, 1 + hLen));
  const db = Buffer.from(em.subarray(1 + hLen));
  xorInto(seed, mgf1(options.mgfHash, db, hLen));
  xorInto(db, mgf1(options.mgfHash, seed, db.length));

  let good = isZero(em[0]!) & bytesEqual(db.subarray(0, hLen), lHash);
  let looking = 1;
  let separator = 0;
  let strayByte = 0;
  for (let i = hLen; i < db.length; i++) {
    const zero = isZero(db[i]!);
    const one = isEqual(db[i]!, 1);
    separator |= maskIf(looking & one, i);
    // Before the 0x01, only zero bytes may come.
    strayByte |= looking & (zero ^ 1) & (one ^ 1);
    looking &= zero;
  }
  good &= (looking ^ 1) & (strayByte ^ 1);
  if (good !== 1) throw malformedCiphertext();
  return Buffer.from(db.subarray(separator + 1));
}
