#!/usr/bin/env bash
# dbf: records are read until the file ends (or an end marker 0x1A where the
# header's count ends), not trusted from the header's count. A last record
# cut short is a "truncated_record" reject with its bytes; fewer records than
# the header claims is an error (count_check: false reads what is there);
# more records than it claims are read; a record whose deletion flag is
# neither ' ' nor '*' is a "bad_record" reject.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

mkdbf plain truncated lie_more lie_less zero_count packed marker_in_count badflag empty

# records of 9 bytes after a 97-byte header
dbf_playbook pb.yaml plain.dbf gbk
peek_is pb.yaml '#key|ID|TXT|_deleted
plain.dbf#1|1|r1|F
plain.dbf#2|2|r2|T
plain.dbf#3|3|r3|F
plain.dbf#4|4|r4|F
plain.dbf#5|5|r5|F'

# header claims 4: three records and 6 bytes of the fourth
dbf_playbook pb.yaml truncated.dbf gbk
peek_is pb.yaml '#key|ID|TXT|_deleted
!reject|truncated_record|the file ends 6 bytes into record 4 (records are 9 bytes; the header claims 4 records)|truncated.dbf#4|4|124|  4r4\x1a
truncated.dbf#1|1|r1|F
truncated.dbf#2|2|r2|F
truncated.dbf#3|3|r3|F'

# header claims 5, the file holds 3 and 4 bytes: an error before any row ...
dbf_playbook pb.yaml lie_more.dbf gbk
peek_fails pb.yaml "'lie_more.dbf' holds at most 4 records but its header claims 5 (the file is cut short); set count_check: false"
assert_eq "" "$(cat "$SCRATCH/out")" "nothing handed over"
# ... unless the check is off
dbf_playbook pb.yaml lie_more.dbf gbk 'count_check: false'
peek_is pb.yaml '#key|ID|TXT|_deleted
!reject|truncated_record|the file ends 4 bytes into record 4 (records are 9 bytes; the header claims 5 records)|lie_more.dbf#4|4|124| 4 r
lie_more.dbf#1|1|r1|F
lie_more.dbf#2|2|r2|F
lie_more.dbf#3|3|r3|F'

# the same file through a stream of unknown size: the shortfall is found
# when the stream ends
mkfifo "$FX/fifo.dbf"
cat "$FX/lie_more.dbf" >"$FX/fifo.dbf" &
dbf_playbook pb.yaml fifo.dbf gbk
peek_fails pb.yaml "fifo.dbf: the file holds 4 records but its header claims 5 (the file is cut short)"
wait
rm "$FX/fifo.dbf"

# header claims 2 (or 0: never updated), the file holds 4 (2): all are read
dbf_playbook pb.yaml lie_less.dbf gbk
peek_is pb.yaml '#key|ID|TXT|_deleted
lie_less.dbf#1|1|r1|F
lie_less.dbf#2|2|r2|F
lie_less.dbf#3|3|r3|F
lie_less.dbf#4|4|r4|F'
dbf_playbook pb.yaml zero_count.dbf gbk
peek_is pb.yaml '#key|ID|TXT|_deleted
zero_count.dbf#1|1|r1|F
zero_count.dbf#2|2|r2|F'

# an end marker where the header's count ends: what follows is not read
dbf_playbook pb.yaml packed.dbf gbk
peek_is pb.yaml '#key|ID|TXT|_deleted
packed.dbf#1|1|r1|F
packed.dbf#2|2|r2|F'
# an 0x1A where the header says a record is: a reject, and reading goes on
dbf_playbook pb.yaml marker_in_count.dbf gbk
peek_is pb.yaml "#key|ID|TXT|_deleted
!reject|bad_record|deletion flag 0x1a is neither ' ' nor '*'|marker_in_count.dbf#2|2|106|\\x1a  2r2   
marker_in_count.dbf#1|1|r1|F
marker_in_count.dbf#3|3|r3|F"
dbf_playbook pb.yaml badflag.dbf gbk
peek_is pb.yaml "#key|ID|TXT|_deleted
!reject|bad_record|deletion flag 0x00 is neither ' ' nor '*'|badflag.dbf#2|2|106|\\x00  2r2   
badflag.dbf#1|1|r1|F
badflag.dbf#3|3|r3|F"

# no records at all
dbf_playbook pb.yaml empty.dbf gbk
peek_is pb.yaml '#key|ID|TXT|_deleted'
