/* tests/unit/test_batch.c: rows, NULLs, provenance, extract rejects and
 * finished inputs travel through a batch exactly (migrate/batch.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "migrate/batch.h"

#define assert_contains(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) \
		fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", n_); \
} while (0)

static void field_is(const struct mg_batch *b, unsigned r, unsigned c, const void *want, size_t wn)
{
	size_t n = 12345;
	const unsigned char *v = batch_get(b, r, c, &n);

	if (!v)
		fail_msg("row %u col %u is NULL, expected %zu bytes", r, c, wn);
	if (n != wn || memcmp(v, want, wn))
		fail_msg("row %u col %u is '%.*s' (%zu bytes), expected '%.*s'", r, c, (int)n, v, n, (int)wn,
			 (const char *)want);
}

static void field_is_null(const struct mg_batch *b, unsigned r, unsigned c)
{
	size_t n = 12345;

	if (batch_get(b, r, c, &n))
		fail_msg("row %u col %u is not NULL", r, c);
	assert_int_equal(n, 0);
}

static void rows_with_nulls_and_provenance(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};
	size_t kn;
	const unsigned char *k;

	(void)state;
	assert_int_equal(batch_init(&b, 3, 10, 1024, &e), 0);
	assert_int_equal(b.ncols, 3);
	assert_int_equal(b.max_rows, 10);
	/* row 0: col 1 never put -> NULL; col 2 empty string (not NULL) */
	batch_row_begin(&b);
	assert_int_equal(batch_put(&b, 0, "a", 1, &e), 0);
	assert_int_equal(batch_put(&b, 2, "", 0, &e), 0);
	assert_int_equal(batch_row_end(&b, "t#1", 3, 1, 0, &e), 0);
	/* row 1: put in any order, bytes with NUL and high bytes; col 0 put then NULLed */
	batch_row_begin(&b);
	assert_int_equal(batch_put(&b, 2, "\xD6\xD0\0x", 4, &e), 0);
	assert_int_equal(batch_put(&b, 0, "gone", 4, &e), 0);
	batch_put_null(&b, 0);
	assert_int_equal(batch_put(&b, 1, "mid", 3, &e), 0);
	assert_int_equal(batch_row_end(&b, "t#2", 3, 2, 57, &e), 0);
	/* row 2: all NULL, no key */
	batch_row_begin(&b);
	assert_int_equal(batch_row_end(&b, NULL, 0, 0, 0, &e), 0);
	assert_int_equal(b.nrows, 3);

	field_is(&b, 0, 0, "a", 1);
	field_is_null(&b, 0, 1);
	field_is(&b, 0, 2, "", 0);
	field_is_null(&b, 1, 0);
	field_is(&b, 1, 1, "mid", 3);
	field_is(&b, 1, 2, "\xD6\xD0\0x", 4);
	field_is_null(&b, 2, 0);
	field_is_null(&b, 2, 1);
	field_is_null(&b, 2, 2);

	k = batch_key(&b, 0, &kn);
	assert_int_equal(kn, 3);
	assert_memory_equal(k, "t#1", 3);
	k = batch_key(&b, 1, &kn);
	assert_memory_equal(k, "t#2", 3);
	assert_int_equal(b.prov[1].line, 2);
	assert_int_equal(b.prov[1].offset, 57);
	k = batch_key(&b, 2, &kn);
	assert_int_equal(kn, 0);
	assert_non_null(k);
	assert_int_equal(e.code, MG_E_NONE);
	batch_release(&b);
}

static void default_max_rows_and_empty_key_arena(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};
	size_t kn = 99;

	(void)state;
	assert_int_equal(batch_init(&b, 1, 0, 16, &e), 0);
	assert_int_equal(b.max_rows, 1000);
	batch_row_begin(&b);
	assert_int_equal(batch_row_end(&b, NULL, 0, 0, 0, &e), 0);
	assert_string_equal((const char *)batch_key(&b, 0, &kn), ""); /* no key bytes ever added */
	assert_int_equal(kn, 0);
	batch_release(&b);
}

