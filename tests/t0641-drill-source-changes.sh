#!/usr/bin/env bash
# Drill-down, changes made at the SOURCE (MariaDB) after a run of the 12319
# estate: a loaded row updated (source-changed), a loaded row and a rejected
# row deleted (extra: their records are still in work_order and
# migration.reject), a row inserted (missing: never loaded), a merged
# duplicate updated (source-changed, in migration.merged). Small leaves
# (--leaf-rows 50) make the bisection go deep; the findings are the same
# as with the default leaves.
set -euo pipefail
source "$TOP/tests/lib.sh"

fresh_store
export CG12319_DATABASE=legacy_t0641
db=$CG12319_DATABASE
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 3000 --seed 41 --out gen --database "$db" >/dev/null
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml" --json
run=$(jq .run "$SCRATCH/out")
assert_exit 0 "$BUILD/migrate" reconcile "$run" --drill --leaf-rows 50

k() { pg_query "$1 LIMIT 1"; }
updated=$(k "SELECT convert_from(legacy_key, 'UTF8') k FROM hotline.work_order WHERE run_id = $run ORDER BY convert_from(legacy_key, 'UTF8')::bigint OFFSET 700")
gone=$(k "SELECT convert_from(legacy_key, 'UTF8') k FROM hotline.work_order WHERE run_id = $run ORDER BY convert_from(legacy_key, 'UTF8')::bigint OFFSET 2100")
rejected=$(k "SELECT convert_from(legacy_key, 'UTF8') k FROM migration.reject WHERE run_id = $run ORDER BY convert_from(legacy_key, 'UTF8')::bigint")
dup=$(k "SELECT convert_from(legacy_key, 'UTF8') k FROM migration.merged WHERE run_id = $run ORDER BY convert_from(legacy_key, 'UTF8')::bigint")
[[ -n $updated && -n $gone && -n $rejected && -n $dup ]] || die "no keys to change (rejects or duplicates missing at this seed)"
my_query "UPDATE $db.gd_jbxx SET dz = CONCAT(COALESCE(dz, ''), 'y') WHERE id = $updated"
my_query "UPDATE $db.gd_jbxx SET dfnr = CONCAT(COALESCE(dfnr, ''), 'z') WHERE id = $dup"
my_query "DELETE FROM $db.gd_jbxx WHERE id IN ($gone, $rejected)"
my_query "INSERT INTO $db.gd_jbxx (gdbh, ldsj, ldhm, lxdh, xm, sfzh, dz, bt, sqnr, sqlx, wtlb, wtmc, blzt, cbdw, bjsj, dfnr, myd, gxsj)
  SELECT CONCAT(gdbh, 'N'), ldsj, ldhm, lxdh, xm, sfzh, dz, bt, sqnr, sqlx, wtlb, wtmc, blzt, cbdw, bjsj, dfnr, myd, gxsj
  FROM $db.gd_jbxx WHERE id = $updated"
added=$(my_query "SELECT MAX(id) FROM $db.gd_jbxx")

printf '%s\n' "source-changed key=$updated store=work_order" "source-changed key=$dup store=merged" \
  "extra key=$gone store=work_order" "extra key=$rejected store=reject" "missing key=$added" | sort >want
for leaf in 50 1000; do
  assert_exit 3 "$BUILD/migrate" reconcile "$run" --drill --leaf-rows $leaf
  grep -E '^(missing|extra|changed|source-changed) key=' "$SCRATCH/out" | cut -d' ' -f1-3 | sort >got
  diff want got || die "findings differ (leaf rows $leaf)"
done
assert_contains "$(cat "$SCRATCH/out")" "drill-down: 5 found (missing 1, extra 2, changed 0, source-changed 2)" "summary"

# the stored hash is the run's, the source hash is the row's now: recompute
# the latter in MariaDB with the guide's canonical form
assert_exit 3 "$BUILD/migrate" reconcile "$run" --drill --json
cp "$SCRATCH/out" d.json
got=$(jq -r ".drill.findings[] | select(.key == \"$updated\") | .source_hash" d.json)
cols=$(my_query "SELECT GROUP_CONCAT(CONCAT('IF(\`', column_name, '\` IS NULL, ''N'', CONCAT(''V'', LENGTH(\`', column_name, '\`), '':'', \`', column_name, '\`))') ORDER BY ordinal_position SEPARATOR ',')
  FROM information_schema.columns WHERE table_schema = '$db' AND table_name = 'gd_jbxx'")
want_h=$(my_query "SELECT CONV(LEFT(SHA2(CONCAT($cols), 256), 16), 16, 10) FROM $db.gd_jbxx WHERE id = $updated")
assert_eq "$want_h" "$got" "source hash = SHA2 of the canonical row in MariaDB"
assert_eq "$(pg_query "SELECT src_hash FROM hotline.work_order WHERE run_id = $run AND legacy_key = convert_to('$updated', 'UTF8')")" \
  "$(jq -r ".drill.findings[] | select(.key == \"$updated\") | .stored_src_hash" d.json)" "stored hash = work_order.src_hash"
((($(jq .drill.max_depth d.json)) >= 1)) || die "no bisection"
