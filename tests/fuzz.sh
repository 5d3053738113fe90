#!/usr/bin/env bash
# Coverage-guided fuzzing of the page renderer, front matter, decision-tree
# fences and book.yaml with cargo-fuzz (libFuzzer) on the stable toolchain.
#
#   tests/fuzz.sh 60            each target for 60 seconds
#   tests/fuzz.sh smoke         each target for 8 seconds from its seeds (tests/run.sh)
#   tests/fuzz.sh 600 tree      one target
#
# Installs cargo-fuzz when it is missing. The corpus grows in
# target/fuzz/corpus/<target>/ (kept between runs, never committed), seeded
# from tests/fuzz/seeds/, content/ and tests/fixtures/. A crash, a timeout
# (an input slower than TIMEOUT seconds) or an input that needs more than
# RSS_MB of memory stops the target; libFuzzer writes it to
# target/fuzz/artifacts/<target>/ and the script exits non-zero. Store a
# minimized copy under tests/fuzz/regressions/<target>/ so `cargo test`
# replays it.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-smoke}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(page front_matter tree config)

case "$mode" in
  smoke) seconds=${FUZZ_SMOKE_SECONDS:-8} ;;
  ''|*[!0-9]*) echo "usage: tests/fuzz.sh [SECONDS|smoke] [TARGET...]" >&2; exit 2 ;;
  *) seconds=$mode ;;
esac
timeout_s=${TIMEOUT:-5}
rss_mb=${RSS_MB:-1024}
# KEEP_GOING=1: one forked child at a time that carries on past findings,
# for long runs that should collect every problem rather than the first.
keep_going=()
if [ "${KEEP_GOING:-0}" = 1 ]; then
  keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "Installing cargo-fuzz"
  cargo install cargo-fuzz --version '^0.13' --locked --quiet
fi

# cargo-fuzz passes unstable codegen flags; the stable compiler accepts them
# with RUSTC_BOOTSTRAP. No sanitizer: the crate has no unsafe code, and
# libFuzzer alone still reports panics, aborts, stack overflows, timeouts
# and memory blow-ups.
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=$PWD/target/fuzz
work=$CARGO_TARGET_DIR

# Seeds: the committed ones plus the project's own pages and configs.
seed() {
  local target=$1 dir=$work/seeds/$1
  rm -rf "$dir"
  mkdir -p "$dir"
  cp tests/fuzz/seeds/"$target"/* "$dir"/
  local md=() n=0
  mapfile -t md < <(find content tests/fixtures src/init/scaffold -name '*.md' | sort)
  case "$target" in
    page|front_matter)
      for f in "${md[@]}"; do cp "$f" "$dir/$(echo "$f" | tr / _)"; done ;;
    tree)
      for f in "${md[@]}"; do
        awk -v out="$dir/$(echo "$f" | tr / _)" '
          /^```decision-tree/ { on = 1; n++; next }
          /^```/ && on { on = 0; next }
          on { print > (out "." n ".yaml") }' "$f"
      done ;;
    config)
      for f in book.yaml tests/fixtures/*/book.yaml src/init/scaffold/book.yaml; do
        n=$((n + 1)); cp "$f" "$dir/book$n.yaml"
      done ;;
  esac
}

status=0
summary=()
for target in "${targets[@]}"; do
  case "$target" in
    page) max_len=16384 dict=markdown ;;
    tree) max_len=8192 dict=yaml ;;
    front_matter|config) max_len=4096 dict=yaml ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
  esac
  seed "$target"
  corpus=$work/corpus/$target
  # The smoke run starts from the seeds alone, so a corpus grown by long
  # runs does not stretch it.
  if [ "$mode" = smoke ]; then
    corpus=$work/smoke-corpus/$target
    rm -rf "$corpus"
  fi
  artifacts=$work/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  log=$work/$target.log
  echo "== fuzz $target for ${seconds}s (log: ${log#"$PWD"/})"
  touch "$log.start"
  set +e
  cargo fuzz run --fuzz-dir tests/fuzz --sanitizer none --release "$target" \
    "$corpus" "$work/seeds/$target" -- \
    -max_total_time="$seconds" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" \
    -malloc_limit_mb="$rss_mb" -max_len="$max_len" \
    -dict="tests/fuzz/dicts/$dict.dict" -artifact_prefix="$artifacts/" \
    -print_final_stats=1 ${keep_going[@]+"${keep_going[@]}"} >"$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # Fork mode prints no final stats; its last status line has the count.
  [ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\):* .*/\1/p' "$log" | tail -1)
  found=$(find "$artifacts" -type f -newer "$log.start" | wc -l)
  if [ $rc -ne 0 ] || [ "$found" -gt 0 ]; then
    status=1
    echo "   FOUND a problem (exit $rc, $found new file(s) in ${artifacts#"$PWD"/}):"
    grep -E 'ERROR|panicked|Test unit written|deadly signal|timeout|out-of-memory' "$log" | head -8 | sed 's/^/   /'
  fi
  summary+=("$target: ${runs:-?} runs, $found finding(s), exit $rc")
done
printf '%s\n' "${summary[@]}"
exit $status
