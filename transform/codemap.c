#include "transform/codemap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/buf.h"

struct entry {
	char *key;
	char *value;
};

struct codemap {
	struct entry *e;
	size_t n, alloc;
	size_t *slot;   /* open addressing over e[], index+1; 0 = empty */
	size_t nslot;
};

static size_t hash(const char *s, size_t n)
{
	size_t h = 1469598103934665603u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

int csv_split_line(char *line, char **fields, int max)
{
	int nf = 0;
	char *p = line;

	for (;;) {
		char *w;

		if (nf >= max)
			return -1;
		fields[nf++] = w = p;
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p)
					return -1;
				if (*p == '"') {
					if (p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*w++ = *p++;
			}
			if (*p && *p != ',')
				return -1;
		} else {
			while (*p && *p != ',')
				*w++ = *p++;
		}
		if (!*p) {
			*w = '\0';
			return nf;
		}
		*w = '\0';
		p++;
	}
}

static int add(struct codemap *m, const char *k, const char *v, struct mg_err *e)
{
	if (m->n == m->alloc) {
		size_t na = m->alloc ? m->alloc * 2 : 64;
		struct entry *ne = realloc(m->e, na * sizeof(*ne));

		if (!ne)
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		m->e = ne;
		m->alloc = na;
	}
	m->e[m->n].key = strdup(k);
	m->e[m->n].value = strdup(v);
	if (!m->e[m->n].key || !m->e[m->n].value) {
		free(m->e[m->n].key);
		free(m->e[m->n].value);
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	}
	m->n++;
	return 0;
}

int codemap_load(struct codemap **out, const char *path, const char *value_col, struct mg_err *e)
{
	struct codemap *m = calloc(1, sizeof(*m));
	FILE *f;
	char line[4096];
	char *fld[64];
	int vcol = -1, lineno = 0;

	*out = m;
	if (!m)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	f = fopen(path, "r");
	if (!f)
		return mg_err_set(e, MG_E_CONFIG, "cannot open mapping table '%s': %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		size_t l = strlen(line);
		int nf;
		char *s = line;

		lineno++;
		if (l == sizeof(line) - 1 && line[l - 1] != '\n') {
			fclose(f);
			return mg_err_set(e, MG_E_CONFIG, "%s:%d: line longer than %zu bytes", path, lineno, sizeof(line) - 2);
		}
		while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		if (lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
			s += 3;
		if (!*s)
			continue;
		nf = csv_split_line(s, fld, 64);
		if (nf < 0) {
			fclose(f);
			return mg_err_set(e, MG_E_CONFIG, "%s:%d: malformed CSV line", path, lineno);
		}
		if (vcol < 0) {
			for (int i = 0; i < nf; i++)
				if (!strcmp(fld[i], value_col))
					vcol = i;
			if (vcol < 0) {
				fclose(f);
				return mg_err_set(e, MG_E_CONFIG, "%s:1: mapping table has no column '%s'", path, value_col);
			}
			continue;
		}
		if (vcol >= nf) {
			fclose(f);
			return mg_err_set(e, MG_E_CONFIG, "%s:%d: expected at least %d columns, found %d", path,
					  lineno, vcol + 1, nf);
		}
		if (codemap_get(m, fld[0], strlen(fld[0]))) {
			fclose(f);
			return mg_err_set(e, MG_E_CONFIG, "%s:%d: legacy code '%s' is listed twice", path, lineno, fld[0]);
		}
		if (add(m, fld[0], fld[vcol], e)) {
			fclose(f);
			return -1;
		}
		/* rebuild the index when it gets half full */
		if (m->n * 2 >= m->nslot) {
			size_t ns = m->nslot ? m->nslot * 4 : 256, *sl = calloc(ns, sizeof(*sl));

			if (!sl) {
				fclose(f);
				return mg_err_set(e, MG_E_NOMEM, "out of memory");
			}
			free(m->slot);
			m->slot = sl;
			m->nslot = ns;
			for (size_t i = 0; i < m->n; i++) {
				size_t h = hash(m->e[i].key, strlen(m->e[i].key)) & (ns - 1);

				while (sl[h])
					h = (h + 1) & (ns - 1);
				sl[h] = i + 1;
			}
		} else {
			size_t h = hash(fld[0], strlen(fld[0])) & (m->nslot - 1);

			while (m->slot[h])
				h = (h + 1) & (m->nslot - 1);
			m->slot[h] = m->n;
		}
	}
	fclose(f);
	if (vcol < 0)
		return mg_err_set(e, MG_E_CONFIG, "mapping table '%s' is empty (it needs a header line)", path);
	return 0;
}

const char *codemap_get(const struct codemap *m, const char *key, size_t n)
{
	size_t h;

	if (!m->nslot)
		return NULL;
	h = hash(key, n) & (m->nslot - 1);
	while (m->slot[h]) {
		const struct entry *en = &m->e[m->slot[h] - 1];

		if (strlen(en->key) == n && !memcmp(en->key, key, n))
			return en->value;
		h = (h + 1) & (m->nslot - 1);
	}
	return NULL;
}

size_t codemap_size(const struct codemap *m) { return m->n; }
const char *codemap_key(const struct codemap *m, size_t i) { return m->e[i].key; }
const char *codemap_value(const struct codemap *m, size_t i) { return m->e[i].value; }

void codemap_free(struct codemap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].key);
		free(m->e[i].value);
	}
	free(m->e);
	free(m->slot);
	free(m);
}

