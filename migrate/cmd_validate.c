/* migrate validate PLAYBOOK [--rows N] [--json] [--html FILE]: for
 * department IT checking their data before cutover. Every table of the
 * playbook goes through its source driver and the transform (plan_apply)
 * exactly as `migrate run` would take it, but nothing is loaded and no store
 * is needed. Reported, per table: the counts of the extract, decode and
 * transform stages, every reject reason with its count and up to
 * DQ_MAX_EXAMPLES example records (personal data masked), the fixes, a few
 * values of every mapped field before and after the transform, and the
 * coverage of category and code mapping tables. Output: a summary on the
 * terminal, the same as JSON (--json), and one self-contained HTML page
 * (--html FILE). Exit 0: nothing rejected; 3: records would be rejected;
 * 1: an error; 2: usage. Memory is bounded: batches stream and every
 * collection is capped (migrate/dq.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extractors/extractor.h"
#include "migrate/bloom.h"
#include "migrate/builtin.h"
#include "migrate/copyfmt.h"
#include "migrate/dq.h"
#include "migrate/hash.h"
#include "transform/codemap.h"
#include "transform/plan.h"
#include "transform/rules.h"

#define MAX_FIELDS 64
#define SAMPLES_CHANGED 3        /* samples per field whose value the transform changed */
#define SAMPLES_SAME 2           /* ... and whose value it kept */
#define SAMPLE_ROWS 20000        /* samples are looked for in the first rows of a table */
#define COVERAGE_CAP 1000        /* distinct (legacy, unified) pairs per mapped field */
#define BLOOM_BYTES (8u << 20)   /* repeated legacy ids: 1 in 5,000 false positives at 1M ids */

struct sample {
	char *before, *after;        /* rendered and masked; NULL = SQL NULL */
	int changed;
};

struct vfield {
	const char *field;           /* unified field */
	int uf;
	const char *column;          /* legacy column; NULL for a constant */
	const char *value;           /* a constant */
	int col;
	const char *type;
	enum mask_kind kind;
	struct sample s[SAMPLES_CHANGED + SAMPLES_SAME];
	unsigned ns, nchanged, nsame;
	/* coverage of a mapping table (type category or code) */
	const char *table;
	struct codemap *map;
	struct dq_vset pairs;        /* key: 'N' | 'V' legacy, '\0', 'N' | 'V' unified */
	int have_pairs;
	const char *dflt;            /* category: the default code */
	int text_col;                /* category: the text_column, or -1 */
	struct dq_vset texts;        /* category with text_column: legacy text '\0' legacy code */
	int have_texts;
	uint64_t records, unmapped;
};

struct vtable {
	const struct pb_table *t;
	const char *target;
	unsigned ncols;
	struct mg_ledger l;
	struct dq_rejects rj;
	struct vfield f[MAX_FIELDS];
	unsigned nf;
	uint64_t repeated;
	int unified;                 /* a unified target (not raw) */
	uint64_t rows_seen;          /* transformed rows looked at for samples */
	char stop[1024];             /* a reject threshold a run would stop at (transform/rules.h) */
	uint64_t stop_at;            /* ... after this many records of the table */
	char cov[1024];              /* a coverage threshold the table fails */
};

struct vctx {
	struct playbook *pb;
	unsigned long long limit;
	struct vtable *vt;
	unsigned nt;
	struct rules_gate gate;      /* the thresholds, evaluated as a run does */
	struct rules_limits limits;  /* --threshold: the run's */
	int have_limits;
	struct mg_buf a, b;          /* scratch */
};

/* ---- fields of the playbook */

static void field_release(struct vfield *f)
{
	for (unsigned i = 0; i < f->ns; i++) {
		free(f->s[i].before);
		free(f->s[i].after);
	}
	codemap_free(f->map);
	if (f->have_pairs)
		dq_vset_release(&f->pairs);
	if (f->have_texts)
		dq_vset_release(&f->texts);
}

static int fields_setup(struct vctx *v, struct vtable *vt, struct dq_cols *dc, const struct mg_utable *ut,
			struct mg_err *e)
{
	const struct pb_table *t = vt->t;

	for (yaml_node_pair_t *q = pb_pairs_begin(t->fields); q && q < pb_pairs_end(t->fields); q++) {
		const char *field = pb_scalar(pb_node(v->pb, q->key));
		yaml_node_t *spec = pb_node(v->pb, q->value);
		struct vfield *f;

		if (!field || vt->nf == MAX_FIELDS)
			continue;
		f = &vt->f[vt->nf++];
		memset(f, 0, sizeof(*f));
		f->field = field;
		f->uf = schema_field_index(ut, field);
		f->col = f->text_col = -1;
		f->type = "text";
		if (pb_scalar(spec)) {
			f->column = pb_scalar(spec);
		} else {
			const char *ty = pb_scalar(pb_get(v->pb, spec, "type"));

			f->column = pb_scalar(pb_get(v->pb, spec, "column"));
			f->value = pb_scalar(pb_get(v->pb, spec, "value"));
			if (ty)
				f->type = ty;
			if (f->value)
				f->type = "const", f->column = NULL;
			f->table = pb_scalar(pb_get(v->pb, spec, "table"));
			f->dflt = pb_scalar(pb_get(v->pb, spec, "default"));
			if (pb_scalar(pb_get(v->pb, spec, "text_column")))
				f->text_col = dq_cols_find(dc, pb_scalar(pb_get(v->pb, spec, "text_column")));
		}
		f->col = f->column ? dq_cols_find(dc, f->column) : -1;
		f->kind = dq_field_kind(ut, field);
		if (f->col >= 0) {
			/* a personal field makes its column personal everywhere */
			dq_cols_mark(dc, f->col, f->kind);
			f->kind = dc->kind[f->col];
		}
		if (f->table && f->col >= 0 && (!strcmp(f->type, "category") || !strcmp(f->type, "code"))) {
			char *path = pb_path(v->pb, f->table);

			if (!path)
				return mg_err_set(e, MG_E_NOMEM, "out of memory");
			if (codemap_load(&f->map, path, !strcmp(f->type, "category") ? "unified_code" : "unified", e)) {
				free(path);
				return -1;
			}
			free(path);
			dq_vset_init(&f->pairs, COVERAGE_CAP, 256);
			f->have_pairs = 1;
			if (f->text_col >= 0 && !strcmp(f->type, "category")) {
				dq_vset_init(&f->texts, COVERAGE_CAP, 256);
				f->have_texts = 1;
			}
		}
	}
	return 0;
}

/* The bytes of column col decoded as plain UTF-8 into out: 0, or 1 if they
 * do not decode (then out holds them escaped), -1 on error. */
static int decode_plain(struct dq_cols *dc, int col, const unsigned char *p, size_t n, struct mg_buf *out,
			struct mg_err *e)
{
	size_t bad;
	int d = dc->dec[col], rc;

