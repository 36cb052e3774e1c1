/* tests/unit/test_playbook.c: playbooks load, and every mistake is named
 * with file:line and what would be valid (migrate/playbook.h, with the
 * field checks of transform/plan.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/hash.h"
#include "migrate/playbook.h"

#define assert_contains(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) \
		fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", n_); \
} while (0)

static char dir[128];
static char spacedir[160];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void put(const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, text);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/hm-ut-playbook-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(spacedir, sizeof(spacedir), "%s/with space", dir);
	if (mkdir(spacedir, 0700))
		return -1;
	put("taxonomy.csv", "code,parent,level,name\n01,,1,城乡建设\n0103,01,2,市容环境卫生\n0199,01,2,其他\n");
	put("cats.csv", "legacy_code,legacy_name,unified_code\nCG0101,占道经营,0103\nCG0199,其他,0199\n");
	put("badcats.csv", "legacy_code,legacy_name,unified_code\nCG0101,占道经营,9999\n");
	put("status.csv", "legacy,unified\n01,受理\n02,办结\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct loaded {
	struct playbook *pb;
	struct mg_err e;
	int rc;
	char path[256];
};

/* The playbook a test has loaded: freed by the test, or by free_live after
 * a failed assertion (so that leak reports point at modules, not tests). */
static struct loaded *live;

static int free_live(void **state)
{
	(void)state;
	if (live) {
		playbook_free(live->pb);
		unlink(live->path);
		live = NULL;
	}
	return 0;
}

static void load_in(struct loaded *l, const char *d, const char *text)
{
	static int n;

	memset(l, 0, sizeof(*l));
	snprintf(l->path, sizeof(l->path), "%s/pb%d.yaml", d, n++);
	write_file(l->path, text);
	l->rc = playbook_load(&l->pb, l->path, &l->e);
	live = l;
	assert_non_null(l->pb); /* freed with playbook_free even after a failure */
}

static void load(struct loaded *l, const char *text)
{
	load_in(l, dir, text);
}

static void unload(struct loaded *l)
{
	playbook_free(l->pb);
	unlink(l->path);
	live = NULL;
}

static const char *diags(const struct loaded *l)
{
	return buf_cstr(&l->pb->diags);
}

/* The diagnostics hold "path:line: <want>". */
static void diag_at(const struct loaded *l, int line, const char *want)
{
	char head[600];
	const char *d = diags(l);

	snprintf(head, sizeof(head), "%s:%d: ", l->path, line);
	for (const char *p = d; (p = strstr(p, head)); p++) {
		const char *eol = strchr(p, '\n');

		if (!eol)
			eol = p + strlen(p);
		for (const char *q = p + strlen(head); q + strlen(want) <= eol; q++)
			if (!strncmp(q, want, strlen(want)))
				return;
	}
	fail_msg("no diagnostic '%s%s' in:\n%s(error: %s)", head, want, d, l->e.msg);
}

static void failed_with(const struct loaded *l, int line, const char *want)
{
	if (l->rc != -1)
		fail_msg("playbook loaded, but should fail with '%s'", want);
	assert_int_equal(l->e.code, MG_E_CONFIG);
	diag_at(l, line, want);
}

#define SYSTEM "system: {code: t_ut, hotline: \"12345\", name: test, department: test, mode: merge}\n"
#define SOURCE "source: {driver: mysql, database: legacy}\n"

/* A playbook with every part in a known line (1-based):
 * 1 system, 2 source, 3 tables:, 4 - name, 5 key, 6 encoding, 7 fields:, 8 legacy_id, 9 content */
#define VALID SYSTEM SOURCE \
	"tables:\n" \
	"  - name: gd_jbxx\n" \
	"    key: id\n" \
	"    encoding: gbk\n" \
	"    fields:\n" \
	"      legacy_id: gdbh\n" \
	"      content: sqnr\n"

