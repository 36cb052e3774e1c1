#include "transform/rules.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum rkind { R_REQUIRED, R_IN, R_LENGTH, R_NOT_BEFORE };

struct rule {
	char name[RULES_NAME_MAX + 1];
	char reason[RULES_NAME_MAX + 16]; /* validate.<name>: the reject reason and the fix name */
	enum rkind kind;
	int uf, uf2;                      /* the field; not_before: the other field */
	int flag;                         /* action: flag */
	const char *in[RULES_MAX_IN];     /* in: the values (YAML scalars, live with the playbook) */
	unsigned nin;
	int have_min, have_max;
	unsigned long long minlen, maxlen;
};

struct rules {
	const struct mg_utable *ut;
	struct rule r[RULES_MAX];
	unsigned n;
};

static const struct pb_keyspec rule_keys[] = {
	{"name", "the rule's name (letters, digits, _): the reject reason is validate.<name>"},
	{"rule", "a built-in rule: closed_after_received, due_after_received"},
	{"field", "the unified field the rule looks at"},
	{"required", "true: the field must not be NULL or empty"},
	{"in", "a list of the values the field may hold"},
	{"min_length", "the fewest characters the field may hold"},
	{"max_length", "the most characters the field may hold"},
	{"not_before", "another timestamp field the field must not be earlier than"},
	{"action", "reject (default) or flag (load the record, counted as fix validate.<name>)"},
	{NULL, NULL},
};

static const struct pb_keyspec threshold_keys[] = {
	{"max_rejects", "stop when more records than this are rejected"},
	{"max_reject_ratio", "stop when the share of records rejected is above this (0 to 1), after warmup_rows"},
	{"warmup_rows", "records read before max_reject_ratio is applied (default 1000)"},
	{NULL, NULL},
};

static const struct pb_keyspec coverage_keys[] = {
	{"min_mapped", "fail when the share of loaded records mapped by the table's codes is below this (0 to 1)"},
	{"max_unmapped", "fail when the share mapped by neither the table nor a keyword rule is above this (0 to 1)"},
	{NULL, NULL},
};

static const struct pb_keyspec keyword_keys[] = {
	{"match", "a word, or a list of words: the rule matches a text containing one of them"},
	{"in", "title, content, or [title, content] (default): where to look"},
	{"unified", "the unified category code of a record that matches"},
	{NULL, NULL},
};

/* ---- small readers: each diagnoses at the node and returns -1 on a mistake */

static int read_ratio(struct playbook *pb, const yaml_node_t *n, const char *key, double *out)
{
	const char *s = pb_scalar(n);
	char *end;
	double v;

	errno = 0;
	v = s && *s ? strtod(s, &end) : NAN;
	if (!s || !*s || *end || errno || !(v >= 0 && v <= 1)) {
		pb_diag(pb, n, "'%s' must be a share from 0 to 1, such as 0.05, not '%s'", key, s ? s : "");
		return -1;
	}
	*out = v;
	return 0;
}

static int read_count(struct playbook *pb, const yaml_node_t *n, const char *key, unsigned long long *out)
{
	const char *s = pb_scalar(n);
	char *end;
	unsigned long long v;

	errno = 0;
	v = s && *s >= '0' && *s <= '9' ? strtoull(s, &end, 10) : 0;
	if (!s || *s < '0' || *s > '9' || *end || errno || v > 1000000000000000ull) {
		pb_diag(pb, n, "'%s' must be a whole number from 0, not '%s'", key, s ? s : "");
		return -1;
	}
	*out = v;
	return 0;
}

