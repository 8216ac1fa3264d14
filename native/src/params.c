/*
 * Mechanism parameters as `X` values (docs/protocol.md): each C structure our
 * tokens accept goes out field by field under its C field names, so the
 * server needs no table of layouts. A length field that only gives the size
 * of a byte string is left out. What no table here describes goes out as
 * its raw bytes (IVs and other byte-string parameters).
 */
#include "internal.h"
#include <stddef.h>
#include <string.h>

enum { X_NULL = 0, X_BYTES = 1, X_ULONG = 2, X_BOOL = 3, X_STRUCT = 4, X_ARRAY = 5 };
#define X_MAX_DEPTH 8

enum kind {
  F_ULONG,      /* CK_ULONG at off */
  F_BOOL,       /* CK_BBOOL at off */
  F_BYTES,      /* pointer at off, CK_ULONG length at len */
  F_BYTES_BITS, /* pointer at off, CK_ULONG length in bits at len */
  F_BYTES_FIXED,/* pointer at off, `len` bytes */
  F_INLINE,     /* an array of `len` bytes inside the structure at off */
  F_PRF_DATA,   /* CK_PRF_DATA_PARAM pointer at off, count at len (SP 800-108) */
};

typedef struct {
  const char *name;
  unsigned char kind;
  unsigned char out; /* the token writes it (a generated IV, a tag) */
  size_t off, len;
} field;

typedef struct {
  size_t size;
  size_t count;
  const field *fields;
} layout;

#define U(T, f) { #f, F_ULONG, 0, offsetof(T, f), 0 }
#define B(T, f) { #f, F_BOOL, 0, offsetof(T, f), 0 }
#define BYTES(T, p, l) { #p, F_BYTES, 0, offsetof(T, p), offsetof(T, l) }
#define BYTES_OUT(T, p, l) { #p, F_BYTES, 1, offsetof(T, p), offsetof(T, l) }
#define LAYOUT(T, fs) { sizeof(T), sizeof(fs) / sizeof(fs[0]), fs }

static const field OAEP[] = { U(CK_RSA_PKCS_OAEP_PARAMS, hashAlg), U(CK_RSA_PKCS_OAEP_PARAMS, mgf),
  U(CK_RSA_PKCS_OAEP_PARAMS, source), BYTES(CK_RSA_PKCS_OAEP_PARAMS, pSourceData, ulSourceDataLen) };
static const field PSS[] = { U(CK_RSA_PKCS_PSS_PARAMS, hashAlg), U(CK_RSA_PKCS_PSS_PARAMS, mgf), U(CK_RSA_PKCS_PSS_PARAMS, sLen) };
static const field ECDH1[] = { U(CK_ECDH1_DERIVE_PARAMS, kdf), BYTES(CK_ECDH1_DERIVE_PARAMS, pSharedData, ulSharedDataLen),
  BYTES(CK_ECDH1_DERIVE_PARAMS, pPublicData, ulPublicDataLen) };
static const field EDDSA[] = { B(CK_EDDSA_PARAMS, phFlag), BYTES(CK_EDDSA_PARAMS, pContextData, ulContextDataLen) };
static const field CTR[] = { U(CK_AES_CTR_PARAMS, ulCounterBits), { "cb", F_INLINE, 0, offsetof(CK_AES_CTR_PARAMS, cb), 16 } };
static const field GCM[] = { BYTES(CK_GCM_PARAMS, pIv, ulIvLen), U(CK_GCM_PARAMS, ulIvBits), BYTES(CK_GCM_PARAMS, pAAD, ulAADLen),
  U(CK_GCM_PARAMS, ulTagBits) };
static const field CCM[] = { U(CK_CCM_PARAMS, ulDataLen), BYTES(CK_CCM_PARAMS, pNonce, ulNonceLen), BYTES(CK_CCM_PARAMS, pAAD, ulAADLen),
  U(CK_CCM_PARAMS, ulMACLen) };
static const field CHACHA[] = { BYTES(CK_SALSA20_CHACHA20_POLY1305_PARAMS, pNonce, ulNonceLen),
  BYTES(CK_SALSA20_CHACHA20_POLY1305_PARAMS, pAAD, ulAADLen) };
