/*
 * Request and response fields of the p11-kit dialect as our extension uses
 * it (protocol version 2 plus `X`): byte buffers with their length
 * conventions, ulong lists, attribute templates, mechanisms.
 */
#include "internal.h"
#include <string.h>

#define MAX_NESTING 8

/* ---- request fields ------------------------------------------------------------------ */

void put_ulong(call *c, CK_ULONG v) { wb_u64(&c->req, (uint64_t)v); }
void put_byte(call *c, CK_BYTE v) { wb_u8(&c->req, v); }

void put_bytes(call *c, const void *p, CK_ULONG n) {
  if (!p && n) {
    call_fail(c, CKR_ARGUMENTS_BAD);
    return;
  }
  if (n >= 0x7fffffffUL) {
    call_fail(c, CKR_DATA_LEN_RANGE);
    return;
  }
  wb_u8(&c->req, 1);
  wb_u32(&c->req, (uint32_t)n);
  wb_bytes(&c->req, p, n);
}

void put_capacity(call *c, const void *buf, CK_ULONG_PTR len) {
  /* 0: a NULL buffer (a length query); 0xffffffff: a real buffer of capacity 0. */
  if (!buf) wb_u32(&c->req, 0);
  else if (*len == 0) wb_u32(&c->req, 0xffffffffu);
  else wb_u32(&c->req, *len >= 0x7fffffffUL ? 0x7ffffffeu : (uint32_t)*len);
}

void put_string(call *c, const void *p, size_t n) { wb_ba(&c->req, p ? p : "", n); }

