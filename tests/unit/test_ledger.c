/* tests/unit/test_ledger.c: stage ledgers add up modulo 2^64, survive a JSON
 * round trip exactly, and ledger_check names every imbalance
 * (migrate/ledger.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "migrate/ledger.h"

#define assert_contains(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) \
		fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", n_); \
} while (0)

/* A balanced ledger: 10 rows at the source, 1 rejected at extract,
 * 1 at decode, 2 at transform, 1 merged at load. Record hashes are
 * arbitrary 64-bit numbers, chosen to wrap. */
static void balanced(struct mg_ledger *l)
{
	const uint64_t H = 0xF000000000000001u; /* total of all ten source rows */
	const uint64_t rx = 0x8000000000000003u, rd = 0x7000000000000005u, rt = 0x1234, rm = 0x99;
	const uint64_t ut = 0xFEDCBA9876543210u; /* unified total of transform out */
	struct mg_stage_count *s = l->st;

	ledger_init(l);
	s[ST_SOURCE].in = s[ST_SOURCE].out = 10;
	s[ST_SOURCE].h_in = s[ST_SOURCE].h_out = H;
	s[ST_EXTRACT].in = 10;
	s[ST_EXTRACT].h_in = H;
	s[ST_EXTRACT].rejected = 1;
	s[ST_EXTRACT].h_rej = rx;
	s[ST_EXTRACT].out = 9;
	s[ST_EXTRACT].h_out = H - rx;
	s[ST_DECODE].in = 9;
	s[ST_DECODE].h_in = H - rx;
	s[ST_DECODE].rejected = 1;
	s[ST_DECODE].h_rej = rd;
	s[ST_DECODE].out = 8;
	s[ST_DECODE].h_out = H - rx - rd;
	s[ST_TRANSFORM].in = 8;
	s[ST_TRANSFORM].h_in = H - rx - rd;
	s[ST_TRANSFORM].rejected = 2;
	s[ST_TRANSFORM].h_rej = rt;
	s[ST_TRANSFORM].out = 6;
	s[ST_TRANSFORM].h_out = H - rx - rd - rt;
	s[ST_TRANSFORM].h_uout = ut;
	s[ST_LOAD].in = 6;
	s[ST_LOAD].h_in = ut;
	s[ST_LOAD].merged = 1;
	s[ST_LOAD].h_merged = rm;
	s[ST_LOAD].out = 5;
	s[ST_LOAD].h_out = ut - rm;
	s[ST_TARGET].in = s[ST_TARGET].out = 5;
	s[ST_TARGET].h_in = s[ST_TARGET].h_out = ut - rm;
}

static int check(const struct mg_ledger *l, int src, int tgt, struct mg_buf *p)
{
	buf_reset(p);
	return ledger_check(l, src, tgt, p);
}

static void balanced_ledger_has_no_problem(void **state)
{
	struct mg_ledger l;
	struct mg_buf p;

	(void)state;
	buf_init(&p, 0, "problems");
	balanced(&l);
	assert_int_equal(check(&l, 1, 1, &p), 0);
	assert_string_equal(buf_cstr(&p), "");
	assert_int_equal(check(&l, 0, 0, &p), 0);
	assert_int_equal(ledger_check(&l, 1, 1, NULL), 0);
	ledger_init(&l);
	assert_int_equal(check(&l, 1, 1, &p), 0); /* all zero balances too */
	buf_release(&p);
}

static void each_stage_count_imbalance_is_found(void **state)
{
	struct mg_ledger l;
	struct mg_buf p;

	(void)state;
	buf_init(&p, 0, "problems");
	for (int st = ST_EXTRACT; st <= ST_LOAD; st++) {
		balanced(&l);
		l.st[st].in++; /* one row more in than accounted for */
		assert_true(check(&l, 1, 1, &p) >= 1);
		assert_contains(buf_cstr(&p), mg_stage_names[st]);
		assert_contains(buf_cstr(&p), "in != out + rejected + merged (counts)");
		/* an extra reject without a matching 'in' is also found */
		balanced(&l);
		l.st[st].rejected++;
		assert_true(check(&l, 1, 1, &p) >= 1);
		assert_contains(buf_cstr(&p), "(counts)");
		/* and a merged count */
		balanced(&l);
		l.st[st].merged += 2;
		assert_true(check(&l, 1, 1, &p) >= 1);
	}
	buf_release(&p);
}

