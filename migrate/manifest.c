/* migrate/manifest.c: the signed, chained manifest of a run.
 *
 * manifest_write (migrate/outputs.h) gathers what a run read and wrote, with
 * SHA-256 of every file: the playbook, the mapping tables and taxonomy it
 * names, the input files (migration.source_file) or, for database sources,
 * the independent source recount, the stage ledger, the fixes and the
 * reports just written. It links the manifest to the newest one already in
 * the store (one chain per store, whatever the system), writes the exact
 * bytes to DIR/manifest-<run>.json, signs them (Ed25519, or SM2 with SM3)
 * into DIR/manifest-<run>.sig and stores them in migration.manifest.
 *
 * Nothing from the environment goes in: no connection string, user,
 * password or expanded ${VAR}. docs/manifests.md describes the format for
 * auditors; `migrate verify` (cmd_verify.c) checks it.
 */
#include "migrate/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/outputs.h"
#include "migrate/playbook.h"

/* ---- hashing, keys, signatures ---- */

static void to_hex(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The newest OpenSSL diagnostic, for messages; clears the queue. */
static const char *ssl_reason(char *buf, size_t n)
{
	unsigned long err = ERR_peek_last_error();
	const char *r = err ? ERR_reason_error_string(err) : NULL;

	snprintf(buf, n, "%s", r ? r : "no detail from OpenSSL");
	ERR_clear_error();
	return buf;
}

int manifest_hash_mem(const void *p, size_t n, char hex[65], struct mg_err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		return mg_err_set(e, MG_E_INTERNAL, "cannot compute SHA-256 with libcrypto");
	to_hex(md, 32, hex);
	return 0;
}

int manifest_hash_file(const char *path, char hex[65], unsigned long long *bytes, struct mg_err *e)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	unsigned long long total = 0;
	struct stat st;
	EVP_MD_CTX *m;
	int fd, rc = -1;

	/* O_NONBLOCK: a FIFO named by a hostile manifest must not block the open */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		return mg_err_set(e, MG_E_IO, "cannot open '%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &st)) {
		mg_err_set(e, MG_E_IO, "cannot stat '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return mg_err_set(e, MG_E_IO, "'%s' is not a regular file", path);
	}
	m = EVP_MD_CTX_new();
	if (!m || EVP_DigestInit_ex(m, EVP_sha256(), NULL) != 1) {
		mg_err_set(e, MG_E_INTERNAL, "cannot initialise SHA-256 from libcrypto");
		goto out;
	}
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			mg_err_set(e, MG_E_IO, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		if (EVP_DigestUpdate(m, buf, (size_t)got) != 1) {
			mg_err_set(e, MG_E_INTERNAL, "SHA-256 failed in libcrypto");
			goto out;
		}
		total += (unsigned long long)got;
	}
	if (EVP_DigestFinal_ex(m, md, &len) != 1 || len != 32) {
		mg_err_set(e, MG_E_INTERNAL, "SHA-256 failed in libcrypto");
		goto out;
	}
	to_hex(md, 32, hex);
	if (bytes)
		*bytes = total;
	rc = 0;
out:
	EVP_MD_CTX_free(m);
	close(fd);
	return rc;
}

/* Never prompt for a passphrase: an encrypted key is an error. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

const char *manifest_key_alg(EVP_PKEY *k)
{
	if (k && EVP_PKEY_is_a(k, "ED25519"))
		return "ed25519";
	if (k && EVP_PKEY_is_a(k, "SM2"))
		return "sm2-sm3";
	return NULL;
}

int manifest_key_load(const char *path, int is_private, EVP_PKEY **out, struct mg_err *e)
{
	const char *what = is_private ? "private" : "public";
	char why[256];
	FILE *f;
	EVP_PKEY *k;

	*out = NULL;
	f = fopen(path, "r");
	if (!f)
		return mg_err_set(e, MG_E_IO, "cannot open the %s key '%s': %s", what, path, strerror(errno));
	ERR_clear_error();
	k = is_private ? PEM_read_PrivateKey(f, NULL, no_passphrase, NULL) : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!k)
		return mg_err_set(e, MG_E_CONFIG, "cannot read the %s key '%s': not an unencrypted PEM %s key (%s)", what,
				  path, what, ssl_reason(why, sizeof(why)));
	if (!manifest_key_alg(k)) {
		mg_err_set(e, MG_E_CONFIG, "the %s key '%s' is not an Ed25519 or SM2 key (it is %s): make one with"
			   " 'migrate keygen --alg ed25519|sm2'", what, path,
			   EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "unknown");
		EVP_PKEY_free(k);
		return -1;
	}
	*out = k;
	return 0;
}

int manifest_key_id(EVP_PKEY *k, char hex[65], struct mg_err *e)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	int rc;

	if (n <= 0) {
		char why[256];

		return mg_err_set(e, MG_E_INTERNAL, "cannot encode the public key: %s", ssl_reason(why, sizeof(why)));
	}
	rc = manifest_hash_mem(der, (size_t)n, hex, e);
	OPENSSL_free(der);
	return rc;
}

/* A signing or verifying context: SM2 signs the SM3 digest of Z || msg,
 * where Z hashes the distinguishing ID and the public key. */
static int sig_init(EVP_MD_CTX *m, EVP_PKEY *k, int sign)
{
	EVP_PKEY_CTX *pc = NULL;
	int sm2 = EVP_PKEY_is_a(k, "SM2");
	const EVP_MD *md = sm2 ? EVP_sm3() : NULL;

	if ((sign ? EVP_DigestSignInit(m, &pc, md, NULL, k) : EVP_DigestVerifyInit(m, &pc, md, NULL, k)) != 1)
		return -1;
	if (sm2 && EVP_PKEY_CTX_set1_id(pc, MANIFEST_SM2_ID, strlen(MANIFEST_SM2_ID)) != 1)
		return -1;
	return 0;
}

int manifest_sign(EVP_PKEY *k, const void *msg, size_t n, struct mg_buf *sig, struct mg_err *e)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int max = EVP_PKEY_get_size(k);
	unsigned char *raw = max > 0 ? malloc((size_t)max) : NULL, *b64 = NULL;
	size_t len = max > 0 ? (size_t)max : 0;
	char why[256];
	int rc = -1;

	if (!m || !raw) {
		mg_err_set(e, MG_E_NOMEM, "out of memory signing the manifest");
		goto out;
	}
	ERR_clear_error();
	if (sig_init(m, k, 1) || EVP_DigestSign(m, raw, &len, msg, n) != 1) {
		mg_err_set(e, MG_E_INTERNAL, "cannot sign the manifest with %s: %s", manifest_key_alg(k),
			   ssl_reason(why, sizeof(why)));
		goto out;
	}
	b64 = malloc(4 * ((len + 2) / 3) + 1);
	if (!b64) {
		mg_err_set(e, MG_E_NOMEM, "out of memory signing the manifest");
		goto out;
	}
	EVP_EncodeBlock(b64, raw, (int)len);
	rc = buf_addstr(sig, (const char *)b64, e);
out:
	free(b64);
	free(raw);
	EVP_MD_CTX_free(m);
	return rc;
}

