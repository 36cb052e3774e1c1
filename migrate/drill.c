/* migrate/drill.c: bisection by key range, then a merge of both sides.
 *
 * The store side is first gathered in one scan into a temporary table of
 * the run's records (key, src_hash, changed?, table, id), indexed by the key
 * as the source orders it: bytes as bytea (memcmp), numbers through a numeric
 * cast of the decimal text the source printed (guarded by a pattern, so a
 * hand-written key that is not a number cannot break the query: it is
 * reported as a record without a usable key). "changed?" is the comparison
 * of each work order's recomputed unified hash with its stored u_hash, made
 * once in that scan. Every range sum and listing afterwards is an index range
 * scan of the temporary table, which lives on the server (temp_buffers, then
 * disk) and is dropped at the end of the transaction. Values travel as bound
 * parameters. docs/drill-down.md shows the statements.
 */
#include "migrate/drill.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/schema.h"

#define LEAF_ROWS 1000
#define FETCH_ROWS "1000"
#define MAX_DEPTH 128
#define NUMERIC_KEY_DIGITS 160  /* a numeric key longer than this compares as bytes */
#define KEY_CAP (1u << 20)      /* a key bound taken from the source */

const char *const drill_kind_names[DRILL_NKINDS] = {"missing", "extra", "changed", "source-changed"};

/* one side's figures for a key range */
struct side {
	uint64_t rows, total, changed;
};

struct node {
	const struct mg_buf *lo, *hi;   /* NULL: open */
	struct side src, st;
	int have_ib;                    /* integer keys: every key of the range is in [imin, imax] */
	long long imin, imax;
};

/* the store's side of a listed range, read through a cursor */
struct cursor {
	PGresult *res;
	int row, nrows;
	int done;
	struct mg_buf key;
	int key_null;
};

struct ctx {
	struct drill *d;
	const struct mg_utable *target;
	struct mg_buf sql;              /* scratch */
	struct mg_buf uhash;            /* recomputed unified hash of work_order w */
	struct cursor cur;
	struct mg_buf minb, maxb;
	char run[24];
};

/* ---- keys ---------------------------------------------------------------- */

int drill_key_text(struct mg_buf *out, const unsigned char *key, size_t n, struct mg_err *e)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = key[i];

		if (c > 0x20 && c < 0x7f && c != '\\') {
			if (buf_addc(out, c, e))
				return -1;
		} else if (buf_addstr(out, "\\x", e) || buf_addc(out, hx[c >> 4], e) || buf_addc(out, hx[c & 15], e)) {
			return -1;
		}
	}
	return 0;
}

/* A decimal number as sign, significant digits (no leading or trailing
 * zeros) and the decimal exponent of the first digit: 0.d1d2... x 10^exp. */
struct dec {
	int neg;
	char d[NUMERIC_KEY_DIGITS];
	size_t nd;
	long exp;
};

static int dec_parse(const unsigned char *p, size_t n, struct dec *x)
{
	size_t i = 0, nint = 0, lead = 0;
	int seen = 0, nonzero = 0;
	long ex = 0;

	memset(x, 0, sizeof(*x));
	if (i < n && (p[i] == '-' || p[i] == '+'))
		x->neg = p[i++] == '-';
	for (int part = 0; part < 2; part++) {
		for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
			seen = 1;
			if (!nonzero && p[i] == '0') {
				if (part)
					lead++;  /* zeros right after the point move the exponent */
				continue;
			}
			nonzero = 1;
			if (x->nd == sizeof(x->d))
				return -1;
			x->d[x->nd++] = (char)p[i];
			if (!part)
				nint++;
		}
		if (!part && i < n && p[i] == '.')
			i++;
		else
			break;
	}
	if (!seen)
		return -1;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		int eneg = 0, edig = 0;

		i++;
		if (i < n && (p[i] == '-' || p[i] == '+'))
			eneg = p[i++] == '-';
		for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, edig++)
			if (edig < 6)
				ex = ex * 10 + (p[i] - '0');
		if (!edig || edig >= 6)
			return -1;
		if (eneg)
			ex = -ex;
	}
	if (i != n)
		return -1;
	while (x->nd && x->d[x->nd - 1] == '0')
		x->nd--;
	if (!x->nd) {
		x->neg = 0;  /* -0 = 0 */
		return 0;
	}
	x->exp = (nint ? (long)nint : -(long)lead) + ex;
	return 0;
}

