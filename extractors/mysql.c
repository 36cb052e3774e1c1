/* extractors/mysql.c: MySQL and MariaDB through libmariadb.
 *
 * Bytes arrive exactly as stored: the connection character set is `binary`,
 * so a latin1 column holding GBK bytes is not "converted" by the server.
 * Rows stream unbuffered (mysql_use_result) in key order, so memory does not
 * grow with the table; net_write_timeout is raised so a slow consumer does
 * not make the server drop the connection. Resumption: WHERE key > K. Zero
 * and invalid dates come through as the server prints them
 * ('0000-00-00 00:00:00', '2019-02-30 ...'); the datetime transform applies
 * the playbook's explicit policy to them.
 */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/extractor.h"
#include "migrate/buf.h"

extern const struct source_driver source_mysql;

struct my_source {
	struct source base;
	MYSQL *conn;
	MYSQL_RES *res;
	char *database;
	char *socket;
	char *host;
	unsigned port;
	char table[256];
	char keycol[128];
	int key_idx;
	int numeric_key;
	int wm_numeric;         /* the watermark column is a number, else a date/time or text */
	int wm_known;           /* wm_numeric has been read from the column's metadata */
	struct mg_buf wm_cond;  /* "`wm` >= ..." for incremental runs, empty otherwise */
	unsigned ncols;
	char *names[MG_MAX_COLS];
	size_t max_field;
	int done;
	int failed;
	struct mg_buf q;
	/* drill-down (range ops) */
	int rorder;             /* enum src_key_order of the key */
	struct mg_buf rtable;   /* the table, quoted */
	struct mg_buf rkey;     /* the key column, quoted */
	struct mg_buf rhash;    /* SQL: a row's record hash as 16 hex digits */
	struct mg_buf rwindow;  /* an incremental run's watermark condition, or empty */
};

static const struct pb_keyspec options[] = {
	{"driver", "mysql"},
	{"host", "server host name (default: the local socket)"},
	{"port", "TCP port (default 3306)"},
	{"socket", "unix socket path, e.g. ${MYSQL_UNIX_PORT}"},
	{"database", "database (schema) holding the tables"},
	{"user", "user name"},
	{"password_env", "name of the environment variable holding the password"},
	{"option_file", "a MySQL option file with credentials ([client] group)"},
	{NULL, NULL},
};

static int quote_ident(struct mg_buf *b, const char *id, struct mg_err *e)
{
	if (buf_addc(b, '`', e))
		return -1;
	for (const char *p = id; *p; p++)
		if ((*p == '`' && buf_addc(b, '`', e)) || buf_addc(b, *p, e))
			return -1;
	return buf_addc(b, '`', e);
}

static const char *where(struct my_source *s)
{
	static __thread char w[300];

	snprintf(w, sizeof(w), "%s", s->socket ? s->socket : s->host ? s->host : "localhost");
	return w;
}

static void my_close(struct source *src)
{
	struct my_source *s = (struct my_source *)src;

	if (!s)
		return;
	if (s->res)
		mysql_free_result(s->res);
	if (s->conn)
		mysql_close(s->conn);
	for (unsigned i = 0; i < s->ncols; i++)
		free(s->names[i]);
	free(s->database);
	free(s->socket);
	free(s->host);
	buf_release(&s->q);
	buf_release(&s->rtable);
	buf_release(&s->rkey);
	buf_release(&s->rhash);
	buf_release(&s->rwindow);
	buf_release(&s->wm_cond);
	free(s);
}

