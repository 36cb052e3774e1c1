#!/usr/bin/env bash
# Near-duplicate work orders within a system (`migrate dedup`): planted
# duplicates (same caller, minutes apart, text differing in punctuation or a
# phrase) point at their survivor; near misses (outside the window, other
# text, another caller, no phone) do not; the dedup ledger balances and
# equals the auditor's recount (docs/auditors.md); the run still reconciles;
# a second pass changes nothing; a stricter rule clears what no longer holds.
set -euo pipefail
source "$TOP/tests/lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null

mkdir -p data
noise=市民反映小区夜间施工噪音扰民，请求处理。
lamp=反映幸福路路灯不亮，影响夜间出行，希望尽快维修。
{
	echo "id,ldsj,ldhm,sqnr"
	echo "A1,2021-03-01 09:00:00,13900000001,$noise"
	echo "A2,2021-03-01 09:10:00,+86 139 0000 0001,市民反映：小区夜间施工噪音扰民!请求处理"  # punctuation
	echo "B1,2021-03-01 10:00:00,13900000002,$lamp"
	echo "B2,2021-03-01 10:10:00,13900000002,反映幸福路路灯不亮，影响夜间出行，请相关部门尽快维修。" # one phrase
	echo "C1,2021-03-01 11:00:00,13900000005,$lamp"                       # a chain: C2 and C3 point at C1
	echo "C2,2021-03-01 11:10:00,13900000005,$lamp"
	echo "C3,2021-03-01 11:20:00,13900000005,$lamp"
	echo "T2,2021-03-01 12:00:00,13900000006,$noise"                      # a tie: the smaller legacy id survives
	echo "T1,2021-03-01 12:00:00,13900000006,$noise"
	echo "N1,2021-03-01 11:00:00,13900000001,$noise"                      # outside the window of A1/A2
	echo "N2,2021-03-01 09:05:00,13900000003,咨询社保卡补办需要哪些材料"
	echo "N3,2021-03-01 09:08:00,13900000003,$noise"                      # same caller, other text
	echo "N4,2021-03-01 09:01:00,13900000004,$noise"                      # same text, another caller
	echo "N5,2021-03-01 09:00:00,,$noise"                                 # no phone
	echo "N6,2021-03-01 09:02:00,,$noise"
} >data/calls.csv
cat >x12345.yaml <<'EOT'
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
assert_exit 0 "$BUILD/migrate" run x12345.yaml --json
cp "$SCRATCH/out" run.json

# a dry run lists and writes nothing
assert_exit 0 "$BUILD/migrate" dedup --system x12345
assert_contains "$(cat "$SCRATCH/out")" "dry run, nothing written" "dry run said so"
assert_contains "$(cat "$SCRATCH/out")" "merged   within x12345 A2  ->  x12345 A1" "dry run lists the pair"
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE merged_into IS NOT NULL")" "dry run: no pointer"
assert_eq 0 "$(pg_query "SELECT count(*) FROM migration.dedup_pass")" "dry run: no pass"