static int dec_cmp(const struct dec *a, const struct dec *b)
{
	int s;

	if (!a->nd || !b->nd)
		return (a->nd ? (a->neg ? -1 : 1) : 0) - (b->nd ? (b->neg ? -1 : 1) : 0);
	if (a->neg != b->neg)
		return a->neg ? -1 : 1;
	s = a->neg ? -1 : 1;
	if (a->exp != b->exp)
		return a->exp < b->exp ? -s : s;
	for (size_t i = 0; i < a->nd || i < b->nd; i++) {
		char ca = i < a->nd ? a->d[i] : '0', cb = i < b->nd ? b->d[i] : '0';

		if (ca != cb)
			return ca < cb ? -s : s;
	}
	return 0;
}

static int bytes_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c < 0 ? -1 : 1;
	return an < bn ? -1 : an > bn;
}

/* Compare two keys in the source's order. */
static int key_cmp(int order, const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	if (order != SRC_KEY_BYTES) {
		struct dec x, y;

		if (!dec_parse(a, an, &x) && !dec_parse(b, bn, &y))
			return dec_cmp(&x, &y);
	}
	return bytes_cmp(a, an, b, bn);
}

static int parse_ll(const struct mg_buf *b, long long *v)
{
	char tmp[32], *end;

	if (!b->len || b->len >= sizeof(tmp))
		return -1;
	memcpy(tmp, b->ptr, b->len);
	tmp[b->len] = '\0';
	errno = 0;
	*v = strtoll(tmp, &end, 10);
	return errno || *end ? -1 : 0;
}

/* ---- the store side -------------------------------------------------------- */

/* The key column col as a comparable SQL expression: NULL when the record
 * has no key usable in the source's order. */
static int key_expr(struct mg_buf *b, int order, const char *col, struct mg_err *e)
{
	if (order == SRC_KEY_BYTES)
		return buf_addstr(b, col, e);
	return buf_printf(b, e, "CASE WHEN encode(%s, 'escape') ~ '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]{1,3})?$'"
			  " THEN encode(%s, 'escape')::numeric END", col, col);
}

static const char *bound_cast(int order)
{
	return order == SRC_KEY_BYTES ? "bytea" : "numeric";
}

/* " WHERE kn IS NOT NULL AND kn > $1 AND kn <= $2" for the bounds present */
static int range_cond(struct ctx *c, const struct node *n, struct mg_err *e)
{
	int p = 1;

	buf_addstr(&c->sql, " WHERE kn IS NOT NULL", e);
	if (n->lo)
		buf_printf(&c->sql, e, " AND kn > $%d::%s", p++, bound_cast(c->d->key_order));
	if (n->hi)
		buf_printf(&c->sql, e, " AND kn <= $%d::%s", p, bound_cast(c->d->key_order));
	return mg_err_isset(e) ? -1 : 0;
}

/* A bound as a text parameter: the decimal text itself, or bytea hex input. */
static char *bound_param(int order, const struct mg_buf *b, struct mg_err *e)
{
	static const char hx[] = "0123456789abcdef";
	struct mg_buf t;

	buf_init(&t, 0, "key");
	if (order != SRC_KEY_BYTES) {
		if (b->len && memchr(b->ptr, '\0', b->len)) {
			mg_err_set(e, MG_E_SOURCE, "a numeric key from the source contains a NUL byte");
			return NULL;
		}
		buf_add(&t, b->ptr ? b->ptr : (const unsigned char *)"", b->len, e);
	} else {
		buf_addstr(&t, "\\x", e);
		for (size_t i = 0; i < b->len; i++) {
			buf_addc(&t, hx[b->ptr[i] >> 4], e);
			buf_addc(&t, hx[b->ptr[i] & 15], e);
		}
	}
	if (mg_err_isset(e)) {
		buf_release(&t);
		return NULL;
	}
	if (!t.ptr)
		buf_addstr(&t, "", e);
	return buf_detach(&t, NULL);
}

