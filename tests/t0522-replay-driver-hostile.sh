#!/usr/bin/env bash
# The replay source driver (extractors/replay.c) on an edited file: text is
# encoded into the column's declared encoding (a per-column override
# honoured), hex passes as bytes, null is NULL, a non-UTF-8 key travels as
# key_hex; every editing mistake in a record is a counted extract reject with
# the line, its offset and the line's bytes; a line that is not JSON, of
# another system or table, or a missing file is a clear error.
set -euo pipefail
source "$TOP/tests/lib.sh"

cat >pb.yaml <<'EOF'
system: {code: t0522, hotline: "12345", name: test, department: test, mode: merge}
source: {driver: replay, file: rows.jsonl}
tables:
  - name: t
    encoding: big5
    encodings: {raw: utf-8}
    fields: {legacy_id: id}
EOF
line() { printf '{"system":"t0522","table":"t",%s}\n' "$1"; }
{
  line '"key":"k1","columns":[{"name":"id","text":"1"},{"name":"txt","text":"中文"},{"name":"raw","text":"中文"}]'
  line '"key_hex":"ff00","columns":[{"name":"id","text":"2"},{"name":"txt","hex":"ff01"},{"name":"raw","text":null}]'
  line '"key":"k3","columns":[{"name":"id","text":"3"},{"name":"txt","text":"😀"},{"name":"raw","text":"😀"}]'
  line '"key":"k4","columns":[{"name":"id","text":"4"},{"name":"txt","hex":"zz"},{"name":"raw","text":null}]'
  line '"columns":[{"name":"id","text":"5"},{"name":"txt","text":"x"},{"name":"raw","text":null}]'
  line '"key":"k6","columns":[{"name":"id","text":"6"},{"name":"other","text":"x"},{"name":"raw","text":null}]'
  line '"key":"k7","columns":[{"name":"id","text":"7"}]'
  line '"key":"k8","columns":null'
  line '"key":"k9","columns":[{"name":"id","text":"9"},{"name":"txt","text":5},{"name":"raw","text":null}]'
  line '"key":"k10","columns":[{"name":"id","text":"10"},{"name":"txt","text":"ok"},{"name":"raw","text":"😀"}]'
} >rows.jsonl
assert_exit 0 "$BUILD/migrate" peek pb.yaml --rows 100
out=$(cat "$SCRATCH/out")
assert_eq $'#key\tid\ttxt\traw' "$(head -n 1 <<<"$out")" "columns from the table's first record"
rows=$(grep -v '^[#!]' <<<"$out")
assert_eq $'k1\t1\t\\xa4\\xa4\\xa4\\xe5\t\\xe4\\xb8\\xad\\xe6\\x96\\x87
\\xff\\x00\t2\t\\xff\\x01\t\\N
k10\t10\tok\t\\xf0\\x9f\\x98\\x80' "$rows" "text encoded to Big5 (utf-8 override kept), hex as bytes, NULL, key_hex"
rej() { grep "^!reject" <<<"$out" | cut -f2,4,5 | tr '\t' ' '; }
assert_eq "unencodable k3 3
bad_hex k4 4
no_key  5
columns_differ k6 6
columns_differ k7 7
no_columns k8 8
bad_value k9 9" "$(rej)" "every editing mistake a counted reject, with key and line"
assert_contains "$(grep '^!reject.unencodable' <<<"$out" | cut -f3)" "column 'txt' (big5)" "unencodable names column and encoding"
off=$(head -n 2 rows.jsonl | wc -c)
assert_eq "$off" "$(grep '^!reject.unencodable' <<<"$out" | cut -f6)" "byte offset of the line"
# resume after a key
assert_exit 0 "$BUILD/migrate" peek pb.yaml --after k9
assert_eq $'k10\t10\tok\t\\xf0\\x9f\\x98\\x80' "$(grep -v '^[#!]' "$SCRATCH/out")" "resume skips through the line of the key"

# the user's mistakes in the file as a whole: clear errors naming the line
cp rows.jsonl good.jsonl
echo 'not json' >>rows.jsonl
assert_exit 1 "$BUILD/migrate" peek pb.yaml
assert_contains "$(cat "$SCRATCH/err")" "rows.jsonl' line 11: not a JSON object" "not JSON"
{ cat good.jsonl; printf '{"system":"zz","table":"t","key":"x","columns":[]}\n'; } >rows.jsonl
assert_exit 1 "$BUILD/migrate" peek pb.yaml
assert_contains "$(cat "$SCRATCH/err")" "line 11: system 'zz' is not the playbook's 't0522'" "another system"
{ cat good.jsonl; printf '{"system":"t0522","table":"nope","key":"x","columns":[]}\n'; } >rows.jsonl
assert_exit 1 "$BUILD/migrate" peek pb.yaml
assert_contains "$(cat "$SCRATCH/err")" "line 11: table 'nope' is not in the playbook" "another table"
rm rows.jsonl
assert_exit 1 "$BUILD/migrate" peek pb.yaml
assert_contains "$(cat "$SCRATCH/err")" "cannot open replay file" "missing file"
# MIGRATE_REPLAY_FILE (what `migrate rejects replay` sets) wins over the option
assert_exit 0 env MIGRATE_REPLAY_FILE=good.jsonl "$BUILD/migrate" peek pb.yaml --rows 1
assert_contains "$(cat "$SCRATCH/out")" $'k1\t1' "MIGRATE_REPLAY_FILE read"
# a record longer than the cap is an error, not a memory blow-up (64 MiB)
{ printf '{"system":"t0522","table":"t","key":"big","x":"'; head -c $((65 * 1024 * 1024)) /dev/zero | tr '\0' a; printf '"}\n'; } >rows.jsonl
assert_exit 1 "$BUILD/migrate" peek pb.yaml
assert_contains "$(cat "$SCRATCH/err")" "replay line (64 MiB)" "line cap named"
