/*
 * A malicious server: the module talks to a server thread of ours that
 * answers every request with a random response for that call's signature,
 * often mutated (bit flips, cut short, lengths and counts out of range),
 * sometimes an ERROR frame, a wrong frame code or a closed connection. The
 * application side calls the functions with honest buffers; every call must
 * come back with some CK_RV. Run under ASan+UBSan, any memory error aborts.
 * Usage: test_fuzz <module> [iterations] [seed].
 */
#define HARNESS_NO_SESSION
#include "harness.h"
#include "wire.h"
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static uint64_t rng_state;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}
static uint32_t below(uint32_t n) { return n ? (uint32_t)(rnd() % n) : 0; }

/* The response signatures of the calls the client below makes. */
static const struct { uint32_t id; const char *sig; } RESPONSES[] = {
  { 1, "" }, { 2, "" }, { 3, "vsusv" }, { 4, "au" }, { 5, "ssuvv" }, { 6, "ssssuuuuuuuuuuuvvs" }, { 7, "au" },
  { 8, "uuu" }, { 10, "u" }, { 13, "uuuu" }, { 24, "aAu" }, { 26, "" }, { 27, "au" }, { 29, "" }, { 30, "ay" },
  { 42, "" }, { 43, "ay" }, { 59, "uu" }, { 60, "ay" }, { 64, "ay" }, { 68, "" }, { 256, "ayu" }, { 268, "Xay" },
};

static const char *response_sig(uint32_t id) {
  for (size_t i = 0; i < sizeof RESPONSES / sizeof RESPONSES[0]; i++)
    if (RESPONSES[i].id == id) return RESPONSES[i].sig;
  return "";
}

static const CK_ATTRIBUTE_TYPE TYPES[] = { CKA_CLASS, CKA_LABEL, CKA_TOKEN, CKA_WRAP_TEMPLATE, CKA_ALLOWED_MECHANISMS,
  CKA_START_DATE, CKA_VALUE, CKA_KEY_TYPE };

static uint32_t small_len(void) {
  switch (below(8)) {
  case 0: return 0xffffffffu;
  case 1: return 0x7fffffffu;
  case 2: return below(100000);
  default: return below(40);
  }
}

static void random_ba(wbuf *w) {
  uint32_t n = small_len();
  wb_u32(w, n);
  uint32_t real = n > 64 ? below(64) : n; /* often a length that lies */
  for (uint32_t i = 0; i < real; i++) wb_u8(w, (uint8_t)rnd());
}

static void random_attribute_of(wbuf *w, CK_ATTRIBUTE_TYPE t, int depth);
static void random_attribute(wbuf *w, int depth) {
  random_attribute_of(w, TYPES[below(sizeof TYPES / sizeof TYPES[0])], depth);
}

static void random_attribute_of(wbuf *w, CK_ATTRIBUTE_TYPE t, int depth) {
  wb_u32(w, (uint32_t)t);
  if (below(8) == 0) {
    wb_u8(w, 0); /* unavailable */
    return;
  }
  wb_u8(w, 1);
  /* The value first, then its C length: mostly the true one, sometimes a lie. */
  wbuf v = { 0 };
  uint32_t natural = 0;
  switch (t) {
  case CKA_TOKEN: wb_u8(&v, (uint8_t)rnd()); natural = 1; break;
  case CKA_CLASS: case CKA_KEY_TYPE: wb_u64(&v, rnd()); natural = 8; break;
  case CKA_WRAP_TEMPLATE: {
    uint32_t n = below(8) ? below(3) : small_len();
    wb_u32(&v, n);
    for (uint32_t i = 0; i < n && i < 4 && depth < 10; i++) random_attribute(&v, depth + 1);
    natural = n * (uint32_t)sizeof(CK_ATTRIBUTE);
    break;
  }
  case CKA_ALLOWED_MECHANISMS: {
    uint32_t n = below(8) ? below(4) : small_len();
    wb_u32(&v, n);
    for (uint32_t i = 0; i < n && i < 5; i++) wb_u64(&v, rnd());
    natural = n * 8;
    break;
  }
  default: {
    uint32_t n = below(8) ? below(12) : small_len();
    wb_u32(&v, n);
    for (uint32_t i = 0; i < n && i < 64; i++) wb_u8(&v, (uint8_t)('a' + below(26)));
    natural = n;
  }
  }
  wb_u32(w, below(6) ? natural : small_len());
  wb_bytes(w, v.data, v.len);
  wb_free(&v);
}

