#!/usr/bin/env bash
# Incremental extraction by watermark (changed since W, with an overlap
# window): the second run reads only rows changed since the first, updates
# them in place, adds the new ones, and still balances against an
# independent recount of the same window at the source.
set -euo pipefail
source "$TOP/tests/lib.sh"

export CG12319_DATABASE=legacy_t0130
db=$CG12319_DATABASE
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 2000 --seed 13 --out gen --database "$db" >/dev/null
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
pb=$TOP/playbooks/.t0130.yaml
trap 'rm -f "$pb"' EXIT
sed 's/^    key: id /    watermark: gxsj\n    watermark_overlap: 60\n    key: id /' "$TOP/playbooks/cg12319.yaml" > "$pb"
assert_exit 0 "$BUILD/migrate" check "$pb"

# first run: no watermark yet, everything
assert_exit 0 "$BUILD/migrate" run "$pb" --json
assert_eq 2000 "$(jq .stages.extract.out "$SCRATCH/out")" "first run reads everything"
w=$(pg_query "SELECT value FROM migration.watermark WHERE source_system = 'cg12319'")
assert_eq "$(my_query "SELECT MAX(gxsj) FROM $db.gd_jbxx")" "$w" "the watermark is the highest gxsj"

# changes at the source after the run: 5 rows updated, 3 added
my_query "UPDATE $db.gd_jbxx SET sqnr = CONCAT(sqnr, 0x2d2d), gxsj = DATE_ADD('$w', INTERVAL 1 DAY)
	WHERE id IN (SELECT id FROM (SELECT id FROM $db.gd_jbxx WHERE ldsj > '2019-01-01' AND sqnr NOT LIKE 0x25ff25 ORDER BY id LIMIT 5) x)"
my_query "INSERT INTO $db.gd_jbxx (gdbh, ldsj, sqnr, wtlb, blzt, gxsj)
	VALUES ('CGNEW1', '2025-01-02 10:00:00', 'x', 'CG0101', '01', DATE_ADD('$w', INTERVAL 2 DAY)),
	       ('CGNEW2', '2025-01-02 11:00:00', 'y', 'CG0101', '01', DATE_ADD('$w', INTERVAL 2 DAY)),
	       ('CGNEW3', '2025-01-02 12:00:00', 'z', 'CG0101', '01', DATE_ADD('$w', INTERVAL 2 DAY))"
window=$(my_query "SELECT COUNT(*) FROM $db.gd_jbxx WHERE gxsj >= DATE_SUB('$w', INTERVAL 60 SECOND)")
[ "$window" -ge 8 ] || die "the window should hold at least the 8 changed rows, has $window"
[ "$window" -lt 100 ] || die "the window is too wide: $window"

assert_exit 0 "$BUILD/migrate" run "$pb" --json
j=$SCRATCH/out
assert_eq "$window" "$(jq .stages.extract.out "$j")" "the second run reads the window only (changed rows and the overlap)"
assert_eq "$window" "$(jq .stages.source.out "$j")" "the source recount covers the same window"
assert_eq true "$(jq .balanced "$j")" "balanced"
assert_eq 3 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE legacy_id LIKE 'CGNEW%'")" "new rows loaded"
assert_eq 5 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE right(content, 2) = '--'")" "changed rows updated in place"
assert_eq "$(( $(jq .loaded gen/expected.json) + 3 ))" "$(pg_query "SELECT count(*) FROM hotline.work_order")" "nothing doubled"
assert_eq "$(my_query "SELECT MAX(gxsj) FROM $db.gd_jbxx")" \
	"$(pg_query "SELECT value FROM migration.watermark WHERE source_system = 'cg12319'")" "the watermark moved on"

# nothing changed: an empty window beyond the overlap
assert_exit 0 "$BUILD/migrate" run "$pb" --json
assert_eq 3 "$(jq .stages.extract.out "$SCRATCH/out")" "only the overlap is read again"
