#!/usr/bin/env bash
# Estate: 12363 金融消费权益保护 (a 信创 database reached through ODBC: PostgreSQL
# through psqlODBC, DM8-style schema XFQY and upper-case identifiers; sub-center,
# incremental by the GXSJ watermark) end to end against the generator's ground
# truth, then a second run that reads only the window of changed rows.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
PGW=$(dpkg -L odbc-postgresql 2>/dev/null | grep -m1 '/psqlodbcw.so$' || true)
[[ -n $PGW ]] || skip "psqlODBC missing (package odbc-postgresql; run scripts/setup)"
export RH12363_DATABASE=legacy_t0220
db=legacy_t0220
src() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

estate_gen rh12363 300
# the ODBC configuration of our own (as tests/t0390-odbc-source.sh)
export ODBCSYSINI=$SCRATCH ODBCINI=$SCRATCH/odbc.ini RH12363_DSN=t0220_rh12363
printf '[t0220 PostgreSQL]\nDriver=%s\n' "$PGW" >"$SCRATCH/odbcinst.ini"
printf '[t0220_rh12363]\nDriver=t0220 PostgreSQL\nServername=%s\nPort=%s\nDatabase=%s\nUsername=%s\n' \
  "$PGHOST" "${PGPORT:-5432}" "$db" "${PGUSER:-$(id -un)}" >"$SCRATCH/odbc.ini"

estate_run rh12363
estate_check_counts
estate_check_store rh12363
estate_check_text rh12363 work_order intended.tsv
pb=$TOP/playbooks/rh12363.yaml
t='"XFQY"."TS_GDXX"'
# the schema-qualified, upper-case names were quoted by the driver and read
assert_eq "XFQY.TS_GDXX" "$(jq -r .table "$RUN")" "the table as the playbook names it"
assert_eq "$(jq .rows "$EXP")" "$(jq .stages.source.out "$RUN")" "source recount through ODBC"
# lost order numbers ('') rejected with their bytes; lost times loaded as NULL
assert_eq "$(src "SELECT count(*) FROM $t WHERE \"GDBH\" = ''")" "$(jq '.rejected["transform.missing_legacy_id"] // 0' "$EXP")" \
  "empty order numbers rejected"
assert_eq "$(jq .months.none "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'rh12363'
  AND received_at IS NULL")" "lost received times loaded as NULL"
[[ $(jq .months.none "$EXP") -gt 0 ]] || die "no lost received time at this scale"

# the watermark is the highest GXSJ; then 5 open orders closed at the source
# (GXSJ bumped), 3 new ones, and one old order's reply corrected
w=$(pg_query "SELECT value FROM migration.watermark WHERE source_system = 'rh12363'")
assert_eq "$(src "SELECT max(\"GXSJ\") FROM $t")" "$w" "the watermark is the highest GXSJ"
src "UPDATE $t SET \"CLZT\" = 'BJ', \"BJSJ\" = '$w'::timestamp + interval '1 day', \"GXSJ\" = '$w'::timestamp + interval '1 day'
  WHERE \"ID\" IN (SELECT \"ID\" FROM $t WHERE \"CLZT\" IN ('SL', 'PD', 'BL') AND \"GDBH\" <> ''
  AND \"SLSJ\" > '2019-01-01' AND \"GDBH\" IN (SELECT \"GDBH\" FROM $t GROUP BY 1 HAVING count(*) = 1) ORDER BY \"ID\" LIMIT 5)"
src "UPDATE $t SET \"CLJG\" = '更正：' || coalesce(\"CLJG\", ''), \"GXSJ\" = '$w'::timestamp + interval '1 day'
  WHERE \"ID\" = (SELECT min(\"ID\") FROM $t WHERE \"CLZT\" = 'GD' AND \"GDBH\" <> '' AND \"GDBH\" IN (SELECT \"GDBH\" FROM $t GROUP BY 1 HAVING count(*) = 1))"
max=$(src "SELECT max(\"ID\") FROM $t")
src "INSERT INTO $t (\"ID\", \"GDBH\", \"SLSJ\", \"TSNR\", \"TSLB\", \"LBMC\", \"SQLX\", \"CLZT\", \"GXSJ\") VALUES
  ($max + 1, 'XBNEW1', '2025-07-01 10:00:00', '新增一', 'RH-ZX', '征信', '投诉', 'SL', '$w'::timestamp + interval '2 days'),
  ($max + 2, 'XBNEW2', '2025-07-01 11:00:00', '新增二', 'RH-ZF', '支付结算', '投诉', 'SL', '$w'::timestamp + interval '2 days'),
  ($max + 3, 'XBNEW3', '2025-07-01 12:00:00', '新增三', 'RH-XJ', '拒收现金', '咨询', 'SL', '$w'::timestamp + interval '2 days')"
window=$(src "SELECT count(*) FROM $t WHERE \"GXSJ\" >= '$w'::timestamp - interval '120 seconds'")
[[ $window -ge 9 && $window -lt 60 ]] || die "window of $window rows"
closed=$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'rh12363' AND status = '办结'")
assert_exit 0 "$BUILD/migrate" run "$pb" --json
assert_eq "$window" "$(jq .stages.extract.out "$SCRATCH/out")" "the second run reads the window only"
assert_eq "$window" "$(jq .stages.source.out "$SCRATCH/out")" "the recount covers the same window"
assert_eq true "$(jq .balanced "$SCRATCH/out")" "balanced"
assert_eq 3 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE legacy_id LIKE 'XBNEW%'")" "new rows loaded"
assert_eq "$((closed + 5))" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'rh12363' AND status = '办结'")" \
  "status updates reflected"
assert_eq 1 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'rh12363' AND reply LIKE '更正：%'")" \
  "a corrected reply updated in place"
assert_eq "$(($(jq .loaded "$EXP") + 3))" "$(pg_query "SELECT count(*) FROM hotline.work_order")" "nothing doubled"
w2=$(pg_query "SELECT value FROM migration.watermark WHERE source_system = 'rh12363'")
assert_eq "$(src "SELECT max(\"GXSJ\") FROM $t")" "$w2" "the watermark moved on"
# a third run with nothing changed reads only the overlap
assert_exit 0 "$BUILD/migrate" run "$pb" --json
assert_eq 3 "$(jq .stages.extract.out "$SCRATCH/out")" "nothing new: only the rows at the watermark (overlap)"
assert_eq true "$(jq .balanced "$SCRATCH/out")" "balanced"
echo ok
