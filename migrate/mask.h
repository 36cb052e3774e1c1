/* migrate/mask.h: masking of personal data in reports and reject exports.
 *
 * Every function reads UTF-8 text s[0..n) and appends the masked text to
 * out (a capped buffer: the only error is the cap, or memory). A "digit" is
 * an ASCII digit or a full-width digit (U+FF10..U+FF19, UTF-8 EF BC 90..99);
 * a masked digit becomes one '*'. A byte that is not part of valid UTF-8
 * counts as one character and is never kept. docs/reports.md describes the
 * rules for auditors; the SQL functions migration.mask_phone/mask_name/
 * mask_id in the store follow the same shape.
 */
#ifndef MG_MASK_H
#define MG_MASK_H

#include <stddef.h>

#include "migrate/buf.h"
#include "migrate/err.h"

enum mask_kind {
	MASK_NONE,   /* shown as it is (keys, codes) */
	MASK_SCAN,   /* free text: phone and ID numbers inside it masked (mask_scan) */
	MASK_NAME,   /* a person's name (mask_name) */
	MASK_PHONE,  /* a phone number (mask_phone) */
	MASK_ID,     /* an ID-card number (mask_id) */
	MASK_ALL,    /* nothing shown but the length: "[masked, N chars]" */
	MASK_SHAPE,  /* text of unknown layout: only its shape shown (mask_shape) */
};

/* A phone number: with 11 digits or more (mobile, or landline with area
 * code) the first 3 and the last 4 digits are kept; with 7 to 10 digits
 * (a local number) the last 4; with fewer, none. Other digits become '*'.
 * Spaces and ASCII punctuation are kept; any other character (a letter, a
 * name written into the field) becomes '*'.
 * "13912345678" -> "139****5678", "0937-6252000" -> "093*-***2000",
 * "6252000" -> "***2000". */
int mask_phone(const char *s, size_t n, struct mg_buf *out, struct mg_err *e);
/* A name: the first character, then one '*' per further character (at
 * least one). "王小明" -> "王**", "欧阳" -> "欧*", "王" -> "王*". */
int mask_name(const char *s, size_t n, struct mg_buf *out, struct mg_err *e);
/* An ID number: with 10 characters or more the first 6 and the last 4
 * are kept, the rest '*'; shorter values are all '*'.
 * "62092219780226908X" -> "620922********908X". */
int mask_id(const char *s, size_t n, struct mg_buf *out, struct mg_err *e);
/* Free text: finds numbers that look like personal data and masks them in
 * place, leaving every other character as it is. A number is a run of
 * digits; runs joined by one space or '-' are also tried together (so
 * "139 1234 5678" and "+86 139-1234-5678" are found). Masked:
 *   - 11 digits starting with 1 (mobile), or 86 followed by such 11 digits:
 *     first 3 and last 4 digits kept;
 *   - 0937 followed by 7 or 8 digits, with or without '-' (landline):
 *     first 3 and last 4 digits kept;
 *   - 17 digits followed by a digit or X/x (18-character ID number), and
 *     15 digits (old ID number): first 6 and last 4 characters kept.
 * Runs of other lengths (order numbers, dates, amounts) are left alone. */
int mask_scan(const char *s, size_t n, struct mg_buf *out, struct mg_err *e);
/* Text whose columns are not known (a record that could not be split):
 * mask_scan first, then every letter and every non-ASCII character becomes
 * '*'; digits, spaces and ASCII punctuation stay, so the record's shape
 * (delimiters, quotes, numbers) can still be seen.
 * "2,王小明,\"a\"b" -> "2,***,\"*\"*". */
int mask_shape(const char *s, size_t n, struct mg_buf *out, struct mg_err *e);
/* Dispatch on kind. */
int mask_value(enum mask_kind kind, const char *s, size_t n, struct mg_buf *out, struct mg_err *e);
/* "name", "phone", "id", "scan", "all", "shape", "none". */
const char *mask_kind_name(enum mask_kind kind);

#endif
