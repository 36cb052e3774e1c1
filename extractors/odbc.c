/* extractors/odbc.c: any database behind unixODBC.
 *
 * Bytes arrive as the driver holds them, not converted by this side:
 * character and binary columns are fetched as SQL_C_BINARY, so neither the
 * driver manager nor the driver converts them to a client character set;
 * numeric, date/time and other columns are fetched as SQL_C_CHAR (most
 * drivers refuse a binary image of them, and their text is what a person
 * reads), in the driver's own print. The server side of the conversion is
 * the DSN's business: docs/sources/odbc.md says what to set per driver.
 *
 * Rows come through a block cursor: column-wise bound arrays of up to 256
 * rows, in key order, SELECT ... WHERE key > ? ORDER BY key with the key
 * bound as a parameter. Each column's buffer starts at its declared size
 * (4 KiB for long or unknown sizes); a value that does not fit is never cut:
 * the column's buffer grows to the length the driver reported (doubling when
 * it reports none), the rows already handed over stay, and the query is run
 * again after the last key handed over. Values over max_field_bytes are an
 * error. The arrays of one rowset are capped at 32 MiB (fewer rows per fetch
 * when columns are wide).
 *
 * Recount: SELECT COUNT(*) plus a second, separate read of every row that
 * hashes the canonical form of migrate/hash.h in C. Hash functions differ by
 * backend, so no SQL-side hash is attempted; the rehash is independent of
 * the pipeline's counters and batches but not of this driver's reading code.
 */
#include <sql.h>
#include <sqlext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extractors/extractor.h"
#include "migrate/buf.h"
#include "migrate/hash.h"

extern const struct source_driver source_odbc;

#define ROWSET_MAX 256
#define ROWSET_BUDGET (32u << 20)
#define LONG_START 4096
#define SHORT_MAX (64u << 10)
#define TRUNCATED 2

struct od_col {
	SQLSMALLINT sqltype;
	SQLULEN size;
	SQLSMALLINT digits;
	SQLSMALLINT ctype;          /* SQL_C_BINARY or SQL_C_CHAR */
	size_t width;               /* bytes per value in the bound array */
	unsigned char *data;        /* arrsize * width */
	SQLLEN *ind;                /* arrsize */
};

struct od_source {
	struct source base;
	SQLHENV env;
	SQLHDBC dbc;
	SQLHSTMT st;
	char where[300];
	char qc[8];                 /* identifier quote; "" when the driver has none */
	char table[256];
	char keycol[128];
	int key_idx;                /* in the cursor's column list */
	unsigned ncols;
	char *names[MG_MAX_COLS];   /* the table's columns (start) */
	size_t max_field;
	/* the cursor */
	unsigned n;
	struct od_col col[MG_MAX_COLS];
	SQLULEN arrsize;
	SQLULEN fetched;
	SQLUSMALLINT status[ROWSET_MAX];
	SQLULEN pos;
	int open;
	int end;
	int trunc_col;
	char *const *cn;            /* the cursor's column names */
	/* the row being read */
	const unsigned char *vp[MG_MAX_COLS];
	size_t vn[MG_MAX_COLS];
	/* key of the last row handed over: resume point of a re-run query */
	struct mg_buf key;
	int have_key;
	/* incremental runs: the watermark's lower bound (W minus the overlap,
	 * computed here: SQL dialects differ in date arithmetic), bound as ? */
	struct mg_buf wm_lo;
	SQLLEN wm_ind;
	int done;
	int failed;
	struct mg_buf q;
};

static const struct pb_keyspec options[] = {
	{"driver", "odbc"},
	{"dsn", "ODBC data source name (odbc.ini)"},
	{"connection_string_env", "name of the environment variable holding a full ODBC connection string"},
	{"user", "user name (UID), if the DSN has none"},
	{"password_env", "name of the environment variable holding the password (PWD)"},
	{NULL, NULL},
};

static const struct pb_keyspec table_options[] = {
	{NULL, NULL},
};

