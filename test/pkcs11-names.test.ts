import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import { FUNCTIONS_2_40, FUNCTIONS_3_0, FUNCTIONS_3_2 } from '../src/pkcs11/functions.js';
import {
  attributeName, constantName, constantValue, keyTypeName, mechanismName, objectClassName, rvName,
} from '../src/pkcs11/names.js';

describe('generated PKCS#11 constants', () => {
  it('has the well-known values', () => {
    assert.equal(K.CKR_OK, 0);
    assert.equal(K.CKR_PIN_INCORRECT, 0xa0);
    assert.equal(K.CKA_WRAP_TEMPLATE, 0x40000211);
    assert.equal(K.CKA_WRAP_TEMPLATE, K.CKF_ARRAY_ATTRIBUTE | 0x211);
    assert.equal(K.CKA_ALLOWED_MECHANISMS, 0x40000600);
    assert.equal(K.CKM_VENDOR_DEFINED, 0x80000000);
    assert.equal(K.CKR_VENDOR_DEFINED, 0x80000000);
    assert.equal(K.CKA_VENDOR_DEFINED, 0x80000000);
    assert.equal(K.CK_UNAVAILABLE_INFORMATION, -1);
    assert.equal(K.CK_EFFECTIVELY_INFINITE, 0);
    assert.equal(K.CK_INVALID_HANDLE, 0);
    assert.equal(K.CK_TRUE, 1);
    assert.equal(K.CK_FALSE, 0);
    assert.equal(K.CKK_EC, 3);
    assert.equal(K.CKK_ECDSA, K.CKK_EC);
    assert.equal(K.CKA_EC_PARAMS, 0x180);
    assert.equal(K.CKF_DONT_BLOCK, 1);
    assert.equal(K.CRYPTOKI_VERSION_MAJOR, 3);
    assert.equal(K.CRYPTOKI_VERSION_MINOR, 2);
  });

  it('lists every constant in CONSTANTS, header order, all integers', () => {
    const names = Object.keys(K.CONSTANTS);
    assert.ok(names.length > 1000);
    assert.ok(names.indexOf('CKK_ECDSA') < names.indexOf('CKK_EC'));
    for (const [name, value] of Object.entries(K.CONSTANTS)) {
      assert.ok(Number.isSafeInteger(value), name);
      assert.ok(value >= 0 || name === 'CK_UNAVAILABLE_INFORMATION', name);
      assert.equal((K as unknown as Record<string, unknown>)[name], value, name);
    }
  });

  it('knows deprecated names and aliases', () => {
    for (const n of ['CKK_ECDSA', 'CKA_ECDSA_PARAMS', 'CKM_ECDSA_KEY_PAIR_GEN', 'CKF_EC_NAMEDCURVE']) {
      assert.ok(K.DEPRECATED.has(n), n);
    }
    assert.ok(!K.DEPRECATED.has('CKK_EC'));
    assert.ok(K.HISTORICAL.has('CKM_CAST128_CBC'));
    assert.equal(K.ALIASES.CKA_SUB_PRIME_BITS, 'CKA_SUBPRIME_BITS');
    for (const [alias, original] of Object.entries(K.ALIASES)) {
      assert.equal(K.CONSTANTS[alias], K.CONSTANTS[original], alias);
    }
  });
});

