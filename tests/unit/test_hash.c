/* tests/unit/test_hash.c: canonical forms and record hashes are exactly the
 * documented ones, so an auditor's SQL recomputes them (migrate/hash.h).
 * Expected digests were computed with coreutils sha256sum. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "migrate/hash.h"

static struct mg_hasher *h;

static int setup(void **state)
{
	(void)state;
	h = hasher_new();
	return h ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	hasher_free(h);
	hasher_free(NULL);
	return 0;
}

static void canon_of_documented_example(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 0, "canon");
	assert_int_equal(canon_add(&b, "1", 1, 0, &e), 0);
	assert_int_equal(canon_add(&b, "ab", 2, 0, &e), 0);
	assert_int_equal(canon_add(&b, NULL, 0, 1, &e), 0);
	assert_string_equal(buf_cstr(&b), "V1:1V2:abN");
	buf_release(&b);
}

static void canon_distinguishes_null_empty_and_boundaries(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 0, "canon");
	/* NULL, empty string, and a value holding the letter N differ */
	assert_int_equal(canon_add(&b, NULL, 0, 1, &e), 0);
	assert_int_equal(canon_add(&b, "", 0, 0, &e), 0);
	assert_int_equal(canon_add(&b, "N", 1, 0, &e), 0);
	assert_string_equal(buf_cstr(&b), "NV0:V1:N");
	/* ("a:b") vs ("a", "b"): lengths keep field boundaries */
	buf_reset(&b);
	assert_int_equal(canon_add(&b, "ab", 2, 0, &e), 0);
	assert_int_equal(canon_add(&b, "c", 1, 0, &e), 0);
	assert_string_equal(buf_cstr(&b), "V2:abV1:c");
	buf_reset(&b);
	assert_int_equal(canon_add(&b, "a", 1, 0, &e), 0);
	assert_int_equal(canon_add(&b, "bc", 2, 0, &e), 0);
	assert_string_equal(buf_cstr(&b), "V1:aV2:bc");
	/* the length is in bytes, and the bytes are copied as they are */
	buf_reset(&b);
	assert_int_equal(canon_add(&b, "\xD6\xD0\0\xFF", 4, 0, &e), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.ptr, "V4:\xD6\xD0\0\xFF", 8); /* with the terminator */
	/* isnull wins over bytes */
	buf_reset(&b);
	assert_int_equal(canon_add(&b, "ignored", 7, 1, &e), 0);
	assert_string_equal(buf_cstr(&b), "N");
	/* multi-digit lengths */
	buf_reset(&b);
	{
		char v[1234];

		memset(v, 'x', sizeof(v));
		assert_int_equal(canon_add(&b, v, sizeof(v), 0, &e), 0);
		assert_memory_equal(b.ptr, "V1234:xxx", 9);
		assert_int_equal(b.len, 6 + sizeof(v));
	}
	buf_release(&b);
}

static void canon_respects_the_buffer_cap(void **state)
{
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	buf_init(&b, 8, "canonical row");
	assert_int_equal(canon_add(&b, "abcdef", 6, 0, &e), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	buf_release(&b);
}

static void digest64_is_first_8_bytes_big_endian(void **state)
{
	(void)state;
	/* SHA-256("abc") = ba7816bf8f01cfea 414140de... */
	assert_int_equal(hasher_digest64(h, "abc", 3), 0xba7816bf8f01cfeaULL);
	/* SHA-256("") = e3b0c44298fc1c14... */
	assert_int_equal(hasher_digest64(h, "", 0), 0xe3b0c44298fc1c14ULL);
	/* SHA-256("V1:1V2:abN") = 791195b51cf285df... */
	assert_int_equal(hasher_digest64(h, "V1:1V2:abN", 10), 0x791195b51cf285dfULL);
	/* a kept context gives the same answer every time, in any order */
	assert_int_equal(hasher_digest64(h, "abc", 3), 0xba7816bf8f01cfeaULL);
}

static void hex_is_the_full_sha256(void **state)
{
	char out[65];

	(void)state;
	memset(out, 'z', sizeof(out));
	hasher_hex(h, "abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hasher_hex(h, "", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hasher_hex(h, "NNV0:", 5, out);
	assert_string_equal(out, "24450d449be6c122cad07711b94b465488e7689a244b567ed1aefe5898317664");
}

static void totals_are_order_independent(void **state)
{
	const char *rows[] = {"V1:1V2:abN", "V1:2V0:N", "NNN", "V3:中"};
	uint64_t fwd = 0, rev = 0;

	(void)state;
	for (int i = 0; i < 4; i++)
		fwd += hasher_digest64(h, rows[i], strlen(rows[i]));
	for (int i = 3; i >= 0; i--)
		rev += hasher_digest64(h, rows[i], strlen(rows[i]));
	assert_int_equal(fwd, rev);
	assert_true(fwd != 0);
	/* two hashers agree */
	{
		struct mg_hasher *h2 = hasher_new();

		assert_non_null(h2);
		assert_int_equal(hasher_digest64(h2, "abc", 3), hasher_digest64(h, "abc", 3));
		hasher_free(h2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canon_of_documented_example),
		cmocka_unit_test(canon_distinguishes_null_empty_and_boundaries),
		cmocka_unit_test(canon_respects_the_buffer_cap),
		cmocka_unit_test(digest64_is_first_8_bytes_big_endian),
		cmocka_unit_test(hex_is_the_full_sha256),
		cmocka_unit_test(totals_are_order_independent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