	buf_reset(out);
	if (d < 0 || dc->d[d].passthrough) {
		if (utf8_valid_prefix(p, n) == n)
			return buf_add(out, p, n, e) || buf_grow(out, 0, e) ? -1 : 0;
		buf_reset(out);
		return dq_esc(p, n, out, e) ? -1 : 1;
	}
	rc = decoder_run(&dc->d[d], p, n, out, &bad, e);
	if (rc == 1) {
		buf_reset(out);
		return dq_esc(p, n, out, e) ? -1 : 1;
	}
	return rc < 0 ? -1 : buf_grow(out, 0, e);
}

static char *render_after(enum mask_kind k, const unsigned char *p, size_t n, struct mg_buf *tmp, struct mg_err *e)
{
	struct mg_buf out;

	buf_init(&out, 0, "sample");
	buf_reset(tmp);
	if (dq_esc(p, n, tmp, e) || dq_mask_clip(k, buf_cstr(tmp), tmp->len, DQ_CLIP, n, &out, e) || buf_grow(&out, 0, e)) {
		buf_release(&out);
		return NULL;
	}
	out.ptr[out.len] = '\0'; /* an empty value: buf_grow does not terminate */
	return buf_detach(&out, NULL);
}

/* A transformed row next to its raw row: samples and coverage. */
static int look_at_row(struct vctx *v, struct vtable *vt, struct dq_cols *dc, const struct mg_batch *raw, unsigned r,
		       const struct mg_batch *out, unsigned j, struct mg_err *e)
{
	int sampling = vt->rows_seen++ < SAMPLE_ROWS;

	for (unsigned i = 0; i < vt->nf; i++) {
		struct vfield *f = &vt->f[i];
		size_t bn = 0, an = 0;
		const unsigned char *bv, *av;
		int want, changed, rc;

		if (f->col < 0 || f->uf < 0)
			continue;
		want = sampling && (f->nchanged < SAMPLES_CHANGED || f->nsame < SAMPLES_SAME);
		if (!want && !f->have_pairs)
			continue;
		bv = batch_get(raw, r, (unsigned)f->col, &bn);
		av = batch_get(out, j, (unsigned)f->uf, &an);
		if (bv) {
			if ((rc = decode_plain(dc, f->col, bv, bn, &v->a, e)) < 0)
				return -1;
		} else {
			buf_reset(&v->a);
		}
		if (f->have_pairs) {
			buf_reset(&v->b);
			if (buf_addc(&v->b, bv ? 'V' : 'N', e) || (bv && buf_add(&v->b, v->a.ptr, v->a.len, e)) ||
			    buf_addc(&v->b, 0, e) || buf_addc(&v->b, av ? 'V' : 'N', e) || (av && buf_add(&v->b, av, an, e)))
				return -1;
			if (dq_vset_add(&f->pairs, v->b.ptr, v->b.len, e) == -1)
				return -1;
			if (f->have_texts) {
				/* the legacy text next to the legacy code: one text with several codes */
				size_t tn;
				const unsigned char *tv = batch_get(raw, r, (unsigned)f->text_col, &tn);

				if (tv && bv) {
					if (decode_plain(dc, f->text_col, tv, tn, &v->b, e) < 0 || buf_addc(&v->b, 0, e) ||
					    buf_add(&v->b, v->a.ptr, v->a.len, e) || dq_vset_add(&f->texts, v->b.ptr, v->b.len, e) == -1)
						return -1;
				}
			}
			f->records++;
			if (bv ? !codemap_get(f->map, (const char *)buf_cstr(&v->a), v->a.len) : !strcmp(f->type, "category"))
				f->unmapped++;
		}
		if (!want)
			continue;
		changed = !bv != !av || (bv && (v->a.len != an || (an && memcmp(v->a.ptr, av, an))));
		if (changed ? f->nchanged >= SAMPLES_CHANGED : f->nsame >= SAMPLES_SAME)
			continue;
		{
			struct sample s = {.changed = changed};
			int dup = 0;

			buf_reset(&v->b);
			if (bv) {
				if (dq_cols_value(dc, (unsigned)f->col, bv, bn, DQ_CLIP, &v->b, e))
					return -1;
				if (!(s.before = strdup(buf_cstr(&v->b))))
					return mg_err_set(e, MG_E_NOMEM, "out of memory");
			}
			for (unsigned k = 0; k < f->ns && !dup; k++)
				dup = (!s.before && !f->s[k].before) ||
				      (s.before && f->s[k].before && !strcmp(s.before, f->s[k].before));
			if (dup) {
				free(s.before);
				continue;
			}
			if (av && !(s.after = render_after(f->kind, av, an, &v->b, e))) {
				free(s.before);
				return -1;
			}
			f->s[f->ns++] = s;
			if (changed)
				f->nchanged++;
			else
				f->nsame++;
		}
	}
	return 0;
}

static int same_key(const struct mg_batch *a, unsigned ra, const struct mg_batch *b, unsigned rb)
{
	size_t an, bn;
	const unsigned char *ak = batch_key(a, ra, &an), *bk = batch_key(b, rb, &bn);

	return an == bn && !memcmp(ak, bk, an) && a->prov[ra].line == b->prov[rb].line &&
	       a->prov[ra].offset == b->prov[rb].offset;
}

