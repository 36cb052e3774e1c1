/* tests/unit/test_mask.c: personal data is masked the way docs/reports.md
 * says, on the shapes real legacy data has (migrate/mask.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "migrate/mask.h"

typedef int (*mask_fn)(const char *, size_t, struct mg_buf *, struct mg_err *);

static char result[4096];

static const char *run(mask_fn fn, const char *in)
{
	struct mg_buf b;
	struct mg_err e = {0};

	buf_init(&b, 0, "test");
	assert_int_equal(fn(in, strlen(in), &b, &e), 0);
	assert_false(mg_err_isset(&e));
	assert_true(b.len < sizeof(result));
	memcpy(result, buf_cstr(&b), b.len + 1);
	buf_release(&b);
	return result;
}

#define assert_masked(fn, in, want) assert_string_equal(run(fn, in), want)

static void phone_keeps_first_three_and_last_four_digits(void **state)
{
	(void)state;
	assert_masked(mask_phone, "13912345678", "139****5678");
	assert_masked(mask_phone, "0937-6252000", "093*-***2000");
	assert_masked(mask_phone, "09376252000", "093****2000");
	/* a local number without area code: the last 4 digits only */
	assert_masked(mask_phone, "6252000", "***2000");
	assert_masked(mask_phone, "62520001", "****0001");
}

static void phone_separators_and_country_code(void **state)
{
	(void)state;
	assert_masked(mask_phone, "+86 139 1234 5678", "+86 1** **** 5678");
	assert_masked(mask_phone, "139-1234-5678", "139-****-5678");
	assert_masked(mask_phone, "(0937)6252000", "(093*)***2000");
}

static void phone_fullwidth_digits_count_as_digits(void **state)
{
	(void)state;
	/* １３９１２３４５６７８: full-width digits, 3 bytes each */
	assert_masked(mask_phone, "１３９１２３４５６７８", "１３９****５６７８");
}

static void phone_short_values_are_all_masked(void **state)
{
	(void)state;
	assert_masked(mask_phone, "110", "***");
	assert_masked(mask_phone, "12345", "*****");
	assert_masked(mask_phone, "", "");
}

static void phone_with_name_inside_hides_the_name(void **state)
{
	(void)state;
	assert_masked(mask_phone, "13912345678王先生", "139****5678***");
	assert_masked(mask_phone, "tel 13912345678", "*** 139****5678");
}

static void name_keeps_first_character(void **state)
{
	(void)state;
	assert_masked(mask_name, "王小明", "王**");
	assert_masked(mask_name, "欧阳", "欧*");
	assert_masked(mask_name, "王先生", "王**");
	assert_masked(mask_name, "匿名", "匿*");
	/* a GB18030 four-byte name character (U+249DB) is one character */
	assert_masked(mask_name, "𤧛建国", "𤧛**");
	assert_masked(mask_name, "张𤧛", "张*");
	assert_masked(mask_name, "Li Wei", "L*****");
}

static void name_of_one_character_still_gets_a_star(void **state)
{
	(void)state;
	assert_masked(mask_name, "王", "王*");
	assert_masked(mask_name, "", "");
}

static void name_invalid_utf8_is_never_kept(void **state)
{
	(void)state;
	/* GBK bytes of a name that were not decoded: 3 invalid bytes, 3 stars */
	assert_masked(mask_name, "\xcd\xf5\xd0", "***");
}

static void id_keeps_first_six_and_last_four(void **state)
{
	(void)state;
	assert_masked(mask_id, "620922197802269082", "620922********9082");
	assert_masked(mask_id, "62092219780226908X", "620922********908X");
	assert_masked(mask_id, "620200440704966", "620200*****4966");
	/* full-width: kept characters stay full-width, the rest is one '*' each */
	assert_masked(mask_id, "６２０９２２１９７８０２２６９０８２", "６２０９２２********９０８２");
}

static void id_short_values_are_all_masked(void **state)
{
	(void)state;
	assert_masked(mask_id, "620922", "******");
	assert_masked(mask_id, "123456789", "*********");
}

static void scan_masks_mobile_in_text(void **state)
{
	(void)state;
	assert_masked(mask_scan, "联系电话13912345678，请回电", "联系电话139****5678，请回电");
	assert_masked(mask_scan, "13912345678", "139****5678");
	assert_masked(mask_scan, "电话：１３９１２３４５６７８。", "电话：１３９****５６７８。");
	assert_masked(mask_scan, "call 139 1234 5678 now", "call 139 **** 5678 now");
	assert_masked(mask_scan, "+86 139-1234-5678", "+86 1**-****-5678");
}

static void scan_masks_landline_with_area_code(void **state)
{
	(void)state;
	assert_masked(mask_scan, "座机0937-6252000转", "座机093*-***2000转");
	assert_masked(mask_scan, "座机09376252000", "座机093****2000");
	assert_masked(mask_scan, "0937-62520001", "093*-****0001");
}

static void scan_masks_id_numbers(void **state)
{
	(void)state;
	assert_masked(mask_scan, "身份证620922197802269082。", "身份证620922********9082。");
	assert_masked(mask_scan, "身份证号62092219780226908X", "身份证号620922********908X");
	assert_masked(mask_scan, "62092219780226908x号", "620922********908x号");
	assert_masked(mask_scan, "旧证620200440704966", "旧证620200*****4966");
	assert_masked(mask_scan, "６２０９２２１９７８０２２６９０８Ｘ", "６２０９２２********９０８Ｘ");
	assert_masked(mask_scan, "620922 19780226 9082", "620922 ******** 9082");
}

