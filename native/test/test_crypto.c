/*
 * Mechanisms pkcs11-tool cannot drive, through the module: AES-GCM (one-shot
 * and message-based, whose tag comes back through the parameter), AES key
 * wrap, ML-DSA-65 with a context (C_Sign/C_Verify and C_VerifySignature*),
 * ML-KEM-768 encapsulation, and the spec's length conventions.
 * Usage: test_crypto <module> (TEST_PIN: the user PIN of the first token).
 */
#include "harness.h"

static CK_SESSION_HANDLE s;

static CK_OBJECT_HANDLE aes_key(CK_ULONG len, CK_BBOOL wrap, CK_BBOOL extractable) {
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_KEY_TYPE kt = CKK_AES;
  CK_ATTRIBUTE t[] = {
    { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kt, sizeof kt }, { CKA_VALUE_LEN, &len, sizeof len },
    { CKA_TOKEN, &no, 1 }, { CKA_EXTRACTABLE, &extractable, 1 },
    { wrap ? CKA_WRAP : CKA_ENCRYPT, &yes, 1 }, { wrap ? CKA_UNWRAP : CKA_DECRYPT, &yes, 1 },
  };
  CK_MECHANISM m = { CKM_AES_KEY_GEN, NULL, 0 };
  CK_OBJECT_HANDLE h;
  OK(p11->C_GenerateKey(s, &m, t, sizeof t / sizeof t[0], &h));
  return h;
}

