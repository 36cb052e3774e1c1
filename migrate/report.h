/* migrate/report.h: the reconciliation table (terminal) and its JSON form. */
#ifndef MG_REPORT_H
#define MG_REPORT_H

#include <stdio.h>

#include "loaders/pgstore.h"
#include "migrate/ledger.h"
#include "migrate/pipeline.h"

struct report {
	long long run_id;
	const char *system;
	const char *table;
	const char *mode;       /* "run" or "reconcile" */
	int resumed;
	double seconds;
	const struct mg_ledger *ledger;
	int have_source, have_target;
	int problems;
	const char *problem_text;
	const struct table_result *tables;  /* per table, when the playbook has several */
	unsigned ntables;
};

/* Prints the report; rejects by reason are read from the store. */
int report_print(FILE *out, int json, const struct report *r, struct pgstore *store, struct mg_err *e);

#endif
