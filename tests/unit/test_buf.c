/* tests/unit/test_buf.c: struct mg_buf keeps its cap, its NUL terminator
 * and its ownership rules (migrate/buf.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "migrate/buf.h"

#define assert_contains(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) \
		fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", n_); \
} while (0)

static void empty_buffer_reads_as_empty_string(void **state)
{
	struct mg_buf b;

	(void)state;
	buf_init(&b, 0, "test");
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");
	buf_reset(&b); /* reset of a never-grown buffer is harmless */
	assert_string_equal(buf_cstr(&b), "");
	buf_release(&b);
	buf_release(&b); /* released twice: still fine */
}

static void every_add_keeps_nul_terminator(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 0, "test");
	assert_int_equal(buf_add(&b, "ab", 2, &e), 0);
	assert_non_null(b.ptr);
	assert_int_equal(b.len, 2);
	assert_int_equal(b.ptr[b.len], 0);
	assert_int_equal(buf_addc(&b, 'c', &e), 0);
	assert_int_equal(b.ptr[b.len], 0);
	assert_int_equal(buf_addstr(&b, "def", &e), 0);
	assert_int_equal(b.ptr[b.len], 0);
	assert_int_equal(buf_add(&b, "", 0, &e), 0);
	assert_int_equal(b.ptr[b.len], 0);
	assert_int_equal(buf_printf(&b, &e, "%d", 42), 0);
	assert_int_equal(b.ptr[b.len], 0);
	assert_int_equal(buf_add_u64(&b, 7, &e), 0);
	assert_int_equal(b.ptr[b.len], 0);
	assert_string_equal(buf_cstr(&b), "abcdef427");
	assert_int_equal(b.len, 9);
	/* an add of zero bytes to an empty buffer still gives a valid string */
	buf_release(&b);
	assert_int_equal(buf_add(&b, "", 0, &e), 0);
	assert_non_null(b.ptr);
	assert_int_equal(b.ptr[0], 0);
	/* embedded NUL bytes are data, the terminator is still there */
	assert_int_equal(buf_add(&b, "x\0y", 3, &e), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.ptr, "x\0y", 4);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(e.code, MG_E_NONE);
	buf_release(&b);
}

static void cap_is_enforced_with_limit_error_naming_it(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 10, "max_field_bytes");
	assert_int_equal(buf_add(&b, "0123456789", 10, &e), 0); /* exactly the cap: fine */
	assert_int_equal(b.len, 10);
	assert_int_equal(buf_addc(&b, 'x', &e), -1);             /* one more: refused */
	assert_int_equal(e.code, MG_E_LIMIT);
	assert_contains(e.msg, "max_field_bytes");
	assert_contains(e.msg, "10");
	/* the buffer is untouched by the failed add */
	assert_int_equal(b.len, 10);
	assert_string_equal(buf_cstr(&b), "0123456789");
	buf_release(&b);
}

