/* tests/unit/test_rules.c: keyword rules match in order, first match wins,
 * where they are told to look; reject thresholds by count at once and by
 * ratio only after the warm-up; coverage shares (transform/rules.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "transform/codemap.h"
#include "transform/rules.h"

static void test_keywords_in_order(void **state)
{
	struct cm_keywords *kw = NULL;
	struct mg_err e = {0};
	unsigned rule = 99;
	const char *t = "夜里噪音", *c = "楼下摆摊，很吵";

	(void)state;
	assert_int_equal(cm_keywords_rule(&kw, "0102", CM_IN_TITLE, &e), 0);
	assert_int_equal(cm_keywords_word(kw, "噪声", &e), 0);
	assert_int_equal(cm_keywords_word(kw, "噪音", &e), 0);
	assert_int_equal(cm_keywords_rule(&kw, "0103", CM_IN_TITLE | CM_IN_CONTENT, &e), 0);
	assert_int_equal(cm_keywords_word(kw, "摆摊", &e), 0);
	assert_int_equal(cm_keywords_rule(&kw, "0104", CM_IN_CONTENT, &e), 0);
	assert_int_equal(cm_keywords_word(kw, "噪音", &e), 0);
	/* both rule 1 (title) and 2 (content) match: the first wins */
	assert_string_equal(cm_keywords_match(kw, t, strlen(t), c, strlen(c), &rule), "0102");
	assert_int_equal(rule, 0);
	/* "噪音" in the content only: rule 1 looks in the title only, rule 3 in the content */
	assert_string_equal(cm_keywords_match(kw, "无", 3, t, strlen(t), &rule), "0104");
	assert_int_equal(rule, 2);
	assert_null(cm_keywords_match(kw, "无", 3, NULL, 0, NULL));
	assert_null(cm_keywords_match(kw, NULL, 0, NULL, 0, NULL));
	assert_int_equal(cm_keywords_size(kw), 3);
	cm_keywords_free(kw);
}

static void test_reject_thresholds(void **state)
{
	struct rules_limits l;
	struct rules_tally t = {.rows = 999, .rejected = 100};
	struct mg_err e = {0};
	char msg[1024];

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(rules_limits_set(&l, "max_reject_ratio", "0.05", &e), 0);
	assert_int_equal(rules_limits_set(&l, "warmup_rows", "1000", &e), 0);
	assert_int_equal(rules_over_rejects(&l, &t, msg, sizeof(msg)), 0); /* under warm-up */
	t.rows = 1000;
	assert_int_equal(rules_over_rejects(&l, &t, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "the run: 100 of 1000 records rejected (10.00%), more than max_reject_ratio 0.05"));
	t.rejected = 50; /* exactly 5%: not over */
	assert_int_equal(rules_over_rejects(&l, &t, msg, sizeof(msg)), 0);
	assert_int_equal(rules_limits_set(&l, "max_rejects", "10", &e), 0);
	t.rows = 20; /* counts have no warm-up */
	t.rejected = 11;
	assert_int_equal(rules_over_rejects(&l, &t, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "11 records rejected, more than max_rejects 10"));
	assert_int_equal(rules_limits_set(&l, "max_reject_ratio", "1.5", &e), -1);
	mg_err_clear(&e);
	assert_int_equal(rules_limits_set(&l, "max_rejectz", "1", &e), -1);
	assert_non_null(strstr(e.msg, "unknown threshold 'max_rejectz'"));
}

static void test_coverage(void **state)
{
	struct rules_limits l;
	struct rules_tally t = {.loaded = 100, .keyword = 3, .defaulted = 2};
	char msg[1024];

	(void)state;
	memset(&l, 0, sizeof(l));
	l.have_min_mapped = 1;
	l.min_mapped = 0.95;
	assert_int_equal(rules_over_coverage(&l, &t, msg, sizeof(msg)), 0); /* 95 of 100 */
	t.keyword = 4;
	assert_int_equal(rules_over_coverage(&l, &t, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "94 of 100 loaded records (94.00%) mapped by the table's codes"));
	l.have_min_mapped = 0;
	l.have_max_unmapped = 1;
	l.max_unmapped = 0.01;
	assert_int_equal(rules_over_coverage(&l, &t, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "2 of 100 loaded records (2.00%) mapped by neither"));
	t.loaded = t.keyword = t.defaulted = 0; /* nothing loaded: nothing to judge */
	assert_int_equal(rules_over_coverage(&l, &t, msg, sizeof(msg)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords_in_order),
		cmocka_unit_test(test_reject_thresholds),
		cmocka_unit_test(test_coverage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
