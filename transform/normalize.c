#include "transform/normalize.h"

#include <string.h>
#include <strings.h>

size_t norm_fold_fullwidth(const char *in, size_t n, char *out, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, folded = 0;

	while (i < n) {
		/* U+FF01..U+FF3F: EF BC 81..BF; U+FF40..U+FF5E: EF BD 80..9E */
		if (i + 2 < n && s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] >= 0x81 && s[i + 2] <= 0xBF) {
			out[o++] = (char)(s[i + 2] - 0x81 + 0x21);
			i += 3;
			folded++;
		} else if (i + 2 < n && s[i] == 0xEF && s[i + 1] == 0xBD && s[i + 2] >= 0x80 && s[i + 2] <= 0x9E) {
			out[o++] = (char)(s[i + 2] - 0x80 + 0x60);
			i += 3;
			folded++;
		} else if (i + 2 < n && s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80) {
			out[o++] = ' ';
			i += 3;
			folded++;
		} else {
			out[o++] = (char)s[i++];
		}
	}
	out[o] = '\0';
	*outlen = o;
	return folded;
}

/* 1 if in[0..n) holds a character norm_fold_fullwidth folds. */
static int has_fullwidth(const char *in, size_t n)
{
	const unsigned char *s = (const unsigned char *)in;

	for (size_t i = 0; i + 2 < n; i++)
		if ((s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] >= 0x81 && s[i + 2] <= 0xBF) ||
		    (s[i] == 0xEF && s[i + 1] == 0xBD && s[i + 2] >= 0x80 && s[i + 2] <= 0x9E) ||
		    (s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80))
			return 1;
	return 0;
}

/* norm_phone; *cc set to 1 when a country code was dropped */
static enum norm_phone phone_core(const char *in, size_t n, const char *area, char out[32], int *cc)
{
	char d[32];
	size_t nd = 0, alen = strlen(area), i = 0;
	const unsigned char *s = (const unsigned char *)in;
	int plus = 0;

	while (i < n) {
		unsigned c = s[i];

		if (i + 2 < n && c == 0xEF && s[i + 1] == 0xBC && s[i + 2] >= 0x81 && s[i + 2] <= 0xBF) {
			c = (unsigned)(s[i + 2] - 0x81 + 0x21);
			i += 3;
		} else if (i + 2 < n && c == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80) {
			c = ' ';
			i += 3;
		} else {
			i++;
		}
		if (c >= '0' && c <= '9') {
			if (nd >= sizeof(d) - 1)
				return PHONE_UNRECOGNISED;
			d[nd++] = (char)c;
		} else if (c == '+' && nd == 0 && !plus) {
			plus = 1;
		} else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\t') {
			continue;
		} else {
			return PHONE_UNRECOGNISED;
		}
	}
	d[nd] = '\0';
	{
		const char *p = d;
		size_t np = nd;

		*cc = 0;
		if (np == 15 && !strncmp(p, "0086", 4) && p[4] == '1') {
			p += 4;
			np -= 4;
			*cc = 1;
		} else if (np == 13 && !strncmp(p, "86", 2) && p[2] == '1') {
			p += 2;
			np -= 2;
			*cc = 1;
		} else if (plus) {
			return PHONE_UNRECOGNISED;
		}
		if (np == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9') {
			memcpy(out, p, 12);
			return PHONE_MOBILE;
		}
		if (np > alen && !strncmp(p, area, alen) && (np - alen == 7 || np - alen == 8) &&
		    p[alen] != '0' && p[alen] != '1') {
			memcpy(out, area, alen);
			out[alen] = '-';
			memcpy(out + alen + 1, p + alen, np - alen + 1);
			return PHONE_LANDLINE;
		}
		if ((np == 7 || np == 8) && p[0] != '0' && p[0] != '1') {
			memcpy(out, area, alen);
			out[alen] = '-';
			memcpy(out + alen + 1, p, np + 1);
			return PHONE_LANDLINE;
		}
	}
	return PHONE_UNRECOGNISED;
}

enum norm_phone norm_phone(const char *in, size_t n, const char *area, char out[32])
{
	int cc = 0;

