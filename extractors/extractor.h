/* extractors/extractor.h: the contract every source driver fills.
 *
 * A driver is one file with static callbacks and one exported
 * `const struct source_driver`, listed in extractors/registry.c. Drivers
 * hand over raw bytes exactly as stored (no character set conversion): the
 * decode transform turns them into text. Status codes: MG_OK (a batch),
 * MG_DONE (no more rows; DONE again on every later call), MG_ERR (e filled;
 * the only valid call afterwards is close).
 *
 * Life cycle:
 *   open(pb)                 connect / open files, from the playbook's source
 *   start(table, after)      begin streaming one table in key order, after
 *                            key `after` when resuming (NULL: from the start);
 *                            fills the column names
 *   next_batch(batch)        fill batch (reset by the caller) with up to
 *                            batch->max_rows rows; set each row's key
 *   recount(table, out)      optional: independent count + content total at
 *                            the source (see migrate/hash.h for the form)
 *   range->...               optional: key-range count, median key and
 *                            listing for drill-down (struct source_range_ops)
 *   close()                  NULL-safe, valid after any error
 * To write a new driver, copy extractors/mysql.c's shape: a struct that
 * embeds struct source first, static callbacks, an options table for
 * `migrate check`, and a registry line. docs/architecture.md has the steps.
 */
#ifndef MG_EXTRACTOR_H
#define MG_EXTRACTOR_H

#include <stddef.h>
#include <stdint.h>

#include "migrate/batch.h"
#include "migrate/err.h"
#include "migrate/playbook.h"

enum {
	SRC_CAN_RESUME = 1 << 0,    /* start() honours `after` */
	SRC_CAN_WATERMARK = 1 << 1, /* changed-since extraction */
	SRC_CAN_RECOUNT = 1 << 2,   /* recount() exists */
};

#define MG_MAX_COLS 256

struct mg_columns {
	unsigned n;
	char *name[MG_MAX_COLS];    /* owned by the driver until close */
};

struct mg_count {
	uint64_t rows;
	uint64_t total;             /* content total, source domain */
};

struct source {
	const struct source_driver *drv;
	/* drop folders: files of the table already taken, "name\tbytes\n"
	 * lines (set by the pipeline before start; NULL otherwise) */
	const struct mg_buf *taken;
	/* incremental runs (table option watermark): the value the last
	 * finished run got to, as text; the driver extracts (and recounts) only
	 * rows whose watermark column is >= it minus watermark_overlap. NULL:
	 * everything. Set by the pipeline before start. */
	const struct mg_buf *wm_since;
};

/* Drill-down (migrate reconcile --drill, migrate/drill.h): optional range
 * operations a database driver offers so that a difference between the
 * source and the store can be narrowed to the exact records by bisection.
 *
 * A range is lo < key <= hi in the source's key order; a NULL bound is open
 * (no limit on that side). Keys travel as the bytes the driver hands over as
 * row keys (batch_row_end), i.e. the bytes the store keeps as legacy_key, so
 * a bound taken from the source compares with the store's keys. Hashes are
 * source-domain record hashes (migrate/hash.h) over the columns cols, as the
 * run recorded them (migration.run_table.columns), exactly as recount.
 * Memory stays bounded whatever the range holds: list streams its rows. */
enum src_key_order {
	SRC_KEY_BYTES,    /* keys compare as byte strings: memcmp, then the shorter first */
	SRC_KEY_INTEGER,  /* keys are decimal integers ("-12"), compared as numbers */
	SRC_KEY_NUMBER,   /* decimal numbers ("-1.5", "2e+20"), compared as numbers */
};

struct src_range_count {
	uint64_t rows;
	uint64_t total;          /* content total of the range, source domain */
	/* SRC_KEY_INTEGER only, and only when not NULL (the caller's buffers):
	 * the smallest and the largest key of the range, when rows > 0 */
	struct mg_buf *min, *max;
};

struct source_range_ops {
	/* Prepare table t for range calls (after open, instead of start):
	 * read the key's type, fill *order (enum src_key_order), and begin one
	 * read-only snapshot where the database offers one, kept until close,
	 * so that every later call sees the same rows. */
	int (*begin)(struct source *s, const struct pb_table *t, const struct mg_columns *cols, int *order,
		     struct mg_err *e);
	/* Count and content total of the rows in (lo, hi]. */
	int (*count)(struct source *s, const struct mg_buf *lo, const struct mg_buf *hi,
		     struct src_range_count *out, struct mg_err *e);
	/* The key of the row at 0-based position n of (lo, hi] in key order
	 * (a median: n = rows / 2) into key: MG_OK, or MG_DONE if the range
	 * has n rows or fewer. */
	int (*key_at)(struct source *s, const struct mg_buf *lo, const struct mg_buf *hi, uint64_t n,
		      struct mg_buf *key, struct mg_err *e);
	/* Stream (key, record hash) of every row of (lo, hi] in key order to
	 * row(); a non-zero return from row() stops the listing and is
	 * returned (row() fills e). Key bytes are valid during the call only. */
	int (*list)(struct source *s, const struct mg_buf *lo, const struct mg_buf *hi,
		    int (*row)(void *arg, const unsigned char *key, size_t keylen, uint64_t hash, struct mg_err *e),
		    void *arg, struct mg_err *e);
};

struct source_driver {
	const char *name;
	unsigned caps;
	const struct pb_keyspec *options;   /* valid keys of the playbook's source section */
	const struct pb_keyspec *table_options; /* extra keys valid in a table section (may be NULL) */
	int (*open)(struct playbook *pb, struct source **out, struct mg_err *e);
	int (*start)(struct source *s, const struct pb_table *t, const struct mg_buf *after,
		     struct mg_columns *cols, struct mg_err *e);
	int (*next_batch)(struct source *s, struct mg_batch *b, struct mg_err *e);
	int (*recount)(struct source *s, const struct pb_table *t, const struct mg_columns *cols,
		       struct mg_count *out, struct mg_err *e);
	void (*close)(struct source *s);
	/* optional, NULL = no drill-down: "drill-down is not supported by
	 * source driver 'x'"; see struct source_range_ops */
	const struct source_range_ops *range;
};

/* The driver, or NULL if unknown or not compiled in (source_driver_known tells). */
const struct source_driver *source_driver_find(const char *name);
int source_driver_known(const char *name);
/* Iterate the registry: i < source_driver_count(); NULL = not compiled in. */
const struct source_driver *source_driver_at(size_t i);
size_t source_driver_count(void);
/* Comma-separated list of registered drivers, for messages. */
void source_driver_names(char *out, size_t n);

#endif
