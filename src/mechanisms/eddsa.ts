/**
 * Edwards curves (spec 6.3): key pair generation, CKM_EDDSA in the five
 * RFC 8032 schemes, and PKCS#8 for wrapping Edwards private keys.
 *
 * OpenSSL (node:crypto) signs pure Ed25519, and Ed448 with an empty context.
 * Node 20 cannot pass OpenSSL a context or ask for the prehash variants (its
 * OpenSSL 3.0 has no Ed25519ctx/ph, and crypto.sign ignores a context), so
 * Ed25519ctx, Ed25519ph, Ed448 with a context and Ed448ph are @noble/curves'
 * (a direct dependency, imported statically: a top-level await here would stop
 * CommonJS code from require()-ing the library, as pkcs11js users do).
 */
import { sign as nodeSign, verify as nodeVerify, type KeyObject as NodeKeyObject } from 'node:crypto';
import { ed25519ctx, ed25519ph } from '@noble/curves/ed25519.js';
import { ed448, ed448ph } from '@noble/curves/ed448.js';
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import type { AttributeMap } from '../pkcs11/attributes.js';
import { curveOf, decodeOctetPoint, OCTET_CURVE_FLAGS, type OctetCurve } from './ec-curves.js';
import { generateOctetPair, octetCodec, octetPrivateKey, octetPublicKey } from './ec-keys.js';
import { bytesField, parameterObject } from './kdf-derived-key.js';
import { registerPrivateKeyCodec } from './key-codec.js';
import type { Signer, Verifier } from './mechanism.js';
import { registerMechanism } from './registry.js';

// ---- @noble/curves, for the variants OpenSSL cannot do here --------------------------------------------

interface NobleEdDSA {
  sign(message: Uint8Array, secretKey: Uint8Array, options?: { context?: Uint8Array }): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, options?: { context?: Uint8Array; zip215?: boolean }): boolean;
}

const noble: { ed25519ctx: NobleEdDSA; ed25519ph: NobleEdDSA; ed448: NobleEdDSA; ed448ph: NobleEdDSA } = {
  ed25519ctx, ed25519ph, ed448, ed448ph,
};

// ---- the scheme of a CKM_EDDSA operation ----------------------------------------------------------------

/** A signature scheme: OpenSSL's pure EdDSA, or a @noble/curves scheme with its context. */
type Scheme = { kind: 'openssl' } | { kind: 'noble'; eddsa: NobleEdDSA; context: Buffer };

/**
 * The RFC 8032 scheme of a key and a CK_EDDSA_PARAMS { phFlag, pContextData }
 * (spec table "Mapping to RFC 8032 Signature Schemes"). No parameter is pure
 * EdDSA (for Ed448: an empty context). Ed25519 with phFlag false and no
 * context is taken as pure Ed25519 too: RFC 8032 5.1 says Ed25519ctx SHOULD
 * NOT be used with an empty context, and callers that always pass the
 * structure mean Ed25519.
 */
function schemeOf(curve: OctetCurve, parameter: unknown): Scheme {
  let prehash = false;
  let context: Buffer = Buffer.alloc(0);
  if (parameter !== undefined && parameter !== null) {
    const p = parameterObject(parameter, 'CK_EDDSA_PARAMS');
    const flag = p.phFlag;
    if (typeof flag === 'boolean') prehash = flag;
    else if (flag === 0 || flag === 1) prehash = flag === 1;
    else throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'phFlag must be a CK_BBOOL');
    context = bytesField(p, 'pContextData', true);
    if (context.length > 255) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'the context is longer than 255 bytes');
  }
  if (!prehash && context.length === 0) return { kind: 'openssl' };
  const eddsa = curve.nodeType === 'ed25519'
    ? (prehash ? noble.ed25519ph : noble.ed25519ctx)
    : (prehash ? noble.ed448ph : noble.ed448);
  return { kind: 'noble', eddsa, context };
}

// ---- sign / verify ----------------------------------------------------------------------------------------

