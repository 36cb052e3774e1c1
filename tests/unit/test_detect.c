/* tests/unit/test_detect.c: the encoding of a column is decided over a
 * sample of its values, with evidence, and only when the evidence is clear
 * (transform/detect.h). Samples are made here with iconv from text written
 * for the test: GBK, Big5, UTF-8, UTF-16, with long text and short names. */
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
#include "transform/detect.h"
#include "transform/repair.h"

#define assert_contains(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) \
		fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", n_); \
} while (0)

/* ---- text ---- */

/* Hotline text; every line is representable in GBK. */
static const char *const gbk_lines[] = {
	"市民来电反映：小区门口有人占道经营，早上六点就开始吆喝，噪音扰民。",
	"来电人称其所在单位拖欠工资三个月，共计人民币12,345.67元，要求相关部门协调解决。",
	"地址：甘肃省嘉峪关市雄关区新华中路123号（市政府斜对面）",
	"联系电话：0937-6212345，手机：13912345678，请于工作日9:00—17:30回电。",
	"诉求类型：投诉｜问题类别：城乡建设/市政设施/路灯不亮",
	"“关于供暖不热的问题”已转交热力公司办理，办理时限：3个工作日。",
	"市民建议：在公交站台增设遮阳棚；同时希望延长末班车时间至22:30。",
	"处理结果：经现场核查，反映情况属实，已责令商户于2019/03/10前整改完毕。",
	"满意度回访：非常满意（5分），市民表示感谢 :)",
	"回复内容：您好！您反映的问题已收悉，我们将尽快处理。谢谢您的监督与支持！",
	"根据《中华人民共和国政府信息公开条例》第二十七条的规定，申请人可以向行政机关申请获取相关政府信息。",
	"他说这个问题已经有很长时间了，希望有关单位能够尽快解决。",
	"我们会把您的意见转达给相关部门，并在七个工作日内给您答复。",
	"这条道路的路灯已经坏了两个多月，晚上行人经过非常不安全。",
	"城管12319、环保12369、人社12333、市场监管12315并入12345。",
	"工单编号：CG2019-000123，受理时间：2019年03月04日 08:15:00",
};

