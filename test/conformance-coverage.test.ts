/**
 * Issue 3's rule "for every mechanism: a round-trip test, a wrong-key or
 * tampered-data test, a wrong-parameter test, a length-query test" holds
 * mechanism by mechanism: the two conformance files, each checked against its
 * own list, together name every registered mechanism exactly once. A mechanism
 * added to the registry without its four tests fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mechanismList } from '../src/mechanisms/index.js';
import { mechanismName } from '../src/pkcs11/names.js';
import { ASYMMETRIC_CONFORMANCE } from './conformance/asymmetric.js';
import { SYMMETRIC_CONFORMANCE } from './conformance/symmetric.js';

describe('mechanism conformance coverage', () => {
  it('the symmetric and asymmetric conformance lists share no mechanism', () => {
    const shared = SYMMETRIC_CONFORMANCE.filter((name) => ASYMMETRIC_CONFORMANCE.includes(name));
    assert.deepEqual(shared, []);
  });

  it('together they are exactly the registered mechanisms', () => {
    const registered = mechanismList().map(mechanismName).sort();
    const covered = [...SYMMETRIC_CONFORMANCE, ...ASYMMETRIC_CONFORMANCE].sort();
    assert.deepEqual(covered, registered);
  });
});
