/* extractors/archive.c: any file format over the members of archives.
 *
 * The "archive" source runs a file format (csv, fixed, dbf, xlsx: the
 * source's `format` option) over the members of zip, tar (plain or
 * compressed with gzip, bzip2, xz, lzma, zstd, lz4, compress), 7z and rar
 * archives, and over single compressed files (x.csv.gz: one member "x.csv"),
 * streamed through libarchive: nothing is unpacked to disk. A table's `name`
 * is a glob of archive files relative to `dir`, read in byte order of their
 * names; its `members` option is a glob (fnmatch, '*' also matches '/') of
 * the members to read, in archive order. Each matching regular member is
 * one input named "<archive>!<member>", so row keys are
 * "<archive>!<member>#<record number>". Directories, symbolic links, hard
 * links and other special members are skipped, and so are members that do
 * not match `members`: they are not part of the table.
 *
 * Formats that must seek are fed from a spool: an xlsx member (the format
 * is `seekable`) is copied to a private temporary file (input_spool:
 * unlinked at once, at most max_member_bytes) and read from there; a DBF's
 * memo member ("<stem>.fpt"/".dbt" in the table's directory, any letter
 * case, before or after the table in the archive) is found by a second
 * pass over the archive on the same file descriptor and spooled likewise
 * (struct mg_input's open_beside). The member's hash, caps, keys and
 * resume point are those of a streamed member.
 *
 * Member names become UTF-8: names the archive stores as Unicode (zip names
 * flagged UTF-8, pax headers, 7z) stay as they are; other names are decoded
 * from `member_encoding` (libarchive's hdrcharset option) or, when it is not
 * given, must already be valid UTF-8. libarchive converts names to the
 * character set of the current locale, so its calls run under a thread-local
 * C.UTF-8 locale (uselocale); the process's own locale is not touched.
 *
 * Hostile archives: every member is capped at `max_member_bytes`, and both
 * a member and the archive as a whole at `max_ratio` times their compressed
 * size; a truncated or corrupt archive (a plain tar must end with its
 * end-of-archive marker), an encrypted member, a member name repeated in
 * one archive or holding control characters are errors naming the archive
 * and member. Only the formats above are enabled: libarchive's mtree reader
 * would take a text file for an archive and read the files it names from
 * the local disk. Only in-process decompressors are enabled: none runs an
 * external program.
 *
 * Provenance: the SHA-256 of every member read to its end (over its
 * uncompressed bytes) and of every archive read to its end (over the file's
 * bytes) goes to batch_input_done. The archive's hash follows the bytes
 * libarchive reads through our callbacks where they run in order, and reads
 * the gaps (skipped or seeked-over regions) and the tail itself at the end.
 * The archive is opened seekable (zip then reads its central directory, 7z
 * needs it), so libarchive may read it out of order.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <locale.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extractors/filesrc.h"
#include "migrate/buf.h"

extern const struct source_driver source_archive;

#define AR_BLOCK (64u << 10)        /* bytes per read of the archive file */
#define RATIO_FLOOR (1u << 20)      /* max_ratio is checked above this many bytes */

static const struct pb_keyspec options[] = {
	{"driver", "archive"},
	{"dir", "directory the table names (archive globs) are relative to"},
	{"format", "file format of the members: csv, fixed, dbf, xlsx"},
	{NULL, NULL},
};

static const struct pb_keyspec table_options[] = {
	{"members", "glob of the members to read (fnmatch, '*' matches '/' too; default \"*\")"},
	{"member_encoding", "encoding of member names not stored as UTF-8, e.g. cp936 (default: none, names must be UTF-8)"},
	{"max_member_bytes", "cap on one member's uncompressed bytes (default 4294967296)"},
	{"max_ratio", "cap on uncompressed / compressed size, per member and per archive (default 1000)"},
	{"max_members", "cap on the matching members of one archive (default 100000)"},
	{NULL, NULL},
};

/* Decompressors. libarchive falls back to running an external program
 * (ARCHIVE_WARN) where it was built without a library; ar_open keeps only
 * those that work in-process. */
static int (*const filter_add[])(struct archive *) = {
	archive_read_support_filter_gzip, archive_read_support_filter_bzip2, archive_read_support_filter_xz,
	archive_read_support_filter_lzma, archive_read_support_filter_zstd, archive_read_support_filter_lz4,
	archive_read_support_filter_compress,
};

/* Names of the matching members of one archive, to refuse repeats. */
struct nameset {
	char **slot;
	size_t nslots, n;
};

struct ar_source {
	struct source base;
	struct playbook *pb;
	const struct pb_table *t;
	const struct file_format *fmt;
	char *dir;
	char *format;
	locale_t utf8;
	unsigned filters;          /* filter_add entries that work in-process */
	/* table options */
	char *members;
	char *member_encoding;
	unsigned long long max_member_bytes, max_ratio, max_members;
	glob_t g;
	int have_glob;
	size_t next_archive;
	/* the open archive */
	struct archive *a;
	size_t cur;
	const char *arname;        /* relative to dir, inside g */
	int fd;
	uint64_t fsize;
	uint64_t pos;              /* file offset of the next read */
	int eof_read;              /* the last read found the end of the file */
	uint64_t hashed;           /* file bytes [0, hashed) are in ar_md */
	uint64_t raw_read;         /* bytes handed to libarchive, re-reads included */
	uint64_t ar_out;           /* uncompressed bytes of the members read */
	uint64_t ar_records;
	EVP_MD_CTX *ar_md;
	unsigned char *block;      /* buffer of the read callback */
	unsigned char *scratch;    /* draining members, hashing the tail */
	struct nameset seen;
	/* the open member */
	struct mg_input in;
	struct mg_input spool;     /* its temporary copy, for a seekable format */
	int spooled;
	void *state;
	int member_eof;
	EVP_MD_CTX *m_md;
	uint64_t m_bytes, m_raw0, recno, skip_through;
	/* resuming after a key */
	int resuming;
	size_t resume_ar;
	char resume_member[1024];
	uint64_t resume_recno;
	struct mg_columns cols;
	int have_cols;
	char first_name[1024];
	struct mg_buf pending;     /* inputs finished before there was a batch */
	char raw_name[256];        /* member name of a compressed single file */
	int read_failed;           /* the error came from member_read: it names the member */
	int failed, done;
};