static void valid_playbook_loads(void **state)
{
	struct loaded l;
	char hex[65];
	struct mg_hasher *h = hasher_new();

	(void)state;
	load(&l, VALID);
	if (l.rc)
		fail_msg("valid playbook refused: %s\n%s", l.e.msg, diags(&l));
	assert_int_equal(l.pb->ndiags, 0);
	assert_string_equal(diags(&l), "");
	assert_string_equal(l.pb->system.code, "t_ut");
	assert_string_equal(l.pb->system.hotline, "12345");
	assert_string_equal(l.pb->system.name, "test");
	assert_string_equal(l.pb->system.mode, "merge");
	assert_string_equal(l.pb->driver, "mysql");
	assert_non_null(l.pb->source);
	assert_int_equal(l.pb->ntables, 1);
	assert_string_equal(l.pb->tables[0].name, "gd_jbxx");
	assert_string_equal(l.pb->tables[0].key, "id");
	assert_string_equal(l.pb->tables[0].encoding, "gbk");
	assert_string_equal(l.pb->tables[0].target, "work_order");
	assert_int_equal(l.pb->tables[0].batch_rows, 1000);
	assert_int_equal(l.pb->tables[0].commit_rows, 20000);
	assert_int_equal(l.pb->tables[0].max_field_bytes, 16u << 20);
	assert_ptr_equal(l.pb->tables[0].pb, l.pb);
	assert_string_equal(l.pb->path, l.path);
	assert_string_equal(l.pb->dir, dir);
	/* the sha256 is of the file's bytes */
	assert_non_null(h);
	hasher_hex(h, VALID, strlen(VALID), hex);
	assert_string_equal(l.pb->sha256, hex);
	hasher_free(h);
	/* lines of nodes */
	assert_int_equal(pb_line(pb_get(l.pb, l.pb->tables[0].node, "encoding")), 6);
	assert_int_equal(pb_line(pb_get(l.pb, l.pb->tables[0].fields, "content")), 9);
	assert_null(pb_get(l.pb, l.pb->tables[0].node, "nothing"));
	assert_null(pb_scalar(l.pb->tables[0].fields));
	assert_string_equal(pb_scalar(pb_get(l.pb, l.pb->tables[0].fields, "legacy_id")), "gdbh");
	unload(&l);
}

static void pb_path_resolves_relative_to_the_playbook(void **state)
{
	struct loaded l;
	char *p, want[600];

	(void)state;
	load(&l, VALID);
	p = pb_path(l.pb, "maps/status.csv");
	snprintf(want, sizeof(want), "%s/maps/status.csv", dir);
	assert_string_equal(p, want);
	free(p);
	p = pb_path(l.pb, "/etc/abs.csv");
	assert_string_equal(p, "/etc/abs.csv");
	free(p);
	unload(&l);
}

static void malformed_yaml_names_the_line(void **state)
{
	struct loaded l;
	char want[1200];

	(void)state;
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: gd_jbxx\n"
	     "    key: id: more\n"        /* line 5: a mapping value where none may be */
	     "    encoding: gbk\n");
	assert_int_equal(l.rc, -1);
	assert_int_equal(l.e.code, MG_E_CONFIG);
	snprintf(want, sizeof(want), "%s:5: malformed YAML", l.path);
	assert_contains(l.e.msg, want);
	assert_int_equal(l.pb->ndiags, 1);
	unload(&l);

	load(&l, SYSTEM "source: {driver: mysql\n" "tables: []\n"); /* unclosed flow mapping */
	assert_int_equal(l.rc, -1);
	assert_contains(l.e.msg, "malformed YAML");
	unload(&l);
}

/* BUG(playbook.c playbook_load): the malformed-YAML diagnostic is added with
 * pb_diag(pb, NULL, ...), which always says line 1, so `migrate check`
 * (which prints pb->diags) shows "pb.yaml:1: malformed YAML: ..." while
 * e->msg has the right line. Fix: append e->msg itself to pb->diags
 * (buf_printf(&pb->diags, &tmp, "%s\n", e->msg); pb->ndiags++). */