static void append_extends_the_last_put_field(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};

	(void)state;
	assert_int_equal(batch_init(&b, 3, 10, 1024, &e), 0);
	batch_row_begin(&b);
	assert_int_equal(batch_put(&b, 0, "id1", 3, &e), 0);
	assert_int_equal(batch_put(&b, 1, "ab", 2, &e), 0);
	assert_int_equal(batch_append(&b, 1, "cd", 2, &e), 0);
	assert_int_equal(batch_append(&b, 1, "", 0, &e), 0);
	assert_int_equal(batch_append(&b, 2, "new", 3, &e), 0);   /* append to a NULL column = put */
	assert_int_equal(batch_append(&b, 2, "\nline2", 6, &e), 0);
	assert_int_equal(batch_row_end(&b, "k", 1, 1, 0, &e), 0);
	batch_row_begin(&b);
	assert_int_equal(batch_append(&b, 0, "x", 1, &e), 0);
	assert_int_equal(batch_append(&b, 0, "y", 1, &e), 0);
	assert_int_equal(batch_row_end(&b, "k2", 2, 2, 0, &e), 0);
	field_is(&b, 0, 0, "id1", 3);
	field_is(&b, 0, 1, "abcd", 4);
	field_is(&b, 0, 2, "new\nline2", 9);
	field_is(&b, 1, 0, "xy", 2);
	field_is_null(&b, 1, 1);
	batch_release(&b);
}

static void full_by_rows(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};

	(void)state;
	assert_int_equal(batch_init(&b, 1, 3, 64, &e), 0);
	for (int i = 0; i < 3; i++) {
		assert_false(batch_full(&b));
		batch_row_begin(&b);
		assert_int_equal(batch_put(&b, 0, "v", 1, &e), 0);
		assert_int_equal(batch_row_end(&b, "k", 1, 0, 0, &e), 0);
	}
	assert_true(batch_full(&b));
	batch_reset(&b);
	assert_false(batch_full(&b));
	batch_release(&b);
}

static void full_by_bytes(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};

	(void)state;
	assert_int_equal(batch_init(&b, 1, 1000, 64, &e), 0);
	assert_true(b.soft_bytes > 0);
	b.soft_bytes = 10; /* a small soft limit for the test */
	batch_row_begin(&b);
	assert_int_equal(batch_put(&b, 0, "123456789", 9, &e), 0);
	assert_int_equal(batch_row_end(&b, "k", 1, 0, 0, &e), 0);
	assert_false(batch_full(&b));
	batch_row_begin(&b);
	assert_int_equal(batch_put(&b, 0, "0", 1, &e), 0);
	assert_int_equal(batch_row_end(&b, "k", 1, 0, 0, &e), 0);
	assert_true(batch_full(&b));
	assert_int_equal(b.nrows, 2);
	batch_release(&b);
}

static void arena_cap_is_a_limit_error(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};
	static unsigned char big[1u << 20];
	int rc = 0;

	(void)state;
	assert_int_equal(batch_init(&b, 1, 1000, 16, &e), 0);
	/* the arena holds soft_bytes + max_field * ncols + 64 KiB: keep putting
	 * 1 MiB fields without checking batch_full until it refuses */
	for (int i = 0; i < 10 && rc == 0; i++) {
		batch_row_begin(&b);
		rc = batch_put(&b, 0, big, sizeof(big), &e);
		if (rc == 0)
			assert_int_equal(batch_row_end(&b, "k", 1, 0, 0, &e), 0);
	}
	assert_int_equal(rc, -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	assert_contains(e.msg, "max_field_bytes");
	assert_true(b.nrows >= 4);
	batch_release(&b);
}

static void row_cancel_drops_the_row_being_built(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};
	size_t before;

	(void)state;
	assert_int_equal(batch_init(&b, 2, 10, 1024, &e), 0);
	batch_row_begin(&b);
	assert_int_equal(batch_put(&b, 0, "keep", 4, &e), 0);
	assert_int_equal(batch_row_end(&b, "k1", 2, 1, 0, &e), 0);
	before = b.data.len;
	batch_row_begin(&b);
	assert_int_equal(batch_put(&b, 0, "drop-me", 7, &e), 0);
	assert_int_equal(batch_put(&b, 1, "and-me", 6, &e), 0);
	batch_row_cancel(&b);
	assert_int_equal(b.nrows, 1);
	assert_int_equal(b.data.len, before);
	/* the next row starts clean: nothing of the cancelled row shows */
	batch_row_begin(&b);
	assert_int_equal(batch_put(&b, 1, "two", 3, &e), 0);
	assert_int_equal(batch_row_end(&b, "k2", 2, 2, 0, &e), 0);
	assert_int_equal(b.nrows, 2);
	field_is(&b, 0, 0, "keep", 4);
	field_is_null(&b, 1, 0);
	field_is(&b, 1, 1, "two", 3);
	batch_release(&b);
}

