/* extractors/csv.c: delimited text files (RFC 4180), as a file format.
 *
 * A record is read in two passes over its bytes. The scan finds where the
 * record ends (a CR, LF or CRLF outside quotes), counts its fields and
 * notes what is wrong with it (an unclosed quote, bytes after a closing
 * quote, a field over max_field_bytes), without copying: the record stays
 * in the reader's buffer, or, when it outgrows that buffer, is moved into
 * `rec`, capped at max_record_bytes. Only a good record with the header's
 * field count is then split: quoted fields are unescaped in place ("" -> ")
 * and every field goes into the batch as the bytes stored in the file. A
 * bad record becomes a counted reject holding its original bytes. Memory
 * is the read buffer plus at most one record, whatever the file's size.
 *
 * Line ends: the first one outside quotes decides. LF or CRLF: records end
 * there and a lone CR is data (as stray CRs in legacy text are); a lone CR
 * (old Macintosh files): CR, LF and CRLF all end records. Blank lines are
 * no records. A UTF-8 byte order mark is skipped; UTF-16 is refused.
 *
 * Multi-byte encodings. In GBK (and its subsets GB2312/CP936), GB18030 and
 * Big5 the second byte of a two-byte character is 0x40..0x7E or 0x80..0xFE,
 * and the second and fourth bytes of a GB18030 four-byte sequence are
 * 0x30..0x39. So `|` (0x7C), `\` (0x5C), `^`, `~`, `@`, letters and digits
 * can be half of a character and splitting on the byte cuts characters in
 * two. `,` (0x2C), `;` (0x3B), tab, `"` (0x22), `'` (0x27), CR and LF are
 * neither digits nor 0x40 or above, so never such a byte: for them,
 * splitting byte by byte is exact and fast. When the table
 * is in one of these encodings and the delimiter or the quote is a byte
 * that can follow a lead byte, the scan walks characters instead: a lead
 * byte 0x81..0xFE takes the next byte with it when that is a trail byte,
 * and in the GB family a lead followed by a digit starts a four-byte
 * sequence. The bytes handed over stay the original bytes; decoding is the
 * transform's job (it decodes the whole GB family as GB18030, and so does
 * this walk).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extractors/filesrc.h"
#include "transform/decode.h"

extern const struct file_format format_csv;
extern const struct source_driver source_csv;

#define CSV_READ_BYTES (1u << 20)        /* the reader's buffer */
#define CSV_MAX_RECORD (64ull << 20)     /* default max_record_bytes */
#define CSV_MAX_RECORD_LIMIT (1ull << 30)
#define CSV_MAX_SKIP 1000000ull

/* byte classes of the scan */
enum { C_PLAIN = 0, C_DELIM, C_QUOTE, C_CR, C_LF, C_LEAD };
/* scan states */
enum { S_FSTART, S_UNQ, S_QUOTED, S_AFTERQ };
/* what the scan found */
enum { REC_OK, REC_BADQUOTE, REC_UNTERMINATED };
/* multi-byte walking */
enum { MB_NONE, MB_GB, MB_BIG5 };
/* line ends of the file, from the first one outside quotes */
enum { EOL_UNKNOWN, EOL_LF, EOL_CR };

static const struct pb_keyspec csv_options[] = {
	{"delimiter", "field separator: one byte, 'tab' or '\\xHH' (default ',')"},
	{"quote", "quote character, or 'none' (default '\"')"},
	{"header", "true: the first line names the columns (default); false: columns are c1, c2 ..."},
	{"columns", "column names, a list; replaces the header's names or names a file without header"},
	{"skip_lines", "lines to skip before the header or the first record (default 0)"},
	{"max_record_bytes", "cap on one record's bytes, quoted line breaks included (default 67108864)"},
	{NULL, NULL},
};

static const struct pb_keyspec csv_source_options[] = {
	FILESRC_SOURCE_OPTIONS,
	{NULL, NULL},
};

