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
/* norm_phone, and for a landline followed by an extension written
 * "转123", "分机123", "ext.12", "ext 12", "x12" or "-8001" (1 to 6 digits;
 * tried only when the whole value is not a number by itself) the landline
 * and the extension in RFC 3966's form: "0937-6212345;ext=8001", with *ext
 * set to 1 (else 0). Mobiles take no extension. out needs 32 bytes. */
enum norm_phone norm_phone_ext(const char *in, size_t n, const char *area, char out[32], int *ext);
/* norm_phone_ext, telling what it changed beyond spaces and dashes (the
 * fixes a transform counts): on a recognised number *fixes gets
 *   NORM_PHONE_EXT  an extension was read (fix phone_extension)
 *   NORM_PHONE_CC   a country code +86, 0086 or 86 was dropped (fix phone_country_code)
 *   NORM_PHONE_FW   full-width characters were folded (fix fullwidth_folded)
 * and 0 on PHONE_UNRECOGNISED (the value is kept as it is). */
#define NORM_PHONE_EXT 1u
#define NORM_PHONE_CC 2u
#define NORM_PHONE_FW 4u
enum norm_phone norm_phone_fix(const char *in, size_t n, const char *area, char out[32], unsigned *fixes);

/* Replace every occurrence of the names from[i] by to[i] (i < nmap) in
 * in[0..n), scanning left to right and trying the longest name first at
 * each position; replaced text is not scanned again. Writes at most cap
 * bytes (plus a NUL) to out and *outlen. Returns the number of
 * replacements, or -1 if the result would not fit in cap. Empty names
 * never match. */
long norm_replace_names(const char *in, size_t n, const char *const *from, const char *const *to, size_t nmap,
			char *out, size_t cap, size_t *outlen);

/* 1 if in[0..n) is empty or only spaces, tabs and ideographic spaces (U+3000). */
int norm_is_blank(const char *in, size_t n);

enum norm_date { DATE_OK, DATE_ZERO, DATE_INVALID };
/* Parse a date/time with a format of literal characters and the fields
 * %Y (4 digits) %m %d %H %M %S (1-2 digits), %y (2 digits, pivot 50:
 * 00-49 -> 20xx, 50-99 -> 19xx). Full-width digits are folded first;
 * surrounding spaces ignored. Calendar checked (leap years, 30-day months).
 * A value whose digits are all zero (MySQL 0000-00-00 00:00:00) is
 * DATE_ZERO. On DATE_OK out gets "YYYY-MM-DD HH:MM:SS" (local time,
 * Asia/Shanghai); missing time fields are 0. out needs 20 bytes. */
enum norm_date norm_date(const char *in, size_t n, const char *fmt, char out[20]);
/* The same with a two-digit-year pivot (0..100): %y below pivot is 20yy,
 * the others 19yy. norm_date is norm_date_pivot(..., 50, ...). */
enum norm_date norm_date_pivot(const char *in, size_t n, const char *fmt, int pivot, char out[20]);
/* norm_date_pivot with three more fields:
 *   %I  an hour of the 12-hour clock (1-12), with %p
 *   %p  上午 or 下午, AM or PM (any case): 上午 12 is 0 o'clock, 下午 12 noon,
 *       下午 1..11 are 13..23; %p without %I (or %I without %p) is DATE_INVALID
 *   %f  a fraction of a second, 1 to 9 digits (after a literal '.' or ','),
 *       dropped: *subsec is 1 when it was not all zeros (the caller counts
 *       fix subsecond_dropped), else 0.
 * A value with %p is never DATE_ZERO (上午 00:00 is no MySQL zero date). */
enum norm_date norm_date_ex(const char *in, size_t n, const char *fmt, int pivot, char out[20], int *subsec);

/* An Excel serial date: a day count with an optional fraction of a day
 * ("44378", "44378.5625"), full-width digits folded, surrounding spaces
 * ignored. The fraction is rounded to the nearest second.
 *   1900 system (system1904 0): serial 1 is 1900-01-01. Excel counts the
 *     non-existent 1900-02-29 as serial 60 (Lotus 1-2-3's leap-year bug):
 *     serials 1..59 are 1899-12-31 + serial, serials from 61 on are
 *     1899-12-30 + serial, and 60 itself is DATE_INVALID.
 *   1904 system (Mac Excel, "date1904"): serial 1 is 1904-01-02.
 * Serial 0 (Excel's empty date, 1900-01-00) is DATE_ZERO; negative values,
 * exponents, other text and dates after 9999-12-31 are DATE_INVALID. */
enum norm_date norm_excel_date(const char *in, size_t n, int system1904, char out[20]);

/* Unix epoch seconds (ms 0) or milliseconds (ms 1): decimal digits only,
 * full-width folded, surrounding spaces ignored; written as Asia/Shanghai
 * local time (UTC+8). Asia/Shanghai has had no daylight saving time since
 * 1991-09-15: instants before 1992-01-01 00:00 +08 are DATE_INVALID rather
 * than converted with a guessed offset. 0 is DATE_ZERO. *subsec is set to
 * 1 when milliseconds that are not a whole second were dropped (the output
 * has whole seconds), else 0. */
enum norm_date norm_epoch(const char *in, size_t n, int ms, char out[20], int *subsec);

/* GB 11643 resident ID number: full-width folded, 'x' upper-cased; returns
 * 1 if 18 characters with a valid ISO 7064 MOD 11-2 check character, 0 if not.
 * out (19+ bytes, or n+1 if larger) gets the folded text either way; *outlen its length. */
int norm_idno(const char *in, size_t n, char *out, size_t *outlen);

/* A duration (a call's talk time) in whole seconds, from the shapes call
 * switches and their reports write:
 *   "125"                 seconds;
 *   "2分5秒", "1时2分5秒"   numbers with units 时 (or 小时), 分 (or 分钟),
 *                         秒, in that order, each at most once, at least
 *                         one; after a larger unit, minutes and seconds
 *                         are below 60 ("5秒", "2分", "1小时5秒" too);
 *   "00:02:05", "2:05"    h:mm:ss, or m:ss with two parts (a talk time,
 *                         not a time of day): minutes and seconds after a
 *                         colon are two digits below 60.
 * Full-width digits and colons are folded, surrounding spaces ignored.
 * Anything else (signs, fractions, "2分5", "2:5", inner spaces, a number
 * of more than 10 digits, a total above NORM_DURATION_MAX) is invalid.
 * Returns 0 and sets *secs, or -1 (*secs untouched). */
#define NORM_DURATION_MAX 2147483647L
int norm_duration(const char *in, size_t n, long *secs);

#endif
