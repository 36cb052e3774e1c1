#include "transform/plan.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate/copyfmt.h"
#include "migrate/hash.h"
#include "transform/codemap.h"
#include "transform/decode.h"
#include "transform/normalize.h"
#include "transform/repair.h"
#include "transform/rules.h"

enum op { OP_TEXT, OP_DATETIME, OP_PHONE, OP_IDNO, OP_CATEGORY, OP_CODE, OP_UNIT, OP_DURATION, OP_CONST };
enum pol { POL_REJECT, POL_NULL, POL_KEEP, POL_DEFAULT };

#define MAX_FORMATS 8
#define MAX_DECODERS 8

static const char *const op_names[] = {"text", "datetime", "phone", "idno", "category", "code", "unit", "duration",
					"const"};

/* datetime formats that are not patterns (transform/normalize.h) */
enum fkind { FK_PATTERN, FK_EXCEL1900, FK_EXCEL1904, FK_EPOCH, FK_EPOCH_MS };
static const char *const fkind_names[] = {NULL, "excel1900", "excel1904", "epoch", "epoch_ms"};

static enum fkind format_kind(const char *f)
{
	for (unsigned k = FK_EXCEL1900; k <= FK_EPOCH_MS; k++)
		if (!strcmp(f, fkind_names[k]))
			return (enum fkind)k;
	return FK_PATTERN;
}

struct fop {
	int uf;
	enum op op;
	int col, text_col;
	const char *colname;
	char *value;
	char *formats[MAX_FORMATS];
	enum fkind fkind[MAX_FORMATS];
	int nformats;
	int pivot;              /* datetime: %y below it is 20yy (default 50) */
	int empty_null;         /* table's empty_is_null: a blank value is NULL */
	enum pol zero, invalid, unmapped;
	char *dflt;
	struct codemap *map;
	struct cm_keywords *kw;  /* category: keyword rules (transform/rules.h) */
	struct codemap *districts; /* text: old district names -> today's (districts:) */
	const char **dfrom, **dto;
	size_t nd, dmin, dgrow; /* districts; the shortest name; the most one replacement adds */
};

struct plan {
	const struct mg_utable *ut;
	struct fop f[64];
	unsigned nf;
	unsigned ncols;
	char *colnames[MG_MAX_COLS];
	int dec_of_col[MG_MAX_COLS];
	struct mg_decoder dec[MAX_DECODERS];
	unsigned ndec;
	struct mg_hasher *h;
	struct mg_buf text, canon, json, tmp;
	size_t toff[MG_MAX_COLS];
	uint32_t tlen[MG_MAX_COLS];
	char system[32], table[256], area[8];
	long long run_id;
	int key_col;
	int raw;                /* 0 unified; 1 raw landing as text; 2 raw landing as bytes */
	struct mg_utable *raw_ut;
	struct repair rep;      /* repair rules (transform/repair.h) */
	unsigned repair_mask;   /* REPAIR_BIT()s and REPAIR_EURO80; 0 = none */
	struct mg_buf fixed, rawfix;
	struct rules *rules;    /* validation rules (transform/rules.h), or NULL */
	int title_col, content_col; /* the columns keyword rules look in, or -1 */
};

static const struct pb_keyspec field_keys[] = {
	{"column", "legacy column holding the value"},
	{"type", "text, datetime, phone, idno, category, code, unit, duration"},
	{"value", "a constant value instead of a column"},
	{"formats", "datetime: list of formats with %Y %m %d %H %M %S %y %I %p %f, or excel1900, excel1904, epoch, epoch_ms"},
	{"pivot", "datetime: two-digit years (%y) below it are 20yy, the others 19yy (0-100, default 50)"},
	{"districts", "text: CSV of old,new place names replaced inside the value (pre-2019 districts)"},
	{"zero", "datetime: null or reject, for all-zero dates (0000-00-00)"},
	{"invalid", "datetime, duration: null or reject; phone: keep or reject"},
	{"table", "category/code/unit: mapping table CSV, relative to the playbook"},
	{"text_column", "category: legacy column with the category's text"},
	{"unmapped", "category: default or reject; code: keep or reject"},
	{"default", "category: unified code used for unmapped legacy codes"},
	{"taxonomy", "category: taxonomy CSV (default taxonomy.csv beside the playbook)"},
	{"keywords", "category: ordered rules [{match: [words], in: [title, content], unified: code}] for unmapped codes"},
	{"coverage", "category: {min_mapped: share, max_unmapped: share} that fail the run"},
	{NULL, NULL},
};

static int parse_pol(const char *s, enum pol *p)
{
	if (!s)
		return -1;
	if (!strcmp(s, "reject"))
		*p = POL_REJECT;
	else if (!strcmp(s, "null"))
		*p = POL_NULL;
	else if (!strcmp(s, "keep"))
		*p = POL_KEEP;
	else if (!strcmp(s, "default"))
		*p = POL_DEFAULT;
	else
		return -1;
	return 0;
}

static int check_format(const char *f)
{
	int fields = 0, has_i = 0, has_p = 0;

	if (format_kind(f) != FK_PATTERN)
		return 0;
	for (; *f; f++) {
		if (*f != '%')
			continue;
		if (!f[1] || !strchr("YymdHIMSpf", *++f))
			return -1;
		has_i |= *f == 'I';
		has_p |= *f == 'p';
		fields++;
	}
	if (has_i != has_p)
		return -1; /* a 12-hour hour (%I) and its 上午/下午 (%p) go together */
	return fields ? 0 : -1; /* only literals: a misspelt excel1900/epoch, or no date at all */
}

