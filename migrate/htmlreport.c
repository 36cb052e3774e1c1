/* migrate/htmlreport.c: a run's reports, rendered from the store alone.
 *
 * report_render (migrate/outputs.h) reads one run back from the store, in
 * one read-only REPEATABLE READ transaction so every file sees the same
 * snapshot, and writes five files into a directory:
 *
 *   run-<id>.json         the machine report: ledger, rejects by reason,
 *                         fixes, coverage, inputs, monthly/category/status
 *                         counts, masked reject samples
 *   rejects-<id>.csv      every reject, its raw row rendered column=value
 *                         with personal data masked
 *   coverage-<id>.csv     legacy category code/text -> unified category
 *   differences-<id>.csv  the run's problems, one per line
 *   run-<id>.html         one self-contained page (inline CSS and SVG, no
 *                         script, no external asset) for auditors
 *
 * Memory stays bounded: rejects, coverage, inputs and aggregates stream
 * from server-side cursors; only the first rows of each (for the page) are
 * kept. Each file is written under a temporary name and hashed as it is
 * written; the five are renamed into place only when all succeeded, and
 * appended to `outputs` as "path\tsha256\n".
 *
 * Masking (docs/reports.md): which legacy columns hold personal data comes
 * from the run's playbook (the fields whose unified field is personal in
 * migrate/schema.c); values of those columns are masked by kind (name,
 * phone, ID number), every other value goes through mask_scan. When the
 * playbook cannot be read or has changed since the run, every column but
 * the key is masked whole. The store's reads go through
 * migration.work_order_masked, so the auditor role can render reports.
 */
#include "migrate/outputs.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "extractors/extractor.h"
#include "migrate/builtin.h"
#include "migrate/dq.h"
#include "migrate/mask.h"
#include "migrate/playbook.h"
#include "migrate/schema.h"
#include "transform/decode.h"

#define SAMPLE_MAX 20           /* masked reject rows on the page and in the JSON */
#define PAGE_COVERAGE_MAX 50    /* coverage rows on the page */
#define PAGE_INPUTS_MAX 200     /* inputs on the page */
#define PAGE_RAW_CHARS 600      /* characters of a sample's raw row on the page */
#define FETCH "FETCH 200 FROM "
#define VALUE_CAP ((size_t)256 << 20) /* report_value_bytes: one rendered row */
#define MAX_DEC 8

enum { F_JSON, F_REJECTS, F_COVERAGE, F_DIFF, F_HTML, F_COUNT };

static const char *const file_stem[F_COUNT] = {"run", "rejects", "coverage", "differences", "run"};
static const char *const file_ext[F_COUNT] = {"json", "csv", "csv", "csv", "html"};

struct rfile {
	FILE *f;
	EVP_MD_CTX *md;
	char *name;             /* run-1.json */
	char *path;             /* dir/run-1.json */
	char *tmp;              /* dir/.run-1.json.tmp */
	char sha[65];
	int oom;                /* a formatted write could not be made */
	int done;               /* 1: finished, 2: renamed into place */
};

struct colinfo {
	char *name;
	enum mask_kind kind;
	int dec;                /* decoder index, -1: UTF-8 */
};

struct tinfo {
	char *name;             /* migration.run_table.source_table */
	struct colinfo *cols;
	unsigned ncols;
	struct mg_decoder dec[MAX_DEC];
	unsigned ndec;
	int defdec;             /* the table's encoding: decoder index, -1: UTF-8 */
	int all;                /* no playbook: every column masked but the key */
	enum mask_kind keykind; /* how legacy_key is shown */
};

struct rctx {
	struct pgstore *s;
	long long run_id;
	char id[24];
	struct mg_err *e;
	PGresult *run, *reasons, *cats, *tstages;
	struct mg_ledger l;
	const char *ledger_from;
	int have_source, have_target;
	struct playbook *pb;
	const char *mask_basis;  /* "playbook", "all columns" */
	char mask_note[1024];
	struct tinfo *t;
	unsigned nt;
	unsigned long long rejects_total, rejects_stored, merged_stored, wo_total;
	unsigned long long cov_rows, cov_sum, inputs_n, inputs_bytes, inputs_records;
	/* coverage summary: records that went on from work-order tables, how
	 * their category was found, and unified codes several legacy codes
	 * became (many_to_one) */
	unsigned long long cov_records, cov_table, cov_keyword, cov_default, cov_rejected;
	json_t *cov_many;
	json_t *samples, *cov_top, *inputs_top, *months, *categories, *statuses, *problems, *personal;
	struct rfile f[F_COUNT];
	struct mg_buf val, val2, tmp, row, key, detail;
};

/* ---- output files: written under a temporary name, hashed as written */

static int rf_open(struct rfile *rf, const char *dir, const char *name, struct mg_err *e)
{
	size_t dl = strlen(dir), nl = strlen(name);

	rf->name = strdup(name);
	rf->path = malloc(dl + nl + 2);
	rf->tmp = malloc(dl + nl + 8);
	rf->md = EVP_MD_CTX_new();
	if (!rf->name || !rf->path || !rf->tmp || !rf->md)
		return mg_err_set(e, MG_E_NOMEM, "out of memory opening '%s'", name);
	snprintf(rf->path, dl + nl + 2, "%s/%s", dir, name);
	snprintf(rf->tmp, dl + nl + 8, "%s/.%s.tmp", dir, name);
	if (!EVP_DigestInit_ex(rf->md, EVP_sha256(), NULL))
		return mg_err_set(e, MG_E_INTERNAL, "cannot start SHA-256 for '%s'", rf->path);
	rf->f = fopen(rf->tmp, "wb");
	if (!rf->f)
		return mg_err_set(e, MG_E_IO, "cannot create '%s': %s", rf->tmp, strerror(errno));
	return 0;
}

static void rf_write(struct rfile *rf, const void *p, size_t n)
{
	if (!n || !rf->f)
		return;
	fwrite(p, 1, n, rf->f);
	EVP_DigestUpdate(rf->md, p, n);
}

static void rf_puts(struct rfile *rf, const char *s)
{
	rf_write(rf, s, strlen(s));
}

static void rf_printf(struct rfile *rf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rf_printf(struct rfile *rf, const char *fmt, ...)
{
	char small[512], *p = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		p = malloc((size_t)n + 1);
		if (!p) {
			rf->oom = 1; /* reported by rf_finish */
			return;
		}
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	rf_write(rf, p, (size_t)n);
	if (p != small)
		free(p);
}

/* Flush and close; the file's SHA-256 is known from here on. */
static int rf_finish(struct rfile *rf, struct mg_err *e)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int bad;

	if (!rf->f || rf->oom)
		return mg_err_set(e, MG_E_NOMEM, "cannot write '%s': out of memory", rf->tmp);
	bad = ferror(rf->f) || fflush(rf->f) || fsync(fileno(rf->f));
	if (fclose(rf->f))
		bad = 1;
	rf->f = NULL;
	if (bad)
		return mg_err_set(e, MG_E_IO, "cannot write '%s': %s", rf->tmp, strerror(errno));
	if (!EVP_DigestFinal_ex(rf->md, md, &mdlen) || mdlen != 32)
		return mg_err_set(e, MG_E_INTERNAL, "cannot finish SHA-256 of '%s'", rf->path);
	for (int i = 0; i < 32; i++) {
		rf->sha[2 * i] = hx[md[i] >> 4];
		rf->sha[2 * i + 1] = hx[md[i] & 15];
	}
	rf->sha[64] = '\0';
	rf->done = 1;
	return 0;
}

static void rf_free(struct rfile *rf)
{
	if (rf->f) {
		fclose(rf->f);
		rf->f = NULL;
	}
	if (rf->tmp && rf->done != 2)
		unlink(rf->tmp);
	EVP_MD_CTX_free(rf->md);
	free(rf->name);
	free(rf->path);
	free(rf->tmp);
	memset(rf, 0, sizeof(*rf));
}

/* ---- text rendering */


/* Bytes as readable one-line text: valid UTF-8 is kept; a byte that is not
 * is written \xHH; backslash, TAB, CR, LF and other control characters are
 * escaped (\\, \t, \r, \n, \xHH), and so are the C1 controls and the
 * bidirectional overrides (\u{202E}) that could make a line read as
 * something else. */
static int esc_text(const void *in, size_t n, struct mg_buf *out, struct mg_err *e)
{
	return dq_esc(in, n, out, e);
}

/* Legacy bytes decoded with the table's declared encoding, then esc_text;
 * bytes that do not decode are shown as \xHH where they are, and decoding
 * resumes after them (after 16 such places, the rest is shown as UTF-8). */
static int decode_esc(struct rctx *c, struct mg_decoder *d, const unsigned char *in, size_t n, struct mg_buf *out)
{
	return dq_decode_esc(d, in, n, &c->tmp, out, c->e);
}

/* ---- masking plan: which legacy columns are personal */

/* How a personal unified field is masked, by its name: caller_phone,
 * contact_phone -> phone; caller_id_no -> ID number; caller_name, actor ->
 * name; any other personal field is masked whole. */
static enum mask_kind field_kind(const char *field)
{
	if (strstr(field, "phone"))
		return MASK_PHONE;
	if (strstr(field, "id_no"))
		return MASK_ID;
	if (strstr(field, "name") || !strcmp(field, "actor"))
		return MASK_NAME;
	return MASK_ALL;
}

static int kind_rank(enum mask_kind k)
{
	return k == MASK_NONE ? 0 : k == MASK_SCAN ? 1 : k == MASK_ALL ? 3 : 2;
}

static int personal(enum mask_kind k)
{
	return kind_rank(k) >= 2;
}

static int col_find(const struct tinfo *ti, const char *name, size_t n)
{
	for (unsigned i = 0; ti && i < ti->ncols; i++)
		if (strlen(ti->cols[i].name) == n && !strncasecmp(ti->cols[i].name, name, n))
			return (int)i;
	return -1;
}

static void col_mark(struct tinfo *ti, const char *col, enum mask_kind k)
{
	int i = col ? col_find(ti, col, strlen(col)) : -1;

	if (i >= 0 && kind_rank(k) > kind_rank(ti->cols[i].kind))
		ti->cols[i].kind = k;
}

static int dec_index(struct rctx *c, struct tinfo *ti, const char *enc)
{
	if (!enc)
		return -1;
	for (unsigned i = 0; i < ti->ndec; i++)
		if (!strcasecmp(ti->dec[i].name, enc))
			return (int)i;
	if (ti->ndec == MAX_DEC)
		return -1;
	if (decoder_open(&ti->dec[ti->ndec], enc, c->e))
		return -1;
	if (ti->dec[ti->ndec].passthrough) {
		decoder_close(&ti->dec[ti->ndec]);
		return -1; /* UTF-8: esc_text is the decoder */
	}
	snprintf(ti->dec[ti->ndec].name, sizeof(ti->dec[0].name), "%s", enc);
	return (int)ti->ndec++;
}

static const struct pb_table *pb_table_for(const struct rctx *c, const struct tinfo *ti)
{
	for (unsigned i = 0; c->pb && i < c->pb->ntables; i++)
		if (!strcmp(c->pb->tables[i].name, ti->name))
			return &c->pb->tables[i];
	if (c->pb && c->pb->ntables == 1 && c->nt == 1)
		return &c->pb->tables[0];
	return NULL;
}

/* The masking plan of one table from the playbook's field map. */
static int plan_table(struct rctx *c, struct tinfo *ti)
{
	const struct pb_table *t = c->pb ? pb_table_for(c, ti) : NULL;
	const struct mg_utable *ut = t ? schema_table_find(t->target) : NULL;
	const char *legacy_col = NULL;

	ti->keykind = MASK_NONE;
	if (!t || !ut || ut->raw || !t->fields) {
		/* no field map: every column is masked whole, but the key */
		ti->all = 1;
		for (unsigned i = 0; i < ti->ncols; i++)
			ti->cols[i].kind = MASK_ALL;
		if (t && t->key && col_find(ti, t->key, strlen(t->key)) >= 0)
			ti->cols[col_find(ti, t->key, strlen(t->key))].kind = MASK_NONE;
		return 0;
	}
	for (unsigned i = 0; i < ti->ncols; i++) {
		ti->cols[i].kind = MASK_SCAN;
		ti->cols[i].dec = -1;
	}
	/* decoders: the table's encoding, then per-column overrides */
	{
		struct mg_err ignore = {0};
		struct mg_err *keep = c->e;
		int def;

		c->e = &ignore; /* an encoding the tool cannot open: shown as UTF-8 */
		def = dec_index(c, ti, t->encoding);
		ti->defdec = def;
		for (unsigned i = 0; i < ti->ncols; i++)
			ti->cols[i].dec = def;
		for (yaml_node_pair_t *q = pb_pairs_begin(t->encodings); q && q < pb_pairs_end(t->encodings); q++) {
			const char *col = pb_scalar(pb_node(c->pb, q->key)), *enc = pb_scalar(pb_node(c->pb, q->value));
			int ci = col ? col_find(ti, col, strlen(col)) : -1;

			mg_err_clear(&ignore);
			if (ci >= 0)
				ti->cols[ci].dec = dec_index(c, ti, enc);
		}
		c->e = keep;
	}
	for (yaml_node_pair_t *q = pb_pairs_begin(t->fields); q && q < pb_pairs_end(t->fields); q++) {
		const char *field = pb_scalar(pb_node(c->pb, q->key));
		yaml_node_t *spec = pb_node(c->pb, q->value);
		const char *col = pb_scalar(spec) ? pb_scalar(spec) : pb_scalar(pb_get(c->pb, spec, "column"));
		int uf = field ? schema_field_index(ut, field) : -1;

		if (!col || !field)
			continue;
		if (!strcmp(field, "legacy_id"))
			legacy_col = col;
		if (uf >= 0 && ut->fields[uf].personal) {
			enum mask_kind k = field_kind(field);

			col_mark(ti, col, k);
			if (json_object_set_new(c->personal, col, json_string(mask_kind_name(k))))
				return mg_err_set(c->e, MG_E_NOMEM, "out of memory");
		}
	}
	/* the key and the legacy id are shown as they are, unless personal */
	for (unsigned i = 0; i < ti->ncols; i++) {
		int is_key = (t->key && !strcasecmp(ti->cols[i].name, t->key)) ||
			     (legacy_col && !strcasecmp(ti->cols[i].name, legacy_col));

		if (is_key && ti->cols[i].kind == MASK_SCAN)
			ti->cols[i].kind = MASK_NONE;
		if (t->key && !strcasecmp(ti->cols[i].name, t->key) && personal(ti->cols[i].kind))
			ti->keykind = ti->cols[i].kind;
	}
	return 0;
}

