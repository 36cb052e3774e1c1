#include "migrate/mask.h"

#include <stdlib.h>
#include <string.h>

/* Length of the character at s (1..4) and whether it is valid UTF-8 (an
 * invalid byte is a character of length 1). */
static size_t u8char(const unsigned char *s, size_t n, int *valid)
{
	unsigned c = s[0];

	*valid = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF && n >= 2 && (s[1] & 0xC0) == 0x80)
		return 2;
	if (c >= 0xE0 && c <= 0xEF && n >= 3) {
		unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;

		if (s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80)
			return 3;
	}
	if (c >= 0xF0 && c <= 0xF4 && n >= 4) {
		unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;

		if (s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80)
			return 4;
	}
	*valid = 0;
	return 1;
}

/* The digit at s (ASCII or full-width), with its length in *len; -1 if none. */
static int digit_at(const unsigned char *s, size_t n, size_t *len)
{
	if (s[0] >= '0' && s[0] <= '9') {
		*len = 1;
		return s[0] - '0';
	}
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x90 && s[2] <= 0x99) {
		*len = 3;
		return s[2] - 0x90;
	}
	return -1;
}

/* X or x, ASCII or full-width (U+FF38, U+FF58): the check character of an
 * ID number. Returns its length or 0. */
static size_t x_at(const unsigned char *s, size_t n)
{
	if (s[0] == 'X' || s[0] == 'x')
		return 1;
	if (n >= 3 && s[0] == 0xEF && ((s[1] == 0xBC && s[2] == 0xB8) || (s[1] == 0xBD && s[2] == 0x98)))
		return 3;
	return 0;
}

static size_t count_chars(const unsigned char *s, size_t n)
{
	size_t c = 0;
	int v;

	for (size_t i = 0; i < n; i += u8char(s + i, n - i, &v))
		c++;
	return c;
}

int mask_phone(const char *str, size_t n, struct mg_buf *out, struct mg_err *e)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t nd = 0, d = 0, l;
	int v;

	for (size_t i = 0; i < n;) {
		if (digit_at(s + i, n - i, &l) >= 0) {
			nd++;
			i += l;
		} else {
			i += u8char(s + i, n - i, &v);
		}
	}
	for (size_t i = 0; i < n;) {
		if (digit_at(s + i, n - i, &l) >= 0) {
			int keep = (nd >= 11 && d < 3) || (nd >= 7 && d >= nd - 4);

			if (keep ? buf_add(out, s + i, l, e) : buf_addc(out, '*', e))
				return -1;
			d++;
			i += l;
			continue;
		}
		l = u8char(s + i, n - i, &v);
		/* separators stay; letters, ideographs and anything else do not */
		if (s[i] >= 0x20 && s[i] < 0x7F && !((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')) {
			if (buf_addc(out, s[i], e))
				return -1;
		} else if (buf_addc(out, '*', e)) {
			return -1;
		}
		i += l;
	}
	return 0;
}

int mask_name(const char *str, size_t n, struct mg_buf *out, struct mg_err *e)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t nc = 0;
	int v;

	if (!n)
		return 0;
	for (size_t i = 0; i < n; nc++) {
		size_t l = u8char(s + i, n - i, &v);

		if (i == 0 && v && s[0] >= 0x20 && s[0] != 0x7F ? buf_add(out, s, l, e) : buf_addc(out, '*', e))
			return -1;
		i += l;
	}
	return nc == 1 ? buf_addc(out, '*', e) : 0;
}

int mask_id(const char *str, size_t n, struct mg_buf *out, struct mg_err *e)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t nc = count_chars(s, n), c = 0;
	int v;

	for (size_t i = 0; i < n; c++) {
		size_t l = u8char(s + i, n - i, &v);
		int keep = v && nc >= 10 && (c < 6 || c >= nc - 4) && s[i] >= 0x20 && s[i] != 0x7F;

		if (keep ? buf_add(out, s + i, l, e) : buf_addc(out, '*', e))
			return -1;
		i += l;
	}
	return 0;
}

/* mask_scan: the digit runs of the text, then tokens of one or more runs
 * joined by single separators, classified by digit count and prefix. */
struct run {
	size_t b, end;      /* byte range */
	size_t g;           /* global index of the first digit */
	unsigned nd;        /* digits; counting stops past 19 */
	char pre[4];        /* the first digits */
	size_t xlen;        /* an X right after the run (ID check character) */
};

struct span {
	size_t lo, hi;      /* global digit indexes masked: [lo, hi) */
};

enum { TOK_NONE, TOK_PHONE, TOK_ID };

static int classify(unsigned d, const char *pre, unsigned npre, int x)
{
	if (x && d == 17)
		return TOK_ID;
	if (d == 11 && pre[0] == '1')
		return TOK_PHONE;
	if (d == 13 && npre >= 3 && !memcmp(pre, "861", 3))
		return TOK_PHONE;
	if ((d == 11 || d == 12) && npre >= 4 && !memcmp(pre, "0937", 4))
		return TOK_PHONE;
	if (d == 18 || d == 15)
		return TOK_ID;
	return TOK_NONE;
}

static int joinable(const unsigned char *s, const struct run *a, const struct run *b)
{
	return !a->xlen && b->b == a->end + 1 && (s[a->end] == ' ' || s[a->end] == '-');
}