struct csv {
	struct mg_reader r;
	struct mg_input *in;
	unsigned char cls_unq[256];  /* classes outside quotes */
	unsigned char cls_q[256];    /* classes inside quotes */
	int delim, quote;            /* quote -1: none */
	int mb;
	int eol;                     /* EOL_LF: LF or CRLF end records, a lone CR is data */
	size_t max_record, max_field;
	uint64_t off;                /* stream offset of the next record */
	uint64_t line;               /* physical line of the next record */
	struct mg_buf rec;           /* a record that outgrew the read buffer */
	int spilled;
	unsigned ncols;
	char *names[MG_MAX_COLS];
	int pending;                 /* the first record was read by open */
	int done;
	/* the record last scanned */
	unsigned char *raw;
	size_t rawlen;
	uint64_t rline, roff, qline;
	uint64_t nfields;
	int status;
	uint64_t badfield, bigfield;
	size_t biglen;
	int st;                      /* scan state, for messages */
};

/* ---- characters ---- */

static int mb_family(const char *enc)
{
	static const char *const gb[] = {"gbk", "gb2312", "cp936", "gb18030"};
	static const char *const b5[] = {"big5", "big5-hkscs"};

	for (size_t i = 0; enc && i < sizeof(gb) / sizeof(gb[0]); i++)
		if (!strcasecmp(enc, gb[i]))
			return MB_GB;
	for (size_t i = 0; enc && i < sizeof(b5) / sizeof(b5[0]); i++)
		if (!strcasecmp(enc, b5[i]))
			return MB_BIG5;
	return MB_NONE;
}

/* Bytes of the character starting with lead byte p[0] (0x81..0xFE), of n
 * available: 2 with a trail byte, 4 for a GB18030 four-byte sequence, else
 * 1 (an invalid byte, left for the decoder to report). */
static inline size_t mb_len(int mb, const unsigned char *p, size_t n)
{
	if (n >= 2 && p[1] >= 0x40 && p[1] <= 0xFE && p[1] != 0x7F)
		return 2;
	if (mb == MB_GB && n >= 4 && p[1] >= 0x30 && p[1] <= 0x39 && p[2] >= 0x81 && p[2] <= 0xFE &&
	    p[3] >= 0x30 && p[3] <= 0x39)
		return 4;
	return 1;
}

/* Can byte c be a non-first byte of a character of family mb? */
static int can_be_trail(int mb, int c)
{
	return c >= 0 && ((c >= 0x40 && c <= 0x7E) || (mb == MB_GB && c >= 0x30 && c <= 0x39));
}

/* Skip bytes of class C_PLAIN from i, and two-byte characters (a lead and
 * a trail byte, the common case, taken here without leaving the loop). */
static inline size_t run(const unsigned char *cls, int mb, const unsigned char *p, size_t i, size_t avail)
{
	for (;;) {
		while (i < avail && !cls[p[i]])
			i++;
		if (!mb || i + 1 >= avail || cls[p[i]] != C_LEAD || p[i + 1] < 0x40 || p[i + 1] == 0x7F ||
		    p[i + 1] == 0xFF)
			return i;
		i += 2;
	}
}

/* The first byte at or after i that is stop (a delimiter or quote below
 * 0x80, so never a lead byte), or n; characters are walked in mb mode. */
static size_t skip_to(int mb, const unsigned char *p, size_t i, size_t n, int stop)
{
	if (!mb) {
		const unsigned char *q = memchr(p + i, stop, n - i);

		return q ? (size_t)(q - p) : n;
	}
	while (i < n && p[i] != stop)
		i += p[i] >= 0x81 && p[i] <= 0xFE ? mb_len(mb, p + i, n - i) : 1;
	return i < n ? i : n;
}

/* ---- options ---- */

static int opt_err(struct playbook *pb, const yaml_node_t *n, struct mg_err *e, const char *what)
{
	return mg_err_set(e, MG_E_CONFIG, "%s:%d: %s", pb->path, pb_line(n), what);
}

