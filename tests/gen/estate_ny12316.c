/*
 * tests/gen/estate_ny12316.c -- gen-estate: ny12316 三农服务热线 (市农业农村局,
 * merge mode): FoxPro 2.x tables (code page byte 0x7A, GBK) with .FPT memo
 * files, one table per year, handed over in a tar.gz (docs/estate/ny12316.md).
 *
 * The playbook reads the handover archive as it is (driver archive, format
 * dbf): the archive driver spools each table's memo member to a temporary
 * file for the dbf format to read at random; nothing is unpacked here.
 */
#include "estate_io.h"

static const struct em_catdef NY_CATS[] = {
	{"NY01", NULL, 12, {"家里种的{N}亩玉米叶子发黄，想请农技人员来看看。", "咨询大棚蔬菜冬季的管理技术。", "温室里的西红柿得了病，不知道用什么药。"}},
	{"NY02", NULL, 8, {"在{S}买的种子出苗率不到一半，怀疑是假种子。", "{S}卖的化肥没有登记证号，用了以后庄稼没效果。", NULL}},
	{"NY03", NULL, 5, {"{R}附近的农贸市场有人卖农药残留超标的韭菜。", "咨询农产品质量安全检测的办理流程。", NULL}},
	{"NY04", NULL, 6, {"村里有几户养的猪突然死亡，担心是疫病。", "咨询牛羊口蹄疫疫苗免费注射的时间。", NULL}},
	{"NY05", NULL, 7, {"村里重新分地，我家承包的{N}亩地被划给了别人。", "土地流转合同到期，对方不给流转费{M}元。", NULL}},
	{"NY06", NULL, 4, {"咨询农村宅基地申请的条件和流程。", "邻居占用我家宅基地盖房。", NULL}},
	{"NY07", NULL, 8, {"耕地地力保护补贴今年还没有发放。", "咨询购买农机具的补贴标准，想买一台{G}。", NULL}},
	{"NY08", NULL, 4, {"{K}附近的村道两边堆满了垃圾，没人清理。", "村里的改厕工程做完后一直没有通水。", NULL}},
	{"NY09", NULL, 3, {"在{S}买的{G}用了不到{N}天就坏了，经销商不给修。", NULL, NULL}},
	{"NY10", NULL, 3, {"咨询合作社注册登记需要哪些材料。", "咨询高素质农民培训的报名方式。", NULL}},
};
static const struct em_unmapped NY_UNMAPPED[] = {{"NY00", "其他", NULL}, {"NY99", "其他三农问题", NULL}, {"QT", "其它", NULL}};
static const char *const NY_UNITS[] = {
	"嘉峪关市农业农村局", "市农业农村局", "农业农村局", "市农业技术推广中心", "市农技中心", "市动物疫病预防控制中心",
	"市农产品质量安全监测站", "市农业综合行政执法队", "文殊镇人民政府", "峪泉镇人民政府", "新城镇人民政府",
	"文殊镇农业服务中心",
};
static const char *const NY_RTYPES[] = {"咨询", "求助", "投诉", "举报", "建议", "其他"};
static const int NY_RTYPE_W[] = {450, 200, 180, 80, 60, 30};
static const char *const NY_FILLERS[] = {
	"来电人是{K}的种植户。", "来电人希望农技人员尽快到现场查看。", "来电人称村委会已经知道此事。",
};
static const char *const NY_RESULTS[] = {
	"已安排农技人员到田间进行技术指导。", "经执法队检查，已对{S}销售的不合格农资立案查处。",
	"已协调镇政府和村委会解决，来电人表示认可。", "已向来电人解释相关补贴政策，补贴将于下月发放。",
	"动物疫病预防控制中心已派人采样检测，排除重大动物疫情。",
};
static const char *const NY_GOODS[] = {"播种机", "旋耕机", "微耕机", "喷雾器", "滴灌设备", "收割机"};
static const char *const NY_SATIS[] = {"满意", "基本满意", "不满意"};
static const int NY_SATIS_W[] = {680, 220, 100};

#define NY_PPM_BAD_MEMO 2000 /* a memo pointer past the end of the .FPT */
#define NY_PPM_DELETED 10    /* per mille of the records: soft-deleted */

static void ny_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	if (s->seq_day > 9999)
		em_die("ny12316: too many orders in a day for the order numbers");
	snprintf(out, cap, "12316%02d%02d%02d%04d", tm.y % 100, tm.mo, tm.d, s->seq_day);
}

