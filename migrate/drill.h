/* migrate/drill.h: drill-down from differing totals to the exact records.
 *
 * Every source record of a run's table is in exactly one of its unified
 * table (hotline.work_order, or the table's other target: loaded),
 * migration.reject or migration.merged, each carrying the record's
 * source key (legacy_key) and its source-domain hash (src_hash). So for any
 * key range (lo, hi], the source's recount (rows, content total) must equal
 * the store's (rows, sum of src_hash) over the three tables, and every
 * loaded record's unified-domain hash recomputed in SQL must equal its
 * stored u_hash. drill_run() compares both sides over the whole key space
 * and bisects the ranges that differ (integer keys at the midpoint, other
 * keys at the source's median key) until a range holds at most leaf_rows
 * source rows; then it lists both sides of that range in key order and
 * merges them, reporting each difference as a finding. Memory is bounded by
 * the depth of the bisection times a key, whatever the table's size: no side
 * is ever loaded whole. docs/drill-down.md is the auditor's description,
 * with the SQL.
 *
 * drill_aggregates() gives the store's per month, category and status counts
 * and received_at ranges of a run (drill_aggregate_cube: all three at once),
 * drill_ledger_loaded the run's recorded load count to check them against.
 */
#ifndef MG_DRILL_H
#define MG_DRILL_H

#include <stdint.h>

#include "extractors/extractor.h"
#include "loaders/pgstore.h"
#include "migrate/err.h"
#include "migrate/schema.h"

enum drill_kind {
	DRILL_MISSING,        /* at the source, nowhere in the store (work_order, reject, merged) */
	DRILL_EXTRA,          /* in the store, not (or no longer) at the source, or without a usable key */
	DRILL_CHANGED,        /* loaded record edited in the store: recomputed unified hash != u_hash */
	DRILL_SOURCE_CHANGED, /* the source row's hash now differs from the src_hash stored by the run */
	DRILL_NKINDS
};

extern const char *const drill_kind_names[DRILL_NKINDS]; /* "missing", "extra", "changed", "source-changed" */

struct drill_finding {
	int kind;                   /* enum drill_kind */
	const unsigned char *key;   /* the source key bytes; NULL: the store record has no key */
	size_t keylen;
	const char *store_table;    /* "work_order", "reject" or "merged"; NULL when missing */
	long long store_id;         /* the id in store_table; 0 when missing */
	const char *legacy_id;      /* work_order, merged: the record's legacy id; else NULL */
	int have_source_hash;       /* source_hash is set (the row is at the source) */
	int have_store_hash;        /* store_hash is set (the store record has a src_hash) */
	uint64_t source_hash;       /* the source row's hash now */
	uint64_t store_hash;        /* the src_hash stored by the run */
};

struct drill_stats {
	uint64_t source_queries;    /* range counts and median keys asked of the source */
	uint64_t store_queries;     /* range sums asked of the store */
	uint64_t ranges;            /* key ranges compared */
	uint64_t listed;            /* ranges listed record by record */
	uint64_t source_rows;       /* source rows listed */
	uint64_t store_rows;        /* store records listed */
	unsigned max_depth;         /* deepest bisection level */
	uint64_t found[DRILL_NKINDS];
};

struct drill {
	/* filled by the caller */
	struct pgstore *store;
	const char *system;
	long long run_id;
	struct source *src;         /* opened; its driver has range ops */
	const struct pb_table *table;
	const struct mg_columns *cols;  /* the run's columns (migration.run_table) */
	const struct mg_utable *target; /* the unified table (schema.h); NULL: work_order */
	/* the run read other tables too: rejects and merged records are told
	 * apart by their source_table (the table's name; for rejects also the
	 * source's "database.table" origin) */
	int several_tables;
	uint64_t leaf_rows;         /* list ranges of at most this many source rows (0: 1000) */
	/* called once per finding, in key order (records without a usable key
	 * first); a non-zero return stops the drill-down */
	int (*found)(void *arg, const struct drill_finding *f, struct mg_err *e);
	void *arg;
	/* filled by drill_run */
	int key_order;              /* enum src_key_order */
	struct drill_stats stats;
};

/* Compare and bisect; findings go to d->found. Reads the store in one
 * REPEATABLE READ READ ONLY transaction (ended before returning) and the
 * source in one snapshot where it offers one. */
int drill_run(struct drill *d, struct mg_err *e);

/* Aggregates of the work orders a run holds in the store, in one scan
 * (GROUPING SETS): rows of (dim, month, category_code, status, records,
 * first received_at, last received_at), all text, where dim is "all" (one
 * row), "category" (most records first), "month" ('YYYY-MM' of received_at
 * in Asia/Shanghai, in order, NULL = no date, last) or "status" (most
 * records first); the dimensions a row is not grouped by are NULL,
 * timestamps are 'YYYY-MM-DD HH24:MI:SS' in Asia/Shanghai. Bounded by the
 * taxonomy, the statuses and the months; *res is the caller's. */
int drill_aggregates(struct pgstore *s, const char *system, long long run_id, PGresult **res, struct mg_err *e);
/* The month x category x status groups: the same columns (dim "cube"),
 * ordered by month, category and status, at most limit rows (0: all). */
int drill_aggregate_cube(struct pgstore *s, const char *system, long long run_id, unsigned limit, PGresult **res,
			 struct mg_err *e);
/* The run's recorded load of a table (migration.stage_ledger, stage 'load'):
 * rows_out; *have = 0 when the run recorded no ledger for it. */
int drill_ledger_loaded(struct pgstore *s, long long run_id, const char *table, long long *rows_out, int *have,
			struct mg_err *e);

/* Append key bytes in printable form: ASCII 0x21..0x7e as is except '\',
 * everything else (space, '\', controls, bytes >= 0x80) as \xHH. */
int drill_key_text(struct mg_buf *out, const unsigned char *key, size_t n, struct mg_err *e);

#endif