/* One byte written as itself, 'tab', '\t' or '\xHH'; -1 for 'none' when allowed. */
static int get_byte(struct playbook *pb, const struct pb_table *t, const char *key, int dflt, int allow_none,
		    int *out, struct mg_err *e)
{
	yaml_node_t *n = pb_get(pb, t->node, key);
	const char *s = pb_scalar(n);
	char msg[200];

	*out = dflt;
	if (!n)
		return 0;
	if (s && strlen(s) == 1)
		*out = (unsigned char)s[0];
	else if (s && (!strcasecmp(s, "tab") || !strcmp(s, "\\t")))
		*out = '\t';
	else if (s && allow_none && !strcasecmp(s, "none"))
		*out = -1;
	else if (s && strlen(s) == 4 && s[0] == '\\' && s[1] == 'x' && strspn(s + 2, "0123456789abcdefABCDEF") == 2)
		*out = (int)strtol(s + 2, NULL, 16);
	else {
		snprintf(msg, sizeof(msg), "'%s' must be one byte, 'tab' or '\\xHH'%s (quote '|' and '#' in YAML)",
			 key, allow_none ? " or 'none'" : "");
		return opt_err(pb, n, e, msg);
	}
	if (*out == '\r' || *out == '\n' || *out == 0) {
		snprintf(msg, sizeof(msg), "'%s' cannot be CR, LF or NUL", key);
		return opt_err(pb, n, e, msg);
	}
	return 0;
}

/* A whole number, 0 allowed. */
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

static int get_bool(struct playbook *pb, const struct pb_table *t, const char *key, int dflt, int *out,
		    struct mg_err *e)
{
	yaml_node_t *n = pb_get(pb, t->node, key);
	const char *s = pb_scalar(n);
	char msg[120];

	*out = dflt;
	if (!n)
		return 0;
	if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")))
		*out = 1;
	else if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")))
		*out = 0;
	else {
		snprintf(msg, sizeof(msg), "'%s' must be true or false", key);
		return opt_err(pb, n, e, msg);
	}
	return 0;
}

static int add_name(struct csv *c, unsigned k, const char *name, size_t n, struct mg_err *e)
{
	for (unsigned j = 0; j < k; j++)
		if (strlen(c->names[j]) == n && !memcmp(c->names[j], name, n))
			return mg_err_set(e, MG_E_SOURCE, "duplicate column name '%s' (columns %u and %u); "
					  "name the columns with 'columns'", c->names[j], j + 1, k + 1);
	c->names[k] = malloc(n + 1);
	if (!c->names[k])
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	memcpy(c->names[k], name, n);
	c->names[k][n] = '\0';
	return 0;
}

/* The `columns` list, if any: fills names, returns the count (0 if absent). */
static int get_columns(struct csv *c, struct playbook *pb, const struct pb_table *t, unsigned *ncols,
		       struct mg_err *e)
{
	yaml_node_t *n = pb_get(pb, t->node, "columns");
	unsigned k = 0;

	*ncols = 0;
	if (!n)
		return 0;
	if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.start == n->data.sequence.items.top)
		return opt_err(pb, n, e, "'columns' must be a list of column names, e.g. [id, title, content]");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = pb_node(pb, *it);
		const char *s = pb_scalar(v);

		if (!s || !*s)
			return opt_err(pb, v, e, "each entry of 'columns' must be a non-empty name");
		if (k == MG_MAX_COLS)
			return opt_err(pb, n, e, "'columns' names more than 256 columns");
		if (add_name(c, k, s, strlen(s), e)) {
			mg_err_prefix(e, "%s:%d", pb->path, pb_line(v));
			return -1;
		}
		*ncols = ++k;
	}
	return 0;
}

static int check_encodings(struct playbook *pb, const struct pb_table *t, struct mg_err *e)
{
	for (yaml_node_pair_t *p = pb_pairs_begin(t->encodings); p && p < pb_pairs_end(t->encodings); p++) {
		const char *col = pb_scalar(pb_node(pb, p->key)), *enc = pb_scalar(pb_node(pb, p->value));

		if (enc && mb_family(enc) == MB_NONE)
			return mg_err_set(e, MG_E_CONFIG,
					  "%s:%d: column '%s' is in '%s' but the table's '%s' text is split character "
					  "by character (the delimiter or quote can be the second byte of a character): "
					  "one file cannot be split both ways; use a delimiter below 0x30 such as ',' or tab",
					  pb->path, pb_line(pb_node(pb, p->value)), col ? col : "?", enc, t->encoding);
	}
	return 0;
}

