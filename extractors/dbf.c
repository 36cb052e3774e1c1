/* extractors/dbf.c: dBase III/IV, FoxPro and Visual FoxPro tables.
 *
 * One .dbf is a 32-byte header, 32-byte field descriptors up to 0x0D (then,
 * in Visual FoxPro, a 263-byte backlink), and fixed-length records, each
 * starting with a deletion flag (' ' or '*'). Records stream through a
 * struct mg_reader; only the memo file (.dbt or .fpt beside the .dbf, found
 * in any letter case) is read at random: a plain file on disk, or, for a
 * .dbf inside an archive, the memo member the archive driver spools to a
 * temporary file (the input's open_beside).
 *
 * What is handed over, per field type (docs/sources/dbf.md has the table):
 * character bytes raw with the format's padding (trailing spaces and NULs)
 * removed; numbers as their text trimmed of spaces; dates as YYYYMMDD;
 * logicals as T/F; binary numbers (I, Y, B, T) as decimal text; memos raw;
 * Visual FoxPro NULLs (the _NullFlags system column) as NULL. Blank N, F,
 * D, L and T fields are NULL. Every record becomes a row, deleted ones too:
 * the extra last column `_deleted` is 'T' or 'F'.
 *
 * The header's record count is checked against the file, not trusted: the
 * records are read until the end of the file (or an end marker 0x1A where
 * the header's count ends); more records than the header claims are read
 * (a writer that did not update the count), fewer is an error unless
 * count_check is off. A last record cut short is a "truncated_record"
 * reject. The code-page byte (language driver id) is checked against the
 * table's declared encoding.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extractors/filesrc.h"
#include "migrate/buf.h"
#include "transform/decode.h"

extern const struct file_format format_dbf;
extern const struct source_driver source_dbf;

#define DBF_MAX_FIELDS (MG_MAX_COLS - 1)  /* visible fields; `_deleted` is the last column */
#define DBF_READER_CAP (1u << 17)         /* a 64 KiB header or record, twice over */
#define DBF_MEMO_DEFAULT (16u << 20)
#define DBF_MEMO_MAX (1u << 30)

static const struct pb_keyspec dbf_source_options[] = {
	FILESRC_SOURCE_OPTIONS,
	{NULL, NULL},
};

static const struct pb_keyspec dbf_table_options[] = {
	{"codepage_check", "check the code-page byte against 'encoding' (true|false, default true)"},
	{"count_check", "fail when the file holds fewer records than its header claims (true|false, default true)"},
	{"max_memo_bytes", "cap on one memo's bytes (default 16777216, at most 1073741824)"},
	{NULL, NULL},
};

enum memo_kind { MEMO_NONE, MEMO_DBT, MEMO_FPT };

enum field_kind {
	K_CHAR,     /* C: trailing padding removed */
	K_NUMBER,   /* N, F: spaces trimmed, blank = NULL */
	K_DATE,     /* D: YYYYMMDD, blank = NULL */
	K_LOGICAL,  /* L */
	K_INT,      /* I: int32 LE */
	K_CURRENCY, /* Y: int64 LE / 10000 */
	K_DATETIME, /* T: julian day + milliseconds */
	K_DOUBLE,   /* B (Visual FoxPro): IEEE double LE */
	K_VAR,      /* V, Q: varchar / varbinary */
	K_MEMO,     /* M, G, P, W, B (dBase IV): memo block pointer */
	K_NULLFLAGS,
};

struct dbf_field {
	char raw[12];           /* the name as stored (NUL-terminated) */
	char disp[48];          /* the name for messages: \xHH outside printable ASCII */
	unsigned char type;
	enum field_kind kind;
	unsigned len, off;      /* bytes and offset in the record */
	int col;                /* output column, -1 for _NullFlags */
	int null_bit, var_bit;  /* bit in _NullFlags, -1 if none */
};

struct dbf {
	const struct pb_table *t;
	struct mg_input *in;
	struct mg_reader r;
	int have_reader;
	unsigned char version, ldid;
	uint32_t hdr_count;
	unsigned hdr_len, rec_len;
	struct dbf_field *f;
	unsigned nf;
	int nullflags;          /* index of _NullFlags in f, -1 if none */
	unsigned ncols;         /* visible fields; + 1 for _deleted */
	char *names[MG_MAX_COLS];
	/* memo file */
	enum memo_kind memo;
	int dbase4;             /* .dbt written by dBase IV (blocks may carry a header) */
	struct mg_input min;
	int memo_open;
	char memo_name[1024];
	uint64_t memo_size;
	unsigned block;
	struct mg_buf scratch;  /* one memo */
	/* options and caps */
	size_t max_memo, max_field;
	int count_check;
	/* progress */
	uint64_t offset;        /* stream offset of the next record */
	uint64_t nrec;          /* records met, rows and rejects */
	int done;
};

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint32_t be32(const unsigned char *p) { return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24; }
static uint16_t be16(const unsigned char *p) { return (uint16_t)(p[1] | p[0] << 8); }

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- versions and code pages ---- */

static int is_vfp(unsigned char v) { return v == 0x30 || v == 0x31 || v == 0x32; }
static int is_foxpro(unsigned char v) { return is_vfp(v) || v == 0xF5 || v == 0xFB; }

