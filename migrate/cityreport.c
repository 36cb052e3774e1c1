/* migrate/cityreport.c: the consolidated reconciliation of a runbook as a
 * file (city.json) and a page (city.html); see cityreport.h.
 *
 * The page is built from the runbook's JSON only, so what it shows is what
 * `migrate runbook --json` printed: the verdict, the city's totals, one line
 * per system (its step, result and seconds, its records at each stage) and,
 * for each system, the stage table with the balance of every stage
 * (in = out + rejected + merged) and a link to the system's own run page.
 * Figures carry data-* attributes so that tests and auditors' tools can read
 * them back (docs/reports.md).
 */
#include "migrate/cityreport.h"
#include "migrate/copyfmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const stages[] = {"source", "extract", "decode", "transform", "load", "target"};
#define NSTAGES (sizeof(stages) / sizeof(stages[0]))


static long long num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

static json_t *stage(json_t *run, const char *name)
{
	return json_object_get(json_object_get(run, "stages"), name);
}

void cityreport_stem(const char *path, char *out, size_t cap)
{
	const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(b);

	if (n > 5 && !strcmp(b + n - 5, ".yaml"))
		n -= 5;
	snprintf(out, cap, "%.*s", (int)n, b);
}

static const char *result(int exit_code)
{
	return exit_code == 0 ? "balanced" : exit_code == 3 ? "out of balance" : "failed";
}