static void bug_malformed_yaml_diag_has_the_line(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: gd_jbxx\n"
	     "    key: id: more\n"
	     "    encoding: gbk\n");
	failed_with(&l, 5, "malformed YAML");
	unload(&l);
}

static void missing_and_empty_files(void **state)
{
	struct playbook *pb = NULL;
	struct mg_err e = {0};
	struct loaded l;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/does-not-exist.yaml", dir);
	assert_int_equal(playbook_load(&pb, path, &e), -1);
	assert_int_equal(e.code, MG_E_IO);
	assert_contains(e.msg, "cannot open playbook");
	assert_contains(e.msg, path);
	playbook_free(pb);
	playbook_free(NULL);

	load(&l, "");
	failed_with(&l, 1, "a playbook must be a mapping with system, source and tables");
	unload(&l);
	load(&l, "- just\n- a list\n");
	failed_with(&l, 1, "a playbook must be a mapping");
	unload(&l);
}

static void oversized_playbook_is_refused(void **state)
{
	struct loaded l;
	size_t n = (4u << 20) + 100;
	char *big = malloc(n + 1);

	(void)state;
	assert_non_null(big);
	memset(big, '#', n);
	big[n] = '\0';
	for (size_t i = 80; i < n; i += 81)
		big[i] = '\n';
	load(&l, big);
	free(big);
	assert_int_equal(l.rc, -1);
	assert_int_equal(l.e.code, MG_E_LIMIT);
	assert_contains(l.e.msg, "playbook size");
	unload(&l);
}

static void unknown_top_level_key_lists_valid_keys(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, VALID "extras: 1\n");
	failed_with(&l, 10, "unknown key 'extras' in the playbook; valid keys: system, source, tables");
	assert_int_equal(l.pb->ndiags, 1);
	/* the error names the first problem with its place */
	assert_contains(l.e.msg, "unknown key 'extras'");
	assert_contains(l.e.msg, ":10:");
	unload(&l);
}

static void password_key_is_refused_with_hint(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, SYSTEM
	     "source:\n"
	     "  driver: mysql\n"
	     "  user: migrate\n"
	     "  password: secret\n"        /* line 5 */
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    fields: {legacy_id: id}\n");
	failed_with(&l, 5, "a password must not be written in a playbook");
	assert_contains(diags(&l), "password_env");
	assert_null(strstr(diags(&l), "secret")); /* the value is never echoed */
	assert_null(strstr(l.e.msg, "secret"));
	unload(&l);
	/* anywhere, not only in source */
	load(&l, VALID "password: x\n");
	failed_with(&l, 10, "a password must not be written");
	unload(&l);
}

static void unknown_source_key_lists_driver_options(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, SYSTEM
	     "source:\n"
	     "  driver: mysql\n"
	     "  hostname: db1\n"            /* line 4 */
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    fields: {legacy_id: id}\n");
	failed_with(&l, 4, "unknown key 'hostname' in mysql; valid keys: driver, host, port, socket");
	assert_contains(diags(&l), "password_env");
	unload(&l);
}

static void unknown_driver_lists_valid_ones(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, SYSTEM
	     "source: {driver: oracle}\n"
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    fields: {legacy_id: id}\n");
	failed_with(&l, 2, "unknown source driver 'oracle'; valid: mysql, postgresql, odbc, csv");
	unload(&l);
	load(&l, SYSTEM "source: {host: x}\n" "tables:\n  - name: t\n    encoding: utf-8\n    fields: {legacy_id: id}\n");
	failed_with(&l, 2, "source needs 'driver'");
	unload(&l);
	load(&l, SYSTEM "source: mysql\n" "tables:\n  - name: t\n    encoding: utf-8\n    fields: {legacy_id: id}\n");
	failed_with(&l, 2, "'source' must be a mapping");
	unload(&l);
}

