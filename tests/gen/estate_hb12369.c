/*
 * tests/gen/estate_hb12369.c -- gen-estate: hb12369 环保举报热线 (市生态环境局,
 * dual mode): monthly CSV exports in GB2312 (EUC-CN) in one tar.gz whose
 * member names are GB2312 bytes (GNU tar on a Chinese system stores names
 * as they are). The number 12369 was retired in mid-2024; every record keeps
 * the number that was dialled, from the export's 受理号码 column
 * (docs/estate/hb12369.md).
 *
 * A genuine GB2312 export cannot hold characters outside GB2312 (traditional
 * shop names, the rare given-name characters of the shared model): the
 * operators typed a simplified or homophone character instead. The intended
 * text is changed the same way before it is written and accounted, so the
 * ground truth is what the export holds; a character the table below does
 * not know stops the generator.
 */
#include <iconv.h>

#include "estate_io.h"

static const struct em_catdef HB_CATS[] = {
	{"HB01", NULL, 14, {"{R}附近的{C}烟囱冒黑烟，气味刺鼻。", "{K}旁边的烧烤摊油烟很大，影响居民生活。", "{R}的工地扬尘严重，没有洒水降尘。"}},
	{"HB02", NULL, 8, {"{C}往{R}边的水沟里偷排废水，水是黑色的。", "讨赖河边有人倾倒污水，河水发臭。", NULL}},
	{"HB03", NULL, 10, {"{K}附近的{S}晚上{H}点以后还在营业，噪声很大。", "{R}的工地夜间施工，噪声扰民。", NULL}},
	{"HB04", NULL, 5, {"{R}附近有人随意倾倒建筑垃圾和工业废渣。", "{C}的危险废物露天堆放。", NULL}},
	{"HB05", NULL, 3, {"{K}楼顶新装的通信基站辐射是否超标？", NULL, NULL}},
	{"HB06", NULL, 4, {"{C}在{R}附近新建项目，没有做环境影响评价。", "咨询建设项目环评审批的流程。", NULL}},
	{"HB07", NULL, 3, {"{R}附近有人焚烧秸秆和垃圾，烟很大。", NULL, NULL}},
	{"HB08", NULL, 2, {"咨询排污许可证的办理条件。", "咨询机动车尾气检测的相关规定。", NULL}},
	/* the same categories for the calls that came in on 12345 */
	{"HB01", "12345", 14, {"{R}附近的{C}烟囱冒黑烟，气味刺鼻。", "{R}的工地扬尘严重，没有洒水降尘。", NULL}},
	{"HB02", "12345", 6, {"{C}往{R}边的水沟里偷排废水，水是黑色的。", NULL, NULL}},
	{"HB03", "12345", 12, {"{K}附近的{S}晚上{H}点以后还在营业，噪声很大。", "{R}的工地夜间施工，噪声扰民。", NULL}},
	{"HB04", "12345", 4, {"{R}附近有人随意倾倒建筑垃圾和工业废渣。", NULL, NULL}},
	{"HB07", "12345", 3, {"{R}附近有人焚烧秸秆和垃圾，烟很大。", NULL, NULL}},
};
static const struct em_unmapped HB_UNMAPPED[] = {{"HB00", "其他", NULL}, {"HB99", "其他环境问题", NULL}, {"ZH", "综合", NULL}};
static const char *const HB_UNITS[] = {
	"嘉峪关市生态环境局", "市生态环境局", "生态环境局", "市环保局", "市环境保护局", "市生态环境综合执法支队",
	"市环境监测站", "市城市管理局", "雄关街道办事处", "钢城街道办事处", "文殊镇人民政府", "新城镇人民政府",
};
static const char *const HB_RTYPES[] = {"举报", "投诉", "咨询", "建议", "其他"};
static const int HB_RTYPE_W[] = {500, 250, 170, 50, 30};
static const char *const HB_FILLERS[] = {
	"举报人要求环保部门尽快到现场查处。", "举报人称这种情况已经持续了{N}天。", "举报人已拍摄照片。",
};
static const char *const HB_RESULTS[] = {
	"执法人员已到现场检查，责令企业立即整改。", "经现场监测，排放指标未超标，已向举报人说明。",
	"已对违法企业立案查处，处罚款{M}元。", "已移交城市管理部门处理。", "经核查，举报情况不属实。",
};
static const char *const HB_COMPANIES[] = {"某化工厂", "某洗车场", "某砂石厂", "某热力公司", "某铸造厂", "某养殖场"};
static const char *const HB_SATIS[] = {"非常满意", "满意", "基本满意", "不满意"};
static const int HB_SATIS_W[] = {300, 450, 150, 100};

