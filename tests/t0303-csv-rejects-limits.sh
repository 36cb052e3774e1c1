#!/usr/bin/env bash
# csv: records that cannot be rows are counted rejects with their original
# bytes, line and byte offset (ragged rows, bytes after a closing quote, a
# quote never closed, a field over max_field_bytes); NUL bytes pass through;
# a record over max_record_bytes is an error naming line, offset and cap,
# and memory stays at the cap however long the line is.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
# shellcheck source=tests/fixtures/csv/lib.sh
. "$TOP/tests/fixtures/csv/lib.sh"


# ---- rejects, then the quote left open runs to the end of the file ----
f=r.csv
printf 'id,text,n\n' >$f
printf '1,ok,1\n' >>$f
o2=$(size $f)
printf '2,too,many,fields\n' >>$f
o3=$(size $f)
printf '3,few\n' >>$f
printf '4,"nul\0inside",\0\n' >>$f
o5=$(size $f)
printf '5,"closed"after,x\n' >>$f
printf '6,"multi\nline",ok\n' >>$f
o7=$(size $f)
printf '7,"never closed,x\n8,more,stuff\n' >>$f

playbook pb.yaml r.csv utf-8
{
  row '#key' id text n
  row '!reject' ragged_row 'line 3: expected 3 fields, found 4' 'r.csv#2' 3 "$o2" '2,too,many,fields'
  row '!reject' ragged_row 'line 4: expected 3 fields, found 2' 'r.csv#3' 4 "$o3" '3,few'
  row '!reject' bad_quote 'line 6: field 2 has bytes after its closing quote' 'r.csv#5' 6 "$o5" '5,"closed"after,x'
  row '!reject' unterminated_quote 'line 9: the quote opened on line 9 is not closed before the end of the file' \
    'r.csv#7' 9 "$o7" '7,"never closed,x\n8,more,stuff\n'
  row 'r.csv#1' 1 ok 1
  row 'r.csv#4' 4 'nul\x00inside' '\x00'
  row 'r.csv#6' 6 'multi\nline' ok
} >exp
peek_is pb.yaml exp

# the reject keeps the exact bytes: cut them out of the file by offset
raw=$(tail -c +$((o2 + 1)) $f | head -c 17)
assert_eq '2,too,many,fields' "$raw" "offset of record 2"

# ---- max_field_bytes: an oversized field is a reject, not an error ----
printf 'id,text\n1,short\n2,0123456789abcdef\n3,"0123456789"\n' >big.csv
playbook pbf.yaml big.csv utf-8 'max_field_bytes: 10'
{
  row '#key' id text
  row '!reject' oversized_field 'line 3: field 2 has 16 bytes, more than max_field_bytes (10)' 'big.csv#2' 3 16 \
    '2,0123456789abcdef'
  row 'big.csv#1' 1 short
  row 'big.csv#3' 3 0123456789
} >expf
peek_is pbf.yaml expf

# ---- max_record_bytes: an error naming the line, offset and cap ----
{
  printf 'id,text\n1,a\n'
  printf '2,%s\n' "$(head -c 300 /dev/zero | tr '\0' x)"
} >long.csv
playbook pbl.yaml long.csv utf-8 'max_record_bytes: 100'
assert_exit 1 "$M" peek pbl.yaml
assert_contains "$(cat "$SCRATCH/err")" "record at line 3 (byte offset 12) is longer than max_record_bytes (100 bytes)" \
  "record cap message"
assert_contains "$(cat "$SCRATCH/err")" "long.csv" "record cap message names the file"
# a quote left open says so
printf 'id,text\n1,"open\n%s\n' "$(head -c 300 /dev/zero | tr '\0' y)" >open.csv
playbook pbo.yaml open.csv utf-8 'max_record_bytes: 100'
assert_exit 1 "$M" peek pbo.yaml
assert_contains "$(cat "$SCRATCH/err")" "a quote opened on line 2 is still open" "open quote named"

# ---- a 1 GB line, streamed through a pipe: stops at the default 64 MiB cap ----
mkfifo huge.csv
{ printf 'id,text\n1,'; head -c 1000000000 /dev/zero | tr '\0' a; } >huge.csv 2>/dev/null &
writer=$!
playbook pbh.yaml huge.csv utf-8
rc=0
if [[ -x /usr/bin/time ]]; then
  /usr/bin/time -f 'maxrss %M' -o rss "$M" peek pbh.yaml >out 2>err || rc=$?
else
  "$M" peek pbh.yaml >out 2>err || rc=$?
fi
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
assert_eq 1 "$rc" "a 1 GB line fails"
assert_contains "$(cat err)" "record at line 2 (byte offset 8) is longer than max_record_bytes (67108864 bytes)" \
  "the 1 GB line stops at the cap"
if [[ -f rss ]]; then
  kb=$(awk '/maxrss/ {print $2}' rss)
  ((kb < 300000)) || die "memory grew to ${kb} KiB on a 1 GB line"
fi
echo ok
