#!/usr/bin/env bash
# kill -9 of `migrate run` at several points during the load, then re-run:
# the same counts and content totals as an uninterrupted run, no duplicate,
# no loss.
set -euo pipefail
source "$TOP/tests/lib.sh"

export CG12319_DATABASE=legacy_t0101
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 30000 --seed 11 --out gen --database "$CG12319_DATABASE" >/dev/null
pb="$TOP/playbooks/cg12319.yaml"

# the reference: an uninterrupted run into its own store
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run "$pb" --json
cp "$SCRATCH/out" ref.json

# the interrupted runs, into another store
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
loaded() {
	pg_query "SELECT coalesce(max((ledger->'stages'->'load'->>'in')::bigint), 0) FROM migration.checkpoint"
}
kills=0
for at in 2000 9000 17000 24000; do
	"$BUILD/migrate" run "$pb" --quiet --commit-rows 500 --batch-rows 100 > /dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 600); do
		[ "$(loaded)" -ge "$at" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	if kill -9 "$pid" 2>/dev/null; then
		kills=$((kills + 1))
	fi
	wait "$pid" || true
	status=$(pg_query "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1")
	echo "killed at >= $at rows loaded: run status $status, checkpoint at $(loaded)" >&2
done
[ "$kills" -ge 3 ] || die "only $kills of 4 runs were still running when killed"

# a crash exactly at a commit boundary (test hook: _exit like kill -9)
MIGRATE_TEST_CRASH_AFTER_COMMITS=3 "$BUILD/migrate" run "$pb" --quiet --commit-rows 700 >/dev/null 2>&1 && die "crash hook did not fire" || true

# resume to the end
assert_exit 0 "$BUILD/migrate" run "$pb" --json
cp "$SCRATCH/out" final.json
assert_eq true "$(jq .resumed final.json)" "the final run resumed the interrupted one"
assert_eq "$(jq .run ref.json)" "$(jq .run final.json)" "one run id throughout (resumed, not restarted)"
for stage in source extract decode transform load target; do
	for k in in out rejected merged total_out total_rejected total_merged; do
		assert_eq "$(jq ".stages.$stage.$k" ref.json)" "$(jq ".stages.$stage.$k" final.json)" "$stage.$k equals the uninterrupted run"
	done
done
assert_eq "$(jq -S -c .rejects ref.json)" "$(jq -S -c .rejects final.json)" "rejects by reason"
assert_eq "$(jq -S -c .fixes ref.json)" "$(jq -S -c .fixes final.json)" "fixes"
assert_eq "$(jq .loaded gen/expected.json)" "$(pg_query "SELECT count(*) FROM hotline.work_order")" "no duplicate, no loss in the target"
assert_eq "$(jq .rejected_total gen/expected.json)" "$(pg_query "SELECT count(*) FROM migration.reject")" "each reject stored once"
assert_eq "$(jq .merged gen/expected.json)" "$(pg_query "SELECT count(*) FROM migration.merged")" "each duplicate recorded once"