/* ---- reading ---- */

/* Make *i + need bytes from r.pos available unless the stream ends. A
 * record that would not fit the read buffer moves into rec (spill). */
static int too_long(struct csv *c, struct mg_err *e);

static int need(struct csv *c, size_t *i, size_t n, struct mg_err *e)
{
	struct mg_reader *r = &c->r;

	if (r->len - r->pos >= *i + n || r->eof)
		return 0;
	if (*i + n > r->cap) {
		if (c->rec.len + *i > c->max_record)
			return too_long(c, e);
		if (buf_add(&c->rec, r->buf + r->pos, *i, e))
			return -1;
		r->pos += *i;
		*i = 0;
		c->spilled = 1;
	}
	return reader_fill(r, *i + n, e) < 0 ? -1 : 0;
}

static int too_long(struct csv *c, struct mg_err *e)
{
	char open[80] = "";

	if (c->st == S_QUOTED)
		snprintf(open, sizeof(open), "; a quote opened on line %llu is still open",
			 (unsigned long long)c->qline);
	return mg_err_set(e, MG_E_LIMIT, "record at line %llu (byte offset %llu) is longer than max_record_bytes "
			  "(%zu bytes)%s", (unsigned long long)c->rline, (unsigned long long)c->roff,
			  c->max_record, open);
}

/* Scan the next record (skipping blank lines). Returns 1 with the record
 * described in c, 0 at the end of the stream, -1 on error. */
