/* tests/unit/test_duration.c: talk times as call switches and their reports
 * write them (transform/normalize.h, norm_duration): plain seconds, Chinese
 * units (2分5秒, 1时2分5秒), clock text (00:02:05, 2:05), read into whole
 * seconds; everything else is invalid and leaves the output alone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "transform/normalize.h"

#define UNTOUCHED (-12345L)

static void ok(const char *in, long want)
{
	long got = UNTOUCHED;

	if (norm_duration(in, strlen(in), &got) != 0)
		fail_msg("norm_duration('%s') is invalid, expected %ld", in, want);
	if (got != want)
		fail_msg("norm_duration('%s') = %ld, expected %ld", in, got, want);
}

static void bad(const char *in)
{
	long got = UNTOUCHED;

	if (norm_duration(in, strlen(in), &got) != -1)
		fail_msg("norm_duration('%s') read %ld, expected invalid", in, got);
	if (got != UNTOUCHED)
		fail_msg("norm_duration('%s') wrote %ld on failure", in, got);
}

static void the_five_shapes_of_one_talk_time(void **state)
{
	(void)state;
	ok("125", 125);
	ok("2分5秒", 125);
	ok("0时2分5秒", 125);
	ok("00:02:05", 125);
	ok("2:05", 125);
	ok("1时2分5秒", 3725);
	ok("01:02:05", 3725);
	ok("62:05", 3725);
}

static void seconds(void **state)
{
	(void)state;
	ok("0", 0);
	ok("7", 7);
	ok("0125", 125);               /* leading zeros of a report column */
	ok("86400", 86400);
	ok("2147483647", 2147483647L); /* NORM_DURATION_MAX */
	bad("2147483648");
	bad("99999999999");            /* 11 digits */
	bad("-5");
	bad("+5");
	bad("12.5");
	bad("1e3");
	bad("125s");
}

static void chinese_units(void **state)
{
	(void)state;
	ok("5秒", 5);
	ok("2分", 120);
	ok("2分钟", 120);
	ok("2分钟5秒", 125);
	ok("1小时", 3600);
	ok("1小时2分钟5秒", 3725);
	ok("1时5秒", 3605);
	ok("0分0秒", 0);
	ok("125秒", 125);               /* no larger unit: any number of seconds */
	ok("90分", 5400);
	ok("30时", 108000);
	ok("2分59秒", 179);
	bad("2分60秒");                  /* below 60 after a larger unit */
	bad("1时60分");
	bad("2分5");                     /* a number without its unit */
	bad("5秒2分");                   /* out of order */
	bad("2分3分");                   /* twice */
	bad("分5秒");
	bad("2 分 5 秒");                /* inner spaces */
	bad("2分5秒钟");
	bad("两分五秒");                 /* numbers in words */
	bad("2min5s");
}

static void clock_text(void **state)
{
	(void)state;
	ok("00:00:00", 0);
	ok("0:00", 0);
	ok("02:05", 125);
	ok("10:00:00", 36000);
	ok("100:00:00", 360000);
	ok("0:59:59", 3599);
	bad("2:5");                      /* one digit after a colon */
	bad("2:005");
	bad("1:2:3");
	bad("00:60:00");
	bad("00:02:60");
	bad("1:00:00:00");              /* four parts */
	bad(":05");
	bad("2:");
	bad("2::05");
	bad("00:02:05.5");
	bad("2:05分");
}

static void spaces_fullwidth_and_garbage(void **state)
{
	(void)state;
	ok(" 125 ", 125);
	ok("\t2分5秒 ", 125);
	ok("１２５", 125);               /* full-width digits */
	ok("００：０２：０５", 125);      /* and a full-width colon */
	ok("2　", 2);                   /* an ideographic space after it */
	bad("");
	bad("   ");
	bad("NULL");
	bad("-");
	bad("\xff\xfe");
	{
		/* longer than any duration: refused, not read past its end */
		char big[300];
		long got = UNTOUCHED;

		memset(big, '1', sizeof(big));
		assert_int_equal(norm_duration(big, sizeof(big), &got), -1);
		/* only the first n bytes count */
		assert_int_equal(norm_duration("125xyz", 3, &got), 0);
		assert_int_equal(got, 125);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_five_shapes_of_one_talk_time),
		cmocka_unit_test(seconds),
		cmocka_unit_test(chinese_units),
		cmocka_unit_test(clock_text),
		cmocka_unit_test(spaces_fullwidth_and_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
