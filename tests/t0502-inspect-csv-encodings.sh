#!/usr/bin/env bash
# migrate inspect on CSV files in UTF-8, GBK and Big5 (made with iconv) whose
# text is short, name-like values: the decision is right for each, with its
# evidence; a header in a legacy encoding is read with the decided one; the
# dates' formats (2021年7月1日, 2021/7/1, 20210701, Excel serial day numbers,
# epoch seconds) are found; a column of
# phone numbers is masked by its values; each draft passes `migrate check`
# and `migrate validate` of it (no store) passes every record. A UTF-16LE
# file with a byte-order mark is reported clearly.
set -euo pipefail
source "$TOP/tests/lib.sh"
export LC_ALL=C.UTF-8
MIGRATE=${MIGRATE:-$BUILD/migrate}
[[ -f $TOP/extractors/csv.c ]] || skip "csv driver not built"

mkdir data
# 30 simplified and 30 traditional names (short values: 2-3 characters)
simp=(王伟 李娜 张敏 刘洋 陈静 杨磊 黄丽 赵强 周杰 吴芳 徐明 孙超 马秀英 朱华 胡军 郭艳 何涛 高勇 林慧 罗斌 郑霞 梁平 谢文 宋刚 唐桂兰 许辉 韩雪 冯亮 邓红 曹建国)
trad=(陳志明 林淑芬 黃美玲 張家豪 李建宏 王雅婷 吳俊傑 劉怡君 蔡宗翰 楊佩珊 許文龍 鄭麗華 謝明輝 洪淑惠 郭國華 邱美惠 曾志偉 廖雅雯 賴建國 徐秀蘭 周俊賢 葉佳蓉 蘇信宏 莊雅琪 呂文傑 江怡萱 何家銘 羅淑娟 高志豪 簡嘉慧)
notes=(已办结 待回访 已派单 咨询 投诉 求助)

# UTF-8 (with a byte-order mark): names, an unnamed phone column, short notes,
# 20210701 dates, Excel serial day numbers, epoch seconds
{
  printf '\xef\xbb\xbf'
  echo "id,xm,hm,bz,rq,xl,ts"
  for i in "${!simp[@]}"; do
    printf '%d,%s,1390937%04d,%s,202107%02d,%d,%d\n' $((i + 1)) "${simp[i]}" $((i * 71)) "${notes[i % 6]}" $((i % 28 + 1)) \
      $((44378 + i)) $((1625097600 + i * 3600))
  done
} >data/utf8.csv
# GBK: a Chinese header, dates like 2021年7月1日, one of them impossible, one all-zero
{
  echo "编号,姓名,联系电话,来电时间"
  for i in "${!simp[@]}"; do
    d="2021年7月$((i % 28 + 1))日"
    ((i == 5)) && d="2021年2月30日"
    ((i == 6)) && d="0000年0月0日"
    printf '%d,%s,0937-62%05d,%s\n' $((i + 1)) "${simp[i]}" $((i * 37)) "$d"
  done
} | iconv -f UTF-8 -t GBK >data/gbk.csv
# Big5: a Chinese header in Big5, traditional names, dates like 2021/7/1
{
  echo "編號,姓名,地址,日期"
  for i in "${!trad[@]}"; do
    printf '%d,%s,臺北市中正區%d號,2021/7/%d\n' $((i + 1)) "${trad[i]}" $((i + 3)) $((i % 28 + 1))
  done
} | iconv -f UTF-8 -t BIG5 >data/big5.csv
# UTF-16LE with a byte-order mark
{
  printf '\xff\xfe'
  { echo "id,xm"; for i in 0 1 2 3; do echo "$((i + 1)),${simp[i]}"; done; } | iconv -f UTF-8 -t UTF-16LE
} >data/u16.csv
for f in utf8 gbk big5 u16; do
  cat >$f.yaml <<EOF
system: {code: t_$f, hotline: "12345", name: csv $f, department: test, mode: merge}
source: {driver: csv, dir: data}
tables:
  - name: "$f.csv"
EOF
done

