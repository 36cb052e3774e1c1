#!/usr/bin/env bash
# dbf: the code-page byte (language driver id, header offset 29) is checked
# against the table's declared encoding; a disagreement or an unknown byte is
# an error naming both, unless codepage_check: false. Field names that are
# not ASCII are decoded from the declared encoding (or spelled \xHH).
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

mkdbf db3 big5 latin cpunknown gbkname

dbf_playbook pb.yaml db3.dbf utf-8
peek_fails pb.yaml "code page byte 0x7a (cp936) of 'db3.dbf' disagrees with the declared encoding 'utf-8'"
assert_contains "$(cat "$SCRATCH/err")" "codepage_check: false" "the way out is named"
assert_eq "" "$(cat "$SCRATCH/out")" "nothing handed over"

dbf_playbook pb.yaml big5.dbf gbk
peek_fails pb.yaml "code page byte 0x78 (cp950) of 'big5.dbf' disagrees with the declared encoding 'gbk'"
for enc in big5 big5-hkscs BIG5; do
  dbf_playbook pb.yaml big5.dbf $enc
  peek_is pb.yaml '#key|TEXT|_deleted
big5.dbf#1|\xbbO\xa5_|F'
done

dbf_playbook pb.yaml latin.dbf gbk
peek_fails pb.yaml "code page byte 0x03 (cp1252) of 'latin.dbf' disagrees with the declared encoding 'gbk'"
for enc in latin1 cp1252 iso-8859-1; do
  dbf_playbook pb.yaml latin.dbf $enc
  peek_is pb.yaml '#key|TEXT|_deleted
latin.dbf#1|caf\xe9|F'
done

dbf_playbook pb.yaml cpunknown.dbf gbk
peek_fails pb.yaml "unknown code page byte 0xee in 'cpunknown.dbf'"

# the check can be turned off: the bytes are handed over as they are
dbf_playbook pb.yaml big5.dbf utf-8 'codepage_check: false'
peek_is pb.yaml '#key|TEXT|_deleted
big5.dbf#1|\xbbO\xa5_|F'
dbf_playbook pb.yaml cpunknown.dbf gbk 'codepage_check: no'
peek_is pb.yaml '#key|ID|TXT|_deleted
cpunknown.dbf#1|1|one|F'
dbf_playbook pb.yaml big5.dbf utf-8 'codepage_check: sometimes'
peek_fails pb.yaml "'codepage_check' must be true or false"

# a GBK field name becomes UTF-8; one that is not GBK is spelled out
dbf_playbook pb.yaml gbkname.dbf gbk
peek_is pb.yaml '#key|姓名|\xff\xfe|_deleted
gbkname.dbf#1|\xd0\xd5\xc3\xfb|ok|F'
