/* gbk_as_latin1's third answer: a value with the shape of GBK read as
 * latin1 whose proof fails (too few common characters, as in short titles)
 * is SUSPECT: kept as it is, for the caller to count and record; genuine
 * Western text is never suspect, and proven mojibake is still repaired. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <iconv.h>

#include "transform/repair.h"

/* text (UTF-8) -> GBK bytes -> each byte read as cp1252 -> UTF-8 */
static void mojibake(const char *text, char *out, size_t cap)
{
	static const unsigned short cp1252_80[32] = {
		0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
		0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
		0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
	};
	char gbk[512], *ip = (char *)text, *op = gbk;
	size_t il = strlen(text), ol = sizeof(gbk), o = 0;
	iconv_t cd = iconv_open("GBK", "UTF-8");

	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	for (char *g = gbk; g < op; g++) {
		unsigned c = (unsigned char)*g;
		unsigned long cp = c < 0x80 ? c : c < 0xA0 ? cp1252_80[c - 0x80] : c;

		assert_true(o + 4 < cap);
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xC0 | cp >> 6);
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else {
			out[o++] = (char)(0xE0 | cp >> 12);
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	out[o] = 0;
}

static int value(const char *in, unsigned mask, struct repair_report *rep, struct mg_buf *out)
{
	struct repair r;
	struct mg_err e = {0};
	int rc;

	repair_init(&r);
	rc = repair_value(&r, mask, in, strlen(in), out, rep, &e);
	repair_release(&r);
	assert_int_not_equal(rc, -1);
	return rc;
}

static void short_titles_are_suspect(void **state)
{
	static const char *const titles[] = {
		"投诉：困难帮扶", "咨询：工会经费", "拖欠工资", "劳动合同纠纷", "工伤认定", "社保补缴",
		"困难职工帮扶", "金秋助学",
	};
	struct mg_buf out;
	char m[256];
	unsigned suspect = 0;

	(void)state;
	buf_init(&out, 0, "test");
	mojibake("投诉：困难帮扶", m, sizeof(m));
	assert_string_equal(m, "Í¶Ëß£ºÀ§ÄÑ°ï·ö");
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		struct repair_report rep;
		int rc;

		mojibake(titles[i], m, sizeof(m));
		rc = value(m, REPAIR_ALL, &rep, &out);
		/* never changed without the proof: repaired (proven) or suspect */
		if (rc == REPAIR_REPAIRED) {
			assert_int_equal(out.len, strlen(titles[i]));
			assert_memory_equal(out.ptr, titles[i], out.len);
			continue;
		}
		if (rc != REPAIR_SUSPECT)
			fail_msg("'%s' (%s): rc %d, expected SUSPECT or REPAIRED", m, titles[i], rc);
		assert_int_equal(out.len, 0);
		assert_int_equal(rep.fired, 0);
		assert_true(strstr(rep.why, "too few common characters") != NULL);
		suspect++;
	}
	assert_true(suspect >= 1); /* 投诉：困难帮扶 at least */
	buf_release(&out);
}

static void the_rule_alone_answers_suspect(void **state)
{
	struct mg_buf out;
	char why[200] = "", m[256];
	struct mg_err e = {0};

	(void)state;
	buf_init(&out, 0, "test");
	mojibake("投诉：困难帮扶", m, sizeof(m));
	assert_int_equal(repair_gbk_as_latin1(NULL, m, strlen(m), &out, why, sizeof(why), &e), REPAIR_SUSPECT);
	assert_int_equal(out.len, 0);
	assert_true(why[0] != 0);
	/* without gbk_as_latin1 in the mask nothing is said */
	assert_int_equal(value(m, REPAIR_BIT(REPAIR_UTF8_AS_LATIN1) | REPAIR_BIT(REPAIR_GB18030_2005_PUA), NULL, &out),
			 REPAIR_NOT_APPLICABLE);
	buf_release(&out);
}

static void proven_mojibake_is_still_repaired(void **state)
{
	struct mg_buf out;
	char m[512];
	const char *t = "市民来电反映小区门口有人占道经营，早上六点就开始吆喝，噪音扰民。";

	(void)state;
	buf_init(&out, 0, "test");
	mojibake(t, m, sizeof(m));
	assert_int_equal(value(m, REPAIR_ALL, NULL, &out), REPAIR_REPAIRED);
	assert_string_equal((const char *)out.ptr, t);
	mojibake("中文", m, sizeof(m));
	assert_int_equal(value(m, REPAIR_ALL, NULL, &out), REPAIR_REPAIRED);
	buf_release(&out);
}

