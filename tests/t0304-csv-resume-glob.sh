#!/usr/bin/env bash
# csv: several files matching a glob are read in name order with keys per
# file; resuming after a key starts at the next record (rows and rejects
# count alike), in the key's file or in a later one.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
# shellcheck source=tests/fixtures/csv/lib.sh
. "$TOP/tests/fixtures/csv/lib.sh"


# ---- one file: --after data.csv#3 starts at record 4 ----
printf 'id,text\n1,a\n2,b\n3,"c\nc"\n4,d\n5,e,ragged\n6,f\n' >data.csv
playbook pb1.yaml data.csv utf-8
{
  row '#key' id text
  row '!reject' ragged_row 'line 7: expected 2 fields, found 3' 'data.csv#5' 7 28 '5,e,ragged'
  row 'data.csv#4' 4 d
  row 'data.csv#6' 6 f
} >exp1
peek_is pb1.yaml exp1 --after 'data.csv#3'
# after the reject's key: the reject is not repeated
{
  row '#key' id text
  row 'data.csv#6' 6 f
} >exp1b
peek_is pb1.yaml exp1b --after 'data.csv#5'
# after the last record: nothing
row '#key' id text >exp1c
peek_is pb1.yaml exp1c --after 'data.csv#6'

# ---- a glob: files in name order, keys per file ----
mkdir in
printf 'id,text\n1,b1\n2,b2,x\n3,b3\n' >in/b.csv
printf 'id,text\n1,a1\n2,a2\n' >in/a.csv
printf 'id,text\n1,c1\n' >in/c.csv
printf 'not,the,same\n' >in/skip.txt
playbook pb2.yaml 'in/*.csv' utf-8
{
  row '#key' id text
  row 'in/a.csv#1' 1 a1
  row 'in/a.csv#2' 2 a2
  row '!reject' ragged_row 'line 3: expected 2 fields, found 3' 'in/b.csv#2' 3 13 '2,b2,x'
  row 'in/b.csv#1' 1 b1
  row 'in/b.csv#3' 3 b3
  row 'in/c.csv#1' 1 c1
} >exp2
peek_is pb2.yaml exp2
# resume inside the second file
{
  row '#key' id text
  row 'in/b.csv#3' 3 b3
  row 'in/c.csv#1' 1 c1
} >exp2b
peek_is pb2.yaml exp2b --after 'in/b.csv#2'
# resume at the end of the first file
{
  row '#key' id text
  tail -n +4 exp2
} >exp2c
peek_is pb2.yaml exp2c --after 'in/a.csv#2'

# ---- files of one table must have the same columns ----
printf 'id,title\n1,x\n' >in/d.csv
assert_exit 1 "$M" peek pb2.yaml
assert_contains "$(cat "$SCRATCH/err")" "file 'in/d.csv' has other columns than 'in/a.csv'" "column mismatch across files"
echo ok
