/* migrate/outputs.h: what a run writes besides the store, and the hooks
 * cmd_run calls after the reconciliation. Each hook lives in its own file
 * and is referenced weakly, so a build without it still works.
 *
 * outputs: one line per file written, "path<TAB>sha256-hex\n", in the order
 * written; the manifest lists them.
 */
#ifndef MG_OUTPUTS_H
#define MG_OUTPUTS_H

#include "loaders/pgstore.h"
#include "migrate/buf.h"
#include "migrate/err.h"

/* migrate/htmlreport.c: render run run_id from the store into dir:
 * run-<id>.html (self-contained), run-<id>.json, rejects-<id>.csv,
 * coverage-<id>.csv, differences-<id>.csv; personal data masked. */
int report_render(struct pgstore *s, long long run_id, const char *dir, struct mg_buf *outputs,
		  struct mg_err *e) __attribute__((weak));

/* migrate/manifest.c: write manifest-<id>.json (and its signature) into dir
 * for run run_id, chained to the previous manifest in the store, signed
 * with key_file (NULL: unsigned, with a note); also stored in
 * migration.manifest. */
int manifest_write(struct pgstore *s, long long run_id, const char *playbook_path, const char *dir,
		   const char *key_file, const struct mg_buf *outputs, struct mg_err *e) __attribute__((weak));

#endif
