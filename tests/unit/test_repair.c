/* tests/unit/test_repair.c: each named repair restores the real byte
 * sequences its damage produces, answers CANNOT where bytes were lost, and
 * leaves genuine text alone (transform/repair.h). The damaged values are
 * made here with iconv, the way the legacy systems made them, not with the
 * module's own tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transform/decode.h"
#include "transform/repair.h"

#define assert_contains(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) \
		fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", n_); \
} while (0)

static char *hex(const void *p, size_t n)
{
	static char s[4][600];
	static int k;
	char *o = s[k++ & 3];
	const unsigned char *b = p;

	o[0] = '\0';
	for (size_t i = 0; i < n && i < 190; i++)
		snprintf(o + 3 * i, 4, "%02X ", b[i]);
	return o;
}

/* ---- making damage the way legacy systems did ---- */

/* Strict iconv of in[0..n) from -> to, appended to out; -1 if it does not convert. */
static int conv(const char *to, const char *from, const void *in, size_t n, struct mg_buf *out)
{
	iconv_t cd = iconv_open(to, from);
	char *ip = (char *)in;
	size_t il = n;
	struct mg_err e = {0};

	if (cd == (iconv_t)-1)
		fail_msg("iconv cannot convert %s to %s", from, to);
	while (il) {
		char *op;
		size_t ol, before;

		if (buf_grow(out, il * 4 + 16, &e))
			fail_msg("%s", e.msg);
		op = (char *)out->ptr + out->len;
		before = ol = out->alloc - out->len - 1;
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 && errno != E2BIG) {
			out->len += before - ol;
			iconv_close(cd);
			return -1;
		}
		out->len += before - ol;
	}
	iconv_close(cd);
	buf_grow(out, 0, &e);
	out->ptr[out->len] = 0;
	return 0;
}

/* Bytes read as "latin1" by MySQL (cp1252; its five undefined bytes
 * 81 8D 8F 90 9D as U+0081 ...) or as ISO-8859-1, written as UTF-8. */
static void read_as_latin(const char *reading, const unsigned char *b, size_t n, struct mg_buf *out)
{
	for (size_t i = 0; i < n; i++)
		if (conv("UTF-8", reading, b + i, 1, out))
			assert_int_equal(conv("UTF-8", "ISO-8859-1", b + i, 1, out), 0);
}

/* text (UTF-8) double-encoded `times` times through reading(s). */
static char *double_encode(const char *text, const char *reading, int times)
{
	struct mg_buf cur, next;
	struct mg_err e = {0};

	buf_init(&cur, 0, "t");
	assert_int_equal(buf_addstr(&cur, text, &e), 0);
	for (int i = 0; i < times; i++) {
		buf_init(&next, 0, "t");
		read_as_latin(i == 0 ? reading : "CP1252", cur.ptr, cur.len, &next);
		buf_release(&cur);
		cur = next;
	}
	return buf_detach(&cur, NULL);
}

/* text encoded as enc, read as reading (latin1 family), written as UTF-8. */
static char *legacy_as_latin(const char *text, const char *enc, const char *reading)
{
	struct mg_buf b, out;

	buf_init(&b, 0, "t");
	buf_init(&out, 0, "t");
	assert_int_equal(conv(enc, "UTF-8", text, strlen(text), &b), 0);
	read_as_latin(reading, b.ptr, b.len, &out);
	buf_release(&b);
	return buf_detach(&out, NULL);
}

/* ---- running rules ---- */

typedef int (*rule_fn)(struct repair *, const char *, size_t, struct mg_buf *, char *, size_t, struct mg_err *);

static struct repair ctx;

static int setup(void **state)
{
	(void)state;
	repair_init(&ctx);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	repair_release(&ctx);
	return 0;
}

static void expect_rule(rule_fn fn, const char *name, const char *in, size_t n, int want, const char *result)
{
	struct mg_buf out;
	struct mg_err e = {0};
	char why[200] = "", msg[2000] = "";
	int rc;

	for (int with_ctx = 0; with_ctx < 2; with_ctx++) {
		buf_init(&out, 0, "out");
		rc = fn(with_ctx ? &ctx : NULL, in, n, &out, why, sizeof(why), &e);
		if (rc != want)
			snprintf(msg, sizeof(msg), "%s [%s] -> %d (%s), expected %d", name, hex(in, n), rc,
				 rc == REPAIR_REPAIRED ? hex(out.ptr, out.len) : why, want);
		else if (rc == REPAIR_REPAIRED && (out.len != strlen(result) || memcmp(out.ptr, result, out.len)))
			snprintf(msg, sizeof(msg), "%s [%s] -> [%s], expected [%s]", name, hex(in, n),
				 hex(out.ptr, out.len), hex(result, strlen(result)));
		else if (rc == REPAIR_REPAIRED && utf8_valid_prefix(out.ptr, out.len) != out.len)
			snprintf(msg, sizeof(msg), "%s: result is not valid UTF-8", name);
		else if (rc != REPAIR_REPAIRED && out.len)
			snprintf(msg, sizeof(msg), "%s: out not empty after %d", name, rc);
		else if (rc == REPAIR_CANNOT && !why[0])
			snprintf(msg, sizeof(msg), "%s: CANNOT without a reason", name);
		buf_release(&out);
		if (msg[0])
			fail_msg("%s", msg);
	}
}

