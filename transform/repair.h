/* transform/repair.h: named repairs of decoded values, applied only where
 * they provably restore the text.
 *
 * Each rule looks at ONE decoded value (valid UTF-8) and answers:
 *   REPAIR_REPAIRED        the value was damaged in a known, reversible way;
 *                          out holds the restored text (valid UTF-8, no
 *                          longer than the input except where a latin1-read
 *                          CP936 euro byte comes back as the 3-byte €);
 *   REPAIR_NOT_APPLICABLE  the value is not damaged in this rule's way (or
 *                          the proof fails): keep it as it is;
 *   REPAIR_CANNOT          the value carries this rule's damage but the
 *                          original cannot be restored (a byte was lost):
 *                          the caller rejects the record with the reason;
 *   REPAIR_SUSPECT         (gbk_as_latin1 only) the value has the shape of
 *                          the damage but the proof fails: no ASCII letter,
 *                          every character a latin1/cp1252 reading of bytes
 *                          that decode completely as GB18030 into text of
 *                          Chinese shape (two ideographs or more, pairs of
 *                          high bytes, no private-use or control character),
 *                          but too few common characters. Out is empty: the
 *                          value is kept as it is, and the caller counts it
 *                          (fix suspect_mojibake) and records it, so that
 *                          it is never kept silently; it is not rejected,
 *                          because genuine Western text may have this shape.
 * or -1 with e filled (out of memory, a cap). No rule guesses: a rule fires
 * only when reversing the damage gives strictly valid text of the kind the
 * damage is known to hide, and genuine text ("Café", "naïve", "Ñandú",
 * "ÆØÅ", "«»", "©", Chinese, emoji) is never changed. Invalid UTF-8 input
 * is NOT_APPLICABLE for every rule.
 *
 * The rules, in the order repair_value applies them:
 *   utf8_as_latin1    UTF-8 bytes that were read as latin1/cp1252 and written
 *                     again as UTF-8 ("å¸‚" for 市), up to three times over.
 *   gbk_as_latin1     GBK/GB18030 bytes read as latin1/cp1252 and written as
 *                     UTF-8 ("ÖÐÎÄ" for 中文).
 *   gb18030_2005_pua  private-use code points that GB18030-2005 (and -2000)
 *                     mappings gave to 19 characters that have standard code
 *                     points (U+E78D -> U+FE10, U+E81E -> U+9FB4, U+E7C7 ->
 *                     U+1E3F, ...), mapped to the standard ones as
 *                     GB18030-2022 does.
 * and one rule on raw bytes, before decoding:
 *   euro_0x80         repair_bytes_euro80: a lone byte 0x80 (CP936's euro
 *                     sign, invalid in GB18030) becomes GB18030's A2 E3.
 * Every change can be recorded by the caller: the original value, the names
 * of the rules that fired (repair_report.fired, repair_fired_names) and the
 * result. docs/encodings.md explains each rule with examples.
 */
#ifndef MG_REPAIR_H
#define MG_REPAIR_H

#include <stddef.h>

#include "migrate/buf.h"
#include "transform/decode.h"

enum { REPAIR_NOT_APPLICABLE = 0, REPAIR_REPAIRED = 1, REPAIR_CANNOT = 2, REPAIR_SUSPECT = 3 };

enum repair_id {
	REPAIR_UTF8_AS_LATIN1,
	REPAIR_GBK_AS_LATIN1,
	REPAIR_GB18030_2005_PUA,
	REPAIR_NRULES,
};
#define REPAIR_BIT(id) (1u << (id))
/* the value rules (what a table gets unless its playbook says otherwise) */
#define REPAIR_ALL ((1u << REPAIR_NRULES) - 1)
/* the byte rule euro_0x80 in a mask from repair_parse_rules (repair_value
 * ignores it: the caller applies repair_bytes_euro80 before decoding) */
#define REPAIR_EURO80 (1u << REPAIR_NRULES)
#define REPAIR_EURO80_NAME "euro_0x80"
/* a value gbk_as_latin1 answered REPAIR_SUSPECT for, in the caller's mask
 * of what happened to a record (the fix's and migration.repair's name) */
#define REPAIR_SUSPECT_BIT (1u << (REPAIR_NRULES + 1))
#define REPAIR_SUSPECT_NAME "suspect_mojibake"
/* utf8_as_latin1 undoes at most this many layers */
#define REPAIR_MAX_PASSES 3

