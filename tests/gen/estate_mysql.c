/*
 * tests/gen/estate_mysql.c -- the MySQL/MariaDB systems of gen-estate,
 * written through a binary connection (bytes as meant); see estate_io.h.
 */
#include "estate_io.h"

/* ================================================================== */
/* MySQL/MariaDB systems: gjj12329 rs12333 sf12348 jr12378 yc12313      */
/* tx12300, written through a binary connection (bytes as meant)        */
/* ================================================================== */
MYSQL *my_recreate(const char *db, const char *charset)
{
	const char *sock = getenv("MYSQL_UNIX_PORT"), *user = env_or("MIGRATE_MYSQL_USER", "root");
	const char *pass = getenv("MIGRATE_MYSQL_PASSWORD");
	char sql[512];
	MYSQL *m = mysql_init(NULL);

	if (!m)
		em_die("mysql_init failed");
	if (sock && !*sock)
		sock = NULL;
	if (mysql_options(m, MYSQL_SET_CHARSET_NAME, "binary"))
		em_die("mysql_options(charset binary) failed");
	if (!mysql_real_connect(m, "localhost", user, pass, NULL, 0, sock, 0))
		em_die("cannot connect to MariaDB (socket %s, user %s): %s", sock ? sock : "(default)", user,
		       mysql_error(m));
	if (strcmp(mysql_character_set_name(m), "binary"))
		em_die("connection charset is %s, not binary", mysql_character_set_name(m));
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS `%s`", db);
	if (mysql_query(m, sql))
		em_die("%s: %s", sql, mysql_error(m));
	snprintf(sql, sizeof(sql), "CREATE DATABASE `%s` DEFAULT CHARACTER SET %s", db, charset);
	if (mysql_query(m, sql) || mysql_select_db(m, db))
		em_die("cannot create MariaDB database '%s': %s", db, mysql_error(m));
	/* zero dates and 2019-02-30 are stored as written */
	if (mysql_query(m, "SET SESSION sql_mode='ALLOW_INVALID_DATES'"))
		em_die("sql_mode: %s", mysql_error(m));
	return m;
}

static void my_exec(MYSQL *m, const char *sql, size_t n)
{
	if (mysql_real_query(m, sql, (unsigned long)n))
		em_die("MariaDB: %s: %.200s", mysql_error(m), sql);
	if (mysql_warning_count(m)) {
		MYSQL_RES *res;
		MYSQL_ROW w;

		if (!mysql_query(m, "SHOW WARNINGS LIMIT 1") && (res = mysql_store_result(m)) &&
		    (w = mysql_fetch_row(res)))
			em_die("MariaDB stored the data with a warning: %s", w[2] ? w[2] : "?");
		em_die("MariaDB stored the data with %u warnings", mysql_warning_count(m));
	}
}

static uint64_t my_count(MYSQL *m, const char *sql)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	uint64_t v;

	if (mysql_query(m, sql) || !(res = mysql_store_result(m)) || !(row = mysql_fetch_row(res)) || !row[0])
		em_die("MariaDB: %s: %s", sql, mysql_error(m));
	v = strtoull(row[0], NULL, 10);
	mysql_free_result(res);
	return v;
}

/* multi-row INSERTs of about 1 MB */
struct myins {
	MYSQL *m;
	const char *head;
	struct em_buf b;
	bool first;
};

static void myins_flush(struct myins *x)
{
	if (x->b.len)
		my_exec(x->m, x->b.p, x->b.len);
	x->b.len = 0;
}

static void myins_row(struct myins *x)
{
	if (x->b.len > (1u << 20))
		myins_flush(x);
	if (x->b.len) {
		em_buf_adds(&x->b, ",\n(");
	} else {
		em_buf_adds(&x->b, x->head);
		em_buf_addc(&x->b, '(');
	}
	x->first = true;
}

static void myins_val(struct myins *x, const void *p, size_t n, bool null)
{
	if (!x->first)
		em_buf_addc(&x->b, ',');
	x->first = false;
	if (null) {
		em_buf_adds(&x->b, "NULL");
		return;
	}
	em_buf_addc(&x->b, '\'');
	if (x->b.cap < x->b.len + 2 * n + 2) {
		x->b.cap = x->b.len + 2 * n + 64;
		x->b.p = realloc(x->b.p, x->b.cap);
		if (!x->b.p)
			em_die("out of memory");
	}
	x->b.len += mysql_real_escape_string(x->m, x->b.p + x->b.len, p, (unsigned long)n);
	em_buf_addc(&x->b, '\'');
}