static void random_x(wbuf *w, int depth) {
  uint8_t tag = (uint8_t)below(7);
  wb_u8(w, tag);
  switch (tag) {
  case 1: random_ba(w); break;
  case 2: wb_u64(w, rnd()); break;
  case 3: wb_u8(w, (uint8_t)below(3)); break;
  case 4: case 5: {
    uint32_t n = below(4) ? below(4) : small_len();
    wb_u32(w, n);
    static const char *names[] = { "pIv", "pTag", "ulTagBits", "x" };
    for (uint32_t i = 0; i < n && i < 5 && depth < 12; i++) {
      if (tag == 4) {
        const char *nm = names[below(4)];
        wb_ba(w, nm, strlen(nm));
      }
      random_x(w, depth + 1);
    }
    break;
  }
  default: break;
  }
}

static void random_field(wbuf *w, const char **sig) {
  const char *s = *sig;
  if (s[0] == 'a' || s[0] == 'f') {
    char k = s[1];
    *sig += 2;
    if (k == 'y') {
      wb_u8(w, (uint8_t)below(3));
      if (below(2)) random_ba(w); else wb_u32(w, small_len());
    } else if (k == 'u') {
      wb_u8(w, (uint8_t)below(3));
      uint32_t n = below(3) ? below(6) : small_len();
      wb_u32(w, n);
      for (uint32_t i = 0; i < n && i < 8; i++) wb_u64(w, rnd());
    } else {
      uint32_t n = below(3) ? below(6) : small_len();
      wb_u32(w, n);
      for (uint32_t i = 0; i < n && i < 8; i++) random_attribute(w, 0);
    }
    return;
  }
  *sig += 1;
  switch (s[0]) {
  case 'y': wb_u8(w, (uint8_t)rnd()); break;
  case 'u': wb_u64(w, below(2) ? below(300) : rnd()); break;
  case 'v': wb_u8(w, (uint8_t)rnd()); wb_u8(w, (uint8_t)rnd()); break;
  case 's': {
    static const uint32_t widths[] = { 16, 32, 64 };
    uint32_t n = below(5) ? widths[below(3)] : small_len();
    wb_u32(w, n);
    for (uint32_t i = 0; i < n && i < 64; i++) wb_u8(w, (uint8_t)(' ' + below(90)));
    break;
  }
  case 'X': random_x(w, 0); break;
  default: break;
  }
}

/* C_GetAttributeValue: an answer in the request's own order of types, as a server must give. */
static void respond_attributes(wbuf *w, rbuf *req) {
  rb_u64(req);
  rb_u64(req);
  uint32_t n = rb_u32(req);
  if (req->failed || n > 64) return;
  wb_u32(w, below(20) ? n : n + 1);
  for (uint32_t i = 0; i < n && !req->failed; i++) {
    CK_ATTRIBUTE_TYPE t = rb_u32(req);
    uint32_t len = rb_u32(req);
    if (t == CKA_WRAP_TEMPLATE && len) { /* nested request entries */
      uint32_t inner = rb_u32(req);
      for (uint32_t k = 0; k < inner && k < 16; k++) { rb_u32(req); rb_u32(req); }
    }
    random_attribute_of(w, t, 0);
  }
  wb_u64(w, below(2) ? CKR_OK : CKR_ATTRIBUTE_SENSITIVE);
}

