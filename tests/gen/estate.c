/*
 * tests/gen/estate.c -- gen-estate: the reference estate of the 12345
 * consolidation, generated deterministically with its ground truth.
 *
 *   gen-estate --system CODE|all --scale N [--seed S] --out DIR [--playbook-dir DIR]
 *
 * For each system: its legacy data in its own platform and shape
 * (PostgreSQL databases through libpq and the PG* environment, an SQLite
 * file for ODBC, GBK CSV in a zip, xlsx workbooks in a zip with CP936 member
 * names, a FoxPro DBF with its memo file) and, in DIR/<code>/,
 * expected.json (the counts the toolkit must report) and intended*.tsv (the
 * text the store must hold). DIR/estate.json lists the cross-system
 * duplicates. See docs/estate.md; the shared model is estate_model.[ch].
 *
 * N is the number of work-order rows written per system (copies and
 * faulty rows included). Database names come from <CODE>_DATABASE (the
 * same variable the playbooks read), default legacy_<code>.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <locale.h>
#include <mysql.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "estate_model.h"

#define FIXED_MTIME 1735639200 /* 2024-12-31 10:00:00 UTC: file times inside archives */

static uint64_t g_seed = 12345, g_scale;
static const char *g_out, *g_pbdir = "playbooks";

/* ------------------------------------------------------------------ */
/* small helpers                                                       */
/* ------------------------------------------------------------------ */
static void path_join(char *out, size_t cap, const char *a, const char *b)
{
	if (snprintf(out, cap, "%s/%s", a, b) >= (int)cap)
		em_die("path too long: %s/%s", a, b);
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/* the database of a system: <CODE>_DATABASE or legacy_<code> */
static void db_name(const char *code, char *out, size_t cap)
{
	char var[64];
	size_t i;

	for (i = 0; code[i] && i < 40; i++)
		var[i] = (char)(code[i] >= 'a' && code[i] <= 'z' ? code[i] - 32 : code[i]);
	snprintf(var + i, sizeof(var) - i, "_DATABASE");
	snprintf(out, cap, "%s", env_or(var, ""));
	if (!*out)
		snprintf(out, cap, "legacy_%s", code);
	if (strspn(out, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(out) || strlen(out) > 63)
		em_die("database name '%s' (from %s): use lowercase letters, digits and _ only", out, var);
}

static void fmt_invalid(const struct em_order *o, char out[32])
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d", tm.y % 10000, o->inv_m % 100, o->inv_d % 100, tm.h % 100,
		 tm.mi % 100, tm.s % 100);
}

/* encode intended UTF-8 text into a platform's bytes */
static void enc(struct em_buf *b, const struct em_text *t, bool gbk, bool gb18030)
{
	b->len = 0;
	em_buf_add(b, "", 0);
	if (t->null)
		return;
	if (!gbk) {
		em_buf_add(b, t->s, t->len);
		return;
	}
	if (!em_to_gbk(t->s, t->len, b, gb18030))
		em_die("internal: text not encodable in GBK: %s", t->s);
}

/* the content with the fault's invalid bytes at its cut (GBK platforms) */
static void enc_bad_content(struct em_buf *b, const struct em_order *o)
{
	const struct em_text *t = &o->f[EF_CONTENT];

	b->len = 0;
	if (!em_to_gbk(t->s, o->bad_cut, b, false))
		em_die("internal: text not encodable in GBK");
	em_buf_adds(b, em_bad_gbk[o->bad_kind]);
	if (!em_to_gbk(t->s + o->bad_cut, t->len - o->bad_cut, b, false))
		em_die("internal: text not encodable in GBK");
}

/* ------------------------------------------------------------------ */
/* child processes (zip, unzip, sqlite3)                                */
/* ------------------------------------------------------------------ */
static pid_t spawn(const char *dir, char *const argv[], const char *locale, int *stdin_fd, bool quiet)
{
	int fds[2] = {-1, -1};
	pid_t pid;

	fflush(NULL);
	if (stdin_fd && pipe(fds))
		em_die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		em_die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (stdin_fd) {
			dup2(fds[0], 0);
			close(fds[0]);
			close(fds[1]);
		}
		if (quiet) {
			int nul = open("/dev/null", O_WRONLY);

			if (nul >= 0)
				dup2(nul, 1);
		}
		if (dir && chdir(dir))
			_exit(126);
		if (locale)
			setenv("LC_ALL", locale, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run %s: %s (install it: Debian package %s)\n", em_prog, argv[0],
			strerror(errno), argv[0]);
		_exit(127);
	}
	if (stdin_fd) {
		close(fds[0]);
		*stdin_fd = fds[1];
	}
	return pid;
}

static void wait_ok(pid_t pid, const char *what)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			em_die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		em_die("%s failed (exit status %d)", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void run(const char *dir, char *const argv[], const char *locale)
{
	wait_ok(spawn(dir, argv, locale, NULL, false), argv[0]);
}

static void set_mtime(const char *path)
{
	struct timespec ts[2] = {{FIXED_MTIME, 0}, {FIXED_MTIME, 0}};

	if (utimensat(AT_FDCWD, path, ts, 0))
		em_die("cannot set the time of '%s': %s", path, strerror(errno));
}

static void rm_rf_flat(const char *dir, char **names, size_t n)
{
	char p[4096];

	for (size_t i = 0; i < n; i++) {
		path_join(p, sizeof(p), dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

/*
 * zip the files `names` (raw bytes: GBK names stay GBK) of dir into zippath
 * with Info-ZIP's zip under LC_ALL=C: names are stored as they are, without
 * the UTF-8 flag, the way a zip made on Chinese Windows stores them.
 */
static void zip_files(const char *dir, char **names, size_t n, const char *zippath)
{
	char **argv = em_xcalloc(n + 8, sizeof(*argv));
	size_t k = 0;

	unlink(zippath);
	argv[k++] = (char *)"zip";
	argv[k++] = (char *)"-X";
	argv[k++] = (char *)"-q";
	argv[k++] = (char *)"-D";
	argv[k++] = (char *)zippath;
	for (size_t i = 0; i < n; i++) {
		char p[4096];

		path_join(p, sizeof(p), dir, names[i]);
		set_mtime(p);
		argv[k++] = names[i];
	}
	argv[k] = NULL;
	run(dir, argv, "C");
	free(argv);
}

/* ------------------------------------------------------------------ */
/* PostgreSQL                                                           */
/* ------------------------------------------------------------------ */
static PGconn *pg_open(const char *db, const char *client_encoding)
{
	const char *keys[] = {"dbname", "client_encoding", "connect_timeout", NULL};
	const char *vals[] = {db, client_encoding, "10", NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);

	if (PQstatus(c) != CONNECTION_OK)
		em_die("cannot connect to postgresql database '%s' (PGHOST=%s): %s", db, env_or("PGHOST", "(default)"),
		       PQerrorMessage(c));
	return c;
}

static void pg_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		em_die("postgresql: %s\n  %.200s", PQerrorMessage(c), sql);
	PQclear(r);
}

static char *pg_value(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	char *v;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		em_die("postgresql: %s\n  %.200s", PQerrorMessage(c), sql);
	v = em_xstrdup(PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

static void quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* drop and create a database; encoding UTF8 or SQL_ASCII */
static PGconn *pg_recreate(const char *db, const char *encoding)
{
	PGconn *a = pg_open(env_or("MIGRATE_PG_ADMIN_DB", "postgres"), "UTF8");
	char sql[512];

	PQsetNoticeProcessor(a, quiet_notice, NULL);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", db);
	pg_exec(a, sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\" TEMPLATE template0 ENCODING '%s' LOCALE 'C'", db, encoding);
	pg_exec(a, sql);
	PQfinish(a);
	return pg_open(db, encoding);
}

/* COPY text format, byte by byte (right for UTF-8, and for GBK in a
 * SQL_ASCII session, where the server reads bytes, not characters) */
struct pgcopy {
	PGconn *c;
	FILE *spool;            /* when set, rows go to this file instead */
	struct em_buf b;
	bool first;
};

static void copy_begin(struct pgcopy *cp, PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COPY_IN)
		em_die("postgresql: %s\n  %s", PQerrorMessage(c), sql);
	PQclear(r);
	cp->c = c;
	cp->b.len = 0;
	cp->first = true;
}

static void copy_flush(struct pgcopy *cp)
{
	if (cp->spool) {
		if (cp->b.len && fwrite(cp->b.p, 1, cp->b.len, cp->spool) != cp->b.len)
			em_die("cannot write a temporary file: %s", strerror(errno));
		cp->b.len = 0;
		return;
	}
	if (cp->b.len && PQputCopyData(cp->c, cp->b.p, (int)cp->b.len) != 1)
		em_die("postgresql COPY: %s", PQerrorMessage(cp->c));
	cp->b.len = 0;
}

static void copy_field(struct pgcopy *cp, const char *p, size_t n, bool null)
{
	if (!cp->first)
		em_buf_addc(&cp->b, '\t');
	cp->first = false;
	if (null) {
		em_buf_adds(&cp->b, "\\N");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		switch (p[i]) {
		case '\\': em_buf_add(&cp->b, "\\\\", 2); break;
		case '\t': em_buf_add(&cp->b, "\\t", 2); break;
		case '\n': em_buf_add(&cp->b, "\\n", 2); break;
		case '\r': em_buf_add(&cp->b, "\\r", 2); break;
		case '\0': em_die("internal: NUL byte for COPY");
		default: em_buf_addc(&cp->b, p[i]); break;
		}
	}
}

static void copy_str(struct pgcopy *cp, const char *s)
{
	copy_field(cp, s ? s : "", s ? strlen(s) : 0, s == NULL);
}

static void copy_buf(struct pgcopy *cp, const struct em_buf *b, bool null)
{
	copy_field(cp, b->p ? b->p : "", b->len, null);
}

static void copy_u64(struct pgcopy *cp, uint64_t v)
{
	char t[24];

	snprintf(t, sizeof(t), "%llu", (unsigned long long)v);
	copy_str(cp, t);
}

static void copy_time(struct pgcopy *cp, int64_t t, bool null)
{
	char s[20];

	if (null) {
		copy_field(cp, "", 0, true);
		return;
	}
	em_fmt_iso(t, s);
	copy_str(cp, s);
}

static void copy_row_end(struct pgcopy *cp)
{
	em_buf_addc(&cp->b, '\n');
	cp->first = true;
	if (cp->b.len > (1u << 20))
		copy_flush(cp);
}

static void copy_end(struct pgcopy *cp)
{
	PGresult *r;

	copy_flush(cp);
	if (PQputCopyEnd(cp->c, NULL) != 1)
		em_die("postgresql COPY: %s", PQerrorMessage(cp->c));
	r = PQgetResult(cp->c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		em_die("postgresql COPY: %s", PQerrorMessage(cp->c));
	PQclear(r);
	while ((r = PQgetResult(cp->c)))
		PQclear(r);
}

/* ------------------------------------------------------------------ */
/* SQLite (through the sqlite3 command-line shell)                      */
/* ------------------------------------------------------------------ */
struct sqlite {
	pid_t pid;
	FILE *f;
};

static void sqlite_open(struct sqlite *q, const char *path)
{
	char *argv[] = {(char *)"sqlite3", (char *)"-batch", (char *)"-bail", (char *)path, NULL};
	int fd;

	unlink(path);
	q->pid = spawn(NULL, argv, "C", &fd, true);
	q->f = fdopen(fd, "w");
	if (!q->f)
		em_die("fdopen: %s", strerror(errno));
	setvbuf(q->f, NULL, _IOFBF, 1 << 20);
	signal(SIGPIPE, SIG_IGN);
}

/* an SQL literal: a quoted string, or the bytes as hex cast to TEXT when
 * they are not plain UTF-8 on one line */
static void sql_text(FILE *f, const char *p, size_t n, bool null)
{
	bool plain = em_utf8_valid(p, n);

	if (null) {
		fputs("NULL", f);
		return;
	}
	for (size_t i = 0; i < n && plain; i++)
		if (p[i] == '\n' || p[i] == '\r' || p[i] == 0)
			plain = false;
	if (!plain) {
		fputs("CAST(X'", f);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%02X", (unsigned char)p[i]);
		fputs("' AS TEXT)", f);
		return;
	}
	fputc('\'', f);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\'')
			fputc('\'', f);
		fputc(p[i], f);
	}
	fputc('\'', f);
}

static void sql_str(FILE *f, const char *s)
{
	sql_text(f, s ? s : "", s ? strlen(s) : 0, s == NULL);
}

static void sqlite_close(struct sqlite *q)
{
	if (fclose(q->f))
		em_die("writing to sqlite3 failed: %s", strerror(errno));
	wait_ok(q->pid, "sqlite3");
}

/* ------------------------------------------------------------------ */
/* xlsx workbooks (written with libarchive)                              */
/* ------------------------------------------------------------------ */
struct xlsx {
	struct em_buf sheet, sst;
	size_t nsst;
	unsigned row;       /* last row number written */
	unsigned col;       /* column of the next cell, 0-based */
};

static void xml_esc(struct em_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': em_buf_adds(b, "&amp;"); break;
		case '<': em_buf_adds(b, "&lt;"); break;
		case '>': em_buf_adds(b, "&gt;"); break;
		case '"': em_buf_adds(b, "&quot;"); break;
		case '\r': em_buf_adds(b, "_x000D_"); break; /* XML would turn CR into LF */
		default: em_buf_addc(b, s[i]); break;
		}
	}
}

static void x_ref(struct xlsx *x, char ref[16])
{
	unsigned c = x->col;
	char col[4];
	int k = 0;

	if (c >= 26)
		col[k++] = (char)('A' + c / 26 - 1);
	col[k++] = (char)('A' + c % 26);
	col[k] = 0;
	snprintf(ref, 16, "%s%u", col, x->row);
}

static void x_row(struct xlsx *x)
{
	if (x->row)
		em_buf_adds(&x->sheet, "</row>\n");
	if (++x->row > 1048576)
		em_die("a year of zr12336 has more rows than an Excel sheet holds (1048576): use a smaller --scale");
	x->col = 0;
	em_buf_addf(&x->sheet, "<row r=\"%u\">", x->row);
}

/* a text cell (shared string); NULL: no cell */
static void x_str(struct xlsx *x, const char *s, size_t n, bool null)
{
	char ref[16];

	if (!null) {
		x_ref(x, ref);
		em_buf_addf(&x->sheet, "<c r=\"%s\" t=\"s\"><v>%zu</v></c>", ref, x->nsst++);
		em_buf_adds(&x->sst, "<si><t xml:space=\"preserve\">");
		xml_esc(&x->sst, s, n);
		em_buf_adds(&x->sst, "</t></si>");
	}
	x->col++;
}

static void x_strs(struct xlsx *x, const char *s)
{
	x_str(x, s ? s : "", s ? strlen(s) : 0, s == NULL);
}

static void x_text(struct xlsx *x, const struct em_text *t)
{
	x_str(x, t->s, t->len, t->null);
}

/* a number cell, written as given; style 0 general, 1 date, 2 date-time */
static void x_num(struct xlsx *x, const char *v, int style)
{
	char ref[16];

	x_ref(x, ref);
	if (style)
		em_buf_addf(&x->sheet, "<c r=\"%s\" s=\"%d\"><v>%s</v></c>", ref, style, v);
	else
		em_buf_addf(&x->sheet, "<c r=\"%s\"><v>%s</v></c>", ref, v);
	x->col++;
}

static void x_skip(struct xlsx *x)
{
	x->col++;
}

/* an Excel serial (1900 system) for a local time: days since 1899-12-30 */
static void excel_serial(int64_t t, bool with_time, char out[32])
{
	int64_t days = t / 86400 - em_days(1899, 12, 30), secs = t % 86400;
	long long frac;
	int k;

	if (!with_time || secs == 0) {
		snprintf(out, 32, "%lld", (long long)days);
		return;
	}
	frac = ((long long)secs * 10000000000LL + 43200) / 86400;
	snprintf(out, 32, "%lld.%010lld", (long long)days, frac);
	k = (int)strlen(out);
	while (out[k - 1] == '0')
		out[--k] = 0;
}

static void ar_entry(struct archive *a, const char *name, const void *p, size_t n)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, FIXED_MTIME, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		em_die("libarchive: %s", archive_error_string(a));
	if (n && archive_write_data(a, p, n) != (la_ssize_t)n)
		em_die("libarchive: %s", archive_error_string(a));
	archive_entry_free(e);
}

static void xlsx_save(struct xlsx *x, const char *path, const char *sheet_name)
{
	static const char *const CT =
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
		"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
		"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
		"<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
		"<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
		"<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
		"<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
		"</Types>\n";
	static const char *const RELS =
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
		"</Relationships>\n";
	static const char *const WBRELS =
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
		"<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
		"<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
		"</Relationships>\n";
	/* cellXfs: 0 General, 1 built-in 14 (date), 2 built-in 22 (date and time) */
	static const char *const STYLES =
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
		"<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"宋体\"/><charset val=\"134\"/></font></fonts>"
		"<fills count=\"1\"><fill><patternFill patternType=\"none\"/></fill></fills>"
		"<borders count=\"1\"><border/></borders>"
		"<cellStyleXfs count=\"1\"><xf numFmtId=\"0\"/></cellStyleXfs>"
		"<cellXfs count=\"3\"><xf numFmtId=\"0\" xfId=\"0\"/><xf numFmtId=\"14\" xfId=\"0\" applyNumberFormat=\"1\"/>"
		"<xf numFmtId=\"22\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>"
		"</styleSheet>\n";
	struct em_buf wb = {0}, sheet = {0}, sst = {0};
	struct archive *a = archive_write_new();

	if (x->row)
		em_buf_adds(&x->sheet, "</row>\n");
	em_buf_adds(&wb, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
			 "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
			 "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
			 "<workbookPr/><sheets><sheet name=\"");
	xml_esc(&wb, sheet_name, strlen(sheet_name));
	em_buf_adds(&wb, "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>\n");
	em_buf_adds(&sheet, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
			    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
			    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheetData>\n");
	em_buf_add(&sheet, x->sheet.p, x->sheet.len);
	em_buf_adds(&sheet, "</sheetData></worksheet>\n");
	em_buf_addf(&sst, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
			  "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"%zu\" "
			  "uniqueCount=\"%zu\">",
		    x->nsst, x->nsst);
	em_buf_add(&sst, x->sst.p, x->sst.len);
	em_buf_adds(&sst, "</sst>\n");
	if (archive_write_set_format_zip(a) != ARCHIVE_OK || archive_write_open_filename(a, path) != ARCHIVE_OK)
		em_die("cannot write '%s': %s", path, archive_error_string(a));
	/* Excel's order: the sheets first, shared strings and the workbook after */
	ar_entry(a, "[Content_Types].xml", CT, strlen(CT));
	ar_entry(a, "_rels/.rels", RELS, strlen(RELS));
	ar_entry(a, "xl/worksheets/sheet1.xml", sheet.p, sheet.len);
	ar_entry(a, "xl/sharedStrings.xml", sst.p, sst.len);
	ar_entry(a, "xl/styles.xml", STYLES, strlen(STYLES));
	ar_entry(a, "xl/workbook.xml", wb.p, wb.len);
	ar_entry(a, "xl/_rels/workbook.xml.rels", WBRELS, strlen(WBRELS));
	if (archive_write_close(a) != ARCHIVE_OK)
		em_die("cannot write '%s': %s", path, archive_error_string(a));
	archive_write_free(a);
	em_buf_free(&wb);
	em_buf_free(&sheet);
	em_buf_free(&sst);
	x->sheet.len = x->sst.len = 0;
	x->nsst = 0;
	x->row = x->col = 0;
}

/* ------------------------------------------------------------------ */
/* DBF (FoxPro 2.x, 0xF5) with an .fpt memo file                        */
/* ------------------------------------------------------------------ */
struct dbf_field {
	const char *name;
	char type;
	unsigned len, dec, off;
};

struct dbf {
	FILE *f, *memo;
	struct dbf_field *fl;
	unsigned nf, reclen, hdrlen;
	uint32_t nrec, next_block;
	unsigned char rec[4096];
};

#define FPT_BLOCK 64

static void put_le16(unsigned char *p, unsigned v) { p[0] = (unsigned char)(v & 0xff); p[1] = (unsigned char)(v >> 8); }
static void put_le32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i)); }
static void put_be32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * (3 - i))); }

