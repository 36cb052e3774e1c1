/* norm_date_ex: the 12-hour clock (%I with %p: 上午/下午, AM/PM) and
 * fractions of a second (%f, dropped and reported), on strings as legacy
 * screens and exports write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "transform/normalize.h"

static void check(const char *in, const char *fmt, enum norm_date want, const char *want_out, int want_sub)
{
	char out[20] = "untouched";
	int sub = -1;
	enum norm_date got = norm_date_ex(in, strlen(in), fmt, 50, out, &sub);

	if (got != want)
		fail_msg("norm_date_ex('%s', '%s') = %d, expected %d", in, fmt, (int)got, (int)want);
	if (want == DATE_OK && strcmp(out, want_out))
		fail_msg("norm_date_ex('%s', '%s') wrote '%s', expected '%s'", in, fmt, out, want_out);
	if (sub != want_sub)
		fail_msg("norm_date_ex('%s', '%s') subsec %d, expected %d", in, fmt, sub, want_sub);
}

static void chinese_twelve_hour_clock(void **state)
{
	(void)state;
	check("2021-07-01 下午 3:27", "%Y-%m-%d %p %I:%M", DATE_OK, "2021-07-01 15:27:00", 0);
	check("2021-07-01 上午 9:05", "%Y-%m-%d %p %I:%M", DATE_OK, "2021-07-01 09:05:00", 0);
	/* the hour 12: 上午 12 is just after midnight, 下午 12 just after noon */
	check("2021-07-01 上午 12:30", "%Y-%m-%d %p %I:%M", DATE_OK, "2021-07-01 00:30:00", 0);
	check("2021-07-01 下午 12:30", "%Y-%m-%d %p %I:%M", DATE_OK, "2021-07-01 12:30:00", 0);
	check("2021-07-01 下午 11:59", "%Y-%m-%d %p %I:%M", DATE_OK, "2021-07-01 23:59:00", 0);
	/* Excel / .NET on Chinese Windows: 2021/7/1 下午 03:27:13, and without the space */
	check("2021/7/1 下午 03:27:13", "%Y/%m/%d %p %I:%M:%S", DATE_OK, "2021-07-01 15:27:13", 0);
	check("2021/7/1 下午3:27:13", "%Y/%m/%d %p%I:%M:%S", DATE_OK, "2021-07-01 15:27:13", 0);
	/* the marker before the date (a Chinese long date) */
	check("2021年7月1日下午3时27分", "%Y年%m月%d日%p%I时%M分", DATE_OK, "2021-07-01 15:27:00", 0);
	/* full-width digits are folded first */
	check("２０２１-０７-０１ 下午 ３:２７", "%Y-%m-%d %p %I:%M", DATE_OK, "2021-07-01 15:27:00", 0);
}

static void english_twelve_hour_clock(void **state)
{
	(void)state;
	check("07/01/2021 03:27 PM", "%m/%d/%Y %I:%M %p", DATE_OK, "2021-07-01 15:27:00", 0);
	check("07/01/2021 3:27 am", "%m/%d/%Y %I:%M %p", DATE_OK, "2021-07-01 03:27:00", 0);
	check("07/01/2021 12:00 AM", "%m/%d/%Y %I:%M %p", DATE_OK, "2021-07-01 00:00:00", 0);
	check("07/01/2021 12:00 pm", "%m/%d/%Y %I:%M %p", DATE_OK, "2021-07-01 12:00:00", 0);
}

