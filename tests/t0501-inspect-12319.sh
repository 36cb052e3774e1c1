#!/usr/bin/env bash
# migrate inspect on the 12319 MariaDB table, from a playbook that names
# only the table and its key: the encoding decisions with their evidence
# (GBK text columns, ASCII order numbers), the date format of ldsj with its
# zero and impossible dates, the personal columns masked; the draft playbook
# passes `migrate check`, and `migrate run` of the draft loads exactly the
# records the ground truth says.
set -euo pipefail
source "$TOP/tests/lib.sh"
export LC_ALL=C.UTF-8
MIGRATE=${MIGRATE:-$BUILD/migrate}
# full-width digits and X to ASCII
fold() {
  sed 's/０/0/g; s/１/1/g; s/２/2/g; s/３/3/g; s/４/4/g; s/５/5/g; s/６/6/g; s/７/7/g; s/８/8/g; s/９/9/g; s/Ｘ/X/g'
}

fresh_store
db=legacy_t0501
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 3000 --seed 9 --out gen --database "$db" >/dev/null
exp=gen/expected.json

cat >pb.yaml <<EOF
# what department IT knows before inspecting: where the table is
system: {code: cg12319, hotline: "12319", name: 城管热线, department: 市城市管理局, mode: merge}
source:
  driver: mysql
  socket: \${MYSQL_UNIX_PORT}
  database: $db
  user: \${MIGRATE_MYSQL_USER}
  password_env: MIGRATE_MYSQL_PASSWORD
tables:
  - name: gd_jbxx
    key: id
EOF
# check refuses it (no encoding, no fields); inspect takes it
assert_exit 1 "$BUILD/migrate" check pb.yaml
assert_exit 0 "$MIGRATE" inspect pb.yaml --json
cp "$SCRATCH/out" i.json
jq -e . i.json >/dev/null || die "--json output is not JSON"
T='.tables[0]'
col() { jq -c "$T.columns[] | select(.name == \"$1\") | $2" i.json; }
assert_eq 3000 "$(jq "$T.rows" i.json)" "rows profiled"
assert_eq 19 "$(jq "$T.columns | length" i.json)" "columns"
assert_eq '"gbk"' "$(jq "$T.encoding.decision" i.json)" "table encoding"

# the evidence: GBK decodes the text columns and reads common simplified
# characters; Big5 and UTF-8 do not
for c in sqnr xm dz; do
  assert_eq '"gbk"' "$(col $c .encoding.encoding)" "$c: encoding"
  assert_eq '"gbk"' "$(col $c .decoded_as)" "$c: decoded as"
  pct=$(col $c '.encoding.candidates[] | select(.encoding == "gbk") | .common_percent')
  b5=$(col $c '.encoding.candidates[] | select(.encoding == "big5") | .common_percent')
  jq -n -e "$pct >= 15 and $pct >= 2 * $b5" >/dev/null || die "$c: gbk $pct% common vs big5 $b5%"
  assert_eq false "$(col $c '.encoding.candidates[] | select(.encoding == "utf-8") | .eligible')" "$c: utf-8 not eligible"
  assert_contains "$(col $c .encoding.reason)" "gbk decodes" "$c: reason"
  (($(col $c .encoding.nonascii) > 100)) || die "$c: too small a sample"
done
assert_eq false "$(col xm .encoding.weak)" "xm: a strong decision over short names"
# the undecodable rows of the sample are what gbk cannot decode (the
# sample of a long-text column is capped, so it may hold fewer of them)
failed=$(col sqnr '.encoding.candidates[] | select(.encoding == "gbk") | .failed')
((failed > 0 && failed <= $(jq '.rejected."decode.undecodable"' $exp))) || die "sqnr: gbk fails on $failed values"
for c in id gdbh ldsj wtlb blzt; do
  assert_eq '"ascii"' "$(col $c .encoding.encoding)" "$c: ascii"