#define UTF8(in, want, res) expect_rule(repair_utf8_as_latin1, "utf8_as_latin1", (in), strlen(in), (want), (res))
#define GBK(in, want, res) expect_rule(repair_gbk_as_latin1, "gbk_as_latin1", (in), strlen(in), (want), (res))
#define PUA(in, want, res) expect_rule(repair_gb18030_2005_pua, "gb18030_2005_pua", (in), strlen(in), (want), (res))

/* repair_value with every rule; returns rc, fills rep and result */
static int value(const char *in, unsigned mask, struct repair_report *rep, char *res, size_t reslen)
{
	struct mg_buf out;
	struct mg_err e = {0};
	int rc;

	buf_init(&out, 0, "out");
	rc = repair_value(&ctx, mask, in, strlen(in), &out, rep, &e);
	if (rc < 0)
		fail_msg("repair_value failed: %s", e.msg);
	snprintf(res, reslen, "%s", buf_cstr(&out));
	buf_release(&out);
	return rc;
}

/* ---- the cp1252 table ---- */

static void cp1252_reading_matches_iconv(void **state)
{
	(void)state;
	/* every byte 80..FF read as cp1252 (or latin1 where cp1252 has none)
	 * and reversed gives the byte back: the rule's table is iconv's */
	for (unsigned b = 0x80; b <= 0xBF; b++) {
		unsigned char two[3] = {0xC3, (unsigned char)b, 0};
		struct mg_buf m, out;
		struct mg_err e = {0};
		int rc;

		/* a two-byte UTF-8 sequence C3 xx read as cp1252, reversed */
		buf_init(&m, 0, "m");
		read_as_latin("CP1252", two, 2, &m);
		buf_init(&out, 0, "out");
		rc = repair_utf8_as_latin1(&ctx, (const char *)m.ptr, m.len, &out, NULL, 0, &e);
		assert_int_equal(rc, REPAIR_REPAIRED);
		assert_int_equal(out.len, 2);
		assert_memory_equal(out.ptr, two, 2);
		buf_release(&m);
		buf_release(&out);
	}
}

/* ---- utf8_as_latin1 ---- */

static void shi_double_encoded_is_restored(void **state)
{
	char *m;

	(void)state;
	/* 市 = E5 B8 82 read as cp1252: å ¸ ‚ (U+201A) */
	m = double_encode("市", "CP1252", 1);
	assert_string_equal(m, "\xC3\xA5\xC2\xB8\xE2\x80\x9A");
	UTF8(m, REPAIR_REPAIRED, "市");
	free(m);
	/* read as ISO-8859-1: 82 becomes U+0082 */
	m = double_encode("市", "ISO-8859-1", 1);
	assert_string_equal(m, "\xC3\xA5\xC2\xB8\xC2\x82");
	UTF8(m, REPAIR_REPAIRED, "市");
	free(m);
	/* the literal bytes of "å¸‚" */
	UTF8("\xC3\xA5\xC2\xB8\xE2\x80\x9A", REPAIR_REPAIRED, "\xE5\xB8\x82");
}

static void double_encoded_twice_and_three_times(void **state)
{
	struct repair_report rep;
	char res[512], *m;

	(void)state;
	/* "Ã¥Â¸Â‚": latin1 first, cp1252 second */
	m = double_encode("市", "ISO-8859-1", 2);
	assert_string_equal(m, "\xC3\x83\xC2\xA5\xC3\x82\xC2\xB8\xC3\x82\xE2\x80\x9A");
	UTF8(m, REPAIR_REPAIRED, "市");
	assert_int_equal(value(m, REPAIR_ALL, &rep, res, sizeof(res)), REPAIR_REPAIRED);
	assert_int_equal(rep.passes, 2);
	assert_string_equal(res, "市");
	free(m);
	/* "Ã¥Â¸â€š": cp1252 twice */
	m = double_encode("市民热线12345", "CP1252", 2);
	UTF8(m, REPAIR_REPAIRED, "市民热线12345");
	free(m);
	m = double_encode("市民来电反映：小区噪音扰民", "CP1252", 3);
	assert_int_equal(value(m, REPAIR_ALL, &rep, res, sizeof(res)), REPAIR_REPAIRED);
	assert_int_equal(rep.passes, 3);
	assert_int_equal(rep.fired, REPAIR_BIT(REPAIR_UTF8_AS_LATIN1));
	assert_string_equal(res, "市民来电反映：小区噪音扰民");
	free(m);
	/* four times is beyond the rule: CANNOT, never a half repair */
	m = double_encode("市", "CP1252", 4);
	UTF8(m, REPAIR_CANNOT, NULL);
	assert_int_equal(value(m, REPAIR_ALL, &rep, res, sizeof(res)), REPAIR_CANNOT);
	assert_int_equal(rep.cannot, REPAIR_UTF8_AS_LATIN1);
	assert_contains(rep.why, "more than 3");
	free(m);
}

