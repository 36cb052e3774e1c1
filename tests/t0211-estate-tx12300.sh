#!/usr/bin/env bash
# Estate: 12300 电信用户申诉 (utf8mb4, order numbers exchanged with 12345) end to end against the generator's ground truth.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
[[ -n ${MYSQL_UNIX_PORT:-} ]] || skip "no private MariaDB (MYSQL_UNIX_PORT unset)"
export TX12300_DATABASE=legacy_t0211
db=legacy_t0211
trap 'my_query "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

estate_gen tx12300 300
estate_run tx12300
estate_check_counts
estate_check_store tx12300
estate_check_text tx12300 work_order intended.tsv
n=$(grep -c -- '-01	content	' "$SCRATCH/gen/tx12300/intended.tsv" || true)
[[ $n -gt 0 ]] || die "no sub-order at this scale"
assert_eq "$n" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'tx12300' AND order_no LIKE '%-01'
  AND order_no = legacy_id")" "sub-orders kept as issued"
echo ok