static void dbf_header(struct dbf *d)
{
	unsigned char h[32] = {0};

	h[0] = 0xF5;                          /* FoxPro 2.x with memo */
	h[1] = 124; h[2] = 12; h[3] = 31;     /* last update 2024-12-31 */
	put_le32(h + 4, d->nrec);
	put_le16(h + 8, d->hdrlen);
	put_le16(h + 10, d->reclen);
	h[29] = 0x7A;                         /* code page 936 (GBK) */
	if (fseek(d->f, 0, SEEK_SET))
		em_die("seek: %s", strerror(errno));
	fwrite(h, 1, 32, d->f);
	for (unsigned i = 0; i < d->nf; i++) {
		unsigned char x[32] = {0};

		memcpy(x, d->fl[i].name, strlen(d->fl[i].name));
		x[11] = (unsigned char)d->fl[i].type;
		put_le32(x + 12, d->fl[i].off);
		x[16] = (unsigned char)d->fl[i].len;
		x[17] = (unsigned char)d->fl[i].dec;
		fwrite(x, 1, 32, d->f);
	}
	fputc(0x0D, d->f);
}

static void dbf_open(struct dbf *d, const char *dir, const char *name, const char *memo, struct dbf_field *fl,
		     unsigned nf)
{
	unsigned char mh[512] = {0};

	memset(d, 0, sizeof(*d));
	d->fl = fl;
	d->nf = nf;
	d->reclen = 1;
	for (unsigned i = 0; i < nf; i++) {
		fl[i].off = d->reclen;
		d->reclen += fl[i].len;
	}
	if (d->reclen > sizeof(d->rec))
		em_die("internal: DBF record too long");
	d->hdrlen = 32 + 32 * nf + 1;
	d->f = em_fopen(dir, name, "wb");
	d->memo = em_fopen(dir, memo, "wb");
	dbf_header(d);
	fwrite(mh, 1, 512, d->memo);
	d->next_block = 512 / FPT_BLOCK;
}

static void dbf_rec(struct dbf *d, bool deleted)
{
	memset(d->rec, ' ', d->reclen);
	d->rec[0] = deleted ? '*' : ' ';
}

static unsigned dbf_col(struct dbf *d, const char *name)
{
	for (unsigned i = 0; i < d->nf; i++)
		if (!strcmp(d->fl[i].name, name))
			return i;
	em_die("internal: no DBF field %s", name);
}

/* character data, left-justified (the bytes must fit) */
static void dbf_c(struct dbf *d, const char *name, const void *p, size_t n)
{
	struct dbf_field *f = &d->fl[dbf_col(d, name)];

	if (n > f->len)
		em_die("internal: %zu bytes for DBF field %s(%u)", n, f->name, f->len);
	memcpy(d->rec + f->off, p, n);
}

/* numbers and dates, right-justified text */
static void dbf_n(struct dbf *d, const char *name, const char *s)
{
	struct dbf_field *f = &d->fl[dbf_col(d, name)];
	size_t n = strlen(s);

	if (n > f->len)
		em_die("internal: value too wide for DBF field %s", f->name);
	memcpy(d->rec + f->off + f->len - n, s, n);
}

/* a text memo: an 8-byte block header (type 1, length), the bytes, padding */
static void dbf_memo(struct dbf *d, const char *name, const void *p, size_t n)
{
	unsigned char h[8];
	char num[16];
	uint32_t blk = d->next_block;
	size_t total = 8 + n;

	if (!n)
		return; /* a blank pointer: an empty memo */
	if (fseek(d->memo, (long)blk * FPT_BLOCK, SEEK_SET))
		em_die("seek: %s", strerror(errno));
	put_be32(h, 1);
	put_be32(h + 4, (uint32_t)n);
	fwrite(h, 1, 8, d->memo);
	fwrite(p, 1, n, d->memo);
	while (total % FPT_BLOCK) {
		fputc(0, d->memo);
		total++;
	}
	d->next_block = blk + (uint32_t)(total / FPT_BLOCK);
	snprintf(num, sizeof(num), "%u", blk);
	dbf_n(d, name, num);
}

static void dbf_end_rec(struct dbf *d)
{
	if (fwrite(d->rec, 1, d->reclen, d->f) != d->reclen)
		em_die("cannot write the DBF: %s", strerror(errno));
	d->nrec++;
}

static void dbf_close(struct dbf *d)
{
	unsigned char mh[8] = {0};

	fputc(0x1A, d->f);
	dbf_header(d);
	if (fclose(d->f))
		em_die("cannot write the DBF: %s", strerror(errno));
	if (fseek(d->memo, 0, SEEK_SET))
		em_die("seek: %s", strerror(errno));
	put_be32(mh, d->next_block);
	mh[6] = 0;
	mh[7] = FPT_BLOCK;
	fwrite(mh, 1, 8, d->memo);
	if (fclose(d->memo))
		em_die("cannot write the memo file: %s", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* CSV the way Excel on Chinese Windows saves it                         */
/* ------------------------------------------------------------------ */
static void csv_field(struct em_buf *b, const char *p, size_t n, bool first)
{
	bool quote = false;

	if (!first)
		em_buf_addc(b, ',');
	for (size_t i = 0; i < n && !quote; i++)
		quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
	if (!quote) {
		em_buf_add(b, p, n);
		return;
	}
	em_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"')
			em_buf_addc(b, '"');
		em_buf_addc(b, p[i]);
	}
	em_buf_addc(b, '"');
}

/*
 * Unpack a zip whose member names are CP936 without the UTF-8 flag into dir,
 * with libarchive (hdrcharset=CP936, names as UTF-8 under a C.UTF-8 locale);
 * the members must be exactly `names` (UTF-8).
 */
static void unpack_cp936(const char *zip, const char *dir, char **names, size_t n)
{
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0), old;
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t seen = 0;
	int r;

	if (loc == (locale_t)0)
		em_die("no C.UTF-8 locale: %s", strerror(errno));
	old = uselocale(loc);
	em_mkdir_p(dir);
	if (archive_read_support_format_zip(a) != ARCHIVE_OK ||
	    archive_read_set_options(a, "hdrcharset=CP936") != ARCHIVE_OK ||
	    archive_read_open_filename(a, zip, 1 << 16) != ARCHIVE_OK)
		em_die("cannot read '%s': %s", zip, archive_error_string(a));
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname_utf8(e);
		char path[4096], buf[1 << 16];
		bool known = false;
		la_ssize_t got;
		FILE *f;

		for (size_t i = 0; name && i < n; i++)
			known |= !strcmp(names[i], name);
		if (!known)
			em_die("'%s': unexpected member '%s'", zip, name ? name : "(not decodable)");
		path_join(path, sizeof(path), dir, name);
		f = fopen(path, "wb");
		if (!f)
			em_die("cannot create '%s': %s", path, strerror(errno));
		while ((got = archive_read_data(a, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)got, f);
		if (got < 0)
			em_die("cannot read '%s': %s", zip, archive_error_string(a));
		if (fclose(f))
			em_die("cannot write '%s': %s", path, strerror(errno));
		seen++;
	}
	if (r != ARCHIVE_EOF || seen != n)
		em_die("'%s': %zu of %zu members unpacked: %s", zip, seen, n, archive_error_string(a));
	archive_read_free(a);
	uselocale(old);
	freelocale(loc);
}

/* the request-type or other code table of a system must say what the
 * generator means: legacy[i] -> unified[i] */
static void check_codes(const char *code, const char *file, const char *const *legacy, const char *const *unified,
			size_t n)
{
	char dir[4096];
	struct em_map m;

	snprintf(dir, sizeof(dir), "%s/%s", g_pbdir, code);
	em_map_load(&m, dir, file, false);
	for (size_t i = 0; i < n; i++) {
		const char *u = em_map_get(&m, legacy[i]);

		if (!u || strcmp(u, unified[i]))
			em_die("%s/%s: '%s' must map to '%s'", dir, file, legacy[i], unified[i]);
	}
	em_map_free(&m);
}

/* cross-system calls recorded by this system: DIR/<code>/cross.tsv */
static FILE *cross_open(const char *dir)
{
	FILE *f;

	em_mkdir_p(dir);
	f = em_fopen(dir, "cross.tsv", "w");
	fprintf(f, "#seed %llu scale %llu\n", (unsigned long long)g_seed, (unsigned long long)g_scale);
	return f;
}

static void cross_line(FILE *f, const struct em_order *o)
{
	char t[20];

	em_fmt_iso(o->t, t);
	fprintf(f, "%d\t%s\t%s\t%s\n", o->cross_pair, o->legacy_id, o->phone[0].norm, t);
}

/* ------------------------------------------------------------------ */
/* common to every system                                              */
/* ------------------------------------------------------------------ */
static struct em_cross *g_cross;
static size_t g_ncross;

static void sys_begin(struct em_sys *s, const struct em_desc *d, const char *dir, const char *wo_table)
{
	em_mkdir_p(dir);
	em_sys_init(s, d, g_seed, g_scale, g_pbdir, dir);
	s->truth.d = d;
	s->truth.seed = g_seed;
	s->truth.scale = g_scale;
	em_table_add(&s->truth, wo_table, "work_order", dir, "intended.tsv");
}

static void sys_end(struct em_sys *s, const char *dir)
{
	char path[4096];
	const struct em_table *w = &s->truth.tables[0];

	for (size_t i = 0; i < s->truth.ntables; i++)
		if (s->truth.tables[i].tsv && fclose(s->truth.tables[i].tsv))
			em_die("cannot write the intended text of %s", s->d->code);
	path_join(path, sizeof(path), dir, "expected.json");
	em_truth_write(s, path);
	printf("%s: %s rows=%llu loaded=%llu merged=%llu rejected=%llu", em_prog, s->d->code,
	       (unsigned long long)w->rows, (unsigned long long)w->loaded, (unsigned long long)w->merged,
	       (unsigned long long)(w->rows - w->loaded - w->merged));
	for (size_t i = 1; i < s->truth.ntables; i++)
		printf(" %s=%llu", s->truth.tables[i].name, (unsigned long long)s->truth.tables[i].rows);
	printf(" out=%s\n", dir);
	em_sys_free(s);
}

/* outcome of the fields every system maps the same way */
static void fx_common(const struct em_sys *s, const struct em_order *o, struct em_fx *fx, bool contact)
{
	em_fx_phone(fx, &o->phone[0], s->d->null_is_empty);
	if (contact)
		em_fx_phone(fx, &o->phone[1], s->d->null_is_empty);
	em_fx_idno(fx, &o->idno, s->d->null_is_empty);
	if (o->cat < 0)
		em_fx_fix(fx, "unmapped_category");
}

/* a blank date in a platform without NULL (CSV): the datetime transform
 * sees an empty string, which no format parses: with `invalid: null` it is
 * loaded as NULL and counted as fix invalid_date_null */
static void fx_blank_date(struct em_fx *fx)
{
	em_fx_fix(fx, "invalid_date_null");
}

/* ================================================================== */
/* sj12315 市场监管投诉举报热线: PostgreSQL (UTF8), dual mode            */
/* ================================================================== */
static const struct em_catdef SJ_CATS[] = {
	{"010101", NULL, 10, {"在{S}就餐后出现腹泻呕吐，怀疑饭菜不卫生。", "{S}的饭菜里吃出了异物，商家态度恶劣。", NULL}},
	{"010102", NULL, 8, {"在{S}购买的食品已经过期{N}天，仍然摆在货架上销售。", "{S}销售的熟食没有标签，来源不明。", NULL}},
	{"010201", NULL, 3, {"{R}附近有一家小作坊无证生产豆制品，卫生条件很差。", "{K}楼下有人在家里加工糕点对外销售。", NULL}},
	{"020101", NULL, 3, {"在{S}购买的药品包装破损，怀疑是假药。", "{S}无处方销售处方药。", NULL}},
	{"020201", NULL, 2, {"在{S}购买的血压计测量不准，商家拒绝退换。", NULL, NULL}},
	{"030101", NULL, 5, {"{K}{N}号楼电梯经常停运，已经多次困人。", "小区电梯的年检标志已经过期，存在安全隐患。", NULL}},
	{"030201", NULL, 2, {"{S}使用的液化气瓶没有检验标志。", NULL, NULL}},
	{"040101", NULL, 6, {"{S}的商品没有明码标价，结账时比标价高。", "{S}的{G}标价{M}元，结账时多收了钱。", NULL}},
	{"040201", NULL, 4, {"{K}物业公司擅自提高物业费。", "停车场收费标准没有公示，收费过高。", NULL}},
	{"050101", NULL, 10, {"在{S}购买的{G}使用不到{N}天就出现故障，商家拒绝维修。", "{S}销售的{G}存在明显质量问题。", NULL}},
	{"050201", NULL, 3, {"{S}的电子秤缺斤短两，买了两斤少了三两。", "{R}加油站的加油机计量不准。", NULL}},
	{"060101", NULL, 9, {"在{S}办理的预付卡还有余额{M}元，商家突然关门，无法退款。", "在{S}办卡后商家拒绝按约定提供服务。", NULL}},
	{"060102", NULL, 8, {"网购的{G}与描述不符，商家拒绝退货。", "在网上购买的{G}迟迟不发货，客服联系不上。", NULL}},
	{"060103", NULL, 4, {"{S}维修{G}收费{M}元，但问题没有解决。", NULL, NULL}},
	{"070101", NULL, 2, {"{S}夸大宣传保健品功效，诱导老年人购买。", NULL, NULL}},
	{"080101", NULL, 2, {"{S}销售假冒品牌的{G}。", NULL, NULL}},
	{"090101", NULL, 3, {"咨询市场监管方面的相关政策规定。", NULL, NULL}},
	/* historic lines merged into 12315 in 2019, with their own codes */
	{"SY-01", "12331", 5, {"在{S}购买的食品有异味，怀疑变质。", "{S}销售的散装食品没有生产日期。", NULL}},
	{"SY-02", "12331", 3, {"在{S}购买的感冒药疗效可疑，怀疑是假药。", NULL, NULL}},
	{"SY-03", "12331", 2, {"{S}向老人推销保健食品，宣称能治病。", NULL, NULL}},
	{"SY-04", "12331", 2, {"在{S}购买的化妆品使用后皮肤过敏。", NULL, NULL}},
	{"JG01", "12358", 4, {"{S}的{G}价格一天涨了三次。", "{S}先提价后打折，虚假优惠。", NULL}},
	{"JG02", "12358", 3, {"{K}物业收取的电梯费没有依据。", "驾校收费与合同约定不一致。", NULL}},
	{"JG03", "12358", 2, {"医院收取的检查费用比公示标准高。", NULL, NULL}},
	{"ZJ01", "12365", 4, {"在{S}购买的{G}质量不合格。", "新买的{G}存在安全隐患。", NULL}},
	{"ZJ02", "12365", 2, {"{S}使用的计量器具没有检定。", NULL, NULL}},
	{"ZJ03", "12365", 2, {"{K}的电梯维保不到位。", NULL, NULL}},
};
static const struct em_unmapped SJ_UNMAPPED[] = {
	{"099999", "其他（待分类）", NULL},
	{"0601", "消费维权", NULL},
	{"SY-99", "其他食药问题", "12331"},
	{"JG99", "其他价格问题", "12358"},
	{"ZJ00", "未分类", "12365"},
};
static const char *const SJ_UNITS[] = {
	"嘉峪关市市场监督管理局", "市市场监管局", "市场监管局", "市市场监督管理局", "市场监管局雄关分局",
	"市场监管局钢城分局", "文殊市场监管所", "峪泉市场监管所", "新城市场监管所", "市市场监管综合执法支队",
	"市消费者协会", "市知识产权局",
};
static const char *const SJ_RTYPES[] = {"投诉", "举报", "咨询", "建议", "表扬", "其他"};
static const char *const SJ_RTYPE_CODES[] = {"1", "2", "3", "4", "5", "9"};
static const int SJ_RTYPE_W[] = {500, 150, 200, 80, 30, 40};
static const char *const SJ_FILLERS[] = {
	"来电人要求商家退款并赔偿损失。", "来电人已保留购物小票。", "商家称不是自己的责任。",
	"来电人要求市场监管部门依法查处。", "涉及金额{M}元。", "来电人称同一小区还有其他业主遇到同样问题。",
};
static const char *const SJ_RESULTS[] = {
	"经调解，商家同意为消费者办理退货退款。", "执法人员已对{S}进行现场检查，责令其立即整改。",
	"经核查，反映问题部分属实，已依法立案调查。", "双方分歧较大，调解未成功，已告知消费者可通过诉讼途径解决。",
	"现场检查未发现来电人反映的问题，将加强日常监管。", "已将相关线索移交有关部门处理。",
	"经调解，商家赔偿消费者{M}元，双方达成和解。",
};
static const char *const SJ_SATIS[] = {"A", "B", "C", "D", "E"};
static const int SJ_SATIS_W[] = {400, 300, 150, 100, 50};
static const char *const SJ_EV_CODES[] = {"01", "02", "03", "04", "05", "06", "07", "08", "09"};
static const char *const SJ_EV_NAMES[] = {"受理", "派单", "签收", "退单", "延期", "回复", "回访", "办结", "归档"};
enum { EV_ACCEPT, EV_DISPATCH, EV_SIGN, EV_RETURN, EV_EXTEND, EV_REPLY, EV_CALLBACK, EV_CLOSE, EV_ARCHIVE,
       EV_SYNC };