	return phone_core(in, n, area, out, &cc);
}

static void put_datetime(char out[20], int Y, int M, int D, int h, int mi, int sec);

static int days_in(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

enum norm_date norm_date(const char *in, size_t n, const char *fmt, char out[20])
{
	return norm_date_pivot(in, n, fmt, 50, out);
}

enum norm_date norm_date_pivot(const char *in, size_t n, const char *fmt, int pivot, char out[20])
{
	int subsec;

	return norm_date_ex(in, n, fmt, pivot, out, &subsec);
}

/* %p: 上午/下午 or AM/PM (any case) at buf[*i]; 0 none, 1 morning, 2 afternoon */
static int read_ampm(const char *buf, size_t len, size_t *i)
{
	const char *s = buf + *i;
	size_t left = len - *i;

	if (left >= 6 && !memcmp(s, "\xE4\xB8\x8A\xE5\x8D\x88", 6)) { /* 上午 */
		*i += 6;
		return 1;
	}
	if (left >= 6 && !memcmp(s, "\xE4\xB8\x8B\xE5\x8D\x88", 6)) { /* 下午 */
		*i += 6;
		return 2;
	}
	if (left >= 2 && (s[1] == 'M' || s[1] == 'm') && (s[0] == 'A' || s[0] == 'a' || s[0] == 'P' || s[0] == 'p')) {
		*i += 2;
		return s[0] == 'A' || s[0] == 'a' ? 1 : 2;
	}
	return 0;
}

enum norm_date norm_date_ex(const char *in, size_t n, const char *fmt, int pivot, char out[20], int *subsec)
{
	char buf[256];
	size_t len, i = 0;
	int Y = 0, M = 0, D = 0, h = 0, mi = 0, sec = 0, anydigit = 0, nonzero = 0;
	int ampm = 0, have_i = 0, frac_nonzero = 0;

	*subsec = 0;
	if (n >= sizeof(buf)) /* folding never lengthens: the input bounds it */
		return DATE_INVALID;
	norm_fold_fullwidth(in, n, buf, &len);
	while (len && buf[len - 1] == ' ')
		buf[--len] = '\0';
	while (i < len && buf[i] == ' ')
		i++;
	for (const char *f = fmt; *f; f++) {
		if (*f == '%' && f[1]) {
			int minw = 1, maxw = 2, v = 0, w = 0;

			f++;
			if (*f == 'p') {
				if (!(ampm = read_ampm(buf, len, &i)))
					return DATE_INVALID;
				continue;
			}
			if (*f == 'f') {
				/* a fraction of a second: 1 to 9 digits, dropped */
				while (w < 9 && i < len && buf[i] >= '0' && buf[i] <= '9') {
					if (buf[i++] != '0')
						frac_nonzero = 1;
					w++;
				}
				if (w < 1)
					return DATE_INVALID;
				continue;
			}
			if (*f == 'Y')
				minw = maxw = 4;
			else if (*f == 'y')
				minw = maxw = 2;
			else if (!strchr("mdHIMS", *f))
				return DATE_INVALID;
			while (w < maxw && i < len && buf[i] >= '0' && buf[i] <= '9') {
				v = v * 10 + (buf[i++] - '0');
				w++;
			}
			if (w < minw)
				return DATE_INVALID;
			anydigit = 1;
			if (v)
				nonzero = 1;
			switch (*f) {
			case 'Y': Y = v; break;
			case 'y': Y = v < pivot ? 2000 + v : 1900 + v; break;
			case 'm': M = v; break;
			case 'd': D = v; break;
			case 'H': h = v; break;
			case 'I': h = v; have_i = 1; break;
			case 'M': mi = v; break;
			default: sec = v; break;
			}
		} else {
			/* a literal: multi-byte literals (年月日) compare byte by byte */
			if (i >= len || buf[i] != *f)
				return DATE_INVALID;
			i++;
		}
	}
	if (i != len)
		return DATE_INVALID;
	if (anydigit && !nonzero && !frac_nonzero && !ampm)
		return DATE_ZERO;
	if (have_i != (ampm != 0))
		return DATE_INVALID; /* a 12-hour hour needs its 上午/下午, and the other way round */
	if (have_i) {
		if (h < 1 || h > 12)
			return DATE_INVALID;
		h = h % 12 + (ampm == 2 ? 12 : 0);
	}
	if (Y < 1 || M < 1 || M > 12 || D < 1 || D > days_in(Y, M) || h > 23 || mi > 59 || sec > 59)
		return DATE_INVALID;
	put_datetime(out, Y, M, D, h, mi, sec);
	*subsec = frac_nonzero;
	return DATE_OK;
}

/* snprintf would do; hand formatting keeps this path allocation- and locale-free */
static void put_datetime(char out[20], int Y, int M, int D, int h, int mi, int sec)
{
	out[0] = (char)('0' + Y / 1000);
	out[1] = (char)('0' + Y / 100 % 10);
	out[2] = (char)('0' + Y / 10 % 10);
	out[3] = (char)('0' + Y % 10);
	out[4] = '-';
	out[5] = (char)('0' + M / 10);
	out[6] = (char)('0' + M % 10);
	out[7] = '-';
	out[8] = (char)('0' + D / 10);
	out[9] = (char)('0' + D % 10);
	out[10] = ' ';
	out[11] = (char)('0' + h / 10);
	out[12] = (char)('0' + h % 10);
	out[13] = ':';
	out[14] = (char)('0' + mi / 10);
	out[15] = (char)('0' + mi % 10);
	out[16] = ':';
	out[17] = (char)('0' + sec / 10);
	out[18] = (char)('0' + sec % 10);
	out[19] = '\0';
}

int norm_idno(const char *in, size_t n, char *out, size_t *outlen)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	int sum = 0;

	norm_fold_fullwidth(in, n, out, outlen);
	for (size_t i = 0; i < *outlen; i++)
		if (out[i] == 'x')
			out[i] = 'X';
	if (*outlen != 18)
		return 0;
	for (int i = 0; i < 17; i++) {
		if (out[i] < '0' || out[i] > '9')
			return 0;
		sum += (out[i] - '0') * w[i];
	}
	return out[17] == check[sum % 11];
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's
 * algorithm). */
