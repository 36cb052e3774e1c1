/* migrate verify MANIFEST [--pubkey FILE] [--store CONNINFO] [--base DIR]:
 * check a run manifest (docs/manifests.md) and say, one line per check,
 * what is ok, what FAILED and what could not be checked:
 *   the signature (manifest-<run>.sig beside it, with --pubkey) and the key id;
 *   with --store, that the stored manifest equals the file;
 *   the chain: every previous manifest, beside MANIFEST or in the store, has
 *   the sha256 its successor records;
 *   the sha256 of every output (relative to the manifest's directory), of the
 *   playbook and the mapping tables (relative to --base, default the current
 *   directory) and of every input file that can be found (relative to the
 *   playbook source's dir).
 * Exit 0 when everything checked is ok, 3 when a check failed, 1 when the
 * manifest cannot be read, 2 on a bad command line. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loaders/pgstore.h"
#include "migrate/builtin.h"
#include "migrate/manifest.h"

#define CHAIN_MAX_LINKS 100000

enum { V_OK, V_FAIL, V_SKIP };

struct sigfile {
	int present;
	char alg[32], key_id[65], sm2_id[64];
	char *sig;       /* base64 */
	char problem[1200];
};

struct verify {
	const char *path;           /* MANIFEST as given */
	char mdir[PATH_MAX];        /* its directory */
	const char *base;
	struct pgstore s;
	int have_store;
	unsigned ok, failed, unchecked;
	struct mg_buf body;
	json_t *root;
	char sha[65];
	long long run;
};

static void put_clean(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			printf("\\x%02X", *c);
		else
			putchar(*c);
	putchar('\n');
}

/* Print one line, bytes below 0x20 and 0x7f as \xHH: names come from a
 * file that may be hostile. */
static void say(struct verify *v, int status, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void say(struct verify *v, int status, const char *what, const char *fmt, ...)
{
	char detail[2048], line[4096];
	va_list ap;

	detail[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	if (status == V_OK) {
		v->ok++;
		snprintf(line, sizeof(line), "%s: ok%s%s%s", what, detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
	} else if (status == V_FAIL) {
		v->failed++;
		snprintf(line, sizeof(line), "%s: FAILED: %s", what, detail);
	} else {
		v->unchecked++;
		snprintf(line, sizeof(line), "%s: not checked (%s)", what, detail);
	}
	put_clean(line);
}

static int read_all(const char *path, size_t cap, const char *what, struct mg_buf *b, struct mg_err *e)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char tmp[65536];

	buf_init(b, cap, what);
	if (fd < 0)
		return mg_err_set(e, MG_E_IO, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return mg_err_set(e, MG_E_IO, "'%s' is not a regular file", path);
	}
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof(tmp));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mg_err_set(e, MG_E_IO, "cannot read '%s': %s", path, strerror(errno));
			break;
		}
		if (n == 0) {
			close(fd);
			if (!b->ptr)
				return buf_addstr(b, "", e);
			return 0;
		}
		if (buf_add(b, tmp, (size_t)n, e)) {
			mg_err_prefix(e, "'%s'", path);
			break;
		}
	}
	close(fd);
	return -1;
}

