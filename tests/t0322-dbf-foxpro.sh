#!/usr/bin/env bash
# dbf: a FoxPro 2.x table (0xF5) with a .fpt memo file: big-endian block
# size (64 here) and block headers (type, length), memos spanning blocks,
# a general (G) field handed over as raw bytes; file names in mixed case.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

mkdbf fox
[[ -f $FX/Fox.dbf && -f $FX/FOX.Fpt ]] || die "fixture names"

long=$(printf '0123456789%.0s' {1..30})
dbf_playbook pb.yaml Fox.dbf gbk
peek_is pb.yaml '#key|ID|NOTE|PIC|_deleted
Fox.dbf#1|1|\xcd\xb6\xcb\xdf\xd4\xeb\xd2\xf4\xc8\xc5\xc3\xf1|\x01\x00\x1a\x1a|F
Fox.dbf#2|2|'"$long"'||F
Fox.dbf#3|3|||T'

# a glob finds the table; its memo file is still found beside it
dbf_playbook pb.yaml 'F*.dbf' gbk
assert_exit 0 "$BUILD/migrate" peek pb.yaml
assert_eq 4 "$(wc -l <"$SCRATCH/out")" "three rows and the header"
