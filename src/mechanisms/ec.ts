/**
 * Short Weierstrass elliptic curves (spec 6.3): key pair generation, ECDSA
 * with and without hashing, ECDH key derivation (which also serves Montgomery
 * keys), and PKCS#8 for wrapping EC private keys.
 */
import { createPublicKey, createSign, createVerify, type KeyObject as NodeKeyObject, type Sign, type Verify } from 'node:crypto';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap, StoredValue } from '../pkcs11/attributes.js';
import {
  curveOf, curveOfNodeKey, curveOfParams, EC_FLAGS, EC_GENERATE_FLAGS, fixedLength, scalarOfSec1, type WeierstrassCurve,
} from './ec-curves.js';
import { ecdhDerive } from './ec-ecdh.js';
import { normalizeSignature, signHash, verifyHash } from './ec-ecdsa.js';
import { ecPrivateKey, ecPublicKey, generateEcKeyPair, templateParams } from './ec-keys.js';
import { registerPrivateKeyCodec } from './key-codec.js';
import type { Mechanism, Signer, Verifier } from './mechanism.js';
import { registerMechanism } from './registry.js';

/** Field sizes of the curves offered: P-256 .. P-521. */
const MIN_BITS = 256;
const MAX_BITS = 521;

function noParameter(parameter: unknown): void {
  if (parameter !== undefined && parameter !== null) {
    throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'this mechanism takes no parameter');
  }
}

const fieldBits = (attrs: AttributeMap) => curveOf(attrs, 'weierstrass').fieldBits;

// ---- key pair generation -------------------------------------------------------------------------

registerMechanism({
  type: K.CKM_EC_KEY_PAIR_GEN,
  minKeySize: MIN_BITS,
  maxKeySize: MAX_BITS,
  extraFlags: EC_GENERATE_FLAGS,
  generateKeyPair(parameter, publicTemplate, privateTemplate) {
    noParameter(parameter);
    const params = templateParams(publicTemplate, privateTemplate);
    const curve = curveOfParams(params);
    // Edwards and Montgomery curves have their own generation mechanisms (spec 6.3.10).
    if (curve.kind !== 'weierstrass') throw new CKRError(K.CKR_CURVE_NOT_SUPPORTED, 'not a short Weierstrass curve');
    return generateEcKeyPair(curve, params);
  },
});

// ---- ECDSA with hashing ---------------------------------------------------------------------------

/** OpenSSL signs and hashes; p1363 encoding is r || s of nLen bytes each, as PKCS#11 wants. */
class HashedSigner implements Signer {
  private readonly sign: Sign;
  private signature?: Buffer;
  constructor(hash: string, private readonly key: NodeKeyObject, private readonly curve: WeierstrassCurve) {
    this.sign = createSign(hash);
  }
  signatureLength(): number {
    return 2 * this.curve.orderBytes;
  }
  update(data: Buffer): void {
    this.sign.update(data);
  }
  final(): Buffer {
    // node:crypto's Sign finishes once; the result is kept for a repeated call.
    this.signature ??= this.sign.sign({ key: this.key, dsaEncoding: 'ieee-p1363' });
    return this.signature;
  }
  oneShot(data: Buffer): Buffer {
    this.update(data);
    return this.final();
  }
}

class HashedVerifier implements Verifier {
  private readonly verifier: Verify;
  constructor(hash: string, private readonly key: NodeKeyObject, private readonly curve: WeierstrassCurve) {
    this.verifier = createVerify(hash);
  }
  update(data: Buffer): void {
    this.verifier.update(data);
  }
  final(signature: Buffer): void {
    const full = normalizeSignature(this.curve, signature);
    if (!this.verifier.verify({ key: this.key, dsaEncoding: 'ieee-p1363' }, full)) throw new CKRError(K.CKR_SIGNATURE_INVALID);
  }
  oneShot(data: Buffer, signature: Buffer): void {
    this.update(data);
    this.final(signature);
  }
}

const ECDSA_HASHES: [number, string][] = [
  [K.CKM_ECDSA_SHA1, 'sha1'], [K.CKM_ECDSA_SHA224, 'sha224'], [K.CKM_ECDSA_SHA256, 'sha256'],
  [K.CKM_ECDSA_SHA384, 'sha384'], [K.CKM_ECDSA_SHA512, 'sha512'], [K.CKM_ECDSA_SHA3_224, 'sha3-224'],
  [K.CKM_ECDSA_SHA3_256, 'sha3-256'], [K.CKM_ECDSA_SHA3_384, 'sha3-384'], [K.CKM_ECDSA_SHA3_512, 'sha3-512'],
];

