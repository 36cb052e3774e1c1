#include "migrate/bloom.h"

#include <stdlib.h>
#include <string.h>

#define PROBES 4

int bloom_init(struct bloom *b, size_t bytes)
{
	size_t words = 1;

	while (words * 8 < bytes)
		words *= 2;
	b->bits = calloc(words, 8);
	b->nbits = (uint64_t)words * 64;
	return b->bits ? 0 : -1;
}

void bloom_release(struct bloom *b)
{
	free(b->bits);
	b->bits = NULL;
}

void bloom_clear(struct bloom *b)
{
	memset(b->bits, 0, (size_t)(b->nbits / 8));
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int bloom_test_add(struct bloom *b, const void *s, size_t n)
{
	const unsigned char *p = s;
	uint64_t h = 1469598103934665603ULL, h1, h2;
	int seen = 1;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	h1 = mix(h);
	h2 = mix(h1 ^ 0x9e3779b97f4a7c15ULL) | 1;
	for (int i = 0; i < PROBES; i++) {
		uint64_t bit = (h1 + (uint64_t)i * h2) & (b->nbits - 1);
		uint64_t *w = &b->bits[bit / 64], m = 1ULL << (bit % 64);

		if (!(*w & m)) {
			seen = 0;
			*w |= m;
		}
	}
	return seen;
}