inspect() { # NAME: inspect --json into NAME.json, and the draft NAME.draft.yaml
  assert_exit 0 "$MIGRATE" inspect "$1.yaml" --json --draft "$1.draft.yaml"
  cp "$SCRATCH/out" "$1.json"
}
col() { jq -c ".tables[0].columns[] | select(.name == \"$2\") | $3" "$1.json"; }
cand() { col "$1" "$2" ".encoding.candidates[] | select(.encoding == \"$3\") | .$4"; }

# ---- UTF-8
inspect utf8
assert_eq '"utf-8"' "$(jq '.tables[0].encoding.decision' utf8.json)" "utf8: table"
assert_eq '"utf-8"' "$(col utf8 xm .encoding.encoding)" "utf8: names"
assert_eq 30 "$(col utf8 xm .encoding.nonascii)" "utf8: every name sampled"
assert_contains "$(col utf8 xm .encoding.reason)" "valid UTF-8" "utf8: evidence"
assert_eq '"ascii"' "$(col utf8 id .encoding.encoding)" "utf8: id is ascii"
assert_eq '"utf-8"' "$(col utf8 bz .encoding.encoding)" "utf8: notes"
assert_eq 6 "$(col utf8 bz .distinct)" "utf8: 6 distinct notes"
assert_eq 5 "$(col utf8 bz '.top[0].count')" "utf8: the most frequent note"
# a column of mobile numbers with a name that says nothing: masked by its values
assert_eq '"values"' "$(col utf8 hm .personal_by)" "utf8: hm personal by its values"
assert_eq '"phone"' "$(col utf8 hm .mask)" "utf8: hm masked as a phone"
grep -q '139093[0-9]\{5\}' utf8.json && die "utf8: a phone number unmasked"
assert_eq '"139****0000"' "$(col utf8 hm '.samples[0]')" "utf8: hm sample masked"
# names masked: the first character and stars
assert_eq '"王*"' "$(col utf8 xm '.samples[0]')" "utf8: name masked"
grep -q '李娜\|张敏' utf8.json && die "utf8: a name unmasked"
assert_eq '"%Y%m%d"' "$(col utf8 rq '.dates.formats[0].format')" "utf8: YYYYMMDD dates"
assert_eq true "$(col utf8 rq .date_column)" "utf8: rq is a date column"
assert_eq false "$(col utf8 hm .date_column)" "utf8: phone numbers are no dates"
assert_eq '"excel"' "$(col utf8 xl '.dates.formats[0].kind')" "utf8: Excel serial day numbers"
assert_eq '"epoch"' "$(col utf8 ts '.dates.formats[0].kind')" "utf8: epoch seconds"
assert_eq 30 "$(col utf8 ts '.dates.readable')" "utf8: every epoch value"
assert_eq false "$(col utf8 ts .date_column)" "utf8: numbers that may be dates make no date column"
assert_eq false "$(col utf8 id .date_column)" "utf8: small numbers are no dates"

# ---- GBK
inspect gbk
assert_eq '"gbk"' "$(jq '.tables[0].encoding.decision' gbk.json)" "gbk: table"
assert_eq '"gbk"' "$(col gbk 姓名 .encoding.encoding)" "gbk: names (the header is read as GB18030 too)"
assert_eq '"gb18030"' "$(jq '.tables[0].header_encoding' gbk.json)" "gbk: header not UTF-8, read as GB18030"
pct=$(cand gbk 姓名 gbk common_percent)
b5=$(cand gbk 姓名 big5 common_percent)
jq -n -e "$pct >= 15 and $pct >= 2 * $b5" >/dev/null || die "gbk: names gbk $pct% common vs big5 $b5%"
assert_eq false "$(cand gbk 姓名 utf-8 eligible)" "gbk: utf-8 does not decode GBK names"
assert_eq '"%Y年%m月%d日"' "$(col gbk 来电时间 '.dates.formats[0].format')" "gbk: 年月日 dates, literals decoded"
assert_eq 1 "$(col gbk 来电时间 '.dates.formats[0].invalid')" "gbk: the impossible date"
assert_eq 1 "$(col gbk 来电时间 '.dates.formats[0].zero')" "gbk: the all-zero date"
assert_eq '["legacy_id"]' "$(col gbk 编号 .guess)" "gbk: 编号 is the legacy id"
assert_eq '["caller_name"]' "$(col gbk 姓名 .guess)" "gbk: 姓名 is the caller's name"
assert_eq '["contact_phone"]' "$(col gbk 联系电话 .guess)" "gbk: 联系电话"
assert_eq '["received_at"]' "$(col gbk 来电时间 .guess)" "gbk: 来电时间"
assert_eq '"phone"' "$(col gbk 联系电话 .mask)" "gbk: phone column masked by its name"
grep -q '"%Y年%m月%d日"' gbk.draft.yaml || die "gbk: the draft's date format"
grep -q '^      zero: null' gbk.draft.yaml || die "gbk: the draft's zero-date policy"