/* Read one field spec into op (without resolving columns). Diagnoses. */
static int read_spec(struct playbook *pb, const struct pb_table *t, yaml_node_t *spec, struct fop *op,
		     const char *field)
{
	yaml_node_t *n;
	const char *s;
	int bad = 0;

	memset(op, 0, sizeof(*op));
	op->col = op->text_col = -1;
	op->pivot = 50;
	s = pb_scalar(pb_get(pb, t->node, "empty_is_null")); /* checked once, in plan_check */
	op->empty_null = s && !strcmp(s, "true");
	op->zero = POL_REJECT;
	op->invalid = POL_REJECT;
	op->unmapped = POL_REJECT;
	/* table-level date policy defaults */
	if (t->dates) {
		if ((s = pb_scalar(pb_get(pb, t->dates, "zero"))) && parse_pol(s, &op->zero))
			pb_diag(pb, pb_get(pb, t->dates, "zero"), "dates.zero must be null or reject, not '%s'", s), bad = 1;
		if ((s = pb_scalar(pb_get(pb, t->dates, "invalid"))) && parse_pol(s, &op->invalid))
			pb_diag(pb, pb_get(pb, t->dates, "invalid"), "dates.invalid must be null or reject, not '%s'", s), bad = 1;
	}
	if (pb_scalar(spec)) {
		op->colname = pb_scalar(spec);
		op->op = OP_TEXT;
		return bad;
	}
	if (!spec || spec->type != YAML_MAPPING_NODE) {
		pb_diag(pb, spec, "field '%s' must be a column name or a mapping such as {column: x, type: text}", field);
		return 1;
	}
	pb_check_keys(pb, spec, "a field", field_keys);
	op->colname = pb_scalar(pb_get(pb, spec, "column"));
	op->value = (char *)pb_scalar(pb_get(pb, spec, "value"));
	s = pb_scalar(pb_get(pb, spec, "type"));
	if (op->value) {
		op->op = OP_CONST;
		if (op->colname)
			pb_diag(pb, spec, "field '%s' has both 'column' and 'value'; give one", field), bad = 1;
		return bad;
	}
	if (!op->colname) {
		pb_diag(pb, spec, "field '%s' needs 'column' (or 'value' for a constant)", field);
		return 1;
	}
	op->op = OP_TEXT;
	if (s) {
		unsigned i;

		for (i = 0; i < OP_CONST; i++)
			if (!strcmp(s, op_names[i]))
				break;
		if (i == OP_CONST) {
			pb_diag(pb, pb_get(pb, spec, "type"),
				"unknown type '%s' for field '%s'; valid: text, datetime, phone, idno, category, code, unit,"
				" duration", s, field);
			return 1;
		}
		op->op = (enum op)i;
	}
	if ((n = pb_get(pb, spec, "formats"))) {
		if (n->type != YAML_SEQUENCE_NODE) {
			pb_diag(pb, n, "'formats' must be a list such as [\"%%Y-%%m-%%d %%H:%%M:%%S\"]");
			bad = 1;
		} else {
			for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
				const char *f = pb_scalar(pb_node(pb, *it));

				if (!f || check_format(f) || op->nformats == MAX_FORMATS) {
					pb_diag(pb, pb_node(pb, *it), "bad date format '%s' (use %%Y %%y %%m %%d %%H %%M %%S, %%I with %%p"
						" (上午/下午), %%f and literals, or excel1900, excel1904, epoch, epoch_ms;"
						" at most %d formats)",
						f ? f : "", MAX_FORMATS);
					bad = 1;
					continue;
				}
				op->fkind[op->nformats] = format_kind(f);
				op->formats[op->nformats++] = (char *)f;
			}
		}
	}
	if ((s = pb_scalar(pb_get(pb, spec, "zero"))) && (parse_pol(s, &op->zero) || op->zero > POL_NULL))
		pb_diag(pb, pb_get(pb, spec, "zero"), "'zero' must be null or reject, not '%s'", s), bad = 1;
	if ((s = pb_scalar(pb_get(pb, spec, "invalid")))) {
		int dn = op->op == OP_DATETIME || op->op == OP_DURATION; /* null or reject */

		if (parse_pol(s, &op->invalid) || op->invalid == POL_DEFAULT ||
		    (dn && op->invalid == POL_KEEP) || (!dn && op->invalid == POL_NULL))
			pb_diag(pb, pb_get(pb, spec, "invalid"), "'invalid' must be %s, not '%s'",
				dn ? "null or reject" : "keep or reject", s), bad = 1;
	} else if (op->op == OP_PHONE || op->op == OP_IDNO) {
		op->invalid = POL_KEEP;
	} else if (op->op == OP_DURATION) {
		op->invalid = POL_REJECT; /* the table's date policy is for dates */
	}
	if ((n = pb_get(pb, spec, "pivot"))) {
		char *end;
		long v = pb_scalar(n) ? strtol(pb_scalar(n), &end, 10) : -1;

		if (op->op != OP_DATETIME)
			pb_diag(pb, n, "'pivot' is for type datetime (two-digit years)"), bad = 1;
		else if (!pb_scalar(n) || !*pb_scalar(n) || *end || v < 0 || v > 100)
			pb_diag(pb, n, "'pivot' must be a whole number from 0 to 100 (two-digit years below it are 20yy)"),
				bad = 1;
		else
			op->pivot = (int)v;
	}
	if ((n = pb_get(pb, spec, "districts"))) {
		if (op->op != OP_TEXT)
			pb_diag(pb, n, "'districts' is for type text (an address)"), bad = 1;
		else if (!pb_scalar(n) || !*pb_scalar(n))
			pb_diag(pb, n, "'districts' must name a CSV file (old,new)"), bad = 1;
	}
	if (op->op == OP_UNIT && !pb_scalar(pb_get(pb, spec, "table")))
		pb_diag(pb, spec, "field '%s' of type unit needs 'table': a CSV of alias,canonical unit names", field), bad = 1;
	if (op->op == OP_CATEGORY || op->op == OP_CODE) {
		if (!pb_scalar(pb_get(pb, spec, "table")))
			pb_diag(pb, spec, "field '%s' of type %s needs 'table': a mapping CSV", field, op_names[op->op]), bad = 1;
		if ((s = pb_scalar(pb_get(pb, spec, "unmapped")))) {
			if (parse_pol(s, &op->unmapped) || op->unmapped == POL_NULL ||
			    (op->op == OP_CATEGORY && op->unmapped == POL_KEEP) ||
			    (op->op == OP_CODE && op->unmapped == POL_DEFAULT))
				pb_diag(pb, pb_get(pb, spec, "unmapped"), "'unmapped' must be %s, not '%s'",
					op->op == OP_CATEGORY ? "default or reject" : "keep or reject", s), bad = 1;
		}
		op->dflt = (char *)pb_scalar(pb_get(pb, spec, "default"));
		if (op->op == OP_CATEGORY && op->unmapped == POL_DEFAULT && !op->dflt)
			pb_diag(pb, spec, "field '%s' says unmapped: default but gives no 'default' code", field), bad = 1;
	}
	if (op->op == OP_DATETIME && op->nformats == 0) {
		op->fkind[0] = op->fkind[1] = FK_PATTERN;
		op->formats[op->nformats++] = (char *)"%Y-%m-%d %H:%M:%S";
		op->formats[op->nformats++] = (char *)"%Y-%m-%d";
	}
	return bad;
}

