/*
 * tests/gen/estate.c -- gen-estate: the reference estate of the 12345
 * consolidation, generated deterministically with its ground truth.
 *
 *   gen-estate --system CODE|all --scale N [--seed S] --out DIR [--playbook-dir DIR]
 *
 * For each system: its legacy data in its own platform and shape
 * (PostgreSQL databases through libpq and the PG* environment, an SQLite
 * file for ODBC, GBK CSV in a zip, xlsx workbooks in a zip with CP936 member
 * names, a FoxPro DBF with its memo file) and, in DIR/<code>/,
 * expected.json (the counts the toolkit must report) and intended*.tsv (the
 * text the store must hold). DIR/estate.json lists the cross-system
 * duplicates. See docs/estate.md; the shared model is estate_model.[ch].
 *
 * N is the number of work-order rows written per system (copies and
 * faulty rows included). Database names come from <CODE>_DATABASE (the
 * same variable the playbooks read), default legacy_<code>.
 */
#include "estate_io.h"

/* ================================================================== */
/* sj12315 市场监管投诉举报热线: PostgreSQL (UTF8), dual mode            */
/* ================================================================== */
static const struct em_catdef SJ_CATS[] = {
	{"010101", NULL, 10, {"在{S}就餐后出现腹泻呕吐，怀疑饭菜不卫生。", "{S}的饭菜里吃出了异物，商家态度恶劣。", NULL}},
	{"010102", NULL, 8, {"在{S}购买的食品已经过期{N}天，仍然摆在货架上销售。", "{S}销售的熟食没有标签，来源不明。", NULL}},
	{"010201", NULL, 3, {"{R}附近有一家小作坊无证生产豆制品，卫生条件很差。", "{K}楼下有人在家里加工糕点对外销售。", NULL}},
	{"020101", NULL, 3, {"在{S}购买的药品包装破损，怀疑是假药。", "{S}无处方销售处方药。", NULL}},
	{"020201", NULL, 2, {"在{S}购买的血压计测量不准，商家拒绝退换。", NULL, NULL}},
	{"030101", NULL, 5, {"{K}{N}号楼电梯经常停运，已经多次困人。", "小区电梯的年检标志已经过期，存在安全隐患。", NULL}},
	{"030201", NULL, 2, {"{S}使用的液化气瓶没有检验标志。", NULL, NULL}},
	{"040101", NULL, 6, {"{S}的商品没有明码标价，结账时比标价高。", "{S}的{G}标价{M}元，结账时多收了钱。", NULL}},
	{"040201", NULL, 4, {"{K}物业公司擅自提高物业费。", "停车场收费标准没有公示，收费过高。", NULL}},
	{"050101", NULL, 10, {"在{S}购买的{G}使用不到{N}天就出现故障，商家拒绝维修。", "{S}销售的{G}存在明显质量问题。", NULL}},
	{"050201", NULL, 3, {"{S}的电子秤缺斤短两，买了两斤少了三两。", "{R}加油站的加油机计量不准。", NULL}},
	{"060101", NULL, 9, {"在{S}办理的预付卡还有余额{M}元，商家突然关门，无法退款。", "在{S}办卡后商家拒绝按约定提供服务。", NULL}},
	{"060102", NULL, 8, {"网购的{G}与描述不符，商家拒绝退货。", "在网上购买的{G}迟迟不发货，客服联系不上。", NULL}},
	{"060103", NULL, 4, {"{S}维修{G}收费{M}元，但问题没有解决。", NULL, NULL}},
	{"070101", NULL, 2, {"{S}夸大宣传保健品功效，诱导老年人购买。", NULL, NULL}},
	{"080101", NULL, 2, {"{S}销售假冒品牌的{G}。", NULL, NULL}},
	{"090101", NULL, 3, {"咨询市场监管方面的相关政策规定。", NULL, NULL}},
	/* historic lines merged into 12315 in 2019, with their own codes */
	{"SY-01", "12331", 5, {"在{S}购买的食品有异味，怀疑变质。", "{S}销售的散装食品没有生产日期。", NULL}},
	{"SY-02", "12331", 3, {"在{S}购买的感冒药疗效可疑，怀疑是假药。", NULL, NULL}},
	{"SY-03", "12331", 2, {"{S}向老人推销保健食品，宣称能治病。", NULL, NULL}},
	{"SY-04", "12331", 2, {"在{S}购买的化妆品使用后皮肤过敏。", NULL, NULL}},
	{"JG01", "12358", 4, {"{S}的{G}价格一天涨了三次。", "{S}先提价后打折，虚假优惠。", NULL}},
	{"JG02", "12358", 3, {"{K}物业收取的电梯费没有依据。", "驾校收费与合同约定不一致。", NULL}},
	{"JG03", "12358", 2, {"医院收取的检查费用比公示标准高。", NULL, NULL}},
	{"ZJ01", "12365", 4, {"在{S}购买的{G}质量不合格。", "新买的{G}存在安全隐患。", NULL}},
	{"ZJ02", "12365", 2, {"{S}使用的计量器具没有检定。", NULL, NULL}},
	{"ZJ03", "12365", 2, {"{K}的电梯维保不到位。", NULL, NULL}},
};
static const struct em_unmapped SJ_UNMAPPED[] = {
	{"099999", "其他（待分类）", NULL},
	{"0601", "消费维权", NULL},
	{"SY-99", "其他食药问题", "12331"},
	{"JG99", "其他价格问题", "12358"},
	{"ZJ00", "未分类", "12365"},
};
static const char *const SJ_UNITS[] = {
	"嘉峪关市市场监督管理局", "市市场监管局", "市场监管局", "市市场监督管理局", "市场监管局雄关分局",
	"市场监管局钢城分局", "文殊市场监管所", "峪泉市场监管所", "新城市场监管所", "市市场监管综合执法支队",
	"市消费者协会", "市知识产权局",
};
static const char *const SJ_RTYPES[] = {"投诉", "举报", "咨询", "建议", "表扬", "其他"};
static const char *const SJ_RTYPE_CODES[] = {"1", "2", "3", "4", "5", "9"};
static const int SJ_RTYPE_W[] = {500, 150, 200, 80, 30, 40};
static const char *const SJ_FILLERS[] = {
	"来电人要求商家退款并赔偿损失。", "来电人已保留购物小票。", "商家称不是自己的责任。",
	"来电人要求市场监管部门依法查处。", "涉及金额{M}元。", "来电人称同一小区还有其他业主遇到同样问题。",
};
static const char *const SJ_RESULTS[] = {
	"经调解，商家同意为消费者办理退货退款。", "执法人员已对{S}进行现场检查，责令其立即整改。",
	"经核查，反映问题部分属实，已依法立案调查。", "双方分歧较大，调解未成功，已告知消费者可通过诉讼途径解决。",
	"现场检查未发现来电人反映的问题，将加强日常监管。", "已将相关线索移交有关部门处理。",
	"经调解，商家赔偿消费者{M}元，双方达成和解。",
};
static const char *const SJ_SATIS[] = {"A", "B", "C", "D", "E"};
static const int SJ_SATIS_W[] = {400, 300, 150, 100, 50};
static const char *const SJ_EV_CODES[] = {"01", "02", "03", "04", "05", "06", "07", "08", "09"};
static const char *const SJ_EV_NAMES[] = {"受理", "派单", "签收", "退单", "延期", "回复", "回访", "办结", "归档"};
enum { EV_ACCEPT, EV_DISPATCH, EV_SIGN, EV_RETURN, EV_EXTEND, EV_REPLY, EV_CALLBACK, EV_CLOSE, EV_ARCHIVE,
       EV_SYNC };

static void sj_line(struct em_rng *r, int64_t t, const char **line)
{
	uint32_t u;

	if (t >= em_time(2019, 1, 1, 0, 0, 0))
		return;
	u = em_below(r, 100);
	*line = u < 15 ? "12331" : u < 25 ? "12358" : u < 35 ? "12365" : "12315";
}

static void sj_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	if (s->seq_day > 9999)
		em_die("sj12315: too many orders in a day for the order numbers");
	if (!strcmp(o->line, "12331"))
		snprintf(out, cap, "SY%04d%02d%02d%04d", tm.y, tm.mo, tm.d, s->seq_day);
	else if (!strcmp(o->line, "12358"))
		snprintf(out, cap, "JG%02d%02d%02d%05d", tm.y % 100, tm.mo, tm.d, s->seq_day);
	else if (!strcmp(o->line, "12365"))
		snprintf(out, cap, "ZJ%04d%02d%02d%04d", tm.y, tm.mo, tm.d, s->seq_day);
	else
		snprintf(out, cap, "GD%04d%02d%02d%06d", tm.y, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc SJ12315 = {
	.code = "sj12315", .hotline = "12315", .dept = "市场监管部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = SJ_CATS, .ncats = EM_ARRLEN(SJ_CATS),
	.unmapped = SJ_UNMAPPED, .nunmapped = EM_ARRLEN(SJ_UNMAPPED),
	.units = SJ_UNITS, .nunits = EM_ARRLEN(SJ_UNITS),
	.rtypes = SJ_RTYPES, .rtype_w = SJ_RTYPE_W, .nrtypes = EM_ARRLEN(SJ_RTYPES),
	.fillers = SJ_FILLERS, .nfillers = EM_ARRLEN(SJ_FILLERS),
	.results = SJ_RESULTS, .nresults = EM_ARRLEN(SJ_RESULTS),
	.status = {"10", "20", "30", "40", "50", "60", "90"},
	.satis = SJ_SATIS, .satis_w = SJ_SATIS_W, .nsatis = EM_ARRLEN(SJ_SATIS), .ppm_no_satis = 100000,
	.fault_ppm = {[EM_F_NULL_DATE] = 8000, [EM_F_MISSING_ID] = 2000},
	.fault_loads = 1u << EM_F_NULL_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 500, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 100, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LAND_NODASH] = 50, [EM_PH_LOCAL] = 100, [EM_PH_NULL] = 40, [EM_PH_WORD] = 10}},
	.ids = {{[EM_ID_NULL] = 150, [EM_ID_PLAIN] = 700, [EM_ID_FULLWIDTH] = 60, [EM_ID_BADCHECK] = 50,
		 [EM_ID_OLD15] = 40}},
	.cross_cat = "050101",
	.pick_line = sj_line,
	.make_id = sj_id,
};

struct sj_events {
	struct pgcopy cp;       /* spooled into a temporary file */
	FILE *spool;
	struct em_table *t;
	struct em_rng rng;
	uint64_t lsh;
};

