#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <errno.h>
#include <sys/stat.h>

#include "migrate/builtin.h"
#include "migrate/outputs.h"
#include "migrate/pipeline.h"
#include "migrate/report.h"
#include "transform/rules.h"

/* --progress-fd N (used by `migrate runbook`): "table rows seconds" lines */
static void progress_fd(void *arg, const char *table, uint64_t rows, double secs, int final)
{
	int fd = *(int *)arg;

	(void)final;
	dprintf(fd, "%s %llu %.1f\n", table, (unsigned long long)rows, secs);
}

static void progress(void *arg, const char *table, uint64_t rows, double secs, int final)
{
	(void)arg;
	fprintf(stderr, "\r%s: %llu rows  %.0f rows/s  %02d:%02d%s", table, (unsigned long long)rows,
		secs > 0 ? (double)rows / secs : 0.0, (int)secs / 60, (int)secs % 60, final ? "\n" : "  ");
	fflush(stderr);
}

/* Reports, then the manifest listing them (migrate/outputs.h). */
static int write_outputs(struct pgstore *s, long long run_id, const char *playbook, const char *dir,
			 const char *key, struct mg_err *e)
{
	struct mg_buf outputs;
	int rc = 0;

	buf_init(&outputs, 0, "outputs");
	if (mkdir(dir, 0755) && errno != EEXIST) {
		buf_release(&outputs);
		return mg_err_set(e, MG_E_IO, "cannot create the report directory '%s': %s", dir, strerror(errno));
	}
	if (!report_render || !manifest_write)
		rc = mg_err_set(e, MG_E_USAGE, "--report-dir: reports or manifests are not compiled in");
	else if (report_render(s, run_id, dir, &outputs, e) || manifest_write(s, run_id, playbook, dir, key, &outputs, e))
		rc = -1;
	buf_release(&outputs);
	return rc;
}

static void close_store(void *arg)
{
	pgstore_close(arg);
}

int cmd_run(int argc, char **argv)
{
	const char *store = NULL, *path = NULL, *report_dir = NULL, *sign_key = NULL;
	int json = 0, quiet = 0, rc, pfd = -1;
	struct pipeline_opts o;
	struct pipeline_result res;
	struct playbook *pb = NULL;
	struct pgstore s;
	struct mg_err e = {0};
	struct report rep;
	struct rules_limits limits;

	memset(&o, 0, sizeof(o));
	memset(&limits, 0, sizeof(limits));
	o.version = MIGRATE_VERSION;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--fresh"))
			o.fresh = 1;
		else if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--quiet"))
			quiet = 1;
		else if (!strcmp(argv[i], "--progress-fd") && i + 1 < argc)
			pfd = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--report-dir") && i + 1 < argc)
			report_dir = argv[++i];
		else if (!strcmp(argv[i], "--threshold") && i + 1 < argc) {
			/* the run's error thresholds: --threshold max_reject_ratio=0.05 */
			char kv[128], *eq;

			snprintf(kv, sizeof(kv), "%s", argv[++i]);
			if (!(eq = strchr(kv, '=')))
				return usage_error("run", "--threshold needs KEY=VALUE, such as max_rejects=1000");
			*eq = '\0';
			if (rules_limits_set(&limits, kv, eq + 1, &e))
				return usage_error("run", "%s", e.msg);
			o.limits = &limits;
		}
		else if (!strcmp(argv[i], "--sign-key") && i + 1 < argc)
			sign_key = argv[++i];
		else if ((!strcmp(argv[i], "--commit-rows") || !strcmp(argv[i], "--batch-rows")) && i + 1 < argc) {
			char *end;
			unsigned long v = strtoul(argv[i + 1], &end, 10);

			if (*end || v == 0 || v > 10000000)
				return usage_error("run", "%s needs a number from 1 to 10000000", argv[i]);
			if (argv[i][2] == 'c')
				o.commit_rows = (unsigned)v;
			else if (v > 100000)
				return usage_error("run", "--batch-rows is at most 100000");
			else
				o.batch_rows = (unsigned)v;
			i++;
		}
		else if (argv[i][0] == '-')
			return usage_error("run", "unknown option '%s'", argv[i]);
		else if (!path)
			path = argv[i];
		else
			return usage_error("run", "one playbook per run (got '%s' too)", argv[i]);
	}
	if (!path)
		return usage_error("run", "name a playbook");
	if (getenv("MIGRATE_TEST_CRASH_AFTER_COMMITS"))
		o.crash_after_commits = strtoul(getenv("MIGRATE_TEST_CRASH_AFTER_COMMITS"), NULL, 10);
	if (pfd > 2) {
		o.progress = progress_fd;
		o.progress_arg = &pfd;
	} else if (!quiet && isatty(2)) {
		o.progress = progress;
	}
	if (playbook_load(&pb, path, &e)) {
		if (pb && pb->ndiags > 1)
			fputs(buf_cstr(&pb->diags), stderr);
		playbook_free(pb);
		return die_err(&e);
	}
	if (pgstore_connect(&s, store_conninfo(store), &e)) {
		playbook_free(pb);
		return die_err(&e);
	}
	cleanup_push(close_store, &s);
	if (pipeline_run(pb, &s, &o, &res, &e)) {
		pipeline_result_release(&res);
		playbook_free(pb);
		rc = die_err(&e);
		return e.code == MG_E_THRESHOLD ? EXIT_UNBALANCED : rc; /* stopped, resumable */
	}
	memset(&rep, 0, sizeof(rep));
	rep.run_id = res.run_id;
	rep.system = pb->system.code;
	rep.table = pb->ntables > 1 ? "(all)" : pb->tables[0].name;
	rep.mode = "run";
	rep.resumed = res.resumed;
	rep.seconds = res.seconds;
	rep.ledger = &res.ledger;
	rep.have_source = res.have_source;
	rep.have_target = res.have_target;
	rep.problems = res.problems;
	rep.problem_text = buf_cstr(&res.problem_text);
	rep.tables = res.tables;
	rep.ntables = res.ntables;
	if (report_print(stdout, json, &rep, &s, &e)) {
		pipeline_result_release(&res);
		playbook_free(pb);
		return die_err(&e);
	}
	rc = res.problems ? EXIT_UNBALANCED : EXIT_OK;
	if (report_dir && write_outputs(&s, res.run_id, path, report_dir, sign_key, &e)) {
		pipeline_result_release(&res);
		playbook_free(pb);
		return die_err(&e);
	}
	pipeline_result_release(&res);
	playbook_free(pb);
	cleanup_run();
	return rc;
}
