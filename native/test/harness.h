/*
 * What the C test programs share: loading the module (argv[1]) through
 * C_GetInterface, and checks that print the failing expression and CKR code.
 * Each program prints "ok <name>" per passed case and exits 0 only when all pass.
 */
#ifndef CRYPTOKI_TEST_HARNESS_H
#define CRYPTOKI_TEST_HARNESS_H
#define _GNU_SOURCE
#include "cryptoki.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static CK_FUNCTION_LIST_3_2_PTR p11;

#define CHECK(expr, want)                                                                                   \
  do {                                                                                                      \
    CK_RV rv_ = (expr);                                                                                     \
    if (rv_ != (CK_RV)(want)) {                                                                             \
      fprintf(stderr, "%s:%d: %s returned 0x%lx, expected 0x%lx\n", __FILE__, __LINE__, #expr, rv_, (CK_RV)(want)); \
      exit(1);                                                                                              \
    }                                                                                                       \
  } while (0)
#define OK(expr) CHECK(expr, CKR_OK)
#define ASSERT(cond)                                                        \
  do {                                                                      \
    if (!(cond)) {                                                          \
      fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                              \
    }                                                                       \
  } while (0)

static void load_module(const char *path) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
    exit(2);
  }
  CK_C_GetInterface get = (CK_C_GetInterface)dlsym(h, "C_GetInterface");
  ASSERT(get != NULL);
  CK_VERSION v = { 3, 2 };
  CK_INTERFACE_PTR itf = NULL;
  OK(get((CK_UTF8CHAR_PTR) "PKCS 11", &v, &itf, 0));
  p11 = itf->pFunctionList;
  ASSERT(p11->version.major == 3 && p11->version.minor == 2);
}

static const char *pin(void) {
  const char *p = getenv("TEST_PIN");
  return p ? p : "1234";
}

/* The first slot with a token, a R/W session on it, logged in as the user. */
__attribute__((unused)) static CK_SESSION_HANDLE user_session(void) {
  CK_SLOT_ID slots[16];
  CK_ULONG n = 16;
  OK(p11->C_GetSlotList(CK_TRUE, slots, &n));
  for (CK_ULONG i = 0; i < n; i++) {
    CK_TOKEN_INFO ti;
    OK(p11->C_GetTokenInfo(slots[i], &ti));
    if (!(ti.flags & CKF_TOKEN_INITIALIZED)) continue;
    CK_SESSION_HANDLE s;
    OK(p11->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s));
    CK_RV rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin(), strlen(pin()));
    ASSERT(rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN);
    return s;
  }
  fprintf(stderr, "no initialized token\n");
  exit(2);
}

__attribute__((unused)) static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

#endif
