/* tests/fuzz/format_fuzz.h: the body every file-format fuzz target shares.
 *
 * The first input byte picks one of the target's playbook variants; the
 * rest is the file. The format must turn every record into a row, a reject
 * or a clean error, say DONE again after DONE, and never fail on its own
 * (valid) playbooks. A target includes this after defining its variants:
 *
 *   static const char *const variants[] = {"    encoding: utf-8\n", ...};
 *   FORMAT_FUZZ("csv", "in.csv", "a")
 */
#ifndef FORMAT_FUZZ_H
#define FORMAT_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extractors/filesrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct playbook *format_fuzz_load(struct playbook **slot, const char *driver, const char *file,
					 const char *legacy_col, const char *variant)
{
	char path[] = "/tmp/fuzz_format_XXXXXX";
	struct mg_err e = {0};
	int fd;
	FILE *f;

	if (*slot)
		return *slot;
	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		abort();
	fprintf(f, "system: {code: fz, hotline: \"12345\", name: fuzz, department: fuzz, mode: merge}\n"
		   "source: {driver: %s, dir: /tmp}\n"
		   "tables:\n  - name: %s\n%s    fields: {legacy_id: %s}\n", driver, file, variant, legacy_col);
	fclose(f);
	if (playbook_load(slot, path, &e)) {
		fprintf(stderr, "fuzz %s: %s\n%s", driver, e.msg, *slot ? buf_cstr(&(*slot)->diags) : "");
		abort();
	}
	unlink(path);
	return *slot;
}

static inline int format_fuzz_one(const char *driver, const char *file, const char *legacy_col,
				  const char *const *variants, struct playbook **pbs, size_t nvariants,
				  const uint8_t *data, size_t size)
{
	const struct file_format *fmt = file_format_find(driver);
	struct playbook *pb;
	struct mg_input in;
	struct mg_columns cols;
	struct mg_batch b;
	struct mg_err e = {0};
	uint64_t recno = 0;
	void *state = NULL;
	size_t v;
	int rc;

	if (!size || !fmt)
		return 0;
	v = data[0] % nvariants;
	pb = format_fuzz_load(&pbs[v], driver, file, legacy_col, variants[v]);
	input_open_mem(&in, data + 1, size - 1, file);
	memset(&cols, 0, sizeof(cols));
	if (fmt->open(pb, &pb->tables[0], &in, &state, &cols, &e)) {
		if (e.code == MG_E_CONFIG || !e.msg[0]) {
			fprintf(stderr, "%s\n", e.msg);
			abort();            /* the variants are valid playbooks */
		}
		return 0;
	}
	if (batch_init(&b, cols.n, 7, pb->tables[0].max_field_bytes, &e)) {
		fmt->close(state);
		return 0;
	}
	do {
		batch_reset(&b);
		rc = fmt->next(state, &b, &recno, &e);
	} while (rc == MG_OK);
	if (rc == MG_DONE && fmt->next(state, &b, &recno, &e) != MG_DONE)
		abort();                    /* DONE again after DONE */
	if (rc == MG_ERR && !e.msg[0])
		abort();                    /* an error says what */
	batch_release(&b);
	fmt->close(state);
	return 0;
}

#define FORMAT_FUZZ(DRIVER, FILE, LEGACY_COL)                                                   \
	static struct playbook *pbs[sizeof(variants) / sizeof(variants[0])];                    \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                            \
	{                                                                                       \
		return format_fuzz_one(DRIVER, FILE, LEGACY_COL, variants, pbs,                 \
				       sizeof(variants) / sizeof(variants[0]), data, size);     \
	}

#endif