static void double_encoded_mixed_text_emoji_and_undefined_bytes(void **state)
{
	static const char *const texts[] = {
		"工单 CG2019-000123：市民来电，电话 0937-6212345",
		"太感谢了😀👍",
		"南",                 /* E5 8D 97: 8D is undefined in cp1252 */
		"问题",               /* E9 97 AE E9 A2 98: 8F/9D-free but 97 and 98 are cp1252 */
		"Café naïve Ñandú",   /* Latin text double-encoded is restored too */
		"«引号» © ÆØÅ",
		"生僻字：𠀀𪚥",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *m = double_encode(texts[i], "CP1252", 1);

		UTF8(m, REPAIR_REPAIRED, texts[i]);
		free(m);
		m = double_encode(texts[i], "ISO-8859-1", 1);
		UTF8(m, REPAIR_REPAIRED, texts[i]);
		free(m);
	}
	/* 南 read by MySQL: the undefined 8D comes through as U+008D */
	UTF8("\xC3\xA5\xC2\x8D\xE2\x80\x94", REPAIR_REPAIRED, "南");
}

static void genuine_latin_text_is_not_touched(void **state)
{
	static const char *const genuine[] = {
		"Café", "naïve", "Ñandú", "ÆØÅ", "æøå", "«»", "« Noël »", "©", "© 2019", "®", "°C", "1°C",
		"Größe", "Straße", "São Paulo", "informação", "ação", "¿Qué?", "¡Hola!", "señor", "años",
		"€5", "“quoted”", "‘single’", "— dash –", "…", "•", "™", "½ ¼ ¾", "µ", "±", "§ 12", "¶",
		"Â", "Ã", "Ç", "ÇA", "Ça va", "déjà vu", "crème brûlée", "œuvre", "Œ", "Ÿ", "ÿ", "Ðð", "Þþ",
		"à la carte", "piñata", "Zoë", "Chloé", "Åsa", "Øresund", "Ærø", "façade", "fiancée",
		"résumé", "coöperate", "über", "Ärger", "Öl", "Ü", "ß", "¢£¤¥", "¦¨ª¬¯²³´·¸¹º", "×÷",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(genuine) / sizeof(genuine[0]); i++) {
		UTF8(genuine[i], REPAIR_NOT_APPLICABLE, NULL);
		GBK(genuine[i], REPAIR_NOT_APPLICABLE, NULL);
		PUA(genuine[i], REPAIR_NOT_APPLICABLE, NULL);
	}
}

static void chinese_and_ascii_are_not_applicable(void **state)
{
	(void)state;
	UTF8("市民热线", REPAIR_NOT_APPLICABLE, NULL);
	UTF8("plain ASCII", REPAIR_NOT_APPLICABLE, NULL);
	UTF8("", REPAIR_NOT_APPLICABLE, NULL);
	UTF8("😀", REPAIR_NOT_APPLICABLE, NULL);
	/* a mojibake part next to real Chinese: not restorable as a whole, and
	 * not claimed: left alone */
	UTF8("市\xC3\xA5\xC2\xB8\xE2\x80\x9A", REPAIR_NOT_APPLICABLE, NULL);
	/* invalid UTF-8 input is never a rule's business */
	UTF8("\xC3\xA5\xC2", REPAIR_NOT_APPLICABLE, NULL);
	expect_rule(repair_utf8_as_latin1, "utf8_as_latin1", "a\0b", 3, REPAIR_NOT_APPLICABLE, NULL);
	/* "Â…" reverses to C2 85, valid UTF-8 but a C1 control: no text */
	UTF8("\xC3\x82\xE2\x80\xA6", REPAIR_NOT_APPLICABLE, NULL);
}

static void damaged_double_encoding_cannot_be_restored(void **state)
{
	struct repair_report rep;
	char res[256];

	(void)state;
	/* 市民 double-encoded, and the ‚ of 市 (E2 80 9A) turned into '?' by a
	 * converter: å¸?æ°‘ */
	UTF8("\xC3\xA5\xC2\xB8?\xC3\xA6\xC2\xB0\xE2\x80\x98", REPAIR_CANNOT, NULL);
	assert_int_equal(value("\xC3\xA5\xC2\xB8?\xC3\xA6\xC2\xB0\xE2\x80\x98", REPAIR_ALL, &rep, res, sizeof(res)),
			 REPAIR_CANNOT);
	assert_int_equal(rep.cannot, REPAIR_UTF8_AS_LATIN1);
	assert_contains(rep.why, "cannot restore");
	assert_string_equal(res, "");
	/* cut in the middle of the last character: 市民 with 民's last byte gone */
	UTF8("\xC3\xA5\xC2\xB8\xE2\x80\x9A\xC3\xA6\xC2\xB0", REPAIR_CANNOT, NULL);
	/* a lone broken sequence is not enough evidence: left alone */
	UTF8("\xC3\xA5\xC2\xB8?", REPAIR_NOT_APPLICABLE, NULL);
}