static const field STRING_DATA[] = { BYTES(CK_KEY_DERIVATION_STRING_DATA, pData, ulLen) };
static const field HKDF[] = { B(CK_HKDF_PARAMS, bExtract), B(CK_HKDF_PARAMS, bExpand), U(CK_HKDF_PARAMS, prfHashMechanism),
  U(CK_HKDF_PARAMS, ulSaltType), BYTES(CK_HKDF_PARAMS, pSalt, ulSaltLen), U(CK_HKDF_PARAMS, hSaltKey),
  BYTES(CK_HKDF_PARAMS, pInfo, ulInfoLen) };
static const field PBKD2[] = { U(CK_PKCS5_PBKD2_PARAMS2, saltSource), BYTES(CK_PKCS5_PBKD2_PARAMS2, pSaltSourceData, ulSaltSourceDataLen),
  U(CK_PKCS5_PBKD2_PARAMS2, iterations), U(CK_PKCS5_PBKD2_PARAMS2, prf), BYTES(CK_PKCS5_PBKD2_PARAMS2, pPrfData, ulPrfDataLen),
  BYTES(CK_PKCS5_PBKD2_PARAMS2, pPassword, ulPasswordLen) };
static const field SP800[] = { U(CK_SP800_108_KDF_PARAMS, prfType),
  { "pDataParams", F_PRF_DATA, 0, offsetof(CK_SP800_108_KDF_PARAMS, pDataParams), offsetof(CK_SP800_108_KDF_PARAMS, ulNumberOfDataParams) },
  U(CK_SP800_108_KDF_PARAMS, ulAdditionalDerivedKeys) };
static const field SP800_FEEDBACK[] = { U(CK_SP800_108_FEEDBACK_KDF_PARAMS, prfType),
  { "pDataParams", F_PRF_DATA, 0, offsetof(CK_SP800_108_FEEDBACK_KDF_PARAMS, pDataParams),
    offsetof(CK_SP800_108_FEEDBACK_KDF_PARAMS, ulNumberOfDataParams) },
  BYTES(CK_SP800_108_FEEDBACK_KDF_PARAMS, pIV, ulIVLen), U(CK_SP800_108_FEEDBACK_KDF_PARAMS, ulAdditionalDerivedKeys) };
static const field SIGN_CONTEXT[] = { U(CK_SIGN_ADDITIONAL_CONTEXT, hedgeVariant), BYTES(CK_SIGN_ADDITIONAL_CONTEXT, pContext, ulContextLen) };
static const field HASH_SIGN_CONTEXT[] = { U(CK_HASH_SIGN_ADDITIONAL_CONTEXT, hedgeVariant),
  BYTES(CK_HASH_SIGN_ADDITIONAL_CONTEXT, pContext, ulContextLen), U(CK_HASH_SIGN_ADDITIONAL_CONTEXT, hash) };

static const field GCM_MESSAGE[] = { BYTES_OUT(CK_GCM_MESSAGE_PARAMS, pIv, ulIvLen), U(CK_GCM_MESSAGE_PARAMS, ulIvFixedBits),
  U(CK_GCM_MESSAGE_PARAMS, ivGenerator), { "pTag", F_BYTES_BITS, 1, offsetof(CK_GCM_MESSAGE_PARAMS, pTag), offsetof(CK_GCM_MESSAGE_PARAMS, ulTagBits) },
  U(CK_GCM_MESSAGE_PARAMS, ulTagBits) };
static const field CCM_MESSAGE[] = { U(CK_CCM_MESSAGE_PARAMS, ulDataLen), BYTES_OUT(CK_CCM_MESSAGE_PARAMS, pNonce, ulNonceLen),
  U(CK_CCM_MESSAGE_PARAMS, ulNonceFixedBits), U(CK_CCM_MESSAGE_PARAMS, nonceGenerator),
  BYTES_OUT(CK_CCM_MESSAGE_PARAMS, pMAC, ulMACLen), U(CK_CCM_MESSAGE_PARAMS, ulMACLen) };
static const field CHACHA_MESSAGE[] = { BYTES_OUT(CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS, pNonce, ulNonceLen),
  { "pTag", F_BYTES_FIXED, 1, offsetof(CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS, pTag), 16 } };