/* ---- small helpers ---- */

static int utf8_valid(const unsigned char *p)
{
	while (*p) {
		unsigned c = *p, n, cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		for (unsigned i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3fu);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* Bytes outside printable ASCII as \xHH, for messages. */
static const char *escaped(const char *s, char *out, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (const unsigned char *p = (const unsigned char *)s; *p && used + 5 < n; p++)
		used += (size_t)snprintf(out + used, n - used, *p < 0x20 || *p >= 0x7f ? "\\x%02x" : "%c", *p);
	return out;
}

static void hex32(const unsigned char *md, char out[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[64] = '\0';
}

static int md_hex(EVP_MD_CTX *md, char out[65], struct mg_err *e)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dn = 0;

	if (EVP_DigestFinal_ex(md, d, &dn) != 1 || dn != 32)
		return mg_err_set(e, MG_E_INTERNAL, "cannot finish SHA-256 from libcrypto");
	hex32(d, out);
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void nameset_clear(struct nameset *ns)
{
	for (size_t i = 0; i < ns->nslots; i++)
		free(ns->slot[i]);
	free(ns->slot);
	memset(ns, 0, sizeof(*ns));
}

/* Add name; *dup = 1 if it was there already. */
static int nameset_add(struct nameset *ns, const char *name, int *dup, struct mg_err *e)
{
	size_t i;

	*dup = 0;
	if ((ns->n + 1) * 2 > ns->nslots) {
		size_t nn = ns->nslots ? ns->nslots * 2 : 64;
		char **ns2 = calloc(nn, sizeof(*ns2));

		if (!ns2)
			return mg_err_set(e, MG_E_NOMEM, "out of memory");
		for (size_t k = 0; k < ns->nslots; k++) {
			if (!ns->slot[k])
				continue;
			for (i = fnv1a(ns->slot[k]) & (nn - 1); ns2[i]; i = (i + 1) & (nn - 1))
				;
			ns2[i] = ns->slot[k];
		}
		free(ns->slot);
		ns->slot = ns2;
		ns->nslots = nn;
	}
	for (i = fnv1a(name) & (ns->nslots - 1); ns->slot[i]; i = (i + 1) & (ns->nslots - 1))
		if (!strcmp(ns->slot[i], name)) {
			*dup = 1;
			return 0;
		}
	if (!(ns->slot[i] = strdup(name)))
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	ns->n++;
	return 0;
}

/* ---- the archive file, read through our callbacks ---- */

/* Bytes [off, off+n) of the file passed by: hash what continues the hashed prefix. */
static void hash_span(struct ar_source *s, const unsigned char *p, uint64_t off, size_t n)
{
	if (off <= s->hashed && s->hashed < off + n) {
		size_t k = (size_t)(s->hashed - off);

		EVP_DigestUpdate(s->ar_md, p + k, n - k);
		s->hashed = off + n;
	}
}

static la_ssize_t ar_read(struct archive *a, void *data, const void **buf)
{
	struct ar_source *s = data;
	ssize_t n;

	do
		n = pread(s->fd, s->block, AR_BLOCK, (off_t)s->pos);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read error: %s", strerror(errno));
		return ARCHIVE_FATAL;
	}
	hash_span(s, s->block, s->pos, (size_t)n);
	s->eof_read = n == 0;
	s->pos += (uint64_t)n;
	s->raw_read += (uint64_t)n;
	*buf = s->block;
	return n;
}

static la_int64_t ar_seek(struct archive *a, void *data, la_int64_t off, int whence)
{
	struct ar_source *s = data;
	la_int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (la_int64_t)s->pos : (la_int64_t)s->fsize;

	if ((off > 0 && base > INT64_MAX - off) || base + off < 0) {
		archive_set_error(a, EINVAL, "seek out of range");
		return ARCHIVE_FATAL;
	}
	s->pos = (uint64_t)(base + off);
	s->eof_read = 0;
	return base + off;
}

/* libarchive's message, and a hint when it wanted more than the file has */
static const char *la_error(struct ar_source *s)
{
	static __thread char msg[600];
	const char *m = archive_error_string(s->a);

	m = m ? m : "unknown error";
	snprintf(msg, sizeof(msg), "%s%s", m,
		 s->eof_read && !strcasestr(m, "truncat") ? " (the file ends there: truncated?)" : "");
	return msg;
}

/* libarchive accepts a tar that simply stops after a member; a tar written
 * to its end has an end-of-archive marker (a zero block) before its EOF.
 * Only checkable without a compression filter (compressed streams have
 * their own end checks). */
static int check_tar_end(struct ar_source *s, struct mg_err *e)
{
	unsigned char blk[512];
	int64_t end;
	ssize_t n;

	if ((archive_format(s->a) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_TAR ||
	    archive_filter_count(s->a) != 1 || archive_filter_code(s->a, 0) != ARCHIVE_FILTER_NONE)
		return 0;
	end = archive_filter_bytes(s->a, 0);
	if (end >= 512) {
		do
			n = pread(s->fd, blk, sizeof(blk), (off_t)(end - 512));
		while (n < 0 && errno == EINTR);
		if (n == (ssize_t)sizeof(blk)) {
			unsigned char any = 0;

			for (size_t i = 0; i < sizeof(blk); i++)
				any |= blk[i];
			if (!any)
				return 0;
		}
	}
	return mg_err_set(e, MG_E_SOURCE, "cannot read archive '%s': it ends without the tar end-of-archive "
			  "marker after %lld bytes (truncated?)", s->arname, (long long)end);
}

static void close_member(struct ar_source *s)
{
	if (s->state)
		s->fmt->close(s->state);
	s->state = NULL;
	if (s->spooled)
		input_close_file(&s->spool);
	s->spooled = 0;
}

static void close_archive(struct ar_source *s)
{
	close_member(s);
	if (s->a)
		archive_read_free(s->a);
	s->a = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	nameset_clear(&s->seen);
}

/* A libarchive reader with our filters and formats and the name encoding;
 * opening it is the caller's. Returns NULL with e filled. */
static struct archive *new_reader(struct ar_source *s, struct mg_err *e)
{
	struct archive *a = archive_read_new();
	locale_t old;
	int bad_encoding = 0;

	if (!a) {
		mg_err_set(e, MG_E_NOMEM, "out of memory");
		return NULL;
	}
	for (size_t k = 0; k < sizeof(filter_add) / sizeof(filter_add[0]); k++)
		if (s->filters & 1u << k)
			filter_add[k](a);
	/* not format_all: mtree would take a text file for an archive and read
	 * the files it names from the local disk, "empty" would take an empty
	 * file for an archive without members */
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_raw(a);    /* a compressed file: data.csv.gz */
	if (s->member_encoding) {
		char opt[128];

		/* under the UTF-8 locale: libarchive sets up its name
		 * conversions (to the locale's character set) here */
		snprintf(opt, sizeof(opt), "hdrcharset=%s", s->member_encoding);
		old = uselocale(s->utf8);
		bad_encoding = archive_read_set_options(a, opt) != ARCHIVE_OK;
		uselocale(old);
	}
	if (bad_encoding) {
		mg_err_set(e, MG_E_CONFIG, "cannot decode member names from member_encoding '%s': %s",
			   s->member_encoding, archive_error_string(a) ? archive_error_string(a) : "unknown encoding");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static int open_archive(struct ar_source *s, size_t i, struct mg_err *e)
{
	const char *path = s->g.gl_pathv[i];
	struct stat st;
	locale_t old;
	int r;

	s->cur = i;
	s->arname = path + strlen(s->dir) + 1;
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return mg_err_set(e, MG_E_IO, "cannot open archive '%s': %s", s->arname, strerror(errno));
	if (fstat(s->fd, &st) || !S_ISREG(st.st_mode))
		return mg_err_set(e, MG_E_IO, "archive '%s' is not a regular file", s->arname);
	s->fsize = (uint64_t)st.st_size;
	s->pos = s->hashed = s->raw_read = s->ar_out = s->ar_records = 0;
	s->eof_read = 0;
	if (EVP_DigestInit_ex(s->ar_md, EVP_sha256(), NULL) != 1)
		return mg_err_set(e, MG_E_INTERNAL, "cannot initialise SHA-256 from libcrypto");
	if (!(s->a = new_reader(s, e)))
		return -1;
	/* under the UTF-8 locale: libarchive converts names (to the locale's
	 * character set) here and at each header */
	old = uselocale(s->utf8);
	archive_read_set_callback_data(s->a, s);
	archive_read_set_read_callback(s->a, ar_read);
	archive_read_set_seek_callback(s->a, ar_seek);
	r = archive_read_open1(s->a);
	uselocale(old);
	if (r < ARCHIVE_WARN)
		return mg_err_set(e, MG_E_SOURCE, "cannot read archive '%s': %s", s->arname,
				  archive_error_string(s->a) ? archive_error_string(s->a) : "unknown error");
	return 0;
}

/* An input read to its end: into the batch, or kept until there is one. */
static int input_done(struct ar_source *s, struct mg_batch *b, const char *name, const char *hex, uint64_t bytes,
		      uint64_t records, struct mg_err *e)
{
	if (b)
		return batch_input_done(b, name, hex, bytes, records, e);
	if (buf_add(&s->pending, name, strlen(name) + 1, e) || buf_add(&s->pending, hex, 65, e) ||
	    buf_add(&s->pending, &bytes, sizeof(bytes), e) || buf_add(&s->pending, &records, sizeof(records), e))
		return -1;
	return 0;
}

static int flush_pending(struct ar_source *s, struct mg_batch *b, struct mg_err *e)
{
	size_t pos = 0;

	while (pos < s->pending.len) {
		const char *name = (const char *)s->pending.ptr + pos;
		const char *hex = name + strlen(name) + 1;
		uint64_t bytes, records;

		pos += strlen(name) + 1 + 65;
		memcpy(&bytes, s->pending.ptr + pos, sizeof(bytes));
		memcpy(&records, s->pending.ptr + pos + 8, sizeof(records));
		pos += 16;
		if (batch_input_done(b, name, hex, bytes, records, e))
			return -1;
	}
	buf_reset(&s->pending);
	return 0;
}

/* libarchive said the archive ends: hash what it did not read, record it. */
static int finish_archive(struct ar_source *s, struct mg_batch *b, int record, struct mg_err *e)
{
	char hex[65];

	for (;;) {
		ssize_t n = pread(s->fd, s->scratch, AR_BLOCK, (off_t)s->hashed);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mg_err_set(e, MG_E_IO, "cannot read archive '%s': %s", s->arname, strerror(errno));
		if (n == 0)
			break;
		hash_span(s, s->scratch, s->hashed, (size_t)n);
	}
	if (md_hex(s->ar_md, hex, e))
		return -1;
	if (record && input_done(s, b, s->arname, hex, s->hashed, s->ar_records, e))
		return -1;
	close_archive(s);
	return 0;
}

/* ---- members ---- */

static ssize_t member_read(struct mg_input *in, void *buf, size_t n, struct mg_err *e)
{
	struct ar_source *s = in->ctx;
	la_ssize_t got;
	uint64_t comp;

	if (s->member_eof || n == 0)
		return 0;
	got = archive_read_data(s->a, buf, n);
	s->read_failed = 1;   /* until this read is through */
	if (got < 0)
		return mg_err_set(e, MG_E_SOURCE, "cannot read archive '%s' at member '%s': %s", s->arname,
				  in->name + strlen(s->arname) + 1, la_error(s));
	if (got == 0) {
		s->member_eof = 1;
		s->read_failed = 0;
		return 0;
	}
	EVP_DigestUpdate(s->m_md, buf, (size_t)got);
	s->m_bytes += (uint64_t)got;
	s->ar_out += (uint64_t)got;
	if (s->m_bytes > s->max_member_bytes)
		return mg_err_set(e, MG_E_LIMIT, "member '%s' is larger than max_member_bytes (%llu bytes)", in->name,
				  s->max_member_bytes);
	/* compressed bytes read for this member, give or take libarchive's read-ahead */
	comp = s->raw_read - s->m_raw0 + AR_BLOCK;
	if (s->m_bytes > RATIO_FLOOR && s->m_bytes / comp > s->max_ratio)
		return mg_err_set(e, MG_E_LIMIT,
				  "member '%s' expands more than max_ratio (%llu) times its compressed size (a zip bomb?)",
				  in->name, s->max_ratio);
	if (s->ar_out > RATIO_FLOOR && s->ar_out / (s->fsize ? s->fsize : 1) > s->max_ratio)
		return mg_err_set(e, MG_E_LIMIT,
				  "archive '%s' expands more than max_ratio (%llu) times its size (a zip bomb?)",
				  s->arname, s->max_ratio);
	s->read_failed = 0;
	return (ssize_t)got;
}

/* The format has finished the member: read the rest for the hash, record it. */
static int finish_member(struct ar_source *s, struct mg_batch *b, struct mg_err *e)
{
	char hex[65];

	for (;;) {
		ssize_t n = member_read(&s->in, s->scratch, AR_BLOCK, e);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
	}
	if (md_hex(s->m_md, hex, e) || input_done(s, b, s->in.name, hex, s->m_bytes, s->recno, e))
		return -1;
	s->ar_records += s->recno;
	close_member(s);
	return 0;
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

static int member_beside(struct mg_input *in, const char *ext, struct mg_input *out, struct mg_err *e);

static int open_member(struct ar_source *s, struct archive_entry *ent, const char *name, uint64_t skip,
		       struct mg_err *e)
{
	struct mg_columns c;
	struct mg_input *fin = &s->in;   /* what the format reads */
	int n;

	if (archive_entry_is_encrypted(ent))
		return mg_err_set(e, MG_E_SOURCE, "member '%s' of archive '%s' is encrypted (not supported)", name,
				  s->arname);
	memset(&s->in, 0, sizeof(s->in));
	n = snprintf(s->in.name, sizeof(s->in.name), "%s!%s", s->arname, name);
	if (n < 0 || (size_t)n >= sizeof(s->in.name))
		return mg_err_set(e, MG_E_SOURCE, "member name '%s' of archive '%s' is too long", name, s->arname);
	if (archive_entry_size_is_set(ent) && archive_entry_size(ent) >= 0 &&
	    (uint64_t)archive_entry_size(ent) > s->max_member_bytes)
		return mg_err_set(e, MG_E_LIMIT, "member '%s' is larger than max_member_bytes (%llu bytes)", s->in.name,
				  s->max_member_bytes);
	s->in.size = archive_entry_size_is_set(ent) && archive_entry_size(ent) >= 0 ?
		(uint64_t)archive_entry_size(ent) : UINT64_MAX;
	s->in.read = member_read;
	s->in.seek = NULL;
	s->in.open_beside = member_beside;
	s->in.ctx = s;
	s->member_eof = 0;
	s->read_failed = 0;
	s->m_bytes = 0;
	s->m_raw0 = s->raw_read;
	s->recno = 0;
	s->skip_through = skip;
	if (EVP_DigestInit_ex(s->m_md, EVP_sha256(), NULL) != 1)
		return mg_err_set(e, MG_E_INTERNAL, "cannot initialise SHA-256 from libcrypto");
	memset(&c, 0, sizeof(c));
	if (s->fmt->seekable) {
		/* read through member_read (hash, caps) into a temporary file;
		 * finish_member then finds the member read to its end */
		if (input_spool(&s->spool, &s->in, s->in.name, e))
			return -1;
		s->spooled = 1;
		fin = &s->spool;
	}
	if (s->fmt->open(s->pb, s->t, fin, &s->state, &c, e)) {
		if (!s->read_failed)
			mg_err_prefix(e, "%s", s->in.name);
		return -1;
	}
	if (!s->have_cols) {
		s->cols.n = c.n;
		for (unsigned k = 0; k < c.n; k++)
			if (!(s->cols.name[k] = strdup(c.name[k])))
				return mg_err_set(e, MG_E_NOMEM, "out of memory");
		s->have_cols = 1;
		snprintf(s->first_name, sizeof(s->first_name), "%s", s->in.name);
	} else if (!same_columns(&s->cols, &c)) {
		return mg_err_set(e, MG_E_SOURCE,
				  "member '%s' has other columns than '%s' (all members of table '%s' must match)",
				  s->in.name, s->first_name, s->t->name);
	}
	return 0;
}

/* Pass over the data of a member that is not read for the table. Where
 * skipping means decompressing anyway (a compressed tar, 7z, rar), read it
 * here instead, so that its expansion counts against max_ratio: a bomb in a
 * member nobody reads must not keep the driver busy for hours. */
static int pass_data(struct ar_source *s, struct archive *a, struct archive_entry *ent, const char *name,
		     uint64_t *out, struct mg_err *e)
{
	int fmt = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
	char esc[256];

	if (archive_entry_is_encrypted(ent) ||
	    (archive_filter_count(a) < 2 && fmt != ARCHIVE_FORMAT_7ZIP && fmt != ARCHIVE_FORMAT_RAR &&
	     fmt != ARCHIVE_FORMAT_RAR_V5))
		return 0;
	for (;;) {
		la_ssize_t got = archive_read_data(a, s->scratch, AR_BLOCK);

		if (got < 0)
			return mg_err_set(e, MG_E_SOURCE, "cannot read archive '%s' at member '%s': %s", s->arname,
					  escaped(name, esc, sizeof(esc)),
					  a == s->a ? la_error(s) :
					  archive_error_string(a) ? archive_error_string(a) : "unknown error");
		if (got == 0)
			return 0;
		*out += (uint64_t)got;
		if (*out > RATIO_FLOOR && *out / (s->fsize ? s->fsize : 1) > s->max_ratio)
			return mg_err_set(e, MG_E_LIMIT,
					  "archive '%s' expands more than max_ratio (%llu) times its size (a zip bomb?)",
					  s->arname, s->max_ratio);
	}
}

static int pass_member(struct ar_source *s, struct archive_entry *ent, const char *name, struct mg_err *e)
{
	return pass_data(s, s->a, ent, name, &s->ar_out, e);
}

/* ---- the memo member of a DBF member ---- */

struct beside {
	struct ar_source *s;
	struct archive *a;
	uint64_t bytes, raw0, out;  /* the member's bytes; file bytes read before it; all bytes out */
};

static ssize_t beside_read(struct mg_input *in, void *buf, size_t n, struct mg_err *e)
{
	struct beside *m = in->ctx;
	struct ar_source *s = m->s;
	la_ssize_t got = archive_read_data(m->a, buf, n);
	uint64_t comp;

	if (got < 0)
		return mg_err_set(e, MG_E_SOURCE, "cannot read archive '%s' at member '%s': %s", s->arname,
				  in->name + strlen(s->arname) + 1,
				  archive_error_string(m->a) ? archive_error_string(m->a) : "unknown error");
	m->bytes += (uint64_t)got;
	m->out += (uint64_t)got;
	if (m->bytes > s->max_member_bytes)
		return mg_err_set(e, MG_E_LIMIT, "member '%s' is larger than max_member_bytes (%llu bytes)", in->name,
				  s->max_member_bytes);
	comp = (uint64_t)archive_filter_bytes(m->a, -1) - m->raw0 + AR_BLOCK;
	if (m->bytes > RATIO_FLOOR && m->bytes / comp > s->max_ratio)
		return mg_err_set(e, MG_E_LIMIT,
				  "member '%s' expands more than max_ratio (%llu) times its compressed size (a zip bomb?)",
				  in->name, s->max_ratio);
	if (m->out > RATIO_FLOOR && m->out / (s->fsize ? s->fsize : 1) > s->max_ratio)
		return mg_err_set(e, MG_E_LIMIT,
				  "archive '%s' expands more than max_ratio (%llu) times its size (a zip bomb?)",
				  s->arname, s->max_ratio);
	return (ssize_t)got;
}

/* open_beside of a member (dbf.c's memo file): "<stem>.<ext>" in the
 * member's directory, in any letter case, preferring the letter case of
 * the member's extension (as dbf.c does on disk). The open archive streams
 * on; a second reader on the same file descriptor (libarchive reads it with
 * read/lseek, ours with pread: they do not meet) looks for the memo member
 * before or after the table and spools it. */
static int member_beside(struct mg_input *in, const char *ext, struct mg_input *out, struct mg_err *e)
{
	struct ar_source *s = in->ctx;
	const char *member = in->name + strlen(s->arname) + 1;
	const char *slash = strrchr(member, '/'), *base = slash ? slash + 1 : member, *dot = strrchr(base, '.');
	size_t dlen = (size_t)(base - member), stem = dot ? (size_t)(dot - base) : strlen(base);
	int upper = dot && dot[1] >= 'A' && dot[1] <= 'Z';
	char want[1024], same[1024];
	struct beside m = {.s = s};
	struct mg_input src;
	int found = 0, have_same = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	snprintf(want, sizeof(want), "%.*s.%s", (int)stem, base, ext);
	snprintf(same, sizeof(same), "%.*s.", (int)stem, base);
	for (const char *x = ext; *x && strlen(same) + 1 < sizeof(same); x++) {
		size_t l = strlen(same);

		same[l] = upper ? (char)(*x >= 'a' && *x <= 'z' ? *x - 'a' + 'A' : *x) : *x;
		same[l + 1] = '\0';
	}
	snprintf(out->name, sizeof(out->name), "%s!%.*s%s", s->arname, (int)dlen, member, same);
	if (lseek(s->fd, 0, SEEK_SET) < 0)
		return mg_err_set(e, MG_E_IO, "cannot read archive '%s' again for the memo member of '%s': %s",
				  s->arname, member, strerror(errno));
	if (!(m.a = new_reader(s, e)))
		return -1;
	{
		locale_t old = uselocale(s->utf8);
		int r = archive_read_open_fd(m.a, s->fd, AR_BLOCK);

		uselocale(old);
		if (r < ARCHIVE_WARN) {
			mg_err_set(e, MG_E_SOURCE, "cannot read archive '%s' again for the memo member of '%s': %s",
				   s->arname, member, archive_error_string(m.a) ? archive_error_string(m.a) : "unknown error");
			goto out;
		}
	}
	while (!have_same) {
		struct archive_entry *ent;
		const char *name;
		locale_t old = uselocale(s->utf8);
		int r = archive_read_next_header(m.a, &ent);

		name = r >= ARCHIVE_WARN ? archive_entry_pathname(ent) : NULL;
		uselocale(old);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			mg_err_set(e, MG_E_SOURCE, "cannot read archive '%s' looking for the memo member of '%s': %s",
				   s->arname, member, archive_error_string(m.a) ? archive_error_string(m.a) : "unknown error");
			goto out;
		}
		if (!name || archive_entry_filetype(ent) != AE_IFREG || archive_entry_hardlink(ent) ||
		    strncmp(name, member, dlen) || strcasecmp(name + dlen, want)) {
			if (pass_data(s, m.a, ent, name ? name : "?", &m.out, e))
				goto out;
			continue;
		}
		/* the name equals the table's, but for ASCII letter case: valid UTF-8 */
		found++;
		have_same = !strcmp(name + dlen, same);
		if (found > 1 && !have_same) {   /* a second spelling, neither in the table's case */
			if (pass_data(s, m.a, ent, name, &m.out, e))
				goto out;
			continue;
		}
		if (archive_entry_is_encrypted(ent)) {
			mg_err_set(e, MG_E_SOURCE, "member '%s' of archive '%s' is encrypted (not supported)", name,
				   s->arname);
			goto out;
		}
		snprintf(out->name, sizeof(out->name), "%s!%s", s->arname, name);
		if (archive_entry_size_is_set(ent) && archive_entry_size(ent) >= 0 &&
		    (uint64_t)archive_entry_size(ent) > s->max_member_bytes) {
			mg_err_set(e, MG_E_LIMIT, "member '%s' is larger than max_member_bytes (%llu bytes)", out->name,
				   s->max_member_bytes);
			goto out;
		}
		if (found > 1)   /* the one in the table's case replaces another spelling */
			input_close_file(out);
		memset(&src, 0, sizeof(src));
		snprintf(src.name, sizeof(src.name), "%s", out->name);
		src.read = beside_read;
		src.ctx = &m;
		src.size = UINT64_MAX;
		m.bytes = 0;
		m.raw0 = (uint64_t)archive_filter_bytes(m.a, -1);
		if (input_spool(out, &src, src.name, e))
			goto out;
	}
	if (found > 1 && !have_same) {
		input_close_file(out);
		mg_err_set(e, MG_E_SOURCE, "several members of archive '%s' match '%.*s%s' (letter case differs); keep one",
			   s->arname, (int)dlen, member, want);
		goto out;
	}
	rc = found ? 0 : 1;
out:
	if (rc < 0 && found)
		input_close_file(out);
	archive_read_free(m.a);
	return rc;
}

/* Open the next matching member, opening archives as needed. first: the
 * search for the columns at start, which ignores the resume point. Returns
 * 1 with a member open, 0 when the archives are exhausted, -1 on error. */
static int advance(struct ar_source *s, struct mg_batch *b, int first, struct mg_err *e)
{
	for (;;) {
		struct archive_entry *ent;
		const char *name;
		char esc[256];
		locale_t old;
		uint64_t skip = 0;
		int r, dup;

		if (!s->a) {
			if (s->next_archive >= s->g.gl_pathc)
				return 0;
			if (open_archive(s, s->next_archive++, e))
				return -1;
		}
		old = uselocale(s->utf8);
		r = archive_read_next_header(s->a, &ent);
		name = r >= ARCHIVE_WARN ? archive_entry_pathname(ent) : NULL;
		uselocale(old);
		if (r == ARCHIVE_EOF) {
			if (s->resuming && !first && s->cur == s->resume_ar)
				return mg_err_set(e, MG_E_SOURCE, "resume point: member '%s' not found in archive '%s'",
						  s->resume_member, s->arname);
			if (check_tar_end(s, e) || finish_archive(s, b, !s->resuming, e))
				return -1;
			continue;
		}
		if (r < ARCHIVE_WARN)
			return mg_err_set(e, MG_E_SOURCE, "cannot read archive '%s': %s", s->arname, la_error(s));
		if (archive_format(s->a) == ARCHIVE_FORMAT_RAW) {
			/* one compressed file (x.csv.gz): its member is named after
			 * the file without the compression suffix; an uncompressed
			 * file is no archive */
			const char *base = strrchr(s->arname, '/'), *dot;

			if (archive_filter_count(s->a) < 2)
				return mg_err_set(e, MG_E_SOURCE, "cannot read archive '%s': Unrecognized archive format",
						  s->arname);
			base = base ? base + 1 : s->arname;
			dot = strrchr(base, '.');
			snprintf(s->raw_name, sizeof(s->raw_name), "%.*s", dot && dot > base ? (int)(dot - base) : (int)strlen(base),
				 base);
			name = s->raw_name;
			if (ends_with(name, ".tar") || ends_with(base, ".tgz") || ends_with(base, ".tbz2") ||
			    ends_with(base, ".txz") || ends_with(base, ".tzst"))
				return mg_err_set(e, MG_E_SOURCE, "cannot read archive '%s': no valid tar archive inside "
						  "its compression", s->arname);
		} else if (archive_entry_filetype(ent) != AE_IFREG || archive_entry_hardlink(ent)) {
			continue;
		}
		if (!name)
			return mg_err_set(e, MG_E_SOURCE, "cannot decode a member name of archive '%s'%s%s: %s", s->arname,
					  s->member_encoding ? " from " : "", s->member_encoding ? s->member_encoding : "",
					  archive_error_string(s->a) ? archive_error_string(s->a) : "unknown error");
		if (!utf8_valid((const unsigned char *)name))
			return mg_err_set(e, MG_E_SOURCE,
					  "member name '%s' of archive '%s' is not UTF-8: set the table's member_encoding (e.g. cp936)",
					  escaped(name, esc, sizeof(esc)), s->arname);
		old = uselocale(s->utf8);
		r = fnmatch(s->members, name, 0);
		uselocale(old);
		if (r) {
			if (pass_member(s, ent, name, e))
				return -1;
			continue;
		}
		for (const unsigned char *c = (const unsigned char *)name; *c; c++)
			if (*c < 0x20 || *c == 0x7f)
				return mg_err_set(e, MG_E_SOURCE, "member name '%s' of archive '%s' holds control characters "
						  "(not supported; exclude it with 'members')",
						  escaped(name, esc, sizeof(esc)), s->arname);
		if (s->seen.n >= s->max_members)
			return mg_err_set(e, MG_E_LIMIT, "archive '%s' has more than max_members (%llu) members matching '%s'",
					  s->arname, s->max_members, s->members);
		if (nameset_add(&s->seen, name, &dup, e))
			return -1;
		if (dup)
			return mg_err_set(e, MG_E_SOURCE,
					  "member '%s' appears twice in archive '%s' (an appended update?); its keys would repeat",
					  name, s->arname);
		if (s->resuming && !first) {
			if (strcmp(name, s->resume_member)) {
				if (pass_member(s, ent, name, e))
					return -1;
				continue;
			}
			s->resuming = 0;
			skip = s->resume_recno;
		}
		if (open_member(s, ent, name, skip, e))
			return -1;
		return 1;
	}
}

/* ---- the driver ---- */

static void reset_table(struct ar_source *s)
{
	close_archive(s);
	if (s->have_glob)
		globfree(&s->g);
	s->have_glob = 0;
	for (unsigned k = 0; k < s->cols.n; k++)
		free(s->cols.name[k]);
	memset(&s->cols, 0, sizeof(s->cols));
	s->have_cols = 0;
	free(s->members);
	free(s->member_encoding);
	s->members = s->member_encoding = NULL;
	s->next_archive = 0;
	s->resuming = 0;
	s->failed = s->done = 0;
	buf_reset(&s->pending);
}

static void ar_close(struct source *src)
{
	struct ar_source *s = (struct ar_source *)src;

	if (!s)
		return;
	reset_table(s);
	EVP_MD_CTX_free(s->ar_md);
	EVP_MD_CTX_free(s->m_md);
	if (s->utf8)
		freelocale(s->utf8);
	free(s->block);
	free(s->scratch);
	free(s->dir);
	free(s->format);
	buf_release(&s->pending);
	free(s);
}

static int ar_open(struct playbook *pb, struct source **out, struct mg_err *e)
{
	struct ar_source *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	s->base.drv = &source_archive;
	s->pb = pb;
	s->fd = -1;
	buf_init(&s->pending, 0, "finished inputs");
	if (pb_get_str(pb, pb->source, "dir", &s->dir, e) || pb_get_str(pb, pb->source, "format", &s->format, e))
		goto fail;
	if (s->dir && s->dir[0] != '/') {
		/* a relative dir is relative to the playbook, like its mapping tables */
		char *abs = pb_path(pb, s->dir);

		free(s->dir);
		s->dir = abs;
		if (!abs) {
			mg_err_set(e, MG_E_NOMEM, "out of memory");
			goto fail;
		}
	}
	if (!s->dir && !(s->dir = strdup(pb->dir))) {
		mg_err_set(e, MG_E_NOMEM, "out of memory");
		goto fail;
	}
	if (!s->format) {
		mg_err_set(e, MG_E_CONFIG, "%s: the archive source needs 'format': the file format of its members "
			   "(csv, fixed, dbf, xlsx)", pb->path);
		goto fail;
	}
	if (!(s->fmt = file_format_find(s->format))) {
		mg_err_set(e, MG_E_CONFIG, "%s: unknown or not compiled in file format '%s' in the archive source "
			   "(valid: csv, fixed, dbf, xlsx)", pb->path, s->format);
		goto fail;
	}
	s->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!s->utf8)
		s->utf8 = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
	if (!s->utf8) {
		mg_err_set(e, MG_E_INTERNAL, "cannot load the C.UTF-8 locale (needed to read archive member names)");
		goto fail;
	}
	{
		struct archive *probe = archive_read_new();

		for (size_t k = 0; probe && k < sizeof(filter_add) / sizeof(filter_add[0]); k++)
			if (filter_add[k](probe) == ARCHIVE_OK)
				s->filters |= 1u << k;
		if (probe)
			archive_read_free(probe);
	}
	s->ar_md = EVP_MD_CTX_new();
	s->m_md = EVP_MD_CTX_new();
	s->block = malloc(AR_BLOCK);
	s->scratch = malloc(AR_BLOCK);
	if (!s->ar_md || !s->m_md || !s->block || !s->scratch) {
		mg_err_set(e, MG_E_NOMEM, "out of memory");
		goto fail;
	}
	*out = &s->base;
	return 0;
fail:
	ar_close(&s->base);
	return -1;
}

/* Where a resume key "<archive>!<member>#<n>" points: the archive with the
 * longest name that prefixes it. */
static int parse_resume(struct ar_source *s, const struct mg_buf *after, struct mg_err *e)
{
	char name[2048];
	size_t best = 0;
	int found = 0;

	if (filesrc_parse_key(after, name, sizeof(name), &s->resume_recno))
		return mg_err_set(e, MG_E_STORE, "stored resume key '%s' is not an archive member key", buf_cstr(after));
	for (size_t i = 0; i < s->g.gl_pathc; i++) {
		const char *rel = s->g.gl_pathv[i] + strlen(s->dir) + 1;
		size_t n = strlen(rel);

		if (!strncmp(name, rel, n) && name[n] == '!' && (!found || n > best)) {
			found = 1;
			best = n;
			s->resume_ar = i;
		}
	}
	if (!found)
		return mg_err_set(e, MG_E_SOURCE, "resume key '%s' names no archive of table '%s'", buf_cstr(after),
				  s->t->name);
	if (strlen(name + best + 1) >= sizeof(s->resume_member))
		return mg_err_set(e, MG_E_STORE, "stored resume key '%s' is too long", buf_cstr(after));
	snprintf(s->resume_member, sizeof(s->resume_member), "%s", name + best + 1);
	s->resuming = 1;
	return 0;
}

static __thread int glob_errno;
static __thread char glob_epath[1024];

static int glob_error(const char *epath, int eerrno)
{
	glob_errno = eerrno;
	snprintf(glob_epath, sizeof(glob_epath), "%s", epath);
	return 1;
}

static int ar_start(struct source *src, const struct pb_table *t, const struct mg_buf *after,
		    struct mg_columns *cols, struct mg_err *e)
{
	struct ar_source *s = (struct ar_source *)src;
	char pattern[2048];
	int rc;

	reset_table(s);
	s->t = t;
	s->failed = 1;   /* until started */
	if (pb_get_str(s->pb, t->node, "members", &s->members, e) ||
	    pb_get_str(s->pb, t->node, "member_encoding", &s->member_encoding, e) ||
	    pb_get_uint(s->pb, t->node, "max_member_bytes", 4ull << 30, 1ull << 40, &s->max_member_bytes, e) ||
	    pb_get_uint(s->pb, t->node, "max_ratio", 1000, 1000000, &s->max_ratio, e) ||
	    pb_get_uint(s->pb, t->node, "max_members", 100000, 10000000, &s->max_members, e))
		return -1;
	if (!s->members && !(s->members = strdup("*")))
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	if (s->member_encoding && (!*s->member_encoding || strlen(s->member_encoding) > 64 ||
				   strpbrk(s->member_encoding, ",=")))
		return mg_err_set(e, MG_E_CONFIG, "%s:%d: member_encoding '%s' is not an encoding name", s->pb->path,
				  pb_line(pb_get(s->pb, t->node, "member_encoding")), s->member_encoding);
	snprintf(pattern, sizeof(pattern), "%s/%s", s->dir, t->name);
	glob_errno = 0;
	rc = glob(pattern, GLOB_ERR, glob_error, &s->g);
	s->have_glob = 1;
	if (rc == GLOB_NOMATCH || (rc == GLOB_ABORTED && glob_errno == ENOENT))
		return mg_err_set(e, MG_E_CONFIG, "no file matches '%s' in '%s'", t->name, s->dir);
	if (rc)
		return mg_err_set(e, MG_E_IO, "cannot list '%s': %s", glob_epath,
				  rc == GLOB_ABORTED ? strerror(glob_errno) : "out of memory");
	if (after && parse_resume(s, after, e))
		return -1;
	/* the first matching member gives the columns, even when resuming past it */
	rc = advance(s, NULL, 1, e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return mg_err_set(e, MG_E_SOURCE, "no member of the archives '%s' in '%s' matches '%s'", t->name, s->dir,
				  s->members);
	if (s->resuming) {
		const char *member = s->in.name + strlen(s->arname) + 1;

		if (s->cur < s->resume_ar) {
			close_archive(s);
			s->next_archive = s->resume_ar;
		} else if (s->cur > s->resume_ar) {
			return mg_err_set(e, MG_E_SOURCE, "resume point: member '%s' not found in archive '%s'",
					  s->resume_member, s->g.gl_pathv[s->resume_ar] + strlen(s->dir) + 1);
		} else if (!strcmp(member, s->resume_member)) {
			s->resuming = 0;
			s->skip_through = s->resume_recno;
		} else {
			close_member(s);
		}
	}
	cols->n = s->cols.n;
	for (unsigned k = 0; k < s->cols.n; k++)
		cols->name[k] = s->cols.name[k];
	s->failed = 0;
	return 0;
}

static int ar_next(struct source *src, struct mg_batch *b, struct mg_err *e)
{
	struct ar_source *s = (struct ar_source *)src;

	if (s->failed)
		return mg_err_set(e, MG_E_INTERNAL, "archive source used after an error");
	if (s->done)
		return MG_DONE;
	if (s->pending.len && flush_pending(s, b, e))
		goto fail;
	for (;;) {
		int rc;

		if (!s->state) {
			rc = advance(s, b, 0, e);
			if (rc < 0)
				goto fail;
			if (rc == 0) {
				s->done = 1;
				/* the inputs finished last still need a batch to travel in */
				return b->ninputs ? MG_OK : MG_DONE;
			}
		}
		snprintf(b->origin, sizeof(b->origin), "%s", s->in.name);
		b->skip_through = s->skip_through;
		rc = s->fmt->next(s->state, b, &s->recno, e);
		if (rc == MG_ERR) {
			if (!s->read_failed)
				mg_err_prefix(e, "%s", s->in.name);
			goto fail;
		}
		if (rc == MG_DONE && finish_member(s, b, e))
			goto fail;
		if (b->nrows || b->nxrej) {
			if (batch_set_last_key(b, e))
				goto fail;
			return MG_OK;
		}
	}
fail:
	s->failed = 1;
	return -1;
}

const struct source_driver source_archive = {
	.name = "archive",
	.caps = SRC_CAN_RESUME,
	.options = options,
	.table_options = table_options,
	.open = ar_open,
	.start = ar_start,
	.next_batch = ar_next,
	.recount = NULL,
	.close = ar_close,
};
