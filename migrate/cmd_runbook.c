/* migrate runbook RUNBOOK: the cutover of many systems.
 *
 * The runbook (YAML) lists steps in order; the systems of a step run
 * several at once, each as its own `migrate run` process (one system's
 * failure or crash cannot disturb another, and each run is resumable on its
 * own). A live display shows each system's progress on a terminal; at the
 * end a consolidated reconciliation lists every system and the city's
 * totals. Exit 0 if every system balanced, 3 if one finished out of
 * balance, 1 if one failed.
 *
 *   name: 嘉峪关市 12345 热线整合
 *   parallel: 3
 *   steps:
 *     - name: merge
 *       systems: [cg12319.yaml, ...]      # playbooks, relative to the runbook
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "loaders/pgstore.h"
#include "migrate/builtin.h"
#include "migrate/buf.h"
#include "migrate/cityreport.h"
#include "migrate/playbook.h"

#define MAX_SYSTEMS 64

int crosscheck_run(struct pgstore *s, unsigned window, int json, FILE *out, struct mg_err *e);

struct sys {
	char *playbook;         /* path */
	char step[64];
	pid_t pid;
	int out_fd, prog_fd;
	struct mg_buf out;      /* the child's JSON */
	char progress[128];
	int status;             /* exit code; -1 while running / not started */
	int done, started;
	double t0, secs;
	char log[2400];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read the runbook with the playbook machinery's YAML loader. */
