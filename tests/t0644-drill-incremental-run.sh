#!/usr/bin/env bash
# Reconcile and drill-down of an incremental (watermark) run: the recount
# and the drill-down cover the window the run read (migration.run_table.
# watermark_since), not the whole table, so a balanced incremental run
# reconciles to exit 0; a later change inside the window is named.
set -euo pipefail
source "$TOP/tests/lib.sh"

export CG12319_DATABASE=legacy_t0644
db=$CG12319_DATABASE
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 1500 --seed 44 --out gen --database "$db" >/dev/null
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
pb=$TOP/playbooks/.t0644.yaml
trap 'rm -f "$pb"' EXIT
sed 's/^    key: id /    watermark: gxsj\n    watermark_overlap: 60\n    key: id /' "$TOP/playbooks/cg12319.yaml" >"$pb"
assert_exit 0 "$BUILD/migrate" run "$pb" --json
w=$(pg_query "SELECT value FROM migration.watermark WHERE source_system = 'cg12319'")
my_query "UPDATE $db.gd_jbxx SET sqnr = CONCAT(COALESCE(sqnr, ''), 'x'), gxsj = DATE_ADD('$w', INTERVAL 1 DAY) WHERE id IN (10, 20, 30)"
assert_exit 0 "$BUILD/migrate" run "$pb" --json
run=$(jq .run "$SCRATCH/out")
window=$(jq .stages.extract.out "$SCRATCH/out")
((window >= 3 && window < 100)) || die "unexpected window of $window rows"

assert_exit 0 "$BUILD/migrate" reconcile "$run" --drill --json
assert_eq "$window" "$(jq .stages.source.out "$SCRATCH/out")" "reconcile recounts the run's window"
assert_eq true "$(jq .balanced "$SCRATCH/out")" "balanced"
assert_eq 0 "$(jq .drill.found "$SCRATCH/out")" "nothing found in the window"

# a row of the window changed at the source: named; rows outside the window are not
my_query "UPDATE $db.gd_jbxx SET dz = CONCAT(COALESCE(dz, ''), 'y') WHERE id = 20"
assert_exit 3 "$BUILD/migrate" reconcile "$run" --drill
assert_eq "source-changed key=20" "$(grep -E '^(missing|extra|changed|source-changed) key=' "$SCRATCH/out" | cut -d' ' -f1,2)" "the changed row only"