static const char *join(char *out, size_t n, const char *dir, const char *name)
{
	int w = name[0] == '/' || !strcmp(dir, ".") ? snprintf(out, n, "%s", name) : snprintf(out, n, "%s/%s", dir, name);

	/* a path past PATH_MAX cannot be opened anyway: it is reported missing */
	if (w < 0 || (size_t)w >= n)
		snprintf(out, n, "(a path longer than %zu bytes)", n);
	return out;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/* Check one file against its recorded hash. missing_fails: a missing file
 * is a failure (outputs) or only not checked (inputs, playbook, tables). */
static int check_file(struct verify *v, const char *what, const char *path, const char *want, int missing_fails,
		      const char *where_hint)
{
	char hex[65];
	struct mg_err e = {0};
	int rc;

	if (!is_hex64(want)) {
		say(v, V_FAIL, what, "the manifest records no valid sha256 for it");
		return V_FAIL;
	}
	rc = manifest_hash_file(path, hex, NULL, &e);
	if (rc == 1) {
		if (missing_fails) {
			say(v, V_FAIL, what, "'%s' is missing", path);
			return V_FAIL;
		}
		say(v, V_SKIP, what, "not found%s%s", where_hint ? " " : "", where_hint ? where_hint : "");
		return V_SKIP;
	}
	if (rc) {
		say(v, V_FAIL, what, "%s", e.msg);
		return V_FAIL;
	}
	if (strcmp(hex, want)) {
		say(v, V_FAIL, what, "'%s' has sha256 %.12s, the manifest says %.12s", path, hex, want);
		return V_FAIL;
	}
	say(v, V_OK, what, NULL);
	return V_OK;
}

/* ---- signature ---- */

static void sig_path(const char *manifest, char *out, size_t n)
{
	size_t l = strlen(manifest);

	if (l > 5 && !strcmp(manifest + l - 5, ".json"))
		snprintf(out, n, "%.*s.sig", (int)(l - 5), manifest);
	else
		snprintf(out, n, "%s.sig", manifest);
}

static void read_sigfile(const char *path, struct sigfile *sf)
{
	struct mg_buf b;
	struct mg_err e = {0};
	char *p, *save = NULL;

	memset(sf, 0, sizeof(*sf));
	if (access(path, F_OK))
		return;
	sf->present = 1;
	if (read_all(path, MANIFEST_SIG_MAX_BYTES, "signature file size (64 KiB)", &b, &e)) {
		snprintf(sf->problem, sizeof(sf->problem), "%s", e.msg);
		buf_release(&b);
		return;
	}
	for (p = strtok_r((char *)b.ptr, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		char *val = strstr(p, ": ");
		size_t l;

		if (!val)
			continue;
		*val = '\0';
		val += 2;
		l = strlen(val);
		if (l && val[l - 1] == '\r')
			val[--l] = '\0';
		if (!strcmp(p, "algorithm"))
			snprintf(sf->alg, sizeof(sf->alg), "%s", val);
		else if (!strcmp(p, "key_id"))
			snprintf(sf->key_id, sizeof(sf->key_id), "%s", val);
		else if (!strcmp(p, "sm2_id"))
			snprintf(sf->sm2_id, sizeof(sf->sm2_id), "%s", val);
		else if (!strcmp(p, "signature")) {
			free(sf->sig);
			sf->sig = strdup(val);
		}
	}
	buf_release(&b);
	if (!sf->alg[0] || !sf->key_id[0] || !sf->sig)
		snprintf(sf->problem, sizeof(sf->problem), "it lacks an 'algorithm', 'key_id' or 'signature' line");
}

static void check_signature(struct verify *v, const char *pubkey, struct sigfile *sf)
{
	json_t *sj = json_object_get(v->root, "signature");
	const char *b_alg = jstr(sj, "algorithm"), *b_id = jstr(sj, "key_id");
	char sp[PATH_MAX], pid[65] = "";
	EVP_PKEY *k = NULL;
	struct mg_err e = {0};
	const char *p_alg = NULL;

	sig_path(v->path, sp, sizeof(sp));
	read_sigfile(sp, sf);
	if (pubkey) {
		if (manifest_key_load(pubkey, 0, &k, &e) || manifest_key_id(k, pid, &e)) {
			say(v, V_FAIL, "signature", "%s", e.msg);
			EVP_PKEY_free(k);
			return;
		}
		p_alg = manifest_key_alg(k);
	}
	if (!sf->present) {
		if (json_is_object(sj))
			say(v, V_FAIL, "signature", "'%s' is missing, but the manifest says it was signed (%s, key %.12s)", sp,
			    b_alg ? b_alg : "?", b_id ? b_id : "?");
		else if (pubkey)
			say(v, V_FAIL, "signature", "the manifest is not signed (no '%s')", sp);
		else
			say(v, V_SKIP, "signature", "the manifest is not signed");
		EVP_PKEY_free(k);
		return;
	}
	if (sf->problem[0]) {
		say(v, V_FAIL, "signature", "'%s' is malformed: %s", sp, sf->problem);
		EVP_PKEY_free(k);
		return;
	}
	if (!pubkey)
		say(v, V_SKIP, "signature", "give --pubkey FILE to check it");
	else if (strcmp(p_alg, sf->alg))
		say(v, V_FAIL, "signature", "'%s' is an %s signature, the public key '%s' is %s", sp, sf->alg, pubkey, p_alg);
	else if (sf->sm2_id[0] && strcmp(sf->sm2_id, MANIFEST_SM2_ID))
		say(v, V_FAIL, "signature", "'%s' uses SM2 distinguishing ID '%s'; this tool signs and checks with '%s'", sp,
		    sf->sm2_id, MANIFEST_SM2_ID);
	else {
		int rc = manifest_verify_sig(k, v->body.ptr, v->body.len, sf->sig, &e);

		if (rc < 0)
			say(v, V_FAIL, "signature", "'%s': %s", sp, e.msg);
		else if (rc)
			say(v, V_FAIL, "signature", "'%s' does not match '%s' and the public key '%s': the manifest was changed"
			    " after it was signed, or another key signed it", sp, v->path, pubkey);
		else
			say(v, V_OK, "signature", "%s, key %.12s", sf->alg, pid);
	}
	/* the key id: of the public key, in the .sig and inside the signed body */
	if (!json_is_object(sj))
		say(v, V_FAIL, "key id", "'%s' names key %.12s, but the manifest says it is not signed", sp, sf->key_id);
	else if (!b_id || strcmp(b_id, sf->key_id) || (pubkey && strcmp(pid, sf->key_id)))
		say(v, V_FAIL, "key id", "%s%.12s%s'%s' names key %.12s, the manifest names key %.12s",
		    pubkey ? "the public key is " : "", pubkey ? pid : "", pubkey ? ", " : "", sp, sf->key_id,
		    b_id ? b_id : "none");
	else if (b_alg && strcmp(b_alg, sf->alg))
		say(v, V_FAIL, "key id", "'%s' says algorithm %s, the manifest says %s", sp, sf->alg, b_alg);
	else
		say(v, V_OK, "key id", "%.12s%s", sf->key_id, pubkey ? ", the public key's" : "");
	EVP_PKEY_free(k);
}

/* ---- the store ---- */

static void check_store(struct verify *v, const struct sigfile *sf)
{
	char id[24], hex[65];
	const char *p[1] = {id};
	struct mg_err e = {0};
	PGresult *r;

	snprintf(id, sizeof(id), "%lld", v->run);
	if (pgstore_exec(&v->s, "SELECT body, sha256, algorithm, key_id, signature FROM migration.manifest"
			 " WHERE run_id = $1", 1, p, &r, &e)) {
		say(v, V_FAIL, "store", "%s", e.msg);
		return;
	}
	if (!PQntuples(r)) {
		say(v, V_FAIL, "store", "the store '%s' holds no manifest of run %s", v->s.where, id);
		PQclear(r);
		return;
	}
	if (manifest_hash_mem(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), hex, &e))
		say(v, V_FAIL, "store", "%s", e.msg);
	else if (strcmp(hex, v->sha))
		say(v, V_FAIL, "store", "the stored manifest of run %s differs from '%s' (stored sha256 %.12s, the file's %.12s)",
		    id, v->path, hex, v->sha);
	else if (strcmp(PQgetvalue(r, 0, 1), hex))
		say(v, V_FAIL, "store", "the store records sha256 %.12s for run %s, but its stored manifest hashes to %.12s",
		    PQgetvalue(r, 0, 1), id, hex);
	else
		say(v, V_OK, "store", "the stored manifest of run %s equals the file", id);
	if (sf->present && !sf->problem[0]) {
		if (PQgetisnull(r, 0, 4))
			say(v, V_FAIL, "store signature", "the store holds no signature of run %s, the file has one", id);
		else if (strcmp(PQgetvalue(r, 0, 2), sf->alg) || strcmp(PQgetvalue(r, 0, 3), sf->key_id) ||
			 strcmp(PQgetvalue(r, 0, 4), sf->sig))
			say(v, V_FAIL, "store signature", "the stored signature of run %s differs from the signature file", id);
		else
			say(v, V_OK, "store signature", "equals the signature file");
	} else if (!sf->present && !PQgetisnull(r, 0, 4)) {
		say(v, V_FAIL, "store signature", "the store holds a signature of run %s (key %.12s), but there is no signature"
		    " file", id, PQgetvalue(r, 0, 3));
	}
	PQclear(r);
}

/* ---- the chain ---- */

/* Manifests stored before run's (or all, if run has none): a manifest
 * naming no previous one should be the first. */
static long long older_in_store(struct verify *v, long long run)
{
	char id[24];
	const char *p[1] = {id};
	struct mg_err e = {0};
	PGresult *r;
	long long n;

	snprintf(id, sizeof(id), "%lld", run);
	if (pgstore_exec(&v->s, "SELECT count(*) FROM migration.manifest WHERE run_id <> $1 AND created_at <"
			 " coalesce((SELECT created_at FROM migration.manifest WHERE run_id = $1), 'infinity')", 1, p, &r, &e))
		return -1;
	n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

static void check_chain(struct verify *v)
{
	json_t *prev = json_object_get(v->root, "previous"), *cur = NULL;
	long long run = v->run;
	char what[128];

	if (json_is_null(prev)) {
		long long n;

		if (!v->have_store)
			say(v, V_SKIP, "chain", "the manifest names no previous one; give --store to check it is the first");
		else if ((n = older_in_store(v, run)) < 0)
			say(v, V_FAIL, "chain", "cannot read the store's manifests");
		else if (n)
			say(v, V_FAIL, "chain", "the manifest names no previous manifest, but the store holds older ones (%lld)", n);
		else
			say(v, V_OK, "chain", "the first manifest of the store");
		return;
	}
	for (unsigned links = 0;; links++) {
		json_t *prun = json_object_get(prev, "run");
		const char *want = jstr(prev, "sha256");
		char name[64], path[PATH_MAX], hex[65];
		struct mg_buf pbody;
		struct mg_err e = {0};
		int found = 0, bad = 0, rc;
		long long p;

		buf_init(&pbody, 0, "previous manifest");
		if (!json_is_object(prev) || !json_is_integer(prun) || json_integer_value(prun) <= 0 || !is_hex64(want)) {
			snprintf(what, sizeof(what), "chain: run %lld", run);
			say(v, V_FAIL, what, "its 'previous' is not {\"run\": N, \"sha256\": hex}");
			break;
		}
		p = json_integer_value(prun);
		if (links >= CHAIN_MAX_LINKS) {
			say(v, V_SKIP, "chain", "more than %d links", CHAIN_MAX_LINKS);
			break;
		}
		snprintf(name, sizeof(name), "manifest-%lld.json", p);
		join(path, sizeof(path), v->mdir, name);
		snprintf(what, sizeof(what), "chain: run %lld -> run %lld (%s)", run, p, name);
		rc = access(path, F_OK) ? 1 : read_all(path, MANIFEST_MAX_BYTES, "manifest size (256 MiB)", &pbody, &e);
		if (rc < 0) {
			say(v, V_FAIL, what, "%s", e.msg);
			bad = 1;
		} else if (rc == 0) {
			found = 1;
			if (manifest_hash_mem(pbody.ptr, pbody.len, hex, &e) || strcmp(hex, want)) {
				say(v, V_FAIL, what, "'%s' has sha256 %.12s, the manifest of run %lld says %.12s", path, hex, run,
				    want);
				bad = 1;
			} else {
				say(v, V_OK, what, NULL);
			}
		}
		if (v->have_store) {
			char id[24];
			const char *prm[1] = {id};
			PGresult *r;

			snprintf(id, sizeof(id), "%lld", p);
			snprintf(what, sizeof(what), "chain: run %lld -> run %lld (in the store)", run, p);
			if (pgstore_exec(&v->s, "SELECT body, sha256 FROM migration.manifest WHERE run_id = $1", 1, prm, &r,
					 &e)) {
				say(v, V_FAIL, what, "%s", e.msg);
				bad = 1;
			} else if (!PQntuples(r)) {
				say(v, V_FAIL, what, "the store holds no manifest of run %lld", p);
				bad = 1;
			} else {
				manifest_hash_mem(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), hex, &e);
				if (strcmp(hex, want)) {
					say(v, V_FAIL, what, "the stored manifest of run %lld has sha256 %.12s, the manifest of"
					    " run %lld says %.12s", p, hex, run, want);
					bad = 1;
				} else if (strcmp(PQgetvalue(r, 0, 1), hex)) {
					say(v, V_FAIL, what, "the store records sha256 %.12s for run %lld, its body hashes to %.12s",
					    PQgetvalue(r, 0, 1), p, hex);
					bad = 1;
				} else {
					say(v, V_OK, what, NULL);
					if (!found) {
						buf_reset(&pbody);
						buf_add(&pbody, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), &e);
					}
					found = 1;
				}
			}
			PQclear(r);
		}
		if (!found && !bad) {
			snprintf(what, sizeof(what), "chain: run %lld -> run %lld", run, p);
			if (links == 0)
				say(v, V_FAIL, what, "the previous manifest '%s' is not beside the manifest (give --store to look"
				    " in the store)", path);
			else
				say(v, V_SKIP, what, "'%s' not found; give --store for the earlier links", path);
		}
		json_decref(cur);
		cur = NULL;
		if (found && !bad)
			cur = json_loadb((const char *)pbody.ptr, pbody.len, 0, NULL);
		buf_release(&pbody);
		if (!found || bad)
			break;
		if (!cur) {
			snprintf(what, sizeof(what), "chain: run %lld", p);
			say(v, V_FAIL, what, "its manifest is not JSON");
			break;
		}
		run = p;
		prev = json_object_get(cur, "previous");
		if (json_is_null(prev)) {
			long long n;

			if (v->have_store && (n = older_in_store(v, run)) > 0) {
				snprintf(what, sizeof(what), "chain: run %lld", run);
				say(v, V_FAIL, what, "names no previous manifest, but the store holds older ones (%lld)", n);
			}
			break;
		}
	}
	json_decref(cur);
}

