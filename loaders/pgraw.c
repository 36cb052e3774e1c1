/* loaders/pgraw.c: verbatim landing of a source table or file in the store.
 *
 * legacy_<system>.<table> holds every source column as bytea (the bytes
 * exactly as stored) or text (decoded), plus provenance: _key (the row's
 * key: table key value, or <file>#<record>), _origin (table, file or
 * archive member), _line, _byte_offset, _run_id. A chunk is one
 * transaction: COPY into a staging copy of the table, upsert by _key,
 * rejects, checkpoint, COMMIT; so re-runs and resumed runs land nothing
 * twice. In bytea mode a landed row's canonical form is the source-domain
 * form itself, so the target recount must equal the source recount.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaders/loader.h"
#include "loaders/pgstore.h"
#include "migrate/copyfmt.h"

extern const struct sink_driver sink_raw;

struct raw_sink {
	struct sink base;
	PGconn *conn;
	const struct mg_utable *t;
	char run_id[24];
	char *qname;             /* "schema"."table", quoted */
	int in_tx, in_copy;
	uint64_t n, h;
	struct mg_buf line, rejects, sql, inputs, repairs;
	char system[32], table[256];
};

static int fail(struct raw_sink *s, const char *what, PGresult *r, struct mg_err *e)
{
	char msg[600];

	snprintf(msg, sizeof(msg), "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(s->conn));
	PQclear(r);
	return mg_err_set(e, PQstatus(s->conn) == CONNECTION_OK ? MG_E_STORE : MG_E_CONNECT,
			  "cannot %s in the store: %s", what, mg_chomp(msg));
}

static int run_sql(struct raw_sink *s, const char *sql, const char *what, struct mg_err *e)
{
	PGresult *r = PQexec(s->conn, sql);

	if (!r || (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK))
		return fail(s, what, r, e);
	PQclear(r);
	return 0;
}

static int add_ident(struct raw_sink *s, struct mg_buf *b, const char *id, struct mg_err *e)
{
	char *q = PQescapeIdentifier(s->conn, id, strlen(id));
	int rc;

	if (!q)
		return fail(s, "quote an identifier", NULL, e);
	rc = buf_addstr(b, q, e);
	PQfreemem(q);
	return rc;
}

static void raw_close(struct sink *sk)
{
	struct raw_sink *s = (struct raw_sink *)sk;

	if (!s)
		return;
	pgstore_abort_chunk(s->conn, s->in_copy, s->in_tx);
	buf_release(&s->line);
	buf_release(&s->rejects);
	buf_release(&s->sql);
	buf_release(&s->inputs);
	buf_release(&s->repairs);
	free(s->qname);
	free(s);
}

static int raw_open(void *conn, const struct mg_utable *t, long long run_id, const char *system,
		    const char *table, struct sink **out, struct mg_err *e)
{
	struct raw_sink *s = calloc(1, sizeof(*s));
	struct mg_buf q;

	*out = NULL;
	if (!s)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	snprintf(s->system, sizeof(s->system), "%s", system);
	snprintf(s->table, sizeof(s->table), "%s", table);
	buf_init(&s->inputs, 0, "inputs");
	buf_init(&s->repairs, 0, "repairs");
	s->base.drv = &sink_raw;
	s->conn = ((struct pgstore *)conn)->conn;
	s->t = t;
	snprintf(s->run_id, sizeof(s->run_id), "%lld", run_id);
	buf_init(&s->line, 0, "copy line");
	buf_init(&s->rejects, 0, "rejects");
	buf_init(&s->sql, 0, "sql");
	buf_init(&q, 0, "name");
	if (add_ident(s, &q, t->land_schema, e) || buf_addc(&q, '.', e) || add_ident(s, &q, t->land_table, e))
		goto fail;
	s->qname = buf_detach(&q, NULL);
	/* the landing table and its staging copy */
	buf_addstr(&s->sql, "SET temp_buffers = '64MB'; CREATE SCHEMA IF NOT EXISTS ", e);
	add_ident(s, &s->sql, t->land_schema, e);
	buf_printf(&s->sql, e, "; CREATE TABLE IF NOT EXISTS %s (_key bytea PRIMARY KEY, _origin text NOT NULL,"
		   " _line bigint, _byte_offset bigint, _run_id bigint NOT NULL", s->qname);
	for (unsigned i = 0; i < t->nfields; i++) {
		buf_addstr(&s->sql, ", ", e);
		add_ident(s, &s->sql, t->fields[i].name, e);
		buf_addstr(&s->sql, t->fields[i].type == U_BYTEA ? " bytea" : " text", e);
	}
	buf_printf(&s->sql, e, "); CREATE TEMP TABLE IF NOT EXISTS stage_raw (LIKE %s) ON COMMIT DELETE ROWS", s->qname);
	if (mg_err_isset(e) || run_sql(s, buf_cstr(&s->sql), "create the landing table", e))
		goto fail;
	*out = &s->base;
	return 0;
fail:
	buf_release(&q);
	raw_close(&s->base);
	return -1;
}

static int raw_write(struct sink *sk, const struct mg_batch *b, struct mg_err *e)
{
	struct raw_sink *s = (struct raw_sink *)sk;

	if (!s->in_tx) {
		PGresult *r;

		if (run_sql(s, "BEGIN", "begin a transaction", e))
			return -1;
		s->in_tx = 1;
		s->n = s->h = 0;
		r = PQexec(s->conn, "COPY stage_raw FROM STDIN");
		if (!r || PQresultStatus(r) != PGRES_COPY_IN)
			return fail(s, "start COPY into staging", r, e);
		PQclear(r);
		s->in_copy = 1;
	}
	buf_reset(&s->line);
	for (unsigned r = 0; r < b->nrows; r++) {
		size_t kn;
		const unsigned char *k = batch_key(b, r, &kn);

		if (copy_bytea(&s->line, k, kn, e) || buf_addc(&s->line, '\t', e) ||
		    copy_escape(&s->line, b->origin, strlen(b->origin), e) ||
		    buf_printf(&s->line, e, "\t%llu\t%llu\t%s", (unsigned long long)b->prov[r].line,
			       (unsigned long long)b->prov[r].offset, s->run_id))
			return -1;
		for (unsigned c = 0; c < b->ncols; c++) {
			size_t n;
			const unsigned char *v = batch_get(b, r, c, &n);

			buf_addc(&s->line, '\t', e);
			if (!v)
				buf_addstr(&s->line, "\\N", e);
			else if (s->t->fields[c].type == U_BYTEA ? copy_bytea(&s->line, v, n, e) : copy_escape(&s->line, v, n, e))
				return -1;
		}
		if (buf_addc(&s->line, '\n', e))
			return -1;
		s->n++;
		s->h += b->prov[r].u_hash;
		if (s->line.len > (1u << 20)) {
			if (PQputCopyData(s->conn, (const char *)s->line.ptr, (int)s->line.len) != 1)
				return fail(s, "send rows", NULL, e);
			buf_reset(&s->line);
		}
	}
	if (s->line.len && PQputCopyData(s->conn, (const char *)s->line.ptr, (int)s->line.len) != 1)
		return fail(s, "send rows", NULL, e);
	if (b->nrejects && buf_add(&s->rejects, b->rejects.ptr, b->rejects.len, e))
		return -1;
	if (b->ninputs && buf_add(&s->inputs, b->inputs.ptr, b->inputs.len, e))
		return -1;
	if (b->nrepairs && buf_add(&s->repairs, b->repairs.ptr, b->repairs.len, e))
		return -1;
	return 0;
}

static int finish_copy(struct raw_sink *s, const char *what, struct mg_err *e)
{
	PGresult *r;

	if (PQputCopyEnd(s->conn, NULL) != 1)
		return fail(s, what, NULL, e);
	r = PQgetResult(s->conn);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return fail(s, what, r, e);
	PQclear(r);
	while ((r = PQgetResult(s->conn)))
		PQclear(r);
	return 0;
}

static int raw_commit(struct sink *sk, struct mg_ledger *delta,
		      void (*fold)(void *arg, const struct mg_ledger *delta, struct sink_checkpoint *ck),
		      void *arg, struct mg_err *e)
{
	struct raw_sink *s = (struct raw_sink *)sk;
	struct sink_checkpoint ck;
	PGresult *r;

	if (!s->in_tx && raw_write(sk, &(struct mg_batch){0}, e))
		return -1;
	s->in_copy = 0;
	if (finish_copy(s, "land the rows in staging", e))
		return -1;
	if (s->rejects.len) {
		r = PQexec(s->conn, "COPY migration.reject (run_id, source_system, source_table, stage, reason, detail,"
			   " legacy_key, line, byte_offset, raw, src_hash) FROM STDIN");
		if (!r || PQresultStatus(r) != PGRES_COPY_IN)
			return fail(s, "start COPY of rejects", r, e);
		PQclear(r);
		if (PQputCopyData(s->conn, (const char *)s->rejects.ptr, (int)s->rejects.len) != 1 ||
		    finish_copy(s, "store rejects", e))
			return -1;
		buf_reset(&s->rejects);
	}
	if (pgstore_record_inputs(s->conn, s->run_id, s->system, s->table, &s->inputs, e))
		return -1;
	buf_reset(&s->inputs);
	if (pgstore_copy_lines(s->conn, PGSTORE_COPY_REPAIRS, &s->repairs, e))
		return -1;
	buf_reset(&s->repairs);
	buf_reset(&s->sql);
	buf_printf(&s->sql, e, "INSERT INTO %s SELECT * FROM stage_raw ON CONFLICT (_key) DO UPDATE SET"
		   " _origin = EXCLUDED._origin, _line = EXCLUDED._line, _byte_offset = EXCLUDED._byte_offset,"
		   " _run_id = EXCLUDED._run_id", s->qname);
	for (unsigned i = 0; i < s->t->nfields; i++) {
		buf_addstr(&s->sql, ", ", e);
		add_ident(s, &s->sql, s->t->fields[i].name, e);
		buf_addstr(&s->sql, " = EXCLUDED.", e);
		add_ident(s, &s->sql, s->t->fields[i].name, e);
	}
	if (mg_err_isset(e) || run_sql(s, buf_cstr(&s->sql), "land the rows", e))
		return -1;
	delta->st[ST_LOAD].in += s->n;
	delta->st[ST_LOAD].out += s->n;
	delta->st[ST_LOAD].h_in += s->h;
	delta->st[ST_LOAD].h_out += s->h;
	memset(&ck, 0, sizeof(ck));
	fold(arg, delta, &ck);
	if (pgstore_commit_checkpoint(s->conn, s->run_id, ck.table, &ck, e))
		return -1;
	s->in_tx = 0;
	return 0;
}

const struct sink_driver sink_raw = {
	.name = "raw",
	.open = raw_open,
	.write = raw_write,
	.commit = raw_commit,
	.close = raw_close,
};
