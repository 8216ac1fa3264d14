import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cryptoki } from '../src/core/cryptoki.js';
import { verifyPin } from '../src/core/pin-checks.js';
import * as K from '../src/pkcs11/constants.js';
import { CKRError } from '../src/pkcs11/error.js';
import { MemoryStore } from '../src/store/memory.js';
import { FAST_KDF, RW, setup, STORE_KINDS, throwsCKR, USER_PIN } from './helpers.js';

describe('robustness', () => {
  it('turns a storage failure into CKR_DEVICE_ERROR and a bug into CKR_GENERAL_ERROR, without the cause in the message', () => {
    const store = new MemoryStore();
    const p11 = new Cryptoki({ store, kdf: FAST_KDF });
    p11.C_Initialize();
    const slot = p11.C_GetSlotList(true)[0]!;
    p11.C_InitToken(slot, '12345678', 'x');
    const h = p11.C_OpenSession(slot, RW);
    const failing = new Error('disk I/O error: secret-looking detail');
    failing.name = 'SqliteError';
    p11.C_FindObjectsInit(h, []);
    p11.C_FindObjectsFinal(h);
    store.listObjects = () => { throw failing; };
    const e = throwsCKR(() => p11.C_FindObjectsInit(h, []), K.CKR_DEVICE_ERROR);
    assert.equal(e.message.includes('secret-looking'), false);
    assert.equal((e as CKRError & { cause?: unknown }).cause, failing);
    store.listObjects = () => { throw new TypeError('x is not a function'); };
    throwsCKR(() => p11.C_FindObjectsInit(h, []), K.CKR_GENERAL_ERROR);
  });

  it('counts a PIN attempt before checking it, so a stale view cannot pass the retry limit', () => {
    const f = setup(STORE_KINDS[0]!, { pinRetryLimit: 2 });
    const stale = f.store.listTokens()[0]!;
    // Another process used up the attempts after we read the token.
    f.store.recordLoginFailure(stale.tokenId, 'user');
    f.store.recordLoginFailure(stale.tokenId, 'user');
    throwsCKR(() => verifyPin(f.p11.app, stale, 'user', Buffer.from(USER_PIN)), K.CKR_PIN_LOCKED);
    f.cleanup();
  });

  it('a right PIN clears the count; a wrong one leaves it counted', () => {
    const f = setup(STORE_KINDS[0]!, { pinRetryLimit: 5 });
    const token = () => f.store.listTokens()[0]!;
    throwsCKR(() => verifyPin(f.p11.app, token(), 'user', Buffer.from('wrong-pin')), K.CKR_PIN_INCORRECT);
    assert.equal(token().userFailures, 1);
    verifyPin(f.p11.app, token(), 'user', Buffer.from(USER_PIN)).fill(0);
    assert.equal(token().userFailures, 0);
    f.cleanup();
  });
});