static int is_name(const char *s)
{
	if (!*s || strlen(s) > RULES_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* ---- thresholds */

static void read_limits(struct playbook *pb, const yaml_node_t *n, const char *where, struct rules_limits *l)
{
	yaml_node_t *v;
	unsigned long long c;

	if (!n || n->type != YAML_MAPPING_NODE) {
		pb_diag(pb, n, "%s must be a mapping such as {max_reject_ratio: 0.05, max_rejects: 1000, warmup_rows: 1000}",
			where);
		return;
	}
	pb_check_keys(pb, n, where, threshold_keys);
	snprintf(l->at, sizeof(l->at), "%s:%d", pb->path, pb_line(n));
	if ((v = pb_get(pb, n, "max_rejects")) && !read_count(pb, v, "max_rejects", &c)) {
		l->max_rejects = c;
		l->have_max_rejects = 1;
	}
	if ((v = pb_get(pb, n, "max_reject_ratio")) && !read_ratio(pb, v, "max_reject_ratio", &l->max_reject_ratio))
		l->have_ratio = 1;
	if ((v = pb_get(pb, n, "warmup_rows")) && !read_count(pb, v, "warmup_rows", &c))
		l->warmup_rows = c;
	if (pb_get(pb, n, "warmup_rows") && !pb_get(pb, n, "max_reject_ratio"))
		pb_diag(pb, pb_get(pb, n, "warmup_rows"), "warmup_rows applies to max_reject_ratio, which is not given");
}

static void read_coverage(struct playbook *pb, const yaml_node_t *n, struct rules_limits *l)
{
	yaml_node_t *v;

	if (!n || n->type != YAML_MAPPING_NODE) {
		pb_diag(pb, n, "'coverage' must be a mapping such as {min_mapped: 0.95, max_unmapped: 0.02}");
		return;
	}
	pb_check_keys(pb, n, "coverage", coverage_keys);
	snprintf(l->cov_at, sizeof(l->cov_at), "%s:%d", pb->path, pb_line(n));
	if ((v = pb_get(pb, n, "min_mapped")) && !read_ratio(pb, v, "min_mapped", &l->min_mapped))
		l->have_min_mapped = 1;
	if ((v = pb_get(pb, n, "max_unmapped")) && !read_ratio(pb, v, "max_unmapped", &l->max_unmapped))
		l->have_max_unmapped = 1;
}

static void limits_init(struct rules_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->warmup_rows = RULES_DEFAULT_WARMUP;
}

/* The category field spec of a table, or NULL. */
static yaml_node_t *category_spec(struct playbook *pb, const struct pb_table *t)
{
	for (yaml_node_pair_t *p = pb_pairs_begin(t->fields); p && p < pb_pairs_end(t->fields); p++) {
		yaml_node_t *spec = pb_node(pb, p->value);
		const char *ty = spec && spec->type == YAML_MAPPING_NODE ? pb_scalar(pb_get(pb, spec, "type")) : NULL;

		if (ty && !strcmp(ty, "category"))
			return spec;
	}
	return NULL;
}

void rules_limits_table(struct rules_limits *l, struct playbook *pb, const struct pb_table *t)
{
	yaml_node_t *n, *spec;

	limits_init(l);
	snprintf(l->scope, sizeof(l->scope), "table '%s'", t->name ? t->name : "");
	if ((n = pb_get(pb, t->node, "thresholds")))
		read_limits(pb, n, "a table's thresholds", l);
	if ((spec = category_spec(pb, t)) && (n = pb_get(pb, spec, "coverage")))
		read_coverage(pb, n, l);
}

static yaml_node_t *root_of(struct playbook *pb)
{
	yaml_node_t *root = pb->have_doc ? yaml_document_get_root_node(&pb->doc) : NULL;

	return root && root->type == YAML_MAPPING_NODE ? root : NULL;
}

void rules_limits_system(struct rules_limits *l, struct playbook *pb)
{
	yaml_node_t *root = root_of(pb), *n;

	limits_init(l);
	snprintf(l->scope, sizeof(l->scope), "system '%s'", pb->system.code ? pb->system.code : "");
	if (root && (n = pb_get(pb, root, "thresholds")))
		read_limits(pb, n, "the playbook's thresholds", l);
}

int rules_limits_set(struct rules_limits *l, const char *key, const char *value, struct mg_err *e)
{
	char *end;

	if (!l->scope[0]) {
		limits_init(l);
		snprintf(l->scope, sizeof(l->scope), "the run");
		snprintf(l->at, sizeof(l->at), "the command line");
	}
	errno = 0;
	if (!strcmp(key, "max_reject_ratio")) {
		double v = strtod(value, &end);

		if (!*value || *end || errno || !(v >= 0 && v <= 1))
			return mg_err_set(e, MG_E_USAGE, "max_reject_ratio must be a share from 0 to 1, not '%s'", value);
		l->max_reject_ratio = v;
		l->have_ratio = 1;
		return 0;
	}
	if (!strcmp(key, "max_rejects") || !strcmp(key, "warmup_rows")) {
		unsigned long long v = *value >= '0' && *value <= '9' ? strtoull(value, &end, 10) : 0;

		if (*value < '0' || *value > '9' || *end || errno)
			return mg_err_set(e, MG_E_USAGE, "%s must be a whole number from 0, not '%s'", key, value);
		if (key[0] == 'w') {
			l->warmup_rows = v;
		} else {
			l->max_rejects = v;
			l->have_max_rejects = 1;
		}
		return 0;
	}
	return mg_err_set(e, MG_E_USAGE, "unknown threshold '%s'; valid: max_rejects, max_reject_ratio, warmup_rows", key);
}

void rules_tally_add(struct rules_tally *t, const struct mg_ledger *l)
{
	t->rows += l->st[ST_EXTRACT].in;
	t->rejected += l->st[ST_EXTRACT].rejected + l->st[ST_DECODE].rejected + l->st[ST_TRANSFORM].rejected;
	t->loaded += l->st[ST_TRANSFORM].out;
	t->keyword += ledger_fix_get(l, RULES_FIX_KEYWORD);
	t->defaulted += ledger_fix_get(l, "unmapped_category");
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

int rules_over_rejects(const struct rules_limits *l, const struct rules_tally *t, char *msg, size_t n)
{
	if (l->have_max_rejects && t->rejected > l->max_rejects) {
		snprintf(msg, n, "%s: %llu records rejected, more than max_rejects %llu (%s)", l->scope,
			 (unsigned long long)t->rejected, (unsigned long long)l->max_rejects, l->at);
		return 1;
	}
	if (l->have_ratio && t->rows && t->rows >= l->warmup_rows &&
	    (double)t->rejected > l->max_reject_ratio * (double)t->rows) {
		snprintf(msg, n, "%s: %llu of %llu records rejected (%.2f%%), more than max_reject_ratio %g (%s;"
			 " applied from warmup_rows %llu on)", l->scope, (unsigned long long)t->rejected,
			 (unsigned long long)t->rows, pct(t->rejected, t->rows), l->max_reject_ratio, l->at,
			 (unsigned long long)l->warmup_rows);
		return 1;
	}
	return 0;
}

int rules_over_coverage(const struct rules_limits *l, const struct rules_tally *t, char *msg, size_t n)
{
	uint64_t mapped = t->loaded - (t->keyword + t->defaulted <= t->loaded ? t->keyword + t->defaulted : t->loaded);

	if (!t->loaded)
		return 0;
	if (l->have_min_mapped && (double)mapped < l->min_mapped * (double)t->loaded) {
		snprintf(msg, n, "%s: category coverage: %llu of %llu loaded records (%.2f%%) mapped by the table's codes,"
			 " less than min_mapped %g (%s); %llu more mapped by keyword rules, %llu defaulted", l->scope,
			 (unsigned long long)mapped, (unsigned long long)t->loaded, pct(mapped, t->loaded), l->min_mapped,
			 l->cov_at, (unsigned long long)t->keyword, (unsigned long long)t->defaulted);
		return 1;
	}
	if (l->have_max_unmapped && (double)t->defaulted > l->max_unmapped * (double)t->loaded) {
		snprintf(msg, n, "%s: category coverage: %llu of %llu loaded records (%.2f%%) mapped by neither the table"
			 " nor a keyword rule (defaulted), more than max_unmapped %g (%s)", l->scope,
			 (unsigned long long)t->defaulted, (unsigned long long)t->loaded, pct(t->defaulted, t->loaded),
			 l->max_unmapped, l->cov_at);
		return 1;
	}
	return 0;
}

/* ---- validation rules */

/* Read one rule; diagnoses at the node. Returns 0 or -1 (a mistake). */
static int read_rule(struct playbook *pb, const yaml_node_t *n, const struct mg_utable *ut, struct rule *r)
{
	const char *name = NULL, *rule, *field, *s;
	yaml_node_t *v;
	int preds = 0, bad = 0;

	memset(r, 0, sizeof(*r));
	r->uf = r->uf2 = -1;
	if (!n || n->type != YAML_MAPPING_NODE) {
		pb_diag(pb, n, "a validation rule must be a mapping such as {field: caller_phone, required: true}");
		return -1;
	}
	pb_check_keys(pb, n, "a validation rule", rule_keys);
	rule = pb_scalar(pb_get(pb, n, "rule"));
	field = pb_scalar(pb_get(pb, n, "field"));
	if (rule) {
		preds++;
		if (field) {
			pb_diag(pb, pb_get(pb, n, "field"), "rule '%s' names its own fields: remove 'field'", rule);
			bad = 1;
		}
		if (!strcmp(rule, "closed_after_received") || !strcmp(rule, "due_after_received")) {
			r->kind = R_NOT_BEFORE;
			r->uf = schema_field_index(ut, rule[0] == 'c' ? "closed_at" : "due_at");
			r->uf2 = schema_field_index(ut, "received_at");
			if (r->uf < 0 || r->uf2 < 0) {
				pb_diag(pb, pb_get(pb, n, "rule"), "rule '%s' is for work_order, not %s", rule, ut->name);
				bad = 1;
			}
			name = rule;
		} else {
			pb_diag(pb, pb_get(pb, n, "rule"), "unknown rule '%s'; valid: closed_after_received,"
				" due_after_received (or a field with required, in, min_length/max_length, not_before)", rule);
			return -1;
		}
	} else if (!field) {
		pb_diag(pb, n, "a validation rule needs 'field' (or a built-in 'rule')");
		return -1;
	} else if ((r->uf = schema_field_index(ut, field)) < 0 || r->uf == U_SOURCE_SYSTEM) {
		pb_diag(pb, pb_get(pb, n, "field"), "'%s' is not a field of %s; see docs/playbooks.md for the list", field,
			ut->name);
		return -1;
	}
	if ((v = pb_get(pb, n, "required"))) {
		s = pb_scalar(v);
		preds++;
		r->kind = R_REQUIRED;
		if (!s || strcmp(s, "true")) {
			pb_diag(pb, v, "'required' must be true (leave the rule out otherwise), not '%s'", s ? s : "");
			bad = 1;
		}
	}
	if ((v = pb_get(pb, n, "in"))) {
		preds++;
		r->kind = R_IN;
		if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.top == v->data.sequence.items.start) {
			pb_diag(pb, v, "'in' must be a list of values, such as [\"01\", \"02\"]");
			bad = 1;
		} else {
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
				const char *x = pb_scalar(pb_node(pb, *it));

				if (!x || r->nin == RULES_MAX_IN) {
					pb_diag(pb, pb_node(pb, *it), "'in' takes at most %d values, each a scalar", RULES_MAX_IN);
					bad = 1;
					break;
				}
				r->in[r->nin++] = x;
			}
		}
	}
	if ((v = pb_get(pb, n, "min_length"))) {
		r->have_min = 1;
		bad |= read_count(pb, v, "min_length", &r->minlen) != 0;
	}
	if ((v = pb_get(pb, n, "max_length"))) {
		r->have_max = 1;
		bad |= read_count(pb, v, "max_length", &r->maxlen) != 0;
	}
	if (r->have_min || r->have_max) {
		preds++;
		r->kind = R_LENGTH;
		if (r->have_min && r->have_max && r->minlen > r->maxlen) {
			pb_diag(pb, n, "min_length %llu is more than max_length %llu", r->minlen, r->maxlen);
			bad = 1;
		}
	}
	if ((v = pb_get(pb, n, "not_before"))) {
		const char *o = pb_scalar(v);

		preds++;
		r->kind = R_NOT_BEFORE;
		if (!o || (r->uf2 = schema_field_index(ut, o)) < 0 || ut->fields[r->uf2].type != U_TIMESTAMP ||
		    (r->uf >= 0 && ut->fields[r->uf].type != U_TIMESTAMP)) {
			pb_diag(pb, v, "not_before compares two timestamp fields of %s; '%s' and '%s' are not both", ut->name,
				field ? field : "", o ? o : "");
			bad = 1;
		}
	}
	if (preds != 1 && !bad) {
		pb_diag(pb, n, "a validation rule takes one test: rule, required, in, min_length/max_length or not_before%s",
			preds ? "; write one rule per test" : "");
		bad = 1;
	}
	if ((s = pb_scalar(pb_get(pb, n, "action")))) {
		if (!strcmp(s, "flag"))
			r->flag = 1;
		else if (strcmp(s, "reject")) {
			pb_diag(pb, pb_get(pb, n, "action"), "action must be reject or flag, not '%s'", s);
			bad = 1;
		}
	}
	if ((s = pb_scalar(pb_get(pb, n, "name")))) {
		if (!is_name(s)) {
			pb_diag(pb, pb_get(pb, n, "name"), "a rule's name holds lowercase letters, digits and '_', at most %d,"
				" not '%s'", RULES_NAME_MAX, s);
			bad = 1;
		}
		name = s;
	}
	if (bad)
		return -1;
	if (name)
		snprintf(r->name, sizeof(r->name), "%s", name);
	else
		snprintf(r->name, sizeof(r->name), "%s_%s", field,
			 r->kind == R_REQUIRED ? "required" : r->kind == R_IN ? "in" : r->kind == R_LENGTH ? "length" : "not_before");
	memcpy(r->reason, "validate.", 9);
	memcpy(r->reason + 9, r->name, strlen(r->name) + 1);
	return 0;
}

/* Read (and diagnose) the table's rules into rs (may be NULL). */
static int read_rules(struct playbook *pb, const struct pb_table *t, const struct mg_utable *ut, struct rules *rs)
{
	yaml_node_t *n = pb_get(pb, t->node, "validate");
	struct rules tmp;
	int bad = 0;

	if (!rs)
		rs = &tmp;
	rs->ut = ut;
	rs->n = 0;
	if (!n)
		return 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		pb_diag(pb, n, "'validate' must be a list of rules, such as [{rule: closed_after_received}]");
		return -1;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		struct rule *r = &rs->r[rs->n];

		if (rs->n == RULES_MAX) {
			pb_diag(pb, pb_node(pb, *it), "at most %d validation rules per table", RULES_MAX);
			return -1;
		}
		if (read_rule(pb, pb_node(pb, *it), ut, r)) {
			bad = 1;
			continue;
		}
		for (unsigned k = 0; k < rs->n; k++)
			if (!strcmp(rs->r[k].name, r->name)) {
				pb_diag(pb, pb_node(pb, *it), "two validation rules are named '%s': give one a 'name'", r->name);
				bad = 1;
			}
		rs->n++;
	}
	return bad ? -1 : 0;
}