static int version_known(unsigned char v)
{
	static const unsigned char ok[] = {0x03, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xCB, 0xF5, 0xFB, 0x30, 0x31, 0x32};

	for (size_t i = 0; i < sizeof(ok); i++)
		if (ok[i] == v)
			return 1;
	return 0;
}

/* Language driver ids (header byte 29) and their code pages. "ansi" and
 * "" (none) are not checked. */
static const struct {
	unsigned char id;
	const char *cp;
} codepages[] = {
	{0x00, ""}, {0x01, "cp437"}, {0x02, "cp850"}, {0x03, "cp1252"}, {0x04, "mac-roman"},
	{0x08, "cp865"}, {0x09, "cp437"}, {0x0A, "cp850"}, {0x0B, "cp437"}, {0x0D, "cp437"},
	{0x0E, "cp850"}, {0x0F, "cp437"}, {0x10, "cp850"}, {0x11, "cp437"}, {0x12, "cp850"},
	{0x13, "cp932"}, {0x14, "cp850"}, {0x15, "cp437"}, {0x16, "cp850"}, {0x17, "cp865"},
	{0x18, "cp437"}, {0x19, "cp437"}, {0x1A, "cp850"}, {0x1B, "cp437"}, {0x1C, "cp863"},
	{0x1D, "cp850"}, {0x1F, "cp852"}, {0x22, "cp852"}, {0x23, "cp852"}, {0x24, "cp860"},
	{0x25, "cp850"}, {0x26, "cp866"}, {0x37, "cp850"}, {0x40, "cp852"}, {0x4D, "cp936"},
	{0x4E, "cp949"}, {0x4F, "cp950"}, {0x50, "cp874"}, {0x57, "ansi"}, {0x58, "cp1252"},
	{0x59, "cp1252"}, {0x64, "cp852"}, {0x65, "cp866"}, {0x66, "cp865"}, {0x67, "cp861"},
	{0x68, "cp895"}, {0x69, "cp620"}, {0x6A, "cp737"}, {0x6B, "cp857"}, {0x6C, "cp863"},
	{0x78, "cp950"}, {0x79, "cp949"}, {0x7A, "cp936"}, {0x7B, "cp932"}, {0x7C, "cp874"},
	{0x7D, "cp1255"}, {0x7E, "cp1256"}, {0x86, "cp737"}, {0x87, "cp852"}, {0x88, "cp857"},
	{0x96, "mac-cyrillic"}, {0x97, "mac-latin2"}, {0x98, "mac-greek"}, {0xC8, "cp1250"},
	{0xC9, "cp1251"}, {0xCA, "cp1254"}, {0xCB, "cp1253"}, {0xCC, "cp1257"},
};

/* The code page a declared encoding agrees with (see decoder_known_names). */
static const char *declared_cp(const char *enc)
{
	static const struct {
		const char *enc, *cp;
	} map[] = {
		{"gbk", "cp936"}, {"gb2312", "cp936"}, {"cp936", "cp936"}, {"gb18030", "cp936"},
		{"big5", "cp950"}, {"big5-hkscs", "cp950"},
		{"latin1", "cp1252"}, {"iso-8859-1", "cp1252"}, {"cp1252", "cp1252"},
		{"utf-8", "utf-8"}, {"utf8", "utf-8"}, {"utf8mb4", "utf-8"},
		{"utf-16le", "utf-16"}, {"utf-16be", "utf-16"},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(map[i].enc, enc))
			return map[i].cp;
	return NULL;
}

static int check_codepage(struct dbf *s, struct mg_err *e)
{
	const char *cp = NULL, *want;

	for (size_t i = 0; i < sizeof(codepages) / sizeof(codepages[0]); i++)
		if (codepages[i].id == s->ldid)
			cp = codepages[i].cp;
	if (!cp)
		return mg_err_set(e, MG_E_SOURCE,
				  "unknown code page byte 0x%02x in '%s'; if the declared encoding '%s' is right, set "
				  "codepage_check: false", s->ldid, s->in->name, s->t->encoding ? s->t->encoding : "");
	if (!*cp || !strcmp(cp, "ansi") || !s->t->encoding)
		return 0;
	want = declared_cp(s->t->encoding);
	if (want && !strcmp(want, cp))
		return 0;
	return mg_err_set(e, MG_E_SOURCE,
			  "code page byte 0x%02x (%s) of '%s' disagrees with the declared encoding '%s'; fix the "
			  "table's encoding, or set codepage_check: false if the byte is wrong",
			  s->ldid, cp, s->in->name, s->t->encoding);
}

/* ---- options ---- */

static int get_bool(struct playbook *pb, const yaml_node_t *map, const char *key, int dflt, int *out,
		    struct mg_err *e)
{
	yaml_node_t *n = pb_get(pb, map, key);
	const char *v = pb_scalar(n);

