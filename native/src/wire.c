#define _DEFAULT_SOURCE /* explicit_bzero */
#include "wire.h"
#include <stdlib.h>
#include <string.h>

/* Requests carry PINs and key values: no copy is left behind in freed memory. */
void wire_wipe_free(void *p, size_t n) {
  if (!p) return;
  explicit_bzero(p, n);
  free(p);
}

void wb_free(wbuf *w) {
  wire_wipe_free(w->data, w->cap);
  w->data = NULL;
  w->len = w->cap = 0;
}

static int wb_reserve(wbuf *w, size_t n) {
  if (w->failed) return 0;
  if (n > SIZE_MAX / 2 - w->len) { w->failed = 1; return 0; }
  size_t need = w->len + n;
  if (need <= w->cap) return 1;
  size_t cap = w->cap ? w->cap : 256;
  while (cap < need) cap *= 2;
  uint8_t *p = malloc(cap);
  if (!p) { w->failed = 1; return 0; }
  if (w->len) memcpy(p, w->data, w->len);
  wire_wipe_free(w->data, w->cap);
  w->data = p;
  w->cap = cap;
  return 1;
}

void wb_bytes(wbuf *w, const void *p, size_t n) {
  if (n == 0 || !wb_reserve(w, n)) return;
  memcpy(w->data + w->len, p, n);
  w->len += n;
}

void wb_u8(wbuf *w, uint8_t v) { wb_bytes(w, &v, 1); }

void wb_u32(wbuf *w, uint32_t v) {
  uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
  wb_bytes(w, b, 4);
}

void wb_u64(wbuf *w, uint64_t v) {
  wb_u32(w, (uint32_t)(v >> 32));
  wb_u32(w, (uint32_t)v);
}

void wb_ba(wbuf *w, const void *p, size_t n) {
  if (!p && n == 0) { wb_u32(w, WIRE_NULL_BA); return; }
  if (n >= 0x7fffffffu) { w->failed = 1; return; }
  wb_u32(w, (uint32_t)n);
  wb_bytes(w, p, n);
}

void wb_put_u32_at(wbuf *w, size_t at, uint32_t v) {
  if (w->failed || at + 4 > w->len) return;
  w->data[at] = (uint8_t)(v >> 24);
  w->data[at + 1] = (uint8_t)(v >> 16);
  w->data[at + 2] = (uint8_t)(v >> 8);
  w->data[at + 3] = (uint8_t)v;
}

const uint8_t *rb_bytes(rbuf *r, size_t n) {
  if (r->failed || n > r->len - r->pos) { r->failed = 1; return NULL; }
  const uint8_t *p = r->data + r->pos;
  r->pos += n;
  return p;
}

uint8_t rb_u8(rbuf *r) {
  const uint8_t *p = rb_bytes(r, 1);
  return p ? p[0] : 0;
}

uint32_t rb_u32(rbuf *r) {
  const uint8_t *p = rb_bytes(r, 4);
  return p ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) : 0;
}

uint64_t rb_u64(rbuf *r) {
  uint64_t hi = rb_u32(r);
  return hi << 32 | rb_u32(r);
}

const uint8_t *rb_ba(rbuf *r, uint32_t *len, int *isnull) {
  uint32_t n = rb_u32(r);
  *isnull = 0;
  *len = 0;
  if (r->failed) return NULL;
  if (n == WIRE_NULL_BA) { *isnull = 1; return NULL; }
  if (n > WIRE_MAX_LEN) { r->failed = 1; return NULL; }
  const uint8_t *p = rb_bytes(r, n);
  if (p) *len = n;
  return p;
}
