/* migrate reconcile RUN: recount a run independently, with SQL at the source
 * and in the store, and compare with the run's ledger; table by table when
 * the playbook has several, each over the window it read when the run was
 * incremental.
 *
 *   --drill        then find the exact records that differ (migrate/drill.h):
 *                  one line per finding, "KIND key=KEY ...", and a summary;
 *                  implies --aggregates
 *   --aggregates   the store's per month, category and status counts of the
 *                  run's work orders, checked against the run's recorded load
 *   --leaf-rows N  drill-down: list ranges of at most N source rows (1000)
 *   --json         everything as one JSON object; findings are streamed into
 *                  its "drill" member, so memory stays bounded
 * Exit 3 when the recount is out of balance or anything was found.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/extractor.h"
#include "migrate/builtin.h"
#include "migrate/drill.h"
#include "migrate/pipeline.h"
#include "migrate/report.h"
#include "migrate/schema.h"

#define TOP_CATEGORIES 10
#define CUBE_MAX 10000      /* month x category x status groups listed in JSON */

/* one table of the run */
struct rec_table {
	const struct pb_table *t;
	PGresult *cols;
	struct mg_columns c;
	const char *since;      /* incremental run: the window's start (in run_tables) */
	struct mg_buf since_buf;
};

struct rec_state {
	struct pgstore s;
	struct playbook *pb;
	struct source *src;
	PGresult *run, *tabs;
	struct rec_table rt[MG_MAX_TABLES];
	struct table_result tr[MG_MAX_TABLES];
	unsigned nt;
	struct mg_buf problems;
	struct mg_buf tp;       /* one table's problems */
	struct mg_buf line;
	char *report_text;
	char *agg_text;         /* aggregates, printed after the report */
	size_t agg_len;
	int json;
	unsigned long long nfound;
	const char *cur_table;  /* the table being drilled, for findings */
};

static void close_source(struct rec_state *st)
{
	if (st->src)
		st->src->drv->close(st->src);
	st->src = NULL;
}

static void release(struct rec_state *st)
{
	close_source(st);
	PQclear(st->run);
	PQclear(st->tabs);
	for (unsigned i = 0; i < st->nt; i++) {
		PQclear(st->rt[i].cols);
		buf_release(&st->rt[i].since_buf);
	}
	playbook_free(st->pb);
	pgstore_close(&st->s);
	buf_release(&st->problems);
	buf_release(&st->tp);
	buf_release(&st->line);
	free(st->report_text);
	free(st->agg_text);
}

static int fail(struct rec_state *st, const struct mg_err *e)
{
	release(st);
	return die_err(e);
}

/* Open the source for table i, over the window the run read. */
static int open_source(struct rec_state *st, unsigned i, struct mg_err *e)
{
	const struct source_driver *drv = source_driver_find(st->pb->driver);

	close_source(st);
	if (!drv)
		return mg_err_set(e, MG_E_CONFIG, "source driver '%s' is not compiled in", st->pb->driver);
	if (drv->open(st->pb, &st->src, e))
		return -1;
	if (st->rt[i].since) {
		buf_reset(&st->rt[i].since_buf);
		if (buf_addstr(&st->rt[i].since_buf, st->rt[i].since, e))
			return -1;
		st->src->wm_since = &st->rt[i].since_buf;
	}
	return 0;
}

static json_t *ju64(uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	return json_string(b);
}

static json_t *jtext(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? json_null() : json_string(PQgetvalue(r, row, col));
}

static const char *tnull(PGresult *r, int row, int col, const char *dflt)
{
	return PQgetisnull(r, row, col) ? dflt : PQgetvalue(r, row, col);
}

/* ---- drill-down output ------------------------------------------------- */

