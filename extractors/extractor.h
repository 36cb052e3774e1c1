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
