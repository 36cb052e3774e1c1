/* migrate/buf.h: growable byte buffers with a named size cap.
 *
 * Every buffer fed by outside data has a cap (curl's dynbuf is the model):
 * growing past it fails with MG_E_LIMIT and a message naming the cap, instead
 * of eating memory. Invariants: after any successful add, ptr is non-NULL and
 * ptr[len] == '\0'; an empty buffer may have ptr == NULL (use buf_cstr).
 */
#ifndef MG_BUF_H
#define MG_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "migrate/err.h"

struct mg_buf {
	unsigned char *ptr;
	size_t len;
	size_t alloc;
	size_t cap;        /* maximum len; 0 = unlimited (only for internal data) */
	const char *what;  /* name of the cap for messages, e.g. "max_field_bytes" */
};

void buf_init(struct mg_buf *b, size_t cap, const char *what);
void buf_release(struct mg_buf *b);
static inline void buf_reset(struct mg_buf *b) { b->len = 0; if (b->ptr) b->ptr[0] = 0; }
int buf_grow(struct mg_buf *b, size_t extra, struct mg_err *e);
int buf_add_slow(struct mg_buf *b, const void *p, size_t n, struct mg_err *e);
/* The common case inline: room already allocated and within the cap (the
 * COPY formatting calls this for every field: buf_grow alone was 7% of the
 * client's CPU in a 100,000-row run, perf) */
static inline int buf_add(struct mg_buf *b, const void *p, size_t n, struct mg_err *e)
{
	if (n < b->alloc - b->len && (!b->cap || n <= b->cap - b->len)) {
		if (n)
			memcpy(b->ptr + b->len, p, n);
		b->len += n;
		b->ptr[b->len] = 0;
		return 0;
	}
	return buf_add_slow(b, p, n, e);
}
static inline int buf_addc(struct mg_buf *b, int c, struct mg_err *e)
{
	unsigned char ch = (unsigned char)c;

	return buf_add(b, &ch, 1, e);
}
int buf_addstr(struct mg_buf *b, const char *s, struct mg_err *e);
int buf_printf(struct mg_buf *b, struct mg_err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int buf_add_u64(struct mg_buf *b, uint64_t v, struct mg_err *e);
const char *buf_cstr(const struct mg_buf *b);
/* Hand the bytes over to the caller (who frees them); the buffer is emptied. */
char *buf_detach(struct mg_buf *b, size_t *len);

#endif
