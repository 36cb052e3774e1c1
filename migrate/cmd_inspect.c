/* migrate inspect PLAYBOOK [--rows N] [--json] [--draft FILE]: profile the
 * source a playbook points at, before the playbook is finished. For
 * department IT describing their system: a playbook whose tables have only
 * a name (and a key for databases) is enough; `fields` and `encoding` may be
 * missing.
 *
 * Per table and column, from the raw bytes the source driver hands over:
 * NULL and empty counts, distinct values (counted up to DQ_DISTINCT_CAP),
 * byte lengths, the encoding decision with its evidence (transform/detect.h:
 * over the whole sample, never value by value; the table's decision is made
 * over the non-ASCII values of all its columns together), a few decoded
 * sample values, the most frequent values of low-cardinality columns, and
 * the date formats seen. Personal data is masked (migrate/dq.h): columns
 * whose names suggest it (xm, sfzh, ldhm, 姓名 ...) or whose values are
 * mostly phone or ID numbers, and phone and ID numbers in any text.
 *
 * --draft FILE writes a draft playbook: system and source copied, each table
 * with the decided encoding (and per-column overrides), the date policy and
 * a field map guessed from the column names, every guess marked. Category
 * and code columns stay text (or commented out) until mapping tables exist.
 *
 * Exit 0: every table profiled; 1: a table could not be read (the others
 * are still profiled and drafted) or an error; 2: usage.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "extractors/extractor.h"
#include "migrate/builtin.h"
#include "migrate/dq.h"
#include "transform/detect.h"
#include "transform/normalize.h"

#define NSAMPLES 3
#define NTOP 10
#define LOW_CARDINALITY 100      /* top values are listed up to this many distinct values */
#define KEEP_BYTES 96            /* bytes of a distinct value kept for display */
#define ASCII_TO_DETECT 200      /* ASCII values fed to a column's detector (non-ASCII: all, up to its cap) */

struct colprof {
	uint64_t nulls, empty, values;    /* values: not NULL (empty included) */
	uint64_t minlen, maxlen, nonascii;
	uint64_t phone_like, id_like;     /* ASCII values that are mobile/landline or valid ID numbers */
	uint64_t ascii_fed;
	struct dq_vset vs;
	struct detect det;
	struct detect_result dr;
	struct dq_dates dates;
	int is_date;
	const char *enc;                  /* how the column is decoded: table encoding or override */
	int override;                     /* the draft's encodings: entry */
	const char *personal_by;          /* "name", "values" or NULL */
	const char *guess[2];             /* unified fields guessed */
	char note[400];                   /* undecided alone: how the table's encoding reads it */
};

struct itable {
	struct pb_table *t;
	char error[1024];
	unsigned ncols;
	struct dq_cols dc;
	struct colprof *cp;
	uint64_t rows, xrej;
	struct dq_vset xreasons;
	struct detect pooled;
	struct detect_result pr;
	const char *encoding;             /* the decision (NULL: undecided) */
	const char *basis;
	const char *header_encoding;      /* a file's header read with this encoding */
	const char *declared;             /* encoding the playbook declares, if any */
	int have_dc, have_pooled;
};

struct ictx {
	struct playbook *pb;
	unsigned long long limit;
	struct itable *it;
	unsigned nt;
	struct mg_buf a;            /* scratch */
};

/* ---- the playbook: fields and encoding may be missing */

/* Diagnostics playbook_load gives for what inspect does not need. */
static const char *const tolerated[] = {
	"a table needs 'fields'",
	"a table needs 'encoding'",
	"fields must map 'legacy_id'",
};

/* 1 if every diagnostic is tolerated. */
static int only_tolerated(const struct playbook *pb)
{
	const char *d = buf_cstr(&pb->diags);
	size_t pl = strlen(pb->path);

	if (!pb->have_doc || !pb->tables || !pb->ndiags)
		return 0;
	while (*d) {
		size_t n = strcspn(d, "\n");
		const char *m = d;
		int ok = 0;

		/* "path:line: message" */
		if (!strncmp(m, pb->path, pl) && m[pl] == ':') {
			m += pl + 1;
			while (*m >= '0' && *m <= '9')
				m++;
			if (m[0] == ':' && m[1] == ' ')
				m += 2;
		}
		for (size_t i = 0; i < sizeof(tolerated) / sizeof(tolerated[0]) && !ok; i++)
			ok = !strncmp(m, tolerated[i], strlen(tolerated[i]));
		if (!ok)
			return 0;
		d += n + (d[n] == '\n');
	}
	return 1;
}

/* ---- profiling */

static int value_phone_id(const unsigned char *p, size_t n, int *phone, int *id)
{
	char out[32], idb[64];
	size_t digits = 0, ol;

	*phone = *id = 0;
	if (n > 40)
		return 0;
	for (size_t i = 0; i < n; i++)
		digits += p[i] >= '0' && p[i] <= '9';
	if (digits < 7)
		return 0;
	switch (norm_phone((const char *)p, n, "0937", out)) {
	case PHONE_MOBILE:
		*phone = 1;
		break;
	case PHONE_LANDLINE:
		*phone = digits >= 10;
		break;
	default:
		break;
	}
	if (n <= 40 && n + 1 < sizeof(idb))
		*id = norm_idno((const char *)p, n, idb, &ol);
	return 0;
}

static int is_ascii(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] >= 0x80 || p[i] == 0)
			return 0;
	return 1;
}

static int profile_batch(struct itable *it, const struct mg_batch *b, struct mg_err *e)
{
	for (unsigned r = 0; r < b->nrows; r++) {
		for (unsigned c = 0; c < it->ncols && c < b->ncols; c++) {
			struct colprof *cp = &it->cp[c];
			size_t n;
			const unsigned char *v = batch_get(b, r, c, &n);
			int ascii, ph, id;

			if (!v) {
				cp->nulls++;
				continue;
			}
			if (!cp->values || n < cp->minlen)
				cp->minlen = n;
			if (n > cp->maxlen)
				cp->maxlen = n;
			cp->values++;
			if (!n) {
				cp->empty++;
				continue;
			}
			if (dq_vset_add(&cp->vs, v, n, e) == -1)
				return -1;
			ascii = is_ascii(v, n);
			if (!ascii) {
				cp->nonascii++;
				if (detect_add(&cp->det, v, n, e) || detect_add(&it->pooled, v, n, e))
					return -1;
			} else {
				if (cp->ascii_fed < ASCII_TO_DETECT) {
					cp->ascii_fed++;
					if (detect_add(&cp->det, v, n, e))
						return -1;
				}
				value_phone_id(v, n, &ph, &id);
				cp->phone_like += (uint64_t)ph;
				cp->id_like += (uint64_t)id;
			}
			dq_dates_add(&cp->dates, v, n);
		}
		it->rows++;
	}
	{
		size_t pos = 0;
		struct mg_xrej x;

		while (batch_next_reject(b, &pos, &x)) {
			it->xrej++;
			if (dq_vset_add(&it->xreasons, x.reason, strlen(x.reason), e) == -1)
				return -1;
		}
	}
	return 0;
}

static const char *header_error = "is not valid 'utf-8' text";

static int start_table(struct ictx *x, struct itable *it, const struct source_driver *drv, struct source **src,
		       struct mg_columns *cols, struct mg_err *e)
{
	static const char *const retry[] = {"gb18030", "big5"};
	char first[sizeof(e->msg)];

	if (drv->open(x->pb, src, e) == 0 && drv->start(*src, it->t, NULL, cols, e) == 0)
		return 0;
	if (it->t->encoding || !strstr(e->msg, header_error))
		return -1;
	/* a file's header in a legacy encoding: read it as one to get the names */
	snprintf(first, sizeof(first), "%s", e->msg);
	for (size_t i = 0; i < sizeof(retry) / sizeof(retry[0]); i++) {
		if (*src)
			drv->close(*src);
		*src = NULL;
		memset(cols, 0, sizeof(*cols));
		mg_err_clear(e);
		it->t->encoding = retry[i];
		if (drv->open(x->pb, src, e) == 0 && drv->start(*src, it->t, NULL, cols, e) == 0) {
			it->header_encoding = retry[i];
			it->t->encoding = NULL;
			return 0;
		}
		it->t->encoding = NULL;
	}
	mg_err_clear(e);
	return mg_err_set(e, MG_E_SOURCE, "%s (nor is it gb18030 or big5 text)", first);
}

