#!/usr/bin/env bash
# xlsx end to end: a workbook through `migrate run` into the store. Text
# arrives as UTF-8, the full-width phone digits are normalised by the phone
# transform, Excel date cells parse as datetimes, the extract rejects
# (1900-02-29, a cell beyond the header) are stored with their row bytes, and
# the run balances.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"

s() { printf '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' "$1" "$2"; }
xlsx_skel wb
xlsx_workbook wb 0 工单
xlsx_styles wb
xlsx_sst wb <<'X'
<si><t>工单编号</t></si><si><t>来电号码</t></si><si><t>诉求内容</t></si><si><t>受理时间</t></si>
<si><r><t>路灯</t></r><r><t>不亮</t></r></si>
X
xlsx_sheet wb 1 <<X
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>
<row r="2">$(s A2 GD001)$(s B2 '１３９１２３４５６７８')<c r="C2" t="s"><v>4</v></c><c r="D2" s="2"><v>44378.354166666664</v></c></row>
<row r="3">$(s A3 GD002)<c r="B3"><v>13812345678</v></c>$(s C3 '噪音扰民')<c r="D3" s="1"><v>44197</v></c></row>
<row r="5">$(s A5 GD003)$(s B5 '0937-6221234')$(s C5 '闰年')<c r="D5" s="1"><v>60</v></c></row>
<row r="6">$(s A6 GD004)$(s C6 '多一列')$(s F6 '?')</row>
<row r="7">$(s A7 GD005)$(s C7 'ok')</row>
X
xlsx_zip wb data/gd.xlsx

fresh_store
assert_exit 0 "$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv"
cat >pb.yaml <<'X'
system: {code: t_xlsx, hotline: "12345", name: xlsx test, department: test, mode: merge}
source: {driver: xlsx, dir: data}
tables:
  - name: "*.xlsx"
    sheet: 工单
    encoding: utf-8
    fields:
      legacy_id: 工单编号
      caller_phone: {column: 来电号码, type: phone}
      content: 诉求内容
      received_at: {column: 受理时间, type: datetime, formats: ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]}
X
assert_exit 0 "$BUILD/migrate" check pb.yaml
assert_exit 0 "$BUILD/migrate" run pb.yaml --json
cp "$SCRATCH/out" run.json
assert_eq true "$(jq .balanced run.json)" "balanced"
assert_eq 5 "$(jq .stages.extract.in run.json)" "records met (blank row 4 is none)"
assert_eq 3 "$(jq .stages.extract.out run.json)" "rows"
assert_eq 2 "$(jq .stages.extract.rejected run.json)" "extract rejects"
assert_eq "GD001|13912345678|路灯不亮|2021-07-01 08:30
GD002|13812345678|噪音扰民|2021-01-01 00:00
GD005||ok|" "$(pg_query "SELECT legacy_id, coalesce(caller_phone, ''), content,
  coalesce(to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'), '')
  FROM hotline.work_order WHERE source_system = 't_xlsx' ORDER BY legacy_id")" "loaded values"
assert_eq "extra_cells|6
invalid_excel_date|5" "$(pg_query "SELECT reason, line FROM migration.reject WHERE raw IS NOT NULL ORDER BY reason")" \
	"rejects with their sheet rows"
# the workbook is read in passes, yet its recorded SHA-256 is the file's
if [[ $(pg_query "SELECT to_regclass('migration.source_file') IS NOT NULL") == t ]]; then
	assert_eq "$(sha256sum data/gd.xlsx | cut -d' ' -f1) $(stat -c %s data/gd.xlsx) 5" \
		"$(pg_query "SELECT sha256, bytes, records FROM migration.source_file WHERE source_system = 't_xlsx'" | tr '|' ' ')" \
		"input hash, size and records"
fi
echo "t0348 ok"