	*out = dflt;
	if (!n)
		return 0;
	if (v && (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on")))
		*out = 1;
	else if (v && (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off")))
		*out = 0;
	else
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: '%s' must be true or false", pb->path, pb_line(n), key);
	return 0;
}

/* ---- column names ---- */

/* The column name of a field: ASCII names as stored; others decoded from
 * the table's encoding, or (if they do not decode) spelled with \xHH. */
static char *column_name(const struct dbf *s, const char *raw, struct mg_err *e)
{
	struct mg_buf out;
	struct mg_decoder d;
	struct mg_err de = {0};
	size_t n = strlen(raw), bad;
	int ascii = 1;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)raw[i] >= 0x80 || (unsigned char)raw[i] < 0x20)
			ascii = 0;
	if (ascii)
		return strdup(raw);
	buf_init(&out, 256, "field name");
	if (s->t->encoding && decoder_open(&d, s->t->encoding, &de) == 0) {
		int rc = decoder_run(&d, (const unsigned char *)raw, n, &out, &bad, &de);
		int ok = rc == 0 && out.len && utf8_valid_prefix(out.ptr, out.len) == out.len;

		decoder_close(&d);
		for (size_t i = 0; ok && i < out.len; i++)
			if (out.ptr[i] < 0x20)
				ok = 0;
		if (ok)
			return buf_detach(&out, &n);
	}
	/* not in the declared encoding: spell the bytes out */
	buf_reset(&out);
	for (size_t i = 0; i < n; i++) {
		unsigned c = (unsigned char)raw[i];

		if ((c < 0x20 || c >= 0x80 || c == '\\') ? buf_printf(&out, e, "\\x%02x", c) : buf_addc(&out, (int)c, e)) {
			buf_release(&out);
			return NULL;
		}
	}
	return buf_detach(&out, &n);
}

/* ---- memo file ---- */

static int memo_read_at(struct dbf *s, uint64_t off, void *buf, size_t n, size_t *got, struct mg_err *e)
{
	*got = 0;
	if (s->min.seek(&s->min, off, e))
		return -1;
	while (*got < n) {
		ssize_t k = s->min.read(&s->min, (unsigned char *)buf + *got, n - *got, e);

		if (k < 0)
			return -1;
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return 0;
}

/* Find "<stem>.<ext>" beside path in any letter case; 0 found, 1 not, -1 error. */
static int find_memo(const char *path, const char *ext, char *out, size_t n, struct mg_err *e)
{
	char dir[4096], want[1024], same[1024];
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path, *dot = strrchr(base, '.');
	size_t stem = dot ? (size_t)(dot - base) : strlen(base);
	int upper = dot && dot[1] && dot[1] >= 'A' && dot[1] <= 'Z';
	unsigned found = 0;
	int have_same = 0;
	DIR *dp;
	struct dirent *de;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	snprintf(want, sizeof(want), "%.*s.%s", (int)stem, base, ext);
	snprintf(same, sizeof(same), "%.*s.", (int)stem, base);
	for (const char *x = ext; *x && strlen(same) + 1 < sizeof(same); x++) {
		size_t l = strlen(same);

		same[l] = upper ? (char)(*x - 'a' + 'A') : *x;
		same[l + 1] = '\0';
	}
	dp = opendir(dir);
	if (!dp)
		return mg_err_set(e, MG_E_IO, "cannot list '%s' for the memo file of '%s': %s", dir, base, strerror(errno));
	out[0] = '\0';
	while ((de = readdir(dp))) {
		if (strcasecmp(de->d_name, want))
			continue;
		found++;
		if (!strcmp(de->d_name, same))
			have_same = 1;
		if ((!out[0] || !strcmp(de->d_name, same)) &&
		    snprintf(out, n, "%s/%s", dir, de->d_name) >= (int)n) {
			closedir(dp);
			return mg_err_set(e, MG_E_IO, "memo file path in '%s' is too long", dir);
		}
	}
	closedir(dp);
	if (found > 1 && !have_same)
		return mg_err_set(e, MG_E_SOURCE, "several memo files match '%s' in '%s' (letter case differs); keep one",
				  want, dir);
	return found ? 0 : 1;
}

static int memo_header(struct dbf *s, struct mg_err *e);

static int memo_open(struct dbf *s, struct playbook *pb, struct mg_err *e)
{
	char *dir = NULL, path[4096], found[4096];
	const char *ext = s->memo == MEMO_FPT ? "fpt" : "dbt", *firstmemo = "";
	int rc;

	for (unsigned i = 0; i < s->nf; i++)
		if (s->f[i].kind == K_MEMO) {
			firstmemo = s->f[i].disp;
			break;
		}
	if (s->in->open_beside) {
		/* an archive member: its memo member, spooled */
		rc = s->in->open_beside(s->in, ext, &s->min, e);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return mg_err_set(e, MG_E_SOURCE, "memo file '%s' of '%s' not found in the archive (memo field "
					  "'%s'; looked in any letter case, in the table's directory)", s->min.name,
					  s->in->name, firstmemo);
		s->memo_open = 1;
		snprintf(s->memo_name, sizeof(s->memo_name), "%s", s->min.name);
		return memo_header(s, e);
	}
	if (!s->in->seek)
		return mg_err_set(e, MG_E_SOURCE, "memo file needed for '%s' (memo field '%s') but the input cannot "
				  "seek and has no file beside it", s->in->name, firstmemo);
	if (pb_get_str(pb, pb->source, "dir", &dir, e))
		return -1;
	if (dir && dir[0] != '/') {
		/* relative to the playbook, as filesrc opens the table itself */
		char *abs = pb_path(pb, dir);

		free(dir);
		if (!abs)
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		dir = abs;
	}
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : pb->dir, s->in->name);
	free(dir);
	rc = find_memo(path, ext, found, sizeof(found), e);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

		if (dot && (!slash || dot > slash))
			*dot = '\0';
		return mg_err_set(e, MG_E_SOURCE, "memo file '%s.%s' of '%s' not found (memo field '%s'; looked in any letter case)",
				  path, ext, s->in->name, firstmemo);
	}
	if (input_open_file(&s->min, found, NULL, e))
		return -1;
	s->memo_open = 1;
	{
		const char *slash = strrchr(s->in->name, '/'), *fb = strrchr(found, '/');

		snprintf(s->memo_name, sizeof(s->memo_name), "%.*s%s", slash ? (int)(slash - s->in->name + 1) : 0,
			 s->in->name, fb ? fb + 1 : found);
	}
	return memo_header(s, e);
}

/* The open memo file's header: its block size. */
static int memo_header(struct dbf *s, struct mg_err *e)
{
	unsigned char h[512];
	size_t got;

	s->memo_size = s->min.size;
	if (s->memo_size == UINT64_MAX)
		return mg_err_set(e, MG_E_SOURCE, "memo file '%s' is not a regular file", s->memo_name);
	if (memo_read_at(s, 0, h, sizeof(h), &got, e))
		return -1;
	if (s->memo == MEMO_FPT) {
		if (got < 8)
			return mg_err_set(e, MG_E_SOURCE, "memo file '%s' is shorter than its 8-byte header", s->memo_name);
		s->block = be16(h + 6);
		if (s->block == 0)
			return mg_err_set(e, MG_E_SOURCE, "memo file '%s' declares a block size of 0", s->memo_name);
	} else {
		s->block = 512;
		if (s->dbase4) {
			if (got < 22)
				return mg_err_set(e, MG_E_SOURCE, "memo file '%s' is shorter than its header", s->memo_name);
			if (le16(h + 20))
				s->block = le16(h + 20);
		}
	}
	return 0;
}

/* Read the memo at block blk into s->scratch. Returns 0, 1 if the pointer
 * or the memo is bad (detail filled), -1 on error. */
static int memo_get(struct dbf *s, uint64_t blk, const struct dbf_field *f, uint64_t recno, char *detail,
		    size_t dn, struct mg_err *e)
{
	uint64_t off = blk * s->block, len;
	size_t cap = s->max_memo <= s->max_field ? s->max_memo : s->max_field;
	const char *capname = s->max_memo <= s->max_field ? "max_memo_bytes" : "max_field_bytes";
	unsigned char h[8];
	size_t got;

	buf_reset(&s->scratch);
	if (off < 512 || off >= s->memo_size) {
		snprintf(detail, dn, "field '%s': memo block %" PRIu64 " is %s of '%.300s' (%" PRIu64 " bytes, blocks of %u)",
			 f->disp, blk, off < 512 ? "inside the header" : "past the end", s->memo_name, s->memo_size, s->block);
		return 1;
	}
	if (memo_read_at(s, off, h, sizeof(h), &got, e))
		return -1;
	if (s->memo == MEMO_FPT || (s->dbase4 && got == 8 && !memcmp(h, "\xff\xff\x08\x00", 4))) {
		if (got < 8) {
			snprintf(detail, dn, "field '%s': memo block %" PRIu64 " of '%.300s' is cut short", f->disp, blk, s->memo_name);
			return 1;
		}
		if (s->memo == MEMO_FPT) {
			len = be32(h + 4);
		} else {
			len = le32(h + 4);
			if (len < 8) {
				snprintf(detail, dn, "field '%s': memo block %" PRIu64 " of '%.300s' gives a length of %" PRIu64,
					 f->disp, blk, s->memo_name, len);
				return 1;
			}
			len -= 8;
		}
		if (len > s->memo_size - off - 8) {
			snprintf(detail, dn, "field '%s': memo at block %" PRIu64 " of '%.300s' claims %" PRIu64
				 " bytes, past the end of the file", f->disp, blk, s->memo_name, len);
			return 1;
		}
		if (len > cap)
			return mg_err_set(e, MG_E_LIMIT, "memo of field '%s' in record %" PRIu64 " is %" PRIu64
					  " bytes, over %s (%zu)", f->disp, recno, len, capname, cap);
		if (buf_grow(&s->scratch, (size_t)len, e) ||
		    memo_read_at(s, off + 8, s->scratch.ptr, (size_t)len, &got, e))
			return -1;
		if (got < len) {        /* the memo file shrank since it was opened */
			snprintf(detail, dn, "field '%s': memo at block %" PRIu64 " of '%.300s' is cut short",
				 f->disp, blk, s->memo_name);
			return 1;
		}
		s->scratch.len = got;
		s->scratch.ptr[got] = '\0';
		return 0;
	}
	/* dBase III: text up to the first 0x1A (writers put one or two) or the end */
	for (uint64_t pos = off;;) {
		unsigned char chunk[4096];
		const unsigned char *end;
		size_t take;

		if (memo_read_at(s, pos, chunk, sizeof(chunk), &got, e))
			return -1;
		end = memchr(chunk, 0x1A, got);
		take = end ? (size_t)(end - chunk) : got;
		if (s->scratch.len + take > cap)
			return mg_err_set(e, MG_E_LIMIT, "memo of field '%s' in record %" PRIu64 " is over %s (%zu)",
					  f->disp, recno, capname, cap);
		if (buf_add(&s->scratch, chunk, take, e))
			return -1;
		if (end || got < sizeof(chunk))
			return 0;
		pos += got;
	}
}

/* ---- header ---- */

static void dbf_free(struct dbf *s)
{
	if (!s)
		return;
	if (s->have_reader)
		reader_release(&s->r);
	if (s->memo_open)
		input_close_file(&s->min);
	for (unsigned i = 0; i < s->ncols; i++)
		free(s->names[i]);
	free(s->f);
	buf_release(&s->scratch);
	free(s);
}

static void dbf_close(void *state)
{
	dbf_free(state);
}

/* Check a field's type and length; fills f->kind. */
static int field_check(struct dbf *s, struct dbf_field *f, unsigned dec, struct mg_err *e)
{
	const char *want = NULL;

	switch (f->type) {
	case 'C':
		f->kind = K_CHAR;
		f->len |= dec << 8;     /* Clipper, FoxPro: long character fields */
		break;
	case 'N': case 'F':
		f->kind = K_NUMBER;
		break;
	case 'D':
		f->kind = K_DATE;
		if (f->len != 8)
			want = "8";
		break;
	case 'L':
		f->kind = K_LOGICAL;
		if (f->len != 1)
			want = "1";
		break;
	case 'I':
		f->kind = K_INT;
		if (f->len != 4)
			want = "4";
		break;
	case 'Y':
		f->kind = K_CURRENCY;
		if (f->len != 8)
			want = "8";
		break;
	case 'T':
		f->kind = K_DATETIME;
		if (f->len != 8)
			want = "8";
		break;
	case 'V': case 'Q':
		f->kind = K_VAR;
		break;
	case 'B':
		if (f->len == 8 && is_vfp(s->version)) {
			f->kind = K_DOUBLE;
			break;
		}
		/* dBase IV binary memo */
		/* fall through */
	case 'M': case 'G': case 'P': case 'W':
		f->kind = K_MEMO;
		if (f->len != 4 && f->len != 10)
			want = "4 or 10";
		break;
	case '0':
		f->kind = K_NULLFLAGS;
		break;
	default:
		if (f->type >= 0x21 && f->type < 0x7f)
			return mg_err_set(e, MG_E_SOURCE, "field '%s' of '%s' has the unsupported type '%c'", f->disp,
					  s->in->name, f->type);
		return mg_err_set(e, MG_E_SOURCE, "field '%s' of '%s' has the unsupported type 0x%02x", f->disp,
				  s->in->name, f->type);
	}
	if (want)
		return mg_err_set(e, MG_E_SOURCE, "field '%s' of '%s' has type '%c' and length %u, expected %s",
				  f->disp, s->in->name, f->type, f->len, want);
	if (f->len == 0)
		return mg_err_set(e, MG_E_SOURCE, "field '%s' of '%s' has length 0", f->disp, s->in->name);
	return 0;
}

static int parse_fields(struct dbf *s, const unsigned char *h, struct mg_err *e)
{
	unsigned pos = 32, max = (s->hdr_len - 32) / 32, sum = 1, nullbit = 0;

	s->f = calloc(max ? max : 1, sizeof(*s->f));
	if (!s->f)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	s->nullflags = -1;
	for (;;) {
		struct dbf_field *f;
		size_t nl;

		if (pos >= s->hdr_len)
			return mg_err_set(e, MG_E_SOURCE, "header of '%s' has no field terminator 0x0d within its "
					  "length of %u bytes", s->in->name, s->hdr_len);
		if (h[pos] == 0x0D)
			break;
		if (pos + 32 > s->hdr_len)
			return mg_err_set(e, MG_E_SOURCE, "field descriptor %u of '%s' runs past the header length %u "
					  "(no terminator 0x0d)", s->nf + 1, s->in->name, s->hdr_len);
		f = &s->f[s->nf];
		memcpy(f->raw, h + pos, 11);
		f->raw[11] = '\0';
		nl = strlen(f->raw);
		while (nl && f->raw[nl - 1] == ' ')
			f->raw[--nl] = '\0';
		for (size_t i = 0, k = 0; i < nl; i++) {
			unsigned c = (unsigned char)f->raw[i];

			if (c < 0x20 || c >= 0x7f || c == '\\' || c == '\'')
				k += (size_t)snprintf(f->disp + k, sizeof(f->disp) - k, "\\x%02x", c);
			else
				f->disp[k++] = (char)c;
		}
		f->type = h[pos + 11];
		f->len = h[pos + 16];
		f->null_bit = f->var_bit = -1;
		f->col = -1;
		if (!nl)
			return mg_err_set(e, MG_E_SOURCE, "field %u of '%s' has an empty name", s->nf + 1, s->in->name);
		if (field_check(s, f, h[pos + 17], e))
			return -1;
		f->off = sum;
		sum += f->len;
		if (sum > 65535)
			return mg_err_set(e, MG_E_SOURCE, "fields of '%s' add up to more than 65535 bytes", s->in->name);
		if (f->kind == K_NULLFLAGS) {
			if (s->nullflags >= 0)
				return mg_err_set(e, MG_E_SOURCE, "'%s' has two _NullFlags fields", s->in->name);
			s->nullflags = (int)s->nf;
		} else {
			if (s->ncols >= DBF_MAX_FIELDS)
				return mg_err_set(e, MG_E_LIMIT, "'%s' has more than %d fields", s->in->name,
						  DBF_MAX_FIELDS);
			f->col = (int)s->ncols++;
			if (is_vfp(s->version)) {
				/* Visual FoxPro: a varchar's length bit comes before its null bit */
				if (f->kind == K_VAR)
					f->var_bit = (int)nullbit++;
				if (h[pos + 18] & 0x02)
					f->null_bit = (int)nullbit++;
			}
		}
		s->nf++;
		pos += 32;
	}
	if (s->nf == 0 || s->ncols == 0)
		return mg_err_set(e, MG_E_SOURCE, "'%s' has no fields", s->in->name);
	if (sum != s->rec_len)
		return mg_err_set(e, MG_E_SOURCE, "record length %u in the header of '%s' does not match its fields "
				  "(1 + %u field bytes = %u)", s->rec_len, s->in->name, sum - 1, sum);
	if (nullbit && s->nullflags < 0) {
		/* nullable fields without a _NullFlags column cannot be NULL */
		for (unsigned i = 0; i < s->nf; i++)
			s->f[i].null_bit = s->f[i].var_bit = -1;
	} else if (s->nullflags >= 0 && nullbit > s->f[s->nullflags].len * 8) {
		return mg_err_set(e, MG_E_SOURCE, "_NullFlags of '%s' has %u bytes, too few for %u flags", s->in->name,
				  s->f[s->nullflags].len, nullbit);
	}
	return 0;
}

static int names_fill(struct dbf *s, struct mg_err *e)
{
	unsigned c = 0;

	for (unsigned i = 0; i < s->nf; i++) {
		if (s->f[i].col < 0)
			continue;
		if (!(s->names[c] = column_name(s, s->f[i].raw, e)))
			return mg_err_isset(e) ? -1 : mg_err_set(e, MG_E_NOMEM, "out of memory");
		c++;
	}
	if (!(s->names[c] = strdup("_deleted")))
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	s->ncols = c + 1;
	for (unsigned i = 0; i < s->ncols; i++)
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(s->names[i], s->names[j]))
				return mg_err_set(e, MG_E_SOURCE, "'%s' has two columns named '%s'", s->in->name,
						  s->names[i]);
	return 0;
}