static int load(const char *path, struct sys *sys, int *n, unsigned *parallel, char *name, size_t nn)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t p;
	yaml_document_t d;
	yaml_node_t *root, *steps;
	char dir[512], *slash;
	int ok = 0;

	if (!f) {
		fprintf(stderr, "migrate: error: cannot open runbook '%s': %s\n", path, strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	if (!yaml_parser_load(&p, &d)) {
		fprintf(stderr, "migrate: error: %s:%zu: malformed YAML: %s\n", path, p.problem_mark.line + 1,
			p.problem ? p.problem : "syntax error");
		yaml_parser_delete(&p);
		fclose(f);
		return -1;
	}
	root = yaml_document_get_root_node(&d);
	*n = 0;
	name[0] = '\0';
	for (yaml_node_pair_t *kv = root && root->type == YAML_MAPPING_NODE ? root->data.mapping.pairs.start : NULL;
	     kv && kv < root->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = yaml_document_get_node(&d, kv->key), *v = yaml_document_get_node(&d, kv->value);
		const char *key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";

		if (!strcmp(key, "name") && v->type == YAML_SCALAR_NODE)
			snprintf(name, nn, "%s", (const char *)v->data.scalar.value);
		else if (!strcmp(key, "parallel") && v->type == YAML_SCALAR_NODE)
			*parallel = (unsigned)atoi((const char *)v->data.scalar.value);
		else if (!strcmp(key, "steps") && v->type == YAML_SEQUENCE_NODE) {
			steps = v;
			ok = 1;
			for (yaml_node_item_t *it = steps->data.sequence.items.start; it < steps->data.sequence.items.top; it++) {
				yaml_node_t *step = yaml_document_get_node(&d, *it), *systems = NULL;
				const char *sname = "";

				for (yaml_node_pair_t *q = step->type == YAML_MAPPING_NODE ? step->data.mapping.pairs.start : NULL;
				     q && q < step->data.mapping.pairs.top; q++) {
					yaml_node_t *qk = yaml_document_get_node(&d, q->key), *qv = yaml_document_get_node(&d, q->value);

					if (qk->type != YAML_SCALAR_NODE)
						continue;
					if (!strcmp((const char *)qk->data.scalar.value, "name") && qv->type == YAML_SCALAR_NODE)
						sname = (const char *)qv->data.scalar.value;
					else if (!strcmp((const char *)qk->data.scalar.value, "systems"))
						systems = qv;
				}
				if (!systems || systems->type != YAML_SEQUENCE_NODE) {
					fprintf(stderr, "migrate: error: %s:%zu: a step needs 'systems': a list of playbooks\n",
						path, step->start_mark.line + 1);
					ok = 0;
					break;
				}
				for (yaml_node_item_t *s = systems->data.sequence.items.start; s < systems->data.sequence.items.top; s++) {
					yaml_node_t *pbn = yaml_document_get_node(&d, *s);
					char full[1200];

					if (pbn->type != YAML_SCALAR_NODE || *n >= MAX_SYSTEMS) {
						fprintf(stderr, "migrate: error: %s:%zu: a system is a playbook path (at most %d)\n",
							path, pbn->start_mark.line + 1, MAX_SYSTEMS);
						ok = 0;
						break;
					}
					snprintf(full, sizeof(full), "%s%s%s", pbn->data.scalar.value[0] == '/' ? "" : dir,
						 pbn->data.scalar.value[0] == '/' ? "" : "/", (const char *)pbn->data.scalar.value);
					sys[*n].playbook = strdup(full);
					snprintf(sys[*n].step, sizeof(sys[*n].step), "%s", sname);
					(*n)++;
				}
			}
		}
	}
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
	fclose(f);
	if (!ok || !*n) {
		fprintf(stderr, "migrate: error: %s: a runbook needs 'steps', each with 'systems'\n", path);
		return -1;
	}
	return 0;
}

static int start(struct sys *s, const char *self, const char *store, const char *report_dir, const char *key,
		 const char *logdir)
{
	int out[2], prog[2];
	pid_t pid;
	const char *base = strrchr(s->playbook, '/') ? strrchr(s->playbook, '/') + 1 : s->playbook;

	if (pipe(out) || pipe(prog))
		return -1;
	snprintf(s->log, sizeof(s->log), "%s/%s.log", logdir, base);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char fdarg[16], rdir[1200];
		const char *argv[16];
		int a = 0, log = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(out[1], 1);
		if (log >= 0)
			dup2(log, 2);
		close(out[0]);
		close(prog[0]);
		snprintf(fdarg, sizeof(fdarg), "%d", prog[1]);
		argv[a++] = self;
		argv[a++] = "run";
		argv[a++] = s->playbook;
		argv[a++] = "--json";
		argv[a++] = "--progress-fd";
		argv[a++] = fdarg;
		if (store) {
			argv[a++] = "--store";
			argv[a++] = store;
		}
		if (report_dir) {
			char st[256];

			cityreport_stem(s->playbook, st, sizeof(st)); /* REPORT_DIR/<playbook>/ */
			snprintf(rdir, sizeof(rdir), "%s/%s", report_dir, st);
			argv[a++] = "--report-dir";
			argv[a++] = rdir;
			if (key) {
				argv[a++] = "--sign-key";
				argv[a++] = key;
			}
		}
		argv[a] = NULL;
		execv(self, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(prog[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(prog[0], F_SETFL, O_NONBLOCK);
	s->pid = pid;
	s->out_fd = out[0];
	s->prog_fd = prog[0];
	s->started = 1;
	s->t0 = now();
	snprintf(s->progress, sizeof(s->progress), "starting");
	return 0;
}

static void drain(struct sys *s)
{
	char tmp[4096];
	ssize_t r;
	struct mg_err e = {0};

	while (s->out_fd >= 0 && (r = read(s->out_fd, tmp, sizeof(tmp))) > 0)
		buf_add(&s->out, tmp, (size_t)r, &e);
	while (s->prog_fd >= 0 && (r = read(s->prog_fd, tmp, sizeof(tmp) - 1)) > 0) {
		char *last, *nl;

		tmp[r] = '\0';
		/* keep the last complete line */
		tmp[r - (tmp[r - 1] == '\n')] = '\0';
		last = (nl = strrchr(tmp, '\n')) ? nl + 1 : tmp;
		{
			char table[100];
			unsigned long long rows;
			double secs;

			if (sscanf(last, "%99s %llu %lf", table, &rows, &secs) == 3)
				snprintf(s->progress, sizeof(s->progress), "%s: %llu rows, %.0f rows/s", table, rows,
					 secs > 0 ? (double)rows / secs : 0.0);
		}
	}
}

static void display(struct sys *sys, int n, int tty, int *lines)
{
	if (!tty)
		return;
	if (*lines)
		fprintf(stderr, "\033[%dA", *lines);
	for (int i = 0; i < n; i++) {
		const char *base = strrchr(sys[i].playbook, '/') ? strrchr(sys[i].playbook, '/') + 1 : sys[i].playbook;
		const char *st = !sys[i].started ? "waiting" : !sys[i].done ? "running"
				 : sys[i].status == 0 ? "balanced" : sys[i].status == 3 ? "OUT OF BALANCE" : "FAILED";

		fprintf(stderr, "\033[2K%-28s %-15s %s\n", base, st, sys[i].started ? sys[i].progress : "");
	}
	*lines = n;
	fflush(stderr);
}

static unsigned long long jnum(json_t *root, const char *stage, const char *field)
{
	json_t *v = json_object_get(json_object_get(json_object_get(root, "stages"), stage), field);

	return json_is_integer(v) ? (unsigned long long)json_integer_value(v) : 0;
}

int cmd_runbook(int argc, char **argv)
{
	const char *path = NULL, *store = NULL, *report_dir = NULL, *key = NULL;
	struct sys sys[MAX_SYSTEMS];
	char name[200], self[1024], logdir[1100];
	unsigned parallel = 2, par_opt = 0;
	int n = 0, json = 0, tty = isatty(2), lines = 0, worst = EXIT_OK;
	ssize_t sl;
	json_t *all = json_array();
	unsigned long long tot[6] = {0};

	memset(sys, 0, sizeof(sys));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--parallel") && i + 1 < argc)
			par_opt = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--report-dir") && i + 1 < argc)
			report_dir = argv[++i];
		else if (!strcmp(argv[i], "--sign-key") && i + 1 < argc)
			key = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] == '-' || path) {
			json_decref(all);
			return usage_error("runbook", "unexpected argument '%s'", argv[i]);
		} else
			path = argv[i];
	}
	if (!path) {
		json_decref(all);
		return usage_error("runbook", "name a runbook");
	}
	if (load(path, sys, &n, &parallel, name, sizeof(name))) {
		json_decref(all);
		for (int i = 0; i < n; i++)
			free(sys[i].playbook);
		return EXIT_FAILED;
	}
	if (par_opt)
		parallel = par_opt;
	if (parallel < 1)
		parallel = 1;
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0)
		snprintf(self, sizeof(self), "%s", "migrate");
	else
		self[sl] = '\0';
	snprintf(logdir, sizeof(logdir), "%s", report_dir ? report_dir : "/tmp");
	if (report_dir && mkdir(report_dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "migrate: error: cannot create '%s': %s\n", report_dir, strerror(errno));
		json_decref(all);
		return EXIT_FAILED;
	}
	if (!report_dir) {
		snprintf(logdir, sizeof(logdir), "/tmp/migrate-runbook.%d", (int)getpid());
		mkdir(logdir, 0700);
	}
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < n; i++) {
		buf_init(&sys[i].out, 1u << 24, "run output");
		sys[i].status = -1;
		sys[i].out_fd = sys[i].prog_fd = -1;
	}
	if (!json)
		fprintf(stderr, "runbook %s: %d systems, %u at a time\n", name[0] ? name : path, n, parallel);
	/* steps in order; within a step, up to `parallel` systems at once */
	for (int first = 0; first < n;) {
		int last = first;

		while (last < n && !strcmp(sys[last].step, sys[first].step))
			last++;
		for (;;) {
			int running = 0, pending = 0;
			struct pollfd pf[2 * MAX_SYSTEMS];
			int np = 0;

			for (int i = first; i < last; i++) {
				running += sys[i].started && !sys[i].done;
				pending += !sys[i].started;
			}
			for (int i = first; i < last && running < (int)parallel; i++)
				if (!sys[i].started) {
					if (start(&sys[i], self, store, report_dir, key, logdir)) {
						sys[i].started = sys[i].done = 1;
						sys[i].status = EXIT_FAILED;
						continue;
					}
					running++;
					pending--;
				}
			if (!running && !pending)
				break;
			for (int i = first; i < last; i++)
				if (sys[i].started && !sys[i].done) {
					pf[np].fd = sys[i].out_fd;
					pf[np++].events = POLLIN;
					pf[np].fd = sys[i].prog_fd;
					pf[np++].events = POLLIN;
				}
			poll(pf, (nfds_t)np, 500);
			for (int i = first; i < last; i++) {
				int st;

				if (!sys[i].started || sys[i].done)
					continue;
				drain(&sys[i]);
				if (waitpid(sys[i].pid, &st, WNOHANG) == sys[i].pid) {
					drain(&sys[i]);
					close(sys[i].out_fd);
					close(sys[i].prog_fd);
					sys[i].out_fd = sys[i].prog_fd = -1;
					sys[i].done = 1;
					sys[i].secs = now() - sys[i].t0;
					sys[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_FAILED;
					if (!tty && !json)
						fprintf(stderr, "%s: exit %d in %.1f s\n", sys[i].playbook, sys[i].status, sys[i].secs);
				}
			}
			display(sys, n, tty && !json, &lines);
		}
		first = last;
	}
	/* the consolidated reconciliation */
	if (!json)
		printf("%-12s %-10s %10s %10s %10s %9s %9s %10s  %s\n", "system", "step", "source", "extracted", "loaded",
		       "rejected", "merged", "target", "result");
	for (int i = 0; i < n; i++) {
		json_error_t je;
		json_t *r = sys[i].out.len ? json_loadb((const char *)sys[i].out.ptr, sys[i].out.len, 0, &je) : NULL;
		const char *res = sys[i].status == 0 ? "balanced" : sys[i].status == 3 ? "OUT OF BALANCE" : "FAILED";
		const char *code = r ? json_string_value(json_object_get(r, "system")) : NULL;
		unsigned long long v[6];
		json_t *o = json_object();

		/* file sources have no independent recount: what was read is their source */
		v[0] = r ? (json_object_get(json_object_get(r, "stages"), "source") ? jnum(r, "source", "out")
									      : jnum(r, "extract", "in")) : 0;
		v[1] = r ? jnum(r, "extract", "out") : 0;
		v[2] = r ? jnum(r, "load", "out") : 0;
		v[3] = r ? jnum(r, "decode", "rejected") + jnum(r, "transform", "rejected") + jnum(r, "extract", "rejected") +
			   jnum(r, "load", "rejected") : 0;
		v[4] = r ? jnum(r, "load", "merged") : 0;
		v[5] = r ? jnum(r, "target", "out") : 0;
		for (int k = 0; k < 6; k++)
			tot[k] += v[k];
		if (!json)
			printf("%-12s %-10s %10llu %10llu %10llu %9llu %9llu %10llu  %s%s%s\n", code ? code : "?",
			       sys[i].step, v[0], v[1], v[2], v[3], v[4], v[5], res,
			       sys[i].status && sys[i].status != 3 ? ": see " : "", sys[i].status && sys[i].status != 3 ? sys[i].log : "");
		json_object_set_new(o, "playbook", json_string(sys[i].playbook));
		json_object_set_new(o, "step", json_string(sys[i].step));
		json_object_set_new(o, "exit", json_integer(sys[i].status));
		json_object_set_new(o, "seconds", json_real(sys[i].secs));
		json_object_set_new(o, "log", json_string(sys[i].log));
		json_object_set_new(o, "run", r ? r : json_null());
		json_array_append_new(all, o);
		if (sys[i].status == EXIT_FAILED || (sys[i].status != 0 && sys[i].status != 3))
			worst = EXIT_FAILED;
		else if (sys[i].status == 3 && worst == EXIT_OK)
			worst = EXIT_UNBALANCED;
	}
	{
		json_t *root = json_object(), *t = json_object();
		char *s;

		json_object_set_new(t, "source", json_integer((json_int_t)tot[0]));
		json_object_set_new(t, "extracted", json_integer((json_int_t)tot[1]));
		json_object_set_new(t, "loaded", json_integer((json_int_t)tot[2]));
		json_object_set_new(t, "rejected", json_integer((json_int_t)tot[3]));
		json_object_set_new(t, "merged", json_integer((json_int_t)tot[4]));
		json_object_set_new(t, "target", json_integer((json_int_t)tot[5]));
		json_object_set_new(root, "runbook", json_string(name[0] ? name : path));
		json_object_set_new(root, "systems", all);
		json_object_set_new(root, "totals", t);
		json_object_set_new(root, "balanced", json_boolean(worst == EXIT_OK));
		json_object_set_new(root, "exit", json_integer(worst));
		if (report_dir) {
			struct mg_err ce = {0};
			struct pgstore st;
			long long cross = -1;

			/* records present in two systems (migrate crosscheck's table,
			 * filled here first; the text output lists them below) */
			if (pgstore_connect(&st, store_conninfo(store), &ce) == 0) {
				PGresult *r;
				FILE *devnull = fopen("/dev/null", "w");

				if (devnull) {
					if (crosscheck_run(&st, 30, 1, devnull, &ce) < 0)
						mg_err_clear(&ce);
					fclose(devnull);
				}

				if (pgstore_exec(&st, "SELECT count(*) FROM migration.cross_duplicate", 0, NULL, &r, &ce) == 0) {
					cross = atoll(PQgetvalue(r, 0, 0));
					PQclear(r);
				}
				pgstore_close(&st);
			}
			if (cross >= 0)
				json_object_set_new(root, "cross_system_duplicates", json_integer(cross));
			if (cityreport_write(report_dir, root, &ce)) {
				fprintf(stderr, "migrate: error: %s\n", ce.msg);
				worst = EXIT_FAILED;
			}
		}
		if (json) {
			s = json_dumps(root, JSON_INDENT(2));
			printf("%s\n", s ? s : "{}");
			free(s);
		}
		json_decref(root);
	}
	if (!json) {
		printf("%-12s %-10s %10llu %10llu %10llu %9llu %9llu %10llu  %s\n", "city total", "", tot[0], tot[1], tot[2],
		       tot[3], tot[4], tot[5], worst == EXIT_OK ? "balanced" : worst == 3 ? "OUT OF BALANCE" : "FAILED");
		/* records present in two systems: listed, never merged */
		{
			struct pgstore st;
			struct mg_err ce = {0};

			if (pgstore_connect(&st, store_conninfo(store), &ce) == 0) {
				if (crosscheck_run(&st, 30, 0, stdout, &ce) < 0)
					fprintf(stderr, "migrate: warning: crosscheck: %s\n", ce.msg);
				pgstore_close(&st);
			}
		}
	}
	for (int i = 0; i < n; i++) {
		free(sys[i].playbook);
		buf_release(&sys[i].out);
	}
	return worst;
}
