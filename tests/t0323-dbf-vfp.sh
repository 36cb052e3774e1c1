#!/usr/bin/env bash
# dbf: Visual FoxPro (0x30, 0x31 with autoincrement, 0x32 with varchar):
# the 263-byte backlink, I/Y/T/B fields as decimal text, 4-byte memo
# pointers, NULLs from the _NullFlags system column (which is not a column
# itself), varchar/varbinary lengths from their _NullFlags bit, and records
# whose binary values cannot be read (datetime out of range, varchar length
# over its field) rejected with their bytes and offset.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

mkdbf vfp vfp31 vfpvar

# the 4th record starts at 32 + 10 * 32 + 1 + 263 + 3 * 58 = 790
for t in vfp vfp31; do
  dbf_playbook pb.yaml $t.dbf gbk
  peek_is pb.yaml "#key|ID|NAME|AMT|WHEN|RATIO|NOTE|CNT|BORN|OK|_deleted
!reject|bad_value|field 'WHEN': datetime with julian day 99 and 0 milliseconds is out of range|$t.dbf#4|4|790| \\x04\\x00\\x00\\x00          \\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00c\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00              \\x00
$t.dbf#1|1|\\xd0\\xd5\\xc3\\xfb|123.4567|2019-03-15 12:34:56|0.1|\\xca\\xd0\\xc3\\xf1\\xc0\\xb4\\xb5\\xe7\\xb7\\xb4\\xd3\\xb3|42|20190315|T|F
$t.dbf#2|-2147483648|\\N|-0.5000|\\N|-1e+300|\\N|\\N|\\N|\\N|F
$t.dbf#3|3||-922337203685477.5808|1970-01-01 23:59:59.999|3||\\N|\\N|\\N|T"
done

dbf_playbook pb.yaml vfpvar.dbf gbk
peek_is pb.yaml '#key|ID|V1|Q1|_deleted
!reject|bad_value|field '"'V1'"': varchar length 12 is over the field'"'"'s 9 bytes|vfpvar.dbf#4|4|490| \x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0c      \x01
vfpvar.dbf#1|1|ab |\x00 \xff|F
vfpvar.dbf#2|2|0123456789|\xd0\xd5\xc3\xfb  |F
vfpvar.dbf#3|3|\N||F'

# _NullFlags is no column: a playbook naming it cannot be run; check the
# column list the driver gives
dbf_playbook pb.yaml vfp.dbf gbk
assert_exit 0 "$BUILD/migrate" peek pb.yaml --rows 1
case $(head -n 1 "$SCRATCH/out") in
*_NullFlags*) die "_NullFlags handed over as a column" ;;
esac