static void sj_line(struct em_rng *r, int64_t t, const char **line)
{
	uint32_t u;

	if (t >= em_time(2019, 1, 1, 0, 0, 0))
		return;
	u = em_below(r, 100);
	*line = u < 15 ? "12331" : u < 25 ? "12358" : u < 35 ? "12365" : "12315";
}

static void sj_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	if (s->seq_day > 9999)
		em_die("sj12315: too many orders in a day for the order numbers");
	if (!strcmp(o->line, "12331"))
		snprintf(out, cap, "SY%04d%02d%02d%04d", tm.y, tm.mo, tm.d, s->seq_day);
	else if (!strcmp(o->line, "12358"))
		snprintf(out, cap, "JG%02d%02d%02d%05d", tm.y % 100, tm.mo, tm.d, s->seq_day);
	else if (!strcmp(o->line, "12365"))
		snprintf(out, cap, "ZJ%04d%02d%02d%04d", tm.y, tm.mo, tm.d, s->seq_day);
	else
		snprintf(out, cap, "GD%04d%02d%02d%06d", tm.y, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc SJ12315 = {
	.code = "sj12315", .hotline = "12315", .dept = "市场监管部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = SJ_CATS, .ncats = EM_ARRLEN(SJ_CATS),
	.unmapped = SJ_UNMAPPED, .nunmapped = EM_ARRLEN(SJ_UNMAPPED),
	.units = SJ_UNITS, .nunits = EM_ARRLEN(SJ_UNITS),
	.rtypes = SJ_RTYPES, .rtype_w = SJ_RTYPE_W, .nrtypes = EM_ARRLEN(SJ_RTYPES),
	.fillers = SJ_FILLERS, .nfillers = EM_ARRLEN(SJ_FILLERS),
	.results = SJ_RESULTS, .nresults = EM_ARRLEN(SJ_RESULTS),
	.status = {"10", "20", "30", "40", "50", "60", "90"},
	.satis = SJ_SATIS, .satis_w = SJ_SATIS_W, .nsatis = EM_ARRLEN(SJ_SATIS), .ppm_no_satis = 100000,
	.fault_ppm = {[EM_F_NULL_DATE] = 8000, [EM_F_MISSING_ID] = 2000},
	.fault_loads = 1u << EM_F_NULL_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 500, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 100, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LAND_NODASH] = 50, [EM_PH_LOCAL] = 100, [EM_PH_NULL] = 40, [EM_PH_WORD] = 10}},
	.ids = {{[EM_ID_NULL] = 150, [EM_ID_PLAIN] = 700, [EM_ID_FULLWIDTH] = 60, [EM_ID_BADCHECK] = 50,
		 [EM_ID_OLD15] = 40}},
	.cross_cat = "050101",
	.pick_line = sj_line,
	.make_id = sj_id,
};

struct sj_events {
	struct pgcopy cp;       /* spooled into a temporary file */
	FILE *spool;
	struct em_table *t;
	struct em_rng rng;
	uint64_t lsh;
};

static void sj_event(struct sj_events *ev, const struct em_order *o, int type, int64_t at, const char *actor,
		     const char *unit, const char *comment)
{
	struct em_fx fx;
	char id[24], ts[20];
	const char *code = type == EV_SYNC ? "ZZ" : SJ_EV_CODES[type];
	const char *uni = type == EV_SYNC ? "ZZ" : SJ_EV_NAMES[type];
	bool null_at = em_chance(&ev->rng, 5000); /* a lost event time */
	struct em_table *t = ev->t;

	snprintf(id, sizeof(id), "%llu", (unsigned long long)++ev->lsh);
	copy_str(&ev->cp, id);
	copy_str(&ev->cp, o->legacy_id);
	copy_str(&ev->cp, code);
	copy_time(&ev->cp, at, null_at);
	copy_str(&ev->cp, actor);
	copy_str(&ev->cp, unit);
	copy_str(&ev->cp, comment);
	copy_row_end(&ev->cp);
	em_fx_init(&fx);
	if (type == EV_SYNC)
		em_fx_fix(&fx, "unmapped_code");
	if (!em_account_row(t, &fx, false))
		return;
	em_fmt_iso(at, ts);
	em_tsv(t, id, "order_legacy_id", o->legacy_id, strlen(o->legacy_id), false);
	em_tsv(t, id, "event_type", uni, strlen(uni), false);
	em_tsv(t, id, "event_at", ts, 19, null_at);
	em_tsv(t, id, "actor", actor ? actor : "", actor ? strlen(actor) : 0, actor == NULL);
	em_tsv(t, id, "unit", unit ? unit : "", unit ? strlen(unit) : 0, unit == NULL);
	em_tsv(t, id, "comment", comment ? comment : "", comment ? strlen(comment) : 0, comment == NULL);
}

/* the flow records (流转记录) of one work order */
static void sj_flow(struct sj_events *ev, const struct em_order *o)
{
	struct {
		int type;
		const char *actor, *unit, *comment;
	} st[16];
	int n = 0;
	struct em_rng *r = &ev->rng;
	char agent[16], staff[32], cb[64];
	struct em_text nm;
	const char *unit = o->f[EF_UNIT].null ? NULL : o->f[EF_UNIT].s;
	int64_t end = o->t_closed ? o->t_closed : o->t_updated;

	if (o->fault == EM_F_MISSING_ID)
		return; /* nothing can point at it */
	snprintf(agent, sizeof(agent), "ZX%04u", em_below(r, 300) + 1);
	em_gen_name(r, &nm, EM_NM_FULL, 0);
	if (nm.len >= sizeof(staff))
		em_die("internal: name too long");
	memcpy(staff, nm.s, nm.len + 1);
#define EV(T, A, U, C) (st[n].type = (T), st[n].actor = (A), st[n].unit = (U), st[n].comment = (C), n++)
	EV(EV_ACCEPT, agent, "12315热线", "已受理");
	if (o->stage == EM_ST_INVALID) {
		EV(EV_CLOSE, agent, "12315热线", "无效诉求，直接办结");
	} else if (o->stage != EM_ST_NEW) {
		EV(EV_DISPATCH, agent, unit, "请按时限办理");
		if (o->var % 100 < 5) {
			EV(EV_RETURN, staff, unit, "非本单位职责，申请退单");
			EV(EV_DISPATCH, agent, unit, "重新派单");
		}
		if (o->stage >= EM_ST_HANDLING)
			EV(EV_SIGN, staff, unit, "已签收");
		if (o->stage >= EM_ST_HANDLING && o->var % 100 >= 5 && o->var % 100 < 8)
			EV(EV_EXTEND, staff, unit, "情况复杂，申请延期\t10个工作日");
		if (o->var % 1000 == 999)
			EV(EV_SYNC, "system", NULL, "省平台数据同步");
		if (o->stage >= EM_ST_REPLIED)
			EV(EV_REPLY, staff, unit, o->f[EF_REPLY].null ? NULL : o->f[EF_REPLY].s);
		if (o->stage == EM_ST_CLOSED || o->stage == EM_ST_ARCHIVED) {
			if (o->satis >= 0) {
				snprintf(cb, sizeof(cb), "回访满意度：%s", SJ_SATIS[o->satis]);
				EV(EV_CALLBACK, agent, "12315热线", cb);
			}
			EV(EV_CLOSE, agent, "12315热线", "办结");
			if (o->stage == EM_ST_ARCHIVED)
				EV(EV_ARCHIVE, "system", NULL, NULL);
		}
	}
#undef EV
	for (int i = 0; i < n; i++) {
		int64_t at = o->t + (n > 1 ? (end - o->t) * i / (n - 1) : 0);

		sj_event(ev, o, st[i].type, at, st[i].actor, st[i].unit, st[i].comment);
	}
}

static void gen_sj12315(const char *dir)
{
	static struct em_sys s;
	struct sj_events ev = {0};
	struct pgcopy cp = {0};
	char db[80];
	PGconn *c;
	FILE *xf = cross_open(dir);

	sys_begin(&s, &SJ12315, dir, "tsjb_gd");
	check_codes("sj12315", "request_types.csv", SJ_RTYPE_CODES, SJ_RTYPES, EM_ARRLEN(SJ_RTYPES));
	check_codes("sj12315", "events.csv", SJ_EV_CODES, SJ_EV_NAMES, EM_ARRLEN(SJ_EV_NAMES));
	em_sys_cross(&s, g_cross, g_ncross);
	ev.t = em_table_add(&s.truth, "tsjb_lzjl", "work_order_event", dir, "intended_events.tsv");
	em_rng_seed(&ev.rng, g_seed, "sj12315/events");
	ev.spool = tmpfile();
	if (!ev.spool)
		em_die("tmpfile: %s", strerror(errno));
	ev.cp.spool = ev.spool;
	ev.cp.first = true;

	db_name("sj12315", db, sizeof(db));
	c = pg_recreate(db, "UTF8");
	pg_exec(c, "CREATE TABLE tsjb_gd (\n"
		   "  id bigint PRIMARY KEY,          -- 流水号\n"
		   "  gdbh varchar(32) NOT NULL,      -- 工单编号 (historic: the old line's number)\n"
		   "  yshm varchar(8) NOT NULL,       -- 原始号码: 12315, or 12331/12358/12365 before 2019\n"
		   "  qd varchar(8),                  -- 渠道\n"
		   "  ldsj timestamp(0),              -- 来电时间\n"
		   "  tsrxm varchar(40),              -- 投诉人姓名\n"
		   "  ldhm varchar(64), lxdh varchar(64), zjhm varchar(64),\n"
		   "  tsdz varchar(200), bt varchar(200), tsnr text,\n"
		   "  sqlx varchar(4),                -- 诉求类型 code\n"
		   "  flbm varchar(16), flmc varchar(100), -- 分类 (3-level tree)\n"
		   "  zt varchar(4), cbdw varchar(100), bjsj timestamp(0), bljg text, myd varchar(2),\n"
		   "  gxsj timestamp(0) NOT NULL)");
	pg_exec(c, "CREATE TABLE tsjb_lzjl (\n"
		   "  lsh bigint PRIMARY KEY, gdbh varchar(32) NOT NULL, czlx varchar(4), czsj timestamp(0),\n"
		   "  czry varchar(40), czdw varchar(100), czyj text)");
	pg_exec(c, "BEGIN");
	copy_begin(&cp, c, "COPY tsjb_gd FROM STDIN");
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		static const char *const QD[] = {"DH", "DH", "DH", "DH", "DH", "DH", "DH", "WX", "WZ", "APP", "SJ"};
		const char *myd = o->satis >= 0 ? SJ_SATIS[o->satis] : NULL;
		const char *q = (!strcmp(o->line, "12315") && !o->cross) ? QD[o->var % EM_ARRLEN(QD)] : "DH";

		copy_u64(&cp, slot + 1);
		copy_str(&cp, o->legacy_id);
		copy_str(&cp, o->line);
		copy_str(&cp, q);
		copy_time(&cp, o->t, o->fault == EM_F_NULL_DATE);
		copy_field(&cp, o->f[EF_NAME].s, o->f[EF_NAME].len, o->f[EF_NAME].null);
		copy_field(&cp, o->phone[0].raw.s, o->phone[0].raw.len, o->phone[0].raw.null);
		copy_field(&cp, o->phone[1].raw.s, o->phone[1].raw.len, o->phone[1].raw.null);
		copy_field(&cp, o->idno.raw.s, o->idno.raw.len, o->idno.raw.null);
		copy_field(&cp, o->f[EF_ADDR].s, o->f[EF_ADDR].len, o->f[EF_ADDR].null);
		copy_field(&cp, o->f[EF_TITLE].s, o->f[EF_TITLE].len, o->f[EF_TITLE].null);
		copy_field(&cp, o->f[EF_CONTENT].s, o->f[EF_CONTENT].len, o->f[EF_CONTENT].null);
		copy_str(&cp, SJ_RTYPE_CODES[o->rtype]);
		copy_str(&cp, o->cat_code);
		copy_str(&cp, em_cat_name(&s, o));
		copy_str(&cp, SJ12315.status[o->stage]);
		copy_field(&cp, o->f[EF_UNIT].s, o->f[EF_UNIT].len, o->f[EF_UNIT].null);
		copy_time(&cp, o->t_closed, o->t_closed == 0);
		copy_field(&cp, o->f[EF_REPLY].s, o->f[EF_REPLY].len, o->f[EF_REPLY].null);
		copy_str(&cp, myd);
		copy_time(&cp, o->t_updated, false);
		copy_row_end(&cp);

		em_fx_init(&fx);
		if (o->fault == EM_F_MISSING_ID)
			em_fx_reject(&fx, "transform.missing_legacy_id");
		if (o->fault == EM_F_NULL_DATE)
			fx.received_null = true;
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
		if (o->cross)
			cross_line(xf, o);
		if (!o->dup)
			sj_flow(&ev, o);
	}
	copy_end(&cp);
	/* the flow records */
	copy_flush(&ev.cp);
	if (fflush(ev.spool) || ferror(ev.spool))
		em_die("cannot write a temporary file: %s", strerror(errno));
	rewind(ev.spool);
	copy_begin(&cp, c, "COPY tsjb_lzjl FROM STDIN");
	{
		char buf[1 << 16];
		size_t n;

		while ((n = fread(buf, 1, sizeof(buf), ev.spool)) > 0) {
			cp.b.len = 0;
			em_buf_add(&cp.b, buf, n);
			copy_flush(&cp);
		}
	}
	copy_end(&cp);
	fclose(ev.spool);
	pg_exec(c, "COMMIT");
	/* what was stored is what was meant */
	{
		char *n1 = pg_value(c, "SELECT count(*) FROM tsjb_gd"), *n2 = pg_value(c, "SELECT count(*) FROM tsjb_lzjl");

		if (strtoull(n1, NULL, 10) != g_scale || strtoull(n2, NULL, 10) != ev.t->rows)
			em_die("sj12315: stored %s work orders and %s flow records, meant %llu and %llu", n1, n2,
			       (unsigned long long)g_scale, (unsigned long long)ev.t->rows);
		free(n1);
		free(n2);
	}
	PQfinish(c);
	if (fclose(xf))
		em_die("cannot write cross.tsv");
	em_buf_free(&cp.b);
	em_buf_free(&ev.cp.b);
	sys_end(&s, dir);
}

/* ================================================================== */
/* wj12320 卫生健康热线: PostgreSQL SQL_ASCII holding GBK bytes, dual     */
/* ================================================================== */
static const char *const WJ_HOSPITALS[] = {
	"市第一人民医院", "酒钢医院", "市中医医院", "市妇幼保健院", "雄关社区卫生服务中心", "钢城社区卫生服务中心",
};
static const struct em_catdef WJ_CATS[] = {
	{"WJ01", NULL, 12, {"在{C}就诊时医生态度生硬，检查开得太多。", "{C}挂号排队时间太长，早上排到中午还没看上病。", NULL}},
	{"WJ02", NULL, 6, {"家属在{C}做手术后出现并发症，对治疗结果有异议。", "对{C}的诊疗费用有异议，要求医院解释。", NULL}},
	{"WJ03", NULL, 6, {"咨询孩子接种疫苗的时间和地点。", "{C}的疫苗接种点预约不上。", NULL}},
	{"WJ04", NULL, 4, {"{K}有人发热咳嗽，担心是传染病。", "咨询传染病防控和隔离政策。", NULL}},
	{"WJ05", NULL, 6, {"在{C}住院的费用医保报销比例有疑问。", "异地就医备案后仍然无法直接结算。", NULL}},
	{"WJ06", NULL, 3, {"咨询独生子女父母奖励扶助政策。", "咨询办理生育登记需要哪些材料。", NULL}},
	{"WJ07", NULL, 3, {"{S}的从业人员没有健康证明。", "游泳馆水质浑浊，怀疑消毒不到位。", NULL}},
	{"WJ08", NULL, 2, {"{C}的药品价格比药店贵很多。", NULL, NULL}},
	{"WJ09", NULL, 3, {"感谢{C}医护人员的精心治疗。", NULL, NULL}},
	{"WJ99", NULL, 3, {"咨询卫生健康方面的政策规定。", NULL, NULL}},
};
static const struct em_unmapped WJ_UNMAPPED[] = {
	{"WJ00", "未分类", NULL}, {"WS12", "卫生监督（旧）", NULL}, {"X", "其它", NULL},
};
static const char *const WJ_UNITS[] = {
	"市卫生健康委员会", "市卫健委", "卫健委", "嘉峪关市卫生健康委员会", "市卫生健康委医政医管科",
	"市疾病预防控制中心", "市疾控中心", "市卫生健康综合监督执法局", "市第一人民医院", "酒钢医院",
	"市中医医院", "市妇幼保健院",
};
static const char *const WJ_RTYPES[] = {"咨询", "投诉", "求助", "建议", "表扬", "举报", "其他"};
static const int WJ_RTYPE_W[] = {350, 300, 150, 80, 60, 40, 20};
static const char *const WJ_FILLERS[] = {
	"来电人希望卫生健康部门尽快调查。", "来电人的家属目前还在住院。", "来电人已经向医院医务科反映过。",
	"来电人要求医院给出书面答复。",
};
static const char *const WJ_RESULTS[] = {
	"已责成医院进行调查，并对相关医务人员进行批评教育。", "已向来电人详细解释相关政策。",
	"医院已与患者家属沟通，双方达成一致意见。", "经调查，医院诊疗行为符合规范。",
	"已建议来电人通过医疗纠纷调解委员会解决。", "卫生监督人员已进行现场检查，责令整改。",
};
static const char *const WJ_SATIS[] = {"满意", "基本满意", "不满意"};
static const int WJ_SATIS_W[] = {700, 200, 100};

static void wj_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "%02d%02d%02d0937%08d", tm.y % 100, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc WJ12320 = {
	.code = "wj12320", .hotline = "12320", .dept = "卫生健康部门",
	.y0 = 2017, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = WJ_CATS, .ncats = EM_ARRLEN(WJ_CATS),
	.unmapped = WJ_UNMAPPED, .nunmapped = EM_ARRLEN(WJ_UNMAPPED),
	.units = WJ_UNITS, .nunits = EM_ARRLEN(WJ_UNITS),
	.rtypes = WJ_RTYPES, .rtype_w = WJ_RTYPE_W, .nrtypes = EM_ARRLEN(WJ_RTYPES),
	.fillers = WJ_FILLERS, .nfillers = EM_ARRLEN(WJ_FILLERS),
	.results = WJ_RESULTS, .nresults = EM_ARRLEN(WJ_RESULTS),
	.companies = WJ_HOSPITALS, .ncompanies = EM_ARRLEN(WJ_HOSPITALS),
	.status = {"已受理", "已转办", "办理中", "已答复", "已办结", "已归档", "无效件"},
	.satis = WJ_SATIS, .satis_w = WJ_SATIS_W, .nsatis = EM_ARRLEN(WJ_SATIS), .ppm_no_satis = 150000,
	.satis_none = "未评价",
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.fault_loads = 1u << EM_F_ZERO_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 500, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 100, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LAND_NODASH] = 50, [EM_PH_LOCAL] = 100, [EM_PH_NULL] = 50}},
	.ids = {{[EM_ID_NULL] = 100, [EM_ID_PLAIN] = 750, [EM_ID_FULLWIDTH] = 80, [EM_ID_BADCHECK] = 40,
		 [EM_ID_OLD15] = 30}},
	.make_id = wj_id,
};

