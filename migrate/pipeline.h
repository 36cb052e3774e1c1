/* migrate/pipeline.h: one legacy table through extract, decode/transform
 * and load, the stages overlapped on three threads joined by bounded queues
 * of reusable batches (memory does not grow with the table).
 */
#ifndef MG_PIPELINE_H
#define MG_PIPELINE_H

#include <stdint.h>

#include "extractors/extractor.h"
#include "loaders/pgstore.h"
#include "migrate/ledger.h"
#include "migrate/playbook.h"

struct rules_limits;

struct pipeline_opts {
	int fresh;                 /* start a new run even if one can resume */
	const char *version;
	/* progress callback from the loading thread; may be NULL */
	void (*progress)(void *arg, const char *table, uint64_t rows, double seconds, int final);
	void *progress_arg;
	unsigned commit_rows;      /* override the playbook's commit_rows; 0 = keep */
	unsigned batch_rows;       /* override the playbook's batch_rows; 0 = keep */
	const struct rules_limits *limits; /* the run's error thresholds (transform/rules.h), or NULL */
	/* test hook: stop (exit immediately, like a crash) after N commits; 0 = never */
	unsigned long crash_after_commits;
};

#define MG_MAX_TABLES 32

struct table_result {
	const char *name;          /* the playbook table's name */
	const char *target;
	struct mg_ledger ledger;
	int have_source, have_target;
	long long stale;           /* full runs: target records the run did not see */
	long long orphans;         /* records with a system or category code not in the store */
	int problems;
	double seconds;
};

struct pipeline_result {
	long long run_id;
	int resumed;
	struct mg_ledger ledger;   /* the run: the sum of its tables, recounts included */
	struct table_result tables[MG_MAX_TABLES];
	unsigned ntables;
	int have_source, have_target;
	int problems;              /* ledger_check result, plus stale records */
	long long stale;           /* full runs: target records the run did not see */
	struct mg_buf problem_text;
	double seconds;
};

/* Run every table of the playbook, in order.
 * Returns 0 when the run finished (balanced or not: see res->problems),
 * -1 on error (the run is left resumable). */
int pipeline_run(struct playbook *pb, struct pgstore *store, const struct pipeline_opts *o,
		 struct pipeline_result *res, struct mg_err *e);
void pipeline_result_release(struct pipeline_result *res);

#endif
