/* migrate/batch.h: the unit of work that flows through the pipeline.
 *
 * A batch is up to max_rows rows of ncols fields. Field bytes live in one
 * arena (data); each field is an (offset, length) pair, length MG_NULL for
 * SQL NULL, so no field is ever allocated on its own. Each row carries its
 * provenance (key bytes, line, byte offset) and its source-domain hash.
 *
 * Ownership: a batch filled by a driver belongs to the driver until the next
 * call; whoever keeps data copies it. batch_reset empties it without freeing.
 */
#ifndef MG_BATCH_H
#define MG_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "migrate/buf.h"
#include "migrate/err.h"
#include "migrate/ledger.h"

#define MG_NULL UINT32_MAX

struct mg_prov {
	uint64_t line;      /* 1-based line or record number in a file; 0 if none */
	uint64_t offset;    /* byte offset of the record in its file; 0 if none */
	size_t key_off;     /* key bytes in keys arena */
	uint32_t key_len;
	uint64_t src_hash;  /* source-domain record hash (see hash.h) */
	uint64_t u_hash;    /* unified-domain record hash, once transformed */
};

struct mg_batch {
	unsigned ncols;
	unsigned nrows;
	unsigned max_rows;
	size_t soft_bytes;      /* batch counts as full once data grows past this */
	struct mg_buf data;     /* field bytes */
	size_t *off;            /* nrows * ncols */
	uint32_t *len;          /* nrows * ncols; MG_NULL = NULL */
	struct mg_prov *prov;   /* nrows */
	struct mg_buf keys;     /* key bytes of every row */
	char origin[1024];       /* table, file or archive member the rows came from */
	/* filled as the batch moves along the pipeline */
	struct mg_ledger delta; /* counts and hashes of these rows, per stage */
	struct mg_buf rejects;  /* rejected rows, as lines for migration.reject */
	unsigned nrejects;
	struct mg_buf repairs;  /* repaired values, as lines for migration.repair */
	unsigned nrepairs;
	struct mg_buf xrej;     /* records a driver could not split into fields (batch_reject) */
	unsigned nxrej;
	struct mg_buf last_key; /* key of the last row extracted into this batch */
	int have_last_key;
	struct mg_buf wm;       /* highest watermark value in this batch (incremental runs) */
	int have_wm;
	uint64_t seq;           /* batch number within the run */
	struct mg_buf inputs;   /* inputs finished with this batch (batch_input_done) */
	unsigned ninputs;
	size_t row_start;       /* data.len when the current row began */
	int last_is_reject;     /* the last record was batch_reject()ed (its key: below) */
	size_t last_rej_key_off, last_rej_key_len;
	uint64_t skip_through;  /* file sources resuming: drop records numbered <= this */
};

int batch_init(struct mg_batch *b, unsigned ncols, unsigned max_rows, size_t max_field,
	       struct mg_err *e);
void batch_release(struct mg_batch *b);
void batch_reset(struct mg_batch *b);
/* Re-shape an empty batch for another column count. */
int batch_set_cols(struct mg_batch *b, unsigned ncols, struct mg_err *e);
/* Full of rows, or of rejected records (whose bytes count against the same
 * bounds, so memory stays bounded whatever a file holds). */
static inline int batch_full(const struct mg_batch *b)
{
	return b->nrows >= b->max_rows || b->data.len >= b->soft_bytes || b->nxrej >= b->max_rows ||
	       b->xrej.len >= b->soft_bytes;
}

/* Building a row: put every column (in any order), then end it. Columns
 * not put are NULL. */
void batch_row_begin(struct mg_batch *b);
int batch_put(struct mg_batch *b, unsigned col, const void *p, size_t n, struct mg_err *e);
/* Append to the field being built in col (must be the last put). */
int batch_append(struct mg_batch *b, unsigned col, const void *p, size_t n, struct mg_err *e);
void batch_put_null(struct mg_batch *b, unsigned col);
/* Abandon the row being built. */
static inline void batch_row_cancel(struct mg_batch *b) { b->data.len = b->row_start; }
int batch_row_end(struct mg_batch *b, const void *key, size_t keylen, uint64_t line,
		  uint64_t offset, struct mg_err *e);

/* A record the driver cannot turn into a row (ragged CSV line, bad DBF
 * record ...): kept with its original bytes and provenance, counted as an
 * extract-stage reject. reason is a short code (e.g. "ragged_row"). */
int batch_reject(struct mg_batch *b, const char *reason, const char *detail, const void *raw, size_t n,
		 const void *key, size_t keylen, uint64_t line, uint64_t offset, struct mg_err *e);

/* A file or archive member has been read to its end: record its name,
 * SHA-256 (hex), size in bytes and record count, for the ledger and the
 * run manifest. */
int batch_input_done(struct mg_batch *b, const char *name, const char *sha256hex, uint64_t bytes,
		     uint64_t records, struct mg_err *e);

/* Set last_key to the key of the batch's last record, row or reject (the
 * resume point: every record up to it is accounted for in this batch). */
int batch_set_last_key(struct mg_batch *b, struct mg_err *e);

/* Order of watermark values: <0, 0, >0 (numbers numerically, else bytes). */
int wm_compare(const unsigned char *a, size_t an, const unsigned char *b, size_t bn);

/* Iterate extract rejects: pos starts at 0; returns 0 at the end. */
struct mg_xrej {
	const char *reason, *detail;
	const unsigned char *raw, *key;
	size_t raw_len, key_len;
	uint64_t line, offset;
};
int batch_next_reject(const struct mg_batch *b, size_t *pos, struct mg_xrej *x);

static inline const unsigned char *batch_get(const struct mg_batch *b, unsigned row,
					     unsigned col, size_t *n)
{
	size_t i = (size_t)row * b->ncols + col;

	if (b->len[i] == MG_NULL) {
		*n = 0;
		return NULL;
	}
	*n = b->len[i];
	return b->data.ptr + b->off[i];
}

static inline const unsigned char *batch_key(const struct mg_batch *b, unsigned row, size_t *n)
{
	*n = b->prov[row].key_len;
	return b->keys.ptr ? b->keys.ptr + b->prov[row].key_off : (const unsigned char *)"";
}

#endif