static void tables_free(struct rctx *c)
{
	for (unsigned i = 0; i < c->nt; i++) {
		for (unsigned j = 0; j < c->t[i].ncols; j++)
			free(c->t[i].cols[j].name);
		for (unsigned j = 0; j < c->t[i].ndec; j++)
			decoder_close(&c->t[i].dec[j]);
		free(c->t[i].cols);
		free(c->t[i].name);
	}
	free(c->t);
	c->t = NULL;
	c->nt = 0;
}

/* The tables of the run with their columns, and the masking plan. */
static int load_tables(struct rctx *c)
{
	const char *p[1] = {c->id};
	const char *pbpath = PQgetvalue(c->run, 0, 1), *pbsha = PQgetvalue(c->run, 0, 2);
	PGresult *r;
	struct mg_err pe = {0};
	int n;

	if (pgstore_exec(c->s, "SELECT t.source_table, x.name FROM migration.run_table t,"
			 " unnest(t.columns) WITH ORDINALITY AS x(name, ord) WHERE t.run_id = $1"
			 " ORDER BY t.source_table, x.ord", 1, p, &r, c->e))
		return -1;
	n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		const char *tn = PQgetvalue(r, i, 0);
		struct tinfo *ti = c->nt ? &c->t[c->nt - 1] : NULL;
		struct colinfo *cols;

		if (!ti || strcmp(ti->name, tn)) {
			struct tinfo *nt = realloc(c->t, (c->nt + 1) * sizeof(*nt));

			if (!nt)
				goto nomem;
			c->t = nt;
			ti = &c->t[c->nt++];
			memset(ti, 0, sizeof(*ti));
			ti->defdec = -1;
			if (!(ti->name = strdup(tn)))
				goto nomem;
		}
		cols = realloc(ti->cols, (ti->ncols + 1) * sizeof(*cols));
		if (!cols)
			goto nomem;
		ti->cols = cols;
		ti->cols[ti->ncols].kind = MASK_ALL;
		ti->cols[ti->ncols].dec = -1;
		if (!(ti->cols[ti->ncols++].name = strdup(PQgetvalue(r, i, 1))))
			goto nomem;
	}
	PQclear(r);
	/* the playbook says which columns are personal; without it, or if it
	 * has changed since the run, nothing but the key is shown */
	if (playbook_load(&c->pb, pbpath, &pe)) {
		snprintf(c->mask_note, sizeof(c->mask_note),
			 "the playbook '%.300s' could not be read (%.400s): every column value but the key is masked",
			 pbpath, pe.msg);
		playbook_free(c->pb);
		c->pb = NULL;
	} else if (strcmp(c->pb->sha256, pbsha)) {
		snprintf(c->mask_note, sizeof(c->mask_note),
			 "the playbook '%.300s' has changed since the run (SHA-256 differs): every column value but the key is masked",
			 pbpath);
		playbook_free(c->pb);
		c->pb = NULL;
	} else {
		snprintf(c->mask_note, sizeof(c->mask_note),
			 "personal columns from the playbook '%.300s' (SHA-256 %.16s...): names, phone and ID numbers masked;"
			 " phone and ID numbers inside other text masked", pbpath, pbsha);
	}
	c->mask_basis = c->pb ? "playbook" : "all columns";
	/* a source whose driver cannot recount has no source stage */
	if (c->pb) {
		const struct source_driver *drv = source_driver_find(c->pb->driver);

		if (drv && !drv->recount)
			c->have_source = 0;
	}
	for (unsigned i = 0; i < c->nt; i++)
		if (plan_table(c, &c->t[i]))
			return -1;
	return 0;
nomem:
	PQclear(r);
	return mg_err_set(c->e, MG_E_NOMEM, "out of memory reading the columns of run %s", c->id);
}

static const struct tinfo *table_of(const struct rctx *c, const char *name)
{
	const char *dot = strrchr(name, '.');

	for (unsigned i = 0; i < c->nt; i++)
		if (!strcmp(c->t[i].name, name) || (dot && !strcmp(c->t[i].name, dot + 1)))
			return &c->t[i];
	return c->nt == 1 ? &c->t[0] : NULL;
}

/* ---- one reject, masked */

static int bytea(const char *text, unsigned char **out, size_t *n)
{
	*out = PQunescapeBytea((const unsigned char *)text, n);
	return *out ? 0 : -1;
}

/* One value of a raw row into out, masked as its column says. */
static int render_value(struct rctx *c, const struct tinfo *ti, int col, const unsigned char *v, size_t n,
			const unsigned char *key, size_t keyn, struct mg_buf *out)
{
	enum mask_kind k = ti && col >= 0 && (unsigned)col < ti->ncols ? ti->cols[col].kind : MASK_ALL;
	int dec = ti && col >= 0 && (unsigned)col < ti->ncols ? ti->cols[col].dec : -1;

	/* without a playbook, the value that is the record's key is shown */
	if (k == MASK_ALL && (!ti || ti->all) && key && keyn == n && !memcmp(key, v, n))
		k = MASK_NONE;
	buf_reset(&c->val);
	if (dec >= 0 ? decode_esc(c, (struct mg_decoder *)&ti->dec[dec], v, n, &c->val) : esc_text(v, n, &c->val, c->e))
		return -1;
	return mask_value(k, buf_cstr(&c->val), c->val.len, out, c->e);
}

/* Whether raw is a canonical row ('N' or 'V<len>:<bytes>' per column) of
 * the table's number of columns (if known); *cols gets the number of
 * values (0 when not canonical at all). */
static int canonical(const struct tinfo *ti, const unsigned char *raw, size_t n, unsigned *ncols)
{
	size_t i = 0;
	unsigned cols = 0;

	*ncols = 0;
	while (i < n) {
		size_t len = 0;

		cols++;
		if (raw[i] == 'N') {
			i++;
			continue;
		}
		if (raw[i] != 'V' || i + 1 >= n || raw[i + 1] < '0' || raw[i + 1] > '9')
			return 0;
		for (i++; i < n && raw[i] >= '0' && raw[i] <= '9'; i++) {
			if (len > (SIZE_MAX - 9) / 10)
				return 0;
			len = len * 10 + (size_t)(raw[i] - '0');
		}
		if (i >= n || raw[i] != ':' || len > n - i - 1)
			return 0;
		i += len + 1;
	}
	*ncols = cols;
	return !ti || ti->all || cols == ti->ncols;
}

/* The canonical raw row as "col=value; col=value" (NULL as \N), each
 * value masked as its column says. A raw record that is not a canonical
 * row (a line a file driver could not split) is shown by its shape only. */
static int render_raw(struct rctx *c, const struct tinfo *ti, const unsigned char *raw, size_t n,
		      const unsigned char *key, size_t keyn, struct mg_buf *out)
{
	size_t i = 0;
	unsigned col = 0, nv;

	buf_reset(out);
	if (!canonical(ti, raw, n, &nv)) {
		/* a record a driver could not split comes as one value */
		if (nv == 1 && raw[0] == 'V') {
			while (*raw != ':')
				raw++, n--;
			raw++, n--;
		}
		buf_reset(&c->val);
		if (buf_addstr(out, "[record not split into columns, letters masked] ", c->e) ||
		    (ti && ti->defdec >= 0 ? decode_esc(c, (struct mg_decoder *)&ti->dec[ti->defdec], raw, n, &c->val)
					   : esc_text(raw, n, &c->val, c->e)))
			return -1;
		return mask_shape(buf_cstr(&c->val), c->val.len, out, c->e);
	}
	while (i < n) {
		size_t len = 0;

		if (col && buf_add(out, "; ", 2, c->e))
			return -1;
		if (ti && col < ti->ncols) {
			if (esc_text(ti->cols[col].name, strlen(ti->cols[col].name), out, c->e))
				return -1;
		} else if (buf_printf(out, c->e, "#%u", col + 1)) {
			return -1;
		}
		if (buf_addc(out, '=', c->e))
			return -1;
		if (raw[i] == 'N') {
			if (buf_add(out, "\\N", 2, c->e))
				return -1;
			i++;
			col++;
			continue;
		}
		for (i++; raw[i] != ':'; i++) /* checked by canonical() */
			len = len * 10 + (size_t)(raw[i] - '0');
		i++;
		if (render_value(c, ti, (int)col, raw + i, len, key, keyn, out))
			return -1;
		i += len;
		col++;
	}
	return buf_grow(out, 0, c->e);
}

/* The reject's detail: a quoted value after "column 'x'" is masked as
 * column x is, then phone and ID numbers anywhere are masked. */
static int render_detail(struct rctx *c, const struct tinfo *ti, const char *d, size_t n, struct mg_buf *out)
{
	const char *s, *q1, *q2, *end;
	enum mask_kind k = MASK_SCAN;

	buf_reset(&c->val);
	buf_reset(&c->val2);
	buf_reset(out);
	if (esc_text(d, n, &c->val, c->e))
		return -1;
	s = buf_cstr(&c->val);
	end = s + c->val.len;
	if (!strncmp(s, "column '", 8) && (q1 = memchr(s + 8, '\'', (size_t)(end - s - 8)))) {
		int col = col_find(ti, s + 8, (size_t)(q1 - s - 8));

		k = col >= 0 ? ti->cols[col].kind : MASK_ALL;
		q1 = memchr(q1 + 1, '\'', (size_t)(end - q1 - 1));
		for (q2 = end - 1; q1 && q2 > q1 && *q2 != '\''; q2--)
			;
		if (personal(k) && q1 && q2 > q1) {
			if (buf_add(&c->val2, s, (size_t)(q1 + 1 - s), c->e) ||
			    mask_value(k, q1 + 1, (size_t)(q2 - q1 - 1), &c->val2, c->e) ||
			    buf_add(&c->val2, q2, (size_t)(end - q2), c->e))
				return -1;
			return mask_scan(buf_cstr(&c->val2), c->val2.len, out, c->e);
		}
	}
	return mask_scan(s, c->val.len, out, c->e);
}

/* ---- CSV (RFC 4180: CRLF, quoted when needed, quotes doubled) */

static void csv_field(struct rfile *rf, const char *s, size_t n, int last)
{
	int q = n && (s[0] == ' ' || s[n - 1] == ' ');

	for (size_t i = 0; i < n && !q; i++)
		q = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!q) {
		rf_write(rf, s, n);
	} else {
		rf_write(rf, "\"", 1);
		for (size_t i = 0, j = 0; i <= n; i++) {
			if (i == n || s[i] == '"') {
				rf_write(rf, s + j, i - j + (i < n));
				j = i;
			}
		}
		rf_write(rf, "\"", 1);
	}
	rf_write(rf, last ? "\r\n" : ",", last ? 2 : 1);
}

static void csv_str(struct rfile *rf, const char *s, int last)
{
	csv_field(rf, s, strlen(s), last);
}

/* ---- JSON helpers */

/* A JSON string from text that should be UTF-8; if it is not, its
 * esc_text form. Never NULL except out of memory. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	struct mg_buf b;
	struct mg_err e = {0};

	if (j)
		return j;
	buf_init(&b, 0, "json");
	if (!esc_text(s, strlen(s), &b, &e))
		j = json_string(buf_cstr(&b));
	buf_release(&b);
	return j;
}

static json_t *jnum(const char *s)
{
	return s && *s ? json_integer((json_int_t)strtoll(s, NULL, 10)) : json_null();
}

static json_t *ju64(uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	return json_string(b);
}

/* Write ',\n  "key": value' (the first key without the comma). */
static void jkey(struct rfile *rf, int *first, const char *key)
{
	/* keys are fixed identifiers of this file: nothing to escape */
	rf_printf(rf, "%s\n  \"%s\": ", *first ? "{" : ",", key);
	*first = 0;
}