/* the bounds present, as $1 and $2 */
static int range_params(struct ctx *c, const struct node *n, const char *p[2], char *own[2], int *np,
			struct mg_err *e)
{
	*np = 0;
	own[0] = own[1] = NULL;
	if (n->lo) {
		if (!(own[0] = bound_param(c->d->key_order, n->lo, e)))
			return -1;
		p[(*np)++] = own[0];
	}
	if (n->hi) {
		if (!(own[1] = bound_param(c->d->key_order, n->hi, e))) {
			free(own[0]);
			return -1;
		}
		p[(*np)++] = own[1];
	}
	return 0;
}

/* The run's records in the store, in one scan: work orders (with the
 * comparison of the recomputed unified hash and u_hash), rejects, merged
 * duplicates; indexed by the key in the source's order. */
static int store_gather(struct ctx *c, struct mg_err *e)
{
	const char *p[3] = {c->run, c->d->system, c->d->table->name};
	/* a run of several tables: the records of this one */
	const char *rej = c->d->several_tables ? " AND (r.source_table = $3::text"
			  " OR right(r.source_table, length($3::text) + 1) = '.' || $3::text)" : "";
	const char *mer = c->d->several_tables ? " AND m.source_table = $3::text" : "";

	buf_reset(&c->sql);
	buf_printf(&c->sql, e, "CREATE TEMP TABLE pg_temp.drill_store (kn %s, k bytea, h numeric(20,0), c boolean NOT NULL,"
		   " tab text NOT NULL, id bigint NOT NULL, legacy_id text) ON COMMIT DROP",
		   c->d->key_order == SRC_KEY_BYTES ? "bytea" : "numeric");
	if (mg_err_isset(e) || pgstore_exec(c->d->store, buf_cstr(&c->sql), 0, NULL, NULL, e))
		return -1;
	buf_reset(&c->sql);
	buf_addstr(&c->sql, "INSERT INTO pg_temp.drill_store SELECT ", e);
	key_expr(&c->sql, c->d->key_order, "x.k", e);
	buf_printf(&c->sql, e, ", x.k, x.h, x.c, x.tab, x.id, x.legacy_id FROM ("
		   "SELECT w.legacy_key AS k, w.src_hash AS h, w.u_hash IS DISTINCT FROM %s AS c,"
		   " '%s' AS tab, w.id, w.legacy_id FROM hotline.%s w"
		   " WHERE w.run_id = $1::bigint AND w.source_system = $2::text"
		   " UNION ALL SELECT r.legacy_key, r.src_hash, false, 'reject', r.id, NULL"
		   " FROM migration.reject r WHERE r.run_id = $1::bigint%s"
		   " UNION ALL SELECT m.legacy_key, m.src_hash, false, 'merged', m.id, m.legacy_id"
		   " FROM migration.merged m WHERE m.run_id = $1::bigint%s) x",
		   buf_cstr(&c->uhash), c->target->name, c->target->name, rej, mer);
	if (mg_err_isset(e) || pgstore_exec(c->d->store, buf_cstr(&c->sql), c->d->several_tables ? 3 : 2, p, NULL, e))
		return -1;
	return pgstore_exec(c->d->store, "CREATE INDEX ON pg_temp.drill_store (kn, tab, id);"
			    " ANALYZE pg_temp.drill_store", 0, NULL, NULL, e);
}

static int store_sums(struct ctx *c, struct node *n, struct mg_err *e)
{
	const char *p[2];
	char *own[2];
	int np, rc;
	PGresult *r;

	buf_reset(&c->sql);
	buf_addstr(&c->sql, "SELECT count(*), (coalesce(sum(h), 0) % 18446744073709551616)::text,"
		   " count(*) FILTER (WHERE c) FROM pg_temp.drill_store", e);
	if (range_cond(c, n, e) || range_params(c, n, p, own, &np, e))
		return -1;
	rc = pgstore_exec(c->d->store, buf_cstr(&c->sql), np, p, &r, e);
	free(own[0]);
	free(own[1]);
	if (rc)
		return -1;
	c->d->stats.store_queries++;
	n->st.rows = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	n->st.total = parse_u64_mod(PQgetvalue(r, 0, 1));
	n->st.changed = strtoull(PQgetvalue(r, 0, 2), NULL, 10);
	PQclear(r);
	return 0;
}

