/* migrate reconcile RUN: recount a run independently, with SQL at the source
 * and in the store, and compare with the run's ledger. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/extractor.h"
#include "migrate/builtin.h"
#include "migrate/report.h"
#include "migrate/schema.h"

struct rec_state {
	struct pgstore s;
	struct playbook *pb;
	struct source *src;
	PGresult *run, *cols;
	struct mg_columns c;
	struct mg_buf problems;
};

static void release(struct rec_state *st)
{
	if (st->src)
		st->src->drv->close(st->src);
	PQclear(st->run);
	PQclear(st->cols);
	playbook_free(st->pb);
	pgstore_close(&st->s);
	buf_release(&st->problems);
}

static int fail(struct rec_state *st, const struct mg_err *e)
{
	release(st);
	return die_err(e);
}

int cmd_reconcile(int argc, char **argv)
{
	const char *store = NULL, *runarg = NULL;
	int json = 0, problems, rc;
	struct rec_state st;
	struct mg_err e = {0};
	struct mg_ledger l;
	struct mg_count c;
	const struct source_driver *drv;
	struct report rep;
	const char *p[1];
	char *end;

	memset(&st, 0, sizeof(st));
	buf_init(&st.problems, 0, "problems");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] == '-' || runarg)
			return usage_error("reconcile", "unexpected argument '%s'", argv[i]);
		else
			runarg = argv[i];
	}
	if (!runarg || strtoll(runarg, &end, 10) <= 0 || *end)
		return usage_error("reconcile", "name a run by its number (see migration.run)");
	if (pgstore_connect(&st.s, store_conninfo(store), &e) || pgstore_require_schema(&st.s, &e))
		return fail(&st, &e);
	p[0] = runarg;
	if (pgstore_exec(&st.s, "SELECT r.source_system, r.playbook, r.playbook_sha256, r.status, r.ledger::text,"
			 " t.source_table FROM migration.run r JOIN migration.run_table t ON t.run_id = r.id"
			 " WHERE r.id = $1", 1, p, &st.run, &e))
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
	if (ledger_from_json(&l, PQgetvalue(st.run, 0, 4), &e))
		return fail(&st, &e);
	if (playbook_load(&st.pb, PQgetvalue(st.run, 0, 1), &e))
		return fail(&st, &e);
	if (strcmp(st.pb->sha256, PQgetvalue(st.run, 0, 2))) {
		mg_err_set(&e, MG_E_CONFIG, "playbook '%s' has changed since run %s (SHA-256 differs)", st.pb->path, runarg);
		return fail(&st, &e);
	}
	if (pgstore_exec(&st.s, "SELECT unnest(columns) FROM migration.run_table WHERE run_id = $1", 1, p, &st.cols, &e))
		return fail(&st, &e);
	st.c.n = (unsigned)PQntuples(st.cols);
	for (unsigned i = 0; i < st.c.n && i < MG_MAX_COLS; i++)
		st.c.name[i] = PQgetvalue(st.cols, (int)i, 0);
	drv = source_driver_find(st.pb->driver);
	if (!drv->recount) {
		mg_err_set(&e, MG_E_CONFIG, "source driver '%s' cannot recount", drv->name);
		return fail(&st, &e);
	}
	if (drv->open(st.pb, &st.src, &e) || drv->recount(st.src, &st.pb->tables[0], &st.c, &c, &e))
		return fail(&st, &e);
	l.st[ST_SOURCE].in = l.st[ST_SOURCE].out = c.rows;
	l.st[ST_SOURCE].h_in = l.st[ST_SOURCE].h_out = c.total;
	l.st[ST_EXTRACT].in = c.rows;
	l.st[ST_EXTRACT].h_in = c.total;
	if (!strcmp(st.pb->tables[0].target, "raw")) {
		const struct pb_table *t = &st.pb->tables[0];
		char land[64];
		struct mg_utable *ut;
		int rc2;

		schema_land_name(t->land_as ? t->land_as : t->name, land, sizeof(land));
		ut = schema_raw_new(st.pb->system.code, land, (const char *const *)st.c.name, st.c.n, !t->raw_text);
		if (!ut) {
			mg_err_set(&e, MG_E_NOMEM, "out of memory");
			return fail(&st, &e);
		}
		rc2 = pgstore_recount_raw(&st.s, ut, atoll(runarg), &c, &e);
		schema_raw_free(ut);
		if (rc2)
			return fail(&st, &e);
	} else if (pgstore_recount(&st.s, PQgetvalue(st.run, 0, 0), atoll(runarg), &c, &e)) {
		return fail(&st, &e);
	}
	l.st[ST_TARGET].in = l.st[ST_TARGET].out = c.rows;
	l.st[ST_TARGET].h_in = l.st[ST_TARGET].h_out = c.total;
	problems = ledger_check(&l, 1, 1, &st.problems);
	memset(&rep, 0, sizeof(rep));
	rep.run_id = atoll(runarg);
	rep.system = PQgetvalue(st.run, 0, 0);
	rep.table = PQgetvalue(st.run, 0, 5);
	rep.mode = "reconcile";
	rep.ledger = &l;
	rep.have_source = rep.have_target = 1;
	rep.problems = problems;
	rep.problem_text = buf_cstr(&st.problems);
	if (report_print(stdout, json, &rep, &st.s, &e))
		return fail(&st, &e);
	rc = problems ? EXIT_UNBALANCED : EXIT_OK;
	release(&st);
	return rc;
}
