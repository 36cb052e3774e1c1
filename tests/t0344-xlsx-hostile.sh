#!/usr/bin/env bash
# xlsx, hostile and broken workbooks: each a one-line error naming the file,
# the part and the problem, or a counted reject carrying the row's bytes;
# never a crash, a hang or a silent drop.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"

s() { printf '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' "$1" "$2"; }
HDR="<row r=\"1\">$(s A1 id)$(s B1 text)</row>"

# book NAME [sst]: a fresh workbook dir with the header row in sheet 1 from stdin
book() {
	rm -rf "$1"
	xlsx_skel "$1"
	xlsx_workbook "$1" 0 Sheet1
	xlsx_styles "$1"
	if [[ ${2:-} == sst ]]; then
		xlsx_sst "$1" <<<'<si><t>zero</t></si><si><t>one</t></si>'
	fi
	{ echo "$HDR"; cat; } | xlsx_sheet "$1" 1
}
# fails NAME MESSAGE [EXTRA-YAML...]: peek in/NAME.xlsx fails with one line containing MESSAGE
fails() {
	local name=$1 msg=$2
	shift 2
	xlsx_playbook p.yaml "in/$name.xlsx" "$@"
	assert_exit 1 "$BUILD/migrate" peek p.yaml
	assert_eq 1 "$(wc -l <"$SCRATCH/err")" "one line on stderr for $name: $(cat "$SCRATCH/err")"
	assert_contains "$(cat "$SCRATCH/err")" "$msg" "$name"
}
mkdir -p in

# shared strings referenced, none in the workbook: an error (every such cell would be lost)
book nosst <<<'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
xlsx_zip nosst in/nosst.xlsx
fails nosst "in/nosst.xlsx: sheet 'Sheet1': shared string 0 referenced in cell A2 but the workbook has no shared strings part (xl/sharedStrings.xml)"

# a shared string index out of range; a cell twice; rows out of order; a bad row number: row rejects
book rej sst <<'X'
<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>1</v></c></row>
<row r="3"><c r="A3"><v>2</v></c><c r="B3" t="s"><v>7</v></c></row>
<row r="4"><c r="A4"><v>3</v></c><c r="B4" t="s"><v>x</v></c></row>
<row r="5"><c r="B5"><v>4</v></c><c r="A5"><v>5</v></c></row>
<row r="7"><c r="A7"><v>6</v></c></row>
<row r="6"><c r="A6"><v>7</v></c></row>
<row r="0"><c r="A8"><v>8</v></c></row>
<row r="9"><c r="A9"><v>9</v></c><c r="ZZZZ9"><v>9</v></c></row>
<row r="10"><c r="A10"><v>10</v></c><c r="C10" t="inlineStr"><is><t>extra</t></is></c></row>
<row r="11"><c r="A11"><v>11</v></c><c r="C11" t="inlineStr"><is><t></t></is></c><c r="D11" s="1"/></row>
X
xlsx_zip rej in/rej.xlsx
xlsx_playbook p.yaml in/rej.xlsx
"$BUILD/migrate" peek p.yaml >got
cat >expected <<'X'
!reject	bad_shared_string	cell B3: shared string '7' does not exist (the workbook has 2)	in/rej.xlsx#2	3	0	2\t7
!reject	bad_shared_string	cell B4: shared string 'x' does not exist (the workbook has 2)	in/rej.xlsx#3	4	0	3\tx
!reject	bad_cell_ref	cell A5 appears twice or out of order	in/rej.xlsx#4	5	0	\t4\t5
!reject	bad_row_ref	row 6 comes after row 7	in/rej.xlsx#6	6	0	7
!reject	bad_row_ref	row number '0' is not 1 to 1048576	in/rej.xlsx#7	8	0	8
!reject	bad_cell_ref	cell reference 'ZZZZ9' in row 9 is not a cell	in/rej.xlsx#8	9	0	9\t9
!reject	extra_cells	cell C10 is beyond the 2 named columns	in/rej.xlsx#9	10	0	10\t\textra
#key	id	text
in/rej.xlsx#1	1	one
in/rej.xlsx#5	6	\N
in/rej.xlsx#10	11	\N
X
{ grep '^!reject' got; grep -v '^!reject' got; } >got.sorted
diff -u expected got.sorted || die "row rejects"

# malformed XML: the part, expat's line and column
book bad <<'X'
<row r="2"><c r="A2"><v>1</v></c></row>
<row r="3"><c r="A3"><v>2</v></row>
X
xlsx_zip bad in/bad.xlsx
fails bad "in/bad.xlsx: sheet 'Sheet1': malformed xml in part 'xl/worksheets/sheet1.xml' at line 5 column 32: mismatched tag"
book badsst <<<'<row r="2"><c r="A2"><v>1</v></c></row>'
printf '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</si></sst>' >badsst/xl/sharedStrings.xml
xlsx_zip badsst in/badsst.xlsx
fails badsst "malformed xml in part 'xl/sharedStrings.xml' at line 1 column 82: mismatched tag"

# a DOCTYPE (billion laughs) is refused before any entity is expanded
book dtd <<<'<row r="2"><c r="A2"><v>1</v></c></row>'
cat >dtd/xl/sharedStrings.xml <<'X'
<?xml version="1.0"?>
<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&c;</t></si></sst>
X
xlsx_zip dtd in/dtd.xlsx
fails dtd "part 'xl/sharedStrings.xml' has a DOCTYPE"

