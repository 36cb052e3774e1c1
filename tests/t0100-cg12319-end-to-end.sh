#!/usr/bin/env bash
# The 12319 estate migrated end to end on real MariaDB and PostgreSQL: the
# outcome equals the generator's ground truth exactly, the Chinese text in the
# store equals the intended text byte for byte, and reconcile recounts agree.
set -euo pipefail
source "$TOP/tests/lib.sh"

fresh_store
export CG12319_DATABASE=legacy_t0100
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 3000 --seed 7 --out gen --database "$CG12319_DATABASE" >/dev/null
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml" --json
cp "$SCRATCH/out" run.json
exp=gen/expected.json

assert_eq "$(jq .rows $exp)" "$(jq .stages.source.out run.json)" "source recount equals rows generated"
assert_eq "$(jq .extracted $exp)" "$(jq .stages.extract.out run.json)" "extracted"
assert_eq "$(jq .loaded $exp)" "$(jq .stages.load.out run.json)" "loaded"
assert_eq "$(jq .merged $exp)" "$(jq .stages.load.merged run.json)" "merged duplicates"
assert_eq "$(jq .loaded $exp)" "$(jq .stages.target.out run.json)" "target recount"
assert_eq "$(jq -S .rejected $exp)" "$(jq -S .rejects run.json)" "rejects by reason"
assert_eq "$(jq .fixes.zero_date $exp)" "$(jq .fixes.zero_date run.json)" "zero dates loaded as NULL, counted"
assert_eq "$(jq .fixes.unmapped_category $exp)" "$(jq .fixes.unmapped_category run.json)" "unmapped categories defaulted, counted"
assert_eq "$(jq -S -c .fixes $exp)" "$(jq -S -c '.fixes | with_entries(select(.value > 0))' run.json)" "every fix counted, none more"
[[ $(jq .fixes.fullwidth_folded $exp) -gt 0 && $(jq .fixes.phone_country_code $exp) -gt 0 ]] ||
  die "no full-width phone or +86 prefix at this scale"
assert_eq true "$(jq .balanced run.json)" "balanced"
assert_eq "$(jq .stages.source.total_out run.json)" "$(jq .stages.extract.total_out run.json)" "source content total (SQL in MariaDB) = extract total (C)"
assert_eq "$(jq .stages.load.total_out run.json)" "$(jq .stages.target.total_out run.json)" "load content total (C) = target total (SQL in PostgreSQL)"

# per-category, per-status and per-month counts in the store
got=$(pg_query "SELECT coalesce(json_object_agg(category_code, n ORDER BY category_code), '{}') FROM
  (SELECT category_code, count(*) n FROM hotline.work_order WHERE source_system = 'cg12319' GROUP BY 1) x")
assert_eq "$(jq -S -c .categories $exp)" "$(jq -S -c . <<<"$got")" "per-category counts"
got=$(pg_query "SELECT json_object_agg(status, n) FROM
  (SELECT status, count(*) n FROM hotline.work_order WHERE source_system = 'cg12319' GROUP BY 1) x")
assert_eq "$(jq -S -c .statuses $exp)" "$(jq -S -c . <<<"$got")" "per-status counts"
got=$(pg_query "SELECT json_object_agg(m, n) FROM (SELECT coalesce(to_char(received_at AT TIME ZONE 'Asia/Shanghai',
  'YYYY-MM'), 'none') m, count(*) n FROM hotline.work_order WHERE source_system = 'cg12319' GROUP BY 1) x")
assert_eq "$(jq -S -c .months $exp)" "$(jq -S -c . <<<"$got")" "per-month counts"

# the text in the store equals the intended text, byte for byte
pg_query "COPY (SELECT w.legacy_id, f.k, f.v FROM hotline.work_order w, LATERAL (VALUES
  (1,'caller_name',w.caller_name),(2,'address',w.address),(3,'title',w.title),(4,'content',w.content),
  (5,'handling_unit',w.handling_unit),(6,'reply',w.reply),(7,'caller_phone',w.caller_phone),
  (8,'contact_phone',w.contact_phone),(9,'request_type',w.request_type),
  (10,'legacy_category_text',w.legacy_category_text)) AS f(o,k,v)
  WHERE w.source_system = 'cg12319' ORDER BY w.legacy_id, f.o) TO STDOUT" > got.tsv