/* ---- gbk_as_latin1 ---- */

static void gbk_zhongwen_read_as_latin1(void **state)
{
	char *m;

	(void)state;
	/* D6 D0 CE C4 -> "ÖÐÎÄ" */
	m = legacy_as_latin("中文", "GBK", "ISO-8859-1");
	assert_string_equal(m, "\xC3\x96\xC3\x90\xC3\x8E\xC3\x84");
	GBK(m, REPAIR_REPAIRED, "中文");
	/* the same value is not double-encoded UTF-8 */
	UTF8(m, REPAIR_NOT_APPLICABLE, NULL);
	free(m);
	GBK("\xC3\x96\xC3\x90\xC3\x8E\xC3\x84", REPAIR_REPAIRED, "\xE4\xB8\xAD\xE6\x96\x87");
}

static void gbk_sentences_names_and_readings(void **state)
{
	static const char *const texts[] = {
		"市民来电反映：小区门口有人占道经营，噪音扰民。",
		"张三", "欧阳修", "王建华",
		"地址：嘉峪关市雄关区新华中路123号",
		"联系电话：13912345678",
		"办理时限：3个工作日",
		"价格 5€",             /* CP936's 0x80 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *m = legacy_as_latin(texts[i], "CP936", "CP1252");

		GBK(m, REPAIR_REPAIRED, texts[i]);
		free(m);
		if (!strstr(texts[i], "€")) {
			m = legacy_as_latin(texts[i], "GBK", "ISO-8859-1");
			GBK(m, REPAIR_REPAIRED, texts[i]);
			free(m);
		}
	}
}

static void gbk_trail_byte_7c_survives_the_round_trip(void **state)
{
	char *m;

	(void)state;
	/* 亅 = 81 7C: the trail byte is '|'; read as cp1252 81 is U+0081 */
	m = legacy_as_latin("张三亅", "GBK", "CP1252");
	assert_non_null(strchr(m, '|'));
	GBK(m, REPAIR_REPAIRED, "张三亅");
	free(m);
	/* 諀 = D5 7C and 盶 = B1 5C (trail '\') between real characters */
	m = legacy_as_latin("市民諀盶反映", "GBK", "ISO-8859-1");
	GBK(m, REPAIR_REPAIRED, "市民諀盶反映");
	free(m);
}

static void gb18030_four_byte_sequences_read_as_latin1(void **state)
{
	char *m;

	(void)state;
	/* 𠀀 U+20000 = 95 32 82 36; 䶮 U+4DAE = FE 9F (glibc 2.36) */
	m = legacy_as_latin("姓名：王𠀀", "GB18030", "ISO-8859-1");
	GBK(m, REPAIR_REPAIRED, "姓名：王𠀀");
	free(m);
	m = legacy_as_latin("刘䶮反映", "GB18030", "CP1252");
	GBK(m, REPAIR_REPAIRED, "刘䶮反映");
	free(m);
}

static void gbk_rule_needs_proof(void **state)
{
	char *m;

	(void)state;
	/* valid UTF-8 behind the reading: utf8_as_latin1's, not this rule's */
	GBK("\xC3\xA5\xC2\xB8\xE2\x80\x9A", REPAIR_NOT_APPLICABLE, NULL);
	/* one character only: Latin letter pairs can look like that */
	m = legacy_as_latin("中", "GBK", "ISO-8859-1");
	GBK(m, REPAIR_NOT_APPLICABLE, NULL);
	free(m);
	/* an ideograph between ASCII letters: an accented Latin word */
	GBK("informa\xC3\xA7\xC3\xA3o", REPAIR_NOT_APPLICABLE, NULL);
	GBK("na\xC3\xAFve", REPAIR_NOT_APPLICABLE, NULL);
	/* only high+ASCII pairs */
	GBK("\xC3\x91" "a\xC3\x91" "b", REPAIR_NOT_APPLICABLE, NULL);
	/* odd number of high bytes in the middle */
	GBK("\xC3\x96\xC3\x90\xC3\x8E x", REPAIR_NOT_APPLICABLE, NULL);
	/* Chinese or CJK already: nothing to reverse */
	GBK("中文", REPAIR_NOT_APPLICABLE, NULL);
	/* user-defined (private-use) area: 0xAA 0xA1 -> U+E000 */
	GBK("\xC2\xAA\xC2\xA1\xC2\xAA\xC2\xA2", REPAIR_NOT_APPLICABLE, NULL);
}

static void gbk_cut_in_half_cannot_be_restored(void **state)
{
	struct mg_buf b, m;
	struct repair_report rep;
	char res[256];

	(void)state;
	/* a VARCHAR limit in bytes cut the text after the first byte of 民 */
	buf_init(&b, 0, "b");
	buf_init(&m, 0, "m");
	assert_int_equal(conv("GBK", "UTF-8", "市民来电反映噪音扰民", strlen("市民来电反映噪音扰民"), &b), 0);
	read_as_latin("ISO-8859-1", b.ptr, b.len - 1, &m);
	GBK((const char *)m.ptr, REPAIR_CANNOT, NULL);
	assert_int_equal(value((const char *)m.ptr, REPAIR_ALL, &rep, res, sizeof(res)), REPAIR_CANNOT);
	assert_int_equal(rep.cannot, REPAIR_GBK_AS_LATIN1);
	assert_contains(rep.why, "half a character");
	/* a short value cut the same way is no proof: left alone */
	buf_reset(&b);
	buf_reset(&m);
	assert_int_equal(conv("GBK", "UTF-8", "市民反映", strlen("市民反映"), &b), 0);
	read_as_latin("ISO-8859-1", b.ptr, b.len - 1, &m);
	GBK((const char *)m.ptr, REPAIR_NOT_APPLICABLE, NULL);
	buf_release(&b);
	buf_release(&m);
}

/* ---- gb18030_2005_pua ---- */

static const struct {
	unsigned pua, std;
	const char *gb;  /* GB18030 bytes of the character */
} pua_list[] = {
	{0xE78D, 0xFE10, "\xA6\xD9"}, {0xE78E, 0xFE12, "\xA6\xDA"}, {0xE78F, 0xFE11, "\xA6\xDB"},
	{0xE790, 0xFE13, "\xA6\xDC"}, {0xE791, 0xFE14, "\xA6\xDD"}, {0xE792, 0xFE15, "\xA6\xDE"},
	{0xE793, 0xFE16, "\xA6\xDF"}, {0xE794, 0xFE17, "\xA6\xEC"}, {0xE795, 0xFE18, "\xA6\xED"},
	{0xE796, 0xFE19, "\xA6\xF3"}, {0xE7C7, 0x1E3F, "\xA8\xBC"}, {0xE81E, 0x9FB4, "\xFE\x59"},
	{0xE826, 0x9FB5, "\xFE\x61"}, {0xE82B, 0x9FB6, "\xFE\x66"}, {0xE82C, 0x9FB7, "\xFE\x67"},
	{0xE832, 0x9FB8, "\xFE\x6D"}, {0xE843, 0x9FB9, "\xFE\x7E"}, {0xE854, 0x9FBA, "\xFE\x90"},
	{0xE864, 0x9FBB, "\xFE\xA0"},
};

static void u8(unsigned c, char *o)
{
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		o[2] = 0;
	} else {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		o[3] = 0;
	}
}