static int on_finding(void *arg, const struct drill_finding *f, struct mg_err *e)
{
	struct rec_state *st = arg;
	struct mg_buf *l = &st->line;

	buf_reset(l);
	if (f->key && drill_key_text(l, f->key, f->keylen, e))
		return -1;
	if (st->json) {
		json_t *o = json_object();
		char *s;

		json_object_set_new(o, "kind", json_string(drill_kind_names[f->kind]));
		if (st->cur_table)
			json_object_set_new(o, "table", json_string(st->cur_table));
		json_object_set_new(o, "key", f->key ? json_string(buf_cstr(l)) : json_null());
		json_object_set_new(o, "store", f->store_table ? json_string(f->store_table) : json_null());
		json_object_set_new(o, "id", f->store_table ? json_integer(f->store_id) : json_null());
		json_object_set_new(o, "legacy_id", f->legacy_id ? json_string(f->legacy_id) : json_null());
		json_object_set_new(o, "source_hash", f->have_source_hash ? ju64(f->source_hash) : json_null());
		json_object_set_new(o, "stored_src_hash", f->have_store_hash ? ju64(f->store_hash) : json_null());
		s = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (!s)
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		printf("%s\n      %s", st->nfound ? "," : "", s);
		free(s);
	} else {
		printf("%s key=%s", drill_kind_names[f->kind], f->key ? buf_cstr(l) : "(none)");
		if (f->store_table)
			printf(" store=%s id=%lld", f->store_table, f->store_id);
		if (f->legacy_id && f->kind != DRILL_MISSING)
			printf(" legacy_id=%s", f->legacy_id);
		if (f->kind == DRILL_SOURCE_CHANGED)
			printf(" source_hash=%llu stored_src_hash=%llu", (unsigned long long)f->source_hash,
			       (unsigned long long)f->store_hash);
		if (st->cur_table)
			printf(" table=%s", st->cur_table);
		printf("\n");
	}
	st->nfound++;
	return ferror(stdout) ? mg_err_set(e, MG_E_IO, "cannot write the findings") : 0;
}

static void stats_add(struct drill_stats *dst, const struct drill_stats *s)
{
	dst->source_queries += s->source_queries;
	dst->store_queries += s->store_queries;
	dst->ranges += s->ranges;
	dst->listed += s->listed;
	dst->source_rows += s->source_rows;
	dst->store_rows += s->store_rows;
	if (s->max_depth > dst->max_depth)
		dst->max_depth = s->max_depth;
	for (int i = 0; i < DRILL_NKINDS; i++)
		dst->found[i] += s->found[i];
}

static const char *order_name(int order)
{
	return order == SRC_KEY_INTEGER ? "integer" : order == SRC_KEY_NUMBER ? "number" : order < 0 ? "-" : "bytes";
}

static void print_drill_summary(const struct rec_state *st, const struct drill *d, const struct mg_err *de)
{
	const struct drill_stats *s = &d->stats;

	if (st->json) {
		json_t *o = json_object(), *k = json_object(), *q = json_object();
		char *txt;

		for (int i = 0; i < DRILL_NKINDS; i++)
			json_object_set_new(k, drill_kind_names[i], json_integer((json_int_t)s->found[i]));
		json_object_set_new(q, "source", json_integer((json_int_t)s->source_queries));
		json_object_set_new(q, "store", json_integer((json_int_t)s->store_queries));
		json_object_set_new(q, "total", json_integer((json_int_t)(s->source_queries + s->store_queries)));
		json_object_set_new(o, "found", json_integer((json_int_t)st->nfound));
		json_object_set_new(o, "by_kind", k);
		json_object_set_new(o, "range_queries", q);
		json_object_set_new(o, "ranges", json_integer((json_int_t)s->ranges));
		json_object_set_new(o, "listed_ranges", json_integer((json_int_t)s->listed));
		json_object_set_new(o, "listed_source_rows", json_integer((json_int_t)s->source_rows));
		json_object_set_new(o, "listed_store_records", json_integer((json_int_t)s->store_rows));
		json_object_set_new(o, "max_depth", json_integer(s->max_depth));
		json_object_set_new(o, "leaf_rows", json_integer((json_int_t)d->leaf_rows));
		json_object_set_new(o, "key_order", json_string(order_name(d->key_order)));
		json_object_set_new(o, "error", de ? json_string(de->msg) : json_null());
		txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		/* the summary's members follow "findings" in the same object */
		if (txt) {
			char *body = strchr(txt, '{'), *end = strrchr(txt, '}');

			if (body && end && end > body) {
				*end = '\0';
				printf("\n    ],%s  }", body + 1);
			}
		}
		free(txt);
		json_decref(o);
		return;
	}
	printf("drill-down: %llu found (missing %llu, extra %llu, changed %llu, source-changed %llu);"
	       " %llu range queries (source %llu, store %llu), %llu ranges compared, %llu listed, depth %u, keys as %s\n",
	       (unsigned long long)(s->found[DRILL_MISSING] + s->found[DRILL_EXTRA] + s->found[DRILL_CHANGED] +
				    s->found[DRILL_SOURCE_CHANGED]),
	       (unsigned long long)s->found[DRILL_MISSING], (unsigned long long)s->found[DRILL_EXTRA],
	       (unsigned long long)s->found[DRILL_CHANGED], (unsigned long long)s->found[DRILL_SOURCE_CHANGED],
	       (unsigned long long)(s->source_queries + s->store_queries), (unsigned long long)s->source_queries,
	       (unsigned long long)s->store_queries, (unsigned long long)s->ranges, (unsigned long long)s->listed,
	       s->max_depth, order_name(d->key_order));
}

