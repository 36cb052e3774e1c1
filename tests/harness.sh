#!/usr/bin/env bash
# Runner for the shell integration tests.
#
#   tests/harness.sh [TEST ...]   default: every unit test binary build/tests/test_*
#                                 (cmocka), then every tests/t[0-9][0-9][0-9][0-9]-*.sh
#
# TEST is a path, a file name in tests/ (t0001-foo.sh) or a prefix (t0001, t01).
#
# Starts private servers (scripts/servers) in a fresh temp dir, unless
# MIGRATE_SERVERS_DIR names a dir where they already run; then runs each test
# with bash in its own scratch dir (cwd and $SCRATCH), its output in a log.
# A test passes with exit 0, is skipped with exit 77, fails otherwise (or after
# HARNESS_TIMEOUT seconds, default 900). Closing line: "N passed, N failed"
# plus ", N skipped" when some were. The temp dir is removed when all pass and
# kept (path printed) otherwise.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BUILD=${BUILD:-$TOP/build}
export TOP BUILD
export TZ=UTC LC_ALL=C.UTF-8
# Variables that would send clients elsewhere than the private sockets.
unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGOPTIONS MYSQL_HOST MYSQL_TCP_PORT MYSQL_PWD

timeout_secs=${HARNESS_TIMEOUT:-900}

tests=()
if (($#)); then
  for a in "$@"; do
    if [[ -f $a ]]; then
      tests+=("$(realpath -- "$a")")
    elif [[ -f $TOP/tests/$a ]]; then
      tests+=("$TOP/tests/$a")
    else # a prefix: t0100, t01, t0100-foo
      shopt -s nullglob
      m=("$TOP"/tests/"$a"*.sh)
      shopt -u nullglob
      if ((${#m[@]} == 0)); then
        echo "harness: no such test: $a" >&2
        exit 2
      fi
      tests+=("${m[@]}")
    fi
  done
else
  shopt -s nullglob
  tests=("$BUILD"/tests/test_* "$TOP"/tests/t[0-9][0-9][0-9][0-9]-*.sh)
  shopt -u nullglob
fi
if ((${#tests[@]} == 0)); then
  echo "harness: no tests found" >&2
  exit 2
fi

# Short path under /tmp: unix socket paths are limited to 107 bytes.
work=$(mktemp -d /tmp/hm-tests.XXXXXX)
chmod 0711 "$work" # the server user must reach $work/srv
srvdir=
started=0
status=1

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  ((rc == 0)) || status=1
  if ((started)); then
    "$TOP/scripts/servers" stop "$srvdir" >"$work/servers-stop.log" 2>&1 ||
      echo "# warning: stopping servers failed, see $work/servers-stop.log"
  fi
  if ((status == 0)); then
    rm -rf "$work"
  else
    echo "# kept $work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n ${MIGRATE_SERVERS_DIR:-} ]] && "$TOP/scripts/servers" status "$MIGRATE_SERVERS_DIR" >/dev/null 2>&1; then
  srvdir=$MIGRATE_SERVERS_DIR
  echo "# reusing servers in $srvdir"
else
  srvdir=$work/srv
  started=1
  if ! "$TOP/scripts/servers" start "$srvdir" >"$work/servers-start.log" 2>&1; then
    sed 's/^/# /' "$work/servers-start.log"
    echo "harness: could not start servers" >&2
    exit 1
  fi
  echo "# servers in $srvdir"
fi
eval "$("$TOP/scripts/servers" env "$srvdir")"

mkdir -p "$work/logs" "$work/scratch"
n=0 passed=0 failed=0 skipped=0
for t in "${tests[@]}"; do
  n=$((n + 1))
  name=$(basename "$t" .sh)
  log=$work/logs/$name.log
  scratch=$work/scratch/$name
  mkdir -p "$scratch"
  rc=0
  (
    cd "$scratch"
    export SCRATCH=$scratch TEST_NAME=$name
    if [[ $t == *.sh ]]; then
      exec timeout --kill-after=10 "$timeout_secs" bash "$t"
    fi
    exec timeout --kill-after=10 "$timeout_secs" "$t" # a unit test binary
  ) </dev/null >"$log" 2>&1 || rc=$?
  case $rc in
  0)
    echo "ok $n - $name"
    passed=$((passed + 1))
    ;;
  77)
    reason=$(grep '^SKIP: ' "$log" | tail -n 1 | cut -c7- || true)
    echo "ok $n - $name # SKIP${reason:+ $reason}"
    skipped=$((skipped + 1))
    ;;
  *)
    ((rc == 124)) && echo "# $name: timed out after ${timeout_secs}s" >>"$log"
    echo "not ok $n - $name (exit $rc)"
    tail -n 40 "$log" | sed 's/^/#   /'
    failed=$((failed + 1))
    ;;
  esac
done

if ((skipped)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0)) && status=0
exit "$status"
