/* extractors/xlsx.c: Excel 2007+ workbooks (.xlsx), one worksheet per table.
 *
 * An xlsx is a zip of XML parts. libarchive streams the zip members in
 * archive order and expat streams each part, so no part is ever held whole.
 * Parts arrive in any order (Excel writes the shared strings after the
 * sheets), so the workbook is read in passes over a seekable input (a
 * plain file, or an archive member the archive driver has spooled to a
 * temporary file: the format is `seekable`):
 *   1. xl/workbook.xml (sheet names, r:id, date1904) and its relationships
 *      xl/_rels/workbook.xml.rels (where each sheet's part lives);
 *   2. the shared strings (the one table held in memory, capped by
 *      max_shared_strings_bytes) and xl/styles.xml (which cells are dates);
 *      with a multi-row header also the sheet's <mergeCells>, which come
 *      after its data;
 *   3. the worksheet itself, parsed as libarchive yields it: the parser is
 *      suspended when a batch is full and resumed on the next call.
 *
 * Cells are handed over as text: shared and inline strings (rich text runs
 * concatenated, phonetic runs left out, _xHHHH_ escapes decoded), numbers
 * exactly as written in the XML, booleans as TRUE/FALSE, errors as their
 * text (#N/A), formulas as their cached value, and numbers in a date format
 * as 'YYYY-MM-DD[ HH:MM:SS]' (1900 or 1904 system, with Excel's fictitious
 * 1900-02-29 rejected). The record number is the count of data rows handed
 * over or rejected; a row's line is its sheet row number. docs/sources/xlsx.md
 * has the options and every rule.
 */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extractors/filesrc.h"
#include "migrate/buf.h"

#define XLSX_MAX_COL 16384u          /* column XFD */
#define XLSX_MAX_ROW 1048576u
#define XLSX_CHUNK (64u << 10)
#define XLSX_META_CAP (64ull << 20)  /* workbook.xml and its relationships */
#define XLSX_PART_CAP (1ull << 30)   /* shared strings, styles: inflated bytes */
#define XLSX_ROW_CAP (64u << 20)     /* one row's cell bytes, on top of max_field_bytes */
#define XLSX_MAX_DEPTH 256u
#define XLSX_MAX_HEADER_ROWS 16u
#define XLSX_MAX_CELLS 65536u        /* cells in one row */
#define XLSX_MAX_MERGES 65536u       /* merged ranges touching the header */
#define XLSX_MAX_ITEMS (1u << 20)    /* sheets, relationships, styles */
#define XLSX_MAX_DAY 2958465         /* 9999-12-31 */
#define XLSX_SST_DEFAULT (48ull << 20)
#define NS_SEP '\x01'

/* number format kinds */
enum { FK_DATE = 1, FK_TIME = 2 };

enum part { P_NONE, P_WORKBOOK, P_RELS, P_SST, P_STYLES, P_MERGES, P_SHEET };

enum ctype { CT_N, CT_S, CT_STR, CT_INLINE, CT_B, CT_E, CT_D, CT_OTHER };

struct sheet_ref {
	size_t name, rid;    /* offsets into the meta arena */
	int hidden;
};

struct rel {
	size_t id, type, target;
};

struct cell {
	uint32_t col;
	size_t off, len;
};

struct hcell {
	uint32_t k, col;
	size_t off, len;
};

struct merge {
	uint32_t r1, c1, r2, c2;
};

struct numfmt {
	uint32_t id;
	unsigned kind;
};

struct span {
	size_t off, len;
	int set;
};

struct xlsx {
	struct playbook *pb;
	const struct pb_table *t;
	struct mg_input *in;
	/* options */
	char *sheet_opt;
	unsigned long long hdr_row, hdr_rows, first_row, max_sst;
	size_t max_field;
	int raw_dates;
	char *colopt[MG_MAX_COLS];
	unsigned ncolopt;
	/* zip */
	struct archive *a;
	unsigned char *zbuf;
	uint64_t zpos;
	struct mg_err zerr;
	int encrypted;           /* the current member */
	/* the part being parsed */
	XML_Parser p;
	enum part part;
	char part_name[512];
	unsigned depth;
	XML_Index last_idx;
	uint64_t fed;
	int stopped;
	struct mg_err err;       /* errors raised inside expat callbacks */
	/* workbook and relationships */
	int date1904;
	struct mg_buf meta;
	struct sheet_ref *sheets;
	size_t nsheets, sheets_alloc;
	struct rel *rels;
	size_t nrels, rels_alloc;
	unsigned d_sheets;
	size_t sheet_idx;
	char sheet_path[1024], sst_path[1024], styles_path[1024];
	/* shared strings */
	struct mg_buf sst;
	size_t *sst_off;         /* nsst + 1 offsets */
	size_t nsst, sst_alloc;
	int have_sst;
	unsigned d_si, d_st, d_srph;
	/* styles */
	uint32_t *xf_fmt;
	size_t nxf, xf_alloc;
	struct numfmt *fmts;
	size_t nfmts, fmts_alloc;
	unsigned char *xf_kind;
	unsigned d_cellxfs, d_numfmts;
	/* merged ranges */
	struct merge *merges;
	size_t nmerges, merges_alloc;
	unsigned d_mergecells;
	/* the sheet */
	unsigned d_data, d_row, d_c, d_v, d_f, d_is, d_t, d_rph;
	struct mg_buf row, fbuf, raw;
	struct cell *cells;
	size_t ncells, cells_alloc;
	uint64_t rnum, last_row, last_data_row;
	int row_bad_ref;
	uint32_t last_col, ccol;
	enum ctype ctype;
	unsigned ckind;
	size_t cell_off;
	int seen_v, seen_is;
	const char *row_reason;
	char row_detail[512];
	/* header */
	struct mg_buf hdr;
	struct hcell *hcells;
	size_t nhcells, hcells_alloc;
	int header_done;
	unsigned width;
	char *names[MG_MAX_COLS];
	/* data */
	struct mg_batch *b;
	uint64_t *recno;
	int pending, suspended, fed_final, sheet_end, failed;
};

static const struct pb_keyspec xlsx_options[] = {
	{"sheet", "xlsx: worksheet name (default: the first visible worksheet)"},
	{"header_row", "xlsx: row number of the header, 0 for none (default 1)"},
	{"header_rows", "xlsx: header rows joined with '/' for merged headers (default 1, at most 16)"},
	{"first_row", "xlsx: first data row (default: the row after the header)"},
	{"columns", "xlsx: list of column names (required with header_row: 0)"},
	{"excel_dates", "xlsx: iso (default: 'YYYY-MM-DD HH:MM:SS') or raw (the serial number)"},
	{"max_shared_strings_bytes", "xlsx: cap on the shared strings table held in memory (default 50331648)"},
	{NULL, NULL},
};

static const struct pb_keyspec xlsx_source_options[] = {
	FILESRC_SOURCE_OPTIONS,
	{NULL, NULL},
};

/* ---- small helpers ---- */

static int grow(void *pp, size_t *alloc, size_t need, size_t elsize, size_t max, const char *what,
		struct mg_err *e)
{
	void **p = pp;
	size_t na;
	void *q;

	if (need <= *alloc)
		return 0;
	if (need > max)
		return mg_err_set(e, MG_E_LIMIT, "too many %s (more than %zu)", what, max);
	na = *alloc ? *alloc * 2 : 16;
	while (na < need)
		na *= 2;
	if (na > max)
		na = max;
	q = realloc(*p, na * elsize);
	if (!q)
		return mg_err_set(e, MG_E_NOMEM, "out of memory for %zu %s", na, what);
	*p = q;
	*alloc = na;
	return 0;
}

/* Fail inside an expat callback: record the error and abort the parse. */
static void fail(struct xlsx *x, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct xlsx *x, int code, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mg_err_set(&x->err, code, "%s", msg);
	if (x->p)
		XML_StopParser(x->p, XML_FALSE);
	x->stopped = 1;
}

/* Suspend the parse (resumable), once. */
static void suspend(struct xlsx *x)
{
	if (!x->stopped && x->p && XML_StopParser(x->p, XML_TRUE) == XML_STATUS_OK)
		x->stopped = 1;
}

/* Bytes at off in b (an empty buffer may have no storage). */
static const unsigned char *at(const struct mg_buf *b, size_t off)
{
	return b->ptr ? b->ptr + off : (const unsigned char *)"";
}

static const char *local(const char *name)
{
	const char *s = strrchr(name, NS_SEP);

	return s ? s + 1 : name;
}

/* An attribute without a namespace (r, t, s, name ...). */
static const char *attr(const char **atts, const char *name)
{
	for (; atts[0]; atts += 2)
		if (!strcmp(atts[0], name))
			return atts[1];
	return NULL;
}