static const layout L_OAEP = LAYOUT(CK_RSA_PKCS_OAEP_PARAMS, OAEP);
static const layout L_PSS = LAYOUT(CK_RSA_PKCS_PSS_PARAMS, PSS);
static const layout L_ECDH1 = LAYOUT(CK_ECDH1_DERIVE_PARAMS, ECDH1);
static const layout L_EDDSA = LAYOUT(CK_EDDSA_PARAMS, EDDSA);
static const layout L_CTR = LAYOUT(CK_AES_CTR_PARAMS, CTR);
static const layout L_GCM = LAYOUT(CK_GCM_PARAMS, GCM);
static const layout L_CCM = LAYOUT(CK_CCM_PARAMS, CCM);
static const layout L_CHACHA = LAYOUT(CK_SALSA20_CHACHA20_POLY1305_PARAMS, CHACHA);
static const layout L_STRING_DATA = LAYOUT(CK_KEY_DERIVATION_STRING_DATA, STRING_DATA);
static const layout L_HKDF = LAYOUT(CK_HKDF_PARAMS, HKDF);
static const layout L_PBKD2 = LAYOUT(CK_PKCS5_PBKD2_PARAMS2, PBKD2);
static const layout L_SP800 = LAYOUT(CK_SP800_108_KDF_PARAMS, SP800);
static const layout L_SP800_FEEDBACK = LAYOUT(CK_SP800_108_FEEDBACK_KDF_PARAMS, SP800_FEEDBACK);
static const layout L_SIGN_CONTEXT = LAYOUT(CK_SIGN_ADDITIONAL_CONTEXT, SIGN_CONTEXT);
static const layout L_HASH_SIGN_CONTEXT = LAYOUT(CK_HASH_SIGN_ADDITIONAL_CONTEXT, HASH_SIGN_CONTEXT);
static const layout L_GCM_MESSAGE = LAYOUT(CK_GCM_MESSAGE_PARAMS, GCM_MESSAGE);
static const layout L_CCM_MESSAGE = LAYOUT(CK_CCM_MESSAGE_PARAMS, CCM_MESSAGE);
static const layout L_CHACHA_MESSAGE = LAYOUT(CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS, CHACHA_MESSAGE);
/* A parameter that is one CK_ULONG (CK_MAC_GENERAL_PARAMS, CK_EXTRACT_PARAMS, a key handle). */
static const layout L_ULONG = { sizeof(CK_ULONG), 0, NULL };