static void page(FILE *f, json_t *root, const char *dir)
{
	json_t *systems = json_object_get(root, "systems"), *tot = json_object_get(root, "totals"), *s;
	const char *name = json_string_value(json_object_get(root, "runbook"));
	int balanced = json_is_true(json_object_get(root, "balanced"));
	size_t i, nbal = 0;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm);
	json_array_foreach(systems, i, s)
		nbal += num(s, "exit") == 0;
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>", f);
	html_escape(f, name);
	fputs(" — consolidated reconciliation</title>\n<style>\n"
	      "body{font-family:system-ui,'WenQuanYi Micro Hei',sans-serif;margin:2em;color:#222}\n"
	      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}\n"
	      "th{background:#f4f4f4}td.l,th.l{text-align:left}.ok{color:#176c2f}.bad{color:#b00020;font-weight:bold}\n"
	      ".cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ccc;border-radius:6px;padding:.6em 1em}\n"
	      ".card .k{font-size:.8em;color:#555}.card .v{font-size:1.4em}\n"
	      "</style></head><body>\n<h1>",
	      f);
	html_escape(f, name);
	fprintf(f, "</h1>\n<p>Consolidated reconciliation of the runbook, written %s. Verdict: "
		   "<strong class=\"%s\" data-verdict=\"%s\">%s</strong> — %zu of %zu systems balanced.</p>\n",
		when, balanced ? "ok" : "bad", balanced ? "balanced" : "not balanced",
		balanced ? "every system balanced" : "NOT every system balanced", nbal, json_array_size(systems));
	fputs("<h2>The city's totals</h2>\n<div class=\"cards\">\n", f);
	{
		static const char *const keys[] = {"source", "extracted", "loaded", "rejected", "merged", "target"};

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			fprintf(f, "<div class=\"card\"><div class=\"k\">%s</div><div class=\"v\" data-total=\"%s\">%lld</div></div>\n",
				keys[k], keys[k], num(tot, keys[k]));
		if (json_object_get(root, "cross_system_duplicates"))
			fprintf(f, "<div class=\"card\"><div class=\"k\">present in two systems (listed, not merged)</div>"
				   "<div class=\"v\" data-total=\"cross_system_duplicates\">%lld</div></div>\n",
				num(root, "cross_system_duplicates"));
	}
	fputs("</div>\n<p>source = records at the sources (independent recount; for files, the records read); "
	      "extracted = the records the extractor handed on; loaded + rejected + merged = source, for every system "
	      "(rejected counts every stage's rejects, the extractor's too); target = the store's own recount of what "
	      "was loaded.</p>\n",
	      f);
	fputs("<h2>Systems</h2>\n<table>\n<tr><th class=\"l\">system</th><th class=\"l\">step</th><th class=\"l\">result</th>"
	      "<th>source</th><th>extracted</th><th>loaded</th><th>rejected</th><th>merged</th><th>target</th><th>seconds</th>"
	      "<th class=\"l\">run report</th></tr>\n",
	      f);
	json_array_foreach(systems, i, s) {
		json_t *run = json_object_get(s, "run");
		const char *code = json_string_value(json_object_get(run, "system"));
		char st[256], link[600];
		int ex = (int)num(s, "exit");
		long long rej = 0;

		cityreport_stem(json_string_value(json_object_get(s, "playbook")), st, sizeof(st));
		for (size_t k = 1; k < NSTAGES; k++)
			rej += num(stage(run, stages[k]), "rejected");
		fprintf(f, "<tr data-system=\"");
		html_escape(f, code ? code : st);
		fputs("\"><td class=\"l\">", f);
		html_escape(f, code ? code : st);
		fputs("</td><td class=\"l\">", f);
		html_escape(f, json_string_value(json_object_get(s, "step")));
		fprintf(f, "</td><td class=\"l %s\" data-field=\"result\">%s</td>", ex ? "bad" : "ok", result(ex));
		fprintf(f, "<td data-field=\"source\">%lld</td><td data-field=\"extracted\">%lld</td>"
			   "<td data-field=\"loaded\">%lld</td><td data-field=\"rejected\">%lld</td><td data-field=\"merged\">%lld</td>"
			   "<td data-field=\"target\">%lld</td><td>%.1f</td>",
			stage(run, "source") ? num(stage(run, "source"), "out") : num(stage(run, "extract"), "in"),
			num(stage(run, "extract"), "out"), num(stage(run, "load"), "out"), rej,
			num(stage(run, "load"), "merged"), num(stage(run, "target"), "out"),
			json_number_value(json_object_get(s, "seconds")));
		snprintf(link, sizeof(link), "%s/%s/run-%lld.html", dir, st, num(run, "run"));
		if (run && access(link, R_OK) == 0) {
			fprintf(f, "<td class=\"l\"><a href=\"%s/run-%lld.html\">run %lld</a></td></tr>\n", st, num(run, "run"),
				num(run, "run"));
		} else {
			fputs("<td class=\"l\">", f);
			html_escape(f, json_string_value(json_object_get(s, "log")));
			fputs("</td></tr>\n", f);
		}
	}
	fputs("</table>\n<h2>Stage by stage</h2>\n<p>Every stage of every system must balance: in = out + rejected + "
	      "merged, for the counts and for the content totals (the run reports show the totals).</p>\n",
	      f);
	json_array_foreach(systems, i, s) {
		json_t *run = json_object_get(s, "run");
		const char *code = json_string_value(json_object_get(run, "system"));

		if (!run || !json_object_get(run, "stages"))
			continue;
		fputs("<h3>", f);
		html_escape(f, code);
		fputs("</h3>\n<table><tr><th class=\"l\">stage</th><th>in</th><th>out</th><th>rejected</th><th>merged</th>"
		      "<th class=\"l\">balance</th></tr>\n",
		      f);
		for (size_t k = 0; k < NSTAGES; k++) {
			json_t *c = stage(run, stages[k]);
			int ok;

			if (!c) {
				fprintf(f, "<tr><td class=\"l\">%s</td><td colspan=\"5\" class=\"l\">not counted (a file source:"
					   " what was read is its source)</td></tr>\n", stages[k]);
				continue;
			}
			ok = num(c, "in") == num(c, "out") + num(c, "rejected") + num(c, "merged");
			fprintf(f, "<tr data-system=\"");
			html_escape(f, code);
			fprintf(f, "\" data-stage=\"%s\"><td class=\"l\">%s</td><td data-field=\"in\">%lld</td>"
				   "<td data-field=\"out\">%lld</td><td data-field=\"rejected\">%lld</td>"
				   "<td data-field=\"merged\">%lld</td><td class=\"l %s\">%s</td></tr>\n",
				stages[k], stages[k], num(c, "in"), num(c, "out"), num(c, "rejected"), num(c, "merged"),
				ok ? "ok" : "bad", ok ? "ok" : "OUT OF BALANCE");
		}
		fputs("</table>\n", f);
	}
	fputs("<p>Personal data does not appear on this page: it holds counts only. city.json beside it holds the same "
	      "figures and every system's run summary.</p>\n</body></html>\n",
	      f);
}

int cityreport_write(const char *dir, json_t *root, struct mg_err *e)
{
	char path[1200], tmp[1300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/city.json", dir);
	if (json_dump_file(root, path, JSON_INDENT(2)))
		return mg_err_set(e, MG_E_IO, "cannot write '%s'", path);
	snprintf(path, sizeof(path), "%s/city.html", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return mg_err_set(e, MG_E_IO, "cannot create '%s': %s", tmp, strerror(errno));
	page(f, root, dir);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return mg_err_set(e, MG_E_IO, "cannot write '%s': %s", path, strerror(errno));
	}
	return 0;
}
