#!/usr/bin/env bash
# archive driver: hostile and broken archives give one clear error naming
# the archive (and member), never a crash or a silent short read: truncated
# zip, tar and tar.gz; a zip bomb (max_ratio), an oversized member
# (max_member_bytes), encrypted members, a member name repeated in one
# archive, files that are no archive (an mtree-like text file must not make
# the driver read local files).
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/archive/lib.sh"
need_csv
need zip tar gzip zstd 7z dd head

mkdir d
{
  echo id,text
  for ((i = 1; i <= 3000; i++)); do echo "$i,record $i $((i * 7919 % 10007))"; done
} >d/big.csv
printf 'id,text\n1,a\n' >d/s1.csv
printf 'id,text\n2,b\n' >d/s2.csv
(
  cd d
  zip -q ../ok.zip big.csv
  zip -q -0 -X ../two.zip s1.csv s2.csv # no extra fields: member 1 data at 36
  tar -cf ../two.tar s1.csv s2.csv
  tar -czf ../ok.tgz big.csv
  zip -q -P secret ../enc.zip big.csv
  7z a -bd -psecret ../enc.7z big.csv >/dev/null
  7z a -bd -psecret -mhe=on ../enchdr.7z big.csv >/dev/null
)
size() { stat -c %s "$1"; }

# sane: every record
playbook ok.yaml ok.zip
peek ok.yaml >out
assert_eq 3001 "$(wc -l <out)" "all rows of ok.zip"

# zip cut in the middle of the member's data
head -c $(($(size ok.zip) / 2)) ok.zip >cut.zip
playbook cut.yaml cut.zip
peek_fails cut.yaml "cannot read archive 'cut.zip' at member 'big.csv'"
assert_contains "$(cat err)" "truncated?" "hint"
# zip cut after the first member (the second's header and the directory are gone)
head -c $((30 + 6 + 12 + 10)) two.zip >cut2.zip
playbook cut2.yaml cut2.zip
peek_fails cut2.yaml "cannot read archive 'cut2.zip': Truncated ZIP file"

# a flipped byte in a stored member: the CRC check fails
cp two.zip crc.zip
printf X | dd of=crc.zip bs=1 seek=$((36 + 10)) conv=notrunc status=none # the a of "1,a"
playbook crc.yaml crc.zip
peek_fails crc.yaml "cannot read archive 'crc.zip' at member 's1.csv': ZIP bad CRC"

# tar.gz cut in the middle
head -c $(($(size ok.tgz) / 2)) ok.tgz >cut.tgz
playbook cuttgz.yaml cut.tgz
peek_fails cuttgz.yaml "cannot read archive 'cut.tgz': truncated gzip input"

# plain tar cut inside the second member's data, and cut exactly between two
# members (libarchive alone would take that for the end of the archive)
head -c 1600 two.tar >cutm.tar
playbook cutm.yaml cutm.tar
peek_fails cutm.yaml "cannot read archive 'cutm.tar'"
head -c 1024 two.tar >cutb.tar
playbook cutb.yaml cutb.tar
peek_fails cutb.yaml "cannot read archive 'cutb.tar': it ends without the tar end-of-archive marker after 1024 bytes"
playbook two.yaml two.tar
peek two.yaml >out
assert_eq 3 "$(wc -l <out)" "the whole tar reads"

# a zip bomb: 200 MB of zeros deflate about 1000:1
dd if=/dev/zero bs=1M count=200 status=none | zip -q bomb.zip -
(($(size bomb.zip) < 400000)) || die "bomb.zip is $(size bomb.zip) bytes"
playbook bomb.yaml bomb.zip '    max_ratio: 100'
peek_fails bomb.yaml "member 'bomb.zip!-' expands more than max_ratio (100) times its compressed size"
# the member cap, checked on the size the header announces and while streaming
playbook big.yaml bomb.zip '    max_member_bytes: 1000000'
peek_fails big.yaml "member 'bomb.zip!-' is larger than max_member_bytes (1000000 bytes)"
dd if=/dev/zero bs=1M count=3 status=none | tr '\0' x | gzip -c >z.gz
playbook gz.yaml z.gz $'    max_member_bytes: 2000000\n    max_ratio: 100000'
peek_fails gz.yaml "member 'z.gz!z' is larger than max_member_bytes (2000000 bytes)"
# many members each too small for the per-member check (under 1 MiB), that
# together expand far beyond the archive's size: refused for the archive
mkdir many
for ((i = 10; i < 40; i++)); do
  { echo id,text; dd if=/dev/zero bs=1000 count=900 status=none | tr '\0' x; echo; } >many/m$i.csv
done
(cd many && zip -q ../many.zip m*.csv)
playbook many.yaml many.zip '    max_ratio: 200'
peek_fails many.yaml "archive 'many.zip' expands more than max_ratio (200) times its size"

# a bomb in a member nobody reads: skipping it would mean decompressing it
# all (compressed tar), so it counts against the archive's ratio too
mkdir zb
printf 'id,text\n1,a\n' >zb/ok.csv
dd if=/dev/zero bs=1M count=200 status=none of=zb/big.bin
(cd zb && tar --zstd -cf ../zbomb.tar.zst big.bin ok.csv)
rm zb/big.bin
playbook zbomb.yaml zbomb.tar.zst '    members: "*.csv"'
peek_fails zbomb.yaml "archive 'zbomb.tar.zst' expands more than max_ratio (1000) times its size"

# encrypted members
playbook enc.yaml enc.zip
peek_fails enc.yaml "member 'big.csv' of archive 'enc.zip' is encrypted (not supported)"
playbook enc7.yaml enc.7z
peek_fails enc7.yaml "member 'big.csv' of archive 'enc.7z' is encrypted (not supported)"
playbook enchdr.yaml enchdr.7z
peek_fails enchdr.yaml "cannot read archive 'enchdr.7z'"

# the same member twice (tar -r appends an update): keys would repeat
cp two.tar dup.tar
(cd d && tar -rf ../dup.tar s1.csv)
playbook dup.yaml dup.tar
peek_fails dup.yaml "member 's1.csv' appears twice in archive 'dup.tar'"
# a cap on the matching members of one archive
playbook maxm.yaml two.tar '    max_members: 1'
peek_fails maxm.yaml "archive 'two.tar' has more than max_members (1) members matching '*'"

# a tar.gz whose tar is broken is not read as one compressed file
printf 'garbage%.0s' {1..200} | gzip -c >bad.tar.gz
playbook badtgz.yaml bad.tar.gz
peek_fails badtgz.yaml "cannot read archive 'bad.tar.gz': no valid tar archive inside its compression"

# no archive: an empty file, text, and an mtree spec naming a local file
: >empty.zip
playbook empty.yaml empty.zip
peek_fails empty.yaml "cannot read archive 'empty.zip'"
printf '#mtree\n./d/s1.csv type=file\n' >spec.tar
cp d/s1.csv plain.zip
playbook plain.yaml plain.zip
peek_fails plain.yaml "cannot read archive 'plain.zip': Unrecognized archive format"
playbook mtree.yaml spec.tar
peek_fails mtree.yaml "cannot read archive 'spec.tar': Unrecognized archive format"
head -c 5000 /dev/urandom >noise.7z
playbook noise.yaml noise.7z
peek_fails noise.yaml "cannot read archive 'noise.7z'"

# option values are checked
playbook badopt.yaml ok.zip '    max_ratio: 0'
peek_fails badopt.yaml "'max_ratio' must be a whole number from 1 to 1000000"
echo ok
