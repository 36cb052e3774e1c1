#include "migrate/hash.h"

#include <openssl/evp.h>
#include <stdlib.h>

struct mg_hasher {
	EVP_MD_CTX *ctx;
	EVP_MD *md;
};

struct mg_hasher *hasher_new(void)
{
	struct mg_hasher *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->ctx = EVP_MD_CTX_new();
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!h->ctx || !h->md) {
		hasher_free(h);
		return NULL;
	}
	return h;
}

void hasher_free(struct mg_hasher *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

static void digest(struct mg_hasher *h, const void *p, size_t n, unsigned char md[32])
{
	unsigned int mdlen = 0;

	/* Init/Update/Final on a kept context: no allocation per record. */
	EVP_DigestInit_ex(h->ctx, h->md, NULL);
	EVP_DigestUpdate(h->ctx, p, n);
	EVP_DigestFinal_ex(h->ctx, md, &mdlen);
}

uint64_t hasher_digest64(struct mg_hasher *h, const void *p, size_t n)
{
	unsigned char md[32];
	uint64_t v = 0;

	digest(h, p, n, md);
	for (int i = 0; i < 8; i++)
		v = (v << 8) | md[i];
	return v;
}

void hasher_hex(struct mg_hasher *h, const void *p, size_t n, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	unsigned char md[32];

	digest(h, p, n, md);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[64] = '\0';
}

int canon_add(struct mg_buf *b, const void *p, size_t n, int isnull, struct mg_err *e)
{
	if (isnull)
		return buf_addc(b, 'N', e);
	if (buf_addc(b, 'V', e) || buf_add_u64(b, n, e) || buf_addc(b, ':', e))
		return -1;
	return buf_add(b, p, n, e);
}
