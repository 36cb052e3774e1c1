/*
 * tests/gen/estate_model.c -- the shared legacy model of gen-estate (see
 * estate_model.h). Vocabulary, PRNG, calendar, GBK table and the generators
 * of names, phones, ID numbers, addresses and texts are adapted from
 * tests/gen/gen12319.c.
 */
#include "estate_model.h"
#include "vocab.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

const char *em_prog = "gen-estate";

/* ------------------------------------------------------------------ */
/* errors, memory, files                                               */
/* ------------------------------------------------------------------ */
void em_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", em_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *em_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		em_die("out of memory");
	return p;
}

void *em_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		em_die("out of memory");
	return p;
}

char *em_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = em_xmalloc(n);

	memcpy(p, s, n);
	return p;
}

void em_mkdir_p(const char *dir)
{
	char tmp[4096];

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		em_die("path too long: %s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0777) && errno != EEXIST)
			em_die("cannot create directory '%s': %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0777) && errno != EEXIST)
		em_die("cannot create directory '%s': %s", tmp, strerror(errno));
}

FILE *em_fopen(const char *dir, const char *name, const char *mode)
{
	char path[4096];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		em_die("path too long: %s/%s", dir, name);
	f = fopen(path, mode);
	if (!f)
		em_die("cannot open '%s': %s", path, strerror(errno));
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

/* ------------------------------------------------------------------ */
/* buffers                                                             */
/* ------------------------------------------------------------------ */
void em_buf_add(struct em_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			em_die("out of memory");
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
}

void em_buf_adds(struct em_buf *b, const char *s)
{
	em_buf_add(b, s, strlen(s));
}

void em_buf_addc(struct em_buf *b, char c)
{
	em_buf_add(b, &c, 1);
}

void em_buf_addf(struct em_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		em_die("internal: format overflow");
	em_buf_add(b, tmp, (size_t)n);
}

void em_buf_free(struct em_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ------------------------------------------------------------------ */
/* PRNG                                                                */
/* ------------------------------------------------------------------ */
uint64_t em_rnd64(struct em_rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

void em_rng_seed(struct em_rng *r, uint64_t seed, const char *stream)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a of the stream name */

	for (const unsigned char *p = (const unsigned char *)stream; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	r->s = seed ^ h;
	(void)em_rnd64(r);
}

uint32_t em_below(struct em_rng *r, uint32_t n)
{
	if (n == 0)
		return 0;
	return (uint32_t)(((em_rnd64(r) >> 32) * (uint64_t)n) >> 32);
}

int em_range(struct em_rng *r, int lo, int hi)
{
	return lo + (int)em_below(r, (uint32_t)(hi - lo + 1));
}

bool em_chance(struct em_rng *r, uint32_t ppm)
{
	return em_below(r, 1000000u) < ppm;
}

size_t em_weighted(struct em_rng *r, const int *w, size_t n)
{
	int sum = 0, x;

	for (size_t i = 0; i < n; i++)
		sum += w[i];
	if (sum <= 0)
		em_die("internal: weights add up to 0");
	x = (int)em_below(r, (uint32_t)sum);
	for (size_t i = 0; i < n; i++) {
		x -= w[i];
		if (x < 0)
			return i;
	}
	return n - 1;
}

/* ------------------------------------------------------------------ */
/* calendar (proleptic Gregorian, integer only)                         */
/* ------------------------------------------------------------------ */
int64_t em_days(int y, int m, int d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const int64_t yoe = y - era * 400;
	const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void em_civil(int64_t z, int *y, int *m, int *d)
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

int em_month_len(int y, int m)
{
	static const int ml[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return ml[m - 1];
}

int64_t em_time(int y, int mo, int d, int h, int mi, int s)
{
	return em_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

void em_tm(int64_t t, struct em_tm *tm)
{
	int64_t s = t % 86400;

	em_civil(t / 86400, &tm->y, &tm->mo, &tm->d);
	tm->h = (int)(s / 3600);
	tm->mi = (int)(s / 60 % 60);
	tm->s = (int)(s % 60);
}

void em_fmt_iso(int64_t t, char out[20])
{
	struct em_tm tm;

	char tmp[48];

	em_tm(t, &tm);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d %02d:%02d:%02d", tm.y % 10000, tm.mo % 100, tm.d % 100,
		 tm.h % 100, tm.mi % 100, tm.s % 100);
	memcpy(out, tmp, 19);
	out[19] = 0;
}

/* ------------------------------------------------------------------ */
/* text                                                                */
/* ------------------------------------------------------------------ */
void em_t_reset(struct em_text *t)
{
	t->len = 0;
	t->s[0] = 0;
	t->null = false;
}

void em_t_null(struct em_text *t)
{
	em_t_reset(t);
	t->null = true;
}

void em_t_addn(struct em_text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > EM_TEXT_CAP)
		em_die("internal: text overflow");
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = 0;
	t->null = false;
}

void em_t_add(struct em_text *t, const char *s)
{
	em_t_addn(t, s, strlen(s));
}

void em_t_addf(struct em_text *t, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		em_die("internal: format overflow");
	em_t_addn(t, tmp, (size_t)n);
}

void em_t_set(struct em_text *t, const char *s)
{
	em_t_reset(t);
	em_t_add(t, s);
}

void em_t_copy(struct em_text *dst, const struct em_text *src)
{
	memcpy(dst->s, src->s, src->len + 1);
	dst->len = src->len;
	dst->null = src->null;
}

size_t em_utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

size_t em_utf8_enc(uint32_t cp, char *out)
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
	return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) | ((uint32_t)(p[2] & 0x3F) << 6) |
	       (p[3] & 0x3F);
}

bool em_utf8_valid(const void *v, size_t n)
{
	const unsigned char *p = v;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		size_t k;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 1, cp = c & 0x1F, min = 0x80;
		else if (c >= 0xE0 && c <= 0xEF)
			k = 2, cp = c & 0x0F, min = 0x800;
		else if (c >= 0xF0 && c <= 0xF4)
			k = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (n - i - 1 < k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
			return false;
		i += k + 1;
	}
	return true;
}

bool em_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* ------------------------------------------------------------------ */
/* encodings                                                           */
/* ------------------------------------------------------------------ */
static uint16_t *gbk_of; /* BMP code point -> GBK two-byte code; 0: not allowed */
static iconv_t cd_gb18030;

const char *const em_bad_gbk[3] = {"\x81\x7F", "\xFF", "\xB0"};

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

void em_enc_init(void)
{
	iconv_t enc, dec;

	if (gbk_of)
		return;
	enc = iconv_open("GBK", "UTF-8");
	dec = iconv_open("UTF-8", "GB18030");
	cd_gb18030 = iconv_open("GB18030", "UTF-8");
	if (enc == (iconv_t)-1 || dec == (iconv_t)-1 || cd_gb18030 == (iconv_t)-1)
		em_die("iconv_open GBK/GB18030: %s", strerror(errno));
	gbk_of = em_xcalloc(65536, sizeof(*gbk_of));
	for (uint32_t cp = 0x80; cp < 0x10000; cp++) {
		char u[4], g[8], back[8];
		size_t ul, gl, bl;

		if (cp >= 0xD800 && cp < 0xF900)
			continue; /* surrogates and private use: never */
		ul = em_utf8_enc(cp, u);
		gl = iconv_buf(enc, u, ul, g, sizeof(g));
		if (gl != 2)
			continue;
		bl = iconv_buf(dec, g, 2, back, sizeof(back));
		if (bl != ul || memcmp(back, u, ul) != 0)
			continue;
		gbk_of[cp] = (uint16_t)(((unsigned char)g[0] << 8) | (unsigned char)g[1]);
	}
	iconv_close(enc);
	iconv_close(dec);
}

bool em_to_gbk(const char *u, size_t n, struct em_buf *out, bool gb18030)
{
	const unsigned char *p = (const unsigned char *)u, *e = p + n;

	if (!gbk_of)
		em_die("internal: em_enc_init not called");
	while (p < e) {
		size_t adv;
		uint32_t cp;

		if (*p < 0x80) {
			em_buf_addc(out, (char)*p++);
			continue;
		}
		cp = utf8_dec(p, &adv);
		if (cp < 0x10000 && gbk_of[cp]) {
			char g[2] = {(char)(gbk_of[cp] >> 8), (char)(gbk_of[cp] & 0xFF)};

			em_buf_add(out, g, 2);
		} else if (gb18030 && cp >= 0x10000) {
			char g[8];
			size_t gl = iconv_buf(cd_gb18030, (const char *)p, adv, g, sizeof(g));

			if (gl != 4)
				return false;
			em_buf_add(out, g, 4);
		} else {
			return false;
		}
		p += adv;
	}
	return true;
}

void em_check_gbk(const char *const *v, size_t n)
{
	struct em_buf b = {0};

	for (size_t i = 0; i < n; i++) {
		b.len = 0;
		if (v[i] && !em_to_gbk(v[i], strlen(v[i]), &b, false))
			em_die("internal: vocabulary entry not GBK round-trip safe: %s", v[i]);
	}
	em_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* mapping tables                                                      */
/* ------------------------------------------------------------------ */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct em_buf b = {0};
	char tmp[65536];
	size_t r;

	if (!f)
		em_die("cannot open '%s': %s", path, strerror(errno));
	while ((r = fread(tmp, 1, sizeof(tmp), f)) > 0)
		em_buf_add(&b, tmp, r);
	if (ferror(f))
		em_die("cannot read '%s'", path);
	fclose(f);
	em_buf_add(&b, "", 0);
	*len = b.len;
	return b.p;
}

/* one CSV record (RFC 4180, the mapping tables' subset): fields into row */
static size_t csv_record(char **pp, char *end, char **row, size_t max, const char *path)
{
	char *p = *pp;
	size_t n = 0;

	for (;;) {
		struct em_buf f = {0};

		if (p < end && *p == '"') {
			p++;
			for (;;) {
				if (p >= end)
					em_die("%s: unterminated quote", path);
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						em_buf_addc(&f, '"');
						p += 2;
						continue;
					}
					p++;
					break;
				}
				em_buf_addc(&f, *p++);
			}
		} else {
			while (p < end && *p != ',' && *p != '\n' && *p != '\r')
				em_buf_addc(&f, *p++);
		}
		em_buf_add(&f, "", 0);
		if (n == max)
			em_die("%s: too many columns", path);
		row[n++] = f.p;
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
	*pp = p;
	return n;
}

void em_map_load(struct em_map *m, const char *dir, const char *file, bool category)
{
	static const char *const chdr[] = {"legacy_code", "legacy_name", "unified_code"};
	static const char *const khdr[] = {"legacy", "unified"};
	const char *const *hdr = category ? chdr : khdr;
	size_t ncol = category ? 3 : 2, len, cap = 0;
	char path[4096], *buf, *p, *end, *row[8];
	bool header = false;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	memset(m, 0, sizeof(*m));
	m->path = em_xstrdup(path);
	buf = slurp(path, &len);
	p = buf;
	end = buf + len;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		size_t n = csv_record(&p, end, row, EM_ARRLEN(row), path);

		if (n == 1 && !row[0][0]) {
			free(row[0]);
			continue;
		}
		if (n != ncol)
			em_die("%s: expected %zu columns, got %zu", path, ncol, n);
		if (!header) {
			for (size_t i = 0; i < ncol; i++) {
				if (strcmp(row[i], hdr[i]))
					em_die("%s: column %zu is '%s', want '%s'", path, i + 1, row[i], hdr[i]);
				free(row[i]);
			}
			header = true;
			continue;
		}
		if (em_map_get(m, row[0]))
			em_die("%s: '%s' listed twice", path, row[0]);
		if (m->n == cap) {
			cap = cap ? cap * 2 : 32;
			m->key = realloc(m->key, cap * sizeof(*m->key));
			m->name = realloc(m->name, cap * sizeof(*m->name));
			m->val = realloc(m->val, cap * sizeof(*m->val));
			if (!m->key || !m->name || !m->val)
				em_die("out of memory");
		}
		m->key[m->n] = row[0];
		m->name[m->n] = category ? row[1] : NULL;
		m->val[m->n] = row[ncol - 1];
		m->n++;
	}
	if (!header)
		em_die("%s: empty file", path);
	free(buf);
}

void em_map_free(struct em_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->key[i]);
		free(m->name[i]);
		free(m->val[i]);
	}
	free(m->key);
	free(m->name);
	free(m->val);
	free(m->path);
	memset(m, 0, sizeof(*m));
}