static void pua_code_points_map_to_standard_ones(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pua_list) / sizeof(pua_list[0]); i++) {
		char p[8], s[8], in[64], want[64];

		u8(pua_list[i].pua, p);
		u8(pua_list[i].std, s);
		PUA(p, REPAIR_REPAIRED, s);
		snprintf(in, sizeof(in), "前%s后 x%s", p, p);
		snprintf(want, sizeof(want), "前%s后 x%s", s, s);
		PUA(in, REPAIR_REPAIRED, want);
	}
	/* U+E81E -> U+9FB4 spelled out */
	PUA("\xEE\xA0\x9E", REPAIR_REPAIRED, "\xE9\xBE\xB4");
}

/* What glibc's GB18030 decoder (the project's) gives for the same bytes is
 * the standard code point the rule maps to: the store gets one form. */
static void pua_targets_are_what_the_decoder_gives(void **state)
{
	struct mg_decoder d;
	struct mg_err e = {0};

	(void)state;
	assert_int_equal(decoder_open(&d, "gb18030", &e), 0);
	for (size_t i = 0; i < sizeof(pua_list) / sizeof(pua_list[0]); i++) {
		struct mg_buf out;
		size_t bad = 0;
		char s[8];

		buf_init(&out, 0, "out");
		u8(pua_list[i].std, s);
		assert_int_equal(decoder_run(&d, (const unsigned char *)pua_list[i].gb, 2, &out, &bad, &e), 0);
		if (strcmp(buf_cstr(&out), s))
			fail_msg("glibc decodes %s to [%s], the rule maps U+%04X to U+%04X [%s]", hex(pua_list[i].gb, 2),
				 hex(out.ptr, out.len), pua_list[i].pua, pua_list[i].std, hex(s, strlen(s)));
		buf_release(&out);
	}
	decoder_close(&d);
}

