#include "migrate/playbook.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/extractor.h"
#include "extractors/filesrc.h"
#include "migrate/hash.h"
#include "migrate/schema.h"
#include "transform/plan.h"
#include "transform/rules.h"

#define PLAYBOOK_MAX_BYTES (4u << 20)

static const struct pb_keyspec top_keys[] = {
	{"system", "the legacy system: code, hotline, name, department, mode"},
	{"source", "where the records are: driver and its options"},
	{"tables", "the tables or files to migrate"},
	{"thresholds", "the system's error thresholds: {max_reject_ratio, max_rejects, warmup_rows}"},
	{NULL, NULL},
};

static const struct pb_keyspec system_keys[] = {
	{"code", "short system code, e.g. cg12319 (letters, digits, _)"},
	{"hotline", "the number citizens dialled, e.g. 12319"},
	{"name", "name of the line"},
	{"department", "the department that ran it"},
	{"mode", "merge, dual or subcenter"},
	{NULL, NULL},
};

static const struct pb_keyspec table_keys[] = {
	{"name", "legacy table (or file) name"},
	{"target", "work_order (default), work_order_event, call_record, kb_article, or raw (land the rows verbatim)"},
	{"key", "database sources: column that orders the rows and marks the resume point"},
	{"encoding", "declared encoding of text columns (utf-8, gbk, gb18030, gb2312, big5, latin1 ...)"},
	{"encodings", "per-column encoding overrides: column: encoding"},
	{"fields", "unified field: legacy column, or {column, type, ...}"},
	{"dates", "date policy: {zero: null|reject, invalid: null|reject}"},
	{"empty_is_null", "true: a blank or all-space value is NULL for datetime, phone, idno, code, unit and category fields (default false)"},
	{"batch_rows", "rows per batch (default 1000)"},
	{"commit_rows", "rows per load transaction and checkpoint (default 20000)"},
	{"max_field_bytes", "cap on one field's bytes (default 16777216)"},
	{"raw_as", "target raw: bytea (the bytes exactly as stored, default) or text (decoded)"},
	{"land_as", "target raw: name of the landing table (default: the table name, made an identifier)"},
	{"drop_folder", "file sources: true to take each new, complete file matching the name once (default false)"},
	{"settle_seconds", "drop folder: a file is complete when unchanged for this long (default 5)"},
	{"repair", "repair rules for decoded values: utf8_as_latin1, gbk_as_latin1, gb18030_2005_pua, euro_0x80, all, none (default none)"},
	{"watermark", "database sources: a column that grows when a row changes (updated_at, id): extract only rows changed since the last run"},
	{"watermark_overlap", "watermark: re-read this many seconds (or units of a numeric column) before the last watermark (default 0)"},
	{"validate", "validation rules on unified fields: [{rule: closed_after_received}, {field: x, required: true}, ...]"},
	{"thresholds", "the table's error thresholds: {max_reject_ratio, max_rejects, warmup_rows}"},
	{NULL, NULL},
};

void pb_diag(struct playbook *pb, const yaml_node_t *at, const char *fmt, ...)
{
	struct mg_err e = {0};
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_printf(&pb->diags, &e, "%s:%d: %s\n", pb->path, at ? pb_line(at) : 1, msg);
	pb->ndiags++;
}

int pb_line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

yaml_node_t *pb_node(const struct playbook *pb, int id)
{
	return yaml_document_get_node((yaml_document_t *)&pb->doc, id);
}

yaml_node_pair_t *pb_pairs_begin(const yaml_node_t *n)
{
	return n && n->type == YAML_MAPPING_NODE ? n->data.mapping.pairs.start : NULL;
}

yaml_node_pair_t *pb_pairs_end(const yaml_node_t *n)
{
	return n && n->type == YAML_MAPPING_NODE ? n->data.mapping.pairs.top : NULL;
}

const char *pb_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *pb_get(const struct playbook *pb, const yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *p = pb_pairs_begin(map); p && p < pb_pairs_end(map); p++) {
		const char *k = pb_scalar(pb_node(pb, p->key));

		if (k && !strcmp(k, key))
			return pb_node(pb, p->value);
	}
	return NULL;
}

