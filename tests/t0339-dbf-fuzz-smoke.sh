#!/usr/bin/env bash
# dbf: the fuzz target (tests/fuzz/fuzz_dbf.c) built as a plain program
# against the library objects of this build, run over every fixture (each
# with its memo file, under each of its playbooks) and over thousands of
# bit-flipped and cut copies: every one must end in rows, rejects or a
# clean error, never a crash or an abort (make fuzz runs it with libFuzzer).
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

obj=$BUILD/obj
[[ -f $obj/extractors/dbf.o ]] || die "no $obj/extractors/dbf.o: build first"
objs=()
for o in "$obj"/migrate/*.o "$obj"/extractors/*.o "$obj"/transform/*.o "$obj"/loaders/*.o; do
  case ${o##*/} in
  main.o | report.o | cmd_*.o) ;;
  *) objs+=("$o") ;;
  esac
done
san=()
nm "$obj/extractors/dbf.o" | grep -q __asan_ && san+=(-fsanitize=address)
nm "$obj/extractors/dbf.o" | grep -q __ubsan_ && san+=(-fsanitize=undefined)
pkgs=(libpq libmariadb odbc libarchive expat yaml-0.1 jansson libcrypto)
read -ra cflags <<<"$(pkg-config --cflags "${pkgs[@]}")"
read -ra libs <<<"$(pkg-config --libs "${pkgs[@]}")"
cc -std=c11 -D_GNU_SOURCE -DMG_FUZZ_MAIN -pthread -g -O1 "${san[@]}" -I"$TOP" "${cflags[@]}" \
  -o fuzz_dbf "$TOP/tests/fuzz/fuzz_dbf.c" "${objs[@]}" "${libs[@]}" -lm ||
  die "cannot build the fuzz target"

mkdbf --all
mkdir -p corpus
n=0
for f in "$FX"/*.dbf; do
  size=$(stat -c %s "$f")
  ((size < 65536)) || continue
  stem=$(basename "$f" .dbf)
  memo=$(find "$FX" -maxdepth 1 -iname "$stem.fpt" -o -maxdepth 1 -iname "$stem.dbt" | sed -n 1p)
  for v in 0 1 2; do
    {
      # shellcheck disable=SC2059 # the header bytes are built as \xHH escapes
      printf "\\x$(printf %02x $v)\\x$(printf %02x $((size & 255)))\\x$(printf %02x $((size >> 8)))"
      cat "$f"
      if [[ -n $memo ]]; then head -c 8192 "$memo"; fi
    } >"corpus/$stem-$v"
    n=$((n + 1))
  done
done
((n > 100)) || die "only $n corpus files"
ulimit -c 0
assert_exit 0 ./fuzz_dbf -n 60 corpus/*
