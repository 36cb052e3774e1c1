/*
 * tests/gen/estate_qx12121.c -- qx12121 气象服务热线 (嘉峪关市气象局),
 * sub-center: its own system drops one UTF-8 CSV per day into a folder that
 * 12345 takes incrementally by file name (a drop folder). The generator
 * writes the files in two deliveries: drop/ (what is there at the first
 * run) and later/ (the days after the cut, plus one file of an earlier day
 * that arrived late), with a ground truth for each run and one for both:
 *
 *   expected.json,   intended.tsv     the first run (the files in drop/)
 *   expected-2.json, intended-2.tsv   the second run (the files of later/,
 *                                     after they were moved into drop/)
 *   expected-all.json                 the store after both runs
 *   late.txt                          the name of the late file
 *
 * A copy (a call recorded twice) is written into its original's day file,
 * so both are always in the same delivery.
 */
#include "estate_io.h"

static const struct em_catdef QX_CATS[] = {
	{"QX01", NULL, 20, {"咨询明天的天气预报，准备外出。", "咨询未来{N}天的天气情况。", "咨询嘉峪关关城景区周末的天气。"}},
	{"QX02", NULL, 8, {"咨询大风蓝色预警的影响范围。", "沙尘暴预警发布后，咨询防范措施。", "咨询寒潮预警的持续时间。"}},
	{"QX03", NULL, 3, {"{R}附近有人燃放人工增雨炮弹，噪音很大。", "咨询人工增雪作业的时间安排。", NULL}},
	{"QX04", NULL, 4, {"{K}的防雷装置多年没有检测。", "咨询防雷装置检测的收费标准。", NULL}},
	{"QX05", NULL, 3, {"办理保险理赔需要气象证明，咨询如何开具。", "咨询{N}月份某日的历史天气资料。", NULL}},
	{"QX06", NULL, 2, {"{R}附近有人违规施放系留气球。", NULL, NULL}},
	{"QX07", NULL, 3, {"天气预报说没有雨，结果下了大雨，要求改进预报。", "反映手机没有收到预警短信。", NULL}},
};
static const struct em_unmapped QX_UNMAPPED[] = {{"QX99", "其他", NULL}, {"QX00", "未分类", NULL}};
static const char *const QX_UNITS[] = {
	"市气象局", "嘉峪关市气象局", "气象局", "市气象台", "市气象服务中心", "市防雷中心", "市人工影响天气办公室",
};
static const char *const QX_RTYPES[] = {"咨询", "投诉", "建议", "举报", "表扬", "其他"};
static const int QX_RTYPE_W[] = {750, 80, 80, 30, 30, 30};
static const char *const QX_FILLERS[] = {
	"来电人计划近期出行。", "来电人是种植户，关心对农作物的影响。", "来电人询问预警信息的获取方式。",
};
static const char *const QX_RESULTS[] = {
	"已告知来电人最新天气预报。", "已告知来电人预警信息和防范措施。", "已转市防雷中心处理。",
	"已告知来电人气象证明的办理流程。", "已将意见反馈市气象台。",
};
static const char *const QX_SATIS[] = {"满意", "不满意"};
static const int QX_SATIS_W[] = {880, 120};

