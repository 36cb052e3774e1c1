/* tests/unit/test_codemap.c: CSV record splitting and code tables load,
 * refuse their mistakes with file:line, and look up by exact bytes
 * (transform/codemap.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transform/codemap.h"

#define assert_contains(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) \
		fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", n_); \
} while (0)

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/hm-ut-codemap-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write bytes to dir/name; returns the path (static). */
static const char *put(const char *name, const void *p, size_t n)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char *puts_(const char *name, const char *s)
{
	return put(name, s, strlen(s));
}

/* ---- csv_split_line ---- */

static int split(const char *line, char **f, int max, char *store)
{
	strcpy(store, line);
	return csv_split_line(store, f, max);
}

static void split_plain_and_empty_fields(void **state)
{
	char s[256], *f[16];

	(void)state;
	assert_int_equal(split("a,b,c", f, 16, s), 3);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "b");
	assert_string_equal(f[2], "c");
	assert_int_equal(split("", f, 16, s), 1);
	assert_string_equal(f[0], "");
	assert_int_equal(split(",,", f, 16, s), 3);
	assert_string_equal(f[0], "");
	assert_string_equal(f[1], "");
	assert_string_equal(f[2], "");
	assert_int_equal(split("a,", f, 16, s), 2);
	assert_string_equal(f[1], "");
	assert_int_equal(split(" a , b ", f, 16, s), 2); /* spaces are data */
	assert_string_equal(f[0], " a ");
	assert_string_equal(f[1], " b ");
	assert_int_equal(split("城管,占道经营", f, 16, s), 2);
	assert_string_equal(f[1], "占道经营");
}

static void split_quoted_fields(void **state)
{
	char s[256], *f[16];

	(void)state;
	assert_int_equal(split("\"a,b\",c", f, 16, s), 2);
	assert_string_equal(f[0], "a,b");
	assert_string_equal(f[1], "c");
	assert_int_equal(split("\"say \"\"hi\"\"\",x", f, 16, s), 2);
	assert_string_equal(f[0], "say \"hi\"");
	assert_int_equal(split("\"\",\"\"\"\"", f, 16, s), 2);
	assert_string_equal(f[0], "");
	assert_string_equal(f[1], "\"");
	assert_int_equal(split("x,\"\"", f, 16, s), 2);
	assert_string_equal(f[1], "");
	assert_int_equal(split("\"a\"\"\",\"b,,c\",\"\"", f, 16, s), 3);
	assert_string_equal(f[0], "a\"");
	assert_string_equal(f[1], "b,,c");
	assert_string_equal(f[2], "");
}

static void split_malformed_is_refused(void **state)
{
	char s[256], *f[16];

	(void)state;
	assert_int_equal(split("\"unterminated", f, 16, s), -1);
	assert_int_equal(split("a,\"unterminated,b", f, 16, s), -1);
	assert_int_equal(split("\"a\"b,c", f, 16, s), -1);   /* text after the closing quote */
	assert_int_equal(split("\"a\" ,c", f, 16, s), -1);
	assert_int_equal(split("\"", f, 16, s), -1);
	assert_int_equal(split("a,b,c", f, 2, s), -1);       /* more fields than max */
	assert_int_equal(split("a,b", f, 2, s), 2);          /* exactly max */
}

/* ---- codemap_load ---- */

static struct codemap *load_ok(const char *path, const char *col)
{
	struct codemap *m = NULL;
	struct mg_err e = {0};

	if (codemap_load(&m, path, col, &e))
		fail_msg("codemap_load('%s') failed: %s", path, e.msg);
	assert_non_null(m);
	return m;
}

static void load_err(const char *path, const char *col, const char *want1, const char *want2)
{
	struct codemap *m = NULL;
	struct mg_err e = {0};

	assert_int_equal(codemap_load(&m, path, col, &e), -1);
	assert_int_equal(e.code, MG_E_CONFIG);
	assert_contains(e.msg, want1);
	if (want2)
		assert_contains(e.msg, want2);
	codemap_free(m); /* whatever was allocated */
}

static void load_with_bom_and_crlf(void **state)
{
	const char *p = puts_("bom.csv", "\xEF\xBB\xBFlegacy,unified\r\n01,受理\r\n02,派单\r\n\r\n03,\"办结,已回访\"\r\n");
	struct codemap *m = load_ok(p, "unified");

	(void)state;
	assert_int_equal(codemap_size(m), 3);
	assert_string_equal(codemap_get(m, "01", 2), "受理");
	assert_string_equal(codemap_get(m, "02", 2), "派单");
	assert_string_equal(codemap_get(m, "03", 2), "办结,已回访");
	/* iteration in file order */
	assert_string_equal(codemap_key(m, 0), "01");
	assert_string_equal(codemap_value(m, 2), "办结,已回访");
	codemap_free(m);
	/* the BOM does not hide the first header name: key column is not the BOM */
	p = puts_("bom2.csv", "\xEF\xBB\xBF" "code,parent,level,name\n01,,1,城乡建设\n");
	m = load_ok(p, "code");
	assert_string_equal(codemap_get(m, "01", 2), "01");
	codemap_free(m);
}

static void load_picks_the_named_value_column(void **state)
{
	const char *p = puts_("cat.csv", "legacy_code,legacy_name,unified_code\nCG0101,占道经营,0103\nCG0102,流动摊贩,0103\n");
	struct codemap *m = load_ok(p, "unified_code");

	(void)state;
	assert_string_equal(codemap_get(m, "CG0101", 6), "0103");
	codemap_free(m);
	m = load_ok(p, "legacy_name");
	assert_string_equal(codemap_get(m, "CG0102", 6), "流动摊贩");
	codemap_free(m);
}