static void rejects_round_trip(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};
	struct mg_xrej x;
	size_t pos = 0;

	(void)state;
	assert_int_equal(batch_init(&b, 2, 10, 1024, &e), 0);
	assert_int_equal(batch_reject(&b, "ragged_row", "3 fields, expected 2", "a,b,c\n", 6, "f.csv#7", 7, 7,
				      120, &e), 0);
	assert_int_equal(batch_reject(&b, "bad_record", "", "\0\xFF\0", 3, "", 0, 0, 0, &e), 0);
	assert_int_equal(batch_reject(&b, "empty", "raw is empty", "", 0, "f.csv#9", 7, UINT64_MAX,
				      UINT64_MAX - 1, &e), 0);
	assert_int_equal(b.nxrej, 3);
	assert_int_equal(b.nrows, 0); /* rejects are not rows */

	assert_int_equal(batch_next_reject(&b, &pos, &x), 1);
	assert_string_equal(x.reason, "ragged_row");
	assert_string_equal(x.detail, "3 fields, expected 2");
	assert_int_equal(x.raw_len, 6);
	assert_memory_equal(x.raw, "a,b,c\n", 6);
	assert_int_equal(x.key_len, 7);
	assert_memory_equal(x.key, "f.csv#7", 7);
	assert_int_equal(x.line, 7);
	assert_int_equal(x.offset, 120);

	assert_int_equal(batch_next_reject(&b, &pos, &x), 1);
	assert_string_equal(x.reason, "bad_record");
	assert_string_equal(x.detail, "");
	assert_int_equal(x.raw_len, 3);
	assert_memory_equal(x.raw, "\0\xFF\0", 3);
	assert_int_equal(x.key_len, 0);
	assert_int_equal(x.line, 0);

	assert_int_equal(batch_next_reject(&b, &pos, &x), 1);
	assert_string_equal(x.reason, "empty");
	assert_int_equal(x.raw_len, 0);
	assert_int_equal(x.line, UINT64_MAX);
	assert_int_equal(x.offset, UINT64_MAX - 1);

	assert_int_equal(batch_next_reject(&b, &pos, &x), 0);
	assert_int_equal(batch_next_reject(&b, &pos, &x), 0); /* stays at the end */
	/* iteration is read-only: a second pass sees the same */
	pos = 0;
	assert_int_equal(batch_next_reject(&b, &pos, &x), 1);
	assert_string_equal(x.reason, "ragged_row");
	batch_release(&b);
}

static void rejects_and_rows_mix(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};
	struct mg_xrej x;
	size_t pos = 0;
	int n = 0;

	(void)state;
	assert_int_equal(batch_init(&b, 1, 10, 1024, &e), 0);
	for (int i = 0; i < 5; i++) {
		char key[16];

		snprintf(key, sizeof(key), "f#%d", i);
		if (i % 2) {
			assert_int_equal(batch_reject(&b, "odd", key, key, strlen(key), key, strlen(key), (uint64_t)i, 0, &e), 0);
		} else {
			batch_row_begin(&b);
			assert_int_equal(batch_put(&b, 0, key, strlen(key), &e), 0);
			assert_int_equal(batch_row_end(&b, key, strlen(key), (uint64_t)i, 0, &e), 0);
		}
	}
	assert_int_equal(b.nrows, 3);
	assert_int_equal(b.nxrej, 2);
	while (batch_next_reject(&b, &pos, &x)) {
		assert_int_equal(x.line, 1 + 2 * (uint64_t)n);
		n++;
	}
	assert_int_equal(n, 2);
	field_is(&b, 2, 0, "f#4", 3);
	batch_release(&b);
}

