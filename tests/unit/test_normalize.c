/* tests/unit/test_normalize.c: full-width folding, phone numbers, dates and
 * resident ID numbers are normalised as transform/normalize.h documents,
 * and nothing else is changed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "transform/normalize.h"

/* ---- full-width folding ---- */

static size_t fold(const char *in, char *out, size_t *outlen)
{
	return norm_fold_fullwidth(in, strlen(in), out, outlen);
}

static void fold_digits_letters_punct_and_ideographic_space(void **state)
{
	char out[128];
	size_t ol;

	(void)state;
	/* U+FF10..U+FF19 */
	assert_int_equal(fold("\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x99", out, &ol), 3);
	assert_string_equal(out, "019");
	assert_int_equal(ol, 3);
	/* U+FF21 'A', U+FF3A 'Z', U+FF41 'a', U+FF5A 'z' */
	assert_int_equal(fold("\xEF\xBC\xA1\xEF\xBC\xBA\xEF\xBD\x81\xEF\xBD\x9A", out, &ol), 4);
	assert_string_equal(out, "AZaz");
	/* U+FF01 '!', U+FF5E '~' (the last one folded), U+FF3F '_', U+FF40 '`' */
	assert_int_equal(fold("\xEF\xBC\x81\xEF\xBD\x9E\xEF\xBC\xBF\xEF\xBD\x80", out, &ol), 4);
	assert_string_equal(out, "!~_`");
	/* U+3000 ideographic space */
	assert_int_equal(fold("a\xE3\x80\x80" "b", out, &ol), 1);
	assert_string_equal(out, "a b");
	assert_int_equal(ol, 3);
}

static void fold_leaves_everything_else_untouched(void **state)
{
	/* 市 (U+5E02), U+FF5F (fullwidth left white paren, just past the range),
	 * U+FFE5 fullwidth yen sign, U+FF61 halfwidth ideographic full stop,
	 * U+3001 ideographic comma, an emoji, ASCII, and a lone EF BC at the end */
	static const char keep[] = "\xE5\xB8\x82" "\xEF\xBD\x9F" "\xEF\xBF\xA5" "\xEF\xBD\xA1"
		"\xE3\x80\x81" "\xF0\x9F\x98\x80" "plain ASCII 123" "\xEF\xBC";
	char out[128];
	size_t ol;

	(void)state;
	assert_int_equal(norm_fold_fullwidth(keep, sizeof(keep) - 1, out, &ol), 0);
	assert_int_equal(ol, sizeof(keep) - 1);
	assert_memory_equal(out, keep, sizeof(keep));
	/* a mixture: only the full-width ones change */
	assert_int_equal(fold("\xE5\xB8\x82\xEF\xBC\x91\xEF\xBF\xA5", out, &ol), 1);
	assert_string_equal(out, "\xE5\xB8\x82" "1" "\xEF\xBF\xA5");
}

static void fold_respects_length_not_nul(void **state)
{
	char out[16];
	size_t ol;

	(void)state;
	/* only the first 2 bytes of a 3-byte sequence are in range: not folded */
	assert_int_equal(norm_fold_fullwidth("\xEF\xBC\x91", 2, out, &ol), 0);
	assert_int_equal(ol, 2);
	assert_memory_equal(out, "\xEF\xBC", 2);
	assert_int_equal(out[2], 0);
	/* an embedded NUL is data */
	assert_int_equal(norm_fold_fullwidth("a\0\xEF\xBC\x91", 5, out, &ol), 1);
	assert_int_equal(ol, 3);
	assert_memory_equal(out, "a\0" "1", 3);
}

/* ---- phones ---- */

#define UNTOUCHED "untouched-sentinel"

static void check_phone(const char *in, enum norm_phone want, const char *want_out)
{
	char out[32];
	enum norm_phone got;

	snprintf(out, sizeof(out), "%s", UNTOUCHED);
	got = norm_phone(in, strlen(in), "0937", out);
	if (got != want)
		fail_msg("norm_phone('%s') = %d, expected %d (out '%s')", in, (int)got, (int)want, out);
	if (strcmp(out, want_out))
		fail_msg("norm_phone('%s') wrote '%s', expected '%s'", in, out, want_out);
}

