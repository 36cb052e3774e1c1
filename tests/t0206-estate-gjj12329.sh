#!/usr/bin/env bash
# Estate: 12329 公积金 (MySQL utf8, part double-encoded through latin1) end to end against the generator's ground truth.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
[[ -n ${MYSQL_UNIX_PORT:-} ]] || skip "no private MariaDB (MYSQL_UNIX_PORT unset)"
export GJJ12329_DATABASE=legacy_t0206
db=legacy_t0206
trap 'my_query "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

estate_gen gjj12329 300
estate_run gjj12329
estate_check_counts
estate_check_store gjj12329
estate_check_text gjj12329 work_order intended.tsv
# mojibake at the source, repaired in the store, each repair recorded
[[ $(jq '.fixes.utf8_as_latin1 // 0' "$EXP") -gt 0 ]] || die "no double-encoded row at this scale"
[[ $(my_query "SELECT COUNT(*) FROM $db.gjj_gd WHERE nr LIKE CONCAT('%', 0xC3A5, '%')") -gt 0 ]] || die "no mojibake in the source"
[[ $(pg_query "SELECT count(*) FROM migration.repair") -gt 0 ]] || die "no repair recorded"
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'gjj12329' AND content LIKE '%å%'")" "no mojibake in the store"
[[ $(jq '.rejected["decode.unrepairable"] // 0' "$EXP") -gt 0 ]] || die "no unrepairable value at this scale"
echo ok
