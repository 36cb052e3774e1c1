/*
 * tests/gen/estate_tw12355.c -- tw12355 青少年服务热线 (团市委), merge mode: a
 * fixed-width text export in GB18030, one file per year, a title line on
 * top. The export program padded every field with spaces to a width counted
 * in characters (a GB18030 four-byte sequence, the rare name characters of
 * CJK Ext-B, is one character); it had no NULL (a blank field is spaces)
 * and wrote line breaks inside a text as spaces.
 */
#include "estate_io.h"

static const struct em_catdef TW_CATS[] = {
	{"01", NULL, 12, {"孩子上初中后成绩下滑，和家长经常吵架，家长很焦虑。", "孩子沉迷手机游戏，每天玩到深夜。",
			  "高三学生考试压力很大，晚上睡不着觉。"}},
	{"02", NULL, 6, {"孩子在学校被同学欺负，不敢去上学。", "孩子被高年级学生索要零花钱{M}元。", NULL}},
	{"03", NULL, 5, {"{R}附近的网吧允许未成年人进入。", "{S}向未成年人出售香烟和酒。", NULL}},
	{"04", NULL, 4, {"咨询青少年法律援助的申请方法。", "孩子在{C}打工被拖欠工资。", NULL}},
	{"05", NULL, 4, {"咨询团组织关系转接的手续。", "咨询入团的条件和程序。", NULL}},
	{"06", NULL, 3, {"大学毕业生咨询青年创业扶持政策。", "咨询青年就业见习岗位。", NULL}},
	{"07", NULL, 3, {"{K}附近有一名儿童独自在家，无人照看。", "家庭困难，咨询希望工程助学。", NULL}},
};
static const struct em_unmapped TW_UNMAPPED[] = {{"99", "其他", NULL}, {"00", "未分类", NULL}};
static const char *const TW_UNITS[] = {
	"团市委", "共青团嘉峪关市委员会", "团市委权益部", "市青少年宫", "市12355青少年服务台",
	"市教育局", "市公安局雄关分局", "钢城街道团工委",
};
static const char *const TW_RTYPES[] = {"咨询", "求助", "投诉", "举报", "建议", "其他"};
static const int TW_RTYPE_W[] = {500, 250, 120, 40, 50, 40};
static const char *const TW_FILLERS[] = {
	"来电人是学生家长。", "来电人是初二学生本人，要求保密。", "来电人称已经和班主任沟通过。",
};
static const char *const TW_RESULTS[] = {
	"心理咨询师已对来电人进行心理疏导。", "已转市公安局处理。", "已联系学校了解情况，学校将加强管理。",
	"已转文化市场综合执法部门检查。", "已告知来电人相关政策和办理渠道。",
};
static const char *const TW_SATIS[] = {"1", "2", "3"};
static const int TW_SATIS_W[] = {700, 220, 80};

static void tw_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "TW%04d%02d%02d%04d", tm.y, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc TW12355 = {
	.code = "tw12355", .hotline = "12355", .dept = "团市委",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = TW_CATS, .ncats = EM_ARRLEN(TW_CATS),
	.unmapped = TW_UNMAPPED, .nunmapped = EM_ARRLEN(TW_UNMAPPED),
	.units = TW_UNITS, .nunits = EM_ARRLEN(TW_UNITS),
	.rtypes = TW_RTYPES, .rtype_w = TW_RTYPE_W, .nrtypes = EM_ARRLEN(TW_RTYPES),
	.fillers = TW_FILLERS, .nfillers = EM_ARRLEN(TW_FILLERS),
	.results = TW_RESULTS, .nresults = EM_ARRLEN(TW_RESULTS),
	.status = {"10", "20", "30", "40", "50", "60", "99"},
	.satis = TW_SATIS, .satis_w = TW_SATIS_W, .nsatis = EM_ARRLEN(TW_SATIS), .ppm_no_satis = 200000,
	.satis_none = "",
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.fault_loads = 1u << EM_F_ZERO_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 15000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 620, [EM_PH_FULLWIDTH] = 60, [EM_PH_FORMATTED] = 60, [EM_PH_LAND_DASH] = 120,
		    [EM_PH_LOCAL] = 60, [EM_PH_NULL] = 60, [EM_PH_WORD] = 20}},
	.ids = {{[EM_ID_NULL] = 500, [EM_ID_PLAIN] = 400, [EM_ID_FULLWIDTH] = 40, [EM_ID_BADCHECK] = 40,
		 [EM_ID_OLD15] = 20}},
	.null_is_empty = true,
	.make_id = tw_id,
};

/* the layout: widths in characters of GB18030 */
enum { C_XH, C_GDBH, C_LDSJ, C_XM, C_LDHM, C_LXDH, C_SFZH, C_DZ, C_BT, C_NR, C_SQLX, C_WTLB, C_LBMC, C_BLZT,
       C_CBDW, C_BJSJ, C_DFNR, C_MYD, C_COUNT };
static const unsigned WIDTH[C_COUNT] = {8, 16, 14, 12, 20, 20, 18, 48, 40, 1200, 4, 2, 8, 2, 20, 14, 300, 1};

/* bytes of the GB18030 character at p, as the fixed driver counts them
 * (extractors/fixed.c char_len): an invalid byte is one character */
static size_t gb_char(const unsigned char *p, size_t n)
{
	unsigned c = p[0];

	if (c < 0x81 || c > 0xFE)
		return 1;
	if (n >= 2 && p[1] >= 0x40 && p[1] <= 0xFE && p[1] != 0x7F)
		return 2;
	if (n >= 4 && p[1] >= 0x30 && p[1] <= 0x39 && p[2] >= 0x81 && p[2] <= 0xFE && p[3] >= 0x30 && p[3] <= 0x39)
		return 4;
	return 1;
}

