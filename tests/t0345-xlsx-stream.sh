#!/usr/bin/env bash
# xlsx streaming: a 200,000-row sheet (45 MB of XML, shared strings after
# the sheet in the zip) is read in batches with bounded memory; every row
# comes through once, in order; --after resumes mid-sheet.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"

N=200000
xlsx_skel wb
xlsx_workbook wb 0 Big
xlsx_styles wb
awk 'BEGIN { for (i = 0; i < 50000; i++) printf "<si><t>来电内容 %d 路灯不亮</t></si>\n", i }' | xlsx_sst wb
awk -v n=$N 'BEGIN {
	printf "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>phone</t></is></c><c r=\"C1\" t=\"inlineStr\"><is><t>text</t></is></c><c r=\"D1\" t=\"inlineStr\"><is><t>at</t></is></c><c r=\"E1\" t=\"inlineStr\"><is><t>n</t></is></c></row>\n"
	for (r = 2; r <= n + 1; r++)
		printf "<row r=\"%d\"><c r=\"A%d\"><v>%d</v></c><c r=\"B%d\" t=\"inlineStr\"><is><t>139%08d</t></is></c><c r=\"C%d\" t=\"s\"><v>%d</v></c><c r=\"D%d\" s=\"1\"><v>%d</v></c><c r=\"E%d\"><v>%d.5</v></c></row>\n", r, r, r - 1, r, r, r, (r * 7) % 50000, r, 44197 + r % 365, r, r
}' | xlsx_sheet wb 1
xlsx_zip wb big/b.xlsx
xlsx_playbook pb.yaml big/b.xlsx 'batch_rows: 500'

memcheck=0
if [[ -x /usr/bin/time ]] && ! ldd "$BUILD/migrate" | grep -q 'libasan\|libtsan'; then
	memcheck=1
	/usr/bin/time -f '%M' -o rss "$BUILD/migrate" peek pb.yaml >got
else
	"$BUILD/migrate" peek pb.yaml >got
fi
assert_eq $((N + 1)) "$(wc -l <got)" "every row once"
assert_eq "big/b.xlsx#1	1	13900000002	\\xe6\\x9d\\xa5\\xe7\\x94\\xb5\\xe5\\x86\\x85\\xe5\\xae\\xb9 14 \\xe8\\xb7\\xaf\\xe7\\x81\\xaf\\xe4\\xb8\\x8d\\xe4\\xba\\xae	2021-01-03	2.5" \
	"$(sed -n 2p got)" "first row"
assert_eq "big/b.xlsx#$N	$N	139$(printf %08d $((N + 1)))" "$(tail -1 got | cut -f1-3)" "last row"
# keys are in order and consecutive
awk -F'\t' 'NR > 1 { split($1, k, "#"); if (k[2] != NR - 1) { print "key " $1 " at line " NR; exit 1 } }' got ||
	die "keys out of order"
if ((memcheck)); then
	rss=$(cat rss)
	# the sheet alone is 45 MB of XML; a streaming reader stays far below
	((rss < 40000)) || die "peak memory ${rss} KB for a 45 MB sheet: not streaming?"
fi

"$BUILD/migrate" peek pb.yaml --after "big/b.xlsx#$((N - 3))" >got
assert_eq 4 "$(wc -l <got)" "three rows after the resume key"
assert_eq "big/b.xlsx#$((N - 2))" "$(sed -n 2p got | cut -f1)" "resumes right after the key"
echo "t0345 ok"