static void system_mode_and_code_are_checked(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, "system:\n"
	     "  code: t_ut\n"
	     "  hotline: \"12345\"\n"
	     "  mode: big\n"                /* line 4 */
	     SOURCE
	     "tables:\n  - name: t\n    encoding: utf-8\n    fields: {legacy_id: id}\n");
	failed_with(&l, 4, "unknown mode 'big'; valid: merge, dual, subcenter");
	unload(&l);

	load(&l, "system:\n"
	     "  code: CG-12319\n"           /* line 2 */
	     "  hotline: \"12345\"\n"
	     "  mode: dual\n"
	     SOURCE
	     "tables:\n  - name: t\n    encoding: utf-8\n    fields: {legacy_id: id}\n");
	failed_with(&l, 2, "system code 'CG-12319' may hold only lowercase letters, digits and '_'");
	unload(&l);

	load(&l, "system:\n"
	     "  code: abcdefghijklmnopqrstuvwxyz_123456\n"
	     "  hotline: \"12345\"\n"
	     "  mode: subcenter\n"
	     SOURCE
	     "tables:\n  - name: t\n    encoding: utf-8\n    fields: {legacy_id: id}\n");
	failed_with(&l, 2, "is longer than 31 characters");
	unload(&l);

	load(&l, "system:\n"
	     "  hotline: \"12345\"\n"
	     "  mode: merge\n"
	     "  colour: red\n"              /* line 4 */
	     SOURCE
	     "tables:\n  - name: t\n    encoding: utf-8\n    fields: {legacy_id: id}\n");
	failed_with(&l, 2, "system needs 'code'"); /* the mapping starts at its first key */
	diag_at(&l, 4, "unknown key 'colour' in system; valid keys: code, hotline, name, department, mode");
	assert_true(l.pb->ndiags >= 2);
	assert_contains(l.e.msg, "more problems");
	unload(&l);
}

static void tables_must_be_a_nonempty_list(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, SYSTEM SOURCE "tables: []\n");
	failed_with(&l, 3, "'tables' must be a list of at least one table");
	unload(&l);
	load(&l, SYSTEM SOURCE);
	failed_with(&l, 1, "'tables' must be a list");
	unload(&l);
	load(&l, SYSTEM SOURCE "tables:\n  - just-a-name\n");
	failed_with(&l, 4, "each entry of 'tables' must be a mapping");
	unload(&l);
}

static void table_needs_legacy_id_and_known_fields(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    fields:\n"
	     "      content: sqnr\n");      /* line 7 */
	failed_with(&l, 7, "fields must map 'legacy_id'");
	unload(&l);

	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      colour: c\n");           /* line 8 */
	failed_with(&l, 8, "'colour' is not a field to map in work_order");
	unload(&l);

	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n");
	failed_with(&l, 4, "a table needs 'fields'");
	unload(&l);

	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    target: complaints\n"      /* line 5 */
	     "    encoding: utf-8\n"
	     "    fields: {legacy_id: id}\n");
	failed_with(&l, 5, "unknown target 'complaints'; valid: work_order");
	unload(&l);

	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    fields: {legacy_id: id}\n"
	     "    colour: x\n");             /* line 6 */
	failed_with(&l, 4, "a table needs 'encoding'");
	diag_at(&l, 6, "unknown key 'colour' in a table; valid keys: name, target, key, encoding");
	unload(&l);
}

static void unknown_encoding_lists_valid_names(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: ebcdic\n"        /* line 5 */
	     "    encodings: {title: klingon}\n" /* line 6 */
	     "    fields: {legacy_id: id}\n");
	failed_with(&l, 5, "unknown encoding 'ebcdic'; valid: utf-8, gbk");
	diag_at(&l, 6, "unknown encoding 'klingon'");
	unload(&l);
}