static void cap_applies_to_every_add_function(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 4, "tiny_cap");
	assert_int_equal(buf_addstr(&b, "12345", &e), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	assert_contains(e.msg, "tiny_cap");
	mg_err_clear(&e);
	assert_int_equal(buf_printf(&b, &e, "%s", "abcde"), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	mg_err_clear(&e);
	assert_int_equal(buf_add_u64(&b, 12345, &e), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	mg_err_clear(&e);
	assert_int_equal(buf_grow(&b, 5, &e), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	mg_err_clear(&e);
	assert_int_equal(buf_grow(&b, 4, &e), 0);
	assert_int_equal(buf_add_u64(&b, 1234, &e), 0);
	assert_string_equal(buf_cstr(&b), "1234");
	buf_release(&b);
}

static void huge_grow_is_an_overflow_error_not_a_wrap(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 0, "unlimited");
	assert_int_equal(buf_add(&b, "a", 1, &e), 0);
	assert_int_equal(buf_grow(&b, SIZE_MAX, &e), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	assert_contains(e.msg, "unlimited");
	assert_string_equal(buf_cstr(&b), "a");
	buf_release(&b);
}

static void unnamed_cap_gets_a_default_name(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 1, NULL);
	assert_int_equal(buf_add(&b, "ab", 2, &e), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	assert_contains(e.msg, "'buffer'");
	buf_release(&b);
}

static void add_u64_writes_zero_and_max(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 0, "test");
	assert_int_equal(buf_add_u64(&b, 0, &e), 0);
	assert_string_equal(buf_cstr(&b), "0");
	buf_reset(&b);
	assert_int_equal(buf_add_u64(&b, UINT64_MAX, &e), 0);
	assert_string_equal(buf_cstr(&b), "18446744073709551615");
	assert_int_equal(b.len, 20);
	buf_reset(&b);
	assert_int_equal(buf_add_u64(&b, 10, &e), 0);
	assert_int_equal(buf_addc(&b, ',', &e), 0);
	assert_int_equal(buf_add_u64(&b, 1000000007, &e), 0);
	assert_string_equal(buf_cstr(&b), "10,1000000007");
	buf_release(&b);
}

static void printf_grows_past_initial_allocation(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};
	char big[5000];

	(void)state;
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 0, "test");
	assert_int_equal(buf_printf(&b, &e, "<%s>", "x"), 0);
	assert_int_equal(buf_printf(&b, &e, "[%s]%d", big, 7), 0);
	assert_int_equal(b.len, 3 + 1 + 4999 + 1 + 1);
	assert_true(b.alloc > b.len);
	assert_int_equal(b.ptr[b.len], 0);
	assert_memory_equal(b.ptr, "<x>[zz", 6);
	assert_memory_equal(b.ptr + b.len - 3, "z]7", 3);
	/* many small appends: grows and keeps content */
	buf_reset(&b);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_printf(&b, &e, "%04d", i % 10000), 0);
	assert_int_equal(b.len, 40000);
	assert_memory_equal(b.ptr + 4 * 9999, "9999", 5);
	buf_release(&b);
}

static void printf_respects_cap(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 8, "fmt_cap");
	assert_int_equal(buf_printf(&b, &e, "%s", "12345678"), 0);
	assert_int_equal(buf_printf(&b, &e, "%d", 9), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	assert_contains(e.msg, "fmt_cap");
	assert_string_equal(buf_cstr(&b), "12345678");
	buf_release(&b);
}

static void detach_hands_over_ownership(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};
	size_t len = 99;
	char *p;

	(void)state;
	buf_init(&b, 100, "test");
	assert_int_equal(buf_addstr(&b, "hello", &e), 0);
	p = buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "hello");
	assert_int_equal(len, 5);
	/* the buffer is empty and reusable, and does not own p any more */
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(buf_addstr(&b, "again", &e), 0);
	assert_string_equal(buf_cstr(&b), "again");
	assert_ptr_not_equal(b.ptr, p);
	/* the cap survives a detach */
	assert_int_equal(b.cap, 100);
	buf_release(&b);
	assert_string_equal(p, "hello"); /* still ours after the buffer is released */
	free(p);
}

static void detach_of_empty_buffer_gives_empty_string(void **state)
{
	struct mg_buf b;
	char *p;

	(void)state;
	buf_init(&b, 0, "test");
	p = buf_detach(&b, NULL);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);
}

static void release_resets_to_empty(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 0, "test");
	assert_int_equal(buf_addstr(&b, "data", &e), 0);
	buf_release(&b);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
	assert_string_equal(buf_cstr(&b), "");
}

static void first_error_is_kept_across_failed_adds(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 2, "first_cap");
	assert_int_equal(buf_addstr(&b, "abc", &e), -1);
	assert_int_equal(buf_addstr(&b, "defgh", &e), -1);
	assert_contains(e.msg, "3 bytes"); /* the first failure's numbers */
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_buffer_reads_as_empty_string),
		cmocka_unit_test(every_add_keeps_nul_terminator),
		cmocka_unit_test(cap_is_enforced_with_limit_error_naming_it),
		cmocka_unit_test(cap_applies_to_every_add_function),
		cmocka_unit_test(huge_grow_is_an_overflow_error_not_a_wrap),
		cmocka_unit_test(unnamed_cap_gets_a_default_name),
		cmocka_unit_test(add_u64_writes_zero_and_max),
		cmocka_unit_test(printf_grows_past_initial_allocation),
		cmocka_unit_test(printf_respects_cap),
		cmocka_unit_test(detach_hands_over_ownership),
		cmocka_unit_test(detach_of_empty_buffer_gives_empty_string),
		cmocka_unit_test(release_resets_to_empty),
		cmocka_unit_test(first_error_is_kept_across_failed_adds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