/* Load the districts table of a text op (old,new; replaced inside the value). */
static int load_districts(struct playbook *pb, yaml_node_t *spec, struct fop *op, struct mg_err *e)
{
	const char *file = pb_scalar(pb_get(pb, spec, "districts"));
	char *path = pb_path(pb, file);
	size_t n;

	if (!path)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	if (codemap_load(&op->districts, path, "new", e)) {
		free(path);
		return -1;
	}
	free(path);
	n = codemap_size(op->districts);
	op->dfrom = calloc(n + 1, sizeof(*op->dfrom));
	op->dto = calloc(n + 1, sizeof(*op->dto));
	if (!op->dfrom || !op->dto)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	op->dmin = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		size_t fl = strlen(codemap_key(op->districts, i)), tl = strlen(codemap_value(op->districts, i));

		if (!fl)
			return mg_err_set(e, MG_E_CONFIG, "districts table '%s' has an empty old name", file);
		op->dfrom[i] = codemap_key(op->districts, i);
		op->dto[i] = codemap_value(op->districts, i);
		if (fl < op->dmin)
			op->dmin = fl;
		if (tl > fl && tl - fl > op->dgrow)
			op->dgrow = tl - fl;
	}
	op->nd = n;
	return 0;
}

static void free_districts(struct fop *op)
{
	codemap_free(op->districts);
	free(op->dfrom);
	free(op->dto);
	op->districts = NULL;
	op->dfrom = op->dto = NULL;
	op->nd = 0;
}

/* Load the mapping table of a category/code op, checking category codes
 * against the taxonomy. */
static int load_map(struct playbook *pb, yaml_node_t *spec, struct fop *op, struct mg_err *e)
{
	const char *file = pb_scalar(pb_get(pb, spec, "table"));
	const char *tax = pb_scalar(pb_get(pb, spec, "taxonomy"));
	char *path = pb_path(pb, file);
	struct codemap *taxo = NULL;
	int rc = -1;

	if (!path)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	if (codemap_load(&op->map, path, op->op == OP_CATEGORY ? "unified_code" : op->op == OP_UNIT ? "canonical" : "unified", e))
		goto out;
	if (op->op == OP_CATEGORY) {
		free(path);
		path = pb_path(pb, tax ? tax : "taxonomy.csv");
		if (!path || codemap_load(&taxo, path, "name", e))
			goto out;
		for (size_t i = 0; i < codemap_size(op->map); i++) {
			const char *v = codemap_value(op->map, i);

			if (!codemap_get(taxo, v, strlen(v))) {
				mg_err_set(e, MG_E_CONFIG, "mapping table '%s' maps '%s' to '%s', which is not in the taxonomy",
					   file, codemap_key(op->map, i), v);
				goto out;
			}
		}
		if (op->dflt && !codemap_get(taxo, op->dflt, strlen(op->dflt))) {
			mg_err_set(e, MG_E_CONFIG, "default category '%s' is not in the taxonomy '%s'", op->dflt, path);
			goto out;
		}
		if (rules_keywords_build(pb, spec, taxo, &op->kw, e))
			goto out;
	}
	rc = 0;
out:
	codemap_free(taxo);
	free(path);
	return rc;
}

void plan_check(struct playbook *pb, struct pb_table *t)
{
	const struct mg_utable *ut = schema_table_find(t->target);
	struct mg_decoder d;
	struct mg_err e = {0};
	int have_legacy = 0;

	if (t->encoding) {
		if (decoder_open(&d, t->encoding, &e))
			pb_diag(pb, pb_get(pb, t->node, "encoding"), "%s", e.msg), mg_err_clear(&e);
		else
			decoder_close(&d);
	}
	for (yaml_node_pair_t *p = pb_pairs_begin(t->encodings); p && p < pb_pairs_end(t->encodings); p++) {
		const char *v = pb_scalar(pb_node(pb, p->value));

		if (!v || decoder_open(&d, v, &e))
			pb_diag(pb, pb_node(pb, p->value), "%s", v ? e.msg : "an encoding must be a name"), mg_err_clear(&e);
		else
			decoder_close(&d);
	}
	if (t->repair) {
		unsigned mask;

		if (repair_parse_rules(t->repair, &mask, &e))
			pb_diag(pb, pb_get(pb, t->node, "repair"), "%s", e.msg), mg_err_clear(&e);
	}
	{
		const char *ein = pb_scalar(pb_get(pb, t->node, "empty_is_null"));

		if (ein && strcmp(ein, "true") && strcmp(ein, "false"))
			pb_diag(pb, pb_get(pb, t->node, "empty_is_null"), "empty_is_null must be true or false, not '%s'", ein);
	}
	if (!ut || ut->raw || !t->fields || t->fields->type != YAML_MAPPING_NODE)
		return;
	for (yaml_node_pair_t *p = pb_pairs_begin(t->fields); p < pb_pairs_end(t->fields); p++) {
		yaml_node_t *kn = pb_node(pb, p->key);
		const char *field = pb_scalar(kn);
		struct fop op;
		int uf;

		if (!field)
			continue;
		uf = schema_field_index(ut, field);
		if (uf < 0 || uf == U_SOURCE_SYSTEM ||
		    (ut == &schema_work_order && (uf == WO_LEGACY_CATEGORY_CODE || uf == WO_LEGACY_CATEGORY_TEXT))) {
			pb_diag(pb, kn, "'%s' is not a field to map in %s%s", field, ut->name,
				uf == U_SOURCE_SYSTEM ? " (it is the system code)" :
				uf >= 0 ? " (category_code of type category fills it)" : "; see docs/playbooks.md for the list");
			continue;
		}
		if (uf == U_LEGACY_ID)
			have_legacy = 1;
		if (read_spec(pb, t, pb_node(pb, p->value), &op, field))
			continue;
		if (ut == &schema_work_order && uf == WO_CATEGORY_CODE && op.op != OP_CATEGORY && op.op != OP_CONST)
			pb_diag(pb, kn, "category_code needs type: category (with a mapping table)");
		if (ut != &schema_work_order && op.op == OP_CATEGORY)
			pb_diag(pb, kn, "type category maps into work_order.category_code only");
		if (ut->fields[uf].type == U_TIMESTAMP && op.op != OP_DATETIME)
			pb_diag(pb, kn, "'%s' is a timestamp: give it type: datetime", field);
		if ((ut->fields[uf].type == U_SECONDS) != (op.op == OP_DURATION))
			pb_diag(pb, kn, op.op == OP_DURATION ? "type duration fills a number of seconds"
				" (call_record.duration_seconds), not '%s'" : "'%s' is a number of seconds: give it type: duration",
				field);
		if (op.op == OP_CATEGORY || op.op == OP_CODE || op.op == OP_UNIT) {
			if (load_map(pb, pb_node(pb, p->value), &op, &e))
				pb_diag(pb, pb_node(pb, p->value), "%s", e.msg), mg_err_clear(&e);
			codemap_free(op.map);
			cm_keywords_free(op.kw);
		}
		if (op.op == OP_TEXT && pb_scalar(pb_get(pb, pb_node(pb, p->value), "districts"))) {
			if (load_districts(pb, pb_node(pb, p->value), &op, &e))
				pb_diag(pb, pb_get(pb, pb_node(pb, p->value), "districts"), "%s", e.msg), mg_err_clear(&e);
			free_districts(&op);
		}
	}
	if (!have_legacy)
		pb_diag(pb, t->fields, "fields must map 'legacy_id': the legacy record's identifier");
}

