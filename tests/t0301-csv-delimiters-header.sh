#!/usr/bin/env bash
# csv: tab and pipe delimiters, files with and without a header, columns
# named by the playbook, lines skipped before the header.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
# shellcheck source=tests/fixtures/csv/lib.sh
. "$TOP/tests/fixtures/csv/lib.sh"


# ---- tab: written as 'tab', as YAML "\t" (a real tab) and as '\t' ----
printf 'id\ttext\n1\ta,b|c\n2\t"x\ty"\n' >t.tsv
{
  row '#key' id text
  row 't.tsv#1' 1 'a,b|c'
  row 't.tsv#2' 2 'x\ty'
} >exp_tab
playbook pb_tab1.yaml t.tsv utf-8 'delimiter: tab'
peek_is pb_tab1.yaml exp_tab
playbook pb_tab2.yaml t.tsv utf-8 'delimiter: "\t"'
peek_is pb_tab2.yaml exp_tab
playbook pb_tab3.yaml t.tsv utf-8 "delimiter: '\\t'"
peek_is pb_tab3.yaml exp_tab
# the default delimiter (comma) sees one field per line: every row is ragged
playbook pb_tab4.yaml t.tsv utf-8
"$M" peek pb_tab4.yaml >got 2>err || die "peek failed: $(cat err)"
assert_eq 1 "$(grep -c '^!reject	ragged_row	line 2: expected 1 fields, found 2	t.tsv#1	' got)" \
  "comma-split tab file: the line with a comma is ragged"
assert_eq 't.tsv#2	2\t"x\ty"' "$(tail -n 1 got)" "comma-split tab file: one field, quote inside is data"

# ---- pipe ----
printf 'id|text|n\n1|a,b|"q|uoted"\n2||\n' >p.txt
playbook pb_pipe.yaml p.txt utf-8 'delimiter: "|"'
{
  row '#key' id text n
  row 'p.txt#1' 1 'a,b' 'q|uoted'
  row 'p.txt#2' 2 '' ''
} >exp_pipe
peek_is pb_pipe.yaml exp_pipe
# a delimiter written as \xHH
playbook pb_hex.yaml p.txt utf-8 'delimiter: "\\x7c"'
peek_is pb_hex.yaml exp_pipe

# ---- no header: c1, c2 ...; or names from 'columns' ----
printf '1,a\n2,b\n' >nh.csv
playbook pb_nh.yaml nh.csv utf-8 'header: false'
{
  row '#key' c1 c2
  row 'nh.csv#1' 1 a
  row 'nh.csv#2' 2 b
} >exp_nh
peek_is pb_nh.yaml exp_nh
playbook pb_nhc.yaml nh.csv utf-8 'header: false' 'columns: [id, title]'
{
  row '#key' id title
  row 'nh.csv#1' 1 a
  row 'nh.csv#2' 2 b
} >exp_nhc
peek_is pb_nhc.yaml exp_nhc
# with a header, 'columns' replaces its names (the header line is no record)
printf 'ID,TITLE\n1,a\n2,b\n' >h.csv
playbook pb_hc.yaml h.csv utf-8 'columns: [id, title]'
sed 's/nh\.csv/h.csv/' exp_nhc >exp_hc
peek_is pb_hc.yaml exp_hc
# ... and must have as many fields
playbook pb_hc3.yaml h.csv utf-8 'columns: [id, title, extra]'
assert_exit 1 "$M" peek pb_hc3.yaml
assert_contains "$(cat "$SCRATCH/err")" "header line 1 has 2 fields but 'columns' names 3" "columns count checked"

# ---- skip_lines before the header; an empty header name becomes cN ----
printf 'Exported 2019-01-02\r\n\r\nid,,note\r\n1,x,y\r\n' >s.csv
playbook pb_skip.yaml s.csv utf-8 'skip_lines: 2'
{
  row '#key' id c2 note
  row 's.csv#1' 1 x y
} >exp_skip
peek_is pb_skip.yaml exp_skip
# skip_lines: 0 is allowed; here the title line becomes the header
playbook pb_skip0.yaml s.csv utf-8 'skip_lines: 0'
"$M" peek pb_skip0.yaml >got 2>err || die "peek failed: $(cat err)"
assert_eq $'#key\tExported 2019-01-02' "$(head -n 1 got)" "skip_lines 0 skips nothing"

# ---- a header and nothing else: no rows; an empty file: a clear error ----
printf 'id,text\n' >only.csv
playbook pb_only.yaml only.csv utf-8
row '#key' id text >exp_only
peek_is pb_only.yaml exp_only
: >empty.csv
playbook pb_empty.yaml empty.csv utf-8
assert_exit 1 "$M" peek pb_empty.yaml
assert_contains "$(cat "$SCRATCH/err")" "no header line: the file is empty" "empty file"
# an empty file with the columns named is just a file without records
playbook pb_empty2.yaml empty.csv utf-8 'columns: [id, text]'
peek_is pb_empty2.yaml exp_only
echo ok