static long map_find(const struct em_map *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->key[i], key))
			return (long)i;
	return -1;
}

const char *em_map_get(const struct em_map *m, const char *key)
{
	long i = map_find(m, key);

	return i < 0 ? NULL : m->val[i];
}

const char *em_map_name(const struct em_map *m, const char *key)
{
	long i = map_find(m, key);

	return i < 0 ? NULL : m->name[i];
}

/* ------------------------------------------------------------------ */
/* counters                                                            */
/* ------------------------------------------------------------------ */
void em_kv_add(struct em_kv *kv, const char *key, uint64_t n)
{
	for (size_t i = 0; i < kv->n; i++)
		if (!strcmp(kv->key[i], key)) {
			kv->val[i] += n;
			return;
		}
	if (kv->n == kv->cap) {
		kv->cap = kv->cap ? kv->cap * 2 : 16;
		kv->key = realloc(kv->key, kv->cap * sizeof(*kv->key));
		kv->val = realloc(kv->val, kv->cap * sizeof(*kv->val));
		if (!kv->key || !kv->val)
			em_die("out of memory");
	}
	kv->key[kv->n] = em_xstrdup(key);
	kv->val[kv->n] = n;
	kv->n++;
}

uint64_t em_kv_get(const struct em_kv *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (!strcmp(kv->key[i], key))
			return kv->val[i];
	return 0;
}

void em_kv_free(struct em_kv *kv)
{
	for (size_t i = 0; i < kv->n; i++)
		free(kv->key[i]);
	free(kv->key);
	free(kv->val);
	memset(kv, 0, sizeof(*kv));
}

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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void em_kv_json(FILE *f, const struct em_kv *kv, const char *const *keep)
{
	char **keys = em_xmalloc((kv->n + 8) * sizeof(*keys));
	size_t n = 0;
	bool first = true;

	for (size_t i = 0; i < kv->n; i++)
		keys[n++] = kv->key[i];
	for (size_t k = 0; keep && keep[k]; k++) {
		bool have = false;

		for (size_t i = 0; i < kv->n; i++)
			have |= !strcmp(kv->key[i], keep[k]);
		if (!have)
			keys[n++] = (char *)(uintptr_t)keep[k];
	}
	qsort(keys, n, sizeof(*keys), cmp_str);
	fputc('{', f);
	for (size_t i = 0; i < n; i++) {
		uint64_t v = em_kv_get(kv, keys[i]);
		bool kept = false;

		for (size_t k = 0; keep && keep[k]; k++)
			kept |= !strcmp(keep[k], keys[i]);
		if (!v && !kept)
			continue;
		if (!first)
			fputc(',', f);
		first = false;
		json_str(f, keys[i]);
		fprintf(f, ":%llu", (unsigned long long)v);
	}
	fputc('}', f);
	free(keys);
}

static const char *const SHOPS[] = {
	"兰州牛肉面馆", "老王烧烤", "便民超市", "川味火锅店", "好再来饭店", "阳光洗车行",
	"鸿运五金店", "惠民药店", "丰收农贸市场", "家家乐超市", "小刘水果店", "金鼎KTV",
	"雄关广场商场", "新华电器城", "美丽人生美容院", "佳佳母婴店", "百姓大药房", "四季鲜生鲜超市",
};
const char *const em_old_districts[3] = {"雄关区", "长城区", "镜铁区"};
static const char *const VILLAGES[3][5] = {
	{"河口村", "塔湾村", "石桥村", "冯家沟村", "文殊村"},
	{"黄草营村", "断山口村", "嘉峪关村", "安远沟村", "峪泉村"},
	{"新城村", "观蒲村", "长城村", "野麻湾村", "横沟村"},
};
static const char *const GOODS[] = {
	"手机", "电动车", "羽绒服", "婴儿奶粉", "电视机", "冰箱", "运动鞋", "保健品", "化妆品", "家具",
	"空调", "笔记本电脑", "儿童玩具", "食用油", "月饼礼盒",
};
static const char *const COMPANIES[] = {"某公司", "该公司", "有关单位"};
static const char *const FILLERS[] = {
	"该问题已经持续了{N}天。",
	"来电人表示此前已多次反映，但问题一直没有得到解决。",
	"周边居民意见很大。",
	"来电人希望相关部门尽快核实处理。",
	"来电人要求将处理结果及时反馈。",
	"来电人称已经拍照留存证据。",
	"来电人情绪比较激动。",
	"希望能够彻底解决。",
	"工作人员已告知来电人会将诉求转交相关部门办理。",
	"来电人愿意配合调查。",
	"来电人表示如果问题得不到解决，将向上级部门反映。",
	"来电人的家中有老人和小孩，受影响较大。",
	"来电人不清楚该问题归哪个部门管理，希望热线帮助协调。",
	"来电人表示可以提供照片和票据。",
	"来电人要求处理后回访。",
	"来电人称{R}一带这种情况比较普遍。",
	"来电人说{N}号楼的邻居也打过电话。",
	"请{D}依法处理。",
};
/* sentences that exercise escaping: ASCII quotes, backslashes, tab, a literal \N */
static const char *const SPECIAL[] = {
	"商户称\"这是我们的规定，你们管不着\"。",
	"门头招牌上写着'BEST'字样。",
	"来电人发来的照片文件名为IMG\\2021\\0701.jpg。",
	"原系统备注：\\N。",
	"联系人：\t王先生。",
	"截图保存在D:\\照片\\投诉\\目录下。",
	"他说：\"I'm not moving\"，然后走了。",
	"涉及金额1,280元，票据编号A-17,B-3。",
};
static const char *const REPLY_OPEN[] = {
	"经核查，", "您好，", "接到工单后，{U}立即安排人员核实。", "经现场核实，", "",
};
static const char *const REPLY_EXTRA[] = {
	"目前已整改到位。", "已安排专人跟踪督办。", "已将相关情况通报属地街道。", "{S}已按要求整改。",
};
static const char *const REPLY_CLOSE[] = {
	"下一步将加大监管力度，防止问题反弹。",
	"已电话回复来电人，来电人表示认可。",
	"感谢您对我们工作的支持。",
	"如有疑问请拨打{Q}热线。",
};
static const char *const TEST_CONTENT = "测试数据，请勿处理。";

