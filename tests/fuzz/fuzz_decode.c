/* tests/fuzz/fuzz_decode.c: decoder_run over arbitrary bytes.
 *
 * The first byte picks the declared encoding (byte % 8: '0' gbk, '1' big5,
 * '2' utf-8, '3' gb18030, '4' big5-hkscs, '5' cp1252, '6' latin1,
 * '7' utf-16le, so text seeds can choose), the rest is the value. Checked
 * besides memory safety (transform/decode.h):
 *   - a clean decode (0) is valid UTF-8 without NUL, NUL-terminated, and for
 *     utf-8 the very same bytes;
 *   - a refusal (1) names an offset inside the value;
 *   - nothing else fails: the output cap is ample (4 bytes per input byte);
 *   - the same value decoded again (same decoder, after output already in
 *     the buffer) gives the same answer: no state leaks between values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transform/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"gbk", "big5", "utf-8", "gb18030", "big5-hkscs", "cp1252", "latin1", "utf-16le",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static struct mg_decoder dec[NNAMES];
static int opened[NNAMES];

static void check(int cond, const char *what, const char *enc, size_t n)
{
	if (!cond) {
		fprintf(stderr, "fuzz_decode: %s (encoding %s, %zu bytes)\n", what, enc, n);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_err e = {0};
	struct mg_buf out, again;
	struct mg_decoder *d;
	size_t v, n, bad = (size_t)-1, bad2 = (size_t)-1;
	const unsigned char *in;
	int rc, rc2;

	if (!size)
		return 0;
	v = data[0] % NNAMES;
	in = data + 1;
	n = size - 1;
	if (!opened[v]) {
		if (decoder_open(&dec[v], names[v], &e)) {
			fprintf(stderr, "fuzz_decode: %s\n", e.msg);
			abort();
		}
		opened[v] = 1;
	}
	d = &dec[v];

	buf_init(&out, 4 * n + 64, "fuzz output");
	rc = decoder_run(d, in, n, &out, &bad, &e);
	check(rc == 0 || rc == 1, e.msg[0] ? e.msg : "decoder_run failed", names[v], n);
	if (rc == 0) {
		check(out.ptr != NULL && out.ptr[out.len] == 0, "output not NUL-terminated", names[v], n);
		check(utf8_valid_prefix(out.ptr, out.len) == out.len, "output is not valid UTF-8 (or holds NUL)",
		      names[v], n);
		if (d->passthrough)
			check(out.len == n && !memcmp(out.ptr, in, n), "utf-8 value altered", names[v], n);
	} else {
		check(bad < n || (n == 0 && bad == 0), "refusal offset outside the value", names[v], n);
	}

	/* again, appending after text already in a buffer */
	buf_init(&again, 0, "fuzz again");
	if (buf_addstr(&again, "prefix", &e))
		abort();
	rc2 = decoder_run(d, in, n, &again, &bad2, &e);
	check(rc2 == rc, "second decode of the same value differs", names[v], n);
	if (rc == 0)
		check(again.len == 6 + out.len && !memcmp(again.ptr + 6, out.ptr, out.len),
		      "second decode gave other text", names[v], n);
	else
		check(bad2 == bad, "second decode refused at another offset", names[v], n);
	buf_release(&out);
	buf_release(&again);
	return 0;
}
