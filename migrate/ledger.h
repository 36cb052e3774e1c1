/* migrate/ledger.h: counts and content totals per pipeline stage.
 *
 * Every stage satisfies in = out + rejected + merged, for counts and for
 * content totals (hash sums mod 2^64). Stages and their hash domains:
 *   source     independent recount/rehash at the source (SQL)   source domain
 *   extract    rows read by the driver                           source domain
 *   decode     bytes decoded to UTF-8                            source domain
 *   transform  mapped to unified records                         source domain in/out/rejected,
 *                                                                plus h_uout: unified domain of out
 *   load       merged into the store                             unified domain
 *   target     independent recount/rehash in the store (SQL)     unified domain
 * Links: extract.in = source.out, decode.in = extract.out, transform.in =
 * decode.out, load.in = transform.out (h_in = transform.h_uout), target.out =
 * load.out.
 */
#ifndef MG_LEDGER_H
#define MG_LEDGER_H

#include <stdint.h>

#include "migrate/buf.h"

enum mg_stage { ST_SOURCE, ST_EXTRACT, ST_DECODE, ST_TRANSFORM, ST_LOAD, ST_TARGET, ST_COUNT };

struct mg_stage_count {
	uint64_t in, out, rejected, merged;
	uint64_t h_in, h_out, h_rej, h_merged;
	uint64_t h_uout; /* transform only: unified-domain total of out */
};

#define MG_MAX_FIX 32

struct mg_ledger {
	struct mg_stage_count st[ST_COUNT];
	struct {
		char name[48];
		uint64_t n;
	} fix[MG_MAX_FIX];
	unsigned nfix;
};

extern const char *const mg_stage_names[ST_COUNT];

void ledger_init(struct mg_ledger *l);
void ledger_add(struct mg_ledger *dst, const struct mg_ledger *src);
/* Count a named fix (a counted, explained change such as zero_date). */
void ledger_fix(struct mg_ledger *l, const char *name, uint64_t n);
uint64_t ledger_fix_get(const struct mg_ledger *l, const char *name);

/* Serialise to JSON text / parse it back (checkpoint storage). */
int ledger_to_json(const struct mg_ledger *l, struct mg_buf *out, struct mg_err *e);
int ledger_from_json(struct mg_ledger *l, const char *json, struct mg_err *e);

/* Check every stage balance and every link. Appends one line per problem to
 * problems (may be NULL) and returns the number of problems. have_source and
 * have_target say whether the independent recounts were made. */
int ledger_check(const struct mg_ledger *l, int have_source, int have_target,
		 struct mg_buf *problems);

#endif
