/*
 * tests/gen/estate_yj12350.c -- gen-estate: yj12350 安全生产举报热线
 * (市应急管理局, merge mode): a small desk application on SQLite, read through
 * the SQLite ODBC driver (docs/estate/yj12350.md).
 *
 * Dates are text in whatever format the screen of the day wrote: eight
 * formats, all listed in the playbook: five plain patterns, ISO with
 * milliseconds (%f: the milliseconds are dropped, counted as fix
 * subsecond_dropped), 12-hour times with 上午/下午 (%p %I) and epoch
 * seconds (`epoch`). Impossible days and words are rejected
 * (`invalid: reject`) so that the department corrects them (rejects
 * export/replay). The caller's phone
 * column has INTEGER affinity: SQLite turned a landline typed without a
 * dash (09376212345) into the number 9376212345.
 */
#include "estate_io.h"

static const struct em_catdef YJ_CATS[] = {
	{"AQ01", NULL, 12, {"{C}的工人没有经过培训就上岗操作，也不戴安全帽。", "{C}的车间里消防通道被货物堵死了。", NULL}},
	{"AQ02", NULL, 8, {"{R}附近有人私自储存和销售散装汽油。", "{C}在厂区内违规存放危险化学品。", NULL}},
	{"AQ03", NULL, 6, {"{R}的工地塔吊没有检测，存在倒塌隐患。", "{K}工地脚手架搭设不规范，工人高空作业不系安全带。", NULL}},
	{"AQ04", NULL, 4, {"{C}的有限空间作业没有审批，也没有通风检测。", NULL, NULL}},
	{"AQ05", NULL, 5, {"{S}使用的液化气罐摆放在后厨过道，没有报警装置。", "{S}的燃气管道老化漏气。", NULL}},
	{"AQ06", NULL, 3, {"{C}发生了工伤事故，企业隐瞒不报。", NULL, NULL}},
	{"AQ07", NULL, 3, {"{K}附近的采石场违规爆破，震得房子裂缝。", NULL, NULL}},
	{"AQ08", NULL, 3, {"咨询企业安全生产许可证的办理条件。", "咨询安全生产培训的报名方式。", NULL}},
};
static const struct em_unmapped YJ_UNMAPPED[] = {{"AQ00", "其他", NULL}, {"AQ99", "其他安全问题", NULL}};
static const char *const YJ_UNITS[] = {
	"嘉峪关市应急管理局", "市应急管理局", "应急管理局", "市应急局", "市安监局", "市安全生产监督管理局",
	"市应急管理综合行政执法支队", "市消防救援支队", "市住房和城乡建设局", "雄关街道办事处", "钢城街道办事处",
};
static const char *const YJ_RTYPES[] = {"举报", "投诉", "咨询", "建议", "其他"};
static const int YJ_RTYPE_W[] = {600, 180, 150, 40, 30};
static const char *const YJ_FILLERS[] = {
	"举报人要求对其身份保密。", "举报人称已经向企业负责人反映过，没有整改。", "举报人提供了现场照片。",
};
static const char *const YJ_RESULTS[] = {
	"执法人员已到现场检查，责令企业立即停产整改。", "经核查，举报问题属实，已对企业处以罚款{M}元。",
	"经现场检查，未发现举报反映的问题。", "已移交市消防救援支队处理。", "已督促企业完成隐患整改，并组织复查。",
};
static const char *const YJ_COMPANIES[] = {"某钢铁配件厂", "某建筑公司", "某物流园", "某化工企业", "某矿业公司", "某加油站"};
static const char *const YJ_SATIS[] = {"满意", "基本满意", "不满意"};
static const int YJ_SATIS_W[] = {700, 200, 100};
static const char *const YJ_STATUS_CODES[] = {"0", "1", "2", "3", "4", "5", "9"};

static void yj_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "AJJB%04d%05d", tm.y, s->seq_year);
}

static const struct em_desc YJ12350 = {
	.code = "yj12350", .hotline = "12350", .dept = "应急管理部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = YJ_CATS, .ncats = EM_ARRLEN(YJ_CATS),
	.unmapped = YJ_UNMAPPED, .nunmapped = EM_ARRLEN(YJ_UNMAPPED),
	.units = YJ_UNITS, .nunits = EM_ARRLEN(YJ_UNITS),
	.rtypes = YJ_RTYPES, .rtype_w = YJ_RTYPE_W, .nrtypes = EM_ARRLEN(YJ_RTYPES),
	.fillers = YJ_FILLERS, .nfillers = EM_ARRLEN(YJ_FILLERS),
	.results = YJ_RESULTS, .nresults = EM_ARRLEN(YJ_RESULTS),
	.companies = YJ_COMPANIES, .ncompanies = EM_ARRLEN(YJ_COMPANIES),
	.status = {"0", "1", "2", "3", "4", "5", "9"},
	.satis = YJ_SATIS, .satis_w = YJ_SATIS_W, .nsatis = EM_ARRLEN(YJ_SATIS), .ppm_no_satis = 200000,
	.fault_ppm = {[EM_F_ZERO_DATE] = 5000, [EM_F_INVALID_DATE] = 5000, [EM_F_GARBLED_DATE] = 5000,
		      [EM_F_UNDECODABLE] = 3000},
	.fault_loads = 1u << EM_F_ZERO_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 580, [EM_PH_FULLWIDTH] = 80, [EM_PH_FORMATTED] = 60, [EM_PH_LAND_DASH] = 80,
		    [EM_PH_LAND_NODASH] = 60, [EM_PH_LOCAL] = 60, [EM_PH_NULL] = 60, [EM_PH_WORD] = 20}},
	.ids = {{[EM_ID_NULL] = 450, [EM_ID_PLAIN] = 450, [EM_ID_FULLWIDTH] = 40, [EM_ID_BADCHECK] = 40,
		 [EM_ID_OLD15] = 20}},
	.make_id = yj_id,
};