static int run_table(struct vctx *v, struct vtable *vt, struct mg_err *e)
{
	const struct pb_table *t = vt->t;
	const struct source_driver *drv = source_driver_find(v->pb->driver);
	struct source *src = NULL;
	struct mg_columns cols;
	struct plan *plan = NULL;
	struct mg_batch raw, uni;
	struct mg_hasher *h = NULL;
	struct mg_buf scratch;
	struct dq_cols dc;
	struct bloom bl;
	int have_raw = 0, have_uni = 0, have_bloom = 0, rc = -1;
	unsigned alloc_rows;
	unsigned long long taken = 0;

	memset(&cols, 0, sizeof(cols));
	memset(&dc, 0, sizeof(dc));
	buf_init(&scratch, 0, "canonical row");
	ledger_init(&vt->l);
	dq_rejects_init(&vt->rj);
	vt->target = t->target;
	if (!drv)
		return mg_err_set(e, MG_E_CONFIG, "support for source driver '%s' is not compiled in", v->pb->driver);
	if (drv->open(v->pb, &src, e) || drv->start(src, t, NULL, &cols, e))
		goto out;
	vt->ncols = cols.n;
	if (cols.n == 0) { /* a drop folder with nothing new */
		rc = 0;
		goto out;
	}
	if (dq_cols_init(&dc, &cols, e) || dq_cols_encoding(&dc, -1, t->encoding, e))
		goto out;
	for (yaml_node_pair_t *q = pb_pairs_begin(t->encodings); q && q < pb_pairs_end(t->encodings); q++) {
		int ci = dq_cols_find(&dc, pb_scalar(pb_node(v->pb, q->key)));

		if (ci >= 0 && dq_cols_encoding(&dc, ci, pb_scalar(pb_node(v->pb, q->value)), e))
			goto out;
	}
	if (plan_build(&plan, v->pb, t, &cols, e))
		goto out;
	plan_set_run(plan, 0);
	vt->unified = !plan_target(plan)->raw;
	if (vt->unified && fields_setup(v, vt, &dc, plan_target(plan), e))
		goto out;
	alloc_rows = t->batch_rows;
	if (batch_init(&raw, cols.n, alloc_rows, t->max_field_bytes, e))
		goto out;
	have_raw = 1;
	if (batch_init(&uni, plan_out_cols(plan), alloc_rows, t->max_field_bytes * 2, e))
		goto out;
	have_uni = 1;
	if (vt->unified) {
		if (bloom_init(&bl, BLOOM_BYTES)) {
			mg_err_set(e, MG_E_NOMEM, "out of memory");
			goto out;
		}
		have_bloom = 1;
	}
	if (!(h = hasher_new())) {
		mg_err_set(e, MG_E_INTERNAL, "cannot initialise SHA-256 from libcrypto");
		goto out;
	}
	while (!v->limit || taken < v->limit) {
		int r;
		unsigned j = 0;

		batch_reset(&raw);
		raw.max_rows = alloc_rows;
		if (v->limit && v->limit - taken < alloc_rows)
			raw.max_rows = (unsigned)(v->limit - taken);
		r = drv->next_batch(src, &raw, e);
		if (r == MG_ERR)
			goto out;
		if (r == MG_DONE)
			break;
		taken += raw.nrows + raw.nxrej;
		if (plan_hash_raw(h, &scratch, &raw, e))
			goto out;
		batch_reset(&uni);
		if (plan_apply(plan, &raw, &uni, e))
			goto out;
		ledger_add(&vt->l, &uni.delta);
		if (!vt->stop[0] && rules_gate_check(&v->gate, &vt->l, NULL, vt->stop, sizeof(vt->stop)))
			vt->stop_at = vt->l.st[ST_EXTRACT].in; /* where a run would stop (at most a batch later) */
		if (dq_rejects_add(&vt->rj, &dc, &uni.rejects, e))
			goto out;
		if (!vt->unified)
			continue;
		for (unsigned k = 0; k < raw.nrows && j < uni.nrows; k++) {
			size_t ln;
			const unsigned char *lid;

			if (!same_key(&raw, k, &uni, j))
				continue;
			if (look_at_row(v, vt, &dc, &raw, k, &uni, j, e))
				goto out;
			lid = batch_get(&uni, j, U_LEGACY_ID, &ln);
			if (lid && bloom_test_add(&bl, lid, ln))
				vt->repeated++;
			j++;
		}
		if (j != uni.nrows) {
			mg_err_set(e, MG_E_INTERNAL, "transformed rows do not follow the raw rows of '%s'", t->name);
			goto out;
		}
	}
	for (int s = ST_EXTRACT; s <= ST_TRANSFORM; s++) {
		const struct mg_stage_count *c = &vt->l.st[s];

		if (c->in != c->out + c->rejected + c->merged) {
			mg_err_set(e, MG_E_INTERNAL, "stage %s of '%s' does not balance: in %llu, out %llu, rejected %llu",
				   mg_stage_names[s], t->name, (unsigned long long)c->in, (unsigned long long)c->out,
				   (unsigned long long)c->rejected);
			goto out;
		}
	}
	rules_gate_table_end(&v->gate, &vt->l, vt->cov, sizeof(vt->cov));
	rc = 0;
out:
	hasher_free(h);
	if (have_bloom)
		bloom_release(&bl);
	if (have_raw)
		batch_release(&raw);
	if (have_uni)
		batch_release(&uni);
	plan_free(plan);
	if (src)
		drv->close(src);
	dq_cols_release(&dc);
	buf_release(&scratch);
	if (rc)
		mg_err_prefix(e, "table '%s'", t->name);
	return rc;
}

/* ---- the model: one JSON document, rendered as text, JSON or HTML */

/* A JSON string of any bytes: valid UTF-8 as it is, anything else escaped. */
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

static json_t *stages_json(const struct mg_ledger *l)
{
	json_t *o = json_object();

	for (int s = ST_EXTRACT; s <= ST_TRANSFORM; s++)
		json_object_set_new(o, mg_stage_names[s],
				    json_pack("{s:I,s:I,s:I}", "in", (json_int_t)l->st[s].in, "out", (json_int_t)l->st[s].out,
					      "rejected", (json_int_t)l->st[s].rejected));
	return o;
}

static json_t *fixes_json(const struct mg_ledger *l)
{
	json_t *o = json_object();

	for (unsigned i = 0; i < l->nfix; i++)
		json_object_set_new(o, l->fix[i].name, json_integer((json_int_t)l->fix[i].n));
	return o;
}

/* The legacy or unified half of a coverage key. */
static json_t *pair_half(const unsigned char *p, size_t n, int second, struct mg_buf *tmp)
{
	struct mg_err e = {0};
	const unsigned char *z = memchr(p, 0, n);
	const unsigned char *s = second ? (z ? z + 1 : p + n) : p;
	size_t l = second ? (size_t)(p + n - s) : (z ? (size_t)(z - p) : n);

	if (!l || s[0] == 'N')
		return json_null();
	buf_reset(tmp);
	if (dq_esc(s + 1, l - 1, tmp, &e))
		return NULL;
	return json_string(buf_cstr(tmp));
}

/* Category collisions: unified codes that several legacy codes of the
 * table map to, and legacy texts seen with several legacy codes. */
