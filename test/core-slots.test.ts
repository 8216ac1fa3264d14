import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cryptoki } from '../src/core/cryptoki.js';
import * as K from '../src/pkcs11/constants.js';
import { BufferTooSmallError } from '../src/pkcs11/error.js';
import { FAST_KDF, forEachStore, RO, RW, setup, SO_PIN, throwsCKR, USER_PIN } from './helpers.js';

forEachStore((kind) => {
  describe(`slots and tokens (${kind.name} store)`, () => {
    it('starts with one free slot holding an uninitialised token', () => {
      const { store, cleanup } = kind.make();
      const p11 = new Cryptoki({ store, kdf: FAST_KDF });
      p11.C_Initialize();
      const slots = p11.C_GetSlotList(false);
      assert.equal(slots.length, 1);
      assert.deepEqual(p11.C_GetSlotList(true), slots);
      const info = p11.C_GetTokenInfo(slots[0]!);
      assert.equal(info.flags & K.CKF_TOKEN_INITIALIZED, 0);
      assert.ok(info.flags & K.CKF_RNG);
      assert.equal(p11.C_GetSlotInfo(slots[0]!).flags & K.CKF_TOKEN_PRESENT, K.CKF_TOKEN_PRESENT);
      throwsCKR(() => p11.C_OpenSession(slots[0]!, RW), K.CKR_TOKEN_NOT_RECOGNIZED);
      p11.C_Finalize();
      cleanup();
    });

    it('puts each new token in its own slot and offers a new free slot', () => {
      const f = setup(kind);
      const slots = f.p11.C_GetSlotList(false);
      assert.equal(slots.length, 2);
      assert.equal(slots[0], f.slot);
      const free = slots[1]!;
      f.p11.C_InitToken(free, SO_PIN, 'second');
      const after = f.p11.C_GetSlotList(false);
      assert.deepEqual(after.slice(0, 2), [f.slot, free], 'slot IDs are stable');
      assert.equal(after.length, 3);
      assert.equal(f.p11.C_GetTokenInfo(free).label, 'second'.padEnd(32));
      f.cleanup();
    });

    it('answers the length query and CKR_BUFFER_TOO_SMALL in C_GetSlotList', () => {
      const f = setup(kind);
      assert.equal(f.p11.C_GetSlotList(false, null), 2);
      assert.deepEqual(f.p11.C_GetSlotList(false, 2), f.p11.C_GetSlotList(false));
      const e = throwsCKR(() => f.p11.C_GetSlotList(false, 1), K.CKR_BUFFER_TOO_SMALL);
      assert.ok(e instanceof BufferTooSmallError);
      assert.equal(e.required, 2);
      f.cleanup();
    });

    it('refuses unknown slots', () => {
      const f = setup(kind);
      throwsCKR(() => f.p11.C_GetSlotInfo(9999), K.CKR_SLOT_ID_INVALID);
      throwsCKR(() => f.p11.C_GetTokenInfo(9999), K.CKR_SLOT_ID_INVALID);
      throwsCKR(() => f.p11.C_OpenSession(9999, RW), K.CKR_SLOT_ID_INVALID);
      throwsCKR(() => f.p11.C_InitToken(9999, SO_PIN, 'x'), K.CKR_SLOT_ID_INVALID);
      throwsCKR(() => f.p11.C_GetMechanismList(9999), K.CKR_SLOT_ID_INVALID);
      throwsCKR(() => f.p11.C_CloseAllSessions(9999), K.CKR_SLOT_ID_INVALID);
      f.cleanup();
    });

    it('reports truthful token flags, session counts and PIN limits', () => {
      const f = setup(kind, {}, false);
      let info = f.p11.C_GetTokenInfo(f.slot);
      assert.ok(info.flags & K.CKF_TOKEN_INITIALIZED);
      assert.ok(info.flags & K.CKF_LOGIN_REQUIRED);
      assert.equal(info.flags & K.CKF_USER_PIN_INITIALIZED, 0);
      assert.equal(info.ulMinPinLen, 4);
      assert.equal(info.ulMaxPinLen, 255);
      assert.equal(info.ulSessionCount, 0);
      assert.match(info.utcTime, /^\d{14}00$/);
      assert.equal(Buffer.byteLength(info.serialNumber), 16);
      f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_OpenSession(f.slot, RO);
      info = f.p11.C_GetTokenInfo(f.slot);
      assert.equal(info.ulSessionCount, 2);
      assert.equal(info.ulRwSessionCount, 1);
      f.p11.C_CloseAllSessions(f.slot);
      assert.equal(f.p11.C_GetTokenInfo(f.slot).ulSessionCount, 0);
      const so = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(so, K.CKU_SO, SO_PIN);
      f.p11.C_InitPIN(so, USER_PIN);
      assert.ok(f.p11.C_GetTokenInfo(f.slot).flags & K.CKF_USER_PIN_INITIALIZED);
      f.cleanup();
    });

    it('re-initialises a token only with the SO PIN and no open session, destroying its objects', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: true }, { type: K.CKA_LABEL, value: 'keep?' },
      ]);
      throwsCKR(() => f.p11.C_InitToken(f.slot, SO_PIN, 'again'), K.CKR_SESSION_EXISTS);
      f.p11.C_CloseSession(h);
      throwsCKR(() => f.p11.C_InitToken(f.slot, 'wrong-pin', 'again'), K.CKR_PIN_INCORRECT);
      f.p11.C_InitToken(f.slot, SO_PIN, 'again');
      const info = f.p11.C_GetTokenInfo(f.slot);
      assert.equal(info.label.trimEnd(), 'again');
      assert.equal(info.flags & K.CKF_USER_PIN_INITIALIZED, 0, 're-init clears the user PIN');
      const h2 = f.p11.C_OpenSession(f.slot, RO);
      f.p11.C_FindObjectsInit(h2, []);
      assert.deepEqual(f.p11.C_FindObjects(h2, 10), []);
      f.cleanup();
    });

    it('checks the SO PIN length and the label when making a token', () => {
      const { store, cleanup } = kind.make();
      const p11 = new Cryptoki({ store, kdf: FAST_KDF });
      p11.C_Initialize();
      const free = p11.C_GetSlotList(false)[0]!;
      throwsCKR(() => p11.C_InitToken(free, '123', 'x'), K.CKR_PIN_LEN_RANGE);
      throwsCKR(() => p11.C_InitToken(free, 'x'.repeat(256), 'x'), K.CKR_PIN_LEN_RANGE);
      throwsCKR(() => p11.C_InitToken(free, SO_PIN, 'x'.repeat(33)), K.CKR_ARGUMENTS_BAD);
      throwsCKR(() => p11.C_InitToken(free, null as never, 'x'), K.CKR_ARGUMENTS_BAD);
      p11.C_InitToken(free, SO_PIN, 'é'.repeat(16));
      assert.equal(Buffer.byteLength(p11.C_GetTokenInfo(free).label), 32);
      p11.C_Finalize();
      cleanup();
    });

    it('locks the SO PIN after the retry limit, also for C_InitToken', () => {
      const f = setup(kind, { pinRetryLimit: 2 });
      throwsCKR(() => f.p11.C_InitToken(f.slot, 'wrong-pin', 'x'), K.CKR_PIN_INCORRECT);
      assert.ok(f.p11.C_GetTokenInfo(f.slot).flags & K.CKF_SO_PIN_FINAL_TRY);
      throwsCKR(() => f.p11.C_InitToken(f.slot, 'wrong-pin', 'x'), K.CKR_PIN_INCORRECT);
      assert.ok(f.p11.C_GetTokenInfo(f.slot).flags & K.CKF_SO_PIN_LOCKED);
      throwsCKR(() => f.p11.C_InitToken(f.slot, SO_PIN, 'x'), K.CKR_PIN_LOCKED);
      f.cleanup();
    });

    it('reports slot events for a new token and the new free slot', () => {
      const f = setup(kind);
      // The fixture's own token was an event: slot and new free slot.
      assert.deepEqual(new Set([f.p11.C_WaitForSlotEvent(K.CKF_DONT_BLOCK), f.p11.C_WaitForSlotEvent(K.CKF_DONT_BLOCK)]), new Set([f.slot, f.slot + 1]));
      throwsCKR(() => f.p11.C_WaitForSlotEvent(K.CKF_DONT_BLOCK), K.CKR_NO_EVENT);
      const free = f.p11.C_GetSlotList(false)[1]!;
      f.p11.C_InitToken(free, SO_PIN, 'evented');
      const events = new Set([f.p11.C_WaitForSlotEvent(K.CKF_DONT_BLOCK), f.p11.C_WaitForSlotEvent(K.CKF_DONT_BLOCK)]);
      assert.deepEqual(events, new Set([free, free + 1]));
      throwsCKR(() => f.p11.C_WaitForSlotEvent(K.CKF_DONT_BLOCK), K.CKR_NO_EVENT);
      throwsCKR(() => f.p11.C_WaitForSlotEvent(K.CKF_DONT_BLOCK, {}), K.CKR_ARGUMENTS_BAD);
      f.cleanup();
    });

    it('sees a token made by another application as an event, and a blocking wait returns it', async () => {
      const f = setup(kind, { slotEventPollMs: 10 });
      f.p11.C_Finalize();
      f.p11.C_Initialize();
      const other = new Cryptoki({ store: f.store, kdf: FAST_KDF });
      other.C_Initialize();
      const free = other.C_GetSlotList(false).at(-1)!;
      other.C_InitToken(free, SO_PIN, 'from elsewhere');
      assert.equal(f.p11.C_WaitForSlotEvent(0), free);
      const next = await f.p11.C_WaitForSlotEventAsync();
      assert.equal(next, free + 1);
      other.C_Finalize();
      f.cleanup();
    });

    it('clears event flags at C_Initialize', () => {
      const f = setup(kind);
      f.p11.C_InitToken(f.p11.C_GetSlotList(false)[1]!, SO_PIN, 'x');
      f.p11.C_Finalize();
      f.p11.C_Initialize();
      throwsCKR(() => f.p11.C_WaitForSlotEvent(K.CKF_DONT_BLOCK), K.CKR_NO_EVENT);
      f.cleanup();
    });

    it('lists digest mechanisms with their info, on every slot', () => {
      const f = setup(kind);
      const list = f.p11.C_GetMechanismList(f.slot);
      assert.ok(list.includes(K.CKM_SHA256));
      assert.equal(f.p11.C_GetMechanismList(f.slot, null), list.length);
      throwsCKR(() => f.p11.C_GetMechanismList(f.slot, 1), K.CKR_BUFFER_TOO_SMALL);
      const free = f.p11.C_GetSlotList(false)[1]!;
      assert.deepEqual(f.p11.C_GetMechanismList(free), list);
      assert.equal(f.p11.C_GetMechanismInfo(f.slot, K.CKM_SHA3_256).flags, K.CKF_DIGEST);
      throwsCKR(() => f.p11.C_GetMechanismInfo(f.slot, 0x7fff_fff0), K.CKR_MECHANISM_INVALID);
      f.cleanup();
    });
  });
});