static int find_col(const struct mg_columns *cols, const char *name)
{
	for (unsigned i = 0; i < cols->n; i++)
		if (!strcmp(cols->name[i], name))
			return (int)i;
	return -1;
}

static int col_error(struct plan *p, const struct mg_columns *cols, const char *name, struct mg_err *e)
{
	char list[700];
	size_t u = 0;

	list[0] = '\0';
	for (unsigned i = 0; i < cols->n && u < sizeof(list) - 64; i++)
		u += (size_t)snprintf(list + u, sizeof(list) - u, "%s%s", i ? ", " : "", cols->name[i]);
	return mg_err_set(e, MG_E_CONFIG, "column '%s' is not in '%s'; its columns are: %s", name, p->table, list);
}

static int decoder_for(struct plan *p, const char *enc, struct mg_err *e)
{
	struct mg_decoder d;

	if (decoder_open(&d, enc, e))
		return -1;
	for (unsigned i = 0; i < p->ndec; i++)
		if (!strcmp(p->dec[i].name, d.name)) {
			decoder_close(&d);
			return (int)i;
		}
	if (p->ndec == MAX_DECODERS) {
		decoder_close(&d);
		return mg_err_set(e, MG_E_CONFIG, "more than %d different encodings in one table", MAX_DECODERS);
	}
	p->dec[p->ndec] = d;
	return (int)p->ndec++;
}

int plan_build(struct plan **out, struct playbook *pb, const struct pb_table *t,
	       const struct mg_columns *cols, struct mg_err *e)
{
	struct plan *p = calloc(1, sizeof(*p));
	int def;

	*out = p;
	if (!p)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	p->ut = schema_table_find(t->target);
	snprintf(p->system, sizeof(p->system), "%s", pb->system.code);
	snprintf(p->table, sizeof(p->table), "%s", t->name);
	snprintf(p->area, sizeof(p->area), "0937");
	p->h = hasher_new();
	buf_init(&p->text, t->max_field_bytes * 4 + (1u << 20), "max_field_bytes");
	buf_init(&p->canon, 0, "canonical row");
	buf_init(&p->json, 0, "raw record");
	buf_init(&p->tmp, 0, "scratch");
	buf_init(&p->fixed, t->max_field_bytes * 4 + 64, "max_field_bytes");
	buf_init(&p->rawfix, t->max_field_bytes * 2 + 64, "max_field_bytes");
	repair_init(&p->rep);
	if (t->repair && repair_parse_rules(t->repair, &p->repair_mask, e))
		return -1;
	if (!p->h)
		return mg_err_set(e, MG_E_INTERNAL, "cannot initialise SHA-256 from libcrypto");
	p->ncols = cols->n;
	for (unsigned i = 0; i < cols->n; i++) {
		p->colnames[i] = strdup(cols->name[i]);
		if (!p->colnames[i])
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
	}
	p->key_col = t->key ? find_col(cols, t->key) : -1;
	if (p->ut->raw) {
		char land[64];

		schema_land_name(t->land_as ? t->land_as : t->name, land, sizeof(land));
		p->raw = t->raw_text ? 1 : 2;
		p->raw_ut = schema_raw_new(pb->system.code, land, (const char *const *)cols->name, cols->n, p->raw == 2);
		if (!p->raw_ut)
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		p->ut = p->raw_ut;
		if (p->raw == 2)
			return 0; /* bytes are landed as stored: no decoder */
	}
	def = decoder_for(p, t->encoding, e);
	if (def < 0)
		return -1;
	for (unsigned i = 0; i < cols->n; i++)
		p->dec_of_col[i] = def;
	for (yaml_node_pair_t *q = pb_pairs_begin(t->encodings); q && q < pb_pairs_end(t->encodings); q++) {
		const char *c = pb_scalar(pb_node(pb, q->key)), *v = pb_scalar(pb_node(pb, q->value));
		int ci = c ? find_col(cols, c) : -1, di;

		if (ci < 0)
			return col_error(p, cols, c ? c : "", e);
		di = decoder_for(p, v, e);
		if (di < 0)
			return -1;
		p->dec_of_col[ci] = di;
	}
	for (yaml_node_pair_t *q = pb_pairs_begin(t->fields); !p->raw && q && q < pb_pairs_end(t->fields); q++) {
		const char *field = pb_scalar(pb_node(pb, q->key));
		yaml_node_t *spec = pb_node(pb, q->value);
		struct fop *op = &p->f[p->nf];

		if (p->nf == 64)
			return mg_err_set(e, MG_E_CONFIG, "too many fields");
		if (read_spec(pb, t, spec, op, field))
			return mg_err_set(e, MG_E_CONFIG, "%s: bad field '%s' (run 'migrate check')", pb->path, field);
		op->uf = schema_field_index(p->ut, field);
		if (op->uf < 0)
			return mg_err_set(e, MG_E_CONFIG, "%s: unknown field '%s'", pb->path, field);
		if (op->op != OP_CONST) {
			op->col = find_col(cols, op->colname);
			if (op->col < 0)
				return col_error(p, cols, op->colname, e);
		}
		if (op->op == OP_CATEGORY) {
			const char *tc = pb_scalar(pb_get(pb, spec, "text_column"));

			if (tc && (op->text_col = find_col(cols, tc)) < 0)
				return col_error(p, cols, tc, e);
		}
		p->nf++; /* counted first, so plan_free frees a half-loaded map */
		if ((op->op == OP_CATEGORY || op->op == OP_CODE || op->op == OP_UNIT) && load_map(pb, spec, op, e))
			return -1;
		if (op->op == OP_TEXT && pb_get(pb, spec, "districts") && load_districts(pb, spec, op, e))
			return -1;
	}
	p->title_col = p->content_col = -1;
	for (unsigned i = 0; p->ut == &schema_work_order && i < p->nf; i++)
		if (p->f[i].op != OP_CONST && (p->f[i].uf == WO_TITLE || p->f[i].uf == WO_CONTENT))
			*(p->f[i].uf == WO_TITLE ? &p->title_col : &p->content_col) = p->f[i].col;
	return p->raw ? 0 : rules_build(&p->rules, pb, t, p->ut, e);
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->nf; i++) {
		codemap_free(p->f[i].map);
		cm_keywords_free(p->f[i].kw);
		free_districts(&p->f[i]);
	}
	rules_free(p->rules);
	for (unsigned i = 0; i < p->ndec; i++)
		decoder_close(&p->dec[i]);
	for (unsigned i = 0; i < p->ncols; i++)
		free(p->colnames[i]);
	schema_raw_free(p->raw_ut);
	repair_release(&p->rep);
	buf_release(&p->fixed);
	buf_release(&p->rawfix);
	hasher_free(p->h);
	buf_release(&p->text);
	buf_release(&p->canon);
	buf_release(&p->json);
	buf_release(&p->tmp);
	free(p);
}