static void gen_wj12320(const char *dir)
{
	static struct em_sys s;
	struct pgcopy cp = {0};
	struct em_buf b = {0};
	char db[80], ts[32];
	PGconn *c;
	uint64_t n_zero = 0, n_gbk3 = 0;

	sys_begin(&s, &WJ12320, dir, "rx_gdxx");
	db_name("wj12320", db, sizeof(db));
	c = pg_recreate(db, "SQL_ASCII");
	pg_exec(c, "CREATE TABLE rx_gdxx (\n"
		   "  xh integer PRIMARY KEY,         -- 序号\n"
		   "  gdh varchar(18) NOT NULL,       -- 工单号: YYMMDD0937 + 8 digits\n"
		   "  slsj varchar(19),               -- 受理时间, as text (0000-00-00 00:00:00 happens)\n"
		   "  ly varchar(16),                 -- 来源\n"
		   "  hzxm varchar(40), lxdh varchar(40), bydh varchar(40), sfzh varchar(40),\n"
		   "  zz varchar(200), zy varchar(200), nr text,\n"
		   "  lb varchar(8), lbmc varchar(50), xz varchar(8), zt varchar(16), zbdw varchar(100),\n"
		   "  bjsj varchar(19), dfnr text, myd varchar(8),\n"
		   "  gxsj timestamp(0) NOT NULL)");
	pg_exec(c, "BEGIN");
	copy_begin(&cp, c, "COPY rx_gdxx FROM STDIN");
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		static const char *const LY[] = {"电话", "电话", "电话", "电话", "电话", "电话", "电话", "电话", "网站", "信件"};
		const struct em_text *tx[] = {&o->f[EF_NAME], &o->phone[0].raw, &o->phone[1].raw, &o->idno.raw,
					      &o->f[EF_ADDR], &o->f[EF_TITLE]};
		const char *myd = o->satis >= 0 ? WJ_SATIS[o->satis]
				  : (o->stage == EM_ST_CLOSED || o->stage == EM_ST_ARCHIVED) ? WJ12320.satis_none
											       : NULL;

		copy_u64(&cp, slot + 1);
		copy_str(&cp, o->legacy_id);
		n_zero += o->fault == EM_F_ZERO_DATE;
		n_gbk3 += em_utf8_chars(WJ12320.status[o->stage], strlen(WJ12320.status[o->stage])) == 3;
		if (o->fault == EM_F_ZERO_DATE)
			copy_str(&cp, "0000-00-00 00:00:00");
		else if (o->fault == EM_F_INVALID_DATE)
			fmt_invalid(o, ts), copy_str(&cp, ts);
		else
			copy_time(&cp, o->t, false);
		{
			struct em_text t;

			em_t_set(&t, LY[o->var % EM_ARRLEN(LY)]);
			enc(&b, &t, true, false);
			copy_buf(&cp, &b, false);
		}
		for (size_t i = 0; i < EM_ARRLEN(tx); i++) {
			enc(&b, tx[i], true, true);
			copy_buf(&cp, &b, tx[i]->null);
		}
		if (o->fault == EM_F_UNDECODABLE)
			enc_bad_content(&b, o);
		else
			enc(&b, &o->f[EF_CONTENT], true, false);
		copy_buf(&cp, &b, false);
		copy_str(&cp, o->cat_code);
		{
			struct em_text t;

			em_t_set(&t, em_cat_name(&s, o));
			enc(&b, &t, true, false);
			copy_buf(&cp, &b, false);
			enc(&b, &o->f[EF_RTYPE], true, false);
			copy_buf(&cp, &b, false);
			em_t_set(&t, WJ12320.status[o->stage]);
			enc(&b, &t, true, false);
			copy_buf(&cp, &b, false);
		}
		enc(&b, &o->f[EF_UNIT], true, false);
		copy_buf(&cp, &b, o->f[EF_UNIT].null);
		copy_time(&cp, o->t_closed, o->t_closed == 0);
		enc(&b, &o->f[EF_REPLY], true, false);
		copy_buf(&cp, &b, o->f[EF_REPLY].null);
		if (myd) {
			struct em_text t;

			em_t_set(&t, myd);
			enc(&b, &t, true, false);
			copy_buf(&cp, &b, false);
		} else {
			copy_str(&cp, NULL);
		}
		copy_time(&cp, o->t_updated, false);
		copy_row_end(&cp);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (o->fault == EM_F_ZERO_DATE) {
			em_fx_fix(&fx, "zero_date");
			fx.received_null = true;
		}
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
	}
	copy_end(&cp);
	pg_exec(c, "COMMIT");
	{
		/* what was stored is what was meant: rows, zero dates, GBK bytes */
		char *n = pg_value(c, "SELECT count(*) FROM rx_gdxx");
		char *z = pg_value(c, "SELECT count(*) FROM rx_gdxx WHERE slsj = '0000-00-00 00:00:00'");
		char *h = pg_value(c, "SELECT count(*) FROM rx_gdxx WHERE octet_length(zt) = 6");

		if (strtoull(n, NULL, 10) != g_scale || strtoull(z, NULL, 10) != n_zero ||
		    strtoull(h, NULL, 10) != n_gbk3)
			em_die("wj12320: stored %s rows, %s zero dates, %s three-character statuses; meant %llu, %llu, %llu",
			       n, z, h, (unsigned long long)g_scale, (unsigned long long)n_zero,
			       (unsigned long long)n_gbk3);
		free(n);
		free(z);
		free(h);
	}
	PQfinish(c);
	em_buf_free(&b);
	em_buf_free(&cp.b);
	sys_end(&s, dir);
}

/* ================================================================== */
/* yz12305 邮政业用户申诉热线: SQLite through ODBC, subcenter             */
/* ================================================================== */
static const char *const YZ_COMPANIES[] = {
	"中国邮政", "顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "京东物流", "极兔速递",
};
static const struct em_catdef YZ_CATS[] = {
	{"YZ01", NULL, 14, {"在{C}寄的快件已经{N}天了还没有送到，物流信息一直不更新。", "网购的{G}由{C}配送，已超过承诺时限{N}天。", NULL}},
	{"YZ02", NULL, 8, {"{C}的快件丢失了，里面是价值{M}元的{G}，快递公司只愿意按运费赔偿。", "收到的包裹外包装完好，但里面的{G}少了一件。", NULL}},
	{"YZ03", NULL, 6, {"收到{C}送来的{G}外包装破损，物品已经损坏。", NULL, NULL}},
	{"YZ04", NULL, 10, {"{C}的快递员不送货上门，直接放在驿站也不通知。", "快递员未经同意把快件放进{K}门口的快递柜，取件还要收费。", NULL}},
	{"YZ05", NULL, 3, {"{C}寄件时收费比网上查询的标准高。", NULL, NULL}},
	{"YZ06", NULL, 2, {"{C}收寄快件时不验视、不实名登记。", NULL, NULL}},
	{"YZ07", NULL, 3, {"{K}的报刊投递经常延误。", "咨询邮政网点的营业时间。", NULL}},
	{"YZ08", NULL, 2, {"感谢{C}快递员的耐心服务。", NULL, NULL}},
	{"YZ09", NULL, 3, {"咨询禁止寄递物品的规定。", NULL, NULL}},
};
static const struct em_unmapped YZ_UNMAPPED[] = {{"YZ00", "其他申诉", NULL}, {"ZX", "咨询（旧版）", NULL}};
static const char *const YZ_UNITS[] = {
	"中国邮政集团嘉峪关市分公司", "嘉峪关邮政分公司", "邮政公司", "顺丰速运嘉峪关营业部", "顺丰速运",
	"中通快递嘉峪关分部", "中通快递", "圆通速递嘉峪关公司", "韵达快递", "京东物流嘉峪关站", "极兔速递",
	"市邮政管理局",
};
static const char *const YZ_RTYPES[] = {"投诉", "咨询", "建议", "表扬"};
static const char *const YZ_RTYPE_LEGACY[] = {"申诉", "咨询", "建议", "表扬"};
static const int YZ_RTYPE_W[] = {700, 200, 60, 40};
static const char *const YZ_FILLERS[] = {
	"来电人已经联系过快递公司客服，没有得到解决。", "快递单号来电人已经提供。", "来电人要求快递公司赔偿损失。",
};
static const char *const YZ_RESULTS[] = {
	"经调解，快递企业同意赔偿用户{M}元。", "快递企业已向用户道歉，并重新派送。", "已责令快递企业规范投递服务。",
	"经核实，快件已妥投，已向用户说明情况。", "用户与企业协商未果，已告知用户可依法通过诉讼解决。",
};
static const char *const YZ_SATIS[] = {"5", "4", "3", "2", "1"};
static const int YZ_SATIS_W[] = {450, 300, 120, 80, 50};

static void yz_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "YZ%04d%02d%02d%06d", tm.y, tm.mo, tm.d, s->seq_day);
	if (o->var % 100 < 5) /* a sub-order of a split complaint */
		snprintf(out + strlen(out), cap - strlen(out), "-%02u", o->var / 100 % 3 + 1);
}

static const struct em_desc YZ12305 = {
	.code = "yz12305", .hotline = "12305", .dept = "邮政管理部门",
	.y0 = 2018, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = YZ_CATS, .ncats = EM_ARRLEN(YZ_CATS),
	.unmapped = YZ_UNMAPPED, .nunmapped = EM_ARRLEN(YZ_UNMAPPED),
	.units = YZ_UNITS, .nunits = EM_ARRLEN(YZ_UNITS),
	.rtypes = YZ_RTYPES, .rtype_w = YZ_RTYPE_W, .nrtypes = EM_ARRLEN(YZ_RTYPES),
	.fillers = YZ_FILLERS, .nfillers = EM_ARRLEN(YZ_FILLERS),
	.results = YZ_RESULTS, .nresults = EM_ARRLEN(YZ_RESULTS),
	.companies = YZ_COMPANIES, .ncompanies = EM_ARRLEN(YZ_COMPANIES),
	.status = {"new", "assigned", "processing", "replied", "closed", "archived", "rejected"},
	.satis = YZ_SATIS, .satis_w = YZ_SATIS_W, .nsatis = EM_ARRLEN(YZ_SATIS), .ppm_no_satis = 200000,
	.fault_ppm = {[EM_F_ZERO_DATE] = 5000, [EM_F_INVALID_DATE] = 5000, [EM_F_GARBLED_DATE] = 5000,
		      [EM_F_UNDECODABLE] = 3000},
	.fault_loads = (1u << EM_F_ZERO_DATE) | (1u << EM_F_INVALID_DATE) | (1u << EM_F_GARBLED_DATE),
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 600, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 100, [EM_PH_LAND_DASH] = 60,
		    [EM_PH_LOCAL] = 60, [EM_PH_NULL] = 60, [EM_PH_SHORT] = 20}},
	.ids = {{[EM_ID_NULL] = 400, [EM_ID_PLAIN] = 500, [EM_ID_FULLWIDTH] = 50, [EM_ID_BADCHECK] = 50}},
	.make_id = yz_id,
};

/* the desk application wrote dates in whatever format the screen had */
static void yz_date(char *out, size_t cap, int y, int mo, int d, int h, int mi, int s, uint32_t var)
{
	switch (var % 20) {
	case 10: case 11: case 12: case 13: case 14:
		snprintf(out, cap, "%d/%d/%d %d:%02d", y, mo, d, h, mi);
		break;
	case 15: case 16: case 17:
		snprintf(out, cap, "%d年%d月%d日 %d时%02d分", y, mo, d, h, mi);
		break;
	case 18: case 19:
		snprintf(out, cap, "%04d%02d%02d%02d%02d%02d", y, mo, d, h, mi, s);
		break;
	default:
		snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
		break;
	}
}

static void yz_time(char *out, size_t cap, int64_t t, uint32_t var)
{
	struct em_tm tm;

	em_tm(t, &tm);
	yz_date(out, cap, tm.y, tm.mo, tm.d, tm.h, tm.mi, tm.s, var);
}

struct kb_topic {
	const char *q, *a, *basis;
};
static const struct kb_topic YZ_KB[] = {
	{"快件延误如何处理？", "快件延误的，寄件人可以要求快递企业按照约定免除或者退还部分、全部运费。\n延误超过时限仍未投递的，可按丢失处理。", "《快递市场管理办法》第二十七条"},
	{"快件丢失如何赔偿？", "快件丢失、损毁、短少的，保价快件按照保价金额赔偿；未保价的，按照民事法律的有关规定确定赔偿责任。", "《快递暂行条例》第二十七条"},
	{"哪些物品禁止寄递？", "枪支弹药、管制器具、易燃易爆物品、毒品等禁止寄递，具体见《禁止寄递物品管理规定》。", "《禁止寄递物品管理规定》"},
	{"快递员能否不经同意把快件放进快递柜？", "快递企业应当将快件投递到约定的收件地址；需要使用智能快件箱投递的，应当征得收件人同意。", "《快递市场管理办法》第三十三条"},
	{"寄件是否需要实名？", "寄件人交寄快件时应当出示有效身份证件，快递企业应当查验并登记寄件人身份信息。", "《快递暂行条例》第二十二条"},
	{"对处理结果不满意怎么办？", "用户对快递企业的处理结果不满意的，可以拨打12305或者登录国家邮政局申诉网站申诉。", "《邮政业用户申诉处理办法》"},
	{"邮政普遍服务包括哪些业务？", "邮政普遍服务包括信件、单件重量不超过五千克的印刷品、单件重量不超过十千克的包裹的寄递以及邮政汇兑服务。", "《中华人民共和国邮政法》第十五条"},
	{"收件时发现物品破损怎么办？", "收件人可以当面验收，发现破损的应当场告知快递员并要求记录，再按规定申请赔偿。", "《快递服务》国家标准 GB/T 27917"},
};
static const char *const YZ_KB_DEPTS[] = {"市邮政管理局", "嘉峪关市邮政管理局", "邮政管理局市场监管科"};

static void yz_kb(struct sqlite *q, struct em_table *t, uint64_t nkb)
{
	struct em_rng r;
	struct {
		char zsbh[32], bt[256], ksrq[64], jsrq[64];
		const struct kb_topic *tp;
		const char *dept;
		int64_t from, to;
		bool bad, to_null;
		uint32_t var;
	} a, last[4];
	size_t nlast = 0;
	uint64_t id = 0;

	em_rng_seed(&r, g_seed, "yz12305/kb");
	for (uint64_t i = 0; i < nkb; i++) {
		struct em_fx fx;
		bool dup = nlast && i > 2 && em_chance(&r, 50000);
		char from[20], to[20];

		if (dup) {
			a = last[em_below(&r, (uint32_t)nlast)];
		} else {
			a.tp = &YZ_KB[i % EM_ARRLEN(YZ_KB)];
			a.dept = EM_PICK(&r, YZ_KB_DEPTS);
			snprintf(a.zsbh, sizeof(a.zsbh), "ZSK%05llu", (unsigned long long)i + 1);
			if (i < EM_ARRLEN(YZ_KB))
				snprintf(a.bt, sizeof(a.bt), "%s", a.tp->q);
			else
				snprintf(a.bt, sizeof(a.bt), "%s（第%llu版）", a.tp->q,
					 (unsigned long long)(i / EM_ARRLEN(YZ_KB) + 1));
			a.from = em_time(2018, 1, 1, 0, 0, 0) + (int64_t)em_below(&r, 7 * 365) * 86400;
			a.to = a.from + (int64_t)em_range(&r, 365, 3 * 365) * 86400;
			a.to_null = em_below(&r, 100) < 60;
			a.bad = i == 1 || em_chance(&r, 50000);
			a.var = (uint32_t)(em_rnd64(&r) >> 32);
			yz_time(a.ksrq, sizeof(a.ksrq), a.from, a.var);
			if (a.bad) /* a day that does not exist, in the same format */
			{
				struct em_tm tm;

				em_tm(a.from, &tm);
				yz_date(a.ksrq, sizeof(a.ksrq), tm.y, 2, 30, 0, 0, 0, a.var);
			}
			yz_time(a.jsrq, sizeof(a.jsrq), a.to, a.var >> 8);
			if (nlast < EM_ARRLEN(last))
				last[nlast++] = a;
			else
				last[em_below(&r, (uint32_t)nlast)] = a;
		}
		fprintf(q->f, "INSERT INTO zsk VALUES (%llu,", (unsigned long long)++id);
		sql_str(q->f, a.zsbh);
		fputc(',', q->f);
		sql_str(q->f, a.bt);
		fputc(',', q->f);
		sql_str(q->f, a.tp->q);
		fputc(',', q->f);
		sql_str(q->f, a.tp->a);
		fputc(',', q->f);
		sql_str(q->f, a.dept);
		fputc(',', q->f);
		sql_str(q->f, a.tp->basis);
		fputc(',', q->f);
		sql_str(q->f, a.ksrq);
		fputc(',', q->f);
		sql_str(q->f, a.to_null ? NULL : a.jsrq);
		fputs(");\n", q->f);

		em_fx_init(&fx);
		if (a.bad)
			em_fx_fix(&fx, "invalid_date_null");
		if (!em_account_row(t, &fx, dup))
			continue;
		em_fmt_iso(a.from - a.from % 86400, from);
		em_fmt_iso(a.to - a.to % 86400, to);
		/* formats without seconds lose nothing here: articles start at midnight */
		em_tsv(t, a.zsbh, "title", a.bt, strlen(a.bt), false);
		em_tsv(t, a.zsbh, "question", a.tp->q, strlen(a.tp->q), false);
		em_tsv(t, a.zsbh, "answer", a.tp->a, strlen(a.tp->a), false);
		em_tsv(t, a.zsbh, "department", a.dept, strlen(a.dept), false);
		em_tsv(t, a.zsbh, "policy_basis", a.tp->basis, strlen(a.tp->basis), false);
		em_tsv(t, a.zsbh, "valid_from", from, 19, a.bad);
		em_tsv(t, a.zsbh, "valid_to", to, 19, a.to_null);
	}
}

