/* migrate report RUN: render a past run's reports from the store alone
 * (migrate/htmlreport.c): the HTML page, the JSON report and the rejects,
 * coverage and differences CSV files, personal data masked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migrate/builtin.h"
#include "migrate/outputs.h"

static void close_store(void *arg)
{
	pgstore_close(arg);
}

int cmd_report(int argc, char **argv)
{
	const char *store = NULL, *runarg = NULL, *dir = "reports";
	struct pgstore s;
	struct mg_buf outputs;
	struct mg_err e = {0};
	long long run_id;
	char *end;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			dir = argv[++i];
		else if (argv[i][0] == '-')
			return usage_error("report", "unknown option '%s'", argv[i]);
		else if (runarg)
			return usage_error("report", "one run at a time (got '%s' too)", argv[i]);
		else
			runarg = argv[i];
	}
	errno = 0;
	if (!runarg || (run_id = strtoll(runarg, &end, 10)) <= 0 || *end || errno)
		return usage_error("report", "name a run by its number (see migration.run)");
	if (!*dir)
		return usage_error("report", "--out needs a directory");
	if (!report_render) {
		fprintf(stderr, "migrate: reports are not compiled in\n");
		return EXIT_FAILED;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		mg_err_set(&e, MG_E_IO, "cannot create the report directory '%s': %s", dir, strerror(errno));
		return die_err(&e);
	}
	if (pgstore_connect(&s, store_conninfo(store), &e))
		return die_err(&e);
	cleanup_push(close_store, &s);
	if (pgstore_require_schema(&s, &e))
		return die_err(&e);
	buf_init(&outputs, 0, "outputs");
	if (report_render(&s, run_id, dir, &outputs, &e)) {
		buf_release(&outputs);
		return die_err(&e);
	}
	/* the paths written, one per line */
	for (const char *p = buf_cstr(&outputs); *p;) {
		size_t n = strcspn(p, "\t\n");

		printf("%.*s\n", (int)n, p);
		p += n;
		p += strcspn(p, "\n");
		p += *p == '\n';
	}
	buf_release(&outputs);
	cleanup_run();
	return fflush(stdout) ? EXIT_FAILED : EXIT_OK;
}
