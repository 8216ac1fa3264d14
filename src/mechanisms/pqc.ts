/**
 * Post-quantum mechanisms of PKCS#11 3.2: ML-KEM (FIPS 203), ML-DSA (FIPS 204)
 * and SLH-DSA (FIPS 205). The algorithms are @noble/post-quantum's; the
 * per-algorithm differences live in pqc-ml-kem.ts, pqc-ml-dsa.ts and
 * pqc-slh-dsa.ts. Here is the PKCS#11 side, common to all three: key pair
 * generation from CKA_PARAMETER_SET, key checks, the CK_SIGN_ADDITIONAL_CONTEXT
 * and CK_HASH_SIGN_ADDITIONAL_CONTEXT parameters, the FIPS 204/205 message
 * encodings (pure and pre-hash), and the registrations.
 * Their PKCS#8 encodings, for wrapping, are pqc-pkcs8.ts's.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import type { KeyObject, KeyPair, Mechanism, Signer, Verifier } from './mechanism.js';
import { oid as derOid, tlv } from './der.js';
import { ML_DSA_SETS } from './pqc-ml-dsa.js';
import { ML_KEM_SETS, type KemParameterSet } from './pqc-ml-kem.js';
import { SLH_DSA_SETS } from './pqc-slh-dsa.js';
import { registerMechanism } from './registry.js';

// ---- what each algorithm file provides --------------------------------------------

export interface ParameterSet {
  /** FIPS name, for messages. */
  name: string;
  /** Dotted OID of the algorithm, for CKA_PUBLIC_KEY_INFO. */
  oid: string;
  publicKeyLength: number;
  privateKeyLength: number;
  /** Length of the randomness the key pair is derived from. */
  seedLength: number;
  /** Whether that randomness is the private key's CKA_SEED (ML-KEM, ML-DSA) or only inside CKA_VALUE (SLH-DSA). */
  seedIsAttribute: boolean;
  /** The deterministic key generation of the FIPS (its *_internal form). */
  keygen(seed: Uint8Array): { publicKey: Buffer; privateKey: Buffer };
}

/** Where the FIPS 204/205 formatted message M′ goes, as it is produced. */
export interface MessageSink {
  update(data: Uint8Array): void;
}
export interface MessageSigner extends MessageSink {
  /** Signs all of M′ so far; may be called more than once. */
  sign(deterministic: boolean): Buffer;
}
export interface MessageVerifier extends MessageSink {
  verify(signature: Uint8Array): boolean;
}

export interface SignatureParameterSet extends ParameterSet {
  signatureLength: number;
  /** The *_sign_internal / *_verify_internal of the FIPS, fed M′ piece by piece. */
  startSigning(privateKey: Buffer): MessageSigner;
  startVerifying(publicKey: Buffer): MessageVerifier;
}

interface Family<S extends ParameterSet> {
  keyType: number;
  sets: ReadonlyMap<number, S>;
}

const ML_KEM: Family<KemParameterSet> = { keyType: K.CKK_ML_KEM, sets: ML_KEM_SETS };
const ML_DSA: Family<SignatureParameterSet> = { keyType: K.CKK_ML_DSA, sets: ML_DSA_SETS };
const SLH_DSA: Family<SignatureParameterSet> = { keyType: K.CKK_SLH_DSA, sets: SLH_DSA_SETS };

// ---- DER for CKA_PUBLIC_KEY_INFO --------------------------------------------------

/** SubjectPublicKeyInfo with absent parameters: RFC 9881 (ML-DSA), RFC 9909 (SLH-DSA), draft-ietf-lamps-kyber-certificates (ML-KEM). */
export function subjectPublicKeyInfo(oid: string, publicKey: Buffer): Buffer {
  return tlv(0x30, tlv(0x30, derOid(oid)), tlv(0x03, Buffer.from([0]), publicKey));
}

// ---- keys ----------------------------------------------------------------------------

