import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import type { CK_ATTRIBUTE } from '../src/pkcs11/types.js';
import { forEachStore, RO, RW, setup, throwsCKR, USER_PIN, type Fixture } from './helpers.js';

function find(f: Fixture, h: number, template: CK_ATTRIBUTE[]): number[] {
  f.p11.C_FindObjectsInit(h, template);
  const found = f.p11.C_FindObjects(h, 1000);
  f.p11.C_FindObjectsFinal(h);
  return found.sort((a, b) => a - b);
}

const data = (label: string, extra: CK_ATTRIBUTE[] = []): CK_ATTRIBUTE[] => [
  { type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_LABEL, value: label }, ...extra,
];

forEachStore((kind) => {
  describe(`finding objects and who sees them (${kind.name} store)`, () => {
    it('finds by label, class and ID, token and session objects alike', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      const a = f.p11.C_CreateObject(h, data('a', [{ type: K.CKA_TOKEN, value: true }]));
      const b = f.p11.C_CreateObject(h, data('b'));
      const c = f.p11.C_CreateObject(h, data('a'));
      assert.deepEqual(find(f, h, [{ type: K.CKA_LABEL, value: 'a' }]), [a, c].sort((x, y) => x - y));
      assert.deepEqual(find(f, h, [{ type: K.CKA_LABEL, value: 'a' }, { type: K.CKA_TOKEN, value: true }]), [a]);
      assert.deepEqual(find(f, h, [{ type: K.CKA_TOKEN, value: false }]), [b, c].sort((x, y) => x - y));
      assert.deepEqual(find(f, h, [{ type: K.CKA_CLASS, value: K.CKO_DATA }]).length, 3);
      assert.deepEqual(find(f, h, [{ type: K.CKA_CLASS, value: K.CKO_CERTIFICATE }]), []);
      assert.deepEqual(find(f, h, []).length, 3);
      f.cleanup();
    });

    it('hands out results in chunks and keeps one search per session', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      for (let i = 0; i < 5; i++) f.p11.C_CreateObject(h, data(`n${i}`, [{ type: K.CKA_TOKEN, value: true }]));
      throwsCKR(() => f.p11.C_FindObjects(h, 1), K.CKR_OPERATION_NOT_INITIALIZED);
      throwsCKR(() => f.p11.C_FindObjectsFinal(h), K.CKR_OPERATION_NOT_INITIALIZED);
      f.p11.C_FindObjectsInit(h, []);
      throwsCKR(() => f.p11.C_FindObjectsInit(h, []), K.CKR_OPERATION_ACTIVE);
      throwsCKR(() => f.p11.C_FindObjects(h, -1), K.CKR_ARGUMENTS_BAD);
      const got = [...f.p11.C_FindObjects(h, 2), ...f.p11.C_FindObjects(h, 2), ...f.p11.C_FindObjects(h, 2)];
      assert.equal(new Set(got).size, 5);
      assert.deepEqual(f.p11.C_FindObjects(h, 2), []);
      f.p11.C_FindObjectsFinal(h);
      f.p11.C_FindObjectsInit(h, []);
      f.p11.C_SessionCancel(h, K.CKF_FIND_OBJECTS);
      throwsCKR(() => f.p11.C_FindObjects(h, 1), K.CKR_OPERATION_NOT_INITIALIZED);
      throwsCKR(() => f.p11.C_FindObjectsInit(h, [{ type: K.CKA_TOKEN, value: 'x' as never }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
      f.cleanup();
    });

    it('hides private objects from public and SO sessions', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      const priv = f.p11.C_CreateObject(h, data('p', [{ type: K.CKA_TOKEN, value: true }, { type: K.CKA_PRIVATE, value: true }]));
      const pub = f.p11.C_CreateObject(h, data('p', [{ type: K.CKA_TOKEN, value: true }]));
      assert.equal(find(f, h, [{ type: K.CKA_LABEL, value: 'p' }]).length, 2);
      f.p11.C_Logout(h);
      assert.deepEqual(find(f, h, [{ type: K.CKA_LABEL, value: 'p' }]), [pub]);
      assert.deepEqual(find(f, h, [{ type: K.CKA_PRIVATE, value: true }]), []);
      throwsCKR(() => f.p11.C_GetAttributeValue(h, priv, [{ type: K.CKA_LABEL }]), K.CKR_OBJECT_HANDLE_INVALID);
      f.p11.C_Login(h, K.CKU_SO, 'so-secret-1');
      assert.deepEqual(find(f, h, []), [pub], 'the SO sees public objects only');
      f.cleanup();
    });

    it('logout destroys private session objects and invalidates private handles', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      const privSession = f.p11.C_CreateObject(h, data('s', [{ type: K.CKA_PRIVATE, value: true }]));
      const privToken = f.p11.C_CreateObject(h, data('t', [{ type: K.CKA_PRIVATE, value: true }, { type: K.CKA_TOKEN, value: true }]));
      f.p11.C_Logout(h);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      throwsCKR(() => f.p11.C_GetAttributeValue(h, privSession, [{ type: K.CKA_LABEL }]), K.CKR_OBJECT_HANDLE_INVALID);
      throwsCKR(() => f.p11.C_GetAttributeValue(h, privToken, [{ type: K.CKA_LABEL }]), K.CKR_OBJECT_HANDLE_INVALID);
      const again = find(f, h, [{ type: K.CKA_LABEL, value: 't' }]);
      assert.equal(again.length, 1);
      assert.notEqual(again[0], privToken, 'a new handle after a new login');
      assert.deepEqual(find(f, h, [{ type: K.CKA_LABEL, value: 's' }]), []);
      f.cleanup();
    });

    it('shares session objects between the sessions of one application, and drops them with their session', () => {
      const f = setup(kind);
      const a = f.p11.C_OpenSession(f.slot, RO);
      const b = f.p11.C_OpenSession(f.slot, RO);
      const o = f.p11.C_CreateObject(a, data('mine'));
      assert.deepEqual(find(f, b, [{ type: K.CKA_LABEL, value: 'mine' }]), [o]);
      f.p11.C_CloseSession(a);
      assert.deepEqual(find(f, b, [{ type: K.CKA_LABEL, value: 'mine' }]), []);
      throwsCKR(() => f.p11.C_GetAttributeValue(b, o, [{ type: K.CKA_LABEL }]), K.CKR_OBJECT_HANDLE_INVALID);
      f.cleanup();
    });

    it('shows token objects to other applications on the same store, never session objects', async () => {
      const f = setup(kind);
      const { Cryptoki } = await import('../src/core/cryptoki.js');
      const other = new Cryptoki({ store: f.store });
      other.C_Initialize();
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_CreateObject(h, data('shared', [{ type: K.CKA_TOKEN, value: true }]));
      f.p11.C_CreateObject(h, data('shared'));
      const oh = other.C_OpenSession(f.slot, RO);
      other.C_FindObjectsInit(oh, [{ type: K.CKA_LABEL, value: 'shared' }]);
      assert.equal(other.C_FindObjects(oh, 10).length, 1);
      other.C_Finalize();
      f.cleanup();
    });

    it('never matches a search on hidden key material', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      const value = Buffer.alloc(16, 7);
      const key = (extra: CK_ATTRIBUTE[]) => f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_VALUE, value }, ...extra,
      ]);
      key([{ type: K.CKA_SENSITIVE, value: true }]);
      const readable = key([{ type: K.CKA_EXTRACTABLE, value: true }]);
      assert.deepEqual(find(f, h, [{ type: K.CKA_VALUE, value }]), [readable]);
      f.cleanup();
    });

    it('keeps private labels and key material out of the store in the clear', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      const secret = Buffer.from('5ec4e7000000000000000000005ec4e7', 'hex');
      f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_TOKEN, value: true },
        { type: K.CKA_VALUE, value: secret }, { type: K.CKA_LABEL, value: 'very private label' }, { type: K.CKA_ID, value: Buffer.from('id-77') },
      ]);
      const pubKey = f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_TOKEN, value: true },
        { type: K.CKA_VALUE, value: Buffer.from(secret).reverse() }, { type: K.CKA_PRIVATE, value: false }, { type: K.CKA_LABEL, value: 'public key' },
      ]);
      const tokenId = f.store.listTokens()[0]!.tokenId;
      const records = f.store.listObjects(tokenId, { includePrivate: true });
      assert.equal(records.length, 2);
      for (const r of records) {
        const raw = Buffer.concat([r.plain, r.sealed ?? Buffer.alloc(0), r.labelIndex ?? Buffer.alloc(0), r.idIndex ?? Buffer.alloc(0)]);
        assert.equal(raw.includes(secret), false);
        assert.equal(raw.includes(Buffer.from(secret).reverse()), false, 'key material of public keys is sealed too');
        assert.equal(raw.includes(Buffer.from('very private label')), false);
        assert.equal(raw.includes(Buffer.from('id-77')), false);
      }
      assert.ok(records.some((r) => r.plain.includes(Buffer.from('public key'))), 'public attributes stay readable');

      // A sealed part moved to another object does not open.
      const [x, y] = records;
      f.store.updateObject(tokenId, { ...y!, sealed: x!.sealed });
      f.p11.C_Logout(h);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      throwsCKR(() => find(f, h, []), K.CKR_DEVICE_ERROR);
      void pubKey;
      f.cleanup();
    });

    it('makes key material of a public token key need a login', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      throwsCKR(() => f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_TOKEN, value: true },
        { type: K.CKA_VALUE, value: Buffer.alloc(16) }, { type: K.CKA_PRIVATE, value: false },
      ]), K.CKR_USER_NOT_LOGGED_IN);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      const k = f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_TOKEN, value: true },
        { type: K.CKA_VALUE, value: Buffer.alloc(16, 1) }, { type: K.CKA_PRIVATE, value: false }, { type: K.CKA_EXTRACTABLE, value: true },
      ]);
      f.p11.C_Logout(h);
      const ro = f.p11.C_OpenSession(f.slot, RO);
      throwsCKR(() => f.p11.C_GetAttributeValue(ro, k, [{ type: K.CKA_VALUE }]), K.CKR_USER_NOT_LOGGED_IN);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_LABEL, value: 'x' }]), K.CKR_USER_NOT_LOGGED_IN);
      f.cleanup();
    });

    it('reuses a decoded token object until its stored bytes change', async () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      const o = f.p11.C_CreateObject(h, data('cached', [{ type: K.CKA_TOKEN, value: true }, { type: K.CKA_PRIVATE, value: true }, { type: K.CKA_VALUE, value: Buffer.from('v1') }]));
      const session = f.p11.app.sessions.get(h)!;
      const first = f.p11.app.objects.get(session, o).attrs.get(K.CKA_VALUE);
      assert.equal(f.p11.app.objects.get(session, o).attrs.get(K.CKA_VALUE), first, 'the same Buffer: decoded once');
      const { Cryptoki } = await import('../src/core/cryptoki.js');
      const other = new Cryptoki({ store: f.store, kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 } });
      other.C_Initialize();
      const oh = other.C_OpenSession(f.slot, RW);
      other.C_Login(oh, K.CKU_USER, USER_PIN);
      other.C_FindObjectsInit(oh, [{ type: K.CKA_LABEL, value: 'cached' }]);
      other.C_SetAttributeValue(oh, other.C_FindObjects(oh, 1)[0]!, [{ type: K.CKA_VALUE, value: Buffer.from('v2') }]);
      other.C_Finalize();
      assert.deepEqual(f.p11.C_GetAttributeValue(h, o, [{ type: K.CKA_VALUE }])[0]!.value, Buffer.from('v2'), 'a change elsewhere is seen');
      f.cleanup();
    });
  });
});