static void myins_str(struct myins *x, const char *s)
{
	myins_val(x, s, s ? strlen(s) : 0, !s);
}

static void myins_time(struct myins *x, int64_t t, bool null)
{
	char s[20];

	if (null)
		return myins_val(x, NULL, 0, true);
	em_fmt_iso(t, s);
	myins_str(x, s);
}

static void myins_end(struct myins *x)
{
	em_buf_addc(&x->b, ')');
}

/* UTF-8 bytes read as MySQL's latin1 (Windows-1252; its five undefined
 * bytes pass through as U+0081 ...) and stored as UTF-8 again */
static const uint16_t CP1252_80[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static void mojibake(struct em_buf *out, const char *p, size_t n)
{
	char u[4];

	out->len = 0;
	em_buf_add(out, "", 0);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		uint32_t cp = c < 0x80 ? c : c < 0xA0 ? CP1252_80[c - 0x80] : c;

		em_buf_add(out, u, em_utf8_enc(cp, u));
	}
}




/* the value of a text column as the system stored it; layers: times its
 * UTF-8 was read as latin1 (MY_LATIN1_CONN) */
static void my_text(const struct my_sys *ms, struct myins *x, const struct em_text *t, int layers,
		    struct em_buf *b, struct em_buf *tmp)
{
	if (t->null)
		return myins_val(x, NULL, 0, true);
	if (ms->enc == MY_GBK) {
		enc(b, t, true, false);
		return myins_val(x, b->p, b->len, false);
	}
	b->len = 0;
	em_buf_add(b, t->s, t->len);
	for (int i = 0; i < layers; i++) {
		mojibake(tmp, b->p, b->len);
		b->len = 0;
		em_buf_add(b, tmp->p, tmp->len);
	}
	myins_val(x, b->p, b->len, false);
}

static void my_textz(const struct my_sys *ms, struct myins *x, const char *s, int layers, struct em_buf *b,
		     struct em_buf *tmp)
{
	struct em_text t;

	em_t_set(&t, s);
	my_text(ms, x, &t, layers, b, tmp);
}