static void test_gcm(void) {
  CK_OBJECT_HANDLE k = aes_key(32, CK_FALSE, CK_FALSE);
  CK_BYTE iv[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, aad[5] = "head", pt[40] = "forty bytes of plaintext for AES-GCM...";
  CK_GCM_PARAMS gp = { iv, sizeof iv, 96, aad, sizeof aad, 128 };
  CK_MECHANISM m = { CKM_AES_GCM, &gp, sizeof gp };
  CK_BYTE ct[64];
  CK_ULONG ctlen = 0;
  OK(p11->C_EncryptInit(s, &m, k));
  OK(p11->C_Encrypt(s, pt, sizeof pt, NULL, &ctlen)); /* length query: the operation stays */
  ASSERT(ctlen == sizeof pt + 16);
  ctlen = 10;
  CHECK(p11->C_Encrypt(s, pt, sizeof pt, ct, &ctlen), CKR_BUFFER_TOO_SMALL);
  ASSERT(ctlen == sizeof pt + 16);
  ctlen = sizeof ct;
  OK(p11->C_Encrypt(s, pt, sizeof pt, ct, &ctlen));
  ASSERT(ctlen == sizeof pt + 16);
  CK_BYTE back[64];
  CK_ULONG backlen = sizeof back;
  OK(p11->C_DecryptInit(s, &m, k));
  OK(p11->C_Decrypt(s, ct, ctlen, back, &backlen));
  ASSERT(backlen == sizeof pt && memcmp(back, pt, sizeof pt) == 0);
  ct[3] ^= 1;
  backlen = sizeof back;
  OK(p11->C_DecryptInit(s, &m, k));
  CHECK(p11->C_Decrypt(s, ct, ctlen, back, &backlen), CKR_ENCRYPTED_DATA_INVALID);
  printf("ok AES-GCM encrypt/decrypt, length query, buffer too small, tampering\n");

  /* Message-based GCM: the tag is an output field of the per-message parameter. */
  CK_MECHANISM mm = { CKM_AES_GCM, NULL, 0 };
  CK_BYTE tag[16] = { 0 };
  CK_GCM_MESSAGE_PARAMS mp = { iv, sizeof iv, 0, CKG_NO_GENERATE, tag, 128 };
  OK(p11->C_MessageEncryptInit(s, &mm, k));
  ctlen = sizeof ct;
  OK(p11->C_EncryptMessage(s, &mp, sizeof mp, aad, sizeof aad, pt, sizeof pt, ct, &ctlen));
  ASSERT(ctlen == sizeof pt);
  /* The same key, IV and AAD as the one-shot case: the same tag. */
  CK_BYTE expected_tag[16];
  CK_ULONG one_len = sizeof back;
  CK_BYTE one[64];
  OK(p11->C_EncryptInit(s, &m, k));
  OK(p11->C_Encrypt(s, pt, sizeof pt, one, &one_len));
  memcpy(expected_tag, one + sizeof pt, 16);
  ASSERT(memcmp(tag, expected_tag, 16) == 0 && memcmp(ct, one, sizeof pt) == 0);
  OK(p11->C_MessageEncryptFinal(s));
  OK(p11->C_MessageDecryptInit(s, &mm, k));
  backlen = sizeof back;
  OK(p11->C_DecryptMessage(s, &mp, sizeof mp, aad, sizeof aad, ct, ctlen, back, &backlen));
  ASSERT(backlen == sizeof pt && memcmp(back, pt, sizeof pt) == 0);
  tag[0] ^= 1;
  backlen = sizeof back;
  ASSERT(p11->C_DecryptMessage(s, &mp, sizeof mp, aad, sizeof aad, ct, ctlen, back, &backlen) != CKR_OK);
  OK(p11->C_MessageDecryptFinal(s));
  printf("ok AES-GCM message-based encryption (tag returned through the parameter)\n");
}

static void test_key_wrap(void) {
  CK_OBJECT_HANDLE kek = aes_key(32, CK_TRUE, CK_FALSE);
  CK_OBJECT_HANDLE k = aes_key(16, CK_FALSE, CK_TRUE);
  CK_MECHANISM m = { CKM_AES_KEY_WRAP, NULL, 0 };
  CK_ULONG len = 0;
  OK(p11->C_WrapKey(s, &m, kek, k, NULL, &len));
  ASSERT(len == 24);
  CK_BYTE wrapped[64];
  len = 8;
  CHECK(p11->C_WrapKey(s, &m, kek, k, wrapped, &len), CKR_BUFFER_TOO_SMALL);
  ASSERT(len == 24);
  len = sizeof wrapped;
  OK(p11->C_WrapKey(s, &m, kek, k, wrapped, &len));
  ASSERT(len == 24);
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_KEY_TYPE kt = CKK_AES;
  CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kt, sizeof kt }, { CKA_TOKEN, &no, 1 },
    { CKA_ENCRYPT, &yes, 1 } };
  CK_OBJECT_HANDLE u;
  OK(p11->C_UnwrapKey(s, &m, kek, wrapped, len, t, 4, &u));
  /* The same key: the same AES-ECB encryption of one block. */
  CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 };
  CK_BYTE block[16] = "sixteen bytes!!", a[16], b[16];
  CK_ULONG alen = 16, blen = 16;
  OK(p11->C_EncryptInit(s, &ecb, k));
  OK(p11->C_Encrypt(s, block, 16, a, &alen));
  OK(p11->C_EncryptInit(s, &ecb, u));
  OK(p11->C_Encrypt(s, block, 16, b, &blen));
  ASSERT(alen == 16 && blen == 16 && memcmp(a, b, 16) == 0);
  wrapped[5] ^= 1;
  CHECK(p11->C_UnwrapKey(s, &m, kek, wrapped, len, t, 4, &u), CKR_WRAPPED_KEY_INVALID);
  printf("ok AES key wrap (RFC 3394) wrap/unwrap, length query, tampering\n");
}