/* the screens' date formats, all in the playbook's list; the last three
 * are rare (each is on at least one free row) */
enum { YJ_ISO, YJ_SLASH, YJ_DOT, YJ_CN, YJ_YY, YJ_RARE, YJ_ISO_MS = YJ_RARE, YJ_AMPM, YJ_EPOCH, YJ_NFMT };
static const char *const YJ_FMT_NAMES[YJ_NFMT] = {
	"iso", "slash", "dot", "chinese", "two_digit_year", "iso_milliseconds", "am_pm", "epoch",
};
/* per mille of the rows: 50 % ISO, 20 % slashes, 10 % dots, 10 % 年月日,
 * 5 % two-digit years; 1.5 % milliseconds, 2 % 上午/下午, 1.5 % epoch */
static const int YJ_FMT_W[YJ_NFMT] = {500, 200, 100, 100, 50, 15, 20, 15};

static int yj_fmt(uint32_t var)
{
	int u = (int)(var / 7 % 1000);

	for (int i = 0; i < YJ_NFMT; i++) {
		if (u < YJ_FMT_W[i])
			return i;
		u -= YJ_FMT_W[i];
	}
	return YJ_ISO;
}

/* an epoch of local (Asia/Shanghai, UTC+8) wall time: what the app stored */
static void yj_date(char *out, size_t cap, int fmt, int y, int mo, int d, int h, int mi, int s, uint32_t var)
{
	switch (fmt) {
	case YJ_SLASH: snprintf(out, cap, "%04d/%02d/%02d %02d:%02d", y, mo, d, h, mi); break;
	case YJ_DOT: snprintf(out, cap, "%d.%d.%d %d:%02d", y, mo, d, h, mi); break;
	case YJ_CN: snprintf(out, cap, "%d年%d月%d日 %d:%02d", y, mo, d, h, mi); break;
	case YJ_YY: snprintf(out, cap, "%02d-%d-%d %d:%02d", y % 100, mo, d, h, mi); break;
	case YJ_ISO_MS:
		snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03u", y, mo, d, h, mi, s, var % 1000);
		break;
	case YJ_AMPM:
		snprintf(out, cap, "%04d-%02d-%02d %s %d:%02d", y, mo, d, h < 12 ? "上午" : "下午",
			 h % 12 == 0 ? 12 : h % 12, mi);
		break;
	case YJ_EPOCH:
		snprintf(out, cap, "%lld", (long long)(em_time(y, mo, d, h, mi, s) - 8 * 3600));
		break;
	default: snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s); break;
	}
}

static void yj_time(char *out, size_t cap, int fmt, int64_t t, uint32_t var)
{
	struct em_tm tm;

	em_tm(t, &tm);
	yj_date(out, cap, fmt, tm.y, tm.mo, tm.d, tm.h, tm.mi, tm.s, var);
}

/* a row whose copy is still to come: it must stay exactly like its copy */
static bool yj_queued(const struct em_sys *s, const struct em_order *o)
{
	for (int i = 0; i < EM_DUPQ; i++)
		if (s->dupq_used[i] && s->dupq[i].slot == o->slot)
			return true;
	return false;
}

