/* loaders/pgstore.h: the unified 12345 store on PostgreSQL.
 *
 * Connection (libpq: conninfo, or the PG* environment variables, or
 * ~/.pgpass), versioned schema migrations (`migrate init`), run bookkeeping
 * and the independent target recount. Every statement binds its values;
 * identifiers are fixed in the code.
 */
#ifndef MG_PGSTORE_H
#define MG_PGSTORE_H

#include <libpq-fe.h>

#include "migrate/buf.h"
#include "migrate/err.h"
#include "migrate/ledger.h"
#include "migrate/playbook.h"

struct pgstore {
	PGconn *conn;
	char where[256];   /* database@host for messages, never the password */
};

struct mg_count;
struct mg_utable;

int pgstore_connect(struct pgstore *s, const char *conninfo, struct mg_err *e);
void pgstore_close(struct pgstore *s);
/* Run a statement with text parameters; *res (may be NULL) gets the result. */
int pgstore_exec(struct pgstore *s, const char *sql, int n, const char *const *params, PGresult **res,
		 struct mg_err *e);
/* Apply pending schema migrations; *from and *to get the versions. */
int pgstore_init(struct pgstore *s, const char *taxonomy_csv, int *from, int *to, struct mg_err *e);
int pgstore_require_schema(struct pgstore *s, struct mg_err *e);
/* Session lock per system: one run of a system at a time. */
int pgstore_lock_system(struct pgstore *s, const char *system, struct mg_err *e);
/* Start a run, or resume the newest unfinished run of the same playbook
 * (unless fresh). */
int pgstore_begin_run(struct pgstore *s, const struct playbook *pb, int fresh, const char *version,
		      long long *run_id, int *resumed, struct mg_err *e);
int pgstore_load_checkpoint(struct pgstore *s, long long run_id, const char *table, struct mg_buf *key,
			    int *have_key, struct mg_ledger *l, struct mg_buf *wm, struct mg_err *e);
/* The watermark a table's last finished run got to (migration.watermark). */
int pgstore_get_watermark(struct pgstore *s, const char *system, const char *table, struct mg_buf *out,
			  int *have, struct mg_err *e);
/* The window an incremental run read: rows with watermark >= since - overlap. */
int pgstore_save_since(struct pgstore *s, long long run_id, const char *table, const char *since, struct mg_err *e);
int pgstore_set_watermark(struct pgstore *s, const char *system, const char *table, const char *value,
			  long long run_id, struct mg_err *e);
int pgstore_save_columns(struct pgstore *s, long long run_id, const char *table, const char *const *cols,
			 unsigned n, struct mg_err *e);
/* A table's stage ledger (migration.stage_ledger). */
int pgstore_save_stage_ledger(struct pgstore *s, long long run_id, const char *table, const struct mg_ledger *l,
			      struct mg_err *e);
/* Close a run: status, balance, the run's total ledger. */
int pgstore_finish_run(struct pgstore *s, long long run_id, const struct mg_ledger *l, int balanced,
		       const char *status, const char *message, struct mg_err *e);
int pgstore_fail_run(struct pgstore *s, long long run_id, const char *message);
/* Independent recount of a raw landing table (schema_raw_new). */
int pgstore_recount_raw(struct pgstore *s, const struct mg_utable *t, long long run_id, struct mg_count *out,
			struct mg_err *e);
/* Independent recount of the work orders of a system that run run_id
 * loaded (or updated last). */
int pgstore_recount(struct pgstore *s, const char *system, long long run_id, struct mg_count *out,
		    struct mg_err *e);
/* The same for any unified table, for the records of one legacy table
 * (table; NULL: all of the system's). */
int pgstore_recount_table(struct pgstore *s, const struct mg_utable *t, const char *system, const char *table,
			  long long run_id, struct mg_count *out, struct mg_err *e);
/* The same over the records with id > range->after_id (the rows committed
 * since the last call, when the run only inserts: ids grow with the commits);
 * sets range->after_id to the highest id seen and range->orphans to the
 * records among them whose system or category code is not in the store.
 * range NULL: every record, orphans not counted. */
struct pgstore_range {
	long long after_id;
	long long orphans;
};
int pgstore_recount_range(struct pgstore *s, const struct mg_utable *t, const char *system, const char *table,
			  long long run_id, struct pgstore_range *range, struct mg_count *out, struct mg_err *e);
/* A second connection to the same store (same parameters, same settings). */
int pgstore_clone(const struct pgstore *s, struct pgstore *out, struct mg_err *e);
/* Records of a table's run whose system or category code is not in the
 * store (the integrity foreign keys would give, checked once at the end). */
long long pgstore_orphans(struct pgstore *s, const struct mg_utable *t, const char *system, const char *table,
			  long long run_id, struct mg_err *e);
/* Records of the target that a run did not load: after a full run, records
 * whose legacy rows have gone from the source. Returns the count or -1. */
long long pgstore_stale(struct pgstore *s, const struct mg_utable *t, const char *system, long long run_id,
			struct mg_err *e);
/* Append the SQL text expression of the unified-domain canonical form of
 * table t's row named alias. */
int pgstore_canon_sql(const struct mg_utable *t, const char *alias, struct mg_buf *out, struct mg_err *e);
/* Record the inputs finished in a chunk (batch_input_done lines) in
 * migration.source_file, inside the chunk's transaction. */
int pgstore_record_inputs(PGconn *conn, const char *run_id, const char *system, const char *table,
			  const struct mg_buf *inputs, struct mg_err *e);
/* The files of a table already taken: "name\tbytes\n" lines. */
int pgstore_taken_files(struct pgstore *s, const char *system, const char *table, struct mg_buf *out,
			struct mg_err *e);
/* COPY lines (COPY text format) with copy_sql ("COPY t (...) FROM STDIN"). */
int pgstore_copy_lines(PGconn *conn, const char *copy_sql, const struct mg_buf *lines, struct mg_err *e);
#define PGSTORE_COPY_REPAIRS "COPY migration.repair (run_id, source_system, source_table, legacy_id, legacy_key," \
	" line, byte_offset, column_name, rules, passes, original, decoded, repaired) FROM STDIN"
/* The end of every sink's chunk: upsert the checkpoint, COMMIT. */
struct sink_checkpoint;
int pgstore_commit_checkpoint(PGconn *conn, const char *run_id, const char *table, const struct sink_checkpoint *ck,
			      struct mg_err *e);
/* Abandon an unfinished chunk: end a COPY in progress, ROLLBACK. */
void pgstore_abort_chunk(PGconn *conn, int in_copy, int in_tx);
/* Parse a decimal string mod 2^64. */
unsigned long long parse_u64_mod(const char *s);

#endif
