/* migrate/bloom.h: a fixed-size Bloom filter of byte strings.
 *
 * The loader uses it to prove that a legacy id has not been loaded yet in
 * this run, so the record can be COPYed straight into the target; any
 * "maybe" goes the slow, exact way (staging + merge). Its size is fixed
 * (memory does not grow with the rows); at 1M ids in 8 MiB with 4 probes
 * the false-positive rate is about 1 in 5,000, at 10M about 1 in 20.
 */
#ifndef MG_BLOOM_H
#define MG_BLOOM_H

#include <stddef.h>
#include <stdint.h>

struct bloom {
	uint64_t *bits;
	uint64_t nbits;   /* a power of two */
};

int bloom_init(struct bloom *b, size_t bytes);
void bloom_release(struct bloom *b);
void bloom_clear(struct bloom *b);
/* Returns 1 if s may have been added before, 0 if certainly not; adds it. */
int bloom_test_add(struct bloom *b, const void *s, size_t n);

#endif
