#include "migrate/batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int batch_init(struct mg_batch *b, unsigned ncols, unsigned max_rows, size_t max_field,
	       struct mg_err *e)
{
	memset(b, 0, sizeof(*b));
	b->max_rows = max_rows ? max_rows : 1000;
	/* A batch holds at most max_rows rows; its arena may hold one field of
	 * max_field bytes on top of soft_bytes, so memory stays bounded. */
	b->soft_bytes = 4u << 20;
	buf_init(&b->data, b->soft_bytes + max_field * (ncols ? ncols : 1) + (64u << 10), "max_field_bytes");
	buf_init(&b->keys, 0, "key");
	buf_init(&b->rejects, 0, "rejects");
	buf_init(&b->last_key, 0, "key");
	buf_init(&b->wm, 0, "watermark");
	buf_init(&b->xrej, 0, "rejects");
	buf_init(&b->repairs, 0, "repairs");
	buf_init(&b->inputs, 0, "inputs");
	ledger_init(&b->delta);
	return batch_set_cols(b, ncols, e);
}

int batch_set_cols(struct mg_batch *b, unsigned ncols, struct mg_err *e)
{
	size_t cells = (size_t)b->max_rows * (ncols ? ncols : 1);

	free(b->off);
	free(b->len);
	free(b->prov);
	b->ncols = ncols;
	b->off = calloc(cells, sizeof(*b->off));
	b->len = calloc(cells, sizeof(*b->len));
	b->prov = calloc(b->max_rows, sizeof(*b->prov));
	if (!b->off || !b->len || !b->prov)
		return mg_err_set(e, MG_E_NOMEM, "out of memory allocating a batch of %u rows", b->max_rows);
	batch_reset(b);
	return 0;
}

void batch_release(struct mg_batch *b)
{
	free(b->off);
	free(b->len);
	free(b->prov);
	buf_release(&b->data);
	buf_release(&b->keys);
	buf_release(&b->rejects);
	buf_release(&b->last_key);
	buf_release(&b->wm);
	buf_release(&b->xrej);
	buf_release(&b->repairs);
	buf_release(&b->inputs);
	memset(b, 0, sizeof(*b));
}

void batch_reset(struct mg_batch *b)
{
	b->nrows = 0;
	buf_reset(&b->data);
	buf_reset(&b->keys);
	buf_reset(&b->rejects);
	buf_reset(&b->last_key);
	b->nrejects = 0;
	buf_reset(&b->xrej);
	b->nxrej = 0;
	buf_reset(&b->repairs);
	b->nrepairs = 0;
	buf_reset(&b->inputs);
	b->ninputs = 0;
	b->have_last_key = 0;
	b->last_is_reject = 0;
	buf_reset(&b->wm);
	b->have_wm = 0;
	b->origin[0] = '\0';
	ledger_init(&b->delta);
}

void batch_row_begin(struct mg_batch *b)
{
	size_t base = (size_t)b->nrows * b->ncols;

	b->row_start = b->data.len;
	for (unsigned c = 0; c < b->ncols; c++)
		b->len[base + c] = MG_NULL;
	memset(&b->prov[b->nrows], 0, sizeof(b->prov[0]));
}

int batch_put(struct mg_batch *b, unsigned col, const void *p, size_t n, struct mg_err *e)
{
	size_t i = (size_t)b->nrows * b->ncols + col;

	if (n >= MG_NULL)
		return mg_err_set(e, MG_E_LIMIT, "value too large: a field of %zu bytes exceeds 4 GiB", n);
	b->off[i] = b->data.len;
	if (buf_add(&b->data, p, n, e))
		return -1;
	b->len[i] = (uint32_t)n;
	return 0;
}

int batch_append(struct mg_batch *b, unsigned col, const void *p, size_t n, struct mg_err *e)
{
	size_t i = (size_t)b->nrows * b->ncols + col;

	if (b->len[i] == MG_NULL)
		return batch_put(b, col, p, n, e);
	if ((uint64_t)b->len[i] + n >= MG_NULL)
		return mg_err_set(e, MG_E_LIMIT, "value too large: a field exceeds 4 GiB");
	if (buf_add(&b->data, p, n, e))
		return -1;
	b->len[i] += (uint32_t)n;
	return 0;
}

void batch_put_null(struct mg_batch *b, unsigned col)
{
	b->len[(size_t)b->nrows * b->ncols + col] = MG_NULL;
}

int batch_row_end(struct mg_batch *b, const void *key, size_t keylen, uint64_t line,
		  uint64_t offset, struct mg_err *e)
{
	struct mg_prov *pv;

	if (b->nrows >= b->max_rows)
		return mg_err_set(e, MG_E_INTERNAL, "batch overfilled: %u rows", b->nrows);
	pv = &b->prov[b->nrows];
	b->last_is_reject = 0;
	pv->line = line;
	pv->offset = offset;
	pv->key_off = b->keys.len;
	pv->key_len = (uint32_t)keylen;
	if (keylen && buf_add(&b->keys, key, keylen, e))
		return -1;
	b->nrows++;
	return 0;
}

