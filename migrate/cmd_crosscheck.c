/* migrate crosscheck: work orders present in two systems.
 *
 * After a transfer between hotlines the same call is recorded in both
 * systems. Such records are not merged (each system's record is its own
 * legacy record and stays accounted for in its own ledger) and not doubled
 * silently: they are listed, with both keys, in migration.cross_duplicate.
 * The rule: the same normalised caller phone, received within WINDOW
 * minutes of each other (default 30), in two different systems. Only
 * phones that are numbers count: a legacy placeholder kept as typed (同上,
 * 无) would pair unrelated callers. Phones are masked in the output. `migrate dedup` (migrate/dedup.h) applies the
 * stricter rule (similar text too) within and across systems and records its
 * cross-system pairs here as well; the text output ends with the city's work
 * orders counted with near-duplicates once (the consolidated report of
 * `migrate runbook` prints it).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaders/pgstore.h"
#include "migrate/builtin.h"
#include "migrate/dedup.h"

int crosscheck_run(struct pgstore *s, unsigned window, int json, FILE *out, struct mg_err *e);

/* The city's work orders with near-duplicates counted once (the newest
 * `migrate dedup` pass; docs/auditors.md, dedup-city). */
static int dedup_summary(struct pgstore *s, FILE *out, struct mg_err *e)
{
	PGresult *r;

	if (pgstore_exec(s, "SELECT (SELECT id FROM migration.dedup_pass ORDER BY id DESC LIMIT 1),"
			 " count(*), count(*) FILTER (WHERE merged_into IS NOT NULL),"
			 " count(*) FILTER (WHERE merged_into IS NULL) - (SELECT count(DISTINCT d.work_order_id)"
			 " FROM migration.dedup d JOIN hotline.work_order w ON w.id = d.work_order_id AND w.merged_into IS NULL"
			 " WHERE d.action = 'reported' AND d.pass_id = (SELECT max(id) FROM migration.dedup_pass"
			 " WHERE scope = 'all'))"
			 " FROM hotline.work_order", 0, NULL, &r, e))
		return -1;
	if (PQgetisnull(r, 0, 0))
		fprintf(out, "near-duplicates: no dedup pass yet ('migrate dedup --all' lists them, --apply merges)\n");
	else
		fprintf(out, "work orders in the store: %s; merged into a survivor: %s (dedup pass %s);"
			" distinct requests: %s\n", PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 0),
			PQgetvalue(r, 0, 3));
	PQclear(r);
	return 0;
}

int crosscheck_run(struct pgstore *s, unsigned window, int json, FILE *out, struct mg_err *e)
{
	char win[16], rule[48];
	const char *p[2] = {win, rule};
	PGresult *r;
	int n;

	snprintf(win, sizeof(win), "%u", window);
	snprintf(rule, sizeof(rule), "same caller phone within %u minutes", window);
	if (pgstore_require_schema(s, e) ||
	    pgstore_exec(s, "INSERT INTO migration.cross_duplicate (a_system, a_legacy_id, b_system, b_legacy_id, rule,"
			 " a_received_at, b_received_at)"
			 " SELECT a.source_system, a.legacy_id, b.source_system, b.legacy_id, $2, a.received_at, b.received_at"
			 " FROM hotline.work_order a JOIN hotline.work_order b ON a.caller_phone = b.caller_phone"
			 " AND a.source_system < b.source_system"
			 " AND b.received_at BETWEEN a.received_at - make_interval(mins => $1::int)"
			 " AND a.received_at + make_interval(mins => $1::int)"
			 " WHERE a.caller_phone ~ " DEDUP_PHONE_IS_NUMBER
			 " ON CONFLICT DO NOTHING", 2, p, NULL, e) ||
	    pgstore_exec(s, "SELECT d.a_system, d.a_legacy_id, d.b_system, d.b_legacy_id, d.rule,"
			 " migration.mask_phone(a.caller_phone), to_char(d.a_received_at, 'YYYY-MM-DD HH24:MI'),"
			 " to_char(d.b_received_at, 'YYYY-MM-DD HH24:MI')"
			 " FROM migration.cross_duplicate d LEFT JOIN hotline.work_order a"
			 " ON a.source_system = d.a_system AND a.legacy_id = d.a_legacy_id"
			 " ORDER BY 1, 2, 3, 4", 0, NULL, &r, e))
		return -1;
	n = PQntuples(r);
	if (json) {
		json_t *root = json_object(), *arr = json_array();
		char *txt;

		for (int i = 0; i < n; i++) {
			json_t *o = json_object();

			json_object_set_new(o, "a_system", json_string(PQgetvalue(r, i, 0)));
			json_object_set_new(o, "a_legacy_id", json_string(PQgetvalue(r, i, 1)));
			json_object_set_new(o, "b_system", json_string(PQgetvalue(r, i, 2)));
			json_object_set_new(o, "b_legacy_id", json_string(PQgetvalue(r, i, 3)));
			json_object_set_new(o, "rule", json_string(PQgetvalue(r, i, 4)));
			json_object_set_new(o, "caller_phone", json_string(PQgetvalue(r, i, 5)));
			json_array_append_new(arr, o);
		}
		json_object_set_new(root, "cross_system_duplicates", arr);
		json_object_set_new(root, "count", json_integer(n));
		txt = json_dumps(root, JSON_INDENT(2));
		fprintf(out, "%s\n", txt ? txt : "{}");
		free(txt);
		json_decref(root);
	} else {
		fprintf(out, "cross-system duplicates (%s): %d\n", n ? PQgetvalue(r, 0, 4) : rule, n);
		for (int i = 0; i < n; i++)
			fprintf(out, "  %s %s  =  %s %s   (caller %s, %s / %s)\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
				PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 5), PQgetvalue(r, i, 6),
				PQgetvalue(r, i, 7));
	}
	PQclear(r);
	if (!json && dedup_summary(s, out, e))
		return -1;
	return n;
}

int cmd_crosscheck(int argc, char **argv)
{
	const char *store = NULL;
	unsigned window = 30;
	int json = 0, n;
	struct pgstore s;
	struct mg_err e = {0};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--window") && i + 1 < argc) {
			char *end;

			window = (unsigned)strtoul(argv[++i], &end, 10);
			if (*end || !window || window > 10080)
				return usage_error("crosscheck", "--window takes minutes, 1 to 10080");
		} else if (!strcmp(argv[i], "--json"))
			json = 1;
		else
			return usage_error("crosscheck", "unexpected argument '%s'", argv[i]);
	}
	if (pgstore_connect(&s, store_conninfo(store), &e))
		return die_err(&e);
	n = crosscheck_run(&s, window, json, stdout, &e);
	pgstore_close(&s);
	if (n < 0)
		return die_err(&e);
	return EXIT_OK;
}