void plan_set_run(struct plan *p, long long run_id) { p->run_id = run_id; }
const struct mg_utable *plan_target(const struct plan *p) { return p->ut; }
unsigned plan_out_cols(const struct plan *p) { return p->ut->nfields + (p->raw ? 0 : 1); }

int plan_hash_raw(struct mg_hasher *h, struct mg_buf *scratch, struct mg_batch *b, struct mg_err *e)
{
	struct mg_stage_count *x = &b->delta.st[ST_EXTRACT];

	for (unsigned r = 0; r < b->nrows; r++) {
		buf_reset(scratch);
		for (unsigned c = 0; c < b->ncols; c++) {
			size_t n;
			const unsigned char *v = batch_get(b, r, c, &n);

			if (canon_add(scratch, v, n, v == NULL, e))
				return -1;
		}
		b->prov[r].src_hash = hasher_digest64(h, scratch->ptr, scratch->len);
		x->out++;
		x->h_out += b->prov[r].src_hash;
	}
	{
		size_t pos = 0;
		struct mg_xrej xr;

		while (batch_next_reject(b, &pos, &xr)) {
			buf_reset(scratch);
			if (canon_add(scratch, xr.raw, xr.raw_len, 0, e))
				return -1;
			x->rejected++;
			x->h_rej += hasher_digest64(h, scratch->ptr, scratch->len);
		}
	}
	x->in = x->out + x->rejected;
	x->h_in = x->h_out + x->h_rej;
	return 0;
}

/* Append one reject line for migration.reject (COPY text). */
static int reject_line(struct plan *p, struct mg_batch *out, const char *origin, const char *stage,
		       const char *reason, const char *detail, const void *k, size_t kn, uint64_t line,
		       uint64_t offset, const void *raw, size_t rawn, uint64_t hash, struct mg_err *e)
{
	struct mg_buf *b = &out->rejects;

	if (buf_printf(b, e, "%lld\t%s\t", p->run_id, p->system) || copy_escape(b, origin, strlen(origin), e) ||
	    buf_printf(b, e, "\t%s\t%s\t", stage, reason) || copy_escape(b, detail, strlen(detail), e) ||
	    buf_addc(b, '\t', e) || copy_bytea(b, k, kn, e) ||
	    buf_printf(b, e, "\t%llu\t%llu\t", (unsigned long long)line, (unsigned long long)offset) ||
	    copy_bytea(b, raw, rawn, e) || buf_printf(b, e, "\t%llu\n", (unsigned long long)hash))
		return -1;
	out->nrejects++;
	return 0;
}

static int reject(struct plan *p, const struct mg_batch *raw, unsigned r, const char *stage,
		  const char *reason, const char *detail, struct mg_batch *out, struct mg_err *e)
{
	size_t kn;
	const unsigned char *k = batch_key(raw, r, &kn);

	buf_reset(&p->canon);
	for (unsigned c = 0; c < raw->ncols; c++) {
		size_t n;
		const unsigned char *v = batch_get(raw, r, c, &n);

		if (canon_add(&p->canon, v, n, v == NULL, e))
			return -1;
	}
	return reject_line(p, out, raw->origin, stage, reason, detail, k, kn, raw->prov[r].line, raw->prov[r].offset,
			   p->canon.ptr, p->canon.len, raw->prov[r].src_hash, e);
}

static inline const char *tget(const struct plan *p, int col, size_t *n)
{
	if (col < 0 || p->tlen[col] == MG_NULL) {
		*n = 0;
		return NULL;
	}
	*n = p->tlen[col];
	return (const char *)p->text.ptr + p->toff[col];
}

/* The fixes of the record being mapped: counted into the ledger only if the
 * record goes on. A short list, not a ledger: zeroing and adding a whole
 * ledger per record was wasted work on the hot path. */
struct row_fixes {
	const char *name[72];
	unsigned n;
};

static void row_fix(struct row_fixes *f, const char *name)
{
	if (f->n < sizeof(f->name) / sizeof(f->name[0]))
		f->name[f->n++] = name;
}

/* Apply one field op; returns 0 (value put), 1 (record rejected: reason set),
 * -1 error. */
/* how much of a decoded value a reject's detail quotes: at most 40 bytes,
 * never half a UTF-8 character (the detail is text) */
static int detail_len(const char *v, size_t n)
{
	size_t cut = n > 40 ? 40 : n;

	while (cut < n && cut && ((unsigned char)v[cut] & 0xC0) == 0x80)
		cut--;
	return (int)cut;
}

