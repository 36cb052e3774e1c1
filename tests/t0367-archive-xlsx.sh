#!/usr/bin/env bash
# archive driver + xlsx: workbooks inside zip (CP936 names without the UTF-8
# flag), tar, tar.gz and 7z are read in place. Each workbook member is
# spooled to a private temporary file in $TMPDIR (the xlsx reader seeks) and
# gives exactly the rows the xlsx driver gives for the same file, keyed
# "<archive>!<member>#<n>"; resuming after a key inside a workbook; in a run
# the member's SHA-256 is the workbook's and the archive's the file's; no
# temporary file is left behind.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/archive/lib.sh"
source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"
need zip tar gzip 7z sha256sum
[[ -f $BUILD/obj/extractors/xlsx.o ]] || skip "xlsx format not built"

s() { printf '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' "$1" "$2"; }
# two workbooks with the same columns, parts in the order Excel partly uses
# (sheets first: the hard one for a streaming reader)
for n in 1 2; do
  xlsx_skel wb$n
  xlsx_workbook wb$n 0 工单
  xlsx_styles wb$n
  xlsx_sst wb$n <<'X'
<si><t>工单编号</t></si><si><t>内容</t></si><si><t>受理时间</t></si><si><r><t>路灯</t></r><r><t>不亮</t></r></si>
X
  {
    echo '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
    echo "<row r=\"2\">$(s A2 "GD${n}01")<c r=\"B2\" t=\"s\"><v>3</v></c><c r=\"C2\" s=\"2\"><v>44378.354166666664</v></c></row>"
    for ((i = 3; i <= 40; i++)); do
      echo "<row r=\"$i\">$(s "A$i" "GD$n$i")$(s "B$i" "第${i}条 噪音扰民")<c r=\"C$i\" s=\"1\"><v>$((44197 + i))</v></c></row>"
    done
    echo "<row r=\"41\">$(s A41 "GD${n}41")<c r=\"C41\" s=\"1\"><v>60</v></c></row>" # 1900-02-29: a reject
  } | xlsx_sheet wb$n 1
done
mkdir src
xlsx_zip wb1 "src/$(printf '\xb9\xa4\xb5\xa5')1.xlsx" # 工单1.xlsx in CP936 bytes
xlsx_zip wb2 src/b2.xlsx
mkdir plain
cp src/b2.xlsx plain/b2.xlsx
cp "src/$(printf '\xb9\xa4\xb5\xa5')1.xlsx" plain/工单1.xlsx
# members in the order the xlsx driver reads the plain files (byte order)
(
  cd src
  LC_ALL=C zip -q -X ../a.zip b2.xlsx "$(printf '\xb9\xa4\xb5\xa5')1.xlsx" # CP936 names, no UTF-8 flag
)
(cd plain && tar -cf ../a.tar b2.xlsx 工单1.xlsx && tar -czf ../a.tgz b2.xlsx 工单1.xlsx &&
  7z a -bd ../a.7z b2.xlsx 工单1.xlsx >/dev/null)
assert_eq " 00 00" "$(od -A n -t x1 -j 6 -N 2 a.zip)" "zip member without the UTF-8 flag"

apb() { # apb FILE ARCHIVE [EXTRA]: archive playbook over xlsx members
  cat >"$1" <<EOF
system: {code: t_arx, hotline: "12345", name: archive xlsx, department: test, mode: merge}
source: {driver: archive, dir: ., format: xlsx}
tables:
  - name: "$2"
    members: "*.xlsx"
    sheet: 工单
    encoding: utf-8
    batch_rows: 7
${3:-}
    fields:
      legacy_id: 工单编号
      content: 内容
      received_at: {column: 受理时间, type: datetime, formats: ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]}
EOF
}
mkdir tmp
export TMPDIR=$PWD/tmp

# the reference: the xlsx driver over the same workbooks as plain files
cat >plain.yaml <<'EOF'
system: {code: t_arx, hotline: "12345", name: plain xlsx, department: test, mode: merge}
source: {driver: xlsx, dir: plain}
tables:
  - name: "*.xlsx"
    sheet: 工单
    encoding: utf-8
    batch_rows: 7
    fields: {legacy_id: 工单编号}
