#!/usr/bin/env bash
# No personal data leaves the store unmasked: every phone number, ID number
# and name of the legacy 12319 estate (all rows, rejected ones included) is
# searched for in every report file and in what `migrate run` and
# `migrate reconcile` print, in the forms the legacy data writes them
# (full-width digits, dashes and spaces folded). None may appear. The
# masked forms of the rejected rows' values must appear, so the search is
# known to look at the right place.
set -euo pipefail
source "$TOP/tests/lib.sh"
export LC_ALL=C.UTF-8 # names are cut by character

fresh_store
db=legacy_t0602
export CG12319_DATABASE=$db
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 3000 --seed 23 --out gen --database "$db" >/dev/null
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml"
cp "$SCRATCH/out" run.txt
first=$(pg_query "SELECT max(id) FROM migration.run")
assert_exit 0 "$BUILD/migrate" reconcile "$first"
cp "$SCRATCH/out" reconcile.txt
assert_exit 0 "$BUILD/migrate" reconcile "$first" --json
cp "$SCRATCH/out" reconcile.json
assert_exit 0 "$BUILD/migrate" report "$first" --out rep
[[ $(jq .rejects_total "rep/run-$first.json") -gt 10 ]] || die "too few rejects to test masking"

# full-width digits and X to ASCII
fold() {
  sed 's/０/0/g; s/１/1/g; s/２/2/g; s/３/3/g; s/４/4/g; s/５/5/g; s/６/6/g; s/７/7/g; s/８/8/g; s/９/9/g; s/Ｘ/X/g'
}
# every row of the legacy table, decoded (GBK as MariaDB knows it; four-byte
# GB18030 names come out with '?' and are taken from intended.tsv instead)
my_query "SELECT id, CONVERT(CAST(ldhm AS BINARY) USING gbk), CONVERT(CAST(lxdh AS BINARY) USING gbk),
  CONVERT(CAST(xm AS BINARY) USING gbk), CONVERT(CAST(sfzh AS BINARY) USING gbk) FROM $db.gd_jbxx" | fold >legacy.tsv
assert_eq 3000 "$(wc -l <legacy.tsv)" "legacy rows read"

# phones: a mobile (11 digits from 1, +86 dropped) and a landline with its
# area code (0937...) are searched as digits; a local number (7-8 digits)
# as the whole value of a raw column: "=6260143;"
{
  cut -f2,3 legacy.tsv | tr '\t' '\n'
  awk -F'\t' '$2 == "caller_phone" || $2 == "contact_phone" {print $3}' gen/intended.tsv | fold
} | grep -v '^NULL$\|^\\N$' | tr -cd '0-9\n' | sed 's/^86\(1[0-9]\{10\}\)$/\1/' | sort -u | awk '
  /^1[0-9]{10}$/ || /^0937[0-9]{7,8}$/ { print; next }
  /^[0-9]{7,8}$/ { print "=" $0 ";"; next }
  length($0) > 0 { print "unexpected phone shape: " $0 > "/dev/stderr"; exit 1 }' >phones.txt
# ID numbers: 18 characters, folded to ASCII
cut -f5 legacy.tsv | grep -v '^NULL$' | sort -u >ids.txt
grep -qvx '[0-9]\{17\}[0-9X]' ids.txt && die "unexpected ID shape: $(grep -vx '[0-9]\{17\}[0-9X]' ids.txt | head -n 3)"
# names: from both sides, except names that also occur in the non-personal
# text of the estate (a name like 王先生 may be written in a content)
{
  cut -f4 legacy.tsv | grep -v '?'
  awk -F'\t' '$2 == "caller_name" {print $3}' gen/intended.tsv
} | grep -v '^NULL$\|^\\N$\|^匿名$' | awk 'length($0) >= 2' | sort -u >names.all
my_query "SELECT CONVERT(CAST(CONCAT_WS(' ', dz, bt, sqnr, dfnr, cbdw, wtmc, sqlx) AS BINARY) USING gbk) FROM $db.gd_jbxx" >corpus.txt
awk -F'\t' '$2 != "caller_name" {print $3}' gen/intended.tsv >>corpus.txt
grep -oF -f names.all corpus.txt | sort -u >names.in-text || true
comm -23 names.all names.in-text >names.txt
cat phones.txt ids.txt names.txt >needles.txt
echo "searching for $(wc -l <phones.txt) phone numbers, $(wc -l <ids.txt) ID numbers, $(wc -l <names.txt) names" >&2
(($(wc -l <phones.txt) > 2000 && $(wc -l <ids.txt) > 2000 && $(wc -l <names.txt) > 500)) || die "too few needles"
grep -q $'\r' needles.txt && die "CR in the needles"

