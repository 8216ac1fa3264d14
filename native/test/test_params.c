/*
 * Every mechanism parameter structure the module encodes, end to end through
 * the token's mechanisms: known answers where a standard gives one (HKDF
 * RFC 5869, PBKDF2 RFC 6070), round trips and agreement otherwise.
 * Usage: test_params <module> (TEST_PIN: the user PIN of the first token).
 */
#include "harness.h"

static CK_SESSION_HANDLE s;

static CK_OBJECT_HANDLE secret(CK_KEY_TYPE kt, const void *value, CK_ULONG len, CK_ATTRIBUTE_TYPE use1, CK_ATTRIBUTE_TYPE use2) {
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kt, sizeof kt }, { CKA_VALUE, (void *)value, len },
    { CKA_TOKEN, &no, 1 }, { use1, &yes, 1 }, { use2, &yes, 1 } };
  CK_OBJECT_HANDLE h;
  OK(p11->C_CreateObject(s, t, 6, &h));
  return h;
}

/* The template of a derived, readable generic secret of `len` bytes. */
#define READABLE(len)                                                                                                  \
  CK_OBJECT_CLASS cls_ = CKO_SECRET_KEY;                                                                              \
  CK_KEY_TYPE kt_ = CKK_GENERIC_SECRET;                                                                               \
  CK_ULONG len_ = (len);                                                                                              \
  CK_ATTRIBUTE readable[] = { { CKA_CLASS, &cls_, sizeof cls_ }, { CKA_KEY_TYPE, &kt_, sizeof kt_ },                  \
    { CKA_VALUE_LEN, &len_, sizeof len_ }, { CKA_TOKEN, &no, 1 }, { CKA_SENSITIVE, &no, 1 }, { CKA_EXTRACTABLE, &yes, 1 } }

static void value_of(CK_OBJECT_HANDLE h, CK_BYTE *out, CK_ULONG *len) {
  CK_ATTRIBUTE a = { CKA_VALUE, out, *len };
  OK(p11->C_GetAttributeValue(s, h, &a, 1));
  *len = a.ulValueLen;
}