static void phone_mobile_forms(void **state)
{
	(void)state;
	check_phone("13912345678", PHONE_MOBILE, "13912345678");
	check_phone("19912345678", PHONE_MOBILE, "19912345678");
	/* full-width digits */
	check_phone("\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x99\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"
		    "\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96\xEF\xBC\x97\xEF\xBC\x98", PHONE_MOBILE, "13912345678");
	/* full-width digits with an ideographic space and a full-width dash */
	check_phone("\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x99\xE3\x80\x80" "1234" "\xEF\xBC\x8D" "5678",
		    PHONE_MOBILE, "13912345678");
	check_phone("+86 139 1234 5678", PHONE_MOBILE, "13912345678");
	check_phone("0086 13912345678", PHONE_MOBILE, "13912345678");
	check_phone("86-139-1234-5678", PHONE_MOBILE, "13912345678");
	check_phone("8613912345678", PHONE_MOBILE, "13912345678");
	check_phone("139-1234-5678", PHONE_MOBILE, "13912345678");
	check_phone("139.1234.5678", PHONE_MOBILE, "13912345678");
	check_phone(" 139 1234 5678\t", PHONE_MOBILE, "13912345678");
	check_phone("\xEF\xBC\x8B" "86 13912345678", PHONE_MOBILE, "13912345678"); /* full-width + */
}

static void phone_landline_forms(void **state)
{
	(void)state;
	check_phone("(0937)6212345", PHONE_LANDLINE, "0937-6212345");
	check_phone("\xEF\xBC\x88" "0937" "\xEF\xBC\x89" "6212345", PHONE_LANDLINE, "0937-6212345");
	check_phone("0937-6212345", PHONE_LANDLINE, "0937-6212345");
	check_phone("09376212345", PHONE_LANDLINE, "0937-6212345");
	check_phone("0937 62123456", PHONE_LANDLINE, "0937-62123456");
	check_phone("6212345", PHONE_LANDLINE, "0937-6212345");   /* 7 local digits */
	check_phone("62123456", PHONE_LANDLINE, "0937-62123456"); /* 8 local digits */
}

static void phone_unrecognised_leaves_out_untouched(void **state)
{
	char big[400];

	(void)state;
	check_phone("12345", PHONE_UNRECOGNISED, UNTOUCHED);
	check_phone("abc", PHONE_UNRECOGNISED, UNTOUCHED);
	check_phone("139abc45678", PHONE_UNRECOGNISED, UNTOUCHED);
	check_phone("+1 555 0100", PHONE_UNRECOGNISED, UNTOUCHED);
	check_phone("+44 20 7946 0958", PHONE_UNRECOGNISED, UNTOUCHED);
	check_phone("", PHONE_UNRECOGNISED, UNTOUCHED);
	check_phone("   ", PHONE_UNRECOGNISED, UNTOUCHED);
	check_phone("12345678901234567890", PHONE_UNRECOGNISED, UNTOUCHED);   /* 20 digits */
	memset(big, '9', 40);
	big[40] = '\0';
	check_phone(big, PHONE_UNRECOGNISED, UNTOUCHED);                      /* 40 digits */
	check_phone("12912345678", PHONE_UNRECOGNISED, UNTOUCHED);            /* 12x is not mobile */
	check_phone("0931-8123456", PHONE_UNRECOGNISED, UNTOUCHED);           /* another area */
	check_phone("0123456", PHONE_UNRECOGNISED, UNTOUCHED);                /* local starts with 0 */
	check_phone("1234567", PHONE_UNRECOGNISED, UNTOUCHED);                /* local starts with 1 */
	check_phone("139+12345678", PHONE_UNRECOGNISED, UNTOUCHED);
	check_phone("++8613912345678", PHONE_UNRECOGNISED, UNTOUCHED);
	check_phone("+6212345", PHONE_UNRECOGNISED, UNTOUCHED);
	check_phone("\xE5\xB8\x82" "13912345678", PHONE_UNRECOGNISED, UNTOUCHED);
}

static void phone_uses_the_area_parameter(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(norm_phone("0931-8123456", 12, "0931", out), PHONE_LANDLINE);
	assert_string_equal(out, "0931-8123456");
	assert_int_equal(norm_phone("8123456", 7, "0931", out), PHONE_LANDLINE);
	assert_string_equal(out, "0931-8123456");
	/* length, not NUL, ends the input */
	assert_int_equal(norm_phone("13912345678999", 11, "0931", out), PHONE_MOBILE);
	assert_string_equal(out, "13912345678");
}

