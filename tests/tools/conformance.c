/* tests/tools/conformance.c: one source driver through the contract of
 * extractors/extractor.h, on a fixture whose rows the caller knows.
 *
 *   conformance --list
 *       print every registered driver, one a line; exit 1 if an entry is
 *       not compiled in
 *   conformance PLAYBOOK --rows N [--rejects N] [--first KEY] [--last KEY]
 *               [--bad-table I,...] [--bad-open PLAYBOOK2] [--resume K,...|none]
 *               [--watermark I=W]
 *       run the driver of PLAYBOOK over its first table (the fixture):
 *       open, start, next_batch to MG_DONE and twice more, the rows' count
 *       and keys, the same rows with one row per batch, resumption after
 *       the key of row K (default: 1, n/2, n-1 and n, the last: no rows;
 *       none: not checked), recount (when the driver has one) against the
 *       count and content total of the rows read (migrate/hash.h, as
 *       plan_hash_raw computes it), the drill-down range operations (when
 *       the driver has them) over several (lo, hi] ranges of the rows read,
 *       start failing on each table I of the playbook (a missing table,
 *       file or key column) with a message and close after it, open failing
 *       on PLAYBOOK2, close(NULL), and for a driver that claims
 *       SRC_CAN_WATERMARK, an incremental read and recount with wm_since W
 *       of table I (whose `watermark` is the fixture's integer key column).
 *
 * Prints "ok DRIVER: RULE" or "not ok DRIVER: RULE" once per rule, with the
 * details of the first failures, and a "# DRIVER: rows=..." summary; exits
 * 0 when every rule holds, 1 otherwise, 2 on a usage error. Built by
 * tests/t0700-conformance.sh against the build's objects; not part of the
 * toolkit. Under AddressSanitizer a crash or leak in close after an error
 * fails the run too.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/extractor.h"
#include "migrate/buf.h"
#include "migrate/hash.h"
#include "migrate/playbook.h"
#include "transform/plan.h"

enum rule {
	R_REGISTRY,
	R_CALLBACKS,
	R_CLOSE_NULL,
	R_OPEN,
	R_START,
	R_STATUS,
	R_BATCH,
	R_KEY,
	R_LAST_KEY,
	R_UNIQUE,
	R_DONE_AGAIN,
	R_COUNT,
	R_REJECTS,
	R_FIRST,
	R_LAST,
	R_BATCH_SIZE,
	R_RESUME,
	R_RESUME_END,
	R_ERR_START,
	R_ERR_CLOSE,
	R_ERR_OPEN,
	R_RECOUNT,
	R_RECOUNT_AFTER,
	R_RANGE_COUNT,
	R_RANGE_KEY_AT,
	R_RANGE_LIST,
	R_WATERMARK,
	R_NRULES
};

static struct {
	const char *text;
	unsigned checked, failed;
} rules[R_NRULES] = {
	[R_REGISTRY] = {.text = "registered and compiled in"},
	[R_CALLBACKS] = {.text = "open, start, next_batch and close are set; "
				 "recount is set exactly when caps has SRC_CAN_RECOUNT"},
	[R_CLOSE_NULL] = {.text = "close(NULL) is safe"},
	[R_OPEN] = {.text = "open succeeds on the fixture"},
	[R_START] = {.text = "start succeeds and names the columns"},
	[R_STATUS] = {.text = "next_batch returns MG_OK or MG_DONE on the fixture and makes progress"},
	[R_BATCH] = {.text = "a batch keeps the table's columns and at most max_rows rows"},
	[R_KEY] = {.text = "every row has a non-empty key"},
	[R_LAST_KEY] = {.text = "a batch with rows carries its last row's key as last_key (the checkpoint)"},
	[R_UNIQUE] = {.text = "keys are unique"},
	[R_DONE_AGAIN] = {.text = "MG_DONE again on a second and third call after MG_DONE, with no rows"},
	[R_COUNT] = {.text = "the row count matches the fixture"},
	[R_REJECTS] = {.text = "the reject count matches the fixture"},
	[R_FIRST] = {.text = "the first key matches the fixture"},
	[R_LAST] = {.text = "the last key matches the fixture"},
	[R_BATCH_SIZE] = {.text = "one row per batch gives the same rows, keys and order"},
	[R_RESUME] = {.text = "start after the key of row k yields exactly rows k+1..n, in order"},
	[R_RESUME_END] = {.text = "start after the last key yields no rows"},
	[R_ERR_START] = {.text = "start of a missing table, file or key column fails (MG_ERR) "
				 "with a one-line lowercase message"},
	[R_ERR_CLOSE] = {.text = "close after a failed start is safe"},
	[R_ERR_OPEN] = {.text = "a failed open returns MG_ERR with a one-line lowercase message; "
				"what it hands out closes"},
	[R_RECOUNT] = {.text = "recount on its own source equals the count and content total of the rows read"},
	[R_RECOUNT_AFTER] = {.text = "recount after the extraction, on the same source, equals the rows read"},
	[R_RANGE_COUNT] = {.text = "range count of (lo, hi] equals the rows read in that range "
				   "(count, content total, integer min/max)"},
	[R_RANGE_KEY_AT] = {.text = "range key_at(n) is the key of row n of (lo, hi], MG_DONE past its end"},
	[R_RANGE_LIST] = {.text = "range list of (lo, hi] streams the keys and record hashes of the rows read, "
				  "in order"},
	[R_WATERMARK] = {.text = "with wm_since W, start yields exactly the rows whose watermark is >= W - overlap, "
				 "and recount covers the same window"},
};

#define MAX_DETAILS 5

static const char *drv_name = "?";

/* Check one rule; the first failures print their detail. */
static int check(enum rule r, int cond, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int check(enum rule r, int cond, const char *fmt, ...)
{
	va_list ap;

	rules[r].checked++;
	if (cond)
		return 1;
	if (rules[r].failed++ < MAX_DETAILS) {
		printf("# %s: %s: ", drv_name, rules[r].text);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
	}
	return 0;
}

/* Bytes for messages: printable ASCII as is, others as \xHH. */
static const char *show(const void *p, size_t n)
{
	static char out[4][512];
	static int slot;
	char *o = out[slot++ & 3];
	const unsigned char *s = p;
	size_t j = 0;

	for (size_t i = 0; i < n && j + 5 < sizeof(out[0]); i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			o[j++] = (char)s[i];
		else
			j += (size_t)snprintf(o + j, 5, "\\x%02x", s[i]);
	}
	o[j] = '\0';
	return o;
}

struct row {
	unsigned char *key;
	size_t keylen;
	uint64_t hash;
};

struct rows {
	struct row *v;
	size_t n, cap;
	uint64_t total;          /* sum of the rows' source-domain hashes */
	uint64_t rejects;
};

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].key);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void *xalloc(void *p)
{
	if (!p) {
		fprintf(stderr, "conformance: out of memory\n");
		exit(2);
	}
	return p;
}

