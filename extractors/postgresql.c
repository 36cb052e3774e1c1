/* extractors/postgresql.c: PostgreSQL through libpq.
 *
 * Bytes arrive exactly as stored: the session's client_encoding is
 * SQL_ASCII, which turns off every conversion on the wire whatever the
 * database encoding is, so a UTF8 database yields its UTF-8 bytes and a
 * SQL_ASCII database holding GBK yields the GBK bytes. Every value is read
 * in text form, i.e. as the type's output function prints it, with the
 * session pinned so that the print is stable: DateStyle ISO, IntervalStyle
 * postgres, TimeZone (default Asia/Shanghai), extra_float_digits 3,
 * lc_monetary C. bytea is the exception: it is decoded from its hex print
 * back to the stored bytes.
 *
 * Rows stream through a NO SCROLL cursor, FETCH FORWARD batch_rows at a
 * time, inside one REPEATABLE READ READ ONLY transaction, so memory is
 * bounded by a batch and the whole table is read from one snapshot. The
 * resume key travels as a bound parameter: DECLARE ... WHERE key > $1
 * ORDER BY key. The recount runs in the same snapshot when it follows the
 * extraction (so the two agree even while the source is written to), on
 * its own otherwise; it computes the canonical form of migrate/hash.h in
 * SQL, from the same printed values, with sha256(). docs/sources/postgresql.md
 * has the details and the SQL an auditor can run.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/extractor.h"
#include "migrate/buf.h"

extern const struct source_driver source_postgresql;

#define BYTEA_OID 17
#define FETCH_MAX 10000
#define CURSOR "hm_extract"

struct pg_source {
	struct source base;
	PGconn *conn;
	PGresult *res;          /* current FETCH result */
	int row;                /* next row of res */
	int in_tx;
	int cursor_open;
	int exhausted;          /* the last FETCH returned fewer rows than asked */
	int done;
	int failed;
	char where[300];        /* "host' database 'db" for messages */
	char table[256];
	char keycol[128];
	int key_idx;
	int key_bytea;
	unsigned ncols;
	char *names[MG_MAX_COLS];
	unsigned oids[MG_MAX_COLS];
	size_t max_field;
	struct mg_buf q;
	struct mg_buf tmp;      /* decoded bytea */
	/* drill-down (range ops) */
	int rorder;             /* enum src_key_order of the key */
	struct mg_buf rtable;   /* the table, quoted */
	struct mg_buf rkeyval;  /* the key column, quoted */
	struct mg_buf rkey;     /* the key as compared and ordered */
	struct mg_buf rhash;    /* SQL: a row's record hash as 16 hex digits */
};

static const struct pb_keyspec options[] = {
	{"driver", "postgresql"},
	{"host", "server host name or unix socket directory (default: PGHOST or the local socket)"},
	{"port", "port (default: PGPORT or 5432)"},
	{"dbname", "database holding the tables (default: PGDATABASE)"},
	{"user", "user name (default: PGUSER or the login name)"},
	{"password_env", "name of the environment variable holding the password (or use ~/.pgpass)"},
	{"sslmode", "disable, allow, prefer, require, verify-ca or verify-full"},
	{"service", "a service name from pg_service.conf"},
	{"conninfo_env", "name of the environment variable holding a full libpq connection string"},
	{"timezone", "TimeZone of the session, for timestamptz values (default Asia/Shanghai)"},
	{NULL, NULL},
};

static const struct pb_keyspec table_options[] = {
	{NULL, NULL},
};

/* libpq messages may span lines (one per host tried, DETAIL, HINT): one line */
static void one_line(char *dst, size_t n, const char *src)
{
	size_t j = 0;

	for (const char *p = src ? src : ""; *p && j + 1 < n; p++) {
		if (*p == '\n') {
			if (!p[1])
				break;
			if (j + 2 < n) {
				dst[j++] = ';';
				dst[j++] = ' ';
			}
			while (p[1] == ' ' || p[1] == '\t')
				p++;
		} else if (*p == '\t' || *p == '\r') {
			dst[j++] = ' ';
		} else {
			dst[j++] = *p;
		}
	}
	dst[j] = '\0';
	mg_chomp(dst);
}

static int quote_ident(struct pg_source *s, struct mg_buf *b, const char *id, size_t n, struct mg_err *e)
{
	char *q = PQescapeIdentifier(s->conn, id, n);
	int rc;

	if (!q)
		return mg_err_set(e, MG_E_CONFIG, "cannot quote identifier '%s': %s", id, PQerrorMessage(s->conn));
	rc = buf_addstr(b, q, e);
	PQfreemem(q);
	return rc;
}

/* `table` or `schema.table` (split on the first dot) */
static int quote_table(struct pg_source *s, struct mg_buf *b, const char *name, struct mg_err *e)
{
	const char *dot = strchr(name, '.');

	if (!dot || dot == name || !dot[1])
		return quote_ident(s, b, name, strlen(name), e);
	if (quote_ident(s, b, name, (size_t)(dot - name), e) || buf_addc(b, '.', e))
		return -1;
	return quote_ident(s, b, dot + 1, strlen(dot + 1), e);
}