/* ---- dates ---- */

static void check_date(const char *in, const char *fmt, enum norm_date want, const char *want_out)
{
	char out[20];
	enum norm_date got;

	snprintf(out, sizeof(out), "%s", "(none)");
	got = norm_date(in, strlen(in), fmt, out);
	if (got != want)
		fail_msg("norm_date('%s', '%s') = %d, expected %d", in, fmt, (int)got, (int)want);
	if (want == DATE_OK && strcmp(out, want_out))
		fail_msg("norm_date('%s', '%s') wrote '%s', expected '%s'", in, fmt, out, want_out);
}

static void date_every_format_kind(void **state)
{
	(void)state;
	check_date("2019-03-04 05:06:07", "%Y-%m-%d %H:%M:%S", DATE_OK, "2019-03-04 05:06:07");
	check_date("2019-3-4 5:6:7", "%Y-%m-%d %H:%M:%S", DATE_OK, "2019-03-04 05:06:07");
	check_date("2019-12-31 23:59:59", "%Y-%m-%d %H:%M:%S", DATE_OK, "2019-12-31 23:59:59");
	check_date("2019/03/04", "%Y/%m/%d", DATE_OK, "2019-03-04 00:00:00");
	check_date("20190304", "%Y%m%d", DATE_OK, "2019-03-04 00:00:00");
	check_date("20190304153000", "%Y%m%d%H%M%S", DATE_OK, "2019-03-04 15:30:00");
	check_date("2019\xE5\xB9\xB4" "3\xE6\x9C\x88" "4\xE6\x97\xA5", "%Y\xE5\xB9\xB4%m\xE6\x9C\x88%d\xE6\x97\xA5",
		   DATE_OK, "2019-03-04 00:00:00");
	check_date("2019-03-04 05:06", "%Y-%m-%d %H:%M", DATE_OK, "2019-03-04 05:06:00");
	check_date("  2019-03-04  ", "%Y-%m-%d", DATE_OK, "2019-03-04 00:00:00");
}

static void date_two_digit_year_pivot(void **state)
{
	(void)state;
	check_date("49-01-02", "%y-%m-%d", DATE_OK, "2049-01-02 00:00:00");
	check_date("50-01-02", "%y-%m-%d", DATE_OK, "1950-01-02 00:00:00");
	check_date("00-01-02", "%y-%m-%d", DATE_OK, "2000-01-02 00:00:00");
	check_date("99-12-31", "%y-%m-%d", DATE_OK, "1999-12-31 00:00:00");
	check_date("9-01-02", "%y-%m-%d", DATE_INVALID, NULL);      /* %y needs 2 digits */
	check_date("2019-01-02", "%y-%m-%d", DATE_INVALID, NULL);
}

static void date_full_width_digits(void **state)
{
	(void)state;
	/* ２０１９－０３－０４ with full-width hyphens, and 年月日 with full-width digits */
	check_date("\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x99\xEF\xBC\x8D\xEF\xBC\x90\xEF\xBC\x93"
		   "\xEF\xBC\x8D\xEF\xBC\x90\xEF\xBC\x94", "%Y-%m-%d", DATE_OK, "2019-03-04 00:00:00");
	check_date("\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x99\xE5\xB9\xB4\xEF\xBC\x93\xE6\x9C\x88"
		   "\xEF\xBC\x94\xE6\x97\xA5", "%Y\xE5\xB9\xB4%m\xE6\x9C\x88%d\xE6\x97\xA5", DATE_OK,
		   "2019-03-04 00:00:00");
	/* ideographic space around the value */
	check_date("\xE3\x80\x80" "2019-03-04" "\xE3\x80\x80", "%Y-%m-%d", DATE_OK, "2019-03-04 00:00:00");
}

static void date_zero(void **state)
{
	(void)state;
	check_date("0000-00-00 00:00:00", "%Y-%m-%d %H:%M:%S", DATE_ZERO, NULL);
	check_date("0000-00-00", "%Y-%m-%d", DATE_ZERO, NULL);
	check_date("00000000", "%Y%m%d", DATE_ZERO, NULL);
	/* partly zero is not a zero date, it is invalid */
	check_date("0000-01-01", "%Y-%m-%d", DATE_INVALID, NULL);
	check_date("2019-00-00", "%Y-%m-%d", DATE_INVALID, NULL);
}