int rules_build(struct rules **out, struct playbook *pb, const struct pb_table *t, const struct mg_utable *ut,
		struct mg_err *e)
{
	struct rules *rs;

	*out = NULL;
	if (!pb_get(pb, t->node, "validate") || ut->raw)
		return 0;
	if (!(rs = calloc(1, sizeof(*rs))))
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	if (read_rules(pb, t, ut, rs)) {
		free(rs);
		return mg_err_set(e, MG_E_CONFIG, "%s: bad validation rules of table '%s' (run 'migrate check')", pb->path,
				  t->name);
	}
	*out = rs;
	return 0;
}

void rules_free(struct rules *r)
{
	free(r);
}

unsigned rules_count(const struct rules *r)
{
	return r ? r->n : 0;
}

static size_t utf8_chars(const unsigned char *p, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += (p[i] & 0xC0) != 0x80;
	return c;
}

/* 1 if the rule fails on the row, with detail. */
static int fails(const struct rules *rs, const struct rule *r, const struct mg_batch *out, unsigned row, char *detail,
		 size_t dn)
{
	const struct mg_ufield *f = &rs->ut->fields[r->uf];
	size_t n, n2;
	const unsigned char *v = batch_get(out, row, (unsigned)r->uf, &n), *v2;

	switch (r->kind) {
	case R_REQUIRED: {
		size_t i = 0;

		while (v && i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (v && i < n)
			return 0;
		snprintf(detail, dn, "rule '%s': field '%s' is %s", r->name, f->name, v ? "empty" : "NULL");
		return 1;
	}
	case R_IN:
		if (!v)
			return 0;
		for (unsigned k = 0; k < r->nin; k++)
			if (strlen(r->in[k]) == n && !memcmp(r->in[k], v, n))
				return 0;
		if (f->personal)
			snprintf(detail, dn, "rule '%s': field '%s' holds a value not in its list", r->name, f->name);
		else
			snprintf(detail, dn, "rule '%s': field '%s' holds '%.*s', not one of its %u values", r->name, f->name,
				 (int)(n > 40 ? 40 : n), (const char *)v, r->nin);
		return 1;
	case R_LENGTH: {
		size_t c;

		if (!v)
			return 0;
		c = utf8_chars(v, n);
		if (r->have_min && c < r->minlen) {
			snprintf(detail, dn, "rule '%s': field '%s' has %zu characters, fewer than min_length %llu", r->name,
				 f->name, c, r->minlen);
			return 1;
		}
		if (r->have_max && c > r->maxlen) {
			snprintf(detail, dn, "rule '%s': field '%s' has %zu characters, more than max_length %llu", r->name,
				 f->name, c, r->maxlen);
			return 1;
		}
		return 0;
	}
	case R_NOT_BEFORE:
		v2 = batch_get(out, row, (unsigned)r->uf2, &n2);
		if (!v || !v2)
			return 0;
		/* timestamps are YYYY-MM-DD HH:MM:SS: the text order is the time order */
		if (n == n2 ? memcmp(v, v2, n) >= 0 : n > n2)
			return 0;
		snprintf(detail, dn, "rule '%s': %s '%.*s' is before %s '%.*s'", r->name, f->name, (int)(n > 32 ? 32 : n),
			 (const char *)v, rs->ut->fields[r->uf2].name, (int)(n2 > 32 ? 32 : n2), (const char *)v2);
		return 1;
	}
	return 0;
}

int rules_eval(const struct rules *r, const struct mg_batch *out, unsigned row, const char **reason, char *detail,
	       size_t dn, const char **flags, unsigned *nflags, unsigned maxflags)
{
	char tmp[256];

	*nflags = 0;
	for (unsigned i = 0; r && i < r->n; i++) {
		const struct rule *x = &r->r[i];

		if (!fails(r, x, out, row, x->flag ? tmp : detail, x->flag ? sizeof(tmp) : dn))
			continue;
		if (!x->flag) {
			*reason = x->reason;
			return 1;
		}
		if (*nflags < maxflags)
			flags[(*nflags)++] = x->reason;
	}
	return 0;
}

/* ---- keyword rules */

/* where to look: CM_IN_* bits, or 0 (diagnosed) */
static unsigned read_in(struct playbook *pb, const yaml_node_t *n)
{
	unsigned w = 0;
	const char *s = pb_scalar(n);

	if (!n)
		return CM_IN_TITLE | CM_IN_CONTENT;
	if (s)
		w = !strcmp(s, "title") ? CM_IN_TITLE : !strcmp(s, "content") ? CM_IN_CONTENT : 0;
	else if (n->type == YAML_SEQUENCE_NODE)
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			const char *x = pb_scalar(pb_node(pb, *it));
			unsigned b = x && !strcmp(x, "title") ? CM_IN_TITLE : x && !strcmp(x, "content") ? CM_IN_CONTENT : 0;

			if (!b)
				return pb_diag(pb, n, "'in' must be title, content or [title, content]"), 0;
			w |= b;
		}
	if (!w)
		pb_diag(pb, n, "'in' must be title, content or [title, content], not '%s'", s ? s : "");
	return w;
}