static int dbf_open(struct playbook *pb, const struct pb_table *t, struct mg_input *in, void **state,
		    struct mg_columns *cols, struct mg_err *e)
{
	struct dbf *s = calloc(1, sizeof(*s));
	unsigned long long v;
	int cp_check, need_memo = 0;
	ssize_t got;
	const unsigned char *h;

	*state = NULL;
	if (!s)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	s->t = t;
	s->in = in;
	s->max_field = t->max_field_bytes ? t->max_field_bytes : 16u << 20;
	buf_init(&s->scratch, 0, "max_memo_bytes");
	if (get_bool(pb, t->node, "codepage_check", 1, &cp_check, e) ||
	    get_bool(pb, t->node, "count_check", 1, &s->count_check, e) ||
	    pb_get_uint(pb, t->node, "max_memo_bytes", DBF_MEMO_DEFAULT, DBF_MEMO_MAX, &v, e))
		goto fail;
	s->max_memo = (size_t)v;
	if (reader_init(&s->r, in, DBF_READER_CAP, e))
		goto fail;
	s->have_reader = 1;

	got = reader_fill(&s->r, 32, e);
	if (got < 0)
		goto fail;
	if (got < 32) {
		mg_err_set(e, MG_E_SOURCE, "'%s' is not a dBase table: %zd bytes, shorter than the 32-byte header",
			   in->name, got);
		goto fail;
	}
	h = s->r.buf + s->r.pos;
	s->version = h[0];
	if (s->version == 0x04 || s->version == 0x8C) {
		mg_err_set(e, MG_E_SOURCE, "'%s' is a dBase 7 table (version byte 0x%02x), which is not supported",
			   in->name, s->version);
		goto fail;
	}
	if (!version_known(s->version)) {
		mg_err_set(e, MG_E_SOURCE, "'%s' is not a dBase or FoxPro table: unknown version byte 0x%02x",
			   in->name, s->version);
		goto fail;
	}
	if (h[15] == 0x01) {
		mg_err_set(e, MG_E_SOURCE, "'%s' is an encrypted dBase IV table (header byte 15), which cannot be read",
			   in->name);
		goto fail;
	}
	s->hdr_count = le32(h + 4);
	s->hdr_len = le16(h + 8);
	s->rec_len = le16(h + 10);
	s->ldid = h[29];
	if (s->hdr_len < 65) {
		mg_err_set(e, MG_E_SOURCE, "header length %u of '%s' is too small for one field (65 bytes)",
			   s->hdr_len, in->name);
		goto fail;
	}
	got = reader_fill(&s->r, s->hdr_len, e);
	if (got < 0)
		goto fail;
	if ((size_t)got < s->hdr_len) {
		mg_err_set(e, MG_E_SOURCE, "'%s' ends inside its header (%zd of %u bytes)", in->name, got, s->hdr_len);
		goto fail;
	}
	h = s->r.buf + s->r.pos;
	if (parse_fields(s, h, e) || names_fill(s, e))
		goto fail;
	s->r.pos += s->hdr_len;
	s->offset = s->hdr_len;
	if (cp_check && check_codepage(s, e))
		goto fail;
	if (s->count_check && in->size != UINT64_MAX) {
		uint64_t room = in->size - s->hdr_len, most = room / s->rec_len + (room % s->rec_len != 0);

		if (s->hdr_count > most) {
			mg_err_set(e, MG_E_SOURCE, "'%s' holds at most %" PRIu64 " records but its header claims %" PRIu32
				   " (the file is cut short); set count_check: false to read what is there",
				   in->name, most, s->hdr_count);
			goto fail;
		}
	}
	for (unsigned i = 0; i < s->nf; i++)
		if (s->f[i].kind == K_MEMO)
			need_memo = 1;
	if (need_memo) {
		s->memo = is_foxpro(s->version) ? MEMO_FPT : MEMO_DBT;
		s->dbase4 = (s->version & 0x08) != 0;
		if (memo_open(s, pb, e))
			goto fail;
	}
	cols->n = s->ncols;
	for (unsigned i = 0; i < s->ncols; i++)
		cols->name[i] = s->names[i];
	*state = s;
	return 0;
fail:
	dbf_free(s);
	return -1;
}

