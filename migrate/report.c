#include "migrate/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void u64s(char *b, size_t n, uint64_t v)
{
	snprintf(b, n, "%llu", (unsigned long long)v);
}

static json_t *ju64(uint64_t v)
{
	char b[24];

	u64s(b, sizeof(b), v);
	return json_string(b);
}

static json_t *json_stages(const struct mg_ledger *l, int have_source, int have_target)
{
	json_t *stages = json_object();

	for (int i = 0; i < ST_COUNT; i++) {
		const struct mg_stage_count *c = &l->st[i];
		json_t *o;

		if ((i == ST_SOURCE && !have_source) || (i == ST_TARGET && !have_target))
			continue;
		o = json_object();
		json_object_set_new(o, "in", json_integer((json_int_t)c->in));
		json_object_set_new(o, "out", json_integer((json_int_t)c->out));
		json_object_set_new(o, "rejected", json_integer((json_int_t)c->rejected));
		json_object_set_new(o, "merged", json_integer((json_int_t)c->merged));
		json_object_set_new(o, "total_in", ju64(c->h_in));
		json_object_set_new(o, "total_out", ju64(i == ST_TRANSFORM ? c->h_uout : c->h_out));
		json_object_set_new(o, "total_rejected", ju64(c->h_rej));
		json_object_set_new(o, "total_merged", ju64(c->h_merged));
		json_object_set_new(stages, mg_stage_names[i], o);
	}
	return stages;
}

static void print_stages(FILE *out, const struct mg_ledger *l, int have_source, int have_target)
{
	fprintf(out, "%-10s %12s %12s %10s %10s  %-20s %s\n", "stage", "in", "out", "rejected", "merged",
		"content total (out)", "balance");
	for (int i = 0; i < ST_COUNT; i++) {
		const struct mg_stage_count *c = &l->st[i];
		const char *bal = "ok";
		char h[24];

		if ((i == ST_SOURCE && !have_source) || (i == ST_TARGET && !have_target)) {
			fprintf(out, "%-10s %12s\n", mg_stage_names[i], "(not counted)");
			continue;
		}
		if (c->in != c->out + c->rejected + c->merged || c->h_in != c->h_out + c->h_rej + c->h_merged)
			bal = "OUT OF BALANCE";
		if (i == ST_TARGET && (c->out != l->st[ST_LOAD].out || c->h_out != l->st[ST_LOAD].h_out))
			bal = "DIFFERS FROM LOAD";
		if (i == ST_EXTRACT && have_source &&
		    (c->out + c->rejected != l->st[ST_SOURCE].out || c->h_out + c->h_rej != l->st[ST_SOURCE].h_out))
			bal = "DIFFERS FROM SOURCE";
		u64s(h, sizeof(h), i == ST_TRANSFORM ? c->h_uout : c->h_out);
		fprintf(out, "%-10s %12llu %12llu %10llu %10llu  %-20s %s\n", mg_stage_names[i],
			(unsigned long long)c->in, (unsigned long long)c->out, (unsigned long long)c->rejected,
			(unsigned long long)c->merged, h, bal);
	}
}