static void test_ml_dsa(void) {
  CK_ULONG set = CKP_ML_DSA_65;
  CK_ATTRIBUTE pub[] = { { CKA_PARAMETER_SET, &set, sizeof set }, { CKA_TOKEN, &no, 1 }, { CKA_VERIFY, &yes, 1 } };
  CK_ATTRIBUTE priv[] = { { CKA_TOKEN, &no, 1 }, { CKA_SIGN, &yes, 1 } };
  CK_MECHANISM gen = { CKM_ML_DSA_KEY_PAIR_GEN, NULL, 0 };
  CK_OBJECT_HANDLE hpub, hpriv;
  OK(p11->C_GenerateKeyPair(s, &gen, pub, 3, priv, 2, &hpub, &hpriv));
  CK_BYTE ctx[] = "context";
  CK_SIGN_ADDITIONAL_CONTEXT sc = { CKH_HEDGE_PREFERRED, ctx, sizeof ctx - 1 };
  CK_MECHANISM m = { CKM_ML_DSA, &sc, sizeof sc };
  CK_BYTE msg[] = "a message for ML-DSA-65";
  CK_ULONG siglen = 0;
  OK(p11->C_SignInit(s, &m, hpriv));
  OK(p11->C_Sign(s, msg, sizeof msg, NULL, &siglen));
  ASSERT(siglen == 3309);
  CK_BYTE *sig = malloc(siglen);
  OK(p11->C_Sign(s, msg, sizeof msg, sig, &siglen));
  ASSERT(siglen == 3309);
  OK(p11->C_VerifyInit(s, &m, hpub));
  OK(p11->C_Verify(s, msg, sizeof msg, sig, siglen));
  /* PKCS#11 3.2: the signature first, then the data. */
  OK(p11->C_VerifySignatureInit(s, &m, hpub, sig, siglen));
  OK(p11->C_VerifySignatureUpdate(s, msg, 10));
  OK(p11->C_VerifySignatureUpdate(s, msg + 10, sizeof msg - 10));
  OK(p11->C_VerifySignatureFinal(s));
  /* Another context: the signature does not verify. */
  CK_SIGN_ADDITIONAL_CONTEXT other = { CKH_HEDGE_PREFERRED, (CK_BYTE_PTR) "other", 5 };
  CK_MECHANISM m2 = { CKM_ML_DSA, &other, sizeof other };
  OK(p11->C_VerifySignatureInit(s, &m2, hpub, sig, siglen));
  CHECK(p11->C_VerifySignature(s, msg, sizeof msg), CKR_SIGNATURE_INVALID);
  sig[100] ^= 1;
  OK(p11->C_VerifyInit(s, &m, hpub));
  CHECK(p11->C_Verify(s, msg, sizeof msg, sig, siglen), CKR_SIGNATURE_INVALID);
  free(sig);
  printf("ok ML-DSA-65 sign/verify with a context, C_VerifySignature*, wrong context and tampering refused\n");
}

static void test_ml_kem(void) {
  CK_ULONG set = CKP_ML_KEM_768;
  CK_ATTRIBUTE pub[] = { { CKA_PARAMETER_SET, &set, sizeof set }, { CKA_TOKEN, &no, 1 }, { CKA_ENCAPSULATE, &yes, 1 } };
  CK_ATTRIBUTE priv[] = { { CKA_TOKEN, &no, 1 }, { CKA_DECAPSULATE, &yes, 1 } };
  CK_MECHANISM gen = { CKM_ML_KEM_KEY_PAIR_GEN, NULL, 0 };
  CK_OBJECT_HANDLE hpub, hpriv;
  OK(p11->C_GenerateKeyPair(s, &gen, pub, 3, priv, 2, &hpub, &hpriv));
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
  CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kt, sizeof kt }, { CKA_TOKEN, &no, 1 },
    { CKA_SENSITIVE, &no, 1 }, { CKA_EXTRACTABLE, &yes, 1 } };
  CK_MECHANISM m = { CKM_ML_KEM, NULL, 0 };
  CK_ULONG ctlen = 0;
  CK_OBJECT_HANDLE k1 = 0, k2 = 0;
  OK(p11->C_EncapsulateKey(s, &m, hpub, t, 5, NULL, &ctlen, &k1));
  ASSERT(ctlen == 1088);
  CK_BYTE ct[1088];
  CK_ULONG small = 100;
  CHECK(p11->C_EncapsulateKey(s, &m, hpub, t, 5, ct, &small, &k1), CKR_BUFFER_TOO_SMALL);
  ASSERT(small == 1088);
  OK(p11->C_EncapsulateKey(s, &m, hpub, t, 5, ct, &ctlen, &k1));
  ASSERT(k1 != 0);
  OK(p11->C_DecapsulateKey(s, &m, hpriv, t, 5, ct, ctlen, &k2));
  CK_BYTE v1[64], v2[64];
  CK_ATTRIBUTE a1 = { CKA_VALUE, v1, sizeof v1 }, a2 = { CKA_VALUE, v2, sizeof v2 };
  OK(p11->C_GetAttributeValue(s, k1, &a1, 1));
  OK(p11->C_GetAttributeValue(s, k2, &a2, 1));
  ASSERT(a1.ulValueLen == 32 && a2.ulValueLen == 32 && memcmp(v1, v2, 32) == 0);
  printf("ok ML-KEM-768 encapsulate/decapsulate: both sides hold the same secret\n");
}