static int scan(struct csv *c, struct mg_err *e)
{
	struct mg_reader *r = &c->r;
	const unsigned char *p;
	size_t i, avail, flen, term, len;
	uint64_t breaks;
	int st;

again:
	i = 0;
	flen = 0;
	term = 0;
	breaks = 0;
	st = S_FSTART;
	buf_reset(&c->rec);
	c->spilled = 0;
	c->rline = c->line;
	c->roff = c->off;
	c->nfields = 1;
	c->status = REC_OK;
	c->badfield = c->bigfield = 0;
	c->biglen = 0;
	for (;;) {
		avail = r->len - r->pos;
		if (i >= avail) {
			c->st = st;
			if (c->rec.len + i > c->max_record)
				return too_long(c, e);
			if (need(c, &i, 1, e))
				return -1;
			avail = r->len - r->pos;
			if (i >= avail) {           /* end of the stream */
				if (i == 0 && !c->spilled)
					return 0;
				if (st == S_QUOTED)
					c->status = REC_UNTERMINATED;
				break;
			}
		}
		p = r->buf + r->pos;
		switch (st) {
		case S_FSTART:
			if (c->cls_unq[p[i]] == C_DELIM) {
				i++;
				c->nfields++;
				flen = 0;
				continue;
			}
			if (c->quote >= 0 && p[i] == c->quote) {
				i++;
				st = S_QUOTED;
				c->qline = c->line + breaks;
				continue;
			}
			st = S_UNQ;
			continue;
		case S_UNQ:
		case S_AFTERQ: {
			size_t s = i;
			int k;

			if (st == S_UNQ)
				i = run(c->cls_unq, c->mb, p, i, avail);
			flen += i - s;
			if (i >= avail)
				continue;
			k = c->cls_unq[p[i]];
			if (k == C_DELIM) {
				if (flen > c->max_field && !c->bigfield)
					c->bigfield = c->nfields, c->biglen = flen;
				i++;
				c->nfields++;
				flen = 0;
				st = S_FSTART;
			} else if (k == C_LF) {
				if (c->eol == EOL_UNKNOWN)
					c->eol = EOL_LF;
				term = 1;
				goto end;
			} else if (k == C_CR) {
				int crlf;

				c->st = st;
				if (need(c, &i, 2, e))
					return -1;
				p = r->buf + r->pos;
				crlf = i + 1 < r->len - r->pos && p[i + 1] == '\n';
				if (c->eol == EOL_UNKNOWN)
					c->eol = crlf ? EOL_LF : EOL_CR;
				if (crlf || c->eol == EOL_CR) {
					term = crlf ? 2 : 1;
					goto end;
				}
				/* a lone CR in a file of LF lines: data */
				if (st == S_AFTERQ && c->status == REC_OK)
					c->status = REC_BADQUOTE, c->badfield = c->nfields;
				st = S_UNQ;
				i++;
				flen++;
			} else if (st == S_AFTERQ) {
				if (c->status == REC_OK)
					c->status = REC_BADQUOTE, c->badfield = c->nfields;
				st = S_UNQ;
			} else if (k == C_LEAD) {
				c->st = st;
				if (need(c, &i, 4, e))
					return -1;
				p = r->buf + r->pos;
				len = mb_len(c->mb, p + i, r->len - r->pos - i);
				i += len;
				flen += len;
			}
			continue;
		}
		case S_QUOTED: {
			size_t s = i;
			int k;

			i = run(c->cls_q, c->mb, p, i, avail);
			flen += i - s;
			if (i >= avail)
				continue;
			k = c->cls_q[p[i]];
			if (k == C_QUOTE) {
				c->st = st;
				if (need(c, &i, 2, e))
					return -1;
				p = r->buf + r->pos;
				if (i + 1 < r->len - r->pos && p[i + 1] == c->quote) {
					i += 2;
					flen++;
				} else {
					i++;
					st = S_AFTERQ;
				}
			} else if (k == C_LF) {
				i++;
				flen++;
				breaks++;
			} else if (k == C_CR) {
				c->st = st;
				if (need(c, &i, 2, e))
					return -1;
				p = r->buf + r->pos;
				len = i + 1 < r->len - r->pos && p[i + 1] == '\n' ? 2 : 1;
				i += len;
				flen += len;
				if (len == 2 || c->eol != EOL_LF)
					breaks++;   /* a lone CR is a line end only in CR files */
			} else {
				c->st = st;
				if (need(c, &i, 4, e))
					return -1;
				p = r->buf + r->pos;
				len = mb_len(c->mb, p + i, r->len - r->pos - i);
				i += len;
				flen += len;
			}
			continue;
		}
		}
	}
	goto done;
end:
	/* p[i] starts the record's line end, of term bytes */
	breaks++;
done:
	c->st = st;
	if (c->rec.len + i > c->max_record)
		return too_long(c, e);
	if (flen > c->max_field && !c->bigfield)
		c->bigfield = c->nfields, c->biglen = flen;
	if (c->spilled) {
		if (buf_add(&c->rec, r->buf + r->pos, i, e))
			return -1;
		c->raw = c->rec.ptr;
		c->rawlen = c->rec.len;
	} else {
		c->raw = r->buf + r->pos;
		c->rawlen = i;
	}
	r->pos += i + term;
	c->off += c->rawlen + term;
	c->line += breaks;
	if (c->rawlen == 0 && term)
		goto again;                 /* a blank line is no record */
	return 1;
}

/* Split a good record in place: quoted fields lose their quotes and
 * doubled quotes become one. Fills up to max fields; returns the count. */
static unsigned split(const struct csv *c, unsigned char *p, size_t n, unsigned char **fp, size_t *fl,
		      unsigned max)
{
	size_t i = 0;
	unsigned k = 0;

	for (;;) {
		size_t start, w;

		if (c->quote >= 0 && i < n && p[i] == c->quote) {
			start = w = ++i;
			while (i < n) {
				size_t j = skip_to(c->mb, p, i, n, c->quote);

				if (w != i)
					memmove(p + w, p + i, j - i);
				w += j - i;
				i = j;
				if (i >= n)
					break;
				if (i + 1 < n && p[i + 1] == c->quote) {
					p[w++] = p[i];
					i += 2;
					continue;
				}
				i++;                /* the closing quote */
				break;
			}
		} else {
			start = i;
			i = w = skip_to(c->mb, p, i, n, c->delim);
		}
		if (k < max) {
			fp[k] = p + start;
			fl[k] = w - start;
		}
		k++;
		if (i >= n)
			return k;
		i++;                        /* the delimiter */
	}
}