static int fail_res(struct pg_source *s, PGresult *r, struct mg_err *e, const char *what)
{
	char msg[768];
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	s->failed = 1;
	one_line(msg, sizeof(msg), primary ? primary : PQerrorMessage(s->conn));
	return mg_err_set(e, MG_E_SOURCE, "%s '%s' on postgresql '%s': %s", what, s->table, s->where, msg);
}

/* Run a command that returns no rows. */
static int exec_cmd(struct pg_source *s, const char *sql, struct mg_err *e, const char *what)
{
	PGresult *r = PQexec(s->conn, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fail_res(s, r, e, what);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

static void clear_cursor(struct pg_source *s)
{
	if (s->res) {
		PQclear(s->res);
		s->res = NULL;
	}
	s->row = 0;
	s->cursor_open = 0;
	s->exhausted = 0;
}

static void pg_close(struct source *src)
{
	struct pg_source *s = (struct pg_source *)src;

	if (!s)
		return;
	if (s->res)
		PQclear(s->res);
	if (s->conn)
		PQfinish(s->conn); /* the server rolls back the read-only transaction */
	for (unsigned i = 0; i < s->ncols; i++)
		free(s->names[i]);
	buf_release(&s->q);
	buf_release(&s->tmp);
	buf_release(&s->rtable);
	buf_release(&s->rkeyval);
	buf_release(&s->rkey);
	buf_release(&s->rhash);
	free(s);
}

static int pg_open(struct playbook *pb, struct source **out, struct mg_err *e)
{
	static const char *const names[] = {"host", "port", "dbname", "user", "sslmode", "service"};
	struct pg_source *s = calloc(1, sizeof(*s));
	char *val[6] = {NULL}, *pwenv = NULL, *cienv = NULL, *tz = NULL;
	const char *kw[16], *kv[16];
	int n = 0, rc = -1, expand = 0;

	*out = NULL;
	if (!s)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	s->base.drv = &source_postgresql;
	buf_init(&s->q, 0, "query");
	buf_init(&s->tmp, 0, "bytea");
	buf_init(&s->rtable, 0, "query");
	buf_init(&s->rkeyval, 0, "query");
	buf_init(&s->rkey, 0, "query");
	buf_init(&s->rhash, 0, "query");
	for (int i = 0; i < 6; i++)
		if (pb_get_str(pb, pb->source, names[i], &val[i], e))
			goto out;
	if (pb_get_str(pb, pb->source, "password_env", &pwenv, e) ||
	    pb_get_str(pb, pb->source, "conninfo_env", &cienv, e) ||
	    pb_get_str(pb, pb->source, "timezone", &tz, e))
		goto out;
	if (cienv) {
		const char *ci = getenv(cienv);

		if (!ci) {
			mg_err_set(e, MG_E_CONFIG, "environment variable '%s' (conninfo_env) is not set", cienv);
			goto out;
		}
		kw[n] = "dbname"; /* expanded as a connection string; later keys override it */
		kv[n++] = ci;
		expand = 1;
	}
	for (int i = 0; i < 6; i++)
		if (val[i]) {
			kw[n] = names[i];
			kv[n++] = val[i];
		}
	if (pwenv) {
		const char *pw = getenv(pwenv);

		if (!pw) {
			mg_err_set(e, MG_E_CONFIG, "environment variable '%s' (password_env) is not set", pwenv);
			goto out;
		}
		kw[n] = "password";
		kv[n++] = pw;
	}
	kw[n] = "connect_timeout";
	kv[n++] = "10";
	kw[n] = "application_name";
	kv[n++] = "hotline-migrate";
	kw[n] = "client_encoding"; /* no conversion on the wire: the stored bytes */
	kv[n++] = "SQL_ASCII";
	kw[n] = NULL;
	kv[n] = NULL;
	s->conn = PQconnectdbParams(kw, kv, expand);
	if (!s->conn) {
		mg_err_set(e, MG_E_NOMEM, "cannot initialise the postgresql client library");
		goto out;
	}
	{
		const char *h = PQhost(s->conn), *d = PQdb(s->conn);

		snprintf(s->where, sizeof(s->where), "%s' database '%s", h && *h ? h : val[0] ? val[0] : "default",
			 d && *d ? d : val[2] ? val[2] : "default");
	}
	if (PQstatus(s->conn) != CONNECTION_OK) {
		char msg[768];

		one_line(msg, sizeof(msg), PQerrorMessage(s->conn));
		mg_err_set(e, MG_E_CONNECT, "cannot connect to postgresql '%s': %s", s->where, msg);
		goto out;
	}
	/* pin every setting that changes how values print */
	buf_reset(&s->q);
	if (buf_addstr(&s->q, "SET client_encoding = 'SQL_ASCII'; SET DateStyle = 'ISO, YMD'; "
			      "SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; "
			      "SET bytea_output = 'hex'; SET lc_monetary = 'C'; "
			      "SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0; "
			      "SET TimeZone = ", e))
		goto out;
	{
		char *lit = PQescapeLiteral(s->conn, tz ? tz : "Asia/Shanghai", strlen(tz ? tz : "Asia/Shanghai"));

		if (!lit) {
			mg_err_set(e, MG_E_CONFIG, "bad timezone option");
			goto out;
		}
		rc = buf_addstr(&s->q, lit, e);
		PQfreemem(lit);
		if (rc)
			goto out;
		rc = -1;
	}
	snprintf(s->table, sizeof(s->table), "(session)");
	if (exec_cmd(s, (const char *)s->q.ptr, e, "cannot set up the session for"))
		goto out;
	*out = &s->base;
	rc = 0;
out:
	for (int i = 0; i < 6; i++)
		free(val[i]);
	free(pwenv);
	free(cienv);
	free(tz);
	if (rc)
		pg_close(&s->base);
	return rc;
}

static int is_missing_table(PGresult *r)
{
	const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return st && (!strcmp(st, "42P01") || !strcmp(st, "3F000")); /* undefined table / schema */
}

/* Column names and types of the table: SELECT * ... LIMIT 0. */
static int read_columns(struct pg_source *s, const struct pb_table *t, struct mg_err *e)
{
	PGresult *r;
	int nf;

	for (unsigned i = 0; i < s->ncols; i++)
		free(s->names[i]);
	s->ncols = 0;
	buf_reset(&s->q);
	if (buf_addstr(&s->q, "SELECT * FROM ", e) || quote_table(s, &s->q, t->name, e) ||
	    buf_addstr(&s->q, " LIMIT 0", e))
		return -1;
	r = PQexec(s->conn, (const char *)s->q.ptr);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		if (is_missing_table(r)) {
			s->failed = 1;
			PQclear(r);
			return mg_err_set(e, MG_E_CONFIG, "table '%s' does not exist in postgresql '%s'", t->name,
					  s->where);
		}
		fail_res(s, r, e, "cannot read the columns of");
		PQclear(r);
		return -1;
	}
	nf = PQnfields(r);
	if (nf > MG_MAX_COLS) {
		PQclear(r);
		s->failed = 1;
		return mg_err_set(e, MG_E_LIMIT, "table '%s' has more than %d columns", t->name, MG_MAX_COLS);
	}
	for (int i = 0; i < nf; i++) {
		s->names[i] = strdup(PQfname(r, i));
		if (!s->names[i]) {
			PQclear(r);
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		}
		s->oids[i] = PQftype(r, i);
		s->ncols++;
	}
	PQclear(r);
	return 0;
}

/* Incremental runs: "wm" >= $n minus the overlap, the value bound as a
 * parameter and cast to the column's own type (time types step back by
 * seconds, numbers by units; other types compare without an overlap). */
static int wm_condition(struct pg_source *s, const struct pb_table *t, unsigned oid, int n, struct mg_err *e)
{
	const char *cast;

	switch (oid) {
	case 1114: cast = "timestamp"; break;
	case 1184: cast = "timestamptz"; break;
	case 1082: cast = "date"; break;
	case 20: case 21: case 23: case 1700: case 700: case 701: cast = "numeric"; break;
	default: cast = NULL; break;
	}
	if (quote_ident(s, &s->q, t->watermark, strlen(t->watermark), e))
		return -1;
	if (!cast)
		return buf_printf(&s->q, e, " >= $%d", n);
	if (!strcmp(cast, "numeric"))
		return buf_printf(&s->q, e, " >= $%d::numeric - %u", n, t->watermark_overlap);
	return buf_printf(&s->q, e, " >= $%d::%s - make_interval(secs => %u)", n, cast, t->watermark_overlap);
}

/* The type of the watermark column, from a LIMIT 0 query. */
static int wm_type(struct pg_source *s, const struct pb_table *t, unsigned *oid, struct mg_err *e)
{
	struct mg_buf q;
	PGresult *r;
	int rc = 0;

	buf_init(&q, 0, "query");
	buf_addstr(&q, "SELECT ", e);
	{
		char *id = PQescapeIdentifier(s->conn, t->watermark, strlen(t->watermark));

		if (!id) {
			buf_release(&q);
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		}
		buf_addstr(&q, id, e);
		PQfreemem(id);
	}
	buf_addstr(&q, " FROM ", e);
	{
		struct mg_buf save = s->q;

		s->q = q;
		rc = quote_table(s, &s->q, t->name, e);
		q = s->q;
		s->q = save;
	}
	if (rc || buf_addstr(&q, " LIMIT 0", e)) {
		buf_release(&q);
		return -1;
	}
	r = PQexec(s->conn, buf_cstr(&q));
	buf_release(&q);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fail_res(s, r, e, "cannot read the watermark column of");
		PQclear(r);
		return -1;
	}
	*oid = PQftype(r, 0);
	PQclear(r);
	return 0;
}

