#!/usr/bin/env bash
# Reports of a run of two tables (work orders and their flow records): each
# table's stages as `migrate run --json` gives them, rejects of both tables
# rendered with their own columns and masked by their own field map (the
# events' actor is personal), the page lists both tables.
set -euo pipefail
source "$TOP/tests/lib.sh"

export CG12319_DATABASE=legacy_t0605
db=$CG12319_DATABASE
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 1200 --seed 5 --out gen --database "$db" >/dev/null
my_query "CREATE TABLE $db.gd_lzjl (lsh INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, gdbh VARCHAR(32) NOT NULL,
	czlx VARCHAR(16), czsj DATETIME, czr VARCHAR(40), cldw VARCHAR(128), clyj TEXT) DEFAULT CHARSET=latin1"
# flow records: the handler's name in GBK (王建国), a comment with a phone number
my_query "SET SESSION sql_mode = 'ALLOW_INVALID_DATES';
	INSERT INTO $db.gd_lzjl (gdbh, czlx, czsj, czr, cldw, clyj)
	SELECT gdbh, x.t, DATE_ADD(gxsj, INTERVAL x.h HOUR), X'cdf5bda8b9fa', X'cad0b3c7b9dcbed6',
	  CONCAT(x.c, '13512345678')
	FROM (SELECT DISTINCT gdbh, gxsj FROM $db.gd_jbxx) o
	CROSS JOIN (SELECT 'PD' t, 1 h, X'c5c9b5a5' c UNION ALL SELECT 'BJ', 48, X'b0ecbde1') x
	ORDER BY gdbh, x.h;
	UPDATE $db.gd_lzjl SET czsj = '2021-02-30 10:00:00' WHERE lsh IN (5, 700)"
# beside the reference playbook: its mapping tables are relative to it
pb=$TOP/playbooks/.t0605.yaml
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
assert_exit 0 "$BUILD/migrate" report "$run" --out rep
J=rep/run-$run.json R=rep/rejects-$run.csv H=rep/run-$run.html

assert_eq '["gd_jbxx","gd_lzjl"]' "$(jq -c '[.tables[].table]' "$J")" "both tables"
assert_eq '["work_order","work_order_event"]' "$(jq -c '[.tables[].target]' "$J")" "their targets"
for t in gd_jbxx gd_lzjl; do
  assert_eq "$(jq -S -c --arg t $t '.tables[] | select(.table == $t) | .stages' run.json)" \
    "$(jq -S -c --arg t $t '.tables[] | select(.table == $t) | .stages' "$J")" "$t: stages as the run gave them"
done
assert_eq "$(jq -S -c .stages run.json)" "$(jq -S -c '.stages | map_values(del(.balance))' "$J")" "the run's stages"
assert_eq '{"czr":"name","ldhm":"phone","lxdh":"phone","sfzh":"id","xm":"name"}' "$(jq -S -c .masking.personal_columns "$J")" "personal columns of both tables"
assert_eq "$(jq '[.stages[].rejected] | add' run.json)" "$(($(wc -l <"$R") - 1))" "rejects of both tables"

# the events' rejects: their own columns, the actor masked, the phone in the comment masked
ev=$(grep ',[a-z0-9_]*\.\{0,1\}gd_lzjl,transform,invalid_date,' "$R" || true)
assert_eq 2 "$(grep -c . <<<"$ev")" "two event rejects"
assert_contains "$ev" "lsh=5; gdbh=CG" "event columns"
assert_contains "$ev" "czr=王**; cldw=市城管局; clyj=派单135****5678" "actor and phone masked, GBK decoded"
grep -q '王建国\|13512345678' rep/* && die "the actor or the phone in the reports"
# the work orders' rejects keep theirs
assert_contains "$(grep '[,.]gd_jbxx,' "$R" | sed -n 1p)" "; xm=" "work order columns"

# the page lists both tables and their stages
grep -q '<span data-tables>gd_jbxx, gd_lzjl</span>' "$H" || die "the page does not name both tables"
assert_eq "$(jq --arg t gd_lzjl '.tables[] | select(.table == $t) | .stages.load.out' run.json)" \
  "$(grep -o 'data-table="gd_lzjl" data-table-stage="load" data-field="out">[0-9]*' "$H" | sed 's/.*>//')" "events loaded, on the page"