static int my_open(struct playbook *pb, struct source **out, struct mg_err *e)
{
	struct my_source *s = calloc(1, sizeof(*s));
	char *user = NULL, *pwenv = NULL, *optfile = NULL;
	const char *pw = NULL;
	unsigned long long port;
	unsigned int timeout = 10;
	int rc = -1;

	*out = NULL;
	if (!s)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	s->base.drv = &source_mysql;
	buf_init(&s->q, 0, "query");
	buf_init(&s->rtable, 0, "query");
	buf_init(&s->rkey, 0, "query");
	buf_init(&s->rhash, 0, "query");
	buf_init(&s->rwindow, 0, "query");
	buf_init(&s->wm_cond, 0, "watermark");
	if (pb_get_str(pb, pb->source, "database", &s->database, e) ||
	    pb_get_str(pb, pb->source, "socket", &s->socket, e) ||
	    pb_get_str(pb, pb->source, "host", &s->host, e) ||
	    pb_get_str(pb, pb->source, "user", &user, e) ||
	    pb_get_str(pb, pb->source, "password_env", &pwenv, e) ||
	    pb_get_str(pb, pb->source, "option_file", &optfile, e) ||
	    pb_get_uint(pb, pb->source, "port", 3306, 65535, &port, e))
		goto out;
	if (!s->database) {
		mg_err_set(e, MG_E_CONFIG, "%s: the mysql source needs 'database'", pb->path);
		goto out;
	}
	if (pwenv) {
		pw = getenv(pwenv);
		if (!pw) {
			mg_err_set(e, MG_E_CONFIG, "environment variable '%s' (password_env) is not set", pwenv);
			goto out;
		}
	}
	s->port = (unsigned)port;
	s->conn = mysql_init(NULL);
	if (!s->conn) {
		mg_err_set(e, MG_E_NOMEM, "cannot initialise the mysql client library");
		goto out;
	}
	mysql_options(s->conn, MYSQL_SET_CHARSET_NAME, "binary");
	mysql_options(s->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	if (optfile) {
		mysql_options(s->conn, MYSQL_READ_DEFAULT_FILE, optfile);
		mysql_options(s->conn, MYSQL_READ_DEFAULT_GROUP, "client");
	}
	if (!mysql_real_connect(s->conn, s->host, user, pw, s->database, s->port,
				s->host ? NULL : s->socket, 0)) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", mysql_error(s->conn));
		mg_err_set(e, MG_E_CONNECT, "cannot connect to mysql '%s' database '%s': %s", where(s),
			   s->database, mg_chomp(msg));
		goto out;
	}
	if (mysql_query(s->conn, "SET SESSION net_write_timeout = 3600, net_read_timeout = 3600")) {
		mg_err_set(e, MG_E_SOURCE, "cannot set timeouts on mysql '%s': %s", where(s), mysql_error(s->conn));
		goto out;
	}
	*out = &s->base;
	rc = 0;
out:
	free(user);
	free(pwenv);
	free(optfile);
	if (rc)
		my_close(&s->base);
	return rc;
}

static int fail(struct my_source *s, struct mg_err *e, const char *what)
{
	char msg[512];

	s->failed = 1;
	snprintf(msg, sizeof(msg), "%s", mysql_error(s->conn));
	return mg_err_set(e, MG_E_SOURCE, "%s '%s' on mysql '%s': %s", what, s->table, where(s), mg_chomp(msg));
}

/* Incremental runs: rows whose watermark is at least the last run's value
 * minus the overlap. A numeric watermark is written as validated digits; a
 * date/time one as a hex literal cast to DATETIME, so no value is ever
 * spliced in as SQL text. */
static int watermark_condition(struct my_source *s, const struct pb_table *t, struct mg_err *e)
{
	const struct mg_buf *w = s->base.wm_since;
	static const char hx[] = "0123456789ABCDEF";

	buf_reset(&s->wm_cond);
	if (!t->watermark || !w)
		return 0;
	if (!s->wm_known) {
		/* the recount's own connection: read the column's type */
		MYSQL_RES *meta;
		MYSQL_FIELD *f;

		buf_addstr(&s->wm_cond, "SELECT ", e);
		quote_ident(&s->wm_cond, t->watermark, e);
		buf_addstr(&s->wm_cond, " FROM ", e);
		quote_ident(&s->wm_cond, t->name, e);
		buf_addstr(&s->wm_cond, " LIMIT 0", e);
		if (mysql_real_query(s->conn, (const char *)s->wm_cond.ptr, s->wm_cond.len) ||
		    !(meta = mysql_store_result(s->conn)))
			return fail(s, e, "cannot read the watermark column of");
		f = mysql_fetch_field(meta);
		s->wm_numeric = f && IS_NUM(f->type);
		s->wm_known = 1;
		mysql_free_result(meta);
		buf_reset(&s->wm_cond);
	}
	quote_ident(&s->wm_cond, t->watermark, e);
	if (s->wm_numeric) {
		for (size_t i = 0; i < w->len; i++)
			if (!((w->ptr[i] >= '0' && w->ptr[i] <= '9') || w->ptr[i] == '.' || (i == 0 && w->ptr[i] == '-')))
				return mg_err_set(e, MG_E_STORE, "stored watermark '%s' of '%s' is not a number",
						  buf_cstr(w), t->name);
		buf_addstr(&s->wm_cond, " >= ", e);
		buf_add(&s->wm_cond, w->ptr, w->len, e);
		return buf_printf(&s->wm_cond, e, " - %u", t->watermark_overlap);
	}
	buf_addstr(&s->wm_cond, " >= DATE_SUB(CAST(X'", e);
	for (size_t i = 0; i < w->len; i++) {
		buf_addc(&s->wm_cond, hx[w->ptr[i] >> 4], e);
		buf_addc(&s->wm_cond, hx[w->ptr[i] & 15], e);
	}
	return buf_printf(&s->wm_cond, e, "' AS DATETIME), INTERVAL %u SECOND)", t->watermark_overlap);
}

