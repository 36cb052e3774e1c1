/*
 * tests/gen/estate_dl95598.c -- 95598 供电服务热线 of gen-estate: the power
 * company keeps its own system (a sub-center) on PostgreSQL (UTF8), with a
 * high call volume: work orders (gd_gdxx) and the call-centre's call detail
 * records (kf_hjjl, CDR) with recording file references, two tables of one
 * playbook. The CDR comes from the switch: times as YYYYMMDDHHMMSS text,
 * all zeros for a call nobody answered, durations as text in three shapes
 * (and 2 % the report could not show), recording paths on a Windows share
 * (backslashes), calls that created no work order or belong to one (gdbh),
 * batches the switch sent twice. See docs/estate/dl95598.md.
 */
#include "estate_io.h"

static const struct em_catdef DL_CATS[] = {
	{"GZBX", NULL, 16, {"{K}停电了，已经停了{N}个小时还没来电。", "{R}的路灯线路打火，存在安全隐患。", NULL}},
	{"DFDJ", NULL, 10, {"这个月电费比平时多了{M}元，怀疑电表有问题。", "咨询阶梯电价的计费标准。", NULL}},
	{"YKBZ", NULL, 5, {"新装电表申请已经提交{N}天了还没有人来装。", "{C}申请增容，迟迟不给答复。", NULL}},
	{"DNB", NULL, 5, {"电表走字太快，申请校验。", "{K}的电表箱门坏了，没人维修。", NULL}},
	{"FWTS", NULL, 4, {"抢修人员态度不好，让来电人自己想办法。", "营业厅工作人员推诿，不给办理过户。", NULL}},
	{"TDTZ", NULL, 4, {"{K}计划停电没有提前通知。", "咨询{R}一带的停电时间。", NULL}},
	{"DLZX", NULL, 3, {"咨询电动汽车充电桩报装的流程。", NULL, NULL}},
};
static const struct em_unmapped DL_UNMAPPED[] = {{"QT", "其他", NULL}, {"YX09", "营销（旧）", NULL}};
static const char *const DL_UNITS[] = {
	"国网嘉峪关供电公司", "嘉峪关供电公司", "供电公司", "国网嘉峪关供电公司配电运检室", "雄关供电所",
	"钢城供电所", "文殊供电所", "国网嘉峪关供电公司营销部",
};
static const char *const DL_COMPANIES[] = {"某房地产公司", "某商贸公司", "某物业公司"};
static const char *const DL_FILLERS[] = {"来电人家中有老人需要用电。", "来电人要求尽快派人抢修。",
					 "来电人称周围几栋楼都停电了。"};
static const char *const DL_RESULTS[] = {
	"抢修人员已到达现场，更换熔断器后恢复送电。", "已为客户校验电表，电表运行正常。", "已向客户解释阶梯电价政策。",
	"已安排人员上门装表接电。", "已对相关人员进行批评教育。",
};
static const char *const DL_RTYPES[] = {"求助", "咨询", "投诉", "建议", "表扬", "举报"};
static const int DL_RTYPE_W[] = {450, 300, 150, 50, 30, 20};
static const char *const DL_SATIS[] = {"01", "02", "03", "04", "05"};
static const int DL_SATIS_W[] = {400, 350, 150, 70, 30};

static void dl_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "%02d%02d%02d0937%06d", tm.y % 100, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc DL95598 = {
	.code = "dl95598", .hotline = "95598", .dept = "供电企业",
	.y0 = 2018, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = DL_CATS, .ncats = EM_ARRLEN(DL_CATS), .unmapped = DL_UNMAPPED, .nunmapped = EM_ARRLEN(DL_UNMAPPED),
	.units = DL_UNITS, .nunits = EM_ARRLEN(DL_UNITS),
	.rtypes = DL_RTYPES, .rtype_w = DL_RTYPE_W, .nrtypes = EM_ARRLEN(DL_RTYPES),
	.fillers = DL_FILLERS, .nfillers = EM_ARRLEN(DL_FILLERS),
	.results = DL_RESULTS, .nresults = EM_ARRLEN(DL_RESULTS),
	.companies = DL_COMPANIES, .ncompanies = EM_ARRLEN(DL_COMPANIES),
	.status = {"1", "2", "3", "4", "5", "6", "9"},
	.satis = DL_SATIS, .satis_w = DL_SATIS_W, .nsatis = EM_ARRLEN(DL_SATIS), .ppm_no_satis = 150000,
	.fault_ppm = {[EM_F_MISSING_ID] = 2000},
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 2000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 600, [EM_PH_FULLWIDTH] = 60, [EM_PH_FORMATTED] = 80, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LAND_NODASH] = 80, [EM_PH_LOCAL] = 50, [EM_PH_NULL] = 20, [EM_PH_WORD] = 10}},
	.ids = {{[EM_ID_NULL] = 500, [EM_ID_PLAIN] = 400, [EM_ID_FULLWIDTH] = 40, [EM_ID_BADCHECK] = 40,
		 [EM_ID_OLD15] = 20}},
	.make_id = dl_id,
};