static void unknown_field_type_lists_valid_types(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      content: {column: sqnr, type: money}\n"); /* line 8 */
	failed_with(&l, 8, "unknown type 'money' for field 'content'; valid: text, datetime, phone, idno, category, code");
	unload(&l);

	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      content: {type: text}\n"
	     "      title: {column: bt, value: x}\n"
	     "      reply: {column: dfnr, colour: red}\n"
	     "      received_at: ldsj\n");              /* line 11 */
	failed_with(&l, 8, "field 'content' needs 'column'");
	diag_at(&l, 9, "field 'title' has both 'column' and 'value'");
	diag_at(&l, 10, "unknown key 'colour' in a field; valid keys: column, type");
	diag_at(&l, 11, "'received_at' is a timestamp: give it type: datetime");
	unload(&l);
}

static void bad_date_format_and_policies(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      received_at:\n"
	     "        column: ldsj\n"
	     "        type: datetime\n"
	     "        formats:\n"
	     "          - \"%Y-%m-%d\"\n"
	     "          - \"%Y-%q\"\n"                 /* line 13 */
	     "        zero: keep\n");                  /* line 14 */
	failed_with(&l, 13, "bad date format '%Y-%q'");
	diag_at(&l, 14, "'zero' must be null or reject, not 'keep'");
	unload(&l);

	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    dates: {zero: maybe}\n"              /* line 6 */
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      closed_at: {column: bjsj, type: datetime, formats: \"%Y\"}\n"); /* line 9 */
	failed_with(&l, 6, "dates.zero must be null or reject, not 'maybe'");
	diag_at(&l, 9, "'formats' must be a list");
	unload(&l);

	/* a format ending in a lone % */
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      closed_at: {column: bjsj, type: datetime, formats: [\"%Y%\"]}\n"); /* line 8 */
	failed_with(&l, 8, "bad date format '%Y%'");
	unload(&l);
}

static void category_and_code_tables(void **state)
{
	struct loaded l;

	(void)state;
	/* valid: category with taxonomy.csv beside the playbook, code with a table */
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: gbk\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      category_code: {column: wtlb, type: category, table: cats.csv, text_column: wtmc,\n"
	     "                      unmapped: default, default: \"0199\"}\n"
	     "      status: {column: blzt, type: code, table: status.csv, unmapped: keep}\n"
	     "      caller_phone: {column: ldhm, type: phone, invalid: reject}\n"
	     "      caller_id_no: {column: sfzh, type: idno}\n");
	if (l.rc)
		fail_msg("valid playbook refused: %s\n%s", l.e.msg, diags(&l));
	unload(&l);

	/* a unified code that is not in the taxonomy */
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: gbk\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      category_code: {column: wtlb, type: category, table: badcats.csv}\n"); /* line 8 */
	failed_with(&l, 8, "mapping table 'badcats.csv' maps 'CG0101' to '9999', which is not in the taxonomy");
	unload(&l);

	/* a default that is not in the taxonomy; unmapped: default without a default */
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: gbk\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      category_code: {column: wtlb, type: category, table: cats.csv, unmapped: default,\n"
	     "                      default: \"7777\"}\n");                                    /* line 8 */
	failed_with(&l, 8, "default category '7777' is not in the taxonomy");
	unload(&l);
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: gbk\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      category_code: {column: wtlb, type: category, table: cats.csv, unmapped: default}\n");
	failed_with(&l, 8, "says unmapped: default but gives no 'default' code");
	unload(&l);

	/* a missing table file; a category without a table; bad unmapped policies */
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: gbk\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      status: {column: blzt, type: code, table: nothere.csv}\n"           /* line 8 */
	     "      category_code: {column: wtlb, type: category}\n"                    /* line 9 */
	     "      satisfaction: {column: myd, type: code, table: status.csv, unmapped: default}\n" /* 10 */
	     "      request_type: {column: sqlx, type: text}\n");
	failed_with(&l, 8, "cannot open mapping table");
	diag_at(&l, 8, "nothere.csv");
	diag_at(&l, 9, "field 'category_code' of type category needs 'table'");
	diag_at(&l, 10, "'unmapped' must be keep or reject, not 'default'");
	unload(&l);

	/* category_code must be of type category */
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: gbk\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      category_code: wtlb\n");  /* line 8 */
	failed_with(&l, 8, "category_code needs type: category");
	unload(&l);

	/* a taxonomy named explicitly */
	put("tax2.csv", "code,parent,level,name\n0103,,1,x\n");
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: gbk\n"
	     "    fields:\n"
	     "      legacy_id: id\n"
	     "      category_code: {column: wtlb, type: category, table: cats.csv, taxonomy: tax2.csv}\n");
	failed_with(&l, 8, "maps 'CG0199' to '0199', which is not in the taxonomy");
	unload(&l);
}