int manifest_verify_sig(EVP_PKEY *k, const void *msg, size_t n, const char *b64, struct mg_err *e)
{
	size_t len = strlen(b64), pad = 0;
	unsigned char raw[1024];
	EVP_MD_CTX *m;
	char why[256];
	int got, rc;

	if (len == 0 || len % 4 || len > 4 * (sizeof(raw) / 3))
		return mg_err_set(e, MG_E_CONFIG, "the signature is not base64 of a plausible length (%zu characters)", len);
	for (size_t i = 0; i < len; i++) {
		char c = b64[i];

		if (c == '=' && i >= len - 2) {
			pad++;
			continue;
		}
		if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
			     c == '/'))
			return mg_err_set(e, MG_E_CONFIG, "the signature is not base64 (character %zu)", i + 1);
	}
	got = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
	if (got < 0 || (size_t)got < pad)
		return mg_err_set(e, MG_E_CONFIG, "the signature is not base64");
	m = EVP_MD_CTX_new();
	if (!m)
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	ERR_clear_error();
	if (sig_init(m, k, 0)) {
		EVP_MD_CTX_free(m);
		return mg_err_set(e, MG_E_INTERNAL, "cannot verify with %s: %s", manifest_key_alg(k),
				  ssl_reason(why, sizeof(why)));
	}
	rc = EVP_DigestVerify(m, raw, (size_t)got - pad, msg, n) == 1 ? 0 : 1;
	ERR_clear_error();
	EVP_MD_CTX_free(m);
	return rc;
}