static size_t gb_chars(const char *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; k++)
		i += gb_char((const unsigned char *)p + i, n - i);
	return k;
}

/* a field: its bytes, padded with spaces to its width in characters */
static void put(struct em_buf *line, int col, const char *p, size_t n, const char *id)
{
	size_t k = gb_chars(p, n);

	if (k > WIDTH[col])
		em_die("tw12355: %s: column %d holds %zu characters, more than its width %u", id, col, k, WIDTH[col]);
	em_buf_add(line, p, n);
	for (; k < WIDTH[col]; k++)
		em_buf_addc(line, ' ');
}

static void put_text(struct em_buf *line, struct em_buf *b, int col, const struct em_text *t, const char *id)
{
	enc(b, t, true, true);
	put(line, col, b->p, b->len, id);
}

static void put_s(struct em_buf *line, int col, const char *s, const char *id)
{
	put(line, col, s, strlen(s), id);
}

/* the export wrote line breaks inside a text as spaces: so is it meant */
static void flatten(struct em_text *t)
{
	for (size_t i = 0; i < t->len; i++)
		if (t->s[i] == '\r' || t->s[i] == '\n')
			t->s[i] = ' ';
}

static void stamp(char out[32], int64_t t)
{
	struct em_tm tm;

	em_tm(t, &tm);
	snprintf(out, 32, "%04d%02d%02d%02d%02d%02d", tm.y % 10000, tm.mo % 100, tm.d % 100, tm.h % 100, tm.mi % 100,
		 tm.s % 100);
}

void gen_tw12355(const char *dir)
{
	static struct em_sys s;
	char name[64], t1[32], xh[32];
	struct em_buf line = {0}, b = {0};
	FILE *f = NULL;
	int year = -1;
	uint64_t seq = 0;

	sys_begin(&s, &TW12355, dir, "*.DAT");
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		struct em_tm tm;
		const char *id = o->legacy_id;

		em_tm(o->t, &tm);
		if (!o->dup && tm.y != year) { /* one export per year */
			struct em_text title;

			if (f && fclose(f))
				em_die("cannot write a tw12355 export");
			year = tm.y;
			snprintf(name, sizeof(name), "TW12355_%d.DAT", year);
			f = em_fopen(dir, name, "wb");
			em_t_reset(&title);
			em_t_addf(&title, "共青团嘉峪关市委12355青少年服务台 工单数据导出 %d年度\r\n", year);
			enc(&b, &title, true, true);
			fwrite(b.p, 1, b.len, f);
		}
		for (int i = 0; i < EF_COUNT; i++)
			flatten(&o->f[i]);
		line.len = 0;
		snprintf(xh, sizeof(xh), "%08llu", (unsigned long long)(++seq % 100000000));
		put_s(&line, C_XH, xh, id);
		put_s(&line, C_GDBH, o->legacy_id, id);
		if (o->fault == EM_F_ZERO_DATE) {
			snprintf(t1, sizeof(t1), "00000000000000");
		} else if (o->fault == EM_F_INVALID_DATE) {
			snprintf(t1, sizeof(t1), "%04d%02d%02d%02d%02d%02d", tm.y % 10000, o->inv_m % 100, o->inv_d % 100,
				 tm.h % 100, tm.mi % 100, tm.s % 100);
		} else {
			stamp(t1, o->t);
		}
		put_s(&line, C_LDSJ, t1, id);
		put_text(&line, &b, C_XM, &o->f[EF_NAME], id);
		put_text(&line, &b, C_LDHM, &o->phone[0].raw, id);
		put_text(&line, &b, C_LXDH, &o->phone[1].raw, id);
		put_text(&line, &b, C_SFZH, &o->idno.raw, id);
		put_text(&line, &b, C_DZ, &o->f[EF_ADDR], id);
		put_text(&line, &b, C_BT, &o->f[EF_TITLE], id);
		if (o->fault == EM_F_UNDECODABLE) {
			enc_bad_content(&b, o);
			put(&line, C_NR, b.p, b.len, id);
		} else {
			put_text(&line, &b, C_NR, &o->f[EF_CONTENT], id);
		}
		put_text(&line, &b, C_SQLX, &o->f[EF_RTYPE], id);
		put_s(&line, C_WTLB, o->cat_code, id);
		{
			struct em_text t;

			em_t_set(&t, em_cat_name(&s, o));
			put_text(&line, &b, C_LBMC, &t, id);
		}
		put_s(&line, C_BLZT, TW12355.status[o->stage], id);
		put_text(&line, &b, C_CBDW, &o->f[EF_UNIT], id);
		if (o->t_closed)
			stamp(t1, o->t_closed);
		else
			t1[0] = 0;
		put_s(&line, C_BJSJ, t1, id);
		put_text(&line, &b, C_DFNR, &o->f[EF_REPLY], id);
		put_s(&line, C_MYD, o->satis >= 0 ? TW_SATIS[o->satis] : "", id);
		em_buf_adds(&line, "\r\n");
		fwrite(line.p, 1, line.len, f);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (o->fault == EM_F_ZERO_DATE) {
			em_fx_fix(&fx, "zero_date");
			fx.received_null = true;
		}
		if (!o->t_closed)
			fx_blank_date(&fx);
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
	}
	if (f && fclose(f))
		em_die("cannot write a tw12355 export");
	em_buf_free(&line);
	em_buf_free(&b);
	sys_end(&s, dir);
}
