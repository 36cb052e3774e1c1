#!/usr/bin/env bash
# dbf written by another program: LibreOffice Calc (headless) converts a
# UTF-8 CSV to a dBase table; the driver reads it back. Skipped where
# LibreOffice is not installed (Debian package libreoffice-calc-nogui).
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

soffice=$(command -v soffice || command -v libreoffice || true)
[[ -n $soffice ]] || skip "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"

mkdir -p lo lo-out
printf 'ID,NAME,AMOUNT,NOTE\n1,Zhang San,123.45,路灯不亮\n2,Li Si,-7.5,投诉\n3,Wang Wu,0,plain\n' >lo/data.csv
# character set 76 is UTF-8, for the CSV read and the dBase written
HOME=$SCRATCH timeout 300 "$soffice" -env:UserInstallation="file://$SCRATCH/lo-profile" --headless \
  --infilter='CSV:44,34,76,1' --convert-to 'dbf:dBase:76' --outdir lo-out lo/data.csv >lo.log 2>&1 ||
  die "soffice failed: $(cat lo.log)"
[[ -s lo-out/data.dbf ]] || die "soffice wrote no lo-out/data.dbf: $(cat lo.log)"

# which code-page byte LibreOffice writes for UTF-8 is its business
DBF_DIR=$SCRATCH/lo-out dbf_playbook pb.yaml data.dbf utf-8 'codepage_check: false'
assert_exit 0 "$BUILD/migrate" peek pb.yaml
tr '\t' '|' <"$SCRATCH/out" >got
assert_eq 4 "$(wc -l <got)" "header and three rows"
head -n 1 got | grep -qi '^#key|ID|NAME|AMOUNT|NOTE|_deleted$' || die "columns: $(head -n 1 got)"
assert_eq 'data.dbf#1 data.dbf#2 data.dbf#3' "$(tail -n +2 got | cut -d '|' -f 1 | xargs)" "keys"
row1=$(sed -n 2p got)
assert_contains "$row1" '|1|Zhang San|123.45|' "row 1"
assert_contains "$row1" '|\xe8\xb7\xaf\xe7\x81\xaf\xe4\xb8\x8d\xe4\xba\xae|F' "row 1 UTF-8 text, not deleted"
assert_contains "$(sed -n 3p got)" '|2|Li Si|-7.5' "row 2"
assert_contains "$(sed -n 4p got)" '|3|Wang Wu|0' "row 3"
