#!/usr/bin/env bash
# Estate: 12348 公共法律服务 (clean utf8mb4, soft-deleted rows loaded and counted) end to end against the generator's ground truth.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
[[ -n ${MYSQL_UNIX_PORT:-} ]] || skip "no private MariaDB (MYSQL_UNIX_PORT unset)"
export SF12348_DATABASE=legacy_t0208
db=legacy_t0208
trap 'my_query "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

estate_gen sf12348 300
estate_run sf12348
estate_check_counts
estate_check_store sf12348
estate_check_text sf12348 work_order intended.tsv
[[ $(jq '.checks.deleted // 0' "$EXP") -gt 0 ]] || die "no deleted record at this scale"
assert_eq "$(jq '.checks.deleted' "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order
  WHERE source_system = 'sf12348' AND raw->>'is_deleted' = '1'")" "soft-deleted records loaded with their flag"
assert_eq "$(jq '.loaded - .checks.deleted' "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order
  WHERE source_system = 'sf12348' AND raw->>'is_deleted' = '0'")" "the others"
echo ok
