#!/usr/bin/env bash
# migrate validate on the 12319 estate (MariaDB, latin1 columns holding GBK):
# without a store, the reject counts by reason, the fixes and the repeated
# legacy ids equal the generator's ground truth; the JSON and the HTML page
# say the same; every reason has its examples; the category coverage names
# the unmapped codes; --rows bounds the sample; exit codes 0/1/2/3; and no
# phone number, ID number or name of the estate appears unmasked in any
# output.
set -euo pipefail
source "$TOP/tests/lib.sh"
export LC_ALL=C.UTF-8
MIGRATE=${MIGRATE:-$BUILD/migrate}
PB=$TOP/playbooks/cg12319.yaml

db=legacy_t0500
export CG12319_DATABASE=$db
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 3000 --seed 5 --out gen --database "$db" >/dev/null
exp=gen/expected.json

# no store: the store's connection points nowhere
nostore() { env PGHOST=/nonexistent PGDATABASE=nonexistent MIGRATE_STORE='host=/nonexistent dbname=none' "$@"; }

assert_exit 3 nostore "$MIGRATE" validate "$PB" --json --html page.html
cp "$SCRATCH/out" v.json
jq -e . v.json >/dev/null || die "--json output is not JSON"
assert_eq "$(jq .rows $exp)" "$(jq .rows v.json)" "records read"
assert_eq "$(jq -S -c .rejected $exp)" "$(jq -S -c .rejects v.json)" "rejects by reason"
assert_eq "$(jq .rejected_total $exp)" "$(jq .rejected_total v.json)" "rejected in all"
assert_eq "$(jq .fixes.zero_date $exp)" "$(jq .fixes.zero_date v.json)" "fix zero_date"
assert_eq "$(jq .fixes.unmapped_category $exp)" "$(jq .fixes.unmapped_category v.json)" "fix unmapped_category"
assert_eq "$(jq '.loaded + .merged' $exp)" "$(jq .passed v.json)" "records that pass the transform"
assert_eq "$(jq .merged $exp)" "$(jq .repeated_legacy_ids v.json)" "repeated legacy ids (merged at load)"
# every stage balances, and the stages link
for s in extract decode transform; do
  assert_eq "$(jq ".stages.$s.in" v.json)" "$(jq ".stages.$s.out + .stages.$s.rejected" v.json)" "stage $s balances"
done
assert_eq "$(jq .stages.extract.out v.json)" "$(jq .stages.decode.in v.json)" "decode.in = extract.out"
assert_eq "$(jq .stages.decode.out v.json)" "$(jq .stages.transform.in v.json)" "transform.in = decode.out"
assert_eq "$(jq '.rejected."decode.undecodable"' $exp)" "$(jq .stages.decode.rejected v.json)" "decode rejects"

