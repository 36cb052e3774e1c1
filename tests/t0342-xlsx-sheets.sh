#!/usr/bin/env bash
# xlsx sheets: one sheet per table entry, chosen by `sheet` (default: the
# first visible worksheet); two table entries can read two sheets of one
# file; an unknown sheet name is an error that lists the sheets.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"

xlsx_skel wb
xlsx_workbook wb 0 'Old:hidden' '工单' 'Calls'
xlsx_styles wb
xlsx_sst wb <<'X'
<si><t>id</t></si>
<si><t>from sheet 1</t></si>
X
xlsx_sheet wb 1 <<'X'
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>hidden</t></is></c></row>
<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>1</v></c></row>
X
xlsx_sheet wb 2 <<'X'
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>内容</t></is></c></row>
<row r="2"><c r="A2"><v>10</v></c><c r="B2" t="inlineStr"><is><t>路灯不亮</t></is></c></row>
<row r="3"><c r="A3"><v>11</v></c><c r="B3" t="inlineStr"><is><t>噪音扰民</t></is></c></row>
X
xlsx_sheet wb 3 <<'X'
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>caller</t></is></c><c r="C1" t="inlineStr"><is><t>at</t></is></c></row>
<row r="2"><c r="A2"><v>100</v></c><c r="B2" t="inlineStr"><is><t>0937-6221234</t></is></c><c r="C2" s="2"><v>44197.25</v></c></row>
X
xlsx_zip wb in/book.xlsx

# default: the first visible worksheet ('Old' is hidden)
xlsx_playbook p.yaml 'in/book.xlsx'
"$BUILD/migrate" peek p.yaml >got
peek_esc >expected <<'X'
#key	id	内容
in/book.xlsx#1	10	路灯不亮
in/book.xlsx#2	11	噪音扰民
X
diff -u expected got || die "default sheet"

xlsx_playbook p.yaml 'in/book.xlsx' 'sheet: Calls'
"$BUILD/migrate" peek p.yaml >got
printf '#key\tid\tcaller\tat\nin/book.xlsx#1\t100\t0937-6221234\t2021-01-01 06:00:00\n' >expected
diff -u expected got || die "sheet: Calls"

xlsx_playbook p.yaml 'in/book.xlsx' 'sheet: Old'
"$BUILD/migrate" peek p.yaml >got
printf '#key\tid\thidden\nin/book.xlsx#1\t1\tfrom sheet 1\n' >expected
diff -u expected got || die "a hidden sheet named explicitly"

xlsx_playbook p.yaml 'in/book.xlsx' 'sheet: Nope'
assert_exit 1 "$BUILD/migrate" peek p.yaml
assert_contains "$(cat "$SCRATCH/err")" "no sheet named 'Nope' in the workbook; it has 'Old', '工单', 'Calls'" "unknown sheet"

# two table entries over one file, each its sheet; migrate check accepts the options
cat >two.yaml <<'X'
system: {code: t_xlsx, hotline: "12345", name: test, department: test, mode: merge}
source: {driver: xlsx, dir: .}
tables:
  - name: in/book.xlsx
    sheet: 工单
    encoding: utf-8
    fields: {legacy_id: id}
  - name: in/book.xlsx
    sheet: Calls
    header_row: 1
    encoding: utf-8
    fields: {legacy_id: id}
X
assert_exit 0 "$BUILD/migrate" check two.yaml
sed -i 's/    header_row: 1/    header_rwo: 1/' two.yaml
assert_exit 1 "$BUILD/migrate" check two.yaml
assert_contains "$(cat "$SCRATCH/err" "$SCRATCH/out")" "header_rwo" "check names an unknown table key"

# several files match the glob: read in name order, keys per file
cp in/book.xlsx in/book2.xlsx
xlsx_playbook p.yaml 'in/*.xlsx'
"$BUILD/migrate" peek p.yaml >got
assert_eq "in/book.xlsx#1 in/book.xlsx#2 in/book2.xlsx#1 in/book2.xlsx#2" "$(cut -f1 got | sed 1d | tr '\n' ' ' | sed 's/ $//')" "two files"
echo "t0342 ok"