static int apply_op(struct plan *p, struct fop *op, struct mg_batch *out, struct row_fixes *d,
		    const char **reason, char *detail, size_t dn, struct mg_err *e)
{
	size_t n;
	const char *v = op->op == OP_CONST ? op->value : tget(p, op->col, &n);
	char tmp[64];

	if (op->op == OP_CONST) {
		return batch_put(out, (unsigned)op->uf, v, strlen(v), e);
	}
	if (v && op->empty_null && op->op != OP_TEXT && norm_is_blank(v, n))
		v = NULL; /* empty_is_null: a blank value is NULL (the raw record keeps it) */
	if (!v) {
		batch_put_null(out, (unsigned)op->uf);
		if (op->op == OP_CATEGORY) {
			batch_put_null(out, WO_LEGACY_CATEGORY_CODE);
			goto unmapped;
		}
		return 0;
	}
	switch (op->op) {
	case OP_TEXT: {
		size_t ol, cap;
		long k;

		if (!op->nd)
			return batch_put(out, (unsigned)op->uf, v, n, e);
		/* districts: old place names replaced inside the value, counted */
		cap = n + (n / op->dmin + 1) * op->dgrow;
		buf_reset(&p->tmp);
		if (buf_grow(&p->tmp, cap + 1, e))
			return -1;
		k = norm_replace_names(v, n, op->dfrom, op->dto, op->nd, (char *)p->tmp.ptr, cap, &ol);
		if (k < 0)
			return mg_err_set(e, MG_E_INTERNAL, "district replacement of column '%s' overflowed", op->colname);
		if (k == 0)
			return batch_put(out, (unsigned)op->uf, v, n, e);
		row_fix(d, "district_renamed");
		return batch_put(out, (unsigned)op->uf, p->tmp.ptr, ol, e);
	}
	case OP_DATETIME: {
		char res[20];
		enum norm_date st = DATE_INVALID;
		int subsec = 0;

		for (int i = 0; i < op->nformats && st != DATE_OK; i++) {
			enum norm_date s2;

			switch (op->fkind[i]) {
			case FK_EXCEL1900:
			case FK_EXCEL1904:
				s2 = norm_excel_date(v, n, op->fkind[i] == FK_EXCEL1904, res);
				break;
			case FK_EPOCH:
			case FK_EPOCH_MS:
				s2 = norm_epoch(v, n, op->fkind[i] == FK_EPOCH_MS, res, &subsec);
				break;
			default:
				s2 = norm_date_ex(v, n, op->formats[i], op->pivot, res, &subsec);
				break;
			}

			if (s2 == DATE_OK || s2 == DATE_ZERO)
				st = s2;
			if (s2 == DATE_ZERO)
				break;
		}
		if (st == DATE_OK) {
			if (subsec)
				row_fix(d, "subsecond_dropped");
			return batch_put(out, (unsigned)op->uf, res, 19, e);
		}
		if (n == 0)
			st = DATE_INVALID;
		if ((st == DATE_ZERO ? op->zero : op->invalid) == POL_NULL) {
			row_fix(d, st == DATE_ZERO ? "zero_date" : "invalid_date_null");
			batch_put_null(out, (unsigned)op->uf);
			return 0;
		}
		*reason = st == DATE_ZERO ? "zero_date" : "invalid_date";
		snprintf(detail, dn, "column '%s' holds '%.*s'", op->colname, detail_len(v, n), v);
		return 1;
	}
	case OP_PHONE: {
		char res[32];
		unsigned pf;

		if (n == 0)
			return batch_put(out, (unsigned)op->uf, v, 0, e);
		if (norm_phone_fix(v, n, p->area, res, &pf) != PHONE_UNRECOGNISED) {
			if (pf & NORM_PHONE_EXT)
				row_fix(d, "phone_extension");
			if (pf & NORM_PHONE_CC)
				row_fix(d, "phone_country_code");
			if (pf & NORM_PHONE_FW)
				row_fix(d, "fullwidth_folded");
			return batch_put(out, (unsigned)op->uf, res, strlen(res), e);
		}
		if (op->invalid == POL_REJECT) {
			*reason = "invalid_phone";
			snprintf(detail, dn, "column '%s' is not a phone number", op->colname);
			return 1;
		}
		row_fix(d, "phone_unrecognised");
		return batch_put(out, (unsigned)op->uf, v, n, e);
	}
	case OP_IDNO: {
		size_t ol;

		buf_reset(&p->tmp);
		if (buf_grow(&p->tmp, n + 1, e))
			return -1;
		if (!norm_idno(v, n, (char *)p->tmp.ptr, &ol))
			row_fix(d, "idno_invalid");
		if (ol != n)
			row_fix(d, "fullwidth_folded");
		return batch_put(out, (unsigned)op->uf, p->tmp.ptr, ol, e);
	}
	case OP_CODE: {
		const char *m = codemap_get(op->map, v, n);

		if (m)
			return batch_put(out, (unsigned)op->uf, m, strlen(m), e);
		if (op->unmapped == POL_KEEP) {
			row_fix(d, "unmapped_code");
			return batch_put(out, (unsigned)op->uf, v, n, e);
		}
		*reason = "unmapped_code";
		snprintf(detail, dn, "column '%s' code '%.*s' is not in its table", op->colname, detail_len(v, n), v);
		return 1;
	}
	case OP_UNIT: {
		/* alias -> canonical name; an unknown name is kept as it is, counted */
		const char *m = codemap_get(op->map, v, n);

		if (!m) {
			/* a canonical name is known too (tables are short: a scan on a miss) */
			for (size_t i = 0; i < codemap_size(op->map); i++) {
				const char *c = codemap_value(op->map, i);

				if (strlen(c) == n && !memcmp(c, v, n))
					return batch_put(out, (unsigned)op->uf, v, n, e);
			}
			row_fix(d, "unit_unknown");
			return batch_put(out, (unsigned)op->uf, v, n, e);
		}
		if (strlen(m) != n || memcmp(m, v, n))
			row_fix(d, "unit_alias");
		return batch_put(out, (unsigned)op->uf, m, strlen(m), e);
	}
	case OP_CATEGORY: {
		const char *m = codemap_get(op->map, v, n), *tv;
		size_t tn;

		if (batch_put(out, WO_LEGACY_CATEGORY_CODE, v, n, e))
			return -1;
		if ((tv = tget(p, op->text_col, &tn)) && batch_put(out, WO_LEGACY_CATEGORY_TEXT, tv, tn, e))
			return -1;
		if (m)
			return batch_put(out, (unsigned)op->uf, m, strlen(m), e);
unmapped:
		if (op->kw) {
			/* keyword rules, in order, on the title and content */
			size_t tn2, cn;
			const char *tt = tget(p, p->title_col, &tn2), *ct = tget(p, p->content_col, &cn);

			if ((m = cm_keywords_match(op->kw, tt, tn2, ct, cn, NULL))) {
				row_fix(d, RULES_FIX_KEYWORD);
				return batch_put(out, (unsigned)op->uf, m, strlen(m), e);
			}
		}
		if (op->unmapped == POL_DEFAULT) {
			row_fix(d, "unmapped_category");
			return batch_put(out, (unsigned)op->uf, op->dflt, strlen(op->dflt), e);
		}
		*reason = "unmapped_category";
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(n > 40 ? 40 : n), v ? v : "");
		snprintf(detail, dn, "column '%s' category '%s' is not in its table", op->colname, tmp);
		return 1;
	}
	case OP_DURATION: {
		/* talk time into whole seconds (norm_duration); anything else by
		 * the field's invalid: policy */
		long secs;
		if (!norm_duration(v, n, &secs)) {
			snprintf(tmp, sizeof(tmp), "%ld", secs);
			return batch_put(out, (unsigned)op->uf, tmp, strlen(tmp), e);
		}
		if (op->invalid == POL_NULL) {
			row_fix(d, "invalid_duration_null");
			batch_put_null(out, (unsigned)op->uf);
			return 0;
		}
		*reason = "invalid_duration";
		snprintf(detail, dn, "column '%s' holds '%.*s', not a duration", op->colname, detail_len(v, n), v);
		return 1;
	}
	default:
		return mg_err_set(e, MG_E_INTERNAL, "bad field op");
	}
}