static void gen_yz12305(const char *dir)
{
	static struct em_sys s;
	struct sqlite q;
	char path[4096], d1[64], d2[64], u[20];
	struct em_buf b = {0};
	struct em_table *kb;

	sys_begin(&s, &YZ12305, dir, "ss_gd");
	check_codes("yz12305", "request_types.csv", YZ_RTYPE_LEGACY, YZ_RTYPES, EM_ARRLEN(YZ_RTYPES));
	kb = em_table_add(&s.truth, "zsk", "kb_article", dir, "intended_kb.tsv");
	path_join(path, sizeof(path), dir, "yz12305.db");
	sqlite_open(&q, path);
	fputs("PRAGMA journal_mode = OFF;\nBEGIN;\n"
	      "CREATE TABLE ss_gd (         -- 申诉工单\n"
	      "  id INTEGER PRIMARY KEY, ssbh TEXT NOT NULL, sssj TEXT, ssr TEXT, sjhm TEXT, lxdh TEXT,\n"
	      "  zjhm TEXT, dz TEXT, bt TEXT, nr TEXT, lb TEXT, lbmc TEXT, sslx TEXT, qymc TEXT, zt TEXT,\n"
	      "  jasj TEXT, clyj TEXT, myd INTEGER, gxsj TEXT);\n"
	      "CREATE TABLE zsk (           -- 知识库\n"
	      "  id INTEGER PRIMARY KEY, zsbh TEXT NOT NULL, bt TEXT, wt TEXT, da TEXT, bm TEXT, yj TEXT,\n"
	      "  ksrq TEXT, jsrq TEXT);\n",
	      q.f);
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;

		if (o->fault == EM_F_ZERO_DATE) {
			snprintf(d1, sizeof(d1), "0000-00-00 00:00:00");
		} else if (o->fault == EM_F_INVALID_DATE) {
			struct em_tm tm;

			em_tm(o->t, &tm);
			yz_date(d1, sizeof(d1), tm.y, o->inv_m, o->inv_d, tm.h, tm.mi, tm.s, o->var);
		} else if (o->fault == EM_F_GARBLED_DATE) {
			static const char *const G[] = {"不详", "待补录", "见附件"};

			snprintf(d1, sizeof(d1), "%s", G[o->var % 3]);
		} else {
			yz_time(d1, sizeof(d1), o->t, o->var);
		}
		yz_time(d2, sizeof(d2), o->t_closed, o->var);
		em_fmt_iso(o->t_updated, u);
		fprintf(q.f, "INSERT INTO ss_gd VALUES (%llu,", (unsigned long long)slot + 1);
		sql_str(q.f, o->legacy_id);
		fputc(',', q.f);
		sql_str(q.f, d1);
		fputc(',', q.f);
		sql_text(q.f, o->f[EF_NAME].s, o->f[EF_NAME].len, o->f[EF_NAME].null);
		fputc(',', q.f);
		sql_text(q.f, o->phone[0].raw.s, o->phone[0].raw.len, o->phone[0].raw.null);
		fputc(',', q.f);
		sql_text(q.f, o->phone[1].raw.s, o->phone[1].raw.len, o->phone[1].raw.null);
		fputc(',', q.f);
		sql_text(q.f, o->idno.raw.s, o->idno.raw.len, o->idno.raw.null);
		fputc(',', q.f);
		sql_text(q.f, o->f[EF_ADDR].s, o->f[EF_ADDR].len, o->f[EF_ADDR].null);
		fputc(',', q.f);
		sql_text(q.f, o->f[EF_TITLE].s, o->f[EF_TITLE].len, o->f[EF_TITLE].null);
		fputc(',', q.f);
		if (o->fault == EM_F_UNDECODABLE) {
			/* pasted from a GBK document: not UTF-8 */
			b.len = 0;
			if (!em_to_gbk(o->f[EF_CONTENT].s, o->f[EF_CONTENT].len, &b, false))
				em_die("internal: not GBK");
			if (em_utf8_valid(b.p, b.len))
				em_buf_adds(&b, "\xFF");
			sql_text(q.f, b.p, b.len, false);
		} else {
			sql_text(q.f, o->f[EF_CONTENT].s, o->f[EF_CONTENT].len, false);
		}
		fputc(',', q.f);
		sql_str(q.f, o->cat_code);
		fputc(',', q.f);
		sql_str(q.f, em_cat_name(&s, o));
		fputc(',', q.f);
		sql_str(q.f, YZ_RTYPE_LEGACY[o->rtype]);
		fputc(',', q.f);
		sql_text(q.f, o->f[EF_UNIT].s, o->f[EF_UNIT].len, o->f[EF_UNIT].null);
		fputc(',', q.f);
		sql_str(q.f, YZ12305.status[o->stage]);
		fputc(',', q.f);
		sql_str(q.f, o->t_closed ? d2 : NULL);
		fputc(',', q.f);
		sql_text(q.f, o->f[EF_REPLY].s, o->f[EF_REPLY].len, o->f[EF_REPLY].null);
		fprintf(q.f, ",%s,", o->satis >= 0 ? YZ_SATIS[o->satis] : "NULL");
		sql_str(q.f, u);
		fputs(");\n", q.f);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_ZERO_DATE) {
			em_fx_fix(&fx, "zero_date");
			fx.received_null = true;
		}
		if (o->fault == EM_F_INVALID_DATE || o->fault == EM_F_GARBLED_DATE) {
			em_fx_fix(&fx, "invalid_date_null");
			fx.received_null = true;
		}
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
	}
	yz_kb(&q, kb, g_scale / 10 + EM_ARRLEN(YZ_KB));
	fputs("COMMIT;\n", q.f);
	sqlite_close(&q);
	em_buf_free(&b);
	sys_end(&s, dir);
}

/* ================================================================== */
/* sw12312 商务举报投诉热线: GBK CSV by Excel, in a zip, merge mode       */
/* ================================================================== */
static const struct em_catdef SW_CATS[] = {
	{"SW01", NULL, 12, {"在{S}办理预付卡充值{M}元，现在商家停业无法退款。", "{S}单方面改变预付卡的使用规则。", NULL}},
	{"SW02", NULL, 12, {"在{S}购买的{G}出现质量问题，商家拒绝退换。", "{S}以特价商品为由拒绝退换{G}。", NULL}},
	{"SW03", NULL, 4, {"{R}的加油站油品质量差，加油后车辆出现故障。", "有人在{R}附近流动销售散装汽油。", NULL}},
	{"SW04", NULL, 3, {"{S}销售来源不明的散装白酒。", NULL, NULL}},
	{"SW05", NULL, 5, {"{S}上门维修{G}乱收费，收了{M}元维修费。", NULL, NULL}},
	{"SW06", NULL, 2, {"{R}附近有人非法拆解报废汽车。", NULL, NULL}},
	{"SW07", NULL, 5, {"{R}农贸市场环境脏乱，摊位费上涨。", "{K}附近没有便民超市，买菜很不方便。", NULL}},
	{"SW08", NULL, 2, {"典当行的利息和综合费用过高。", NULL, NULL}},
	{"SW09", NULL, 2, {"咨询外贸企业备案登记的办理流程。", NULL, NULL}},
	{"SW10", NULL, 3, {"咨询商务领域的相关政策。", NULL, NULL}},
};
static const struct em_unmapped SW_UNMAPPED[] = {
	{"SW99", "其他（旧）", NULL}, {"商务", "商务类", NULL}, {"SW2", "商品退换", NULL},
};
static const char *const SW_UNITS[] = {
	"嘉峪关市商务局", "市商务局", "商务局", "市商务局市场运行科", "市商务综合行政执法大队", "市市场监管局",
	"雄关街道办事处", "钢城街道办事处",
};
static const char *const SW_RTYPES[] = {"投诉", "举报", "咨询", "建议", "表扬", "其他"};
static const int SW_RTYPE_W[] = {500, 150, 200, 80, 20, 50};
static const char *const SW_FILLERS[] = {
	"来电人要求商家全额退款。", "来电人称商家已经更换了法人。", "来电人手中有充值凭证。",
};
static const char *const SW_RESULTS[] = {
	"经调解，商家同意退还预付卡余额。", "已约谈经营者，责令其履行承诺。", "已联合市场监管部门进行检查。",
	"经核实，该企业已注销，已告知来电人通过法律途径维权。", "经调解，双方达成和解。",
};
static const char *const SW_SATIS[] = {"满意", "基本满意", "不满意"};
static const int SW_SATIS_W[] = {650, 250, 100};

static void sw_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "12312%04d%06d", tm.y, s->seq_year);
}

static const struct em_desc SW12312 = {
	.code = "sw12312", .hotline = "12312", .dept = "商务部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = SW_CATS, .ncats = EM_ARRLEN(SW_CATS),
	.unmapped = SW_UNMAPPED, .nunmapped = EM_ARRLEN(SW_UNMAPPED),
	.units = SW_UNITS, .nunits = EM_ARRLEN(SW_UNITS),
	.rtypes = SW_RTYPES, .rtype_w = SW_RTYPE_W, .nrtypes = EM_ARRLEN(SW_RTYPES),
	.fillers = SW_FILLERS, .nfillers = EM_ARRLEN(SW_FILLERS),
	.results = SW_RESULTS, .nresults = EM_ARRLEN(SW_RESULTS),
	.status = {"已受理", "已转办", "处理中", "已答复", "已办结", "已归档", "不予受理"},
	.satis = SW_SATIS, .satis_w = SW_SATIS_W, .nsatis = EM_ARRLEN(SW_SATIS), .ppm_no_satis = 200000,
	.satis_none = "",
	.fault_ppm = {[EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.ppm_dup = 15000, .ppm_unmapped = 20000, .ppm_test = 3000,
	.phones = {{[EM_PH_PLAIN] = 600, [EM_PH_FULLWIDTH] = 80, [EM_PH_FORMATTED] = 60, [EM_PH_LAND_DASH] = 120,
		    [EM_PH_EXCEL_ZERO] = 40, [EM_PH_LOCAL] = 60, [EM_PH_NULL] = 40}},
	.ids = {{[EM_ID_NULL] = 300, [EM_ID_PLAIN] = 520, [EM_ID_FULLWIDTH] = 40, [EM_ID_BADCHECK] = 40,
		 [EM_ID_EXCEL_SCI] = 100}},
	.null_is_empty = true,
	.cross_cat = "SW02",
	.make_id = sw_id,
};

static void excel_time(char *out, size_t cap, int64_t t)
{
	struct em_tm tm;

	em_tm(t, &tm);
	snprintf(out, cap, "%d/%d/%d %d:%02d", tm.y, tm.mo, tm.d, tm.h, tm.mi);
}

struct member_list {
	char *names[64];
	size_t n;
};

static void gen_sw12312(const char *dir)
{
	static struct em_sys s;
	static const char *const HDR[] = {"工单编号", "受理时间", "来电人", "来电号码", "联系电话", "身份证号",
					  "事发地址", "标题", "诉求内容", "诉求类型", "问题分类", "分类名称",
					  "办理状态", "承办单位", "办结时间", "办理结果", "满意度"};
	char stage[4096], zip[4096], t1[64], t2[64];
	struct em_buf line = {0}, b = {0}, hdr = {0};
	struct member_list ml = {0};
	FILE *f = NULL, *xf = cross_open(dir);
	int year = -1;

	sys_begin(&s, &SW12312, dir, "*.zip");
	em_sys_cross(&s, g_cross, g_ncross);
	path_join(stage, sizeof(stage), dir, ".stage");
	em_mkdir_p(stage);
	for (size_t i = 0; i < EM_ARRLEN(HDR); i++) {
		struct em_text t;

		em_t_set(&t, HDR[i]);
		enc(&b, &t, true, false);
		csv_field(&hdr, b.p, b.len, i == 0);
	}
	em_buf_adds(&hdr, "\r\n");
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		struct em_tm tm;
		const struct em_text *tx[] = {&o->f[EF_NAME], &o->phone[0].raw, &o->phone[1].raw, &o->idno.raw,
					      &o->f[EF_ADDR], &o->f[EF_TITLE]};

		em_tm(o->t, &tm);
		if (!o->dup && tm.y != year) { /* one export per year */
			struct em_text nm;
			struct em_buf gname = {0};

			if (f && fclose(f))
				em_die("cannot write a CSV export");
			year = tm.y;
			em_t_reset(&nm);
			em_t_addf(&nm, "商务举报投诉工单%d.csv", year);
			if (!em_to_gbk(nm.s, nm.len, &gname, false))
				em_die("internal");
			if (ml.n == EM_ARRLEN(ml.names))
				em_die("internal: too many exports");
			ml.names[ml.n++] = gname.p;
			f = em_fopen(stage, gname.p, "wb");
			fwrite(hdr.p, 1, hdr.len, f);
		}
		line.len = 0;
		csv_field(&line, o->legacy_id, strlen(o->legacy_id), true);
		if (o->fault == EM_F_INVALID_DATE)
			snprintf(t1, sizeof(t1), "%d/%d/%d %d:%02d", tm.y, o->inv_m, o->inv_d, tm.h, tm.mi);
		else
			excel_time(t1, sizeof(t1), o->t);
		csv_field(&line, t1, strlen(t1), false);
		for (size_t i = 0; i < EM_ARRLEN(tx); i++) {
			enc(&b, tx[i], true, false);
			csv_field(&line, b.p, b.len, false);
		}
		if (o->fault == EM_F_UNDECODABLE)
			enc_bad_content(&b, o);
		else
			enc(&b, &o->f[EF_CONTENT], true, false);
		csv_field(&line, b.p, b.len, false);
		enc(&b, &o->f[EF_RTYPE], true, false);
		csv_field(&line, b.p, b.len, false);
		{
			struct em_text t;

			em_t_set(&t, o->cat_code);
			enc(&b, &t, true, false);
			csv_field(&line, b.p, b.len, false);
			em_t_set(&t, em_cat_name(&s, o));
			enc(&b, &t, true, false);
			csv_field(&line, b.p, b.len, false);
			em_t_set(&t, SW12312.status[o->stage]);
			enc(&b, &t, true, false);
			csv_field(&line, b.p, b.len, false);
		}
		enc(&b, &o->f[EF_UNIT], true, false);
		csv_field(&line, b.p, b.len, false);
		if (o->t_closed)
			excel_time(t2, sizeof(t2), o->t_closed);
		else
			t2[0] = 0;
		csv_field(&line, t2, strlen(t2), false);
		enc(&b, &o->f[EF_REPLY], true, false);
		csv_field(&line, b.p, b.len, false);
		if (o->satis >= 0) {
			struct em_text t;

			em_t_set(&t, SW_SATIS[o->satis]);
			enc(&b, &t, true, false);
			csv_field(&line, b.p, b.len, false);
		} else {
			csv_field(&line, "", 0, false);
		}
		em_buf_adds(&line, "\r\n");
		fwrite(line.p, 1, line.len, f);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (!o->t_closed)
			fx_blank_date(&fx);
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
		if (o->cross)
			cross_line(xf, o);
	}
	if (f && fclose(f))
		em_die("cannot write a CSV export");
	path_join(zip, sizeof(zip), dir, "sw12312-export.zip");
	zip_files(stage, ml.names, ml.n, zip);
	rm_rf_flat(stage, ml.names, ml.n);
	for (size_t i = 0; i < ml.n; i++)
		free(ml.names[i]);
	if (fclose(xf))
		em_die("cannot write cross.tsv");
	em_buf_free(&line);
	em_buf_free(&b);
	em_buf_free(&hdr);
	sys_end(&s, dir);
}

/* ================================================================== */
/* zr12336 国土资源热线: xlsx per year in a zip with CP936 names, merge   */
/* ================================================================== */
static const struct em_catdef ZR_CATS[] = {
	{"ZR01", NULL, 8, {"{R}附近有人非法占用耕地建房。", "{K}旁边的空地被人圈占，堆放建筑材料。", NULL}},
	{"ZR02", NULL, 12, {"办理不动产登记证已经等了{N}天还没有拿到。", "咨询二手房过户需要的材料和费用。", NULL}},
	{"ZR03", NULL, 3, {"有人在{R}附近河道私自挖砂采石。", "文殊镇附近有非法采矿点，夜间施工。", NULL}},
	{"ZR04", NULL, 3, {"{K}后面的山体有滑坡迹象，居民很担心。", "雨后{R}路边出现地面塌陷。", NULL}},
	{"ZR05", NULL, 2, {"咨询房屋面积测绘的收费标准。", NULL, NULL}},
	{"ZR06", NULL, 5, {"{K}旁边新建的楼房违反规划，遮挡采光。", "咨询{R}片区的规划调整情况。", NULL}},
	{"ZR07", NULL, 2, {"有人在{R}附近砍伐树木。", NULL, NULL}},
	{"ZR08", NULL, 3, {"咨询自然资源方面的政策规定。", NULL, NULL}},
};
static const struct em_unmapped ZR_UNMAPPED[] = {{"ZR99", "其他", NULL}, {"GT03", "国土（旧）", NULL}};
static const char *const ZR_UNITS[] = {
	"嘉峪关市自然资源局", "市自然资源局", "自然资源局", "市国土资源局", "市自然资源局不动产登记中心",
	"市不动产登记中心", "市自然资源执法监察支队", "市规划勘测设计院", "文殊镇人民政府", "峪泉镇人民政府",
	"新城镇人民政府",
};
static const char *const ZR_RTYPES[] = {"投诉", "举报", "咨询", "求助", "建议", "其他"};
static const int ZR_RTYPE_W[] = {250, 250, 300, 80, 80, 40};
static const char *const ZR_FILLERS[] = {
	"来电人称已向村委会反映过。", "来电人可以提供现场照片。", "来电人要求尽快给出答复。",
};
static const char *const ZR_RESULTS[] = {
	"执法人员已到现场核查，责令当事人停止违法行为。", "已向来电人解释不动产登记的办理流程和时限。",
	"经核查，该建设项目手续齐全。", "已通知属地镇政府加强巡查。", "已组织专业人员进行地质灾害隐患排查。",
};
static const char *const ZR_SATIS[] = {"满意", "基本满意", "不满意"};
static const int ZR_SATIS_W[] = {700, 200, 100};

static void zr_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "ZR%04d-%05d", tm.y, s->seq_year);
}

static const struct em_desc ZR12336 = {
	.code = "zr12336", .hotline = "12336", .dept = "自然资源部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = ZR_CATS, .ncats = EM_ARRLEN(ZR_CATS),
	.unmapped = ZR_UNMAPPED, .nunmapped = EM_ARRLEN(ZR_UNMAPPED),
	.units = ZR_UNITS, .nunits = EM_ARRLEN(ZR_UNITS),
	.rtypes = ZR_RTYPES, .rtype_w = ZR_RTYPE_W, .nrtypes = EM_ARRLEN(ZR_RTYPES),
	.fillers = ZR_FILLERS, .nfillers = EM_ARRLEN(ZR_FILLERS),
	.results = ZR_RESULTS, .nresults = EM_ARRLEN(ZR_RESULTS),
	.status = {"受理", "转办", "办理中", "已答复", "办结", "归档", "不予受理"},
	.satis = ZR_SATIS, .satis_w = ZR_SATIS_W, .nsatis = EM_ARRLEN(ZR_SATIS), .ppm_no_satis = 150000,
	.fault_ppm = {[EM_F_EXCEL_DATE] = 3000, [EM_F_INVALID_DATE] = 5000},
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 550, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 80, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LOCAL] = 80, [EM_PH_NULL] = 60, [EM_PH_WORD] = 30}},
	.ids = {{[EM_ID_NULL] = 200, [EM_ID_PLAIN] = 600, [EM_ID_FULLWIDTH] = 50, [EM_ID_BADCHECK] = 40,
		 [EM_ID_EXCEL_SCI] = 80}},
	.omit = (1u << EF_TITLE) | (1u << EF_CONTACT),
	.make_id = zr_id,
};