/* ---- the files ---- */

static void check_outputs(struct verify *v)
{
	json_t *outs = json_object_get(v->root, "outputs"), *o;
	size_t i;

	if (!json_is_array(outs)) {
		say(v, V_FAIL, "outputs", "the manifest has no list of outputs");
		return;
	}
	json_array_foreach(outs, i, o) {
		const char *p = jstr(o, "path");
		char what[PATH_MAX + 16], path[PATH_MAX];

		if (!p || !*p) {
			say(v, V_FAIL, "output", "entry %zu names no path", i + 1);
			continue;
		}
		snprintf(what, sizeof(what), "output %s", p);
		check_file(v, what, join(path, sizeof(path), v->mdir, p), jstr(o, "sha256"), 1, NULL);
	}
}

static void check_config(struct verify *v)
{
	json_t *pb = json_object_get(v->root, "playbook"), *tables = json_object_get(v->root, "tables"), *t;
	const char *p = jstr(pb, "path");
	char what[PATH_MAX + 16], path[PATH_MAX], hint[PATH_MAX + 64];
	size_t i;

	snprintf(hint, sizeof(hint), "under --base '%s'", v->base);
	if (!p || !*p) {
		say(v, V_FAIL, "playbook", "the manifest names no playbook");
	} else {
		snprintf(what, sizeof(what), "playbook %s", p);
		check_file(v, what, join(path, sizeof(path), v->base, p), jstr(pb, "sha256"), 0, p[0] == '/' ? NULL : hint);
	}
	if (!json_is_array(tables)) {
		say(v, V_FAIL, "tables", "the manifest has no list of mapping tables");
		return;
	}
	json_array_foreach(tables, i, t) {
		p = jstr(t, "path");
		if (!p || !*p) {
			say(v, V_FAIL, "table", "entry %zu names no path", i + 1);
			continue;
		}
		snprintf(what, sizeof(what), "table %s", p);
		check_file(v, what, join(path, sizeof(path), v->base, p), jstr(t, "sha256"), 0, p[0] == '/' ? NULL : hint);
	}
}

