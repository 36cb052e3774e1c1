/* migrate/dq.h: data-quality collection for department IT, shared by
 * `migrate validate` (cmd_validate.c: extract, decode and transform with no
 * load and no store) and `migrate inspect` (cmd_inspect.c: profile a source
 * before a playbook exists).
 *
 * Everything here is bounded, whatever the size of the source: distinct
 * values are counted up to a cap (then "N+"), examples and samples are
 * capped, and every value shown is rendered as one line of text (valid
 * UTF-8 kept, other bytes as \xHH) and masked (migrate/mask.h): values of
 * personal columns (by the playbook's field map, or by a column name such as
 * xm, sfzh, ldhm, 姓名) as names, phone or ID numbers, and phone and ID
 * numbers inside any other text. docs/data-quality.md explains the output.
 */
#ifndef MG_DQ_H
#define MG_DQ_H

#include <stddef.h>
#include <stdint.h>

#include "extractors/extractor.h"
#include "migrate/buf.h"
#include "migrate/err.h"
#include "migrate/mask.h"
#include "migrate/schema.h"
#include "transform/decode.h"

/* The subcommands (main.c's commands[] refers to them). */
int cmd_validate(int argc, char **argv);
int cmd_inspect(int argc, char **argv);

#define DQ_MAX_EXAMPLES 10      /* example records kept per reject reason */
#define DQ_MAX_REASONS 32       /* reject reasons told apart; more are counted as "other" */
#define DQ_DISTINCT_CAP 1000    /* distinct values counted per column, then "1000+" */
#define DQ_CLIP 240             /* bytes of one rendered value shown, then "…" */
#define DQ_MAX_DEC 8            /* decoders per table */

/* ---- masking by name */

/* How a legacy column is masked, judged by its name alone: xm, 姓名, name,
 * lxr ... -> MASK_NAME; ldhm, lxdh, phone, tel, mobile, 电话 ... ->
 * MASK_PHONE; sfzh, 身份证, idno ... -> MASK_ID; anything else MASK_SCAN. */
enum mask_kind dq_name_kind(const char *column);
/* How a unified field is masked: personal fields (migrate/schema.h) by
 * their kind (caller_phone -> MASK_PHONE ...), the rest MASK_SCAN. */
enum mask_kind dq_field_kind(const struct mg_utable *t, const char *field);
/* 1 for MASK_NAME, MASK_PHONE, MASK_ID and MASK_ALL. */
int dq_kind_personal(enum mask_kind k);

/* ---- rendering */

/* Bytes as one line of text: valid UTF-8 kept, other bytes \xHH; backslash,
 * TAB, CR, LF and control characters escaped (\\ \t \r \n \xHH), and so are
 * C1 controls and bidirectional overrides. Appends to out. */
int dq_esc(const void *p, size_t n, struct mg_buf *out, struct mg_err *e);
/* Decode with d (NULL: the bytes are UTF-8 already) then dq_esc; bytes that
 * do not decode are shown as \xHH where they are and decoding resumes after
 * them. tmp is scratch. */
int dq_decode_esc(struct mg_decoder *d, const unsigned char *p, size_t n, struct mg_buf *tmp,
		  struct mg_buf *out, struct mg_err *e);
/* Mask UTF-8 text s as kind says and append it to out, cut after max bytes
 * (at a character) with "… (W bytes)": W is whole, the value's size as
 * stored (0: n). */
int dq_mask_clip(enum mask_kind kind, const char *s, size_t n, size_t max, size_t whole, struct mg_buf *out,
		 struct mg_err *e);

/* ---- the columns of one table: names, masks, decoders */

struct dq_cols {
	unsigned n;
	char *name[MG_MAX_COLS];
	enum mask_kind kind[MG_MAX_COLS];
	int dec[MG_MAX_COLS];          /* index into d, or -1: shown as UTF-8 */
	struct mg_decoder d[DQ_MAX_DEC];
	unsigned nd;
	struct mg_buf tmp, val, val2;  /* scratch */
};

/* Copy the column names; every column masked by dq_name_kind, shown as UTF-8. */
int dq_cols_init(struct dq_cols *c, const struct mg_columns *cols, struct mg_err *e);
void dq_cols_release(struct dq_cols *c);
int dq_cols_find(const struct dq_cols *c, const char *name);
/* Decode column col (col < 0: every column) as enc; NULL, "" or an unknown
 * name: shown as UTF-8. */
int dq_cols_encoding(struct dq_cols *c, int col, const char *enc, struct mg_err *e);
/* Raise the masking of column col to k (never lowers it). */
void dq_cols_mark(struct dq_cols *c, int col, enum mask_kind k);
/* One value of column col: decoded, escaped, masked, clipped at max bytes;
 * appended to out. */
int dq_cols_value(struct dq_cols *c, unsigned col, const unsigned char *p, size_t n, size_t max,
		  struct mg_buf *out, struct mg_err *e);
/* A record in canonical form (migrate/hash.h: 'N' or 'V<len>:<bytes>' per
 * column) as "col=value; col=value" (NULL as \N), each value as
 * dq_cols_value; a record of a single value that is not split into the
 * table's columns (a line a file driver could not split) is shown by its
 * shape only (mask_shape). Appended to out. */
