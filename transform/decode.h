/* transform/decode.h: strict decoding of legacy bytes to UTF-8 with iconv.
 *
 * The GBK family (gbk, gb2312, cp936, gb18030) is decoded as GB18030, the
 * superset, so four-byte sequences and the 0x80 euro sign read right. No
 * //IGNORE, no //TRANSLIT, no '?': a value that does not decode is reported
 * with the byte offset where decoding stopped, and the caller rejects the
 * record with its original bytes. A decoded U+0000 is refused too (the
 * store's text type cannot hold it).
 */
#ifndef MG_DECODE_H
#define MG_DECODE_H

#include <iconv.h>
#include <stddef.h>

#include "migrate/buf.h"

struct mg_decoder {
	iconv_t cd;
	int passthrough;     /* utf-8 declared: validated, copied */
	int euro80;          /* gbk/cp936: the single byte 0x80 is U+20AC */
	int ascii;           /* an ASCII-compatible encoding: ASCII bytes are themselves */
	char name[32];       /* canonical name used with iconv */
};

/* Known names: utf-8 utf8 utf8mb4 gbk gb2312 cp936 gb18030 big5 big5-hkscs
 * latin1 iso-8859-1 cp1252 utf-16le utf-16be (case-insensitive). Unknown ->
 * -1 with a message listing the valid names. gbk and cp936 also read the
 * CP936 single byte 0x80 as the euro sign (GB18030 has no such byte). A BOM
 * (UTF-8 or UTF-16) is kept as the character U+FEFF: removing it is the
 * file driver's business. */
int decoder_open(struct mg_decoder *d, const char *encoding, struct mg_err *e);
void decoder_close(struct mg_decoder *d);
/* Decode in[0..n) appending to out. Returns 0 on success, 1 if the bytes do
 * not decode (*bad = byte offset of the first bad byte; out is left with
 * the partial text, which the caller discards), -1 on error (e filled). */
int decoder_run(struct mg_decoder *d, const unsigned char *in, size_t n, struct mg_buf *out,
		size_t *bad, struct mg_err *e);
/* Strict UTF-8 check (no overlongs, no surrogates, no NUL); returns the
 * offset of the first bad byte or n if valid. */
size_t utf8_valid_prefix(const unsigned char *s, size_t n);
const char *decoder_known_names(void);

#endif