static char *expand(struct playbook *pb, const yaml_node_t *n, struct mg_err *e)
{
	const char *s = pb_scalar(n);
	struct mg_buf b;

	buf_init(&b, 1u << 16, "playbook value");
	while (*s) {
		const char *end;

		if (s[0] == '$' && s[1] == '{' && (end = strchr(s, '}'))) {
			char name[128];
			const char *v;
			size_t len = (size_t)(end - s - 2);

			if (len == 0 || len >= sizeof(name)) {
				mg_err_set(e, MG_E_CONFIG, "%s:%d: bad variable reference", pb->path, pb_line(n));
				goto fail;
			}
			memcpy(name, s + 2, len);
			name[len] = '\0';
			{
				/* ${NAME:-default} */
				char *dflt = strstr(name, ":-");

				if (dflt) {
					*dflt = '\0';
					dflt += 2;
				}
				v = getenv(name);
				if ((!v || !*v) && dflt)
					v = dflt;
			}
			if (!v) {
				mg_err_set(e, MG_E_CONFIG, "environment variable '%s' named at %s:%d is not set",
					   name, pb->path, pb_line(n));
				goto fail;
			}
			if (buf_addstr(&b, v, e))
				goto fail;
			s = end + 1;
		} else if (buf_addc(&b, *s++, e)) {
			goto fail;
		}
	}
	return buf_detach(&b, NULL);
fail:
	buf_release(&b);
	return NULL;
}

int pb_get_str(struct playbook *pb, const yaml_node_t *map, const char *key, char **out,
	       struct mg_err *e)
{
	yaml_node_t *n = pb_get(pb, map, key);

	*out = NULL;
	if (!n)
		return 0;
	if (!pb_scalar(n))
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: '%s' must be a single value", pb->path,
				  pb_line(n), key);
	*out = expand(pb, n, e);
	return *out ? 0 : -1;
}

int pb_get_uint(struct playbook *pb, const yaml_node_t *map, const char *key, unsigned long long dflt,
		unsigned long long max, unsigned long long *out, struct mg_err *e)
{
	yaml_node_t *n = pb_get(pb, map, key);
	const char *s = pb_scalar(n);
	char *end;
	unsigned long long v;

	*out = dflt;
	if (!n)
		return 0;
	errno = 0;
	v = s ? strtoull(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || v == 0 || v > max)
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: '%s' must be a whole number from 1 to %llu",
				  pb->path, pb_line(n), key, max);
	*out = v;
	return 0;
}

char *pb_path(const struct playbook *pb, const char *file)
{
	size_t n;
	char *p;

	if (file[0] == '/')
		return strdup(file);
	if (!strcmp(file, "."))
		return strdup(pb->dir);
	n = strlen(pb->dir) + strlen(file) + 2;
	p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", pb->dir, file);
	return p;
}

void pb_check_keys(struct playbook *pb, const yaml_node_t *map, const char *where,
		   const struct pb_keyspec *spec)
{
	pb_check_keys2(pb, map, where, spec, NULL);
}

static int in_spec(const struct pb_keyspec *spec, const char *k)
{
	for (const struct pb_keyspec *s = spec; s && s->key; s++)
		if (!strcmp(s->key, k))
			return 1;
	return 0;
}

void pb_check_keys2(struct playbook *pb, const yaml_node_t *map, const char *where,
		    const struct pb_keyspec *spec, const struct pb_keyspec *spec2)
{
	for (yaml_node_pair_t *p = pb_pairs_begin(map); p && p < pb_pairs_end(map); p++) {
		yaml_node_t *kn = pb_node(pb, p->key);
		const char *k = pb_scalar(kn);
		const struct pb_keyspec *s;
		char valid[512] = "";
		size_t used = 0;

		if (!k || in_spec(spec, k) || in_spec(spec2, k))
			continue;
		if (!strcmp(k, "password")) {
			pb_diag(pb, kn, "a password must not be written in a playbook: name an environment "
				"variable with 'password_env' or use an option file");
			continue;
		}
		for (s = spec; s->key && used < sizeof(valid) - 40; s++)
			used += (size_t)snprintf(valid + used, sizeof(valid) - used, "%s%s",
						 s == spec ? "" : ", ", s->key);
		for (s = spec2; s && s->key && used < sizeof(valid) - 40; s++)
			used += (size_t)snprintf(valid + used, sizeof(valid) - used, ", %s", s->key);
		pb_diag(pb, kn, "unknown key '%s' in %s; valid keys: %s", k, where, valid);
	}
}

