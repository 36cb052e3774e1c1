#include "extractors/filesrc.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- inputs ---- */

struct file_ctx {
	int fd;
};

static ssize_t file_read(struct mg_input *in, void *buf, size_t n, struct mg_err *e)
{
	struct file_ctx *c = in->ctx;
	ssize_t r;

	do
		r = read(c->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return mg_err_set(e, MG_E_IO, "cannot read '%s': %s", in->name, strerror(errno));
	return r;
}

static int file_seek(struct mg_input *in, uint64_t off, struct mg_err *e)
{
	struct file_ctx *c = in->ctx;

	if (lseek(c->fd, (off_t)off, SEEK_SET) < 0)
		return mg_err_set(e, MG_E_IO, "cannot seek in '%s': %s", in->name, strerror(errno));
	return 0;
}

int input_open_file(struct mg_input *in, const char *path, const char *display, struct mg_err *e)
{
	struct file_ctx *c = calloc(1, sizeof(*c));
	struct stat st;

	memset(in, 0, sizeof(*in));
	if (!c)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		free(c);
		return mg_err_set(e, MG_E_IO, "cannot open '%s': %s", path, strerror(errno));
	}
	snprintf(in->name, sizeof(in->name), "%s", display ? display : path);
	in->size = fstat(c->fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX;
	in->read = file_read;
	in->seek = file_seek;
	in->ctx = c;
	return 0;
}

void input_close_file(struct mg_input *in)
{
	struct file_ctx *c = in->ctx;

	if (c) {
		close(c->fd);
		free(c);
	}
	in->ctx = NULL;
}

static ssize_t mem_read(struct mg_input *in, void *buf, size_t n, struct mg_err *e)
{
	size_t k = in->mem_n - in->mem_pos < n ? in->mem_n - in->mem_pos : n;

	(void)e;
	memcpy(buf, in->mem + in->mem_pos, k);
	in->mem_pos += k;
	return (ssize_t)k;
}

static int mem_seek(struct mg_input *in, uint64_t off, struct mg_err *e)
{
	if (off > in->mem_n)
		return mg_err_set(e, MG_E_IO, "seek past the end of '%s'", in->name);
	in->mem_pos = (size_t)off;
	return 0;
}

void input_open_mem(struct mg_input *in, const void *data, size_t n, const char *name)
{
	memset(in, 0, sizeof(*in));
	in->mem = data;
	in->mem_n = n;
	snprintf(in->name, sizeof(in->name), "%s", name);
	in->size = n;
	in->read = mem_read;
	in->seek = mem_seek;
}

int reader_init(struct mg_reader *r, struct mg_input *in, size_t cap, struct mg_err *e)
{
	memset(r, 0, sizeof(*r));
	r->in = in;
	r->cap = cap ? cap : 1u << 16;
	r->buf = malloc(r->cap);
	if (!r->buf)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	return 0;
}

void reader_release(struct mg_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

ssize_t reader_fill(struct mg_reader *r, size_t n, struct mg_err *e)
{
	if (n > r->cap)
		return mg_err_set(e, MG_E_LIMIT, "record in '%s' longer than the reader's %zu bytes", r->in->name, r->cap);
	if (r->len - r->pos >= n)
		return (ssize_t)(r->len - r->pos);
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	while (!r->eof && r->len < n) {
		ssize_t got = r->in->read(r->in, r->buf + r->len, r->cap - r->len, e);

		if (got < 0)
			return -1;
		if (got == 0)
			r->eof = 1;
		r->len += (size_t)got;
	}
	return (ssize_t)(r->len - r->pos);
}

/* ---- keys ---- */

int filesrc_row_end(struct mg_batch *b, const char *name, uint64_t recno, uint64_t line, uint64_t offset,
		    struct mg_err *e)
{
	char key[1100];
	int n;

	if (recno <= b->skip_through) {
		batch_row_cancel(b);
		return 0;
	}
	n = snprintf(key, sizeof(key), "%s#%llu", name, (unsigned long long)recno);
	return batch_row_end(b, key, (size_t)n, line, offset, e);
}

int filesrc_reject(struct mg_batch *b, const char *name, uint64_t recno, const char *reason, const char *detail,
		   const void *raw, size_t n, uint64_t line, uint64_t offset, struct mg_err *e)
{
	char key[1100];
	int kn;

	if (recno <= b->skip_through)
		return 0;
	kn = snprintf(key, sizeof(key), "%s#%llu", name, (unsigned long long)recno);
	return batch_reject(b, reason, detail, raw, n, key, (size_t)kn, line, offset, e);
}

int filesrc_parse_key(const struct mg_buf *key, char *name, size_t n, uint64_t *recno)
{
	const char *s = buf_cstr(key), *hash = strrchr(s, '#');
	char *end;

	if (!hash || (size_t)(hash - s) >= n)
		return -1;
	if (hash[1] < '0' || hash[1] > '9')
		return -1;
	memcpy(name, s, (size_t)(hash - s));
	name[hash - s] = '\0';
	errno = 0;
	*recno = strtoull(hash + 1, &end, 10);
	return *end || errno ? -1 : 0;
}

/* ---- the generic file source ---- */

struct file_source {
	struct source base;
	struct playbook *pb;
	const struct pb_table *t;
	const struct file_format *fmt;
	char *dir;
	glob_t g;
	int have_glob;
	size_t next_file;
	struct mg_input in;
	int in_open;
	void *state;
	uint64_t recno;
	char resume_name[1024];
	uint64_t resume_recno;
	int resuming;
	struct mg_columns cols;   /* names copied from the first file */
	int failed, done;
};

int filesrc_open(struct playbook *pb, struct source **out, struct mg_err *e)
{
	struct file_source *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	s->base.drv = source_driver_find(pb->driver);
	s->fmt = file_format_find(pb->driver);
	s->pb = pb;
	if (!s->base.drv || !s->fmt) {
		free(s);
		return mg_err_set(e, MG_E_CONFIG, "'%s' is not a file format", pb->driver);
	}
	if (pb_get_str(pb, pb->source, "dir", &s->dir, e)) {
		free(s);
		return -1;
	}
	if (!s->dir)
		s->dir = strdup(pb->dir);
	*out = &s->base;
	return 0;
}

static void close_current(struct file_source *s)
{
	if (s->state)
		s->fmt->close(s->state);
	s->state = NULL;
	if (s->in_open)
		input_close_file(&s->in);
	s->in_open = 0;
}

static int same_columns(const struct mg_columns *a, const struct mg_columns *b)
{
	if (a->n != b->n)
		return 0;
	for (unsigned i = 0; i < a->n; i++)
		if (strcmp(a->name[i], b->name[i]))
			return 0;
	return 1;
}

/* Open file i; returns 0, or -1. */
static int open_file(struct file_source *s, size_t i, int first, struct mg_err *e)
{
	const char *path = s->g.gl_pathv[i];
	const char *rel = path + strlen(s->dir) + 1;
	struct mg_columns c;

	memset(&c, 0, sizeof(c));
	if (input_open_file(&s->in, path, rel, e))
		return -1;
	s->in_open = 1;
	s->recno = 0;
	if (s->fmt->open(s->pb, s->t, &s->in, &s->state, &c, e))
		return -1;
	if (first) {
		s->cols.n = c.n;
		for (unsigned k = 0; k < c.n; k++)
			if (!(s->cols.name[k] = strdup(c.name[k])))
				return mg_err_set(e, MG_E_NOMEM, "out of memory");
	} else if (!same_columns(&s->cols, &c)) {
		return mg_err_set(e, MG_E_SOURCE, "file '%s' has other columns than '%s' (all files of table '%s' must match)",
				  rel, s->g.gl_pathv[0] + strlen(s->dir) + 1, s->t->name);
	}
	return 0;
}

int filesrc_start(struct source *src, const struct pb_table *t, const struct mg_buf *after,
		  struct mg_columns *cols, struct mg_err *e)
{
	struct file_source *s = (struct file_source *)src;
	char pattern[2048];
	int rc;

	s->t = t;
	snprintf(pattern, sizeof(pattern), "%s/%s", s->dir, t->name);
	rc = glob(pattern, GLOB_ERR, NULL, &s->g);
	if (rc == GLOB_NOMATCH) {
		s->failed = 1;
		return mg_err_set(e, MG_E_CONFIG, "no file matches '%s' in '%s'", t->name, s->dir);
	}
	if (rc) {
		s->failed = 1;
		return mg_err_set(e, MG_E_IO, "cannot list '%s': %s", pattern, strerror(errno));
	}
	s->have_glob = 1;
	if (after) {
		if (filesrc_parse_key(after, s->resume_name, sizeof(s->resume_name), &s->resume_recno))
			return mg_err_set(e, MG_E_STORE, "stored resume key '%s' is not a file key", buf_cstr(after));
		s->resuming = 1;
	}
	/* the first file gives the columns, even when resuming past it */
	if (open_file(s, 0, 1, e)) {
		s->failed = 1;
		return -1;
	}
	s->next_file = 1;
	if (s->resuming) {
		const char *rel0 = s->g.gl_pathv[0] + strlen(s->dir) + 1;

		if (strcmp(rel0, s->resume_name) < 0) {
			close_current(s);
			while (s->next_file < s->g.gl_pathc &&
			       strcmp(s->g.gl_pathv[s->next_file] + strlen(s->dir) + 1, s->resume_name) < 0)
				s->next_file++;
		}
	}
	cols->n = s->cols.n;
	for (unsigned k = 0; k < s->cols.n; k++)
		cols->name[k] = s->cols.name[k];
	return 0;
}

int filesrc_next(struct source *src, struct mg_batch *b, struct mg_err *e)
{
	struct file_source *s = (struct file_source *)src;

	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "file source used after an error");
	for (;;) {
		int rc;

		if (s->done)
			return MG_DONE;
		if (!s->state) {
			if (s->next_file >= s->g.gl_pathc) {
				s->done = 1;
				return MG_DONE;
			}
			if (open_file(s, s->next_file++, 0, e)) {
				s->failed = 1;
				return -1;
			}
		}
		snprintf(b->origin, sizeof(b->origin), "%s", s->in.name);
		b->skip_through = s->resuming && !strcmp(s->in.name, s->resume_name) ? s->resume_recno : 0;
		rc = s->fmt->next(s->state, b, &s->recno, e);
		if (rc == MG_ERR) {
			s->failed = 1;
			mg_err_prefix(e, "%s", s->in.name);
			return -1;
		}
		if (b->nrows || b->nxrej) {
			size_t kn;

			if (b->nrows) {
				const unsigned char *k = batch_key(b, b->nrows - 1, &kn);

				buf_reset(&b->last_key);
				if (buf_add(&b->last_key, k, kn, e))
					return -1;
				b->have_last_key = 1;
			}
			if (rc == MG_DONE)
				close_current(s);
			return MG_OK;
		}
		if (rc == MG_DONE)
			close_current(s);
	}
}

void filesrc_close(struct source *src)
{
	struct file_source *s = (struct file_source *)src;

	if (!s)
		return;
	close_current(s);
	if (s->have_glob)
		globfree(&s->g);
	for (unsigned k = 0; k < s->cols.n; k++)
		free(s->cols.name[k]);
	free(s->dir);
	free(s);
}