function parameterSetOf<S extends ParameterSet>(family: Family<S>, setId: unknown): S {
  const set = typeof setId === 'number' ? family.sets.get(setId) : undefined;
  if (!set) throw new CKRError(K.CKR_PARAMETER_SET_NOT_SUPPORTED);
  return set;
}

function noParameter(parameter: unknown): void {
  if (parameter === undefined || parameter === null) return;
  if (parameter instanceof Uint8Array && parameter.length === 0) return;
  throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'this mechanism takes no parameter');
}

/**
 * The parameter set comes from the public key template (the private key's
 * may repeat it); both keys get it, their values, and the SPKI. ML-KEM and
 * ML-DSA private keys also keep the seed they were derived from (CKA_SEED).
 */
function generateKeyPair(family: Family<ParameterSet>, publicTemplate: AttributeMap): KeyPair {
  const setId = publicTemplate.get(K.CKA_PARAMETER_SET);
  if (setId === undefined) throw new CKRError(K.CKR_TEMPLATE_INCOMPLETE, 'CKA_PARAMETER_SET is required in the public key template');
  const set = parameterSetOf(family, setId);
  const seed = randomBytes(set.seedLength);
  const { publicKey, privateKey } = set.keygen(seed);
  const common: [number, number | Buffer][] = [
    [K.CKA_KEY_TYPE, family.keyType],
    [K.CKA_PARAMETER_SET, setId as number],
    [K.CKA_PUBLIC_KEY_INFO, subjectPublicKeyInfo(set.oid, publicKey)],
  ];
  const privateAttrs: AttributeMap = new Map([...common, [K.CKA_VALUE, privateKey]]);
  if (set.seedIsAttribute) privateAttrs.set(K.CKA_SEED, seed);
  else seed.fill(0);
  return { publicKey: new Map([...common, [K.CKA_VALUE, publicKey]]), privateKey: privateAttrs };
}

/**
 * C_GetMechanismInfo sizes are public key lengths in bytes (the spec's unit
 * for all three families). A key whose value does not fit its parameter set
 * is refused as out of range: nothing else can be done with it.
 */
function keySizeIn(family: Family<ParameterSet>): (attrs: AttributeMap) => number {
  return (attrs) => {
    const set = parameterSetOf(family, attrs.get(K.CKA_PARAMETER_SET));
    const value = attrs.get(K.CKA_VALUE);
    const expected = attrs.get(K.CKA_CLASS) === K.CKO_PRIVATE_KEY ? set.privateKeyLength : set.publicKeyLength;
    return Buffer.isBuffer(value) && value.length === expected ? set.publicKeyLength : -1;
  };
}

function publicKeyLengths(family: Family<ParameterSet>): { minKeySize: number; maxKeySize: number } {
  const lengths = [...family.sets.values()].map((s) => s.publicKeyLength);
  return { minKeySize: Math.min(...lengths), maxKeySize: Math.max(...lengths) };
}

function keyValue(set: ParameterSet, attrs: AttributeMap, length: number): Buffer {
  const value = attrs.get(K.CKA_VALUE);
  if (!Buffer.isBuffer(value) || value.length !== length) throw new CKRError(K.CKR_KEY_SIZE_RANGE, `not an ${set.name} key`);
  return value;
}

function publicKeyOf<S extends ParameterSet>(family: Family<S>, key: KeyObject): { set: S; value: Buffer } {
  const set = parameterSetOf(family, key.attrs.get(K.CKA_PARAMETER_SET));
  return { set, value: keyValue(set, key.attrs, set.publicKeyLength) };
}

/** Seed/value pairs found to agree, so that a session key is derived once, not per operation. */
const agreeingSeeds = new WeakMap<Buffer, Buffer>();

/**
 * The private value, once CKA_SEED (if the key has one) is found to derive
 * it: the spec lets C_CreateObject carry both, and a key whose two halves
 * disagree would sign or decapsulate as a different key than it claims.
 */
