#!/usr/bin/env bash
# The HTML report as a browser sees it: headless Chromium loads the page
# (no network, no script), and every figure it shows, read back from the
# DOM by its data-* attribute, equals the JSON report. A screenshot is taken
# and must be a real picture.
set -euo pipefail
source "$TOP/tests/lib.sh"

command -v chromium >/dev/null || skip "chromium is not installed (Debian package chromium)"

fresh_store
export CG12319_DATABASE=legacy_t0601
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 3000 --seed 11 --out gen --database "$CG12319_DATABASE" >/dev/null
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml" --json
run=$(jq .run "$SCRATCH/out")
assert_exit 0 "$BUILD/migrate" report "$run" --out rep
J=rep/run-$run.json
H=$SCRATCH/rep/run-$run.html

chrome() {
  HOME=$SCRATCH timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-extensions \
    --user-data-dir="$SCRATCH/chrome" "$@" 2>>chrome.log
}
chrome --dump-dom "file://$H" >dom.html || die "chromium failed: $(tail -n 5 chrome.log)"
[[ -s dom.html ]] || die "empty DOM from chromium: $(tail -n 5 chrome.log)"
# one element per line for grep
sed 's/</\n</g' dom.html >dom.lines

# every element carrying these attributes has value $2
# (the DOM writes an attribute without value as data-x="")
dom_all() {
  local n bad pat=$1
  [[ $pat == *=* ]] || pat+='=""'
  n=$(grep -cF -- "$pat>" dom.lines || true)
  ((n > 0)) || die "no element with $1 on the page"
  bad=$(grep -F -- "$pat>" dom.lines | sed 's/^[^>]*>//' | grep -vxF -- "$2" || true)
  [[ -z $bad ]] || die "$1 shows [$bad], the JSON says [$2]"
}

checked=0
check() { # ATTRS EXPECTED
  dom_all "$1" "$2"
  checked=$((checked + 1))
}

# header
check 'data-balanced' "$(jq -r 'if .balanced then "yes" else "no" end' "$J")"
check 'data-run' "$run"
check 'data-system' cg12319
check 'data-status' finished
check 'data-tool-version' "$(jq -r .tool_version "$J")"
check 'data-started' "$(jq -r .started_at "$J")"
check 'data-playbook-sha256' "$(jq -r .playbook_sha256 "$J")"
# the stage table and the funnel chart
for st in $(jq -r '.stages | keys[]' "$J"); do
  for f in in out rejected merged total_in total_out; do
    v=$(jq -r --arg s "$st" --arg f "$f" '.stages[$s][$f]' "$J")
    check "data-stage=\"$st\" data-field=\"$f\"" "$v"
    case $f in in | out | rejected | merged) check "data-chart-stage=\"$st\" data-field=\"$f\"" "$v" ;; esac
  done
  check "data-stage=\"$st\" data-field=\"balance\"" "$(jq -r --arg s "$st" '.stages[$s].balance' "$J")"
done
assert_eq 6 "$(grep -c 'data-stage="[a-z]*" data-field="out"' dom.lines)" "six stages shown"
check 'data-summary="loaded"' "$(jq .stages.load.out "$J")"
check 'data-summary="rejected"' "$(jq .rejects_total "$J")"
check 'data-summary="merged"' "$(jq .stages.load.merged "$J")"
check 'data-summary="source"' "$(jq .stages.source.out "$J")"
check 'data-summary="target"' "$(jq .stages.target.out "$J")"
# rejects, fixes
for k in $(jq -r '.rejects | keys[]' "$J"); do
  check "data-reject=\"$k\"" "$(jq --arg k "$k" '.rejects[$k]' "$J")"
  check "data-chart-reject=\"$k\"" "$(jq --arg k "$k" '.rejects[$k]' "$J")"
done
check 'data-rejects-total' "$(jq .rejects_total "$J")"
assert_eq "$(jq '.rejects | length' "$J")" "$(grep -c 'data-reject-share="[a-z_.]*">[0-9.]*%$' dom.lines)" "a share per reason"
for k in $(jq -r '.fixes | keys[]' "$J"); do
  check "data-fix=\"$k\"" "$(jq --arg k "$k" '.fixes[$k]' "$J")"
