/* migrate/builtin.h: the subcommands (one file each, git's builtin.h shape).
 * Only this layer prints and exits. Exit codes: */
#ifndef MG_BUILTIN_H
#define MG_BUILTIN_H

#include <stdio.h>

#include "migrate/err.h"

enum {
	EXIT_OK = 0,        /* everything accounted for */
	EXIT_FAILED = 1,    /* failed: nothing half-written; a run is left resumable */
	EXIT_USAGE = 2,     /* bad command line */
	EXIT_UNBALANCED = 3 /* finished, but out of balance */
};

#define MIGRATE_VERSION "0.1.0"

int cmd_init(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);
int cmd_peek(int argc, char **argv);
int cmd_runbook(int argc, char **argv);
int cmd_crosscheck(int argc, char **argv);
/* in their own files; weak so a build without them answers "not compiled in" */
int cmd_report(int argc, char **argv) __attribute__((weak));
int cmd_verify(int argc, char **argv) __attribute__((weak));
int cmd_keygen(int argc, char **argv) __attribute__((weak));
int cmd_validate(int argc, char **argv) __attribute__((weak));
int cmd_inspect(int argc, char **argv) __attribute__((weak));
int cmd_rejects(int argc, char **argv) __attribute__((weak));

/* Print "migrate: error: msg" and return EXIT_FAILED (or EXIT_USAGE). */
int die_err(const struct mg_err *e);
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The store's connection string: --store, else $MIGRATE_STORE, else libpq's defaults. */
const char *store_conninfo(const char *opt);

/* Cleanup stack run on fatal paths (pg_dump's on_exit_nicely). */
void cleanup_push(void (*fn)(void *), void *arg);
void cleanup_pop(void);
void cleanup_run(void);

#endif