void gen_mysql(const char *dir, const struct my_sys *ms)
{
	static struct em_sys s;
	const struct em_desc *d = ms->d;
	struct myins x = {0};
	struct em_buf b = {0}, tmp = {0}, head = {0}, ddl = {0};
	char db[80];
	uint64_t n_zero = 0, n_moji = 0, n_del = 0;
	MYSQL *m;
	static const char *const TYPES[MC_COUNT] = {
		"INT UNSIGNED NOT NULL PRIMARY KEY", "VARCHAR(40) NOT NULL", "DATETIME NULL", "VARCHAR(400)",
		"VARCHAR(200)", "VARCHAR(200)", "VARCHAR(200)", "VARCHAR(2000)", "VARCHAR(2000)", "TEXT",
		"VARCHAR(16)", "VARCHAR(400)", "VARCHAR(100)", "VARCHAR(40)", "VARCHAR(600)", "DATETIME NULL",
		"TEXT", "VARCHAR(40)", "DATETIME NOT NULL", "TINYINT NOT NULL DEFAULT 0",
	};

	sys_begin(&s, d, dir, ms->table);
	db_name(d->code, db, sizeof(db));
	m = my_recreate(db, ms->charset);
	em_buf_addf(&ddl, "CREATE TABLE `%s` (\n", ms->table);
	em_buf_addf(&head, "INSERT INTO `%s` (", ms->table);
	for (int c = 0; c < MC_COUNT; c++) {
		if (!ms->col[c])
			continue;
		em_buf_addf(&ddl, "  `%s` %s,\n", ms->col[c], TYPES[c]);
		em_buf_addf(&head, "%s`%s`", c ? "," : "", ms->col[c]);
	}
	em_buf_addf(&ddl, "  KEY (`%s`)) ENGINE=InnoDB DEFAULT CHARSET=%s COMMENT='%s'", ms->col[MC_UPDATED],
		    ms->charset, ms->comment);
	em_buf_adds(&head, ") VALUES\n");
	my_exec(m, ddl.p, ddl.len);
	my_exec(m, "START TRANSACTION", 17);
	x.m = m;
	x.head = head.p;
	for (uint64_t slot = 0; slot < g_scale; slot++) {
		struct em_order *o = em_sys_next(&s, slot);
		struct em_fx fx;
		char ts[32];
		/* gjj12329: a row written through a latin1 connection (30 %),
		 * a fifth of them twice; the lost-byte rows once */
		int layers = ms->enc != MY_LATIN1_CONN ? 0
			     : o->fault == EM_F_UNDECODABLE ? 1
			     : o->var % 1000 < 240 ? 1 : o->var % 1000 < 300 ? 2 : 0;
		bool deleted = ms->col[MC_DELETED] && o->var / 1000 % 100 < 3;
		const char *satis = o->satis >= 0 ? ms->satis[o->satis]
				    : (o->stage == EM_ST_CLOSED || o->stage == EM_ST_ARCHIVED) ? d->satis_none : NULL;
		const struct em_text *tx[] = {&o->f[EF_NAME], &o->phone[0].raw, &o->phone[1].raw, &o->idno.raw,
					      &o->f[EF_ADDR], &o->f[EF_TITLE]};

		myins_row(&x);
		snprintf(ts, sizeof(ts), "%llu", (unsigned long long)slot + 1);
		myins_str(&x, ts);
		myins_str(&x, o->legacy_id);
		n_zero += o->fault == EM_F_ZERO_DATE;
		if (o->fault == EM_F_ZERO_DATE)
			myins_str(&x, "0000-00-00 00:00:00");
		else if (o->fault == EM_F_INVALID_DATE)
			fmt_invalid(o, ts), myins_str(&x, ts);
		else
			myins_time(&x, o->t, false);
		for (size_t i = 0; i < EM_ARRLEN(tx); i++)
			my_text(ms, &x, tx[i], layers, &b, &tmp);
		if (o->fault == EM_F_UNDECODABLE) {
			/* a converter lost a byte: the second byte of a
			 * character after the cut became '?' */
			const struct em_text *t = &o->f[EF_CONTENT];
			size_t i = o->bad_cut;
			struct em_text bad;

			while (i < t->len && (unsigned char)t->s[i] < 0xE0)
				i++;
			if (i + 1 >= t->len)
				for (i = 0; i < t->len && (unsigned char)t->s[i] < 0xE0; i++)
					;
			if (i + 1 >= t->len)
				em_die("internal: %s: no character to damage in %s", d->code, o->legacy_id);
			em_t_copy(&bad, t);
			bad.s[i + 1] = '?';
			mojibake(&b, bad.s, bad.len);
			myins_val(&x, b.p, b.len, false);
		} else {
			my_text(ms, &x, &o->f[EF_CONTENT], layers, &b, &tmp);
		}
		myins_str(&x, o->cat_code);
		my_textz(ms, &x, em_cat_name(&s, o), layers, &b, &tmp);
		my_text(ms, &x, &o->f[EF_RTYPE], layers, &b, &tmp);
		my_textz(ms, &x, d->status[o->stage], layers, &b, &tmp);
		my_text(ms, &x, &o->f[EF_UNIT], layers, &b, &tmp);
		myins_time(&x, o->t_closed, o->t_closed == 0);
		my_text(ms, &x, &o->f[EF_REPLY], layers, &b, &tmp);
		if (satis)
			my_textz(ms, &x, satis, layers, &b, &tmp);
		else
			myins_val(&x, NULL, 0, true);
		myins_time(&x, o->t_updated, false);
		if (ms->col[MC_DELETED])
			myins_str(&x, deleted ? "1" : "0");
		myins_end(&x);

		em_fx_init(&fx);
		if (o->fault == EM_F_UNDECODABLE)
			em_fx_reject(&fx, "decode.unrepairable");
		if (o->fault == EM_F_INVALID_DATE)
			em_fx_reject(&fx, "transform.invalid_date");
		if (o->fault == EM_F_ZERO_DATE) {
			em_fx_fix(&fx, "zero_date");
			fx.received_null = true;
		}
		if (layers && !fx.reject)
			em_fx_fix(&fx, "utf8_as_latin1");
		n_moji += layers > 0;
		fx_common(&s, o, &fx, true);
		if (deleted && !o->dup && !fx.reject)
			em_check(&s.truth, "deleted", 1);
		n_del += deleted;
		em_account(&s, o, &fx);
	}
	myins_flush(&x);
	my_exec(m, "COMMIT", 6);
	{
		/* what was stored is what was meant */
		char sql[512];
		uint64_t n, z, del = 0;

		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM `%s`", ms->table);
		n = my_count(m, sql);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM `%s` WHERE CAST(`%s` AS CHAR) LIKE '0000-00-00%%'",
			 ms->table, ms->col[MC_RECV]);
		z = my_count(m, sql);
		if (ms->col[MC_DELETED]) {
			snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM `%s` WHERE `%s` = 1", ms->table,
				 ms->col[MC_DELETED]);
			del = my_count(m, sql);
		}
		if (n != g_scale || z != n_zero || del != n_del)
			em_die("%s: stored %llu rows, %llu zero dates, %llu deleted; meant %llu, %llu, %llu", d->code,
			       (unsigned long long)n, (unsigned long long)z, (unsigned long long)del,
			       (unsigned long long)g_scale, (unsigned long long)n_zero, (unsigned long long)n_del);
		if (ms->enc == MY_GBK) {
			/* the column holds GBK: 4 characters of 受理 etc. are 2 bytes each */
			snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM `%s` WHERE LENGTH(`%s`) = 2 * CHAR_LENGTH(`%s`)"
				 " AND CHARSET(`%s`) = 'gbk'", ms->table, ms->col[MC_STATUS], ms->col[MC_STATUS],
				 ms->col[MC_STATUS]);
			if (my_count(m, sql) != g_scale)
				em_die("%s: the status column does not hold GBK text", d->code);
		}
		(void)n_moji;
	}
	mysql_close(m);
	em_buf_free(&b);
	em_buf_free(&tmp);
	em_buf_free(&head);
	em_buf_free(&ddl);
	em_buf_free(&x.b);
	sys_end(&s, dir);
}