static const char *const names_simplified[] = {
	"张伟", "王芳", "李娜", "刘洋", "陈静", "杨勇", "赵磊", "黄艳", "周杰", "吴敏", "徐涛", "孙明", "马超", "朱秀英", "胡军", "郭平",
	"何刚", "高桂英", "林华", "罗玉兰", "郑强", "梁丽", "谢建国", "宋志强", "唐红", "许文", "韩冰", "冯海", "邓小平", "曹雪", "彭飞",
	"曾国", "肖红", "田野", "董明", "袁华", "潘阳", "蒋文", "蔡明", "余杰", "杜鹏", "叶青", "程亮", "苏婷", "魏巍", "吕布", "丁香",
	"任重", "沈阳", "姚明", "卢军", "姜伟", "崔健", "钟华", "谭军", "陆军", "汪洋", "范伟", "金鑫", "石磊", "廖凡", "贾平", "夏雨",
	"韦东", "付强", "方圆", "白雪", "邹平", "孟非", "熊伟", "秦岚", "邱实", "江涛", "尹力", "薛兵", "闫妮", "段誉", "雷鸣", "侯勇",
	"龙飞", "史进", "陶然", "黎明", "贺军", "顾城", "毛宁", "郝建", "龚平", "邵兵", "万里", "钱进", "严明", "覃军", "武松", "戴军",
	"莫言", "孔明", "向东", "汤涛", "王建华", "李秀兰", "张桂芳", "刘德华",
};
static const char *const names_traditional[] = {
	"張偉", "王芳", "李娜", "劉洋", "陳靜", "楊勇", "趙磊", "黃豔", "周杰", "吳敏", "徐濤", "孫明", "馬超", "朱秀英", "胡軍", "郭平",
	"何剛", "高桂英", "林華", "羅玉蘭", "鄭強", "梁麗", "謝建國", "宋志強", "唐紅", "許文", "韓冰", "馮海", "鄧小平", "曹雪", "彭飛",
	"曾國", "肖紅", "田野", "董明", "袁華", "潘陽", "蔣文", "蔡明", "余傑", "杜鵬", "葉青", "程亮", "蘇婷", "魏巍", "呂布", "丁香",
	"任重", "沈陽", "姚明", "盧軍", "姜偉", "崔健", "鍾華", "譚軍", "陸軍", "汪洋", "范偉", "金鑫", "石磊", "廖凡", "賈平", "夏雨",
	"韋東", "付強", "方圓", "白雪", "鄒平", "孟非", "熊偉", "秦嵐", "邱實", "江濤", "尹力", "薛兵", "閆妮", "段譽", "雷鳴", "侯勇",
	"龍飛", "史進", "陶然", "黎明", "賀軍", "顧城", "毛寧", "郝建", "龔平", "邵兵", "萬里", "錢進", "嚴明", "覃軍", "武松", "戴軍",
	"莫言", "孔明", "向東", "湯濤", "王建華", "李秀蘭", "張桂芳", "劉德華",
};
static const char *const big5_lines[] = {
	"市民來電反映：社區門口有人佔道經營，早上六點就開始吆喝，噪音擾民。", "來電人稱其所在單位拖欠工資三個月，共計新臺幣十二萬元，要求相關部門協調解決。",
	"地址：臺北市中正區重慶南路一段一二二號", "聯絡電話：02-23123456，請於工作日上午九點至下午五點半回電。", "訴求類型：投訴，問題類別：城鄉建設／市政設施／路燈不亮",
	"關於供暖不熱的問題已轉交熱力公司辦理，辦理時限為三個工作日。", "市民建議在公車站台增設遮陽棚，同時希望延長末班車時間至晚上十點半。",
	"處理結果：經現場核查，反映情況屬實，已責令商戶於三月十日前整改完畢。", "滿意度回訪：非常滿意，市民表示感謝。",
	"回覆內容：您好！您反映的問題已收悉，我們將盡快處理。謝謝您的監督與支持！", "根據政府資訊公開條例的規定，申請人可以向行政機關申請獲取相關政府資訊。",
	"行政機關收到政府資訊公開申請，能夠當場答覆的，應當當場予以答覆。", "他說這個問題已經有很長時間了，希望有關單位能夠儘快解決。",
	"我們會把您的意見轉達給相關部門，並在七個工作日內給您答覆。", "這條道路的路燈已經壞了兩個多月，晚上行人經過非常不安全。",
};

/* Western text: Latin-1 letters only. */
static const char *const latin_lines[] = {
	"Café au lait, crème brûlée et déjà vu à la façade",
	"Le garçon a reçu une lettre de Noël pour sa fiancée",
	"Ñandú, señor, años, niño, ¿qué? ¡Hola! El pingüino",
	"Größe, Straße, Ärger, Öl, über, schön, Mädchen",
	"São Paulo, informação, ação, coração, pão",
	"Ærø, Øresund, Åsa: smørrebrød og blåbærsyltetøj",
	"naïve coöperation, Zoë et Chloé à Malmö",
	"résumé, entrée, rôle, hôtel, forêt, île, où",
};

/* ---- building samples ---- */

/* Strict iconv; -1 if it does not convert. */
static int conv(const char *to, const char *from, const void *in, size_t n, struct mg_buf *out)
{
	iconv_t cd = iconv_open(to, from);
	char *ip = (char *)in;
	size_t il = n;
	struct mg_err e = {0};

	if (cd == (iconv_t)-1)
		fail_msg("iconv cannot convert %s to %s", from, to);
	buf_reset(out);
	while (il) {
		char *op;
		size_t ol, before;

		if (buf_grow(out, il * 4 + 16, &e))
			fail_msg("%s", e.msg);
		op = (char *)out->ptr + out->len;
		before = ol = out->alloc - out->len - 1;
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 && errno != E2BIG) {
			iconv_close(cd);
			return -1;
		}
		out->len += before - ol;
	}
	iconv_close(cd);
	return 0;
}

/* Offer every line (encoded as enc; NULL = as written) `rounds` times. */
static void feed(struct detect *d, const char *enc, const char *const *lines, size_t n, int rounds)
{
	struct mg_buf b;
	struct mg_err e = {0};

	buf_init(&b, 0, "feed");
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < n; i++) {
			if (enc) {
				if (conv(enc, "UTF-8", lines[i], strlen(lines[i]), &b))
					fail_msg("test line not representable in %s: %s", enc, lines[i]);
				assert_int_equal(detect_add(d, b.ptr, b.len, &e), 0);
			} else {
				assert_int_equal(detect_add(d, lines[i], strlen(lines[i]), &e), 0);
			}
		}
	}
	buf_release(&b);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* a sample is the value, or its beginning cut at a character */
