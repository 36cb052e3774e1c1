/* migrate/main.c: command dispatch (git.c's commands[] table). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/builtin.h"
#include "migrate/dedup.h"

static const struct cmd {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{"init", cmd_init, "create or upgrade the unified store"},
	{"check", cmd_check, "check playbooks and explain every mistake"},
	{"run", cmd_run, "migrate one legacy system; resumes an interrupted run"},
	{"reconcile", cmd_reconcile, "recount a run independently at source and target"},
	{"runbook", cmd_runbook, "run the systems of a cutover runbook, several at once"},
	{"crosscheck", cmd_crosscheck, "list work orders present in two systems"},
	{"dedup", cmd_dedup, "find near-duplicate work orders; merge within a system, report across"},
	{"peek", cmd_peek, "show raw rows as the source driver hands them over"},
	{"inspect", cmd_inspect, "profile a source column by column and draft its playbook"},
	{"validate", cmd_validate, "extract, decode and transform without loading: what would be rejected"},
	{"report", cmd_report, "render a past run's reports from the store"},
	{"verify", cmd_verify, "check a run manifest: signature, chain and every hash"},
	{"keygen", cmd_keygen, "make a signing key pair for run manifests"},
	{"rejects", cmd_rejects, "export a system's rejects to correct, and replay the corrected records"},
};

static const char usage_text[] =
	"usage: migrate <command> [options]\n"
	"\n"
	"Consolidate legacy hotline systems into the unified 12345 store, every record\n"
	"accounted for.\n"
	"\n"
	"commands:\n"
	"  init [--store CONNINFO] [--taxonomy FILE]\n"
	"        create or upgrade the store (schemas hotline and migration) and load\n"
	"        the taxonomy (default playbooks/taxonomy.csv)\n"
	"  check PLAYBOOK...\n"
	"        check playbooks; every mistake as file:line with what would be valid\n"
	"  run PLAYBOOK [--store CONNINFO] [--fresh] [--json] [--quiet]\n"
	"      [--commit-rows N] [--batch-rows N] [--report-dir DIR [--sign-key KEY]]\n"
	"      [--threshold KEY=VALUE]...\n"
	"        extract, decode, transform and load one system, then recount at the\n"
	"        source and in the store and print the reconciliation; an interrupted\n"
	"        run of the same playbook is resumed from its last checkpoint unless\n"
	"        --fresh; --commit-rows and --batch-rows override the playbook's\n"
	"        rows per load transaction (and checkpoint) and rows per batch;\n"
	"        --report-dir writes the run's reports and its manifest (signed with\n"
	"        --sign-key) into DIR; --threshold sets a run-wide error threshold\n"
	"        (max_rejects, max_reject_ratio, warmup_rows): over it the run stops\n"
	"        at its checkpoint with exit 3\n"
	"  runbook RUNBOOK [--store CONNINFO] [--parallel N] [--json]\n"
	"      [--report-dir DIR [--sign-key KEY]]\n"
	"        run the systems of a cutover runbook, step by step, several at once\n"
	"        (each a `migrate run`), with live progress; ends with the consolidated\n"
	"        reconciliation of every system and the city's totals; --report-dir\n"
	"        also writes DIR/city.html and DIR/city.json\n"
	"  crosscheck [--store CONNINFO] [--window MINUTES] [--json]\n"
	"        list work orders present in two systems (same caller phone within\n"
	"        MINUTES, default 30) with both keys, into migration.cross_duplicate;\n"
	"        they are reported, never merged\n"
	"  dedup [--system CODE | --all] [--window MIN] [--min-similarity X]\n"
	"      [--across report|merge] [--apply] [--json] [--store CONNINFO]\n"
	"        near-duplicate work orders: same caller phone within MIN minutes\n"
	"        (default 30), text similarity >= X (pg_trgm, default 0.5); the\n"
	"        earliest survives, the others point at it (never deleted); across\n"
	"        systems pairs are reported unless --across merge; without --apply\n"
	"        nothing is written; exit 3 if the pass's ledger does not balance\n"
	"  reconcile RUN [--store CONNINFO] [--json] [--aggregates] [--drill [--leaf-rows N]]\n"
	"        recount run RUN independently at the source and in the store and\n"
	"        compare with its ledger, table by table; --aggregates adds the store's\n"
	"        counts per month, category and status, checked against the run's load;\n"
	"        --drill also names every record that differs, by key: missing, extra,\n"
	"        changed (in the store), source-changed (docs/drill-down.md)\n"
	"  peek PLAYBOOK [--rows N] [--after KEY]\n"
	"        show the raw rows of the first table exactly as the source driver\n"
	"        hands them over (bytes outside ASCII as \\xHH), before decoding\n"
	"  report RUN [--store CONNINFO] [--out DIR]\n"
	"        render a past run's reports from the store (HTML, JSON, CSV; personal\n"
	"        data masked)\n"
	"  verify MANIFEST [--pubkey FILE] [--store CONNINFO] [--base DIR]\n"
	"        check a run manifest (manifest-<run>.json): its signature and key\n"
	"        id, the chain of manifests (beside it, or in the store with --store)\n"
	"        and the SHA-256 of every report, the playbook, mapping tables and\n"
	"        input files (relative paths under --base, default .); one line per\n"
	"        check: ok, FAILED or not checked\n"
	"  keygen --alg ed25519|sm2 --out PREFIX\n"
	"        make a key pair to sign manifests with: PREFIX.key (private, mode\n"
	"        0600, never overwritten) and PREFIX.pub; prints the key id\n"
	"  inspect PLAYBOOK [--rows N] [--json] [--draft FILE]\n"
	"        profile the tables of a source column by column: NULLs, distinct\n"
	"        values, lengths, the encoding with its evidence, samples, frequent\n"
	"        values, date formats (personal data masked); the tables' names\n"
	"        (and keys) are enough; --draft writes a draft playbook with the\n"
	"        decided encodings and a field map guessed from the column names\n"
	"  validate PLAYBOOK [--rows N] [--json] [--html FILE] [--threshold KEY=VALUE]...\n"
	"        extract, decode and transform every table without loading (no\n"
	"        store): counts per stage, rejects by reason with masked examples,\n"
	"        fixes, values before and after, mapping-table coverage; --html\n"
	"        writes the same as one self-contained page; exit 3 if records\n"
	"        would be rejected or a threshold would stop the run\n"
	"  rejects export --system CODE [--run RUN] [--table T] [--playbook PLAYBOOK] --out FILE\n"
	"      [--store CONNINFO]\n"
	"        write a run's rejects (default: the newest finished run) as JSON Lines to\n"
	"        correct: original bytes, provenance, reason, columns as text or hex;\n"
	"        holds personal data unmasked (docs/rejects.md)\n"
	"  rejects replay FILE --playbook PLAYBOOK [--store CONNINFO] [--json]\n"
	"        load the corrected records through the playbook's pipeline as a fresh,\n"
	"        partial run; still-wrong records are rejected again\n"
	"  help, --help     this text;  version, --version     the version\n"
	"\n"
	"the store: --store CONNINFO, else $MIGRATE_STORE, else libpq's PGHOST, PGDATABASE ...\n"
	"credentials: from the environment (password_env in playbooks), option files or\n"
	"~/.pgpass; never in playbooks\n"
	"\n"
	"exit codes:\n"
	"  0  everything accounted for (every stage balances)\n"
	"  1  failed: the message says why; nothing half-written, an interrupted run\n"
	"     is resumable\n"
	"  2  usage error\n"
	"  3  finished, but out of balance (verify: a check failed; validate:\n"
	"     records would be rejected)\n";

/* cleanup stack */
static struct {
	void (*fn)(void *);
	void *arg;
} stack[16];
static int depth;

void cleanup_push(void (*fn)(void *), void *arg)
{
	if (depth < 16) {
		stack[depth].fn = fn;
		stack[depth++].arg = arg;
	}
}

void cleanup_pop(void)
{
	if (depth)
		depth--;
}

void cleanup_run(void)
{
	while (depth) {
		depth--;
		stack[depth].fn(stack[depth].arg);
	}
}

int die_err(const struct mg_err *e)
{
	cleanup_run();
	fprintf(stderr, "migrate: error: %s\n", e->msg[0] ? e->msg : "unknown error");
	return EXIT_FAILED;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "migrate %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'migrate --help')\n");
	return EXIT_USAGE;
}

const char *store_conninfo(const char *opt)
{
	if (opt)
		return opt;
	if (getenv("MIGRATE_STORE"))
		return getenv("MIGRATE_STORE");
	return "";
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("migrate %s\n", MIGRATE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (!commands[i].fn) {
			fprintf(stderr, "migrate: command '%s' is not compiled in\n", argv[1]);
			return EXIT_FAILED;
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "migrate: unknown command '%s'\n(see 'migrate --help')\n", argv[1]);
	return EXIT_USAGE;
}
