/*
 * tests/gen/estate_gh12351.c -- gh12351 职工维权热线 (市总工会), merge mode:
 * pipe-delimited UTF-8 exports with a byte order mark, one per year, pinyin
 * header, CRLF. Some rows were pasted from a GBK system through a tool that
 * read the bytes as Windows-1252 and saved them as UTF-8 (mojibake: 中文 ->
 * ÖÐÎÄ): the playbook's repair rule gbk_as_latin1 restores them; a few were
 * cut by that system's byte limit in the middle of their last character and
 * cannot be restored (decode.unrepairable). Some titles (2 %) were pasted
 * the same way: short phrases, of which the rule proves some (repaired) and
 * not the others, which are loaded as they are and counted (fix
 * suspect_mojibake, a row in migration.repair).
 */
#include "estate_io.h"

static const struct em_catdef GH_CATS[] = {
	{"GH01", NULL, 16, {"在{C}工作，单位已经拖欠工资{N}个月。", "{C}年底结算时少发了{M}元工资。",
			    "在{R}附近的工地干活，包工头拖欠工钱{M}元。"}},
	{"GH02", NULL, 8, {"{C}没有给职工缴纳社会保险。", "{C}按最低基数缴纳社保，职工要求补缴。", NULL}},
	{"GH03", NULL, 7, {"{C}不和职工签订劳动合同。", "{C}单方面解除劳动合同，不给经济补偿。", NULL}},
	{"GH04", NULL, 5, {"{C}经常安排加班，不支付加班费。", "{C}每天工作十二个小时，没有休息日。", NULL}},
	{"GH05", NULL, 4, {"在{C}上班时受伤，单位不给申报工伤。", "工伤认定已经下来{N}天，单位拒绝赔偿。", NULL}},
	{"GH06", NULL, 4, {"咨询如何加入工会组织。", "{C}的工会经费使用不公开。", NULL}},
	{"GH07", NULL, 3, {"职工家庭生活困难，咨询工会帮扶政策。", "咨询金秋助学的申请条件。", NULL}},
	{"GH08", NULL, 5, {"咨询劳动争议仲裁的程序。", "咨询带薪年休假的规定。", NULL}},
};
static const struct em_unmapped GH_UNMAPPED[] = {{"GH99", "其他", NULL}, {"WQ", "维权（旧）", NULL}};
static const char *const GH_UNITS[] = {
	"市总工会", "嘉峪关市总工会", "市总工会法律工作部", "总工会权益保障部", "市劳动人事争议仲裁院",
	"市人社局劳动监察支队", "酒钢集团公司工会", "雄关街道总工会",
};
static const char *const GH_RTYPES[] = {"投诉", "求助", "咨询", "举报", "建议", "其他"};
static const int GH_RTYPE_W[] = {400, 250, 250, 40, 30, 30};
static const char *const GH_FILLERS[] = {
	"来电人称同工地还有十几名工友的情况相同。", "来电人手中有考勤记录。", "来电人要求工会出面协调。",
};
static const char *const GH_RESULTS[] = {
	"已联系劳动监察部门督促企业支付拖欠工资。", "已为来电人提供法律咨询，告知其申请劳动仲裁的程序。",
	"工会法律援助律师已介入。", "经协调，企业同意补缴社会保险。", "已将来电人纳入困难职工帮扶对象。",
};
static const char *const GH_SATIS[] = {"5", "4", "3", "2", "1"};
static const int GH_SATIS_W[] = {400, 300, 150, 100, 50};
static const char *const GH_RTYPE_CODES[] = {"TS", "QZ", "ZX", "JB", "JY", "QT"};