/* Every diagnostic record of a handle, on one line. */
static void diag(SQLSMALLINT type, SQLHANDLE h, char *out, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (SQLSMALLINT i = 1; i <= 5 && used + 1 < n; i++) {
		SQLCHAR state[6], msg[768];
		SQLINTEGER native;
		SQLSMALLINT len;

		if (!SQL_SUCCEEDED(SQLGetDiagRec(type, h, i, state, &native, msg, sizeof(msg), &len)))
			break;
		for (char *p = (char *)msg; *p; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		mg_chomp((char *)msg);
		used += (size_t)snprintf(out + used, n - used, "%s%s", i > 1 ? "; " : "", (char *)msg);
	}
	if (!out[0])
		snprintf(out, n, "no diagnostic from the driver");
}

static int sqlstate_is(SQLSMALLINT type, SQLHANDLE h, const char *a, const char *b)
{
	SQLCHAR state[6], msg[8];
	SQLINTEGER native;
	SQLSMALLINT len;

	for (SQLSMALLINT i = 1; i <= 5; i++) {
		if (SQLGetDiagRec(type, h, i, state, &native, msg, sizeof(msg), &len) == SQL_NO_DATA)
			break;
		if (!strcmp((char *)state, a) || (b && !strcmp((char *)state, b)))
			return 1;
	}
	return 0;
}

static int fail_stmt(struct od_source *s, struct mg_err *e, const char *what)
{
	char msg[900];

	s->failed = 1;
	diag(SQL_HANDLE_STMT, s->st, msg, sizeof(msg));
	return mg_err_set(e, MG_E_SOURCE, "%s '%s' on odbc %s: %s", what, s->table, s->where, msg);
}

static int quote_ident(struct od_source *s, struct mg_buf *b, const char *id, size_t n, struct mg_err *e)
{
	size_t ql = strlen(s->qc);

	if (!n)
		return mg_err_set(e, MG_E_CONFIG, "empty identifier in table '%s'", s->table);
	if (!ql) {
		/* the driver cannot quote: plain identifiers only */
		for (size_t i = 0; i < n; i++) {
			char c = id[i];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
				return mg_err_set(e, MG_E_CONFIG,
						  "identifier '%.*s' needs quoting, which odbc %s does not support",
						  (int)n, id, s->where);
		}
		return buf_add(b, id, n, e);
	}
	if (buf_addstr(b, s->qc, e))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i + ql <= n && !memcmp(id + i, s->qc, ql) && buf_addstr(b, s->qc, e))
			return -1;
		if (buf_addc(b, id[i], e))
			return -1;
	}
	return buf_addstr(b, s->qc, e);
}

/* `table` or `schema.table` (split on the first dot) */
static int quote_table(struct od_source *s, struct mg_buf *b, const char *name, struct mg_err *e)
{
	const char *dot = strchr(name, '.');

	if (!dot || dot == name || !dot[1])
		return quote_ident(s, b, name, strlen(name), e);
	if (quote_ident(s, b, name, (size_t)(dot - name), e) || buf_addc(b, '.', e))
		return -1;
	return quote_ident(s, b, dot + 1, strlen(dot + 1), e);
}

static void free_cols(struct od_source *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		free(s->col[i].data);
		free(s->col[i].ind);
		s->col[i].data = NULL;
		s->col[i].ind = NULL;
	}
}

static void close_cursor(struct od_source *s)
{
	if (s->st) {
		SQLFreeStmt(s->st, SQL_CLOSE);
		SQLFreeStmt(s->st, SQL_UNBIND);
		SQLFreeStmt(s->st, SQL_RESET_PARAMS);
	}
	s->open = 0;
	s->end = 0;
	s->fetched = 0;
	s->pos = 0;
}

static void od_close(struct source *src)
{
	struct od_source *s = (struct od_source *)src;

	if (!s)
		return;
	if (s->st) {
		SQLFreeStmt(s->st, SQL_CLOSE);
		SQLFreeHandle(SQL_HANDLE_STMT, s->st);
	}
	if (s->dbc) {
		SQLDisconnect(s->dbc);
		SQLFreeHandle(SQL_HANDLE_DBC, s->dbc);
	}
	if (s->env)
		SQLFreeHandle(SQL_HANDLE_ENV, s->env);
	free_cols(s);
	for (unsigned i = 0; i < s->ncols; i++)
		free(s->names[i]);
	buf_release(&s->key);
	buf_release(&s->wm_lo);
	buf_release(&s->q);
	free(s);
}

/* KEY=value; or, when the value has characters the syntax uses, KEY={value};
 * with } doubled (several drivers look a braced DSN up with its braces) */
static int conn_add(struct mg_buf *b, const char *k, const char *v, struct mg_err *e)
{
	int brace = !*v || *v == ' ' || v[strlen(v) - 1] == ' ' || strpbrk(v, ";{}=[]()\',!@") != NULL;

	if (buf_addstr(b, k, e) || buf_addstr(b, brace ? "={" : "=", e))
		return -1;
	for (const char *p = v; *p; p++)
		if ((brace && *p == '}' && buf_addc(b, '}', e)) || buf_addc(b, *p, e))
			return -1;
	return buf_addstr(b, brace ? "};" : ";", e);
}

