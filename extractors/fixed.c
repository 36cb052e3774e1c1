/* extractors/fixed.c: fixed-width text records, as a file format.
 *
 * The layout is two parallel lists in the table section, `columns` and
 * `widths`; every record is cut at those widths and each field is handed
 * over as the bytes stored in the file (spaces of padding included, unless
 * the playbook asks for `trim: right`). Widths count bytes, or with
 * `unit: chars` characters of the table's encoding: a GBK/GB2312/CP936 or
 * Big5 character is a lead byte 0x81..0xFE and a trail byte, a GB18030
 * four-byte sequence is lead, digit, lead, digit, UTF-8 goes by its lead
 * byte, and every other encoding here is one byte per character. An invalid
 * byte counts as one character and is left for the decoder to report.
 *
 * Records end with LF or CRLF, or, with `record_bytes: N`, are blocks of N
 * bytes with no line ends; blank lines are no records; a UTF-8 byte order
 * mark is skipped in utf-8 tables (and refused in others), UTF-16 refused. A record that does not fill the layout exactly
 * is a counted reject (short_record, long_record) keeping its bytes. One
 * record at a time is held: in the reader's buffer, or, when it outgrows
 * that, in `rec`, capped at max_record_bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extractors/filesrc.h"

extern const struct file_format format_fixed;
extern const struct source_driver source_fixed;

#define FIXED_READ_BYTES (1u << 20)
#define FIXED_MAX_RECORD (64ull << 20)
#define FIXED_MAX_RECORD_LIMIT (1ull << 30)
#define FIXED_MAX_SKIP 1000000ull

enum { ENC_SINGLE, ENC_UTF8, ENC_GB, ENC_BIG5 };

static const struct pb_keyspec fixed_options[] = {
	{"columns", "column names, a list, one per width (default c1, c2 ...)"},
	{"widths", "field widths, a list, e.g. [10, 8, 40]"},
	{"unit", "what widths count: bytes (default) or chars (characters of the table's encoding)"},
	{"trim", "none (default): fields as stored; right: strip trailing spaces of each field"},
	{"record_bytes", "records are blocks of this many bytes without line ends (default: lines)"},
	{"skip_lines", "lines to skip before the first record (default 0)"},
	{"max_record_bytes", "cap on one record's bytes (default 67108864)"},
	{NULL, NULL},
};

static const struct pb_keyspec fixed_source_options[] = {
	FILESRC_SOURCE_OPTIONS,
	{NULL, NULL},
};

struct fixed {
	struct mg_reader r;
	struct mg_input *in;
	unsigned ncols;
	char *names[MG_MAX_COLS];
	size_t width[MG_MAX_COLS];
	uint64_t total;              /* sum of the widths */
	int chars, enc, trim;
	size_t record_bytes;         /* 0: records are lines */
	size_t max_record, max_field;
	uint64_t off, line;
	struct mg_buf rec;
	int done;
	/* the record last read */
	unsigned char *raw;
	size_t rawlen;
	uint64_t rline, roff;
};

static int enc_kind(const char *enc)
{
	static const char *const gb[] = {"gbk", "gb2312", "cp936", "gb18030"};
	static const char *const utf8[] = {"utf-8", "utf8", "utf8mb4"};

	for (size_t i = 0; enc && i < sizeof(gb) / sizeof(gb[0]); i++)
		if (!strcasecmp(enc, gb[i]))
			return ENC_GB;
	for (size_t i = 0; enc && i < sizeof(utf8) / sizeof(utf8[0]); i++)
		if (!strcasecmp(enc, utf8[i]))
			return ENC_UTF8;
	if (enc && (!strcasecmp(enc, "big5") || !strcasecmp(enc, "big5-hkscs")))
		return ENC_BIG5;
	return ENC_SINGLE;
}

/* Bytes of the character at p (n > 0 available). */
static size_t char_len(int enc, const unsigned char *p, size_t n)
{
	unsigned c = p[0];

	if (c < 0x80)
		return 1;
	if (enc == ENC_GB || enc == ENC_BIG5) {
		if (c < 0x81 || c > 0xFE)
			return 1;
		if (n >= 2 && p[1] >= 0x40 && p[1] <= 0xFE && p[1] != 0x7F)
			return 2;
		if (enc == ENC_GB && n >= 4 && p[1] >= 0x30 && p[1] <= 0x39 && p[2] >= 0x81 && p[2] <= 0xFE &&
		    p[3] >= 0x30 && p[3] <= 0x39)
			return 4;
		return 1;
	}
	if (enc == ENC_UTF8) {
		size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 1;

		if (len > n)
			return 1;
		for (size_t k = 1; k < len; k++)
			if ((p[k] & 0xC0) != 0x80)
				return 1;
		return len;
	}
	return 1;
}

/* ---- options ---- */