static void collisions_json(struct vctx *v, struct vfield *f, json_t *o)
{
	json_t *many = json_array(), *texts = json_array();

	for (unsigned i = 0; i < f->pairs.n; i++) {
		const unsigned char *p = dq_vset_bytes(&f->pairs, i), *z = memchr(p, 0, f->pairs.item[i].kept);
		json_t *codes, *u;
		unsigned first = 1;

		if (!z || p[0] != 'V' || z[1] != 'V' || !codemap_get(f->map, (const char *)p + 1, (size_t)(z - p - 1)))
			continue;
		/* the first pair of this unified code (by the table) lists the others */
		for (unsigned k = 0; k < i && first; k++) {
			const unsigned char *q = dq_vset_bytes(&f->pairs, k), *y = memchr(q, 0, f->pairs.item[k].kept);

			first = !(y && q[0] == 'V' && f->pairs.item[k].kept - (size_t)(y - q) == f->pairs.item[i].kept - (size_t)(z - p) &&
				  !memcmp(y, z, f->pairs.item[i].kept - (size_t)(z - p)) &&
				  codemap_get(f->map, (const char *)q + 1, (size_t)(y - q - 1)));
		}
		if (!first)
			continue;
		codes = json_array();
		for (unsigned k = i; k < f->pairs.n; k++) {
			const unsigned char *q = dq_vset_bytes(&f->pairs, k), *y = memchr(q, 0, f->pairs.item[k].kept);

			if (y && q[0] == 'V' && f->pairs.item[k].kept - (size_t)(y - q) == f->pairs.item[i].kept - (size_t)(z - p) &&
			    !memcmp(y, z, f->pairs.item[i].kept - (size_t)(z - p)) &&
			    codemap_get(f->map, (const char *)q + 1, (size_t)(y - q - 1)))
				json_array_append_new(codes, json_pack("{s:o,s:I}", "legacy", pair_half(q, f->pairs.item[k].kept, 0, &v->a),
								       "count", (json_int_t)f->pairs.item[k].count));
		}
		u = pair_half(p, f->pairs.item[i].kept, 1, &v->a);
		if (json_array_size(codes) > 1)
			json_array_append_new(many, json_pack("{s:o,s:o}", "unified", u, "legacy", codes));
		else
			json_decref(codes), json_decref(u);
	}
	json_object_set_new(o, "many_to_one", many);
	for (unsigned i = 0; f->have_texts && i < f->texts.n; i++) {
		const unsigned char *p = dq_vset_bytes(&f->texts, i), *z = memchr(p, 0, f->texts.item[i].kept);
		json_t *codes;
		int first = 1;

		if (!z)
			continue;
		for (unsigned k = 0; k < i && first; k++)
			first = !(!memcmp(dq_vset_bytes(&f->texts, k), p, (size_t)(z - p) + 1));
		if (!first)
			continue;
		codes = json_array();
		for (unsigned k = i; k < f->texts.n; k++) {
			const unsigned char *q = dq_vset_bytes(&f->texts, k);

			if (f->texts.item[k].kept > (size_t)(z - p) && !memcmp(q, p, (size_t)(z - p) + 1)) {
				buf_reset(&v->a);
				dq_esc(q + (z - p) + 1, f->texts.item[k].kept - (size_t)(z - p) - 1, &v->a, &(struct mg_err){0});
				json_array_append_new(codes, json_pack("{s:s,s:I}", "legacy", buf_cstr(&v->a), "count",
								       (json_int_t)f->texts.item[k].count));
			}
		}
		if (json_array_size(codes) > 1) {
			buf_reset(&v->a);
			dq_esc(p, (size_t)(z - p), &v->a, &(struct mg_err){0});
			json_array_append_new(texts, json_pack("{s:s,s:o}", "text", buf_cstr(&v->a), "codes", codes));
		} else {
			json_decref(codes);
		}
	}
	json_object_set_new(o, "text_with_several_codes", texts);
}

static json_t *coverage_json(struct vctx *v, struct vtable *vt, struct vfield *f)
{
	json_t *o = json_object(), *codes = json_array(), *unm = json_array();
	unsigned *idx = calloc(f->pairs.n ? f->pairs.n : 1, sizeof(*idx));
	unsigned n, nunm = 0;
	uint64_t distinct_unmapped = 0;

	if (!idx)
		return NULL;
	n = dq_vset_top(&f->pairs, idx, f->pairs.n);
	for (unsigned i = 0; i < n; i++) {
		const struct dq_vitem *it = &f->pairs.item[idx[i]];
		const unsigned char *p = dq_vset_bytes(&f->pairs, idx[i]);
		const unsigned char *z = memchr(p, 0, it->kept);
		/* a NULL category is unmapped; a NULL code stays NULL */
		int mapped = p[0] == 'V' ? z && codemap_get(f->map, (const char *)p + 1, (size_t)(z - p - 1))
					 : strcmp(f->type, "category") != 0;
		json_t *x = json_pack("{s:o,s:o,s:I,s:b}", "legacy", pair_half(p, it->kept, 0, &v->a), "unified",
				      pair_half(p, it->kept, 1, &v->a), "count", (json_int_t)it->count, "mapped", mapped);

		if (!strcmp(f->type, "category")) {
			/* how: by the table, by a keyword rule, or the default */
			const char *u = json_string_value(json_object_get(x, "unified"));

			json_object_set_new(x, "how", json_string(mapped ? "table" : u && f->dflt && !strcmp(u, f->dflt) ?
								 "default" : "keyword"));
		}

		json_array_append_new(codes, x);
		if (!mapped) {
			distinct_unmapped++;
			if (nunm++ < 50)
				json_array_append(unm, x);
		}
	}
	free(idx);
	json_object_set_new(o, "field", json_string(f->field));
	json_object_set_new(o, "column", jtext(f->column));
	json_object_set_new(o, "type", json_string(f->type));
	json_object_set_new(o, "table", jtext(f->table));
	json_object_set_new(o, "records", json_integer((json_int_t)f->records));
	json_object_set_new(o, "records_unmapped", json_integer((json_int_t)f->unmapped));
	json_object_set_new(o, "distinct_pairs", json_integer((json_int_t)f->pairs.n));
	json_object_set_new(o, "distinct_unmapped", json_integer((json_int_t)distinct_unmapped));
	json_object_set_new(o, "more_pairs", json_boolean(dq_vset_full(&f->pairs)));
	json_object_set_new(o, "records_not_listed", json_integer((json_int_t)f->pairs.overflow));
	json_object_set_new(o, "unmapped", unm);
	json_object_set_new(o, "codes", codes);
	if (!strcmp(f->type, "category")) {
		/* the records loaded, exactly (the fixes), and the ones rejected as unmapped */
		uint64_t kw = ledger_fix_get(&vt->l, RULES_FIX_KEYWORD), df = ledger_fix_get(&vt->l, "unmapped_category");
		uint64_t rj = 0;

		for (unsigned i = 0; i < vt->rj.n; i++)
			if (!strcmp(vt->rj.r[i].name, "transform.unmapped_category"))
				rj = vt->rj.r[i].count;
		json_object_set_new(o, "loaded", json_integer((json_int_t)vt->l.st[ST_TRANSFORM].out));
		json_object_set_new(o, "mapped_by_table",
				    json_integer((json_int_t)(vt->l.st[ST_TRANSFORM].out - kw - df)));
		json_object_set_new(o, "mapped_by_keyword", json_integer((json_int_t)kw));
		json_object_set_new(o, "defaulted", json_integer((json_int_t)df));
		json_object_set_new(o, "rejected_unmapped", json_integer((json_int_t)rj));
		collisions_json(v, f, o);
	}
	return o;
}