static int put_chunk(struct mg_buf *b, const void *p, size_t n, struct mg_err *e)
{
	uint64_t len = n;

	return buf_add(b, &len, sizeof(len), e) || (n && buf_add(b, p, n, e)) ? -1 : 0;
}

int batch_reject(struct mg_batch *b, const char *reason, const char *detail, const void *raw, size_t n,
		 const void *key, size_t keylen, uint64_t line, uint64_t offset, struct mg_err *e)
{
	size_t key_off;

	if (put_chunk(&b->xrej, reason, strlen(reason) + 1, e) || put_chunk(&b->xrej, detail, strlen(detail) + 1, e) ||
	    put_chunk(&b->xrej, raw, n, e))
		return -1;
	key_off = b->xrej.len + sizeof(uint64_t);
	if (put_chunk(&b->xrej, key, keylen, e) ||
	    buf_add(&b->xrej, &line, sizeof(line), e) || buf_add(&b->xrej, &offset, sizeof(offset), e))
		return -1;
	b->nxrej++;
	b->last_is_reject = 1;
	b->last_rej_key_off = key_off;
	b->last_rej_key_len = keylen;
	return 0;
}

int batch_set_last_key(struct mg_batch *b, struct mg_err *e)
{
	const unsigned char *k;
	size_t kn;

	if (b->last_is_reject && b->nxrej) {
		k = b->xrej.ptr + b->last_rej_key_off;
		kn = b->last_rej_key_len;
	} else if (b->nrows) {
		k = batch_key(b, b->nrows - 1, &kn);
	} else {
		return 0;
	}
	buf_reset(&b->last_key);
	if (buf_add(&b->last_key, k, kn, e))
		return -1;
	b->have_last_key = 1;
	return 0;
}

static const unsigned char *get_chunk(const struct mg_batch *b, size_t *pos, size_t *n)
{
	uint64_t len;
	const unsigned char *p;

	memcpy(&len, b->xrej.ptr + *pos, sizeof(len));
	p = b->xrej.ptr + *pos + sizeof(len);
	*pos += sizeof(len) + (size_t)len;
	*n = (size_t)len;
	return p;
}

int batch_next_reject(const struct mg_batch *b, size_t *pos, struct mg_xrej *x)
{
	size_t n;

	if (*pos >= b->xrej.len)
		return 0;
	x->reason = (const char *)get_chunk(b, pos, &n);
	x->detail = (const char *)get_chunk(b, pos, &n);
	x->raw = get_chunk(b, pos, &x->raw_len);
	x->key = get_chunk(b, pos, &x->key_len);
	memcpy(&x->line, b->xrej.ptr + *pos, sizeof(x->line));
	memcpy(&x->offset, b->xrej.ptr + *pos + 8, sizeof(x->offset));
	*pos += 16;
	return 1;
}

int batch_input_done(struct mg_batch *b, const char *name, const char *sha256hex, uint64_t bytes,
		     uint64_t records, struct mg_err *e)
{
	/* one line per input: name, sha256, bytes, records (tab-separated;
	 * tabs and newlines in names are replaced by spaces here only) */
	for (const char *c = name; *c; c++)
		if (buf_addc(&b->inputs, *c == '\t' || *c == '\n' ? ' ' : *c, e))
			return -1;
	if (buf_printf(&b->inputs, e, "\t%s\t%llu\t%llu\n", sha256hex, (unsigned long long)bytes,
		       (unsigned long long)records))
		return -1;
	b->ninputs++;
	return 0;
}

/* Watermark order: numbers (an optional '-', digits, an optional fraction)
 * numerically, anything else (ISO date-times) byte by byte. */
static int numeric(const unsigned char *p, size_t n)
{
	size_t i = p[0] == '-' ? 1 : 0;
	int dot = 0;

	if (i >= n)
		return 0;
	for (; i < n; i++)
		if (p[i] == '.' && !dot)
			dot = 1;
		else if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

int wm_compare(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	if (an && bn && numeric(a, an) && numeric(b, bn)) {
		char x[64], y[64];
		double dx, dy;

		if (a[0] != '-' && b[0] != '-' && !memchr(a, '.', an) && !memchr(b, '.', bn)) {
			while (an > 1 && a[0] == '0')
				a++, an--;
			while (bn > 1 && b[0] == '0')
				b++, bn--;
			if (an != bn)
				return an < bn ? -1 : 1;
			return memcmp(a, b, an) < 0 ? -1 : memcmp(a, b, an) > 0;
		}
		snprintf(x, sizeof(x), "%.*s", (int)(an < 63 ? an : 63), (const char *)a);
		snprintf(y, sizeof(y), "%.*s", (int)(bn < 63 ? bn : 63), (const char *)b);
		dx = strtod(x, NULL);
		dy = strtod(y, NULL);
		return dx < dy ? -1 : dx > dy;
	}
	{
		int c = memcmp(a, b, an < bn ? an : bn);

		return c ? (c < 0 ? -1 : 1) : an < bn ? -1 : an > bn;
	}
}