static int opt_err(struct playbook *pb, const yaml_node_t *n, struct mg_err *e, const char *what)
{
	return mg_err_set(e, MG_E_CONFIG, "%s:%d: %s", pb->path, pb_line(n), what);
}

static int get_count(struct playbook *pb, const struct pb_table *t, const char *key, unsigned long long max,
		     unsigned long long *out, struct mg_err *e)
{
	yaml_node_t *n = pb_get(pb, t->node, key);
	const char *s = pb_scalar(n);
	char msg[160];

	*out = 0;
	if (!n)
		return 0;
	if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 12 || strtoull(s, NULL, 10) > max) {
		snprintf(msg, sizeof(msg), "'%s' must be a whole number from 0 to %llu", key, max);
		return opt_err(pb, n, e, msg);
	}
	*out = strtoull(s, NULL, 10);
	return 0;
}

static int get_word(struct playbook *pb, const struct pb_table *t, const char *key, const char *a, const char *b,
		    int *out, struct mg_err *e)
{
	yaml_node_t *n = pb_get(pb, t->node, key);
	const char *s = pb_scalar(n);
	char msg[120];

	*out = 0;
	if (!n)
		return 0;
	if (s && !strcmp(s, a))
		return 0;
	if (s && !strcmp(s, b)) {
		*out = 1;
		return 0;
	}
	snprintf(msg, sizeof(msg), "'%s' must be %s or %s", key, a, b);
	return opt_err(pb, n, e, msg);
}

static int get_layout(struct fixed *f, struct playbook *pb, const struct pb_table *t, struct mg_err *e)
{
	yaml_node_t *w = pb_get(pb, t->node, "widths"), *c = pb_get(pb, t->node, "columns");
	unsigned k = 0;

	if (!w)
		return opt_err(pb, t->node, e, "a fixed-width table needs 'widths', e.g. [10, 8, 40], and 'columns'");
	if (w->type != YAML_SEQUENCE_NODE || w->data.sequence.items.start == w->data.sequence.items.top)
		return opt_err(pb, w, e, "'widths' must be a list of field widths, e.g. [10, 8, 40]");
	for (yaml_node_item_t *it = w->data.sequence.items.start; it < w->data.sequence.items.top; it++) {
		yaml_node_t *v = pb_node(pb, *it);
		const char *s = pb_scalar(v);

		if (k == MG_MAX_COLS)
			return opt_err(pb, w, e, "'widths' lists more than 256 fields");
		if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10 || !strtoull(s, NULL, 10) ||
		    strtoull(s, NULL, 10) > f->max_record)
			return opt_err(pb, v, e, "each width must be a whole number from 1 to max_record_bytes");
		f->width[k] = (size_t)strtoull(s, NULL, 10);
		f->total += f->width[k];
		k++;
	}
	f->ncols = k;
	if (c && (c->type != YAML_SEQUENCE_NODE ||
		  (unsigned)(c->data.sequence.items.top - c->data.sequence.items.start) != k)) {
		char msg[120];

		snprintf(msg, sizeof(msg), "'columns' must be a list of %u names, one per width", k);
		return opt_err(pb, c, e, msg);
	}
	for (k = 0; k < f->ncols; k++) {
		const char *s = NULL;
		char dflt[16];

		if (c) {
			yaml_node_t *v = pb_node(pb, c->data.sequence.items.start[k]);

			if (!(s = pb_scalar(v)) || !*s)
				return opt_err(pb, v, e, "each entry of 'columns' must be a non-empty name");
			for (unsigned j = 0; j < k; j++)
				if (!strcmp(f->names[j], s)) {
					char msg[200];

					snprintf(msg, sizeof(msg), "column '%.100s' is named twice in 'columns'", s);
					return opt_err(pb, v, e, msg);
				}
		} else {
			snprintf(dflt, sizeof(dflt), "c%u", k + 1);
			s = dflt;
		}
		if (!(f->names[k] = strdup(s)))
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
	}
	return 0;
}

/* ---- reading ---- */

static int too_long(struct fixed *f, struct mg_err *e)
{
	return mg_err_set(e, MG_E_LIMIT, "record at line %llu (byte offset %llu) is longer than max_record_bytes "
			  "(%zu bytes)", (unsigned long long)f->rline, (unsigned long long)f->roff, f->max_record);
}

