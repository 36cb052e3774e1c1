/* transform/rules.h: validation rules, error thresholds, keyword category
 * rules and coverage thresholds of a playbook (docs/playbooks.md,
 * "Validation rules and thresholds" and "Keyword category rules").
 *
 * - Validation rules (`validate:` of a table) are simple predicates on the
 *   unified fields of a record, evaluated by plan_apply after the mapping:
 *   a failing record is rejected with reason `validate.<name>` (stage
 *   transform, original bytes kept like every reject) or, with
 *   `action: flag`, loaded and counted as fix `validate.<name>`.
 * - Thresholds (`thresholds:` of a table, of the playbook = the system, and
 *   `migrate run --max-rejects ...` = the run) bound the rejects by count and
 *   by ratio after a warm-up; the pipeline and `migrate validate` evaluate
 *   them after every batch and at the end of every table.
 * - Keyword rules (`keywords:` of a `type: category` field) map a record
 *   whose legacy code is not in the table (or NULL) by words in its title
 *   or content, in order, first match wins: counted as fix
 *   `category_keyword`. `coverage:` of the field bounds the shares mapped
 *   by the table and unmapped, at the end of the table.
 *
 * Nothing here prints: checks go to the playbook's diagnostics (file:line),
 * errors to struct mg_err.
 */
#ifndef MG_RULES_H
#define MG_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "migrate/batch.h"
#include "migrate/ledger.h"
#include "migrate/playbook.h"
#include "migrate/schema.h"
#include "transform/codemap.h"

#define RULES_MAX 32              /* validation rules per table */
#define RULES_NAME_MAX 36         /* a rule's name: letters, digits, '_' */
#define RULES_MAX_IN 64           /* values of one `in:` list */
#define RULES_MAX_KEYWORDS 256    /* keyword rules per category field */
#define RULES_DEFAULT_WARMUP 1000 /* warmup_rows when not given */
#define RULES_FIX_KEYWORD "category_keyword"

/* ---- migrate check: every mistake as file:line into pb's diagnostics */

/* The playbook's top-level `thresholds:` (the system's). */
void rules_check_playbook(struct playbook *pb);
/* A table's `validate:` and `thresholds:`, and the `keywords:` and
 * `coverage:` of its category field. */
void rules_check_table(struct playbook *pb, const struct pb_table *t);

/* ---- validation rules of one table */

struct rules;

/* Compile the table's `validate:` for unified table ut; *out is NULL when
 * the table has none. The playbook must have passed migrate check. */
int rules_build(struct rules **out, struct playbook *pb, const struct pb_table *t, const struct mg_utable *ut,
		struct mg_err *e);
void rules_free(struct rules *r);
unsigned rules_count(const struct rules *r);
/* Evaluate every rule, in order, on row `row` of the unified batch out.
 * Returns 1 for the first rule with action reject that fails: *reason is
 * "validate.<name>", detail says why; 0 otherwise, with the fix names
 * ("validate.<name>") of the flag rules that failed in flags (at most
 * maxflags). */
int rules_eval(const struct rules *r, const struct mg_batch *out, unsigned row, const char **reason, char *detail,
	       size_t dn, const char **flags, unsigned *nflags, unsigned maxflags);

/* ---- keyword rules of a category field */

/* Read the `keywords:` of category field spec into *out (NULL when none),
 * each unified code checked against taxo. */
int rules_keywords_build(struct playbook *pb, const yaml_node_t *spec, const struct codemap *taxo,
			 struct cm_keywords **out, struct mg_err *e);

/* ---- thresholds */

struct rules_limits {
	int have_max_rejects, have_ratio, have_min_mapped, have_max_unmapped;
	uint64_t max_rejects;     /* more rejects than this: over */
	double max_reject_ratio;  /* rejected / records above this, once records >= warmup_rows: over */
	uint64_t warmup_rows;
	double min_mapped;        /* coverage: share mapped by the table's codes below this: over */
	double max_unmapped;      /* coverage: share mapped by neither table nor keyword above this: over */
	char scope[300];          /* "table 'gd_jbxx'", "system 'cg12319'", "the run" */
	char at[300];             /* where the reject limits are set: "pb.yaml:12", "the command line" */
	char cov_at[300];         /* where the coverage limits are set */
};

/* The counts thresholds are compared with. */
struct rules_tally {
	uint64_t rows;            /* records read (extract.in) */
	uint64_t rejected;        /* rejected at extract, decode and transform */
	uint64_t loaded;          /* transform.out */
	uint64_t keyword, defaulted; /* fixes category_keyword, unmapped_category */
};

/* Limits of a table (its `thresholds:` and its category field's
 * `coverage:`), of the system (the playbook's `thresholds:`). A scope
 * without limits has every have_* 0. */
void rules_limits_table(struct rules_limits *l, struct playbook *pb, const struct pb_table *t);
void rules_limits_system(struct rules_limits *l, struct playbook *pb);
/* Run limits from the command line ("max_rejects", "max_reject_ratio",
 * "warmup_rows" = value). */
int rules_limits_set(struct rules_limits *l, const char *key, const char *value, struct mg_err *e);
static inline int rules_limits_any(const struct rules_limits *l)
{
	return l->have_max_rejects || l->have_ratio || l->have_min_mapped || l->have_max_unmapped;
}

/* Add a ledger's counts to a tally. */
void rules_tally_add(struct rules_tally *t, const struct mg_ledger *l);
/* 1 when the rejects are over a threshold (msg: which one, the figures and
 * where it is set), else 0. Ratios count only from warmup_rows records on. */
int rules_over_rejects(const struct rules_limits *l, const struct rules_tally *t, char *msg, size_t n);
/* 1 when the category coverage of the loaded records is under min_mapped
 * or over max_unmapped (msg says which), else 0. For the end of a table. */
int rules_over_coverage(const struct rules_limits *l, const struct rules_tally *t, char *msg, size_t n);

/* ---- the three scopes together, as `migrate run` and `migrate validate`
 * evaluate them: the table's limits on the table's counts, the system's and
 * the run's on the counts of every table of the run so far. */
struct rules_gate {
	struct rules_limits table, system, run;
	struct rules_tally before;   /* the tables of this run already finished */
};

/* Start: the system's limits from pb, the run's (may be NULL). */
void rules_gate_init(struct rules_gate *g, struct playbook *pb, const struct rules_limits *run);
/* Before each table: its limits. */
void rules_gate_table(struct rules_gate *g, struct playbook *pb, const struct pb_table *t);
/* After each batch and at the end of a table: the table's counts are
 * done + open (open may be NULL). 1 when a reject threshold is over, with
 * msg saying which; else 0. */
int rules_gate_check(const struct rules_gate *g, const struct mg_ledger *done, const struct mg_ledger *open, char *msg,
		     size_t n);
/* At the end of a table (its whole ledger): 1 when its category coverage
 * is over a limit (msg), else 0; then the table counts for the next. */
int rules_gate_table_end(struct rules_gate *g, const struct mg_ledger *l, char *msg, size_t n);

#endif