static void twelve_hour_clock_is_strict(void **state)
{
	(void)state;
	/* no hour 0 or 13 on a 12-hour clock */
	check("2021-07-01 下午 0:30", "%Y-%m-%d %p %I:%M", DATE_INVALID, NULL, 0);
	check("2021-07-01 下午 13:30", "%Y-%m-%d %p %I:%M", DATE_INVALID, NULL, 0);
	/* a marker that is neither */
	check("2021-07-01 中午 12:30", "%Y-%m-%d %p %I:%M", DATE_INVALID, NULL, 0);
	check("2021-07-01 晚上 8:30", "%Y-%m-%d %p %I:%M", DATE_INVALID, NULL, 0);
	check("2021-07-01 3:27", "%Y-%m-%d %p %I:%M", DATE_INVALID, NULL, 0);
	/* the marker where a 24-hour format has none */
	check("2021-07-01 下午 3:27", "%Y-%m-%d %H:%M", DATE_INVALID, NULL, 0);
	/* %p and %I go together */
	check("2021-07-01 下午 3:27", "%Y-%m-%d %p %H:%M", DATE_INVALID, NULL, 0);
	check("2021-07-01 3:27", "%Y-%m-%d %I:%M", DATE_INVALID, NULL, 0);
	/* the calendar is still checked */
	check("2021-02-29 上午 9:00", "%Y-%m-%d %p %I:%M", DATE_INVALID, NULL, 0);
}

static void fractions_of_a_second(void **state)
{
	(void)state;
	/* ISO with milliseconds (JavaScript's toISOString without the Z) */
	check("2021-07-01T15:27:13.123", "%Y-%m-%dT%H:%M:%S.%f", DATE_OK, "2021-07-01 15:27:13", 1);
	/* a whole second: nothing dropped */
	check("2021-07-01T15:27:13.000", "%Y-%m-%dT%H:%M:%S.%f", DATE_OK, "2021-07-01 15:27:13", 0);
	/* SQL Server datetime2(7), PostgreSQL microseconds, one digit */
	check("2021-07-01 15:27:13.1234567", "%Y-%m-%d %H:%M:%S.%f", DATE_OK, "2021-07-01 15:27:13", 1);
	check("2021-07-01 15:27:13.000001", "%Y-%m-%d %H:%M:%S.%f", DATE_OK, "2021-07-01 15:27:13", 1);
	check("2021-07-01 15:27:13.5", "%Y-%m-%d %H:%M:%S.%f", DATE_OK, "2021-07-01 15:27:13", 1);
	/* a comma (ISO 8601 allows it), never rounded up */
	check("2021-07-01 23:59:59,999", "%Y-%m-%d %H:%M:%S,%f", DATE_OK, "2021-07-01 23:59:59", 1);
	/* at most 9 digits; at least one */
	check("2021-07-01 15:27:13.1234567890", "%Y-%m-%d %H:%M:%S.%f", DATE_INVALID, NULL, 0);
	check("2021-07-01 15:27:13.", "%Y-%m-%d %H:%M:%S.%f", DATE_INVALID, NULL, 0);
	check("2021-07-01 15:27:13", "%Y-%m-%d %H:%M:%S.%f", DATE_INVALID, NULL, 0);
	/* an impossible day with a fraction: invalid, and nothing reported */
	check("2019-02-30T10:00:00.500", "%Y-%m-%dT%H:%M:%S.%f", DATE_INVALID, NULL, 0);
	/* MySQL's zero datetime(3) */
	check("0000-00-00 00:00:00.000", "%Y-%m-%d %H:%M:%S.%f", DATE_ZERO, NULL, 0);
}

static void both(void **state)
{
	(void)state;
	check("2021/7/1 下午 3:27:13.250", "%Y/%m/%d %p %I:%M:%S.%f", DATE_OK, "2021-07-01 15:27:13", 1);
}

static void old_entry_points_unchanged(void **state)
{
	char out[20];

	(void)state;
	assert_int_equal(norm_date("2021-07-01 15:27:13", 19, "%Y-%m-%d %H:%M:%S", out), DATE_OK);
	assert_string_equal(out, "2021-07-01 15:27:13");
	assert_int_equal(norm_date_pivot("21-7-1", 6, "%y-%m-%d", 30, out), DATE_OK);
	assert_string_equal(out, "2021-07-01 00:00:00");
	assert_int_equal(norm_date("2021-07-01T15:27:13.123", 23, "%Y-%m-%dT%H:%M:%S.%f", out), DATE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chinese_twelve_hour_clock),
		cmocka_unit_test(english_twelve_hour_clock),
		cmocka_unit_test(twelve_hour_clock_is_strict),
		cmocka_unit_test(fractions_of_a_second),
		cmocka_unit_test(both),
		cmocka_unit_test(old_entry_points_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
