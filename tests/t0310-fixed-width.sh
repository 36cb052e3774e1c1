#!/usr/bin/env bash
# fixed: widths in bytes and in characters (GBK, GB18030 four-byte
# sequences, Big5, UTF-8), padding kept unless trim: right, short and long
# records rejected with their bytes, CRLF and LF lines, blocks without line
# ends (record_bytes), skip_lines, resuming after a key.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
M=$BUILD/migrate
command -v iconv >/dev/null || skip "iconv is not installed"

row() { local IFS=$'\t'; printf '%s\n' "$*"; }
playbook() { # OUT TABLE ENCODING [TABLE-OPTION-LINE...]
  local out=$1 name=$2 enc=$3
  shift 3
  {
    echo 'system: {code: t_fixed, hotline: "12345", name: test, department: test, mode: merge}'
    echo 'source: {driver: fixed, dir: .}'
    echo 'tables:'
    echo "  - name: \"$name\""
    echo "    encoding: $enc"
    for o in "$@"; do echo "    $o"; done
    echo '    fields: {legacy_id: id}'
  } >"$out"
}
peek_is() { # PLAYBOOK EXPECTED [PEEK-ARGS...]
  local pb=$1 exp=$2
  shift 2
  "$M" peek "$pb" "$@" >got 2>err || die "peek $pb $* failed: $(cat err)"
  diff -u "$exp" got >&2 || die "peek $pb $*: output differs from the expected"
}
size() { stat -c %s "$1"; }

# ---- GBK, widths in bytes: a Chinese character is two bytes ----
f=gbk.txt
printf '0001张三  x\r\n' | iconv -f UTF-8 -t GBK >$f          # 4 + 6 + 1 bytes
printf '0002李四五y\n' | iconv -f UTF-8 -t GBK >>$f
o3=$(size $f)
printf '003张三\n' | iconv -f UTF-8 -t GBK >>$f                # 7 bytes: short
printf '\r\n' >>$f                                               # blank: no record
o4=$(size $f)
printf '0004王五    zz\n' | iconv -f UTF-8 -t GBK >>$f        # 14 bytes: long
printf '0005      w' >>$f                                        # no line end
playbook pb1.yaml gbk.txt gbk 'widths: [4, 6, 1]' 'columns: [id, name, flag]'
{
  row '#key' id name flag
  row '!reject' short_record 'line 3: expected 11 bytes, found 7' 'gbk.txt#3' 3 "$o3" '003\xd5\xc5\xc8\xfd'
  row '!reject' long_record 'line 5: expected 11 bytes, found 14' 'gbk.txt#4' 5 "$o4" '0004\xcd\xf5\xce\xe5    zz'
  row 'gbk.txt#1' 0001 '\xd5\xc5\xc8\xfd  ' x
  row 'gbk.txt#2' 0002 '\xc0\xee\xcb\xc4\xce\xe5' y
  row 'gbk.txt#5' 0005 '      ' w
} >exp1
peek_is pb1.yaml exp1
# trim: right strips the padding, only when asked
playbook pb1t.yaml gbk.txt gbk 'widths: [4, 6, 1]' 'columns: [id, name, flag]' 'trim: right'
sed -e 's/\\xc8\\xfd  \tx/\\xc8\\xfd\tx/' -e 's/^gbk.txt#5\t0005\t      \tw/gbk.txt#5\t0005\t\tw/' exp1 >exp1t
peek_is pb1t.yaml exp1t
# resume after record 2: the short record (3) comes next
{
  head -n 3 exp1
  tail -n 1 exp1
} >exp1r
peek_is pb1.yaml exp1r --after 'gbk.txt#2'

# ---- the same names in characters: the GBK file needs widths [4, 4, 1] ----
# record 2 (0002李四五y) is 4 + 3 + 1 = 8 characters: short now
o2=$(printf '0001张三  x\r\n' | iconv -f UTF-8 -t GBK | wc -c)
o5=$(($(size $f) - 11))
playbook pb2.yaml gbk.txt gbk 'widths: [4, 4, 1]' 'columns: [id, name, flag]' 'unit: chars'
{
  row '#key' id name flag
  row '!reject' short_record 'line 2: expected 9 characters, found 8' 'gbk.txt#2' 2 "$o2" '0002\xc0\xee\xcb\xc4\xce\xe5y'
  row '!reject' short_record 'line 3: expected 9 characters, found 5' 'gbk.txt#3' 3 "$o3" '003\xd5\xc5\xc8\xfd'
  row '!reject' long_record 'line 5: expected 9 characters, found 12' 'gbk.txt#4' 5 "$o4" '0004\xcd\xf5\xce\xe5    zz'
  row '!reject' long_record 'line 6: expected 9 characters, found 11' 'gbk.txt#5' 6 "$o5" '0005      w'
  row 'gbk.txt#1' 0001 '\xd5\xc5\xc8\xfd  ' x
} >exp2
peek_is pb2.yaml exp2

