#include "migrate/dq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/schema.h"
#include "transform/normalize.h"

/* ---- masking by name */

static const struct {
	const char *name;
	enum mask_kind kind;
} exact_names[] = {
	{"xm", MASK_NAME}, {"name", MASK_NAME}, {"xingming", MASK_NAME}, {"lxr", MASK_NAME},
	{"sqr", MASK_NAME}, {"fyr", MASK_NAME}, {"ldr", MASK_NAME}, {"realname", MASK_NAME},
	{"real_name", MASK_NAME}, {"fullname", MASK_NAME}, {"full_name", MASK_NAME},
	{"ldhm", MASK_PHONE}, {"lxdh", MASK_PHONE}, {"dh", MASK_PHONE}, {"sjhm", MASK_PHONE},
	{"lxfs", MASK_PHONE}, {"dianhua", MASK_PHONE}, {"shouji", MASK_PHONE}, {"zjhm", MASK_ID},
	{"sfzh", MASK_ID}, {"sfz", MASK_ID}, {"sfzhm", MASK_ID}, {"zjh", MASK_ID},
};

/* substrings of a lower-cased name */
static const struct {
	const char *part;
	enum mask_kind kind;
} name_parts[] = {
	{"姓名", MASK_NAME}, {"联系人", MASK_NAME}, {"诉求人", MASK_NAME}, {"来电人", MASK_NAME},
	{"反映人", MASK_NAME}, {"申请人", MASK_NAME}, {"投诉人", MASK_NAME},
	{"电话", MASK_PHONE}, {"手机", MASK_PHONE}, {"来电号码", MASK_PHONE}, {"联系方式", MASK_PHONE},
	{"phone", MASK_PHONE}, {"mobile", MASK_PHONE}, {"tel", MASK_PHONE},
	{"身份证", MASK_ID}, {"证件号", MASK_ID}, {"idcard", MASK_ID}, {"id_card", MASK_ID},
	{"idno", MASK_ID}, {"id_no", MASK_ID}, {"sfzh", MASK_ID},
};

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n >= m && !memcmp(s + n - m, suf, m);
}

enum mask_kind dq_name_kind(const char *column)
{
	char low[128];
	size_t n = 0;

	if (!column)
		return MASK_SCAN;
	for (; column[n] && n + 1 < sizeof(low); n++)
		low[n] = column[n] >= 'A' && column[n] <= 'Z' ? (char)(column[n] - 'A' + 'a') : column[n];
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(exact_names) / sizeof(exact_names[0]); i++)
		if (!strcmp(low, exact_names[i].name))
			return exact_names[i].kind;
	if (strstr(low, "hotel") == NULL)
		for (size_t i = 0; i < sizeof(name_parts) / sizeof(name_parts[0]); i++)
			if (strstr(low, name_parts[i].part))
				return name_parts[i].kind;
	if (strstr(low, "name") && (strstr(low, "caller") || strstr(low, "contact") || strstr(low, "person") ||
				    strstr(low, "applicant") || strstr(low, "citizen") || strstr(low, "customer") ||
				    strstr(low, "complain") || strstr(low, "reporter")))
		return MASK_NAME;
	/* pinyin initials: lxrxm, sqrxm (...姓名), lddh, gddh (...电话) */
	if (n <= 8 && ends_with(low, n, "xm"))
		return MASK_NAME;
	if (n <= 6 && ends_with(low, n, "dh"))
		return MASK_PHONE;
	return MASK_SCAN;
}

enum mask_kind dq_field_kind(const struct mg_utable *t, const char *field)
{
	int i = t && field ? schema_field_index(t, field) : -1;

	if (i < 0 || !t->fields[i].personal)
		return MASK_SCAN;
	if (strstr(field, "phone"))
		return MASK_PHONE;
	if (strstr(field, "id_no"))
		return MASK_ID;
	if (strstr(field, "name") || !strcmp(field, "actor"))
		return MASK_NAME;
	return MASK_ALL;
}

int dq_kind_personal(enum mask_kind k)
{
	return k == MASK_NAME || k == MASK_PHONE || k == MASK_ID || k == MASK_ALL;
}

static int kind_rank(enum mask_kind k)
{
	return k == MASK_NONE ? 0 : k == MASK_SCAN ? 1 : k == MASK_ALL ? 3 : 2;
}

/* ---- rendering */

/* Length of the valid UTF-8 character at p, or 0. */
static size_t u8len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;

		return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;

		return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
	}
	return 0;
}

