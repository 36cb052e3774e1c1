#!/usr/bin/env bash
# `migrate report RUN` renders a past run from the store alone: every file is
# written and listed, the JSON figures equal `migrate run --json` and the
# generator's ground truth, the rejects CSV has one row per reject, coverage
# sums to the loaded records, the page names the right SHA-256 of the other
# files, a re-render is byte-identical, the auditor role can render it, and
# bad command lines and unknown runs fail cleanly.
set -euo pipefail
source "$TOP/tests/lib.sh"

fresh_store
export CG12319_DATABASE=legacy_t0600
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 3000 --seed 7 --out gen --database "$CG12319_DATABASE" >/dev/null
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml" --json
cp "$SCRATCH/out" run.json
exp=gen/expected.json
run=$(jq .run run.json)

assert_exit 0 "$BUILD/migrate" report "$run" --out rep
printf 'rep/%s\n' "run-$run.json" "run-$run.html" "rejects-$run.csv" "coverage-$run.csv" "differences-$run.csv" | sort >want.list
sort "$SCRATCH/out" >got.list
cmp want.list got.list || die "report printed other paths: $(cat "$SCRATCH/out")"
for f in $(cat want.list); do
  [[ -s $f ]] || die "$f missing or empty"
done
[[ -z $(find rep -name '.*') ]] || die "temporary files left behind: $(find rep -name '.*')"
J=rep/run-$run.json
jq -e . "$J" >/dev/null || die "$J is not JSON"

# the JSON report: the same figures as the run's own JSON
assert_eq "$run" "$(jq .run "$J")" "run"
assert_eq '"cg12319"' "$(jq .system "$J")" "system"
assert_eq '"gd_jbxx"' "$(jq .table "$J")" "table"
assert_eq '"finished"' "$(jq .status "$J")" "status"
assert_eq "$(jq .balanced run.json)" "$(jq .balanced "$J")" "balanced"
assert_eq "$(jq -S -c .stages run.json)" "$(jq -S -c '.stages | map_values(del(.balance))' "$J")" "stages: counts and content totals"
assert_eq "$(jq -S -c .fixes run.json)" "$(jq -S -c .fixes "$J")" "fixes"
assert_eq "$(jq -S -c .rejects run.json)" "$(jq -S -c .rejects "$J")" "rejects by stage.reason"
assert_eq "$(jq -c .problems run.json)" "$(jq -c .problems "$J")" "problems"
assert_eq '"0.1.0"' "$(jq .tool_version "$J")" "tool version"
assert_eq '"playbook"' "$(jq .masking.basis "$J")" "masking from the playbook"
assert_eq '{"ldhm":"phone","lxdh":"phone","sfzh":"id","xm":"name"}' "$(jq -S -c .masking.personal_columns "$J")" "personal columns"
# ... and the generator's ground truth
assert_eq "$(jq .rejected_total $exp)" "$(jq .rejects_total "$J")" "rejects total"
assert_eq "$(jq .merged $exp)" "$(jq .merged_total "$J")" "merged records stored"
assert_eq "$(jq .loaded $exp)" "$(jq .counts.total "$J")" "work orders of the run"
assert_eq "$(jq -S -c .categories $exp)" "$(jq -S -c .counts.categories "$J")" "per-category counts"
assert_eq "$(jq -S -c .statuses $exp)" "$(jq -S -c .counts.statuses "$J")" "per-status counts"
assert_eq "$(jq -S -c .months $exp)" "$(jq -S -c .counts.months "$J")" "per-month counts"
assert_eq "$(jq .fixes.unmapped_category $exp)" "$(jq .unmapped_category "$J")" "unmapped categories"
assert_eq "$(jq .loaded $exp)" "$(jq '[.aggregates[].count] | add' "$J")" "month x category x status sums to the loaded records"
assert_eq "$(jq -c .reject_reasons "$J" | jq -c 'map({key: "\(.stage).\(.reason)", value: .count}) | from_entries' | jq -S -c .)" \
  "$(jq -S -c .rejects "$J")" "reject_reasons table = rejects"
assert_eq 20 "$(jq '.reject_samples | length' "$J")" "the first 20 rejects as masked samples"
assert_eq "$(pg_query "SELECT min(id) FROM migration.reject WHERE run_id = $run")" "$(jq '.reject_samples[0].id' "$J")" "samples in id order"
assert_eq "[]" "$(jq -c .inputs "$J")" "a database source has no input files"

