/*
 * tests/gen/estate_ss12366.c -- 12366 纳税服务热线 of gen-estate: the tax
 * bureau keeps its own, recent system (a sub-center) on PostgreSQL (UTF8)
 * with `timestamptz` columns and an `updated_at` the 12345 feed follows
 * (watermark). See docs/estate/ss12366.md.
 */
#include "estate_io.h"

static const struct em_catdef SS_CATS[] = {
	{"SS-FP", NULL, 10, {"咨询增值税电子普通发票怎么开具。", "{C}开具发票时要求加收{M}元税点。", NULL}},
	{"SS-SB", NULL, 8, {"咨询小规模纳税人季度申报的期限。", "申报时系统提示数据异常，无法提交。", NULL}},
	{"SS-GS", NULL, 10, {"咨询个人所得税专项附加扣除如何填报。", "个税年度汇算多退少补的期限是什么时候。", NULL}},
	{"SS-SF", NULL, 5, {"咨询灵活就业人员社保费如何缴纳。", "城乡居民医保费缴费后没有显示记录。", NULL}},
	{"SS-YH", NULL, 4, {"咨询小微企业税收优惠政策。", "{C}能否享受研发费用加计扣除。", NULL}},
	{"SS-DZ", NULL, 6, {"电子税务局登录不上，提示密码错误{N}次被锁定。", "电子税务局办理税务登记变更一直在审核中。", NULL}},
	{"SS-TS", NULL, 3, {"办税服务厅排队{N}个号，窗口只开了两个。", "办税服务厅工作人员态度生硬。", NULL}},
};
static const struct em_unmapped SS_UNMAPPED[] = {{"SS-QT", "其他", NULL}, {"DS-01", "地税（旧）", NULL}};
static const char *const SS_UNITS[] = {
	"国家税务总局嘉峪关市税务局", "嘉峪关市税务局", "市税务局", "市税务局纳税服务科", "市税务局第一税务分局",
	"市税务局办税服务厅", "税务局",
};
static const char *const SS_COMPANIES[] = {"某商贸有限公司", "某建筑公司", "某餐饮店", "某个体工商户"};
static const char *const SS_FILLERS[] = {"来电人是企业财务人员。", "来电人要求税务人员回电。",
					 "来电人已在电子税务局提交了申请。"};
static const char *const SS_RESULTS[] = {
	"已向纳税人解释相关政策。", "已由税源管理部门联系纳税人处理。", "已重置电子税务局密码，纳税人已正常登录。",
	"已对办税服务厅工作人员进行批评教育。", "已告知纳税人办理流程及所需资料。",
};
static const char *const SS_RTYPES[] = {"咨询", "求助", "投诉", "建议", "举报", "表扬"};
static const int SS_RTYPE_W[] = {650, 120, 120, 50, 30, 30};
static const char *const SS_SATIS[] = {"5", "4", "3", "2", "1"};
static const int SS_SATIS_W[] = {450, 300, 150, 60, 40};

static void ss_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "12366-%04d%02d%02d-%05d", tm.y, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc SS12366 = {
	.code = "ss12366", .hotline = "12366", .dept = "税务部门",
	.y0 = 2017, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = SS_CATS, .ncats = EM_ARRLEN(SS_CATS), .unmapped = SS_UNMAPPED, .nunmapped = EM_ARRLEN(SS_UNMAPPED),
	.units = SS_UNITS, .nunits = EM_ARRLEN(SS_UNITS),
	.rtypes = SS_RTYPES, .rtype_w = SS_RTYPE_W, .nrtypes = EM_ARRLEN(SS_RTYPES),
	.fillers = SS_FILLERS, .nfillers = EM_ARRLEN(SS_FILLERS),
	.results = SS_RESULTS, .nresults = EM_ARRLEN(SS_RESULTS),
	.companies = SS_COMPANIES, .ncompanies = EM_ARRLEN(SS_COMPANIES),
	.status = {"ACCEPTED", "DISPATCHED", "PROCESSING", "REPLIED", "CLOSED", "ARCHIVED", "INVALID"},
	.satis = SS_SATIS, .satis_w = SS_SATIS_W, .nsatis = EM_ARRLEN(SS_SATIS), .ppm_no_satis = 200000,
	.fault_ppm = {[EM_F_NULL_DATE] = 5000},
	.fault_loads = 1u << EM_F_NULL_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 600, [EM_PH_FULLWIDTH] = 60, [EM_PH_FORMATTED] = 120, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LAND_NODASH] = 40, [EM_PH_LOCAL] = 40, [EM_PH_NULL] = 30, [EM_PH_WORD] = 10}},
	.ids = {{[EM_ID_NULL] = 350, [EM_ID_PLAIN] = 550, [EM_ID_FULLWIDTH] = 40, [EM_ID_BADCHECK] = 40,
		 [EM_ID_OLD15] = 20}},
	.make_id = ss_id,
};