/* Column names again with the decided encoding, when the header was read
 * with a guess that the data contradicts. */
static void reread_names(struct ictx *x, struct itable *it, const struct source_driver *drv)
{
	struct source *src = NULL;
	struct mg_columns cols;
	struct mg_err e = {0};

	if (!it->header_encoding || !it->encoding || !*it->encoding || !strcmp(it->header_encoding, it->encoding) ||
	    (!strcmp(it->encoding, "gbk") && !strcmp(it->header_encoding, "gb18030")))
		return;
	memset(&cols, 0, sizeof(cols));
	it->t->encoding = it->encoding;
	if (drv->open(x->pb, &src, &e) == 0 && drv->start(src, it->t, NULL, &cols, &e) == 0 && cols.n == it->ncols) {
		for (unsigned c = 0; c < cols.n; c++) {
			char *n = strdup(cols.name[c]);

			if (n) {
				free(it->dc.name[c]);
				it->dc.name[c] = n;
				dq_cols_mark(&it->dc, (int)c, dq_name_kind(n));
			}
		}
		it->header_encoding = it->encoding;
	}
	it->t->encoding = NULL;
	if (src)
		drv->close(src);
}

static int decided(const struct detect_result *r)
{
	return r->encoding && *r->encoding;
}

static void decide_table(struct itable *it)
{
	const char *best = NULL;
	unsigned bestn = 0;

	if (decided(&it->pr)) {
		it->encoding = it->pr.encoding;
		it->basis = "the non-ASCII values of all columns together";
	} else if (it->pr.verdict == DETECT_EMPTY) {
		it->encoding = "utf-8";
		it->basis = "every value is ASCII: any encoding reads it; utf-8 is declared";
	} else {
		/* the columns that decided on their own, by majority */
		for (unsigned c = 0; c < it->ncols; c++) {
			const char *enc = it->cp[c].dr.encoding;
			unsigned n = 0;

			if (!decided(&it->cp[c].dr) || it->cp[c].dr.weak)
				continue;
			for (unsigned k = 0; k < it->ncols; k++)
				n += decided(&it->cp[k].dr) && !it->cp[k].dr.weak && !strcmp(it->cp[k].dr.encoding, enc);
			if (n > bestn)
				best = enc, bestn = n;
		}
		it->encoding = best;
		it->basis = best ? "the columns that decided on their own, by majority"
				 : "undecided: no encoding reads the values convincingly; declare it yourself";
	}
	for (unsigned c = 0; c < it->ncols; c++) {
		struct colprof *cp = &it->cp[c];

		cp->enc = it->encoding;
		if (decided(&cp->dr) && !cp->dr.weak && (!it->encoding || strcmp(cp->dr.encoding, it->encoding))) {
			cp->enc = cp->dr.encoding;
			cp->override = it->encoding != NULL;
		}
	}
}

/* Personal by the values: a third of them phone or ID numbers. */
static int personal_values(struct itable *it, unsigned c, struct mg_err *e)
{
	struct colprof *cp = &it->cp[c];
	uint64_t ph = cp->phone_like, id = cp->id_like, nonempty = cp->values - cp->empty;

	/* non-ASCII values (full-width digits) among the distinct ones, decoded */
	for (unsigned i = 0; i < cp->vs.n && cp->nonascii; i++) {
		const unsigned char *p = dq_vset_bytes(&cp->vs, i);
		int d = it->dc.dec[c], a, b;
		size_t bad;
		struct mg_buf out;
		char folded[64];
		size_t fl;

		if (is_ascii(p, cp->vs.item[i].kept) || cp->vs.item[i].kept != cp->vs.item[i].len || d < 0)
			continue;
		buf_init(&out, 1024, "value");
		if (decoder_run(&it->dc.d[d], p, cp->vs.item[i].kept, &out, &bad, e) == 0 && out.len < 60) {
			norm_fold_fullwidth((const char *)out.ptr, out.len, folded, &fl);
			value_phone_id((const unsigned char *)folded, fl, &a, &b);
			ph += (uint64_t)a * cp->vs.item[i].count;
			id += (uint64_t)b * cp->vs.item[i].count;
		}
		mg_err_clear(e);
		buf_release(&out);
	}
	if (nonempty && (ph + id) * 3 >= nonempty) {
		dq_cols_mark(&it->dc, (int)c, ph >= id ? MASK_PHONE : MASK_ID);
		return 1;
	}
	return 0;
}

/* ---- field guesses from column names */

static const struct guess {
	const char *names;          /* '|'-separated, lower case */
	const char *field;
	const char *type;
} guesses[] = {
	{"gdbh|工单编号|工单号|工單編號|工單號|order_no|orderno", "order_no", "text"},
	{"ldsj|来电时间|來電時間|slsj|受理时间|受理時間|received_at", "received_at", "datetime"},
	{"ldhm|来电号码|來電號碼|caller_phone", "caller_phone", "phone"},
	{"lxdh|联系电话|聯絡電話|聯繫電話|lxfs|联系方式|contact_phone", "contact_phone", "phone"},
	{"xm|姓名|sqr|诉求人|訴求人|lxr|联系人|聯絡人|ldr|来电人|來電人|caller_name", "caller_name", "text"},
	{"sfzh|身份证号|身份证号码|证件号码|身分證號|身份證號|證件號碼|zjhm|sfz|caller_id_no", "caller_id_no", "idno"},
	{"dz|地址|sfdz|事发地址|address", "address", "text"},
	{"sqnr|诉求内容|訴求內容|nr|内容|內容|content", "content", "text"},
	{"bt|标题|標題|title", "title", "text"},
	{"wtlb|问题类别|問題類別|诉求分类|category", "category_code", "category"},
	{"sqlx|诉求类型|request_type", "request_type", "text"},
	{"blzt|办理状态|辦理狀態|status", "status", "code"},
	{"cbdw|承办单位|承辦單位|handling_unit", "handling_unit", "text"},
	{"xbdw|协办单位|co_units", "co_units", "text"},
	{"bjsj|办结时间|辦結時間|closed_at", "closed_at", "datetime"},
	{"blsx|办理时限|sxsj|due_at", "due_at", "datetime"},
	{"dfnr|答复内容|bljg|办理结果|hfnr|reply", "reply", "text"},
	{"myd|满意度|滿意度|hfjg|回访结果|satisfaction", "satisfaction", "code"},
	{"jjcd|紧急程度|urgency", "urgency", "text"},
	{"qd|lyqd|受理渠道|渠道|channel", "channel", "text"},
	{"qy|xzqh|所属区域|region_code", "region_code", "text"},
};

static const char *const id_names = "id|bh|xh|编号|序号|編號|序號|legacy_id";
static const char *const cat_text_names = "wtmc|问题类别名称|分类名称|lbmc";

static int name_in(const char *name, const char *list)
{
	char low[128];
	size_t n = 0;

	for (; name[n] && n + 1 < sizeof(low); n++)
		low[n] = name[n] >= 'A' && name[n] <= 'Z' ? (char)(name[n] - 'A' + 'a') : name[n];
	low[n] = '\0';
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, "|");

		if (l == n && !memcmp(p, low, n))
			return 1;
		p += l + (p[l] == '|');
	}
	return 0;
}

static const struct guess *guess_of(const char *col)
{
	for (size_t i = 0; i < sizeof(guesses) / sizeof(guesses[0]); i++)
		if (name_in(col, guesses[i].names))
			return &guesses[i];
	return NULL;
}

