#!/usr/bin/env bash
# A cutover runbook: systems step by step, several at once, each its own
# `migrate run`; the consolidated reconciliation lists every system and the
# city's totals; one failing system does not stop the others.
set -euo pipefail
source "$TOP/tests/lib.sh"

export CG12319_DATABASE=legacy_t0150
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 1500 --seed 19 --out gen --database "$CG12319_DATABASE" >/dev/null
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
mkdir -p rb/cg12319 rb/drop rb/files
cp "$TOP/playbooks/cg12319.yaml" rb/
cp "$TOP"/playbooks/cg12319/*.csv rb/cg12319/
cp "$TOP/playbooks/taxonomy.csv" rb/
printf 'id,nr\n1,甲\n2,乙\n3,丙\n' > rb/files/export.csv
printf 'id,nr\n1,风\n2,雨\n' > rb/drop/20240101.csv
touch -d '10 minutes ago' rb/drop/20240101.csv
cat > rb/sw12312.yaml <<'EOT'
system: {code: sw12312, hotline: "12312", name: 商务举报投诉热线, department: 市商务局, mode: merge}
source: {driver: csv, dir: files}
tables:
  - {name: export.csv, target: raw, raw_as: text, encoding: utf-8}
EOT
cat > rb/qx12121.yaml <<'EOT'
system: {code: qx12121, hotline: "12121", name: 气象服务热线, department: 嘉峪关市气象局, mode: subcenter}
source: {driver: csv, dir: drop}
tables:
  - {name: "*.csv", target: raw, raw_as: text, encoding: utf-8, drop_folder: true}
EOT
cat > rb/runbook.yaml <<'EOT'
name: 嘉峪关市 12345 热线整合 (test)
parallel: 2
steps:
  - name: merge
    systems: [cg12319.yaml, sw12312.yaml]
  - name: subcenter
    systems: [qx12121.yaml]
EOT
assert_exit 0 "$BUILD/migrate" runbook rb/runbook.yaml --json
j=$SCRATCH/out
assert_eq 3 "$(jq '.systems | length' "$j")" "three systems"
assert_eq "0 0 0" "$(jq -r '[.systems[].exit] | map(tostring) | join(" ")' "$j")" "each balanced"
assert_eq "cg12319 sw12312 qx12121" "$(jq -r '[.systems[].run.system] | join(" ")' "$j")" "in runbook order"
assert_eq "$(( $(jq .loaded gen/expected.json) + 3 + 2 ))" "$(jq .totals.loaded "$j")" "city total of loaded records"
assert_eq "$(( 1500 + 3 + 2 ))" "$(jq .totals.source "$j")" "city total at the sources"
assert_eq true "$(jq .balanced "$j")" "balanced"

# text output: a line per system and the city total
assert_exit 0 "$BUILD/migrate" runbook rb/runbook.yaml
assert_contains "$(cat "$SCRATCH/out")" "city total" "the city's totals"
assert_contains "$(grep '^sw12312' "$SCRATCH/out")" "balanced" "a line per system"

# the consolidated report as files: city.json (the same document) and
# city.html (the verdict, the totals, a line and a stage table per system,
# links to each system's run page)
assert_exit 0 "$BUILD/migrate" runbook rb/runbook.yaml --report-dir rep
assert_eq true "$(jq .balanced rep/city.json)" "city.json: balanced"
assert_eq 3 "$(jq '.systems | length' rep/city.json)" "city.json: three systems"
loaded=$(jq .totals.loaded rep/city.json)
# (the drop folder's two records were taken by the first runbook: none new)
assert_eq "$(( $(jq .loaded gen/expected.json) + 3 + 0 ))" "$loaded" "city.json: loaded"
html=$(cat rep/city.html)
assert_contains "$html" "data-verdict=\"balanced\"" "city.html: the verdict"
assert_contains "$html" "data-total=\"loaded\">$loaded<" "city.html: the city's loaded records"
for code in cg12319 sw12312 qx12121; do
	run=$(jq -r --arg c "$code" '.systems[] | select(.run.system == $c) | .run.run' rep/city.json)
	[[ -f rep/$code/run-$run.html ]] || die "no run page for $code in rep/$code"
	assert_contains "$html" "href=\"$code/run-$run.html\"" "city.html links $code's run page"
	n=$(grep -c "data-system=\"$code\" data-stage=" rep/city.html)
	[[ $n -ge 4 ]] || die "city.html: $code has $n stage rows"
done
grep -q "OUT OF BALANCE" rep/city.html && die "city.html: a stage out of balance" || true

# a broken system fails alone
printf 'system: {code: broken, hotline: "1", mode: merge}\nsource: {driver: csv, dir: nowhere}\ntables:\n  - {name: x.csv, target: raw}\n' > rb/broken.yaml
sed -i 's/systems: \[qx12121.yaml\]/systems: [qx12121.yaml, broken.yaml]/' rb/runbook.yaml
assert_exit 1 "$BUILD/migrate" runbook rb/runbook.yaml --json
assert_eq "0 0 0 1" "$(jq -r '[.systems[].exit] | map(tostring) | join(" ")' "$SCRATCH/out")" "only the broken system failed"
assert_contains "$(cat "$(jq -r '.systems[3].log' "$SCRATCH/out")")" "no file matches 'x.csv'" "its log says why"