static void sj_event(struct sj_events *ev, const struct em_order *o, int type, int64_t at, const char *actor,
		     const char *unit, const char *comment)
{
	struct em_fx fx;
	char id[24], ts[20];
	const char *code = type == EV_SYNC ? "ZZ" : SJ_EV_CODES[type];
	const char *uni = type == EV_SYNC ? "ZZ" : SJ_EV_NAMES[type];
	bool null_at = em_chance(&ev->rng, 5000); /* a lost event time */
	struct em_table *t = ev->t;

	snprintf(id, sizeof(id), "%llu", (unsigned long long)++ev->lsh);
	copy_str(&ev->cp, id);
	copy_str(&ev->cp, o->legacy_id);
	copy_str(&ev->cp, code);
	copy_time(&ev->cp, at, null_at);
	copy_str(&ev->cp, actor);
	copy_str(&ev->cp, unit);
	copy_str(&ev->cp, comment);
	copy_row_end(&ev->cp);
	em_fx_init(&fx);
	if (type == EV_SYNC)
		em_fx_fix(&fx, "unmapped_code");
	if (!em_account_row(t, &fx, false))
		return;
	em_fmt_iso(at, ts);
	em_tsv(t, id, "order_legacy_id", o->legacy_id, strlen(o->legacy_id), false);
	em_tsv(t, id, "event_type", uni, strlen(uni), false);
	em_tsv(t, id, "event_at", ts, 19, null_at);
	em_tsv(t, id, "actor", actor ? actor : "", actor ? strlen(actor) : 0, actor == NULL);
	em_tsv(t, id, "unit", unit ? unit : "", unit ? strlen(unit) : 0, unit == NULL);
	em_tsv(t, id, "comment", comment ? comment : "", comment ? strlen(comment) : 0, comment == NULL);
}

/* the flow records (流转记录) of one work order */
static void sj_flow(struct sj_events *ev, const struct em_order *o)
{
	struct {
		int type;
		const char *actor, *unit, *comment;
	} st[16];
	int n = 0;
	struct em_rng *r = &ev->rng;
	char agent[16], staff[32], cb[64];
	struct em_text nm;
	const char *unit = o->f[EF_UNIT].null ? NULL : o->f[EF_UNIT].s;
	int64_t end = o->t_closed ? o->t_closed : o->t_updated;

	if (o->fault == EM_F_MISSING_ID)
		return; /* nothing can point at it */
	snprintf(agent, sizeof(agent), "ZX%04u", em_below(r, 300) + 1);
	em_gen_name(r, &nm, EM_NM_FULL, 0);
	if (nm.len >= sizeof(staff))
		em_die("internal: name too long");
	memcpy(staff, nm.s, nm.len + 1);
#define EV(T, A, U, C) (st[n].type = (T), st[n].actor = (A), st[n].unit = (U), st[n].comment = (C), n++)
	EV(EV_ACCEPT, agent, "12315热线", "已受理");
	if (o->stage == EM_ST_INVALID) {
		EV(EV_CLOSE, agent, "12315热线", "无效诉求，直接办结");
	} else if (o->stage != EM_ST_NEW) {
		EV(EV_DISPATCH, agent, unit, "请按时限办理");
		if (o->var % 100 < 5) {
			EV(EV_RETURN, staff, unit, "非本单位职责，申请退单");
			EV(EV_DISPATCH, agent, unit, "重新派单");
		}
		if (o->stage >= EM_ST_HANDLING)
			EV(EV_SIGN, staff, unit, "已签收");
		if (o->stage >= EM_ST_HANDLING && o->var % 100 >= 5 && o->var % 100 < 8)
			EV(EV_EXTEND, staff, unit, "情况复杂，申请延期\t10个工作日");
		if (o->var % 1000 == 999)
			EV(EV_SYNC, "system", NULL, "省平台数据同步");
		if (o->stage >= EM_ST_REPLIED)
			EV(EV_REPLY, staff, unit, o->f[EF_REPLY].null ? NULL : o->f[EF_REPLY].s);
		if (o->stage == EM_ST_CLOSED || o->stage == EM_ST_ARCHIVED) {
			if (o->satis >= 0) {
				snprintf(cb, sizeof(cb), "回访满意度：%s", SJ_SATIS[o->satis]);
				EV(EV_CALLBACK, agent, "12315热线", cb);
			}
			EV(EV_CLOSE, agent, "12315热线", "办结");
			if (o->stage == EM_ST_ARCHIVED)
				EV(EV_ARCHIVE, "system", NULL, NULL);
		}
	}
#undef EV
	for (int i = 0; i < n; i++) {
		int64_t at = o->t + (n > 1 ? (end - o->t) * i / (n - 1) : 0);

		sj_event(ev, o, st[i].type, at, st[i].actor, st[i].unit, st[i].comment);
	}
}

void gen_sj12315(const char *dir)
{
	static struct em_sys s;
	struct sj_events ev = {0};
	struct pgcopy cp = {0};
	char db[80];
	PGconn *c;
	FILE *xf = cross_open(dir);

	sys_begin(&s, &SJ12315, dir, "tsjb_gd");
	check_codes("sj12315", "request_types.csv", SJ_RTYPE_CODES, SJ_RTYPES, EM_ARRLEN(SJ_RTYPES));
	check_codes("sj12315", "events.csv", SJ_EV_CODES, SJ_EV_NAMES, EM_ARRLEN(SJ_EV_NAMES));
	em_sys_cross(&s, g_cross, g_ncross);
	ev.t = em_table_add(&s.truth, "tsjb_lzjl", "work_order_event", dir, "intended_events.tsv");
	em_rng_seed(&ev.rng, g_seed, "sj12315/events");
	ev.spool = tmpfile();
	if (!ev.spool)
		em_die("tmpfile: %s", strerror(errno));
	ev.cp.spool = ev.spool;
	ev.cp.first = true;

	db_name("sj12315", db, sizeof(db));
	c = pg_recreate(db, "UTF8");
	pg_exec(c, "CREATE TABLE tsjb_gd (\n"
		   "  id bigint PRIMARY KEY,          -- 流水号\n"
		   "  gdbh varchar(32) NOT NULL,      -- 工单编号 (historic: the old line's number)\n"
		   "  yshm varchar(8) NOT NULL,       -- 原始号码: 12315, or 12331/12358/12365 before 2019\n"
		   "  qd varchar(8),                  -- 渠道\n"
		   "  ldsj timestamp(0),              -- 来电时间\n"
		   "  tsrxm varchar(40),              -- 投诉人姓名\n"
		   "  ldhm varchar(64), lxdh varchar(64), zjhm varchar(64),\n"
		   "  tsdz varchar(200), bt varchar(200), tsnr text,\n"
		   "  sqlx varchar(4),                -- 诉求类型 code\n"
		   "  flbm varchar(16), flmc varchar(100), -- 分类 (3-level tree)\n"
		   "  zt varchar(4), cbdw varchar(100), bjsj timestamp(0), bljg text, myd varchar(2),\n"
		   "  gxsj timestamp(0) NOT NULL)");
	pg_exec(c, "CREATE TABLE tsjb_lzjl (\n"
		   "  lsh bigint PRIMARY KEY, gdbh varchar(32) NOT NULL, czlx varchar(4), czsj timestamp(0),\n"
		   "  czry varchar(40), czdw varchar(100), czyj text)");
	pg_exec(c, "BEGIN");
	copy_begin(&cp, c, "COPY tsjb_gd FROM STDIN");
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		static const char *const QD[] = {"DH", "DH", "DH", "DH", "DH", "DH", "DH", "WX", "WZ", "APP", "SJ"};
		const char *myd = o->satis >= 0 ? SJ_SATIS[o->satis] : NULL;
		const char *q = (!strcmp(o->line, "12315") && !o->cross) ? QD[o->var % EM_ARRLEN(QD)] : "DH";

		copy_u64(&cp, slot + 1);
		copy_str(&cp, o->legacy_id);
		copy_str(&cp, o->line);
		copy_str(&cp, q);
		copy_time(&cp, o->t, o->fault == EM_F_NULL_DATE);
		copy_field(&cp, o->f[EF_NAME].s, o->f[EF_NAME].len, o->f[EF_NAME].null);
		copy_field(&cp, o->phone[0].raw.s, o->phone[0].raw.len, o->phone[0].raw.null);
		copy_field(&cp, o->phone[1].raw.s, o->phone[1].raw.len, o->phone[1].raw.null);
		copy_field(&cp, o->idno.raw.s, o->idno.raw.len, o->idno.raw.null);
		copy_field(&cp, o->f[EF_ADDR].s, o->f[EF_ADDR].len, o->f[EF_ADDR].null);
		copy_field(&cp, o->f[EF_TITLE].s, o->f[EF_TITLE].len, o->f[EF_TITLE].null);
		copy_field(&cp, o->f[EF_CONTENT].s, o->f[EF_CONTENT].len, o->f[EF_CONTENT].null);
		copy_str(&cp, SJ_RTYPE_CODES[o->rtype]);
		copy_str(&cp, o->cat_code);
		copy_str(&cp, em_cat_name(&s, o));
		copy_str(&cp, SJ12315.status[o->stage]);
		copy_field(&cp, o->f[EF_UNIT].s, o->f[EF_UNIT].len, o->f[EF_UNIT].null);
		copy_time(&cp, o->t_closed, o->t_closed == 0);
		copy_field(&cp, o->f[EF_REPLY].s, o->f[EF_REPLY].len, o->f[EF_REPLY].null);
		copy_str(&cp, myd);
		copy_time(&cp, o->t_updated, false);
		copy_row_end(&cp);

		em_fx_init(&fx);
		if (o->fault == EM_F_MISSING_ID)
			em_fx_reject(&fx, "transform.missing_legacy_id");
		if (o->fault == EM_F_NULL_DATE)
			fx.received_null = true;
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
		if (o->cross)
			cross_line(xf, o);
		if (!o->dup)
			sj_flow(&ev, o);
	}
	copy_end(&cp);
	/* the flow records */
	copy_flush(&ev.cp);
	if (fflush(ev.spool) || ferror(ev.spool))
		em_die("cannot write a temporary file: %s", strerror(errno));
	rewind(ev.spool);
	copy_begin(&cp, c, "COPY tsjb_lzjl FROM STDIN");
	{
		char buf[1 << 16];
		size_t n;

		while ((n = fread(buf, 1, sizeof(buf), ev.spool)) > 0) {
			cp.b.len = 0;
			em_buf_add(&cp.b, buf, n);
			copy_flush(&cp);
		}
	}
	copy_end(&cp);
	fclose(ev.spool);
	pg_exec(c, "COMMIT");
	/* what was stored is what was meant */
	{
		char *n1 = pg_value(c, "SELECT count(*) FROM tsjb_gd"), *n2 = pg_value(c, "SELECT count(*) FROM tsjb_lzjl");

		if (strtoull(n1, NULL, 10) != g_scale || strtoull(n2, NULL, 10) != ev.t->rows)
			em_die("sj12315: stored %s work orders and %s flow records, meant %llu and %llu", n1, n2,
			       (unsigned long long)g_scale, (unsigned long long)ev.t->rows);
		free(n1);
		free(n2);
	}
	PQfinish(c);
	if (fclose(xf))
		em_die("cannot write cross.tsv");
	em_buf_free(&cp.b);
	em_buf_free(&ev.cp.b);
	sys_end(&s, dir);
}

