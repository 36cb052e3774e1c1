/*
 * tests/gen/estate_fl12338.c -- fl12338 妇女维权热线 (市妇联), merge mode: a
 * hand-kept Excel register, one workbook per year. Above the data a title
 * row merged across the sheet and a two-level header (merged group cells
 * 来电人 / 反映问题 / 办理情况 over their sub-columns, single columns merged
 * down over both header rows); blank rows inside the data (empty rows, and
 * rows of formatted but empty cells); phone numbers typed with 全角 digits;
 * received times as Excel serials or typed by hand.
 */
#include "estate_io.h"

static const struct em_catdef FL_CATS[] = {
	{"HY01", NULL, 14, {"结婚{N}年，丈夫长期酗酒，夫妻感情破裂，咨询如何起诉离婚。",
			    "丈夫提出离婚，来电人不同意，咨询财产如何分割。", "双方已经分居{N}个月，咨询离婚的程序。"}},
	{"JB02", NULL, 10, {"长期遭受丈夫殴打，昨晚又被打伤，请求帮助。", "咨询如何申请人身安全保护令。",
			    "邻居家经常传出打骂声，怀疑有家庭暴力。"}},
	{"LD03", NULL, 6, {"在{C}上班，怀孕后被公司辞退。", "{C}招聘时明确写明只招男性。",
			   "产假期间{C}停发了工资。"}},
	{"CC04", NULL, 5, {"出嫁后村里收回了来电人的承包地。", "离婚后无法分得宅基地和集体收益分配。", NULL}},
	{"ET05", NULL, 6, {"离婚后对方不支付孩子抚养费已经{N}个月。", "前夫不让来电人探望孩子。", NULL}},
	{"RS06", NULL, 3, {"在{R}附近多次遭到陌生男子骚扰。", "单位领导经常有骚扰言语，来电人不堪其扰。", NULL}},
	{"FL07", NULL, 6, {"咨询妇女权益保障法的相关规定。", "咨询婚前财产公证的办理方法。", NULL}},
	{"XL08", NULL, 4, {"婆媳关系紧张，来电人情绪低落，希望得到心理疏导。", "孩子青春期叛逆，来电人很焦虑。", NULL}},
};
static const struct em_unmapped FL_UNMAPPED[] = {{"QT99", "其他", NULL}, {"婚姻", "婚姻类", NULL}};
static const char *const FL_UNITS[] = {
	"市妇联", "嘉峪关市妇女联合会", "市妇联权益部", "妇联权益部", "市妇女儿童维权中心", "市法律援助中心",
	"雄关街道妇联", "钢城街道妇联", "文殊镇妇联",
};
static const char *const FL_RTYPES[] = {"咨询", "求助", "投诉", "举报", "建议", "其他"};
static const int FL_RTYPE_W[] = {450, 300, 150, 30, 40, 30};
static const char *const FL_FILLERS[] = {
	"来电人情绪激动，边说边哭。", "来电人要求为其个人信息保密。", "来电人称已向村委会反映过。",
};
static const char *const FL_RESULTS[] = {
	"已为来电人提供法律咨询，告知其诉讼程序。", "已转市法律援助中心为来电人提供法律援助。",
	"已联系属地妇联上门走访，进行调解。", "已协助来电人向派出所报案并申请人身安全保护令。",
	"已安排心理咨询师进行疏导。",
};
static const char *const FL_SATIS[] = {"满意", "基本满意", "不满意"};
static const int FL_SATIS_W[] = {720, 200, 80};

static void fl_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "FL%04d-%04d", tm.y, s->seq_year);
}

