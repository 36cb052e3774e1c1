#!/usr/bin/env bash
# csv: GBK, Big5 and GB18030 files whose delimiter (| 0x7C, \ 0x5C) is also
# the second byte of some characters. Split by character, the fields come
# out whole and as the original bytes; split byte by byte (declared utf-8)
# the same lines fall apart. Header names are decoded to UTF-8.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
# shellcheck source=tests/fixtures/csv/lib.sh
. "$TOP/tests/fixtures/csv/lib.sh"

command -v iconv >/dev/null || skip "iconv is not installed"

# The fixture's characters, checked with iconv: each has 0x7C or 0x5C as
# its second byte in GBK.
for pair in '亅:817c' '箌:b97c' '諀:d57c' '眧:b17c' '膢:c47c' '晐:957c' '乗:815c'; do
  ch=${pair%%:*} hex=${pair#*:}
  assert_eq "$hex" "$(printf '%s' "$ch" | iconv -f UTF-8 -t GBK | od -An -tx1 | tr -d ' \n')" "GBK bytes of $ch"
done

# ---- GBK, '|' ----
{
  printf '编号|内容|备注\r\n' | iconv -f UTF-8 -t GBK
  printf '1|亅箌諀|乗\r\n' | iconv -f UTF-8 -t GBK
  printf '2|"眧|膢"|""\r\n' | iconv -f UTF-8 -t GBK
  printf '3|晐|\r\n' | iconv -f UTF-8 -t GBK
} >g.csv
iconv -f GBK -t UTF-8 g.csv >/dev/null || die "fixture g.csv is not valid GBK"
playbook pb_gbk.yaml g.csv gbk 'delimiter: "|"'
{
  row '#key' 编号 内容 备注
  row 'g.csv#1' 1 '\x81|\xb9|\xd5|' '\x81\\'
  row 'g.csv#2' 2 '\xb1||\xc4|' ''
  row 'g.csv#3' 3 '\x95|' ''
} >exp_gbk
peek_is pb_gbk.yaml exp_gbk
# the values decode to the characters written
assert_eq '亅箌諀' "$(printf '\x81|\xb9|\xd5|' | iconv -f GBK -t UTF-8)" "field 2 of record 1 is whole"

# the same declarations for the family members
for enc in gb2312 cp936 gb18030 GBK; do
  playbook pb_$enc.yaml g.csv $enc 'delimiter: "|"'
  peek_is pb_$enc.yaml exp_gbk
done

# declared utf-8, the GBK header is refused, and byte splitting cuts the
# characters: every record becomes ragged
playbook pb_utf8.yaml g.csv utf-8 'delimiter: "|"'
assert_exit 1 "$M" peek pb_utf8.yaml
assert_contains "$(cat "$SCRATCH/err")" "header field 1 on line 1 is not valid 'utf-8' text" "undecodable header name"
playbook pb_utf8c.yaml g.csv utf-8 'delimiter: "|"' 'columns: [id, text, note]'
"$M" peek pb_utf8c.yaml >got 2>err || die "peek failed: $(cat err)"
# (record 2 survives: its trail bytes are inside quotes)
assert_eq 2 "$(grep -c '^!reject	ragged_row	' got)" "byte splitting breaks GBK lines"
assert_contains "$(cat got)" $'line 2: expected 3 fields, found 6\tg.csv#1\t2\t' "record 1 split at trail bytes"

# ---- GBK, '\' ----
{ printf 'id\\text\n' && printf '1\\乗\n2\\a乗b\n' | iconv -f UTF-8 -t GBK; } >bs.csv
playbook pb_bs.yaml bs.csv gbk "delimiter: '\\'"
{
  row '#key' id text
  row 'bs.csv#1' 1 '\x81\\'
  row 'bs.csv#2' 2 'a\x81\\b'
} >exp_bs
peek_is pb_bs.yaml exp_bs

# ---- Big5: 功 is A5 5C, ﹄ is A1 7C ----
assert_eq 'a55c' "$(printf '功' | iconv -f UTF-8 -t BIG5 | od -An -tx1 | tr -d ' \n')" "Big5 bytes of 功"
assert_eq 'a17c' "$(printf '﹄' | iconv -f UTF-8 -t BIG5 | od -An -tx1 | tr -d ' \n')" "Big5 bytes of ﹄"
printf 'id|name\n1|功﹄\n' | iconv -f UTF-8 -t BIG5 >b5.csv
for enc in big5 big5-hkscs; do
  playbook pb_$enc.yaml b5.csv $enc 'delimiter: "|"'
  {
    row '#key' id name
    row 'b5.csv#1' 1 '\xa5\\\xa1|'
  } >exp_b5
  peek_is pb_$enc.yaml exp_b5
done

# ---- GB18030 four-byte sequences (U+3400, U+1F600, U+00E4) beside '|' ----
assert_eq '8139ee39' "$(printf '㐀' | iconv -f UTF-8 -t GB18030 | od -An -tx1 | tr -d ' \n')" "GB18030 bytes of U+3400"
printf 'id|v|w\n1|㐀😀|ä亅\n' | iconv -f UTF-8 -t GB18030 >g4.csv
playbook pb_g4.yaml g4.csv gb18030 'delimiter: "|"'
{
  row '#key' id v w
  row 'g4.csv#1' 1 '\x819\xee9\x949\xfc6' '\x810\x8a1\x81|'
} >exp_g4
peek_is pb_g4.yaml exp_g4

# ---- ',' and tab need no walking: never a trail byte (same result) ----
printf '1,亅,箌\n' | iconv -f UTF-8 -t GBK >c.csv
playbook pb_c.yaml c.csv gbk 'header: false'
{
  row '#key' c1 c2 c3
  row 'c.csv#1' 1 '\x81|' '\xb9|'
} >exp_c
peek_is pb_c.yaml exp_c

# ---- one file cannot be split both ways ----
playbook pb_mix.yaml g.csv gbk 'delimiter: "|"' 'encodings: {备注: utf-8}'
assert_exit 1 "$M" peek pb_mix.yaml
assert_contains "$(cat "$SCRATCH/err")" "column '备注' is in 'utf-8'" "mixed encodings with a trail-byte delimiter"
echo ok