static const struct { CK_MECHANISM_TYPE type; const layout *l; } MECHANISMS[] = {
  { CKM_RSA_PKCS_OAEP, &L_OAEP },
  { CKM_RSA_PKCS_PSS, &L_PSS }, { CKM_SHA1_RSA_PKCS_PSS, &L_PSS }, { CKM_SHA224_RSA_PKCS_PSS, &L_PSS },
  { CKM_SHA256_RSA_PKCS_PSS, &L_PSS }, { CKM_SHA384_RSA_PKCS_PSS, &L_PSS }, { CKM_SHA512_RSA_PKCS_PSS, &L_PSS },
  { CKM_SHA3_224_RSA_PKCS_PSS, &L_PSS }, { CKM_SHA3_256_RSA_PKCS_PSS, &L_PSS }, { CKM_SHA3_384_RSA_PKCS_PSS, &L_PSS },
  { CKM_SHA3_512_RSA_PKCS_PSS, &L_PSS },
  { CKM_ECDH1_DERIVE, &L_ECDH1 }, { CKM_ECDH1_COFACTOR_DERIVE, &L_ECDH1 },
  { CKM_EDDSA, &L_EDDSA },
  { CKM_AES_CTR, &L_CTR }, { CKM_AES_GCM, &L_GCM }, { CKM_AES_CCM, &L_CCM }, { CKM_CHACHA20_POLY1305, &L_CHACHA },
  { CKM_CONCATENATE_BASE_AND_DATA, &L_STRING_DATA }, { CKM_CONCATENATE_DATA_AND_BASE, &L_STRING_DATA },
  { CKM_XOR_BASE_AND_DATA, &L_STRING_DATA },
  { CKM_HKDF_DERIVE, &L_HKDF }, { CKM_HKDF_DATA, &L_HKDF },
  { CKM_PKCS5_PBKD2, &L_PBKD2 },
  { CKM_SP800_108_COUNTER_KDF, &L_SP800 }, { CKM_SP800_108_DOUBLE_PIPELINE_KDF, &L_SP800 },
  { CKM_SP800_108_FEEDBACK_KDF, &L_SP800_FEEDBACK },
  { CKM_ML_DSA, &L_SIGN_CONTEXT }, { CKM_SLH_DSA, &L_SIGN_CONTEXT },
  { CKM_HASH_ML_DSA, &L_HASH_SIGN_CONTEXT }, { CKM_HASH_SLH_DSA, &L_HASH_SIGN_CONTEXT },
  { CKM_HASH_ML_DSA_SHA224, &L_SIGN_CONTEXT }, { CKM_HASH_ML_DSA_SHA256, &L_SIGN_CONTEXT },
  { CKM_HASH_ML_DSA_SHA384, &L_SIGN_CONTEXT }, { CKM_HASH_ML_DSA_SHA512, &L_SIGN_CONTEXT },
  { CKM_HASH_ML_DSA_SHA3_224, &L_SIGN_CONTEXT }, { CKM_HASH_ML_DSA_SHA3_256, &L_SIGN_CONTEXT },
  { CKM_HASH_ML_DSA_SHA3_384, &L_SIGN_CONTEXT }, { CKM_HASH_ML_DSA_SHA3_512, &L_SIGN_CONTEXT },
  { CKM_HASH_ML_DSA_SHAKE128, &L_SIGN_CONTEXT }, { CKM_HASH_ML_DSA_SHAKE256, &L_SIGN_CONTEXT },
  { CKM_HASH_SLH_DSA_SHA224, &L_SIGN_CONTEXT }, { CKM_HASH_SLH_DSA_SHA256, &L_SIGN_CONTEXT },
  { CKM_HASH_SLH_DSA_SHA384, &L_SIGN_CONTEXT }, { CKM_HASH_SLH_DSA_SHA512, &L_SIGN_CONTEXT },
  { CKM_HASH_SLH_DSA_SHA3_224, &L_SIGN_CONTEXT }, { CKM_HASH_SLH_DSA_SHA3_256, &L_SIGN_CONTEXT },
  { CKM_HASH_SLH_DSA_SHA3_384, &L_SIGN_CONTEXT }, { CKM_HASH_SLH_DSA_SHA3_512, &L_SIGN_CONTEXT },
  { CKM_HASH_SLH_DSA_SHAKE128, &L_SIGN_CONTEXT }, { CKM_HASH_SLH_DSA_SHAKE256, &L_SIGN_CONTEXT },
  { CKM_MD5_HMAC_GENERAL, &L_ULONG }, { CKM_SHA_1_HMAC_GENERAL, &L_ULONG }, { CKM_SHA224_HMAC_GENERAL, &L_ULONG },
  { CKM_SHA256_HMAC_GENERAL, &L_ULONG }, { CKM_SHA384_HMAC_GENERAL, &L_ULONG }, { CKM_SHA512_HMAC_GENERAL, &L_ULONG },
  { CKM_SHA512_224_HMAC_GENERAL, &L_ULONG }, { CKM_SHA512_256_HMAC_GENERAL, &L_ULONG },
  { CKM_SHA3_224_HMAC_GENERAL, &L_ULONG }, { CKM_SHA3_256_HMAC_GENERAL, &L_ULONG }, { CKM_SHA3_384_HMAC_GENERAL, &L_ULONG },
  { CKM_SHA3_512_HMAC_GENERAL, &L_ULONG }, { CKM_AES_MAC_GENERAL, &L_ULONG }, { CKM_AES_CMAC_GENERAL, &L_ULONG },
  { CKM_DES3_MAC_GENERAL, &L_ULONG }, { CKM_DES3_CMAC_GENERAL, &L_ULONG },
  { CKM_EXTRACT_KEY_FROM_KEY, &L_ULONG }, { CKM_CONCATENATE_BASE_AND_KEY, &L_ULONG },
};

static const layout *layout_of(CK_MECHANISM_TYPE type) {
  for (size_t i = 0; i < sizeof MECHANISMS / sizeof MECHANISMS[0]; i++)
    if (MECHANISMS[i].type == type) return MECHANISMS[i].l;
  return NULL;
}

/* Message-based parameters are told apart by their size: the three differ. */
static const layout *message_layout_of(CK_ULONG size) {
  if (size == L_GCM_MESSAGE.size) return &L_GCM_MESSAGE;
  if (size == L_CCM_MESSAGE.size) return &L_CCM_MESSAGE;
  if (size == L_CHACHA_MESSAGE.size) return &L_CHACHA_MESSAGE;
  return NULL;
}