/* legacy_id's column: gdbh-like, else the key, else an id-like name, else
 * the first column with distinct, never-NULL values; -1 if none. */
static int legacy_col(struct itable *it, int *sure)
{
	*sure = 1;
	for (unsigned c = 0; c < it->ncols; c++)
		if (guess_of(it->dc.name[c]) && !strcmp(guess_of(it->dc.name[c])->field, "order_no"))
			return (int)c;
	if (it->t->key && dq_cols_find(&it->dc, it->t->key) >= 0)
		return dq_cols_find(&it->dc, it->t->key);
	for (unsigned c = 0; c < it->ncols; c++)
		if (name_in(it->dc.name[c], id_names))
			return (int)c;
	*sure = 0;
	for (unsigned c = 0; c < it->ncols; c++) {
		struct colprof *cp = &it->cp[c];

		if (!cp->nulls && !cp->empty && cp->values && cp->vs.n == cp->values && !dq_vset_full(&cp->vs))
			return (int)c;
	}
	return it->ncols ? 0 : -1;
}

static void guess_fields(struct itable *it)
{
	int sure, lc = legacy_col(it, &sure);
	char taken[WO_NFIELDS];

	memset(taken, 0, sizeof(taken));
	if (lc >= 0)
		it->cp[lc].guess[0] = "legacy_id";
	for (unsigned c = 0; c < it->ncols; c++) {
		const struct guess *g = guess_of(it->dc.name[c]);
		int uf = g ? schema_field_index(&schema_work_order, g->field) : -1;

		if (!g || uf < 0 || taken[uf])
			continue;
		taken[uf] = 1;
		it->cp[c].guess[it->cp[c].guess[0] ? 1 : 0] = g->field;
	}
}

/* ---- the model */

static json_t *jtext(const char *s)
{
	struct mg_buf b;
	struct mg_err e = {0};
	json_t *j;

	if (!s)
		return json_null();
	if (utf8_valid_prefix((const unsigned char *)s, strlen(s)) == strlen(s))
		return json_string(s);
	buf_init(&b, 0, "text");
	j = dq_esc(s, strlen(s), &b, &e) ? NULL : json_string(buf_cstr(&b));
	buf_release(&b);
	return j;
}

static json_t *detect_json(const struct detect_result *r)
{
	json_t *o = json_object(), *c = json_array();

	json_object_set_new(o, "verdict", json_string(detect_verdict_name(r->verdict)));
	json_object_set_new(o, "encoding", r->encoding ? (*r->encoding ? json_string(r->encoding) : json_string("ascii"))
						       : json_null());
	json_object_set_new(o, "summary", jtext(r->summary));
	json_object_set_new(o, "reason", jtext(r->reason));
	json_object_set_new(o, "weak", json_boolean(r->weak));
	json_object_set_new(o, "sampled", json_integer((json_int_t)r->values));
	json_object_set_new(o, "nonascii", json_integer((json_int_t)r->nonascii));
	json_object_set_new(o, "invalid_utf8", json_integer((json_int_t)r->invalid_utf8));
	if (r->with_nul || r->bom_le || r->bom_be)
		json_object_set_new(o, "utf16_signs", json_pack("{s:I,s:I,s:I,s:I,s:I}", "with_zero_bytes",
								(json_int_t)r->with_nul, "zero_at_even", (json_int_t)r->nul_even,
								"zero_at_odd", (json_int_t)r->nul_odd, "bom_le",
								(json_int_t)r->bom_le, "bom_be", (json_int_t)r->bom_be));
	if (r->verdict == DETECT_UTF8)
		json_object_set_new(o, "repairs", json_pack("{s:I,s:I,s:I,s:I}", "double_encoded", (json_int_t)r->double_encoded,
							    "gbk_as_latin1", (json_int_t)r->gbk_as_latin1, "gb18030_2005_pua",
							    (json_int_t)r->pua2005, "damaged", (json_int_t)r->damaged));
	for (int k = 0; k < DETECT_NCAND; k++) {
		const struct detect_cand *d = &r->cand[k];

		if (!d->tried)
			continue;
		json_array_append_new(c, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:s,s:f,s:I,s:b}", "encoding", d->encoding,
						   "decoded", (json_int_t)d->decoded, "failed", (json_int_t)d->failed,
						   "decoded_nonascii", (json_int_t)d->decoded_nonascii, "ideographs",
						   (json_int_t)d->hanzi, "common", (json_int_t)d->common, "common_list", d->list,
						   "common_percent", d->permille / 10.0, "private_use", (json_int_t)d->pua,
						   "eligible", d->eligible));
	}
	json_object_set_new(o, "candidates", c);
	return o;
}

/* Decode a kept value of column c for display: escaped and masked. */
static json_t *shown(struct itable *it, unsigned c, const unsigned char *p, size_t kept, size_t len, struct mg_err *e)
{
	struct mg_buf out;
	json_t *j = NULL;
	int d = it->dc.dec[c];

	buf_init(&out, 0, "value");
	/* a value kept in part may end inside a character: drop its first bytes */
	for (size_t cut = 0; kept < len && cut < 3 && kept > 1; cut++) {
		size_t bad;
		int r = 0;

		if (d >= 0 && !it->dc.d[d].passthrough) {
			r = decoder_run(&it->dc.d[d], p, kept, &out, &bad, e);
			buf_reset(&out);
			mg_err_clear(e);
		} else {
			r = utf8_valid_prefix(p, kept) != kept;
		}
		if (!r)
			break;
		kept--;
	}
	if (kept == len) {
		if (dq_cols_value(&it->dc, c, p, kept, DQ_CLIP, &out, e) == 0 && buf_grow(&out, 0, e) == 0)
			j = json_string(buf_cstr(&out));
	} else if (dq_cols_value(&it->dc, c, p, kept, SIZE_MAX, &out, e) == 0) {
		size_t cut = out.len < DQ_CLIP ? out.len : DQ_CLIP;

		while (cut && cut < out.len && (out.ptr[cut] & 0xC0) == 0x80)
			cut--;
		out.len = cut;
		if (buf_printf(&out, e, "… (%zu bytes)", len) == 0)
			j = json_string(buf_cstr(&out));
	}
	buf_release(&out);
	return j;
}

/* A date format's literals decoded with the column's encoding (for people
 * and for the draft): 0, or -1 if they do not decode. */
static int format_text(struct itable *it, unsigned c, const char *fmt, struct mg_buf *out, struct mg_err *e)
{
	int d = it->dc.dec[c];
	size_t bad;

	buf_reset(out);
	if (is_ascii((const unsigned char *)fmt, strlen(fmt)))
		return buf_addstr(out, fmt, e);
	if (d < 0 || it->dc.d[d].passthrough)
		return utf8_valid_prefix((const unsigned char *)fmt, strlen(fmt)) == strlen(fmt) ? buf_addstr(out, fmt, e) : -1;
	if (decoder_run(&it->dc.d[d], (const unsigned char *)fmt, strlen(fmt), out, &bad, e)) {
		mg_err_clear(e);
		return -1;
	}
	return buf_grow(out, 0, e);
}

