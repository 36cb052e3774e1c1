#include <stdio.h>
#include <string.h>

#include "migrate/builtin.h"
#include "migrate/playbook.h"

int cmd_check(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2)
		return usage_error("check", "name at least one playbook");
	for (int i = 1; i < argc; i++) {
		struct playbook *pb = NULL;
		struct mg_err e = {0};

		if (argv[i][0] == '-') {
			playbook_free(pb);
			return usage_error("check", "unknown option '%s'", argv[i]);
		}
		if (playbook_load(&pb, argv[i], &e)) {
			bad++;
			if (pb && pb->ndiags)
				fputs(buf_cstr(&pb->diags), stderr);
			else
				fprintf(stderr, "%s\n", e.msg);
		} else {
			printf("%s: ok (system %s, %u table%s)\n", argv[i], pb->system.code, pb->ntables,
			       pb->ntables == 1 ? "" : "s");
		}
		playbook_free(pb);
	}
	return bad ? EXIT_FAILED : EXIT_OK;
}
