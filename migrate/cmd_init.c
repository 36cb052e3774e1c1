#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loaders/pgstore.h"
#include "migrate/builtin.h"

int cmd_init(int argc, char **argv)
{
	const char *store = NULL, *taxonomy = "playbooks/taxonomy.csv";
	struct pgstore s;
	struct mg_err e = {0};
	int from, to;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--taxonomy") && i + 1 < argc)
			taxonomy = argv[++i];
		else
			return usage_error("init", "unexpected argument '%s'", argv[i]);
	}
	if (access(taxonomy, R_OK))
		return usage_error("init", "cannot read the taxonomy '%s' (give --taxonomy FILE)", taxonomy);
	if (pgstore_connect(&s, store_conninfo(store), &e))
		return die_err(&e);
	if (pgstore_init(&s, taxonomy, &from, &to, &e)) {
		pgstore_close(&s);
		return die_err(&e);
	}
	if (from == to)
		printf("store %s is up to date (schema version %d); taxonomy loaded from %s\n", s.where, to, taxonomy);
	else
		printf("store %s upgraded from schema version %d to %d; taxonomy loaded from %s\n", s.where, from, to,
		       taxonomy);
	pgstore_close(&s);
	return EXIT_OK;
}
