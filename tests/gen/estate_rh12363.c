/*
 * tests/gen/estate_rh12363.c -- 12363 金融消费权益保护热线 of gen-estate:
 * a sub-center whose system runs on a domestic (信创) database such as
 * Dameng DM8, reachable only through ODBC. In the reference estate it is a
 * PostgreSQL database (UTF8) read through psqlODBC, laid out the way a DM8
 * schema looks: a schema of its own, upper-case (quoted) identifiers, and an
 * update time GXSJ the sub-center's feed follows (watermark). See
 * docs/estate/rh12363.md.
 */
#include "estate_io.h"

static const struct em_catdef RH_CATS[] = {
	{"RH-YHK", NULL, 10, {"{C}的银行卡被冻结，柜台不给解释。", "银行卡在{R}的取款机上被吞，{C}几天都没有处理。", NULL}},
	{"RH-ZX", NULL, 8, {"个人征信报告里有一笔不是本人办理的贷款。", "{C}逾期记录有误，要求更正征信。", NULL}},
	{"RH-XJ", NULL, 6, {"{S}拒收现金，只收手机支付。", "{K}的物业缴费窗口拒收现金。", NULL}},
	{"RH-RMB", NULL, 4, {"{C}不给兑换残损人民币。", "在{C}取到一张疑似假币。", NULL}},
	{"RH-ZF", NULL, 6, {"{C}扫码支付多扣了{M}元，一直没退回。", "第三方支付账户被盗刷{M}元。", NULL}},
	{"RH-XX", NULL, 4, {"{C}泄露了个人信息，经常接到推销电话。", NULL, NULL}},
	{"RH-ZXZX", NULL, 4, {"咨询如何查询本人征信报告。", "咨询存款保险的保障范围。", NULL}},
};
static const struct em_unmapped RH_UNMAPPED[] = {{"RH-QT", "其他", NULL}, {"XB09", "消保（旧）", NULL}};
static const char *const RH_UNITS[] = {
	"人民银行嘉峪关市分行", "人行嘉峪关分行", "人民银行嘉峪关市分行金融消费权益保护科", "嘉峪关市分行消保科",
	"某银行嘉峪关分行", "某农商银行",
};
static const char *const RH_COMPANIES[] = {"某银行", "某农商银行", "某村镇银行", "某支付公司"};
static const char *const RH_FILLERS[] = {"来电人已向机构投诉过，对答复不满意。", "来电人要求机构书面答复。"};
static const char *const RH_RESULTS[] = {
	"已转机构处理，机构已与消费者达成和解。", "经核实，机构已更正征信记录。", "已约谈机构负责人，责令整改。",
	"已向来电人解释相关政策。",
};
static const char *const RH_RTYPES[] = {"投诉", "咨询", "建议", "举报", "表扬", "其他"};
static const int RH_RTYPE_W[] = {600, 250, 60, 40, 30, 20};
static const char *const RH_SATIS[] = {"MY", "JBMY", "BMY"};
static const int RH_SATIS_W[] = {650, 250, 100};

static void rh_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "XB%04d%02d%02d%05d", tm.y, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc RH12363 = {
	.code = "rh12363", .hotline = "12363", .dept = "人民银行",
	.y0 = 2017, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = RH_CATS, .ncats = EM_ARRLEN(RH_CATS), .unmapped = RH_UNMAPPED, .nunmapped = EM_ARRLEN(RH_UNMAPPED),
	.units = RH_UNITS, .nunits = EM_ARRLEN(RH_UNITS),
	.rtypes = RH_RTYPES, .rtype_w = RH_RTYPE_W, .nrtypes = EM_ARRLEN(RH_RTYPES),
	.fillers = RH_FILLERS, .nfillers = EM_ARRLEN(RH_FILLERS),
	.results = RH_RESULTS, .nresults = EM_ARRLEN(RH_RESULTS),
	.companies = RH_COMPANIES, .ncompanies = EM_ARRLEN(RH_COMPANIES),
	.status = {"SL", "PD", "BL", "DF", "BJ", "GD", "WX"},
	.satis = RH_SATIS, .satis_w = RH_SATIS_W, .nsatis = EM_ARRLEN(RH_SATIS), .ppm_no_satis = 150000,
	.fault_ppm = {[EM_F_NULL_DATE] = 8000, [EM_F_MISSING_ID] = 2000},
	.fault_loads = 1u << EM_F_NULL_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 560, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 100, [EM_PH_LAND_DASH] = 80,
		    [EM_PH_LAND_NODASH] = 40, [EM_PH_LOCAL] = 60, [EM_PH_NULL] = 40, [EM_PH_WORD] = 10, [EM_PH_SHORT] = 10}},
	.ids = {{[EM_ID_NULL] = 200, [EM_ID_PLAIN] = 650, [EM_ID_FULLWIDTH] = 60, [EM_ID_BADCHECK] = 50,
		 [EM_ID_OLD15] = 40}},
	.make_id = rh_id,
};

