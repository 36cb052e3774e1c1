#!/usr/bin/env bash
# dbf: dBase memo files (.dbt). dBase III (0x83): 512-byte blocks, text up
# to 0x1A (one or two); dBase IV (0x8B): block size from the .dbt header,
# blocks with an FF FF 08 00 length header (so 0x1A inside is data), binary
# memos (type B, 10 bytes). The memo file is found in any letter case; a
# blank or zero-filled pointer is an empty memo or a block number.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

mkdbf db3memo db4memo
[[ -f $FX/DB3MEMO.DBT && ! -e $FX/db3memo.dbt ]] || die "fixture: the memo file name must differ in case"

big=$(printf 'abcdefghijklmnopqrstuvwxyz%.0s' {1..46})
big=${big:0:1190}'<end>'
dbf_playbook pb.yaml db3memo.dbf gbk
peek_is pb.yaml '#key|ID|NOTE|_deleted
db3memo.dbf#1|1|\xca\xd0\xc3\xf1\xc0\xb4\xb5\xe7\xb7\xb4\xd3\xb3\xc2\xb7\xb5\xc6\xb2\xbb\xc1\xc1|F
db3memo.dbf#2|2||F
db3memo.dbf#3|3|'"$big"'|T
db3memo.dbf#4|4|line1\r\nline2|F'

dbf_playbook pb.yaml db4memo.dbf gbk
peek_is pb.yaml '#key|ID|NOTE|BIN|_deleted
db4memo.dbf#1|1|\xcd\xb6\xcb\xdf\xd4\xeb\xd2\xf4\xc8\xc5\xc3\xf1\x1aafter|\x00\x01\x02\xff|F
db4memo.dbf#2|2|||F'

# resuming skips the records up to the key
dbf_playbook pb.yaml db3memo.dbf gbk
peek_is pb.yaml '#key|ID|NOTE|_deleted
db3memo.dbf#4|4|line1\r\nline2|F' --after 'db3memo.dbf#3'

# two memo files that differ only in case: the one cased like the .dbf's
# extension is read ...
cp "$FX/DB3MEMO.DBT" "$FX/db3memo.dbt"
printf 'X' | dd of="$FX/DB3MEMO.DBT" bs=1 seek=512 conv=notrunc 2>/dev/null
peek_is pb.yaml '#key|ID|NOTE|_deleted
db3memo.dbf#1|1|\xca\xd0\xc3\xf1\xc0\xb4\xb5\xe7\xb7\xb4\xd3\xb3\xc2\xb7\xb5\xc6\xb2\xbb\xc1\xc1|F' --rows 1
# ... and when neither is, that is an error, not a guess
mv "$FX/db3memo.dbt" "$FX/db3memo.Dbt"
peek_fails pb.yaml "several memo files match 'db3memo.dbt'"
