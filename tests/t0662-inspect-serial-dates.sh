#!/usr/bin/env bash
# `migrate inspect` recognises Excel serial day numbers and epoch seconds and
# its draft playbook reads them with the datetime formats excel1900 and
# epoch; the draft passes `migrate check` and `migrate validate` parses
# every date with it (no store needed).
set -euo pipefail
source "$TOP/tests/lib.sh"

mkdir -p data
{
	echo "gdbh,ldsj,bjsj,nr"
	for i in $(seq 1 30); do echo "A$i,$((44000 + i)),$((1600000000 + i * 3600)),内容$i"; done
} > data/x.csv
printf 'system: {code: t0662, hotline: "12345", name: t, department: t, mode: merge}\nsource: {driver: csv, dir: data}\ntables:\n  - name: x.csv\n    encoding: utf-8\n    fields: {legacy_id: gdbh}\n' > t.yaml
assert_exit 0 "$BUILD/migrate" inspect t.yaml --draft d.yaml
assert_contains "$(grep 'ldsj' d.yaml)" "type: datetime, formats: [excel1900]" "Excel serials: excel1900"
assert_contains "$(grep 'bjsj' d.yaml)" "type: datetime, formats: [epoch]" "epoch seconds: epoch"
assert_exit 0 "$BUILD/migrate" check d.yaml
assert_exit 0 "$BUILD/migrate" validate d.yaml --json
assert_eq 30 "$(jq .stages.transform.out "$SCRATCH/out")" "every record passes the transform"
assert_eq 0 "$(jq .rejected_total "$SCRATCH/out")" "no reject: every date read (invalid dates would be rejects)"
echo ok
