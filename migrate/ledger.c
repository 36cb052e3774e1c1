#include "migrate/ledger.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio.h>
#include <string.h>

const char *const mg_stage_names[ST_COUNT] = {
	"source", "extract", "decode", "transform", "load", "target",
};

void ledger_init(struct mg_ledger *l)
{
	memset(l, 0, sizeof(*l));
}

void ledger_add(struct mg_ledger *dst, const struct mg_ledger *src)
{
	for (int s = 0; s < ST_COUNT; s++) {
		struct mg_stage_count *d = &dst->st[s];
		const struct mg_stage_count *c = &src->st[s];

		d->in += c->in;
		d->out += c->out;
		d->rejected += c->rejected;
		d->merged += c->merged;
		d->h_in += c->h_in;
		d->h_out += c->h_out;
		d->h_rej += c->h_rej;
		d->h_merged += c->h_merged;
		d->h_uout += c->h_uout;
	}
	for (unsigned i = 0; i < src->nfix; i++)
		ledger_fix(dst, src->fix[i].name, src->fix[i].n);
}

void ledger_fix(struct mg_ledger *l, const char *name, uint64_t n)
{
	for (unsigned i = 0; i < l->nfix; i++)
		if (!strcmp(l->fix[i].name, name)) {
			l->fix[i].n += n;
			return;
		}
	if (l->nfix < MG_MAX_FIX) {
		snprintf(l->fix[l->nfix].name, sizeof(l->fix[0].name), "%s", name);
		l->fix[l->nfix++].n = n;
	}
}

uint64_t ledger_fix_get(const struct mg_ledger *l, const char *name)
{
	for (unsigned i = 0; i < l->nfix; i++)
		if (!strcmp(l->fix[i].name, name))
			return l->fix[i].n;
	return 0;
}

/* uint64 values travel as decimal strings: JSON numbers lose precision. */
static int put_u64(json_t *o, const char *k, uint64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	return json_object_set_new(o, k, json_string(tmp));
}

static uint64_t get_u64(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (json_is_string(v))
		return strtoull(json_string_value(v), NULL, 10);
	if (json_is_integer(v))
		return (uint64_t)json_integer_value(v);
	return 0;
}

int ledger_to_json(const struct mg_ledger *l, struct mg_buf *out, struct mg_err *e)
{
	json_t *root = json_object(), *stages = json_object(), *fix = json_object();
	char *s;
	int rc;

	for (int i = 0; i < ST_COUNT; i++) {
		json_t *o = json_object();
		const struct mg_stage_count *c = &l->st[i];

		put_u64(o, "in", c->in);
		put_u64(o, "out", c->out);
		put_u64(o, "rejected", c->rejected);
		put_u64(o, "merged", c->merged);
		put_u64(o, "h_in", c->h_in);
		put_u64(o, "h_out", c->h_out);
		put_u64(o, "h_rej", c->h_rej);
		put_u64(o, "h_merged", c->h_merged);
		put_u64(o, "h_uout", c->h_uout);
		json_object_set_new(stages, mg_stage_names[i], o);
	}
	for (unsigned i = 0; i < l->nfix; i++)
		put_u64(fix, l->fix[i].name, l->fix[i].n);
	json_object_set_new(root, "stages", stages);
	json_object_set_new(root, "fixes", fix);
	s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	if (!s)
		return mg_err_set(e, MG_E_NOMEM, "cannot serialise the ledger");
	rc = buf_addstr(out, s, e);
	free(s);
	return rc;
}

int ledger_from_json(struct mg_ledger *l, const char *text, struct mg_err *e)
{
	json_error_t je;
	json_t *root = json_loads(text, 0, &je), *stages, *fix, *v;
	const char *k;

	ledger_init(l);
	if (!root)
		return mg_err_set(e, MG_E_STORE, "stored ledger is not valid JSON: %s", je.text);
	stages = json_object_get(root, "stages");
	for (int i = 0; i < ST_COUNT; i++) {
		json_t *o = json_object_get(stages, mg_stage_names[i]);
		struct mg_stage_count *c = &l->st[i];

		if (!o)
			continue;
		c->in = get_u64(o, "in");
		c->out = get_u64(o, "out");
		c->rejected = get_u64(o, "rejected");
		c->merged = get_u64(o, "merged");
		c->h_in = get_u64(o, "h_in");
		c->h_out = get_u64(o, "h_out");
		c->h_rej = get_u64(o, "h_rej");
		c->h_merged = get_u64(o, "h_merged");
		c->h_uout = get_u64(o, "h_uout");
	}
	fix = json_object_get(root, "fixes");
	json_object_foreach(fix, k, v) {
		(void)v;
		ledger_fix(l, k, get_u64(fix, k));
	}
	json_decref(root);
	return 0;
}

static int problem(struct mg_buf *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int problem(struct mg_buf *p, const char *fmt, ...)
{
	struct mg_err e = {0};
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (p) {
		buf_addstr(p, line, &e);
		buf_addc(p, '\n', &e);
	}
	return 1;
}

int ledger_check(const struct mg_ledger *l, int have_source, int have_target,
		 struct mg_buf *problems)
{
	const struct mg_stage_count *s = l->st;
	int n = 0;

	for (int i = ST_EXTRACT; i <= ST_LOAD; i++) {
		const struct mg_stage_count *c = &s[i];

		if (i == ST_EXTRACT && !have_source)
			continue;
		if (c->in != c->out + c->rejected + c->merged)
			n += problem(problems, "%s: in != out + rejected + merged (counts)%s", mg_stage_names[i], "");
		if (c->h_in != c->h_out + c->h_rej + c->h_merged)
			n += problem(problems, "%s: content total of in != out + rejected + merged%s", mg_stage_names[i], "");
	}
	if (have_source) {
		if (s[ST_EXTRACT].in != s[ST_SOURCE].out || s[ST_EXTRACT].h_in != s[ST_SOURCE].h_out)
			n += problem(problems, "%s does not match the independent recount at the %s", "extract", "source");
	}
	if (s[ST_DECODE].in != s[ST_EXTRACT].out || s[ST_DECODE].h_in != s[ST_EXTRACT].h_out)
		n += problem(problems, "%s.in differs from %s.out", "decode", "extract");
	if (s[ST_TRANSFORM].in != s[ST_DECODE].out || s[ST_TRANSFORM].h_in != s[ST_DECODE].h_out)
		n += problem(problems, "%s.in differs from %s.out", "transform", "decode");
	if (s[ST_LOAD].in != s[ST_TRANSFORM].out || s[ST_LOAD].h_in != s[ST_TRANSFORM].h_uout)
		n += problem(problems, "%s.in differs from %s.out", "load", "transform");
	if (have_target) {
		if (s[ST_TARGET].out != s[ST_LOAD].out || s[ST_TARGET].h_out != s[ST_LOAD].h_out)
			n += problem(problems, "%s does not match the independent recount in the %s", "load", "target");
	}
	return n;
}
