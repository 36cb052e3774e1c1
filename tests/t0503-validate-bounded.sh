#!/usr/bin/env bash
# migrate validate streams: 10 times more records (30,000 -> 300,000), with
# 20,000 distinct unmapped category codes and a reject in every tenth record,
# add no more than a few MB to its peak memory; the examples stay capped at
# 10 per reason, the coverage at 1,000 codes, and the counts stay exact.
# Also a CSV source end to end: driver rejects, a personal column by name,
# the draft of inspect validated.
set -euo pipefail
source "$TOP/tests/lib.sh"
export LC_ALL=C.UTF-8
MIGRATE=${MIGRATE:-$BUILD/migrate}
[[ -f $TOP/extractors/csv.c ]] || skip "csv driver not built"

estate() { # DIR N: every 10th record an impossible date, codes C0..C19999 (C0-C9 mapped)
  mkdir -p "$1"
  awk -v n="$2" 'BEGIN {
    print "id,xm,ldhm,ldsj,lb,nr"
    for (i = 1; i <= n; i++)
      printf "%d,王%d,139%08d,%s,C%d,请回电139%08d 谢谢\n", i, i % 97, i, (i % 10 ? "2021-07-01 10:00:00" : "2021-02-30 10:00:00"), i % 20000, i
  }' >"$1/data.csv"
  { echo "legacy_code,unified_code"; for c in 0 1 2 3 4 5 6 7 8 9; do echo "C$c,0101"; done; } >"$1/lb.csv"
  cp "$TOP/playbooks/taxonomy.csv" "$1/taxonomy.csv"
  cat >"$1/pb.yaml" <<EOF
system: {code: t0503, hotline: "12345", name: 测试, department: 测试, mode: merge}
source: {driver: csv, dir: .}
tables:
  - name: data.csv
    encoding: utf-8
    dates: {invalid: reject}
    fields:
      legacy_id: id
      caller_name: xm
      caller_phone: {column: ldhm, type: phone}
      received_at: {column: ldsj, type: datetime}
      category_code: {column: lb, type: category, table: lb.csv, unmapped: default, default: "1299"}
      content: nr
EOF
}
estate small 30000
estate large 300000

assert_exit 3 "$MIGRATE" validate large/pb.yaml --json
cp "$SCRATCH/out" large.json
assert_eq 300000 "$(jq .rows large.json)" "large: records"
assert_eq 30000 "$(jq '.rejects."transform.invalid_date"' large.json)" "large: rejects exact"
assert_eq 10 "$(jq '.tables[0].rejects[0].examples | length' large.json)" "examples capped at 10"
C='.tables[0].coverage[0]'
assert_eq 1000 "$(jq "$C.distinct_pairs" large.json)" "coverage capped at 1000 pairs"
assert_eq true "$(jq "$C.more_pairs" large.json)" "coverage says there are more"
assert_eq 270000 "$(jq "$C.records" large.json)" "coverage counts every record"
assert_eq "$(jq "$C.records" large.json)" "$(jq "([$C.codes[].count] | add) + $C.records_not_listed" large.json)" \
  "listed + not listed = every record"
assert_eq "$(jq '.fixes.unmapped_category' large.json)" "$(jq "$C.records_unmapped" large.json)" "unmapped = fix count"
assert_eq 0 "$(grep -c '139[0-9]\{8\}' large.json)" "phones masked everywhere"
grep -q '"王\*"' large.json || grep -q '"王\*\*"' large.json || die "names masked"

if [[ -x /usr/bin/time ]]; then
  peak_kb() { # PLAYBOOK
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1 /usr/bin/time -f %M -o rss "$MIGRATE" validate "$1" >/dev/null ||
      [[ $? == 3 ]] || die "validate $1 failed"
    tail -n 1 rss
  }
  k1=$(peak_kb small/pb.yaml)
  k2=$(peak_kb large/pb.yaml)
  echo "peak RSS: $k1 kB for 30,000 records, $k2 kB for 300,000" >&2
  ((k2 < k1 + 8192)) || die "memory grows with the records: $k1 kB -> $k2 kB"
else
  echo "note: /usr/bin/time not installed: peak memory not measured" >&2
fi

# a CSV with driver rejects: counted as extract rejects, shown by their shape
mkdir rag
printf 'id,xm,ldhm\n1,王伟,13912345678\n2,李娜\n3,"张敏,13800001111\n' >rag/data.csv
cat >rag/pb.yaml <<EOF
system: {code: t0503r, hotline: "12345", name: 测试, department: 测试, mode: merge}
source: {driver: csv, dir: .}
tables:
  - name: "data.csv"
EOF
assert_exit 0 "$MIGRATE" inspect rag/pb.yaml --json --draft rag/draft.yaml
assert_eq 2 "$(jq '.tables[0].driver_rejects' "$SCRATCH/out")" "inspect: driver rejects counted"
assert_eq '{"ragged_row":1,"unterminated_quote":1}' "$(jq -S -c '.tables[0].driver_reject_reasons' "$SCRATCH/out")" "inspect: by reason"
assert_exit 0 "$BUILD/migrate" check rag/draft.yaml
assert_exit 3 "$MIGRATE" validate rag/draft.yaml --json
cp "$SCRATCH/out" rag.json
assert_eq '{"extract.ragged_row":1,"extract.unterminated_quote":1}' "$(jq -S -c .rejects rag.json)" "validate: driver rejects"
assert_eq 2 "$(jq .stages.extract.rejected rag.json)" "extract stage"
jq -r '.tables[0].rejects[].examples[].record' rag.json | while read -r r; do
  [[ $r == "[record not split into columns, letters masked] "* ]] || die "unsplit record not shown by shape: $r"
done
grep -q '13800001111\|13912345678\|李娜\|张敏' rag.json && die "personal data in the unsplit records"
assert_contains "$(jq -r '.tables[0].rejects[] | select(.reason == "extract.unterminated_quote") | .examples[0].record' rag.json)" \
  '138****1111' "the phone in an unsplit record masked"
