/* tests/fuzz/fuzz_fixed.c: the fixed-width format over arbitrary bytes.
 *
 * The first input byte picks one of several layouts (bytes, characters of
 * GB18030, Big5 and UTF-8, trimmed, blocks without line ends, a tiny
 * record cap); the rest is the file. Every record must become a row, a
 * reject or a clean error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extractors/filesrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const variants[] = {
	"    encoding: utf-8\n    widths: [2, 3, 1]\n    columns: [a, b, c]\n",
	"    encoding: gb18030\n    widths: [1, 2, 3]\n    columns: [a, b, c]\n    unit: chars\n    trim: right\n",
	"    encoding: big5\n    widths: [3, 1]\n    unit: chars\n    skip_lines: 1\n",
	"    encoding: utf-8\n    widths: [1, 1, 2]\n    unit: chars\n    max_field_bytes: 3\n",
	"    encoding: latin1\n    widths: [2, 2]\n    record_bytes: 4\n",
	"    encoding: gbk\n    widths: [4, 4]\n    unit: chars\n    record_bytes: 9\n    max_record_bytes: 9\n",
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static struct playbook *pbs[NVARIANTS];

static struct playbook *load(size_t v)
{
	char path[] = "/tmp/fuzz_fixed_XXXXXX";
	struct mg_err e = {0};
	int fd;
	FILE *f;

	if (pbs[v])
		return pbs[v];
	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		abort();
	fprintf(f, "system: {code: fz, hotline: \"12345\", name: fuzz, department: fuzz, mode: merge}\n"
		   "source: {driver: fixed, dir: /tmp}\n"
		   "tables:\n  - name: in.txt\n%s    fields: {legacy_id: c1}\n", variants[v]);
	fclose(f);
	if (playbook_load(&pbs[v], path, &e)) {
		fprintf(stderr, "fuzz_fixed: %s\n%s", e.msg, pbs[v] ? buf_cstr(&pbs[v]->diags) : "");
		abort();
	}
	unlink(path);
	return pbs[v];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct file_format *fmt = file_format_find("fixed");
	struct playbook *pb;
	struct mg_input in;
	struct mg_columns cols;
	struct mg_batch b;
	struct mg_err e = {0};
	uint64_t recno = 0;
	void *state = NULL;
	int rc;

	if (!size || !fmt)
		return 0;
	pb = load(data[0] % NVARIANTS);
	input_open_mem(&in, data + 1, size - 1, "in.txt");
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