static void scan_leaves_other_numbers_alone(void **state)
{
	(void)state;
	/* order numbers, dates, times, amounts, house numbers, short numbers */
	const char *keep[] = {
		"工单CG20160104000002已办结",
		"2016-02-30 13:57:33",
		"金额12345.67元",
		"长城区新华中路36号4单元1401室",
		"电话6252000",
		"23912345678",          /* 11 digits, not starting with 1 */
		"139123456789",         /* 12 digits */
		"1391234567",           /* 10 digits */
		"12345678901234567890", /* 20 digits */
		"ABC62092219780226908XYZ",
		"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		assert_masked(mask_scan, keep[i], keep[i]);
}

static void scan_two_numbers_in_one_text(void **state)
{
	(void)state;
	assert_masked(mask_scan, "13912345678和13812345678",
		      "139****5678和138****5678");
	assert_masked(mask_scan, "13912345678 620922197802269082",
		      "139****5678 620922********9082");
	/* a date right before a phone: the phone is still found */
	assert_masked(mask_scan, "2021年7月1日13912345678来电", "2021年7月1日139****5678来电");
}

static void scan_invalid_bytes_pass_through(void **state)
{
	(void)state;
	assert_masked(mask_scan, "\xff" "13912345678\xc0", "\xff" "139****5678\xc0");
}

static void scan_is_linear_on_long_input(void **state)
{
	/* 1 MB of "1 " pairs: many runs joined by spaces; must finish quickly;
	 * every 18 joined digits look like an ID number (first 6 and last 4
	 * kept) */
	size_t n = 1 << 20;
	char *in = malloc(n + 1);
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	assert_non_null(in);
	for (size_t i = 0; i < n; i += 2) {
		in[i] = '1';
		in[i + 1] = ' ';
	}
	in[n] = 0;
	buf_init(&b, 0, "test");
	assert_int_equal(mask_scan(in, n, &b, &e), 0);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.ptr, "1 1 1 1 1 1 * * * * * * * * 1 1 1 1 1 1 1 1 1 1 * * ", 52);
	buf_release(&b);
	free(in);
}

static void shape_keeps_only_digits_and_punctuation(void **state)
{
	(void)state;
	assert_masked(mask_shape, "2,王小明,\"a\"b", "2,***,\"*\"*");
	assert_masked(mask_shape, "7,\"never closed,13912345678\\n", "7,\"***** ******,139****5678\\*");
	assert_masked(mask_shape, "id=4; xm=Li Wei", "**=4; **=** ***");
	assert_masked(mask_shape, "\\x81\\x7f", "\\*81\\*7*");
}

static void cap_is_an_error_not_a_truncation(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 8, "report_value_bytes");
	assert_int_equal(mask_scan("电话13912345678", strlen("电话13912345678"), &b, &e), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	assert_non_null(strstr(e.msg, "report_value_bytes"));
	buf_release(&b);
}

static void value_dispatches_on_kind(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 0, "test");
	assert_int_equal(mask_value(MASK_ALL, "王小明", strlen("王小明"), &b, &e), 0);
	assert_string_equal(buf_cstr(&b), "[masked, 3 chars]");
	buf_reset(&b);
	assert_int_equal(mask_value(MASK_NONE, "13912345678", 11, &b, &e), 0);
	assert_string_equal(buf_cstr(&b), "13912345678");
	buf_reset(&b);
	assert_int_equal(mask_value(MASK_PHONE, "13912345678", 11, &b, &e), 0);
	assert_string_equal(buf_cstr(&b), "139****5678");
	buf_release(&b);
	assert_string_equal(mask_kind_name(MASK_ID), "id");
	assert_string_equal(mask_kind_name(MASK_SHAPE), "shape");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(phone_keeps_first_three_and_last_four_digits),
		cmocka_unit_test(phone_separators_and_country_code),
		cmocka_unit_test(phone_fullwidth_digits_count_as_digits),
		cmocka_unit_test(phone_short_values_are_all_masked),
		cmocka_unit_test(phone_with_name_inside_hides_the_name),
		cmocka_unit_test(name_keeps_first_character),
		cmocka_unit_test(name_of_one_character_still_gets_a_star),
		cmocka_unit_test(name_invalid_utf8_is_never_kept),
		cmocka_unit_test(id_keeps_first_six_and_last_four),
		cmocka_unit_test(id_short_values_are_all_masked),
		cmocka_unit_test(scan_masks_mobile_in_text),
		cmocka_unit_test(scan_masks_landline_with_area_code),
		cmocka_unit_test(scan_masks_id_numbers),
		cmocka_unit_test(scan_leaves_other_numbers_alone),
		cmocka_unit_test(scan_two_numbers_in_one_text),
		cmocka_unit_test(scan_invalid_bytes_pass_through),
		cmocka_unit_test(scan_is_linear_on_long_input),
		cmocka_unit_test(shape_keeps_only_digits_and_punctuation),
		cmocka_unit_test(cap_is_an_error_not_a_truncation),
		cmocka_unit_test(value_dispatches_on_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