int dq_cols_record(struct dq_cols *c, const unsigned char *raw, size_t n, size_t max_each,
		   struct mg_buf *out, struct mg_err *e);
/* A reject detail: a value quoted after "column 'x'" is masked as column x
 * is; phone and ID numbers anywhere are masked. Appended to out. */
int dq_cols_detail(struct dq_cols *c, const char *d, size_t n, struct mg_buf *out, struct mg_err *e);

/* ---- distinct values with counts, bounded */

struct dq_vitem {
	uint64_t h;          /* FNV-1a of the whole value */
	uint64_t count;
	size_t off;          /* kept bytes in the arena */
	uint32_t len;        /* the value's whole length */
	uint32_t kept;       /* bytes kept (at most keep) */
};

struct dq_vset {
	struct dq_vitem *item;    /* in the order first seen */
	unsigned n, alloc, cap;
	int32_t *slot;            /* open addressing: item index + 1, 0 = free */
	unsigned nslot;
	size_t keep;              /* bytes of a value kept for display */
	struct mg_buf arena;
	uint64_t total;           /* values added */
	uint64_t overflow;        /* values added once the set was full, not one of its items */
};

void dq_vset_init(struct dq_vset *s, unsigned cap, size_t keep);
void dq_vset_release(struct dq_vset *s);
/* Count one value. Returns its item index, -2 when the set is full and the
 * value is not in it (counted in overflow), or -1 on error. */
int dq_vset_add(struct dq_vset *s, const void *p, size_t n, struct mg_err *e);
static inline int dq_vset_full(const struct dq_vset *s) { return s->overflow > 0; }
static inline const unsigned char *dq_vset_bytes(const struct dq_vset *s, unsigned i)
{
	return s->arena.ptr ? s->arena.ptr + s->item[i].off : (const unsigned char *)"";
}
/* The indexes of the k most frequent items, most frequent first (ties: the
 * first seen first); returns how many. */
unsigned dq_vset_top(const struct dq_vset *s, unsigned *idx, unsigned k);

/* ---- reject reasons with examples */

struct dq_example {
	char *key, *where, *detail, *record;   /* rendered and masked (UTF-8) */
	char *context;            /* the column the detail names: "col=value", around the first
				   * byte that does not decode, if any; NULL if none named */
	char *bytes;              /* a value that does not decode: its raw bytes around the
				   * offset the detail names, \xHH, ASCII digits masked; or NULL */
	uint64_t line, offset;
};

struct dq_reason {
	char name[96];            /* stage.reason: decode.undecodable */
	uint64_t count;
	struct dq_example ex[DQ_MAX_EXAMPLES];
	unsigned nex;
};

struct dq_rejects {
	struct dq_reason r[DQ_MAX_REASONS];
	unsigned n;
	uint64_t total;
	struct mg_buf a, b;       /* scratch */
};

void dq_rejects_init(struct dq_rejects *rj);
void dq_rejects_release(struct dq_rejects *rj);
/* Count the reject lines of a transformed batch (plan_apply's out->rejects:
 * migration.reject COPY lines) by stage.reason, keeping the first
 * DQ_MAX_EXAMPLES of each reason rendered with c. */
int dq_rejects_add(struct dq_rejects *rj, struct dq_cols *c, const struct mg_buf *lines, struct mg_err *e);

/* ---- date formats seen in a column (inspect) */

#define DQ_MAX_DATEFMT 12

enum dq_datekind {
	DQ_DATE_FORMAT,     /* fmt is a playbook format (%Y-%m-%d ...), literals as stored */
	DQ_DATE_EXCEL,      /* Excel serial day numbers (44378, 44378.5) */
	DQ_DATE_EPOCH,      /* seconds since 1970 */
	DQ_DATE_EPOCH_MS,   /* milliseconds since 1970 */
};

struct dq_datefmt {
	enum dq_datekind kind;
	char fmt[64];
	uint64_t count, ok, zero, invalid;
	unsigned char ex[40], bad[40];   /* a readable value, an impossible one (raw) */
	unsigned exlen, badlen;
};

struct dq_dates {
	struct dq_datefmt f[DQ_MAX_DATEFMT];
	unsigned n;
	uint64_t values;          /* non-empty values looked at */
	uint64_t other_format;    /* date-like, but more formats than DQ_MAX_DATEFMT */
	uint64_t not_date;        /* no date shape */
};

/* Look at one non-empty value (raw bytes). */
void dq_dates_add(struct dq_dates *d, const unsigned char *p, size_t n);
/* Values with a date shape that read as dates (ok + zero of every format). */
uint64_t dq_dates_readable(const struct dq_dates *d);
const char *dq_datekind_name(enum dq_datekind k);

/* ---- small things */

/* "12" or "1000+" */
const char *dq_count_str(uint64_t n, int plus, char buf[32]);
/* What a fix (struct mg_ledger's fix names) means, in one line. */
const char *dq_fix_explain(const char *name);

#endif