function privateKeyOf<S extends ParameterSet>(family: Family<S>, key: KeyObject): { set: S; value: Buffer } {
  const set = parameterSetOf(family, key.attrs.get(K.CKA_PARAMETER_SET));
  const value = keyValue(set, key.attrs, set.privateKeyLength);
  const seed = key.attrs.get(K.CKA_SEED);
  if (set.seedIsAttribute && Buffer.isBuffer(seed) && seed.length > 0 && agreeingSeeds.get(seed) !== value) {
    const agree = seed.length === set.seedLength && timingSafeEqual(set.keygen(seed).privateKey, value);
    if (!agree) throw new CKRError(K.CKR_FUNCTION_FAILED, 'CKA_SEED does not derive CKA_VALUE');
    agreeingSeeds.set(seed, value);
  }
  return { set, value };
}

// ---- ML-KEM ------------------------------------------------------------------------------

function encapsulate(key: KeyObject, parameter: unknown): { ciphertext: Buffer; secret: Buffer } {
  noParameter(parameter);
  const { set, value } = publicKeyOf(ML_KEM, key);
  try {
    return set.encapsulate(value);
  } catch {
    throw new CKRError(K.CKR_PUBLIC_KEY_INVALID, 'the encapsulation key fails the FIPS 203 modulus check');
  }
}

function decapsulate(key: KeyObject, parameter: unknown, ciphertext: Buffer): Buffer {
  noParameter(parameter);
  const { set, value } = privateKeyOf(ML_KEM, key);
  // The spec lists no ciphertext error for C_DecapsulateKey; the ciphertext is an encapsulated key.
  if (ciphertext.length !== set.ciphertextLength) throw new CKRError(K.CKR_WRAPPED_KEY_LEN_RANGE);
  try {
    return set.decapsulate(ciphertext, value);
  } catch {
    throw new CKRError(K.CKR_FUNCTION_FAILED, 'the decapsulation key fails the FIPS 203 hash check');
  }
}

// ---- signature parameters ---------------------------------------------------------------

/** A hash for HashML-DSA / HashSLH-DSA: its OpenSSL name, output length, and DER OID (FIPS 204 5.4, FIPS 205 10.2). */
interface PreHash {
  name: string;
  length: number;
  oid: Buffer;
}

const nistHash = (name: string, length: number, arc: number): PreHash => ({ name, length, oid: derOid(`2.16.840.1.101.3.4.2.${arc}`) });
const SHA224 = nistHash('sha224', 28, 4);
const SHA256 = nistHash('sha256', 32, 1);
const SHA384 = nistHash('sha384', 48, 2);
const SHA512 = nistHash('sha512', 64, 3);
const SHA512_224 = nistHash('sha512-224', 28, 5);
const SHA512_256 = nistHash('sha512-256', 32, 6);
const SHA3_224 = nistHash('sha3-224', 28, 7);
const SHA3_256 = nistHash('sha3-256', 32, 8);
const SHA3_384 = nistHash('sha3-384', 48, 9);
const SHA3_512 = nistHash('sha3-512', 64, 10);
// The XOF OIDs fix the output length: SHAKE128 with 256 bits, SHAKE256 with 512 bits.
const SHAKE128 = nistHash('shake128', 32, 11);
const SHAKE256 = nistHash('shake256', 64, 12);

/** What CK_HASH_SIGN_ADDITIONAL_CONTEXT.hash may name: PKCS#11 has digest mechanisms for SHA-2 and SHA-3 only. */
const PREHASH_BY_DIGEST: ReadonlyMap<number, PreHash> = new Map([
  [K.CKM_SHA224, SHA224], [K.CKM_SHA256, SHA256], [K.CKM_SHA384, SHA384], [K.CKM_SHA512, SHA512],
  [K.CKM_SHA512_224, SHA512_224], [K.CKM_SHA512_256, SHA512_256],
  [K.CKM_SHA3_224, SHA3_224], [K.CKM_SHA3_256, SHA3_256], [K.CKM_SHA3_384, SHA3_384], [K.CKM_SHA3_512, SHA3_512],
]);

