#include "transform/normalize.h"

#include <string.h>

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

enum norm_phone norm_phone(const char *in, size_t n, const char *area, char out[32])
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

		if (np == 15 && !strncmp(p, "0086", 4) && p[4] == '1') {
			p += 4;
			np -= 4;
		} else if (np == 13 && !strncmp(p, "86", 2) && p[2] == '1') {
			p += 2;
			np -= 2;
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

static int days_in(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

enum norm_date norm_date(const char *in, size_t n, const char *fmt, char out[20])
{
	char buf[256];
	size_t len, i = 0;
	int Y = 0, M = 0, D = 0, h = 0, mi = 0, sec = 0, anydigit = 0, nonzero = 0;

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
			if (*f == 'Y')
				minw = maxw = 4;
			else if (*f == 'y')
				minw = maxw = 2;
			else if (!strchr("mdHMS", *f))
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
			case 'y': Y = v < 50 ? 2000 + v : 1900 + v; break;
			case 'm': M = v; break;
			case 'd': D = v; break;
			case 'H': h = v; break;
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
	if (anydigit && !nonzero)
		return DATE_ZERO;
	if (Y < 1 || M < 1 || M > 12 || D < 1 || D > days_in(Y, M) || h > 23 || mi > 59 || sec > 59)
		return DATE_INVALID;
	/* snprintf would do; hand formatting keeps this path allocation- and locale-free */
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
	return DATE_OK;
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