/* ================================================================== */
/* wj12320 卫生健康热线: PostgreSQL SQL_ASCII holding GBK bytes, dual     */
/* ================================================================== */
static const char *const WJ_HOSPITALS[] = {
	"市第一人民医院", "酒钢医院", "市中医医院", "市妇幼保健院", "雄关社区卫生服务中心", "钢城社区卫生服务中心",
};
static const struct em_catdef WJ_CATS[] = {
	{"WJ01", NULL, 12, {"在{C}就诊时医生态度生硬，检查开得太多。", "{C}挂号排队时间太长，早上排到中午还没看上病。", NULL}},
	{"WJ02", NULL, 6, {"家属在{C}做手术后出现并发症，对治疗结果有异议。", "对{C}的诊疗费用有异议，要求医院解释。", NULL}},
	{"WJ03", NULL, 6, {"咨询孩子接种疫苗的时间和地点。", "{C}的疫苗接种点预约不上。", NULL}},
	{"WJ04", NULL, 4, {"{K}有人发热咳嗽，担心是传染病。", "咨询传染病防控和隔离政策。", NULL}},
	{"WJ05", NULL, 6, {"在{C}住院的费用医保报销比例有疑问。", "异地就医备案后仍然无法直接结算。", NULL}},
	{"WJ06", NULL, 3, {"咨询独生子女父母奖励扶助政策。", "咨询办理生育登记需要哪些材料。", NULL}},
	{"WJ07", NULL, 3, {"{S}的从业人员没有健康证明。", "游泳馆水质浑浊，怀疑消毒不到位。", NULL}},
	{"WJ08", NULL, 2, {"{C}的药品价格比药店贵很多。", NULL, NULL}},
	{"WJ09", NULL, 3, {"感谢{C}医护人员的精心治疗。", NULL, NULL}},
	{"WJ99", NULL, 3, {"咨询卫生健康方面的政策规定。", NULL, NULL}},
};
static const struct em_unmapped WJ_UNMAPPED[] = {
	{"WJ00", "未分类", NULL}, {"WS12", "卫生监督（旧）", NULL}, {"X", "其它", NULL},
};
static const char *const WJ_UNITS[] = {
	"市卫生健康委员会", "市卫健委", "卫健委", "嘉峪关市卫生健康委员会", "市卫生健康委医政医管科",
	"市疾病预防控制中心", "市疾控中心", "市卫生健康综合监督执法局", "市第一人民医院", "酒钢医院",
	"市中医医院", "市妇幼保健院",
};
static const char *const WJ_RTYPES[] = {"咨询", "投诉", "求助", "建议", "表扬", "举报", "其他"};
static const int WJ_RTYPE_W[] = {350, 300, 150, 80, 60, 40, 20};
static const char *const WJ_FILLERS[] = {
	"来电人希望卫生健康部门尽快调查。", "来电人的家属目前还在住院。", "来电人已经向医院医务科反映过。",
	"来电人要求医院给出书面答复。",
};
static const char *const WJ_RESULTS[] = {
	"已责成医院进行调查，并对相关医务人员进行批评教育。", "已向来电人详细解释相关政策。",
	"医院已与患者家属沟通，双方达成一致意见。", "经调查，医院诊疗行为符合规范。",
	"已建议来电人通过医疗纠纷调解委员会解决。", "卫生监督人员已进行现场检查，责令整改。",
};
static const char *const WJ_SATIS[] = {"满意", "基本满意", "不满意"};
static const int WJ_SATIS_W[] = {700, 200, 100};

static void wj_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "%02d%02d%02d0937%08d", tm.y % 100, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc WJ12320 = {
	.code = "wj12320", .hotline = "12320", .dept = "卫生健康部门",
	.y0 = 2017, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = WJ_CATS, .ncats = EM_ARRLEN(WJ_CATS),
	.unmapped = WJ_UNMAPPED, .nunmapped = EM_ARRLEN(WJ_UNMAPPED),
	.units = WJ_UNITS, .nunits = EM_ARRLEN(WJ_UNITS),
	.rtypes = WJ_RTYPES, .rtype_w = WJ_RTYPE_W, .nrtypes = EM_ARRLEN(WJ_RTYPES),
	.fillers = WJ_FILLERS, .nfillers = EM_ARRLEN(WJ_FILLERS),
	.results = WJ_RESULTS, .nresults = EM_ARRLEN(WJ_RESULTS),
	.companies = WJ_HOSPITALS, .ncompanies = EM_ARRLEN(WJ_HOSPITALS),
	.status = {"已受理", "已转办", "办理中", "已答复", "已办结", "已归档", "无效件"},
	.satis = WJ_SATIS, .satis_w = WJ_SATIS_W, .nsatis = EM_ARRLEN(WJ_SATIS), .ppm_no_satis = 150000,
	.satis_none = "未评价",
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.fault_loads = 1u << EM_F_ZERO_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 500, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 100, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LAND_NODASH] = 50, [EM_PH_LOCAL] = 100, [EM_PH_NULL] = 50}},
	.ids = {{[EM_ID_NULL] = 100, [EM_ID_PLAIN] = 750, [EM_ID_FULLWIDTH] = 80, [EM_ID_BADCHECK] = 40,
		 [EM_ID_OLD15] = 30}},
	.make_id = wj_id,
};

void gen_wj12320(const char *dir)
{
	static struct em_sys s;
	struct pgcopy cp = {0};
	struct em_buf b = {0};
	char db[80], ts[32];
	PGconn *c;
	uint64_t n_zero = 0, n_gbk3 = 0;

	sys_begin(&s, &WJ12320, dir, "rx_gdxx");
	db_name("wj12320", db, sizeof(db));
	c = pg_recreate(db, "SQL_ASCII");
	pg_exec(c, "CREATE TABLE rx_gdxx (\n"
		   "  xh integer PRIMARY KEY,         -- 序号\n"
		   "  gdh varchar(18) NOT NULL,       -- 工单号: YYMMDD0937 + 8 digits\n"
		   "  slsj varchar(19),               -- 受理时间, as text (0000-00-00 00:00:00 happens)\n"
		   "  ly varchar(16),                 -- 来源\n"
		   "  hzxm varchar(40), lxdh varchar(40), bydh varchar(40), sfzh varchar(40),\n"
		   "  zz varchar(200), zy varchar(200), nr text,\n"
		   "  lb varchar(8), lbmc varchar(50), xz varchar(8), zt varchar(16), zbdw varchar(100),\n"
		   "  bjsj varchar(19), dfnr text, myd varchar(8),\n"
		   "  gxsj timestamp(0) NOT NULL)");
	pg_exec(c, "BEGIN");
	copy_begin(&cp, c, "COPY rx_gdxx FROM STDIN");
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		static const char *const LY[] = {"电话", "电话", "电话", "电话", "电话", "电话", "电话", "电话", "网站", "信件"};
		const struct em_text *tx[] = {&o->f[EF_NAME], &o->phone[0].raw, &o->phone[1].raw, &o->idno.raw,
					      &o->f[EF_ADDR], &o->f[EF_TITLE]};
		const char *myd = o->satis >= 0 ? WJ_SATIS[o->satis]
				  : (o->stage == EM_ST_CLOSED || o->stage == EM_ST_ARCHIVED) ? WJ12320.satis_none
											       : NULL;

		copy_u64(&cp, slot + 1);
		copy_str(&cp, o->legacy_id);
		n_zero += o->fault == EM_F_ZERO_DATE;
		n_gbk3 += em_utf8_chars(WJ12320.status[o->stage], strlen(WJ12320.status[o->stage])) == 3;
		if (o->fault == EM_F_ZERO_DATE)
			copy_str(&cp, "0000-00-00 00:00:00");
		else if (o->fault == EM_F_INVALID_DATE)
			fmt_invalid(o, ts), copy_str(&cp, ts);
		else
			copy_time(&cp, o->t, false);
		{
			struct em_text t;

			em_t_set(&t, LY[o->var % EM_ARRLEN(LY)]);
			enc(&b, &t, true, false);
			copy_buf(&cp, &b, false);
		}
		for (size_t i = 0; i < EM_ARRLEN(tx); i++) {
			enc(&b, tx[i], true, true);
			copy_buf(&cp, &b, tx[i]->null);
		}
		if (o->fault == EM_F_UNDECODABLE)
			enc_bad_content(&b, o);
		else
			enc(&b, &o->f[EF_CONTENT], true, false);
		copy_buf(&cp, &b, false);
		copy_str(&cp, o->cat_code);
		{
			struct em_text t;

			em_t_set(&t, em_cat_name(&s, o));
			enc(&b, &t, true, false);
			copy_buf(&cp, &b, false);
			enc(&b, &o->f[EF_RTYPE], true, false);
			copy_buf(&cp, &b, false);
			em_t_set(&t, WJ12320.status[o->stage]);
			enc(&b, &t, true, false);
			copy_buf(&cp, &b, false);
		}
		enc(&b, &o->f[EF_UNIT], true, false);
		copy_buf(&cp, &b, o->f[EF_UNIT].null);
		copy_time(&cp, o->t_closed, o->t_closed == 0);
		enc(&b, &o->f[EF_REPLY], true, false);
		copy_buf(&cp, &b, o->f[EF_REPLY].null);
		if (myd) {
			struct em_text t;

			em_t_set(&t, myd);
			enc(&b, &t, true, false);
			copy_buf(&cp, &b, false);
		} else {
			copy_str(&cp, NULL);
		}
		copy_time(&cp, o->t_updated, false);
		copy_row_end(&cp);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (o->fault == EM_F_ZERO_DATE) {
			em_fx_fix(&fx, "zero_date");
			fx.received_null = true;
		}
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
	}
	copy_end(&cp);
	pg_exec(c, "COMMIT");
	{
		/* what was stored is what was meant: rows, zero dates, GBK bytes */
		char *n = pg_value(c, "SELECT count(*) FROM rx_gdxx");
		char *z = pg_value(c, "SELECT count(*) FROM rx_gdxx WHERE slsj = '0000-00-00 00:00:00'");
		char *h = pg_value(c, "SELECT count(*) FROM rx_gdxx WHERE octet_length(zt) = 6");

		if (strtoull(n, NULL, 10) != g_scale || strtoull(z, NULL, 10) != n_zero ||
		    strtoull(h, NULL, 10) != n_gbk3)
			em_die("wj12320: stored %s rows, %s zero dates, %s three-character statuses; meant %llu, %llu, %llu",
			       n, z, h, (unsigned long long)g_scale, (unsigned long long)n_zero,
			       (unsigned long long)n_gbk3);
		free(n);
		free(z);
		free(h);
	}
	PQfinish(c);
	em_buf_free(&b);
	em_buf_free(&cp.b);
	sys_end(&s, dir);
}