const HEDGE_TYPES = [K.CKH_HEDGE_PREFERRED, K.CKH_HEDGE_REQUIRED, K.CKH_DETERMINISTIC_REQUIRED];
const MAX_CONTEXT = 255;

interface SignContext {
  context: Buffer;
  deterministic: boolean;
}

function isAbsent(parameter: unknown): boolean {
  return parameter === undefined || parameter === null || (parameter instanceof Uint8Array && parameter.length === 0);
}

function paramObject(parameter: unknown, structName: string): Record<string, unknown> {
  if (typeof parameter !== 'object' || parameter === null || parameter instanceof Uint8Array || Array.isArray(parameter)) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, `expected ${structName}`);
  }
  return parameter as Record<string, unknown>;
}

/**
 * CK_SIGN_ADDITIONAL_CONTEXT { hedgeVariant, pContext }, or its absence
 * (hedge preferred, empty context). We hedge whenever allowed, as FIPS 204
 * recommends. Verification ignores hedgeVariant, as the spec says.
 */
function signContext(parameter: unknown, signing: boolean, structName = 'CK_SIGN_ADDITIONAL_CONTEXT'): SignContext {
  if (isAbsent(parameter)) return { context: Buffer.alloc(0), deterministic: false };
  const p = paramObject(parameter, structName);
  const hedge = p.hedgeVariant ?? K.CKH_HEDGE_PREFERRED;
  if (signing && !HEDGE_TYPES.includes(hedge as number)) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'unknown hedgeVariant');
  let context = Buffer.alloc(0);
  if (p.pContext !== undefined && p.pContext !== null) {
    if (!(p.pContext instanceof Uint8Array)) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'pContext must be bytes');
    context = Buffer.from(p.pContext);
  }
  if (context.length > MAX_CONTEXT) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'the context string is longer than 255 bytes');
  return { context, deterministic: hedge === K.CKH_DETERMINISTIC_REQUIRED };
}

/** CK_HASH_SIGN_ADDITIONAL_CONTEXT: as above, plus the hash the caller used; not optional. */
function hashSignContext(parameter: unknown, signing: boolean): SignContext & { preHash: PreHash } {
  const structName = 'CK_HASH_SIGN_ADDITIONAL_CONTEXT';
  if (isAbsent(parameter)) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, `${structName} is required`);
  const base = signContext(parameter, signing, structName);
  const hash = paramObject(parameter, structName).hash;
  const preHash = typeof hash === 'number' ? PREHASH_BY_DIGEST.get(hash) : undefined;
  if (!preHash) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'hash must be a SHA-2 or SHA-3 digest mechanism');
  return { ...base, preHash };
}

// ---- the message M′ (FIPS 204 Algorithms 2-5, FIPS 205 Algorithms 22-25) -------------------

/** How the caller's data becomes M′ in a sink: the sink is made once all of M′ can be given to it. */
interface MessageEncoding<S extends MessageSink> {
  update(data: Buffer): void;
  /** The sink holding all of M′; called at most once. */
  complete(): S;
}

/** M′ = 0 || |ctx| || ctx || M: the message goes straight to the sink. */
function pureEncoding<S extends MessageSink>(sink: S, context: Buffer): MessageEncoding<S> {
  sink.update(Buffer.from([0, context.length]));
  sink.update(context);
  return { update: (data) => sink.update(data), complete: () => sink };
}

/** M′ = 1 || |ctx| || ctx || OID(PH) || PH(M). */
function preHashedInto<S extends MessageSink>(sink: S, context: Buffer, preHash: PreHash, digest: Buffer): S {
  sink.update(Buffer.from([1, context.length]));
  sink.update(context);
  sink.update(preHash.oid);
  sink.update(digest);
  return sink;
}

/** CKM_HASH_*_<hash>: the token computes PH(M) as the message arrives. */
function hashingEncoding<S extends MessageSink>(start: () => S, context: Buffer, preHash: PreHash): MessageEncoding<S> {
  const hash = createHash(preHash.name, { outputLength: preHash.length });
  return { update: (data) => hash.update(data), complete: () => preHashedInto(start(), context, preHash, hash.digest()) };
}