static void copy_text(struct pgcopy *cp, const struct em_text *t)
{
	copy_field(cp, t->s, t->len, t->null);
}

void gen_rh12363(const char *dir)
{
	static struct em_sys s;
	struct pgcopy cp = {0};
	char db[80];
	PGconn *c;

	sys_begin(&s, &RH12363, dir, "XFQY.TS_GDXX");
	db_name("rh12363", db, sizeof(db));
	c = pg_recreate(db, "UTF8");
	pg_exec(c, "CREATE SCHEMA \"XFQY\"");
	pg_exec(c, "CREATE TABLE \"XFQY\".\"TS_GDXX\" (    -- 投诉工单信息\n"
		   "  \"ID\" bigint PRIMARY KEY,\n"
		   "  \"GDBH\" varchar(32) NOT NULL,          -- 工单编号 ('' when lost)\n"
		   "  \"SLSJ\" timestamp(0),                   -- 受理时间\n"
		   "  \"TSRXM\" varchar(40), \"LXDH\" varchar(64), \"BYDH\" varchar(64), \"ZJHM\" varchar(64),\n"
		   "  \"TSRDZ\" varchar(200), \"TSBT\" varchar(200), \"TSNR\" text,\n"
		   "  \"TSLB\" varchar(16), \"LBMC\" varchar(100), \"SQLX\" varchar(8),\n"
		   "  \"CLZT\" varchar(4), \"CBJG\" varchar(100), \"BJSJ\" timestamp(0), \"CLJG\" text,\n"
		   "  \"MYD\" varchar(8),\n"
		   "  \"GXSJ\" timestamp(0) NOT NULL)      -- 更新时间: the sub-center feed's watermark");
	pg_exec(c, "CREATE INDEX ON \"XFQY\".\"TS_GDXX\" (\"GXSJ\")");
	pg_exec(c, "BEGIN");
	copy_begin(&cp, c, "COPY \"XFQY\".\"TS_GDXX\" FROM STDIN");
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;

		copy_u64(&cp, slot + 1);
		copy_str(&cp, o->fault == EM_F_MISSING_ID ? "" : o->legacy_id);
		copy_time(&cp, o->t, o->fault == EM_F_NULL_DATE);
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
		copy_str(&cp, RH12363.status[o->stage]);
		copy_text(&cp, &o->f[EF_UNIT]);
		copy_time(&cp, o->t_closed, o->t_closed == 0);
		copy_text(&cp, &o->f[EF_REPLY]);
		copy_str(&cp, o->satis >= 0 ? RH_SATIS[o->satis] : NULL);
		copy_time(&cp, o->t_updated, false);
		copy_row_end(&cp);

		em_fx_init(&fx);
		if (o->fault == EM_F_MISSING_ID)
			em_fx_reject(&fx, "transform.missing_legacy_id");
		if (o->fault == EM_F_NULL_DATE)
			fx.received_null = true;
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
	}
	copy_end(&cp);
	pg_exec(c, "COMMIT");
	{
		char *n = pg_value(c, "SELECT count(*) FROM \"XFQY\".\"TS_GDXX\"");

		if (strtoull(n, NULL, 10) != g_scale)
			em_die("rh12363: stored %s work orders, meant %llu", n, (unsigned long long)g_scale);
		free(n);
	}
	PQfinish(c);
	em_buf_free(&cp.b);
	sys_end(&s, dir);
}