static int jval(struct rfile *rf, json_t *v, int indent, struct mg_err *e)
{
	char *s;

	if (!v)
		return mg_err_set(e, MG_E_NOMEM, "out of memory writing '%s'", rf->name);
	s = json_dumps(v, JSON_ENCODE_ANY | (indent ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(v);
	if (!s)
		return mg_err_set(e, MG_E_NOMEM, "out of memory writing '%s'", rf->name);
	/* nested lines of an indented value are indented once more */
	for (const char *p = s; *p; p++) {
		rf_write(rf, p, 1);
		if (*p == '\n')
			rf_write(rf, "  ", 2);
	}
	free(s);
	return 0;
}

/* One element of a streamed array. */
static int jelem(struct rfile *rf, unsigned long long i, json_t *v, struct mg_err *e)
{
	rf_puts(rf, i ? ",\n    " : "\n    ");
	return jval(rf, v, 0, e);
}

/* ---- the run */

static int load_run(struct rctx *c)
{
	const char *p[1] = {c->id};
	const char *ltext;
	PGresult *r;

	if (pgstore_exec(c->s, "SELECT r.source_system, r.playbook, r.playbook_sha256, r.tool_version, r.status,"
			 " to_char(r.started_at, 'YYYY-MM-DD HH24:MI:SSOF'), to_char(r.finished_at, 'YYYY-MM-DD HH24:MI:SSOF'),"
			 " CASE WHEN r.balanced THEN 'yes' WHEN NOT r.balanced THEN 'no' END, r.message, r.ledger::text,"
			 " round(extract(epoch FROM r.finished_at - r.started_at)::numeric, 1),"
			 " s.name, s.hotline, s.department, s.mode"
			 " FROM migration.run r LEFT JOIN hotline.source_system s ON s.code = r.source_system"
			 " WHERE r.id = $1", 1, p, &c->run, c->e))
		return -1;
	if (!PQntuples(c->run))
		return mg_err_set(c->e, MG_E_USAGE, "run %s does not exist in the store '%s'", c->id, c->s->where);
	/* the ledger: the run's, or the checkpoints' of an unfinished run */
	ledger_init(&c->l);
	c->ledger_from = "none";
	if (!PQgetisnull(c->run, 0, 9)) {
		c->ledger_from = "run";
		if (ledger_from_json(&c->l, PQgetvalue(c->run, 0, 9), c->e))
			return -1;
	} else {
		if (pgstore_exec(c->s, "SELECT ledger::text FROM migration.checkpoint WHERE run_id = $1", 1, p, &r, c->e))
			return -1;
		for (int i = 0; i < PQntuples(r); i++) {
			struct mg_ledger one;

			ltext = PQgetvalue(r, i, 0);
			if (ledger_from_json(&one, ltext, c->e)) {
				PQclear(r);
				return -1;
			}
			ledger_add(&c->l, &one);
			c->ledger_from = "checkpoint";
		}
		PQclear(r);
	}
	/* the recounts: the target is recounted when a run finishes; the
	 * source when its driver can (then extract.in is the source's count) */
	c->have_target = !strcmp(PQgetvalue(c->run, 0, 4), "finished");
	c->have_source = c->have_target && c->l.st[ST_SOURCE].out == c->l.st[ST_EXTRACT].in &&
			 c->l.st[ST_SOURCE].h_out == c->l.st[ST_EXTRACT].h_in;
	return 0;
}

static int have_stage(const struct rctx *c, int st)
{
	return !((st == ST_SOURCE && !c->have_source) || (st == ST_TARGET && !c->have_target));
}

static const char *stage_balance(const struct rctx *c, int st)
{
	const struct mg_stage_count *x = &c->l.st[st];

	if (!have_stage(c, st))
		return "not counted";
	if (st == ST_EXTRACT && !c->have_source)
		return "ok"; /* extract.in is the source's count: not known */
	if (x->in != x->out + x->rejected + x->merged || x->h_in != x->h_out + x->h_rej + x->h_merged)
		return "OUT OF BALANCE";
	if (st == ST_TARGET && (x->out != c->l.st[ST_LOAD].out || x->h_out != c->l.st[ST_LOAD].h_out))
		return "DIFFERS FROM LOAD";
	if (st == ST_EXTRACT && c->have_source &&
	    (x->out + x->rejected != c->l.st[ST_SOURCE].out || x->h_out + x->h_rej != c->l.st[ST_SOURCE].h_out))
		return "DIFFERS FROM SOURCE";
	return "ok";
}

static json_t *stages_json(const struct rctx *c)
{
	json_t *stages = json_object();

	for (int i = 0; i < ST_COUNT; i++) {
		const struct mg_stage_count *x = &c->l.st[i];
		json_t *o = json_object();

		if (!have_stage(c, i)) {
			json_decref(o);
			continue;
		}
		json_object_set_new(o, "in", json_integer((json_int_t)x->in));
		json_object_set_new(o, "out", json_integer((json_int_t)x->out));
		json_object_set_new(o, "rejected", json_integer((json_int_t)x->rejected));
		json_object_set_new(o, "merged", json_integer((json_int_t)x->merged));
		json_object_set_new(o, "total_in", ju64(x->h_in));
		json_object_set_new(o, "total_out", ju64(i == ST_TRANSFORM ? x->h_uout : x->h_out));
		json_object_set_new(o, "total_rejected", ju64(x->h_rej));
		json_object_set_new(o, "total_merged", ju64(x->h_merged));
		json_object_set_new(o, "balance", json_string(stage_balance(c, i)));
		json_object_set_new(stages, mg_stage_names[i], o);
	}
	return stages;
}

/* One legacy table's stage ledger from migration.stage_ledger (as
 * `migrate run --json` shows it per table). */
static json_t *table_stages_json(const struct rctx *c, const char *table)
{
	json_t *o = json_object();

	for (int i = 0; i < PQntuples(c->tstages); i++) {
		json_t *st;

		if (strcmp(PQgetvalue(c->tstages, i, 0), table))
			continue;
		st = json_object();
		json_object_set_new(st, "in", jnum(PQgetvalue(c->tstages, i, 2)));
		json_object_set_new(st, "out", jnum(PQgetvalue(c->tstages, i, 3)));
		json_object_set_new(st, "rejected", jnum(PQgetvalue(c->tstages, i, 4)));
		json_object_set_new(st, "merged", jnum(PQgetvalue(c->tstages, i, 5)));
		json_object_set_new(st, "total_in", jstr(PQgetvalue(c->tstages, i, 6)));
		json_object_set_new(st, "total_out", jstr(PQgetvalue(c->tstages, i, 7)));
		json_object_set_new(st, "total_rejected", jstr(PQgetvalue(c->tstages, i, 8)));
		json_object_set_new(st, "total_merged", jstr(PQgetvalue(c->tstages, i, 9)));
		json_object_set_new(o, PQgetvalue(c->tstages, i, 1), st);
	}
	return o;
}

/* The run's problems: the lines of migration.run.message, plus what the
 * store itself contradicts (rejects or merged records stored for the run
 * that the ledger does not count). */
static int load_problems(struct rctx *c)
{
	const char *p[1] = {c->id};
	const char *msg = PQgetvalue(c->run, 0, 8);
	unsigned long long lrej = 0, lmerged = c->l.st[ST_LOAD].merged;
	PGresult *r;
	char line[300];

	while (msg && *msg) {
		size_t n = strcspn(msg, "\n");

		if (n) {
			char *line1 = strndup(msg, n);
			int bad = !line1 || json_array_append_new(c->problems, jstr(line1));

			free(line1);
			if (bad)
				return mg_err_set(c->e, MG_E_NOMEM, "out of memory");
		}
		msg += n + (msg[n] == '\n');
	}
	if (pgstore_exec(c->s, "SELECT (SELECT count(*) FROM migration.reject WHERE run_id = $1),"
			 " (SELECT count(*) FROM migration.merged WHERE run_id = $1)", 1, p, &r, c->e))
		return -1;
	c->rejects_stored = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	c->merged_stored = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	for (int i = 0; i < ST_COUNT; i++)
		lrej += c->l.st[i].rejected;
	if (strcmp(c->ledger_from, "none") && c->rejects_stored != lrej) {
		snprintf(line, sizeof(line), "report: %llu rejects are stored for this run, the ledger counts %llu",
			 c->rejects_stored, lrej);
		json_array_append_new(c->problems, json_string(line));
	}
	if (strcmp(c->ledger_from, "none") && c->merged_stored != lmerged) {
		snprintf(line, sizeof(line), "report: %llu merged records are stored for this run, the ledger counts %llu",
			 c->merged_stored, lmerged);
		json_array_append_new(c->problems, json_string(line));
	}
	return 0;
}

/* ---- rejects-<id>.csv, streamed; the first SAMPLE_MAX kept */

static int write_rejects(struct rctx *c)
{
	struct rfile *rf = &c->f[F_REJECTS];
	char sql[400];
	unsigned long long nrow = 0;
	int rc = -1;

	csv_str(rf, "run", 0), csv_str(rf, "id", 0), csv_str(rf, "table", 0), csv_str(rf, "stage", 0);
	csv_str(rf, "reason", 0), csv_str(rf, "detail", 0), csv_str(rf, "legacy_key", 0), csv_str(rf, "line", 0);
	csv_str(rf, "byte_offset", 0), csv_str(rf, "raw", 1);
	/* a role may be refused the bytes of rejects (column privileges):
	 * then they are not shown, and the rest is */
	{
		PGresult *pr;
		int raw_ok, key_ok, detail_ok;

		if (pgstore_exec(c->s, "SELECT has_column_privilege('migration.reject', 'raw', 'SELECT'),"
				 " has_column_privilege('migration.reject', 'legacy_key', 'SELECT'),"
				 " has_column_privilege('migration.reject', 'detail', 'SELECT')", 0, NULL, &pr, c->e))
			return -1;
		raw_ok = PQgetvalue(pr, 0, 0)[0] == 't';
		key_ok = PQgetvalue(pr, 0, 1)[0] == 't';
		detail_ok = PQgetvalue(pr, 0, 2)[0] == 't';
		PQclear(pr);
		snprintf(sql, sizeof(sql), "DECLARE report_rejects NO SCROLL CURSOR FOR SELECT id, source_table, stage, reason,"
			 " %s, %s, line, byte_offset, %s FROM migration.reject WHERE run_id = %lld ORDER BY id",
			 detail_ok ? "detail" : "NULL::text", key_ok ? "legacy_key" : "NULL::bytea",
			 raw_ok ? "raw" : "NULL::bytea", c->run_id);
	}
	if (pgstore_exec(c->s, sql, 0, NULL, NULL, c->e))
		return -1;
	for (;;) {
		PGresult *r;
		int n;

		if (pgstore_exec(c->s, FETCH "report_rejects", 0, NULL, &r, c->e))
			goto out;
		n = PQntuples(r);
		for (int i = 0; i < n; i++, nrow++) {
			const struct tinfo *ti = table_of(c, PQgetvalue(r, i, 1));
			unsigned char *key = NULL, *raw = NULL;
			size_t keyn = 0, rawn = 0;
			const char *detail = PQgetvalue(r, i, 4);
			int bad;

			if ((!PQgetisnull(r, i, 5) && bytea(PQgetvalue(r, i, 5), &key, &keyn)) ||
			    (!PQgetisnull(r, i, 8) && bytea(PQgetvalue(r, i, 8), &raw, &rawn))) {
				mg_err_set(c->e, MG_E_NOMEM, "out of memory reading reject %s", PQgetvalue(r, i, 0));
				PQfreemem(key);
				PQclear(r);
				goto out;
			}
			/* the key as text, masked only if its column is personal */
			buf_reset(&c->key);
			buf_reset(&c->val);
			bad = key && (esc_text(key, keyn, &c->val, c->e) ||
				      mask_value(ti ? ti->keykind : MASK_NONE, buf_cstr(&c->val), c->val.len, &c->key, c->e));
			bad = bad || render_detail(c, ti, detail, strlen(detail), &c->detail);
			if (raw)
				bad = bad || render_raw(c, ti, raw, rawn, key, keyn, &c->row);
			else
				buf_reset(&c->row), bad = bad || buf_addstr(&c->row, "[not readable with this role]", c->e);
			PQfreemem(key);
			PQfreemem(raw);
			if (bad) {
				mg_err_prefix(c->e, "reject %s", PQgetvalue(r, i, 0));
				PQclear(r);
				goto out;
			}
			csv_str(rf, c->id, 0);
			csv_str(rf, PQgetvalue(r, i, 0), 0);
			buf_reset(&c->val);
			esc_text(PQgetvalue(r, i, 1), strlen(PQgetvalue(r, i, 1)), &c->val, c->e);
			csv_field(rf, buf_cstr(&c->val), c->val.len, 0);
			csv_str(rf, PQgetvalue(r, i, 2), 0);
			csv_str(rf, PQgetvalue(r, i, 3), 0);
			csv_field(rf, buf_cstr(&c->detail), c->detail.len, 0);
			csv_field(rf, buf_cstr(&c->key), c->key.len, 0);
			csv_str(rf, PQgetvalue(r, i, 6), 0);
			csv_str(rf, PQgetvalue(r, i, 7), 0);
			csv_field(rf, buf_cstr(&c->row), c->row.len, 1);
			if (json_array_size(c->samples) < SAMPLE_MAX) {
				json_t *o = json_object();

				json_object_set_new(o, "id", jnum(PQgetvalue(r, i, 0)));
				json_object_set_new(o, "table", jstr(buf_cstr(&c->val)));
				json_object_set_new(o, "stage", jstr(PQgetvalue(r, i, 2)));
				json_object_set_new(o, "reason", jstr(PQgetvalue(r, i, 3)));
				json_object_set_new(o, "detail", jstr(buf_cstr(&c->detail)));
				json_object_set_new(o, "legacy_key", key || keyn ? jstr(buf_cstr(&c->key)) : json_null());
				json_object_set_new(o, "line", jnum(PQgetvalue(r, i, 6)));
				json_object_set_new(o, "byte_offset", jnum(PQgetvalue(r, i, 7)));
				json_object_set_new(o, "raw", jstr(buf_cstr(&c->row)));
				if (json_array_append_new(c->samples, o)) {
					PQclear(r);
					mg_err_set(c->e, MG_E_NOMEM, "out of memory");
					goto out;
				}
			}
		}
		PQclear(r);
		if (!n)
			break;
	}
	c->rejects_total = nrow;
	rc = 0;
out:
	if (pgstore_exec(c->s, "CLOSE report_rejects", 0, NULL, NULL, rc ? NULL : c->e))
		rc = -1;
	return rc;
}

/* ---- differences-<id>.csv */

/* The stage a problem line is about: its first word if that names a stage
 * (or "report" for what this renderer found), else "run". */
static const char *problem_stage(const char *s)
{
	size_t l = strcspn(s, " :.");

	for (int i = 0; i < ST_COUNT; i++)
		if (l == strlen(mg_stage_names[i]) && !strncmp(s, mg_stage_names[i], l))
			return mg_stage_names[i];
	return l == 6 && !strncmp(s, "report", 6) ? "report" : "run";
}

static void write_differences(struct rctx *c)
{
	struct rfile *rf = &c->f[F_DIFF];

	csv_str(rf, "run", 0), csv_str(rf, "stage", 0), csv_str(rf, "problem", 1);
	for (size_t i = 0; i < json_array_size(c->problems); i++) {
		const char *p = json_string_value(json_array_get(c->problems, i));

		buf_reset(&c->val);
		buf_reset(&c->val2);
		if (esc_text(p, strlen(p), &c->val, c->e) || mask_scan(buf_cstr(&c->val), c->val.len, &c->val2, c->e))
			return;
		csv_str(rf, c->id, 0);
		csv_str(rf, problem_stage(p), 0);
		csv_field(rf, buf_cstr(&c->val2), c->val2.len, 1);
	}
}

/* ---- the JSON report, with coverage-<id>.csv written on the way */

static int stream_inputs(struct rctx *c, struct rfile *rf)
{
	char sql[300];
	int rc = -1;

	snprintf(sql, sizeof(sql), "DECLARE report_inputs NO SCROLL CURSOR FOR SELECT source_table, name, sha256, bytes,"
		 " records FROM migration.source_file WHERE run_id = %lld ORDER BY source_table, name", c->run_id);
	if (pgstore_exec(c->s, sql, 0, NULL, NULL, c->e))
		return -1;
	rf_puts(rf, "[");
	for (;;) {
		PGresult *r;
		int n;

		if (pgstore_exec(c->s, FETCH "report_inputs", 0, NULL, &r, c->e))
			goto out;
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			json_t *o = json_object();

			json_object_set_new(o, "table", jstr(PQgetvalue(r, i, 0)));
			json_object_set_new(o, "name", jstr(PQgetvalue(r, i, 1)));
			json_object_set_new(o, "sha256", jstr(PQgetvalue(r, i, 2)));
			json_object_set_new(o, "bytes", jnum(PQgetvalue(r, i, 3)));
			json_object_set_new(o, "records", jnum(PQgetvalue(r, i, 4)));
			c->inputs_bytes += strtoull(PQgetvalue(r, i, 3), NULL, 10);
			c->inputs_records += strtoull(PQgetvalue(r, i, 4), NULL, 10);
			if (c->inputs_n < PAGE_INPUTS_MAX)
				json_array_append(c->inputs_top, o);
			if (jelem(rf, c->inputs_n++, o, c->e)) {
				PQclear(r);
				goto out;
			}
		}
		PQclear(r);
		if (!n)
			break;
	}
	rf_puts(rf, c->inputs_n ? "\n  ]" : "]");
	rc = 0;
out:
	if (pgstore_exec(c->s, "CLOSE report_inputs", 0, NULL, NULL, rc ? NULL : c->e))
		rc = -1;
	return rc;
}

static int add_pair(json_t *arr, const char *k, const char *n)
{
	return json_array_append_new(arr, json_pack("[s,I]", k, (json_int_t)strtoll(n, NULL, 10)));
}

/* Work orders of the run by month x category x status, streamed; the
 * marginal counts (GROUPING SETS) kept for the page. */
static int stream_aggregates(struct rctx *c, struct rfile *rf)
{
	char sql[900];
	unsigned long long n_out = 0;
	int rc = -1;

	snprintf(sql, sizeof(sql), "DECLARE report_agg NO SCROLL CURSOR FOR SELECT m, cat, st, GROUPING(m, cat, st), count(*)"
		 " FROM (SELECT coalesce(to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), 'none') AS m,"
		 " coalesce(category_code, 'none') AS cat, coalesce(status, 'none') AS st"
		 " FROM migration.work_order_masked WHERE run_id = %lld) x"
		 " GROUP BY GROUPING SETS ((m, cat, st), (m), (cat), (st), ()) ORDER BY 4, 1, 2, 3", c->run_id);
	if (pgstore_exec(c->s, sql, 0, NULL, NULL, c->e))
		return -1;
	rf_puts(rf, "[");
	for (;;) {
		PGresult *r;
		int n;

		if (pgstore_exec(c->s, FETCH "report_agg", 0, NULL, &r, c->e))
			goto out;
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			int g = atoi(PQgetvalue(r, i, 3));
			const char *cnt = PQgetvalue(r, i, 4);
			int bad = 0;

			if (g == 0) {
				json_t *o = json_object();

				json_object_set_new(o, "month", jstr(PQgetvalue(r, i, 0)));
				json_object_set_new(o, "category", jstr(PQgetvalue(r, i, 1)));
				json_object_set_new(o, "status", jstr(PQgetvalue(r, i, 2)));
				json_object_set_new(o, "count", jnum(cnt));
				bad = jelem(rf, n_out++, o, c->e);
			} else if (g == 3) {
				bad = add_pair(c->months, PQgetvalue(r, i, 0), cnt);
			} else if (g == 5) {
				bad = add_pair(c->categories, PQgetvalue(r, i, 1), cnt);
			} else if (g == 6) {
				bad = add_pair(c->statuses, PQgetvalue(r, i, 2), cnt);
			} else if (g == 7) {
				c->wo_total = strtoull(cnt, NULL, 10);
			}
			if (bad) {
				PQclear(r);
				mg_err_set(c->e, MG_E_NOMEM, "out of memory");
				goto out;
			}
		}
		PQclear(r);
		if (!n)
			break;
	}
	rf_puts(rf, n_out ? "\n  ]" : "]");
	rc = 0;
out:
	if (pgstore_exec(c->s, "CLOSE report_agg", 0, NULL, NULL, rc ? NULL : c->e))
		rc = -1;
	return rc;
}

