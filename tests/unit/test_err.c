/* tests/unit/test_err.c: struct mg_err keeps the first error, prefixes
 * context and chomps driver diagnostics (migrate/err.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "migrate/err.h"

static void set_records_code_and_message_and_returns_minus_one(void **state)
{
	struct mg_err e = {0};

	(void)state;
	assert_false(mg_err_isset(&e));
	assert_int_equal(mg_err_set(&e, MG_E_CONFIG, "unknown key '%s'", "x"), -1);
	assert_true(mg_err_isset(&e));
	assert_int_equal(e.code, MG_E_CONFIG);
	assert_string_equal(e.msg, "unknown key 'x'");
}

static void first_error_wins(void **state)
{
	struct mg_err e = {0};

	(void)state;
	mg_err_set(&e, MG_E_CONNECT, "cannot connect to '%s'", "db");
	assert_int_equal(mg_err_set(&e, MG_E_INTERNAL, "a later consequence"), -1);
	assert_int_equal(e.code, MG_E_CONNECT);
	assert_string_equal(e.msg, "cannot connect to 'db'");
}

static void clear_allows_a_new_error(void **state)
{
	struct mg_err e = {0};

	(void)state;
	mg_err_set(&e, MG_E_IO, "first");
	mg_err_clear(&e);
	assert_false(mg_err_isset(&e));
	assert_string_equal(e.msg, "");
	mg_err_set(&e, MG_E_LIMIT, "second");
	assert_int_equal(e.code, MG_E_LIMIT);
	assert_string_equal(e.msg, "second");
}

static void code_zero_becomes_internal(void **state)
{
	struct mg_err e = {0};

	(void)state;
	mg_err_set(&e, MG_E_NONE, "no code given");
	assert_true(mg_err_isset(&e));
	assert_int_equal(e.code, MG_E_INTERNAL);
}

static void null_err_is_tolerated(void **state)
{
	(void)state;
	assert_int_equal(mg_err_set(NULL, MG_E_IO, "nobody listens"), -1);
	mg_err_prefix(NULL, "ctx");
}

static void set_chomps_trailing_newline_and_full_stop(void **state)
{
	struct mg_err e = {0};

	(void)state;
	mg_err_set(&e, MG_E_SOURCE, "cannot connect: %s", "Access denied for user 'x'.\n");
	assert_string_equal(e.msg, "cannot connect: Access denied for user 'x'");
	mg_err_clear(&e);
	mg_err_set(&e, MG_E_SOURCE, "server says: %s", "FATAL:  no pg_hba.conf entry\r\n");
	assert_string_equal(e.msg, "server says: FATAL:  no pg_hba.conf entry");
	mg_err_clear(&e);
	/* inner full stops stay */
	mg_err_set(&e, MG_E_SOURCE, "a.b c. d");
	assert_string_equal(e.msg, "a.b c. d");
}

/* Run fn in a child process so that memory corruption fails this test
 * instead of killing the whole test program. */