#define MY_ID(fn, fmt)                                                                                           \
	static void fn(struct em_sys *s, const struct em_order *o, char *out, size_t cap)                        \
	{                                                                                                        \
		struct em_tm tm;                                                                                 \
		em_tm(o->t, &tm);                                                                                \
		snprintf(out, cap, fmt, tm.y, tm.mo, tm.d, s->seq_day);                                          \
	}
MY_ID(gjj_id, "GJJ%04d%02d%02d%05d")
MY_ID(rs_id, "RS%04d%02d%02d%05d")
MY_ID(sf_id, "SF%04d%02d%02d%05d")
MY_ID(jr_id, "JR%04d%02d%02d%05d")
MY_ID(yc_id, "YC%04d%02d%02d%05d")

static void tx_id(struct em_sys *s, const struct em_order *o, char *out, size_t cap)
{
	struct em_tm tm;

	em_tm(o->t, &tm);
	snprintf(out, cap, "TX12300%04d%02d%02d%05d", tm.y, tm.mo, tm.d, s->seq_day);
	if (o->var % 100 < 5) /* a sub-order exchanged with 12345 */
		snprintf(out + strlen(out), cap - strlen(out), "-01");
}

static const char *const MY_RTYPES[] = {"咨询", "投诉", "求助", "建议", "表扬", "举报", "其他"};
static const int MY_RTYPE_W[] = {400, 300, 100, 80, 40, 50, 30};
static const char *const MY_SATIS5[] = {"1", "2", "3", "4", "5"};
static const int MY_SATIS5_W[] = {350, 350, 150, 100, 50};
static const char *const MY_SATIS3[] = {"满意", "基本满意", "不满意"};
static const int MY_SATIS3_W[] = {700, 200, 100};

#define MY_DESC_COMMON                                                                                           \
	.rtypes = MY_RTYPES, .rtype_w = MY_RTYPE_W, .nrtypes = EM_ARRLEN(MY_RTYPES),                             \
	.fault_loads = 1u << EM_F_ZERO_DATE,                                                                     \
	.ppm_dup = 10000, .ppm_unmapped = 20000, .ppm_test = 3000,                                               \
	.phones = {{[EM_PH_PLAIN] = 550, [EM_PH_FULLWIDTH] = 100, [EM_PH_FORMATTED] = 80, [EM_PH_LAND_DASH] = 100, \
		    [EM_PH_LAND_NODASH] = 50, [EM_PH_LOCAL] = 70, [EM_PH_NULL] = 40, [EM_PH_WORD] = 10}},         \
	.ids = {{[EM_ID_NULL] = 250, [EM_ID_PLAIN] = 600, [EM_ID_FULLWIDTH] = 60, [EM_ID_BADCHECK] = 50,          \
		 [EM_ID_OLD15] = 40}}

#define MY_COLS(...) .col = {__VA_ARGS__}

