/*
 * 8 threads, each with its own session, sign and verify (ECDSA P-256) and
 * encrypt and decrypt (AES-CBC-PAD) for TEST_SECONDS (default 3) seconds.
 * Usage: test_threads <module>. Built and run plain, under ASan+UBSan and under TSan.
 */
#include "harness.h"
#include <pthread.h>
#include <time.h>

#define THREADS 8

static CK_SLOT_ID slot;
static double seconds = 3;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg) {
  long id = (long)arg;
  CK_SESSION_HANDLE s;
  OK(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s));
  /* P-256 */
  static const CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  CK_ATTRIBUTE pub[] = { { CKA_EC_PARAMS, (void *)p256, sizeof p256 }, { CKA_TOKEN, &no, 1 }, { CKA_VERIFY, &yes, 1 } };
  CK_ATTRIBUTE priv[] = { { CKA_TOKEN, &no, 1 }, { CKA_SIGN, &yes, 1 } };
  CK_MECHANISM gen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
  CK_OBJECT_HANDLE hpub, hpriv;
  OK(p11->C_GenerateKeyPair(s, &gen, pub, 3, priv, 2, &hpub, &hpriv));
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_KEY_TYPE kt = CKK_AES;
  CK_ULONG len = 32;
  CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kt, sizeof kt }, { CKA_VALUE_LEN, &len, sizeof len },
    { CKA_TOKEN, &no, 1 }, { CKA_ENCRYPT, &yes, 1 }, { CKA_DECRYPT, &yes, 1 } };
  CK_MECHANISM kgen = { CKM_AES_KEY_GEN, NULL, 0 };
  CK_OBJECT_HANDLE k;
  OK(p11->C_GenerateKey(s, &kgen, t, 6, &k));

  CK_BYTE msg[100];
  long rounds = 0;
  double end = now() + seconds;
  while (now() < end) {
    snprintf((char *)msg, sizeof msg, "thread %ld round %ld: some data to sign and to encrypt", id, rounds);
    CK_ULONG mlen = strlen((char *)msg);
    CK_MECHANISM sm = { CKM_ECDSA_SHA256, NULL, 0 };
    CK_BYTE sig[64];
    CK_ULONG siglen = sizeof sig;
    OK(p11->C_SignInit(s, &sm, hpriv));
    OK(p11->C_Sign(s, msg, mlen, sig, &siglen));
    ASSERT(siglen == 64);
    OK(p11->C_VerifyInit(s, &sm, hpub));
    OK(p11->C_Verify(s, msg, mlen, sig, siglen));
    CK_BYTE iv[16] = { (CK_BYTE)id };
    CK_MECHANISM cm = { CKM_AES_CBC_PAD, iv, sizeof iv };
    CK_BYTE ct[128], pt[128];
    CK_ULONG ctlen = sizeof ct, ptlen = sizeof pt;
    OK(p11->C_EncryptInit(s, &cm, k));
    OK(p11->C_Encrypt(s, msg, mlen, ct, &ctlen));
    OK(p11->C_DecryptInit(s, &cm, k));
    OK(p11->C_Decrypt(s, ct, ctlen, pt, &ptlen));
    ASSERT(ptlen == mlen && memcmp(pt, msg, mlen) == 0);
    rounds++;
  }
  OK(p11->C_CloseSession(s));
  return (void *)rounds;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  if (getenv("TEST_SECONDS")) seconds = atof(getenv("TEST_SECONDS"));
  load_module(argv[1]);
  CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL };
  OK(p11->C_Initialize(&args));
  CK_SESSION_HANDLE login = user_session(); /* the login holds for every session of the application */
  CK_SESSION_INFO si;
  OK(p11->C_GetSessionInfo(login, &si));
  slot = si.slotID;
  pthread_t th[THREADS];
  for (long i = 0; i < THREADS; i++) ASSERT(pthread_create(&th[i], NULL, worker, (void *)i) == 0);
  long total = 0;
  for (int i = 0; i < THREADS; i++) {
    void *r;
    pthread_join(th[i], &r);
    ASSERT((long)r > 0);
    total += (long)r;
  }
  OK(p11->C_Finalize(NULL));
  printf("ok %d threads, %ld rounds of sign+verify+encrypt+decrypt, no error\n", THREADS, total);
  return 0;
}