/* Context: caches the GB18030 decoder gbk_as_latin1 needs and scratch
 * buffers, so repairing a column costs no per-value setup. One per thread. */
struct repair {
	struct mg_decoder gbk;
	int gbk_open;
	struct mg_buf a, b;
};

/* What repair_value did, for the ledger and the audit trail. */
struct repair_report {
	unsigned fired;      /* REPAIR_BIT(id) of every rule that changed the value */
	unsigned passes;     /* layers utf8_as_latin1 undid (0 if it did not fire) */
	int cannot;          /* rule that answered CANNOT, or -1 */
	char why[200];       /* CANNOT: why, for the reject detail */
};

struct repair_rule {
	const char *name;    /* as written in playbooks, ledgers and audit rows */
	const char *what;    /* one line for reports */
	int (*apply)(struct repair *r, const char *in, size_t n, struct mg_buf *out, char *why,
		     size_t whylen, struct mg_err *e);
};
extern const struct repair_rule repair_rules[REPAIR_NRULES];

/* The rule named name, or NULL. */
const struct repair_rule *repair_rule_by_name(const char *name);
/* Parse a comma/space separated list of rule names (the playbook's
 * "repair:") into a mask: rule names and "euro_0x80", "none" (nothing),
 * "all" (every rule, euro_0x80 too). Unknown name -> -1 with a message
 * listing the valid names. */
int repair_parse_rules(const char *list, unsigned *mask, struct mg_err *e);

void repair_init(struct repair *r);
void repair_release(struct repair *r);

/* The rules one by one. in[0..n) is a decoded value; on REPAIRED out is
 * reset and holds the result; on NOT_APPLICABLE and CANNOT out is reset and
 * left empty, and on CANNOT why (may be NULL) gets the reason. r may be
 * NULL (gbk_as_latin1 then opens a decoder for the call). */
int repair_utf8_as_latin1(struct repair *r, const char *in, size_t n, struct mg_buf *out, char *why,
			  size_t whylen, struct mg_err *e);
int repair_gbk_as_latin1(struct repair *r, const char *in, size_t n, struct mg_buf *out, char *why,
			 size_t whylen, struct mg_err *e);
int repair_gb18030_2005_pua(struct repair *r, const char *in, size_t n, struct mg_buf *out, char *why,
			    size_t whylen, struct mg_err *e);

/* Apply the rules in mask in the fixed order above to one value. Returns
 * REPAIRED (out holds the text after every rule that fired), NOT_APPLICABLE
 * (out empty: keep the value), CANNOT (out empty, rep->cannot and rep->why
 * say which rule and why: reject the record), SUSPECT (no rule changed the
 * value and gbk_as_latin1 found it suspect: out empty, keep the value,
 * count and record it; rep->why says why) or -1. Values of ASCII only
 * return at once without allocating. rep may be NULL. */
int repair_value(struct repair *r, unsigned mask, const char *in, size_t n, struct mg_buf *out,
		 struct repair_report *rep, struct mg_err *e);
/* "utf8_as_latin1,gb18030_2005_pua": the names of the rules in fired, in
 * order, comma-separated, into buf (always NUL-terminated). */
const char *repair_fired_names(unsigned fired, char *buf, size_t len);

/* Raw bytes, before a strict GB18030 decode: every lone 0x80 (a byte 0x80
 * that is not the second byte of a two-byte GBK/GB18030 character) is
 * replaced by A2 E3, GB18030's euro sign, as Windows code page 936 reads it.
 * On REPAIRED out (reset first) holds the new bytes (not UTF-8: feed them to
 * the decoder) and *count the number of bytes replaced; otherwise out is
 * reset and left empty. Never CANNOT. Not needed for gbk and cp936, whose
 * decoder reads 0x80 as the euro sign already (transform/decode.h). */
int repair_bytes_euro80(const unsigned char *in, size_t n, struct mg_buf *out, size_t *count,
			struct mg_err *e);

/* Helpers shared with detection. */
/* 1 if code point c is a CJK ideograph (URO, Ext A-H, compatibility). */
int repair_is_ideograph(unsigned long c);
/* 1 if ideograph c is among the ~520 most common Chinese characters:
 * list 1 the simplified forms (GBK text), 2 the traditional forms (Big5
 * text), 0 either. */
int repair_common_hanzi(unsigned long c, int list);
/* Decode one UTF-8 character of a VALID string at s[*i], advancing *i. */
unsigned long repair_utf8_next(const unsigned char *s, size_t n, size_t *i);

#endif