done
assert_eq 0 "$(col gdbh .nulls)" "gdbh: no NULL"
assert_eq 16 "$(col gdbh .min_bytes)" "gdbh: length"
assert_eq true "$(col gdbh .distinct_more)" "gdbh: 1000+ distinct"
assert_eq 6 "$(col blzt .distinct)" "blzt: 6 statuses"
assert_eq 3000 "$(col blzt '[.top[].count] | add')" "blzt: every value listed"

# dates: ldsj in one format, with the zero dates and the impossible ones
assert_eq true "$(col ldsj .date_column)" "ldsj is a date column"
assert_eq 1 "$(col ldsj '.dates.formats | length')" "ldsj: one format"
assert_eq '"%Y-%m-%d %H:%M:%S"' "$(col ldsj '.dates.formats[0].format')" "ldsj: format"
assert_eq "$(jq .fixes.zero_date $exp)" "$(col ldsj '.dates.formats[0].zero')" "ldsj: zero dates"
assert_eq "$(jq '.rejected."transform.invalid_date"' $exp)" "$(col ldsj '.dates.formats[0].invalid')" "ldsj: impossible dates"
assert_eq '"0000-00-00 00:00:00"' "$(col ldsj '.samples[] | select(. == "0000-00-00 00:00:00")' | sed -n 1p)" \
  "ldsj: a zero date among the samples (row 2)"
assert_eq false "$(col sqnr .date_column)" "sqnr is no date column"

# personal columns: masked, by name
for c in xm ldhm lxdh sfzh; do
  assert_eq '"name"' "$(col $c .personal_by)" "$c: personal by its name"
done
assert_eq '"phone"' "$(col ldhm .mask)" "ldhm masked as a phone"
col sfzh '.samples[]' | fold | grep -vq '^"[0-9]\{6\}\*\{8\}[0-9]\{3\}[0-9X]"$' && die "sfzh samples not masked: $(col sfzh .samples)"
# guesses
assert_eq '["legacy_id","order_no"]' "$(col gdbh .guess)" "gdbh: legacy_id and order_no"
assert_eq '["received_at"]' "$(col ldsj .guess)" "ldsj: received_at"
assert_eq '["caller_id_no"]' "$(col sfzh .guess)" "sfzh: caller_id_no"

# the terminal profile says the same
assert_exit 0 "$MIGRATE" inspect pb.yaml --draft draft.yaml
cp "$SCRATCH/out" i.txt
grep -q '^  encoding: gbk ' i.txt || die "text: table encoding"
grep -q '^    why: gbk decodes' i.txt || die "text: evidence"
grep -q '^      %Y-%m-%d %H:%M:%S .*'"$(jq .fixes.zero_date $exp)"' all-zero' i.txt || die "text: zero dates"
grep -q '^  sqnr .* gbk *content$' i.txt || die "text: sqnr line"

# the draft: valid for check, and a run loads what the ground truth says
[[ -s draft.yaml ]] || die "no draft"
grep -q '^    encoding: gbk' draft.yaml || die "draft: encoding"
grep -q 'guessed from the column name' draft.yaml || die "draft: guesses marked"
grep -q 'TODO' draft.yaml || die "draft: TODOs marked"
grep -q 'zero: null' draft.yaml || die "draft: zero dates policy"
assert_exit 0 "$BUILD/migrate" check draft.yaml
export CG12319_DATABASE=$db
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run draft.yaml --json
cp "$SCRATCH/out" run.json
assert_eq "$(jq .loaded $exp)" "$(jq .stages.load.out run.json)" "draft run: loaded"
assert_eq "$(jq .merged $exp)" "$(jq .stages.load.merged run.json)" "draft run: merged"
assert_eq "$(jq -S -c .rejected $exp)" "$(jq -S -c .rejects run.json)" "draft run: rejects"
assert_eq "$(jq .fixes.zero_date $exp)" "$(jq .fixes.zero_date run.json)" "draft run: zero dates loaded as NULL"
# the text arrives decoded as intended, byte for byte (names, contents, addresses;
# the draft has no districts table, so its addresses get cg12319/districts.csv here)
rename=$(sed 1d "$TOP/playbooks/cg12319/districts.csv" | awk -F, '{printf "s/%s/%s/g;", $1, $2}')
for f in caller_name content address; do
  pg_query "COPY (SELECT legacy_id, '$f', $f FROM hotline.work_order WHERE source_system = 'cg12319') TO STDOUT" |
    { if [[ $f == address ]]; then sed "$rename"; else cat; fi; } | LC_ALL=C sort >got.$f
  awk -F'\t' -v f=$f '$2 == f' gen/intended.tsv | LC_ALL=C sort >want.$f
  assert_eq "$(wc -l <want.$f)" "$(wc -l <got.$f)" "draft run: $f values"
  cmp -s want.$f got.$f || die "draft run: $f differs from the intended text: $(diff want.$f got.$f | head -n 3)"