static const struct em_desc NY12316 = {
	.code = "ny12316", .hotline = "12316", .dept = "农业农村部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = NY_CATS, .ncats = EM_ARRLEN(NY_CATS),
	.unmapped = NY_UNMAPPED, .nunmapped = EM_ARRLEN(NY_UNMAPPED),
	.units = NY_UNITS, .nunits = EM_ARRLEN(NY_UNITS),
	.rtypes = NY_RTYPES, .rtype_w = NY_RTYPE_W, .nrtypes = EM_ARRLEN(NY_RTYPES),
	.fillers = NY_FILLERS, .nfillers = EM_ARRLEN(NY_FILLERS),
	.results = NY_RESULTS, .nresults = EM_ARRLEN(NY_RESULTS),
	.goods = NY_GOODS, .ngoods = EM_ARRLEN(NY_GOODS),
	.status = {"待办", "已派", "在办", "已复", "办结", "归档", "无效"},
	.satis = NY_SATIS, .satis_w = NY_SATIS_W, .nsatis = EM_ARRLEN(NY_SATIS), .ppm_no_satis = 250000,
	.satis_none = "",
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.fault_loads = 1u << EM_F_ZERO_DATE,
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000,
	.phones = {{[EM_PH_PLAIN] = 600, [EM_PH_FULLWIDTH] = 80, [EM_PH_FORMATTED] = 50, [EM_PH_LAND_DASH] = 80,
		    [EM_PH_LAND_NODASH] = 60, [EM_PH_LOCAL] = 80, [EM_PH_NULL] = 40, [EM_PH_WORD] = 10}},
	.ids = {{[EM_ID_NULL] = 350, [EM_ID_PLAIN] = 520, [EM_ID_FULLWIDTH] = 50, [EM_ID_BADCHECK] = 50,
		 [EM_ID_OLD15] = 30}},
	.omit = 1u << EF_TITLE,
	.null_is_empty = true,
	.make_id = ny_id,
};

/* a row whose copy is still to come: it must stay exactly like its copy */
static bool ny_queued(const struct em_sys *s, const struct em_order *o)
{
	for (int i = 0; i < EM_DUPQ; i++)
		if (s->dupq_used[i] && s->dupq[i].slot == o->slot)
			return true;
	return false;
}

/* ---- the handover: a tar.gz written and read with libarchive ---- */
struct ny_files {
	char *names[64]; /* relative to the stage directory */
	size_t n;
};

static void ny_tar_member(struct archive *a, const char *stage, const char *name, const char *member)
{
	char path[4096], buf[1 << 16];
	struct archive_entry *e = archive_entry_new();
	struct stat st;
	size_t got;
	FILE *f;

	path_join(path, sizeof(path), stage, name);
	if (stat(path, &st))
		em_die("cannot stat '%s': %s", path, strerror(errno));
	archive_entry_set_pathname(e, member);
	archive_entry_set_size(e, (la_int64_t)st.st_size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, FIXED_MTIME, 0);
	archive_entry_set_uname(e, "nyj");
	archive_entry_set_gname(e, "nyj");
	if (archive_write_header(a, e) != ARCHIVE_OK)
		em_die("libarchive: %s", archive_error_string(a));
	f = fopen(path, "rb");
	if (!f)
		em_die("cannot open '%s': %s", path, strerror(errno));
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		if (archive_write_data(a, buf, got) != (la_ssize_t)got)
			em_die("libarchive: %s", archive_error_string(a));
	if (ferror(f))
		em_die("cannot read '%s': %s", path, strerror(errno));
	fclose(f);
	archive_entry_free(e);
}