void gen_yj12350(const char *dir)
{
	static struct em_sys s;
	struct sqlite q;
	char path[4096], d1[96], d2[96], u[20];
	struct em_buf b = {0};
	bool seen[YJ_NFMT] = {0};

	sys_begin(&s, &YJ12350, dir, "aqjb_gd");
	check_codes("yj12350", "status.csv", YJ_STATUS_CODES, (const char *const[]){"受理", "派单", "办理", "回复",
		    "办结", "归档", "无效诉求"}, EM_ARRLEN(YJ_STATUS_CODES));
	path_join(path, sizeof(path), dir, "yj12350.db");
	sqlite_open(&q, path);
	fputs("PRAGMA journal_mode = OFF;\nBEGIN;\n"
	      "CREATE TABLE aqjb_gd (       -- 安全生产举报工单\n"
	      "  id INTEGER PRIMARY KEY, jbbh TEXT NOT NULL, jbsj TEXT, jbr TEXT, ldhm INTEGER, lxdh TEXT,\n"
	      "  sfzh TEXT, sfdd TEXT, bt TEXT, jbnr TEXT, lbdm TEXT, lbmc TEXT, jblx TEXT, zt TEXT,\n"
	      "  cbdw TEXT, bjsj TEXT, clqk TEXT, myd TEXT, czy TEXT);\n",
	      q.f);
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		int fmt = yj_fmt(o->var);
		bool free_row = !o->dup && o->fault == EM_F_NONE && !yj_queued(&s, o);

		/* an impossible day has no epoch: written in another format */
		if (o->fault == EM_F_INVALID_DATE && fmt == YJ_EPOCH)
			fmt = (int)(o->var % YJ_RARE);
		/* the rare formats each at least once, on the first free rows
		 * after the forced ones (never on a row with a copy to come) */
		if (free_row && slot >= EM_FORCED)
			for (int i = YJ_RARE; i < YJ_NFMT; i++)
				if (!seen[i]) {
					fmt = i;
					break;
				}
		seen[fmt] = true;

		/* INTEGER affinity: a landline typed without a dash lost its 0 */
		if (o->phone[0].kind == EM_PH_LAND_NODASH) {
			struct em_text t;

			em_t_set(&t, o->phone[0].raw.s + 1);
			em_t_copy(&o->phone[0].raw, &t);
			o->phone[0].recognised = false;
		}

		if (o->fault == EM_F_ZERO_DATE) {
			snprintf(d1, sizeof(d1), "0000-00-00 00:00:00");
		} else if (o->fault == EM_F_INVALID_DATE) {
			struct em_tm tm;

			em_tm(o->t, &tm);
			yj_date(d1, sizeof(d1), fmt, tm.y, o->inv_m, o->inv_d, tm.h, tm.mi, tm.s, o->var);
		} else if (o->fault == EM_F_GARBLED_DATE) {
			static const char *const G[] = {"不详", "待补录", "同上"};

			snprintf(d1, sizeof(d1), "%s", G[o->var % 3]);
		} else {
			yj_time(d1, sizeof(d1), fmt, o->t, o->var);
		}
		if (o->t_closed)
			yj_time(d2, sizeof(d2), fmt, o->t_closed, o->var >> 10);
		em_fmt_iso(o->t_updated, u);
		fprintf(q.f, "INSERT INTO aqjb_gd VALUES (%llu,", (unsigned long long)slot + 1);
		sql_order_common(q.f, o, d1, &b);
		sql_str(q.f, o->cat_code);
		fputc(',', q.f);
		sql_str(q.f, em_cat_name(&s, o));
		fputc(',', q.f);
		sql_text(q.f, o->f[EF_RTYPE].s, o->f[EF_RTYPE].len, false);
		fputc(',', q.f);
		sql_str(q.f, YJ12350.status[o->stage]);
		fputc(',', q.f);
		sql_text(q.f, o->f[EF_UNIT].s, o->f[EF_UNIT].len, o->f[EF_UNIT].null);
		fputc(',', q.f);
		sql_str(q.f, o->t_closed ? d2 : NULL);
		fputc(',', q.f);
		sql_text(q.f, o->f[EF_REPLY].s, o->f[EF_REPLY].len, o->f[EF_REPLY].null);
		fputc(',', q.f);
		sql_str(q.f, o->satis >= 0 ? YJ_SATIS[o->satis] : NULL);
		fprintf(q.f, ",'czy%02u');\n", o->var % 17);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_INVALID_DATE || o->fault == EM_F_GARBLED_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (o->fault == EM_F_ZERO_DATE) {
			em_fx_fix(&fx, "zero_date");
			fx.received_null = true;
		}
		/* milliseconds that are not a whole second are dropped, counted
		 * (the same milliseconds yj_time wrote) */
		if (fmt == YJ_ISO_MS && o->fault == EM_F_NONE && o->var % 1000 != 0)
			em_fx_fix(&fx, "subsecond_dropped");
		if (fmt == YJ_ISO_MS && o->t_closed && (o->var >> 10) % 1000 != 0)
			em_fx_fix(&fx, "subsecond_dropped");
		fx_common(&s, o, &fx, true);
		if (o->fault == EM_F_NONE || o->fault == EM_F_INVALID_DATE || o->fault == EM_F_UNDECODABLE) {
			char k[48];

			snprintf(k, sizeof(k), "date_%s", YJ_FMT_NAMES[fmt]);
			em_check(&s.truth, k, 1); /* rows of the source in each format */
		}
		em_account(&s, o, &fx);
	}
	fputs("COMMIT;\n", q.f);
	sqlite_close(&q);
	em_buf_free(&b);
	sys_end(&s, dir);
}