/* ================================================================== */
/* yz12305 邮政业用户申诉热线: SQLite through ODBC, subcenter             */
/* ================================================================== */
static const char *const YZ_COMPANIES[] = {
	"中国邮政", "顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "京东物流", "极兔速递",
};
static const struct em_catdef YZ_CATS[] = {
	{"YZ01", NULL, 14, {"在{C}寄的快件已经{N}天了还没有送到，物流信息一直不更新。", "网购的{G}由{C}配送，已超过承诺时限{N}天。", NULL}},
	{"YZ02", NULL, 8, {"{C}的快件丢失了，里面是价值{M}元的{G}，快递公司只愿意按运费赔偿。", "收到的包裹外包装完好，但里面的{G}少了一件。", NULL}},
	{"YZ03", NULL, 6, {"收到{C}送来的{G}外包装破损，物品已经损坏。", NULL, NULL}},
	{"YZ04", NULL, 10, {"{C}的快递员不送货上门，直接放在驿站也不通知。", "快递员未经同意把快件放进{K}门口的快递柜，取件还要收费。", NULL}},
	{"YZ05", NULL, 3, {"{C}寄件时收费比网上查询的标准高。", NULL, NULL}},
	{"YZ06", NULL, 2, {"{C}收寄快件时不验视、不实名登记。", NULL, NULL}},
	{"YZ07", NULL, 3, {"{K}的报刊投递经常延误。", "咨询邮政网点的营业时间。", NULL}},
	{"YZ08", NULL, 2, {"感谢{C}快递员的耐心服务。", NULL, NULL}},
	{"YZ09", NULL, 3, {"咨询禁止寄递物品的规定。", NULL, NULL}},
};
static const struct em_unmapped YZ_UNMAPPED[] = {{"YZ00", "其他申诉", NULL}, {"ZX", "咨询（旧版）", NULL}};
static const char *const YZ_UNITS[] = {
	"中国邮政集团嘉峪关市分公司", "嘉峪关邮政分公司", "邮政公司", "顺丰速运嘉峪关营业部", "顺丰速运",
	"中通快递嘉峪关分部", "中通快递", "圆通速递嘉峪关公司", "韵达快递", "京东物流嘉峪关站", "极兔速递",
	"市邮政管理局",
};
static const char *const YZ_RTYPES[] = {"投诉", "咨询", "建议", "表扬"};
static const char *const YZ_RTYPE_LEGACY[] = {"申诉", "咨询", "建议", "表扬"};
static const int YZ_RTYPE_W[] = {700, 200, 60, 40};
static const char *const YZ_FILLERS[] = {
	"来电人已经联系过快递公司客服，没有得到解决。", "快递单号来电人已经提供。", "来电人要求快递公司赔偿损失。",
};
static const char *const YZ_RESULTS[] = {
	"经调解，快递企业同意赔偿用户{M}元。", "快递企业已向用户道歉，并重新派送。", "已责令快递企业规范投递服务。",
	"经核实，快件已妥投，已向用户说明情况。", "用户与企业协商未果，已告知用户可依法通过诉讼解决。",
};
static const char *const YZ_SATIS[] = {"5", "4", "3", "2", "1"};
static const int YZ_SATIS_W[] = {450, 300, 120, 80, 50};

static void yz_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "YZ%04d%02d%02d%06d", tm.y, tm.mo, tm.d, s->seq_day);
	if (o->var % 100 < 5) /* a sub-order of a split complaint */
		snprintf(out + strlen(out), cap - strlen(out), "-%02u", o->var / 100 % 3 + 1);
}

static const struct em_desc YZ12305 = {
	.code = "yz12305", .hotline = "12305", .dept = "邮政管理部门",
	.y0 = 2018, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = YZ_CATS, .ncats = EM_ARRLEN(YZ_CATS),
	.unmapped = YZ_UNMAPPED, .nunmapped = EM_ARRLEN(YZ_UNMAPPED),
	.units = YZ_UNITS, .nunits = EM_ARRLEN(YZ_UNITS),
	.rtypes = YZ_RTYPES, .rtype_w = YZ_RTYPE_W, .nrtypes = EM_ARRLEN(YZ_RTYPES),
	.fillers = YZ_FILLERS, .nfillers = EM_ARRLEN(YZ_FILLERS),
	.results = YZ_RESULTS, .nresults = EM_ARRLEN(YZ_RESULTS),
	.companies = YZ_COMPANIES, .ncompanies = EM_ARRLEN(YZ_COMPANIES),
	.status = {"new", "assigned", "processing", "replied", "closed", "archived", "rejected"},
	.satis = YZ_SATIS, .satis_w = YZ_SATIS_W, .nsatis = EM_ARRLEN(YZ_SATIS), .ppm_no_satis = 200000,
	.fault_ppm = {[EM_F_ZERO_DATE] = 5000, [EM_F_INVALID_DATE] = 5000, [EM_F_GARBLED_DATE] = 5000,
		      [EM_F_UNDECODABLE] = 3000},
	.fault_loads = (1u << EM_F_ZERO_DATE) | (1u << EM_F_INVALID_DATE) | (1u << EM_F_GARBLED_DATE),
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 600, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 100, [EM_PH_LAND_DASH] = 60,
		    [EM_PH_LOCAL] = 60, [EM_PH_NULL] = 60, [EM_PH_SHORT] = 20}},
	.ids = {{[EM_ID_NULL] = 400, [EM_ID_PLAIN] = 500, [EM_ID_FULLWIDTH] = 50, [EM_ID_BADCHECK] = 50}},
	.make_id = yz_id,
};

/* the desk application wrote dates in whatever format the screen had */
static void yz_date(char *out, size_t cap, int y, int mo, int d, int h, int mi, int s, uint32_t var)
{
	switch (var % 20) {
	case 10: case 11: case 12: case 13: case 14:
		snprintf(out, cap, "%d/%d/%d %d:%02d", y, mo, d, h, mi);
		break;
	case 15: case 16: case 17:
		snprintf(out, cap, "%d年%d月%d日 %d时%02d分", y, mo, d, h, mi);
		break;
	case 18: case 19:
		snprintf(out, cap, "%04d%02d%02d%02d%02d%02d", y, mo, d, h, mi, s);
		break;
	default:
		snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
		break;
	}
}

static void yz_time(char *out, size_t cap, int64_t t, uint32_t var)
{
	struct em_tm tm;

	em_tm(t, &tm);
	yz_date(out, cap, tm.y, tm.mo, tm.d, tm.h, tm.mi, tm.s, var);
}

struct kb_topic {
	const char *q, *a, *basis;
};
static const struct kb_topic YZ_KB[] = {
	{"快件延误如何处理？", "快件延误的，寄件人可以要求快递企业按照约定免除或者退还部分、全部运费。\n延误超过时限仍未投递的，可按丢失处理。", "《快递市场管理办法》第二十七条"},
	{"快件丢失如何赔偿？", "快件丢失、损毁、短少的，保价快件按照保价金额赔偿；未保价的，按照民事法律的有关规定确定赔偿责任。", "《快递暂行条例》第二十七条"},
	{"哪些物品禁止寄递？", "枪支弹药、管制器具、易燃易爆物品、毒品等禁止寄递，具体见《禁止寄递物品管理规定》。", "《禁止寄递物品管理规定》"},
	{"快递员能否不经同意把快件放进快递柜？", "快递企业应当将快件投递到约定的收件地址；需要使用智能快件箱投递的，应当征得收件人同意。", "《快递市场管理办法》第三十三条"},
	{"寄件是否需要实名？", "寄件人交寄快件时应当出示有效身份证件，快递企业应当查验并登记寄件人身份信息。", "《快递暂行条例》第二十二条"},
	{"对处理结果不满意怎么办？", "用户对快递企业的处理结果不满意的，可以拨打12305或者登录国家邮政局申诉网站申诉。", "《邮政业用户申诉处理办法》"},
	{"邮政普遍服务包括哪些业务？", "邮政普遍服务包括信件、单件重量不超过五千克的印刷品、单件重量不超过十千克的包裹的寄递以及邮政汇兑服务。", "《中华人民共和国邮政法》第十五条"},
	{"收件时发现物品破损怎么办？", "收件人可以当面验收，发现破损的应当场告知快递员并要求记录，再按规定申请赔偿。", "《快递服务》国家标准 GB/T 27917"},
};
static const char *const YZ_KB_DEPTS[] = {"市邮政管理局", "嘉峪关市邮政管理局", "邮政管理局市场监管科"};