static void each_stage_hash_imbalance_is_found(void **state)
{
	struct mg_ledger l;
	struct mg_buf p;

	(void)state;
	buf_init(&p, 0, "problems");
	for (int st = ST_EXTRACT; st <= ST_LOAD; st++) {
		balanced(&l);
		l.st[st].h_rej ^= 1; /* same counts, other content */
		assert_int_equal(check(&l, 1, 1, &p), 1);
		assert_contains(buf_cstr(&p), mg_stage_names[st]);
		assert_contains(buf_cstr(&p), "content total");
		balanced(&l);
		l.st[st].h_merged += 5;
		assert_int_equal(check(&l, 1, 1, &p), 1);
	}
	buf_release(&p);
}

static void links_between_stages_are_checked(void **state)
{
	struct mg_ledger l;
	struct mg_buf p;

	(void)state;
	buf_init(&p, 0, "problems");
	/* decode.in vs extract.out: move both sides of decode so it balances itself */
	balanced(&l);
	l.st[ST_DECODE].in++;
	l.st[ST_DECODE].rejected++;
	assert_int_equal(check(&l, 1, 1, &p), 1);
	assert_contains(buf_cstr(&p), "decode.in differs from extract.out");
	balanced(&l);
	l.st[ST_DECODE].h_in += 7;
	l.st[ST_DECODE].h_rej += 7;
	assert_int_equal(check(&l, 1, 1, &p), 1);
	assert_contains(buf_cstr(&p), "decode.in differs from extract.out");
	/* transform.in vs decode.out */
	balanced(&l);
	l.st[ST_TRANSFORM].in--;
	l.st[ST_TRANSFORM].rejected--;
	assert_int_equal(check(&l, 1, 1, &p), 1);
	assert_contains(buf_cstr(&p), "transform.in differs from decode.out");
	/* load.in vs transform.out (count) */
	balanced(&l);
	l.st[ST_LOAD].in++;
	l.st[ST_LOAD].merged++;
	assert_int_equal(check(&l, 1, 1, &p), 1);
	assert_contains(buf_cstr(&p), "load.in differs from transform.out");
	/* load.h_in must be transform's unified total, not its source-domain total */
	balanced(&l);
	l.st[ST_TRANSFORM].h_uout += 1;
	assert_int_equal(check(&l, 1, 1, &p), 1);
	assert_contains(buf_cstr(&p), "load.in differs from transform.out");
	buf_release(&p);
}

static void source_vs_extract_only_with_a_recount(void **state)
{
	struct mg_ledger l;
	struct mg_buf p;

	(void)state;
	buf_init(&p, 0, "problems");
	balanced(&l);
	l.st[ST_SOURCE].out = 11; /* the source recount saw one row more */
	assert_int_equal(check(&l, 1, 1, &p), 1);
	assert_contains(buf_cstr(&p), "extract does not match the independent recount at the source");
	assert_int_equal(check(&l, 0, 1, &p), 0); /* no recount made: not compared */
	balanced(&l);
	l.st[ST_SOURCE].h_out ^= 0x100;
	assert_int_equal(check(&l, 1, 1, &p), 1);
	assert_contains(buf_cstr(&p), "source");
	buf_release(&p);
}