static int src_count(struct ctx *c, struct node *n, int minmax, struct mg_err *e)
{
	struct src_range_count rc = {0};

	if (minmax) {
		buf_reset(&c->minb);
		buf_reset(&c->maxb);
		rc.min = &c->minb;
		rc.max = &c->maxb;
	}
	if (c->d->src->drv->range->count(c->d->src, n->lo, n->hi, &rc, e))
		return -1;
	c->d->stats.source_queries++;
	n->src.rows = rc.rows;
	n->src.total = rc.total;
	if (minmax && rc.rows && !parse_ll(&c->minb, &n->imin) && !parse_ll(&c->maxb, &n->imax) &&
	    n->imin <= n->imax)
		n->have_ib = 1;
	return 0;
}

/* ---- the merge of a listed range ---------------------------------------- */

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static void cursor_clear(struct cursor *cu)
{
	PQclear(cu->res);
	cu->res = NULL;
	cu->row = cu->nrows = 0;
	cu->done = 0;
}

/* Make the cursor's current row available (fetching more when needed) and
 * decode its key; 0 with cu->done set at the end. */
static int cursor_peek(struct ctx *c, struct mg_err *e)
{
	struct cursor *cu = &c->cur;
	const char *hex;
	size_t n;

	if (cu->done)
		return 0;
	if (!cu->res || cu->row >= cu->nrows) {
		PQclear(cu->res);
		cu->res = NULL;
		if (pgstore_exec(c->d->store, "FETCH " FETCH_ROWS " FROM drill_list", 0, NULL, &cu->res, e))
			return -1;
		cu->row = 0;
		cu->nrows = PQntuples(cu->res);
		if (!cu->nrows) {
			cu->done = 1;
			return 0;
		}
	}
	buf_reset(&cu->key);
	cu->key_null = PQgetisnull(cu->res, cu->row, 0);
	hex = PQgetvalue(cu->res, cu->row, 0);
	n = strlen(hex);
	if (n % 2)
		return mg_err_set(e, MG_E_STORE, "unexpected key text from the store");
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return mg_err_set(e, MG_E_STORE, "unexpected key text from the store");
		if (buf_addc(&cu->key, hi << 4 | lo, e))
			return -1;
	}
	return 0;
}

static int emit(struct ctx *c, struct drill_finding *f, struct mg_err *e)
{
	c->d->stats.found[f->kind]++;
	return c->d->found ? c->d->found(c->d->arg, f, e) : 0;
}

/* A finding about the cursor's current store record. */
static int emit_store(struct ctx *c, int kind, int have_sh, uint64_t sh, struct mg_err *e)
{
	struct cursor *cu = &c->cur;
	struct drill_finding f = {
		.kind = kind,
		.key = cu->key_null ? NULL : cu->key.ptr ? cu->key.ptr : (const unsigned char *)"",
		.keylen = cu->key.len,
		.store_table = PQgetvalue(cu->res, cu->row, 3),
		.store_id = atoll(PQgetvalue(cu->res, cu->row, 4)),
		.legacy_id = PQgetisnull(cu->res, cu->row, 5) ? NULL : PQgetvalue(cu->res, cu->row, 5),
		.have_source_hash = have_sh,
		.source_hash = sh,
		.have_store_hash = !PQgetisnull(cu->res, cu->row, 1),
		.store_hash = parse_u64_mod(PQgetvalue(cu->res, cu->row, 1)),
	};

	return emit(c, &f, e);
}