static void test_lengths(void) {
  CK_ULONG n = 0;
  OK(p11->C_GetSlotList(CK_FALSE, NULL, &n));
  ASSERT(n >= 2);
  CK_SLOT_ID one[1];
  CK_ULONG cap = 1;
  CHECK(p11->C_GetSlotList(CK_FALSE, one, &cap), CKR_BUFFER_TOO_SMALL);
  ASSERT(cap == n);
  /* An attribute: length query, too small, sensitive. */
  CK_OBJECT_HANDLE k = aes_key(16, CK_FALSE, CK_TRUE);
  CK_ATTRIBUTE a = { CKA_VALUE_LEN, NULL, 0 };
  OK(p11->C_GetAttributeValue(s, k, &a, 1));
  ASSERT(a.ulValueLen == sizeof(CK_ULONG));
  CK_BYTE tiny[2];
  CK_ATTRIBUTE b = { CKA_LABEL, tiny, 0 }, lbl = { CKA_ID, tiny, sizeof tiny };
  (void)b;
  CK_BYTE label[] = "a label longer than two bytes";
  CK_ATTRIBUTE set = { CKA_LABEL, label, sizeof label - 1 };
  OK(p11->C_SetAttributeValue(s, k, &set, 1));
  CK_ATTRIBUTE get = { CKA_LABEL, tiny, sizeof tiny };
  CHECK(p11->C_GetAttributeValue(s, k, &get, 1), CKR_BUFFER_TOO_SMALL);
  ASSERT(get.ulValueLen == CK_UNAVAILABLE_INFORMATION);
  (void)lbl;
  CK_OBJECT_HANDLE sk = aes_key(16, CK_FALSE, CK_FALSE);
  CK_BBOOL sens = CK_TRUE;
  CK_ATTRIBUTE mk = { CKA_SENSITIVE, &sens, 1 };
  OK(p11->C_SetAttributeValue(s, sk, &mk, 1));
  CK_BYTE val[32];
  CK_ULONG vl = 0;
  CK_ATTRIBUTE two[] = { { CKA_VALUE, val, sizeof val }, { CKA_VALUE_LEN, &vl, sizeof vl } };
  CHECK(p11->C_GetAttributeValue(s, sk, two, 2), CKR_ATTRIBUTE_SENSITIVE);
  ASSERT(two[0].ulValueLen == CK_UNAVAILABLE_INFORMATION && two[1].ulValueLen == sizeof vl && vl == 16);
  /* A digest: NULL length query, too small keeps the operation, then the value. */
  CK_MECHANISM sha = { CKM_SHA3_256, NULL, 0 };
  CK_BYTE d[32];
  CK_ULONG dl = 0;
  OK(p11->C_DigestInit(s, &sha));
  OK(p11->C_Digest(s, (CK_BYTE_PTR) "abc", 3, NULL, &dl));
  ASSERT(dl == 32);
  dl = 31;
  CHECK(p11->C_Digest(s, (CK_BYTE_PTR) "abc", 3, d, &dl), CKR_BUFFER_TOO_SMALL);
  ASSERT(dl == 32);
  OK(p11->C_Digest(s, (CK_BYTE_PTR) "abc", 3, d, &dl));
  static const CK_BYTE sha3_abc[4] = { 0x3a, 0x98, 0x5d, 0xa7 };
  ASSERT(dl == 32 && memcmp(d, sha3_abc, 4) == 0);
  CHECK(p11->C_Digest(s, (CK_BYTE_PTR) "abc", 3, d, &dl), CKR_OPERATION_NOT_INITIALIZED);
  /* Interfaces. */
  CK_ULONG ni = 0;
  CK_C_GetInterfaceList gil = (CK_C_GetInterfaceList)p11->C_GetInterfaceList;
  OK(gil(NULL, &ni));
  ASSERT(ni == 3);
  CK_INTERFACE itfs[3];
  ni = 1;
  CHECK(gil(itfs, &ni), CKR_BUFFER_TOO_SMALL);
  ni = 3;
  OK(gil(itfs, &ni));
  printf("ok length queries and CKR_BUFFER_TOO_SMALL (slot list, attributes, digest, interfaces)\n");
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  load_module(argv[1]);
  CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL };
  OK(p11->C_Initialize(&args));
  s = user_session();
  test_gcm();
  test_key_wrap();
  test_ml_dsa();
  test_ml_kem();
  test_lengths();
  OK(p11->C_CloseSession(s));
  OK(p11->C_Finalize(NULL));
  printf("all passed\n");
  return 0;
}