const ECDSA_COMMON: Omit<Mechanism, 'type'> = {
  minKeySize: MIN_BITS,
  maxKeySize: MAX_BITS,
  extraFlags: EC_FLAGS,
  keyTypes: [K.CKK_EC],
  keySize: fieldBits,
};

for (const [type, hash] of ECDSA_HASHES) {
  registerMechanism({
    ...ECDSA_COMMON,
    type,
    sign(key, parameter) {
      noParameter(parameter);
      const { curve, key: nodeKey } = ecPrivateKey(key.attrs);
      return new HashedSigner(hash, nodeKey, curve);
    },
    verify(key, parameter) {
      noParameter(parameter);
      const { curve, key: nodeKey } = ecPublicKey(key.attrs);
      return new HashedVerifier(hash, nodeKey, curve);
    },
  });
}

// ---- CKM_ECDSA: the caller's hash ------------------------------------------------------------------

const singlePartOnly = () => new CKRError(K.CKR_FUNCTION_NOT_SUPPORTED, 'CKM_ECDSA is single-part only');

registerMechanism({
  ...ECDSA_COMMON,
  type: K.CKM_ECDSA,
  multiPart: false,
  sign(key, parameter): Signer {
    noParameter(parameter);
    const { curve, d } = ecPrivateKey(key.attrs);
    return {
      signatureLength: () => 2 * curve.orderBytes,
      update: () => { throw singlePartOnly(); },
      final: () => { throw singlePartOnly(); },
      oneShot: (hash) => signHash(curve, d, hash),
    };
  },
  verify(key, parameter): Verifier {
    noParameter(parameter);
    const { curve, point } = ecPublicKey(key.attrs);
    return {
      update: () => { throw singlePartOnly(); },
      final: () => { throw singlePartOnly(); },
      oneShot(hash, signature) {
        const full = normalizeSignature(curve, signature);
        if (!verifyHash(curve, point, hash, full)) throw new CKRError(K.CKR_SIGNATURE_INVALID);
      },
    };
  },
});

// ---- ECDH ---------------------------------------------------------------------------------------------

registerMechanism({
  type: K.CKM_ECDH1_DERIVE,
  // X25519 (255 bits) to P-521.
  minKeySize: 255,
  maxKeySize: MAX_BITS,
  extraFlags: EC_FLAGS,
  keyTypes: [K.CKK_EC, K.CKK_EC_MONTGOMERY],
  keySize: (attrs) => curveOfParams(attrs.get(K.CKA_EC_PARAMS)).fieldBits,
  derive: (baseKey, parameter, template) => ecdhDerive(baseKey.attrs, parameter, template),
});

registerMechanism({
  type: K.CKM_ECDH1_COFACTOR_DERIVE,
  minKeySize: MIN_BITS,
  maxKeySize: MAX_BITS,
  extraFlags: EC_FLAGS,
  keyTypes: [K.CKK_EC],
  keySize: fieldBits,
  derive: (baseKey, parameter, template) => ecdhDerive(baseKey.attrs, parameter, template),
});

// ---- PKCS#8 --------------------------------------------------------------------------------------------

registerPrivateKeyCodec({
  keyType: K.CKK_EC,
  nodeTypes: ['ec'],
  toPkcs8: (attrs) => ecPrivateKey(attrs).key.export({ format: 'der', type: 'pkcs8' }),
  fromKeyObject(key) {
    const curve = curveOfNodeKey('ec', key.asymmetricKeyDetails?.namedCurve);
    if (!curve || curve.kind !== 'weierstrass') throw new CKRError(K.CKR_CURVE_NOT_SUPPORTED);
    const scalar = scalarOfSec1(key.export({ format: 'der', type: 'sec1' }));
    const d = scalar && fixedLength(scalar, curve.orderBytes);
    if (!d) throw new CKRError(K.CKR_WRAPPED_KEY_INVALID);
    return new Map<number, StoredValue>([
      [K.CKA_KEY_TYPE, K.CKK_EC],
      [K.CKA_EC_PARAMS, curve.oid],
      [K.CKA_VALUE, Buffer.from(d)],
      [K.CKA_PUBLIC_KEY_INFO, createPublicKey(key).export({ format: 'der', type: 'spki' })],
    ]);
  },
});