static void load_refuses_missing_value_column(void **state)
{
	const char *p = puts_("nocol.csv", "legacy,other\n01,x\n");

	(void)state;
	load_err(p, "unified", "no column 'unified'", "nocol.csv:1");
	/* a data row too short for the value column names its line */
	p = puts_("short.csv", "legacy,name,unified\n01,a,x\n02,b\n");
	load_err(p, "unified", "short.csv:3", "expected at least 3 columns, found 2");
}

static void load_refuses_duplicate_key_with_line(void **state)
{
	const char *p = puts_("dup.csv", "legacy,unified\n01,a\n02,b\n01,c\n");

	(void)state;
	load_err(p, "unified", "dup.csv:4", "'01' is listed twice");
}

static void load_refuses_malformed_empty_missing_and_long(void **state)
{
	char big[5000];

	(void)state;
	load_err(puts_("bad.csv", "legacy,unified\n01,\"open\n"), "unified", "bad.csv:2", "malformed");
	load_err(puts_("empty.csv", ""), "unified", "empty", "empty.csv");
	load_err("/nonexistent/dir/map.csv", "unified", "cannot open mapping table", "/nonexistent/dir/map.csv");
	memset(big, 'x', sizeof(big));
	memcpy(big, "legacy,unified\n01,", 18);
	big[sizeof(big) - 2] = '\n';
	load_err(put("long.csv", big, sizeof(big) - 1), "unified", "long.csv:2", "longer than");
}

static void lookup_hit_and_miss_by_exact_bytes(void **state)
{
	const char *p = puts_("exact.csv", "legacy,unified\n01,one\n1,ONE\n 01,spaced\n城管,cg\n01x,x\n");
	struct codemap *m = load_ok(p, "unified");

	(void)state;
	assert_string_equal(codemap_get(m, "01", 2), "one");
	assert_string_equal(codemap_get(m, "1", 1), "ONE");
	assert_string_equal(codemap_get(m, " 01", 3), "spaced");
	assert_string_equal(codemap_get(m, "城管", strlen("城管")), "cg");
	assert_string_equal(codemap_get(m, "01xyz", 3), "x");       /* length, not NUL, ends the key */
	assert_null(codemap_get(m, "01\0", 3));                    /* embedded NUL: another key */
	assert_null(codemap_get(m, "0", 1));
	assert_null(codemap_get(m, "", 0));
	assert_null(codemap_get(m, "城", strlen("城")));             /* a prefix of a key */
	assert_null(codemap_get(m, "\xB3\xC7\xB9\xDC", 4));         /* 城管 in GBK bytes: not the UTF-8 key */
	assert_null(codemap_get(m, "ONE", 3));                      /* values are not keys */
	codemap_free(m);
}

static void header_only_table_is_empty_but_valid(void **state)
{
	struct codemap *m = load_ok(puts_("hdr.csv", "legacy,unified\n"), "unified");

	(void)state;
	assert_int_equal(codemap_size(m), 0);
	assert_null(codemap_get(m, "01", 2));
	codemap_free(m);
	codemap_free(NULL);
}

static void ten_thousand_entries(void **state)
{
	char path[256];
	FILE *f;
	struct codemap *m;

	(void)state;
	snprintf(path, sizeof(path), "%s/big.csv", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "legacy,unified\n");
	for (int i = 0; i < 10000; i++)
		fprintf(f, "K%05d,V%d\n", i, i * 7);
	assert_int_equal(fclose(f), 0);
	m = load_ok(path, "unified");
	assert_int_equal(codemap_size(m), 10000);
	for (int i = 0; i < 10000; i++) {
		char k[16], v[16];

		snprintf(k, sizeof(k), "K%05d", i);
		snprintf(v, sizeof(v), "V%d", i * 7);
		if (!codemap_get(m, k, strlen(k)) || strcmp(codemap_get(m, k, strlen(k)), v))
			fail_msg("lookup of '%s' gave '%s', expected '%s'", k,
				 codemap_get(m, k, strlen(k)) ? codemap_get(m, k, strlen(k)) : "(null)", v);
		assert_string_equal(codemap_key(m, (size_t)i), k);
	}
	assert_null(codemap_get(m, "K10000", 6));
	assert_null(codemap_get(m, "K0000", 5));
	codemap_free(m);
	/* a duplicate among 10,000 is found, with its line */
	f = fopen(path, "a");
	assert_non_null(f);
	fprintf(f, "K04711,again\n");
	assert_int_equal(fclose(f), 0);
	load_err(path, "unified", "big.csv:10002", "'K04711' is listed twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_plain_and_empty_fields),
		cmocka_unit_test(split_quoted_fields),
		cmocka_unit_test(split_malformed_is_refused),
		cmocka_unit_test(load_with_bom_and_crlf),
		cmocka_unit_test(load_picks_the_named_value_column),
		cmocka_unit_test(load_refuses_missing_value_column),
		cmocka_unit_test(load_refuses_duplicate_key_with_line),
		cmocka_unit_test(load_refuses_malformed_empty_missing_and_long),
		cmocka_unit_test(lookup_hit_and_miss_by_exact_bytes),
		cmocka_unit_test(header_only_table_is_empty_but_valid),
		cmocka_unit_test(ten_thousand_entries),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