# rejects CSV: one line per reject (values are escaped onto one line), the
# reasons as in the ledger
R=rep/rejects-$run.csv
assert_eq "run,id,table,stage,reason,detail,legacy_key,line,byte_offset,raw" "$(head -n 1 "$R" | tr -d '\r')" "rejects header"
assert_eq "$(jq .rejects_total "$J")" "$(($(wc -l <"$R") - 1))" "rejects CSV rows = rejected total"
assert_eq "$(jq '[.stages[].rejected] | add' run.json)" "$(($(wc -l <"$R") - 1))" "rejects CSV rows = sum of the stages' rejected"
assert_eq "$(grep -c $'\r$' "$R")" "$(wc -l <"$R")" "every CSV line ends with CRLF (RFC 4180)"
got=$(tail -n +2 "$R" | awk -F, '{print $4 "." $5}' | sort | uniq -c | awk '{printf "%s=%s,", $2, $1}')
want=$(jq -r '.rejects | to_entries | sort_by(.key) | map("\(.key)=\(.value)") | join(",")' run.json),
assert_eq "$want" "$got" "rejects CSV by stage.reason"
ids=$(tail -n +2 "$R" | cut -d, -f2 | sort -n | tr '\n' ' ')
assert_eq "$(pg_query "SELECT string_agg(id::text, ' ' ORDER BY id) || ' ' FROM migration.reject WHERE run_id = $run")" "$ids" "every reject id once"
# the undecodable bytes are shown where they are, as \xHH
grep -q 'sqnr=[^;]*\\x[0-9a-f][0-9a-f]' "$R" || die "no \\xHH escape in an undecodable content"
# keys are shown as they are: legacy_key is the id column's value
key=$(pg_query "SELECT convert_from(legacy_key, 'UTF8') FROM migration.reject WHERE run_id = $run ORDER BY id LIMIT 1")
assert_contains "$(sed -n 2p "$R")" ",$key,0,0,id=$key; gdbh=CG" "first reject: key, line, offset, raw row starting with its key"

# coverage CSV: sums to the loaded records; the unmapped codes land in 1299
C=rep/coverage-$run.csv
assert_eq "legacy_category_code,legacy_category_text,category_code,name,count" "$(head -n 1 "$C" | tr -d '\r')" "coverage header"
assert_eq "$(jq .stages.load.out run.json)" "$(tail -n +2 "$C" | tr -d '\r' | awk -F, '{s += $NF} END {print s}')" "coverage sums to loaded"
assert_eq "$(jq .coverage_total.rows "$J")" "$(($(wc -l <"$C") - 1))" "coverage rows"
assert_eq "$(jq '.categories["1299"]' $exp)" "$(jq '[.coverage[] | select(.category_code == "1299") | .count] | add' "$J")" "coverage of 1299"
for code in CG9901 CG9902 CG1101 X12; do
  assert_eq '"1299"' "$(jq --arg c $code '[.coverage[] | select(.legacy_category_code == $c) | .category_code] | unique | .[0]' "$J")" "unmapped $code mapped to the default"
done
grep -q '^CG0101,占道经营,0103,市容环境卫生,' "$C" || die "coverage row for CG0101 missing"
# coverage summary: how the categories were found (as validate says), on the
# transform's basis (copies merged at load included, as the fixes count them)
S='.coverage_summary'
assert_eq "$(jq .stages.transform.out run.json)" "$(jq "$S.records" "$J")" "coverage summary: records"
assert_eq "$(jq .fixes.unmapped_category run.json)" "$(jq "$S.defaulted" "$J")" "coverage summary: defaulted"
assert_eq 0 "$(jq "$S.mapped_by_keyword" "$J")" "coverage summary: no keyword rules in cg12319"
assert_eq 0 "$(jq "$S.rejected_unmapped" "$J")" "coverage summary: none rejected as unmapped"
assert_eq "$(($(jq "$S.records" "$J") - $(jq "$S.defaulted" "$J")))" "$(jq "$S.mapped_by_table" "$J")" "coverage summary: mapped by the table"
# many to one: every unified code reached from several legacy codes, with each code's count, as the store says
want=$(pg_query "SELECT string_agg(category_code || ':' || legacy_category_code || '=' || n, ' ' ORDER BY category_code, n DESC, legacy_category_code)
  FROM (SELECT category_code, legacy_category_code, count(*) n FROM hotline.work_order WHERE run_id = $run AND category_code IN
  (SELECT category_code FROM hotline.work_order WHERE run_id = $run GROUP BY 1 HAVING count(DISTINCT legacy_category_code) > 1)
  GROUP BY 1, 2) x")
[[ $want == *"0103:CG0101="* ]] || die "no many-to-one code at this scale: $want"
assert_eq "$want" "$(jq -r "[$S.many_to_one[] | .unified as \$u | .legacy[] | \"\(\$u):\(.legacy)=\(.count)\"] | join(\" \")" "$J")" \
  "coverage summary: many to one"
# the page shows the same figures, machine-checkable (docs/reports.md)
H=rep/run-$run.html
for k in records mapped_by_table mapped_by_keyword defaulted rejected_unmapped; do
  assert_eq "$(jq "$S.$k" "$J")" "$(grep -o "data-coverage-summary=\"$k\">[0-9]*<" "$H" | sed 's/.*>\([0-9]*\)<$/\1/')" "page: coverage $k"
