/*
 * gen12319 -- deterministic, seeded generator of the legacy 12319 (城管热线,
 * Jiayuguan) MySQL/MariaDB database, plus its ground truth.
 *
 *   gen12319 --rows N [--seed S] --out DIR [--database NAME] [--utf8-copy]
 *            [--playbook-dir DIR] [--method auto|load|insert]
 *
 * Connects with libmariadb to the unix socket named by MYSQL_UNIX_PORT, as
 * MIGRATE_MYSQL_USER (default root) with MIGRATE_MYSQL_PASSWORD (optional).
 * Drops and recreates the database (default legacy_cg12319), fills gd_jbxx
 * (latin1 declared, GBK/GB18030 bytes stored) and writes DIR/expected.json
 * and DIR/intended.tsv.  See tests/gen/README.md.
 *
 * Rows reach the server through LOAD DATA LOCAL INFILE fed by a libmariadb
 * local-infile callback that generates rows on demand (or, with --method
 * insert or a server without local_infile, through ~1 MB multi-row INSERTs),
 * on a connection whose charset is "binary", in one transaction, with
 * sql_mode='ALLOW_INVALID_DATES'.  Afterwards the stored data is re-read and
 * checked (counts, zero/invalid dates, bytes of the first rows).
 *
 * Everything random comes from one splitmix64 stream seeded with S and only
 * integer arithmetic is used, so the output is identical on every machine.
 * Memory does not grow with N: rows are generated, written and forgotten;
 * only a small queue of pending duplicates is kept.
 */
#include <errno.h>
#include <getopt.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <mysql.h>

#include "vocab.h"

#define ARRLEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* rates, in parts per million                                         */
/* ------------------------------------------------------------------ */
#define PPM_ZERO_DATE    10000 /* a) ldsj = 0000-00-00 00:00:00          */
#define PPM_INVALID_DATE  5000 /* b) ldsj = 2019-02-30 ...               */
#define PPM_UNDECODABLE   3000 /* c) invalid GB18030 bytes in sqnr       */
#define PPM_DUPLICATE    10500 /* d) exact copy of a clean row, later    */
#define PPM_UNMAPPED     20000 /* e) wtlb not in categories.csv          */
#define PPM_RARE_NAME     2000 /* name with a GB18030 four-byte char     */
#define PPM_TRAIL_NAME    5000 /* name with a 0x5C/0x7C trail-byte char  */

#define STMT_FLUSH   (1024u * 1024u)  /* flush a multi-row INSERT at ~1 MB */
#define TEXT_CAP     2048             /* bytes per text field (UTF-8)     */
#define DUPQ_CAP     16               /* pending duplicates               */
#define NCHECK       16               /* rows re-read from the server     */
#define NMONTHS      120              /* 2016-01 .. 2025-12               */

