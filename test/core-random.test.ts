import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import { RO, setup, STORE_KINDS, throwsCKR } from './helpers.js';

describe('random numbers', () => {
  it('returns the bytes asked for, or fills a buffer, and they differ', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = f.p11.C_OpenSession(f.slot, RO);
    const a = f.p11.C_GenerateRandom(h, 32);
    const b = f.p11.C_GenerateRandom(h, 32);
    assert.equal(a.length, 32);
    assert.notDeepEqual(a, b);
    assert.equal(f.p11.C_GenerateRandom(h, 0).length, 0);
    const buf = Buffer.alloc(64);
    assert.equal(f.p11.C_GenerateRandom(h, buf), buf);
    assert.notDeepEqual(buf, Buffer.alloc(64));
    throwsCKR(() => f.p11.C_GenerateRandom(h, -1), K.CKR_ARGUMENTS_BAD);
    throwsCKR(() => f.p11.C_GenerateRandom(h, 1.5), K.CKR_ARGUMENTS_BAD);
    throwsCKR(() => f.p11.C_GenerateRandom(999, 4), K.CKR_SESSION_HANDLE_INVALID);
    f.cleanup();
  });

  it('says plainly that it takes no seed', () => {
    const f = setup(STORE_KINDS[0]!);
    const h = f.p11.C_OpenSession(f.slot, RO);
    throwsCKR(() => f.p11.C_SeedRandom(h, Buffer.from('seed')), K.CKR_RANDOM_SEED_NOT_SUPPORTED);
    throwsCKR(() => f.p11.C_SeedRandom(h, 'seed' as never), K.CKR_ARGUMENTS_BAD);
    throwsCKR(() => f.p11.C_SeedRandom(999, Buffer.from('seed')), K.CKR_SESSION_HANDLE_INVALID);
    f.cleanup();
  });
});
