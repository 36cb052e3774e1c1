/* loaders/postgresql.c: the unified store's sink.
 *
 * A chunk is one transaction that ends with the checkpoint:
 *  - direct path: while the store holds no row of this system from another
 *    run, a record whose legacy id a Bloom filter proves new in this run is
 *    COPYed straight into the target (as fast as COPY gets);
 *  - exact path: every other record (a possible duplicate, or any record
 *    of a re-run) is COPYed into a temporary staging table; duplicates (a
 *    legacy id seen twice, or already loaded by this run: the first
 *    occurrence survives) are marked, the rest upserted by (source_system,
 *    legacy_id), the duplicates recorded in migration.merged pointing at
 *    their survivor;
 *    The direct COPY uses PostgreSQL's binary format: the server then
 *    skips the text COPY's line splitting and de-escaping (28% of its CPU
 *    on a work-order COPY, perf, 100,000 rows). Timestamps go as UTC
 *    microseconds, which needs Asia/Shanghai's offset: +08:00 since 1992
 *    (China kept daylight saving time from 1986 to 1991); a record with an
 *    earlier timestamp takes the exact path, whose text COPY lets the
 *    server apply the time-zone rules. The recount hashes what the server
 *    stored, so a wrong conversion could not go unnoticed;
 *  - the chunk's rejects are COPYed into migration.reject, the checkpoint
 *    upserted, and the transaction committed.
 * The Bloom filter has a fixed size and is rebuilt from the store when a
 * run resumes, so memory does not grow with the rows. Re-running a finished
 * run's playbook updates the same rows in place.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaders/loader.h"
#include "loaders/pgstore.h"
#include "migrate/bloom.h"
#include "migrate/copyfmt.h"

extern const struct sink_driver sink_postgresql;

struct pg_sink {
	struct sink base;
	PGconn *conn;
	const struct mg_utable *t;
	char run_id[24];
	char system[32];
	char table[256];
	int in_tx, in_copy;        /* in_copy: 1 = COPY into staging, 2 = COPY into the target */
	int direct;                /* the direct path is allowed */
	long long run_num;
	int64_t *us;               /* binary path: the record's timestamps, by field */
	struct bloom seen;         /* legacy ids loaded by this run */
	uint64_t seq;
	uint64_t staged;
	uint64_t n_direct, h_direct;
	struct mg_buf pending;     /* staging rows waiting while the direct COPY is open */
	struct mg_buf inputs;      /* files finished in this chunk */
	struct mg_buf repairs;     /* repaired values of this chunk */
	struct mg_buf line;
	struct mg_buf rejects;
	unsigned long long nrejects;
	char insert_sql[4096];
	char direct_sql[1024];
	/* statements naming the target table (@T in the templates below) */
	/* sql_mark's EXISTS ends in OFFSET 0: without it the planner hashes the
	 * subquery, reading every record of the system for each chunk (138 ms
	 * per chunk at 100,000 records, growing with the table; 4 ms with) */
	char sql_other[256], sql_ids[160], sql_copy_stage[96], sql_mark[620], sql_merged[600], sql_count[400];
};

/* Copy a statement template, replacing each "@T" with the table name. */
static void fill(char *dst, size_t n, const char *tmpl, const char *table)
{
	size_t o = 0, tl = strlen(table);

	for (const char *c = tmpl; *c && o + 1 < n; c++) {
		if (c[0] == '@' && c[1] == 'T' && o + tl + 1 < n) {
			memcpy(dst + o, table, tl);
			o += tl;
			c++;
		} else {
			dst[o++] = *c;
		}
	}
	dst[o] = '\0';
}

#define PENDING_MAX (4u << 20)