/* 12369 retired from 2024-07-01 (an assumption: the plan's date is not public) */
#define HB_RETIRED_Y 2024
#define HB_RETIRED_M 7

/* the number dialled: 12369 alone until 2023; from 2023 12345 takes part of
 * the environmental calls; after the retirement most calls come in on
 * 12345 and the rest still on 12369 (forwarded, and kept as dialled) */
static void hb_line(struct em_rng *r, int64_t t, const char **line)
{
	uint32_t u;

	if (t < em_time(2023, 1, 1, 0, 0, 0))
		return;
	u = em_below(r, 100);
	if (t < em_time(HB_RETIRED_Y, HB_RETIRED_M, 1, 0, 0, 0))
		*line = u < 15 ? "12345" : "12369";
	else
		*line = u < 80 ? "12345" : "12369";
}

static void hb_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	if (s->seq_day > 9999)
		em_die("hb12369: too many orders in a day for the order numbers");
	snprintf(out, cap, "HB%04d%02d%02d%04d", tm.y, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc HB12369 = {
	.code = "hb12369", .hotline = "12369", .dept = "生态环境部门",
	.y0 = 2018, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = HB_CATS, .ncats = EM_ARRLEN(HB_CATS),
	.unmapped = HB_UNMAPPED, .nunmapped = EM_ARRLEN(HB_UNMAPPED),
	.units = HB_UNITS, .nunits = EM_ARRLEN(HB_UNITS),
	.rtypes = HB_RTYPES, .rtype_w = HB_RTYPE_W, .nrtypes = EM_ARRLEN(HB_RTYPES),
	.fillers = HB_FILLERS, .nfillers = EM_ARRLEN(HB_FILLERS),
	.results = HB_RESULTS, .nresults = EM_ARRLEN(HB_RESULTS),
	.companies = HB_COMPANIES, .ncompanies = EM_ARRLEN(HB_COMPANIES),
	.status = {"已受理", "已交办", "办理中", "已反馈", "已办结", "已归档", "不予受理"},
	.satis = HB_SATIS, .satis_w = HB_SATIS_W, .nsatis = EM_ARRLEN(HB_SATIS), .ppm_no_satis = 200000,
	.satis_none = "",
	.fault_ppm = {[EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.ppm_dup = 15000, .ppm_unmapped = 20000, .ppm_test = 3000,
	.phones = {{[EM_PH_PLAIN] = 620, [EM_PH_FULLWIDTH] = 80, [EM_PH_FORMATTED] = 60, [EM_PH_LAND_DASH] = 100,
		    [EM_PH_LAND_NODASH] = 40, [EM_PH_LOCAL] = 50, [EM_PH_NULL] = 40, [EM_PH_WORD] = 10}},
	.ids = {{[EM_ID_NULL] = 500, [EM_ID_PLAIN] = 400, [EM_ID_FULLWIDTH] = 40, [EM_ID_BADCHECK] = 40,
		 [EM_ID_OLD15] = 20}},
	.null_is_empty = true,
	.pick_line = hb_line,
	.make_id = hb_id,
};

/* ---- GB2312 only ---- */
static const char *const HB_SUBST[][2] = {
	{"億", "亿"}, {"優", "优"}, {"寧", "宁"}, {"東", "东"}, {"樓", "楼"}, {"燒", "烧"}, {"縷", "缕"},
	{"繡", "绣"}, {"華", "华"}, {"誠", "诚"}, {"貿", "贸"}, {"質", "质"}, {"車", "车"}, {"運", "运"},
	{"達", "达"}, {"遞", "递"}, {"遼", "辽"}, {"錦", "锦"}, {"餃", "饺"}, {"館", "馆"}, {"麵", "面"},
	/* given-name characters outside GB2312: a homophone typed instead */
	{"弢", "涛"}, {"昞", "炳"}, {"珅", "申"}, {"琝", "文"}, {"瑋", "玮"},
};

static iconv_t hb_cd = (iconv_t)-1;

static bool hb_is_gb2312(const char *s, size_t n)
{
	char out[EM_TEXT_CAP * 2], *ip = (char *)s, *op = out;
	size_t il = n, ol = sizeof(out);

	if (hb_cd == (iconv_t)-1 && (hb_cd = iconv_open("GB2312", "UTF-8")) == (iconv_t)-1)
		em_die("iconv UTF-8 -> GB2312: %s", strerror(errno));
	iconv(hb_cd, NULL, NULL, NULL, NULL);
	return iconv(hb_cd, &ip, &il, &op, &ol) != (size_t)-1 && il == 0;
}

/* the text as a GB2312 system holds it */
static void hb_gb2312(struct em_text *t)
{
	struct em_text o;

	if (t->null || hb_is_gb2312(t->s, t->len))
		return;
	em_t_reset(&o);
	for (size_t i = 0; i < t->len;) {
		size_t k = 1, j;

		while (i + k < t->len && ((unsigned char)t->s[i + k] & 0xC0) == 0x80)
			k++;
		for (j = 0; j < EM_ARRLEN(HB_SUBST); j++)
			if (strlen(HB_SUBST[j][0]) == k && !memcmp(t->s + i, HB_SUBST[j][0], k))
				break;
		if (j < EM_ARRLEN(HB_SUBST))
			em_t_add(&o, HB_SUBST[j][1]);
		else if (hb_is_gb2312(t->s + i, k))
			em_t_addn(&o, t->s + i, k);
		else
			em_die("hb12369: '%.*s' is not in GB2312 and has no substitute (in '%s')", (int)k, t->s + i, t->s);
		i += k;
	}
	em_t_copy(t, &o);
}

/* every value quoted, the way the export tool writes them (RFC 4180) */
static void hb_field(struct em_buf *b, const char *p, size_t n, bool first)
{
	if (!first)
		em_buf_addc(b, ',');
	em_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"')
			em_buf_addc(b, '"');
		em_buf_addc(b, p[i]);
	}
	em_buf_addc(b, '"');
}

static void hb_text(struct em_buf *line, struct em_buf *b, const char *utf8, bool first)
{
	struct em_text t;

	em_t_set(&t, utf8);
	hb_gb2312(&t);
	enc(b, &t, true, false);
	hb_field(line, b->p, b->len, first);
}

static void hb_time(char *out, size_t cap, int64_t t)
{
	char iso[20];

	em_fmt_iso(t, iso);
	snprintf(out, cap, "%s", iso);
}

/* ---- the handover: one tar.gz, GB2312 member names ---- */
struct hb_out {
	struct archive *a;
	FILE *f;                /* the month being written (staged) */
	char name[64];          /* its member name, GB2312 bytes */
	char stage[4096];
};

/* append the staged month to the archive (GNU tar: the name's bytes as
 * they are) */
static void hb_member_end(struct hb_out *h)
{
	struct archive_entry *e;
	char buf[1 << 16];
	long size;
	size_t got;

	if (!h->f)
		return;
	if (fflush(h->f) || (size = ftell(h->f)) < 0 || fseek(h->f, 0, SEEK_SET))
		em_die("cannot write a CSV export: %s", strerror(errno));
	e = archive_entry_new();
	archive_entry_set_pathname(e, h->name);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, FIXED_MTIME, 0);
	if (archive_write_header(h->a, e) != ARCHIVE_OK)
		em_die("libarchive: %s", archive_error_string(h->a));
	while ((got = fread(buf, 1, sizeof(buf), h->f)) > 0)
		if (archive_write_data(h->a, buf, got) != (la_ssize_t)got)
			em_die("libarchive: %s", archive_error_string(h->a));
	if (ferror(h->f) || fclose(h->f))
		em_die("cannot read a CSV export back: %s", strerror(errno));
	h->f = NULL;
	archive_entry_free(e);
}

static void hb_open(struct hb_out *h, const char *dir)
{
	char path[4096];

	path_join(h->stage, sizeof(h->stage), dir, ".month.csv");
	path_join(path, sizeof(path), dir, "hb12369-export.tar.gz");
	h->a = archive_write_new();
	if (archive_write_add_filter_gzip(h->a) != ARCHIVE_OK || archive_write_set_format_gnutar(h->a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(h->a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_open_filename(h->a, path) != ARCHIVE_OK)
		em_die("cannot write '%s': %s", path, archive_error_string(h->a));
}

static void hb_close(struct hb_out *h)
{
	hb_member_end(h);
	if (archive_write_close(h->a) != ARCHIVE_OK)
		em_die("cannot write the tar.gz: %s", archive_error_string(h->a));
	archive_write_free(h->a);
	unlink(h->stage);
}

void gen_hb12369(const char *dir)
{
	static struct em_sys s;
	static const char *const HDR[] = {"工单编号", "受理号码", "受理时间", "举报人", "联系电话", "备用电话",
					  "身份证号", "事发地址", "标题", "举报内容", "诉求类型", "问题类别",
					  "类别名称", "办理状态", "承办单位", "办结时间", "处理结果", "满意度"};
	struct em_buf b = {0}, hdr = {0}, line = {0};
	struct hb_out h = {0};
	char t1[64], t2[64];
	int month = -1;

	sys_begin(&s, &HB12369, dir, "*.tar.gz");
	hb_open(&h, dir);
	for (size_t i = 0; i < EM_ARRLEN(HDR); i++)
		hb_text(&hdr, &b, HDR[i], i == 0);
	em_buf_adds(&hdr, "\r\n");
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		struct em_tm tm;
		const struct em_text *tx[] = {&o->f[EF_NAME], &o->phone[0].raw, &o->phone[1].raw, &o->idno.raw,
					      &o->f[EF_ADDR], &o->f[EF_TITLE]};

		for (int i = 0; i < EF_COUNT; i++)
			hb_gb2312(&o->f[i]);
		hb_gb2312(&o->phone[0].raw);
		hb_gb2312(&o->phone[1].raw);
		em_tm(o->t, &tm);
		if (!o->dup && tm.y * 100 + tm.mo != month) { /* one export per month */
			struct em_text nm;

			hb_member_end(&h);
			month = tm.y * 100 + tm.mo;
			em_t_reset(&nm);
			em_t_addf(&nm, "环保举报工单导出/%d年%02d月.csv", tm.y, tm.mo);
			enc(&b, &nm, true, false);
			if (b.len >= sizeof(h.name))
				em_die("internal: member name too long");
			memcpy(h.name, b.p, b.len);
			h.name[b.len] = 0;
			h.f = fopen(h.stage, "w+b");
			if (!h.f)
				em_die("cannot create '%s': %s", h.stage, strerror(errno));
			fwrite(hdr.p, 1, hdr.len, h.f);
		}
		line.len = 0;
		hb_field(&line, o->legacy_id, strlen(o->legacy_id), true);
		hb_field(&line, o->line, strlen(o->line), false);
		if (o->fault == EM_F_INVALID_DATE)
			fmt_invalid(o, t1);
		else
			hb_time(t1, sizeof(t1), o->t);
		hb_field(&line, t1, strlen(t1), false);
		for (size_t i = 0; i < EM_ARRLEN(tx); i++) {
			if (!hb_is_gb2312(tx[i]->s, tx[i]->len))
				em_die("internal: not GB2312: %s", tx[i]->s);
			enc(&b, tx[i], true, false);
			hb_field(&line, b.p, b.len, false);
		}
		if (o->fault == EM_F_UNDECODABLE)
			enc_bad_content(&b, o);
		else
			enc(&b, &o->f[EF_CONTENT], true, false);
		hb_field(&line, b.p, b.len, false);
		hb_text(&line, &b, o->f[EF_RTYPE].s, false);
		hb_text(&line, &b, o->cat_code, false);
		hb_text(&line, &b, o->f[EF_CATTEXT].s, false);
		hb_text(&line, &b, HB12369.status[o->stage], false);
		enc(&b, &o->f[EF_UNIT], true, false);
		hb_field(&line, b.p, b.len, false);
		if (o->t_closed)
			hb_time(t2, sizeof(t2), o->t_closed);
		else
			t2[0] = 0;
		hb_field(&line, t2, strlen(t2), false);
		enc(&b, &o->f[EF_REPLY], true, false);
		hb_field(&line, b.p, b.len, false);
		hb_text(&line, &b, o->satis >= 0 ? HB_SATIS[o->satis] : "", false);
		em_buf_adds(&line, "\r\n");
		if (fwrite(line.p, 1, line.len, h.f) != line.len)
			em_die("cannot write a CSV export: %s", strerror(errno));

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (!o->t_closed)
			fx_blank_date(&fx);
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
	}
	hb_close(&h);
	if (hb_cd != (iconv_t)-1) {
		iconv_close(hb_cd);
		hb_cd = (iconv_t)-1;
	}
	em_buf_free(&b);
	em_buf_free(&hdr);
	em_buf_free(&line);
	sys_end(&s, dir);
}