/* Read (diagnosing) keyword rules; kw may be NULL (check only). */
static int read_keywords(struct playbook *pb, const struct pb_table *t, const yaml_node_t *n, struct cm_keywords **kw,
			 struct mg_err *e)
{
	int bad = 0;
	unsigned nr = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		pb_diag(pb, n, "'keywords' must be a list such as [{match: [占道, 摆摊], unified: \"0301\"}]");
		return -1;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *r = pb_node(pb, *it), *m;
		const char *u, *ms;
		unsigned where;

		if (++nr > RULES_MAX_KEYWORDS) {
			pb_diag(pb, r, "at most %d keyword rules per field", RULES_MAX_KEYWORDS);
			return -1;
		}
		if (!r || r->type != YAML_MAPPING_NODE) {
			pb_diag(pb, r, "a keyword rule must be a mapping such as {match: 噪音, unified: \"0302\"}");
			bad = 1;
			continue;
		}
		pb_check_keys(pb, r, "a keyword rule", keyword_keys);
		u = pb_scalar(pb_get(pb, r, "unified"));
		m = pb_get(pb, r, "match");
		ms = pb_scalar(m);
		if (!u || !*u) {
			pb_diag(pb, r, "a keyword rule needs 'unified': the category code it maps to");
			bad = 1;
		}
		if (!(where = read_in(pb, pb_get(pb, r, "in"))))
			bad = 1;
		for (unsigned b = CM_IN_TITLE; t && b <= CM_IN_CONTENT; b <<= 1) {
			const char *fld = b == CM_IN_TITLE ? "title" : "content";

			if ((where & b) && pb_get(pb, t->fields, fld) == NULL) {
				pb_diag(pb, pb_get(pb, r, "in") ? pb_get(pb, r, "in") : r,
					"keyword rules look in '%s', which the table's fields do not map", fld);
				bad = 1;
			}
		}
		if (!m || (!(ms && *ms) && (m->type != YAML_SEQUENCE_NODE ||
					    m->data.sequence.items.top == m->data.sequence.items.start))) {
			pb_diag(pb, m ? m : r, "a keyword rule needs 'match': a word or a list of words");
			bad = 1;
			continue;
		}
		if (!ms)
			for (yaml_node_item_t *w = m->data.sequence.items.start; w < m->data.sequence.items.top; w++) {
				const char *x = pb_scalar(pb_node(pb, *w));

				if (!x || !*x) {
					pb_diag(pb, pb_node(pb, *w), "each word of 'match' must be a non-empty text");
					bad = 1;
				}
			}
		if (bad || !kw)
			continue;
		if (cm_keywords_rule(kw, u, where, e))
			return -1;
		if (ms) {
			if (cm_keywords_word(*kw, ms, e))
				return -1;
		} else {
			for (yaml_node_item_t *w = m->data.sequence.items.start; w < m->data.sequence.items.top; w++)
				if (cm_keywords_word(*kw, pb_scalar(pb_node(pb, *w)), e))
					return -1;
		}
	}
	return bad ? -1 : 0;
}

