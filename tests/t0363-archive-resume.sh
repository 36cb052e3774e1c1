#!/usr/bin/env bash
# archive driver: resuming after a key "<archive>!<member>#<record>" skips
# the archives before it, the members before it in archive order (names need
# not sort) and the member's records up to it; after every key of a full
# read, the rest is exactly the tail of that read.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/archive/lib.sh"
need_csv
need zip tar gzip 7z

mkdir src
for m in z b m; do
  { echo id,text; for ((i = 1; i <= 3; i++)); do echo "$m$i,text of $m $i"; done; } >src/$m.csv
done
printf 'id,text\n' >src/empty.csv
(
  cd src
  zip -q ../a1.zip z.csv b.csv empty.csv m.csv
  tar -czf ../a2.tgz m.csv z.csv
  7z a -bd ../a3.7z b.csv z.csv >/dev/null
)
playbook pb.yaml "a*" '    batch_rows: 2'
peek pb.yaml >full
assert_eq 22 "$(wc -l <full)" "1 header + 7 members x 3 rows"
head -n 4 full | tail -n 3 | cut -f1 | tr '\n' ' ' | grep -q '^a1.zip!z.csv#1 a1.zip!z.csv#2 a1.zip!z.csv#3 $' ||
  die "archive order, not name order: $(head -n 4 full)"

n=0
while IFS=$'\t' read -r key _; do
  [[ $key == '#key' ]] && continue
  n=$((n + 1))
  peek pb.yaml --after "$key" >rest
  { head -n 1 full; tail -n +$((n + 2)) full; } >want
  diff -u want rest >/dev/null || die "after '$key': $(diff -u want rest)"
done <full
assert_eq 21 "$n" "every key tried"

# a key before the first record of a member in the middle of an archive
peek pb.yaml --after 'a1.zip!m.csv#0' >rest
assert_eq $'a1.zip!m.csv#1\ta1.zip!m.csv#2\ta1.zip!m.csv#3\ta2.tgz!m.csv#1' "$(sed -n '2,5p' rest | cut -f1 | paste -s)" "from m.csv#1"
# the empty member is a valid resume point too
peek pb.yaml --after 'a1.zip!empty.csv#0' >rest
assert_eq 'a1.zip!m.csv#1' "$(sed -n 2p rest | cut -f1)" "after empty.csv"

# keys that do not fit the archives: errors, not a silent restart
peek_fails pb.yaml "resume key 'other.zip!z.csv#1' names no archive of table 'a*'" --after 'other.zip!z.csv#1'
peek_fails pb.yaml "resume point: member 'gone.csv' not found in archive 'a2.tgz'" --after 'a2.tgz!gone.csv#2'
peek_fails pb.yaml "stored resume key 'a1.zip' is not an archive member key" --after 'a1.zip'
echo ok