static json_t *table_json(struct vctx *v, struct vtable *vt)
{
	json_t *o = json_object(), *rej = json_array(), *fields = json_array(), *cov = json_array();

	json_object_set_new(o, "name", jtext(vt->t->name));
	json_object_set_new(o, "target", jtext(vt->target));
	json_object_set_new(o, "columns", json_integer(vt->ncols));
	json_object_set_new(o, "stages", stages_json(&vt->l));
	json_object_set_new(o, "rejected", json_integer((json_int_t)vt->rj.total));
	for (unsigned i = 0; i < vt->rj.n; i++) {
		const struct dq_reason *r = &vt->rj.r[i];
		json_t *ex = json_array();

		for (unsigned k = 0; k < r->nex; k++)
			json_array_append_new(ex, json_pack("{s:o,s:o,s:I,s:I,s:o,s:o,s:o,s:o}", "key", jtext(r->ex[k].key), "where",
							    jtext(r->ex[k].where), "line", (json_int_t)r->ex[k].line, "offset",
							    (json_int_t)r->ex[k].offset, "detail", jtext(r->ex[k].detail),
							    "value", jtext(r->ex[k].context), "bytes", jtext(r->ex[k].bytes),
							    "record", jtext(r->ex[k].record)));
		json_array_append_new(rej, json_pack("{s:s,s:I,s:o}", "reason", r->name, "count", (json_int_t)r->count,
						     "examples", ex));
	}
	json_object_set_new(o, "rejects", rej);
	json_object_set_new(o, "fixes", fixes_json(&vt->l));
	if (vt->unified)
		json_object_set_new(o, "repeated_legacy_ids", json_integer((json_int_t)vt->repeated));
	for (unsigned i = 0; i < vt->nf; i++) {
		struct vfield *f = &vt->f[i];
		json_t *x = json_object(), *s = json_array();

		json_object_set_new(x, "field", jtext(f->field));
		json_object_set_new(x, "column", jtext(f->column));
		json_object_set_new(x, "type", jtext(f->type));
		json_object_set_new(x, "mask", json_string(mask_kind_name(f->kind)));
		if (f->value)
			json_object_set_new(x, "value", jtext(f->value));
		if (f->column && f->col < 0)
			json_object_set_new(x, "problem", json_string("the column is not in the table"));
		for (unsigned k = 0; k < f->ns; k++)
			json_array_append_new(s, json_pack("{s:o,s:o,s:b}", "before", jtext(f->s[k].before), "after",
							   jtext(f->s[k].after), "changed", f->s[k].changed));
		json_object_set_new(x, "samples", s);
		json_array_append_new(fields, x);
		if (f->have_pairs)
			json_array_append_new(cov, coverage_json(v, vt, f));
	}
	json_object_set_new(o, "fields", fields);
	json_object_set_new(o, "coverage", cov);
	{
		json_t *th = json_array();

		if (vt->stop[0])
			json_array_append_new(th, json_pack("{s:s,s:I,s:o}", "kind", "rejects", "after_records",
							    (json_int_t)vt->stop_at, "message", jtext(vt->stop)));
		if (vt->cov[0])
			json_array_append_new(th, json_pack("{s:s,s:o}", "kind", "coverage", "message", jtext(vt->cov)));
		json_object_set_new(o, "thresholds_failed", th);
	}
	return o;
}