static const struct em_desc FL12338 = {
	.code = "fl12338", .hotline = "12338", .dept = "妇联",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 1,
	.cats = FL_CATS, .ncats = EM_ARRLEN(FL_CATS),
	.unmapped = FL_UNMAPPED, .nunmapped = EM_ARRLEN(FL_UNMAPPED),
	.units = FL_UNITS, .nunits = EM_ARRLEN(FL_UNITS),
	.rtypes = FL_RTYPES, .rtype_w = FL_RTYPE_W, .nrtypes = EM_ARRLEN(FL_RTYPES),
	.fillers = FL_FILLERS, .nfillers = EM_ARRLEN(FL_FILLERS),
	.results = FL_RESULTS, .nresults = EM_ARRLEN(FL_RESULTS),
	.status = {"已登记", "已转办", "办理中", "已答复", "已办结", "已归档", "无效来电"},
	.satis = FL_SATIS, .satis_w = FL_SATIS_W, .nsatis = EM_ARRLEN(FL_SATIS), .ppm_no_satis = 200000,
	.fault_ppm = {[EM_F_INVALID_DATE] = 5000, [EM_F_GARBLED_DATE] = 4000},
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000, .ppm_rare = 1000, .gb18030_names = true,
	.phones = {{[EM_PH_PLAIN] = 480, [EM_PH_FULLWIDTH] = 180, [EM_PH_FORMATTED] = 60, [EM_PH_LAND_DASH] = 90,
		    [EM_PH_LOCAL] = 60, [EM_PH_NULL] = 100, [EM_PH_WORD] = 30}},
	.ids = {{[EM_ID_NULL] = 450, [EM_ID_PLAIN] = 400, [EM_ID_FULLWIDTH] = 80, [EM_ID_BADCHECK] = 40,
		 [EM_ID_OLD15] = 30}},
	.omit = 1u << EF_TITLE,
	.make_id = fl_id,
};

/* the register's columns; the header spans rows 2 and 3 */
enum { FL_NCOL = 17 };
static const char *const HDR2[FL_NCOL] = {"序号", "登记编号", "来电时间", "来电人", NULL, NULL, NULL, "家庭住址",
					  "反映问题", NULL, NULL, NULL, "办理情况", NULL, NULL, NULL, NULL};
static const char *const HDR3[FL_NCOL] = {NULL, NULL, NULL, "姓名", "来电号码", "联系电话", "身份证号", NULL,
					  "问题类别", "类别名称", "诉求类型", "主要内容", "承办单位", "办理状态",
					  "办结日期", "答复意见", "满意度"};
static const char *const MERGES[] = {"A1:Q1", "A2:A3", "B2:B3", "C2:C3", "D2:G2", "H2:H3", "I2:L2", "M2:Q2"};

/* a header cell in the centred style; NULL: the cell a merge covers, empty */
static void hdr_cell(struct xlsx *x, const char *s)
{
	char ref[16];

	x_ref(x, ref);
	if (s) {
		em_buf_addf(&x->sheet, "<c r=\"%s\" s=\"3\" t=\"s\"><v>%zu</v></c>", ref, x->nsst++);
		em_buf_adds(&x->sst, "<si><t>");
		xml_esc(&x->sst, s, strlen(s));
		em_buf_adds(&x->sst, "</t></si>");
	} else {
		em_buf_addf(&x->sheet, "<c r=\"%s\" s=\"3\"/>", ref);
	}
	x->col++;
}

static void begin_sheet(struct xlsx *x, int year)
{
	char title[160];

	x_row(x);
	snprintf(title, sizeof(title), "嘉峪关市妇联12338妇女维权热线来电登记台账（%d年）", year);
	hdr_cell(x, title);
	for (int c = 1; c < FL_NCOL; c++)
		hdr_cell(x, NULL);
	x_row(x);
	for (int c = 0; c < FL_NCOL; c++)
		hdr_cell(x, HDR2[c]);
	x_row(x);
	for (int c = 0; c < FL_NCOL; c++)
		hdr_cell(x, HDR3[c]);
}

