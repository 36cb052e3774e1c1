/* tests/unit/test_copyfmt.c: COPY text escaping, bytea literals and JSON
 * strings are exact and lossless (migrate/copyfmt.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "migrate/copyfmt.h"

static void copy_escape_escapes_exactly_four_bytes(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 0, "copy");
	assert_int_equal(copy_escape(&b, "a\\b\tc\nd\re", 9, &e), 0);
	assert_string_equal(buf_cstr(&b), "a\\\\b\\tc\\nd\\re");
	buf_reset(&b);
	assert_int_equal(copy_escape(&b, "\\\\\n\n", 4, &e), 0);
	assert_string_equal(buf_cstr(&b), "\\\\\\\\\\n\\n");
	buf_reset(&b);
	assert_int_equal(copy_escape(&b, "", 0, &e), 0);
	assert_string_equal(buf_cstr(&b), "");
	buf_release(&b);
}

static void copy_escape_passes_every_other_byte(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};
	unsigned char all[256], want[260];
	size_t wn = 0;

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (int i = 0; i < 256; i++) {
		if (i == '\\' || i == '\t' || i == '\n' || i == '\r') {
			want[wn++] = '\\';
			want[wn++] = i == '\\' ? '\\' : i == '\t' ? 't' : i == '\n' ? 'n' : 'r';
		} else {
			want[wn++] = (unsigned char)i;
		}
	}
	buf_init(&b, 0, "copy");
	assert_int_equal(copy_escape(&b, all, sizeof(all), &e), 0);
	assert_int_equal(b.len, wn);
	assert_memory_equal(b.ptr, want, wn);
	assert_int_equal(b.ptr[b.len], 0);
	/* appends after what is there */
	buf_reset(&b);
	assert_int_equal(buf_addstr(&b, "x\t", &e), 0);
	assert_int_equal(copy_escape(&b, "中\xD6\xD0", 5, &e), 0);
	assert_string_equal(buf_cstr(&b), "x\t中\xD6\xD0");
	buf_release(&b);
}

static void copy_escape_respects_cap(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 5, "row");
	assert_int_equal(copy_escape(&b, "\\\\\\", 3, &e), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	buf_release(&b);
}

static void copy_bytea_is_escaped_hex(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 0, "copy");
	assert_int_equal(copy_bytea(&b, "\x00\xff\x5c\x0a" "A", 5, &e), 0);
	assert_string_equal(buf_cstr(&b), "\\\\x00ff5c0a41");
	buf_reset(&b);
	assert_int_equal(copy_bytea(&b, "", 0, &e), 0);
	assert_string_equal(buf_cstr(&b), "\\\\x");
	assert_int_equal(buf_addc(&b, '\t', &e), 0);
	assert_int_equal(copy_bytea(&b, "\xD6\xD0", 2, &e), 0);
	assert_string_equal(buf_cstr(&b), "\\\\x\t\\\\xd6d0");
	buf_release(&b);
	buf_init(&b, 6, "row");
	assert_int_equal(copy_bytea(&b, "\x01\x02", 2, &e), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	buf_release(&b);
}

/* Escape, then parse back with jansson: the same bytes must come out. */
static void json_round_trip(const char *s, size_t n)
{
	struct mg_buf b;
	struct mg_err e = {0};
	json_error_t je;
	json_t *j;

	buf_init(&b, 0, "json");
	assert_int_equal(json_escape(&b, s, n, &e), 0);
	j = json_loadb((const char *)b.ptr, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!j)
		fail_msg("json_escape gave invalid JSON %s: %s", buf_cstr(&b), je.text);
	assert_true(json_is_string(j));
	assert_int_equal(json_string_length(j), n);
	assert_memory_equal(json_string_value(j), s, n);
	json_decref(j);
	buf_release(&b);
}

static void json_escape_exact_forms(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 0, "json");
	assert_int_equal(json_escape(&b, "a\"b\\c", 5, &e), 0);
	assert_string_equal(buf_cstr(&b), "\"a\\\"b\\\\c\"");
	buf_reset(&b);
	assert_int_equal(json_escape(&b, "\x01\x1f", 2, &e), 0);
	assert_string_equal(buf_cstr(&b), "\"\\u0001\\u001f\"");
	buf_reset(&b);
	assert_int_equal(json_escape(&b, "", 0, &e), 0);
	assert_string_equal(buf_cstr(&b), "\"\"");
	buf_reset(&b);
	/* UTF-8 and DEL pass through unchanged */
	assert_int_equal(json_escape(&b, "中文 \xF0\x9F\x98\x80 \x7f /", strlen("中文 \xF0\x9F\x98\x80 \x7f /"), &e), 0);
	assert_string_equal(buf_cstr(&b), "\"中文 \xF0\x9F\x98\x80 \x7f /\"");
	buf_release(&b);
}

static void json_escape_round_trips(void **state)
{
	char ctl[32];

	(void)state;
	for (int i = 0; i < 32; i++)
		ctl[i] = (char)i;
	json_round_trip(ctl, sizeof(ctl));
	json_round_trip("tab\there\nnew\rline", 17);
	json_round_trip("quote \" backslash \\ slash /", 27);
	json_round_trip("市民来电：噪音扰民！😀", strlen("市民来电：噪音扰民！😀"));
	json_round_trip("", 0);
}

static void json_escape_respects_cap(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 10, "raw record");
	assert_int_equal(json_escape(&b, "\x01\x02", 2, &e), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copy_escape_escapes_exactly_four_bytes),
		cmocka_unit_test(copy_escape_passes_every_other_byte),
		cmocka_unit_test(copy_escape_respects_cap),
		cmocka_unit_test(copy_bytea_is_escaped_hex),
		cmocka_unit_test(json_escape_exact_forms),
		cmocka_unit_test(json_escape_round_trips),
		cmocka_unit_test(json_escape_respects_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