static int pg_start(struct source *src, const struct pb_table *t, const struct mg_buf *after,
		    struct mg_columns *cols, struct mg_err *e)
{
	struct pg_source *s = (struct pg_source *)src;
	const char *pv[2];
	int plen[2], pfmt[2], np = 0, wm_idx = -1;
	unsigned ptype[2];
	PGresult *r;
	const struct mg_buf *w = t->watermark ? s->base.wm_since : NULL;

	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "postgresql source used after an error");
	snprintf(s->table, sizeof(s->table), "%s", t->name);
	if (!t->key)
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: table '%s' of a postgresql source needs 'key': a unique column to order and resume by",
				  t->pb->path, pb_line(t->node), t->name);
	snprintf(s->keycol, sizeof(s->keycol), "%s", t->key);
	s->max_field = t->max_field_bytes;
	s->tmp.cap = t->max_field_bytes;
	s->done = 0;
	clear_cursor(s);
	if (s->in_tx) {
		s->in_tx = 0;
		if (exec_cmd(s, "ROLLBACK", e, "cannot end the previous transaction before"))
			return -1;
	}
	if (exec_cmd(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e, "cannot begin a transaction to read"))
		return -1;
	s->in_tx = 1;
	if (read_columns(s, t, e))
		return -1;
	s->key_idx = -1;
	for (unsigned i = 0; i < s->ncols; i++)
		if (!strcmp(s->names[i], t->key))
			s->key_idx = (int)i;
	if (s->key_idx < 0) {
		s->failed = 1;
		return mg_err_set(e, MG_E_CONFIG, "key column '%s' is not in postgresql table '%s'", t->key, t->name);
	}
	s->key_bytea = s->oids[s->key_idx] == BYTEA_OID;
	cols->n = s->ncols;
	for (unsigned i = 0; i < s->ncols; i++)
		cols->name[i] = s->names[i];

	buf_reset(&s->q);
	buf_addstr(&s->q, "DECLARE " CURSOR " NO SCROLL CURSOR FOR SELECT ", e);
	for (unsigned i = 0; i < s->ncols; i++) {
		if (i)
			buf_addc(&s->q, ',', e);
		if (quote_ident(s, &s->q, s->names[i], strlen(s->names[i]), e))
			return -1;
	}
	buf_addstr(&s->q, " FROM ", e);
	if (quote_table(s, &s->q, t->name, e))
		return -1;
	if (w) {
		for (unsigned i = 0; i < s->ncols; i++)
			if (!strcmp(s->names[i], t->watermark))
				wm_idx = (int)i;
		if (wm_idx < 0)
			return mg_err_set(e, MG_E_CONFIG, "watermark column '%s' is not in postgresql table '%s'",
					  t->watermark, t->name);
		buf_addstr(&s->q, " WHERE ", e);
		if (wm_condition(s, t, s->oids[wm_idx], 1, e))
			return -1;
		pv[np] = buf_cstr(w);
		plen[np] = (int)w->len;
		pfmt[np] = 0;
		ptype[np++] = 0;
	}
	if (after) {
		buf_addstr(&s->q, w ? " AND " : " WHERE ", e);
		quote_ident(s, &s->q, t->key, strlen(t->key), e);
		buf_printf(&s->q, e, " > $%d", np + 1);
	}
	buf_addstr(&s->q, " ORDER BY ", e);
	if (quote_ident(s, &s->q, t->key, strlen(t->key), e))
		return -1;
	if (after) {
		/* the key as it was extracted: printed text, typed by the server
		 * from the comparison; a bytea key goes in binary */
		if (after->len > INT32_MAX)
			return mg_err_set(e, MG_E_LIMIT, "resume key too long");
		pv[np] = after->ptr ? (const char *)after->ptr : "";
		plen[np] = (int)after->len;
		pfmt[np] = s->key_bytea;
		ptype[np] = s->key_bytea ? BYTEA_OID : 0;
		if (!s->key_bytea && memchr(pv[np], '\0', after->len))
			return mg_err_set(e, MG_E_STORE, "stored resume key for '%s' contains a NUL byte", t->name);
		np++;
	}
	r = PQexecParams(s->conn, (const char *)s->q.ptr, np, np ? ptype : NULL,
			 np ? pv : NULL, np ? plen : NULL, np ? pfmt : NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fail_res(s, r, e, "cannot read");
		PQclear(r);
		return -1;
	}
	PQclear(r);
	s->cursor_open = 1;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* bytea prints as \x followed by hex digits (bytea_output = hex) */
