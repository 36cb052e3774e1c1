/*
 * tests/gen/estate_model.h -- the shared legacy model of the reference
 * estate generator (gen-estate): seeded randomness, the calendar, Chinese
 * text (names, addresses, request texts, replies), phones and ID numbers in
 * their legacy shapes, GBK/GB18030 encoding, the playbook's mapping tables,
 * fault injection and the bookkeeping of the expected outcome (ground truth).
 *
 * A system of the estate is described by a `struct em_desc` (its vocabulary,
 * time span, faults and their rates, status and satisfaction codes) and
 * driven by a `struct em_sys`: em_sys_next() hands out one work order per
 * slot (a new one, a pending duplicate or a cross-system call) with the
 * intended UTF-8 text; the system's writer (tests/gen/estate.c) stores it in
 * its platform's shape, works out what the toolkit must make of it (`struct
 * em_fx`: a reject reason or the fixes) and calls em_account().
 *
 * Everything random comes from splitmix64 streams and only integer
 * arithmetic is used, so the output is the same on every machine.
 * This is a test tool: errors print a message and exit 1 (em_die).
 */
#ifndef ESTATE_MODEL_H
#define ESTATE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EM_ARRLEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors and files ---- */
void em_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void *em_xmalloc(size_t n);
void *em_xcalloc(size_t n, size_t size);
char *em_xstrdup(const char *s);
void em_mkdir_p(const char *dir);
FILE *em_fopen(const char *dir, const char *name, const char *mode);
extern const char *em_prog; /* for messages */