/* A legacy or unified code for the report: escaped and masked as free text
 * (into c->val2). NULL on error. */
static const char *masked_code(struct rctx *c, const char *v)
{
	buf_reset(&c->val);
	buf_reset(&c->val2);
	if (esc_text(v, strlen(v), &c->val, c->e) || mask_scan(buf_cstr(&c->val), c->val.len, &c->val2, c->e))
		return NULL;
	return buf_cstr(&c->val2);
}

/* The coverage summary, with the figures validate gives (cmd_validate.c),
 * on the same basis: the records the transform passed on from the tables
 * that feed hotline.work_order (copies merged at load included, as the
 * fixes count them): mapped by the table = records - category_keyword -
 * unmapped_category; and the unified codes reached from several legacy
 * codes, from the store. */
static int coverage_summary(struct rctx *c)
{
	char sql[900];
	PGresult *r;
	json_t *cur = NULL;
	const char *prev = NULL;
	char prevbuf[128] = "";

	c->cov_keyword = ledger_fix_get(&c->l, "category_keyword");
	c->cov_default = ledger_fix_get(&c->l, "unmapped_category");
	c->cov_rejected = 0;
	for (int i = 0; i < PQntuples(c->reasons); i++)
		if (!strcmp(PQgetvalue(c->reasons, i, 0), "transform") &&
		    !strcmp(PQgetvalue(c->reasons, i, 1), "unmapped_category"))
			c->cov_rejected += strtoull(PQgetvalue(c->reasons, i, 2), NULL, 10);
	if (c->nt <= 1) {
		c->cov_records = c->cov_sum || c->cov_default || c->cov_keyword ? c->l.st[ST_TRANSFORM].out : 0;
	} else {
		snprintf(sql, sizeof(sql), "SELECT coalesce(sum(l.rows_out), 0) FROM migration.stage_ledger l"
			 " WHERE l.run_id = %lld AND l.stage = 'transform' AND EXISTS (SELECT 1 FROM hotline.work_order w"
			 " WHERE w.run_id = %lld AND w.source_table = l.source_table)", c->run_id, c->run_id);
		if (pgstore_exec(c->s, sql, 0, NULL, &r, c->e))
			return -1;
		c->cov_records = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
	}
	c->cov_table = c->cov_records >= c->cov_keyword + c->cov_default ?
			       c->cov_records - c->cov_keyword - c->cov_default : 0;
	/* many to one: at most 1,000 (unified, legacy) pairs */
	snprintf(sql, sizeof(sql), "SELECT w.category_code, c.name, w.legacy_category_code, count(*)"
		 " FROM migration.work_order_masked w LEFT JOIN hotline.category c ON c.code = w.category_code"
		 " WHERE w.run_id = %lld AND w.legacy_category_code IS NOT NULL AND w.category_code IN"
		 " (SELECT category_code FROM migration.work_order_masked WHERE run_id = %lld"
		 " AND legacy_category_code IS NOT NULL AND category_code IS NOT NULL GROUP BY 1"
		 " HAVING count(DISTINCT legacy_category_code) > 1)"
		 " GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC, 3 LIMIT 1000", c->run_id, c->run_id);
	if (pgstore_exec(c->s, sql, 0, NULL, &r, c->e))
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *u = PQgetvalue(r, i, 0), *v;

		if (!prev || strcmp(prev, u)) {
			snprintf(prevbuf, sizeof(prevbuf), "%s", u);
			prev = prevbuf;
			if (!(v = masked_code(c, u)))
				goto fail;
			cur = json_array();
			json_array_append_new(c->cov_many, json_pack("{s:s,s:o,s:o}", "unified", v, "name",
								     PQgetisnull(r, i, 1) ? json_null() : jstr(PQgetvalue(r, i, 1)),
								     "legacy", cur));
		}
		if (!(v = masked_code(c, PQgetvalue(r, i, 2))))
			goto fail;
		json_array_append_new(cur, json_pack("{s:s,s:o}", "legacy", v, "count", jnum(PQgetvalue(r, i, 3))));
	}
	PQclear(r);
	return 0;
fail:
	PQclear(r);
	return -1;
}

/* Category coverage into the JSON and coverage-<id>.csv at once. */
static int stream_coverage(struct rctx *c, struct rfile *rf)
{
	struct rfile *csv = &c->f[F_COVERAGE];
	char sql[700];
	int rc = -1;

	csv_str(csv, "legacy_category_code", 0), csv_str(csv, "legacy_category_text", 0);
	csv_str(csv, "category_code", 0), csv_str(csv, "name", 0), csv_str(csv, "count", 1);
	snprintf(sql, sizeof(sql), "DECLARE report_cov NO SCROLL CURSOR FOR SELECT w.legacy_category_code,"
		 " w.legacy_category_text, w.category_code, c.name, count(*),"
		 " w.legacy_category_code IS NULL, w.legacy_category_text IS NULL, w.category_code IS NULL"
		 " FROM migration.work_order_masked w LEFT JOIN hotline.category c ON c.code = w.category_code"
		 " WHERE w.run_id = %lld GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 1, 2, 3", c->run_id);
	if (pgstore_exec(c->s, sql, 0, NULL, NULL, c->e))
		return -1;
	rf_puts(rf, "[");
	for (;;) {
		PGresult *r;
		int n;

		if (pgstore_exec(c->s, FETCH "report_cov", 0, NULL, &r, c->e))
			goto out;
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			json_t *o = json_object();
			const char *v[4];
			int bad;

			for (int k = 0; k < 4; k++) {
				/* free text from legacy systems: phone/ID numbers masked */
				buf_reset(&c->val);
				buf_reset(&c->val2);
				if (esc_text(PQgetvalue(r, i, k), strlen(PQgetvalue(r, i, k)), &c->val, c->e) ||
				    mask_scan(buf_cstr(&c->val), c->val.len, &c->val2, c->e)) {
					json_decref(o);
					PQclear(r);
					goto out;
				}
				v[k] = buf_cstr(&c->val2);
				csv_field(csv, v[k], c->val2.len, 0);
				json_object_set_new(o, k == 0 ? "legacy_category_code" : k == 1 ? "legacy_category_text" :
						       k == 2 ? "category_code" : "name",
						    (k < 3 && PQgetvalue(r, i, 5 + k)[0] == 't') || (k == 3 && PQgetisnull(r, i, 3))
							    ? json_null() : jstr(v[k]));
			}
			csv_str(csv, PQgetvalue(r, i, 4), 1);
			json_object_set_new(o, "count", jnum(PQgetvalue(r, i, 4)));
			c->cov_sum += strtoull(PQgetvalue(r, i, 4), NULL, 10);
			if (c->cov_rows < PAGE_COVERAGE_MAX)
				json_array_append(c->cov_top, o);
			bad = jelem(rf, c->cov_rows++, o, c->e);
			if (bad) {
				PQclear(r);
				goto out;
			}
		}
		PQclear(r);
		if (!n)
			break;
	}
	rf_puts(rf, c->cov_rows ? "\n  ]" : "]");
	rc = 0;