static const char *req_scalar(struct playbook *pb, const yaml_node_t *map, const char *key,
			      const char *where)
{
	yaml_node_t *n = pb_get(pb, map, key);
	const char *s = pb_scalar(n);

	if (!n)
		pb_diag(pb, map, "%s needs '%s'", where, key);
	else if (!s || !*s)
		pb_diag(pb, n, "'%s' in %s must be a non-empty value", key, where);
	return s && *s ? s : NULL;
}

static int read_file(const char *path, struct mg_buf *b, struct mg_err *e)
{
	FILE *f = fopen(path, "rb");
	char tmp[65536];
	size_t n;

	if (!f)
		return mg_err_set(e, MG_E_IO, "cannot open playbook '%s': %s", path, strerror(errno));
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		if (buf_add(b, tmp, n, e)) {
			fclose(f);
			return -1;
		}
	if (ferror(f)) {
		fclose(f);
		return mg_err_set(e, MG_E_IO, "cannot read playbook '%s': %s", path, strerror(errno));
	}
	fclose(f);
	return 0;
}

static void check_system(struct playbook *pb, yaml_node_t *sys)
{
	const char *code, *mode;

	if (!sys || sys->type != YAML_MAPPING_NODE) {
		pb_diag(pb, sys, "'system' must be a mapping with code, hotline, name, department, mode");
		return;
	}
	pb_check_keys(pb, sys, "system", system_keys);
	code = req_scalar(pb, sys, "code", "system");
	pb->system.hotline = req_scalar(pb, sys, "hotline", "system");
	pb->system.name = pb_scalar(pb_get(pb, sys, "name"));
	pb->system.department = pb_scalar(pb_get(pb, sys, "department"));
	mode = req_scalar(pb, sys, "mode", "system");
	if (code) {
		for (const char *c = code; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) {
				pb_diag(pb, pb_get(pb, sys, "code"),
					"system code '%s' may hold only lowercase letters, digits and '_'", code);
				break;
			}
		if (strlen(code) > 31)
			pb_diag(pb, pb_get(pb, sys, "code"), "system code '%s' is longer than 31 characters", code);
	}
	pb->system.code = code;
	if (mode && strcmp(mode, "merge") && strcmp(mode, "dual") && strcmp(mode, "subcenter"))
		pb_diag(pb, pb_get(pb, sys, "mode"), "unknown mode '%s'; valid: merge, dual, subcenter", mode);
	pb->system.mode = mode;
}

static void check_source(struct playbook *pb, yaml_node_t *src)
{
	const struct source_driver *d;

	if (!src || src->type != YAML_MAPPING_NODE) {
		pb_diag(pb, src, "'source' must be a mapping with 'driver' and its options");
		return;
	}
	pb->driver = req_scalar(pb, src, "driver", "source");
	if (!pb->driver)
		return;
	d = source_driver_find(pb->driver);
	if (!d && source_driver_known(pb->driver)) {
		pb_diag(pb, pb_get(pb, src, "driver"), "support for source driver '%s' is not compiled in", pb->driver);
		return;
	}
	if (!d) {
		char names[256];

		source_driver_names(names, sizeof(names));
		pb_diag(pb, pb_get(pb, src, "driver"), "unknown source driver '%s'; valid: %s", pb->driver, names);
		return;
	}
	pb_check_keys(pb, src, d->name, d->options);
}

/* A message of pb_get_* starts with "path:line: "; a diagnostic adds its own. */
static const char *bare(const struct playbook *pb, const char *msg)
{
	size_t n = strlen(pb->path);

	if (!strncmp(msg, pb->path, n) && msg[n] == ':') {
		const char *p = msg + n + 1;

		while (*p >= '0' && *p <= '9')
			p++;
		if (p[0] == ':' && p[1] == ' ')
			return p + 2;
	}
	return msg;
}