static void unhex(const char *hex, CK_BYTE *out) {
  for (size_t i = 0; hex[2 * i]; i++) sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void round_trip(const char *name, CK_MECHANISM *m, CK_OBJECT_HANDLE k, CK_ULONG expected_extra) {
  CK_BYTE pt[37] = "thirty-seven bytes of plaintext here", ct[128], back[128];
  CK_ULONG ctlen = sizeof ct, backlen = sizeof back;
  OK(p11->C_EncryptInit(s, m, k));
  OK(p11->C_Encrypt(s, pt, sizeof pt, ct, &ctlen));
  ASSERT(ctlen == sizeof pt + expected_extra);
  OK(p11->C_DecryptInit(s, m, k));
  OK(p11->C_Decrypt(s, ct, ctlen, back, &backlen));
  ASSERT(backlen == sizeof pt && memcmp(back, pt, sizeof pt) == 0);
  printf("ok %s round trip\n", name);
}

static void ciphers(void) {
  CK_BYTE key[32];
  memset(key, 0x42, sizeof key);
  CK_OBJECT_HANDLE aes = secret(CKK_AES, key, 16, CKA_ENCRYPT, CKA_DECRYPT);
  CK_AES_CTR_PARAMS ctr = { 128, { 0 } };
  CK_MECHANISM m_ctr = { CKM_AES_CTR, &ctr, sizeof ctr };
  round_trip("CK_AES_CTR_PARAMS", &m_ctr, aes, 0);
  CK_BYTE nonce[12] = { 9, 8, 7 }, aad[4] = "aad";
  CK_CCM_PARAMS ccm = { 37, nonce, 12, aad, 4, 16 };
  CK_MECHANISM m_ccm = { CKM_AES_CCM, &ccm, sizeof ccm };
  round_trip("CK_CCM_PARAMS", &m_ccm, aes, 16);
  CK_OBJECT_HANDLE chacha = secret(CKK_CHACHA20, key, 32, CKA_ENCRYPT, CKA_DECRYPT);
  CK_SALSA20_CHACHA20_POLY1305_PARAMS cp = { nonce, 12, aad, 4 };
  CK_MECHANISM m_chacha = { CKM_CHACHA20_POLY1305, &cp, sizeof cp };
  round_trip("CK_SALSA20_CHACHA20_POLY1305_PARAMS", &m_chacha, chacha, 16);

  /* Message-based GCM with a token-generated IV: the IV comes back through the parameter. */
  CK_BYTE iv[12] = { 0 }, tag[16], zero[12] = { 0 };
  CK_GCM_MESSAGE_PARAMS mp = { iv, 12, 0, CKG_GENERATE_RANDOM, tag, 128 };
  CK_MECHANISM gcm = { CKM_AES_GCM, NULL, 0 };
  CK_BYTE pt[5] = "hello", ct[16], back[16];
  CK_ULONG ctlen = sizeof ct, backlen = sizeof back;
  OK(p11->C_MessageEncryptInit(s, &gcm, aes));
  OK(p11->C_EncryptMessage(s, &mp, sizeof mp, NULL, 0, pt, 5, ct, &ctlen));
  ASSERT(memcmp(iv, zero, 12) != 0);
  OK(p11->C_MessageEncryptFinal(s));
  CK_GCM_MESSAGE_PARAMS dp = { iv, 12, 0, CKG_NO_GENERATE, tag, 128 };
  OK(p11->C_MessageDecryptInit(s, &gcm, aes));
  OK(p11->C_DecryptMessage(s, &dp, sizeof dp, NULL, 0, ct, ctlen, back, &backlen));
  ASSERT(backlen == 5 && memcmp(back, pt, 5) == 0);
  OK(p11->C_MessageDecryptFinal(s));
  printf("ok CK_GCM_MESSAGE_PARAMS with a generated IV returned to the application\n");

  CK_OBJECT_HANDLE mac = secret(CKK_GENERIC_SECRET, key, 32, CKA_SIGN, CKA_VERIFY);
  CK_MAC_GENERAL_PARAMS n = 10;
  CK_MECHANISM m_mac = { CKM_SHA256_HMAC_GENERAL, &n, sizeof n };
  CK_BYTE out[32];
  CK_ULONG outlen = sizeof out;
  OK(p11->C_SignInit(s, &m_mac, mac));
  OK(p11->C_Sign(s, pt, 5, out, &outlen));
  ASSERT(outlen == 10);
  printf("ok CK_MAC_GENERAL_PARAMS: a 10-byte HMAC\n");
}

static void kdfs(void) {
  /* RFC 5869, test case 1. */
  CK_BYTE ikm[22], salt[13], info[10], okm[42], got[64];
  memset(ikm, 0x0b, sizeof ikm);
  for (int i = 0; i < 13; i++) salt[i] = (CK_BYTE)i;
  for (int i = 0; i < 10; i++) info[i] = (CK_BYTE)(0xf0 + i);
  unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", okm);
  CK_OBJECT_HANDLE base = secret(CKK_GENERIC_SECRET, ikm, sizeof ikm, CKA_DERIVE, CKA_SIGN);
  CK_HKDF_PARAMS hp = { CK_TRUE, CK_TRUE, CKM_SHA256, CKF_HKDF_SALT_DATA, salt, sizeof salt, 0, info, sizeof info };
  CK_MECHANISM m = { CKM_HKDF_DERIVE, &hp, sizeof hp };
  {
    READABLE(42);
    CK_OBJECT_HANDLE k;
    OK(p11->C_DeriveKey(s, &m, base, readable, 6, &k));
    CK_ULONG len = sizeof got;
    value_of(k, got, &len);
    ASSERT(len == 42 && memcmp(got, okm, 42) == 0);
  }
  printf("ok CK_HKDF_PARAMS: RFC 5869 test case 1\n");

  /* RFC 6070: "password", "salt", 1 iteration, 20 bytes. */
  CK_PKCS5_PBKD2_PARAMS2 pp = { CKZ_SALT_SPECIFIED, "salt", 4, 1, CKP_PKCS5_PBKD2_HMAC_SHA1, NULL, 0, (CK_UTF8CHAR_PTR) "password", 8 };
  CK_MECHANISM pm = { CKM_PKCS5_PBKD2, &pp, sizeof pp };
  {
    READABLE(20);
    CK_OBJECT_HANDLE k;
    OK(p11->C_GenerateKey(s, &pm, readable, 6, &k));
    CK_BYTE want[20];
    unhex("0c60c80f961f0e71f3a9b524af6012062fe037a6", want);
    CK_ULONG len = sizeof got;
    value_of(k, got, &len);
    ASSERT(len == 20 && memcmp(got, want, 20) == 0);
  }
  printf("ok CK_PKCS5_PBKD2_PARAMS2: RFC 6070\n");

  /* SP 800-108 counter mode: the same inputs give the same key, another label another. */
  CK_OBJECT_HANDLE kdk = secret(CKK_GENERIC_SECRET, ikm, 16, CKA_DERIVE, CKA_SIGN);
  CK_SP800_108_COUNTER_FORMAT counter = { CK_FALSE, 32 };
  CK_SP800_108_DKM_LENGTH_FORMAT dkm = { CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, CK_FALSE, 32 };
  CK_BYTE a[32], b[32], c[32];
  CK_ULONG alen = 32, blen = 32, clen = 32;
  const char *labels[3] = { "label one", "label one", "label two" };
  CK_BYTE *outs[3] = { a, b, c };
  CK_ULONG *lens[3] = { &alen, &blen, &clen };
  for (int i = 0; i < 3; i++) {
    CK_PRF_DATA_PARAM data[3] = { { CK_SP800_108_ITERATION_VARIABLE, &counter, sizeof counter },
      { CK_SP800_108_BYTE_ARRAY, (void *)labels[i], 9 }, { CK_SP800_108_DKM_LENGTH, &dkm, sizeof dkm } };
    CK_SP800_108_KDF_PARAMS sp = { CKM_SHA256_HMAC, 3, data, 0, NULL };
    CK_MECHANISM sm = { CKM_SP800_108_COUNTER_KDF, &sp, sizeof sp };
    READABLE(32);
    CK_OBJECT_HANDLE k;
    OK(p11->C_DeriveKey(s, &sm, kdk, readable, 6, &k));
    value_of(k, outs[i], lens[i]);
  }
  ASSERT(alen == 32 && memcmp(a, b, 32) == 0 && memcmp(a, c, 32) != 0);
  printf("ok CK_SP800_108_KDF_PARAMS with counter, byte array and DKM length formats\n");
}

static void asymmetric(void) {
  static const CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  CK_MECHANISM gen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
  CK_OBJECT_HANDLE pub[2], priv[2];
  for (int i = 0; i < 2; i++) {
    CK_ATTRIBUTE pt[] = { { CKA_EC_PARAMS, (void *)p256, sizeof p256 }, { CKA_TOKEN, &no, 1 } };
    CK_ATTRIBUTE vt[] = { { CKA_TOKEN, &no, 1 }, { CKA_DERIVE, &yes, 1 } };
    OK(p11->C_GenerateKeyPair(s, &gen, pt, 2, vt, 2, &pub[i], &priv[i]));
  }
  CK_BYTE point[2][80], secrets[2][32];
  for (int i = 0; i < 2; i++) {
    CK_ATTRIBUTE a = { CKA_EC_POINT, point[i], sizeof point[i] };
    OK(p11->C_GetAttributeValue(s, pub[i], &a, 1));
    ASSERT(a.ulValueLen == 67 && point[i][0] == 0x04 && point[i][1] == 65); /* DER OCTET STRING of the point */
  }
  for (int i = 0; i < 2; i++) {
    CK_ECDH1_DERIVE_PARAMS ep = { CKD_NULL, 0, NULL, 65, point[1 - i] + 2 };
    CK_MECHANISM m = { CKM_ECDH1_DERIVE, &ep, sizeof ep };
    READABLE(32);
    CK_OBJECT_HANDLE k;
    OK(p11->C_DeriveKey(s, &m, priv[i], readable, 6, &k));
    CK_ULONG len = 32;
    value_of(k, secrets[i], &len);
    ASSERT(len == 32);
  }
  ASSERT(memcmp(secrets[0], secrets[1], 32) == 0);
  printf("ok CK_ECDH1_DERIVE_PARAMS: both sides derive the same secret\n");

  /* Ed25519ctx through CK_EDDSA_PARAMS. */
  CK_BYTE ed_params[] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9' };
  CK_MECHANISM edgen = { CKM_EC_EDWARDS_KEY_PAIR_GEN, NULL, 0 };
  CK_ATTRIBUTE ept[] = { { CKA_EC_PARAMS, ed_params, sizeof ed_params }, { CKA_TOKEN, &no, 1 } };
  CK_ATTRIBUTE evt[] = { { CKA_TOKEN, &no, 1 }, { CKA_SIGN, &yes, 1 } };
  CK_OBJECT_HANDLE edpub, edpriv;
  OK(p11->C_GenerateKeyPair(s, &edgen, ept, 2, evt, 2, &edpub, &edpriv));
  CK_EDDSA_PARAMS ctx = { CK_FALSE, 4, (CK_BYTE_PTR) "ctx1" }, other = { CK_FALSE, 4, (CK_BYTE_PTR) "ctx2" };
  CK_MECHANISM em = { CKM_EDDSA, &ctx, sizeof ctx }, em2 = { CKM_EDDSA, &other, sizeof other };
  CK_BYTE sig[64];
  CK_ULONG siglen = sizeof sig;
  OK(p11->C_SignInit(s, &em, edpriv));
  OK(p11->C_Sign(s, (CK_BYTE_PTR) "msg", 3, sig, &siglen));
  OK(p11->C_VerifyInit(s, &em, edpub));
  OK(p11->C_Verify(s, (CK_BYTE_PTR) "msg", 3, sig, siglen));
  OK(p11->C_VerifyInit(s, &em2, edpub));
  CHECK(p11->C_Verify(s, (CK_BYTE_PTR) "msg", 3, sig, siglen), CKR_SIGNATURE_INVALID);
  printf("ok CK_EDDSA_PARAMS: Ed25519ctx signs, another context does not verify\n");

  /* RSA: PSS and OAEP parameters. */
  CK_ULONG bits = 2048;
  CK_BYTE e[] = { 1, 0, 1 };
  CK_ATTRIBUTE rpt[] = { { CKA_MODULUS_BITS, &bits, sizeof bits }, { CKA_PUBLIC_EXPONENT, e, 3 }, { CKA_TOKEN, &no, 1 },
    { CKA_ENCRYPT, &yes, 1 }, { CKA_VERIFY, &yes, 1 } };
  CK_ATTRIBUTE rvt[] = { { CKA_TOKEN, &no, 1 }, { CKA_DECRYPT, &yes, 1 }, { CKA_SIGN, &yes, 1 } };
  CK_MECHANISM rgen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
  CK_OBJECT_HANDLE rpub, rpriv;
  OK(p11->C_GenerateKeyPair(s, &rgen, rpt, 5, rvt, 3, &rpub, &rpriv));
  CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
  CK_MECHANISM pm = { CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof pss };
  CK_BYTE rsig[256];
  CK_ULONG rsiglen = sizeof rsig;
  OK(p11->C_SignInit(s, &pm, rpriv));
  OK(p11->C_Sign(s, (CK_BYTE_PTR) "msg", 3, rsig, &rsiglen));
  OK(p11->C_VerifyInit(s, &pm, rpub));
  OK(p11->C_Verify(s, (CK_BYTE_PTR) "msg", 3, rsig, rsiglen));
  printf("ok CK_RSA_PKCS_PSS_PARAMS sign/verify\n");
  CK_RSA_PKCS_OAEP_PARAMS oaep = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, "label", 5 };
  CK_MECHANISM om = { CKM_RSA_PKCS_OAEP, &oaep, sizeof oaep };
  CK_BYTE ct[256], back[256];
  CK_ULONG ctlen = sizeof ct, backlen = sizeof back;
  OK(p11->C_EncryptInit(s, &om, rpub));
  OK(p11->C_Encrypt(s, (CK_BYTE_PTR) "secret", 6, ct, &ctlen));
  OK(p11->C_DecryptInit(s, &om, rpriv));
  OK(p11->C_Decrypt(s, ct, ctlen, back, &backlen));
  ASSERT(backlen == 6 && memcmp(back, "secret", 6) == 0);
  CK_RSA_PKCS_OAEP_PARAMS wrong = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, "other", 5 };
  CK_MECHANISM wm = { CKM_RSA_PKCS_OAEP, &wrong, sizeof wrong };
  backlen = sizeof back;
  OK(p11->C_DecryptInit(s, &wm, rpriv));
  ASSERT(p11->C_Decrypt(s, ct, ctlen, back, &backlen) != CKR_OK);
  printf("ok CK_RSA_PKCS_OAEP_PARAMS with a label; another label fails\n");
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  load_module(argv[1]);
  OK(p11->C_Initialize(NULL));
  s = user_session();
  ciphers();
  kdfs();
  asymmetric();
  OK(p11->C_Finalize(NULL));
  printf("all passed\n");
  return 0;
}