static void date_calendar_is_checked(void **state)
{
	(void)state;
	check_date("2019-02-30", "%Y-%m-%d", DATE_INVALID, NULL);
	check_date("2021-04-31", "%Y-%m-%d", DATE_INVALID, NULL);
	check_date("2023-02-29", "%Y-%m-%d", DATE_INVALID, NULL);
	check_date("2024-02-29", "%Y-%m-%d", DATE_OK, "2024-02-29 00:00:00");
	check_date("1900-02-29", "%Y-%m-%d", DATE_INVALID, NULL);
	check_date("2000-02-29", "%Y-%m-%d", DATE_OK, "2000-02-29 00:00:00");
	check_date("2021-04-30", "%Y-%m-%d", DATE_OK, "2021-04-30 00:00:00");
	check_date("2021-01-31", "%Y-%m-%d", DATE_OK, "2021-01-31 00:00:00");
	check_date("2021-13-01", "%Y-%m-%d", DATE_INVALID, NULL);
	check_date("2021-01-32", "%Y-%m-%d", DATE_INVALID, NULL);
	check_date("2021-01-00", "%Y-%m-%d", DATE_INVALID, NULL);
	check_date("2019-03-04 24:00:00", "%Y-%m-%d %H:%M:%S", DATE_INVALID, NULL);
	check_date("2019-03-04 23:60:00", "%Y-%m-%d %H:%M:%S", DATE_INVALID, NULL);
	check_date("2019-03-04 23:59:60", "%Y-%m-%d %H:%M:%S", DATE_INVALID, NULL);
	check_date("2019-03-04 00:00:00", "%Y-%m-%d %H:%M:%S", DATE_OK, "2019-03-04 00:00:00");
}

static void date_shape_mismatches_are_invalid(void **state)
{
	char big[400];

	(void)state;
	check_date("2019-03-04x", "%Y-%m-%d", DATE_INVALID, NULL);          /* trailing garbage */
	check_date("2019-03-04 05:06:07", "%Y-%m-%d", DATE_INVALID, NULL);  /* more than the format */
	check_date("2019-03-04", "%Y-%m-%d %H:%M:%S", DATE_INVALID, NULL);  /* less than the format */
	check_date("19-03-04", "%Y-%m-%d", DATE_INVALID, NULL);             /* %Y needs 4 digits */
	check_date("2019/03/04", "%Y-%m-%d", DATE_INVALID, NULL);           /* wrong literal */
	check_date("2019-003-04", "%Y-%m-%d", DATE_INVALID, NULL);          /* 3-digit month */
	check_date("", "%Y-%m-%d", DATE_INVALID, NULL);
	check_date("   ", "%Y-%m-%d", DATE_INVALID, NULL);
	check_date("abcd-ef-gh", "%Y-%m-%d", DATE_INVALID, NULL);
	check_date("2019-03-04", "%Y-%m-%d %q", DATE_INVALID, NULL);        /* bad format field */
	/* too long for the parser: invalid, never a crash or a truncated parse */
	memset(big, ' ', sizeof(big) - 1);
	memcpy(big, "2019-03-04", 10);
	big[sizeof(big) - 1] = '\0';
	check_date(big, "%Y-%m-%d", DATE_INVALID, NULL);
	/* an embedded NUL is not the end of the value */
	{
		char out[20];

		assert_int_equal(norm_date("2019-03-04\0x", 12, "%Y-%m-%d", out), DATE_INVALID);
		assert_int_equal(norm_date("2019-03-04xyz", 10, "%Y-%m-%d", out), DATE_OK);
		assert_string_equal(out, "2019-03-04 00:00:00");
	}
}

/* ---- resident ID numbers ---- */

/* ISO 7064 MOD 11-2 check character of 17 digits, written independently. */
static char iso7064(const char *d17)
{
	int sum = 0;

	for (int i = 0; i < 17; i++) {
		int weight = 1;

		for (int k = 0; k < 17 - i; k++)
			weight = weight * 2 % 11; /* 2^(17-i) mod 11 */
		sum += (d17[i] - '0') * weight;
	}
	sum = (12 - sum % 11) % 11;
	return sum == 10 ? 'X' : (char)('0' + sum);
}