static void target_vs_load_only_with_a_recount(void **state)
{
	struct mg_ledger l;
	struct mg_buf p;

	(void)state;
	buf_init(&p, 0, "problems");
	balanced(&l);
	l.st[ST_TARGET].out = 4;
	assert_int_equal(check(&l, 1, 1, &p), 1);
	assert_contains(buf_cstr(&p), "load does not match the independent recount in the target");
	assert_int_equal(check(&l, 1, 0, &p), 0);
	balanced(&l);
	l.st[ST_TARGET].h_out += 1;
	assert_int_equal(check(&l, 1, 1, &p), 1);
	assert_contains(buf_cstr(&p), "target");
	buf_release(&p);
}

static void several_problems_one_line_each(void **state)
{
	struct mg_ledger l;
	struct mg_buf p;
	int lines = 0;

	(void)state;
	buf_init(&p, 0, "problems");
	balanced(&l);
	l.st[ST_SOURCE].out = 99;
	l.st[ST_TARGET].out = 99;
	l.st[ST_DECODE].h_rej += 1;
	assert_int_equal(check(&l, 1, 1, &p), 3);
	for (const char *c = buf_cstr(&p); *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 3);
	buf_release(&p);
}

static void add_sums_with_wraparound(void **state)
{
	struct mg_ledger a, b;

	(void)state;
	ledger_init(&a);
	ledger_init(&b);
	a.st[ST_EXTRACT].h_out = UINT64_MAX;
	b.st[ST_EXTRACT].h_out = 2;
	a.st[ST_LOAD].in = 5;
	b.st[ST_LOAD].in = 7;
	b.st[ST_TRANSFORM].h_uout = 0x8000000000000000u;
	a.st[ST_TRANSFORM].h_uout = 0x8000000000000000u;
	b.st[ST_DECODE].h_merged = 3;
	ledger_fix(&a, "zero_date", 2);
	ledger_fix(&b, "zero_date", 3);
	ledger_fix(&b, "unmapped_code", 1);
	ledger_add(&a, &b);
	assert_int_equal(a.st[ST_EXTRACT].h_out, 1);      /* (2^64 - 1) + 2 mod 2^64 */
	assert_int_equal(a.st[ST_LOAD].in, 12);
	assert_int_equal(a.st[ST_TRANSFORM].h_uout, 0);
	assert_int_equal(a.st[ST_DECODE].h_merged, 3);
	assert_int_equal(ledger_fix_get(&a, "zero_date"), 5);
	assert_int_equal(ledger_fix_get(&a, "unmapped_code"), 1);
	assert_int_equal(ledger_fix_get(&a, "never_counted"), 0);
	assert_int_equal(a.nfix, 2);
	/* adding a ledger to itself doubles it */
	ledger_init(&b);
	ledger_add(&b, &a);
	ledger_add(&b, &a);
	assert_int_equal(b.st[ST_LOAD].in, 24);
	assert_int_equal(ledger_fix_get(&b, "zero_date"), 10);
}

static void balance_survives_wraparound(void **state)
{
	struct mg_ledger l;

	(void)state;
	/* the hash totals of balanced() already wrap; sums of near-max values too */
	balanced(&l);
	l.st[ST_LOAD].h_merged += UINT64_MAX;
	l.st[ST_LOAD].h_out += 1;
	l.st[ST_TARGET].h_out += 1;
	assert_int_equal(ledger_check(&l, 1, 1, NULL), 0);
}