/* ---- records ---- */

static int is_blank(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != 0)
			return 0;
	return 1;
}

/* Julian day number to a proleptic Gregorian date. */
static void jdn_date(uint32_t j, unsigned *y, unsigned *m, unsigned *d)
{
	uint64_t f = (uint64_t)j + 1401 + (((4 * (uint64_t)j + 274277) / 146097) * 3) / 4 - 38;
	uint64_t ee = 4 * f + 3, g = (ee % 1461) / 4, hh = 5 * g + 2;

	*d = (unsigned)((hh % 153) / 5 + 1);
	*m = (unsigned)((hh / 153 + 2) % 12 + 1);
	*y = (unsigned)(ee / 1461 - 4716 + (12 + 2 - *m) / 12);
}

static int put_text(struct mg_batch *b, unsigned col, const char *txt, struct mg_err *e)
{
	return batch_put(b, col, txt, strlen(txt), e);
}

/* Put one field; returns 0, 1 if the record is to be rejected (reason and
 * detail filled), -1 on error. */
static int put_field(struct dbf *s, struct mg_batch *b, const struct dbf_field *f, const unsigned char *rec,
		     uint64_t recno, const char **reason, char *detail, size_t dn, struct mg_err *e)
{
	const unsigned char *p = rec + f->off;
	size_t n = f->len;
	unsigned col = (unsigned)f->col;
	char txt[64];

	if (f->null_bit >= 0) {
		const unsigned char *nf = rec + s->f[s->nullflags].off;

		if (nf[f->null_bit / 8] & (1u << (f->null_bit % 8))) {
			batch_put_null(b, col);
			return 0;
		}
	}
	switch (f->kind) {
	case K_CHAR:
		while (n && (p[n - 1] == ' ' || p[n - 1] == 0))
			n--;
		break;
	case K_NUMBER:
		while (n && (p[n - 1] == ' ' || p[n - 1] == 0))
			n--;
		while (n && (*p == ' ' || *p == 0))
			p++, n--;
		if (!n) {
			batch_put_null(b, col);
			return 0;
		}
		break;
	case K_DATE:
		if (is_blank(p, n)) {
			batch_put_null(b, col);
			return 0;
		}
		break;
	case K_LOGICAL:
		if (*p && strchr("TtYy", *p)) {
			return put_text(b, col, "T", e);
		} else if (*p && strchr("FfNn", *p)) {
			return put_text(b, col, "F", e);
		} else if (*p == '?' || *p == ' ' || *p == 0) {
			batch_put_null(b, col);
			return 0;
		}
		break;          /* anything else: the byte as stored */
	case K_INT:
		snprintf(txt, sizeof(txt), "%" PRId32, (int32_t)le32(p));
		return put_text(b, col, txt, e);
	case K_CURRENCY: {
		int64_t v = (int64_t)le64(p);
		uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

		snprintf(txt, sizeof(txt), "%s%" PRIu64 ".%04u", v < 0 ? "-" : "", a / 10000, (unsigned)(a % 10000));
		return put_text(b, col, txt, e);
	}
	case K_DATETIME: {
		uint32_t day = le32(p), ms = le32(p + 4);
		unsigned y, m, d;
		int k;

		if (is_blank(p, n)) {
			batch_put_null(b, col);
			return 0;
		}
		if (day < 1721426 || day > 5373484 || ms >= 86400000u) {
			*reason = "bad_value";
			snprintf(detail, dn, "field '%s': datetime with julian day %" PRIu32 " and %" PRIu32
				 " milliseconds is out of range", f->disp, day, ms);
			return 1;
		}
		jdn_date(day, &y, &m, &d);
		k = snprintf(txt, sizeof(txt), "%04u-%02u-%02u %02u:%02u:%02u", y, m, d, ms / 3600000u,
			     ms / 60000u % 60, ms / 1000u % 60);
		if (ms % 1000)
			snprintf(txt + k, sizeof(txt) - (size_t)k, ".%03u", ms % 1000);
		return put_text(b, col, txt, e);
	}
	case K_DOUBLE: {
		uint64_t bits = le64(p);
		double v;

		memcpy(&v, &bits, sizeof(v));
		if (isnan(v)) {
			snprintf(txt, sizeof(txt), "NaN");
		} else if (isinf(v)) {
			snprintf(txt, sizeof(txt), v < 0 ? "-Infinity" : "Infinity");
		} else {
			/* the shortest text that reads back as the same double */
			for (int prec = 1; prec <= 17; prec++) {
				snprintf(txt, sizeof(txt), "%.*g", prec, v);
				if (strtod(txt, NULL) == v)
					break;
			}
		}
		return put_text(b, col, txt, e);
	}
	case K_VAR:
		if (f->var_bit >= 0) {
			const unsigned char *nf = rec + s->f[s->nullflags].off;

			if (nf[f->var_bit / 8] & (1u << (f->var_bit % 8))) {
				if (p[n - 1] > n - 1) {
					*reason = "bad_value";
					snprintf(detail, dn, "field '%s': varchar length %u is over the field's %zu bytes",
						 f->disp, p[n - 1], n - 1);
					return 1;
				}
				n = p[n - 1];
			}
		}
		break;
	case K_MEMO: {
		uint64_t blk = 0;
		int rc;

		if (n == 4) {
			blk = le32(p);
		} else {
			size_t i = 0;

			while (i < n && (p[i] == ' ' || p[i] == 0))
				i++;
			for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
				blk = blk * 10 + (uint64_t)(p[i] - '0');
			while (i < n && (p[i] == ' ' || p[i] == 0))
				i++;
			if (i < n) {
				*reason = "bad_memo";
				snprintf(detail, dn, "field '%s': memo block pointer is not a number", f->disp);
				return 1;
			}
		}
		if (blk == 0)
			return batch_put(b, col, "", 0, e);
		rc = memo_get(s, blk, f, recno, detail, dn, e);
		if (rc) {
			*reason = "bad_memo";
			return rc;
		}
		return batch_put(b, col, s->scratch.ptr ? s->scratch.ptr : (const unsigned char *)"", s->scratch.len, e);
	}
	case K_NULLFLAGS:
		return 0;
	}
	if (n > s->max_field)
		return mg_err_set(e, MG_E_LIMIT, "value too large: field '%s' of record %" PRIu64 " is %zu bytes, "
				  "over max_field_bytes (%zu)", f->disp, recno, n, s->max_field);
	return batch_put(b, col, p, n, e);
}