static void civil_from_days(long long z, int *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Fold full-width and trim spaces into buf; returns the length or -1 if too long. */
static long fold_trim(const char *in, size_t n, char *buf, size_t size, const char **start)
{
	size_t len, i = 0;

	if (n >= size)
		return -1;
	norm_fold_fullwidth(in, n, buf, &len);
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	*start = buf + i;
	return (long)(len - i);
}

#define DAYS_1970_TO_10000 2932897LL /* 1970-01-01 .. 10000-01-01 */

enum norm_date norm_excel_date(const char *in, size_t n, int system1904, char out[20])
{
	char buf[64];
	const char *s;
	long len = fold_trim(in, n, buf, sizeof(buf), &s), i = 0;
	long long day = 0, num = 0, den = 1, secs, z;
	int nd = 0, nf = 0, Y, M, D;

	if (len <= 0)
		return DATE_INVALID;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (++nd > 9)
			return DATE_INVALID;
		day = day * 10 + (s[i++] - '0');
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (nf < 12) { /* beyond 12 digits a fraction no longer moves a second */
				num = num * 10 + (s[i] - '0');
				den *= 10;
			}
			nf++;
			i++;
		}
		if (nf > 20)
			return DATE_INVALID;
	}
	if (i != len || nd == 0)
		return DATE_INVALID;
	if (day == 0)
		return num == 0 ? DATE_ZERO : DATE_INVALID; /* 0.5 is a time of day, not a date */
	if (!system1904 && day == 60)
		return DATE_INVALID; /* 1900-02-29 does not exist */
	/* days since 1970-01-01: 1899-12-31 is -25568, 1899-12-30 is -25569, 1904-01-01 is -24107 */
	if (system1904)
		z = -24107 + day;
	else
		z = day < 60 ? -25568 + day : -25569 + day;
	secs = (num * 86400 + den / 2) / den;
	if (secs == 86400) {
		z++;
		secs = 0;
	}
	if (z >= DAYS_1970_TO_10000)
		return DATE_INVALID;
	civil_from_days(z, &Y, &M, &D);
	put_datetime(out, Y, M, D, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	return DATE_OK;
}

