#!/usr/bin/env bash
# archive driver: member names. A zip made on a Chinese Windows stores names
# in CP936 without the UTF-8 flag (general purpose bit 11): member_encoding
# decodes them, so globs and keys see UTF-8 (测试.csv); without it such a
# name is an error, not a garbled key. Names stored as Unicode (7z, pax tar,
# zip with bit 11) stay as they are.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/archive/lib.sh"
need_csv
need zip 7z tar od

gbk_name=$(printf '\xb2\xe2\xca\xd4.csv')   # 测试.csv in GBK
utf8_name=测试.csv
mkdir gbk utf8
printf 'id,text\n1,\xc4\xe3\xba\xc3\n' >"gbk/$gbk_name"
printf 'id,text\n2,plain\n' >gbk/plain.csv
cp "gbk/$gbk_name" "utf8/$utf8_name"
(cd gbk && LC_ALL=C zip -q ../gbk.zip "$gbk_name" plain.csv)
(cd utf8 && 7z a -bd ../u.7z "$utf8_name" >/dev/null && tar --format=pax -cf ../u.tar "$utf8_name")

# the zip really has the GBK bytes and no UTF-8 flag: local header of the first
# member: flags at offset 6 (bit 11 = 0x08 in the byte at offset 7), name at 30
assert_eq " 00 00" "$(od -A n -t x1 -j 6 -N 2 gbk.zip)" "general purpose flags of the first member"
assert_eq " b2 e2 ca d4 2e 63 73 76" "$(od -A n -t x1 -j 30 -N 8 gbk.zip)" "GBK name bytes"

key='\xe6\xb5\x8b\xe8\xaf\x95.csv' # 测试.csv as peek prints it
playbook cp936.yaml gbk.zip $'    members: "测*"\n    member_encoding: cp936'
peek cp936.yaml >out
assert_eq $'#key\tid\ttext\ngbk.zip!'"$key"$'#1\t1\t\\xc4\\xe3\\xba\\xc3' "$(cat out)" "UTF-8 name in glob and key"

# '?' is one character, not one byte
playbook q.yaml gbk.zip $'    members: "??.csv"\n    member_encoding: cp936'
peek q.yaml >out
assert_eq "gbk.zip!$key#1" "$(sed -n 2p out | cut -f1)" "?? matches 测试"

# every member, the ASCII name too
playbook all.yaml gbk.zip '    member_encoding: CP936'
peek all.yaml >out
assert_eq $'#key\tid\ttext\ngbk.zip!'"$key"$'#1\t1\t\\xc4\\xe3\\xba\\xc3\ngbk.zip!plain.csv#1\t2\tplain' "$(cat out)" "all members"

# resume after the Chinese member's record
peek all.yaml --after "gbk.zip!$utf8_name#1" >out
assert_eq $'#key\tid\ttext\ngbk.zip!plain.csv#1\t2\tplain' "$(cat out)" "resume after 测试.csv#1"

# without member_encoding: a clear error, no garbled key
playbook raw.yaml gbk.zip
peek_fails raw.yaml "member name '\\xb2\\xe2\\xca\\xd4.csv' of archive 'gbk.zip' is not UTF-8: set the table's member_encoding"

# an encoding iconv does not know
playbook bad.yaml gbk.zip '    member_encoding: no-such-charset'
peek_fails bad.yaml "cannot decode member names from member_encoding 'no-such-charset'"

# Unicode names (7z: UTF-16; pax: UTF-8) are not touched by member_encoding
for a in u.7z u.tar; do
  for enc in "" '    member_encoding: cp936'; do
    playbook u.yaml "$a" "$enc"
    peek u.yaml >out
    assert_eq $'#key\tid\ttext\n'"$a!$key"$'#1\t1\t\\xc4\\xe3\\xba\\xc3' "$(cat out)" "$a with [$enc]"
  done
done

# a zip whose names carry the UTF-8 flag (7-Zip sets it with -mcu=on; Info-ZIP
# zip does not): kept as UTF-8 under member_encoding
(cd utf8 && 7z a -bd -tzip -mcu=on ../flag.zip "$utf8_name" >/dev/null)
assert_eq " 00 08" "$(od -A n -t x1 -j 6 -N 2 flag.zip)" "bit 11 set by 7z"
playbook f.yaml flag.zip '    member_encoding: cp936'
peek f.yaml >out
assert_eq $'#key\tid\ttext\nflag.zip!'"$key"$'#1\t1\t\\xc4\\xe3\\xba\\xc3' "$(cat out)" "flagged UTF-8 name"
echo ok