/* Skip one physical line (skip_lines); returns 0 at the end of the stream. */
static int skip_line(struct csv *c, struct mg_err *e)
{
	struct mg_reader *r = &c->r;

	for (;;) {
		unsigned char *p, *cr, *lf, *at;
		size_t n;

		if (r->pos >= r->len) {
			if (reader_fill(r, 1, e) < 0)
				return -1;
			if (r->pos >= r->len)
				return 0;
		}
		p = r->buf + r->pos;
		n = r->len - r->pos;
		cr = memchr(p, '\r', n);
		lf = memchr(p, '\n', cr ? (size_t)(cr - p) : n);
		at = lf ? lf : cr;
		if (!at) {
			r->pos += n;
			c->off += n;
			continue;
		}
		r->pos += (size_t)(at - p) + 1;
		c->off += (uint64_t)(at - p) + 1;
		c->line++;
		if (*at == '\r') {
			if (reader_fill(r, 1, e) < 0)
				return -1;
			if (r->pos < r->len && r->buf[r->pos] == '\n') {
				r->pos++;
				c->off++;
			}
		}
		return 1;
	}
}

static int header_names(struct csv *c, const struct pb_table *t, struct mg_err *e)
{
	unsigned char *fp[MG_MAX_COLS];
	size_t fl[MG_MAX_COLS];
	struct mg_decoder d;
	struct mg_buf out;
	unsigned n;
	int rc = 0;

	if (c->nfields > MG_MAX_COLS)
		return mg_err_set(e, MG_E_LIMIT, "header line %llu has %llu fields, more than %d columns",
				  (unsigned long long)c->rline, (unsigned long long)c->nfields, MG_MAX_COLS);
	n = split(c, c->raw, c->rawlen, fp, fl, MG_MAX_COLS);
	if (decoder_open(&d, t->encoding ? t->encoding : "utf-8", e))
		return -1;
	buf_init(&out, 1u << 16, "column name");
	for (unsigned k = 0; k < n && !rc; k++) {
		size_t bad;
		int dr;
		char dflt[16];

		buf_reset(&out);
		dr = fl[k] ? decoder_run(&d, fp[k], fl[k], &out, &bad, e) : 0;
		if (dr < 0)
			rc = -1;
		else if (dr)
			rc = mg_err_set(e, MG_E_SOURCE, "header field %u on line %llu is not valid '%s' text (byte %zu); "
					"name the columns with 'columns'", k + 1, (unsigned long long)c->rline,
					t->encoding ? t->encoding : "utf-8", bad + 1);
		else if (out.len == 0) {
			snprintf(dflt, sizeof(dflt), "c%u", k + 1);
			rc = add_name(c, k, dflt, strlen(dflt), e);
		} else {
			rc = add_name(c, k, (const char *)out.ptr, out.len, e);
		}
		if (!rc)
			c->ncols = k + 1;
	}
	buf_release(&out);
	decoder_close(&d);
	return rc;
}

static void csv_close(void *state)
{
	struct csv *c = state;

	if (!c)
		return;
	reader_release(&c->r);
	buf_release(&c->rec);
	for (unsigned k = 0; k < MG_MAX_COLS; k++)
		free(c->names[k]);
	free(c);
}

