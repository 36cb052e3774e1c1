/* tests/fuzz/fuzz_csv.c: the csv format over arbitrary bytes.
 *
 * The first input byte picks one of several playbooks (comma with header,
 * '|' in GBK so characters are walked, tab without header, no quoting, a
 * tiny record cap, GB18030 with ';' and named columns); the rest is the
 * file. Every record must become a row, a reject or a clean error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extractors/filesrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const variants[] = {
	"    encoding: utf-8\n",
	"    encoding: gbk\n    delimiter: \"|\"\n",
	"    encoding: big5\n    delimiter: tab\n    header: false\n    max_field_bytes: 64\n",
	"    encoding: latin1\n    quote: none\n    skip_lines: 1\n",
	"    encoding: gb18030\n    delimiter: \";\"\n    columns: [a, b, c]\n    max_record_bytes: 100\n",
	"    encoding: gbk\n    delimiter: \"\\\\\"\n    quote: \"|\"\n    header: false\n    columns: [a, b]\n",
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static struct playbook *pbs[NVARIANTS];

static struct playbook *load(size_t v)
{
	char path[] = "/tmp/fuzz_csv_XXXXXX";
	struct mg_err e = {0};
	int fd;
	FILE *f;

	if (pbs[v])
		return pbs[v];
	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		abort();
	fprintf(f, "system: {code: fz, hotline: \"12345\", name: fuzz, department: fuzz, mode: merge}\n"
		   "source: {driver: csv, dir: /tmp}\n"
		   "tables:\n  - name: in.csv\n%s    fields: {legacy_id: a}\n", variants[v]);
	fclose(f);
	if (playbook_load(&pbs[v], path, &e)) {
		fprintf(stderr, "fuzz_csv: %s\n%s", e.msg, pbs[v] ? buf_cstr(&pbs[v]->diags) : "");
		abort();
	}
	unlink(path);
	return pbs[v];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct file_format *fmt = file_format_find("csv");
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
	input_open_mem(&in, data + 1, size - 1, "in.csv");
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