static void rows_add(struct rows *r, const unsigned char *k, size_t kn, uint64_t h)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = xalloc(realloc(r->v, r->cap * sizeof(*r->v)));
	}
	r->v[r->n].key = xalloc(malloc(kn + 1));   /* NUL-terminated, as in a struct mg_buf */
	memcpy(r->v[r->n].key, k, kn);
	r->v[r->n].key[kn] = '\0';
	r->v[r->n].keylen = kn;
	r->v[r->n].hash = h;
	r->n++;
	r->total += h;
}

static int same_key(const struct row *a, const void *k, size_t kn)
{
	return a->keylen == kn && !memcmp(a->key, k, kn);
}

/* Read table t of an open, started source to MG_DONE (and twice more),
 * with batches of max_rows rows. Returns 0, or -1 if reading failed (the
 * failure is checked and reported). */
static int read_all(struct source *src, const struct pb_table *t, const struct mg_columns *cols, unsigned max_rows,
		    struct rows *out, const char *what)
{
	const struct source_driver *drv = src->drv;
	struct mg_hasher *h = hasher_new();
	struct mg_buf scratch;
	struct mg_batch b;
	struct mg_err e = {0};
	unsigned long calls = 0, empty = 0;
	int rc = -1;

	buf_init(&scratch, 0, "canonical row");
	if (!h || batch_init(&b, cols->n, max_rows, t->max_field_bytes, &e)) {
		fprintf(stderr, "conformance: %s\n", h ? e.msg : "cannot initialise SHA-256");
		exit(2);
	}
	for (;;) {
		int r;

		batch_reset(&b);
		r = drv->next_batch(src, &b, &e);
		calls++;
		if (!check(R_STATUS, r == MG_OK || r == MG_DONE, "%s: call %lu returned %d%s%s", what, calls, r,
			   e.code ? ": " : "", e.msg))
			goto out;
		if (r == MG_DONE) {
			check(R_DONE_AGAIN, b.nrows == 0 && b.nxrej == 0, "%s: MG_DONE with %u rows and %u rejects", what,
			      b.nrows, b.nxrej);
			break;
		}
		if (!check(R_BATCH, b.ncols == cols->n && b.nrows <= b.max_rows && b.max_rows == max_rows,
			   "%s: batch of %u rows, %u columns (max_rows %u, table columns %u)", what, b.nrows, b.ncols,
			   max_rows, cols->n))
			goto out;
		empty = b.nrows || b.nxrej ? 0 : empty + 1;
		if (!check(R_STATUS, empty < 10000, "%s: 10000 calls in a row returned MG_OK with no row", what))
			goto out;
		if (plan_hash_raw(h, &scratch, &b, &e)) {
			fprintf(stderr, "conformance: %s\n", e.msg);
			exit(2);
		}
		out->rejects += b.nxrej;
		for (unsigned i = 0; i < b.nrows; i++) {
			size_t kn;
			const unsigned char *k = batch_key(&b, i, &kn);

			check(R_KEY, kn > 0, "%s: row %zu has an empty key", what, out->n + 1);
			rows_add(out, k, kn, b.prov[i].src_hash);
		}
		if (b.nrows) {
			size_t kn;
			const unsigned char *k = batch_key(&b, b.nrows - 1, &kn);

			check(R_LAST_KEY, b.have_last_key && b.last_key.len == kn && !memcmp(b.last_key.ptr, k, kn),
			      "%s: batch ending with key '%s' has last_key '%s'%s", what, show(k, kn),
			      show(b.last_key.ptr, b.last_key.len), b.have_last_key ? "" : " (not set)");
		}
	}
	/* DONE again, twice, with nothing in the batch */
	for (int again = 0; again < 2; again++) {
		int r;

		batch_reset(&b);
		r = drv->next_batch(src, &b, &e);
		check(R_DONE_AGAIN, r == MG_DONE && b.nrows == 0 && b.nxrej == 0,
		      "%s: call %d after MG_DONE returned %d with %u rows, %u rejects%s%s", what, again + 2, r, b.nrows,
		      b.nxrej, e.code ? ": " : "", e.msg);
	}
	rc = 0;
out:
	batch_release(&b);
	buf_release(&scratch);
	hasher_free(h);
	return rc;
}