static int unhex(struct pg_source *s, const char *p, size_t n, struct mg_err *e)
{
	buf_reset(&s->tmp);
	if (n < 2 || p[0] != '\\' || p[1] != 'x' || n % 2)
		return mg_err_set(e, MG_E_SOURCE, "unexpected bytea text from postgresql (not hex)");
	if (buf_grow(&s->tmp, (n - 2) / 2, e))
		return -1;
	for (size_t i = 2; i < n; i += 2) {
		int hi = hexval((unsigned char)p[i]), lo = hexval((unsigned char)p[i + 1]);

		if (hi < 0 || lo < 0)
			return mg_err_set(e, MG_E_SOURCE, "unexpected bytea text from postgresql (not hex)");
		s->tmp.ptr[s->tmp.len++] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int fetch(struct pg_source *s, unsigned want, struct mg_err *e)
{
	char sql[64];

	if (s->res)
		PQclear(s->res);
	s->row = 0;
	snprintf(sql, sizeof(sql), "FETCH FORWARD %u FROM " CURSOR, want);
	s->res = PQexec(s->conn, sql);
	if (PQresultStatus(s->res) != PGRES_TUPLES_OK)
		return fail_res(s, s->res, e, "cannot read");
	if (PQnfields(s->res) != (int)s->ncols) {
		s->failed = 1;
		return mg_err_set(e, MG_E_SOURCE, "postgresql returned %d columns for '%s', expected %u",
				  PQnfields(s->res), s->table, s->ncols);
	}
	if ((unsigned)PQntuples(s->res) < want)
		s->exhausted = 1;
	return 0;
}

static int put_row(struct pg_source *s, struct mg_batch *b, struct mg_err *e)
{
	PGresult *r = s->res;
	int row = s->row;
	size_t ki = (size_t)b->nrows * b->ncols + (unsigned)s->key_idx;

	batch_row_begin(b);
	for (unsigned c = 0; c < s->ncols; c++) {
		const char *v;
		size_t n;

		if (PQgetisnull(r, row, (int)c))
			continue;
		v = PQgetvalue(r, row, (int)c);
		n = (size_t)PQgetlength(r, row, (int)c);
		if (s->oids[c] == BYTEA_OID) {
			if (n > 2 && (n - 2) / 2 > s->max_field)
				goto too_large;
			if (unhex(s, v, n, e))
				goto bad;
			v = (const char *)s->tmp.ptr;
			n = s->tmp.len;
		}
		if (n > s->max_field)
			goto too_large;
		if (batch_put(b, c, v ? v : "", n, e))
			goto bad;
		continue;
too_large:
		s->failed = 1;
		batch_row_cancel(b);
		return mg_err_set(e, MG_E_LIMIT,
				  "value too large: column '%s' of row %s=%s in '%s' is %zu bytes, over max_field_bytes (%zu)",
				  s->names[c], s->keycol,
				  s->key_bytea ? "(bytea)" : PQgetisnull(r, row, s->key_idx) ? "NULL" : PQgetvalue(r, row, s->key_idx),
				  s->table, s->oids[c] == BYTEA_OID ? (n - 2) / 2 : n, s->max_field);
	}
	if (b->len[ki] == MG_NULL) {
		s->failed = 1;
		batch_row_cancel(b);
		return mg_err_set(e, MG_E_SOURCE, "key column '%s' of '%s' is NULL in a row", s->keycol, s->table);
	}
	/* the key is the key column's bytes as handed over (data is not moved by this) */
	if (batch_row_end(b, b->data.ptr + b->off[ki], b->len[ki], 0, 0, e))
		goto bad;
	return 0;
bad:
	s->failed = 1;
	return -1;
}

static int pg_next(struct source *src, struct mg_batch *b, struct mg_err *e)
{
	struct pg_source *s = (struct pg_source *)src;

	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "postgresql source used after an error");
	if (s->done || !s->cursor_open)
		return MG_DONE;
	snprintf(b->origin, sizeof(b->origin), "%s", s->table);
	while (!batch_full(b)) {
		if (!s->res || s->row >= PQntuples(s->res)) {
			unsigned want = b->max_rows < 1 ? 1 : b->max_rows > FETCH_MAX ? FETCH_MAX : b->max_rows;

			if (s->exhausted)
				break;
			if (fetch(s, want, e))
				return -1;
			if (!PQntuples(s->res))
				break;
		}
		if (put_row(s, b, e))
			return -1;
		s->row++;
	}
	if (batch_set_last_key(b, e))
		return -1;
	if (!batch_full(b)) {
		/* end of the table: free the cursor, keep the snapshot for recount */
		s->done = 1;
		clear_cursor(s);
		if (exec_cmd(s, "CLOSE " CURSOR, e, "cannot close the cursor of"))
			return -1;
		if (!b->nrows)
			return MG_DONE;
	}
	return MG_OK;
}

/* One column's canonical piece (migrate/hash.h) as a bytea expression: the
 * printed value's bytes in the database encoding (convert_to to the
 * database's own encoding converts nothing), or a bytea's own bytes. */
static int canon_sql(struct pg_source *s, const char *col, int bytea, struct mg_err *e)
{
	struct mg_buf *q = &s->q;

	buf_addstr(q, "CASE WHEN ", e);
	quote_ident(s, q, col, strlen(col), e);
	buf_addstr(q, " IS NULL THEN decode('4e','hex') ELSE ", e);
	if (bytea) {
		buf_addstr(q, "convert_to('V' || length(", e);
		quote_ident(s, q, col, strlen(col), e);
		buf_addstr(q, ") || ':', getdatabaseencoding()) || ", e);
		quote_ident(s, q, col, strlen(col), e);
	} else {
		buf_addstr(q, "convert_to('V' || octet_length(concat(", e);
		quote_ident(s, q, col, strlen(col), e);
		buf_addstr(q, ")) || ':' || concat(", e);
		quote_ident(s, q, col, strlen(col), e);
		buf_addstr(q, "), getdatabaseencoding())", e);
	}
	return buf_addstr(q, " END", e);
}

static int pg_recount(struct source *src, const struct pb_table *t, const struct mg_columns *cols,
		      struct mg_count *out, struct mg_err *e)
{
	struct pg_source *s = (struct pg_source *)src;
	unsigned char isbytea[MG_MAX_COLS];
	PGresult *r;

	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "postgresql source used after an error");
	snprintf(s->table, sizeof(s->table), "%s", t->name);
	if (!cols->n)
		return mg_err_set(e, MG_E_INTERNAL, "recount of '%s' without columns", t->name);
	/* the types of the recounted columns: bytea hashes its own bytes */
	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT ", e);
	for (unsigned i = 0; i < cols->n; i++) {
		if (i)
			buf_addc(&s->q, ',', e);
		if (quote_ident(s, &s->q, cols->name[i], strlen(cols->name[i]), e))
			return -1;
	}
	buf_addstr(&s->q, " FROM ", e);
	if (quote_table(s, &s->q, t->name, e) || buf_addstr(&s->q, " LIMIT 0", e))
		return -1;
	r = PQexec(s->conn, (const char *)s->q.ptr);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQnfields(r) != (int)cols->n) {
		if (is_missing_table(r)) {
			s->failed = 1;
			PQclear(r);
			return mg_err_set(e, MG_E_CONFIG, "table '%s' does not exist in postgresql '%s'", t->name,
					  s->where);
		}
		fail_res(s, r, e, "cannot recount");
		PQclear(r);
		return -1;
	}
	for (unsigned i = 0; i < cols->n; i++)
		isbytea[i] = PQftype(r, (int)i) == BYTEA_OID;
	PQclear(r);
	buf_reset(&s->q);
	/* record hash: first 8 bytes of sha256(canonical form) as a signed
	 * bigint; their sum mod 2^64 equals the sum of the unsigned values */
	buf_addstr(&s->q, "SELECT count(*)::text, ((coalesce(sum(('x' || encode(substr(sha256(", e);
	for (unsigned i = 0; i < cols->n; i++) {
		if (i)
			buf_addstr(&s->q, " || ", e);
		if (canon_sql(s, cols->name[i], isbytea[i], e))
			return -1;
	}
	buf_addstr(&s->q, "), 1, 8), 'hex'))::bit(64)::bigint::numeric), 0) % 18446744073709551616"
			  " + 18446744073709551616) % 18446744073709551616)::text FROM ", e);
	if (quote_table(s, &s->q, t->name, e))
		return -1;
	if (t->watermark && s->base.wm_since) {
		/* an incremental run: the same window as the extraction */
		unsigned oid = 0;
		const char *v = buf_cstr(s->base.wm_since);

		if (wm_type(s, t, &oid, e))
			return -1;
		if (buf_addstr(&s->q, " WHERE ", e) || wm_condition(s, t, oid, 1, e))
			return -1;
		r = PQexecParams(s->conn, (const char *)s->q.ptr, 1, NULL, &v, NULL, NULL, 0);
	} else {
		r = PQexec(s->conn, (const char *)s->q.ptr);
	}
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 || PQgetisnull(r, 0, 0) ||
	    PQgetisnull(r, 0, 1)) {
		if (PQresultStatus(r) == PGRES_TUPLES_OK)
			mg_err_set(e, MG_E_SOURCE, "recount of '%s' returned no row", t->name);
		else
			fail_res(s, r, e, "cannot recount");
		PQclear(r);
		return -1;
	}
	out->rows = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	out->total = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	return 0;
}