/* The value class of an attribute type on the wire (ck-constants.h). */
static int wire_class(CK_ATTRIBUTE_TYPE type) {
  size_t lo = 0, hi = sizeof CK_WIRE_CLASSES / sizeof CK_WIRE_CLASSES[0];
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (CK_WIRE_CLASSES[mid].type == type) return CK_WIRE_CLASSES[mid].cls;
    if (CK_WIRE_CLASSES[mid].type < type) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

enum { CLS_BYTES = 0, CLS_BYTE = 1, CLS_ULONG = 2, CLS_ARRAY = 3, CLS_MECHANISMS = 4, CLS_DATE = 5 };

static void put_attribute(call *c, const CK_ATTRIBUTE *a, int depth) {
  wbuf *w = &c->req;
  if (a->type > 0xffffffffUL) {
    call_fail(c, CKR_ATTRIBUTE_TYPE_INVALID);
    return;
  }
  wb_u32(w, (uint32_t)a->type);
  if (a->ulValueLen == CK_UNAVAILABLE_INFORMATION) {
    wb_u8(w, 0);
    return;
  }
  if (a->ulValueLen >= 0x7fffffffUL) {
    call_fail(c, CKR_ATTRIBUTE_VALUE_INVALID);
    return;
  }
  wb_u8(w, 1);
  wb_u32(w, (uint32_t)a->ulValueLen);
  const uint8_t *v = a->pValue;
  switch (wire_class(a->type)) {
  case CLS_BYTE:
    if (v && a->ulValueLen != 1) call_fail(c, CKR_ATTRIBUTE_VALUE_INVALID);
    wb_u8(w, v && a->ulValueLen ? v[0] : 0);
    break;
  case CLS_ULONG: {
    CK_ULONG x = 0;
    if (v && a->ulValueLen != sizeof(CK_ULONG)) call_fail(c, CKR_ATTRIBUTE_VALUE_INVALID);
    else if (v) memcpy(&x, v, sizeof x);
    wb_u64(w, x);
    break;
  }
  case CLS_ARRAY: {
    CK_ULONG count = v ? a->ulValueLen / sizeof(CK_ATTRIBUTE) : 0;
    if (v && a->ulValueLen % sizeof(CK_ATTRIBUTE)) call_fail(c, CKR_ATTRIBUTE_VALUE_INVALID);
    if (depth >= MAX_NESTING) { call_fail(c, CKR_ATTRIBUTE_VALUE_INVALID); return; }
    wb_u32(w, (uint32_t)count);
    for (CK_ULONG i = 0; i < count; i++) put_attribute(c, (const CK_ATTRIBUTE *)v + i, depth + 1);
    break;
  }
  case CLS_MECHANISMS: {
    CK_ULONG count = v ? a->ulValueLen / sizeof(CK_MECHANISM_TYPE) : 0;
    if (v && a->ulValueLen % sizeof(CK_MECHANISM_TYPE)) call_fail(c, CKR_ATTRIBUTE_VALUE_INVALID);
    wb_u32(w, (uint32_t)count);
    for (CK_ULONG i = 0; i < count; i++) {
      CK_MECHANISM_TYPE m;
      memcpy(&m, v + i * sizeof m, sizeof m);
      wb_u64(w, m);
    }
    break;
  }
  default:
    wb_ba(w, v, v ? a->ulValueLen : 0);
  }
}

void put_template(call *c, const CK_ATTRIBUTE *t, CK_ULONG n) {
  if (!t && n) {
    call_fail(c, CKR_ARGUMENTS_BAD);
    return;
  }
  wb_u32(&c->req, (uint32_t)n);
  for (CK_ULONG i = 0; i < n; i++) put_attribute(c, &t[i], 0);
}

static int is_template_type(CK_ATTRIBUTE_TYPE t) {
  return t == CKA_WRAP_TEMPLATE || t == CKA_UNWRAP_TEMPLATE || t == CKA_DERIVE_TEMPLATE;
}

static void put_buffer_entries(call *c, const CK_ATTRIBUTE *t, CK_ULONG n, int depth) {
  wb_u32(&c->req, (uint32_t)n);
  for (CK_ULONG i = 0; i < n; i++) {
    CK_ULONG len = t[i].pValue ? t[i].ulValueLen : 0;
    if (t[i].type > 0xffffffffUL) { call_fail(c, CKR_ATTRIBUTE_TYPE_INVALID); return; }
    wb_u32(&c->req, (uint32_t)t[i].type);
    wb_u32(&c->req, len >= 0x7fffffffUL ? 0x7ffffffeu : (uint32_t)len);
    if (is_template_type(t[i].type) && len != 0) {
      if (depth >= MAX_NESTING) { call_fail(c, CKR_ATTRIBUTE_VALUE_INVALID); return; }
      put_buffer_entries(c, t[i].pValue, len / sizeof(CK_ATTRIBUTE), depth + 1);
    }
  }
}

void put_buffer_template(call *c, const CK_ATTRIBUTE *t, CK_ULONG n) {
  if (!t && n) {
    call_fail(c, CKR_ARGUMENTS_BAD);
    return;
  }
  put_buffer_entries(c, t, n, 0);
}

void put_mechanism(call *c, const CK_MECHANISM *m) {
  if (!m) {
    wb_u32(&c->req, 0xffffffffu); /* the NULL mechanism: cancels the operation */
    return;
  }
  if (m->mechanism >= 0xffffffffUL) {
    call_fail(c, CKR_MECHANISM_INVALID);
    return;
  }
  wb_u32(&c->req, (uint32_t)m->mechanism);
  CK_RV rv = CKR_OK;
  encode_mechanism_param(&c->req, m->mechanism, m->pParameter, m->ulParameterLen, &rv);
  if (rv != CKR_OK) call_fail(c, rv);
}

void put_message_param(call *c, const void *p, CK_ULONG n) {
  CK_RV rv = CKR_OK;
  encode_message_param(&c->req, p, n, &rv);
  if (rv != CKR_OK) call_fail(c, rv);
}

/* ---- response fields ------------------------------------------------------------------ */

CK_ULONG get_ulong(call *c) { return (CK_ULONG)rb_u64(&c->resp); }
CK_BYTE get_byte(call *c) { return rb_u8(&c->resp); }

void get_version(call *c, CK_VERSION *v) {
  v->major = rb_u8(&c->resp);
  v->minor = rb_u8(&c->resp);
}

void get_string(call *c, CK_UTF8CHAR *dst, size_t width) {
  uint32_t len;
  int isnull;
  const uint8_t *p = rb_ba(&c->resp, &len, &isnull);
  if (isnull || len != width) {
    c->resp.failed = 1;
    memset(dst, ' ', width);
    return;
  }
  if (p) memcpy(dst, p, width);
}

void get_bytes_out(call *c, CK_BYTE_PTR buf, CK_ULONG_PTR len) {
  rbuf *r = &c->resp;
  uint8_t present = rb_u8(r);
  if (!present) {
    uint32_t need = rb_u32(r);
    if (r->failed) return;
    *len = need;
    if (buf) call_fail(c, CKR_BUFFER_TOO_SMALL);
    return;
  }
  uint32_t n;
  int isnull;
  const uint8_t *p = rb_ba(r, &n, &isnull);
  if (r->failed) return;
  if (!buf || n > *len) {
    r->failed = 1; /* more than the buffer holds, or data for a length query */
    return;
  }
  if (n) memcpy(buf, p, n);
  *len = n;
}

void get_ulong_list(call *c, CK_ULONG_PTR list, CK_ULONG_PTR count) {
  rbuf *r = &c->resp;
  uint8_t present = rb_u8(r);
  uint32_t n = rb_u32(r);
  if (r->failed) return;
  if (!present) {
    if (list && n > *count) call_fail(c, CKR_BUFFER_TOO_SMALL);
    *count = n;
    return;
  }
  if (!list || n > *count || n > WIRE_MAX_LEN / 8) {
    r->failed = 1;
    return;
  }
  for (uint32_t i = 0; i < n; i++) list[i] = (CK_ULONG)rb_u64(r);
  if (!r->failed) *count = n;
}

/* One attribute of a C_GetAttributeValue answer into the caller's entry. */
static void get_attribute_value(call *c, CK_ATTRIBUTE_PTR a, int depth) {
  rbuf *r = &c->resp;
  uint32_t type = rb_u32(r);
  if (r->failed || type != a->type) {
    r->failed = 1;
    return;
  }
  if (rb_u8(r) == 0) {
    a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
    return;
  }
  uint32_t len = rb_u32(r);
  uint8_t *dst = a->pValue;
  /* The value fits when the caller gave a buffer of at least `len` bytes. */
  int fits = dst && a->ulValueLen >= len;
  switch (wire_class(type)) {
  case CLS_BYTE: {
    uint8_t b = rb_u8(r);
    if (len != 1) r->failed = 1; /* a CK_BBOOL is one byte; anything else would leave the caller's buffer unfilled */
    else if (fits) dst[0] = b;
    break;
  }
  case CLS_ULONG: {
    CK_ULONG x = (CK_ULONG)rb_u64(r);
    if (len != sizeof x) r->failed = 1;
    else if (fits) memcpy(dst, &x, sizeof x);
    break;
  }
  case CLS_ARRAY: {
    uint32_t count = rb_u32(r);
    if (depth >= MAX_NESTING || count > WIRE_MAX_LEN / 5 || (uint64_t)count * sizeof(CK_ATTRIBUTE) > len) {
      r->failed = 1;
      return;
    }
    if (!fits || count > a->ulValueLen / sizeof(CK_ATTRIBUTE)) {
      /* Nothing to fill: read past the values. */
      CK_ATTRIBUTE scratch;
      for (uint32_t i = 0; i < count && !r->failed; i++) {
        size_t save = r->pos;
        scratch.type = rb_u32(r);
        r->pos = save;
        scratch.pValue = NULL;
        scratch.ulValueLen = 0;
        get_attribute_value(c, &scratch, depth + 1);
      }
    } else {
      for (uint32_t i = 0; i < count && !r->failed; i++) get_attribute_value(c, (CK_ATTRIBUTE_PTR)dst + i, depth + 1);
    }
    break;
  }
  case CLS_MECHANISMS: {
    uint32_t count = rb_u32(r);
    if (count > WIRE_MAX_LEN / 8 || (uint64_t)count * sizeof(CK_MECHANISM_TYPE) > len) {
      r->failed = 1;
      return;
    }
    for (uint32_t i = 0; i < count; i++) {
      CK_MECHANISM_TYPE m = (CK_MECHANISM_TYPE)rb_u64(r);
      if (fits) memcpy(dst + i * sizeof m, &m, sizeof m);
    }
    break;
  }
  default: {
    uint32_t n;
    int isnull;
    const uint8_t *p = rb_ba(r, &n, &isnull);
    if (r->failed) return;
    if (n > len) {
      r->failed = 1;
      return;
    }
    if (fits && n) memcpy(dst, p, n);
  }
  }
  if (r->failed) return;
  if (dst && !fits) a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
  else a->ulValueLen = len;
}

void get_attribute_values(call *c, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
  rbuf *r = &c->resp;
  uint32_t count = rb_u32(r);
  if (r->failed || count != n) {
    r->failed = 1;
    return;
  }
  for (CK_ULONG i = 0; i < n && !r->failed; i++) get_attribute_value(c, &t[i], 0);
}

void get_message_param(call *c, void *p, CK_ULONG n) {
  if (!decode_message_param(&c->resp, p, n)) c->resp.failed = 1;
}
