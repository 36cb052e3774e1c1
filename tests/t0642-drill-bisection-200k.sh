#!/usr/bin/env bash
# Drill-down by bisection on a 200,000-row MariaDB table: one record deleted
# from the store is found with a logarithmic number of range queries (the
# counter printed with --json), while peak memory stays small (/usr/bin/time
# %M under 64 MiB) since neither side is ever loaded whole. With nothing
# different, two range queries suffice.
set -euo pipefail
source "$TOP/tests/lib.sh"

rows=200000
fresh_store
db=legacy_t0642
my_query "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
my_query "CREATE TABLE $db.big (id INT PRIMARY KEY, code VARCHAR(20) NOT NULL, body VARCHAR(200), at DATETIME)
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
my_query "INSERT INTO $db.big SELECT seq, CONCAT('B', seq), CONCAT('工单内容 ', REPEAT(CHAR(65 + seq % 26), 1 + seq % 90)),
  '2020-01-01' + INTERVAL seq MINUTE FROM $db.seq_1_to_$rows"
assert_eq $rows "$(my_query "SELECT COUNT(*) FROM $db.big")" "rows at the source"
cat >big.yaml <<EOF
system: {code: t0642, hotline: "12345", name: drill test, department: test, mode: merge}
source:
  driver: mysql
  socket: \${MYSQL_UNIX_PORT}
  database: $db
  user: \${MIGRATE_MYSQL_USER}
  password_env: MIGRATE_MYSQL_PASSWORD
tables:
  - name: big
    key: id
    encoding: utf-8
    fields:
      legacy_id: code
      content: body
      received_at: {column: at, type: datetime}
EOF
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run big.yaml --json
run=$(jq .run "$SCRATCH/out")
assert_eq $rows "$(jq .stages.load.out "$SCRATCH/out")" "all rows loaded"

# nothing different: the top range agrees on both sides
assert_exit 0 "$BUILD/migrate" reconcile "$run" --drill --json
assert_eq 2 "$(jq .drill.range_queries.total "$SCRATCH/out")" "no difference: two range queries"

# one record deleted from the store
gone=123457
pg_query "DELETE FROM hotline.work_order WHERE run_id = $run AND legacy_key = convert_to('$gone', 'UTF8')" >/dev/null
timer=()
[[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f %M -o rss)
assert_exit 3 "${timer[@]}" "$BUILD/migrate" reconcile "$run" --drill --json
cp "$SCRATCH/out" d.json
assert_eq "missing key=$gone" "$(jq -r '.drill.findings[] | "\(.kind) key=\(.key)"' d.json)" "the deleted record, and nothing else"
q=$(jq .drill.range_queries.total d.json)
depth=$(jq .drill.max_depth d.json)
listed=$(jq .drill.listed_source_rows d.json)
echo "range queries $q, depth $depth, source rows listed $listed, ranges listed $(jq .drill.listed_ranges d.json)" >&2
# 200,000 rows to leaves of <= 1000: about log2(200) = 8 levels, two
# queries (one per side) per level, plus the top
((depth >= 7 && depth <= 10)) || die "bisection depth $depth, expected about 8"
((q <= 2 + 2 * depth + 2)) || die "$q range queries for depth $depth: not logarithmic"
((listed <= 1000)) || die "listed $listed source rows, more than one leaf"
if ((${#timer[@]})); then
  kib=$(tail -1 rss)
  echo "peak RSS ${kib} KiB" >&2
  ((kib < 65536)) || die "peak RSS ${kib} KiB, over 64 MiB"
else
  echo "note: /usr/bin/time not installed, peak RSS not measured" >&2
fi

# smaller leaves: deeper, same finding; text output names it
assert_exit 3 "$BUILD/migrate" reconcile "$run" --drill --leaf-rows 10
assert_eq "missing key=$gone" "$(grep -E '^(missing|extra|changed|source-changed) key=' "$SCRATCH/out")" "leaf rows 10"