static void other_private_use_code_points_are_untouched(void **state)
{
	static const unsigned others[] = {
		0xE000, 0xE4C6, 0xE765, 0xE78C, 0xE797, 0xE7C6, 0xE7C8, 0xE815, 0xE816, 0xE817, 0xE818,
		0xE81D, 0xE81F, 0xE831, 0xE83B, 0xE855, 0xE863, 0xE865, 0xF8FF,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		char p[8];

		u8(others[i], p);
		PUA(p, REPAIR_NOT_APPLICABLE, NULL);
	}
	PUA("no private use here: 中文 ÆØÅ", REPAIR_NOT_APPLICABLE, NULL);
	PUA("\xEE", REPAIR_NOT_APPLICABLE, NULL); /* invalid UTF-8 */
}

/* ---- euro_0x80 ---- */

static void euro80(const void *in, size_t n, int want, const void *res, size_t reslen, size_t count)
{
	struct mg_buf out;
	struct mg_err e = {0};
	size_t k = 99;
	int rc;

	buf_init(&out, 0, "out");
	rc = repair_bytes_euro80(in, n, &out, &k, &e);
	assert_int_equal(rc, want);
	if (rc == REPAIR_REPAIRED) {
		if (out.len != reslen || memcmp(out.ptr, res, reslen))
			fail_msg("euro80 [%s] -> [%s]", hex(in, n), hex(out.ptr, out.len));
		assert_int_equal(k, count);
	} else {
		assert_int_equal(out.len, 0);
		assert_int_equal(k, 0);
	}
	buf_release(&out);
}

static void lone_0x80_becomes_the_gb18030_euro(void **state)
{
	struct mg_decoder d;
	struct mg_err e = {0};
	struct mg_buf out, txt;
	size_t k = 0, bad = 0;

	(void)state;
	euro80("price 5\x80", 8, REPAIR_REPAIRED, "price 5\xA2\xE3", 9, 1);
	euro80("\x80\x80", 2, REPAIR_REPAIRED, "\xA2\xE3\xA2\xE3", 4, 2);
	euro80("\xD6\xD0\x80\xCE\xC4", 5, REPAIR_REPAIRED, "\xD6\xD0\xA2\xE3\xCE\xC4", 6, 1);
	/* 0x80 as a trail byte (81 80 = U+4E8A) is part of a character */
	euro80("\x81\x80", 2, REPAIR_NOT_APPLICABLE, NULL, 0, 0);
	euro80("\x81\x80\x80", 3, REPAIR_REPAIRED, "\x81\x80\xA2\xE3", 4, 1);
	/* four-byte sequences are skipped whole */
	euro80("\x81\x30\x84\x36\x80", 5, REPAIR_REPAIRED, "\x81\x30\x84\x36\xA2\xE3", 6, 1);
	euro80("no euro", 7, REPAIR_NOT_APPLICABLE, NULL, 0, 0);
	euro80("", 0, REPAIR_NOT_APPLICABLE, NULL, 0, 0);
	/* the result decodes with the strict GB18030 decoder */
	buf_init(&out, 0, "out");
	buf_init(&txt, 0, "txt");
	assert_int_equal(repair_bytes_euro80((const unsigned char *)"\xBC\xDB\xB8\xF1 5\x80", 7, &out, &k, &e),
			 REPAIR_REPAIRED);
	assert_int_equal(decoder_open(&d, "gb18030", &e), 0);
	assert_int_equal(decoder_run(&d, (const unsigned char *)"\xBC\xDB\xB8\xF1 5\x80", 7, &txt, &bad, &e), 1);
	buf_reset(&txt);
	assert_int_equal(decoder_run(&d, out.ptr, out.len, &txt, &bad, &e), 0);
	assert_string_equal(buf_cstr(&txt), "价格 5€");
	decoder_close(&d);
	buf_release(&out);
	buf_release(&txt);
}

/* ---- repair_value ---- */

static void repair_value_order_and_names(void **state)
{
	struct repair_report rep;
	char res[256], names[128], *m;

	(void)state;
	/* double-encoded text holding a GB18030-2005 private-use character */
	m = double_encode("龴\xEE\xA0\x9E市", "CP1252", 1);
	assert_int_equal(value(m, REPAIR_ALL, &rep, res, sizeof(res)), REPAIR_REPAIRED);
	assert_string_equal(res, "龴龴市");
	assert_int_equal(rep.fired, REPAIR_BIT(REPAIR_UTF8_AS_LATIN1) | REPAIR_BIT(REPAIR_GB18030_2005_PUA));
	assert_int_equal(rep.passes, 1);
	assert_int_equal(rep.cannot, -1);
	assert_string_equal(repair_fired_names(rep.fired, names, sizeof(names)), "utf8_as_latin1,gb18030_2005_pua");
	/* with only the PUA rule, the mojibake stays */
	assert_int_equal(value(m, REPAIR_BIT(REPAIR_GB18030_2005_PUA), &rep, res, sizeof(res)), REPAIR_NOT_APPLICABLE);
	assert_int_equal(rep.fired, 0);
	assert_int_equal(value(m, 0, &rep, res, sizeof(res)), REPAIR_NOT_APPLICABLE);
	assert_int_equal(value(m, REPAIR_EURO80, &rep, res, sizeof(res)), REPAIR_NOT_APPLICABLE);
	free(m);
	/* GBK read as latin1 fires the second rule only */
	m = legacy_as_latin("中文", "GBK", "ISO-8859-1");
	assert_int_equal(value(m, REPAIR_ALL, &rep, res, sizeof(res)), REPAIR_REPAIRED);
	assert_string_equal(res, "中文");
	assert_string_equal(repair_fired_names(rep.fired, names, sizeof(names)), "gbk_as_latin1");
	assert_int_equal(rep.passes, 0);
	free(m);
	/* ASCII and clean text */
	assert_int_equal(value("12345", REPAIR_ALL, &rep, res, sizeof(res)), REPAIR_NOT_APPLICABLE);
	assert_int_equal(value("市民", REPAIR_ALL, &rep, res, sizeof(res)), REPAIR_NOT_APPLICABLE);
	assert_int_equal(value("", REPAIR_ALL, NULL, res, sizeof(res)), REPAIR_NOT_APPLICABLE);
	/* names buffer too small: still terminated */
	assert_string_equal(repair_fired_names(REPAIR_ALL, names, 5), "");
	assert_string_equal(repair_fired_names(0, names, sizeof(names)), "");
}