/* ustar + gzip, no time stamp in the gzip header: the same bytes every run */
static void ny_tar_gz(const char *stage, const struct ny_files *fl, const char *tgz)
{
	struct archive *a = archive_write_new();
	char member[256];

	if (archive_write_add_filter_gzip(a) != ARCHIVE_OK || archive_write_set_format_ustar(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_open_filename(a, tgz) != ARCHIVE_OK)
		em_die("cannot write '%s': %s", tgz, archive_error_string(a));
	for (size_t i = 0; i < fl->n; i++) {
		snprintf(member, sizeof(member), "12316/%s", fl->names[i]);
		ny_tar_member(a, stage, fl->names[i], member);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		em_die("cannot write '%s': %s", tgz, archive_error_string(a));
	archive_write_free(a);
}

void gen_ny12316(const char *dir)
{
	static struct em_sys s;
	struct dbf_field fl[] = {
		{"XH", 'N', 8, 0, 0},     {"GDBH", 'C', 16, 0, 0}, {"LDSJ", 'C', 14, 0, 0}, {"LDRXM", 'C', 20, 0, 0},
		{"LXDH", 'C', 24, 0, 0},  {"BYDH", 'C', 24, 0, 0}, {"SFZH", 'C', 40, 0, 0}, {"DZ", 'C', 120, 0, 0},
		{"NR", 'M', 10, 0, 0},    {"LB", 'C', 6, 0, 0},    {"LBMC", 'C', 30, 0, 0}, {"LX", 'C', 8, 0, 0},
		{"BLZT", 'C', 8, 0, 0},   {"CBDW", 'C', 60, 0, 0}, {"BJRQ", 'D', 8, 0, 0},  {"DFNR", 'M', 10, 0, 0},
		{"MYD", 'C', 8, 0, 0},
	};
	struct dbf d;
	struct em_buf b = {0};
	struct ny_files files = {0};
	char stage[4096], tgz[4096], t[32], dbfname[32], fptname[32];
	bool open = false, bad_memo_forced = false, deleted_forced = false;
	int year = -1;

	sys_begin(&s, &NY12316, dir, "*.tar.gz");
	path_join(stage, sizeof(stage), dir, ".stage");
	em_mkdir_p(stage);
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		struct em_tm tm;
		bool deleted = o->dup ? o->slot % 3 == 0 : o->var % 1000 < NY_PPM_DELETED;
		/* the .FPT lost the memo (copied before the table was closed):
		 * never a row whose copy is still to come, so copies stay exact */
		bool bad_memo = !o->dup && o->fault == EM_F_NONE && !ny_queued(&s, o) &&
				((!bad_memo_forced && slot >= EM_FORCED) || o->var % 1000000 < NY_PPM_BAD_MEMO);

		if (!deleted_forced && !o->dup && slot >= EM_FORCED && o->fault == EM_F_NONE && !bad_memo)
			deleted = deleted_forced = true;
		bad_memo_forced |= bad_memo;
		em_tm(o->t, &tm);
		if (!o->dup && tm.y != year) { /* one table per year */
			if (open)
				dbf_close(&d);
			year = tm.y;
			snprintf(dbfname, sizeof(dbfname), "NY%04d.DBF", year);
			snprintf(fptname, sizeof(fptname), "NY%04d.FPT", year);
			if (files.n + 2 > EM_ARRLEN(files.names))
				em_die("internal: too many tables");
			files.names[files.n++] = em_xstrdup(dbfname);
			files.names[files.n++] = em_xstrdup(fptname);
			dbf_open(&d, stage, dbfname, fptname, fl, EM_ARRLEN(fl));
			open = true;
		}
		dbf_rec(&d, deleted);
		snprintf(t, sizeof(t), "%llu", (unsigned long long)slot + 1);
		dbf_n(&d, "XH", t);
		dbf_c(&d, "GDBH", o->legacy_id, strlen(o->legacy_id));
		if (o->fault == EM_F_ZERO_DATE)
			snprintf(t, sizeof(t), "00000000000000");
		else if (o->fault == EM_F_INVALID_DATE)
			snprintf(t, sizeof(t), "%04d%02d%02d%02d%02d%02d", tm.y, o->inv_m % 100, o->inv_d % 100, tm.h, tm.mi,
				 tm.s);
		else
			snprintf(t, sizeof(t), "%04d%02d%02d%02d%02d%02d", tm.y, tm.mo, tm.d, tm.h, tm.mi, tm.s);
		dbf_c(&d, "LDSJ", t, 14);
		enc(&b, &o->f[EF_NAME], true, false);
		dbf_c(&d, "LDRXM", b.p, b.len);
		enc(&b, &o->phone[0].raw, true, false);
		dbf_c(&d, "LXDH", b.p, b.len);
		enc(&b, &o->phone[1].raw, true, false);
		dbf_c(&d, "BYDH", b.p, b.len);
		enc(&b, &o->idno.raw, true, false);
		dbf_c(&d, "SFZH", b.p, b.len);
		enc(&b, &o->f[EF_ADDR], true, false);
		dbf_c(&d, "DZ", b.p, b.len);
		if (o->fault == EM_F_UNDECODABLE)
			enc_bad_content(&b, o);
		else
			enc(&b, &o->f[EF_CONTENT], true, false);
		dbf_memo(&d, "NR", b.p, b.len);
		if (bad_memo) /* a block far past the end of the memo file */
			dbf_n(&d, "NR", "999999999");
		dbf_c(&d, "LB", o->cat_code, strlen(o->cat_code));
		{
			struct em_text x;

			em_t_set(&x, em_cat_name(&s, o));
			enc(&b, &x, true, false);
			dbf_c(&d, "LBMC", b.p, b.len);
			enc(&b, &o->f[EF_RTYPE], true, false);
			dbf_c(&d, "LX", b.p, b.len);
			em_t_set(&x, NY12316.status[o->stage]);
			enc(&b, &x, true, false);
			dbf_c(&d, "BLZT", b.p, b.len);
			if (o->satis >= 0) {
				em_t_set(&x, NY_SATIS[o->satis]);
				enc(&b, &x, true, false);
				dbf_c(&d, "MYD", b.p, b.len);
			}
		}
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
		dbf_end_rec(&d);

		em_fx_init(&fx);
		if (bad_memo)
			em_fx_reject(&fx, "extract.bad_memo");
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.undecodable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (o->fault == EM_F_ZERO_DATE) {
			em_fx_fix(&fx, "zero_date");
			fx.received_null = true;
		}
		fx_common(&s, o, &fx, true);
		if (deleted && !o->dup && !fx.reject)
			em_check(&s.truth, "deleted", 1);
		em_account(&s, o, &fx);
	}
	if (open)
		dbf_close(&d);
	path_join(tgz, sizeof(tgz), dir, "ny12316-dbf.tar.gz");
	ny_tar_gz(stage, &files, tgz);
	rm_rf_flat(stage, files.names, files.n);
	for (size_t i = 0; i < files.n; i++)
		free(files.names[i]);
	em_buf_free(&b);
	sys_end(&s, dir);
}
