#!/usr/bin/env bash
# Estate: 12313 烟草专卖 (MySQL gbk; deletes at the source detected by a full run) end to end against the generator's ground truth.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
[[ -n ${MYSQL_UNIX_PORT:-} ]] || skip "no private MariaDB (MYSQL_UNIX_PORT unset)"
export YC12313_DATABASE=legacy_t0210
db=legacy_t0210
trap 'my_query "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

estate_gen yc12313 300
estate_run yc12313
estate_check_counts
estate_check_store yc12313
estate_check_text yc12313 work_order intended.tsv
gone=$(pg_query "SELECT legacy_id FROM hotline.work_order WHERE source_system = 'yc12313' ORDER BY legacy_id LIMIT 2" | tr '\n' ' ')
read -r g1 g2 <<<"$gone"
my_query "DELETE FROM $db.jb_gd WHERE jbbh IN ('$g1', '$g2')"
assert_exit 3 "$BUILD/migrate" run "$TOP/playbooks/yc12313.yaml"
assert_contains "$(cat "$SCRATCH/out")" "2 records of yc12313 in work_order were not in this full run's source" "deletes at the source reported"
echo ok
