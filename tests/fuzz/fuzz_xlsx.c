/* tests/fuzz/fuzz_xlsx.c: the xlsx format over arbitrary bytes.
 *
 * libFuzzer: clang -fsanitize=fuzzer,address -I. ... tests/fuzz/fuzz_xlsx.c
 * <the library objects>. Seeds: the workbooks the t034x tests write (zip
 * members are deflated, so a dictionary of XML tokens helps less than good
 * seeds). Linked with tests/fuzz/main_standalone.c instead of libFuzzer it
 * is a plain program that runs each file named on its command line once
 * (tests/t0347, or to replay a crash with gcc).
 *
 * Three playbook variants are chosen by the input's size modulo 3: default
 * options; a two-row merged header below a title row; no header with named
 * columns and raw dates. Batches are small so the parser is suspended and
 * resumed often; caps are small so a hostile input meets them quickly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extractors/filesrc.h"

extern const struct file_format format_xlsx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const variants[3] = {
	"    batch_rows: 3\n",
	"    batch_rows: 2\n    header_row: 2\n    header_rows: 2\n    sheet: Sheet2\n",
	"    batch_rows: 5\n    header_row: 0\n    columns: [a, b, c]\n    excel_dates: raw\n    first_row: 2\n",
};

static struct playbook *pbs[3];

static struct playbook *load(int v)
{
	char path[64];
	FILE *f;
	struct mg_err e = {0};
	struct playbook *pb = NULL;

	snprintf(path, sizeof(path), "/tmp/fuzz_xlsx_%d_%d.yaml", (int)getpid(), v);
	f = fopen(path, "w");
	if (!f)
		abort();
	fprintf(f, "system: {code: t_fuzz, hotline: \"12345\", name: fuzz, department: fuzz, mode: merge}\n"
		   "source: {driver: xlsx, dir: /tmp}\n"
		   "tables:\n"
		   "  - name: fuzz.xlsx\n"
		   "    encoding: utf-8\n"
		   "    max_field_bytes: 65536\n"
		   "    max_shared_strings_bytes: 1048576\n"
		   "%s"
		   "    fields: {legacy_id: id}\n", variants[v]);
	fclose(f);
	if (playbook_load(&pb, path, &e)) {
		fprintf(stderr, "fuzz_xlsx: %s\n%s", e.msg, buf_cstr(&pb->diags));
		abort();
	}
	unlink(path);
	return pb;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int v = (int)(size % 3);
	struct playbook *pb;
	struct mg_input in;
	struct mg_columns cols;
	struct mg_err e = {0};
	struct mg_batch b;
	void *st = NULL;
	uint64_t recno = 0;

	if (!pbs[v])
		pbs[v] = load(v);
	pb = pbs[v];
	input_open_mem(&in, data, size, "fuzz.xlsx");
	memset(&cols, 0, sizeof(cols));
	if (format_xlsx.open(pb, &pb->tables[0], &in, &st, &cols, &e))
		return 0;
	if (batch_init(&b, cols.n, pb->tables[0].batch_rows, pb->tables[0].max_field_bytes, &e) == 0) {
		for (int i = 0; i < 1000000; i++) {
			int rc;

			batch_reset(&b);
			rc = format_xlsx.next(st, &b, &recno, &e);
			if (rc != MG_OK)
				break;
		}
	}
	batch_release(&b);
	format_xlsx.close(st);
	return 0;
}
