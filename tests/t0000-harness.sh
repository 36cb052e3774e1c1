#!/usr/bin/env bash
# Self-test of the harness: both servers answer, the helpers behave.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

assert_eq 1 "$(pg_query 'SELECT 1')" "postgresql answers"
assert_eq 1 "$(my_query 'SELECT 1')" "mariadb answers"

# The toolkit's MariaDB account works with the credentials from the environment.
assert_eq "$MIGRATE_MYSQL_USER@localhost" \
  "$(mariadb --no-defaults --socket="$MYSQL_UNIX_PORT" --user="$MIGRATE_MYSQL_USER" \
    --password="$MIGRATE_MYSQL_PASSWORD" -N -B -e 'SELECT CURRENT_USER()')" "migrate user"

# assert_eq must fail (in a subshell) on unequal values, and say why.
if (assert_eq expected actual "deliberate mismatch") 2>"$SCRATCH/assert.err"; then
  die "assert_eq accepted unequal values"
fi
assert_contains "$(cat "$SCRATCH/assert.err")" "deliberate mismatch" "assert_eq message"

assert_exit 3 bash -c 'echo to-out; echo to-err >&2; exit 3'
assert_eq to-out "$(cat "$SCRATCH/out")" "assert_exit stdout"
assert_eq to-err "$(cat "$SCRATCH/err")" "assert_exit stderr"

fresh_store
assert_eq hotline_t0000_harness "$PGDATABASE" "fresh_store name"
assert_eq hotline_t0000_harness "$(pg_query 'SELECT current_database()')" "fresh_store db"
pg_query 'CREATE TABLE t (x int)'
fresh_store
assert_eq 0 "$(pg_query "SELECT count(*) FROM pg_tables WHERE tablename = 't'")" "fresh_store is empty"
