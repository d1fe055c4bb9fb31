#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs every
# build-fuzz/fuzz/<name>_fuzz binary for FUZZ_SECONDS seconds on a copy of
# its seed corpus fuzz/corpus/<prefix>/ (see corpus_of). Exits non-zero on
# any finding (crash, leak, timeout, OOM, sanitizer report), for a fuzzer
# without a corpus or a corpus without a fuzzer. Findings and logs are left
# in build-fuzz/findings/<name>/.
#
#   FUZZ_SECONDS=60 scripts/run-fuzz.sh          # all fuzzers
#   scripts/run-fuzz.sh nql_parser               # only the named fuzzers
#   FUZZ_CMAKE_ARGS="-DNEDB_WERROR=OFF" ...      # extra configure arguments
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${FUZZ_BUILD:-$ROOT/build-fuzz}"
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
JOBS="${JOBS:-$(nproc)}"

CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DNEDB_BUILD_FUZZ=ON -DNEDB_BUILD_TESTS=OFF -DNEDB_BUILD_BENCH=OFF -DNEDB_BUILD_EXAMPLES=OFF \
  ${FUZZ_CMAKE_ARGS:-}
# nedbd too: the only full Clang build in `make test` of the server code (the
# main build is GCC), so a Clang-only compile error fails CI.
cmake --build "$BUILD" -j "$JOBS" --target nedb_fuzzers nedbd

# The corpus of fuzzer <x>_fuzz is fuzz/corpus/<name>/ for the longest <name>
# with <x> == <name> or <x> == <name>_*: nql_parser_fuzz uses corpus/nql/.
corpus_of() {
  local x="$1" best="" dir name
  for dir in "$ROOT"/fuzz/corpus/*/; do
    name="$(basename "$dir")"
    if [[ "$x" == "$name" || "$x" == "$name"_* ]] && ((${#name} > ${#best})); then
      best="$name"
    fi
  done
  echo "$best"
}

fuzzers=()
for bin in "$BUILD"/fuzz/*_fuzz; do
  [[ -x "$bin" ]] || continue
  x="$(basename "$bin")"
  x="${x%_fuzz}"
  if [[ $# -eq 0 || " $* " == *" $x "* ]]; then
    fuzzers+=("$x")
  fi
done
if [[ ${#fuzzers[@]} -eq 0 ]]; then
  echo "run-fuzz: no fuzzers to run in $BUILD/fuzz/" >&2
  exit 1
fi

failed=()
# Every corpus needs a fuzzer.
if [[ $# -eq 0 ]]; then
  for dir in "$ROOT"/fuzz/corpus/*/; do
    name="$(basename "$dir")"
    if ! compgen -G "$BUILD/fuzz/${name}_fuzz" >/dev/null &&
       ! compgen -G "$BUILD/fuzz/${name}_*_fuzz" >/dev/null; then
      echo "run-fuzz: fuzz/corpus/$name/ has no ${name}[_*]_fuzz binary" >&2
      failed+=("$name")
    fi
  done
fi

for name in "${fuzzers[@]}"; do
  bin="$BUILD/fuzz/${name}_fuzz"
  corpus="$(corpus_of "$name")"
  if [[ -z "$corpus" ]]; then
    echo "run-fuzz: ${name}_fuzz has no seed corpus (fuzz/corpus/${name%%_*}/)" >&2
    failed+=("$name")
    continue
  fi
  seeds="$ROOT/fuzz/corpus/$corpus"
  work="$BUILD/corpus/$name"
  findings="$BUILD/findings/$name"
  rm -rf "$work" "$findings"
  mkdir -p "$work" "$findings"
  cp -R "$seeds"/. "$work"/
  echo "=== $name: fuzzing for ${FUZZ_SECONDS}s"
  if ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}" \
     UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
     "$bin" "$work" -max_total_time="$FUZZ_SECONDS" -max_len=4096 -timeout=5 \
       -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$findings/" \
       >"$findings/log.txt" 2>&1; then
    if compgen -G "$findings/crash-*" >/dev/null || compgen -G "$findings/leak-*" >/dev/null ||
       compgen -G "$findings/timeout-*" >/dev/null || compgen -G "$findings/oom-*" >/dev/null; then
      echo "=== $name: FINDINGS in $findings" >&2
      failed+=("$name")
    else
      grep -E '^(Done|stat::number_of_executed_units|#[0-9]+.*DONE)' "$findings/log.txt" || true
      echo "=== $name: ok"
    fi
  else
    tail -n 40 "$findings/log.txt" >&2
    echo "=== $name: FAILED (artifacts and log in $findings)" >&2
    failed+=("$name")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "run-fuzz: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "run-fuzz: all fuzzers clean"
