/* migrate/cmd_rejects.c: `migrate rejects export|replay` (docs/rejects.md).
 *
 * export writes a system's rejects, one JSON object a line, for the
 * department to correct: the original bytes, the provenance, the reason,
 * and every column as text (decoded in its declared encoding) or hex.
 * replay runs the playbook's pipeline with the source replaced by the
 * replay driver (extractors/replay.c) reading the corrected file, so the
 * records go through decode, transform and load with a ledger of their own.
 */
#include <fcntl.h>
#include <iconv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate/builtin.h"
#include "migrate/pipeline.h"
#include "migrate/report.h"
#include "transform/decode.h"

static void close_store(void *arg)
{
	pgstore_close(arg);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* PostgreSQL's hex text (no \x) to bytes. */
static int unhex(const char *h, struct mg_buf *out, struct mg_err *e)
{
	buf_reset(out);
	for (; h[0] && h[1]; h += 2)
		if (buf_addc(out, hexval(h[0]) * 16 + hexval(h[1]), e))
			return -1;
	return 0;
}

static json_t *hex_json(const unsigned char *p, size_t n)
{
	static const char dig[] = "0123456789abcdef";
	char *h = malloc(2 * n + 1);
	json_t *j;

	if (!h)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		h[2 * i] = dig[p[i] >> 4];
		h[2 * i + 1] = dig[p[i] & 15];
	}
	h[2 * n] = '\0';
	j = json_stringn(h, 2 * n);
	free(h);
	return j;
}

/* Printable ASCII (and tab, newline, return): reads the same in every
 * encoding the tool knows but UTF-16. */
static int plain_ascii(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] > 0x7e || (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r'))
			return 0;
	return 1;
}

static const char *column_encoding(const struct pb_table *t, const char *col)
{
	for (yaml_node_pair_t *p = pb_pairs_begin(t->encodings); p && p < pb_pairs_end(t->encodings); p++) {
		const char *k = pb_scalar(pb_node(t->pb, p->key));

		if (k && !strcmp(k, col) && pb_scalar(pb_node(t->pb, p->value)))
			return pb_scalar(pb_node(t->pb, p->value));
	}
	return t->encoding ? t->encoding : "utf-8";
}

/* The value as text when decoding it in enc and encoding the text back
 * gives the same bytes (so that a replay of the unchanged text gives the
 * original bytes); NULL otherwise. */
static json_t *text_json(const char *enc, const unsigned char *p, size_t n, struct mg_buf *tmp, struct mg_err *e)
{
	struct mg_decoder d;
	size_t bad;
	json_t *j = NULL;

	if (!enc)
		return plain_ascii(p, n) ? json_stringn((const char *)p, n) : NULL;
	if (decoder_open(&d, enc, e))
		return NULL;
	buf_reset(tmp);
	if (decoder_run(&d, p, n, tmp, &bad, e) == 0 && utf8_valid_prefix(tmp->ptr ? tmp->ptr : (const unsigned char *)"", tmp->len) == tmp->len) {
		if (d.passthrough) {
			j = json_stringn(tmp->len ? (const char *)tmp->ptr : "", tmp->len);
		} else {
			iconv_t cd = iconv_open(d.name, "UTF-8");

			if (cd != (iconv_t)-1) {
				size_t cap = 4 * tmp->len + 16, left = tmp->len, room = cap;
				char *back = malloc(cap), *ip = (char *)tmp->ptr, *op = back;

				if (back && iconv(cd, &ip, &left, &op, &room) != (size_t)-1 &&
				    iconv(cd, NULL, NULL, &op, &room) != (size_t)-1 && (size_t)(op - back) == n &&
				    !memcmp(back, p, n))
					j = json_stringn(tmp->len ? (const char *)tmp->ptr : "", tmp->len);
				free(back);
				iconv_close(cd);
			}
		}
	}
	decoder_close(&d);
	mg_err_clear(e);
	return j;
}

/* The canonical raw row ('N' or 'V'<len>':'<bytes> per column) as the
 * "columns" array, or NULL if raw is not in that form for these columns. */
static json_t *columns_json(const struct mg_buf *raw, json_t *names, const struct pb_table *t, int have_pb,
			    struct mg_buf *tmp, struct mg_err *e)
{
	json_t *arr = json_array();
	size_t pos = 0, n = raw->len;
	const unsigned char *p = raw->ptr;

