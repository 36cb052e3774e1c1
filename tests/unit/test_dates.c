/* tests/unit/test_dates.c: the date sources of legacy hotline data beyond
 * plain formats (transform/normalize.h): Excel serials in the 1900 system
 * (with Lotus's 1900-02-29) and the 1904 system, Unix epoch seconds and
 * milliseconds into Asia/Shanghai, and the two-digit-year pivot. Expected
 * values were checked with GNU date (date -u -d @SECONDS). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "transform/normalize.h"

static void check_excel(const char *in, int sys1904, enum norm_date want, const char *want_out)
{
	char out[20];
	enum norm_date got;

	snprintf(out, sizeof(out), "%s", "(none)");
	got = norm_excel_date(in, strlen(in), sys1904, out);
	if (got != want)
		fail_msg("norm_excel_date('%s', %d) = %d, expected %d", in, sys1904, (int)got, (int)want);
	if (want == DATE_OK && strcmp(out, want_out))
		fail_msg("norm_excel_date('%s', %d) wrote '%s', expected '%s'", in, sys1904, out, want_out);
	if (want != DATE_OK && strcmp(out, "(none)"))
		fail_msg("norm_excel_date('%s') wrote '%s' on failure", in, out);
}

static void check_epoch(const char *in, int ms, enum norm_date want, const char *want_out, int want_sub)
{
	char out[20];
	int sub = -1;
	enum norm_date got;

	snprintf(out, sizeof(out), "%s", "(none)");
	got = norm_epoch(in, strlen(in), ms, out, &sub);
	if (got != want)
		fail_msg("norm_epoch('%s', %d) = %d, expected %d", in, ms, (int)got, (int)want);
	if (want == DATE_OK && strcmp(out, want_out))
		fail_msg("norm_epoch('%s', %d) wrote '%s', expected '%s'", in, ms, out, want_out);
	if (sub != want_sub)
		fail_msg("norm_epoch('%s', %d) subsec %d, expected %d", in, ms, sub, want_sub);
}

static void excel1900_serials_around_the_leap_year_bug(void **state)
{
	(void)state;
	check_excel("1", 0, DATE_OK, "1900-01-01 00:00:00");
	check_excel("31", 0, DATE_OK, "1900-01-31 00:00:00");
	check_excel("59", 0, DATE_OK, "1900-02-28 00:00:00");
	check_excel("60", 0, DATE_INVALID, NULL);          /* Lotus's 1900-02-29 */
	check_excel("60.5", 0, DATE_INVALID, NULL);
	check_excel("61", 0, DATE_OK, "1900-03-01 00:00:00");
	check_excel("366", 0, DATE_OK, "1900-12-31 00:00:00");
	check_excel("367", 0, DATE_OK, "1901-01-01 00:00:00");
	check_excel("25569", 0, DATE_OK, "1970-01-01 00:00:00");
	check_excel("44378", 0, DATE_OK, "2021-07-01 00:00:00");
	check_excel("43525", 0, DATE_OK, "2019-03-01 00:00:00");
	check_excel("2958465", 0, DATE_OK, "9999-12-31 00:00:00");
	check_excel("2958466", 0, DATE_INVALID, NULL);
}

static void excel_fractions_are_times_rounded_to_the_second(void **state)
{
	(void)state;
	check_excel("44378.5625", 0, DATE_OK, "2021-07-01 13:30:00");
	check_excel("44378.25", 0, DATE_OK, "2021-07-01 06:00:00");
	/* 09:27:13 = 34033 s = 0.39390046296... of a day, as Excel stores it */
	check_excel("44378.393900462963", 0, DATE_OK, "2021-07-01 09:27:13");
	check_excel("44378.3939004629", 0, DATE_OK, "2021-07-01 09:27:13");
	/* a fraction that rounds up to midnight is the next day */
	check_excel("44378.999999999", 0, DATE_OK, "2021-07-02 00:00:00");
	check_excel("59.9999999999", 0, DATE_OK, "1900-03-01 00:00:00");
	check_excel("44378.", 0, DATE_OK, "2021-07-01 00:00:00");
}

static void excel1904_system(void **state)
{
	(void)state;
	check_excel("1", 1, DATE_OK, "1904-01-02 00:00:00");
	check_excel("42916", 1, DATE_OK, "2021-07-01 00:00:00");
	check_excel("42916.5", 1, DATE_OK, "2021-07-01 12:00:00");
	check_excel("60", 1, DATE_OK, "1904-03-01 00:00:00"); /* 1904 is a leap year: no bug here */
	check_excel("2957003", 1, DATE_OK, "9999-12-31 00:00:00");
	check_excel("2957004", 1, DATE_INVALID, NULL);
}