/* An attribute in some namespace with this local name (r:id). */
static const char *attr_ns(const char **atts, const char *lname)
{
	for (; atts[0]; atts += 2) {
		const char *s = strrchr(atts[0], NS_SEP);

		if (s && !strcmp(s + 1, lname))
			return atts[1];
	}
	return NULL;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* "AB12" -> column 28, row 12 (row 0 when absent); returns the end of the
 * reference, NULL when it is not one. */
static const char *parse_ref(const char *s, uint32_t *col, uint32_t *row)
{
	uint32_t c = 0, r = 0;
	int nl = 0, nd = 0;

	while (isalpha((unsigned char)*s) && nl < 4) {
		c = c * 26 + (uint32_t)(toupper((unsigned char)*s) - 'A' + 1);
		s++, nl++;
	}
	if (nl == 0 || nl > 3 || c > XLSX_MAX_COL)
		return NULL;
	while (*s >= '0' && *s <= '9' && nd < 8) {
		r = r * 10 + (uint32_t)(*s - '0');
		s++, nd++;
	}
	if ((nd && (r == 0 || r > XLSX_MAX_ROW)) || (*s >= '0' && *s <= '9'))
		return NULL;
	*col = c;
	*row = r;
	return s;
}

static void col_name(uint32_t col, char out[8])
{
	char tmp[8];
	int n = 0, i = 0;

	if (col == 0) {
		strcpy(out, "?");
		return;
	}
	while (col && n < 7) {
		col--;
		tmp[n++] = (char)('A' + col % 26);
		col /= 26;
	}
	while (n)
		out[i++] = tmp[--n];
	out[i] = '\0';
}

static const char *cell_name(uint32_t col, uint64_t row)
{
	static __thread char s[40];
	char c[8];

	col_name(col, c);
	snprintf(s, sizeof(s), "%s%llu", c, (unsigned long long)row);
	return s;
}

static size_t put_utf8(unsigned char *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (unsigned char)(0xC0 | cp >> 6);
		p[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (unsigned char)(0xE0 | cp >> 12);
		p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		p[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	p[0] = (unsigned char)(0xF0 | cp >> 18);
	p[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	p[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	p[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* _xHHHH_ at p (n bytes available): the UTF-16 unit, or -1. */
static long xesc(const unsigned char *p, size_t n)
{
	long v = 0;

	if (n < 7 || p[0] != '_' || p[1] != 'x' || p[6] != '_')
		return -1;
	for (int i = 2; i < 6; i++) {
		int c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Decode OOXML's _xHHHH_ escapes in place (ST_Xstring: Excel writes control
 * characters such as CR as _x000D_, and a literal "_x" as _x005F_x); returns
 * the new length. _x0000_ and unpaired surrogates stay as written. */
static size_t decode_xstring(unsigned char *p, size_t n)
{
	size_t r = 0, w = 0;

	if (!memchr(p, '_', n))
		return n;
	while (r < n) {
		long u = p[r] == '_' ? xesc(p + r, n - r) : -1;

		if (u > 0 && (u < 0xD800 || u > 0xDFFF)) {
			w += put_utf8(p + w, (uint32_t)u);
			r += 7;
		} else if (u >= 0xD800 && u <= 0xDBFF) {
			long lo = r + 7 <= n ? xesc(p + r + 7, n - r - 7) : -1;

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				w += put_utf8(p + w, (uint32_t)(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)));
				r += 14;
			} else {
				p[w++] = p[r++];
			}
		} else {
			p[w++] = p[r++];
		}
	}
	return w;
}

/* ---- number formats and dates ---- */

/* FK_DATE and/or FK_TIME for a format code; 0 for numbers, text and
 * elapsed durations ([h]:mm:ss). Letters in "quotes", [brackets], after
 * a backslash, _ or * do not count. */
static unsigned fmt_kind(const char *f)
{
	int d = 0, t = 0, m = 0;

	for (; *f; f++) {
		int c = tolower((unsigned char)*f);

		if (c == '"') {
			while (f[1] && f[1] != '"')
				f++;
			if (f[1])
				f++;
		} else if (c == '\\' || c == '_' || c == '*') {
			if (f[1])
				f++;
		} else if (c == '[') {
			const char *end = strchr(f, ']');
			size_t n;

			if (!end)
				break;
			n = (size_t)(end - f - 1);
			if (n && n <= 2 && strspn(f + 1, "hHmMsS") >= n)
				return 0; /* [h], [mm], [ss]: a duration */
			f = end;
		} else if (c == 'd' || c == 'y') {
			d = 1;
		} else if (c == 'h' || c == 's') {
			t = 1;
		} else if (c == 'm') {
			m = 1;
		}
	}
	if (d || (m && !t))
		return FK_DATE | (t ? FK_TIME : 0);
	return t ? FK_TIME : 0;
}

/* Built-in formats: 14-22 and 45, 47 (46 is [h]:mm:ss, a duration), and the
 * East Asian built-ins 27-36, 50-58 (yyyy"年"m"月"d"日" and times). */
static unsigned builtin_kind(uint32_t id)
{
	if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 ||
	    (id >= 50 && id <= 54) || id == 57 || id == 58)
		return FK_DATE | (id == 22 ? FK_TIME : 0);
	if ((id >= 18 && id <= 21) || id == 45 || id == 47 || (id >= 32 && id <= 35) || id == 55 || id == 56)
		return FK_TIME;
	return 0;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

#define DAYS_1899_12_31 (-25568LL) /* days from 1970-01-01 */
#define DAYS_1899_12_30 (-25569LL)
#define DAYS_1904_01_01 (-24107LL)

/* Convert the serial in s (n bytes) to text in out; returns the length, or
 * -1 with why filled. */
static int excel_date(const char *s, size_t n, unsigned kind, int date1904, char *out, size_t outn,
		      char *why, size_t whyn)
{
	char num[64], *end;
	double v, day;
	long long days, secs;
	long long y;
	unsigned mo, d;

	while (n && isspace((unsigned char)s[0]))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n >= sizeof(num)) {
		snprintf(why, whyn, "'%.*s' is not a date serial number", (int)(n < 40 ? n : 40), s);
		return -1;
	}
	memcpy(num, s, n);
	num[n] = '\0';
	errno = 0;
	v = strtod(num, &end);
	if (end == num || *end || !isfinite(v)) {
		snprintf(why, whyn, "'%s' is not a date serial number", num);
		return -1;
	}
	if (v < 0 || v >= XLSX_MAX_DAY + 1.0) {
		snprintf(why, whyn, "serial %s is outside Excel's dates (0 to %d, 9999-12-31)", num, XLSX_MAX_DAY);
		return -1;
	}
	/* no libm: v is in [0, 2958466), so truncation is floor */
	days = (long long)v;
	day = (double)days;
	secs = (long long)((v - day) * 86400.0 + 0.5);
	if (secs >= 86400) {
		days++;
		secs -= 86400;
	}
	if (days > XLSX_MAX_DAY) {
		snprintf(why, whyn, "serial %s is after 9999-12-31", num);
		return -1;
	}
	if (days == 0 && (kind & FK_TIME) && (!(kind & FK_DATE) || !date1904))
		return snprintf(out, outn, "%02lld:%02lld:%02lld", secs / 3600, secs / 60 % 60, secs % 60);
	if (!date1904 && days == 0) {
		snprintf(why, whyn, "serial %s is Excel's day 0 (1900-01-00), not a date", num);
		return -1;
	}
	if (!date1904 && days == 60) {
		snprintf(why, whyn, "serial %s is 1900-02-29, a day that does not exist (Excel's 1900 leap-year bug)", num);
		return -1;
	}
	if (date1904)
		days += DAYS_1904_01_01;
	else
		days += days < 60 ? DAYS_1899_12_31 : DAYS_1899_12_30;
	civil_from_days(days, &y, &mo, &d);
	if (secs == 0)
		return snprintf(out, outn, "%04lld-%02u-%02u", y, mo, d);
	return snprintf(out, outn, "%04lld-%02u-%02u %02lld:%02lld:%02lld", y, mo, d, secs / 3600, secs / 60 % 60,
			secs % 60);
}

/* ---- the zip container ---- */

static la_ssize_t zip_read_cb(struct archive *a, void *data, const void **out)
{
	struct xlsx *x = data;
	ssize_t n = x->in->read(x->in, x->zbuf, XLSX_CHUNK, &x->zerr);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", x->zerr.msg);
		return -1;
	}
	x->zpos += (uint64_t)n;
	*out = x->zbuf;
	return n;
}

static la_int64_t zip_skip_cb(struct archive *a, void *data, la_int64_t req)
{
	struct xlsx *x = data;
	struct mg_err se = {0};
	uint64_t n = (uint64_t)req;

	(void)a;
	if (req <= 0 || x->in->size == UINT64_MAX || x->zpos >= x->in->size)
		return 0; /* libarchive reads through instead */
	if (n > x->in->size - x->zpos)
		n = x->in->size - x->zpos;
	if (x->in->seek(x->in, x->zpos + n, &se))
		return 0;
	x->zpos += n;
	return (la_int64_t)n;
}

static void zip_end(struct xlsx *x)
{
	if (x->a)
		archive_read_free(x->a);
	x->a = NULL;
}

/* Start a pass over the zip from its first byte. */
static int zip_begin(struct xlsx *x, struct mg_err *e)
{
	struct mg_err se = {0};

	zip_end(x);
	if (!x->in->seek || x->in->seek(x->in, 0, &se))
		return mg_err_set(e, MG_E_SOURCE,
				  "an xlsx workbook needs a seekable input (it is read in several passes)%s%s",
				  se.code ? ": " : "", se.code ? se.msg : "");
	x->zpos = 0;
	mg_err_clear(&x->zerr);
	x->a = archive_read_new();
	if (!x->a)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	archive_read_support_format_zip_streamable(x->a);
	archive_read_set_read_callback(x->a, zip_read_cb);
	archive_read_set_skip_callback(x->a, zip_skip_cb);
	archive_read_set_callback_data(x->a, x);
	if (archive_read_open1(x->a) != ARCHIVE_OK) {
		if (x->zerr.code)
			return mg_err_set(e, x->zerr.code, "%s", x->zerr.msg);
		return mg_err_set(e, MG_E_SOURCE, "not an xlsx workbook: not a zip archive (%s)",
				  archive_error_string(x->a) ? archive_error_string(x->a) : "unrecognised");
	}
	return 0;
}

static int zip_error(struct xlsx *x, const char *what, struct mg_err *e)
{
	char msg[600];

	if (x->zerr.code)
		return mg_err_set(e, x->zerr.code, "%s", x->zerr.msg);
	snprintf(msg, sizeof(msg), "%s", archive_error_string(x->a) ? archive_error_string(x->a) : "unknown error");
	return mg_err_set(e, MG_E_SOURCE, "cannot read %s in the zip: %s", what, mg_chomp(msg));
}

/* Next member: 1 with its name (OPC part name: '/'-separated, no leading
 * '/'), 0 at the end, -1 on error. */
static int zip_next(struct xlsx *x, char *name, size_t n, struct mg_err *e)
{
	struct archive_entry *ent;
	const char *p;
	size_t w = 0;
	int r = archive_read_next_header(x->a, &ent);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN)
		return zip_error(x, "a member header", e);
	x->encrypted = archive_entry_is_encrypted(ent);
	p = archive_entry_pathname_utf8(ent);
	if (!p)
		p = archive_entry_pathname(ent);
	if (!p)
		p = "";
	while (*p == '/' || *p == '\\')
		p++;
	for (; *p && w + 1 < n; p++)
		name[w++] = *p == '\\' ? '/' : *p;
	name[w] = '\0';
	return 1;
}

/* ---- XML parts ---- */

static void XMLCALL on_doctype(void *data, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal)
{
	struct xlsx *x = data;

	(void)name, (void)sysid, (void)pubid, (void)has_internal;
	fail(x, MG_E_SOURCE, "part '%s' has a DOCTYPE, which xlsx parts never have (refused: entity expansion)",
	     x->part_name);
}

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **atts);
static void XMLCALL on_end(void *data, const XML_Char *name);
static void XMLCALL on_chars(void *data, const XML_Char *s, int len);

static int xml_new(struct xlsx *x, enum part part, const char *name, struct mg_err *e)
{
	x->p = XML_ParserCreateNS(NULL, NS_SEP);
	if (!x->p)
		return mg_err_set(e, MG_E_NOMEM, "out of memory creating an XML parser");
	x->part = part;
	snprintf(x->part_name, sizeof(x->part_name), "%s", name);
	x->depth = 0;
	x->last_idx = 0;
	x->fed = 0;
	x->stopped = 0;
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_chars);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	return 0;
}

static void xml_free(struct xlsx *x)
{
	if (x->p)
		XML_ParserFree(x->p);
	x->p = NULL;
	x->part = P_NONE;
}

static int xml_error(struct xlsx *x, struct mg_err *e)
{
	if (mg_err_isset(&x->err)) {
		mg_err_copy(e, &x->err);
		return -1;
	}
	return mg_err_set(e, MG_E_SOURCE, "malformed xml in part '%s' at line %lu column %lu: %s", x->part_name,
			  (unsigned long)XML_GetCurrentLineNumber(x->p), (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1,
			  XML_ErrorString(XML_GetErrorCode(x->p)));
}

/* Expat keeps an unfinished tag in memory: bound it. */
static int token_check(struct xlsx *x, struct mg_err *e)
{
	uint64_t cap = (uint64_t)x->max_field + (1u << 20);

	if (x->fed - (uint64_t)x->last_idx > cap)
		return mg_err_set(e, MG_E_LIMIT, "part '%s' has a tag or text longer than %llu bytes "
				  "(max_field_bytes + 1 MiB) near line %lu", x->part_name, (unsigned long long)cap,
				  (unsigned long)XML_GetCurrentLineNumber(x->p));
	return 0;
}

/* Feed one chunk of the current member to the parser; *end set at the end. */
static enum XML_Status feed(struct xlsx *x, uint64_t cap, int *end, struct mg_err *e)
{
	void *buf = XML_GetBuffer(x->p, XLSX_CHUNK);
	la_ssize_t n;

	if (!buf) {
		mg_err_set(e, MG_E_NOMEM, "out of memory parsing part '%s'", x->part_name);
		return XML_STATUS_ERROR;
	}
	n = archive_read_data(x->a, buf, XLSX_CHUNK);
	if (n < 0 && x->encrypted) {
		mg_err_set(e, MG_E_SOURCE, "part '%s' is encrypted in the zip: save the workbook without a password",
			   x->part_name);
		return XML_STATUS_ERROR;
	}
	if (n < 0) {
		char what[600];

		snprintf(what, sizeof(what), "part '%s'", x->part_name);
		zip_error(x, what, e);
		return XML_STATUS_ERROR;
	}
	x->fed += (uint64_t)n;
	if (cap && x->fed > cap) {
		mg_err_set(e, MG_E_LIMIT, "part '%s' inflates to more than %llu bytes (a zip bomb?)", x->part_name,
			   (unsigned long long)cap);
		return XML_STATUS_ERROR;
	}
	*end = n == 0;
	x->stopped = 0;
	return XML_ParseBuffer(x->p, (int)n, n == 0);
}

/* Parse the current member as a whole (all parts but the sheet's data). */
static int parse_member(struct xlsx *x, enum part part, const char *name, uint64_t cap, struct mg_err *e)
{
	int end = 0, rc = 0;

	if (xml_new(x, part, name, e))
		return -1;
	while (!end) {
		enum XML_Status st = feed(x, cap, &end, e);

		if (mg_err_isset(e)) {
			rc = -1;
			break;
		}
		if (st != XML_STATUS_OK) {
			rc = xml_error(x, e);
			break;
		}
		if (token_check(x, e)) {
			rc = -1;
			break;
		}
	}
	xml_free(x);
	return rc;
}

/* ---- workbook, relationships, styles, shared strings, merges ---- */

static int meta_str(struct xlsx *x, const char *s, size_t *off)
{
	*off = x->meta.len;
	return buf_add(&x->meta, s ? s : "", strlen(s ? s : "") + 1, &x->err);
}

static const char *meta(const struct xlsx *x, size_t off)
{
	return (const char *)x->meta.ptr + off;
}

static void wb_start(struct xlsx *x, const char *el, const char **atts)
{
	if (!strcmp(el, "workbookPr")) {
		const char *v = attr(atts, "date1904");

		x->date1904 = v && (!strcmp(v, "1") || !strcmp(v, "true"));
	} else if (!strcmp(el, "sheets") && !x->d_sheets) {
		x->d_sheets = x->depth;
	} else if (!strcmp(el, "sheet") && x->d_sheets && x->depth == x->d_sheets + 1) {
		struct sheet_ref *s;
		const char *state = attr(atts, "state");

		if (grow(&x->sheets, &x->sheets_alloc, x->nsheets + 1, sizeof(*s), XLSX_MAX_ITEMS, "sheets", &x->err)) {
			fail(x, MG_E_LIMIT, "%s", x->err.msg);
			return;
		}
		s = &x->sheets[x->nsheets];
		if (meta_str(x, attr(atts, "name"), &s->name) || meta_str(x, attr_ns(atts, "id"), &s->rid)) {
			XML_StopParser(x->p, XML_FALSE);
			return;
		}
		s->hidden = state && strcmp(state, "visible");
		x->nsheets++;
	}
}

static void rels_start(struct xlsx *x, const char *el, const char **atts)
{
	const char *mode = attr(atts, "TargetMode");
	struct rel *r;

	if (strcmp(el, "Relationship") || (mode && !strcmp(mode, "External")))
		return;
	if (grow(&x->rels, &x->rels_alloc, x->nrels + 1, sizeof(*r), XLSX_MAX_ITEMS, "relationships", &x->err)) {
		fail(x, MG_E_LIMIT, "%s", x->err.msg);
		return;
	}
	r = &x->rels[x->nrels];
	if (meta_str(x, attr(atts, "Id"), &r->id) || meta_str(x, attr(atts, "Type"), &r->type) ||
	    meta_str(x, attr(atts, "Target"), &r->target)) {
		XML_StopParser(x->p, XML_FALSE);
		return;
	}
	x->nrels++;
}

static void styles_start(struct xlsx *x, const char *el, const char **atts)
{
	uint64_t id;

	if (!strcmp(el, "numFmts") && !x->d_numfmts) {
		x->d_numfmts = x->depth;
	} else if (!strcmp(el, "cellXfs") && !x->d_cellxfs) {
		x->d_cellxfs = x->depth;
	} else if (!strcmp(el, "numFmt") && x->d_numfmts && x->depth == x->d_numfmts + 1) {
		const char *code = attr(atts, "formatCode");

		if (parse_u64(attr(atts, "numFmtId"), UINT32_MAX, &id) || !code)
			return; /* unusable: its cells count as numbers */
		if (grow(&x->fmts, &x->fmts_alloc, x->nfmts + 1, sizeof(*x->fmts), XLSX_MAX_ITEMS, "number formats",
			 &x->err)) {
			fail(x, MG_E_LIMIT, "%s in '%s'", x->err.msg, x->part_name);
			return;
		}
		x->fmts[x->nfmts].id = (uint32_t)id;
		x->fmts[x->nfmts].kind = fmt_kind(code);
		x->nfmts++;
	} else if (!strcmp(el, "xf") && x->d_cellxfs && x->depth == x->d_cellxfs + 1) {
		if (grow(&x->xf_fmt, &x->xf_alloc, x->nxf + 1, sizeof(*x->xf_fmt), XLSX_MAX_ITEMS, "cell formats",
			 &x->err)) {
			fail(x, MG_E_LIMIT, "%s in '%s'", x->err.msg, x->part_name);
			return;
		}
		x->xf_fmt[x->nxf++] = parse_u64(attr(atts, "numFmtId"), UINT32_MAX, &id) ? 0 : (uint32_t)id;
	}
}

static void sst_start(struct xlsx *x, const char *el)
{
	if (!strcmp(el, "si") && !x->d_si && x->depth == 2) {
		x->d_si = x->depth;
		if (grow(&x->sst_off, &x->sst_alloc, x->nsst + 2, sizeof(*x->sst_off), SIZE_MAX / 16, "shared strings",
			 &x->err)) {
			fail(x, MG_E_NOMEM, "%s", x->err.msg);
			return;
		}
		x->sst_off[x->nsst] = x->sst.len;
	} else if (x->d_si && !x->d_srph && !strcmp(el, "rPh")) {
		x->d_srph = x->depth;
	} else if (x->d_si && !x->d_srph && !x->d_st && !strcmp(el, "t")) {
		x->d_st = x->depth;
	}
}

static void sst_end(struct xlsx *x)
{
	if (x->depth == x->d_st) {
		x->d_st = 0;
	} else if (x->depth == x->d_srph) {
		x->d_srph = 0;
	} else if (x->depth == x->d_si) {
		size_t start = x->sst_off[x->nsst];

		x->d_si = 0;
		if (x->sst.len > start)
			x->sst.len = start + decode_xstring(x->sst.ptr + start, x->sst.len - start);
		x->nsst++;
		x->sst_off[x->nsst] = x->sst.len;
		/* every string also costs its offset */
		if (x->sst.len + x->nsst * sizeof(size_t) > x->max_sst)
			fail(x, MG_E_LIMIT, "the shared strings table exceeds max_shared_strings_bytes (%llu bytes) "
			     "at string %zu; raise the table option max_shared_strings_bytes",
			     x->max_sst, x->nsst);
	}
}

static void sst_chars(struct xlsx *x, const char *s, size_t n)
{
	if (!x->d_st || x->d_srph)
		return;
	if (x->sst.len - x->sst_off[x->nsst] + n > x->max_field) {
		fail(x, MG_E_LIMIT, "shared string %zu is longer than max_field_bytes (%zu bytes)", x->nsst, x->max_field);
		return;
	}
	if (x->sst.len + n + x->nsst * sizeof(size_t) > x->max_sst) {
		fail(x, MG_E_LIMIT, "the shared strings table exceeds max_shared_strings_bytes (%llu bytes) "
		     "at string %zu; raise the table option max_shared_strings_bytes", x->max_sst, x->nsst);
		return;
	}
	if (buf_add(&x->sst, s, n, &x->err))
		fail(x, MG_E_LIMIT, "%s", x->err.msg);
}

static void merges_start(struct xlsx *x, const char *el, const char **atts)
{
	const char *ref, *end;
	struct merge m;
	uint64_t h1 = x->hdr_row, h2 = x->hdr_row + x->hdr_rows - 1;

	if (!strcmp(el, "mergeCells") && !x->d_mergecells) {
		x->d_mergecells = x->depth;
		return;
	}
	if (strcmp(el, "mergeCell") || !x->d_mergecells || !(ref = attr(atts, "ref")))
		return;
	end = parse_ref(ref, &m.c1, &m.r1);
	if (!end || *end != ':' || !(end = parse_ref(end + 1, &m.c2, &m.r2)) || *end || !m.r1 || !m.r2 ||
	    m.r2 < m.r1 || m.c2 < m.c1)
		return; /* not a range: ignored, as Excel would drop it */
	if (m.r1 < h1 || m.r1 > h2)
		return; /* only ranges whose value sits in the header matter */
	if (grow(&x->merges, &x->merges_alloc, x->nmerges + 1, sizeof(m), XLSX_MAX_MERGES, "merged ranges in the header",
		 &x->err)) {
		fail(x, MG_E_LIMIT, "%s", x->err.msg);
		return;
	}
	x->merges[x->nmerges++] = m;
}

/* ---- the worksheet ---- */

static int room(const struct xlsx *x)
{
	const struct mg_batch *b = x->b;

	return b && !batch_full(b);
}

static void set_reason(struct xlsx *x, const char *reason, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_reason(struct xlsx *x, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (x->row_reason)
		return;
	x->row_reason = reason;
	va_start(ap, fmt);
	vsnprintf(x->row_detail, sizeof(x->row_detail), fmt, ap);
	va_end(ap);
}

static void row_start(struct xlsx *x, const char **atts)
{
	const char *r = attr(atts, "r");
	uint64_t v;

	x->d_row = x->depth;
	buf_reset(&x->row);
	x->ncells = 0;
	x->last_col = 0;
	x->row_reason = NULL;
	x->row_bad_ref = 0;
	if (!r) {
		x->rnum = x->last_row + 1;
	} else if (parse_u64(r, XLSX_MAX_ROW, &v) || v == 0) {
		x->rnum = x->last_row + 1;
		x->row_bad_ref = 1;
		set_reason(x, "bad_row_ref", "row number '%.40s' is not 1 to %u", r, XLSX_MAX_ROW);
	} else {
		x->rnum = v;
	}
}

static void cell_start(struct xlsx *x, const char **atts)
{
	const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
	uint32_t col = x->last_col + 1, row;
	uint64_t si;

	x->d_c = x->depth;
	if (r) {
		const char *end = parse_ref(r, &col, &row);

		if (!end || *end) {
			set_reason(x, "bad_cell_ref", "cell reference '%.40s' in row %llu is not a cell", r,
				   (unsigned long long)x->rnum);
			col = x->last_col + 1;
		} else if (col <= x->last_col) {
			set_reason(x, "bad_cell_ref", "cell %s appears twice or out of order", cell_name(col, x->rnum));
			col = x->last_col + 1;
		}
	}
	if (col > XLSX_MAX_COL) {
		set_reason(x, "bad_cell_ref", "row %llu has more than %u columns", (unsigned long long)x->rnum,
			   XLSX_MAX_COL);
	}
	x->ccol = col;
	x->last_col = col;
	x->ctype = !t || !strcmp(t, "n") ? CT_N : !strcmp(t, "s") ? CT_S : !strcmp(t, "str") ? CT_STR
		 : !strcmp(t, "inlineStr") ? CT_INLINE : !strcmp(t, "b") ? CT_B : !strcmp(t, "e") ? CT_E
		 : !strcmp(t, "d") ? CT_D : CT_OTHER;
	x->ckind = s && !parse_u64(s, UINT32_MAX, &si) && si < x->nxf ? x->xf_kind[si] : 0;
	x->cell_off = x->row.len;
	x->seen_v = x->seen_is = 0;
	buf_reset(&x->fbuf);
}

/* Replace the cell's bytes (from cell_off) with p. */
static int cell_set(struct xlsx *x, const void *p, size_t n)
{
	x->row.len = x->cell_off;
	if (buf_add(&x->row, p, n, &x->err)) {
		fail(x, MG_E_LIMIT, "%s", x->err.msg);
		return -1;
	}
	return 0;
}

static void cell_end(struct xlsx *x)
{
	size_t n;
	const char *v;
	char tmp[80], why[200];
	uint64_t idx;

	x->d_c = 0;
	if (!x->seen_v && !x->seen_is) {
		if (x->fbuf.len) {
			/* a formula never calculated: its text, as Excel's formula bar shows it */
			if (cell_set(x, "=", 1) || buf_add(&x->row, x->fbuf.ptr, x->fbuf.len, &x->err)) {
				fail(x, MG_E_LIMIT, "%s", x->err.msg);
				return;
			}
		} else {
			x->row.len = x->cell_off; /* an empty (styled) cell: NULL */
			return;
		}
	} else {
		n = x->row.len - x->cell_off;
		v = (const char *)at(&x->row, x->cell_off);
		switch (x->ctype) {
		case CT_S:
			if (!x->have_sst) {
				fail(x, MG_E_SOURCE, "shared string %.*s referenced in cell %s but the workbook has no "
				     "shared strings part (xl/sharedStrings.xml)", (int)(n < 20 ? n : 20), v,
				     cell_name(x->ccol, x->rnum));
				return;
			}
			idx = UINT64_MAX;
			if (n < sizeof(tmp)) {
				memcpy(tmp, v, n);
				tmp[n] = '\0';
				if (parse_u64(tmp, UINT64_MAX / 2, &idx))
					idx = UINT64_MAX;
			}
			if (idx >= x->nsst) {
				set_reason(x, "bad_shared_string", "cell %s: shared string '%.*s' does not exist "
					   "(the workbook has %zu)", cell_name(x->ccol, x->rnum), (int)(n < 24 ? n : 24), v,
					   x->nsst);
				break;
			}
			if (cell_set(x, at(&x->sst, x->sst_off[idx]), x->sst_off[idx + 1] - x->sst_off[idx]))
				return;
			break;
		case CT_B:
			if (n == 1 && (v[0] == '0' || v[0] == '1')) {
				if (cell_set(x, v[0] == '1' ? "TRUE" : "FALSE", v[0] == '1' ? 4 : 5))
					return;
			}
			break;
		case CT_STR:
		case CT_INLINE:
			if (n)
				x->row.len = x->cell_off + decode_xstring(x->row.ptr + x->cell_off, n);
			break;
		case CT_N:
			if (x->ckind && !x->raw_dates) {
				char out[64];
				int k = excel_date(v, n, x->ckind, x->date1904, out, sizeof(out), why, sizeof(why));

				if (k < 0)
					set_reason(x, "invalid_excel_date", "cell %s: %s", cell_name(x->ccol, x->rnum), why);
				else if (cell_set(x, out, (size_t)k))
					return;
			}
			break;
		default:
			break;
		}
	}
	n = x->row.len - x->cell_off;
	if (n > x->max_field) {
		fail(x, MG_E_LIMIT, "cell %s holds %zu bytes, more than max_field_bytes (%zu)",
		     cell_name(x->ccol, x->rnum), n, x->max_field);
		return;
	}
	if (grow(&x->cells, &x->cells_alloc, x->ncells + 1, sizeof(*x->cells), XLSX_MAX_CELLS, "cells in one row",
		 &x->err)) {
		fail(x, MG_E_LIMIT, "row %llu: %s", (unsigned long long)x->rnum, x->err.msg);
		return;
	}
	x->cells[x->ncells].col = x->ccol;
	x->cells[x->ncells].off = x->cell_off;
	x->cells[x->ncells].len = n;
	x->ncells++;
}

/* Header part: tabs and line breaks become spaces, outer spaces go. */
static int clean_part(struct mg_buf *out, const unsigned char *p, size_t n, struct mg_err *e)
{
	size_t a = 0, z = n;

	while (a < z && (p[a] == ' ' || p[a] == '\t' || p[a] == '\r' || p[a] == '\n'))
		a++;
	while (z > a && (p[z - 1] == ' ' || p[z - 1] == '\t' || p[z - 1] == '\r' || p[z - 1] == '\n'))
		z--;
	for (size_t i = a; i < z; i++)
		if (buf_addc(out, p[i] == '\t' || p[i] == '\r' || p[i] == '\n' ? ' ' : p[i], e))
			return -1;
	return 0;
}

static int name_taken(struct xlsx *x, unsigned upto, const char *s)
{
	for (unsigned i = 0; i < upto; i++)
		if (!strcmp(x->names[i], s))
			return 1;
	return 0;
}

/* The column names, from the header cells (or the columns option). */
static int finish_header(struct xlsx *x, struct mg_err *e)
{
	uint32_t maxcol = 0, K = (uint32_t)x->hdr_rows;
	uint64_t area = 0;
	struct span *grid = NULL;
	struct mg_buf part, name;
	int rc = -1;

	x->header_done = 1;
	for (size_t i = 0; i < x->nhcells; i++)
		if (x->hcells[i].len && x->hcells[i].col > maxcol)
			maxcol = x->hcells[i].col;
	if (x->ncolopt) {
		if (maxcol > x->ncolopt)
			return mg_err_set(e, MG_E_CONFIG, "the header has a cell in column %u but 'columns' names %u columns",
					  maxcol, x->ncolopt);
		for (unsigned i = 0; i < x->ncolopt; i++)
			if (!(x->names[i] = strdup(x->colopt[i])))
				return mg_err_set(e, MG_E_NOMEM, "out of memory");
		x->width = x->ncolopt;
		return 0;
	}
	for (size_t i = 0; i < x->nmerges; i++)
		if (x->merges[i].c2 > maxcol)
			maxcol = x->merges[i].c2 > XLSX_MAX_COL ? XLSX_MAX_COL : x->merges[i].c2;
	if (maxcol == 0)
		return mg_err_set(e, MG_E_SOURCE, "no header in row %llu%s (set header_row, or header_row: 0 with 'columns')",
				  x->hdr_row, x->last_row ? "" : ": the sheet is empty");
	grid = calloc((size_t)K * maxcol, sizeof(*grid));
	if (!grid)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	for (size_t i = 0; i < x->nhcells; i++) {
		struct hcell *h = &x->hcells[i];

		grid[(size_t)h->k * maxcol + h->col - 1] = (struct span){h->off, h->len, 1};
	}
	/* a merged range's value (its top-left cell) names every column it
	 * spans; ranges do not overlap, so their cells in the header add up to
	 * at most its size (a bound on the work for hostile ones) */
	for (size_t i = 0; i < x->nmerges; i++) {
		struct merge *m = &x->merges[i];
		struct span tl = grid[(size_t)(m->r1 - x->hdr_row) * maxcol + m->c1 - 1];
		uint64_t rows = (m->r2 < x->hdr_row + K ? m->r2 : x->hdr_row + K - 1) - m->r1 + 1;
		uint64_t ncols = (m->c2 < maxcol ? m->c2 : maxcol) - m->c1 + 1;

		area += rows * ncols;
		if (area > (uint64_t)K * maxcol) {
			mg_err_set(e, MG_E_SOURCE, "merged ranges in the header overlap (mergeCell %s...)",
				   cell_name(m->c1, m->r1));
			free(grid);
			return -1;
		}
		if (!tl.set)
			continue;
		for (uint64_t r = m->r1; r <= m->r2 && r < x->hdr_row + K; r++)
			for (uint32_t c = m->c1; c <= m->c2 && c <= maxcol; c++) {
				struct span *g = &grid[(size_t)(r - x->hdr_row) * maxcol + c - 1];

				if (!g->set || !g->len)
					*g = tl;
			}
	}
	buf_init(&part, 0, "header");
	buf_init(&name, 0, "header");
	x->width = 0;
	for (uint32_t c = 1; c <= maxcol; c++) {
		char prev[1024] = "";

		buf_reset(&name);
		for (uint32_t k = 0; k < K; k++) {
			struct span *g = &grid[(size_t)k * maxcol + c - 1];

			buf_reset(&part);
			if (!g->set)
				continue;
			if (clean_part(&part, at(&x->hdr, g->off), g->len, e))
				goto out;
			if (!part.len || !strcmp(buf_cstr(&part), prev))
				continue; /* empty, or the same merged name again */
			snprintf(prev, sizeof(prev), "%s", buf_cstr(&part));
			if ((name.len && buf_addc(&name, '/', e)) || buf_add(&name, part.ptr, part.len, e))
				goto out;
		}
		if (name.len && c > MG_MAX_COLS) {
			mg_err_set(e, MG_E_LIMIT, "the header has a cell in column %u; at most %u columns are supported", c,
				   MG_MAX_COLS);
			goto out;
		}
		if (c <= MG_MAX_COLS) {
			char alt[40];

			snprintf(alt, sizeof(alt), "c%u", c);
			free(x->names[c - 1]);
			x->names[c - 1] = strdup(name.len ? buf_cstr(&name) : alt);
			if (!x->names[c - 1]) {
				mg_err_set(e, MG_E_NOMEM, "out of memory");
				goto out;
			}
			if (name.len)
				x->width = c;
		}
	}
	if (!x->width) {
		mg_err_set(e, MG_E_SOURCE, "no header in row %llu (set header_row, or header_row: 0 with 'columns')",
			   x->hdr_row);
		goto out;
	}
	for (unsigned c = x->width; c < MG_MAX_COLS; c++) {
		free(x->names[c]);
		x->names[c] = NULL;
	}
	/* duplicate names get their column number */
	for (unsigned c = 1; c < x->width; c++) {
		if (!name_taken(x, c, x->names[c]))
			continue;
		buf_reset(&name);
		if (buf_printf(&name, e, "%s_%u", x->names[c], c + 1))
			goto out;
		if (name_taken(x, c, buf_cstr(&name))) {
			mg_err_set(e, MG_E_SOURCE, "header column %u: name '%s' is used twice", c + 1, buf_cstr(&name));
			goto out;
		}
		free(x->names[c]);
		if (!(x->names[c] = strdup(buf_cstr(&name)))) {
			mg_err_set(e, MG_E_NOMEM, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	buf_release(&part);
	buf_release(&name);
	free(grid);
	return rc;
}

/* Hand over (or reject) the finished row. */
static int emit_row(struct xlsx *x, struct mg_err *e)
{
	struct mg_batch *b = x->b;
	uint64_t rec = ++*x->recno;

	if (!x->row_reason)
		for (size_t i = 0; i < x->ncells; i++)
			if (x->cells[i].col > x->width && x->cells[i].len) {
				set_reason(x, "extra_cells", "cell %s is beyond the %u named columns",
					   cell_name(x->cells[i].col, x->rnum), x->width);
				break;
			}
	if (x->row_reason) {
		uint32_t col = 1;

		buf_reset(&x->raw);
		for (size_t i = 0; i < x->ncells; i++) {
			for (; col < x->cells[i].col; col++)
				if (buf_addc(&x->raw, '\t', e))
					return -1;
			if (buf_add(&x->raw, at(&x->row, x->cells[i].off), x->cells[i].len, e))
				return -1;
		}
		return filesrc_reject(b, x->in->name, rec, x->row_reason, x->row_detail, at(&x->raw, 0), x->raw.len,
				      x->rnum, 0, e);
	}
	batch_row_begin(b);
	for (size_t i = 0; i < x->ncells; i++)
		if (x->cells[i].col <= x->width &&
		    batch_put(b, x->cells[i].col - 1, at(&x->row, x->cells[i].off), x->cells[i].len, e))
			return -1;
	return filesrc_row_end(b, x->in->name, rec, x->rnum, 0, e);
}

static void data_row(struct xlsx *x)
{
	int blank = 1;

	if (x->rnum < x->first_row)
		return; /* title rows above the header, rows between it and first_row */
	for (size_t i = 0; i < x->ncells && blank; i++)
		blank = x->cells[i].len == 0;
	if (blank && !x->row_reason)
		return; /* blank rows are not records */
	if (!x->row_bad_ref && x->rnum <= x->last_data_row)
		set_reason(x, "bad_row_ref", "row %llu comes after row %llu", (unsigned long long)x->rnum,
			   (unsigned long long)x->last_data_row);
	if (x->rnum > x->last_data_row)
		x->last_data_row = x->rnum;
	if (!room(x)) {
		x->pending = 1;
		suspend(x);
		return;
	}
	if (emit_row(x, &x->err)) {
		fail(x, x->err.code, "%s", x->err.msg);
		return;
	}
	if (!room(x))
		suspend(x);
}

static void row_end(struct xlsx *x)
{
	uint64_t h1 = x->hdr_row, h2 = x->hdr_row + x->hdr_rows - 1;

	x->d_row = 0;
	if (x->rnum > x->last_row)
		x->last_row = x->rnum;
	if (!x->header_done) {
		if (x->rnum >= h1 && x->rnum <= h2) {
			if (x->row_reason) {
				fail(x, MG_E_SOURCE, "header row %llu: %s", (unsigned long long)x->rnum, x->row_detail);
				return;
			}
			for (size_t i = 0; i < x->ncells; i++) {
				struct hcell *h;

				if (x->cells[i].col > XLSX_MAX_COL)
					continue;
				if (grow(&x->hcells, &x->hcells_alloc, x->nhcells + 1, sizeof(*h), XLSX_MAX_CELLS * 4,
					 "header cells", &x->err)) {
					fail(x, MG_E_LIMIT, "%s", x->err.msg);
					return;
				}
				h = &x->hcells[x->nhcells++];
				h->k = (uint32_t)(x->rnum - h1);
				h->col = x->cells[i].col;
				h->off = x->hdr.len;
				h->len = x->cells[i].len;
				if (buf_add(&x->hdr, at(&x->row, x->cells[i].off), x->cells[i].len, &x->err)) {
					fail(x, MG_E_LIMIT, "%s", x->err.msg);
					return;
				}
			}
			if (x->rnum == h2) {
				if (finish_header(x, &x->err)) {
					fail(x, x->err.code, "%s", x->err.msg);
					return;
				}
				suspend(x);
			}
			return;
		}
		if (x->rnum < h1)
			return;
		if (finish_header(x, &x->err)) {
			fail(x, x->err.code, "%s", x->err.msg);
			return;
		}
		suspend(x);
	}
	data_row(x);
}

static void sheet_start(struct xlsx *x, const char *el, const char **atts)
{
	if (!x->d_data) {
		if (!strcmp(el, "sheetData"))
			x->d_data = x->depth;
	} else if (!x->d_row) {
		if (!strcmp(el, "row") && x->depth == x->d_data + 1)
			row_start(x, atts);
	} else if (!x->d_c) {
		if (!strcmp(el, "c") && x->depth == x->d_row + 1)
			cell_start(x, atts);
	} else if (x->d_is) {
		if (!x->d_rph && !strcmp(el, "rPh"))
			x->d_rph = x->depth;
		else if (!x->d_rph && !x->d_t && !strcmp(el, "t"))
			x->d_t = x->depth;
	} else if (x->depth == x->d_c + 1) {
		if (!strcmp(el, "v"))
			x->d_v = x->depth, x->seen_v = 1;
		else if (!strcmp(el, "f"))
			x->d_f = x->depth;
		else if (!strcmp(el, "is"))
			x->d_is = x->depth, x->seen_is = 1;
	}
}

static void sheet_end_el(struct xlsx *x)
{
	unsigned d = x->depth;

	if (d == x->d_t)
		x->d_t = 0;
	else if (d == x->d_rph)
		x->d_rph = 0;
	else if (d == x->d_is)
		x->d_is = 0;
	else if (d == x->d_v)
		x->d_v = 0;
	else if (d == x->d_f)
		x->d_f = 0;
	else if (d == x->d_c)
		cell_end(x);
	else if (d == x->d_row)
		row_end(x);
	else if (d == x->d_data)
		x->d_data = 0;
}

static void sheet_chars(struct xlsx *x, const char *s, size_t n)
{
	struct mg_buf *to;

	if (!x->d_c)
		return;
	if (x->d_v || (x->d_t && !x->d_rph))
		to = &x->row;
	else if (x->d_f)
		to = &x->fbuf;
	else
		return;
	if ((to == &x->row ? x->row.len - x->cell_off : to->len) + n > x->max_field) {
		fail(x, MG_E_LIMIT, "cell %s holds more than max_field_bytes (%zu)", cell_name(x->ccol, x->rnum),
		     x->max_field);
		return;
	}
	if (buf_add(to, s, n, &x->err))
		fail(x, MG_E_LIMIT, "row %llu: %s", (unsigned long long)x->rnum, x->err.msg);
}

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx *x = data;
	const char *el = local(name);

	if (mg_err_isset(&x->err))
		return;
	x->last_idx = XML_GetCurrentByteIndex(x->p);
	if (++x->depth > XLSX_MAX_DEPTH) {
		fail(x, MG_E_SOURCE, "part '%s' nests elements deeper than %u", x->part_name, XLSX_MAX_DEPTH);
		return;
	}
	switch (x->part) {
	case P_WORKBOOK:
		wb_start(x, el, atts);
		break;
	case P_RELS:
		rels_start(x, el, atts);
		break;
	case P_STYLES:
		styles_start(x, el, atts);
		break;
	case P_SST:
		sst_start(x, el);
		break;
	case P_MERGES:
		merges_start(x, el, atts);
		break;
	case P_SHEET:
		sheet_start(x, el, atts);
		break;
	case P_NONE:
		break;
	}
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
	struct xlsx *x = data;

	(void)name;
	if (mg_err_isset(&x->err))
		return;
	x->last_idx = XML_GetCurrentByteIndex(x->p);
	switch (x->part) {
	case P_WORKBOOK:
		if (x->depth == x->d_sheets)
			x->d_sheets = 0;
		break;
	case P_STYLES:
		if (x->depth == x->d_numfmts)
			x->d_numfmts = 0;
		else if (x->depth == x->d_cellxfs)
			x->d_cellxfs = 0;
		break;
	case P_SST:
		sst_end(x);
		break;
	case P_MERGES:
		if (x->depth == x->d_mergecells)
			x->d_mergecells = 0;
		break;
	case P_SHEET:
		sheet_end_el(x);
		break;
	default:
		break;
	}
	x->depth--;
}

static void XMLCALL on_chars(void *data, const XML_Char *s, int len)
{
	struct xlsx *x = data;

	if (mg_err_isset(&x->err))
		return;
	x->last_idx = XML_GetCurrentByteIndex(x->p);
	if (x->part == P_SST)
		sst_chars(x, s, (size_t)len);
	else if (x->part == P_SHEET)
		sheet_chars(x, s, (size_t)len);
}

/* The sheet is read: read the rest of the file too, so that whoever
 * watches the input (the file source hashes it as it streams) has seen every
 * byte once the format is done. */
static int drain(struct xlsx *x, struct mg_err *e)
{
	zip_end(x);
	for (;;) {
		ssize_t n = x->in->read(x->in, x->zbuf, XLSX_CHUNK, e);

		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
	}
}

/* Parse the sheet until the parser stops (a row waits, the batch is full,
 * the header is complete) or the sheet ends. */
static int pump(struct xlsx *x, struct mg_err *e)
{
	for (;;) {
		enum XML_Status st;

		if (x->suspended) {
			x->suspended = 0;
			x->stopped = 0;
			st = XML_ResumeParser(x->p);
		} else if (x->fed_final) {
			x->sheet_end = 1;
			if (x->d_data || x->depth)
				return mg_err_set(e, MG_E_SOURCE, "part '%s' ends inside <sheetData>", x->part_name);
			return drain(x, e);
		} else {
			int end = 0;

			st = feed(x, 0, &end, e);
			if (mg_err_isset(e))
				return -1;
			if (end)
				x->fed_final = 1;
		}
		if (st == XML_STATUS_ERROR)
			return xml_error(x, e);
		if (token_check(x, e))
			return -1;
		if (st == XML_STATUS_SUSPENDED) {
			x->suspended = 1;
			return 0;
		}
	}
}

/* ---- options ---- */

static int opt_num(struct xlsx *x, const char *key, unsigned long long dflt, unsigned long long min,
		   unsigned long long max, unsigned long long *out, struct mg_err *e)
{
	yaml_node_t *n = pb_get(x->pb, x->t->node, key);
	uint64_t v;

	*out = dflt;
	if (!n)
		return 0;
	if (parse_u64(pb_scalar(n), max, &v) || v < min)
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: '%s' must be a whole number from %llu to %llu", x->pb->path,
				  pb_line(n), key, min, max);
	*out = v;
	return 0;
}

static int read_options(struct xlsx *x, struct mg_err *e)
{
	struct playbook *pb = x->pb;
	yaml_node_t *cols = pb_get(pb, x->t->node, "columns");
	char *dates = NULL;
	int rc = 0;

	x->max_field = x->t->max_field_bytes ? x->t->max_field_bytes : 16u << 20;
	if (pb_get_str(pb, x->t->node, "sheet", &x->sheet_opt, e) ||
	    opt_num(x, "header_row", 1, 0, XLSX_MAX_ROW, &x->hdr_row, e) ||
	    opt_num(x, "header_rows", 1, 1, XLSX_MAX_HEADER_ROWS, &x->hdr_rows, e) ||
	    opt_num(x, "max_shared_strings_bytes", XLSX_SST_DEFAULT, 1024, 1ull << 34, &x->max_sst, e) ||
	    pb_get_str(pb, x->t->node, "excel_dates", &dates, e))
		return -1;
	if (dates && strcmp(dates, "raw") && strcmp(dates, "iso"))
		rc = mg_err_set(e, MG_E_CONFIG, "%s:%d: 'excel_dates' must be iso or raw, not '%s'", pb->path,
				pb_line(pb_get(pb, x->t->node, "excel_dates")), dates);
	x->raw_dates = dates && !strcmp(dates, "raw");
	free(dates);
	if (rc)
		return -1;
	if (opt_num(x, "first_row", x->hdr_row ? x->hdr_row + x->hdr_rows : 1, 1, XLSX_MAX_ROW, &x->first_row, e))
		return -1;
	if (x->hdr_row && x->first_row < x->hdr_row + x->hdr_rows)
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: 'first_row' (%llu) must come after the header rows (%llu to %llu)",
				  pb->path, pb_line(pb_get(pb, x->t->node, "first_row")), x->first_row, x->hdr_row,
				  x->hdr_row + x->hdr_rows - 1);
	if (cols) {
		if (cols->type != YAML_SEQUENCE_NODE)
			return mg_err_set(e, MG_E_CONFIG, "%s:%d: 'columns' must be a list of names", pb->path, pb_line(cols));
		for (yaml_node_item_t *it = cols->data.sequence.items.start; it < cols->data.sequence.items.top; it++) {
			const char *s = pb_scalar(pb_node(pb, *it));

			if (!s || !*s)
				return mg_err_set(e, MG_E_CONFIG, "%s:%d: 'columns' entries must be names", pb->path,
						  pb_line(pb_node(pb, *it)));
			if (x->ncolopt >= MG_MAX_COLS)
				return mg_err_set(e, MG_E_CONFIG, "%s:%d: 'columns' names more than %u columns", pb->path,
						  pb_line(cols), MG_MAX_COLS);
			for (unsigned i = 0; i < x->ncolopt; i++)
				if (!strcmp(x->colopt[i], s))
					return mg_err_set(e, MG_E_CONFIG, "%s:%d: column '%s' is named twice in 'columns'",
							  pb->path, pb_line(cols), s);
			if (!(x->colopt[x->ncolopt] = strdup(s)))
				return mg_err_set(e, MG_E_NOMEM, "out of memory");
			x->ncolopt++;
		}
		if (!x->ncolopt)
			return mg_err_set(e, MG_E_CONFIG, "%s:%d: 'columns' is empty", pb->path, pb_line(cols));
	}
	if (!x->hdr_row && !x->ncolopt)
		return mg_err_set(e, MG_E_CONFIG, "%s: table '%s' has header_row: 0 but no 'columns' to name them", pb->path,
				  x->t->name);
	return 0;
}

/* ---- passes ---- */

/* Resolve a relationship target against the folder xl/. */
static int resolve(const char *target, char *out, size_t n)
{
	char tmp[1024];
	size_t w = 0;
	const char *s;

	if (target[0] == '/')
		snprintf(tmp, sizeof(tmp), "%s", target + 1);
	else if ((size_t)snprintf(tmp, sizeof(tmp), "xl/%s", target) >= sizeof(tmp))
		return -1;
	for (char *c = tmp; *c; c++)
		if (*c == '\\')
			*c = '/';
	s = tmp;
	while (*s) {
		const char *slash = strchr(s, '/');
		size_t len = slash ? (size_t)(slash - s) : strlen(s);

		if (len == 0 || (len == 1 && s[0] == '.')) {
			/* skip */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (w > 0 && out[w - 1] != '/')
				w--;
			if (w > 0)
				w--;
			while (w > 0 && out[w - 1] != '/')
				w--;
		} else {
			if (w + len + 2 > n)
				return -1;
			memcpy(out + w, s, len);
			w += len;
			if (slash)
				out[w++] = '/';
		}
		s += len + (slash ? 1 : 0);
	}
	if (w && out[w - 1] == '/')
		w--;
	out[w] = '\0';
	return w ? 0 : -1;
}

static const struct rel *find_rel(const struct xlsx *x, const char *id)
{
	for (size_t i = 0; i < x->nrels; i++)
		if (!strcmp(meta(x, x->rels[i].id), id))
			return &x->rels[i];
	return NULL;
}

static int type_is(const struct xlsx *x, const struct rel *r, const char *suffix)
{
	const char *t = meta(x, r->type);
	size_t tl = strlen(t), sl = strlen(suffix);

	return tl >= sl && !strcmp(t + tl - sl, suffix);
}

static int pass_workbook(struct xlsx *x, struct mg_err *e)
{
	char name[1024];
	int seen_wb = 0, seen_rels = 0, xlsb = 0, r;

	if (zip_begin(x, e))
		return -1;
	while ((r = zip_next(x, name, sizeof(name), e)) == 1) {
		if (!strcasecmp(name, "xl/workbook.xml")) {
			if (seen_wb++)
				return mg_err_set(e, MG_E_SOURCE, "the zip has two members named 'xl/workbook.xml'");
			if (parse_member(x, P_WORKBOOK, "xl/workbook.xml", XLSX_META_CAP, e))
				return -1;
		} else if (!strcasecmp(name, "xl/_rels/workbook.xml.rels")) {
			if (seen_rels++)
				return mg_err_set(e, MG_E_SOURCE, "the zip has two members named 'xl/_rels/workbook.xml.rels'");
			if (parse_member(x, P_RELS, "xl/_rels/workbook.xml.rels", XLSX_META_CAP, e))
				return -1;
		} else if (!strcasecmp(name, "xl/workbook.bin")) {
			xlsb = 1;
		}
	}
	if (r < 0)
		return -1;
	if (!seen_wb)
		return mg_err_set(e, MG_E_SOURCE, "not an xlsx workbook: the zip has no 'xl/workbook.xml'%s",
				  xlsb ? " (it is an .xlsb binary workbook: save it as .xlsx)" : "");
	if (!seen_rels)
		return mg_err_set(e, MG_E_SOURCE, "broken xlsx workbook: the zip has no 'xl/_rels/workbook.xml.rels'");
	return 0;
}

static int choose_sheet(struct xlsx *x, struct mg_err *e)
{
	const struct rel *r = NULL;
	size_t i, pick = SIZE_MAX;

	if (!x->nsheets)
		return mg_err_set(e, MG_E_SOURCE, "the workbook lists no sheets");
	for (i = 0; i < x->nsheets; i++) {
		const struct rel *ri = find_rel(x, meta(x, x->sheets[i].rid));

		if (x->sheet_opt) {
			if (!strcmp(meta(x, x->sheets[i].name), x->sheet_opt)) {
				pick = i;
				r = ri;
				break;
			}
		} else if (ri && type_is(x, ri, "/worksheet") && !x->sheets[i].hidden) {
			pick = i;
			r = ri;
			break;
		}
	}
	if (pick == SIZE_MAX && !x->sheet_opt) {
		/* every worksheet hidden: the first worksheet */
		for (i = 0; i < x->nsheets && pick == SIZE_MAX; i++) {
			const struct rel *ri = find_rel(x, meta(x, x->sheets[i].rid));

			if (ri && type_is(x, ri, "/worksheet"))
				pick = i, r = ri;
		}
		if (pick == SIZE_MAX)
			return mg_err_set(e, MG_E_SOURCE, "the workbook has no worksheet (only chart sheets?)");
	}
	if (pick == SIZE_MAX) {
		char list[600];
		size_t w = 0;

		list[0] = '\0';
		for (i = 0; i < x->nsheets && w < sizeof(list) - 80; i++)
			w += (size_t)snprintf(list + w, sizeof(list) - w, "%s'%.60s'", i ? ", " : "",
					      meta(x, x->sheets[i].name));
		if (i < x->nsheets)
			snprintf(list + w, sizeof(list) - w, ", ...");
		return mg_err_set(e, MG_E_CONFIG, "no sheet named '%s' in the workbook; it has %s", x->sheet_opt, list);
	}
	x->sheet_idx = pick;
	if (!r)
		return mg_err_set(e, MG_E_SOURCE, "sheet '%s' has no relationship '%s' in xl/_rels/workbook.xml.rels",
				  meta(x, x->sheets[pick].name), meta(x, x->sheets[pick].rid));
	if (!type_is(x, r, "/worksheet"))
		return mg_err_set(e, MG_E_CONFIG, "sheet '%s' is not a worksheet (%s)", meta(x, x->sheets[pick].name),
				  type_is(x, r, "/chartsheet") ? "a chart sheet" : meta(x, r->type));
	if (resolve(meta(x, r->target), x->sheet_path, sizeof(x->sheet_path)))
		return mg_err_set(e, MG_E_SOURCE, "sheet '%s' has an unusable part name '%s'", meta(x, x->sheets[pick].name),
				  meta(x, r->target));
	snprintf(x->sst_path, sizeof(x->sst_path), "xl/sharedStrings.xml");
	snprintf(x->styles_path, sizeof(x->styles_path), "xl/styles.xml");
	for (i = 0; i < x->nrels; i++) {
		if (type_is(x, &x->rels[i], "/sharedStrings"))
			resolve(meta(x, x->rels[i].target), x->sst_path, sizeof(x->sst_path));
		else if (type_is(x, &x->rels[i], "/styles"))
			resolve(meta(x, x->rels[i].target), x->styles_path, sizeof(x->styles_path));
	}
	return 0;
}

static int pass_tables(struct xlsx *x, struct mg_err *e)
{
	char name[1024];
	int seen_sst = 0, seen_styles = 0, seen_sheet = 0, r;
	int merges = x->hdr_row && x->hdr_rows > 1 && !x->ncolopt;

	if (zip_begin(x, e))
		return -1;
	while ((r = zip_next(x, name, sizeof(name), e)) == 1) {
		if (!strcasecmp(name, x->sheet_path)) {
			if (seen_sheet++)
				return mg_err_set(e, MG_E_SOURCE, "the zip has two members named '%s'", x->sheet_path);
			if (merges && parse_member(x, P_MERGES, x->sheet_path, 0, e))
				return -1;
		} else if (!strcasecmp(name, x->sst_path)) {
			if (seen_sst++)
				return mg_err_set(e, MG_E_SOURCE, "the zip has two members named '%s'", x->sst_path);
			if (parse_member(x, P_SST, x->sst_path, XLSX_PART_CAP, e))
				return -1;
			x->have_sst = 1;
		} else if (!strcasecmp(name, x->styles_path)) {
			if (seen_styles++)
				return mg_err_set(e, MG_E_SOURCE, "the zip has two members named '%s'", x->styles_path);
			if (parse_member(x, P_STYLES, x->styles_path, XLSX_PART_CAP, e))
				return -1;
		}
	}
	if (r < 0)
		return -1;
	if (!seen_sheet)
		return mg_err_set(e, MG_E_SOURCE, "sheet '%s' lives in part '%s', which the zip does not have",
				  meta(x, x->sheets[x->sheet_idx].name), x->sheet_path);
	/* which cell formats are dates */
	if (x->nxf) {
		x->xf_kind = calloc(x->nxf, 1);
		if (!x->xf_kind)
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		for (size_t i = 0; i < x->nxf; i++) {
			unsigned k = builtin_kind(x->xf_fmt[i]);

			for (size_t j = 0; j < x->nfmts; j++)
				if (x->fmts[j].id == x->xf_fmt[i])
					k = x->fmts[j].kind; /* the last definition wins */
			x->xf_kind[i] = (unsigned char)k;
		}
	}
	return 0;
}

static int pass_sheet(struct xlsx *x, struct mg_err *e)
{
	char name[1024];
	int r;

	if (zip_begin(x, e))
		return -1;
	while ((r = zip_next(x, name, sizeof(name), e)) == 1)
		if (!strcasecmp(name, x->sheet_path))
			return xml_new(x, P_SHEET, x->sheet_path, e);
	if (r < 0)
		return -1;
	return mg_err_set(e, MG_E_SOURCE, "part '%s' vanished between passes", x->sheet_path);
}

/* ---- the format ---- */

static void xlsx_close(void *state)
{
	struct xlsx *x = state;

	if (!x)
		return;
	xml_free(x);
	zip_end(x);
	free(x->zbuf);
	free(x->sheet_opt);
	for (unsigned i = 0; i < x->ncolopt; i++)
		free(x->colopt[i]);
	for (unsigned i = 0; i < MG_MAX_COLS; i++)
		free(x->names[i]);
	buf_release(&x->meta);
	free(x->sheets);
	free(x->rels);
	buf_release(&x->sst);
	free(x->sst_off);
	free(x->xf_fmt);
	free(x->fmts);
	free(x->xf_kind);
	free(x->merges);
	buf_release(&x->row);
	buf_release(&x->fbuf);
	buf_release(&x->raw);
	free(x->cells);
	buf_release(&x->hdr);
	free(x->hcells);
	free(x);
}

/* The first bytes: a legacy .xls or an encrypted workbook is an OLE2 file. */
static int sniff(struct xlsx *x, struct mg_err *e)
{
	static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	unsigned char head[8];
	size_t got = 0;
	struct mg_err se = {0};

	if (!x->in->seek || x->in->seek(x->in, 0, &se))
		return mg_err_set(e, MG_E_SOURCE, "an xlsx workbook needs a seekable input (it is read in several "
				  "passes: a plain file, or a member of an archive source)%s%s", se.code ? ": " : "",
				  se.code ? se.msg : "");
	while (got < sizeof(head)) {
		ssize_t n = x->in->read(x->in, head + got, sizeof(head) - got, e);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0)
		return mg_err_set(e, MG_E_SOURCE, "not an xlsx workbook: the file is empty");
	if (got == sizeof(head) && !memcmp(head, ole, sizeof(ole)))
		return mg_err_set(e, MG_E_SOURCE, "not an xlsx workbook: an OLE2 file (a legacy .xls, or a workbook "
				  "encrypted with a password): save it as .xlsx without a password");
	return 0;
}

static int xlsx_open(struct playbook *pb, const struct pb_table *t, struct mg_input *in, void **state,
		     struct mg_columns *cols, struct mg_err *e)
{
	struct xlsx *x = calloc(1, sizeof(*x));

	*state = NULL;
	if (!x)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	x->pb = pb;
	x->t = t;
	x->in = in;
	if (read_options(x, e))
		goto fail;
	buf_init(&x->meta, 16u << 20, "xlsx workbook names (16 MiB)");
	buf_init(&x->sst, x->max_sst, "max_shared_strings_bytes");
	buf_init(&x->row, XLSX_ROW_CAP + x->max_field, "xlsx row (64 MiB + max_field_bytes)");
	buf_init(&x->fbuf, x->max_field, "max_field_bytes");
	buf_init(&x->raw, XLSX_ROW_CAP + x->max_field + XLSX_MAX_COL, "xlsx row (64 MiB + max_field_bytes)");
	buf_init(&x->hdr, XLSX_ROW_CAP, "xlsx header (64 MiB)");
	x->zbuf = malloc(XLSX_CHUNK);
	if (!x->zbuf) {
		mg_err_set(e, MG_E_NOMEM, "out of memory");
		goto fail;
	}
	if (sniff(x, e) || pass_workbook(x, e) || choose_sheet(x, e) || pass_tables(x, e) || pass_sheet(x, e))
		goto fail;
	if (!x->hdr_row) {
		if (finish_header(x, e))
			goto fail;
	}
	while (!x->header_done) {
		if (pump(x, e))
			goto fail;
		if (x->sheet_end && !x->header_done && finish_header(x, e))
			goto fail;
	}
	if (mg_err_isset(&x->err)) {
		mg_err_copy(e, &x->err);
		goto fail;
	}
	cols->n = x->width;
	for (unsigned i = 0; i < x->width; i++)
		cols->name[i] = x->names[i];
	*state = x;
	return 0;
fail:
	if (x->sheet_path[0] && x->sheets && x->sheet_idx < x->nsheets && !strstr(e->msg, "no sheet named"))
		mg_err_prefix(e, "%s: sheet '%s'", in->name, meta(x, x->sheets[x->sheet_idx].name));
	else
		mg_err_prefix(e, "%s", in->name);
	xlsx_close(x);
	return -1;
}

static int xlsx_next(void *state, struct mg_batch *b, uint64_t *recno, struct mg_err *e)
{
	struct xlsx *x = state;

	if (x->failed)
		return mg_err_set(e, MG_E_INTERNAL, "xlsx reader used after an error");
	x->b = b;
	x->recno = recno;
	for (;;) {
		if (x->pending) {
			if (!room(x))
				break;
			x->pending = 0;
			if (emit_row(x, e))
				goto fail;
			continue;
		}
		if (x->sheet_end)
			return MG_DONE;
		if (!room(x))
			break;
		if (pump(x, e))
			goto fail;
		if (mg_err_isset(&x->err)) {
			mg_err_copy(e, &x->err);
			goto fail;
		}
	}
	x->b = NULL;
	return MG_OK;
fail:
	x->failed = 1;
	x->b = NULL;
	mg_err_prefix(e, "sheet '%s'", meta(x, x->sheets[x->sheet_idx].name));
	return MG_ERR;
}

const struct file_format format_xlsx = {
	.name = "xlsx",
	.options = xlsx_options,
	.seekable = 1,   /* inside an archive, the member is spooled to a temporary file */
	.open = xlsx_open,
	.next = xlsx_next,
	.close = xlsx_close,
};

const struct source_driver source_xlsx = FILESRC_DRIVER("xlsx", xlsx_source_options);