/* ---- the manifest of a run ---- */

struct mw {
	struct pgstore *s;
	const char *dir;
	char id[24];
	PGresult *run;
	struct playbook *pb;
	EVP_PKEY *key;
	json_t *root;
	char *body;
	char json_path[PATH_MAX], sig_path[PATH_MAX], json_tmp[PATH_MAX], sig_tmp[PATH_MAX];
	int in_tx, tmp_json, tmp_sig;
};

static int set(json_t *o, const char *k, json_t *v, struct mg_err *e)
{
	if (json_object_set_new(o, k, v))
		return mg_err_set(e, MG_E_NOMEM, "cannot build the manifest's '%s'", k);
	return 0;
}

/* A string member; text that is not UTF-8 (a path from the command line)
 * is an error rather than something altered. */
static int set_str(json_t *o, const char *k, const char *v, struct mg_err *e)
{
	json_t *j = v ? json_string(v) : json_null();

	if (!j)
		return mg_err_set(e, MG_E_CONFIG, "cannot record '%s' in the manifest: not valid UTF-8", v);
	return set(o, k, j, e);
}

static int append(json_t *arr, json_t *v, struct mg_err *e)
{
	if (json_array_append_new(arr, v))
		return mg_err_set(e, MG_E_NOMEM, "out of memory building the manifest");
	return 0;
}

static int path_join(char *out, size_t n, const char *dir, const char *name, struct mg_err *e)
{
	if ((size_t)snprintf(out, n, "%s/%s", dir, name) >= n)
		return mg_err_set(e, MG_E_LIMIT, "path '%s/%s' is too long", dir, name);
	return 0;
}

/* {path, sha256, bytes} of a file the run read, once per path. */
static int add_file(json_t *arr, const char *path, const char *what, struct mg_err *e)
{
	size_t i;
	json_t *v, *o;
	char hex[65];
	unsigned long long bytes = 0;
	int rc;

	/* "./x" (beside a playbook given as a bare name) is recorded as "x" */
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(json_object_get(v, "path")), path))
			return 0;
	rc = manifest_hash_file(path, hex, &bytes, e);
	if (rc == 1)
		return mg_err_set(e, MG_E_IO, "%s '%s' named in the playbook does not exist", what, path);
	if (rc)
		return -1;
	o = json_object();
	if (!o || append(arr, o, e))
		return mg_err_set(e, MG_E_NOMEM, "out of memory building the manifest");
	if (set_str(o, "path", path, e) || set_str(o, "sha256", hex, e) || set(o, "bytes", json_integer((json_int_t)bytes), e))
		return -1;
	return 0;
}

/* The mapping tables, taxonomies and district tables the fields name, and
 * taxonomy.csv beside the playbook, resolved as the run resolved them. */
static json_t *gather_tables(struct playbook *pb, struct mg_err *e)
{
	static const char *const keys[] = {"table", "taxonomy", "districts"};
	json_t *arr = json_array();
	char *p;

	if (!arr) {
		mg_err_set(e, MG_E_NOMEM, "out of memory");
		return NULL;
	}
	for (unsigned t = 0; t < pb->ntables; t++) {
		yaml_node_t *fields = pb->tables[t].fields;

		for (yaml_node_pair_t *f = pb_pairs_begin(fields); f && f < pb_pairs_end(fields); f++) {
			yaml_node_t *spec = pb_node(pb, f->value);

			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
				const char *file = pb_scalar(pb_get(pb, spec, keys[k]));

				if (!file || !*file)
					continue;
				p = pb_path(pb, file);
				if (!p || add_file(arr, p, k ? "taxonomy" : "mapping table", e)) {
					if (!p)
						mg_err_set(e, MG_E_NOMEM, "out of memory");
					free(p);
					json_decref(arr);
					return NULL;
				}
				free(p);
			}
		}
	}
	p = pb_path(pb, "taxonomy.csv");
	if (!p || (access(p, F_OK) == 0 && add_file(arr, p, "taxonomy", e))) {
		if (!p)
			mg_err_set(e, MG_E_NOMEM, "out of memory");
		free(p);
		json_decref(arr);
		return NULL;
	}
	free(p);
	return arr;
}

static json_t *count(const char *v)
{
	return json_integer((json_int_t)strtoll(v, NULL, 10));
}