static void excel_zero_blank_and_garbage(void **state)
{
	(void)state;
	check_excel("0", 0, DATE_ZERO, NULL);
	check_excel("0.0", 1, DATE_ZERO, NULL);
	check_excel("0.5", 0, DATE_INVALID, NULL);          /* a time of day without a date */
	check_excel("", 0, DATE_INVALID, NULL);
	check_excel("   ", 0, DATE_INVALID, NULL);
	check_excel("-1", 0, DATE_INVALID, NULL);
	check_excel("4.4378E4", 0, DATE_INVALID, NULL);
	check_excel("44378,5", 0, DATE_INVALID, NULL);
	check_excel("2021-07-01", 0, DATE_INVALID, NULL);
	check_excel(".5", 0, DATE_INVALID, NULL);
	check_excel("1234567890", 0, DATE_INVALID, NULL);   /* 10 digits: no serial that large */
	/* full-width digits and spaces (U+3000) around */
	check_excel("\xE3\x80\x80\xEF\xBC\x94\xEF\xBC\x94\xEF\xBC\x93\xEF\xBC\x97\xEF\xBC\x98 ", 0, DATE_OK,
		    "2021-07-01 00:00:00");
}

static void epoch_seconds_and_milliseconds_in_shanghai(void **state)
{
	(void)state;
	/* 2021-07-01T00:47:13Z */
	check_epoch("1625100433", 0, DATE_OK, "2021-07-01 08:47:13", 0);
	check_epoch("1625100433000", 1, DATE_OK, "2021-07-01 08:47:13", 0);
	check_epoch("1625100433999", 1, DATE_OK, "2021-07-01 08:47:13", 1); /* floor, counted */
	/* 16:00Z is midnight in Shanghai */
	check_epoch("1625155200", 0, DATE_OK, "2021-07-02 00:00:00", 0);
	check_epoch("1625155199", 0, DATE_OK, "2021-07-01 23:59:59", 0);
	/* the first instant taken, and the one before */
	check_epoch("694195200", 0, DATE_OK, "1992-01-01 00:00:00", 0);
	check_epoch("694195199", 0, DATE_INVALID, NULL, 0);
	check_epoch("1000", 0, DATE_INVALID, NULL, 0);
	check_epoch("0", 0, DATE_ZERO, NULL, 0);
	check_epoch("0000", 1, DATE_ZERO, NULL, 0);
	/* 9999-12-31 23:59:59 +08 and one second later */
	check_epoch("253402271999", 0, DATE_OK, "9999-12-31 23:59:59", 0);
	check_epoch("253402272000", 0, DATE_INVALID, NULL, 0);
	check_epoch("1625100433.5", 0, DATE_INVALID, NULL, 0);
	check_epoch("-1625100433", 0, DATE_INVALID, NULL, 0);
	check_epoch("1234567890123456", 1, DATE_INVALID, NULL, 0);
	check_epoch("", 0, DATE_INVALID, NULL, 0);
	check_epoch(" 1625100433 ", 0, DATE_OK, "2021-07-01 08:47:13", 0);
}

static void check_pivot(const char *in, int pivot, enum norm_date want, const char *want_out)
{
	char out[20];
	enum norm_date got = norm_date_pivot(in, strlen(in), "%y-%m-%d", pivot, out);

	if (got != want)
		fail_msg("norm_date_pivot('%s', %d) = %d, expected %d", in, pivot, (int)got, (int)want);
	if (want == DATE_OK && strcmp(out, want_out))
		fail_msg("norm_date_pivot('%s', %d) wrote '%s', expected '%s'", in, pivot, out, want_out);
}

static void two_digit_year_pivot_is_a_parameter(void **state)
{
	(void)state;
	check_pivot("29-07-01", 30, DATE_OK, "2029-07-01 00:00:00");
	check_pivot("30-07-01", 30, DATE_OK, "1930-07-01 00:00:00");
	check_pivot("21-7-1", 30, DATE_OK, "2021-07-01 00:00:00");
	check_pivot("99-12-31", 100, DATE_OK, "2099-12-31 00:00:00");
	check_pivot("00-01-01", 0, DATE_OK, "1900-01-01 00:00:00");
	/* norm_date keeps 50 */
	{
		char out[20];

		assert_int_equal(norm_date("49-01-02", 8, "%y-%m-%d", out), DATE_OK);
		assert_string_equal(out, "2049-01-02 00:00:00");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(excel1900_serials_around_the_leap_year_bug),
		cmocka_unit_test(excel_fractions_are_times_rounded_to_the_second),
		cmocka_unit_test(excel1904_system),
		cmocka_unit_test(excel_zero_blank_and_garbage),
		cmocka_unit_test(epoch_seconds_and_milliseconds_in_shanghai),
		cmocka_unit_test(two_digit_year_pivot_is_a_parameter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