assert_exit 0 "$BUILD/migrate" dedup --system x12345 --apply --json
cp "$SCRATCH/out" pass1.json
got=$(pg_query "SELECT w.legacy_id || '>' || s.legacy_id FROM hotline.work_order w
	JOIN hotline.work_order s ON s.id = w.merged_into ORDER BY 1" | tr '\n' ' ')
assert_eq "A2>A1 B2>B1 C2>C1 C3>C1 T2>T1 " "$got" "duplicates point at their survivors, near misses at nothing"
assert_eq 5 "$(jq .merged pass1.json)" "merged count"
assert_eq true "$(jq .balanced pass1.json)" "the pass balances"
assert_eq "15 10 5" "$(jq -r '.ledger[] | select(.system == "x12345") | "\(.in) \(.out) \(.merged)"' pass1.json)" \
	"dedup ledger: in = out + merged"
# rule and score with both keys, for the auditor
assert_eq "within|merged|x12345|A1" "$(pg_query "SELECT scope || '|' || action || '|' || survivor_system || '|' ||
	survivor_legacy_id FROM migration.dedup WHERE legacy_id = 'A2'")" "the pair is recorded"
assert_contains "$(pg_query "SELECT rule FROM migration.dedup WHERE legacy_id = 'B2'")" "within 30 minutes" "the rule is recorded"
(($(pg_query "SELECT (score < 1 AND score >= 0.5)::int FROM migration.dedup WHERE legacy_id = 'B2'") == 1)) ||
	die "the one-phrase duplicate's score is not between 0.5 and 1"
# no phone in the clear
grep -q 13900000001 pass1.json && die "an unmasked phone in the output"
assert_contains "$(jq -r '.pairs[0].caller_phone' pass1.json)" "****" "phones masked"

# the auditor's SQL from docs/auditors.md recounts the same ledger
block() {
	awk -v name="$1" '
		/^```sql/ { inb = 1; buf = ""; next }
		/^```/ && inb { if (buf ~ ("-- auditor: " name "\n")) { printf "%s", buf; found = 1 } inb = 0; next }
		inb { buf = buf $0 "\n" }
		END { if (!found) exit 1 }' "$TOP/docs/auditors.md"
}
block dedup-recount >recount.sql || die "docs/auditors.md has no dedup-recount block"
block dedup-pointers >pointers.sql || die "docs/auditors.md has no dedup-pointers block"
block dedup-city >city.sql || die "docs/auditors.md has no dedup-city block"
assert_eq "$(pg_query "SELECT source_system, rows_in, rows_out, merged, total_in, total_out, total_merged
	FROM migration.dedup_ledger WHERE pass_id = (SELECT max(id) FROM migration.dedup_pass)")" \
	"$(psql -XAtq -f recount.sql)" "the auditor's recount = the dedup ledger"
assert_eq "0|0" "$(psql -XAtq -f pointers.sql)" "every pointer explained, none chained"
assert_eq "10|10" "$(psql -XAtq -f city.sql)" "city: a merged pair counts once"

# nothing deleted: the dedup stage's in is the run's target (count and
# content total), so the run's own ledger is untouched (a csv source has no
# recount: t0651 runs `migrate reconcile` after dedup)
assert_eq "$(jq -r '"\(.stages.target.out) \(.stages.target.total_out)"' run.json)" \
	"$(jq -r '.ledger[] | select(.system == "x12345") | "\(.in) \(.total_in)"' pass1.json)" "dedup in = the run's target"
assert_eq 15 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'x12345'")" "nothing deleted"

# a second pass changes nothing
before=$(pg_query "SELECT string_agg(id || ':' || merged_into || ':' || merge_pass, ',' ORDER BY id)
	FROM hotline.work_order WHERE merged_into IS NOT NULL")
assert_exit 0 "$BUILD/migrate" dedup --system x12345 --apply --json
assert_eq "5 0" "$(jq -r '"\(.merged) \(.cleared)"' "$SCRATCH/out")" "second pass: same merges, nothing cleared"
assert_eq "$before" "$(pg_query "SELECT string_agg(id || ':' || merged_into || ':' || merge_pass, ',' ORDER BY id)
	FROM hotline.work_order WHERE merged_into IS NOT NULL")" "second pass: pointers unchanged"
# re-running the load keeps the pointers and the balance
assert_exit 0 "$BUILD/migrate" run x12345.yaml
assert_eq 5 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE merged_into IS NOT NULL")" "a re-run keeps the pointers"

# a stricter rule clears what no longer holds (the one-phrase pair)
assert_exit 0 "$BUILD/migrate" dedup --system x12345 --min-similarity 0.7 --apply --json
assert_eq "4 1" "$(jq -r '"\(.merged) \(.cleared)"' "$SCRATCH/out")" "stricter: one pointer cleared"
assert_eq "" "$(pg_query "SELECT merged_into FROM hotline.work_order WHERE legacy_id = 'B2'")" "B2 survives again"
# a narrower window: C3 (20 minutes after C1) survives, its earlier match C2 is a duplicate
assert_exit 0 "$BUILD/migrate" dedup --system x12345 --window 15 --apply --json
assert_eq "" "$(pg_query "SELECT merged_into FROM hotline.work_order WHERE legacy_id = 'C3'")" \
	"C3 matches only the duplicate C2: it survives"
assert_eq true "$(jq .balanced "$SCRATCH/out")" "balanced after clearing"

# usage errors
assert_exit 2 "$BUILD/migrate" dedup --min-similarity 1.5
assert_exit 2 "$BUILD/migrate" dedup --system x12345 --across merge
assert_exit 2 "$BUILD/migrate" dedup --window 0
echo ok