static void idno_valid_with_digit_and_x_check(void **state)
{
	char id[32], out[64];
	size_t ol;
	char base[18] = "11010519491231002";
	int found_x = 0;

	(void)state;
	/* the well-known GB 11643 example */
	assert_int_equal(iso7064("11010519491231002"), 'X');
	assert_int_equal(iso7064("44052418800101001"), '4');

	snprintf(id, sizeof(id), "%s%c", "44052418800101001", iso7064("44052418800101001"));
	assert_int_equal(norm_idno(id, 18, out, &ol), 1);
	assert_int_equal(ol, 18);
	assert_string_equal(out, "440524188001010014");

	snprintf(id, sizeof(id), "%sX", base);
	assert_int_equal(norm_idno(id, 18, out, &ol), 1);
	assert_string_equal(out, "11010519491231002X");
	/* lowercase x is upper-cased and valid */
	snprintf(id, sizeof(id), "%sx", base);
	assert_int_equal(norm_idno(id, 18, out, &ol), 1);
	assert_string_equal(out, "11010519491231002X");

	/* a spread of generated numbers, both check kinds */
	for (int i = 0; i < 1000; i++) {
		char d17[18];

		snprintf(d17, sizeof(d17), "62020019%02d0101%03d", 50 + i % 50, i);
		snprintf(id, sizeof(id), "%s%c", d17, iso7064(d17));
		if (iso7064(d17) == 'X')
			found_x++;
		if (norm_idno(id, 18, out, &ol) != 1)
			fail_msg("valid ID '%s' refused", id);
		assert_string_equal(out, id);
	}
	assert_true(found_x > 0);
}

static void idno_full_width_digits_are_folded(void **state)
{
	char in[128], out[128];
	size_t n = 0, ol;
	const char *id = "11010519491231002X";

	(void)state;
	for (const char *c = id; *c; c++) {
		if (*c >= '0' && *c <= '9') {
			in[n++] = (char)0xEF;
			in[n++] = (char)0xBC;
			in[n++] = (char)(0x90 + (*c - '0'));
		} else {
			/* full-width lowercase x: U+FF58 = EF BD 98 */
			in[n++] = (char)0xEF;
			in[n++] = (char)0xBD;
			in[n++] = (char)0x98;
		}
	}
	in[n] = '\0';
	assert_int_equal(norm_idno(in, n, out, &ol), 1);
	assert_int_equal(ol, 18);
	assert_string_equal(out, id);
}

static void idno_wrong_check_or_shape_is_refused_but_folded(void **state)
{
	char id[32], out[128];
	size_t ol;
	char good = iso7064("62020019800101123");

	(void)state;
	for (char c = '0'; c <= '9'; c++) {
		if (c == good)
			continue;
		snprintf(id, sizeof(id), "62020019800101123%c", c);
		assert_int_equal(norm_idno(id, 18, out, &ol), 0);
		assert_string_equal(out, id); /* folded text is given either way */
	}
	if (good != 'X') {
		assert_int_equal(norm_idno("62020019800101123X", 18, out, &ol), 0);
	}
	/* 15-digit old-style numbers are not valid 18-character IDs */
	assert_int_equal(norm_idno("110105491231002", 15, out, &ol), 0);
	assert_int_equal(ol, 15);
	assert_string_equal(out, "110105491231002");
	/* wrong lengths and characters */
	assert_int_equal(norm_idno("", 0, out, &ol), 0);
	assert_int_equal(ol, 0);
	assert_int_equal(norm_idno("11010519491231002X1", 19, out, &ol), 0);
	assert_int_equal(norm_idno("1101051949123100X2", 18, out, &ol), 0);
	assert_int_equal(norm_idno("11010519491231002Y", 18, out, &ol), 0);
	assert_int_equal(norm_idno("A1010519491231002X", 18, out, &ol), 0);
	/* 'x' elsewhere is upper-cased in the output too (documented folding) */
	assert_int_equal(norm_idno("x1", 2, out, &ol), 0);
	assert_string_equal(out, "X1");
}

/* ---- phone extensions ---- */

