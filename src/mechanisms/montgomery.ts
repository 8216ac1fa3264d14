/**
 * Montgomery curves (spec 6.3, RFC 7748): key pair generation and PKCS#8 for
 * wrapping X25519/X448 private keys. Key agreement with them is
 * CKM_ECDH1_DERIVE, registered with the other EC mechanisms in ec.ts.
 */
import * as K from '../pkcs11/constants.js';
import { CKRError } from '../pkcs11/error.js';
import { OCTET_CURVE_FLAGS } from './ec-curves.js';
import { generateOctetPair, octetCodec } from './ec-keys.js';
import { registerPrivateKeyCodec } from './key-codec.js';
import { registerMechanism } from './registry.js';

registerMechanism({
  type: K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN,
  minKeySize: 255,
  maxKeySize: 448,
  extraFlags: OCTET_CURVE_FLAGS,
  generateKeyPair(parameter, publicTemplate, privateTemplate) {
    if (parameter !== undefined && parameter !== null) throw new CKRError(K.CKR_MECHANISM_PARAM_INVALID, 'this mechanism takes no parameter');
    return generateOctetPair('montgomery', K.CKK_EC_MONTGOMERY, publicTemplate, privateTemplate);
  },
});

registerPrivateKeyCodec(octetCodec('montgomery', K.CKK_EC_MONTGOMERY));
