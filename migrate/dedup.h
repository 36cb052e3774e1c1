/* migrate/dedup.h: near-duplicate work orders, within a system and across
 * systems (`migrate dedup`, docs/user-guide.md, docs/auditors.md).
 *
 * Two work orders are duplicates when they have the same normalised caller
 * phone, were received within `window` minutes of each other and their text
 * (title and content) has a pg_trgm similarity of at least
 * `min_similarity` (0..1; 1 = the same trigrams: punctuation and spacing
 * do not count). Records without a phone or a received time are never
 * duplicates.
 *
 * Survivor rule: records are ordered by (received_at, source_system,
 * legacy_id) (codes and ids compared bytewise). Walking that order, a
 * record that matches an earlier record which is itself a survivor is a
 * duplicate of the earliest-ordered best-scoring such survivor; otherwise it
 * survives. So every duplicate points at a survivor, never at another
 * duplicate, and the result does not depend on load order.
 *
 * A duplicate is never deleted: it stays in hotline.work_order (its legacy
 * record stays accounted for in its own run's ledger) with merged_into =
 * the survivor's id and merge_pass = the pass that set it; the pair, rule
 * and score are in migration.dedup. Within a system pairs are merged; across
 * systems they are reported (both keys, in migration.dedup and
 * migration.cross_duplicate) unless across_merge. A pass recomputes every
 * pointer of its scope from scratch (stale ones are cleared), so passes are
 * idempotent. Each pass writes a ledger per system (migration.dedup_ledger:
 * in = work orders in the store, out = survivors, merged = pointing at a
 * survivor; content totals over u_hash).
 */
#ifndef MG_DEDUP_H
#define MG_DEDUP_H

#include <stdint.h>

#include "loaders/pgstore.h"
#include "migrate/err.h"

/* Most duplicates of one caller phone in one pass: a number calling
 * thousands of times within the window (a test line) is a data problem to
 * look at, not to merge blindly. */
#define DEDUP_MAX_GROUP (1u << 20)
/* The caller phones that pair records (here and in `migrate crosscheck`): a
 * number, not a legacy placeholder kept as typed (同上, 无), which would pair
 * unrelated callers. An SQL regular expression literal. */
#define DEDUP_PHONE_IS_NUMBER "'^\\+?[0-9][0-9-]{6,}'"

struct dedup_opts {
	const char *system;    /* one system (within only), or NULL: all systems */
	unsigned window;       /* minutes, 1..10080 */
	double min_similarity; /* 0..1 */
	int across_merge;      /* across systems: 0 report, 1 merge */
	int apply;             /* 0: find and list, then roll back */
	const char *version;   /* tool version for migration.dedup_pass */
};

/* One decided pair, as listed (phone masked). */
struct dedup_pair {
	const char *system, *legacy_id, *received_at;                   /* the duplicate (later) */
	const char *survivor_system, *survivor_legacy_id, *survivor_at; /* the survivor (earlier) */
	const char *phone_masked, *action, *scope;                      /* merged|reported, within|across */
	double score, minutes;
	int dup_merged; /* the duplicate points at a survivor after the pass */
};

/* The ledger of one system after the pass. */
struct dedup_ledger_row {
	const char *system;
	uint64_t in, out, merged;
	uint64_t h_in, h_out, h_merged;
};

struct dedup_result {
	long long pass_id;      /* 0 when not applied */
	uint64_t candidates;    /* matching pairs found */
	uint64_t merged;        /* records pointing at a survivor after the pass */
	uint64_t reported;      /* cross-system pairs reported, not merged */
	uint64_t cleared;       /* pointers a previous pass set that no longer hold */
	uint64_t systems;       /* ledger rows */
	int balanced;           /* every pointer of the scope is this pass's decision */
};

struct dedup_cb {
	void (*pair)(void *arg, const struct dedup_pair *p);
	void (*ledger)(void *arg, const struct dedup_ledger_row *l);
	void *arg;
};

/* Run one pass; cb (may be NULL) sees every decided pair and ledger row
 * before the pass commits (or, without apply, rolls back). */
int dedup_run(struct pgstore *s, const struct dedup_opts *o, const struct dedup_cb *cb, struct dedup_result *r,
	      struct mg_err *e);

int cmd_dedup(int argc, char **argv);

#endif