static int starts(const char *value, const char *sample)
{
	return sample[0] && !strncmp(value, sample, strlen(sample)) && strlen(sample) >= DETECT_SAMPLE_BYTES - 4;
}

static void decide(const struct detect *d, struct detect_result *r)
{
	struct mg_err e = {0};

	if (detect_decide(d, r, &e))
		fail_msg("detect_decide failed: %s", e.msg);
}

/* Print the evidence when a test fails on it. */
static void expect(const struct detect_result *r, enum detect_verdict v)
{
	if (r->verdict != v) {
		struct mg_buf t;
		struct mg_err e = {0};

		buf_init(&t, 0, "t");
		detect_format(r, &t, &e);
		fail_msg("verdict %s, expected %s:\n%s", detect_verdict_name(r->verdict), detect_verdict_name(v),
			 buf_cstr(&t));
	}
}

/* ---- tests ---- */

static void empty_and_ascii_samples(void **state)
{
	struct detect d;
	struct detect_result r;
	struct mg_err e = {0};
	static const char *const ascii[] = {"12345", "CG2019-000123", "hello, world", "0937-6212345"};

	(void)state;
	detect_init(&d, 0, 0);
	decide(&d, &r);
	expect(&r, DETECT_EMPTY);
	assert_null(r.encoding);
	assert_int_equal(detect_add(&d, "", 0, &e), 0);
	decide(&d, &r);
	expect(&r, DETECT_EMPTY);
	assert_int_equal(r.offered, 1);
	assert_int_equal(r.empty, 1);
	feed(&d, NULL, ascii, N(ascii), 5);
	decide(&d, &r);
	expect(&r, DETECT_ASCII);
	assert_string_equal(r.encoding, "");
	assert_int_equal(r.values, 20);
	assert_int_equal(r.nonascii, 0);
	assert_contains(r.reason, "ASCII");
	detect_release(&d);
}

static void utf8_sample_is_utf8_with_evidence(void **state)
{
	struct detect d;
	struct detect_result r;

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, NULL, gbk_lines, N(gbk_lines), 3);
	feed(&d, NULL, names_simplified, N(names_simplified), 1);
	feed(&d, NULL, latin_lines, N(latin_lines), 1);
	decide(&d, &r);
	expect(&r, DETECT_UTF8);
	assert_string_equal(r.encoding, "utf-8");
	assert_string_equal(r.summary, "utf-8");
	assert_int_equal(r.values, 3 * N(gbk_lines) + N(names_simplified) + N(latin_lines));
	assert_int_equal(r.nonascii, r.values);
	assert_int_equal(r.invalid_utf8, 0);
	assert_int_equal(r.double_encoded + r.gbk_as_latin1 + r.pua2005 + r.damaged, 0);
	assert_int_equal(r.cand[CAND_UTF8].decoded, r.values);
	assert_true(r.cand[CAND_UTF8].nsamples > 0);
	assert_true(starts(gbk_lines[0], r.cand[CAND_UTF8].sample[0]));
	assert_int_equal(r.weak, 0);
	detect_release(&d);
}