/**
 * Pure EdDSA reads the message twice, so a multi-part operation keeps it all
 * (the spec allows this); the prehash variants are run the same way, as
 * @noble/curves hashes the message itself.
 */
class MessageBuffer {
  private readonly parts: Buffer[] = [];
  add(data: Buffer): void {
    this.parts.push(Buffer.from(data));
  }
  all(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class EdSigner implements Signer {
  private readonly message = new MessageBuffer();
  private signature?: Buffer;
  constructor(private readonly curve: OctetCurve, private readonly scheme: Scheme, private readonly key: NodeKeyObject, private readonly secret: Buffer) {}
  signatureLength(): number {
    return 2 * this.curve.publicLength;
  }
  update(data: Buffer): void {
    this.message.add(data);
  }
  final(): Buffer {
    if (!this.signature) {
      const data = this.message.all();
      this.signature = this.scheme.kind === 'openssl'
        ? nodeSign(null, data, this.key)
        : Buffer.from(this.scheme.eddsa.sign(data, this.secret, { context: this.scheme.context }));
    }
    return this.signature;
  }
  oneShot(data: Buffer): Buffer {
    this.update(data);
    return this.final();
  }
}

class EdVerifier implements Verifier {
  private readonly message = new MessageBuffer();
  constructor(private readonly curve: OctetCurve, private readonly scheme: Scheme, private readonly key: NodeKeyObject, private readonly publicKey: Buffer) {}
  update(data: Buffer): void {
    this.message.add(data);
  }
  final(signature: Buffer): void {
    if (signature.length !== 2 * this.curve.publicLength) throw new CKRError(K.CKR_SIGNATURE_LEN_RANGE);
    if (!this.valid(this.message.all(), signature)) throw new CKRError(K.CKR_SIGNATURE_INVALID);
  }
  oneShot(data: Buffer, signature: Buffer): void {
    this.update(data);
    this.final(signature);
  }
  private valid(data: Buffer, signature: Buffer): boolean {
    if (this.scheme.kind === 'openssl') return nodeVerify(null, data, this.key, signature);
    try {
      // zip215 false: RFC 8032's strict decoding, as OpenSSL does.
      return this.scheme.eddsa.verify(signature, data, this.publicKey, { context: this.scheme.context, zip215: false });
    } catch {
      return false;
    }
  }
}

const edwardsCurve = (attrs: AttributeMap) => curveOf(attrs, 'edwards');

registerMechanism({
  type: K.CKM_EDDSA,
  minKeySize: 255,
  maxKeySize: 448,
  extraFlags: OCTET_CURVE_FLAGS,
  keyTypes: [K.CKK_EC_EDWARDS],
  keySize: (attrs) => edwardsCurve(attrs).fieldBits,
  sign(key, parameter) {
    const curve = edwardsCurve(key.attrs);
    const scheme = schemeOf(curve, parameter);
    return new EdSigner(curve, scheme, octetPrivateKey(key.attrs, curve), key.attrs.get(K.CKA_VALUE) as Buffer);
  },
  verify(key, parameter) {
    const curve = edwardsCurve(key.attrs);
    const scheme = schemeOf(curve, parameter);
    const nodeKey = octetPublicKey(key.attrs, curve);
    // octetPublicKey has read the point, so it decodes.
    const raw = decodeOctetPoint(curve, key.attrs.get(K.CKA_EC_POINT) as Buffer)!;
    return new EdVerifier(curve, scheme, nodeKey, raw);
  },
});

// ---- key pair generation and PKCS#8 --------------------------------------------------------------------------

registerMechanism({
  type: K.CKM_EC_EDWARDS_KEY_PAIR_GEN,
  minKeySize: 255,
  maxKeySize: 448,
  extraFlags: OCTET_CURVE_FLAGS,
  generateKeyPair(parameter, publicTemplate, privateTemplate) {
    if (parameter !== undefined && parameter !== null) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'this mechanism takes no parameter');
    return generateOctetPair('edwards', K.CKK_EC_EDWARDS, publicTemplate, privateTemplate);
  },
});

registerPrivateKeyCodec(octetCodec('edwards', K.CKK_EC_EDWARDS));