# examples: up to 10 per reason, each with key, detail and the masked record
T='.tables[0]'
assert_eq 2 "$(jq "$T.rejects | length" v.json)" "two reasons"
for r in decode.undecodable transform.invalid_date; do
  n=$(jq --arg r $r "$T.rejects[] | select(.reason == \$r) | .count" v.json)
  ex=$(jq --arg r $r "$T.rejects[] | select(.reason == \$r) | .examples | length" v.json)
  assert_eq "$((n < 10 ? n : 10))" "$ex" "$r: examples kept"
  assert_eq 0 "$(jq --arg r $r "[$T.rejects[] | select(.reason == \$r) | .examples[] |
    select(.key == \"\" or .detail == \"\" or (.record | test(\"^id=[0-9]+; gdbh=CG\") | not))] | length" v.json)" \
    "$r: every example has a key, a detail and the record by column"
done
# the undecodable bytes are shown as \xHH where they are, in the column the detail names
jq -r "$T.rejects[] | select(.reason == \"decode.undecodable\") | .examples[] | [.detail, .bytes, .value] | join(\"\\u001f\")" v.json >undec.txt
while IFS=$'\x1f' read -r detail bytes value; do
  assert_contains "$detail" "column 'sqnr' does not decode as" "undecodable detail"
  [[ $value == sqnr=* ]] || die "undecodable example does not show column sqnr: $value"
  [[ $value =~ \\x(81\\x7f|ff|b0) ]] || die "no \\xHH of the bad bytes in: $value"
  # the raw bytes around the offset: the byte at the detail's offset is a bad one
  at=${detail##* at byte }
  at=${at%% of *}
  [[ $bytes =~ ^sqnr\ bytes\ ([0-9]+)\.\.[0-9]+\ of\ [0-9]+:\ ((\\x[0-9a-f][0-9a-f]|[^\\])*)$ ]] || die "bytes: $bytes"
  from=${BASH_REMATCH[1]}
  hex=${BASH_REMATCH[2]}
  mapfile -t tok < <(grep -o '\\x[0-9a-f][0-9a-f]\|[^\\]' <<<"$hex")
  [[ ${tok[at - from]} =~ ^\\x(81|ff|b0)$ ]] || die "the bad byte is not at offset $at in: $bytes"
done <undec.txt
# the first undecodable row's stored bytes: what the example shows around them decodes to what is stored
key=$(jq -r "$T.rejects[] | select(.reason == \"decode.undecodable\") | .examples[0].key" v.json)
[[ $(my_query "SELECT id FROM $db.gd_jbxx WHERE id = $key") == "$key" ]] || die "example key $key is not a row"
jq -r "$T.rejects[] | select(.reason == \"transform.invalid_date\") | .examples[].detail" v.json | while read -r d; do
  [[ $d =~ ^column\ \'ldsj\'\ holds\ \'20[0-9][0-9]-[0-9][0-9]-3[01]|^column\ \'ldsj\'\ holds\ \'20[0-9][0-9]-02-(29|30|31) ]] ||
    die "invalid date example: $d"
done

# fields: samples before -> after, personal ones masked
assert_eq '"0000-00-00 00:00:00"' "$(jq -c "[$T.fields[] | select(.field == \"received_at\") | .samples[] | select(.after == null) | .before][0]" v.json)" \
  "a zero date sample shows NULL after"
jq -r "$T.fields[] | select(.field == \"caller_phone\") | .samples[] | .after // empty" v.json | while read -r a; do
  [[ $a =~ ^1[0-9]{2}\*{4}[0-9]{4}$|^093\*-\*{3}[0-9]{4}$ ]] || die "caller_phone sample not masked as a phone: $a"
done
assert_eq '"name"' "$(jq "$T.fields[] | select(.field == \"caller_name\") | .mask" v.json)" "caller_name masked as a name"
assert_eq '"category"' "$(jq "$T.fields[] | select(.field == \"category_code\") | .type" v.json)" "category field"

# coverage: the unmapped codes and their records
C="$T.coverage[] | select(.field == \"category_code\")"
assert_eq "$(jq .fixes.unmapped_category $exp)" "$(jq "$C | .records_unmapped" v.json)" "records with unmapped categories"
assert_eq "$(jq '.loaded + .merged' $exp)" "$(jq "$C | .records" v.json)" "coverage counts every record that passes"
got=$(jq -r "$C | .unmapped[].legacy" v.json | sort | tr '\n' ' ')
for c in $got; do
  case $c in CG9901 | CG9902 | CG1101 | X12) ;; *) die "unexpected unmapped code $c" ;; esac
done
[[ -n $got ]] || die "no unmapped codes listed"
assert_eq "$(jq "$C | .records" v.json)" "$(jq "[$C | .codes[].count] | add" v.json)" "coverage pairs add up"

# the terminal summary says the same
assert_exit 3 nostore "$MIGRATE" validate "$PB"
cp "$SCRATCH/out" v.txt
assert_contains "$(cat v.txt)" "decode.undecodable" "text: reason"
assert_contains "$(cat v.txt)" "$(jq '.rejected."decode.undecodable"' $exp)" "text: count"
grep -q "^total: 3000 records read, $(jq .passed v.json) pass the transform, $(jq .rejected_total $exp) would be rejected$" v.txt ||
  die "text: no total line: $(tail -n 3 v.txt)"
grep -q "zero_date *$(jq .fixes.zero_date $exp) " v.txt || die "text: fix zero_date"

# the HTML page: one self-contained document with the same figures
H=page.html
[[ -s $H ]] || die "no HTML page"
head -c 15 $H | grep -q '<!DOCTYPE html>' || die "not an HTML document"
tail -n 1 $H | grep -q '</html>' || die "HTML not complete"
grep -q '<style>' $H || die "no inline CSS"
if grep -Eiq '<script|<link|src=|https?://|@import|url\(' $H; then die "the page refers to outside assets"; fi
grep -q "<b id=rows>3000</b>" $H || die "HTML: records read"
grep -q "<b id=rejected class=bad>$(jq .rejected_total $exp)</b>" $H || die "HTML: rejected"
grep -q "<b id=passed>$(jq .passed v.json)</b>" $H || die "HTML: passed"
grep -q "<b id=repeated>$(jq .merged $exp)</b>" $H || die "HTML: repeated"
grep -q "<tr><td>decode.undecodable</td><td class=n>$(jq '.rejected."decode.undecodable"' $exp)</td>" $H || die "HTML: reason row"
grep -q "<tr><td>zero_date</td><td class=n>$(jq .fixes.zero_date $exp)</td>" $H || die "HTML: fix row"
assert_eq "$(jq "[$T.rejects[].examples | length] | add" v.json)" "$(grep -c '^<tr class=ex><td><code>' $H)" "HTML: one row per example"
for tag in table tr td details; do
  assert_eq "$(grep -o "<${tag}[ >]" $H | wc -l)" "$(grep -o "</$tag>" $H | wc -l)" "HTML: <$tag> closed"
done
if command -v chromium >/dev/null; then
  HOME=$SCRATCH timeout 180 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --user-data-dir="$SCRATCH/chrome" --dump-dom "file://$SCRATCH/$H" >dom.html 2>chrome.log || die "chromium: $(tail -n 3 chrome.log)"
  grep -q 'id="rejected" class="bad">'"$(jq .rejected_total $exp)"'<' dom.html || die "the browser does not show the figures"
fi

# --rows: a bounded sample
assert_exit 3 nostore "$MIGRATE" validate "$PB" --rows 100 --json
assert_eq 100 "$(jq .rows "$SCRATCH/out")" "--rows 100 reads 100 records"
assert_eq 100 "$(jq .rows_limit "$SCRATCH/out")" "--rows in the JSON"
# the first 3 records: a clean one, a zero date (a fix) and a copy: nothing rejected, exit 0
assert_exit 0 nostore "$MIGRATE" validate "$PB" --rows 3 --json
assert_eq 0 "$(jq .rejected_total "$SCRATCH/out")" "first 3 records: no reject"
assert_eq 1 "$(jq .repeated_legacy_ids "$SCRATCH/out")" "first 3 records: the copy"
assert_eq 1 "$(jq .fixes.zero_date "$SCRATCH/out")" "first 3 records: the zero date"

# usage and errors
assert_exit 2 "$MIGRATE" validate
assert_exit 2 "$MIGRATE" validate "$PB" --rows 0
assert_exit 2 "$MIGRATE" validate "$PB" --rows x
assert_exit 2 "$MIGRATE" validate "$PB" --html
assert_exit 2 "$MIGRATE" validate "$PB" --bogus
CG12319_DATABASE=legacy_t0500_missing assert_exit 1 nostore "$MIGRATE" validate "$PB"
assert_contains "$(cat "$SCRATCH/err")" "migrate: error:" "error message"
printf 'system: {code: x}\n' >bad.yaml
assert_exit 1 "$MIGRATE" validate bad.yaml
assert_exit 1 "$MIGRATE" validate "$PB" --html /nonexistent/dir/page.html
[[ ! -e /nonexistent/dir/page.html ]] || die "page written"

# ---- privacy: no phone, ID number or name of the estate in any output
fold() {
  sed 's/０/0/g; s/１/1/g; s/２/2/g; s/３/3/g; s/４/4/g; s/５/5/g; s/６/6/g; s/７/7/g; s/８/8/g; s/９/9/g; s/Ｘ/X/g'
}
my_query "SELECT CONVERT(CAST(ldhm AS BINARY) USING gbk), CONVERT(CAST(lxdh AS BINARY) USING gbk),
  CONVERT(CAST(xm AS BINARY) USING gbk), CONVERT(CAST(sfzh AS BINARY) USING gbk) FROM $db.gd_jbxx" | fold >legacy.tsv
{ cut -f1,2 legacy.tsv | tr '\t' '\n'; } | grep -v '^NULL$' | tr -cd '0-9\n' | sed 's/^86\(1[0-9]\{10\}\)$/\1/' |
  awk '/^1[0-9]{10}$/ || /^0937[0-9]{7,8}$/ { print; next } /^[0-9]{7,8}$/ { print "=" $0 ";" }' | sort -u >phones.txt
cut -f4 legacy.tsv | grep -v '^NULL$' | sort -u >ids.txt
my_query "SELECT CONVERT(CAST(CONCAT_WS(' ', dz, bt, sqnr, dfnr, cbdw, wtmc, sqlx) AS BINARY) USING gbk) FROM $db.gd_jbxx" >corpus.txt
{ cut -f3 legacy.tsv | grep -v '?'; awk -F'\t' '$2 == "caller_name" {print $3}' gen/intended.tsv; } |
  grep -v '^NULL$\|^\\N$\|^匿名$' | awk 'length($0) >= 2' | sort -u >names.all
grep -oF -f names.all corpus.txt | sort -u >names.in-text || true
comm -23 names.all names.in-text >names.txt
cat phones.txt ids.txt names.txt >needles.txt
(($(wc -l <phones.txt) > 1500 && $(wc -l <ids.txt) > 1500 && $(wc -l <names.txt) > 300)) ||
  die "too few needles: $(wc -l <phones.txt) $(wc -l <ids.txt) $(wc -l <names.txt)"
search() { { cat "$1"; fold <"$1" | tr -d ' -'; } | grep -oF -f needles.txt | sort -u || true; }
printf 'ldhm=%s %s %s\n' "$(head -n 1 phones.txt)" "$(head -n 1 ids.txt)" "$(head -n 1 names.txt)" >planted.txt
assert_eq 3 "$(search planted.txt | wc -l)" "the search finds planted values"
for f in v.json v.txt page.html; do
  hits=$(search $f)
  [[ -z $hits ]] || die "personal data in $f: $(head -n 5 <<<"$hits" | tr '\n' ' ')"
done
# and the masked forms are there
grep -q 'ldhm=1[0-9][0-9]\*\*\*\*[0-9]\{4\};' v.json || die "no masked mobile in the examples"
grep -q 'sfzh=[0-9]\{6\}\*\{8\}[0-9]\{3\}[0-9X];' v.json || die "no masked ID number in the examples"
