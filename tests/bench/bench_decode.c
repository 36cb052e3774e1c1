/* tests/bench/bench_decode.c: decoding and normalisation throughput of one
 * core, for scripts/bench-decode.
 *
 *   bench_decode FILE ENCODING
 *
 * FILE is a delimited file (',' between fields, LF between records, no
 * quoting) in ENCODING, as scripts/bench-decode generates it: id, date
 * ("%Y-%m-%d %H:%M:%S"), phone, ID number, Excel serial, text. It is read
 * into memory first (not timed), then decoded three ways, each timed with
 * the process CPU clock:
 *   block    the whole file through the decoder (transform/decode.h) in
 *            1 MiB blocks cut at a line end: iconv's speed inside migrate;
 *   fields   every field decoded on its own, as plan_apply decodes columns;
 *   norm     fields, then the date, phone, ID number and serial normalised
 *            (transform/normalize.h) and the text's full-width ASCII folded.
 * Prints one line: "bytes=N block_s=S fields_s=S norm_s=S records=N
 * bad=N" (bad: values that did not normalise, a check that the work was
 * done). Exit 1 on a usage, read or decode error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migrate/buf.h"
#include "transform/decode.h"
#include "transform/normalize.h"

#define MAX_FILE_BYTES (4ULL << 30)
#define FOLD_BYTES (4u << 20)

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long sz;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || (unsigned long long)sz > MAX_FILE_BYTES ||
	    fseek(f, 0, SEEK_SET) || !(p = malloc((size_t)sz + 1))) {
		fclose(f);
		return NULL;
	}
	if (fread(p, 1, (size_t)sz, f) != (size_t)sz) {
		free(p);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*n = (size_t)sz;
	return p;
}

static int fail(const char *what, const struct mg_err *e)
{
	fprintf(stderr, "bench_decode: %s%s%s\n", what, e && e->msg[0] ? ": " : "", e ? e->msg : "");
	return 1;
}

int main(int argc, char **argv)
{
	struct mg_decoder d;
	struct mg_err e = {0};
	struct mg_buf out;
	unsigned char *data;
	size_t n, bad, records = 0, badvals = 0;
	double t0, t_block, t_fields = 0, t_norm = 0;
	char *fold = malloc(FOLD_BYTES);

	if (argc != 3) {
		fprintf(stderr, "usage: bench_decode FILE ENCODING\n");
		return 2;
	}
	if (!fold)
		return fail("out of memory", NULL);
	if (!(data = slurp(argv[1], &n)))
		return fail("cannot read the file (or larger than 4 GiB)", NULL);
	if (decoder_open(&d, argv[2], &e))
		return fail("bad encoding", &e);
	buf_init(&out, 64u << 20, "bench output");

	/* block: 1 MiB at a time, cut after the last LF (LF is never a trail byte) */
	t0 = cpu_now();
	for (size_t off = 0; off < n;) {
		size_t len = n - off > (1u << 20) ? (1u << 20) : n - off;

		if (off + len < n) {
			while (len && data[off + len - 1] != '\n')
				len--;
			if (!len)
				return fail("a line longer than 1 MiB", NULL);
		}
		buf_reset(&out);
		if (decoder_run(&d, data + off, len, &out, &bad, &e))
			return fail("block does not decode", &e);
		off += len;
	}
	t_block = cpu_now() - t0;

	for (int pass = 0; pass < 2; pass++) {
		t0 = cpu_now();
		records = badvals = 0;
		for (size_t i = 0; i < n;) {
			size_t eol = i;
			unsigned col = 0;

			while (eol < n && data[eol] != '\n')
				eol++;
			buf_reset(&out);
			for (size_t s = i; s <= eol; col++) {
				size_t f = s, start = out.len, len;
				const char *v;
				char res[32];
				size_t ol;

				while (f < eol && data[f] != ',')
					f++;
				if (decoder_run(&d, data + s, f - s, &out, &bad, &e))
					return fail("a field does not decode", &e);
				s = f + 1;
				if (!pass)
					continue;
				v = (const char *)out.ptr + start;
				len = out.len - start;
				if (records == 0)
					continue; /* header */
				switch (col) {
				case 1:
					badvals += norm_date(v, len, "%Y-%m-%d %H:%M:%S", res) != DATE_OK;
					break;
				case 2: {
					int ext;

					badvals += norm_phone_ext(v, len, "0937", res, &ext) == PHONE_UNRECOGNISED;
					break;
				}
				case 3: {
					char id[64];

					if (len < sizeof(id))
						badvals += !norm_idno(v, len, id, &ol);
					break;
				}
				case 4:
					badvals += norm_excel_date(v, len, 0, res) != DATE_OK;
					break;
				case 5:
					if (len >= FOLD_BYTES)
						return fail("a text field longer than 4 MiB", NULL);
					norm_fold_fullwidth(v, len, fold, &ol);
					break;
				default:
					break;
				}
			}
			records++;
			i = eol + 1;
		}
		if (pass)
			t_norm = cpu_now() - t0;
		else
			t_fields = cpu_now() - t0;
	}
	printf("bytes=%zu block_s=%.3f fields_s=%.3f norm_s=%.3f records=%zu bad=%zu\n", n, t_block, t_fields, t_norm,
	       records ? records - 1 : 0, badvals);
	buf_release(&out);
	decoder_close(&d);
	free(data);
	free(fold);
	return 0;
}