static int survives(void (*fn)(void))
{
	pid_t pid;
	int st = 0;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		/* cmocka's handlers would resume the test runner in the child */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		alarm(10);
		fn();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void set_multiline_message(void)
{
	struct mg_err e = {0};

	mg_err_set(&e, MG_E_SOURCE, "ERROR:  relation \"x\" does not exist\nLINE 1: select");
	if (strcmp(e.msg, "ERROR:  relation \"x\" does not exist; LINE 1: select"))
		_exit(2);
	mg_err_clear(&e);
	mg_err_set(&e, MG_E_SOURCE, "a\nb");
	if (strcmp(e.msg, "a; b"))
		_exit(3);
	{
		/* a full-size message of short lines must stay inside msg */
		struct {
			struct mg_err e;
			char canary[600];
		} w;
		char big[1100];

		memset(&w, 0, sizeof(w));
		memset(w.canary, 'C', sizeof(w.canary));
		for (size_t i = 0; i + 1 < sizeof(big); i += 2) {
			big[i] = 'a';
			big[i + 1] = '\n';
		}
		big[sizeof(big) - 1] = '\0';
		mg_err_set(&w.e, MG_E_SOURCE, "%s", big);
		for (size_t i = 0; i < sizeof(w.canary); i++)
			if (w.canary[i] != 'C')
				_exit(4);
		if (strlen(w.e.msg) >= sizeof(w.e.msg))
			_exit(5);
	}
}

/* Internal newlines become "; " (err.c one_line): one line per message. */
static void set_joins_internal_newline_lines(void **state)
{
	struct mg_err e = {0};

	(void)state;
	/* libpq style: newline + tab continuation */
	mg_err_set(&e, MG_E_CONNECT, "cannot connect: %s",
		   "could not connect to server: No such file or directory\n\tIs the server running locally?\n");
	assert_string_equal(e.msg, "cannot connect: could not connect to server: No such file or directory; "
			    "Is the server running locally?");
}

/* BUG(err.c one_line): an internal "\n" followed by a non-blank is replaced
 * by the two bytes "; " in place, so the writer overtakes the reader and
 * copies forever: stack smashing / SIGSEGV (e.g. libpq's "ERROR: ...\nLINE 1"). */
static void bug_plain_internal_newline_joins_safely(void **state)
{
	(void)state;
	if (!survives(set_multiline_message))
		fail_msg("BUG: mg_err_set of a message with a plain internal newline crashes or is wrong "
			 "(migrate/err.c one_line writes \"; \" in place over unread bytes)");
}

static void chomp_in_place(void **state)
{
	char a[] = "text.\n", b[] = "\n\n", c[] = "", d[] = "keep", f[] = "x. \r\n";

	(void)state;
	assert_ptr_equal(mg_chomp(a), a);
	assert_string_equal(a, "text");
	assert_string_equal(mg_chomp(b), "");
	assert_string_equal(mg_chomp(c), "");
	assert_string_equal(mg_chomp(d), "keep");
	assert_string_equal(mg_chomp(f), "x");
}

static void long_message_is_truncated_not_overflowed(void **state)
{
	struct mg_err e = {0};
	char big[3000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mg_err_set(&e, MG_E_SOURCE, "%s", big);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
}

/* mg_err_prefix puts context before the message: "context: message".
 * (err.h's comment says "Append"; the name, and its callers such as
 * filesrc_next's mg_err_prefix(e, "%s", file), mean prefix.) */
static void prefix_puts_context_before_message(void **state)
{
	struct mg_err e = {0};

	(void)state;
	mg_err_set(&e, MG_E_SOURCE, "ragged row at line %d", 7);
	mg_err_prefix(&e, "%s", "data/a.csv");
	assert_string_equal(e.msg, "data/a.csv: ragged row at line 7");
	assert_int_equal(e.code, MG_E_SOURCE);
	mg_err_prefix(&e, "table '%s'", "t");
	assert_string_equal(e.msg, "table 't': data/a.csv: ragged row at line 7");
}

static void prefix_without_error_does_nothing(void **state)
{
	struct mg_err e = {0};

	(void)state;
	mg_err_prefix(&e, "context");
	assert_false(mg_err_isset(&e));
	assert_string_equal(e.msg, "");
}

static void prefix_of_long_messages_stays_terminated(void **state)
{
	struct mg_err e = {0};
	char big[2000];

	(void)state;
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mg_err_set(&e, MG_E_SOURCE, "%s", big);
	mg_err_prefix(&e, "ctx");
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	assert_memory_equal(e.msg, "ctx: mmm", 8);
	/* a prefix longer than the message buffer */
	mg_err_clear(&e);
	mg_err_set(&e, MG_E_SOURCE, "short");
	memset(big, 'p', 500);
	big[500] = '\0';
	mg_err_prefix(&e, "%s", big);
	assert_true(strlen(e.msg) < sizeof(e.msg));
	assert_memory_equal(e.msg + 500, ": short", 8);
}

static void copy_keeps_first_error(void **state)
{
	struct mg_err a = {0}, b = {0}, none = {0};

	(void)state;
	mg_err_set(&b, MG_E_STORE, "from the loader");
	mg_err_copy(&a, &none);
	assert_false(mg_err_isset(&a));
	mg_err_copy(&a, &b);
	assert_int_equal(a.code, MG_E_STORE);
	assert_string_equal(a.msg, "from the loader");
	mg_err_clear(&b);
	mg_err_set(&b, MG_E_IO, "later");
	mg_err_copy(&a, &b);
	assert_string_equal(a.msg, "from the loader");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_records_code_and_message_and_returns_minus_one),
		cmocka_unit_test(first_error_wins),
		cmocka_unit_test(clear_allows_a_new_error),
		cmocka_unit_test(code_zero_becomes_internal),
		cmocka_unit_test(null_err_is_tolerated),
		cmocka_unit_test(set_chomps_trailing_newline_and_full_stop),
		cmocka_unit_test(set_joins_internal_newline_lines),
		cmocka_unit_test(bug_plain_internal_newline_joins_safely),
		cmocka_unit_test(chomp_in_place),
		cmocka_unit_test(long_message_is_truncated_not_overflowed),
		cmocka_unit_test(prefix_puts_context_before_message),
		cmocka_unit_test(prefix_without_error_does_nothing),
		cmocka_unit_test(prefix_of_long_messages_stays_terminated),
		cmocka_unit_test(copy_keeps_first_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