static int my_start(struct source *src, const struct pb_table *t, const struct mg_buf *after,
		    struct mg_columns *cols, struct mg_err *e)
{
	struct my_source *s = (struct my_source *)src;
	MYSQL_RES *meta;
	MYSQL_FIELD *f;

	snprintf(s->table, sizeof(s->table), "%s", t->name);
	if (!t->key)
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: table '%s' of a mysql source needs 'key': a unique column to order and resume by",
				  t->pb->path, pb_line(t->node), t->name);
	snprintf(s->keycol, sizeof(s->keycol), "%s", t->key);
	s->max_field = t->max_field_bytes;
	s->done = 0;
	for (unsigned i = 0; i < s->ncols; i++)
		free(s->names[i]);
	s->ncols = 0;
	if (s->res) {
		mysql_free_result(s->res);
		s->res = NULL;
	}
	buf_reset(&s->q);
	if (buf_addstr(&s->q, "SELECT * FROM ", e) || quote_ident(&s->q, t->name, e) ||
	    buf_addstr(&s->q, " LIMIT 0", e))
		return -1;
	if (mysql_real_query(s->conn, (const char *)s->q.ptr, s->q.len)) {
		if (mysql_errno(s->conn) == 1146) {
			s->failed = 1;
			return mg_err_set(e, MG_E_CONFIG, "table '%s' does not exist in mysql database '%s'",
					  t->name, s->database);
		}
		return fail(s, e, "cannot read the columns of");
	}
	meta = mysql_store_result(s->conn);
	if (!meta)
		return fail(s, e, "cannot read the columns of");
	s->key_idx = -1;
	if (mysql_num_fields(meta) > MG_MAX_COLS) {
		mysql_free_result(meta);
		return mg_err_set(e, MG_E_LIMIT, "table '%s' has more than %d columns", t->name, MG_MAX_COLS);
	}
	while ((f = mysql_fetch_field(meta))) {
		s->names[s->ncols] = strdup(f->name);
		if (!s->names[s->ncols]) {
			mysql_free_result(meta);
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		}
		if (!strcmp(f->name, t->key)) {
			s->key_idx = (int)s->ncols;
			s->numeric_key = IS_NUM(f->type);
		}
		if (t->watermark && !strcmp(f->name, t->watermark)) {
			s->wm_numeric = IS_NUM(f->type);
			s->wm_known = 1;
		}
		s->ncols++;
	}
	mysql_free_result(meta);
	if (s->key_idx < 0)
		return mg_err_set(e, MG_E_CONFIG, "key column '%s' is not in mysql table '%s'", t->key, t->name);
	cols->n = s->ncols;
	for (unsigned i = 0; i < s->ncols; i++)
		cols->name[i] = s->names[i];

	if (watermark_condition(s, t, e))
		return -1;
	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT ", e);
	for (unsigned i = 0; i < s->ncols; i++) {
		if (i)
			buf_addc(&s->q, ',', e);
		quote_ident(&s->q, s->names[i], e);
	}
	buf_addstr(&s->q, " FROM ", e);
	quote_ident(&s->q, t->name, e);
	if (s->wm_cond.len) {
		buf_addstr(&s->q, " WHERE ", e);
		buf_add(&s->q, s->wm_cond.ptr, s->wm_cond.len, e);
	}
	if (after) {
		buf_addstr(&s->q, s->wm_cond.len ? " AND " : " WHERE ", e);
		quote_ident(&s->q, t->key, e);
		if (s->numeric_key) {
			/* a numeric key is written as validated digits */
			for (size_t i = 0; i < after->len; i++)
				if (!((after->ptr[i] >= '0' && after->ptr[i] <= '9') || (i == 0 && after->ptr[i] == '-')))
					return mg_err_set(e, MG_E_STORE, "stored resume key for '%s' is not a number", t->name);
			buf_addstr(&s->q, " > ", e);
			buf_add(&s->q, after->ptr, after->len, e);
		} else {
			/* any other key: a hex literal, compared as bytes */
			static const char hx[] = "0123456789ABCDEF";

			buf_addstr(&s->q, " > X'", e);
			for (size_t i = 0; i < after->len; i++) {
				buf_addc(&s->q, hx[after->ptr[i] >> 4], e);
				buf_addc(&s->q, hx[after->ptr[i] & 15], e);
			}
			buf_addc(&s->q, '\'', e);
		}
	}
	buf_addstr(&s->q, " ORDER BY ", e);
	if (!s->numeric_key)
		buf_addstr(&s->q, "BINARY ", e);
	if (quote_ident(&s->q, t->key, e))
		return -1;
	if (mysql_real_query(s->conn, (const char *)s->q.ptr, s->q.len))
		return fail(s, e, "cannot read");
	s->res = mysql_use_result(s->conn);
	if (!s->res)
		return fail(s, e, "cannot read");
	return 0;
}