int rules_keywords_build(struct playbook *pb, const yaml_node_t *spec, const struct codemap *taxo,
			 struct cm_keywords **out, struct mg_err *e)
{
	yaml_node_t *n = pb_get(pb, spec, "keywords");

	*out = NULL;
	if (!n)
		return 0;
	if (read_keywords(pb, NULL, n, out, e)) {
		if (!mg_err_isset(e))
			mg_err_set(e, MG_E_CONFIG, "%s:%d: bad keyword rules (run 'migrate check')", pb->path, pb_line(n));
		return -1;
	}
	for (size_t i = 0; taxo && i < cm_keywords_size(*out); i++) {
		const char *u = cm_keywords_unified(*out, i);

		if (!codemap_get(taxo, u, strlen(u)))
			return mg_err_set(e, MG_E_CONFIG, "keyword rule %zu maps to '%s', which is not in the taxonomy", i + 1,
					  u);
	}
	return 0;
}

/* ---- migrate check */

void rules_check_playbook(struct playbook *pb)
{
	struct rules_limits l;

	rules_limits_system(&l, pb);
}

void rules_check_table(struct playbook *pb, const struct pb_table *t)
{
	const struct mg_utable *ut = t->target ? schema_table_find(t->target) : NULL;
	yaml_node_t *n;
	struct mg_err e = {0};

	if (!t->node || t->node->type != YAML_MAPPING_NODE)
		return;
	if ((n = pb_get(pb, t->node, "thresholds"))) {
		struct rules_limits l;

		limits_init(&l);
		read_limits(pb, n, "a table's thresholds", &l);
	}
	if ((n = pb_get(pb, t->node, "validate"))) {
		if (!ut || ut->raw)
			pb_diag(pb, n, "a raw landing takes every row as it is: remove 'validate'");
		else
			read_rules(pb, t, ut, NULL);
	}
	for (yaml_node_pair_t *p = pb_pairs_begin(t->fields); p && p < pb_pairs_end(t->fields); p++) {
		yaml_node_t *spec = pb_node(pb, p->value), *kw, *cov;
		const char *ty;

		if (!spec || spec->type != YAML_MAPPING_NODE)
			continue;
		ty = pb_scalar(pb_get(pb, spec, "type"));
		kw = pb_get(pb, spec, "keywords");
		cov = pb_get(pb, spec, "coverage");
		if ((kw || cov) && (!ty || strcmp(ty, "category"))) {
			pb_diag(pb, kw ? kw : cov, "'%s' is for fields of type category", kw ? "keywords" : "coverage");
			continue;
		}
		if (kw)
			read_keywords(pb, t, kw, NULL, &e);
		if (cov) {
			struct rules_limits l;

			limits_init(&l);
			read_coverage(pb, cov, &l);
		}
	}
}

