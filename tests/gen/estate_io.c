/*
 * tests/gen/estate_io.c -- writers shared by the systems of gen-estate (see estate_io.h).
 */
#include "estate_io.h"


uint64_t g_seed = 12345, g_scale;
const char *g_out, *g_pbdir = "playbooks";

/* ------------------------------------------------------------------ */
/* small helpers                                                       */
/* ------------------------------------------------------------------ */
void path_join(char *out, size_t cap, const char *a, const char *b)
{
	if (snprintf(out, cap, "%s/%s", a, b) >= (int)cap)
		em_die("path too long: %s/%s", a, b);
}

const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/* the database of a system: <CODE>_DATABASE or legacy_<code> */
void db_name(const char *code, char *out, size_t cap)
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

void fmt_invalid(const struct em_order *o, char out[32])
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d", tm.y % 10000, o->inv_m % 100, o->inv_d % 100, tm.h % 100,
		 tm.mi % 100, tm.s % 100);
}

/* encode intended UTF-8 text into a platform's bytes */
void enc(struct em_buf *b, const struct em_text *t, bool gbk, bool gb18030)
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
void enc_bad_content(struct em_buf *b, const struct em_order *o)
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
pid_t spawn(const char *dir, char *const argv[], const char *locale, int *stdin_fd, bool quiet)
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

void wait_ok(pid_t pid, const char *what)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			em_die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		em_die("%s failed (exit status %d)", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

void run(const char *dir, char *const argv[], const char *locale)
{
	wait_ok(spawn(dir, argv, locale, NULL, false), argv[0]);
}

void set_mtime(const char *path)
{
	struct timespec ts[2] = {{FIXED_MTIME, 0}, {FIXED_MTIME, 0}};

	if (utimensat(AT_FDCWD, path, ts, 0))
		em_die("cannot set the time of '%s': %s", path, strerror(errno));
}

void rm_rf_flat(const char *dir, char **names, size_t n)
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
void zip_files(const char *dir, char **names, size_t n, const char *zippath)
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
PGconn *pg_open(const char *db, const char *client_encoding)
{
	const char *keys[] = {"dbname", "client_encoding", "connect_timeout", NULL};
	const char *vals[] = {db, client_encoding, "10", NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);

	if (PQstatus(c) != CONNECTION_OK)
		em_die("cannot connect to postgresql database '%s' (PGHOST=%s): %s", db, env_or("PGHOST", "(default)"),
		       PQerrorMessage(c));
	return c;
}

void pg_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		em_die("postgresql: %s\n  %.200s", PQerrorMessage(c), sql);
	PQclear(r);
}