/* Open, start (after the given key, if any), read all, and keep the source
 * open in *keep when keep is given. */
static int run(struct playbook *pb, const struct pb_table *t, const struct mg_buf *after, unsigned max_rows,
	       struct rows *out, struct mg_columns *cols, struct source **keep, const char *what)
{
	const struct source_driver *drv = source_driver_find(pb->driver);
	struct source *src = NULL;
	struct mg_err e = {0};
	int rc = -1;

	memset(cols, 0, sizeof(*cols));
	printf("# %s: %s\n", drv_name, what);   /* a crash shows after which step */
	if (!check(R_OPEN, drv->open(pb, &src, &e) == 0 && src, "%s: %s", what, e.msg))
		goto out;
	if (!check(R_START, drv->start(src, t, after, cols, &e) == 0, "%s: %s", what, e.msg))
		goto out;
	{
		int named = cols->n > 0 && cols->n <= MG_MAX_COLS;

		for (unsigned c = 0; named && c < cols->n; c++)
			named = cols->name[c] && cols->name[c][0];
		if (!check(R_START, named, "%s: %u columns, or a column without a name", what, cols->n))
			goto out;
	}
	rc = read_all(src, t, cols, max_rows, out, what);
out:
	if (keep && rc == 0)
		*keep = src;
	else
		drv->close(src);
	return rc;
}

static int message_ok(const struct mg_err *e)
{
	return e->code != MG_E_NONE && e->msg[0] && !strchr(e->msg, '\n') && !(e->msg[0] >= 'A' && e->msg[0] <= 'Z');
}

/* ---- drill-down range operations (struct source_range_ops) ---- */

struct listing {
	const struct rows *all;
	size_t next, end;         /* rows expected: all[next..end) */
	int ok;
	char why[256];
};

static int on_row(void *arg, const unsigned char *key, size_t keylen, uint64_t hash, struct mg_err *e)
{
	struct listing *l = arg;

	(void)e;
	if (!l->ok)
		return 0;
	if (l->next >= l->end) {
		l->ok = 0;
		snprintf(l->why, sizeof(l->why), "extra row '%s'", show(key, keylen));
	} else if (!same_key(&l->all->v[l->next], key, keylen) || l->all->v[l->next].hash != hash) {
		l->ok = 0;
		snprintf(l->why, sizeof(l->why), "row %zu: '%s' %016llx, expected '%s' %016llx", l->next + 1,
			 show(key, keylen), (unsigned long long)hash, show(l->all->v[l->next].key, l->all->v[l->next].keylen),
			 (unsigned long long)l->all->v[l->next].hash);
	}
	l->next++;
	return 0;
}