static CK_ULONG ulong_at(const void *base, size_t off) {
  CK_ULONG v;
  memcpy(&v, (const uint8_t *)base + off, sizeof v);
  return v;
}

static const void *pointer_at(const void *base, size_t off) {
  const void *p;
  memcpy(&p, (const uint8_t *)base + off, sizeof p);
  return p;
}

static void x_bytes(wbuf *w, const void *p, CK_ULONG n, CK_RV *rv) {
  if (!p && n) {
    *rv = CKR_MECHANISM_PARAM_INVALID;
    return;
  }
  if (n >= 0x7fffffffUL) {
    *rv = CKR_MECHANISM_PARAM_INVALID;
    return;
  }
  wb_u8(w, X_BYTES);
  wb_u32(w, (uint32_t)n);
  wb_bytes(w, p, n);
}

static void x_name(wbuf *w, const char *name) { wb_ba(w, name, strlen(name)); }

/* The byte length of a byte-string field. */
static CK_ULONG field_length(const void *s, const field *f) {
  switch (f->kind) {
  case F_BYTES: return ulong_at(s, f->len);
  case F_BYTES_BITS: return (ulong_at(s, f->len) + 7) / 8;
  case F_BYTES_FIXED: return f->len;
  default: return 0;
  }
}

/* CK_PRF_DATA_PARAM[]: { type, pValue } with pValue by type. */
static void x_prf_data(wbuf *w, const CK_PRF_DATA_PARAM *d, CK_ULONG n, CK_RV *rv) {
  if (!d && n) {
    *rv = CKR_MECHANISM_PARAM_INVALID;
    return;
  }
  wb_u8(w, X_ARRAY);
  wb_u32(w, (uint32_t)n);
  for (CK_ULONG i = 0; i < n; i++) {
    wb_u8(w, X_STRUCT);
    wb_u32(w, 2);
    x_name(w, "type");
    wb_u8(w, X_ULONG);
    wb_u64(w, d[i].type);
    x_name(w, "pValue");
    const void *v = d[i].pValue;
    CK_ULONG len = d[i].ulValueLen;
    if (!v) {
      wb_u8(w, X_NULL);
    } else if ((d[i].type == CK_SP800_108_ITERATION_VARIABLE || d[i].type == CK_SP800_108_OPTIONAL_COUNTER) &&
               len == sizeof(CK_SP800_108_COUNTER_FORMAT)) {
      const CK_SP800_108_COUNTER_FORMAT *f = v;
      wb_u8(w, X_STRUCT);
      wb_u32(w, 2);
      x_name(w, "bLittleEndian");
      wb_u8(w, X_BOOL);
      wb_u8(w, f->bLittleEndian ? 1 : 0);
      x_name(w, "ulWidthInBits");
      wb_u8(w, X_ULONG);
      wb_u64(w, f->ulWidthInBits);
    } else if (d[i].type == CK_SP800_108_DKM_LENGTH && len == sizeof(CK_SP800_108_DKM_LENGTH_FORMAT)) {
      const CK_SP800_108_DKM_LENGTH_FORMAT *f = v;
      wb_u8(w, X_STRUCT);
      wb_u32(w, 3);
      x_name(w, "dkmLengthMethod");
      wb_u8(w, X_ULONG);
      wb_u64(w, f->dkmLengthMethod);
      x_name(w, "bLittleEndian");
      wb_u8(w, X_BOOL);
      wb_u8(w, f->bLittleEndian ? 1 : 0);
      x_name(w, "ulWidthInBits");
      wb_u8(w, X_ULONG);
      wb_u64(w, f->ulWidthInBits);
    } else if (d[i].type == CK_SP800_108_KEY_HANDLE && len == sizeof(CK_OBJECT_HANDLE)) {
      wb_u8(w, X_ULONG);
      wb_u64(w, *(const CK_OBJECT_HANDLE *)v);
    } else {
      x_bytes(w, v, len, rv);
    }
  }
}

