#include "extractors/filesrc.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <glob.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <time.h>
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

#define SPOOL_CHUNK (64u << 10)

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int input_spool(struct mg_input *out, struct mg_input *src, const char *name, struct mg_err *e)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	unsigned char *buf;
	struct file_ctx *c;
	uint64_t total = 0;
	int fd;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (snprintf(path, sizeof(path), "%s/migrate-spool-XXXXXX", tmp) >= (int)sizeof(path))
		return mg_err_set(e, MG_E_IO, "cannot spool '%s': TMPDIR '%s' is too long", name, tmp);
	fd = mkostemp(path, O_CLOEXEC);   /* mode 0600 */
	if (fd < 0)
		return mg_err_set(e, MG_E_IO, "cannot create a temporary file in '%s' to spool '%s': %s "
				  "(set TMPDIR to a writable directory)", tmp, name, strerror(errno));
	unlink(path);   /* private from here on, gone when closed (also after a crash) */
	buf = malloc(SPOOL_CHUNK);
	c = calloc(1, sizeof(*c));
	if (!buf || !c) {
		free(buf);
		free(c);
		close(fd);
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	}
	for (;;) {
		ssize_t got = src->read(src, buf, SPOOL_CHUNK, e);

		if (got == 0)
			break;
		if (got < 0)
			goto fail;
		errno = 0;
		if (write_all(fd, buf, (size_t)got)) {
			mg_err_set(e, MG_E_IO, "cannot spool '%s' to a temporary file in '%s' after %llu bytes: %s "
				   "(set TMPDIR to a disk with room for the member)", name, tmp,
				   (unsigned long long)total, strerror(errno ? errno : EIO));
			goto fail;
		}
		total += (uint64_t)got;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		mg_err_set(e, MG_E_IO, "cannot seek in the temporary copy of '%s': %s", name, strerror(errno));
		goto fail;
	}
	free(buf);
	c->fd = fd;
	out->size = total;
	out->read = file_read;
	out->seek = file_seek;
	out->ctx = c;
	return 0;
fail:
	free(buf);
	free(c);
	close(fd);
	return -1;
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

int filesrc_rejectf(struct mg_batch *b, const char *name, uint64_t recno, const char *reason, const void *raw,
		    size_t n, uint64_t line, uint64_t offset, struct mg_err *e, const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return filesrc_reject(b, name, recno, reason, detail, raw, n, line, offset, e);
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
	char **files;              /* the files to read, in order (pointers into g) */
	size_t nfiles;
	size_t next_file;
	/* SHA-256 of the current file as it streams */
	EVP_MD_CTX *md;
	uint64_t bytes;
	int hash_ok;
	ssize_t (*orig_read)(struct mg_input *, void *, size_t, struct mg_err *);
	int (*orig_seek)(struct mg_input *, uint64_t, struct mg_err *);
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

static struct file_source *of_input(struct mg_input *in)
{
	return (struct file_source *)(void *)((char *)in - offsetof(struct file_source, in));
}

static ssize_t hashing_read(struct mg_input *in, void *buf, size_t n, struct mg_err *e)
{
	struct file_source *s = of_input(in);
	ssize_t got = s->orig_read(in, buf, n, e);

	if (got > 0) {
		EVP_DigestUpdate(s->md, buf, (size_t)got);
		s->bytes += (uint64_t)got;
	}
	return got;
}

static int hashing_seek(struct mg_input *in, uint64_t off, struct mg_err *e)
{
	struct file_source *s = of_input(in);

	if (s->orig_seek(in, off, e))
		return -1;
	if (off == 0) {  /* a format reading again from the start (xlsx): hash again */
		EVP_DigestInit_ex(s->md, EVP_sha256(), NULL);
		s->bytes = 0;
	} else {
		s->hash_ok = 0;
	}
	return 0;
}

/* The finished file's SHA-256: as streamed, or read again when the format
 * jumped around in it. */
static int file_digest(struct file_source *s, char hex[65], uint64_t *bytes, struct mg_err *e)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (s->in.size != UINT64_MAX && s->bytes != s->in.size)
		s->hash_ok = 0; /* the format stopped before the end: hash the whole file */
	if (!s->hash_ok) {
		char buf[65536];
		ssize_t got;

		if (s->orig_seek(&s->in, 0, e))
			return -1;
		EVP_DigestInit_ex(s->md, EVP_sha256(), NULL);
		s->bytes = 0;
		while ((got = s->orig_read(&s->in, buf, sizeof(buf), e)) > 0) {
			EVP_DigestUpdate(s->md, buf, (size_t)got);
			s->bytes += (uint64_t)got;
		}
		if (got < 0)
			return -1;
	}
	EVP_DigestFinal_ex(s->md, md, &mdlen);
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = hx[md[i] >> 4];
		hex[2 * i + 1] = hx[md[i] & 15];
	}
	hex[64] = '\0';
	*bytes = s->bytes;
	return 0;
}

static const char *rel_name(const struct file_source *s, const char *path)
{
	return path + strlen(s->dir) + 1;
}

/* drop folders: the size a taken file had, or -1 if not taken */
static long long taken_size(const struct file_source *s, const char *name)
{
	const char *p = s->base.taken ? buf_cstr(s->base.taken) : "";
	size_t n = strlen(name);

	while (*p) {
		const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');

		if (!tab || !nl)
			break;
		if ((size_t)(tab - p) == n && !strncmp(p, name, n))
			return atoll(tab + 1);
		p = nl + 1;
	}
	return -1;
}