static int put_record(struct dbf *s, struct mg_batch *b, const unsigned char *rec, uint64_t recno, uint64_t off,
		      struct mg_err *e)
{
	const char *reason = NULL;
	char detail[700];

	batch_row_begin(b);
	if (rec[0] != ' ' && rec[0] != '*') {
		reason = "bad_record";
		snprintf(detail, sizeof(detail), "deletion flag 0x%02x is neither ' ' nor '*'", rec[0]);
		goto reject;
	}
	for (unsigned i = 0; i < s->nf; i++) {
		int rc;

		if (s->f[i].col < 0)
			continue;
		rc = put_field(s, b, &s->f[i], rec, recno, &reason, detail, sizeof(detail), e);
		if (rc < 0)
			return -1;
		if (rc > 0)
			goto reject;
	}
	if (batch_put(b, s->ncols - 1, rec[0] == '*' ? "T" : "F", 1, e))
		return -1;
	return filesrc_row_end(b, s->in->name, recno, recno, off, e);
reject:
	batch_row_cancel(b);
	return filesrc_reject(b, s->in->name, recno, reason, detail, rec, s->rec_len, recno, off, e);
}

static int dbf_next(void *state, struct mg_batch *b, uint64_t *recno, struct mg_err *e)
{
	struct dbf *s = state;

	if (s->done)
		return MG_DONE;
	while (!batch_full(b)) {
		ssize_t got = reader_fill(&s->r, s->rec_len, e);
		const unsigned char *rec;
		uint64_t off = s->offset;

		if (got < 0)
			return MG_ERR;
		if (got == 0)
			goto end;
		rec = s->r.buf + s->r.pos;
		/* an end marker where the file or the header's count ends */
		if (rec[0] == 0x1A && ((size_t)got < s->rec_len || s->nrec >= s->hdr_count))
			goto end;
		s->nrec++;
		(*recno)++;
		if ((size_t)got < s->rec_len) {
			char detail[200];

			snprintf(detail, sizeof(detail), "the file ends %zd bytes into record %" PRIu64
				 " (records are %u bytes; the header claims %" PRIu32 " records)",
				 got, *recno, s->rec_len, s->hdr_count);
			if (filesrc_reject(b, s->in->name, *recno, "truncated_record", detail, rec, (size_t)got, *recno,
					   off, e))
				return MG_ERR;
			s->r.pos += (size_t)got;
			s->offset += (uint64_t)got;
			goto end;
		}
		if (*recno > b->skip_through && put_record(s, b, rec, *recno, off, e))
			return MG_ERR;
		s->r.pos += s->rec_len;
		s->offset += s->rec_len;
	}
	return MG_OK;
end:
	s->done = 1;
	if (s->count_check && s->nrec < s->hdr_count)
		return mg_err_set(e, MG_E_SOURCE, "the file holds %" PRIu64 " records but its header claims %" PRIu32
				  " (the file is cut short); set count_check: false to read what is there",
				  s->nrec, s->hdr_count);
	return MG_DONE;
}

const struct file_format format_dbf = {
	.name = "dbf",
	.options = dbf_table_options,
	.open = dbf_open,
	.next = dbf_next,
	.close = dbf_close,
};

const struct source_driver source_dbf = FILESRC_DRIVER("dbf", dbf_source_options);
