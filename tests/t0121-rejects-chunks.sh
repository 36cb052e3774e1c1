#!/usr/bin/env bash
# Records a file driver rejects count like rows in the chunks of a run: a
# last chunk of only rejects is committed, and a crash after it does not make
# the resumed run reject (and count) them again.
set -euo pipefail
source "$TOP/tests/lib.sh"

{ echo "id,nr"; for i in $(seq 1 10); do echo "$i,ok$i"; done; for i in $(seq 1 5); do echo "r$i,a,b,c"; done; } > d.csv
cat > pb.yaml <<'EOT'
system: {code: t0121, hotline: "12345", name: test, department: test, mode: merge}
source: {driver: csv, dir: .}
tables:
  - {name: d.csv, target: raw, raw_as: text, encoding: utf-8}
EOT
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
# two chunks of rows, then a chunk of only rejects
assert_exit 0 "$BUILD/migrate" run pb.yaml --batch-rows 5 --commit-rows 5 --json
assert_eq 5 "$(jq .stages.extract.rejected "$SCRATCH/out")" "the ragged lines counted"
assert_eq 5 "$(pg_query "SELECT count(*) FROM migration.reject")" "and stored"

# the same, crashing right after the chunk of rejects is committed
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
MIGRATE_TEST_CRASH_AFTER_COMMITS=3 "$BUILD/migrate" run pb.yaml --quiet --batch-rows 5 --commit-rows 5 >/dev/null 2>&1 &&
	die "crash hook did not fire" || true
assert_eq 5 "$(pg_query "SELECT count(*) FROM migration.reject")" "rejects committed before the crash"
assert_exit 0 "$BUILD/migrate" run pb.yaml --batch-rows 5 --commit-rows 5 --json
assert_eq true "$(jq .resumed "$SCRATCH/out")" "resumed"
assert_eq 5 "$(jq .stages.extract.rejected "$SCRATCH/out")" "each reject counted once"
assert_eq 5 "$(pg_query "SELECT count(*) FROM migration.reject")" "each reject stored once"
assert_eq 10 "$(pg_query "SELECT count(*) FROM legacy_t0121.d_csv")" "each row landed once"