EOF
peek plain.yaml >ref.all
assert_eq 81 "$(wc -l <ref.all)" "header + 2 x 40 records"
assert_eq 2 "$(grep -c '^!reject	invalid_excel_date	' ref.all)" "a serial-60 reject per workbook"
u1='\xe5\xb7\xa5\xe5\x8d\x951.xlsx' # 工单1.xlsx as peek prints it
for a in a.zip a.tar a.tgz a.7z; do
  apb "$a.yaml" "$a" '    member_encoding: cp936'
  [[ $a == a.zip ]] || apb "$a.yaml" "$a"
  peek "$a.yaml" >"$a.out"
  ae=${a//./\\.}
  assert_eq "$(cat ref.all)" "$(sed -e "s/^$ae!//" -e "s/	$ae!/	/" "$a.out")" "$a: the rows of the plain workbooks"
  grep -qF "$a!$u1#1	GD101	" "$a.out" || die "$a: key of the decoded member name: $(grep GD101 "$a.out")"
done
assert_eq "" "$(ls -A tmp)" "no spool file left in TMPDIR"

# resuming inside a workbook, at the end of one, inside the next
keys() { # the key of each row and reject, in output order
  awk -F'\t' 'NR > 1 { print ($1 == "!reject" ? $4 : $1) }' "$1"
}
keys a.tgz.out >keys.all
for after in "b2.xlsx#38" "b2.xlsx#40" "$u1#17"; do
  grep -qxF "a.tgz!$after" keys.all || die "no key $after in the full read"
  peek a.tgz.yaml --after "a.tgz!$(printf '%b' "$after")" >rest
  # the records after the key in the full read: later members, and higher
  # numbers in its member (peek shows a batch's rejects first)
  want=$(K="a.tgz!$after" awk 'function m(x) { sub(/#[0-9]+$/, "", x); return x }
    function r(x) { sub(/^.*#/, "", x); return x + 0 }
    !(m($0) in seen) { seen[m($0)] = ++nm } { key[NR] = $0 }
    END { k = ENVIRON["K"]; mk = seen[m(k)]; for (i = 1; i <= NR; i++)
      if (seen[m(key[i])] > mk || (seen[m(key[i])] == mk && r(key[i]) > r(k))) print key[i] }' keys.all | sort)
  assert_eq "$want" "$(keys rest | sort)" "resume after $after: the rest of the full read"
done

# a run: balanced, the member hashes are the workbooks', the archive's the file's
[[ -n ${PGHOST:-} ]] || {
  echo "ok (no PostgreSQL: run checks skipped)"
  exit 0
}
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
apb run.yaml a.zip $'    member_encoding: cp936\n    target: work_order'
assert_exit 0 "$BUILD/migrate" check run.yaml
assert_exit 0 "$BUILD/migrate" run run.yaml --json
cp "$SCRATCH/out" run.json
assert_eq true "$(jq .balanced run.json)" "balanced"
assert_eq 80 "$(jq .stages.extract.in run.json)" "records read"
assert_eq 2 "$(jq .stages.extract.rejected run.json)" "the two serial-60 dates"
assert_eq "a.zip!b2.xlsx#40 a.zip!工单1.xlsx#40" "$(pg_query "SELECT string_agg(convert_from(legacy_key, 'UTF8'), ' '
  ORDER BY legacy_key) FROM migration.reject WHERE reason = 'invalid_excel_date'")" "rejects keyed by archive and member"
assert_eq "$(sha256sum <plain/工单1.xlsx | cut -d' ' -f1) 40" "$(pg_query "SELECT sha256 || ' ' || records
  FROM migration.source_file WHERE name = 'a.zip!工单1.xlsx'")" "member hash and records"
assert_eq "$(sha256sum <plain/b2.xlsx | cut -d' ' -f1)" "$(pg_query "SELECT sha256 FROM migration.source_file
  WHERE name = 'a.zip!b2.xlsx'")" "second member hash"
assert_eq "$(sha256sum <a.zip | cut -d' ' -f1) 80" "$(pg_query "SELECT sha256 || ' ' || records
  FROM migration.source_file WHERE name = 'a.zip'")" "archive hash and records"
assert_eq 78 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 't_arx'")" "rows loaded"
assert_eq "路灯不亮" "$(pg_query "SELECT content FROM hotline.work_order WHERE legacy_id = 'GD101'")" "rich text run"
assert_eq "" "$(ls -A tmp)" "no spool file left in TMPDIR"
echo ok