/* One line for migration.repair (COPY text): what a repair changed. */
static int repair_line(struct plan *p, const struct mg_batch *raw, unsigned r, unsigned c, const unsigned char *orig,
		       size_t n, unsigned fired, unsigned passes, int euro, struct mg_batch *out, struct mg_err *e)
{
	struct mg_buf *b = &out->repairs;
	size_t kn;
	const unsigned char *k = batch_key(raw, r, &kn);
	int first = 1;

	if (buf_printf(b, e, "%lld\t%s\t", p->run_id, p->system) || copy_escape(b, raw->origin, strlen(raw->origin), e) ||
	    buf_addstr(b, "\t\\N\t", e) || copy_bytea(b, k, kn, e) ||
	    buf_printf(b, e, "\t%llu\t%llu\t", (unsigned long long)raw->prov[r].line,
		       (unsigned long long)raw->prov[r].offset) ||
	    copy_escape(b, p->colnames[c], strlen(p->colnames[c]), e) || buf_addstr(b, "\t{", e))
		return -1;
	if (euro) {
		buf_addstr(b, REPAIR_EURO80_NAME, e);
		first = 0;
	}
	for (unsigned i = 0; i < REPAIR_NRULES; i++)
		if (fired & REPAIR_BIT(i)) {
			if (!first)
				buf_addc(b, ',', e);
			buf_addstr(b, repair_rules[i].name, e);
			first = 0;
		}
	if (fired & REPAIR_SUSPECT_BIT) { /* kept: the repaired text is the decoded one */
		if (!first)
			buf_addc(b, ',', e);
		buf_addstr(b, REPAIR_SUSPECT_NAME, e);
	}
	if (buf_printf(b, e, "}\t%u\t", passes) || copy_bytea(b, orig, n, e) || buf_addc(b, '\t', e) ||
	    copy_escape(b, p->text.ptr + p->toff[c], p->tlen[c], e) || buf_addc(b, '\t', e) ||
	    ((fired & REPAIR_ALL) ? copy_escape(b, p->fixed.ptr, p->fixed.len, e)
		   : copy_escape(b, p->text.ptr + p->toff[c], p->tlen[c], e)) ||
	    buf_addc(b, '\n', e))
		return -1;
	out->nrepairs++;
	return 0;
}

/* A raw landing row: every column, as stored (raw 2) or decoded (raw 1,
 * from p->text); decode and transform pass it through. */
static int land_row(struct plan *p, const struct mg_batch *raw, unsigned r, struct mg_batch *out,
		    struct mg_ledger *d, struct mg_err *e)
{
	uint64_t sh = raw->prov[r].src_hash;
	size_t kn;
	const unsigned char *k = batch_key(raw, r, &kn);

	d->st[ST_DECODE].out++;
	d->st[ST_DECODE].h_out += sh;
	d->st[ST_TRANSFORM].in++;
	d->st[ST_TRANSFORM].h_in += sh;
	batch_row_begin(out);
	buf_reset(&p->canon);
	for (unsigned c = 0; c < raw->ncols; c++) {
		size_t n;
		const void *v = p->raw == 2 ? (const void *)batch_get(raw, r, c, &n) : (const void *)tget(p, (int)c, &n);

		if (v && batch_put(out, c, v, n, e))
			return -1;
		if (canon_add(&p->canon, v, n, v == NULL, e))
			return -1;
	}
	if (batch_row_end(out, k, kn, raw->prov[r].line, raw->prov[r].offset, e))
		return -1;
	out->prov[out->nrows - 1].src_hash = sh;
	out->prov[out->nrows - 1].u_hash = p->raw == 2 ? sh : hasher_digest64(p->h, p->canon.ptr, p->canon.len);
	d->st[ST_TRANSFORM].out++;
	d->st[ST_TRANSFORM].h_out += sh;
	d->st[ST_TRANSFORM].h_uout += out->prov[out->nrows - 1].u_hash;
	return 0;
}

