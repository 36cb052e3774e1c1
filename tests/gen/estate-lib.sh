# shellcheck shell=bash
# Helpers for the estate tests (tests/t02xx-estate-*.sh): generate one system
# of the reference estate with gen-estate, migrate it, and compare the
# outcome with the generator's ground truth (expected.json, intended*.tsv).
# Source it after tests/lib.sh:
#
#   source "$TOP/tests/gen/estate-lib.sh"
#   estate_gen sj12315 300          # -> $SCRATCH/gen/sj12315/...
#   estate_run sj12315              # fresh store, init, run --json -> run.json
#   estate_check_counts sj12315     # ledgers, rejects, fixes against expected.json
#   estate_check_store sj12315      # per category/status/month/... in the store
#   estate_check_text sj12315 work_order intended.tsv
#
# gen-estate is $BUILD/gen-estate when the Makefile built it, else it is
# compiled here into $SCRATCH with cc.

ESTATE_SEED=${ESTATE_SEED:-12345}

estate_gen_bin() {
  if [[ -x $BUILD/gen-estate ]]; then
    GEN_ESTATE=$BUILD/gen-estate
  elif [[ -x $SCRATCH/gen-estate ]]; then
    GEN_ESTATE=$SCRATCH/gen-estate
  else
    command -v cc >/dev/null || skip "no C compiler to build gen-estate"
    # shellcheck disable=SC2046
    cc -std=c11 -D_GNU_SOURCE -O2 -I"$TOP" $(pkg-config --cflags libpq libarchive libmariadb) \
      "$TOP"/tests/gen/estate*.c -o "$SCRATCH/gen-estate" \
      $(pkg-config --libs libpq libarchive libmariadb) || die "cannot build gen-estate"
    GEN_ESTATE=$SCRATCH/gen-estate
  fi
}

# estate_gen CODE SCALE [ARGS...]: generate into $SCRATCH/gen
estate_gen() {
  local code=$1 scale=${ESTATE_SCALE:-$2}
  shift 2
  estate_gen_bin
  "$GEN_ESTATE" --system "$code" --scale "$scale" --seed "$ESTATE_SEED" --out "$SCRATCH/gen" \
    --playbook-dir "$TOP/playbooks" "$@" >"$SCRATCH/gen.log" || die "gen-estate failed: $(tail -3 "$SCRATCH/gen.log")"
  EXP=$SCRATCH/gen/$code/expected.json
  [[ -s $EXP ]] || die "no expected.json for $code"
}

# estate_run CODE: a fresh store, migrate init, migrate run --json (exit 0)
estate_run() {
  local code=$1
  fresh_store
  "$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
  assert_exit 0 "$BUILD/migrate" check "$TOP/playbooks/$code.yaml"
  assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/$code.yaml" --json
  cp "$SCRATCH/out" "$SCRATCH/run.json"
  RUN=$SCRATCH/run.json
}

# the stages of table T of the run: .tables[] when the run has several
_stages() {
  local t=$1
  if [[ $(jq '.tables | length' "$RUN") -gt 1 ]]; then
    jq -c --arg t "$t" '.tables[] | select(.table == $t) | .stages' "$RUN"
  else
    [[ $(jq -r .table "$RUN") == "$t" ]] || die "the run's table is $(jq -r .table "$RUN"), expected.json names $t"
    jq -c .stages "$RUN"
  fi
}

