#!/usr/bin/env bash
# dbf inside archives: the archive driver streams members without seeking,
# so a table without memo fields reads as from a plain file (keys
# "<archive>!<member>#<record>"), and one with memo fields too: its memo
# member (FOX.Fpt) is spooled to a temporary file (t0368 has the details).
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"
command -v tar >/dev/null || skip "tar is not installed"

mkdbf db3 fox truncated
mkdir -p exports
(cd "$FX" && tar -cf "$SCRATCH/exports/t.tar" db3.dbf Fox.dbf FOX.Fpt truncated.dbf)

archive_playbook() {
  cat >pb.yaml <<EOT
system: {code: t_dbf, hotline: "12345", name: dbf test, department: test, mode: merge}
source: {driver: archive, dir: exports, format: dbf}
tables:
  - name: t.tar
    members: "$1"
    encoding: gbk
    fields: {legacy_id: ID}
EOT
}
archive_playbook db3.dbf
if ! "$BUILD/migrate" check pb.yaml >/dev/null 2>&1; then
  "$BUILD/migrate" check pb.yaml 2>&1 | grep -q "not compiled in" && skip "the archive driver is not compiled in"
  die "check: $("$BUILD/migrate" check pb.yaml 2>&1)"
fi
peek_is pb.yaml '#key|ID|NAME|AMOUNT|RATE|BORN|OK|TITLE|_deleted
t.tar!db3.dbf#1|1|Zhang San|123.45|0.5000|20190315|T|\xcd\xb6\xcb\xdf\xd4\xeb\xd2\xf4\xc8\xc5\xc3\xf1|F
t.tar!db3.dbf#2|2|deleted row|-7.00|\N|\N|\N||T
t.tar!db3.dbf#3|3|  lead\tsp|0.10|-1500.0000|00000000|T|\xc5_\xb1\xb1 \xc2\xb7\xb5\xc6\xb2\xbb\xc1\xc1|F
t.tar!db3.dbf#4|4|abc|\N|\N|\N|F|back\\slash|F
t.tar!db3.dbf#5|5|123456789012|\N|\N|\N|x|\xca\xd0\xc3\xf1\xc0\xb4\xb5\xe7\xb7\xb4\xd3\xb3\xc2\xb7\xb5\xc6\xb2\xbb\xc1\xc1|F'

archive_playbook truncated.dbf
peek_is pb.yaml '#key|ID|TXT|_deleted
!reject|truncated_record|the file ends 6 bytes into record 4 (records are 9 bytes; the header claims 4 records)|t.tar!truncated.dbf#4|4|124|  4r4\x1a
t.tar!truncated.dbf#1|1|r1|F
t.tar!truncated.dbf#2|2|r2|F
t.tar!truncated.dbf#3|3|r3|F'

archive_playbook Fox.dbf
dbf_playbook plain.yaml Fox.dbf gbk
assert_exit 0 "$BUILD/migrate" peek plain.yaml
cp "$SCRATCH/out" plain.out
assert_exit 0 "$BUILD/migrate" peek pb.yaml
assert_eq "$(cat plain.out)" "$(sed 's/^t\.tar!//' "$SCRATCH/out")" "memo table inside the archive: the plain file's rows"