# what is searched: the files as written, and a projection with full-width
# digits folded and dashes and spaces removed (139-1234-5678 -> 13912345678)
files=(rep/* run.txt reconcile.txt reconcile.json)
search() { # FILE: prints the needles found in it
  { cat "$1"; fold <"$1" | tr -d ' -'; } | grep -oF -f needles.txt | sort -u || true
}
# the search works: a planted unmasked value of each kind is found
p=$(grep -m1 '^1' phones.txt); i=$(head -n 1 ids.txt); n=$(head -n 1 names.txt)
printf 'x,ldhm=%s,%s,%s\r\n' "$(sed 's/^\(...\)\(....\)/\1-\2-/' <<<"$p")" "$i" "$n" >planted.csv
assert_eq "$(printf '%s\n' "$i" "$n" "$p" | sort)" "$(search planted.csv | sort)" "planted values found"

found=0
for f in "${files[@]}"; do
  hits=$(search "$f")
  if [[ -n $hits ]]; then
    echo "personal data in $f: $(head -n 5 <<<"$hits" | tr '\n' ' ')" >&2
    found=1
  fi
done
((found == 0)) || die "unmasked personal data in the outputs"

# the rejected rows' own values are in the files, masked
R=rep/rejects-$first.csv
checked=0
while IFS=$'\t' read -r id ldhm lxdh xm sfzh; do
  row=$(grep "^$first,[0-9]*,[^,]*,[a-z]*,[a-z_]*,.*,$id,0,0,id=$id;" "$R" | fold) || die "reject $id not in $R"
  if [[ $ldhm =~ ^1[0-9]{10}$ ]]; then
    assert_contains "$row" "ldhm=${ldhm:0:3}****${ldhm:7:4};" "reject $id: mobile masked"
    checked=$((checked + 1))
  fi
  if [[ $sfzh != NULL ]]; then
    assert_contains "$row" "sfzh=${sfzh:0:6}********${sfzh:14:4};" "reject $id: ID number masked"
    checked=$((checked + 1))
  fi
  if [[ $xm != NULL && $xm != *'?'* ]]; then
    first_char=${xm:0:1}
    [[ $row == *"xm=$first_char"'*'* ]] || die "reject $id: name not masked as '$first_char*': $row"
    grep -qxF "$xm" names.all || die "name $xm of reject $id not searched for"
    checked=$((checked + 1))
  fi
  grep -qxF "$sfzh" ids.txt || [[ $sfzh == NULL ]] || die "ID of reject $id not searched for"
done < <(pg_query "SELECT convert_from(legacy_key, 'UTF8') FROM migration.reject WHERE run_id = $first ORDER BY id" |
  while read -r k; do grep "^$k"$'\t' legacy.tsv; done)
echo "checked $checked masked values of rejected rows" >&2
((checked > 20)) || die "only $checked masked values checked"
grep -q 'ldhm=1[0-9][0-9]\*\*\*\*[0-9]\{4\};' "$R" || die "no masked mobile like 139****5678 in $R"

# the page shows at most 20 masked samples and nothing personal but those
H=rep/run-$first.html
assert_eq 20 "$(grep -o 'data-sample="[0-9]*" data-field="id"' "$H" | wc -l)" "20 samples on the page"