/** CKM_HASH_ML_DSA / CKM_HASH_SLH_DSA: the caller's data is PH(M) (single-part, so one update). */
function preHashedEncoding<S extends MessageSink>(
  start: () => S, context: Buffer, preHash: PreHash, signing: boolean,
): MessageEncoding<S> {
  let digest = Buffer.alloc(0);
  return {
    update: (data) => { digest = Buffer.concat([digest, data]); },
    complete: () => {
      // The spec's table: signing takes exactly a hash; verifying takes any input (a wrong one just fails).
      if (signing && digest.length !== preHash.length) throw new CKRError(K.CKR_DATA_LEN_RANGE, `expected a ${preHash.length}-byte hash`);
      return preHashedInto(start(), context, preHash, digest);
    },
  };
}

// ---- signing and verification ---------------------------------------------------------------

class PqcSigner implements Signer {
  private signature?: Buffer;
  constructor(
    private readonly set: SignatureParameterSet,
    private readonly message: MessageEncoding<MessageSigner>,
    private readonly deterministic: boolean,
  ) {}
  signatureLength(): number {
    return this.set.signatureLength;
  }
  update(data: Buffer): void {
    this.message.update(data);
  }
  /** Kept, so that asking again (after CKR_BUFFER_TOO_SMALL) gives the same hedged signature. */
  final(): Buffer {
    this.signature ??= signWith(this.message, this.deterministic);
    return this.signature;
  }
  oneShot(data: Buffer): Buffer {
    this.update(data);
    return this.final();
  }
}

function signWith(message: MessageEncoding<MessageSigner>, deterministic: boolean): Buffer {
  const sink = message.complete();
  try {
    return sink.sign(deterministic);
  } catch {
    throw new CKRError(K.CKR_FUNCTION_FAILED, 'the private key is malformed');
  }
}

class PqcVerifier implements Verifier {
  constructor(private readonly set: SignatureParameterSet, private readonly message: MessageEncoding<MessageVerifier>) {}
  update(data: Buffer): void {
    this.message.update(data);
  }
  final(signature: Buffer): void {
    if (signature.length !== this.set.signatureLength) throw new CKRError(K.CKR_SIGNATURE_LEN_RANGE);
    let valid = false;
    try {
      valid = this.message.complete().verify(signature);
    } catch (e) {
      if (e instanceof CKRError) throw e;
    }
    if (!valid) throw new CKRError(K.CKR_SIGNATURE_INVALID);
  }
  oneShot(data: Buffer, signature: Buffer): void {
    this.update(data);
    this.final(signature);
  }
}

/** The three ways a signature mechanism takes its data. */
type MessageForm =
  | { kind: 'pure' }
  | { kind: 'preHashed' }
  | { kind: 'hashing'; preHash: PreHash };

function signer(family: Family<SignatureParameterSet>, form: MessageForm) {
  return (key: KeyObject, parameter: unknown): Signer => {
    const { set, value } = privateKeyOf(family, key);
    const start = () => set.startSigning(value);
    if (form.kind === 'preHashed') {
      const { context, deterministic, preHash } = hashSignContext(parameter, true);
      return new PqcSigner(set, preHashedEncoding(start, context, preHash, true), deterministic);
    }
    const { context, deterministic } = signContext(parameter, true);
    const message = form.kind === 'pure' ? pureEncoding(start(), context) : hashingEncoding(start, context, form.preHash);
    return new PqcSigner(set, message, deterministic);
  };
}

function verifier(family: Family<SignatureParameterSet>, form: MessageForm) {
  return (key: KeyObject, parameter: unknown): Verifier => {
    const { set, value } = publicKeyOf(family, key);
    const start = () => set.startVerifying(value);
    if (form.kind === 'preHashed') {
      const { context, preHash } = hashSignContext(parameter, false);
      return new PqcVerifier(set, preHashedEncoding(start, context, preHash, false));
    }
    const { context } = signContext(parameter, false);
    const message = form.kind === 'pure' ? pureEncoding(start(), context) : hashingEncoding(start, context, form.preHash);
    return new PqcVerifier(set, message);
  };
}