/* ${NAME} and ${NAME:-default} as in playbooks. */
static int expand(const char *s, char *out, size_t n, char *why, size_t wn)
{
	size_t used = 0;

	while (*s) {
		const char *end = s[0] == '$' && s[1] == '{' ? strchr(s, '}') : NULL;
		char name[128], *dflt;
		const char *val;

		if (!end || (size_t)(end - s - 2) >= sizeof(name)) {
			if (used + 1 >= n)
				goto long_;
			out[used++] = *s++;
			continue;
		}
		memcpy(name, s + 2, (size_t)(end - s - 2));
		name[end - s - 2] = '\0';
		dflt = strstr(name, ":-");
		if (dflt) {
			*dflt = '\0';
			dflt += 2;
		}
		val = getenv(name);
		if ((!val || !*val) && dflt)
			val = dflt;
		if (!val) {
			snprintf(why, wn, "the source dir names environment variable %s, which is not set", name);
			return -1;
		}
		if (used + strlen(val) >= n)
			goto long_;
		memcpy(out + used, val, strlen(val));
		used += strlen(val);
		s = end + 1;
	}
	out[used] = '\0';
	return 0;
long_:
	snprintf(why, wn, "the source dir is too long");
	return -1;
}

/* Where the input files were: the source's dir — relative to the
 * playbook's directory, as the file drivers read it — else the playbook's
 * directory; a relative result is taken under --base. */