	if (!arr || !json_is_array(names))
		goto bad;
	for (size_t i = 0; i < json_array_size(names); i++) {
		const char *name = json_string_value(json_array_get(names, i));
		json_t *col = json_object(), *v;
		unsigned long long len = 0;

		if (!col || !name) {
			json_decref(col);
			goto bad;
		}
		json_object_set_new(col, "name", json_string(name));
		json_array_append_new(arr, col);
		if (pos < n && p[pos] == 'N') {
			json_object_set_new(col, "text", json_null());
			pos++;
			continue;
		}
		if (pos >= n || p[pos] != 'V')
			goto bad;
		for (pos++; pos < n && p[pos] >= '0' && p[pos] <= '9' && len <= n; pos++)
			len = len * 10 + (unsigned)(p[pos] - '0');
		if (pos >= n || p[pos] != ':' || len > n - pos - 1)
			goto bad;
		pos++;
		v = text_json(have_pb ? (t ? column_encoding(t, name) : NULL) : NULL, p + pos, (size_t)len, tmp, e);
		if (v)
			json_object_set_new(col, "text", v);
		else
			json_object_set_new(col, "hex", hex_json(p + pos, (size_t)len));
		pos += (size_t)len;
	}
	if (pos == n)
		return arr;
bad:
	json_decref(arr);
	return NULL;
}

static int usage(void)
{
	return usage_error("rejects", "usage: migrate rejects export --system CODE [--run RUN] [--table T]"
			   " [--playbook PLAYBOOK] --out FILE [--store CONNINFO]\n"
			   "       migrate rejects replay FILE --playbook PLAYBOOK [--store CONNINFO] [--json]");
}