static void yz_kb(struct sqlite *q, struct em_table *t, uint64_t nkb)
{
	struct em_rng r;
	struct {
		char zsbh[32], bt[256], ksrq[64], jsrq[64];
		const struct kb_topic *tp;
		const char *dept;
		int64_t from, to;
		bool bad, to_null;
		uint32_t var;
	} a, last[4];
	size_t nlast = 0;
	uint64_t id = 0;

	em_rng_seed(&r, g_seed, "yz12305/kb");
	for (uint64_t i = 0; i < nkb; i++) {
		struct em_fx fx;
		bool dup = nlast && i > 2 && em_chance(&r, 50000);
		char from[20], to[20];

		if (dup) {
			a = last[em_below(&r, (uint32_t)nlast)];
		} else {
			a.tp = &YZ_KB[i % EM_ARRLEN(YZ_KB)];
			a.dept = EM_PICK(&r, YZ_KB_DEPTS);
			snprintf(a.zsbh, sizeof(a.zsbh), "ZSK%05llu", (unsigned long long)i + 1);
			if (i < EM_ARRLEN(YZ_KB))
				snprintf(a.bt, sizeof(a.bt), "%s", a.tp->q);
			else
				snprintf(a.bt, sizeof(a.bt), "%s（第%llu版）", a.tp->q,
					 (unsigned long long)(i / EM_ARRLEN(YZ_KB) + 1));
			a.from = em_time(2018, 1, 1, 0, 0, 0) + (int64_t)em_below(&r, 7 * 365) * 86400;
			a.to = a.from + (int64_t)em_range(&r, 365, 3 * 365) * 86400;
			a.to_null = em_below(&r, 100) < 60;
			a.bad = i == 1 || em_chance(&r, 50000);
			a.var = (uint32_t)(em_rnd64(&r) >> 32);
			yz_time(a.ksrq, sizeof(a.ksrq), a.from, a.var);
			if (a.bad) /* a day that does not exist, in the same format */
			{
				struct em_tm tm;

				em_tm(a.from, &tm);
				yz_date(a.ksrq, sizeof(a.ksrq), tm.y, 2, 30, 0, 0, 0, a.var);
			}
			yz_time(a.jsrq, sizeof(a.jsrq), a.to, a.var >> 8);
			if (nlast < EM_ARRLEN(last))
				last[nlast++] = a;
			else
				last[em_below(&r, (uint32_t)nlast)] = a;
		}
		fprintf(q->f, "INSERT INTO zsk VALUES (%llu,", (unsigned long long)++id);
		sql_str(q->f, a.zsbh);
		fputc(',', q->f);
		sql_str(q->f, a.bt);
		fputc(',', q->f);
		sql_str(q->f, a.tp->q);
		fputc(',', q->f);
		sql_str(q->f, a.tp->a);
		fputc(',', q->f);
		sql_str(q->f, a.dept);
		fputc(',', q->f);
		sql_str(q->f, a.tp->basis);
		fputc(',', q->f);
		sql_str(q->f, a.ksrq);
		fputc(',', q->f);
		sql_str(q->f, a.to_null ? NULL : a.jsrq);
		fputs(");\n", q->f);

		em_fx_init(&fx);
		if (a.bad)
			em_fx_fix(&fx, "invalid_date_null");
		if (!em_account_row(t, &fx, dup))
			continue;
		em_fmt_iso(a.from - a.from % 86400, from);
		em_fmt_iso(a.to - a.to % 86400, to);
		/* formats without seconds lose nothing here: articles start at midnight */
		em_tsv(t, a.zsbh, "title", a.bt, strlen(a.bt), false);
		em_tsv(t, a.zsbh, "question", a.tp->q, strlen(a.tp->q), false);
		em_tsv(t, a.zsbh, "answer", a.tp->a, strlen(a.tp->a), false);
		em_tsv(t, a.zsbh, "department", a.dept, strlen(a.dept), false);
		em_tsv(t, a.zsbh, "policy_basis", a.tp->basis, strlen(a.tp->basis), false);
		em_tsv(t, a.zsbh, "valid_from", from, 19, a.bad);
		em_tsv(t, a.zsbh, "valid_to", to, 19, a.to_null);
	}
}

void gen_yz12305(const char *dir)
{
	static struct em_sys s;
	struct sqlite q;
	char path[4096], d1[64], d2[64], u[20];
	struct em_buf b = {0};
	struct em_table *kb;

	sys_begin(&s, &YZ12305, dir, "ss_gd");
	check_codes("yz12305", "request_types.csv", YZ_RTYPE_LEGACY, YZ_RTYPES, EM_ARRLEN(YZ_RTYPES));
	kb = em_table_add(&s.truth, "zsk", "kb_article", dir, "intended_kb.tsv");
	path_join(path, sizeof(path), dir, "yz12305.db");
	sqlite_open(&q, path);
	fputs("PRAGMA journal_mode = OFF;\nBEGIN;\n"
	      "CREATE TABLE ss_gd (         -- 申诉工单\n"
	      "  id INTEGER PRIMARY KEY, ssbh TEXT NOT NULL, sssj TEXT, ssr TEXT, sjhm TEXT, lxdh TEXT,\n"
	      "  zjhm TEXT, dz TEXT, bt TEXT, nr TEXT, lb TEXT, lbmc TEXT, sslx TEXT, qymc TEXT, zt TEXT,\n"
	      "  jasj TEXT, clyj TEXT, myd INTEGER, gxsj TEXT);\n"
	      "CREATE TABLE zsk (           -- 知识库\n"
	      "  id INTEGER PRIMARY KEY, zsbh TEXT NOT NULL, bt TEXT, wt TEXT, da TEXT, bm TEXT, yj TEXT,\n"
	      "  ksrq TEXT, jsrq TEXT);\n",
	      q.f);
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;

		if (o->fault == EM_F_ZERO_DATE) {
			snprintf(d1, sizeof(d1), "0000-00-00 00:00:00");
		} else if (o->fault == EM_F_INVALID_DATE) {
			struct em_tm tm;

			em_tm(o->t, &tm);
			yz_date(d1, sizeof(d1), tm.y, o->inv_m, o->inv_d, tm.h, tm.mi, tm.s, o->var);
		} else if (o->fault == EM_F_GARBLED_DATE) {
			static const char *const G[] = {"不详", "待补录", "见附件"};

			snprintf(d1, sizeof(d1), "%s", G[o->var % 3]);
		} else {
			yz_time(d1, sizeof(d1), o->t, o->var);
		}
		yz_time(d2, sizeof(d2), o->t_closed, o->var);
		em_fmt_iso(o->t_updated, u);
		fprintf(q.f, "INSERT INTO ss_gd VALUES (%llu,", (unsigned long long)slot + 1);
		sql_order_common(q.f, o, d1, &b);
		sql_str(q.f, o->cat_code);
		fputc(',', q.f);
		sql_str(q.f, em_cat_name(&s, o));
		fputc(',', q.f);
		sql_str(q.f, YZ_RTYPE_LEGACY[o->rtype]);
		fputc(',', q.f);
		sql_text(q.f, o->f[EF_UNIT].s, o->f[EF_UNIT].len, o->f[EF_UNIT].null);
		fputc(',', q.f);
		sql_str(q.f, YZ12305.status[o->stage]);
		fputc(',', q.f);
		sql_str(q.f, o->t_closed ? d2 : NULL);
		fputc(',', q.f);
		sql_text(q.f, o->f[EF_REPLY].s, o->f[EF_REPLY].len, o->f[EF_REPLY].null);
		fprintf(q.f, ",%s,", o->satis >= 0 ? YZ_SATIS[o->satis] : "NULL");
		sql_str(q.f, u);
		fputs(");\n", q.f);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_ZERO_DATE) {
			em_fx_fix(&fx, "zero_date");
			fx.received_null = true;
		}
		if (o->fault == EM_F_INVALID_DATE || o->fault == EM_F_GARBLED_DATE) {
			em_fx_fix(&fx, "invalid_date_null");
			fx.received_null = true;
		}
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
	}
	yz_kb(&q, kb, g_scale / 10 + EM_ARRLEN(YZ_KB));
	fputs("COMMIT;\n", q.f);
	sqlite_close(&q);
	em_buf_free(&b);
	sys_end(&s, dir);
}

/* ================================================================== */
/* sw12312 商务举报投诉热线: GBK CSV by Excel, in a zip, merge mode       */
/* ================================================================== */
static const struct em_catdef SW_CATS[] = {
	{"SW01", NULL, 12, {"在{S}办理预付卡充值{M}元，现在商家停业无法退款。", "{S}单方面改变预付卡的使用规则。", NULL}},
	{"SW02", NULL, 12, {"在{S}购买的{G}出现质量问题，商家拒绝退换。", "{S}以特价商品为由拒绝退换{G}。", NULL}},
	{"SW03", NULL, 4, {"{R}的加油站油品质量差，加油后车辆出现故障。", "有人在{R}附近流动销售散装汽油。", NULL}},
	{"SW04", NULL, 3, {"{S}销售来源不明的散装白酒。", NULL, NULL}},
	{"SW05", NULL, 5, {"{S}上门维修{G}乱收费，收了{M}元维修费。", NULL, NULL}},
	{"SW06", NULL, 2, {"{R}附近有人非法拆解报废汽车。", NULL, NULL}},
	{"SW07", NULL, 5, {"{R}农贸市场环境脏乱，摊位费上涨。", "{K}附近没有便民超市，买菜很不方便。", NULL}},
	{"SW08", NULL, 2, {"典当行的利息和综合费用过高。", NULL, NULL}},
	{"SW09", NULL, 2, {"咨询外贸企业备案登记的办理流程。", NULL, NULL}},
	{"SW10", NULL, 3, {"咨询商务领域的相关政策。", NULL, NULL}},
};
static const struct em_unmapped SW_UNMAPPED[] = {
	{"SW99", "其他（旧）", NULL}, {"商务", "商务类", NULL}, {"SW2", "商品退换", NULL},
};
static const char *const SW_UNITS[] = {
	"嘉峪关市商务局", "市商务局", "商务局", "市商务局市场运行科", "市商务综合行政执法大队", "市市场监管局",
	"雄关街道办事处", "钢城街道办事处",
};
static const char *const SW_RTYPES[] = {"投诉", "举报", "咨询", "建议", "表扬", "其他"};
static const int SW_RTYPE_W[] = {500, 150, 200, 80, 20, 50};
static const char *const SW_FILLERS[] = {
	"来电人要求商家全额退款。", "来电人称商家已经更换了法人。", "来电人手中有充值凭证。",
};
static const char *const SW_RESULTS[] = {
	"经调解，商家同意退还预付卡余额。", "已约谈经营者，责令其履行承诺。", "已联合市场监管部门进行检查。",
	"经核实，该企业已注销，已告知来电人通过法律途径维权。", "经调解，双方达成和解。",
};
static const char *const SW_SATIS[] = {"满意", "基本满意", "不满意"};
static const int SW_SATIS_W[] = {650, 250, 100};

static void sw_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "12312%04d%06d", tm.y, s->seq_year);
}

