/* migrate peek PLAYBOOK: the raw rows exactly as the source driver hands
 * them over, before any decoding. For department IT checking what the
 * toolkit sees, and for driver tests. Output: a header line of column names,
 * then one line per row: key, then each field; fields are separated by tabs,
 * NULL is \N, bytes outside printable ASCII are \xHH, and \t \n \r \\ are
 * escaped. Records the driver rejected are lines starting with "!reject". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/extractor.h"
#include "migrate/builtin.h"

static void put_bytes(const unsigned char *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	char out[4096];
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];

		if (j > sizeof(out) - 4) {
			fwrite(out, 1, j, stdout);
			j = 0;
		}
		if (c == '\t' || c == '\n' || c == '\r' || c == '\\') {
			out[j++] = '\\';
			out[j++] = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
		} else if (c < 0x20 || c >= 0x7f) {
			out[j++] = '\\';
			out[j++] = 'x';
			out[j++] = hx[c >> 4];
			out[j++] = hx[c & 15];
		} else {
			out[j++] = (char)c;
		}
	}
	fwrite(out, 1, j, stdout);
}

int cmd_peek(int argc, char **argv)
{
	const char *path = NULL, *after = NULL;
	unsigned long long limit = 0, shown = 0;
	struct playbook *pb = NULL;
	struct source *src = NULL;
	struct mg_columns cols;
	struct mg_batch b;
	struct mg_buf key;
	struct mg_err e = {0};
	const struct source_driver *drv;
	int rc = EXIT_FAILED, have_batch = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rows") && i + 1 < argc)
			limit = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--after") && i + 1 < argc)
			after = argv[++i];
		else if (argv[i][0] == '-' || path)
			return usage_error("peek", "unexpected argument '%s'", argv[i]);
		else
			path = argv[i];
	}
	if (!path)
		return usage_error("peek", "name a playbook");
	memset(&cols, 0, sizeof(cols));
	buf_init(&key, 0, "key");
	if (after)
		buf_addstr(&key, after, &e);
	if (playbook_load(&pb, path, &e))
		goto out;
	drv = source_driver_find(pb->driver);
	if (drv->open(pb, &src, &e) || drv->start(src, &pb->tables[0], after ? &key : NULL, &cols, &e))
		goto out;
	if (batch_init(&b, cols.n, pb->tables[0].batch_rows, pb->tables[0].max_field_bytes, &e))
		goto out;
	have_batch = 1;
	fputs("#key", stdout);
	for (unsigned c = 0; c < cols.n; c++)
		printf("\t%s", cols.name[c]);
	putchar('\n');
	for (;;) {
		int r;
		size_t pos = 0;
		struct mg_xrej x;

		batch_reset(&b);
		r = drv->next_batch(src, &b, &e);
		if (r == MG_ERR)
			goto out;
		if (r == MG_DONE)
			break;
		while (batch_next_reject(&b, &pos, &x)) {
			printf("!reject\t%s\t%s\t", x.reason, x.detail);
			put_bytes(x.key, x.key_len);
			printf("\t%llu\t%llu\t", (unsigned long long)x.line, (unsigned long long)x.offset);
			put_bytes(x.raw, x.raw_len);
			putchar('\n');
		}
		for (unsigned r2 = 0; r2 < b.nrows && (!limit || shown < limit); r2++, shown++) {
			size_t n;
			const unsigned char *k = batch_key(&b, r2, &n);

			put_bytes(k, n);
			for (unsigned c = 0; c < b.ncols; c++) {
				const unsigned char *v = batch_get(&b, r2, c, &n);

				putchar('\t');
				if (v)
					put_bytes(v, n);
				else
					fputs("\\N", stdout);
			}
			putchar('\n');
		}
		if (limit && shown >= limit)
			break;
	}
	rc = EXIT_OK;
out:
	if (have_batch)
		batch_release(&b);
	if (src)
		src->drv->close(src);
	playbook_free(pb);
	buf_release(&key);
	if (rc != EXIT_OK)
		return die_err(&e);
	return rc;
}
