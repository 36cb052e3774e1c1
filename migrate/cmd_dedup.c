/* migrate dedup: near-duplicate work orders within and across systems
 * (the rule, the survivor and the ledger: migrate/dedup.h). Without --apply
 * it lists what a pass would decide and writes nothing. Phones masked. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/builtin.h"
#include "migrate/dedup.h"

struct out {
	int json;
	json_t *pairs, *ledger;
	uint64_t in, out, merged, h_in, h_out, h_merged;
	uint64_t reported_records; /* distinct later sides of reported pairs that are survivors */
	char last[256];
};

static void on_pair(void *arg, const struct dedup_pair *p)
{
	struct out *o = arg;
	char key[256];

	if (!strcmp(p->action, "reported") && !p->dup_merged) {
		snprintf(key, sizeof(key), "%s\t%s", p->system, p->legacy_id);
		if (strcmp(key, o->last))
			o->reported_records++;
		snprintf(o->last, sizeof(o->last), "%s", key);
	}
	if (o->json) {
		json_t *j = json_object();

		json_object_set_new(j, "action", json_string(p->action));
		json_object_set_new(j, "scope", json_string(p->scope));
		json_object_set_new(j, "system", json_string(p->system));
		json_object_set_new(j, "legacy_id", json_string(p->legacy_id));
		json_object_set_new(j, "received_at", json_string(p->received_at));
		json_object_set_new(j, "survivor_system", json_string(p->survivor_system));
		json_object_set_new(j, "survivor_legacy_id", json_string(p->survivor_legacy_id));
		json_object_set_new(j, "survivor_received_at", json_string(p->survivor_at));
		json_object_set_new(j, "caller_phone", json_string(p->phone_masked));
		json_object_set_new(j, "similarity", json_real(p->score));
		json_object_set_new(j, "minutes", json_real(p->minutes));
		json_array_append_new(o->pairs, j);
	} else {
		printf("  %-8s %-6s %s %s  %s  %s %s   (caller %s, %s / %s, %.1f min, similarity %.2f)\n", p->action,
		       p->scope, p->system, p->legacy_id, strcmp(p->action, "merged") ? "=" : "->", p->survivor_system,
		       p->survivor_legacy_id, p->phone_masked,
		       p->survivor_at, p->received_at, p->minutes, p->score);
	}
}

static void on_ledger(void *arg, const struct dedup_ledger_row *l)
{
	struct out *o = arg;
	json_t *j = json_object();

	o->in += l->in;
	o->out += l->out;
	o->merged += l->merged;
	o->h_in += l->h_in;
	o->h_out += l->h_out;
	o->h_merged += l->h_merged;
	json_object_set_new(j, "system", json_string(l->system));
	json_object_set_new(j, "in", json_integer((json_int_t)l->in));
	json_object_set_new(j, "out", json_integer((json_int_t)l->out));
	json_object_set_new(j, "merged", json_integer((json_int_t)l->merged));
	{
		char t[3][24];

		snprintf(t[0], sizeof(t[0]), "%llu", (unsigned long long)l->h_in);
		snprintf(t[1], sizeof(t[1]), "%llu", (unsigned long long)l->h_out);
		snprintf(t[2], sizeof(t[2]), "%llu", (unsigned long long)l->h_merged);
		json_object_set_new(j, "total_in", json_string(t[0]));
		json_object_set_new(j, "total_out", json_string(t[1]));
		json_object_set_new(j, "total_merged", json_string(t[2]));
	}
	json_array_append_new(o->ledger, j);
}

static int parse_similarity(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return *end || end == s || !(*v >= 0 && *v <= 1);
}

