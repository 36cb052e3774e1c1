#include "migrate/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void one_line(char *dst, size_t n, const char *src);

int mg_err_set(struct mg_err *e, int code, const char *fmt, ...)
{
	char raw[sizeof(e->msg)];
	va_list ap;

	if (!e || e->code != MG_E_NONE)
		return -1;
	e->code = code ? code : MG_E_INTERNAL;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	one_line(e->msg, sizeof(e->msg), raw);
	mg_chomp(e->msg);
	return -1;
}

void mg_err_prefix(struct mg_err *e, const char *fmt, ...)
{
	char head[512], old[sizeof(e->msg)];
	va_list ap;
	size_t hl;

	if (!e || e->code == MG_E_NONE)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);


	memcpy(old, e->msg, sizeof(old));
	hl = strlen(head);
	if (hl > sizeof(e->msg) - 3)
		hl = sizeof(e->msg) - 3;
	memcpy(e->msg, head, hl);
	memcpy(e->msg + hl, ": ", 2);
	memcpy(e->msg + hl + 2, old, sizeof(e->msg) - hl - 3);
	e->msg[sizeof(e->msg) - 1] = '\0';
}

void mg_err_clear(struct mg_err *e)
{
	e->code = MG_E_NONE;
	e->msg[0] = '\0';
}

int mg_err_isset(const struct mg_err *e)
{
	return e->code != MG_E_NONE;
}

void mg_err_copy(struct mg_err *dst, const struct mg_err *src)
{
	if (dst->code == MG_E_NONE && src->code != MG_E_NONE)
		*dst = *src;
}

/* Copy src into dst (size n) as one line: internal newlines (libpq's
 * "\n\tIs the server running ...") become "; ", blanks after them are
 * dropped, tabs become spaces; never writes past n. */
static void one_line(char *dst, size_t n, const char *src)
{
	size_t w = 0;

	for (const char *r = src; *r && w + 1 < n; r++) {
		if (*r == '\n' || *r == '\r') {
			while (r[1] == '\n' || r[1] == '\r' || r[1] == '\t' || r[1] == ' ')
				r++;
			if (r[1] && w + 3 < n) {
				dst[w++] = ';';
				dst[w++] = ' ';
			}
			continue;
		}
		dst[w++] = *r == '\t' ? ' ' : *r;
	}
	dst[w] = '\0';
}

char *mg_chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '.'))
		s[--n] = '\0';
	return s;
}
