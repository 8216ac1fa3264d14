/**
 * Issue 3's acceptance, mechanism by mechanism, for the symmetric half of the
 * registry (the list is test/conformance/symmetric.ts): every mechanism gets
 * the tests 'round trip', 'wrong key or tampered data', 'wrong parameter' and
 * 'length query', built by one case builder per kind of mechanism (digest,
 * MAC, cipher, key generation, key derivation). Published vectors are in the
 * family files (test/mech-*.test.ts); the references here are node:crypto
 * computations over the same key bytes.
 *
 * Where a kind does not literally apply, the builder's comment on it says what
 * stands in for it: a digest has no key and no inverse; a key generation has
 * no output buffer, so its length query is the key-size range and the
 * C_GetAttributeValue length query on the new key's value (spec 5.2).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mechanismName } from '../src/pkcs11/names.js';
import { SYMMETRIC_CONFORMANCE } from './conformance/symmetric.js';
import { aesCipherCases, aesMacCases, chachaCase, des3CipherCases, digestCases, hmacCases } from './conformance/symmetric-crypto-cases.js';
import {
  encryptDataDeriveCases, hkdfCases, keyGenCases, simpleDeriveCases, sp800108Cases,
} from './conformance/symmetric-key-cases.js';
import { t, useSymmetricFixture, type Case } from './conformance/symmetric-support.js';

useSymmetricFixture();

const CASES: Case[] = [
  ...digestCases(),
  ...hmacCases(),
  ...aesMacCases(),
  ...aesCipherCases(),
  ...des3CipherCases(),
  chachaCase(),
  ...keyGenCases(),
  ...simpleDeriveCases(),
  ...encryptDataDeriveCases(),
  ...hkdfCases(),
  ...sp800108Cases(),
];

describe('the symmetric conformance list', () => {
  it('is exactly the mechanisms below, each once, each in C_GetMechanismList', () => {
    const names = CASES.map((c) => mechanismName(c.mechanism));
    assert.equal(new Set(names).size, names.length, 'no mechanism twice');
    assert.deepEqual([...names].sort(), [...SYMMETRIC_CONFORMANCE].sort());
    const listed = new Set(t.p11.C_GetMechanismList(t.p11.C_GetSessionInfo(t.session).slotID).map(mechanismName));
    for (const name of names) assert.ok(listed.has(name), `${name} is registered`);
  });
});

for (const c of CASES) {
  describe(mechanismName(c.mechanism), () => {
    it('round trip', () => c.roundTrip());
    it('wrong key or tampered data', () => c.wrongKeyOrTamperedData());
    it('wrong parameter', () => c.wrongParameter());
    it('length query', () => c.lengthQuery());
  });
}