static void input_done_lines(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};
	const char *sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	(void)state;
	assert_int_equal(batch_init(&b, 1, 10, 1024, &e), 0);
	assert_int_equal(batch_input_done(&b, "data/2019.csv", sha, 0, 0, &e), 0);
	assert_int_equal(batch_input_done(&b, "odd\tname\nhere.csv", sha, UINT64_MAX, 12345, &e), 0);
	assert_int_equal(b.ninputs, 2);
	assert_string_equal(buf_cstr(&b.inputs),
			    "data/2019.csv\te3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\t0\t0\n"
			    "odd name here.csv\te3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\t"
			    "18446744073709551615\t12345\n");
	batch_release(&b);
}

static void reset_empties_everything_but_keeps_shape(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};
	struct mg_xrej x;
	size_t pos = 0;

	(void)state;
	assert_int_equal(batch_init(&b, 2, 10, 1024, &e), 0);
	batch_row_begin(&b);
	assert_int_equal(batch_put(&b, 0, "v", 1, &e), 0);
	assert_int_equal(batch_row_end(&b, "k", 1, 1, 0, &e), 0);
	assert_int_equal(batch_reject(&b, "r", "d", "raw", 3, "k", 1, 1, 0, &e), 0);
	assert_int_equal(batch_input_done(&b, "f", "00", 1, 1, &e), 0);
	assert_int_equal(buf_addstr(&b.rejects, "line\n", &e), 0);
	b.nrejects = 1;
	assert_int_equal(buf_addstr(&b.last_key, "k", &e), 0);
	b.have_last_key = 1;
	snprintf(b.origin, sizeof(b.origin), "%s", "f.csv");
	b.delta.st[ST_EXTRACT].out = 1;
	ledger_fix(&b.delta, "zero_date", 1);

	batch_reset(&b);
	assert_int_equal(b.nrows, 0);
	assert_int_equal(b.data.len, 0);
	assert_int_equal(b.keys.len, 0);
	assert_int_equal(b.nxrej, 0);
	assert_int_equal(batch_next_reject(&b, &pos, &x), 0);
	assert_int_equal(b.ninputs, 0);
	assert_string_equal(buf_cstr(&b.inputs), "");
	assert_int_equal(b.nrejects, 0);
	assert_string_equal(buf_cstr(&b.rejects), "");
	assert_false(b.have_last_key);
	assert_int_equal(b.last_key.len, 0);
	assert_string_equal(b.origin, "");
	assert_int_equal(b.delta.st[ST_EXTRACT].out, 0);
	assert_int_equal(ledger_fix_get(&b.delta, "zero_date"), 0);
	assert_int_equal(b.ncols, 2);
	assert_int_equal(b.max_rows, 10);
	/* and it is usable again */
	batch_row_begin(&b);
	assert_int_equal(batch_put(&b, 1, "w", 1, &e), 0);
	assert_int_equal(batch_row_end(&b, "k2", 2, 1, 0, &e), 0);
	field_is_null(&b, 0, 0);
	field_is(&b, 0, 1, "w", 1);
	batch_release(&b);
}

static void set_cols_reshapes(void **state)
{
	struct mg_batch b;
	struct mg_err e = {0};

	(void)state;
	assert_int_equal(batch_init(&b, 2, 5, 1024, &e), 0);
	assert_int_equal(batch_set_cols(&b, 7, &e), 0);
	assert_int_equal(b.ncols, 7);
	for (int r = 0; r < 5; r++) {
		batch_row_begin(&b);
		assert_int_equal(batch_put(&b, 6, "last", 4, &e), 0);
		assert_int_equal(batch_row_end(&b, "k", 1, 0, 0, &e), 0);
	}
	field_is(&b, 4, 6, "last", 4);
	field_is_null(&b, 4, 5);
	batch_release(&b);
	batch_release(&b); /* release leaves a zeroed batch: twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_with_nulls_and_provenance),
		cmocka_unit_test(default_max_rows_and_empty_key_arena),
		cmocka_unit_test(append_extends_the_last_put_field),
		cmocka_unit_test(full_by_rows),
		cmocka_unit_test(full_by_bytes),
		cmocka_unit_test(arena_cap_is_a_limit_error),
		cmocka_unit_test(row_cancel_drops_the_row_being_built),
		cmocka_unit_test(rejects_round_trip),
		cmocka_unit_test(rejects_and_rows_mix),
		cmocka_unit_test(input_done_lines),
		cmocka_unit_test(reset_empties_everything_but_keeps_shape),
		cmocka_unit_test(set_cols_reshapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