/* ---- gjj12329 住房公积金: MySQL utf8, part written through latin1 ---- */
static const struct em_catdef GJJ_CATS[] = {
	{"GJ01", NULL, 12, {"咨询公积金提取需要哪些材料。", "公积金提取申请提交{N}天了还没有到账。", NULL}},
	{"GJ02", NULL, 10, {"咨询公积金贷款的额度和利率。", "公积金贷款审批太慢，已经等了{N}天。", NULL}},
	{"GJ03", NULL, 6, {"单位一直没有给职工缴存公积金。", "{C}拖欠职工公积金{N}个月。", NULL}},
	{"GJ04", NULL, 4, {"咨询公积金异地转移接续的办理流程。", NULL, NULL}},
	{"GJ05", NULL, 3, {"公积金中心窗口工作人员态度不好。", NULL, NULL}},
};
static const struct em_unmapped GJJ_UNMAPPED[] = {{"GJ00", "其他", NULL}, {"GJ99", "其他事项", NULL}};
static const char *const GJJ_UNITS[] = {"市住房公积金管理中心", "公积金中心", "嘉峪关市住房公积金管理中心",
					"市公积金中心归集科", "市公积金中心信贷科"};
static const char *const GJJ_COMPANIES[] = {"某建筑公司", "某物业公司", "某商贸公司", "某餐饮公司"};
static const char *const GJJ_FILLERS[] = {"来电人情绪比较急躁。", "来电人希望尽快办理。"};
static const char *const GJJ_RESULTS[] = {"已向来电人解释公积金提取政策。", "已督促单位补缴公积金。",
					  "贷款已审批，近日放款。"};
static const struct em_desc GJJ12329 = {
	.code = "gjj12329", .hotline = "12329", .dept = "住房公积金管理中心",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = GJJ_CATS, .ncats = EM_ARRLEN(GJJ_CATS), .unmapped = GJJ_UNMAPPED, .nunmapped = EM_ARRLEN(GJJ_UNMAPPED),
	.units = GJJ_UNITS, .nunits = EM_ARRLEN(GJJ_UNITS),
	.fillers = GJJ_FILLERS, .nfillers = EM_ARRLEN(GJJ_FILLERS),
	.results = GJJ_RESULTS, .nresults = EM_ARRLEN(GJJ_RESULTS),
	.companies = GJJ_COMPANIES, .ncompanies = EM_ARRLEN(GJJ_COMPANIES),
	.status = {"0", "1", "2", "3", "4", "5", "9"},
	.satis = MY_SATIS5, .satis_w = MY_SATIS5_W, .nsatis = 5, .ppm_no_satis = 150000,
	MY_DESC_COMMON,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000, [EM_F_UNDECODABLE] = 3000},
	.make_id = gjj_id,
};
static const struct my_sys MY_GJJ = {
	.d = &GJJ12329, .table = "gjj_gd", .charset = "utf8", .comment = "公积金工单", .enc = MY_LATIN1_CONN,
	MY_COLS("id", "gdbh", "ldsj", "ldrxm", "ldhm", "lxdh", "sfzh", "dz", "bt", "nr", "lbdm", "lbmc", "sqlx",
		"blzt", "cbdw", "bjsj", "dfnr", "myd", "gxsj", NULL),
	.satis = MY_SATIS5,
};

/* ---- rs12333 人社: MySQL DEFAULT CHARSET=gbk ---- */
static const struct em_catdef RS_CATS[] = {
	{"RS01", NULL, 12, {"咨询养老保险缴费年限的计算。", "养老金已经{N}个月没有发放。", NULL}},
	{"RS02", NULL, 10, {"{C}拖欠工资{M}元，老板联系不上。", "{C}不和职工签劳动合同。", NULL}},
	{"RS03", NULL, 6, {"咨询失业保险金的申领条件。", "咨询创业担保贷款政策。", NULL}},
	{"RS04", NULL, 4, {"咨询工伤认定需要的材料。", NULL, NULL}},
	{"RS05", NULL, 3, {"社保卡补办太慢。", NULL, NULL}},
};
static const struct em_unmapped RS_UNMAPPED[] = {{"RS00", "其他", NULL}, {"LD99", "劳动（旧）", NULL}};
static const char *const RS_UNITS[] = {"市人力资源和社会保障局", "市人社局", "人社局", "市劳动保障监察支队",
				       "市社会保险事业管理局", "市就业服务中心"};
static const char *const RS_COMPANIES[] = {"某建筑公司", "某劳务公司", "某商贸公司", "某餐饮公司"};
static const char *const RS_FILLERS[] = {"来电人是农民工，要求尽快解决。", "来电人已向单位反映过。"};
static const char *const RS_RESULTS[] = {"劳动保障监察支队已责令企业支付工资。", "已向来电人解释相关政策。",
					 "已为来电人办理相关手续。"};
