import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../src/pkcs11/error.js';
import { forEachStore, RO, RW, setup, SO_PIN, throwsCKR, USER_PIN } from './helpers.js';

/** Published digests of "abc" (FIPS 180-2 / FIPS 202 examples, RFC 1321). */
const ABC: [number, string][] = [
  [K.CKM_MD5, '900150983cd24fb0d6963f7d28e17f72'],
  [K.CKM_SHA_1, 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  [K.CKM_SHA224, '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7'],
  [K.CKM_SHA256, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [K.CKM_SHA384, 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'],
  [K.CKM_SHA512, 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'],
  [K.CKM_SHA512_224, '4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa'],
  [K.CKM_SHA512_256, '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23'],
  [K.CKM_SHA3_224, 'e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf'],
  [K.CKM_SHA3_256, '3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532'],
  [K.CKM_SHA3_384, 'ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25'],
  [K.CKM_SHA3_512, 'b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0'],
];
const abc = Buffer.from('abc');

forEachStore((kind) => {
  describe(`digest (${kind.name} store)`, () => {
    it('matches the published vectors, single-part and multi-part', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RO);
      for (const [mechanism, hex] of ABC) {
        f.p11.C_DigestInit(h, { mechanism });
        assert.equal(f.p11.C_Digest(h, abc).toString('hex'), hex);
        f.p11.C_DigestInit(h, { mechanism });
        f.p11.C_DigestUpdate(h, abc.subarray(0, 1));
        f.p11.C_DigestUpdate(h, abc.subarray(1));
        assert.equal(f.p11.C_DigestFinal(h).toString('hex'), hex);
      }
      f.cleanup();
    });

    it('answers a length query and CKR_BUFFER_TOO_SMALL without ending the operation', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RO);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      assert.equal(f.p11.C_Digest(h, abc, null), 32);
      const e = throwsCKR(() => f.p11.C_Digest(h, abc, Buffer.alloc(31)), K.CKR_BUFFER_TOO_SMALL);
      assert.ok(e instanceof BufferTooSmallError && e.required === 32);
      const out = Buffer.alloc(40);
      assert.equal(f.p11.C_Digest(h, abc, out), 32);
      assert.equal(out.subarray(0, 32).toString('hex'), ABC[3]![1]);
      throwsCKR(() => f.p11.C_Digest(h, abc), K.CKR_OPERATION_NOT_INITIALIZED, 'the successful call ended it');

      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA_1 });
      f.p11.C_DigestUpdate(h, abc);
      assert.equal(f.p11.C_DigestFinal(h, null), 20);
      throwsCKR(() => f.p11.C_DigestFinal(h, Buffer.alloc(1)), K.CKR_BUFFER_TOO_SMALL);
      assert.equal(f.p11.C_DigestFinal(h).toString('hex'), ABC[1]![1]);
      f.cleanup();
    });

    it('keeps one digest at a time and checks the mechanism', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RO);
      throwsCKR(() => f.p11.C_DigestUpdate(h, abc), K.CKR_OPERATION_NOT_INITIALIZED);
      throwsCKR(() => f.p11.C_DigestFinal(h), K.CKR_OPERATION_NOT_INITIALIZED);
      throwsCKR(() => f.p11.C_DigestInit(h, { mechanism: K.CKM_AES_CBC }), K.CKR_MECHANISM_INVALID);
      throwsCKR(() => f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256, parameter: Buffer.alloc(4) }), K.CKR_MECHANISM_PARAM_INVALID);
      throwsCKR(() => f.p11.C_DigestInit(h, 'sha' as never), K.CKR_ARGUMENTS_BAD);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      throwsCKR(() => f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 }), K.CKR_OPERATION_ACTIVE);
      f.cleanup();
    });

    it('refuses C_Digest after C_DigestUpdate, and that ends the operation', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RO);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      f.p11.C_DigestUpdate(h, abc);
      throwsCKR(() => f.p11.C_Digest(h, abc), K.CKR_OPERATION_ACTIVE);
      throwsCKR(() => f.p11.C_DigestFinal(h), K.CKR_OPERATION_NOT_INITIALIZED);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      throwsCKR(() => f.p11.C_DigestUpdate(h, 'abc' as never), K.CKR_ARGUMENTS_BAD);
      throwsCKR(() => f.p11.C_DigestFinal(h), K.CKR_OPERATION_NOT_INITIALIZED, 'a bad argument ends it too');
      f.cleanup();
    });

    it('digests a secret key value with C_DigestKey, and nothing else', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      const value = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
      const key = f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES },
        { type: K.CKA_VALUE, value }, { type: K.CKA_SENSITIVE, value: true },
      ]);
      const data = f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_VALUE, value }]);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      f.p11.C_DigestUpdate(h, abc);
      f.p11.C_DigestKey(h, key);
      assert.deepEqual(f.p11.C_DigestFinal(h), createHash('sha256').update(abc).update(value).digest());
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      // A data object is no key at all ("a valid handle for an object which is not a key"); a public key is a key that cannot be digested.
      throwsCKR(() => f.p11.C_DigestKey(h, data), K.CKR_KEY_HANDLE_INVALID);
      const [pub] = f.p11.C_GenerateKeyPair(h, { mechanism: K.CKM_EC_KEY_PAIR_GEN },
        [{ type: K.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') }], []);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      throwsCKR(() => f.p11.C_DigestKey(h, pub!), K.CKR_KEY_INDIGESTIBLE);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      throwsCKR(() => f.p11.C_DigestKey(h, 4242), K.CKR_KEY_HANDLE_INVALID);
      f.cleanup();
    });

    it('saves and restores a digest in another session; the state is sealed and bound to the token', () => {
      const f = setup(kind);
      const a = f.p11.C_OpenSession(f.slot, RO);
      const b = f.p11.C_OpenSession(f.slot, RO);
      throwsCKR(() => f.p11.C_GetOperationState(a), K.CKR_OPERATION_NOT_INITIALIZED);
      f.p11.C_DigestInit(a, { mechanism: K.CKM_SHA512 });
      f.p11.C_DigestUpdate(a, abc.subarray(0, 2));
      const length = f.p11.C_GetOperationState(a, null);
      throwsCKR(() => f.p11.C_GetOperationState(a, Buffer.alloc(length - 1)), K.CKR_BUFFER_TOO_SMALL);
      const state = f.p11.C_GetOperationState(a);
      assert.equal(state.length, length);
      assert.equal(state.includes(Buffer.from('ab')), false, 'the input is not readable in the blob');

      f.p11.C_SetOperationState(b, state);
      f.p11.C_DigestUpdate(b, abc.subarray(2));
      assert.equal(f.p11.C_DigestFinal(b).toString('hex'), ABC[5]![1]);

      throwsCKR(() => f.p11.C_SetOperationState(b, state, 5), K.CKR_KEY_NOT_NEEDED);
      const tampered = Buffer.from(state);
      tampered[tampered.length - 5]! ^= 1;
      throwsCKR(() => f.p11.C_SetOperationState(b, tampered), K.CKR_SAVED_STATE_INVALID);
      throwsCKR(() => f.p11.C_SetOperationState(b, Buffer.alloc(3)), K.CKR_SAVED_STATE_INVALID);

      const other = f.p11.C_GetSlotList(false)[1]!;
      f.p11.C_InitToken(other, SO_PIN, 'other');
      const c = f.p11.C_OpenSession(other, RO);
      throwsCKR(() => f.p11.C_SetOperationState(c, state), K.CKR_SAVED_STATE_INVALID, 'a state of another token');
      f.cleanup();
    });

    it('calls a state unsaveable after C_DigestKey or past the input limit', () => {
      const f = setup(kind, { maxSavedStateInput: 4 });
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      f.p11.C_DigestUpdate(h, Buffer.alloc(5));
      throwsCKR(() => f.p11.C_GetOperationState(h), K.CKR_STATE_UNSAVEABLE);
      f.p11.C_DigestFinal(h);
      const key = f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_GENERIC_SECRET },
        { type: K.CKA_VALUE, value: Buffer.alloc(8, 1) }, { type: K.CKA_PRIVATE, value: false },
      ]);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      f.p11.C_DigestKey(h, key);
      throwsCKR(() => f.p11.C_GetOperationState(h), K.CKR_STATE_UNSAVEABLE);
      f.cleanup();
    });

    it('a NULL mechanism ends the active digest (PKCS#11 3.0)', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RO);
      f.p11.C_DigestInit(h, null);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      f.p11.C_DigestUpdate(h, abc);
      f.p11.C_DigestInit(h, null);
      throwsCKR(() => f.p11.C_DigestFinal(h), K.CKR_OPERATION_NOT_INITIALIZED);
      f.cleanup();
    });

    it('C_SessionCancel ends the digest', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RO);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      f.p11.C_SessionCancel(h, K.CKF_SIGN);
      f.p11.C_DigestUpdate(h, abc);
      f.p11.C_SessionCancel(h, K.CKF_DIGEST);
      throwsCKR(() => f.p11.C_DigestFinal(h), K.CKR_OPERATION_NOT_INITIALIZED);
      f.cleanup();
    });
  });
});
