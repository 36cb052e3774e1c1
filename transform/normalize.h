/* transform/normalize.h: value normalisation on UTF-8 text.
 *
 * Pure functions, no allocation: each writes into a caller's buffer and
 * returns a status. None guesses: input it cannot normalise is reported,
 * and the caller's policy decides (keep and count, or reject).
 */
#ifndef MG_NORMALIZE_H
#define MG_NORMALIZE_H

#include <stddef.h>

/* Fold full-width ASCII (U+FF01..U+FF5E) to ASCII by offset, and the
 * ideographic space U+3000 to ' '. Not NFKC: nothing else changes.
 * out must hold n+1 bytes (folding never lengthens). Returns the number of
 * characters folded; *outlen gets the length. */
size_t norm_fold_fullwidth(const char *in, size_t n, char *out, size_t *outlen);

enum norm_phone { PHONE_MOBILE, PHONE_LANDLINE, PHONE_UNRECOGNISED };
/* Normalise a phone number: full-width folded, spaces, dashes, dots and
 * brackets removed, +86/0086/86 prefix of a mobile dropped.
 *   mobile (1[3-9] + 9 digits)          -> "13912345678"
 *   landline with 0937 or without area  -> "0937-6212345" (7 or 8 local digits)
 * The local area code is a parameter (Jiayuguan: "0937"). out needs 32 bytes.
 * On PHONE_UNRECOGNISED out is untouched. */
enum norm_phone norm_phone(const char *in, size_t n, const char *area, char out[32]);

enum norm_date { DATE_OK, DATE_ZERO, DATE_INVALID };
/* Parse a date/time with a format of literal characters and the fields
 * %Y (4 digits) %m %d %H %M %S (1-2 digits), %y (2 digits, pivot 50:
 * 00-49 -> 20xx, 50-99 -> 19xx). Full-width digits are folded first;
 * surrounding spaces ignored. Calendar checked (leap years, 30-day months).
 * A value whose digits are all zero (MySQL 0000-00-00 00:00:00) is
 * DATE_ZERO. On DATE_OK out gets "YYYY-MM-DD HH:MM:SS" (local time,
 * Asia/Shanghai); missing time fields are 0. out needs 20 bytes. */
enum norm_date norm_date(const char *in, size_t n, const char *fmt, char out[20]);

/* GB 11643 resident ID number: full-width folded, 'x' upper-cased; returns
 * 1 if 18 characters with a valid ISO 7064 MOD 11-2 check character, 0 if not.
 * out (19+ bytes, or n+1 if larger) gets the folded text either way; *outlen its length. */
int norm_idno(const char *in, size_t n, char *out, size_t *outlen);

#endif
