#include <stdio.h>
#include "migrate/copyfmt.h"

#include <string.h>

int copy_escape(struct mg_buf *b, const void *p, size_t n, struct mg_err *e)
{
	const unsigned char *s = p;
	size_t i = 0;

	if (buf_grow(b, n + n / 8 + 8, e))
		return -1;
	while (i < n) {
		size_t run = i;
		const char *rep;

		while (run < n && s[run] != '\\' && s[run] != '\t' && s[run] != '\n' && s[run] != '\r')
			run++;
		if (run > i && buf_add(b, s + i, run - i, e))
			return -1;
		if (run == n)
			break;
		rep = s[run] == '\\' ? "\\\\" : s[run] == '\t' ? "\\t" : s[run] == '\n' ? "\\n" : "\\r";
		if (buf_add(b, rep, 2, e))
			return -1;
		i = run + 1;
	}
	return 0;
}

int copy_bytea(struct mg_buf *b, const void *p, size_t n, struct mg_err *e)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *s = p;
	unsigned char *o;

	if (buf_grow(b, 3 + 2 * n, e))
		return -1;
	o = b->ptr + b->len;
	*o++ = '\\';
	*o++ = '\\';
	*o++ = 'x';
	for (size_t i = 0; i < n; i++) {
		*o++ = (unsigned char)hx[s[i] >> 4];
		*o++ = (unsigned char)hx[s[i] & 15];
	}
	b->len += 3 + 2 * n;
	b->ptr[b->len] = 0;
	return 0;
}

int json_escape(struct mg_buf *b, const void *p, size_t n, struct mg_err *e)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *s = p;
	size_t i = 0;

	if (buf_grow(b, n + 2 + n / 8, e) || buf_addc(b, '"', e))
		return -1;
	while (i < n) {
		size_t run = i;

		while (run < n && s[run] >= 0x20 && s[run] != '"' && s[run] != '\\')
			run++;
		if (run > i && buf_add(b, s + i, run - i, e))
			return -1;
		if (run == n)
			break;
		if (s[run] == '"' || s[run] == '\\') {
			char two[2] = {'\\', (char)s[run]};

			if (buf_add(b, two, 2, e))
				return -1;
		} else {
			char u[6] = {'\\', 'u', '0', '0', hx[s[run] >> 4], hx[s[run] & 15]};

			if (buf_add(b, u, 6, e))
				return -1;
		}
		i = run + 1;
	}
	return buf_addc(b, '"', e);
}

void html_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}
