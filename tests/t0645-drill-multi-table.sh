#!/usr/bin/env bash
# Reconcile and drill-down of a run of several tables (work orders into
# work_order, flow records into work_order_event, both keyed by integers
# over overlapping ranges): each table is recounted against its own ledger
# and drilled against its own target, rejects and merged records; a
# difference is named with its table.
set -euo pipefail
source "$TOP/tests/lib.sh"

export CG12319_DATABASE=legacy_t0645
db=$CG12319_DATABASE
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 1200 --seed 45 --out gen --database "$db" >/dev/null
my_query "CREATE TABLE $db.gd_lzjl (lsh INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, gdbh VARCHAR(32) NOT NULL,
	czlx VARCHAR(16), czsj DATETIME, czr VARCHAR(40), cldw VARCHAR(128), clyj TEXT) DEFAULT CHARSET=latin1"
my_query "SET SESSION sql_mode = 'ALLOW_INVALID_DATES';
	INSERT INTO $db.gd_lzjl (gdbh, czlx, czsj, czr, cldw, clyj)
	SELECT gdbh, x.t, DATE_ADD(gxsj, INTERVAL x.h HOUR), 'A01', X'cad0b3c7b9dcbed6', x.c
	FROM (SELECT DISTINCT gdbh, gxsj FROM $db.gd_jbxx) o
	CROSS JOIN (SELECT 'PD' t, 1 h, X'c5c9b5a5' c UNION ALL SELECT 'HF', 24, X'd2d1bbd8b8b4'
	            UNION ALL SELECT 'BJ', 48, X'b0ecbde1') x
	ORDER BY gdbh, x.h;
	UPDATE $db.gd_lzjl SET czsj = '2021-02-30 10:00:00' WHERE lsh IN (5, 700)"
pb=$TOP/playbooks/.t0645.yaml
trap 'rm -f "$pb"' EXIT
cp "$TOP/playbooks/cg12319.yaml" "$pb"
cat >>"$pb" <<'EOT'
  - name: gd_lzjl
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
assert_exit 0 "$BUILD/migrate" run "$pb" --json
cp "$SCRATCH/out" run.json
run=$(jq .run run.json)

# reconcile recounts each table against its own ledger
assert_exit 0 "$BUILD/migrate" reconcile "$run" --json
assert_eq true "$(jq .balanced "$SCRATCH/out")" "balanced"
assert_eq 2 "$(jq '.tables | length' "$SCRATCH/out")" "two tables"
assert_eq "$(jq '.tables[1].stages.source.out' run.json)" "$(jq '.tables[1].stages.source.out' "$SCRATCH/out")" "events: the same source recount"
assert_eq "$(jq '.stages.target.out' run.json)" "$(jq '.stages.target.out' "$SCRATCH/out")" "the run's total target"
assert_exit 0 "$BUILD/migrate" reconcile "$run" --drill
assert_eq 2 "$(grep -c '^drill-down: 0 found' "$SCRATCH/out")" "nothing found in either table"

# one difference in each table, and a reject of the second whose source row went
ev=$(pg_query "SELECT convert_from(legacy_key, 'UTF8') FROM hotline.work_order_event WHERE run_id = $run
  ORDER BY convert_from(legacy_key, 'UTF8')::bigint OFFSET 300 LIMIT 1")
pg_query "DELETE FROM hotline.work_order_event WHERE run_id = $run AND legacy_key = convert_to('$ev', 'UTF8')" >/dev/null
my_query "UPDATE $db.gd_jbxx SET dz = CONCAT(COALESCE(dz, ''), 'y') WHERE id = 300"
my_query "DELETE FROM $db.gd_lzjl WHERE lsh = 700"
assert_exit 3 "$BUILD/migrate" reconcile "$run" --drill
grep -E '^(missing|extra|changed|source-changed) key=' "$SCRATCH/out" | sed 's/ id=[0-9]*//; s/ legacy_id=[^ ]*//; s/ source_hash=.*table=/ table=/' | sort >got
state=$(pg_query "SELECT CASE WHEN EXISTS (SELECT 1 FROM hotline.work_order WHERE run_id = $run AND legacy_key = '\\x333030')
  THEN 'work_order' WHEN EXISTS (SELECT 1 FROM migration.merged WHERE run_id = $run AND legacy_key = '\\x333030')
  THEN 'merged' ELSE 'reject' END")
printf '%s\n' "missing key=$ev table=gd_lzjl" "extra key=700 store=reject table=gd_lzjl" \
  "source-changed key=300 store=$state table=gd_jbxx" | sort >want
diff want got || die "findings differ"
assert_exit 3 "$BUILD/migrate" reconcile "$run" --drill --json
assert_eq "gd_jbxx gd_lzjl gd_lzjl" "$(jq -r '[.drill.findings[].table] | join(" ")' "$SCRATCH/out")" "findings carry their table, in table order"
