/* transform/codemap.h: a legacy code -> unified value table read from CSV.
 *
 * Mapping tables are small UTF-8 CSV files with a header; the first column
 * is the legacy code, the named column the unified value. Lookups are by
 * exact bytes.
 */
#ifndef MG_CODEMAP_H
#define MG_CODEMAP_H

#include <stddef.h>

#include "migrate/err.h"

struct codemap;

/* Load path; key column is column 0, value column is the one named value_col
 * in the header. *out is set even on failure: free it with codemap_free. */
int codemap_load(struct codemap **out, const char *path, const char *value_col, struct mg_err *e);
void codemap_free(struct codemap *m);
/* Returns the mapped value or NULL. */
const char *codemap_get(const struct codemap *m, const char *key, size_t n);
size_t codemap_size(const struct codemap *m);
/* Iterate: i from 0 to size-1. */
const char *codemap_key(const struct codemap *m, size_t i);
const char *codemap_value(const struct codemap *m, size_t i);

/* Split one CSV record (RFC 4180 quoting, no embedded newlines) into at most
 * max fields, in place. Returns the number of fields, -1 if malformed. */
int csv_split_line(char *line, char **fields, int max);

#endif