/* Read the next record: 1, 0 at the end, -1 on error. */
static int read_record(struct fixed *f, struct mg_err *e)
{
	struct mg_reader *r = &f->r;
	size_t i, term;
	int spilled;

again:
	i = term = 0;
	spilled = 0;
	buf_reset(&f->rec);
	f->rline = f->line;
	f->roff = f->off;
	for (;;) {
		size_t avail = r->len - r->pos;
		unsigned char *lf;

		if (f->record_bytes && f->rec.len + avail >= f->record_bytes) {
			i = f->record_bytes - f->rec.len;
			break;
		}
		if (!f->record_bytes && i < avail && (lf = memchr(r->buf + r->pos + i, '\n', avail - i))) {
			i = (size_t)(lf - (r->buf + r->pos));
			term = 1;
			break;
		}
		i = avail;
		if (f->rec.len + i > f->max_record)
			return too_long(f, e);
		if (r->eof)
			break;
		if (i == r->cap) {          /* the record outgrew the read buffer */
			if (buf_add(&f->rec, r->buf + r->pos, i, e))
				return -1;
			r->pos += i;
			i = 0;
			spilled = 1;
		}
		if (reader_fill(r, i + 1, e) < 0)
			return -1;
	}
	if (f->rec.len + i > f->max_record)
		return too_long(f, e);
	if (spilled) {
		if (buf_add(&f->rec, r->buf + r->pos, i, e))
			return -1;
		f->raw = f->rec.ptr;
		f->rawlen = f->rec.len;
	} else {
		f->raw = r->buf + r->pos;
		f->rawlen = i;
	}
	r->pos += i + term;
	f->off += f->rawlen + term;
	if (f->rawlen == 0 && !term)
		return 0;                   /* end of the stream */
	f->line++;
	if (!f->record_bytes) {
		/* the CR of a CRLF, or a CR ending the last line */
		if (f->rawlen && f->raw[f->rawlen - 1] == '\r')
			f->rawlen--;
		if (f->rawlen == 0)
			goto again;         /* a blank line is no record */
	}
	return 1;
}

static int skip_line(struct fixed *f, struct mg_err *e)
{
	struct mg_reader *r = &f->r;

	for (;;) {
		unsigned char *lf;
		size_t n;

		if (r->pos >= r->len) {
			if (reader_fill(r, 1, e) < 0)
				return -1;
			if (r->pos >= r->len)
				return 0;
		}
		n = r->len - r->pos;
		lf = memchr(r->buf + r->pos, '\n', n);
		n = lf ? (size_t)(lf - (r->buf + r->pos)) + 1 : n;
		r->pos += n;
		f->off += n;
		if (lf) {
			f->line++;
			return 1;
		}
	}
}

static void fixed_close(void *state)
{
	struct fixed *f = state;

	if (!f)
		return;
	reader_release(&f->r);
	buf_release(&f->rec);
	for (unsigned k = 0; k < MG_MAX_COLS; k++)
		free(f->names[k]);
	free(f);
}

static int fixed_open(struct playbook *pb, const struct pb_table *t, struct mg_input *in, void **state,
		      struct mg_columns *cols, struct mg_err *e)
{
	struct fixed *f = calloc(1, sizeof(*f));
	unsigned long long v, skip;
	ssize_t got;

	*state = NULL;
	if (!f)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	f->in = in;
	f->line = 1;
	buf_init(&f->rec, 0, "max_record_bytes");
	if (pb_get_uint(pb, t->node, "max_record_bytes", FIXED_MAX_RECORD, FIXED_MAX_RECORD_LIMIT, &v, e))
		goto fail;
	f->max_record = (size_t)v;
	f->rec.cap = f->max_record;
	f->max_field = t->max_field_bytes ? t->max_field_bytes : SIZE_MAX;
	if (get_layout(f, pb, t, e) || get_word(pb, t, "unit", "bytes", "chars", &f->chars, e) ||
	    get_word(pb, t, "trim", "none", "right", &f->trim, e) ||
	    get_count(pb, t, "skip_lines", FIXED_MAX_SKIP, &skip, e) ||
	    get_count(pb, t, "record_bytes", f->max_record, &v, e))
		goto fail;
	f->record_bytes = (size_t)v;
	if (pb_get(pb, t->node, "record_bytes") && !f->record_bytes) {
		opt_err(pb, pb_get(pb, t->node, "record_bytes"), e, "'record_bytes' must be 1 or more");
		goto fail;
	}
	if (f->record_bytes && skip) {
		opt_err(pb, pb_get(pb, t->node, "skip_lines"), e, "'skip_lines' needs records that are lines, "
			"not 'record_bytes' blocks");
		goto fail;
	}
	if (f->record_bytes && !f->chars && f->record_bytes != f->total) {
		char msg[160];

		snprintf(msg, sizeof(msg), "'record_bytes' (%zu) must equal the sum of the widths (%llu)",
			 f->record_bytes, (unsigned long long)f->total);
		opt_err(pb, pb_get(pb, t->node, "record_bytes"), e, msg);
		goto fail;
	}
	if (t->encoding && !strncasecmp(t->encoding, "utf-16", 6)) {
		mg_err_set(e, MG_E_CONFIG, "UTF-16 input is not supported by fixed; convert it "
			   "(iconv -f %s -t UTF-8) and declare utf-8", t->encoding);
		goto fail;
	}
	f->enc = enc_kind(t->encoding);
	if (reader_init(&f->r, in, FIXED_READ_BYTES, e) || (got = reader_fill(&f->r, 3, e)) < 0)
		goto fail;
	if (got >= 2 && ((f->r.buf[0] == 0xFF && f->r.buf[1] == 0xFE) || (f->r.buf[0] == 0xFE && f->r.buf[1] == 0xFF))) {
		mg_err_set(e, MG_E_SOURCE, "UTF-16 input is not supported by fixed; convert it "
			   "(iconv -f UTF-16 -t UTF-8) and declare utf-8");
		goto fail;
	}
	if (got >= 3 && f->r.buf[0] == 0xEF && f->r.buf[1] == 0xBB && f->r.buf[2] == 0xBF) {
		if (f->enc != ENC_UTF8) {
			mg_err_set(e, MG_E_SOURCE, "the file starts with a UTF-8 byte order mark but the table "
				   "declares '%s'; declare utf-8", t->encoding ? t->encoding : "?");
			goto fail;
		}
		f->r.pos = 3;               /* a UTF-8 byte order mark: not part of the data */
		f->off = 3;
	}
	for (unsigned long long k = 0; k < skip; k++) {
		int rc = skip_line(f, e);

		if (rc < 0)
			goto fail;
		if (!rc)
			break;
	}
	cols->n = f->ncols;
	for (unsigned k = 0; k < f->ncols; k++)
		cols->name[k] = f->names[k];
	*state = f;
	return 0;
fail:
	fixed_close(f);
	return -1;
}

