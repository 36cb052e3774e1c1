/* extractors/replay.c: corrected rejects read back from the JSON Lines file
 * `migrate rejects export` writes (docs/rejects.md).
 *
 * Each line is one rejected record: {"system", "table", "key" or "key_hex",
 * "columns": [{"name", "text" | "hex"} or null ...], ...}. A line becomes a
 * raw row of its table: "hex" values pass as their bytes, "text" values
 * (UTF-8, as the department corrected them) are encoded back into the
 * column's declared encoding, so that the decode transform reads them
 * exactly as it reads real source bytes; null is NULL. A text that the
 * encoding cannot hold is an extract reject "unencodable". The row key is
 * the record's original legacy key.
 *
 * The file: the environment variable MIGRATE_REPLAY_FILE (set by `migrate
 * rejects replay`), else the source option `file` (relative to the
 * playbook). Lines are taken in file order; resuming after a key skips
 * through the line holding that key. There is no recount: the file is the
 * source, and the lines of a table are what the run extracts.
 */
#include <errno.h>
#include <iconv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/extractor.h"
#include "transform/decode.h"

#define REPLAY_MAX_LINE (64u << 20)

extern const struct source_driver source_replay;

struct replay_src {
	struct source base;       /* first */
	struct playbook *pb;
	char *path;
	FILE *f;
	const struct pb_table *t;
	struct mg_columns cols;
	iconv_t cd[MG_MAX_COLS];  /* UTF-8 -> the column's encoding; 0 = UTF-8 itself */
	struct mg_buf line, val, key;
	uint64_t lineno, offset, next_offset;
	struct mg_buf after;      /* resuming: skip through the line with this key */
	int skipping, done, eof;
};

static const struct pb_keyspec replay_options[] = {
	{"driver", "replay"},
	{"file", "the JSON Lines file of corrected rejects (default: $MIGRATE_REPLAY_FILE)"},
	{NULL, NULL},
};

