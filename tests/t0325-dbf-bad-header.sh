#!/usr/bin/env bash
# dbf: hostile or broken headers are clear errors naming the file and the
# inconsistency, never a crash or a guess: too short, unknown version,
# dBase 7, encrypted, header length too small for the descriptors, no 0x0D terminator,
# record length that does not match the fields, unknown field type, wrong
# length for a type, repeated names, more fields than a batch can carry.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

mkdbf short cuthdr badversion db7 encrypted badhdrlen noterm badreclen unknowntype baddate dupnames manyfields maxfields
: >"$FX/zero.dbf"

expect() {
  dbf_playbook pb.yaml "$1" gbk
  peek_fails pb.yaml "$2"
  assert_eq "" "$(cat "$SCRATCH/out")" "$1: nothing handed over"
}
expect zero.dbf "'zero.dbf' is not a dBase table: 0 bytes, shorter than the 32-byte header"
expect short.dbf "'short.dbf' is not a dBase table: 6 bytes, shorter than the 32-byte header"
expect cuthdr.dbf "'cuthdr.dbf' ends inside its header (64 of 97 bytes)"
expect badversion.dbf "'badversion.dbf' is not a dBase or FoxPro table: unknown version byte 0x99"
expect db7.dbf "'db7.dbf' is a dBase 7 table (version byte 0x04), which is not supported"
expect encrypted.dbf "'encrypted.dbf' is an encrypted dBase IV table (header byte 15), which cannot be read"
expect badhdrlen.dbf "field descriptor 2 of 'badhdrlen.dbf' runs past the header length 80 (no terminator 0x0d)"
expect noterm.dbf "header of 'noterm.dbf' has no field terminator 0x0d within its length of 96 bytes"
expect badreclen.dbf "record length 12 in the header of 'badreclen.dbf' does not match its fields (1 + 8 field bytes = 9)"
expect unknowntype.dbf "field 'TXT' of 'unknowntype.dbf' has the unsupported type 'X'"
expect baddate.dbf "field 'TXT' of 'baddate.dbf' has type 'D' and length 5, expected 8"
expect dupnames.dbf "'dupnames.dbf' has two columns named 'ID'"
expect manyfields.dbf "'manyfields.dbf' has more than 255 fields"

# 255 fields is the most: with _deleted that is 256 columns
dbf_playbook pb.yaml maxfields.dbf gbk
assert_exit 0 "$BUILD/migrate" peek pb.yaml
assert_eq 257 "$(head -n 1 "$SCRATCH/out" | tr '\t' '\n' | wc -l)" "key + 255 fields + _deleted"

# a header length below one field's (65 bytes)
printf '\x03\x7c\x05\x11\x00\x00\x00\x00\x40\x00\x02\x00' >"$FX/tiny.dbf"
head -c 40 /dev/zero >>"$FX/tiny.dbf"
expect tiny.dbf "header length 64 of 'tiny.dbf' is too small for one field (65 bytes)"