/* ---- aggregates -------------------------------------------------------- */

/* rows of dim in r (drill_aggregates columns) as JSON */
static json_t *agg_rows(PGresult *r, const char *dim, int max, int month, int cat, int status)
{
	json_t *a = json_array();

	for (int i = 0; i < PQntuples(r) && (max <= 0 || i < max); i++) {
		json_t *o;

		if (strcmp(PQgetvalue(r, i, 0), dim))
			continue;
		o = json_object();
		if (month)
			json_object_set_new(o, "month", jtext(r, i, 1));
		if (cat)
			json_object_set_new(o, "category", jtext(r, i, 2));
		if (status)
			json_object_set_new(o, "status", jtext(r, i, 3));
		json_object_set_new(o, "records", json_integer(atoll(PQgetvalue(r, i, 4))));
		json_object_set_new(o, "received_min", jtext(r, i, 5));
		json_object_set_new(o, "received_max", jtext(r, i, 6));
		json_array_append_new(a, o);
	}
	return a;
}

static int agg_count(PGresult *r, const char *dim)
{
	int n = 0;

	for (int i = 0; i < PQntuples(r); i++)
		n += !strcmp(PQgetvalue(r, i, 0), dim);
	return n;
}

/* The aggregates of the run, into *out (JSON) or printed to o. A store
 * count that differs from the recorded load is a problem. */
