#include "transform/detect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transform/decode.h"
#include "transform/repair.h"

/* ---- the sample ---- */

void detect_init(struct detect *d, size_t max_values, size_t max_bytes)
{
	memset(d, 0, sizeof(*d));
	if (!max_values || max_values > DETECT_MAX_VALUES)
		max_values = DETECT_MAX_VALUES;
	if (!max_bytes || max_bytes > DETECT_MAX_BYTES)
		max_bytes = DETECT_MAX_BYTES;
	d->max_values = max_values;
	buf_init(&d->bytes, max_bytes, "detection sample");
}

void detect_release(struct detect *d)
{
	buf_release(&d->bytes);
	free(d->v);
	d->v = NULL;
	d->nv = d->valloc = 0;
}

int detect_add(struct detect *d, const void *p, size_t n, struct mg_err *e)
{
	size_t take = n, room;

	d->offered++;
	if (!n) {
		d->empty++;
		return 0;
	}
	if (d->full)
		return 0;
	room = d->bytes.cap - d->bytes.len;
	if (take > DETECT_MAX_VALUE_BYTES)
		take = DETECT_MAX_VALUE_BYTES;
	if (take > room) {
		if (room < 64) {
			d->full = 1;
			return 0;
		}
		take = room;
	}
	if (d->nv == d->valloc) {
		size_t want = d->valloc ? d->valloc * 2 : 64;
		struct detect_value *nv;

		if (want > d->max_values)
			want = d->max_values;
		nv = realloc(d->v, want * sizeof(*nv));
		if (!nv)
			return mg_err_set(e, MG_E_NOMEM, "out of memory growing the detection sample to %zu values", want);
		d->v = nv;
		d->valloc = want;
	}
	if (buf_add(&d->bytes, p, take, e))
		return -1;
	d->v[d->nv].off = (uint32_t)(d->bytes.len - take);
	d->v[d->nv].len = (uint32_t)take;
	d->v[d->nv].truncated = take < n;
	d->truncated += take < n;
	d->nv++;
	if (d->nv >= d->max_values || d->bytes.cap - d->bytes.len < 64)
		d->full = 1;
	return 0;
}

/* ---- deciding ---- */