static json_t *dates_json(struct ictx *x, struct itable *it, unsigned c, struct mg_err *e)
{
	struct colprof *cp = &it->cp[c];
	json_t *o = json_object(), *f = json_array();

	json_object_set_new(o, "values", json_integer((json_int_t)cp->dates.values));
	json_object_set_new(o, "readable", json_integer((json_int_t)dq_dates_readable(&cp->dates)));
	json_object_set_new(o, "not_date", json_integer((json_int_t)cp->dates.not_date));
	json_object_set_new(o, "other_format", json_integer((json_int_t)cp->dates.other_format));
	for (unsigned i = 0; i < cp->dates.n; i++) {
		const struct dq_datefmt *d = &cp->dates.f[i];
		json_t *y = json_object();

		json_object_set_new(y, "kind", json_string(d->kind == DQ_DATE_FORMAT ? "format" : d->fmt));
		if (d->kind == DQ_DATE_FORMAT) {
			if (format_text(it, c, d->fmt, &x->a, e) == 0)
				json_object_set_new(y, "format", json_string(buf_cstr(&x->a)));
			else
				json_object_set_new(y, "format", jtext(d->fmt));
		} else {
			json_object_set_new(y, "format", json_string(dq_datekind_name(d->kind)));
		}
		json_object_set_new(y, "count", json_integer((json_int_t)d->count));
		json_object_set_new(y, "ok", json_integer((json_int_t)d->ok));
		json_object_set_new(y, "zero", json_integer((json_int_t)d->zero));
		json_object_set_new(y, "invalid", json_integer((json_int_t)d->invalid));
		if (d->exlen)
			json_object_set_new(y, "example", shown(it, c, d->ex, d->exlen, d->exlen, e));
		if (d->badlen)
			json_object_set_new(y, "impossible", shown(it, c, d->bad, d->badlen, d->badlen, e));
		json_array_append_new(f, y);
	}
	json_object_set_new(o, "formats", f);
	return o;
}

static json_t *column_json(struct ictx *x, struct itable *it, unsigned c, struct mg_err *e)
{
	struct colprof *cp = &it->cp[c];
	json_t *o = json_object(), *s = json_array(), *g = json_array();
	unsigned idx[NTOP], n;

	json_object_set_new(o, "name", jtext(it->dc.name[c]));
	json_object_set_new(o, "nulls", json_integer((json_int_t)cp->nulls));
	json_object_set_new(o, "empty", json_integer((json_int_t)cp->empty));
	json_object_set_new(o, "values", json_integer((json_int_t)cp->values));
	json_object_set_new(o, "distinct", json_integer((json_int_t)cp->vs.n));
	json_object_set_new(o, "distinct_more", json_boolean(dq_vset_full(&cp->vs)));
	json_object_set_new(o, "min_bytes", json_integer((json_int_t)cp->minlen));
	json_object_set_new(o, "max_bytes", json_integer((json_int_t)cp->maxlen));
	json_object_set_new(o, "nonascii", json_integer((json_int_t)cp->nonascii));
	json_object_set_new(o, "mask", json_string(mask_kind_name(it->dc.kind[c])));
	json_object_set_new(o, "personal_by", cp->personal_by ? json_string(cp->personal_by) : json_null());
	json_object_set_new(o, "encoding", detect_json(&cp->dr));
	json_object_set_new(o, "decoded_as", cp->enc ? json_string(cp->enc) : json_null());
	json_object_set_new(o, "override", json_boolean(cp->override));
	if (cp->note[0])
		json_object_set_new(o, "note", jtext(cp->note));
	for (unsigned i = 0; i < cp->vs.n && i < NSAMPLES; i++)
		json_array_append_new(s, shown(it, c, dq_vset_bytes(&cp->vs, i), cp->vs.item[i].kept, cp->vs.item[i].len, e));
	json_object_set_new(o, "samples", s);
	if (!dq_vset_full(&cp->vs) && cp->vs.n && cp->vs.n <= LOW_CARDINALITY && cp->vs.n * 2 <= cp->vs.total) {
		json_t *top = json_array();
		uint64_t listed = 0;

		n = dq_vset_top(&cp->vs, idx, NTOP);
		for (unsigned i = 0; i < n; i++) {
			const struct dq_vitem *v = &cp->vs.item[idx[i]];

			listed += v->count;
			json_array_append_new(top, json_pack("{s:o,s:I}", "value",
							     shown(it, c, dq_vset_bytes(&cp->vs, idx[i]), v->kept, v->len, e),
							     "count", (json_int_t)v->count));
		}
		json_object_set_new(o, "top", top);
		json_object_set_new(o, "top_other", json_integer((json_int_t)(cp->vs.total - listed)));
	}
	if (cp->is_date || dq_dates_readable(&cp->dates))
		json_object_set_new(o, "dates", dates_json(x, it, c, e));
	json_object_set_new(o, "date_column", json_boolean(cp->is_date));
	for (int k = 0; k < 2; k++)
		if (cp->guess[k])
			json_array_append_new(g, json_string(cp->guess[k]));
	json_object_set_new(o, "guess", g);
	return o;
}

static json_t *table_json(struct ictx *x, struct itable *it, struct mg_err *e)
{
	json_t *o = json_object(), *cols, *xr, *enc;

	json_object_set_new(o, "name", jtext(it->t->name));
	if (it->error[0]) {
		json_object_set_new(o, "error", jtext(it->error));
		return o;
	}
	cols = json_array();
	xr = json_object();
	json_object_set_new(o, "rows", json_integer((json_int_t)it->rows));
	json_object_set_new(o, "driver_rejects", json_integer((json_int_t)it->xrej));
	for (unsigned i = 0; i < it->xreasons.n; i++) {
		struct mg_buf b;

		buf_init(&b, 0, "reason");
		if (dq_esc(dq_vset_bytes(&it->xreasons, i), it->xreasons.item[i].kept, &b, e) == 0 && buf_grow(&b, 0, e) == 0)
			json_object_set_new(xr, buf_cstr(&b), json_integer((json_int_t)it->xreasons.item[i].count));
		buf_release(&b);
	}
	json_object_set_new(o, "driver_reject_reasons", xr);
	if (it->header_encoding)
		json_object_set_new(o, "header_encoding", json_string(it->header_encoding));
	json_object_set_new(o, "declared", it->declared ? jtext(it->declared) : json_null());
	enc = detect_json(&it->pr);
	json_object_set_new(enc, "decision", it->encoding ? json_string(it->encoding) : json_null());
	json_object_set_new(enc, "basis", json_string(it->basis));
	json_object_set_new(o, "encoding", enc);
	for (unsigned c = 0; c < it->ncols; c++)
		json_array_append_new(cols, column_json(x, it, c, e));
	json_object_set_new(o, "columns", cols);
	return o;
}

/* ---- terminal */

static long long jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static void print_candidates(FILE *out, json_t *enc, const char *indent)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(enc, "candidates"), i, c)
		fprintf(out, "%s%-9s decodes %lld of %lld non-ASCII values%s; %lld ideographs, %.1f%% common (%s)%s\n", indent,
			jstr(c, "encoding"), jint(c, "decoded_nonascii"), jint(enc, "nonascii"),
			json_is_true(json_object_get(c, "eligible")) ? "" : " (not eligible: under 90%)", jint(c, "ideographs"),
			json_real_value(json_object_get(c, "common_percent")), jstr(c, "common_list"),
			jint(c, "private_use") ? ", private-use characters" : "");
}

/* s padded to w terminal columns (CJK characters take two) */
static void pad(FILE *out, const char *s, int w)
{
	int cols = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x80)
			cols++;
		else if ((*p & 0xC0) == 0xC0)
			cols += 2;
	fputs(s, out);
	while (cols++ < w)
		fputc(' ', out);
}