static void table_numbers_are_bounded(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    batch_rows: 0\n"               /* line 6 */
	     "    commit_rows: 10000001\n"       /* line 7 */
	     "    max_field_bytes: 12abc\n"      /* line 8 */
	     "    fields: {legacy_id: id}\n");
	failed_with(&l, 6, "'batch_rows' must be a whole number from 1 to 100000");
	diag_at(&l, 7, "'commit_rows' must be a whole number from 1 to 10000000");
	diag_at(&l, 8, "'max_field_bytes' must be a whole number from 1 to 1073741824");
	assert_int_equal(l.pb->ndiags, 3);
	unload(&l);

	load(&l, SYSTEM SOURCE
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: utf-8\n"
	     "    batch_rows: 100000\n"
	     "    commit_rows: 1\n"
	     "    max_field_bytes: 1073741824\n"
	     "    fields: {legacy_id: id}\n");
	if (l.rc)
		fail_msg("bounds refused: %s", l.e.msg);
	assert_int_equal(l.pb->tables[0].batch_rows, 100000);
	assert_int_equal(l.pb->tables[0].commit_rows, 1);
	assert_int_equal(l.pb->tables[0].max_field_bytes, 1u << 30);
	unload(&l);
}

static void get_uint_bounds_and_defaults(void **state)
{
	struct loaded l;
	struct mg_err e = {0};
	unsigned long long v = 0;
	yaml_node_t *t;
	char want[1200];

	(void)state;
	load(&l, SYSTEM
	     "source:\n"
	     "  driver: mysql\n"
	     "  port: 3306\n"                /* line 4 */
	     "  host: \"-1\"\n"              /* line 5: used as a number below */
	     "  socket: \"18446744073709551616\"\n"
	     "  database: \"\"\n"
	     "  user: [a, b]\n"
	     "tables:\n  - name: t\n    encoding: utf-8\n    fields: {legacy_id: id}\n");
	if (l.rc)
		fail_msg("playbook refused: %s", l.e.msg);
	t = l.pb->source;
	assert_int_equal(pb_get_uint(l.pb, t, "port", 1, 65535, &v, &e), 0);
	assert_int_equal(v, 3306);
	assert_int_equal(pb_get_uint(l.pb, t, "port", 1, 3306, &v, &e), 0);  /* max itself is fine */
	assert_int_equal(pb_get_uint(l.pb, t, "absent", 77, 100, &v, &e), 0);
	assert_int_equal(v, 77);                                               /* default when absent */
	assert_int_equal(pb_get_uint(l.pb, t, "port", 1, 3305, &v, &e), -1);  /* over max */
	assert_int_equal(e.code, MG_E_CONFIG);
	snprintf(want, sizeof(want), "%s:4: 'port' must be a whole number from 1 to 3305", l.path);
	assert_string_equal(e.msg, want);
	mg_err_clear(&e);
	assert_int_equal(pb_get_uint(l.pb, t, "host", 1, 100, &v, &e), -1);   /* negative */
	mg_err_clear(&e);
	assert_int_equal(pb_get_uint(l.pb, t, "socket", 1, UINT64_MAX, &v, &e), -1); /* out of range */
	mg_err_clear(&e);
	assert_int_equal(pb_get_uint(l.pb, t, "database", 1, 100, &v, &e), -1); /* empty */
	mg_err_clear(&e);
	assert_int_equal(pb_get_uint(l.pb, t, "user", 1, 100, &v, &e), -1);   /* not a scalar */
	unload(&l);
}