/* ---- growing byte buffer (no cap: generator-side data only) ---- */
struct em_buf {
	char *p;
	size_t len, cap;
};
void em_buf_add(struct em_buf *b, const void *p, size_t n);
void em_buf_adds(struct em_buf *b, const char *s);
void em_buf_addf(struct em_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void em_buf_addc(struct em_buf *b, char c);
void em_buf_free(struct em_buf *b);

/* ---- PRNG: splitmix64 ---- */
struct em_rng {
	uint64_t s;
};
/* seed a stream from the run's seed and a stream name ("sj12315", "cross") */
void em_rng_seed(struct em_rng *r, uint64_t seed, const char *stream);
uint64_t em_rnd64(struct em_rng *r);
uint32_t em_below(struct em_rng *r, uint32_t n);   /* [0, n) */
int em_range(struct em_rng *r, int lo, int hi);     /* [lo, hi] */
bool em_chance(struct em_rng *r, uint32_t ppm);     /* parts per million */
size_t em_weighted(struct em_rng *r, const int *w, size_t n);
#define EM_PICK(r, a) ((a)[em_below((r), (uint32_t)EM_ARRLEN(a))])

/* ---- calendar: seconds since 1970-01-01 00:00:00 local wall time ---- */
struct em_tm {
	int y, mo, d, h, mi, s;
};
int64_t em_days(int y, int m, int d);
void em_civil(int64_t days, int *y, int *m, int *d);
int em_month_len(int y, int m);
int64_t em_time(int y, int mo, int d, int h, int mi, int s);
void em_tm(int64_t t, struct em_tm *tm);
void em_fmt_iso(int64_t t, char out[20]); /* YYYY-MM-DD HH:MM:SS */

/* ---- UTF-8 text ---- */
#define EM_TEXT_CAP 4096
struct em_text {
	char s[EM_TEXT_CAP];
	size_t len;
	bool null;
};
void em_t_reset(struct em_text *t);
void em_t_null(struct em_text *t);
void em_t_addn(struct em_text *t, const char *s, size_t n);
void em_t_add(struct em_text *t, const char *s);
void em_t_addf(struct em_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void em_t_set(struct em_text *t, const char *s);
void em_t_copy(struct em_text *dst, const struct em_text *src);
size_t em_utf8_chars(const char *s, size_t n);
size_t em_utf8_enc(uint32_t cp, char *out);
bool em_utf8_valid(const void *p, size_t n);
bool em_ends_with(const char *s, const char *suffix);

/* ---- encodings ---- */
/* Build the UTF-8 -> GBK table (glibc iconv); call once before em_to_gbk. */
void em_enc_init(void);
/* UTF-8 -> GBK two-byte codes that decode back through GB18030; characters
 * outside it (CJK Ext-B names) are written as GB18030 four-byte sequences
 * when gb18030 is true, else the call fails. */
bool em_to_gbk(const char *u, size_t n, struct em_buf *out, bool gb18030);
/* die unless every entry is GBK (two-byte) round-trip safe */
void em_check_gbk(const char *const *v, size_t n);
/* the invalid GB18030 byte sequences the faults insert: 81 7F, FF, a lead
 * byte B0 at the very end (kind 0, 1, 2) */
extern const char *const em_bad_gbk[3];

/* ---- mapping tables of the playbook (UTF-8 CSV with a header) ---- */
struct em_map {
	char *path;
	size_t n;
	char **key, **name, **val; /* name only for category tables */
};
/* category: legacy_code,legacy_name,unified_code; else legacy,unified */
void em_map_load(struct em_map *m, const char *dir, const char *file, bool category);
const char *em_map_get(const struct em_map *m, const char *key); /* unified, or NULL */
const char *em_map_name(const struct em_map *m, const char *key); /* legacy_name, or NULL */
void em_map_free(struct em_map *m);

/* ---- counters: key -> count, in insertion order ---- */
struct em_kv {
	size_t n, cap;
	char **key;
	uint64_t *val;
};
void em_kv_add(struct em_kv *kv, const char *key, uint64_t n);
uint64_t em_kv_get(const struct em_kv *kv, const char *key);
void em_kv_free(struct em_kv *kv);
/* a JSON object; sorted by key (byte order); zero entries left out unless
 * listed in keep (NULL-terminated) */
void em_kv_json(FILE *f, const struct em_kv *kv, const char *const *keep);

/* ---- people and places ---- */
enum em_name_kind {
	EM_NM_AUTO, EM_NM_NULL, EM_NM_ANON, EM_NM_TITLE, EM_NM_FULL, EM_NM_RARE, EM_NM_TRAIL, EM_NM_TEST,
};
/* returns true if the name needs GB18030 four-byte sequences */
bool em_gen_name(struct em_rng *r, struct em_text *t, enum em_name_kind kind, uint32_t ppm_rare);

enum em_phone_kind {
	EM_PH_PLAIN,       /* 13912345678 */
	EM_PH_FULLWIDTH,   /* １３９１２３４５６７８ */
	EM_PH_FORMATTED,   /* +86 139 1234 5678, 139-1234-5678 */
	EM_PH_LAND_DASH,   /* 0937-6212345 */
	EM_PH_LAND_NODASH, /* 09376212345 */
	EM_PH_LOCAL,       /* 6212345 */
	EM_PH_NULL,        /* NULL (or an empty cell) */
	EM_PH_WORD,        /* 无, 不详 ...: not a number (fix phone_unrecognised) */
	EM_PH_SHORT,       /* a digit missing: 1391234567 (fix phone_unrecognised) */
	EM_PH_EXCEL_SCI,   /* Excel showed the number as 1.39123E+10 (fix phone_unrecognised) */
	EM_PH_EXCEL_ZERO,  /* Excel dropped the leading 0: 9376212345 (fix phone_unrecognised) */
	EM_PH_COUNT,
};
struct em_phone {
	enum em_phone_kind kind;
	struct em_text raw;  /* as the legacy system stores it (UTF-8) */
	char norm[24];       /* the phone transform's result when recognised */
	bool recognised;
};
/* weights (per mille) of each kind for a system */
struct em_phone_mix {
	int w[EM_PH_COUNT];
};
enum em_phone_kind em_pick_phone(struct em_rng *r, const struct em_phone_mix *mix);
void em_gen_phone(struct em_rng *r, struct em_phone *p, enum em_phone_kind kind);
void em_phone_copy(struct em_phone *dst, const struct em_phone *src);

enum em_id_kind {
	EM_ID_NULL,      /* none (NULL, or an empty cell) */
	EM_ID_PLAIN,     /* valid GB 11643 number */
	EM_ID_FULLWIDTH, /* valid, in full-width characters (fix fullwidth_folded) */
	EM_ID_BADCHECK,  /* a wrong check character (fix idno_invalid) */
	EM_ID_OLD15,     /* a 15-digit first-generation number (fix idno_invalid) */
	EM_ID_EXCEL_SCI, /* Excel: 6.20202E+17 (fix idno_invalid) */
	EM_ID_COUNT,
};
struct em_idno {
	enum em_id_kind kind;
	struct em_text raw;
};
struct em_id_mix {
	int w[EM_ID_COUNT];
};
enum em_id_kind em_pick_id(struct em_rng *r, const struct em_id_mix *mix);
void em_gen_idno(struct em_rng *r, struct em_idno *id, enum em_id_kind kind);

/* an address; returns true when it names a pre-2019 district */
bool em_gen_address(struct em_rng *r, struct em_text *t, bool pre2019, bool force_old, const char **road);
extern const char *const em_old_districts[3];

/* ---- the description of one system ---- */
enum em_fault {
	EM_F_NONE,
	EM_F_ZERO_DATE,     /* received time all zeros (0000-00-00, 00000000) */
	EM_F_INVALID_DATE,  /* an impossible day (2019-02-30) */
	EM_F_UNDECODABLE,   /* bytes invalid in the declared encoding in the content */
	EM_F_NULL_DATE,     /* received time lost (NULL) */
	EM_F_MISSING_ID,    /* the legacy id is empty */
	EM_F_GARBLED_DATE,  /* received time is text that is no date (不详) */
	EM_F_EXCEL_DATE,    /* an Excel date serial that is no date (0, 60) */
	EM_F_COUNT,
};
extern const char *const em_fault_names[EM_F_COUNT];

/* lifecycle stages; a system names its own legacy code for each */
enum em_stage {
	EM_ST_NEW,        /* 受理 */
	EM_ST_DISPATCHED, /* 派单 */
	EM_ST_HANDLING,   /* 办理 */
	EM_ST_REPLIED,    /* 回复 / 回访 */
	EM_ST_CLOSED,     /* 办结 */
	EM_ST_ARCHIVED,   /* 归档 */
	EM_ST_INVALID,    /* 无效诉求 (closed at intake) */
	EM_ST_COUNT,
};

/* content templates by legacy category code: {S} shop, {R} road, {N} 2-30,
 * {H} 21-23, {T} 10-16, {M} money, {G} goods, {C} company, {U} unit,
 * {L} the category's name, {K} a housing complex, {Q} the hotline number,
 * {D} the department (desc->dept) */
struct em_catdef {
	const char *code;
	const char *line; /* the number it belongs to (NULL: the system's own) */
	int weight;
	const char *tpl[3];
};
struct em_unmapped {
	const char *code, *name, *line;
};

enum em_field {
	EF_NAME, EF_ADDR, EF_TITLE, EF_CONTENT, EF_UNIT, EF_REPLY, EF_PHONE, EF_CONTACT, EF_RTYPE, EF_CATTEXT,
	EF_COUNT,
};
extern const char *const em_field_names[EF_COUNT];

struct em_sys;
struct em_order;

struct em_desc {
	const char *code;     /* sj12315 */
	const char *hotline;  /* 12315 */
	const char *dept;     /* 市场监管部门: "请{dept}依法处理" */
	int y0, m0, y1, m1;   /* time span [y0-m0-01, y1-m1-01) */
	const struct em_catdef *cats;
	size_t ncats;
	const struct em_unmapped *unmapped;
	size_t nunmapped;
	const char *const *units;
	size_t nunits;
	const char *const *rtypes;      /* request types (unified words) */
	const int *rtype_w;
	size_t nrtypes;
	const char *const *fillers;     /* system sentences for contents */
	size_t nfillers;
	const char *const *results;     /* reply results */
	size_t nresults;
	const char *const *goods;       /* {G}; NULL: the shared list */
	size_t ngoods;
	const char *const *companies;   /* {C} */
	size_t ncompanies;
	const char *status[EM_ST_COUNT]; /* legacy status code per stage */
	const char *const *satis;       /* legacy satisfaction codes, best first */
	const int *satis_w;
	size_t nsatis;
	uint32_t ppm_no_satis;          /* closed but not evaluated */
	const char *satis_none;         /* the code written then (NULL: NULL) */
	uint32_t fault_ppm[EM_F_COUNT]; /* exclusive faults (at most one per row) */
	unsigned fault_loads;           /* 1u << EM_F_x: faults whose rows are loaded */
	uint32_t ppm_dup;               /* exact copies of clean rows */
	uint32_t ppm_unmapped;          /* unmapped category on loadable rows */
	uint32_t ppm_test;              /* test rows (测试) */
	uint32_t ppm_rare;              /* names with a CJK Ext-B character */
	bool gb18030_names;             /* rare names possible (else never) */
	struct em_phone_mix phones;
	struct em_id_mix ids;
	unsigned omit;                  /* 1u << EF_x: fields the system does not store */
	bool null_is_empty;             /* the platform has no NULL text (CSV, DBF) */
	const char *cross_cat;          /* category of cross-system calls (NULL: none) */
	void (*pick_line)(struct em_rng *r, int64_t t, const char **line); /* dialled number */
	/* the legacy id of a new order (s->seq_day, s->seq_year are set) */
	void (*make_id)(struct em_sys *s, const struct em_order *o, char *out, size_t cap);
};

/* ---- a work order as the model means it ---- */
struct em_order {
	/* scalars first: gen_order clears everything before f[] */
	uint64_t slot;
	char legacy_id[48];
	const char *line;       /* the number dialled */
	int64_t t;              /* intended received time */
	int64_t t_closed;       /* 0 when open */
	int64_t t_updated;
	enum em_fault fault;
	int inv_m, inv_d;       /* invalid date: the impossible month and day (year of t) */
	int bad_kind;           /* undecodable: 0..2 (em_bad_gbk) */
	size_t bad_cut;         /* byte offset in the content (UTF-8) for it */
	enum em_stage stage;
	int cat;                /* index in desc->cats, -1 when unmapped */
	int unmapped;           /* index in desc->unmapped when cat < 0 */
	const char *cat_code;
	int rtype;              /* index in desc->rtypes */
	int satis;              /* index in desc->satis, -1: none */
	bool rare_name, old_district, test_row, dup, cross, special;
	int cross_pair;         /* 1.. when cross */
	uint32_t var;           /* random bits fixed with the order: writers take
				   per-row choices from it, so copies stay exact */
	struct em_text f[EF_COUNT]; /* intended text (phones: the raw text) */
	struct em_phone phone[2];
	struct em_idno idno;
};

/* ---- cross-system calls: the same call recorded in two systems ---- */
struct em_cross {
	int pair;               /* 1.. */
	int64_t t;              /* whole minute */
	char name[32];
	char phone[16];
	int shop, goods;        /* indexes into the shared vocabulary */
};
/* the estate's cross calls for a scale: deterministic from seed and scale */
size_t em_cross_make(uint64_t seed, uint64_t scale, struct em_cross **out);
const char *em_cross_shop(const struct em_cross *c);
const char *em_cross_goods(const struct em_cross *c);

/* ---- what the toolkit must make of one record ---- */
struct em_fx {
	const char *reject;     /* "decode.undecodable", ...; NULL: goes on */
	bool received_null;     /* received_at ends up NULL */
	struct {
		const char *name;
		uint64_t n;
	} fix[12];
	int nfix;
};
void em_fx_init(struct em_fx *fx);
void em_fx_reject(struct em_fx *fx, const char *reason); /* the first wins */
void em_fx_fix(struct em_fx *fx, const char *name);
/* phone and ID number transforms, given what the platform stores */
void em_fx_phone(struct em_fx *fx, const struct em_phone *p, bool null_is_empty);
void em_fx_idno(struct em_fx *fx, const struct em_idno *id, bool null_is_empty);

/* ---- ground truth ---- */
struct em_table {
	char name[96];          /* the legacy table (or file glob) */
	char target[24];
	uint64_t rows, extract_rejected, loaded, merged;
	struct em_kv rejected;  /* "stage.reason" */
	struct em_kv fixes;
	FILE *tsv;              /* intended text, or NULL */
};
struct em_truth {
	const struct em_desc *d;
	uint64_t seed, scale;
	size_t ntables;
	struct em_table tables[4]; /* [0]: work orders */
	struct em_kv categories, statuses, months, dialled, units, checks;
	uint64_t none;          /* loaded work orders without a received time */
};

/* ---- a system being generated ---- */
#define EM_DUPQ 16
#define EM_FORCED 24
struct em_force {
	bool used;
	enum em_fault fault;
	int phone, idno, name;  /* -1: random */
	bool dup, old_district, special, crlf, unmapped, test_row;
};
struct em_sys {
	const struct em_desc *d;
	struct em_rng rng;
	uint64_t n;             /* work-order rows to write */
	int64_t t0, t1;
	struct em_map cats, status, satis;
	int cat_wsum;
	const char *unified_of_cat[64];
	int64_t last_day;
	int seq_day, seq_year, last_year;
	struct em_force forced[EM_FORCED];
	struct em_order dupq[EM_DUPQ];
	uint64_t dupq_due[EM_DUPQ];
	bool dupq_used[EM_DUPQ];
	struct em_cross *cross;
	size_t ncross, next_cross;
	struct em_order cur;
	uint64_t n_bad;         /* undecodable rows so far */
	struct em_truth truth;
	const char *outdir;     /* DIR/<code> */
};

/* load the playbook's tables (categories.csv, status.csv, satisfaction.csv
 * from pbdir/<code>/), check the description against them, seed the stream */
void em_sys_init(struct em_sys *s, const struct em_desc *d, uint64_t seed, uint64_t n, const char *pbdir,
		 const char *outdir);
/* release what em_sys_init and the ground truth allocated */
void em_sys_free(struct em_sys *s);
/* the work order of slot `slot` (slots are asked for in order) */
struct em_order *em_sys_next(struct em_sys *s, uint64_t slot);
/* cross-system calls this system records (set before the first slot) */
void em_sys_cross(struct em_sys *s, struct em_cross *c, size_t n);
const char *em_status_unified(const struct em_sys *s, const struct em_order *o);
const char *em_satis_unified(const struct em_sys *s, const struct em_order *o);
const char *em_cat_name(const struct em_sys *s, const struct em_order *o);
const char *em_cat_unified(const struct em_sys *s, const struct em_order *o); /* NULL when unmapped */

/* ground truth */
struct em_table *em_table_add(struct em_truth *tr, const char *name, const char *target, const char *tsv_dir,
			      const char *tsv_name);
/* account one work order (tables[0]) */
void em_account(struct em_sys *s, const struct em_order *o, const struct em_fx *fx);
/* account one record of another table; returns true if it is loaded (then
 * the caller writes its intended text with em_tsv) */
bool em_account_row(struct em_table *t, const struct em_fx *fx, bool dup);
void em_tsv(struct em_table *t, const char *legacy_id, const char *field, const char *s, size_t n, bool null);
void em_truth_write(struct em_sys *s, const char *path);
void em_check(struct em_truth *tr, const char *name, uint64_t n);

/* stored value of a text field, given the platform: NULL text becomes ""
 * where the platform has no NULL */
bool em_stored_null(const struct em_sys *s, const struct em_text *t);

#endif
