#!/usr/bin/env bash
# Bad input: each a one-line error naming the problem, the documented exit
# code, nothing half-written.
set -euo pipefail
source "$TOP/tests/lib.sh"

export CG12319_DATABASE=legacy_t0102
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 300 --seed 3 --out gen --database "$CG12319_DATABASE" >/dev/null
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
pb="$TOP/playbooks/cg12319.yaml"
trap 'rm -f "$TOP"/playbooks/.t0102-*.yaml' EXIT
# a playbook variant beside the original, so its relative mapping tables resolve
variant() { # NAME SED-EXPRESSION
	local f="$TOP/playbooks/.t0102-$1.yaml"
	sed "$2" "$pb" > "$f"
	echo "$f"
}
one_line_error() { # MESSAGE-PART
	assert_eq 1 "$(wc -l < "$SCRATCH/err")" "exactly one line on stderr: $(cat "$SCRATCH/err")"
	assert_contains "$(cat "$SCRATCH/err")" "$1" "error names the problem"
}
nothing_loaded() {
	assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order")" "nothing loaded"
	assert_eq 0 "$(pg_query "SELECT count(*) FROM migration.reject")" "no reject written"
}

MIGRATE_MYSQL_PASSWORD=wrong-password assert_exit 1 "$BUILD/migrate" run "$pb"
one_line_error "cannot connect to mysql"
assert_contains "$(cat "$SCRATCH/err")" "Access denied" "the server's reason is kept"
if grep -q wrong-password "$SCRATCH/err"; then die "the password appears in the message"; fi
nothing_loaded

MYSQL_UNIX_PORT=/nonexistent/mysql.sock assert_exit 1 "$BUILD/migrate" run "$pb"
one_line_error "cannot connect to mysql '/nonexistent/mysql.sock'"
nothing_loaded

assert_exit 1 "$BUILD/migrate" run "$(variant missing 's/name: gd_jbxx /name: gd_nosuch /')"
one_line_error "table 'gd_nosuch' does not exist"
nothing_loaded

f=$(variant malformed 's/^  code: cg12319/  code: [cg12319/')
assert_exit 1 "$BUILD/migrate" run "$f"
one_line_error "$f:"
assert_contains "$(cat "$SCRATCH/err")" "malformed YAML" "says the YAML is malformed"
assert_exit 1 "$BUILD/migrate" check "$f"
assert_contains "$(cat "$SCRATCH/err")" "$f:" "check names file:line"

f=$(variant encoding 's/encoding: gbk /encoding: gbkk /')
assert_exit 1 "$BUILD/migrate" run "$f"
one_line_error "unknown encoding 'gbkk'; valid: utf-8, gbk"
assert_exit 1 "$BUILD/migrate" check "$f"
line=$(grep -n 'encoding: gbkk' "$f" | cut -d: -f1)
assert_contains "$(cat "$SCRATCH/err")" "$f:$line: unknown encoding 'gbkk'" "check gives file:line"

f=$(variant password 's/^  password_env: MIGRATE_MYSQL_PASSWORD/  password: secret/')
assert_exit 1 "$BUILD/migrate" check "$f"
assert_contains "$(cat "$SCRATCH/err")" "a password must not be written in a playbook" "passwords refused"

f=$(variant cap 's/^    key: id /    max_field_bytes: 100\n    key: id /')
assert_exit 1 "$BUILD/migrate" run "$f"
one_line_error "value too large: column"
assert_contains "$(cat "$SCRATCH/err")" "over max_field_bytes (100)" "names the cap"
nothing_loaded
assert_eq failed "$(pg_query "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1")" "the run is marked failed (and resumable)"

PGHOST=/nonexistent assert_exit 1 "$BUILD/migrate" run "$pb"
one_line_error "cannot connect to the store"

PGDATABASE=postgres assert_exit 1 "$BUILD/migrate" run "$pb"
one_line_error "is not initialised"

assert_exit 2 "$BUILD/migrate" run
assert_exit 2 "$BUILD/migrate" run "$pb" --bogus
assert_exit 2 "$BUILD/migrate" frobnicate
assert_exit 2 "$BUILD/migrate" reconcile abc
assert_exit 1 "$BUILD/migrate" reconcile 999999
one_line_error "run 999999 does not exist"