static int input_dir(struct verify *v, char *out, size_t n, char *why, size_t wn)
{
	const char *dir = jstr(json_object_get(v->root, "source"), "dir");
	const char *pb = jstr(json_object_get(v->root, "playbook"), "path");
	char tmp[PATH_MAX], pbdir[PATH_MAX], d[PATH_MAX];

	if (pb && strrchr(pb, '/')) {
		snprintf(pbdir, sizeof(pbdir), "%.*s", (int)(strrchr(pb, '/') - pb), pb);
		if (!pbdir[0])
			snprintf(pbdir, sizeof(pbdir), "/");
	} else {
		snprintf(pbdir, sizeof(pbdir), ".");
	}
	if (dir) {
		if (expand(dir, d, sizeof(d), why, wn))
			return -1;
		if (d[0] == '/')
			snprintf(tmp, sizeof(tmp), "%s", d);
		else if (!strcmp(d, "."))
			snprintf(tmp, sizeof(tmp), "%s", pbdir);
		else
			join(tmp, sizeof(tmp), pbdir, d);
	} else {
		snprintf(tmp, sizeof(tmp), "%s", pbdir);
	}
	join(out, n, v->base, tmp);
	return 0;
}

static void check_inputs(struct verify *v)
{
	json_t *ins = json_object_get(v->root, "inputs"), *in;
	char dir[PATH_MAX], why[PATH_MAX + 100] = "";
	int have_dir;
	int *res;
	size_t i, n;

	if (!json_is_array(ins)) {
		say(v, V_FAIL, "inputs", "the manifest has no list of inputs");
		return;
	}
	n = json_array_size(ins);
	res = calloc(n ? n : 1, sizeof(*res));
	if (!res) {
		say(v, V_FAIL, "inputs", "out of memory");
		return;
	}
	have_dir = input_dir(v, dir, sizeof(dir), why, sizeof(why)) == 0;
	/* whole files (and archives) first, then archive members */
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(ins, i, in) {
			const char *name = jstr(in, "name"), *table = jstr(in, "table");
			json_t *rec = json_object_get(in, "source_recount");
			char what[PATH_MAX + 16], path[PATH_MAX], hint[PATH_MAX + 32];
			const char *bang = name ? strchr(name, '!') : NULL;

			if (!name && json_is_object(rec)) {
				if (pass)
					continue;
				snprintf(what, sizeof(what), "input %s", table ? table : "?");
				say(v, V_SKIP, what, "a database table: %lld rows, content total %s at the source; recount it"
				    " with the SQL in docs/auditors.md", (long long)json_integer_value(json_object_get(rec, "rows")),
				    jstr(rec, "total") ? jstr(rec, "total") : "?");
				res[i] = V_SKIP;
				continue;
			}
			if (!name || !*name) {
				if (!pass)
					say(v, V_FAIL, "input", "entry %zu names neither a file nor a recount", i + 1);
				continue;
			}
			if ((bang != NULL) != (pass == 1))
				continue;
			snprintf(what, sizeof(what), "input %s", name);
			if (!have_dir) {
				say(v, V_SKIP, what, "%s", why);
				res[i] = V_SKIP;
				continue;
			}
			if (!bang) {
				snprintf(hint, sizeof(hint), "in '%s'", dir);
				res[i] = check_file(v, what, join(path, sizeof(path), dir, name), jstr(in, "sha256"), 0, hint);
				continue;
			}
			/* a member: covered by its archive's hash, when the archive
			 * (the longest matching name) was recorded and checked */
			{
				size_t best = 0, at = 0, j;
				json_t *o;

				json_array_foreach(ins, j, o) {
					const char *an = jstr(o, "name");
					size_t l = an ? strlen(an) : 0;

					if (j != i && l > best && !strncmp(name, an, l) && name[l] == '!') {
						best = l;
						at = j;
					}
				}
				if (!best)
					say(v, V_SKIP, what, "an archive member whose archive the manifest does not list");
				else if (res[at] == V_OK)
					say(v, V_OK, what, "inside %.*s, which matches", (int)best, name);
				else if (res[at] == V_FAIL)
					say(v, V_SKIP, what, "inside %.*s, which differs", (int)best, name);
				else
					say(v, V_SKIP, what, "inside %.*s, which was not checked", (int)best, name);
			}
		}
	}
	free(res);
}