static void gh_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "GH%02d%02d%02d%05d", tm.y % 100, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc GH12351 = {
	.code = "gh12351", .hotline = "12351", .dept = "工会",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = GH_CATS, .ncats = EM_ARRLEN(GH_CATS),
	.unmapped = GH_UNMAPPED, .nunmapped = EM_ARRLEN(GH_UNMAPPED),
	.units = GH_UNITS, .nunits = EM_ARRLEN(GH_UNITS),
	.rtypes = GH_RTYPES, .rtype_w = GH_RTYPE_W, .nrtypes = EM_ARRLEN(GH_RTYPES),
	.fillers = GH_FILLERS, .nfillers = EM_ARRLEN(GH_FILLERS),
	.results = GH_RESULTS, .nresults = EM_ARRLEN(GH_RESULTS),
	.status = {"01", "02", "03", "04", "05", "06", "09"},
	.satis = GH_SATIS, .satis_w = GH_SATIS_W, .nsatis = EM_ARRLEN(GH_SATIS), .ppm_no_satis = 200000,
	.satis_none = "",
	.fault_ppm = {[EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 1500, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 600, [EM_PH_FULLWIDTH] = 60, [EM_PH_FORMATTED] = 80, [EM_PH_LAND_DASH] = 120,
		    [EM_PH_LOCAL] = 60, [EM_PH_NULL] = 60, [EM_PH_WORD] = 20}},
	.ids = {{[EM_ID_NULL] = 300, [EM_ID_PLAIN] = 560, [EM_ID_FULLWIDTH] = 50, [EM_ID_BADCHECK] = 50,
		 [EM_ID_OLD15] = 40}},
	.null_is_empty = true,
	.make_id = gh_id,
};

/* Windows-1252 as a latin1 reader sees it: its five undefined bytes pass
 * through as U+0081 ... */
static const uint16_t CP1252_80[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* GBK bytes read as Windows-1252 and saved as UTF-8 */
static void mojibake(struct em_buf *out, const char *p, size_t n)
{
	char u[4];

	out->len = 0;
	em_buf_add(out, "", 0);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		uint32_t cp = c < 0x80 ? c : c < 0xA0 ? CP1252_80[c - 0x80] : c;

		em_buf_add(out, u, em_utf8_enc(cp, u));
	}
}

/*
 * The generator's side of the repair's proof (docs/encodings.md): a value
 * is pasted as mojibake only when the rule can prove it: no ASCII letter
 * (an ideograph between two letters fails the proof), at least 5 CJK
 * characters, none outside GBK's two-byte range. Only contents are pasted:
 * a short value (a title such as 投诉：困难帮扶) may fail the proof's test
 * of common characters (a quarter of the ideographs): titles are pasted
 * from GH_SHORT_TITLES, whose outcome is known (below).
 */
static bool pasteable(const struct em_text *t)
{
	size_t cjk = 0;

	if (t->null)
		return false;
	for (size_t i = 0; i < t->len;) {
		unsigned char c = (unsigned char)t->s[i];

		if (c < 0x80) {
			if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
				return false;
			i++;
		} else if (c >= 0xF0) {
			return false; /* CJK Ext-B: a four-byte GB18030 sequence */
		} else {
			cjk += c == 0xE4 || c == 0xE5 || c == 0xE6 || c == 0xE7 || c == 0xE8 || c == 0xE9;
			i += c >= 0xE0 ? 3 : 2;
		}
	}
	return cjk >= 5;
}

/*
 * Short titles pasted as mojibake, with what gbk_as_latin1 makes of each
 * (tests/unit/test_repair_suspect.c checks the same list against the
 * rule): repaired (proven: fix gbk_as_latin1), or suspect (the shape of the
 * damage, too few common characters to prove it: loaded as it is, fix
 * suspect_mojibake, recorded in migration.repair).
 */
static const struct {
	const char *title;
	bool suspect;
} GH_SHORT_TITLES[] = {
	{"投诉：困难帮扶", true}, {"举报：欠薪逃匿", true}, {"咨询：劳动仲裁", true},
	{"拖欠工资", false}, {"求助：工伤赔偿", false}, {"投诉：克扣工资", false},
};

/* a field of the export: quoted when it holds the delimiter, a quote or a
 * line break (mojibake can hold '|': a GBK trail byte 0x7C) */