int dq_esc(const void *in, size_t n, struct mg_buf *out, struct mg_err *e)
{
	const unsigned char *p = in;

	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t l = u8len(p + i, n - i);
		int rc;

		if (!l) {
			rc = buf_printf(out, e, "\\x%02x", c);
			l = 1;
		} else if (c == '\\') {
			rc = buf_add(out, "\\\\", 2, e);
		} else if (c == '\n') {
			rc = buf_add(out, "\\n", 2, e);
		} else if (c == '\r') {
			rc = buf_add(out, "\\r", 2, e);
		} else if (c == '\t') {
			rc = buf_add(out, "\\t", 2, e);
		} else if (c < 0x20 || c == 0x7F) {
			rc = buf_printf(out, e, "\\x%02x", c);
		} else if (l == 2 && c == 0xC2 && p[i + 1] < 0xA0) {
			rc = buf_printf(out, e, "\\u{%04X}", p[i + 1]);
		} else if (l == 3 && c == 0xE2 && ((p[i + 1] == 0x80 && p[i + 2] >= 0xA8 && p[i + 2] <= 0xAE) ||
						  (p[i + 1] == 0x81 && p[i + 2] >= 0xA6 && p[i + 2] <= 0xA9))) {
			rc = buf_printf(out, e, "\\u{%04X}", 0x2000 | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F));
		} else {
			rc = buf_add(out, p + i, l, e);
		}
		if (rc)
			return -1;
		i += l;
	}
	return buf_grow(out, 0, e);
}

int dq_decode_esc(struct mg_decoder *d, const unsigned char *in, size_t n, struct mg_buf *tmp,
		  struct mg_buf *out, struct mg_err *e)
{
	size_t pos = 0;
	unsigned nbad = 0;

	if (!d || d->passthrough)
		return dq_esc(in, n, out, e);
	while (pos < n) {
		size_t bad = 0, bad2 = 0;
		int r;

		buf_reset(tmp);
		r = decoder_run(d, in + pos, n - pos, tmp, &bad, e);
		if (r < 0)
			return -1;
		if (r == 0)
			return dq_esc(tmp->ptr, tmp->len, out, e);
		if (bad > n - pos - 1)
			bad = n - pos - 1;
		if (bad) {
			buf_reset(tmp);
			r = decoder_run(d, in + pos, bad, tmp, &bad2, e);
			if (r < 0 || dq_esc(r ? in + pos : tmp->ptr, r ? bad : tmp->len, out, e))
				return -1;
		}
		if (buf_printf(out, e, "\\x%02x", in[pos + bad]))
			return -1;
		pos += bad + 1;
		if (++nbad >= 16)
			return dq_esc(in + pos, n - pos, out, e);
	}
	return buf_grow(out, 0, e);
}

int dq_mask_clip(enum mask_kind kind, const char *s, size_t n, size_t max, size_t whole, struct mg_buf *out,
		 struct mg_err *e)
{
	struct mg_buf m;
	size_t cut;
	int rc = -1;

	buf_init(&m, 0, "masked value");
	if (mask_value(kind, s, n, &m, e))
		goto out;
	if (m.len <= max) {
		rc = m.len ? buf_add(out, m.ptr, m.len, e) : buf_grow(out, 0, e);
		goto out;
	}
	cut = max;
	while (cut && (m.ptr[cut] & 0xC0) == 0x80)
		cut--;
	rc = buf_add(out, m.ptr, cut, e) || buf_printf(out, e, "… (%zu bytes)", whole ? whole : n) ? -1 : 0;
out:
	buf_release(&m);
	return rc;
}

/* ---- columns */

int dq_cols_init(struct dq_cols *c, const struct mg_columns *cols, struct mg_err *e)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->tmp, 0, "value");
	buf_init(&c->val, 0, "value");
	buf_init(&c->val2, 0, "value");
	for (unsigned i = 0; i < cols->n && i < MG_MAX_COLS; i++) {
		c->name[i] = strdup(cols->name[i] ? cols->name[i] : "");
		if (!c->name[i])
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		c->kind[i] = dq_name_kind(c->name[i]);
		c->dec[i] = -1;
		c->n = i + 1;
	}
	return 0;
}

void dq_cols_release(struct dq_cols *c)
{
	for (unsigned i = 0; i < c->n; i++)
		free(c->name[i]);
	for (unsigned i = 0; i < c->nd; i++)
		decoder_close(&c->d[i]);
	buf_release(&c->tmp);
	buf_release(&c->val);
	buf_release(&c->val2);
	memset(c, 0, sizeof(*c));
}