static const struct em_desc SW12312 = {
	.code = "sw12312", .hotline = "12312", .dept = "商务部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = SW_CATS, .ncats = EM_ARRLEN(SW_CATS),
	.unmapped = SW_UNMAPPED, .nunmapped = EM_ARRLEN(SW_UNMAPPED),
	.units = SW_UNITS, .nunits = EM_ARRLEN(SW_UNITS),
	.rtypes = SW_RTYPES, .rtype_w = SW_RTYPE_W, .nrtypes = EM_ARRLEN(SW_RTYPES),
	.fillers = SW_FILLERS, .nfillers = EM_ARRLEN(SW_FILLERS),
	.results = SW_RESULTS, .nresults = EM_ARRLEN(SW_RESULTS),
	.status = {"已受理", "已转办", "处理中", "已答复", "已办结", "已归档", "不予受理"},
	.satis = SW_SATIS, .satis_w = SW_SATIS_W, .nsatis = EM_ARRLEN(SW_SATIS), .ppm_no_satis = 200000,
	.satis_none = "",
	.fault_ppm = {[EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.ppm_dup = 15000, .ppm_unmapped = 20000, .ppm_test = 3000,
	.phones = {{[EM_PH_PLAIN] = 600, [EM_PH_FULLWIDTH] = 80, [EM_PH_FORMATTED] = 60, [EM_PH_LAND_DASH] = 120,
		    [EM_PH_EXCEL_ZERO] = 40, [EM_PH_LOCAL] = 60, [EM_PH_NULL] = 40}},
	.ids = {{[EM_ID_NULL] = 300, [EM_ID_PLAIN] = 520, [EM_ID_FULLWIDTH] = 40, [EM_ID_BADCHECK] = 40,
		 [EM_ID_EXCEL_SCI] = 100}},
	.null_is_empty = true,
	.cross_cat = "SW02",
	.make_id = sw_id,
};

static void excel_time(char *out, size_t cap, int64_t t)
{
	struct em_tm tm;

	em_tm(t, &tm);
	snprintf(out, cap, "%d/%d/%d %d:%02d", tm.y, tm.mo, tm.d, tm.h, tm.mi);
}

struct member_list {
	char *names[64];
	size_t n;
};

void gen_sw12312(const char *dir)
{
	static struct em_sys s;
	static const char *const HDR[] = {"工单编号", "受理时间", "来电人", "来电号码", "联系电话", "身份证号",
					  "事发地址", "标题", "诉求内容", "诉求类型", "问题分类", "分类名称",
					  "办理状态", "承办单位", "办结时间", "办理结果", "满意度"};
	char stage[4096], zip[4096], t1[64], t2[64];
	struct em_buf line = {0}, b = {0}, hdr = {0};
	struct member_list ml = {0};
	FILE *f = NULL, *xf = cross_open(dir);
	int year = -1;

	sys_begin(&s, &SW12312, dir, "*.zip");
	em_sys_cross(&s, g_cross, g_ncross);
	path_join(stage, sizeof(stage), dir, ".stage");
	em_mkdir_p(stage);
	for (size_t i = 0; i < EM_ARRLEN(HDR); i++) {
		struct em_text t;

		em_t_set(&t, HDR[i]);
		enc(&b, &t, true, false);
		csv_field(&hdr, b.p, b.len, i == 0);
	}
	em_buf_adds(&hdr, "\r\n");
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		struct em_tm tm;
		const struct em_text *tx[] = {&o->f[EF_NAME], &o->phone[0].raw, &o->phone[1].raw, &o->idno.raw,
					      &o->f[EF_ADDR], &o->f[EF_TITLE]};

		em_tm(o->t, &tm);
		if (!o->dup && tm.y != year) { /* one export per year */
			struct em_text nm;
			struct em_buf gname = {0};

			if (f && fclose(f))
				em_die("cannot write a CSV export");
			year = tm.y;
			em_t_reset(&nm);
			em_t_addf(&nm, "商务举报投诉工单%d.csv", year);
			if (!em_to_gbk(nm.s, nm.len, &gname, false))
				em_die("internal");
			if (ml.n == EM_ARRLEN(ml.names))
				em_die("internal: too many exports");
			ml.names[ml.n++] = gname.p;
			f = em_fopen(stage, gname.p, "wb");
			fwrite(hdr.p, 1, hdr.len, f);
		}
		line.len = 0;
		csv_field(&line, o->legacy_id, strlen(o->legacy_id), true);
		if (o->fault == EM_F_INVALID_DATE)
			snprintf(t1, sizeof(t1), "%d/%d/%d %d:%02d", tm.y, o->inv_m, o->inv_d, tm.h, tm.mi);
		else
			excel_time(t1, sizeof(t1), o->t);
		csv_field(&line, t1, strlen(t1), false);
		for (size_t i = 0; i < EM_ARRLEN(tx); i++) {
			enc(&b, tx[i], true, false);
			csv_field(&line, b.p, b.len, false);
		}
		if (o->fault == EM_F_UNDECODABLE)
			enc_bad_content(&b, o);
		else
			enc(&b, &o->f[EF_CONTENT], true, false);
		csv_field(&line, b.p, b.len, false);
		enc(&b, &o->f[EF_RTYPE], true, false);
		csv_field(&line, b.p, b.len, false);
		{
			struct em_text t;

			em_t_set(&t, o->cat_code);
			enc(&b, &t, true, false);
			csv_field(&line, b.p, b.len, false);
			em_t_set(&t, em_cat_name(&s, o));
			enc(&b, &t, true, false);
			csv_field(&line, b.p, b.len, false);
			em_t_set(&t, SW12312.status[o->stage]);
			enc(&b, &t, true, false);
			csv_field(&line, b.p, b.len, false);
		}
		enc(&b, &o->f[EF_UNIT], true, false);
		csv_field(&line, b.p, b.len, false);
		if (o->t_closed)
			excel_time(t2, sizeof(t2), o->t_closed);
		else
			t2[0] = 0;
		csv_field(&line, t2, strlen(t2), false);
		enc(&b, &o->f[EF_REPLY], true, false);
		csv_field(&line, b.p, b.len, false);
		if (o->satis >= 0) {
			struct em_text t;

			em_t_set(&t, SW_SATIS[o->satis]);
			enc(&b, &t, true, false);
			csv_field(&line, b.p, b.len, false);
		} else {
			csv_field(&line, "", 0, false);
		}
		em_buf_adds(&line, "\r\n");
		fwrite(line.p, 1, line.len, f);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (!o->t_closed)
			fx_blank_date(&fx);
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
		if (o->cross)
			cross_line(xf, o);
	}
	if (f && fclose(f))
		em_die("cannot write a CSV export");
	path_join(zip, sizeof(zip), dir, "sw12312-export.zip");
	zip_files(stage, ml.names, ml.n, zip);
	rm_rf_flat(stage, ml.names, ml.n);
	for (size_t i = 0; i < ml.n; i++)
		free(ml.names[i]);
	if (fclose(xf))
		em_die("cannot write cross.tsv");
	em_buf_free(&line);
	em_buf_free(&b);
	em_buf_free(&hdr);
	sys_end(&s, dir);
}

/* ================================================================== */
/* zr12336 国土资源热线: xlsx per year in a zip with CP936 names, merge   */
/* ================================================================== */
static const struct em_catdef ZR_CATS[] = {
	{"ZR01", NULL, 8, {"{R}附近有人非法占用耕地建房。", "{K}旁边的空地被人圈占，堆放建筑材料。", NULL}},
	{"ZR02", NULL, 12, {"办理不动产登记证已经等了{N}天还没有拿到。", "咨询二手房过户需要的材料和费用。", NULL}},
	{"ZR03", NULL, 3, {"有人在{R}附近河道私自挖砂采石。", "文殊镇附近有非法采矿点，夜间施工。", NULL}},
	{"ZR04", NULL, 3, {"{K}后面的山体有滑坡迹象，居民很担心。", "雨后{R}路边出现地面塌陷。", NULL}},
	{"ZR05", NULL, 2, {"咨询房屋面积测绘的收费标准。", NULL, NULL}},
	{"ZR06", NULL, 5, {"{K}旁边新建的楼房违反规划，遮挡采光。", "咨询{R}片区的规划调整情况。", NULL}},
	{"ZR07", NULL, 2, {"有人在{R}附近砍伐树木。", NULL, NULL}},
	{"ZR08", NULL, 3, {"咨询自然资源方面的政策规定。", NULL, NULL}},
};
static const struct em_unmapped ZR_UNMAPPED[] = {{"ZR99", "其他", NULL}, {"GT03", "国土（旧）", NULL}};
static const char *const ZR_UNITS[] = {
	"嘉峪关市自然资源局", "市自然资源局", "自然资源局", "市国土资源局", "市自然资源局不动产登记中心",
	"市不动产登记中心", "市自然资源执法监察支队", "市规划勘测设计院", "文殊镇人民政府", "峪泉镇人民政府",
	"新城镇人民政府",
};
static const char *const ZR_RTYPES[] = {"投诉", "举报", "咨询", "求助", "建议", "其他"};
static const int ZR_RTYPE_W[] = {250, 250, 300, 80, 80, 40};
static const char *const ZR_FILLERS[] = {
	"来电人称已向村委会反映过。", "来电人可以提供现场照片。", "来电人要求尽快给出答复。",
};
static const char *const ZR_RESULTS[] = {
	"执法人员已到现场核查，责令当事人停止违法行为。", "已向来电人解释不动产登记的办理流程和时限。",
	"经核查，该建设项目手续齐全。", "已通知属地镇政府加强巡查。", "已组织专业人员进行地质灾害隐患排查。",
};
static const char *const ZR_SATIS[] = {"满意", "基本满意", "不满意"};
static const int ZR_SATIS_W[] = {700, 200, 100};

static void zr_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "ZR%04d-%05d", tm.y, s->seq_year);
}

static const struct em_desc ZR12336 = {
	.code = "zr12336", .hotline = "12336", .dept = "自然资源部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = ZR_CATS, .ncats = EM_ARRLEN(ZR_CATS),
	.unmapped = ZR_UNMAPPED, .nunmapped = EM_ARRLEN(ZR_UNMAPPED),
	.units = ZR_UNITS, .nunits = EM_ARRLEN(ZR_UNITS),
	.rtypes = ZR_RTYPES, .rtype_w = ZR_RTYPE_W, .nrtypes = EM_ARRLEN(ZR_RTYPES),
	.fillers = ZR_FILLERS, .nfillers = EM_ARRLEN(ZR_FILLERS),
	.results = ZR_RESULTS, .nresults = EM_ARRLEN(ZR_RESULTS),
	.status = {"受理", "转办", "办理中", "已答复", "办结", "归档", "不予受理"},
	.satis = ZR_SATIS, .satis_w = ZR_SATIS_W, .nsatis = EM_ARRLEN(ZR_SATIS), .ppm_no_satis = 150000,
	.fault_ppm = {[EM_F_EXCEL_DATE] = 3000, [EM_F_INVALID_DATE] = 5000},
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 550, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 80, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LOCAL] = 80, [EM_PH_NULL] = 60, [EM_PH_WORD] = 30}},
	.ids = {{[EM_ID_NULL] = 200, [EM_ID_PLAIN] = 600, [EM_ID_FULLWIDTH] = 50, [EM_ID_BADCHECK] = 40,
		 [EM_ID_EXCEL_SCI] = 80}},
	.omit = (1u << EF_TITLE) | (1u << EF_CONTACT),
	.make_id = zr_id,
};

