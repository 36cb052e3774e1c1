/*
 * tests/gen/estate_io.h -- the writers every system of gen-estate shares:
 * process spawning, PostgreSQL (COPY), SQLite (through sqlite3), xlsx,
 * FoxPro DBF, CSV, zip with CP936 names, the cross-system ledger, the
 * begin/end of a system and the fixes every system maps alike, plus the
 * generic MySQL/MariaDB system writer (estate_mysql.c).
 *
 * One file per system or family: estate.c (main, the registry and the
 * first systems), estate_mysql.c, estate_<code>.c. Test tool: errors exit
 * through em_die().
 */
#ifndef ESTATE_IO_H
#define ESTATE_IO_H

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <locale.h>
#include <mysql.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "estate_model.h"


#include "estate_model.h"

extern uint64_t g_seed, g_scale;
extern const char *g_out, *g_pbdir;
extern struct em_cross *g_cross;
extern size_t g_ncross;

/* COPY text format, byte by byte (right for UTF-8, and for GBK in a
 * SQL_ASCII session, where the server reads bytes, not characters) */
struct pgcopy {
	PGconn *c;
	FILE *spool;            /* when set, rows go to this file instead */
	struct em_buf b;
	bool first;
};

struct sqlite {
	pid_t pid;
	FILE *f;
};

struct xlsx {
	struct em_buf sheet, sst;
	size_t nsst;
	unsigned row;       /* last row number written */
	unsigned col;       /* column of the next cell, 0-based */
};

struct dbf_field {
	const char *name;
	char type;
	unsigned len, dec, off;
};

struct dbf {
	FILE *f, *memo;
	struct dbf_field *fl;
	unsigned nf, reclen, hdrlen;
	uint32_t nrec, next_block;
	unsigned char rec[4096];
};

#define FIXED_MTIME 1735639200 /* 2024-12-31 10:00:00 UTC: file times inside archives */

#define FPT_BLOCK 64


void path_join(char *out, size_t cap, const char *a, const char *b);
const char *env_or(const char *name, const char *dflt);
void db_name(const char *code, char *out, size_t cap);
void fmt_invalid(const struct em_order *o, char out[32]);
void enc(struct em_buf *b, const struct em_text *t, bool gbk, bool gb18030);
void enc_bad_content(struct em_buf *b, const struct em_order *o);
pid_t spawn(const char *dir, char *const argv[], const char *locale, int *stdin_fd, bool quiet);
void wait_ok(pid_t pid, const char *what);
void run(const char *dir, char *const argv[], const char *locale);
void set_mtime(const char *path);
void rm_rf_flat(const char *dir, char **names, size_t n);
void zip_files(const char *dir, char **names, size_t n, const char *zippath);
PGconn *pg_open(const char *db, const char *client_encoding);
void pg_exec(PGconn *c, const char *sql);
char *pg_value(PGconn *c, const char *sql);
void quiet_notice(void *arg, const char *msg);
PGconn *pg_recreate(const char *db, const char *encoding);
void copy_begin(struct pgcopy *cp, PGconn *c, const char *sql);
void copy_flush(struct pgcopy *cp);
void copy_field(struct pgcopy *cp, const char *p, size_t n, bool null);
void copy_str(struct pgcopy *cp, const char *s);
void copy_buf(struct pgcopy *cp, const struct em_buf *b, bool null);
void copy_u64(struct pgcopy *cp, uint64_t v);
void copy_time(struct pgcopy *cp, int64_t t, bool null);
void copy_row_end(struct pgcopy *cp);
void copy_end(struct pgcopy *cp);
void sqlite_open(struct sqlite *q, const char *path);
void sql_text(FILE *f, const char *p, size_t n, bool null);
void sql_str(FILE *f, const char *s);
void sqlite_close(struct sqlite *q);
void sql_order_common(FILE *f, const struct em_order *o, const char *received, struct em_buf *b);
void xml_esc(struct em_buf *b, const char *s, size_t n);
void x_ref(struct xlsx *x, char ref[16]);
void x_row(struct xlsx *x);
void x_str(struct xlsx *x, const char *s, size_t n, bool null);
void x_strs(struct xlsx *x, const char *s);
void x_text(struct xlsx *x, const struct em_text *t);
void x_num(struct xlsx *x, const char *v, int style);
void x_skip(struct xlsx *x);
void excel_serial(int64_t t, bool with_time, char out[32]);
void ar_entry(struct archive *a, const char *name, const void *p, size_t n);
void xlsx_save(struct xlsx *x, const char *path, const char *sheet_name);
void xlsx_save_ex(struct xlsx *x, const char *path, const char *sheet_name, const char *views,
		  const char *const *merges, size_t nmerges);