int cmd_dedup(int argc, char **argv)
{
	const char *store = NULL;
	struct dedup_opts o = {.window = 30, .min_similarity = 0.5, .version = MIGRATE_VERSION};
	struct out out = {0};
	struct dedup_cb cb = {.pair = on_pair, .ledger = on_ledger, .arg = &out};
	struct dedup_result r;
	struct pgstore s;
	struct mg_err e = {0};
	int all = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--system") && i + 1 < argc)
			o.system = argv[++i];
		else if (!strcmp(argv[i], "--all"))
			all = 1;
		else if (!strcmp(argv[i], "--window") && i + 1 < argc) {
			char *end;

			o.window = (unsigned)strtoul(argv[++i], &end, 10);
			if (*end || !o.window || o.window > 10080)
				return usage_error("dedup", "--window takes minutes, 1 to 10080");
		} else if (!strcmp(argv[i], "--min-similarity") && i + 1 < argc) {
			if (parse_similarity(argv[++i], &o.min_similarity))
				return usage_error("dedup", "--min-similarity takes a number from 0 to 1, not '%s'", argv[i]);
		} else if (!strcmp(argv[i], "--across") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "merge"))
				o.across_merge = 1;
			else if (strcmp(argv[i], "report"))
				return usage_error("dedup", "--across takes 'report' or 'merge', not '%s'", argv[i]);
		} else if (!strcmp(argv[i], "--apply"))
			o.apply = 1;
		else if (!strcmp(argv[i], "--json"))
			out.json = 1;
		else
			return usage_error("dedup", "unexpected argument '%s'", argv[i]);
	}
	if (all && o.system)
		return usage_error("dedup", "--system and --all exclude each other");
	if (o.system && o.across_merge)
		return usage_error("dedup", "--across merge needs --all: a system's pass only looks within the system");
	out.pairs = json_array();
	out.ledger = json_array();
	if (pgstore_connect(&s, store_conninfo(store), &e)) {
		json_decref(out.pairs);
		json_decref(out.ledger);
		return die_err(&e);
	}
	if (!out.json)
		printf("dedup %s: same caller phone within %u minutes, text similarity >= %.2f; across systems: %s\n",
		       o.system ? o.system : "all systems", o.window, o.min_similarity, o.across_merge ? "merge" : "report");
	rc = dedup_run(&s, &o, &cb, &r, &e);
	pgstore_close(&s);
	if (rc) {
		json_decref(out.pairs);
		json_decref(out.ledger);
		return die_err(&e);
	}
	if (out.json) {
		json_t *root = json_object(), *city = json_object();
		char *txt;

		json_object_set_new(root, "pass", r.pass_id ? json_integer(r.pass_id) : json_null());
		json_object_set_new(root, "applied", json_boolean(o.apply));
		json_object_set_new(root, "scope", json_string(o.system ? o.system : "all"));
		json_object_set_new(root, "window_minutes", json_integer(o.window));
		json_object_set_new(root, "min_similarity", json_real(o.min_similarity));
		json_object_set_new(root, "across", json_string(o.across_merge ? "merge" : "report"));
		json_object_set_new(root, "candidates", json_integer((json_int_t)r.candidates));
		json_object_set_new(root, "merged", json_integer((json_int_t)r.merged));
		json_object_set_new(root, "reported", json_integer((json_int_t)r.reported));
		json_object_set_new(root, "cleared", json_integer((json_int_t)r.cleared));
		json_object_set_new(root, "balanced", json_boolean(r.balanced));
		json_object_set_new(root, "pairs", out.pairs);
		json_object_set_new(root, "ledger", out.ledger);
		json_object_set_new(city, "work_orders", json_integer((json_int_t)out.in));
		json_object_set_new(city, "survivors", json_integer((json_int_t)out.out));
		json_object_set_new(city, "merged", json_integer((json_int_t)out.merged));
		json_object_set_new(city, "reported_cross_system", json_integer((json_int_t)out.reported_records));
		json_object_set_new(city, "distinct_requests", json_integer((json_int_t)(out.out - out.reported_records)));
		json_object_set_new(root, "totals", city);
		txt = json_dumps(root, JSON_INDENT(2));
		printf("%s\n", txt ? txt : "{}");
		free(txt);
		json_decref(root);
	} else {
		size_t n = json_array_size(out.ledger);

		printf("candidate pairs: %llu; merged into a survivor: %llu; cross-system pairs reported: %llu;"
		       " pointers cleared: %llu\n", (unsigned long long)r.candidates, (unsigned long long)r.merged,
		       (unsigned long long)r.reported, (unsigned long long)r.cleared);
		printf("%-12s %10s %10s %10s  %s\n", "system", "in", "survivors", "merged", "content totals in = out + merged");
		for (size_t i = 0; i < n; i++) {
			json_t *j = json_array_get(out.ledger, i);

			printf("%-12s %10lld %10lld %10lld  %s = %s + %s\n", json_string_value(json_object_get(j, "system")),
			       (long long)json_integer_value(json_object_get(j, "in")),
			       (long long)json_integer_value(json_object_get(j, "out")),
			       (long long)json_integer_value(json_object_get(j, "merged")),
			       json_string_value(json_object_get(j, "total_in")),
			       json_string_value(json_object_get(j, "total_out")),
			       json_string_value(json_object_get(j, "total_merged")));
		}
		printf("%-12s %10llu %10llu %10llu\n", "total", (unsigned long long)out.in, (unsigned long long)out.out,
		       (unsigned long long)out.merged);
		printf("distinct requests: %llu (survivors, less %llu record(s) reported as the same call in another system)\n",
		       (unsigned long long)(out.out - out.reported_records), (unsigned long long)out.reported_records);
		printf("result: %s\n", !r.balanced ? "OUT OF BALANCE: a pointer this pass did not decide, or a chain"
			: o.apply ? "applied, balanced" : "dry run, nothing written (--apply writes)");
		json_decref(out.pairs);
		json_decref(out.ledger);
	}
	return r.balanced ? EXIT_OK : EXIT_UNBALANCED;
}
