/* tests/fuzz/fuzz_repair.c: repair rules and encoding detection over
 * arbitrary bytes (transform/repair.h, transform/detect.h).
 *
 * The first byte picks how the rest is turned into values (byte % 4, so
 * text seeds can choose with '0'..'3'):
 *   '0' the bytes as they are;
 *   '1' each byte read as latin1 and written as UTF-8 (mojibake of whatever
 *       the bytes were: UTF-8 seeds become double-encoded text);
 *   '2' the text (if UTF-8) encoded as GB18030, then read as latin1 (GBK
 *       mojibake); the GB18030 bytes also go to detection;
 *   '3' as '1' twice over; UTF-16LE and Big5 forms go to detection.
 * Checked besides memory safety:
 *   - every rule and repair_value: REPAIRED gives valid UTF-8 (no NUL), at
 *     most half as long again as the input, different from it; any other
 *     answer leaves the output empty; CANNOT names a rule and a reason;
 *   - repair_value gives the same answer twice (no state between values);
 *   - repair_bytes_euro80: REPAIRED adds exactly one byte per lone 0x80 and
 *     a second run finds none left;
 *   - detection, on the values split at '\n': decides without error, twice
 *     the same; a utf-8 verdict from step (a) has no invalid value; a
 *     decided encoding decodes at least 90% of the non-ASCII values.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transform/decode.h"
#include "transform/detect.h"
#include "transform/repair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct repair ctx;
static int ctx_ready;

static void check(int cond, const char *what, size_t n)
{
	if (!cond) {
		fprintf(stderr, "fuzz_repair: %s (%zu bytes)\n", what, n);
		abort();
	}
}

/* latin1 reading: each byte as U+0000..U+00FF, NUL dropped */
static void widen(const unsigned char *in, size_t n, struct mg_buf *out)
{
	struct mg_err e = {0};

	buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		unsigned char t[2];

		if (!in[i])
			continue;
		if (in[i] < 0x80) {
			t[0] = in[i];
			check(!buf_add(out, t, 1, &e), "buffer", n);
		} else {
			t[0] = (unsigned char)(0xC0 | (in[i] >> 6));
			t[1] = (unsigned char)(0x80 | (in[i] & 0x3F));
			check(!buf_add(out, t, 2, &e), "buffer", n);
		}
	}
	check(!buf_grow(out, 0, &e), "buffer", n);
}

/* strict iconv; 0 on success */
static int conv(const char *to, const unsigned char *in, size_t n, struct mg_buf *out)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	char *ip = (char *)in;
	size_t il = n;
	struct mg_err e = {0};
	int rc = 0;

	buf_reset(out);
	if (cd == (iconv_t)-1)
		return -1;
	while (il) {
		char *op;
		size_t ol, before;

		check(!buf_grow(out, il * 4 + 16, &e), "buffer", n);
		op = (char *)out->ptr + out->len;
		before = ol = out->alloc - out->len - 1;
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 && errno != E2BIG) {
			rc = -1;
			break;
		}
		out->len += before - ol;
	}
	iconv_close(cd);
	check(!buf_grow(out, 0, &e), "buffer", n); /* ptr never NULL */
	return rc;
}

static void check_result(int rc, const char *in, size_t n, const struct mg_buf *out, const char *why)
{
	check(rc >= REPAIR_NOT_APPLICABLE && rc <= REPAIR_SUSPECT, "rule failed", n);
	if (rc == REPAIR_REPAIRED) {
		check(out->ptr != NULL && out->ptr[out->len] == 0, "result not NUL-terminated", n);
		check(utf8_valid_prefix(out->ptr, out->len) == out->len, "result is not valid UTF-8", n);
		check(out->len <= n + n / 2 + 16, "result much longer than the value", n);
		check(out->len != n || memcmp(out->ptr, in, n), "REPAIRED without a change", n);
	} else {
		check(out->len == 0, "output left behind without a repair", n);
	}
	if ((rc == REPAIR_CANNOT || rc == REPAIR_SUSPECT) && why)
		check(why[0] != 0, "CANNOT or SUSPECT without a reason", n);
}

static void repair_all(const char *in, size_t n)
{
	struct mg_buf out, again;
	struct mg_err e = {0};
	struct repair_report rep, rep2;
	char why[200];
	int rc, rc2;

	buf_init(&out, 0, "fuzz repair");
	for (int id = 0; id < REPAIR_NRULES; id++) {
		why[0] = 0;
		rc = repair_rules[id].apply(id % 2 ? &ctx : NULL, in, n, &out, why, sizeof(why), &e);
		check_result(rc, in, n, &out, why);
	}
	rc = repair_value(&ctx, REPAIR_ALL, in, n, &out, &rep, &e);
	check_result(rc, in, n, &out, rep.why);
	if (rc == REPAIR_CANNOT)
		check(rep.cannot >= 0 && rep.cannot < REPAIR_NRULES, "CANNOT names no rule", n);
	if (rc == REPAIR_REPAIRED)
		check(rep.fired && !(rep.fired & ~REPAIR_ALL), "REPAIRED names no rule", n);
	buf_init(&again, 0, "fuzz again");
	rc2 = repair_value(&ctx, REPAIR_ALL, in, n, &again, &rep2, &e);
	check(rc2 == rc && rep2.fired == rep.fired && again.len == out.len &&
	      (!out.len || !memcmp(again.ptr, out.ptr, out.len)), "second repair of the same value differs", n);
	buf_release(&out);
	buf_release(&again);
}