int mask_scan(const char *str, size_t n, struct mg_buf *out, struct mg_err *e)
{
	const unsigned char *s = (const unsigned char *)str;
	struct run *runs = NULL;
	struct span *spans = NULL;
	size_t nr = 0, ar = 0, ns = 0, g = 0, l;
	int rc = -1, v;

	/* the runs */
	for (size_t i = 0; i < n;) {
		int dg = digit_at(s + i, n - i, &l);

		if (dg < 0) {
			i += u8char(s + i, n - i, &v);
			continue;
		}
		if (nr == ar) {
			size_t na = ar ? ar * 2 : 16;
			struct run *p = realloc(runs, na * sizeof(*p));

			if (!p) {
				mg_err_set(e, MG_E_NOMEM, "out of memory masking a text of %zu bytes", n);
				goto out;
			}
			runs = p;
			ar = na;
		}
		memset(&runs[nr], 0, sizeof(runs[nr]));
		runs[nr].b = i;
		runs[nr].g = g;
		while (i < n && (dg = digit_at(s + i, n - i, &l)) >= 0) {
			if (runs[nr].nd < sizeof(runs[nr].pre))
				runs[nr].pre[runs[nr].nd] = (char)('0' + dg);
			if (runs[nr].nd < 20)
				runs[nr].nd++;
			g++;
			i += l;
		}
		runs[nr].end = i;
		if (i < n && (l = x_at(s + i, n - i)) &&
		    !(i + l < n && ((s[i + l] >= '0' && s[i + l] <= '9') || ((s[i + l] | 0x20) >= 'a' && (s[i + l] | 0x20) <= 'z'))))
			runs[nr].xlen = l;
		nr++;
	}
	if (nr && !(spans = calloc(nr, sizeof(*spans)))) {
		mg_err_set(e, MG_E_NOMEM, "out of memory masking a text of %zu bytes", n);
		goto out;
	}
	/* the tokens: from each run, the longest chain of joined runs that
	 * looks like a phone or ID number */
	for (size_t i = 0; i < nr;) {
		size_t best = nr;
		unsigned d = 0, npre = 0, bestlen = 0;
		int bestkind = TOK_NONE;
		char pre[4];

		for (size_t j = i; j < nr; j++) {
			int k;

			if (j > i && !joinable(s, &runs[j - 1], &runs[j]))
				break;
			for (unsigned q = 0; q < runs[j].nd && q < sizeof(runs[j].pre) && npre < sizeof(pre); q++)
				pre[npre++] = runs[j].pre[q];
			d += runs[j].nd;
			if (d > 18)
				break;
			k = classify(d, pre, npre, runs[j].xlen != 0);
			if (k) {
				best = j;
				bestkind = k;
				bestlen = d + (d == 17 && runs[j].xlen != 0);
			}
		}
		if (bestkind == TOK_NONE) {
			i++;
			continue;
		}
		/* phones keep the first 3 and last 4 digits; ID numbers the first
		 * 6 and the last 4 characters (an X is the last one) */
		spans[ns].lo = runs[i].g + (bestkind == TOK_PHONE ? 3 : 6);
		spans[ns].hi = runs[i].g + bestlen - 4;
		ns++;
		i = best + 1;
	}
	/* the text with the spans' digits masked */
	g = 0;
	for (size_t i = 0, k = 0; i < n;) {
		if (digit_at(s + i, n - i, &l) >= 0) {
			while (k < ns && g >= spans[k].hi)
				k++;
			if (k < ns && g >= spans[k].lo ? buf_addc(out, '*', e) : buf_add(out, s + i, l, e))
				goto out;
			g++;
		} else {
			l = u8char(s + i, n - i, &v);
			if (buf_add(out, s + i, l, e))
				goto out;
		}
		i += l;
	}
	rc = 0;
out:
	free(runs);
	free(spans);
	return rc;
}

int mask_shape(const char *str, size_t n, struct mg_buf *out, struct mg_err *e)
{
	struct mg_buf tmp;
	const unsigned char *s;
	int v, rc = -1;

	buf_init(&tmp, out->cap, out->what);
	if (mask_scan(str, n, &tmp, e))
		goto out;
	s = tmp.ptr;
	for (size_t i = 0; i < tmp.len;) {
		size_t l = u8char(s + i, tmp.len - i, &v);
		int keep = s[i] < 0x7F && !((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z');

		if (keep ? buf_addc(out, s[i], e) : buf_addc(out, '*', e))
			goto out;
		i += l;
	}
	rc = 0;
out:
	buf_release(&tmp);
	return rc;
}

int mask_value(enum mask_kind kind, const char *s, size_t n, struct mg_buf *out, struct mg_err *e)
{
	switch (kind) {
	case MASK_NONE:
		return buf_add(out, s, n, e);
	case MASK_SCAN:
		return mask_scan(s, n, out, e);
	case MASK_NAME:
		return mask_name(s, n, out, e);
	case MASK_PHONE:
		return mask_phone(s, n, out, e);
	case MASK_ID:
		return mask_id(s, n, out, e);
	case MASK_ALL:
		return buf_printf(out, e, "[masked, %zu chars]", count_chars((const unsigned char *)s, n));
	case MASK_SHAPE:
		return mask_shape(s, n, out, e);
	}
	return mg_err_set(e, MG_E_INTERNAL, "unknown mask kind %d", (int)kind);
}

const char *mask_kind_name(enum mask_kind kind)
{
	static const char *const names[] = {
		[MASK_NONE] = "none", [MASK_SCAN] = "scan", [MASK_NAME] = "name",
		[MASK_PHONE] = "phone", [MASK_ID] = "id", [MASK_ALL] = "all", [MASK_SHAPE] = "shape",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}