static int csv_setup(struct csv *c, struct playbook *pb, const struct pb_table *t, int *header,
		     unsigned long long *skip, struct mg_err *e)
{
	unsigned long long v;
	int unsafe;

	if (get_byte(pb, t, "delimiter", ',', 0, &c->delim, e) || get_byte(pb, t, "quote", '"', 1, &c->quote, e) ||
	    get_bool(pb, t, "header", 1, header, e) || get_count(pb, t, "skip_lines", CSV_MAX_SKIP, skip, e) ||
	    pb_get_uint(pb, t->node, "max_record_bytes", CSV_MAX_RECORD, CSV_MAX_RECORD_LIMIT, &v, e))
		return -1;
	c->max_record = (size_t)v;
	c->max_field = t->max_field_bytes ? t->max_field_bytes : SIZE_MAX;
	if (c->quote == c->delim)
		return opt_err(pb, pb_get(pb, t->node, "quote"), e, "'quote' and 'delimiter' must differ");
	if (t->encoding && !strncasecmp(t->encoding, "utf-16", 6))
		return mg_err_set(e, MG_E_CONFIG, "UTF-16 input is not supported by csv; convert it "
				  "(iconv -f %s -t UTF-8) and declare utf-8", t->encoding);
	c->mb = mb_family(t->encoding);
	if ((c->delim >= 0x80 || c->quote >= 0x80) && t->encoding && (c->mb || !strncasecmp(t->encoding, "utf", 3)))
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: a delimiter or quote of 0x80 or above is part of "
				  "characters in '%s'", pb->path, pb_line(t->node), t->encoding);
	unsafe = can_be_trail(c->mb, c->delim) || can_be_trail(c->mb, c->quote);
	if (c->mb && !unsafe)
		c->mb = MB_NONE;            /* byte splitting is exact: see the top of the file */
	if (c->mb && check_encodings(pb, t, e))
		return -1;
	memset(c->cls_unq, C_PLAIN, sizeof(c->cls_unq));
	memset(c->cls_q, C_PLAIN, sizeof(c->cls_q));
	if (c->mb)
		for (int b = 0x81; b <= 0xFE; b++)
			c->cls_unq[b] = c->cls_q[b] = C_LEAD;
	c->cls_unq[c->delim] = C_DELIM;
	c->cls_unq['\r'] = c->cls_q['\r'] = C_CR;
	c->cls_unq['\n'] = c->cls_q['\n'] = C_LF;
	if (c->quote >= 0)
		c->cls_q[c->quote] = C_QUOTE;
	return 0;
}

static int csv_open(struct playbook *pb, const struct pb_table *t, struct mg_input *in, void **state,
		    struct mg_columns *cols, struct mg_err *e)
{
	struct csv *c = calloc(1, sizeof(*c));
	unsigned long long skip;
	unsigned ncolumns;
	int header, rc;
	ssize_t got;

	*state = NULL;
	if (!c)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	c->in = in;
	c->line = 1;
	buf_init(&c->rec, 0, "max_record_bytes");
	if (csv_setup(c, pb, t, &header, &skip, e) || get_columns(c, pb, t, &ncolumns, e))
		goto fail;
	c->rec.cap = c->max_record;
	if (reader_init(&c->r, in, CSV_READ_BYTES, e) || (got = reader_fill(&c->r, 4, e)) < 0)
		goto fail;
	if (got >= 2 && ((c->r.buf[0] == 0xFF && c->r.buf[1] == 0xFE) || (c->r.buf[0] == 0xFE && c->r.buf[1] == 0xFF))) {
		mg_err_set(e, MG_E_SOURCE, "UTF-16 input is not supported by csv; convert it "
			   "(iconv -f UTF-16 -t UTF-8) and declare utf-8");
		goto fail;
	}
	if (got >= 3 && c->r.buf[0] == 0xEF && c->r.buf[1] == 0xBB && c->r.buf[2] == 0xBF) {
		if (t->encoding && strncasecmp(t->encoding, "utf8", 4) && strncasecmp(t->encoding, "utf-8", 5)) {
			mg_err_set(e, MG_E_SOURCE, "the file starts with a UTF-8 byte order mark but the table "
				   "declares '%s'; declare utf-8", t->encoding);
			goto fail;
		}
		c->r.pos = 3;               /* a UTF-8 byte order mark: not part of the data */
		c->off = 3;
	}
	for (unsigned long long k = 0; k < skip; k++) {
		if ((rc = skip_line(c, e)) < 0)
			goto fail;
		if (!rc)
			break;
	}
	if (header || !ncolumns) {
		if ((rc = scan(c, e)) < 0)
			goto fail;
		if (!rc && !ncolumns) {
			mg_err_set(e, MG_E_SOURCE, "no %s: the file is empty; name the columns with 'columns'",
				   header ? "header line" : "record to count the columns of");
			goto fail;
		}
		if (rc && header && c->status == REC_UNTERMINATED) {
			mg_err_set(e, MG_E_SOURCE, "header line %llu has a quote that is never closed",
				   (unsigned long long)c->rline);
			goto fail;
		}
		if (rc && header && c->status == REC_BADQUOTE) {
			mg_err_set(e, MG_E_SOURCE, "header line %llu: field %llu has bytes after its closing quote",
				   (unsigned long long)c->rline, (unsigned long long)c->badfield);
			goto fail;
		}
		if (rc && header && !ncolumns && header_names(c, t, e))
			goto fail;
		if (rc && header && ncolumns && c->nfields != ncolumns) {
			mg_err_set(e, MG_E_SOURCE, "header line %llu has %llu fields but 'columns' names %u",
				   (unsigned long long)c->rline, (unsigned long long)c->nfields, ncolumns);
			goto fail;
		}
		if (rc && !header) {
			if (c->nfields > MG_MAX_COLS) {
				mg_err_set(e, MG_E_LIMIT, "line %llu has %llu fields, more than %d columns",
					   (unsigned long long)c->rline, (unsigned long long)c->nfields, MG_MAX_COLS);
				goto fail;
			}
			for (unsigned k = 0; k < c->nfields; k++) {
				char name[16];

				snprintf(name, sizeof(name), "c%u", k + 1);
				if (add_name(c, k, name, strlen(name), e))
					goto fail;
			}
			c->ncols = (unsigned)c->nfields;
			c->pending = 1;
		}
	}
	if (ncolumns)
		c->ncols = ncolumns;
	cols->n = c->ncols;
	for (unsigned k = 0; k < c->ncols; k++)
		cols->name[k] = c->names[k];
	*state = c;
	return 0;
fail:
	csv_close(c);
	return -1;
}

