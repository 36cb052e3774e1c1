#!/usr/bin/env bash
# archive driver: `migrate check` accepts a table's archive options
# (members, member_encoding, caps) together with the options of the member
# format (csv: delimiter ...), and names unknown keys with both lists.
# Needs the checker to merge a driver's table_options with the format's
# options (migrate/playbook.c check_table).
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/archive/lib.sh"
need_csv

playbook ok.yaml "*.zip" $'    members: "*.csv"\n    member_encoding: cp936\n    max_ratio: 50\n    max_member_bytes: 1000000\n    max_members: 10\n    delimiter: ","\n    header: true'
assert_exit 0 "$MIGRATE" check ok.yaml

playbook bad.yaml "*.zip" $'    members: "*.csv"\n    delimiter: ","\n    bogus: 1'
assert_exit 1 "$MIGRATE" check bad.yaml
all=$(cat "$SCRATCH/out" "$SCRATCH/err")
assert_contains "$all" "bad.yaml:9: unknown key 'bogus' in a table" "the unknown key, with its line"
assert_contains "$all" "members, member_encoding" "the archive's keys are listed"
assert_contains "$all" "delimiter" "the format's keys are listed"
if [[ $all == *"'delimiter'"* || $all == *"'members'"* ]]; then die "a valid key reported: $all"; fi
echo ok