static void check_table(struct playbook *pb, struct pb_table *t, yaml_node_t *n)
{
	struct mg_err e = {0};
	unsigned long long v;

	t->pb = pb;
	t->node = n;
	if (!n || n->type != YAML_MAPPING_NODE) {
		pb_diag(pb, n, "each entry of 'tables' must be a mapping with name, key, encoding and fields");
		return;
	}
	{
		/* valid table keys: the common ones, the driver's, the file format's */
		const struct source_driver *d = pb->driver ? source_driver_find(pb->driver) : NULL;
		const char *fmt = pb_scalar(pb_get(pb, pb->source, "format"));
		const struct file_format *ff = d ? file_format_find(fmt ? fmt : d->name) : NULL;
		struct pb_keyspec extra[96];
		size_t k = 0;

		for (const struct pb_keyspec *x = d ? d->table_options : NULL; x && x->key && k < 95; x++)
			extra[k++] = *x;
		for (const struct pb_keyspec *x = ff ? ff->options : NULL; x && x->key && k < 95; x++)
			extra[k++] = *x;
		extra[k] = (struct pb_keyspec){NULL, NULL};
		pb_check_keys2(pb, n, "a table", table_keys, extra);
	}
	t->name = req_scalar(pb, n, "name", "a table");
	t->key = pb_scalar(pb_get(pb, n, "key"));
	t->target = pb_scalar(pb_get(pb, n, "target"));
	if (!t->target)
		t->target = "work_order";
	if (!schema_table_find(t->target))
		pb_diag(pb, pb_get(pb, n, "target"), "unknown target '%s'; valid: work_order, work_order_event,"
			" call_record, kb_article, raw", t->target);
	{
		const char *ra = pb_scalar(pb_get(pb, n, "raw_as"));

		if (ra && strcmp(ra, "bytea") && strcmp(ra, "text"))
			pb_diag(pb, pb_get(pb, n, "raw_as"), "raw_as must be bytea or text, not '%s'", ra);
		t->raw_text = ra && !strcmp(ra, "text");
	}
	t->land_as = pb_scalar(pb_get(pb, n, "land_as"));
	{
		const char *df = pb_scalar(pb_get(pb, n, "drop_folder"));

		if (df && strcmp(df, "true") && strcmp(df, "false"))
			pb_diag(pb, pb_get(pb, n, "drop_folder"), "drop_folder must be true or false, not '%s'", df);
		t->drop_folder = df && !strcmp(df, "true");
		if (t->drop_folder && pb->driver && strcmp(pb->driver, "csv") && strcmp(pb->driver, "fixed") &&
		    strcmp(pb->driver, "dbf") && strcmp(pb->driver, "xlsx"))
			pb_diag(pb, pb_get(pb, n, "drop_folder"), "drop_folder is supported by the csv, fixed, dbf and xlsx"
				" drivers, not by '%s'", pb->driver);
		if (pb_get_uint(pb, n, "settle_seconds", 5, 86400, &v, &e))
			pb_diag(pb, pb_get(pb, n, "settle_seconds"), "%s", bare(pb, e.msg)), mg_err_clear(&e);
		t->settle_seconds = (unsigned)v;
	}
	t->repair = pb_scalar(pb_get(pb, n, "repair"));
	t->watermark = pb_scalar(pb_get(pb, n, "watermark"));
	if (pb_get(pb, n, "watermark_overlap") && !pb_scalar(pb_get(pb, n, "watermark_overlap"))[0])
		pb_diag(pb, pb_get(pb, n, "watermark_overlap"), "watermark_overlap must be a number");
	if (pb_get_uint(pb, n, "watermark_overlap", 0, 31536000, &v, &e))
		pb_diag(pb, pb_get(pb, n, "watermark_overlap"), "%s", bare(pb, e.msg)), mg_err_clear(&e);
	t->watermark_overlap = (unsigned)v;
	if (t->watermark_overlap && !t->watermark)
		pb_diag(pb, pb_get(pb, n, "watermark_overlap"), "watermark_overlap needs 'watermark'");
	if (!strcmp(t->target, "raw") && !t->raw_text)
		t->encoding = pb_scalar(pb_get(pb, n, "encoding")); /* bytes are landed undecoded */
	else
		t->encoding = req_scalar(pb, n, "encoding", "a table");
	t->encodings = pb_get(pb, n, "encodings");
	t->fields = pb_get(pb, n, "fields");
	t->dates = pb_get(pb, n, "dates");
	if (!strcmp(t->target, "raw")) {
		if (t->fields)
			pb_diag(pb, t->fields, "a raw landing takes every column as it is: remove 'fields'");
	} else if (!t->fields || t->fields->type != YAML_MAPPING_NODE) {
		pb_diag(pb, t->fields ? t->fields : n, "a table needs 'fields': a mapping of unified field to legacy column");
	}
	if (pb_get_uint(pb, n, "batch_rows", 1000, 100000, &v, &e))
		pb_diag(pb, pb_get(pb, n, "batch_rows"), "%s", bare(pb, e.msg)), mg_err_clear(&e);
	t->batch_rows = (unsigned)v;
	if (pb_get_uint(pb, n, "commit_rows", 20000, 10000000, &v, &e))
		pb_diag(pb, pb_get(pb, n, "commit_rows"), "%s", bare(pb, e.msg)), mg_err_clear(&e);
	t->commit_rows = (unsigned)v;
	if (pb_get_uint(pb, n, "max_field_bytes", 16u << 20, 1u << 30, &v, &e))
		pb_diag(pb, pb_get(pb, n, "max_field_bytes"), "%s", bare(pb, e.msg)), mg_err_clear(&e);
	t->max_field_bytes = (size_t)v;
	plan_check(pb, t);
	rules_check_table(pb, t);
}