static void check_ext(const char *in, enum norm_phone want, const char *want_out, int want_ext)
{
	char out[32];
	int ext = -1;
	enum norm_phone got;

	snprintf(out, sizeof(out), "%s", "(none)");
	got = norm_phone_ext(in, strlen(in), "0937", out, &ext);
	if (got != want)
		fail_msg("norm_phone_ext('%s') = %d, expected %d", in, (int)got, (int)want);
	if (want != PHONE_UNRECOGNISED && strcmp(out, want_out))
		fail_msg("norm_phone_ext('%s') wrote '%s', expected '%s'", in, out, want_out);
	if (ext != want_ext)
		fail_msg("norm_phone_ext('%s') ext %d, expected %d", in, ext, want_ext);
}

static void phone_extensions_in_rfc3966_form(void **state)
{
	(void)state;
	/* 0937-6212345转123 (转 = E8 BD AC) */
	check_ext("0937-6212345\xE8\xBD\xAC" "123", PHONE_LANDLINE, "0937-6212345;ext=123", 1);
	check_ext("6212345 \xE8\xBD\xAC 8001", PHONE_LANDLINE, "0937-6212345;ext=8001", 1);
	/* 分机 = E5 88 86 E6 9C BA */
	check_ext("09376212345\xE5\x88\x86\xE6\x9C\xBA" "12", PHONE_LANDLINE, "0937-6212345;ext=12", 1);
	check_ext("0937-6212345-8001", PHONE_LANDLINE, "0937-6212345;ext=8001", 1);
	check_ext("6212345-01", PHONE_LANDLINE, "0937-6212345;ext=01", 1);
	check_ext("0937-6212345 ext.12", PHONE_LANDLINE, "0937-6212345;ext=12", 1);
	check_ext("0937-6212345 EXT 12", PHONE_LANDLINE, "0937-6212345;ext=12", 1);
	check_ext("0937-6212345ext:7", PHONE_LANDLINE, "0937-6212345;ext=7", 1);
	check_ext("0937-6212345 x12", PHONE_LANDLINE, "0937-6212345;ext=12", 1);
	check_ext("(0937)62123456-123456", PHONE_LANDLINE, "0937-62123456;ext=123456", 1);
	/* full-width: ０９３７－６２１２３４５转１２ */
	check_ext("\xEF\xBC\x90\xEF\xBC\x99\xEF\xBC\x93\xEF\xBC\x97\xEF\xBC\x8D\xEF\xBC\x96\xEF\xBC\x92"
		  "\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95\xE8\xBD\xAC\xEF\xBC\x91"
		  "\xEF\xBC\x92", PHONE_LANDLINE, "0937-6212345;ext=12", 1);
	/* a whole number is never split: these are plain numbers */
	check_ext("0937-6212-345", PHONE_LANDLINE, "0937-6212345", 0);
	check_ext("+86 139 1234 5678", PHONE_MOBILE, "13912345678", 0);
	check_ext("0086-13912345678", PHONE_MOBILE, "13912345678", 0);
	/* no extension on a mobile, none too long, none without a number */
	check_ext("13912345678-12", PHONE_UNRECOGNISED, NULL, 0);
	check_ext("13912345678\xE8\xBD\xAC" "12", PHONE_UNRECOGNISED, NULL, 0);
	check_ext("0937-6212345-1234567", PHONE_UNRECOGNISED, NULL, 0);
	check_ext("\xE8\xBD\xAC" "123", PHONE_UNRECOGNISED, NULL, 0);
	check_ext("0937-62123-4567", PHONE_UNRECOGNISED, NULL, 0);
	check_ext("0937-6212345\xE8\xBD\xAC", PHONE_UNRECOGNISED, NULL, 0);
	check_ext("0937-6212345 y12", PHONE_UNRECOGNISED, NULL, 0);
	check_ext("", PHONE_UNRECOGNISED, NULL, 0);
}

/* ---- name replacement (districts) and blanks ---- */