// ---- registrations ----------------------------------------------------------------------------

function registerKeyPairGen(type: number, family: Family<ParameterSet>): void {
  registerMechanism({
    type,
    ...publicKeyLengths(family),
    generateKeyPair(parameter, publicTemplate) {
      noParameter(parameter);
      return generateKeyPair(family, publicTemplate);
    },
  });
}

function registerSignature(type: number, family: Family<SignatureParameterSet>, form: MessageForm): void {
  const mechanism: Mechanism = {
    type,
    ...publicKeyLengths(family),
    keyTypes: [family.keyType],
    keySize: keySizeIn(family),
    // The caller-hashed forms are single-part in the spec. Pure SLH-DSA verification is
    // too (except through C_VerifySignature*), which the core cannot tell apart: the
    // message is kept whole for SLH-DSA anyway, so multi-part costs nothing extra.
    multiPart: form.kind !== 'preHashed',
    sign: signer(family, form),
    verify: verifier(family, form),
  };
  registerMechanism(mechanism);
}

registerKeyPairGen(K.CKM_ML_KEM_KEY_PAIR_GEN, ML_KEM);
registerMechanism({
  type: K.CKM_ML_KEM,
  ...publicKeyLengths(ML_KEM),
  keyTypes: [K.CKK_ML_KEM],
  keySize: keySizeIn(ML_KEM),
  encapsulate,
  decapsulate,
});

const HASHING_VARIANTS: [mlDsa: number, slhDsa: number, preHash: PreHash][] = [
  [K.CKM_HASH_ML_DSA_SHA224, K.CKM_HASH_SLH_DSA_SHA224, SHA224],
  [K.CKM_HASH_ML_DSA_SHA256, K.CKM_HASH_SLH_DSA_SHA256, SHA256],
  [K.CKM_HASH_ML_DSA_SHA384, K.CKM_HASH_SLH_DSA_SHA384, SHA384],
  [K.CKM_HASH_ML_DSA_SHA512, K.CKM_HASH_SLH_DSA_SHA512, SHA512],
  [K.CKM_HASH_ML_DSA_SHA3_224, K.CKM_HASH_SLH_DSA_SHA3_224, SHA3_224],
  [K.CKM_HASH_ML_DSA_SHA3_256, K.CKM_HASH_SLH_DSA_SHA3_256, SHA3_256],
  [K.CKM_HASH_ML_DSA_SHA3_384, K.CKM_HASH_SLH_DSA_SHA3_384, SHA3_384],
  [K.CKM_HASH_ML_DSA_SHA3_512, K.CKM_HASH_SLH_DSA_SHA3_512, SHA3_512],
  [K.CKM_HASH_ML_DSA_SHAKE128, K.CKM_HASH_SLH_DSA_SHAKE128, SHAKE128],
  [K.CKM_HASH_ML_DSA_SHAKE256, K.CKM_HASH_SLH_DSA_SHAKE256, SHAKE256],
];

registerKeyPairGen(K.CKM_ML_DSA_KEY_PAIR_GEN, ML_DSA);
registerSignature(K.CKM_ML_DSA, ML_DSA, { kind: 'pure' });
registerSignature(K.CKM_HASH_ML_DSA, ML_DSA, { kind: 'preHashed' });
for (const [type, , preHash] of HASHING_VARIANTS) registerSignature(type, ML_DSA, { kind: 'hashing', preHash });

registerKeyPairGen(K.CKM_SLH_DSA_KEY_PAIR_GEN, SLH_DSA);
registerSignature(K.CKM_SLH_DSA, SLH_DSA, { kind: 'pure' });
registerSignature(K.CKM_HASH_SLH_DSA, SLH_DSA, { kind: 'preHashed' });
for (const [, type, preHash] of HASHING_VARIANTS) registerSignature(type, SLH_DSA, { kind: 'hashing', preHash });
