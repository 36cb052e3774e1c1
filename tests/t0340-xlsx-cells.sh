#!/usr/bin/env bash
# xlsx: every kind of cell comes through as text, exactly: shared strings,
# inline strings, rich text runs (phonetic runs left out), xml:space
# preserve, _xHHHH_ escapes, numbers as written, booleans, errors, cached
# formula values, a formula never calculated, full-width digits; sparse
# cells are NULL, blank rows are not records, an empty header cell is c<N>.
# The same workbook zipped in two member orders, and zipped to a pipe (data
# descriptors), reads the same.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"

xlsx_skel wb
xlsx_workbook wb 0 Sheet1
xlsx_styles wb
xlsx_sst wb <<'X'
<si><t>工单编号</t></si>
<si><t>来电号码</t></si>
<si><t>GD001</t></si>
<si><t>１３９１２３４５６７８</t></si>
<si><r><t>市</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 城管 </t></r><rPh sb="0" eb="1"><t>シ</t></rPh></si>
<si><t>GD002</t></si>
X
xlsx_sheet wb 1 <<'X'
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>内容</t></is></c><c r="D1" t="inlineStr"><is><t>数量</t></is></c><c r="E1" t="inlineStr"><is><t>办结</t></is></c><c r="F1" t="inlineStr"><is><t>err</t></is></c><c r="G1" t="inlineStr"><is><t>formula</t></is></c><c r="I1" t="inlineStr"><is><t>note</t></is></c></row>
<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c><c r="C2" t="s"><v>4</v></c><c r="D2"><v>13912345678</v></c><c r="E2" t="b"><v>1</v></c><c r="F2" t="e"><v>#N/A</v></c><c r="G2"><f>D2*2</f><v>42</v></c><c r="H2" t="inlineStr"><is><t>x</t></is></c><c r="I2" t="inlineStr"><is><t>a_x000D_b_x005F_x0041_</t></is></c></row>
<row r="3"/>
<row r="4"><c r="A4" t="s"><v>5</v></c><c r="D4"><v>1.5E-3</v></c><c r="I4" t="inlineStr"><is><t xml:space="preserve">  spaced  </t></is></c></row>
<row r="5"><c r="A5" s="1"/><c r="B5" s="2"/></row>
<row r="6"><c r="E6" t="b"><v>0</v></c><c r="G6"><f>SUM(D2:D4)</f></c></row>
<row r="7"><c r="A7" t="str"><f>"a"&amp;"bc"</f><v>abc</v></c><c r="C7" t="inlineStr"><is><r><t>漢</t></r><rPh><t>かん</t></rPh></is></c><c r="D7"><v>0013</v></c></row>
<row><c><v>1</v></c><c><v>-2.50</v></c><c t="inlineStr"><is><t>three</t></is></c></row>
<row r="10"><c r="A10" t="inlineStr"><is><t></t></is></c><c r="B10" t="inlineStr"><is><t>_xD83D__xDE00_</t></is></c></row>
X
xlsx_zip wb data/book.xlsx
xlsx_playbook pb.yaml 'data/*.xlsx'

peek_esc >expected <<'X'
#key	工单编号	来电号码	内容	数量	办结	err	formula	c8	note
data/book.xlsx#1	GD001	１３９１２３４５６７８	市 城管 	13912345678	TRUE	#N/A	42	x	a\rb_x0041_
data/book.xlsx#2	GD002	\N	\N	1.5E-3	\N	\N	\N	\N	  spaced  
data/book.xlsx#3	\N	\N	\N	\N	FALSE	\N	=SUM(D2:D4)	\N	\N
data/book.xlsx#4	abc	\N	漢	0013	\N	\N	\N	\N	\N
data/book.xlsx#5	1	-2.50	three	\N	\N	\N	\N	\N	\N
data/book.xlsx#6		😀	\N	\N	\N	\N	\N	\N	\N
X
"$BUILD/migrate" peek pb.yaml >got
diff -u expected got || die "peek output differs (sheets zipped first)"

xlsx_zip wb data/book.xlsx standard
"$BUILD/migrate" peek pb.yaml >got
diff -u expected got || die "peek output differs (workbook zipped first)"

# zipped to a pipe (sizes in data descriptors after each member), deflated and stored
for level in 6 0; do
	(cd wb && zip -q -X -nw -$level - xl/worksheets/sheet1.xml xl/sharedStrings.xml xl/styles.xml \
		'[Content_Types].xml' _rels/.rels xl/workbook.xml xl/_rels/workbook.xml.rels | cat >../data/book.xlsx)
	"$BUILD/migrate" peek pb.yaml >got
	diff -u expected got || die "peek output differs (zip -$level written to a pipe)"
done

# the phone cell's bytes are the full-width digits, untouched (UTF-8 EF BC 91 ...)
assert_contains "$(sed -n 2p got)" '\xef\xbc\x91\xef\xbc\x93\xef\xbc\x99' "full-width digits kept"

# --rows limits, --after resumes after a key
"$BUILD/migrate" peek pb.yaml --rows 2 >got
assert_eq 3 "$(wc -l <got)" "--rows 2 shows the header and 2 rows"
"$BUILD/migrate" peek pb.yaml --after 'data/book.xlsx#4' >got
assert_eq "$(sed -n '1p;6,7p' expected)" "$(cat got)" "--after resumes after record 4"
echo "t0340 ok"