static const struct em_desc RS12333 = {
	.code = "rs12333", .hotline = "12333", .dept = "人社部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = RS_CATS, .ncats = EM_ARRLEN(RS_CATS), .unmapped = RS_UNMAPPED, .nunmapped = EM_ARRLEN(RS_UNMAPPED),
	.units = RS_UNITS, .nunits = EM_ARRLEN(RS_UNITS),
	.fillers = RS_FILLERS, .nfillers = EM_ARRLEN(RS_FILLERS),
	.results = RS_RESULTS, .nresults = EM_ARRLEN(RS_RESULTS),
	.companies = RS_COMPANIES, .ncompanies = EM_ARRLEN(RS_COMPANIES),
	.status = {"已受理", "已转办", "办理中", "已答复", "已办结", "已归档", "无效件"},
	.satis = MY_SATIS3, .satis_w = MY_SATIS3_W, .nsatis = 3, .ppm_no_satis = 150000, .satis_none = "未评价",
	MY_DESC_COMMON,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000},
	.make_id = rs_id,
};
static const struct my_sys MY_RS = {
	.d = &RS12333, .table = "rs_rxgd", .charset = "gbk", .comment = "人社热线工单", .enc = MY_GBK,
	MY_COLS("xh", "gdbh", "slsj", "xm", "dh", "lxdh", "sfzh", "dz", "zt", "nr", "lb", "lbmc", "lx",
		"zt_mc", "bldw", "bjsj", "bljg", "myd", "gxsj", NULL),
	.satis = MY_SATIS3,
};

/* ---- sf12348 公共法律服务: utf8mb4, soft-deleted rows ---- */
static const struct em_catdef SF_CATS[] = {
	{"SF01", NULL, 12, {"咨询离婚时财产如何分割。", "邻居占用了我家的宅基地，咨询怎么起诉。", NULL}},
	{"SF02", NULL, 8, {"申请法律援助，被{C}拖欠工资{M}元。", NULL, NULL}},
	{"SF03", NULL, 5, {"咨询办理公证需要哪些材料。", NULL, NULL}},
	{"SF04", NULL, 4, {"{K}邻里纠纷，希望人民调解。", NULL, NULL}},
	{"SF05", NULL, 3, {"律师收费不合理，要求处理。", NULL, NULL}},
};
static const struct em_unmapped SF_UNMAPPED[] = {{"SF00", "其他", NULL}, {"FL99", "法律（旧）", NULL}};
static const char *const SF_UNITS[] = {"市司法局", "司法局", "嘉峪关市司法局", "市法律援助中心", "市公证处"};
static const char *const SF_COMPANIES[] = {"某建筑公司", "某劳务公司", "某装修公司"};
static const char *const SF_FILLERS[] = {"来电人经济困难。", "来电人要求律师回电。"};
static const char *const SF_RESULTS[] = {"已由值班律师解答。", "已指导来电人申请法律援助。", "已转人民调解委员会调解。"};
static const char *const SF_SATIS[] = {"5", "4", "3", "2", "1"};
static const struct em_desc SF12348 = {
	.code = "sf12348", .hotline = "12348", .dept = "司法行政部门",
	.y0 = 2017, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = SF_CATS, .ncats = EM_ARRLEN(SF_CATS), .unmapped = SF_UNMAPPED, .nunmapped = EM_ARRLEN(SF_UNMAPPED),
	.units = SF_UNITS, .nunits = EM_ARRLEN(SF_UNITS),
	.fillers = SF_FILLERS, .nfillers = EM_ARRLEN(SF_FILLERS),
	.results = SF_RESULTS, .nresults = EM_ARRLEN(SF_RESULTS),
	.companies = SF_COMPANIES, .ncompanies = EM_ARRLEN(SF_COMPANIES),
	.status = {"NEW", "DISP", "DOING", "REPLY", "DONE", "ARCH", "INVALID"},
	.satis = SF_SATIS, .satis_w = MY_SATIS5_W, .nsatis = 5, .ppm_no_satis = 150000,
	MY_DESC_COMMON, .ppm_rare = 2000, .gb18030_names = true,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000},
	.make_id = sf_id,
};
static const struct my_sys MY_SF = {
	.d = &SF12348, .table = "flfw_gd", .charset = "utf8mb4", .comment = "法律服务工单", .enc = MY_UTF8,
	MY_COLS("id", "gdbh", "ldsj", "xm", "lxdh", "bydh", "sfzh", "dz", "bt", "nr", "lbdm", "lbmc", "lx",
		"zt", "cbdw", "bjsj", "dfnr", "myd", "gxsj", "is_deleted"),
	.satis = SF_SATIS,
};