static void copy_text(struct pgcopy *cp, const struct em_text *t)
{
	copy_field(cp, t->s, t->len, t->null);
}

/* ---- the call detail records ---- */
struct dl_calls {
	struct pgcopy cp;
	struct em_table *t;
	struct em_rng rng;
	uint64_t id, seq;
	uint64_t no_order, abandoned, lost_end, backslash, minsec, long_calls, bad_duration;
};

static const char *const DL_QUEUES[] = {"故障报修", "电费咨询", "投诉建议", "业扩报装"};

static void sw_time(char out[16], int64_t t)
{
	struct em_tm tm;

	em_tm(t, &tm);
	snprintf(out, 16, "%04d%02d%02d%02d%02d%02d", tm.y, tm.mo, tm.d, tm.h, tm.mi, tm.s);
}

/* one call: order NULL for a call that created no work order */
static void dl_call(struct dl_calls *k, const struct em_order *o, int64_t start, bool answered, char id[40])
{
	struct em_rng *r = &k->rng;
	struct em_phone ph;
	struct em_tm tm;
	char hjlsh[40], ks[16], yd[16], js[16], dur[32], secs_text[16], agent[16], rec[160], iso[3][20];
	const char *queue, *dialled = em_below(r, 100) < 5 ? "12345" : "95598";
	int64_t ans = start + em_range(r, 3, 45), end;
	uint32_t var = (uint32_t)em_below(r, 1000000);
	bool lost_end = em_chance(r, 5000), copy = em_chance(r, 10000);
	/* 0.5 % of answered calls last an hour or more (1时2分5秒, 01:02:05);
	 * 2 % of talk times the switch's report could not show: '--', or
	 * minutes and seconds as 2'05" */
	bool long_call = answered && em_chance(r, 5000), bad_dur = em_chance(r, 20000);
	const char *order = o && o->legacy_id[0] ? o->legacy_id : NULL;
	int secs;

	if (o && o->phone[0].kind == EM_PH_PLAIN) {
		em_phone_copy(&ph, &o->phone[0]);
	} else {
		uint32_t u = em_below(r, 1000);
		enum em_phone_kind kind = u < 650 ? EM_PH_PLAIN : u < 850 ? EM_PH_LAND_NODASH : u < 930 ? EM_PH_LOCAL
					  : u < 970 ? EM_PH_NULL : EM_PH_WORD;

		em_gen_phone(r, &ph, kind);
		if (kind == EM_PH_WORD) /* the switch: a withheld number */
			em_t_set(&ph.raw, "anonymous");
	}
	end = answered ? ans + (long_call ? em_range(r, 3600, 7200) : em_range(r, 20, 900)) : start + em_range(r, 5, 60);
	secs = answered ? (int)(end - ans) : 0;
	queue = o ? (o->cat >= 0 && !strcmp(o->cat_code, "GZBX") ? DL_QUEUES[0]
		     : o->cat >= 0 && !strcmp(o->cat_code, "DFDJ") ? DL_QUEUES[1]
		     : o->cat >= 0 && !strcmp(o->cat_code, "YKBZ") ? DL_QUEUES[3] : DL_QUEUES[2])
		  : EM_PICK(r, DL_QUEUES);
	em_tm(start, &tm);
	snprintf(hjlsh, sizeof(hjlsh), "%04d%02d%02d%02d%02d%02d%07llu", tm.y, tm.mo, tm.d, tm.h, tm.mi, tm.s,
		 (unsigned long long)++k->seq);
	sw_time(ks, start);
	if (answered)
		sw_time(yd, ans);
	else
		memcpy(yd, "00000000000000", 15);
	sw_time(js, end);
	/* the duration (talk time) as the switch's report shows it */
	switch (var % 10) {
	case 0: case 1: case 2: case 3: case 4:
		snprintf(dur, sizeof(dur), "%d", secs);
		break;
	case 5: case 6: case 7:
		if (secs >= 3600)
			snprintf(dur, sizeof(dur), "%d时%d分%d秒", secs / 3600, secs / 60 % 60, secs % 60);
		else
			snprintf(dur, sizeof(dur), "%d分%d秒", secs / 60, secs % 60);
		break;
	default:
		snprintf(dur, sizeof(dur), "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
		break;
	}
	if (bad_dur) {
		if (var / 1200 % 2)
			snprintf(dur, sizeof(dur), "--");
		else
			snprintf(dur, sizeof(dur), "%d'%02d\"", secs / 60, secs % 60);
	}
	snprintf(secs_text, sizeof(secs_text), "%d", secs);
	snprintf(agent, sizeof(agent), "GH%04u", (unsigned)(var / 10 % 120) + 1);
	if (tm.y < 2023) /* the old recorder wrote to a Windows share */
		snprintf(rec, sizeof(rec), var / 10 % 3 ? "\\\\10.62.1.20\\luyin\\%04d\\%02d\\%02d\\%s.wav"
							: "D:\\Record\\%04d%02d%02d\\%s.wav", tm.y, tm.mo, tm.d, hjlsh);
	else
		snprintf(rec, sizeof(rec), "/data/record/%04d/%02d/%02d/%s.wav", tm.y, tm.mo, tm.d, hjlsh);
	if (id)
		memcpy(id, hjlsh, sizeof(hjlsh));
	em_fmt_iso(start, iso[0]);
	em_fmt_iso(ans, iso[1]);
	em_fmt_iso(end, iso[2]);

	for (int n = 0; n <= (int)copy; n++) {
		struct em_fx fx;

		copy_u64(&k->cp, ++k->id);
		copy_str(&k->cp, hjlsh);
		copy_text(&k->cp, &ph.raw);
		copy_str(&k->cp, dialled);
		copy_str(&k->cp, ks);
		copy_str(&k->cp, yd);
		copy_str(&k->cp, lost_end ? "" : js);
		copy_str(&k->cp, dur);
		copy_str(&k->cp, answered ? agent : NULL);
		copy_str(&k->cp, queue);
		copy_str(&k->cp, answered ? rec : NULL);
		copy_str(&k->cp, order);
		copy_row_end(&k->cp);

		em_fx_init(&fx);
		if (!answered)
			em_fx_fix(&fx, "zero_date");
		if (lost_end)
			em_fx_fix(&fx, "invalid_date_null");
		if (bad_dur) /* duration_seconds: {type: duration, invalid: null} */
			em_fx_fix(&fx, "invalid_duration_null");
		em_fx_phone(&fx, &ph, false);
		if (!em_account_row(k->t, &fx, n > 0))
			continue;
		k->no_order += !order;
		k->abandoned += !answered;
		k->lost_end += lost_end;
		k->backslash += answered && strchr(rec, '\\') != NULL;
		k->minsec += strstr(dur, "分") != NULL;
		k->long_calls += secs >= 3600 && !bad_dur; /* readable ones */
		k->bad_duration += bad_dur;
		em_tsv(k->t, hjlsh, "call_start", iso[0], 19, false);
		em_tsv(k->t, hjlsh, "answered_at", iso[1], 19, !answered);
		em_tsv(k->t, hjlsh, "ended_at", iso[2], 19, lost_end);
		if (ph.recognised)
			em_tsv(k->t, hjlsh, "caller_phone", ph.norm, strlen(ph.norm), false);
		else
			em_tsv(k->t, hjlsh, "caller_phone", ph.raw.s, ph.raw.len, ph.raw.null);
		em_tsv(k->t, hjlsh, "dialled_number", dialled, strlen(dialled), false);
		em_tsv(k->t, hjlsh, "agent", agent, strlen(agent), !answered);
		em_tsv(k->t, hjlsh, "queue", queue, strlen(queue), false);
		em_tsv(k->t, hjlsh, "recording_ref", rec, strlen(rec), !answered);
		em_tsv(k->t, hjlsh, "duration_seconds", secs_text, strlen(secs_text), bad_dur);
		em_tsv(k->t, hjlsh, "order_legacy_id", order ? order : "", order ? strlen(order) : 0, !order);
	}
}

void gen_dl95598(const char *dir)
{
	static struct em_sys s;
	struct pgcopy cp = {0};
	struct dl_calls k = {0};
	char db[80];
	PGconn *c, *c2;

	sys_begin(&s, &DL95598, dir, "gd_gdxx");
	k.t = em_table_add(&s.truth, "kf_hjjl", "call_record", dir, "intended_calls.tsv");
	em_rng_seed(&k.rng, g_seed, "dl95598/calls");
	db_name("dl95598", db, sizeof(db));
	c = pg_recreate(db, "UTF8");
	pg_exec(c, "CREATE TABLE gd_gdxx (             -- 工单信息\n"
		   "  id bigint PRIMARY KEY,\n"
		   "  gdbh varchar(24) NOT NULL,          -- 工单编号: YYMMDD0937 + 6 digits ('' when lost)\n"
		   "  hjlsh varchar(32),                  -- 呼叫流水号 of the call that created it\n"
		   "  slsj timestamp(0), khmc varchar(40), lxdh varchar(64), bydh varchar(64), zjhm varchar(64),\n"
		   "  yddz varchar(200), bt varchar(200), slnr text,\n"
		   "  ywlx varchar(8), ywlxmc varchar(50), sqlx varchar(8), gdzt varchar(2), cldw varchar(100),\n"
		   "  bjsj timestamp(0), hfnr text, myd varchar(2), gxsj timestamp(0) NOT NULL)");
	pg_exec(c, "CREATE TABLE kf_hjjl (             -- 客服呼叫记录 (CDR, from the switch)\n"
		   "  id bigint PRIMARY KEY,\n"
		   "  hjlsh varchar(32) NOT NULL,         -- 呼叫流水号\n"
		   "  zjhm varchar(32),                   -- 主叫号码\n"
		   "  bjhm varchar(16),                   -- 被叫号码\n"
		   "  kssj char(14), ydsj char(14), jssj varchar(14), -- YYYYMMDDHHMMSS; ydsj zeros: not answered\n"
		   "  thsc varchar(16),                   -- 通话时长, as the report shows it\n"
		   "  zxgh varchar(8), dlmc varchar(20),  -- 坐席工号, 队列\n"
		   "  lyjl varchar(160),                  -- 录音文件\n"
		   "  gdbh varchar(24))                   -- 工单编号 (NULL: no work order)");
	pg_exec(c, "BEGIN");
	c2 = pg_open(db, "UTF8");
	pg_exec(c2, "BEGIN");
	copy_begin(&cp, c, "COPY gd_gdxx FROM STDIN");
	copy_begin(&k.cp, c2, "COPY kf_hjjl FROM STDIN");
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		char hj[40] = "";
		bool phoned = !o->dup && o->var % 10 != 0; /* 10 %: 网上国网 app, no call */

		if (phoned)
			dl_call(&k, o, o->t - em_range(&k.rng, 30, 240), true, hj);
		if (!o->dup) {
			/* calls that created no work order: hang-ups, answered questions */
			int n = em_below(&k.rng, 100) < 60 ? 1 : 0;

			for (int i = 0; i < n; i++)
				dl_call(&k, NULL, o->t + em_range(&k.rng, 60, 7200), em_below(&k.rng, 100) >= 22, NULL);
		}
		copy_u64(&cp, slot + 1);
		copy_str(&cp, o->legacy_id);
		copy_str(&cp, phoned ? hj : NULL);
		copy_time(&cp, o->t, false);
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
		copy_str(&cp, DL95598.status[o->stage]);
		copy_text(&cp, &o->f[EF_UNIT]);
		copy_time(&cp, o->t_closed, o->t_closed == 0);
		copy_text(&cp, &o->f[EF_REPLY]);
		copy_str(&cp, o->satis >= 0 ? DL_SATIS[o->satis] : NULL);
		copy_time(&cp, o->t_updated, false);
		copy_row_end(&cp);

		em_fx_init(&fx);
		if (o->fault == EM_F_MISSING_ID)
			em_fx_reject(&fx, "transform.missing_legacy_id");
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
	}
	copy_end(&cp);
	copy_end(&k.cp);
	pg_exec(c, "COMMIT");
	pg_exec(c2, "COMMIT");
	em_check(&s.truth, "calls_without_order", k.no_order);
	em_check(&s.truth, "calls_abandoned", k.abandoned);
	em_check(&s.truth, "calls_lost_end", k.lost_end);
	em_check(&s.truth, "recording_backslash", k.backslash);
	em_check(&s.truth, "duration_min_sec", k.minsec);
	em_check(&s.truth, "calls_long", k.long_calls);
	em_check(&s.truth, "duration_invalid", k.bad_duration);
	{
		char *n1 = pg_value(c, "SELECT count(*) FROM gd_gdxx"), *n2 = pg_value(c, "SELECT count(*) FROM kf_hjjl");

		if (strtoull(n1, NULL, 10) != g_scale || strtoull(n2, NULL, 10) != k.t->rows)
			em_die("dl95598: stored %s work orders and %s calls, meant %llu and %llu", n1, n2,
			       (unsigned long long)g_scale, (unsigned long long)k.t->rows);
		free(n1);
		free(n2);
	}
	PQfinish(c2);
	PQfinish(c);
	em_buf_free(&cp.b);
	em_buf_free(&k.cp.b);
	sys_end(&s, dir);
}
