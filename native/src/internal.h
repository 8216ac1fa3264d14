/* What the parts of the module share: the call machinery and the encoders. */
#ifndef CRYPTOKI_INTERNAL_H
#define CRYPTOKI_INTERNAL_H
#include "cryptoki.h"
#include "wire.h"

/* Our protocol extension (docs/protocol.md): the version byte and the dialect's additions. */
#define EXT_VERSION 0x43
#define EXT_CALL(n) (256u + (n))

/* One request and its response. */
typedef struct {
  uint32_t id;
  const char *resp_sig;
  wbuf req;
  uint8_t *resp_data;
  rbuf resp;
  CK_RV rv;
} call;

/* Starts a request (checks that the module is initialized in this process). */
CK_RV call_prepare(call *c, uint32_t id, const char *req_sig, const char *resp_sig);
/* Sends it and reads the answer; an ERROR frame sets c->rv. Returns c->rv. */
CK_RV call_run(call *c);
/* Frees the call; a malformed response turns into CKR_DEVICE_ERROR. Returns the call's rv. */
CK_RV call_done(call *c);
/* Sets c->rv unless it is already an error. */
void call_fail(call *c, CK_RV rv);

/* Request fields. */
void put_ulong(call *c, CK_ULONG v);
void put_byte(call *c, CK_BYTE v);
void put_bytes(call *c, const void *p, CK_ULONG n);        /* ay input */
void put_capacity(call *c, const void *buf, CK_ULONG_PTR len); /* fy / fu */
void put_string(call *c, const void *p, size_t n);          /* s / z: a BA */
void put_template(call *c, const CK_ATTRIBUTE *t, CK_ULONG n); /* aA */
void put_buffer_template(call *c, const CK_ATTRIBUTE *t, CK_ULONG n); /* fA */
void put_mechanism(call *c, const CK_MECHANISM *m);         /* M, extension form */
/* X: a message-based parameter, by its size (docs/protocol.md). */
void put_message_param(call *c, const void *p, CK_ULONG n);

/* Response fields. */
CK_ULONG get_ulong(call *c);
CK_BYTE get_byte(call *c);
void get_version(call *c, CK_VERSION *v);
void get_string(call *c, CK_UTF8CHAR *dst, size_t width); /* s of exactly `width` bytes */
void get_bytes_out(call *c, CK_BYTE_PTR buf, CK_ULONG_PTR len);   /* ay output with the caller's buffer */
void get_ulong_list(call *c, CK_ULONG_PTR list, CK_ULONG_PTR count); /* au */
void get_attribute_values(call *c, CK_ATTRIBUTE_PTR t, CK_ULONG n); /* aA answer of C_GetAttributeValue */
/* X answer of a message call: copies the output fields into the application's parameter. */
void get_message_param(call *c, void *p, CK_ULONG n);

/* The mechanism parameter encoder (params.c). */
void encode_mechanism_param(wbuf *w, CK_MECHANISM_TYPE type, const void *p, CK_ULONG n, CK_RV *rv);
void encode_message_param(wbuf *w, const void *p, CK_ULONG n, CK_RV *rv);
/* Reads the X answer and copies output fields; returns 0 when the answer is malformed. */
int decode_message_param(rbuf *r, void *p, CK_ULONG n);
int skip_param_value(rbuf *r, int depth);

/* Module state (module.c). */
CK_RV module_initialize(CK_C_INITIALIZE_ARGS_PTR args);
CK_RV module_finalize(void);

#endif