static int my_next(struct source *src, struct mg_batch *b, struct mg_err *e)
{
	struct my_source *s = (struct my_source *)src;
	MYSQL_ROW row;

	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "mysql source used after an error");
	if (s->done || !s->res)
		return MG_DONE;
	snprintf(b->origin, sizeof(b->origin), "%s.%s", s->database, s->table);
	while (!batch_full(b) && (row = mysql_fetch_row(s->res))) {
		unsigned long *len = mysql_fetch_lengths(s->res);

		batch_row_begin(b);
		for (unsigned c = 0; c < s->ncols; c++) {
			if (!row[c])
				continue;
			if (len[c] > s->max_field) {
				s->failed = 1;
				return mg_err_set(e, MG_E_LIMIT,
						  "value too large: column '%s' of row %s=%s in '%s' is %lu bytes, over max_field_bytes (%zu)",
						  s->names[c], s->keycol, row[s->key_idx] ? row[s->key_idx] : "NULL",
						  s->table, len[c], s->max_field);
			}
			if (batch_put(b, c, row[c], len[c], e)) {
				s->failed = 1;
				return -1;
			}
		}
		if (!row[s->key_idx]) {
			s->failed = 1;
			return mg_err_set(e, MG_E_SOURCE, "key column '%s' of '%s' is NULL in a row", s->keycol, s->table);
		}
		if (batch_row_end(b, row[s->key_idx], len[s->key_idx], 0, 0, e)) {
			s->failed = 1;
			return -1;
		}
	}
	if (mysql_errno(s->conn))
		return fail(s, e, "lost the connection while reading");
	if (batch_set_last_key(b, e))
		return -1;
	if (!batch_full(b)) {
		s->done = 1;
		mysql_free_result(s->res);
		s->res = NULL;
		if (!b->nrows)
			return MG_DONE;
	}
	return MG_OK;
}

static int my_recount(struct source *src, const struct pb_table *t, const struct mg_columns *cols,
		      struct mg_count *out, struct mg_err *e)
{
	struct my_source *s = (struct my_source *)src;
	MYSQL_RES *res;
	MYSQL_ROW row;