static void json_round_trip_is_exact(void **state)
{
	struct mg_ledger a, b;
	struct mg_buf j;
	struct mg_err e = {0};

	(void)state;
	buf_init(&j, 0, "json");
	balanced(&a);
	a.st[ST_SOURCE].h_out = UINT64_MAX;
	a.st[ST_LOAD].h_merged = UINT64_MAX - 1;
	a.st[ST_TARGET].in = UINT64_MAX;
	a.st[ST_TRANSFORM].h_uout = 0x8000000000000001u; /* above INT64_MAX */
	ledger_fix(&a, "zero_date", UINT64_MAX);
	ledger_fix(&a, "fullwidth_folded", 0);
	ledger_fix(&a, "phone_unrecognised", 12345);
	assert_int_equal(ledger_to_json(&a, &j, &e), 0);
	assert_contains(buf_cstr(&j), "18446744073709551615"); /* as a decimal string */
	assert_int_equal(ledger_from_json(&b, buf_cstr(&j), &e), 0);
	assert_int_equal(e.code, MG_E_NONE);
	assert_memory_equal(b.st, a.st, sizeof(a.st));
	assert_int_equal(ledger_fix_get(&b, "zero_date"), UINT64_MAX);
	assert_int_equal(ledger_fix_get(&b, "phone_unrecognised"), 12345);
	assert_int_equal(ledger_fix_get(&b, "fullwidth_folded"), 0);
	assert_int_equal(b.nfix, 3);
	/* and again: the text is stable */
	{
		struct mg_buf j2;

		buf_init(&j2, 0, "json");
		assert_int_equal(ledger_to_json(&b, &j2, &e), 0);
		assert_string_equal(buf_cstr(&j2), buf_cstr(&j));
		buf_release(&j2);
	}
	buf_release(&j);
}

static void json_integers_and_missing_stages_are_read(void **state)
{
	struct mg_ledger l;
	struct mg_err e = {0};

	(void)state;
	assert_int_equal(ledger_from_json(&l, "{\"stages\":{\"load\":{\"in\":3,\"out\":\"2\",\"merged\":1}},"
					  "\"fixes\":{\"zero_date\":\"4\"}}", &e), 0);
	assert_int_equal(l.st[ST_LOAD].in, 3);
	assert_int_equal(l.st[ST_LOAD].out, 2);
	assert_int_equal(l.st[ST_LOAD].merged, 1);
	assert_int_equal(l.st[ST_EXTRACT].in, 0);
	assert_int_equal(ledger_fix_get(&l, "zero_date"), 4);
	assert_int_equal(ledger_from_json(&l, "{}", &e), 0);
	assert_int_equal(l.st[ST_LOAD].in, 0);
}

static void json_garbage_is_an_error(void **state)
{
	struct mg_ledger l;
	struct mg_err e = {0};

	(void)state;
	assert_int_equal(ledger_from_json(&l, "{\"stages\": ", &e), -1);
	assert_int_equal(e.code, MG_E_STORE);
	assert_contains(e.msg, "not valid JSON");
	mg_err_clear(&e);
	assert_int_equal(ledger_from_json(&l, "", &e), -1);
}

static void fixes_are_counted_by_name(void **state)
{
	struct mg_ledger l;

	(void)state;
	ledger_init(&l);
	ledger_fix(&l, "zero_date", 1);
	ledger_fix(&l, "zero_date", 1);
	ledger_fix(&l, "idno_invalid", 4);
	assert_int_equal(ledger_fix_get(&l, "zero_date"), 2);
	assert_int_equal(ledger_fix_get(&l, "idno_invalid"), 4);
	assert_int_equal(ledger_fix_get(&l, "zero"), 0);
	assert_int_equal(l.nfix, 2);
	assert_string_equal(mg_stage_names[ST_SOURCE], "source");
	assert_string_equal(mg_stage_names[ST_TARGET], "target");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(balanced_ledger_has_no_problem),
		cmocka_unit_test(each_stage_count_imbalance_is_found),
		cmocka_unit_test(each_stage_hash_imbalance_is_found),
		cmocka_unit_test(links_between_stages_are_checked),
		cmocka_unit_test(source_vs_extract_only_with_a_recount),
		cmocka_unit_test(target_vs_load_only_with_a_recount),
		cmocka_unit_test(several_problems_one_line_each),
		cmocka_unit_test(add_sums_with_wraparound),
		cmocka_unit_test(balance_survives_wraparound),
		cmocka_unit_test(json_round_trip_is_exact),
		cmocka_unit_test(json_integers_and_missing_stages_are_read),
		cmocka_unit_test(json_garbage_is_an_error),
		cmocka_unit_test(fixes_are_counted_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