static void pipe_field(struct em_buf *b, const char *p, size_t n, bool first)
{
	bool quote = false;

	if (!first)
		em_buf_addc(b, '|');
	for (size_t i = 0; i < n && !quote; i++)
		quote = p[i] == '|' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
	if (!quote) {
		em_buf_add(b, p, n);
		return;
	}
	em_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"')
			em_buf_addc(b, '"');
		em_buf_addc(b, p[i]);
	}
	em_buf_addc(b, '"');
}

static void text_field(struct em_buf *b, const struct em_text *t)
{
	pipe_field(b, t->s, t->null ? 0 : t->len, false);
}

/* the content pasted from the GBK system, cut by its byte limit in the
 * middle of a two-byte character: at least 4 ideographs before the cut */
static void cut_gbk(struct em_buf *g, const struct em_text *t, uint32_t var)
{
	size_t i = 0, at = 0, nchar = 0, want;

	g->len = 0;
	if (!em_to_gbk(t->s, t->len, g, true))
		em_die("internal: content not encodable in GB18030");
	want = 12 + var % 40;
	while (i < g->len) {
		unsigned char c = (unsigned char)g->p[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if (i + 1 < g->len && (unsigned char)g->p[i + 1] >= 0x30 && (unsigned char)g->p[i + 1] <= 0x39) {
			i += 4;
			continue;
		}
		if ((unsigned char)g->p[i + 1] >= 0xA1 && c >= 0xB0 && c <= 0xF7)
			at = i; /* a GB2312 hanzi */
		if (++nchar >= want && at == i)
			break;
		i += 2;
	}
	if (!at || nchar < 6)
		em_die("internal: gh12351 content too short to cut: %s", t->s);
	g->len = at + 1; /* the lead byte of the last hanzi, its trail byte lost */
}

static void gh_time(char *out, size_t cap, int64_t t, uint32_t var)
{
	struct em_tm tm;

	em_tm(t, &tm);
	if (var % 5 == 2) /* typed in the old system's form */
		snprintf(out, cap, "%d/%d/%d %d:%02d", tm.y, tm.mo, tm.d, tm.h, tm.mi);
	else
		snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", tm.y, tm.mo, tm.d, tm.h, tm.mi, tm.s);
}

void gen_gh12351(const char *dir)
{
	static struct em_sys s;
	static const char *const HDR[] = {"GDBH", "LDSJ", "LDRXM", "LDHM", "LXDH", "SFZH", "SJDZ", "BT", "SQNR",
					  "SQLX", "WTFL", "FLMC", "BLZT", "CBDW", "BJSJ", "BLJG", "MYD"};
	char name[128], t1[64];
	struct em_buf line = {0}, b = {0}, g = {0};
	FILE *f = NULL;
	int year = -1;
	uint64_t repaired_loaded = 0, suspect_loaded = 0;

	sys_begin(&s, &GH12351, dir, "*.csv");
	check_codes("gh12351", "request_types.csv", GH_RTYPE_CODES, GH_RTYPES, EM_ARRLEN(GH_RTYPES));
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		struct em_tm tm;
		bool paste = false;
		int short_title = -1; /* a title pasted as mojibake: its GH_SHORT_TITLES entry */

		em_tm(o->t, &tm);
		if (!o->dup && tm.y != year) { /* one export per year */
			if (f && fclose(f))
				em_die("cannot write a gh12351 export");
			year = tm.y;
			snprintf(name, sizeof(name), "职工维权工单导出_%d.csv", year);
			f = em_fopen(dir, name, "wb");
			line.len = 0;
			em_buf_adds(&line, "\xEF\xBB\xBF");
			for (size_t i = 0; i < EM_ARRLEN(HDR); i++)
				pipe_field(&line, HDR[i], strlen(HDR[i]), i == 0);
			em_buf_adds(&line, "\r\n");
			fwrite(line.p, 1, line.len, f);
		}
		/* rows pasted from the GBK system (4 %, copies alike) */
		if (o->fault == EM_F_NONE && o->var % 25 == 7 && pasteable(&o->f[EF_CONTENT]))
			paste = true;
		/* titles pasted from the GBK system (2 %, never with the content) */
		if (o->fault == EM_F_NONE && o->var % 50 == 11 && !o->test_row && !o->cross)
			short_title = (int)(o->var / 50 % EM_ARRLEN(GH_SHORT_TITLES));
		line.len = 0;
		pipe_field(&line, o->legacy_id, strlen(o->legacy_id), true);
		if (o->fault == EM_F_INVALID_DATE)
			snprintf(t1, sizeof(t1), "%04d-%02d-%02d %02d:%02d:%02d", tm.y, o->inv_m, o->inv_d, tm.h, tm.mi,
				 tm.s);
		else
			gh_time(t1, sizeof(t1), o->t, o->var);
		pipe_field(&line, t1, strlen(t1), false);
		text_field(&line, &o->f[EF_NAME]);
		text_field(&line, &o->phone[0].raw);
		text_field(&line, &o->phone[1].raw);
		text_field(&line, &o->idno.raw);
		text_field(&line, &o->f[EF_ADDR]);
		if (short_title >= 0) {
			struct em_text t;

			em_t_set(&t, GH_SHORT_TITLES[short_title].title);
			enc(&g, &t, true, true);
			mojibake(&b, g.p, g.len);
			pipe_field(&line, b.p, b.len, false);
			/* what the store holds: the title, or the mojibake kept */
			if (GH_SHORT_TITLES[short_title].suspect) {
				em_t_reset(&o->f[EF_TITLE]);
				em_t_addn(&o->f[EF_TITLE], b.p, b.len);
			} else
				em_t_copy(&o->f[EF_TITLE], &t);
		} else {
			text_field(&line, &o->f[EF_TITLE]);
		}
		if (paste || o->fault == EM_F_UNDECODABLE) {
			if (o->fault == EM_F_UNDECODABLE)
				cut_gbk(&g, &o->f[EF_CONTENT], o->var);
			else
				enc(&g, &o->f[EF_CONTENT], true, true);
			mojibake(&b, g.p, g.len);
			pipe_field(&line, b.p, b.len, false);
		} else {
			text_field(&line, &o->f[EF_CONTENT]);
		}
		{
			int k = o->rtype;

			pipe_field(&line, GH_RTYPE_CODES[k], strlen(GH_RTYPE_CODES[k]), false);
		}
		pipe_field(&line, o->cat_code, strlen(o->cat_code), false);
		{
			const char *cn = em_cat_name(&s, o);

			pipe_field(&line, cn, strlen(cn), false);
		}
		pipe_field(&line, GH12351.status[o->stage], strlen(GH12351.status[o->stage]), false);
		text_field(&line, &o->f[EF_UNIT]);
		if (o->t_closed)
			gh_time(t1, sizeof(t1), o->t_closed, o->var);
		else
			t1[0] = 0;
		pipe_field(&line, t1, strlen(t1), false);
		text_field(&line, &o->f[EF_REPLY]);
		if (o->satis >= 0)
			pipe_field(&line, GH_SATIS[o->satis], strlen(GH_SATIS[o->satis]), false);
		else
			pipe_field(&line, "", 0, false);
		em_buf_adds(&line, "\r\n");
		fwrite(line.p, 1, line.len, f);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.unrepairable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (paste || (short_title >= 0 && !GH_SHORT_TITLES[short_title].suspect))
			em_fx_fix(&fx, "gbk_as_latin1");
		if (short_title >= 0 && GH_SHORT_TITLES[short_title].suspect)
			em_fx_fix(&fx, "suspect_mojibake");
		if (!o->t_closed)
			fx_blank_date(&fx);
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
		repaired_loaded += (paste || (short_title >= 0 && !GH_SHORT_TITLES[short_title].suspect)) && !o->dup;
		suspect_loaded += short_title >= 0 && GH_SHORT_TITLES[short_title].suspect && !o->dup;
	}
	if (f && fclose(f))
		em_die("cannot write a gh12351 export");
	em_check(&s.truth, "gbk_as_latin1_loaded", repaired_loaded);
	em_check(&s.truth, "suspect_mojibake_loaded", suspect_loaded);
	em_buf_free(&line);
	em_buf_free(&b);
	em_buf_free(&g);
	sys_end(&s, dir);
}