/* ---- keyword rules */

struct kwrule {
	char *unified;
	unsigned where;
	char **word;
	unsigned nword;
};

struct cm_keywords {
	struct kwrule *r;
	unsigned n;
};

int cm_keywords_rule(struct cm_keywords **kw, const char *unified, unsigned where, struct mg_err *e)
{
	struct kwrule *nr;

	if (!*kw && !(*kw = calloc(1, sizeof(**kw))))
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	nr = realloc((*kw)->r, ((*kw)->n + 1) * sizeof(*nr));
	if (!nr)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	(*kw)->r = nr;
	nr += (*kw)->n;
	memset(nr, 0, sizeof(*nr));
	nr->where = where;
	if (!(nr->unified = strdup(unified)))
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	(*kw)->n++;
	return 0;
}

int cm_keywords_word(struct cm_keywords *kw, const char *word, struct mg_err *e)
{
	struct kwrule *r;
	char **nw;

	if (!kw || !kw->n)
		return mg_err_set(e, MG_E_INTERNAL, "a keyword without a rule");
	r = &kw->r[kw->n - 1];
	nw = realloc(r->word, (r->nword + 1) * sizeof(*nw));
	if (!nw)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	r->word = nw;
	if (!(nw[r->nword] = strdup(word)))
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	r->nword++;
	return 0;
}

static int contains(const char *hay, size_t hn, const char *needle)
{
	size_t nn = strlen(needle);

	return hay && nn && nn <= hn && memmem(hay, hn, needle, nn) != NULL;
}

const char *cm_keywords_match(const struct cm_keywords *kw, const char *title, size_t tn, const char *content,
			      size_t cn, unsigned *rule)
{
	for (unsigned i = 0; kw && i < kw->n; i++) {
		const struct kwrule *r = &kw->r[i];

		for (unsigned w = 0; w < r->nword; w++)
			if (((r->where & CM_IN_TITLE) && contains(title, tn, r->word[w])) ||
			    ((r->where & CM_IN_CONTENT) && contains(content, cn, r->word[w]))) {
				if (rule)
					*rule = i;
				return r->unified;
			}
	}
	return NULL;
}

size_t cm_keywords_size(const struct cm_keywords *kw) { return kw ? kw->n : 0; }
const char *cm_keywords_unified(const struct cm_keywords *kw, size_t i) { return kw->r[i].unified; }

void cm_keywords_free(struct cm_keywords *kw)
{
	if (!kw)
		return;
	for (unsigned i = 0; i < kw->n; i++) {
		for (unsigned w = 0; w < kw->r[i].nword; w++)
			free(kw->r[i].word[w]);
		free(kw->r[i].word);
		free(kw->r[i].unified);
	}
	free(kw->r);
	free(kw);
}