/* One response body for a request body. */
static void respond(wbuf *w, uint32_t id, rbuf *req) {
  if (below(10) == 0) {
    wb_u32(w, 0);
    wb_ba(w, "u", 1);
    wb_u64(w, below(2) ? CKR_OK : rnd() % 0x200);
    return;
  }
  const char *sig = response_sig(id);
  wb_u32(w, below(20) ? id : (uint32_t)rnd());
  if (below(20)) wb_ba(w, sig, strlen(sig)); else random_ba(w);
  if (id == 24 && below(4)) {
    respond_attributes(w, req);
  } else {
    while (*sig) random_field(w, &sig);
  }
  /* Mutations of the well-formed answer. */
  if (w->len > 0) {
    switch (below(8)) {
    case 0: w->data[below((uint32_t)w->len)] ^= (uint8_t)(1u << below(8)); break;
    case 1: w->len = below((uint32_t)w->len); break;
    case 2: wb_u8(w, (uint8_t)rnd()); break;
    default: break;
    }
  }
}

static int read_all(int fd, uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t k = read(fd, p, n);
    if (k <= 0) return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

static void serve(int fd) {
  uint8_t v;
  if (read_all(fd, &v, 1) != 0) return;
  v = below(10) ? 0x43 : (uint8_t)rnd();
  if (write(fd, &v, 1) != 1) return;
  for (;;) {
    uint8_t h[12];
    if (read_all(fd, h, 12) != 0) return;
    rbuf r = { h, 12, 0, 0 };
    uint32_t code = rb_u32(&r), optlen = rb_u32(&r), len = rb_u32(&r);
    uint8_t *body = malloc(optlen + len + 1);
    if (!body || read_all(fd, body, optlen + len) != 0) {
      free(body);
      return;
    }
    rbuf b = { body + optlen, len, 0, 0 };
    uint32_t id = rb_u32(&b);
    uint32_t siglen;
    int isnull;
    rb_ba(&b, &siglen, &isnull);
    if (below(50) == 0) { /* the server goes away */
      free(body);
      return;
    }
    wbuf resp = { 0 };
    respond(&resp, id, &b);
    free(body);
    wbuf frame = { 0 };
    wb_u32(&frame, below(30) ? code : code + 1);
    wb_u32(&frame, 0);
    int lie = below(30) == 0;
    wb_u32(&frame, lie ? (uint32_t)rnd() : (uint32_t)resp.len);
    wb_bytes(&frame, resp.data, resp.len);
    ssize_t k = write(fd, frame.data, frame.len);
    wb_free(&resp);
    wb_free(&frame);
    /* After announcing more than it sent, a server that stays silent would hold the module
       for ever (as any silent server does); closing makes the lie visible. */
    if (k < 0 || lie) return;
  }
}

static int listener;
static void *server_thread(void *arg) {
  (void)arg;
  for (;;) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) return NULL;
    serve(fd);
    close(fd);
  }
}

/* How often the deepest decoders were reached with a whole answer (so the run shows it gets there). */
static long attrs_ok, attrs_tried, message_ok;