/* ---- drill-down: key ranges (struct source_range_ops) -----------------------
 *
 * Bounds travel as bound parameters, typed by the server from the key column
 * (a bytea key in binary). Order: integer and numeric keys as numbers, a
 * bytea key as bytes, any other key by its printed text's bytes
 * (concat(key) COLLATE "C"), which is the order of the bytes the extractor
 * hands over and the store keeps. Every call reads the snapshot of one
 * REPEATABLE READ READ ONLY transaction begun by begin. */

static int range_where(struct pg_source *s, const struct mg_buf *lo, const struct mg_buf *hi, struct mg_err *e)
{
	buf_addstr(&s->q, " FROM ", e);
	buf_add(&s->q, s->rtable.ptr, s->rtable.len, e);
	buf_addstr(&s->q, " WHERE ", e);
	buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
	buf_addstr(&s->q, " IS NOT NULL", e);
	if (lo) {
		buf_addstr(&s->q, " AND ", e);
		buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
		buf_addstr(&s->q, " > $1", e);
	}
	if (hi) {
		buf_addstr(&s->q, " AND ", e);
		buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
		buf_addstr(&s->q, lo ? " <= $2" : " <= $1", e);
	}
	return mg_err_isset(e) ? -1 : 0;
}

/* Send s->q with the bounds as parameters; single-row mode when streaming. */
static int range_send(struct pg_source *s, const struct mg_buf *lo, const struct mg_buf *hi, int stream,
		      PGresult **res, struct mg_err *e)
{
	const struct mg_buf *b[2];
	const char *pv[2];
	int plen[2], pfmt[2], n = 0;
	unsigned ptype[2];

	*res = NULL;
	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "postgresql source used after an error");
	if (lo)
		b[n++] = lo;
	if (hi)
		b[n++] = hi;
	for (int i = 0; i < n; i++) {
		if (b[i]->len > INT32_MAX)
			return mg_err_set(e, MG_E_LIMIT, "key bound too long");
		pv[i] = b[i]->ptr ? (const char *)b[i]->ptr : "";
		plen[i] = (int)b[i]->len;
		pfmt[i] = s->key_bytea;
		ptype[i] = s->key_bytea ? BYTEA_OID : 0;
		if (!s->key_bytea && memchr(pv[i], '\0', b[i]->len))
			return mg_err_set(e, MG_E_SOURCE, "a key bound for '%s' contains a NUL byte", s->table);
	}
	if (!stream) {
		*res = PQexecParams(s->conn, (const char *)s->q.ptr, n, ptype, pv, plen, pfmt, 0);
		if (PQresultStatus(*res) != PGRES_TUPLES_OK) {
			fail_res(s, *res, e, "cannot read a key range of");
			PQclear(*res);
			*res = NULL;
			return -1;
		}
		return 0;
	}
	if (!PQsendQueryParams(s->conn, (const char *)s->q.ptr, n, ptype, pv, plen, pfmt, 0) ||
	    !PQsetSingleRowMode(s->conn))
		return fail_res(s, NULL, e, "cannot list a key range of");
	return 0;
}