static void gen_zr12336(const char *dir)
{
	static struct em_sys s;
	static struct xlsx x;
	static const char *const HDR[] = {"序号", "工单编号", "来电时间", "来电人", "联系电话", "身份证号", "地址",
					  "反映内容", "问题类别", "类别名称", "诉求类型", "办理单位", "办理状态",
					  "办结日期", "答复内容", "满意度"};
	char stage[4096], zip[4096], xdir[4096], serial[32], txt[64], cur[4096] = "";
	struct member_list ml = {0}, utf8 = {0};
	int year = -1;
	unsigned seq = 0;

	sys_begin(&s, &ZR12336, dir, "*.xlsx");
	path_join(stage, sizeof(stage), dir, ".stage");
	path_join(xdir, sizeof(xdir), dir, "xlsx");
	em_mkdir_p(stage);
	for (uint64_t slot = 0; slot <= g_scale; slot++) {
		struct em_order *o = slot < g_scale ? em_sys_next(&s, slot) : NULL;
		struct em_fx fx;
		struct em_tm tm;
		char title[128];

		if (o)
			em_tm(o->t, &tm);
		if (!o || (!o->dup && tm.y != year)) { /* one workbook per year */
			struct em_text nm;
			struct em_buf gname = {0};

			if (year >= 0)
				xlsx_save(&x, cur, "工单台账");
			if (!o)
				break;
			year = tm.y;
			seq = 0;
			em_t_reset(&nm);
			em_t_addf(&nm, "国土资源热线工单%d年.xlsx", year);
			if (utf8.n == EM_ARRLEN(utf8.names))
				em_die("internal: too many workbooks");
			utf8.names[utf8.n++] = em_xstrdup(nm.s);
			if (!em_to_gbk(nm.s, nm.len, &gname, false))
				em_die("internal");
			if (ml.n == EM_ARRLEN(ml.names))
				em_die("internal: too many workbooks");
			ml.names[ml.n++] = gname.p;
			path_join(cur, sizeof(cur), stage, gname.p);
			x_row(&x);
			snprintf(title, sizeof(title), "嘉峪关市国土资源热线%d年工单台账", year);
			x_strs(&x, title);
			x_row(&x);
			for (size_t i = 0; i < EM_ARRLEN(HDR); i++)
				x_strs(&x, HDR[i]);
		}
		if (o->var % 97 == 0 && !o->dup) { /* a formatted but empty row: not a record */
			char ref[16];

			x_row(&x);
			x.col = 2;
			x_ref(&x, ref);
			em_buf_addf(&x.sheet, "<c r=\"%s\" s=\"2\"/>", ref);
		}
		x_row(&x);
		snprintf(txt, sizeof(txt), "%u", ++seq);
		x_num(&x, txt, 0);
		x_strs(&x, o->legacy_id);
		if (o->fault == EM_F_EXCEL_DATE) {
			x_num(&x, "60", 2);      /* 1900-02-29: a day Excel invented */
		} else if (o->fault == EM_F_INVALID_DATE) {
			snprintf(txt, sizeof(txt), "%d.%d.%d %d:%02d", tm.y, o->inv_m, o->inv_d, tm.h, tm.mi);
			x_strs(&x, txt);
		} else if (o->var % 20 == 3) {  /* typed as text by hand */
			snprintf(txt, sizeof(txt), "%d.%d.%d %d:%02d", tm.y, tm.mo, tm.d, tm.h, tm.mi);
			x_strs(&x, txt);
		} else if (o->var % 20 == 4) {
			snprintf(txt, sizeof(txt), "%d年%d月%d日", tm.y, tm.mo, tm.d);
			x_strs(&x, txt);
		} else {
			excel_serial(o->t, true, serial);
			x_num(&x, serial, 2);
		}
		x_text(&x, &o->f[EF_NAME]);
		if (o->phone[0].kind == EM_PH_PLAIN)
			x_num(&x, o->phone[0].raw.s, 0); /* a number cell */
		else
			x_text(&x, &o->phone[0].raw);
		if (o->idno.kind == EM_ID_EXCEL_SCI)
			x_num(&x, o->idno.raw.s, 0);
		else
			x_text(&x, &o->idno.raw);
		x_text(&x, &o->f[EF_ADDR]);
		x_text(&x, &o->f[EF_CONTENT]);
		x_strs(&x, o->cat_code);
		x_strs(&x, em_cat_name(&s, o));
		x_text(&x, &o->f[EF_RTYPE]);
		x_text(&x, &o->f[EF_UNIT]);
		x_strs(&x, ZR12336.status[o->stage]);
		if (o->t_closed) {
			excel_serial(o->t_closed, false, serial);
			x_num(&x, serial, 1);
		} else {
			x_skip(&x);
		}
		x_text(&x, &o->f[EF_REPLY]);
		if (o->satis >= 0)
			x_strs(&x, ZR_SATIS[o->satis]);

		em_fx_init(&fx);
		if (o->fault == EM_F_EXCEL_DATE)
			em_fx_reject(&fx, "extract.invalid_excel_date");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		fx_common(&s, o, &fx, false);
		em_account(&s, o, &fx);
	}
	path_join(zip, sizeof(zip), dir, "zr12336-workbooks.zip");
	zip_files(stage, ml.names, ml.n, zip);
	rm_rf_flat(stage, ml.names, ml.n);
	/*
	 * The xlsx source cannot read a workbook inside an archive (it needs to
	 * seek), so the handover zip is unpacked here, as the operator would,
	 * decoding the CP936 member names (Debian's unzip has no -O).
	 */
	unpack_cp936(zip, xdir, utf8.names, utf8.n);
	for (size_t i = 0; i < utf8.n; i++) {
		free(utf8.names[i]);
		free(ml.names[i]);
	}
	em_buf_free(&x.sheet);
	em_buf_free(&x.sst);
	sys_end(&s, dir);
}

/* ================================================================== */
/* mz12349 民政服务热线: FoxPro DBF (code page 0x7A) with memo, merge     */
/* ================================================================== */
static const struct em_catdef MZ_CATS[] = {
	{"MZ01", NULL, 12, {"家里{N}口人，收入很低，咨询如何申请城乡低保。", "低保金已经{N}个月没有发放。", NULL}},
	{"MZ02", NULL, 3, {"村里的五保老人没人照顾，希望纳入特困供养。", NULL, NULL}},
	{"MZ03", NULL, 4, {"家人突发重病花费{M}元，咨询临时救助。", NULL, NULL}},
	{"MZ04", NULL, 10, {"{K}的日间照料中心一直没有开放。", "咨询高龄津贴的申领条件。", "{S}附近的养老院收费太高。"}},
	{"MZ05", NULL, 5, {"咨询补领结婚证需要带哪些材料。", "婚姻登记处预约不上。", NULL}},
	{"MZ06", NULL, 3, {"殡仪馆的收费项目不透明。", "有人在{R}附近乱埋乱葬。", NULL}},
	{"MZ07", NULL, 4, {"咨询困难残疾人生活补贴和重度残疾人护理补贴的申请。", NULL, NULL}},
	{"MZ08", NULL, 2, {"{K}有一名儿童无人照料，希望民政部门关注。", NULL, NULL}},
	{"MZ09", NULL, 2, {"咨询社会组织登记的流程。", NULL, NULL}},
	{"MZ10", NULL, 2, {"咨询{R}道路名称变更的情况。", NULL, NULL}},
};
static const struct em_unmapped MZ_UNMAPPED[] = {{"MZ00", "其他", NULL}, {"MZ99", "其他事项", NULL}, {"0", "未分类", NULL}};
static const char *const MZ_UNITS[] = {
	"嘉峪关市民政局", "市民政局", "民政局", "市民政局社会救助科", "市民政局养老服务科", "市婚姻登记处",
	"市殡仪馆", "市社会福利院", "雄关街道办事处", "钢城街道办事处", "文殊镇人民政府", "峪泉镇人民政府",
	"新城镇人民政府",
};
static const char *const MZ_RTYPES[] = {"咨询", "求助", "投诉", "建议", "表扬", "其他"};
static const int MZ_RTYPE_W[] = {400, 250, 200, 80, 40, 30};
static const char *const MZ_FILLERS[] = {
	"来电人是低保户，行动不便。", "来电人家中有残疾人需要照顾。", "来电人希望社区工作人员上门了解情况。",
};
static const char *const MZ_RESULTS[] = {
	"已指导来电人向所在街道提出低保申请。", "经核实，低保金已于本月补发到位。", "已安排社区工作人员上门走访。",
	"已向来电人解释相关救助政策。", "已协调民政部门将老人纳入特困供养。",
};
static const char *const MZ_SATIS[] = {"1", "2", "3", "4", "5"};
static const int MZ_SATIS_W[] = {350, 350, 150, 100, 50};

static void mz_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	if (s->seq_day > 9999)
		em_die("mz12349: too many orders in a day for the order numbers");
	snprintf(out, cap, "MZ%04d%02d%02d%04d", tm.y, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc MZ12349 = {
	.code = "mz12349", .hotline = "12349", .dept = "民政部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = MZ_CATS, .ncats = EM_ARRLEN(MZ_CATS),
	.unmapped = MZ_UNMAPPED, .nunmapped = EM_ARRLEN(MZ_UNMAPPED),
	.units = MZ_UNITS, .nunits = EM_ARRLEN(MZ_UNITS),
	.rtypes = MZ_RTYPES, .rtype_w = MZ_RTYPE_W, .nrtypes = EM_ARRLEN(MZ_RTYPES),
	.fillers = MZ_FILLERS, .nfillers = EM_ARRLEN(MZ_FILLERS),
	.results = MZ_RESULTS, .nresults = EM_ARRLEN(MZ_RESULTS),
	.status = {"1", "2", "3", "4", "5", "6", "7"},
	.satis = MZ_SATIS, .satis_w = MZ_SATIS_W, .nsatis = EM_ARRLEN(MZ_SATIS), .ppm_no_satis = 150000,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.fault_loads = 1u << EM_F_ZERO_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000,
	.phones = {{[EM_PH_PLAIN] = 550, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 80, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LAND_NODASH] = 50, [EM_PH_LOCAL] = 70, [EM_PH_NULL] = 40, [EM_PH_WORD] = 10}},
	.ids = {{[EM_ID_NULL] = 250, [EM_ID_PLAIN] = 600, [EM_ID_FULLWIDTH] = 60, [EM_ID_BADCHECK] = 50,
		 [EM_ID_OLD15] = 40}},
	.omit = (1u << EF_TITLE) | (1u << EF_CONTACT),
	.null_is_empty = true,
	.make_id = mz_id,
};

static void gen_mz12349(const char *dir)
{
	static struct em_sys s;
	struct dbf_field fl[] = {
		{"XH", 'N', 8, 0, 0},     {"GDBH", 'C', 14, 0, 0}, {"LDRQ", 'D', 8, 0, 0},  {"LDRXM", 'C', 20, 0, 0},
		{"LXDH", 'C', 24, 0, 0},  {"SFZH", 'C', 40, 0, 0}, {"DZ", 'C', 120, 0, 0},  {"NR", 'M', 10, 0, 0},
		{"LB", 'C', 6, 0, 0},     {"LBMC", 'C', 30, 0, 0}, {"LX", 'C', 8, 0, 0},    {"BLZT", 'N', 2, 0, 0},
		{"CBDW", 'C', 60, 0, 0},  {"BJRQ", 'D', 8, 0, 0},  {"DFNR", 'M', 10, 0, 0}, {"MYD", 'N', 1, 0, 0},
	};
	struct dbf d;
	struct em_buf b = {0};
	char t[32];

	sys_begin(&s, &MZ12349, dir, "GDXX.DBF");
	dbf_open(&d, dir, "GDXX.DBF", "GDXX.FPT", fl, EM_ARRLEN(fl));
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		struct em_tm tm;
		/* soft-deleted (DELETE without PACK): half of the copies, 2 % of the rest */
		bool deleted = o->dup ? (o->slot & 1) : o->var % 1000 < 20;

		em_tm(o->t, &tm);
		dbf_rec(&d, deleted);
		snprintf(t, sizeof(t), "%llu", (unsigned long long)slot + 1);
		dbf_n(&d, "XH", t);
		dbf_c(&d, "GDBH", o->legacy_id, strlen(o->legacy_id));
		if (o->fault == EM_F_ZERO_DATE)
			dbf_c(&d, "LDRQ", "00000000", 8);
		else if (o->fault == EM_F_INVALID_DATE)
			snprintf(t, sizeof(t), "%04d%02d%02d", tm.y, o->inv_m % 100, o->inv_d % 100), dbf_c(&d, "LDRQ", t, 8);
		else
			snprintf(t, sizeof(t), "%04d%02d%02d", tm.y, tm.mo, tm.d), dbf_c(&d, "LDRQ", t, 8);
		enc(&b, &o->f[EF_NAME], true, false);
		dbf_c(&d, "LDRXM", b.p, b.len);
		enc(&b, &o->phone[0].raw, true, false);
		dbf_c(&d, "LXDH", b.p, b.len);
		enc(&b, &o->idno.raw, true, false);
		dbf_c(&d, "SFZH", b.p, b.len);
		enc(&b, &o->f[EF_ADDR], true, false);
		dbf_c(&d, "DZ", b.p, b.len);
		if (o->fault == EM_F_UNDECODABLE)
			enc_bad_content(&b, o);
		else
			enc(&b, &o->f[EF_CONTENT], true, false);
		dbf_memo(&d, "NR", b.p, b.len);
		dbf_c(&d, "LB", o->cat_code, strlen(o->cat_code));
		{
			struct em_text x;

			em_t_set(&x, em_cat_name(&s, o));
			enc(&b, &x, true, false);
			dbf_c(&d, "LBMC", b.p, b.len);
		}
		enc(&b, &o->f[EF_RTYPE], true, false);
		dbf_c(&d, "LX", b.p, b.len);
		dbf_n(&d, "BLZT", MZ12349.status[o->stage]);
		enc(&b, &o->f[EF_UNIT], true, false);
		dbf_c(&d, "CBDW", b.p, b.len);
		if (o->t_closed) {
			struct em_tm c;

			em_tm(o->t_closed, &c);
			snprintf(t, sizeof(t), "%04d%02d%02d", c.y, c.mo, c.d);
			dbf_c(&d, "BJRQ", t, 8);
		}
		enc(&b, &o->f[EF_REPLY], true, false);
		dbf_memo(&d, "DFNR", b.p, b.len);
		if (o->satis >= 0)
			dbf_n(&d, "MYD", MZ_SATIS[o->satis]);
		dbf_end_rec(&d);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (o->fault == EM_F_ZERO_DATE) {
			em_fx_fix(&fx, "zero_date");
			fx.received_null = true;
		}
		fx_common(&s, o, &fx, false);
		if (deleted && !o->dup && !fx.reject)
			em_check(&s.truth, "deleted", 1);
		em_account(&s, o, &fx);
	}
	dbf_close(&d);
	em_buf_free(&b);
	sys_end(&s, dir);
}

/* ================================================================== */
/* MySQL/MariaDB systems: gjj12329 rs12333 sf12348 jr12378 yc12313      */
/* tx12300, written through a binary connection (bytes as meant)        */
/* ================================================================== */
static MYSQL *my_recreate(const char *db, const char *charset)
{
	const char *sock = getenv("MYSQL_UNIX_PORT"), *user = env_or("MIGRATE_MYSQL_USER", "root");
	const char *pass = getenv("MIGRATE_MYSQL_PASSWORD");
	char sql[512];
	MYSQL *m = mysql_init(NULL);

	if (!m)
		em_die("mysql_init failed");
	if (sock && !*sock)
		sock = NULL;
	if (mysql_options(m, MYSQL_SET_CHARSET_NAME, "binary"))
		em_die("mysql_options(charset binary) failed");
	if (!mysql_real_connect(m, "localhost", user, pass, NULL, 0, sock, 0))
		em_die("cannot connect to MariaDB (socket %s, user %s): %s", sock ? sock : "(default)", user,
		       mysql_error(m));
	if (strcmp(mysql_character_set_name(m), "binary"))
		em_die("connection charset is %s, not binary", mysql_character_set_name(m));
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS `%s`", db);
	if (mysql_query(m, sql))
		em_die("%s: %s", sql, mysql_error(m));
	snprintf(sql, sizeof(sql), "CREATE DATABASE `%s` DEFAULT CHARACTER SET %s", db, charset);
	if (mysql_query(m, sql) || mysql_select_db(m, db))
		em_die("cannot create MariaDB database '%s': %s", db, mysql_error(m));
	/* zero dates and 2019-02-30 are stored as written */
	if (mysql_query(m, "SET SESSION sql_mode='ALLOW_INVALID_DATES'"))
		em_die("sql_mode: %s", mysql_error(m));
	return m;
}

static void my_exec(MYSQL *m, const char *sql, size_t n)
{
	if (mysql_real_query(m, sql, (unsigned long)n))
		em_die("MariaDB: %s: %.200s", mysql_error(m), sql);
	if (mysql_warning_count(m)) {
		MYSQL_RES *res;
		MYSQL_ROW w;

		if (!mysql_query(m, "SHOW WARNINGS LIMIT 1") && (res = mysql_store_result(m)) &&
		    (w = mysql_fetch_row(res)))
			em_die("MariaDB stored the data with a warning: %s", w[2] ? w[2] : "?");
		em_die("MariaDB stored the data with %u warnings", mysql_warning_count(m));
	}
}

static uint64_t my_count(MYSQL *m, const char *sql)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	uint64_t v;

	if (mysql_query(m, sql) || !(res = mysql_store_result(m)) || !(row = mysql_fetch_row(res)) || !row[0])
		em_die("MariaDB: %s: %s", sql, mysql_error(m));
	v = strtoull(row[0], NULL, 10);
	mysql_free_result(res);
	return v;
}

/* multi-row INSERTs of about 1 MB */
struct myins {
	MYSQL *m;
	const char *head;
	struct em_buf b;
	bool first;
};

static void myins_flush(struct myins *x)
{
	if (x->b.len)
		my_exec(x->m, x->b.p, x->b.len);
	x->b.len = 0;
}

static void myins_row(struct myins *x)
{
	if (x->b.len > (1u << 20))
		myins_flush(x);
	if (x->b.len) {
		em_buf_adds(&x->b, ",\n(");
	} else {
		em_buf_adds(&x->b, x->head);
		em_buf_addc(&x->b, '(');
	}
	x->first = true;
}