const char *detect_verdict_name(enum detect_verdict v)
{
	static const char *const names[] = {
		[DETECT_EMPTY] = "empty", [DETECT_ASCII] = "ascii", [DETECT_UTF8] = "utf-8",
		[DETECT_GBK] = "gbk", [DETECT_BIG5] = "big5", [DETECT_UTF16LE] = "utf-16le",
		[DETECT_UTF16BE] = "utf-16be", [DETECT_UNDECIDED] = "undecided",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

static const struct {
	const char *encoding, *list;
	enum detect_verdict verdict;
} cands[DETECT_NCAND] = {
	[CAND_UTF8] = {"utf-8", "either", DETECT_UTF8},
	[CAND_GBK] = {"gbk", "simplified", DETECT_GBK},
	[CAND_BIG5] = {"big5", "traditional", DETECT_BIG5},
	[CAND_UTF16LE] = {"utf-16le", "either", DETECT_UTF16LE},
	[CAND_UTF16BE] = {"utf-16be", "either", DETECT_UTF16BE},
};

static int is_nonascii(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == 0 || s[i] >= 0x80)
			return 1;
	return 0;
}

/* Length of the UTF-8 text of s[0..n): n if valid, the valid prefix if the
 * value was cut and only an unfinished character follows, else (size_t)-1. */
static size_t utf8_len_cut(const unsigned char *s, size_t n, int truncated)
{
	size_t v = utf8_valid_prefix(s, n);

	if (v == n)
		return n;
	if (!truncated || n - v > 3 || s[v] < 0xC2 || s[v] > 0xF4)
		return (size_t)-1;
	for (size_t i = v + 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return (size_t)-1;
	return v;
}

/* Keep a decoded value as a sample: cut at a character boundary. */
static void keep_sample(struct detect_cand *c, const unsigned char *t, size_t n)
{
	size_t k = n;

	if (c->nsamples >= DETECT_NSAMPLES)
		return;
	if (k > DETECT_SAMPLE_BYTES - 1) {
		k = DETECT_SAMPLE_BYTES - 1;
		while (k && (t[k] & 0xC0) == 0x80)
			k--;
	}
	memcpy(c->sample[c->nsamples], t, k);
	c->sample[c->nsamples][k] = 0;
	c->nsamples++;
}

static void count_text(struct detect_cand *c, const unsigned char *t, size_t n, int list)
{
	size_t i = 0;
	int any = 0;

	while (i < n) {
		unsigned long ch;

		if (t[i] < 0x80) {
			i++;
			continue;
		}
		any = 1;
		ch = repair_utf8_next(t, n, &i);
		if ((ch >= 0xE000 && ch <= 0xF8FF) || ch >= 0xF0000)
			c->pua++;
		if (!repair_is_ideograph(ch))
			continue;
		c->hanzi++;
		if (repair_common_hanzi(ch, list))
			c->common++;
	}
	if (any)
		keep_sample(c, t, n);
}

/* Decode every sampled value with candidate k. */
static int eval_cand(const struct detect *d, struct detect_result *r, int k, struct mg_err *e)
{
	struct detect_cand *c = &r->cand[k];
	struct mg_decoder dec;
	struct mg_buf out;
	int list = !strcmp(cands[k].list, "simplified") ? 1 : !strcmp(cands[k].list, "traditional") ? 2 : 0;

	if (decoder_open(&dec, cands[k].encoding, e))
		return -1;
	buf_init(&out, 4 * DETECT_MAX_VALUE_BYTES + 64, "detection decode");
	c->tried = 1;
	for (size_t i = 0; i < d->nv; i++) {
		const unsigned char *s = d->bytes.ptr + d->v[i].off;
		size_t n = d->v[i].len, bad = 0;
		int rc;

		buf_reset(&out);
		rc = decoder_run(&dec, s, n, &out, &bad, e);
		/* a value cut for the sample may end in part of a character */
		for (size_t cut = 1; rc == 1 && d->v[i].truncated && cut <= 3 && cut < n && bad + 3 >= n; cut++) {
			buf_reset(&out);
			rc = decoder_run(&dec, s, n - cut, &out, &bad, e);
		}
		if (rc < 0) {
			decoder_close(&dec);
			buf_release(&out);
			return -1;
		}
		if (rc == 1) {
			c->failed++;
			continue;
		}
		c->decoded++;
		if (is_nonascii(s, n))
			c->decoded_nonascii++;
		count_text(c, out.ptr, out.len, list);
	}
	c->permille = c->hanzi ? (unsigned)(c->common * 1000 / c->hanzi) : 0;
	c->eligible = r->nonascii && c->decoded_nonascii * 10 >= r->nonascii * 9;
	decoder_close(&dec);
	buf_release(&out);
	return 0;
}

/* What the repair rules would change in the valid UTF-8 values. */
static int count_repairs(const struct detect *d, struct detect_result *r, struct mg_err *e)
{
	struct repair rp;
	struct mg_buf out;
	int rc = 0;

	repair_init(&rp);
	buf_init(&out, 0, "detection repair");
	for (size_t i = 0; i < d->nv && !rc; i++) {
		const unsigned char *s = d->bytes.ptr + d->v[i].off;
		size_t n = utf8_len_cut(s, d->v[i].len, d->v[i].truncated);
		struct repair_report rep;
		int k;

		if (n == (size_t)-1 || !is_nonascii(s, n))
			continue;
		k = repair_value(&rp, REPAIR_ALL, (const char *)s, n, &out, &rep, e);
		if (k < 0)
			rc = -1;
		else if (k == REPAIR_CANNOT)
			r->damaged++;
		else if (k == REPAIR_REPAIRED) {
			r->double_encoded += !!(rep.fired & REPAIR_BIT(REPAIR_UTF8_AS_LATIN1));
			r->gbk_as_latin1 += !!(rep.fired & REPAIR_BIT(REPAIR_GBK_AS_LATIN1));
			r->pua2005 += !!(rep.fired & REPAIR_BIT(REPAIR_GB18030_2005_PUA));
		}
	}
	repair_release(&rp);
	buf_release(&out);
	return rc;
}

/* Append "what" with count v to the summary's parenthesis. */
static void add_note(char *s, size_t n, int *first, size_t v, const char *what)
{
	size_t l = strlen(s);

	if (!v || l + 4 >= n)
		return;
	snprintf(s + l, n - l, "%s%s in %zu value%s", *first ? " (" : ", ", what, v, v == 1 ? "" : "s");
	*first = 0;
}

static void utf8_summary(struct detect_result *r)
{
	int first = 1;

	snprintf(r->summary, sizeof(r->summary), "utf-8");
	add_note(r->summary, sizeof(r->summary), &first, r->double_encoded, "double-encoded");
	add_note(r->summary, sizeof(r->summary), &first, r->gbk_as_latin1, "GBK read as latin1");
	add_note(r->summary, sizeof(r->summary), &first, r->pua2005, "GB18030-2005 private-use characters");
	add_note(r->summary, sizeof(r->summary), &first, r->damaged, "damaged beyond repair");
	if (!first)
		strncat(r->summary, ")", sizeof(r->summary) - strlen(r->summary) - 1);
}

static void decide(struct detect_result *r, int k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void decide(struct detect_result *r, int k, const char *fmt, ...)
{
	va_list ap;

	r->verdict = cands[k].verdict;
	r->encoding = cands[k].encoding;
	snprintf(r->summary, sizeof(r->summary), "%s", cands[k].encoding);
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

int detect_decide(const struct detect *d, struct detect_result *r, struct mg_err *e)
{
	int best = -1, second = -1;

	memset(r, 0, sizeof(*r));
	r->offered = d->offered;
	r->empty = d->empty;
	r->truncated = d->truncated;
	r->values = d->nv;
	for (int k = 0; k < DETECT_NCAND; k++) {
		r->cand[k].encoding = cands[k].encoding;
		r->cand[k].list = cands[k].list;
	}
	for (size_t i = 0; i < d->nv; i++) {
		const unsigned char *s = d->bytes.ptr + d->v[i].off;
		size_t n = d->v[i].len, nul = 0;

		if (!is_nonascii(s, n))
			continue;
		r->nonascii++;
		if (utf8_len_cut(s, n, d->v[i].truncated) == (size_t)-1)
			r->invalid_utf8++;
		for (size_t j = 0; j < n; j++) {
			if (s[j])
				continue;
			nul++;
			if (j & 1)
				r->nul_odd++;
			else
				r->nul_even++;
		}
		r->with_nul += nul > 0;
		if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE)
			r->bom_le++;
		else if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF)
			r->bom_be++;
		else if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
			r->bom_utf8++;
	}
	r->weak = r->nonascii > 0 && r->nonascii < 20;
	if (!d->nv) {
		r->verdict = DETECT_EMPTY;
		snprintf(r->summary, sizeof(r->summary), "empty");
		snprintf(r->reason, sizeof(r->reason), "no non-empty value was sampled (%llu offered)",
			 (unsigned long long)d->offered);
		return 0;
	}
	if (!r->nonascii) {
		r->verdict = DETECT_ASCII;
		r->encoding = "";
		snprintf(r->summary, sizeof(r->summary), "ascii");
		snprintf(r->reason, sizeof(r->reason),
			 "all %zu sampled values are ASCII: any declared encoding reads them the same", r->values);
		return 0;
	}

	if (!r->invalid_utf8) {
		if (eval_cand(d, r, CAND_UTF8, e) || count_repairs(d, r, e))
			goto fail;
		r->cand[CAND_UTF8].eligible = 1;
		decide(r, CAND_UTF8, "every one of the %zu non-ASCII values is valid UTF-8", r->nonascii);
		utf8_summary(r);
		goto done;
	}
	for (int k = 0; k < DETECT_NCAND; k++)
		if (eval_cand(d, r, k, e))
			goto fail;

	/* UTF-16: zero bytes on one side of most values, or byte-order marks */
	if (r->with_nul * 2 >= r->nonascii) {
		if (r->nul_odd >= 9 * r->nul_even && r->cand[CAND_UTF16LE].eligible) {
			decide(r, CAND_UTF16LE,
			       "%zu of %zu non-ASCII values hold zero bytes, %zu at odd and %zu at even offsets (UTF-16LE "
			       "text with Latin characters), and UTF-16LE decodes %zu values",
			       r->with_nul, r->nonascii, r->nul_odd, r->nul_even, r->cand[CAND_UTF16LE].decoded);
			goto done;
		}
		if (r->nul_even >= 9 * r->nul_odd && r->cand[CAND_UTF16BE].eligible) {
			decide(r, CAND_UTF16BE,
			       "%zu of %zu non-ASCII values hold zero bytes, %zu at even and %zu at odd offsets (UTF-16BE "
			       "text with Latin characters), and UTF-16BE decodes %zu values",
			       r->with_nul, r->nonascii, r->nul_even, r->nul_odd, r->cand[CAND_UTF16BE].decoded);
			goto done;
		}
	}
	if (r->bom_le * 2 >= r->nonascii && r->cand[CAND_UTF16LE].eligible) {
		decide(r, CAND_UTF16LE, "%zu of %zu non-ASCII values begin with the UTF-16LE byte-order mark FF FE",
		       r->bom_le, r->nonascii);
		goto done;
	}
	if (r->bom_be * 2 >= r->nonascii && r->cand[CAND_UTF16BE].eligible) {
		decide(r, CAND_UTF16BE, "%zu of %zu non-ASCII values begin with the UTF-16BE byte-order mark FE FF",
		       r->bom_be, r->nonascii);
		goto done;
	}

	/* the common-character score */
	for (int k = 0; k < DETECT_NCAND; k++) {
		if (!r->cand[k].eligible)
			continue;
		if (best < 0 || r->cand[k].permille > r->cand[best].permille)
			best = k;
	}
	for (int k = 0; k < DETECT_NCAND; k++)
		if (k != best && r->cand[k].eligible && (second < 0 || r->cand[k].permille > r->cand[second].permille))
			second = k;
	if (best < 0) {
		r->verdict = DETECT_UNDECIDED;
		snprintf(r->summary, sizeof(r->summary), "undecided");
		snprintf(r->reason, sizeof(r->reason),
			 "no candidate (utf-8, gbk, big5, utf-16le, utf-16be) decodes 90%% of the %zu non-ASCII values; "
			 "latin1 and cp1252 are never guessed: declare the encoding if you know it",
			 r->nonascii);
	} else if (r->cand[best].hanzi < 8 || r->cand[best].permille < 150 ||
		   (second >= 0 && r->cand[best].permille < 2 * r->cand[second].permille)) {
		r->verdict = DETECT_UNDECIDED;
		snprintf(r->summary, sizeof(r->summary), "undecided");
		if (second >= 0)
			snprintf(r->reason, sizeof(r->reason),
				 "no clear winner: %s reads %zu ideographs with %u.%u%% common ones, %s %zu with %u.%u%% "
				 "(needed: at least 8 ideographs, 15%%, and twice the next)",
				 cands[best].encoding, r->cand[best].hanzi, r->cand[best].permille / 10,
				 r->cand[best].permille % 10, cands[second].encoding, r->cand[second].hanzi,
				 r->cand[second].permille / 10, r->cand[second].permille % 10);
		else
			snprintf(r->reason, sizeof(r->reason),
				 "only %s decodes the sample, but it reads %zu ideographs with %u.%u%% common ones "
				 "(needed: at least 8 ideographs and 15%%)",
				 cands[best].encoding, r->cand[best].hanzi, r->cand[best].permille / 10,
				 r->cand[best].permille % 10);
	} else {
		const struct detect_cand *b = &r->cand[best];

		if (second >= 0)
			decide(r, best,
			       "%s decodes %zu of %zu non-ASCII values and %u.%u%% of its %zu ideographs are common "
			       "%s characters; next best %s: %u.%u%% of %zu",
			       cands[best].encoding, b->decoded_nonascii, r->nonascii, b->permille / 10, b->permille % 10,
			       b->hanzi, cands[best].list, cands[second].encoding, r->cand[second].permille / 10,
			       r->cand[second].permille % 10, r->cand[second].hanzi);
		else
			decide(r, best,
			       "%s decodes %zu of %zu non-ASCII values and %u.%u%% of its %zu ideographs are common "
			       "%s characters; no other candidate decodes 90%% of them",
			       cands[best].encoding, b->decoded_nonascii, r->nonascii, b->permille / 10, b->permille % 10,
			       b->hanzi, cands[best].list);
		if (best == CAND_UTF8) {
			if (count_repairs(d, r, e))
				goto fail;
			utf8_summary(r);
		}
	}
done:
	if (r->weak && r->encoding && *r->encoding) {
		size_t l = strlen(r->summary);

		snprintf(r->summary + l, sizeof(r->summary) - l, " [weak: %zu non-ASCII value%s]", r->nonascii,
			 r->nonascii == 1 ? "" : "s");
	}
	return 0;
fail:
	return -1;
}

/* ---- text for people ---- */

static int add_escaped(struct mg_buf *b, const char *s, struct mg_err *e)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int rc = *p < 0x20 || *p == 0x7F ? buf_printf(b, e, "\\x%02X", *p)
			 : *p == '"' || *p == '\\' ? buf_printf(b, e, "\\%c", *p) : buf_addc(b, *p, e);

		if (rc)
			return -1;
	}
	return 0;
}