static json_t *model(struct vctx *v)
{
	json_t *o = json_object(), *tables = json_array(), *rejects = json_object();
	struct mg_ledger all;
	uint64_t rejected = 0, repeated = 0, failed = 0;

	ledger_init(&all);
	for (unsigned i = 0; i < v->nt; i++) {
		ledger_add(&all, &v->vt[i].l);
		failed += (v->vt[i].stop[0] != 0) + (v->vt[i].cov[0] != 0);
		rejected += v->vt[i].rj.total;
		repeated += v->vt[i].repeated;
		for (unsigned k = 0; k < v->vt[i].rj.n; k++) {
			const struct dq_reason *r = &v->vt[i].rj.r[k];
			json_t *c = json_object_get(rejects, r->name);

			json_object_set_new(rejects, r->name,
					    json_integer((json_int_t)r->count + (c ? json_integer_value(c) : 0)));
		}
		json_array_append_new(tables, table_json(v, &v->vt[i]));
	}
	json_object_set_new(o, "command", json_string("validate"));
	json_object_set_new(o, "playbook", jtext(v->pb->path));
	json_object_set_new(o, "system", jtext(v->pb->system.code));
	json_object_set_new(o, "system_name", jtext(v->pb->system.name));
	json_object_set_new(o, "rows_limit", v->limit ? json_integer((json_int_t)v->limit) : json_null());
	json_object_set_new(o, "rows", json_integer((json_int_t)all.st[ST_EXTRACT].in));
	json_object_set_new(o, "passed", json_integer((json_int_t)all.st[ST_TRANSFORM].out));
	json_object_set_new(o, "rejected_total", json_integer((json_int_t)rejected));
	json_object_set_new(o, "repeated_legacy_ids", json_integer((json_int_t)repeated));
	json_object_set_new(o, "thresholds_failed", json_integer((json_int_t)failed));
	json_object_set_new(o, "stages", stages_json(&all));
	json_object_set_new(o, "rejects", rejects);
	json_object_set_new(o, "fixes", fixes_json(&all));
	json_object_set_new(o, "tables", tables);
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

/* s cut after max bytes at a character, with "…" */
static void print_clipped(FILE *out, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max) {
		fputs(s, out);
		return;
	}
	while (max && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	fprintf(out, "%.*s…", (int)max, s);
}

static void print_value(FILE *out, json_t *v)
{
	if (json_is_null(v))
		fputs("NULL", out);
	else
		fprintf(out, "\"%s\"", json_string_value(v));
}

static void print_text(FILE *out, json_t *m)
{
	size_t i, k;
	json_t *t;

	fprintf(out, "migrate validate: system %s (%s), playbook %s\n", jstr(m, "system"), jstr(m, "system_name"),
		jstr(m, "playbook"));
	fputs("nothing is loaded and no store is used: records are read, decoded and transformed only\n", out);
	if (json_integer_value(json_object_get(m, "rows_limit")))
		fprintf(out, "at most %lld records per table (--rows)\n", jint(m, "rows_limit"));
	json_array_foreach(json_object_get(m, "tables"), i, t) {
		json_t *st = json_object_get(t, "stages"), *x, *fx = json_object_get(t, "fixes");
		const char *key;

		fprintf(out, "\ntable %s -> %s: %lld records read\n", jstr(t, "name"), jstr(t, "target"),
			(long long)json_integer_value(json_object_get(json_object_get(st, "extract"), "in")));
		fprintf(out, "  %-10s %10s %10s %10s\n", "stage", "in", "out", "rejected");
		json_object_foreach(st, key, x)
			fprintf(out, "  %-10s %10lld %10lld %10lld\n", key, jint(x, "in"), jint(x, "out"), jint(x, "rejected"));
		if (jint(t, "rejected")) {
			fprintf(out, "  rejected: %lld records\n", jint(t, "rejected"));
			json_array_foreach(json_object_get(t, "rejects"), k, x) {
				json_t *ex = json_object_get(x, "examples"), *y;
				size_t q;

				fprintf(out, "    %-30s %8lld\n", jstr(x, "reason"), jint(x, "count"));
				json_array_foreach(ex, q, y) {
					if (q == 3)
						break;
					fprintf(out, "      key %s", jstr(y, "key"));
					if (jint(y, "line"))
						fprintf(out, " (%s line %lld)", jstr(y, "where"), jint(y, "line"));
					fprintf(out, ": %s\n        ", jstr(y, "detail"));
					print_clipped(out, json_is_string(json_object_get(y, "value")) ? jstr(y, "value")
												   : jstr(y, "record"), 300);
					fputc('\n', out);
					if (json_is_string(json_object_get(y, "bytes")))
						fprintf(out, "        %s\n", jstr(y, "bytes"));
				}
				if (json_array_size(ex) > 3)
					fprintf(out, "      (%zu more examples in --json and --html)\n", json_array_size(ex) - 3);
			}
		} else {
			fputs("  rejected: none\n", out);
		}
		if (json_object_size(fx)) {
			fputs("  fixes (the record goes on, a value was changed or defaulted):\n", out);
			json_object_foreach(fx, key, x)
				fprintf(out, "    %-30s %8lld  %s\n", key, (long long)json_integer_value(x), dq_fix_explain(key));
		}
		if (json_object_get(t, "repeated_legacy_ids") && jint(t, "repeated_legacy_ids"))
			fprintf(out, "  repeated legacy ids: %lld records repeat a legacy id seen before (the load merges"
				" them into the first; estimate)\n", jint(t, "repeated_legacy_ids"));
		if (json_array_size(json_object_get(t, "fields")))
			fputs("  fields, before -> after (personal data masked):\n", out);
		json_array_foreach(json_object_get(t, "fields"), k, x) {
			json_t *y;
			size_t q;

			if (json_object_get(x, "value")) {
				fprintf(out, "    %s = \"%s\" (constant)\n", jstr(x, "field"), jstr(x, "value"));
				continue;
			}
			fprintf(out, "    %s <- %s (%s)%s%s\n", jstr(x, "field"), jstr(x, "column"), jstr(x, "type"),
				json_object_get(x, "problem") ? ": " : "", jstr(x, "problem"));
			json_array_foreach(json_object_get(x, "samples"), q, y) {
				fputs("        ", out);
				print_value(out, json_object_get(y, "before"));
				fputs(" -> ", out);
				print_value(out, json_object_get(y, "after"));
				fputc('\n', out);
			}
		}
		json_array_foreach(json_object_get(t, "coverage"), k, x) {
			json_t *y;
			size_t q;

			fprintf(out, "  coverage of %s <- %s (%s): %lld records, %lld distinct codes, %lld not in the table"
				" (%lld records)\n", jstr(x, "field"), jstr(x, "column"), jstr(x, "table"), jint(x, "records"),
				jint(x, "distinct_pairs"), jint(x, "distinct_unmapped"), jint(x, "records_unmapped"));
			if (json_object_get(x, "loaded"))
				fprintf(out, "    of %lld records loaded: %lld mapped by the table, %lld by keyword rules, %lld"
					" defaulted; %lld rejected as unmapped\n", jint(x, "loaded"), jint(x, "mapped_by_table"),
					jint(x, "mapped_by_keyword"), jint(x, "defaulted"), jint(x, "rejected_unmapped"));
			json_array_foreach(json_object_get(x, "many_to_one"), q, y) {
				fprintf(out, "    several legacy codes -> \"%s\":", json_string_value(json_object_get(y, "unified")));
				for (size_t w = 0; w < json_array_size(json_object_get(y, "legacy")); w++)
					fprintf(out, " \"%s\" (%lld)", jstr(json_array_get(json_object_get(y, "legacy"), w), "legacy"),
						jint(json_array_get(json_object_get(y, "legacy"), w), "count"));
				fputc('\n', out);
			}
			json_array_foreach(json_object_get(x, "text_with_several_codes"), q, y) {
				fprintf(out, "    legacy text \"%s\" seen with several codes:", jstr(y, "text"));
				for (size_t w = 0; w < json_array_size(json_object_get(y, "codes")); w++)
					fprintf(out, " \"%s\" (%lld)", jstr(json_array_get(json_object_get(y, "codes"), w), "legacy"),
						jint(json_array_get(json_object_get(y, "codes"), w), "count"));
				fputc('\n', out);
			}
			json_array_foreach(json_object_get(x, "unmapped"), q, y) {
				if (q == 10) {
					fputs("      ...\n", out);
					break;
				}
				fputs("      not in the table: ", out);
				print_value(out, json_object_get(y, "legacy"));
				fputs(" -> ", out);
				print_value(out, json_object_get(y, "unified"));
				fprintf(out, "  %lld records\n", jint(y, "count"));
			}
		}
	}
	json_array_foreach(json_object_get(m, "tables"), i, t) {
		json_t *x;
		size_t tk;

		json_array_foreach(json_object_get(t, "thresholds_failed"), tk, x) {
			if (!strcmp(jstr(x, "kind"), "rejects"))
				fprintf(out, "\nTHRESHOLD: a run would stop after %lld records of table %s: %s\n",
					jint(x, "after_records"), jstr(t, "name"), jstr(x, "message"));
			else
				fprintf(out, "\nTHRESHOLD: a run would finish out of balance (exit 3): %s\n", jstr(x, "message"));
		}
	}
	fprintf(out, "\ntotal: %lld records read, %lld pass the transform, %lld would be rejected\n", jint(m, "rows"),
		jint(m, "passed"), jint(m, "rejected_total"));
	if (jint(m, "rejected_total"))
		fputs("exit 3: records would be rejected; see docs/data-quality.md for what each reason means\n", out);
}

/* ---- HTML */


static void h_value(FILE *f, json_t *v)
{
	if (json_is_null(v) || !v)
		fputs("<span class=null>NULL</span>", f);
	else {
		fputs("<code>", f);
		html_escape(f, json_string_value(v));
		fputs("</code>", f);
	}
}

static const char page_css[] =
	"body{font:14px/1.45 system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em auto;max-width:72em;"
	"color:#1b1f24;padding:0 1em}"
	"h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px solid #d0d7de;margin-top:2em}"
	"h3{font-size:1.05em;margin:1.4em 0 .4em}"
	"table{border-collapse:collapse;margin:.4em 0 1em}th,td{border:1px solid #d0d7de;padding:.25em .6em;"
	"text-align:left;vertical-align:top}th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"code{font:12px/1.4 ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}"
	".null{color:#8c959f;font-style:italic}.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}"
	".bar{display:inline-block;height:.8em;background:#cf222e;vertical-align:middle;min-width:2px}"
	".fix .bar{background:#9a6700}.muted{color:#57606a}details{margin:.2em 0 .6em}"
	"summary{cursor:pointer}.card{display:inline-block;border:1px solid #d0d7de;border-radius:6px;padding:.5em 1em;"
	"margin:0 .5em .5em 0}.card b{display:block;font-size:1.6em}";

static void html_stages(FILE *f, json_t *st)
{
	const char *key;
	json_t *x;

	fputs("<table class=stages><tr><th>stage</th><th>in</th><th>out</th><th>rejected</th></tr>\n", f);
	json_object_foreach(st, key, x)
		fprintf(f, "<tr><td>%s</td><td class=n>%lld</td><td class=n>%lld</td><td class=n>%lld</td></tr>\n", key,
			jint(x, "in"), jint(x, "out"), jint(x, "rejected"));
	fputs("</table>\n", f);
}

static void html_table(FILE *f, json_t *t)
{
	json_t *x, *y;
	size_t k, q;
	const char *key;
	long long rejected = jint(t, "rejected"), maxc = 1;

	fputs("<h2>table ", f);
	html_escape(f, jstr(t, "name"));
	fputs(" &rarr; ", f);
	html_escape(f, jstr(t, "target"));
	fputs("</h2>\n", f);
	html_stages(f, json_object_get(t, "stages"));
	json_array_foreach(json_object_get(t, "thresholds_failed"), k, x) {
		fputs("<p class=bad data-threshold>threshold: ", f);
		html_escape(f, jstr(x, "message"));
		fputs("</p>\n", f);
	}
	fprintf(f, "<h3>rejects: <span class=%s>%lld</span></h3>\n", rejected ? "bad" : "ok", rejected);
	json_array_foreach(json_object_get(t, "rejects"), k, x)
		if (jint(x, "count") > maxc)
			maxc = jint(x, "count");
	if (rejected) {
		fputs("<table class=rejects><tr><th>reason</th><th>records</th><th></th></tr>\n", f);
		json_array_foreach(json_object_get(t, "rejects"), k, x)
			fprintf(f, "<tr><td>%s</td><td class=n>%lld</td><td><span class=bar style=\"width:%lldpx\"></span></td></tr>\n",
				jstr(x, "reason"), jint(x, "count"), jint(x, "count") * 300 / maxc);
		fputs("</table>\n", f);
	}
	json_array_foreach(json_object_get(t, "rejects"), k, x) {
		fprintf(f, "<details%s><summary>%s: %zu example%s of %lld</summary>\n", k == 0 ? " open" : "",
			jstr(x, "reason"), json_array_size(json_object_get(x, "examples")),
			json_array_size(json_object_get(x, "examples")) == 1 ? "" : "s", jint(x, "count"));
		fputs("<table class=examples><tr><th>key</th><th>where</th><th>detail</th><th>record (masked)</th></tr>\n", f);
		json_array_foreach(json_object_get(x, "examples"), q, y) {
			fputs("<tr class=ex><td><code>", f);
			html_escape(f, jstr(y, "key"));
			fputs("</code></td><td>", f);
			html_escape(f, jstr(y, "where"));
			if (jint(y, "line"))
				fprintf(f, " line %lld", jint(y, "line"));
			fputs("</td><td>", f);
			html_escape(f, jstr(y, "detail"));
			if (json_is_string(json_object_get(y, "value"))) {
				fputs("<br><code>", f);
				html_escape(f, jstr(y, "value"));
				fputs("</code>", f);
			}
			if (json_is_string(json_object_get(y, "bytes"))) {
				fputs("<br><code>", f);
				html_escape(f, jstr(y, "bytes"));
				fputs("</code>", f);
			}
			fputs("</td><td><code>", f);
			html_escape(f, jstr(y, "record"));
			fputs("</code></td></tr>\n", f);
		}
		fputs("</table></details>\n", f);
	}
	x = json_object_get(t, "fixes");
	if (json_object_size(x)) {
		long long maxf = 1;

		json_object_foreach(x, key, y)
			if (json_integer_value(y) > maxf)
				maxf = json_integer_value(y);
		fputs("<h3>fixes</h3>\n<table class=fix><tr><th>fix</th><th>records</th><th></th><th>what it means</th></tr>\n", f);
		json_object_foreach(x, key, y) {
			fprintf(f, "<tr><td>%s</td><td class=n>%lld</td><td><span class=bar style=\"width:%lldpx\"></span></td><td>",
				key, (long long)json_integer_value(y), (long long)json_integer_value(y) * 200 / maxf);
			html_escape(f, dq_fix_explain(key));
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	if (json_object_get(t, "repeated_legacy_ids"))
		fprintf(f, "<p>repeated legacy ids: <b>%lld</b> <span class=muted>(records whose legacy id was seen before in"
			" this table: the load merges them into the first; a Bloom-filter estimate)</span></p>\n",
			jint(t, "repeated_legacy_ids"));
	if (json_array_size(json_object_get(t, "fields"))) {
		fputs("<h3>fields: before &rarr; after <span class=muted>(personal data masked)</span></h3>\n"
		      "<table class=fields><tr><th>field</th><th>column</th><th>type</th><th>before</th><th>after</th></tr>\n", f);
		json_array_foreach(json_object_get(t, "fields"), k, x) {
			json_t *s = json_object_get(x, "samples");
			size_t ns = json_array_size(s);

			fputs("<tr><td>", f);
			html_escape(f, jstr(x, "field"));
			fputs("</td><td>", f);
			html_escape(f, json_object_get(x, "value") ? "(constant)" : jstr(x, "column"));
			fputs("</td><td>", f);
			html_escape(f, jstr(x, "type"));
			if (json_object_get(x, "problem")) {
				fputs("<br><span class=bad>", f);
				html_escape(f, jstr(x, "problem"));
				fputs("</span>", f);
			}
			fputs("</td><td>", f);
			if (json_object_get(x, "value"))
				h_value(f, json_object_get(x, "value"));
			json_array_foreach(s, q, y) {
				h_value(f, json_object_get(y, "before"));
				fputs(q + 1 < ns ? "<br>" : "", f);
			}
			fputs("</td><td>", f);
			json_array_foreach(s, q, y) {
				h_value(f, json_object_get(y, "after"));
				fputs(q + 1 < ns ? "<br>" : "", f);
			}
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	json_array_foreach(json_object_get(t, "coverage"), k, x) {
		fputs("<h3>coverage of ", f);
		html_escape(f, jstr(x, "field"));
		fputs(" &larr; ", f);
		html_escape(f, jstr(x, "column"));
		fputs(" <span class=muted>(", f);
		html_escape(f, jstr(x, "table"));
		fprintf(f, ")</span></h3>\n<p>%lld records, %lld distinct codes, <span class=%s>%lld not in the table</span>"
			" (%lld records)</p>\n", jint(x, "records"), jint(x, "distinct_pairs"),
			jint(x, "distinct_unmapped") ? "bad" : "ok", jint(x, "distinct_unmapped"), jint(x, "records_unmapped"));
		fputs("<table class=coverage><tr><th>legacy code</th><th>unified</th><th>records</th><th>in the table</th></tr>\n", f);
		json_array_foreach(json_object_get(x, "codes"), q, y) {
			fputs("<tr><td>", f);
			h_value(f, json_object_get(y, "legacy"));
			fputs("</td><td>", f);
			h_value(f, json_object_get(y, "unified"));
			fprintf(f, "</td><td class=n>%lld</td><td>%s</td></tr>\n", jint(y, "count"),
				json_is_true(json_object_get(y, "mapped")) ? "yes" : "<span class=bad>no</span>");
		}
		fputs("</table>\n", f);
	}
}

static int write_html(json_t *m, const char *path, struct mg_err *e)
{
	size_t n = strlen(path) + 16, i;
	char *tmp = malloc(n);
	FILE *f;
	json_t *t;
	int rc = -1;

	if (!tmp)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "w"))) {
		mg_err_set(e, MG_E_IO, "cannot write '%s': %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	fputs("<!DOCTYPE html>\n<html lang=zh-CN><head><meta charset=utf-8>\n<title>validate ", f);
	html_escape(f, jstr(m, "system"));
	fprintf(f, "</title>\n<style>%s</style></head><body>\n<h1>validate ", page_css);
	html_escape(f, jstr(m, "system"));
	fputs(" <span class=muted>", f);
	html_escape(f, jstr(m, "system_name"));
	fputs("</span></h1>\n<p class=muted>playbook ", f);
	html_escape(f, jstr(m, "playbook"));
	fputs("; nothing loaded, no store used; personal data masked</p>\n", f);
	if (json_integer_value(json_object_get(m, "rows_limit")))
		fprintf(f, "<p>at most %lld records per table (--rows)</p>\n", jint(m, "rows_limit"));
	fprintf(f, "<div class=card>records read<b id=rows>%lld</b></div><div class=card>pass the transform<b id=passed>%lld</b>"
		"</div><div class=card>rejected<b id=rejected class=%s>%lld</b></div><div class=card>repeated legacy ids"
		"<b id=repeated>%lld</b></div>\n", jint(m, "rows"), jint(m, "passed"), jint(m, "rejected_total") ? "bad" : "ok",
		jint(m, "rejected_total"), jint(m, "repeated_legacy_ids"));
	json_array_foreach(json_object_get(m, "tables"), i, t)
		html_table(f, t);
	fputs("<p class=muted>written by migrate validate " MIGRATE_VERSION "; docs/data-quality.md explains every part"
	      "</p>\n</body></html>\n", f);
	if (ferror(f) | fclose(f)) {
		mg_err_set(e, MG_E_IO, "cannot write '%s': %s", tmp, strerror(errno));
		unlink(tmp);
	} else if (rename(tmp, path)) {
		mg_err_set(e, MG_E_IO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		unlink(tmp);
	} else {
		rc = 0;
	}
	free(tmp);
	return rc;
}

/* ---- the command */

static int parse_rows(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return *end || errno || *out == 0 ? -1 : 0;
}

int cmd_validate(int argc, char **argv)
{
	const char *path = NULL, *html = NULL;
	int json = 0, rc = EXIT_FAILED;
	struct vctx v;
	struct mg_err e = {0};
	json_t *m = NULL;

	memset(&v, 0, sizeof(v));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rows")) {
			if (i + 1 >= argc || parse_rows(argv[i + 1], &v.limit))
				return usage_error("validate", "--rows needs a number of rows above 0");
			i++;
		} else if (!strcmp(argv[i], "--html")) {
			if (i + 1 >= argc || !*argv[i + 1])
				return usage_error("validate", "--html needs a file name");
			html = argv[++i];
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--threshold") && i + 1 < argc) {
			/* the run's thresholds, as `migrate run --threshold` */
			char kv[128], *eq;

			snprintf(kv, sizeof(kv), "%s", argv[++i]);
			if (!(eq = strchr(kv, '=')))
				return usage_error("validate", "--threshold needs KEY=VALUE, such as max_rejects=1000");
			*eq = '\0';
			if (rules_limits_set(&v.limits, kv, eq + 1, &e))
				return usage_error("validate", "%s", e.msg);
			v.have_limits = 1;
		} else if (argv[i][0] == '-' || path) {
			return usage_error("validate", "unexpected argument '%s'", argv[i]);
		} else {
			path = argv[i];
		}
	}
	if (!path)
		return usage_error("validate", "name a playbook");
	buf_init(&v.a, 0, "value");
	buf_init(&v.b, 0, "value");
	if (playbook_load(&v.pb, path, &e)) {
		if (v.pb && v.pb->ndiags > 1)
			fputs(buf_cstr(&v.pb->diags), stderr);
		goto out;
	}
	v.vt = calloc(v.pb->ntables, sizeof(*v.vt));
	if (!v.vt) {
		mg_err_set(&e, MG_E_NOMEM, "out of memory");
		goto out;
	}
	rules_gate_init(&v.gate, v.pb, v.have_limits ? &v.limits : NULL);
	for (unsigned i = 0; i < v.pb->ntables; i++) {
		v.vt[i].t = &v.pb->tables[i];
		v.nt = i + 1;
		rules_gate_table(&v.gate, v.pb, v.vt[i].t);
		if (run_table(&v, &v.vt[i], &e))
			goto out;
	}
	if (!(m = model(&v))) {
		mg_err_set(&e, MG_E_NOMEM, "out of memory");
		goto out;
	}
	if (html && write_html(m, html, &e))
		goto out;
	if (json) {
		if (json_dumpf(m, stdout, JSON_INDENT(2)) || fputc('\n', stdout) == EOF) {
			mg_err_set(&e, MG_E_IO, "cannot write the JSON output");
			goto out;
		}
	} else {
		print_text(stdout, m);
		if (html)
			printf("wrote %s\n", html);
	}
	if (fflush(stdout)) {
		mg_err_set(&e, MG_E_IO, "cannot write the output: %s", strerror(errno));
		goto out;
	}
	rc = json_integer_value(json_object_get(m, "rejected_total")) || json_integer_value(json_object_get(m, "thresholds_failed"))
		     ? EXIT_UNBALANCED : EXIT_OK;
out:
	json_decref(m);
	for (unsigned i = 0; i < v.nt; i++) {
		for (unsigned k = 0; k < v.vt[i].nf; k++)
			field_release(&v.vt[i].f[k]);
		dq_rejects_release(&v.vt[i].rj);
	}
	free(v.vt);
	playbook_free(v.pb);
	buf_release(&v.a);
	buf_release(&v.b);
	if (rc == EXIT_FAILED)
		return die_err(&e);
	return rc;
}