done
assert_eq "$(jq "$S.many_to_one | length" "$J")" "$(grep -o 'data-many-to-one-count>[0-9]*<' "$H" | tr -dc 0-9)" "page: many-to-one count"
assert_eq "$(jq "[$S.many_to_one[].legacy[].count] | add" "$J")" \
  "$(grep -o 'data-many-to-one-legacy="[^"]*" data-unified="[^"]*">[0-9]*<' "$H" | sed 's/.*>\([0-9]*\)<$/\1/' | awk '{s += $1} END {print s}')" \
  "page: many-to-one counts"

# differences: a balanced run has the header only
assert_eq "run,stage,problem" "$(tr -d '\r' <rep/differences-$run.csv)" "no differences"

# the page names the SHA-256 of the other four files, which the files have
H=rep/run-$run.html
for f in run-$run.json rejects-$run.csv coverage-$run.csv differences-$run.csv; do
  want=$(sha256sum "rep/$f" | cut -d' ' -f1)
  got=$(grep -o "data-file=\"$f\">[0-9a-f]*<" "$H" | sed 's/.*>\([0-9a-f]*\)<$/\1/')
  assert_eq "$want" "$got" "SHA-256 of $f on the page"
done
grep -q '<script' "$H" && die "the page has a script"
grep -Eq '(src|href)="(https?:)?//' "$H" && die "the page loads something from outside"

# re-rendering gives the same bytes; the auditor role renders the same
assert_exit 0 "$BUILD/migrate" report "$run" --out rep2
for f in $(cat want.list); do
  cmp "$f" "rep2/${f#rep/}" || die "re-rendered $f differs"
done
psql -X -q -v ON_ERROR_STOP=1 -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 't0600_auditor')
  THEN CREATE ROLE t0600_auditor LOGIN; END IF; END \$\$; GRANT hotline_auditor TO t0600_auditor" >/dev/null
assert_eq "permission denied for table work_order" \
  "$(psql -X -q -U t0600_auditor -c 'SELECT 1 FROM hotline.work_order LIMIT 1' 2>&1 | sed -n 's/^ERROR:  //p')" "the auditor cannot read personal data"
assert_exit 0 "$BUILD/migrate" report "$run" --out rep3 --store "user=t0600_auditor"
assert_eq "permission denied for table reject" \
  "$(psql -X -q -U t0600_auditor -c 'SELECT raw FROM migration.reject LIMIT 1' 2>&1 | sed -n 's/^ERROR:  //p')" "the auditor cannot read rejected records' raw bytes"
for f in $(cat want.list); do
  case $f in
  */rejects-*.csv | */run-*.html | */run-*.json)
    # the raw bytes of rejects are not readable with this role: the same
    # report, with those values marked so
    grep -q "not readable with this role" "rep3/${f#rep/}" || die "$f: the auditor's copy does not say what it cannot read"
    ;;
  *) cmp "$f" "rep3/${f#rep/}" || die "$f rendered by the auditor role differs" ;;
  esac
done

# errors: unknown run (one line, exit 1), bad command lines (exit 2)
assert_exit 1 "$BUILD/migrate" report 99999 --out rep4
assert_eq 1 "$(wc -l <"$SCRATCH/err")" "one-line error"
assert_contains "$(cat "$SCRATCH/err")" "run 99999 does not exist in the store" "unknown run"
[[ -z $(ls rep4) ]] || die "files left for an unknown run: $(ls rep4)"
assert_exit 2 "$BUILD/migrate" report
assert_exit 2 "$BUILD/migrate" report abc
assert_exit 2 "$BUILD/migrate" report 0
assert_exit 2 "$BUILD/migrate" report "$run" --bogus
assert_exit 2 "$BUILD/migrate" report "$run" "$run"
assert_exit 1 "$BUILD/migrate" report "$run" --out /proc/no-such-dir/x
assert_contains "$(cat "$SCRATCH/err")" "cannot create the report directory" "unwritable directory"

# the default directory is ./reports
assert_exit 0 "$BUILD/migrate" report "$run"
[[ -s reports/run-$run.html ]] || die "default directory 'reports' not used"

# run --report-dir: reports and manifest of a new run (when manifests are built in)
rc=0
"$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml" --fresh --json --report-dir rr >run2.json 2>err2 || rc=$?
if ((rc == 1)) && grep -q "not compiled in" err2; then
  echo "note: manifests not compiled in; run --report-dir not tested" >&2
else
  assert_eq 0 "$rc" "run --report-dir: $(cat err2)"
  run2=$(jq .run run2.json)
  for f in run-$run2.json run-$run2.html rejects-$run2.csv coverage-$run2.csv differences-$run2.csv; do
    [[ -s rr/$f ]] || die "run --report-dir did not write $f"
  done
  assert_eq "$(jq -S -c .stages run2.json)" "$(jq -S -c '.stages | map_values(del(.balance))' rr/run-$run2.json)" "run --report-dir: stages"
fi
