#!/usr/bin/env bash
# Builds the same generated corpus with playbook, mdBook and Hugo and
# prints, per tool and size: median wall time, peak memory, output size and
# the ratio to playbook; then playbook's incremental one-page rebuild.
#
#   tests/bench/compare.sh            # N = 1,000 and 10,000, 3 rounds each
#   SIZES="1000" ROUNDS=5 tests/bench/compare.sh
#   TOOLS="playbook hugo" OUT=/dev/shm/bench-out tests/bench/compare.sh
#
# The sites are written under OUT (default /tmp/playbook-bench/out). Each
# run's output from the round before is moved aside rather than deleted,
# and all of it is deleted when the script ends. On ext4 without a
# journal, making a file right after thousands were deleted costs seconds
# of inode searching (the kernel skips recently freed inodes), a cost that
# varies by 2-3x from run to run and would measure the benchmark's own
# clean-up rather than the tools. OUT=/dev/shm/... measures on tmpfs.
#
# Needs: mdbook (cargo install mdbook), hugo (apt-get install hugo),
# GNU time (apt-get install time). Runs alternate between the tools so
# that background load falls on all of them alike.
set -euo pipefail
cd "$(dirname "$0")/../.."

SIZES=${SIZES:-"1000 10000"}
ROUNDS=${ROUNDS:-3}
TOOLS=${TOOLS:-"playbook mdbook hugo"}
WORK=${BENCH_DIR:-/tmp/playbook-bench}
OUT=${OUT:-$WORK/out}
for tool in $TOOLS /usr/bin/time; do
  [ "$tool" = playbook ] && continue
  command -v "$tool" >/dev/null || { echo "missing $tool (see the header of this script)"; exit 1; }
done

cargo build --release --quiet --bin playbook --example corpus --example incremental
PLAYBOOK=$PWD/target/release/playbook

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# run TOOL N ROUND: prints "seconds peak_kb bytes".
run() {
  local tool=$1 n=$2 src=$WORK/$2 out=$OUT/$1-$2
  # The last output is moved aside, not deleted: see the header.
  if [ -e "$out" ]; then mv "$out" "$TRASH/$tool-$n-$RANDOM$RANDOM"; fi
  local cmd
  case $tool in
    playbook) cmd=("$PLAYBOOK" -q build "$src/playbook" -o "$out") ;;
    mdbook) cmd=(mdbook build "$src/mdbook" -d "$out") ;;
    hugo) cmd=(hugo --quiet --source "$src/hugo" --destination "$out") ;;
  esac
  /usr/bin/time -f "%e %M" -o "$WORK/time" "${cmd[@]}" >/dev/null 2>&1
  # Bytes in files: folders' own sizes differ between filesystems.
  echo "$(cat "$WORK/time") $(find "$out" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')"
}

TRASH=$OUT/.old
rm -rf "$TRASH"
mkdir -p "$WORK" "$OUT" "$TRASH"
trap 'rm -rf "$TRASH"' EXIT
versions="playbook $($PLAYBOOK --version | cut -d' ' -f2)"
case " $TOOLS " in *" mdbook "*) versions+=", $(mdbook --version)" ;; esac
case " $TOOLS " in *" hugo "*) versions+=", $(hugo version | cut -d' ' -f1-2)" ;; esac
echo "machine: $(nproc) cores, $(uname -m); $versions"
echo "sites written to $OUT ($(df --output=fstype "$OUT" | tail -1))"
for n in $SIZES; do
  [ -d "$WORK/$n/playbook" ] || ./target/release/examples/corpus "$n" "$WORK/$n" >/dev/null
  declare -A times=() mem=() bytes=()
  for round in $(seq "$ROUNDS"); do
    for tool in $TOOLS; do
      read -r s kb b < <(run "$tool" "$n")
      times[$tool]+="$s "; mem[$tool]+="$kb "; bytes[$tool]=$b
    done
  done
  echo
  echo "N = $n pages, $ROUNDS round(s)"
  printf "%-9s %10s %9s %12s %10s %12s %12s\n" tool "median s" "ratio" "peak RSS MB" "output MB" "ms / page" "bytes / page"
  base=$(echo "${times[playbook]}" | tr ' ' '\n' | grep . | median)
  for tool in $TOOLS; do
    t=$(echo "${times[$tool]}" | tr ' ' '\n' | grep . | median)
    kb=$(echo "${mem[$tool]}" | tr ' ' '\n' | grep . | sort -n | tail -1)
    awk -v tool="$tool" -v t="$t" -v base="$base" -v kb="$kb" -v b="${bytes[$tool]}" -v n="$n" \
      'BEGIN { printf "%-9s %10.2f %8.1fx %12.0f %10.1f %12.2f %12.0f\n", tool, t, t/base, kb/1024, b/1048576, t*1000/n, b/n }'
  done
  ./target/release/examples/incremental "$WORK/$n/playbook" 30 | tail -1
  unset times mem bytes
done