static void env_variables_are_expanded(void **state)
{
	struct loaded l;
	struct mg_err e = {0};
	char *s = NULL, want[1200];
	yaml_node_t *t;

	(void)state;
	setenv("HM_UT_DB", "legacy_db", 1);
	setenv("HM_UT_EMPTY", "", 1);
	unsetenv("HM_UT_UNSET");
	load(&l, SYSTEM
	     "source:\n"
	     "  driver: mysql\n"
	     "  database: ${HM_UT_DB}\n"                 /* line 4 */
	     "  socket: /run/${HM_UT_DB}/${HM_UT_DB}.sock\n"
	     "  user: ${HM_UT_UNSET}\n"                  /* line 6 */
	     "  host: \"${}\"\n"                         /* line 7 */
	     "  port: $HM_UT_DB and ${unterminated\n"
	     "  option_file: ${HM_UT_UNSET:-fallback}\n"
	     "  password_env: ${HM_UT_EMPTY:-was_empty}\n"
	     "tables:\n  - name: t\n    encoding: utf-8\n    fields: {legacy_id: id}\n");
	if (l.rc)
		fail_msg("playbook refused: %s", l.e.msg);
	t = l.pb->source;
	assert_int_equal(pb_get_str(l.pb, t, "database", &s, &e), 0);
	assert_string_equal(s, "legacy_db");
	free(s);
	assert_int_equal(pb_get_str(l.pb, t, "socket", &s, &e), 0);
	assert_string_equal(s, "/run/legacy_db/legacy_db.sock");
	free(s);
	assert_int_equal(pb_get_str(l.pb, t, "port", &s, &e), 0);
	assert_string_equal(s, "$HM_UT_DB and ${unterminated");
	free(s);
	assert_int_equal(pb_get_str(l.pb, t, "option_file", &s, &e), 0);
	assert_string_equal(s, "fallback");
	free(s);
	assert_int_equal(pb_get_str(l.pb, t, "password_env", &s, &e), 0);
	assert_string_equal(s, "was_empty");
	free(s);
	assert_int_equal(pb_get_str(l.pb, t, "absent", &s, &e), 0);
	assert_null(s);
	assert_int_equal(e.code, MG_E_NONE);

	assert_int_equal(pb_get_str(l.pb, t, "user", &s, &e), -1);
	assert_null(s);
	assert_int_equal(e.code, MG_E_CONFIG);
	snprintf(want, sizeof(want), "environment variable 'HM_UT_UNSET' named at %s:6 is not set", l.path);
	assert_string_equal(e.msg, want);
	mg_err_clear(&e);
	assert_int_equal(pb_get_str(l.pb, t, "host", &s, &e), -1);
	snprintf(want, sizeof(want), "%s:7: bad variable reference", l.path);
	assert_string_equal(e.msg, want);
	mg_err_clear(&e);
	assert_int_equal(pb_get_str(l.pb, l.pb->tables[0].node, "fields", &s, &e), -1);
	assert_contains(e.msg, "'fields' must be a single value");
	unload(&l);
}

static void every_mistake_is_listed_and_the_first_is_the_error(void **state)
{
	struct loaded l;
	unsigned lines = 0;

	(void)state;
	load(&l, "system: {code: X, hotline: \"1\", mode: nope}\n"
	     "source: {driver: oracle}\n"
	     "tables:\n"
	     "  - name: t\n"
	     "    encoding: nope\n"
	     "    fields: {content: c}\n"
	     "extra: 1\n");
	assert_int_equal(l.rc, -1);
	for (const char *c = diags(&l); *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, l.pb->ndiags);
	assert_true(l.pb->ndiags >= 6);
	/* e names the first diagnostic and counts the others */
	{
		char first[1024];
		size_t n = strcspn(diags(&l), "\n");

		memcpy(first, diags(&l), n);
		first[n] = '\0';
		assert_contains(l.e.msg, first);
		assert_contains(l.e.msg, "more problems: run 'migrate check'");
	}
	unload(&l);
}