/* ---- the gate */

void rules_gate_init(struct rules_gate *g, struct playbook *pb, const struct rules_limits *run)
{
	memset(g, 0, sizeof(*g));
	limits_init(&g->table);
	rules_limits_system(&g->system, pb);
	if (run)
		g->run = *run;
	else
		limits_init(&g->run);
}

void rules_gate_table(struct rules_gate *g, struct playbook *pb, const struct pb_table *t)
{
	rules_limits_table(&g->table, pb, t);
}

int rules_gate_check(const struct rules_gate *g, const struct mg_ledger *done, const struct mg_ledger *open, char *msg,
		     size_t n)
{
	struct rules_tally tt, all;

	memset(&tt, 0, sizeof(tt));
	rules_tally_add(&tt, done);
	if (open)
		rules_tally_add(&tt, open);
	all = g->before;
	all.rows += tt.rows;
	all.rejected += tt.rejected;
	return rules_over_rejects(&g->table, &tt, msg, n) || rules_over_rejects(&g->system, &all, msg, n) ||
	       rules_over_rejects(&g->run, &all, msg, n);
}

int rules_gate_table_end(struct rules_gate *g, const struct mg_ledger *l, char *msg, size_t n)
{
	struct rules_tally tt;

	memset(&tt, 0, sizeof(tt));
	rules_tally_add(&tt, l);
	g->before.rows += tt.rows;
	g->before.rejected += tt.rejected;
	return rules_over_coverage(&g->table, &tt, msg, n);
}