char *pg_value(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	char *v;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		em_die("postgresql: %s\n  %.200s", PQerrorMessage(c), sql);
	v = em_xstrdup(PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

void quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* drop and create a database; encoding UTF8 or SQL_ASCII */
PGconn *pg_recreate(const char *db, const char *encoding)
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


void copy_begin(struct pgcopy *cp, PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COPY_IN)
		em_die("postgresql: %s\n  %s", PQerrorMessage(c), sql);
	PQclear(r);
	cp->c = c;
	cp->b.len = 0;
	cp->first = true;
}

void copy_flush(struct pgcopy *cp)
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

void copy_field(struct pgcopy *cp, const char *p, size_t n, bool null)
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

void copy_str(struct pgcopy *cp, const char *s)
{
	copy_field(cp, s ? s : "", s ? strlen(s) : 0, s == NULL);
}

void copy_buf(struct pgcopy *cp, const struct em_buf *b, bool null)
{
	copy_field(cp, b->p ? b->p : "", b->len, null);
}

void copy_u64(struct pgcopy *cp, uint64_t v)
{
	char t[24];

	snprintf(t, sizeof(t), "%llu", (unsigned long long)v);
	copy_str(cp, t);
}

void copy_time(struct pgcopy *cp, int64_t t, bool null)
{
	char s[20];

	if (null) {
		copy_field(cp, "", 0, true);
		return;
	}
	em_fmt_iso(t, s);
	copy_str(cp, s);
}

void copy_row_end(struct pgcopy *cp)
{
	em_buf_addc(&cp->b, '\n');
	cp->first = true;
	if (cp->b.len > (1u << 20))
		copy_flush(cp);
}

void copy_end(struct pgcopy *cp)
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

void sqlite_open(struct sqlite *q, const char *path)
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
void sql_text(FILE *f, const char *p, size_t n, bool null)
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

void sql_str(FILE *f, const char *s)
{
	sql_text(f, s ? s : "", s ? strlen(s) : 0, s == NULL);
}

/* the columns every SQLite system writes first, each followed by a comma:
 * legacy id, received (as the system typed it), caller, two phones and the
 * ID number as typed, address, title, content (an undecodable content was
 * pasted from a GBK document: GBK bytes, never valid UTF-8); b: scratch */
void sql_order_common(FILE *f, const struct em_order *o, const char *received, struct em_buf *b)
{
	const struct em_text *t[] = {&o->f[EF_NAME], &o->phone[0].raw, &o->phone[1].raw, &o->idno.raw, &o->f[EF_ADDR],
				     &o->f[EF_TITLE]};

	sql_str(f, o->legacy_id);
	fputc(',', f);
	sql_str(f, received);
	fputc(',', f);
	for (size_t i = 0; i < EM_ARRLEN(t); i++) {
		sql_text(f, t[i]->s, t[i]->len, t[i]->null);
		fputc(',', f);
	}
	if (o->fault == EM_F_UNDECODABLE) {
		b->len = 0;
		if (!em_to_gbk(o->f[EF_CONTENT].s, o->f[EF_CONTENT].len, b, false))
			em_die("internal: not GBK");
		if (em_utf8_valid(b->p, b->len))
			em_buf_adds(b, "\xFF");
		sql_text(f, b->p, b->len, false);
	} else {
		sql_text(f, o->f[EF_CONTENT].s, o->f[EF_CONTENT].len, false);
	}
	fputc(',', f);
}

void sqlite_close(struct sqlite *q)
{
	if (fclose(q->f))
		em_die("writing to sqlite3 failed: %s", strerror(errno));
	wait_ok(q->pid, "sqlite3");
}

/* ------------------------------------------------------------------ */
/* xlsx workbooks (written with libarchive)                              */

void xml_esc(struct em_buf *b, const char *s, size_t n)
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

void x_ref(struct xlsx *x, char ref[16])
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

void x_row(struct xlsx *x)
{
	if (x->row)
		em_buf_adds(&x->sheet, "</row>\n");
	if (++x->row > 1048576)
		em_die("a year of zr12336 has more rows than an Excel sheet holds (1048576): use a smaller --scale");
	x->col = 0;
	em_buf_addf(&x->sheet, "<row r=\"%u\">", x->row);
}

/* a text cell (shared string); NULL: no cell */
void x_str(struct xlsx *x, const char *s, size_t n, bool null)
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

void x_strs(struct xlsx *x, const char *s)
{
	x_str(x, s ? s : "", s ? strlen(s) : 0, s == NULL);
}

void x_text(struct xlsx *x, const struct em_text *t)
{
	x_str(x, t->s, t->len, t->null);
}

/* a number cell, written as given; style 0 general, 1 date, 2 date-time */
void x_num(struct xlsx *x, const char *v, int style)
{
	char ref[16];

	x_ref(x, ref);
	if (style)
		em_buf_addf(&x->sheet, "<c r=\"%s\" s=\"%d\"><v>%s</v></c>", ref, style, v);
	else
		em_buf_addf(&x->sheet, "<c r=\"%s\"><v>%s</v></c>", ref, v);
	x->col++;
}

void x_skip(struct xlsx *x)
{
	x->col++;
}

/* an Excel serial (1900 system) for a local time: days since 1899-12-30 */
void excel_serial(int64_t t, bool with_time, char out[32])
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

void ar_entry(struct archive *a, const char *name, const void *p, size_t n)
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

void xlsx_save(struct xlsx *x, const char *path, const char *sheet_name)
{
	xlsx_save_ex(x, path, sheet_name, NULL, NULL, 0);
}

/* views: a <sheetViews> element (frozen panes) or NULL; merges: the sheet's
 * merged ranges ("A1:C1"), written after <sheetData> as Excel does */
void xlsx_save_ex(struct xlsx *x, const char *path, const char *sheet_name, const char *views,
		  const char *const *merges, size_t nmerges)
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
	/* cellXfs: 0 General, 1 built-in 14 (date), 2 built-in 22 (date and
	 * time), 3 General centred with a border (a hand-kept sheet's header) */
	static const char *const STYLES =
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
		"<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"宋体\"/><charset val=\"134\"/></font></fonts>"
		"<fills count=\"1\"><fill><patternFill patternType=\"none\"/></fill></fills>"
		"<borders count=\"2\"><border/><border><left style=\"thin\"/><right style=\"thin\"/><top style=\"thin\"/>"
		"<bottom style=\"thin\"/></border></borders>"
		"<cellStyleXfs count=\"1\"><xf numFmtId=\"0\"/></cellStyleXfs>"
		"<cellXfs count=\"4\"><xf numFmtId=\"0\" xfId=\"0\"/><xf numFmtId=\"14\" xfId=\"0\" applyNumberFormat=\"1\"/>"
		"<xf numFmtId=\"22\" xfId=\"0\" applyNumberFormat=\"1\"/>"
		"<xf numFmtId=\"0\" borderId=\"1\" xfId=\"0\" applyBorder=\"1\" applyAlignment=\"1\">"
		"<alignment horizontal=\"center\" vertical=\"center\" wrapText=\"1\"/></xf></cellXfs>"
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
			    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">");
	if (views)
		em_buf_adds(&sheet, views);
	em_buf_adds(&sheet, "<sheetData>\n");
	em_buf_add(&sheet, x->sheet.p, x->sheet.len);
	em_buf_adds(&sheet, "</sheetData>");
	if (nmerges) {
		em_buf_addf(&sheet, "<mergeCells count=\"%zu\">", nmerges);
		for (size_t i = 0; i < nmerges; i++)
			em_buf_addf(&sheet, "<mergeCell ref=\"%s\"/>", merges[i]);
		em_buf_adds(&sheet, "</mergeCells>");
	}
	em_buf_adds(&sheet, "</worksheet>\n");
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



