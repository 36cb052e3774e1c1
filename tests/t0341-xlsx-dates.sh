#!/usr/bin/env bash
# xlsx dates: numbers in a date format become 'YYYY-MM-DD[ HH:MM:SS]'
# (built-in 14-22, 45, 47, East Asian 27-36/50-58, custom codes with
# d/m/y/h/s outside quotes and brackets), in the 1900 system (serials < 60
# a day later than >= 61; 60 is the fictitious 1900-02-29: rejected) and the
# 1904 system. Durations ([h]:mm, built-in 46), quoted "days" and text
# formats stay numbers; excel_dates: raw hands over every serial.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"

rows() { # the same cells for both systems
	cat <<'X'
<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>v</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>d1</t></is></c><c r="B2" s="1"><v>1</v></c></row>
<row r="3"><c r="A3" t="inlineStr"><is><t>d59</t></is></c><c r="B3" s="1"><v>59</v></c></row>
<row r="4"><c r="A4" t="inlineStr"><is><t>d60</t></is></c><c r="B4" s="1"><v>60</v></c></row>
<row r="5"><c r="A5" t="inlineStr"><is><t>d61</t></is></c><c r="B5" s="1"><v>61</v></c></row>
<row r="6"><c r="A6" t="inlineStr"><is><t>d2021</t></is></c><c r="B6" s="1"><v>44197</v></c></row>
<row r="7"><c r="A7" t="inlineStr"><is><t>dt22</t></is></c><c r="B7" s="2"><v>44197.5</v></c></row>
<row r="8"><c r="A8" t="inlineStr"><is><t>custom</t></is></c><c r="B8" s="3"><v>44378.635416666664</v></c></row>
<row r="9"><c r="A9" t="inlineStr"><is><t>days</t></is></c><c r="B9" s="4"><v>44197</v></c></row>
<row r="10"><c r="A10" t="inlineStr"><is><t>dur46</t></is></c><c r="B10" s="5"><v>1.5</v></c></row>
<row r="11"><c r="A11" t="inlineStr"><is><t>dur</t></is></c><c r="B11" s="6"><v>1.25</v></c></row>
<row r="12"><c r="A12" t="inlineStr"><is><t>cjk31</t></is></c><c r="B12" s="7"><v>44378</v></c></row>
<row r="13"><c r="A13" t="inlineStr"><is><t>time</t></is></c><c r="B13" s="8"><v>0.75</v></c></row>
<row r="14"><c r="A14" t="inlineStr"><is><t>cjk167</t></is></c><c r="B14" s="9"><v>44378</v></c></row>
<row r="15"><c r="A15" t="inlineStr"><is><t>text</t></is></c><c r="B15" s="10"><v>44378</v></c></row>
<row r="16"><c r="A16" t="inlineStr"><is><t>zero</t></is></c><c r="B16" s="1"><v>0</v></c></row>
<row r="17"><c r="A17" t="inlineStr"><is><t>neg</t></is></c><c r="B17" s="1"><v>-1</v></c></row>
<row r="18"><c r="A18" t="inlineStr"><is><t>max</t></is></c><c r="B18" s="1"><v>2958465</v></c></row>
<row r="19"><c r="A19" t="inlineStr"><is><t>over</t></is></c><c r="B19" s="1"><v>2958466</v></c></row>
<row r="20"><c r="A20" t="inlineStr"><is><t>nan</t></is></c><c r="B20" s="1"><v>abc</v></c></row>
<row r="21"><c r="A21" t="inlineStr"><is><t>str</t></is></c><c r="B21" s="1" t="str"><v>44197</v></c></row>
<row r="22"><c r="A22" t="inlineStr"><is><t>round</t></is></c><c r="B22" s="2"><v>44197.999999999</v></c></row>
<row r="23"><c r="A23" t="inlineStr"><is><t>nostyle</t></is></c><c r="B23" s="99"><v>44197</v></c></row>
X
}

xlsx_skel w00
xlsx_workbook w00 0 Sheet1
xlsx_styles w00
rows | xlsx_sheet w00 1
xlsx_zip w00 d1900/book.xlsx
xlsx_playbook p1900.yaml 'd1900/*.xlsx'