/* ---- jr12378 银行保险: utf8mb4, incremental by gxsj ---- */
static const struct em_catdef JR_CATS[] = {
	{"JR01", NULL, 10, {"{C}信用卡乱收年费{M}元。", "{C}贷款提前还款收取违约金。", NULL}},
	{"JR02", NULL, 8, {"{C}理赔拖延，已经{N}天没有答复。", "保险销售时夸大收益。", NULL}},
	{"JR03", NULL, 5, {"{C}网点排队时间太长。", NULL, NULL}},
	{"JR04", NULL, 4, {"银行卡被盗刷{M}元。", NULL, NULL}},
	{"JR05", NULL, 3, {"咨询存款保险的保障范围。", NULL, NULL}},
};
static const struct em_unmapped JR_UNMAPPED[] = {{"JR00", "其他", NULL}, {"YJ99", "银监（旧）", NULL}};
static const char *const JR_UNITS[] = {"金融监管总局嘉峪关监管分局", "嘉峪关监管分局", "监管分局消保科", "某银行嘉峪关分行",
				       "某保险公司嘉峪关中心支公司"};
static const char *const JR_COMPANIES[] = {"某银行", "某农商银行", "某财产保险公司", "某人寿保险公司"};
static const char *const JR_FILLERS[] = {"来电人已向机构投诉过。", "来电人要求退还费用。"};
static const char *const JR_RESULTS[] = {"机构已退还相关费用。", "已督促机构与消费者协商解决。", "经核实，机构收费符合合同约定。"};
static const char *const JR_SATIS[] = {"1", "2", "3"};
static const struct em_desc JR12378 = {
	.code = "jr12378", .hotline = "12378", .dept = "金融监管部门",
	.y0 = 2018, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = JR_CATS, .ncats = EM_ARRLEN(JR_CATS), .unmapped = JR_UNMAPPED, .nunmapped = EM_ARRLEN(JR_UNMAPPED),
	.units = JR_UNITS, .nunits = EM_ARRLEN(JR_UNITS),
	.fillers = JR_FILLERS, .nfillers = EM_ARRLEN(JR_FILLERS),
	.results = JR_RESULTS, .nresults = EM_ARRLEN(JR_RESULTS),
	.companies = JR_COMPANIES, .ncompanies = EM_ARRLEN(JR_COMPANIES),
	.status = {"10", "20", "30", "40", "50", "60", "99"},
	.satis = JR_SATIS, .satis_w = MY_SATIS3_W, .nsatis = 3, .ppm_no_satis = 150000,
	MY_DESC_COMMON, .ppm_rare = 2000, .gb18030_names = true,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000},
	.make_id = jr_id,
};
static const struct my_sys MY_JR = {
	.d = &JR12378, .table = "xbts_gd", .charset = "utf8mb4", .comment = "消保投诉工单", .enc = MY_UTF8,
	MY_COLS("id", "tsbh", "tssj", "tsrxm", "tsrdh", "lxdh", "zjhm", "dz", "bt", "tsnr", "tslb", "lbmc", "lx",
		"clzt", "bljg", "bjsj", "cljg", "myd", "gxsj", NULL),
	.satis = JR_SATIS,
};

/* ---- yc12313 烟草专卖: gbk, incremental, deletes at the source ---- */
static const struct em_catdef YC_CATS[] = {
	{"YC01", NULL, 10, {"{S}无证销售卷烟。", "{R}有人销售假烟。", NULL}},
	{"YC02", NULL, 6, {"{S}向未成年人售烟。", NULL, NULL}},
	{"YC03", NULL, 4, {"咨询烟草专卖零售许可证的办理。", NULL, NULL}},
	{"YC04", NULL, 3, {"{S}卷烟价格高于标价。", NULL, NULL}},
};
static const struct em_unmapped YC_UNMAPPED[] = {{"YC00", "其他", NULL}, {"ZM99", "专卖（旧）", NULL}};
static const char *const YC_UNITS[] = {"嘉峪关市烟草专卖局", "市烟草专卖局", "烟草局", "市烟草专卖局稽查大队"};
static const char *const YC_FILLERS[] = {"举报人要求保密。", "举报人愿意配合调查。"};
static const char *const YC_RESULTS[] = {"经查属实，已依法查处。", "经查不属实。", "已向来电人解释许可证办理流程。"};
static const struct em_desc YC12313 = {
	.code = "yc12313", .hotline = "12313", .dept = "烟草专卖部门",
	.y0 = 2016, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = YC_CATS, .ncats = EM_ARRLEN(YC_CATS), .unmapped = YC_UNMAPPED, .nunmapped = EM_ARRLEN(YC_UNMAPPED),
	.units = YC_UNITS, .nunits = EM_ARRLEN(YC_UNITS),
	.fillers = YC_FILLERS, .nfillers = EM_ARRLEN(YC_FILLERS),
	.results = YC_RESULTS, .nresults = EM_ARRLEN(YC_RESULTS),
	.status = {"受理", "转办", "办理", "答复", "办结", "归档", "无效"},
	.satis = MY_SATIS3, .satis_w = MY_SATIS3_W, .nsatis = 3, .ppm_no_satis = 150000, .satis_none = "未评价",
	MY_DESC_COMMON,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000},
	.make_id = yc_id,
};
static const struct my_sys MY_YC = {
	.d = &YC12313, .table = "jb_gd", .charset = "gbk", .comment = "举报工单", .enc = MY_GBK,
	MY_COLS("id", "jbbh", "jbsj", "jbrxm", "jbrdh", "lxdh", "sfzh", "dz", "bt", "jbnr", "lb", "lbmc", "lx",
		"zt", "cbdw", "bjsj", "cljg", "myd", "gxsj", NULL),
	.satis = MY_SATIS3,
};