void gen_zr12336(const char *dir)
{
	static struct em_sys s;
	static struct xlsx x;
	static const char *const HDR[] = {"序号", "工单编号", "来电时间", "来电人", "联系电话", "身份证号", "地址",
					  "反映内容", "问题类别", "类别名称", "诉求类型", "办理单位", "办理状态",
					  "办结日期", "答复内容", "满意度"};
	char stage[4096], zip[4096], serial[32], txt[64], cur[4096] = "";
	struct member_list ml = {0};
	int year = -1;
	unsigned seq = 0;

	sys_begin(&s, &ZR12336, dir, "*.zip");
	path_join(stage, sizeof(stage), dir, ".stage");
	em_mkdir_p(stage);
	for (uint64_t slot = 0; slot <= g_scale; slot++) {
		struct em_order *o = slot < g_scale ? em_sys_next(&s, slot) : NULL;
		struct em_fx fx;
		struct em_tm tm;
		char title[128];

		if (o)
			em_tm(o->t, &tm);
		if (!o || (!o->dup && tm.y != year)) { /* one workbook per year */
			struct em_text nm;
			struct em_buf gname = {0};

			if (year >= 0)
				xlsx_save(&x, cur, "工单台账");
			if (!o)
				break;
			year = tm.y;
			seq = 0;
			em_t_reset(&nm);
			em_t_addf(&nm, "国土资源热线工单%d年.xlsx", year);
			if (!em_to_gbk(nm.s, nm.len, &gname, false))
				em_die("internal");
			if (ml.n == EM_ARRLEN(ml.names))
				em_die("internal: too many workbooks");
			ml.names[ml.n++] = gname.p;
			path_join(cur, sizeof(cur), stage, gname.p);
			x_row(&x);
			snprintf(title, sizeof(title), "嘉峪关市国土资源热线%d年工单台账", year);
			x_strs(&x, title);
			x_row(&x);
			for (size_t i = 0; i < EM_ARRLEN(HDR); i++)
				x_strs(&x, HDR[i]);
		}
		if (o->var % 97 == 0 && !o->dup) { /* a formatted but empty row: not a record */
			char ref[16];

			x_row(&x);
			x.col = 2;
			x_ref(&x, ref);
			em_buf_addf(&x.sheet, "<c r=\"%s\" s=\"2\"/>", ref);
		}
		x_row(&x);
		snprintf(txt, sizeof(txt), "%u", ++seq);
		x_num(&x, txt, 0);
		x_strs(&x, o->legacy_id);
		if (o->fault == EM_F_EXCEL_DATE) {
			x_num(&x, "60", 2);      /* 1900-02-29: a day Excel invented */
		} else if (o->fault == EM_F_INVALID_DATE) {
			snprintf(txt, sizeof(txt), "%d.%d.%d %d:%02d", tm.y, o->inv_m, o->inv_d, tm.h, tm.mi);
			x_strs(&x, txt);
		} else if (o->var % 20 == 3) {  /* typed as text by hand */
			snprintf(txt, sizeof(txt), "%d.%d.%d %d:%02d", tm.y, tm.mo, tm.d, tm.h, tm.mi);
			x_strs(&x, txt);
		} else if (o->var % 20 == 4) {
			snprintf(txt, sizeof(txt), "%d年%d月%d日", tm.y, tm.mo, tm.d);
			x_strs(&x, txt);
		} else {
			excel_serial(o->t, true, serial);
			x_num(&x, serial, 2);
		}
		x_text(&x, &o->f[EF_NAME]);
		if (o->phone[0].kind == EM_PH_PLAIN)
			x_num(&x, o->phone[0].raw.s, 0); /* a number cell */
		else
			x_text(&x, &o->phone[0].raw);
		if (o->idno.kind == EM_ID_EXCEL_SCI)
			x_num(&x, o->idno.raw.s, 0);
		else
			x_text(&x, &o->idno.raw);
		x_text(&x, &o->f[EF_ADDR]);
		x_text(&x, &o->f[EF_CONTENT]);
		x_strs(&x, o->cat_code);
		x_strs(&x, em_cat_name(&s, o));
		x_text(&x, &o->f[EF_RTYPE]);
		x_text(&x, &o->f[EF_UNIT]);
		x_strs(&x, ZR12336.status[o->stage]);
		if (o->t_closed) {
			excel_serial(o->t_closed, false, serial);
			x_num(&x, serial, 1);
		} else {
			x_skip(&x);
		}
		x_text(&x, &o->f[EF_REPLY]);
		if (o->satis >= 0)
			x_strs(&x, ZR_SATIS[o->satis]);

		em_fx_init(&fx);
		if (o->fault == EM_F_EXCEL_DATE)
			em_fx_reject(&fx, "extract.invalid_excel_date");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		fx_common(&s, o, &fx, false);
		em_account(&s, o, &fx);
	}
	/* the handover zip is what the playbook reads (driver archive, format
	 * xlsx, member_encoding cp936): nothing is unpacked */
	path_join(zip, sizeof(zip), dir, "zr12336-workbooks.zip");
	zip_files(stage, ml.names, ml.n, zip);
	rm_rf_flat(stage, ml.names, ml.n);
	for (size_t i = 0; i < ml.n; i++)
		free(ml.names[i]);
	em_buf_free(&x.sheet);
	em_buf_free(&x.sst);
	sys_end(&s, dir);
}

/* ================================================================== */
/* mz12349 民政服务热线: FoxPro DBF (code page 0x7A) with memo, merge     */
/* ================================================================== */
static const struct em_catdef MZ_CATS[] = {
	{"MZ01", NULL, 12, {"家里{N}口人，收入很低，咨询如何申请城乡低保。", "低保金已经{N}个月没有发放。", NULL}},
	{"MZ02", NULL, 3, {"村里的五保老人没人照顾，希望纳入特困供养。", NULL, NULL}},
	{"MZ03", NULL, 4, {"家人突发重病花费{M}元，咨询临时救助。", NULL, NULL}},
	{"MZ04", NULL, 10, {"{K}的日间照料中心一直没有开放。", "咨询高龄津贴的申领条件。", "{S}附近的养老院收费太高。"}},
	{"MZ05", NULL, 5, {"咨询补领结婚证需要带哪些材料。", "婚姻登记处预约不上。", NULL}},
	{"MZ06", NULL, 3, {"殡仪馆的收费项目不透明。", "有人在{R}附近乱埋乱葬。", NULL}},
	{"MZ07", NULL, 4, {"咨询困难残疾人生活补贴和重度残疾人护理补贴的申请。", NULL, NULL}},
	{"MZ08", NULL, 2, {"{K}有一名儿童无人照料，希望民政部门关注。", NULL, NULL}},
	{"MZ09", NULL, 2, {"咨询社会组织登记的流程。", NULL, NULL}},
	{"MZ10", NULL, 2, {"咨询{R}道路名称变更的情况。", NULL, NULL}},
};
static const struct em_unmapped MZ_UNMAPPED[] = {{"MZ00", "其他", NULL}, {"MZ99", "其他事项", NULL}, {"0", "未分类", NULL}};
static const char *const MZ_UNITS[] = {
	"嘉峪关市民政局", "市民政局", "民政局", "市民政局社会救助科", "市民政局养老服务科", "市婚姻登记处",
	"市殡仪馆", "市社会福利院", "雄关街道办事处", "钢城街道办事处", "文殊镇人民政府", "峪泉镇人民政府",
	"新城镇人民政府",
};
static const char *const MZ_RTYPES[] = {"咨询", "求助", "投诉", "建议", "表扬", "其他"};
static const int MZ_RTYPE_W[] = {400, 250, 200, 80, 40, 30};
static const char *const MZ_FILLERS[] = {
	"来电人是低保户，行动不便。", "来电人家中有残疾人需要照顾。", "来电人希望社区工作人员上门了解情况。",
};
static const char *const MZ_RESULTS[] = {
	"已指导来电人向所在街道提出低保申请。", "经核实，低保金已于本月补发到位。", "已安排社区工作人员上门走访。",
	"已向来电人解释相关救助政策。", "已协调民政部门将老人纳入特困供养。",
};
static const char *const MZ_SATIS[] = {"1", "2", "3", "4", "5"};
static const int MZ_SATIS_W[] = {350, 350, 150, 100, 50};

static void mz_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	if (s->seq_day > 9999)
		em_die("mz12349: too many orders in a day for the order numbers");
	snprintf(out, cap, "MZ%04d%02d%02d%04d", tm.y, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc MZ12349 = {
	.code = "mz12349", .hotline = "12349", .dept = "民政部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = MZ_CATS, .ncats = EM_ARRLEN(MZ_CATS),
	.unmapped = MZ_UNMAPPED, .nunmapped = EM_ARRLEN(MZ_UNMAPPED),
	.units = MZ_UNITS, .nunits = EM_ARRLEN(MZ_UNITS),
	.rtypes = MZ_RTYPES, .rtype_w = MZ_RTYPE_W, .nrtypes = EM_ARRLEN(MZ_RTYPES),
	.fillers = MZ_FILLERS, .nfillers = EM_ARRLEN(MZ_FILLERS),
	.results = MZ_RESULTS, .nresults = EM_ARRLEN(MZ_RESULTS),
	.status = {"1", "2", "3", "4", "5", "6", "7"},
	.satis = MZ_SATIS, .satis_w = MZ_SATIS_W, .nsatis = EM_ARRLEN(MZ_SATIS), .ppm_no_satis = 150000,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.fault_loads = 1u << EM_F_ZERO_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000,
	.phones = {{[EM_PH_PLAIN] = 550, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 80, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LAND_NODASH] = 50, [EM_PH_LOCAL] = 70, [EM_PH_NULL] = 40, [EM_PH_WORD] = 10}},
	.ids = {{[EM_ID_NULL] = 250, [EM_ID_PLAIN] = 600, [EM_ID_FULLWIDTH] = 60, [EM_ID_BADCHECK] = 50,
		 [EM_ID_OLD15] = 40}},
	.omit = (1u << EF_TITLE) | (1u << EF_CONTACT),
	.null_is_empty = true,
	.make_id = mz_id,
};

