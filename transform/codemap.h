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

/* Keyword rules of a category field: ordered rules, each a unified code,
 * where to look (CM_IN_TITLE, CM_IN_CONTENT) and words; a text matches a
 * rule when it contains one of its words (exact UTF-8 bytes). The first
 * rule that matches wins. */
#define CM_IN_TITLE 1u
#define CM_IN_CONTENT 2u

struct cm_keywords;

/* Append a rule (allocating *kw on the first); its words follow with
 * cm_keywords_word. */
int cm_keywords_rule(struct cm_keywords **kw, const char *unified, unsigned where, struct mg_err *e);
int cm_keywords_word(struct cm_keywords *kw, const char *word, struct mg_err *e);
/* The unified code of the first rule matching title or content (either may
 * be NULL), or NULL; *rule gets its index when rule is not NULL. */
const char *cm_keywords_match(const struct cm_keywords *kw, const char *title, size_t tn, const char *content,
			      size_t cn, unsigned *rule);
size_t cm_keywords_size(const struct cm_keywords *kw);
const char *cm_keywords_unified(const struct cm_keywords *kw, size_t i);
void cm_keywords_free(struct cm_keywords *kw);

/* Split one CSV record (RFC 4180 quoting, no embedded newlines) into at most
 * max fields, in place. Returns the number of fields, -1 if malformed. */
int csv_split_line(char *line, char **fields, int max);

#endif
