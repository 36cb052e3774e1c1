/* migrate/playbook.h: one legacy system described in YAML.
 *
 * The playbook is parsed with libyaml's document API and kept as a tree, so
 * every value keeps its line for `file:line` diagnostics and drivers read
 * their own options from it (pb_get_*). Values may name environment
 * variables as ${NAME}; credentials come only from the environment
 * (password_env), never from the file. docs/playbooks.md is the reference.
 */
#ifndef MG_PLAYBOOK_H
#define MG_PLAYBOOK_H

#include <stddef.h>
#include <yaml.h>

#include "migrate/buf.h"
#include "migrate/err.h"

struct playbook;

struct pb_table {
	struct playbook *pb;
	yaml_node_t *node;
	const char *name;        /* legacy table or file */
	const char *target;      /* unified table: work_order */
	const char *key;         /* column giving keyset order and resume point */
	const char *encoding;    /* declared encoding of text columns */
	yaml_node_t *encodings;  /* per-column overrides: column -> encoding */
	yaml_node_t *fields;     /* unified field -> column or spec */
	yaml_node_t *dates;      /* date policy defaults */
	unsigned batch_rows;
	unsigned commit_rows;
	size_t max_field_bytes;
	int raw_text;            /* target raw: land decoded text (raw_as: text), else bytes */
	const char *land_as;     /* target raw: the landing table's name */
	int drop_folder;         /* file sources: take each new complete file once */
	unsigned settle_seconds; /* drop folder: a file is complete when unchanged this long */
	const char *repair;      /* repair rules for decoded values (transform/repair.h), or NULL */
	const char *watermark;   /* database sources: column of the incremental watermark */
	unsigned watermark_overlap; /* seconds (or units of a numeric watermark) re-read before it */
};

struct playbook {
	char *path;
	char *dir;               /* directory of the playbook, for relative files */
	char sha256[65];
	yaml_document_t doc;
	int have_doc;
	struct {
		const char *code, *hotline, *name, *department, *mode;
	} system;
	yaml_node_t *source;
	const char *driver;
	struct pb_table *tables;
	unsigned ntables;
	struct mg_buf diags;     /* "file:line: message\n" lines */
	unsigned ndiags;
};

/* Load and check the structure. Every mistake found is added to pb->diags;
 * returns -1 (with e naming the first) if there was any. The playbook must
 * be freed with playbook_free even after a failure. */
int playbook_load(struct playbook **pbp, const char *path, struct mg_err *e);
void playbook_free(struct playbook *pb);

/* Report a mistake at a node: "file:line: message". */
void pb_diag(struct playbook *pb, const yaml_node_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

yaml_node_t *pb_get(const struct playbook *pb, const yaml_node_t *map, const char *key);
const char *pb_scalar(const yaml_node_t *n);  /* NULL unless a scalar */
int pb_line(const yaml_node_t *n);
/* A scalar option as a string with ${VAR} expanded (caller frees). Returns
 * 0 with *out NULL when absent, -1 on error (e.g. an unset variable). */
int pb_get_str(struct playbook *pb, const yaml_node_t *map, const char *key, char **out,
	       struct mg_err *e);
int pb_get_uint(struct playbook *pb, const yaml_node_t *map, const char *key, unsigned long long dflt,
		unsigned long long max, unsigned long long *out, struct mg_err *e);
/* Resolve a file named in the playbook relative to its directory (caller frees). */
char *pb_path(const struct playbook *pb, const char *file);

/* Option specifications, for checking keys and telling what would be valid. */
struct pb_keyspec {
	const char *key;
	const char *help;
};
/* Diagnose keys of map that are not in spec (NULL-terminated). */
void pb_check_keys(struct playbook *pb, const yaml_node_t *map, const char *where,
		   const struct pb_keyspec *spec);
/* The same with a second list of valid keys (may be NULL). */
void pb_check_keys2(struct playbook *pb, const yaml_node_t *map, const char *where,
		    const struct pb_keyspec *spec, const struct pb_keyspec *spec2);

/* Iterate a mapping: for (yaml_node_pair_t *p = pb_pairs_begin(n); p && p < pb_pairs_end(n); p++) */
yaml_node_pair_t *pb_pairs_begin(const yaml_node_t *n);
yaml_node_pair_t *pb_pairs_end(const yaml_node_t *n);
yaml_node_t *pb_node(const struct playbook *pb, int id);

#endif
