#!/usr/bin/env bash
# archive driver: every member read to its end and every archive read to its
# end is reported (batch_input_done) with the SHA-256 of its bytes (member:
# uncompressed; archive: the file), its size and its record count, the same
# as sha256sum gives; skipped members and seeks do not spoil the archive's
# hash; a member or archive that fails is not reported. Uses the test tool
# tests/fixtures/archive/arpeek.c, as peek does not show inputs.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/archive/lib.sh"
need_csv
need zip tar gzip zstd 7z sha256sum
build_arpeek

mkdir src
printf 'id,text\n1,a\n2,b\n' >src/z.csv
printf 'id,text\n3,c\n' >src/b.csv
{ echo id,text; for ((i = 1; i <= 40000; i++)); do echo "$i,line $i $((i * 31 % 977))"; done; } >src/big.csv
head -c 300000 /dev/urandom >src/skip.bin
(
  cd src
  tar -cf ../a.tar z.csv skip.bin big.csv b.csv
  zip -q ../a.zip z.csv skip.bin big.csv b.csv
  tar --zstd -cf ../a.tar.zst z.csv skip.bin big.csv b.csv
  7z a -bd ../a.7z z.csv skip.bin big.csv b.csv >/dev/null
)
bytes() { stat -c %s "$1"; }

for a in a.tar a.zip a.tar.zst a.7z; do
  playbook pb.yaml "$a" '    members: "*.csv"'
  ./arpeek pb.yaml >out || die "arpeek $a"
  grep '^!input' out | sort >got
  {
    printf '!input\t%s!z.csv\t%s\t%s\t2\n' "$a" "$(sha src/z.csv)" "$(bytes src/z.csv)"
    printf '!input\t%s!b.csv\t%s\t%s\t1\n' "$a" "$(sha src/b.csv)" "$(bytes src/b.csv)"
    printf '!input\t%s!big.csv\t%s\t%s\t40000\n' "$a" "$(sha src/big.csv)" "$(bytes src/big.csv)"
    printf '!input\t%s\t%s\t%s\t40003\n' "$a" "$(sha "$a")" "$(bytes "$a")"
  } | sort >want
  diff -u want got || die "inputs of $a"
  # the archive is reported after its last member
  assert_eq "$a" "$(grep '^!input' out | tail -n 1 | cut -f2)" "archive last"
  assert_eq 40003 "$(grep -vc '^[#!]' out)" "rows of $a"
done

# resuming in the middle: the members finished in this run and the whole archive
playbook pb.yaml a.zip '    members: "*.csv"'
./arpeek pb.yaml --after 'a.zip!big.csv#39999' >out
assert_eq $'a.zip!big.csv#40000\na.zip!b.csv#1' "$(grep -v '^[#!]' out | cut -f1)" "rows after the key"
assert_eq "a.zip!big.csv $(sha src/big.csv)|a.zip!b.csv $(sha src/b.csv)|a.zip $(sha a.zip)" \
  "$(grep '^!input' out | cut -f2,3 | tr '\t' ' ' | paste -s -d'|')" "inputs on resume"

# a member that fails is not reported, nor is its archive; the one before is
printf 'id,text\n1,a\n' >src/s1.csv
(cd src && zip -q -0 ../two.zip s1.csv z.csv)
head -c $(($(bytes two.zip) - 200)) two.zip >cut.zip
playbook cut.yaml cut.zip
assert_exit 1 ./arpeek cut.yaml
assert_contains "$(cat err)" "cannot read archive 'cut.zip'"
assert_eq "cut.zip!s1.csv" "$(grep '^!input' out | cut -f2 | paste -s)" "only the complete member"
echo ok