static void print_text(FILE *out, json_t *m)
{
	size_t i, k, q;
	json_t *t, *c, *y;

	fprintf(out, "migrate inspect: system %s (%s), source driver %s, playbook %s\n", jstr(m, "system"),
		jstr(m, "system_name"), jstr(m, "driver"), jstr(m, "playbook"));
	fputs("raw bytes as the source driver hands them over; personal data masked\n", out);
	json_array_foreach(json_object_get(m, "tables"), i, t) {
		json_t *enc = json_object_get(t, "encoding");

		fprintf(out, "\ntable %s", jstr(t, "name"));
		if (json_object_get(t, "error")) {
			fprintf(out, ": cannot be read: %s\n", jstr(t, "error"));
			continue;
		}
		fprintf(out, ": %lld rows%s, %zu columns, %lld records the driver could not read\n", jint(t, "rows"),
			json_integer_value(json_object_get(m, "rows_limit")) ? " (--rows)" : "",
			json_array_size(json_object_get(t, "columns")), jint(t, "driver_rejects"));
		fprintf(out, "  encoding: %s", json_is_string(json_object_get(enc, "decision")) ? jstr(enc, "decision")
											 : "UNDECIDED");
		fprintf(out, "  (%s)\n", jstr(enc, "basis"));
		if (jint(enc, "nonascii")) {
			fprintf(out, "    why: %s\n", jstr(enc, "reason"));
			print_candidates(out, enc, "      ");
		}
		if (jint(t, "driver_rejects")) {
			const char *key;
			json_t *v;

			fputs("  records the driver could not read, by reason:", out);
			json_object_foreach(json_object_get(t, "driver_reject_reasons"), key, v)
				fprintf(out, " %s %lld;", key, (long long)json_integer_value(v));
			fputs(" (migrate peek shows them)\n", out);
			if (!json_is_string(json_object_get(t, "declared")) && json_is_string(json_object_get(enc, "decision")) &&
			    strncmp(jstr(enc, "decision"), "utf", 3))
				fprintf(out, "    note: the file was split without knowing its encoding; if its delimiter or quote can"
					" be the second byte of a %s character (| \\ ^ ~ @, letters, digits), declare encoding: %s"
					" and inspect again\n", jstr(enc, "decision"), jstr(enc, "decision"));
		}
		if (json_is_string(json_object_get(t, "declared")) && json_is_string(json_object_get(enc, "decision")) &&
		    strcmp(jstr(t, "declared"), jstr(enc, "decision")))
			fprintf(out, "    note: the playbook declares %s\n", jstr(t, "declared"));
		if (json_object_get(t, "header_encoding"))
			fprintf(out, "    note: the header line is not UTF-8; column names read as %s\n",
				jstr(t, "header_encoding"));
		fprintf(out, "  %-16s %8s %8s %9s %11s  %-10s %s\n", "column", "NULL", "empty", "distinct", "bytes",
			"encoding", "guessed field");
		json_array_foreach(json_object_get(t, "columns"), k, c) {
			char d[32], len[32], g[64] = "";
			json_t *ce = json_object_get(c, "encoding");

			snprintf(d, sizeof(d), "%lld%s", jint(c, "distinct"), json_is_true(json_object_get(c, "distinct_more")) ? "+" : "");
			snprintf(len, sizeof(len), "%lld..%lld", jint(c, "min_bytes"), jint(c, "max_bytes"));
			json_array_foreach(json_object_get(c, "guess"), q, y)
				snprintf(g + strlen(g), sizeof(g) - strlen(g), "%s%s", q ? ", " : "", json_string_value(y));
			fputs("  ", out);
			pad(out, jstr(c, "name"), 16);
			fprintf(out, " %8lld %8lld %9s %11s  %-10s %s\n", jint(c, "nulls"), jint(c, "empty"), d,
				len, json_is_string(json_object_get(ce, "encoding")) ? jstr(ce, "encoding") : "undecided",
				*g ? g : "-");
		}
		json_array_foreach(json_object_get(t, "columns"), k, c) {
			json_t *ce = json_object_get(c, "encoding"), *dt = json_object_get(c, "dates");

			fprintf(out, "\n  column %s", jstr(c, "name"));
			if (strcmp(jstr(c, "mask"), "scan"))
				fprintf(out, "  [personal (%s): shown masked as %s]", jstr(c, "personal_by"), jstr(c, "mask"));
			fputc('\n', out);
			fprintf(out, "    encoding: %s: %s\n", jstr(ce, "summary"), jstr(ce, "reason"));
			if (jint(ce, "nonascii") && json_array_size(json_object_get(ce, "candidates")) > 1)
				print_candidates(out, ce, "      ");
			if (json_object_get(c, "note"))
				fprintf(out, "    read as the table's encoding: %s\n", jstr(c, "note"));
			if (json_is_true(json_object_get(c, "override")))
				fprintf(out, "    differs from the table: the draft declares it in encodings: %s\n", jstr(c, "decoded_as"));
			if (json_array_size(json_object_get(c, "samples"))) {
				fputs("    samples:", out);
				json_array_foreach(json_object_get(c, "samples"), q, y)
					fprintf(out, " \"%s\"", json_string_value(y));
				fputc('\n', out);
			}
			if (json_object_get(c, "top")) {
				fputs("    values:", out);
				json_array_foreach(json_object_get(c, "top"), q, y)
					fprintf(out, " \"%s\" %lld;", jstr(y, "value"), jint(y, "count"));
				if (jint(c, "top_other"))
					fprintf(out, " others %lld", jint(c, "top_other"));
				fputc('\n', out);
			}
			if (dt) {
				fprintf(out, "    dates: %lld of %lld values read as dates%s\n", jint(dt, "readable"), jint(dt, "values"),
					json_is_true(json_object_get(c, "date_column")) ? ""
					: " (not a date column: too few, or numbers that may be dates; if they are, convert them at the source)");
				json_array_foreach(json_object_get(dt, "formats"), q, y) {
					fprintf(out, "      %-24s %lld values", jstr(y, "format"), jint(y, "count"));
					if (jint(y, "zero"))
						fprintf(out, ", %lld all-zero", jint(y, "zero"));
					if (jint(y, "invalid"))
						fprintf(out, ", %lld impossible (e.g. \"%s\")", jint(y, "invalid"), jstr(y, "impossible"));
					if (json_object_get(y, "example"))
						fprintf(out, "; e.g. \"%s\"", jstr(y, "example"));
					fputc('\n', out);
				}
				if (jint(dt, "not_date"))
					fprintf(out, "      %lld values have no date shape\n", jint(dt, "not_date"));
			}
		}
	}
}

/* ---- the draft playbook */

static int plain_ok(const char *s)
{
	static const char *const reserved[] = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"};
	size_t n = strlen(s);
	int digits = 1;

	if (!n || strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]) || s[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcasecmp(s, reserved[i]))
			return 0;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7F || strchr(",[]{}#\"'\\", c) || (c == ':' && (p[1] == ' ' || !p[1])))
			return 0;
		if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
			digits = 0;
	}
	return !digits;
}

static int y_scalar(struct mg_buf *o, const char *s, struct mg_err *e)
{
	if (plain_ok(s))
		return buf_addstr(o, s, e);
	if (buf_addc(o, '"', e))
		return -1;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int rc = *p == '"' || *p == '\\' ? buf_printf(o, e, "\\%c", *p)
			 : *p < 0x20 || *p == 0x7F ? buf_printf(o, e, "\\x%02X", *p) : buf_addc(o, *p, e);

		if (rc)
			return -1;
	}
	return buf_addc(o, '"', e);
}

static int y_flow(struct playbook *pb, struct mg_buf *o, yaml_node_t *n, struct mg_err *e)
{
	if (!n)
		return buf_addstr(o, "\"\"", e);
	if (n->type == YAML_SCALAR_NODE)
		return y_scalar(o, pb_scalar(n), e);
	if (n->type == YAML_SEQUENCE_NODE) {
		if (buf_addc(o, '[', e))
			return -1;
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			if ((it > n->data.sequence.items.start && buf_addstr(o, ", ", e)) || y_flow(pb, o, pb_node(pb, *it), e))
				return -1;
		return buf_addc(o, ']', e);
	}
	if (buf_addc(o, '{', e))
		return -1;
	for (yaml_node_pair_t *p = pb_pairs_begin(n); p && p < pb_pairs_end(n); p++)
		if ((p > pb_pairs_begin(n) && buf_addstr(o, ", ", e)) || y_flow(pb, o, pb_node(pb, p->key), e) ||
		    buf_addstr(o, ": ", e) || y_flow(pb, o, pb_node(pb, p->value), e))
			return -1;
	return buf_addc(o, '}', e);
}