void gen_fl12338(const char *dir)
{
	static struct em_sys s;
	static struct xlsx x;
	char xdir[4096], path[4096], serial[32], txt[96];
	int year = -1;
	unsigned seq = 0;
	uint64_t blank_rows = 0, fw_phones = 0;

	sys_begin(&s, &FL12338, dir, "*.xlsx");
	path_join(xdir, sizeof(xdir), dir, "xlsx");
	em_mkdir_p(xdir);
	for (uint64_t slot = 0; slot <= g_scale; slot++) {
		struct em_order *o = slot < g_scale ? em_sys_next(&s, slot) : NULL;
		struct em_fx fx;
		struct em_tm tm;

		if (o)
			em_tm(o->t, &tm);
		if (!o || (!o->dup && tm.y != year)) { /* one workbook per year */
			if (year >= 0)
				xlsx_save_ex(&x, path, "来电登记",
					     "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"3\" topLeftCell=\"A4\""
					     " activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>",
					     MERGES, EM_ARRLEN(MERGES));
			if (!o)
				break;
			year = tm.y;
			seq = 0;
			snprintf(txt, sizeof(txt), "妇女维权热线来电登记%d.xlsx", year);
			path_join(path, sizeof(path), xdir, txt);
			begin_sheet(&x, year);
		}
		/* blank rows inside the data: not records */
		if (!o->dup && (o->var >> 8) % 41 == 0) {
			x_row(&x);                      /* an empty row */
			blank_rows++;
		} else if (!o->dup && (o->var >> 8) % 43 == 1) {
			x_row(&x);                      /* formatted but empty cells */
			for (int c = 0; c < FL_NCOL; c++)
				hdr_cell(&x, NULL);
			blank_rows++;
		}
		x_row(&x);
		snprintf(txt, sizeof(txt), "%u", ++seq);
		x_num(&x, txt, 0);
		x_strs(&x, o->legacy_id);
		if (o->fault == EM_F_INVALID_DATE) {
			snprintf(txt, sizeof(txt), "%d.%d.%d %d:%02d", tm.y, o->inv_m, o->inv_d, tm.h, tm.mi);
			x_strs(&x, txt);
		} else if (o->fault == EM_F_GARBLED_DATE) {
			static const char *const G[] = {"不详", "忘记登记", "同上"};

			x_strs(&x, G[o->var % 3]);
		} else if (o->var % 10 == 3) {  /* typed as text by hand */
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
		for (int k = 0; k < 2; k++) {
			if (o->phone[k].kind == EM_PH_PLAIN && o->var % 3 != 0)
				x_num(&x, o->phone[k].raw.s, 0); /* typed as a number */
			else
				x_text(&x, &o->phone[k].raw);
		}
		fw_phones += (o->phone[0].kind == EM_PH_FULLWIDTH || o->phone[1].kind == EM_PH_FULLWIDTH) && !o->dup &&
			     !o->fault;
		x_text(&x, &o->idno.raw);
		x_text(&x, &o->f[EF_ADDR]);
		x_strs(&x, o->cat_code);
		x_strs(&x, em_cat_name(&s, o));
		x_text(&x, &o->f[EF_RTYPE]);
		x_text(&x, &o->f[EF_CONTENT]);
		x_text(&x, &o->f[EF_UNIT]);
		x_strs(&x, FL12338.status[o->stage]);
		if (o->t_closed) {
			excel_serial(o->t_closed, false, serial);
			x_num(&x, serial, 1);
		} else {
			x_skip(&x);
		}
		x_text(&x, &o->f[EF_REPLY]);
		if (o->satis >= 0)
			x_strs(&x, FL_SATIS[o->satis]);

		em_fx_init(&fx);
		if (o->fault == EM_F_INVALID_DATE || o->fault == EM_F_GARBLED_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		fx_common(&s, o, &fx, true);
		em_account(&s, o, &fx);
	}
	em_check(&s.truth, "blank_rows", blank_rows);
	em_check(&s.truth, "fullwidth_phones", fw_phones);
	em_buf_free(&x.sheet);
	em_buf_free(&x.sst);
	sys_end(&s, dir);
}