#define EPOCH_1992_SHANGHAI 694195200LL /* 1992-01-01 00:00:00 +08 */

enum norm_date norm_epoch(const char *in, size_t n, int ms, char out[20], int *subsec)
{
	char buf[64];
	const char *s;
	long len = fold_trim(in, n, buf, sizeof(buf), &s);
	long long v = 0, z, t;
	int Y, M, D;

	*subsec = 0;
	if (len <= 0 || len > 15)
		return DATE_INVALID;
	for (long i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return DATE_INVALID;
		v = v * 10 + (s[i] - '0');
	}
	if (v == 0)
		return DATE_ZERO;
	if (ms) {
		*subsec = v % 1000 != 0;
		v /= 1000;
	}
	if (v < EPOCH_1992_SHANGHAI) {
		*subsec = 0;
		return DATE_INVALID;
	}
	t = v + 8 * 3600;
	z = t / 86400;
	if (z >= DAYS_1970_TO_10000) {
		*subsec = 0;
		return DATE_INVALID;
	}
	t %= 86400;
	civil_from_days(z, &Y, &M, &D);
	put_datetime(out, Y, M, D, (int)(t / 3600), (int)(t / 60 % 60), (int)(t % 60));
	return DATE_OK;
}

/* The extension marker ending at the tail of s[0..len): returns its start
 * or -1. Markers: 转, 分机, ext / ext. / ext: (any case), x / X. */
static long ext_marker(const char *s, long len, long at)
{
	/* at: index of the first digit of the extension (after optional spaces) */
	long j = at;

	while (j > 0 && s[j - 1] == ' ')
		j--;
	if (j >= 3 && !memcmp(s + j - 3, "\xE8\xBD\xAC", 3)) /* 转 */
		return j - 3;
	if (j >= 6 && !memcmp(s + j - 6, "\xE5\x88\x86\xE6\x9C\xBA", 6)) /* 分机 */
		return j - 6;
	if (j >= 1 && (s[j - 1] == '.' || s[j - 1] == ':') && j >= 4 && !strncasecmp(s + j - 4, "ext", 3))
		return j - 4;
	if (j >= 3 && !strncasecmp(s + j - 3, "ext", 3))
		return j - 3;
	if (j >= 1 && (s[j - 1] == 'x' || s[j - 1] == 'X'))
		return j - 1;
	if (j >= 1 && s[j - 1] == '-')
		return j - 1;
	(void)len;
	return -1;
}

enum norm_phone norm_phone_ext(const char *in, size_t n, const char *area, char out[32], int *ext)
{
	unsigned fixes;
	enum norm_phone r = norm_phone_fix(in, n, area, out, &fixes);

	*ext = (fixes & NORM_PHONE_EXT) != 0;
	return r;
}

enum norm_phone norm_phone_fix(const char *in, size_t n, const char *area, char out[32], unsigned *fixes)
{
	int cc = 0;
	enum norm_phone r = phone_core(in, n, area, out, &cc);
	char buf[96], main_out[32];
	const char *s;
	long len, e, i, m;

	*fixes = 0;
	if (r != PHONE_UNRECOGNISED) {
		*fixes = (cc ? NORM_PHONE_CC : 0) | (has_fullwidth(in, n) ? NORM_PHONE_FW : 0);
		return r;
	}
	len = fold_trim(in, n, buf, sizeof(buf), &s);
	if (len <= 0)
		return r;
	/* the extension: 1 to 6 digits at the end */
	e = len;
	while (e > 0 && s[e - 1] >= '0' && s[e - 1] <= '9')
		e--;
	if (len - e < 1 || len - e > 6)
		return r;
	m = ext_marker(s, len, e);
	if (m <= 0)
		return r;
	if (phone_core(s, (size_t)m, area, main_out, &cc) != PHONE_LANDLINE)
		return r;
	i = (long)strlen(main_out);
	if (i + 5 + (len - e) >= 32)
		return r;
	memcpy(out, main_out, (size_t)i);
	memcpy(out + i, ";ext=", 5);
	memcpy(out + i + 5, s + e, (size_t)(len - e));
	out[i + 5 + (len - e)] = '\0';
	*fixes = NORM_PHONE_EXT | (has_fullwidth(in, n) ? NORM_PHONE_FW : 0);
	return PHONE_LANDLINE;
}

