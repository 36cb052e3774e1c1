/* loaders/loader.h: the contract every sink driver fills.
 *
 * A sink receives batches of unified records (the target table's fields in
 * canonical order, then the raw legacy record as JSON; prov[].u_hash set)
 * and their reject lines, and makes them durable in chunks. commit() makes
 * everything written since the last commit durable together with the
 * checkpoint (last key and cumulative ledger) in one transaction, so a crash
 * at any moment either keeps a chunk whole, checkpoint included, or loses
 * it whole and the resumed run repeats it: no loss, no duplicate.
 *
 * The load stage of the ledger is the sink's to fill: in (records
 * received), out (loaded), merged (duplicates of a record already loaded in
 * this run, which survives), rejected.
 */
#ifndef MG_LOADER_H
#define MG_LOADER_H

#include "migrate/batch.h"
#include "migrate/err.h"
#include "migrate/ledger.h"
#include "migrate/schema.h"

struct sink {
	const struct sink_driver *drv;
	/* set by open(): this run only inserts records into the target, never
	 * updates one, so ids grow with the commits and the target recount can
	 * trail the load by id range (migrate/pipeline.c) */
	int insert_only;
};

struct sink_checkpoint {
	long long run_id;
	const char *table;            /* legacy table */
	const struct mg_buf *last_key;
	const struct mg_ledger *ledger; /* cumulative, load stage included */
	const char *watermark;        /* highest watermark value extracted so far, or NULL */
};

struct sink_driver {
	const char *name;
	/* conn: the store's connection (see loaders/pgstore.h) */
	int (*open)(void *conn, const struct mg_utable *t, long long run_id, const char *system,
		    const char *table, struct sink **out, struct mg_err *e);
	int (*write)(struct sink *s, const struct mg_batch *b, struct mg_err *e);
	/* Commit the chunk; adds the chunk's load counts to *delta first, then
	 * stores ckpt (whose ledger must already include delta: the caller
	 * passes a callback to fold it in). */
	int (*commit)(struct sink *s, struct mg_ledger *delta,
		      void (*fold)(void *arg, const struct mg_ledger *delta, struct sink_checkpoint *ck),
		      void *arg, struct mg_err *e);
	void (*close)(struct sink *s);    /* rolls back an uncommitted chunk */
};

const struct sink_driver *sink_driver_find(const char *name);
extern const struct sink_driver *const sink_drivers[];

#endif