static int pg_fail(struct pg_sink *s, const char *what, PGresult *r, struct mg_err *e)
{
	char msg[600];

	snprintf(msg, sizeof(msg), "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(s->conn));
	PQclear(r);
	return mg_err_set(e, PQstatus(s->conn) == CONNECTION_OK ? MG_E_STORE : MG_E_CONNECT,
			  "cannot %s in the store: %s", what, mg_chomp(msg));
}

static int exec_ok(struct pg_sink *s, const char *sql, int n, const char *const *p, PGresult **out,
		   const char *what, struct mg_err *e)
{
	PGresult *r = n ? PQexecParams(s->conn, sql, n, NULL, p, NULL, NULL, 0) : PQexec(s->conn, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return pg_fail(s, what, r, e);
	if (out)
		*out = r;
	else
		PQclear(r);
	return 0;
}

/* The direct path is safe while no row of this system comes from another
 * run: then a legacy id absent from the Bloom filter of this run's ids is
 * absent from the target. A resumed run refills the filter from the store. */
static int choose_path(struct pg_sink *s, struct mg_err *e)
{
	const char *p[2] = {s->system, s->run_id};
	PGresult *r;
	int other;

	if (exec_ok(s, s->sql_other, 2, p, &r, "inspect the target", e))
		return -1;
	other = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (other)
		return 0;
	if (bloom_init(&s->seen, 8u << 20))
		return mg_err_set(e, MG_E_NOMEM, "out of memory for the load filter");
	if (!PQsendQueryParams(s->conn, s->sql_ids, 1, NULL, p,
			       NULL, NULL, 0) || !PQsetSingleRowMode(s->conn))
		return pg_fail(s, "read the ids loaded so far", NULL, e);
	while ((r = PQgetResult(s->conn))) {
		ExecStatusType st = PQresultStatus(r);

		if (st == PGRES_SINGLE_TUPLE)
			bloom_test_add(&s->seen, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
		else if (st != PGRES_TUPLES_OK)
			return pg_fail(s, "read the ids loaded so far", r, e);
		PQclear(r);
	}
	s->direct = 1;
	s->base.insert_only = 1;
	return 0;
}

static int pg_open(void *conn, const struct mg_utable *t, long long run_id, const char *system,
		   const char *table, struct sink **out, struct mg_err *e)
{
	struct pg_sink *s = calloc(1, sizeof(*s));
	struct mg_buf sql;
	size_t u = 0;

	*out = NULL;
	if (!s)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	s->base.drv = &sink_postgresql;
	s->conn = ((struct pgstore *)conn)->conn;
	s->t = t;
	snprintf(s->run_id, sizeof(s->run_id), "%lld", run_id);
	s->run_num = run_id;
	s->us = calloc(t->nfields ? t->nfields : 1, sizeof(*s->us));
	if (!s->us) {
		free(s);
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	}
	snprintf(s->system, sizeof(s->system), "%s", system);
	snprintf(s->table, sizeof(s->table), "%s", table);
	buf_init(&s->line, 0, "copy line");
	buf_init(&s->rejects, 0, "rejects");
	buf_init(&s->pending, 0, "pending");
	buf_init(&s->inputs, 0, "inputs");
	buf_init(&s->repairs, 0, "repairs");
	buf_init(&sql, 0, "sql");
	/* staging lives in local buffers: give them room before first use */
	PQclear(PQexec(s->conn, "SET temp_buffers = '64MB'"));
	buf_printf(&sql, e, "CREATE TEMP TABLE IF NOT EXISTS stage_%s (seq bigint NOT NULL,", t->name);
	buf_addstr(&sql, " legacy_key bytea, u_hash numeric(20,0) NOT NULL, src_hash numeric(20,0) NOT NULL,"
		   " merged boolean NOT NULL DEFAULT false", e);
	for (unsigned i = 0; i < t->nfields; i++)
		buf_printf(&sql, e, ", %s text", t->fields[i].name);
	buf_addstr(&sql, ", raw text) ON COMMIT DELETE ROWS", e);
	if (exec_ok(s, buf_cstr(&sql), 0, NULL, NULL, "create the staging table", e)) {
		buf_release(&sql);
		free(s->us);
		free(s);
		return -1;
	}
	buf_release(&sql);
	/* the upsert from staging into the target */
	u += (size_t)snprintf(s->insert_sql + u, sizeof(s->insert_sql) - u, "INSERT INTO hotline.%s (", t->name);
	for (unsigned i = 0; i < t->nfields; i++)
		u += (size_t)snprintf(s->insert_sql + u, sizeof(s->insert_sql) - u, "%s, ", t->fields[i].name);
	u += (size_t)snprintf(s->insert_sql + u, sizeof(s->insert_sql) - u,
			      "raw, run_id, legacy_key, src_hash, u_hash, source_table) SELECT ");
	for (unsigned i = 0; i < t->nfields; i++)
		u += (size_t)snprintf(s->insert_sql + u, sizeof(s->insert_sql) - u, "%s%s, ", t->fields[i].name,
				      t->fields[i].type == U_TIMESTAMP ? "::timestamptz" : "");
	u += (size_t)snprintf(s->insert_sql + u, sizeof(s->insert_sql) - u,
			      "raw::jsonb, $1, legacy_key, src_hash, u_hash, $2 FROM stage_%s WHERE NOT merged ORDER BY seq"
			      " ON CONFLICT (source_system, legacy_id) DO UPDATE SET ", t->name);
	for (unsigned i = 2; i < t->nfields; i++)
		u += (size_t)snprintf(s->insert_sql + u, sizeof(s->insert_sql) - u, "%s = EXCLUDED.%s, ",
				      t->fields[i].name, t->fields[i].name);
	snprintf(s->insert_sql + u, sizeof(s->insert_sql) - u,
		 "raw = EXCLUDED.raw, run_id = EXCLUDED.run_id, legacy_key = EXCLUDED.legacy_key,"
		 " src_hash = EXCLUDED.src_hash, u_hash = EXCLUDED.u_hash, source_table = EXCLUDED.source_table,"
		 " loaded_at = now()");
	u = (size_t)snprintf(s->direct_sql, sizeof(s->direct_sql), "COPY hotline.%s (", t->name);
	for (unsigned i = 0; i < t->nfields; i++)
		u += (size_t)snprintf(s->direct_sql + u, sizeof(s->direct_sql) - u, "%s, ", t->fields[i].name);
	snprintf(s->direct_sql + u, sizeof(s->direct_sql) - u,
		 "raw, run_id, legacy_key, src_hash, u_hash, source_table) FROM STDIN WITH (FORMAT binary)");
	fill(s->sql_other, sizeof(s->sql_other),
	     "SELECT EXISTS (SELECT 1 FROM hotline.@T WHERE source_system = $1 AND run_id <> $2)", t->name);
	fill(s->sql_ids, sizeof(s->sql_ids), "SELECT legacy_id FROM hotline.@T WHERE source_system = $1", t->name);
	fill(s->sql_copy_stage, sizeof(s->sql_copy_stage), "COPY stage_@T FROM STDIN", t->name);
	fill(s->sql_mark, sizeof(s->sql_mark), "UPDATE stage_@T st SET merged = true FROM"
	     " (SELECT seq, row_number() OVER (PARTITION BY legacy_id ORDER BY seq) AS rn FROM stage_@T) o"
	     " WHERE o.seq = st.seq AND (o.rn > 1 OR EXISTS (SELECT 1 FROM hotline.@T w"
	     " WHERE w.source_system = $2 AND w.legacy_id = st.legacy_id AND w.run_id = $1 OFFSET 0))", t->name);
	fill(s->sql_merged, sizeof(s->sql_merged), "INSERT INTO migration.merged (run_id, source_system, source_table,"
	     " legacy_id, legacy_key, survivor_id, raw, u_hash, src_hash, target_table) SELECT $1, st.source_system, $2,"
	     " st.legacy_id, st.legacy_key, w.id, st.raw::jsonb, st.u_hash, st.src_hash, '@T' FROM stage_@T st"
	     " JOIN hotline.@T w ON w.source_system = st.source_system AND w.legacy_id = st.legacy_id WHERE st.merged",
	     t->name);
	fill(s->sql_count, sizeof(s->sql_count), "SELECT count(*) FILTER (WHERE NOT merged),"
	     " coalesce(sum(u_hash) FILTER (WHERE NOT merged), 0), count(*) FILTER (WHERE merged),"
	     " coalesce(sum(u_hash) FILTER (WHERE merged), 0), count(*), coalesce(sum(u_hash), 0) FROM stage_@T", t->name);
	*out = &s->base;
	if (choose_path(s, e)) {
		sink_postgresql.close(&s->base);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int begin_chunk(struct pg_sink *s, struct mg_err *e)
{
	if (exec_ok(s, "BEGIN", 0, NULL, NULL, "begin a transaction", e))
		return -1;
	s->in_tx = 1;
	s->staged = s->n_direct = s->h_direct = 0;
	return 0;
}

static int start_copy(struct pg_sink *s, int which, struct mg_err *e)
{
	PGresult *r = PQexec(s->conn, which == 2 ? s->direct_sql : s->sql_copy_stage);

	if (!r || PQresultStatus(r) != PGRES_COPY_IN)
		return pg_fail(s, which == 2 ? "start COPY into the target" : "start COPY into staging", r, e);
	PQclear(r);
	s->in_copy = which;
	/* binary COPY: signature, flags, no header extension */
	if (which == 2 && buf_add(&s->line, "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19, e))
		return -1;
	return 0;
}

/* ---- binary COPY (the direct path) ---- */
static int put_be(struct mg_buf *o, uint64_t v, unsigned n, struct mg_err *e)
{
	unsigned char b[8];

	for (unsigned i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
	return buf_add(o, b, n, e);
}

static int put_field(struct mg_buf *o, const void *p, size_t n, struct mg_err *e)
{
	if (n > 0x7fffffff)
		return mg_err_set(e, MG_E_LIMIT, "a value of %zu bytes is too large for the store", n);
	return put_be(o, n, 4, e) || buf_add(o, p, n, e);
}

/* numeric(20,0) as numeric_recv reads it: base-10000 digits, most
 * significant first */
static int put_numeric(struct mg_buf *o, uint64_t v, struct mg_err *e)
{
	uint16_t d[5];
	int n = 0;

	for (; v; v /= 10000)
		d[n++] = (uint16_t)(v % 10000);
	if (put_be(o, 8u + 2u * (unsigned)n, 4, e) || put_be(o, (uint64_t)n, 2, e) ||
	    put_be(o, (uint64_t)(n ? n - 1 : 0), 2, e) || put_be(o, 0, 2, e) || put_be(o, 0, 2, e))
		return -1;
	for (int i = n - 1; i >= 0; i--)
		if (put_be(o, d[i], 2, e))
			return -1;
	return 0;
}

static int digits(const unsigned char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD HH:MM:SS" in Asia/Shanghai -> microseconds since
 * 2000-01-01 00:00:00 UTC; 0 when the value is not of that shape or
 * before 1992 (the caller sends the record the exact way) */
static int ts_binary(const unsigned char *p, size_t n, int64_t *us)
{
	int y, m, d, hh, mi, ss;
	int64_t days;

	if (n != 19 || p[4] != '-' || p[7] != '-' || p[10] != ' ' || p[13] != ':' || p[16] != ':')
		return 0;
	y = digits(p, 4), m = digits(p + 5, 2), d = digits(p + 8, 2);
	hh = digits(p + 11, 2), mi = digits(p + 14, 2), ss = digits(p + 17, 2);
	if (y < 1992 || m < 1 || m > 12 || d < 1 || d > 31 || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 ||
	    ss > 59)
		return 0;
	/* days from civil (proleptic Gregorian), relative to 2000-03-01 */
	{
		int yy = y - (m <= 2);
		int era = yy / 400, yoe = yy - era * 400;
		int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = (int64_t)era * 146097 + doe - 730425; /* 730425: 2000-01-01 */
	}
	*us = ((days * 86400 + hh * 3600 + mi * 60 + ss) - 8 * 3600) * INT64_C(1000000);
	return 1;
}

/* the record can go the binary way: every timestamp since 1992 (converted
 * once, into s->us, for fmt_binary) */
static int binary_ok(struct pg_sink *s, const struct mg_batch *b, unsigned r)
{
	for (unsigned c = 0; c < s->t->nfields; c++) {
		size_t n;
		const unsigned char *v;

		if (s->t->fields[c].type != U_TIMESTAMP)
			continue;
		v = batch_get(b, r, c, &n);
		if (v && !ts_binary(v, n, &s->us[c]))
			return 0;
	}
	return 1;
}

static int fmt_binary(struct pg_sink *s, const struct mg_batch *b, unsigned r, const unsigned char *k, size_t kn,
		      struct mg_err *e)
{
	struct mg_buf *o = &s->line;

	if (put_be(o, b->ncols + 5u, 2, e))
		return -1;
	for (unsigned c = 0; c < b->ncols; c++) {
		size_t n;
		const unsigned char *v = batch_get(b, r, c, &n);

		if (!v) {
			if (put_be(o, 0xffffffffu, 4, e))
				return -1;
		} else if (c < s->t->nfields && s->t->fields[c].type == U_TIMESTAMP) {
			if (put_be(o, 8, 4, e) || put_be(o, (uint64_t)s->us[c], 8, e))
				return -1;
		} else if (c == s->t->nfields) {
			/* raw: jsonb version 1, then the JSON text */
			if (put_be(o, n + 1, 4, e) || buf_addc(o, 1, e) || buf_add(o, v, n, e))
				return -1;
		} else if (put_field(o, v, n, e)) {
			return -1;
		}
	}
	return put_be(o, 8, 4, e) || put_be(o, (uint64_t)s->run_num, 8, e) || put_field(o, k, kn, e) ||
	       put_numeric(o, b->prov[r].src_hash, e) || put_numeric(o, b->prov[r].u_hash, e) ||
	       put_field(o, s->table, strlen(s->table), e);
}

static int end_copy(struct pg_sink *s, struct mg_err *e);

static int send(struct pg_sink *s, struct mg_buf *b, struct mg_err *e)
{
	if (b->len && PQputCopyData(s->conn, (const char *)b->ptr, (int)b->len) != 1)
		return pg_fail(s, "send rows", NULL, e);
	buf_reset(b);
	return 0;
}

/* Move the pending staging rows into the staging table (the direct COPY,
 * if open, is ended first; the caller reopens it when needed). */
static int flush_pending(struct pg_sink *s, struct mg_err *e)
{
	if (!s->pending.len)
		return 0;
	if (s->in_copy == 2 && end_copy(s, e))
		return -1;
	if (s->in_copy != 1 && start_copy(s, 1, e))
		return -1;
	return send(s, &s->pending, e);
}

static int fmt_fields(struct mg_buf *o, const struct mg_batch *b, unsigned r, struct mg_err *e)
{
	for (unsigned c = 0; c < b->ncols; c++) {
		size_t n;
		const unsigned char *v = batch_get(b, r, c, &n);

		if (c && buf_addc(o, '\t', e))
			return -1;
		if (!v ? buf_addstr(o, "\\N", e) : copy_escape(o, v, n, e))
			return -1;
	}
	return 0;
}

static int pg_write(struct sink *sk, const struct mg_batch *b, struct mg_err *e)
{
	struct pg_sink *s = (struct pg_sink *)sk;

	if (!s->in_tx && begin_chunk(s, e))
		return -1;
	buf_reset(&s->line);
	for (unsigned r = 0; r < b->nrows; r++) {
		size_t kn, idn;
		const unsigned char *k = batch_key(b, r, &kn);
		const unsigned char *id = batch_get(b, r, U_LEGACY_ID, &idn);

		if (s->direct && !bloom_test_add(&s->seen, id, idn) && binary_ok(s, b, r)) {
			/* certainly new in this run: straight into the target */
			if (s->in_copy != 2) {
				if (send(s, &s->line, e) || (s->in_copy == 1 && end_copy(s, e)) || start_copy(s, 2, e))
					return -1;
			}
			if (fmt_binary(s, b, r, k, kn, e))
				return -1;
			s->n_direct++;
			s->h_direct += b->prov[r].u_hash;
		} else {
			/* possibly seen: the exact path through staging */
			struct mg_buf *o = s->direct ? &s->pending : &s->line;

			if (!s->direct && s->in_copy != 1 && start_copy(s, 1, e))
				return -1;
			if (buf_add_u64(o, s->seq++, e) || buf_addc(o, '\t', e) || copy_bytea(o, k, kn, e) ||
			    buf_addc(o, '\t', e) || buf_add_u64(o, b->prov[r].u_hash, e) || buf_addc(o, '\t', e) ||
			    buf_add_u64(o, b->prov[r].src_hash, e) || buf_addstr(o, "\tf\t", e) ||
			    fmt_fields(o, b, r, e) || buf_addc(o, '\n', e))
				return -1;
			s->staged++;
		}
		if (s->line.len > (1u << 20) && send(s, &s->line, e))
			return -1;
	}
	if (send(s, &s->line, e))
		return -1;
	if (s->pending.len > PENDING_MAX && flush_pending(s, e))
		return -1;
	if (b->nrejects && buf_add(&s->rejects, b->rejects.ptr, b->rejects.len, e))
		return -1;
	s->nrejects += b->nrejects;
	if (b->ninputs && buf_add(&s->inputs, b->inputs.ptr, b->inputs.len, e))
		return -1;
	if (b->nrepairs && buf_add(&s->repairs, b->repairs.ptr, b->repairs.len, e))
		return -1;
	return 0;
}

static int end_copy(struct pg_sink *s, struct mg_err *e)
{
	PGresult *r;

	if (!s->in_copy)
		return 0;
	/* the binary trailer */
	if (s->in_copy == 2 && (put_be(&s->line, 0xffff, 2, e) || send(s, &s->line, e)))
		return -1;
	s->in_copy = 0;
	if (PQputCopyEnd(s->conn, NULL) != 1)
		return pg_fail(s, "finish COPY into staging", NULL, e);
	r = PQgetResult(s->conn);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return pg_fail(s, "load the staging table", r, e);
	PQclear(r);
	while ((r = PQgetResult(s->conn)))
		PQclear(r);
	return 0;
}

static int copy_rejects(struct pg_sink *s, struct mg_err *e)
{
	PGresult *r;

	if (!s->rejects.len)
		return 0;
	r = PQexec(s->conn, "COPY migration.reject (run_id, source_system, source_table, stage, reason, detail,"
		   " legacy_key, line, byte_offset, raw, src_hash) FROM STDIN");
	if (!r || PQresultStatus(r) != PGRES_COPY_IN)
		return pg_fail(s, "start COPY of rejects", r, e);
	PQclear(r);
	if (PQputCopyData(s->conn, (const char *)s->rejects.ptr, (int)s->rejects.len) != 1 ||
	    PQputCopyEnd(s->conn, NULL) != 1)
		return pg_fail(s, "send rejects", NULL, e);
	r = PQgetResult(s->conn);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return pg_fail(s, "store rejects", r, e);
	PQclear(r);
	while ((r = PQgetResult(s->conn)))
		PQclear(r);
	buf_reset(&s->rejects);
	s->nrejects = 0;
	return 0;
}

static int pg_commit(struct sink *sk, struct mg_ledger *delta,
		     void (*fold)(void *arg, const struct mg_ledger *delta, struct sink_checkpoint *ck),
		     void *arg, struct mg_err *e)
{
	struct pg_sink *s = (struct pg_sink *)sk;
	const char *p[4];
	PGresult *r = NULL;
	struct sink_checkpoint ck;
	struct mg_stage_count *ld = &delta->st[ST_LOAD];

	if (!s->in_tx && begin_chunk(s, e))
		return -1;
	if (flush_pending(s, e) || end_copy(s, e) || copy_rejects(s, e) ||
	    pgstore_record_inputs(s->conn, s->run_id, s->system, s->table, &s->inputs, e))
		return -1;
	buf_reset(&s->inputs);
	if (pgstore_copy_lines(s->conn, PGSTORE_COPY_REPAIRS, &s->repairs, e))
		return -1;
	buf_reset(&s->repairs);
	ld->in += s->n_direct;
	ld->out += s->n_direct;
	ld->h_in += s->h_direct;
	ld->h_out += s->h_direct;
	p[0] = s->run_id;
	p[1] = s->system;
	p[2] = s->table;
	/* duplicates: second and later occurrences in the chunk, and legacy ids
	 * already loaded by this run */
	if (s->staged && exec_ok(s, s->sql_mark, 2, p, NULL, "mark duplicates", e))
		return -1;
	if (s->staged && exec_ok(s, s->insert_sql, 2, (const char *const[]){s->run_id, s->table}, NULL,
				 "merge into the target", e))
		return -1;
	if (s->staged && exec_ok(s, s->sql_merged, 2, (const char *const[]){s->run_id, s->table}, NULL,
				 "record duplicates", e))
		return -1;
	if (!s->staged)
		goto checkpoint;
	if (exec_ok(s, s->sql_count, 0, NULL, &r, "count the chunk", e))
		return -1;
	ld->out += strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	ld->h_out += parse_u64_mod(PQgetvalue(r, 0, 1));
	ld->merged += strtoull(PQgetvalue(r, 0, 2), NULL, 10);
	ld->h_merged += parse_u64_mod(PQgetvalue(r, 0, 3));
	ld->in += strtoull(PQgetvalue(r, 0, 4), NULL, 10);
	ld->h_in += parse_u64_mod(PQgetvalue(r, 0, 5));
	PQclear(r);
checkpoint:
	memset(&ck, 0, sizeof(ck));
	fold(arg, delta, &ck);
	if (pgstore_commit_checkpoint(s->conn, s->run_id, s->table, &ck, e))
		return -1;
	s->in_tx = 0;
	return 0;
}

static void pg_close(struct sink *sk)
{
	struct pg_sink *s = (struct pg_sink *)sk;

	if (!s)
		return;
	pgstore_abort_chunk(s->conn, s->in_copy, s->in_tx);
	buf_release(&s->line);
	buf_release(&s->rejects);
	buf_release(&s->pending);
	buf_release(&s->inputs);
	buf_release(&s->repairs);
	bloom_release(&s->seen);
	free(s->us);
	free(s);
}

const struct sink_driver sink_postgresql = {
	.name = "postgresql",
	.open = pg_open,
	.write = pg_write,
	.commit = pg_commit,
	.close = pg_close,
};
