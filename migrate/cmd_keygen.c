/* migrate keygen --alg ed25519|sm2 --out PREFIX: a key pair for signing run
 * manifests. PREFIX.key is the private key (PEM PKCS#8, mode 0600, never
 * overwritten), PREFIX.pub the public key (PEM SubjectPublicKeyInfo) to
 * hand to auditors. Prints the key id (SHA-256 of the public key's DER). */
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/builtin.h"
#include "migrate/manifest.h"

/* Create path exclusively with mode and write the key as PEM. */
static int write_pem(const char *path, mode_t mode, EVP_PKEY *k, int is_private, struct mg_err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *f;
	int ok;

	if (fd < 0)
		return mg_err_set(e, MG_E_IO, "cannot create '%s': %s%s", path, strerror(errno),
				  errno == EEXIST ? " (a key is never overwritten: remove it or choose another --out)" : "");
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		return mg_err_set(e, MG_E_IO, "cannot write '%s': %s", path, strerror(errno));
	}
	ok = is_private ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) : PEM_write_PUBKEY(f, k);
	if (fflush(f) || fsync(fileno(f)))
		ok = 0;
	if (fclose(f))
		ok = 0;
	if (ok != 1) {
		unlink(path);
		return mg_err_set(e, MG_E_IO, "cannot write '%s'", path);
	}
	return 0;
}

int cmd_keygen(int argc, char **argv)
{
	const char *alg = NULL, *prefix = NULL;
	char keyp[4096], pubp[4096], id[65];
	struct mg_err e = {0};
	EVP_PKEY *k;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--alg") && i + 1 < argc)
			alg = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			prefix = argv[++i];
		else
			return usage_error("keygen", "unexpected argument '%s'", argv[i]);
	}
	if (!alg || (strcmp(alg, "ed25519") && strcmp(alg, "sm2")))
		return usage_error("keygen", "give --alg ed25519 or --alg sm2");
	if (!prefix || !*prefix)
		return usage_error("keygen", "give --out PREFIX (writes PREFIX.key and PREFIX.pub)");
	if ((size_t)snprintf(keyp, sizeof(keyp), "%s.key", prefix) >= sizeof(keyp) ||
	    (size_t)snprintf(pubp, sizeof(pubp), "%s.pub", prefix) >= sizeof(pubp))
		return usage_error("keygen", "--out PREFIX is too long");
	if (!access(keyp, F_OK) || !access(pubp, F_OK)) {
		mg_err_set(&e, MG_E_IO, "'%s' already exists: a key is never overwritten (remove it or choose another --out)",
			   access(keyp, F_OK) ? pubp : keyp);
		return die_err(&e);
	}
	k = EVP_PKEY_Q_keygen(NULL, NULL, strcmp(alg, "sm2") ? "ED25519" : "SM2");
	if (!k) {
		char why[256];

		ERR_error_string_n(ERR_get_error(), why, sizeof(why));
		mg_err_set(&e, MG_E_INTERNAL, "cannot generate a %s key with OpenSSL: %s", alg, why);
		return die_err(&e);
	}
	if (manifest_key_id(k, id, &e) || write_pem(keyp, 0600, k, 1, &e)) {
		EVP_PKEY_free(k);
		return die_err(&e);
	}
	if (write_pem(pubp, 0644, k, 0, &e)) {
		unlink(keyp);
		EVP_PKEY_free(k);
		return die_err(&e);
	}
	EVP_PKEY_free(k);
	printf("key_id: %s\nalgorithm: %s\nprivate key: %s (mode 0600: keep it secret, give it to no one)\n"
	       "public key: %s (give it to the auditors)\n", id, strcmp(alg, "sm2") ? "ed25519" : "sm2-sm3", keyp, pubp);
	return EXIT_OK;
}