void dbf_header(struct dbf *d);
void dbf_open(struct dbf *d, const char *dir, const char *name, const char *memo, struct dbf_field *fl,
		     unsigned nf);
void dbf_rec(struct dbf *d, bool deleted);
unsigned dbf_col(struct dbf *d, const char *name);
void dbf_c(struct dbf *d, const char *name, const void *p, size_t n);
void dbf_n(struct dbf *d, const char *name, const char *s);
void dbf_memo(struct dbf *d, const char *name, const void *p, size_t n);
void dbf_end_rec(struct dbf *d);
void dbf_close(struct dbf *d);
void csv_field(struct em_buf *b, const char *p, size_t n, bool first);
void check_codes(const char *code, const char *file, const char *const *legacy, const char *const *unified,
			size_t n);
FILE *cross_open(const char *dir);
void cross_line(FILE *f, const struct em_order *o);
void sys_begin(struct em_sys *s, const struct em_desc *d, const char *dir, const char *wo_table);
void sys_end(struct em_sys *s, const char *dir);
void fx_common(const struct em_sys *s, const struct em_order *o, struct em_fx *fx, bool contact);
void fx_blank_date(struct em_fx *fx);
void put_le16(unsigned char *p, unsigned v);
void put_le32(unsigned char *p, uint32_t v);
void put_be32(unsigned char *p, uint32_t v);

/* ---- MySQL/MariaDB systems (estate_mysql.c) ---- */
enum my_enc { MY_UTF8, MY_GBK, MY_LATIN1_CONN };

/* logical columns; each system names them in its own pinyin */
enum { MC_ID, MC_NO, MC_RECV, MC_NAME, MC_PHONE, MC_CONTACT, MC_IDNO, MC_ADDR, MC_TITLE, MC_CONTENT, MC_CAT,
       MC_CATNAME, MC_RTYPE, MC_STATUS, MC_UNIT, MC_CLOSED, MC_REPLY, MC_SATIS, MC_UPDATED, MC_DELETED, MC_COUNT };

struct my_sys {
	const struct em_desc *d;
	const char *table, *charset, *comment;
	enum my_enc enc;
	const char *col[MC_COUNT]; /* MC_DELETED NULL: no soft delete */
	const char *const *satis;
};

void gen_mysql(const char *dir, const struct my_sys *ms);
MYSQL *my_recreate(const char *db, const char *charset);

/* ---- the systems: one generator per system, in the registry of estate.c;
 * weak, so that the estate links while a system is being written ---- */
void gen_sj12315(const char *dir) __attribute__((weak));
void gen_wj12320(const char *dir) __attribute__((weak));
void gen_yz12305(const char *dir) __attribute__((weak));
void gen_sw12312(const char *dir) __attribute__((weak));
void gen_zr12336(const char *dir) __attribute__((weak));
void gen_mz12349(const char *dir) __attribute__((weak));
void gen_gjj12329(const char *dir) __attribute__((weak));
void gen_rs12333(const char *dir) __attribute__((weak));
void gen_sf12348(const char *dir) __attribute__((weak));
void gen_jr12378(const char *dir) __attribute__((weak));
void gen_yc12313(const char *dir) __attribute__((weak));
void gen_tx12300(const char *dir) __attribute__((weak));
void gen_fl12338(const char *dir) __attribute__((weak));
void gen_gh12351(const char *dir) __attribute__((weak));
void gen_tw12355(const char *dir) __attribute__((weak));
void gen_ny12316(const char *dir) __attribute__((weak));
void gen_hb12369(const char *dir) __attribute__((weak));
void gen_qx12121(const char *dir) __attribute__((weak));
void gen_yj12350(const char *dir) __attribute__((weak));
void gen_jt12328(const char *dir) __attribute__((weak));
void gen_rh12363(const char *dir) __attribute__((weak));
void gen_ss12366(const char *dir) __attribute__((weak));
void gen_dl95598(const char *dir) __attribute__((weak));

#endif