void put_le16(unsigned char *p, unsigned v) { p[0] = (unsigned char)(v & 0xff); p[1] = (unsigned char)(v >> 8); }
void put_le32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i)); }
void put_be32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * (3 - i))); }

void dbf_header(struct dbf *d)
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

void dbf_open(struct dbf *d, const char *dir, const char *name, const char *memo, struct dbf_field *fl,
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

void dbf_rec(struct dbf *d, bool deleted)
{
	memset(d->rec, ' ', d->reclen);
	d->rec[0] = deleted ? '*' : ' ';
}

unsigned dbf_col(struct dbf *d, const char *name)
{
	for (unsigned i = 0; i < d->nf; i++)
		if (!strcmp(d->fl[i].name, name))
			return i;
	em_die("internal: no DBF field %s", name);
}

/* character data, left-justified (the bytes must fit) */
void dbf_c(struct dbf *d, const char *name, const void *p, size_t n)
{
	struct dbf_field *f = &d->fl[dbf_col(d, name)];

	if (n > f->len)
		em_die("internal: %zu bytes for DBF field %s(%u)", n, f->name, f->len);
	memcpy(d->rec + f->off, p, n);
}

/* numbers and dates, right-justified text */
void dbf_n(struct dbf *d, const char *name, const char *s)
{
	struct dbf_field *f = &d->fl[dbf_col(d, name)];
	size_t n = strlen(s);

	if (n > f->len)
		em_die("internal: value too wide for DBF field %s", f->name);
	memcpy(d->rec + f->off + f->len - n, s, n);
}

/* a text memo: an 8-byte block header (type 1, length), the bytes, padding */
void dbf_memo(struct dbf *d, const char *name, const void *p, size_t n)
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

void dbf_end_rec(struct dbf *d)
{
	if (fwrite(d->rec, 1, d->reclen, d->f) != d->reclen)
		em_die("cannot write the DBF: %s", strerror(errno));
	d->nrec++;
}

void dbf_close(struct dbf *d)
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
void csv_field(struct em_buf *b, const char *p, size_t n, bool first)
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

/* the request-type or other code table of a system must say what the
 * generator means: legacy[i] -> unified[i] */
void check_codes(const char *code, const char *file, const char *const *legacy, const char *const *unified,
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
FILE *cross_open(const char *dir)
{
	FILE *f;

	em_mkdir_p(dir);
	f = em_fopen(dir, "cross.tsv", "w");
	fprintf(f, "#seed %llu scale %llu\n", (unsigned long long)g_seed, (unsigned long long)g_scale);
	return f;
}

void cross_line(FILE *f, const struct em_order *o)
{
	char t[20];

	em_fmt_iso(o->t, t);
	fprintf(f, "%d\t%s\t%s\t%s\n", o->cross_pair, o->legacy_id, o->phone[0].norm, t);
}

/* ------------------------------------------------------------------ */
/* common to every system                                              */
/* ------------------------------------------------------------------ */
struct em_cross *g_cross;
size_t g_ncross;

void sys_begin(struct em_sys *s, const struct em_desc *d, const char *dir, const char *wo_table)
{
	em_mkdir_p(dir);
	em_sys_init(s, d, g_seed, g_scale, g_pbdir, dir);
	s->truth.d = d;
	s->truth.seed = g_seed;
	s->truth.scale = g_scale;
	em_table_add(&s->truth, wo_table, "work_order", dir, "intended.tsv");
}

void sys_end(struct em_sys *s, const char *dir)
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
void fx_common(const struct em_sys *s, const struct em_order *o, struct em_fx *fx, bool contact)
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
void fx_blank_date(struct em_fx *fx)
{
	em_fx_fix(fx, "invalid_date_null");
}