	if (s->res) {
		mysql_free_result(s->res);
		s->res = NULL;
	}
	buf_reset(&s->q);
	/* canonical form: per column 'N' or 'V' <byte length> ':' <bytes>;
	 * see migrate/hash.h and docs/auditors.md */
	buf_addstr(&s->q, "SELECT COUNT(*), CAST(COALESCE(SUM(CAST(CONV(LEFT(SHA2(CONCAT(", e);
	for (unsigned i = 0; i < cols->n; i++) {
		if (i)
			buf_addc(&s->q, ',', e);
		buf_addstr(&s->q, "IF(", e);
		quote_ident(&s->q, cols->name[i], e);
		buf_addstr(&s->q, " IS NULL,'N',CONCAT('V',LENGTH(", e);
		quote_ident(&s->q, cols->name[i], e);
		buf_addstr(&s->q, "),':',", e);
		quote_ident(&s->q, cols->name[i], e);
		buf_addstr(&s->q, "))", e);
	}
	buf_addstr(&s->q, "),256),16),16,10) AS DECIMAL(20,0))),0) MOD 18446744073709551616 AS CHAR) FROM ", e);
	if (quote_ident(&s->q, t->name, e) || watermark_condition(s, t, e))
		return -1;
	if (s->wm_cond.len) {
		buf_addstr(&s->q, " WHERE ", e);
		buf_add(&s->q, s->wm_cond.ptr, s->wm_cond.len, e);
	}
	snprintf(s->table, sizeof(s->table), "%s", t->name);
	if (mysql_real_query(s->conn, (const char *)s->q.ptr, s->q.len) || !(res = mysql_store_result(s->conn)))
		return fail(s, e, "cannot recount");
	row = mysql_fetch_row(res);
	if (!row || !row[0] || !row[1]) {
		mysql_free_result(res);
		return mg_err_set(e, MG_E_SOURCE, "recount of '%s' returned no row", t->name);
	}
	out->rows = strtoull(row[0], NULL, 10);
	out->total = strtoull(row[1], NULL, 10);
	mysql_free_result(res);
	return 0;
}

/* ---- drill-down: key ranges (struct source_range_ops) -----------------------
 *
 * A range lo < key <= hi is written like the extractor's resume condition:
 * a numeric key as validated digits, any other key as a hex literal,
 * compared as bytes and ordered by BINARY key. An incremental run's
 * watermark window applies as in recount. Every call reads one snapshot
 * (START TRANSACTION WITH CONSISTENT SNAPSHOT, InnoDB) begun by begin. */

static int range_bound(struct my_source *s, const char *op, const struct mg_buf *k, struct mg_err *e)
{
	static const char hx[] = "0123456789ABCDEF";

	buf_addstr(&s->q, " AND ", e);
	buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
	buf_addstr(&s->q, op, e);
	if (s->rorder != SRC_KEY_BYTES) {
		if (!k->len)
			return mg_err_set(e, MG_E_INTERNAL, "empty numeric key bound for '%s'", s->table);
		for (size_t i = 0; i < k->len; i++) {
			unsigned char c = k->ptr[i];

			if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'))
				return mg_err_set(e, MG_E_SOURCE, "key bound for '%s' is not a number", s->table);
		}
		return buf_add(&s->q, k->ptr, k->len, e);
	}
	buf_addstr(&s->q, "X'", e);
	for (size_t i = 0; i < k->len; i++) {
		buf_addc(&s->q, hx[k->ptr[i] >> 4], e);
		buf_addc(&s->q, hx[k->ptr[i] & 15], e);
	}
	return buf_addc(&s->q, '\'', e);
}

/* " FROM `t` WHERE <window> AND `k` IS NOT NULL AND `k` > lo AND `k` <= hi" */
static int range_where(struct my_source *s, const struct mg_buf *lo, const struct mg_buf *hi, struct mg_err *e)
{
	buf_addstr(&s->q, " FROM ", e);
	buf_add(&s->q, s->rtable.ptr, s->rtable.len, e);
	buf_addstr(&s->q, " WHERE ", e);
	if (s->rwindow.len)
		buf_add(&s->q, s->rwindow.ptr, s->rwindow.len, e);
	else
		buf_addstr(&s->q, "1", e);
	buf_addstr(&s->q, " AND ", e);
	buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
	buf_addstr(&s->q, " IS NOT NULL", e);
	if ((lo && range_bound(s, " > ", lo, e)) || (hi && range_bound(s, " <= ", hi, e)))
		return -1;
	return mg_err_isset(e) ? -1 : 0;
}

static int range_order_by(struct my_source *s, struct mg_err *e)
{
	buf_addstr(&s->q, s->rorder == SRC_KEY_BYTES ? " ORDER BY BINARY " : " ORDER BY ", e);
	return buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
}

static int range_query(struct my_source *s, struct mg_err *e, const char *what)
{
	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "mysql source used after an error");
	if (mysql_real_query(s->conn, (const char *)s->q.ptr, s->q.len))
		return fail(s, e, what);
	return 0;
}

