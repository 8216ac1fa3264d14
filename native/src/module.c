/*
 * The module's state and its connection to the token server: finding the
 * server, the version handshake, one request/response round trip at a time,
 * and what happens after fork() or when the server goes away.
 */
#define _GNU_SOURCE
#include "internal.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_RESPONSE (WIRE_MAX_LEN + 65536u)
#define MAX_OPTIONS 4096u
#define HANDSHAKE "PRIVATE-GNOME-KEYRING-PKCS11-PROTOCOL-V-1"

static struct {
  pthread_mutex_t lock; /* the state below, and C_Initialize/C_Finalize */
  pthread_mutex_t io;   /* one round trip on the connection at a time */
  int initialized;
  int fd;
  int broken;           /* the server went away or spoke nonsense: every call fails */
  pid_t server;         /* our private server, if we started one */
  uint32_t code;        /* the frame code of the next request */
} g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, 0, -1, 0, 0, 0x10 };

/* fork(): the child has no connection of its own until it calls C_Initialize. */
static void atfork_prepare(void) { pthread_mutex_lock(&g.lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&g.lock); }
static void atfork_child(void) {
  /* The child's copy of the socket belongs to the parent's conversation: drop it, never use it. */
  if (g.fd >= 0) close(g.fd);
  g.fd = -1;
  g.initialized = 0;
  g.broken = 0;
  g.server = 0;
  pthread_mutex_init(&g.io, NULL);
  pthread_mutex_unlock(&g.lock);
}