const char *const em_fault_names[EM_F_COUNT] = {
	"none", "zero_date", "invalid_date", "undecodable", "null_date", "missing_id", "garbled_date", "excel_date",
};
const char *const em_field_names[EF_COUNT] = {
	"caller_name", "address", "title", "content", "handling_unit", "reply", "caller_phone", "contact_phone",
	"request_type", "legacy_category_text",
};

/* ------------------------------------------------------------------ */
/* names, phones, ID numbers, addresses                                */
/* ------------------------------------------------------------------ */
bool em_gen_name(struct em_rng *r, struct em_text *t, enum em_name_kind kind, uint32_t ppm_rare)
{
	em_t_reset(t);
	if (kind == EM_NM_AUTO) {
		uint32_t u = em_below(r, 1000);

		if (em_chance(r, ppm_rare))
			kind = EM_NM_RARE;
		else if (em_chance(r, 5000))
			kind = EM_NM_TRAIL;
		else
			kind = u < 50 ? EM_NM_NULL : u < 70 ? EM_NM_ANON : u < 150 ? EM_NM_TITLE : EM_NM_FULL;
	}
	switch (kind) {
	case EM_NM_NULL:
		em_t_null(t);
		return false;
	case EM_NM_ANON:
		em_t_add(t, "匿名");
		return false;
	case EM_NM_TEST:
		em_t_add(t, "测试");
		return false;
	case EM_NM_TITLE:
		em_t_add(t, EM_PICK(r, SURNAMES));
		em_t_add(t, em_below(r, 2) ? "先生" : "女士");
		return false;
	case EM_NM_RARE:
		em_t_add(t, EM_PICK(r, SURNAMES));
		if (em_below(r, 2))
			em_t_add(t, EM_PICK(r, GIVEN));
		em_t_add(t, EM_PICK(r, RARE));
		return true;
	case EM_NM_TRAIL:
		em_t_add(t, EM_PICK(r, SURNAMES));
		em_t_add(t, EM_PICK(r, GIVEN_TRAIL));
		if (em_below(r, 2))
			em_t_add(t, EM_PICK(r, GIVEN));
		return false;
	default:
		em_t_add(t, EM_PICK(r, SURNAMES));
		em_t_add(t, EM_PICK(r, GIVEN));
		if (em_below(r, 100) < 70)
			em_t_add(t, EM_PICK(r, GIVEN));
		return false;
	}
}

enum em_phone_kind em_pick_phone(struct em_rng *r, const struct em_phone_mix *mix)
{
	return (enum em_phone_kind)em_weighted(r, mix->w, EM_PH_COUNT);
}

static void mobile_digits(struct em_rng *r, char d[12])
{
	d[0] = '1';
	d[1] = (char)('3' + em_below(r, 7));
	for (int i = 2; i < 11; i++)
		d[i] = (char)('0' + em_below(r, 10));
	d[11] = 0;
}

void em_gen_phone(struct em_rng *r, struct em_phone *p, enum em_phone_kind kind)
{
	char d[16];

	p->kind = kind;
	p->norm[0] = 0;
	p->recognised = false;
	em_t_reset(&p->raw);
	switch (kind) {
	case EM_PH_NULL:
		em_t_null(&p->raw);
		return;
	case EM_PH_WORD: {
		static const char *const W[] = {"无", "不详", "拒绝提供", "同上"};

		em_t_add(&p->raw, EM_PICK(r, W));
		return;
	}
	case EM_PH_SHORT:
		mobile_digits(r, d);
		d[10] = 0;
		em_t_add(&p->raw, d);
		return;
	case EM_PH_EXCEL_SCI:
		mobile_digits(r, d);
		/* Excel's General format: 6 significant digits, 1.39123E+10 (rounded) */
		{
			int v = (d[0] - '0') * 100000 + (d[1] - '0') * 10000 + (d[2] - '0') * 1000 + (d[3] - '0') * 100 +
				(d[4] - '0') * 10 + (d[5] - '0');
			char m[16];

			if (d[6] >= '5')
				v++;
			snprintf(m, sizeof(m), "%06d", v);
			em_t_addf(&p->raw, "%c.%sE+10", m[0], m + 1);
		}
		return;
	case EM_PH_PLAIN:
	case EM_PH_FULLWIDTH:
	case EM_PH_FORMATTED:
		mobile_digits(r, d);
		memcpy(p->norm, d, 12);
		p->recognised = true;
		if (kind == EM_PH_PLAIN) {
			em_t_add(&p->raw, d);
		} else if (kind == EM_PH_FULLWIDTH) {
			for (int i = 0; i < 11; i++) {
				char u[4];
				size_t n = em_utf8_enc(0xFF10u + (uint32_t)(d[i] - '0'), u);

				em_t_addn(&p->raw, u, n);
			}
		} else if (em_below(r, 2)) {
			em_t_addf(&p->raw, "+86 %.3s %.4s %.4s", d, d + 3, d + 7);
		} else {
			em_t_addf(&p->raw, "%.3s-%.4s-%.4s", d, d + 3, d + 7);
		}
		return;
	default:
		break;
	}
	/* landlines */
	d[0] = '6';
	d[1] = em_below(r, 4) ? '2' : '3';
	for (int i = 2; i < 7; i++)
		d[i] = (char)('0' + em_below(r, 10));
	d[7] = 0;
	if (kind == EM_PH_EXCEL_ZERO) {
		em_t_addf(&p->raw, "937%s", d);
		return;
	}
	snprintf(p->norm, sizeof(p->norm), "0937-%.7s", d);
	p->recognised = true;
	if (kind == EM_PH_LAND_DASH)
		em_t_addf(&p->raw, "0937-%s", d);
	else if (kind == EM_PH_LAND_NODASH)
		em_t_addf(&p->raw, "0937%s", d);
	else
		em_t_add(&p->raw, d);
}

void em_phone_copy(struct em_phone *dst, const struct em_phone *src)
{
	dst->kind = src->kind;
	em_t_copy(&dst->raw, &src->raw);
	memcpy(dst->norm, src->norm, sizeof(dst->norm));
	dst->recognised = src->recognised;
}

enum em_id_kind em_pick_id(struct em_rng *r, const struct em_id_mix *mix)
{
	return (enum em_id_kind)em_weighted(r, mix->w, EM_ID_COUNT);
}

