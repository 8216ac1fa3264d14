import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import { USAGE } from '../src/cli/attributes-view.js';
import { UsageError } from '../src/cli/errors.js';
import { parseKeySpec, usageTemplates } from '../src/cli/key-spec.js';
import { keyIdOfSpki } from '../src/cli/key-id.js';
import { generateKeyPairSync, createHash } from 'node:crypto';

describe('key specifications of cryptoki key generate', () => {
  it('reads every family, with defaults and sizes', () => {
    const cases: [string, string, number, boolean][] = [
      ['aes', 'aes:256', K.CKM_AES_KEY_GEN, false], ['AES:128', 'aes:128', K.CKM_AES_KEY_GEN, false],
      ['generic', 'generic:256', K.CKM_GENERIC_SECRET_KEY_GEN, false], ['hmac:512', 'generic:512', K.CKM_GENERIC_SECRET_KEY_GEN, false],
      ['rsa', 'rsa:2048', K.CKM_RSA_PKCS_KEY_PAIR_GEN, true], ['rsa:4096', 'rsa:4096', K.CKM_RSA_PKCS_KEY_PAIR_GEN, true],
      ['ec:prime256v1', 'ec:P-256', K.CKM_EC_KEY_PAIR_GEN, true], ['ec:secp384r1', 'ec:P-384', K.CKM_EC_KEY_PAIR_GEN, true],
      ['ec:brainpoolP256r1', 'ec:brainpoolP256r1', K.CKM_EC_KEY_PAIR_GEN, true],
      ['ed25519', 'ed25519', K.CKM_EC_EDWARDS_KEY_PAIR_GEN, true], ['ed448', 'ed448', K.CKM_EC_EDWARDS_KEY_PAIR_GEN, true],
      ['x25519', 'x25519', K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN, true], ['x448', 'x448', K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN, true],
      ['ml-dsa-87', 'ml-dsa-87', K.CKM_ML_DSA_KEY_PAIR_GEN, true], ['ML-KEM-1024', 'ml-kem-1024', K.CKM_ML_KEM_KEY_PAIR_GEN, true],
      ['slh-dsa-shake-256s', 'slh-dsa-shake-256s', K.CKM_SLH_DSA_KEY_PAIR_GEN, true],
    ];
    for (const [text, name, mechanism, pair] of cases) {
      const spec = parseKeySpec(text);
      assert.deepEqual([spec.name, spec.mechanism, spec.pair], [name, mechanism, pair], text);
    }
    assert.deepEqual(parseKeySpec('aes:192').publicAttrs, [{ type: K.CKA_VALUE_LEN, value: 24 }]);
    assert.deepEqual(parseKeySpec('ml-dsa-65').publicAttrs, [{ type: K.CKA_PARAMETER_SET, value: K.CKP_ML_DSA_65 }]);
    assert.equal(parseKeySpec('rsa:8192').slow, true);
  });

  it('refuses unknown families, curves and sizes', () => {
    for (const bad of ['dsa', 'ec', 'ec:P-999', 'rsa:abc', 'aes:100', 'aes:0', 'ml-dsa-99', '']) {
      assert.throws(() => parseKeySpec(bad), UsageError, bad);
    }
  });

  it('sets every usage attribute of each half: true when chosen, false otherwise', () => {
    const { pub, priv } = usageTemplates(parseKeySpec('rsa'), ['sign', 'verify'], USAGE);
    assert.deepEqual(pub.filter((a) => a.value).map((a) => a.type), [K.CKA_VERIFY]);
    assert.deepEqual(priv.filter((a) => a.value).map((a) => a.type), [K.CKA_SIGN]);
    assert.ok(pub.some((a) => a.type === K.CKA_ENCRYPT && a.value === false));
    const kem = usageTemplates(parseKeySpec('ml-kem-768'), ['encapsulate', 'decapsulate'], USAGE);
    assert.ok(kem.pub.some((a) => a.type === K.CKA_ENCAPSULATE && a.value === true));
    const aes = usageTemplates(parseKeySpec('aes'), ['wrap', 'unwrap'], USAGE);
    assert.deepEqual(aes.priv, []);
    assert.deepEqual(aes.pub.filter((a) => a.value).map((a) => a.type), [K.CKA_WRAP, K.CKA_UNWRAP]);
    assert.throws(() => usageTemplates(parseKeySpec('ed25519'), ['encrypt'], USAGE), /cannot encrypt/);
    assert.throws(() => usageTemplates(parseKeySpec('aes'), ['fly'], USAGE), /unknown usage/);
  });

  it('makes key IDs from the public key bits of an SPKI', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    // An Ed25519 SPKI is 12 bytes of header, then the 32-byte key.
    assert.deepEqual(keyIdOfSpki(spki), createHash('sha1').update(spki.subarray(12)).digest());
    assert.throws(() => keyIdOfSpki(Buffer.from('3000', 'hex')));
  });
});
