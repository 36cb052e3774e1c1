#!/usr/bin/env bash
# Rejects of a Big5 CSV source corrected and replayed: text is encoded back
# into Big5 (a character Big5 lacks is rejected "unencodable" at the line of
# the replay file), an extract reject (a ragged line) has no columns until
# the department gives them, export without the playbook shows non-ASCII
# values as hex, and once the store has migration.reject.replayed_by the
# rejects whose records were loaded are marked with the replay run.
set -euo pipefail
source "$TOP/tests/lib.sh"
export LC_ALL=C.UTF-8

MIGRATE=${MIGRATE_BIN:-$BUILD/migrate}
usage=$("$MIGRATE" rejects 2>&1 || true)
[[ $usage == *"rejects export"* ]] || skip "'migrate rejects' is not wired into this build"

fresh_store
"$MIGRATE" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
mkdir data
{
  printf 'gdbh,ldsj,sqnr\r\n'
  printf 'G1,2021-07-01 09:00:00,\xa4\xa4\xa4\xe5\r\n'    # 中文
  printf 'G2,2021-02-30 10:00:00,\xa4\xa4\r\n'            # impossible day
  printf 'G3,2021-07-02 09:00:00,bad \xff\xfe x\r\n'      # not Big5
  printf 'G4,2021-07-03 09:00:00\r\n'                     # ragged
  printf 'G5,2021-04-31 08:00:00,ok\r\n'                  # impossible day
} >data/orders.csv
cat >pb.yaml <<'EOF'
system: {code: t0521, hotline: "12345", name: test, department: test, mode: merge}
source: {driver: csv, dir: data}
tables:
  - name: "orders.csv"
    encoding: big5
    dates: {zero: null, invalid: reject}
    fields:
      legacy_id: gdbh
      received_at: {column: ldsj, type: datetime}
      content: sqnr
EOF
assert_exit 0 "$MIGRATE" run pb.yaml --json
assert_eq 1 "$(jq .stages.load.out "$SCRATCH/out")" "one row loaded"
assert_eq 4 "$(pg_query "SELECT count(*) FROM migration.reject WHERE source_system = 't0521'")" "four rejects"

# without the playbook the encoding is unknown: non-ASCII values as hex
assert_exit 0 "$MIGRATE" rejects export --system t0521 --out plain.jsonl
assert_eq '{"name":"sqnr","hex":"a4a4"}' "$(jq -c 'select(.key | endswith("#2")) | .columns[2]' plain.jsonl)" "G2 content as hex"
assert_eq '{"name":"ldsj","text":"2021-02-30 10:00:00"}' "$(jq -c 'select(.key | endswith("#2")) | .columns[1]' plain.jsonl)" "ASCII as text"
# with it: decoded text; the undecodable value stays hex; the ragged line has no columns
assert_exit 0 "$MIGRATE" rejects export --system t0521 --playbook pb.yaml --out rej.jsonl
assert_eq '中' "$(jq -r 'select(.key | endswith("#2")) | .columns[2].text' rej.jsonl)" "G2 content decoded from Big5"
assert_eq '62616420fffe2078' "$(jq -r 'select(.key | endswith("#3")) | .columns[2].hex' rej.jsonl)" "G3 content as hex"
assert_eq 'null' "$(jq -c 'select(.key | endswith("#4")) | .columns' rej.jsonl)" "extract reject: no columns"
assert_eq 'extract ragged' "$(jq -r 'select(.key | endswith("#4")) | "\(.stage) \(.reason | sub("_.*"; ""))"' rej.jsonl)" "extract reject kept"
# (the store keeps an extract reject's record as one canonical field: V<len>:<bytes>)
assert_eq "$(printf 'V22:G4,2021-07-03 09:00:00' | od -An -tx1 | tr -d ' \n')" \
  "$(jq -r 'select(.key | endswith("#4")) | .raw' rej.jsonl)" "extract reject: the original bytes"
assert_eq 3 "$(jq -r 'select(.key | endswith("#2")) | .line' rej.jsonl)" "provenance: line"

# the store learns replayed_by (the lead's migration; the command works with and without it)
pg_query "ALTER TABLE migration.reject ADD COLUMN IF NOT EXISTS replayed_by bigint" >/dev/null

# correct: G2's day, G3's content as text, G4's columns given by hand, G5's
# day fixed but its content given a character Big5 lacks
jq -c '
  if (.key | endswith("#2")) then .columns[1].text = "2021-02-28 10:00:00"
  elif (.key | endswith("#3")) then .columns[2] = {name: "sqnr", text: "更正 中文"}
  elif (.key | endswith("#4")) then .columns = [{name: "gdbh", text: "G4"}, {name: "ldsj", text: "2021-07-03 09:00:00"},
    {name: "sqnr", text: "補"}]
  elif (.key | endswith("#5")) then .columns[1].text = "2021-04-30 08:00:00" | .columns[2].text = "ok 😀"
  else . end' rej.jsonl >fixed.jsonl
emoji_line=$(grep -n '😀' fixed.jsonl | cut -d: -f1)
assert_exit 0 "$MIGRATE" rejects replay fixed.jsonl --playbook pb.yaml --json
rrun=$(jq .run "$SCRATCH/out")
assert_eq true "$(jq .balanced "$SCRATCH/out")" "replay balanced"
assert_eq 3 "$(jq .stages.load.out "$SCRATCH/out")" "three corrected records loaded"
assert_eq "G2|2021-02-28 10:00|中
G3|2021-07-02 09:00|更正 中文
G4|2021-07-03 09:00|補" "$(pg_query "SELECT legacy_id, to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),
  content FROM hotline.work_order WHERE source_system = 't0521' AND run_id = $rrun ORDER BY 1")" "corrected values in the store"
assert_eq "extract|unencodable|$emoji_line" "$(pg_query "SELECT stage, reason, line FROM migration.reject WHERE run_id = $rrun")" \
  "a character Big5 lacks: rejected at the replay file's line"
assert_contains "$(pg_query "SELECT detail FROM migration.reject WHERE run_id = $rrun")" "column 'sqnr' (big5)" "detail names the column"
assert_eq "G1
G2
G3
G4" "$(pg_query "SELECT legacy_id FROM hotline.work_order WHERE source_system = 't0521' ORDER BY 1")" "nothing else in the store"
# the resolved rejects are marked, the one still wrong is not
assert_eq "3|$rrun
4|$rrun
5|$rrun
6|" "$(pg_query "SELECT line, replayed_by FROM migration.reject WHERE run_id <> $rrun ORDER BY line")" "replayed_by marks"
# the next export of the replay run: what is still wrong
assert_exit 0 "$MIGRATE" rejects export --system t0521 --playbook pb.yaml --out again.jsonl
assert_eq "1 unencodable" "$(wc -l <again.jsonl) $(jq -r .reason again.jsonl)" "export of the newest run: the one still wrong"