/* a timestamptz as written by the application: Beijing time with its offset */
static void copy_tz(struct pgcopy *cp, int64_t t, bool null)
{
	char s[32];

	if (null) {
		copy_str(cp, NULL);
		return;
	}
	em_fmt_iso(t, s);
	memcpy(s + 19, "+08", 4);
	copy_str(cp, s);
}

static void copy_text(struct pgcopy *cp, const struct em_text *t)
{
	copy_field(cp, t->s, t->len, t->null);
}

void gen_ss12366(const char *dir)
{
	static struct em_sys s;
	struct pgcopy cp = {0};
	char db[80];
	PGconn *c;

	sys_begin(&s, &SS12366, dir, "nsfw_gd");
	db_name("ss12366", db, sizeof(db));
	c = pg_recreate(db, "UTF8");
	pg_exec(c, "CREATE TABLE nsfw_gd (           -- 纳税服务工单\n"
		   "  id bigint PRIMARY KEY,\n"
		   "  gdbh varchar(32) NOT NULL,          -- 12366-YYYYMMDD-nnnnn\n"
		   "  slsj timestamptz(0),                -- 受理时间 (NULL: lost in the 2019 platform move)\n"
		   "  lxr varchar(40), lxdh varchar(64), sjhm varchar(64), zjhm varchar(64),\n"
		   "  dz varchar(200), bt varchar(200), nr text,\n"
		   "  ywlb varchar(16), ywlbmc varchar(100), sqlx varchar(8),\n"
		   "  zt varchar(16), cbdw varchar(100), bjsj timestamptz(0), dfnr text, pj varchar(2),\n"
		   "  created_at timestamptz(0) NOT NULL DEFAULT now(),\n"
		   "  updated_at timestamptz(0) NOT NULL)  -- the 12345 feed's watermark");
	pg_exec(c, "CREATE INDEX ON nsfw_gd (updated_at)");
	pg_exec(c, "BEGIN");
	copy_begin(&cp, c, "COPY nsfw_gd (id, gdbh, slsj, lxr, lxdh, sjhm, zjhm, dz, bt, nr, ywlb, ywlbmc, sqlx, zt, "
			   "cbdw, bjsj, dfnr, pj, created_at, updated_at) FROM STDIN");
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;

		copy_u64(&cp, slot + 1);
		copy_str(&cp, o->legacy_id);
		copy_tz(&cp, o->t, o->fault == EM_F_NULL_DATE);
		copy_text(&cp, &o->f[EF_NAME]);
		copy_text(&cp, &o->phone[0].raw);
		copy_text(&cp, &o->phone[1].raw);
		copy_text(&cp, &o->idno.raw);
		copy_text(&cp, &o->f[EF_ADDR]);
		copy_text(&cp, &o->f[EF_TITLE]);
		copy_text(&cp, &o->f[EF_CONTENT]);
		copy_str(&cp, o->cat_code);
		copy_str(&cp, em_cat_name(&s, o));
		copy_text(&cp, &o->f[EF_RTYPE]);
		copy_str(&cp, SS12366.status[o->stage]);
		copy_text(&cp, &o->f[EF_UNIT]);
		copy_tz(&cp, o->t_closed, o->t_closed == 0);
		copy_text(&cp, &o->f[EF_REPLY]);
		copy_str(&cp, o->satis >= 0 ? SS_SATIS[o->satis] : NULL);
		copy_tz(&cp, o->t, false);
		copy_tz(&cp, o->t_updated, false);
		copy_row_end(&cp);

		em_fx_init(&fx);
		if (o->fault == EM_F_NULL_DATE)
			fx.received_null = true;
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
	}
	copy_end(&cp);
	pg_exec(c, "COMMIT");
	{
		char *n = pg_value(c, "SELECT count(*) FROM nsfw_gd");

		if (strtoull(n, NULL, 10) != g_scale)
			em_die("ss12366: stored %s work orders, meant %llu", n, (unsigned long long)g_scale);
		free(n);
	}
	PQfinish(c);
	em_buf_free(&cp.b);
	sys_end(&s, dir);
}