static void latin_letters_or_genuine_text_are_not_suspect(void **state)
{
	static const char *const genuine[] = {
		"Café", "naïve", "Ñandú", "ÆØÅ", "æøå", "«»", "« Noël »", "©", "© 2019", "°C", "25°C ±0.5",
		"Größe", "Straße", "São Paulo", "informação", "ação", "¿Qué?", "¡Hola!", "señor", "años",
		"€5", "“quoted”", "— dash –", "½ ¼ ¾", "Ðð", "Þþ", "ÇÑ", "çñ", "Ÿÿ", "¢£¤¥", "¦¨ª¬¯²³´·¸¹º",
		"×÷", "ÀÉ", "àé", "Ææ", "Øø", "ß", "ÄÖÜ", "äöü", "Ã©", "Â·", "â€™",
		"市民来电", "投诉：困难帮扶", "Emoji 😀", "12345", "",
	};
	struct mg_buf out;

	(void)state;
	buf_init(&out, 0, "test");
	for (size_t i = 0; i < sizeof(genuine) / sizeof(genuine[0]); i++) {
		int rc = value(genuine[i], REPAIR_ALL, NULL, &out);

		if (rc == REPAIR_SUSPECT)
			fail_msg("genuine '%s' is suspect", genuine[i]);
	}
	/* mojibake next to an ASCII letter: the proof's letter rule, not suspect */
	{
		char m[256], v[300];

		mojibake("投诉：困难帮扶", m, sizeof(m)); /* suspect alone (above) */
		snprintf(v, sizeof(v), "Re: %s", m);
		assert_int_equal(value(v, REPAIR_ALL, NULL, &out), REPAIR_NOT_APPLICABLE);
	}
	buf_release(&out);
}

/* every pair of Latin-1 letters and signs (U+00A0..U+00FF), alone and
 * doubled: how many are suspect (a measure of false alarms on genuine
 * two-letter words; the figure is in docs/encodings.md) */
static void pairs_of_latin1_letters(void **state)
{
	struct mg_buf out;
	unsigned suspect = 0, repaired = 0, total = 0;

	(void)state;
	buf_init(&out, 0, "test");
	for (unsigned a = 0xC0; a <= 0xFF; a++)
		for (unsigned b = 0xC0; b <= 0xFF; b++) {
			char v[16];
			int rc;

			/* a word of two accented letters, twice: "ÀÉ ÀÉ" */
			snprintf(v, sizeof(v), "%c%c%c%c %c%c%c%c", 0xC3, 0x80 | (a & 0x3F), 0xC3, 0x80 | (b & 0x3F), 0xC3,
				 0x80 | (a & 0x3F), 0xC3, 0x80 | (b & 0x3F));
			rc = value(v, REPAIR_ALL, NULL, &out);
			suspect += rc == REPAIR_SUSPECT;
			repaired += rc == REPAIR_REPAIRED;
			total++;
		}
	print_message("latin1 letter pairs: %u of %u suspect, %u repaired\n", suspect, total, repaired);
	assert_int_equal(total, 64 * 64);
	buf_release(&out);
}

/* tests/gen/estate_gh12351.c pastes these titles as mojibake and expects
 * these outcomes: keep the two lists the same */
static void the_estate_titles_have_the_expected_outcome(void **state)
{
	static const struct {
		const char *title;
		int suspect;
	} titles[] = {
		{"投诉：困难帮扶", 1}, {"举报：欠薪逃匿", 1}, {"咨询：劳动仲裁", 1},
		{"拖欠工资", 0}, {"求助：工伤赔偿", 0}, {"投诉：克扣工资", 0},
	};
	struct mg_buf out;
	char m[256];

	(void)state;
	buf_init(&out, 0, "test");
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		int rc;

		mojibake(titles[i].title, m, sizeof(m));
		rc = value(m, REPAIR_BIT(REPAIR_GBK_AS_LATIN1), NULL, &out);
		if (rc != (titles[i].suspect ? REPAIR_SUSPECT : REPAIR_REPAIRED))
			fail_msg("'%s' (%s): rc %d", titles[i].title, m, rc);
		if (!titles[i].suspect)
			assert_string_equal((const char *)out.ptr, titles[i].title);
	}
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_titles_are_suspect),
		cmocka_unit_test(the_rule_alone_answers_suspect),
		cmocka_unit_test(proven_mojibake_is_still_repaired),
		cmocka_unit_test(latin_letters_or_genuine_text_are_not_suspect),
		cmocka_unit_test(pairs_of_latin1_letters),
		cmocka_unit_test(the_estate_titles_have_the_expected_outcome),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