/* The pairs of a mapping as block lines at indent, except keys in skip. */
static int y_pairs(struct playbook *pb, struct mg_buf *o, yaml_node_t *map, int indent, const char *const *skip,
		   struct mg_err *e)
{
	for (yaml_node_pair_t *p = pb_pairs_begin(map); p && p < pb_pairs_end(map); p++) {
		const char *k = pb_scalar(pb_node(pb, p->key));
		yaml_node_t *v = pb_node(pb, p->value);
		int skipped = 0;

		for (const char *const *s = skip; s && *s && !skipped; s++)
			skipped = k && !strcmp(k, *s);
		if (skipped || !k)
			continue;
		if (buf_printf(o, e, "%*s", indent, "") || y_scalar(o, k, e) || buf_addc(o, ':', e))
			return -1;
		if (v && v->type == YAML_MAPPING_NODE) {
			if (buf_addc(o, '\n', e) || y_pairs(pb, o, v, indent + 2, NULL, e))
				return -1;
			continue;
		}
		if (buf_addc(o, ' ', e) || y_flow(pb, o, v, e) || buf_addc(o, '\n', e))
			return -1;
	}
	return 0;
}

/* A comment's text on one line, escaped and masked. */
static int y_comment(struct mg_buf *o, const char *s, struct mg_err *e)
{
	struct mg_buf t;
	int rc;

	buf_init(&t, 0, "comment");
	rc = dq_esc(s, strlen(s), &t, e) || mask_scan(buf_cstr(&t), t.len, o, e) ? -1 : 0;
	buf_release(&t);
	return rc;
}

/* "CG01 (412), CG02 (300), ..." for a comment: the most frequent values. */
static int codes_seen(struct itable *it, unsigned c, struct mg_buf *o, struct mg_err *e)
{
	struct colprof *cp = &it->cp[c];
	unsigned idx[NTOP], n = dq_vset_top(&cp->vs, idx, NTOP);
	struct mg_buf v;
	int rc = 0;

	buf_init(&v, 0, "value");
	for (unsigned i = 0; i < n && !rc; i++) {
		buf_reset(&v);
		rc = dq_cols_value(&it->dc, c, dq_vset_bytes(&cp->vs, idx[i]), cp->vs.item[idx[i]].kept, 40, &v, e) ||
		     buf_printf(o, e, "%s%s (%llu)", i ? ", " : "", buf_cstr(&v), (unsigned long long)cp->vs.item[idx[i]].count);
	}
	if (!rc && (cp->vs.n > n || dq_vset_full(&cp->vs)))
		rc = buf_printf(o, e, ", ... %s%u distinct", dq_vset_full(&cp->vs) ? "over " : "", cp->vs.n);
	buf_release(&v);
	return rc ? -1 : 0;
}

static const char *const table_own_keys[] = {"name", "encoding", "encodings", "fields", "dates", NULL};

static int draft_field(struct ictx *x, struct itable *it, unsigned c, const char *field, struct mg_buf *o,
		       int *zero_dates, struct mg_err *e)
{
	struct colprof *cp = &it->cp[c];
	const struct guess *g = guess_of(it->dc.name[c]);
	const char *type = !strcmp(field, "legacy_id") || !g ? "text" : g->type;
	const char *col = it->dc.name[c];
	char note[160];

	snprintf(note, sizeof(note), "  # guessed from the column name");
	if (!strcmp(field, "legacy_id") && !guess_of(col) && !name_in(col, id_names))
		snprintf(note, sizeof(note), "  # guessed: %s", it->t->key && !strcmp(it->t->key, col) ? "the table's key"
								: "a column whose values are all distinct");
	if (!strcmp(type, "datetime")) {
		unsigned nf = 0;
		unsigned char used[DQ_MAX_DATEFMT];

		if (!cp->is_date) {
			/* Excel serials and epoch times: the datetime transform reads
			 * them (formats excel1900, excel1904, epoch, epoch_ms) */
			for (unsigned i = 0; i < cp->dates.n; i++) {
				const struct dq_datefmt *d = &cp->dates.f[i];
				const char *fk = d->kind == DQ_DATE_EXCEL ? "excel1900" : d->kind == DQ_DATE_EPOCH ? "epoch"
						 : d->kind == DQ_DATE_EPOCH_MS ? "epoch_ms" : NULL;

				if (!fk || d->count * 2 < cp->dates.values)
					continue;
				if (buf_printf(o, e, "      %s: {column: ", field) || y_scalar(o, col, e) ||
				    buf_printf(o, e, ", type: datetime, formats: [%s]}  # %s%s; %s\n", fk, dq_datekind_name(d->kind),
					       d->kind == DQ_DATE_EXCEL ? "s of the 1900 system (a workbook of the 1904 system: excel1904)"
									: "", note + strspn(note, " #")))
					return -1;
				return 0;
			}
			if (buf_printf(o, e, "      # %s: {column: ", field) || y_scalar(o, col, e) ||
			    buf_addstr(o, ", type: datetime}  # TODO: guessed from the column name, but its values are not"
				       " dates in a format inspect knows", e))
				return -1;
			for (unsigned i = 0; i < cp->dates.n; i++)
				if (cp->dates.f[i].kind != DQ_DATE_FORMAT &&
				    buf_printf(o, e, "; they are %s", dq_datekind_name(cp->dates.f[i].kind)))
					return -1;
			return buf_addc(o, '\n', e);
		}
		if (buf_printf(o, e, "      %s: {column: ", field) || y_scalar(o, col, e) ||
		    buf_addstr(o, ", type: datetime, formats: [", e))
			return -1;
		/* the formats that read, most frequent first (the list is in order seen) */
		memset(used, 0, sizeof(used));
		for (unsigned pass = 0; pass < cp->dates.n && nf < 8; pass++) {
			const struct dq_datefmt *best = NULL;

			for (unsigned i = 0; i < cp->dates.n; i++) {
				const struct dq_datefmt *d = &cp->dates.f[i];

				if (d->kind != DQ_DATE_FORMAT || d->ok + d->zero == 0 || used[i])
					continue;
				if (!best || d->ok + d->zero > best->ok + best->zero)
					best = d;
			}
			if (!best)
				break;
			if (format_text(it, c, best->fmt, &x->a, e) == 0) {
				if ((nf && buf_addstr(o, ", ", e)) || y_scalar(o, buf_cstr(&x->a), e))
					return -1;
				nf++;
			}
			if (best->zero)
				*zero_dates = 1;
			used[best - cp->dates.f] = 1;
		}
		return buf_printf(o, e, "]}%s\n", note);
	}
	if (!strcmp(type, "category")) {
		int tc = -1;

		for (unsigned k = 0; k < it->ncols && tc < 0; k++)
			if (name_in(it->dc.name[k], cat_text_names))
				tc = (int)k;
		if (buf_printf(o, e, "      # TODO: category_code needs a mapping table (CSV: legacy_code,unified_code) of the"
			       " codes of column %s:\n      #   ", col) || codes_seen(it, c, o, e) ||
		    buf_addstr(o, "\n      # category_code: {column: ", e) || y_scalar(o, col, e) ||
		    buf_addstr(o, ", type: category, table: categories.csv", e) ||
		    (tc >= 0 && (buf_addstr(o, ", text_column: ", e) || y_scalar(o, it->dc.name[tc], e))) ||
		    buf_addstr(o, ", unmapped: default, default: \"1299\"}\n", e))
			return -1;
		return 0;
	}
	if (!strcmp(type, "code")) {
		if (buf_printf(o, e, "      %s: ", field) || y_scalar(o, col, e) ||
		    buf_printf(o, e, "%s; TODO: map the codes with {column: %s, type: code, table: %s.csv}: ", note, col, field) ||
		    codes_seen(it, c, o, e) || buf_addc(o, '\n', e))
			return -1;
		return 0;
	}
	if (!strcmp(type, "phone") || !strcmp(type, "idno")) {
		if (buf_printf(o, e, "      %s: {column: ", field) || y_scalar(o, col, e) ||
		    buf_printf(o, e, ", type: %s}%s\n", type, note))
			return -1;
		return 0;
	}
	if (buf_printf(o, e, "      %s: ", field) || y_scalar(o, col, e) || buf_printf(o, e, "%s\n", note))
		return -1;
	return 0;
}

