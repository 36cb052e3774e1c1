#!/usr/bin/env bash
# xlsx headers: header_row below title rows; header_rows: 2 joins a merged
# two-row header with '/' (a merged range names every column it spans);
# line breaks in names become spaces; empty names are c<N>; duplicate names
# get _<N>; columns: names the columns (header_row: 0: no header at all);
# first_row skips rows; a cell beyond the named columns rejects its row.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"

s() { printf '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' "$1" "$2"; }

xlsx_skel wb
xlsx_workbook wb 0 Sheet1 Dups
xlsx_styles wb
{
	echo "<row r=\"1\">$(s A1 '某某热线工单导出 2021年')</row>"
	echo "<row r=\"2\">$(s A2 '编号')$(s B2 '来电人')$(s D2 '受理&#10;时间')</row>"
	echo "<row r=\"3\">$(s B3 '姓名')$(s C3 '电话')$(s E3 ' 备注 ')</row>"
	echo "<row r=\"4\"><c r=\"A4\"><v>1</v></c>$(s B4 '张三')$(s C4 '13900000000')<c r=\"D4\" s=\"2\"><v>44197.5</v></c></row>"
	echo "<row r=\"5\"><c r=\"A5\"><v>2</v></c>$(s B5 '李四')$(s G5 '多出来')</row>"
	echo "<row r=\"6\"><c r=\"A6\"><v>3</v></c>$(s E6 'ok')</row>"
} | xlsx_sheet wb 1 '<mergeCells count="4"><mergeCell ref="A1:E1"/><mergeCell ref="A2:A3"/><mergeCell ref="B2:C2"/><mergeCell ref="D2:D3"/></mergeCells>'
{
	echo "<row r=\"1\">$(s A1 a)$(s C1 a)$(s D1 a_3)$(s E1 c2)</row>"
	echo "<row r=\"2\">$(s A2 1)$(s B2 2)$(s C2 3)$(s D2 4)$(s E2 5)</row>"
	echo "<row r=\"3\">$(s A3 6)</row>"
	echo "<row r=\"4\">$(s A4 7)</row>"
} | xlsx_sheet wb 2
xlsx_zip wb in/h.xlsx

xlsx_playbook p.yaml 'in/h.xlsx' 'header_row: 2' 'header_rows: 2'
"$BUILD/migrate" peek p.yaml >got
peek_esc >expected <<'X'
!reject	extra_cells	cell G5 is beyond the 5 named columns	in/h.xlsx#2	5	0	2\t李四\t\t\t\t\t多出来
#key	编号	来电人/姓名	来电人/电话	受理 时间	备注
in/h.xlsx#1	1	张三	13900000000	2021-01-01 12:00:00	\N
in/h.xlsx#3	3	\N	\N	\N	ok
X
{ grep '^!reject' got; grep -v '^!reject' got; } >got.sorted
diff -u expected got.sorted || die "two-row merged header"

# one header row only: row 3's names, the merged values of row 2 unused
xlsx_playbook p.yaml 'in/h.xlsx' 'header_row: 3'
"$BUILD/migrate" peek p.yaml >got
assert_eq "#key	c1	姓名	电话	c4	备注" "$(head -1 got)" "header_row: 3"

# duplicates and gaps; a header name clashing with a generated one
xlsx_playbook p.yaml 'in/h.xlsx' 'sheet: Dups'
"$BUILD/migrate" peek p.yaml >got
assert_eq "#key	a	c2	a_3	a_3_4	c2_5" "$(head -1 got)" "duplicate and empty names"

# first_row skips rows after the header
xlsx_playbook p.yaml 'in/h.xlsx' 'sheet: Dups' 'first_row: 4'
"$BUILD/migrate" peek p.yaml >got
assert_eq "in/h.xlsx#1	7	\\N	\\N	\\N	\\N" "$(sed -n 2p got)" "first_row: 4"
assert_eq 2 "$(wc -l <got)" "one row from row 4"

# no header: columns name them, every row is data
xlsx_playbook p.yaml 'in/h.xlsx' 'sheet: Dups' 'header_row: 0' 'columns: [k1, k2, k3, k4, k5]'
"$BUILD/migrate" peek p.yaml >got
assert_eq "#key	k1	k2	k3	k4	k5" "$(head -1 got)" "columns names"
assert_eq "in/h.xlsx#1	a	\\N	a	a_3	c2" "$(sed -n 2p got)" "row 1 is data"
assert_eq 5 "$(wc -l <got)" "four data rows"

# columns with a header row: the names replace the header's, the header row is skipped
xlsx_playbook p.yaml 'in/h.xlsx' 'sheet: Dups' 'columns: [k1, k2, k3, k4, k5, k6]'
"$BUILD/migrate" peek p.yaml >got
assert_eq "#key	k1	k2	k3	k4	k5	k6" "$(head -1 got)" "columns override"
assert_eq "in/h.xlsx#1	1	2	3	4	5	\\N" "$(sed -n 2p got)" "data from row 2"

xlsx_playbook p.yaml 'in/h.xlsx' 'sheet: Dups' 'columns: [k1, k2]'
assert_exit 1 "$BUILD/migrate" peek p.yaml
assert_contains "$(cat "$SCRATCH/err")" "the header has a cell in column 5 but 'columns' names 2 columns" "columns too few"

xlsx_playbook p.yaml 'in/h.xlsx' 'header_row: 0'
assert_exit 1 "$BUILD/migrate" peek p.yaml
assert_contains "$(cat "$SCRATCH/err")" "header_row: 0 but no 'columns'" "header_row 0 needs columns"

xlsx_playbook p.yaml 'in/h.xlsx' 'header_row: 2' 'header_rows: 2' 'first_row: 3'
assert_exit 1 "$BUILD/migrate" peek p.yaml
assert_contains "$(cat "$SCRATCH/err")" "'first_row' (3) must come after the header rows (2 to 3)" "first_row inside the header"

xlsx_playbook p.yaml 'in/h.xlsx' 'header_row: 9'
assert_exit 1 "$BUILD/migrate" peek p.yaml
assert_contains "$(cat "$SCRATCH/err")" "no header in row 9" "header row past the end"

xlsx_playbook p.yaml 'in/h.xlsx' 'header_rows: 17'
assert_exit 1 "$BUILD/migrate" peek p.yaml
assert_contains "$(cat "$SCRATCH/err")" "'header_rows' must be a whole number from 1 to 16" "header_rows cap"
# overlapping merged ranges (Excel never writes them) are refused, not expanded
xlsx_skel ov
xlsx_workbook ov 0 Sheet1
xlsx_styles ov
{
	echo "<row r=\"1\">$(s A1 a)$(s B1 b)</row>"
	echo "<row r=\"2\">$(s A2 c)$(s B2 d)</row>"
} | xlsx_sheet ov 1 "<mergeCells>$(for i in $(seq 40); do printf '<mergeCell ref="A1:XFD2"/>'; done)</mergeCells>"
xlsx_zip ov in/ov.xlsx
xlsx_playbook p.yaml 'in/ov.xlsx' 'header_rows: 2'
assert_exit 1 "$BUILD/migrate" peek p.yaml
assert_contains "$(cat "$SCRATCH/err")" "merged ranges in the header overlap" "overlapping merges"
echo "t0343 ok"