/* A reject of the current record, with its original bytes and place. */
#define reject(c, b, recno, reason, e, ...) \
	filesrc_rejectf(b, (c)->in->name, recno, reason, (c)->raw, (c)->rawlen, (c)->rline, (c)->roff, e, \
			__VA_ARGS__)

static int emit(struct csv *c, struct mg_batch *b, uint64_t recno, struct mg_err *e)
{
	unsigned char *fp[MG_MAX_COLS];
	size_t fl[MG_MAX_COLS];
	unsigned long long line = c->rline;

	if (c->status == REC_UNTERMINATED)
		return reject(c, b, recno, "unterminated_quote", e, "line %llu: the quote opened on line %llu "
			      "is not closed before the end of the file", line, (unsigned long long)c->qline);
	if (c->status == REC_BADQUOTE)
		return reject(c, b, recno, "bad_quote", e, "line %llu: field %llu has bytes after its closing quote",
			      line, (unsigned long long)c->badfield);
	if (c->nfields != c->ncols)
		return reject(c, b, recno, "ragged_row", e, "line %llu: expected %u fields, found %llu", line,
			      c->ncols, (unsigned long long)c->nfields);
	if (c->bigfield)
		return reject(c, b, recno, "oversized_field", e, "line %llu: field %llu has %zu bytes, more than "
			      "max_field_bytes (%zu)", line, (unsigned long long)c->bigfield, c->biglen, c->max_field);
	split(c, c->raw, c->rawlen, fp, fl, c->ncols);
	batch_row_begin(b);
	for (unsigned k = 0; k < c->ncols; k++)
		if (batch_put(b, k, fp[k], fl[k], e))
			return -1;
	return filesrc_row_end(b, c->in->name, recno, c->rline, c->roff, e);
}

static int csv_next(void *state, struct mg_batch *b, uint64_t *recno, struct mg_err *e)
{
	struct csv *c = state;

	if (c->done)
		return MG_DONE;
	for (;;) {
		if (!c->pending) {
			int rc = scan(c, e);

			if (rc < 0)
				return MG_ERR;
			if (rc == 0) {
				c->done = 1;
				return MG_DONE;
			}
		}
		c->pending = 0;
		++*recno;
		if (*recno > b->skip_through && emit(c, b, *recno, e))
			return MG_ERR;
		if (batch_full(b))
			return MG_OK;
	}
}

const struct file_format format_csv = {
	.name = "csv",
	.options = csv_options,
	.open = csv_open,
	.next = csv_next,
	.close = csv_close,
};

const struct source_driver source_csv = FILESRC_DRIVER("csv", csv_source_options);
