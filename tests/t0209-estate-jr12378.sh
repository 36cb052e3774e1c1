#!/usr/bin/env bash
# Estate: 12378 银行保险 (utf8mb4, incremental by gxsj) end to end against the generator's ground truth.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
[[ -n ${MYSQL_UNIX_PORT:-} ]] || skip "no private MariaDB (MYSQL_UNIX_PORT unset)"
export JR12378_DATABASE=legacy_t0209
db=legacy_t0209
trap 'my_query "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

estate_gen jr12378 300
estate_run jr12378
estate_check_counts
estate_check_store jr12378
estate_check_text jr12378 work_order intended.tsv
pb=$TOP/playbooks/jr12378.yaml
w=$(pg_query "SELECT value FROM migration.watermark WHERE source_system = 'jr12378'")
assert_eq "$(my_query "SELECT MAX(gxsj) FROM $db.xbts_gd")" "$w" "the watermark is the highest gxsj"
# 5 orders closed at the source (status 50, gxsj bumped), 3 new ones
my_query "UPDATE $db.xbts_gd SET clzt = '50', gxsj = DATE_ADD('$w', INTERVAL 1 DAY) WHERE id IN (SELECT id FROM
  (SELECT x.id FROM $db.xbts_gd x WHERE clzt IN ('10','20','30') AND tssj > '2019-01-01' ORDER BY x.id LIMIT 5) y)"
max=$(my_query "SELECT MAX(id) FROM $db.xbts_gd")
my_query "INSERT INTO $db.xbts_gd (id, tsbh, tssj, tsnr, tslb, clzt, gxsj) VALUES
  ($max + 1, 'JRNEW1', '2025-07-01 10:00:00', 'x', 'JR01', '10', DATE_ADD('$w', INTERVAL 2 DAY)),
  ($max + 2, 'JRNEW2', '2025-07-01 11:00:00', 'y', 'JR01', '10', DATE_ADD('$w', INTERVAL 2 DAY)),
  ($max + 3, 'JRNEW3', '2025-07-01 12:00:00', 'z', 'JR01', '10', DATE_ADD('$w', INTERVAL 2 DAY))"
window=$(my_query "SELECT COUNT(*) FROM $db.xbts_gd WHERE gxsj >= DATE_SUB('$w', INTERVAL 60 SECOND)")
[[ $window -ge 8 && $window -lt 60 ]] || die "window of $window rows"
closed=$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'jr12378' AND status = '办结'")
assert_exit 0 "$BUILD/migrate" run "$pb" --json
assert_eq "$window" "$(jq .stages.extract.out "$SCRATCH/out")" "the second run reads the window only"
assert_eq true "$(jq .balanced "$SCRATCH/out")" "balanced"
assert_eq 3 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE legacy_id LIKE 'JRNEW%'")" "new rows loaded"
assert_eq "$((closed + 5))" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'jr12378' AND status = '办结'")" "status updates reflected"
assert_eq "$(($(jq .loaded "$EXP") + 3))" "$(pg_query "SELECT count(*) FROM hotline.work_order")" "nothing doubled"
echo ok