int report_print(FILE *out, int json, const struct report *r, struct pgstore *store, struct mg_err *e)
{
	const struct mg_ledger *l = r->ledger;
	char id[24];
	const char *p[1] = {id};
	PGresult *rej;

	snprintf(id, sizeof(id), "%lld", r->run_id);
	if (pgstore_exec(store, "SELECT stage || '.' || reason, count(*) FROM migration.reject WHERE run_id = $1"
			 " GROUP BY 1 ORDER BY 1", 1, p, &rej, e))
		return -1;
	if (json) {
		json_t *root = json_object(), *stages = json_object(), *fixes = json_object(), *rj = json_object(),
		       *probs = json_array();
		char *s;

		json_object_set_new(root, "run", json_integer(r->run_id));
		json_object_set_new(root, "system", json_string(r->system));
		json_object_set_new(root, "table", json_string(r->table));
		json_object_set_new(root, "kind", json_string(r->mode));
		json_object_set_new(root, "resumed", json_boolean(r->resumed));
		json_decref(stages);
		stages = json_stages(l, r->have_source, r->have_target);
		if (r->ntables > 1) {
			json_t *tabs = json_array();

			for (unsigned t = 0; t < r->ntables; t++) {
				json_t *o = json_object();

				json_object_set_new(o, "table", json_string(r->tables[t].name));
				json_object_set_new(o, "target", json_string(r->tables[t].target));
				json_object_set_new(o, "stages", json_stages(&r->tables[t].ledger, r->tables[t].have_source,
									   r->tables[t].have_target));
				json_object_set_new(o, "balanced", json_boolean(r->tables[t].problems == 0));
				json_array_append_new(tabs, o);
			}
			json_object_set_new(root, "tables", tabs);
		}
		for (unsigned i = 0; i < l->nfix; i++)
			json_object_set_new(fixes, l->fix[i].name, json_integer((json_int_t)l->fix[i].n));
		for (int i = 0; i < PQntuples(rej); i++)
			json_object_set_new(rj, PQgetvalue(rej, i, 0), json_integer(atoll(PQgetvalue(rej, i, 1))));
		if (r->problem_text) {
			const char *t = r->problem_text;

			while (*t) {
				size_t n = strcspn(t, "\n");

				json_array_append_new(probs, json_stringn(t, n));
				t += n + (t[n] == '\n');
			}
		}
		json_object_set_new(root, "stages", stages);
		json_object_set_new(root, "fixes", fixes);
		json_object_set_new(root, "rejects", rj);
		json_object_set_new(root, "balanced", json_boolean(r->problems == 0));
		json_object_set_new(root, "problems", probs);
		json_object_set_new(root, "seconds", json_real(r->seconds));
		s = json_dumps(root, JSON_INDENT(2));
		fprintf(out, "%s\n", s ? s : "{}");
		free(s);
		json_decref(root);
	} else {
		fprintf(out, "%s %lld: system %s, table %s%s\n", r->mode, r->run_id, r->system, r->table,
			r->resumed ? " (resumed)" : "");
		if (r->ntables > 1) {
			for (unsigned t = 0; t < r->ntables; t++) {
				fprintf(out, "table %s -> %s%s\n", r->tables[t].name, r->tables[t].target,
					r->tables[t].problems ? ": OUT OF BALANCE" : "");
				print_stages(out, &r->tables[t].ledger, r->tables[t].have_source, r->tables[t].have_target);
			}
			fprintf(out, "run total (%u tables)\n", r->ntables);
		}
		print_stages(out, l, r->have_source, r->have_target);
		if (PQntuples(rej)) {
			fprintf(out, "rejects:");
			for (int i = 0; i < PQntuples(rej); i++)
				fprintf(out, " %s %s%s", PQgetvalue(rej, i, 0), PQgetvalue(rej, i, 1),
					i + 1 < PQntuples(rej) ? "," : "");
			fprintf(out, "\n");
		}
		if (l->nfix) {
			fprintf(out, "fixes (counted changes, records kept):");
			for (unsigned i = 0; i < l->nfix; i++)
				fprintf(out, " %s %llu%s", l->fix[i].name, (unsigned long long)l->fix[i].n,
					i + 1 < l->nfix ? "," : "");
			fprintf(out, "\n");
		}
		if (r->seconds > 0)
			fprintf(out, "time: %.1f s, %.0f rows/s\n", r->seconds,
				(double)l->st[ST_EXTRACT].out / (r->seconds > 0 ? r->seconds : 1));
		if (r->problems)
			fprintf(out, "result: OUT OF BALANCE\n%s", r->problem_text ? r->problem_text : "");
		else
			fprintf(out, "result: balanced: every record accounted for (in = out + rejected + merged at every stage)\n");
	}
	PQclear(rej);
	return 0;
}