int dq_cols_find(const struct dq_cols *c, const char *name)
{
	for (unsigned i = 0; name && i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return (int)i;
	return -1;
}

int dq_cols_encoding(struct dq_cols *c, int col, const char *enc, struct mg_err *e)
{
	struct mg_decoder d;
	int k = -1;

	if (enc && *enc) {
		if (decoder_open(&d, enc, e))
			return -1;
		for (unsigned i = 0; i < c->nd && k < 0; i++)
			if (!strcmp(c->d[i].name, d.name))
				k = (int)i;
		if (k >= 0) {
			decoder_close(&d);
		} else if (c->nd == DQ_MAX_DEC) {
			decoder_close(&d);
			return mg_err_set(e, MG_E_CONFIG, "more than %d different encodings in one table", DQ_MAX_DEC);
		} else {
			c->d[c->nd] = d;
			k = (int)c->nd++;
		}
	}
	for (unsigned i = 0; i < c->n; i++)
		if (col < 0 || (unsigned)col == i)
			c->dec[i] = k;
	return 0;
}

void dq_cols_mark(struct dq_cols *c, int col, enum mask_kind k)
{
	if (col >= 0 && (unsigned)col < c->n && kind_rank(k) > kind_rank(c->kind[col]))
		c->kind[col] = k;
}

int dq_cols_value(struct dq_cols *c, unsigned col, const unsigned char *p, size_t n, size_t max,
		  struct mg_buf *out, struct mg_err *e)
{
	enum mask_kind k = col < c->n ? c->kind[col] : MASK_ALL;
	int d = col < c->n ? c->dec[col] : -1;

	buf_reset(&c->val);
	if (dq_decode_esc(d >= 0 ? &c->d[d] : NULL, p, n, &c->tmp, &c->val, e))
		return -1;
	return dq_mask_clip(k, (const char *)buf_cstr(&c->val), c->val.len, max, n, out, e);
}

/* Number of values of a canonical record, 0 if raw is not one. */
static unsigned canon_count(const unsigned char *raw, size_t n)
{
	size_t i = 0;
	unsigned cols = 0;

	while (i < n) {
		size_t len = 0;

		cols++;
		if (raw[i] == 'N') {
			i++;
			continue;
		}
		if (raw[i] != 'V' || i + 1 >= n || raw[i + 1] < '0' || raw[i + 1] > '9')
			return 0;
		for (i++; i < n && raw[i] >= '0' && raw[i] <= '9'; i++) {
			if (len > (SIZE_MAX - 9) / 10)
				return 0;
			len = len * 10 + (size_t)(raw[i] - '0');
		}
		if (i >= n || raw[i] != ':' || len > n - i - 1)
			return 0;
		i += len + 1;
	}
	return cols;
}

int dq_cols_record(struct dq_cols *c, const unsigned char *raw, size_t n, size_t max_each,
		   struct mg_buf *out, struct mg_err *e)
{
	unsigned nv = canon_count(raw, n), col = 0;
	size_t i = 0;

	if (nv != c->n || !nv) {
		/* one value that is not the table's columns: only its shape */
		if (nv == 1 && raw[0] == 'V') {
			while (*raw != ':')
				raw++, n--;
			raw++, n--;
		}
		buf_reset(&c->val);
		if (buf_addstr(out, "[record not split into columns, letters masked] ", e) ||
		    dq_decode_esc(c->n && c->dec[0] >= 0 ? &c->d[c->dec[0]] : NULL, raw, n, &c->tmp, &c->val, e))
			return -1;
		return dq_mask_clip(MASK_SHAPE, (const char *)buf_cstr(&c->val), c->val.len, max_each * 4, n, out, e);
	}
	while (i < n) {
		size_t len = 0;

		if ((col && buf_add(out, "; ", 2, e)) || dq_esc(c->name[col], strlen(c->name[col]), out, e) ||
		    buf_addc(out, '=', e))
			return -1;
		if (raw[i] == 'N') {
			if (buf_add(out, "\\N", 2, e))
				return -1;
			i++;
			col++;
			continue;
		}
		for (i++; raw[i] != ':'; i++) /* checked by canon_count */
			len = len * 10 + (size_t)(raw[i] - '0');
		i++;
		if (dq_cols_value(c, col, raw + i, len, max_each, out, e))
			return -1;
		i += len;
		col++;
	}
	return buf_grow(out, 0, e);
}

int dq_cols_detail(struct dq_cols *c, const char *d, size_t n, struct mg_buf *out, struct mg_err *e)
{
	const char *s, *q1, *q2, *end;

	buf_reset(&c->val);
	buf_reset(&c->val2);
	if (dq_esc(d, n, &c->val, e))
		return -1;
	s = buf_cstr(&c->val);
	end = s + c->val.len;
	if (!strncmp(s, "column '", 8) && (q1 = memchr(s + 8, '\'', (size_t)(end - s - 8)))) {
		char name[256];
		size_t nl = (size_t)(q1 - s - 8);
		int col;
		enum mask_kind k;

		snprintf(name, sizeof(name), "%.*s", (int)(nl < sizeof(name) ? nl : sizeof(name) - 1), s + 8);
		col = dq_cols_find(c, name);
		k = col >= 0 ? c->kind[col] : MASK_ALL;
		q1 = memchr(q1 + 1, '\'', (size_t)(end - q1 - 1));
		for (q2 = end - 1; q1 && q2 > q1 && *q2 != '\''; q2--)
			;
		if (dq_kind_personal(k) && q1 && q2 > q1) {
			if (buf_add(&c->val2, s, (size_t)(q1 + 1 - s), e) ||
			    mask_value(k, q1 + 1, (size_t)(q2 - q1 - 1), &c->val2, e) ||
			    buf_add(&c->val2, q2, (size_t)(end - q2), e))
				return -1;
			return mask_scan(buf_cstr(&c->val2), c->val2.len, out, e);
		}
	}
	return mask_scan(s, c->val.len, out, e);
}

/* ---- distinct values */

static uint64_t fnv1a(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

void dq_vset_init(struct dq_vset *s, unsigned cap, size_t keep)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap ? cap : DQ_DISTINCT_CAP;
	s->keep = keep;
	buf_init(&s->arena, (size_t)s->cap * keep + 64, "distinct values");
}

void dq_vset_release(struct dq_vset *s)
{
	free(s->item);
	free(s->slot);
	buf_release(&s->arena);
	memset(s, 0, sizeof(*s));
}

int dq_vset_add(struct dq_vset *s, const void *p, size_t n, struct mg_err *e)
{
	uint64_t h = fnv1a(p, n);
	size_t kept = n < s->keep ? n : s->keep;
	unsigned i;

	s->total++;
	if (!s->slot) {
		unsigned ns = 16;

		while (ns < 2 * s->cap)
			ns *= 2;
		s->slot = calloc(ns, sizeof(*s->slot));
		if (!s->slot)
			return mg_err_set(e, MG_E_NOMEM, "out of memory counting distinct values");
		s->nslot = ns;
	}
	for (i = (unsigned)h & (s->nslot - 1); s->slot[i]; i = (i + 1) & (s->nslot - 1)) {
		struct dq_vitem *it = &s->item[s->slot[i] - 1];

		if (it->h == h && it->len == n && it->kept == kept && !memcmp(s->arena.ptr + it->off, p, kept)) {
			it->count++;
			return s->slot[i] - 1;
		}
	}
	if (s->n == s->cap) {
		s->overflow++;
		return -2;
	}
	if (s->n == s->alloc) {
		unsigned na = s->alloc ? s->alloc * 2 : 16;
		struct dq_vitem *ni;

		if (na > s->cap)
			na = s->cap;
		ni = realloc(s->item, na * sizeof(*ni));
		if (!ni)
			return mg_err_set(e, MG_E_NOMEM, "out of memory counting distinct values");
		s->item = ni;
		s->alloc = na;
	}
	s->item[s->n] = (struct dq_vitem){.h = h, .count = 1, .off = s->arena.len, .len = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n,
					  .kept = (uint32_t)kept};
	if (buf_add(&s->arena, p, kept, e))
		return -1;
	s->slot[i] = (int32_t)++s->n;
	return (int)s->n - 1;
}

unsigned dq_vset_top(const struct dq_vset *s, unsigned *idx, unsigned k)
{
	unsigned got = 0;

	for (unsigned i = 0; i < s->n; i++) {
		unsigned j = got < k ? got++ : k;

		if (j == k) {
			if (s->item[i].count <= s->item[idx[k - 1]].count)
				continue;
			j = k - 1;
		}
		while (j > 0 && s->item[idx[j - 1]].count < s->item[i].count) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	return got;
}

/* ---- rejects */

void dq_rejects_init(struct dq_rejects *rj)
{
	memset(rj, 0, sizeof(*rj));
	buf_init(&rj->a, 0, "reject");
	buf_init(&rj->b, 0, "reject");
}

void dq_rejects_release(struct dq_rejects *rj)
{
	for (unsigned i = 0; i < rj->n; i++)
		for (unsigned k = 0; k < rj->r[i].nex; k++) {
			free(rj->r[i].ex[k].key);
			free(rj->r[i].ex[k].where);
			free(rj->r[i].ex[k].detail);
			free(rj->r[i].ex[k].record);
			free(rj->r[i].ex[k].context);
			free(rj->r[i].ex[k].bytes);
		}
	buf_release(&rj->a);
	buf_release(&rj->b);
	memset(rj, 0, sizeof(*rj));
}

/* COPY text field -> bytes */
static int unescape(const char *s, size_t n, struct mg_buf *out, struct mg_err *e)
{
	buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '\\' && i + 1 < n) {
			c = (unsigned char)s[++i];
			c = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
		}
		if (buf_addc(out, c, e))
			return -1;
	}
	return buf_grow(out, 0, e);
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* COPY text bytea "\\x<hex>" -> bytes */
static int unhex(const char *s, size_t n, struct mg_buf *out, struct mg_err *e)
{
	buf_reset(out);
	if (n >= 3 && s[0] == '\\' && s[1] == '\\' && s[2] == 'x')
		s += 3, n -= 3;
	else if (n >= 2 && s[0] == '\\' && s[1] == 'x')
		s += 2, n -= 2;
	for (size_t i = 0; i + 1 < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return mg_err_set(e, MG_E_INTERNAL, "malformed reject line: bad hex");
		if (buf_addc(out, hi * 16 + lo, e))
			return -1;
	}
	return buf_grow(out, 0, e);
}

static char *detach_str(struct mg_buf *b, struct mg_err *e)
{
	char *s;

	if (buf_grow(b, 0, e))
		return NULL;
	s = buf_detach(b, NULL);
	if (!s)
		mg_err_set(e, MG_E_NOMEM, "out of memory");
	return s;
}

/* Value col of a canonical record (checked by canon_count): 1 and p/len,
 * or 0 if NULL. */
static int canon_value(const unsigned char *raw, size_t n, unsigned col, const unsigned char **p, size_t *len)
{
	size_t i = 0;

	for (unsigned k = 0; i < n; k++) {
		size_t l = 0;

		if (raw[i] == 'N') {
			if (k == col)
				return 0;
			i++;
			continue;
		}
		for (i++; raw[i] != ':'; i++)
			l = l * 10 + (size_t)(raw[i] - '0');
		i++;
		if (k == col) {
			*p = raw + i;
			*len = l;
			return 1;
		}
		i += l;
	}
	return 0;
}

/* The first \xHH escape of rendered text (not an escaped backslash), or NULL. */
static const char *first_hex(const char *s)
{
	for (const char *q = s; (q = strchr(q, '\\')); q += 2) {
		if (q[1] == 'x')
			return q;
		if (!q[1])
			break;
	}
	return NULL;
}

/* "col=value" of the column a detail names ("column 'x' ..."): the whole
 * value rendered and masked, then cut to a window around the first byte
 * that does not decode (or its start). */
static char *context_of(struct dq_cols *c, const char *detail, const unsigned char *raw, size_t n, struct mg_err *e)
{
	const char *q;
	char name[256];
	const unsigned char *v = NULL;
	size_t vl = 0, from = 0, to, len;
	struct mg_buf out;
	const char *s, *bad;
	int col, isval;

	if (strncmp(detail, "column '", 8) || !(q = strchr(detail + 8, '\'')) || (size_t)(q - detail - 8) >= sizeof(name))
		return NULL;
	snprintf(name, sizeof(name), "%.*s", (int)(q - detail - 8), detail + 8);
	if ((col = dq_cols_find(c, name)) < 0 || canon_count(raw, n) != c->n)
		return NULL;
	isval = canon_value(raw, n, (unsigned)col, &v, &vl);
	buf_init(&out, 0, "context");
	if (dq_esc(name, strlen(name), &out, e) || buf_addc(&out, '=', e))
		goto fail;
	if (!isval) {
		if (buf_add(&out, "\\N", 2, e) || buf_grow(&out, 0, e))
			goto fail;
		return buf_detach(&out, NULL);
	}
	len = out.len;
	if (dq_cols_value(c, (unsigned)col, v, vl, SIZE_MAX, &out, e) || buf_grow(&out, 0, e))
		goto fail;
	s = (const char *)out.ptr + len;
	len = out.len - len;
	if ((bad = first_hex(s)) && (size_t)(bad - s) > 60)
		from = (size_t)(bad - s) - 60;
	to = from + DQ_CLIP < len ? from + DQ_CLIP : len;
	while (from && (s[from] & 0xC0) == 0x80)
		from++;
	while (to < len && (s[to] & 0xC0) == 0x80)
		to++;
	{
		struct mg_buf w;
		char *r;

		buf_init(&w, 0, "context");
		if (buf_add(&w, out.ptr, (size_t)(s - (const char *)out.ptr), e) || (from && buf_addstr(&w, "…", e)) ||
		    buf_add(&w, s + from, to - from, e) || (to < len && buf_addstr(&w, "…", e)) || buf_grow(&w, 0, e)) {
			buf_release(&w);
			goto fail;
		}
		r = buf_detach(&w, NULL);
		buf_release(&out);
		return r;
	}
fail:
	buf_release(&out);
	return NULL;
}

/* The raw bytes of the value a decode detail names ("column 'x' does not
 * decode as E at byte B of N"), from 16 bytes before B to 8 after: bytes
 * outside printable ASCII as \xHH; an ASCII digit as '*' (phone numbers),
 * unless it follows a byte of 0x81 or above (then it is part of a GB18030
 * character and shown as \x3N); nothing for a personal column. */
static char *bytes_of(struct dq_cols *c, const char *detail, const unsigned char *raw, size_t n, struct mg_err *e)
{
	const char *q, *at = strstr(detail, " at byte ");
	char name[256];
	const unsigned char *v = NULL;
	size_t vl = 0, from, to;
	unsigned long long b;
	struct mg_buf out;
	int col;

	if (!at || strncmp(detail, "column '", 8) || !(q = strchr(detail + 8, '\'')) ||
	    (size_t)(q - detail - 8) >= sizeof(name) || sscanf(at, " at byte %llu", &b) != 1)
		return NULL;
	snprintf(name, sizeof(name), "%.*s", (int)(q - detail - 8), detail + 8);
	if ((col = dq_cols_find(c, name)) < 0 || dq_kind_personal(c->kind[col]) || canon_count(raw, n) != c->n ||
	    !canon_value(raw, n, (unsigned)col, &v, &vl) || b >= vl)
		return NULL;
	from = b > 16 ? (size_t)b - 16 : 0;
	to = (size_t)b + 8 < vl ? (size_t)b + 8 : vl;
	buf_init(&out, 0, "bytes");
	if (buf_printf(&out, e, "%s bytes %zu..%zu of %zu: ", name, from, to - 1, vl))
		goto fail;
	for (size_t i = from; i < to; i++) {
		unsigned ch = v[i];
		int rc;

		if (ch >= '0' && ch <= '9')
			rc = i && v[i - 1] >= 0x81 ? buf_printf(&out, e, "\\x%02x", ch) : buf_addc(&out, '*', e);
		else if (ch < 0x20 || ch >= 0x7F || ch == '\\')
			rc = buf_printf(&out, e, "\\x%02x", ch);
		else
			rc = buf_addc(&out, (int)ch, e);
		if (rc)
			goto fail;
	}
	if (buf_grow(&out, 0, e))
		goto fail;
	return buf_detach(&out, NULL);
fail:
	buf_release(&out);
	return NULL;
}

static int keep_example(struct dq_rejects *rj, struct dq_cols *c, struct dq_example *x, const char *f[11],
			const size_t fl[11], struct mg_err *e)
{
	struct mg_buf out;

	memset(x, 0, sizeof(*x));
	x->line = strtoull(f[7], NULL, 10);
	x->offset = strtoull(f[8], NULL, 10);
	buf_init(&out, 0, "example");
	/* key: phone and ID numbers in it masked too */
	if (unhex(f[6], fl[6], &rj->a, e))
		goto fail;
	buf_reset(&rj->b);
	if (dq_esc(rj->a.ptr ? rj->a.ptr : (const unsigned char *)"", rj->a.len, &rj->b, e) ||
	    dq_mask_clip(MASK_SCAN, buf_cstr(&rj->b), rj->b.len, DQ_CLIP, 0, &out, e) || !(x->key = detach_str(&out, e)))
		goto fail;
	if (unescape(f[2], fl[2], &rj->a, e))
		goto fail;
	buf_reset(&rj->b);
	if (dq_esc(rj->a.ptr ? rj->a.ptr : (const unsigned char *)"", rj->a.len, &rj->b, e) ||
	    dq_mask_clip(MASK_SCAN, buf_cstr(&rj->b), rj->b.len, DQ_CLIP, 0, &out, e) || !(x->where = detach_str(&out, e)))
		goto fail;
	if (unescape(f[5], fl[5], &rj->a, e) || dq_cols_detail(c, buf_cstr(&rj->a), rj->a.len, &out, e) ||
	    !(x->detail = detach_str(&out, e)))
		goto fail;
	if (unhex(f[9], fl[9], &rj->a, e) ||
	    dq_cols_record(c, rj->a.ptr ? rj->a.ptr : (const unsigned char *)"", rj->a.len, DQ_CLIP, &out, e) ||
	    !(x->record = detach_str(&out, e)))
		goto fail;
	/* the detail as stored (unmasked) names the column */
	if (unescape(f[5], fl[5], &rj->b, e))
		goto fail;
	x->context = context_of(c, buf_cstr(&rj->b), rj->a.ptr ? rj->a.ptr : (const unsigned char *)"", rj->a.len, e);
	if (!x->context && mg_err_isset(e))
		goto fail;
	x->bytes = bytes_of(c, buf_cstr(&rj->b), rj->a.ptr ? rj->a.ptr : (const unsigned char *)"", rj->a.len, e);
	if (!x->bytes && mg_err_isset(e))
		goto fail;
	buf_release(&out);
	return 0;
fail:
	buf_release(&out);
	free(x->key);
	free(x->where);
	free(x->detail);
	free(x->record);
	free(x->context);
	free(x->bytes);
	memset(x, 0, sizeof(*x));
	return -1;
}

int dq_rejects_add(struct dq_rejects *rj, struct dq_cols *c, const struct mg_buf *lines, struct mg_err *e)
{
	const char *p = buf_cstr(lines), *end = p + lines->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *f[11];
		size_t fl[11], nf = 0;
		char name[96];
		struct dq_reason *r = NULL;

		if (!nl)
			nl = end;
		for (const char *q = p; nf < 11;) {
			const char *t = memchr(q, '\t', (size_t)(nl - q));

			f[nf] = q;
			fl[nf] = (size_t)((t ? t : nl) - q);
			nf++;
			if (!t)
				break;
			q = t + 1;
		}
		if (nf < 11)
			return mg_err_set(e, MG_E_INTERNAL, "malformed reject line (%zu fields)", nf);
		snprintf(name, sizeof(name), "%.*s.%.*s", (int)(fl[3] < 40 ? fl[3] : 40), f[3], (int)(fl[4] < 50 ? fl[4] : 50),
			 f[4]);
		for (unsigned i = 0; i < rj->n && !r; i++)
			if (!strcmp(rj->r[i].name, name))
				r = &rj->r[i];
		if (!r && rj->n < DQ_MAX_REASONS - 1) {
			r = &rj->r[rj->n++];
			snprintf(r->name, sizeof(r->name), "%s", name);
		}
		if (!r) {
			/* the last slot collects every further reason */
			r = &rj->r[DQ_MAX_REASONS - 1];
			if (rj->n < DQ_MAX_REASONS) {
				rj->n = DQ_MAX_REASONS;
				snprintf(r->name, sizeof(r->name), "other");
			}
		}
		r->count++;
		rj->total++;
		if (r->nex < DQ_MAX_EXAMPLES) {
			if (keep_example(rj, c, &r->ex[r->nex], f, fl, e))
				return -1;
			r->nex++;
		}
		p = nl + 1;
	}
	return 0;
}

