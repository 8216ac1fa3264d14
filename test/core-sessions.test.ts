import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cryptoki } from '../src/core/cryptoki.js';
import * as K from '../src/pkcs11/constants.js';
import { FAST_KDF, forEachStore, RO, RW, setup, SO_PIN, throwsCKR, USER_PIN } from './helpers.js';

const dataObject = (extra: { type: number; value: unknown }[] = []) =>
  [{ type: K.CKA_CLASS, value: K.CKO_DATA }, ...extra] as { type: number; value: never }[];

forEachStore((kind) => {
  describe(`sessions and login (${kind.name} store)`, () => {
    it('requires CKF_SERIAL_SESSION', () => {
      const f = setup(kind);
      throwsCKR(() => f.p11.C_OpenSession(f.slot, 0), K.CKR_SESSION_PARALLEL_NOT_SUPPORTED);
      throwsCKR(() => f.p11.C_OpenSession(f.slot, K.CKF_RW_SESSION), K.CKR_SESSION_PARALLEL_NOT_SUPPORTED);
      f.cleanup();
    });

    it('walks the session states of the spec', () => {
      const f = setup(kind);
      const ro = f.p11.C_OpenSession(f.slot, RO);
      const rw = f.p11.C_OpenSession(f.slot, RW);
      const state = (h: number) => f.p11.C_GetSessionInfo(h).state;
      assert.equal(state(ro), K.CKS_RO_PUBLIC_SESSION);
      assert.equal(state(rw), K.CKS_RW_PUBLIC_SESSION);
      assert.equal(f.p11.C_GetSessionInfo(rw).flags, K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION);
      assert.equal(f.p11.C_GetSessionInfo(ro).flags, K.CKF_SERIAL_SESSION);
      assert.equal(f.p11.C_GetSessionInfo(ro).slotID, f.slot);

      f.p11.C_Login(ro, K.CKU_USER, USER_PIN);
      assert.equal(state(ro), K.CKS_RO_USER_FUNCTIONS, 'login in one session applies to all');
      assert.equal(state(rw), K.CKS_RW_USER_FUNCTIONS);
      const later = f.p11.C_OpenSession(f.slot, RO);
      assert.equal(state(later), K.CKS_RO_USER_FUNCTIONS, 'sessions opened later join the login');
      f.p11.C_Logout(rw);
      assert.equal(state(ro), K.CKS_RO_PUBLIC_SESSION);

      f.p11.C_CloseSession(ro);
      f.p11.C_CloseSession(later);
      f.p11.C_Login(rw, K.CKU_SO, SO_PIN);
      assert.equal(state(rw), K.CKS_RW_SO_FUNCTIONS);
      throwsCKR(() => f.p11.C_OpenSession(f.slot, RO), K.CKR_SESSION_READ_WRITE_SO_EXISTS);
      f.cleanup();
    });

    it('refuses an SO login while a read-only session exists', () => {
      const f = setup(kind);
      f.p11.C_OpenSession(f.slot, RO);
      const rw = f.p11.C_OpenSession(f.slot, RW);
      throwsCKR(() => f.p11.C_Login(rw, K.CKU_SO, SO_PIN), K.CKR_SESSION_READ_ONLY_EXISTS);
      f.cleanup();
    });

    it('knows who is logged in already', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      throwsCKR(() => f.p11.C_Login(h, K.CKU_USER, USER_PIN), K.CKR_USER_ALREADY_LOGGED_IN);
      throwsCKR(() => f.p11.C_Login(h, K.CKU_SO, SO_PIN), K.CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
      f.p11.C_Logout(h);
      throwsCKR(() => f.p11.C_Logout(h), K.CKR_USER_NOT_LOGGED_IN);
      throwsCKR(() => f.p11.C_Login(h, 7, USER_PIN), K.CKR_USER_TYPE_INVALID);
      throwsCKR(() => f.p11.C_Login(h, K.CKU_USER, null as never), K.CKR_ARGUMENTS_BAD);
      f.p11.C_LoginUser(h, K.CKU_USER, USER_PIN, 'anyone');
      assert.equal(f.p11.C_GetSessionInfo(h).state, K.CKS_RW_USER_FUNCTIONS);
      f.cleanup();
    });

    it('answers CKR_USER_PIN_NOT_INITIALIZED before C_InitPIN', () => {
      const f = setup(kind, {}, false);
      const h = f.p11.C_OpenSession(f.slot, RW);
      throwsCKR(() => f.p11.C_Login(h, K.CKU_USER, USER_PIN), K.CKR_USER_PIN_NOT_INITIALIZED);
      throwsCKR(() => f.p11.C_SetPIN(h, USER_PIN, 'new-pin-1'), K.CKR_USER_PIN_NOT_INITIALIZED);
      f.cleanup();
    });

    it('counts wrong PINs, reports the count flags and locks the user PIN; the SO unlocks it', () => {
      const f = setup(kind, { pinRetryLimit: 3 });
      const h = f.p11.C_OpenSession(f.slot, RW);
      const flags = () => f.p11.C_GetTokenInfo(f.slot).flags;
      throwsCKR(() => f.p11.C_Login(h, K.CKU_USER, 'bad-pin-1'), K.CKR_PIN_INCORRECT);
      assert.ok(flags() & K.CKF_USER_PIN_COUNT_LOW);
      assert.equal(flags() & K.CKF_USER_PIN_FINAL_TRY, 0);
      throwsCKR(() => f.p11.C_Login(h, K.CKU_USER, 'bad-pin-2'), K.CKR_PIN_INCORRECT);
      assert.ok(flags() & K.CKF_USER_PIN_FINAL_TRY);
      throwsCKR(() => f.p11.C_Login(h, K.CKU_USER, 'x'), K.CKR_PIN_INCORRECT, 'a PIN of the wrong length is just wrong');
      assert.ok(flags() & K.CKF_USER_PIN_LOCKED);
      throwsCKR(() => f.p11.C_Login(h, K.CKU_USER, USER_PIN), K.CKR_PIN_LOCKED, 'even the right PIN');
      throwsCKR(() => f.p11.C_SetPIN(h, USER_PIN, 'new-pin-1'), K.CKR_PIN_LOCKED);

      f.p11.C_Login(h, K.CKU_SO, SO_PIN);
      f.p11.C_InitPIN(h, 'fresh-pin');
      f.p11.C_Logout(h);
      assert.equal(flags() & (K.CKF_USER_PIN_LOCKED | K.CKF_USER_PIN_COUNT_LOW), 0);
      f.p11.C_Login(h, K.CKU_USER, 'fresh-pin');
      f.cleanup();
    });

    it('clears the failure count after a good login', () => {
      const f = setup(kind, { pinRetryLimit: 3 });
      const h = f.p11.C_OpenSession(f.slot, RW);
      throwsCKR(() => f.p11.C_Login(h, K.CKU_USER, 'bad-pin-1'), K.CKR_PIN_INCORRECT);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      assert.equal(f.p11.C_GetTokenInfo(f.slot).flags & K.CKF_USER_PIN_COUNT_LOW, 0);
      f.cleanup();
    });

    it('lets only a read/write SO session set the user PIN', () => {
      const f = setup(kind);
      const ro = f.p11.C_OpenSession(f.slot, RO);
      const rw = f.p11.C_OpenSession(f.slot, RW);
      throwsCKR(() => f.p11.C_InitPIN(rw, 'some-pin'), K.CKR_USER_NOT_LOGGED_IN);
      f.p11.C_Login(ro, K.CKU_USER, USER_PIN);
      throwsCKR(() => f.p11.C_InitPIN(rw, 'some-pin'), K.CKR_USER_NOT_LOGGED_IN);
      f.p11.C_Logout(ro);
      f.p11.C_CloseSession(ro);
      f.p11.C_Login(rw, K.CKU_SO, SO_PIN);
      throwsCKR(() => f.p11.C_InitPIN(rw, '12'), K.CKR_PIN_LEN_RANGE);
      f.p11.C_InitPIN(rw, 'some-pin');
      f.cleanup();
    });

    it('changes the user PIN from a public or user session, and the SO PIN from an SO session', () => {
      const f = setup(kind);
      const ro = f.p11.C_OpenSession(f.slot, RO);
      throwsCKR(() => f.p11.C_SetPIN(ro, USER_PIN, 'new-user-pin'), K.CKR_SESSION_READ_ONLY);
      f.p11.C_CloseSession(ro);
      const h = f.p11.C_OpenSession(f.slot, RW);
      throwsCKR(() => f.p11.C_SetPIN(h, 'wrong-old', 'new-user-pin'), K.CKR_PIN_INCORRECT);
      throwsCKR(() => f.p11.C_SetPIN(h, USER_PIN, 'abc'), K.CKR_PIN_LEN_RANGE);
      f.p11.C_SetPIN(h, USER_PIN, 'new-user-pin');
      throwsCKR(() => f.p11.C_Login(h, K.CKU_USER, USER_PIN), K.CKR_PIN_INCORRECT);
      f.p11.C_Login(h, K.CKU_USER, 'new-user-pin');
      f.p11.C_SetPIN(h, 'new-user-pin', 'newer-user-pin');
      f.p11.C_Logout(h);
      f.p11.C_Login(h, K.CKU_SO, SO_PIN);
      f.p11.C_SetPIN(h, SO_PIN, 'new-so-pin');
      f.p11.C_Logout(h);
      f.p11.C_Login(h, K.CKU_SO, 'new-so-pin');
      f.p11.C_Logout(h);
      f.p11.C_Login(h, K.CKU_USER, 'newer-user-pin');
      f.cleanup();
    });

    it('keeps private objects readable across PIN changes (the token key is re-wrapped, not replaced)', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      f.p11.C_CreateObject(h, dataObject([
        { type: K.CKA_TOKEN, value: true }, { type: K.CKA_PRIVATE, value: true }, { type: K.CKA_LABEL, value: 'secret note' },
      ]));
      f.p11.C_SetPIN(h, USER_PIN, 'changed-pin');
      f.p11.C_Logout(h);
      f.p11.C_Login(h, K.CKU_SO, SO_PIN);
      f.p11.C_InitPIN(h, 'reset-by-so');
      f.p11.C_Logout(h);
      f.p11.C_Login(h, K.CKU_USER, 'reset-by-so');
      f.p11.C_FindObjectsInit(h, [{ type: K.CKA_LABEL, value: 'secret note' }]);
      assert.equal(f.p11.C_FindObjects(h, 10).length, 1);
      f.cleanup();
    });

    it('logs out when the last session closes, and on C_CloseAllSessions', () => {
      const f = setup(kind);
      let h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      f.p11.C_CloseSession(h);
      h = f.p11.C_OpenSession(f.slot, RW);
      assert.equal(f.p11.C_GetSessionInfo(h).state, K.CKS_RW_PUBLIC_SESSION);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      f.p11.C_CloseAllSessions(f.slot);
      throwsCKR(() => f.p11.C_GetSessionInfo(h), K.CKR_SESSION_HANDLE_INVALID);
      h = f.p11.C_OpenSession(f.slot, RW);
      assert.equal(f.p11.C_GetSessionInfo(h).state, K.CKS_RW_PUBLIC_SESSION);
      f.p11.C_CloseAllSessions(f.p11.C_GetSlotList(false)[1]!);
      f.cleanup();
    });

    it('never reuses a session handle', () => {
      const f = setup(kind);
      const seen = new Set<number>();
      for (let i = 0; i < 20; i++) {
        const h = f.p11.C_OpenSession(f.slot, RO);
        assert.ok(!seen.has(h));
        seen.add(h);
        f.p11.C_CloseSession(h);
        throwsCKR(() => f.p11.C_CloseSession(h), K.CKR_SESSION_HANDLE_INVALID);
      }
      f.cleanup();
    });

    it('keeps each application\'s sessions and login to itself', () => {
      const f = setup(kind);
      const other = new Cryptoki({ store: f.store, kdf: FAST_KDF });
      other.C_Initialize();
      const mine = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(mine, K.CKU_USER, USER_PIN);
      const theirs = other.C_OpenSession(f.slot, RW);
      assert.equal(other.C_GetSessionInfo(theirs).state, K.CKS_RW_PUBLIC_SESSION);
      assert.equal(other.C_GetTokenInfo(f.slot).ulSessionCount, 1);
      throwsCKR(() => other.C_GetSessionInfo(mine + 1000), K.CKR_SESSION_HANDLE_INVALID);
      throwsCKR(() => f.p11.C_InitToken(f.slot, SO_PIN, 'x'), K.CKR_SESSION_EXISTS, 'a session of any application blocks re-init');
      other.C_Finalize();
      f.cleanup();
    });

    it('allows CKU_CONTEXT_SPECIFIC only with an operation that asks for it', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      throwsCKR(() => f.p11.C_Login(h, K.CKU_CONTEXT_SPECIFIC, USER_PIN), K.CKR_OPERATION_NOT_INITIALIZED);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      throwsCKR(() => f.p11.C_Login(h, K.CKU_CONTEXT_SPECIFIC, USER_PIN), K.CKR_OPERATION_NOT_INITIALIZED);
      // An operation on a CKA_ALWAYS_AUTHENTICATE key marks itself so (signing comes with the mechanisms).
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      const session = f.p11.app.sessions.get(h)!;
      session.operations.get('digest')!.contextLoginRequired = true;
      throwsCKR(() => f.p11.C_Login(h, K.CKU_CONTEXT_SPECIFIC, 'wrong-pin'), K.CKR_PIN_INCORRECT);
      assert.equal(session.operations.get('digest')!.contextLoginRequired, true);
      f.p11.C_Login(h, K.CKU_CONTEXT_SPECIFIC, USER_PIN);
      assert.equal(session.operations.get('digest')!.contextLoginRequired, false);
      f.p11.C_Logout(h);
      f.p11.C_DigestInit(h, { mechanism: K.CKM_SHA256 });
      f.p11.app.sessions.get(h)!.operations.get('digest')!.contextLoginRequired = true;
      throwsCKR(() => f.p11.C_Login(h, K.CKU_CONTEXT_SPECIFIC, USER_PIN), K.CKR_USER_NOT_LOGGED_IN);
      f.cleanup();
    });

    it('answers the session validation flags', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RO);
      assert.equal(f.p11.C_GetSessionValidationFlags(h, K.CKS_LAST_VALIDATION_OK), 0);
      throwsCKR(() => f.p11.C_GetSessionValidationFlags(h, 99), K.CKR_ARGUMENTS_BAD);
      f.cleanup();
    });

    it('ends every session and login at C_Finalize', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      f.p11.C_Finalize();
      f.p11.C_Initialize();
      throwsCKR(() => f.p11.C_GetSessionInfo(h), K.CKR_SESSION_HANDLE_INVALID);
      const h2 = f.p11.C_OpenSession(f.slot, RW);
      assert.equal(f.p11.C_GetSessionInfo(h2).state, K.CKS_RW_PUBLIC_SESSION);
      f.p11.C_InitToken(f.p11.C_GetSlotList(false)[1]!, SO_PIN, 'other');
      f.cleanup();
    });

    it('reports a token deleted under an open session as removed', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      const tokenId = f.store.listTokens()[0]!.tokenId;
      f.store.deleteToken(tokenId);
      throwsCKR(() => f.p11.C_GetSessionInfo(h), K.CKR_DEVICE_REMOVED);
      throwsCKR(() => f.p11.C_GetSessionInfo(h), K.CKR_SESSION_HANDLE_INVALID);
      f.cleanup();
    });
  });
});
