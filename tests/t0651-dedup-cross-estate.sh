#!/usr/bin/env bash
# Cross-system duplicates of the reference estate (sj12315 + sw12312, the
# pairs listed in estate.json): `migrate dedup --all` reports exactly these
# pairs with both keys, merges nothing and counts each pair once in the
# city's distinct requests; `--across merge` merges them (sw12312's side
# points at sj12315's), the runs still reconcile, and a default pass undoes
# the merge. `migrate crosscheck` still lists them.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
export SJ12315_DATABASE=legacy_t0651
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $SJ12315_DATABASE WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

estate_gen sj12315 300
estate_gen sw12312 300
export SW12312_DIR=$SCRATCH/gen/sw12312
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/sj12315.yaml" --json
sj_run=$(jq .run "$SCRATCH/out")
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/sw12312.yaml" --json
total=$(pg_query "SELECT count(*) FROM hotline.work_order")
npairs=$(jq '.cross_system | length' "$SCRATCH/gen/estate.json")
((npairs > 0)) || die "estate.json lists no cross-system duplicates"
want=$(jq -r '.cross_system[] | [(.records[] | select(.system == "sw12312") | .legacy_id),
	(.records[] | select(.system == "sj12315") | .legacy_id)] | "sw12312 \(.[0]) = sj12315 \(.[1])"' \
	"$SCRATCH/gen/estate.json" | LC_ALL=C sort)

# report (the default): both keys, nothing merged, counted once
assert_exit 0 "$BUILD/migrate" dedup --all --apply --json
cp "$SCRATCH/out" report.json
assert_eq "$want" "$(jq -r '.pairs[] | select(.scope == "across" and .action == "reported") |
	"\(.system) \(.legacy_id) = \(.survivor_system) \(.survivor_legacy_id)"' report.json | LC_ALL=C sort)" \
	"exactly the estate's cross-system pairs, both keys"
assert_eq 0 "$(jq '[.pairs[] | select(.scope == "across" and .action == "merged")] | length' report.json)" "none merged"
assert_eq "$total" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE merged_into IS NULL")" "nothing merged away"
assert_eq "$((total - npairs))" "$(jq .totals.distinct_requests report.json)" "city: each pair counted once"
assert_eq "$total" "$(jq .totals.work_orders report.json)" "city: every record still in the store"
assert_eq "$npairs" "$(pg_query "SELECT count(*) FROM migration.cross_duplicate")" "recorded for crosscheck"
grep -q -F "$(jq -r '.cross_system[0].caller_phone' "$SCRATCH/gen/estate.json")" report.json &&
	die "an unmasked phone in the output"
assert_exit 0 "$BUILD/migrate" crosscheck --json
assert_eq "$npairs" "$(jq .count "$SCRATCH/out")" "crosscheck lists the same pairs"
assert_exit 0 "$BUILD/migrate" crosscheck # its text ends with the city's count (runbook prints it)
assert_contains "$(cat "$SCRATCH/out")" "work orders in the store: $total; merged into a survivor: 0" "crosscheck: city"
assert_contains "$(cat "$SCRATCH/out")" "distinct requests: $((total - npairs))" "crosscheck: each pair once"

# merge across: sw12312's side points at sj12315's (same minute: the
# system order decides), the runs still reconcile
assert_exit 0 "$BUILD/migrate" dedup --all --across merge --apply --json
assert_eq "$npairs" "$(pg_query "SELECT count(*) FROM hotline.work_order w JOIN hotline.work_order s
	ON s.id = w.merged_into WHERE w.source_system = 'sw12312' AND s.source_system = 'sj12315'")" "merged across"
assert_eq "$npairs" "$(jq -r '.ledger[] | select(.system == "sw12312") | .merged' "$SCRATCH/out")" \
	"sw12312's dedup ledger counts them"
assert_eq "$((total - npairs))" "$(jq .totals.survivors "$SCRATCH/out")" "city: merged pairs counted once"
assert_eq "$((total - npairs))" "$(jq .totals.distinct_requests "$SCRATCH/out")" "... and not subtracted twice"
assert_exit 0 "$BUILD/migrate" reconcile "$sj_run"

# the default policy again: the cross merges are undone, reported again
assert_exit 0 "$BUILD/migrate" dedup --all --apply --json
assert_eq "$npairs" "$(jq .cleared "$SCRATCH/out")" "report policy clears the cross merges"
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE merged_into IS NOT NULL")" "no pointer left"
# idempotent: the same pass again changes nothing
assert_exit 0 "$BUILD/migrate" dedup --all --apply --json
assert_eq "0 $npairs true" "$(jq -r '"\(.cleared) \(.reported) \(.balanced)"' "$SCRATCH/out")" "idempotent"
echo ok