/* ---- date formats */

static const char date_fields[] = "mdHMS";

static struct dq_datefmt *datefmt(struct dq_dates *d, enum dq_datekind kind, const char *fmt)
{
	for (unsigned i = 0; i < d->n; i++)
		if (d->f[i].kind == kind && !strcmp(d->f[i].fmt, fmt))
			return &d->f[i];
	if (d->n == DQ_MAX_DATEFMT)
		return NULL;
	memset(&d->f[d->n], 0, sizeof(d->f[0]));
	d->f[d->n].kind = kind;
	snprintf(d->f[d->n].fmt, sizeof(d->f[0].fmt), "%s", fmt);
	return &d->f[d->n++];
}

static void date_count(struct dq_dates *d, enum dq_datekind kind, const char *fmt, enum norm_date st,
		       const unsigned char *p, size_t n)
{
	struct dq_datefmt *f = datefmt(d, kind, fmt);

	if (!f) {
		d->other_format++;
		return;
	}
	f->count++;
	if (n > sizeof(f->ex))
		n = sizeof(f->ex);
	if (st == DATE_OK) {
		f->ok++;
		if (!f->exlen) {
			memcpy(f->ex, p, n);
			f->exlen = (unsigned)n;
		}
	} else if (st == DATE_ZERO) {
		f->zero++;
	} else {
		f->invalid++;
		if (!f->badlen) {
			memcpy(f->bad, p, n);
			f->badlen = (unsigned)n;
		}
	}
}

