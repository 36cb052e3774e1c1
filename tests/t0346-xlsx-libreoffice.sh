#!/usr/bin/env bash
# xlsx written by a real spreadsheet program: LibreOffice Calc converts a
# UTF-8 CSV to .xlsx (its own zip order, shared strings, styles and date
# formats); the reader gets the same values back. Skipped (77) when
# soffice is not installed (Debian package libreoffice-calc-nogui).
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"

command -v soffice >/dev/null || skip "soffice not installed (apt-get install libreoffice-calc-nogui)"

mkdir -p in lo
cat >in/calls.csv <<'X'
id,phone,text,day,at,amount
1,13912345678,路灯不亮 请尽快处理,2021-07-01,2021-07-01 08:30:00,1.5
2,0937-6221234,"噪音扰民, 夜间施工",2000-02-29,1900-03-01 12:00:00,-3
3,１３９１２３４５６７８,,2021-12-31,2021-12-31 23:59:59,1000000
X
# 44 = comma, 34 = double quote, 76 = UTF-8, 1 = start at line 1
timeout 180 soffice --headless --norestore -env:UserInstallation="file://$SCRATCH/lo" \
	--infilter="CSV:44,34,76,1" --convert-to xlsx --outdir in in/calls.csv >lo.log 2>&1 ||
	die "soffice failed: $(cat lo.log)"
[[ -s in/calls.xlsx ]] || die "soffice wrote no in/calls.xlsx: $(cat lo.log)"

xlsx_playbook p.yaml 'in/calls.xlsx'
"$BUILD/migrate" peek p.yaml >got
peek_esc >expected <<'X'
#key	id	phone	text	day	at	amount
in/calls.xlsx#1	1	13912345678	路灯不亮 请尽快处理	2021-07-01	2021-07-01 08:30:00	1.5
in/calls.xlsx#2	2	0937-6221234	噪音扰民, 夜间施工	2000-02-29	1900-03-01 12:00:00	-3
in/calls.xlsx#3	3	１３９１２３４５６７８	\N	2021-12-31	2021-12-31 23:59:59	1000000
X
diff -u expected got || die "LibreOffice workbook read back differently"

# the same workbook read with excel_dates: raw gives the serials
xlsx_playbook p.yaml 'in/calls.xlsx' 'excel_dates: raw'
"$BUILD/migrate" peek p.yaml >got
assert_eq "44378" "$(sed -n 2p got | cut -f5)" "2021-07-01 is serial 44378"
echo "t0346 ok"