cat >expected <<'X'
!reject	invalid_excel_date	cell B4: serial 60 is 1900-02-29, a day that does not exist (Excel's 1900 leap-year bug)	d1900/book.xlsx#3	4	0	d60\t60
!reject	invalid_excel_date	cell B16: serial 0 is Excel's day 0 (1900-01-00), not a date	d1900/book.xlsx#15	16	0	zero\t0
!reject	invalid_excel_date	cell B17: serial -1 is outside Excel's dates (0 to 2958465, 9999-12-31)	d1900/book.xlsx#16	17	0	neg\t-1
!reject	invalid_excel_date	cell B19: serial 2958466 is outside Excel's dates (0 to 2958465, 9999-12-31)	d1900/book.xlsx#18	19	0	over\t2958466
!reject	invalid_excel_date	cell B20: 'abc' is not a date serial number	d1900/book.xlsx#19	20	0	nan\tabc
#key	id	v
d1900/book.xlsx#1	d1	1900-01-01
d1900/book.xlsx#2	d59	1900-02-28
d1900/book.xlsx#4	d61	1900-03-01
d1900/book.xlsx#5	d2021	2021-01-01
d1900/book.xlsx#6	dt22	2021-01-01 12:00:00
d1900/book.xlsx#7	custom	2021-07-01 15:15:00
d1900/book.xlsx#8	days	44197
d1900/book.xlsx#9	dur46	1.5
d1900/book.xlsx#10	dur	1.25
d1900/book.xlsx#11	cjk31	2021-07-01
d1900/book.xlsx#12	time	18:00:00
d1900/book.xlsx#13	cjk167	2021-07-01
d1900/book.xlsx#14	text	44378
d1900/book.xlsx#17	max	9999-12-31
d1900/book.xlsx#20	str	44197
d1900/book.xlsx#21	round	2021-01-02
d1900/book.xlsx#22	nostyle	44197
X
"$BUILD/migrate" peek p1900.yaml >got
# peek prints the header after opening, rejects of a batch before its rows
{ grep '^!reject' got; grep -v '^!reject' got; } >got.sorted
diff -u expected got.sorted || die "1900 system"

# 1904: serial 0 is 1904-01-01, 60 and 61 are ordinary days, 2021-01-01 is 42735
xlsx_skel w04
xlsx_workbook w04 1 Sheet1
xlsx_styles w04
{
	rows | sed -n '1,5p'
	echo '<row r="6"><c r="A6" t="inlineStr"><is><t>d2021</t></is></c><c r="B6" s="1"><v>42735</v></c></row>'
	echo '<row r="7"><c r="A7" t="inlineStr"><is><t>zero</t></is></c><c r="B7" s="1"><v>0</v></c></row>'
	echo '<row r="8"><c r="A8" t="inlineStr"><is><t>time</t></is></c><c r="B8" s="8"><v>0.5</v></c></row>'
	echo '<row r="9"><c r="A9" t="inlineStr"><is><t>dt</t></is></c><c r="B9" s="2"><v>0.25</v></c></row>'
} | xlsx_sheet w04 1
xlsx_zip w04 d1904/book.xlsx standard
xlsx_playbook p1904.yaml 'd1904/*.xlsx'
cat >expected <<'X'
#key	id	v
d1904/book.xlsx#1	d1	1904-01-02
d1904/book.xlsx#2	d59	1904-02-29
d1904/book.xlsx#3	d60	1904-03-01
d1904/book.xlsx#4	d61	1904-03-02
d1904/book.xlsx#5	d2021	2021-01-01
d1904/book.xlsx#6	zero	1904-01-01
d1904/book.xlsx#7	time	12:00:00
d1904/book.xlsx#8	dt	1904-01-01 06:00:00
X
"$BUILD/migrate" peek p1904.yaml >got
diff -u expected got || die "1904 system"

# excel_dates: raw hands over the serials, and rejects nothing
xlsx_playbook praw.yaml 'd1900/*.xlsx' 'excel_dates: raw'
"$BUILD/migrate" peek praw.yaml >got
assert_eq 0 "$(grep -c '^!reject' got || true)" "no rejects with excel_dates: raw"
assert_eq "d1900/book.xlsx#3	d60	60" "$(grep '#3	' got)" "serial 60 raw"
assert_eq "d1900/book.xlsx#7	custom	44378.635416666664" "$(grep '#7	' got)" "serial raw, exactly as written"

xlsx_playbook pbad.yaml 'd1900/*.xlsx' 'excel_dates: excel'
assert_exit 1 "$BUILD/migrate" peek pbad.yaml
assert_contains "$(cat "$SCRATCH/err")" "'excel_dates' must be iso or raw" "bad excel_dates value"
echo "t0341 ok"