# ---- Big5
inspect big5
assert_eq '"big5"' "$(jq '.tables[0].encoding.decision' big5.json)" "big5: table"
assert_eq '"big5"' "$(col big5 姓名 .encoding.encoding)" "big5: names"
assert_eq '"big5"' "$(col big5 地址 .encoding.encoding)" "big5: addresses"
pct=$(cand big5 姓名 big5 common_percent)
gb=$(cand big5 姓名 gbk common_percent)
jq -n -e "$pct >= 15 and $pct >= 2 * $gb" >/dev/null || die "big5: names big5 $pct% common vs gbk $gb%"
assert_eq '"big5"' "$(jq '.tables[0].header_encoding' big5.json)" "big5: the header read again as Big5"
assert_eq '["編號","姓名","地址","日期"]' "$(jq -c '[.tables[0].columns[].name]' big5.json)" "big5: column names"
assert_eq '"%Y/%m/%d"' "$(col big5 日期 '.dates.formats[0].format')" "big5: Y/M/D dates"
assert_eq '"陳**"' "$(col big5 姓名 '.samples[0]')" "big5: name decoded and masked"

# ---- the drafts: check, then validate without a store passes every record
for f in utf8 gbk big5; do
  assert_exit 0 "$BUILD/migrate" check $f.draft.yaml
  rc=0
  env PGHOST=/nonexistent "$MIGRATE" validate $f.draft.yaml --json >v.$f.json 2>v.$f.err || rc=$?
  if [[ $f == gbk ]]; then
    # the impossible date is rejected, the zero date loaded as NULL
    assert_eq 3 "$rc" "gbk draft: exit 3 (one reject)"
    assert_eq '{"transform.invalid_date":1}' "$(jq -c .rejects v.$f.json)" "gbk draft: the impossible date"
    assert_eq 1 "$(jq .fixes.zero_date v.$f.json)" "gbk draft: the zero date"
  else
    assert_eq 0 "$rc" "$f draft: validate passes ($(cat v.$f.err))"
  fi
  assert_eq 30 "$(jq .rows v.$f.json)" "$f draft: rows"
done
assert_eq '"王*"' "$(jq -c '.tables[0].fields[] | select(.field == "caller_name") | .samples[0].after' v.gbk.json)" \
  "gbk draft: names decoded and masked"
assert_eq '"2021-07-01 00:00:00"' "$(jq -c '.tables[0].fields[] | select(.field == "received_at") | .samples[0].after' v.gbk.json)" \
  "gbk draft: 年月日 read"

# ---- UTF-16LE with a byte-order mark: reported, with how to convert
assert_exit 1 "$MIGRATE" inspect u16.yaml --draft u16.draft.yaml
assert_contains "$(cat "$SCRATCH/out")" "table u16.csv: cannot be read: UTF-16 input" "u16: reported"
assert_contains "$(cat "$SCRATCH/out")" "iconv -f UTF-16" "u16: how to convert"
assert_contains "$(cat "$SCRATCH/err")" "1 table could not be read" "u16: exit reason"
grep -q 'TODO: table u16.csv could not be read' u16.draft.yaml || die "u16: the draft says so"
# converted as told, it is read as UTF-8
iconv -f UTF-16 -t UTF-8 data/u16.csv >data/u16-converted.csv
sed 's/u16.csv/u16-converted.csv/' u16.yaml >u16c.yaml
assert_exit 0 "$MIGRATE" inspect u16c.yaml --json
assert_eq '"utf-8"' "$(jq '.tables[0].encoding.decision' "$SCRATCH/out")" "u16 converted: utf-8"