/* A source stage without an independent recount (file sources) is stored
 * as zeros: it is left out rather than shown as a count of 0. A counted
 * source's out is the extract stage's in (rows are ordered by table,
 * then stage). */
static int recounted(PGresult *st, int i)
{
	const char *table = PQgetvalue(st, i, 0);

	if (strcmp(PQgetvalue(st, i, 1), "source") || strcmp(PQgetvalue(st, i, 3), "0"))
		return 1;
	for (int j = 0; j < PQntuples(st); j++)
		if (!strcmp(PQgetvalue(st, j, 0), table) && !strcmp(PQgetvalue(st, j, 1), "extract"))
			return !strcmp(PQgetvalue(st, j, 2), "0");
	return 1;
}

/* Stage totals from migration.stage_ledger, in pipeline order; inputs from
 * migration.source_file, or the source recount for a table without files. */
static int gather_ledger(struct mw *w, json_t *stages, json_t *inputs, struct mg_err *e)
{
	static const char *const scols[] = {"in", "out", "rejected", "merged", "total_in", "total_out",
					    "total_rejected", "total_merged"};
	const char *p[1] = {w->id};
	PGresult *st = NULL, *fl = NULL;
	int rc = -1;

	if (pgstore_exec(w->s, "SELECT source_table, stage, rows_in, rows_out, rejected, merged, total_in, total_out,"
			 " total_rejected, total_merged FROM migration.stage_ledger WHERE run_id = $1 ORDER BY"
			 " source_table, array_position(ARRAY['source','extract','decode','transform','load','target'],"
			 " stage), stage", 1, p, &st, e) ||
	    pgstore_exec(w->s, "SELECT source_table, name, sha256, bytes, records FROM migration.source_file"
			 " WHERE run_id = $1 ORDER BY source_table, name", 1, p, &fl, e))
		goto out;
	for (int i = 0; i < PQntuples(st); i++) {
		json_t *o;

		if (!recounted(st, i))
			continue;
		o = json_object();
		if (!o || append(stages, o, e) || set_str(o, "table", PQgetvalue(st, i, 0), e) ||
		    set_str(o, "stage", PQgetvalue(st, i, 1), e))
			goto out;
		for (int c = 0; c < 8; c++)
			if (set(o, scols[c], c < 4 ? count(PQgetvalue(st, i, 2 + c)) : json_string(PQgetvalue(st, i, 2 + c)),
				e))
				goto out;
	}
	for (int i = 0; i < PQntuples(fl); i++) {
		json_t *o = json_object();

		if (!o || append(inputs, o, e) || set_str(o, "table", PQgetvalue(fl, i, 0), e) ||
		    set_str(o, "name", PQgetvalue(fl, i, 1), e) || set_str(o, "sha256", PQgetvalue(fl, i, 2), e) ||
		    set(o, "bytes", count(PQgetvalue(fl, i, 3)), e) || set(o, "records", count(PQgetvalue(fl, i, 4)), e))
			goto out;
	}
	/* a table with no files (a database source): its independent recount */
	for (int i = 0; i < PQntuples(st); i++) {
		const char *table = PQgetvalue(st, i, 0);
		int files = 0;
		json_t *o, *rec;

		if (strcmp(PQgetvalue(st, i, 1), "source") || !recounted(st, i))
			continue;
		for (int j = 0; j < PQntuples(fl) && !files; j++)
			files = !strcmp(PQgetvalue(fl, j, 0), table);
		if (files)
			continue;
		o = json_object();
		rec = json_object();
		if (!o || !rec || append(inputs, o, e) || set_str(o, "table", table, e) || set(o, "source_recount", rec, e) ||
		    set(rec, "rows", count(PQgetvalue(st, i, 3)), e) || set_str(rec, "total", PQgetvalue(st, i, 7), e))
			goto out;
	}
	rc = 0;
out:
	PQclear(st);
	PQclear(fl);
	return rc;
}

/* Rejected records by stage and reason: "decode.undecodable": n. */
static json_t *gather_rejects(struct mw *w, struct mg_err *e)
{
	const char *p[1] = {w->id};
	json_t *out = json_object();
	PGresult *r;

	if (!out) {
		mg_err_set(e, MG_E_NOMEM, "out of memory");
		return NULL;
	}
	if (pgstore_exec(w->s, "SELECT stage || '.' || reason, count(*) FROM migration.reject WHERE run_id = $1"
			 " GROUP BY 1 ORDER BY 1", 1, p, &r, e)) {
		json_decref(out);
		return NULL;
	}
	for (int i = 0; i < PQntuples(r); i++)
		if (set(out, PQgetvalue(r, i, 0), count(PQgetvalue(r, i, 1)), e)) {
			PQclear(r);
			json_decref(out);
			return NULL;
		}
	PQclear(r);
	return out;
}