static void rule_table_and_names(void **state)
{
	unsigned mask = 99;
	struct mg_err e = {0};

	(void)state;
	assert_string_equal(repair_rules[REPAIR_UTF8_AS_LATIN1].name, "utf8_as_latin1");
	assert_string_equal(repair_rules[REPAIR_GBK_AS_LATIN1].name, "gbk_as_latin1");
	assert_string_equal(repair_rules[REPAIR_GB18030_2005_PUA].name, "gb18030_2005_pua");
	assert_ptr_equal(repair_rule_by_name("GBK_AS_LATIN1"), &repair_rules[REPAIR_GBK_AS_LATIN1]);
	assert_null(repair_rule_by_name("euro"));
	assert_int_equal(repair_parse_rules("utf8_as_latin1, gb18030_2005_pua", &mask, &e), 0);
	assert_int_equal(mask, REPAIR_BIT(REPAIR_UTF8_AS_LATIN1) | REPAIR_BIT(REPAIR_GB18030_2005_PUA));
	assert_int_equal(repair_parse_rules("all", &mask, &e), 0);
	assert_int_equal(mask, REPAIR_ALL | REPAIR_EURO80);
	assert_int_equal(repair_parse_rules("euro_0x80,gbk_as_latin1", &mask, &e), 0);
	assert_int_equal(mask, REPAIR_EURO80 | REPAIR_BIT(REPAIR_GBK_AS_LATIN1));
	assert_int_equal(repair_parse_rules("none", &mask, &e), 0);
	assert_int_equal(mask, 0);
	assert_int_equal(repair_parse_rules("", &mask, &e), 0);
	assert_int_equal(mask, 0);
	assert_int_equal(repair_parse_rules("utf8_as_latin1 guess", &mask, &e), -1);
	assert_int_equal(e.code, MG_E_CONFIG);
	assert_contains(e.msg, "'guess'");
	assert_contains(e.msg, "gbk_as_latin1");
}

static void results_respect_the_callers_cap(void **state)
{
	struct mg_buf out;
	struct mg_err e = {0};
	char *m = double_encode("市民来电反映", "CP1252", 1);

	(void)state;
	/* the result (18 bytes) fits a cap the input (much longer) does not */
	buf_init(&out, 20, "max_field_bytes");
	assert_int_equal(repair_value(&ctx, REPAIR_ALL, m, strlen(m), &out, NULL, &e), REPAIR_REPAIRED);
	assert_string_equal(buf_cstr(&out), "市民来电反映");
	buf_release(&out);
	/* a cap below the result is an error naming the cap, not a truncation */
	buf_init(&out, 10, "max_field_bytes");
	assert_int_equal(repair_value(&ctx, REPAIR_ALL, m, strlen(m), &out, NULL, &e), -1);
	assert_int_equal(e.code, MG_E_LIMIT);
	assert_contains(e.msg, "max_field_bytes");
	buf_release(&out);
	free(m);
}

/* ---- no genuine value altered ---- */