int playbook_load(struct playbook **pbp, const char *path, struct mg_err *e)
{
	struct playbook *pb = calloc(1, sizeof(*pb));
	struct mg_buf text;
	yaml_parser_t parser;
	yaml_node_t *root, *tables;
	struct mg_hasher *h;
	char *slash;

	*pbp = pb;
	if (!pb)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	buf_init(&pb->diags, 1u << 20, "diagnostics");
	pb->path = strdup(path);
	pb->dir = strdup(path);
	if (!pb->path || !pb->dir)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	slash = strrchr(pb->dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(pb->dir, ".");

	buf_init(&text, PLAYBOOK_MAX_BYTES, "playbook size (4 MiB)");
	if (read_file(path, &text, e)) {
		buf_release(&text);
		return -1;
	}
	h = hasher_new();
	if (!h) {
		buf_release(&text);
		return mg_err_set(e, MG_E_INTERNAL, "cannot initialise SHA-256 from libcrypto");
	}
	hasher_hex(h, text.ptr ? text.ptr : (unsigned char *)"", text.len, pb->sha256);
	hasher_free(h);

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, text.ptr ? text.ptr : (unsigned char *)"", text.len);
	if (!yaml_parser_load(&parser, &pb->doc)) {
		mg_err_set(e, MG_E_CONFIG, "%s:%zu: malformed YAML: %s%s%s", path,
			   (parser.problem_mark.line ? parser.problem_mark.line : parser.context_mark.line) + 1,
			   parser.problem ? parser.problem : "syntax error",
			   parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		buf_release(&text);
		{
			struct mg_err tmp = {0};

			buf_printf(&pb->diags, &tmp, "%s\n", e->msg);
			pb->ndiags++;
		}
		return -1;
	}
	pb->have_doc = 1;
	yaml_parser_delete(&parser);
	buf_release(&text);

	root = yaml_document_get_root_node(&pb->doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		pb_diag(pb, root, "a playbook must be a mapping with system, source and tables");
		goto out;
	}
	pb_check_keys(pb, root, "the playbook", top_keys);
	check_system(pb, pb_get(pb, root, "system"));
	pb->source = pb_get(pb, root, "source");
	check_source(pb, pb->source);
	rules_check_playbook(pb);
	tables = pb_get(pb, root, "tables");
	if (!tables || tables->type != YAML_SEQUENCE_NODE ||
	    tables->data.sequence.items.top == tables->data.sequence.items.start) {
		pb_diag(pb, tables ? tables : root, "'tables' must be a list of at least one table");
		goto out;
	}
	pb->ntables = (unsigned)(tables->data.sequence.items.top - tables->data.sequence.items.start);
	pb->tables = calloc(pb->ntables, sizeof(*pb->tables));
	if (!pb->tables)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	for (unsigned i = 0; i < pb->ntables; i++)
		check_table(pb, &pb->tables[i], pb_node(pb, tables->data.sequence.items.start[i]));
out:
	if (pb->ndiags) {
		char first[900];
		const char *d = buf_cstr(&pb->diags);
		size_t n = strcspn(d, "\n");

		if (n >= sizeof(first))
			n = sizeof(first) - 1;
		memcpy(first, d, n);
		first[n] = '\0';
		if (pb->ndiags > 1)
			return mg_err_set(e, MG_E_CONFIG, "%s (and %u more problems: run 'migrate check')",
					  first, pb->ndiags - 1);
		return mg_err_set(e, MG_E_CONFIG, "%s", first);
	}
	return 0;
}

void playbook_free(struct playbook *pb)
{
	if (!pb)
		return;
	if (pb->have_doc)
		yaml_document_delete(&pb->doc);
	buf_release(&pb->diags);
	free(pb->tables);
	free(pb->path);
	free(pb->dir);
	free(pb);
}
