/* transform/detect.h: which encoding a column is in, decided over a sample
 * of its values, with the evidence.
 *
 * The caller feeds the raw bytes of one column's values (detect_add; NULLs
 * are not fed), then asks detect_decide. The sample is the first values
 * offered, up to DETECT_MAX_VALUES values and DETECT_MAX_BYTES bytes, each
 * value cut at DETECT_MAX_VALUE_BYTES; no randomness, so the same input
 * gives the same answer. The decision is over the whole sample, never value
 * by value:
 *   1. every value ASCII                               -> ascii (any declared
 *      encoding reads it)
 *   2. every non-ASCII value valid UTF-8               -> utf-8, with the
 *      values that the repair rules would change counted (double-encoded
 *      UTF-8, GBK read as latin1, GB18030-2005 private-use code points)
 *   3. zero bytes in most non-ASCII values, nearly all at odd (even) offsets,
 *      and the sample decodes as UTF-16LE (BE)         -> utf-16le (utf-16be);
 *      likewise when most values begin with a byte-order mark
 *   4. otherwise the sample is decoded strictly with each candidate (utf-8,
 *      gbk, big5, utf-16le, utf-16be); a candidate must decode at least 90% of
 *      the non-ASCII values, and is scored by the share of its decoded CJK
 *      ideographs that are among the ~520 most common Chinese characters
 *      (simplified for gbk, traditional for big5, either for utf-8/16).
 *      The best score wins if it is at least 15%, over at least 8
 *      ideographs, and at least twice the next eligible candidate's.
 *   Anything else is undecided: latin1, cp1252 and the like are never
 *   guessed (every byte sequence is valid latin1, so no evidence proves it).
 * docs/encodings.md explains the evidence for department IT.
 */
#ifndef MG_DETECT_H
#define MG_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "migrate/buf.h"

#define DETECT_MAX_VALUES 10000
#define DETECT_MAX_BYTES (4u << 20)
#define DETECT_MAX_VALUE_BYTES 4096
#define DETECT_NSAMPLES 3
#define DETECT_SAMPLE_BYTES 96

struct detect_value {
	uint32_t off, len;
	unsigned truncated : 1;
};

struct detect {
	struct mg_buf bytes;          /* the sampled values back to back */
	struct detect_value *v;
	size_t nv, valloc, max_values;
	uint64_t offered;             /* values offered, sampled or not */
	uint64_t empty;               /* empty values offered (not sampled) */
	uint64_t truncated;           /* sampled values cut to DETECT_MAX_VALUE_BYTES */
	int full;
};

enum detect_verdict {
	DETECT_EMPTY,      /* nothing sampled */
	DETECT_ASCII,
	DETECT_UTF8,
	DETECT_GBK,
	DETECT_BIG5,
	DETECT_UTF16LE,
	DETECT_UTF16BE,
	DETECT_UNDECIDED,
};

enum detect_cand_id { CAND_UTF8, CAND_GBK, CAND_BIG5, CAND_UTF16LE, CAND_UTF16BE, DETECT_NCAND };

struct detect_cand {
	const char *encoding;      /* decoder name, as written in a playbook */
	const char *list;          /* common-character list used: "simplified", "traditional", "either" */
	int tried;                 /* evaluated at all (step 4, or the verdict's own) */
	size_t decoded, failed;    /* sampled values that decode strictly / do not */
	size_t decoded_nonascii;   /* of the decoded, those with a byte outside 01..7F */
	size_t hanzi, common;      /* CJK ideographs decoded; of them in the common list */
	size_t pua;                /* private-use characters decoded (a sign of a wrong reading) */
	unsigned permille;         /* common * 1000 / hanzi */
	int eligible;              /* decoded at least 90% of the non-ASCII values */
	unsigned nsamples;
	char sample[DETECT_NSAMPLES][DETECT_SAMPLE_BYTES]; /* decoded values (UTF-8, cut at a character) */
};

struct detect_result {
	enum detect_verdict verdict;
	const char *encoding;     /* for the playbook: "utf-8", "gbk", ...; "" for ascii; NULL if none */
	int weak;                 /* decided on fewer than 20 non-ASCII values */
	char summary[160];        /* "utf-8 (double-encoded in 12 values)", "gbk", "undecided" */
	char reason[400];         /* why this verdict, in one sentence */
	/* the sample */
	uint64_t offered, empty, truncated;
	size_t values, nonascii;  /* sampled values; of them with a byte outside 01..7F */
	size_t invalid_utf8;      /* non-ASCII values that are not valid UTF-8 */
	/* UTF-16 signs */
	size_t with_nul, nul_even, nul_odd, bom_le, bom_be, bom_utf8;
	/* what the repair rules would do to the values, when the verdict is utf-8 */
	size_t double_encoded, gbk_as_latin1, pua2005, damaged;
	struct detect_cand cand[DETECT_NCAND];
};

/* max_values / max_bytes: 0 = the defaults above (and never above them). */
void detect_init(struct detect *d, size_t max_values, size_t max_bytes);
void detect_release(struct detect *d);
/* Offer one value's raw bytes. Returns 0 (sampled or, once the sample is
 * full, counted only) or -1 (out of memory). */
int detect_add(struct detect *d, const void *p, size_t n, struct mg_err *e);
static inline int detect_full(const struct detect *d) { return d->full; }
/* Decide (the sample is not changed; call again after more values). */
int detect_decide(const struct detect *d, struct detect_result *r, struct mg_err *e);
/* The result as text for people: the verdict, the reason and the evidence
 * table, one fact a line; control characters in samples shown as \xHH. */
int detect_format(const struct detect_result *r, struct mg_buf *out, struct mg_err *e);
const char *detect_verdict_name(enum detect_verdict v);

#endif
