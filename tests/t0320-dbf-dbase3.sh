#!/usr/bin/env bash
# dbf: a dBase III table (version 0x03, code page 0x7A = GBK) with C, N, F,
# D and L fields: character fields lose only their padding, numbers their
# spaces, blank N/F/D/L fields are NULL, logicals become T/F, deleted records
# stay rows with _deleted = T, GBK bytes pass through untouched.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

mkdbf db3 gbk4d ansi nocp

dbf_playbook pb.yaml db3.dbf gbk
peek_is pb.yaml '#key|ID|NAME|AMOUNT|RATE|BORN|OK|TITLE|_deleted
db3.dbf#1|1|Zhang San|123.45|0.5000|20190315|T|\xcd\xb6\xcb\xdf\xd4\xeb\xd2\xf4\xc8\xc5\xc3\xf1|F
db3.dbf#2|2|deleted row|-7.00|\N|\N|\N||T
db3.dbf#3|3|  lead\tsp|0.10|-1500.0000|00000000|T|\xc5_\xb1\xb1 \xc2\xb7\xb5\xc6\xb2\xbb\xc1\xc1|F
db3.dbf#4|4|abc|\N|\N|\N|F|back\\slash|F
db3.dbf#5|5|123456789012|\N|\N|\N|x|\xca\xd0\xc3\xf1\xc0\xb4\xb5\xe7\xb7\xb4\xd3\xb3\xc2\xb7\xb5\xc6\xb2\xbb\xc1\xc1|F'

# --rows stops early; gb18030 and cp936 agree with code page 0x7A too
dbf_playbook pb.yaml db3.dbf gb18030
peek_is pb.yaml '#key|ID|NAME|AMOUNT|RATE|BORN|OK|TITLE|_deleted
db3.dbf#1|1|Zhang San|123.45|0.5000|20190315|T|\xcd\xb6\xcb\xdf\xd4\xeb\xd2\xf4\xc8\xc5\xc3\xf1|F' --rows 1
dbf_playbook pb.yaml db3.dbf cp936
assert_exit 0 "$BUILD/migrate" peek pb.yaml

# 0x4D is CP936 as well; 0x57 (ANSI) and 0x00 (none) are not checked
for t in gbk4d ansi nocp; do
  dbf_playbook pb.yaml $t.dbf gbk
  peek_is pb.yaml "#key|TEXT|_deleted
$t.dbf#1|\\xc5_\\xb1\\xb1|F"
done
dbf_playbook pb.yaml ansi.dbf utf-8
assert_exit 0 "$BUILD/migrate" peek pb.yaml
dbf_playbook pb.yaml gbk4d.dbf utf-8
peek_fails pb.yaml "code page byte 0x4d (cp936) of 'gbk4d.dbf' disagrees with the declared encoding 'utf-8'"

# the playbook passes `migrate check` with the dbf options
dbf_playbook pb.yaml db3.dbf gbk 'codepage_check: true' 'count_check: true' 'max_memo_bytes: 1024'
assert_exit 0 "$BUILD/migrate" check pb.yaml
