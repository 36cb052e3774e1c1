/* tests/fuzz/fuzz_archive.c: the archive source driver over arbitrary bytes.
 *
 * Each input is written to a file in a private temporary directory and read
 * as the one archive of a table whose members are parsed as CSV, through
 * the driver's whole life cycle (open, start, next_batch until DONE or an
 * error, close), with small caps so bombs stop early. The interesting code
 * is libarchive's readers behind our callbacks, member name decoding
 * (member_encoding: cp936), the caps, the hashes and the hand-over to the
 * format. Build (the lead wires `make fuzz`):
 *   clang -fsanitize=fuzzer,address -I. $(pkg-config --cflags ...) \
 *     tests/fuzz/fuzz_archive.c <library objects> $(pkg-config --libs ...)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extractors/extractor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char archive_path[128];
static struct playbook *pb;

static int setup(void)
{
	char path[128];
	FILE *f;
	struct mg_err e = {0};

	snprintf(dir, sizeof(dir), "/tmp/fuzz_archive.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(archive_path, sizeof(archive_path), "%s/input.bin", dir);
	snprintf(path, sizeof(path), "%s/fuzz.yaml", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f,
		"system: {code: fuzz, hotline: \"12345\", name: fuzz, department: fuzz, mode: merge}\n"
		"source: {driver: archive, dir: %s, format: csv}\n"
		"tables:\n"
		"  - name: input.bin\n"
		"    encoding: gbk\n"
		"    member_encoding: cp936\n"
		"    max_member_bytes: 4194304\n"
		"    max_ratio: 200\n"
		"    max_members: 1000\n"
		"    max_field_bytes: 65536\n"
		"    batch_rows: 64\n"
		"    fields: {legacy_id: id}\n",
		dir);
	if (fclose(f))
		return -1;
	if (playbook_load(&pb, path, &e)) {
		fprintf(stderr, "fuzz_archive: %s\n%s", e.msg, pb ? buf_cstr(&pb->diags) : "");
		return -1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready = -2;
	const struct source_driver *drv;
	struct source *src = NULL;
	struct mg_columns cols;
	struct mg_batch b;
	struct mg_err e = {0};
	FILE *f;

	if (ready == -2)
		ready = setup();
	if (ready)
		abort();
	f = fopen(archive_path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	drv = source_driver_find("archive");
	if (!drv)
		abort();
	memset(&cols, 0, sizeof(cols));
	if (drv->open(pb, &src, &e) == 0 && drv->start(src, &pb->tables[0], NULL, &cols, &e) == 0 &&
	    batch_init(&b, cols.n, pb->tables[0].batch_rows, pb->tables[0].max_field_bytes, &e) == 0) {
		for (int i = 0; i < 100000; i++) {
			int rc;

			batch_reset(&b);
			rc = drv->next_batch(src, &b, &e);
			if (rc != MG_OK)
				break;
		}
		batch_release(&b);
	}
	if (src)
		drv->close(src);
	return 0;
}