LC_ALL=C sort gen/intended.tsv > want.sorted
LC_ALL=C sort got.tsv > got.sorted
assert_eq "$(wc -l < want.sorted)" "$(wc -l < got.sorted)" "intended text: number of values"
cmp want.sorted got.sorted || die "text in the store differs from the intended text: $(diff want.sorted got.sorted | head -5)"
grep -q $'\xe4\xb6\xae\|\xf0' want.sorted || echo "note: no four-byte GB18030 name at this seed" >&2

# units.csv and districts.csv: canonical unit names and today's districts in the
# store, the raw record keeps what the source wrote
[[ $(jq .fixes.unit_alias $exp) -gt 0 && $(jq .fixes.unit_unknown $exp) -gt 0 && $(jq .fixes.district_renamed $exp) -gt 0 ]] ||
  die "no unit alias, unknown unit or pre-2019 district at this scale"
old='雄关区|长城区|镜铁区'
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'cg12319' AND address ~ '$old'")" \
  "no pre-2019 district left in an address"
assert_eq "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'cg12319' AND raw->>'dz' ~ '$old'")" \
  "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'cg12319' AND address <> raw->>'dz'")" \
  "an address differs from the raw record exactly where the source named a pre-2019 district"
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'cg12319' AND raw->>'cbdw' = '市城管局'
  AND handling_unit <> '嘉峪关市城市管理局'")" "市城管局 stored as 嘉峪关市城市管理局"
[[ $(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'cg12319' AND raw->>'cbdw' = '市城管局'") -gt 0 ]] ||
  die "the raw record does not keep the alias 市城管局"

# every reject keeps its original bytes and provenance
assert_eq "$(jq .rejected_total $exp)" "$(pg_query "SELECT count(*) FROM migration.reject WHERE raw IS NOT NULL
  AND legacy_key IS NOT NULL AND source_table = 'legacy_t0100.gd_jbxx'")" "rejects stored with bytes and key"
# a decode reject's raw bytes hold the undecodable content exactly as stored in MariaDB
key=$(pg_query "SELECT convert_from(legacy_key, 'UTF8') FROM migration.reject WHERE reason = 'undecodable' ORDER BY 1 LIMIT 1")
want=$(my_query "SELECT HEX(sqnr) FROM $CG12319_DATABASE.gd_jbxx WHERE id = $key")
got=$(pg_query "SELECT upper(encode(raw, 'hex')) FROM migration.reject WHERE reason = 'undecodable' AND convert_from(legacy_key, 'UTF8') = '$key'")
assert_contains "$got" "$want" "reject raw bytes contain the stored bytes of sqnr"
# duplicates point at their survivor
assert_eq "$(jq .merged $exp)" "$(pg_query "SELECT count(*) FROM migration.merged m JOIN hotline.work_order w
  ON w.id = m.survivor_id AND w.legacy_id = m.legacy_id")" "merged records point at their survivor"

# independent recount of the finished run
run=$(jq .run run.json)
assert_exit 0 "$BUILD/migrate" reconcile "$run" --json
assert_eq true "$(jq .balanced "$SCRATCH/out")" "reconcile: balanced"
assert_eq "$(jq .stages.source.total_out run.json)" "$(jq .stages.source.total_out "$SCRATCH/out")" "reconcile: same source total"

# re-running the finished playbook loads nothing twice
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml" --json
assert_eq "$(jq .loaded $exp)" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'cg12319'")" "re-run: no duplicates"
assert_eq "$(jq .stages.target.total_out run.json)" "$(jq .stages.target.total_out "$SCRATCH/out")" "re-run: same target total"

# a legacy row deleted at the source: the next full run says so (exit 3)
gone=$(pg_query "SELECT legacy_id FROM hotline.work_order WHERE source_system = 'cg12319' ORDER BY legacy_id LIMIT 1")
my_query "DELETE FROM $CG12319_DATABASE.gd_jbxx WHERE gdbh = '$gone'"
assert_exit 3 "$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml"
assert_contains "$(cat "$SCRATCH/out")" "1 records of cg12319 in work_order were not in this full run's source" "stale record reported"

# referential integrity: a category code the store's taxonomy lacks is reported (exit 3)
pg_query "DELETE FROM hotline.category WHERE code = '1299'" >/dev/null
assert_exit 3 "$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml"
assert_contains "$(cat "$SCRATCH/out")" "have a category or system code missing from the store's taxonomy" "orphans reported"