static int range_key(struct pg_source *s, PGresult *r, int row, const char **k, size_t *n, struct mg_err *e)
{
	*k = PQgetvalue(r, row, 0);
	*n = (size_t)PQgetlength(r, row, 0);
	if (s->key_bytea) {
		if (unhex(s, *k, *n, e))
			return -1;
		*k = s->tmp.ptr ? (const char *)s->tmp.ptr : "";
		*n = s->tmp.len;
	}
	return 0;
}

static int pg_range_begin(struct source *src, const struct pb_table *t, const struct mg_columns *cols, int *order,
			  struct mg_err *e)
{
	struct pg_source *s = (struct pg_source *)src;
	unsigned koid;
	PGresult *r;

	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "postgresql source used after an error");
	snprintf(s->table, sizeof(s->table), "%s", t->name);
	if (!t->key)
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: table '%s' of a postgresql source needs 'key' for drill-down",
				  t->pb->path, pb_line(t->node), t->name);
	if (!cols->n)
		return mg_err_set(e, MG_E_INTERNAL, "drill-down of '%s' without columns", t->name);
	s->max_field = t->max_field_bytes;
	s->tmp.cap = t->max_field_bytes;
	clear_cursor(s);
	if (s->in_tx) {
		s->in_tx = 0;
		if (exec_cmd(s, "ROLLBACK", e, "cannot end the previous transaction before"))
			return -1;
	}
	if (exec_cmd(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e, "cannot begin a transaction to read"))
		return -1;
	s->in_tx = 1;
	/* the key's type, then the columns' types (bytea hashes its own bytes) */
	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT ", e);
	if (quote_ident(s, &s->q, t->key, strlen(t->key), e))
		return -1;
	for (unsigned i = 0; i < cols->n; i++) {
		buf_addc(&s->q, ',', e);
		if (quote_ident(s, &s->q, cols->name[i], strlen(cols->name[i]), e))
			return -1;
	}
	buf_addstr(&s->q, " FROM ", e);
	if (quote_table(s, &s->q, t->name, e) || buf_addstr(&s->q, " LIMIT 0", e))
		return -1;
	r = PQexec(s->conn, (const char *)s->q.ptr);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQnfields(r) != (int)cols->n + 1) {
		if (is_missing_table(r) || (PQresultErrorField(r, PG_DIAG_SQLSTATE) &&
					    !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42703"))) {
			s->failed = 1;
			PQclear(r);
			return mg_err_set(e, MG_E_CONFIG, "table '%s' with key column '%s' does not exist in postgresql '%s'",
					  t->name, t->key, s->where);
		}
		fail_res(s, r, e, "cannot read the key of");
		PQclear(r);
		return -1;
	}
	koid = PQftype(r, 0);
	buf_reset(&s->rhash);
	buf_reset(&s->q);
	/* the record hash: first 8 bytes of SHA-256 of the canonical form, hex */
	buf_addstr(&s->q, "encode(substr(sha256(", e);
	for (unsigned i = 0; i < cols->n; i++) {
		if (i)
			buf_addstr(&s->q, " || ", e);
		if (canon_sql(s, cols->name[i], PQftype(r, (int)i + 1) == BYTEA_OID, e)) {
			PQclear(r);
			return -1;
		}
	}
	PQclear(r);
	if (buf_addstr(&s->q, "), 1, 8), 'hex')", e) || buf_add(&s->rhash, s->q.ptr, s->q.len, e))
		return -1;
	s->key_bytea = koid == BYTEA_OID;
	switch (koid) {
	case 20: /* int8 */
	case 21: /* int2 */
	case 23: /* int4 */
	case 26: /* oid */
		s->rorder = SRC_KEY_INTEGER;
		break;
	case 700:  /* float4 */
	case 701:  /* float8 */
	case 1700: /* numeric */
		s->rorder = SRC_KEY_NUMBER;
		break;
	default:
		s->rorder = SRC_KEY_BYTES;
	}
	buf_reset(&s->rtable);
	buf_reset(&s->rkey);
	buf_reset(&s->rkeyval);
	if (quote_table(s, &s->rtable, t->name, e) || quote_ident(s, &s->rkeyval, t->key, strlen(t->key), e))
		return -1;
	if (s->rorder == SRC_KEY_BYTES && !s->key_bytea) {
		/* the printed text's bytes, as handed over */
		buf_addstr(&s->rkey, "concat(", e);
		buf_add(&s->rkey, s->rkeyval.ptr, s->rkeyval.len, e);
		buf_addstr(&s->rkey, ") COLLATE \"C\"", e);
	} else {
		buf_add(&s->rkey, s->rkeyval.ptr, s->rkeyval.len, e);
	}
	*order = s->rorder;
	return mg_err_isset(e) ? -1 : 0;
}

