/* tests/fuzz/fuzz_dbf.c: the dbf format over arbitrary bytes.
 *
 * Input: byte 0 picks a playbook (checks off so the records are walked;
 * checks on; tiny memo and field caps in utf-8); bytes 1-2 (little-endian)
 * give the length of the .dbf part; the bytes after it become the memo file,
 * written as both in.fpt and in.dbt in a private directory, so dBase III,
 * dBase IV and FoxPro memo parsing all see hostile data. Every record must
 * become a row, a reject or a clean error.
 *
 * Built with -DMG_FUZZ_MAIN it is a plain program that runs each file named
 * on its command line, and N bit-flipped variants of it (tests/t0339).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extractors/filesrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const variants[] = {
	"    encoding: gbk\n    codepage_check: false\n    count_check: false\n",
	"    encoding: gbk\n",
	"    encoding: utf-8\n    codepage_check: false\n    count_check: false\n"
	"    max_memo_bytes: 100\n    max_field_bytes: 64\n",
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static struct playbook *pbs[NVARIANTS];
static char dir[64];

static void cleanup(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/in.fpt", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/in.dbt", dir);
	unlink(path);
	rmdir(dir);
}

static struct playbook *load(size_t v)
{
	char path[128];
	struct mg_err e = {0};
	int fd;
	FILE *f;

	if (pbs[v])
		return pbs[v];
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_dbf_XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	snprintf(path, sizeof(path), "%s/pb%zu.yaml", dir, v);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		abort();
	fprintf(f, "system: {code: fz, hotline: \"12345\", name: fuzz, department: fuzz, mode: merge}\n"
		   "source: {driver: dbf, dir: %s}\n"
		   "tables:\n  - name: in.dbf\n%s    fields: {legacy_id: a}\n", dir, variants[v]);
	fclose(f);
	if (playbook_load(&pbs[v], path, &e)) {
		fprintf(stderr, "fuzz_dbf: %s\n%s", e.msg, pbs[v] ? buf_cstr(&pbs[v]->diags) : "");
		abort();
	}
	unlink(path);
	return pbs[v];
}

static void put_file(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(p, 1, n, f) != n || fclose(f))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct file_format *fmt = file_format_find("dbf");
	struct playbook *pb;
	struct mg_input in;
	struct mg_columns cols;
	struct mg_batch b;
	struct mg_err e = {0};
	uint64_t recno = 0;
	void *state = NULL;
	size_t n;
	int rc;

	if (size < 3 || !fmt)
		return 0;
	pb = load(data[0] % NVARIANTS);
	n = (size_t)data[1] | (size_t)data[2] << 8;
	data += 3;
	size -= 3;
	if (n > size)
		n = size;
	put_file("in.fpt", data + n, size - n);
	put_file("in.dbt", data + n, size - n);
	input_open_mem(&in, data, n, "in.dbf");
	memset(&cols, 0, sizeof(cols));
	if (fmt->open(pb, &pb->tables[0], &in, &state, &cols, &e)) {
		if (!e.msg[0] || state)
			abort();            /* an error says what, and leaves nothing open */
		return 0;
	}
	if (batch_init(&b, cols.n, 7, pb->tables[0].max_field_bytes, &e)) {
		fmt->close(state);
		return 0;
	}
	do {
		batch_reset(&b);
		rc = fmt->next(state, &b, &recno, &e);
		for (unsigned r = 0; rc != MG_ERR && r < b.nrows; r++) {
			size_t kn;

			batch_key(&b, r, &kn);
			if (!kn || b.prov[r].line == 0)
				abort();    /* every row has a key and a record number */
		}
	} while (rc == MG_OK);
	if (rc == MG_DONE && fmt->next(state, &b, &recno, &e) != MG_DONE)
		abort();                    /* DONE again after DONE */
	if (rc == MG_ERR && !e.msg[0])
		abort();                    /* an error says what */
	batch_release(&b);
	fmt->close(state);
	return 0;
}

#ifdef MG_FUZZ_MAIN
/* fuzz_dbf [-n N] FILE...: each FILE is "variant byte, 2-byte length, dbf,
 * memo"; runs it and N variants with random bit flips (fixed seed). */
int main(int argc, char **argv)
{
	unsigned long flips = 0;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		flips = strtoul(argv[2], NULL, 10);
		i = 3;
	}
	srand(12345);
	for (; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		static uint8_t buf[1 << 20];
		size_t n;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
		for (unsigned long k = 0; k < flips && n > 3; k++) {
			static uint8_t mut[1 << 20];
			int nflip = 1 + rand() % 8;

			memcpy(mut, buf, n);
			for (int j = 0; j < nflip; j++) {
				size_t at = 3 + (size_t)rand() % (n - 3);

				mut[at] ^= (uint8_t)(1u << (rand() % 8));
			}
			mut[0] = (uint8_t)(k % NVARIANTS);
			LLVMFuzzerTestOneInput(mut, n - (k % 3 ? 0 : (size_t)rand() % (n - 3)));
		}
	}
	return 0;
}
#endif