__attribute__((constructor)) static void module_load(void) {
  pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/* ---- I/O ---------------------------------------------------------------------- */

static int write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

static int read_all(int fd, uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t k = read(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

/* ---- finding the server ---------------------------------------------------------- */

/* "unix:path=/abs/path" with %XX escapes, as p11-kit writes it. */
static int connect_unix(const char *address) {
  const char *prefix = "unix:path=";
  if (strncmp(address, prefix, strlen(prefix)) != 0) return -1;
  const char *s = address + strlen(prefix);
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  size_t j = 0;
  for (size_t i = 0; s[i]; i++) {
    char ch = s[i];
    if (ch == '%' && s[i + 1] && s[i + 2]) {
      char hex[3] = { s[i + 1], s[i + 2], 0 };
      char *end;
      long v = strtol(hex, &end, 16);
      if (*end) return -1;
      ch = (char)v;
      i += 2;
    }
    if (j + 1 >= sizeof sa.sun_path) return -1;
    sa.sun_path[j++] = ch;
  }
  if (sa.sun_path[0] != '/') return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* The `server = ...` line of the module's configuration file, if any. */
static int config_server(char *out, size_t size) {
  const char *path = getenv("CRYPTOKI_MODULE_CONF");
  char buf[4096];
  if (!path || !*path) {
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg) snprintf(buf, sizeof buf, "%s/cryptoki/module.conf", xdg);
    else if (home && *home) snprintf(buf, sizeof buf, "%s/.config/cryptoki/module.conf", home);
    else return 0;
    path = buf;
  }
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  char line[1024];
  int found = 0;
  while (!found && fgets(line, sizeof line, f)) {
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (strncmp(p, "server", 6) != 0) continue;
    p += 6;
    while (*p == ' ' || *p == '\t') p++;
    if (*p++ != '=') continue;
    while (*p == ' ' || *p == '\t') p++;
    p[strcspn(p, "\r\n")] = 0;
    if (strlen(p) + 1 <= size) {
      strcpy(out, p);
      found = 1;
    }
  }
  fclose(f);
  return found;
}

/* dist/src/cli/main.js of the package this module was built in (native/build/libcryptoki.so). */
static int find_cli(char *out, size_t size) {
  const char *env = getenv("CRYPTOKI_CLI");
  if (env && *env) {
    if (strlen(env) + 1 > size) return 0;
    strcpy(out, env);
    return 1;
  }
  Dl_info info;
  if (!dladdr((void *)&module_load, &info) || !info.dli_fname) return 0;
  char *self = realpath(info.dli_fname, NULL);
  if (!self) return 0;
  char *slash = strrchr(self, '/');
  if (slash) *slash = 0;
  int n = snprintf(out, size, "%s/../../dist/src/cli/main.js", self);
  free(self);
  return n > 0 && (size_t)n < size && access(out, R_OK) == 0;
}

/* A private server for this process: `node <cli> serve --stdio` on a socket pair. */
static int spawn_server(pid_t *pid) {
  char cli[4096];
  if (!find_cli(cli, sizeof cli)) return -1;
  const char *node = getenv("CRYPTOKI_NODE");
  if (!node || !*node) node = "node";
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
  posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
  char *argv[] = { (char *)node, cli, (char *)"serve", (char *)"--stdio", NULL };
  int err = posix_spawnp(pid, node, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(sv[1]);
  if (err != 0) {
    close(sv[0]);
    return -1;
  }
  return sv[0];
}

static void stop_server(pid_t pid) {
  if (pid <= 0) return;
  /* It exits on EOF; give it 3 s, as p11-kit does, then SIGTERM. */
  for (int i = 0; i < 300; i++) {
    pid_t r = waitpid(pid, NULL, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return;
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep(&ts, NULL);
  }
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
}

static int handshake(int fd) {
  uint8_t v = EXT_VERSION;
  if (write_all(fd, &v, 1) != 0) return -1;
  if (read_all(fd, &v, 1) != 0) return -1;
  return v == EXT_VERSION ? 0 : -1;
}

/* Connects as CRYPTOKI_SERVER, else the configuration file, else a private server says. */
static int open_connection(pid_t *server) {
  char address[1024];
  const char *env = getenv("CRYPTOKI_SERVER");
  *server = 0;
  int fd;
  if (env && *env) fd = connect_unix(env);
  else if (config_server(address, sizeof address)) fd = connect_unix(address);
  else fd = spawn_server(server);
  if (fd < 0) return -1;
  if (handshake(fd) != 0) {
    close(fd);
    stop_server(*server);
    *server = 0;
    return -1;
  }
  return fd;
}

/* ---- the round trip ---------------------------------------------------------------- */

static int exchange(const wbuf *body, uint8_t **resp, size_t *resp_len) {
  uint32_t code = g.code++;
  if (g.code == 0) g.code = 0x10;
  wbuf frame = { 0 };
  wb_u32(&frame, code);
  wb_u32(&frame, 0);
  wb_u32(&frame, (uint32_t)body->len);
  wb_bytes(&frame, body->data, body->len);
  int ok = !frame.failed && write_all(g.fd, frame.data, frame.len) == 0;
  /* (wb_free wipes the frame's copy of the request too.) */
  wb_free(&frame);
  if (!ok) return -1;
  uint8_t h[12];
  if (read_all(g.fd, h, sizeof h) != 0) return -1;
  rbuf r = { h, sizeof h, 0, 0 };
  uint32_t rcode = rb_u32(&r), optlen = rb_u32(&r), bodylen = rb_u32(&r);
  if (rcode != code || optlen > MAX_OPTIONS || bodylen > MAX_RESPONSE) return -1;
  uint8_t opts[MAX_OPTIONS];
  if (optlen && read_all(g.fd, opts, optlen) != 0) return -1;
  uint8_t *b = malloc(bodylen ? bodylen : 1);
  if (!b) return -1;
  if (read_all(g.fd, b, bodylen) != 0) {
    wire_wipe_free(b, bodylen);
    return -1;
  }
  *resp = b;
  *resp_len = bodylen;
  return 0;
}

void call_fail(call *c, CK_RV rv) {
  if (c->rv == CKR_OK) c->rv = rv;
}

CK_RV call_prepare(call *c, uint32_t id, const char *req_sig, const char *resp_sig) {
  memset(c, 0, sizeof *c);
  c->id = id;
  c->resp_sig = resp_sig;
  pthread_mutex_lock(&g.lock);
  int ready = g.initialized;
  pthread_mutex_unlock(&g.lock);
  if (!ready) return c->rv = CKR_CRYPTOKI_NOT_INITIALIZED;
  wb_u32(&c->req, id);
  wb_ba(&c->req, req_sig, strlen(req_sig));
  return CKR_OK;
}

static int same_signature(const uint8_t *sig, uint32_t len, const char *expected) {
  return len == strlen(expected) && (len == 0 || memcmp(sig, expected, len) == 0);
}

CK_RV call_run(call *c) {
  if (c->rv != CKR_OK) return c->rv;
  if (c->req.failed) return c->rv = CKR_HOST_MEMORY;
  pthread_mutex_lock(&g.io);
  pthread_mutex_lock(&g.lock);
  int initialized = g.initialized, broken = g.broken;
  pthread_mutex_unlock(&g.lock);
  size_t len = 0;
  int failed = 0;
  if (!initialized) c->rv = CKR_CRYPTOKI_NOT_INITIALIZED;
  else if (broken || g.fd < 0) c->rv = CKR_DEVICE_REMOVED;
  else if (exchange(&c->req, &c->resp_data, &len) != 0) failed = 1;
  if (failed) {
    /* The connection is gone or out of step: nothing on it can be trusted again. */
    pthread_mutex_lock(&g.lock);
    g.broken = 1;
    pthread_mutex_unlock(&g.lock);
    c->rv = CKR_DEVICE_REMOVED;
  }
  pthread_mutex_unlock(&g.io);
  if (c->rv != CKR_OK) return c->rv;

  c->resp = (rbuf){ c->resp_data, len, 0, 0 };
  uint32_t id = rb_u32(&c->resp);
  uint32_t siglen;
  int isnull;
  const uint8_t *sig = rb_ba(&c->resp, &siglen, &isnull);
  if (c->resp.failed || isnull) {
    c->resp.failed = 1;
    return c->rv = CKR_DEVICE_ERROR;
  }
  if (id == 0) {
    CK_ULONG rv = same_signature(sig, siglen, "u") ? (CK_ULONG)rb_u64(&c->resp) : CKR_DEVICE_ERROR;
    if (c->resp.failed || rv == CKR_OK) rv = CKR_DEVICE_ERROR;
    c->resp.failed = 0;
    return c->rv = rv;
  }
  if (id != c->id || !same_signature(sig, siglen, c->resp_sig)) {
    c->resp.failed = 1;
    return c->rv = CKR_DEVICE_ERROR;
  }
  return CKR_OK;
}

CK_RV call_done(call *c) {
  if (c->resp.failed && (c->rv == CKR_OK || c->rv == CKR_BUFFER_TOO_SMALL)) c->rv = CKR_DEVICE_ERROR;
  wb_free(&c->req);
  wire_wipe_free(c->resp_data, c->resp.len); /* answers carry key values and wrapped keys */
  c->resp_data = NULL;
  return c->rv;
}

/* ---- C_Initialize / C_Finalize ------------------------------------------------------ */

static CK_RV rpc_simple(uint32_t id, const char *req_sig, void (*fill)(call *)) {
  call c;
  if (call_prepare(&c, id, req_sig, "") == CKR_OK) {
    if (fill) fill(&c);
    call_run(&c);
  }
  return call_done(&c);
}

static void fill_initialize(call *c) {
  put_bytes(c, HANDSHAKE, sizeof HANDSHAKE - 1);
  put_byte(c, 0);
  put_bytes(c, "", 1);
}

CK_RV module_initialize(CK_C_INITIALIZE_ARGS_PTR args) {
  if (args) {
    if (args->pReserved) return CKR_ARGUMENTS_BAD;
    int given = (args->CreateMutex != NULL) + (args->DestroyMutex != NULL) + (args->LockMutex != NULL) + (args->UnlockMutex != NULL);
    if (given != 0 && given != 4) return CKR_ARGUMENTS_BAD;
    /* Mutex callbacks without CKF_OS_LOCKING_OK: we lock with pthreads only. */
    if (given == 4 && !(args->flags & CKF_OS_LOCKING_OK)) return CKR_CANT_LOCK;
  }
  pthread_mutex_lock(&g.lock);
  if (g.initialized) {
    pthread_mutex_unlock(&g.lock);
    return CKR_CRYPTOKI_ALREADY_INITIALIZED;
  }
  pid_t server = 0;
  int fd = open_connection(&server);
  g.fd = fd;
  g.server = server;
  g.broken = fd < 0; /* no server: every call answers CKR_DEVICE_REMOVED */
  g.code = 0x10;
  g.initialized = 1;
  pthread_mutex_unlock(&g.lock);
  if (fd >= 0) {
    CK_RV rv = rpc_simple(1, "ayyay", fill_initialize);
    if (rv != CKR_OK && rv != CKR_DEVICE_REMOVED) {
      /* The server refused or garbled the handshake: say so with a code C_Initialize may return. */
      module_finalize();
      return rv == CKR_HOST_MEMORY || rv == CKR_GENERAL_ERROR ? rv : CKR_FUNCTION_FAILED;
    }
  }
  return CKR_OK;
}

CK_RV module_finalize(void) {
  pthread_mutex_lock(&g.lock);
  int initialized = g.initialized, broken = g.broken;
  pthread_mutex_unlock(&g.lock);
  if (!initialized) return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (!broken) rpc_simple(2, "", NULL);
  /* Wait for calls in flight, then close. */
  pthread_mutex_lock(&g.io);
  pthread_mutex_lock(&g.lock);
  if (g.fd >= 0) close(g.fd);
  g.fd = -1;
  pid_t server = g.server;
  g.server = 0;
  g.initialized = 0;
  g.broken = 0;
  pthread_mutex_unlock(&g.lock);
  pthread_mutex_unlock(&g.io);
  stop_server(server);
  return CKR_OK;
}