# elements nested without end
book deep <<<"<row r=\"2\"><c r=\"A2\"><v>1</v></c></row><row r=\"3\"><c r=\"A3\"><is>$(printf '<x>%.0s' $(seq 300))</is></c></row>"
xlsx_zip deep in/deep.xlsx
fails deep "nests elements deeper than 256"

# a tag longer than max_field_bytes + 1 MiB (expat would hold it whole)
book long <<<"<row r=\"2\"><c r=\"A2\" x=\"$(head -c 1100000 /dev/zero | tr '\0' a)\"><v>1</v></c></row>"
xlsx_zip long in/long.xlsx
fails long "has a tag or text longer than 1049576 bytes" 'max_field_bytes: 1000'

# a cell longer than max_field_bytes
book big <<<"<row r=\"2\">$(s A2 "$(head -c 3000 /dev/zero | tr '\0' b)")</row>"
xlsx_zip big in/big.xlsx
fails big "cell A2 holds more than max_field_bytes (1000)" 'max_field_bytes: 1000'

# the shared strings table over its cap
book sstcap <<<'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
{ for i in $(seq 20); do printf '<si><t>%s</t></si>' "$(head -c 100 /dev/zero | tr '\0' s)"; done; } | xlsx_sst sstcap
xlsx_zip sstcap in/sstcap.xlsx
fails sstcap "the shared strings table exceeds max_shared_strings_bytes (1024 bytes) at string" 'max_shared_strings_bytes: 1024'
xlsx_playbook p.yaml in/sstcap.xlsx 'max_shared_strings_bytes: 4096'
assert_exit 0 "$BUILD/migrate" peek p.yaml

# not a workbook at all
printf 'id,text\n1,a\n' >in/csv.xlsx
fails csv "in/csv.xlsx: not an xlsx workbook: not a zip archive"
: >in/empty.xlsx
fails empty "in/empty.xlsx: not an xlsx workbook: the file is empty"
printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest of an OLE2 file' >in/ole.xlsx
fails ole "an OLE2 file (a legacy .xls, or a workbook encrypted with a password)"
(mkdir -p docx/word && cd docx && echo '<w/>' >word/document.xml && zip -q -X ../in/docx.xlsx word/document.xml)
fails docx "not an xlsx workbook: the zip has no 'xl/workbook.xml'"
(mkdir -p xlsb/xl && cd xlsb && echo x >xl/workbook.bin && zip -q -X ../in/xlsb.xlsx xl/workbook.bin)
fails xlsb "it is an .xlsb binary workbook"

# the workbook names a sheet part the zip lacks
book nopart <<<'<row r="2"><c r="A2"><v>1</v></c></row>'
mv nopart/xl/worksheets/sheet1.xml nopart/sheet1.xml.away
(cd nopart && zip -q -X -nw ../in/nopart.xlsx '[Content_Types].xml' _rels/.rels xl/workbook.xml xl/_rels/workbook.xml.rels xl/styles.xml)
fails nopart "sheet 'Sheet1' lives in part 'xl/worksheets/sheet1.xml', which the zip does not have"

# truncated zip, corrupted deflate data, an encrypted member
book ok <<<'<row r="2"><c r="A2"><v>1</v></c></row>'
xlsx_zip ok in/ok.xlsx
head -c 300 in/ok.xlsx >in/trunc.xlsx
xlsx_playbook p.yaml in/trunc.xlsx
assert_exit 1 "$BUILD/migrate" peek p.yaml
assert_eq 1 "$(wc -l <"$SCRATCH/err")" "one line for a truncated zip"
assert_contains "$(cat "$SCRATCH/err")" "in/trunc.xlsx" "names the file"
# a stored member whose bytes changed: libarchive's CRC check
(cd ok && zip -q -X -0 -nw ../in/crc.xlsx xl/worksheets/sheet1.xml '[Content_Types].xml' _rels/.rels xl/workbook.xml xl/_rels/workbook.xml.rels)
off=$(grep -obUa 'A2"><v>1' in/crc.xlsx | sed -n 1p | cut -d: -f1)
printf '7' | dd of=in/crc.xlsx bs=1 seek=$((off + 7)) conv=notrunc 2>/dev/null
fails crc "cannot read part 'xl/worksheets/sheet1.xml' in the zip: ZIP bad CRC"
# deflate data garbled (the sheet is the first member: its data starts at byte 54)
cp in/ok.xlsx in/garbled.xlsx
printf '\xff\xff\xff\xff\xff\xff' | dd of=in/garbled.xlsx bs=1 seek=64 conv=notrunc 2>/dev/null
fails garbled "cannot read part 'xl/worksheets/sheet1.xml' in the zip"
(cd ok && zip -q -X -nw -P secret ../in/enc.xlsx xl/worksheets/sheet1.xml '[Content_Types].xml' _rels/.rels xl/workbook.xml xl/_rels/workbook.xml.rels)
fails enc "part 'xl/workbook.xml' is encrypted in the zip"

# not seekable: a FIFO
mkfifo in/fifo.xlsx
(cat in/ok.xlsx >in/fifo.xlsx 2>/dev/null || true) &
writer=$!
fails fifo "an xlsx workbook needs a seekable input"
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
echo "t0344 ok"