static int od_open(struct playbook *pb, struct source **out, struct mg_err *e)
{
	struct od_source *s = calloc(1, sizeof(*s));
	char *dsn = NULL, *csenv = NULL, *user = NULL, *pwenv = NULL;
	struct mg_buf cs;
	SQLRETURN r;
	int rc = -1;

	*out = NULL;
	if (!s)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	s->base.drv = &source_odbc;
	buf_init(&s->q, 0, "query");
	buf_init(&s->key, 0, "key");
	buf_init(&s->wm_lo, 0, "watermark");
	buf_init(&cs, 0, "connection string");
	snprintf(s->table, sizeof(s->table), "(connection)");
	if (pb_get_str(pb, pb->source, "dsn", &dsn, e) ||
	    pb_get_str(pb, pb->source, "connection_string_env", &csenv, e) ||
	    pb_get_str(pb, pb->source, "user", &user, e) ||
	    pb_get_str(pb, pb->source, "password_env", &pwenv, e))
		goto out;
	if (!dsn && !csenv) {
		mg_err_set(e, MG_E_CONFIG, "%s: the odbc source needs 'dsn' or 'connection_string_env'", pb->path);
		goto out;
	}
	/* the first occurrence of a keyword wins: explicit options before the string */
	if (dsn) {
		snprintf(s->where, sizeof(s->where), "dsn '%s'", dsn);
		if (conn_add(&cs, "DSN", dsn, e))
			goto out;
	} else {
		snprintf(s->where, sizeof(s->where), "connection string '$%s'", csenv);
	}
	if (user && conn_add(&cs, "UID", user, e))
		goto out;
	if (pwenv) {
		const char *pw = getenv(pwenv);

		if (!pw) {
			mg_err_set(e, MG_E_CONFIG, "environment variable '%s' (password_env) is not set", pwenv);
			goto out;
		}
		if (conn_add(&cs, "PWD", pw, e))
			goto out;
	}
	if (csenv) {
		const char *v = getenv(csenv);

		if (!v) {
			mg_err_set(e, MG_E_CONFIG, "environment variable '%s' (connection_string_env) is not set", csenv);
			goto out;
		}
		if (buf_addstr(&cs, v, e))
			goto out;
	}
	if (cs.len > 32767) {
		mg_err_set(e, MG_E_LIMIT, "odbc connection string too long");
		goto out;
	}
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &s->env)) ||
	    !SQL_SUCCEEDED(SQLSetEnvAttr(s->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0)) ||
	    !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, s->env, &s->dbc))) {
		mg_err_set(e, MG_E_NOMEM, "cannot initialise the odbc driver manager");
		goto out;
	}
	SQLSetConnectAttr(s->dbc, SQL_ATTR_LOGIN_TIMEOUT, (SQLPOINTER)10, 0);
	r = SQLDriverConnect(s->dbc, NULL, cs.ptr, (SQLSMALLINT)cs.len, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(r)) {
		char msg[900];

		diag(SQL_HANDLE_DBC, s->dbc, msg, sizeof(msg));
		mg_err_set(e, MG_E_CONNECT, "cannot connect to odbc %s: %s", s->where, msg);
		SQLFreeHandle(SQL_HANDLE_DBC, s->dbc);
		s->dbc = NULL;
		goto out;
	}
	SQLSetConnectAttr(s->dbc, SQL_ATTR_ACCESS_MODE, (SQLPOINTER)SQL_MODE_READ_ONLY, 0);
	{
		SQLCHAR q[8] = "";
		SQLSMALLINT ql = 0;

		if (SQL_SUCCEEDED(SQLGetInfo(s->dbc, SQL_IDENTIFIER_QUOTE_CHAR, q, sizeof(q), &ql)) && ql > 0 &&
		    ql < (SQLSMALLINT)sizeof(s->qc) && strcmp((char *)q, " "))
			snprintf(s->qc, sizeof(s->qc), "%s", (char *)q);
	}
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, s->dbc, &s->st))) {
		char msg[900];

		diag(SQL_HANDLE_DBC, s->dbc, msg, sizeof(msg));
		mg_err_set(e, MG_E_SOURCE, "cannot allocate a statement on odbc %s: %s", s->where, msg);
		goto out;
	}
	*out = &s->base;
	rc = 0;
out:
	if (cs.ptr)
		memset(cs.ptr, 0, cs.alloc); /* it may hold a password */
	buf_release(&cs);
	free(dsn);
	free(csenv);
	free(user);
	free(pwenv);
	if (rc)
		od_close(&s->base);
	return rc;
}

static int is_char_or_binary(SQLSMALLINT t)
{
	switch (t) {
	case SQL_CHAR:
	case SQL_VARCHAR:
	case SQL_LONGVARCHAR:
	case SQL_WCHAR:
	case SQL_WVARCHAR:
	case SQL_WLONGVARCHAR:
	case SQL_BINARY:
	case SQL_VARBINARY:
	case SQL_LONGVARBINARY:
		return 1;
	default:
		return 0;
	}
}