static unsigned long long digits_value(const unsigned char *p, size_t n)
{
	unsigned long long v = 0;

	for (size_t i = 0; i < n && i < 19; i++)
		v = v * 10 + (unsigned long long)(p[i] - '0');
	return v;
}

void dq_dates_add(struct dq_dates *d, const unsigned char *p, size_t n)
{
	size_t rs[8], rl[8], nr = 0, i = 0;
	char fmt[64], out[20];
	size_t fo = 0;
	enum norm_date st;

	while (n && p[n - 1] == ' ')
		n--;
	while (n && p[0] == ' ')
		p++, n--;
	if (!n)
		return;
	d->values++;
	if (n > 48)
		goto not_date;
	/* digit runs */
	while (i < n) {
		if (p[i] < '0' || p[i] > '9') {
			if (p[i] < 0x20 || p[i] == 0x7F || p[i] == '%')
				goto not_date;
			i++;
			continue;
		}
		if (nr == 8)
			goto not_date;
		rs[nr] = i;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		rl[nr] = i - rs[nr];
		nr++;
	}
	if (!nr || rs[0] != 0)
		goto not_date;
	if (nr == 1 && rl[0] == n) {
		unsigned long long v = digits_value(p, n);
		int zero = v == 0, c19 = n >= 2 && ((p[0] == '1' && p[1] == '9') || (p[0] == '2' && p[1] == '0'));
		const char *f = n == 8 ? "%Y%m%d" : n == 12 ? "%Y%m%d%H%M" : n == 14 ? "%Y%m%d%H%M%S" : NULL;

		if (f && (zero || c19)) {
			date_count(d, DQ_DATE_FORMAT, f, norm_date((const char *)p, n, f, out), p, n);
			return;
		}
		if (n == 5 && v >= 20000 && v <= 80000) {
			date_count(d, DQ_DATE_EXCEL, "excel", DATE_OK, p, n);
			return;
		}
		if ((n == 9 || n == 10) && v >= 100000000ull && v <= 4102444800ull) {
			date_count(d, DQ_DATE_EPOCH, "epoch", DATE_OK, p, n);
			return;
		}
		if (n == 13 && v >= 100000000000ull && v <= 4102444800000ull) {
			date_count(d, DQ_DATE_EPOCH_MS, "epoch_ms", DATE_OK, p, n);
			return;
		}
		goto not_date;
	}
	if (nr == 2 && rl[0] == 5 && p[rs[0] + 5] == '.' && rs[1] == 6 && rs[1] + rl[1] == n) {
		unsigned long long v = digits_value(p, 5);

		if (v >= 20000 && v <= 80000) {
			date_count(d, DQ_DATE_EXCEL, "excel", DATE_OK, p, n);
			return;
		}
		goto not_date;
	}
	if (nr < 3 || nr > 6 || (rl[0] != 4 && rl[0] != 2))
		goto not_date;
	for (size_t r = 0; r < nr; r++) {
		size_t lit_end = r + 1 < nr ? rs[r + 1] : n, lit = rs[r] + rl[r];

		if (r && rl[r] > 2)
			goto not_date;
		if (fo + 3 + (lit_end - lit) >= sizeof(fmt) || lit_end - lit > 9)
			goto not_date;
		fmt[fo++] = '%';
		fmt[fo++] = r == 0 ? (rl[0] == 4 ? 'Y' : 'y') : date_fields[r - 1];
		memcpy(fmt + fo, p + lit, lit_end - lit);
		fo += lit_end - lit;
	}
	fmt[fo] = '\0';
	st = norm_date((const char *)p, n, fmt, out);
	if (rl[0] == 2 && st == DATE_INVALID)
		goto not_date; /* two-digit years only when they read */
	date_count(d, DQ_DATE_FORMAT, fmt, st, p, n);
	return;
not_date:
	d->not_date++;
}

