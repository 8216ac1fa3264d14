/**
 * ECDSA over a hash the caller computed (CKM_ECDSA). node:crypto has no such
 * operation: crypto.sign(null, ...) on an EC key hashes with SHA-256, and
 * OpenSSL refuses a "null" digest for ECDSA. So the scalar multiplications
 * are still OpenSSL's (constant-time, and most of the cost), reached through
 * ECDH objects, and only the arithmetic modulo n is done here.
 *
 * Signing (SEC 1 4.1.3): an ECDH key generation gives a random k and R = kG;
 * r = x(R) mod n and s = k⁻¹(e + r·d) mod n. JavaScript BigInts are not
 * constant-time, so secrets only meet them blinded: each k⁻¹ comes from one
 * inversion of a randomly blinded product of a batch of nonces (Montgomery's
 * trick, which also spreads the cost of the inversion over the batch), and d
 * and k⁻¹ enter each signature as d + m·n and k⁻¹ + m'·n for fresh random m, m'.
 * (What remains is the timing of BigInt multiplication and division on
 * randomised operands of fixed length; the point multiplications, where
 * timing leaks would matter most, are OpenSSL's constant-time code.)
 *
 * Verification (SEC 1 4.1.4) uses public values only: with t = e/r and
 * u₂ = r/s, u₁G + u₂Q = u₂(Q + tG), so one fixed-base multiplication (tG),
 * one point addition here and one ECDH computation x(u₂·T) do it.
 */
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import { fromBigInt, toBigInt, type WeierstrassCurve } from './ec-curves.js';

// ---- arithmetic --------------------------------------------------------------------------

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** a⁻¹ mod m for a prime m, by the extended Euclidean algorithm (variable time: blind secrets first). */
export function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return mod(s0, m);
}

/** A uniformly random integer in [1, n-1] (64 extra bits make the bias negligible). */
function randomScalar(n: bigint, bytes: number): bigint {
  for (;;) {
    const v = toBigInt(randomBytes(bytes + 8)) % n;
    if (v !== 0n) return v;
  }
}

/**
 * SEC 1 4.1.3 step 5: the integer of the leftmost orderBits bits of the
 * hash. A shorter hash is taken whole, as an integer (which is the same as
 * left-padding it).
 */
export function hashToInteger(curve: WeierstrassCurve, hash: Buffer): bigint {
  const e = toBigInt(hash);
  const excess = hash.length * 8 - curve.orderBits;
  return excess > 0 ? e >> BigInt(excess) : e;
}

// ---- signing -----------------------------------------------------------------------------

interface Nonce {
  r: bigint;
  kInverse: bigint;
}

/**
 * How many nonces one inversion serves. Only P-256 has a precomputed
 * fixed-base multiplication in OpenSSL (ecp_nistz256: about 12 µs a key
 * generation, against 300-1700 µs on the other curves), so only there is the
 * inversion (about 30 µs) a large part of a signature; elsewhere a batch
 * would only add the latency of making it.
 */
const batchSize = (curve: WeierstrassCurve): number => (curve.name === 'P-256' ? 32 : 1);

/**
 * Nonces for one curve, made a batch at a time. Each is used once (taken off
 * the list); like the keys, they live in this process's memory only.
 */
class NoncePool {
  private readonly ready: Nonce[] = [];
  private readonly ecdh: ECDH;
  constructor(private readonly curve: WeierstrassCurve) {
    this.ecdh = createECDH(curve.nodeName);
  }

  take(): Nonce {
    if (this.ready.length === 0) this.refill();
    return this.ready.pop()!;
  }

  private refill(): void {
    const { n, fieldBytes, orderBytes } = this.curve;
    const ks: bigint[] = [];
    const rs: bigint[] = [];
    const count = batchSize(this.curve);
    while (ks.length < count) {
      const point = this.ecdh.generateKeys();
      const r = toBigInt(point.subarray(1, 1 + fieldBytes)) % n;
      if (r === 0n) continue;
      ks.push(toBigInt(this.ecdh.getPrivateKey()));
      rs.push(r);
    }
    // prefix[i] = k₀·…·kᵢ; one inversion of the blinded full product gives every kᵢ⁻¹.
    const prefix: bigint[] = [];
    ks.forEach((k, i) => prefix.push(i === 0 ? k : (prefix[i - 1]! * k) % n));
    const blind = randomScalar(n, orderBytes);
    let inverse = (modInverse((prefix[count - 1]! * blind) % n, n) * blind) % n;
    for (let i = count - 1; i >= 0; i--) {
      const kInverse = i === 0 ? inverse : (inverse * prefix[i - 1]!) % n;
      inverse = (inverse * ks[i]!) % n;
      this.ready.push({ r: rs[i]!, kInverse });
    }
  }
}

const pools = new Map<string, NoncePool>();

function poolFor(curve: WeierstrassCurve): NoncePool {
  let pool = pools.get(curve.name);
  if (!pool) pools.set(curve.name, (pool = new NoncePool(curve)));
  return pool;
}