static void double_encoded_values_are_counted_in_a_utf8_column(void **state)
{
	struct detect d;
	struct detect_result r;
	struct mg_err e = {0};
	struct mg_buf raw, m;

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, NULL, gbk_lines, N(gbk_lines), 2);
	buf_init(&raw, 0, "raw");
	buf_init(&m, 0, "m");
	/* 12 values written through a latin1 connection: UTF-8 read as cp1252 */
	for (int i = 0; i < 12; i++) {
		const char *t = gbk_lines[i];

		buf_reset(&m);
		for (size_t k = 0; k < strlen(t); k++) {
			struct mg_buf one;

			buf_init(&one, 0, "one");
			if (conv("UTF-8", "CP1252", t + k, 1, &one))
				assert_int_equal(conv("UTF-8", "ISO-8859-1", t + k, 1, &one), 0);
			buf_add(&m, one.ptr, one.len, &e);
			buf_release(&one);
		}
		assert_int_equal(detect_add(&d, m.ptr, m.len, &e), 0);
	}
	/* 3 values of GBK read as latin1 */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(conv("GBK", "UTF-8", names_simplified[i], strlen(names_simplified[i]), &raw), 0);
		assert_int_equal(conv("UTF-8", "ISO-8859-1", raw.ptr, raw.len, &m), 0);
		assert_int_equal(detect_add(&d, m.ptr, m.len, &e), 0);
	}
	/* 2 values with a GB18030-2005 private-use character */
	assert_int_equal(detect_add(&d, "龙\xEE\xA0\x9E", 6, &e), 0);
	assert_int_equal(detect_add(&d, "\xEE\x9E\x8D", 3, &e), 0);
	decide(&d, &r);
	expect(&r, DETECT_UTF8);
	assert_int_equal(r.double_encoded, 12);
	assert_int_equal(r.gbk_as_latin1, 3);
	assert_int_equal(r.pua2005, 2);
	assert_int_equal(r.damaged, 0);
	assert_string_equal(r.summary, "utf-8 (double-encoded in 12 values, GBK read as latin1 in 3 values, "
			    "GB18030-2005 private-use characters in 2 values)");
	buf_release(&raw);
	buf_release(&m);
	detect_release(&d);
}

/* A clean GBK corpus is detected as GBK, and decoding it with the answer
 * gives back the original text exactly. */
static void gbk_sample_is_gbk_and_decodes_to_the_original(void **state)
{
	struct detect d;
	struct detect_result r;
	struct mg_decoder dec;
	struct mg_buf b, out;
	struct mg_err e = {0};

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, "GBK", gbk_lines, N(gbk_lines), 20);
	feed(&d, "GBK", names_simplified, N(names_simplified), 2);
	decide(&d, &r);
	expect(&r, DETECT_GBK);
	assert_string_equal(r.encoding, "gbk");
	/* 郑强 (D6 A3 C7 BF) and 魏巍 (CE BA CE A1) are valid UTF-8 as GBK
	 * bytes; 2 names x 2 rounds */
	assert_int_equal(r.invalid_utf8, r.nonascii - 4);
	assert_int_equal(r.cand[CAND_GBK].decoded, r.values);
	assert_int_equal(r.cand[CAND_GBK].failed, 0);
	assert_true(r.cand[CAND_GBK].permille >= 500);
	assert_true(r.cand[CAND_GBK].permille >= 3 * r.cand[CAND_BIG5].permille);
	assert_true(r.cand[CAND_GBK].tried && r.cand[CAND_BIG5].tried && r.cand[CAND_UTF8].tried);
	assert_true(starts(gbk_lines[0], r.cand[CAND_GBK].sample[0]));
	assert_contains(r.reason, "gbk decodes");
	/* decode the corpus with the answer */
	assert_int_equal(decoder_open(&dec, r.encoding, &e), 0);
	buf_init(&b, 0, "b");
	buf_init(&out, 0, "out");
	for (size_t i = 0; i < N(gbk_lines); i++) {
		size_t bad = 0;

		assert_int_equal(conv("GBK", "UTF-8", gbk_lines[i], strlen(gbk_lines[i]), &b), 0);
		buf_reset(&out);
		assert_int_equal(decoder_run(&dec, b.ptr, b.len, &out, &bad, &e), 0);
		assert_string_equal(buf_cstr(&out), gbk_lines[i]);
	}
	decoder_close(&dec);
	buf_release(&b);
	buf_release(&out);
	detect_release(&d);
}

static void gbk_names_alone_are_gbk(void **state)
{
	struct detect d;
	struct detect_result r;

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, "GBK", names_simplified, N(names_simplified), 1);
	decide(&d, &r);
	expect(&r, DETECT_GBK);
	detect_release(&d);
}

/* Why the decision is over a sample: a short GBK value can be valid UTF-8
 * (郑强 is D6 A3 C7 BF = "֣ǿ", 魏巍 is CE BA CE A1 = "κΡ"). Alone they
 * read as UTF-8, flagged weak; among other names the column is GBK. */
