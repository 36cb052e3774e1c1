#!/usr/bin/env bash
# Estate: 12351 职工维权热线 (pipe-delimited UTF-8 exports with a byte order
# mark, one per year; rows pasted from a GBK system as mojibake; merge mode)
# end to end against the generator's ground truth: the BOM skipped, quoted
# fields holding |, mojibake restored by repair gbk_as_latin1 (counted and
# recorded value by value), short mojibake titles the rule cannot prove
# loaded as they are but counted (suspect_mojibake) and recorded, cut
# mojibake rejected as unrepairable with its bytes, copies merged, the text
# byte for byte.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
export GH12351_DIR=$SCRATCH/gen/gh12351

estate_gen gh12351 300
estate_run gh12351
estate_check_counts
estate_check_store gh12351
estate_check_text gh12351 work_order intended.tsv

code=gh12351
first=$(ls "$GH12351_DIR"/*.csv | sed -n 1p)
# every export starts with a UTF-8 byte order mark, then the pinyin header
for f in "$GH12351_DIR"/*.csv; do
  assert_eq "efbbbf47444248" "$(head -c 7 "$f" | od -A n -t x1 | tr -d ' \n')" "BOM and header of $(basename "$f")"
done
# the BOM is not part of the first column's name: legacy ids came through
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code' AND legacy_id !~ '^GH[0-9]{11}$'")" \
  "legacy ids clean (BOM skipped)"
# mojibake is in the files (Windows-1252 readings of GBK lead bytes)
nmoji=$(cat "$GH12351_DIR"/*.csv | grep -c -E 'Ã|Ä|Å|Æ|Ç|È|É|Ê|Ë|Ì|Í|Î|Ï|Ð|Ñ|Ò|Ó|Ô|Õ|Ö' || true)
((nmoji > 0)) || die "no mojibake in the exports"
# repaired records: counted once per record, each value recorded with its original bytes
rep=$(jq '.fixes.gbk_as_latin1 // 0' "$EXP")
((rep > 0)) || die "no repaired record at this scale"
assert_eq "$rep" "$(jq '.fixes.gbk_as_latin1' "$RUN")" "records repaired"
assert_eq "$(jq '.checks.gbk_as_latin1_loaded // 0' "$EXP")" \
  "$(pg_query "SELECT count(DISTINCT r.legacy_key) FROM migration.repair r JOIN hotline.work_order w
     ON w.source_system = r.source_system AND w.legacy_key = r.legacy_key WHERE r.source_system = '$code' AND r.rules = '{gbk_as_latin1}'")" \
  "loaded records that were repaired"
assert_eq 0 "$(pg_query "SELECT count(*) FROM migration.repair r JOIN hotline.work_order w ON w.source_system = r.source_system
  AND w.legacy_key = r.legacy_key WHERE r.source_system = '$code' AND r.column_name = 'SQNR'
  AND (r.repaired <> w.content OR r.repaired <> w.raw->>'SQNR' OR r.rules <> '{gbk_as_latin1}'
  OR convert_from(r.original, 'UTF8') !~ '^[\x01-\xff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]+$')")" \
  "each repair recorded with the original bytes and the stored text"
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order w WHERE source_system = '$code'
  AND (content ~ '[ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ]' OR (coalesce(title, '') ~ '[ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ]'
  AND NOT EXISTS (SELECT 1 FROM migration.repair r WHERE r.source_system = w.source_system AND r.legacy_key = w.legacy_key
  AND r.column_name = 'BT' AND r.rules = '{suspect_mojibake}')))")" \
  "no mojibake left in the store but the suspect titles, each recorded"
# short titles pasted as mojibake: the proven ones repaired, the others
# loaded as they are, counted (suspect_mojibake) and recorded, never silent
sus=$(jq '.fixes.suspect_mojibake // 0' "$EXP")
((sus > 0)) || die "no suspect title at this scale"
assert_eq "$sus" "$(jq '.fixes.suspect_mojibake' "$RUN")" "suspect titles counted"
assert_eq "$(jq '.checks.suspect_mojibake_loaded' "$EXP")" \
  "$(pg_query "SELECT count(*) FROM migration.repair r JOIN hotline.work_order w ON w.source_system = r.source_system
     AND w.legacy_key = r.legacy_key WHERE r.source_system = '$code' AND r.rules = '{suspect_mojibake}'
     AND r.column_name = 'BT' AND r.repaired = w.title AND r.decoded = w.title
     AND convert_from(r.original, 'UTF8') = w.title")" \
  "each loaded suspect title recorded: original bytes, kept as decoded"
assert_eq 0 "$(pg_query "SELECT count(*) FROM migration.reject WHERE source_system = '$code' AND reason NOT IN ('unrepairable', 'invalid_date')")" \
  "no suspect title rejected"
[[ $(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code' AND title IN ('拖欠工资', '求助：工伤赔偿', '投诉：克扣工资')
  AND EXISTS (SELECT 1 FROM migration.repair r WHERE r.source_system = '$code' AND r.legacy_key = work_order.legacy_key
  AND r.column_name = 'BT' AND r.rules = '{gbk_as_latin1}')") -gt 0 ]] || die "no short title repaired"
# cut mojibake: rejected unrepairable, the original bytes kept
assert_eq "$(jq '.rejected["decode.unrepairable"] // 0' "$EXP")" \
  "$(pg_query "SELECT count(*) FROM migration.reject WHERE source_system = '$code' AND reason = 'unrepairable'")" \
  "unrepairable rejects"
assert_contains "$(pg_query "SELECT string_agg(detail, ' ') FROM migration.reject WHERE reason = 'unrepairable'")" \
  "half a character" "the reject says why"
echo ok