/* Bound of a range: after row k (1-based), or open (k == 0 as lo, k > n as hi). */
static const struct mg_buf *bound(const struct rows *all, size_t k, struct mg_buf *b)
{
	if (k == 0 || k > all->n)
		return NULL;
	b->ptr = all->v[k - 1].key;   /* a struct mg_buf over the kept key: ptr[len] is NUL */
	b->len = all->v[k - 1].keylen;
	b->alloc = b->len + 1;
	return b;
}

/* Rows of check_range's table: 1-based, or one of these (B_OPEN: no bound;
 * as a row number, the last row). */
enum { B_OPEN = -1, B_HALF = -2, B_PENULT = -3, B_LAST = -4 };

static size_t row_of(int r, size_t n)
{
	return r == B_HALF ? n / 2 : r == B_PENULT ? n - 1 : r == B_LAST || r == B_OPEN ? n : (size_t)r;
}

/* The range operations over (row lo, row hi] of the rows read. */
static void check_range(const struct source_driver *drv, struct playbook *pb, const struct pb_table *t,
			const struct mg_columns *cols, const struct rows *all)
{
	/* (row lo, row hi]; lo 0 and hi B_OPEN are open bounds */
	static const struct {
		int lo, hi;
	} ranges[] = {{0, B_OPEN}, {0, B_HALF}, {1, B_PENULT}, {B_HALF, B_OPEN}, {2, 3}, {3, 3},
		      {B_PENULT, B_OPEN}, {B_LAST, B_OPEN}};
	const struct source_range_ops *ops = drv->range;
	struct source *src = NULL;
	struct mg_err e = {0};
	int order = -1;
	size_t n = all->n;

	printf("# %s: drill-down range operations\n", drv_name);
	if (!check(R_RANGE_COUNT, ops->begin && ops->count && ops->key_at && ops->list, "a range callback is NULL") ||
	    !check(R_RANGE_COUNT, drv->open(pb, &src, &e) == 0, "open: %s", e.msg) ||
	    !check(R_RANGE_COUNT, ops->begin(src, t, cols, &order, &e) == 0, "begin: %s", e.msg) ||
	    !check(R_RANGE_COUNT, order == SRC_KEY_BYTES || order == SRC_KEY_INTEGER || order == SRC_KEY_NUMBER,
		   "begin gave key order %d", order))
		goto out;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		size_t lo = row_of(ranges[i].lo, n), hi = row_of(ranges[i].hi, n);
		struct mg_buf blo = {0}, bhi = {0}, mn, mx, key;
		const struct mg_buf *plo = bound(all, lo, &blo);
		const struct mg_buf *phi = ranges[i].hi == B_OPEN ? NULL : bound(all, hi, &bhi);
		struct src_range_count c = {0};
		struct listing l = {.all = all, .next = lo, .end = hi, .ok = 1};
		uint64_t total = 0;
		char what[64];
		int r;

		if (hi > n || lo > hi)
			continue;
		snprintf(what, sizeof(what), "(row %zu, row %zu]", lo, hi);
		for (size_t k = lo; k < hi; k++)
			total += all->v[k].hash;
		buf_init(&mn, 0, "key");
		buf_init(&mx, 0, "key");
		buf_init(&key, 0, "key");
		c.min = &mn;
		c.max = &mx;
		mg_err_clear(&e);
		if (check(R_RANGE_COUNT, ops->count(src, plo, phi, &c, &e) == 0, "%s: %s", what, e.msg)) {
			check(R_RANGE_COUNT, c.rows == hi - lo && c.total == total, "%s: %llu rows, total %016llx; read %zu, %016llx",
			      what, (unsigned long long)c.rows, (unsigned long long)c.total, hi - lo, (unsigned long long)total);
			if (order == SRC_KEY_INTEGER && hi > lo)
				check(R_RANGE_COUNT, same_key(&all->v[lo], mn.ptr, mn.len) && same_key(&all->v[hi - 1], mx.ptr, mx.len),
				      "%s: min '%s' max '%s', expected '%s' '%s'", what, show(mn.ptr, mn.len), show(mx.ptr, mx.len),
				      show(all->v[lo].key, all->v[lo].keylen), show(all->v[hi - 1].key, all->v[hi - 1].keylen));
		}
		/* key_at: the middle row, and one past the end */
		if (hi > lo) {
			size_t m = (hi - lo - 1) / 2;

			r = ops->key_at(src, plo, phi, m, &key, &e);
			check(R_RANGE_KEY_AT, r == MG_OK && same_key(&all->v[lo + m], key.ptr, key.len),
			      "%s: key_at(%zu) returned %d, key '%s', expected '%s'%s%s", what, m, r, show(key.ptr, key.len),
			      show(all->v[lo + m].key, all->v[lo + m].keylen), e.code ? ": " : "", e.msg);
		}
		buf_reset(&key);
		mg_err_clear(&e);
		r = ops->key_at(src, plo, phi, hi - lo, &key, &e);
		check(R_RANGE_KEY_AT, r == MG_DONE, "%s: key_at(%zu) past the end returned %d%s%s", what, hi - lo, r,
		      e.code ? ": " : "", e.msg);
		mg_err_clear(&e);
		r = ops->list(src, plo, phi, on_row, &l, &e);
		check(R_RANGE_LIST, r == 0 && l.ok && l.next == hi, "%s: returned %d, %zu rows listed, expected %zu%s%s%s%s",
		      what, r, l.next - lo, hi - lo, l.ok ? "" : "; ", l.why, e.code ? ": " : "", e.msg);
		buf_release(&mn);
		buf_release(&mx);
		buf_release(&key);
	}
