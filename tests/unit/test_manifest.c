/* tests/unit/test_manifest.c: the hashing, keys and signatures of run
 * manifests (migrate/manifest.h) are plain SHA-256, Ed25519 (RFC 8032) and
 * SM2 with SM3, so an auditor's openssl reproduces them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate/manifest.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_manifest.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tmp_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
	return out;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Write k's private and public PEM as dir/NAME.key and dir/NAME.pub. */
static void write_pair(EVP_PKEY *k, const char *name, const EVP_CIPHER *enc)
{
	char p[128], n[32];
	FILE *f;

	snprintf(n, sizeof(n), "%s.key", name);
	f = fopen(tmp_path(p, sizeof(p), n), "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, k, enc, enc ? (unsigned char *)"secret" : NULL, enc ? 6 : 0, NULL, NULL),
			 1);
	fclose(f);
	snprintf(n, sizeof(n), "%s.pub", name);
	f = fopen(tmp_path(p, sizeof(p), n), "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, k), 1);
	fclose(f);
}

static void sha256_of_memory_and_file(void **state)
{
	char hex[65], p[128];
	unsigned long long bytes = 0;
	struct mg_err e = {0};

	(void)state;
	assert_int_equal(manifest_hash_mem("abc", 3, hex, &e), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	write_text(tmp_path(p, sizeof(p), "abc"), "abc");
	assert_int_equal(manifest_hash_file(p, hex, &bytes, &e), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(bytes, 3);
}

static void missing_file_is_not_an_error_but_a_directory_is(void **state)
{
	char hex[65], p[128];
	struct mg_err e = {0};

	(void)state;
	assert_int_equal(manifest_hash_file(tmp_path(p, sizeof(p), "nope"), hex, NULL, &e), 1);
	assert_false(mg_err_isset(&e));
	assert_int_equal(manifest_hash_file(tmp_path(p, sizeof(p), "nope/deeper"), hex, NULL, &e), 1);
	assert_int_equal(manifest_hash_file(dir, hex, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "not a regular file"));
}

/* RFC 8032 section 7.1, test 1: the empty message. */
static void ed25519_signature_is_rfc8032(void **state)
{
	static const unsigned char sk[32] = {
		0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
		0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
	static const unsigned char want[64] = {
		0xe5, 0x56, 0x43, 0x00, 0xc3, 0x60, 0xac, 0x72, 0x90, 0x86, 0xe2, 0xcc, 0x80, 0x6e, 0x82, 0x8a,
		0x84, 0x87, 0x7f, 0x1e, 0xb8, 0xe5, 0xd9, 0x74, 0xd8, 0x73, 0xe0, 0x65, 0x22, 0x49, 0x01, 0x55,
		0x5f, 0xb8, 0x82, 0x15, 0x90, 0xa3, 0x3b, 0xac, 0xc6, 0x1e, 0x39, 0x70, 0x1c, 0xf9, 0xb4, 0x6b,
		0xd2, 0x5b, 0xf5, 0xf0, 0x59, 0x5b, 0xbe, 0x24, 0x65, 0x51, 0x41, 0x43, 0x8e, 0x7a, 0x10, 0x0b};
	unsigned char b64[128];
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk, sizeof(sk));
	struct mg_buf sig;
	struct mg_err e = {0};

	(void)state;
	assert_non_null(k);
	assert_string_equal(manifest_key_alg(k), "ed25519");
	buf_init(&sig, 0, "sig");
	assert_int_equal(manifest_sign(k, "", 0, &sig, &e), 0);
	EVP_EncodeBlock(b64, want, sizeof(want));
	assert_string_equal(buf_cstr(&sig), (char *)b64);
	assert_int_equal(manifest_verify_sig(k, "", 0, buf_cstr(&sig), &e), 0);
	buf_release(&sig);
	EVP_PKEY_free(k);
}

static void sign_and_verify(const char *type, const char *alg)
{
	EVP_PKEY *gen = EVP_PKEY_Q_keygen(NULL, NULL, type), *other = EVP_PKEY_Q_keygen(NULL, NULL, type);
	EVP_PKEY *priv = NULL, *pub = NULL;
	char p[128], n[32], id1[65], id2[65];
	static const char msg[] = "{\"format\":\"hotline-migrate manifest 1\",\"run\":{\"id\":1}}";
	struct mg_buf sig;
	struct mg_err e = {0};

	assert_non_null(gen);
	assert_non_null(other);
	write_pair(gen, type, NULL);
	snprintf(n, sizeof(n), "%s.key", type);
	assert_int_equal(manifest_key_load(tmp_path(p, sizeof(p), n), 1, &priv, &e), 0);
	snprintf(n, sizeof(n), "%s.pub", type);
	assert_int_equal(manifest_key_load(tmp_path(p, sizeof(p), n), 0, &pub, &e), 0);
	assert_string_equal(manifest_key_alg(priv), alg);
	assert_string_equal(manifest_key_alg(pub), alg);
	/* the key id is the same from the private and the public file */
	assert_int_equal(manifest_key_id(priv, id1, &e), 0);
	assert_int_equal(manifest_key_id(pub, id2, &e), 0);
	assert_string_equal(id1, id2);
	assert_int_equal(strlen(id1), 64);

	buf_init(&sig, 0, "sig");
	assert_int_equal(manifest_sign(priv, msg, strlen(msg), &sig, &e), 0);
	assert_int_equal(manifest_verify_sig(pub, msg, strlen(msg), buf_cstr(&sig), &e), 0);
	/* one changed figure, or another key: invalid, not an error */
	{
		char changed[sizeof(msg)];

		memcpy(changed, msg, sizeof(msg));
		*strchr(changed, '1') = '2';
		assert_int_equal(manifest_verify_sig(pub, changed, strlen(changed), buf_cstr(&sig), &e), 1);
	}
	assert_int_equal(manifest_verify_sig(other, msg, strlen(msg), buf_cstr(&sig), &e), 1);
	assert_false(mg_err_isset(&e));
	/* not base64 at all: an error saying so */
	assert_int_equal(manifest_verify_sig(pub, msg, strlen(msg), "not base64!", &e), -1);
	assert_non_null(strstr(e.msg, "base64"));
	buf_release(&sig);
	EVP_PKEY_free(gen);
	EVP_PKEY_free(other);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
}

static void ed25519_sign_verify_roundtrip(void **state)
{
	(void)state;
	sign_and_verify("ED25519", "ed25519");
}

static void sm2_sign_verify_roundtrip(void **state)
{
	(void)state;
	sign_and_verify("SM2", "sm2-sm3");
}

static void other_keys_are_refused(void **state)
{
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *k = NULL;
	struct mg_err e = {0};
	char p[128];

	(void)state;
	write_pair(ec, "p256", NULL);
	assert_int_equal(manifest_key_load(tmp_path(p, sizeof(p), "p256.key"), 1, &k, &e), -1);
	assert_null(k);
	assert_non_null(strstr(e.msg, "not an Ed25519 or SM2 key"));
	/* an encrypted key is refused without asking for a passphrase */
	mg_err_clear(&e);
	write_pair(ed, "enc", EVP_aes_128_cbc());
	assert_int_equal(manifest_key_load(tmp_path(p, sizeof(p), "enc.key"), 1, &k, &e), -1);
	assert_non_null(strstr(e.msg, "unencrypted PEM private key"));
	/* a public key is not a private key, and a missing file says so */
	mg_err_clear(&e);
	assert_int_equal(manifest_key_load(tmp_path(p, sizeof(p), "enc.pub"), 1, &k, &e), -1);
	mg_err_clear(&e);
	assert_int_equal(manifest_key_load(tmp_path(p, sizeof(p), "none.pub"), 0, &k, &e), -1);
	assert_non_null(strstr(e.msg, "cannot open the public key"));
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_of_memory_and_file),
		cmocka_unit_test(missing_file_is_not_an_error_but_a_directory_is),
		cmocka_unit_test(ed25519_signature_is_rfc8032),
		cmocka_unit_test(ed25519_sign_verify_roundtrip),
		cmocka_unit_test(sm2_sign_verify_roundtrip),
		cmocka_unit_test(other_keys_are_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