/* ---- tx12300 电信用户申诉: utf8mb4, provincial, order numbers ---- */
static const struct em_catdef TX_CATS[] = {
	{"TX01", NULL, 10, {"{C}宽带经常断网，报修{N}天没人来。", "{C}手机信号太差。", NULL}},
	{"TX02", NULL, 8, {"{C}乱扣话费{M}元。", "{C}未经同意开通增值业务。", NULL}},
	{"TX03", NULL, 4, {"携号转网被{C}拒绝。", NULL, NULL}},
	{"TX04", NULL, 4, {"经常收到骚扰电话和垃圾短信。", NULL, NULL}},
};
static const struct em_unmapped TX_UNMAPPED[] = {{"TX00", "其他", NULL}, {"DX99", "电信（旧）", NULL}};
static const char *const TX_UNITS[] = {"甘肃省通信管理局", "省通信管理局", "通信管理局", "某运营商嘉峪关分公司"};
static const char *const TX_COMPANIES[] = {"中国移动", "中国联通", "中国电信", "中国广电"};
static const char *const TX_FILLERS[] = {"用户已向运营商投诉过。", "用户要求退还费用。"};
static const char *const TX_RESULTS[] = {"运营商已退还相关费用。", "已修复线路。", "已督促运营商与用户协商解决。"};
static const struct em_desc TX12300 = {
	.code = "tx12300", .hotline = "12300", .dept = "通信管理部门",
	.y0 = 2017, .m0 = 1, .y1 = 2025, .m1 = 7,
	.cats = TX_CATS, .ncats = EM_ARRLEN(TX_CATS), .unmapped = TX_UNMAPPED, .nunmapped = EM_ARRLEN(TX_UNMAPPED),
	.units = TX_UNITS, .nunits = EM_ARRLEN(TX_UNITS),
	.fillers = TX_FILLERS, .nfillers = EM_ARRLEN(TX_FILLERS),
	.results = TX_RESULTS, .nresults = EM_ARRLEN(TX_RESULTS),
	.companies = TX_COMPANIES, .ncompanies = EM_ARRLEN(TX_COMPANIES),
	.status = {"S01", "S02", "S03", "S04", "S05", "S06", "S09"},
	.satis = MY_SATIS5, .satis_w = MY_SATIS5_W, .nsatis = 5, .ppm_no_satis = 150000,
	MY_DESC_COMMON, .ppm_rare = 2000, .gb18030_names = true,
	.fault_ppm = {[EM_F_ZERO_DATE] = 10000, [EM_F_INVALID_DATE] = 5000},
	.make_id = tx_id,
};
static const struct my_sys MY_TX = {
	.d = &TX12300, .table = "yhss_gd", .charset = "utf8mb4", .comment = "用户申诉工单", .enc = MY_UTF8,
	MY_COLS("id", "gdh", "sssj", "yhxm", "yhdh", "lxdh", "zjhm", "dz", "bt", "ssnr", "sslb", "lbmc", "lx",
		"zt", "cldw", "bjsj", "cljg", "myd", "gxsj", NULL),
	.satis = MY_SATIS5,
};

void gen_gjj12329(const char *dir) { gen_mysql(dir, &MY_GJJ); }
void gen_rs12333(const char *dir) { gen_mysql(dir, &MY_RS); }
void gen_sf12348(const char *dir) { gen_mysql(dir, &MY_SF); }
void gen_jr12378(const char *dir) { gen_mysql(dir, &MY_JR); }
void gen_yc12313(const char *dir) { gen_mysql(dir, &MY_YC); }
void gen_tx12300(const char *dir) { gen_mysql(dir, &MY_TX); }