uint64_t dq_dates_readable(const struct dq_dates *d)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < d->n; i++)
		n += d->f[i].ok + d->f[i].zero;
	return n;
}

const char *dq_datekind_name(enum dq_datekind k)
{
	switch (k) {
	case DQ_DATE_FORMAT:
		return "format";
	case DQ_DATE_EXCEL:
		return "Excel serial day number";
	case DQ_DATE_EPOCH:
		return "seconds since 1970-01-01 (epoch)";
	case DQ_DATE_EPOCH_MS:
		return "milliseconds since 1970-01-01 (epoch)";
	}
	return "?";
}

/* ---- small things */

const char *dq_count_str(uint64_t n, int plus, char buf[32])
{
	snprintf(buf, 32, "%llu%s", (unsigned long long)n, plus ? "+" : "");
	return buf;
}

static const struct {
	const char *name, *what;
} fixes[] = {
	{"zero_date", "an all-zero date (0000-00-00 ...) loaded as NULL (dates: zero: null)"},
	{"invalid_date_null", "an impossible or unreadable date loaded as NULL (invalid: null)"},
	{"unmapped_category", "a legacy category not in the mapping table: loaded with the default category"},
	{"unmapped_code", "a code not in its mapping table: loaded as it is (unmapped: keep)"},
	{"phone_unrecognised", "a phone value that is no phone number: loaded as it is"},
	{"fullwidth_folded", "full-width digits or letters folded to ASCII"},
	{"idno_invalid", "an ID number with a wrong length or check character: loaded as it is"},
	{"category_keyword", "a legacy category not in the mapping table: mapped by a keyword rule on title or content"},
};

const char *dq_fix_explain(const char *name)
{
	for (size_t i = 0; i < sizeof(fixes) / sizeof(fixes[0]); i++)
		if (!strcmp(fixes[i].name, name))
			return fixes[i].what;
	if (!strncmp(name, "validate.", 9))
		return "a validation rule with action: flag failed: the record is loaded and counted";
	return "a counted change";
}