void em_gen_idno(struct em_rng *r, struct em_idno *id, enum em_id_kind kind)
{
		static const int W[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	char s[48];
	int y, m, d, sum = 0;

	id->kind = kind;
	em_t_reset(&id->raw);
	if (kind == EM_ID_NULL) {
		em_t_null(&id->raw);
		return;
	}
	em_civil(em_days(1940, 1, 1) + em_range(r, 0, 24471), &y, &m, &d);
	if (kind == EM_ID_OLD15) {
		snprintf(s, sizeof(s), "%s%02d%02d%02d%03d", EM_PICK(r, REGIONS), y % 100, m, d, em_range(r, 1, 999));
		em_t_add(&id->raw, s);
		return;
	}
	snprintf(s, sizeof(s), "%s%04d%02d%02d%03d", EM_PICK(r, REGIONS), y, m, d, em_range(r, 1, 999));
	for (int i = 0; i < 17; i++)
		sum += (s[i] - '0') * W[i];
	s[17] = "10X98765432"[sum % 11];
	s[18] = 0;
	if (kind == EM_ID_BADCHECK)
		s[17] = "10X98765432"[(sum + 1 + em_below(r, 10)) % 11];
	if (kind == EM_ID_EXCEL_SCI) {
		/* Excel's General format in a CSV: 6 significant digits */
		int v = 0;

		for (int i = 0; i < 6; i++)
			v = v * 10 + (s[i] - '0');
		if (s[6] >= '5')
			v++;
		snprintf(s + 20, 12, "%06d", v);
		em_t_addf(&id->raw, "%c.%sE+17", s[20], s + 21);
		return;
	}
	if (kind != EM_ID_FULLWIDTH) {
		em_t_add(&id->raw, s);
		return;
	}
	for (int i = 0; i < 18; i++) {
		char b[4];
		uint32_t cp = s[i] == 'X' ? 0xFF38u : 0xFF10u + (uint32_t)(s[i] - '0');
		size_t n = em_utf8_enc(cp, b);

		em_t_addn(&id->raw, b, n);
	}
}

bool em_gen_address(struct em_rng *r, struct em_text *t, bool pre2019, bool force_old, const char **road)
{
	uint32_t u = em_below(r, 100), v;
	bool city, old = false;

	em_t_reset(t);
	*road = EM_PICK(r, ROADS);
	if (!force_old && u < 3) {
		em_t_null(t);
		return false;
	}
	city = em_below(r, 100) < 60;
	if (!force_old && u < 20) { /* towns */
		uint32_t ti = em_below(r, 3);

		if (city)
			em_t_add(t, "嘉峪关市");
		em_t_add(t, TOWNS[ti]);
		em_t_add(t, VILLAGES[ti][em_below(r, 5)]);
		em_t_addf(t, "%d组", em_range(r, 1, 8));
		if (em_below(r, 3) == 0)
			em_t_addf(t, "%d号", em_range(r, 1, 120));
		return false;
	}
	if (city)
		em_t_add(t, "嘉峪关市");
	if (force_old || (pre2019 && em_below(r, 2))) {
		em_t_add(t, EM_PICK(r, em_old_districts));
		old = true;
	} else if (em_below(r, 2)) {
		em_t_add(t, EM_PICK(r, NEW_STREETS));
	}
	em_t_add(t, *road);
	v = em_below(r, 10);
	if (v < 4) {
		em_t_addf(t, "%d号", em_range(r, 1, 2000));
	} else if (v < 8) {
		em_t_add(t, EM_PICK(r, COMPLEXES));
		em_t_addf(t, "%d号楼%d单元", em_range(r, 1, 40), em_range(r, 1, 6));
		if (em_below(r, 2))
			em_t_addf(t, "%d室", em_range(r, 1, 30) * 100 + em_range(r, 1, 4));
	} else if (v < 9) {
		em_t_add(t, "与");
		em_t_add(t, EM_PICK(r, ROADS));
		em_t_add(t, "交叉口");
	} else {
		em_t_add(t, EM_PICK(r, SHOPS));
		em_t_add(t, "附近");
	}
	return old;
}

/* ------------------------------------------------------------------ */
/* contents, titles, replies                                            */
/* ------------------------------------------------------------------ */
struct tctx {
	const char *shop, *road, *label, *unit, *goods, *company, *complex, *hotline, *dept;
};

static void tpl(struct em_rng *r, struct em_text *t, const char *s, const struct tctx *c)
{
	while (*s) {
		const char *b = strchr(s, '{');

		if (!b) {
			em_t_add(t, s);
			return;
		}
		em_t_addn(t, s, (size_t)(b - s));
		if (b[1] && b[2] == '}') {
			switch (b[1]) {
			case 'S': em_t_add(t, c->shop); break;
			case 'R': em_t_add(t, c->road); break;
			case 'L': em_t_add(t, c->label); break;
			case 'U': em_t_add(t, c->unit); break;
			case 'G': em_t_add(t, c->goods); break;
			case 'C': em_t_add(t, c->company); break;
			case 'K': em_t_add(t, c->complex); break;
			case 'Q': em_t_add(t, c->hotline); break;
			case 'D': em_t_add(t, c->dept); break;
			case 'N': em_t_addf(t, "%d", em_range(r, 2, 30)); break;
			case 'H': em_t_addf(t, "%d", em_range(r, 21, 23)); break;
			case 'T': em_t_addf(t, "%d", em_range(r, 10, 16)); break;
			case 'M': em_t_addf(t, "%d", em_range(r, 2, 200) * 50); break;
			default: em_die("internal: bad template %s", s);
			}
			s = b + 3;
		} else {
			em_t_addn(t, b, 1);
			s = b + 1;
		}
	}
}

static const char *sep(struct em_rng *r, bool force_crlf)
{
	uint32_t u;

	if (force_crlf)
		return "\r\n";
	u = em_below(r, 1000);
	if (u < 15)
		return "\n";
	if (u < 25)
		return "\r\n";
	return "";
}

static const char *cat_problem(struct em_rng *r, const struct em_catdef *c)
{
	size_t n = 0;

	while (n < 3 && c->tpl[n])
		n++;
	if (!n)
		return "来电人反映的问题需要相关部门核实处理。";
	return c->tpl[em_below(r, (uint32_t)n)];
}

static void gen_content(struct em_sys *s, struct em_order *o, const struct em_catdef *c, const struct tctx *ctx,
			const struct em_force *f)
{
	struct em_rng *r = &s->rng;
	const struct em_desc *d = s->d;
	struct em_text *t = &o->f[EF_CONTENT];
	const struct em_text *addr = &o->f[EF_ADDR];
	size_t target = (size_t)em_range(r, 30, 400), nsent = 0, nsupp = 0, nchars;
	bool special = f->special || em_below(r, 1000) < 30;
	const char *last = NULL;

	em_t_reset(t);
	em_t_add(t, EM_PICK(r, OPENERS));
	if (!addr->null && em_below(r, 100) < 60) {
		em_t_add(t, addr->s);
		em_t_add(t, em_ends_with(addr->s, "附近") ? "，" : "附近，");
	}
	tpl(r, t, cat_problem(r, c), ctx);
	nchars = em_utf8_chars(t->s, t->len);
	o->special = special;
	while (nchars < target || special) {
		size_t before = t->len;

		em_t_add(t, sep(r, f->crlf && nsent == 0));
		if (special) {
			if (f->special) {
				for (size_t i = 0; i < EM_ARRLEN(SPECIAL); i++)
					em_t_add(t, SPECIAL[i]);
			} else {
				em_t_add(t, EM_PICK(r, SPECIAL));
			}
			special = false;
		} else if (nsupp < 2 && em_below(r, 6) == 0) {
			nsupp++;
			em_t_add(t, nsupp == 1 ? "来电人补充：" : "另外，");
			tpl(r, t, cat_problem(r, c), ctx);
		} else {
			const char *x;

			do {
				uint32_t k = em_below(r, (uint32_t)(EM_ARRLEN(FILLERS) + d->nfillers));

				x = k < EM_ARRLEN(FILLERS) ? FILLERS[k] : d->fillers[k - EM_ARRLEN(FILLERS)];
			} while (x == last);
			last = x;
			tpl(r, t, x, ctx);
		}
		nsent++;
		nchars += em_utf8_chars(t->s + before, t->len - before);
	}
	if (nchars > 400) { /* at most 400 characters */
		size_t c400 = 0, i = 0;

		for (; i < t->len; i++)
			if (((unsigned char)t->s[i] & 0xC0) != 0x80 && c400++ == 400)
				break;
		t->len = i;
		t->s[i] = 0;
	}
	while (t->len && (t->s[t->len - 1] == ' ' || t->s[t->len - 1] == '\n' || t->s[t->len - 1] == '\r' ||
			  t->s[t->len - 1] == '\t'))
		t->s[--t->len] = 0;
}

static void gen_title(struct em_rng *r, struct em_text *t, const char *label, const char *rtype,
		      const struct tctx *ctx)
{
	const char *wen = em_ends_with(label, "问题") ? "" : "问题";

	em_t_reset(t);
	switch (em_below(r, 6)) {
	case 0: em_t_add(t, label); em_t_add(t, wen); break;
	case 1: em_t_add(t, "关于"); em_t_add(t, ctx->road); em_t_add(t, label); em_t_add(t, "的"); em_t_add(t, rtype); break;
	case 2: em_t_add(t, ctx->road); em_t_add(t, label); break;
	case 3: em_t_add(t, "反映"); em_t_add(t, ctx->road); em_t_add(t, label); em_t_add(t, wen); break;
	case 4:
		if (em_below(r, 10) == 0) {
			em_t_add(t, "关于\""); em_t_add(t, ctx->shop); em_t_add(t, "\""); em_t_add(t, label);
			em_t_add(t, "的"); em_t_add(t, rtype);
		} else {
			em_t_add(t, "“"); em_t_add(t, ctx->shop); em_t_add(t, "”"); em_t_add(t, label);
		}
		break;
	default: em_t_add(t, rtype); em_t_add(t, "："); em_t_add(t, label); break;
	}
}

static void gen_reply(struct em_sys *s, struct em_text *t, const struct tctx *ctx, bool invalid)
{
	struct em_rng *r = &s->rng;
	const struct em_desc *d = s->d;
	uint32_t res, first;
	int k;

	em_t_reset(t);
	if (invalid) {
		em_t_add(t, "经核实，该诉求不属于本热线受理范围，已告知来电人。");
		return;
	}
	tpl(r, t, EM_PICK(r, REPLY_OPEN), ctx);
	res = em_below(r, (uint32_t)d->nresults);
	tpl(r, t, d->results[res], ctx);
	if (em_below(r, 100) < 30)
		tpl(r, t, EM_PICK(r, REPLY_EXTRA), ctx);
	k = em_range(r, 0, 2);
	first = em_below(r, (uint32_t)EM_ARRLEN(REPLY_CLOSE));
	for (int i = 0; i < k; i++) {
		em_t_add(t, em_below(r, 20) == 0 ? "\n" : "");
		tpl(r, t, REPLY_CLOSE[(first + (uint32_t)i) % EM_ARRLEN(REPLY_CLOSE)], ctx);
	}
}

/* ------------------------------------------------------------------ */
/* cross-system calls                                                   */
/* ------------------------------------------------------------------ */
static int cmp_cross(const void *a, const void *b)
{
	const struct em_cross *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

size_t em_cross_make(uint64_t seed, uint64_t scale, struct em_cross **out)
{
	struct em_rng r;
	size_t n = 3 + (size_t)(scale / 1000);
	struct em_cross *c;
	int64_t a = em_time(2019, 7, 1, 0, 0, 0), b = em_time(2024, 1, 1, 0, 0, 0);

	if (n > 200)
		n = 200;
	c = em_xcalloc(n, sizeof(*c));
	em_rng_seed(&r, seed, "cross");
	for (size_t i = 0; i < n; i++) {
		struct em_text nm;
		char d[12];

		/* a whole minute in office hours */
		c[i].t = (a + (int64_t)(em_rnd64(&r) % (uint64_t)(b - a))) / 86400 * 86400 +
			 em_range(&r, 8 * 60, 18 * 60) * 60;
		em_gen_name(&r, &nm, EM_NM_FULL, 0);
		if (nm.len >= sizeof(c[i].name))
			em_die("internal: name too long");
		memcpy(c[i].name, nm.s, nm.len + 1);
		mobile_digits(&r, d);
		memcpy(c[i].phone, d, 12);
		c[i].shop = (int)em_below(&r, (uint32_t)EM_ARRLEN(SHOPS));
		c[i].goods = (int)em_below(&r, (uint32_t)EM_ARRLEN(GOODS));
	}
	qsort(c, n, sizeof(*c), cmp_cross);
	for (size_t i = 0; i < n; i++)
		c[i].pair = (int)i + 1;
	*out = c;
	return n;
}

const char *em_cross_shop(const struct em_cross *c)
{
	return SHOPS[c->shop];
}

const char *em_cross_goods(const struct em_cross *c)
{
	return GOODS[c->goods];
}

/* ------------------------------------------------------------------ */
/* a system                                                             */
/* ------------------------------------------------------------------ */
static void self_check(const struct em_desc *d)
{
	static bool shared_done;

	if (!shared_done) {
#define CHK(a) em_check_gbk(a, EM_ARRLEN(a))
		CHK(SURNAMES); CHK(GIVEN); CHK(GIVEN_TRAIL); CHK(SHOPS_TRAIL); CHK(SHOPS); CHK(ROADS);
		CHK(COMPLEXES); CHK(em_old_districts); CHK(NEW_STREETS); CHK(TOWNS); CHK(GOODS); CHK(COMPANIES);
		CHK(OPENERS); CHK(FILLERS); CHK(SPECIAL); CHK(REPLY_OPEN); CHK(REPLY_EXTRA); CHK(REPLY_CLOSE);
#undef CHK
		for (size_t i = 0; i < 3; i++)
			em_check_gbk(VILLAGES[i], 5);
		em_check_gbk(&TEST_CONTENT, 1);
		shared_done = true;
	}
	em_check_gbk(d->units, d->nunits);
	em_check_gbk(d->rtypes, d->nrtypes);
	em_check_gbk(d->fillers, d->nfillers);
	em_check_gbk(d->results, d->nresults);
	if (d->goods)
		em_check_gbk(d->goods, d->ngoods);
	if (d->companies)
		em_check_gbk(d->companies, d->ncompanies);
	for (size_t i = 0; i < d->ncats; i++)
		em_check_gbk(d->cats[i].tpl, 3);
	for (size_t i = 0; i < d->nunmapped; i++)
		em_check_gbk(&d->unmapped[i].name, 1);
}

static void add_forced(struct em_sys *s, size_t *k, struct em_force f)
{
	if (*k == 2) /* slot 2 is the copy of slot 0 */
		(*k)++;
	if (*k >= EM_FORCED)
		em_die("internal: too many forced slots");
	f.used = true;
	s->forced[(*k)++] = f;
}

static struct em_force force0(void)
{
	struct em_force f = {.fault = EM_F_NONE, .phone = -1, .idno = -1, .name = -1};

	return f;
}

void em_sys_init(struct em_sys *s, const struct em_desc *d, uint64_t seed, uint64_t n, const char *pbdir,
		 const char *outdir)
{
	char dir[4096];
	size_t k = 0;
	struct em_force f;

	memset(s, 0, sizeof(*s));
	s->d = d;
	s->n = n;
	s->outdir = outdir;
	em_rng_seed(&s->rng, seed, d->code);
	s->t0 = em_time(d->y0, d->m0, 1, 0, 0, 0);
	s->t1 = em_time(d->y1, d->m1, 1, 0, 0, 0);
	s->last_day = -1;
	s->last_year = -1;
	snprintf(dir, sizeof(dir), "%s/%s", pbdir, d->code);
	em_map_load(&s->cats, dir, "categories.csv", true);
	em_map_load(&s->status, dir, "status.csv", false);
	em_map_load(&s->satis, dir, "satisfaction.csv", false);
	self_check(d);
	if (d->ncats > EM_ARRLEN(s->unified_of_cat))
		em_die("internal: too many categories in %s", d->code);
	for (size_t i = 0; i < d->ncats; i++) {
		s->unified_of_cat[i] = em_map_get(&s->cats, d->cats[i].code);
		if (!s->unified_of_cat[i])
			em_die("%s/categories.csv: the generator writes category '%s', which is not in it", dir,
			       d->cats[i].code);
		s->cat_wsum += d->cats[i].weight;
	}
	for (size_t i = 0; i < d->nunmapped; i++)
		if (em_map_get(&s->cats, d->unmapped[i].code))
			em_die("%s/categories.csv: '%s' must stay unmapped (the generator uses it for unmapped rows)", dir,
			       d->unmapped[i].code);
	for (int st = 0; st < EM_ST_COUNT; st++)
		if (d->status[st] && !em_map_get(&s->status, d->status[st]))
			em_die("%s/status.csv: the generator writes status '%s', which is not in it", dir, d->status[st]);
	for (size_t i = 0; i < d->nsatis; i++)
		if (!em_map_get(&s->satis, d->satis[i]))
			em_die("%s/satisfaction.csv: the generator writes '%s', which is not in it", dir, d->satis[i]);
	if (d->satis_none && !em_map_get(&s->satis, d->satis_none))
		em_die("%s/satisfaction.csv: the generator writes '%s', which is not in it", dir, d->satis_none);

	/* the first slots cover every fault and every odd shape, even for small N */
	f = force0();
	f.dup = true;
	f.phone = EM_PH_FULLWIDTH;
	f.idno = EM_ID_FULLWIDTH;
	f.old_district = true;
	f.special = true;
	f.crlf = true;
	add_forced(s, &k, f);
	for (int fl = 1; fl < EM_F_COUNT; fl++) {
		if (!d->fault_ppm[fl])
			continue;
		f = force0();
		f.fault = (enum em_fault)fl;
		add_forced(s, &k, f);
		if (fl == EM_F_UNDECODABLE) { /* every kind of bad bytes */
			add_forced(s, &k, f);
			add_forced(s, &k, f);
		}
	}
	if (d->ppm_unmapped) {
		f = force0();
		f.unmapped = true;
		f.phone = EM_PH_LAND_DASH;
		add_forced(s, &k, f);
	}
	if (d->ppm_test) {
		f = force0();
		f.test_row = true;
		add_forced(s, &k, f);
	}
	if (d->gb18030_names) {
		f = force0();
		f.name = EM_NM_RARE;
		add_forced(s, &k, f);
	}
	f = force0();
	f.name = EM_NM_TRAIL;
	f.phone = EM_PH_LAND_NODASH;
	f.idno = EM_ID_BADCHECK;
	f.special = true;
	add_forced(s, &k, f);
	for (int ph = EM_PH_LOCAL; ph < EM_PH_COUNT; ph++) {
		if (!d->phones.w[ph])
			continue;
		f = force0();
		f.phone = ph;
		add_forced(s, &k, f);
	}
	for (int id = EM_ID_OLD15; id < EM_ID_COUNT; id++) {
		if (!d->ids.w[id])
			continue;
		f = force0();
		f.idno = id;
		add_forced(s, &k, f);
	}
}

void em_sys_free(struct em_sys *s)
{
	struct em_truth *tr = &s->truth;

	em_map_free(&s->cats);
	em_map_free(&s->status);
	em_map_free(&s->satis);
	for (size_t i = 0; i < tr->ntables; i++) {
		em_kv_free(&tr->tables[i].rejected);
		em_kv_free(&tr->tables[i].fixes);
	}
	em_kv_free(&tr->categories);
	em_kv_free(&tr->statuses);
	em_kv_free(&tr->months);
	em_kv_free(&tr->dialled);
	em_kv_free(&tr->units);
	em_kv_free(&tr->checks);
}

void em_sys_cross(struct em_sys *s, struct em_cross *c, size_t n)
{
	s->cross = c;
	s->ncross = n;
	s->next_cross = 0;
}

static bool fault_loads(const struct em_desc *d, enum em_fault f)
{
	return f == EM_F_NONE || (d->fault_loads & (1u << f));
}

static int64_t slot_time(struct em_sys *s, uint64_t slot)
{
	uint64_t span = (uint64_t)(s->t1 - s->t0);
	uint64_t a = slot * span / s->n, b = (slot + 1) * span / s->n, off = a;

	if (b > a)
		off += em_rnd64(&s->rng) % (b - a);
	return s->t0 + (int64_t)off;
}

static int64_t close_delay(struct em_rng *r)
{
	uint32_t u = em_below(r, 100);

	if (u < 40)
		return em_range(r, 600, 86400);
	if (u < 75)
		return em_range(r, 86400, 7 * 86400);
	if (u < 95)
		return em_range(r, 7 * 86400, 30 * 86400);
	return em_range(r, 30 * 86400, 90 * 86400);
}

static int pick_cat(struct em_sys *s, const char *line)
{
	int w = 0, x;

	for (size_t i = 0; i < s->d->ncats; i++)
		if ((s->d->cats[i].line == NULL) == (line == NULL) &&
		    (!line || !strcmp(line, s->d->cats[i].line)))
			w += s->d->cats[i].weight;
	if (!w)
		em_die("internal: %s has no category for line %s", s->d->code, line ? line : "(own)");
	x = (int)em_below(&s->rng, (uint32_t)w);
	for (size_t i = 0; i < s->d->ncats; i++)
		if ((s->d->cats[i].line == NULL) == (line == NULL) &&
		    (!line || !strcmp(line, s->d->cats[i].line))) {
			x -= s->d->cats[i].weight;
			if (x < 0)
				return (int)i;
		}
	return 0;
}

static int pick_unmapped(struct em_sys *s, const char *line)
{
	size_t cand[32], n = 0;

	for (size_t i = 0; i < s->d->nunmapped && n < EM_ARRLEN(cand); i++)
		if ((s->d->unmapped[i].line == NULL) == (line == NULL) &&
		    (!line || !strcmp(line, s->d->unmapped[i].line)))
			cand[n++] = i;
	if (!n)
		for (size_t i = 0; i < s->d->nunmapped && n < EM_ARRLEN(cand); i++)
			cand[n++] = i;
	return (int)cand[em_below(&s->rng, (uint32_t)n)];
}

static enum em_stage stage_fallback(const struct em_desc *d, enum em_stage st)
{
	static const enum em_stage fb[EM_ST_COUNT] = {
		[EM_ST_NEW] = EM_ST_NEW, [EM_ST_DISPATCHED] = EM_ST_NEW, [EM_ST_HANDLING] = EM_ST_DISPATCHED,
		[EM_ST_REPLIED] = EM_ST_HANDLING, [EM_ST_CLOSED] = EM_ST_CLOSED, [EM_ST_ARCHIVED] = EM_ST_CLOSED,
		[EM_ST_INVALID] = EM_ST_CLOSED,
	};

	while (!d->status[st]) {
		if (fb[st] == st)
			em_die("internal: %s has no status code for stage %d", d->code, st);
		st = fb[st];
	}
	return st;
}

static void gen_order(struct em_sys *s, struct em_order *o, uint64_t slot, int64_t t, const struct em_force *f,
		      const struct em_cross *cx)
{
	struct em_rng *r = &s->rng;
	const struct em_desc *d = s->d;
	struct tctx ctx;
	struct em_tm tm;
	int64_t day = t / 86400, age = s->t1 - t, gx;
	bool closed, unmapped = false;
	const struct em_catdef *c;
	enum em_stage st;
	int nk;

	memset(o, 0, offsetof(struct em_order, f));
	o->slot = slot;
	o->t = t;
	o->satis = -1;
	o->cat = -1;
	o->var = (uint32_t)(em_rnd64(r) >> 32);
	em_tm(t, &tm);

	/* at most one fault */
	if (cx) {
		o->fault = EM_F_NONE;
		o->cross = true;
		o->cross_pair = cx->pair;
	} else if (f->used) {
		o->fault = f->fault;
	} else {
		uint32_t u = em_below(r, 1000000u), acc = 0;

		o->fault = EM_F_NONE;
		for (int i = 1; i < EM_F_COUNT; i++) {
			acc += d->fault_ppm[i];
			if (u < acc) {
				o->fault = (enum em_fault)i;
				break;
			}
		}
	}

	/* the number dialled and the legacy id */
	o->line = d->hotline;
	if (d->pick_line && !cx)
		d->pick_line(r, t, &o->line);
	if (day != s->last_day) {
		s->last_day = day;
		s->seq_day = em_range(r, 1, 5);
	} else {
		s->seq_day += em_range(r, 1, 3);
	}
	if (tm.y != s->last_year) {
		s->last_year = tm.y;
		s->seq_year = 0;
	}
	s->seq_year++;
	if (o->fault == EM_F_MISSING_ID)
		o->legacy_id[0] = 0;
	else
		d->make_id(s, o, o->legacy_id, sizeof(o->legacy_id));

	/* category */
	if (fault_loads(d, o->fault) && !cx && !f->test_row)
		unmapped = f->unmapped || (!f->used && em_chance(r, d->ppm_unmapped));
	if (cx) {
		for (size_t i = 0; i < d->ncats; i++)
			if (!strcmp(d->cats[i].code, d->cross_cat))
				o->cat = (int)i;
		if (o->cat < 0)
			em_die("internal: %s: cross category %s is not among its categories", d->code, d->cross_cat);
	} else {
		o->cat = pick_cat(s, strcmp(o->line, d->hotline) ? o->line : NULL);
	}
	c = &d->cats[o->cat];
	if (unmapped) {
		o->unmapped = pick_unmapped(s, strcmp(o->line, d->hotline) ? o->line : NULL);
		o->cat = -1;
		o->cat_code = d->unmapped[o->unmapped].code;
	} else {
		o->cat_code = c->code;
	}
	em_t_set(&o->f[EF_CATTEXT], em_cat_name(s, o));

	/* status and times */
	closed = cx ? true : age > 60 * 86400 ? em_below(r, 100) < 95 : em_below(r, 100) < 50;
	if (closed) {
		uint32_t u = em_below(r, 1000);

		st = u < 20 && !cx ? EM_ST_INVALID
		     : (age > 365 * 86400 ? em_below(r, 100) < 60 : em_below(r, 100) < 10) ? EM_ST_ARCHIVED
										   : EM_ST_CLOSED;
	} else {
		uint32_t u = em_below(r, 100);

		st = u < 10 ? EM_ST_NEW : u < 30 ? EM_ST_DISPATCHED : u < 70 ? EM_ST_HANDLING : EM_ST_REPLIED;
	}
	o->stage = stage_fallback(d, st);
	if (o->fault == EM_F_ZERO_DATE || o->fault == EM_F_NULL_DATE || o->fault == EM_F_GARBLED_DATE) {
		int64_t eod = (day + 1) * 86400 - 1;

		gx = t + em_below(r, (uint32_t)(eod - t + 1));
		if (closed)
			o->t_closed = t + em_below(r, (uint32_t)(gx - t + 1));
	} else if (closed) {
		o->t_closed = t + (st == EM_ST_INVALID ? em_range(r, 60, 3600) : close_delay(r));
		gx = o->t_closed + (st == EM_ST_ARCHIVED ? em_range(r, 86400, 30 * 86400) : em_range(r, 0, 2 * 86400));
	} else {
		switch (st) {
		case EM_ST_NEW: gx = t; break;
		case EM_ST_DISPATCHED: gx = t + em_range(r, 60, 86400); break;
		case EM_ST_HANDLING: gx = t + em_range(r, 3600, 10 * 86400); break;
		default: gx = t + em_range(r, 86400, 15 * 86400); break;
		}
	}
	if (o->fault == EM_F_INVALID_DATE) {
		/* an impossible day in the same or a neighbouring month; later times after it */
		int m2 = tm.mo, y2 = tm.y;
		int64_t after, base, shift;

		if (em_month_len(y2, m2) == 31)
			m2 = (m2 == 7 || m2 == 12) ? m2 - 1 : m2 + 1;
		o->inv_m = m2;
		o->inv_d = em_range(r, em_month_len(y2, m2) + 1, 31);
		after = (em_days(y2, m2, em_month_len(y2, m2)) + 1) * 86400 + t % 86400;
		base = closed ? o->t_closed : gx;
		if (base < after) {
			shift = after - base + em_range(r, 600, 3 * 86400);
			gx += shift;
			if (closed)
				o->t_closed += shift;
		}
	}
	o->t_updated = gx;
	if (closed && o->stage != EM_ST_INVALID) {
		if (d->nsatis && !em_chance(r, d->ppm_no_satis))
			o->satis = (int)em_weighted(r, d->satis_w, d->nsatis);
	}

	/* people */
	if (cx) {
		em_t_set(&o->f[EF_NAME], cx->name);
	} else {
		enum em_name_kind nk2 = f->test_row ? EM_NM_TEST : f->name >= 0 ? (enum em_name_kind)f->name : EM_NM_AUTO;

		if (nk2 == EM_NM_AUTO && em_chance(r, d->ppm_test)) {
			nk2 = EM_NM_TEST;
		}
		if (nk2 == EM_NM_TEST && o->fault != EM_F_NONE)
			nk2 = EM_NM_FULL;
		o->rare_name = em_gen_name(r, &o->f[EF_NAME], nk2, d->gb18030_names ? d->ppm_rare : 0);
		o->test_row = nk2 == EM_NM_TEST;
	}
	if (cx) {
		o->phone[0].kind = EM_PH_PLAIN;
		em_t_set(&o->phone[0].raw, cx->phone);
		memcpy(o->phone[0].norm, cx->phone, 12);
		o->phone[0].recognised = true;
	} else {
		nk = f->phone >= 0 ? f->phone : (int)em_pick_phone(r, &d->phones);
		em_gen_phone(r, &o->phone[0], (enum em_phone_kind)nk);
	}
	if (em_below(r, 2))
		em_phone_copy(&o->phone[1], &o->phone[0]);
	else
		em_gen_phone(r, &o->phone[1], em_pick_phone(r, &d->phones));
	nk = f->idno >= 0 ? f->idno : (int)em_pick_id(r, &d->ids);
	em_gen_idno(r, &o->idno, (enum em_id_kind)nk);

	/* texts */
	o->old_district = em_gen_address(r, &o->f[EF_ADDR], t < em_time(2019, 1, 1, 0, 0, 0),
					 f->old_district && t < em_time(2019, 1, 1, 0, 0, 0), &ctx.road);
	ctx.shop = cx ? em_cross_shop(cx) : em_below(r, 100) < 45 ? EM_PICK(r, SHOPS_TRAIL) : EM_PICK(r, SHOPS);
	/* the category's own name: the last level of a path such as 食品/餐饮服务/食品卫生 */
	ctx.label = strrchr(o->f[EF_CATTEXT].s, '/') ? strrchr(o->f[EF_CATTEXT].s, '/') + 1 : o->f[EF_CATTEXT].s;
	ctx.unit = d->units[em_below(r, (uint32_t)d->nunits)];
	ctx.goods = cx ? em_cross_goods(cx)
		       : d->goods ? d->goods[em_below(r, (uint32_t)d->ngoods)] : EM_PICK(r, GOODS);
	ctx.company = d->companies ? d->companies[em_below(r, (uint32_t)d->ncompanies)] : EM_PICK(r, COMPANIES);
	ctx.complex = EM_PICK(r, COMPLEXES);
	ctx.hotline = d->hotline;
	ctx.dept = d->dept;
	o->rtype = (int)em_weighted(r, d->rtype_w, d->nrtypes);
	if (cx)
		o->rtype = 0;
	em_t_set(&o->f[EF_RTYPE], d->rtypes[o->rtype]);
	gen_title(r, &o->f[EF_TITLE], ctx.label, d->rtypes[o->rtype], &ctx);
	if (o->test_row) {
		em_t_set(&o->f[EF_TITLE], "测试");
		em_t_set(&o->f[EF_CONTENT], TEST_CONTENT);
		o->special = false;
	} else if (cx) {
		em_t_reset(&o->f[EF_CONTENT]);
		em_t_addf(&o->f[EF_CONTENT], "来电人反映在%s购买的%s存在质量问题，要求退货，商家拒绝。", ctx.shop, ctx.goods);
		em_t_add(&o->f[EF_CONTENT], "该诉求由12315与12312热线互转，两个热线均有记录。");
		em_t_set(&o->f[EF_TITLE], "商品质量退货纠纷");
	} else {
		gen_content(s, o, c, &ctx, f);
	}
	if (o->stage == EM_ST_NEW)
		em_t_null(&o->f[EF_UNIT]);
	else
		em_t_set(&o->f[EF_UNIT], ctx.unit);
	if (o->stage == EM_ST_REPLIED || o->stage == EM_ST_CLOSED || o->stage == EM_ST_ARCHIVED ||
	    o->stage == EM_ST_INVALID)
		gen_reply(s, &o->f[EF_REPLY], &ctx, o->stage == EM_ST_INVALID);
	else
		em_t_null(&o->f[EF_REPLY]);
	em_t_copy(&o->f[EF_PHONE], &o->phone[0].raw);
	em_t_copy(&o->f[EF_CONTACT], &o->phone[1].raw);

	if (o->fault == EM_F_UNDECODABLE) {
		struct em_text *ct = &o->f[EF_CONTENT];

		o->bad_kind = (int)(s->n_bad++ % 3);
		if (o->bad_kind == 2) {
			o->bad_cut = ct->len;
		} else {
			size_t cut = em_below(r, (uint32_t)ct->len);

			while (cut > 0 && ((unsigned char)ct->s[cut] & 0xC0) == 0x80)
				cut--;
			o->bad_cut = cut;
		}
	}
}

static int dupq_pick(struct em_sys *s, uint64_t slot)
{
	int best = -1;

	for (int i = 0; i < EM_DUPQ; i++) {
		if (!s->dupq_used[i] || s->dupq_due[i] > slot)
			continue;
		if (best < 0 || s->dupq_due[i] < s->dupq_due[best])
			best = i;
	}
	return best;
}

static void dupq_push(struct em_sys *s, const struct em_order *o, uint64_t due)
{
	for (int i = 0; i < EM_DUPQ; i++)
		if (!s->dupq_used[i]) {
			s->dupq[i] = *o;
			s->dupq_due[i] = due;
			s->dupq_used[i] = true;
			return;
		}
	/* queue full: simply no copy */
}

struct em_order *em_sys_next(struct em_sys *s, uint64_t slot)
{
	struct em_order *o = &s->cur;
	bool forced = slot < EM_FORCED && s->forced[slot].used;
	int qi = forced ? -1 : dupq_pick(s, slot);
	const struct em_cross *cx = NULL;
	struct em_force f = force0();
	int64_t t;

	if (qi >= 0) {
		*o = s->dupq[qi];
		o->slot = slot;
		o->dup = true;
		s->dupq_used[qi] = false;
		return o;
	}
	if (forced)
		f = s->forced[slot];
	t = slot_time(s, slot);
	if (!forced && slot >= EM_FORCED && s->next_cross < s->ncross && t >= s->cross[s->next_cross].t)
		cx = &s->cross[s->next_cross++];
	if (cx)
		t = cx->t;
	gen_order(s, o, slot, t, &f, cx);
	o->dup = false;
	if (o->fault == EM_F_NONE && o->cat >= 0 && !o->test_row && !o->cross) {
		uint64_t due = 0;

		if (f.dup)
			due = slot + 2;
		else if (!forced && slot >= EM_FORCED && em_chance(&s->rng, s->d->ppm_dup))
			due = slot + 1 + em_below(&s->rng, 6);
		if (due && due < s->n)
			dupq_push(s, o, due);
	}
	return o;
}

const char *em_status_unified(const struct em_sys *s, const struct em_order *o)
{
	const char *code = s->d->status[o->stage];
	const char *u = em_map_get(&s->status, code);

	return u ? u : code;
}

const char *em_satis_unified(const struct em_sys *s, const struct em_order *o)
{
	if (o->satis < 0)
		return s->d->satis_none ? em_map_get(&s->satis, s->d->satis_none) : NULL;
	return em_map_get(&s->satis, s->d->satis[o->satis]);
}

const char *em_cat_name(const struct em_sys *s, const struct em_order *o)
{
	if (o->cat < 0)
		return s->d->unmapped[o->unmapped].name;
	return em_map_name(&s->cats, s->d->cats[o->cat].code);
}

const char *em_cat_unified(const struct em_sys *s, const struct em_order *o)
{
	return o->cat < 0 ? NULL : s->unified_of_cat[o->cat];
}

/* ------------------------------------------------------------------ */
/* outcome                                                              */
/* ------------------------------------------------------------------ */
void em_fx_init(struct em_fx *fx)
{
	memset(fx, 0, sizeof(*fx));
}

void em_fx_reject(struct em_fx *fx, const char *reason)
{
	if (!fx->reject)
		fx->reject = reason;
}

void em_fx_fix(struct em_fx *fx, const char *name)
{
	for (int i = 0; i < fx->nfix; i++)
		if (!strcmp(fx->fix[i].name, name)) {
			fx->fix[i].n++;
			return;
		}
	if (fx->nfix == (int)EM_ARRLEN(fx->fix))
		em_die("internal: too many fixes");
	fx->fix[fx->nfix].name = name;
	fx->fix[fx->nfix].n = 1;
	fx->nfix++;
}

void em_fx_phone(struct em_fx *fx, const struct em_phone *p, bool null_is_empty)
{
	const unsigned char *s = (const unsigned char *)p->raw.s;
	size_t n = p->raw.len, nd = 0;
	char d[40];
	bool fw = false;

	(void)null_is_empty; /* an empty phone is kept empty, no fix */
	if (p->raw.null)
		return;
	if (!p->recognised) {
		em_fx_fix(fx, "phone_unrecognised"); /* kept as it is: nothing folded */
		return;
	}
	/* a recognised number: the transform counts what it changed beyond
	 * spaces and dashes (transform/normalize.h, norm_phone_fix): a country
	 * code dropped (+86, 0086, 86 before a mobile's 11 digits) and
	 * full-width characters folded (U+FF01..U+FF5E, U+3000) */
	for (size_t i = 0; i < n; i++) {
		if (i + 2 < n && s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] >= 0x90 && s[i + 2] <= 0x99) {
			if (nd < sizeof(d))
				d[nd++] = (char)('0' + s[i + 2] - 0x90);
			fw = true;
			i += 2;
		} else if (i + 2 < n && ((s[i] == 0xEF && (s[i + 1] == 0xBC || s[i + 1] == 0xBD)) ||
					 (s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80))) {
			fw = true;
			i += 2;
		} else if (s[i] >= '0' && s[i] <= '9' && nd < sizeof(d)) {
			d[nd++] = (char)s[i];
		}
	}
	if ((nd == 13 && !memcmp(d, "861", 3)) || (nd == 15 && !memcmp(d, "00861", 5)))
		em_fx_fix(fx, "phone_country_code");
	if (fw)
		em_fx_fix(fx, "fullwidth_folded");
}

void em_fx_idno(struct em_fx *fx, const struct em_idno *id, bool null_is_empty)
{
	if (id->kind == EM_ID_NULL) {
		if (null_is_empty) /* an empty string is not a valid ID number */
			em_fx_fix(fx, "idno_invalid");
		return;
	}
	if (id->kind == EM_ID_FULLWIDTH)
		em_fx_fix(fx, "fullwidth_folded");
	if (id->kind == EM_ID_BADCHECK || id->kind == EM_ID_OLD15 || id->kind == EM_ID_EXCEL_SCI)
		em_fx_fix(fx, "idno_invalid");
}

/* ------------------------------------------------------------------ */
/* ground truth                                                         */
/* ------------------------------------------------------------------ */
struct em_table *em_table_add(struct em_truth *tr, const char *name, const char *target, const char *tsv_dir,
			      const char *tsv_name)
{
	struct em_table *t;

	if (tr->ntables == EM_ARRLEN(tr->tables))
		em_die("internal: too many tables");
	t = &tr->tables[tr->ntables++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->target, sizeof(t->target), "%s", target);
	if (tsv_name)
		t->tsv = em_fopen(tsv_dir, tsv_name, "w");
	return t;
}

void em_tsv(struct em_table *t, const char *legacy_id, const char *field, const char *s, size_t n, bool null)
{
	FILE *f = t->tsv;
	const char *p = s, *e = s + n, *run = s;

	fputs(legacy_id, f);
	fputc('\t', f);
	fputs(field, f);
	fputc('\t', f);
	if (null) {
		fputs("\\N\n", f);
		return;
	}
	for (; p < e; p++) {
		const char *esc = NULL;

		switch (*p) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: continue;
		}
		fwrite(run, 1, (size_t)(p - run), f);
		fwrite(esc, 1, 2, f);
		run = p + 1;
	}
	fwrite(run, 1, (size_t)(p - run), f);
	fputc('\n', f);
	if (ferror(f))
		em_die("cannot write intended text: %s", strerror(errno));
}

