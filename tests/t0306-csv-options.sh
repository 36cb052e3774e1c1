#!/usr/bin/env bash
# csv and fixed options: `migrate check` refuses an unknown option and lists
# the valid ones; bad values and unsupported input are clear one-line
# errors naming the playbook line or the file.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
M=$BUILD/migrate

playbook() { # OUT DRIVER TABLE ENCODING [TABLE-OPTION-LINE...]
  local out=$1 drv=$2 name=$3 enc=$4
  shift 4
  {
    echo 'system: {code: t_csv, hotline: "12345", name: test, department: test, mode: merge}'
    echo "source: {driver: $drv, dir: .}"
    echo 'tables:'
    echo "  - name: \"$name\""
    echo "    encoding: $enc"
    for o in "$@"; do echo "    $o"; done
    echo '    fields: {legacy_id: id}'
  } >"$out"
}
fails_with() { # MESSAGE-PART CMD...
  local msg=$1
  shift
  assert_exit 1 "$@"
  assert_eq 1 "$(wc -l <"$SCRATCH/err")" "one line on stderr: $(cat "$SCRATCH/err")"
  assert_contains "$(cat "$SCRATCH/err")" "$msg" "error message"
}
printf 'id,text\n1,a\n' >d.csv

# ---- check: every option known, an unknown one explained ----
playbook ok.yaml csv d.csv utf-8 'delimiter: ";"' 'quote: none' 'header: false' 'columns: [id, text]' \
  'skip_lines: 1' 'max_record_bytes: 1000'
assert_exit 0 "$M" check ok.yaml
playbook typo.yaml csv d.csv utf-8 'delimeter: ";"'
assert_exit 1 "$M" check typo.yaml
err=$(cat "$SCRATCH/err")
assert_contains "$err" "typo.yaml:6: unknown key 'delimeter' in a table; valid keys:" "unknown csv option"
for k in delimiter quote header columns skip_lines max_record_bytes encoding; do
  assert_contains "$err" "$k" "valid keys list '$k'"
done
playbook srctypo.yaml csv d.csv utf-8
sed -i 's/dir: \./dir: ., path: x/' srctypo.yaml
assert_exit 1 "$M" check srctypo.yaml
assert_contains "$(cat "$SCRATCH/err")" "unknown key 'path' in csv; valid keys: driver, dir" "unknown csv source option"

playbook fok.yaml fixed d.csv utf-8 'widths: [2, 3]' 'columns: [id, text]' 'unit: chars' 'trim: right' \
  'record_bytes: 5' 'max_record_bytes: 100'
assert_exit 0 "$M" check fok.yaml
playbook ftypo.yaml fixed d.csv utf-8 'width: [2, 3]'
assert_exit 1 "$M" check ftypo.yaml
err=$(cat "$SCRATCH/err")
assert_contains "$err" "unknown key 'width' in a table; valid keys:" "unknown fixed option"
for k in columns widths unit trim record_bytes skip_lines max_record_bytes; do
  assert_contains "$err" "$k" "valid fixed keys list '$k'"
done
# csv options are not fixed options
playbook fcsv.yaml fixed d.csv utf-8 'widths: [2]' 'delimiter: ","'
assert_exit 1 "$M" check fcsv.yaml
assert_contains "$(cat "$SCRATCH/err")" "unknown key 'delimiter'" "csv option in a fixed table"

# ---- bad values, found when the file is opened ----
playbook v1.yaml csv d.csv utf-8 'delimiter: ab'
fails_with "v1.yaml:6: 'delimiter' must be one byte, 'tab' or '\\xHH'" "$M" peek v1.yaml
playbook v2.yaml csv d.csv utf-8 'quote: ","'
fails_with "'quote' and 'delimiter' must differ" "$M" peek v2.yaml
playbook v3.yaml csv d.csv utf-8 'header: maybe'
fails_with "v3.yaml:6: 'header' must be true or false" "$M" peek v3.yaml
playbook v4.yaml csv d.csv utf-8 'skip_lines: -1'
fails_with "'skip_lines' must be a whole number from 0 to" "$M" peek v4.yaml
playbook v5.yaml csv d.csv utf-8 'columns: id'
fails_with "'columns' must be a list of column names" "$M" peek v5.yaml
playbook v6.yaml csv d.csv utf-8 'columns: [id, id]'
fails_with "duplicate column name 'id' (columns 1 and 2)" "$M" peek v6.yaml
playbook v7.yaml csv d.csv utf-8 'delimiter: "\n"'
fails_with "'delimiter' cannot be CR, LF or NUL" "$M" peek v7.yaml
playbook v8.yaml csv d.csv gbk "delimiter: '\\xa1'"
fails_with "a delimiter or quote of 0x80 or above is part of characters in 'gbk'" "$M" peek v8.yaml
printf 'id,id\n1,2\n' >dup.csv
playbook v9.yaml csv dup.csv utf-8
fails_with "duplicate column name 'id' (columns 1 and 2); name the columns with 'columns'" "$M" peek v9.yaml
playbook w1.yaml fixed d.csv utf-8 'widths: [2, 0]'
fails_with "each width must be a whole number from 1 to max_record_bytes" "$M" peek w1.yaml
playbook w2.yaml fixed d.csv utf-8 'widths: [2, 3]' 'columns: [id]'
fails_with "'columns' must be a list of 2 names, one per width" "$M" peek w2.yaml
playbook w3.yaml fixed d.csv utf-8 'columns: [id]'
fails_with "a fixed-width table needs 'widths'" "$M" peek w3.yaml
playbook w4.yaml fixed d.csv utf-8 'widths: [2, 3]' 'unit: words'
fails_with "'unit' must be bytes or chars" "$M" peek w4.yaml
playbook w5.yaml fixed d.csv utf-8 'widths: [2, 3]' 'record_bytes: 6'
fails_with "'record_bytes' (6) must equal the sum of the widths (5)" "$M" peek w5.yaml

# ---- UTF-16 cannot be split as bytes ----
printf '\xff\xfei\x00d\x00\n\x00' >u16.csv
playbook u1.yaml csv u16.csv utf-8
fails_with "UTF-16 input is not supported by csv; convert it" "$M" peek u1.yaml
playbook u2.yaml csv d.csv utf-16le
fails_with "UTF-16 input is not supported by csv; convert it (iconv -f utf-16le -t UTF-8)" "$M" peek u2.yaml
playbook u3.yaml fixed d.csv utf-16be 'widths: [2]'
fails_with "UTF-16 input is not supported by fixed" "$M" peek u3.yaml

# ---- a UTF-8 byte order mark in a file declared otherwise ----
printf '\xef\xbb\xbfid,text\n1,a\n' >bom.csv
playbook b1.yaml csv bom.csv gbk
fails_with "the file starts with a UTF-8 byte order mark but the table declares 'gbk'; declare utf-8" "$M" peek b1.yaml
playbook b2.yaml fixed bom.csv latin1 'widths: [2]'
fails_with "the file starts with a UTF-8 byte order mark but the table declares 'latin1'" "$M" peek b2.yaml
echo ok