/* A drop-folder file is complete when its name is not a temporary one and it
 * has not changed for settle_seconds. */
static int complete(const struct file_source *s, const char *path, struct stat *st)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(base);
	static const char *const temp[] = {".tmp", ".part", ".partial", ".crdownload", "~"};

	if (base[0] == '.')
		return 0;
	for (size_t i = 0; i < sizeof(temp) / sizeof(temp[0]); i++)
		if (n >= strlen(temp[i]) && !strcmp(base + n - strlen(temp[i]), temp[i]))
			return 0;
	if (stat(path, st) || !S_ISREG(st->st_mode))
		return 0;
	return time(NULL) - st->st_mtime >= (time_t)s->t->settle_seconds;
}

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
	s->md = EVP_MD_CTX_new();
	if (!s->md || pb_get_str(pb, pb->source, "dir", &s->dir, e)) {
		int nomem = !s->md;

		EVP_MD_CTX_free(s->md);
		free(s);
		return nomem ? mg_err_set(e, MG_E_NOMEM, "out of memory") : -1;
	}
	if (!s->dir) {
		s->dir = strdup(pb->dir);
	} else if (s->dir[0] != '/') {
		/* a relative dir is relative to the playbook, like its mapping tables */
		char *abs = pb_path(pb, s->dir);

		free(s->dir);
		s->dir = abs;
	}
	if (!s->dir) {
		EVP_MD_CTX_free(s->md);
		free(s);
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	}
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
	const char *path = s->files[i];
	const char *rel = rel_name(s, path);
	struct mg_columns c;

	memset(&c, 0, sizeof(c));
	if (input_open_file(&s->in, path, rel, e))
		return -1;
	s->in_open = 1;
	s->orig_read = s->in.read;
	s->orig_seek = s->in.seek;
	s->in.read = hashing_read;
	s->in.seek = hashing_seek;
	EVP_DigestInit_ex(s->md, EVP_sha256(), NULL);
	s->bytes = 0;
	s->hash_ok = 1;
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
				  rel, rel_name(s, s->files[0]), s->t->name);
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
	if (rc == GLOB_NOMATCH && !t->drop_folder) {
		s->failed = 1;
		return mg_err_set(e, MG_E_CONFIG, "no file matches '%s' in '%s'", t->name, s->dir);
	}
	if (rc && rc != GLOB_NOMATCH) {
		s->failed = 1;
		return mg_err_set(e, MG_E_IO, "cannot list '%s': %s", pattern, strerror(errno));
	}
	s->have_glob = rc == 0;
	if (after) {
		if (filesrc_parse_key(after, s->resume_name, sizeof(s->resume_name), &s->resume_recno))
			return mg_err_set(e, MG_E_STORE, "stored resume key '%s' is not a file key", buf_cstr(after));
		s->resuming = 1;
	}
	s->files = calloc(s->have_glob ? s->g.gl_pathc + 1 : 1, sizeof(*s->files));
	if (!s->files)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	for (size_t i = 0; s->have_glob && i < s->g.gl_pathc; i++) {
		const char *path = s->g.gl_pathv[i], *rel = rel_name(s, path);
		struct stat st;
		long long was;
		int in_progress = s->resuming && !strcmp(rel, s->resume_name);

		if (!t->drop_folder) {
			/* a resumed run skips the files before the key's file */
			if (!s->resuming || strcmp(rel, s->resume_name) >= 0)
				s->files[s->nfiles++] = (char *)path;
			continue;
		}
		if (!complete(s, path, &st))
			continue;
		was = taken_size(s, rel);
		if (was >= 0 && was != (long long)st.st_size) {
			s->failed = 1;
			return mg_err_set(e, MG_E_SOURCE, "file '%s' changed after it was taken (%lld bytes then, %lld now): "
					  "a dropped file must not be rewritten; drop the new content under a new name",
					  rel, was, (long long)st.st_size);
		}
		if (was >= 0)
			continue;
		if (in_progress && s->nfiles) {
			/* the file a crashed run was in goes first */
			memmove(s->files + 1, s->files, s->nfiles * sizeof(*s->files));
			s->files[0] = (char *)path;
			s->nfiles++;
		} else {
			s->files[s->nfiles++] = (char *)path;
		}
	}
	if (!s->nfiles) {
		if (!t->drop_folder) {
			s->failed = 1;
			return mg_err_set(e, MG_E_CONFIG, "no file matches '%s' in '%s'", t->name, s->dir);
		}
		/* nothing new in the drop folder: an empty table */
		s->done = 1;
		cols->n = 0;
		return 0;
	}
	/* the first file gives the columns */
	if (open_file(s, 0, 1, e)) {
		s->failed = 1;
		return -1;
	}
	s->next_file = 1;
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
			if (s->next_file >= s->nfiles) {
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
		if (rc == MG_DONE) {
			char hex[65];
			uint64_t bytes;

			if (file_digest(s, hex, &bytes, e) ||
			    batch_input_done(b, s->in.name, hex, bytes, s->recno, e)) {
				s->failed = 1;
				return -1;
			}
		}
		if (b->nrows || b->nxrej || b->ninputs) {
			if (batch_set_last_key(b, e))
				return -1;
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
	free(s->files);
	EVP_MD_CTX_free(s->md);
	for (unsigned k = 0; k < s->cols.n; k++)
		free(s->cols.name[k]);
	free(s->dir);
	free(s);
}
