/**
 * PKCS#8 for post-quantum private keys, so that C_WrapKey and C_UnwrapKey
 * carry them as they carry RSA and EC keys. node:crypto on Node 20 knows none
 * of these key types, so the DER is read and written here.
 *
 * - ML-DSA (RFC 9881) and ML-KEM (draft-ietf-lamps-kyber-certificates): the
 *   privateKey field holds a CHOICE of seed [0] IMPLICIT OCTET STRING,
 *   expandedKey OCTET STRING, or both SEQUENCE { seed, expandedKey }. We write
 *   `both` when the key keeps its seed (CKA_SEED) and `expandedKey` otherwise,
 *   and read all three; a seed that does not derive the expanded key is refused.
 * - SLH-DSA (RFC 9909): the privateKey field holds the key itself,
 *   SK.seed || SK.prf || PK.seed || PK.root.
 */
import { timingSafeEqual } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap, StoredValue } from '../pkcs11/attributes.js';
import { readElement, tlv } from './der.js';
import { pkcs8, registerPrivateKeyCodec } from './key-codec.js';
import { subjectPublicKeyInfo, type ParameterSet } from './pqc.js';
import { ML_DSA_SETS } from './pqc-ml-dsa.js';
import { ML_KEM_SETS } from './pqc-ml-kem.js';
import { SLH_DSA_SETS } from './pqc-slh-dsa.js';

const TAG_SEED = 0x80;
const TAG_OCTET_STRING = 0x04;
const TAG_SEQUENCE = 0x30;

function malformed(): CKRError {
  return new CKRError(K.CKR_WRAPPED_KEY_INVALID);
}

function setOf(sets: ReadonlyMap<number, ParameterSet>, attrs: AttributeMap): ParameterSet {
  const set = sets.get(attrs.get(K.CKA_PARAMETER_SET) as number);
  if (!set) throw new CKRError(K.CKR_KEY_NOT_WRAPPABLE, 'unknown parameter set');
  return set;
}

function byOid(sets: ReadonlyMap<number, ParameterSet>, oid: string): [number, ParameterSet] {
  for (const entry of sets) if (entry[1].oid === oid) return entry;
  throw malformed();
}

/** The seed and expanded key of a seed-or-expanded CHOICE (ML-DSA, ML-KEM). */
function readSeedChoice(privateKey: Buffer): { seed?: Buffer; expanded?: Buffer } {
  const choice = readElement(privateKey);
  if (!choice || choice.end !== privateKey.length) throw malformed();
  if (choice.tag === TAG_SEED) return { seed: choice.value };
  if (choice.tag === TAG_OCTET_STRING) return { expanded: choice.value };
  if (choice.tag !== TAG_SEQUENCE) throw malformed();
  const seed = readElement(choice.value);
  const expanded = seed && readElement(choice.value, seed.end);
  if (!seed || seed.tag !== TAG_OCTET_STRING || !expanded || expanded.tag !== TAG_OCTET_STRING || expanded.end !== choice.value.length) {
    throw malformed();
  }
  return { seed: seed.value, expanded: expanded.value };
}

function seededCodec(keyType: number, sets: ReadonlyMap<number, ParameterSet>): void {
  registerPrivateKeyCodec({
    keyType,
    oids: [...sets.values()].map((s) => s.oid),
    toPkcs8(attrs) {
      const set = setOf(sets, attrs);
      const value = attrs.get(K.CKA_VALUE) as Buffer;
      const seed = attrs.get(K.CKA_SEED);
      const choice = Buffer.isBuffer(seed) && seed.length === set.seedLength
        ? tlv(TAG_SEQUENCE, tlv(TAG_OCTET_STRING, seed), tlv(TAG_OCTET_STRING, value))
        : tlv(TAG_OCTET_STRING, value);
      return pkcs8(set.oid, choice);
    },
    fromPrivateKey(oid, privateKey) {
      const [setId, set] = byOid(sets, oid);
      const { seed, expanded } = readSeedChoice(privateKey);
      if (seed && seed.length !== set.seedLength) throw malformed();
      if (expanded && expanded.length !== set.privateKeyLength) throw malformed();
      const derived = seed ? set.keygen(seed) : undefined;
      if (derived && expanded && !timingSafeEqual(derived.privateKey, expanded)) throw malformed();
      const attrs = new Map<number, StoredValue>([
        [K.CKA_KEY_TYPE, keyType],
        [K.CKA_PARAMETER_SET, setId],
        [K.CKA_VALUE, Buffer.from(derived?.privateKey ?? expanded!)],
      ]);
      if (seed) attrs.set(K.CKA_SEED, Buffer.from(seed));
      if (derived) attrs.set(K.CKA_PUBLIC_KEY_INFO, subjectPublicKeyInfo(set.oid, derived.publicKey));
      return attrs;
    },
  });
}

seededCodec(K.CKK_ML_DSA, ML_DSA_SETS);
seededCodec(K.CKK_ML_KEM, ML_KEM_SETS);

registerPrivateKeyCodec({
  keyType: K.CKK_SLH_DSA,
  oids: [...SLH_DSA_SETS.values()].map((s) => s.oid),
  toPkcs8(attrs) {
    const set = setOf(SLH_DSA_SETS, attrs);
    return pkcs8(set.oid, attrs.get(K.CKA_VALUE) as Buffer);
  },
  fromPrivateKey(oid, privateKey) {
    const [setId, set] = byOid(SLH_DSA_SETS, oid);
    if (privateKey.length !== set.privateKeyLength) throw malformed();
    return new Map<number, StoredValue>([
      [K.CKA_KEY_TYPE, K.CKK_SLH_DSA],
      [K.CKA_PARAMETER_SET, setId],
      [K.CKA_VALUE, Buffer.from(privateKey)],
      // The second half of an SLH-DSA private key is its public key (FIPS 205, 9.1).
      [K.CKA_PUBLIC_KEY_INFO, subjectPublicKeyInfo(set.oid, Buffer.from(privateKey.subarray(privateKey.length / 2)))],
    ]);
  },
});