/* The application: honest calls, any result. */
static void exercise(void) {
  CK_INFO info;
  p11->C_GetInfo(&info);
  CK_SLOT_ID slots[4];
  CK_ULONG n = 4;
  p11->C_GetSlotList(CK_TRUE, NULL, &n);
  n = 4;
  p11->C_GetSlotList(CK_TRUE, slots, &n);
  CK_SLOT_INFO si;
  p11->C_GetSlotInfo(1, &si);
  CK_TOKEN_INFO ti;
  p11->C_GetTokenInfo(1, &ti);
  CK_MECHANISM_TYPE mechs[8];
  n = 8;
  p11->C_GetMechanismList(1, mechs, &n);
  CK_MECHANISM_INFO mi;
  p11->C_GetMechanismInfo(1, CKM_AES_GCM, &mi);
  CK_SESSION_HANDLE s = 1;
  p11->C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &s);
  CK_SESSION_INFO ssi;
  p11->C_GetSessionInfo(s, &ssi);
  CK_ULONG cls = 0;
  CK_BYTE label[8], token = 0;
  CK_BYTE inner_value[4];
  CK_ATTRIBUTE inner[2] = { { CKA_LABEL, inner_value, sizeof inner_value }, { CKA_CLASS, NULL, 0 } };
  CK_MECHANISM_TYPE allowed[2];
  CK_BYTE date[8];
  CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_LABEL, label, sizeof label }, { CKA_TOKEN, &token, 1 },
    { CKA_WRAP_TEMPLATE, inner, sizeof inner }, { CKA_ALLOWED_MECHANISMS, allowed, sizeof allowed },
    { CKA_START_DATE, date, sizeof date }, { CKA_VALUE, NULL, 0 }, { CKA_KEY_TYPE, NULL, 0 } };
  CK_RV rv = p11->C_GetAttributeValue(s, 1, t, sizeof t / sizeof t[0]);
  attrs_tried++;
  if (rv == CKR_OK || rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_BUFFER_TOO_SMALL || rv == CKR_ATTRIBUTE_TYPE_INVALID) attrs_ok++;
  p11->C_FindObjectsInit(s, t, 3);
  CK_OBJECT_HANDLE found[3];
  p11->C_FindObjects(s, found, 3, &n);
  CK_MECHANISM m = { CKM_ECDSA, NULL, 0 };
  CK_BYTE sig[16];
  CK_ULONG siglen = sizeof sig;
  p11->C_SignInit(s, &m, 1);
  p11->C_Sign(s, (CK_BYTE_PTR) "data", 4, NULL, &siglen);
  siglen = sizeof sig;
  p11->C_Sign(s, (CK_BYTE_PTR) "data", 4, sig, &siglen);
  CK_BYTE rnd_out[8];
  p11->C_GenerateRandom(s, rnd_out, sizeof rnd_out);
  CK_BYTE iv[12] = { 0 }, tag[16];
  CK_GCM_MESSAGE_PARAMS gp = { iv, sizeof iv, 0, CKG_NO_GENERATE, tag, 128 };
  CK_MECHANISM gcm = { CKM_AES_GCM, NULL, 0 };
  p11->C_MessageEncryptInit(s, &gcm, 1);
  CK_BYTE ct[16];
  CK_ULONG ctlen = sizeof ct;
  if (p11->C_EncryptMessage(s, &gp, sizeof gp, NULL, 0, (CK_BYTE_PTR) "plain", 5, ct, &ctlen) == CKR_OK) message_ok++;
  CK_OBJECT_HANDLE k = 0, pub = 0, priv = 0;
  CK_BYTE kem[32];
  CK_ULONG kemlen = sizeof kem;
  CK_MECHANISM mlkem = { CKM_ML_KEM, NULL, 0 };
  p11->C_EncapsulateKey(s, &mlkem, 1, NULL, 0, kem, &kemlen, &k);
  CK_MECHANISM gen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
  p11->C_GenerateKeyPair(s, &gen, t, 3, t, 3, &pub, &priv);
  CK_BYTE wrapped[24];
  CK_ULONG wlen = sizeof wrapped;
  CK_MECHANISM kw = { CKM_AES_KEY_WRAP, NULL, 0 };
  p11->C_WrapKey(s, &kw, 1, 2, wrapped, &wlen);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  long iterations = argc > 2 ? atol(argv[2]) : 300;
  rng_state = argc > 3 ? strtoull(argv[3], NULL, 0) : 0x9e3779b97f4a7c15ULL;
  if (!rng_state) rng_state = 1;
  char path[108];
  snprintf(path, sizeof path, "/tmp/cryptoki-fuzz-%d.sock", (int)getpid());
  unlink(path);
  listener = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  strcpy(sa.sun_path, path);
  ASSERT(bind(listener, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(listener, 4) == 0);
  char address[160];
  snprintf(address, sizeof address, "unix:path=%s", path);
  setenv("CRYPTOKI_SERVER", address, 1);
  pthread_t th;
  ASSERT(pthread_create(&th, NULL, server_thread, NULL) == 0);
  load_module(argv[1]);
  long inits = 0;
  for (long i = 0; i < iterations; i++) {
    if (p11->C_Initialize(NULL) == CKR_OK) inits++;
    exercise();
    p11->C_Finalize(NULL);
  }
  unlink(path);
  printf("ok %ld rounds against a malicious server (%ld initialized; C_GetAttributeValue answered %ld of %ld times, "
         "C_EncryptMessage %ld times), no crash\n", iterations, inits, attrs_ok, attrs_tried, message_ok);
  return 0;
}