static int draft_table(struct ictx *x, struct itable *it, struct mg_buf *o, struct mg_err *e)
{
	struct mg_buf f, unmapped;
	int zero = 0, rc = -1, noverride = 0;
	const char *target = it->t->target ? it->t->target : "work_order";
	int wo = !strcmp(target, "work_order");

	if (it->error[0]) {
		if (buf_addstr(o, "  # TODO: table ", e) || y_comment(o, it->t->name, e) ||
		    buf_addstr(o, " could not be read by inspect: ", e) || y_comment(o, it->error, e) || buf_addc(o, '\n', e))
			return -1;
		return 0;
	}
	buf_init(&f, 0, "draft");
	buf_init(&unmapped, 0, "draft");
	if (buf_addstr(o, "  - name: ", e) || y_scalar(o, it->t->name, e) || buf_addc(o, '\n', e) ||
	    y_pairs(x->pb, o, it->t->node, 4, table_own_keys, e))
		goto out;
	if (it->encoding) {
		if (buf_addstr(o, "    encoding: ", e) || y_scalar(o, it->encoding, e) || buf_addstr(o, "  # decided: ", e) ||
		    y_comment(o, it->pr.encoding && *it->pr.encoding ? it->pr.reason : it->basis, e) || buf_addc(o, '\n', e))
			goto out;
	} else if (buf_addstr(o, "    encoding: utf-8  # TODO: undecided: ", e) || y_comment(o, it->pr.reason, e) ||
		   buf_addc(o, '\n', e)) {
		goto out;
	}
	for (unsigned c = 0; c < it->ncols; c++) {
		if (!it->cp[c].override)
			continue;
		if ((!noverride++ && buf_addstr(o, "    encodings:  # columns in another encoding than the table's\n", e)) ||
		    buf_addstr(o, "      ", e) || y_scalar(o, it->dc.name[c], e) || buf_addstr(o, ": ", e) ||
		    y_scalar(o, it->cp[c].enc, e) || buf_addstr(o, "  # ", e) || y_comment(o, it->cp[c].dr.reason, e) ||
		    buf_addc(o, '\n', e))
			goto out;
	}
	for (unsigned c = 0; c < it->ncols; c++) {
		if (!decided(&it->cp[c].dr) && it->cp[c].dr.verdict == DETECT_UNDECIDED && it->cp[c].nonascii &&
		    (buf_addstr(o, "    # note: column ", e) || y_comment(o, it->dc.name[c], e) ||
		     buf_addstr(o, " is undecided on its own: ", e) || y_comment(o, it->cp[c].note, e) || buf_addc(o, '\n', e)))
			goto out;
	}
	if (!strcmp(target, "raw")) {
		/* a raw landing takes every column as it is: no fields */
		rc = buf_addstr(o, "    # target raw: every column is landed as it is; no fields\n", e) ? -1 : 0;
		goto out;
	}
	/* fields: legacy_id first, then the guesses in column order (the
	 * guesses are work_order fields: for another target, only named) */
	for (int pass = 0; pass < 2; pass++)
		for (unsigned c = 0; c < it->ncols; c++)
			for (int k = 0; k < 2; k++) {
				const char *g = it->cp[c].guess[k];

				if (!g || (pass == 0) != !strcmp(g, "legacy_id"))
					continue;
				if (pass && !wo) {
					if (buf_addstr(&f, "      # TODO: ", e) || y_comment(&f, it->dc.name[c], e) ||
					    buf_printf(&f, e, " looks like work_order's %s; map it to a field of %s\n", g, target))
						goto out;
					continue;
				}
				if (draft_field(x, it, c, g, &f, &zero, e))
					goto out;
			}
	for (unsigned c = 0; c < it->ncols; c++)
		if (!it->cp[c].guess[0] &&
		    (buf_addstr(&unmapped, unmapped.len ? ", " : "", e) || y_comment(&unmapped, it->dc.name[c], e)))
			goto out;
	if (zero && buf_addstr(o, "    dates:  # all-zero dates (0000-00-00) were seen: null loads them as NULL (fix"
			       " zero_date); impossible dates are rejected\n      zero: null\n      invalid: reject\n", e))
		goto out;
	if (buf_addstr(o, "    fields:\n", e) || (wo && x->pb->system.hotline &&
	    (buf_addstr(o, "      dialled_number: {value: ", e) || y_scalar(o, x->pb->system.hotline, e) ||
	     buf_addstr(o, "}  # guessed: the system's hotline\n", e))) ||
	    buf_add(o, f.ptr ? f.ptr : (const unsigned char *)"", f.len, e))
		goto out;
	if (unmapped.len && (buf_addstr(o, "      # not mapped (kept in the raw legacy record): ", e) ||
			     buf_add(o, unmapped.ptr, unmapped.len, e) || buf_addc(o, '\n', e)))
		goto out;
	rc = 0;
out:
	buf_release(&f);
	buf_release(&unmapped);
	return rc;
}