/** r || s, each orderBytes long, for a hash and the private scalar d (big-endian bytes). */
export function signHash(curve: WeierstrassCurve, privateScalar: Buffer, hash: Buffer): Buffer {
  const { n, orderBytes } = curve;
  const e = hashToInteger(curve, hash) % n;
  const d = toBigInt(privateScalar);
  for (;;) {
    const { r, kInverse } = poolFor(curve).take();
    // Both secrets enter the BigInt operations plus a random multiple of n.
    const mask = randomBytes(16);
    const maskedD = d + toBigInt(mask.subarray(0, 8)) * n;
    const maskedKInverse = kInverse + toBigInt(mask.subarray(8)) * n;
    const s = (maskedKInverse * ((e + r * maskedD) % n)) % n;
    if (s !== 0n) return Buffer.concat([fromBigInt(r, orderBytes), fromBigInt(s, orderBytes)]);
  }
}

// ---- verification ------------------------------------------------------------------------------

interface Point {
  x: bigint;
  y: bigint;
}

function parsePoint(curve: WeierstrassCurve, uncompressed: Buffer): Point {
  const L = curve.fieldBytes;
  return { x: toBigInt(uncompressed.subarray(1, 1 + L)), y: toBigInt(uncompressed.subarray(1 + L)) };
}

function encodePoint(curve: WeierstrassCurve, P: Point): Buffer {
  return Buffer.concat([Buffer.from([4]), fromBigInt(P.x, curve.fieldBytes), fromBigInt(P.y, curve.fieldBytes)]);
}

/** P + Q in affine coordinates; null is the point at infinity. */
function addPoints(curve: WeierstrassCurve, P: Point, Q: Point): Point | null {
  const { p, a } = curve;
  let slope: bigint;
  if (P.x === Q.x) {
    if (mod(P.y + Q.y, p) === 0n) return null;
    slope = mod((3n * P.x * P.x + a) * modInverse(2n * P.y, p), p);
  } else {
    slope = mod((Q.y - P.y) * modInverse(Q.x - P.x, p), p);
  }
  const x = mod(slope * slope - P.x - Q.x, p);
  return { x, y: mod(slope * (P.x - x) - P.y, p) };
}

const verifiers = new Map<string, ECDH>();

/** A scratch ECDH object per curve, for the public multiplications of verification. */
function verifierFor(curve: WeierstrassCurve): ECDH {
  let ecdh = verifiers.get(curve.name);
  if (!ecdh) verifiers.set(curve.name, (ecdh = createECDH(curve.nodeName)));
  return ecdh;
}

/**
 * Whether r || s (each orderBytes long) is a valid signature of the hash
 * under the public point Q (uncompressed, on the curve).
 */
export function verifyHash(curve: WeierstrassCurve, publicPoint: Buffer, hash: Buffer, signature: Buffer): boolean {
  const { n, orderBytes } = curve;
  const r = toBigInt(signature.subarray(0, orderBytes));
  const s = toBigInt(signature.subarray(orderBytes));
  if (r === 0n || r >= n || s === 0n || s >= n) return false;
  const e = hashToInteger(curve, hash) % n;
  // One inversion gives both r⁻¹ and s⁻¹.
  const rsInverse = modInverse(r * s, n);
  const t = (e * s * rsInverse) % n; // e/r
  const u2 = (r * r * rsInverse) % n; // r/s
  const ecdh = verifierFor(curve);
  const Q = parsePoint(curve, publicPoint);
  let T: Point | null = Q;
  if (t !== 0n) {
    ecdh.setPrivateKey(fromBigInt(t, orderBytes));
    T = addPoints(curve, Q, parsePoint(curve, ecdh.getPublicKey()));
  }
  if (T === null) return false;
  ecdh.setPrivateKey(fromBigInt(u2, orderBytes));
  const x = toBigInt(ecdh.computeSecret(encodePoint(curve, T)));
  return x % n === r;
}

// ---- signature encoding -------------------------------------------------------------------------

/**
 * A signature as the token checks it: r || s each orderBytes long. The spec
 * lets a caller send shorter halves (both the same length); the shorter
 * r and s are left-padded. An odd, empty or longer signature is
 * CKR_SIGNATURE_LEN_RANGE.
 */
export function normalizeSignature(curve: WeierstrassCurve, signature: Buffer): Buffer {
  const { orderBytes } = curve;
  if (signature.length === 0 || signature.length % 2 !== 0 || signature.length > 2 * orderBytes) {
    throw new CKRError(K.CKR_SIGNATURE_LEN_RANGE);
  }
  if (signature.length === 2 * orderBytes) return signature;
  const half = signature.length / 2;
  const pad = Buffer.alloc(orderBytes - half);
  return Buffer.concat([pad, signature.subarray(0, half), pad, signature.subarray(half)]);
}