bool em_stored_null(const struct em_sys *s, const struct em_text *t)
{
	return t->null && !s->d->null_is_empty;
}

bool em_account_row(struct em_table *t, const struct em_fx *fx, bool dup)
{
	t->rows++;
	if (fx->reject) {
		em_kv_add(&t->rejected, fx->reject, 1);
		if (!strncmp(fx->reject, "extract.", 8))
			t->extract_rejected++;
		return false;
	}
	for (int i = 0; i < fx->nfix; i++)
		em_kv_add(&t->fixes, fx->fix[i].name, fx->fix[i].n);
	if (dup) {
		t->merged++;
		return false;
	}
	t->loaded++;
	return true;
}

void em_check(struct em_truth *tr, const char *name, uint64_t n)
{
	em_kv_add(&tr->checks, name, n);
}

void em_account(struct em_sys *s, const struct em_order *o, const struct em_fx *fx)
{
	struct em_truth *tr = &s->truth;
	const struct em_desc *d = s->d;
	struct em_table *t = &tr->tables[0];
	bool received_null = fx->received_null;
	const char *u;

	if (o->dup && fx->reject)
		em_die("internal: %s: a copy of row %s was rejected (%s)", d->code, o->legacy_id, fx->reject);
	if (!em_account_row(t, fx, o->dup))
		return;
	if (received_null) {
		tr->none++;
	} else {
		struct em_tm tm;
		char m[8];

		em_tm(o->t, &tm);
		snprintf(m, sizeof(m), "%04d-%02d", tm.y, tm.mo);
		em_kv_add(&tr->months, m, 1);
	}
	u = em_cat_unified(s, o);
	em_kv_add(&tr->categories, u ? u : "1299", 1);
	em_kv_add(&tr->statuses, em_status_unified(s, o), 1);
	em_kv_add(&tr->dialled, o->line, 1);
	if (!o->f[EF_UNIT].null && !(d->omit & (1u << EF_UNIT)))
		em_kv_add(&tr->units, o->f[EF_UNIT].s, 1);
	if (o->test_row)
		em_check(tr, "test_rows", 1);
	if (o->old_district && !(d->omit & (1u << EF_ADDR)))
		em_check(tr, "old_district", 1);
	if (o->cross)
		em_check(tr, "cross_system", 1);
	if (o->rare_name && !(d->omit & (1u << EF_NAME)))
		em_check(tr, "gb18030_names", 1);

	/* the intended text */
	if (!t->tsv)
		return;
	for (int i = 0; i < EF_COUNT; i++) {
		const struct em_text *x = &o->f[i];

		if (d->omit & (1u << i)) {
			em_tsv(t, o->legacy_id, em_field_names[i], "", 0, true);
		} else if (i == EF_PHONE || i == EF_CONTACT) {
			const struct em_phone *p = &o->phone[i - EF_PHONE];

			if (p->recognised)
				em_tsv(t, o->legacy_id, em_field_names[i], p->norm, strlen(p->norm), false);
			else
				em_tsv(t, o->legacy_id, em_field_names[i], p->raw.s, p->raw.len, em_stored_null(s, &p->raw));
		} else {
			em_tsv(t, o->legacy_id, em_field_names[i], x->s, x->len, em_stored_null(s, x));
		}
	}
}