out:
	drv->close(src);
}

/* ---- incremental runs: wm_since (SRC_CAN_WATERMARK) ----
 * Table ti of the playbook reads the fixture's table with `watermark` set to
 * its integer key column, so the window is the rows whose key >= W - overlap. */
static void check_watermark(const struct source_driver *drv, struct playbook *pb, size_t ti, const char *since_text,
			    const struct rows *all)
{
	const struct pb_table *tw = &pb->tables[ti];
	long long lo = atoll(since_text) - (long long)tw->watermark_overlap;
	struct rows want = {0}, got = {0};
	struct mg_columns c;
	struct mg_buf since;
	struct mg_err e = {0};
	struct source *src = NULL;
	char what[64];

	for (size_t i = 0; i < all->n; i++) {
		char *end;
		long long k = strtoll((const char *)all->v[i].key, &end, 10);

		if (*end || end == (const char *)all->v[i].key) {
			fprintf(stderr, "conformance: --watermark needs integer keys, not '%s'\n",
				show(all->v[i].key, all->v[i].keylen));
			exit(2);
		}
		if (k >= lo)
			rows_add(&want, all->v[i].key, all->v[i].keylen, all->v[i].hash);
	}
	buf_init(&since, 0, "watermark");
	if (buf_addstr(&since, since_text, &e)) {
		fprintf(stderr, "conformance: %s\n", e.msg);
		exit(2);
	}
	snprintf(what, sizeof(what), "watermark since %s", since_text);
	printf("# %s: %s (table %zu, overlap %u)\n", drv_name, what, ti, tw->watermark_overlap);
	memset(&c, 0, sizeof(c));
	if (check(R_WATERMARK, drv->open(pb, &src, &e) == 0, "%s: open: %s", what, e.msg)) {
		src->wm_since = &since;
		if (check(R_WATERMARK, drv->start(src, tw, NULL, &c, &e) == 0, "%s: start: %s", what, e.msg) &&
		    !read_all(src, tw, &c, tw->batch_rows, &got, what)) {
			int same = got.n == want.n && got.total == want.total;

			for (size_t i = 0; same && i < got.n; i++)
				same = same_key(&want.v[i], got.v[i].key, got.v[i].keylen);
			check(R_WATERMARK, same, "%s: %zu rows (first '%s'), expected %zu (first '%s')", what, got.n,
			      got.n ? show(got.v[0].key, got.v[0].keylen) : "-", want.n,
			      want.n ? show(want.v[0].key, want.v[0].keylen) : "-");
		}
	}
	if (drv->recount && rules[R_WATERMARK].failed == 0) {
		struct source *src2 = NULL;
		struct mg_count cnt = {0};

		mg_err_clear(&e);
		if (check(R_WATERMARK, drv->open(pb, &src2, &e) == 0, "%s: open for recount: %s", what, e.msg)) {
			src2->wm_since = &since;
			if (check(R_WATERMARK, drv->recount(src2, tw, &c, &cnt, &e) == 0, "%s: recount: %s", what, e.msg))
				check(R_WATERMARK, cnt.rows == want.n && cnt.total == want.total,
				      "%s: recount %llu rows, total %016llx; the window holds %zu rows, total %016llx", what,
				      (unsigned long long)cnt.rows, (unsigned long long)cnt.total, want.n,
				      (unsigned long long)want.total);
		}
		drv->close(src2);
	}
	drv->close(src);
	buf_release(&since);
	rows_free(&want);
	rows_free(&got);
}

