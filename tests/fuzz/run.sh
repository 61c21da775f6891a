#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time
# (FUZZ_SECONDS, default 20) over its seed corpus and kept crash inputs,
# with its dictionary (NAME.dict) when it has one.
# Fails on any crash or sanitizer report. Found inputs go to a temporary
# folder; copy a crash input into tests/fuzz/corpus/<target>/ to keep it.
# The targets are the lines of targets.txt; `run.sh --list` prints them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mapfile -t TARGETS < <(grep -E '^fuzz_' "$ROOT/tests/fuzz/targets.txt")
if [ "${1:-}" = --list ]; then
  echo "${TARGETS[*]}"
  exit 0
fi
BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-20}
# FUZZ_BUILT=1: the caller (./setup.sh test) has built them already.
if [ -z "${FUZZ_BUILT:-}" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSHIORI_TESTS=OFF -DSHIORI_FUZZ=ON >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target "${TARGETS[@]}" -- --no-print-directory >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for t in "${TARGETS[@]}"; do
  corpus="$ROOT/tests/fuzz/corpus/${t#fuzz_}"
  dict="$ROOT/tests/fuzz/${t#fuzz_}.dict"  # tokens of the format, when there is one
  args=(-max_total_time="$SECONDS_EACH" -print_final_stats=1 -artifact_prefix="$work/$t/")
  if [ -f "$dict" ]; then args+=(-dict="$dict"); fi
  mkdir -p "$work/$t"
  if "$BUILD/tests/fuzz/$t" "${args[@]}" "$work/$t" "$corpus" >"$work/$t.log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz $t: ok, $execs inputs in ${SECONDS_EACH}s"
  else
    echo "fuzz $t: FAILED" >&2
    tail -40 "$work/$t.log" >&2
    ls "$work/$t"/crash-* "$work/$t"/leak-* 2>/dev/null >&2 || true
    status=1
  fi
done
exit $status