static void myins_val(struct myins *x, const void *p, size_t n, bool null)
{
	if (!x->first)
		em_buf_addc(&x->b, ',');
	x->first = false;
	if (null) {
		em_buf_adds(&x->b, "NULL");
		return;
	}
	em_buf_addc(&x->b, '\'');
	if (x->b.cap < x->b.len + 2 * n + 2) {
		x->b.cap = x->b.len + 2 * n + 64;
		x->b.p = realloc(x->b.p, x->b.cap);
		if (!x->b.p)
			em_die("out of memory");
	}
	x->b.len += mysql_real_escape_string(x->m, x->b.p + x->b.len, p, (unsigned long)n);
	em_buf_addc(&x->b, '\'');
}

static void myins_str(struct myins *x, const char *s)
{
	myins_val(x, s, s ? strlen(s) : 0, !s);
}

static void myins_time(struct myins *x, int64_t t, bool null)
{
	char s[20];

	if (null)
		return myins_val(x, NULL, 0, true);
	em_fmt_iso(t, s);
	myins_str(x, s);
}

static void myins_end(struct myins *x)
{
	em_buf_addc(&x->b, ')');
}

/* UTF-8 bytes read as MySQL's latin1 (Windows-1252; its five undefined
 * bytes pass through as U+0081 ...) and stored as UTF-8 again */
static const uint16_t CP1252_80[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static void mojibake(struct em_buf *out, const char *p, size_t n)
{
	char u[4];

	out->len = 0;
	em_buf_add(out, "", 0);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		uint32_t cp = c < 0x80 ? c : c < 0xA0 ? CP1252_80[c - 0x80] : c;

		em_buf_add(out, u, em_utf8_enc(cp, u));
	}
}

enum my_enc { MY_UTF8, MY_GBK, MY_LATIN1_CONN };

/* logical columns; each system names them in its own pinyin */
enum { MC_ID, MC_NO, MC_RECV, MC_NAME, MC_PHONE, MC_CONTACT, MC_IDNO, MC_ADDR, MC_TITLE, MC_CONTENT, MC_CAT,
       MC_CATNAME, MC_RTYPE, MC_STATUS, MC_UNIT, MC_CLOSED, MC_REPLY, MC_SATIS, MC_UPDATED, MC_DELETED, MC_COUNT };

struct my_sys {
	const struct em_desc *d;
	const char *table, *charset, *comment;
	enum my_enc enc;
	const char *col[MC_COUNT]; /* MC_DELETED NULL: no soft delete */
	const char *const *satis;
};

/* the value of a text column as the system stored it; layers: times its
 * UTF-8 was read as latin1 (MY_LATIN1_CONN) */
static void my_text(const struct my_sys *ms, struct myins *x, const struct em_text *t, int layers,
		    struct em_buf *b, struct em_buf *tmp)
{
	if (t->null)
		return myins_val(x, NULL, 0, true);
	if (ms->enc == MY_GBK) {
		enc(b, t, true, false);
		return myins_val(x, b->p, b->len, false);
	}
	b->len = 0;
	em_buf_add(b, t->s, t->len);
	for (int i = 0; i < layers; i++) {
		mojibake(tmp, b->p, b->len);
		b->len = 0;
		em_buf_add(b, tmp->p, tmp->len);
	}
	myins_val(x, b->p, b->len, false);
}

static void my_textz(const struct my_sys *ms, struct myins *x, const char *s, int layers, struct em_buf *b,
		     struct em_buf *tmp)
{
	struct em_text t;

	em_t_set(&t, s);
	my_text(ms, x, &t, layers, b, tmp);
}

static void gen_mysql(const char *dir, const struct my_sys *ms)
{
	static struct em_sys s;
	const struct em_desc *d = ms->d;
	struct myins x = {0};
	struct em_buf b = {0}, tmp = {0}, head = {0}, ddl = {0};
	char db[80];
	uint64_t n_zero = 0, n_moji = 0, n_del = 0;
	MYSQL *m;
	static const char *const TYPES[MC_COUNT] = {
		"INT UNSIGNED NOT NULL PRIMARY KEY", "VARCHAR(40) NOT NULL", "DATETIME NULL", "VARCHAR(400)",
		"VARCHAR(200)", "VARCHAR(200)", "VARCHAR(200)", "VARCHAR(2000)", "VARCHAR(2000)", "TEXT",
		"VARCHAR(16)", "VARCHAR(400)", "VARCHAR(100)", "VARCHAR(40)", "VARCHAR(600)", "DATETIME NULL",
		"TEXT", "VARCHAR(40)", "DATETIME NOT NULL", "TINYINT NOT NULL DEFAULT 0",
	};

	sys_begin(&s, d, dir, ms->table);
	db_name(d->code, db, sizeof(db));
	m = my_recreate(db, ms->charset);
	em_buf_addf(&ddl, "CREATE TABLE `%s` (\n", ms->table);
	em_buf_addf(&head, "INSERT INTO `%s` (", ms->table);
	for (int c = 0; c < MC_COUNT; c++) {
		if (!ms->col[c])
			continue;
		em_buf_addf(&ddl, "  `%s` %s,\n", ms->col[c], TYPES[c]);
		em_buf_addf(&head, "%s`%s`", c ? "," : "", ms->col[c]);
	}
	em_buf_addf(&ddl, "  KEY (`%s`)) ENGINE=InnoDB DEFAULT CHARSET=%s COMMENT='%s'", ms->col[MC_UPDATED],
		    ms->charset, ms->comment);
	em_buf_adds(&head, ") VALUES\n");
	my_exec(m, ddl.p, ddl.len);
	my_exec(m, "START TRANSACTION", 17);
	x.m = m;
	x.head = head.p;
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		char ts[32];
		/* gjj12329: a row written through a latin1 connection (30 %),
		 * a fifth of them twice; the lost-byte rows once */
		int layers = ms->enc != MY_LATIN1_CONN ? 0
			     : o->fault == EM_F_UNDECODABLE ? 1
			     : o->var % 1000 < 240 ? 1 : o->var % 1000 < 300 ? 2 : 0;
		bool deleted = ms->col[MC_DELETED] && o->var / 1000 % 100 < 3;
		const char *satis = o->satis >= 0 ? ms->satis[o->satis]
				    : (o->stage == EM_ST_CLOSED || o->stage == EM_ST_ARCHIVED) ? d->satis_none : NULL;
		const struct em_text *tx[] = {&o->f[EF_NAME], &o->phone[0].raw, &o->phone[1].raw, &o->idno.raw,
					      &o->f[EF_ADDR], &o->f[EF_TITLE]};

		myins_row(&x);
		snprintf(ts, sizeof(ts), "%llu", (unsigned long long)slot + 1);
		myins_str(&x, ts);
		myins_str(&x, o->legacy_id);
		n_zero += o->fault == EM_F_ZERO_DATE;
		if (o->fault == EM_F_ZERO_DATE)
			myins_str(&x, "0000-00-00 00:00:00");
		else if (o->fault == EM_F_INVALID_DATE)
			fmt_invalid(o, ts), myins_str(&x, ts);
		else
			myins_time(&x, o->t, false);
		for (size_t i = 0; i < EM_ARRLEN(tx); i++)
			my_text(ms, &x, tx[i], layers, &b, &tmp);
		if (o->fault == EM_F_UNDECODABLE) {
			/* a converter lost a byte: the second byte of a
			 * character after the cut became '?' */
			const struct em_text *t = &o->f[EF_CONTENT];
			size_t i = o->bad_cut;
			struct em_text bad;

			while (i < t->len && (unsigned char)t->s[i] < 0xE0)
				i++;
			if (i + 1 >= t->len)
				for (i = 0; i < t->len && (unsigned char)t->s[i] < 0xE0; i++)
					;
			if (i + 1 >= t->len)
				em_die("internal: %s: no character to damage in %s", d->code, o->legacy_id);
			em_t_copy(&bad, t);
			bad.s[i + 1] = '?';
			mojibake(&b, bad.s, bad.len);
			myins_val(&x, b.p, b.len, false);
		} else {
			my_text(ms, &x, &o->f[EF_CONTENT], layers, &b, &tmp);
		}
		myins_str(&x, o->cat_code);
		my_textz(ms, &x, em_cat_name(&s, o), layers, &b, &tmp);
		my_text(ms, &x, &o->f[EF_RTYPE], layers, &b, &tmp);
		my_textz(ms, &x, d->status[o->stage], layers, &b, &tmp);
		my_text(ms, &x, &o->f[EF_UNIT], layers, &b, &tmp);
		myins_time(&x, o->t_closed, o->t_closed == 0);
		my_text(ms, &x, &o->f[EF_REPLY], layers, &b, &tmp);
		if (satis)
			my_textz(ms, &x, satis, layers, &b, &tmp);
		else
			myins_val(&x, NULL, 0, true);
		myins_time(&x, o->t_updated, false);
		if (ms->col[MC_DELETED])
			myins_str(&x, deleted ? "1" : "0");
		myins_end(&x);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.unrepairable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (o->fault == EM_F_ZERO_DATE) {
			em_fx_fix(&fx, "zero_date");
			fx.received_null = true;
		}
		if (layers && !fx.reject)
			em_fx_fix(&fx, "utf8_as_latin1");
		n_moji += layers > 0;
		fx_common(&s, o, &fx, true);
		if (deleted && !o->dup && !fx.reject)
			em_check(&s.truth, "deleted", 1);
		n_del += deleted;
		em_account(&s, o, &fx);
	}
	myins_flush(&x);
	my_exec(m, "COMMIT", 6);
	{
		/* what was stored is what was meant */
		char sql[512];
		uint64_t n, z, del = 0;

		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM `%s`", ms->table);
		n = my_count(m, sql);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM `%s` WHERE CAST(`%s` AS CHAR) LIKE '0000-00-00%%'",
			 ms->table, ms->col[MC_RECV]);
		z = my_count(m, sql);
		if (ms->col[MC_DELETED]) {
			snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM `%s` WHERE `%s` = 1", ms->table,
				 ms->col[MC_DELETED]);
			del = my_count(m, sql);
		}
		if (n != g_scale || z != n_zero || del != n_del)
			em_die("%s: stored %llu rows, %llu zero dates, %llu deleted; meant %llu, %llu, %llu", d->code,
			       (unsigned long long)n, (unsigned long long)z, (unsigned long long)del,
			       (unsigned long long)g_scale, (unsigned long long)n_zero, (unsigned long long)n_del);
		if (ms->enc == MY_GBK) {
			/* the column holds GBK: 4 characters of 受理 etc. are 2 bytes each */
			snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM `%s` WHERE LENGTH(`%s`) = 2 * CHAR_LENGTH(`%s`)"
				 " AND CHARSET(`%s`) = 'gbk'", ms->table, ms->col[MC_STATUS], ms->col[MC_STATUS],
				 ms->col[MC_STATUS]);
			if (my_count(m, sql) != g_scale)
				em_die("%s: the status column does not hold GBK text", d->code);
		}
		(void)n_moji;
	}
	mysql_close(m);
	em_buf_free(&b);
	em_buf_free(&tmp);
	em_buf_free(&head);
	em_buf_free(&ddl);
	em_buf_free(&x.b);
	sys_end(&s, dir);
}

#define MY_ID(fn, fmt)                                                                                           \
	static void fn(struct em_sys *s, const struct em_order *o, char *out, size_t cap)                        \
	{                                                                                                        \
		struct em_tm tm;                                                                                 \
		em_tm(o->t, &tm);                                                                                \
		snprintf(out, cap, fmt, tm.y, tm.mo, tm.d, s->seq_day);                                          \
	}
MY_ID(gjj_id, "GJJ%04d%02d%02d%05d")
MY_ID(rs_id, "RS%04d%02d%02d%05d")
MY_ID(sf_id, "SF%04d%02d%02d%05d")
MY_ID(jr_id, "JR%04d%02d%02d%05d")
MY_ID(yc_id, "YC%04d%02d%02d%05d")

static void tx_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "TX12300%04d%02d%02d%05d", tm.y, tm.mo, tm.d, s->seq_day);
	if (o->var % 100 < 5) /* a sub-order exchanged with 12345 */
		snprintf(out + strlen(out), cap - strlen(out), "-01");
}

static const char *const MY_RTYPES[] = {"咨询", "投诉", "求助", "建议", "表扬", "举报", "其他"};
static const int MY_RTYPE_W[] = {400, 300, 100, 80, 40, 50, 30};
static const char *const MY_SATIS5[] = {"1", "2", "3", "4", "5"};
static const int MY_SATIS5_W[] = {350, 350, 150, 100, 50};
static const char *const MY_SATIS3[] = {"满意", "基本满意", "不满意"};
static const int MY_SATIS3_W[] = {700, 200, 100};

#define MY_DESC_COMMON                                                                                           \
	.rtypes = MY_RTYPES, .rtype_w = MY_RTYPE_W, .nrtypes = EM_ARRLEN(MY_RTYPES),                             \
	.fault_loads = 1u << EM_F_ZERO_DATE,                                                                     \
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000,                                               \
	.phones = {{[EM_PH_PLAIN] = 550, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 80, [EM_PH_LAND_DASH] = 100, \
		    [EM_PH_LAND_NODASH] = 50, [EM_PH_LOCAL] = 70, [EM_PH_NULL] = 40, [EM_PH_WORD] = 10}},         \
	.ids = {{[EM_ID_NULL] = 250, [EM_ID_PLAIN] = 600, [EM_ID_FULLWIDTH] = 60, [EM_ID_BADCHECK] = 50,          \
		 [EM_ID_OLD15] = 40}}

#define MY_COLS(...) .col = {__VA_ARGS__}

/* ---- gjj12329 住房公积金: MySQL utf8, part written through latin1 ---- */
static const struct em_catdef GJJ_CATS[] = {
	{"GJ01", NULL, 12, {"咨询公积金提取需要哪些材料。", "公积金提取申请提交{N}天了还没有到账。", NULL}},
	{"GJ02", NULL, 10, {"咨询公积金贷款的额度和利率。", "公积金贷款审批太慢，已经等了{N}天。", NULL}},
	{"GJ03", NULL, 6, {"单位一直没有给职工缴存公积金。", "{C}拖欠职工公积金{N}个月。", NULL}},
	{"GJ04", NULL, 4, {"咨询公积金异地转移接续的办理流程。", NULL, NULL}},
	{"GJ05", NULL, 3, {"公积金中心窗口工作人员态度不好。", NULL, NULL}},
};
static const struct em_unmapped GJJ_UNMAPPED[] = {{"GJ00", "其他", NULL}, {"GJ99", "其他事项", NULL}};
static const char *const GJJ_UNITS[] = {"市住房公积金管理中心", "公积金中心", "嘉峪关市住房公积金管理中心",
					"市公积金中心归集科", "市公积金中心信贷科"};
static const char *const GJJ_COMPANIES[] = {"某建筑公司", "某物业公司", "某商贸公司", "某餐饮公司"};
static const char *const GJJ_FILLERS[] = {"来电人情绪比较急躁。", "来电人希望尽快办理。"};
static const char *const GJJ_RESULTS[] = {"已向来电人解释公积金提取政策。", "已督促单位补缴公积金。",
					  "贷款已审批，近日放款。"};
static const struct em_desc GJJ12329 = {
	.code = "gjj12329", .hotline = "12329", .dept = "住房公积金管理中心",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = GJJ_CATS, .ncats = EM_ARRLEN(GJJ_CATS), .unmapped = GJJ_UNMAPPED, .nunmapped = EM_ARRLEN(GJJ_UNMAPPED),
	.units = GJJ_UNITS, .nunits = EM_ARRLEN(GJJ_UNITS),
	.fillers = GJJ_FILLERS, .nfillers = EM_ARRLEN(GJJ_FILLERS),
	.results = GJJ_RESULTS, .nresults = EM_ARRLEN(GJJ_RESULTS),
	.companies = GJJ_COMPANIES, .ncompanies = EM_ARRLEN(GJJ_COMPANIES),
	.status = {"0", "1", "2", "3", "4", "5", "9"},
	.satis = MY_SATIS5, .satis_w = MY_SATIS5_W, .nsatis = 5, .ppm_no_satis = 150000,
	MY_DESC_COMMON,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.make_id = gjj_id,
};
static const struct my_sys MY_GJJ = {
	.d = &GJJ12329, .table = "gjj_gd", .charset = "utf8", .comment = "公积金工单", .enc = MY_LATIN1_CONN,
	MY_COLS("id", "gdbh", "ldsj", "ldrxm", "ldhm", "lxdh", "sfzh", "dz", "bt", "nr", "lbdm", "lbmc", "sqlx",
		"blzt", "cbdw", "bjsj", "dfnr", "myd", "gxsj", NULL),
	.satis = MY_SATIS5,
};

/* ---- rs12333 人社: MySQL DEFAULT CHARSET=gbk ---- */
static const struct em_catdef RS_CATS[] = {
	{"RS01", NULL, 12, {"咨询养老保险缴费年限的计算。", "养老金已经{N}个月没有发放。", NULL}},
	{"RS02", NULL, 10, {"{C}拖欠工资{M}元，老板联系不上。", "{C}不和职工签劳动合同。", NULL}},
	{"RS03", NULL, 6, {"咨询失业保险金的申领条件。", "咨询创业担保贷款政策。", NULL}},
	{"RS04", NULL, 4, {"咨询工伤认定需要的材料。", NULL, NULL}},
	{"RS05", NULL, 3, {"社保卡补办太慢。", NULL, NULL}},
};
static const struct em_unmapped RS_UNMAPPED[] = {{"RS00", "其他", NULL}, {"LD99", "劳动（旧）", NULL}};
static const char *const RS_UNITS[] = {"市人力资源和社会保障局", "市人社局", "人社局", "市劳动保障监察支队",
				       "市社会保险事业管理局", "市就业服务中心"};
static const char *const RS_COMPANIES[] = {"某建筑公司", "某劳务公司", "某商贸公司", "某餐饮公司"};
static const char *const RS_FILLERS[] = {"来电人是农民工，要求尽快解决。", "来电人已向单位反映过。"};
static const char *const RS_RESULTS[] = {"劳动保障监察支队已责令企业支付工资。", "已向来电人解释相关政策。",
					 "已为来电人办理相关手续。"};
static const struct em_desc RS12333 = {
	.code = "rs12333", .hotline = "12333", .dept = "人社部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = RS_CATS, .ncats = EM_ARRLEN(RS_CATS), .unmapped = RS_UNMAPPED, .nunmapped = EM_ARRLEN(RS_UNMAPPED),
	.units = RS_UNITS, .nunits = EM_ARRLEN(RS_UNITS),
	.fillers = RS_FILLERS, .nfillers = EM_ARRLEN(RS_FILLERS),
	.results = RS_RESULTS, .nresults = EM_ARRLEN(RS_RESULTS),
	.companies = RS_COMPANIES, .ncompanies = EM_ARRLEN(RS_COMPANIES),
	.status = {"已受理", "已转办", "办理中", "已答复", "已办结", "已归档", "无效件"},
	.satis = MY_SATIS3, .satis_w = MY_SATIS3_W, .nsatis = 3, .ppm_no_satis = 150000, .satis_none = "未评价",
	MY_DESC_COMMON,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000},
	.make_id = rs_id,
};
static const struct my_sys MY_RS = {
	.d = &RS12333, .table = "rs_rxgd", .charset = "gbk", .comment = "人社热线工单", .enc = MY_GBK,
	MY_COLS("xh", "gdbh", "slsj", "xm", "dh", "lxdh", "sfzh", "dz", "zt", "nr", "lb", "lbmc", "lx",
		"zt_mc", "bldw", "bjsj", "bljg", "myd", "gxsj", NULL),
	.satis = MY_SATIS3,
};