static int rejects_export(int argc, char **argv)
{
	const char *store = NULL, *system = NULL, *run = NULL, *table = NULL, *out = NULL, *pbpath = NULL;
	const char *p[3];
	struct playbook *pb = NULL;
	struct pgstore s;
	struct mg_err e = {0};
	struct mg_buf raw, key, tmp;
	PGresult *r;
	FILE *f;
	unsigned long long count = 0;
	char runbuf[24];
	int rc = EXIT_OK, fd;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--system") && i + 1 < argc)
			system = argv[++i];
		else if (!strcmp(argv[i], "--run") && i + 1 < argc)
			run = argv[++i];
		else if (!strcmp(argv[i], "--table") && i + 1 < argc)
			table = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--playbook") && i + 1 < argc)
			pbpath = argv[++i];
		else
			return usage_error("rejects", "export: unknown option or missing value '%s'", argv[i]);
	}
	if (!system || !out)
		return usage_error("rejects", "export needs --system CODE and --out FILE");
	if (run && strspn(run, "0123456789") != strlen(run))
		return usage_error("rejects", "--run needs a run number");
	if (pbpath && playbook_load(&pb, pbpath, &e)) {
		playbook_free(pb);
		return die_err(&e);
	}
	if (pb && strcmp(pb->system.code, system)) {
		fprintf(stderr, "migrate: error: playbook '%s' is for system '%s', not '%s'\n", pbpath,
			pb->system.code, system);
		playbook_free(pb);
		return EXIT_USAGE;
	}
	if (pgstore_connect(&s, store_conninfo(store), &e)) {
		playbook_free(pb);
		return die_err(&e);
	}
	cleanup_push(close_store, &s);
	if (pgstore_require_schema(&s, &e)) {
		playbook_free(pb);
		return die_err(&e);
	}
	p[0] = system;
	if (!run) {
		/* the newest finished run: the rejects as the system stands */
		if (pgstore_exec(&s, "SELECT max(id) FROM migration.run WHERE source_system = $1 AND status = 'finished'",
				 1, p, &r, &e)) {
			playbook_free(pb);
			return die_err(&e);
		}
		if (PQgetisnull(r, 0, 0)) {
			PQclear(r);
			playbook_free(pb);
			cleanup_run();
			fprintf(stderr, "migrate: error: system '%s' has no finished run\n", system);
			return EXIT_FAILED;
		}
		snprintf(runbuf, sizeof(runbuf), "%s", PQgetvalue(r, 0, 0));
		run = runbuf;
		PQclear(r);
	}
	p[1] = run;
	p[2] = table;
	/* personal data: readable by its owner only, never over another file */
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		if (fd >= 0)
			close(fd);
		playbook_free(pb);
		cleanup_run();
		fprintf(stderr, "migrate: error: cannot create '%s' (it must not exist yet): %m\n", out);
		return EXIT_FAILED;
	}
	buf_init(&raw, 0, "raw");
	buf_init(&key, 0, "key");
	buf_init(&tmp, 0, "text");
	/* one row at a time: the rejects of a system may be many */
	if (!PQsendQueryParams(s.conn, "SELECT r.id, r.run_id, r.source_system, r.source_table, r.stage, r.reason,"
			       " r.detail, encode(r.legacy_key, 'hex'), r.line, r.byte_offset, encode(r.raw, 'hex'),"
			       " array_to_json(t.columns), t.source_table FROM migration.reject r LEFT JOIN LATERAL"
			       /* the playbook table of a reject: a reject names where its record came
				* from (a database's schema.table, a file), the run its tables */
			       " (SELECT u.source_table, u.columns FROM migration.run_table u WHERE u.run_id = r.run_id"
			       " AND (u.source_table = r.source_table OR right(r.source_table, length(u.source_table) + 1) = '.' || u.source_table"
			       " OR (SELECT count(*) FROM migration.run_table v WHERE v.run_id = r.run_id) = 1)"
			       " ORDER BY u.source_table = r.source_table DESC LIMIT 1) t ON true WHERE r.source_system = $1"
			       " AND r.run_id = $2::bigint AND ($3::text IS NULL OR r.source_table = $3) ORDER BY r.id",
			       3, NULL, p, NULL, NULL, 0) || !PQsetSingleRowMode(s.conn)) {
		mg_err_set(&e, MG_E_STORE, "cannot read the rejects: %s", mg_chomp(PQerrorMessage(s.conn)));
		rc = -1;
	}
	while (rc == 0 && (r = PQgetResult(s.conn))) {
		json_t *o, *names, *cols;
		const struct pb_table *t = NULL;
		const char *tname;
		char *line;

		if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			PQclear(r);
			continue;
		}
		if (PQresultStatus(r) != PGRES_SINGLE_TUPLE) {
			mg_err_set(&e, MG_E_STORE, "cannot read the rejects: %s", mg_chomp(PQresultErrorMessage(r)));
			PQclear(r);
			rc = -1;
			break;
		}
		tname = PQgetisnull(r, 0, 12) ? PQgetvalue(r, 0, 3) : PQgetvalue(r, 0, 12);
		for (unsigned i = 0; pb && i < pb->ntables; i++)
			if (!strcmp(pb->tables[i].name, tname))
				t = &pb->tables[i];
		if (unhex(PQgetvalue(r, 0, 10), &raw, &e) || unhex(PQgetvalue(r, 0, 7), &key, &e)) {
			PQclear(r);
			rc = -1;
			break;
		}
		o = json_object();
		json_object_set_new(o, "id", json_integer(atoll(PQgetvalue(r, 0, 0))));
		json_object_set_new(o, "run", json_integer(atoll(PQgetvalue(r, 0, 1))));
		json_object_set_new(o, "system", json_string(PQgetvalue(r, 0, 2)));
		json_object_set_new(o, "table", json_string(tname));
		json_object_set_new(o, "origin", json_string(PQgetvalue(r, 0, 3)));
		json_object_set_new(o, "stage", json_string(PQgetvalue(r, 0, 4)));
		json_object_set_new(o, "reason", json_string(PQgetvalue(r, 0, 5)));
		json_object_set_new(o, "detail", PQgetisnull(r, 0, 6) ? json_null() : json_string(PQgetvalue(r, 0, 6)));
		if (utf8_valid_prefix(key.ptr ? key.ptr : (const unsigned char *)"", key.len) == key.len)
			json_object_set_new(o, "key", json_stringn(key.len ? (const char *)key.ptr : "", key.len));
		else
			json_object_set_new(o, "key_hex", json_string(PQgetvalue(r, 0, 7)));
		json_object_set_new(o, "line", PQgetisnull(r, 0, 8) ? json_null() : json_integer(atoll(PQgetvalue(r, 0, 8))));
		json_object_set_new(o, "offset", PQgetisnull(r, 0, 9) ? json_null() : json_integer(atoll(PQgetvalue(r, 0, 9))));
		names = PQgetisnull(r, 0, 11) ? NULL : json_loads(PQgetvalue(r, 0, 11), 0, NULL);
		/* an extract reject holds the record as the driver read it, not in columns */
		cols = strcmp(PQgetvalue(r, 0, 4), "extract") ? columns_json(&raw, names, t, pb != NULL, &tmp, &e) : NULL;
		json_object_set_new(o, "columns", cols ? cols : json_null());
		json_object_set_new(o, "raw", json_string(PQgetvalue(r, 0, 10)));
		json_decref(names);
		PQclear(r);
		line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (!line) {
			mg_err_set(&e, MG_E_NOMEM, "cannot write a reject as JSON");
			rc = -1;
			break;
		}
		fputs(line, f);
		fputc('\n', f);
		free(line);
		count++;
	}
	while (rc && (r = PQgetResult(s.conn)))
		PQclear(r);
	buf_release(&raw);
	buf_release(&key);
	buf_release(&tmp);
	playbook_free(pb);
	if (fclose(f) && rc == 0)
		rc = mg_err_set(&e, MG_E_IO, "cannot write '%s': %m", out);
	if (rc) {
		unlink(out);
		return die_err(&e);
	}
	cleanup_run();
	printf("%llu rejects of %s (run %s) written to %s\n", count, system, run, out);
	printf("warning: %s holds personal data unmasked (callers' names, phones, addresses) so that it can be"
	       " corrected: keep it within the department, and delete it once replayed\n", out);
	return EXIT_OK;
}

