#!/usr/bin/env bash
# dbf: hostile memo pointers are "bad_memo" rejects with the record's bytes
# (block past the end of the memo file, inside its header, a length running
# past its end, a pointer that is not a number); a missing memo file is an
# error naming the file looked for; a memo over max_memo_bytes (or the
# table's max_field_bytes) is an error naming the cap.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

mkdbf badmemo nomemo bigmemo

dbf_playbook pb.yaml badmemo.dbf gbk
peek_is pb.yaml "#key|ID|NOTE|_deleted
!reject|bad_memo|field 'NOTE': memo block 999 is past the end of 'badmemo.fpt' (640 bytes, blocks of 64)|badmemo.dbf#2|2|111|   2       999
!reject|bad_memo|field 'NOTE': memo at block 9 of 'badmemo.fpt' claims 1000000 bytes, past the end of the file|badmemo.dbf#3|3|125|   3         9
!reject|bad_memo|field 'NOTE': memo block 3 is inside the header of 'badmemo.fpt' (640 bytes, blocks of 64)|badmemo.dbf#4|4|139|   4         3
!reject|bad_memo|field 'NOTE': memo block pointer is not a number|badmemo.dbf#5|5|153|   512x       
badmemo.dbf#1|1|good|F
badmemo.dbf#6|6|good|F"

dbf_playbook pb.yaml nomemo.dbf gbk
peek_fails pb.yaml "memo file '$FX/nomemo.fpt' of 'nomemo.dbf' not found (memo field 'NOTE'"

# a 40000-byte dBase III memo: read whole under the default cap ...
dbf_playbook pb.yaml bigmemo.dbf gbk
assert_exit 0 "$BUILD/migrate" peek pb.yaml
assert_eq 40000 "$(tail -n 1 "$SCRATCH/out" | cut -f 3 | tr -d '\n' | wc -c)" "memo bytes"
dbf_playbook pb.yaml bigmemo.dbf gbk 'max_memo_bytes: 40000'
assert_exit 0 "$BUILD/migrate" peek pb.yaml
# ... an error over it
dbf_playbook pb.yaml bigmemo.dbf gbk 'max_memo_bytes: 39999'
peek_fails pb.yaml "bigmemo.dbf: memo of field 'NOTE' in record 1 is over max_memo_bytes (39999)"
dbf_playbook pb.yaml bigmemo.dbf gbk 'max_field_bytes: 1000'
peek_fails pb.yaml "bigmemo.dbf: memo of field 'NOTE' in record 1 is over max_field_bytes (1000)"
# a FoxPro memo's length is known before it is read
dbf_playbook pb.yaml badmemo.dbf gbk 'max_memo_bytes: 3'
peek_fails pb.yaml "memo of field 'NOTE' in record 1 is 4 bytes, over max_memo_bytes (3)"
dbf_playbook pb.yaml bigmemo.dbf gbk 'max_memo_bytes: 2000000000'
peek_fails pb.yaml "'max_memo_bytes' must be a whole number from 1 to 1073741824"