done

# validate of the draft, without a store, agrees
assert_exit 3 "$MIGRATE" validate draft.yaml --json
assert_eq "$(jq -S -c .rejected $exp)" "$(jq -S -c .rejects "$SCRATCH/out")" "validate of the draft"

# --rows bounds the profile
assert_exit 0 "$MIGRATE" inspect pb.yaml --rows 50 --json
assert_eq 50 "$(jq "$T.rows" "$SCRATCH/out")" "--rows 50"
# a playbook with other mistakes is still refused
sed 's/driver: mysql/driver: nosuch/' pb.yaml >bad.yaml
assert_exit 1 "$MIGRATE" inspect bad.yaml
assert_contains "$(cat "$SCRATCH/err")" "nosuch" "unknown driver named"
assert_exit 2 "$MIGRATE" inspect
assert_exit 2 "$MIGRATE" inspect pb.yaml --draft

# ---- privacy: no phone, ID number or name in the profile or the draft
my_query "SELECT CONVERT(CAST(ldhm AS BINARY) USING gbk), CONVERT(CAST(lxdh AS BINARY) USING gbk),
  CONVERT(CAST(xm AS BINARY) USING gbk), CONVERT(CAST(sfzh AS BINARY) USING gbk) FROM $db.gd_jbxx" | fold >legacy.tsv
cut -f1,2 legacy.tsv | tr '\t' '\n' | grep -v '^NULL$' | tr -cd '0-9\n' | sed 's/^86\(1[0-9]\{10\}\)$/\1/' |
  awk '/^1[0-9]{10}$/ || /^0937[0-9]{7,8}$/ { print; next } /^[0-9]{7,8}$/ { print "\"" $0 "\"" }' | sort -u >phones.txt
cut -f4 legacy.tsv | grep -v '^NULL$' | sort -u >ids.txt
my_query "SELECT CONVERT(CAST(CONCAT_WS(' ', dz, bt, sqnr, dfnr, cbdw, wtmc, sqlx) AS BINARY) USING gbk) FROM $db.gd_jbxx" >corpus.txt
{ cut -f3 legacy.tsv | grep -v '?'; awk -F'\t' '$2 == "caller_name" {print $3}' gen/intended.tsv; } |
  grep -v '^NULL$\|^\\N$\|^匿名$' | awk 'length($0) >= 2' | sort -u >names.all
grep -oF -f names.all corpus.txt | sort -u >names.in-text || true
comm -23 names.all names.in-text >names.txt
cat phones.txt ids.txt names.txt >needles.txt
(($(wc -l <phones.txt) > 1500 && $(wc -l <ids.txt) > 1500 && $(wc -l <names.txt) > 300)) || die "too few needles"
search() { { cat "$1"; fold <"$1" | tr -d ' -'; } | grep -oF -f needles.txt | sort -u || true; }
printf '%s %s %s\n' "$(head -n 1 phones.txt)" "$(head -n 1 ids.txt)" "$(head -n 1 names.txt)" >planted.txt
assert_eq 3 "$(search planted.txt | wc -l)" "the search finds planted values"
for f in i.json i.txt draft.yaml; do
  hits=$(search $f)
  [[ -z $hits ]] || die "personal data in $f: $(head -n 5 <<<"$hits" | tr '\n' ' ')"
done
