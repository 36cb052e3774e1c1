#!/usr/bin/env bash
# dbf written by another program: shapelib's dbfcreate/dbfadd (Debian package
# shapelib) write a dBase III table (code page byte 0x57, ANSI: not checked);
# the driver reads it back. An empty number is written as asterisks, which
# are handed over as stored (dBase's overflow mark; shapelib means NULL).
# Skipped where shapelib's tools are not installed.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

if ! command -v dbfcreate >/dev/null || ! command -v dbfadd >/dev/null; then
  skip "shapelib's dbfcreate/dbfadd are not installed (apt-get install shapelib)"
fi

mkdir -p shp
dbfcreate shp/t.dbf -n ID 5 0 -s NAME 20 -n AMT 10 2 -s NOTE 30
dbfadd shp/t.dbf 1 "Zhang San" 123.45 "$(printf '\xc2\xb7\xb5\xc6\xb2\xbb\xc1\xc1')"
dbfadd shp/t.dbf 2 "  Li Si" -7 ""
dbfadd shp/t.dbf 3 "" "" "x"

for enc in gbk utf-8; do
  DBF_DIR=$SCRATCH/shp dbf_playbook pb.yaml t.dbf $enc
  peek_is pb.yaml '#key|ID|NAME|AMT|NOTE|_deleted
t.dbf#1|1|Zhang San|123.45|\xc2\xb7\xb5\xc6\xb2\xbb\xc1\xc1|F
t.dbf#2|2|  Li Si|-7.00||F
t.dbf#3|3||**********|x|F'
done