static void gbk_values_that_are_valid_utf8(void **state)
{
	static const char *const two[] = {"郑强", "魏巍"};
	struct detect d;
	struct detect_result r;

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, "GBK", two, 2, 1);
	decide(&d, &r);
	expect(&r, DETECT_UTF8);
	assert_int_equal(r.weak, 1);
	assert_contains(r.summary, "weak");
	assert_string_equal(r.cand[CAND_UTF8].sample[0], "\xD6\xA3\xC7\xBF");
	detect_release(&d);
	detect_init(&d, 0, 0);
	feed(&d, "GBK", two, 2, 1);
	feed(&d, "GBK", names_simplified, 20, 1);
	decide(&d, &r);
	expect(&r, DETECT_GBK);
	assert_int_equal(r.invalid_utf8, 20);
	detect_release(&d);
}

static void big5_sample_is_big5(void **state)
{
	struct detect d;
	struct detect_result r;

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, "BIG5", big5_lines, N(big5_lines), 10);
	feed(&d, "BIG5", names_traditional, N(names_traditional), 1);
	decide(&d, &r);
	expect(&r, DETECT_BIG5);
	assert_string_equal(r.encoding, "big5");
	assert_int_equal(r.cand[CAND_BIG5].failed, 0);
	assert_true(r.cand[CAND_BIG5].permille >= 2 * r.cand[CAND_GBK].permille);
	assert_true(starts(big5_lines[0], r.cand[CAND_BIG5].sample[0]));
	detect_release(&d);
}

static void big5_names_alone_are_big5(void **state)
{
	struct detect d;
	struct detect_result r;

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, "BIG5", names_traditional, N(names_traditional), 1);
	decide(&d, &r);
	expect(&r, DETECT_BIG5);
	detect_release(&d);
}

/* GB18030 four-byte characters, '|' and '\' as trail bytes and CP936's
 * euro byte in a GBK column. */
static void gbk_sample_with_four_byte_pipe_and_euro(void **state)
{
	static const char *const extra[] = {
		"姓名：王𠀀", "生僻字：䶮㵘", "亅|諀\\盶", "价格 5€，另收 1€", "表情😀",
	};
	struct detect d;
	struct detect_result r;

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, "GBK", gbk_lines, N(gbk_lines), 3);
	feed(&d, "GB18030", extra, 2, 1);
	feed(&d, "GBK", extra + 2, 1, 1);
	feed(&d, "CP936", extra + 3, 1, 1);
	feed(&d, "GB18030", extra + 4, 1, 1);
	decide(&d, &r);
	expect(&r, DETECT_GBK);
	assert_int_equal(r.cand[CAND_GBK].failed, 0);
	detect_release(&d);
}

static void utf16le_and_be_with_and_without_bom(void **state)
{
	static const char *const mixed[] = {
		"CG2019-000123 市民来电", "Hello 12345", "回复内容：已处理 OK", "Tel 0937-6212345",
	};
	struct detect d;
	struct detect_result r;
	struct mg_buf b;
	struct mg_err e = {0};

	(void)state;
	/* no BOM: zero bytes of the Latin characters at odd offsets */
	detect_init(&d, 0, 0);
	feed(&d, "UTF-16LE", mixed, N(mixed), 5);
	decide(&d, &r);
	expect(&r, DETECT_UTF16LE);
	assert_string_equal(r.encoding, "utf-16le");
	assert_true(r.nul_odd > 0 && r.nul_even == 0);
	assert_int_equal(r.with_nul, r.values);
	assert_contains(r.reason, "odd");
	detect_release(&d);
	detect_init(&d, 0, 0);
	feed(&d, "UTF-16BE", mixed, N(mixed), 5);
	decide(&d, &r);
	expect(&r, DETECT_UTF16BE);
	assert_true(r.nul_even > 0 && r.nul_odd == 0);
	detect_release(&d);
	/* with a BOM (iconv's "UTF-16" writes one) */
	detect_init(&d, 0, 0);
	buf_init(&b, 0, "b");
	for (size_t i = 0; i < 20; i++) {
		assert_int_equal(conv("UTF-16LE", "UTF-8", mixed[i % N(mixed)], strlen(mixed[i % N(mixed)]), &b), 0);
		{
			unsigned char v[256] = {0xFF, 0xFE};

			memcpy(v + 2, b.ptr, b.len);
			assert_int_equal(detect_add(&d, v, b.len + 2, &e), 0);
		}
	}
	decide(&d, &r);
	expect(&r, DETECT_UTF16LE);
	assert_int_equal(r.bom_le, 20);
	detect_release(&d);
	/* Chinese only, no BOM, no zero byte: the common-character score */
	detect_init(&d, 0, 0);
	feed(&d, "UTF-16LE", gbk_lines, N(gbk_lines), 2);
	feed(&d, "UTF-16LE", names_simplified, N(names_simplified), 1);
	decide(&d, &r);
	expect(&r, DETECT_UTF16LE);
	assert_true(r.cand[CAND_UTF16LE].permille > 500);
	detect_release(&d);
	detect_init(&d, 0, 0);
	feed(&d, "UTF-16BE", big5_lines, N(big5_lines), 2);
	decide(&d, &r);
	expect(&r, DETECT_UTF16BE);
	detect_release(&d);
	buf_release(&b);
}