static int pg_range_count(struct source *src, const struct mg_buf *lo, const struct mg_buf *hi,
			  struct src_range_count *out, struct mg_err *e)
{
	struct pg_source *s = (struct pg_source *)src;
	int minmax = s->rorder == SRC_KEY_INTEGER && out->min && out->max;
	PGresult *r;

	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT count(*)::text, ((coalesce(sum(('x' || ", e);
	buf_add(&s->q, s->rhash.ptr, s->rhash.len, e);
	buf_addstr(&s->q, ")::bit(64)::bigint::numeric), 0) % 18446744073709551616 + 18446744073709551616)"
		   " % 18446744073709551616)::text", e);
	if (minmax) {
		buf_addstr(&s->q, ", min(", e);
		buf_add(&s->q, s->rkeyval.ptr, s->rkeyval.len, e);
		buf_addstr(&s->q, ")::text, max(", e);
		buf_add(&s->q, s->rkeyval.ptr, s->rkeyval.len, e);
		buf_addstr(&s->q, ")::text", e);
	}
	if (range_where(s, lo, hi, e) || range_send(s, lo, hi, 0, &r, e))
		return -1;
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0) || PQgetisnull(r, 0, 1)) {
		PQclear(r);
		return mg_err_set(e, MG_E_SOURCE, "count of a key range of '%s' returned no row", s->table);
	}
	out->rows = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	out->total = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
	if (minmax && !PQgetisnull(r, 0, 2) && !PQgetisnull(r, 0, 3)) {
		buf_reset(out->min);
		buf_reset(out->max);
		if (buf_addstr(out->min, PQgetvalue(r, 0, 2), e) || buf_addstr(out->max, PQgetvalue(r, 0, 3), e)) {
			PQclear(r);
			return -1;
		}
	}
	PQclear(r);
	return 0;
}

static int pg_range_key_at(struct source *src, const struct mg_buf *lo, const struct mg_buf *hi, uint64_t n,
			   struct mg_buf *key, struct mg_err *e)
{
	struct pg_source *s = (struct pg_source *)src;
	const char *k;
	size_t kn;
	PGresult *r;
	int rc;

	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT ", e);
	buf_add(&s->q, s->rkeyval.ptr, s->rkeyval.len, e);
	if (range_where(s, lo, hi, e))
		return -1;
	buf_addstr(&s->q, " ORDER BY ", e);
	buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
	if (buf_printf(&s->q, e, " LIMIT 1 OFFSET %llu", (unsigned long long)n) || range_send(s, lo, hi, 0, &r, e))
		return -1;
	if (PQntuples(r) < 1 || PQgetisnull(r, 0, 0)) {
		PQclear(r);
		return MG_DONE;
	}
	if (range_key(s, r, 0, &k, &kn, e)) {
		PQclear(r);
		return -1;
	}
	buf_reset(key);
	rc = buf_add(key, k, kn, e);
	PQclear(r);
	return rc ? -1 : MG_OK;
}

static int pg_range_list(struct source *src, const struct mg_buf *lo, const struct mg_buf *hi,
			 int (*cb)(void *arg, const unsigned char *key, size_t keylen, uint64_t hash, struct mg_err *e),
			 void *arg, struct mg_err *e)
{
	struct pg_source *s = (struct pg_source *)src;
	PGresult *r, *bad = NULL;
	int rc = 0;

	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT ", e);
	buf_add(&s->q, s->rkeyval.ptr, s->rkeyval.len, e);
	buf_addstr(&s->q, ", ", e);
	buf_add(&s->q, s->rhash.ptr, s->rhash.len, e);
	if (range_where(s, lo, hi, e))
		return -1;
	buf_addstr(&s->q, " ORDER BY ", e);
	buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
	/* streamed a row at a time: memory does not grow with the range */
	if (mg_err_isset(e) || range_send(s, lo, hi, 1, &r, e))
		return -1;
	while ((r = PQgetResult(s->conn))) {
		ExecStatusType st = PQresultStatus(r);

		if (st == PGRES_SINGLE_TUPLE && !rc) {
			const char *k;
			size_t kn;

			if (PQgetisnull(r, 0, 1) || PQgetlength(r, 0, 1) != 16) {
				rc = mg_err_set(e, MG_E_SOURCE, "unexpected row listing a key range of '%s'", s->table);
			} else if (range_key(s, r, 0, &k, &kn, e) ||
				   cb(arg, (const unsigned char *)k, kn, strtoull(PQgetvalue(r, 0, 1), NULL, 16), e)) {
				rc = -1; /* the rest of the result is read and dropped */
			}
		} else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && !bad) {
			bad = r;
			continue;
		}
		PQclear(r);
	}
	if (bad) {
		if (!rc)
			fail_res(s, bad, e, "cannot list a key range of");
		PQclear(bad);
		s->failed = 1;
		return -1;
	}
	return rc;
}

static const struct source_range_ops pg_range = {
	.begin = pg_range_begin,
	.count = pg_range_count,
	.key_at = pg_range_key_at,
	.list = pg_range_list,
};

const struct source_driver source_postgresql = {
	.name = "postgresql",
	.caps = SRC_CAN_RESUME | SRC_CAN_RECOUNT | SRC_CAN_WATERMARK,
	.options = options,
	.table_options = table_options,
	.open = pg_open,
	.start = pg_start,
	.next_batch = pg_next,
	.recount = pg_recount,
	.close = pg_close,
	.range = &pg_range,
};