int plan_apply(struct plan *p, const struct mg_batch *raw, struct mg_batch *out, struct mg_err *e)
{
	struct mg_ledger *d = &out->delta;
	unsigned nf = p->ut->nfields;
	char detail[256];

	d->st[ST_EXTRACT] = raw->delta.st[ST_EXTRACT];
	snprintf(out->origin, sizeof(out->origin), "%s", raw->origin);
	{
		size_t pos = 0;
		struct mg_xrej xr;

		while (batch_next_reject(raw, &pos, &xr)) {
			buf_reset(&p->canon);
			if (canon_add(&p->canon, xr.raw, xr.raw_len, 0, e) ||
			    reject_line(p, out, raw->origin, "extract", xr.reason, xr.detail, xr.key, xr.key_len, xr.line,
					xr.offset, p->canon.ptr, p->canon.len,
					hasher_digest64(p->h, p->canon.ptr, p->canon.len), e))
				return -1;
		}
	}
	for (unsigned r = 0; r < raw->nrows; r++) {
		uint64_t sh = raw->prov[r].src_hash;
		const char *reason = NULL;
		size_t saved;
		int rc = 0;
		size_t kn;
		const unsigned char *k;

		unsigned fired = 0;
		size_t rep_mark = out->repairs.len;
		unsigned rep_nmark = out->nrepairs;

		d->st[ST_DECODE].in++;
		d->st[ST_DECODE].h_in += sh;
		if (p->raw == 2) {
			/* landed as stored: the unified form is the source form */
			if (land_row(p, raw, r, out, d, e))
				return -1;
			continue;
		}
		/* decode every column */
		buf_reset(&p->text);
		for (unsigned c = 0; c < raw->ncols && !reason; c++) {
			size_t n, bad = 0;
			const unsigned char *v = batch_get(raw, r, c, &n);
			unsigned before = fired; /* the rules fired before this column */

			if (!v) {
				p->tlen[c] = MG_NULL;
				continue;
			}
			p->toff[c] = p->text.len;
			rc = decoder_run(&p->dec[p->dec_of_col[c]], v, n, &p->text, &bad, e);
			if (rc < 0)
				return -1;
			if (rc == 1 && (p->repair_mask & REPAIR_EURO80)) {
				/* CP936's lone 0x80 (the euro sign) read as GB18030 */
				struct mg_decoder *dc = &p->dec[p->dec_of_col[c]];
				size_t cnt = 0, bad2 = 0;

				if (!dc->passthrough && !dc->euro80 && !strcmp(dc->name, "GB18030")) {
					p->text.len = p->toff[c];
					if (repair_bytes_euro80(v, n, &p->rawfix, &cnt, e) < 0)
						return -1;
					if (cnt) {
						rc = decoder_run(dc, p->rawfix.ptr, p->rawfix.len, &p->text, &bad2, e);
						if (rc < 0)
							return -1;
						if (rc == 0)
							fired |= REPAIR_EURO80;
					}
					if (rc)
						rc = 1; /* still undecodable: report the first bad byte of the original */
				}
			}
			if (rc == 1) {
				reason = "undecodable";
				snprintf(detail, sizeof(detail), "column '%s' does not decode as %s at byte %zu of %zu",
					 p->colnames[c], p->dec[p->dec_of_col[c]].name, bad, n);
				break;
			}
			p->tlen[c] = (uint32_t)(p->text.len - p->toff[c]);
			if (p->repair_mask) {
				struct repair_report rr;
				int rk = REPAIR_NOT_APPLICABLE;

				if (p->repair_mask & REPAIR_ALL) {
					rk = repair_value(&p->rep, p->repair_mask, (const char *)p->text.ptr + p->toff[c],
							 p->tlen[c], &p->fixed, &rr, e);
					if (rk < 0)
						return -1;
				}
				if (rk == REPAIR_CANNOT) {
					reason = "unrepairable";
					snprintf(detail, sizeof(detail), "column '%s': %s: %s", p->colnames[c],
						 repair_rules[rr.cannot].name, rr.why);
					break;
				}
				if (rk == REPAIR_REPAIRED)
					fired |= rr.fired;
				else if (rk == REPAIR_SUSPECT)
					fired |= REPAIR_SUSPECT_BIT; /* kept as it is, counted and recorded */
				if ((rk == REPAIR_REPAIRED || rk == REPAIR_SUSPECT ||
				     (fired & REPAIR_EURO80 && !(before & REPAIR_EURO80))) &&
				    repair_line(p, raw, r, c, v, n,
						rk == REPAIR_REPAIRED ? rr.fired : rk == REPAIR_SUSPECT ? REPAIR_SUSPECT_BIT : 0,
						rk == REPAIR_REPAIRED ? rr.passes : 0, (fired & ~before & REPAIR_EURO80) != 0,
						out, e))
					return -1;
				if (rk == REPAIR_REPAIRED) {
					/* the repaired text takes the value's place */
					p->toff[c] = p->text.len;
					if (buf_add(&p->text, p->fixed.ptr, p->fixed.len, e))
						return -1;
					p->tlen[c] = (uint32_t)p->fixed.len;
				}
			}
		}
		if (reason) {
			out->repairs.len = rep_mark;
			out->nrepairs = rep_nmark;
			d->st[ST_DECODE].rejected++;
			d->st[ST_DECODE].h_rej += sh;
			if (reject(p, raw, r, "decode", reason, detail, out, e))
				return -1;
			continue;
		}
		if (p->raw == 1) {
			if (land_row(p, raw, r, out, d, e))
				return -1;
			continue;
		}
		d->st[ST_DECODE].out++;
		d->st[ST_DECODE].h_out += sh;
		d->st[ST_TRANSFORM].in++;
		d->st[ST_TRANSFORM].h_in += sh;

		/* map fields into a new output row */
		saved = out->data.len;
		batch_row_begin(out);
		batch_put(out, U_SOURCE_SYSTEM, p->system, strlen(p->system), e);
		{
			struct row_fixes fixes;

			fixes.n = 0;
			for (unsigned i = 0; i < p->nf && !reason; i++) {
				rc = apply_op(p, &p->f[i], out, &fixes, &reason, detail, sizeof(detail), e);
				if (rc < 0)
					return -1;
			}
			if (!reason) {
				size_t ln;

				batch_get(out, out->nrows, U_LEGACY_ID, &ln);
				if (out->len[(size_t)out->nrows * out->ncols + U_LEGACY_ID] == MG_NULL || ln == 0) {
					reason = "missing_legacy_id";
					snprintf(detail, sizeof(detail), "the legacy id is empty");
				}
			}
			if (!reason && p->rules) {
				/* validation rules: reject, or flag (a counted fix) */
				const char *fl[8];
				unsigned nfl;

				rules_eval(p->rules, out, out->nrows, &reason, detail, sizeof(detail), fl, &nfl, 8);
				for (unsigned fk = 0; !reason && fk < nfl; fk++)
					row_fix(&fixes, fl[fk]);
			}
			if (!reason) {
				/* fixes count only for records that go on */
				for (unsigned b = 0; b < REPAIR_NRULES; b++)
					if (fired & REPAIR_BIT(b))
						row_fix(&fixes, repair_rules[b].name);
				if (fired & REPAIR_EURO80)
					row_fix(&fixes, REPAIR_EURO80_NAME);
				if (fired & REPAIR_SUSPECT_BIT)
					row_fix(&fixes, REPAIR_SUSPECT_NAME);
				for (unsigned fx = 0; fx < fixes.n; fx++)
					ledger_fix(d, fixes.name[fx], 1);
			}
		}
		if (reason) {
			out->repairs.len = rep_mark;
			out->nrepairs = rep_nmark;
			out->data.len = saved;
			d->st[ST_TRANSFORM].rejected++;
			d->st[ST_TRANSFORM].h_rej += sh;
			if (reject(p, raw, r, "transform", reason, detail, out, e))
				return -1;
			continue;
		}
		/* raw legacy record as JSON */
		buf_reset(&p->json);
		buf_addc(&p->json, '{', e);
		for (unsigned c = 0; c < raw->ncols; c++) {
			size_t n;
			const char *v = tget(p, (int)c, &n);

			if (c)
				buf_addc(&p->json, ',', e);
			json_escape(&p->json, p->colnames[c], strlen(p->colnames[c]), e);
			buf_addc(&p->json, ':', e);
			if (v)
				json_escape(&p->json, v, n, e);
			else
				buf_addstr(&p->json, "null", e);
		}
		if (buf_addc(&p->json, '}', e) || batch_put(out, nf, p->json.ptr, p->json.len, e))
			return -1;
		/* unified-domain hash over the fields in canonical order */
		buf_reset(&p->canon);
		for (unsigned c = 0; c < nf; c++) {
			size_t n;
			const unsigned char *v = batch_get(out, out->nrows, c, &n);

			if (canon_add(&p->canon, v, n, v == NULL, e))
				return -1;
		}
		k = batch_key(raw, r, &kn);
		if (batch_row_end(out, k, kn, raw->prov[r].line, raw->prov[r].offset, e))
			return -1;
		out->prov[out->nrows - 1].src_hash = sh;
		out->prov[out->nrows - 1].u_hash = hasher_digest64(p->h, p->canon.ptr, p->canon.len);
		d->st[ST_TRANSFORM].out++;
		d->st[ST_TRANSFORM].h_out += sh;
		d->st[ST_TRANSFORM].h_uout += out->prov[out->nrows - 1].u_hash;
	}
	if (raw->have_wm) {
		buf_reset(&out->wm);
		if (buf_add(&out->wm, raw->wm.ptr, raw->wm.len, e))
			return -1;
		out->have_wm = 1;
	}
	if (raw->have_last_key) {
		buf_reset(&out->last_key);
		if (buf_add(&out->last_key, raw->last_key.ptr, raw->last_key.len, e))
			return -1;
		out->have_last_key = 1;
	}
	out->seq = raw->seq;
	if (raw->ninputs) {
		if (buf_add(&out->inputs, raw->inputs.ptr, raw->inputs.len, e))
			return -1;
		out->ninputs = raw->ninputs;
	}
	return 0;
}
