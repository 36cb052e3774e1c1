# shellcheck shell=bash
# Helpers for shell integration tests; source it first thing:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# tests/harness.sh sets SCRATCH (this test's own empty directory, also the
# cwd), TOP (project root), BUILD ($TOP/build), TEST_NAME (t0001-foo) and the
# server environment of `scripts/servers env`. Run by hand, export the server
# environment first: eval "$(scripts/servers env DIR)".
#
# A test passes by exiting 0, fails with any other status, and is skipped by
# exiting 77 (use `skip REASON`).

set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)}
BUILD=${BUILD:-$TOP/build}
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
if [[ -z ${SCRATCH:-} ]]; then
  SCRATCH=$(mktemp -d "/tmp/hm-$TEST_NAME.XXXXXX")
  echo "# SCRATCH=$SCRATCH" >&2
fi
export TOP BUILD TEST_NAME SCRATCH

# die MSG...: fail the test now.
die() {
  echo "FAIL: $*" >&2
  local i
  for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
    [[ ${BASH_SOURCE[i]} == "${BASH_SOURCE[0]}" ]] && continue
    echo "  at ${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]}" >&2
    break
  done
  exit 1
}

# skip REASON: mark this test skipped (exit 77).
skip() {
  echo "SKIP: $*" >&2
  exit 77
}

# assert_eq EXPECTED ACTUAL MSG
assert_eq() {
  [[ $1 == "$2" ]] && return 0
  die "${3:-assert_eq}: expected [$1], got [$2]"
}

# assert_contains HAYSTACK NEEDLE MSG
assert_contains() {
  [[ $1 == *"$2"* ]] && return 0
  die "${3:-assert_contains}: [$2] not found in [$1]"
}

# assert_exit CODE CMD [ARGS...]: run CMD with stdout in $SCRATCH/out and
# stderr in $SCRATCH/err; fail unless it exits with CODE.
assert_exit() {
  local want=$1 rc=0
  shift
  "$@" >"$SCRATCH/out" 2>"$SCRATCH/err" </dev/null || rc=$?
  ((rc == want)) && return 0
  {
    echo "---- stdout (tail) ----"
    tail -n 20 "$SCRATCH/out"
    echo "---- stderr (tail) ----"
    tail -n 20 "$SCRATCH/err"
  } >&2
  die "assert_exit: expected exit $want, got $rc from: $*"
}

# pg_query [SQL]: run SQL (or stdin) in $PGDATABASE, print unaligned tuples.
pg_query() {
  if (($#)); then
    psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "$1"
  else
    psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$PGDATABASE" -f -
  fi
}

# my_query [SQL]: run SQL (or stdin) in MariaDB as root over the private
# socket, batch mode without column names. --no-defaults matters: Debian's
# /etc/mysql/mariadb.cnf would override MYSQL_UNIX_PORT with the system socket.
my_query() {
  if (($#)); then
    mariadb --no-defaults --socket="$MYSQL_UNIX_PORT" --user=root -N -B -e "$1"
  else
    mariadb --no-defaults --socket="$MYSQL_UNIX_PORT" --user=root -N -B
  fi
}

# fresh_store [SUFFIX]: (re)create an empty PostgreSQL database for this test,
# hotline_<test name>[_SUFFIX], and export PGDATABASE to it.
# shellcheck disable=SC2120 # SUFFIX is optional
fresh_store() {
  local db
  db=hotline_$TEST_NAME${1:+_$1}
  db=$(printf '%s' "$db" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9_' '_')
  db=${db:0:63}
  psql -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
    -c "CREATE DATABASE \"$db\" TEMPLATE template0 ENCODING 'UTF8'" >/dev/null
  export PGDATABASE=$db
}