static const char *const clean_lines[] = {
	"市民来电反映：小区门口有人占道经营，早上六点就开始吆喝，噪音扰民。",
	"来电人称其所在单位拖欠工资三个月，共计人民币12,345.67元，要求相关部门协调解决。",
	"地址：甘肃省嘉峪关市雄关区新华中路123号（市政府斜对面）",
	"诉求类型：投诉｜问题类别：城乡建设/市政设施/路灯不亮",
	"繁體字：國體臺灣藝術，異體字：喆堃犇赟镕昇",
	"日本語：あいうえお、カタカナ、漢字。",
	"한국어: 안녕하세요",
	"Греческий и кириллица: αβγδε ЖЗИЙК",
	"符号：①②③ ⑴⑵ ⒈⒉ ㈠㈡ ⅰⅱ Ⅻ ℃ ‰ № ㎡ ￥ § ※ → ← √ ∞ ≠ ♀ ☆ ■ ◆",
	"拼音：nǐ hǎo, lǜ sè, Zhōngguó",
	"The caller says the street lamp has been out for two weeks.",
	"Café au lait, naïve, Noël, crème brûlée, déjà vu, façade, œuvre, « guillemets »",
	"¿Qué pasa? ¡Hola, señor! El ñandú (Ñandú) corre; años, niño, piñata.",
	"Ærø, Øresund, Åsa: ÆØÅ æøå; Smørrebrød",
	"Größe, Straße, Ärger, Öl, über; São Paulo, informação, ação",
	"© 2019 Example Co.®, Trade™, 25°C ±0.5, ½ kg, 5 €, £3, ¥100, § 12 ¶ 3, µg",
	"“Smart quotes” and ‘single’ — em dash – en dash … ellipsis • bullet",
	"Emoji: 😀👍🙏🎉🚗🏠❤️✅ and flags 🇨🇳",
	"生僻字：䶮㵘𠀀𪚥𠮷",
	"Tiếng Việt: Xin chào; İstanbul, şğ; Łódź, źdźbło; Příliš žluťoučký kůň",
	"Math: ∀x∈ℝ, x²≥0; ∑ ∏ ∫ √2 ≈ 1.414",
	"工单编号：CG2019-000123，受理时间：2019年03月04日 08:15:00",
	"满意度回访：非常满意（5分），市民表示感谢 :)",
	"Zoë and Chloé met at the café in Malmö.",
	"ÀÉÎÕÜ àéîõü ÇÑ çñ",
	"Ð ð Þ þ ÿ Ÿ ß",
	"   ",
	"回复内容：您好！您反映的问题已收悉，我们将尽快处理。谢谢您的监督与支持！",
	"Mixed: 中文 English Français Español 😀 123",
	"«»©",
};

static void no_genuine_value_altered(void **state)
{
	size_t nl = sizeof(clean_lines) / sizeof(clean_lines[0]);
	unsigned checked = 0;

	(void)state;
	for (size_t i = 0; i < 330; i++) {
		char line[1200];
		struct repair_report rep;
		char res[1300];
		int rc;

		/* each line alone, and combined with others, and cut into words */
		if (i < nl)
			snprintf(line, sizeof(line), "%s", clean_lines[i]);
		else if (i < 2 * nl)
			snprintf(line, sizeof(line), "%s %s", clean_lines[i % nl], clean_lines[(i * 7 + 3) % nl]);
		else
			snprintf(line, sizeof(line), "%03zu|%s|%s", i, clean_lines[(i * 5) % nl], clean_lines[(i * 11 + 1) % nl]);
		rc = value(line, REPAIR_ALL, &rep, res, sizeof(res));
		if (rc != REPAIR_NOT_APPLICABLE)
			fail_msg("genuine line changed (rc %d, fired %u, %s): %s -> %s", rc, rep.fired, rep.why, line, res);
		checked++;
		/* every word on its own (short values are the risky ones) */
		for (char *w = strtok(line, " |,;:"); w; w = strtok(NULL, " |,;:")) {
			rc = value(w, REPAIR_ALL, &rep, res, sizeof(res));
			if (rc != REPAIR_NOT_APPLICABLE)
				fail_msg("genuine word changed (rc %d, fired %u, %s): %s -> %s", rc, rep.fired, rep.why, w, res);
			checked++;
		}
	}
	assert_true(checked > 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cp1252_reading_matches_iconv),
		cmocka_unit_test(shi_double_encoded_is_restored),
		cmocka_unit_test(double_encoded_twice_and_three_times),
		cmocka_unit_test(double_encoded_mixed_text_emoji_and_undefined_bytes),
		cmocka_unit_test(genuine_latin_text_is_not_touched),
		cmocka_unit_test(chinese_and_ascii_are_not_applicable),
		cmocka_unit_test(damaged_double_encoding_cannot_be_restored),
		cmocka_unit_test(gbk_zhongwen_read_as_latin1),
		cmocka_unit_test(gbk_sentences_names_and_readings),
		cmocka_unit_test(gbk_trail_byte_7c_survives_the_round_trip),
		cmocka_unit_test(gb18030_four_byte_sequences_read_as_latin1),
		cmocka_unit_test(gbk_rule_needs_proof),
		cmocka_unit_test(gbk_cut_in_half_cannot_be_restored),
		cmocka_unit_test(pua_code_points_map_to_standard_ones),
		cmocka_unit_test(pua_targets_are_what_the_decoder_gives),
		cmocka_unit_test(other_private_use_code_points_are_untouched),
		cmocka_unit_test(lone_0x80_becomes_the_gb18030_euro),
		cmocka_unit_test(repair_value_order_and_names),
		cmocka_unit_test(rule_table_and_names),
		cmocka_unit_test(results_respect_the_callers_cap),
		cmocka_unit_test(no_genuine_value_altered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