static void table_json(FILE *f, const struct em_table *t)
{
	static const char *const keep_fixes[] = {"zero_date", "unmapped_category", NULL};
	uint64_t rej = 0;

	for (size_t i = 0; i < t->rejected.n; i++)
		rej += t->rejected.val[i];
	fprintf(f, "{\"table\":");
	json_str(f, t->name);
	fprintf(f, ",\"target\":");
	json_str(f, t->target);
	fprintf(f, ",\"rows\":%llu,\"extracted\":%llu,\"loaded\":%llu,\"merged\":%llu,\"rejected\":",
		(unsigned long long)t->rows, (unsigned long long)(t->rows - t->extract_rejected),
		(unsigned long long)t->loaded, (unsigned long long)t->merged);
	em_kv_json(f, &t->rejected, NULL);
	fprintf(f, ",\"rejected_total\":%llu,\"fixes\":", (unsigned long long)rej);
	em_kv_json(f, &t->fixes, keep_fixes);
	fputc('}', f);
}

void em_truth_write(struct em_sys *s, const char *path)
{
	static const char *const keep_fixes[] = {"zero_date", "unmapped_category", NULL};
	struct em_truth *tr = &s->truth;
	const struct em_table *w = &tr->tables[0];
	struct em_kv rej = {0}, fixes = {0};
	uint64_t rows = 0, loaded = 0, merged = 0, nrej = 0, wrej = 0;
	FILE *f = fopen(path, "w");

	if (!f)
		em_die("cannot create '%s': %s", path, strerror(errno));
	for (size_t i = 0; i < w->rejected.n; i++)
		wrej += w->rejected.val[i];
	if (w->rows != w->loaded + w->merged + wrej)
		em_die("internal: %s: counts do not add up", s->d->code);
	fprintf(f, "{\"system\":\"%s\",\"table\":", s->d->code);
	json_str(f, w->name);
	fprintf(f, ",\"seed\":%llu,\"scale\":%llu,\"rows\":%llu,\n", (unsigned long long)tr->seed,
		(unsigned long long)tr->scale, (unsigned long long)w->rows);
	fprintf(f, " \"extracted\":%llu,\"loaded\":%llu,\"merged\":%llu,\n",
		(unsigned long long)(w->rows - w->extract_rejected), (unsigned long long)w->loaded,
		(unsigned long long)w->merged);
	fputs(" \"rejected\":", f);
	em_kv_json(f, &w->rejected, NULL);
	fprintf(f, ",\"rejected_total\":%llu,\n \"fixes\":", (unsigned long long)wrej);
	em_kv_json(f, &w->fixes, keep_fixes);
	fputs(",\n \"categories\":", f);
	em_kv_json(f, &tr->categories, NULL);
	fputs(",\n \"statuses\":", f);
	em_kv_json(f, &tr->statuses, NULL);
	fputs(",\n \"months\":", f);
	{
		static const char *const keep_none[] = {"none", NULL};
		struct em_kv m = {0};

		for (size_t i = 0; i < tr->months.n; i++)
			em_kv_add(&m, tr->months.key[i], tr->months.val[i]);
		em_kv_add(&m, "none", tr->none);
		em_kv_json(f, &m, keep_none);
		em_kv_free(&m);
	}
	fputs(",\n \"dialled_numbers\":", f);
	em_kv_json(f, &tr->dialled, NULL);
	fputs(",\n \"units\":", f);
	em_kv_json(f, &tr->units, NULL);
	fputs(",\n \"checks\":", f);
	em_kv_json(f, &tr->checks, NULL);
	fputs(",\n \"tables\":{", f);
	for (size_t i = 0; i < tr->ntables; i++) {
		const struct em_table *t = &tr->tables[i];

		if (i)
			fputs(",\n  ", f);
		json_str(f, t->name);
		fputc(':', f);
		table_json(f, t);
		rows += t->rows;
		loaded += t->loaded;
		merged += t->merged;
		for (size_t k = 0; k < t->rejected.n; k++) {
			em_kv_add(&rej, t->rejected.key[k], t->rejected.val[k]);
			nrej += t->rejected.val[k];
		}
		for (size_t k = 0; k < t->fixes.n; k++)
			em_kv_add(&fixes, t->fixes.key[k], t->fixes.val[k]);
	}
	fprintf(f, "},\n \"run\":{\"rows\":%llu,\"loaded\":%llu,\"merged\":%llu,\"rejected\":",
		(unsigned long long)rows, (unsigned long long)loaded, (unsigned long long)merged);
	em_kv_json(f, &rej, NULL);
	fprintf(f, ",\"rejected_total\":%llu,\"fixes\":", (unsigned long long)nrej);
	em_kv_json(f, &fixes, NULL);
	fputs("}}\n", f);
	em_kv_free(&rej);
	em_kv_free(&fixes);
	if (fclose(f))
		em_die("cannot write '%s'", path);
}