static void euro(const unsigned char *in, size_t n)
{
	struct mg_buf out, twice;
	struct mg_err e = {0};
	size_t count = 0, c2 = 0;
	int rc;

	buf_init(&out, 0, "fuzz euro");
	buf_init(&twice, 0, "fuzz euro");
	rc = repair_bytes_euro80(in, n, &out, &count, &e);
	check(rc == REPAIR_REPAIRED || rc == REPAIR_NOT_APPLICABLE, "euro80 failed", n);
	if (rc == REPAIR_REPAIRED) {
		check(count > 0 && out.len == n + count, "euro80 length", n);
		check(repair_bytes_euro80(out.ptr, out.len, &twice, &c2, &e) == REPAIR_NOT_APPLICABLE,
		      "euro80 left a lone 0x80", n);
	} else {
		check(count == 0 && out.len == 0, "euro80 output without a repair", n);
	}
	buf_release(&out);
	buf_release(&twice);
}

static void detect_lines(const unsigned char *p, size_t n, size_t max_values)
{
	struct detect d;
	struct detect_result r, r2;
	struct mg_err e = {0};
	struct mg_buf txt;
	size_t start = 0;

	detect_init(&d, max_values, 1 << 16);
	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == '\n') {
			check(!detect_add(&d, p + start, i - start, &e), "detect_add failed", n);
			start = i + 1;
		}
	}
	check(!detect_decide(&d, &r, &e), "detect_decide failed", n);
	check(!detect_decide(&d, &r2, &e), "detect_decide failed", n);
	check(r.verdict == r2.verdict && !strcmp(r.summary, r2.summary) && !strcmp(r.reason, r2.reason),
	      "two decisions differ", n);
	check(r.values <= max_values && r.nonascii <= r.values, "sample counts", n);
	if (r.verdict == DETECT_UTF8 && !r.cand[CAND_GBK].tried)
		check(r.invalid_utf8 == 0, "utf-8 verdict with invalid values", n);
	if (r.encoding && *r.encoding && r.verdict != DETECT_UTF8) {
		int k = r.verdict == DETECT_GBK ? CAND_GBK : r.verdict == DETECT_BIG5 ? CAND_BIG5
			: r.verdict == DETECT_UTF16LE ? CAND_UTF16LE : CAND_UTF16BE;

		check(r.cand[k].decoded_nonascii * 10 >= r.nonascii * 9, "decided encoding does not decode", n);
	}
	for (int k = 0; k < DETECT_NCAND; k++)
		for (unsigned s = 0; s < r.cand[k].nsamples; s++)
			check(utf8_valid_prefix((const unsigned char *)r.cand[k].sample[s], strlen(r.cand[k].sample[s])) ==
			      strlen(r.cand[k].sample[s]), "sample is not valid UTF-8", n);
	buf_init(&txt, 0, "fuzz format");
	check(!detect_format(&r, &txt, &e), "detect_format failed", n);
	buf_release(&txt);
	detect_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_buf a, b;
	const unsigned char *in;
	size_t n;
	int mode;

	if (!size)
		return 0;
	if (!ctx_ready) {
		repair_init(&ctx);
		ctx_ready = 1;
	}
	mode = data[0] % 4;
	in = data + 1;
	n = size - 1;
	buf_init(&a, 0, "fuzz a");
	buf_init(&b, 0, "fuzz b");

	repair_all((const char *)in, n);
	euro(in, n);
	detect_lines(in, n, 64);
	switch (mode) {
	case 1:
		widen(in, n, &a);
		repair_all((const char *)a.ptr, a.len);
		break;
	case 2:
		if (!conv("GB18030", in, n, &a)) {
			detect_lines(a.ptr, a.len, 1000);
			widen(a.ptr, a.len, &b);
			repair_all((const char *)b.ptr, b.len);
		}
		break;
	case 3:
		widen(in, n, &a);
		widen(a.ptr, a.len, &b);
		repair_all((const char *)b.ptr, b.len);
		if (!conv("UTF-16LE", in, n, &a))
			detect_lines(a.ptr, a.len, 1000);
		if (!conv("BIG5", in, n, &a))
			detect_lines(a.ptr, a.len, 1000);
		break;
	default:
		break;
	}
	buf_release(&a);
	buf_release(&b);
	return 0;
}