static int my_range_begin(struct source *src, const struct pb_table *t, const struct mg_columns *cols, int *order,
			  struct mg_err *e)
{
	struct my_source *s = (struct my_source *)src;
	MYSQL_RES *meta;
	MYSQL_FIELD *f;

	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "mysql source used after an error");
	if (s->res) {
		mysql_free_result(s->res);
		s->res = NULL;
	}
	snprintf(s->table, sizeof(s->table), "%s", t->name);
	if (!t->key)
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: table '%s' of a mysql source needs 'key' for drill-down",
				  t->pb->path, pb_line(t->node), t->name);
	if (!cols->n)
		return mg_err_set(e, MG_E_INTERNAL, "drill-down of '%s' without columns", t->name);
	buf_reset(&s->rtable);
	buf_reset(&s->rkey);
	buf_reset(&s->rhash);
	buf_reset(&s->rwindow);
	if (quote_ident(&s->rtable, t->name, e) || quote_ident(&s->rkey, t->key, e))
		return -1;
	/* the record hash: first 16 hex digits of SHA-256 of the canonical form */
	buf_addstr(&s->rhash, "LEFT(SHA2(CONCAT(", e);
	for (unsigned i = 0; i < cols->n; i++) {
		if (i)
			buf_addc(&s->rhash, ',', e);
		buf_addstr(&s->rhash, "IF(", e);
		quote_ident(&s->rhash, cols->name[i], e);
		buf_addstr(&s->rhash, " IS NULL,'N',CONCAT('V',LENGTH(", e);
		quote_ident(&s->rhash, cols->name[i], e);
		buf_addstr(&s->rhash, "),':',", e);
		quote_ident(&s->rhash, cols->name[i], e);
		buf_addstr(&s->rhash, "))", e);
	}
	if (buf_addstr(&s->rhash, "),256),16)", e))
		return -1;
	/* an incremental run's window, as recount has it */
	if (watermark_condition(s, t, e) || buf_add(&s->rwindow, s->wm_cond.ptr, s->wm_cond.len, e))
		return -1;
	/* the key's type decides its order */
	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT ", e);
	buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
	buf_addstr(&s->q, " FROM ", e);
	buf_add(&s->q, s->rtable.ptr, s->rtable.len, e);
	if (buf_addstr(&s->q, " LIMIT 0", e))
		return -1;
	if (mysql_real_query(s->conn, (const char *)s->q.ptr, s->q.len)) {
		if (mysql_errno(s->conn) == 1146 || mysql_errno(s->conn) == 1054) {
			s->failed = 1;
			return mg_err_set(e, MG_E_CONFIG, "table '%s' with key column '%s' does not exist in mysql database '%s'",
					  t->name, t->key, s->database);
		}
		return fail(s, e, "cannot read the key of");
	}
	if (!(meta = mysql_store_result(s->conn)))
		return fail(s, e, "cannot read the key of");
	f = mysql_fetch_field(meta);
	switch (f ? f->type : MYSQL_TYPE_STRING) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_YEAR:
		s->rorder = SRC_KEY_INTEGER;
		break;
	case MYSQL_TYPE_DECIMAL:
	case MYSQL_TYPE_NEWDECIMAL:
	case MYSQL_TYPE_FLOAT:
	case MYSQL_TYPE_DOUBLE:
		s->rorder = SRC_KEY_NUMBER;
		break;
	default:
		s->rorder = SRC_KEY_BYTES;
	}
	mysql_free_result(meta);
	*order = s->rorder;
	/* one snapshot for every range call (InnoDB; other engines have none) */
	if (mysql_query(s->conn, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ") ||
	    (mysql_query(s->conn, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY") &&
	     mysql_query(s->conn, "START TRANSACTION WITH CONSISTENT SNAPSHOT")))
		return fail(s, e, "cannot begin a snapshot to read");
	return 0;
}

static int my_range_count(struct source *src, const struct mg_buf *lo, const struct mg_buf *hi,
			  struct src_range_count *out, struct mg_err *e)
{
	struct my_source *s = (struct my_source *)src;
	int minmax = s->rorder == SRC_KEY_INTEGER && out->min && out->max;
	MYSQL_RES *res;
	MYSQL_ROW row;
	unsigned long *len;

	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT COUNT(*), CAST(COALESCE(SUM(CAST(CONV(", e);
	buf_add(&s->q, s->rhash.ptr, s->rhash.len, e);
	buf_addstr(&s->q, ",16,10) AS DECIMAL(20,0))),0) MOD 18446744073709551616 AS CHAR)", e);
	if (minmax) {
		buf_addstr(&s->q, ", MIN(", e);
		buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
		buf_addstr(&s->q, "), MAX(", e);
		buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
		buf_addc(&s->q, ')', e);
	}
	if (range_where(s, lo, hi, e) || range_query(s, e, "cannot count a key range of"))
		return -1;
	if (!(res = mysql_store_result(s->conn)))
		return fail(s, e, "cannot count a key range of");
	row = mysql_fetch_row(res);
	len = mysql_fetch_lengths(res);
	if (!row || !row[0] || !row[1]) {
		mysql_free_result(res);
		return mg_err_set(e, MG_E_SOURCE, "count of a key range of '%s' returned no row", s->table);
	}
	out->rows = strtoull(row[0], NULL, 10);
	out->total = strtoull(row[1], NULL, 10);
	if (minmax && row[2] && row[3]) {
		buf_reset(out->min);
		buf_reset(out->max);
		if (buf_add(out->min, row[2], len[2], e) || buf_add(out->max, row[3], len[3], e)) {
			mysql_free_result(res);
			return -1;
		}
	}
	mysql_free_result(res);
	return 0;
}

static int my_range_key_at(struct source *src, const struct mg_buf *lo, const struct mg_buf *hi, uint64_t n,
			   struct mg_buf *key, struct mg_err *e)
{
	struct my_source *s = (struct my_source *)src;
	MYSQL_RES *res;
	MYSQL_ROW row;
	int rc;

	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT ", e);
	buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
	if (range_where(s, lo, hi, e) || range_order_by(s, e) ||
	    buf_printf(&s->q, e, " LIMIT 1 OFFSET %llu", (unsigned long long)n) ||
	    range_query(s, e, "cannot find the median key of a range of"))
		return -1;
	if (!(res = mysql_store_result(s->conn)))
		return fail(s, e, "cannot find the median key of a range of");
	row = mysql_fetch_row(res);
	if (!row || !row[0]) {
		mysql_free_result(res);
		return MG_DONE;
	}
	buf_reset(key);
	rc = buf_add(key, row[0], mysql_fetch_lengths(res)[0], e);
	mysql_free_result(res);
	return rc ? -1 : MG_OK;
}

static int my_range_list(struct source *src, const struct mg_buf *lo, const struct mg_buf *hi,
			 int (*cb)(void *arg, const unsigned char *key, size_t keylen, uint64_t hash, struct mg_err *e),
			 void *arg, struct mg_err *e)
{
	struct my_source *s = (struct my_source *)src;
	MYSQL_RES *res;
	MYSQL_ROW row;

	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT ", e);
	buf_add(&s->q, s->rkey.ptr, s->rkey.len, e);
	buf_addc(&s->q, ',', e);
	buf_add(&s->q, s->rhash.ptr, s->rhash.len, e);
	if (range_where(s, lo, hi, e) || range_order_by(s, e) || range_query(s, e, "cannot list a key range of"))
		return -1;
	/* streamed: memory does not grow with the range */
	if (!(res = mysql_use_result(s->conn)))
		return fail(s, e, "cannot list a key range of");
	while ((row = mysql_fetch_row(res))) {
		unsigned long *len = mysql_fetch_lengths(res);

		if (!row[0] || !row[1] || len[1] != 16) {
			mysql_free_result(res);
			return mg_err_set(e, MG_E_SOURCE, "unexpected row listing a key range of '%s'", s->table);
		}
		if (cb(arg, (const unsigned char *)row[0], len[0], strtoull(row[1], NULL, 16), e)) {
			mysql_free_result(res); /* reads the rest of the result */
			return -1;
		}
	}
	if (mysql_errno(s->conn)) {
		mysql_free_result(res);
		return fail(s, e, "lost the connection while listing a key range of");
	}
	mysql_free_result(res);
	return 0;
}

static const struct source_range_ops my_range = {
	.begin = my_range_begin,
	.count = my_range_count,
	.key_at = my_range_key_at,
	.list = my_range_list,
};

const struct source_driver source_mysql = {
	.name = "mysql",
	.caps = SRC_CAN_RESUME | SRC_CAN_RECOUNT | SRC_CAN_WATERMARK,
	.options = options,
	.open = my_open,
	.start = my_start,
	.next_batch = my_next,
	.recount = my_recount,
	.close = my_close,
	.range = &my_range,
};