/* ---- sf12348 公共法律服务: utf8mb4, soft-deleted rows ---- */
static const struct em_catdef SF_CATS[] = {
	{"SF01", NULL, 12, {"咨询离婚时财产如何分割。", "邻居占用了我家的宅基地，咨询怎么起诉。", NULL}},
	{"SF02", NULL, 8, {"申请法律援助，被{C}拖欠工资{M}元。", NULL, NULL}},
	{"SF03", NULL, 5, {"咨询办理公证需要哪些材料。", NULL, NULL}},
	{"SF04", NULL, 4, {"{K}邻里纠纷，希望人民调解。", NULL, NULL}},
	{"SF05", NULL, 3, {"律师收费不合理，要求处理。", NULL, NULL}},
};
static const struct em_unmapped SF_UNMAPPED[] = {{"SF00", "其他", NULL}, {"FL99", "法律（旧）", NULL}};
static const char *const SF_UNITS[] = {"市司法局", "司法局", "嘉峪关市司法局", "市法律援助中心", "市公证处"};
static const char *const SF_COMPANIES[] = {"某建筑公司", "某劳务公司", "某装修公司"};
static const char *const SF_FILLERS[] = {"来电人经济困难。", "来电人要求律师回电。"};
static const char *const SF_RESULTS[] = {"已由值班律师解答。", "已指导来电人申请法律援助。", "已转人民调解委员会调解。"};
static const char *const SF_SATIS[] = {"5", "4", "3", "2", "1"};
static const struct em_desc SF12348 = {
	.code = "sf12348", .hotline = "12348", .dept = "司法行政部门",
	.y0 = 2017, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = SF_CATS, .ncats = EM_ARRLEN(SF_CATS), .unmapped = SF_UNMAPPED, .nunmapped = EM_ARRLEN(SF_UNMAPPED),
	.units = SF_UNITS, .nunits = EM_ARRLEN(SF_UNITS),
	.fillers = SF_FILLERS, .nfillers = EM_ARRLEN(SF_FILLERS),
	.results = SF_RESULTS, .nresults = EM_ARRLEN(SF_RESULTS),
	.companies = SF_COMPANIES, .ncompanies = EM_ARRLEN(SF_COMPANIES),
	.status = {"NEW", "DISP", "DOING", "REPLY", "DONE", "ARCH", "INVALID"},
	.satis = SF_SATIS, .satis_w = MY_SATIS5_W, .nsatis = 5, .ppm_no_satis = 150000,
	MY_DESC_COMMON, .ppm_rare = 2000, .gb18030_names = true,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000},
	.make_id = sf_id,
};
static const struct my_sys MY_SF = {
	.d = &SF12348, .table = "flfw_gd", .charset = "utf8mb4", .comment = "法律服务工单", .enc = MY_UTF8,
	MY_COLS("id", "gdbh", "ldsj", "xm", "lxdh", "bydh", "sfzh", "dz", "bt", "nr", "lbdm", "lbmc", "lx",
		"zt", "cbdw", "bjsj", "dfnr", "myd", "gxsj", "is_deleted"),
	.satis = SF_SATIS,
};

/* ---- jr12378 银行保险: utf8mb4, incremental by gxsj ---- */
static const struct em_catdef JR_CATS[] = {
	{"JR01", NULL, 10, {"{C}信用卡乱收年费{M}元。", "{C}贷款提前还款收取违约金。", NULL}},
	{"JR02", NULL, 8, {"{C}理赔拖延，已经{N}天没有答复。", "保险销售时夸大收益。", NULL}},
	{"JR03", NULL, 5, {"{C}网点排队时间太长。", NULL, NULL}},
	{"JR04", NULL, 4, {"银行卡被盗刷{M}元。", NULL, NULL}},
	{"JR05", NULL, 3, {"咨询存款保险的保障范围。", NULL, NULL}},
};
static const struct em_unmapped JR_UNMAPPED[] = {{"JR00", "其他", NULL}, {"YJ99", "银监（旧）", NULL}};
static const char *const JR_UNITS[] = {"金融监管总局嘉峪关监管分局", "嘉峪关监管分局", "监管分局消保科", "某银行嘉峪关分行",
				       "某保险公司嘉峪关中心支公司"};
static const char *const JR_COMPANIES[] = {"某银行", "某农商银行", "某财产保险公司", "某人寿保险公司"};
static const char *const JR_FILLERS[] = {"来电人已向机构投诉过。", "来电人要求退还费用。"};
static const char *const JR_RESULTS[] = {"机构已退还相关费用。", "已督促机构与消费者协商解决。", "经核实，机构收费符合合同约定。"};
static const char *const JR_SATIS[] = {"1", "2", "3"};
static const struct em_desc JR12378 = {
	.code = "jr12378", .hotline = "12378", .dept = "金融监管部门",
	.y0 = 2018, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = JR_CATS, .ncats = EM_ARRLEN(JR_CATS), .unmapped = JR_UNMAPPED, .nunmapped = EM_ARRLEN(JR_UNMAPPED),
	.units = JR_UNITS, .nunits = EM_ARRLEN(JR_UNITS),
	.fillers = JR_FILLERS, .nfillers = EM_ARRLEN(JR_FILLERS),
	.results = JR_RESULTS, .nresults = EM_ARRLEN(JR_RESULTS),
	.companies = JR_COMPANIES, .ncompanies = EM_ARRLEN(JR_COMPANIES),
	.status = {"10", "20", "30", "40", "50", "60", "99"},
	.satis = JR_SATIS, .satis_w = MY_SATIS3_W, .nsatis = 3, .ppm_no_satis = 150000,
	MY_DESC_COMMON, .ppm_rare = 2000, .gb18030_names = true,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000},
	.make_id = jr_id,
};
static const struct my_sys MY_JR = {
	.d = &JR12378, .table = "xbts_gd", .charset = "utf8mb4", .comment = "消保投诉工单", .enc = MY_UTF8,
	MY_COLS("id", "tsbh", "tssj", "tsrxm", "tsrdh", "lxdh", "zjhm", "dz", "bt", "tsnr", "tslb", "lbmc", "lx",
		"clzt", "bljg", "bjsj", "cljg", "myd", "gxsj", NULL),
	.satis = JR_SATIS,
};

/* ---- yc12313 烟草专卖: gbk, incremental, deletes at the source ---- */
static const struct em_catdef YC_CATS[] = {
	{"YC01", NULL, 10, {"{S}无证销售卷烟。", "{R}有人销售假烟。", NULL}},
	{"YC02", NULL, 6, {"{S}向未成年人售烟。", NULL, NULL}},
	{"YC03", NULL, 4, {"咨询烟草专卖零售许可证的办理。", NULL, NULL}},
	{"YC04", NULL, 3, {"{S}卷烟价格高于标价。", NULL, NULL}},
};
static const struct em_unmapped YC_UNMAPPED[] = {{"YC00", "其他", NULL}, {"ZM99", "专卖（旧）", NULL}};
static const char *const YC_UNITS[] = {"嘉峪关市烟草专卖局", "市烟草专卖局", "烟草局", "市烟草专卖局稽查大队"};
static const char *const YC_FILLERS[] = {"举报人要求保密。", "举报人愿意配合调查。"};
static const char *const YC_RESULTS[] = {"经查属实，已依法查处。", "经查不属实。", "已向来电人解释许可证办理流程。"};
static const struct em_desc YC12313 = {
	.code = "yc12313", .hotline = "12313", .dept = "烟草专卖部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = YC_CATS, .ncats = EM_ARRLEN(YC_CATS), .unmapped = YC_UNMAPPED, .nunmapped = EM_ARRLEN(YC_UNMAPPED),
	.units = YC_UNITS, .nunits = EM_ARRLEN(YC_UNITS),
	.fillers = YC_FILLERS, .nfillers = EM_ARRLEN(YC_FILLERS),
	.results = YC_RESULTS, .nresults = EM_ARRLEN(YC_RESULTS),
	.status = {"受理", "转办", "办理", "答复", "办结", "归档", "无效"},
	.satis = MY_SATIS3, .satis_w = MY_SATIS3_W, .nsatis = 3, .ppm_no_satis = 150000, .satis_none = "未评价",
	MY_DESC_COMMON,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000},
	.make_id = yc_id,
};
static const struct my_sys MY_YC = {
	.d = &YC12313, .table = "jb_gd", .charset = "gbk", .comment = "举报工单", .enc = MY_GBK,
	MY_COLS("id", "jbbh", "jbsj", "jbrxm", "jbrdh", "lxdh", "sfzh", "dz", "bt", "jbnr", "lb", "lbmc", "lx",
		"zt", "cbdw", "bjsj", "cljg", "myd", "gxsj", NULL),
	.satis = MY_SATIS3,
};

/* ---- tx12300 电信用户申诉: utf8mb4, provincial, order numbers ---- */
static const struct em_catdef TX_CATS[] = {
	{"TX01", NULL, 10, {"{C}宽带经常断网，报修{N}天没人来。", "{C}手机信号太差。", NULL}},
	{"TX02", NULL, 8, {"{C}乱扣话费{M}元。", "{C}未经同意开通增值业务。", NULL}},
	{"TX03", NULL, 4, {"携号转网被{C}拒绝。", NULL, NULL}},
	{"TX04", NULL, 4, {"经常收到骚扰电话和垃圾短信。", NULL, NULL}},
};
static const struct em_unmapped TX_UNMAPPED[] = {{"TX00", "其他", NULL}, {"DX99", "电信（旧）", NULL}};
static const char *const TX_UNITS[] = {"甘肃省通信管理局", "省通信管理局", "通信管理局", "某运营商嘉峪关分公司"};
static const char *const TX_COMPANIES[] = {"中国移动", "中国联通", "中国电信", "中国广电"};
static const char *const TX_FILLERS[] = {"用户已向运营商投诉过。", "用户要求退还费用。"};
static const char *const TX_RESULTS[] = {"运营商已退还相关费用。", "已修复线路。", "已督促运营商与用户协商解决。"};
static const struct em_desc TX12300 = {
	.code = "tx12300", .hotline = "12300", .dept = "通信管理部门",
	.y0 = 2017, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = TX_CATS, .ncats = EM_ARRLEN(TX_CATS), .unmapped = TX_UNMAPPED, .nunmapped = EM_ARRLEN(TX_UNMAPPED),
	.units = TX_UNITS, .nunits = EM_ARRLEN(TX_UNITS),
	.fillers = TX_FILLERS, .nfillers = EM_ARRLEN(TX_FILLERS),
	.results = TX_RESULTS, .nresults = EM_ARRLEN(TX_RESULTS),
	.companies = TX_COMPANIES, .ncompanies = EM_ARRLEN(TX_COMPANIES),
	.status = {"S01", "S02", "S03", "S04", "S05", "S06", "S09"},
	.satis = MY_SATIS5, .satis_w = MY_SATIS5_W, .nsatis = 5, .ppm_no_satis = 150000,
	MY_DESC_COMMON, .ppm_rare = 2000, .gb18030_names = true,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000},
	.make_id = tx_id,
};
static const struct my_sys MY_TX = {
	.d = &TX12300, .table = "yhss_gd", .charset = "utf8mb4", .comment = "用户申诉工单", .enc = MY_UTF8,
	MY_COLS("id", "gdh", "sssj", "yhxm", "yhdh", "lxdh", "zjhm", "dz", "bt", "ssnr", "sslb", "lbmc", "lx",
		"zt", "cldw", "bjsj", "cljg", "myd", "gxsj", NULL),
	.satis = MY_SATIS5,
};

static void gen_gjj12329(const char *dir) { gen_mysql(dir, &MY_GJJ); }
static void gen_rs12333(const char *dir) { gen_mysql(dir, &MY_RS); }
static void gen_sf12348(const char *dir) { gen_mysql(dir, &MY_SF); }
static void gen_jr12378(const char *dir) { gen_mysql(dir, &MY_JR); }
static void gen_yc12313(const char *dir) { gen_mysql(dir, &MY_YC); }
static void gen_tx12300(const char *dir) { gen_mysql(dir, &MY_TX); }

/* ================================================================== */
/* the estate                                                           */
/* ================================================================== */
struct system {
	const char *code;
	void (*gen)(const char *dir);
};

static const struct system SYSTEMS[] = {
	{"sj12315", gen_sj12315}, {"wj12320", gen_wj12320}, {"yz12305", gen_yz12305},
	{"sw12312", gen_sw12312}, {"zr12336", gen_zr12336}, {"mz12349", gen_mz12349},
	{"gjj12329", gen_gjj12329}, {"rs12333", gen_rs12333}, {"sf12348", gen_sf12348},
	{"jr12378", gen_jr12378}, {"yc12313", gen_yc12313}, {"tx12300", gen_tx12300},
};

/* DIR/estate.json: the systems generated and the cross-system duplicates
 * whose two sides are both in DIR with this seed and scale */
static void write_estate(void)
{
	static const char *const PAIR[2] = {"sj12315", "sw12312"};
	struct side {
		int pair;
		char id[48], phone[16], at[20];
	} *sd[2] = {NULL, NULL};
	size_t nsd[2] = {0, 0};
	char path[4096], line[256], want[128];
	FILE *f;
	bool first = true;

	snprintf(want, sizeof(want), "#seed %llu scale %llu", (unsigned long long)g_seed, (unsigned long long)g_scale);
	for (int k = 0; k < 2; k++) {
		char dir[4096];

		path_join(dir, sizeof(dir), g_out, PAIR[k]);
		path_join(path, sizeof(path), dir, "cross.tsv");
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(line, sizeof(line), f) || strncmp(line, want, strlen(want))) {
			fclose(f);
			continue;
		}
		sd[k] = em_xcalloc(g_ncross + 1, sizeof(*sd[k]));
		while (fgets(line, sizeof(line), f) && nsd[k] < g_ncross) {
			struct side *x = &sd[k][nsd[k]];

			if (sscanf(line, "%d\t%47[^\t]\t%15[^\t]\t%19[^\n]", &x->pair, x->id, x->phone, x->at) == 4)
				nsd[k]++;
		}
		fclose(f);
	}
	path_join(path, sizeof(path), g_out, "estate.json");
	f = fopen(path, "w");
	if (!f)
		em_die("cannot create '%s': %s", path, strerror(errno));
	fprintf(f, "{\"seed\":%llu,\"scale\":%llu,\"systems\":[", (unsigned long long)g_seed,
		(unsigned long long)g_scale);
	for (size_t i = 0; i < EM_ARRLEN(SYSTEMS); i++) {
		struct stat st;
		char dir[4096];

		path_join(dir, sizeof(dir), g_out, SYSTEMS[i].code);
		path_join(path, sizeof(path), dir, "expected.json");
		if (stat(path, &st))
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ",", SYSTEMS[i].code);
		first = false;
	}
	fputs("],\n \"cross_system\":[", f);
	first = true;
	for (size_t i = 0; i < nsd[0]; i++)
		for (size_t j = 0; j < nsd[1]; j++) {
			if (sd[0][i].pair != sd[1][j].pair)
				continue;
			fprintf(f, "%s\n  {\"pair\":%d,\"caller_phone\":\"%s\",\"received_at\":\"%s\",\"records\":["
				   "{\"system\":\"%s\",\"legacy_id\":\"%s\"},{\"system\":\"%s\",\"legacy_id\":\"%s\"}]}",
				first ? "" : ",", sd[0][i].pair, sd[0][i].phone, sd[0][i].at, PAIR[0], sd[0][i].id, PAIR[1],
				sd[1][j].id);
			first = false;
		}
	fputs("]}\n", f);
	if (fclose(f))
		em_die("cannot write estate.json");
	free(sd[0]);
	free(sd[1]);
}

static void usage(FILE *f)
{
	fputs("usage: gen-estate --system CODE|all --scale N [--seed S] --out DIR [--playbook-dir DIR]\n"
	      "  CODE: sj12315 wj12320 yz12305 sw12312 zr12336 mz12349 gjj12329 rs12333 sf12348 jr12378 yc12313 tx12300\n"
	      "  N: work-order rows per system (50 ... 10000000); S: default 12345\n"
	      "  env: PGHOST/PGPORT/PGUSER (PostgreSQL systems), MYSQL_UNIX_PORT/MIGRATE_MYSQL_USER/\n"
	      "  MIGRATE_MYSQL_PASSWORD (MariaDB systems), <CODE>_DATABASE (default legacy_<code>)\n",
	      f);
}

static uint64_t parse_u64(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!*s || *s == '-')
		em_die("%s: not a number: %s", opt, s);
	v = strtoull(s, &end, 10);
	if (errno || *end)
		em_die("%s: not a number: %s", opt, s);
	return (uint64_t)v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"system", required_argument, NULL, 'y'}, {"scale", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},   {"out", required_argument, NULL, 'o'},
		{"playbook-dir", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *sys = NULL;
	bool have_scale = false, found = false;
	struct timespec t0, t1;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y': sys = optarg; break;
		case 'n': g_scale = parse_u64("--scale", optarg); have_scale = true; break;
		case 's': g_seed = parse_u64("--seed", optarg); break;
		case 'o': g_out = optarg; break;
		case 'p': g_pbdir = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !sys || !have_scale || !g_out) {
		usage(stderr);
		return 2;
	}
	if (g_scale < 50 || g_scale > 10000000)
		em_die("--scale must be between 50 and 10000000");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	em_enc_init();
	em_mkdir_p(g_out);
	{
		/* absolute: zip runs in another directory */
		char *abs = realpath(g_out, NULL);

		if (!abs)
			em_die("cannot resolve '%s': %s", g_out, strerror(errno));
		g_out = abs;
	}
	g_ncross = em_cross_make(g_seed, g_scale, &g_cross);
	for (size_t i = 0; i < EM_ARRLEN(SYSTEMS); i++) {
		char dir[4096];

		if (strcmp(sys, "all") && strcmp(sys, SYSTEMS[i].code))
			continue;
		found = true;
		path_join(dir, sizeof(dir), g_out, SYSTEMS[i].code);
		SYSTEMS[i].gen(dir);
	}
	if (!found)
		em_die("unknown system '%s' (known: sj12315 wj12320 yz12305 sw12312 zr12336 mz12349 gjj12329 rs12333 sf12348 jr12378 yc12313 tx12300, or all)", sys);
	write_estate();
	free(g_cross);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s: seed=%llu scale=%llu out=%s %.2fs\n", em_prog, (unsigned long long)g_seed,
	       (unsigned long long)g_scale, g_out,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free((char *)(uintptr_t)g_out);
	return 0;
}
