/* migrate/hash.h: record hashes and order-independent content totals.
 *
 * A record's hash is the first 8 bytes of the SHA-256 of its canonical form,
 * read big-endian as an unsigned 64-bit number. A content total is the sum of
 * the record hashes modulo 2^64: independent of order, so a source read by
 * key and a target read by anything else give the same total for the same
 * multiset of records.
 *
 * Canonical form of a row (both domains): for each column in order,
 *   NULL  -> the byte 'N'
 *   value -> 'V', the byte length in decimal ASCII, ':', the bytes
 * e.g. (1, 'ab', NULL) -> "V1:1V2:abN". docs/auditors.md shows the SQL that
 * recomputes it in MariaDB (SHA2) and PostgreSQL (sha256).
 */
#ifndef MG_HASH_H
#define MG_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "migrate/buf.h"

struct mg_hasher;

struct mg_hasher *hasher_new(void);
void hasher_free(struct mg_hasher *h);
uint64_t hasher_digest64(struct mg_hasher *h, const void *p, size_t n);
/* Full SHA-256, hex encoded into out[65]. */
void hasher_hex(struct mg_hasher *h, const void *p, size_t n, char out[65]);

/* Append one field of a canonical form. */
int canon_add(struct mg_buf *b, const void *p, size_t n, int isnull, struct mg_err *e);

#endif
