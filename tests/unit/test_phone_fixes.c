/* norm_phone_fix: which changes to a phone number are reported as fixes
 * (phone_country_code, fullwidth_folded, phone_extension). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "transform/normalize.h"

static void check(const char *in, enum norm_phone want, const char *want_out, unsigned want_fixes)
{
	char out[32] = "untouched";
	unsigned fixes = 99;
	enum norm_phone got = norm_phone_fix(in, strlen(in), "0937", out, &fixes);

	if (got != want)
		fail_msg("norm_phone_fix('%s') = %d, expected %d", in, (int)got, (int)want);
	if (want != PHONE_UNRECOGNISED && strcmp(out, want_out))
		fail_msg("norm_phone_fix('%s') wrote '%s', expected '%s'", in, out, want_out);
	if (fixes != want_fixes)
		fail_msg("norm_phone_fix('%s') fixes %u, expected %u", in, fixes, want_fixes);
}

static void country_code_is_reported(void **state)
{
	(void)state;
	check("+86 139 1234 5678", PHONE_MOBILE, "13912345678", NORM_PHONE_CC);
	check("+8613912345678", PHONE_MOBILE, "13912345678", NORM_PHONE_CC);
	check("0086 13912345678", PHONE_MOBILE, "13912345678", NORM_PHONE_CC);
	check("008613912345678", PHONE_MOBILE, "13912345678", NORM_PHONE_CC);
	check("8613912345678", PHONE_MOBILE, "13912345678", NORM_PHONE_CC);
	check("(+86) 139-1234-5678", PHONE_MOBILE, "13912345678", NORM_PHONE_CC);
}

static void layout_alone_is_no_fix(void **state)
{
	(void)state;
	check("13912345678", PHONE_MOBILE, "13912345678", 0);
	check("139-1234-5678", PHONE_MOBILE, "13912345678", 0);
	check(" 139 1234 5678 ", PHONE_MOBILE, "13912345678", 0);
	check("0937-6212345", PHONE_LANDLINE, "0937-6212345", 0);
	check("09376212345", PHONE_LANDLINE, "0937-6212345", 0);
	check("6212345", PHONE_LANDLINE, "0937-6212345", 0);
	/* an 86 that is part of the number is not a country code */
	check("86212345", PHONE_LANDLINE, "0937-86212345", 0);
}

static void fullwidth_is_reported(void **state)
{
	(void)state;
	/* １３９１２３４５６７８ */
	check("\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x99\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95"
	      "\xEF\xBC\x96\xEF\xBC\x97\xEF\xBC\x98",
	      PHONE_MOBILE, "13912345678", NORM_PHONE_FW);
	/* ＋８６ 13912345678: both */
	check("\xEF\xBC\x8B\xEF\xBC\x98\xEF\xBC\x96 13912345678", PHONE_MOBILE, "13912345678",
	      NORM_PHONE_CC | NORM_PHONE_FW);
	/* 0937－6212345 (full-width hyphen-minus) */
	check("0937\xEF\xBC\x8D" "6212345", PHONE_LANDLINE, "0937-6212345", NORM_PHONE_FW);
	/* 139 1234 5678 with ideographic spaces */
	check("139\xE3\x80\x80" "1234\xE3\x80\x80" "5678", PHONE_MOBILE, "13912345678", NORM_PHONE_FW);
}

static void extension_is_reported(void **state)
{
	(void)state;
	check("0937-6212345\xE8\xBD\xAC" "123", PHONE_LANDLINE, "0937-6212345;ext=123", NORM_PHONE_EXT);
	check("0937-6212345-8001", PHONE_LANDLINE, "0937-6212345;ext=8001", NORM_PHONE_EXT);
	/* ０９３７６２１２３４５转８００１ */
	check("\xEF\xBC\x90\xEF\xBC\x99\xEF\xBC\x93\xEF\xBC\x97\xEF\xBC\x96\xEF\xBC\x92\xEF\xBC\x91\xEF\xBC\x92"
	      "\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95\xE8\xBD\xAC\xEF\xBC\x98\xEF\xBC\x90\xEF\xBC\x90\xEF\xBC\x91",
	      PHONE_LANDLINE, "0937-6212345;ext=8001", NORM_PHONE_EXT | NORM_PHONE_FW);
}

static void unrecognised_reports_nothing(void **state)
{
	(void)state;
	check("\xE6\x97\xA0", PHONE_UNRECOGNISED, NULL, 0); /* 无 */
	check("1391234567", PHONE_UNRECOGNISED, NULL, 0);
	check("+86 0937 6212345", PHONE_UNRECOGNISED, NULL, 0);
	/* full-width, but still no number: kept as it is, nothing folded */
	check("\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x99", PHONE_UNRECOGNISED, NULL, 0);
}

static void ext_wrapper_agrees(void **state)
{
	char out[32];
	int ext = -1;

	(void)state;
	assert_int_equal(norm_phone_ext("0937-6212345 ext.12", 19, "0937", out, &ext), PHONE_LANDLINE);
	assert_int_equal(ext, 1);
	assert_string_equal(out, "0937-6212345;ext=12");
	assert_int_equal(norm_phone_ext("+86 13912345678", 15, "0937", out, &ext), PHONE_MOBILE);
	assert_int_equal(ext, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(country_code_is_reported),
		cmocka_unit_test(layout_alone_is_no_fix),
		cmocka_unit_test(fullwidth_is_reported),
		cmocka_unit_test(extension_is_reported),
		cmocka_unit_test(unrecognised_reports_nothing),
		cmocka_unit_test(ext_wrapper_agrees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
