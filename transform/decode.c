#include "transform/decode.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	const char *iconv;
} encodings[] = {
	{"utf-8", NULL}, {"utf8", NULL}, {"utf8mb4", NULL},
	{"gbk", "GB18030+"}, {"gb2312", "GB18030"}, {"cp936", "GB18030+"}, {"gb18030", "GB18030"},
	{"big5", "BIG5"}, {"big5-hkscs", "BIG5-HKSCS"},
	{"latin1", "ISO-8859-1"}, {"iso-8859-1", "ISO-8859-1"}, {"cp1252", "CP1252"},
	{"utf-16le", "UTF-16LE"}, {"utf-16be", "UTF-16BE"},
};

const char *decoder_known_names(void)
{
	return "utf-8, gbk, gb2312, cp936, gb18030, big5, big5-hkscs, latin1, cp1252, utf-16le, utf-16be";
}

int decoder_open(struct mg_decoder *d, const char *encoding, struct mg_err *e)
{
	memset(d, 0, sizeof(*d));
	d->cd = (iconv_t)-1;
	for (size_t i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++) {
		if (strcasecmp(encoding, encodings[i].name))
			continue;
		if (!encodings[i].iconv) {
			d->passthrough = 1;
			strcpy(d->name, "UTF-8");
			return 0;
		}
		snprintf(d->name, sizeof(d->name), "%s", encodings[i].iconv);
		/* "+": CP936's single byte 0x80 is the euro sign; GB18030 has no
		 * such byte, and it is the only code where the two differ */
		if (d->name[strlen(d->name) - 1] == '+') {
			d->name[strlen(d->name) - 1] = '\0';
			d->euro80 = 1;
		}
		d->ascii = strncasecmp(d->name, "UTF-16", 6) != 0;
		d->cd = iconv_open("UTF-8", d->name);
		if (d->cd == (iconv_t)-1)
			return mg_err_set(e, MG_E_CONFIG, "iconv cannot convert from '%s': %s", d->name,
					  strerror(errno));
		return 0;
	}
	return mg_err_set(e, MG_E_CONFIG, "unknown encoding '%s'; valid: %s", encoding, decoder_known_names());
}

void decoder_close(struct mg_decoder *d)
{
	if (d->cd != (iconv_t)-1 && d->cd != (iconv_t)0)
		iconv_close(d->cd);
	d->cd = (iconv_t)-1;
}

size_t utf8_valid_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];

		if (c >= 0x01 && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80)
				return i;
			i += 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;

			if (i + 2 >= n || s[i + 1] < lo || s[i + 1] > hi || (s[i + 2] & 0xC0) != 0x80)
				return i;
			i += 3;
		} else if (c >= 0xF0 && c <= 0xF4) {
			unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;

			if (i + 3 >= n || s[i + 1] < lo || s[i + 1] > hi || (s[i + 2] & 0xC0) != 0x80 ||
			    (s[i + 3] & 0xC0) != 0x80)
				return i;
			i += 4;
		} else {
			return i; /* NUL, continuation byte, C0/C1, F5..FF */
		}
	}
	return n;
}

/* Offset in `in` of the character that decoded to the U+0000 at output
 * position k: decode again with exactly k bytes of room, which stops right
 * before it. */
static size_t nul_offset(struct mg_decoder *d, const unsigned char *in, size_t n, size_t k)
{
	char *ip = (char *)in, *tmp = malloc(k + 1), *op = tmp;
	size_t il = n, ol = k;

	if (!tmp)
		return 0;
	iconv(d->cd, NULL, NULL, NULL, NULL);
	iconv(d->cd, &ip, &il, &op, &ol);
	free(tmp);
	return (size_t)(ip - (char *)in);
}

int decoder_run(struct mg_decoder *d, const unsigned char *in, size_t n, struct mg_buf *out,
		size_t *bad, struct mg_err *e)
{
	char *ip = (char *)in;
	size_t il = n, start = out->len;

	if (buf_grow(out, 0, e))
		return -1;
	if (d->passthrough) {
		size_t v = utf8_valid_prefix(in, n);

		if (v != n) {
			*bad = v;
			return 1;
		}
		return buf_add(out, in, n, e);
	}
	if (d->ascii) {
		/* a value of plain ASCII (ids, codes, dates, phones) is its own
		 * UTF-8: one iconv call per field cost more than decoding the
		 * text fields (perf: gconv 24% of the client's CPU) */
		size_t i = 0;

		while (i < n && in[i] && in[i] < 0x80)
			i++;
		if (i == n)
			return buf_add(out, in, n, e);
	}
	iconv(d->cd, NULL, NULL, NULL, NULL);
	while (il) {
		char *op;
		size_t ol, before, want = il * 2 + 16;

		/* a legacy byte becomes at most 4 UTF-8 bytes; reserve what the cap allows */
		if (out->cap && want > out->cap - out->len)
			want = out->cap > out->len ? out->cap - out->len : 0;
		if (buf_grow(out, want, e))
			return -1;
		before = out->alloc - out->len - 1;
		op = (char *)out->ptr + out->len;
		ol = before;
		if (iconv(d->cd, &ip, &il, &op, &ol) == (size_t)-1 && errno != E2BIG) {
			out->len += before - ol;
			if (d->euro80 && errno == EILSEQ && (unsigned char)*ip == 0x80) {
				if (buf_add(out, "\xE2\x82\xAC", 3, e))
					return -1;
				ip++;
				il--;
				continue;
			}
			*bad = (size_t)(ip - (char *)in);
			return 1;
		}
		if (before == ol && il)  /* no progress: no room left under the cap */
			return buf_grow(out, il, e);
		out->len += before - ol;
	}
	{
		char *op = (char *)out->ptr + out->len;
		size_t ol = out->alloc - out->len - 1, before = ol;

		/* flush shift state (stateful encodings) */
		iconv(d->cd, NULL, NULL, &op, &ol);
		out->len += before - ol;
	}
	out->ptr[out->len] = 0;
	{
		unsigned char *z = memchr(out->ptr + start, 0, out->len - start);

		if (z) {
			*bad = nul_offset(d, in, n, (size_t)(z - (out->ptr + start)));
			return 1;
		}
	}
	return 0;
}
