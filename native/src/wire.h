/* Bounds-checked big-endian writer and reader of the p11-kit RPC field encodings. */
#ifndef CRYPTOKI_WIRE_H
#define CRYPTOKI_WIRE_H
#include <stddef.h>
#include <stdint.h>

/* A growing buffer; `failed` is set on allocation failure and every later write is ignored. */
typedef struct {
  uint8_t *data;
  size_t len, cap;
  int failed;
} wbuf;

/* A cursor over received bytes; `failed` is set on any short read and every later read yields 0. */
typedef struct {
  const uint8_t *data;
  size_t len, pos;
  int failed;
} rbuf;

#define WIRE_NULL_BA 0xffffffffu
/* The largest byte array or count we accept from a server. */
#define WIRE_MAX_LEN (16u * 1024u * 1024u)

void wb_free(wbuf *w);
/* Zeroes n bytes, then frees them. */
void wire_wipe_free(void *p, size_t n);
void wb_bytes(wbuf *w, const void *p, size_t n);
void wb_u8(wbuf *w, uint8_t v);
void wb_u32(wbuf *w, uint32_t v);
void wb_u64(wbuf *w, uint64_t v);
/* BA: u32 length + bytes; NULL writes the NULL marker. */
void wb_ba(wbuf *w, const void *p, size_t n);
void wb_put_u32_at(wbuf *w, size_t at, uint32_t v);

uint8_t rb_u8(rbuf *r);
uint32_t rb_u32(rbuf *r);
uint64_t rb_u64(rbuf *r);
/* n bytes in place, or NULL (and failed) when fewer remain. */
const uint8_t *rb_bytes(rbuf *r, size_t n);
/* BA: *isnull tells the NULL marker apart; returns the bytes (may be NULL for length 0). */
const uint8_t *rb_ba(rbuf *r, uint32_t *len, int *isnull);

#endif