static void replace_names_longest_first_left_to_right(void **state)
{
	/* 雄关区 -> 雄关街道, 镜铁区 -> 钢城街道, 镜铁区 prefix test with a longer name */
	const char *from[] = {"\xE9\x9B\x84\xE5\x85\xB3\xE5\x8C\xBA", "\xE9\x95\x9C\xE9\x93\x81\xE5\x8C\xBA",
			      "ab", "abc", ""};
	const char *to[] = {"\xE9\x9B\x84\xE5\x85\xB3\xE8\xA1\x97\xE9\x81\x93",
			    "\xE9\x92\xA2\xE5\x9F\x8E\xE8\xA1\x97\xE9\x81\x93", "X", "Y", "never"};
	char out[128];
	size_t ol;
	/* 嘉峪关市雄关区新华中路12号 */
	const char *in = "\xE5\x98\x89\xE5\xB3\xAA\xE5\x85\xB3\xE5\xB8\x82\xE9\x9B\x84\xE5\x85\xB3\xE5\x8C\xBA"
			 "\xE6\x96\xB0\xE5\x8D\x8E\xE4\xB8\xAD\xE8\xB7\xAF" "12\xE5\x8F\xB7";

	(void)state;
	assert_int_equal(norm_replace_names(in, strlen(in), from, to, 5, out, sizeof(out) - 1, &ol), 1);
	assert_string_equal(out, "\xE5\x98\x89\xE5\xB3\xAA\xE5\x85\xB3\xE5\xB8\x82\xE9\x9B\x84\xE5\x85\xB3"
				 "\xE8\xA1\x97\xE9\x81\x93\xE6\x96\xB0\xE5\x8D\x8E\xE4\xB8\xAD\xE8\xB7\xAF" "12\xE5\x8F\xB7");
	assert_int_equal(ol, strlen(out));
	/* longest first; replaced text is not scanned again; no match leaves the text */
	assert_int_equal(norm_replace_names("abcabab", 7, from, to, 5, out, sizeof(out) - 1, &ol), 3);
	assert_string_equal(out, "YXX");
	assert_int_equal(norm_replace_names("a-b-c", 5, from, to, 5, out, sizeof(out) - 1, &ol), 0);
	assert_string_equal(out, "a-b-c");
	/* two names in one value, and a value that would not fit */
	{
		char s2[64];

		snprintf(s2, sizeof(s2), "%s/%s", from[0], from[1]);
		assert_int_equal(norm_replace_names(s2, strlen(s2), from, to, 5, out, sizeof(out) - 1, &ol), 2);
		assert_int_equal(ol, 12 + 1 + 12);
		assert_int_equal(norm_replace_names(s2, strlen(s2), from, to, 5, out, 20, &ol), -1);
	}
	/* length, not NUL: the name cut at n does not match */
	assert_int_equal(norm_replace_names(from[0], 6, from, to, 5, out, sizeof(out) - 1, &ol), 0);
	assert_int_equal(ol, 6);
}

static void blank_is_spaces_tabs_and_ideographic_spaces_only(void **state)
{
	(void)state;
	assert_true(norm_is_blank("", 0));
	assert_true(norm_is_blank("   ", 3));
	assert_true(norm_is_blank(" \t", 2));
	assert_true(norm_is_blank("\xE3\x80\x80 \xE3\x80\x80", 7));
	assert_false(norm_is_blank(" 0 ", 3));
	assert_false(norm_is_blank("\xE3\x80", 2));            /* a cut U+3000 is not a space */
	assert_false(norm_is_blank("\xC2\xA0", 2));            /* NBSP is not folded: not blank */
	assert_false(norm_is_blank("-", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fold_digits_letters_punct_and_ideographic_space),
		cmocka_unit_test(fold_leaves_everything_else_untouched),
		cmocka_unit_test(fold_respects_length_not_nul),
		cmocka_unit_test(phone_mobile_forms),
		cmocka_unit_test(phone_landline_forms),
		cmocka_unit_test(phone_unrecognised_leaves_out_untouched),
		cmocka_unit_test(phone_uses_the_area_parameter),
		cmocka_unit_test(date_every_format_kind),
		cmocka_unit_test(date_two_digit_year_pivot),
		cmocka_unit_test(date_full_width_digits),
		cmocka_unit_test(date_zero),
		cmocka_unit_test(date_calendar_is_checked),
		cmocka_unit_test(date_shape_mismatches_are_invalid),
		cmocka_unit_test(idno_valid_with_digit_and_x_check),
		cmocka_unit_test(idno_full_width_digits_are_folded),
		cmocka_unit_test(idno_wrong_check_or_shape_is_refused_but_folded),
		cmocka_unit_test(phone_extensions_in_rfc3966_form),
		cmocka_unit_test(replace_names_longest_first_left_to_right),
		cmocka_unit_test(blank_is_spaces_tabs_and_ideographic_spaces_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