static void x_struct(wbuf *w, const layout *l, const void *s, CK_RV *rv) {
  wb_u8(w, X_STRUCT);
  wb_u32(w, (uint32_t)l->count);
  for (size_t i = 0; i < l->count; i++) {
    const field *f = &l->fields[i];
    x_name(w, f->name);
    switch (f->kind) {
    case F_ULONG:
      wb_u8(w, X_ULONG);
      wb_u64(w, ulong_at(s, f->off));
      break;
    case F_BOOL:
      wb_u8(w, X_BOOL);
      wb_u8(w, ((const CK_BBOOL *)s)[f->off] ? 1 : 0);
      break;
    case F_INLINE:
      x_bytes(w, (const uint8_t *)s + f->off, f->len, rv);
      break;
    case F_PRF_DATA:
      x_prf_data(w, pointer_at(s, f->off), ulong_at(s, f->len), rv);
      break;
    default:
      x_bytes(w, pointer_at(s, f->off), field_length(s, f), rv);
    }
  }
}

void encode_mechanism_param(wbuf *w, CK_MECHANISM_TYPE type, const void *p, CK_ULONG n, CK_RV *rv) {
  if (!p) {
    /* NULL with a length is the application's mistake; NULL alone is "no parameter". */
    if (n) *rv = CKR_MECHANISM_PARAM_INVALID;
    wb_u8(w, X_NULL);
    return;
  }
  const layout *l = layout_of(type);
  if (!l) {
    x_bytes(w, p, n, rv);
    return;
  }
  if (n != l->size) {
    *rv = CKR_MECHANISM_PARAM_INVALID;
    return;
  }
  if (l == &L_ULONG) {
    wb_u8(w, X_ULONG);
    wb_u64(w, ulong_at(p, 0));
    return;
  }
  x_struct(w, l, p, rv);
}

void encode_message_param(wbuf *w, const void *p, CK_ULONG n, CK_RV *rv) {
  const layout *l = p ? message_layout_of(n) : NULL;
  if (!p) {
    if (n) *rv = CKR_ARGUMENTS_BAD;
    wb_u8(w, X_NULL);
  } else if (l) {
    x_struct(w, l, p, rv);
  } else {
    x_bytes(w, p, n, rv);
  }
}

int skip_param_value(rbuf *r, int depth) {
  if (depth > X_MAX_DEPTH) return 0;
  uint8_t tag = rb_u8(r);
  uint32_t len, count;
  int isnull;
  switch (tag) {
  case X_NULL: break;
  case X_BYTES: rb_ba(r, &len, &isnull); break;
  case X_ULONG: rb_u64(r); break;
  case X_BOOL: rb_u8(r); break;
  case X_STRUCT:
    count = rb_u32(r);
    for (uint32_t i = 0; i < count && !r->failed; i++) {
      rb_ba(r, &len, &isnull);
      if (!skip_param_value(r, depth + 1)) return 0;
    }
    break;
  case X_ARRAY:
    count = rb_u32(r);
    for (uint32_t i = 0; i < count && !r->failed; i++)
      if (!skip_param_value(r, depth + 1)) return 0;
    break;
  default: return 0;
  }
  return !r->failed;
}

int decode_message_param(rbuf *r, void *p, CK_ULONG n) {
  const layout *l = p ? message_layout_of(n) : NULL;
  if (!l) return skip_param_value(r, 0);
  if (rb_u8(r) != X_STRUCT) return 0;
  uint32_t count = rb_u32(r);
  for (uint32_t i = 0; i < count && !r->failed; i++) {
    uint32_t nlen;
    int isnull;
    const uint8_t *name = rb_ba(r, &nlen, &isnull);
    const field *f = NULL;
    for (size_t k = 0; name && k < l->count; k++)
      if (strlen(l->fields[k].name) == nlen && memcmp(l->fields[k].name, name, nlen) == 0) f = &l->fields[k];
    size_t start = r->pos;
    if (!f || !f->out || rb_u8(r) != X_BYTES) {
      r->pos = start;
      if (!skip_param_value(r, 1)) return 0;
      continue;
    }
    uint32_t vlen;
    const uint8_t *v = rb_ba(r, &vlen, &isnull);
    uint8_t *dst = (uint8_t *)pointer_at(p, f->off);
    /* Only what fits the application's own field exactly; and no write where nothing changed. */
    if (v && dst && vlen == field_length(p, f) && memcmp(dst, v, vlen) != 0) memcpy(dst, v, vlen);
  }
  return !r->failed;
}
