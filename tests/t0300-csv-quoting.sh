#!/usr/bin/env bash
# csv: RFC 4180 quoting, byte for byte. Quoted line breaks (CRLF, LF, CR),
# doubled quotes, CRLF / LF / CR record ends, a UTF-8 byte order mark, blank
# lines, a last record without a line end; records that span lines keep the
# right line numbers and byte offsets (seen on the ragged rows after them).
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
# shellcheck source=tests/fixtures/csv/lib.sh
. "$TOP/tests/fixtures/csv/lib.sh"

# ---- 1: BOM, CRLF record ends, line breaks and quotes inside quotes ----
f=q.csv
printf '\xef\xbb\xbfid,text,note\r\n' >$f
printf '1,"line one\r\nline two",plain\r\n' >>$f                # line 2-3
printf '2,"she said ""hi""",""\r\n' >>$f                        # line 4
printf '3,"lf\ninside","cr\rinside"\r\n' >>$f                   # line 5-6 (a lone CR is no line end here)
o4=$(size $f)
printf '4,"three\r\n\r\nlines"\r\n' >>$f                        # line 7-9
o5=$(size $f)
printf '5,ragged\r\n' >>$f                                      # line 10
printf '\r\n' >>$f                                              # line 11: blank, no record
printf '6,"comma, inside","a""b"\r\n' >>$f                      # line 12
o7=$(size $f)
printf '7,"x\r\ny","z",too,many\r\n' >>$f                       # line 13-14
printf '8,last,"no line end"' >>$f                              # line 15

playbook pb1.yaml q.csv utf-8
# a batch lists its rejects first; record 4 has two fields: ragged too
{
  row '#key' id text note
  row '!reject' ragged_row 'line 7: expected 3 fields, found 2' 'q.csv#4' 7 "$o4" '4,"three\r\n\r\nlines"'
  row '!reject' ragged_row 'line 10: expected 3 fields, found 2' 'q.csv#5' 10 "$o5" '5,ragged'
  row '!reject' ragged_row 'line 13: expected 3 fields, found 5' 'q.csv#7' 13 "$o7" '7,"x\r\ny","z",too,many'
  row 'q.csv#1' 1 'line one\r\nline two' plain
  row 'q.csv#2' 2 'she said "hi"' ''
  row 'q.csv#3' 3 'lf\ninside' 'cr\rinside'
  row 'q.csv#6' 6 'comma, inside' 'a"b'
  row 'q.csv#8' 8 last 'no line end'
} >exp1
peek_is pb1.yaml exp1

# the BOM is not part of the first column's name, and offsets count it
assert_eq 'id' "$(head -n 1 got | cut -f 2)" "BOM stripped from the first header name"
assert_eq 3 "$(grep -c '^!reject' got)" "three ragged rows"

# ---- 2: LF record ends; quotes and a lone CR inside unquoted fields are data ----
printf 'id,text,size\n1,12" pipe,  spaced  \n2,,\n3,"",""\n4,"a,b",\n5,a\rb,c\r\n' >lf.csv
playbook pb2.yaml lf.csv utf-8
{
  row '#key' id text size
  row 'lf.csv#1' 1 '12" pipe' '  spaced  '
  row 'lf.csv#2' 2 '' ''
  row 'lf.csv#3' 3 '' ''
  row 'lf.csv#4' 4 'a,b' ''
  row 'lf.csv#5' 5 'a\rb' c
} >exp2
peek_is pb2.yaml exp2

# ---- 3: CR record ends (old Macintosh files, told by the first line end) ----
printf 'id,text\r1,a\r2,"b\rc"\r3,d' >cr.csv
playbook pb3.yaml cr.csv utf-8
{
  row '#key' id text
  row 'cr.csv#1' 1 a
  row 'cr.csv#2' 2 'b\rc'
  row 'cr.csv#3' 3 d
} >exp3
peek_is pb3.yaml exp3

# ---- 4: a different quote character, and quoting switched off ----
printf "id,text\n1,'it''s, quoted'\n2,\"dq\"\n" >sq.csv
playbook pb4.yaml sq.csv utf-8 "quote: \"'\""
{
  row '#key' id text
  row 'sq.csv#1' 1 "it's, quoted"
  row 'sq.csv#2' 2 '"dq"'
} >exp4
peek_is pb4.yaml exp4

printf 'id,text\n1,"a\n2,b"\n' >nq.csv
playbook pb5.yaml nq.csv utf-8 'quote: none'
{
  row '#key' id text
  row 'nq.csv#1' 1 '"a'
  row 'nq.csv#2' 2 'b"'
} >exp5
peek_is pb5.yaml exp5
echo "ok"