void gen_mz12349(const char *dir)
{
	static struct em_sys s;
	struct dbf_field fl[] = {
		{"XH", 'N', 8, 0, 0},     {"GDBH", 'C', 14, 0, 0}, {"LDRQ", 'D', 8, 0, 0},  {"LDRXM", 'C', 20, 0, 0},
		{"LXDH", 'C', 24, 0, 0},  {"SFZH", 'C', 40, 0, 0}, {"DZ", 'C', 120, 0, 0},  {"NR", 'M', 10, 0, 0},
		{"LB", 'C', 6, 0, 0},     {"LBMC", 'C', 30, 0, 0}, {"LX", 'C', 8, 0, 0},    {"BLZT", 'N', 2, 0, 0},
		{"CBDW", 'C', 60, 0, 0},  {"BJRQ", 'D', 8, 0, 0},  {"DFNR", 'M', 10, 0, 0}, {"MYD", 'N', 1, 0, 0},
	};
	struct dbf d;
	struct em_buf b = {0};
	char t[32];

	sys_begin(&s, &MZ12349, dir, "GDXX.DBF");
	dbf_open(&d, dir, "GDXX.DBF", "GDXX.FPT", fl, EM_ARRLEN(fl));
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		struct em_tm tm;
		/* soft-deleted (DELETE without PACK): half of the copies, 2 % of the rest */
		bool deleted = o->dup ? (o->slot & 1) : o->var % 1000 < 20;

		em_tm(o->t, &tm);
		dbf_rec(&d, deleted);
		snprintf(t, sizeof(t), "%llu", (unsigned long long)slot + 1);
		dbf_n(&d, "XH", t);
		dbf_c(&d, "GDBH", o->legacy_id, strlen(o->legacy_id));
		if (o->fault == EM_F_ZERO_DATE)
			dbf_c(&d, "LDRQ", "00000000", 8);
		else if (o->fault == EM_F_INVALID_DATE)
			snprintf(t, sizeof(t), "%04d%02d%02d", tm.y, o->inv_m % 100, o->inv_d % 100), dbf_c(&d, "LDRQ", t, 8);
		else
			snprintf(t, sizeof(t), "%04d%02d%02d", tm.y, tm.mo, tm.d), dbf_c(&d, "LDRQ", t, 8);
		enc(&b, &o->f[EF_NAME], true, false);
		dbf_c(&d, "LDRXM", b.p, b.len);
		enc(&b, &o->phone[0].raw, true, false);
		dbf_c(&d, "LXDH", b.p, b.len);
		enc(&b, &o->idno.raw, true, false);
		dbf_c(&d, "SFZH", b.p, b.len);
		enc(&b, &o->f[EF_ADDR], true, false);
		dbf_c(&d, "DZ", b.p, b.len);
		if (o->fault == EM_F_UNDECODABLE)
			enc_bad_content(&b, o);
		else
			enc(&b, &o->f[EF_CONTENT], true, false);
		dbf_memo(&d, "NR", b.p, b.len);
		dbf_c(&d, "LB", o->cat_code, strlen(o->cat_code));
		{
			struct em_text x;

			em_t_set(&x, em_cat_name(&s, o));
			enc(&b, &x, true, false);
			dbf_c(&d, "LBMC", b.p, b.len);
		}
		enc(&b, &o->f[EF_RTYPE], true, false);
		dbf_c(&d, "LX", b.p, b.len);
		dbf_n(&d, "BLZT", MZ12349.status[o->stage]);
		enc(&b, &o->f[EF_UNIT], true, false);
		dbf_c(&d, "CBDW", b.p, b.len);
		if (o->t_closed) {
			struct em_tm c;

			em_tm(o->t_closed, &c);
			snprintf(t, sizeof(t), "%04d%02d%02d", c.y, c.mo, c.d);
			dbf_c(&d, "BJRQ", t, 8);
		}
		enc(&b, &o->f[EF_REPLY], true, false);
		dbf_memo(&d, "DFNR", b.p, b.len);
		if (o->satis >= 0)
			dbf_n(&d, "MYD", MZ_SATIS[o->satis]);
		dbf_end_rec(&d);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (o->fault == EM_F_ZERO_DATE) {
			em_fx_fix(&fx, "zero_date");
			fx.received_null = true;
		}
		fx_common(&s, o, &fx, false);
		if (deleted && !o->dup && !fx.reject)
			em_check(&s.truth, "deleted", 1);
		em_account(&s, o, &fx);
	}
	dbf_close(&d);
	em_buf_free(&b);
	sys_end(&s, dir);
}

/* ================================================================== */
/* the estate                                                           */
/* ================================================================== */
struct system {
	const char *code;
	void (*gen)(const char *dir);
};

/* in the order of ../shared/domain/hotlines.csv, cg12319 aside (gen12319);
 * a system whose estate_<code>.c is not linked in is reported as missing */
static const struct system SYSTEMS[] = {
	{"zr12336", gen_zr12336}, {"mz12349", gen_mz12349}, {"sw12312", gen_sw12312},
	{"gjj12329", gen_gjj12329}, {"yj12350", gen_yj12350}, {"fl12338", gen_fl12338},
	{"gh12351", gen_gh12351}, {"tw12355", gen_tw12355}, {"ny12316", gen_ny12316},
	{"sj12315", gen_sj12315}, {"rs12333", gen_rs12333}, {"jt12328", gen_jt12328},
	{"sf12348", gen_sf12348}, {"wj12320", gen_wj12320}, {"hb12369", gen_hb12369},
	{"ss12366", gen_ss12366}, {"jr12378", gen_jr12378}, {"rh12363", gen_rh12363},
	{"qx12121", gen_qx12121}, {"yc12313", gen_yc12313}, {"yz12305", gen_yz12305},
	{"dl95598", gen_dl95598}, {"tx12300", gen_tx12300},
};

/* DIR/estate.json: the systems generated and the cross-system duplicates
 * whose two sides are both in DIR with this seed and scale */
static void write_estate(void)
{
	static const char *const PAIR[2] = {"sj12315", "sw12312"};
	struct side {
		int pair;
		char id[48], phone[16], at[20];
	} *sd[2] = {NULL, NULL};
	size_t nsd[2] = {0, 0};
	char path[4096], line[256], want[128];
	FILE *f;
	bool first = true;

	snprintf(want, sizeof(want), "#seed %llu scale %llu", (unsigned long long)g_seed, (unsigned long long)g_scale);
	for (int k = 0; k < 2; k++) {
		char dir[4096];

		path_join(dir, sizeof(dir), g_out, PAIR[k]);
		path_join(path, sizeof(path), dir, "cross.tsv");
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(line, sizeof(line), f) || strncmp(line, want, strlen(want))) {
			fclose(f);
			continue;
		}
		sd[k] = em_xcalloc(g_ncross + 1, sizeof(*sd[k]));
		while (fgets(line, sizeof(line), f) && nsd[k] < g_ncross) {
			struct side *x = &sd[k][nsd[k]];

			if (sscanf(line, "%d\t%47[^\t]\t%15[^\t]\t%19[^\n]", &x->pair, x->id, x->phone, x->at) == 4)
				nsd[k]++;
		}
		fclose(f);
	}
	path_join(path, sizeof(path), g_out, "estate.json");
	f = fopen(path, "w");
	if (!f)
		em_die("cannot create '%s': %s", path, strerror(errno));
	fprintf(f, "{\"seed\":%llu,\"scale\":%llu,\"systems\":[", (unsigned long long)g_seed,
		(unsigned long long)g_scale);
	for (size_t i = 0; i < EM_ARRLEN(SYSTEMS); i++) {
		struct stat st;
		char dir[4096];

		path_join(dir, sizeof(dir), g_out, SYSTEMS[i].code);
		path_join(path, sizeof(path), dir, "expected.json");
		if (stat(path, &st))
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ",", SYSTEMS[i].code);
		first = false;
	}
	fputs("],\n \"cross_system\":[", f);
	first = true;
	for (size_t i = 0; i < nsd[0]; i++)
		for (size_t j = 0; j < nsd[1]; j++) {
			if (sd[0][i].pair != sd[1][j].pair)
				continue;
			fprintf(f, "%s\n  {\"pair\":%d,\"caller_phone\":\"%s\",\"received_at\":\"%s\",\"records\":["
				   "{\"system\":\"%s\",\"legacy_id\":\"%s\"},{\"system\":\"%s\",\"legacy_id\":\"%s\"}]}",
				first ? "" : ",", sd[0][i].pair, sd[0][i].phone, sd[0][i].at, PAIR[0], sd[0][i].id, PAIR[1],
				sd[1][j].id);
			first = false;
		}
	fputs("]}\n", f);
	if (fclose(f))
		em_die("cannot write estate.json");
	free(sd[0]);
	free(sd[1]);
}

static void usage(FILE *f)
{
	fputs("usage: gen-estate --system CODE|all --scale N [--seed S] --out DIR [--playbook-dir DIR]\n"
	      "  CODE: zr12336 mz12349 sw12312 gjj12329 yj12350 fl12338 gh12351 tw12355 ny12316 sj12315\n"
	      "        rs12333 jt12328 sf12348 wj12320 hb12369 ss12366 jr12378 rh12363 qx12121 yc12313\n"
	      "        yz12305 dl95598 tx12300 (cg12319: gen12319)\n"
	      "  N: work-order rows per system (50 ... 10000000); S: default 12345\n"
	      "  env: PGHOST/PGPORT/PGUSER (PostgreSQL systems), MYSQL_UNIX_PORT/MIGRATE_MYSQL_USER/\n"
	      "  MIGRATE_MYSQL_PASSWORD (MariaDB systems), <CODE>_DATABASE (default legacy_<code>)\n",
	      f);
}

static uint64_t parse_u64(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!*s || *s == '-')
		em_die("%s: not a number: %s", opt, s);
	v = strtoull(s, &end, 10);
	if (errno || *end)
		em_die("%s: not a number: %s", opt, s);
	return (uint64_t)v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"system", required_argument, NULL, 'y'}, {"scale", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},   {"out", required_argument, NULL, 'o'},
		{"playbook-dir", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *sys = NULL;
	bool have_scale = false, found = false;
	struct timespec t0, t1;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y': sys = optarg; break;
		case 'n': g_scale = parse_u64("--scale", optarg); have_scale = true; break;
		case 's': g_seed = parse_u64("--seed", optarg); break;
		case 'o': g_out = optarg; break;
		case 'p': g_pbdir = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !sys || !have_scale || !g_out) {
		usage(stderr);
		return 2;
	}
	if (g_scale < 50 || g_scale > 10000000)
		em_die("--scale must be between 50 and 10000000");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	em_enc_init();
	em_mkdir_p(g_out);
	{
		/* absolute: zip runs in another directory */
		char *abs = realpath(g_out, NULL);

		if (!abs)
			em_die("cannot resolve '%s': %s", g_out, strerror(errno));
		g_out = abs;
	}
	g_ncross = em_cross_make(g_seed, g_scale, &g_cross);
	for (size_t i = 0; i < EM_ARRLEN(SYSTEMS); i++) {
		char dir[4096];

		if (strcmp(sys, "all") && strcmp(sys, SYSTEMS[i].code))
			continue;
		found = true;
		if (!SYSTEMS[i].gen) {
			if (strcmp(sys, "all"))
				em_die("system '%s' is not in this build of %s", sys, em_prog);
			continue;
		}
		path_join(dir, sizeof(dir), g_out, SYSTEMS[i].code);
		SYSTEMS[i].gen(dir);
	}
	if (!found)
		em_die("unknown system '%s' (see --help for the codes, or all)", sys);
	write_estate();
	free(g_cross);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s: seed=%llu scale=%llu out=%s %.2fs\n", em_prog, (unsigned long long)g_seed,
	       (unsigned long long)g_scale, g_out,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free((char *)(uintptr_t)g_out);
	return 0;
}
