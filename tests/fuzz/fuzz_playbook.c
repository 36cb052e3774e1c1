/* tests/fuzz/fuzz_playbook.c: playbook_load over arbitrary bytes.
 *
 * The bytes are written as a playbook file in a private directory that also
 * holds a taxonomy.csv and a mapping table (map.csv), so category and code
 * fields get as far as loading their tables. A playbook that loads has every
 * scalar option of its source and tables read back with pb_get_str (the
 * ${VAR} expansion: FUZZ_SET is set, FUZZ_UNSET is not) and pb_get_uint.
 * Loading must give 0, or -1 with a message and diagnostics; never a crash
 * or a leak (playbook_free after either).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate/playbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char path[128];

static void cleanup(void)
{
	char p[160];

	if (!dir[0])
		return;
	unlink(path);
	snprintf(p, sizeof(p), "%s/taxonomy.csv", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/map.csv", dir);
	unlink(p);
	rmdir(dir);
}

static void put(const char *name, const char *text)
{
	char p[160];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
}

static void prepare(void)
{
	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "/tmp/fuzz_playbook_XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/pb.yaml", dir);
	put("taxonomy.csv", "code,parent,level,name\n01,,1,a\n0101,01,2,b\n");
	put("map.csv", "legacy,unified,unified_code\n1,x,0101\n2,y,01\n");
	setenv("FUZZ_SET", "value", 1);
	unsetenv("FUZZ_UNSET");
	atexit(cleanup);
}

static void read_options(struct playbook *pb, yaml_node_t *map)
{
	for (yaml_node_pair_t *p = pb_pairs_begin(map); p && p < pb_pairs_end(map); p++) {
		const char *k = pb_scalar(pb_node(pb, p->key));
		struct mg_err e = {0};
		unsigned long long v;
		char *s = NULL;

		if (!k)
			continue;
		if (pb_get_str(pb, map, k, &s, &e) == 0 && s && strlen(s) > (1u << 16))
			abort(); /* expansion is capped at 64 KiB */
		free(s);
		mg_err_clear(&e);
		pb_get_uint(pb, map, k, 1, 1000000, &v, &e);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct playbook *pb = NULL;
	struct mg_err e = {0};
	FILE *f;
	int rc;

	prepare();
	f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		abort();
	rc = playbook_load(&pb, path, &e);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && !e.msg[0])
		abort(); /* a failure always says why */
	if (rc == 0) {
		if (!pb || pb->ndiags)
			abort();
		read_options(pb, pb->source);
		for (unsigned i = 0; i < pb->ntables; i++)
			read_options(pb, pb->tables[i].node);
	}
	playbook_free(pb);
	return 0;
}