static int write_draft(struct ictx *x, const char *path, struct mg_err *e)
{
	static const char *const nothing[] = {NULL};
	yaml_node_t *root = yaml_document_get_root_node(&x->pb->doc);
	struct mg_buf o;
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	FILE *f = NULL;
	int rc = -1;

	buf_init(&o, 0, "draft");
	if (!tmp)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	if (buf_addstr(&o, "# Draft playbook written by `migrate inspect` from ", e) || y_comment(&o, x->pb->path, e) ||
	    buf_addstr(&o, ".\n# Every guess is marked: check each, add mapping tables where it says TODO, then run\n"
			   "# `migrate check` and `migrate validate` (docs/data-quality.md).\n", e) ||
	    buf_addstr(&o, "system:\n", e) || y_pairs(x->pb, &o, pb_get(x->pb, root, "system"), 2, nothing, e) ||
	    buf_addstr(&o, "source:\n", e) || y_pairs(x->pb, &o, x->pb->source, 2, nothing, e) ||
	    buf_addstr(&o, "tables:\n", e))
		goto out;
	for (unsigned i = 0; i < x->nt; i++)
		if (draft_table(x, &x->it[i], &o, e))
			goto out;
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "w"))) {
		mg_err_set(e, MG_E_IO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (fwrite(o.ptr, 1, o.len, f) != o.len || ferror(f) | fclose(f)) {
		f = NULL;
		mg_err_set(e, MG_E_IO, "cannot write '%s': %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	f = NULL;
	if (rename(tmp, path)) {
		mg_err_set(e, MG_E_IO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	if (f) {
		fclose(f);
		unlink(tmp);
	}
	free(tmp);
	buf_release(&o);
	return rc;
}

/* ---- one table */

static int inspect_table(struct ictx *x, struct itable *it, struct mg_err *e)
{
	const struct source_driver *drv = source_driver_find(x->pb->driver);
	struct source *src = NULL;
	struct mg_columns cols;
	struct mg_batch b;
	int have_b = 0, rc = -1;
	unsigned long long taken = 0;
	unsigned alloc_rows = it->t->batch_rows;
	size_t per_col;

	memset(&cols, 0, sizeof(cols));
	dq_vset_init(&it->xreasons, 64, 64);
	/* drivers hand over raw bytes whatever is declared; a declared encoding
	 * only tells a file driver how to read its header and split characters */
	it->declared = it->t->encoding;
	if (!drv)
		return mg_err_set(e, MG_E_CONFIG, "support for source driver '%s' is not compiled in", x->pb->driver);
	if (start_table(x, it, drv, &src, &cols, e))
		goto unreadable;
	if (dq_cols_init(&it->dc, &cols, e))
		goto out;
	it->have_dc = 1;
	it->ncols = it->dc.n;
	it->cp = calloc(it->ncols ? it->ncols : 1, sizeof(*it->cp));
	if (!it->cp) {
		mg_err_set(e, MG_E_NOMEM, "out of memory");
		goto out;
	}
	per_col = it->ncols ? (32u << 20) / it->ncols : (1u << 20);
	per_col = per_col < (64u << 10) ? (64u << 10) : per_col > (1u << 20) ? (1u << 20) : per_col;
	for (unsigned c = 0; c < it->ncols; c++) {
		dq_vset_init(&it->cp[c].vs, DQ_DISTINCT_CAP, KEEP_BYTES);
		detect_init(&it->cp[c].det, 0, per_col);
	}
	detect_init(&it->pooled, 0, 0);
	it->have_pooled = 1;
	if (it->ncols) {
		if (batch_init(&b, it->ncols, alloc_rows, it->t->max_field_bytes, e))
			goto out;
		have_b = 1;
	}
	while (have_b && (!x->limit || taken < x->limit)) {
		int r;

		batch_reset(&b);
		b.max_rows = alloc_rows;
		if (x->limit && x->limit - taken < alloc_rows)
			b.max_rows = (unsigned)(x->limit - taken);
		r = drv->next_batch(src, &b, e);
		if (r == MG_ERR)
			goto unreadable;
		if (r == MG_DONE)
			break;
		taken += b.nrows + b.nxrej;
		if (profile_batch(it, &b, e))
			goto out;
	}
	/* decisions */
	for (unsigned c = 0; c < it->ncols; c++)
		if (detect_decide(&it->cp[c].det, &it->cp[c].dr, e))
			goto out;
	if (detect_decide(&it->pooled, &it->pr, e))
		goto out;
	decide_table(it);
	reread_names(x, it, drv);
	for (unsigned c = 0; c < it->ncols; c++) {
		struct colprof *cp = &it->cp[c];
		uint64_t readable;

		if (cp->dr.verdict == DETECT_ASCII)
			snprintf(cp->dr.reason, sizeof(cp->dr.reason), "all %llu non-empty values are ASCII: any declared"
				 " encoding reads them the same", (unsigned long long)(cp->values - cp->empty));
		for (int k = 0; k < DETECT_NCAND && cp->dr.verdict == DETECT_UNDECIDED && it->encoding; k++)
			if (cp->dr.cand[k].tried && !strcmp(cp->dr.cand[k].encoding, it->encoding))
				snprintf(cp->note, sizeof(cp->note), "%zu ideographs to judge by; the table's %s decodes %zu of"
					 " its %zu non-ASCII values", cp->dr.cand[k].hanzi, it->encoding,
					 cp->dr.cand[k].decoded_nonascii, cp->dr.nonascii);
		if (cp->dr.verdict == DETECT_UNDECIDED && !cp->note[0])
			snprintf(cp->note, sizeof(cp->note), "%s", cp->dr.reason);

		if (dq_cols_encoding(&it->dc, (int)c, cp->enc, e))
			goto out;
		/* a date column: half its values read with a date format (Excel
		 * serial numbers and epoch seconds may be plain numbers: shown, but
		 * they make no date column) */
		readable = 0;
		for (unsigned k = 0; k < cp->dates.n; k++)
			if (cp->dates.f[k].kind == DQ_DATE_FORMAT)
				readable += cp->dates.f[k].ok + cp->dates.f[k].zero;
		cp->is_date = readable && readable * 2 >= cp->dates.values;
		if (dq_kind_personal(it->dc.kind[c]))
			cp->personal_by = "name";
		else if (personal_values(it, c, e))
			cp->personal_by = "values";
	}
	guess_fields(it);
	rc = 0;
	goto out;
unreadable:
	/* the table is reported as unreadable; the others go on */
	snprintf(it->error, sizeof(it->error), "%s", e->msg[0] ? e->msg : "unknown error");
	mg_err_clear(e);
	rc = 0;
out:
	if (have_b)
		batch_release(&b);
	if (src)
		drv->close(src);
	return rc;
}

static void table_release(struct itable *it)
{
	for (unsigned c = 0; it->cp && c < it->ncols; c++) {
		dq_vset_release(&it->cp[c].vs);
		detect_release(&it->cp[c].det);
	}
	free(it->cp);
	if (it->have_pooled)
		detect_release(&it->pooled);
	if (it->have_dc)
		dq_cols_release(&it->dc);
	dq_vset_release(&it->xreasons);
}

static int parse_rows(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return *end || errno || *out == 0 ? -1 : 0;
}

int cmd_inspect(int argc, char **argv)
{
	const char *path = NULL, *draft = NULL;
	int json = 0, rc = EXIT_FAILED, unreadable = 0;
	struct ictx x;
	struct mg_err e = {0};
	json_t *m = NULL, *tables;

	memset(&x, 0, sizeof(x));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rows")) {
			if (i + 1 >= argc || parse_rows(argv[i + 1], &x.limit))
				return usage_error("inspect", "--rows needs a number of rows above 0");
			i++;
		} else if (!strcmp(argv[i], "--draft")) {
			if (i + 1 >= argc || !*argv[i + 1])
				return usage_error("inspect", "--draft needs a file name");
			draft = argv[++i];
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (argv[i][0] == '-' || path) {
			return usage_error("inspect", "unexpected argument '%s'", argv[i]);
		} else {
			path = argv[i];
		}
	}
	if (!path)
		return usage_error("inspect", "name a playbook");
	buf_init(&x.a, 0, "value");
	if (playbook_load(&x.pb, path, &e)) {
		if (!x.pb || !only_tolerated(x.pb)) {
			if (x.pb && x.pb->ndiags > 1)
				fputs(buf_cstr(&x.pb->diags), stderr);
			goto out;
		}
		mg_err_clear(&e);
	}
	x.it = calloc(x.pb->ntables, sizeof(*x.it));
	if (!x.it) {
		mg_err_set(&e, MG_E_NOMEM, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < x.pb->ntables; i++) {
		x.it[i].t = &x.pb->tables[i];
		x.nt = i + 1;
		if (inspect_table(&x, &x.it[i], &e)) {
			mg_err_prefix(&e, "table '%s'", x.it[i].t->name);
			goto out;
		}
		unreadable += x.it[i].error[0] != 0;
	}
	m = json_object();
	tables = json_array();
	json_object_set_new(m, "command", json_string("inspect"));
	json_object_set_new(m, "playbook", jtext(x.pb->path));
	json_object_set_new(m, "system", jtext(x.pb->system.code));
	json_object_set_new(m, "system_name", jtext(x.pb->system.name));
	json_object_set_new(m, "driver", jtext(x.pb->driver));
	json_object_set_new(m, "rows_limit", x.limit ? json_integer((json_int_t)x.limit) : json_null());
	for (unsigned i = 0; i < x.nt; i++)
		json_array_append_new(tables, table_json(&x, &x.it[i], &e));
	json_object_set_new(m, "tables", tables);
	json_object_set_new(m, "draft", draft ? jtext(draft) : json_null());
	if (mg_err_isset(&e))
		goto out;
	if (json) {
		if (json_dumpf(m, stdout, JSON_INDENT(2)) || fputc('\n', stdout) == EOF) {
			mg_err_set(&e, MG_E_IO, "cannot write the JSON output");
			goto out;
		}
	} else {
		print_text(stdout, m);
	}
	if (draft) {
		if (write_draft(&x, draft, &e))
			goto out;
		if (!json)
			printf("\nwrote the draft playbook %s: check every line marked 'guessed' or 'TODO'\n", draft);
	}
	if (fflush(stdout)) {
		mg_err_set(&e, MG_E_IO, "cannot write the output: %s", strerror(errno));
		goto out;
	}
	if (unreadable) {
		fprintf(stderr, "migrate: error: %d table%s could not be read (see above)\n", unreadable, unreadable == 1 ? "" : "s");
		rc = EXIT_FAILED;
		goto done;
	}
	rc = EXIT_OK;
out:
	if (rc == EXIT_FAILED)
		rc = die_err(&e);
done:
	json_decref(m);
	for (unsigned i = 0; i < x.nt; i++)
		table_release(&x.it[i]);
	free(x.it);
	playbook_free(x.pb);
	buf_release(&x.a);
	return rc;
}