/* latin1 / cp1252 are never guessed: every byte sequence is latin1. */
static void latin1_text_is_undecided(void **state)
{
	struct detect d;
	struct detect_result r;

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, "ISO-8859-1", latin_lines, N(latin_lines), 10);
	decide(&d, &r);
	expect(&r, DETECT_UNDECIDED);
	assert_null(r.encoding);
	assert_string_equal(r.summary, "undecided");
	assert_true(r.reason[0] != 0);
	detect_release(&d);
	detect_init(&d, 0, 0);
	feed(&d, "CP1252", latin_lines, N(latin_lines), 10);
	decide(&d, &r);
	expect(&r, DETECT_UNDECIDED);
	detect_release(&d);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

static void random_bytes_are_undecided_and_decisions_repeat(void **state)
{
	struct detect d;
	struct detect_result r1, r2;
	struct mg_err e = {0};
	uint32_t seed = 12345;

	(void)state;
	detect_init(&d, 0, 0);
	for (int i = 0; i < 500; i++) {
		unsigned char v[64];
		size_t n = 1 + lcg(&seed) % sizeof(v);

		for (size_t k = 0; k < n; k++)
			v[k] = (unsigned char)lcg(&seed);
		assert_int_equal(detect_add(&d, v, n, &e), 0);
	}
	decide(&d, &r1);
	expect(&r1, DETECT_UNDECIDED);
	decide(&d, &r2);
	assert_int_equal(r1.verdict, r2.verdict);
	assert_string_equal(r1.reason, r2.reason);
	for (int k = 0; k < DETECT_NCAND; k++) {
		assert_int_equal(r1.cand[k].decoded, r2.cand[k].decoded);
		assert_int_equal(r1.cand[k].permille, r2.cand[k].permille);
	}
	detect_release(&d);
}

/* UTF-8 with a few broken values: not "every value valid", but utf-8 wins
 * the score, and the broken values are in the evidence. */
static void utf8_with_a_few_broken_values(void **state)
{
	struct detect d;
	struct detect_result r;
	struct mg_err e = {0};

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, NULL, gbk_lines, N(gbk_lines), 10);
	assert_int_equal(detect_add(&d, "市民\xE6\x9D", 8, &e), 0);   /* cut */
	assert_int_equal(detect_add(&d, "\xFF\xFE\xFD", 3, &e), 0);
	decide(&d, &r);
	expect(&r, DETECT_UTF8);
	assert_int_equal(r.invalid_utf8, 2);
	assert_int_equal(r.cand[CAND_UTF8].failed, 2);
	assert_contains(r.reason, "utf-8 decodes");
	detect_release(&d);
}