static void qx_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "QX%04d%02d%02d-%03d", tm.y, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc QX12121 = {
	.code = "qx12121", .hotline = "12121", .dept = "气象部门",
	.y0 = 2024, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = QX_CATS, .ncats = EM_ARRLEN(QX_CATS),
	.unmapped = QX_UNMAPPED, .nunmapped = EM_ARRLEN(QX_UNMAPPED),
	.units = QX_UNITS, .nunits = EM_ARRLEN(QX_UNITS),
	.rtypes = QX_RTYPES, .rtype_w = QX_RTYPE_W, .nrtypes = EM_ARRLEN(QX_RTYPES),
	.fillers = QX_FILLERS, .nfillers = EM_ARRLEN(QX_FILLERS),
	.results = QX_RESULTS, .nresults = EM_ARRLEN(QX_RESULTS),
	.status = {"SL", "PD", "BL", "HF", "BJ", "GD", "WX"},
	.satis = QX_SATIS, .satis_w = QX_SATIS_W, .nsatis = EM_ARRLEN(QX_SATIS), .ppm_no_satis = 300000,
	.satis_none = "",
	.fault_ppm = {[EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000,
	.phones = {{[EM_PH_PLAIN] = 650, [EM_PH_FULLWIDTH] = 30, [EM_PH_FORMATTED] = 60, [EM_PH_LAND_DASH] = 120,
		    [EM_PH_LOCAL] = 80, [EM_PH_NULL] = 40, [EM_PH_WORD] = 20}},
	.ids = {{[EM_ID_NULL] = 1000}},
	.omit = (1u << EF_TITLE) | (1u << EF_CONTACT),
	.null_is_empty = true,
	.make_id = qx_id,
};

/* the day files open at once: a copy follows its original within a few
 * rows, so its day is one of the last few */
#define QX_OPEN 16

struct dayfile {
	int64_t day;    /* -1: free */
	int phase;      /* 1: drop/, 2: later/ */
	FILE *f;
	char path[4096];
	uint64_t last;  /* slot of the last row written, for closing the oldest */
};

static void day_close(struct dayfile *df)
{
	if (df->day < 0)
		return;
	if (fclose(df->f))
		em_die("cannot write '%s'", df->path);
	set_mtime(df->path); /* settled long ago */
	df->day = -1;
}

static struct dayfile *day_get(struct dayfile *open, int64_t day, bool make, int phase, const char *dir,
			       uint64_t slot)
{
	struct dayfile *old = NULL;
	int y, m, d;
	char name[64], sub[4096];

	for (int i = 0; i < QX_OPEN; i++)
		if (open[i].day == day)
			return &open[i];
	if (!make)
		em_die("internal: qx12121: a copy's day file is already closed");
	for (int i = 0; i < QX_OPEN && !old; i++) /* a free one */
		if (open[i].day < 0)
			old = &open[i];
	if (!old) /* else the least recently written */
		for (int i = 0; i < QX_OPEN; i++)
			if (!old || open[i].last < old->last)
				old = &open[i];
	day_close(old);
	em_civil(day, &y, &m, &d);
	snprintf(name, sizeof(name), "12121_%04d%02d%02d.csv", y % 10000, m % 100, d % 100);
	path_join(sub, sizeof(sub), dir, phase == 1 ? "drop" : "later");
	path_join(old->path, sizeof(old->path), sub, name);
	old->f = fopen(old->path, "wb");
	if (!old->f)
		em_die("cannot create '%s': %s", old->path, strerror(errno));
	fputs("gdbh,ldsj,xm,ldhm,dz,nr,sqlx,wtlb,lbmc,blzt,cbdw,bjsj,dfjg,myd\r\n", old->f);
	old->day = day;
	old->phase = phase;
	return old;
}

/* account a record into truth t (the model keeps its truth in s) */
static void account(struct em_sys *s, struct em_truth *t, const struct em_order *o, const struct em_fx *fx)
{
	struct em_truth keep = s->truth;

	s->truth = *t;
	em_account(s, o, fx);
	*t = s->truth;
	s->truth = keep;
}

static void write_truth(struct em_sys *s, struct em_truth *t, const char *dir, const char *name)
{
	struct em_truth keep = s->truth;
	char path[4096];

	if (t->tables[0].tsv && fclose(t->tables[0].tsv))
		em_die("cannot write the intended text of qx12121");
	t->tables[0].tsv = NULL;
	s->truth = *t;
	path_join(path, sizeof(path), dir, name);
	em_truth_write(s, path);
	*t = s->truth;
	s->truth = keep;
}

static void truth_free(struct em_truth *t)
{
	struct em_kv *kv[] = {&t->categories, &t->statuses, &t->months, &t->dialled, &t->units, &t->checks,
			      &t->tables[0].rejected, &t->tables[0].fixes};

	for (size_t i = 0; i < EM_ARRLEN(kv); i++)
		em_kv_free(kv[i]);
}

static void stamp(char *out, size_t cap, int64_t t)
{
	struct em_tm tm;

	em_tm(t, &tm);
	snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", tm.y, tm.mo, tm.d, tm.h, tm.mi, tm.s);
}

void gen_qx12121(const char *dir)
{
	static struct em_sys s;
	static struct em_truth t2, all;
	struct dayfile open[QX_OPEN];
	struct em_buf line = {0}, b = {0};
	char sub[4096], t1[64];
	int64_t late_day = -1, cut_day = -1, cur_day = -1;
	FILE *lf;

	sys_begin(&s, &QX12121, dir, "12121_*.csv");
	t2.d = all.d = s.truth.d;
	t2.seed = all.seed = s.truth.seed;
	t2.scale = all.scale = s.truth.scale;
	em_table_add(&t2, "12121_*.csv", "work_order", dir, "intended-2.tsv");
	em_table_add(&all, "12121_*.csv", "work_order", NULL, NULL);
	path_join(sub, sizeof(sub), dir, "drop");
	em_mkdir_p(sub);
	path_join(sub, sizeof(sub), dir, "later");
	em_mkdir_p(sub);
	for (int i = 0; i < QX_OPEN; i++)
		open[i].day = -1;
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		int64_t day = o->t / 86400;
		struct dayfile *df;
		struct em_fx fx;
		int phase;

		if (!o->dup && day != cur_day) {
			cur_day = day;
			/* the first new day after the middle arrives late; the days
			 * from 90 % on come with the second delivery */
			if (late_day < 0 && slot >= g_scale / 2)
				late_day = day;
			if (cut_day < 0 && slot >= g_scale - g_scale / 10 && day != late_day)
				cut_day = day;
		}
		phase = day == late_day || (cut_day >= 0 && day >= cut_day) ? 2 : 1;
		df = day_get(open, day, !o->dup, phase, dir, slot);
		df->last = slot;
		phase = df->phase;

		line.len = 0;
		csv_field(&line, o->legacy_id, strlen(o->legacy_id), true);
		if (o->fault == EM_F_INVALID_DATE)
			fmt_invalid(o, t1);
		else
			stamp(t1, sizeof(t1), o->t);
		csv_field(&line, t1, strlen(t1), false);
		csv_field(&line, o->f[EF_NAME].s, o->f[EF_NAME].null ? 0 : o->f[EF_NAME].len, false);
		csv_field(&line, o->phone[0].raw.s, o->phone[0].raw.null ? 0 : o->phone[0].raw.len, false);
		csv_field(&line, o->f[EF_ADDR].s, o->f[EF_ADDR].null ? 0 : o->f[EF_ADDR].len, false);
		if (o->fault == EM_F_UNDECODABLE) { /* GBK bytes pasted into the UTF-8 text */
			const struct em_text *c = &o->f[EF_CONTENT];

			b.len = 0;
			em_buf_add(&b, c->s, o->bad_cut);
			em_buf_adds(&b, em_bad_gbk[o->bad_kind]);
			em_buf_add(&b, c->s + o->bad_cut, c->len - o->bad_cut);
			csv_field(&line, b.p, b.len, false);
		} else {
			csv_field(&line, o->f[EF_CONTENT].s, o->f[EF_CONTENT].len, false);
		}
		csv_field(&line, o->f[EF_RTYPE].s, o->f[EF_RTYPE].len, false);
		csv_field(&line, o->cat_code, strlen(o->cat_code), false);
		{
			const char *cn = em_cat_name(&s, o);

			csv_field(&line, cn, strlen(cn), false);
		}
		csv_field(&line, QX12121.status[o->stage], strlen(QX12121.status[o->stage]), false);
		csv_field(&line, o->f[EF_UNIT].s, o->f[EF_UNIT].null ? 0 : o->f[EF_UNIT].len, false);
		if (o->t_closed)
			stamp(t1, sizeof(t1), o->t_closed);
		else
			t1[0] = 0;
		csv_field(&line, t1, strlen(t1), false);
		csv_field(&line, o->f[EF_REPLY].s, o->f[EF_REPLY].null ? 0 : o->f[EF_REPLY].len, false);
		if (o->satis >= 0)
			csv_field(&line, QX_SATIS[o->satis], strlen(QX_SATIS[o->satis]), false);
		else
			csv_field(&line, "", 0, false);
		em_buf_adds(&line, "\r\n");
		fwrite(line.p, 1, line.len, df->f);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (!o->t_closed)
			fx_blank_date(&fx);
		em_fx_phone(&fx, &o->phone[0], true);
		if (o->cat < 0)
			em_fx_fix(&fx, "unmapped_category");
		if (phase == 1)
			em_account(&s, o, &fx);
		else
			account(&s, &t2, o, &fx);
		account(&s, &all, o, &fx);
	}
	for (int i = 0; i < QX_OPEN; i++)
		day_close(&open[i]);
	if (late_day < 0 || cut_day < 0)
		em_die("qx12121: --scale %llu is too small for two deliveries and a late file",
		       (unsigned long long)g_scale);
	{
		int y, m, d;

		em_civil(late_day, &y, &m, &d);
		lf = em_fopen(dir, "late.txt", "w");
		fprintf(lf, "12121_%04d%02d%02d.csv\n", y, m, d);
		if (fclose(lf))
			em_die("cannot write late.txt");
	}
	write_truth(&s, &t2, dir, "expected-2.json");
	write_truth(&s, &all, dir, "expected-all.json");
	truth_free(&t2);
	truth_free(&all);
	em_buf_free(&line);
	em_buf_free(&b);
	sys_end(&s, dir);
}