static int on_source_row(void *arg, const unsigned char *key, size_t keylen, uint64_t hash, struct mg_err *e)
{
	struct ctx *c = arg;
	struct cursor *cu = &c->cur;

	c->d->stats.source_rows++;
	for (;;) {
		int cmp;

		if (cursor_peek(c, e))
			return -1;
		if (cu->done) {
			cmp = 1;
		} else {
			cmp = key_cmp(c->d->key_order, cu->key.ptr ? cu->key.ptr : (const unsigned char *)"", cu->key.len,
				      key, keylen);
		}
		if (cmp > 0) {
			struct drill_finding f = {
				.kind = DRILL_MISSING, .key = key, .keylen = keylen,
				.have_source_hash = 1, .source_hash = hash,
			};

			return emit(c, &f, e);
		}
		c->d->stats.store_rows++;
		if (cmp < 0) {
			if (emit_store(c, DRILL_EXTRA, 0, 0, e))
				return -1;
		} else {
			int have_h = !PQgetisnull(cu->res, cu->row, 1);
			uint64_t h = parse_u64_mod(PQgetvalue(cu->res, cu->row, 1));
			int changed = PQgetvalue(cu->res, cu->row, 2)[0] == 't';

			/* the store record of this source row */
			if (have_h && h != hash && emit_store(c, DRILL_SOURCE_CHANGED, 1, hash, e))
				return -1;
			if ((changed || !have_h) && emit_store(c, DRILL_CHANGED, 1, hash, e))
				return -1;
			cu->row++;
			return 0;
		}
		cu->row++;
	}
}

static int open_cursor(struct ctx *c, const struct node *n, struct mg_err *e)
{
	const char *p[2];
	char *own[2];
	int np, rc;

	buf_reset(&c->sql);
	buf_addstr(&c->sql, "DECLARE drill_list NO SCROLL CURSOR FOR SELECT encode(k, 'hex'), h::text, c, tab, id,"
		   " legacy_id FROM pg_temp.drill_store", e);
	if (range_cond(c, n, e) || buf_addstr(&c->sql, " ORDER BY kn, tab, id", e) ||
	    range_params(c, n, p, own, &np, e))
		return -1;
	rc = pgstore_exec(c->d->store, buf_cstr(&c->sql), np, p, NULL, e);
	free(own[0]);
	free(own[1]);
	cursor_clear(&c->cur);
	return rc;
}

static int close_cursor(struct ctx *c, struct mg_err *e)
{
	cursor_clear(&c->cur);
	return pgstore_exec(c->d->store, "CLOSE drill_list", 0, NULL, NULL, e);
}

/* List both sides of range n in key order and merge them. */
static int list_range(struct ctx *c, const struct node *n, struct mg_err *e)
{
	struct cursor *cu = &c->cur;

	c->d->stats.listed++;
	if (open_cursor(c, n, e))
		return -1;
	if (c->d->src->drv->range->list(c->d->src, n->lo, n->hi, on_source_row, c, e))
		return -1;
	/* what the store has beyond the source's last row */
	for (;;) {
		if (cursor_peek(c, e))
			return -1;
		if (cu->done)
			break;
		c->d->stats.store_rows++;
		if (emit_store(c, DRILL_EXTRA, 0, 0, e))
			return -1;
		cu->row++;
	}
	return close_cursor(c, e);
}

/* Records of the run whose key cannot be placed in the source's order:
 * NULL, or (numeric keys) not a number. Every one is extra. */
static int list_keyless(struct ctx *c, struct mg_err *e)
{
	struct cursor *cu = &c->cur;

	if (pgstore_exec(c->d->store, "DECLARE drill_list NO SCROLL CURSOR FOR SELECT encode(k, 'hex'), h::text,"
			 " false, tab, id, legacy_id FROM pg_temp.drill_store WHERE kn IS NULL ORDER BY tab, id", 0, NULL, NULL, e))
		return -1;
	cursor_clear(cu);
	for (;;) {
		if (cursor_peek(c, e))
			return -1;
		if (cu->done)
			break;
		c->d->stats.store_rows++;
		if (emit_store(c, DRILL_EXTRA, 0, 0, e))
			return -1;
		cu->row++;
	}
	return close_cursor(c, e);
}

/* ---- bisection ----------------------------------------------------------- */