int detect_format(const struct detect_result *r, struct mg_buf *out, struct mg_err *e)
{
	if (buf_printf(out, e, "encoding: %s\n", r->summary) ||
	    buf_printf(out, e, "playbook: %s\n",
		       r->encoding ? (*r->encoding ? r->encoding : "(any: the sample is ASCII)")
				   : "(undecided: declare it yourself)") ||
	    buf_printf(out, e, "why: %s\n", r->reason) ||
	    buf_printf(out, e, "sample: %zu values sampled of %llu offered (%llu empty not sampled, %llu cut to %d bytes); "
		       "%zu non-ASCII, %zu of them not valid UTF-8\n",
		       r->values, (unsigned long long)r->offered, (unsigned long long)r->empty,
		       (unsigned long long)r->truncated, DETECT_MAX_VALUE_BYTES, r->nonascii, r->invalid_utf8))
		return -1;
	if ((r->with_nul || r->bom_le || r->bom_be || r->bom_utf8) &&
	    buf_printf(out, e, "utf-16 signs: %zu values with zero bytes (%zu at even, %zu at odd offsets); "
		       "byte-order marks: %zu utf-16le, %zu utf-16be, %zu utf-8\n",
		       r->with_nul, r->nul_even, r->nul_odd, r->bom_le, r->bom_be, r->bom_utf8))
		return -1;
	if (r->verdict == DETECT_UTF8 &&
	    buf_printf(out, e, "repairs: %zu double-encoded (utf8_as_latin1), %zu GBK read as latin1 (gbk_as_latin1), "
		       "%zu with GB18030-2005 private-use characters (gb18030_2005_pua), %zu damaged beyond repair\n",
		       r->double_encoded, r->gbk_as_latin1, r->pua2005, r->damaged))
		return -1;
	for (int k = 0; k < DETECT_NCAND; k++) {
		const struct detect_cand *c = &r->cand[k];

		if (!c->tried)
			continue;
		if (buf_printf(out, e, "candidate %-8s decodes %zu, fails %zu (non-ASCII decoded %zu of %zu%s); "
			       "ideographs %zu, common (%s) %zu = %u.%u%%; private-use %zu\n",
			       c->encoding, c->decoded, c->failed, c->decoded_nonascii, r->nonascii,
			       c->eligible ? "" : ", not eligible", c->hanzi, c->list, c->common, c->permille / 10,
			       c->permille % 10, c->pua))
			return -1;
		for (unsigned i = 0; i < c->nsamples; i++)
			if (buf_addstr(out, "  e.g. \"", e) || add_escaped(out, c->sample[i], e) || buf_addstr(out, "\"\n", e))
				return -1;
	}
	return 0;
}
