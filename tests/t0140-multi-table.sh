#!/usr/bin/env bash
# A playbook with several tables: work orders and their flow records
# (流转记录) into work_order and work_order_event, each with its own ledger
# and recounts and the run's total; a crash in the second table resumes
# there with the first table's counts kept.
set -euo pipefail
source "$TOP/tests/lib.sh"

export CG12319_DATABASE=legacy_t0140
db=$CG12319_DATABASE
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 1200 --seed 17 --out gen --database "$db" >/dev/null
# flow records: three per work order (dispatch, reply, closure; GBK bytes), one with an invalid date
my_query "CREATE TABLE $db.gd_lzjl (lsh INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, gdbh VARCHAR(32) NOT NULL,
	czlx VARCHAR(16), czsj DATETIME, czr VARCHAR(40), cldw VARCHAR(128), clyj TEXT) DEFAULT CHARSET=latin1"
my_query "SET SESSION sql_mode = 'ALLOW_INVALID_DATES';
	INSERT INTO $db.gd_lzjl (gdbh, czlx, czsj, czr, cldw, clyj)
	SELECT gdbh, x.t, DATE_ADD(gxsj, INTERVAL x.h HOUR), 'A01', X'cad0b3c7b9dcbed6', x.c
	FROM (SELECT DISTINCT gdbh, gxsj FROM $db.gd_jbxx) o
	CROSS JOIN (SELECT 'PD' t, 1 h, X'c5c9b5a5' c UNION ALL SELECT 'HF', 24, X'd2d1bbd8b8b4'
	            UNION ALL SELECT 'BJ', 48, X'b0ecbde1') x
	ORDER BY gdbh, x.h;
	UPDATE $db.gd_lzjl SET czsj = '2021-02-30 10:00:00' WHERE lsh = 5"
events=$(my_query "SELECT COUNT(*) FROM $db.gd_lzjl")
pb=$TOP/playbooks/.t0140.yaml
trap 'rm -f "$pb"' EXIT
cp "$TOP/playbooks/cg12319.yaml" "$pb"
cat >> "$pb" <<'EOT'
  - name: gd_lzjl                 # 流转记录 (flow records)
    target: work_order_event
    key: lsh
    encoding: gbk
    fields:
      legacy_id: lsh
      order_legacy_id: gdbh
      event_type: czlx
      event_at: {column: czsj, type: datetime}
      actor: czr
      unit: cldw
      comment: clyj
EOT
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" check "$pb"

# crash in the second table (the first table takes two commits)
MIGRATE_TEST_CRASH_AFTER_COMMITS=3 "$BUILD/migrate" run "$pb" --quiet --batch-rows 500 --commit-rows 1000 >/dev/null 2>&1 &&
	die "crash hook did not fire" || true
assert_eq "$(jq .loaded gen/expected.json)" "$(pg_query "SELECT count(*) FROM hotline.work_order")" "work orders done before the crash"
n=$(pg_query "SELECT count(*) FROM hotline.work_order_event")
[ "$n" -gt 0 ] && [ "$n" -lt "$events" ] || die "expected a partly loaded event table, found $n of $events"

assert_exit 0 "$BUILD/migrate" run "$pb" --json --batch-rows 500 --commit-rows 1000
j=$SCRATCH/out
assert_eq true "$(jq .resumed "$j")" "resumed"
assert_eq 2 "$(jq '.tables | length' "$j")" "two tables reported"
assert_eq "gd_jbxx work_order gd_lzjl work_order_event" "$(jq -r '[.tables[] | .table, .target] | join(" ")' "$j")" "tables and targets"
assert_eq "$(jq .loaded gen/expected.json)" "$(jq '.tables[0].stages.target.out' "$j")" "work orders: target"
assert_eq "$events" "$(jq '.tables[1].stages.source.out' "$j")" "events: source recount"
assert_eq "$((events - 1))" "$(jq '.tables[1].stages.target.out' "$j")" "events: all but the one with an invalid date"
assert_eq "$((events - 1))" "$(pg_query "SELECT count(*) FROM hotline.work_order_event")" "no event lost or doubled"
assert_eq "$(( $(jq .rows gen/expected.json) + events ))" "$(jq .stages.source.out "$j")" "the run total adds the tables"
assert_eq true "$(jq .balanced "$j")" "balanced"
assert_eq 1 "$(pg_query "SELECT count(*) FROM migration.reject WHERE source_table = '$db.gd_lzjl' AND reason = 'invalid_date'")" "the bad event rejected"
assert_eq 派单 "$(pg_query "SELECT comment FROM hotline.work_order_event WHERE event_type = 'PD' LIMIT 1")" "GBK decoded"
assert_eq 12 "$(pg_query "SELECT count(*) FROM migration.stage_ledger WHERE run_id = $(jq .run "$j")")" "a stage ledger per table"
