#!/usr/bin/env bash
# Records present in two systems (a call transferred between hotlines) are
# reported as cross-system duplicates with both keys: not merged, not
# doubled — each stays loaded and accounted for in its own system.
set -euo pipefail
source "$TOP/tests/lib.sh"

export CG12319_DATABASE=legacy_t0160
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 800 --seed 23 --out gen --database "$CG12319_DATABASE" >/dev/null
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml"

# the 12345 side: two of 12319's calls again, five minutes later (one as a
# landline written differently), one far outside the window, one unrelated
mapfile -t rows < <(pg_query "SELECT legacy_id || '|' || caller_phone || '|' ||
	to_char(received_at AT TIME ZONE 'Asia/Shanghai' + interval '5 minutes', 'YYYY-MM-DD HH24:MI:SS')
	FROM hotline.work_order WHERE source_system = 'cg12319' AND received_at IS NOT NULL
	AND caller_phone LIKE '1%' ORDER BY legacy_id LIMIT 2")
IFS='|' read -r a1 p1 t1 <<<"${rows[0]}"
IFS='|' read -r a2 p2 t2 <<<"${rows[1]}"
mkdir -p data
{
	echo "id,ldsj,ldhm,sqnr"
	echo "X1,$t1,+86 ${p1:0:3} ${p1:3:4} ${p1:7},转办件"
	echo "X2,$t2,$p2,转办件"
	echo "X3,2001-01-01 00:00:00,$p1,很久以前"
	echo "X4,$t1,13000000000,无关"
	# a legacy placeholder kept as typed is not a phone: never a pair
	echo "X5,2020-05-01 10:00:00,同上,转办件"
} > data/calls.csv
cat > x12345.yaml <<'EOT'
system: {code: x12345, hotline: "12345", name: 12345 test, department: test, mode: merge}
source: {driver: csv, dir: data}
tables:
  - name: calls.csv
    encoding: utf-8
    fields:
      legacy_id: id
      received_at: {column: ldsj, type: datetime}
      caller_phone: {column: ldhm, type: phone}
      content: sqnr
EOT
assert_exit 0 "$BUILD/migrate" run x12345.yaml
mkdir -p ydata
printf 'id,ldsj,ldhm,sqnr\nY1,2020-05-01 10:05:00,同上,转办件\n' > ydata/calls.csv
sed 's/x12345/y12345/; s/dir: data/dir: ydata/' x12345.yaml > y12345.yaml
assert_exit 0 "$BUILD/migrate" run y12345.yaml

assert_exit 0 "$BUILD/migrate" crosscheck --json
j=$SCRATCH/out
assert_eq 2 "$(jq .count "$j")" "two cross-system duplicates"
assert_eq "cg12319 $a1 x12345 X1|cg12319 $a2 x12345 X2" \
	"$(jq -r '[.cross_system_duplicates[] | "\(.a_system) \(.a_legacy_id) \(.b_system) \(.b_legacy_id)"] | join("|")' "$j")" "both keys of each pair"
assert_eq 5 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'x12345'")" "nothing merged away"
grep -q -F "$p1" "$j" && die "an unmasked phone in the output" || true
assert_eq 2 "$(pg_query "SELECT count(*) FROM migration.cross_duplicate")" "recorded for auditors"
# running it again finds the same pairs, no more
assert_exit 0 "$BUILD/migrate" crosscheck
assert_contains "$(cat "$SCRATCH/out")" "cross-system duplicates (same caller phone within 30 minutes): 2" "idempotent"