/* ------------------------------------------------------------------ */
/* errors                                                              */
/* ------------------------------------------------------------------ */
static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("gen12319: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64                                                    */
/* ------------------------------------------------------------------ */
static uint64_t rng_state;

static uint64_t rnd64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* uniform in [0, n), n < 2^32 */
static uint32_t rnd_below(uint32_t n)
{
    if (n == 0)
        return 0;
    return (uint32_t)(((rnd64() >> 32) * (uint64_t)n) >> 32);
}

/* uniform in [lo, hi] */
static int rnd_range(int lo, int hi)
{
    return lo + (int)rnd_below((uint32_t)(hi - lo + 1));
}

static bool chance(uint32_t ppm)
{
    return rnd_below(1000000u) < ppm;
}

#define PICK(arr) ((arr)[rnd_below((uint32_t)ARRLEN(arr))])

/* ------------------------------------------------------------------ */
/* calendar (proleptic Gregorian, integer only)                         */
/* ------------------------------------------------------------------ */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int month_len(int y, int m)
{
    static const int ml[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return ml[m - 1];
}

/* seconds since 1970-01-01 00:00:00, local wall time (no zone) */
static void fmt_dt(int64_t t, char out[24])
{
    int y, m, d;
    int64_t days = t / 86400, s = t % 86400;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, 24, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(s / 3600),
             (int)(s / 60 % 60), (int)(s % 60));
}

/* ------------------------------------------------------------------ */
/* encoding: UTF-8 -> GBK table built with iconv at start-up            */
/* ------------------------------------------------------------------ */
static uint16_t *gbk_of; /* code point (BMP) -> GBK 2-byte code; 0 = not allowed */
static iconv_t cd_u2gb18030;

/* Decode one UTF-8 sequence at p (valid UTF-8 assumed, produced by us). */
static uint32_t utf8_dec(const unsigned char *p, size_t *adv)
{
    if (p[0] < 0x80) {
        *adv = 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0) {
        *adv = 2;
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    }
    if ((p[0] & 0xF0) == 0xE0) {
        *adv = 3;
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    *adv = 4;
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
           ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

static size_t utf8_enc(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Convert with iconv; returns converted length or (size_t)-1. */
static size_t iconv_buf(iconv_t cd, const char *in, size_t inlen, char *out, size_t outcap)
{
    char *ip = (char *)(uintptr_t)in, *op = out;
    size_t il = inlen, ol = outcap;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
        return (size_t)-1;
    if (iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
        return (size_t)-1;
    return (size_t)(op - out);
}

/*
 * For every BMP code point: encode with iconv("GBK","UTF-8"); keep it only
 * if the result is two bytes and decodes back to the same code point with
 * iconv("UTF-8","GB18030") -- so that what we store reads back as the
 * intended text through a GB18030 decoder.
 */
static void build_gbk_table(void)
{
    iconv_t enc = iconv_open("GBK", "UTF-8");
    iconv_t dec = iconv_open("UTF-8", "GB18030");
    cd_u2gb18030 = iconv_open("GB18030", "UTF-8");
    if (enc == (iconv_t)-1 || dec == (iconv_t)-1 || cd_u2gb18030 == (iconv_t)-1)
        die("iconv_open GBK/GB18030: %s", strerror(errno));
    gbk_of = calloc(65536, sizeof *gbk_of);
    if (!gbk_of)
        die("out of memory");
    for (uint32_t cp = 0x80; cp < 0x10000; cp++) {
        if (cp >= 0xD800 && cp < 0xE000)
            continue;
        if (cp >= 0xE000 && cp < 0xF900)
            continue; /* private use: never */
        char u[4], g[8], back[8];
        size_t ul = utf8_enc(cp, u);
        size_t gl = iconv_buf(enc, u, ul, g, sizeof g);
        if (gl != 2)
            continue;
        size_t bl = iconv_buf(dec, g, 2, back, sizeof back);
        if (bl != ul || memcmp(back, u, ul) != 0)
            continue;
        gbk_of[cp] = (uint16_t)(((unsigned char)g[0] << 8) | (unsigned char)g[1]);
    }
    iconv_close(enc);
    iconv_close(dec);
}

/* UTF-8 -> GBK; false if some character has no (round-trip safe) GBK code */
static bool enc_gbk(const char *u, size_t n, char *out, size_t cap, size_t *outlen)
{
    const unsigned char *p = (const unsigned char *)u, *e = p + n;
    size_t o = 0;
    while (p < e) {
        if (o + 2 > cap)
            die("internal: GBK buffer overflow");
        if (*p < 0x80) {
            out[o++] = (char)*p++;
            continue;
        }
        size_t adv;
        uint32_t cp = utf8_dec(p, &adv);
        if (cp >= 0x10000 || gbk_of[cp] == 0)
            return false;
        out[o++] = (char)(gbk_of[cp] >> 8);
        out[o++] = (char)(gbk_of[cp] & 0xFF);
        p += adv;
    }
    *outlen = o;
    return true;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* ------------------------------------------------------------------ */
/* characters with GBK trail byte 0x5C / 0x7C, checked at start-up */
static const char *const TRAIL_CHARS[] = {
    "弢", "珅", "昞", "琝", "瑋", "誠", "錦", "東", "億", "運", "遼", "質", "縷", "墊", "觸",
};
static const char *const SHOPS[] = {
    "兰州牛肉面馆", "老王烧烤", "便民超市", "川味火锅店", "好再来饭店", "阳光洗车行",
    "鸿运五金店", "惠民药店", "丰收农贸市场", "家家乐超市", "小刘水果店", "金鼎KTV",
};
static const char *const OLD_DISTRICTS[] = {"雄关区", "长城区", "镜铁区"};
static const char *const VILLAGES[3][5] = {
    {"河口村", "塔湾村", "石桥村", "冯家沟村", "文殊村"},
    {"黄草营村", "断山口村", "嘉峪关村", "安远沟村", "峪泉村"},
    {"新城村", "观蒲村", "长城村", "野麻湾村", "横沟村"},
};
static const char *const UNITS[] = {
    "嘉峪关市城市管理局", "市城管局", "城管执法局", "市城市管理综合执法局",
    "嘉峪关市城市管理局执法支队一大队", "嘉峪关市城市管理局执法支队二大队",
    "雄关街道办事处", "钢城街道办事处", "文殊镇人民政府", "峪泉镇人民政府",
    "新城镇人民政府", "市住房和城乡建设局", "市环境卫生管理处", "市园林绿化管理处",
    "市生态环境局", "市公安局交警支队", "市市政设施管理处", "城管执法大队",
};
/* spellings of UNITS that units.csv must NOT list: 城管执法大队 could be either
 * 执法支队一大队 or 二大队, so the toolkit keeps it and counts unit_unknown */
static const char *const UNKNOWN_UNITS[] = {"城管执法大队"};

/* request types, cumulative weights (per mille) */
static const char *const SQLX[] = {"投诉", "求助", "咨询", "举报", "建议", "表扬", "其他"};
static const int SQLX_W[] = {450, 150, 150, 100, 80, 30, 40};

/* content per legacy category: {S}=shop {R}=road {N}=2..30 {H}=hour {T}=temperature */
typedef struct {
    const char *code;
    int weight;
    const char *p[3];
} catinfo_t;

static const catinfo_t CATINFO[] = {
    {"CG0101", 12, {"{S}长期在店外摆放桌椅和货物占道经营，行人只能走机动车道。",
                    "{R}人行道上有多家商户占道经营，其中{S}尤其严重。",
                    "每天早上有商贩在路口占道卖菜，造成交通拥堵。"}},
    {"CG0102", 6, {"{R}路口每天晚上聚集大量流动摊贩，垃圾随地乱扔。",
                   "学校门口有流动摊贩售卖来源不明的食品，存在安全隐患。", NULL}},
    {"CG0103", 3, {"小区楼道和单元门上贴满了小广告，清理后很快又被贴上。",
                   "{R}沿线电线杆上到处是办证、开锁小广告。", NULL}},
    {"CG0104", 3, {"{S}的户外广告牌松动，大风天气有掉落危险。",
                   "{R}有商户私自设置大型广告牌，遮挡了居民窗户。", NULL}},
    {"CG0201", 8, {"小区垃圾箱已经{N}天没有清运，垃圾堆积散发异味。",
                   "{R}的垃圾转运站清运不及时，周边臭味很大。", NULL}},
    {"CG0202", 6, {"{R}路面脏乱，环卫工人很久没有清扫。", "公共厕所卫生状况很差，长期无人打扫。",
                   NULL}},
    {"CG0203", 3, {"有人在{R}附近空地偷倒建筑垃圾，已经堆成小山。",
                   "装修产生的建筑垃圾堆放在楼道口，无人清理。", NULL}},
    {"CG0301", 8, {"小区一楼住户私自扩建院子，搭建彩钢房。", "楼顶有人违章搭建阳光房，存在安全隐患。",
                   NULL}},
    {"CG0302", 4, {"{S}在店后私搭乱建库房，占用了消防通道。",
                   "有住户在小区绿地上私搭棚子堆放杂物。", NULL}},
    {"CG0401", 5, {"{R}有{N}盏路灯不亮，晚上出行很不安全。",
                   "小区门口的路灯损坏很久了，一直没有人维修。", NULL}},
    {"CG0402", 4, {"{R}人行道上有一个井盖缺失，已经有行人差点掉进去。",
                   "路口的雨水井盖破损下陷，车辆经过时声音很大。", NULL}},
    {"CG0403", 4, {"{R}路面出现大坑，下雨后积水严重。", "人行道地砖大面积松动破损，老人容易摔倒。",
                   NULL}},
    {"CG0404", 3, {"{R}雨水管道堵塞，每次下雨路面积水很深。", "小区污水井返水，污水流到了路面上。",
                   NULL}},
    {"CG0501", 3, {"有人在{R}绿化带内种菜，破坏了绿化。", "{S}门前的绿化带被车辆碾压损毁。", NULL}},
    {"CG0502", 3, {"楼前的树木太高，遮挡了低层住户的采光，希望修剪。",
                   "{R}行道树有枯死树枝，存在掉落隐患。", NULL}},
    {"CG0601", 9, {"{S}每天晚上{H}点以后还在播放音乐，声音很大。",
                   "楼下广场舞音响声音过大，严重影响休息。",
                   "{S}门口安装的音箱整天循环播放促销广告。"}},
    {"CG0602", 5, {"{R}附近工地夜间施工，{H}点以后还在作业。",
                   "小区内有住户装修，周末早上七点就开始电钻施工。", NULL}},
    {"CG0701", 6, {"{S}的油烟直排，没有安装油烟净化设备，楼上住户无法开窗。",
                   "{R}烧烤摊油烟很大，整条街都是烟味。", NULL}},
    {"CG0702", 2, {"有人在{R}附近露天焚烧垃圾和树叶，烟雾很大。", "小区旁空地经常有人焚烧废旧电缆。",
                   NULL}},
    {"CG0703", 3, {"{R}工地没有覆盖防尘网，刮风时尘土飞扬。", "渣土车未密闭运输，沿路撒漏严重。",
                   NULL}},
    {"CG0801", 4, {"{S}门前人行道上停满了车辆，行人无法通行。", "{R}路边车辆乱停乱放，堵塞了消防通道。",
                   NULL}},
    {"CG0802", 2, {"{R}的盲道被共享单车和电动车占用。", "{S}在盲道上堆放货物。", NULL}},
    {"CG0901", 3, {"家中暖气温度只有{T}度左右，达不到供暖标准。", "小区供暖管道漏水，楼道内结冰。",
                   NULL}},
    {"CG9900", 3, {"{R}有一处设施需要相关部门协调处理。", "咨询城市管理方面的相关政策规定。", NULL}},
};
static const char *const GENERIC_PROBLEM[] = {
    "{R}附近有问题需要城管部门协调处理。",
    "{S}附近环境秩序较差。",
};

/* category codes the generator emits that are NOT in categories.csv */
static const char *const UNMAPPED[][2] = {
    {"CG9901", "历史遗留问题"},
    {"CG9902", "数字城管案件"},
    {"CG1101", "市容秩序（旧）"},
    {"X12", "其它"},
};
#define DEFAULT_CATEGORY "1299"

static const char *const FILLERS[] = {
    "该问题已经持续了{N}天。",
    "来电人表示此前已多次反映，但问题一直没有得到解决。",
    "周边居民意见很大。",
    "严重影响了周边居民的正常生活。",
    "来电人希望相关部门尽快到现场核实处理。",
    "请城管部门依法查处。",
    "来电人要求将处理结果及时反馈。",
    "附近{S}门口也存在类似情况。",
    "来电人称已经拍照留存证据。",
    "该路段是学生上下学的必经之路，存在安全隐患。",
    "来电人情绪比较激动。",
    "希望能够彻底解决，不要反弹。",
    "工作人员已告知来电人会将诉求转交相关部门办理。",
    "来电人说{S}的老板态度很差。",
    "来电人愿意配合调查。",
    "来电人称自己是附近的住户，每天上下班都要经过这里。",
    "来电人表示如果问题得不到解决，将向上级部门反映。",
    "来电人的家中有老人和小孩，受影响较大。",
    "此前社区工作人员来过一次，但没有效果。",
    "来电人不清楚该问题归哪个部门管理，希望热线帮助协调。",
    "来电人反映的时间段主要集中在晚上和周末。",
    "来电人希望城管部门能够建立长效管理机制。",
    "来电人表示可以提供照片和视频。",
    "附近几栋楼的居民都有同样的意见。",
    "来电人要求处理后回访。",
    "来电人称{R}一带这种情况比较普遍。",
    "天气转暖后情况更加严重。",
    "来电人说{N}号楼的邻居也打过电话。",
};
/* sentences that exercise escaping: ASCII quotes, backslashes, tab, literal \N */
static const char *const SPECIAL[] = {
    "商户称\"这是我家门口，你们管不着\"。",
    "门头招牌上写着'BEST'字样。",
    "来电人发来的照片文件名为IMG\\2021\\0701.jpg。",
    "原系统备注：\\N。",
    "联系人：\t王先生。",
    "截图保存在D:\\照片\\投诉\\目录下。",
    "他说：\"I'm not moving\"，然后走了。",
};
static const char *const REPLY_OPEN[] = {
    "经核查，", "您好，", "接到工单后，{U}立即安排人员到现场核实。", "经现场核实，", "",
};
static const char *const REPLY_RESULT[] = {
    "来电反映的{L}问题属实，执法人员已责令当事人立即整改。",
    "已对相关商户进行批评教育，并下达了限期整改通知书。",
    "{U}已安排人员进行处理，目前已恢复正常。",
    "现场未发现来电人反映的情况，将加强该区域巡查。",
    "该问题不属于我单位职责范围，已告知来电人向相关部门反映。",
    "已联系环卫部门进行清运，现场已清理干净。",
    "已对违法建筑下达拆除通知，当事人已自行拆除。",
};
static const char *const REPLY_EXTRA[] = {
    "目前已整改到位。", "已安排专人每日巡查。", "已将相关情况通报属地街道。",
    "{S}已按要求整改。",
};
static const char *const REPLY_CLOSE[] = {
    "下一步将加大巡查力度，防止问题反弹。",
    "已电话回复来电人，来电人表示认可。",
    "感谢您对城市管理工作的支持。",
    "如有疑问请拨打12319城管热线。",
};

/* ------------------------------------------------------------------ */
/* playbook tables (read from CSV)                                     */
/* ------------------------------------------------------------------ */
typedef struct {
    char *code, *name, *unified;
    const catinfo_t *info; /* content templates, or NULL (generic) */
    int weight;
    uint64_t loaded; /* loaded rows with this legacy code */
} category_t;

static category_t *cats;
static size_t ncats;
static int cat_wsum;

/* status codes 01..06 and satisfaction 1..3 */
static char *status_unified[7];
static char *satis_unified[4];
static uint64_t status_loaded[7];
static uint64_t unmapped_loaded;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open %s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1024 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf)
                die("out of memory");
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    if (ferror(f))
        die("read %s failed", path);
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/*
 * Minimal CSV reader (RFC 4180 quoting, optional BOM, LF or CRLF).
 * Returns the number of data rows; *out is rows*ncols malloc'd strings.
 * The header must equal hdr exactly.
 */
static size_t csv_load(const char *path, const char *const *hdr, size_t ncols, char ***out)
{
    size_t len;
    char *buf = read_file(path, &len);
    char *p = buf, *end = buf + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    size_t cap = 64, nf = 0, line = 1;
    char **fields = xmalloc(cap * sizeof *fields);
    char *field = xmalloc(len + 1);
    char *row[16];
    size_t nrow = 0, ncol = 0;
    bool header_done = false;
    while (p < end) {
        /* parse one record */
        ncol = 0;
        for (;;) {
            size_t fl = 0;
            if (p < end && *p == '"') {
                p++;
                for (;;) {
                    if (p >= end)
                        die("%s:%zu: unterminated quote", path, line);
                    if (*p == '"') {
                        if (p + 1 < end && p[1] == '"') {
                            field[fl++] = '"';
                            p += 2;
                            continue;
                        }
                        p++;
                        break;
                    }
                    if (*p == '\n')
                        line++;
                    field[fl++] = *p++;
                }
            } else {
                while (p < end && *p != ',' && *p != '\n' && *p != '\r')
                    field[fl++] = *p++;
            }
            field[fl] = 0;
            if (ncol >= ARRLEN(row))
                die("%s:%zu: too many columns", path, line);
            row[ncol++] = xstrdup(field);
            if (p < end && *p == ',') {
                p++;
                continue;
            }
            if (p < end && *p == '\r')
                p++;
            if (p < end && *p == '\n')
                p++;
            break;
        }
        if (ncol == 1 && row[0][0] == 0) { /* blank line */
            free(row[0]);
            line++;
            continue;
        }
        if (ncol != ncols)
            die("%s:%zu: expected %zu columns, got %zu", path, line, ncols, ncol);
        if (!header_done) {
            for (size_t i = 0; i < ncols; i++) {
                if (strcmp(row[i], hdr[i]) != 0)
                    die("%s: bad header (column %zu is '%s', want '%s')", path, i + 1, row[i],
                        hdr[i]);
                free(row[i]);
            }
            header_done = true;
        } else {
            for (size_t i = 0; i < ncols; i++) {
                if (nf >= cap) {
                    cap *= 2;
                    fields = realloc(fields, cap * sizeof *fields);
                    if (!fields)
                        die("out of memory");
                }
                fields[nf++] = row[i];
            }
            nrow++;
        }
        line++;
    }
    if (!header_done)
        die("%s: empty file", path);
    free(field);
    free(buf);
    *out = fields;
    return nrow;
}

/* units.csv (alias,canonical) and districts.csv (old,new): what the playbook
 * makes of handling_unit and address; the ground truth applies them the way
 * docs/playbooks.md "Normalisation" says the toolkit does */
static char **unit_tab, **dist_tab;
static size_t nunits, ndists;

enum { UNIT_CANONICAL, UNIT_ALIAS, UNIT_UNKNOWN };

/* an alias becomes its canonical name; a canonical name or an unknown name stays */
static const char *unit_map(const char *s, int *kind)
{
    for (size_t i = 0; i < nunits; i++)
        if (strcmp(unit_tab[i * 2], s) == 0) {
            *kind = strcmp(unit_tab[i * 2 + 1], s) ? UNIT_ALIAS : UNIT_CANONICAL;
            return unit_tab[i * 2 + 1];
        }
    for (size_t i = 0; i < nunits; i++)
        if (strcmp(unit_tab[i * 2 + 1], s) == 0) {
            *kind = UNIT_CANONICAL;
            return s;
        }
    *kind = UNIT_UNKNOWN;
    return s;
}

static void load_playbook(const char *dir)
{
    char path[4096];
    char **f;
    size_t n;

    static const char *const chdr[] = {"legacy_code", "legacy_name", "unified_code"};
    snprintf(path, sizeof path, "%s/categories.csv", dir);
    n = csv_load(path, chdr, 3, &f);
    if (n == 0)
        die("%s: no categories", path);
    cats = calloc(n, sizeof *cats);
    if (!cats)
        die("out of memory");
    ncats = n;
    for (size_t i = 0; i < n; i++) {
        category_t *c = &cats[i];
        c->code = f[i * 3];
        c->name = f[i * 3 + 1];
        c->unified = f[i * 3 + 2];
        if (!c->code[0] || strlen(c->code) > 16 || !c->name[0] || strlen(c->name) > 30)
            die("%s: bad row %zu", path, i + 2);
        for (size_t j = 0; j < i; j++)
            if (strcmp(cats[j].code, c->code) == 0)
                die("%s: duplicate legacy_code %s", path, c->code);
        c->weight = 1;
        for (size_t k = 0; k < ARRLEN(CATINFO); k++)
            if (strcmp(CATINFO[k].code, c->code) == 0) {
                c->info = &CATINFO[k];
                c->weight = CATINFO[k].weight;
            }
        cat_wsum += c->weight;
    }
    for (size_t k = 0; k < ARRLEN(UNMAPPED); k++)
        for (size_t i = 0; i < n; i++)
            if (strcmp(UNMAPPED[k][0], cats[i].code) == 0)
                die("%s: %s must stay unmapped (the generator uses it for unmapped rows)", path,
                    cats[i].code);
    free(f);

    static const char *const shdr[] = {"legacy", "unified"};
    snprintf(path, sizeof path, "%s/status.csv", dir);
    n = csv_load(path, shdr, 2, &f);
    for (size_t i = 0; i < n; i++) {
        const char *l = f[i * 2];
        if (strlen(l) == 2 && l[0] == '0' && l[1] >= '1' && l[1] <= '6' &&
            !status_unified[l[1] - '0'])
            status_unified[l[1] - '0'] = f[i * 2 + 1];
        else
            free(f[i * 2 + 1]);
        free(f[i * 2]);
    }
    for (int s = 1; s <= 6; s++)
        if (!status_unified[s])
            die("%s: status 0%d missing", path, s);
    free(f);

    snprintf(path, sizeof path, "%s/satisfaction.csv", dir);
    n = csv_load(path, shdr, 2, &f);
    for (size_t i = 0; i < n; i++) {
        const char *l = f[i * 2];
        if (strlen(l) == 1 && l[0] >= '1' && l[0] <= '3' && !satis_unified[l[0] - '0'])
            satis_unified[l[0] - '0'] = f[i * 2 + 1];
        else
            free(f[i * 2 + 1]);
        free(f[i * 2]);
    }
    for (int s = 1; s <= 3; s++)
        if (!satis_unified[s])
            die("%s: satisfaction %d missing", path, s);
    free(f);

    static const char *const uhdr[] = {"alias", "canonical"};
    snprintf(path, sizeof path, "%s/units.csv", dir);
    nunits = csv_load(path, uhdr, 2, &unit_tab);
    for (size_t i = 0; i < ARRLEN(UNITS); i++) {
        int kind;
        bool want_unknown = false;
        unit_map(UNITS[i], &kind);
        for (size_t k = 0; k < ARRLEN(UNKNOWN_UNITS); k++)
            want_unknown |= strcmp(UNITS[i], UNKNOWN_UNITS[k]) == 0;
        if (want_unknown && kind != UNIT_UNKNOWN)
            die("%s: %s must stay unknown (the generator uses it for unit_unknown)", path, UNITS[i]);
        if (!want_unknown && kind == UNIT_UNKNOWN)
            die("%s: the generator writes the unit %s: list it (alias,canonical)", path, UNITS[i]);
    }

    static const char *const dhdr[] = {"old", "new"};
    snprintf(path, sizeof path, "%s/districts.csv", dir);
    ndists = csv_load(path, dhdr, 2, &dist_tab);
    for (size_t i = 0; i < ndists; i++)
        if (!dist_tab[i * 2][0])
            die("%s: row %zu has an empty old name", path, i + 2);
    for (size_t k = 0; k < ARRLEN(OLD_DISTRICTS); k++) {
        bool listed = false;
        for (size_t i = 0; i < ndists; i++)
            listed |= strcmp(dist_tab[i * 2], OLD_DISTRICTS[k]) == 0;
        if (!listed)
            die("%s: the generator writes the pre-2019 district %s: list it (old,new)", path,
                OLD_DISTRICTS[k]);
    }
}

/* ------------------------------------------------------------------ */
/* rows                                                                */
/* ------------------------------------------------------------------ */
enum { F_XM, F_DZ, F_BT, F_SQNR, F_CBDW, F_DFNR, F_LDHM, F_LXDH, F_SFZH, F_SQLX, F_WTMC, NTEXT };

enum { FAULT_NONE, FAULT_ZERO_DATE, FAULT_INVALID_DATE, FAULT_UNDECODABLE };

enum { PH_PLAIN, PH_FULLWIDTH, PH_FORMATTED, PH_LAND_DASH, PH_LAND_NODASH, PH_LOCAL, PH_NULL };

typedef struct {
    char s[TEXT_CAP];
    size_t len;
    bool null;
} text_t;

typedef struct {
    uint32_t id;
    char gdbh[24];
    char ldsj[24];
    char bjsj[24];
    char gxsj[24];
    bool bjsj_null;
    char wtlb[16];
    char blzt[3];
    char myd[2];
    bool myd_null;
    text_t t[NTEXT];
    char phone_norm[2][16]; /* normal form of ldhm, lxdh ("" when NULL) */
    int fault;
    int bad_kind;    /* undecodable: 0 = 81 7F, 1 = lone FF, 2 = lead byte at end */
    size_t bad_cut;  /* UTF-8 byte offset in sqnr where the bad bytes go */
    bool rare_name;  /* xm needs GB18030 */
    int cat;         /* index in cats, or -1 when unmapped */
    int status;      /* 1..6 */
    int month;       /* index into months, or -1 (zero date) */
} row_t;

typedef struct {
    int fault;        /* -1 = random */
    int phone;        /* -1 = random */
    bool dup;         /* schedule a duplicate of this row at slot+2 */
    bool rare_name, trail_name, old_district, special, unmapped, fw_id, crlf;
    int bad_kind;
} force_t;

/* text builder helpers */
static void t_addn(text_t *t, const char *s, size_t n)
{
    if (t->len + n + 1 > TEXT_CAP)
        die("internal: text overflow");
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = 0;
    t->null = false;
}

static void t_add(text_t *t, const char *s)
{
    t_addn(t, s, strlen(s));
}

static void t_addf(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void t_addf(text_t *t, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        die("internal: format overflow");
    t_addn(t, tmp, (size_t)n);
}

static void t_copy(text_t *dst, const text_t *src)
{
    memcpy(dst->s, src->s, src->len + 1);
    dst->len = src->len;
    dst->null = src->null;
}

static void t_reset(text_t *t)
{
    t->len = 0;
    t->s[0] = 0;
    t->null = false;
}

static void t_null(text_t *t)
{
    t_reset(t);
    t->null = true;
}

/* districts.csv applied to an address: at each position the longest old name
 * that starts there is replaced, left to right; true if any was (one fix
 * district_renamed per value) */
static bool rename_districts(const text_t *src, text_t *dst)
{
    bool any = false;
    if (src->null) {
        t_null(dst);
        return false;
    }
    t_reset(dst);
    for (size_t i = 0; i < src->len;) {
        size_t best = 0, blen = 0;
        for (size_t k = 0; k < ndists; k++) {
            size_t fl = strlen(dist_tab[k * 2]);
            if (fl > blen && fl <= src->len - i && !memcmp(src->s + i, dist_tab[k * 2], fl)) {
                best = k;
                blen = fl;
            }
        }
        if (blen) {
            t_add(dst, dist_tab[best * 2 + 1]);
            i += blen;
            any = true;
        } else {
            t_addn(dst, src->s + i, 1);
            i++;
        }
    }
    return any;
}

typedef struct {
    const char *shop, *road, *label, *unit;
} tctx_t;

static void t_tpl(text_t *t, const char *tpl, const tctx_t *c)
{
    const char *p = tpl;
    while (*p) {
        const char *b = strchr(p, '{');
        if (!b) {
            t_add(t, p);
            return;
        }
        t_addn(t, p, (size_t)(b - p));
        if (b[1] && b[2] == '}') {
            switch (b[1]) {
            case 'S': t_add(t, c->shop); break;
            case 'R': t_add(t, c->road); break;
            case 'L': t_add(t, c->label); break;
            case 'U': t_add(t, c->unit); break;
            case 'N': t_addf(t, "%d", rnd_range(2, 30)); break;
            case 'H': t_addf(t, "%d", rnd_range(21, 23)); break;
            case 'T': t_addf(t, "%d", rnd_range(10, 16)); break;
            default: die("internal: bad template %s", tpl);
            }
            p = b + 3;
        } else {
            t_addn(t, b, 1);
            p = b + 1;
        }
    }
}

/* ---- names ---- */
static void gen_name(row_t *r, const force_t *f)
{
    text_t *t = &r->t[F_XM];
    t_reset(t);
    r->rare_name = false;
    uint32_t u = rnd_below(1000);
    bool rare = f->rare_name || (!f->trail_name && chance(PPM_RARE_NAME));
    bool trail = f->trail_name || (!rare && chance(PPM_TRAIL_NAME));
    if (!rare && !trail) {
        if (u < 50) {
            t_null(t);
            return;
        }
        if (u < 70) {
            t_add(t, "匿名");
            return;
        }
        if (u < 150) {
            t_add(t, PICK(SURNAMES));
            t_add(t, rnd_below(2) ? "先生" : "女士");
            return;
        }
    }
    t_add(t, PICK(SURNAMES));
    if (rare) {
        r->rare_name = true;
        if (rnd_below(2))
            t_add(t, PICK(GIVEN));
        t_add(t, PICK(RARE));
    } else if (trail) {
        t_add(t, PICK(GIVEN_TRAIL));
        if (rnd_below(2))
            t_add(t, PICK(GIVEN));
    } else {
        t_add(t, PICK(GIVEN));
        if (rnd_below(100) < 70)
            t_add(t, PICK(GIVEN));
    }
}

/* ---- phones ---- */
static int pick_phone_kind(void)
{
    uint32_t u = rnd_below(100);
    if (u < 50) return PH_PLAIN;
    if (u < 60) return PH_FULLWIDTH;
    if (u < 70) return PH_FORMATTED;
    if (u < 80) return PH_LAND_DASH;
    if (u < 85) return PH_LAND_NODASH;
    if (u < 95) return PH_LOCAL;
    return PH_NULL;
}

static void gen_phone(text_t *t, char norm[16], int kind)
{
    char d[12];
    t_reset(t);
    norm[0] = 0;
    if (kind == PH_NULL) {
        t_null(t);
        return;
    }
    if (kind == PH_PLAIN || kind == PH_FULLWIDTH || kind == PH_FORMATTED) {
        d[0] = '1';
        d[1] = (char)('3' + rnd_below(7));
        for (int i = 2; i < 11; i++)
            d[i] = (char)('0' + rnd_below(10));
        d[11] = 0;
        memcpy(norm, d, 12);
        if (kind == PH_PLAIN) {
            t_add(t, d);
        } else if (kind == PH_FULLWIDTH) {
            for (int i = 0; i < 11; i++) {
                char u[4];
                size_t n = utf8_enc(0xFF10u + (uint32_t)(d[i] - '0'), u);
                t_addn(t, u, n);
            }
        } else if (rnd_below(2)) {
            t_addf(t, "+86 %.3s %.4s %.4s", d, d + 3, d + 7);
        } else {
            t_addf(t, "%.3s-%.4s-%.4s", d, d + 3, d + 7);
        }
        return;
    }
    d[0] = '6';
    d[1] = rnd_below(4) ? '2' : '3';
    for (int i = 2; i < 7; i++)
        d[i] = (char)('0' + rnd_below(10));
    d[7] = 0;
    snprintf(norm, 16, "0937-%.7s", d);
    if (kind == PH_LAND_DASH)
        t_addf(t, "0937-%s", d);
    else if (kind == PH_LAND_NODASH)
        t_addf(t, "0937%s", d);
    else
        t_add(t, d);
}

/* ---- ID number (GB 11643) ---- */
static void gen_sfzh(text_t *t, bool force_fw)
{
        static const int W[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    t_reset(t);
    uint32_t u = rnd_below(100);
    if (!force_fw && u < 10) {
        t_null(t);
        return;
    }
    bool fw = force_fw || u < 15;
    char id[48];
    int y, m, d;
    civil_from_days(days_from_civil(1940, 1, 1) + rnd_range(0, 24471), &y, &m, &d);
    if (snprintf(id, sizeof id, "%s%04d%02d%02d%03d", PICK(REGIONS), y, m, d,
                 rnd_range(1, 999)) != 17)
        die("internal: bad ID number");
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (id[i] - '0') * W[i];
    id[17] = "10X98765432"[sum % 11];
    id[18] = 0;
    if (!fw) {
        t_add(t, id);
        return;
    }
    for (int i = 0; i < 18; i++) {
        char b[4];
        uint32_t cp = id[i] == 'X' ? 0xFF38u : 0xFF10u + (uint32_t)(id[i] - '0');
        size_t n = utf8_enc(cp, b);
        t_addn(t, b, n);
    }
}

/* ---- address ---- */
static const char *gen_address(text_t *t, bool pre2019, bool force_old, const char **road)
{
    t_reset(t);
    *road = PICK(ROADS);
    uint32_t u = rnd_below(100);
    if (!force_old && u < 3) {
        t_null(t);
        return *road;
    }
    bool city = rnd_below(100) < 60;
    if (!force_old && u < 20) { /* towns */
        uint32_t ti = rnd_below(3);
        if (city)
            t_add(t, "嘉峪关市");
        t_add(t, TOWNS[ti]);
        t_add(t, VILLAGES[ti][rnd_below(5)]);
        t_addf(t, "%d组", rnd_range(1, 8));
        if (rnd_below(3) == 0)
            t_addf(t, "%d号", rnd_range(1, 120));
        return *road;
    }
    if (city)
        t_add(t, "嘉峪关市");
    if (force_old || (pre2019 && rnd_below(2)))
        t_add(t, PICK(OLD_DISTRICTS));
    else if (rnd_below(2))
        t_add(t, PICK(NEW_STREETS));
    t_add(t, *road);
    uint32_t v = rnd_below(10);
    if (v < 4) {
        t_addf(t, "%d号", rnd_range(1, 2000));
    } else if (v < 8) {
        t_add(t, PICK(COMPLEXES));
        t_addf(t, "%d号楼%d单元", rnd_range(1, 40), rnd_range(1, 6));
        if (rnd_below(2))
            t_addf(t, "%d室", rnd_range(1, 30) * 100 + rnd_range(1, 4));
    } else if (v < 9) {
        t_add(t, "与");
        t_add(t, PICK(ROADS));
        t_add(t, "交叉口");
    } else {
        t_add(t, PICK(SHOPS));
        t_add(t, "附近");
    }
    return *road;
}

/* ---- content ---- */
static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static const char *sep(bool force_crlf)
{
    if (force_crlf)
        return "\r\n";
    uint32_t u = rnd_below(1000);
    if (u < 15) return "\n";
    if (u < 25) return "\r\n";
    return "";
}

static const char *cat_problem(const category_t *c)
{
    if (!c->info)
        return PICK(GENERIC_PROBLEM);
    size_t n = 0;
    while (n < 3 && c->info->p[n])
        n++;
    return c->info->p[rnd_below((uint32_t)n)];
}

static void gen_content(text_t *t, const category_t *c, const text_t *addr, const tctx_t *ctx,
                        const force_t *f)
{
    t_reset(t);
    size_t target = (size_t)rnd_range(30, 400);
    t_add(t, PICK(OPENERS));
    if (!addr->null && rnd_below(100) < 60) {
        t_add(t, addr->s);
        t_add(t, ends_with(addr->s, "附近") ? "，" : "附近，");
    }
    t_tpl(t, cat_problem(c), ctx);
    bool special = f->special || rnd_below(1000) < 30;
    size_t nsent = 0, nsupp = 0, nchars = utf8_chars(t->s, t->len);
    const char *last = NULL;
    while (nchars < target || special) {
        size_t before = t->len;
        t_add(t, sep(f->crlf && nsent == 0));
        if (special) {
            if (f->special) { /* first rows: every special sentence */
                for (size_t i = 0; i < ARRLEN(SPECIAL); i++)
                    t_add(t, SPECIAL[i]);
            } else {
                t_add(t, PICK(SPECIAL));
            }
            special = false;
        } else if (nsupp < 2 && rnd_below(6) == 0) {
            nsupp++;
            t_add(t, nsupp == 1 ? "来电人补充：" : "另外，");
            t_tpl(t, cat_problem(c), ctx);
        } else {
            const char *s;
            do
                s = PICK(FILLERS);
            while (s == last);
            last = s;
            t_tpl(t, s, ctx);
        }
        nsent++;
        nchars += utf8_chars(t->s + before, t->len - before);
    }
    /* cut to at most 400 characters, no trailing white space */
    if (nchars > 400) {
        size_t c400 = 0, i = 0;
        for (; i < t->len; i++)
            if (((unsigned char)t->s[i] & 0xC0) != 0x80 && c400++ == 400)
                break;
        t->len = i;
        t->s[i] = 0;
    }
    while (t->len && (t->s[t->len - 1] == ' ' || t->s[t->len - 1] == '\n' ||
                      t->s[t->len - 1] == '\r' || t->s[t->len - 1] == '\t'))
        t->s[--t->len] = 0;
}

static void gen_title(text_t *t, const char *label, const char *sqlx, const tctx_t *ctx)
{
    const char *wen = ends_with(label, "问题") ? "" : "问题";
    t_reset(t);
    switch (rnd_below(6)) {
    case 0: t_add(t, label); t_add(t, wen); break;
    case 1: t_add(t, "关于"); t_add(t, ctx->road); t_add(t, label); t_add(t, "的"); t_add(t, sqlx); break;
    case 2: t_add(t, ctx->road); t_add(t, label); break;
    case 3: t_add(t, "反映"); t_add(t, ctx->road); t_add(t, label); t_add(t, wen); break;
    case 4:
        if (rnd_below(10) == 0) {
            t_add(t, "关于\""); t_add(t, ctx->shop); t_add(t, "\""); t_add(t, label); t_add(t, "的"); t_add(t, sqlx);
        } else {
            t_add(t, "“"); t_add(t, ctx->shop); t_add(t, "”"); t_add(t, label);
        }
        break;
    default: t_add(t, sqlx); t_add(t, "："); t_add(t, label); break;
    }
}

static void gen_reply(text_t *t, const tctx_t *ctx)
{
    t_reset(t);
    t_tpl(t, PICK(REPLY_OPEN), ctx);
    uint32_t res = rnd_below((uint32_t)ARRLEN(REPLY_RESULT));
    t_tpl(t, REPLY_RESULT[res], ctx);
    if (res != 3 && res != 4 && rnd_below(100) < 30)
        t_tpl(t, PICK(REPLY_EXTRA), ctx);
    int k = rnd_range(0, 2);
    uint32_t first = rnd_below((uint32_t)ARRLEN(REPLY_CLOSE));
    for (int i = 0; i < k; i++) {
        t_add(t, rnd_below(20) == 0 ? "\n" : "");
        t_tpl(t, REPLY_CLOSE[(first + (uint32_t)i) % ARRLEN(REPLY_CLOSE)], ctx);
    }
}

/* ------------------------------------------------------------------ */
/* time layout                                                         */
/* ------------------------------------------------------------------ */
static int64_t T0, T_END; /* [2016-01-01 00:00:00, 2025-01-01 00:00:00) */
static uint64_t nrows;

static int64_t slot_time(uint64_t slot)
{
    uint64_t span = (uint64_t)(T_END - T0);
    uint64_t a = slot * span / nrows, b = (slot + 1) * span / nrows;
    uint64_t off = a;
    if (b > a)
        off += (uint64_t)rnd64() % (b - a);
    return T0 + (int64_t)off;
}

static int64_t close_delay(void)
{
    uint32_t u = rnd_below(100);
    if (u < 40) return rnd_range(600, 86400);
    if (u < 75) return rnd_range(86400, 7 * 86400);
    if (u < 95) return rnd_range(7 * 86400, 30 * 86400);
    return rnd_range(30 * 86400, 90 * 86400);
}

static int64_t last_day = -1;
static int seq_in_day;

/* ------------------------------------------------------------------ */
/* generating one new row                                              */
/* ------------------------------------------------------------------ */
static int pick_cat(void)
{
    int w = (int)rnd_below((uint32_t)cat_wsum);
    for (size_t i = 0; i < ncats; i++) {
        w -= cats[i].weight;
        if (w < 0)
            return (int)i;
    }
    return (int)ncats - 1;
}

static void gen_row(row_t *r, uint64_t slot, const force_t *f)
{
    int64_t t = slot_time(slot);
    int64_t day = t / 86400;
    int y, mo, d;
    civil_from_days(day, &y, &mo, &d);

    /* a-c: at most one fault */
    if (f->fault >= 0) {
        r->fault = f->fault;
    } else {
        uint32_t u = rnd_below(1000000u);
        if (u < PPM_ZERO_DATE)
            r->fault = FAULT_ZERO_DATE;
        else if (u < PPM_ZERO_DATE + PPM_INVALID_DATE)
            r->fault = FAULT_INVALID_DATE;
        else if (u < PPM_ZERO_DATE + PPM_INVALID_DATE + PPM_UNDECODABLE)
            r->fault = FAULT_UNDECODABLE;
        else
            r->fault = FAULT_NONE;
    }

    /* order number: CG + yyyymmdd + 6-digit sequence, ascending with id */
    if (day != last_day) {
        last_day = day;
        seq_in_day = rnd_range(1, 5);
    } else {
        seq_in_day += rnd_range(1, 3);
    }
    if (seq_in_day > 999999)
        die("too many rows per day for a 6-digit sequence");
    snprintf(r->gdbh, sizeof r->gdbh, "CG%04d%02d%02d%06d", y, mo, d, seq_in_day);

    /* category (unmapped only on rows that will be loaded) */
    bool unmapped = false;
    if (r->fault == FAULT_NONE || r->fault == FAULT_ZERO_DATE)
        unmapped = f->unmapped || chance(PPM_UNMAPPED);
    int ci = pick_cat();
    const category_t *c = &cats[ci];
    if (unmapped) {
        size_t k = rnd_below((uint32_t)ARRLEN(UNMAPPED));
        r->cat = -1;
        snprintf(r->wtlb, sizeof r->wtlb, "%s", UNMAPPED[k][0]);
        t_reset(&r->t[F_WTMC]);
        t_add(&r->t[F_WTMC], UNMAPPED[k][1]);
    } else {
        r->cat = ci;
        snprintf(r->wtlb, sizeof r->wtlb, "%s", c->code);
        t_reset(&r->t[F_WTMC]);
        t_add(&r->t[F_WTMC], c->name);
    }

    /* status and times */
    int64_t age = T_END - t;
    bool closed;
    int st;
    if (age > 60 * 86400)
        closed = rnd_below(100) < 95;
    else
        closed = rnd_below(100) < 50;
    if (closed) {
        st = (age > 365 * 86400 ? rnd_below(100) < 60 : rnd_below(100) < 10) ? 6 : 5;
    } else {
        uint32_t u = rnd_below(100);
        st = u < 10 ? 1 : u < 30 ? 2 : u < 70 ? 3 : 4;
    }
    r->status = st;
    snprintf(r->blzt, sizeof r->blzt, "0%d", st);

    int64_t bj = 0, gx;
    if (r->fault == FAULT_ZERO_DATE) {
        /* the legacy system lost ldsj; gxsj (and bjsj) stay on the day of the order */
        int64_t eod = (day + 1) * 86400 - 1;
        gx = t + rnd_below((uint32_t)(eod - t + 1));
        if (closed)
            bj = t + rnd_below((uint32_t)(gx - t + 1));
    } else if (closed) {
        bj = t + close_delay();
        gx = bj + (st == 6 ? rnd_range(86400, 30 * 86400) : rnd_range(0, 2 * 86400));
    } else {
        switch (st) {
        case 1: gx = t; break;
        case 2: gx = t + rnd_range(60, 86400); break;
        case 3: gx = t + rnd_range(3600, 10 * 86400); break;
        default: gx = t + rnd_range(86400, 15 * 86400); break;
        }
    }
    r->bjsj_null = !closed;
    if (closed)
        fmt_dt(bj, r->bjsj);
    else
        r->bjsj[0] = 0;
    fmt_dt(gx, r->gxsj);
    r->month = (y - 2016) * 12 + (mo - 1);
    if (r->fault == FAULT_ZERO_DATE) {
        snprintf(r->ldsj, sizeof r->ldsj, "0000-00-00 00:00:00");
        r->month = -1;
    } else if (r->fault == FAULT_INVALID_DATE) {
        int m2 = mo;
        if (month_len(y, mo) == 31)
            m2 = (mo == 7 || mo == 12) ? mo - 1 : mo + 1;
        int dd = rnd_range(month_len(y, m2) + 1, 31);
        int64_t s = t % 86400;
        /* closed/updated times come after the would-be date, as for any other row */
        int64_t after = (days_from_civil(y, m2, month_len(y, m2)) + 1) * 86400 + s;
        int64_t base = closed ? bj : gx; /* bj <= gx */
        if (base < after) {
            int64_t shift = after - base + rnd_range(600, 3 * 86400);
            gx += shift;
            if (closed)
                bj += shift;
            fmt_dt(gx, r->gxsj);
            if (closed)
                fmt_dt(bj, r->bjsj);
        }
        snprintf(r->ldsj, sizeof r->ldsj, "%04d-%02d-%02d %02d:%02d:%02d", y, m2, dd,
                 (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    } else {
        fmt_dt(t, r->ldsj);
    }
    r->myd_null = !closed;
    if (closed) {
        uint32_t u = rnd_below(100);
        r->myd[0] = u < 70 ? '1' : u < 90 ? '2' : '3';
        r->myd[1] = 0;
    } else {
        r->myd[0] = 0;
    }

    /* people */
    gen_name(r, f);
    int k1 = f->phone >= 0 ? f->phone : pick_phone_kind();
    gen_phone(&r->t[F_LDHM], r->phone_norm[0], k1);
    if (rnd_below(2)) {
        t_copy(&r->t[F_LXDH], &r->t[F_LDHM]);
        memcpy(r->phone_norm[1], r->phone_norm[0], 16);
    } else {
        gen_phone(&r->t[F_LXDH], r->phone_norm[1], pick_phone_kind());
    }
    gen_sfzh(&r->t[F_SFZH], f->fw_id);

    /* texts */
    tctx_t ctx;
    bool pre2019 = t < days_from_civil(2019, 1, 1) * 86400;
    gen_address(&r->t[F_DZ], pre2019, f->old_district && pre2019, &ctx.road);
    ctx.shop = rnd_below(100) < 45 ? PICK(SHOPS_TRAIL) : PICK(SHOPS);
    ctx.label = r->cat >= 0 ? c->name : r->t[F_WTMC].s;
    ctx.unit = PICK(UNITS);
    uint32_t u = rnd_below(1000), acc = 0;
    size_t qi = 0;
    for (; qi < ARRLEN(SQLX) - 1; qi++) {
        acc += (uint32_t)SQLX_W[qi];
        if (u < acc)
            break;
    }
    t_reset(&r->t[F_SQLX]);
    t_add(&r->t[F_SQLX], SQLX[qi]);
    gen_title(&r->t[F_BT], ctx.label, SQLX[qi], &ctx);
    gen_content(&r->t[F_SQNR], c, &r->t[F_DZ], &ctx, f);
    if (st == 1) {
        t_null(&r->t[F_CBDW]);
    } else {
        t_reset(&r->t[F_CBDW]);
        t_add(&r->t[F_CBDW], ctx.unit);
    }
    if (st >= 4)
        gen_reply(&r->t[F_DFNR], &ctx);
    else
        t_null(&r->t[F_DFNR]);

    r->bad_kind = 0;
    r->bad_cut = 0;
    if (r->fault == FAULT_UNDECODABLE) {
        r->bad_kind = f->bad_kind >= 0 ? f->bad_kind : (int)rnd_below(3);
        if (r->bad_kind == 2) {
            r->bad_cut = r->t[F_SQNR].len;
        } else {
            size_t cut = rnd_below((uint32_t)r->t[F_SQNR].len);
            while (cut > 0 && ((unsigned char)r->t[F_SQNR].s[cut] & 0xC0) == 0x80)
                cut--;
            r->bad_cut = cut;
        }
    }
}

/* ------------------------------------------------------------------ */
/* output: SQL                                                         */
/* ------------------------------------------------------------------ */
static MYSQL *conn;

typedef struct {
    char *p;
    size_t len, cap;
    const char *head; /* INSERT INTO ... VALUES */
    size_t rows;
} stmt_t;

static stmt_t st_legacy, st_utf8;

static void q(const char *sql)
{
    if (mysql_real_query(conn, sql, (unsigned long)strlen(sql)))
        die("query failed: %s\n  %s", mysql_error(conn), sql);
}

static void stmt_init(stmt_t *s, const char *table)
{
    s->cap = STMT_FLUSH + 512 * 1024;
    s->p = xmalloc(s->cap);
    char head[512];
    snprintf(head, sizeof head,
             "INSERT INTO %s (id,gdbh,ldsj,ldhm,lxdh,xm,sfzh,dz,bt,sqnr,sqlx,wtlb,wtmc,blzt,cbdw,"
             "bjsj,dfnr,myd,gxsj) VALUES ",
             table);
    s->head = xstrdup(head);
    s->len = 0;
    s->rows = 0;
}

static void stmt_flush(stmt_t *s)
{
    if (!s->rows)
        return;
    if (mysql_real_query(conn, s->p, (unsigned long)s->len))
        die("INSERT failed: %s", mysql_error(conn));
    if (mysql_warning_count(conn))
        die("INSERT: the server reported %u warning(s) (data not stored as written)",
            mysql_warning_count(conn));
    s->len = 0;
    s->rows = 0;
}

static void stmt_raw(stmt_t *s, const char *p, size_t n)
{
    if (s->len + n > s->cap)
        die("internal: statement buffer overflow");
    memcpy(s->p + s->len, p, n);
    s->len += n;
}

static void stmt_str(stmt_t *s, const char *p, size_t n, bool null)
{
    if (null) {
        stmt_raw(s, "NULL,", 5);
        return;
    }
    if (s->len + 2 * n + 4 > s->cap)
        die("internal: statement buffer overflow");
    s->p[s->len++] = '\'';
    s->len += mysql_real_escape_string(conn, s->p + s->len, p, (unsigned long)n);
    s->p[s->len++] = '\'';
    s->p[s->len++] = ',';
}

static void stmt_begin_row(stmt_t *s, uint32_t id)
{
    if (s->rows == 0)
        stmt_raw(s, s->head, strlen(s->head));
    else
        stmt_raw(s, ",", 1);
    char b[16];
    int n = snprintf(b, sizeof b, "(%u,", id);
    stmt_raw(s, b, (size_t)n);
}

static void stmt_end_row(stmt_t *s)
{
    s->p[s->len - 1] = ')'; /* replaces the last value's ',' */
    s->rows++;
    if (s->len >= STMT_FLUSH)
        stmt_flush(s);
}

/* legacy column limits in bytes (latin1 declared) */
static const size_t LIMIT[NTEXT] = {40, 255, 255, 65535, 128, 65535, 40, 40, 40, 16, 64};

static char enc_buf[NTEXT][TEXT_CAP + 8];
static size_t enc_len[NTEXT];

/* encode every text field of r into the legacy bytes */
static void encode_row(const row_t *r)
{
    for (int i = 0; i < NTEXT; i++) {
        const text_t *t = &r->t[i];
        enc_len[i] = 0;
        if (t->null)
            continue;
        if (i == F_XM && r->rare_name) {
            size_t n = iconv_buf(cd_u2gb18030, t->s, t->len, enc_buf[i], TEXT_CAP);
            if (n == (size_t)-1)
                die("internal: GB18030 conversion of name failed");
            enc_len[i] = n;
        } else if (i == F_SQNR && r->fault == FAULT_UNDECODABLE) {
            size_t a, b;
            static const char *const BAD[3] = {"\x81\x7F", "\xFF", "\xB0"};
            const char *bad = BAD[r->bad_kind];
            size_t bl = strlen(bad);
            if (!enc_gbk(t->s, r->bad_cut, enc_buf[i], TEXT_CAP, &a))
                die("internal: not GBK: %s", t->s);
            memcpy(enc_buf[i] + a, bad, bl);
            if (!enc_gbk(t->s + r->bad_cut, t->len - r->bad_cut, enc_buf[i] + a + bl,
                         TEXT_CAP - a - bl, &b))
                die("internal: not GBK: %s", t->s);
            enc_len[i] = a + bl + b;
        } else if (!enc_gbk(t->s, t->len, enc_buf[i], TEXT_CAP, &enc_len[i])) {
            die("internal: text not encodable in GBK: %s", t->s);
        }
        if (enc_len[i] > LIMIT[i])
            die("internal: field %d too long (%zu bytes)", i, enc_len[i]);
    }
}

static void stmt_row(stmt_t *s, const row_t *r, bool legacy)
{
    stmt_begin_row(s, r->id);
#define TXT(i)                                                                                 \
    (legacy ? stmt_str(s, enc_buf[i], enc_len[i], r->t[i].null)                                \
            : stmt_str(s, r->t[i].s, r->t[i].len, r->t[i].null))
    stmt_str(s, r->gdbh, strlen(r->gdbh), false);
    bool date_null = !legacy && r->fault != FAULT_NONE && r->fault != FAULT_UNDECODABLE;
    stmt_str(s, r->ldsj, strlen(r->ldsj), date_null);
    TXT(F_LDHM);
    TXT(F_LXDH);
    TXT(F_XM);
    TXT(F_SFZH);
    TXT(F_DZ);
    TXT(F_BT);
    TXT(F_SQNR);
    TXT(F_SQLX);
    stmt_str(s, r->wtlb, strlen(r->wtlb), false);
    TXT(F_WTMC);
    stmt_str(s, r->blzt, 2, false);
    TXT(F_CBDW);
    stmt_str(s, r->bjsj, strlen(r->bjsj), r->bjsj_null);
    TXT(F_DFNR);
    stmt_str(s, r->myd, 1, r->myd_null);
    stmt_str(s, r->gxsj, strlen(r->gxsj), false);
#undef TXT
    stmt_end_row(s);
}

/* ------------------------------------------------------------------ */
/* output: LOAD DATA LOCAL INFILE stream                               */
/* ------------------------------------------------------------------ */
/*
 * Rows go to the server as LOAD DATA text (FIELDS TERMINATED BY '\t'
 * ESCAPED BY '\\' LINES TERMINATED BY '\n', CHARACTER SET binary): every
 * byte 0x5C, TAB, LF, CR and NUL is escaped byte by byte -- correct for GBK
 * because the server does not interpret the bytes as GBK under "binary".
 */
enum { METHOD_AUTO, METHOD_LOAD, METHOD_INSERT };
static int method = METHOD_AUTO;

typedef struct {
    char *p;
    size_t len, pos, cap;
    FILE *spool; /* when set, data beyond 1 MB is written to this file */
} sink_t;

static sink_t ld_sink, spool_sink;

static void sink_reserve(sink_t *k, size_t n)
{
    if (k->len + n <= k->cap)
        return;
    if (k->spool && k->len) {
        if (fwrite(k->p, 1, k->len, k->spool) != k->len)
            die("write spool file: %s", strerror(errno));
        k->len = 0;
        if (n <= k->cap)
            return;
    }
    if (k->pos) { /* drop what was already handed out */
        memmove(k->p, k->p + k->pos, k->len - k->pos);
        k->len -= k->pos;
        k->pos = 0;
        if (k->len + n <= k->cap)
            return;
    }
    size_t cap = k->cap ? k->cap : 1u << 20;
    while (cap < k->len + n)
        cap *= 2;
    k->p = realloc(k->p, cap);
    if (!k->p)
        die("out of memory");
    k->cap = cap;
}

static void sink_raw(sink_t *k, const char *p, size_t n)
{
    sink_reserve(k, n);
    memcpy(k->p + k->len, p, n);
    k->len += n;
}

static void sink_field(sink_t *k, const char *p, size_t n, bool null, char term)
{
    sink_reserve(k, 2 * n + 3);
    char *o = k->p + k->len;
    if (null) {
        *o++ = '\\';
        *o++ = 'N';
    } else {
        for (size_t i = 0; i < n; i++) {
            char c = p[i];
            switch (c) {
            case '\\': *o++ = '\\'; *o++ = '\\'; break;
            case '\t': *o++ = '\\'; *o++ = 't'; break;
            case '\n': *o++ = '\\'; *o++ = 'n'; break;
            case '\r': *o++ = '\\'; *o++ = 'r'; break;
            case '\0': *o++ = '\\'; *o++ = '0'; break;
            default: *o++ = c; break;
            }
        }
    }
    *o++ = term;
    k->len = (size_t)(o - k->p);
}

static void sink_flush_spool(sink_t *k)
{
    if (k->len && fwrite(k->p, 1, k->len, k->spool) != k->len)
        die("write spool file: %s", strerror(errno));
    k->len = 0;
    if (fflush(k->spool))
        die("write spool file: %s", strerror(errno));
}

/* legacy == true: the bytes stored in gd_jbxx; false: UTF-8 for gd_jbxx_utf8 */
static void sink_row(sink_t *k, const row_t *r, bool legacy)
{
    char b[16];
    int n = snprintf(b, sizeof b, "%u\t", r->id);
    sink_raw(k, b, (size_t)n);
#define TXT(i)                                                                                 \
    (legacy ? sink_field(k, enc_buf[i], enc_len[i], r->t[i].null, '\t')                        \
            : sink_field(k, r->t[i].s, r->t[i].len, r->t[i].null, '\t'))
    sink_field(k, r->gdbh, strlen(r->gdbh), false, '\t');
    bool date_null = !legacy && r->fault != FAULT_NONE && r->fault != FAULT_UNDECODABLE;
    sink_field(k, r->ldsj, strlen(r->ldsj), date_null, '\t');
    TXT(F_LDHM);
    TXT(F_LXDH);
    TXT(F_XM);
    TXT(F_SFZH);
    TXT(F_DZ);
    TXT(F_BT);
    TXT(F_SQNR);
    TXT(F_SQLX);
    sink_field(k, r->wtlb, strlen(r->wtlb), false, '\t');
    TXT(F_WTMC);
    sink_field(k, r->blzt, 2, false, '\t');
    TXT(F_CBDW);
    sink_field(k, r->bjsj, strlen(r->bjsj), r->bjsj_null, '\t');
    TXT(F_DFNR);
    sink_field(k, r->myd, 1, r->myd_null, '\t');
    sink_field(k, r->gxsj, strlen(r->gxsj), false, '\n');
#undef TXT
}

/* ------------------------------------------------------------------ */
/* output: ground truth                                                */
/* ------------------------------------------------------------------ */
static FILE *tsv;
static uint64_t n_extracted, n_loaded, n_merged, n_undecodable, n_invalid, n_zero, n_unmapped;
static uint64_t months[NMONTHS];
static uint64_t n_none;
static uint64_t n_fullwidth, n_country_code; /* fixes of records that pass the transform */
static uint64_t n_unit_alias, n_unit_unknown, n_district_renamed; /* units.csv, districts.csv */
static uint64_t n_trail_content; /* contents with a 0x5C/0x7C trail byte (information) */

static void tsv_value(const char *s, size_t n)
{
    const char *p = s, *e = s + n, *run = s;
    for (; p < e; p++) {
        const char *esc = NULL;
        switch (*p) {
        case '\\': esc = "\\\\"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        default: continue;
        }
        fwrite(run, 1, (size_t)(p - run), tsv);
        fwrite(esc, 1, 2, tsv);
        run = p + 1;
    }
    fwrite(run, 1, (size_t)(p - run), tsv);
}

static void tsv_line(const row_t *r, const char *field, const char *s, size_t n, bool null)
{
    fputs(r->gdbh, tsv);
    fputc('\t', tsv);
    fputs(field, tsv);
    fputc('\t', tsv);
    if (null)
        fputs("\\N", tsv);
    else
        tsv_value(s, n);
    fputc('\n', tsv);
}

static text_t addr_out; /* the address after districts.csv */

static void truth_row(const row_t *r)
{
    const text_t *t = r->t;
    int kind;
    const char *unit = t[F_CBDW].null ? "" : unit_map(t[F_CBDW].s, &kind);
    rename_districts(&t[F_DZ], &addr_out);
    tsv_line(r, "caller_name", t[F_XM].s, t[F_XM].len, t[F_XM].null);
    tsv_line(r, "address", addr_out.s, addr_out.len, addr_out.null);
    tsv_line(r, "title", t[F_BT].s, t[F_BT].len, t[F_BT].null);
    tsv_line(r, "content", t[F_SQNR].s, t[F_SQNR].len, t[F_SQNR].null);
    tsv_line(r, "handling_unit", unit, strlen(unit), t[F_CBDW].null);
    tsv_line(r, "reply", t[F_DFNR].s, t[F_DFNR].len, t[F_DFNR].null);
    tsv_line(r, "caller_phone", r->phone_norm[0], strlen(r->phone_norm[0]), t[F_LDHM].null);
    tsv_line(r, "contact_phone", r->phone_norm[1], strlen(r->phone_norm[1]), t[F_LXDH].null);
    tsv_line(r, "request_type", t[F_SQLX].s, t[F_SQLX].len, t[F_SQLX].null);
    tsv_line(r, "legacy_category_text", t[F_WTMC].s, t[F_WTMC].len, t[F_WTMC].null);
    if (ferror(tsv))
        die("write intended.tsv: %s", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* emitting rows                                                       */
/* ------------------------------------------------------------------ */
typedef struct {
    uint32_t id;
    char ldsj[24];
    char sqnr[TEXT_CAP + 8];
    size_t sqnr_len;
    char xm[64];
    size_t xm_len;
    bool xm_null;
} check_t;
static check_t checks[NCHECK];
static size_t nchecks;
static bool utf8_copy;

/* the fixes the phone and idno transforms count (transform/normalize.h):
 * full-width characters folded, a +86 country code dropped */
static bool has_fullwidth(const text_t *t)
{
    for (size_t i = 0; !t->null && i + 2 < t->len; i++)
        if ((unsigned char)t->s[i] == 0xEF && ((unsigned char)t->s[i + 1] == 0xBC ||
                                                (unsigned char)t->s[i + 1] == 0xBD))
            return true;
    return false;
}

static void count_fixes(const row_t *r)
{
    const text_t *ph[2] = {&r->t[F_LDHM], &r->t[F_LXDH]};
    for (int i = 0; i < 2; i++) {
        if (ph[i]->null)
            continue;
        if (has_fullwidth(ph[i]))
            n_fullwidth++;
        if (ph[i]->len >= 3 && !memcmp(ph[i]->s, "+86", 3))
            n_country_code++;
    }
    if (has_fullwidth(&r->t[F_SFZH]))
        n_fullwidth++;
    if (!r->t[F_CBDW].null) {
        int kind;
        unit_map(r->t[F_CBDW].s, &kind);
        n_unit_alias += kind == UNIT_ALIAS;
        n_unit_unknown += kind == UNIT_UNKNOWN;
    }
    if (rename_districts(&r->t[F_DZ], &addr_out))
        n_district_renamed++;
}

static void emit(const row_t *r, bool dup)
{
    encode_row(r);
    n_extracted++;
    if (method == METHOD_INSERT) {
        stmt_row(&st_legacy, r, true);
        if (utf8_copy)
            stmt_row(&st_utf8, r, false);
    } else {
        sink_row(&ld_sink, r, true);
        if (utf8_copy)
            sink_row(&spool_sink, r, false);
    }
    if (nchecks < NCHECK) {
        check_t *c = &checks[nchecks++];
        c->id = r->id;
        snprintf(c->ldsj, sizeof c->ldsj, "%s", r->ldsj);
        memcpy(c->sqnr, enc_buf[F_SQNR], enc_len[F_SQNR]);
        c->sqnr_len = enc_len[F_SQNR];
        c->xm_null = r->t[F_XM].null;
        memcpy(c->xm, enc_buf[F_XM], enc_len[F_XM]);
        c->xm_len = enc_len[F_XM];
    }
    if (dup) {
        n_merged++;
        count_fixes(r); /* a copy passes the transform; the load merges it */
        return;
    }
    if (r->fault == FAULT_UNDECODABLE) {
        n_undecodable++;
        return;
    }
    if (r->fault == FAULT_INVALID_DATE) {
        n_invalid++;
        return;
    }
    n_loaded++;
    count_fixes(r);
    if (r->fault == FAULT_ZERO_DATE) {
        n_zero++;
        n_none++;
    } else {
        if (r->month < 0 || r->month >= NMONTHS)
            die("internal: month out of range");
        months[r->month]++;
    }
    if (r->cat < 0) {
        n_unmapped++;
        unmapped_loaded++;
    } else {
        cats[r->cat].loaded++;
    }
    status_loaded[r->status]++;
    for (size_t i = 0; i + 1 < enc_len[F_SQNR];) {
        if ((unsigned char)enc_buf[F_SQNR][i] < 0x81) {
            i++;
            continue;
        }
        if (enc_buf[F_SQNR][i + 1] == 0x5C || enc_buf[F_SQNR][i + 1] == 0x7C) {
            n_trail_content++;
            break;
        }
        i += 2;
    }
    truth_row(r);
}

/* pending duplicates */
static row_t dupq[DUPQ_CAP];
static uint64_t dupq_due[DUPQ_CAP], dupq_ord[DUPQ_CAP];
static bool dupq_used[DUPQ_CAP];
static uint64_t dupq_counter;

static int dupq_pick(uint64_t slot)
{
    int best = -1;
    for (int i = 0; i < DUPQ_CAP; i++) {
        if (!dupq_used[i] || dupq_due[i] > slot)
            continue;
        if (best < 0 || dupq_due[i] < dupq_due[best] ||
            (dupq_due[i] == dupq_due[best] && dupq_ord[i] < dupq_ord[best]))
            best = i;
    }
    return best;
}

static void dupq_push(const row_t *r, uint64_t due)
{
    for (int i = 0; i < DUPQ_CAP; i++)
        if (!dupq_used[i]) {
            dupq[i] = *r;
            dupq_due[i] = due;
            dupq_ord[i] = dupq_counter++;
            dupq_used[i] = true;
            return;
        }
    /* queue full: simply no duplicate */
}

/* first rows cover every fault and every odd shape, even for small N */
static void force_for(uint64_t slot, force_t *f)
{
    memset(f, 0, sizeof *f);
    f->fault = -1;
    f->phone = -1;
    f->bad_kind = -1;
    switch (slot) {
    case 0:
        f->fault = FAULT_NONE; f->dup = true; f->phone = PH_FULLWIDTH;
        f->old_district = true; f->special = true; f->crlf = true;
        break;
    case 1: f->fault = FAULT_ZERO_DATE; f->rare_name = true; f->phone = PH_FORMATTED; break;
    case 3: f->fault = FAULT_INVALID_DATE; break;
    case 4: f->fault = FAULT_UNDECODABLE; f->bad_kind = 0; break;
    case 5: f->fault = FAULT_NONE; f->unmapped = true; f->phone = PH_LAND_DASH; break;
    case 6: f->fault = FAULT_NONE; f->phone = PH_LAND_NODASH; f->trail_name = true; break;
    case 7: f->fault = FAULT_NONE; f->phone = PH_LOCAL; f->fw_id = true; break;
    case 8: f->fault = FAULT_NONE; f->phone = PH_NULL; f->special = true; break;
    case 9: f->fault = FAULT_UNDECODABLE; f->bad_kind = 1; break;
    case 10: f->fault = FAULT_UNDECODABLE; f->bad_kind = 2; break;
    case 11: f->fault = FAULT_ZERO_DATE; f->unmapped = true; break;
    default: break;
    }
}

static bool forced_slot(uint64_t slot)
{
    return slot <= 11 && slot != 2;
}

/* one slot of output: a pending duplicate or a new row */
static row_t cur_row;
static uint64_t next_slot;

static void gen_slot(uint64_t slot)
{
    int qi = forced_slot(slot) ? -1 : dupq_pick(slot);
    if (qi >= 0) {
        dupq[qi].id = (uint32_t)(slot + 1);
        emit(&dupq[qi], true);
        dupq_used[qi] = false;
        return;
    }
    force_t f;
    force_for(slot, &f);
    gen_row(&cur_row, slot, &f);
    cur_row.id = (uint32_t)(slot + 1);
    emit(&cur_row, false);
    if (cur_row.fault == FAULT_NONE && cur_row.cat >= 0) {
        uint64_t due = 0;
        if (f.dup)
            due = slot + 2;
        else if (slot > 11 && chance(PPM_DUPLICATE))
            due = slot + 1 + rnd_below(6);
        if (due && due < nrows)
            dupq_push(&cur_row, due);
    }
}

/* libmariadb local-infile callbacks: the "file" is generated on demand */
enum { SRC_GENERATOR = 1, SRC_SPOOL = 2 };

static int ld_init(void **ptr, const char *filename, void *userdata)
{
    (void)filename;
    *ptr = userdata;
    return 0;
}

static int ld_read(void *ptr, char *buf, unsigned int buf_len)
{
    if (*(int *)ptr == SRC_SPOOL) {
        size_t n = fread(buf, 1, buf_len, spool_sink.spool);
        if (ferror(spool_sink.spool))
            return -1;
        return (int)n;
    }
    while (ld_sink.len - ld_sink.pos < buf_len && next_slot < nrows)
        gen_slot(next_slot++);
    size_t n = ld_sink.len - ld_sink.pos;
    if (n > buf_len)
        n = buf_len;
    memcpy(buf, ld_sink.p + ld_sink.pos, n);
    ld_sink.pos += n;
    if (ld_sink.pos == ld_sink.len)
        ld_sink.pos = ld_sink.len = 0;
    return (int)n;
}

static void ld_end(void *ptr)
{
    (void)ptr;
}

static int ld_error(void *ptr, char *msg, unsigned int len)
{
    (void)ptr;
    snprintf(msg, len, "gen12319: spool read error");
    return 1;
}

static void check_warnings(const char *what)
{
    if (mysql_warning_count(conn) == 0)
        return;
    char msg[1024] = "";
    if (!mysql_query(conn, "SHOW WARNINGS LIMIT 3")) {
        MYSQL_RES *res = mysql_store_result(conn);
        MYSQL_ROW w;
        while (res && (w = mysql_fetch_row(res)) != NULL) {
            size_t l = strlen(msg);
            snprintf(msg + l, sizeof msg - l, "\n  %s %s: %s", w[0] ? w[0] : "",
                     w[1] ? w[1] : "", w[2] ? w[2] : "");
        }
        if (res)
            mysql_free_result(res);
    }
    die("%s: the server reported %u warning(s) (data not stored as written):%s", what,
        mysql_warning_count(conn), msg);
}

static const char *const COLS = "(id,gdbh,ldsj,ldhm,lxdh,xm,sfzh,dz,bt,sqnr,sqlx,wtlb,wtmc,blzt,"
                                "cbdw,bjsj,dfnr,myd,gxsj)";

static void load_data(const char *table, const char *charset, int src)
{
    static int srcs[3] = {0, SRC_GENERATOR, SRC_SPOOL};
    char sql[1024];
    snprintf(sql, sizeof sql,
             "LOAD DATA LOCAL INFILE '%s' INTO TABLE %s CHARACTER SET %s "
             "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' %s",
             table, table, charset, COLS);
    mysql_set_local_infile_handler(conn, ld_init, ld_read, ld_end, ld_error, &srcs[src]);
    if (mysql_real_query(conn, sql, (unsigned long)strlen(sql)))
        die("LOAD DATA into %s failed: %s", table, mysql_error(conn));
    uint64_t affected = (uint64_t)mysql_affected_rows(conn);
    check_warnings(table);
    if (affected != nrows)
        die("LOAD DATA into %s: %llu rows loaded, expected %llu", table,
            (unsigned long long)affected, (unsigned long long)nrows);
}

/* ------------------------------------------------------------------ */
/* expected.json                                                       */
/* ------------------------------------------------------------------ */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

typedef struct {
    const char *key;
    uint64_t n;
} kv_t;

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const kv_t *)a)->key, ((const kv_t *)b)->key);
}

/* sort by key, merge equal keys, print non-zero entries */
static void json_map(FILE *f, kv_t *kv, size_t n, bool sort)
{
    if (sort)
        qsort(kv, n, sizeof *kv, kv_cmp);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (kv[j].n && kv[i].n && strcmp(kv[i].key, kv[j].key) == 0) {
                kv[i].n += kv[j].n;
                kv[j].n = 0;
            }
    bool first = true;
    fputc('{', f);
    for (size_t i = 0; i < n; i++) {
        if (!kv[i].n)
            continue;
        if (!first)
            fputc(',', f);
        first = false;
        json_str(f, kv[i].key);
        fprintf(f, ":%llu", (unsigned long long)kv[i].n);
    }
    fputc('}', f);
}

static void write_expected(const char *path, uint64_t seed)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot create %s: %s", path, strerror(errno));
    uint64_t rej = n_undecodable + n_invalid;
    fprintf(f, "{\"system\":\"cg12319\",\"table\":\"gd_jbxx\",\"seed\":%llu,\"rows\":%llu,\n",
            (unsigned long long)seed, (unsigned long long)nrows);
    fprintf(f, " \"extracted\":%llu,\"loaded\":%llu,\"merged\":%llu,\n",
            (unsigned long long)n_extracted, (unsigned long long)n_loaded,
            (unsigned long long)n_merged);
    fprintf(f,
            " \"rejected\":{\"decode.undecodable\":%llu,\"transform.invalid_date\":%llu},"
            "\"rejected_total\":%llu,\n",
            (unsigned long long)n_undecodable, (unsigned long long)n_invalid,
            (unsigned long long)rej);
    fprintf(f,
            " \"fixes\":{\"zero_date\":%llu,\"unmapped_category\":%llu,\"fullwidth_folded\":%llu,"
            "\"phone_country_code\":%llu,\"unit_alias\":%llu,\"unit_unknown\":%llu,"
            "\"district_renamed\":%llu},\n",
            (unsigned long long)n_zero, (unsigned long long)n_unmapped,
            (unsigned long long)n_fullwidth, (unsigned long long)n_country_code,
            (unsigned long long)n_unit_alias, (unsigned long long)n_unit_unknown,
            (unsigned long long)n_district_renamed);

    kv_t *kv = xmalloc((ncats + 1) * sizeof *kv);
    for (size_t i = 0; i < ncats; i++) {
        kv[i].key = cats[i].unified;
        kv[i].n = cats[i].loaded;
    }
    kv[ncats].key = DEFAULT_CATEGORY;
    kv[ncats].n = unmapped_loaded;
    fputs(" \"categories\":", f);
    json_map(f, kv, ncats + 1, true);
    fputs(",\n", f);
    free(kv);

    kv_t skv[6];
    for (int s = 1; s <= 6; s++) {
        skv[s - 1].key = status_unified[s];
        skv[s - 1].n = status_loaded[s];
    }
    fputs(" \"statuses\":", f);
    json_map(f, skv, 6, false);
    fputs(",\n", f);

    fputs(" \"months\":{", f);
    for (int m = 0; m < NMONTHS; m++)
        if (months[m])
            fprintf(f, "\"%04d-%02d\":%llu,", 2016 + m / 12, m % 12 + 1,
                    (unsigned long long)months[m]);
    fprintf(f, "\"none\":%llu}}\n", (unsigned long long)n_none);
    if (fclose(f))
        die("write %s failed", path);
}

/* ------------------------------------------------------------------ */
/* start-up checks                                                     */
/* ------------------------------------------------------------------ */
static void check_vocab_list(const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char g[TEXT_CAP];
        size_t gl;
        if (v[i] && !enc_gbk(v[i], strlen(v[i]), g, sizeof g, &gl))
            die("internal: vocabulary entry not GBK/GB18030 round-trip safe: %s", v[i]);
    }
}

static void self_check(void)
{
    for (size_t i = 0; i < ARRLEN(TRAIL_CHARS); i++) {
        char g[8];
        size_t gl;
        if (!enc_gbk(TRAIL_CHARS[i], strlen(TRAIL_CHARS[i]), g, sizeof g, &gl) || gl != 2 ||
            (g[1] != 0x5C && g[1] != 0x7C))
            die("internal: %s has no 0x5C/0x7C trail byte in GBK", TRAIL_CHARS[i]);
    }
    iconv_t dec = iconv_open("UTF-8", "GB18030");
    if (dec == (iconv_t)-1)
        die("iconv_open: %s", strerror(errno));
    for (size_t i = 0; i < ARRLEN(RARE); i++) {
        char g[16], back[16];
        size_t gl;
        if (enc_gbk(RARE[i], strlen(RARE[i]), g, sizeof g, &gl))
            die("internal: rare character %s is GBK-encodable", RARE[i]);
        gl = iconv_buf(cd_u2gb18030, RARE[i], strlen(RARE[i]), g, sizeof g);
        if (gl != 4)
            die("internal: rare character %s is not a GB18030 four-byte sequence", RARE[i]);
        size_t bl = iconv_buf(dec, g, gl, back, sizeof back);
        if (bl != strlen(RARE[i]) || memcmp(back, RARE[i], bl) != 0)
            die("internal: rare character %s does not round-trip", RARE[i]);
    }
    iconv_close(dec);
#define CHK(a) check_vocab_list(a, ARRLEN(a))
    CHK(SURNAMES); CHK(GIVEN); CHK(GIVEN_TRAIL); CHK(SHOPS_TRAIL); CHK(SHOPS); CHK(ROADS);
    CHK(COMPLEXES); CHK(OLD_DISTRICTS); CHK(NEW_STREETS); CHK(TOWNS); CHK(UNITS); CHK(SQLX);
    CHK(GENERIC_PROBLEM); CHK(OPENERS); CHK(FILLERS); CHK(SPECIAL); CHK(REPLY_OPEN);
    CHK(REPLY_RESULT); CHK(REPLY_EXTRA); CHK(REPLY_CLOSE);
#undef CHK
    for (size_t i = 0; i < 3; i++)
        check_vocab_list(VILLAGES[i], 5);
    for (size_t i = 0; i < ARRLEN(CATINFO); i++)
        check_vocab_list(CATINFO[i].p, 3);
    for (size_t i = 0; i < ARRLEN(UNMAPPED); i++)
        check_vocab_list(&UNMAPPED[i][1], 1);
    for (size_t i = 0; i < ncats; i++) {
        const char *v[1] = {cats[i].name};
        check_vocab_list(v, 1);
    }
    static const char *const EXTRA[] = {"嘉峪关市", "附近，", "来电人补充：", "先生", "女士",
                                        "匿名", "号楼", "单元", "室", "组", "号", "与", "交叉口",
                                        "问题", "关于", "的", "反映", "“", "”", "："};
    check_vocab_list(EXTRA, ARRLEN(EXTRA));
    for (int d = 0; d < 10; d++) {
        char u[4], g[4];
        size_t n = utf8_enc(0xFF10u + (uint32_t)d, u), gl;
        if (!enc_gbk(u, n, g, sizeof g, &gl))
            die("internal: full-width digit not GBK");
    }
}

/* ------------------------------------------------------------------ */
/* database                                                            */
/* ------------------------------------------------------------------ */
static const char *const DDL_COLUMNS =
    "  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
    "  gdbh VARCHAR(32) NOT NULL,\n"
    "  ldsj DATETIME NULL,\n"
    "  ldhm VARCHAR(40) NULL,\n"
    "  lxdh VARCHAR(40) NULL,\n"
    "  xm VARCHAR(40) NULL,\n"
    "  sfzh VARCHAR(40) NULL,\n"
    "  dz VARCHAR(255) NULL,\n"
    "  bt VARCHAR(255) NULL,\n"
    "  sqnr TEXT NULL,\n"
    "  sqlx VARCHAR(16) NULL,\n"
    "  wtlb VARCHAR(16) NULL,\n"
    "  wtmc VARCHAR(64) NULL,\n"
    "  blzt CHAR(2) NULL,\n"
    "  cbdw VARCHAR(128) NULL,\n"
    "  bjsj DATETIME NULL,\n"
    "  dfnr TEXT NULL,\n"
    "  myd CHAR(1) NULL,\n"
    "  gxsj DATETIME NOT NULL\n";

static void db_connect(void)
{
    const char *sock = getenv("MYSQL_UNIX_PORT");
    const char *user = getenv("MIGRATE_MYSQL_USER");
    const char *pass = getenv("MIGRATE_MYSQL_PASSWORD");
    if (!user || !*user)
        user = "root";
    if (sock && !*sock)
        sock = NULL;
    conn = mysql_init(NULL);
    if (!conn)
        die("mysql_init failed");
    if (mysql_options(conn, MYSQL_SET_CHARSET_NAME, "binary"))
        die("mysql_options(charset binary) failed");
    unsigned int one = 1;
    if (method != METHOD_INSERT && mysql_options(conn, MYSQL_OPT_LOCAL_INFILE, &one))
        die("mysql_options(local infile) failed");
    if (!mysql_real_connect(conn, "localhost", user, pass, NULL, 0, sock, 0))
        die("cannot connect to MariaDB (socket %s, user %s): %s", sock ? sock : "(default)", user,
            mysql_error(conn));
    if (strcmp(mysql_character_set_name(conn), "binary") != 0)
        die("connection charset is %s, not binary", mysql_character_set_name(conn));
}

static void db_create(const char *db)
{
    char sql[4096];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS `%s`", db);
    q(sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE `%s` DEFAULT CHARACTER SET latin1", db);
    q(sql);
    if (mysql_select_db(conn, db))
        die("USE %s: %s", db, mysql_error(conn));
    snprintf(sql, sizeof sql, "CREATE TABLE gd_jbxx (\n%s) ENGINE=InnoDB DEFAULT CHARSET=latin1",
             DDL_COLUMNS);
    q(sql);
    if (utf8_copy) {
        snprintf(sql, sizeof sql,
                 "CREATE TABLE gd_jbxx_utf8 (\n%s) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                 DDL_COLUMNS);
        q(sql);
    }
    /* zero dates and 2019-02-30 must be stored as written */
    q("SET SESSION sql_mode='ALLOW_INVALID_DATES'");
    q("SET SESSION unique_checks=0");
    q("SET SESSION foreign_key_checks=0");
    q("START TRANSACTION");
}

static MYSQL_RES *query_result(const char *sql)
{
    q(sql);
    MYSQL_RES *res = mysql_store_result(conn);
    if (!res)
        die("no result: %s", mysql_error(conn));
    return res;
}

static uint64_t num(const char *s)
{
    return s ? strtoull(s, NULL, 10) : 0;
}

/* re-read what was stored and compare with what was meant */
static void db_verify(void)
{
    MYSQL_RES *res = query_result(
        "SELECT COUNT(*), SUM(CAST(ldsj AS CHAR)='0000-00-00 00:00:00'), "
        "SUM(CAST(SUBSTRING(CAST(ldsj AS CHAR),9,2) AS UNSIGNED) > "
        "DAY(LAST_DAY(CONCAT(SUBSTRING(CAST(ldsj AS CHAR),1,7),'-01')))), "
        "COUNT(DISTINCT gdbh) FROM gd_jbxx");
    MYSQL_ROW row = mysql_fetch_row(res);
    uint64_t cnt = num(row[0]), zero = num(row[1]), inval = num(row[2]), dist = num(row[3]);
    mysql_free_result(res);
    if (cnt != nrows)
        die("verify: gd_jbxx has %llu rows, expected %llu", (unsigned long long)cnt,
            (unsigned long long)nrows);
    if (zero != n_zero)
        die("verify: %llu zero dates stored, expected %llu", (unsigned long long)zero,
            (unsigned long long)n_zero);
    if (inval != n_invalid)
        die("verify: %llu invalid dates stored, expected %llu", (unsigned long long)inval,
            (unsigned long long)n_invalid);
    if (dist != nrows - n_merged)
        die("verify: %llu distinct gdbh, expected %llu", (unsigned long long)dist,
            (unsigned long long)(nrows - n_merged));

    res = query_result("SELECT id, CAST(ldsj AS CHAR), sqnr, xm FROM gd_jbxx WHERE id <= 16 "
                       "ORDER BY id");
    size_t i = 0;
    while ((row = mysql_fetch_row(res)) != NULL) {
        unsigned long *len = mysql_fetch_lengths(res);
        if (i >= nchecks || num(row[0]) != checks[i].id)
            die("verify: unexpected id %s", row[0]);
        const check_t *c = &checks[i];
        if (!row[1] || strcmp(row[1], c->ldsj) != 0)
            die("verify: id %u ldsj stored as %s, written %s", c->id, row[1] ? row[1] : "NULL",
                c->ldsj);
        if (!row[2] || len[2] != c->sqnr_len || memcmp(row[2], c->sqnr, c->sqnr_len) != 0)
            die("verify: id %u sqnr bytes differ", c->id);
        if (c->xm_null ? row[3] != NULL
                       : (!row[3] || len[3] != c->xm_len || memcmp(row[3], c->xm, c->xm_len)))
            die("verify: id %u xm bytes differ", c->id);
        i++;
    }
    mysql_free_result(res);
    if (i != nchecks)
        die("verify: re-read %zu rows, expected %zu", i, nchecks);

    if (utf8_copy) {
        res = query_result("SELECT COUNT(*) FROM gd_jbxx_utf8");
        row = mysql_fetch_row(res);
        if (num(row[0]) != nrows)
            die("verify: gd_jbxx_utf8 has %s rows", row[0]);
        mysql_free_result(res);
    }
}

/* ------------------------------------------------------------------ */
/* main                                                                */
/* ------------------------------------------------------------------ */
static void mkdir_p(const char *dir)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(tmp, 0777) && errno != EEXIST)
            die("mkdir %s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0777) && errno != EEXIST)
        die("mkdir %s: %s", tmp, strerror(errno));
}

static void usage(FILE *f)
{
    fputs("usage: gen12319 --rows N [--seed S] --out DIR [--database NAME] [--utf8-copy]\n"
          "                [--playbook-dir DIR] [--method auto|load|insert]\n"
          "  env: MYSQL_UNIX_PORT (socket), MIGRATE_MYSQL_USER (default root),\n"
          "       MIGRATE_MYSQL_PASSWORD (optional)\n",
          f);
}

static uint64_t parse_u64(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        die("%s: not a number: %s", opt, s);
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        die("%s: not a number: %s", opt, s);
    return (uint64_t)v;
}

int main(int argc, char **argv)
{
    uint64_t seed = 12319;
    const char *out = NULL, *db = "legacy_cg12319", *pbdir = "playbooks/cg12319";
    bool have_rows = false;
    static const struct option opts[] = {
        {"rows", required_argument, NULL, 'n'},     {"seed", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},      {"database", required_argument, NULL, 'd'},
        {"utf8-copy", no_argument, NULL, 'u'},      {"playbook-dir", required_argument, NULL, 'p'},
        {"method", required_argument, NULL, 'm'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'n': nrows = parse_u64("--rows", optarg); have_rows = true; break;
        case 's': seed = parse_u64("--seed", optarg); break;
        case 'o': out = optarg; break;
        case 'd': db = optarg; break;
        case 'u': utf8_copy = true; break;
        case 'p': pbdir = optarg; break;
        case 'm':
            if (strcmp(optarg, "load") == 0)
                method = METHOD_LOAD;
            else if (strcmp(optarg, "insert") == 0)
                method = METHOD_INSERT;
            else if (strcmp(optarg, "auto") == 0)
                method = METHOD_AUTO;
            else
                die("--method: load, insert or auto");
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind != argc || !have_rows || !out) {
        usage(stderr);
        return 1;
    }
    if (nrows < 1 || nrows > 100000000ULL)
        die("--rows must be between 1 and 100000000");
    if (!*db || strlen(db) > 64 || strspn(db, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(db))
        die("--database: use letters, digits and _ only");

    struct timespec t_start, t_end;
    clock_gettime(CLOCK_MONOTONIC, &t_start);

    load_playbook(pbdir);
    build_gbk_table();
    self_check();
    rng_state = seed;
    T0 = days_from_civil(2016, 1, 1) * 86400;
    T_END = days_from_civil(2025, 1, 1) * 86400;

    mkdir_p(out);
    char path[4096];
    snprintf(path, sizeof path, "%s/intended.tsv", out);
    tsv = fopen(path, "w");
    if (!tsv)
        die("cannot create %s: %s", path, strerror(errno));
    setvbuf(tsv, NULL, _IOFBF, 1 << 20);

    db_connect();
    if (method == METHOD_AUTO) {
        MYSQL_RES *res = query_result("SELECT @@local_infile");
        MYSQL_ROW lr = mysql_fetch_row(res);
        method = (lr && lr[0] && (strcmp(lr[0], "1") == 0 || strcasecmp(lr[0], "ON") == 0))
                     ? METHOD_LOAD
                     : METHOD_INSERT;
        mysql_free_result(res);
    }
    db_create(db);
    if (method == METHOD_INSERT) {
        stmt_init(&st_legacy, "gd_jbxx");
        if (utf8_copy)
            stmt_init(&st_utf8, "gd_jbxx_utf8");
    }

    if (method == METHOD_INSERT) {
        while (next_slot < nrows)
            gen_slot(next_slot++);
        stmt_flush(&st_legacy);
        if (utf8_copy)
            stmt_flush(&st_utf8);
    } else {
        if (utf8_copy) {
            spool_sink.spool = tmpfile();
            if (!spool_sink.spool)
                die("cannot create a temporary file: %s", strerror(errno));
        }
        load_data("gd_jbxx", "binary", SRC_GENERATOR);
        if (next_slot != nrows)
            die("internal: LOAD DATA ended at row %llu", (unsigned long long)next_slot);
        if (utf8_copy) {
            sink_flush_spool(&spool_sink);
            rewind(spool_sink.spool);
            load_data("gd_jbxx_utf8", "utf8mb4", SRC_SPOOL);
            fclose(spool_sink.spool);
        }
    }
    q("COMMIT");
    if (fclose(tsv))
        die("write intended.tsv failed: %s", strerror(errno));

    if (n_extracted != nrows || n_loaded + n_merged + n_undecodable + n_invalid != nrows)
        die("internal: counts do not add up");
    db_verify();
    snprintf(path, sizeof path, "%s/expected.json", out);
    write_expected(path, seed);
    mysql_close(conn);

    clock_gettime(CLOCK_MONOTONIC, &t_end);
    double secs = (double)(t_end.tv_sec - t_start.tv_sec) +
                  (double)(t_end.tv_nsec - t_start.tv_nsec) / 1e9;
    printf("gen12319: seed=%llu rows=%llu loaded=%llu merged=%llu rejected=%llu "
           "(undecodable=%llu invalid_date=%llu) zero_date=%llu unmapped=%llu "
           "trail_5c7c_contents=%llu db=%s%s method=%s out=%s %.2fs\n",
           (unsigned long long)seed, (unsigned long long)nrows, (unsigned long long)n_loaded,
           (unsigned long long)n_merged, (unsigned long long)(n_undecodable + n_invalid),
           (unsigned long long)n_undecodable, (unsigned long long)n_invalid,
           (unsigned long long)n_zero, (unsigned long long)n_unmapped,
           (unsigned long long)n_trail_content, db, utf8_copy ? " (+gd_jbxx_utf8)" : "",
           method == METHOD_LOAD ? "load" : "insert", out, secs);
    return 0;
}