static int agree(const struct node *n)
{
	return n->src.rows == n->st.rows && n->src.total == n->st.total && !n->st.changed;
}

static int visit(struct ctx *c, struct node *n, unsigned depth, struct mg_err *e)
{
	struct drill *d = c->d;
	struct mg_buf mid;
	struct node l, r;
	int rc = -1;

	d->stats.ranges++;
	if (depth > d->stats.max_depth)
		d->stats.max_depth = depth;
	if (agree(n))
		return 0;
	if (n->src.rows <= d->leaf_rows || n->src.rows < 2 || depth >= MAX_DEPTH)
		return list_range(c, n, e);
	buf_init(&mid, c->d->table->max_field_bytes ? c->d->table->max_field_bytes : KEY_CAP, "key");
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	if (d->key_order == SRC_KEY_INTEGER && n->have_ib && n->imin < n->imax) {
		/* integer keys: the midpoint of the keys' interval */
		long long m = n->imin + (long long)(((unsigned long long)n->imax - (unsigned long long)n->imin) / 2);

		if (buf_printf(&mid, e, "%lld", m))
			goto out;
		l.have_ib = r.have_ib = 1;
		l.imin = n->imin;
		l.imax = m;
		r.imin = m + 1;
		r.imax = n->imax;
	} else {
		/* the source's median key */
		int st = d->src->drv->range->key_at(d->src, n->lo, n->hi, (n->src.rows - 1) / 2, &mid, e);

		d->stats.source_queries++;
		if (st == MG_ERR)
			goto out;
		if (st == MG_DONE) {
			/* fewer rows than counted: the source moved; list */
			rc = list_range(c, n, e);
			goto out;
		}
		r.have_ib = 0;
	}
	l.lo = n->lo;
	l.hi = &mid;
	if (src_count(c, &l, 0, e) || store_sums(c, &l, e))
		goto out;
	/* the right half by difference: one query per side per level */
	r.lo = &mid;
	r.hi = n->hi;
	r.src.rows = n->src.rows - l.src.rows;
	r.src.total = n->src.total - l.src.total;
	r.st.rows = n->st.rows - l.st.rows;
	r.st.total = n->st.total - l.st.total;
	r.st.changed = n->st.changed - l.st.changed;
	if (l.src.rows > n->src.rows || l.st.rows > n->st.rows || l.st.changed > n->st.changed) {
		/* a side changed under us (no snapshot): ask for the right half too */
		if (src_count(c, &r, 0, e) || store_sums(c, &r, e))
			goto out;
	}
	if (visit(c, &l, depth + 1, e) || visit(c, &r, depth + 1, e))
		goto out;
	rc = 0;
out:
	buf_release(&mid);
	return rc;
}

static void ctx_release(struct ctx *c)
{
	cursor_clear(&c->cur);
	buf_release(&c->cur.key);
	buf_release(&c->sql);
	buf_release(&c->uhash);
	buf_release(&c->minb);
	buf_release(&c->maxb);
}