static void pb_diag_format(void **state)
{
	struct loaded l;
	char want[1200];

	(void)state;
	load(&l, VALID);
	pb_diag(l.pb, pb_get(l.pb, l.pb->tables[0].node, "key"), "column '%s' is odd", "id");
	pb_diag(l.pb, NULL, "no place");
	assert_int_equal(l.pb->ndiags, 2);
	snprintf(want, sizeof(want), "%s:5: column 'id' is odd\n%s:1: no place\n", l.path, l.path);
	assert_string_equal(diags(&l), want);
	unload(&l);
}

/* BUG(playbook.c check_table; same pattern in playbook_load): a bounded
 * number's message is re-diagnosed with strchr(e.msg, ' ') + 1 to drop the
 * "path:line: " head, which cuts at the first space of the PATH when the
 * playbook's directory name holds a space: the diagnostic becomes
 * "/tmp/x/with space/pb.yaml:6: space/pb.yaml:6: 'batch_rows' must be ...".
 * Fix: have pb_get_uint's callers format the message themselves, or skip
 * strlen(path) + the ":line: " head instead of searching for a space. */
static void bug_paths_with_spaces_keep_clean_diagnostics(void **state)
{
	struct loaded l;
	char want[1200];

	(void)state;
	load_in(&l, spacedir, SYSTEM SOURCE
		"tables:\n"
		"  - name: t\n"
		"    encoding: utf-8\n"
		"    batch_rows: 0\n"           /* line 6 */
		"    fields: {legacy_id: id}\n");
	assert_int_equal(l.rc, -1);
	snprintf(want, sizeof(want), "%s:6: 'batch_rows' must be a whole number from 1 to 100000\n", l.path);
	assert_string_equal(diags(&l), want);
	unload(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(valid_playbook_loads, free_live),
		cmocka_unit_test_teardown(pb_path_resolves_relative_to_the_playbook, free_live),
		cmocka_unit_test_teardown(malformed_yaml_names_the_line, free_live),
		cmocka_unit_test_teardown(bug_malformed_yaml_diag_has_the_line, free_live),
		cmocka_unit_test_teardown(missing_and_empty_files, free_live),
		cmocka_unit_test_teardown(oversized_playbook_is_refused, free_live),
		cmocka_unit_test_teardown(unknown_top_level_key_lists_valid_keys, free_live),
		cmocka_unit_test_teardown(password_key_is_refused_with_hint, free_live),
		cmocka_unit_test_teardown(unknown_source_key_lists_driver_options, free_live),
		cmocka_unit_test_teardown(unknown_driver_lists_valid_ones, free_live),
		cmocka_unit_test_teardown(system_mode_and_code_are_checked, free_live),
		cmocka_unit_test_teardown(tables_must_be_a_nonempty_list, free_live),
		cmocka_unit_test_teardown(table_needs_legacy_id_and_known_fields, free_live),
		cmocka_unit_test_teardown(unknown_encoding_lists_valid_names, free_live),
		cmocka_unit_test_teardown(unknown_field_type_lists_valid_types, free_live),
		cmocka_unit_test_teardown(bad_date_format_and_policies, free_live),
		cmocka_unit_test_teardown(category_and_code_tables, free_live),
		cmocka_unit_test_teardown(table_numbers_are_bounded, free_live),
		cmocka_unit_test_teardown(get_uint_bounds_and_defaults, free_live),
		cmocka_unit_test_teardown(env_variables_are_expanded, free_live),
		cmocka_unit_test_teardown(every_mistake_is_listed_and_the_first_is_the_error, free_live),
		cmocka_unit_test_teardown(pb_diag_format, free_live),
		cmocka_unit_test_teardown(bug_paths_with_spaces_keep_clean_diagnostics, free_live),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