long norm_replace_names(const char *in, size_t n, const char *const *from, const char *const *to, size_t nmap,
			char *out, size_t cap, size_t *outlen)
{
	size_t i = 0, o = 0;
	long count = 0;

	while (i < n) {
		size_t best = 0, blen = 0;

		for (size_t k = 0; k < nmap; k++) {
			size_t fl = strlen(from[k]);

			if (fl > blen && fl <= n - i && !memcmp(in + i, from[k], fl)) {
				best = k;
				blen = fl;
			}
		}
		if (blen) {
			size_t tl = strlen(to[best]);

			if (o + tl > cap)
				return -1;
			memcpy(out + o, to[best], tl);
			o += tl;
			i += blen;
			count++;
		} else {
			if (o + 1 > cap)
				return -1;
			out[o++] = in[i++];
		}
	}
	out[o] = '\0';
	*outlen = o;
	return count;
}

int norm_is_blank(const char *in, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (in[i] == ' ' || in[i] == '\t')
			i++;
		else if (i + 2 < n && (unsigned char)in[i] == 0xE3 && (unsigned char)in[i + 1] == 0x80 &&
			 (unsigned char)in[i + 2] == 0x80)
			i += 3;
		else
			return 0;
	}
	return 1;
}

/* The decimal number at s[*i..): -1 if there is none or it has more than
 * 10 digits. */
static long long dur_number(const char *s, long len, long *i)
{
	long long v = 0;
	int nd = 0;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		if (++nd > 10)
			return -1;
		v = v * 10 + (s[(*i)++] - '0');
	}
	return nd ? v : -1;
}

int norm_duration(const char *in, size_t n, long *secs)
{
	/* longest name first where one is the start of another (分钟, 分) */
	static const struct {
		const char *name;
		int rank;
		long long unit;
	} units[] = {{"小时", 0, 3600}, {"时", 0, 3600}, {"分钟", 1, 60}, {"分", 1, 60}, {"秒", 2, 1}};
	char buf[96];
	const char *s;
	long len = fold_trim(in, n, buf, sizeof(buf), &s), i = 0;
	long long total, v;

	if (len <= 0 || (v = dur_number(s, len, &i)) < 0)
		return -1;
	total = v;
	if (i < len && s[i] == ':') {
		/* m:ss or h:mm:ss: two digits below 60 after each colon */
		int parts = 1;

		while (i < len) {
			if (s[i] != ':' || ++parts > 3 || len - i < 3 || s[i + 1] < '0' || s[i + 1] > '9' || s[i + 2] < '0' ||
			    s[i + 2] > '9')
				return -1;
			v = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
			if (v > 59)
				return -1;
			total = total * 60 + v;
			i += 3;
		}
	} else if (i < len) {
		/* numbers with units, larger units first */
		int last = -1;

		total = 0;
		for (;;) {
			unsigned k;
			size_t ul = 0;

			for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
				ul = strlen(units[k].name);
				if ((size_t)(len - i) >= ul && !memcmp(s + i, units[k].name, ul))
					break;
			}
			if (k == sizeof(units) / sizeof(units[0]) || units[k].rank <= last || (last >= 0 && v > 59))
				return -1;
			last = units[k].rank;
			total += v * units[k].unit;
			i += (long)ul;
			if (i == len)
				break;
			if ((v = dur_number(s, len, &i)) < 0)
				return -1;
		}
	}
	if (total > NORM_DURATION_MAX)
		return -1;
	*secs = (long)total;
	return 0;
}