static int aggregates(struct rec_state *st, long long run_id, json_t **out, FILE *o, int *problems, struct mg_err *e)
{
	const char *sys = PQgetvalue(st->run, 0, 0);
	PGresult *r = NULL, *cube = NULL;
	long long loaded = 0, n = 0;
	int have = 0, all = -1;

	if (drill_aggregates(&st->s, sys, run_id, &r, e) ||
	    (out && drill_aggregate_cube(&st->s, sys, run_id, CUBE_MAX + 1, &cube, e))) {
		PQclear(r);
		return -1;
	}
	/* the recorded load of the tables loaded into work_order */
	for (unsigned i = 0; i < st->nt; i++) {
		long long one = 0;
		int h = 0;

		if (strcmp(st->rt[i].t->target, "work_order"))
			continue;
		if (drill_ledger_loaded(&st->s, run_id, st->rt[i].t->name, &one, &h, e)) {
			PQclear(r);
			PQclear(cube);
			return -1;
		}
		loaded += one;
		have |= h;
	}
	for (int i = 0; i < PQntuples(r); i++)
		if (!strcmp(PQgetvalue(r, i, 0), "all"))
			all = i;
	if (all >= 0)
		n = atoll(PQgetvalue(r, all, 4));
	if (!have || n != loaded) {
		(*problems)++;
		if (have)
			buf_printf(&st->problems, e, "aggregates: run %lld holds %lld work orders in the store, but its load.out"
				   " in migration.stage_ledger is %lld\n", run_id, n, loaded);
		else
			buf_printf(&st->problems, e, "aggregates: run %lld recorded no load stage in migration.stage_ledger\n",
				   run_id);
	}
	if (out) {
		json_t *obj = json_object(), *checks = json_array(), *c = json_object();
		int complete = PQntuples(cube) <= CUBE_MAX;

		json_object_set_new(c, "what", json_string("work orders of the run in the store = load.out in migration.stage_ledger"));
		json_object_set_new(c, "store", json_integer(n));
		json_object_set_new(c, "ledger", have ? json_integer(loaded) : json_null());
		json_object_set_new(c, "ok", json_boolean(have && n == loaded));
		json_array_append_new(checks, c);
		json_object_set_new(obj, "records", json_integer(n));
		json_object_set_new(obj, "received_min", all >= 0 ? jtext(r, all, 5) : json_null());
		json_object_set_new(obj, "received_max", all >= 0 ? jtext(r, all, 6) : json_null());
		json_object_set_new(obj, "checks", checks);
		json_object_set_new(obj, "by_month", agg_rows(r, "month", 0, 1, 0, 0));
		json_object_set_new(obj, "by_category", agg_rows(r, "category", 0, 0, 1, 0));
		json_object_set_new(obj, "by_status", agg_rows(r, "status", 0, 0, 0, 1));
		json_object_set_new(obj, "cube", agg_rows(cube, "cube", CUBE_MAX, 1, 1, 1));
		json_object_set_new(obj, "cube_groups", complete ? json_integer(PQntuples(cube)) : json_null());
		json_object_set_new(obj, "cube_complete", json_boolean(complete));
		*out = obj;
	} else {
		const char *prev = NULL;
		int shown = 0, ncat = agg_count(r, "category");

		fprintf(o, "aggregates of run %lld in the store (hotline.work_order; received_at in Asia/Shanghai):\n", run_id);
		fprintf(o, "  %lld work orders, load.out in migration.stage_ledger ", n);
		if (have)
			fprintf(o, "%lld: %s\n", loaded, n == loaded ? "ok" : "DIFFERS");
		else
			fprintf(o, "not recorded: DIFFERS\n");
		fprintf(o, "  received %s .. %s; %d months, %d categories, %d statuses\n",
			all >= 0 ? tnull(r, all, 5, "-") : "-", all >= 0 ? tnull(r, all, 6, "-") : "-",
			agg_count(r, "month"), ncat, agg_count(r, "status"));
		fprintf(o, "  by status:");
		for (int i = 0, k = 0; i < PQntuples(r); i++)
			if (!strcmp(PQgetvalue(r, i, 0), "status"))
				fprintf(o, "%s %s %s", k++ ? "," : "", tnull(r, i, 3, "(none)"), PQgetvalue(r, i, 4));
		fprintf(o, "\n  top categories:");
		for (int i = 0; i < PQntuples(r) && shown < TOP_CATEGORIES; i++)
			if (!strcmp(PQgetvalue(r, i, 0), "category"))
				fprintf(o, "%s %s %s", shown++ ? "," : "", tnull(r, i, 2, "(none)"), PQgetvalue(r, i, 4));
		if (ncat > TOP_CATEGORIES)
			fprintf(o, " (and %d more)", ncat - TOP_CATEGORIES);
		fprintf(o, "\n  by month:");
		/* one line per year: "2019: 01 41, 02 38, ..." */
		for (int i = 0; i < PQntuples(r); i++) {
			const char *m;

			if (strcmp(PQgetvalue(r, i, 0), "month"))
				continue;
			m = tnull(r, i, 1, NULL);
			if (!m)
				fprintf(o, "\n    no date: %s", PQgetvalue(r, i, 4));
			else if (!prev || strncmp(prev, m, 4))
				fprintf(o, "\n    %.4s: %s %s", m, m + 5, PQgetvalue(r, i, 4));
			else
				fprintf(o, ", %s %s", m + 5, PQgetvalue(r, i, 4));
			prev = m;
		}
		fprintf(o, "\n");
	}
	PQclear(r);
	PQclear(cube);
	return mg_err_isset(e) ? -1 : 0;
}

/* The report's JSON object, reopened so that more members can follow. */
static int report_json(struct rec_state *st, const struct report *rep, json_t *agg, struct mg_err *e)
{
	char *mem = NULL, *txt, *end;
	size_t n = 0;
	FILE *f = open_memstream(&mem, &n);
	json_t *root;
	json_error_t je;

	if (!f)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	if (report_print(f, 1, rep, &st->s, e)) {
		fclose(f);
		free(mem);
		return -1;
	}
	fclose(f);
	root = json_loads(mem ? mem : "", 0, &je);
	free(mem);
	if (!root)
		return mg_err_set(e, MG_E_INTERNAL, "cannot read the report back: %s", je.text);
	if (agg)
		json_object_set(root, "aggregates", agg);
	txt = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!txt || !(end = strrchr(txt, '}'))) {
		free(txt);
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	}
	*end = '\0';
	st->report_text = txt;
	return 0;
}

