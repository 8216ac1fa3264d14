import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import * as K from '../src/pkcs11/constants.js';
import type { CK_ATTRIBUTE } from '../src/pkcs11/types.js';
import { forEachStore, RO, RW, setup, SO_PIN, throwsCKR, USER_PIN, type Fixture } from './helpers.js';

const AES_VALUE = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');

function userSession(f: Fixture, flags = RW): number {
  const h = f.p11.C_OpenSession(f.slot, flags);
  f.p11.C_Login(h, K.CKU_USER, USER_PIN);
  return h;
}

function aesKey(extra: CK_ATTRIBUTE[] = []): CK_ATTRIBUTE[] {
  return [
    { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES },
    { type: K.CKA_VALUE, value: AES_VALUE }, ...extra,
  ];
}

function get(f: Fixture, h: number, o: number, type: number): unknown {
  return f.p11.C_GetAttributeValue(h, o, [{ type }])[0]!.value;
}

const CERT_DER = Buffer.from('3082010a0201', 'hex');

forEachStore((kind) => {
  describe(`objects (${kind.name} store)`, () => {
    it('creates a data object with the defaults of the spec', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RO);
      const o = f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_LABEL, value: 'note' }]);
      const t = f.p11.C_GetAttributeValue(h, o, [
        { type: K.CKA_TOKEN }, { type: K.CKA_PRIVATE }, { type: K.CKA_MODIFIABLE }, { type: K.CKA_COPYABLE },
        { type: K.CKA_DESTROYABLE }, { type: K.CKA_LABEL }, { type: K.CKA_VALUE }, { type: K.CKA_APPLICATION },
        { type: K.CKA_UNIQUE_ID },
      ]);
      assert.deepEqual(t.slice(0, 5).map((a) => a.value), [false, false, true, true, true]);
      assert.deepEqual(t[5]!.value, Buffer.from('note'));
      assert.equal(t[5]!.ulValueLen, 4);
      assert.deepEqual(t[6]!.value, Buffer.alloc(0));
      assert.equal(t[0]!.ulValueLen, 1);
      assert.equal((t[8]!.value as Buffer).length, 32);
      assert.ok(f.p11.C_GetObjectSize(h, o) > 0);
      f.cleanup();
    });

    it('refuses incomplete, inconsistent, unknown and invalid templates', () => {
      const f = setup(kind);
      const h = userSession(f);
      throwsCKR(() => f.p11.C_CreateObject(h, [{ type: K.CKA_LABEL, value: 'x' }]), K.CKR_TEMPLATE_INCOMPLETE);
      throwsCKR(() => f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }]), K.CKR_TEMPLATE_INCOMPLETE);
      throwsCKR(() => f.p11.C_CreateObject(h, aesKey().filter((a) => a.type !== K.CKA_VALUE)), K.CKR_TEMPLATE_INCOMPLETE);
      throwsCKR(() => f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_CERTIFICATE }, { type: K.CKA_CERTIFICATE_TYPE, value: K.CKC_X_509 },
        { type: K.CKA_VALUE, value: CERT_DER },
      ]), K.CKR_TEMPLATE_INCOMPLETE, 'an X.509 certificate needs a subject');
      // An attribute of another kind of object makes the template inconsistent (spec 4.1.1); an unknown one is invalid.
      throwsCKR(() => f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_MODULUS, value: Buffer.alloc(1) }]), K.CKR_TEMPLATE_INCONSISTENT);
      throwsCKR(() => f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: 0x7654321, value: Buffer.alloc(1) }]), K.CKR_ATTRIBUTE_TYPE_INVALID);
      throwsCKR(() => f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: 'yes' }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
      throwsCKR(() => f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: 'data' }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
      throwsCKR(() => f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_HW_FEATURE }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
      throwsCKR(() => f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_VALUE, value: Buffer.alloc(15) }])), K.CKR_TEMPLATE_INCONSISTENT, 'two values for one attribute');
      throwsCKR(() => f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_VALUE, value: Buffer.alloc(15) },
      ]), K.CKR_ATTRIBUTE_VALUE_INVALID, 'AES keys are 16, 24 or 32 bytes');
      throwsCKR(() => f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_START_DATE, value: '20241399' }])), K.CKR_ATTRIBUTE_VALUE_INVALID);
      throwsCKR(() => f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_UNIQUE_ID, value: 'mine' }]), K.CKR_ATTRIBUTE_READ_ONLY);
      throwsCKR(() => f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_LOCAL, value: true }])), K.CKR_ATTRIBUTE_READ_ONLY);
      throwsCKR(() => f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_VALUE_LEN, value: 16 }])), K.CKR_ATTRIBUTE_READ_ONLY);
      throwsCKR(() => f.p11.C_CreateObject(h, 'nope' as never), K.CKR_ARGUMENTS_BAD);
      throwsCKR(() => f.p11.C_CreateObject(h, [null as never]), K.CKR_ARGUMENTS_BAD);
      f.cleanup();
    });

    it('stores X.509 certificates and profile objects, with the certificate check value', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      const cert = f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_CERTIFICATE }, { type: K.CKA_CERTIFICATE_TYPE, value: K.CKC_X_509 }, { type: K.CKA_TOKEN, value: true },
        { type: K.CKA_SUBJECT, value: Buffer.from('3000', 'hex') }, { type: K.CKA_VALUE, value: CERT_DER }, { type: K.CKA_ID, value: Buffer.from([1]) },
      ]);
      assert.deepEqual(get(f, h, cert, K.CKA_CHECK_VALUE), createHash('sha1').update(CERT_DER).digest().subarray(0, 3));
      assert.equal(get(f, h, cert, K.CKA_TRUSTED), false);
      assert.equal(get(f, h, cert, K.CKA_CERTIFICATE_CATEGORY), K.CK_CERTIFICATE_CATEGORY_UNSPECIFIED);
      f.p11.C_SetAttributeValue(h, cert, [{ type: K.CKA_ID, value: Buffer.from([2]) }, { type: K.CKA_ISSUER, value: Buffer.from('3000', 'hex') }]);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, cert, [{ type: K.CKA_SUBJECT, value: Buffer.from('3001', 'hex') }]), K.CKR_ATTRIBUTE_READ_ONLY);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, cert, [{ type: K.CKA_VALUE, value: Buffer.from('30', 'hex') }]), K.CKR_ATTRIBUTE_READ_ONLY);
      throwsCKR(() => f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_CERTIFICATE }, { type: K.CKA_CERTIFICATE_TYPE, value: K.CKC_X_509 },
        { type: K.CKA_SUBJECT, value: Buffer.from('3000', 'hex') }, { type: K.CKA_VALUE, value: CERT_DER }, { type: K.CKA_CHECK_VALUE, value: Buffer.from('000000', 'hex') },
      ]), K.CKR_ATTRIBUTE_VALUE_INVALID);
      throwsCKR(() => f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_CERTIFICATE }, { type: K.CKA_CERTIFICATE_TYPE, value: K.CKC_X_509 },
        { type: K.CKA_SUBJECT, value: Buffer.from('3000', 'hex') }, { type: K.CKA_VALUE, value: Buffer.alloc(0) },
      ]), K.CKR_TEMPLATE_INCONSISTENT, 'neither a value nor a URL');
      throwsCKR(() => f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_CERTIFICATE }, { type: K.CKA_CERTIFICATE_TYPE, value: K.CKC_WTLS },
      ]), K.CKR_ATTRIBUTE_VALUE_INVALID);
      const profile = f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_PROFILE }, { type: K.CKA_PROFILE_ID, value: K.CKP_BASELINE_PROVIDER }]);
      assert.equal(get(f, h, profile, K.CKA_PROFILE_ID), K.CKP_BASELINE_PROVIDER);
      throwsCKR(() => f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_PROFILE }]), K.CKR_TEMPLATE_INCOMPLETE);
      f.cleanup();
    });

    it('refuses a key that would both wrap keys and encrypt data', () => {
      const f = setup(kind);
      const h = userSession(f);
      throwsCKR(() => f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_WRAP, value: true }, { type: K.CKA_DECRYPT, value: true }])), K.CKR_TEMPLATE_INCONSISTENT);
      const wrapKey = f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_WRAP, value: true }]));
      assert.equal(get(f, h, wrapKey, K.CKA_ENCRYPT), false, 'a wrapping key does not encrypt by default');
      assert.equal(get(f, h, wrapKey, K.CKA_DECRYPT), false);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, wrapKey, [{ type: K.CKA_DECRYPT, value: true }]), K.CKR_TEMPLATE_INCONSISTENT);
      const plain = f.p11.C_CreateObject(h, aesKey());
      assert.equal(get(f, h, plain, K.CKA_ENCRYPT), true);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, plain, [{ type: K.CKA_UNWRAP, value: true }]), K.CKR_TEMPLATE_INCONSISTENT);
      f.cleanup();
    });

    it('defaults each usage of a generated key pair to true only where its key type has that use', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_USER, USER_PIN);
      const USAGES = [K.CKA_ENCRYPT, K.CKA_VERIFY, K.CKA_VERIFY_RECOVER, K.CKA_ENCAPSULATE, K.CKA_DECRYPT, K.CKA_SIGN, K.CKA_SIGN_RECOVER, K.CKA_DECAPSULATE];
      const usages = (mechanism: number, pub: CK_ATTRIBUTE[]) => {
        const [p, q] = f.p11.C_GenerateKeyPair(h, { mechanism }, pub, []);
        const on = (o: number, types: number[]) => types.filter((type) => f.p11.C_GetAttributeValue(h, o, [{ type }])[0]!.value === true);
        return [...on(p!, USAGES.slice(0, 4)), ...on(q!, USAGES.slice(4))];
      };
      assert.deepEqual(usages(K.CKM_EC_KEY_PAIR_GEN, [{ type: K.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') }]),
        [K.CKA_VERIFY, K.CKA_SIGN]);
      assert.deepEqual(usages(K.CKM_ML_KEM_KEY_PAIR_GEN, [{ type: K.CKA_PARAMETER_SET, value: K.CKP_ML_KEM_512 }]),
        [K.CKA_ENCAPSULATE, K.CKA_DECAPSULATE]);
      assert.deepEqual(usages(K.CKM_EC_MONTGOMERY_KEY_PAIR_GEN, [{ type: K.CKA_EC_PARAMS, value: Buffer.from('06032b656e', 'hex') }]), []);
      assert.deepEqual(usages(K.CKM_RSA_PKCS_KEY_PAIR_GEN, [{ type: K.CKA_MODULUS_BITS, value: 1024 }]),
        [K.CKA_ENCRYPT, K.CKA_VERIFY, K.CKA_VERIFY_RECOVER, K.CKA_DECRYPT, K.CKA_SIGN, K.CKA_SIGN_RECOVER]);
      f.cleanup();
    });

    it('computes the key attributes the token owns', () => {
      const f = setup(kind);
      const h = userSession(f);
      const k = f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_SENSITIVE, value: true }]));
      assert.equal(get(f, h, k, K.CKA_LOCAL), false);
      assert.equal(get(f, h, k, K.CKA_ALWAYS_SENSITIVE), false, 'an imported key was once outside the token');
      assert.equal(get(f, h, k, K.CKA_NEVER_EXTRACTABLE), false);
      assert.equal(get(f, h, k, K.CKA_VALUE_LEN), 16);
      assert.equal(get(f, h, k, K.CKA_KEY_GEN_MECHANISM), K.CK_UNAVAILABLE_INFORMATION);
      assert.equal(get(f, h, k, K.CKA_PRIVATE), true, 'secret keys are private unless asked otherwise');
      assert.equal(get(f, h, k, K.CKA_EXTRACTABLE), false);
      const rsa = f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_PUBLIC_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_RSA },
        { type: K.CKA_MODULUS, value: Buffer.from('00c5', 'hex') }, { type: K.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      ]);
      assert.equal(get(f, h, rsa, K.CKA_MODULUS_BITS), 8);
      assert.equal(get(f, h, rsa, K.CKA_PRIVATE), false);
      throwsCKR(() => f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_PUBLIC_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_EC },
        { type: K.CKA_EC_PARAMS, value: Buffer.from('nonsense') }, { type: K.CKA_EC_POINT, value: Buffer.alloc(65) },
      ]), K.CKR_ATTRIBUTE_VALUE_INVALID);
      f.cleanup();
    });

    it('hides sensitive and unextractable key material and processes the whole template', () => {
      const f = setup(kind);
      const h = userSession(f);
      const k = f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_LABEL, value: 'k' }]));
      const t: CK_ATTRIBUTE[] = [{ type: K.CKA_VALUE }, { type: K.CKA_MODULUS }, { type: K.CKA_LABEL }];
      throwsCKR(() => f.p11.C_GetAttributeValue(h, k, t), K.CKR_ATTRIBUTE_SENSITIVE);
      assert.equal(t[0]!.ulValueLen, K.CK_UNAVAILABLE_INFORMATION);
      assert.equal(t[0]!.value, undefined);
      assert.equal(t[1]!.ulValueLen, K.CK_UNAVAILABLE_INFORMATION);
      assert.deepEqual(t[2]!.value, Buffer.from('k'), 'later entries are still filled in');

      const t2: CK_ATTRIBUTE[] = [{ type: K.CKA_MODULUS }, { type: K.CKA_VALUE }];
      throwsCKR(() => f.p11.C_GetAttributeValue(h, k, t2), K.CKR_ATTRIBUTE_TYPE_INVALID);

      const open = f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_EXTRACTABLE, value: true }]));
      assert.deepEqual(get(f, h, open, K.CKA_VALUE), AES_VALUE);
      const closed = f.p11.C_CreateObject(h, aesKey());
      throwsCKR(() => f.p11.C_GetAttributeValue(h, closed, [{ type: K.CKA_VALUE }]), K.CKR_ATTRIBUTE_SENSITIVE, 'unextractable keys hide their value too');
      f.cleanup();
    });

    it('answers length queries and CKR_BUFFER_TOO_SMALL per attribute', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      const o = f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_LABEL, value: 'twelve bytes' }]);
      const q: CK_ATTRIBUTE[] = [{ type: K.CKA_LABEL, value: null }, { type: K.CKA_CLASS, value: null }, { type: K.CKA_TOKEN, value: null }];
      f.p11.C_GetAttributeValue(h, o, q);
      assert.deepEqual(q.map((a) => a.ulValueLen), [12, 8, 1]);
      assert.equal(q[0]!.value, null, 'a length query returns no value');
      const small: CK_ATTRIBUTE[] = [{ type: K.CKA_LABEL, ulValueLen: 4 }, { type: K.CKA_CLASS, ulValueLen: 8 }];
      throwsCKR(() => f.p11.C_GetAttributeValue(h, o, small), K.CKR_BUFFER_TOO_SMALL);
      assert.equal(small[0]!.ulValueLen, K.CK_UNAVAILABLE_INFORMATION);
      assert.equal(small[1]!.value, K.CKO_DATA);
      throwsCKR(() => f.p11.C_GetAttributeValue(h, o, 'x' as never), K.CKR_ARGUMENTS_BAD);
      throwsCKR(() => f.p11.C_GetAttributeValue(h, 777, []), K.CKR_OBJECT_HANDLE_INVALID);
      f.cleanup();
    });

    it('keeps the key lifecycle rules in C_SetAttributeValue', () => {
      const f = setup(kind);
      const h = userSession(f);
      const k = f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_EXTRACTABLE, value: true }]));
      f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_SENSITIVE, value: true }]);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_SENSITIVE, value: false }]), K.CKR_ATTRIBUTE_READ_ONLY);
      f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_EXTRACTABLE, value: false }]);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_EXTRACTABLE, value: true }]), K.CKR_ATTRIBUTE_READ_ONLY);
      f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_WRAP_WITH_TRUSTED, value: true }]);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_WRAP_WITH_TRUSTED, value: false }]), K.CKR_ATTRIBUTE_READ_ONLY);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_CLASS, value: K.CKO_DATA }]), K.CKR_ATTRIBUTE_READ_ONLY);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_KEY_TYPE, value: K.CKK_DES3 }]), K.CKR_ATTRIBUTE_READ_ONLY);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_TOKEN, value: true }]), K.CKR_ATTRIBUTE_READ_ONLY);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_MODULUS, value: Buffer.alloc(1) }]), K.CKR_TEMPLATE_INCONSISTENT);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, k, [{ type: 0x7654321, value: Buffer.alloc(1) }]), K.CKR_ATTRIBUTE_TYPE_INVALID);
      throwsCKR(() => f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_TRUSTED, value: true }]), K.CKR_ATTRIBUTE_READ_ONLY, 'only the SO trusts');
      f.p11.C_SetAttributeValue(h, k, [{ type: K.CKA_LABEL, value: 'renamed' }, { type: K.CKA_SENSITIVE, value: true }]);
      assert.deepEqual(get(f, h, k, K.CKA_LABEL), Buffer.from('renamed'));
      assert.equal(get(f, h, k, K.CKA_ALWAYS_SENSITIVE), false, 'becoming sensitive later is not "always"');

      const frozen = f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_MODIFIABLE, value: false }]));
      throwsCKR(() => f.p11.C_SetAttributeValue(h, frozen, [{ type: K.CKA_LABEL, value: 'x' }]), K.CKR_ACTION_PROHIBITED);
      f.cleanup();
    });

    it('lets the SO mark a public key trusted', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      f.p11.C_Login(h, K.CKU_SO, SO_PIN);
      const pub = f.p11.C_CreateObject(h, [
        { type: K.CKA_CLASS, value: K.CKO_PUBLIC_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_RSA }, { type: K.CKA_TOKEN, value: true },
        { type: K.CKA_MODULUS, value: Buffer.from('c5', 'hex') }, { type: K.CKA_PUBLIC_EXPONENT, value: Buffer.from([3]) },
        { type: K.CKA_TRUSTED, value: true },
      ]);
      assert.equal(get(f, h, pub, K.CKA_TRUSTED), true);
      throwsCKR(() => f.p11.C_CreateObject(h, aesKey()), K.CKR_USER_NOT_LOGGED_IN, 'the SO cannot make private objects');
      f.cleanup();
    });

    it('copies objects under the copy rules', () => {
      const f = setup(kind);
      const h = userSession(f);
      const k = f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_LABEL, value: 'orig' }, { type: K.CKA_EXTRACTABLE, value: true }]));
      const c = f.p11.C_CopyObject(h, k, [
        { type: K.CKA_TOKEN, value: true }, { type: K.CKA_LABEL, value: 'copy' }, { type: K.CKA_MODIFIABLE, value: false },
      ]);
      assert.notEqual(c, k);
      assert.equal(get(f, h, c, K.CKA_TOKEN), true);
      assert.deepEqual(get(f, h, c, K.CKA_VALUE), AES_VALUE);
      assert.notDeepEqual(get(f, h, c, K.CKA_UNIQUE_ID), get(f, h, k, K.CKA_UNIQUE_ID));
      throwsCKR(() => f.p11.C_CopyObject(h, c, [{ type: K.CKA_MODIFIABLE, value: true }]), K.CKR_ATTRIBUTE_READ_ONLY);
      throwsCKR(() => f.p11.C_CopyObject(h, k, [{ type: K.CKA_KEY_TYPE, value: K.CKK_DES3 }]), K.CKR_ATTRIBUTE_READ_ONLY);
      throwsCKR(() => f.p11.C_CopyObject(h, k, [{ type: K.CKA_SENSITIVE, value: 'x' }]), K.CKR_ATTRIBUTE_VALUE_INVALID);
      const noCopy = f.p11.C_CreateObject(h, aesKey([{ type: K.CKA_COPYABLE, value: false }]));
      throwsCKR(() => f.p11.C_CopyObject(h, noCopy, []), K.CKR_ACTION_PROHIBITED);
      const ro = f.p11.C_OpenSession(f.slot, RO);
      throwsCKR(() => f.p11.C_CopyObject(ro, k, [{ type: K.CKA_TOKEN, value: true }]), K.CKR_SESSION_READ_ONLY);
      f.cleanup();
    });

    it('destroys objects unless they are not destroyable', () => {
      const f = setup(kind);
      const h = f.p11.C_OpenSession(f.slot, RW);
      const o = f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: true }]);
      const ro = f.p11.C_OpenSession(f.slot, RO);
      throwsCKR(() => f.p11.C_DestroyObject(ro, o), K.CKR_SESSION_READ_ONLY);
      f.p11.C_DestroyObject(h, o);
      throwsCKR(() => f.p11.C_DestroyObject(h, o), K.CKR_OBJECT_HANDLE_INVALID);
      const keep = f.p11.C_CreateObject(h, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_DESTROYABLE, value: false }]);
      throwsCKR(() => f.p11.C_DestroyObject(h, keep), K.CKR_ACTION_PROHIBITED);
      f.cleanup();
    });

    it('needs a read/write session for token objects and a user login for private ones', () => {
      const f = setup(kind);
      const ro = f.p11.C_OpenSession(f.slot, RO);
      throwsCKR(() => f.p11.C_CreateObject(ro, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: true }]), K.CKR_SESSION_READ_ONLY);
      throwsCKR(() => f.p11.C_CreateObject(ro, [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_PRIVATE, value: true }]), K.CKR_USER_NOT_LOGGED_IN);
      const sessionObject = f.p11.C_CreateObject(ro, [{ type: K.CKA_CLASS, value: K.CKO_DATA }]);
      // Session objects are read/write even in a read-only session.
      f.p11.C_SetAttributeValue(ro, sessionObject, [{ type: K.CKA_LABEL, value: 'ok' }]);
      assert.deepEqual(get(f, ro, sessionObject, K.CKA_LABEL), Buffer.from('ok'));
      f.p11.C_DestroyObject(ro, sessionObject);
      f.cleanup();
    });
  });
});