describe('constant names', () => {
  it('maps return values to names, with a hex fallback', () => {
    assert.equal(rvName(0), 'CKR_OK');
    assert.equal(rvName(0xa0), 'CKR_PIN_INCORRECT');
    assert.equal(rvName(0x12345), 'CKR_0x12345');
    assert.equal(rvName(K.CKR_VENDOR_DEFINED), 'CKR_VENDOR_DEFINED');
    assert.equal(mechanismName(0x7fffffff), 'CKM_0x7fffffff');
    assert.equal(attributeName(0x40000211), 'CKA_WRAP_TEMPLATE');
    assert.equal(attributeName(0xabcdef), 'CKA_0xabcdef');
    assert.equal(objectClassName(K.CKO_SECRET_KEY), 'CKO_SECRET_KEY');
  });

  it('prefers the modern name when several share a value', () => {
    assert.equal(constantName('CKK', 3), 'CKK_EC');
    assert.equal(keyTypeName(3), 'CKK_EC');
    assert.equal(constantName('CKM', 0x1040), 'CKM_EC_KEY_PAIR_GEN');
    assert.equal(mechanismName(0x1040), 'CKM_EC_KEY_PAIR_GEN');
    assert.equal(constantName('CKA', 0x180), 'CKA_EC_PARAMS');
    assert.equal(attributeName(K.CKA_SUBPRIME_BITS), 'CKA_SUBPRIME_BITS');
    assert.equal(mechanismName(K.CKM_SHA3_256_KEY_DERIVATION), 'CKM_SHA3_256_KEY_DERIVATION');
    assert.equal(mechanismName(K.CKM_DSA_PROBABILISTIC_PARAMETER_GEN), 'CKM_DSA_PROBABILISTIC_PARAMETER_GEN');
    assert.equal(keyTypeName(0x18), 'CKK_CAST128');
  });

  it('keeps families that share a prefix apart', () => {
    assert.equal(constantName('CKH', 2), 'CKH_CLOCK'); // not CKH_DETERMINISTIC_REQUIRED
    assert.equal(constantName('CKS', 1), 'CKS_RO_USER_FUNCTIONS'); // not CKS_LAST_VALIDATION_OK
    assert.equal(constantName('CKP', 1), 'CKP_BASELINE_PROVIDER');
    assert.equal(constantName('CKG', 1), 'CKG_MGF1_SHA1');
  });

  it('matches prefixes exactly', () => {
    // CKH_ (hardware features) must not pick up CKHSS_ names.
    assert.equal(constantName('CKH', K.CKH_CLOCK), 'CKH_CLOCK');
    for (let v = 0; v < 64; v++) {
      const n = constantName('CKH', v);
      if (n !== undefined) assert.ok(n.startsWith('CKH_'), n);
    }
    assert.equal(constantName('CKR', 0x7ffffff0), undefined);
    assert.equal(constantName('NOPE', 0), undefined);
  });

  it('maps names to values', () => {
    assert.equal(constantValue('CKA_LABEL'), 3);
    assert.equal(constantValue('CKA_SUB_PRIME_BITS'), K.CKA_SUBPRIME_BITS);
    assert.equal(constantValue('CKA_NO_SUCH_THING'), undefined);
    assert.equal(constantValue('toString'), undefined);
  });
});

describe('function lists', () => {
  it('has the 2.40, 3.0 and 3.2 tables', () => {
    assert.equal(FUNCTIONS_2_40.length, 68);
    assert.equal(FUNCTIONS_3_0.length, 92);
    assert.equal(FUNCTIONS_3_2.length, 104);
    assert.equal(FUNCTIONS_2_40[0], 'C_Initialize');
    assert.equal(FUNCTIONS_2_40.at(-1), 'C_WaitForSlotEvent');
    assert.equal(FUNCTIONS_3_0[68], 'C_GetInterfaceList');
    assert.ok(FUNCTIONS_3_2.includes('C_EncapsulateKey'));
    assert.ok(FUNCTIONS_3_2.includes('C_UnwrapKeyAuthenticated'));
    assert.ok(!FUNCTIONS_3_0.includes('C_EncapsulateKey'));
    assert.ok(!FUNCTIONS_2_40.includes('C_LoginUser'));
  });

  it('nests: each shorter table is a prefix of the longer ones', () => {
    assert.deepEqual(FUNCTIONS_3_0.slice(0, FUNCTIONS_2_40.length), FUNCTIONS_2_40);
    assert.deepEqual(FUNCTIONS_3_2.slice(0, FUNCTIONS_3_0.length), FUNCTIONS_3_0);
    assert.equal(new Set(FUNCTIONS_3_2).size, FUNCTIONS_3_2.length);
  });
});