/* The tables of the run, in playbook order, with their columns. */
static int load_tables(struct rec_state *st, const char *runarg, struct mg_err *e)
{
	const char *p[2] = {runarg, NULL};

	if (pgstore_exec(&st->s, "SELECT source_table, watermark_since FROM migration.run_table WHERE run_id = $1", 1, p,
			 &st->tabs, e))
		return -1;
	for (unsigned i = 0; i < st->pb->ntables; i++) {
		const struct pb_table *t = &st->pb->tables[i];
		struct rec_table *rt = &st->rt[st->nt];
		int row = -1;

		for (int k = 0; k < PQntuples(st->tabs); k++)
			if (!strcmp(PQgetvalue(st->tabs, k, 0), t->name))
				row = k;
		if (row < 0)
			continue;  /* nothing read (a drop folder with nothing new) */
		if (st->nt == MG_MAX_TABLES)
			return mg_err_set(e, MG_E_LIMIT, "run %s has more than %d tables", runarg, MG_MAX_TABLES);
		rt->t = t;
		buf_init(&rt->since_buf, 0, "watermark");
		rt->since = PQgetisnull(st->tabs, row, 1) ? NULL : PQgetvalue(st->tabs, row, 1);
		p[1] = t->name;
		st->nt++;
		if (pgstore_exec(&st->s, "SELECT c FROM migration.run_table, unnest(columns) WITH ORDINALITY AS x(c, o)"
				 " WHERE run_id = $1 AND source_table = $2 ORDER BY o", 2, p, &rt->cols, e))
			return -1;
		if (PQntuples(rt->cols) > MG_MAX_COLS)
			return mg_err_set(e, MG_E_LIMIT, "table '%s' of run %s has more than %d columns", t->name, runarg,
					  MG_MAX_COLS);
		rt->c.n = (unsigned)PQntuples(rt->cols);
		for (unsigned c = 0; c < rt->c.n; c++)
			rt->c.name[c] = PQgetvalue(rt->cols, (int)c, 0);
	}
	if (!st->nt)
		return mg_err_set(e, MG_E_STORE, "run %s read no table of '%s'", runarg, st->pb->path);
	return 0;
}

/* Table i's ledger as the run recorded it: the run's own for a run of one
 * table, else the table's last checkpoint (its cumulative ledger). */
static int table_ledger(struct rec_state *st, unsigned i, const char *runarg, struct mg_ledger *l, struct mg_err *e)
{
	const char *p[2] = {runarg, st->rt[i].t->name};
	PGresult *r;
	int rc = 0;

	if (st->nt == 1 && st->pb->ntables == 1)
		return ledger_from_json(l, PQgetvalue(st->run, 0, 4), e);
	ledger_init(l);
	if (pgstore_exec(&st->s, "SELECT ledger::text FROM migration.checkpoint WHERE run_id = $1 AND source_table = $2",
			 2, p, &r, e))
		return -1;
	if (PQntuples(r))
		rc = ledger_from_json(l, PQgetvalue(r, 0, 0), e);
	PQclear(r);
	return rc;
}

/* Recount table i at the source and in the store; its problems go to
 * st->problems (prefixed with the table's name when there are several). */
static int reconcile_table(struct rec_state *st, unsigned i, const char *runarg, struct mg_err *e)
{
	const struct pb_table *t = st->rt[i].t;
	struct table_result *tr = &st->tr[i];
	struct mg_ledger *l = &tr->ledger;
	const struct source_driver *drv = source_driver_find(st->pb->driver);
	struct mg_count c;
	const char *line;

	tr->name = t->name;
	tr->target = t->target;
	tr->have_source = tr->have_target = 1;
	if (table_ledger(st, i, runarg, l, e))
		return -1;
	if (!drv || !drv->recount)
		return mg_err_set(e, MG_E_CONFIG, "source driver '%s' cannot recount", drv ? drv->name : st->pb->driver);
	if (open_source(st, i, e) || drv->recount(st->src, t, &st->rt[i].c, &c, e))
		return -1;
	close_source(st);
	l->st[ST_SOURCE].in = l->st[ST_SOURCE].out = c.rows;
	l->st[ST_SOURCE].h_in = l->st[ST_SOURCE].h_out = c.total;
	l->st[ST_EXTRACT].in = c.rows;
	l->st[ST_EXTRACT].h_in = c.total;
	if (!strcmp(t->target, "raw")) {
		char land[64];
		struct mg_utable *ut;
		int rc2;

		schema_land_name(t->land_as ? t->land_as : t->name, land, sizeof(land));
		ut = schema_raw_new(st->pb->system.code, land, (const char *const *)st->rt[i].c.name, st->rt[i].c.n,
				    !t->raw_text);
		if (!ut)
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		rc2 = pgstore_recount_raw(&st->s, ut, atoll(runarg), &c, e);
		schema_raw_free(ut);
		if (rc2)
			return -1;
	} else {
		const struct mg_utable *ut = schema_table_find(t->target);

		if (!ut)
			return mg_err_set(e, MG_E_CONFIG, "table '%s' has an unknown target '%s'", t->name, t->target);
		if (pgstore_recount_table(&st->s, ut, st->pb->system.code, t->name, atoll(runarg), &c, e))
			return -1;
	}
	l->st[ST_TARGET].in = l->st[ST_TARGET].out = c.rows;
	l->st[ST_TARGET].h_in = l->st[ST_TARGET].h_out = c.total;
	buf_reset(&st->tp);
	tr->problems = ledger_check(l, 1, 1, &st->tp);
	for (line = buf_cstr(&st->tp); *line;) {
		size_t n = strcspn(line, "\n");

		if (st->nt > 1)
			buf_printf(&st->problems, e, "%s: ", t->name);
		buf_add(&st->problems, line, n, e);
		buf_addc(&st->problems, '\n', e);
		line += n + (line[n] == '\n');
	}
	return mg_err_isset(e) ? -1 : 0;
}

