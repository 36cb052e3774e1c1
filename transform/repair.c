#include "transform/repair.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- characters ---- */

unsigned long repair_utf8_next(const unsigned char *s, size_t n, size_t *i)
{
	size_t k = *i;
	unsigned c = s[k];

	if (c < 0x80 || k + 1 >= n) {
		*i = k + 1;
		return c;
	}
	if (c < 0xE0) {
		*i = k + 2;
		return ((unsigned long)(c & 0x1F) << 6) | (s[k + 1] & 0x3F);
	}
	if (c < 0xF0 && k + 2 < n) {
		*i = k + 3;
		return ((unsigned long)(c & 0x0F) << 12) | ((unsigned long)(s[k + 1] & 0x3F) << 6) | (s[k + 2] & 0x3F);
	}
	if (k + 3 < n) {
		*i = k + 4;
		return ((unsigned long)(c & 0x07) << 18) | ((unsigned long)(s[k + 1] & 0x3F) << 12) |
		       ((unsigned long)(s[k + 2] & 0x3F) << 6) | (s[k + 3] & 0x3F);
	}
	*i = n; /* not reached for valid input */
	return 0xFFFD;
}

static int put_utf8(struct mg_buf *b, unsigned long c, struct mg_err *e)
{
	unsigned char t[4];
	size_t k;

	if (c < 0x80) {
		t[0] = (unsigned char)c;
		k = 1;
	} else if (c < 0x800) {
		t[0] = (unsigned char)(0xC0 | (c >> 6));
		t[1] = (unsigned char)(0x80 | (c & 0x3F));
		k = 2;
	} else if (c < 0x10000) {
		t[0] = (unsigned char)(0xE0 | (c >> 12));
		t[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
		t[2] = (unsigned char)(0x80 | (c & 0x3F));
		k = 3;
	} else {
		t[0] = (unsigned char)(0xF0 | (c >> 18));
		t[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
		t[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
		t[3] = (unsigned char)(0x80 | (c & 0x3F));
		k = 4;
	}
	return buf_add(b, t, k, e);
}

int repair_is_ideograph(unsigned long c)
{
	return (c >= 0x3400 && c <= 0x4DBF) ||   /* Ext A */
	       (c >= 0x4E00 && c <= 0x9FFF) ||   /* URO */
	       (c >= 0xF900 && c <= 0xFAFF) ||   /* compatibility */
	       (c >= 0x20000 && c <= 0x323AF);   /* Ext B..H, compatibility supplement */
}

/* ---- the most common Chinese characters ---- */

/* The most common Chinese characters: about 440 of the most frequent in
 * modern running text, then the 100 most common surnames (hotline columns
 * hold many names), 523 in all. The traditional list is the same characters
 * in the form Big5 text uses (Taiwan standard), where it differs (这 這, 个
 * 個, 们 們 ...; 干 幹, 复 復; surnames 余 and 范 stay). Both lists are
 * UTF-8 and every character is in GB2312 / Big5 respectively. */
static const char common_simplified[] =
	"的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于"
	"着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还"
	"进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情"
	"明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或"
	"新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员"
	"解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太"
	"量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基"
	"眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交"
	"规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济"
	"车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调"
	"深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越"
	"李刘陈杨黄赵吴周徐孙朱胡郭郑梁谢宋唐韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶苏魏吕丁沈姚"
	"卢姜崔钟谭陆汪范廖贾夏韦付邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴"
	"莫孔汤";
static const char common_traditional[] =
	"的一是不了在人有我他這個們中來上大為和國地到以說時要就出會可也你對生能而子那得於"
	"著下自之年過發後作裡用道行所然家種事成方多經麼去法學如都同現當沒動面起看定天分還"
	"進好小部其些主樣理心她本前開但因只從想實日軍者意無力它與長把機十民第公此已工使情"
	"明性知全三又關點正業外將兩高間由問很最重並物手應戰向頭文體政美相見被利什二等產或"
	"新己制身果加西斯月話合回特代內信表化老給世位次度門任常先海通教兒原東聲提立及比員"
	"解水名真論處走義各入幾口認條平系氣題活爾更別打女變四神總何電數安少報才結反受目太"
	"量再感建務做接必場件計管期市直德資命山金指克許統區保至隊形社便空決治展馬科司五基"
	"眼書非則聽白卻界達光放強即像難且權思王象完設式色路記南品住告類求據程北邊死張該交"
	"規萬取拉格望覺術領共確傳師觀清今切院讓識候帶導爭運笑飛風步改收根幹造言聯持組每濟"
	"車親極林服快辦議往元英士證近失轉夫令準布始怎呢存未遠叫台單影具羅字愛擊流備兵連調"
	"深商算質團集百需價花黨華城石級整府離況亞請技際約示復病息究線似官火斷精滿支視消越"
	"李劉陳楊黃趙吳周徐孫朱胡郭鄭梁謝宋唐韓馮鄧曹彭曾肖田董袁潘蔣蔡余杜葉蘇魏呂丁沈姚"
	"盧姜崔鍾譚陸汪范廖賈夏韋付鄒孟熊秦邱江尹薛閆段雷侯龍史陶黎賀顧毛郝龔邵錢嚴覃武戴"
	"莫孔湯";


static struct {
	uint32_t c[600];
	size_t n;
} common_set[2];
static pthread_once_t common_once = PTHREAD_ONCE_INIT;

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void common_build(void)
{
	const char *src[2] = {common_simplified, common_traditional};

	for (int k = 0; k < 2; k++) {
		const unsigned char *p = (const unsigned char *)src[k];
		size_t n = strlen(src[k]), i = 0;

		while (i < n && common_set[k].n < sizeof(common_set[k].c) / sizeof(common_set[k].c[0]))
			common_set[k].c[common_set[k].n++] = (uint32_t)repair_utf8_next(p, n, &i);
		qsort(common_set[k].c, common_set[k].n, sizeof(uint32_t), cmp_u32);
	}
}

int repair_common_hanzi(unsigned long c, int list)
{
	uint32_t k = (uint32_t)c;

	pthread_once(&common_once, common_build);
	if (list != 2 && bsearch(&k, common_set[0].c, common_set[0].n, sizeof(uint32_t), cmp_u32))
		return 1;
	if (list != 1 && bsearch(&k, common_set[1].c, common_set[1].n, sizeof(uint32_t), cmp_u32))
		return 1;
	return 0;
}

static int is_ascii_letter(unsigned long c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The characters cp1252 puts at 0x80..0x9F (the five bytes cp1252 leaves
 * undefined, 81 8D 8F 90 9D, come through as U+0081.. like latin1's, which
 * is what MySQL's "latin1" does). Checked against iconv in the unit test. */
static const struct {
	unsigned short cp;
	unsigned char byte;
} cp1252_high[] = {
	{0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85}, {0x2020, 0x86},
	{0x2021, 0x87}, {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A}, {0x2039, 0x8B}, {0x0152, 0x8C},
	{0x017D, 0x8E}, {0x2018, 0x91}, {0x2019, 0x92}, {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95},
	{0x2013, 0x96}, {0x2014, 0x97}, {0x02DC, 0x98}, {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B},
	{0x0153, 0x9C}, {0x017E, 0x9E}, {0x0178, 0x9F},
};

/* The byte a latin1/cp1252 reader turned into c, or -1 if none. */
static int latin_byte(unsigned long c)
{
	if (c < 0x100)
		return (int)c;
	for (size_t i = 0; i < sizeof(cp1252_high) / sizeof(cp1252_high[0]); i++)
		if (cp1252_high[i].cp == c)
			return cp1252_high[i].byte;
	return -1;
}

/* Undo a latin1/cp1252 reading: the bytes the reader saw, into out (reset).
 * in must be valid UTF-8. Returns 1 with *high = number of bytes >= 0x80,
 * 0 if a character has no latin1/cp1252 byte (the value is not such text),
 * -1 on error. */
static int to_latin_bytes(const unsigned char *in, size_t n, struct mg_buf *out, size_t *high,
			  struct mg_err *e)
{
	size_t i = 0;

	buf_reset(out);
	*high = 0;
	/* a first pass without writing: most values fail on their first hanzi */
	while (i < n) {
		if (in[i] < 0x80) {
			i++;
			continue;
		}
		if (latin_byte(repair_utf8_next(in, n, &i)) < 0)
			return 0;
	}
	if (buf_grow(out, n, e))
		return -1;
	for (i = 0; i < n;) {
		int b = in[i] < 0x80 ? in[i++] : latin_byte(repair_utf8_next(in, n, &i));

		out->ptr[out->len++] = (unsigned char)b;
		*high += b >= 0x80;
	}
	out->ptr[out->len] = 0;
	return 1;
}

static int utf8_ok(const struct mg_buf *b)
{
	return utf8_valid_prefix(b->ptr, b->len) == b->len;
}

static void set_why(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* Scratch buffers: the context's, or a call's own. */
struct scratch {
	struct mg_buf *a, *b;
	struct mg_buf own_a, own_b;
};

static void scratch_get(struct scratch *s, struct repair *r, size_t n)
{
	if (r) {
		s->a = &r->a;
		s->b = &r->b;
	} else {
		buf_init(&s->own_a, 0, "repair scratch");
		buf_init(&s->own_b, 0, "repair scratch");
		s->a = &s->own_a;
		s->b = &s->own_b;
	}
	/* no rule makes a value longer than half as long again */
	s->a->cap = s->b->cap = n + n / 2 + 16;
	buf_reset(s->a);
	buf_reset(s->b);
}

static void scratch_put(struct scratch *s, struct repair *r)
{
	if (!r) {
		buf_release(&s->own_a);
		buf_release(&s->own_b);
	}
}

/* ---- utf8_as_latin1 ---- */

/* How much the bytes b[0..n) look like UTF-8: complete multi-byte
 * sequences (good), sequences begun but broken or cut (partial), and high
 * bytes belonging to neither (stray). */
static void utf8_shape(const unsigned char *b, size_t n, size_t *good, size_t *partial, size_t *stray)
{
	size_t i = 0;

	*good = *partial = *stray = 0;
	while (i < n) {
		unsigned c = b[i];
		size_t need, k = 0;
		unsigned lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			lo = c == 0xE0 ? 0xA0 : 0x80;
			hi = c == 0xED ? 0x9F : 0xBF;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			lo = c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xF4 ? 0x8F : 0xBF;
		} else {
			(*stray)++;
			i++;
			continue;
		}
		while (k < need && i + 1 + k < n) {
			unsigned d = b[i + 1 + k];

			if (k == 0 ? (d < lo || d > hi) : (d & 0xC0) != 0x80)
				break;
			k++;
		}
		if (k == need)
			(*good)++;
		else if (k)
			(*partial)++;
		else
			(*stray)++;
		i += 1 + k;
	}
}

/* 1 if the UTF-8 text holds a C1 control (U+0080..U+009F): no restored
 * text does. */
static int has_c1(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == 0xC2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F)
			return 1;
	return 0;
}

/* One layer: in (valid UTF-8) -> out. */
static int unlatin_once(const unsigned char *in, size_t n, struct mg_buf *out, char *why, size_t whylen,
			struct mg_err *e)
{
	size_t high, good, partial, stray;
	int rc = to_latin_bytes(in, n, out, &high, e);

	if (rc <= 0 || !high) {
		buf_reset(out);
		return rc < 0 ? -1 : REPAIR_NOT_APPLICABLE;
	}
	utf8_shape(out->ptr, out->len, &good, &partial, &stray);
	if (utf8_ok(out)) {
		/* the proof: the bytes behind the latin1 reading are valid UTF-8
		 * with multi-byte sequences, and the result has fewer mojibake
		 * markers (characters whose latin1 bytes
		 * form UTF-8 sequences) than the value had (good) */
		struct mg_buf tmp;
		size_t h2, markers = 0, p2, s2;

		if (!good) {
			buf_reset(out);
			return REPAIR_NOT_APPLICABLE;
		}
		buf_init(&tmp, out->len + 1, "repair scratch");
		rc = to_latin_bytes(out->ptr, out->len, &tmp, &h2, e);
		if (rc == 1)
			utf8_shape(tmp.ptr, tmp.len, &markers, &p2, &s2);
		buf_release(&tmp);
		if (rc < 0)
			return -1;
		if (markers >= good) { /* cannot happen; kept as the stated invariant */
			buf_reset(out);
			return REPAIR_NOT_APPLICABLE;
		}
		return REPAIR_REPAIRED;
	}
	/* not valid: damaged double encoding, or just Latin text? Only when
	 * the bytes are mostly UTF-8 sequences (at least one intact, two in
	 * all, more begun than stray high bytes) is it damage. */
	buf_reset(out);
	if (good >= 1 && good + partial >= 2 && good + partial > stray) {
		set_why(why, whylen,
			"UTF-8 read as latin1 (%zu intact and %zu broken character%s), but bytes are lost: cannot restore",
			good, partial, partial == 1 ? "" : "s");
		return REPAIR_CANNOT;
	}
	return REPAIR_NOT_APPLICABLE;
}

/* Undo layer after layer while each provably applies (at most
 * REPAIR_MAX_PASSES). The answer is the deepest layer whose text holds no
 * C1 control: a middle layer may hold one (0x82 read as latin1 is U+0082),
 * restored text never does. */
static int utf8_as_latin1(struct repair *r, const char *in, size_t n, struct mg_buf *out, unsigned *passes,
			  char *why, size_t whylen, struct mg_err *e)
{
	struct scratch s;
	struct mg_buf *cur, *next;
	unsigned layer = 1;
	int rc;

	*passes = 0;
	buf_reset(out);
	scratch_get(&s, r, n);
	cur = s.a;
	next = s.b;
	rc = unlatin_once((const unsigned char *)in, n, cur, why, whylen, e);
	while (rc == REPAIR_REPAIRED) {
		if (!has_c1(cur->ptr, cur->len)) {
			buf_reset(out);
			if (buf_add(out, cur->ptr, cur->len, e)) {
				rc = -1;
				break;
			}
			*passes = layer;
		}
		rc = unlatin_once(cur->ptr, cur->len, next, why, whylen, e);
		if (rc == REPAIR_NOT_APPLICABLE) {
			rc = *passes ? REPAIR_REPAIRED : REPAIR_NOT_APPLICABLE;
			break;
		}
		if (rc == REPAIR_CANNOT && layer > 1)
			set_why(why, whylen, "UTF-8 read as latin1 %u times over, and bytes are lost in layer %u: "
				"cannot restore", layer + 1, layer + 1);
		if (rc == REPAIR_REPAIRED && layer == REPAIR_MAX_PASSES) {
			set_why(why, whylen, "UTF-8 read as latin1 more than %d times over: not restored",
				REPAIR_MAX_PASSES);
			rc = REPAIR_CANNOT;
		}
		if (rc == REPAIR_REPAIRED) {
			struct mg_buf *t = cur;

			cur = next;
			next = t;
			layer++;
		}
	}
	scratch_put(&s, r);
	if (rc != REPAIR_REPAIRED) {
		buf_reset(out);
		*passes = 0;
	}
	return rc;
}

int repair_utf8_as_latin1(struct repair *r, const char *in, size_t n, struct mg_buf *out, char *why,
			  size_t whylen, struct mg_err *e)
{
	unsigned passes;

	buf_reset(out);
	if (utf8_valid_prefix((const unsigned char *)in, n) != n)
		return REPAIR_NOT_APPLICABLE;
	return utf8_as_latin1(r, in, n, out, &passes, why, whylen, e);
}

/* ---- gbk_as_latin1 ---- */

/* The proof that GB18030 bytes b[0..n), decoded to text t, are Chinese
 * text and not Latin letters that happen to pair up: no private-use or C1
 * character; at least two ideographs (four for a damage claim, min_ideo);
 * at least as many characters made of two high bytes as of a high byte and
 * an ASCII one (or four bytes); no ideograph between two ASCII letters (an
 * accented letter inside a Latin word: "informação" -> "informa玢o"); and
 * common characters among the ideographs (one of up to four, a quarter of
 * more), as Chinese text has and Latin-1 pairs read as GBK do not. */
#define SHAPE_NONE 0   /* not Chinese text */
#define SHAPE_ONLY 1   /* the shape of Chinese text, without the common characters */
#define SHAPE_PROVEN 2 /* Chinese text: the proof holds */
static int chinese_shape(const unsigned char *b, size_t n, const unsigned char *t, size_t tn, size_t min_ideo);

static int looks_chinese(const unsigned char *b, size_t n, const unsigned char *t, size_t tn, size_t min_ideo)
{
	return chinese_shape(b, n, t, tn, min_ideo) == SHAPE_PROVEN;
}

/* looks_chinese, telling apart a value that fails only the test of common
 * characters (SHAPE_ONLY: a short domain phrase such as 投诉：困难帮扶 read
 * as latin1, or Latin letters that pair up into rare ideographs) */
static int chinese_shape(const unsigned char *b, size_t n, const unsigned char *t, size_t tn, size_t min_ideo)
{
	size_t i = 0, hh = 0, other = 0, ideo = 0, common = 0, level1 = 0, letters = 0;
	unsigned long p2 = 0, p1 = 0;

	while (i < n) {
		unsigned c = b[i];

		if (c < 0x80) {
			letters += is_ascii_letter(c);
			i++;
		} else if (c >= 0x81 && c <= 0xFE && i + 1 < n) {
			unsigned d = b[i + 1];

			if (d >= 0x30 && d <= 0x39) {
				other++;
				i += 4;
			} else {
				if (d >= 0x80)
					hh++;
				else
					other++;
				level1 += c >= 0xB0 && c <= 0xD7 && d >= 0xA1 && d <= 0xFE;
				i += 2;
			}
		} else {
			other++;
			i++;
		}
	}
	for (i = 0; i < tn;) {
		unsigned long c = repair_utf8_next(t, tn, &i);

		if ((c >= 0x80 && c <= 0x9F) || (c >= 0xE000 && c <= 0xF8FF) || c >= 0xF0000)
			return 0;
		if (repair_is_ideograph(c)) {
			ideo++;
			common += repair_common_hanzi(c, 0);
		}
		if (repair_is_ideograph(p1) && is_ascii_letter(p2) && is_ascii_letter(c))
			return 0;
		p2 = p1;
		p1 = c;
	}
	if (ideo < min_ideo || !hh || hh < other)
		return SHAPE_NONE;
	if (ideo > 4)
		return common * 4 >= ideo ? SHAPE_PROVEN : SHAPE_ONLY;
	/* a short value (a name): a common character, or only characters
	 * of GB2312's first level (the 3,755 most used) and no ASCII letter */
	return common >= 1 || (level1 == ideo && !letters) ? SHAPE_PROVEN : SHAPE_ONLY;
}

static int has_ascii_letter(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_ascii_letter(b[i]))
			return 1;
	return 0;
}

/* 1 if b[at..n) is the beginning of a GB18030 character cut by the end. */
static int gb_cut_at_end(const unsigned char *b, size_t n, size_t at)
{
	size_t rest = n - at;

	if (at >= n || b[at] < 0x81 || b[at] > 0xFE)
		return 0;
	if (rest == 1)
		return 1;
	if (rest == 2)
		return b[at + 1] >= 0x30 && b[at + 1] <= 0x39;
	if (rest == 3)
		return b[at + 1] >= 0x30 && b[at + 1] <= 0x39 && b[at + 2] >= 0x81 && b[at + 2] <= 0xFE;
	return 0;
}

static int gbk_as_latin1(struct repair *r, const char *in, size_t n, struct mg_buf *out, char *why,
			 size_t whylen, struct mg_err *e)
{
	struct scratch s;
	struct mg_decoder local, *d;
	size_t high, bad = 0;
	int rc;

	buf_reset(out);
	scratch_get(&s, r, n);
	rc = to_latin_bytes((const unsigned char *)in, n, s.a, &high, e);
	if (rc <= 0 || !high || utf8_ok(s.a)) {
		/* valid UTF-8 behind the reading: utf8_as_latin1's business */
		scratch_put(&s, r);
		return rc < 0 ? -1 : REPAIR_NOT_APPLICABLE;
	}
	if (r && r->gbk_open) {
		d = &r->gbk;
	} else {
		if (decoder_open(r ? &r->gbk : &local, "gbk", e)) {
			scratch_put(&s, r);
			return -1;
		}
		d = r ? &r->gbk : &local;
		if (r)
			r->gbk_open = 1;
	}
	rc = decoder_run(d, s.a->ptr, s.a->len, out, &bad, e);
	if (rc == 0) {
		int shape = chinese_shape(s.a->ptr, s.a->len, out->ptr, out->len, 2);

		rc = shape == SHAPE_PROVEN ? REPAIR_REPAIRED : REPAIR_NOT_APPLICABLE;
		/* every pair of high bytes reads as Chinese, but too few common
		 * characters to prove it: not changed, but never silently kept */
		if (shape == SHAPE_ONLY && !has_ascii_letter(s.a->ptr, s.a->len)) {
			set_why(why, whylen, "its cp1252 bytes read as %zu bytes of GB18030 text, but too few common "
				"characters to prove the damage: kept as it is", s.a->len);
			rc = REPAIR_SUSPECT;
		}
	} else if (rc == 1) {
		rc = REPAIR_NOT_APPLICABLE;
		buf_reset(out);
		/* GBK cut in the middle of its last character (a legacy column
		 * limit in bytes): damaged, and the half character is lost */
		if (gb_cut_at_end(s.a->ptr, s.a->len, bad)) {
			size_t bad2 = 0;
			int rc2 = decoder_run(d, s.a->ptr, bad, out, &bad2, e);

			if (rc2 < 0)
				rc = -1;
			else if (rc2 == 0 && looks_chinese(s.a->ptr, bad, out->ptr, out->len, 4)) {
				set_why(why, whylen,
					"GBK read as latin1, but the value ends in half a character (byte %zu of %zu): cannot restore",
					bad, s.a->len);
				rc = REPAIR_CANNOT;
			}
		}
	}
	if (!r)
		decoder_close(&local);
	scratch_put(&s, r);
	if (rc != REPAIR_REPAIRED)
		buf_reset(out);
	return rc;
}

int repair_gbk_as_latin1(struct repair *r, const char *in, size_t n, struct mg_buf *out, char *why,
			 size_t whylen, struct mg_err *e)
{
	buf_reset(out);
	if (utf8_valid_prefix((const unsigned char *)in, n) != n)
		return REPAIR_NOT_APPLICABLE;
	return gbk_as_latin1(r, in, n, out, why, whylen, e);
}

/* ---- gb18030_2005_pua ---- */

/* Private-use code points that GB18030 mappings before 2022 gave to
 * characters Unicode has since encoded, and the standard code points
 * GB18030-2022 maps the same bytes to (glibc 2.36 decodes these bytes to
 * the standard code points already). The first 18 are GB18030-2022's
 * changed mappings; U+E7C7 is GB18030-2000's mapping of A8 BC (ḿ), changed
 * to U+1E3F in 2005. Sorted by PUA code point. */
static const struct {
	unsigned short pua, std;
	const char *bytes; /* the GB18030 bytes, for documentation */
} pua_map[] = {
	{0xE78D, 0xFE10, "A6 D9"}, {0xE78E, 0xFE12, "A6 DA"}, {0xE78F, 0xFE11, "A6 DB"},
	{0xE790, 0xFE13, "A6 DC"}, {0xE791, 0xFE14, "A6 DD"}, {0xE792, 0xFE15, "A6 DE"},
	{0xE793, 0xFE16, "A6 DF"}, {0xE794, 0xFE17, "A6 EC"}, {0xE795, 0xFE18, "A6 ED"},
	{0xE796, 0xFE19, "A6 F3"}, {0xE7C7, 0x1E3F, "A8 BC"}, {0xE81E, 0x9FB4, "FE 59"},
	{0xE826, 0x9FB5, "FE 61"}, {0xE82B, 0x9FB6, "FE 66"}, {0xE82C, 0x9FB7, "FE 67"},
	{0xE832, 0x9FB8, "FE 6D"}, {0xE843, 0x9FB9, "FE 7E"}, {0xE854, 0x9FBA, "FE 90"},
	{0xE864, 0x9FBB, "FE A0"},
};
#define NPUA (sizeof(pua_map) / sizeof(pua_map[0]))

static unsigned long pua_std(unsigned long c)
{
	if (c < 0xE78D || c > 0xE864)
		return 0;
	for (size_t i = 0; i < NPUA; i++)
		if (pua_map[i].pua == c)
			return pua_map[i].std;
	return 0;
}

static int gb18030_2005_pua(struct repair *r, const char *in, size_t n, struct mg_buf *out, char *why,
			    size_t whylen, struct mg_err *e)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, hits = 0;

	buf_reset(out);
	/* all of them are EE 9E..A1 xx in UTF-8 */
	if (!memchr(s, 0xEE, n))
		return REPAIR_NOT_APPLICABLE;
	while (i < n) {
		size_t at = i;
		unsigned long c = repair_utf8_next(s, n, &i), m = pua_std(c);

		if (m) {
			if (!hits && buf_add(out, s, at, e))
				return -1;
			hits++;
			if (put_utf8(out, m, e))
				return -1;
		} else if (hits && buf_add(out, s + at, i - at, e)) {
			return -1;
		}
	}
	return hits ? REPAIR_REPAIRED : REPAIR_NOT_APPLICABLE;
}

int repair_gb18030_2005_pua(struct repair *r, const char *in, size_t n, struct mg_buf *out, char *why,
			    size_t whylen, struct mg_err *e)
{
	buf_reset(out);
	if (utf8_valid_prefix((const unsigned char *)in, n) != n)
		return REPAIR_NOT_APPLICABLE;
	return gb18030_2005_pua(r, in, n, out, why, whylen, e);
}

/* ---- the table ---- */

const struct repair_rule repair_rules[REPAIR_NRULES] = {
	[REPAIR_UTF8_AS_LATIN1] = {
		.name = "utf8_as_latin1",
		.what = "UTF-8 read as latin1/cp1252 and stored as UTF-8 again (up to 3 times): reversed",
		.apply = repair_utf8_as_latin1,
	},
	[REPAIR_GBK_AS_LATIN1] = {
		.name = "gbk_as_latin1",
		.what = "GBK/GB18030 read as latin1/cp1252 and stored as UTF-8: reversed and decoded as GB18030",
		.apply = repair_gbk_as_latin1,
	},
	[REPAIR_GB18030_2005_PUA] = {
		.name = "gb18030_2005_pua",
		.what = "GB18030-2005 private-use code points of 19 characters: mapped to their standard code points",
		.apply = repair_gb18030_2005_pua,
	},
};

const struct repair_rule *repair_rule_by_name(const char *name)
{
	for (int i = 0; i < REPAIR_NRULES; i++)
		if (!strcasecmp(name, repair_rules[i].name))
			return &repair_rules[i];
	return NULL;
}

int repair_parse_rules(const char *list, unsigned *mask, struct mg_err *e)
{
	const char *p = list;

	*mask = 0;
	while (*p) {
		char word[64];
		size_t k = strcspn(p, ", \t");
		const struct repair_rule *rr;

		if (!k) {
			p++;
			continue;
		}
		if (k >= sizeof(word))
			k = sizeof(word) - 1;
		memcpy(word, p, k);
		word[k] = 0;
		p += strcspn(p, ", \t");
		if (!strcasecmp(word, "all"))
			*mask |= REPAIR_ALL | REPAIR_EURO80;
		else if (!strcasecmp(word, "none"))
			continue;
		else if (!strcasecmp(word, REPAIR_EURO80_NAME))
			*mask |= REPAIR_EURO80;
		else if ((rr = repair_rule_by_name(word)))
			*mask |= REPAIR_BIT(rr - repair_rules);
		else
			return mg_err_set(e, MG_E_CONFIG, "unknown repair rule '%s'; valid: utf8_as_latin1, gbk_as_latin1, "
					  "gb18030_2005_pua, euro_0x80, all, none", word);
	}
	return 0;
}

void repair_init(struct repair *r)
{
	memset(r, 0, sizeof(*r));
	r->gbk.cd = (iconv_t)-1;
	buf_init(&r->a, 0, "repair scratch");
	buf_init(&r->b, 0, "repair scratch");
}

void repair_release(struct repair *r)
{
	if (r->gbk_open)
		decoder_close(&r->gbk);
	r->gbk_open = 0;
	buf_release(&r->a);
	buf_release(&r->b);
}

const char *repair_fired_names(unsigned fired, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return buf;
	buf[0] = 0;
	for (int i = 0; i < REPAIR_NRULES; i++) {
		int k;

		if (!(fired & REPAIR_BIT(i)))
			continue;
		k = snprintf(buf + o, len - o, "%s%s", o ? "," : "", repair_rules[i].name);
		if (k < 0 || (size_t)k >= len - o) {
			buf[o] = 0; /* whole names only */
			break;
		}
		o += (size_t)k;
	}
	return buf;
}

int repair_value(struct repair *r, unsigned mask, const char *in, size_t n, struct mg_buf *out,
		 struct repair_report *rep, struct mg_err *e)
{
	struct repair_report dummy;
	struct mg_buf cur, next;
	const char *text = in;
	size_t tn = n, i;
	int rc = REPAIR_NOT_APPLICABLE, suspect = 0;

	if (!rep)
		rep = &dummy;
	rep->fired = 0;
	rep->passes = 0;
	rep->cannot = -1;
	rep->why[0] = 0;
	buf_reset(out);
	for (i = 0; i < n && (unsigned char)in[i] < 0x80; i++)
		;
	if (i == n || !(mask & REPAIR_ALL) || utf8_valid_prefix((const unsigned char *)in, n) != n)
		return REPAIR_NOT_APPLICABLE;
	/* cur holds the text after the rules that fired so far, next a rule's
	 * result; both are bounded by the input's length */
	buf_init(&cur, n + n / 2 + 16, "repair result");
	buf_init(&next, n + n / 2 + 16, "repair result");
	for (int id = 0; id < REPAIR_NRULES; id++) {
		unsigned passes = 0;
		int k;

		if (!(mask & REPAIR_BIT(id)))
			continue;
		/* text is valid UTF-8: checked above, or made by a rule */
		if (id == REPAIR_UTF8_AS_LATIN1)
			k = utf8_as_latin1(r, text, tn, &next, &passes, rep->why, sizeof(rep->why), e);
		else if (id == REPAIR_GBK_AS_LATIN1)
			k = gbk_as_latin1(r, text, tn, &next, rep->why, sizeof(rep->why), e);
		else
			k = gb18030_2005_pua(r, text, tn, &next, rep->why, sizeof(rep->why), e);
		if (k < 0) {
			rc = -1;
			break;
		}
		if (k == REPAIR_CANNOT) {
			rep->cannot = id;
			rc = REPAIR_CANNOT;
			break;
		}
		if (k == REPAIR_SUSPECT) {
			suspect = 1; /* unless another rule changes the value */
			continue;
		}
		if (k == REPAIR_REPAIRED) {
			struct mg_buf t = cur;

			rep->fired |= REPAIR_BIT(id);
			if (id == REPAIR_UTF8_AS_LATIN1)
				rep->passes = passes;
			cur = next;
			next = t;
			text = (const char *)cur.ptr;
			tn = cur.len;
			rc = REPAIR_REPAIRED;
		}
	}
	if (rc == REPAIR_REPAIRED) {
		if (buf_add(out, cur.ptr, cur.len, e))
			rc = -1;
	}
	if (rc == REPAIR_NOT_APPLICABLE && suspect)
		rc = REPAIR_SUSPECT; /* rep->why says why */
	if (rc != REPAIR_CANNOT && rc != REPAIR_SUSPECT)
		rep->why[0] = 0;
	if (rc != REPAIR_REPAIRED) {
		buf_reset(out);
		if (rc != REPAIR_CANNOT) {
			rep->fired = 0;
			rep->passes = 0;
		}
	}
	buf_release(&cur);
	buf_release(&next);
	return rc;
}

/* ---- euro_0x80 (raw bytes) ---- */

int repair_bytes_euro80(const unsigned char *in, size_t n, struct mg_buf *out, size_t *count,
			struct mg_err *e)
{
	size_t i = 0, lone = 0, start = 0;
	int pass;

	*count = 0;
	buf_reset(out);
	if (!n || !memchr(in, 0x80, n))
		return REPAIR_NOT_APPLICABLE;
	/* pass 0 counts the lone 0x80 bytes, pass 1 writes */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (!lone)
				return REPAIR_NOT_APPLICABLE;
			if (buf_grow(out, n + lone, e))
				return -1;
		}
		i = start = 0;
		while (i < n) {
			unsigned c = in[i];

			if (c == 0x80) {
				if (pass == 0) {
					lone++;
				} else {
					if (buf_add(out, in + start, i - start, e) || buf_add(out, "\xA2\xE3", 2, e))
						return -1;
					start = i + 1;
				}
				i++;
			} else if (c >= 0x81 && c <= 0xFE && i + 1 < n) {
				unsigned d = in[i + 1];

				if (d >= 0x30 && d <= 0x39 && i + 3 < n && in[i + 2] >= 0x81 && in[i + 2] <= 0xFE &&
				    in[i + 3] >= 0x30 && in[i + 3] <= 0x39)
					i += 4;
				else if ((d >= 0x40 && d <= 0x7E) || (d >= 0x80 && d <= 0xFE))
					i += 2;  /* a two-byte character: its 0x80 is a trail byte */
				else
					i++;     /* not a character: left for the decoder to refuse */
			} else {
				i++;
			}
		}
	}
	if (buf_add(out, in + start, n - start, e))
		return -1;
	*count = lone;
	return REPAIR_REPAIRED;
}