/* One line into s->line (without its newline): 1 a line, 0 at the end. */
static int read_line(struct replay_src *s, struct mg_err *e)
{
	int c;

	buf_reset(&s->line);
	s->offset = s->next_offset;
	if (s->eof)
		return 0;
	while ((c = getc(s->f)) != EOF && c != '\n') {
		if (buf_addc(&s->line, c, e))
			return mg_err_prefix(e, "replay file '%s' line %llu", s->path,
					     (unsigned long long)s->lineno + 1), -1;
	}
	if (ferror(s->f))
		return mg_err_set(e, MG_E_IO, "cannot read replay file '%s': %s", s->path, strerror(errno));
	if (c == EOF) {
		s->eof = 1;
		if (!s->line.len)
			return 0;
	}
	s->next_offset = s->offset + s->line.len + (c == '\n');
	s->lineno++;
	return 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits to bytes in out: 0, or 1 if not hex. */
static int unhex(const char *h, size_t n, struct mg_buf *out, struct mg_err *e)
{
	if (n % 2)
		return 1;
	for (size_t i = 0; i < n; i += 2) {
		int a = hexval((unsigned char)h[i]), b = hexval((unsigned char)h[i + 1]);

		if (a < 0 || b < 0)
			return 1;
		if (buf_addc(out, a * 16 + b, e))
			return -1;
	}
	return 0;
}

/* UTF-8 text into the column's encoding: 0, 1 if the encoding cannot hold
 * it (detail filled), -1 on error. */
static int encode(iconv_t cd, const char *in, size_t n, struct mg_buf *out, char *detail, size_t dn,
		  struct mg_err *e)
{
	char *ip = (char *)in;
	size_t left = n;

	if (!cd) {
		size_t ok = utf8_valid_prefix((const unsigned char *)in, n);

		if (ok < n) {
			snprintf(detail, dn, "not valid UTF-8 at byte %zu", ok);
			return 1;
		}
		return buf_add(out, in, n, e);
	}
	iconv(cd, NULL, NULL, NULL, NULL);
	for (;;) {
		char tmp[4096], *op = tmp;
		size_t room = sizeof(tmp);
		size_t r = left ? iconv(cd, &ip, &left, &op, &room) : iconv(cd, NULL, NULL, &op, &room);
		int err = errno;

		if (buf_add(out, tmp, (size_t)(op - tmp), e))
			return -1;
		if (r != (size_t)-1) {
			if (!left)
				return 0;
			continue;
		}
		if (err == E2BIG)
			continue;
		snprintf(detail, dn, "character at byte %zu has no encoding in the column's encoding", n - left);
		return 1;
	}
}

static int replay_open(struct playbook *pb, struct source **out, struct mg_err *e)
{
	struct replay_src *s;
	const char *env = getenv("MIGRATE_REPLAY_FILE");
	char *opt = NULL;

	*out = NULL;
	if (!env || !*env) {
		if (pb_get_str(pb, pb->source, "file", &opt, e))
			return -1;
		if (!opt)
			return mg_err_set(e, MG_E_CONFIG, "replay: name the file of corrected rejects (source option"
					  " 'file' or MIGRATE_REPLAY_FILE)");
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		free(opt);
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	}
	s->base.drv = &source_replay;
	s->pb = pb;
	s->path = opt ? pb_path(pb, opt) : strdup(env);
	free(opt);
	buf_init(&s->line, REPLAY_MAX_LINE, "replay line (64 MiB)");
	buf_init(&s->val, 0, "replay value");
	buf_init(&s->key, 0, "replay key");
	buf_init(&s->after, 0, "replay key");
	*out = &s->base;
	if (!s->path)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	s->f = fopen(s->path, "rb");
	if (!s->f)
		return mg_err_set(e, MG_E_IO, "cannot open replay file '%s': %s", s->path, strerror(errno));
	return 0;
}

static void close_cds(struct replay_src *s)
{
	for (unsigned c = 0; c < MG_MAX_COLS; c++) {
		if (s->cd[c] && s->cd[c] != (iconv_t)-1)
			iconv_close(s->cd[c]);
		s->cd[c] = 0;
	}
	for (unsigned c = 0; c < s->cols.n; c++)
		free(s->cols.name[c]);
	s->cols.n = 0;
}

/* The declared encoding of a column: the table's per-column override, else
 * the table's, else UTF-8. */
static const char *column_encoding(const struct pb_table *t, const char *col)
{
	for (yaml_node_pair_t *p = pb_pairs_begin(t->encodings); p && p < pb_pairs_end(t->encodings); p++) {
		const char *k = pb_scalar(pb_node(t->pb, p->key));

		if (k && !strcmp(k, col) && pb_scalar(pb_node(t->pb, p->value)))
			return pb_scalar(pb_node(t->pb, p->value));
	}
	return t->encoding ? t->encoding : "utf-8";
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Parse s->line: NULL with e set if it is not a JSON object of this
 * playbook's system and one of its tables. */
static json_t *parse_line(struct replay_src *s, struct mg_err *e)
{
	json_error_t je;
	json_t *o = json_loadb((const char *)s->line.ptr, s->line.len, JSON_REJECT_DUPLICATES, &je);
	const char *sys, *tab;
	unsigned i;

	if (!o || !json_is_object(o)) {
		json_decref(o);
		mg_err_set(e, MG_E_SOURCE, "replay file '%s' line %llu: not a JSON object%s%s", s->path,
			   (unsigned long long)s->lineno, o ? "" : ": ", o ? "" : je.text);
		return NULL;
	}
	sys = jstr(o, "system");
	tab = jstr(o, "table");
	if (!sys || strcmp(sys, s->pb->system.code)) {
		mg_err_set(e, MG_E_SOURCE, "replay file '%s' line %llu: system '%s' is not the playbook's '%s'",
			   s->path, (unsigned long long)s->lineno, sys ? sys : "(none)", s->pb->system.code);
		json_decref(o);
		return NULL;
	}
	for (i = 0; tab && i < s->pb->ntables; i++)
		if (!strcmp(s->pb->tables[i].name, tab))
			break;
	if (!tab || i == s->pb->ntables) {
		mg_err_set(e, MG_E_SOURCE, "replay file '%s' line %llu: table '%s' is not in the playbook", s->path,
			   (unsigned long long)s->lineno, tab ? tab : "(none)");
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The line's key into s->key: 0, 1 if it has none. */
static int line_key(struct replay_src *s, json_t *o, struct mg_err *e)
{
	const char *k = jstr(o, "key"), *h = jstr(o, "key_hex");

	buf_reset(&s->key);
	if (k)
		return buf_add(&s->key, k, json_string_length(json_object_get(o, "key")), e);
	if (h)
		return unhex(h, strlen(h), &s->key, e);
	return 1;
}

static int replay_start(struct source *src, const struct pb_table *t, const struct mg_buf *after,
			struct mg_columns *cols, struct mg_err *e)
{
	struct replay_src *s = (struct replay_src *)src;
	int rc;

	close_cds(s);
	cols->n = 0;
	s->t = t;
	s->done = 0;
	s->eof = 0;
	s->lineno = s->offset = s->next_offset = 0;
	rewind(s->f);
	/* the whole file is checked first: a line of another system or table,
	 * or one that is not JSON, is the user's editing mistake, told by line */
	while ((rc = read_line(s, e)) == 1) {
		json_t *o = parse_line(s, e), *c;

		if (!o)
			return -1;
		c = json_object_get(o, "columns");
		if (!s->cols.n && !strcmp(jstr(o, "table"), t->name) && json_is_array(c) && json_array_size(c)) {
			size_t n = json_array_size(c);

			if (n > MG_MAX_COLS) {
				json_decref(o);
				return mg_err_set(e, MG_E_LIMIT, "replay file '%s' line %llu: more than %d columns",
						  s->path, (unsigned long long)s->lineno, MG_MAX_COLS);
			}
			for (size_t i = 0; i < n; i++) {
				const char *name = jstr(json_array_get(c, i), "name");

				if (!name) {
					json_decref(o);
					close_cds(s);
					return mg_err_set(e, MG_E_SOURCE, "replay file '%s' line %llu: column %zu has no"
							  " name", s->path, (unsigned long long)s->lineno, i + 1);
				}
				s->cols.name[s->cols.n++] = strdup(name);
				if (!s->cols.name[s->cols.n - 1]) {
					json_decref(o);
					return mg_err_set(e, MG_E_NOMEM, "out of memory");
				}
			}
		}
		json_decref(o);
	}
	if (rc < 0)
		return -1;
	for (unsigned c = 0; c < s->cols.n; c++) {
		struct mg_decoder d;

		if (decoder_open(&d, column_encoding(t, s->cols.name[c]), e))
			return mg_err_prefix(e, "table '%s' column '%s'", t->name, s->cols.name[c]), -1;
		if (!d.passthrough) {
			s->cd[c] = iconv_open(d.name, "UTF-8");
			if (s->cd[c] == (iconv_t)-1) {
				s->cd[c] = 0;
				decoder_close(&d);
				return mg_err_set(e, MG_E_CONFIG, "iconv cannot convert to '%s': %s", d.name,
						  strerror(errno));
			}
		}
		decoder_close(&d);
	}
	rewind(s->f);
	s->eof = 0;
	s->lineno = s->offset = s->next_offset = 0;
	buf_reset(&s->after);
	s->skipping = after != NULL;
	if (after && buf_add(&s->after, after->ptr, after->len, e))
		return -1;
	cols->n = s->cols.n;
	for (unsigned c = 0; c < s->cols.n; c++)
		cols->name[c] = s->cols.name[c];
	return 0;
}

static int reject_line(struct replay_src *s, struct mg_batch *b, const char *reason, const char *detail,
		       struct mg_err *e)
{
	return batch_reject(b, reason, detail, s->line.ptr, s->line.len, s->key.ptr, s->key.len, s->lineno,
			    s->offset, e);
}

/* One line of the table into the batch (a row or a reject). */
static int put_line(struct replay_src *s, struct mg_batch *b, json_t *o, struct mg_err *e)
{
	json_t *c = json_object_get(o, "columns");
	char detail[512];
	int rc;

	if (!json_is_array(c))
		return reject_line(s, b, "no_columns", "the record has no columns (an extract reject: give"
				   " its \"columns\")", e);
	if (json_array_size(c) != s->cols.n)
		return reject_line(s, b, "columns_differ", "the record's number of columns differs from the"
				   " table's first record in the file", e);
	batch_row_begin(b);
	for (unsigned i = 0; i < s->cols.n; i++) {
		json_t *v = json_array_get(c, i), *text;
		const char *name = jstr(v, "name"), *hex;

		if (!name || strcmp(name, s->cols.name[i])) {
			batch_row_cancel(b);
			snprintf(detail, sizeof(detail), "column %u is '%s', not '%s'", i + 1, name ? name : "(none)",
				 s->cols.name[i]);
			return reject_line(s, b, "columns_differ", detail, e);
		}
		text = json_object_get(v, "text");
		hex = jstr(v, "hex");
		buf_reset(&s->val);
		if (json_is_string(text)) {
			rc = encode(s->cd[i], json_string_value(text), json_string_length(text), &s->val, detail,
				    sizeof(detail), e);
			if (rc < 0)
				return -1;
			if (rc) {
				char d2[600];

				batch_row_cancel(b);
				snprintf(d2, sizeof(d2), "column '%s' (%s): %s", name,
					 column_encoding(s->t, name), detail);
				return reject_line(s, b, "unencodable", d2, e);
			}
		} else if (hex) {
			rc = unhex(hex, strlen(hex), &s->val, e);
			if (rc < 0)
				return -1;
			if (rc) {
				batch_row_cancel(b);
				snprintf(detail, sizeof(detail), "column '%s': \"hex\" is not an even number of hex"
					 " digits", name);
				return reject_line(s, b, "bad_hex", detail, e);
			}
		} else if (!json_is_null(text) || json_object_get(v, "hex")) {
			batch_row_cancel(b);
			snprintf(detail, sizeof(detail), "column '%s': \"text\" or \"hex\" must be a string", name);
			return reject_line(s, b, "bad_value", detail, e);
		} else {
			batch_put_null(b, i);
			continue;
		}
		if (batch_put(b, i, s->val.ptr, s->val.len, e))
			return -1;
	}
	return batch_row_end(b, s->key.ptr, s->key.len, s->lineno, s->offset, e);
}

static int replay_next_batch(struct source *src, struct mg_batch *b, struct mg_err *e)
{
	struct replay_src *s = (struct replay_src *)src;
	int rc = 1;

	if (s->done || !s->cols.n)
		return MG_DONE;
	if (!b->nrows && !b->nxrej)
		snprintf(b->origin, sizeof(b->origin), "%s", s->t->name);
	while (!batch_full(b) && (rc = read_line(s, e)) == 1) {
		json_t *o = parse_line(s, e);

		if (!o)
			return MG_ERR;
		if (strcmp(jstr(o, "table"), s->t->name)) {
			json_decref(o);
			continue;
		}
		rc = line_key(s, o, e);
		if (rc < 0) {
			json_decref(o);
			return MG_ERR;
		}
		if (s->skipping) {
			if (!rc && s->key.len == s->after.len && !memcmp(s->key.ptr, s->after.ptr, s->key.len))
				s->skipping = 0;
			json_decref(o);
			rc = 1;
			continue;
		}
		if (rc == 0) {
			/* the checkpoint: a resumed run skips through this line */
			buf_reset(&b->last_key);
			if (buf_add(&b->last_key, s->key.ptr, s->key.len, e)) {
				json_decref(o);
				return MG_ERR;
			}
			b->have_last_key = 1;
		}
		rc = rc ? reject_line(s, b, "no_key", "the record has neither \"key\" nor \"key_hex\"", e)
			: put_line(s, b, o, e);
		if (rc == 0)
			rc = 1;
		else
			rc = -1;
		json_decref(o);
		if (rc < 0)
			return MG_ERR;
	}
	if (rc < 0)
		return MG_ERR;
	if (rc == 0 && !b->nrows && !b->nxrej) {
		s->done = 1;
		return MG_DONE;
	}
	return MG_OK;
}

static void replay_close(struct source *src)
{
	struct replay_src *s = (struct replay_src *)src;

	if (!s)
		return;
	close_cds(s);
	if (s->f)
		fclose(s->f);
	buf_release(&s->line);
	buf_release(&s->val);
	buf_release(&s->key);
	buf_release(&s->after);
	free(s->path);
	free(s);
}

const struct source_driver source_replay = {
	.name = "replay",
	.caps = SRC_CAN_RESUME,
	.options = replay_options,
	.open = replay_open,
	.start = replay_start,
	.next_batch = replay_next_batch,
	.close = replay_close,
};
