/*
 * The module's life cycle: C_Initialize arguments and locking, repeated
 * C_Initialize/C_Finalize, fork() (the child is not initialized until it
 * says so; the parent's connection is untouched), and a server that dies
 * (CKR_DEVICE_REMOVED, never a crash or a hang).
 * Usage: test_basic <module> lifecycle|fork|dead. For "dead", CRYPTOKI_SERVER names
 * a server of the test's own whose pid is SERVER_PID.
 */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static CK_RV fake_create(CK_VOID_PTR_PTR m) { *m = NULL; return CKR_OK; }
static CK_RV fake_mutex(CK_VOID_PTR m) { (void)m; return CKR_OK; }

static void lifecycle(void) {
  CK_ULONG n = 0;
  CHECK(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
  CHECK(p11->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
  CK_C_INITIALIZE_ARGS partial = { fake_create, NULL, NULL, NULL, 0, NULL };
  CHECK(p11->C_Initialize(&partial), CKR_ARGUMENTS_BAD);
  CK_C_INITIALIZE_ARGS app_locks = { fake_create, fake_mutex, fake_mutex, fake_mutex, 0, NULL };
  CHECK(p11->C_Initialize(&app_locks), CKR_CANT_LOCK);
  CK_C_INITIALIZE_ARGS reserved = { NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, &n };
  CHECK(p11->C_Initialize(&reserved), CKR_ARGUMENTS_BAD);
  for (int round = 0; round < 3; round++) {
    CK_C_INITIALIZE_ARGS os = { fake_create, fake_mutex, fake_mutex, fake_mutex, CKF_OS_LOCKING_OK, NULL };
    OK(round == 1 ? p11->C_Initialize(NULL) : p11->C_Initialize(&os));
    CHECK(p11->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
    CK_INFO info;
    OK(p11->C_GetInfo(&info));
    ASSERT(info.cryptokiVersion.major == 3 && info.cryptokiVersion.minor == 2);
    n = 0;
    OK(p11->C_GetSlotList(CK_FALSE, NULL, &n));
    ASSERT(n >= 1);
    OK(p11->C_Finalize(NULL));
    CHECK(p11->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
  }
  printf("ok C_Initialize arguments, CKR_CANT_LOCK, repeated C_Initialize/C_Finalize\n");
}

static void digest_works(CK_SESSION_HANDLE s) {
  CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
  CK_BYTE d[32];
  CK_ULONG dl = sizeof d;
  OK(p11->C_DigestInit(s, &m));
  OK(p11->C_Digest(s, (CK_BYTE_PTR) "abc", 3, d, &dl));
  ASSERT(dl == 32 && d[0] == 0xba && d[1] == 0x78);
}

static void forking(void) {
  OK(p11->C_Initialize(NULL));
  CK_SESSION_HANDLE s = user_session();
  digest_works(s);
  pid_t child = fork();
  ASSERT(child >= 0);
  if (child == 0) {
    CK_ULONG n = 0;
    CK_SESSION_INFO si;
    CHECK(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
    CHECK(p11->C_GetSessionInfo(s, &si), CKR_CRYPTOKI_NOT_INITIALIZED);
    CHECK(p11->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
    OK(p11->C_Initialize(NULL));
    OK(p11->C_GetSlotList(CK_FALSE, NULL, &n));
    CK_SESSION_HANDLE mine = user_session();
    digest_works(mine);
    OK(p11->C_Finalize(NULL));
    _exit(0);
  }
  /* The parent goes on meanwhile and afterwards, on its own connection. */
  digest_works(s);
  int status;
  ASSERT(waitpid(child, &status, 0) == child);
  ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CK_SESSION_INFO si;
  OK(p11->C_GetSessionInfo(s, &si));
  ASSERT(si.state == CKS_RW_USER_FUNCTIONS);
  digest_works(s);
  OK(p11->C_Finalize(NULL));
  printf("ok fork: the child is not initialized until C_Initialize, then works; the parent is unaffected\n");
}

static void dead(void) {
  const char *pid = getenv("SERVER_PID");
  ASSERT(pid != NULL);
  OK(p11->C_Initialize(NULL));
  CK_SESSION_HANDLE s = user_session();
  digest_works(s);
  ASSERT(kill((pid_t)atol(pid), SIGKILL) == 0);
  struct timespec ts = { 0, 300 * 1000 * 1000 };
  nanosleep(&ts, NULL);
  CK_SESSION_INFO si;
  CHECK(p11->C_GetSessionInfo(s, &si), CKR_DEVICE_REMOVED);
  CK_ULONG n = 0;
  CHECK(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_DEVICE_REMOVED);
  CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
  CHECK(p11->C_DigestInit(s, &m), CKR_DEVICE_REMOVED);
  OK(p11->C_Finalize(NULL));
  /* No server at all: initialization succeeds, every call says the device is gone. */
  OK(p11->C_Initialize(NULL));
  CHECK(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_DEVICE_REMOVED);
  CK_TOKEN_INFO ti;
  CHECK(p11->C_GetTokenInfo(1, &ti), CKR_DEVICE_REMOVED);
  OK(p11->C_Finalize(NULL));
  printf("ok a dead server: CKR_DEVICE_REMOVED, C_Finalize and C_Initialize still work\n");
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  load_module(argv[1]);
  if (!strcmp(argv[2], "lifecycle")) lifecycle();
  else if (!strcmp(argv[2], "fork")) forking();
  else if (!strcmp(argv[2], "dead")) dead();
  else return 2;
  return 0;
}