/* ---- the command ---- */

static int load_manifest(struct verify *v, struct mg_err *e)
{
	json_error_t je;
	json_t *run, *id;
	char *slash;

	if (read_all(v->path, MANIFEST_MAX_BYTES, "manifest size (256 MiB)", &v->body, e))
		return -1;
	if (manifest_hash_mem(v->body.ptr, v->body.len, v->sha, e))
		return -1;
	v->root = json_loadb((const char *)v->body.ptr, v->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!v->root)
		return mg_err_set(e, MG_E_CONFIG, "manifest '%s' is not JSON: %s (line %d)", v->path, je.text, je.line);
	if (!json_is_object(v->root) || !jstr(v->root, "format") || strcmp(jstr(v->root, "format"), MANIFEST_FORMAT))
		return mg_err_set(e, MG_E_CONFIG, "'%s' is not a run manifest (its format is not \"%s\")", v->path,
				  MANIFEST_FORMAT);
	run = json_object_get(v->root, "run");
	id = json_object_get(run, "id");
	if (!json_is_integer(id) || json_integer_value(id) <= 0)
		return mg_err_set(e, MG_E_CONFIG, "manifest '%s' names no run", v->path);
	v->run = json_integer_value(id);
	snprintf(v->mdir, sizeof(v->mdir), "%s", v->path);
	slash = strrchr(v->mdir, '/');
	if (!slash)
		snprintf(v->mdir, sizeof(v->mdir), ".");
	else if (slash == v->mdir)
		v->mdir[1] = '\0';
	else
		*slash = '\0';
	return 0;
}

