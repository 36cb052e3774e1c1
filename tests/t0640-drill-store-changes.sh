#!/usr/bin/env bash
# Drill-down, changes made in the STORE after a run of the 12319 estate: one
# byte of one loaded record changed, one record deleted, one record added by
# hand (a copy with a new legacy_id and legacy_key). `migrate reconcile RUN
# --drill` names exactly those three, by key and kind, and exits 3; before
# the changes it finds nothing and exits 0. The aggregates agree with the
# run's ledger.
set -euo pipefail
source "$TOP/tests/lib.sh"

fresh_store
export CG12319_DATABASE=legacy_t0640
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 3000 --seed 40 --out gen --database "$CG12319_DATABASE" >/dev/null
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml" --json
cp "$SCRATCH/out" run.json
run=$(jq .run run.json)

# --- nothing changed: nothing found, exit 0 ---
assert_exit 0 "$BUILD/migrate" reconcile "$run" --drill --json
cp "$SCRATCH/out" clean.json
assert_eq 0 "$(jq '.drill.findings | length' clean.json)" "clean run: no findings"
assert_eq 0 "$(jq .drill.found clean.json)" "clean run: found 0"
assert_eq null "$(jq .drill.error clean.json)" "clean run: no error"
assert_eq 2 "$(jq .drill.range_queries.total clean.json)" "clean run: one range per side (totals agree)"
assert_eq true "$(jq .balanced clean.json)" "clean run: balanced"
# aggregates: the store's counts add up to the run's recorded load
loaded=$(jq .stages.load.out run.json)
assert_eq "$loaded" "$(jq .aggregates.records clean.json)" "aggregates: records = load.out"
assert_eq true "$(jq '.aggregates.checks[0].ok' clean.json)" "aggregates: check ok"
assert_eq "$loaded" "$(jq '[.aggregates.by_month[].records] | add' clean.json)" "aggregates: months add up"
assert_eq "$loaded" "$(jq '[.aggregates.by_category[].records] | add' clean.json)" "aggregates: categories add up"
assert_eq "$loaded" "$(jq '[.aggregates.by_status[].records] | add' clean.json)" "aggregates: statuses add up"
assert_eq "$loaded" "$(jq '[.aggregates.cube[].records] | add' clean.json)" "aggregates: the cube adds up"
assert_eq true "$(jq .aggregates.cube_complete clean.json)" "aggregates: whole cube listed"
want=$(pg_query "SELECT count(*) FROM hotline.work_order WHERE run_id = $run
  AND to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = '2020-03'")
assert_eq "$want" "$(jq '.aggregates.by_month[] | select(.month == "2020-03") | .records' clean.json)" "aggregates: one month by hand"
assert_exit 0 "$BUILD/migrate" reconcile "$run" --drill
assert_contains "$(cat "$SCRATCH/out")" "drill-down: 0 found" "text summary"
assert_contains "$(cat "$SCRATCH/out")" "load.out in migration.stage_ledger $loaded: ok" "text aggregates check"

# --- three changes in the store ---
key_of() { # the Nth smallest numeric key of a loaded record with some content
  pg_query "SELECT convert_from(legacy_key, 'UTF8') FROM hotline.work_order WHERE run_id = $run
    AND content <> '' AND left(content, 1) <> 'X' ORDER BY convert_from(legacy_key, 'UTF8')::bigint OFFSET $1 LIMIT 1"
}
changed=$(key_of 10)
deleted=$(key_of 1000)
copied=$(key_of 2000)
newkey=$(($(my_query "SELECT MAX(id) FROM $CG12319_DATABASE.gd_jbxx") + 500))
[[ -n $changed && -n $deleted && -n $copied ]] || die "no keys to change"
pg_query "UPDATE hotline.work_order SET content = 'X' || substr(content, 2)
  WHERE run_id = $run AND legacy_key = convert_to('$changed', 'UTF8')" >/dev/null
pg_query "DELETE FROM hotline.work_order WHERE run_id = $run AND legacy_key = convert_to('$deleted', 'UTF8')" >/dev/null
pg_query "INSERT INTO hotline.work_order (source_system, legacy_id, order_no, dialled_number, channel, received_at,
    caller_name, caller_phone, contact_phone, caller_id_no, address, region_code, request_type, category_code,
    legacy_category_code, legacy_category_text, title, content, urgency, handling_unit, co_units, status, due_at,
    closed_at, reply, satisfaction, raw, run_id, legacy_key, src_hash, u_hash)
  SELECT source_system, legacy_id || '-COPY', order_no, dialled_number, channel, received_at,
    caller_name, caller_phone, contact_phone, caller_id_no, address, region_code, request_type, category_code,
    legacy_category_code, legacy_category_text, title, content, urgency, handling_unit, co_units, status, due_at,
    closed_at, reply, satisfaction, raw, run_id, convert_to('$newkey', 'UTF8'), src_hash, u_hash
  FROM hotline.work_order WHERE run_id = $run AND legacy_key = convert_to('$copied', 'UTF8')" >/dev/null