out:
	if (pgstore_exec(c->s, "CLOSE report_cov", 0, NULL, NULL, rc ? NULL : c->e))
		rc = -1;
	return rc;
}

static json_t *pairs_object(json_t *pairs)
{
	json_t *o = json_object();

	for (size_t i = 0; i < json_array_size(pairs); i++) {
		json_t *p = json_array_get(pairs, i);

		json_object_set(o, json_string_value(json_array_get(p, 0)), json_array_get(p, 1));
	}
	return o;
}

static int write_json(struct rctx *c)
{
	struct rfile *rf = &c->f[F_JSON];
	struct mg_err *e = c->e;
	json_t *fixes = json_object(), *rej = json_object(), *reasons = json_array(), *tables = json_array(), *o;
	int first = 1;
	const char *pbpath = PQgetvalue(c->run, 0, 1);

	for (unsigned i = 0; i < c->l.nfix; i++)
		json_object_set_new(fixes, c->l.fix[i].name, json_integer((json_int_t)c->l.fix[i].n));
	for (int i = 0; i < PQntuples(c->reasons); i++) {
		char k[300];

		snprintf(k, sizeof(k), "%s.%s", PQgetvalue(c->reasons, i, 0), PQgetvalue(c->reasons, i, 1));
		json_object_set_new(rej, k, jnum(PQgetvalue(c->reasons, i, 2)));
		json_array_append_new(reasons, json_pack("{s:o,s:o,s:o}", "stage", jstr(PQgetvalue(c->reasons, i, 0)),
							 "reason", jstr(PQgetvalue(c->reasons, i, 1)),
							 "count", jnum(PQgetvalue(c->reasons, i, 2))));
	}
	for (unsigned i = 0; i < c->nt; i++) {
		json_t *cols = json_array();
		const struct pb_table *pt = c->pb ? pb_table_for(c, &c->t[i]) : NULL;

		for (unsigned j = 0; j < c->t[i].ncols; j++)
			json_array_append_new(cols, jstr(c->t[i].cols[j].name));
		json_array_append_new(tables, json_pack("{s:o,s:o,s:o,s:o}", "table", jstr(c->t[i].name), "target",
							pt && pt->target ? jstr(pt->target) : json_null(), "columns", cols,
							"stages", table_stages_json(c, c->t[i].name)));
	}
#define KV(k, v) (jkey(rf, &first, k), jval(rf, v, 1, e))
	if (KV("report", json_string("migrate run report")) || KV("format", json_integer(1)) ||
	    KV("run", json_integer((json_int_t)c->run_id)) || KV("system", jstr(PQgetvalue(c->run, 0, 0))) ||
	    KV("system_name", PQgetisnull(c->run, 0, 11) ? json_null() : jstr(PQgetvalue(c->run, 0, 11))) ||
	    KV("hotline", PQgetisnull(c->run, 0, 12) ? json_null() : jstr(PQgetvalue(c->run, 0, 12))) ||
	    KV("department", PQgetisnull(c->run, 0, 13) ? json_null() : jstr(PQgetvalue(c->run, 0, 13))) ||
	    KV("mode", PQgetisnull(c->run, 0, 14) ? json_null() : jstr(PQgetvalue(c->run, 0, 14))) ||
	    KV("table", c->nt ? jstr(c->t[0].name) : json_null()) || KV("tables", tables) ||
	    KV("playbook", jstr(pbpath)) || KV("playbook_sha256", jstr(PQgetvalue(c->run, 0, 2))) ||
	    KV("tool_version", jstr(PQgetvalue(c->run, 0, 3))) || KV("rendered_by", json_string(MIGRATE_VERSION)) ||
	    KV("status", jstr(PQgetvalue(c->run, 0, 4))) ||
	    KV("balanced", PQgetisnull(c->run, 0, 7) ? json_null() : json_boolean(PQgetvalue(c->run, 0, 7)[0] == 'y')) ||
	    KV("started_at", jstr(PQgetvalue(c->run, 0, 5))) ||
	    KV("finished_at", PQgetisnull(c->run, 0, 6) ? json_null() : jstr(PQgetvalue(c->run, 0, 6))) ||
	    KV("seconds", PQgetisnull(c->run, 0, 10) ? json_null() : json_real(atof(PQgetvalue(c->run, 0, 10)))) ||
	    KV("problems", json_incref(c->problems)) || KV("ledger_from", json_string(c->ledger_from)) ||
	    KV("stages", stages_json(c)) || KV("fixes", fixes) ||
	    KV("unmapped_category", json_integer((json_int_t)ledger_fix_get(&c->l, "unmapped_category"))) ||
	    KV("rejects", rej) || KV("rejects_total", json_integer((json_int_t)c->rejects_total)) ||
	    KV("reject_reasons", reasons) || KV("merged_total", json_integer((json_int_t)c->merged_stored)) ||
	    KV("reject_samples", json_incref(c->samples)) ||
	    KV("masking", json_pack("{s:s,s:O,s:s}", "basis", c->mask_basis, "personal_columns", c->personal,
				    "note", c->mask_note)))
		return -1;
	jkey(rf, &first, "inputs");
	if (stream_inputs(c, rf))
		return -1;
	if (KV("inputs_total", json_pack("{s:I,s:I,s:I}", "files", (json_int_t)c->inputs_n, "bytes",
					 (json_int_t)c->inputs_bytes, "records", (json_int_t)c->inputs_records)))
		return -1;
	jkey(rf, &first, "aggregates");
	if (stream_aggregates(c, rf))
		return -1;
	o = json_object();
	json_object_set_new(o, "total", json_integer((json_int_t)c->wo_total));
	json_object_set_new(o, "months", pairs_object(c->months));
	json_object_set_new(o, "categories", pairs_object(c->categories));
	json_object_set_new(o, "statuses", pairs_object(c->statuses));
	if (KV("counts", o))
		return -1;
	jkey(rf, &first, "coverage");
	if (stream_coverage(c, rf))
		return -1;
	if (KV("coverage_total", json_pack("{s:I,s:I}", "rows", (json_int_t)c->cov_rows, "count", (json_int_t)c->cov_sum)))
		return -1;
	if (coverage_summary(c) ||
	    KV("coverage_summary", json_pack("{s:I,s:I,s:I,s:I,s:I,s:O}", "records", (json_int_t)c->cov_records,
					     "mapped_by_table", (json_int_t)c->cov_table, "mapped_by_keyword",
					     (json_int_t)c->cov_keyword, "defaulted", (json_int_t)c->cov_default,
					     "rejected_unmapped", (json_int_t)c->cov_rejected, "many_to_one", c->cov_many)))
		return -1;
	o = json_object();
	for (int i = 0; i < F_COUNT; i++)
		json_object_set_new(o, i == F_JSON ? "json" : i == F_REJECTS ? "rejects" : i == F_COVERAGE ? "coverage" :
				    i == F_DIFF ? "differences" : "html", json_string(c->f[i].name));
	if (KV("files", o))
		return -1;
#undef KV
	rf_puts(rf, "\n}\n");
	return 0;
}

/* ---- the page */

static void h_esc(struct rfile *rf, const char *s)
{
	const char *p = s;

	for (; *s; s++) {
		const char *r = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '"' ? "&quot;" :
				*s == '\'' ? "&#39;" : NULL;

		if (r) {
			rf_write(rf, p, (size_t)(s - p));
			rf_puts(rf, r);
			p = s + 1;
		}
	}
	rf_write(rf, p, (size_t)(s - p));
}

/* Text for the page: valid UTF-8 with controls escaped (esc_text), then
 * HTML-escaped. */
static void h_text(struct rctx *c, struct rfile *rf, const char *s)
{
	struct mg_err e = {0};

	buf_reset(&c->tmp);
	if (esc_text(s, strlen(s), &c->tmp, &e))
		h_esc(rf, "?");
	else
		h_esc(rf, buf_cstr(&c->tmp));
}