# estate_check_counts CODE: every table's ledger, the run's rejects and fixes
estate_check_counts() {
  local t st
  assert_eq true "$(jq .balanced "$RUN")" "balanced"
  assert_eq "$(jq '.tables | length' "$EXP")" "$(jq '[.tables[]?] | length | if . == 0 then 1 else . end' "$RUN")" "tables"
  for t in $(jq -r '.tables | keys[]' "$EXP"); do
    st=$(_stages "$t")
    [[ -n $st ]] || die "table $t not in the run"
    assert_eq "$(jq --arg t "$t" '.tables[$t].rows' "$EXP")" "$(jq .extract.in <<<"$st")" "$t: records read"
    assert_eq "$(jq --arg t "$t" '.tables[$t].extracted' "$EXP")" "$(jq .extract.out <<<"$st")" "$t: extracted"
    assert_eq "$(jq --arg t "$t" '.tables[$t].loaded' "$EXP")" "$(jq .load.out <<<"$st")" "$t: loaded"
    assert_eq "$(jq --arg t "$t" '.tables[$t].merged' "$EXP")" "$(jq .load.merged <<<"$st")" "$t: merged"
    assert_eq "$(jq --arg t "$t" '.tables[$t].loaded' "$EXP")" "$(jq .target.out <<<"$st")" "$t: target recount"
    assert_eq "$(jq --arg t "$t" '.tables[$t].rejected_total' "$EXP")" \
      "$(jq '.extract.rejected + .decode.rejected + .transform.rejected' <<<"$st")" "$t: rejected"
    assert_eq "$(jq .extract.total_out <<<"$st")" "$(jq .decode.total_in <<<"$st")" "$t: extract total = decode total in"
    assert_eq "$(jq .load.total_out <<<"$st")" "$(jq .target.total_out <<<"$st")" "$t: load total = target total"
  done
  assert_eq "$(jq -S -c .run.rejected "$EXP")" "$(jq -S -c .rejects "$RUN")" "rejects by reason"
  assert_eq "$(jq -S -c '.run.fixes | with_entries(select(.value > 0))' "$EXP")" \
    "$(jq -S -c '.fixes | with_entries(select(.value > 0))' "$RUN")" "fixes"
  assert_eq "$(jq .run.rejected_total "$EXP")" \
    "$(pg_query "SELECT count(*) FROM migration.reject WHERE raw IS NOT NULL AND legacy_key IS NOT NULL")" \
    "every reject kept with its bytes and key"
  assert_eq "$(jq .run.merged "$EXP")" "$(pg_query "SELECT count(*) FROM migration.merged")" "merged records recorded"
}

# _agg SQL-EXPRESSION [WHERE]: a JSON object of expression -> count of the
# system's work orders
_agg() {
  local code=$1 expr=$2 where=${3:-true}
  pg_query "SELECT coalesce(json_object_agg(k, n ORDER BY k), '{}') FROM (SELECT $expr AS k, count(*) n
    FROM hotline.work_order WHERE source_system = '$code' AND $where GROUP BY 1) x" | jq -S -c .
}

# estate_check_store CODE: what the store holds, counted in SQL
estate_check_store() {
  local code=$1
  assert_eq "$(jq -S -c .categories "$EXP")" "$(_agg "$code" category_code)" "per-category counts"
  assert_eq "$(jq -S -c .statuses "$EXP")" "$(_agg "$code" status)" "per-status counts"
  assert_eq "$(jq -S -c '.months | with_entries(select(.value > 0))' "$EXP")" \
    "$(_agg "$code" "coalesce(to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), 'none')")" "per-month counts"
  assert_eq "$(jq -S -c .dialled_numbers "$EXP")" "$(_agg "$code" dialled_number)" "per dialled number"
  assert_eq "$(jq -S -c .units "$EXP")" "$(_agg "$code" handling_unit "coalesce(handling_unit, '') <> ''")" \
    "per handling unit (spellings kept as they are)"
  assert_eq "$(jq '.checks.test_rows // 0' "$EXP")" \
    "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code' AND caller_name = '测试'")" \
    "test rows loaded and counted"
  assert_eq "$(jq '.checks.old_district // 0' "$EXP")" \
    "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code' AND address ~ '雄关区|长城区|镜铁区'")" \
    "pre-2019 district names kept"
}

