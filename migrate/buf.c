#include "migrate/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct mg_buf *b, size_t cap, const char *what)
{
	b->ptr = NULL;
	b->len = b->alloc = 0;
	b->cap = cap;
	b->what = what ? what : "buffer";
}

void buf_release(struct mg_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->alloc = 0;
}

int buf_grow(struct mg_buf *b, size_t extra, struct mg_err *e)
{
	size_t need, na;
	unsigned char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return mg_err_set(e, MG_E_LIMIT, "size overflow in '%s'", b->what);
	need = b->len + extra + 1;
	if (b->cap && need - 1 > b->cap)
		return mg_err_set(e, MG_E_LIMIT, "value too large: %zu bytes exceed the cap '%s' of %zu bytes",
				  need - 1, b->what, b->cap);
	if (need <= b->alloc)
		return 0;
	na = b->alloc ? b->alloc : 256;
	while (na < need)
		na = na < SIZE_MAX / 2 ? na * 2 : need;
	if (b->cap && na > b->cap + 1)
		na = b->cap + 1;
	p = realloc(b->ptr, na);
	if (!p)
		return mg_err_set(e, MG_E_NOMEM, "out of memory growing '%s' to %zu bytes", b->what, na);
	b->ptr = p;
	b->alloc = na;
	return 0;
}

int buf_add_slow(struct mg_buf *b, const void *p, size_t n, struct mg_err *e)
{
	if (buf_grow(b, n, e))
		return -1;
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = 0;
	return 0;
}

int buf_addstr(struct mg_buf *b, const char *s, struct mg_err *e)
{
	return buf_add(b, s, strlen(s), e);
}

int buf_add_u64(struct mg_buf *b, uint64_t v, struct mg_err *e)
{
	char tmp[24];
	int i = (int)sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return buf_add(b, tmp + i, sizeof(tmp) - (size_t)i, e);
}

int buf_printf(struct mg_buf *b, struct mg_err *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return mg_err_set(e, MG_E_INTERNAL, "cannot format '%s'", fmt);
	if (buf_grow(b, (size_t)n, e))
		return -1;
	va_start(ap, fmt);
	vsnprintf((char *)b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

const char *buf_cstr(const struct mg_buf *b)
{
	return b->ptr ? (const char *)b->ptr : "";
}

char *buf_detach(struct mg_buf *b, size_t *len)
{
	char *p = (char *)b->ptr;

	if (!p)
		p = calloc(1, 1);
	if (len)
		*len = b->len;
	b->ptr = NULL;
	b->len = b->alloc = 0;
	return p;
}