static size_t start_width(const struct od_col *c)
{
	int is_long = c->sqltype == SQL_LONGVARCHAR || c->sqltype == SQL_WLONGVARCHAR ||
		      c->sqltype == SQL_LONGVARBINARY;
	size_t w;

	if (c->ctype == SQL_C_BINARY) {
		int chars = c->sqltype != SQL_BINARY && c->sqltype != SQL_VARBINARY && c->sqltype != SQL_LONGVARBINARY;

		if (is_long || !c->size || c->size > SHORT_MAX)
			return LONG_START;
		w = chars ? (size_t)c->size * 4 : (size_t)c->size; /* up to 4 bytes a character */
		return w < 16 ? 16 : w;
	}
	/* printed numbers and dates: declared size plus sign, point, exponent, NUL */
	if (!c->size || c->size > SHORT_MAX)
		return 128;
	w = (size_t)c->size + 16;
	return w < 64 ? 64 : w;
}

/* Column types of `sql` (a query returning no rows); names too, when wanted. */
static int describe(struct od_source *s, const char *sql, int want_names, struct mg_err *e)
{
	SQLSMALLINT nc = 0;

	close_cursor(s);
	free_cols(s);
	s->n = 0;
	if (!SQL_SUCCEEDED(SQLExecDirect(s->st, (SQLCHAR *)sql, SQL_NTS))) {
		if (sqlstate_is(SQL_HANDLE_STMT, s->st, "42S02", "42P01")) {
			s->failed = 1;
			return mg_err_set(e, MG_E_CONFIG, "table '%s' does not exist in odbc %s", s->table, s->where);
		}
		return fail_stmt(s, e, "cannot read the columns of");
	}
	if (!SQL_SUCCEEDED(SQLNumResultCols(s->st, &nc)))
		return fail_stmt(s, e, "cannot read the columns of");
	if (nc > MG_MAX_COLS) {
		s->failed = 1;
		return mg_err_set(e, MG_E_LIMIT, "table '%s' has more than %d columns", s->table, MG_MAX_COLS);
	}
	if (want_names) {
		for (unsigned i = 0; i < s->ncols; i++)
			free(s->names[i]);
		s->ncols = 0;
	}
	for (SQLSMALLINT i = 0; i < nc; i++) {
		struct od_col *c = &s->col[i];
		SQLCHAR name[512];
		SQLSMALLINT nl = 0, nullable;

		memset(c, 0, sizeof(*c));
		if (!SQL_SUCCEEDED(SQLDescribeCol(s->st, (SQLUSMALLINT)(i + 1), name, sizeof(name), &nl, &c->sqltype,
						  &c->size, &c->digits, &nullable)))
			return fail_stmt(s, e, "cannot read the columns of");
		c->ctype = is_char_or_binary(c->sqltype) ? SQL_C_BINARY : SQL_C_CHAR;
		c->width = start_width(c);
		s->n++;
		if (want_names) {
			if (nl >= (SQLSMALLINT)sizeof(name)) {
				s->failed = 1;
				return mg_err_set(e, MG_E_LIMIT, "a column name of '%s' is longer than %zu bytes", s->table,
						  sizeof(name) - 1);
			}
			s->names[i] = strdup((char *)name);
			if (!s->names[i])
				return mg_err_set(e, MG_E_NOMEM, "out of memory");
			s->ncols++;
		}
	}
	close_cursor(s);
	return 0;
}

/* The watermark's lower bound as text: a number minus the overlap, a
 * date-time ("YYYY-MM-DD[ HH:MM:SS]") minus the overlap in seconds (a date
 * alone by whole days), anything else as it is. */
