/*
 * tests/gen/estate_jt12328.c -- 12328 交通运输服务监督热线 of gen-estate:
 * MariaDB (utf8mb4), dual mode, read by the toolkit only through an ODBC
 * DSN (MariaDB Connector/ODBC, CHARSET=binary), standing in for the SQL
 * Server or Dameng database a transport bureau's vendor system runs on.
 * The data is written by the shared MariaDB writer (gen_mysql,
 * estate_mysql.c); see docs/estate/jt12328.md.
 */
#include "estate_io.h"

static const struct em_catdef JT_CATS[] = {
	{"CZ01", NULL, 12, {"出租车司机拒载，在{R}打车被拒绝。", "出租车不打表，{R}到火车站要价{M}元。", NULL}},
	{"CZ02", NULL, 6, {"出租车司机绕路多收费，多收了{M}元。", "出租车司机服务态度恶劣，车内有人吸烟。", NULL}},
	{"WY01", NULL, 6, {"网约车平台多扣了{M}元车费，客服不处理。", "网约车实际车辆与平台登记的不一致。", NULL}},
	{"GJ01", NULL, 10, {"{N}路公交车不按站停车，等了{N}分钟也没来。", "{N}路公交车司机开车太猛，老人差点摔倒。", NULL}},
	{"GJ02", NULL, 4, {"建议在{K}附近增设公交站点。", "建议{N}路公交延长末班车时间。", NULL}},
	{"KY01", NULL, 4, {"长途客车超员，在{R}上下客。", "汽车站售票窗口不退票。", NULL}},
	{"DL01", NULL, 5, {"{R}路面塌陷，有很大的坑，存在安全隐患。", "{R}桥下积水，车辆无法通行。", NULL}},
	{"JP01", NULL, 3, {"{C}收取学车费用{M}元后迟迟不安排练车。", NULL, NULL}},
	{"ZX01", NULL, 3, {"咨询道路运输从业资格证的办理流程。", NULL, NULL}},
};
static const struct em_unmapped JT_UNMAPPED[] = {{"QT99", "其他", NULL}, {"YG01", "运管（旧）", NULL}};
static const char *const JT_UNITS[] = {
	"嘉峪关市交通运输局", "市交通运输局", "交通局", "市交通运输综合执法支队", "市道路运输管理局",
	"市公共交通有限公司", "市公交公司", "市出租汽车管理所",
};
static const char *const JT_COMPANIES[] = {"某驾校", "某驾驶员培训学校", "某汽车客运公司", "某网约车平台"};
static const char *const JT_FILLERS[] = {"来电人记下了车牌号。", "来电人要求对司机进行处理。",
					 "来电人称已向公司投诉过。"};
static const char *const JT_RESULTS[] = {
	"经查属实，已对驾驶员批评教育并处罚款。", "已责令公交公司加强驾驶员管理。",
	"经调解，司机已退还多收的费用{M}元。", "已转养护部门修复路面。", "经查不属实，已向来电人说明情况。",
};
static const char *const JT_RTYPES[] = {"投诉", "咨询", "建议", "求助", "表扬", "举报", "其他"};
static const int JT_RTYPE_W[] = {550, 200, 100, 50, 40, 40, 20};
/* 5-level satisfaction, stored as words; 未回访 when closed without a callback */
static const char *const JT_SATIS[] = {"非常满意", "满意", "一般", "不满意", "非常不满意"};
static const int JT_SATIS_W[] = {300, 400, 150, 100, 50};

static void jt_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	/* 12328 + yymmdd + 4-digit sequence of the day */
	snprintf(out, cap, "12328%02d%02d%02d%04d", tm.y % 100, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc JT12328 = {
	.code = "jt12328", .hotline = "12328", .dept = "交通运输部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = JT_CATS, .ncats = EM_ARRLEN(JT_CATS), .unmapped = JT_UNMAPPED, .nunmapped = EM_ARRLEN(JT_UNMAPPED),
	.units = JT_UNITS, .nunits = EM_ARRLEN(JT_UNITS),
	.rtypes = JT_RTYPES, .rtype_w = JT_RTYPE_W, .nrtypes = EM_ARRLEN(JT_RTYPES),
	.fillers = JT_FILLERS, .nfillers = EM_ARRLEN(JT_FILLERS),
	.results = JT_RESULTS, .nresults = EM_ARRLEN(JT_RESULTS),
	.companies = JT_COMPANIES, .ncompanies = EM_ARRLEN(JT_COMPANIES),
	.status = {"01", "02", "03", "04", "05", "06", "09"},
	.satis = JT_SATIS, .satis_w = JT_SATIS_W, .nsatis = EM_ARRLEN(JT_SATIS), .ppm_no_satis = 120000,
	.satis_none = "未回访",
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000},
	.fault_loads = 1u << EM_F_ZERO_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 520, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 100, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LAND_NODASH] = 50, [EM_PH_LOCAL] = 70, [EM_PH_NULL] = 40, [EM_PH_WORD] = 20}},
	.ids = {{[EM_ID_NULL] = 300, [EM_ID_PLAIN] = 550, [EM_ID_FULLWIDTH] = 60, [EM_ID_BADCHECK] = 50,
		 [EM_ID_OLD15] = 40}},
	.make_id = jt_id,
};

static const struct my_sys MY_JT = {
	.d = &JT12328, .table = "jtjd_gd", .charset = "utf8mb4", .comment = "交通运输服务监督工单", .enc = MY_UTF8,
	.col = {"id", "gdbh", "ldsj", "ldrxm", "ldhm", "lxdh", "sfzh", "sfdd", "bt", "ldnr", "wtfl", "flmc", "sqlx",
		"blzt", "cbdw", "bjsj", "blqk", "myd", "gxsj", NULL},
	.satis = JT_SATIS,
};

void gen_jt12328(const char *dir)
{
	gen_mysql(dir, &MY_JT);
}
