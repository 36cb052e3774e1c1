/* migrate/copyfmt.h: escaping for PostgreSQL COPY text format, JSON and HTML. */
#ifndef MG_COPYFMT_H
#define MG_COPYFMT_H

#include <stddef.h>
#include <stdio.h>

#include "migrate/buf.h"

/* Append bytes escaped for a COPY text field (\\ \t \n \r). */
int copy_escape(struct mg_buf *b, const void *p, size_t n, struct mg_err *e);
/* Append "\\x<hex>" : a bytea value in COPY text format. */
int copy_bytea(struct mg_buf *b, const void *p, size_t n, struct mg_err *e);
/* Append a JSON string literal (with quotes) for valid UTF-8 text. */
int json_escape(struct mg_buf *b, const void *p, size_t n, struct mg_err *e);
/* Write s with < > & " ' as HTML entities (for the HTML pages). */
void html_escape(FILE *f, const char *s);

#endif
