/* extractors/filesrc.h: file formats and the sources built on them.
 *
 * A file format (csv, fixed, dbf, xlsx) parses one byte stream, a
 * struct mg_input, into raw rows. The same format runs over a plain file
 * (the file source drivers "csv", "fixed", ... made with FILESRC_DRIVER)
 * and over archive members (the "archive" driver), streamed; only a format
 * that must seek (xlsx, a DBF's memo file) gets its member copied to a
 * private temporary file first (input_spool).
 *
 * Table names of file sources are paths or globs relative to the source's
 * `dir` option; matching files are read in byte order of their names. The
 * key of a row is "<file or member name>#<record number>" (1-based, the
 * format's own record count, including rejected records), so a resumed run
 * skips whole files before the key's file and records up to its number.
 *
 * A format sets each row's provenance: line (1-based line or record number)
 * and byte offset of the record in the stream; filesrc sets the key. A
 * record that cannot be split into fields becomes batch_reject() with its
 * original bytes (ragged CSV row, DBF record flagged inconsistent ...).
 */
#ifndef MG_FILESRC_H
#define MG_FILESRC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "extractors/extractor.h"

struct mg_input {
	char name[1024];       /* file path (relative to dir) or archive member name, UTF-8 */
	uint64_t size;         /* bytes, or UINT64_MAX if unknown */
	/* Read up to n bytes; returns bytes read, 0 at the end, -1 on error (e filled). */
	ssize_t (*read)(struct mg_input *in, void *buf, size_t n, struct mg_err *e);
	/* Seek to an absolute offset; NULL when the stream cannot seek (archive members). */
	int (*seek)(struct mg_input *in, uint64_t off, struct mg_err *e);
	/* Open the file beside this one named like it with extension ext, in
	 * any letter case (a DBF's memo file), as a seekable input to close
	 * with input_close_file. Returns 0; 1 when there is none (out->name
	 * then says what was looked for); -1 on error. NULL: the file is
	 * looked for on disk beside a plain file. */
	int (*open_beside)(struct mg_input *in, const char *ext, struct mg_input *out, struct mg_err *e);
	void *ctx;
	const unsigned char *mem;   /* input_open_mem */
	size_t mem_n, mem_pos;
};

int input_open_file(struct mg_input *in, const char *path, const char *display, struct mg_err *e);
void input_close_file(struct mg_input *in);
/* An input over bytes in memory (tests, fuzzing); data must outlive it. */
void input_open_mem(struct mg_input *in, const void *data, size_t n, const char *name);
/* Copy src to its end into a private temporary file (mkstemp in $TMPDIR,
 * else /tmp; mode 0600, unlinked at once, so nothing is left behind) and
 * open out over it as a seekable input named name; close it with
 * input_close_file. src's read enforces the caps on its size. */
int input_spool(struct mg_input *out, struct mg_input *src, const char *name, struct mg_err *e);

/* A buffered reader over an input, for formats that parse byte by byte. */
struct mg_reader {
	struct mg_input *in;
	unsigned char *buf;
	size_t pos, len, cap;
	uint64_t offset;       /* stream offset of buf[pos] */
	int eof;
};
int reader_init(struct mg_reader *r, struct mg_input *in, size_t cap, struct mg_err *e);
void reader_release(struct mg_reader *r);
/* Make at least n bytes available at buf+pos unless the stream ends first;
 * returns the bytes available (may be < n at the end), -1 on error. */
ssize_t reader_fill(struct mg_reader *r, size_t n, struct mg_err *e);

struct file_format {
	const char *name;                   /* as written in playbooks: csv, fixed, dbf, xlsx */
	const struct pb_keyspec *options;   /* keys this format reads from the table section */
	int seekable;                       /* reads its input in several passes: needs seek (the
					     * archive driver spools such a member first) */
	/* Open a stream: read the header as needed and fill the column names
	 * (owned by the state until close). */
	int (*open)(struct playbook *pb, const struct pb_table *t, struct mg_input *in, void **state,
		    struct mg_columns *cols, struct mg_err *e);
	/* Fill b with up to b->max_rows rows (stop early when batch_full).
	 * *recno is the record number counter: increment it for every record
	 * (row or reject) and use it for the key. */
	int (*next)(void *state, struct mg_batch *b, uint64_t *recno, struct mg_err *e);
	void (*close)(void *state);
};

const struct file_format *file_format_find(const char *name);

/* Helpers for formats: put the key "<name>#<recno>" of the row being ended. */
int filesrc_row_end(struct mg_batch *b, const char *name, uint64_t recno, uint64_t line, uint64_t offset,
		    struct mg_err *e);
int filesrc_reject(struct mg_batch *b, const char *name, uint64_t recno, const char *reason, const char *detail,
		   const void *raw, size_t n, uint64_t line, uint64_t offset, struct mg_err *e);
/* The same with a printf-style detail (formats' common case). */
int filesrc_rejectf(struct mg_batch *b, const char *name, uint64_t recno, const char *reason, const void *raw,
		    size_t n, uint64_t line, uint64_t offset, struct mg_err *e, const char *fmt, ...)
	__attribute__((format(printf, 10, 11)));
/* Parse a resume key into name and record number. */
int filesrc_parse_key(const struct mg_buf *key, char *name, size_t n, uint64_t *recno);

/* The generic file source driver callbacks; a format's driver is
 *   const struct source_driver source_csv = FILESRC_DRIVER("csv", csv_options);
 * and the format is found by the driver's name. */
int filesrc_open(struct playbook *pb, struct source **out, struct mg_err *e);
int filesrc_start(struct source *s, const struct pb_table *t, const struct mg_buf *after,
		  struct mg_columns *cols, struct mg_err *e);
int filesrc_next(struct source *s, struct mg_batch *b, struct mg_err *e);
void filesrc_close(struct source *s);
/* Source-level options common to file drivers. */
#define FILESRC_SOURCE_OPTIONS \
	{"driver", "the file format"}, {"dir", "directory the table names are relative to"}

#define FILESRC_DRIVER(NAME, OPTS) { \
	.name = NAME, .caps = SRC_CAN_RESUME, .options = OPTS, .open = filesrc_open, \
	.start = filesrc_start, .next_batch = filesrc_next, .recount = NULL, .close = filesrc_close }

#endif