static void close_verify(void *arg)
{
	struct verify *v = arg;

	if (v->have_store)
		pgstore_close(&v->s);
	v->have_store = 0;
	json_decref(v->root);
	v->root = NULL;
	buf_release(&v->body);
}

int cmd_verify(int argc, char **argv)
{
	const char *pubkey = NULL, *store = NULL;
	struct verify v;
	struct sigfile sf;
	struct mg_err e = {0};
	json_t *run;
	int rc;

	memset(&v, 0, sizeof(v));
	memset(&sf, 0, sizeof(sf));
	v.base = ".";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pubkey") && i + 1 < argc)
			pubkey = argv[++i];
		else if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--base") && i + 1 < argc)
			v.base = argv[++i];
		else if (argv[i][0] == '-' || v.path)
			return usage_error("verify", "unexpected argument '%s'", argv[i]);
		else
			v.path = argv[i];
	}
	if (!v.path)
		return usage_error("verify", "name a manifest (manifest-<run>.json)");
	buf_init(&v.body, 0, "manifest");
	cleanup_push(close_verify, &v);
	if (load_manifest(&v, &e))
		return die_err(&e);
	if (store) {
		if (pgstore_connect(&v.s, store, &e))
			return die_err(&e);
		v.have_store = 1;
	}
	run = json_object_get(v.root, "run");
	{
		char head[PATH_MAX + 200];

		snprintf(head, sizeof(head), "manifest %s: run %lld of system %s, sha256 %.12s", v.path, v.run,
			 jstr(run, "system") ? jstr(run, "system") : "?", v.sha);
		put_clean(head);
	}
	check_signature(&v, pubkey, &sf);
	if (v.have_store)
		check_store(&v, &sf);
	check_chain(&v);
	check_outputs(&v);
	check_config(&v);
	check_inputs(&v);
	printf("verify: %u ok, %u failed, %u not checked\n", v.ok, v.failed, v.unchecked);
	rc = v.failed ? EXIT_UNBALANCED : EXIT_OK;
	free(sf.sig);
	cleanup_run();
	return rc;
}