int cmd_reconcile(int argc, char **argv)
{
	const char *store = NULL, *runarg = NULL;
	int json = 0, drill = 0, aggs = 0, problems = 0, rc;
	unsigned long long leaf = 0;
	struct rec_state st;
	struct mg_err e = {0};
	struct mg_ledger total;
	const struct source_driver *drv;
	struct report rep;
	const char *p[1];
	char *end;
	json_t *agg = NULL;
	int wo = -1;            /* the first table loaded into work_order */

	memset(&st, 0, sizeof(st));
	buf_init(&st.problems, 0, "problems");
	buf_init(&st.tp, 0, "problems");
	buf_init(&st.line, 0, "line");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc) {
			store = argv[++i];
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--drill")) {
			drill = aggs = 1;
		} else if (!strcmp(argv[i], "--aggregates")) {
			aggs = 1;
		} else if (!strcmp(argv[i], "--leaf-rows") && i + 1 < argc) {
			leaf = strtoull(argv[++i], &end, 10);
			if (*end || !leaf || leaf > 1000000)
				return usage_error("reconcile", "--leaf-rows takes a number from 1 to 1000000");
		} else if (argv[i][0] == '-' || runarg) {
			return usage_error("reconcile", "unexpected argument '%s'", argv[i]);
		} else {
			runarg = argv[i];
		}
	}
	if (!runarg || strtoll(runarg, &end, 10) <= 0 || *end)
		return usage_error("reconcile", "name a run by its number (see migration.run)");
	st.json = json;
	if (pgstore_connect(&st.s, store_conninfo(store), &e) || pgstore_require_schema(&st.s, &e))
		return fail(&st, &e);
	p[0] = runarg;
	if (pgstore_exec(&st.s, "SELECT source_system, playbook, playbook_sha256, status, ledger::text"
			 " FROM migration.run WHERE id = $1", 1, p, &st.run, &e))
		return fail(&st, &e);
	if (!PQntuples(st.run)) {
		mg_err_set(&e, MG_E_USAGE, "run %s does not exist in the store '%s'", runarg, st.s.where);
		return fail(&st, &e);
	}
	if (strcmp(PQgetvalue(st.run, 0, 3), "finished")) {
		mg_err_set(&e, MG_E_USAGE, "run %s is %s, not finished: run its playbook again to finish it", runarg,
			   PQgetvalue(st.run, 0, 3));
		return fail(&st, &e);
	}
	if (playbook_load(&st.pb, PQgetvalue(st.run, 0, 1), &e))
		return fail(&st, &e);
	if (strcmp(st.pb->sha256, PQgetvalue(st.run, 0, 2))) {
		mg_err_set(&e, MG_E_CONFIG, "playbook '%s' has changed since run %s (SHA-256 differs)", st.pb->path, runarg);
		return fail(&st, &e);
	}
	if (load_tables(&st, runarg, &e))
		return fail(&st, &e);
	drv = source_driver_find(st.pb->driver);
	if (drill && drv && !drv->range) {
		mg_err_set(&e, MG_E_CONFIG, "drill-down is not supported by source driver '%s'", drv->name);
		return fail(&st, &e);
	}
	ledger_init(&total);
	for (unsigned i = 0; i < st.nt; i++) {
		if (reconcile_table(&st, i, runarg, &e)) {
			if (st.nt > 1)
				mg_err_prefix(&e, "table '%s'", st.rt[i].t->name);
			return fail(&st, &e);
		}
		problems += st.tr[i].problems;
		ledger_add(&total, &st.tr[i].ledger);
		if (wo < 0 && !strcmp(st.rt[i].t->target, "work_order"))
			wo = (int)i;
	}
	if (aggs && wo >= 0) {
		FILE *o = json ? NULL : open_memstream(&st.agg_text, &st.agg_len);

		if (!json && !o) {
			mg_err_set(&e, MG_E_NOMEM, "out of memory");
			return fail(&st, &e);
		}
		rc = aggregates(&st, atoll(runarg), json ? &agg : NULL, o, &problems, &e);
		if (o)
			fclose(o);
		if (rc) {
			json_decref(agg);
			return fail(&st, &e);
		}
	}
	memset(&rep, 0, sizeof(rep));
	rep.run_id = atoll(runarg);
	rep.system = PQgetvalue(st.run, 0, 0);
	rep.table = st.nt > 1 ? "(all)" : st.rt[0].t->name;
	rep.mode = "reconcile";
	rep.ledger = st.nt > 1 ? &total : &st.tr[0].ledger;
	rep.have_source = rep.have_target = 1;
	rep.problems = problems;
	rep.problem_text = buf_cstr(&st.problems);
	if (st.nt > 1) {
		rep.tables = st.tr;
		rep.ntables = st.nt;
	}
	if (json) {
		rc = report_json(&st, &rep, agg, &e);
		json_decref(agg);
		if (rc)
			return fail(&st, &e);
		fputs(st.report_text, stdout);
	} else {
		if (report_print(stdout, 0, &rep, &st.s, &e))
			return fail(&st, &e);
		if (st.agg_text)
			fputs(st.agg_text, stdout);
	}
	rc = problems ? EXIT_UNBALANCED : EXIT_OK;
	if (drill) {
		struct drill_stats sum;
		struct drill d;
		int drc = 0, key_order = -1;
		unsigned drilled = 0;

		memset(&sum, 0, sizeof(sum));
		memset(&d, 0, sizeof(d));
		if (json)
			printf(",\n  \"drill\": {\n    \"findings\": [");
		fflush(stdout);
		for (unsigned i = 0; i < st.nt && !drc; i++) {
			const struct pb_table *t = st.rt[i].t;

			if (!strcmp(t->target, "raw"))
				continue;  /* raw landing: the recount above is all */
			memset(&d, 0, sizeof(d));
			d.store = &st.s;
			d.system = PQgetvalue(st.run, 0, 0);
			d.run_id = atoll(runarg);
			d.table = t;
			d.cols = &st.rt[i].c;
			d.target = schema_table_find(t->target);
			d.several_tables = st.nt > 1;
			d.leaf_rows = leaf;
			d.found = on_finding;
			d.arg = &st;
			st.cur_table = st.nt > 1 ? t->name : NULL;
			if (!json)
				printf("drill-down of run %s, table %s: source %s against the store (%s), by key range\n",
				       runarg, t->name, drv->name, t->target);
			fflush(stdout);
			drc = open_source(&st, i, &e);
			if (!drc) {
				d.src = st.src;
				drc = drill_run(&d, &e) != 0;
			}
			close_source(&st);
			if (!json && !drc)
				print_drill_summary(&st, &d, NULL);
			stats_add(&sum, &d.stats);
			key_order = d.key_order;
			drilled++;
		}
		if (!drilled && !drc) {
			mg_err_set(&e, MG_E_USAGE, "drill-down covers unified tables; run %s landed raw rows only", runarg);
			drc = 1;
		}
		if (json) {
			d.stats = sum;
			d.key_order = key_order;
			print_drill_summary(&st, &d, drc ? &e : NULL);
			printf("\n}\n");
		} else if (drc) {
			print_drill_summary(&st, &d, &e);
		}
		fflush(stdout);
		if (drc)
			return fail(&st, &e);
		if (st.nfound)
			rc = EXIT_UNBALANCED;
	} else if (json) {
		printf("\n}\n");
	}
	release(&st);
	return rc;
}