# estate_check_text CODE TARGET FILE: the text in the store equals the
# intended text byte for byte
estate_check_text() {
  local code=$1 target=$2 file=$3 sql
  case $target in
  work_order)
    sql="SELECT w.legacy_id, f.k, f.v FROM hotline.work_order w, LATERAL (VALUES
      (1,'caller_name',w.caller_name),(2,'address',w.address),(3,'title',w.title),(4,'content',w.content),
      (5,'handling_unit',w.handling_unit),(6,'reply',w.reply),(7,'caller_phone',w.caller_phone),
      (8,'contact_phone',w.contact_phone),(9,'request_type',w.request_type),
      (10,'legacy_category_text',w.legacy_category_text)) AS f(o,k,v)
      WHERE w.source_system = '$code'"
    ;;
  work_order_event)
    sql="SELECT w.legacy_id, f.k, f.v FROM hotline.work_order_event w, LATERAL (VALUES
      (1,'order_legacy_id',w.order_legacy_id),(2,'event_type',w.event_type),
      (3,'event_at',to_char(w.event_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')),
      (4,'actor',w.actor),(5,'unit',w.unit),(6,'comment',w.comment)) AS f(o,k,v)
      WHERE w.source_system = '$code'"
    ;;
  call_record)
    sql="SELECT w.legacy_id, f.k, f.v FROM hotline.call_record w, LATERAL (VALUES
      (1,'call_start',to_char(w.call_start AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')),
      (2,'answered_at',to_char(w.answered_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')),
      (3,'ended_at',to_char(w.ended_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')),
      (4,'caller_phone',w.caller_phone),(5,'dialled_number',w.dialled_number),(6,'agent',w.agent),
      (7,'queue',w.queue),(8,'recording_ref',w.recording_ref),(9,'duration_seconds',w.duration_seconds),
      (10,'order_legacy_id',w.order_legacy_id)) AS f(o,k,v)
      WHERE w.source_system = '$code'"
    ;;
  kb_article)
    sql="SELECT w.legacy_id, f.k, f.v FROM hotline.kb_article w, LATERAL (VALUES
      (1,'title',w.title),(2,'question',w.question),(3,'answer',w.answer),(4,'department',w.department),
      (5,'policy_basis',w.policy_basis),
      (6,'valid_from',to_char(w.valid_from AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')),
      (7,'valid_to',to_char(w.valid_to AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'))) AS f(o,k,v)
      WHERE w.source_system = '$code'"
    ;;
  *) die "estate_check_text: unknown target $target" ;;
  esac
  pg_query "COPY ($sql) TO STDOUT" >"$SCRATCH/got-$target.tsv"
  LC_ALL=C sort "$SCRATCH/gen/$code/$file" >"$SCRATCH/want-$target.sorted"
  LC_ALL=C sort "$SCRATCH/got-$target.tsv" >"$SCRATCH/got-$target.sorted"
  [[ -s $SCRATCH/want-$target.sorted ]] || die "$file is empty"
  assert_eq "$(wc -l <"$SCRATCH/want-$target.sorted")" "$(wc -l <"$SCRATCH/got-$target.sorted")" "$target: number of values"
  cmp -s "$SCRATCH/want-$target.sorted" "$SCRATCH/got-$target.sorted" ||
    die "$target: text in the store differs from $file: $(diff "$SCRATCH/want-$target.sorted" "$SCRATCH/got-$target.sorted" | head -6)"
}

# estate_check_cross CODE: the system's side of each cross-system duplicate
# in estate.json is in the store with the caller's phone and the call's time
estate_check_cross() {
  local code=$1 n got want
  n=$(jq '.cross_system | length' "$SCRATCH/gen/estate.json")
  ((n > 0)) || die "estate.json lists no cross-system duplicates"
  assert_eq "$n" "$(jq '.checks.cross_system // 0' "$EXP")" "cross-system calls recorded"
  want=$(jq -r --arg s "$code" '.cross_system[] | [(.records[] | select(.system == $s) | .legacy_id), .caller_phone,
    .received_at] | @tsv' "$SCRATCH/gen/estate.json" | LC_ALL=C sort)
  got=$(jq -r --arg s "$code" '.cross_system[] | .records[] | select(.system == $s) | .legacy_id' "$SCRATCH/gen/estate.json" |
    while read -r id; do
      pg_query "COPY (SELECT legacy_id, caller_phone, to_char(received_at AT TIME ZONE 'Asia/Shanghai',
        'YYYY-MM-DD HH24:MI:SS') FROM hotline.work_order WHERE source_system = '$code' AND legacy_id = '$id') TO STDOUT"
    done | LC_ALL=C sort)
  assert_eq "$want" "$got" "cross-system duplicates in the store"
}