assert_exit 3 "$BUILD/migrate" reconcile "$run" --drill
out=$(cat "$SCRATCH/out")
assert_contains "$out" "OUT OF BALANCE" "the recount sees the difference"
grep -E '^(missing|extra|changed|source-changed) key=' "$SCRATCH/out" | cut -d' ' -f1,2 | sort >got
printf '%s\n' "changed key=$changed" "extra key=$newkey" "missing key=$deleted" | sort >want
diff want got || die "findings differ from the three changes"
assert_contains "$out" "extra key=$newkey store=work_order" "the extra record is named with its table"
assert_contains "$out" "drill-down: 3 found (missing 1, extra 1, changed 1, source-changed 0)" "summary"

# the same as JSON: an array of findings, and the query counter
assert_exit 3 "$BUILD/migrate" reconcile "$run" --drill --json
cp "$SCRATCH/out" drill.json
jq -e . drill.json >/dev/null || die "--json output is not JSON"
assert_eq 3 "$(jq '.drill.findings | length' drill.json)" "three findings"
assert_eq "$(cat want)" "$(jq -r '.drill.findings[] | "\(.kind) key=\(.key)"' drill.json | sort)" "JSON findings"
assert_eq false "$(jq .balanced drill.json)" "not balanced"
assert_eq "$(pg_query "SELECT id FROM hotline.work_order WHERE legacy_key = convert_to('$changed', 'UTF8')")" \
  "$(jq '.drill.findings[] | select(.kind == "changed") | .id' drill.json)" "changed: the store id"
jq -e '.drill.findings[] | select(.kind == "missing") | .source_hash != null and .store == null' drill.json >/dev/null ||
  die "missing: a source hash and no store record"
((($(jq .drill.range_queries.total drill.json)) > 2)) || die "differences but no bisection"

# the SQL of docs/drill-down.md, run by hand, shows the same
block() { # the ```sql block of the guide whose first line is "-- drill: NAME"
  awk -v name="$1" '
    /^```sql/ { inb = 1; buf = ""; next }
    /^```/ && inb { if (buf ~ ("-- drill: " name "\n")) { printf "%s", buf; found = 1 } inb = 0; next }
    inb { buf = buf $0 "\n" }
    END { if (!found) exit 1 }' "$TOP/docs/drill-down.md"
}
pgdoc() { block "$1" | psql -XAtq -v ON_ERROR_STOP=1 -v run="$run" -v system=cg12319 -v lo="$2" -v hi="$3" -F '|'; }
mydoc() { { echo "SET @lo = $2, @hi = $3;"; block "$1"; } |
  mariadb --no-defaults --socket="$MYSQL_UNIX_PORT" -uroot --default-character-set=binary -N -B "$CG12319_DATABASE" | tr '\t' '|'; }
assert_eq "$(printf '%s\n' "$changed" "$newkey" | sort)" "$(pgdoc changed-work-orders 0 0 | cut -d'|' -f1 | sort)" \
  "guide: changed work orders (the copy's legacy_id changed too)"
lo=$((deleted - 10)) hi=$((deleted + 10))
s=$(pgdoc store-range $lo $hi) m=$(mydoc mysql-source-range $lo $hi)
assert_eq "$((${m%%|*} - 1))" "${s%%|*}" "guide: the range around the deleted record has one record fewer in the store"
lo=$((deleted + 10)) hi=$((deleted + 60))
assert_eq "$(mydoc mysql-source-range $lo $hi)" "$(pgdoc store-range $lo $hi)" "guide: an untouched range agrees, count and total"
assert_eq "$(mydoc mysql-source-keys $lo $hi)" "$(pgdoc store-keys $lo $hi | cut -d'|' -f1,2)" "guide: key by key"
assert_eq "$(jq .aggregates.records clean.json)" "$(pgdoc aggregates 0 0 | grep '^all|' | cut -d'|' -f5)" \
  "guide: the aggregates' total (one deleted, one added)"
assert_eq "$(jq '.aggregates.by_month[] | select(.month == "2020-03") | .records' clean.json)" \
  "$(pgdoc aggregates 0 0 | grep '^month|2020-03|' | cut -d'|' -f5)" "guide: one month's aggregate"

# a record added by hand without a key is extra too, listed first
pg_query "INSERT INTO hotline.work_order (source_system, legacy_id, raw, run_id) VALUES ('cg12319', 'BY-HAND', '{}', $run)" >/dev/null
assert_exit 3 "$BUILD/migrate" reconcile "$run" --drill
assert_eq "extra key=(none)" "$(grep -m1 -E '^(missing|extra|changed|source-changed) ' "$SCRATCH/out" | cut -d' ' -f1,2)" "keyless record first"
assert_contains "$(cat "$SCRATCH/out")" "legacy_id=BY-HAND" "keyless record named by legacy id"
assert_eq 4 "$(grep -cE '^(missing|extra|changed|source-changed) key=' "$SCRATCH/out")" "four findings"

# the existing behaviour without --drill is unchanged: no drill-down lines
assert_exit 3 "$BUILD/migrate" reconcile "$run"
if grep -qE '^(missing|extra|changed) key=|^drill-down' "$SCRATCH/out"; then
  die "plain reconcile printed drill-down lines"
fi
