/* migrate/cityreport.h: the consolidated reconciliation of a runbook.
 *
 * `migrate runbook --report-dir DIR` writes DIR/city.json (the runbook's
 * --json document: every system's run with its stages, the city's totals)
 * and DIR/city.html (one self-contained page: the verdict, the city's
 * totals, a line per system with its stages and a link to the system's own
 * run report). Counts only: no personal data. See docs/reports.md.
 */
#ifndef MG_CITYREPORT_H
#define MG_CITYREPORT_H

#include <jansson.h>

#include "migrate/err.h"

int cityreport_write(const char *dir, json_t *root, struct mg_err *e);
/* A system's report directory name: the playbook's file name without
 * ".yaml" ("playbooks/cg12319.yaml" -> "cg12319"). */
void cityreport_stem(const char *playbook, char *out, size_t cap);

#endif