static int wm_bound(const struct mg_buf *w, unsigned overlap, struct mg_buf *out, struct mg_err *e)
{
	const char *v = buf_cstr(w);
	size_t n = w->len, i = v[0] == '-' ? 1 : 0;
	int Y, M, D, h = 0, mi = 0, sec = 0, k = 0;

	buf_reset(out);
	while (i < n && v[i] >= '0' && v[i] <= '9')
		i++;
	if (n && i == n && (v[0] != '-' || n > 1))
		return buf_printf(out, e, "%lld", strtoll(v, NULL, 10) - (long long)overlap);
	if (sscanf(v, "%4d-%2d-%2d%n", &Y, &M, &D, &k) == 3) {
		struct tm tm;
		time_t t;
		int dateonly = (size_t)k == n;

		if (!dateonly && sscanf(v + k, " %2d:%2d:%2d", &h, &mi, &sec) != 3)
			return buf_add(out, v, n, e);
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = Y - 1900;
		tm.tm_mon = M - 1;
		tm.tm_mday = D;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		t = timegm(&tm);
		if (dateonly) {
			t -= (time_t)((overlap + 86399) / 86400) * 86400;
			gmtime_r(&t, &tm);
			return buf_printf(out, e, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		}
		t -= (time_t)overlap;
		gmtime_r(&t, &tm);
		return buf_printf(out, e, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				  tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	return buf_add(out, v, n, e);
}

/* Bind the watermark bound as parameter number pno, typed like column ci. */
static int bind_wm(struct od_source *s, int pno, int ci, struct mg_err *e)
{
	const struct od_col *c = &s->col[ci];
	SQLULEN size = c->ctype == SQL_C_BINARY ? (s->wm_lo.len ? s->wm_lo.len : 1) : c->size;

	if (size < s->wm_lo.len)
		size = s->wm_lo.len;
	s->wm_ind = (SQLLEN)s->wm_lo.len;
	if (!SQL_SUCCEEDED(SQLBindParameter(s->st, (SQLUSMALLINT)pno, SQL_PARAM_INPUT, SQL_C_CHAR, c->sqltype, size,
					    c->digits, s->wm_lo.ptr, (SQLLEN)s->wm_lo.len + 1, &s->wm_ind)))
		return fail_stmt(s, e, "cannot bind the watermark of");
	return 0;
}

/* SELECT cols FROM table [WHERE key > ?] ORDER BY key, bound for block fetches. */
static int execute(struct od_source *s, const struct pb_table *t, char *const *cols, struct mg_err *e)
{
	size_t rowbytes = 0;
	SQLLEN keyind = 0;
	SQLRETURN r;
	int wm_col;

	close_cursor(s);
	free_cols(s);
	s->cn = cols;
	for (unsigned i = 0; i < s->n; i++)
		rowbytes += s->col[i].width + sizeof(SQLLEN);
	s->arrsize = rowbytes ? ROWSET_BUDGET / rowbytes : ROWSET_MAX;
	if (s->arrsize > ROWSET_MAX)
		s->arrsize = ROWSET_MAX;
	if (s->arrsize < 1)
		s->arrsize = 1;
	for (unsigned i = 0; i < s->n; i++) {
		s->col[i].data = malloc(s->arrsize * s->col[i].width);
		s->col[i].ind = calloc(s->arrsize, sizeof(SQLLEN));
		if (!s->col[i].data || !s->col[i].ind)
			return mg_err_set(e, MG_E_NOMEM, "out of memory for the rowset of '%s' (%zu bytes a row)",
					  s->table, rowbytes);
	}
	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT ", e);
	for (unsigned i = 0; i < s->n; i++) {
		if (i)
			buf_addc(&s->q, ',', e);
		if (quote_ident(s, &s->q, cols[i], strlen(cols[i]), e))
			return -1;
	}
	buf_addstr(&s->q, " FROM ", e);
	if (quote_table(s, &s->q, t->name, e))
		return -1;
	wm_col = -1;
	if (t->watermark && s->base.wm_since) {
		for (unsigned i = 0; i < s->n; i++)
			if (!strcmp(cols[i], t->watermark))
				wm_col = (int)i;
		if (wm_col < 0)
			return mg_err_set(e, MG_E_CONFIG, "watermark column '%s' is not in odbc table '%s'", t->watermark,
					  t->name);
		if (wm_bound(s->base.wm_since, t->watermark_overlap, &s->wm_lo, e))
			return -1;
		buf_addstr(&s->q, " WHERE ", e);
		quote_ident(s, &s->q, t->watermark, strlen(t->watermark), e);
		buf_addstr(&s->q, " >= ?", e);
	}
	if (s->have_key) {
		buf_addstr(&s->q, wm_col >= 0 ? " AND " : " WHERE ", e);
		quote_ident(s, &s->q, t->key, strlen(t->key), e);
		buf_addstr(&s->q, " > ?", e);
	}
	buf_addstr(&s->q, " ORDER BY ", e);
	if (quote_ident(s, &s->q, t->key, strlen(t->key), e))
		return -1;

	SQLSetStmtAttr(s->st, SQL_ATTR_ROW_BIND_TYPE, (SQLPOINTER)SQL_BIND_BY_COLUMN, 0);
	r = SQLSetStmtAttr(s->st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)s->arrsize, 0);
	if (!SQL_SUCCEEDED(r))
		s->arrsize = 1;
	else if (r == SQL_SUCCESS_WITH_INFO) {
		SQLULEN got = 1;

		SQLGetStmtAttr(s->st, SQL_ATTR_ROW_ARRAY_SIZE, &got, 0, NULL);
		s->arrsize = got >= 1 && got <= s->arrsize ? got : 1;
	}
	if (!SQL_SUCCEEDED(SQLSetStmtAttr(s->st, SQL_ATTR_ROW_STATUS_PTR, s->status, 0)) ||
	    !SQL_SUCCEEDED(SQLSetStmtAttr(s->st, SQL_ATTR_ROWS_FETCHED_PTR, &s->fetched, 0)))
		return fail_stmt(s, e, "cannot set up a block cursor for");
	for (unsigned i = 0; i < s->n; i++)
		if (!SQL_SUCCEEDED(SQLBindCol(s->st, (SQLUSMALLINT)(i + 1), s->col[i].ctype, s->col[i].data,
					      (SQLLEN)s->col[i].width, s->col[i].ind)))
			return fail_stmt(s, e, "cannot bind the columns of");
	if (s->have_key) {
		/* the key as a string in the key column's SQL type: the server
		 * compares it as it orders the column */
		const struct od_col *k = &s->col[s->key_idx];
		SQLULEN size = k->ctype == SQL_C_BINARY ? (s->key.len ? s->key.len : 1) : k->size;

		keyind = (SQLLEN)s->key.len;
		if (buf_addc(&s->key, 0, e))
			return -1;
		s->key.len--;
		if (!SQL_SUCCEEDED(SQLBindParameter(s->st, wm_col >= 0 ? 2 : 1, SQL_PARAM_INPUT, SQL_C_CHAR, k->sqltype,
						    size, k->digits, s->key.ptr, (SQLLEN)s->key.len + 1, &keyind)))
			return fail_stmt(s, e, "cannot bind the resume key of");
	}
	if (wm_col >= 0 && bind_wm(s, 1, wm_col, e))
		return -1;
	r = SQLExecDirect(s->st, s->q.ptr, SQL_NTS);
	if (!SQL_SUCCEEDED(r) && r != SQL_NO_DATA)
		return fail_stmt(s, e, "cannot read");
	s->open = 1;
	s->end = r == SQL_NO_DATA;
	return 0;
}

/* The next row into s->vp/vn: MG_OK, MG_DONE, TRUNCATED (s->trunc_col) or -1. */
static int next_row(struct od_source *s, struct mg_err *e)
{
	SQLULEN p;

	if (!s->open)
		return MG_DONE;
	if (s->pos >= s->fetched) {
		SQLRETURN r;

		if (s->end)
			return MG_DONE;
		s->fetched = 0;
		s->pos = 0;
		r = SQLFetch(s->st);
		if (r == SQL_NO_DATA || (SQL_SUCCEEDED(r) && !s->fetched)) {
			s->end = 1;
			return MG_DONE;
		}
		if (!SQL_SUCCEEDED(r))
			return fail_stmt(s, e, "cannot read");
		if (s->fetched > s->arrsize) {
			s->failed = 1;
			return mg_err_set(e, MG_E_SOURCE, "odbc driver returned %lu rows for a rowset of %lu",
					  (unsigned long)s->fetched, (unsigned long)s->arrsize);
		}
	}
	p = s->pos;
	if (s->status[p] == SQL_ROW_ERROR) {
		s->failed = 1;
		return mg_err_set(e, MG_E_SOURCE, "odbc driver could not read a row of '%s' on %s", s->table, s->where);
	}
	if (s->status[p] == SQL_ROW_NOROW) {
		s->end = 1;
		s->pos = s->fetched;
		return MG_DONE;
	}
	for (unsigned i = 0; i < s->n; i++) {
		const struct od_col *c = &s->col[i];
		SQLLEN ind = c->ind[p];
		size_t room = c->ctype == SQL_C_CHAR ? c->width - 1 : c->width;

		if (ind == SQL_NULL_DATA) {
			s->vp[i] = NULL;
			s->vn[i] = 0;
			continue;
		}
		if (ind != SQL_NO_TOTAL && ind >= 0 && (size_t)ind > s->max_field) {
			const struct od_col *k = &s->col[s->key_idx];
			SQLLEN kl = k->ind[p];
			int show = kl >= 0 && kl <= 64 && (size_t)kl < k->width;

			s->failed = 1;
			return mg_err_set(e, MG_E_LIMIT,
					  "value too large: column '%s' of row %s=%.*s in '%s' is %lld bytes, over max_field_bytes (%zu)",
					  s->cn[i], s->cn[s->key_idx], show ? (int)kl : 1,
					  show ? (const char *)k->data + p * k->width : "?", s->table, (long long)ind,
					  s->max_field);
		}
		if (ind == SQL_NO_TOTAL || ind < 0 || (size_t)ind > room) {
			s->trunc_col = (int)i;
			return TRUNCATED;
		}
		s->vp[i] = c->data + p * c->width;
		s->vn[i] = (size_t)ind;
	}
	s->pos++;
	return MG_OK;
}

/* A value did not fit its buffer: widen it and read on after the last key. */
static int widen(struct od_source *s, const struct pb_table *t, char *const *cols, struct mg_err *e)
{
	struct od_col *c = &s->col[s->trunc_col];
	SQLLEN ind = c->ind[s->pos];
	size_t need = ind == SQL_NO_TOTAL || ind < 0 ? c->width * 2 : (size_t)ind + 1;
	size_t w = c->width;

	while (w < need)
		w *= 2;
	if (w > s->max_field + 1)
		w = s->max_field + 1;
	if (w <= c->width) {
		s->failed = 1;
		return mg_err_set(e, MG_E_LIMIT,
				  "value too large: column '%s' of a row in '%s' is over max_field_bytes (%zu)",
				  s->cn[s->trunc_col], s->table, s->max_field);
	}
	c->width = w;
	return execute(s, t, cols, e);
}

static int od_start(struct source *src, const struct pb_table *t, const struct mg_buf *after,
		    struct mg_columns *cols, struct mg_err *e)
{
	struct od_source *s = (struct od_source *)src;

	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "odbc source used after an error");
	snprintf(s->table, sizeof(s->table), "%s", t->name);
	if (!t->key)
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: table '%s' of an odbc source needs 'key': a unique column to order and resume by",
				  t->pb->path, pb_line(t->node), t->name);
	snprintf(s->keycol, sizeof(s->keycol), "%s", t->key);
	s->max_field = t->max_field_bytes;
	s->done = 0;
	buf_reset(&s->q);
	if (buf_addstr(&s->q, "SELECT * FROM ", e) || quote_table(s, &s->q, t->name, e) ||
	    buf_addstr(&s->q, " WHERE 1=0", e))
		return -1;
	{
		char *sql = buf_detach(&s->q, NULL);
		int rc;

		if (!sql)
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		rc = describe(s, sql, 1, e);
		free(sql);
		if (rc)
			return -1;
	}
	s->key_idx = -1;
	for (unsigned i = 0; i < s->ncols; i++)
		if (!strcmp(s->names[i], t->key))
			s->key_idx = (int)i;
	if (s->key_idx < 0) {
		s->failed = 1;
		return mg_err_set(e, MG_E_CONFIG, "key column '%s' is not in odbc table '%s'", t->key, t->name);
	}
	cols->n = s->ncols;
	for (unsigned i = 0; i < s->ncols; i++)
		cols->name[i] = s->names[i];
	buf_reset(&s->key);
	s->have_key = after != NULL;
	if (after && buf_add(&s->key, after->ptr ? after->ptr : (const unsigned char *)"", after->len, e))
		return -1;
	return execute(s, t, s->names, e);
}