done
check 'data-fix-unmapped' "$(jq .unmapped_category "$J")"
# coverage: the first 50 rows and the total
n=$(jq '[.coverage[:50][]] | length' "$J")
for ((i = 1; i <= n; i++)); do
  check "data-coverage=\"$i\" data-field=\"count\"" "$(jq ".coverage[$((i - 1))].count" "$J")"
  check "data-coverage=\"$i\" data-field=\"legacy_category_code\"" "$(jq -r ".coverage[$((i - 1))].legacy_category_code" "$J")"
  check "data-coverage=\"$i\" data-field=\"category_code\"" "$(jq -r ".coverage[$((i - 1))].category_code" "$J")"
done
check 'data-coverage-total' "$(jq .coverage_total.count "$J")"
check 'data-coverage-rows' "$(jq .coverage_total.rows "$J")"
for k in records mapped_by_table mapped_by_keyword defaulted rejected_unmapped; do
  check "data-coverage-summary=\"$k\"" "$(jq ".coverage_summary.$k" "$J")"
done
check 'data-many-to-one-count' "$(jq '.coverage_summary.many_to_one | length' "$J")"
while IFS=$'\t' read -r u l c; do
  check "data-many-to-one-legacy=\"$l\" data-unified=\"$u\"" "$c"
done < <(jq -r '.coverage_summary.many_to_one[] | .unified as $u | .legacy[] | [$u, .legacy, .count] | @tsv' "$J")
# per month (grid and chart), per category, per status
check 'data-workorders-total' "$(jq .counts.total "$J")"
for m in $(jq -r '.counts.months | keys[]' "$J"); do
  check "data-month=\"$m\"" "$(jq --arg m "$m" '.counts.months[$m]' "$J")"
done
assert_eq "$(jq '.counts.months | del(.none) | length' "$J")" "$(grep -c 'data-chart-month=' dom.lines)" "one bar per month"
while read -r m c; do
  grep -qF "data-chart-month=\"$m\" data-count=\"$c\"" dom.lines || die "chart bar of $m is not $c"
done < <(jq -r '.counts.months | del(.none) | to_entries[] | "\(.key) \(.value)"' "$J")
for y in $(jq -r '.counts.months | keys[] | select(. != "none") | .[0:4]' "$J" | sort -u); do
  check "data-year=\"$y\"" "$(jq --arg y "$y" '[.counts.months | to_entries[] | select(.key | startswith($y)) | .value] | add' "$J")"
done
check 'data-axis-max' "$(jq '[.counts.months | del(.none)[]] | max' "$J")"
for k in $(jq -r '.counts.categories | keys[]' "$J"); do
  check "data-category=\"$k\"" "$(jq --arg k "$k" '.counts.categories[$k]' "$J")"
done
while read -r k v; do
  check "data-status-count=\"$k\"" "$v"
done < <(jq -r '.counts.statuses | to_entries[] | "\(.key) \(.value)"' "$J")
check 'data-inputs-total' 0
check 'data-problems-count' "$(jq '.problems | length' "$J")"
# masked samples: at most 20, in the JSON's order
assert_eq "$(jq '.reject_samples | length' "$J")" "$(grep -c 'data-sample="[0-9]*" data-field="id"' dom.lines)" "sample rows"
check 'data-sample="1" data-field="id"' "$(jq '.reject_samples[0].id' "$J")"
check 'data-sample="1" data-field="legacy_key"' "$(jq -r '.reject_samples[0].legacy_key' "$J")"
echo "checked $checked figures" >&2
((checked > 150)) || die "only $checked figures checked"

# nothing in the DOM comes from outside, and nothing runs
grep -qi '<script' dom.html && die "a script in the page"
grep -Eqi '(src|href)="(https?:|//)' dom.html && die "an external resource in the page"

# a screenshot: a PNG of the asked size with real content
chrome --screenshot="$SCRATCH/shot.png" --window-size=1280,2000 "file://$H" >/dev/null || die "screenshot failed: $(tail -n 5 chrome.log)"
[[ -f shot.png ]] || die "no screenshot"
assert_eq "89504e470d0a1a0a" "$(head -c 8 shot.png | od -An -tx1 | tr -d ' \n')" "PNG signature"
assert_eq "00000500000007d0" "$(od -An -tx1 -j16 -N8 shot.png | tr -d ' \n')" "1280 x 2000 pixels"
size=$(stat -c %s shot.png)
((size > 60000)) || die "screenshot is only $size bytes: a blank page?"