/* The fixes of the run's ledger (migration.run.ledger). */
static json_t *gather_fixes(const char *ledger, struct mg_err *e)
{
	json_t *out = json_object(), *root, *fixes, *v;
	const char *k;

	if (!out) {
		mg_err_set(e, MG_E_NOMEM, "out of memory");
		return NULL;
	}
	if (!ledger || !*ledger)
		return out;
	root = json_loads(ledger, 0, NULL);
	if (!root) {
		json_decref(out);
		mg_err_set(e, MG_E_STORE, "the ledger of the run in the store is not JSON");
		return NULL;
	}
	fixes = json_object_get(root, "fixes");
	json_object_foreach(fixes, k, v) {
		const char *s = json_string_value(v);
		unsigned long long n = s ? strtoull(s, NULL, 10) : (unsigned long long)json_integer_value(v);

		if (set(out, k, n <= (unsigned long long)INT64_MAX ? json_integer((json_int_t)n) : json_string(s), e)) {
			json_decref(root);
			json_decref(out);
			return NULL;
		}
	}
	json_decref(root);
	return out;
}

/* An output as the manifest names it: relative to dir (where the manifest
 * lies) when it is inside dir, else absolute. */
static int output_name(const char *dir, const char *given, char *name, size_t n, char *where, size_t wn,
		       struct mg_err *e)
{
	size_t dl = strlen(dir);
	char tmp[PATH_MAX];

	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	if (given[0] == '/') {
		snprintf(name, n, "%s", given);
	} else if (!strncmp(given, dir, dl) && given[dl] == '/') {
		const char *rest = given + dl;

		while (*rest == '/')
			rest++;
		snprintf(name, n, "%s", rest);
	} else {
		if (path_join(tmp, sizeof(tmp), dir, given, e))
			return -1;
		if (access(tmp, F_OK) == 0)
			snprintf(name, n, "%s", given);
		else if (!realpath(given, name))
			return mg_err_set(e, MG_E_IO, "output '%s' does not exist (neither in '%s' nor here)", given, dir);
	}
	if (name[0] == '/')
		snprintf(where, wn, "%s", name);
	else if (path_join(where, wn, dir, name, e))
		return -1;
	return 0;
}

