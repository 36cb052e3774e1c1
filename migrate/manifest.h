/* migrate/manifest.h: signed, chained run manifests (docs/manifests.md).
 *
 * A manifest is one JSON object, serialised compactly with sorted keys; the
 * file manifest-<run>.json holds exactly the bytes that are hashed, signed
 * and stored in migration.manifest. The detached signature,
 * manifest-<run>.sig, is three text lines:
 *   algorithm: ed25519 | sm2-sm3
 *   key_id: <hex SHA-256 of the public key's DER SubjectPublicKeyInfo>
 *   signature: <base64 of the raw signature (Ed25519: 64 bytes; SM2: DER)>
 * (plus "sm2_id: <distinguishing ID>" for SM2). manifest_write is declared
 * in migrate/outputs.h; these are the pieces `migrate verify` and
 * `migrate keygen` share with it.
 */
#ifndef MG_MANIFEST_H
#define MG_MANIFEST_H

#include <openssl/evp.h>
#include <stddef.h>

#include "migrate/buf.h"
#include "migrate/err.h"

#define MANIFEST_FORMAT "hotline-migrate manifest 1"
#define MANIFEST_MAX_BYTES (256u << 20)  /* a manifest file, read by verify */
#define MANIFEST_SIG_MAX_BYTES 65536u    /* a .sig file */
#define MANIFEST_SM2_ID "1234567812345678" /* SM2 distinguishing ID (GB/T 32918 default) */

/* SHA-256 of a regular file as hex into hex[65], its size into *bytes (may
 * be NULL). Returns 0; 1 if the file does not exist (nothing set in e); -1
 * on any other error (e.g. not a regular file, unreadable). */
int manifest_hash_file(const char *path, char hex[65], unsigned long long *bytes, struct mg_err *e);
/* SHA-256 of bytes as hex. */
int manifest_hash_mem(const void *p, size_t n, char hex[65], struct mg_err *e);

/* Load a PEM key: a private key (is_private) or a public key. Only Ed25519
 * and SM2 keys are accepted; an encrypted private key is an error (never a
 * prompt). The caller frees *out with EVP_PKEY_free. */
int manifest_key_load(const char *path, int is_private, EVP_PKEY **out, struct mg_err *e);
/* "ed25519", "sm2-sm3", or NULL for any other kind of key. */
const char *manifest_key_alg(EVP_PKEY *k);
/* The key id: hex SHA-256 of the public key's DER SubjectPublicKeyInfo
 * (`openssl pkey -pubin -in k.pub -outform DER | sha256sum`). */
int manifest_key_id(EVP_PKEY *k, char hex[65], struct mg_err *e);
/* Sign msg; the base64 signature is appended to sig. */
int manifest_sign(EVP_PKEY *k, const void *msg, size_t n, struct mg_buf *sig, struct mg_err *e);
/* Check a base64 signature of msg: 0 valid, 1 invalid (does not match),
 * -1 error (e.g. malformed base64). */
int manifest_verify_sig(EVP_PKEY *k, const void *msg, size_t n, const char *b64, struct mg_err *e);

#endif