static void caps_and_cut_values(void **state)
{
	struct detect d;
	struct detect_result r;
	struct mg_buf big, b;
	struct mg_err e = {0};

	(void)state;
	/* value cap */
	detect_init(&d, 100, 0);
	feed(&d, "GBK", gbk_lines, N(gbk_lines), 10);
	assert_true(detect_full(&d));
	decide(&d, &r);
	assert_int_equal(r.values, 100);
	assert_int_equal(r.offered, 10 * N(gbk_lines));
	expect(&r, DETECT_GBK);
	detect_release(&d);
	/* long values are cut to DETECT_MAX_VALUE_BYTES, in the middle of a
	 * character: still decided, and the cut is in the evidence */
	buf_init(&big, 0, "big");
	buf_init(&b, 0, "b");
	while (big.len < 3 * DETECT_MAX_VALUE_BYTES + 1)
		assert_int_equal(buf_addstr(&big, "市民反映", &e), 0);
	for (int enc = 0; enc < 2; enc++) {
		detect_init(&d, 0, 0);
		for (int i = 0; i < 30; i++) {
			if (enc == 0) {
				/* shift by one byte so cuts fall inside characters */
				assert_int_equal(detect_add(&d, big.ptr + (i % 3) * 3, big.len - (i % 3) * 3, &e), 0);
			} else {
				assert_int_equal(conv("GBK", "UTF-8", big.ptr, big.len, &b), 0);
				assert_int_equal(detect_add(&d, b.ptr + (i % 2), b.len - (i % 2), &e), 0);
			}
		}
		decide(&d, &r);
		assert_int_equal(r.truncated, 30);
		expect(&r, enc == 0 ? DETECT_UTF8 : DETECT_GBK);
		detect_release(&d);
	}
	/* byte cap: the sample stops at it */
	detect_init(&d, 0, 10000);
	for (int i = 0; i < 10; i++)
		assert_int_equal(detect_add(&d, big.ptr, 3996, &e), 0); /* 333 characters */
	assert_true(detect_full(&d));
	assert_true(d.bytes.len <= 10000);
	decide(&d, &r);
	assert_int_equal(r.offered, 10);
	assert_true(r.values <= 3);
	expect(&r, DETECT_UTF8);
	detect_release(&d);
	buf_release(&big);
	buf_release(&b);
}

static void few_values_are_weak_evidence(void **state)
{
	struct detect d;
	struct detect_result r;

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, NULL, gbk_lines, 3, 1);
	decide(&d, &r);
	expect(&r, DETECT_UTF8);
	assert_int_equal(r.weak, 1);
	assert_contains(r.summary, "weak: 3 non-ASCII values");
	detect_release(&d);
	/* two short GBK names: too few ideographs to decide */
	detect_init(&d, 0, 0);
	feed(&d, "GBK", names_simplified, 2, 1);
	decide(&d, &r);
	expect(&r, DETECT_UNDECIDED);
	assert_contains(r.reason, "8 ideographs");
	detect_release(&d);
}

static void format_shows_the_evidence(void **state)
{
	struct detect d;
	struct detect_result r;
	struct mg_buf t;
	struct mg_err e = {0};

	(void)state;
	detect_init(&d, 0, 0);
	feed(&d, "GBK", gbk_lines, N(gbk_lines), 2);
	assert_int_equal(detect_add(&d, "\xD6\xD0\n\x01", 4, &e), 0);
	decide(&d, &r);
	buf_init(&t, 0, "t");
	assert_int_equal(detect_format(&r, &t, &e), 0);
	assert_contains(buf_cstr(&t), "encoding: gbk\n");
	assert_contains(buf_cstr(&t), "playbook: gbk\n");
	assert_contains(buf_cstr(&t), "why: gbk decodes");
	assert_contains(buf_cstr(&t), "candidate gbk ");
	assert_contains(buf_cstr(&t), "candidate big5 ");
	assert_contains(buf_cstr(&t), "e.g. \"市民来电反映");
	/* control characters in samples are shown escaped */
	assert_null(strstr(buf_cstr(&t), "\x01"));
	buf_release(&t);
	detect_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_and_ascii_samples),
		cmocka_unit_test(utf8_sample_is_utf8_with_evidence),
		cmocka_unit_test(double_encoded_values_are_counted_in_a_utf8_column),
		cmocka_unit_test(gbk_sample_is_gbk_and_decodes_to_the_original),
		cmocka_unit_test(gbk_names_alone_are_gbk),
		cmocka_unit_test(gbk_values_that_are_valid_utf8),
		cmocka_unit_test(big5_sample_is_big5),
		cmocka_unit_test(big5_names_alone_are_big5),
		cmocka_unit_test(gbk_sample_with_four_byte_pipe_and_euro),
		cmocka_unit_test(utf16le_and_be_with_and_without_bom),
		cmocka_unit_test(latin1_text_is_undecided),
		cmocka_unit_test(random_bytes_are_undecided_and_decisions_repeat),
		cmocka_unit_test(utf8_with_a_few_broken_values),
		cmocka_unit_test(caps_and_cut_values),
		cmocka_unit_test(few_values_are_weak_evidence),
		cmocka_unit_test(format_shows_the_evidence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