int drill_run(struct drill *d, struct mg_err *e)
{
	const struct source_range_ops *ops = d->src->drv->range;
	struct ctx c;
	struct node top;
	int rc = -1, in_tx = 0;

	memset(&d->stats, 0, sizeof(d->stats));
	if (!ops || !ops->begin || !ops->count || !ops->key_at || !ops->list)
		return mg_err_set(e, MG_E_CONFIG, "drill-down is not supported by source driver '%s'", d->src->drv->name);
	if (!d->leaf_rows)
		d->leaf_rows = LEAF_ROWS;
	memset(&c, 0, sizeof(c));
	c.d = d;
	snprintf(c.run, sizeof(c.run), "%lld", d->run_id);
	buf_init(&c.sql, 0, "sql");
	buf_init(&c.uhash, 0, "sql");
	buf_init(&c.cur.key, KEY_CAP, "key");
	buf_init(&c.minb, 64, "key");
	buf_init(&c.maxb, 64, "key");
	c.target = d->target ? d->target : &schema_work_order;
	if (c.target->raw) {
		mg_err_set(e, MG_E_USAGE, "drill-down covers unified tables; table '%s' landed raw rows", d->table->name);
		goto out;
	}
	if (ops->begin(d->src, d->table, d->cols, &d->key_order, e))
		goto out;
	/* a record's unified hash, recomputed as an unsigned number */
	if (buf_addstr(&c.uhash, "(((('x' || substr(encode(sha256(convert_to(", e) ||
	    pgstore_canon_sql(c.target, "w", &c.uhash, e) ||
	    buf_addstr(&c.uhash, ", 'UTF8')), 'hex'), 1, 16))::bit(64)::bigint)::numeric + 18446744073709551616)"
		       " % 18446744073709551616)", e))
		goto out;
	if (pgstore_exec(d->store, "BEGIN", 0, NULL, NULL, e))
		goto out;
	in_tx = 1;
	if (store_gather(&c, e) || list_keyless(&c, e))
		goto out;
	memset(&top, 0, sizeof(top));
	if (src_count(&c, &top, d->key_order == SRC_KEY_INTEGER, e) || store_sums(&c, &top, e) ||
	    visit(&c, &top, 0, e))
		goto out;
	rc = 0;
out:
	if (in_tx) {
		cursor_clear(&c.cur);
		if (rc)
			PQclear(PQexec(d->store->conn, "ROLLBACK"));
		else if (pgstore_exec(d->store, "COMMIT", 0, NULL, NULL, e))
			rc = -1;
	}
	ctx_release(&c);
	return rc;
}

/* ---- aggregates ---------------------------------------------------------- */

#define STAMP(x) "to_char(" x " AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')"
#define RUN_ORDERS "(SELECT to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS m, category_code, status," \
	" received_at FROM hotline.work_order WHERE source_system = $1 AND run_id = $2) w"

int drill_aggregates(struct pgstore *s, const char *system, long long run_id, PGresult **res, struct mg_err *e)
{
	char run[24];
	const char *p[2] = {system, run};

	*res = NULL;
	snprintf(run, sizeof(run), "%lld", run_id);
	return pgstore_exec(s, "SELECT CASE GROUPING(m, category_code, status) WHEN 7 THEN 'all' WHEN 3 THEN 'month'"
			    " WHEN 5 THEN 'category' ELSE 'status' END AS dim, m, category_code, status, count(*),"
			    " " STAMP("min(received_at)") ", " STAMP("max(received_at)") " FROM " RUN_ORDERS
			    " GROUP BY GROUPING SETS ((), (m), (category_code), (status))"
			    " ORDER BY 1, 2 NULLS LAST, 5 DESC, 3 NULLS LAST, 4 NULLS LAST", 2, p, res, e);
}

int drill_aggregate_cube(struct pgstore *s, const char *system, long long run_id, unsigned limit, PGresult **res,
			 struct mg_err *e)
{
	char run[24], lim[32] = "", sql[1024];
	const char *p[2] = {system, run};

	*res = NULL;
	snprintf(run, sizeof(run), "%lld", run_id);
	if (limit)
		snprintf(lim, sizeof(lim), " LIMIT %u", limit);
	snprintf(sql, sizeof(sql), "SELECT 'cube', m, category_code, status, count(*), " STAMP("min(received_at)") ", "
		 STAMP("max(received_at)") " FROM " RUN_ORDERS " GROUP BY 2, 3, 4 ORDER BY 2 NULLS LAST, 3 NULLS LAST,"
		 " 4 NULLS LAST%s", lim);
	return pgstore_exec(s, sql, 2, p, res, e);
}

int drill_ledger_loaded(struct pgstore *s, long long run_id, const char *table, long long *rows_out, int *have,
			struct mg_err *e)
{
	char run[24];
	const char *p[2] = {run, table};
	PGresult *r;

	snprintf(run, sizeof(run), "%lld", run_id);
	if (pgstore_exec(s, "SELECT sum(rows_out) FROM migration.stage_ledger WHERE run_id = $1 AND source_table = $2"
			 " AND stage = 'load'", 2, p, &r, e))
		return -1;
	*have = !PQgetisnull(r, 0, 0);
	*rows_out = *have ? atoll(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return 0;
}
