/*
 * The module's side of the `X` codec (docs/protocol.md), checked against the
 * server's: `test_codec encode` prints, for a set of C parameter structures,
 * one line "<name> <hex of the X encoding>", which test/rpc-ext-codec.test.ts
 * decodes with the server's reader and compares with the plain objects our
 * mechanisms take. `test_codec decode <hex>` reads a server's answer into a
 * CK_GCM_MESSAGE_PARAMS and prints its IV and tag.
 */
#include "internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const char *name, const wbuf *w) {
  printf("%s ", name);
  for (size_t i = 0; i < w->len; i++) printf("%02x", w->data[i]);
  printf("\n");
}

static void encode(const char *name, CK_MECHANISM_TYPE type, const void *p, CK_ULONG n) {
  wbuf w = { 0 };
  CK_RV rv = CKR_OK;
  encode_mechanism_param(&w, type, p, n, &rv);
  if (rv != CKR_OK) printf("%s rv=0x%lx\n", name, rv);
  else hex(name, &w);
  wb_free(&w);
}

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "encode")) {
    CK_BYTE iv[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, aad[3] = { 0xaa, 0xbb, 0xcc };
    CK_GCM_PARAMS gcm = { iv, 12, 96, aad, 3, 128 };
    encode("gcm", CKM_AES_GCM, &gcm, sizeof gcm);
    CK_GCM_PARAMS gcm_no_aad = { iv, 12, 96, NULL, 0, 96 };
    encode("gcm-no-aad", CKM_AES_GCM, &gcm_no_aad, sizeof gcm_no_aad);
    CK_AES_CTR_PARAMS ctr = { 32, { 0 } };
    ctr.cb[15] = 1;
    encode("ctr", CKM_AES_CTR, &ctr, sizeof ctr);
    CK_BYTE cbc_iv[16] = { 0xff };
    encode("cbc-iv", CKM_AES_CBC_PAD, cbc_iv, sizeof cbc_iv);
    encode("none", CKM_SHA256, NULL, 0);
    CK_MAC_GENERAL_PARAMS mac = 20;
    encode("mac-general", CKM_SHA256_HMAC_GENERAL, &mac, sizeof mac);
    CK_EDDSA_PARAMS ed = { CK_TRUE, 3, (CK_BYTE_PTR) "ctx" };
    encode("eddsa", CKM_EDDSA, &ed, sizeof ed);
    CK_ECDH1_DERIVE_PARAMS ecdh = { CKD_NULL, 0, NULL, 2, (CK_BYTE_PTR) "\x04\x01" };
    encode("ecdh1", CKM_ECDH1_DERIVE, &ecdh, sizeof ecdh);
    CK_RSA_PKCS_OAEP_PARAMS oaep = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, "L", 1 };
    encode("oaep", CKM_RSA_PKCS_OAEP, &oaep, sizeof oaep);
    CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
    encode("pss", CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof pss);
    CK_CCM_PARAMS ccm = { 5, iv, 12, aad, 3, 16 };
    encode("ccm", CKM_AES_CCM, &ccm, sizeof ccm);
    CK_SALSA20_CHACHA20_POLY1305_PARAMS chacha = { iv, 12, NULL, 0 };
    encode("chacha20-poly1305", CKM_CHACHA20_POLY1305, &chacha, sizeof chacha);
    CK_HKDF_PARAMS hkdf = { CK_TRUE, CK_FALSE, CKM_SHA256, CKF_HKDF_SALT_DATA, (CK_BYTE_PTR) "salt", 4, 0, NULL, 0 };
    encode("hkdf", CKM_HKDF_DERIVE, &hkdf, sizeof hkdf);
    CK_PKCS5_PBKD2_PARAMS2 pbkdf2 = { CKZ_SALT_SPECIFIED, "NaCl", 4, 1000, CKP_PKCS5_PBKD2_HMAC_SHA256, NULL, 0, (CK_UTF8CHAR_PTR) "pw", 2 };
    encode("pbkdf2", CKM_PKCS5_PBKD2, &pbkdf2, sizeof pbkdf2);
    CK_SP800_108_COUNTER_FORMAT counter = { CK_FALSE, 32 };
    CK_SP800_108_DKM_LENGTH_FORMAT dkm = { CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, CK_TRUE, 16 };
    CK_PRF_DATA_PARAM data[3] = { { CK_SP800_108_ITERATION_VARIABLE, &counter, sizeof counter },
      { CK_SP800_108_BYTE_ARRAY, "label", 5 }, { CK_SP800_108_DKM_LENGTH, &dkm, sizeof dkm } };
    CK_SP800_108_KDF_PARAMS sp800 = { CKM_SHA256_HMAC, 3, data, 0, NULL };
    encode("sp800-108", CKM_SP800_108_COUNTER_KDF, &sp800, sizeof sp800);
    CK_SIGN_ADDITIONAL_CONTEXT mldsa = { CKH_DETERMINISTIC_REQUIRED, (CK_BYTE_PTR) "ctx", 3 };
    encode("ml-dsa", CKM_ML_DSA, &mldsa, sizeof mldsa);
    CK_HASH_SIGN_ADDITIONAL_CONTEXT hash_mldsa = { CKH_HEDGE_PREFERRED, NULL, 0, CKM_SHA3_256 };
    encode("hash-ml-dsa", CKM_HASH_ML_DSA, &hash_mldsa, sizeof hash_mldsa);
    CK_KEY_DERIVATION_STRING_DATA sd = { (CK_BYTE_PTR) "xyz", 3 };
    encode("string-data", CKM_CONCATENATE_BASE_AND_DATA, &sd, sizeof sd);
    encode("gcm-wrong-size", CKM_AES_GCM, &gcm, sizeof gcm - 1);
    return 0;
  }
  if (argc >= 3 && !strcmp(argv[1], "decode")) {
    size_t n = strlen(argv[2]) / 2;
    uint8_t *bytes = malloc(n + 1);
    for (size_t i = 0; i < n; i++) sscanf(argv[2] + 2 * i, "%2hhx", &bytes[i]);
    CK_BYTE iv[12] = { 0 }, tag[16] = { 0 };
    CK_GCM_MESSAGE_PARAMS p = { iv, sizeof iv, 0, CKG_GENERATE_RANDOM, tag, 128 };
    rbuf r = { bytes, n, 0, 0 };
    int ok = decode_message_param(&r, &p, sizeof p);
    printf("%s iv=", ok ? "ok" : "malformed");
    for (int i = 0; i < 12; i++) printf("%02x", iv[i]);
    printf(" tag=");
    for (int i = 0; i < 16; i++) printf("%02x", tag[i]);
    printf("\n");
    free(bytes);
    return 0;
  }
  return 2;
}