static json_t *gather_outputs(const char *dir, const struct mg_buf *outputs, struct mg_err *e)
{
	json_t *arr = json_array();
	const char *p = outputs ? buf_cstr(outputs) : "";

	if (!arr) {
		mg_err_set(e, MG_E_NOMEM, "out of memory");
		return NULL;
	}
	while (*p) {
		size_t len = strcspn(p, "\n"), tab;
		char given[PATH_MAX], name[PATH_MAX], where[PATH_MAX], hex[65];
		const char *said = NULL;
		json_t *o;
		int rc;

		if (len >= sizeof(given)) {
			mg_err_set(e, MG_E_LIMIT, "an output path is longer than %zu bytes", sizeof(given) - 1);
			goto fail;
		}
		memcpy(given, p, len);
		given[len] = '\0';
		p += len + (p[len] == '\n');
		tab = strcspn(given, "\t");
		if (given[tab]) {
			given[tab] = '\0';
			said = given + tab + 1;
		}
		if (!given[0])
			continue;
		if (output_name(dir, given, name, sizeof(name), where, sizeof(where), e))
			goto fail;
		rc = manifest_hash_file(where, hex, NULL, e);
		if (rc == 1)
			mg_err_set(e, MG_E_IO, "output '%s' does not exist", where);
		if (rc)
			goto fail;
		if (said && *said && strcmp(said, hex)) {
			mg_err_set(e, MG_E_IO, "output '%s' changed after it was written (sha256 %.12s, written as %.12s)",
				   where, hex, said);
			goto fail;
		}
		o = json_object();
		if (!o || append(arr, o, e) || set_str(o, "path", name, e) || set_str(o, "sha256", hex, e))
			goto fail;
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

/* The previous link, under a lock so that concurrent runs make one chain:
 * a manifest written again keeps its place (the link it had); a new one
 * follows the newest stored manifest. A manifest written again also keeps
 * its inputs (*old_inputs): migration.source_file holds each file's newest
 * run only, so a later run of the same files would take them away. */
static json_t *previous_link(struct mw *w, char *prev_sha, json_t **old_inputs, struct mg_err *e)
{
	const char *p[1] = {w->id};
	PGresult *r;
	json_t *link = NULL;

	prev_sha[0] = '\0';
	if (pgstore_exec(w->s, "SELECT body FROM migration.manifest WHERE run_id = $1", 1, p, &r, e))
		return NULL;
	if (PQntuples(r)) {
		json_t *old = json_loads(PQgetvalue(r, 0, 0), 0, NULL), *prev = json_object_get(old, "previous");
		json_t *run = json_object_get(prev, "run"), *sha = json_object_get(prev, "sha256");

		PQclear(r);
		if (!old) {
			mg_err_set(e, MG_E_STORE, "the stored manifest of run %s is not JSON", w->id);
			return NULL;
		}
		if (json_is_array(json_object_get(old, "inputs")))
			*old_inputs = json_deep_copy(json_object_get(old, "inputs"));
		if (json_is_integer(run) && json_is_string(sha) && strlen(json_string_value(sha)) == 64) {
			snprintf(prev_sha, 65, "%s", json_string_value(sha));
			link = json_pack("{sIss}", "run", json_integer_value(run), "sha256", prev_sha);
		} else {
			link = json_null();
		}
		json_decref(old);
		return link;
	}
	PQclear(r);
	if (pgstore_exec(w->s, "SELECT run_id, sha256 FROM migration.manifest WHERE run_id <> $1"
			 " ORDER BY created_at DESC, run_id DESC LIMIT 1", 1, p, &r, e))
		return NULL;
	if (PQntuples(r)) {
		snprintf(prev_sha, 65, "%s", PQgetvalue(r, 0, 1));
		link = json_pack("{sIss}", "run", (json_int_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10), "sha256", prev_sha);
	} else {
		link = json_null();
	}
	PQclear(r);
	if (!link)
		mg_err_set(e, MG_E_NOMEM, "out of memory");
	return link;
}

static int write_file(const char *path, const void *p, size_t n, struct mg_err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *c = p;

	if (fd < 0)
		return mg_err_set(e, MG_E_IO, "cannot create '%s': %s", path, strerror(errno));
	while (n) {
		ssize_t put = write(fd, c, n);

		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0) {
			mg_err_set(e, MG_E_IO, "cannot write '%s': %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		c += put;
		n -= (size_t)put;
	}
	if (fsync(fd) || close(fd))
		return mg_err_set(e, MG_E_IO, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

static void mw_release(struct mw *w)
{
	if (w->in_tx)
		PQclear(PQexec(w->s->conn, "ROLLBACK"));
	if (w->tmp_json)
		unlink(w->json_tmp);
	if (w->tmp_sig)
		unlink(w->sig_tmp);
	PQclear(w->run);
	playbook_free(w->pb);
	EVP_PKEY_free(w->key);
	json_decref(w->root);
	free(w->body);
}

/* Everything but the link and the signature. */
static int build(struct mw *w, const char *playbook_path, const struct mg_buf *outputs, struct mg_err *e)
{
	json_t *run = json_object(), *pbj = json_object(), *src = json_object(), *stages = json_array(),
	       *inputs = json_array(), *tables, *fixes, *rejects, *outs;
	const char *bal, *dir;

	w->root = json_object();
	if (!w->root || !run || !pbj || !src || !stages || !inputs) {
		json_decref(run);
		json_decref(pbj);
		json_decref(src);
		json_decref(stages);
		json_decref(inputs);
		return mg_err_set(e, MG_E_NOMEM, "out of memory");
	}
	if (set(w->root, "run", run, e) || set(w->root, "playbook", pbj, e) || set(w->root, "source", src, e) ||
	    set(w->root, "stages", stages, e) || set(w->root, "inputs", inputs, e))
		return -1;
	bal = PQgetisnull(w->run, 0, 4) ? NULL : PQgetvalue(w->run, 0, 4);
	if (set_str(w->root, "format", MANIFEST_FORMAT, e) || set_str(w->root, "tool_version", PQgetvalue(w->run, 0, 3), e) ||
	    set(run, "id", json_integer((json_int_t)strtoll(w->id, NULL, 10)), e) ||
	    set_str(run, "system", PQgetvalue(w->run, 0, 0), e) || set_str(run, "status", PQgetvalue(w->run, 0, 2), e) ||
	    set(run, "balanced", bal ? json_boolean(bal[0] == 't') : json_null(), e) ||
	    set_str(run, "started_at", PQgetvalue(w->run, 0, 5), e) ||
	    set_str(run, "finished_at", PQgetisnull(w->run, 0, 6) ? NULL : PQgetvalue(w->run, 0, 6), e))
		return -1;
	if (set_str(pbj, "path", playbook_path, e) || set_str(pbj, "sha256", w->pb->sha256, e))
		return -1;
	/* the source: its driver and, for files, the directory as written in
	 * the playbook (a ${VAR} stays unexpanded: no environment values) */
	dir = pb_scalar(pb_get(w->pb, w->pb->source, "dir"));
	if (set_str(src, "driver", w->pb->driver, e) || (dir && set_str(src, "dir", dir, e)))
		return -1;
	if (!(tables = gather_tables(w->pb, e)) || set(w->root, "tables", tables, e))
		return -1;
	if (gather_ledger(w, stages, inputs, e))
		return -1;
	if (!(fixes = gather_fixes(PQgetisnull(w->run, 0, 7) ? NULL : PQgetvalue(w->run, 0, 7), e)) ||
	    set(w->root, "fixes", fixes, e))
		return -1;
	if (!(rejects = gather_rejects(w, e)) || set(w->root, "rejects", rejects, e))
		return -1;
	if (!(outs = gather_outputs(w->dir, outputs, e)) || set(w->root, "outputs", outs, e))
		return -1;
	return 0;
}

int manifest_write(struct pgstore *s, long long run_id, const char *playbook_path, const char *dir,
		   const char *key_file, const struct mg_buf *outputs, struct mg_err *e)
{
	struct mw w;
	const char *p[7];
	char sha[65], prev_sha[65], key_id[65] = "", name[64];
	struct mg_buf sig, sigfile;
	json_t *link, *sj, *old_inputs = NULL;
	const char *alg = NULL;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	w.s = s;
	w.dir = dir;
	buf_init(&sig, 0, "signature");
	buf_init(&sigfile, 0, "signature file");
	snprintf(w.id, sizeof(w.id), "%lld", run_id);
	if (key_file && (manifest_key_load(key_file, 1, &w.key, e) || manifest_key_id(w.key, key_id, e)))
		goto out;
	alg = w.key ? manifest_key_alg(w.key) : NULL;
	p[0] = w.id;
	if (pgstore_exec(s, "SELECT source_system, playbook_sha256, status, tool_version, balanced,"
			 " to_json(started_at) #>> '{}', to_json(finished_at) #>> '{}', ledger::text"
			 " FROM migration.run WHERE id = $1", 1, p, &w.run, e))
		goto out;
	if (!PQntuples(w.run)) {
		mg_err_set(e, MG_E_STORE, "run %s does not exist in the store '%s'", w.id, s->where);
		goto out;
	}
	if (playbook_load(&w.pb, playbook_path, e)) {
		mg_err_prefix(e, "cannot write the manifest of run %s", w.id);
		goto out;
	}
	if (strcmp(w.pb->sha256, PQgetvalue(w.run, 0, 1))) {
		mg_err_set(e, MG_E_CONFIG, "playbook '%s' has changed since run %s read it (sha256 %.12s, the run's %.12s):"
			   " the manifest would not describe the run", playbook_path, w.id, w.pb->sha256,
			   PQgetvalue(w.run, 0, 1));
		goto out;
	}
	if (build(&w, playbook_path, outputs, e))
		goto out;
	/* the key id is inside what is signed: a signature file naming another
	 * key cannot be swapped in unnoticed */
	if (alg) {
		sj = json_pack("{ssss}", "algorithm", alg, "key_id", key_id);
		if (set(w.root, "signature", sj, e) || (!strcmp(alg, "sm2-sm3") && set_str(sj, "sm2_id", MANIFEST_SM2_ID, e)))
			goto out;
	} else if (set(w.root, "signature", json_null(), e) ||
		   set_str(w.root, "note", "not signed: no signing key was given (migrate run --sign-key KEY)", e)) {
		goto out;
	}

	snprintf(name, sizeof(name), "manifest-%s.json", w.id);
	if (path_join(w.json_path, sizeof(w.json_path), dir, name, e))
		goto out;
	snprintf(name, sizeof(name), "manifest-%s.sig", w.id);
	if (path_join(w.sig_path, sizeof(w.sig_path), dir, name, e))
		goto out;
	snprintf(name, sizeof(name), ".manifest-%s.json.tmp", w.id);
	if (path_join(w.json_tmp, sizeof(w.json_tmp), dir, name, e))
		goto out;
	snprintf(name, sizeof(name), ".manifest-%s.sig.tmp", w.id);
	if (path_join(w.sig_tmp, sizeof(w.sig_tmp), dir, name, e))
		goto out;

	/* one chain per store: the link is chosen and the manifest stored
	 * under one lock */
	if (pgstore_exec(s, "BEGIN", 0, NULL, NULL, e))
		goto out;
	w.in_tx = 1;
	if (pgstore_exec(s, "SELECT pg_advisory_xact_lock(hashtext('migrate:manifest chain'))", 0, NULL, NULL, e) ||
	    !(link = previous_link(&w, prev_sha, &old_inputs, e)) || set(w.root, "previous", link, e) ||
	    (old_inputs && set(w.root, "inputs", old_inputs, e)))
		goto out;
	w.body = json_dumps(w.root, JSON_SORT_KEYS | JSON_COMPACT);
	if (!w.body) {
		mg_err_set(e, MG_E_NOMEM, "cannot serialise the manifest");
		goto out;
	}
	if (manifest_hash_mem(w.body, strlen(w.body), sha, e))
		goto out;
	if (w.key && (manifest_sign(w.key, w.body, strlen(w.body), &sig, e) ||
		      buf_printf(&sigfile, e, "algorithm: %s\nkey_id: %s\n", alg, key_id) ||
		      (!strcmp(alg, "sm2-sm3") && buf_printf(&sigfile, e, "sm2_id: %s\n", MANIFEST_SM2_ID)) ||
		      buf_printf(&sigfile, e, "signature: %s\n", buf_cstr(&sig))))
		goto out;
	w.tmp_json = 1;
	if (write_file(w.json_tmp, w.body, strlen(w.body), e))
		goto out;
	w.tmp_sig = w.key != NULL;
	if (w.key && write_file(w.sig_tmp, sigfile.ptr, sigfile.len, e))
		goto out;
	p[1] = w.body;
	p[2] = sha;
	p[3] = prev_sha[0] ? prev_sha : NULL;
	p[4] = alg;
	p[5] = w.key ? key_id : NULL;
	p[6] = w.key ? buf_cstr(&sig) : NULL;
	if (pgstore_exec(s, "INSERT INTO migration.manifest (run_id, body, sha256, prev_sha256, algorithm, key_id,"
			 " signature, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp())"
			 " ON CONFLICT (run_id) DO UPDATE SET body = EXCLUDED.body, sha256 = EXCLUDED.sha256,"
			 " prev_sha256 = EXCLUDED.prev_sha256, algorithm = EXCLUDED.algorithm, key_id = EXCLUDED.key_id,"
			 " signature = EXCLUDED.signature", 7, p, NULL, e) ||
	    pgstore_exec(s, "COMMIT", 0, NULL, NULL, e))
		goto out;
	w.in_tx = 0;
	if (rename(w.json_tmp, w.json_path)) {
		mg_err_set(e, MG_E_IO, "the manifest of run %s is stored, but cannot be written to '%s': %s",
			   w.id, w.json_path, strerror(errno));
		goto out;
	}
	w.tmp_json = 0;
	if (w.key && rename(w.sig_tmp, w.sig_path)) {
		mg_err_set(e, MG_E_IO, "the manifest of run %s is stored, but its signature cannot be written to '%s': %s",
			   w.id, w.sig_path, strerror(errno));
		goto out;
	}
	w.tmp_sig = 0;
	/* an unsigned manifest written again must not keep an old signature */
	if (!w.key && unlink(w.sig_path) && errno != ENOENT) {
		mg_err_set(e, MG_E_IO, "cannot remove the old signature '%s': %s", w.sig_path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	mw_release(&w);
	buf_release(&sig);
	buf_release(&sigfile);
	return rc;
}
