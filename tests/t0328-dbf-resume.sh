#!/usr/bin/env bash
# dbf: keys are "<file>#<record number>" (1-based, counting deleted and
# rejected records), so a run resumes after a key: the records up to it are
# skipped, files before its file too; batches split a large file and each
# key is handed over once, in order.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

mkdbf db3 many_a many_b truncated badflag

dbf_playbook pb.yaml db3.dbf gbk
peek_is pb.yaml '#key|ID|NAME|AMOUNT|RATE|BORN|OK|TITLE|_deleted
db3.dbf#4|4|abc|\N|\N|\N|F|back\\slash|F
db3.dbf#5|5|123456789012|\N|\N|\N|x|\xca\xd0\xc3\xf1\xc0\xb4\xb5\xe7\xb7\xb4\xd3\xb3\xc2\xb7\xb5\xc6\xb2\xbb\xc1\xc1|F' --after 'db3.dbf#3'
peek_is pb.yaml '#key|ID|NAME|AMOUNT|RATE|BORN|OK|TITLE|_deleted' --after 'db3.dbf#5'

# a reject is a numbered record too: resuming after it does not repeat it
dbf_playbook pb.yaml badflag.dbf gbk
peek_is pb.yaml '#key|ID|TXT|_deleted
badflag.dbf#3|3|r3|F' --after 'badflag.dbf#2'
dbf_playbook pb.yaml truncated.dbf gbk
peek_is pb.yaml '#key|ID|TXT|_deleted
!reject|truncated_record|the file ends 6 bytes into record 4 (records are 9 bytes; the header claims 4 records)|truncated.dbf#4|4|124|  4r4\x1a' --after 'truncated.dbf#3'

# two files, 2500 + 10 records, batches of 1000 (the default)
dbf_playbook pb.yaml 'many_*.dbf' gbk
assert_exit 0 "$BUILD/migrate" peek pb.yaml
cut -f 1 "$SCRATCH/out" | tail -n +2 >keys.all
{
  for i in $(seq 1 2500); do echo "many_a.dbf#$i"; done
  for i in $(seq 1 10); do echo "many_b.dbf#$i"; done
} >keys.want
cmp keys.want keys.all || die "keys differ from one per record in order"
assert_eq 358 "$(cut -f 4 "$SCRATCH/out" | grep -c "^T$")" "every 7th record is deleted (357 + 1)"
assert_eq 'many_a.dbf#1001|1001|row 1001 \xc2\xb7\xb5\xc6\xb2\xbb\xc1\xc1|T' "$(sed -n 1002p "$SCRATCH/out" | tr '\t' '|')" "row 1001 (7 x 143: deleted)"

# resume in the middle of the first file, and in the second
assert_exit 0 "$BUILD/migrate" peek pb.yaml --after 'many_a.dbf#1234'
cut -f 1 "$SCRATCH/out" | tail -n +2 >keys.got
cmp <(tail -n +1235 keys.want) keys.got || die "resume after many_a.dbf#1234"
assert_exit 0 "$BUILD/migrate" peek pb.yaml --after 'many_b.dbf#7'
assert_eq 'many_b.dbf#8 many_b.dbf#9 many_b.dbf#10' "$(cut -f 1 "$SCRATCH/out" | tail -n +2 | xargs)" "resume in the second file"
