/* migrate/err.h: the error type every library function fills.
 *
 * Library code (extractors/, transform/, loaders/, migrate/ except the
 * command layer) never prints and never exits: it fills a struct mg_err and
 * returns -1. The first error wins, so the message names the root cause.
 * Messages are lowercase, problem first, subject in quotes, the driver's own
 * diagnostic appended without its trailing newline.
 */
#ifndef MG_ERR_H
#define MG_ERR_H

#include <stddef.h>

/* Status codes of driver calls. */
enum { MG_ERR = -1, MG_OK = 0, MG_DONE = 1 };

/* Error classes; the command layer maps them to exit codes. */
enum mg_code {
	MG_E_NONE = 0,
	MG_E_USAGE,    /* bad command line */
	MG_E_CONFIG,   /* playbook or option problem */
	MG_E_CONNECT,  /* cannot reach or log into a server */
	MG_E_SOURCE,   /* the source failed while reading */
	MG_E_STORE,    /* the unified store failed */
	MG_E_LIMIT,    /* a named cap was exceeded */
	MG_E_IO,       /* file system */
	MG_E_NOMEM,
	MG_E_INTERNAL,
	MG_E_THRESHOLD, /* over an error threshold (transform/rules.h): exit 3 */
};

struct mg_err {
	int code;        /* enum mg_code; MG_E_NONE while no error */
	char msg[1024];
};

/* Record an error unless one is already recorded; the message is made one
 * line (internal newlines become "; "). Always returns -1. */
int mg_err_set(struct mg_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix the recorded message with "context: " (e.g. a file name). */
void mg_err_prefix(struct mg_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mg_err_clear(struct mg_err *e);
int mg_err_isset(const struct mg_err *e);
/* Copy src into dst unless dst already holds an error. */
void mg_err_copy(struct mg_err *dst, const struct mg_err *src);

/* Trim trailing newlines and full stops off a driver diagnostic, in place. */
char *mg_chomp(char *s);

#endif