static int list(void)
{
	int rc = 0;

	for (size_t i = 0; i < source_driver_count(); i++) {
		const struct source_driver *d = source_driver_at(i);

		if (d) {
			puts(d->name);
		} else {
			printf("not ok registry entry %zu: not compiled in\n", i);
			rc = 1;
		}
	}
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: conformance --list\n"
			"       conformance PLAYBOOK --rows N [--rejects N] [--first KEY] [--last KEY]\n"
			"                   [--bad-table I,...] [--bad-open PLAYBOOK2] [--resume K,...|none]\n"
			"                   [--watermark I=W]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *first = NULL, *last = NULL, *bad_open = NULL, *resume = NULL, *watermark = NULL;
	long long want_rows = -1, want_rejects = 0;
	const char *bad_tables = NULL;
	struct playbook *pb = NULL;
	const struct source_driver *drv = NULL;
	const struct pb_table *t;
	struct mg_err e = {0};
	struct rows all = {0};
	struct mg_columns cols;
	struct source *kept = NULL;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "--list"))
		return list();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			if (path)
				return usage();
			path = a;
		} else if (i + 1 >= argc) {
			return usage();
		} else if (!strcmp(a, "--rows")) {
			want_rows = atoll(argv[++i]);
		} else if (!strcmp(a, "--rejects")) {
			want_rejects = atoll(argv[++i]);
		} else if (!strcmp(a, "--first")) {
			first = argv[++i];
		} else if (!strcmp(a, "--last")) {
			last = argv[++i];
		} else if (!strcmp(a, "--bad-table")) {
			bad_tables = argv[++i];
		} else if (!strcmp(a, "--bad-open")) {
			bad_open = argv[++i];
		} else if (!strcmp(a, "--resume")) {
			resume = argv[++i];
		} else if (!strcmp(a, "--watermark")) {
			watermark = argv[++i];
		} else {
			return usage();
		}
	}
	if (!path || want_rows < 0)
		return usage();
	if (playbook_load(&pb, path, &e)) {
		fprintf(stderr, "conformance: %s\n%s", e.msg, pb ? buf_cstr(&pb->diags) : "");
		playbook_free(pb);
		return 2;
	}
	drv_name = pb->driver;
	if (pb->ntables < 1) {
		fprintf(stderr, "conformance: %s: needs a fixture table\n", path);
		playbook_free(pb);
		return 2;
	}
	t = &pb->tables[0];

	/* the registry */
	for (size_t i = 0; i < source_driver_count(); i++) {
		const struct source_driver *d = source_driver_at(i);

		check(R_REGISTRY, d != NULL, "registry entry %zu is not compiled in", i);
		if (d && !strcmp(d->name, pb->driver))
			drv = d;
	}
	if (!check(R_REGISTRY, drv && drv == source_driver_find(pb->driver) && source_driver_known(pb->driver),
		   "driver '%s' not found by iterating the registry", pb->driver))
		goto report;
	if (!check(R_CALLBACKS, drv->open && drv->start && drv->next_batch && drv->close,
		   "a mandatory callback is NULL") ||
	    !check(R_CALLBACKS, !drv->recount == !(drv->caps & SRC_CAN_RECOUNT), "caps 0x%x, recount %s", drv->caps,
		   drv->recount ? "set" : "NULL"))
		goto report;
	printf("# %s: close(NULL)\n", drv_name);
	drv->close(NULL);
	check(R_CLOSE_NULL, 1, "-");

	/* everything, in batches of the table's batch_rows */
	if (run(pb, t, NULL, t->batch_rows, &all, &cols, &kept, "full read"))
		goto report;
	for (size_t i = 0; i < all.n; i++)
		for (size_t j = i + 1; j < all.n && j < i + 100000; j++)
			if (!check(R_UNIQUE, !same_key(&all.v[i], all.v[j].key, all.v[j].keylen),
				   "rows %zu and %zu have the key '%s'", i + 1, j + 1, show(all.v[i].key, all.v[i].keylen)))
				break;
	check(R_COUNT, (long long)all.n == want_rows, "read %zu rows, the fixture has %lld", all.n, want_rows);
	check(R_REJECTS, (long long)all.rejects == want_rejects, "read %llu rejects, the fixture has %lld",
	      (unsigned long long)all.rejects, want_rejects);
	if (first)
		check(R_FIRST, all.n && same_key(&all.v[0], first, strlen(first)), "first key '%s', expected '%s'",
		      all.n ? show(all.v[0].key, all.v[0].keylen) : "(no row)", show(first, strlen(first)));
	if (last)
		check(R_LAST, all.n && same_key(&all.v[all.n - 1], last, strlen(last)), "last key '%s', expected '%s'",
		      all.n ? show(all.v[all.n - 1].key, all.v[all.n - 1].keylen) : "(no row)", show(last, strlen(last)));

	/* recount: on the source that just read the table, and on its own */
	if (drv->recount) {
		struct mg_count c = {0};
		struct source *src = NULL;

		printf("# %s: recount after the extraction\n", drv_name);
		if (check(R_RECOUNT_AFTER, drv->recount(kept, t, &cols, &c, &e) == 0, "%s", e.msg))
			check(R_RECOUNT_AFTER, c.rows == all.n && c.total == all.total,
			      "recount %llu rows, total %016llx; read %zu rows, total %016llx", (unsigned long long)c.rows,
			      (unsigned long long)c.total, all.n, (unsigned long long)all.total);
		mg_err_clear(&e);
		memset(&c, 0, sizeof(c));
		printf("# %s: recount on its own source\n", drv_name);
		if (check(R_RECOUNT, drv->open(pb, &src, &e) == 0, "open: %s", e.msg) &&
		    check(R_RECOUNT, drv->recount(src, t, &cols, &c, &e) == 0, "%s", e.msg))
			check(R_RECOUNT, c.rows == all.n && c.total == all.total,
			      "recount %llu rows, total %016llx; read %zu rows, total %016llx", (unsigned long long)c.rows,
			      (unsigned long long)c.total, all.n, (unsigned long long)all.total);
		drv->close(src);
		mg_err_clear(&e);
	}
	if (drv->range)
		check_range(drv, pb, t, &cols, &all);
	if (drv->caps & SRC_CAN_WATERMARK) {
		char *end = NULL;
		unsigned long long ti = watermark ? strtoull(watermark, &end, 10) : 0;

		if (check(R_WATERMARK, watermark != NULL,
			  "the driver claims SRC_CAN_WATERMARK: give its fixture a watermark table (--watermark I=W)")) {
			if (end == watermark || *end != '=' || ti >= pb->ntables || !pb->tables[ti].watermark) {
				fprintf(stderr, "conformance: --watermark %s: table I must exist and have 'watermark'\n",
					watermark);
				exit(2);
			}
			check_watermark(drv, pb, (size_t)ti, end + 1, &all);
		}
	} else if (watermark) {
		printf("# %s: does not claim SRC_CAN_WATERMARK: --watermark not checked\n", drv_name);
	}
	drv->close(kept);   /* the columns in cols are gone with it */
	kept = NULL;

	/* the same rows with one row per batch */
	{
		struct rows one = {0};
		struct mg_columns c1;

		if (!run(pb, t, NULL, 1, &one, &c1, NULL, "one row per batch")) {
			int same = one.n == all.n;

			for (size_t i = 0; same && i < all.n; i++)
				same = same_key(&all.v[i], one.v[i].key, one.v[i].keylen) && all.v[i].hash == one.v[i].hash;
			check(R_BATCH_SIZE, same && one.rejects == all.rejects,
			      "%zu rows, %llu rejects (with batch_rows %u: %zu rows, %llu rejects)%s", one.n,
			      (unsigned long long)one.rejects, t->batch_rows, all.n, (unsigned long long)all.rejects,
			      one.n == all.n ? ", rows differ" : "");
		}
		rows_free(&one);
	}

	/* resume after row k */
	if ((drv->caps & SRC_CAN_RESUME) && all.n) {
		size_t ks[64], nk = 0;

		if (resume) {
			for (const char *p = resume; *p && nk < 64;) {
				char *end;
				unsigned long long k = strtoull(p, &end, 10);

				if (end == p)
					break;
				ks[nk++] = (size_t)k;
				p = *end == ',' ? end + 1 : end;
			}
		} else {
			ks[nk++] = 1;
			ks[nk++] = all.n / 2;
			ks[nk++] = all.n > 1 ? all.n - 1 : 1;
			ks[nk++] = all.n;
		}
		for (size_t i = 0; i < nk; i++) {
			size_t k = ks[i];
			struct rows rest = {0};
			struct mg_columns c2;
			struct mg_buf after;
			char what[64];
			enum rule r = k == all.n ? R_RESUME_END : R_RESUME;

			if (k < 1 || k > all.n) {
				fprintf(stderr, "conformance: --resume %zu is not a row of the fixture (1..%zu)\n", k, all.n);
				failed = 1;
				continue;
			}
			buf_init(&after, 0, "key");
			if (buf_add(&after, all.v[k - 1].key, all.v[k - 1].keylen, &e)) {
				fprintf(stderr, "conformance: %s\n", e.msg);
				exit(2);
			}
			snprintf(what, sizeof(what), "after row %zu", k);
			if (!run(pb, t, &after, t->batch_rows, &rest, &c2, NULL, what)) {
				size_t bad = 0;
				int same = rest.n == all.n - k;

				for (size_t j = 0; same && j < rest.n; j++)
					if (!same_key(&all.v[k + j], rest.v[j].key, rest.v[j].keylen) ||
					    all.v[k + j].hash != rest.v[j].hash) {
						same = 0;
						bad = j;
					}
				check(r, same, "after '%s' (row %zu): %zu rows, expected %zu%s%s", show(after.ptr, after.len), k,
				      rest.n, all.n - k, !same && rest.n == all.n - k ? "; first difference at key " : "",
				      !same && rest.n == all.n - k ? show(rest.v[bad].key, rest.v[bad].keylen) : "");
			}
			rows_free(&rest);
			buf_release(&after);
		}
	}

	/* start fails: a missing table, file or key column; then close is safe */
	for (const char *p = bad_tables; p && *p;) {
		char *end;
		unsigned long long i = strtoull(p, &end, 10);
		struct source *src = NULL;
		struct mg_columns c3;

		if (end == p || i >= pb->ntables) {
			fprintf(stderr, "conformance: --bad-table %s: not a table of %s\n", bad_tables, path);
			exit(2);
		}
		p = *end == ',' ? end + 1 : end;
		memset(&c3, 0, sizeof(c3));
		mg_err_clear(&e);
		if (check(R_ERR_START, drv->open(pb, &src, &e) == 0, "open: %s", e.msg)) {
			int r = drv->start(src, &pb->tables[i], NULL, &c3, &e);

			check(R_ERR_START, r == MG_ERR && message_ok(&e), "start of '%s' returned %d, code %d, message '%s'",
			      pb->tables[i].name, r, e.code, e.msg);
			if (r == MG_ERR)
				printf("# %s: start of table %llu fails: %s\n", drv_name, i, e.msg);
		}
		printf("# %s: close after the failed start\n", drv_name);
		drv->close(src);
		check(R_ERR_CLOSE, 1, "-");
	}

	/* open fails */
	if (bad_open) {
		static struct source untouched;
		struct playbook *pb2 = NULL;
		struct source *src = &untouched;

		mg_err_clear(&e);
		if (playbook_load(&pb2, bad_open, &e) || strcmp(pb2->driver, pb->driver)) {
			fprintf(stderr, "conformance: %s: %s\n", bad_open, e.code ? e.msg : "not a playbook of the same driver");
			playbook_free(pb2);
			exit(2);
		}
		{
			int r;

			printf("# %s: open of %s, which fails\n", drv_name, bad_open);
			r = drv->open(pb2, &src, &e);

			check(R_ERR_OPEN, r == MG_ERR && message_ok(&e), "open returned %d, code %d, message '%s'", r, e.code,
			      e.msg);
			if (r == MG_ERR)
				printf("# %s: failed open: %s\n", drv_name, e.msg);
			/* a source handed out, even by a failed open, must be closable */
			if (src != &untouched)
				drv->close(src);
		}
		playbook_free(pb2);
	}

report:
	if (kept)
		drv->close(kept);
	printf("# %s: rows=%zu rejects=%llu total=%016llx first=%s last=%s\n", drv_name, all.n,
	       (unsigned long long)all.rejects, (unsigned long long)all.total,
	       all.n ? show(all.v[0].key, all.v[0].keylen) : "-",
	       all.n ? show(all.v[all.n - 1].key, all.v[all.n - 1].keylen) : "-");
	for (int r = 0; r < R_NRULES; r++) {
		if (!rules[r].checked)
			continue;
		if (rules[r].failed) {
			printf("not ok %s: %s (%u of %u checks failed)\n", drv_name, rules[r].text, rules[r].failed,
			       rules[r].checked);
			failed = 1;
		} else {
			printf("ok %s: %s\n", drv_name, rules[r].text);
		}
	}
	rows_free(&all);
	playbook_free(pb);
	return failed ? 1 : 0;
}