static const char css[] =
	"*{box-sizing:border-box}"
	"body{margin:0;background:#eef1f4;color:#1c2630;font:14px/1.45 system-ui,-apple-system,'Segoe UI',"
	"'Noto Sans CJK SC','Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei',sans-serif}"
	"header{background:#14324e;color:#fff;padding:22px 32px 26px}"
	"header h1{margin:0;font-size:24px;font-weight:600}"
	"header .sub{margin-top:4px;opacity:.85}"
	".verdict{display:flex;align-items:center;gap:22px;margin-top:16px;flex-wrap:wrap}"
	".badge{padding:8px 22px;border-radius:8px;font-size:34px;font-weight:800;letter-spacing:.5px}"
	".yes{background:#2e7d32}.no{background:#c62828}.unknown{background:#8a6d00}"
	".meta{display:grid;grid-template-columns:auto auto;gap:2px 14px;font-size:13px;opacity:.92}"
	".meta b{font-weight:600;opacity:.75}"
	"main{max-width:1180px;margin:0 auto;padding:8px 24px 40px}"
	"section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.1);padding:16px 20px;margin:16px 0}"
	"h2{margin:0 0 10px;font-size:17px;color:#14324e}"
	"p.note{margin:6px 0;color:#54616d;font-size:13px}"
	".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}"
	".card{background:#f5f7f9;border-radius:6px;padding:10px 14px;border-left:4px solid #14324e}"
	".card .v{font-size:26px;font-weight:700;font-variant-numeric:tabular-nums}"
	".card .k{color:#54616d;font-size:12px;text-transform:uppercase;letter-spacing:.4px}"
	".card.r{border-color:#c62828}.card.m{border-color:#e0a100}.card.g{border-color:#2e7d32}"
	"table{border-collapse:collapse;width:100%;font-size:13px}"
	"th,td{padding:5px 8px;border-bottom:1px solid #e4e8ec;text-align:left;vertical-align:top}"
	"th{background:#f5f7f9;font-weight:600;color:#3a4752}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"tr.total td{font-weight:700;border-top:2px solid #c9d1d8}td.yt{font-weight:700}"
	".mono{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;font-size:12px;word-break:break-all}"
	".ok{color:#2e7d32;font-weight:600}.bad{color:#c62828;font-weight:700}.dim{color:#8a96a1}"
	"svg{display:block;width:100%;height:auto}"
	"svg text{font-size:12px;fill:#1c2630}"
	".legend{font-size:12px;color:#54616d;margin:4px 0 8px}"
	".legend i{display:inline-block;width:11px;height:11px;margin:0 4px 0 12px;vertical-align:-1px;border-radius:2px}"
	".two{display:grid;grid-template-columns:1fr 1fr;gap:16px}"
	"@media (max-width:900px){.two{grid-template-columns:1fr}}"
	"ul.problems{margin:0;padding-left:20px}ul.problems li{color:#c62828;margin:3px 0}"
	"table.samples td.d{min-width:190px;max-width:260px}table.samples td.k{white-space:nowrap}"
	"table.samples td.key{white-space:nowrap}"
	"table.samples td.raw{font-size:11.5px;line-height:1.4;color:#33414d}"
	"footer{color:#6b7782;font-size:12px;text-align:center;padding:8px 0 24px}";

static const struct {
	const char *name, *text;
} fix_text[] = {
	{"zero_date", "MySQL zero dates (0000-00-00) loaded as empty dates"},
	{"invalid_date_null", "impossible dates loaded as empty dates (playbook: invalid: null)"},
	{"unmapped_category", "legacy categories not in the mapping table, loaded under the default category"},
	{"unmapped_code", "codes not in their mapping table, kept as they were"},
	{"fullwidth_folded", "full-width digits and letters folded to ASCII"},
	{"idno_invalid", "ID numbers whose check digit is wrong, kept as they were"},
	{"phone_unrecognised", "phone numbers of no known shape, kept as they were"},
};

static const char *fix_explain(const char *name)
{
	for (size_t i = 0; i < sizeof(fix_text) / sizeof(fix_text[0]); i++)
		if (!strcmp(fix_text[i].name, name))
			return fix_text[i].text;
	return "";
}

static void page_header(struct rctx *c, struct rfile *rf)
{
	const char *bal = PQgetisnull(c->run, 0, 7) ? "unknown" : PQgetvalue(c->run, 0, 7);
	const char *name = PQgetisnull(c->run, 0, 11) ? PQgetvalue(c->run, 0, 0) : PQgetvalue(c->run, 0, 11);

	rf_puts(rf, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
		"<title>Run ");
	rf_puts(rf, c->id);
	rf_puts(rf, " \xe2\x80\x94 ");
	h_text(c, rf, name);
	rf_puts(rf, " reconciliation report</title>\n<style>");
	rf_puts(rf, css);
	rf_puts(rf, "</style>\n</head>\n<body>\n<header>\n<h1>Reconciliation report: <span data-system-name>");
	h_text(c, rf, name);
	rf_puts(rf, "</span> (<span data-system>");
	h_text(c, rf, PQgetvalue(c->run, 0, 0));
	rf_puts(rf, "</span>)</h1>\n<div class=\"sub\">run <span data-run>");
	rf_puts(rf, c->id);
	rf_puts(rf, "</span>");
	if (!PQgetisnull(c->run, 0, 12)) {
		rf_puts(rf, " &middot; hotline <span data-hotline>");
		h_text(c, rf, PQgetvalue(c->run, 0, 12));
		rf_puts(rf, "</span>");
	}
	if (!PQgetisnull(c->run, 0, 13)) {
		rf_puts(rf, " &middot; <span data-department>");
		h_text(c, rf, PQgetvalue(c->run, 0, 13));
		rf_puts(rf, "</span>");
	}
	if (!PQgetisnull(c->run, 0, 14)) {
		rf_puts(rf, " &middot; mode <span data-mode>");
		h_text(c, rf, PQgetvalue(c->run, 0, 14));
		rf_puts(rf, "</span>");
	}
	rf_puts(rf, " &middot; table <span data-tables>");
	for (unsigned i = 0; i < c->nt; i++) {
		if (i)
			rf_puts(rf, ", ");
		h_text(c, rf, c->t[i].name);
	}
	rf_puts(rf, "</span></div>\n<div class=\"verdict\"><div class=\"badge ");
	rf_puts(rf, bal);
	rf_puts(rf, "\">BALANCED: <span data-balanced>");
	rf_puts(rf, bal);
	rf_puts(rf, "</span></div>\n<div class=\"meta\"><b>status</b><span data-status>");
	h_text(c, rf, PQgetvalue(c->run, 0, 4));
	rf_puts(rf, "</span><b>started</b><span data-started>");
	h_text(c, rf, PQgetvalue(c->run, 0, 5));
	rf_puts(rf, "</span><b>finished</b><span data-finished>");
	h_text(c, rf, PQgetisnull(c->run, 0, 6) ? "-" : PQgetvalue(c->run, 0, 6));
	rf_puts(rf, "</span><b>duration</b><span><span data-seconds>");
	h_text(c, rf, PQgetisnull(c->run, 0, 10) ? "-" : PQgetvalue(c->run, 0, 10));
	rf_puts(rf, "</span> s</span><b>tool version</b><span data-tool-version>");
	h_text(c, rf, PQgetvalue(c->run, 0, 3));
	rf_puts(rf, "</span><b>playbook</b><span class=\"mono\" data-playbook-sha256>");
	h_text(c, rf, PQgetvalue(c->run, 0, 2));
	rf_puts(rf, "</span></div></div>\n</header>\n<main>\n");
}

static void page_summary(struct rctx *c, struct rfile *rf)
{
	const struct mg_stage_count *s = c->l.st;

	rf_puts(rf, "<section><h2>Summary</h2><div class=\"cards\">");
	if (c->have_source)
		rf_printf(rf, "<div class=\"card\"><div class=\"k\">records at the source</div>"
			  "<div class=\"v\" data-summary=\"source\">%llu</div></div>", (unsigned long long)s[ST_SOURCE].out);
	rf_printf(rf, "<div class=\"card\"><div class=\"k\">extracted</div><div class=\"v\" data-summary=\"extracted\">%llu</div></div>"
		  "<div class=\"card g\"><div class=\"k\">loaded</div><div class=\"v\" data-summary=\"loaded\">%llu</div></div>"
		  "<div class=\"card r\"><div class=\"k\">rejected</div><div class=\"v\" data-summary=\"rejected\">%llu</div></div>"
		  "<div class=\"card m\"><div class=\"k\">merged duplicates</div><div class=\"v\" data-summary=\"merged\">%llu</div></div>",
		  (unsigned long long)s[ST_EXTRACT].out, (unsigned long long)s[ST_LOAD].out, c->rejects_total,
		  (unsigned long long)s[ST_LOAD].merged);
	if (c->have_target)
		rf_printf(rf, "<div class=\"card g\"><div class=\"k\">in the store (recount)</div>"
			  "<div class=\"v\" data-summary=\"target\">%llu</div></div>", (unsigned long long)s[ST_TARGET].out);
	rf_puts(rf, "</div>");
	if (strcmp(c->ledger_from, "run"))
		rf_printf(rf, "<p class=\"note\">The run has not finished: the figures are those of its last checkpoints (%s).</p>",
			  c->ledger_from);
	rf_puts(rf, "</section>\n");
}

static void page_stages(struct rctx *c, struct rfile *rf)
{
	const int W = 500, X0 = 100, ROW = 40; /* bars, then ~390 units of label */
	unsigned long long max = 1;
	int rows = 0, y;

	for (int i = 0; i < ST_COUNT; i++)
		if (have_stage(c, i)) {
			rows++;
			if (c->l.st[i].in > max)
				max = c->l.st[i].in;
		}
	rf_puts(rf, "<section><h2>Stage by stage: in = out + rejected + merged</h2>"
		"<div class=\"legend\"><i style=\"background:#2e7d32\"></i>out<i style=\"background:#c62828\"></i>rejected"
		"<i style=\"background:#e0a100\"></i>merged</div>");
	rf_printf(rf, "<svg viewBox=\"0 0 1000 %d\" role=\"img\" aria-label=\"stage funnel\">", rows * ROW + 6);
	y = 4;
	for (int i = 0; i < ST_COUNT; i++) {
		const struct mg_stage_count *x = &c->l.st[i];
		const char *st = mg_stage_names[i];
		double wo, wr, wm;

		if (!have_stage(c, i))
			continue;
		wo = (double)W * (double)x->out / (double)max;
		wr = (double)W * (double)x->rejected / (double)max;
		wm = (double)W * (double)x->merged / (double)max;
		rf_printf(rf, "<text x=\"0\" y=\"%d\" font-weight=\"600\">%s</text>", y + 20, st);
		rf_printf(rf, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"26\" fill=\"#e4e8ec\"/>", X0, y + 3, W);
		rf_printf(rf, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"26\" fill=\"#2e7d32\"/>", X0, y + 3, wo);
		if (x->rejected)
			rf_printf(rf, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"26\" fill=\"#c62828\"/>",
				  X0 + wo, y + 3, wr < 2 ? 2 : wr);
		if (x->merged)
			rf_printf(rf, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"26\" fill=\"#e0a100\"/>",
				  X0 + wo + (x->rejected && wr < 2 ? 2 : wr), y + 3, wm < 2 ? 2 : wm);
		rf_printf(rf, "<text x=\"%d\" y=\"%d\">in <tspan data-chart-stage=\"%s\" data-field=\"in\">%llu</tspan>"
			  " &#8594; out <tspan fill=\"#2e7d32\" data-chart-stage=\"%s\" data-field=\"out\">%llu</tspan>"
			  ", rejected <tspan fill=\"#c62828\" data-chart-stage=\"%s\" data-field=\"rejected\">%llu</tspan>"
			  ", merged <tspan fill=\"#a07300\" data-chart-stage=\"%s\" data-field=\"merged\">%llu</tspan></text>",
			  X0 + W + 10, y + 20, st, (unsigned long long)x->in, st, (unsigned long long)x->out, st,
			  (unsigned long long)x->rejected, st, (unsigned long long)x->merged);
		y += ROW;
	}
	rf_puts(rf, "</svg>\n<table><thead><tr><th>stage</th><th class=\"n\">in</th><th class=\"n\">out</th>"
		"<th class=\"n\">rejected</th><th class=\"n\">merged</th><th class=\"n\">content total in</th>"
		"<th class=\"n\">content total out</th><th>balance</th></tr></thead><tbody>");
	for (int i = 0; i < ST_COUNT; i++) {
		const struct mg_stage_count *x = &c->l.st[i];
		const char *st = mg_stage_names[i], *bal = stage_balance(c, i);

		if (!have_stage(c, i)) {
			rf_printf(rf, "<tr><td>%s</td><td colspan=\"7\" class=\"dim\" data-stage=\"%s\" data-field=\"balance\">"
				  "not counted</td></tr>", st, st);
			continue;
		}
		rf_printf(rf, "<tr><td>%s</td><td class=\"n\" data-stage=\"%s\" data-field=\"in\">%llu</td>"
			  "<td class=\"n\" data-stage=\"%s\" data-field=\"out\">%llu</td>"
			  "<td class=\"n\" data-stage=\"%s\" data-field=\"rejected\">%llu</td>"
			  "<td class=\"n\" data-stage=\"%s\" data-field=\"merged\">%llu</td>"
			  "<td class=\"n mono\" data-stage=\"%s\" data-field=\"total_in\">%llu</td>"
			  "<td class=\"n mono\" data-stage=\"%s\" data-field=\"total_out\">%llu</td>"
			  "<td class=\"%s\" data-stage=\"%s\" data-field=\"balance\">%s</td></tr>",
			  st, st, (unsigned long long)x->in, st, (unsigned long long)x->out, st,
			  (unsigned long long)x->rejected, st, (unsigned long long)x->merged, st,
			  (unsigned long long)x->h_in, st,
			  (unsigned long long)(i == ST_TRANSFORM ? x->h_uout : x->h_out),
			  strcmp(bal, "ok") ? "bad" : "ok", st, bal);
	}
	rf_puts(rf, "</tbody></table>");
	if (c->nt > 1 && PQntuples(c->tstages)) {
		rf_puts(rf, "<h2 style=\"margin-top:14px\">Per table</h2><table><thead><tr><th>table</th><th>stage</th>"
			"<th class=\"n\">in</th><th class=\"n\">out</th><th class=\"n\">rejected</th><th class=\"n\">merged</th>"
			"</tr></thead><tbody>");
		for (int i = 0; i < PQntuples(c->tstages); i++) {
			static const char *const f[] = {"in", "out", "rejected", "merged"};

			rf_puts(rf, "<tr><td>");
			h_text(c, rf, PQgetvalue(c->tstages, i, 0));
			rf_puts(rf, "</td><td>");
			h_text(c, rf, PQgetvalue(c->tstages, i, 1));
			rf_puts(rf, "</td>");
			for (int k = 0; k < 4; k++) {
				rf_puts(rf, "<td class=\"n\" data-table=\"");
				h_text(c, rf, PQgetvalue(c->tstages, i, 0));
				rf_puts(rf, "\" data-table-stage=\"");
				h_text(c, rf, PQgetvalue(c->tstages, i, 1));
				rf_printf(rf, "\" data-field=\"%s\">", f[k]);
				h_text(c, rf, PQgetvalue(c->tstages, i, 2 + k));
				rf_puts(rf, "</td>");
			}
			rf_puts(rf, "</tr>");
		}
		rf_puts(rf, "</tbody></table>");
	}
	rf_puts(rf, "<p class=\"note\">Content totals are order-independent sums of record hashes "
		"(docs/auditors.md): an auditor can recompute the source and target totals with SQL alone.</p></section>\n");
}

static void page_rejects(struct rctx *c, struct rfile *rf)
{
	int n = PQntuples(c->reasons), y = 4;
	unsigned long long max = 1;

	rf_puts(rf, "<section><h2>Rejected records by reason</h2>");
	if (!n) {
		rf_puts(rf, "<p>No record was rejected (<span data-rejects-total>0</span>).</p></section>\n");
		return;
	}
	for (int i = 0; i < n; i++)
		if (strtoull(PQgetvalue(c->reasons, i, 2), NULL, 10) > max)
			max = strtoull(PQgetvalue(c->reasons, i, 2), NULL, 10);
	rf_printf(rf, "<div class=\"two\"><div><svg viewBox=\"0 0 500 %d\" role=\"img\" aria-label=\"rejects by reason\">",
		  n * 30 + 8);
	for (int i = 0; i < n; i++) {
		unsigned long long v = strtoull(PQgetvalue(c->reasons, i, 2), NULL, 10);
		double w = 260.0 * (double)v / (double)max;

		rf_printf(rf, "<text x=\"0\" y=\"%d\">", y + 17);
		h_text(c, rf, PQgetvalue(c->reasons, i, 0));
		rf_puts(rf, ".");
		h_text(c, rf, PQgetvalue(c->reasons, i, 1));
		rf_printf(rf, "</text><rect x=\"180\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"#c62828\"/>"
			  "<text x=\"%.1f\" y=\"%d\" data-chart-reject=\"", y + 3, w < 2 ? 2 : w, 186 + (w < 2 ? 2 : w), y + 17);
		h_text(c, rf, PQgetvalue(c->reasons, i, 0));
		rf_puts(rf, ".");
		h_text(c, rf, PQgetvalue(c->reasons, i, 1));
		rf_printf(rf, "\">%llu</text>", v);
		y += 30;
	}
	rf_puts(rf, "</svg></div><div><table><thead><tr><th>stage.reason</th><th class=\"n\">records</th>"
		"<th class=\"n\">share</th></tr></thead><tbody>");
	for (int i = 0; i < n; i++) {
		unsigned long long v = strtoull(PQgetvalue(c->reasons, i, 2), NULL, 10);

		rf_puts(rf, "<tr><td>");
		h_text(c, rf, PQgetvalue(c->reasons, i, 0));
		rf_puts(rf, ".");
		h_text(c, rf, PQgetvalue(c->reasons, i, 1));
		rf_puts(rf, "</td><td class=\"n\" data-reject=\"");
		h_text(c, rf, PQgetvalue(c->reasons, i, 0));
		rf_puts(rf, ".");
		h_text(c, rf, PQgetvalue(c->reasons, i, 1));
		rf_printf(rf, "\">%llu</td><td class=\"n\" data-reject-share=\"", v);
		h_text(c, rf, PQgetvalue(c->reasons, i, 0));
		rf_puts(rf, ".");
		h_text(c, rf, PQgetvalue(c->reasons, i, 1));
		rf_printf(rf, "\">%.1f%%</td></tr>", c->rejects_total ? 100.0 * (double)v / (double)c->rejects_total : 0.0);
	}
	rf_printf(rf, "<tr class=\"total\"><td>total</td><td class=\"n\" data-rejects-total>%llu</td><td></td></tr>"
		  "</tbody></table></div></div><p class=\"note\">Every rejected record is kept in the store with its "
		  "original bytes, key, line and byte offset; all of them are listed in <span class=\"mono\">%s</span>.</p></section>\n",
		  c->rejects_total, c->f[F_REJECTS].name);
}

static void page_fixes(struct rctx *c, struct rfile *rf)
{
	rf_puts(rf, "<section><h2>Repairs (counted changes; the records were loaded)</h2>");
	if (!c->l.nfix) {
		rf_puts(rf, "<p>No repair was needed.</p></section>\n");
		return;
	}
	rf_puts(rf, "<table><thead><tr><th>repair</th><th class=\"n\">records</th><th>what it means</th></tr></thead><tbody>");
	for (unsigned i = 0; i < c->l.nfix; i++) {
		rf_puts(rf, "<tr><td class=\"mono\">");
		h_text(c, rf, c->l.fix[i].name);
		rf_puts(rf, "</td><td class=\"n\" data-fix=\"");
		h_text(c, rf, c->l.fix[i].name);
		rf_printf(rf, "\">%llu</td><td>", (unsigned long long)c->l.fix[i].n);
		h_text(c, rf, fix_explain(c->l.fix[i].name));
		rf_puts(rf, "</td></tr>");
	}
	rf_puts(rf, "</tbody></table></section>\n");
}

static const char *cat_name(const struct rctx *c, const char *code)
{
	for (int i = 0; c->cats && i < PQntuples(c->cats); i++)
		if (!strcmp(PQgetvalue(c->cats, i, 0), code))
			return PQgetvalue(c->cats, i, 1);
	return "";
}

static void page_coverage(struct rctx *c, struct rfile *rf)
{
	size_t n = json_array_size(c->cov_top);

	rf_printf(rf, "<section><h2>Category coverage</h2><p class=\"note\">How the legacy categories were mapped to the "
		  "unified taxonomy (the %zu largest of <span data-coverage-rows>%llu</span> combinations; all of them in "
		  "<span class=\"mono\">%s</span>). Legacy categories not in the mapping table: "
		  "<span data-fix-unmapped>%llu</span> records, loaded under the default category.</p>",
		  n, c->cov_rows, c->f[F_COVERAGE].name, (unsigned long long)ledger_fix_get(&c->l, "unmapped_category"));
	rf_printf(rf, "<p>Of <span data-coverage-summary=\"records\">%llu</span> records the transform passed on,"
		  " <span data-coverage-summary=\"mapped_by_table\">%llu</span> were mapped by the table's codes,"
		  " <span data-coverage-summary=\"mapped_by_keyword\">%llu</span> by keyword rules,"
		  " <span data-coverage-summary=\"defaulted\">%llu</span> got the default category;"
		  " <span data-coverage-summary=\"rejected_unmapped\">%llu</span> were rejected as unmapped.</p>",
		  c->cov_records, c->cov_table, c->cov_keyword, c->cov_default, c->cov_rejected);
	if (json_array_size(c->cov_many)) {
		size_t i, j;
		json_t *m, *x;

		rf_printf(rf, "<p>Unified categories several legacy codes map to (<span data-many-to-one-count>%zu</span>;"
			  " check that the codes really mean the same):</p><table><thead><tr><th>unified code</th>"
			  "<th>unified name</th><th>legacy codes (records)</th></tr></thead><tbody>", json_array_size(c->cov_many));
		json_array_foreach(c->cov_many, i, m) {
			const char *u = json_string_value(json_object_get(m, "unified"));
			json_t *nm = json_object_get(m, "name");

			rf_puts(rf, "<tr><td data-many-to-one=\"");
			h_esc(rf, u);
			rf_puts(rf, "\">");
			h_esc(rf, u);
			rf_puts(rf, "</td><td>");
			h_esc(rf, json_is_null(nm) ? "" : json_string_value(nm));
			rf_puts(rf, "</td><td>");
			json_array_foreach(json_object_get(m, "legacy"), j, x) {
				rf_puts(rf, j ? ", " : "");
				rf_puts(rf, "<span data-many-to-one-legacy=\"");
				h_esc(rf, json_string_value(json_object_get(x, "legacy")));
				rf_puts(rf, "\" data-unified=\"");
				h_esc(rf, u);
				rf_printf(rf, "\">%lld</span> (", (long long)json_integer_value(json_object_get(x, "count")));
				h_esc(rf, json_string_value(json_object_get(x, "legacy")));
				rf_puts(rf, ")");
			}
			rf_puts(rf, "</td></tr>");
		}
		rf_puts(rf, "</tbody></table>");
	}
	rf_puts(rf, "<table><thead><tr><th class=\"n\">#</th><th>legacy code</th><th>legacy text</th><th>unified code</th>"
		"<th>unified name</th><th class=\"n\">records</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(c->cov_top, i);
		const char *k[4] = {"legacy_category_code", "legacy_category_text", "category_code", "name"};

		rf_printf(rf, "<tr><td class=\"n dim\">%zu</td>", i + 1);
		for (int j = 0; j < 4; j++) {
			json_t *v = json_object_get(o, k[j]);

			rf_printf(rf, "<td data-coverage=\"%zu\" data-field=\"%s\"%s>", i + 1, k[j],
				  json_is_null(v) ? " class=\"dim\"" : "");
			h_esc(rf, json_is_null(v) ? "(none)" : json_string_value(v));
			rf_puts(rf, "</td>");
		}
		rf_printf(rf, "<td class=\"n\" data-coverage=\"%zu\" data-field=\"count\">%lld</td></tr>", i + 1,
			  (long long)json_integer_value(json_object_get(o, "count")));
	}
	rf_printf(rf, "<tr class=\"total\"><td></td><td colspan=\"4\">total of all %llu combinations</td>"
		  "<td class=\"n\" data-coverage-total>%llu</td></tr></tbody></table></section>\n", c->cov_rows, c->cov_sum);
}

static void page_counts(struct rctx *c, struct rfile *rf)
{
	size_t nm = json_array_size(c->months), nbars = 0, bi = 0;
	unsigned long long max = 1;
	const int W = 940, H = 170, X0 = 48;
	char year[8] = "";

	for (size_t i = 0; i < nm; i++) {
		json_t *p = json_array_get(c->months, i);

		if (strcmp(json_string_value(json_array_get(p, 0)), "none")) {
			nbars++;
			if ((unsigned long long)json_integer_value(json_array_get(p, 1)) > max)
				max = (unsigned long long)json_integer_value(json_array_get(p, 1));
		}
	}
	rf_printf(rf, "<section><h2>Work orders of this run by month</h2><p class=\"note\">"
		  "<span data-workorders-total>%llu</span> work orders in the store carry this run's number (a later run "
		  "of the same system that reloads a record takes it over).</p>", c->wo_total);
	rf_printf(rf, "<svg viewBox=\"0 0 1000 %d\" role=\"img\" aria-label=\"work orders per month\">", H + 34);
	rf_printf(rf, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#9aa5ae\"/>", X0, H + 4, X0 + W, H + 4);
	rf_printf(rf, "<text x=\"%d\" y=\"14\" text-anchor=\"end\" data-axis-max>%llu</text>", X0 - 6, max);
	rf_printf(rf, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>", X0 - 6, H + 4);
	for (size_t i = 0; i < nm; i++) {
		json_t *p = json_array_get(c->months, i);
		const char *m = json_string_value(json_array_get(p, 0));
		unsigned long long v = (unsigned long long)json_integer_value(json_array_get(p, 1));
		/* a few months: bars of a readable width, not the whole chart */
		double bw = nbars * 36 > (size_t)W ? (double)W / (double)nbars : 36.0;
		double h = (double)(H - 10) * (double)v / (double)max, x = X0 + bw * (double)bi;

		if (!strcmp(m, "none"))
			continue;
		rf_printf(rf, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#2b6cb0\" data-chart-month=\"",
			  x + bw * 0.1, H + 4 - h, bw * 0.8 > 0.5 ? bw * 0.8 : 0.5, h);
		h_esc(rf, m);
		rf_printf(rf, "\" data-count=\"%llu\"><title>", v);
		h_esc(rf, m);
		rf_printf(rf, ": %llu</title></rect>", v);
		if (strncmp(year, m, 4)) {
			snprintf(year, sizeof(year), "%.4s", m);
			rf_printf(rf, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#9aa5ae\"/>"
				  "<text x=\"%.2f\" y=\"%d\">", x, H + 4, x, H + 12, x + 2, H + 26);
			h_esc(rf, year);
			rf_puts(rf, "</text>");
		}
		bi++;
	}
	rf_puts(rf, "</svg>\n<table><thead><tr><th>year</th>");
	for (int m = 1; m <= 12; m++)
		rf_printf(rf, "<th class=\"n\">%02d</th>", m);
	rf_puts(rf, "<th class=\"n\">total</th></tr></thead><tbody>");
	/* one row per year; months are sorted, so a year's months are together */
	for (size_t i = 0; i < nm;) {
		json_t *p = json_array_get(c->months, i);
		const char *m = json_string_value(json_array_get(p, 0));
		unsigned long long tot = 0;
		size_t j = i;
		int col = 1;

		if (!strcmp(m, "none") || strlen(m) != 7) {
			i++;
			continue;
		}
		snprintf(year, sizeof(year), "%.4s", m);
		rf_puts(rf, "<tr><td>");
		h_esc(rf, year);
		rf_puts(rf, "</td>");
		for (; j < nm; j++) {
			const char *mj = json_string_value(json_array_get(json_array_get(c->months, j), 0));
			long long v = (long long)json_integer_value(json_array_get(json_array_get(c->months, j), 1));
			int mon;

			if (strlen(mj) != 7 || strncmp(mj, year, 4))
				break;
			mon = atoi(mj + 5);
			for (; col < mon && col <= 12; col++)
				rf_puts(rf, "<td class=\"n dim\">-</td>");
			rf_puts(rf, "<td class=\"n\" data-month=\"");
			h_esc(rf, mj);
			rf_printf(rf, "\">%lld</td>", v);
			col = mon + 1;
			tot += (unsigned long long)v;
		}
		for (; col <= 12; col++)
			rf_puts(rf, "<td class=\"n dim\">-</td>");
		rf_puts(rf, "<td class=\"n yt\" data-year=\"");
		h_esc(rf, year);
		rf_printf(rf, "\">%llu</td></tr>", tot);
		i = j > i ? j : i + 1;
	}
	for (size_t i = 0; i < nm; i++) {
		json_t *p = json_array_get(c->months, i);

		if (!strcmp(json_string_value(json_array_get(p, 0)), "none"))
			rf_printf(rf, "<tr><td colspan=\"13\">no date (received_at empty)</td><td class=\"n\" data-month=\"none\">%lld</td></tr>",
				  (long long)json_integer_value(json_array_get(p, 1)));
	}
	rf_puts(rf, "</tbody></table></section>\n<section><div class=\"two\"><div><h2>By unified category</h2>"
		"<table><thead><tr><th>code</th><th>name</th><th class=\"n\">records</th></tr></thead><tbody>");
	for (size_t i = 0; i < json_array_size(c->categories); i++) {
		json_t *p = json_array_get(c->categories, i);
		const char *code = json_string_value(json_array_get(p, 0));

		rf_puts(rf, "<tr><td class=\"mono\">");
		h_esc(rf, code);
		rf_puts(rf, "</td><td>");
		h_text(c, rf, cat_name(c, code));
		rf_puts(rf, "</td><td class=\"n\" data-category=\"");
		h_esc(rf, code);
		rf_printf(rf, "\">%lld</td></tr>", (long long)json_integer_value(json_array_get(p, 1)));
	}
	rf_puts(rf, "</tbody></table></div><div><h2>By status</h2><table><thead><tr><th>status</th>"
		"<th class=\"n\">records</th></tr></thead><tbody>");
	for (size_t i = 0; i < json_array_size(c->statuses); i++) {
		json_t *p = json_array_get(c->statuses, i);

		rf_puts(rf, "<tr><td>");
		h_esc(rf, json_string_value(json_array_get(p, 0)));
		rf_puts(rf, "</td><td class=\"n\" data-status-count=\"");
		h_esc(rf, json_string_value(json_array_get(p, 0)));
		rf_printf(rf, "\">%lld</td></tr>", (long long)json_integer_value(json_array_get(p, 1)));
	}
	rf_puts(rf, "</tbody></table></div></div></section>\n");
}

static void page_inputs(struct rctx *c, struct rfile *rf)
{
	size_t n = json_array_size(c->inputs_top);

	rf_puts(rf, "<section><h2>Inputs</h2>");
	if (!c->inputs_n) {
		rf_puts(rf, "<p>The source is a database: no input file (<span data-inputs-total>0</span>). "
			"Its content is fixed by the source recount and content total above.</p></section>\n");
		return;
	}
	rf_printf(rf, "<p class=\"note\"><span data-inputs-total>%llu</span> files, <span data-inputs-bytes>%llu</span> "
		  "bytes, <span data-inputs-records>%llu</span> records%s.</p>", c->inputs_n, c->inputs_bytes,
		  c->inputs_records, c->inputs_n > n ? "; the first ones below, all of them in the JSON report" : "");
	rf_puts(rf, "<table><thead><tr><th>table</th><th>file</th><th class=\"n\">bytes</th><th class=\"n\">records</th>"
		"<th>SHA-256</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(c->inputs_top, i);

		rf_puts(rf, "<tr><td>");
		h_esc(rf, json_string_value(json_object_get(o, "table")));
		rf_printf(rf, "</td><td class=\"mono\" data-input=\"%zu\" data-field=\"name\">", i + 1);
		h_text(c, rf, json_string_value(json_object_get(o, "name")));
		rf_printf(rf, "</td><td class=\"n\" data-input=\"%zu\" data-field=\"bytes\">%lld</td>"
			  "<td class=\"n\" data-input=\"%zu\" data-field=\"records\">%lld</td>"
			  "<td class=\"mono\" data-input=\"%zu\" data-field=\"sha256\">", i + 1,
			  (long long)json_integer_value(json_object_get(o, "bytes")), i + 1,
			  (long long)json_integer_value(json_object_get(o, "records")), i + 1);
		h_esc(rf, json_string_value(json_object_get(o, "sha256")));
		rf_puts(rf, "</td></tr>");
	}
	rf_puts(rf, "</tbody></table></section>\n");
}

static void page_problems(struct rctx *c, struct rfile *rf)
{
	size_t n = json_array_size(c->problems);

	rf_printf(rf, "<section><h2>Differences</h2><p class=\"note\"><span data-problems-count>%zu</span> found; also in "
		  "<span class=\"mono\">%s</span>.</p>", n, c->f[F_DIFF].name);
	if (!n) {
		rf_puts(rf, "<p class=\"ok\">None: every stage balances and the recounts agree.</p></section>\n");
		return;
	}
	rf_puts(rf, "<ul class=\"problems\">");
	for (size_t i = 0; i < n; i++) {
		const char *p = json_string_value(json_array_get(c->problems, i));

		buf_reset(&c->val);
		buf_reset(&c->val2);
		rf_printf(rf, "<li data-problem=\"%zu\">", i + 1);
		if (esc_text(p, strlen(p), &c->val, c->e) || mask_scan(buf_cstr(&c->val), c->val.len, &c->val2, c->e))
			h_esc(rf, "?");
		else
			h_esc(rf, buf_cstr(&c->val2));
		rf_puts(rf, "</li>");
	}
	rf_puts(rf, "</ul></section>\n");
}

/* At most max characters of s, cut at a character boundary, with an
 * explicit note of what was left out. */
static void h_clip(struct rfile *rf, const char *s, size_t max)
{
	size_t i = 0, nc = 0, total = 0;

	for (size_t k = 0; s[k]; k++)
		total += ((unsigned char)s[k] & 0xC0) != 0x80;
	while (s[i] && nc < max) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		nc++;
	}
	if (!s[i]) {
		h_esc(rf, s);
		return;
	}
	{
		char *cut = strndup(s, i);

		h_esc(rf, cut ? cut : "");
		free(cut);
	}
	rf_printf(rf, "<span class=\"dim\"> &#8230; (%zu more characters in the CSV)</span>", total - nc);
}

static void page_samples(struct rctx *c, struct rfile *rf)
{
	size_t n = json_array_size(c->samples);

	if (!n)
		return;
	rf_printf(rf, "<section><h2>Rejected records: the first %zu of %llu (masked)</h2><p class=\"note\">The raw record "
		  "is shown column=value as it was read from the source (decoded with the declared encoding; bytes that do "
		  "not decode as \\xHH; NULL as \\N), with personal data masked. Every reject is in "
		  "<span class=\"mono\">%s</span>.</p>", n, c->rejects_total, c->f[F_REJECTS].name);
	rf_puts(rf, "<table class=\"samples\"><thead><tr><th class=\"n\">id</th><th>stage.reason</th><th>key</th>"
		"<th class=\"n\">line</th><th>detail</th><th>raw record (masked)</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(c->samples, i);
		json_t *line = json_object_get(o, "line"), *key = json_object_get(o, "legacy_key");

		rf_printf(rf, "<tr><td class=\"n\" data-sample=\"%zu\" data-field=\"id\">%lld</td><td class=\"k\">", i + 1,
			  (long long)json_integer_value(json_object_get(o, "id")));
		h_esc(rf, json_string_value(json_object_get(o, "stage")));
		rf_puts(rf, ".");
		h_esc(rf, json_string_value(json_object_get(o, "reason")));
		rf_printf(rf, "</td><td class=\"mono key\" data-sample=\"%zu\" data-field=\"legacy_key\">", i + 1);
		h_esc(rf, json_is_string(key) ? json_string_value(key) : "");
		rf_printf(rf, "</td><td class=\"n\" data-sample=\"%zu\" data-field=\"line\">", i + 1);
		if (json_is_integer(line))
			rf_printf(rf, "%lld", (long long)json_integer_value(line));
		rf_puts(rf, "</td><td class=\"d\">");
		h_esc(rf, json_string_value(json_object_get(o, "detail")));
		rf_puts(rf, "</td><td class=\"mono raw\">");
		h_clip(rf, json_string_value(json_object_get(o, "raw")), PAGE_RAW_CHARS);
		rf_puts(rf, "</td></tr>");
	}
	rf_puts(rf, "</tbody></table></section>\n");
}

static void page_footer(struct rctx *c, struct rfile *rf)
{
	rf_puts(rf, "<section><h2>Personal data and the files of this report</h2><p class=\"note\">");
	h_text(c, rf, c->mask_note);
	rf_puts(rf, ". Masked values keep their first character (names), first 3 and last 4 digits (phones) or first 6 "
		"and last 4 characters (ID numbers); see docs/reports.md.</p><table><thead><tr><th>file</th>"
		"<th>SHA-256</th></tr></thead><tbody>");
	for (int i = 0; i < F_COUNT; i++) {
		if (i == F_HTML)
			continue;
		rf_puts(rf, "<tr><td class=\"mono\">");
		h_esc(rf, c->f[i].name);
		rf_puts(rf, "</td><td class=\"mono\" data-file=\"");
		h_esc(rf, c->f[i].name);
		rf_printf(rf, "\">%s</td></tr>", c->f[i].sha);
	}
	rf_puts(rf, "</tbody></table><p class=\"note\">Re-render this page from the store at any time with "
		"<span class=\"mono\">migrate report ");
	rf_puts(rf, c->id);
	rf_puts(rf, "</span>; the run's signed manifest lists the SHA-256 of every file.</p></section>\n</main>\n"
		"<footer>rendered by migrate <span data-rendered-by>" MIGRATE_VERSION "</span> from the store ");
	h_text(c, rf, c->s->where);
	rf_puts(rf, "</footer>\n</body>\n</html>\n");
}

static void write_html(struct rctx *c)
{
	struct rfile *rf = &c->f[F_HTML];

	page_header(c, rf);
	page_summary(c, rf);
	page_stages(c, rf);
	page_problems(c, rf);
	page_rejects(c, rf);
	page_fixes(c, rf);
	page_coverage(c, rf);
	page_counts(c, rf);
	page_inputs(c, rf);
	page_samples(c, rf);
	page_footer(c, rf);
}

/* ---- the whole */

static void ctx_release(struct rctx *c)
{
	PQclear(c->run);
	PQclear(c->reasons);
	PQclear(c->cats);
	PQclear(c->tstages);
	playbook_free(c->pb);
	tables_free(c);
	json_decref(c->samples);
	json_decref(c->cov_top);
	json_decref(c->cov_many);
	json_decref(c->inputs_top);
	json_decref(c->months);
	json_decref(c->categories);
	json_decref(c->statuses);
	json_decref(c->problems);
	json_decref(c->personal);
	for (int i = 0; i < F_COUNT; i++)
		rf_free(&c->f[i]);
	buf_release(&c->val);
	buf_release(&c->val2);
	buf_release(&c->tmp);
	buf_release(&c->row);
	buf_release(&c->key);
	buf_release(&c->detail);
}

static int render(struct rctx *c, const char *dir)
{
	const char *p[1] = {c->id};

	if (load_run(c) || load_tables(c) || load_problems(c))
		return -1;
	if (pgstore_exec(c->s, "SELECT stage, reason, count(*) FROM migration.reject WHERE run_id = $1"
			 " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2", 1, p, &c->reasons, c->e) ||
	    pgstore_exec(c->s, "SELECT code, name FROM hotline.category ORDER BY code", 0, NULL, &c->cats, c->e) ||
	    pgstore_exec(c->s, "SELECT source_table, stage, rows_in, rows_out, rejected, merged, total_in, total_out,"
			 " total_rejected, total_merged FROM migration.stage_ledger WHERE run_id = $1 ORDER BY source_table,"
			 " array_position(ARRAY['source', 'extract', 'decode', 'transform', 'load', 'target'], stage)",
			 1, p, &c->tstages, c->e))
		return -1;
	for (int i = 0; i < F_COUNT; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s-%lld.%s", file_stem[i], c->run_id, file_ext[i]);
		if (rf_open(&c->f[i], dir, name, c->e))
			return -1;
	}
	if (write_rejects(c) || rf_finish(&c->f[F_REJECTS], c->e))
		return -1;
	write_differences(c);
	if (mg_err_isset(c->e) || rf_finish(&c->f[F_DIFF], c->e))
		return -1;
	if (write_json(c) || rf_finish(&c->f[F_COVERAGE], c->e) || rf_finish(&c->f[F_JSON], c->e))
		return -1;
	write_html(c);
	return rf_finish(&c->f[F_HTML], c->e);
}

int report_render(struct pgstore *s, long long run_id, const char *dir, struct mg_buf *outputs, struct mg_err *e)
{
	struct rctx c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.run_id = run_id;
	c.e = e;
	snprintf(c.id, sizeof(c.id), "%lld", run_id);
	buf_init(&c.val, VALUE_CAP, "report_value_bytes");
	buf_init(&c.val2, VALUE_CAP, "report_value_bytes");
	buf_init(&c.tmp, VALUE_CAP, "report_value_bytes");
	buf_init(&c.row, VALUE_CAP, "report_value_bytes");
	buf_init(&c.key, VALUE_CAP, "report_value_bytes");
	buf_init(&c.detail, VALUE_CAP, "report_value_bytes");
	c.samples = json_array();
	c.cov_top = json_array();
	c.cov_many = json_array();
	c.inputs_top = json_array();
	c.months = json_array();
	c.categories = json_array();
	c.statuses = json_array();
	c.problems = json_array();
	c.personal = json_object();
	if (!c.samples || !c.cov_top || !c.cov_many || !c.inputs_top || !c.months || !c.categories || !c.statuses || !c.problems ||
	    !c.personal) {
		ctx_release(&c);
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	}
	if (run_id <= 0) {
		ctx_release(&c);
		return mg_err_set(e, MG_E_USAGE, "run %lld does not exist", run_id);
	}
	if (!s->conn || PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
		ctx_release(&c);
		return mg_err_set(e, MG_E_INTERNAL, "cannot render reports: the store connection is busy");
	}
	/* one snapshot for every file */
	if (pgstore_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, NULL, e)) {
		ctx_release(&c);
		return -1;
	}
	if (render(&c, dir)) {
		PQclear(PQexec(s->conn, "ROLLBACK"));
		ctx_release(&c);
		return -1;
	}
	if (pgstore_exec(s, "COMMIT", 0, NULL, NULL, e)) {
		ctx_release(&c);
		return -1;
	}
	/* all five written: put them in place, the main ones first */
	{
		static const int order[F_COUNT] = {F_JSON, F_HTML, F_REJECTS, F_COVERAGE, F_DIFF};

		for (int k = 0; k < F_COUNT; k++) {
			struct rfile *rf = &c.f[order[k]];

			if (rename(rf->tmp, rf->path)) {
				mg_err_set(e, MG_E_IO, "cannot rename '%s' to '%s': %s", rf->tmp, rf->path, strerror(errno));
				goto out;
			}
			rf->done = 2;
			if (buf_printf(outputs, e, "%s\t%s\n", rf->path, rf->sha))
				goto out;
		}
	}
	rc = 0;
out:
	ctx_release(&c); /* removes what was not renamed */
	return rc;
}