/* A reject of the current record, with its original bytes and place. */
#define reject(f, b, recno, reason, e, ...) \
	filesrc_rejectf(b, (f)->in->name, recno, reason, (f)->raw, (f)->rawlen, (f)->rline, (f)->roff, e, \
			__VA_ARGS__)

static int emit(struct fixed *f, struct mg_batch *b, uint64_t recno, struct mg_err *e)
{
	size_t start[MG_MAX_COLS], len[MG_MAX_COLS], pos = 0;
	const char *unit = f->chars ? "characters" : "bytes";
	unsigned long long line = f->rline;
	uint64_t found = 0;

	for (unsigned k = 0; k < f->ncols; k++) {
		start[k] = pos;
		if (!f->chars) {
			pos += f->width[k];
		} else {
			for (size_t n = 0; n < f->width[k] && pos < f->rawlen; n++, found++)
				pos += char_len(f->enc, f->raw + pos, f->rawlen - pos);
		}
		if (pos > f->rawlen) {
			pos = f->rawlen;
			found = f->rawlen;
		}
		len[k] = pos - start[k];
	}
	if (!f->chars)
		found = f->rawlen;
	else
		for (size_t p = pos; p < f->rawlen; found++)
			p += char_len(f->enc, f->raw + p, f->rawlen - p);
	if (found < f->total)
		return reject(f, b, recno, "short_record", e, "line %llu: expected %llu %s, found %llu", line,
			      (unsigned long long)f->total, unit, (unsigned long long)found);
	if (found > f->total)
		return reject(f, b, recno, "long_record", e, "line %llu: expected %llu %s, found %llu", line,
			      (unsigned long long)f->total, unit, (unsigned long long)found);
	for (unsigned k = 0; k < f->ncols; k++) {
		if (f->trim)
			while (len[k] && f->raw[start[k] + len[k] - 1] == ' ')
				len[k]--;
		if (len[k] > f->max_field)
			return reject(f, b, recno, "oversized_field", e, "line %llu: field %u has %zu bytes, more than "
				      "max_field_bytes (%zu)", line, k + 1, len[k], f->max_field);
	}
	batch_row_begin(b);
	for (unsigned k = 0; k < f->ncols; k++)
		if (batch_put(b, k, f->raw + start[k], len[k], e))
			return -1;
	return filesrc_row_end(b, f->in->name, recno, f->rline, f->roff, e);
}

static int fixed_next(void *state, struct mg_batch *b, uint64_t *recno, struct mg_err *e)
{
	struct fixed *f = state;

	if (f->done)
		return MG_DONE;
	for (;;) {
		int rc = read_record(f, e);

		if (rc < 0)
			return MG_ERR;
		if (rc == 0) {
			f->done = 1;
			return MG_DONE;
		}
		++*recno;
		if (*recno > b->skip_through && emit(f, b, *recno, e))
			return MG_ERR;
		if (batch_full(b))
			return MG_OK;
	}
}

const struct file_format format_fixed = {
	.name = "fixed",
	.options = fixed_options,
	.open = fixed_open,
	.next = fixed_next,
	.close = fixed_close,
};

const struct source_driver source_fixed = FILESRC_DRIVER("fixed", fixed_source_options);