/* After a replay: mark the rejects whose records the run loaded, if the
 * store has the column (migration.reject.replayed_by). Returns the count, or -1. */
static long long mark_replayed(struct pgstore *s, const char *file, long long run_id, struct mg_err *e)
{
	PGresult *r;
	FILE *f;
	char id[24], *line = NULL;
	size_t cap = 0;
	struct mg_buf ids;
	long long n = 0;
	const char *p[2];

	if (pgstore_exec(s, "SELECT 1 FROM information_schema.columns WHERE table_schema = 'migration'"
			 " AND table_name = 'reject' AND column_name = 'replayed_by'", 0, NULL, &r, e))
		return -1;
	n = PQntuples(r);
	PQclear(r);
	if (!n)
		return 0;
	f = fopen(file, "rb");
	if (!f)
		return mg_err_set(e, MG_E_IO, "cannot open '%s': %m", file);
	buf_init(&ids, 0, "reject ids");
	buf_addc(&ids, '{', e);
	while (getline(&line, &cap, f) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		json_t *j = json_object_get(o, "id");

		if (json_is_integer(j))
			buf_printf(&ids, e, "%s%lld", ids.len > 1 ? "," : "", (long long)json_integer_value(j));
		json_decref(o);
	}
	free(line);
	fclose(f);
	buf_addc(&ids, '}', e);
	snprintf(id, sizeof(id), "%lld", run_id);
	p[0] = id;
	p[1] = buf_cstr(&ids);
	/* loaded by this run (or merged into a record of it), not rejected again */
	n = -1;
	if (!mg_err_isset(e) &&
	    !pgstore_exec(s, "UPDATE migration.reject r SET replayed_by = $1::bigint WHERE r.id = ANY($2::bigint[])"
			  " AND r.replayed_by IS NULL AND NOT EXISTS (SELECT 1 FROM migration.reject n WHERE"
			  " n.run_id = $1::bigint AND n.source_table = r.source_table AND n.legacy_key IS NOT DISTINCT"
			  " FROM r.legacy_key)", 2, p, &r, e)) {
		n = atoll(PQcmdTuples(r));
		PQclear(r);
	}
	buf_release(&ids);
	return n;
}