static int od_next(struct source *src, struct mg_batch *b, struct mg_err *e)
{
	struct od_source *s = (struct od_source *)src;
	struct pb_table tb = {.name = s->table, .key = s->keycol};

	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "odbc source used after an error");
	if (s->done || !s->open)
		return MG_DONE;
	snprintf(b->origin, sizeof(b->origin), "%s", s->table);
	while (!batch_full(b)) {
		int r = next_row(s, e);

		if (r == TRUNCATED) {
			if (widen(s, &tb, s->names, e))
				return -1;
			continue;
		}
		if (r < 0)
			return -1;
		if (r == MG_DONE)
			break;
		if (!s->vp[s->key_idx]) {
			s->failed = 1;
			return mg_err_set(e, MG_E_SOURCE, "key column '%s' of '%s' is NULL in a row", s->keycol, s->table);
		}
		batch_row_begin(b);
		for (unsigned c = 0; c < s->n; c++)
			if (s->vp[c] && batch_put(b, c, s->vp[c], s->vn[c], e)) {
				s->failed = 1;
				return -1;
			}
		buf_reset(&s->key);
		if (buf_add(&s->key, s->vp[s->key_idx], s->vn[s->key_idx], e) ||
		    batch_row_end(b, s->vp[s->key_idx], s->vn[s->key_idx], 0, 0, e)) {
			s->failed = 1;
			return -1;
		}
		s->have_key = 1;
	}
	if (batch_set_last_key(b, e))
		return -1;
	if (!batch_full(b)) {
		s->done = 1;
		close_cursor(s);
		if (!b->nrows)
			return MG_DONE;
	}
	return MG_OK;
}