# ---- GB18030 four-byte sequences count as one character each ----
assert_eq '8139ee39' "$(printf '㐀' | iconv -f UTF-8 -t GB18030 | od -An -tx1 | tr -d ' \n')" "GB18030 bytes of U+3400"
assert_eq '9439fc36' "$(printf '😀' | iconv -f UTF-8 -t GB18030 | od -An -tx1 | tr -d ' \n')" "GB18030 bytes of U+1F600"
printf '01㐀😀ä  q\n02abcd r\n03㐀亅   s\n' | iconv -f UTF-8 -t GB18030 >g4.txt
playbook pb3.yaml g4.txt gb18030 'widths: [2, 4, 1, 1]' 'columns: [id, text, pad, flag]' 'unit: chars'
{
  row '#key' id text pad flag
  row 'g4.txt#1' 01 '\x819\xee9\x949\xfc6\x810\x8a1 ' ' ' q
  row 'g4.txt#2' 02 abcd ' ' r
  row 'g4.txt#3' 03 '\x819\xee9\x81|  ' ' ' s
} >exp3
peek_is pb3.yaml exp3
# in bytes, the same layout cuts the four-byte sequences: the lengths differ
playbook pb3b.yaml g4.txt gb18030 'widths: [2, 4, 1, 1]' 'columns: [id, text, pad, flag]'
"$M" peek pb3b.yaml >got 2>err || die "peek failed: $(cat err)"
assert_eq 2 "$(grep -c '^!reject	long_record	' got)" "byte widths do not fit the character layout"

# ---- UTF-8 (with a byte order mark, skipped) and Big5 characters ----
printf '\xef\xbb\xbf01张三 x\n02ab y\n' >u8.txt
playbook pb4.yaml u8.txt utf-8 'widths: [2, 3, 1]' 'columns: [id, name, flag]' 'unit: chars' 'trim: right'
{
  row '#key' id name flag
  row 'u8.txt#1' 01 '\xe5\xbc\xa0\xe4\xb8\x89' x
  row 'u8.txt#2' 02 ab y
} >exp4
peek_is pb4.yaml exp4
printf '01功﹄z\n' | iconv -f UTF-8 -t BIG5 >b5.txt
playbook pb5.yaml b5.txt big5 'widths: [2, 2, 1]' 'columns: [id, name, flag]' 'unit: chars'
{
  row '#key' id name flag
  row 'b5.txt#1' 01 '\xa5\\\xa1|' z
} >exp5
peek_is pb5.yaml exp5

# ---- blocks without line ends; the last one short ----
printf 'AAbbbCCdddEEf' >blk.dat
playbook pb6.yaml blk.dat latin1 'widths: [2, 3]' 'columns: [id, v]' 'record_bytes: 5'
{
  row '#key' id v
  row '!reject' short_record 'line 3: expected 5 bytes, found 3' 'blk.dat#3' 3 10 'EEf'
  row 'blk.dat#1' AA bbb
  row 'blk.dat#2' CC ddd
} >exp6
peek_is pb6.yaml exp6

# ---- skip_lines: a title line; c1, c2 when columns are not named ----
printf 'REPORT 2019\n01ab\n' >t.txt
playbook pb7.yaml t.txt utf-8 'widths: [2, 2]' 'skip_lines: 1'
sed -i 's/legacy_id: id/legacy_id: c1/' pb7.yaml
{
  row '#key' c1 c2
  row 't.txt#1' 01 ab
} >exp7
peek_is pb7.yaml exp7

# ---- max_record_bytes: a line with no end in sight is an error ----
printf '01ab\n%s\n' "$(head -c 500 /dev/zero | tr '\0' x)" >long.txt
playbook pb8.yaml long.txt utf-8 'widths: [2, 2]' 'columns: [id, v]' 'max_record_bytes: 100'
assert_exit 1 "$M" peek pb8.yaml
assert_contains "$(cat "$SCRATCH/err")" "record at line 2 (byte offset 5) is longer than max_record_bytes (100 bytes)" \
  "record cap"
echo ok