static int rejects_replay(int argc, char **argv)
{
	const char *store = NULL, *file = NULL, *pbpath = NULL;
	int json = 0, rc;
	struct pipeline_opts o;
	struct pipeline_result res;
	struct playbook *pb = NULL;
	struct pgstore s;
	struct mg_err e = {0};
	struct report rep;
	PGresult *r;
	const char *p[2];
	char id[24], note[1200];
	long long marked;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--playbook") && i + 1 < argc)
			pbpath = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] == '-')
			return usage_error("rejects", "replay: unknown option or missing value '%s'", argv[i]);
		else if (!file)
			file = argv[i];
		else
			return usage_error("rejects", "replay: one file at a time (got '%s' too)", argv[i]);
	}
	if (!file || !pbpath)
		return usage_error("rejects", "replay needs FILE and --playbook PLAYBOOK");
	if (access(file, R_OK)) {
		fprintf(stderr, "migrate: error: cannot read '%s': %m\n", file);
		return EXIT_FAILED;
	}
	if (playbook_load(&pb, pbpath, &e)) {
		if (pb && pb->ndiags > 1)
			fputs(buf_cstr(&pb->diags), stderr);
		playbook_free(pb);
		return die_err(&e);
	}
	/* the same pipeline, the source replaced: the file's lines are the
	 * source; a partial run (no stale check: drop_folder), never an
	 * incremental one (the system's watermark is not moved) */
	pb->driver = "replay";
	for (unsigned i = 0; i < pb->ntables; i++) {
		pb->tables[i].drop_folder = 1;
		pb->tables[i].watermark = NULL;
	}
	if (setenv("MIGRATE_REPLAY_FILE", file, 1)) {
		playbook_free(pb);
		fprintf(stderr, "migrate: error: cannot set MIGRATE_REPLAY_FILE: %m\n");
		return EXIT_FAILED;
	}
	if (pgstore_connect(&s, store_conninfo(store), &e)) {
		playbook_free(pb);
		return die_err(&e);
	}
	cleanup_push(close_store, &s);
	/* a fresh run would supersede an interrupted run of the system: refuse */
	p[0] = pb->system.code;
	if (pgstore_require_schema(&s, &e) ||
	    pgstore_exec(&s, "SELECT id FROM migration.run WHERE source_system = $1 AND status IN ('running', 'failed')"
			 " ORDER BY id DESC LIMIT 1", 1, p, &r, &e)) {
		playbook_free(pb);
		return die_err(&e);
	}
	if (PQntuples(r)) {
		fprintf(stderr, "migrate: error: system '%s' has an unfinished run %s: finish it (migrate run) before"
			" replaying rejects\n", pb->system.code, PQgetvalue(r, 0, 0));
		PQclear(r);
		playbook_free(pb);
		cleanup_run();
		return EXIT_FAILED;
	}
	PQclear(r);
	memset(&o, 0, sizeof(o));
	o.version = MIGRATE_VERSION;
	o.fresh = 1;
	if (pipeline_run(pb, &s, &o, &res, &e)) {
		/* never resumed by a later `migrate run` of the playbook */
		if (res.run_id) {
			snprintf(id, sizeof(id), "%lld", res.run_id);
			p[0] = id;
			pgstore_exec(&s, "UPDATE migration.run SET status = 'superseded' WHERE id = $1::bigint AND"
				     " status IN ('running', 'failed')", 1, p, NULL, &(struct mg_err){0});
		}
		pipeline_result_release(&res);
		playbook_free(pb);
		return die_err(&e);
	}
	snprintf(id, sizeof(id), "%lld", res.run_id);
	snprintf(note, sizeof(note), "rejects replayed from '%s'", file);
	p[0] = id;
	p[1] = note;
	if (pgstore_exec(&s, "UPDATE migration.run SET message = concat_ws('; ', $2::text, message) WHERE id = $1::bigint",
			 2, p, NULL, &e)) {
		pipeline_result_release(&res);
		playbook_free(pb);
		return die_err(&e);
	}
	memset(&rep, 0, sizeof(rep));
	rep.run_id = res.run_id;
	rep.system = pb->system.code;
	rep.table = pb->ntables > 1 ? "(all)" : pb->tables[0].name;
	rep.mode = "replay";
	rep.seconds = res.seconds;
	rep.ledger = &res.ledger;
	rep.have_source = res.have_source;
	rep.have_target = res.have_target;
	rep.problems = res.problems;
	rep.problem_text = buf_cstr(&res.problem_text);
	rep.tables = res.tables;
	rep.ntables = res.ntables;
	if (report_print(stdout, json, &rep, &s, &e)) {
		pipeline_result_release(&res);
		playbook_free(pb);
		return die_err(&e);
	}
	rc = res.problems ? EXIT_UNBALANCED : EXIT_OK;
	marked = mark_replayed(&s, file, res.run_id, &e);
	if (marked < 0) {
		pipeline_result_release(&res);
		playbook_free(pb);
		return die_err(&e);
	}
	if (!json)
		fprintf(stderr, "%lld replayed rejects marked resolved by run %lld\n", marked, res.run_id);
	pipeline_result_release(&res);
	playbook_free(pb);
	cleanup_run();
	return rc;
}

/* declared weak in migrate/builtin.h once wired; here for -Wmissing-prototypes */
int cmd_rejects(int argc, char **argv);

int cmd_rejects(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "export"))
		return rejects_export(argc, argv);
	if (!strcmp(argv[1], "replay"))
		return rejects_replay(argc, argv);
	return usage();
}