static int od_recount(struct source *src, const struct pb_table *t, const struct mg_columns *cols,
		      struct mg_count *out, struct mg_err *e)
{
	struct od_source *s = (struct od_source *)src;
	struct mg_hasher *h = NULL;
	struct mg_buf canon;
	char *sql = NULL;
	char cnt[32];
	SQLLEN ind = 0;
	uint64_t rows = 0, total = 0;
	int rc = -1;

	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "odbc source used after an error");
	snprintf(s->table, sizeof(s->table), "%s", t->name);
	snprintf(s->keycol, sizeof(s->keycol), "%s", t->key ? t->key : "");
	s->max_field = t->max_field_bytes;
	buf_init(&canon, 0, "canonical form");
	if (!t->key || !cols->n)
		return mg_err_set(e, MG_E_CONFIG, "recount of odbc table '%s' needs 'key' and its columns", t->name);
	/* 1. the count, in SQL */
	close_cursor(s);
	buf_reset(&s->q);
	if (buf_addstr(&s->q, "SELECT COUNT(*) FROM ", e) || quote_table(s, &s->q, t->name, e))
		goto out;
	if (t->watermark && s->base.wm_since) {
		/* an incremental run: the same window as the extraction */
		if (wm_bound(s->base.wm_since, t->watermark_overlap, &s->wm_lo, e))
			goto out;
		buf_addstr(&s->q, " WHERE ", e);
		quote_ident(s, &s->q, t->watermark, strlen(t->watermark), e);
		buf_addstr(&s->q, " >= ?", e);
		s->wm_ind = (SQLLEN)s->wm_lo.len;
		if (!SQL_SUCCEEDED(SQLBindParameter(s->st, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR,
						    s->wm_lo.len ? s->wm_lo.len : 1, 0, s->wm_lo.ptr,
						    (SQLLEN)s->wm_lo.len + 1, &s->wm_ind))) {
			fail_stmt(s, e, "cannot bind the watermark of");
			goto out;
		}
	}
	/* one row, read with SQLGetData: no block cursor */
	SQLSetStmtAttr(s->st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)1, 0);
	if (!SQL_SUCCEEDED(SQLExecDirect(s->st, s->q.ptr, SQL_NTS)) || !SQL_SUCCEEDED(SQLFetch(s->st)) ||
	    !SQL_SUCCEEDED(SQLGetData(s->st, 1, SQL_C_CHAR, cnt, sizeof(cnt), &ind)) || ind <= 0) {
		fail_stmt(s, e, "cannot recount");
		goto out;
	}
	out->rows = strtoull(cnt, NULL, 10);
	close_cursor(s);

	/* 2. the content total: every row read again, hashed in C */
	buf_reset(&s->q);
	buf_addstr(&s->q, "SELECT ", e);
	for (unsigned i = 0; i < cols->n; i++) {
		if (i)
			buf_addc(&s->q, ',', e);
		if (quote_ident(s, &s->q, cols->name[i], strlen(cols->name[i]), e))
			goto out;
	}
	buf_addstr(&s->q, " FROM ", e);
	if (quote_table(s, &s->q, t->name, e) || buf_addstr(&s->q, " WHERE 1=0", e))
		goto out;
	sql = buf_detach(&s->q, NULL);
	if (!sql || describe(s, sql, 0, e))
		goto out;
	if (s->n != cols->n) {
		mg_err_set(e, MG_E_SOURCE, "recount of '%s' read %u columns, expected %u", t->name, s->n, cols->n);
		goto out;
	}
	s->key_idx = -1;
	for (unsigned i = 0; i < cols->n; i++)
		if (!strcmp(cols->name[i], t->key))
			s->key_idx = (int)i;
	if (s->key_idx < 0) {
		mg_err_set(e, MG_E_CONFIG, "key column '%s' is not among the recounted columns of '%s'", t->key, t->name);
		goto out;
	}
	h = hasher_new();
	if (!h) {
		mg_err_set(e, MG_E_INTERNAL, "cannot initialise SHA-256 from libcrypto");
		goto out;
	}
	buf_reset(&s->key);
	s->have_key = 0;
	if (execute(s, t, cols->name, e))
		goto out;
	for (;;) {
		int r = next_row(s, e);

		if (r == TRUNCATED) {
			if (widen(s, t, cols->name, e))
				goto out;
			continue;
		}
		if (r < 0)
			goto out;
		if (r == MG_DONE)
			break;
		buf_reset(&canon);
		for (unsigned c = 0; c < s->n; c++)
			if (canon_add(&canon, s->vp[c], s->vn[c], !s->vp[c], e))
				goto out;
		total += hasher_digest64(h, canon.ptr, canon.len);
		rows++;
		if (!s->vp[s->key_idx]) {
			mg_err_set(e, MG_E_SOURCE, "key column '%s' of '%s' is NULL in a row", t->key, t->name);
			goto out;
		}
		buf_reset(&s->key);
		if (buf_add(&s->key, s->vp[s->key_idx], s->vn[s->key_idx], e))
			goto out;
		s->have_key = 1;
	}
	if (rows != out->rows) {
		mg_err_set(e, MG_E_SOURCE, "odbc table '%s' changed during the recount: COUNT(*) %llu, rows read %llu",
			   t->name, (unsigned long long)out->rows, (unsigned long long)rows);
		goto out;
	}
	out->total = total;
	rc = 0;
out:
	if (rc)
		s->failed = 1;
	close_cursor(s);
	hasher_free(h);
	free(sql);
	buf_release(&canon);
	return rc;
}

const struct source_driver source_odbc = {
	.name = "odbc",
	.caps = SRC_CAN_RESUME | SRC_CAN_RECOUNT | SRC_CAN_WATERMARK,
	.options = options,
	.table_options = table_options,
	.open = od_open,
	.start = od_start,
	.next_batch = od_next,
	.recount = od_recount,
	.close = od_close,
};
